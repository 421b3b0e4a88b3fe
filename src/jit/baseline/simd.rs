//! SIMD (wasm 2.0 `v128`): a v128 is two value-stack entries, its low then its high 64 bits,
//! at their own slot heights, so the frame follows `module::FrameLayout` and every move,
//! merge, call and OSR meeting point treats a v128 as two slots. The two entries are ordinary
//! ones (constant, register or slot each) or the pair `V128Low(x)`, `V128High(x)`: the whole
//! value in pool SSE register `x`, where inline operators compute and leave their results.
//! Operators without an inline form (on this CPU) run in the fallback helper
//! `jit::simd::simd_op` on the operands' canonical slots, which runs `runtime::simd`, the one
//! lane-semantics implementation (ARCHITECTURE.md "Tier 1", SIMD).

use wasmparser::MemArg;

use crate::jit::compile::CpuFeatures;
use crate::jit::exec_context::jit_helper;
use crate::jit::masm::{
    Alu, Ext, Float, Gpr, Mem, Operand, PackedInt, PackedShift, Size, SseArith, Width, Xmm,
};
use crate::module::ValType;
use crate::runtime::simd::{
    BinaryOp, ExtractOp, LaneMemOp, LoadOp, ReplaceOp, ShiftOp, SimdOp, SplatOp, UnaryOp,
};

use super::abi::*;
use super::compiler::*;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

/// The access of `bytes` bytes (1, 2, 4 or 8).
fn size_of_bytes(bytes: usize) -> Size {
    match bytes {
        1 => Size::S8,
        2 => Size::S16,
        4 => Size::S32,
        _ => Size::S64,
    }
}

/// `mem` moved `by` bytes up.
fn offset_by(mem: Mem, by: i32) -> Mem {
    Mem {
        disp: mem.disp.wrapping_add(by),
        ..mem
    }
}

/// A v128 operand: whole in an SSE register, or 16 bytes in memory.
#[derive(Clone, Copy)]
enum Vector {
    Reg(Xmm),
    Mem(Mem),
    /// `v128.const` (its halves), read from the constant pool.
    Const([u64; 2]),
}

/// How a binary operator is lowered inline (SSE2, `dst = a op b` on two scratch registers).
#[derive(Clone, Copy)]
enum Lowering {
    Int(PackedInt),
    /// `b op a`: `pandn` negates its destination, `lt` is `gt` of the swapped operands.
    IntSwapped(PackedInt),
    Lanes(SseArith, Float),
}

/// The inline lowering of `op` on `cpu`, if it has one: the SSE2/SSSE3/SSE4.1 instruction
/// whose lanes compute exactly the wasm operator (float `min`/`max` do not, they stay in the
/// helper). The float arithmetic is the IEEE operation `runtime::simd` performs per lane
/// (ARCHITECTURE.md "Tier 1", SIMD: the same NaN rules).
fn binary_lowering(op: BinaryOp, cpu: CpuFeatures) -> Option<Lowering> {
    let lowering = binary_instruction(op)?;
    match lowering {
        Lowering::Int(p) | Lowering::IntSwapped(p) if !cpu.has(p.level()) => None,
        _ => Some(lowering),
    }
}

