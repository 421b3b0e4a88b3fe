//! Builds the IR of one validated wasm function ([`build`]) by visiting its operators
//! (`wasmparser::VisitOperator`).
//!
//! Locals become SSA values by Braun et al.'s "Simple and Efficient Construction of SSA
//! Form" (CC 2013): a local's value is looked up at the end of the current block and, when
//! the block does not define it, in its predecessors; a block whose predecessors are not all
//! known yet (a loop header before its `end`) is not *sealed* and gets a placeholder
//! parameter, completed when the block is sealed. A block parameter is added to the block and
//! an argument to each predecessor's branch. Trivial parameters (every incoming argument the
//! same value or the parameter itself) are left for copy propagation to remove.
//!
//! Control: each wasm `block`/`if` gets a continuation block whose parameters are its results;
//! a `loop` gets a header block whose parameters are its parameters; `if` branches to a then
//! and an else block (an absent `else` passes the `if`'s parameters straight on); `br_table`
//! is one terminator. A continuation nobody branches to is not made a block: the code after
//! `end` continues in the current block. Code after `br`, `return` or `unreachable` is
//! skipped until the `end` or `else` that makes it reachable again.
//!
//! The wasm operators that are one IR opcode come from the opcode table
//! ([`Opcode::of_wasm`]); the rest are translated here. [`unsupported_proposals!`] lists the
//! proposals tier 2 does not build (their operators give [`CompileError::Unsupported`]); SIMD
//! operators are refused by wasmparser itself, since the builder has no SIMD visitor.

use std::collections::HashMap;

use wasmparser::{BlockType, MemArg, Operator, VisitOperator};

use super::ir::{Block, Function, Imm, Target, Terminator, Value};
use super::ops::{Opcode, Sig};
use crate::module::{ModuleInfo, ValType, heap_val_type, val_type};
use crate::runtime::CompileError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The function body; `dest` is the block that returns.
    Function,
    Block,
    Loop,
    If,
    Else,
}

struct Frame {
    kind: Kind,
    /// Where the construct continues after `end` (its parameters are the results).
    dest: Block,
    /// The loop header (`Kind::Loop`).
    header: Option<Block>,
    /// `Kind::If`: the else block, and the `if`'s parameter values to start it with.
    els: Option<Block>,
    if_params: Vec<Value>,
    /// Operand stack height below the construct's parameters.
    height: usize,
    params: Vec<ValType>,
    results: Vec<ValType>,
}

struct Builder<'m> {
    info: &'m ModuleInfo,
    func: Function,
    /// Types of all locals (parameters first).
    locals: Vec<ValType>,
    cur: Block,
    reachable: bool,
    /// Constructs opened in unreachable code (skipped whole).
    dead_depth: usize,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    /// Blocks in the order the builder started filling them: the layout.
    order: Vec<Block>,
    /// Per block: predecessors (one per edge), sealed, placeholder parameters.
    preds: Vec<Vec<Block>>,
    sealed: Vec<bool>,
    incomplete: Vec<Vec<(u32, Value)>>,
    /// The value of each local at the end of each block that defines it.
    defs: HashMap<(Block, u32), Value>,
    offset: usize,
    info_out: BuildInfo,
}

/// What the lowering needs besides the IR: where each instruction came from (trap sites
/// and backtraces name wasm offsets), where each call's arguments start on the operand
/// stack (the callee's frame is the caller's canonical slots there: ARCHITECTURE.md
/// "Calls"), and the frame size every tier computes alike ("Stack limits").
#[derive(Clone, Debug, Default)]
pub struct BuildInfo {
    /// Per instruction (by index), the wasm byte offset of its operator; instructions the
    /// passes add later are not here (they never trap: constants).
    pub inst_offsets: Vec<u32>,
    /// Per block (by index), the wasm offset of the operator that ended it.
    pub term_offsets: Vec<u32>,
    /// Per call instruction, the operand-stack height below its arguments.
    pub call_bases: HashMap<super::ir::Inst, u32>,
    /// Parameters and declared locals.
    pub num_locals: u32,
    /// The largest operand-stack height.
    pub max_height: u32,
    /// The wasm offset of the body (the function's own trap sites: stack exhaustion).
    pub body_offset: u32,
}

