//! Integer operators: arithmetic, compares, shifts, bit counts, extensions, select.

use crate::jit::convert::fop;
use crate::jit::exec_context::jit_helper;
use crate::jit::masm::{Alu, BitCount, Cond, DivOp, ExtFrom, Gpr, Operand, Shift, Width};
use crate::module::ops::IntCmp as ICmp;
use crate::runtime::TrapCode;

use super::abi::*;
use super::compiler::*;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

impl ICmp {
    pub(super) fn cond(self) -> Cond {
        match self {
            ICmp::Eq => Cond::E,
            ICmp::Ne => Cond::Ne,
            ICmp::LtS => Cond::L,
            ICmp::LtU => Cond::B,
            ICmp::GtS => Cond::G,
            ICmp::GtU => Cond::A,
            ICmp::LeS => Cond::Le,
            ICmp::LeU => Cond::Be,
            ICmp::GeS => Cond::Ge,
            ICmp::GeU => Cond::Ae,
        }
    }
}

/// `c` as the sign-extended 32-bit immediate of a `width` operation, if it is one.
pub(super) fn small_imm(width: Width, c: u64) -> Option<i32> {
    match width {
        Width::W32 => Some(c as u32 as i32),
        Width::W64 => i32::try_from(c as i64).ok(),
    }
}

/// `x op y` of two constants, in slot encoding.
pub(super) fn fold_alu(op: Alu, width: Width, x: u64, y: u64) -> Option<u64> {
    let v = match op {
        Alu::Add => x.wrapping_add(y),
        Alu::Sub => x.wrapping_sub(y),
        Alu::And => x & y,
        Alu::Or => x | y,
        Alu::Xor => x ^ y,
        _ => return None,
    };
    Some(match width {
        Width::W32 => v as u32 as u64,
        Width::W64 => v,
    })
}

