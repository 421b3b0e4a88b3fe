//! SSE scalar operations: moves between SSE registers, GPRs and memory, arithmetic,
//! bitwise masks, compares, rounding and conversions.

use super::{Address, Float, Gpr, Masm, RoundMode, SseArith, SseLogic, Width, Xmm};

/// The source operand of an SSE operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XOperand {
    Reg(Xmm),
    Mem(Address),
}

impl Masm {
    /// Loads a scalar (`movss`/`movsd`: the rest of `dst` cleared).
    #[inline]
    pub fn fload(&mut self, float: Float, dst: Xmm, addr: impl Into<Address>) {
        self.asm.movs_rm(float, dst, addr);
    }

    /// Stores the low scalar of `src`.
    #[inline]
    pub fn fstore(&mut self, float: Float, addr: impl Into<Address>, src: Xmm) {
        self.asm.movs_mr(float, addr, src);
    }

    /// Loads the float constant `bits`: zero is `xorps`, any other value comes from the
    /// constant pool.
    #[inline]
    pub fn fconst(&mut self, float: Float, dst: Xmm, bits: u64) {
        if bits == 0 {
            self.asm.zero_xmm(dst);
        } else {
            let constant = self.constant(bits);
            self.asm.movs_rm(float, dst, constant);
        }
    }

    /// Copies a whole SSE register (`movaps`; nothing when `dst` is `src`).
    #[inline]
    pub fn fmov(&mut self, dst: Xmm, src: Xmm) {
        if dst != src {
            self.asm.movaps_rr(dst, src);
        }
    }

    /// Clears `dst` (`xorps`).
    #[inline]
    pub fn fzero(&mut self, dst: Xmm) {
        self.asm.zero_xmm(dst);
    }

    /// Moves the low 32 or 64 bits of a GPR to an SSE register (`movd`/`movq`).
    #[inline]
    pub fn gpr_to_xmm(&mut self, width: Width, dst: Xmm, src: Gpr) {
        self.asm.movd_xr(width, dst, src);
    }

    /// Moves the low 32 or 64 bits of an SSE register to a GPR (32 zero-extended).
    #[inline]
    pub fn xmm_to_gpr(&mut self, width: Width, dst: Gpr, src: Xmm) {
        self.asm.movd_rx(width, dst, src);
    }

    /// `dst = dst op src` (`add`/`sub`/`mul`/`div`/`min`/`max`/`sqrt` scalar).
    #[inline]
    pub fn farith(&mut self, op: SseArith, float: Float, dst: Xmm, src: XOperand) {
        match src {
            XOperand::Reg(x) => self.asm.sse_rr(op, float, dst, x),
            XOperand::Mem(m) => self.asm.sse_rm(op, float, dst, m),
        }
    }

    /// `dst = sqrt(dst)` in place (no dependency on another register's upper bits).
    #[inline]
    pub fn fsqrt(&mut self, float: Float, dst: Xmm) {
        self.asm.sse_rr(SseArith::Sqrt, float, dst, dst);
    }

    /// Bitwise `and`/`andn`/`or`/`xor` of the packed registers (sign masks).
    #[inline]
    pub fn flogic(&mut self, op: SseLogic, float: Float, dst: Xmm, src: XOperand) {
        match src {
            XOperand::Reg(x) => self.asm.logic_rr(op, float, dst, x),
            XOperand::Mem(m) => self.asm.logic_rm(op, float, dst, m),
        }
    }

    /// Unordered compare (`ucomiss`/`ucomisd`): ZF, PF, CF as for unsigned integers, PF
    /// set when unordered.
    #[inline]
    pub fn fcmp(&mut self, float: Float, a: Xmm, b: Xmm) {
        self.asm.ucomis_rr(float, a, b);
    }

    /// Rounds `dst` in place (SSE4.1 `roundss`/`roundsd`; the caller checks the feature).
    #[inline]
    pub fn fround(&mut self, float: Float, mode: RoundMode, dst: Xmm) {
        self.asm.rounds_rr(float, mode, dst, dst);
    }

    /// `dst = (float) src` of a signed `width` integer; `dst` is cleared first
    /// (`cvtsi2sd` writes only the low lane: no dependency on its stale value).
    #[inline]
    pub fn int_to_float(&mut self, float: Float, width: Width, dst: Xmm, src: Gpr) {
        self.asm.zero_xmm(dst);
        self.asm.cvtsi2s_rr(float, width, dst, src);
    }

    /// f64 to f32 in place.
    #[inline]
    pub fn demote(&mut self, dst: Xmm) {
        self.asm.cvtsd2ss_rr(dst, dst);
    }

    /// f32 to f64 in place.
    #[inline]
    pub fn promote(&mut self, dst: Xmm) {
        self.asm.cvtss2sd_rr(dst, dst);
    }
}
