//! Packed (v128) SSE2 instructions: unaligned 16-byte moves, integer and float lane
//! arithmetic on whole registers.

use super::assembler::Imm;
use super::assembler::{Assembler, Prefix, RegField, Rm};
use super::operands::{Address, Float, PackedInt, SseArith, Xmm};

const fn xmm_rm(reg: Xmm) -> Rm {
    Rm::Reg {
        enc: reg.enc(),
        byte: false,
    }
}

impl Assembler {
    /// `movdqu dst, [addr]` (`F3 0F 6F`): 16 bytes, any alignment.
    pub fn movdqu_rm(&mut self, dst: Xmm, addr: impl Into<Address>) {
        self.packed(0xF3, 0x6F, dst, Rm::from(addr.into()));
    }

    /// `movdqu [addr], src` (`F3 0F 7F`).
    pub fn movdqu_mr(&mut self, addr: impl Into<Address>, src: Xmm) {
        self.packed(0xF3, 0x7F, src, Rm::from(addr.into()));
    }

    /// Packed integer `op dst, src` (`66 0F op`).
    pub fn packed_int_rr(&mut self, op: PackedInt, dst: Xmm, src: Xmm) {
        self.packed(0x66, op as u8, dst, xmm_rm(src));
    }

    /// Packed float `op dst, src` (`addps`/`addpd`, `sqrtps`/`sqrtpd`, ...).
    pub fn packed_float_rr(&mut self, op: SseArith, float: Float, dst: Xmm, src: Xmm) {
        let prefix = match float {
            Float::F32 => Prefix::NONE,
            Float::F64 => Prefix::mandatory(0x66, false),
        };
        self.emit_modrm(
            prefix,
            &[0x0F, op as u8],
            RegField::reg(dst.enc()),
            xmm_rm(src),
            Imm::None,
        );
    }

    fn packed(&mut self, mandatory: u8, opcode: u8, reg: Xmm, rm: Rm) {
        self.emit_modrm(
            Prefix::mandatory(mandatory, false),
            &[0x0F, opcode],
            RegField::reg(reg.enc()),
            rm,
            Imm::None,
        );
    }
}
