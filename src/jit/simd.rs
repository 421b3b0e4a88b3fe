//! The JIT's SIMD fallback helper: compiled code calls [`simd_op`] for every SIMD operator it
//! does not lower inline, and the helper runs the one lane-semantics implementation,
//! `runtime::simd`, on the operands' canonical slots (ARCHITECTURE.md "Tier 1", SIMD).
//!
//! An operator is named by a `u32` code ([`encode`]; position-independent, so AOT sidecars
//! keep it): its shape in bits 0..8, its variant's index in the shape's `ALL` table in bits
//! 8..16, a lane immediate in bits 16..24. The operands are consecutive slots, as on the value
//! stack (a v128 two, low half first); the result replaces them from the first slot on.

use crate::runtime::simd::{
    self, BinaryOp, ExtractOp, LaneMemOp, LoadOp, ReplaceOp, ShiftOp, SimdOp, SplatOp, TestOp,
    UnaryOp, V128,
};

/// Shapes of [`encode`]d operators.
mod shape {
    pub const UNARY: u32 = 0;
    pub const BINARY: u32 = 1;
    pub const SHIFT: u32 = 2;
    pub const TEST: u32 = 3;
    pub const SPLAT: u32 = 4;
    pub const EXTRACT: u32 = 5;
    pub const REPLACE: u32 = 6;
    /// A load's bytes arrive in `a` (compiled code read them, so faults map to the operator).
    pub const LOAD: u32 = 7;
    /// `v128.loadN_lane`: the lane's bytes in `a`, the vector after the address's slot.
    pub const LOAD_LANE: u32 = 8;
    /// `i8x16.shuffle`: the 16 lane indices in `a` (0..8) and `b` (8..16).
    pub const SHUFFLE: u32 = 9;
    pub const BITSELECT: u32 = 10;
}

/// Slots of the operands or of the result of an operator of shape `shape`, the larger.
fn slots_used(shape: u32) -> usize {
    match shape {
        shape::BINARY | shape::SHUFFLE => 4,
        shape::SHIFT | shape::REPLACE | shape::LOAD_LANE => 3,
        shape::BITSELECT => 6,
        _ => 2,
    }
}

fn index_of<T: PartialEq>(all: &[T], op: &T) -> u32 {
    all.iter().position(|o| o == op).unwrap_or(0) as u32
}

/// The helper's code for `op` and its `(a, b)` immediates; `None` for the operators compiled
/// code always does itself (`v128.const`, `v128.store`, lane stores).
pub fn encode(op: &SimdOp) -> Option<(u32, u64, u64)> {
    let code = |shape: u32, index: u32, lane: u8| shape | (index << 8) | (u32::from(lane) << 16);
    Some(match op {
        SimdOp::Unary(o) => (code(shape::UNARY, index_of(UnaryOp::ALL, o), 0), 0, 0),
        SimdOp::Binary(o) => (code(shape::BINARY, index_of(BinaryOp::ALL, o), 0), 0, 0),
        SimdOp::Shift(o) => (code(shape::SHIFT, index_of(ShiftOp::ALL, o), 0), 0, 0),
        SimdOp::Test(o) => (code(shape::TEST, index_of(TestOp::ALL, o), 0), 0, 0),
        SimdOp::Splat(o) => (code(shape::SPLAT, index_of(SplatOp::ALL, o), 0), 0, 0),
        SimdOp::Extract(o, lane) => (
            code(shape::EXTRACT, index_of(ExtractOp::ALL, o), *lane),
            0,
            0,
        ),
        SimdOp::Replace(o, lane) => (
            code(shape::REPLACE, index_of(ReplaceOp::ALL, o), *lane),
            0,
            0,
        ),
        SimdOp::Load(o, _) => (code(shape::LOAD, index_of(LoadOp::ALL, o), 0), 0, 0),
        SimdOp::LaneMem(o, _, lane) if o.is_load() => (
            code(shape::LOAD_LANE, index_of(LaneMemOp::ALL, o), *lane),
            0,
            0,
        ),
        SimdOp::Shuffle(lanes) => {
            let mut low = [0u8; 8];
            let mut high = [0u8; 8];
            low.copy_from_slice(&lanes[..8]);
            high.copy_from_slice(&lanes[8..]);
            (
                code(shape::SHUFFLE, 0, 0),
                u64::from_le_bytes(low),
                u64::from_le_bytes(high),
            )
        }
        SimdOp::Bitselect => (code(shape::BITSELECT, 0, 0), 0, 0),
        SimdOp::LaneMem(..) | SimdOp::Store(_) | SimdOp::Const(_) => return None,
    })
}

