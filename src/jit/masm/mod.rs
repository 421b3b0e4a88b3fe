//! The macro-assembler of tier 1: typed machine operations (`add`, `load` with a width and
//! an extension, `cmp`, `cmov`, division sequences, SSE arithmetic, conversions, constant-pool
//! loads, labels and jumps) over the `jit::x64` encoder. It knows no wasm: the baseline
//! compiler (`jit::baseline`) decides what each operator means and says it in these
//! operations; the encoder below only knows how each instruction form is encoded.
//!
//! Why a layer between them: the machine-level choices live in one place instead of being
//! repeated at every operator, and the compiler reads as semantics. They are:
//!
//! - a compare with zero is `test r, r` ([`Masm::cmp`]);
//! - an add of two registers, or of a register and a constant, into a third is `lea`
//!   ([`Masm::add3`]);
//! - a 64-bit move of a register to itself emits nothing ([`Masm::mov64`]);
//! - an instruction that writes only the low lane of an SSE register (`cvtsi2sd`) gets a
//!   cleared destination first, so it does not depend on the register's stale value
//!   ([`Masm::int_to_float`]); `sqrt`, rounding and float conversions are meant to run in
//!   place;
//! - no jump to the next instruction: binding a label right after a jump (`jmp` or
//!   `jcc`) to it removes the jump ([`Masm::bind`]);
//! - float constants other than zero come from a constant pool in the function's code,
//!   loaded RIP-relative, so the code stays position-independent ([`Masm::constant`],
//!   [`Masm::emit_constant_pool`]).
//!
//! The one-instruction operations are `#[inline]`: release builds use several codegen
//! units, and without it `wrun compile` took about 5% longer than with the encoder called
//! directly (measured on a 3 MB module); with it the layer costs nothing measurable.
//!
//! Every form emitted here is an encoder form that the encoder tests (`jit/x64/tests`)
//! decode. The operand types (registers, memory operands, condition codes, operation
//! enums) are the encoder's, re-exported: they describe the machine, not wasm.
//!
//! # Files
//!
//! `mod.rs`: the [`Masm`] itself, labels, jumps and calls, moves between registers, memory
//! and immediates, loads and stores, data and the constant pool. `int.rs`: integer
//! arithmetic, compares, `setcc`/`cmov`, shifts, bit counts, division. `float.rs`: SSE
//! arithmetic, bitwise masks, compares, rounding and conversions. `tests.rs`: the peepholes
//! and load forms, decoded.

mod float;
mod int;
mod packed;
#[cfg(test)]
mod tests;

use std::cell::Cell;

use super::x64::Assembler;
pub use super::x64::{
    Address, Alu, AsmError, BitCount, Cond, ExtFrom, Float, Gpr, Label, Mem, PackedInt,
    PackedShift, RoundMode, Scale, Shift, Size, SseArith, SseLevel, SseLogic, Unary, Width, Xmm,
};
pub use float::XOperand;
pub use int::{DivOp, Operand};

/// How a load narrower than its destination fills the upper bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ext {
    Zero,
    Sign,
}

/// The macro-assembler: one code buffer (several functions may share it), plus the
/// constant pool of the function being emitted.
#[derive(Default)]
pub struct Masm {
    asm: Assembler,
    /// Constants of the current function: `(bits, label)`, emitted by
    /// [`Masm::emit_constant_pool`].
    pool: Vec<([u64; 2], Label)>,
    /// The last instruction, if it is a jump to a label not bound yet: [`Masm::bind`] of
    /// that label right after it removes it.
    last_jump: Option<LastJump>,
    /// Labels bound at the end of `last_jump` since it was emitted (moved with the end
    /// when the jump goes).
    bound_after_jump: Vec<Label>,
    /// Set by [`Masm::offset`]: an offset handed out after the jump (a pc-map entry, a
    /// trap site, an OSR entry, a data range) would point past the code if the jump went,
    /// so it stays.
    offset_read: Cell<bool>,
}

/// A jump just emitted, from `start` to `end`, to `target`.
#[derive(Clone, Copy)]
struct LastJump {
    start: usize,
    end: usize,
    target: Label,
}

