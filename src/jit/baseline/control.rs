//! Control flow: blocks, loops, ifs, branches (fused with compares), br_table, returns.
//!
//! Merges agree on registers: the results of a `block` or `if` meet at its end in pool
//! registers chosen at its entry (every pool register is free there, since entry
//! materializes the stack), the first integer result in the first free GPR of the pool, the
//! first float result in the first SSE pool register, and so on; each branch to the end and
//! each arm's fall-through moves its values there (a parallel move). A block that no branch
//! targets needs no merge at all: its results stay wherever its last operators left them,
//! as they do at every loop's end (reached only by falling through). Canonical slots remain
//! the meeting point where a tier may take over: loop headers (branches to a loop carry its
//! params to their slots), the function's results, and an `if` with params (its false path
//! without `else` brings them in their slots).

use wasmparser::BlockType;

use crate::jit::masm::{Cond, Float, Gpr, Label, Width, Xmm};
use crate::module::{ModuleInfo, ValType, slot_shape};

use super::abi::float_width;
use super::compiler::*;

#[derive(Clone, Copy)]
enum Class {
    Int(Width),
    Float(Float),
}

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

/// The slot shapes (`module::slot_shape`) of a block's params and results.
pub(super) fn block_shape(
    module: &ModuleInfo,
    blockty: BlockType,
) -> Result<(Vec<bool>, Vec<bool>)> {
    Ok(match blockty {
        BlockType::Empty => (Vec::new(), Vec::new()),
        BlockType::Type(wasmparser::ValType::V128) => (Vec::new(), vec![false, true]),
        BlockType::Type(_) => (Vec::new(), vec![false]),
        BlockType::FuncType(index) => {
            let ty = module
                .types
                .get(index as usize)
                .ok_or_else(|| format!("unknown block type {index}"))?;
            (
                slot_shape(ty.params.iter().copied()),
                slot_shape(ty.results.iter().copied()),
            )
        }
    })
}

/// The register class of each of a block's result slots (a v128's halves are integer bits).
fn result_classes(module: &ModuleInfo, blockty: BlockType) -> Result<Vec<Class>> {
    let class = |ty: ValType| match ty {
        ValType::I32 => vec![Class::Int(Width::W32)],
        ValType::F32 => vec![Class::Float(Float::F32)],
        ValType::F64 => vec![Class::Float(Float::F64)],
        ValType::V128 => vec![Class::Int(Width::W64); 2],
        _ => vec![Class::Int(Width::W64)],
    };
    Ok(match blockty {
        BlockType::Empty => Vec::new(),
        BlockType::Type(wasmparser::ValType::I32) => vec![Class::Int(Width::W32)],
        BlockType::Type(wasmparser::ValType::F32) => vec![Class::Float(Float::F32)],
        BlockType::Type(wasmparser::ValType::F64) => vec![Class::Float(Float::F64)],
        BlockType::Type(wasmparser::ValType::V128) => vec![Class::Int(Width::W64); 2],
        BlockType::Type(_) => vec![Class::Int(Width::W64)],
        BlockType::FuncType(index) => module
            .types
            .get(index as usize)
            .ok_or_else(|| format!("unknown block type {index}"))?
            .results
            .iter()
            .flat_map(|&ty| class(ty))
            .collect(),
    })
}