fn binary_instruction(op: BinaryOp) -> Option<Lowering> {
    use BinaryOp as B;
    use Lowering::*;
    use PackedInt as P;
    Some(match op {
        B::V128And => Int(P::Pand),
        B::V128Or => Int(P::Por),
        B::V128Xor => Int(P::Pxor),
        B::V128AndNot => IntSwapped(P::Pandn),
        B::I8x16Add => Int(P::Paddb),
        B::I16x8Add => Int(P::Paddw),
        B::I32x4Add => Int(P::Paddd),
        B::I64x2Add => Int(P::Paddq),
        B::I8x16Sub => Int(P::Psubb),
        B::I16x8Sub => Int(P::Psubw),
        B::I32x4Sub => Int(P::Psubd),
        B::I64x2Sub => Int(P::Psubq),
        B::I16x8Mul => Int(P::Pmullw),
        B::I32x4DotI16x8S => Int(P::Pmaddwd),
        B::I8x16AddSatS => Int(P::Paddsb),
        B::I8x16AddSatU => Int(P::Paddusb),
        B::I16x8AddSatS => Int(P::Paddsw),
        B::I16x8AddSatU => Int(P::Paddusw),
        B::I8x16SubSatS => Int(P::Psubsb),
        B::I8x16SubSatU => Int(P::Psubusb),
        B::I16x8SubSatS => Int(P::Psubsw),
        B::I16x8SubSatU => Int(P::Psubusw),
        B::I8x16MinU => Int(P::Pminub),
        B::I8x16MaxU => Int(P::Pmaxub),
        B::I16x8MinS => Int(P::Pminsw),
        B::I16x8MaxS => Int(P::Pmaxsw),
        B::I8x16AvgrU => Int(P::Pavgb),
        B::I16x8AvgrU => Int(P::Pavgw),
        B::I8x16Eq => Int(P::Pcmpeqb),
        B::I16x8Eq => Int(P::Pcmpeqw),
        B::I32x4Eq => Int(P::Pcmpeqd),
        B::I8x16GtS => Int(P::Pcmpgtb),
        B::I16x8GtS => Int(P::Pcmpgtw),
        B::I32x4GtS => Int(P::Pcmpgtd),
        B::I8x16LtS => IntSwapped(P::Pcmpgtb),
        B::I16x8LtS => IntSwapped(P::Pcmpgtw),
        B::I32x4LtS => IntSwapped(P::Pcmpgtd),
        B::I8x16NarrowI16x8S => Int(P::Packsswb),
        B::I8x16NarrowI16x8U => Int(P::Packuswb),
        B::I16x8NarrowI32x4S => Int(P::Packssdw),
        B::I16x8NarrowI32x4U => Int(P::Packusdw),
        B::I32x4Mul => Int(P::Pmulld),
        B::I8x16MinS => Int(P::Pminsb),
        B::I8x16MaxS => Int(P::Pmaxsb),
        B::I16x8MinU => Int(P::Pminuw),
        B::I16x8MaxU => Int(P::Pmaxuw),
        B::I32x4MinS => Int(P::Pminsd),
        B::I32x4MinU => Int(P::Pminud),
        B::I32x4MaxS => Int(P::Pmaxsd),
        B::I32x4MaxU => Int(P::Pmaxud),
        B::I64x2Eq => Int(P::Pcmpeqq),
        B::F32x4Add => Lanes(SseArith::Add, Float::F32),
        B::F32x4Sub => Lanes(SseArith::Sub, Float::F32),
        B::F32x4Mul => Lanes(SseArith::Mul, Float::F32),
        B::F32x4Div => Lanes(SseArith::Div, Float::F32),
        B::F64x2Add => Lanes(SseArith::Add, Float::F64),
        B::F64x2Sub => Lanes(SseArith::Sub, Float::F64),
        B::F64x2Mul => Lanes(SseArith::Mul, Float::F64),
        B::F64x2Div => Lanes(SseArith::Div, Float::F64),
        _ => return None,
    })
}

/// Whether unary `op` is lowered inline on `cpu` (`v128.not`, float `sqrt`, and the
/// one-instruction integer operators of [`unary_instruction`]).
fn unary_inline(op: UnaryOp, cpu: CpuFeatures) -> bool {
    matches!(
        op,
        UnaryOp::V128Not | UnaryOp::F32x4Sqrt | UnaryOp::F64x2Sqrt
    ) || unary_instruction(op).is_some_and(|p| cpu.has(p.level()))
}

/// The instruction computing integer unary `op` as `dst = op(src)`, if there is one.
fn unary_instruction(op: UnaryOp) -> Option<PackedInt> {
    use PackedInt as P;
    use UnaryOp as U;
    Some(match op {
        U::I8x16Abs => P::Pabsb,
        U::I16x8Abs => P::Pabsw,
        U::I32x4Abs => P::Pabsd,
        U::I16x8ExtendLowI8x16S => P::Pmovsxbw,
        U::I16x8ExtendLowI8x16U => P::Pmovzxbw,
        U::I32x4ExtendLowI16x8S => P::Pmovsxwd,
        U::I32x4ExtendLowI16x8U => P::Pmovzxwd,
        U::I64x2ExtendLowI32x4S => P::Pmovsxdq,
        U::I64x2ExtendLowI32x4U => P::Pmovzxdq,
        _ => return None,
    })
}

