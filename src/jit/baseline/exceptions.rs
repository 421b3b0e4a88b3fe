//! Exception handling (ARCHITECTURE.md "Exceptions"): `try_table`, `throw`, `throw_ref`,
//! and the calls inside a `try_table` body.
//!
//! No handler table and no unwinder of compiled frames: every place where an exception can
//! reach a handler of this function is a known site of its code (a `throw`/`throw_ref`,
//! or a call inside a `try_table` body), and each site's helper returns the exception to
//! it as a status (`EXCEPTION_IN_FLIGHT`) instead of unwinding. A call inside a body goes
//! through `CALL_CATCHING`, which runs any callee under a nested entry, so compiled frames
//! the exception leaves are unwound by the trap path, exactly like a trap. The site then
//! tries the catch clauses of the enclosing `try_table`s of this function, innermost first
//! (`CATCH` per clause, which writes the payload and exnref to the handler's canonical
//! slots), and jumps to the landing pad of the clause that caught it; when none does,
//! `RAISE` turns it into a trap for the site's trap stub, and it leaves the frame like any
//! trap. Calls outside bodies are unchanged, so code without `try_table` pays nothing.
//!
//! The pads are emitted at the `try_table`, jumped over: each resets the abstract stack to
//! the block's height below its params plus the clause's values in their canonical slots
//! (the block entry materializes everything below, so those entries are canonical in the
//! whole body), reloads the home registers (every site stored them before its helper
//! call) and branches to the clause's label like `br`.

use wasmparser::{Catch, TryTable};

use crate::jit::exec_context::{exception_helper, exec_offsets as ex};
use crate::jit::masm::{Cond, Gpr, Label, Mem, Operand, Size, Width};

use super::abi::*;
use super::compiler::*;
use super::control::block_shape;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

/// An open `try_table` with catch clauses.
pub(super) struct TryScope {
    /// `ctrl.len()` while its body is open.
    pub(super) depth: usize,
    /// Canonical slot of the first value a clause passes (the block's height below its
    /// params).
    pub(super) values_slot: u32,
    pub(super) clauses: Vec<CatchPad>,
}

#[derive(Clone, Copy)]
pub(super) struct CatchPad {
    /// Tag index, `None` for `catch_all`/`catch_all_ref`.
    tag: Option<u32>,
    by_ref: bool,
    pad: Label,
}