impl Compiler<'_> {
    /// The registers where a block with these results merges (see the module docs), or
    /// empty when they meet in their slots.
    fn merge_registers(&self, kind: Kind, params: u32, results: &[Class]) -> Vec<Merge> {
        if results.is_empty() || kind == Kind::Loop || (kind == Kind::If && params > 0) {
            return Vec::new();
        }
        let (mut gprs, mut xmms) = (self.gpr_pool.iter(), self.xmm_pool.iter());
        let mut merge = Vec::with_capacity(results.len());
        for &class in results {
            let place = match class {
                Class::Float(float) => xmms.next().map(|&x| Merge {
                    place: Opd::Xmm(x, float),
                    width: float_width(float),
                }),
                Class::Int(width) => gprs.next().map(|&r| Merge {
                    place: Opd::Reg(r),
                    width,
                }),
            };
            match place {
                Some(place) => merge.push(place),
                None => return Vec::new(),
            }
        }
        merge
    }

    /// Moves the top `merge.len()` entries into the registers `merge` (a parallel move:
    /// a register may be both a source and a destination). Cycles go through `rax`/`xmm0`.
    pub(super) fn move_to_registers(&mut self, merge: &[Merge]) {
        let len = self.stack.len();
        // A v128 in an SSE register goes to its slots first: its halves then move like any
        // slot, and no source shares a register with another (the parallel move's premise).
        for i in len - merge.len()..len {
            if matches!(self.stack[i], Opd::V128Low(_) | Opd::V128High(_)) {
                self.materialize(i);
            }
        }
        let mut pending: Vec<(Opd, Merge)> = (0..merge.len())
            .map(|i| (self.stack[len - merge.len() + i], merge[i]))
            .filter(|(src, dst)| !same_register(*src, dst.place))
            .collect();
        while !pending.is_empty() {
            let free = (0..pending.len()).find(|&i| {
                let dst = pending[i].1.place;
                !pending
                    .iter()
                    .enumerate()
                    .any(|(j, &(src, _))| j != i && same_register(src, dst))
            });
            match free {
                Some(i) => {
                    let (src, dst) = pending.remove(i);
                    self.move_to_register(dst, src);
                }
                None => {
                    // Every destination is still read by another move: a cycle of
                    // registers. Park one source in the scratch register of its class.
                    let src = pending[0].0;
                    let scratch = match src {
                        Opd::Xmm(_, float) => Merge {
                            place: Opd::Xmm(Xmm::Xmm0, float),
                            width: float_width(float),
                        },
                        _ => Merge {
                            place: Opd::Reg(Gpr::Rax),
                            width: Width::W64,
                        },
                    };
                    self.move_to_register(scratch, src);
                    for (s, _) in pending.iter_mut() {
                        if same_register(*s, src) {
                            *s = scratch.place;
                        }
                    }
                }
            }
        }
    }

    /// Loads `src` into the merge register `dst` (the register's class and `dst`'s float
    /// type say how the value's bits are read).
    fn move_to_register(&mut self, dst: Merge, src: Opd) {
        match dst.place {
            Opd::Reg(r) => self.load(r, src, dst.width),
            Opd::Xmm(x, float) => self.load_xmm(x, src, float),
            // Merge places are pool registers (`merge_registers`).
            Opd::Slot(_) | Opd::Const(_) | Opd::V128Low(_) | Opd::V128High(_) => {}
        }
    }

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
        self.masm.jmp(self.ret_label);
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
        if !ctrl.merge.is_empty() {
            return (0..arity)
                .any(|i| !same_register(self.stack[len - arity + i], ctrl.merge[i].place));
        }
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
        if ctrl.merge.is_empty() {
            self.move_results(height, arity);
        } else {
            let merge = ctrl.merge.clone();
            self.move_to_registers(&merge);
        }
        self.masm.jmp(label);
        Ok(())
    }

    /// The control frame a branch of relative depth `depth` targets, marked as branched to.
    pub(super) fn target(&mut self, depth: u32) -> Result<usize> {
        let target = (self.ctrl.len())
            .checked_sub(1 + depth as usize)
            .ok_or_else(|| format!("branch depth {depth} out of range"))?;
        self.ctrl[target].branched = true;
        Ok(target)
    }

    pub(super) fn enter_block(&mut self, kind: Kind, blockty: BlockType) -> Result<Label> {
        let (param_shape, result_shape) = block_shape(self.module, blockty)?;
        let params = param_shape.len() as u32;
        let result_types = result_classes(self.module, blockty)?;
        self.materialize_all();
        let label = self.masm.new_label();
        let merge = self.merge_registers(kind, params, &result_types);
        self.ctrl.push(Ctrl {
            kind,
            height: self.stack.len() as u32 - params,
            params,
            results: result_types.len() as u32,
            param_shape,
            result_shape,
            label,
            else_label: None,
            merge,
            branched: false,
        });
        Ok(label)
    }

    /// Resets the stack to `height` plus canonical entries of slot shape `shape`.
    pub(super) fn reset_stack(&mut self, height: u32, shape: &[bool]) {
        self.truncate_stack(height as usize);
        for &high in shape {
            let h = self.stack.len();
            self.push_entry(Opd::Slot(self.canonical(h)), high);
        }
    }

    pub(super) fn op_end(&mut self) -> Result<()> {
        let ctrl = self
            .ctrl
            .pop()
            .ok_or_else(|| "jit: end without block".to_string())?;
        self.close_try_scopes();
        if !self.unreachable {
            if ctrl.kind == Kind::Func {
                // The epilogue follows right after the last operator: no jump to it.
                self.ctrl.push(ctrl);
                self.move_return_values();
                self.ctrl.pop();
                self.unreachable = true;
                return Ok(());
            }
            // Only the fall-through reaches the end of a loop, or of a block that no branch
            // targets: its results stay where they are.
            let passes_through =
                ctrl.kind == Kind::Loop || (ctrl.kind == Kind::Block && !ctrl.branched);
            if passes_through {
                return Ok(());
            }
            if ctrl.merge.is_empty() {
                self.move_results(ctrl.height, ctrl.results);
            } else {
                self.move_to_registers(&ctrl.merge);
            }
        }
        if let Some(else_label) = ctrl.else_label {
            self.masm.bind(else_label);
        }
        if ctrl.kind != Kind::Loop {
            self.masm.bind(ctrl.label);
        }
        if ctrl.kind == Kind::Func {
            // Reached only by branches, which return themselves.
            return Ok(());
        }
        if ctrl.merge.is_empty() {
            self.reset_stack(ctrl.height, &ctrl.result_shape);
        } else {
            self.truncate_stack(ctrl.height as usize);
            for (merge, &high) in ctrl.merge.iter().zip(&ctrl.result_shape) {
                self.push_entry(merge.place, high);
            }
        }
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
        let (height, results, label) = (ctrl.height, ctrl.results, ctrl.label);
        let param_shape = ctrl.param_shape.clone();
        let merge = ctrl.merge.clone();
        if reachable {
            if merge.is_empty() {
                self.move_results(height, results);
            } else {
                self.move_to_registers(&merge);
            }
            self.masm.jmp(label);
        }
        if let Some(else_label) = else_label {
            self.masm.bind(else_label);
        }
        self.reset_stack(height, &param_shape);
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
                    let skip = self.masm.new_label();
                    self.masm.branch(cond.invert(), skip);
                    self.emit_branch(depth)?;
                    self.masm.bind(skip);
                } else {
                    let label = self.ctrl[target].label;
                    self.masm.branch(cond, label);
                }
            }
            Some(Fusable::If(blockty)) => {
                self.enter_block(Kind::If, blockty)?;
                let else_label = self.masm.new_label();
                if let Some(ctrl) = self.ctrl.last_mut() {
                    ctrl.else_label = Some(else_label);
                }
                self.masm.branch(cond.invert(), else_label);
            }
            Some(Fusable::Select) | None => return Err("jit: no branch to fuse with".into()),
        }
        Ok(())
    }
}

/// Whether two entries are the same register (the value's place, whatever its type).
fn same_register(a: Opd, b: Opd) -> bool {
    match (a, b) {
        (Opd::Reg(x), Opd::Reg(y)) => x == y,
        (Opd::Xmm(x, _), Opd::Xmm(y, _)) => x == y,
        _ => false,
    }
}
