//! Float operators in SSE registers: arithmetic, sqrt, rounding, compares, conversions.

use crate::jit::exec_context::jit_helper;
use crate::jit::masm::{
    Alu, Cond, Float, Gpr, RoundMode, SseArith, SseLogic, Width, XOperand, Xmm,
};

use super::abi::*;
use super::compiler::*;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

pub(super) use crate::module::ops::FloatCmp as FCmp;

impl Compiler<'_> {
    pub(super) fn fbin(&mut self, float: Float, op: SseArith) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let dst = self.result_xmm(a, &[b]);
        self.load_xmm(dst, a, float);
        let src = match b {
            Opd::Slot(s) => XOperand::Mem(slot_mem(s).into()),
            _ => XOperand::Reg(self.xmm_of(b, float, Xmm::Xmm1)),
        };
        self.masm.farith(op, float, dst, src);
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    /// `abs` (`and` with `mask` = all but the sign bit) and `neg` (`xor` with the sign bit),
    /// in the SSE register, with the mask from the constant pool.
    pub(super) fn fsign(&mut self, float: Float, op: SseLogic, mask: u64) -> Result<()> {
        let v = self.pop()?;
        let dst = self.result_xmm(v, &[]);
        self.load_xmm(dst, v, float);
        let mask = self.masm.constant(mask);
        self.masm.flogic(op, float, dst, XOperand::Mem(mask.into()));
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    /// `copysign(a, b)`: `a`'s magnitude (`and` with `magnitude`) or-ed with `b`'s sign
    /// (`andn` of the same mask).
    pub(super) fn fcopysign(&mut self, float: Float, magnitude: u64) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let dst = self.result_xmm(a, &[b]);
        self.load_xmm(dst, a, float);
        let mask = self.masm.constant(magnitude);
        self.masm
            .flogic(SseLogic::And, float, dst, XOperand::Mem(mask.into()));
        // xmm1 = sign of b: `andn` computes !xmm1 & [mask], so load the mask first.
        self.masm.fload(float, Xmm::Xmm1, mask);
        let sign_source = self.xmm_of(b, float, Xmm::Xmm0);
        self.masm
            .flogic(SseLogic::Andn, float, Xmm::Xmm1, XOperand::Reg(sign_source));
        self.masm
            .flogic(SseLogic::Or, float, dst, XOperand::Reg(Xmm::Xmm1));
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    pub(super) fn fsqrt(&mut self, float: Float) -> Result<()> {
        let v = self.pop()?;
        // In place (`sqrtsd x, x`): no dependency on another register's upper bits.
        let dst = self.result_xmm(v, &[]);
        self.load_xmm(dst, v, float);
        self.masm.fsqrt(float, dst);
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    pub(super) fn float_op2(&mut self, kind: u32) -> Result<()> {
        // The stack was spilled (`calls_out`): the argument registers are free.
        let b = self.pop()?;
        let a = self.pop()?;
        self.load(Gpr::Rsi, a, Width::W64);
        self.load(Gpr::Rdx, b, Width::W64);
        self.masm.mov_imm(Width::W32, Gpr::Rdi, kind as i64);
        self.call_jit_helper(jit_helper::FLOAT_OP);
        self.push_rax();
        Ok(())
    }

    pub(super) fn round(&mut self, float: Float, mode: RoundMode, kind: u32) -> Result<()> {
        let v = self.pop()?;
        if self.cpu.sse41 {
            let dst = self.result_xmm(v, &[]);
            self.load_xmm(dst, v, float);
            self.masm.fround(float, mode, dst);
            self.push(Opd::Xmm(dst, float));
        } else {
            // The stack was spilled (`calls_out`).
            self.load(Gpr::Rsi, v, Width::W64);
            self.masm.mov_imm(Width::W32, Gpr::Rdi, kind as i64);
            self.call_jit_helper(jit_helper::FLOAT_OP);
            self.push_rax();
        }
        Ok(())
    }

    pub(super) fn fcmp(&mut self, float: Float, cmp: FCmp) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let xa = self.xmm_of(a, float, Xmm::Xmm0);
        let xb = self.xmm_of(b, float, Xmm::Xmm1);
        match cmp {
            FCmp::Eq | FCmp::Ne => {
                self.masm.fcmp(float, xa, xb);
                let (c1, c2, op) = if let FCmp::Eq = cmp {
                    (Cond::E, Cond::Np, Alu::And)
                } else {
                    (Cond::Ne, Cond::P, Alu::Or)
                };
                self.masm.setcc(c1, Gpr::Rax);
                self.masm.setcc(c2, Gpr::Rcx);
                self.masm.zero_extend8(Gpr::Rax, Gpr::Rax);
                self.masm.zero_extend8(Gpr::Rcx, Gpr::Rcx);
                self.masm.alu(op, Width::W32, Gpr::Rax, Gpr::Rcx);
            }
            FCmp::Lt | FCmp::Le | FCmp::Gt | FCmp::Ge => {
                // `a < b` is `b > a`: compare so that "above" answers, which is false when
                // unordered (NaN sets CF and ZF).
                let (x, y) = match cmp {
                    FCmp::Lt | FCmp::Le => (xb, xa),
                    _ => (xa, xb),
                };
                self.masm.fcmp(float, x, y);
                let c = match cmp {
                    FCmp::Lt | FCmp::Gt => Cond::A,
                    _ => Cond::Ae,
                };
                self.masm.set_cond(c, Gpr::Rax);
            }
        }
        self.push_rax();
        Ok(())
    }

    pub(super) fn convert(&mut self, kind: u32) -> Result<()> {
        // The stack was spilled (`calls_out`).
        let v = self.pop()?;
        self.load(Gpr::Rsi, v, Width::W64);
        self.masm.mov_imm(Width::W32, Gpr::Rdi, kind as i64);
        let h = self.stack.len();
        self.masm
            .lea(Width::W64, Gpr::Rdx, slot_mem(self.canonical(h)));
        self.call_jit_helper(jit_helper::CONVERT);
        self.check_helper_trap();
        self.push_slot_result();
        Ok(())
    }

    /// Signed conversion from the low 32 bits (sign-extended) or the whole 64-bit slot (u32
    /// values are zero-extended in their slot, so the 64-bit form converts them exactly).
    pub(super) fn int_to_float(&mut self, float: Float, width: Width) -> Result<()> {
        let v = self.pop()?;
        let src = self.gpr_of(v, width, Gpr::Rcx);
        let dst = self.alloc_xmm(&[]);
        // The masm clears `dst` first: no false dependency on its stale value.
        self.masm.int_to_float(float, width, dst, src);
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }
}