impl Compiler<'_> {
    /// Whether a call here is inside a `try_table` body of this function with a clause.
    pub(super) fn in_try(&self) -> bool {
        !self.try_scopes.is_empty()
    }

    pub(super) fn op_try_table(&mut self, try_table: TryTable) -> Result<()> {
        let params = block_shape(self.module, try_table.ty)?.0.len() as u32;
        self.materialize_all();
        let height = (self.stack.len() as u32)
            .checked_sub(params)
            .ok_or_else(|| "jit: try_table params missing".to_string())?;
        let mut clauses = Vec::with_capacity(try_table.catches.len());
        if !try_table.catches.is_empty() {
            let over = self.masm.new_label();
            self.masm.jmp(over);
            // The clauses' pads reset the stack; the body starts from it as it is (both the
            // entries and their v128 flags).
            let body_stack = self.stack.clone();
            let body_high = self.high.clone();
            for catch in try_table.catches {
                let (tag, by_ref, depth) = match catch {
                    Catch::One { tag, label } => (Some(tag), false, label),
                    Catch::OneRef { tag, label } => (Some(tag), true, label),
                    Catch::All { label } => (None, false, label),
                    Catch::AllRef { label } => (None, true, label),
                };
                // The clause's values: the payload's slots, then the exnref.
                let mut values = match tag {
                    Some(tag) => {
                        let params = self
                            .module
                            .tag_params(tag)
                            .ok_or_else(|| format!("jit: unknown tag {tag}"))?;
                        crate::module::slot_shape(params.iter().copied())
                    }
                    None => Vec::new(),
                };
                if by_ref {
                    values.push(false);
                }
                let pad = self.masm.new_label();
                self.masm.bind(pad);
                self.reset_stack(height, &values);
                self.load_homes();
                // Catch labels are relative to the block around the `try_table`, whose
                // control frame is not pushed yet.
                self.emit_branch(depth)?;
                self.stack.clone_from(&body_stack);
                self.high.clone_from(&body_high);
                clauses.push(CatchPad { tag, by_ref, pad });
            }
            self.masm.bind(over);
        }
        self.enter_block(Kind::Block, try_table.ty)?;
        if !clauses.is_empty() {
            self.try_scopes.push(TryScope {
                depth: self.ctrl.len(),
                values_slot: self.canonical(height as usize),
                clauses,
            });
        }
        Ok(())
    }

    fn call_exception_helper(&mut self, index: usize) {
        self.masm.call_mem(Mem::base_disp(
            EXEC,
            ex::EXCEPTION_HELPERS + (index * 8) as i32,
        ));
    }

    /// Closes the scopes of `try_table`s whose control frame was popped.
    pub(super) fn close_try_scopes(&mut self) {
        while self
            .try_scopes
            .last()
            .is_some_and(|scope| scope.depth > self.ctrl.len())
        {
            self.try_scopes.pop();
        }
    }

    /// `throw`: the payload (materialized before the visit) is the top of the stack.
    pub(super) fn op_throw(&mut self, tag_index: u32) -> Result<()> {
        let params = self
            .module
            .tag_params(tag_index)
            .ok_or_else(|| format!("jit: unknown tag {tag_index}"))?;
        let slots = crate::module::types::slots_of(params);
        let base = (self.stack.len() as u32)
            .checked_sub(slots)
            .ok_or_else(|| "jit: throw payload missing".to_string())?;
        self.masm.mov(Size::S64, Gpr::Rdi, VMCTX);
        self.masm
            .mov_imm(Width::W32, Gpr::Rsi, i64::from(tag_index));
        self.masm.lea(
            Width::W64,
            Gpr::Rdx,
            slot_mem(self.canonical(base as usize)),
        );
        self.call_exception_helper(exception_helper::THROW);
        self.truncate_stack(base as usize);
        self.exception_site(false);
        self.unreachable = true;
        Ok(())
    }

    pub(super) fn op_throw_ref(&mut self) -> Result<()> {
        let exnref = self.pop()?;
        self.load(Gpr::Rsi, exnref, Width::W64);
        self.masm.mov(Size::S64, Gpr::Rdi, VMCTX);
        self.call_exception_helper(exception_helper::THROW_REF);
        self.exception_site(false);
        self.unreachable = true;
        Ok(())
    }

    /// A call inside a `try_table` body of the record in `rsi`, its frame at `fp +
    /// frame_offset` (everything materialized, homes stored).
    pub(super) fn call_catching(&mut self, frame_offset: i32) {
        self.masm.mov(Size::S64, Gpr::Rdi, VMCTX);
        self.masm
            .lea(Width::W64, Gpr::Rdx, Mem::base_disp(FP, frame_offset));
        self.call_exception_helper(exception_helper::CALL_CATCHING);
        self.exception_site(true);
    }

    /// After a helper that returned its status in `eax`: 0 (only when `may_return`) goes
    /// on, a trap code traps, `EXCEPTION_IN_FLIGHT` tries the enclosing clauses of this
    /// function and jumps to the pad of the first that catches, else raises it as a trap.
    fn exception_site(&mut self, may_return: bool) {
        let trap = self.dynamic_trap_label();
        let done = self.masm.new_label();
        if may_return {
            self.masm.test_branch(Width::W32, Gpr::Rax, Cond::E, done);
        }
        self.masm.cmp(
            Width::W32,
            Gpr::Rax,
            Operand::Imm(exception_helper::EXCEPTION_IN_FLIGHT as i32),
        );
        self.masm.branch(Cond::Ne, trap);
        let clauses: Vec<(u32, CatchPad)> = self
            .try_scopes
            .iter()
            .rev()
            .flat_map(|scope| scope.clauses.iter().map(|c| (scope.values_slot, *c)))
            .collect();
        for (values_slot, clause) in clauses {
            let tag = clause.tag.unwrap_or(exception_helper::CATCH_ALL);
            self.masm.mov(Size::S64, Gpr::Rdi, VMCTX);
            self.masm.mov_imm(Width::W32, Gpr::Rsi, i64::from(tag));
            self.masm.lea(Width::W64, Gpr::Rdx, slot_mem(values_slot));
            self.masm
                .mov_imm(Width::W32, Gpr::Rcx, i64::from(clause.by_ref));
            self.call_exception_helper(exception_helper::CATCH);
            self.masm
                .test_branch(Width::W32, Gpr::Rax, Cond::Ne, clause.pad);
        }
        self.call_exception_helper(exception_helper::RAISE);
        self.masm.jmp(trap);
        self.masm.bind(done);
    }
}
