//! Locals in home registers: which locals get one (the policy is in the module docs), and
//! moving them between their homes and their canonical slots.

use wasmparser::Operator;

use crate::jit::masm::{Float, Gpr, Size, Width, Xmm};
use crate::module::ValType;

use super::abi::*;
use super::compiler::*;

/// The locals a function keeps in registers (see the module docs, "Locals in registers").
pub(super) struct Homes(pub(super) Vec<(u32, Opd)>);

impl Homes {
    pub(super) fn contains_reg(&self, r: Gpr) -> bool {
        self.0.iter().any(|(_, h)| *h == Opd::Reg(r))
    }

    pub(super) fn contains_xmm(&self, x: Xmm) -> bool {
        self.0
            .iter()
            .any(|(_, h)| matches!(h, Opd::Xmm(y, _) if *y == x))
    }
}

/// Picks the locals to keep in registers: each access counts `8^loop depth` (up to depth
/// 4); the heaviest integer locals get [`GPR_HOMES`], the heaviest float locals
/// [`XMM_HOMES`]. A local needs a weight of at least 2 (two accesses, or one inside a loop):
/// each home costs a store and a load around every call.
pub(super) fn choose_homes(
    ops: &[(Operator, usize)],
    local_type: impl Fn(u32) -> Option<ValType>,
) -> Homes {
    let mut weights: Vec<(u32, u64)> = Vec::new();
    let mut blocks: Vec<bool> = Vec::new();
    let mut depth = 0u32;
    for (op, _) in ops {
        let local = match op {
            Operator::Loop { .. } => {
                blocks.push(true);
                depth += 1;
                None
            }
            Operator::Block { .. } | Operator::If { .. } => {
                blocks.push(false);
                None
            }
            Operator::End => {
                if blocks.pop() == Some(true) {
                    depth -= 1;
                }
                None
            }
            Operator::LocalGet { local_index }
            | Operator::LocalSet { local_index }
            | Operator::LocalTee { local_index } => Some(*local_index),
            _ => None,
        };
        if let Some(x) = local {
            let w = 1u64 << (3 * depth.min(4));
            match weights.iter_mut().find(|(l, _)| *l == x) {
                Some(entry) => entry.1 += w,
                None => weights.push((x, w)),
            }
        }
    }
    // Heaviest first; ties by index, so the choice is deterministic.
    weights.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut homes = Vec::new();
    let (mut gprs, mut xmms) = (GPR_HOMES.iter(), XMM_HOMES.iter());
    for (x, w) in weights {
        if w < 2 {
            break;
        }
        let home = match local_type(x) {
            Some(ValType::I32 | ValType::I64) => gprs.next().map(|r| Opd::Reg(*r)),
            Some(ValType::F32) => xmms.next().map(|r| Opd::Xmm(*r, Float::F32)),
            Some(ValType::F64) => xmms.next().map(|r| Opd::Xmm(*r, Float::F64)),
            _ => None,
        };
        if let Some(home) = home {
            homes.push((x, home));
        }
    }
    Homes(homes)
}

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

impl Compiler<'_> {
    /// Local `x`'s first slot and its width in slots (2 for a v128; `FrameLayout`). Homes,
    /// deferred reads and [`Compiler::flush_local`] name locals by their slot.
    pub(super) fn local_slot(&self, x: u32) -> (u32, u32) {
        self.layout.local(x).unwrap_or((x, 1))
    }

    /// The register holding the local at slot `x` for the whole function, if it has one.
    pub(super) fn home(&self, x: u32) -> Option<Opd> {
        self.homes.iter().find(|(l, _)| *l == x).map(|(_, h)| *h)
    }

    pub(super) fn load_home(&mut self, x: u32, home: Opd) {
        match home {
            Opd::Reg(r) => self.masm.load_bits(Size::S64, r, slot_mem(x)),
            Opd::Xmm(r, float) => self.masm.fload(float, r, slot_mem(x)),
            _ => {}
        }
    }

    /// Loads every local kept in a register from its canonical slot (OSR entry, after calls).
    pub(super) fn load_homes(&mut self) {
        for (x, home) in self.homes.clone() {
            self.load_home(x, home);
        }
    }

    /// Writes every local kept in a register to its canonical slot (before calls).
    pub(super) fn store_homes(&mut self) {
        for (x, home) in self.homes.clone() {
            self.move_to(x, home);
        }
    }

    /// `local.set x` of `v` for a local kept in register `home`.
    pub(super) fn set_home(&mut self, home: Opd, v: Opd) {
        match home {
            Opd::Reg(r) => self.load(r, v, Width::W64),
            Opd::Xmm(r, float) => self.load_xmm(r, v, float),
            _ => {}
        }
    }

    /// Before local `x` is written: entries still reading it get their own copy (a pool
    /// register for a local kept in a register, else the entry's canonical slot). `keep`: the
    /// popped value about to be written.
    pub(super) fn flush_local(&mut self, x: u32, keep: Opd) {
        let home = self.home(x);
        for i in 0..self.stack.len() {
            let entry = self.stack[i];
            match home {
                Some(h @ Opd::Reg(r)) if entry == h => {
                    let copy = self.alloc_gpr(&[keep]);
                    self.masm.mov(Size::S64, copy, r);
                    self.stack[i] = Opd::Reg(copy);
                }
                Some(h @ Opd::Xmm(r, float)) if entry == h => {
                    let copy = self.alloc_xmm(&[keep]);
                    self.masm.fmov(copy, r);
                    self.stack[i] = Opd::Xmm(copy, float);
                }
                None if entry == Opd::Slot(x) => self.materialize(i),
                _ => {}
            }
        }
    }

    /// `local.set` of the v128 local at slots `slot, slot + 1` (never a home), after the
    /// entries still reading the old value got their copies: one 16-byte store when the
    /// value is whole (in a register or consecutive slots), else one per half. Returns the
    /// register when the value was in one (it still holds the value).
    pub(super) fn set_v128_local(&mut self, slot: u32) -> Result<Option<Xmm>> {
        let high = self.pop()?;
        let low = self.pop()?;
        self.flush_local(slot, low);
        self.flush_local(slot + 1, high);
        match (low, high) {
            // A vector in consecutive slots (an inline SIMD result): one 16-byte copy, so
            // the next 16-byte load of the local forwards from one store (two 8-byte stores
            // read back by one 16-byte load stall store forwarding).
            (Opd::Slot(a), Opd::Slot(b)) if b == a + 1 => {
                if a != slot {
                    self.masm.v128_load(Xmm::Xmm0, slot_mem(a));
                    self.masm.v128_store(slot_mem(slot), Xmm::Xmm0);
                }
            }
            (Opd::V128Low(x), Opd::V128High(y)) if x == y => {
                self.masm.v128_store(slot_mem(slot), x);
                return Ok(Some(x));
            }
            (Opd::Const(0), Opd::Const(0)) => {
                self.masm.fzero(Xmm::Xmm0);
                self.masm.v128_store(slot_mem(slot), Xmm::Xmm0);
            }
            (Opd::Const(low), Opd::Const(high)) => {
                let constant = self.masm.constant128([low, high]);
                self.masm.v128_load(Xmm::Xmm0, constant);
                self.masm.v128_store(slot_mem(slot), Xmm::Xmm0);
            }
            _ => {
                self.move_to(slot, low);
                self.move_to(slot + 1, high);
            }
        }
        Ok(None)
    }
}
