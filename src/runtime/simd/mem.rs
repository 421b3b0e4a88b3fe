//! Memory helpers: the caller checks bounds and passes exactly the accessed bytes (at least
//! `op.bytes()` of them; only the first `op.bytes()` are used).

use super::{LaneMemOp, LoadOp, V128};

fn bytes<const N: usize>(m: &[u8]) -> [u8; N] {
    let mut b = [0u8; N];
    b.copy_from_slice(&m[..N]);
    b
}

/// A `v128.load*` from the accessed bytes `m` (`m.len() >= op.bytes()`).
pub fn load(op: LoadOp, m: &[u8]) -> V128 {
    use LoadOp as L;
    let lo64 = || V128(u128::from(u64::from_le_bytes(bytes(m))));
    match op {
        L::V128Load => V128::from_bytes(bytes(m)),
        L::V128Load8x8S => {
            let x = lo64().i8x16();
            V128::from_i16x8(core::array::from_fn(|i| i16::from(x[i])))
        }
        L::V128Load8x8U => {
            let x = lo64().u8x16();
            V128::from_u16x8(core::array::from_fn(|i| u16::from(x[i])))
        }
        L::V128Load16x4S => {
            let x = lo64().i16x8();
            V128::from_i32x4(core::array::from_fn(|i| i32::from(x[i])))
        }
        L::V128Load16x4U => {
            let x = lo64().u16x8();
            V128::from_u32x4(core::array::from_fn(|i| u32::from(x[i])))
        }
        L::V128Load32x2S => {
            let x = lo64().i32x4();
            V128::from_i64x2(core::array::from_fn(|i| i64::from(x[i])))
        }
        L::V128Load32x2U => {
            let x = lo64().u32x4();
            V128::from_u64x2(core::array::from_fn(|i| u64::from(x[i])))
        }
        L::V128Load8Splat => V128::from_u8x16([m[0]; 16]),
        L::V128Load16Splat => V128::from_u16x8([u16::from_le_bytes(bytes(m)); 8]),
        L::V128Load32Splat => V128::from_u32x4([u32::from_le_bytes(bytes(m)); 4]),
        L::V128Load64Splat => V128::from_u64x2([u64::from_le_bytes(bytes(m)); 2]),
        L::V128Load32Zero => V128(u128::from(u32::from_le_bytes(bytes(m)))),
        L::V128Load64Zero => lo64(),
    }
}

/// `v128.store`: the 16 bytes to write.
pub fn store(v: V128) -> [u8; 16] {
    v.to_bytes()
}

/// `v128.loadN_lane`: `v` with lane `lane` replaced by the `op.bytes()` bytes of `m`. Store
/// operators leave `v` unchanged (use [`store_lane`]). `lane` is validated; taken modulo the
/// lane count here.
pub fn load_lane(op: LaneMemOp, v: V128, lane: u8, m: &[u8]) -> V128 {
    let n = op.bytes();
    match op {
        LaneMemOp::V128Load8Lane
        | LaneMemOp::V128Load16Lane
        | LaneMemOp::V128Load32Lane
        | LaneMemOp::V128Load64Lane => {
            let mut b = v.to_bytes();
            let at = (usize::from(lane) % (16 / n)) * n;
            b[at..at + n].copy_from_slice(&m[..n]);
            V128::from_bytes(b)
        }
        LaneMemOp::V128Store8Lane
        | LaneMemOp::V128Store16Lane
        | LaneMemOp::V128Store32Lane
        | LaneMemOp::V128Store64Lane => v,
    }
}

/// `v128.storeN_lane` (and, for symmetry, the load forms do nothing): writes lane `lane` of `v`
/// into `out[..op.bytes()]`.
pub fn store_lane(op: LaneMemOp, v: V128, lane: u8, out: &mut [u8]) {
    let n = op.bytes();
    match op {
        LaneMemOp::V128Store8Lane
        | LaneMemOp::V128Store16Lane
        | LaneMemOp::V128Store32Lane
        | LaneMemOp::V128Store64Lane => {
            let b = v.to_bytes();
            let at = (usize::from(lane) % (16 / n)) * n;
            out[..n].copy_from_slice(&b[at..at + n]);
        }
        LaneMemOp::V128Load8Lane
        | LaneMemOp::V128Load16Lane
        | LaneMemOp::V128Load32Lane
        | LaneMemOp::V128Load64Lane => {}
    }
}
