//! Scalar SSE2/SSE4.1 instructions.

use super::assembler::{Assembler, Imm, Prefix, RegField, Rm};
use super::operands::{Address, Float, Gpr, RoundMode, SseArith, SseLogic, Width, Xmm};

const fn xmm_rm(reg: Xmm) -> Rm {
    Rm::Reg {
        enc: reg.enc(),
        byte: false,
    }
}

const fn gpr_rm(reg: Gpr) -> Rm {
    Rm::Reg {
        enc: reg.enc(),
        byte: false,
    }
}

/// The scalar prefix: F3 for single (`ss`), F2 for double (`sd`).
const fn scalar(float: Float) -> u8 {
    match float {
        Float::F32 => 0xF3,
        Float::F64 => 0xF2,
    }
}

/// The packed prefix: none for single (`ps`), 66 for double (`pd`).
const fn packed(float: Float) -> Prefix {
    match float {
        Float::F32 => Prefix::NONE,
        Float::F64 => Prefix::mandatory(0x66, false),
    }
}

impl Assembler {
    /// `movss`/`movsd dst, src`: moves the low element, keeps the rest of `dst`. Use
    /// [`Assembler::movaps_rr`] for a full-register copy without a merge dependency.
    pub fn movs_rr(&mut self, float: Float, dst: Xmm, src: Xmm) {
        self.sse(
            Prefix::mandatory(scalar(float), false),
            0x10,
            dst.enc(),
            xmm_rm(src),
        );
    }

    /// `movss`/`movsd dst, [addr]`: loads and zeroes the rest of `dst`.
    pub fn movs_rm(&mut self, float: Float, dst: Xmm, addr: impl Into<Address>) {
        self.sse(
            Prefix::mandatory(scalar(float), false),
            0x10,
            dst.enc(),
            Rm::from(addr.into()),
        );
    }

    /// `movss`/`movsd [addr], src`.
    pub fn movs_mr(&mut self, float: Float, addr: impl Into<Address>, src: Xmm) {
        self.sse(
            Prefix::mandatory(scalar(float), false),
            0x11,
            src.enc(),
            Rm::from(addr.into()),
        );
    }

    /// `movaps dst, src`: copies the whole register.
    pub fn movaps_rr(&mut self, dst: Xmm, src: Xmm) {
        self.sse(Prefix::NONE, 0x28, dst.enc(), xmm_rm(src));
    }

    /// `movd dst, src32` (W32) / `movq dst, src64` (W64): GPR bits into the low element,
    /// zeroing the rest.
    pub fn movd_xr(&mut self, width: Width, dst: Xmm, src: Gpr) {
        self.sse(
            Prefix::mandatory(0x66, width.rex_w()),
            0x6E,
            dst.enc(),
            gpr_rm(src),
        );
    }

    /// `movd dst32, src` (W32) / `movq dst64, src` (W64): the low element's bits into a GPR.
    pub fn movd_rx(&mut self, width: Width, dst: Gpr, src: Xmm) {
        self.sse(
            Prefix::mandatory(0x66, width.rex_w()),
            0x7E,
            src.enc(),
            gpr_rm(dst),
        );
    }

    /// Scalar `op dst, src` (`addss`/`addsd`, `sqrtss`/`sqrtsd`, ...).
    pub fn sse_rr(&mut self, op: SseArith, float: Float, dst: Xmm, src: Xmm) {
        self.sse(
            Prefix::mandatory(scalar(float), false),
            op as u8,
            dst.enc(),
            xmm_rm(src),
        );
    }

    /// Scalar `op dst, [addr]`.
    pub fn sse_rm(&mut self, op: SseArith, float: Float, dst: Xmm, addr: impl Into<Address>) {
        self.sse(
            Prefix::mandatory(scalar(float), false),
            op as u8,
            dst.enc(),
            Rm::from(addr.into()),
        );
    }

    /// Packed bitwise `op dst, src` (`andps`/`andpd`, `andnps`/`andnpd`, `orps`/`orpd`,
    /// `xorps`/`xorpd`).
    pub fn logic_rr(&mut self, op: SseLogic, float: Float, dst: Xmm, src: Xmm) {
        self.sse(packed(float), op as u8, dst.enc(), xmm_rm(src));
    }

    /// Packed bitwise `op dst, [addr]`; `addr` must be 16-byte aligned.
    pub fn logic_rm(&mut self, op: SseLogic, float: Float, dst: Xmm, addr: impl Into<Address>) {
        self.sse(packed(float), op as u8, dst.enc(), Rm::from(addr.into()));
    }

    /// `xorps reg, reg`: zeroes an SSE register.
    pub fn zero_xmm(&mut self, reg: Xmm) {
        self.logic_rr(SseLogic::Xor, Float::F32, reg, reg);
    }

    /// `pxor dst, src` (integer-domain xor of the whole register).
    pub fn pxor_rr(&mut self, dst: Xmm, src: Xmm) {
        self.sse(Prefix::mandatory(0x66, false), 0xEF, dst.enc(), xmm_rm(src));
    }

    /// `ucomiss`/`ucomisd a, b`: sets ZF/PF/CF (unordered = all three) without raising on
    /// quiet NaNs.
    pub fn ucomis_rr(&mut self, float: Float, a: Xmm, b: Xmm) {
        self.sse(packed(float), 0x2E, a.enc(), xmm_rm(b));
    }

