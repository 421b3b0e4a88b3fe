//! Calls: to functions in the same buffer, through function records (other instances,
//! other tiers, `CALL_SLOW`), `call_indirect` with its checks; runtime and JIT helpers and
//! the trap sites they branch to.

use crate::jit::exec_context::{exec_offsets as ex, jit_helper};
use crate::jit::masm::{Alu, Cond, Gpr, Label, Mem, Size, Width};
use crate::module::slot_shape;
use crate::runtime::TrapCode;
use crate::runtime::vmctx::offsets as vo;

use super::abi::*;
use super::compiler::*;
use crate::jit::abi;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

impl Compiler<'_> {
    pub(super) fn trap_label(&mut self, code: TrapCode) -> Label {
        let label = self.masm.new_label();
        self.traps.push(TrapSite {
            label,
            code: Some(code),
            wasm_offset: self.offset,
        });
        label
    }

    /// A trap site whose code is in `eax`.
    pub(super) fn dynamic_trap_label(&mut self) -> Label {
        let label = self.masm.new_label();
        self.traps.push(TrapSite {
            label,
            code: None,
            wasm_offset: self.offset,
        });
        label
    }

    /// `test eax, eax; jnz trap(eax)` after a helper returning a trap code.
    pub(super) fn check_helper_trap(&mut self) {
        let trap = self.dynamic_trap_label();
        self.masm.test_branch(Width::W32, Gpr::Rax, Cond::Ne, trap);
    }

    pub(super) fn call_runtime_helper(&mut self, index: usize) {
        self.masm.load_bits(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(VMCTX, vo::VMCTX_HELPERS as i32),
        );
        self.masm
            .call_mem(Mem::base_disp(Gpr::Rax, (index * 8) as i32));
    }

    pub(super) fn call_jit_helper(&mut self, index: usize) {
        self.masm
            .call_mem(Mem::base_disp(EXEC, ex::HELPERS + (index * 8) as i32));
    }

    /// Calls runtime helper `index` with `rdi = vmctx` (other arguments already loaded);
    /// `check` tests the returned trap code.
    pub(super) fn helper_call(&mut self, index: usize, check: bool) {
        self.masm.mov(Size::S64, Gpr::Rdi, VMCTX);
        self.call_runtime_helper(index);
        if check {
            self.check_helper_trap();
        }
    }

    pub(super) fn load_table_def(&mut self, table: u32) {
        self.masm.load_bits(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(VMCTX, vo::VMCTX_TABLES as i32),
        );
        self.masm.load_bits(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(Gpr::Rax, table as i32 * 8),
        );
    }

    /// A callee's param slots and the slot shape of its results (`FuncType::param_slots`:
    /// the calling convention of every tier).
    pub(super) fn func_type_of(&self, func_index: u32) -> Result<(u32, Vec<bool>)> {
        let ty = self
            .module
            .func_types
            .get(func_index as usize)
            .and_then(|t| self.module.types.get(*t as usize))
            .ok_or_else(|| format!("jit: unknown function {func_index}"))?;
        Ok((ty.param_slots(), slot_shape(ty.results.iter().copied())))
    }

    /// Materializes everything and returns the height where the arguments start.
    pub(super) fn prepare_call(&mut self, params: u32, results: u32) -> Result<u32> {
        self.materialize_all();
        let len = self.stack.len() as u32;
        let base = len
            .checked_sub(params)
            .ok_or_else(|| "jit: call arguments missing".to_string())?;
        // Host functions use max(params, results) slots at the base.
        self.max_height = self.max_height.max(base + params.max(results));
        Ok(base)
    }

    pub(super) fn finish_call(&mut self, base: u32, results: &[bool]) {
        self.reset_stack(base, results);
    }

    pub(super) fn op_call(&mut self, function_index: u32) -> Result<()> {
        let (params, results) = self.func_type_of(function_index)?;
        let base = self.prepare_call(params, results.len() as u32)?;
        let frame_offset = (self.nl + base) as i32 * 8;
        let direct = function_index
            .checked_sub(self.module.num_imported_funcs)
            .and_then(|defined| self.func_labels.get(defined as usize).copied().flatten());
        if self.in_try() {
            abi::load_func_record(self.masm, function_index);
            self.call_catching(frame_offset);
        } else if let Some(label) = direct {
            abi::call_direct(self.masm, frame_offset, label);
        } else {
            abi::load_func_record(self.masm, function_index);
            // A function defined here runs with this instance's context and memory.
            let same_instance = function_index >= self.module.num_imported_funcs;
            self.call_record(frame_offset, same_instance);
        }
        self.finish_call(base, &results);
        Ok(())
    }

    /// Calls the record in `rsi` with its frame at `fp + frame_offset`; `same_instance`: the
    /// record is known to be of this instance (no switch of `r15`/`r13`).
    pub(super) fn call_record(&mut self, frame_offset: i32, same_instance: bool) {
        let trap = self.dynamic_trap_label();
        abi::call_record(self.masm, frame_offset, same_instance, trap);
    }

    pub(super) fn op_call_indirect(&mut self, type_index: u32, table_index: u32) -> Result<()> {
        let (params, results) = self.type_arity(type_index)?;
        let index = self.pop()?;
        let base = self.prepare_call(params, results.len() as u32)?;
        self.load_indirect_record(index, type_index, table_index);
        let frame_offset = (self.nl + base) as i32 * 8;
        if self.in_try() {
            self.call_catching(frame_offset);
        } else {
            self.call_record(frame_offset, false);
        }
        self.finish_call(base, &results);
        Ok(())
    }

    /// [`Compiler::func_type_of`] for type `type_index`.
    fn type_arity(&self, type_index: u32) -> Result<(u32, Vec<bool>)> {
        let ty = self
            .module
            .types
            .get(type_index as usize)
            .ok_or_else(|| format!("jit: unknown type {type_index}"))?;
        Ok((ty.param_slots(), slot_shape(ty.results.iter().copied())))
    }

    /// The checks of `call_indirect` on the table index `index`; leaves the callee's record
    /// in `rsi`.
    fn load_indirect_record(&mut self, index: Opd, type_index: u32, table_index: u32) {
        self.load(Gpr::Rcx, index, Width::W32);
        let (masm, traps, offset) = (&mut *self.masm, &mut self.traps, self.offset);
        abi::indirect_callee(masm, table_index, type_index, &mut |masm, code| {
            let label = masm.new_label();
            traps.push(TrapSite {
                label,
                code: Some(code),
                wasm_offset: offset,
            });
            label
        });
    }

    // ----- tail calls (ARCHITECTURE.md "Calls across tiers") -----

    /// `return_call`: the callee's frame replaces this one, and the native frame goes before
    /// the jump, so a chain of tail calls runs in constant stack on both stacks.
    pub(super) fn op_return_call(&mut self, function_index: u32) -> Result<()> {
        let (params, results) = self.func_type_of(function_index)?;
        let base = self.prepare_call(params, results.len() as u32)?;
        self.move_tail_args(base, params);
        let direct = function_index
            .checked_sub(self.module.num_imported_funcs)
            .and_then(|defined| self.func_labels.get(defined as usize).copied().flatten());
        if let Some(label) = direct {
            self.tail_epilogue();
            self.masm.jmp(label);
        } else {
            abi::load_func_record(self.masm, function_index);
            let same_instance = function_index >= self.module.num_imported_funcs;
            self.tail_call_record(same_instance);
        }
        self.unreachable = true;
        Ok(())
    }

    pub(super) fn op_return_call_indirect(
        &mut self,
        type_index: u32,
        table_index: u32,
    ) -> Result<()> {
        let (params, results) = self.type_arity(type_index)?;
        let index = self.pop()?;
        let base = self.prepare_call(params, results.len() as u32)?;
        // The checks trap in this function, before its frame is replaced.
        self.load_indirect_record(index, type_index, table_index);
        self.move_tail_args(base, params);
        self.tail_call_record(false);
        self.unreachable = true;
        Ok(())
    }

    /// Moves the arguments (materialized at canonical heights `base..`) to `fp[0..params]`,
    /// where the callee's frame starts. Ascending order is safe: each source slot lies above
    /// every destination written before it is read.
    fn move_tail_args(&mut self, base: u32, params: u32) {
        for i in 0..params {
            self.move_to(i, Opd::Slot(self.nl + base + i));
        }
    }

    /// The epilogue without its `ret`: the frame's unit of the call-depth budget goes back
    /// (the callee's prologue takes its own) and `rbp` is restored, so the return address
    /// into this function's caller is on top of the stack, as at a call.
    fn tail_epilogue(&mut self) {
        self.masm.alu_mem_imm(
            Alu::Add,
            Width::W64,
            Mem::base_disp(EXEC, ex::DEPTH_LEFT),
            1,
        );
        self.masm.pop(Gpr::Rbp);
    }

    /// Tail-calls the record in `rsi` (arguments already at `fp[0..]`): compiled code of this
    /// instance is jumped to; anything else (no code yet, a host function, another instance,
    /// whose return must not leave that instance's `r15`/`r13` to this function's caller)
    /// goes to `TAIL_CALL_SLOW`, jumped to with `rdi` = this instance's context.
    fn tail_call_record(&mut self, same_instance: bool) {
        let slow = self.masm.new_label();
        self.masm.load_bits(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(Gpr::Rsi, vo::FUNC_RECORD_CODE as i32),
        );
        self.masm.test_branch(Width::W64, Gpr::Rax, Cond::E, slow);
        if !same_instance {
            self.masm.cmp(
                Width::W64,
                VMCTX,
                Mem::base_disp(Gpr::Rsi, vo::FUNC_RECORD_VMCTX as i32),
            );
            self.masm.branch(Cond::Ne, slow);
        }
        self.tail_epilogue();
        self.masm.jmp_reg(Gpr::Rax);
        self.masm.bind(slow);
        self.masm.mov(Size::S64, Gpr::Rdi, VMCTX);
        self.masm.load_bits(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(EXEC, ex::HELPERS + (jit_helper::TAIL_CALL_SLOW * 8) as i32),
        );
        self.tail_epilogue();
        self.masm.jmp_reg(Gpr::Rax);
    }
}
