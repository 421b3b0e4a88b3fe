//! The register-resident value stack: pushing and popping entries, handing out pool
//! registers (spilling when the pool runs dry), loading operands, materializing entries in
//! their canonical slots.

use crate::jit::masm::{Float, Gpr, Mem, Size, Width, Xmm};

use super::abi::*;
use super::compiler::*;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

/// `pshufd` order exchanging the two 64-bit halves.
const SWAP_HALVES: u8 = 0x4E;

impl Compiler<'_> {
    pub(super) fn canonical(&self, height: usize) -> u32 {
        self.nl + height as u32
    }

    pub(super) fn push(&mut self, opd: Opd) {
        self.push_entry(opd, false);
    }

    /// Pushes one slot's entry; `high`: it is the high half of a v128.
    pub(super) fn push_entry(&mut self, opd: Opd, high: bool) {
        self.stack.push(opd);
        self.high.push(high);
        debug_assert_eq!(self.stack.len(), self.high.len(), "v128 flags out of step");
        self.max_height = self.max_height.max(self.stack.len() as u32);
    }

    /// Pushes a v128 as its two 64-bit halves.
    pub(super) fn push_v128(&mut self, low: Opd, high: Opd) {
        self.push_entry(low, false);
        self.push_entry(high, true);
    }

    /// Whether the top entry is the high half of a v128.
    pub(super) fn top_is_v128(&self) -> bool {
        self.high.last() == Some(&true)
    }

    /// Drops the entries above `height`.
    pub(super) fn truncate_stack(&mut self, height: usize) {
        self.stack.truncate(height);
        self.high.truncate(height);
    }

    pub(super) fn push_slot_result(&mut self) -> Mem {
        let slot = self.canonical(self.stack.len());
        self.push(Opd::Slot(slot));
        slot_mem(slot)
    }

    /// Pushes the value in `rax` (its 64 bits) in a pool register.
    pub(super) fn push_rax(&mut self) {
        let reg = self.alloc_gpr(&[]);
        self.masm.mov(Size::S64, reg, Gpr::Rax);
        self.push(Opd::Reg(reg));
    }

    pub(super) fn push_const(&mut self, bits: u64) {
        self.push(Opd::Const(bits));
    }

    pub(super) fn pop(&mut self) -> Result<Opd> {
        debug_assert_eq!(self.stack.len(), self.high.len(), "v128 flags out of step");
        self.high.pop();
        self.stack
            .pop()
            .ok_or_else(|| format!("operand stack underflow at {:#x}", self.offset).into())
    }

    /// A pool register that no stack entry and none of `keep` (popped operands the current
    /// operator still reads) holds. When all are taken, the deepest register entry is spilled
    /// to its canonical slot (that store touches no scratch register).
    pub(super) fn alloc_gpr(&mut self, keep: &[Opd]) -> Gpr {
        let taken =
            |c: &Self, r: Gpr| c.stack.contains(&Opd::Reg(r)) || keep.contains(&Opd::Reg(r));
        if let Some(&r) = self.gpr_pool.iter().find(|&&r| !taken(self, r)) {
            return r;
        }
        // Every pool register is on the stack: spill the deepest (keep holds at most two
        // registers, the pool at least three).
        let deepest = self.stack.iter().enumerate().find_map(|(i, o)| match *o {
            Opd::Reg(r) if self.gpr_pool.contains(&r) && !keep.contains(o) => Some((i, r)),
            _ => None,
        });
        match deepest {
            Some((i, r)) => {
                self.materialize(i);
                r
            }
            None => {
                self.pool_exhausted = true;
                Gpr::Rax
            }
        }
    }

    /// A pool register no stack entry and none of `keep` holds, without spilling.
    pub(super) fn free_gpr(&self, keep: &[Opd]) -> Option<Gpr> {
        self.gpr_pool
            .iter()
            .copied()
            .find(|&r| !self.stack.contains(&Opd::Reg(r)) && !keep.contains(&Opd::Reg(r)))
    }

    /// Whether a stack entry holds SSE register `x`.
    pub(super) fn xmm_taken(&self, x: Xmm) -> bool {
        self.stack.iter().any(|o| o.xmm() == Some(x))
    }

    /// An SSE pool register, like [`Compiler::alloc_gpr`].
    pub(super) fn alloc_xmm(&mut self, keep: &[Opd]) -> Xmm {
        let kept = |x: Xmm| keep.iter().any(|k| k.xmm() == Some(x));
        let taken = |c: &Self, x: Xmm| kept(x) || c.xmm_taken(x);
        if let Some(&x) = self.xmm_pool.iter().find(|&&x| !taken(self, x)) {
            return x;
        }
        let deepest = self
            .stack
            .iter()
            .enumerate()
            .find_map(|(i, o)| match o.xmm() {
                Some(x) if self.xmm_pool.contains(&x) && !kept(x) => Some((i, x)),
                _ => None,
            });
        match deepest {
            Some((i, x)) => {
                self.materialize(i);
                x
            }
            None => {
                self.pool_exhausted = true;
                Xmm::Xmm0
            }
        }
    }

    /// The register to compute a result in when `a` is the first operand: `a`'s own pool
    /// register when it has one (it was popped, so the result may take it over), else a
    /// fresh one (never a local's home).
    pub(super) fn result_gpr(&mut self, a: Opd, keep: &[Opd]) -> Gpr {
        // Computing straight into the home of the local the next operator writes saves the
        // move, unless an operand or a stack entry still reads the old value there.
        if let Some(home @ Opd::Reg(r)) = self.result_home.take()
            && !keep.contains(&home)
            && !self.stack.contains(&home)
        {
            return r;
        }
        match a {
            Opd::Reg(r) if self.gpr_pool.contains(&r) => r,
            _ => self.alloc_gpr(keep),
        }
    }

    /// [`Compiler::result_gpr`] for SSE registers.
    pub(super) fn result_xmm(&mut self, a: Opd, keep: &[Opd]) -> Xmm {
        if let Some(home @ Opd::Xmm(x, _)) = self.result_home.take()
            && !keep.iter().any(|k| k.xmm() == Some(x))
            && !self.xmm_taken(x)
        {
            let _ = home;
            return x;
        }
        match a {
            Opd::Xmm(x, _) if self.xmm_pool.contains(&x) => x,
            _ => self.alloc_xmm(keep),
        }
    }

    /// Loads an operand into `reg`: 32-bit loads zero-extend.
    pub(super) fn load(&mut self, reg: Gpr, opd: Opd, width: Width) {
        match opd {
            Opd::Slot(s) => self.masm.load_bits(width_size(width), reg, slot_mem(s)),
            Opd::Const(c) => match width {
                Width::W32 => self.masm.mov_imm(Width::W32, reg, c as u32 as i64),
                Width::W64 => self.masm.mov_imm(Width::W64, reg, c as i64),
            },
            // Register entries are already zero-extended.
            Opd::Reg(r) if r == reg => {}
            Opd::Reg(r) => self.masm.mov(width_size(width), reg, r),
            // The narrower of the two: an f64's bits read as an i32 (a reinterpretation then a
            // wrap) must come out zero-extended like every i32 in a register.
            Opd::Xmm(x, float) => {
                let bits = match (width, float) {
                    (Width::W64, Float::F64) => Width::W64,
                    _ => Width::W32,
                };
                self.masm.xmm_to_gpr(bits, reg, x)
            }
            Opd::V128Low(x) => self.masm.xmm_to_gpr(width, reg, x),
            // The halves swapped for the read and back: no scratch register is needed.
            Opd::V128High(x) => {
                self.masm.pshufd(x, x, SWAP_HALVES);
                self.masm.xmm_to_gpr(width, reg, x);
                self.masm.pshufd(x, x, SWAP_HALVES);
            }
        }
    }

    pub(super) fn load_xmm(&mut self, reg: Xmm, opd: Opd, float: Float) {
        match opd {
            Opd::Slot(s) => self.masm.fload(float, reg, slot_mem(s)),
            Opd::Const(c) => self.masm.fconst(float, reg, c),
            Opd::Reg(r) => self.masm.gpr_to_xmm(float_width(float), reg, r),
            Opd::Xmm(x, _) if x == reg => {}
            Opd::Xmm(x, _) | Opd::V128Low(x) => self.masm.fmov(reg, x),
            Opd::V128High(x) => self.masm.pshufd(reg, x, SWAP_HALVES),
        }
    }

    /// The SSE register holding `opd`: its own, or `scratch` loaded with it.
    pub(super) fn xmm_of(&mut self, opd: Opd, float: Float, scratch: Xmm) -> Xmm {
        match opd {
            Opd::Xmm(x, _) => x,
            _ => {
                self.load_xmm(scratch, opd, float);
                scratch
            }
        }
    }

    /// The GPR holding `opd`: its own, or `scratch` loaded with it.
    pub(super) fn gpr_of(&mut self, opd: Opd, width: Width, scratch: Gpr) -> Gpr {
        match opd {
            Opd::Reg(r) => r,
            _ => {
                self.load(scratch, opd, width);
                scratch
            }
        }
    }

    /// Writes `opd` to frame slot `dst` (clobbers rax only for slot-to-slot and wide
    /// constants).
    pub(super) fn move_to(&mut self, dst: u32, opd: Opd) {
        match opd {
            Opd::Slot(s) if s == dst => {}
            Opd::Slot(s) => {
                self.masm.load_bits(Size::S64, Gpr::Rax, slot_mem(s));
                self.masm.store(Size::S64, slot_mem(dst), Gpr::Rax);
            }
            Opd::Const(c) => {
                if let Ok(imm) = i32::try_from(c as i64) {
                    self.masm.store_imm(Size::S64, slot_mem(dst), imm);
                } else {
                    self.masm.mov_imm(Width::W64, Gpr::Rax, c as i64);
                    self.masm.store(Size::S64, slot_mem(dst), Gpr::Rax);
                }
            }
            Opd::Reg(r) => self.masm.store(Size::S64, slot_mem(dst), r),
            Opd::Xmm(x, Float::F64) => self.masm.fstore(Float::F64, slot_mem(dst), x),
            Opd::Xmm(x, Float::F32) => {
                // The slot holds the f32 zero-extended.
                self.masm.fstore(Float::F32, slot_mem(dst), x);
                self.masm
                    .store_imm(Size::S32, Mem::base_disp(FP, dst as i32 * 8 + 4), 0);
            }
            Opd::V128Low(x) => self.masm.v128_store_low(slot_mem(dst), x),
            Opd::V128High(x) => self.masm.v128_store_high(slot_mem(dst), x),
        }
    }

    /// Puts entry `index` in its canonical slot; a v128 in a register goes there whole (one
    /// 16-byte store, both its entries).
    pub(super) fn materialize(&mut self, index: usize) {
        let low = match self.stack[index] {
            Opd::V128Low(_) => Some(index),
            Opd::V128High(_) => index.checked_sub(1),
            _ => None,
        };
        if let Some(low) = low
            && let (Opd::V128Low(x), Some(&Opd::V128High(y))) =
                (self.stack[low], self.stack.get(low + 1))
            && x == y
        {
            let canonical = self.canonical(low);
            self.masm.v128_store(slot_mem(canonical), x);
            self.stack[low] = Opd::Slot(canonical);
            self.stack[low + 1] = Opd::Slot(canonical + 1);
            return;
        }
        let canonical = self.canonical(index);
        let opd = self.stack[index];
        if opd != Opd::Slot(canonical) {
            self.move_to(canonical, opd);
            self.stack[index] = Opd::Slot(canonical);
        }
    }

    pub(super) fn materialize_all(&mut self) {
        for i in 0..self.stack.len() {
            self.materialize(i);
        }
    }
}