impl Compiler<'_> {
    /// Pushes the condition `cond` of the flags just set as 0/1, in `dst` (`setcc` then
    /// `movzx`, so `dst` may be an input of the flag-setting instruction).
    pub(super) fn push_setcc(&mut self, dst: Gpr, cond: Cond) {
        self.masm.set_cond(cond, dst);
        self.push(Opd::Reg(dst));
    }

    pub(super) fn eqz(&mut self, width: Width) -> Result<()> {
        let v = self.pop()?;
        if self.try_fused_select(width, v, Opd::Const(0), Cond::E) {
            return Ok(());
        }
        // Only branches are left to fuse with (a select that could not fuse stays unfused).
        if matches!(self.next, Some(Fusable::BrIf(_) | Fusable::If(_))) {
            // A fused `if` spills the stack first; `v` is popped, so it stays where it is.
            self.prepare_fusion();
            let r = self.gpr_of(v, width, Gpr::Rcx);
            self.masm.cmp(width, r, Operand::Imm(0));
            return self.fused_branch(Cond::E);
        }
        let r = self.gpr_of(v, width, Gpr::Rcx);
        let dst = self.alloc_gpr(&[v]);
        self.masm.cmp(width, r, Operand::Imm(0));
        self.push_setcc(dst, Cond::E);
        Ok(())
    }

    /// A compare `ca <cond> cb` whose only use is the `select` right after it: `cmov` on the
    /// compare's flags, without materializing the condition. Returns false (nothing
    /// emitted) where that does not apply: float select operands, no free register for the
    /// result, or both the select's second operand and the compare needing `rdx`.
    pub(super) fn try_fused_select(&mut self, width: Width, ca: Opd, cb: Opd, cond: Cond) -> bool {
        // A v128 select moves two entries per operand: not fused.
        if !matches!(self.next, Some(Fusable::Select)) || self.stack.len() < 2 || self.top_is_v128()
        {
            return false;
        }
        let (a, b) = (
            self.stack[self.stack.len() - 2],
            self.stack[self.stack.len() - 1],
        );
        if matches!(a, Opd::Xmm(..)) || matches!(b, Opd::Xmm(..)) {
            return false;
        }
        let compare_needs_rdx = match cb {
            Opd::Const(c) => small_imm(width, c).is_none(),
            Opd::Xmm(..) => true,
            _ => false,
        };
        if compare_needs_rdx && matches!(b, Opd::Const(_)) {
            return false;
        }
        let keep = [a, b, ca, cb];
        let home = self.result_home.take();
        let dst = match (home, a) {
            // Straight into the home of the local the next operator writes (see
            // `result_gpr`), unless an operand or an entry still reads it.
            (Some(h @ Opd::Reg(r)), _) if !keep.contains(&h) && !self.stack.contains(&h) => r,
            (_, Opd::Reg(r)) if self.gpr_pool.contains(&r) => r,
            _ => match self.free_gpr(&keep) {
                Some(r) => r,
                None => return false,
            },
        };
        self.next = None;
        self.fused = true;
        self.truncate_stack(self.stack.len() - 2);
        // Every load happens before the compare (a zeroing `mov` may be an `xor`).
        self.load(dst, a, Width::W64);
        let src = match b {
            Opd::Slot(_) => None,
            _ => Some(self.gpr_of(b, Width::W64, Gpr::Rdx)),
        };
        self.compare(width, ca, cb);
        // select keeps `a` when the condition holds, else takes `b`.
        match (src, b) {
            (Some(src), _) => self.masm.cmov(cond.invert(), Width::W64, dst, src),
            (None, Opd::Slot(s)) => self
                .masm
                .cmov_mem(cond.invert(), Width::W64, dst, slot_mem(s)),
            (None, _) => {}
        }
        self.push(Opd::Reg(dst));
        true
    }

    /// Sets the flags of `a` compared with `b` (the masm makes a compare with zero a `test`).
    pub(super) fn compare(&mut self, width: Width, a: Opd, b: Opd) {
        let r = self.gpr_of(a, width, Gpr::Rcx);
        self.alu_operand(Alu::Cmp, width, r, b);
    }

    pub(super) fn icmp(&mut self, width: Width, cmp: ICmp) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        if self.try_fused_select(width, a, b, cmp.cond()) {
            return Ok(());
        }
        // Only branches are left to fuse with (a select that could not fuse stays unfused).
        if matches!(self.next, Some(Fusable::BrIf(_) | Fusable::If(_))) {
            self.prepare_fusion();
            self.compare(width, a, b);
            return self.fused_branch(cmp.cond());
        }
        let dst = self.alloc_gpr(&[a, b]);
        self.compare(width, a, b);
        self.push_setcc(dst, cmp.cond());
        Ok(())
    }

    /// `op dst, b` with `b` as an immediate, a register, a slot or (for big constants) `rdx`
    /// (`cmp` against zero is a `test`).
    pub(super) fn alu_operand(&mut self, op: Alu, width: Width, dst: Gpr, b: Opd) {
        let src = self.operand(b, width, Gpr::Rdx);
        match op {
            Alu::Cmp => self.masm.cmp(width, dst, src),
            _ => self.masm.alu(op, width, dst, src),
        }
    }

    /// `opd` as the source of an integer operation: an immediate, its register, its slot, or
    /// `scratch` loaded with it (constants beyond a sign-extended 32-bit immediate, floats).
    pub(super) fn operand(&mut self, opd: Opd, width: Width, scratch: Gpr) -> Operand {
        match opd {
            Opd::Const(c) => match small_imm(width, c) {
                Some(imm) => Operand::Imm(imm),
                None => {
                    self.masm.mov_imm(Width::W64, scratch, c as i64);
                    Operand::Reg(scratch)
                }
            },
            Opd::Slot(s) => Operand::Mem(slot_mem(s)),
            Opd::Reg(r) => Operand::Reg(r),
            Opd::Xmm(..) | Opd::V128Low(_) | Opd::V128High(_) => {
                self.load(scratch, opd, width);
                Operand::Reg(scratch)
            }
        }
    }

    pub(super) fn alu(&mut self, width: Width, op: Alu) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        if let (Opd::Const(x), Opd::Const(y)) = (a, b)
            && let Some(folded) = fold_alu(op, width, x, y)
        {
            self.push_const(folded);
            return Ok(());
        }
        let dst = self.result_gpr(a, &[b]);
        // An add of a register and a register or small constant into a third is a `lea`.
        let three_operand = match (a, b) {
            (Opd::Reg(x), Opd::Const(c)) => small_imm(width, c).map(|imm| (x, Operand::Imm(imm))),
            (Opd::Reg(x), Opd::Reg(y)) => Some((x, Operand::Reg(y))),
            _ => None,
        };
        let done = match three_operand {
            Some((x, y)) if op == Alu::Add => self.masm.add3(width, dst, x, y),
            _ => false,
        };
        if !done {
            self.load(dst, a, width);
            self.alu_operand(op, width, dst, b);
        }
        self.push(Opd::Reg(dst));
        Ok(())
    }

    pub(super) fn mul(&mut self, width: Width) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let dst = self.result_gpr(a, &[b]);
        match (a, b) {
            (_, Opd::Const(c)) if small_imm(width, c).is_some() => {
                let src = self.gpr_of(a, width, Gpr::Rcx);
                self.masm
                    .mul_imm(width, dst, src, small_imm(width, c).unwrap_or(0));
            }
            (_, Opd::Slot(s)) => {
                self.load(dst, a, width);
                self.masm.mul(width, dst, slot_mem(s));
            }
            _ => {
                self.load(dst, a, width);
                let src = self.gpr_of(b, width, Gpr::Rcx);
                self.masm.mul(width, dst, src);
            }
        }
        self.push(Opd::Reg(dst));
        Ok(())
    }

    pub(super) fn div(&mut self, width: Width, op: DivOp) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        self.load(Gpr::Rax, a, width);
        self.load(Gpr::Rcx, b, width);
        let div0 = self.trap_label(TrapCode::IntegerDivideByZero);
        let overflow = (op == DivOp::DivS).then(|| self.trap_label(TrapCode::IntegerOverflow));
        self.masm.div_rem(width, op, div0, overflow);
        // The result register gets the 32-bit result zero-extended (the negation of
        // `div_rem` leaves the upper half set).
        let dst = self.alloc_gpr(&[]);
        self.masm.mov(width_size(width), dst, Gpr::Rax);
        self.push(Opd::Reg(dst));
        Ok(())
    }

    pub(super) fn shift(&mut self, width: Width, op: Shift) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let dst = self.result_gpr(a, &[b]);
        match b {
            Opd::Const(c) => {
                self.load(dst, a, width);
                let mask = if width == Width::W32 { 31 } else { 63 };
                self.masm.shift_imm(op, width, dst, (c as u32 & mask) as u8);
            }
            _ => {
                self.load(Gpr::Rcx, b, Width::W32);
                self.load(dst, a, width);
                self.masm.shift_cl(op, width, dst);
            }
        }
        self.push(Opd::Reg(dst));
        Ok(())
    }

    pub(super) fn clz(&mut self, width: Width) -> Result<()> {
        let v = self.pop()?;
        self.load(Gpr::Rcx, v, width);
        if self.cpu.lzcnt {
            self.masm
                .bit_count(BitCount::Lzcnt, width, Gpr::Rax, Gpr::Rcx);
        } else {
            // bsr gives the index of the highest set bit (flags ZF for zero input).
            let bits = if width == Width::W32 { 31 } else { 63 };
            self.masm.mov_imm(Width::W64, Gpr::Rdx, -1);
            self.masm
                .bit_count(BitCount::Bsr, width, Gpr::Rax, Gpr::Rcx);
            self.masm.cmov(Cond::E, Width::W64, Gpr::Rax, Gpr::Rdx);
            self.masm.mov_imm(Width::W64, Gpr::Rcx, bits);
            self.masm.sub(Width::W64, Gpr::Rcx, Gpr::Rax);
            self.masm.mov64(Gpr::Rax, Gpr::Rcx);
        }
        self.push_rax();
        Ok(())
    }

    pub(super) fn ctz(&mut self, width: Width) -> Result<()> {
        let v = self.pop()?;
        self.load(Gpr::Rcx, v, width);
        if self.cpu.bmi1 {
            self.masm
                .bit_count(BitCount::Tzcnt, width, Gpr::Rax, Gpr::Rcx);
        } else {
            let bits = if width == Width::W32 { 32 } else { 64 };
            self.masm.mov_imm(Width::W64, Gpr::Rdx, bits);
            self.masm
                .bit_count(BitCount::Bsf, width, Gpr::Rax, Gpr::Rcx);
            self.masm.cmov(Cond::E, Width::W64, Gpr::Rax, Gpr::Rdx);
        }
        self.push_rax();
        Ok(())
    }

    pub(super) fn popcnt(&mut self, width: Width) -> Result<()> {
        let v = self.pop()?;
        if self.cpu.popcnt {
            self.load(Gpr::Rcx, v, width);
            self.masm
                .bit_count(BitCount::Popcnt, width, Gpr::Rax, Gpr::Rcx);
        } else {
            // The stack was spilled (`calls_out`): rsi and rdi are free.
            self.load(Gpr::Rsi, v, width);
            self.masm.mov_imm(Width::W32, Gpr::Rdi, fop::POPCNT as i64);
            self.call_jit_helper(jit_helper::FLOAT_OP);
        }
        self.push_rax();
        Ok(())
    }

    pub(super) fn sign_extend(&mut self, from: ExtFrom, width: Width) -> Result<()> {
        let v = self.pop()?;
        let dst = self.result_gpr(v, &[]);
        let src = self.gpr_of(v, Width::W64, Gpr::Rcx);
        self.masm.sign_extend(from, width, dst, src);
        self.push(Opd::Reg(dst));
        Ok(())
    }

    /// `select`: `a` if `cond` is non-zero, else `b` (any value kind, moved as 64 bits).
    /// `select` of two v128 values (the condition already popped): both operands go to
    /// their canonical slots, and the second replaces the first when `cond` is zero.
    pub(super) fn select_v128(&mut self, cond: Opd) {
        let len = self.stack.len();
        for i in len.saturating_sub(4)..len {
            self.materialize(i);
        }
        let a = self.canonical(len.saturating_sub(4));
        let c = self.gpr_of(cond, Width::W32, Gpr::Rcx);
        let keep = self.masm.new_label();
        self.masm.test_branch(Width::W32, c, Cond::Ne, keep);
        self.move_to(a, Opd::Slot(a + 2));
        self.move_to(a + 1, Opd::Slot(a + 3));
        self.masm.bind(keep);
        self.truncate_stack(len.saturating_sub(2));
    }

    pub(super) fn select(&mut self, a: Opd, b: Opd, cond: Opd) {
        if let (Opd::Xmm(..), Opd::Xmm(xb, float)) = (a, b) {
            let dst = self.result_xmm(a, &[b, cond]);
            self.load_xmm(dst, a, float);
            let c = self.gpr_of(cond, Width::W32, Gpr::Rcx);
            let keep = self.masm.new_label();
            self.masm.test_branch(Width::W32, c, Cond::Ne, keep);
            self.masm.fmov(dst, xb);
            self.masm.bind(keep);
            self.push(Opd::Xmm(dst, float));
            return;
        }
        let dst = self.result_gpr(a, &[b, cond]);
        self.load(dst, a, Width::W64);
        let c = self.gpr_of(cond, Width::W32, Gpr::Rdx);
        let src = self.gpr_of(b, Width::W64, Gpr::Rcx);
        self.masm.test(Width::W32, c, c);
        self.masm.cmov(Cond::E, Width::W64, dst, src);
        self.push(Opd::Reg(dst));
    }
}
