//! General-purpose integer instructions.

use super::assembler::{Assembler, Imm, Prefix, RegField, Rm};
use super::operands::{
    Address, Alu, BitCount, Cond, ExtFrom, Gpr, MulDiv, Shift, Size, Unary, Width,
};

/// `r/m` operand for a register at a given size.
const fn reg_rm(reg: Gpr, size: Size) -> Rm {
    Rm::Reg {
        enc: reg.enc(),
        byte: matches!(size, Size::S8),
    }
}

/// `reg` field for a register at a given size.
const fn reg_field(reg: Gpr, size: Size) -> RegField {
    RegField {
        enc: reg.enc(),
        byte: matches!(size, Size::S8),
    }
}

/// Prefixes for a sized GPR operation: 0x66 for 16-bit, REX.W for 64-bit.
const fn size_prefix(size: Size) -> Prefix {
    Prefix {
        opsize16: matches!(size, Size::S16),
        mandatory: None,
        w: matches!(size, Size::S64),
    }
}

/// The opcode for a sized operation: `byte_op` for 8-bit, `byte_op + 1` otherwise.
const fn sized_opcode(size: Size, byte_op: u8) -> u8 {
    match size {
        Size::S8 => byte_op,
        _ => byte_op + 1,
    }
}

impl Assembler {
    // ---- moves ----

    /// `mov dst, src` at any size. A 32-bit move zeroes the upper half of `dst`; 8/16-bit
    /// moves leave the rest of `dst` unchanged.
    pub fn mov_rr(&mut self, size: Size, dst: Gpr, src: Gpr) {
        self.emit_modrm(
            size_prefix(size),
            &[sized_opcode(size, 0x88)],
            reg_field(src, size),
            reg_rm(dst, size),
            Imm::None,
        );
    }

    /// `mov dst, imm` in the shortest form: for 64-bit, `mov r32, imm32` (zero-extending)
    /// when `imm` is in `0..=u32::MAX`, `mov r/m64, simm32` when it fits a sign-extended
    /// 32-bit value, `mov r64, imm64` otherwise. For 32-bit, the low 32 bits of `imm` are
    /// used. Use [`Assembler::zero`] for a flag-clobbering, shorter zero.
    pub fn mov_ri(&mut self, width: Width, dst: Gpr, imm: i64) {
        let reg = RegField::reg(dst.enc());
        match width {
            Width::W32 => {
                self.emit_opcode_reg(Prefix::NONE, &[0xB8], reg, Imm::I32(imm as i32));
            }
            Width::W64 => {
                if u32::try_from(imm).is_ok() {
                    self.emit_opcode_reg(Prefix::NONE, &[0xB8], reg, Imm::I32(imm as i32));
                } else if let Ok(imm32) = i32::try_from(imm) {
                    self.emit_modrm(
                        Prefix::w(true),
                        &[0xC7],
                        RegField::ext(0),
                        reg_rm(dst, Size::S64),
                        Imm::I32(imm32),
                    );
                } else {
                    self.emit_opcode_reg(Prefix::w(true), &[0xB8], reg, Imm::I64(imm));
                }
            }
        }
    }

    /// `xor dst32, dst32`: zeroes the whole register in two or three bytes (clobbers flags).
    pub fn zero(&mut self, dst: Gpr) {
        self.alu_rr(Alu::Xor, Width::W32, dst, dst);
    }

    /// `mov dst, [addr]` at any size (8/16-bit loads leave the rest of `dst` unchanged; use
    /// [`Assembler::movzx_rm`] to zero-extend).
    pub fn mov_rm(&mut self, size: Size, dst: Gpr, addr: impl Into<Address>) {
        self.emit_modrm(
            size_prefix(size),
            &[sized_opcode(size, 0x8A)],
            reg_field(dst, size),
            Rm::from(addr.into()),
            Imm::None,
        );
    }

    /// `mov [addr], src` at any size.
    pub fn mov_mr(&mut self, size: Size, addr: impl Into<Address>, src: Gpr) {
        self.emit_modrm(
            size_prefix(size),
            &[sized_opcode(size, 0x88)],
            reg_field(src, size),
            Rm::from(addr.into()),
            Imm::None,
        );
    }

    /// `mov [addr], imm` at any size; the immediate is truncated to the store size, and for
    /// a 64-bit store it is sign-extended from 32 bits.
    pub fn mov_mi(&mut self, size: Size, addr: impl Into<Address>, imm: i32) {
        let imm = match size {
            Size::S8 => Imm::I8(imm as i8),
            Size::S16 => Imm::I16(imm as i16),
            Size::S32 | Size::S64 => Imm::I32(imm),
        };
        self.emit_modrm(
            size_prefix(size),
            &[sized_opcode(size, 0xC6)],
            RegField::ext(0),
            Rm::from(addr.into()),
            imm,
        );
    }

