//! Float operators in SSE registers: arithmetic, sqrt, rounding, compares, conversions.

use crate::jit::exec_context::jit_helper;
use crate::jit::x64::{Alu, Cond, ExtFrom, Float, Gpr, RoundMode, SseArith, SseLogic, Width, Xmm};

use super::abi::*;
use super::compiler::*;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

#[derive(Clone, Copy)]
pub(super) enum FCmp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl Compiler<'_> {
    pub(super) fn fbin(&mut self, float: Float, op: SseArith) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let dst = self.result_xmm(a, &[b]);
        self.load_xmm(dst, a, float);
        match b {
            Opd::Slot(s) => self.asm.sse_rm(op, float, dst, slot_mem(s)),
            _ => {
                let src = self.xmm_of(b, float, Xmm::Xmm1);
                self.asm.sse_rr(op, float, dst, src);
            }
        }
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    /// `abs` (`and` with `mask` = all but the sign bit) and `neg` (`xor` with the sign bit),
    /// in the SSE register, with the mask from the constant pool.
    pub(super) fn fsign(&mut self, float: Float, op: SseLogic, mask: u64) -> Result<()> {
        let v = self.pop()?;
        let dst = self.result_xmm(v, &[]);
        self.load_xmm(dst, v, float);
        let mask = self.pool_constant(mask);
        self.asm.logic_rm(op, float, dst, mask);
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
        let mask = self.pool_constant(magnitude);
        self.asm.logic_rm(SseLogic::And, float, dst, mask);
        // xmm1 = sign of b: `andn` computes !xmm1 & [mask], so load the mask first.
        self.asm.movs_rm(float, Xmm::Xmm1, mask);
        let sign_source = self.xmm_of(b, float, Xmm::Xmm0);
        self.asm
            .logic_rr(SseLogic::Andn, float, Xmm::Xmm1, sign_source);
        self.asm.logic_rr(SseLogic::Or, float, dst, Xmm::Xmm1);
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    pub(super) fn fsqrt(&mut self, float: Float) -> Result<()> {
        let v = self.pop()?;
        // In place (`sqrtsd x, x`): no dependency on another register's upper bits.
        let dst = self.result_xmm(v, &[]);
        self.load_xmm(dst, v, float);
        self.asm.sse_rr(SseArith::Sqrt, float, dst, dst);
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    pub(super) fn float_op2(&mut self, kind: u32) -> Result<()> {
        // The stack was spilled (`calls_out`): the argument registers are free.
        let b = self.pop()?;
        let a = self.pop()?;
        self.load(Gpr::Rsi, a, Width::W64);
        self.load(Gpr::Rdx, b, Width::W64);
        self.asm.mov_ri(Width::W32, Gpr::Rdi, kind as i64);
        self.call_jit_helper(jit_helper::FLOAT_OP);
        self.push_rax();
        Ok(())
    }

    pub(super) fn round(&mut self, float: Float, mode: RoundMode, kind: u32) -> Result<()> {
        let v = self.pop()?;
        if self.cpu.sse41 {
            let dst = self.result_xmm(v, &[]);
            self.load_xmm(dst, v, float);
            self.asm.rounds_rr(float, mode, dst, dst);
            self.push(Opd::Xmm(dst, float));
        } else {
            // The stack was spilled (`calls_out`).
            self.load(Gpr::Rsi, v, Width::W64);
            self.asm.mov_ri(Width::W32, Gpr::Rdi, kind as i64);
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
                self.asm.ucomis_rr(float, xa, xb);
                let (c1, c2, op) = if let FCmp::Eq = cmp {
                    (Cond::E, Cond::Np, Alu::And)
                } else {
                    (Cond::Ne, Cond::P, Alu::Or)
                };
                self.asm.setcc(c1, Gpr::Rax);
                self.asm.setcc(c2, Gpr::Rcx);
                self.asm
                    .movzx_rr(ExtFrom::S8, Width::W32, Gpr::Rax, Gpr::Rax);
                self.asm
                    .movzx_rr(ExtFrom::S8, Width::W32, Gpr::Rcx, Gpr::Rcx);
                self.asm.alu_rr(op, Width::W32, Gpr::Rax, Gpr::Rcx);
            }
            FCmp::Lt | FCmp::Le | FCmp::Gt | FCmp::Ge => {
                // `a < b` is `b > a`: compare so that "above" answers, which is false when
                // unordered (NaN sets CF and ZF).
                let (x, y) = match cmp {
                    FCmp::Lt | FCmp::Le => (xb, xa),
                    _ => (xa, xb),
                };
                self.asm.ucomis_rr(float, x, y);
                let c = match cmp {
                    FCmp::Lt | FCmp::Gt => Cond::A,
                    _ => Cond::Ae,
                };
                self.asm.setcc(c, Gpr::Rax);
                self.asm
                    .movzx_rr(ExtFrom::S8, Width::W32, Gpr::Rax, Gpr::Rax);
            }
        }
        self.push_rax();
        Ok(())
    }

    pub(super) fn convert(&mut self, kind: u32) -> Result<()> {
        // The stack was spilled (`calls_out`).
        let v = self.pop()?;
        self.load(Gpr::Rsi, v, Width::W64);
        self.asm.mov_ri(Width::W32, Gpr::Rdi, kind as i64);
        let h = self.stack.len();
        self.asm
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
        // Cleared first: cvtsi2sd writes only the low lane (no false dependency).
        self.asm.zero_xmm(dst);
        self.asm.cvtsi2s_rr(float, width, dst, src);
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }
}