/// The shift instruction of `op` and its lane width in bits (wasm takes the count modulo
/// the width; the instruction would zero or fill the lanes on larger counts). 8-bit lanes and
/// `i64x2.shr_s` have no SSE form and stay in the helper.
fn shift_instruction(op: ShiftOp) -> Option<(PackedShift, u32)> {
    use PackedShift as P;
    use ShiftOp as S;
    Some(match op {
        S::I16x8Shl => (P::Psllw, 16),
        S::I16x8ShrS => (P::Psraw, 16),
        S::I16x8ShrU => (P::Psrlw, 16),
        S::I32x4Shl => (P::Pslld, 32),
        S::I32x4ShrS => (P::Psrad, 32),
        S::I32x4ShrU => (P::Psrld, 32),
        S::I64x2Shl => (P::Psllq, 64),
        S::I64x2ShrU => (P::Psrlq, 64),
        _ => return None,
    })
}

/// The instruction loading `op`'s 8 bytes widened, if it is an extending load.
fn extend_load_instruction(op: LoadOp) -> Option<PackedInt> {
    use LoadOp as L;
    use PackedInt as P;
    Some(match op {
        L::V128Load8x8S => P::Pmovsxbw,
        L::V128Load8x8U => P::Pmovzxbw,
        L::V128Load16x4S => P::Pmovsxwd,
        L::V128Load16x4U => P::Pmovzxwd,
        L::V128Load32x2S => P::Pmovsxdq,
        L::V128Load32x2U => P::Pmovzxdq,
        _ => return None,
    })
}

/// Whether load `op` is lowered inline on `cpu`.
fn load_inline(op: LoadOp, cpu: CpuFeatures) -> bool {
    match op {
        LoadOp::V128Load
        | LoadOp::V128Load32Zero
        | LoadOp::V128Load64Zero
        | LoadOp::V128Load32Splat
        | LoadOp::V128Load64Splat => true,
        _ => extend_load_instruction(op).is_some_and(|p| cpu.has(p.level())),
    }
}