impl BuildInfo {
    /// The wasm offset of `inst` (the body's for instructions the passes made).
    pub fn inst_offset(&self, inst: super::ir::Inst) -> u32 {
        self.inst_offsets
            .get(inst.index())
            .copied()
            .unwrap_or(self.body_offset)
    }

    /// The wasm offset of `block`'s terminator.
    pub fn term_offset(&self, block: Block) -> u32 {
        self.term_offsets
            .get(block.index())
            .copied()
            .unwrap_or(self.body_offset)
    }
}

/// The IR of defined function `func_index` of `info` (a validated module).
pub fn build(info: &ModuleInfo, func_index: u32) -> Result<Function, CompileError> {
    build_with_info(info, func_index).map(|(func, _)| func)
}

/// [`build`], with the [`BuildInfo`] the lowering needs.
pub fn build_with_info(
    info: &ModuleInfo,
    func_index: u32,
) -> Result<(Function, BuildInfo), CompileError> {
    let internal = |message: String| CompileError::Internal {
        function: Some(func_index),
        message,
    };
    // Tier 2 does not build v128 values: such a function goes to tier 1 (a SIMD operator
    // elsewhere is refused by the visitor).
    let v128 = match info
        .v128_in_signature_or_locals(func_index)
        .map_err(internal)?
    {
        None if info.mentions_v128() => info.first_v128_use(func_index).map_err(internal)?,
        found => found,
    };
    if let Some(offset) = v128 {
        return Err(CompileError::unsupported(offset, &"v128 value").in_function(func_index));
    }
    let (ty, body, mut ops) = info.function_body(func_index).map_err(internal)?;
    let mut locals = ty.params.clone();
    for &(count, ty) in &body.locals {
        locals.extend(std::iter::repeat_n(ty, count as usize));
    }
    let locals_len = locals.len();
    let name = match info.func_name(func_index) {
        Some(name)
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.$".contains(c)) =>
        {
            name.to_string()
        }
        _ => format!("f{func_index}"),
    };
    let mut b = Builder {
        info,
        func: Function::new(name, ty.params.clone(), ty.results.clone()),
        locals,
        cur: Block(0),
        reachable: true,
        dead_depth: 0,
        stack: Vec::new(),
        frames: Vec::new(),
        order: Vec::new(),
        preds: Vec::new(),
        sealed: Vec::new(),
        incomplete: Vec::new(),
        defs: HashMap::new(),
        offset: 0,
        info_out: BuildInfo {
            num_locals: u32::try_from(locals_len).unwrap_or(u32::MAX),
            body_offset: body.range.start as u32,
            ..BuildInfo::default()
        },
    };
    let entry = b.new_block();
    b.switch_to(entry);
    b.sealed[entry.index()] = true;
    for (i, &t) in ty.params.iter().enumerate() {
        let v = b.func.add_param(entry, t);
        b.defs.insert((entry, i as u32), v);
    }
    let ret = b.new_block();
    for &t in &ty.results {
        b.func.add_param(ret, t);
    }
    b.frames.push(Frame {
        kind: Kind::Function,
        dest: ret,
        header: None,
        els: None,
        if_params: Vec::new(),
        height: 0,
        params: Vec::new(),
        results: ty.results.clone(),
    });
    while !ops.eof() {
        b.offset = ops.original_position();
        ops.visit_operator(&mut b)
            .map_err(|e| {
                if e.message().contains("SIMD") {
                    CompileError::unsupported(b.offset as u32, &"SIMD operator")
                } else {
                    internal(e.to_string())
                }
            })?
            .map_err(|e| e.in_function(func_index))?;
        let height = u32::try_from(b.stack.len()).unwrap_or(u32::MAX);
        b.info_out.max_height = b.info_out.max_height.max(height);
    }
    if !b.frames.is_empty() {
        return Err(internal("the body ends inside a construct".into()));
    }
    let mut func = b.func;
    func.layout = b.order;
    let mut out = b.info_out;
    out.inst_offsets.resize(func.insts.len(), out.body_offset);
    out.term_offsets.resize(func.blocks.len(), out.body_offset);
    Ok((func, out))
}

