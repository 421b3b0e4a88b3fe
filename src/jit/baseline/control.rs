//! Control flow: blocks, loops, ifs, branches (fused with compares), br_table, returns;
//! merges meet with their results in canonical slots.

use wasmparser::BlockType;

use crate::jit::x64::{Cond, Label};
use crate::module::ModuleInfo;

use super::compiler::*;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

pub(super) fn block_arity(module: &ModuleInfo, blockty: BlockType) -> Result<(u32, u32)> {
    Ok(match blockty {
        BlockType::Empty => (0, 0),
        BlockType::Type(_) => (0, 1),
        BlockType::FuncType(index) => {
            let ty = module
                .types
                .get(index as usize)
                .ok_or_else(|| format!("unknown block type {index}"))?;
            (ty.params.len() as u32, ty.results.len() as u32)
        }
    })
}

impl Compiler<'_> {
    /// Moves the top `arity` entries to the canonical slots starting at height `base`.
    pub(super) fn move_results(&mut self, base: u32, arity: u32) {
        let len = self.stack.len();
        for i in 0..arity as usize {
            let opd = self.stack[len - arity as usize + i];
            let dst = self.nl + base + i as u32;
            self.move_to(dst, opd);
        }
    }

    /// Moves the top `n` entries to `fp[0..n]` and returns. Leaves the abstract stack alone:
    /// a conditional return (`br_if`, `br_table` stubs) falls through with it unchanged.
    pub(super) fn emit_return(&mut self) {
        self.move_return_values();
        self.asm.jmp(self.ret_label);
    }

    /// The moves of [`Compiler::emit_return`] without the jump (the function's final `end`
    /// falls through into the epilogue).
    pub(super) fn move_return_values(&mut self) {
        let n = self.num_results as usize;
        let len = self.stack.len();
        let mut sources: Vec<Opd> = self.stack[len - n..].to_vec();
        // A deferred local below `n` could be overwritten by an earlier move: copy it to its
        // entry's canonical slot first (only on this path; the entry stays deferred).
        for (i, source) in sources.iter_mut().enumerate() {
            if let Opd::Slot(s) = *source
                && s < self.nl
                && (s as usize) < n
            {
                let canonical = self.canonical(len - n + i);
                self.move_to(canonical, *source);
                *source = Opd::Slot(canonical);
            }
        }
        for (i, source) in sources.into_iter().enumerate() {
            self.move_to(i as u32, source);
        }
    }

    pub(super) fn needs_moves(&self, target: usize) -> bool {
        let ctrl = &self.ctrl[target];
        if ctrl.kind == Kind::Func {
            return true;
        }
        let arity = ctrl.branch_arity() as usize;
        let len = self.stack.len();
        (0..arity)
            .any(|i| self.stack[len - arity + i] != Opd::Slot(self.nl + ctrl.height + i as u32))
    }

    /// Jumps to the target of relative depth `depth` with its values in place.
    pub(super) fn emit_branch(&mut self, depth: u32) -> Result<()> {
        let target = self.target(depth)?;
        let ctrl = &self.ctrl[target];
        if ctrl.kind == Kind::Func {
            self.emit_return();
            return Ok(());
        }
        let (height, arity, label) = (ctrl.height, ctrl.branch_arity(), ctrl.label);
        self.move_results(height, arity);
        self.asm.jmp(label);
        Ok(())
    }

    pub(super) fn target(&self, depth: u32) -> Result<usize> {
        (self.ctrl.len())
            .checked_sub(1 + depth as usize)
            .ok_or_else(|| format!("branch depth {depth} out of range").into())
    }

    pub(super) fn enter_block(&mut self, kind: Kind, blockty: BlockType) -> Result<Label> {
        let (params, results) = block_arity(self.module, blockty)?;
        self.materialize_all();
        let label = self.asm.new_label();
        self.ctrl.push(Ctrl {
            kind,
            height: self.stack.len() as u32 - params,
            params,
            results,
            label,
            else_label: None,
        });
        Ok(label)
    }

    /// Resets the stack to `height + n` canonical entries.
    pub(super) fn reset_stack(&mut self, height: u32, n: u32) {
        self.stack.truncate(height as usize);
        for _ in 0..n {
            let h = self.stack.len();
            self.stack.push(Opd::Slot(self.canonical(h)));
        }
        self.max_height = self.max_height.max(self.stack.len() as u32);
    }

    pub(super) fn op_end(&mut self) -> Result<()> {
        let ctrl = self
            .ctrl
            .pop()
            .ok_or_else(|| "jit: end without block".to_string())?;
        if !self.unreachable {
            if ctrl.kind == Kind::Func {
                // The epilogue follows right after the last operator: no jump to it.
                self.ctrl.push(ctrl);
                self.move_return_values();
                self.ctrl.pop();
                self.unreachable = true;
                return Ok(());
            }
            let base = ctrl.height;
            let len = self.stack.len();
            for i in 0..ctrl.results as usize {
                let opd = self.stack[len - ctrl.results as usize + i];
                self.move_to(self.nl + base + i as u32, opd);
            }
        }
        if let Some(else_label) = ctrl.else_label {
            self.asm.bind(else_label);
        }
        if ctrl.kind != Kind::Loop {
            self.asm.bind(ctrl.label);
        }
        if ctrl.kind == Kind::Func {
            // Reached only by branches, which return themselves.
            return Ok(());
        }
        self.reset_stack(ctrl.height, ctrl.results);
        self.unreachable = false;
        Ok(())
    }

    pub(super) fn op_else(&mut self) -> Result<()> {
        let reachable = !self.unreachable;
        let ctrl = self
            .ctrl
            .last_mut()
            .ok_or_else(|| "jit: else without if".to_string())?;
        ctrl.kind = Kind::Else;
        let else_label = ctrl.else_label.take();
        let (height, params, results, label) = (ctrl.height, ctrl.params, ctrl.results, ctrl.label);
        if reachable {
            let len = self.stack.len();
            for i in 0..results as usize {
                let opd = self.stack[len - results as usize + i];
                self.move_to(self.nl + height + i as u32, opd);
            }
            self.asm.jmp(label);
        }
        if let Some(else_label) = else_label {
            self.asm.bind(else_label);
        }
        self.reset_stack(height, params);
        self.unreachable = false;
        Ok(())
    }

    /// Before a fused `if`: the block entry materializes the stack, which must happen before
    /// the compare sets the flags (the moves themselves leave flags alone).
    pub(super) fn prepare_fusion(&mut self) {
        if let Some(Fusable::If(_)) = self.next {
            self.materialize_all();
        }
    }

    /// Branches on `cond` (flags already set) for the fused `next` operator.
    pub(super) fn fused_branch(&mut self, cond: Cond) -> Result<()> {
        self.fused = true;
        match self.next.take() {
            Some(Fusable::BrIf(depth)) => {
                let target = self.target(depth)?;
                if self.needs_moves(target) {
                    let skip = self.asm.new_label();
                    self.asm.jcc(cond.invert(), skip);
                    self.emit_branch(depth)?;
                    self.asm.bind(skip);
                } else {
                    let label = self.ctrl[target].label;
                    self.asm.jcc(cond, label);
                }
            }
            Some(Fusable::If(blockty)) => {
                self.enter_block(Kind::If, blockty)?;
                let else_label = self.asm.new_label();
                if let Some(ctrl) = self.ctrl.last_mut() {
                    ctrl.else_label = Some(else_label);
                }
                self.asm.jcc(cond.invert(), else_label);
            }
            Some(Fusable::Select) | None => return Err("jit: no branch to fuse with".into()),
        }
        Ok(())
    }
}
