//! Jumps, calls, returns, traps and padding.

use super::assembler::{Assembler, Imm, Prefix, RegField, Rm};
use super::operands::{Address, Cond, Gpr, Label};

/// Recommended multi-byte NOPs (Intel SDM, "NOP"), indexed by length - 1.
const NOPS: [&[u8]; 9] = [
    &[0x90],
    &[0x66, 0x90],
    &[0x0F, 0x1F, 0x00],
    &[0x0F, 0x1F, 0x40, 0x00],
    &[0x0F, 0x1F, 0x44, 0x00, 0x00],
    &[0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00],
    &[0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00],
    &[0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
    &[0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];

/// The longest single NOP [`Assembler::nop`] emits.
pub const MAX_NOP_LEN: usize = NOPS.len();

impl Assembler {
    /// `jmp label`: `EB rel8` when the label is bound (a backward jump) and in range,
    /// else `E9 rel32` (forward jumps always take rel32, patched at `finish`).
    pub fn jmp(&mut self, label: Label) {
        if let Some(rel8) = self.short_rel(label, 2) {
            self.buf.extend_from_slice(&[0xEB, rel8 as u8]);
        } else {
            self.buf.push(0xE9);
            let end = self.offset() + 4;
            self.emit_rel32(label, end);
        }
    }

    /// `jcc label`: `7x rel8` when bound and in range, else `0F 8x rel32`.
    pub fn jcc(&mut self, cond: Cond, label: Label) {
        if let Some(rel8) = self.short_rel(label, 2) {
            self.buf.extend_from_slice(&[0x70 | cond.enc(), rel8 as u8]);
        } else {
            self.buf.extend_from_slice(&[0x0F, 0x80 | cond.enc()]);
            let end = self.offset() + 4;
            self.emit_rel32(label, end);
        }
    }

    /// `jmp label` with a rel8 (`EB`) even to a forward label: for jumps the caller knows
    /// are short (over a trap stub, say). A target beyond -128..=127 bytes from the end of
    /// the jump makes [`Assembler::finish`] fail with `DisplacementOutOfRange`.
    pub fn jmp_short(&mut self, label: Label) {
        self.buf.push(0xEB);
        let end = self.offset() + 1;
        self.emit_rel8(label, end);
    }

    /// `jcc label` with a rel8 (`7x`), as [`Assembler::jmp_short`].
    pub fn jcc_short(&mut self, cond: Cond, label: Label) {
        self.buf.push(0x70 | cond.enc());
        let end = self.offset() + 1;
        self.emit_rel8(label, end);
    }

    /// The rel8 displacement of a `len`-byte short jump to `label`, if bound and in range.
    fn short_rel(&self, label: Label, len: usize) -> Option<i8> {
        let target = i64::try_from(self.label_offset(label)?).ok()?;
        let end = i64::try_from(self.offset() + len).ok()?;
        i8::try_from(target - end).ok()
    }

    /// `call label` (`E8 rel32`).
    pub fn call(&mut self, label: Label) {
        self.buf.push(0xE8);
        let end = self.offset() + 4;
        self.emit_rel32(label, end);
    }

    /// `call reg` (indirect).
    pub fn call_r(&mut self, target: Gpr) {
        self.indirect(
            2,
            Rm::Reg {
                enc: target.enc(),
                byte: false,
            },
        );
    }

    /// `call qword [addr]` (indirect through memory).
    pub fn call_m(&mut self, addr: impl Into<Address>) {
        self.indirect(2, Rm::from(addr.into()));
    }

    /// `jmp reg` (indirect).
    pub fn jmp_r(&mut self, target: Gpr) {
        self.indirect(
            4,
            Rm::Reg {
                enc: target.enc(),
                byte: false,
            },
        );
    }

    /// `jmp qword [addr]` (indirect through memory).
    pub fn jmp_m(&mut self, addr: impl Into<Address>) {
        self.indirect(4, Rm::from(addr.into()));
    }

    /// `FF /ext`: 64-bit by default in long mode, so no REX.W.
    fn indirect(&mut self, ext: u8, rm: Rm) {
        self.emit_modrm(Prefix::NONE, &[0xFF], RegField::ext(ext), rm, Imm::None);
    }

    /// `ret`.
    pub fn ret(&mut self) {
        self.buf.push(0xC3);
    }

    /// `ud2`: raises #UD (an invalid-opcode trap).
    pub fn ud2(&mut self) {
        self.buf.extend_from_slice(&[0x0F, 0x0B]);
    }

    /// `int3`: a breakpoint trap.
    pub fn int3(&mut self) {
        self.buf.push(0xCC);
    }

    /// `len` bytes of NOPs, as few instructions as possible (each at most
    /// [`MAX_NOP_LEN`] bytes).
    pub fn nop(&mut self, len: usize) {
        let mut left = len;
        while left > 0 {
            let n = left.min(NOPS.len());
            self.buf.extend_from_slice(NOPS[n - 1]);
            left -= n;
        }
    }

    /// Pads with NOPs up to the next multiple of `alignment` (no-op for 0 or 1).
    pub fn align(&mut self, alignment: usize) {
        if alignment > 1 {
            let rem = self.offset() % alignment;
            if rem != 0 {
                self.nop(alignment - rem);
            }
        }
    }
}
