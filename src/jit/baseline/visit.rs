//! The semantics of each operator: `impl VisitOperator for Compiler`, one method per
//! operator, so an operator without a method is a compile error. The proposals tier 1 does
//! not compile are listed in [`reject_proposals!`], whose methods refuse the function with
//! [`CompileError::unsupported`]; what every operator shares (skipping unreachable code, the
//! pc map, spilling before operators that call out, fuel and peephole look-ahead) happens
//! before the visit, in `ops.rs` and `frame.rs`.

use wasmparser::{
    BlockType, BrTable, HeapType, Ieee32, Ieee64, MemArg, Operator, ValType, VisitOperator,
    VisitSimdOperator,
};

use crate::jit::CompileError;
use crate::jit::convert::{conv, fop};
use crate::jit::masm::{
    Alu, Cond, DivOp, Ext, ExtFrom, Float, Gpr, Label, Mem, Operand, RoundMode, Shift, Size,
    SseArith, SseLogic, Width,
};
use crate::module::ops::IntCmp as ICmp;
use crate::runtime::TrapCode;
use crate::runtime::libcalls::helper_index as hi;
use crate::runtime::vmctx::offsets as vo;

use super::abi::*;
use super::compiler::*;
use super::float::FCmp;

type Result<T> = std::result::Result<T, CompileError>;

/// The visit methods of the operators tier 1 does not compile, for
/// `for_each_visit_operator!`/`for_each_visit_simd_operator!`: every proposal is named
/// here, either as compiled (its methods are written out below) or as refused. A proposal
/// that a new wasmparser adds matches no rule: a compile error until it is listed.
macro_rules! reject_proposals {
    ($(
        @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*)
    )*) => {
        $( reject_proposals!(one @$proposal $op $({ $($arg: $argty),* })? => $visit); )*
    };
    // Compiled: the methods are in `impl VisitOperator for Compiler` below.
    (one @mvp $($rest:tt)*) => {};
    (one @sign_extension $($rest:tt)*) => {};
    (one @saturating_float_to_int $($rest:tt)*) => {};
    (one @bulk_memory $($rest:tt)*) => {};
    // A multi-value `select` parses but does not validate.
    (one @reference_types TypedSelectMulti $($rest:tt)*) => {
        reject_proposals!(reject TypedSelectMulti $($rest)*);
    };
    (one @reference_types $($rest:tt)*) => {};
    // Compiled by `simd.rs`: `Compiler::op` hands every SIMD operator there before a visit.
    (one @simd $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident) => {
        fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
            $($(let _ = $arg;)*)?
            Err(CompileError::Internal { function: None, message: "SIMD operator visited".into() })
        }
    };
    (one @relaxed_simd $($rest:tt)*) => { reject_proposals!(reject $($rest)*); };
    (one @exceptions $($rest:tt)*) => {};
    (one @legacy_exceptions $($rest:tt)*) => { reject_proposals!(reject $($rest)*); };
    (one @tail_call $($rest:tt)*) => {};
    (one @gc $($rest:tt)*) => { reject_proposals!(reject $($rest)*); };
    (one @custom_descriptors $($rest:tt)*) => { reject_proposals!(reject $($rest)*); };
    (one @function_references $($rest:tt)*) => { reject_proposals!(reject $($rest)*); };
    (one @threads $($rest:tt)*) => { reject_proposals!(reject $($rest)*); };
    (one @shared_everything_threads $($rest:tt)*) => { reject_proposals!(reject $($rest)*); };
    (one @memory_control $($rest:tt)*) => { reject_proposals!(reject $($rest)*); };
    (one @stack_switching $($rest:tt)*) => { reject_proposals!(reject $($rest)*); };
    (one @wide_arithmetic $($rest:tt)*) => { reject_proposals!(reject $($rest)*); };
    (reject $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident) => {
        fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
            Err(CompileError::unsupported(self.offset, &Operator::$op $({ $($arg),* })?))
        }
    };
}

