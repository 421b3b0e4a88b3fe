//! Integer operations: ALU operations with an immediate, register or memory source, the
//! three-operand add, compares (`test` against zero), `setcc`/`cmov`, multiplication, the
//! division sequences, shifts and bit counts.

use super::{Address, Alu, BitCount, Cond, ExtFrom, Gpr, Label, Masm, Mem, Scale, Shift, Size};
use super::{Unary, Width};
use crate::jit::x64::MulDiv;

/// The source operand of a two-operand integer operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// Sign-extended to the operation's width.
    Imm(i32),
    Reg(Gpr),
    Mem(Mem),
}

impl From<Gpr> for Operand {
    fn from(reg: Gpr) -> Operand {
        Operand::Reg(reg)
    }
}

impl From<Mem> for Operand {
    fn from(mem: Mem) -> Operand {
        Operand::Mem(mem)
    }
}

/// A division or remainder, signed or unsigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DivOp {
    DivS,
    DivU,
    RemS,
    RemU,
}

impl Masm {
    /// `dst = dst op src` (`cmp` sets the flags only).
    #[inline]
    pub fn alu(&mut self, op: Alu, width: Width, dst: Gpr, src: impl Into<Operand>) {
        match src.into() {
            Operand::Imm(imm) => self.asm.alu_ri(op, width, dst, imm),
            Operand::Reg(r) => self.asm.alu_rr(op, width, dst, r),
            Operand::Mem(m) => self.asm.alu_rm(op, width, dst, m),
        }
    }

    #[inline]
    pub fn add(&mut self, width: Width, dst: Gpr, src: impl Into<Operand>) {
        self.alu(Alu::Add, width, dst, src);
    }

    #[inline]
    pub fn sub(&mut self, width: Width, dst: Gpr, src: impl Into<Operand>) {
        self.alu(Alu::Sub, width, dst, src);
    }

    /// `op [mem], imm` (read-modify-write of memory).
    #[inline]
    pub fn alu_mem_imm(&mut self, op: Alu, width: Width, mem: Mem, imm: i32) {
        self.asm.alu_mi(op, width, mem, imm);
    }

    /// `add dst, imm32` with a 32-bit immediate whatever its value; returns the immediate's
    /// position for [`Masm::patch_u32`].
    #[inline]
    pub fn add_imm32(&mut self, width: Width, dst: Gpr, imm: i32) -> usize {
        self.asm.alu_ri32(Alu::Add, width, dst, imm)
    }

    /// `dst = a + b` without touching `a` or `b`: `lea` (no flags) when `dst` is neither
    /// (a register plus a register or a constant); returns false (nothing emitted) otherwise.
    #[inline]
    pub fn add3(&mut self, width: Width, dst: Gpr, a: Gpr, b: Operand) -> bool {
        match b {
            Operand::Imm(disp) if a != dst => {
                self.asm.lea(width, dst, Mem::base_disp(a, disp));
                true
            }
            Operand::Reg(b) if a != dst && b != dst => {
                self.asm.lea(width, dst, Mem::indexed(a, b, Scale::S1, 0));
                true
            }
            _ => false,
        }
    }

    /// Compares `a` with `b` (flags as `cmp a, b`); against zero it is `test a, a`.
    #[inline]
    pub fn cmp(&mut self, width: Width, a: Gpr, b: impl Into<Operand>) {
        match b.into() {
            Operand::Imm(0) => self.asm.test_rr(width, a, a),
            b => self.alu(Alu::Cmp, width, a, b),
        }
    }

    /// `cmp a, b` as written, even against an immediate zero.
    #[inline]
    pub fn cmp_exact(&mut self, width: Width, a: Gpr, b: impl Into<Operand>) {
        self.alu(Alu::Cmp, width, a, b);
    }

    /// `test a, b`: flags of `a & b`.
    #[inline]
    pub fn test(&mut self, width: Width, a: Gpr, b: Gpr) {
        self.asm.test_rr(width, a, b);
    }

    /// Compares `a` with zero and jumps to `label` when `cond` holds (`test` + `jcc`).
    #[inline]
    pub fn test_branch(&mut self, width: Width, a: Gpr, cond: Cond, label: Label) {
        self.asm.test_rr(width, a, a);
        self.branch(cond, label);
    }

    /// `dst = cond ? 1 : 0` from the flags just set (`setcc` then `movzx`: `dst` may be an
    /// input of the flag-setting instruction).
    #[inline]
    pub fn set_cond(&mut self, cond: Cond, dst: Gpr) {
        self.asm.setcc(cond, dst);
        self.asm.movzx_rr(ExtFrom::S8, Width::W32, dst, dst);
    }

    /// `setcc` of the low byte only (the rest of `dst` unchanged).
    #[inline]
    pub fn setcc(&mut self, cond: Cond, dst: Gpr) {
        self.asm.setcc(cond, dst);
    }

    /// Zero-extends the low byte of `src` (32-bit result).
    #[inline]
    pub fn zero_extend8(&mut self, dst: Gpr, src: Gpr) {
        self.asm.movzx_rr(ExtFrom::S8, Width::W32, dst, src);
    }

    /// `dst = src` when `cond` holds on the flags (`cmov`).
    #[inline]
    pub fn cmov(&mut self, cond: Cond, width: Width, dst: Gpr, src: Gpr) {
        self.asm.cmov_rr(cond, width, dst, src);
    }

