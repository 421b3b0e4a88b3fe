//! The code buffer, labels and fixups, and the core REX/ModRM/SIB/displacement encoder that
//! every instruction goes through.

use super::operands::{Address, AsmError, Label, Mem, Scale};

/// The register-or-memory (`r/m`) operand of a ModRM-encoded instruction.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Rm {
    /// A register by hardware encoding; `byte` marks an 8-bit register operand, which needs a
    /// REX prefix for encodings 4..=7 to mean spl/bpl/sil/dil rather than ah/ch/dh/bh.
    Reg {
        enc: u8,
        byte: bool,
    },
    Mem(Mem),
    /// `[rip + disp32]` pointing at a label.
    Rip(Label),
}

impl From<Address> for Rm {
    fn from(addr: Address) -> Rm {
        match addr {
            Address::Mem(mem) => Rm::Mem(mem),
            Address::Label(label) => Rm::Rip(label),
        }
    }
}

/// The `reg` field of ModRM: a register (with its byte-register flag) or an opcode extension.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RegField {
    pub enc: u8,
    pub byte: bool,
}

impl RegField {
    pub const fn reg(enc: u8) -> RegField {
        RegField { enc, byte: false }
    }
    /// An opcode extension `/n`.
    pub const fn ext(n: u8) -> RegField {
        RegField {
            enc: n,
            byte: false,
        }
    }
}

/// A trailing immediate.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Imm {
    None,
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
}

/// Legacy prefixes and REX.W of one instruction.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Prefix {
    /// 0x66 operand-size override (16-bit GPR operations).
    pub opsize16: bool,
    /// A mandatory SSE prefix (0x66, 0xF2 or 0xF3), emitted after 0x66 and before REX.
    pub mandatory: Option<u8>,
    /// REX.W: 64-bit operand size.
    pub w: bool,
}