    /// `movzx dst, src` (8/16-bit source zero-extended to 32 or 64 bits; the 32-bit form
    /// already clears bits 32..64).
    pub fn movzx_rr(&mut self, from: ExtFrom, width: Width, dst: Gpr, src: Gpr) {
        self.extend(0xB6, from, width, dst, reg_rm(src, from.size()));
    }

    /// `movzx dst, [addr]`.
    pub fn movzx_rm(&mut self, from: ExtFrom, width: Width, dst: Gpr, addr: impl Into<Address>) {
        self.extend(0xB6, from, width, dst, Rm::from(addr.into()));
    }

    /// `movsx dst, src` (8/16-bit source sign-extended to 32 or 64 bits).
    pub fn movsx_rr(&mut self, from: ExtFrom, width: Width, dst: Gpr, src: Gpr) {
        self.extend(0xBE, from, width, dst, reg_rm(src, from.size()));
    }

    /// `movsx dst, [addr]`.
    pub fn movsx_rm(&mut self, from: ExtFrom, width: Width, dst: Gpr, addr: impl Into<Address>) {
        self.extend(0xBE, from, width, dst, Rm::from(addr.into()));
    }

    fn extend(&mut self, opcode: u8, from: ExtFrom, width: Width, dst: Gpr, src: Rm) {
        let opcode = match from {
            ExtFrom::S8 => opcode,
            ExtFrom::S16 => opcode + 1,
        };
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0x0F, opcode],
            RegField::reg(dst.enc()),
            src,
            Imm::None,
        );
    }

    /// `movsxd dst64, src32` (sign-extend 32 to 64 bits).
    pub fn movsxd_rr(&mut self, dst: Gpr, src: Gpr) {
        self.emit_modrm(
            Prefix::w(true),
            &[0x63],
            RegField::reg(dst.enc()),
            reg_rm(src, Size::S32),
            Imm::None,
        );
    }

    /// `movsxd dst64, dword [addr]`.
    pub fn movsxd_rm(&mut self, dst: Gpr, addr: impl Into<Address>) {
        self.emit_modrm(
            Prefix::w(true),
            &[0x63],
            RegField::reg(dst.enc()),
            Rm::from(addr.into()),
            Imm::None,
        );
    }

    /// `lea dst, [addr]` (a label gives `lea dst, [rip + label]`).
    pub fn lea(&mut self, width: Width, dst: Gpr, addr: impl Into<Address>) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0x8D],
            RegField::reg(dst.enc()),
            Rm::from(addr.into()),
            Imm::None,
        );
    }

    // ---- ALU ----

    /// `op dst, src` (add, or, adc, sbb, and, sub, xor, cmp).
    pub fn alu_rr(&mut self, op: Alu, width: Width, dst: Gpr, src: Gpr) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[((op as u8) << 3) | 1],
            RegField::reg(src.enc()),
            reg_rm(dst, width.size()),
            Imm::None,
        );
    }

    /// `op dst, imm` (sign-extended to 64 bits for the 64-bit width). Uses the imm8 form
    /// (`83 /n`) when `imm` fits in i8, else the short `rax`/`eax` opcode, else `81 /n`.
    pub fn alu_ri(&mut self, op: Alu, width: Width, dst: Gpr, imm: i32) {
        let prefix = Prefix::w(width.rex_w());
        if let Ok(imm8) = i8::try_from(imm) {
            self.emit_modrm(
                prefix,
                &[0x83],
                RegField::ext(op as u8),
                reg_rm(dst, width.size()),
                Imm::I8(imm8),
            );
        } else if dst == Gpr::Rax {
            self.emit_plain(prefix, &[((op as u8) << 3) | 5], Imm::I32(imm));
        } else {
            self.emit_modrm(
                prefix,
                &[0x81],
                RegField::ext(op as u8),
                reg_rm(dst, width.size()),
                Imm::I32(imm),
            );
        }
    }

    /// `op dst, imm32` always in the 4-byte-immediate form (`81 /n id`), returning the offset
    /// of the immediate so it can be rewritten later with [`Assembler::patch_u32`] (a frame
    /// size known only after the body is compiled, say).
    pub fn alu_ri32(&mut self, op: Alu, width: Width, dst: Gpr, imm: i32) -> usize {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0x81],
            RegField::ext(op as u8),
            reg_rm(dst, width.size()),
            Imm::I32(imm),
        );
        self.offset() - 4
    }

    /// `op dst, [addr]`.
    pub fn alu_rm(&mut self, op: Alu, width: Width, dst: Gpr, addr: impl Into<Address>) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[((op as u8) << 3) | 3],
            RegField::reg(dst.enc()),
            Rm::from(addr.into()),
            Imm::None,
        );
    }

    /// `op [addr], src`.
    pub fn alu_mr(&mut self, op: Alu, width: Width, addr: impl Into<Address>, src: Gpr) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[((op as u8) << 3) | 1],
            RegField::reg(src.enc()),
            Rm::from(addr.into()),
            Imm::None,
        );
    }

    /// `op [addr], imm` (`83 /n ib` when `imm` fits in i8, else `81 /n id`).
    pub fn alu_mi(&mut self, op: Alu, width: Width, addr: impl Into<Address>, imm: i32) {
        let (opcode, imm) = match i8::try_from(imm) {
            Ok(imm8) => (0x83, Imm::I8(imm8)),
            Err(_) => (0x81, Imm::I32(imm)),
        };
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[opcode],
            RegField::ext(op as u8),
            Rm::from(addr.into()),
            imm,
        );
    }

    /// `test a, b`.
    pub fn test_rr(&mut self, width: Width, a: Gpr, b: Gpr) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0x85],
            RegField::reg(b.enc()),
            reg_rm(a, width.size()),
            Imm::None,
        );
    }

    /// `test reg, imm` (`A9` for rax/eax, else `F7 /0`; sign-extended for 64-bit).
    pub fn test_ri(&mut self, width: Width, reg: Gpr, imm: i32) {
        let prefix = Prefix::w(width.rex_w());
        if reg == Gpr::Rax {
            self.emit_plain(prefix, &[0xA9], Imm::I32(imm));
        } else {
            self.emit_modrm(
                prefix,
                &[0xF7],
                RegField::ext(0),
                reg_rm(reg, width.size()),
                Imm::I32(imm),
            );
        }
    }

    /// `test [addr], reg`.
    pub fn test_mr(&mut self, width: Width, addr: impl Into<Address>, reg: Gpr) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0x85],
            RegField::reg(reg.enc()),
            Rm::from(addr.into()),
            Imm::None,
        );
    }

    /// `inc`/`dec`/`neg`/`not reg`.
    pub fn unary_r(&mut self, op: Unary, width: Width, reg: Gpr) {
        self.unary(op, width, reg_rm(reg, width.size()));
    }

    /// `inc`/`dec`/`neg`/`not [addr]`.
    pub fn unary_m(&mut self, op: Unary, width: Width, addr: impl Into<Address>) {
        self.unary(op, width, Rm::from(addr.into()));
    }

    fn unary(&mut self, op: Unary, width: Width, rm: Rm) {
        let (opcode, ext) = match op {
            Unary::Inc => (0xFF, 0),
            Unary::Dec => (0xFF, 1),
            Unary::Not => (0xF7, 2),
            Unary::Neg => (0xF7, 3),
        };
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[opcode],
            RegField::ext(ext),
            rm,
            Imm::None,
        );
    }

    // ---- multiply / divide ----

    /// `imul dst, src` (two-operand, truncating).
    pub fn imul_rr(&mut self, width: Width, dst: Gpr, src: Gpr) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0x0F, 0xAF],
            RegField::reg(dst.enc()),
            reg_rm(src, width.size()),
            Imm::None,
        );
    }

    /// `imul dst, [addr]`.
    pub fn imul_rm(&mut self, width: Width, dst: Gpr, addr: impl Into<Address>) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0x0F, 0xAF],
            RegField::reg(dst.enc()),
            Rm::from(addr.into()),
            Imm::None,
        );
    }

    /// `imul dst, src, imm` (`6B` with imm8 when it fits, else `69` with imm32).
    pub fn imul_rri(&mut self, width: Width, dst: Gpr, src: Gpr, imm: i32) {
        let (opcode, imm) = match i8::try_from(imm) {
            Ok(imm8) => (0x6B, Imm::I8(imm8)),
            Err(_) => (0x69, Imm::I32(imm)),
        };
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[opcode],
            RegField::reg(dst.enc()),
            reg_rm(src, width.size()),
            imm,
        );
    }

    /// `mul`/`imul`/`div`/`idiv src` on `rdx:rax` (one-operand forms).
    pub fn muldiv_r(&mut self, op: MulDiv, width: Width, src: Gpr) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0xF7],
            RegField::ext(op as u8),
            reg_rm(src, width.size()),
            Imm::None,
        );
    }

    /// `mul`/`imul`/`div`/`idiv [addr]`.
    pub fn muldiv_m(&mut self, op: MulDiv, width: Width, addr: impl Into<Address>) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0xF7],
            RegField::ext(op as u8),
            Rm::from(addr.into()),
            Imm::None,
        );
    }

    /// `cdq`: sign-extend eax into edx (set-up of a 32-bit `idiv`).
    pub fn cdq(&mut self) {
        self.emit_plain(Prefix::NONE, &[0x99], Imm::None);
    }

    /// `cqo`: sign-extend rax into rdx (set-up of a 64-bit `idiv`).
    pub fn cqo(&mut self) {
        self.emit_plain(Prefix::w(true), &[0x99], Imm::None);
    }

    // ---- shifts, bit operations ----

    /// `op reg, cl`.
    pub fn shift_cl(&mut self, op: Shift, width: Width, reg: Gpr) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0xD3],
            RegField::ext(op as u8),
            reg_rm(reg, width.size()),
            Imm::None,
        );
    }

    /// `op reg, imm` (`D1` for a count of 1, else `C1 ib`). The CPU masks the count to 5
    /// (32-bit) or 6 (64-bit) bits.
    pub fn shift_ri(&mut self, op: Shift, width: Width, reg: Gpr, imm: u8) {
        let (opcode, imm) = if imm == 1 {
            (0xD1, Imm::None)
        } else {
            (0xC1, Imm::I8(imm as i8))
        };
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[opcode],
            RegField::ext(op as u8),
            reg_rm(reg, width.size()),
            imm,
        );
    }

    /// `lzcnt`/`tzcnt`/`popcnt`/`bsr`/`bsf dst, src`. See [`BitCount`] for the CPU features.
    pub fn bitcount_rr(&mut self, op: BitCount, width: Width, dst: Gpr, src: Gpr) {
        self.bitcount(op, width, dst, reg_rm(src, width.size()));
    }

    /// `lzcnt`/`tzcnt`/`popcnt`/`bsr`/`bsf dst, [addr]`.
    pub fn bitcount_rm(&mut self, op: BitCount, width: Width, dst: Gpr, addr: impl Into<Address>) {
        self.bitcount(op, width, dst, Rm::from(addr.into()));
    }

    fn bitcount(&mut self, op: BitCount, width: Width, dst: Gpr, src: Rm) {
        let (mandatory, opcode) = match op {
            BitCount::Lzcnt => (Some(0xF3), 0xBD),
            BitCount::Tzcnt => (Some(0xF3), 0xBC),
            BitCount::Popcnt => (Some(0xF3), 0xB8),
            BitCount::Bsr => (None, 0xBD),
            BitCount::Bsf => (None, 0xBC),
        };
        let prefix = Prefix {
            opsize16: false,
            mandatory,
            w: width.rex_w(),
        };
        self.emit_modrm(
            prefix,
            &[0x0F, opcode],
            RegField::reg(dst.enc()),
            src,
            Imm::None,
        );
    }

    /// `bswap reg` (byte-reverse).
    pub fn bswap(&mut self, width: Width, reg: Gpr) {
        self.emit_opcode_reg(
            Prefix::w(width.rex_w()),
            &[0x0F, 0xC8],
            RegField::reg(reg.enc()),
            Imm::None,
        );
    }

    // ---- conditions ----

    /// `setcc reg8`: the low byte of `reg` becomes 0 or 1, the rest is unchanged (so zero
    /// the register first, or `movzx` after).
    pub fn setcc(&mut self, cond: Cond, reg: Gpr) {
        self.emit_modrm(
            Prefix::NONE,
            &[0x0F, 0x90 | cond.enc()],
            RegField::ext(0),
            reg_rm(reg, Size::S8),
            Imm::None,
        );
    }

    /// `cmovcc dst, src`. The 32-bit form zeroes the upper half of `dst` even when the
    /// condition is false.
    pub fn cmov_rr(&mut self, cond: Cond, width: Width, dst: Gpr, src: Gpr) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0x0F, 0x40 | cond.enc()],
            RegField::reg(dst.enc()),
            reg_rm(src, width.size()),
            Imm::None,
        );
    }

    /// `cmovcc dst, [addr]` (the load happens, and may fault, whatever the condition).
    pub fn cmov_rm(&mut self, cond: Cond, width: Width, dst: Gpr, addr: impl Into<Address>) {
        self.emit_modrm(
            Prefix::w(width.rex_w()),
            &[0x0F, 0x40 | cond.enc()],
            RegField::reg(dst.enc()),
            Rm::from(addr.into()),
            Imm::None,
        );
    }

    // ---- stack ----

    /// `push reg`.
    pub fn push(&mut self, reg: Gpr) {
        self.emit_opcode_reg(Prefix::NONE, &[0x50], RegField::reg(reg.enc()), Imm::None);
    }

    /// `pop reg`.
    pub fn pop(&mut self, reg: Gpr) {
        self.emit_opcode_reg(Prefix::NONE, &[0x58], RegField::reg(reg.enc()), Imm::None);
    }
}
