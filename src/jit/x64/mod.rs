//! Our x86-64 instruction encoder for the baseline JIT. It knows nothing of wasm.
//!
//! # API in brief
//!
//! ```text
//! let mut asm = Assembler::new();
//! let done = asm.new_label();
//! asm.mov_rm(Size::S32, Gpr::Rax, Mem::base_disp(Gpr::Rdi, 16)); // mov eax, [rdi+16]
//! asm.alu_ri(Alu::Cmp, Width::W32, Gpr::Rax, 10);                 // cmp eax, 10
//! asm.jcc(Cond::Ge, done);                                         // jge done
//! asm.alu_rr(Alu::Add, Width::W64, Gpr::Rax, Gpr::R9);            // add rax, r9
//! asm.bind(done);
//! asm.ret();
//! let code: Vec<u8> = asm.finish()?;                                // patches fixups
//! ```
//!
//! - Registers are typed: [`Gpr`] (`rax`..`r15`) and [`Xmm`] (`xmm0`..`xmm15`). Operand size
//!   is an argument: [`Width`] (32/64) for arithmetic, [`Size`] (8/16/32/64) for moves,
//!   loads and stores, [`ExtFrom`] (8/16) for `movzx`/`movsx`, [`Float`] (`ss`/`sd`) for SSE.
//! - Memory operands are [`Address`]es: a [`Mem`] (`[base + index*scale + disp]`) or a
//!   [`Label`] (`[rip + label]`); every `addr` parameter takes `impl Into<Address>`.
//! - Families share one emitter with an operation enum: [`Alu`] (add/or/adc/sbb/and/sub/xor/
//!   cmp), [`Unary`] (inc/dec/neg/not), [`MulDiv`] (mul/imul/div/idiv), [`Shift`]
//!   (rol/ror/shl/shr/sar), [`BitCount`] (lzcnt/tzcnt/popcnt/bsr/bsf), [`SseArith`]
//!   (add/sub/mul/div/sqrt/min/max), [`SseLogic`] (and/andn/or/xor). Suffixes name the
//!   operands: `_rr` register/register, `_ri` register/immediate, `_rm` register/memory
//!   (load), `_mr` memory/register (store), `_mi` memory/immediate, `_r`/`_m` one operand;
//!   `_xr`/`_rx` move between an [`Xmm`] and a [`Gpr`].
//! - Labels: [`Assembler::new_label`], [`Assembler::bind`]; [`Assembler::jmp`],
//!   [`Assembler::jcc`], [`Assembler::call`], RIP-relative operands and
//!   [`Assembler::emit_label_diff32`] (relative jump tables) refer to them.
//! - Data for constant pools: [`Assembler::emit_bytes`], [`Assembler::emit_u32`],
//!   [`Assembler::emit_u64`], [`Assembler::align`].
//! - Errors are values: an unbound label, a label bound twice or from another assembler, or a
//!   scaled `rsp` index is recorded and returned by [`Assembler::finish`]; nothing panics.
//!
//! # Encoding rules
//!
//! - Prefix order: 0x66 (operand size) and the mandatory SSE prefix (66/F2/F3) first, then
//!   REX, then the opcode (`0F`, `0F 3A` escapes included).
//! - REX only when needed: W for 64-bit operand size, R/X/B for r8-r15/xmm8-xmm15 in the
//!   reg, index and base/rm fields, and an empty REX (0x40) for the byte registers
//!   spl/bpl/sil/dil (without REX those encodings mean ah/ch/dh/bh, which we never use).
//! - ModRM/SIB: `rsp`/`r12` as a base need a SIB byte; `rbp`/`r13` as a base with no
//!   displacement get a disp8 of 0 (mod=00 would mean RIP/no base); `rsp` cannot be an
//!   index (with scale 1 base and index are swapped instead, otherwise it is an error).
//!   The displacement is omitted when 0, disp8 when it fits in i8, disp32 otherwise.
//!   RIP-relative operands are `mod=00 rm=101` with a disp32 relative to the end of the
//!   instruction (after any immediate).
//! - Short forms: `83 /n ib` for ALU immediates that fit in i8, the `rax`/`eax` opcodes
//!   (`05 id`, ...) when the immediate needs 32 bits, `6B` for `imul` with imm8, `D1` for
//!   shifts by 1, `mov r32, imm32` for 64-bit immediates in `0..=u32::MAX`, `mov r/m64,
//!   simm32` for other values that fit in i32, and `mov r64, imm64` only beyond that.
//!   [`Assembler::zero`] (`xor r32, r32`, clobbers flags) is the caller's choice.
//! - Branches: `jmp`/`jcc` to a bound label take rel8 when it reaches, else rel32; forward
//!   branches take rel32 and are patched by [`Assembler::finish`], unless the caller asks
//!   for [`Assembler::jmp_short`]/[`Assembler::jcc_short`] (rel8; `finish` fails with
//!   [`AsmError::DisplacementOutOfRange`] if the target ends up too far). `call` is always
//!   rel32. Indirect `call`/`jmp` through a register or memory need no REX.W.
//!
//! # CPU features
//!
//! Everything is baseline x86-64 (SSE2) except:
//!
//! | Emitter                                   | Needs   | Fallback                      |
//! |-------------------------------------------|---------|-------------------------------|
//! | [`BitCount::Lzcnt`]                       | LZCNT (ABM, CPUID 80000001h ECX bit 5) | `bsr`, zero-input special case |
//! | [`BitCount::Tzcnt`]                       | BMI1 (CPUID 7 EBX bit 3) | `bsf`, zero-input special case |
//! | [`BitCount::Popcnt`]                      | POPCNT (CPUID 1 ECX bit 23) | bit-twiddling sequence |
//! | [`Assembler::rounds_rr`], [`Assembler::rounds_rm`] | SSE4.1 (CPUID 1 ECX bit 19) | a libcall |
//!
//! On a CPU without LZCNT/BMI1, `lzcnt`/`tzcnt` silently execute as `bsr`/`bsf` (different
//! results), so the compiler must check the feature before choosing them.
//!
//! Tests (`tests/`) decode every form with iced-x86 over all registers, the special bases,
//! every index register and scale, and the disp8/disp32 edges, and compare with the intended
//! Intel-syntax text and length.

mod assembler;
mod control;
mod gpr;
mod operands;
mod packed;
mod sse;
#[cfg(test)]
mod tests;

pub use assembler::Assembler;
pub use control::MAX_NOP_LEN;
pub use operands::{
    Address, Alu, AsmError, BitCount, Cond, ExtFrom, Float, Gpr, Label, Mem, MulDiv, PackedInt,
    PackedShift, RoundMode, Scale, Shift, Size, SseArith, SseLevel, SseLogic, Unary, Width, Xmm,
};