impl Masm {
    #[inline]
    pub fn new() -> Masm {
        Masm::default()
    }

    /// The code, with every label fixup patched.
    #[inline]
    pub fn finish(self) -> Result<Vec<u8>, AsmError> {
        self.asm.finish()
    }

    /// The current code offset.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset_read.set(true);
        self.asm.offset()
    }

    // ----- labels, jumps, calls -----

    #[inline]
    pub fn new_label(&mut self) -> Label {
        self.asm.new_label()
    }

    /// Binds `label` here. When the last instruction is a jump to `label` (nothing
    /// emitted after it, no offset read since), the jump is removed first: a jump to the
    /// next instruction does nothing (a conditional one neither, flags are only read).
    /// Labels bound between the jump and here move back with it.
    #[inline]
    pub fn bind(&mut self, label: Label) {
        if let Some(jump) = self.last_jump {
            if jump.end != self.asm.offset() || self.offset_read.get() {
                self.last_jump = None;
            } else if jump.target == label {
                self.asm.truncate(jump.start, &self.bound_after_jump);
                self.last_jump = None;
            } else {
                self.bound_after_jump.push(label);
            }
        }
        self.asm.bind(label);
    }

    /// Records a jump to `target` just emitted from `start`, for [`Masm::bind`].
    #[inline]
    fn jumped(&mut self, start: usize, target: Label) {
        // A bound target is behind: binding it again would be an error anyway.
        self.last_jump = match self.asm.label_offset(target) {
            Some(_) => None,
            None => Some(LastJump {
                start,
                end: self.asm.offset(),
                target,
            }),
        };
        self.bound_after_jump.clear();
        self.offset_read.set(false);
    }

    #[inline]
    pub fn jmp(&mut self, label: Label) {
        let start = self.asm.offset();
        self.asm.jmp(label);
        self.jumped(start, label);
    }

    /// Jumps to `label` when `cond` holds on the flags.
    #[inline]
    pub fn branch(&mut self, cond: Cond, label: Label) {
        let start = self.asm.offset();
        self.asm.jcc(cond, label);
        self.jumped(start, label);
    }

    #[inline]
    pub fn jmp_reg(&mut self, target: Gpr) {
        self.asm.jmp_r(target);
    }

    #[inline]
    pub fn call(&mut self, label: Label) {
        self.asm.call(label);
    }

    #[inline]
    pub fn call_reg(&mut self, target: Gpr) {
        self.asm.call_r(target);
    }

    #[inline]
    pub fn call_mem(&mut self, addr: Mem) {
        self.asm.call_m(addr);
    }

    #[inline]
    pub fn ret(&mut self) {
        self.asm.ret();
    }

    #[inline]
    pub fn push(&mut self, reg: Gpr) {
        self.asm.push(reg);
    }

    #[inline]
    pub fn pop(&mut self, reg: Gpr) {
        self.asm.pop(reg);
    }

    // ----- moves -----

    /// `mov dst, src` of `size` (a 32-bit move zero-extends, even to itself).
    #[inline]
    pub fn mov(&mut self, size: Size, dst: Gpr, src: Gpr) {
        self.asm.mov_rr(size, dst, src);
    }

    /// A full 64-bit register copy; nothing when `dst` is `src`.
    #[inline]
    pub fn mov64(&mut self, dst: Gpr, src: Gpr) {
        if dst != src {
            self.asm.mov_rr(Size::S64, dst, src);
        }
    }

    /// `dst = imm` (a 32-bit write zero-extends; the encoder picks the shortest form).
    #[inline]
    pub fn mov_imm(&mut self, width: Width, dst: Gpr, imm: i64) {
        self.asm.mov_ri(width, dst, imm);
    }

    /// `dst = 0` (`xor r32, r32`: clobbers the flags).
    #[inline]
    pub fn zero(&mut self, dst: Gpr) {
        self.asm.zero(dst);
    }

    /// `dst = &addr` (no flags).
    #[inline]
    pub fn lea(&mut self, width: Width, dst: Gpr, addr: impl Into<Address>) {
        self.asm.lea(width, dst, addr);
    }

    /// Loads `size` bytes into `dst`, extended by `ext` to `width` (32-bit results are
    /// zero-extended to 64 bits, as every 32-bit write).
    #[inline]
    pub fn load(&mut self, dst: Gpr, mem: impl Into<Address>, size: Size, ext: Ext, width: Width) {
        let from = match size {
            Size::S8 => ExtFrom::S8,
            Size::S16 => ExtFrom::S16,
            Size::S32 if ext == Ext::Sign && width == Width::W64 => {
                return self.asm.movsxd_rm(dst, mem);
            }
            _ => return self.asm.mov_rm(size, dst, mem),
        };
        match ext {
            Ext::Zero => self.asm.movzx_rm(from, Width::W32, dst, mem),
            Ext::Sign => self.asm.movsx_rm(from, width, dst, mem),
        }
    }

    /// Loads a whole `size` (32 bits zero-extended, or 64).
    #[inline]
    pub fn load_bits(&mut self, size: Size, dst: Gpr, mem: impl Into<Address>) {
        self.asm.mov_rm(size, dst, mem);
    }

    /// Stores the low `size` bytes of `src`.
    #[inline]
    pub fn store(&mut self, size: Size, mem: impl Into<Address>, src: Gpr) {
        self.asm.mov_mr(size, mem, src);
    }

    /// Stores `imm` (sign-extended to 64 bits for [`Size::S64`]).
    #[inline]
    pub fn store_imm(&mut self, size: Size, mem: impl Into<Address>, imm: i32) {
        self.asm.mov_mi(size, mem, imm);
    }

    /// Sign-extends the low 32 bits of `src` (`movsxd`).
    #[inline]
    pub fn sign_extend32(&mut self, dst: Gpr, src: Gpr) {
        self.asm.movsxd_rr(dst, src);
    }

    /// Sign-extends the low 32 bits at `mem` (`movsxd`).
    #[inline]
    pub fn sign_extend32_mem(&mut self, dst: Gpr, mem: impl Into<Address>) {
        self.asm.movsxd_rm(dst, mem);
    }

    /// Sign-extends the low 8 or 16 bits of `src` to `width`.
    #[inline]
    pub fn sign_extend(&mut self, from: ExtFrom, width: Width, dst: Gpr, src: Gpr) {
        self.asm.movsx_rr(from, width, dst, src);
    }

    // ----- data -----

    #[inline]
    pub fn align(&mut self, alignment: usize) {
        self.asm.align(alignment);
    }

    /// `target - base` as 32 bits (relative jump tables).
    #[inline]
    pub fn emit_label_diff32(&mut self, target: Label, base: Label) {
        self.asm.emit_label_diff32(target, base);
    }

    /// Overwrites the 32-bit immediate at `at` (returned by [`Masm::add_imm32`]).
    #[inline]
    pub fn patch_u32(&mut self, at: usize, value: u32) {
        self.asm.patch_u32(at, value);
    }

    /// The label of constant `bits` in the current function's pool (added on first use).
    #[inline]
    pub fn constant(&mut self, bits: u64) -> Label {
        self.constant128([bits, 0])
    }

    /// The label of the 16-byte constant `[low, high]` (16-byte aligned, so packed
    /// operations may read it as a memory operand).
    pub fn constant128(&mut self, halves: [u64; 2]) -> Label {
        if let Some(&(_, label)) = self.pool.iter().find(|(b, _)| *b == halves) {
            return label;
        }
        let label = self.asm.new_label();
        self.pool.push((halves, label));
        label
    }

    /// Emits the current function's constants (16 aligned bytes each: the low 4 or 8 are
    /// the scalar, the rest zero, so packed bitwise operations may read them as memory
    /// operands) and empties the pool. Returns the data's `(start, end)`, if any.
    pub fn emit_constant_pool(&mut self) -> Option<(u32, u32)> {
        if self.pool.is_empty() {
            return None;
        }
        self.last_jump = None;
        self.asm.align(16);
        let start = self.asm.offset() as u32;
        for ([low, high], label) in std::mem::take(&mut self.pool) {
            self.asm.bind(label);
            self.asm.emit_u64(low);
            self.asm.emit_u64(high);
        }
        Some((start, self.asm.offset() as u32))
    }
}
