//! Calls: to functions in the same buffer, through function records (other instances,
//! other tiers, `CALL_SLOW`), `call_indirect` with its checks; runtime and JIT helpers and
//! the trap sites they branch to.

use crate::jit::exec_context::exec_offsets as ex;
use crate::jit::masm::{Cond, Gpr, Label, Mem, Size, Width};
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

    pub(super) fn func_type_of(&self, func_index: u32) -> Result<(u32, u32)> {
        let ty = self
            .module
            .func_types
            .get(func_index as usize)
            .and_then(|t| self.module.types.get(*t as usize))
            .ok_or_else(|| format!("jit: unknown function {func_index}"))?;
        Ok((ty.params.len() as u32, ty.results.len() as u32))
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

    pub(super) fn finish_call(&mut self, base: u32, results: u32) {
        self.reset_stack(base, results);
    }

    pub(super) fn op_call(&mut self, function_index: u32) -> Result<()> {
        let (params, results) = self.func_type_of(function_index)?;
        let base = self.prepare_call(params, results)?;
        let frame_offset = (self.nl + base) as i32 * 8;
        let direct = function_index
            .checked_sub(self.module.num_imported_funcs)
            .and_then(|defined| self.func_labels.get(defined as usize).copied().flatten());
        if let Some(label) = direct {
            abi::call_direct(self.masm, frame_offset, label);
        } else {
            abi::load_func_record(self.masm, function_index);
            // A function defined here runs with this instance's context and memory.
            let same_instance = function_index >= self.module.num_imported_funcs;
            self.call_record(frame_offset, same_instance);
        }
        self.finish_call(base, results);
        Ok(())
    }

    /// Calls the record in `rsi` with its frame at `fp + frame_offset`; `same_instance`: the
    /// record is known to be of this instance (no switch of `r15`/`r13`).
    pub(super) fn call_record(&mut self, frame_offset: i32, same_instance: bool) {
        let trap = self.dynamic_trap_label();
        abi::call_record(self.masm, frame_offset, same_instance, trap);
    }

    pub(super) fn op_call_indirect(&mut self, type_index: u32, table_index: u32) -> Result<()> {
        let ty = self
            .module
            .types
            .get(type_index as usize)
            .ok_or_else(|| format!("jit: unknown type {type_index}"))?;
        let (params, results) = (ty.params.len() as u32, ty.results.len() as u32);
        let index = self.pop()?;
        let base = self.prepare_call(params, results)?;
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
        let frame_offset = (self.nl + base) as i32 * 8;
        self.call_record(frame_offset, false);
        self.finish_call(base, results);
        Ok(())
    }
}
