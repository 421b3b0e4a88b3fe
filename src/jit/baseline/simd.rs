//! SIMD (wasm 2.0 `v128`): a v128 is two value-stack entries, its low then its high 64 bits,
//! each an ordinary entry (constant, register or slot) at its own slot height, so the frame
//! follows `module::FrameLayout` and every move, merge, call and OSR meeting point treats a
//! v128 as two slots. Operators run either inline (`v128.const`, loads, stores and lane
//! stores: 64-bit moves) or in the fallback helper `jit::simd::simd_op` on the operands'
//! canonical slots, which runs `runtime::simd`, the one lane-semantics implementation.

use wasmparser::MemArg;

use crate::jit::exec_context::jit_helper;
use crate::jit::masm::{Ext, Gpr, Mem, Size, Width};
use crate::module::ValType;
use crate::runtime::simd::{LaneMemOp, LoadOp, SimdOp};

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

impl Compiler<'_> {
    pub(super) fn global_is_v128(&self, index: u32) -> bool {
        self.module
            .globals
            .get(index as usize)
            .is_some_and(|g| g.ty == ValType::V128)
    }

    /// Whether SIMD operator `op` runs in the helper (a call out: the stack is spilled first).
    pub(super) fn simd_calls_out(&self, op: &SimdOp) -> bool {
        !matches!(
            op,
            SimdOp::Const(_) | SimdOp::Store(_) | SimdOp::Load(LoadOp::V128Load, _)
        ) && !matches!(op, SimdOp::LaneMem(o, ..) if !o.is_load())
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
            _ => self.simd_helper(op),
        }
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