impl Compiler<'_> {
    pub(super) fn global_is_v128(&self, index: u32) -> bool {
        self.module
            .globals
            .get(index as usize)
            .is_some_and(|g| g.ty == ValType::V128)
    }

    /// Whether SIMD operator `op` runs in the helper (a call out: the stack is spilled first).
    pub(super) fn simd_calls_out(&self, op: &SimdOp) -> bool {
        let cpu = self.cpu;
        match op {
            SimdOp::Const(_) | SimdOp::Store(_) => false,
            SimdOp::Load(o, _) => !load_inline(*o, cpu),
            SimdOp::LaneMem(o, ..) => o.is_load(),
            SimdOp::Binary(BinaryOp::I8x16Swizzle) => !cpu.ssse3,
            SimdOp::Binary(o) => binary_lowering(*o, cpu).is_none(),
            SimdOp::Unary(o) => !unary_inline(*o, cpu),
            SimdOp::Shift(o) => shift_instruction(*o).is_none(),
            SimdOp::Shuffle(_) => !cpu.ssse3,
            SimdOp::Extract(..) | SimdOp::Replace(..) | SimdOp::Splat(_) => false,
            _ => true,
        }
    }

    /// Compiles SIMD operator `op`.
    pub(super) fn simd(&mut self, op: SimdOp) -> Result<()> {
        match op {
            SimdOp::Const(v) => {
                let [low, high] = v.to_slots();
                self.push_v128(Opd::Const(low), Opd::Const(high));
                Ok(())
            }
            SimdOp::Load(o, memarg) if load_inline(o, self.cpu) => self.v128_load(o, memarg),
            SimdOp::Store(memarg) => self.v128_store(memarg),
            SimdOp::LaneMem(lane_op, memarg, lane) if !lane_op.is_load() => {
                self.v128_store_lane(lane_op, memarg, lane)
            }
            SimdOp::Binary(BinaryOp::I8x16Swizzle) if self.cpu.ssse3 => self.swizzle(),
            SimdOp::Binary(o) => match binary_lowering(o, self.cpu) {
                Some(lowering) => self.binary_inline(lowering),
                None => self.simd_helper(op),
            },
            SimdOp::Unary(o) if unary_inline(o, self.cpu) => self.unary_inline(o),
            SimdOp::Shift(o) => match shift_instruction(o) {
                Some((shift, bits)) => self.shift_inline(shift, bits),
                None => self.simd_helper(op),
            },
            SimdOp::Shuffle(lanes) if self.cpu.ssse3 => self.shuffle(lanes),
            SimdOp::Extract(o, lane) => self.extract_lane(o, lane),
            SimdOp::Replace(o, lane) => self.replace_lane(o, lane),
            SimdOp::Splat(o) => self.splat(o),
            _ => self.simd_helper(op),
        }
    }

    /// `extract_lane`: one load of the lane from the vector's slots (sign- or zero-extended
    /// as the operator says; float lanes into an SSE register).
    fn extract_lane(&mut self, op: ExtractOp, lane: u8) -> Result<()> {
        use ExtractOp as E;
        let len = self.stack.len();
        if len < 2 {
            return Err("jit: SIMD operand missing".to_string().into());
        }
        let vector = self.v128_operand(len - 2);
        let lane = i32::from(lane);
        let result = match op {
            E::F32x4ExtractLane | E::F64x2ExtractLane => {
                let (float, bytes) = match op {
                    E::F32x4ExtractLane => (Float::F32, 4),
                    _ => (Float::F64, 8),
                };
                let dst = self.alloc_xmm(&[]);
                self.masm.fload(float, dst, offset_by(vector, lane * bytes));
                Opd::Xmm(dst, float)
            }
            _ => {
                let (size, bytes, ext, width) = match op {
                    E::I8x16ExtractLaneS => (Size::S8, 1, Ext::Sign, Width::W32),
                    E::I8x16ExtractLaneU => (Size::S8, 1, Ext::Zero, Width::W32),
                    E::I16x8ExtractLaneS => (Size::S16, 2, Ext::Sign, Width::W32),
                    E::I16x8ExtractLaneU => (Size::S16, 2, Ext::Zero, Width::W32),
                    E::I32x4ExtractLane => (Size::S32, 4, Ext::Zero, Width::W32),
                    _ => (Size::S64, 8, Ext::Zero, Width::W64),
                };
                let dst = self.alloc_gpr(&[]);
                self.masm
                    .load(dst, offset_by(vector, lane * bytes), size, ext, width);
                Opd::Reg(dst)
            }
        };
        self.truncate_stack(len - 2);
        self.push(result);
        Ok(())
    }

    /// `replace_lane`: the vector goes to its canonical slots and the lane is stored there.
    fn replace_lane(&mut self, op: ReplaceOp, lane: u8) -> Result<()> {
        use ReplaceOp as R;
        let x = self.pop()?;
        let len = self.stack.len();
        if len < 2 {
            return Err("jit: SIMD operand missing".to_string().into());
        }
        self.materialize(len - 2);
        self.materialize(len - 1);
        let (size, bytes) = match op {
            R::I8x16ReplaceLane => (Size::S8, 1),
            R::I16x8ReplaceLane => (Size::S16, 2),
            R::I32x4ReplaceLane | R::F32x4ReplaceLane => (Size::S32, 4),
            R::I64x2ReplaceLane | R::F64x2ReplaceLane => (Size::S64, 8),
        };
        let at = offset_by(slot_mem(self.canonical(len - 2)), i32::from(lane) * bytes);
        match x {
            // A float in an SSE register (its low 32 or 64 bits are the lane).
            Opd::Xmm(reg, _) if size == Size::S64 => self.masm.fstore(Float::F64, at, reg),
            Opd::Xmm(reg, Float::F32) if size == Size::S32 => self.masm.fstore(Float::F32, at, reg),
            Opd::Const(c) if size != Size::S64 || i32::try_from(c as i64).is_ok() => {
                self.masm.store_imm(size, at, c as i64 as i32);
            }
            _ => {
                let width = if size == Size::S64 {
                    Width::W64
                } else {
                    Width::W32
                };
                let reg = self.gpr_of(x, width, Gpr::Rdx);
                self.masm.store(size, at, reg);
            }
        }
        Ok(())
    }

    /// `splat`: the lane repeated over 64 bits (in `rdx` for integer lanes, a multiply by
    /// `0x0101..` for narrow ones), then over the register; 32-bit lanes by `pshufd`.
    fn splat(&mut self, op: SplatOp) -> Result<()> {
        use SplatOp as S;
        let x = self.pop()?;
        let dst = self.alloc_xmm(&[x]);
        match (op, x) {
            (S::F32x4Splat, Opd::Xmm(reg, _)) => self.masm.pshufd(dst, reg, 0),
            (S::F64x2Splat | S::I64x2Splat, Opd::Xmm(reg, _)) => {
                self.masm.fmov(dst, reg);
                self.masm.packed_int(PackedInt::Punpcklqdq, dst, dst);
            }
            (S::I32x4Splat | S::F32x4Splat, _) => {
                self.load(Gpr::Rdx, x, Width::W32);
                self.masm.gpr_to_xmm(Width::W32, dst, Gpr::Rdx);
                self.masm.pshufd(dst, dst, 0);
            }
            _ => {
                let wide = matches!(op, S::I64x2Splat | S::F64x2Splat);
                let width = if wide { Width::W64 } else { Width::W32 };
                self.load(Gpr::Rdx, x, width);
                if !wide {
                    let (mask, repeat) = if op == S::I8x16Splat {
                        (0xFF, 0x0101_0101_0101_0101u64)
                    } else {
                        (0xFFFF, 0x0001_0001_0001_0001u64)
                    };
                    self.masm
                        .alu(Alu::And, Width::W32, Gpr::Rdx, Operand::Imm(mask));
                    self.masm.mov_imm(Width::W64, Gpr::Rax, repeat as i64);
                    self.masm.mul(Width::W64, Gpr::Rdx, Gpr::Rax);
                }
                self.masm.gpr_to_xmm(Width::W64, dst, Gpr::Rdx);
                self.masm.packed_int(PackedInt::Punpcklqdq, dst, dst);
            }
        }
        self.push_v128(Opd::V128Low(dst), Opd::V128High(dst));
        Ok(())
    }

    /// The 16 bytes of the v128 whose low half is entry `index`, in memory: the local's or
    /// the entry's slots, where they are consecutive, else the entry's canonical slots.
    fn v128_operand(&mut self, index: usize) -> Mem {
        match (self.stack[index], self.stack[index + 1]) {
            (Opd::Slot(low), Opd::Slot(high)) if high == low + 1 => slot_mem(low),
            _ => {
                self.materialize(index);
                self.materialize(index + 1);
                slot_mem(self.canonical(index))
            }
        }
    }

    /// The v128 whose low half is entry `index`: its register, or its 16 bytes in memory.
    fn vector(&mut self, index: usize) -> Vector {
        match (self.stack[index], self.stack[index + 1]) {
            (Opd::V128Low(x), Opd::V128High(y)) if x == y => Vector::Reg(x),
            (Opd::Const(low), Opd::Const(high)) => Vector::Const([low, high]),
            _ => Vector::Mem(self.v128_operand(index)),
        }
    }

    /// Copies `vector` into `dst`.
    fn load_vector(&mut self, dst: Xmm, vector: Vector) {
        match vector {
            Vector::Reg(x) => self.masm.fmov(dst, x),
            Vector::Mem(mem) => self.masm.v128_load(dst, mem),
            Vector::Const([0, 0]) => self.masm.fzero(dst),
            Vector::Const(halves) => {
                let constant = self.masm.constant128(halves);
                self.masm.v128_load(dst, constant);
            }
        }
    }

    /// The register holding `vector`: its own, or `scratch` loaded with it.
    fn vector_reg(&mut self, vector: Vector, scratch: Xmm) -> Xmm {
        match vector {
            Vector::Reg(x) => x,
            _ => {
                self.load_vector(scratch, vector);
                scratch
            }
        }
    }

    /// The register to compute a result in whose first operand is the v128 at entry
    /// `first`: that operand's register (consumed with it), else a free pool register.
    /// Called before the operands are read, so a spill it causes is seen by [`Self::vector`].
    fn vector_result(&mut self, first: usize) -> Xmm {
        match (self.stack[first], self.stack[first + 1]) {
            (Opd::V128Low(x), Opd::V128High(y)) if x == y => x,
            _ => self.alloc_xmm(&[]),
        }
    }

    /// Replaces the top `operands` entries by the v128 in `dst`.
    fn push_vector(&mut self, operands: usize, dst: Xmm) {
        let base = self.stack.len() - operands;
        self.truncate_stack(base);
        self.push_v128(Opd::V128Low(dst), Opd::V128High(dst));
    }

    /// The v128 operands of a binary operator: the entries of the lower one.
    fn binary_base(&self) -> Result<usize> {
        self.stack
            .len()
            .checked_sub(4)
            .ok_or_else(|| "jit: SIMD operands missing".to_string().into())
    }

    fn binary_inline(&mut self, lowering: Lowering) -> Result<()> {
        let base = self.binary_base()?;
        let (first, second) = match lowering {
            Lowering::IntSwapped(_) => (base + 2, base),
            _ => (base, base + 2),
        };
        let dst = self.vector_result(first);
        let a = self.vector(first);
        let b = self.vector(second);
        self.load_vector(dst, a);
        let src = self.vector_reg(b, Xmm::Xmm1);
        match lowering {
            Lowering::Int(op) | Lowering::IntSwapped(op) => self.masm.packed_int(op, dst, src),
            Lowering::Lanes(op, float) => self.masm.packed_float(op, float, dst, src),
        }
        self.push_vector(4, dst);
        Ok(())
    }

    fn unary_inline(&mut self, op: UnaryOp) -> Result<()> {
        let base = self
            .stack
            .len()
            .checked_sub(2)
            .ok_or("jit: SIMD operand missing")?;
        let dst = self.vector_result(base);
        let a = self.vector(base);
        match op {
            UnaryOp::F32x4Sqrt | UnaryOp::F64x2Sqrt => {
                let float = if op == UnaryOp::F32x4Sqrt {
                    Float::F32
                } else {
                    Float::F64
                };
                let src = self.vector_reg(a, Xmm::Xmm1);
                self.masm.packed_float(SseArith::Sqrt, float, dst, src);
            }
            UnaryOp::V128Not => {
                self.load_vector(dst, a);
                self.masm.v128_ones(Xmm::Xmm1);
                self.masm.packed_int(PackedInt::Pxor, dst, Xmm::Xmm1);
            }
            _ => {
                let instruction = unary_instruction(op)
                    .ok_or_else(|| format!("jit: {op:?} has no inline form"))?;
                let src = self.vector_reg(a, Xmm::Xmm1);
                self.masm.packed_int(instruction, dst, src);
            }
        }
        self.push_vector(2, dst);
        Ok(())
    }

    /// A shift by the i32 on top: the count modulo the lane width, as an immediate when it
    /// is a constant, else through `xmm1`.
    fn shift_inline(&mut self, shift: PackedShift, bits: u32) -> Result<()> {
        let count = self.pop()?;
        let base = self
            .stack
            .len()
            .checked_sub(2)
            .ok_or("jit: SIMD operand missing")?;
        let dst = self.vector_result(base);
        let vector = self.vector(base);
        match count {
            Opd::Const(c) => {
                self.load_vector(dst, vector);
                self.masm
                    .packed_shift_imm(shift, dst, (c as u32 % bits) as u8);
            }
            _ => {
                // A copy in rdx: the entry may be a local's home register.
                self.load(Gpr::Rdx, count, Width::W32);
                self.masm.alu(
                    Alu::And,
                    Width::W32,
                    Gpr::Rdx,
                    Operand::Imm(bits as i32 - 1),
                );
                self.masm.gpr_to_xmm(Width::W32, Xmm::Xmm1, Gpr::Rdx);
                self.load_vector(dst, vector);
                self.masm.packed_int(shift.by_register(), dst, Xmm::Xmm1);
            }
        }
        self.push_vector(2, dst);
        Ok(())
    }

    /// `i8x16.shuffle` (SSSE3): each source through `pshufb` with a constant mask that zeroes
    /// the lanes the other source provides, then `por`.
    fn shuffle(&mut self, lanes: [u8; 16]) -> Result<()> {
        let base = self.binary_base()?;
        let dst = self.vector_result(base);
        let a = self.vector(base);
        let b = self.vector(base + 2);
        let mask = |from: u8| {
            let bytes: [u8; 16] = std::array::from_fn(|i| match lanes[i].checked_sub(from) {
                Some(lane) if lane < 16 => lane,
                _ => 0x80,
            });
            let value = u128::from_le_bytes(bytes);
            [value as u64, (value >> 64) as u64]
        };
        let mask_a = self.masm.constant128(mask(0));
        self.load_vector(dst, a);
        self.masm.v128_load(Xmm::Xmm1, mask_a);
        self.masm.packed_int(PackedInt::Pshufb, dst, Xmm::Xmm1);
        if lanes.iter().any(|&lane| lane >= 16) {
            let mask_b = self.masm.constant128(mask(16));
            self.load_vector(Xmm::Xmm1, b);
            self.masm.v128_load(Xmm::Xmm0, mask_b);
            self.masm
                .packed_int(PackedInt::Pshufb, Xmm::Xmm1, Xmm::Xmm0);
            self.masm.packed_int(PackedInt::Por, dst, Xmm::Xmm1);
        }
        self.push_vector(4, dst);
        Ok(())
    }

    /// `i8x16.swizzle` (SSSE3): `pshufb` zeroes a lane whose index has bit 7 set; adding
    /// 0x70 with unsigned saturation sets it for every index of 16 or more and keeps the low
    /// four bits of the others.
    fn swizzle(&mut self) -> Result<()> {
        let base = self.binary_base()?;
        let dst = self.vector_result(base);
        let a = self.vector(base);
        let indices = self.vector(base + 2);
        let bias = self.masm.constant128([0x7070_7070_7070_7070; 2]);
        self.load_vector(Xmm::Xmm1, indices);
        self.masm.v128_load(Xmm::Xmm0, bias);
        self.masm
            .packed_int(PackedInt::Paddusb, Xmm::Xmm1, Xmm::Xmm0);
        self.load_vector(dst, a);
        self.masm.packed_int(PackedInt::Pshufb, dst, Xmm::Xmm1);
        self.push_vector(4, dst);
        Ok(())
    }

    /// The inline loads: 16 bytes, 4 or 8 bytes zero-extended or splatted, or 8 bytes widened
    /// (SSE4.1), into a pool register.
    fn v128_load(&mut self, op: LoadOp, memarg: MemArg) -> Result<()> {
        // Before the address: a spill may use rax, which the address may be in.
        let dst = self.alloc_xmm(&[]);
        let mem = self.address(memarg, op.bytes() as u32)?;
        self.mark_access();
        match op {
            LoadOp::V128Load => self.masm.v128_load(dst, mem),
            LoadOp::V128Load32Zero => self.masm.v128_load32(dst, mem),
            LoadOp::V128Load64Zero => self.masm.v128_load64(dst, mem),
            LoadOp::V128Load32Splat => {
                self.masm.v128_load32(dst, mem);
                self.masm.pshufd(dst, dst, 0);
            }
            LoadOp::V128Load64Splat => {
                self.masm.v128_load64(dst, mem);
                self.masm.packed_int(PackedInt::Punpcklqdq, dst, dst);
            }
            _ => {
                let instruction = extend_load_instruction(op)
                    .ok_or_else(|| format!("jit: {op:?} has no inline form"))?;
                self.masm.packed_extend_load(instruction, dst, mem);
            }
        }
        self.push_v128(Opd::V128Low(dst), Opd::V128High(dst));
        Ok(())
    }

    /// Puts the top `n` entries in their canonical slots.
    fn materialize_top(&mut self, n: usize) {
        let len = self.stack.len();
        for i in len.saturating_sub(n)..len {
            self.materialize(i);
        }
    }

    /// `v128.store`: one 16-byte store (a store that faults writes nothing, so an access
    /// beyond the memory's end leaves it unchanged).
    fn v128_store(&mut self, memarg: MemArg) -> Result<()> {
        let len = self.stack.len();
        if len < 3 {
            return Err("jit: SIMD operands missing".to_string().into());
        }
        let value = self.vector(len - 2);
        let src = self.vector_reg(value, Xmm::Xmm0);
        self.pop()?;
        self.pop()?;
        let mem = self.address(memarg, 16)?;
        self.mark_access();
        self.masm.v128_store(mem, src);
        Ok(())
    }

    /// `v128.storeN_lane`: the lane's bytes straight from the vector's canonical slots.
    fn v128_store_lane(&mut self, op: LaneMemOp, memarg: MemArg, lane: u8) -> Result<()> {
        self.materialize_top(3);
        self.pop()?;
        self.pop()?;
        let value = self.canonical(self.stack.len());
        let bytes = op.bytes();
        let size = size_of_bytes(bytes);
        let mem = self.address(memarg, bytes as u32)?;
        let lane_at = offset_by(slot_mem(value), i32::from(lane) * bytes as i32);
        self.masm.load_bits(size, Gpr::Rdx, lane_at);
        self.mark_access();
        self.masm.store(size, mem, Gpr::Rdx);
        Ok(())
    }

    /// An operator in the helper (everything is in its canonical slot already: `op` said it
    /// calls out): the operands' first slot in `rdi`, the operator's code in `esi`, its
    /// immediates (or the bytes a load read) in `rdx` and `rcx`.
    fn simd_helper(&mut self, op: SimdOp) -> Result<()> {
        let Some((code, a, b)) = crate::jit::simd::encode(&op) else {
            return Err(format!("jit: SIMD operator {op:?} has no helper").into());
        };
        // (operand slots, whether the result is a v128)
        let (operands, vector_result) = match op {
            SimdOp::Unary(_) => (2, true),
            SimdOp::Binary(_) | SimdOp::Shuffle(_) => (4, true),
            SimdOp::Shift(_) | SimdOp::Replace(..) => (3, true),
            SimdOp::Test(_) | SimdOp::Extract(..) => (2, false),
            SimdOp::Splat(_) | SimdOp::Load(..) => (1, true),
            SimdOp::LaneMem(..) => (3, true),
            SimdOp::Bitselect => (6, true),
            SimdOp::Store(_) | SimdOp::Const(_) => (0, false),
        };
        let base = self
            .stack
            .len()
            .checked_sub(operands)
            .ok_or_else(|| format!("jit: SIMD operands missing at {:#x}", self.offset))?;
        match op {
            SimdOp::Load(load, memarg) => {
                // Compiled code reads the bytes, so a fault maps to this operator.
                let mem = self.address(memarg, load.bytes() as u32)?;
                self.mark_access();
                self.masm.load(
                    Gpr::Rdx,
                    mem,
                    size_of_bytes(load.bytes()),
                    Ext::Zero,
                    Width::W64,
                );
            }
            SimdOp::LaneMem(lane_op, memarg, _) => {
                self.pop()?;
                self.pop()?;
                let mem = self.address(memarg, lane_op.bytes() as u32)?;
                self.mark_access();
                let size = size_of_bytes(lane_op.bytes());
                self.masm.load(Gpr::Rdx, mem, size, Ext::Zero, Width::W64);
            }
            _ => self.masm.mov_imm(Width::W64, Gpr::Rdx, a as i64),
        }
        self.masm.mov_imm(Width::W64, Gpr::Rcx, b as i64);
        self.masm.mov_imm(Width::W32, Gpr::Rsi, i64::from(code));
        self.masm
            .lea(Width::W64, Gpr::Rdi, slot_mem(self.canonical(base)));
        self.call_jit_helper(jit_helper::SIMD_OP);
        let shape: &[bool] = if vector_result {
            &[false, true]
        } else {
            &[false]
        };
        self.reset_stack(base as u32, shape);
        Ok(())
    }
}
