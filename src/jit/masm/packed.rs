//! Packed (v128) operations on whole SSE registers: 16-byte moves and lane arithmetic.

use super::{Address, Float, Masm, PackedInt, SseArith, Xmm};

impl Masm {
    /// Loads 16 bytes (`movdqu`: any alignment, frame slots are 8-byte aligned).
    #[inline]
    pub fn v128_load(&mut self, dst: Xmm, addr: impl Into<Address>) {
        self.asm.movdqu_rm(dst, addr);
    }

    /// Stores 16 bytes (`movdqu`).
    #[inline]
    pub fn v128_store(&mut self, addr: impl Into<Address>, src: Xmm) {
        self.asm.movdqu_mr(addr, src);
    }

    /// Packed integer `dst = dst op src`.
    #[inline]
    pub fn packed_int(&mut self, op: PackedInt, dst: Xmm, src: Xmm) {
        self.asm.packed_int_rr(op, dst, src);
    }

    /// Packed float `dst = dst op src` (`sqrt`: `dst = sqrt(src)`).
    #[inline]
    pub fn packed_float(&mut self, op: SseArith, float: Float, dst: Xmm, src: Xmm) {
        self.asm.packed_float_rr(op, float, dst, src);
    }

    /// Sets every bit of `dst` (`pcmpeqd dst, dst`).
    #[inline]
    pub fn v128_ones(&mut self, dst: Xmm) {
        self.asm.packed_int_rr(PackedInt::Pcmpeqd, dst, dst);
    }
}
