//! Packed (v128) SSE instructions: unaligned 16-byte moves, 4- and 8-byte moves into and out of
//! whole registers, integer and float lane arithmetic, shuffles and shifts (SSE2, and the
//! SSSE3/SSE4.1 forms of [`PackedInt`], which the compiler emits only when the CPU has them).

use super::assembler::Imm;
use super::assembler::{Assembler, Prefix, RegField, Rm};
use super::operands::{Address, Float, PackedInt, PackedShift, SseArith, Xmm};

const fn xmm_rm(reg: Xmm) -> Rm {
    Rm::Reg {
        enc: reg.enc(),
        byte: false,
    }
}

impl Assembler {
    /// `movdqu dst, [addr]` (`F3 0F 6F`): 16 bytes, any alignment.
    pub fn movdqu_rm(&mut self, dst: Xmm, addr: impl Into<Address>) {
        self.packed(0xF3, &[0x6F], dst, Rm::from(addr.into()), Imm::None);
    }

    /// `movdqu [addr], src` (`F3 0F 7F`).
    pub fn movdqu_mr(&mut self, addr: impl Into<Address>, src: Xmm) {
        self.packed(0xF3, &[0x7F], src, Rm::from(addr.into()), Imm::None);
    }

    /// `movq dst, qword [addr]` (`F3 0F 7E`): 8 bytes into the low half, the high half zeroed.
    pub fn movq_rm(&mut self, dst: Xmm, addr: impl Into<Address>) {
        self.packed(0xF3, &[0x7E], dst, Rm::from(addr.into()), Imm::None);
    }

    /// `movq qword [addr], src` (`66 0F D6`): the low half.
    pub fn movq_mr(&mut self, addr: impl Into<Address>, src: Xmm) {
        self.packed(0x66, &[0xD6], src, Rm::from(addr.into()), Imm::None);
    }

    /// `movd dst, dword [addr]` (`66 0F 6E`): 4 bytes into the low lane, the rest zeroed.
    pub fn movd_rm(&mut self, dst: Xmm, addr: impl Into<Address>) {
        self.packed(0x66, &[0x6E], dst, Rm::from(addr.into()), Imm::None);
    }

    /// `movhps qword [addr], src` (`0F 17`): the high half.
    pub fn movhps_mr(&mut self, addr: impl Into<Address>, src: Xmm) {
        self.emit_modrm(
            Prefix::NONE,
            &[0x0F, 0x17],
            RegField::reg(src.enc()),
            Rm::from(addr.into()),
            Imm::None,
        );
    }

    /// Packed integer `op dst, src` (`66 0F op`, `66 0F 38 op`).
    pub fn packed_int_rr(&mut self, op: PackedInt, dst: Xmm, src: Xmm) {
        self.packed(0x66, op.opcode(), dst, xmm_rm(src), Imm::None);
    }

    /// `pmovsx*`/`pmovzx* dst, qword [addr]`: the extensions read 8 bytes, which need no
    /// alignment (unlike the 16-byte memory operands of the other legacy forms).
    pub fn packed_extend_load(&mut self, op: PackedInt, dst: Xmm, addr: impl Into<Address>) {
        debug_assert!(op.is_extend(), "{op:?} reads 16 aligned bytes");
        self.packed(0x66, op.opcode(), dst, Rm::from(addr.into()), Imm::None);
    }

    /// Packed shift of `dst` by the immediate `count` (`66 0F 71/72/73 /n ib`).
    pub fn packed_shift_imm(&mut self, op: PackedShift, dst: Xmm, count: u8) {
        let (opcode, ext) = op.encoding();
        self.emit_modrm(
            Prefix::mandatory(0x66, false),
            &[0x0F, opcode],
            RegField::ext(ext),
            xmm_rm(dst),
            Imm::I8(count as i8),
        );
    }

    /// `pshufd dst, src, order` (`66 0F 70 /r ib`): lane `i` of `dst` is lane
    /// `order >> 2i & 3` of `src` (32-bit lanes).
    pub fn pshufd(&mut self, dst: Xmm, src: Xmm, order: u8) {
        self.packed(0x66, &[0x70], dst, xmm_rm(src), Imm::I8(order as i8));
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

    /// `mandatory 0F opcode.. /r`.
    fn packed(&mut self, mandatory: u8, opcode: &[u8], reg: Xmm, rm: Rm, imm: Imm) {
        let mut bytes = [0x0F, 0, 0];
        bytes[1..=opcode.len()].copy_from_slice(opcode);
        self.emit_modrm(
            Prefix::mandatory(mandatory, false),
            &bytes[..=opcode.len()],
            RegField::reg(reg.enc()),
            rm,
            imm,
        );
    }
}