impl<'a> VisitOperator<'a> for Compiler<'_> {
    type Output = Result<()>;

    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = Self::Output>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(reject_proposals);

    // ----- control -----

    fn visit_unreachable(&mut self) -> Result<()> {
        let trap = self.trap_label(TrapCode::Unreachable);
        self.masm.jmp(trap);
        self.unreachable = true;
        Ok(())
    }

    fn visit_nop(&mut self) -> Result<()> {
        Ok(())
    }

    fn visit_block(&mut self, blockty: BlockType) -> Result<()> {
        self.enter_block(Kind::Block, blockty)?;
        Ok(())
    }

    fn visit_loop(&mut self, blockty: BlockType) -> Result<()> {
        let label = self.enter_block(Kind::Loop, blockty)?;
        self.masm.bind(label);
        self.loop_headers.push((self.offset, label));
        self.epoch_check();
        Ok(())
    }

    fn visit_if(&mut self, blockty: BlockType) -> Result<()> {
        let cond = self.pop()?;
        // The block entry spills the stack; the condition is read first, into rcx unless it
        // is in a register (spilling never writes registers but rax).
        let cond = self.gpr_of(cond, Width::W32, Gpr::Rcx);
        self.enter_block(Kind::If, blockty)?;
        let else_label = self.masm.new_label();
        if let Some(ctrl) = self.ctrl.last_mut() {
            ctrl.else_label = Some(else_label);
        }
        self.masm.test_branch(Width::W32, cond, Cond::E, else_label);
        Ok(())
    }

    fn visit_else(&mut self) -> Result<()> {
        self.op_else()
    }

    fn visit_end(&mut self) -> Result<()> {
        self.op_end()
    }

    fn visit_try_table(&mut self, try_table: wasmparser::TryTable) -> Result<()> {
        self.op_try_table(try_table)
    }

    fn visit_throw(&mut self, tag_index: u32) -> Result<()> {
        self.op_throw(tag_index)
    }

    fn visit_throw_ref(&mut self) -> Result<()> {
        self.op_throw_ref()
    }

    fn visit_br(&mut self, relative_depth: u32) -> Result<()> {
        self.emit_branch(relative_depth)?;
        self.unreachable = true;
        Ok(())
    }

    fn visit_br_if(&mut self, relative_depth: u32) -> Result<()> {
        let cond = self.pop()?;
        let target = self.target(relative_depth)?;
        let cond = self.gpr_of(cond, Width::W32, Gpr::Rcx);
        if self.needs_moves(target) {
            let skip = self.masm.new_label();
            self.masm.test_branch(Width::W32, cond, Cond::E, skip);
            self.emit_branch(relative_depth)?;
            self.masm.bind(skip);
        } else {
            let label = self.ctrl[target].label;
            self.masm.test_branch(Width::W32, cond, Cond::Ne, label);
        }
        Ok(())
    }

    fn visit_br_table(&mut self, targets: BrTable<'a>) -> Result<()> {
        let index = self.pop()?;
        let mut depths = Vec::with_capacity(targets.len() as usize + 1);
        for t in targets.targets() {
            depths.push(t.map_err(|e| e.to_string())?);
        }
        depths.push(targets.default());
        self.load(Gpr::Rcx, index, Width::W32);
        let n = depths.len() as u32 - 1;
        // One stub per distinct depth.
        let mut stubs: Vec<(u32, Label)> = Vec::new();
        let mut entry_labels = Vec::with_capacity(depths.len());
        for &d in &depths {
            let label = match stubs.iter().find(|(depth, _)| *depth == d) {
                Some(&(_, l)) => l,
                None => {
                    let l = self.masm.new_label();
                    stubs.push((d, l));
                    l
                }
            };
            entry_labels.push(label);
        }
        let table = self.masm.new_label();
        let default = entry_labels[n as usize];
        self.masm
            .cmp_exact(Width::W32, Gpr::Rcx, Operand::Imm(n as i32));
        self.masm.branch(Cond::Ae, default);
        self.masm.jump_table(Gpr::Rcx, table);
        self.masm.align(4);
        self.masm.bind(table);
        let start = self.masm.offset() as u32;
        for &l in &entry_labels[..n as usize] {
            self.masm.emit_label_diff32(l, table);
        }
        self.data.push((start, self.masm.offset() as u32));
        for (d, l) in stubs {
            self.masm.bind(l);
            self.emit_branch(d)?;
        }
        self.unreachable = true;
        Ok(())
    }

    fn visit_return(&mut self) -> Result<()> {
        self.emit_return();
        self.unreachable = true;
        Ok(())
    }

    fn visit_call(&mut self, function_index: u32) -> Result<()> {
        self.op_call(function_index)
    }

    fn visit_call_indirect(&mut self, type_index: u32, table_index: u32) -> Result<()> {
        self.op_call_indirect(type_index, table_index)
    }

    fn visit_return_call(&mut self, function_index: u32) -> Result<()> {
        self.op_return_call(function_index)
    }

    fn visit_return_call_indirect(&mut self, type_index: u32, table_index: u32) -> Result<()> {
        self.op_return_call_indirect(type_index, table_index)
    }

    // ----- parametric -----

    fn visit_drop(&mut self) -> Result<()> {
        if self.top_is_v128() {
            self.pop()?;
        }
        self.pop()?;
        Ok(())
    }

    fn visit_select(&mut self) -> Result<()> {
        let cond = self.pop()?;
        if self.top_is_v128() {
            self.select_v128(cond);
            return Ok(());
        }
        let b = self.pop()?;
        let a = self.pop()?;
        self.select(a, b, cond);
        Ok(())
    }

    fn visit_typed_select(&mut self, _ty: ValType) -> Result<()> {
        self.visit_select()
    }

    // ----- variables -----

    fn visit_local_get(&mut self, local_index: u32) -> Result<()> {
        let (slot, width) = self.local_slot(local_index);
        if width == 2 {
            self.push_v128(Opd::Slot(slot), Opd::Slot(slot + 1));
            return Ok(());
        }
        let v = self.home(slot).unwrap_or(Opd::Slot(slot));
        self.push(v);
        Ok(())
    }

    fn visit_local_set(&mut self, local_index: u32) -> Result<()> {
        let (slot, width) = self.local_slot(local_index);
        if width == 2 {
            return self.set_v128_local(slot).map(|_| ());
        }
        let v = self.pop()?;
        self.flush_local(slot, v);
        match self.home(slot) {
            Some(home) => self.set_home(home, v),
            None => self.move_to(slot, v),
        }
        Ok(())
    }

    fn visit_local_tee(&mut self, local_index: u32) -> Result<()> {
        let (slot, width) = self.local_slot(local_index);
        if width == 2 {
            // The value stays where it is when that is a register, else it is read back
            // from the local.
            match self.set_v128_local(slot)? {
                Some(x) => self.push_v128(Opd::V128Low(x), Opd::V128High(x)),
                None => self.push_v128(Opd::Slot(slot), Opd::Slot(slot + 1)),
            }
            return Ok(());
        }
        let v = self.pop()?;
        self.flush_local(slot, v);
        if let Some(home) = self.home(slot) {
            self.set_home(home, v);
            self.push(home);
            return Ok(());
        }
        self.move_to(slot, v);
        // The result is the local's new value: the register or constant it came from, else
        // a deferred read of the local.
        match v {
            Opd::Slot(_) => self.push(Opd::Slot(slot)),
            _ => self.push(v),
        }
        Ok(())
    }

    fn visit_global_get(&mut self, global_index: u32) -> Result<()> {
        let globals = Mem::base_disp(VMCTX, vo::VMCTX_GLOBALS as i32);
        if self.global_is_v128(global_index) {
            // The value's 16 bytes, low half first, into two pool registers.
            let low = self.alloc_gpr(&[]);
            let high = self.alloc_gpr(&[Opd::Reg(low)]);
            self.masm.load_bits(Size::S64, Gpr::Rax, globals);
            self.masm.load_bits(
                Size::S64,
                Gpr::Rax,
                Mem::base_disp(Gpr::Rax, global_index as i32 * 8),
            );
            self.masm.load_bits(Size::S64, low, Mem::base(Gpr::Rax));
            self.masm
                .load_bits(Size::S64, high, Mem::base_disp(Gpr::Rax, 8));
            self.push_v128(Opd::Reg(low), Opd::Reg(high));
            return Ok(());
        }
        let dst = self.alloc_gpr(&[]);
        self.masm.load_bits(Size::S64, dst, globals);
        self.masm
            .load_bits(Size::S64, dst, Mem::base_disp(dst, global_index as i32 * 8));
        self.masm.load_bits(Size::S64, dst, Mem::base(dst));
        self.push(Opd::Reg(dst));
        Ok(())
    }

    fn visit_global_set(&mut self, global_index: u32) -> Result<()> {
        let globals = Mem::base_disp(VMCTX, vo::VMCTX_GLOBALS as i32);
        if self.global_is_v128(global_index) {
            let high = self.pop()?;
            let low = self.pop()?;
            let low = self.gpr_of(low, Width::W64, Gpr::Rcx);
            let high = self.gpr_of(high, Width::W64, Gpr::Rdx);
            self.masm.load_bits(Size::S64, Gpr::Rax, globals);
            let global = Mem::base_disp(Gpr::Rax, global_index as i32 * 8);
            self.masm.load_bits(Size::S64, Gpr::Rax, global);
            self.masm.store(Size::S64, Mem::base(Gpr::Rax), low);
            self.masm
                .store(Size::S64, Mem::base_disp(Gpr::Rax, 8), high);
            return Ok(());
        }
        let v = self.pop()?;
        let v = self.gpr_of(v, Width::W64, Gpr::Rcx);
        self.masm.load_bits(Size::S64, Gpr::Rax, globals);
        let global = Mem::base_disp(Gpr::Rax, global_index as i32 * 8);
        self.masm.load_bits(Size::S64, Gpr::Rax, global);
        self.masm.store(Size::S64, Mem::base(Gpr::Rax), v);
        Ok(())
    }

    // ----- memory -----

    fn visit_i32_load(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S32, Ext::Zero, Width::W32)
    }

    fn visit_i64_load(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S64, Ext::Zero, Width::W64)
    }

    fn visit_f32_load(&mut self, memarg: MemArg) -> Result<()> {
        self.load_float(memarg, Float::F32)
    }

    fn visit_f64_load(&mut self, memarg: MemArg) -> Result<()> {
        self.load_float(memarg, Float::F64)
    }

    fn visit_i32_load8_s(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S8, Ext::Sign, Width::W32)
    }

    fn visit_i32_load8_u(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S8, Ext::Zero, Width::W32)
    }

    fn visit_i32_load16_s(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S16, Ext::Sign, Width::W32)
    }

    fn visit_i32_load16_u(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S16, Ext::Zero, Width::W32)
    }

    fn visit_i64_load8_s(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S8, Ext::Sign, Width::W64)
    }

    fn visit_i64_load8_u(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S8, Ext::Zero, Width::W64)
    }

    fn visit_i64_load16_s(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S16, Ext::Sign, Width::W64)
    }

    fn visit_i64_load16_u(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S16, Ext::Zero, Width::W64)
    }

    fn visit_i64_load32_s(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S32, Ext::Sign, Width::W64)
    }

    fn visit_i64_load32_u(&mut self, memarg: MemArg) -> Result<()> {
        self.load_op(memarg, Size::S32, Ext::Zero, Width::W64)
    }

    fn visit_i32_store(&mut self, memarg: MemArg) -> Result<()> {
        self.store_op(memarg, Size::S32)
    }

    fn visit_i64_store(&mut self, memarg: MemArg) -> Result<()> {
        self.store_op(memarg, Size::S64)
    }

    fn visit_f32_store(&mut self, memarg: MemArg) -> Result<()> {
        self.store_op(memarg, Size::S32)
    }

    fn visit_f64_store(&mut self, memarg: MemArg) -> Result<()> {
        self.store_op(memarg, Size::S64)
    }

    fn visit_i32_store8(&mut self, memarg: MemArg) -> Result<()> {
        self.store_op(memarg, Size::S8)
    }

    fn visit_i32_store16(&mut self, memarg: MemArg) -> Result<()> {
        self.store_op(memarg, Size::S16)
    }

    fn visit_i64_store8(&mut self, memarg: MemArg) -> Result<()> {
        self.store_op(memarg, Size::S8)
    }

    fn visit_i64_store16(&mut self, memarg: MemArg) -> Result<()> {
        self.store_op(memarg, Size::S16)
    }

    fn visit_i64_store32(&mut self, memarg: MemArg) -> Result<()> {
        self.store_op(memarg, Size::S32)
    }

    fn visit_memory_size(&mut self, _mem: u32) -> Result<()> {
        let memory = Mem::base_disp(VMCTX, vo::VMCTX_MEMORY as i32);
        self.masm.load_bits(Size::S64, Gpr::Rax, memory);
        let len = Mem::base_disp(Gpr::Rax, vo::MEMORY_DEF_LEN as i32);
        self.masm.load_bits(Size::S64, Gpr::Rax, len);
        self.masm.shift_imm(Shift::Shr, Width::W64, Gpr::Rax, 16);
        self.push_rax();
        Ok(())
    }

    fn visit_memory_grow(&mut self, _mem: u32) -> Result<()> {
        let delta = self.pop()?;
        self.load(Gpr::Rsi, delta, Width::W32);
        self.helper_call(hi::MEMORY_GROW, false);
        self.push_rax();
        Ok(())
    }

    fn visit_memory_fill(&mut self, _mem: u32) -> Result<()> {
        let len = self.pop()?;
        let val = self.pop()?;
        let dst = self.pop()?;
        self.load(Gpr::Rsi, dst, Width::W32);
        self.load(Gpr::Rdx, val, Width::W32);
        self.load(Gpr::Rcx, len, Width::W32);
        self.helper_call(hi::MEMORY_FILL, true);
        Ok(())
    }

    fn visit_memory_copy(&mut self, _dst_mem: u32, _src_mem: u32) -> Result<()> {
        let len = self.pop()?;
        let src = self.pop()?;
        let dst = self.pop()?;
        self.load(Gpr::Rsi, dst, Width::W32);
        self.load(Gpr::Rdx, src, Width::W32);
        self.load(Gpr::Rcx, len, Width::W32);
        self.helper_call(hi::MEMORY_COPY, true);
        Ok(())
    }

    fn visit_memory_init(&mut self, data_index: u32, _mem: u32) -> Result<()> {
        let len = self.pop()?;
        let src = self.pop()?;
        let dst = self.pop()?;
        self.masm.mov_imm(Width::W32, Gpr::Rsi, data_index as i64);
        self.load(Gpr::Rdx, dst, Width::W32);
        self.load(Gpr::Rcx, src, Width::W32);
        self.load(Gpr::R8, len, Width::W32);
        self.helper_call(hi::MEMORY_INIT, true);
        Ok(())
    }

    fn visit_data_drop(&mut self, data_index: u32) -> Result<()> {
        self.masm.mov_imm(Width::W32, Gpr::Rsi, data_index as i64);
        self.helper_call(hi::DATA_DROP, false);
        Ok(())
    }

    // ----- tables and references -----

    fn visit_table_get(&mut self, table: u32) -> Result<()> {
        let index = self.pop()?;
        self.masm.mov_imm(Width::W32, Gpr::Rsi, table as i64);
        self.load(Gpr::Rdx, index, Width::W32);
        let h = self.stack.len();
        self.masm
            .lea(Width::W64, Gpr::Rcx, slot_mem(self.canonical(h)));
        self.helper_call(hi::TABLE_GET, true);
        self.push_slot_result();
        Ok(())
    }

    fn visit_table_set(&mut self, table: u32) -> Result<()> {
        let value = self.pop()?;
        let index = self.pop()?;
        self.masm.mov_imm(Width::W32, Gpr::Rsi, table as i64);
        self.load(Gpr::Rdx, index, Width::W32);
        self.load(Gpr::Rcx, value, Width::W64);
        self.helper_call(hi::TABLE_SET, true);
        Ok(())
    }

    fn visit_table_size(&mut self, table: u32) -> Result<()> {
        self.load_table_def(table);
        let len = Mem::base_disp(Gpr::Rax, vo::TABLE_DEF_LEN as i32);
        self.masm.load_bits(Size::S32, Gpr::Rax, len);
        self.push_rax();
        Ok(())
    }

    fn visit_table_grow(&mut self, table: u32) -> Result<()> {
        let delta = self.pop()?;
        let init = self.pop()?;
        self.masm.mov_imm(Width::W32, Gpr::Rsi, table as i64);
        self.load(Gpr::Rdx, init, Width::W64);
        self.load(Gpr::Rcx, delta, Width::W32);
        self.helper_call(hi::TABLE_GROW, false);
        self.push_rax();
        Ok(())
    }

    fn visit_table_fill(&mut self, table: u32) -> Result<()> {
        let len = self.pop()?;
        let value = self.pop()?;
        let dst = self.pop()?;
        self.masm.mov_imm(Width::W32, Gpr::Rsi, table as i64);
        self.load(Gpr::Rdx, dst, Width::W32);
        self.load(Gpr::Rcx, value, Width::W64);
        self.load(Gpr::R8, len, Width::W32);
        self.helper_call(hi::TABLE_FILL, true);
        Ok(())
    }

    fn visit_table_copy(&mut self, dst_table: u32, src_table: u32) -> Result<()> {
        let len = self.pop()?;
        let src = self.pop()?;
        let dst = self.pop()?;
        self.masm.mov_imm(Width::W32, Gpr::Rsi, dst_table as i64);
        self.masm.mov_imm(Width::W32, Gpr::Rdx, src_table as i64);
        self.load(Gpr::Rcx, dst, Width::W32);
        self.load(Gpr::R8, src, Width::W32);
        self.load(Gpr::R9, len, Width::W32);
        self.helper_call(hi::TABLE_COPY, true);
        Ok(())
    }

    fn visit_table_init(&mut self, elem_index: u32, table: u32) -> Result<()> {
        let len = self.pop()?;
        let src = self.pop()?;
        let dst = self.pop()?;
        self.masm.mov_imm(Width::W32, Gpr::Rsi, table as i64);
        self.masm.mov_imm(Width::W32, Gpr::Rdx, elem_index as i64);
        self.load(Gpr::Rcx, dst, Width::W32);
        self.load(Gpr::R8, src, Width::W32);
        self.load(Gpr::R9, len, Width::W32);
        self.helper_call(hi::TABLE_INIT, true);
        Ok(())
    }

    fn visit_elem_drop(&mut self, elem_index: u32) -> Result<()> {
        self.masm.mov_imm(Width::W32, Gpr::Rsi, elem_index as i64);
        self.helper_call(hi::ELEM_DROP, false);
        Ok(())
    }

    fn visit_ref_null(&mut self, _hty: HeapType) -> Result<()> {
        self.push_const(0);
        Ok(())
    }

    fn visit_ref_is_null(&mut self) -> Result<()> {
        let v = self.pop()?;
        self.load(Gpr::Rcx, v, Width::W64);
        self.masm.zero(Gpr::Rax);
        self.masm.cmp(Width::W64, Gpr::Rcx, Operand::Imm(0));
        self.masm.setcc(Cond::E, Gpr::Rax);
        self.push_rax();
        Ok(())
    }

    fn visit_ref_func(&mut self, function_index: u32) -> Result<()> {
        let funcs = Mem::base_disp(VMCTX, vo::VMCTX_FUNCS as i32);
        self.masm.load_bits(Size::S64, Gpr::Rax, funcs);
        let record = Mem::base_disp(Gpr::Rax, function_index as i32 * 8);
        self.masm.load_bits(Size::S64, Gpr::Rax, record);
        self.push_rax();
        Ok(())
    }

    // ----- constants -----

    fn visit_i32_const(&mut self, value: i32) -> Result<()> {
        self.push_const(value as u32 as u64);
        Ok(())
    }

    fn visit_i64_const(&mut self, value: i64) -> Result<()> {
        self.push_const(value as u64);
        Ok(())
    }

    fn visit_f32_const(&mut self, value: Ieee32) -> Result<()> {
        self.push_const(value.bits() as u64);
        Ok(())
    }

    fn visit_f64_const(&mut self, value: Ieee64) -> Result<()> {
        self.push_const(value.bits());
        Ok(())
    }

    // ----- integer compares -----

    fn visit_i32_eqz(&mut self) -> Result<()> {
        self.eqz(Width::W32)
    }

    fn visit_i64_eqz(&mut self) -> Result<()> {
        self.eqz(Width::W64)
    }

    fn visit_i32_eq(&mut self) -> Result<()> {
        self.icmp(Width::W32, ICmp::Eq)
    }

    fn visit_i32_ne(&mut self) -> Result<()> {
        self.icmp(Width::W32, ICmp::Ne)
    }

    fn visit_i32_lt_s(&mut self) -> Result<()> {
        self.icmp(Width::W32, ICmp::LtS)
    }

    fn visit_i32_lt_u(&mut self) -> Result<()> {
        self.icmp(Width::W32, ICmp::LtU)
    }

    fn visit_i32_gt_s(&mut self) -> Result<()> {
        self.icmp(Width::W32, ICmp::GtS)
    }

    fn visit_i32_gt_u(&mut self) -> Result<()> {
        self.icmp(Width::W32, ICmp::GtU)
    }

    fn visit_i32_le_s(&mut self) -> Result<()> {
        self.icmp(Width::W32, ICmp::LeS)
    }

    fn visit_i32_le_u(&mut self) -> Result<()> {
        self.icmp(Width::W32, ICmp::LeU)
    }

    fn visit_i32_ge_s(&mut self) -> Result<()> {
        self.icmp(Width::W32, ICmp::GeS)
    }

    fn visit_i32_ge_u(&mut self) -> Result<()> {
        self.icmp(Width::W32, ICmp::GeU)
    }

    fn visit_i64_eq(&mut self) -> Result<()> {
        self.icmp(Width::W64, ICmp::Eq)
    }

    fn visit_i64_ne(&mut self) -> Result<()> {
        self.icmp(Width::W64, ICmp::Ne)
    }

    fn visit_i64_lt_s(&mut self) -> Result<()> {
        self.icmp(Width::W64, ICmp::LtS)
    }

    fn visit_i64_lt_u(&mut self) -> Result<()> {
        self.icmp(Width::W64, ICmp::LtU)
    }

    fn visit_i64_gt_s(&mut self) -> Result<()> {
        self.icmp(Width::W64, ICmp::GtS)
    }

    fn visit_i64_gt_u(&mut self) -> Result<()> {
        self.icmp(Width::W64, ICmp::GtU)
    }

    fn visit_i64_le_s(&mut self) -> Result<()> {
        self.icmp(Width::W64, ICmp::LeS)
    }

    fn visit_i64_le_u(&mut self) -> Result<()> {
        self.icmp(Width::W64, ICmp::LeU)
    }

    fn visit_i64_ge_s(&mut self) -> Result<()> {
        self.icmp(Width::W64, ICmp::GeS)
    }

    fn visit_i64_ge_u(&mut self) -> Result<()> {
        self.icmp(Width::W64, ICmp::GeU)
    }

    // ----- float compares -----

    fn visit_f32_eq(&mut self) -> Result<()> {
        self.fcmp(Float::F32, FCmp::Eq)
    }

    fn visit_f32_ne(&mut self) -> Result<()> {
        self.fcmp(Float::F32, FCmp::Ne)
    }

    fn visit_f32_lt(&mut self) -> Result<()> {
        self.fcmp(Float::F32, FCmp::Lt)
    }

    fn visit_f32_gt(&mut self) -> Result<()> {
        self.fcmp(Float::F32, FCmp::Gt)
    }

    fn visit_f32_le(&mut self) -> Result<()> {
        self.fcmp(Float::F32, FCmp::Le)
    }

    fn visit_f32_ge(&mut self) -> Result<()> {
        self.fcmp(Float::F32, FCmp::Ge)
    }

    fn visit_f64_eq(&mut self) -> Result<()> {
        self.fcmp(Float::F64, FCmp::Eq)
    }

    fn visit_f64_ne(&mut self) -> Result<()> {
        self.fcmp(Float::F64, FCmp::Ne)
    }

    fn visit_f64_lt(&mut self) -> Result<()> {
        self.fcmp(Float::F64, FCmp::Lt)
    }

    fn visit_f64_gt(&mut self) -> Result<()> {
        self.fcmp(Float::F64, FCmp::Gt)
    }

    fn visit_f64_le(&mut self) -> Result<()> {
        self.fcmp(Float::F64, FCmp::Le)
    }

    fn visit_f64_ge(&mut self) -> Result<()> {
        self.fcmp(Float::F64, FCmp::Ge)
    }

    // ----- integer arithmetic -----

    fn visit_i32_clz(&mut self) -> Result<()> {
        self.clz(Width::W32)
    }

    fn visit_i32_ctz(&mut self) -> Result<()> {
        self.ctz(Width::W32)
    }

    fn visit_i32_popcnt(&mut self) -> Result<()> {
        self.popcnt(Width::W32)
    }

    fn visit_i32_add(&mut self) -> Result<()> {
        self.alu(Width::W32, Alu::Add)
    }

    fn visit_i32_sub(&mut self) -> Result<()> {
        self.alu(Width::W32, Alu::Sub)
    }

    fn visit_i32_mul(&mut self) -> Result<()> {
        self.mul(Width::W32)
    }

    fn visit_i32_div_s(&mut self) -> Result<()> {
        self.div(Width::W32, DivOp::DivS)
    }

    fn visit_i32_div_u(&mut self) -> Result<()> {
        self.div(Width::W32, DivOp::DivU)
    }

    fn visit_i32_rem_s(&mut self) -> Result<()> {
        self.div(Width::W32, DivOp::RemS)
    }

    fn visit_i32_rem_u(&mut self) -> Result<()> {
        self.div(Width::W32, DivOp::RemU)
    }

    fn visit_i32_and(&mut self) -> Result<()> {
        self.alu(Width::W32, Alu::And)
    }

    fn visit_i32_or(&mut self) -> Result<()> {
        self.alu(Width::W32, Alu::Or)
    }

    fn visit_i32_xor(&mut self) -> Result<()> {
        self.alu(Width::W32, Alu::Xor)
    }

    fn visit_i32_shl(&mut self) -> Result<()> {
        self.shift(Width::W32, Shift::Shl)
    }

    fn visit_i32_shr_s(&mut self) -> Result<()> {
        self.shift(Width::W32, Shift::Sar)
    }

    fn visit_i32_shr_u(&mut self) -> Result<()> {
        self.shift(Width::W32, Shift::Shr)
    }

    fn visit_i32_rotl(&mut self) -> Result<()> {
        self.shift(Width::W32, Shift::Rol)
    }

    fn visit_i32_rotr(&mut self) -> Result<()> {
        self.shift(Width::W32, Shift::Ror)
    }

    fn visit_i64_clz(&mut self) -> Result<()> {
        self.clz(Width::W64)
    }

    fn visit_i64_ctz(&mut self) -> Result<()> {
        self.ctz(Width::W64)
    }

    fn visit_i64_popcnt(&mut self) -> Result<()> {
        self.popcnt(Width::W64)
    }

    fn visit_i64_add(&mut self) -> Result<()> {
        self.alu(Width::W64, Alu::Add)
    }

    fn visit_i64_sub(&mut self) -> Result<()> {
        self.alu(Width::W64, Alu::Sub)
    }

    fn visit_i64_mul(&mut self) -> Result<()> {
        self.mul(Width::W64)
    }

    fn visit_i64_div_s(&mut self) -> Result<()> {
        self.div(Width::W64, DivOp::DivS)
    }

    fn visit_i64_div_u(&mut self) -> Result<()> {
        self.div(Width::W64, DivOp::DivU)
    }

    fn visit_i64_rem_s(&mut self) -> Result<()> {
        self.div(Width::W64, DivOp::RemS)
    }

    fn visit_i64_rem_u(&mut self) -> Result<()> {
        self.div(Width::W64, DivOp::RemU)
    }

    fn visit_i64_and(&mut self) -> Result<()> {
        self.alu(Width::W64, Alu::And)
    }

    fn visit_i64_or(&mut self) -> Result<()> {
        self.alu(Width::W64, Alu::Or)
    }

    fn visit_i64_xor(&mut self) -> Result<()> {
        self.alu(Width::W64, Alu::Xor)
    }

    fn visit_i64_shl(&mut self) -> Result<()> {
        self.shift(Width::W64, Shift::Shl)
    }

    fn visit_i64_shr_s(&mut self) -> Result<()> {
        self.shift(Width::W64, Shift::Sar)
    }

    fn visit_i64_shr_u(&mut self) -> Result<()> {
        self.shift(Width::W64, Shift::Shr)
    }

    fn visit_i64_rotl(&mut self) -> Result<()> {
        self.shift(Width::W64, Shift::Rol)
    }

    fn visit_i64_rotr(&mut self) -> Result<()> {
        self.shift(Width::W64, Shift::Ror)
    }

    // ----- float arithmetic -----

    fn visit_f32_abs(&mut self) -> Result<()> {
        self.fsign(Float::F32, SseLogic::And, 0x7fff_ffff)
    }

    fn visit_f32_neg(&mut self) -> Result<()> {
        self.fsign(Float::F32, SseLogic::Xor, 0x8000_0000)
    }

    fn visit_f32_ceil(&mut self) -> Result<()> {
        self.round(Float::F32, RoundMode::Up, fop::F32_CEIL)
    }

    fn visit_f32_floor(&mut self) -> Result<()> {
        self.round(Float::F32, RoundMode::Down, fop::F32_FLOOR)
    }

    fn visit_f32_trunc(&mut self) -> Result<()> {
        self.round(Float::F32, RoundMode::Trunc, fop::F32_TRUNC)
    }

    fn visit_f32_nearest(&mut self) -> Result<()> {
        self.round(Float::F32, RoundMode::Nearest, fop::F32_NEAREST)
    }

    fn visit_f32_sqrt(&mut self) -> Result<()> {
        self.fsqrt(Float::F32)
    }

    fn visit_f32_add(&mut self) -> Result<()> {
        self.fbin(Float::F32, SseArith::Add)
    }

    fn visit_f32_sub(&mut self) -> Result<()> {
        self.fbin(Float::F32, SseArith::Sub)
    }

    fn visit_f32_mul(&mut self) -> Result<()> {
        self.fbin(Float::F32, SseArith::Mul)
    }

    fn visit_f32_div(&mut self) -> Result<()> {
        self.fbin(Float::F32, SseArith::Div)
    }

    fn visit_f32_min(&mut self) -> Result<()> {
        self.float_op2(fop::F32_MIN)
    }

    fn visit_f32_max(&mut self) -> Result<()> {
        self.float_op2(fop::F32_MAX)
    }

    fn visit_f32_copysign(&mut self) -> Result<()> {
        self.fcopysign(Float::F32, 0x7fff_ffff)
    }

    fn visit_f64_abs(&mut self) -> Result<()> {
        self.fsign(Float::F64, SseLogic::And, i64::MAX as u64)
    }

    fn visit_f64_neg(&mut self) -> Result<()> {
        self.fsign(Float::F64, SseLogic::Xor, 1 << 63)
    }

    fn visit_f64_ceil(&mut self) -> Result<()> {
        self.round(Float::F64, RoundMode::Up, fop::F64_CEIL)
    }

    fn visit_f64_floor(&mut self) -> Result<()> {
        self.round(Float::F64, RoundMode::Down, fop::F64_FLOOR)
    }

    fn visit_f64_trunc(&mut self) -> Result<()> {
        self.round(Float::F64, RoundMode::Trunc, fop::F64_TRUNC)
    }

    fn visit_f64_nearest(&mut self) -> Result<()> {
        self.round(Float::F64, RoundMode::Nearest, fop::F64_NEAREST)
    }

    fn visit_f64_sqrt(&mut self) -> Result<()> {
        self.fsqrt(Float::F64)
    }

    fn visit_f64_add(&mut self) -> Result<()> {
        self.fbin(Float::F64, SseArith::Add)
    }

    fn visit_f64_sub(&mut self) -> Result<()> {
        self.fbin(Float::F64, SseArith::Sub)
    }

    fn visit_f64_mul(&mut self) -> Result<()> {
        self.fbin(Float::F64, SseArith::Mul)
    }

    fn visit_f64_div(&mut self) -> Result<()> {
        self.fbin(Float::F64, SseArith::Div)
    }

    fn visit_f64_min(&mut self) -> Result<()> {
        self.float_op2(fop::F64_MIN)
    }

    fn visit_f64_max(&mut self) -> Result<()> {
        self.float_op2(fop::F64_MAX)
    }

    fn visit_f64_copysign(&mut self) -> Result<()> {
        self.fcopysign(Float::F64, i64::MAX as u64)
    }

    // ----- conversions -----

    fn visit_i32_wrap_i64(&mut self) -> Result<()> {
        let v = self.pop()?;
        match v {
            Opd::Const(c) => self.push_const(c as u32 as u64),
            _ => {
                let dst = self.result_gpr(v, &[]);
                match v {
                    // A 32-bit move zero-extends, even to the same register.
                    Opd::Reg(r) => self.masm.mov(Size::S32, dst, r),
                    _ => self.load(dst, v, Width::W32),
                }
                self.push(Opd::Reg(dst));
            }
        }
        Ok(())
    }

    fn visit_i32_trunc_f32_s(&mut self) -> Result<()> {
        self.convert(conv::I32_TRUNC_F32_S)
    }

    fn visit_i32_trunc_f32_u(&mut self) -> Result<()> {
        self.convert(conv::I32_TRUNC_F32_U)
    }

    fn visit_i32_trunc_f64_s(&mut self) -> Result<()> {
        self.convert(conv::I32_TRUNC_F64_S)
    }

    fn visit_i32_trunc_f64_u(&mut self) -> Result<()> {
        self.convert(conv::I32_TRUNC_F64_U)
    }

    fn visit_i64_extend_i32_s(&mut self) -> Result<()> {
        let v = self.pop()?;
        match v {
            Opd::Const(c) => self.push_const(c as u32 as i32 as i64 as u64),
            _ => {
                let dst = self.result_gpr(v, &[]);
                match v {
                    Opd::Slot(s) => self.masm.sign_extend32_mem(dst, slot_mem(s)),
                    _ => {
                        let src = self.gpr_of(v, Width::W32, Gpr::Rcx);
                        self.masm.sign_extend32(dst, src);
                    }
                }
                self.push(Opd::Reg(dst));
            }
        }
        Ok(())
    }

    fn visit_i64_extend_i32_u(&mut self) -> Result<()> {
        // The same bits as a wrap: an i32 is zero-extended everywhere.
        self.visit_i32_wrap_i64()
    }

    fn visit_i64_trunc_f32_s(&mut self) -> Result<()> {
        self.convert(conv::I64_TRUNC_F32_S)
    }

    fn visit_i64_trunc_f32_u(&mut self) -> Result<()> {
        self.convert(conv::I64_TRUNC_F32_U)
    }

    fn visit_i64_trunc_f64_s(&mut self) -> Result<()> {
        self.convert(conv::I64_TRUNC_F64_S)
    }

    fn visit_i64_trunc_f64_u(&mut self) -> Result<()> {
        self.convert(conv::I64_TRUNC_F64_U)
    }

    fn visit_f32_convert_i32_s(&mut self) -> Result<()> {
        self.int_to_float(Float::F32, Width::W32)
    }

    fn visit_f32_convert_i32_u(&mut self) -> Result<()> {
        // Zero-extended in its register or slot: the 64-bit signed form converts it exactly.
        self.int_to_float(Float::F32, Width::W64)
    }

    fn visit_f32_convert_i64_s(&mut self) -> Result<()> {
        self.int_to_float(Float::F32, Width::W64)
    }

    fn visit_f32_convert_i64_u(&mut self) -> Result<()> {
        self.convert(conv::F32_CONVERT_I64_U)
    }

    fn visit_f32_demote_f64(&mut self) -> Result<()> {
        let v = self.pop()?;
        // In place: no dependency on an unrelated register's upper bits.
        let dst = self.result_xmm(v, &[]);
        self.load_xmm(dst, v, Float::F64);
        self.masm.demote(dst);
        self.push(Opd::Xmm(dst, Float::F32));
        Ok(())
    }

    fn visit_f64_convert_i32_s(&mut self) -> Result<()> {
        self.int_to_float(Float::F64, Width::W32)
    }

    fn visit_f64_convert_i32_u(&mut self) -> Result<()> {
        self.int_to_float(Float::F64, Width::W64)
    }

    fn visit_f64_convert_i64_s(&mut self) -> Result<()> {
        self.int_to_float(Float::F64, Width::W64)
    }

    fn visit_f64_convert_i64_u(&mut self) -> Result<()> {
        self.convert(conv::F64_CONVERT_I64_U)
    }

    fn visit_f64_promote_f32(&mut self) -> Result<()> {
        let v = self.pop()?;
        let dst = self.result_xmm(v, &[]);
        self.load_xmm(dst, v, Float::F32);
        self.masm.promote(dst);
        self.push(Opd::Xmm(dst, Float::F64));
        Ok(())
    }

    // Slots and registers hold raw bits: reinterpretation moves nothing.

    fn visit_i32_reinterpret_f32(&mut self) -> Result<()> {
        Ok(())
    }

    fn visit_i64_reinterpret_f64(&mut self) -> Result<()> {
        Ok(())
    }

    fn visit_f32_reinterpret_i32(&mut self) -> Result<()> {
        Ok(())
    }

    fn visit_f64_reinterpret_i64(&mut self) -> Result<()> {
        Ok(())
    }

    // ----- sign extension -----

    fn visit_i32_extend8_s(&mut self) -> Result<()> {
        self.sign_extend(ExtFrom::S8, Width::W32)
    }

    fn visit_i32_extend16_s(&mut self) -> Result<()> {
        self.sign_extend(ExtFrom::S16, Width::W32)
    }

    fn visit_i64_extend8_s(&mut self) -> Result<()> {
        self.sign_extend(ExtFrom::S8, Width::W64)
    }

    fn visit_i64_extend16_s(&mut self) -> Result<()> {
        self.sign_extend(ExtFrom::S16, Width::W64)
    }

    fn visit_i64_extend32_s(&mut self) -> Result<()> {
        self.visit_i64_extend_i32_s()
    }

    // ----- saturating truncation -----

    fn visit_i32_trunc_sat_f32_s(&mut self) -> Result<()> {
        self.convert(conv::SAT + conv::I32_TRUNC_F32_S)
    }

    fn visit_i32_trunc_sat_f32_u(&mut self) -> Result<()> {
        self.convert(conv::SAT + conv::I32_TRUNC_F32_U)
    }

    fn visit_i32_trunc_sat_f64_s(&mut self) -> Result<()> {
        self.convert(conv::SAT + conv::I32_TRUNC_F64_S)
    }

    fn visit_i32_trunc_sat_f64_u(&mut self) -> Result<()> {
        self.convert(conv::SAT + conv::I32_TRUNC_F64_U)
    }

    fn visit_i64_trunc_sat_f32_s(&mut self) -> Result<()> {
        self.convert(conv::SAT + conv::I64_TRUNC_F32_S)
    }

    fn visit_i64_trunc_sat_f32_u(&mut self) -> Result<()> {
        self.convert(conv::SAT + conv::I64_TRUNC_F32_U)
    }

    fn visit_i64_trunc_sat_f64_s(&mut self) -> Result<()> {
        self.convert(conv::SAT + conv::I64_TRUNC_F64_S)
    }

    fn visit_i64_trunc_sat_f64_u(&mut self) -> Result<()> {
        self.convert(conv::SAT + conv::I64_TRUNC_F64_U)
    }
}

impl<'a> VisitSimdOperator<'a> for Compiler<'_> {
    wasmparser::for_each_visit_simd_operator!(reject_proposals);
}