impl Prefix {
    pub const NONE: Prefix = Prefix {
        opsize16: false,
        mandatory: None,
        w: false,
    };
    pub const fn w(w: bool) -> Prefix {
        Prefix {
            opsize16: false,
            mandatory: None,
            w,
        }
    }
    pub const fn mandatory(byte: u8, w: bool) -> Prefix {
        Prefix {
            opsize16: false,
            mandatory: Some(byte),
            w,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum FixupKind {
    /// A rel32 field; the displacement is relative to `end` (the end of the instruction).
    Rel32 { end: usize },
    /// A rel8 field of a short jump; relative to `end`.
    Rel8 { end: usize },
    /// A 32-bit data word holding `target - base`.
    Diff32 { base: Label },
}

#[derive(Clone, Copy, Debug)]
struct Fixup {
    /// Where the field starts.
    at: usize,
    target: Label,
    kind: FixupKind,
}

/// An x86-64 assembler writing into a growable byte buffer.
///
/// Emitters never fail on the spot: an unencodable operand (a scaled `rsp` index, a foreign
/// label) is recorded and the first such error is returned by [`Assembler::finish`].
#[derive(Debug, Default)]
pub struct Assembler {
    pub(crate) buf: Vec<u8>,
    labels: Vec<Option<usize>>,
    fixups: Vec<Fixup>,
    error: Option<AsmError>,
}

impl Assembler {
    /// An empty assembler.
    pub fn new() -> Assembler {
        Assembler::default()
    }

    /// The current code offset (where the next instruction goes).
    pub fn offset(&self) -> usize {
        self.buf.len()
    }

    /// The bytes emitted so far (fixups to unbound labels not yet patched).
    pub fn code(&self) -> &[u8] {
        &self.buf
    }

    /// A new, unbound label.
    pub fn new_label(&mut self) -> Label {
        let id = u32::try_from(self.labels.len()).unwrap_or(u32::MAX);
        self.labels.push(None);
        Label(id)
    }

    /// Binds `label` to the current offset. Binding a label twice records an error.
    pub fn bind(&mut self, label: Label) {
        let offset = self.offset();
        match self.labels.get_mut(label.0 as usize) {
            Some(slot @ None) => *slot = Some(offset),
            Some(Some(_)) => self.record(AsmError::LabelBoundTwice {
                label: label.0,
                offset,
            }),
            None => self.record(AsmError::UnknownLabel {
                label: label.0,
                offset,
            }),
        }
    }

    /// The offset `label` is bound to, if it is bound.
    pub fn label_offset(&self, label: Label) -> Option<usize> {
        self.labels.get(label.0 as usize).copied().flatten()
    }

    /// Removes the code from `start` to the end (the last instruction, a jump the caller
    /// found useless) with the fixups inside it, and moves `labels`, bound at the end, to
    /// `start`. The caller guarantees nothing else refers to the removed bytes: no label
    /// other than `labels` is bound after `start`, and no offset past it was handed out.
    pub fn truncate(&mut self, start: usize, labels: &[Label]) {
        let end = self.offset();
        debug_assert!(start <= end);
        self.buf.truncate(start);
        while self.fixups.last().is_some_and(|f| f.at >= start) {
            self.fixups.pop();
        }
        for label in labels {
            if let Some(slot @ Some(_)) = self.labels.get_mut(label.0 as usize) {
                debug_assert_eq!(*slot, Some(end));
                *slot = Some(start);
            }
        }
    }

    /// Patches every fixup and returns the code. Fails if a used label was never bound or an
    /// operand could not be encoded.
    pub fn finish(mut self) -> Result<Vec<u8>, AsmError> {
        if let Some(err) = self.error.take() {
            return Err(err);
        }
        for fixup in std::mem::take(&mut self.fixups) {
            let target = self
                .label_offset(fixup.target)
                .ok_or(AsmError::UnboundLabel {
                    label: fixup.target.0,
                })?;
            let out_of_range = AsmError::DisplacementOutOfRange { offset: fixup.at };
            let (origin, width) = match fixup.kind {
                FixupKind::Rel32 { end } => (end, 4),
                FixupKind::Rel8 { end } => (end, 1),
                FixupKind::Diff32 { base } => (
                    self.label_offset(base)
                        .ok_or(AsmError::UnboundLabel { label: base.0 })?,
                    4,
                ),
            };
            let value = rel32(target, origin).ok_or(out_of_range.clone())?;
            let field = self
                .buf
                .get_mut(fixup.at..fixup.at + width)
                .ok_or(out_of_range.clone())?;
            if width == 1 {
                let rel8 = i8::try_from(value).map_err(|_| out_of_range)?;
                field.copy_from_slice(&rel8.to_le_bytes());
            } else {
                field.copy_from_slice(&value.to_le_bytes());
            }
        }
        Ok(self.buf)
    }

    /// Keeps the first error; later ones are usually consequences of it.
    pub(crate) fn record(&mut self, err: AsmError) {
        if self.error.is_none() {
            self.error = Some(err);
        }
    }

    /// Checks that `label` belongs to this assembler, recording an error if not.
    pub(crate) fn check_label(&mut self, label: Label) -> bool {
        if (label.0 as usize) < self.labels.len() {
            true
        } else {
            let offset = self.offset();
            self.record(AsmError::UnknownLabel {
                label: label.0,
                offset,
            });
            false
        }
    }

    /// Emits a rel32 field at the current position for an instruction ending at `end`:
    /// the final value if `label` is bound, a placeholder and a fixup otherwise.
    pub(crate) fn emit_rel32(&mut self, label: Label, end: usize) {
        self.emit_rel(label, FixupKind::Rel32 { end }, end);
    }

    /// Emits a rel8 field at the current position for a short jump ending at `end`. A
    /// target out of range is recorded (now if bound, else at `finish`).
    pub(crate) fn emit_rel8(&mut self, label: Label, end: usize) {
        self.emit_rel(label, FixupKind::Rel8 { end }, end);
    }

    /// The rel8/rel32 field of `kind`, relative to `end`: final if `label` is bound, a
    /// placeholder and a fixup otherwise.
    fn emit_rel(&mut self, label: Label, kind: FixupKind, end: usize) {
        let at = self.offset();
        let short = matches!(kind, FixupKind::Rel8 { .. });
        let value = match self.label_offset(label) {
            Some(target) => rel32(target, end)
                .filter(|rel| !short || i8::try_from(*rel).is_ok())
                .unwrap_or_else(|| {
                    self.record(AsmError::DisplacementOutOfRange { offset: at });
                    0
                }),
            None => {
                if self.check_label(label) {
                    self.fixups.push(Fixup {
                        at,
                        target: label,
                        kind,
                    });
                }
                0
            }
        };
        if short {
            self.buf.push(value as i8 as u8);
        } else {
            self.buf.extend_from_slice(&value.to_le_bytes());
        }
    }

    /// Emits a 32-bit data word holding `offset(target) - offset(base)` (for jump tables of
    /// relative entries), patched at [`Assembler::finish`].
    pub fn emit_label_diff32(&mut self, target: Label, base: Label) {
        if self.check_label(target) && self.check_label(base) {
            self.fixups.push(Fixup {
                at: self.offset(),
                target,
                kind: FixupKind::Diff32 { base },
            });
        }
        self.buf.extend_from_slice(&[0; 4]);
    }

    /// Overwrites the 32-bit little-endian word at `at` (an immediate returned by
    /// [`Assembler::alu_ri32`], say). A position outside the code is recorded as an error.
    pub fn patch_u32(&mut self, at: usize, value: u32) {
        match self.buf.get_mut(at..at.saturating_add(4)) {
            Some(field) if field.len() == 4 => field.copy_from_slice(&value.to_le_bytes()),
            _ => self.record(AsmError::PatchOutOfBounds { offset: at }),
        }
    }

    /// Emits raw bytes (constant data, or an instruction this assembler lacks).
    pub fn emit_bytes(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Emits a little-endian 32-bit data word.
    pub fn emit_u32(&mut self, value: u32) {
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    /// Emits a little-endian 64-bit data word.
    pub fn emit_u64(&mut self, value: u64) {
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    fn emit_prefixes(&mut self, prefix: Prefix) {
        if prefix.opsize16 {
            self.buf.push(0x66);
        }
        if let Some(byte) = prefix.mandatory {
            self.buf.push(byte);
        }
    }

    /// Emits REX if any of its bits is set or `force` (a byte register spl/bpl/sil/dil).
    fn emit_rex(&mut self, w: bool, r: u8, x: u8, b: u8, force: bool) {
        let rex = (u8::from(w) << 3) | ((r >> 3) << 2) | ((x >> 3) << 1) | (b >> 3);
        if rex != 0 || force {
            self.buf.push(0x40 | rex);
        }
    }

    /// The core encoder: prefixes, REX, opcode, ModRM (+SIB, +displacement), immediate.
    pub(crate) fn emit_modrm(
        &mut self,
        prefix: Prefix,
        opcode: &[u8],
        reg: RegField,
        rm: Rm,
        imm: Imm,
    ) {
        let start = self.offset();
        let reg_forces_rex = reg.byte && (4..8).contains(&reg.enc);
        match rm {
            Rm::Reg { enc, byte } => {
                let force = reg_forces_rex || (byte && (4..8).contains(&enc));
                self.emit_prefixes(prefix);
                self.emit_rex(prefix.w, reg.enc, 0, enc, force);
                self.buf.extend_from_slice(opcode);
                self.buf.push(0xC0 | ((reg.enc & 7) << 3) | (enc & 7));
                self.emit_imm(imm);
            }
            Rm::Mem(mem) => {
                let Some(mem) = encodable(mem) else {
                    self.record(AsmError::RspIndex { offset: start });
                    return;
                };
                let base = mem.base.enc();
                let index = mem.index.map(|(index, scale)| (index.enc(), scale));
                let index_enc = index.map_or(0, |(enc, _)| enc);
                self.emit_prefixes(prefix);
                self.emit_rex(prefix.w, reg.enc, index_enc, base, reg_forces_rex);
                self.buf.extend_from_slice(opcode);
                // rbp/r13 as a base with mod=00 would mean "no base" (or RIP), so they
                // always carry a displacement, of 0 if need be.
                let disp8 = i8::try_from(mem.disp).ok();
                let (mode, disp) = if mem.disp == 0 && base & 7 != 5 {
                    (0b00, Imm::None)
                } else if let Some(d) = disp8 {
                    (0b01, Imm::I8(d))
                } else {
                    (0b10, Imm::I32(mem.disp))
                };
                let reg_bits = (reg.enc & 7) << 3;
                // rsp/r12 as a base (rm=100) and any index need a SIB byte.
                if index.is_some() || base & 7 == 4 {
                    self.buf.push((mode << 6) | reg_bits | 0b100);
                    let (index_bits, scale) = match index {
                        Some((enc, scale)) => (enc & 7, scale),
                        // index=100 without REX.X means "no index".
                        None => (0b100, Scale::S1),
                    };
                    self.buf
                        .push(((scale as u8) << 6) | (index_bits << 3) | (base & 7));
                } else {
                    self.buf.push((mode << 6) | reg_bits | (base & 7));
                }
                self.emit_imm(disp);
                self.emit_imm(imm);
            }
            Rm::Rip(label) => {
                self.emit_prefixes(prefix);
                self.emit_rex(prefix.w, reg.enc, 0, 0, reg_forces_rex);
                self.buf.extend_from_slice(opcode);
                self.buf.push(((reg.enc & 7) << 3) | 0b101);
                // The displacement is relative to the end of the instruction, after the
                // immediate.
                let end = self.offset() + 4 + imm_len(imm);
                self.emit_rel32(label, end);
                self.emit_imm(imm);
            }
        }
    }

    /// An instruction with the register in the opcode's low three bits (`push`, `bswap`,
    /// `mov r, imm`), REX.B for r8-r15.
    pub(crate) fn emit_opcode_reg(
        &mut self,
        prefix: Prefix,
        opcode: &[u8],
        reg: RegField,
        imm: Imm,
    ) {
        let force = reg.byte && (4..8).contains(&reg.enc);
        self.emit_prefixes(prefix);
        self.emit_rex(prefix.w, 0, 0, reg.enc, force);
        if let Some((last, rest)) = opcode.split_last() {
            self.buf.extend_from_slice(rest);
            self.buf.push(last | (reg.enc & 7));
        }
        self.emit_imm(imm);
    }

    /// An instruction without ModRM (prefixes, REX.W, opcode, immediate).
    pub(crate) fn emit_plain(&mut self, prefix: Prefix, opcode: &[u8], imm: Imm) {
        self.emit_prefixes(prefix);
        self.emit_rex(prefix.w, 0, 0, 0, false);
        self.buf.extend_from_slice(opcode);
        self.emit_imm(imm);
    }

    fn emit_imm(&mut self, imm: Imm) {
        match imm {
            Imm::None => {}
            Imm::I8(v) => self.buf.extend_from_slice(&v.to_le_bytes()),
            Imm::I16(v) => self.buf.extend_from_slice(&v.to_le_bytes()),
            Imm::I32(v) => self.buf.extend_from_slice(&v.to_le_bytes()),
            Imm::I64(v) => self.buf.extend_from_slice(&v.to_le_bytes()),
        }
    }
}

fn imm_len(imm: Imm) -> usize {
    match imm {
        Imm::None => 0,
        Imm::I8(_) => 1,
        Imm::I16(_) => 2,
        Imm::I32(_) => 4,
        Imm::I64(_) => 8,
    }
}

/// `target - origin` as a 32-bit displacement, if it fits.
fn rel32(target: usize, origin: usize) -> Option<i32> {
    let diff = i64::try_from(target).ok()? - i64::try_from(origin).ok()?;
    i32::try_from(diff).ok()
}

/// `mem` in an encodable form: `rsp` cannot be an index, but with scale 1 base and index
/// are interchangeable. `None` for a scaled `rsp` index (or `rsp` as both).
fn encodable(mem: Mem) -> Option<Mem> {
    use super::operands::Gpr;
    match mem.index {
        Some((Gpr::Rsp, Scale::S1)) if mem.base != Gpr::Rsp => Some(Mem {
            base: Gpr::Rsp,
            index: Some((mem.base, Scale::S1)),
            disp: mem.disp,
        }),
        Some((Gpr::Rsp, _)) => None,
        _ => Some(mem),
    }
}