    /// `ucomiss`/`ucomisd a, [addr]`.
    pub fn ucomis_rm(&mut self, float: Float, a: Xmm, addr: impl Into<Address>) {
        self.sse(packed(float), 0x2E, a.enc(), Rm::from(addr.into()));
    }

    /// `comiss`/`comisd a, b` (like `ucomis`, but signals on quiet NaNs too).
    pub fn comis_rr(&mut self, float: Float, a: Xmm, b: Xmm) {
        self.sse(packed(float), 0x2F, a.enc(), xmm_rm(b));
    }

    /// `comiss`/`comisd a, [addr]`.
    pub fn comis_rm(&mut self, float: Float, a: Xmm, addr: impl Into<Address>) {
        self.sse(packed(float), 0x2F, a.enc(), Rm::from(addr.into()));
    }

    /// `cvtsi2ss`/`cvtsi2sd dst, src` from a signed 32-bit (W32) or 64-bit (W64) integer.
    /// Only the low element of `dst` is written (a false dependency on its old value).
    pub fn cvtsi2s_rr(&mut self, float: Float, width: Width, dst: Xmm, src: Gpr) {
        self.sse(
            Prefix::mandatory(scalar(float), width.rex_w()),
            0x2A,
            dst.enc(),
            gpr_rm(src),
        );
    }

    /// `cvtsi2ss`/`cvtsi2sd dst, dword/qword [addr]`.
    pub fn cvtsi2s_rm(&mut self, float: Float, width: Width, dst: Xmm, addr: impl Into<Address>) {
        self.sse(
            Prefix::mandatory(scalar(float), width.rex_w()),
            0x2A,
            dst.enc(),
            Rm::from(addr.into()),
        );
    }

    /// `cvttss2si`/`cvttsd2si dst, src`: truncating conversion to a signed 32-bit (W32) or
    /// 64-bit (W64) integer; NaN and out-of-range give the "integer indefinite" value
    /// (`0x8000_0000` / `0x8000_0000_0000_0000`).
    pub fn cvtts2si_rr(&mut self, float: Float, width: Width, dst: Gpr, src: Xmm) {
        self.sse(
            Prefix::mandatory(scalar(float), width.rex_w()),
            0x2C,
            dst.enc(),
            xmm_rm(src),
        );
    }

    /// `cvttss2si`/`cvttsd2si dst, [addr]`.
    pub fn cvtts2si_rm(&mut self, float: Float, width: Width, dst: Gpr, addr: impl Into<Address>) {
        self.sse(
            Prefix::mandatory(scalar(float), width.rex_w()),
            0x2C,
            dst.enc(),
            Rm::from(addr.into()),
        );
    }

    /// `cvtss2sd dst, src` (f32 -> f64).
    pub fn cvtss2sd_rr(&mut self, dst: Xmm, src: Xmm) {
        self.sse(Prefix::mandatory(0xF3, false), 0x5A, dst.enc(), xmm_rm(src));
    }

    /// `cvtss2sd dst, dword [addr]`.
    pub fn cvtss2sd_rm(&mut self, dst: Xmm, addr: impl Into<Address>) {
        self.sse(
            Prefix::mandatory(0xF3, false),
            0x5A,
            dst.enc(),
            Rm::from(addr.into()),
        );
    }

    /// `cvtsd2ss dst, src` (f64 -> f32, rounding per MXCSR).
    pub fn cvtsd2ss_rr(&mut self, dst: Xmm, src: Xmm) {
        self.sse(Prefix::mandatory(0xF2, false), 0x5A, dst.enc(), xmm_rm(src));
    }

    /// `cvtsd2ss dst, qword [addr]`.
    pub fn cvtsd2ss_rm(&mut self, dst: Xmm, addr: impl Into<Address>) {
        self.sse(
            Prefix::mandatory(0xF2, false),
            0x5A,
            dst.enc(),
            Rm::from(addr.into()),
        );
    }

    /// `roundss`/`roundsd dst, src, mode` (SSE4.1).
    pub fn rounds_rr(&mut self, float: Float, mode: RoundMode, dst: Xmm, src: Xmm) {
        self.rounds(float, mode, dst, xmm_rm(src));
    }

    /// `roundss`/`roundsd dst, [addr], mode` (SSE4.1).
    pub fn rounds_rm(&mut self, float: Float, mode: RoundMode, dst: Xmm, addr: impl Into<Address>) {
        self.rounds(float, mode, dst, Rm::from(addr.into()));
    }

    fn rounds(&mut self, float: Float, mode: RoundMode, dst: Xmm, src: Rm) {
        let opcode = match float {
            Float::F32 => 0x0A,
            Float::F64 => 0x0B,
        };
        self.emit_modrm(
            Prefix::mandatory(0x66, false),
            &[0x0F, 0x3A, opcode],
            RegField::reg(dst.enc()),
            src,
            Imm::I8(mode as i8),
        );
    }

    /// A two-byte-opcode (`0F xx`) SSE instruction.
    fn sse(&mut self, prefix: Prefix, opcode: u8, reg: u8, rm: Rm) {
        self.emit_modrm(prefix, &[0x0F, opcode], RegField::reg(reg), rm, Imm::None);
    }
}