/// `(operand slots, code, a, b)`: runs operator `code` ([`encode`]) on the operands at
/// `slots` and writes its result there.
///
/// # Safety
/// `slots` points at the operator's operand slots in a live frame (compiled code passes the
/// first operand's canonical slot): the larger of the operands' and the result's slots
/// ([`slots_used`]) are writable.
pub unsafe extern "C" fn simd_op(slots: *mut u64, code: u32, a: u64, b: u64) {
    // SAFETY: the operands' and the result's slots are in the caller's frame (its value
    // stack check covers its maximum height).
    let s = unsafe { std::slice::from_raw_parts_mut(slots, slots_used(code & 0xff)) };
    let v128_at = |s: &[u64], i: usize| V128::from_slots([s[i], s[i + 1]]);
    let index = ((code >> 8) & 0xff) as usize;
    let lane = (code >> 16) as u8;
    let vector = match code & 0xff {
        shape::UNARY => UnaryOp::ALL
            .get(index)
            .map(|&op| simd::eval_unary(op, v128_at(s, 0))),
        shape::BINARY => BinaryOp::ALL
            .get(index)
            .map(|&op| simd::eval_binary(op, v128_at(s, 0), v128_at(s, 2))),
        shape::SHIFT => ShiftOp::ALL
            .get(index)
            .map(|&op| simd::eval_shift(op, v128_at(s, 0), s[2] as u32)),
        shape::TEST => {
            if let Some(&op) = TestOp::ALL.get(index) {
                s[0] = u64::from(simd::eval_test(op, v128_at(s, 0)));
            }
            None
        }
        shape::SPLAT => SplatOp::ALL
            .get(index)
            .map(|&op| simd::eval_splat(op, s[0])),
        shape::EXTRACT => {
            if let Some(&op) = ExtractOp::ALL.get(index) {
                s[0] = simd::eval_extract(op, v128_at(s, 0), lane);
            }
            None
        }
        shape::REPLACE => ReplaceOp::ALL
            .get(index)
            .map(|&op| simd::eval_replace(op, v128_at(s, 0), lane, s[2])),
        shape::LOAD => LoadOp::ALL.get(index).map(|&op| {
            let bytes = a.to_le_bytes();
            if op == LoadOp::V128Load {
                let mut all = [0u8; 16];
                all[..8].copy_from_slice(&bytes);
                all[8..].copy_from_slice(&b.to_le_bytes());
                simd::load(op, &all)
            } else {
                simd::load(op, &bytes[..op.bytes().min(8)])
            }
        }),
        shape::LOAD_LANE => LaneMemOp::ALL.get(index).map(|&op| {
            let bytes = a.to_le_bytes();
            simd::load_lane(op, v128_at(s, 1), lane, &bytes[..op.bytes().min(8)])
        }),
        shape::SHUFFLE => {
            let mut lanes = [0u8; 16];
            lanes[..8].copy_from_slice(&a.to_le_bytes());
            lanes[8..].copy_from_slice(&b.to_le_bytes());
            Some(simd::shuffle(
                v128_at(s, 0),
                v128_at(s, 2),
                V128::from_bytes(lanes),
            ))
        }
        shape::BITSELECT => Some(simd::bitselect(v128_at(s, 0), v128_at(s, 2), v128_at(s, 4))),
        _ => None,
    };
    if let Some(v) = vector {
        s[..2].copy_from_slice(&v.to_slots());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operator the helper takes has a code that names it (no two share one).
    #[test]
    fn codes_are_distinct() {
        let mut codes = std::collections::HashSet::new();
        let mut n = 0;
        for op in UnaryOp::ALL.iter().map(|&o| SimdOp::Unary(o)).chain(
            BinaryOp::ALL
                .iter()
                .map(|&o| SimdOp::Binary(o))
                .chain(ShiftOp::ALL.iter().map(|&o| SimdOp::Shift(o)))
                .chain(TestOp::ALL.iter().map(|&o| SimdOp::Test(o)))
                .chain(SplatOp::ALL.iter().map(|&o| SimdOp::Splat(o))),
        ) {
            let (code, _, _) = encode(&op).unwrap();
            assert!(codes.insert(code), "{op:?}");
            n += 1;
        }
        assert_eq!(n, codes.len());
    }

    #[test]
    fn helper_runs_a_binary_operator() {
        let a = V128::from_i32x4([1, 2, 3, 4]);
        let b = V128::from_i32x4([10, 20, 30, 40]);
        let mut slots = [0u64; 4];
        slots[..2].copy_from_slice(&a.to_slots());
        slots[2..4].copy_from_slice(&b.to_slots());
        let (code, x, y) = encode(&SimdOp::Binary(BinaryOp::I32x4Add)).unwrap();
        // SAFETY: the four slots of a binary operator, writable.
        unsafe { simd_op(slots.as_mut_ptr(), code, x, y) };
        assert_eq!(
            V128::from_slots([slots[0], slots[1]]),
            V128::from_i32x4([11, 22, 33, 44])
        );
    }
}
