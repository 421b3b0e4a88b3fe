//! [`FrameLayout`]: where a function's locals and operands live in its frame
//! (ARCHITECTURE.md, "Values, slots and frames").

use super::types::{FuncType, ValType};

/// The slots of one function's frame: `[params | declared locals | operand slots]`, a v128
/// taking two consecutive slots (low half first), every other value one. Locals get their
/// slots in order; the operand at height `h` (counted in slots, so a v128 operand covers two
/// heights) lives at `local_slots() + h`.
///
/// Functions without a v128 local have the identity layout (local `i` in slot `i`), stored
/// without a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameLayout {
    num_locals: u32,
    /// Slots of the params and declared locals together.
    local_slots: u32,
    param_slots: u32,
    /// Per local, its first slot, plus `local_slots` at the end; `None`: the identity.
    starts: Option<Box<[u32]>>,
}

impl FrameLayout {
    /// The layout of a function of type `ty` with the declared locals `locals` (run-length
    /// encoded, as in the binary). `None` when the locals take more than `max_slots` slots.
    pub fn new(ty: &FuncType, locals: &[(u32, ValType)], max_slots: u64) -> Option<FrameLayout> {
        let declared: u64 = locals.iter().map(|(n, _)| u64::from(*n)).sum();
        let num_locals = ty.params.len() as u64 + declared;
        let wide: u64 = ty.params.iter().filter(|t| **t == ValType::V128).count() as u64
            + locals
                .iter()
                .filter(|(_, t)| *t == ValType::V128)
                .map(|(n, _)| u64::from(*n))
                .sum::<u64>();
        let local_slots = num_locals + wide;
        if local_slots > max_slots {
            return None;
        }
        let starts = (wide > 0).then(|| {
            let mut starts = Vec::with_capacity(num_locals as usize + 1);
            let mut at = 0u32;
            let types = ty.params.iter().copied().chain(
                locals
                    .iter()
                    .flat_map(|&(n, t)| std::iter::repeat_n(t, n as usize)),
            );
            for t in types {
                starts.push(at);
                at += t.slots() as u32;
            }
            starts.push(at);
            starts.into_boxed_slice()
        });
        Some(FrameLayout {
            num_locals: num_locals as u32,
            local_slots: local_slots as u32,
            param_slots: ty.param_slots(),
            starts,
        })
    }

    /// Number of locals (params included).
    pub fn num_locals(&self) -> u32 {
        self.num_locals
    }

    /// Slots of the params and declared locals: the operand area starts here.
    pub fn local_slots(&self) -> u32 {
        self.local_slots
    }

    /// Slots of the params.
    pub fn param_slots(&self) -> u32 {
        self.param_slots
    }

    /// Local `index`'s first slot and its width in slots (2 for a v128), if it exists.
    pub fn local(&self, index: u32) -> Option<(u32, u32)> {
        if index >= self.num_locals {
            return None;
        }
        Some(match &self.starts {
            None => (index, 1),
            Some(starts) => {
                let (start, end) = (starts[index as usize], starts[index as usize + 1]);
                (start, end - start)
            }
        })
    }

    /// The canonical slot of the operand at height `height` (in slots).
    pub fn operand_slot(&self, height: u32) -> u32 {
        self.local_slots + height
    }
}

/// The slots of a sequence of values: per slot, whether it is the high half of a v128. The
/// operand stacks of the interpreter's translator and of tier 1 keep one entry per slot,
/// marked so.
pub fn slot_shape(types: impl IntoIterator<Item = ValType>) -> Vec<bool> {
    let mut out = Vec::new();
    for ty in types {
        out.push(false);
        if ty == ValType::V128 {
            out.push(true);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_locals_are_the_identity() {
        let ty = FuncType::new([ValType::I32, ValType::F64], [ValType::I64]);
        let layout = FrameLayout::new(&ty, &[(3, ValType::I64)], 1 << 20).unwrap();
        assert_eq!(layout.num_locals(), 5);
        assert_eq!(layout.local_slots(), 5);
        assert_eq!(layout.param_slots(), 2);
        assert_eq!(layout.local(4), Some((4, 1)));
        assert_eq!(layout.local(5), None);
        assert_eq!(layout.operand_slot(2), 7);
    }

    #[test]
    fn v128_locals_take_two_slots() {
        let ty = FuncType::new([ValType::V128, ValType::I32], []);
        let locals = [(1, ValType::F32), (2, ValType::V128), (1, ValType::I64)];
        let layout = FrameLayout::new(&ty, &locals, 1 << 20).unwrap();
        assert_eq!(layout.num_locals(), 6);
        assert_eq!(layout.param_slots(), 3);
        assert_eq!(layout.local_slots(), 9);
        let slots: Vec<_> = (0..6).map(|i| layout.local(i).unwrap()).collect();
        assert_eq!(slots, [(0, 2), (2, 1), (3, 1), (4, 2), (6, 2), (8, 1)]);
        assert_eq!(layout.local(6), None);
        assert_eq!(layout.operand_slot(0), 9);
    }

    #[test]
    fn too_many_slots_is_refused() {
        let ty = FuncType::new([ValType::V128], []);
        assert!(FrameLayout::new(&ty, &[(u32::MAX, ValType::V128)], 1 << 30).is_none());
        assert!(FrameLayout::new(&ty, &[], 1).is_none());
    }
}
