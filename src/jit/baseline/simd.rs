//! SIMD (wasm 2.0 `v128`): a v128 is two value-stack entries, its low then its high 64 bits,
//! each an ordinary entry (constant, register or slot) at its own slot height, so the frame
//! follows `module::FrameLayout` and every move, merge, call and OSR meeting point treats a
//! v128 as two slots. Operators run either inline (`v128.const`, loads, stores and lane
//! stores: 64-bit moves) or in the fallback helper `jit::simd::simd_op` on the operands'
//! canonical slots, which runs `runtime::simd`, the one lane-semantics implementation.

use wasmparser::MemArg;

use crate::jit::exec_context::jit_helper;
use crate::jit::masm::{
    Alu, Ext, Float, Gpr, Mem, Operand, PackedInt, Shift, Size, SseArith, Width, Xmm,
};
use crate::module::ValType;
use crate::runtime::simd::{
    BinaryOp, ExtractOp, LaneMemOp, LoadOp, ReplaceOp, SimdOp, SplatOp, UnaryOp,
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

/// How a binary operator is lowered inline (SSE2, `dst = a op b` on two scratch registers).
#[derive(Clone, Copy)]
enum Lowering {
    Int(PackedInt),
    /// `b op a`: `pandn` negates its destination, `lt` is `gt` of the swapped operands.
    IntSwapped(PackedInt),
    Lanes(SseArith, Float),
}

/// The inline lowering of `op`, if it has one: the SSE2 instructions whose lanes compute
/// exactly the wasm operator (float `min`/`max` do not, they stay in the helper). The float
/// arithmetic is the IEEE operation `runtime::simd` performs per lane (ARCHITECTURE.md
/// "Tier 1", SIMD: the same NaN rules).
fn binary_lowering(op: BinaryOp) -> Option<Lowering> {
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

/// Whether unary `op` is lowered inline (`v128.not`, float `sqrt`).
fn unary_inline(op: UnaryOp) -> bool {
    matches!(
        op,
        UnaryOp::V128Not | UnaryOp::F32x4Sqrt | UnaryOp::F64x2Sqrt
    )
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
        match op {
            SimdOp::Const(_) | SimdOp::Store(_) | SimdOp::Load(LoadOp::V128Load, _) => false,
            SimdOp::LaneMem(o, ..) => o.is_load(),
            SimdOp::Binary(o) => binary_lowering(*o).is_none(),
            SimdOp::Unary(o) => !unary_inline(*o),
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
            SimdOp::Load(LoadOp::V128Load, memarg) => self.v128_load(memarg),
            SimdOp::Store(memarg) => self.v128_store(memarg),
            SimdOp::LaneMem(lane_op, memarg, lane) if !lane_op.is_load() => {
                self.v128_store_lane(lane_op, memarg, lane)
            }
            SimdOp::Binary(o) => match binary_lowering(o) {
                Some(lowering) => self.binary_inline(lowering),
                None => self.simd_helper(op),
            },
            SimdOp::Unary(o) if unary_inline(o) => self.unary_inline(o),
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

    /// `splat`: the lane repeated over 64 bits in `rdx` (a multiply by `0x0101..` for
    /// narrow lanes), stored to both halves of the result's canonical slots.
    fn splat(&mut self, op: SplatOp) -> Result<()> {
        use SplatOp as S;
        let x = self.pop()?;
        let dst = self.canonical(self.stack.len());
        match (op, x) {
            (S::I64x2Splat | S::F64x2Splat, Opd::Xmm(reg, _)) => {
                self.masm.fstore(Float::F64, slot_mem(dst), reg);
                self.masm.fstore(Float::F64, slot_mem(dst + 1), reg);
            }
            _ => {
                let wide = matches!(op, S::I64x2Splat | S::F64x2Splat);
                let width = if wide { Width::W64 } else { Width::W32 };
                self.load(Gpr::Rdx, x, width);
                match op {
                    S::I8x16Splat | S::I16x8Splat => {
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
                    S::I32x4Splat | S::F32x4Splat => {
                        self.masm.mov(Size::S64, Gpr::Rax, Gpr::Rdx);
                        self.masm.shift_imm(Shift::Shl, Width::W64, Gpr::Rax, 32);
                        self.masm.alu(Alu::Or, Width::W64, Gpr::Rdx, Gpr::Rax);
                    }
                    S::I64x2Splat | S::F64x2Splat => {}
                }
                self.masm.store(Size::S64, slot_mem(dst), Gpr::Rdx);
                self.masm.store(Size::S64, slot_mem(dst + 1), Gpr::Rdx);
            }
        }
        self.push_v128(Opd::Slot(dst), Opd::Slot(dst + 1));
        Ok(())
    }

    /// The 16 bytes of the v128 whose low half is entry `index`: the local's or the
    /// entry's slots, where they are consecutive, else the entry's canonical slots.
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

    /// Replaces the top `operands` entries by the v128 in `xmm0`, in its canonical slots.
    fn push_xmm0_v128(&mut self, operands: usize) {
        let base = self.stack.len() - operands;
        self.truncate_stack(base);
        let dst = self.canonical(base);
        self.masm.v128_store(slot_mem(dst), Xmm::Xmm0);
        self.push_v128(Opd::Slot(dst), Opd::Slot(dst + 1));
    }

    fn binary_inline(&mut self, lowering: Lowering) -> Result<()> {
        let len = self.stack.len();
        if len < 4 {
            return Err("jit: SIMD operands missing".to_string().into());
        }
        let a = self.v128_operand(len - 4);
        let b = self.v128_operand(len - 2);
        let (first, second) = match lowering {
            Lowering::IntSwapped(_) => (b, a),
            _ => (a, b),
        };
        self.masm.v128_load(Xmm::Xmm0, first);
        self.masm.v128_load(Xmm::Xmm1, second);
        match lowering {
            Lowering::Int(op) | Lowering::IntSwapped(op) => {
                self.masm.packed_int(op, Xmm::Xmm0, Xmm::Xmm1)
            }
            Lowering::Lanes(op, float) => self.masm.packed_float(op, float, Xmm::Xmm0, Xmm::Xmm1),
        }
        self.push_xmm0_v128(4);
        Ok(())
    }

    fn unary_inline(&mut self, op: UnaryOp) -> Result<()> {
        let len = self.stack.len();
        if len < 2 {
            return Err("jit: SIMD operand missing".to_string().into());
        }
        let a = self.v128_operand(len - 2);
        self.masm.v128_load(Xmm::Xmm0, a);
        match op {
            UnaryOp::F32x4Sqrt => {
                self.masm
                    .packed_float(SseArith::Sqrt, Float::F32, Xmm::Xmm0, Xmm::Xmm0)
            }
            UnaryOp::F64x2Sqrt => {
                self.masm
                    .packed_float(SseArith::Sqrt, Float::F64, Xmm::Xmm0, Xmm::Xmm0)
            }
            _ => {
                self.masm.v128_ones(Xmm::Xmm1);
                self.masm.packed_int(PackedInt::Pxor, Xmm::Xmm0, Xmm::Xmm1);
            }
        }
        self.push_xmm0_v128(2);
        Ok(())
    }

    /// `v128.load`: two 64-bit loads into pool registers.
    fn v128_load(&mut self, memarg: MemArg) -> Result<()> {
        let low = self.alloc_gpr(&[]);
        let high = self.alloc_gpr(&[Opd::Reg(low)]);
        let mem = self.address(memarg, 16)?;
        self.mark_access();
        self.masm.load_bits(Size::S64, high, offset_by(mem, 8));
        self.masm.load_bits(Size::S64, low, mem);
        self.push_v128(Opd::Reg(low), Opd::Reg(high));
        Ok(())
    }

    /// Puts the top `n` entries in their canonical slots.
    fn materialize_top(&mut self, n: usize) {
        let len = self.stack.len();
        for i in len.saturating_sub(n)..len {
            self.materialize(i);
        }
    }

    /// `v128.store`: the value goes through its canonical slots; the high half is stored
    /// first, so an access beyond the memory's end faults before any byte is written.
    fn v128_store(&mut self, memarg: MemArg) -> Result<()> {
        self.materialize_top(3);
        self.pop()?;
        self.pop()?;
        let value = self.canonical(self.stack.len());
        let mem = self.address(memarg, 16)?;
        self.masm
            .load_bits(Size::S64, Gpr::Rdx, slot_mem(value + 1));
        self.mark_access();
        self.masm.store(Size::S64, offset_by(mem, 8), Gpr::Rdx);
        self.masm.load_bits(Size::S64, Gpr::Rdx, slot_mem(value));
        self.masm.store(Size::S64, mem, Gpr::Rdx);
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