impl Builder<'_> {
    fn new_block(&mut self) -> Block {
        let block = self.func.add_block();
        self.func.layout.pop();
        self.preds.push(Vec::new());
        self.sealed.push(false);
        self.incomplete.push(Vec::new());
        block
    }

    fn switch_to(&mut self, block: Block) {
        self.order.push(block);
        self.cur = block;
        self.reachable = true;
    }

    fn internal(&self, message: impl Into<String>) -> CompileError {
        CompileError::Internal {
            function: None,
            message: format!("{} (at offset {:#x})", message.into(), self.offset),
        }
    }

    fn pop(&mut self) -> Result<Value, CompileError> {
        self.stack
            .pop()
            .ok_or_else(|| self.internal("operand stack underflow"))
    }

    fn pop_n(&mut self, n: usize) -> Result<Vec<Value>, CompileError> {
        if self.stack.len() < n {
            return Err(self.internal("operand stack underflow"));
        }
        Ok(self.stack.split_off(self.stack.len() - n))
    }

    fn top_n(&self, n: usize) -> Result<Vec<Value>, CompileError> {
        if self.stack.len() < n {
            return Err(self.internal("operand stack underflow"));
        }
        Ok(self.stack[self.stack.len() - n..].to_vec())
    }

    /// Appends an instruction to the current block and pushes its results.
    fn emit(&mut self, op: Opcode, imm: Imm, args: Vec<Value>, tys: &[ValType]) {
        let inst = self.func.append_inst(self.cur, op, imm, args, tys);
        let offsets = &mut self.info_out.inst_offsets;
        if offsets.len() <= inst.index() {
            offsets.resize(inst.index() + 1, self.info_out.body_offset);
        }
        offsets[inst.index()] = self.offset as u32;
        if matches!(op, Opcode::Call | Opcode::CallIndirect) {
            let base = u32::try_from(self.stack.len()).unwrap_or(u32::MAX);
            self.info_out.call_bases.insert(inst, base);
        }
        self.stack
            .extend(self.func.inst(inst).results.iter().copied());
    }

    /// Ends the current block with `term`, recording its edges.
    fn terminate(&mut self, term: Terminator) {
        for t in term.targets() {
            self.preds[t.block.index()].push(self.cur);
        }
        self.func.blocks[self.cur.index()].term = Some(term);
        let offsets = &mut self.info_out.term_offsets;
        if offsets.len() <= self.cur.index() {
            offsets.resize(self.cur.index() + 1, self.info_out.body_offset);
        }
        offsets[self.cur.index()] = self.offset as u32;
        self.reachable = false;
    }

    // ---- SSA construction for locals (Braun et al.) ----

    fn read_local(&mut self, local: u32, block: Block) -> Value {
        // Walk up a chain of sealed single-predecessor blocks without recursion.
        let mut chain = Vec::new();
        let mut b = block;
        let value = loop {
            if let Some(&v) = self.defs.get(&(b, local)) {
                break v;
            }
            let preds = self.distinct_preds(b);
            if self.sealed[b.index()] && preds.len() == 1 {
                chain.push(b);
                b = preds[0];
                continue;
            }
            break self.read_local_slow(local, b, &preds);
        };
        for c in chain {
            self.defs.insert((c, local), value);
        }
        value
    }

    fn read_local_slow(&mut self, local: u32, block: Block, preds: &[Block]) -> Value {
        let ty = self.locals[local as usize];
        let entry = self.order[0];
        if block == entry {
            // A declared local not written yet: its zero, made at the entry's start.
            let (op, imm) = match ty {
                ValType::I32 => (Opcode::I32Const, Imm::Int(0)),
                ValType::I64 => (Opcode::I64Const, Imm::Int(0)),
                ValType::F32 => (Opcode::F32Const, Imm::Int(0)),
                ValType::F64 => (Opcode::F64Const, Imm::Int(0)),
                _ => (Opcode::RefNull, Imm::None),
            };
            let inst = self.func.make_inst(op, imm, Vec::new(), &[ty]);
            self.func.blocks[entry.index()].insts.insert(0, inst);
            let v = self.func.inst(inst).results[0];
            self.defs.insert((entry, local), v);
            return v;
        }
        let param = self.func.add_param(block, ty);
        self.defs.insert((block, local), param);
        if self.sealed[block.index()] {
            self.add_param_args(local, block, preds);
        } else {
            self.incomplete[block.index()].push((local, param));
        }
        param
    }

    /// Passes the value of `local` at the end of each predecessor to `block`'s newest
    /// parameter.
    fn add_param_args(&mut self, local: u32, block: Block, preds: &[Block]) {
        for &pred in preds {
            let v = self.read_local(local, pred);
            let term = self.func.blocks[pred.index()]
                .term
                .as_mut()
                .expect("a predecessor is terminated");
            for t in term.targets_mut() {
                if t.block == block {
                    t.args.push(v);
                }
            }
        }
    }

    fn distinct_preds(&self, block: Block) -> Vec<Block> {
        let mut preds = self.preds[block.index()].clone();
        preds.sort();
        preds.dedup();
        preds
    }

    fn seal(&mut self, block: Block) {
        let preds = self.distinct_preds(block);
        let pending = std::mem::take(&mut self.incomplete[block.index()]);
        self.sealed[block.index()] = true;
        for (local, _) in pending {
            self.add_param_args(local, block, &preds);
        }
    }

    fn write_local(&mut self, local: u32, value: Value) {
        self.defs.insert((self.cur, local), value);
    }

    // ---- control ----

    fn block_type(&self, ty: BlockType) -> Result<(Vec<ValType>, Vec<ValType>), CompileError> {
        Ok(match ty {
            BlockType::Empty => (Vec::new(), Vec::new()),
            BlockType::Type(t) => (
                Vec::new(),
                vec![val_type(t, self.offset).map_err(|e| self.internal(e.message))?],
            ),
            BlockType::FuncType(idx) => {
                let ft = self
                    .info
                    .types
                    .get(idx as usize)
                    .ok_or_else(|| self.internal("block type out of range"))?;
                (ft.params.clone(), ft.results.clone())
            }
        })
    }

    fn frame(&self, depth: u32) -> Result<&Frame, CompileError> {
        self.frames
            .len()
            .checked_sub(depth as usize + 1)
            .map(|i| &self.frames[i])
            .ok_or_else(|| self.internal("branch depth out of range"))
    }

    /// The target of a branch to label `depth`, with the values it carries (left on the
    /// stack).
    fn branch_target(&self, depth: u32) -> Result<Target, CompileError> {
        let frame = self.frame(depth)?;
        let (block, arity) = match frame.header {
            Some(header) => (header, frame.params.len()),
            None => (frame.dest, frame.results.len()),
        };
        Ok(Target::new(block, self.top_n(arity)?))
    }

    fn open(&mut self, kind: Kind, ty: BlockType) -> Result<(), CompileError> {
        let (params, results) = self.block_type(ty)?;
        let cond = if kind == Kind::If {
            Some(self.pop()?)
        } else {
            None
        };
        let dest = self.new_block();
        for &t in &results {
            self.func.add_param(dest, t);
        }
        let height = self
            .stack
            .len()
            .checked_sub(params.len())
            .ok_or_else(|| self.internal("operand stack underflow"))?;
        let mut frame = Frame {
            kind,
            dest,
            header: None,
            els: None,
            if_params: Vec::new(),
            height,
            params,
            results,
        };
        match kind {
            Kind::Loop => {
                let header = self.new_block();
                let args = self.pop_n(frame.params.len())?;
                for &t in &frame.params {
                    let p = self.func.add_param(header, t);
                    self.stack.push(p);
                }
                self.terminate(Terminator::Jump(Target::new(header, args)));
                self.switch_to(header);
                frame.header = Some(header);
            }
            Kind::If => {
                let cond = cond.expect("popped above");
                let then = self.new_block();
                let els = self.new_block();
                frame.if_params = self.top_n(frame.params.len())?;
                self.terminate(Terminator::BrIf {
                    cond,
                    then: Target::new(then, Vec::new()),
                    els: Target::new(els, Vec::new()),
                });
                self.seal(then);
                self.seal(els);
                self.switch_to(then);
                frame.els = Some(els);
            }
            _ => {}
        }
        self.frames.push(frame);
        Ok(())
    }

    fn visit_else_(&mut self) -> Result<(), CompileError> {
        if self.dead_depth > 0 {
            return Ok(());
        }
        let frame = self
            .frames
            .last()
            .ok_or_else(|| self.internal("else outside if"))?;
        let (dest, height, arity) = (frame.dest, frame.height, frame.results.len());
        let els = frame.els.ok_or_else(|| self.internal("else outside if"))?;
        let params = frame.if_params.clone();
        if self.reachable {
            let args = self.top_n(arity)?;
            self.terminate(Terminator::Jump(Target::new(dest, args)));
        }
        self.stack.truncate(height);
        self.stack.extend(params);
        self.switch_to(els);
        let frame = self.frames.last_mut().expect("checked above");
        frame.kind = Kind::Else;
        frame.els = None;
        Ok(())
    }

    fn visit_end_(&mut self) -> Result<(), CompileError> {
        if self.dead_depth > 0 {
            self.dead_depth -= 1;
            return Ok(());
        }
        let frame = self
            .frames
            .pop()
            .ok_or_else(|| self.internal("end without a construct"))?;
        if let Some(header) = frame.header {
            self.seal(header);
        }
        let arity = frame.results.len();
        if frame.kind == Kind::If {
            // No else: the else edge carries the parameters straight to the end.
            if self.reachable {
                let args = self.top_n(arity)?;
                self.terminate(Terminator::Jump(Target::new(frame.dest, args)));
            }
            let els = frame.els.expect("an if frame has an else block");
            self.switch_to(els);
            self.terminate(Terminator::Jump(Target::new(
                frame.dest,
                frame.if_params.clone(),
            )));
        }
        if self.preds[frame.dest.index()].is_empty() {
            // Only the fall-through (if any) reaches the end: continue in this block.
            if frame.kind == Kind::Function && self.reachable {
                let values = self.top_n(arity)?;
                self.terminate(Terminator::Return(values));
            }
            if !self.reachable {
                self.stack.truncate(frame.height);
            }
            return Ok(());
        }
        if self.reachable {
            let args = self.top_n(arity)?;
            self.terminate(Terminator::Jump(Target::new(frame.dest, args)));
        }
        self.seal(frame.dest);
        self.switch_to(frame.dest);
        self.stack.truncate(frame.height);
        let params = self.func.block(frame.dest).params.clone();
        if frame.kind == Kind::Function {
            self.terminate(Terminator::Return(params));
        } else {
            self.stack.extend(params);
        }
        Ok(())
    }

    fn mem(&mut self, op: Opcode, memarg: MemArg) -> Result<(), CompileError> {
        let Sig::Fixed(args, results) = op.sig() else {
            return Err(self.internal("a memory opcode has a fixed signature"));
        };
        let args = self.pop_n(args.len())?;
        let imm = Imm::Mem {
            memory: memarg.memory,
            offset: memarg.offset,
        };
        self.emit(op, imm, args, results);
        Ok(())
    }

    /// An opcode with a fixed signature: pops its arguments, pushes its results.
    fn fixed(&mut self, op: Opcode, imm: Imm) -> Result<(), CompileError> {
        let Sig::Fixed(args, results) = op.sig() else {
            return Err(self.internal(format!("{} has no fixed signature", op.name())));
        };
        let args = self.pop_n(args.len())?;
        self.emit(op, imm, args, results);
        Ok(())
    }

    fn table_elem(&self, table: u32) -> Result<ValType, CompileError> {
        self.info
            .tables
            .get(table as usize)
            .map(|t| t.elem)
            .ok_or_else(|| self.internal("table index out of range"))
    }

    fn unsupported(&self, name: &str) -> Result<(), CompileError> {
        Err(CompileError::unsupported(self.offset as u32, &name))
    }

    fn translate(&mut self, op: Operator<'_>) -> Result<(), CompileError> {
        use Operator as O;
        // Constructs opened in dead code only need their nesting tracked.
        if !self.reachable {
            match op {
                O::Block { .. } | O::Loop { .. } | O::If { .. } | O::TryTable { .. } => {
                    self.dead_depth += 1
                }
                O::Else => return self.visit_else_(),
                O::End => return self.visit_end_(),
                _ => {}
            }
            return Ok(());
        }
        if let Some(opcode) = Opcode::of_wasm(&op) {
            if opcode == Opcode::Select {
                return self.select();
            }
            return self.fixed(opcode, Imm::None);
        }
        match op {
            O::Unreachable => self.terminate(Terminator::Unreachable),
            O::Nop => {}
            O::Block { blockty } => self.open(Kind::Block, blockty)?,
            O::Loop { blockty } => self.open(Kind::Loop, blockty)?,
            O::If { blockty } => self.open(Kind::If, blockty)?,
            O::Else => self.visit_else_()?,
            O::End => self.visit_end_()?,
            O::Br { relative_depth } => {
                let t = self.branch_target(relative_depth)?;
                self.terminate(Terminator::Jump(t));
            }
            O::BrIf { relative_depth } => {
                let cond = self.pop()?;
                let t = self.branch_target(relative_depth)?;
                let next = self.new_block();
                self.terminate(Terminator::BrIf {
                    cond,
                    then: t,
                    els: Target::new(next, Vec::new()),
                });
                self.seal(next);
                self.switch_to(next);
            }
            O::BrTable { targets } => {
                let index = self.pop()?;
                let mut ts = Vec::new();
                for depth in targets.targets() {
                    let depth = depth.map_err(|e| self.internal(e.to_string()))?;
                    ts.push(self.branch_target(depth)?);
                }
                let default = self.branch_target(targets.default())?;
                self.terminate(Terminator::BrTable {
                    index,
                    targets: ts,
                    default,
                });
            }
            O::Return => {
                let values = self.top_n(self.func.results.len())?;
                self.terminate(Terminator::Return(values));
            }
            O::Call { function_index } => {
                let ty = self.info.func_type(function_index).clone();
                let args = self.pop_n(ty.params.len())?;
                self.emit(Opcode::Call, Imm::Idx(function_index), args, &ty.results);
            }
            O::CallIndirect {
                type_index,
                table_index,
            } => {
                let ty = self
                    .info
                    .types
                    .get(type_index as usize)
                    .ok_or_else(|| self.internal("type index out of range"))?
                    .clone();
                let callee = self.pop()?;
                let mut args = self.pop_n(ty.params.len())?;
                args.push(callee);
                self.emit(
                    Opcode::CallIndirect,
                    Imm::Idx2(type_index, table_index),
                    args,
                    &ty.results,
                );
            }
            O::Drop => {
                self.pop()?;
            }
            O::TypedSelect { .. } => self.select()?,
            O::LocalGet { local_index } => {
                let v = self.read_local(local_index, self.cur);
                self.stack.push(v);
            }
            O::LocalSet { local_index } => {
                let v = self.pop()?;
                self.write_local(local_index, v);
            }
            O::LocalTee { local_index } => {
                let v = *self
                    .stack
                    .last()
                    .ok_or_else(|| self.internal("operand stack underflow"))?;
                self.write_local(local_index, v);
            }
            O::GlobalGet { global_index } => {
                let ty = self
                    .info
                    .globals
                    .get(global_index as usize)
                    .ok_or_else(|| self.internal("global index out of range"))?
                    .ty;
                self.emit(Opcode::GlobalGet, Imm::Idx(global_index), Vec::new(), &[ty]);
            }
            O::GlobalSet { global_index } => {
                let v = self.pop()?;
                self.emit(Opcode::GlobalSet, Imm::Idx(global_index), vec![v], &[]);
            }
            O::I32Load { memarg } => self.mem(Opcode::I32Load, memarg)?,
            O::I64Load { memarg } => self.mem(Opcode::I64Load, memarg)?,
            O::F32Load { memarg } => self.mem(Opcode::F32Load, memarg)?,
            O::F64Load { memarg } => self.mem(Opcode::F64Load, memarg)?,
            O::I32Load8S { memarg } => self.mem(Opcode::I32Load8S, memarg)?,
            O::I32Load8U { memarg } => self.mem(Opcode::I32Load8U, memarg)?,
            O::I32Load16S { memarg } => self.mem(Opcode::I32Load16S, memarg)?,
            O::I32Load16U { memarg } => self.mem(Opcode::I32Load16U, memarg)?,
            O::I64Load8S { memarg } => self.mem(Opcode::I64Load8S, memarg)?,
            O::I64Load8U { memarg } => self.mem(Opcode::I64Load8U, memarg)?,
            O::I64Load16S { memarg } => self.mem(Opcode::I64Load16S, memarg)?,
            O::I64Load16U { memarg } => self.mem(Opcode::I64Load16U, memarg)?,
            O::I64Load32S { memarg } => self.mem(Opcode::I64Load32S, memarg)?,
            O::I64Load32U { memarg } => self.mem(Opcode::I64Load32U, memarg)?,
            O::I32Store { memarg } => self.mem(Opcode::I32Store, memarg)?,
            O::I64Store { memarg } => self.mem(Opcode::I64Store, memarg)?,
            O::F32Store { memarg } => self.mem(Opcode::F32Store, memarg)?,
            O::F64Store { memarg } => self.mem(Opcode::F64Store, memarg)?,
            O::I32Store8 { memarg } => self.mem(Opcode::I32Store8, memarg)?,
            O::I32Store16 { memarg } => self.mem(Opcode::I32Store16, memarg)?,
            O::I64Store8 { memarg } => self.mem(Opcode::I64Store8, memarg)?,
            O::I64Store16 { memarg } => self.mem(Opcode::I64Store16, memarg)?,
            O::I64Store32 { memarg } => self.mem(Opcode::I64Store32, memarg)?,
            O::MemorySize { mem } => self.fixed(Opcode::MemorySize, Imm::Idx(mem))?,
            O::MemoryGrow { mem } => self.fixed(Opcode::MemoryGrow, Imm::Idx(mem))?,
            O::MemoryFill { mem } => self.fixed(Opcode::MemoryFill, Imm::Idx(mem))?,
            O::MemoryCopy { dst_mem, src_mem } => {
                self.fixed(Opcode::MemoryCopy, Imm::Idx2(dst_mem, src_mem))?
            }
            O::MemoryInit { data_index, mem } => {
                self.fixed(Opcode::MemoryInit, Imm::Idx2(data_index, mem))?
            }
            O::DataDrop { data_index } => self.fixed(Opcode::DataDrop, Imm::Idx(data_index))?,
            O::I32Const { value } => self.fixed(Opcode::I32Const, Imm::Int(value.into()))?,
            O::I64Const { value } => self.fixed(Opcode::I64Const, Imm::Int(value))?,
            O::F32Const { value } => self.fixed(Opcode::F32Const, Imm::Int(value.bits().into()))?,
            O::F64Const { value } => self.fixed(Opcode::F64Const, Imm::Int(value.bits() as i64))?,
            O::TableGet { table } => {
                let ty = self.table_elem(table)?;
                let index = self.pop()?;
                self.emit(Opcode::TableGet, Imm::Idx(table), vec![index], &[ty]);
            }
            O::TableSet { table } => {
                let args = self.pop_n(2)?;
                self.emit(Opcode::TableSet, Imm::Idx(table), args, &[]);
            }
            O::TableSize { table } => self.fixed(Opcode::TableSize, Imm::Idx(table))?,
            O::TableGrow { table } => {
                let args = self.pop_n(2)?;
                self.emit(Opcode::TableGrow, Imm::Idx(table), args, &[ValType::I32]);
            }
            O::TableFill { table } => {
                let args = self.pop_n(3)?;
                self.emit(Opcode::TableFill, Imm::Idx(table), args, &[]);
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => self.fixed(Opcode::TableCopy, Imm::Idx2(dst_table, src_table))?,
            O::TableInit { elem_index, table } => {
                self.fixed(Opcode::TableInit, Imm::Idx2(elem_index, table))?
            }
            O::ElemDrop { elem_index } => self.fixed(Opcode::ElemDrop, Imm::Idx(elem_index))?,
            O::RefNull { hty } => {
                let ty = heap_val_type(hty, self.offset).map_err(|e| self.internal(e.message))?;
                self.emit(Opcode::RefNull, Imm::None, Vec::new(), &[ty]);
            }
            O::RefIsNull => {
                let v = self.pop()?;
                self.emit(Opcode::RefIsNull, Imm::None, vec![v], &[ValType::I32]);
            }
            O::RefFunc { function_index } => {
                self.fixed(Opcode::RefFunc, Imm::Idx(function_index))?
            }
            other => return self.unsupported(&format!("{other:?}")),
        }
        Ok(())
    }

    fn select(&mut self) -> Result<(), CompileError> {
        let args = self.pop_n(3)?;
        let ty = self.func.ty(args[0]);
        self.emit(Opcode::Select, Imm::None, args, &[ty]);
        Ok(())
    }
}