    /// `dst = [mem]` when `cond` holds on the flags (`cmov`; there is no immediate form).
    #[inline]
    pub fn cmov_mem(&mut self, cond: Cond, width: Width, dst: Gpr, mem: Mem) {
        self.asm.cmov_rm(cond, width, dst, mem);
    }

    #[inline]
    pub fn neg(&mut self, width: Width, reg: Gpr) {
        self.asm.unary_r(Unary::Neg, width, reg);
    }

    #[inline]
    pub fn dec(&mut self, width: Width, reg: Gpr) {
        self.asm.unary_r(Unary::Dec, width, reg);
    }

    /// `dst = dst * src`.
    #[inline]
    pub fn mul(&mut self, width: Width, dst: Gpr, src: impl Into<Operand>) {
        match src.into() {
            Operand::Reg(r) => self.asm.imul_rr(width, dst, r),
            Operand::Mem(m) => self.asm.imul_rm(width, dst, m),
            Operand::Imm(imm) => self.asm.imul_rri(width, dst, dst, imm),
        }
    }

    /// `dst = src * imm` (three operands).
    #[inline]
    pub fn mul_imm(&mut self, width: Width, dst: Gpr, src: Gpr, imm: i32) {
        self.asm.imul_rri(width, dst, src, imm);
    }

    /// `rax = rax op rcx` for a division or remainder; clobbers `rdx`. A zero divisor jumps
    /// to `div0`; a signed division of the minimum by -1 jumps to `overflow` (required for
    /// [`DivOp::DivS`]). The remainder of anything by -1 is 0, and any other division by -1
    /// a negation (`idiv` would fault on the minimum). A 32-bit result's upper half in `rax`
    /// is undefined (the negation leaves it set): callers move it with a 32-bit move.
    pub fn div_rem(&mut self, width: Width, op: DivOp, div0: Label, overflow: Option<Label>) {
        let (rax, rcx, rdx) = (Gpr::Rax, Gpr::Rcx, Gpr::Rdx);
        self.asm.test_rr(width, rcx, rcx);
        self.asm.jcc(Cond::E, div0);
        let done = self.asm.new_label();
        match op {
            DivOp::DivS | DivOp::RemS => {
                let normal = self.asm.new_label();
                self.asm.alu_ri(Alu::Cmp, width, rcx, -1);
                self.asm.jcc(Cond::Ne, normal);
                match (op, overflow) {
                    (DivOp::DivS, Some(overflow)) => {
                        // MIN / -1 overflows; anything else / -1 is the negation.
                        match width {
                            Width::W32 => self.asm.alu_ri(Alu::Cmp, width, rax, i32::MIN),
                            Width::W64 => {
                                self.asm.mov_ri(Width::W64, rdx, i64::MIN);
                                self.asm.alu_rr(Alu::Cmp, width, rax, rdx);
                            }
                        }
                        self.asm.jcc(Cond::E, overflow);
                        self.asm.unary_r(Unary::Neg, width, rax);
                    }
                    _ => self.asm.zero(rax),
                }
                self.asm.jmp(done);
                self.asm.bind(normal);
                match width {
                    Width::W32 => self.asm.cdq(),
                    Width::W64 => self.asm.cqo(),
                }
                self.asm.muldiv_r(MulDiv::Idiv, width, rcx);
            }
            DivOp::DivU | DivOp::RemU => {
                self.asm.zero(rdx);
                self.asm.muldiv_r(MulDiv::Div, width, rcx);
            }
        }
        if let DivOp::RemS | DivOp::RemU = op {
            let size = match width {
                Width::W32 => Size::S32,
                Width::W64 => Size::S64,
            };
            self.asm.mov_rr(size, rax, rdx);
        }
        self.asm.bind(done);
    }

    /// `dst op= count` (the count taken modulo the width by the caller; nothing for 0).
    #[inline]
    pub fn shift_imm(&mut self, op: Shift, width: Width, dst: Gpr, count: u8) {
        if count != 0 {
            self.asm.shift_ri(op, width, dst, count);
        }
    }

    /// `dst op= cl`.
    #[inline]
    pub fn shift_cl(&mut self, op: Shift, width: Width, dst: Gpr) {
        self.asm.shift_cl(op, width, dst);
    }

    /// `lzcnt`/`tzcnt`/`popcnt`/`bsr`/`bsf` (the caller checks the CPU features).
    #[inline]
    pub fn bit_count(&mut self, op: BitCount, width: Width, dst: Gpr, src: Gpr) {
        self.asm.bitcount_rr(op, width, dst, src);
    }

    /// `jmp [table + index * 4] + table` through a table of 32-bit offsets relative to
    /// `table` (emitted by the caller with [`Masm::emit_label_diff32`]); uses `rax` and
    /// `rdx`.
    pub fn jump_table(&mut self, index: Gpr, table: Label) {
        self.asm.lea(Width::W64, Gpr::Rdx, Address::Label(table));
        self.asm
            .movsxd_rm(Gpr::Rax, Mem::indexed(Gpr::Rdx, index, Scale::S4, 0));
        self.asm.alu_rr(Alu::Add, Width::W64, Gpr::Rax, Gpr::Rdx);
        self.asm.jmp_r(Gpr::Rax);
    }
}
