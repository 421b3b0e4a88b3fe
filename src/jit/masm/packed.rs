//! Packed (v128) operations on whole SSE registers: 16-byte moves and lane arithmetic.

use super::{Address, Float, Masm, PackedInt, PackedShift, SseArith, Xmm};

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

    /// Loads 8 bytes into the low half, zeroing the high half (`movq`).
    #[inline]
    pub fn v128_load64(&mut self, dst: Xmm, addr: impl Into<Address>) {
        self.asm.movq_rm(dst, addr);
    }

    /// Loads 4 bytes into the low lane, zeroing the rest (`movd`).
    #[inline]
    pub fn v128_load32(&mut self, dst: Xmm, addr: impl Into<Address>) {
        self.asm.movd_rm(dst, addr);
    }

    /// Stores the low 8 bytes (`movq`).
    #[inline]
    pub fn v128_store_low(&mut self, addr: impl Into<Address>, src: Xmm) {
        self.asm.movq_mr(addr, src);
    }

    /// Stores the high 8 bytes (`movhps`).
    #[inline]
    pub fn v128_store_high(&mut self, addr: impl Into<Address>, src: Xmm) {
        self.asm.movhps_mr(addr, src);
    }

    /// Widens the 8 bytes at `addr` into `dst` (`pmovsx*`/`pmovzx*`, SSE4.1).
    #[inline]
    pub fn packed_extend_load(&mut self, op: PackedInt, dst: Xmm, addr: impl Into<Address>) {
        self.asm.packed_extend_load(op, dst, addr);
    }

    /// Shifts every lane of `dst` by `count` bits.
    #[inline]
    pub fn packed_shift_imm(&mut self, op: PackedShift, dst: Xmm, count: u8) {
        self.asm.packed_shift_imm(op, dst, count);
    }

    /// `dst` = the 32-bit lanes of `src` in `order` (`pshufd`).
    #[inline]
    pub fn pshufd(&mut self, dst: Xmm, src: Xmm, order: u8) {
        self.asm.pshufd(dst, src, order);
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