/// The visit methods: operators of the proposals wrun implements go to
/// [`Builder::translate`]; the proposals listed in `unsupported_proposals!` are refused.
/// A proposal that is in neither list does not compile, so a new wasmparser forces a choice.
macro_rules! visit {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $( visit!(one @$proposal $op $({ $($arg: $argty),* })? => $visit); )*
    };
    (one @mvp $($rest:tt)*) => { visit!(supported $($rest)*); };
    (one @sign_extension $($rest:tt)*) => { visit!(supported $($rest)*); };
    (one @saturating_float_to_int $($rest:tt)*) => { visit!(supported $($rest)*); };
    (one @bulk_memory $($rest:tt)*) => { visit!(supported $($rest)*); };
    (one @reference_types $($rest:tt)*) => { visit!(supported $($rest)*); };
    (one @$proposal:ident $($rest:tt)*) => { unsupported_proposals!($proposal $($rest)*); };
    (supported $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident) => {
        fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
            self.translate(Operator::$op $({ $($arg),* })?)
        }
    };
    (unsupported $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident) => {
        fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
            $($(let _ = $arg;)*)?
            if !self.reachable {
                return Ok(());
            }
            self.unsupported(stringify!($op))
        }
    };
}

/// The proposals tier 2 does not build (SIMD is refused by the reader: no SIMD visitor).
macro_rules! unsupported_proposals {
    (exceptions $($rest:tt)*) => { visit!(unsupported $($rest)*); };
    (legacy_exceptions $($rest:tt)*) => { visit!(unsupported $($rest)*); };
    (tail_call $($rest:tt)*) => { visit!(unsupported $($rest)*); };
    (threads $($rest:tt)*) => { visit!(unsupported $($rest)*); };
    (gc $($rest:tt)*) => { visit!(unsupported $($rest)*); };
    (function_references $($rest:tt)*) => { visit!(unsupported $($rest)*); };
    (stack_switching $($rest:tt)*) => { visit!(unsupported $($rest)*); };
    (wide_arithmetic $($rest:tt)*) => { visit!(unsupported $($rest)*); };
    (memory_control $($rest:tt)*) => { visit!(unsupported $($rest)*); };
    (shared_everything_threads $($rest:tt)*) => { visit!(unsupported $($rest)*); };
    (custom_descriptors $($rest:tt)*) => { visit!(unsupported $($rest)*); };
}

impl<'a> VisitOperator<'a> for Builder<'_> {
    type Output = Result<(), CompileError>;

    wasmparser::for_each_visit_operator!(visit);
}
