//! Translation of one validated function body into internal code (rules in the `interp` docs).

use crate::runtime::CompileError;
use std::sync::atomic::AtomicU32;

use wasmparser::{BlockType, MemArg, Operator, VisitOperator, VisitSimdOperator};

use super::code::{Cmp, F64Arith, FloatCmp, ImmOp, Instr, Slot, Slot16};
use super::isa::Threaded;
use crate::module::fuel::FuelPlan;
use crate::module::{FrameLayout, FuncType, ModuleInfo, ValType, slot_shape as shape};
use crate::runtime::simd::{SimdOp, V128};

/// A translated function, ready to run.
#[derive(Debug)]
pub struct Translated {
    /// The instructions; their handler addresses are filled in by `exec::thread`.
    pub code: Box<[Threaded]>,
    /// For each instruction, the byte offset (in the module binary) of the wasm operator it
    /// came from; consulted only to build trap backtraces.
    pub offsets: Box<[u32]>,
    pub func_index: u32,
    /// Slots of the params (a v128 takes two; ARCHITECTURE.md "Values, slots and frames").
    pub num_params: u32,
    /// Slots of the results.
    pub num_results: u32,
    /// Slots of the params plus declared locals ([`FrameLayout::local_slots`]).
    pub num_locals: u32,
    /// The constants of `V128Const` and the lane indices of `I8x16Shuffle`, by index.
    pub v128_pool: Box<[V128]>,
    /// Slots the frame needs: locals plus the maximum operand height (plus one spare).
    pub frame_slots: u32,
    /// Times the function was entered.
    pub calls: AtomicU32,
    /// Times a loop header of the function was reached.
    pub back_edges: AtomicU32,
    /// The tier manager wants to hear about the function once `calls` reaches this
    /// (`u32::MAX`: never, e.g. without a tier manager or after a failed compile).
    pub call_trigger: AtomicU32,
    /// The same for `back_edges` (the interpreter then asks for an OSR entry).
    pub loop_trigger: AtomicU32,
    /// The `try_table`s with catch clauses, inner before outer (ARCHITECTURE.md
    /// "Exceptions"): the unwinder takes the first one covering the throwing instruction
    /// whose clauses match.
    pub handlers: Box<[Handler]>,
}

/// The catch clauses of one `try_table`: they apply to the instructions `start..end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handler {
    pub start: u32,
    pub end: u32,
    /// Where a caught exception's values go: the canonical slot of the operand height below
    /// the `try_table`'s params (payload first, then the exnref of a `_ref` clause).
    pub values_at: Slot,
    pub catches: Box<[CatchClause]>,
}

/// One catch clause: `tag` (`None`: `catch_all`), whether the exnref is passed too, and its
/// landing pad, the instruction that moves the values to the label's slots and branches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatchClause {
    pub tag: Option<u32>,
    pub by_ref: bool,
    pub pad: u32,
}

impl Translated {
    /// Bytes of internal code held for the function: the instructions and their offsets
    /// table (what `--stats` and the translation-throughput measurements count).
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.code)
            + std::mem::size_of_val(&*self.offsets)
            + std::mem::size_of_val(&*self.v128_pool)
    }
}

/// Where an abstract operand-stack entry lives right now.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Opd {
    /// In its canonical slot `num_locals + height`.
    Stack,
    /// Still in local `x` (a deferred `local.get`).
    Local(Slot),
    /// A constant not yet written anywhere (bits as stored in a slot).
    Const(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

struct Ctrl {
    kind: Kind,
    /// Operand height below the block's params (heights count slots: a v128 takes two).
    height: u32,
    /// Slots of the params and results.
    params: u32,
    results: u32,
    /// Their [`shape`]s (pushed again at `else` and `end`).
    param_shape: Vec<bool>,
    result_shape: Vec<bool>,
    /// Loop header instruction (branch target of a loop).
    head: u32,
    /// Branches to the end of the block, patched at `end`.
    fixups: Vec<u32>,
    /// For `if`: the conditional branch to the else arm (or the end).
    else_fixup: Option<u32>,
    /// For `try_table` with catch clauses: its handler, whose `end` is set at `end`.
    handler: Option<Handler>,
}

/// A branch condition.
#[derive(Clone, Copy)]
enum Cond {
    Nez(Slot),
    Eqz(Slot),
    Nez64(Slot),
    Eqz64(Slot),
    /// `fp[a] & imm != 0` (i32).
    AndNez(Slot, i32),
    AndEqz(Slot, i32),
    Cmp {
        wide: bool,
        cmp: Cmp,
        a: Slot,
        b: Slot,
    },
    CmpImm {
        wide: bool,
        cmp: Cmp,
        a: Slot,
        imm: i32,
    },
    /// `a cmp b` on floats (f64 when `wide`); its negation is a `negated` flag, not the
    /// opposite comparison (NaN).
    FloatCmp {
        wide: bool,
        cmp: FloatCmp,
        negated: bool,
        a: Slot,
        b: Slot,
    },
    /// `fp[a] cmp k` on f64, `k` the constant's bits.
    FloatCmpConst {
        cmp: FloatCmp,
        negated: bool,
        a: Slot16,
        k: u64,
    },
}

impl Cond {
    fn negate(self) -> Cond {
        match self {
            Cond::Nez(s) => Cond::Eqz(s),
            Cond::Eqz(s) => Cond::Nez(s),
            Cond::Nez64(s) => Cond::Eqz64(s),
            Cond::Eqz64(s) => Cond::Nez64(s),
            Cond::AndNez(a, imm) => Cond::AndEqz(a, imm),
            Cond::AndEqz(a, imm) => Cond::AndNez(a, imm),
            Cond::Cmp { wide, cmp, a, b } => Cond::Cmp {
                wide,
                cmp: cmp.negate(),
                a,
                b,
            },
            Cond::CmpImm { wide, cmp, a, imm } => Cond::CmpImm {
                wide,
                cmp: cmp.negate(),
                a,
                imm,
            },
            Cond::FloatCmp {
                wide,
                cmp,
                negated,
                a,
                b,
            } => Cond::FloatCmp {
                wide,
                cmp,
                negated: !negated,
                a,
                b,
            },
            Cond::FloatCmpConst { cmp, negated, a, k } => Cond::FloatCmpConst {
                cmp,
                negated: !negated,
                a,
                k,
            },
        }
    }

    /// The branch to `target` on this condition; `acc` the slot whose value the accumulator
    /// holds (see [`Translator::acc_slot`]).
    fn branch(self, target: u32, acc: Option<Slot>) -> Instr {
        match self {
            Cond::Nez(cond) => Instr::BrIfNez { cond, target },
            Cond::Eqz(cond) => Instr::BrIfEqz { cond, target },
            Cond::Nez64(cond) => Instr::BrIfNez64 { cond, target },
            Cond::Eqz64(cond) => Instr::BrIfEqz64 { cond, target },
            Cond::AndNez(a, imm) => Instr::BrI32AndINez { a, imm, target },
            Cond::AndEqz(a, imm) => Instr::BrI32AndIEqz { a, imm, target },
            Cond::Cmp { wide, cmp, a, b } => cmp.branch(wide, a, b, target),
            Cond::CmpImm { wide, cmp, a, imm } => cmp.branch_imm(wide, a, imm, target),
            Cond::FloatCmp {
                wide,
                cmp,
                negated,
                a,
                b,
            } => cmp.branch(wide, negated, a, b, target),
            Cond::FloatCmpConst { cmp, negated, a, k } => {
                cmp.branch_const(negated, a, k, acc == Some(Slot::from(a)), target)
            }
        }
    }
}

type Result<T> = std::result::Result<T, CompileError>;

/// Translates defined function `func_index` (imports counted) of `module`. `count_loops`: put a
/// `LoopHeader` (back-edge counter, OSR point) at each loop head; only worth its dispatch when
/// a tier manager listens (without one, nothing would ever read the counts).
pub fn translate(module: &ModuleInfo, func_index: u32, count_loops: bool) -> Result<Translated> {
    translate_metered(module, func_index, count_loops, false)
}

/// [`translate`], with a `FuelCharge` at the start of every fuel block when `consume_fuel`
/// (the blocks and their costs come from [`FuelPlan`], the definition the JIT uses too).
pub fn translate_metered(
    module: &ModuleInfo,
    func_index: u32,
    count_loops: bool,
    consume_fuel: bool,
) -> Result<Translated> {
    let (ty, body, mut reader) = module.function_body(func_index)?;
    let Some(layout) = FrameLayout::new(ty, &body.locals, u64::from(u32::MAX / 4)) else {
        return Err(CompileError::Limit {
            function: func_index,
            what: "too many locals",
        });
    };
    let mut ops = Vec::new();
    while !reader.eof() {
        let (op, offset) = reader
            .read_with_offset()
            .map_err(|e| CompileError::from(e.to_string()).in_function(func_index))?;
        ops.push((op, offset));
    }
    let fuel = FuelPlan::new(&ops, |(op, _)| op, consume_fuel);

    let num_params = u64::from(layout.param_slots());
    let num_locals = u64::from(layout.local_slots());
    let result_shape = shape(ty.results.iter().copied());
    let num_results = result_shape.len() as u32;
    let mut t = Translator {
        module,
        nl: num_locals as u32,
        layout,
        stack: Vec::new(),
        high: Vec::new(),
        v128_pool: Vec::new(),
        max_height: 0,
        ctrl: Vec::new(),
        code: Vec::new(),
        offsets: Vec::new(),
        offset: body.range.start as u32,
        ops,
        fuel,
        pos: 0,
        unreachable: false,
        skip_depth: 0,
        num_results,
        count_loops,
        label_at: 0,
        handlers: Vec::new(),
    };
    t.ctrl.push(Ctrl {
        kind: Kind::Func,
        height: 0,
        params: 0,
        results: num_results,
        param_shape: Vec::new(),
        result_shape,
        head: 0,
        fixups: Vec::new(),
        else_fixup: None,
        handler: None,
    });
    if module.epoch_checks {
        t.emit(Instr::EpochCheck);
    }
    t.run()?;
    let frame_slots = u64::from(t.nl) + u64::from(t.max_height) + 1;
    let frame_slots = frame_slots
        .max(u64::from(t.num_results))
        .max(num_params + 1);
    if frame_slots > u64::from(u32::MAX / 2) {
        return Err(CompileError::Limit {
            function: func_index,
            what: "frame too large",
        });
    }
    Ok(Translated {
        code: t
            .code
            .into_iter()
            .map(|instr| Threaded { handler: 0, instr })
            .collect(),
        offsets: t.offsets.into_boxed_slice(),
        func_index,
        num_params: num_params as u32,
        num_results,
        num_locals: num_locals as u32,
        v128_pool: t.v128_pool.into_boxed_slice(),
        frame_slots: frame_slots as u32,
        calls: AtomicU32::new(0),
        back_edges: AtomicU32::new(0),
        call_trigger: AtomicU32::new(u32::MAX),
        loop_trigger: AtomicU32::new(u32::MAX),
        handlers: t.handlers.into_boxed_slice(),
    })
}

struct Translator<'m, 'b> {
    module: &'m ModuleInfo,
    /// Slots of the locals (params included): the operand area starts at `fp[nl]`.
    nl: u32,
    layout: FrameLayout,
    /// One entry per slot (a v128 operand is two entries, in consecutive slots).
    stack: Vec<Opd>,
    /// Parallel to `stack`: whether the entry is the high half of a v128.
    high: Vec<bool>,
    v128_pool: Vec<V128>,
    max_height: u32,
    ctrl: Vec<Ctrl>,
    code: Vec<Instr>,
    offsets: Vec<u32>,
    /// Offset of the operator being translated.
    offset: u32,
    ops: Vec<(Operator<'b>, usize)>,
    /// The fuel charge before each operator (empty when fuel is off).
    fuel: FuelPlan,
    /// Index of the next operator to read.
    pos: usize,
    unreachable: bool,
    /// Nesting depth of blocks opened inside unreachable code.
    skip_depth: u32,
    num_results: u32,
    /// Emit `LoopHeader`s (see [`translate`]).
    count_loops: bool,
    /// The last code position that is a branch target: an instruction emitted there must not
    /// be fused into the one before it.
    label_at: u32,
    /// The finished handlers of `try_table`s (see [`Translated::handlers`]).
    handlers: Vec<Handler>,
}

impl<'b> Translator<'_, 'b> {
    fn run(&mut self) -> Result<()> {
        while self.pos < self.ops.len() {
            let (op, offset) = self.ops[self.pos].clone();
            self.pos += 1;
            self.offset = offset as u32;
            if self.unreachable {
                match op {
                    Operator::Block { .. }
                    | Operator::Loop { .. }
                    | Operator::If { .. }
                    | Operator::TryTable { .. } => self.skip_depth += 1,
                    Operator::Else if self.skip_depth == 0 => self.op_else()?,
                    Operator::End if self.skip_depth > 0 => self.skip_depth -= 1,
                    Operator::End => self.op_end()?,
                    _ => {}
                }
                continue;
            }
            let at = self.pos - 1;
            let cost = self.fuel.at(at);
            if cost > 0 {
                self.emit(Instr::FuelCharge { cost });
            }
            self.visit_operator(&op)?;
            // An operator folded into this one (`local.set`, a fused `br_if`/`if`) never
            // starts a fuel block: only control transfers end one.
            debug_assert!((at + 1..self.pos).all(|i| self.fuel.at(i) == 0));
            if self.ctrl.is_empty() {
                break;
            }
        }
        if !self.ctrl.is_empty() {
            return Err("function body ends inside a block".into());
        }
        Ok(())
    }

    // ----- emission helpers -----

    fn emit(&mut self, instr: Instr) -> u32 {
        if let Some(pair) = self.fuse_pair(instr) {
            let at = self.code.len() - 1;
            self.code[at] = pair;
            return at as u32;
        }
        self.code.push(instr);
        self.offsets.push(self.offset);
        (self.code.len() - 1) as u32
    }

    /// Two independent instructions in a row that form a superinstruction (`Copy2`,
    /// `I32AddI2`): the pair, which replaces the last instruction. Neither of them can trap,
    /// so the pair keeps the first one's wasm offset.
    fn fuse_pair(&self, next: Instr) -> Option<Instr> {
        if !self.can_fuse() {
            return None;
        }
        let s16 = |slot: Slot| Slot16::try_from(slot).ok();
        let i16 = |imm: i32| i16::try_from(imm).ok();
        Some(match (*self.code.last()?, next) {
            (Instr::Copy { dst: d1, src: s1 }, Instr::Copy { dst: d2, src: s2 }) => Instr::Copy2 {
                d1: s16(d1)?,
                s1: s16(s1)?,
                d2: s16(d2)?,
                s2: s16(s2)?,
            },
            (
                Instr::I32AddI {
                    dst: d1,
                    a: a1,
                    imm: i1,
                },
                Instr::I32AddI {
                    dst: d2,
                    a: a2,
                    imm: i2,
                },
            ) => Instr::I32AddI2 {
                d1: s16(d1)?,
                a1: s16(a1)?,
                i1: i16(i1)?,
                d2: s16(d2)?,
                a2: s16(a2)?,
                i2: i16(i2)?,
            },
            _ => return None,
        })
    }

    /// The last instruction, removed, if it computed the top operand (in its canonical slot,
    /// which is dead once that operand is popped) and the instruction about to be emitted may
    /// absorb it. The caller re-emits it if it cannot fuse after all.
    fn take_producer_of_top(&mut self) -> Option<Instr> {
        let h = self.height();
        if h == 0 || self.stack[(h - 1) as usize] != Opd::Stack || !self.can_fuse() {
            return None;
        }
        let top = self.canonical(h - 1);
        let last = *self.code.last()?;
        let writes_top = match last {
            Instr::I32Add { dst, .. }
            | Instr::I32AddI { dst, .. }
            | Instr::I32ShlI { dst, .. }
            | Instr::I32AndI { dst, .. }
            | Instr::I32Eqz { dst, .. }
            | Instr::I64Eqz { dst, .. } => dst == top,
            _ => false,
        };
        if !writes_top {
            return None;
        }
        self.code.pop();
        self.offsets.pop();
        Some(last)
    }

    /// The slot whose value is also in the f64 accumulator when the next instruction runs:
    /// the `fdst` of the last instruction, if nothing can jump in between.
    fn acc_slot(&self) -> Option<Slot> {
        if !self.can_fuse() {
            return None;
        }
        self.code.last()?.acc_result()
    }

    /// f64 `add`/`sub`/`mul`/`div`, reading the operand the last instruction just computed
    /// from the accumulator.
    fn f64_arith(&mut self, op: F64Arith) -> Result<()> {
        let b = self.pop_slot()?;
        let a = self.pop_slot()?;
        let fdst = self.dst();
        let acc = self.acc_slot();
        self.emit(op.instr(fdst, a, b, acc));
        Ok(())
    }

    fn here(&self) -> u32 {
        self.code.len() as u32
    }

    /// Whether the instruction about to be emitted may be fused into the last one emitted
    /// (there is one, and no branch lands between them).
    fn can_fuse(&self) -> bool {
        self.label_at < self.here()
    }

    fn patch(&mut self, at: u32, target: u32) {
        self.label_at = self.label_at.max(target);
        if let Some(t) = self.code.get_mut(at as usize).and_then(Instr::target_mut) {
            *t = target;
        }
    }

    fn height(&self) -> u32 {
        self.stack.len() as u32
    }

    fn canonical(&self, index: u32) -> Slot {
        self.nl + index
    }

    fn push(&mut self, opd: Opd) {
        self.push_entry(opd, false);
    }

    fn push_entry(&mut self, opd: Opd, high: bool) {
        self.stack.push(opd);
        self.high.push(high);
        self.max_height = self.max_height.max(self.height());
    }

    /// Pushes values of `shape` computed into their canonical slots.
    fn push_shape(&mut self, shape: &[bool]) {
        for &high in shape {
            self.push_entry(Opd::Stack, high);
        }
    }

    /// Drops the entries above height `height`.
    fn truncate(&mut self, height: u32) {
        self.stack.truncate(height as usize);
        self.high.truncate(height as usize);
    }

    /// Whether the top entry is (the high half of) a v128.
    fn top_is_v128(&self) -> bool {
        self.high.last() == Some(&true)
    }

    /// Pushes a value computed into its canonical slot; returns that slot.
    fn push_stack(&mut self) -> Slot {
        self.push(Opd::Stack);
        self.canonical(self.height() - 1)
    }

    fn pop(&mut self) -> Result<Opd> {
        self.high.pop();
        self.stack
            .pop()
            .ok_or_else(|| "operand stack underflow".into())
    }

    fn emit_const(&mut self, dst: Slot, value: u64) {
        if value <= u64::from(u32::MAX) {
            self.emit(Instr::Const32 {
                dst,
                value: value as u32,
            });
        } else {
            self.emit(Instr::Const64 { dst, value });
        }
    }

    /// Writes entry `index` to its canonical slot.
    fn materialize(&mut self, index: u32) {
        let dst = self.canonical(index);
        match self.stack[index as usize] {
            Opd::Stack => {}
            Opd::Local(src) => {
                self.emit(Instr::Copy { dst, src });
            }
            Opd::Const(value) => self.emit_const(dst, value),
        }
        self.stack[index as usize] = Opd::Stack;
    }

    fn materialize_all(&mut self) {
        for i in 0..self.height() {
            self.materialize(i);
        }
    }

    /// Materializes the top `n` entries in place.
    fn materialize_top(&mut self, n: u32) -> Result<()> {
        let h = self.height();
        if n > h {
            return Err("operand stack underflow".into());
        }
        for i in h - n..h {
            self.materialize(i);
        }
        Ok(())
    }

    /// Before local `x` is overwritten: deferred reads of it must take the old value now.
    fn materialize_local(&mut self, x: Slot) {
        for i in 0..self.height() {
            if self.stack[i as usize] == Opd::Local(x) {
                self.materialize(i);
            }
        }
    }

    /// Pops an operand and returns the slot holding it (constants get written to their
    /// canonical slot, which is free above the new top).
    fn pop_slot(&mut self) -> Result<Slot> {
        let opd = self.pop()?;
        let index = self.height();
        Ok(match opd {
            Opd::Stack => self.canonical(index),
            Opd::Local(x) => x,
            Opd::Const(value) => {
                let dst = self.canonical(index);
                self.emit_const(dst, value);
                dst
            }
        })
    }

    fn peek_op(&self) -> Option<&Operator<'b>> {
        self.ops.get(self.pos).map(|(op, _)| op)
    }

    /// The destination of a one-result operation whose operands are already popped: a
    /// following `local.set x` / `local.tee x` is folded in (the result goes straight to `x`);
    /// otherwise the canonical slot of the result.
    fn dst(&mut self) -> Slot {
        let (set, tee) = self.folded_local_set(1);
        if let Some(x) = set {
            self.materialize_local(x);
            if tee {
                self.push(Opd::Local(x));
            }
            return x;
        }
        self.push_stack()
    }

    /// [`Translator::dst`] for a v128 result: its first slot.
    fn dst_v128(&mut self) -> Slot {
        let (set, tee) = self.folded_local_set(2);
        if let Some(x) = set {
            self.materialize_local(x);
            self.materialize_local(x + 1);
            if tee {
                self.push_entry(Opd::Local(x), false);
                self.push_entry(Opd::Local(x + 1), true);
            }
            return x;
        }
        let dst = self.push_stack();
        self.push_entry(Opd::Stack, true);
        dst
    }

    /// A `local.set` / `local.tee` (true) of a local `width` slots wide next: consumed, and
    /// the local's first slot returned.
    fn folded_local_set(&mut self, width: u32) -> (Option<Slot>, bool) {
        let (index, tee) = match self.peek_op() {
            Some(&Operator::LocalSet { local_index }) => (local_index, false),
            Some(&Operator::LocalTee { local_index }) => (local_index, true),
            _ => return (None, false),
        };
        match self.layout.local(index) {
            Some((slot, w)) if w == width => {
                self.pos += 1;
                (Some(slot), tee)
            }
            _ => (None, false),
        }
    }

    /// Pops a v128 operand; returns its first slot (the second follows). One still in a
    /// local stays there; anything else is made canonical first.
    fn pop_v128(&mut self) -> Result<Slot> {
        let high = self.pop()?;
        let low = self.pop()?;
        let index = self.height();
        if let (Opd::Local(x), Opd::Local(y)) = (low, high)
            && y == x + 1
        {
            return Ok(x);
        }
        for (j, opd) in [low, high].into_iter().enumerate() {
            let dst = self.canonical(index + j as u32);
            match opd {
                Opd::Stack => {}
                Opd::Local(src) => {
                    self.emit(Instr::Copy { dst, src });
                }
                Opd::Const(value) => self.emit_const(dst, value),
            }
        }
        Ok(self.canonical(index))
    }

    /// Adds `value` to the constant pool; returns its index.
    fn pool(&mut self, value: V128) -> Result<u32> {
        let index = match self.v128_pool.iter().position(|v| *v == value) {
            Some(i) => i,
            None => {
                self.v128_pool.push(value);
                self.v128_pool.len() - 1
            }
        };
        u32::try_from(index).map_err(|_| "constant pool too large".into())
    }

    /// The [`shape`]s of a block's params and results.
    fn block_arity(&self, blockty: BlockType) -> Result<(Vec<bool>, Vec<bool>)> {
        Ok(match blockty {
            BlockType::Empty => (Vec::new(), Vec::new()),
            BlockType::Type(wasmparser::ValType::V128) => (Vec::new(), vec![false, true]),
            BlockType::Type(_) => (Vec::new(), vec![false]),
            BlockType::FuncType(index) => {
                let ty = self
                    .module
                    .types
                    .get(index as usize)
                    .ok_or_else(|| format!("unknown block type {index}"))?;
                (
                    shape(ty.params.iter().copied()),
                    shape(ty.results.iter().copied()),
                )
            }
        })
    }

    fn push_ctrl(
        &mut self,
        kind: Kind,
        param_shape: Vec<bool>,
        result_shape: Vec<bool>,
        head: u32,
    ) -> Result<()> {
        let (params, results) = (param_shape.len() as u32, result_shape.len() as u32);
        let height = self
            .height()
            .checked_sub(params)
            .ok_or_else(|| "operand stack underflow at block entry".to_string())?;
        self.ctrl.push(Ctrl {
            kind,
            height,
            params,
            results,
            param_shape,
            result_shape,
            head,
            fixups: Vec::new(),
            else_fixup: None,
            handler: None,
        });
        Ok(())
    }

    fn label(&self, depth: u32) -> Result<&Ctrl> {
        let len = self.ctrl.len();
        (depth as usize)
            .checked_add(1)
            .and_then(|d| len.checked_sub(d))
            .and_then(|i| self.ctrl.get(i))
            .ok_or_else(|| format!("unknown label {depth}").into())
    }

    /// (values carried, destination height, is the function frame, is a loop)
    fn branch_info(&self, depth: u32) -> Result<(u32, u32, bool, bool)> {
        let c = self.label(depth)?;
        Ok(match c.kind {
            Kind::Loop => (c.params, c.height, false, true),
            Kind::Func => (c.results, 0, true, false),
            _ => (c.results, c.height, false, false),
        })
    }

    /// Whether a branch to `depth` needs no moves and is a single jump.
    fn is_simple_branch(&self, depth: u32) -> Result<bool> {
        let (n, dest, is_func, _) = self.branch_info(depth)?;
        if is_func {
            return Ok(false);
        }
        let h = self.height();
        if n > h {
            return Err("operand stack underflow at branch".into());
        }
        Ok(h - n == dest
            && self.stack[(h - n) as usize..]
                .iter()
                .all(|o| *o == Opd::Stack))
    }

    /// Emits a jump to label `depth` (whose values are in place) and returns its index, after
    /// registering it for patching when the target is not known yet.
    fn emit_jump(&mut self, depth: u32, instr: Instr) -> Result<()> {
        let (_, _, _, is_loop) = self.branch_info(depth)?;
        let at = self.emit(instr);
        let len = self.ctrl.len();
        let c = &mut self.ctrl[len - 1 - depth as usize];
        if is_loop {
            let head = c.head;
            self.patch(at, head);
        } else {
            c.fixups.push(at);
        }
        Ok(())
    }

    /// Unconditional branch to `depth`: moves the carried values, then jumps (or returns).
    fn emit_branch(&mut self, depth: u32) -> Result<()> {
        let (n, dest, is_func, _) = self.branch_info(depth)?;
        if is_func {
            return self.emit_return();
        }
        let h = self.height();
        if n > h {
            return Err("operand stack underflow at branch".into());
        }
        // Sources sit at heights >= their destinations, so ascending order never overwrites a
        // value before it is read.
        for j in 0..n {
            let dst = self.canonical(dest + j);
            match self.stack[(h - n + j) as usize] {
                Opd::Stack => {
                    let src = self.canonical(h - n + j);
                    if src != dst {
                        self.emit(Instr::Copy { dst, src });
                    }
                }
                Opd::Local(src) => {
                    self.emit(Instr::Copy { dst, src });
                }
                Opd::Const(value) => self.emit_const(dst, value),
            }
        }
        self.emit_jump(depth, Instr::Br { target: 0 })
    }

    /// Moves the function's results to `fp[0..n]` and returns.
    fn emit_return(&mut self) -> Result<()> {
        let n = self.num_results;
        let h = self.height();
        if n > h {
            return Err("operand stack underflow at return".into());
        }
        match n {
            0 => {
                self.emit(Instr::Return);
            }
            1 => {
                let src = match self.stack[(h - 1) as usize] {
                    Opd::Stack => self.canonical(h - 1),
                    Opd::Local(x) => x,
                    Opd::Const(value) => {
                        self.emit_const(0, value);
                        self.emit(Instr::Return);
                        return Ok(());
                    }
                };
                self.emit(Instr::Return1 { src });
            }
            _ => {
                // Locals may be destinations (fp[0..n]); move them to their canonical slots
                // first. The abstract stack is left alone: after a conditional return the
                // fall-through path has not executed these moves.
                for i in h - n..h {
                    if let Opd::Local(src) = self.stack[i as usize] {
                        let dst = self.canonical(i);
                        self.emit(Instr::Copy { dst, src });
                    }
                }
                for j in 0..n {
                    let i = h - n + j;
                    match self.stack[i as usize] {
                        Opd::Const(value) => self.emit_const(j, value),
                        _ => {
                            let src = self.canonical(i);
                            if src != j {
                                self.emit(Instr::Copy { dst: j, src });
                            }
                        }
                    }
                }
                self.emit(Instr::Return);
            }
        }
        Ok(())
    }

    /// `br_if depth` on `cond`.
    fn branch_if(&mut self, depth: u32, cond: Cond) -> Result<()> {
        if self.is_simple_branch(depth)? {
            let branch = cond.branch(0, self.acc_slot());
            self.emit_jump(depth, branch)
        } else {
            let skip = self.emit(cond.negate().branch(0, self.acc_slot()));
            self.emit_branch(depth)?;
            let here = self.here();
            self.patch(skip, here);
            Ok(())
        }
    }

    /// `if` on `cond` (already popped).
    fn op_if(&mut self, blockty: BlockType, cond: Cond) -> Result<()> {
        let (params, results) = self.block_arity(blockty)?;
        self.materialize_all();
        let at = self.emit(cond.negate().branch(0, self.acc_slot()));
        self.push_ctrl(Kind::If, params, results, 0)?;
        if let Some(c) = self.ctrl.last_mut() {
            c.else_fixup = Some(at);
        }
        Ok(())
    }

    /// After a compare was translated into `cond`: fuses a following `br_if` / `if`, or
    /// returns false when the caller must compute the value.
    fn fuse_cond(&mut self, mut cond: Cond) -> Result<bool> {
        if !self.branch_follows() {
            return Ok(false);
        }
        if matches!(self.peek_op(), Some(Operator::I32Eqz)) {
            self.pos += 1;
            cond = cond.negate();
        }
        match self.peek_op().cloned() {
            Some(Operator::BrIf { relative_depth }) => {
                self.pos += 1;
                self.branch_if(relative_depth, cond)?;
                Ok(true)
            }
            Some(Operator::If { blockty }) => {
                self.pos += 1;
                self.op_if(blockty, cond)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Whether the next operator is a `br_if` / `if`, or an `i32.eqz` and then one: a
    /// condition just computed can be fused with it (negated across the `eqz`).
    fn branch_follows(&self) -> bool {
        let branch = |op: Option<&(Operator<'b>, usize)>| {
            matches!(op, Some((Operator::BrIf { .. } | Operator::If { .. }, _)))
        };
        match self.ops.get(self.pos) {
            Some((Operator::I32Eqz, _)) => branch(self.ops.get(self.pos + 1)),
            next => branch(next),
        }
    }

    fn op_else(&mut self) -> Result<()> {
        let reachable = !self.unreachable;
        let (height, param_shape, results) = match self.ctrl.last() {
            Some(c) if c.kind == Kind::If => (c.height, c.param_shape.clone(), c.results),
            _ => return Err("else without if".into()),
        };
        if reachable {
            self.materialize_top(results)?;
            let at = self.emit(Instr::Br { target: 0 });
            if let Some(c) = self.ctrl.last_mut() {
                c.fixups.push(at);
            }
        }
        let here = self.here();
        let mut else_fixup = None;
        if let Some(c) = self.ctrl.last_mut() {
            c.kind = Kind::Else;
            else_fixup = c.else_fixup.take();
        }
        if let Some(at) = else_fixup {
            self.patch(at, here);
        }
        self.truncate(height);
        self.push_shape(&param_shape);
        self.unreachable = false;
        Ok(())
    }

    fn op_end(&mut self) -> Result<()> {
        let reachable = !self.unreachable;
        let (results, kind) = match self.ctrl.last() {
            Some(c) => (c.results, c.kind),
            None => return Err("end without block".into()),
        };
        if kind == Kind::Func {
            // Branches to the function label are returns, so only the fall-through is left.
            if reachable {
                self.emit_return()?;
            }
            self.ctrl.pop();
            return Ok(());
        }
        if reachable {
            self.materialize_top(results)?;
        }
        let Some(c) = self.ctrl.pop() else {
            return Err("end without block".into());
        };
        let here = self.here();
        if let Some(at) = c.else_fixup {
            self.patch(at, here);
        }
        for at in &c.fixups {
            self.patch(*at, here);
        }
        if let Some(mut handler) = c.handler {
            handler.end = here;
            self.handlers.push(handler);
        }
        self.truncate(c.height);
        self.push_shape(&c.result_shape);
        self.unreachable = false;
        Ok(())
    }

    // ----- operator helpers -----

    fn unary(&mut self, make: impl FnOnce(Slot, Slot) -> Instr) -> Result<()> {
        let src = self.pop_slot()?;
        let dst = self.dst();
        self.emit(make(dst, src));
        Ok(())
    }

    fn binary(&mut self, make: impl FnOnce(Slot, Slot, Slot) -> Instr) -> Result<()> {
        let b = self.pop_slot()?;
        let a = self.pop_slot()?;
        let dst = self.dst();
        self.emit(make(dst, a, b));
        Ok(())
    }

    /// The top entry as a 32-bit immediate, if it is a constant that fits.
    fn const_imm(&self, back: usize, wide: bool) -> Option<i32> {
        let index = self.stack.len().checked_sub(back + 1)?;
        match self.stack[index] {
            Opd::Const(value) if !wide => Some(value as u32 as i32),
            Opd::Const(value) => i32::try_from(value as i64).ok(),
            _ => None,
        }
    }

    fn binary_imm(&mut self, wide: bool, op: ImmOp) -> Result<()> {
        if !wide
            && op == ImmOp::Add
            && self.const_imm(0, wide).is_none()
            && self.const_imm(1, wide).is_none()
            && self.add_shifted()?
        {
            return Ok(());
        }
        if let Some(imm) = self.const_imm(0, wide) {
            self.pop()?;
            let a = self.pop_slot()?;
            let dst = self.dst();
            self.emit(op.instr_imm(wide, dst, a, imm));
            return Ok(());
        }
        if op.commutative()
            && let Some(imm) = self.const_imm(1, wide)
        {
            let b = self.pop_slot()?;
            self.pop()?;
            let dst = self.dst();
            self.emit(op.instr_imm(wide, dst, b, imm));
            return Ok(());
        }
        self.binary(|dst, a, b| op.instr(wide, dst, a, b))
    }

    fn sub(&mut self, wide: bool) -> Result<()> {
        if let Some(imm) = self.const_imm(0, wide)
            && imm != i32::MIN
        {
            self.pop()?;
            let a = self.pop_slot()?;
            let dst = self.dst();
            self.emit(ImmOp::Add.instr_imm(wide, dst, a, imm.wrapping_neg()));
            return Ok(());
        }
        if wide {
            self.binary(|dst, a, b| Instr::I64Sub { dst, a, b })
        } else {
            self.binary(|dst, a, b| Instr::I32Sub { dst, a, b })
        }
    }

    fn compare(&mut self, wide: bool, cmp: Cmp) -> Result<()> {
        let cond = if let Some(imm) = self.const_imm(0, wide) {
            self.pop()?;
            let a = self.pop_slot()?;
            Cond::CmpImm { wide, cmp, a, imm }
        } else if let Some(imm) = self.const_imm(1, wide) {
            let b = self.pop_slot()?;
            self.pop()?;
            Cond::CmpImm {
                wide,
                cmp: cmp.swap(),
                a: b,
                imm,
            }
        } else {
            let b = self.pop_slot()?;
            let a = self.pop_slot()?;
            Cond::Cmp { wide, cmp, a, b }
        };
        if self.fuse_cond(cond)? {
            return Ok(());
        }
        let dst = self.dst();
        let instr = match cond {
            Cond::Cmp { wide, cmp, a, b } => cmp.instr(wide, dst, a, b),
            Cond::CmpImm { wide, cmp, a, imm } => cmp.instr_imm(wide, dst, a, imm),
            _ => return Err("internal: bad compare".into()),
        };
        self.emit(instr);
        Ok(())
    }

    /// A float compare: fused with a following `br_if` / `if` (with the constant as an
    /// operand when one side is an f64 constant), else `make`'s instruction.
    fn float_compare(
        &mut self,
        wide: bool,
        cmp: FloatCmp,
        make: impl FnOnce(Slot, Slot, Slot) -> Instr,
    ) -> Result<()> {
        if !self.branch_follows() {
            return self.binary(make);
        }
        let constant = |back: usize| match self.stack.len().checked_sub(back + 1) {
            Some(i) if wide => match self.stack[i] {
                Opd::Const(k) => Some(k),
                _ => None,
            },
            _ => None,
        };
        let cond = if let Some(k) = constant(0) {
            self.pop()?;
            let a = self.pop_slot()?;
            match Slot16::try_from(a) {
                Ok(a) => Cond::FloatCmpConst {
                    cmp,
                    negated: false,
                    a,
                    k,
                },
                Err(_) => {
                    let b = self.canonical(self.height() + 1);
                    self.emit_const(b, k);
                    Cond::FloatCmp {
                        wide,
                        cmp,
                        negated: false,
                        a,
                        b,
                    }
                }
            }
        } else if let Some(k) = constant(1)
            && let Some(Opd::Local(b)) = self.stack.last().copied()
            && let Ok(b) = Slot16::try_from(b)
        {
            self.pop()?;
            self.pop()?;
            Cond::FloatCmpConst {
                cmp: cmp.swap(),
                negated: false,
                a: b,
                k,
            }
        } else {
            let b = self.pop_slot()?;
            let a = self.pop_slot()?;
            Cond::FloatCmp {
                wide,
                cmp,
                negated: false,
                a,
                b,
            }
        };
        if self.fuse_cond(cond)? {
            Ok(())
        } else {
            Err("internal: float compare without its branch".into())
        }
    }

    fn eqz(&mut self, wide: bool) -> Result<()> {
        let src = self.pop_slot()?;
        let cond = if wide {
            Cond::Eqz64(src)
        } else {
            Cond::Eqz(src)
        };
        if self.fuse_cond(cond)? {
            return Ok(());
        }
        let dst = self.dst();
        self.emit(if wide {
            Instr::I64Eqz { dst, src }
        } else {
            Instr::I32Eqz { dst, src }
        });
        Ok(())
    }

    fn offset_of(memarg: &MemArg) -> Result<u32> {
        u32::try_from(memarg.offset).map_err(|_| "memory offset beyond 32 bits".into())
    }

    fn load(&mut self, memarg: &MemArg, make: fn(Slot, Slot, u32) -> Instr) -> Result<()> {
        let offset = Self::offset_of(memarg)?;
        if matches!(
            make(0, 0, 0),
            Instr::Load8U { .. } | Instr::Load32 { .. } | Instr::Load64 { .. }
        ) && let Some(producer) = self.take_producer_of_top()
        {
            return self.load_computed(producer, offset, make);
        }
        let addr = self.pop_slot()?;
        let dst = self.dst();
        self.emit(make(dst, addr, offset));
        Ok(())
    }

    /// A load whose address the removed instruction `producer` computed: one `Load*Add` /
    /// `Load*AddI` superinstruction, or (operands beyond 16 bits, or another producer) the
    /// producer again and the plain load.
    fn load_computed(
        &mut self,
        producer: Instr,
        offset: u32,
        make: fn(Slot, Slot, u32) -> Instr,
    ) -> Result<()> {
        let addr = self.pop_slot()?;
        // May emit copies of deferred locals before the load; they write only canonical slots
        // of live entries, never the producer's operands (locals or popped entries).
        let dst = self.dst();
        let s16 = |slot: Slot| Slot16::try_from(slot).ok();
        let fused = match (producer, make(0, 0, 0)) {
            (Instr::I32Add { a, b, .. }, kind) => {
                s16(dst)
                    .zip(s16(a))
                    .zip(s16(b))
                    .and_then(|((dst, a), b)| match kind {
                        Instr::Load8U { .. } => Some(Instr::Load8UAdd { dst, a, b, offset }),
                        Instr::Load32 { .. } => Some(Instr::Load32Add { dst, a, b, offset }),
                        Instr::Load64 { .. } => Some(Instr::Load64Add { dst, a, b, offset }),
                        _ => None,
                    })
            }
            (Instr::I32AddI { a, imm, .. }, kind) => {
                s16(dst).zip(s16(a)).and_then(|(dst, a)| match kind {
                    Instr::Load8U { .. } => Some(Instr::Load8UAddI {
                        dst,
                        a,
                        imm,
                        offset,
                    }),
                    Instr::Load32 { .. } => Some(Instr::Load32AddI {
                        dst,
                        a,
                        imm,
                        offset,
                    }),
                    Instr::Load64 { .. } => Some(Instr::Load64AddI {
                        dst,
                        a,
                        imm,
                        offset,
                    }),
                    _ => None,
                })
            }
            _ => None,
        };
        match fused {
            Some(instr) => {
                self.emit(instr);
            }
            None => {
                self.emit(producer);
                self.emit(make(dst, addr, offset));
            }
        }
        Ok(())
    }

    /// Pops the condition of a `br_if` / `if`: an `i32.and` with a constant just computed
    /// becomes a bit test fused with the branch (strings, lz).
    fn pop_cond(&mut self) -> Result<Cond> {
        if matches!(self.code.last(), Some(Instr::I32AndI { .. }))
            && let Some(Instr::I32AndI { a, imm, .. }) = self.take_producer_of_top()
        {
            self.pop()?;
            return Ok(Cond::AndNez(a, imm));
        }
        Ok(Cond::Nez(self.pop_slot()?))
    }

    /// `i32.add` of a value and a shift by a constant the last instruction computed: one
    /// `I32AddShlI`. False (nothing changed) when that is not the case.
    fn add_shifted(&mut self) -> Result<bool> {
        if !matches!(self.code.last(), Some(Instr::I32ShlI { .. })) {
            return Ok(false);
        }
        let Some(shl) = self.take_producer_of_top() else {
            return Ok(false);
        };
        self.pop()?;
        let a = self.pop_slot()?;
        let dst = self.dst();
        let s16 = |slot: Slot| Slot16::try_from(slot).ok();
        let fused = match shl {
            Instr::I32ShlI { dst: t, a: b, imm } => {
                match (s16(dst), s16(a), s16(b), u16::try_from(imm & 31)) {
                    (Some(dst), Some(a), Some(b), Ok(shift)) => {
                        Some(Instr::I32AddShlI { dst, a, b, shift })
                    }
                    _ => Some(Instr::I32Add { dst, a, b: t }),
                }
                .map(|add| (add, shl))
            }
            _ => None,
        };
        match fused {
            Some((add @ Instr::I32AddShlI { .. }, _)) => {
                self.emit(add);
            }
            Some((add, shl)) => {
                self.emit(shl);
                self.emit(add);
            }
            None => return Err("internal: shift producer expected".into()),
        }
        Ok(true)
    }

    fn store(&mut self, memarg: &MemArg, make: fn(Slot, Slot, u32) -> Instr) -> Result<()> {
        let offset = Self::offset_of(memarg)?;
        let val = self.pop_slot()?;
        let addr = self.pop_slot()?;
        self.emit(make(addr, val, offset));
        Ok(())
    }

    /// Materializes the top `n` operands and pops them; returns the canonical slot of the first.
    fn pop_args(&mut self, n: u32) -> Result<Slot> {
        self.materialize_top(n)?;
        let base = self.height() - n;
        self.truncate(base);
        Ok(self.canonical(base))
    }

    /// The type of function `function_index` (calls).
    fn func_type(&self, function_index: u32) -> Result<&FuncType> {
        let ty = self.module.func_types.get(function_index as usize);
        ty.and_then(|t| self.module.types.get(*t as usize))
            .ok_or_else(|| format!("unknown function {function_index}").into())
    }

    /// Type `type_index` of the module (indirect calls).
    fn func_type_at(&self, type_index: u32) -> Result<&FuncType> {
        self.module
            .types
            .get(type_index as usize)
            .ok_or_else(|| format!("unknown type {type_index}").into())
    }

    /// `local.set` / `local.tee` (`tee`) of local `index`.
    fn local_set(&mut self, index: u32, tee: bool) -> Result<()> {
        match self.layout.local(index) {
            Some((x, 1)) => self.local_set_slot(x, tee),
            Some((x, _)) => self.local_set_v128(x, tee),
            None => Err(format!("unknown local {index}").into()),
        }
    }

    // ----- exception handling (ARCHITECTURE.md "Exceptions") -----

    /// The [`shape`] of tag `tag`'s payload (a v128 takes two slots).
    fn tag_shape(&self, tag: u32) -> Result<Vec<bool>> {
        let params = self
            .module
            .tag_params(tag)
            .ok_or_else(|| format!("unknown tag {tag}"))?;
        Ok(shape(params.iter().copied()))
    }

    /// `try_table`: a block whose catch clauses become landing pads, emitted before the body
    /// (jumped over) while the operand stack is the one they branch from: each pad takes its
    /// values at the height below the block's params (where the unwinder writes them) and
    /// branches to its label like `br` (a move to the label's slots and a jump, or a return).
    fn op_try_table(&mut self, try_table: wasmparser::TryTable) -> Result<()> {
        let (param_shape, result_shape) = self.block_arity(try_table.ty)?;
        self.materialize_all();
        let height = self
            .height()
            .checked_sub(param_shape.len() as u32)
            .ok_or_else(|| "operand stack underflow at block entry".to_string())?;
        let mut catches = Vec::with_capacity(try_table.catches.len());
        if !try_table.catches.is_empty() {
            let skip = self.emit(Instr::Br { target: 0 });
            let block_params = self.stack.split_off(height as usize);
            let block_highs = self.high.split_off(height as usize);
            for catch in &try_table.catches {
                use wasmparser::Catch;
                let (tag, by_ref, label) = match *catch {
                    Catch::One { tag, label } => (Some(tag), false, label),
                    Catch::OneRef { tag, label } => (Some(tag), true, label),
                    Catch::All { label } => (None, false, label),
                    Catch::AllRef { label } => (None, true, label),
                };
                let mut values = match tag {
                    Some(tag) => self.tag_shape(tag)?,
                    None => Vec::new(),
                };
                if by_ref {
                    values.push(false);
                }
                let pad = self.here();
                self.label_at = pad;
                self.push_shape(&values);
                self.emit_branch(label)?;
                self.truncate(height);
                catches.push(CatchClause { tag, by_ref, pad });
            }
            self.stack.extend(block_params);
            self.high.extend(block_highs);
            let body = self.here();
            self.patch(skip, body);
            self.label_at = body;
        }
        self.push_ctrl(Kind::Block, param_shape, result_shape, 0)?;
        if !catches.is_empty()
            && let Some(c) = self.ctrl.last_mut()
        {
            c.handler = Some(Handler {
                start: self.code.len() as u32,
                end: 0,
                values_at: self.nl + height,
                catches: catches.into_boxed_slice(),
            });
        }
        Ok(())
    }

    fn op_throw(&mut self, tag: u32) -> Result<()> {
        let slots = self.tag_shape(tag)?.len() as u32;
        let base = self.pop_args(slots)?;
        self.emit(Instr::Throw { tag, base });
        self.unreachable = true;
        Ok(())
    }

    fn op_throw_ref(&mut self) -> Result<()> {
        let src = self.pop_slot()?;
        self.emit(Instr::ThrowRef { src });
        self.unreachable = true;
        Ok(())
    }

    /// A v128 local at slots `x`, `x + 1`.
    fn local_set_v128(&mut self, x: Slot, tee: bool) -> Result<()> {
        let h = self.height();
        if h >= 2 && self.stack[(h - 2) as usize..] == [Opd::Local(x), Opd::Local(x + 1)] {
            if !tee {
                self.pop()?;
                self.pop()?;
            }
            return Ok(());
        }
        let src = self.pop_v128()?;
        self.materialize_local(x);
        self.materialize_local(x + 1);
        self.emit(Instr::V128Copy { dst: x, src });
        if tee {
            self.push_entry(Opd::Local(x), false);
            self.push_entry(Opd::Local(x + 1), true);
        }
        Ok(())
    }

    fn local_set_slot(&mut self, x: Slot, tee: bool) -> Result<()> {
        let value = self.pop()?;
        if value == Opd::Local(x) {
            if tee {
                self.push(value);
            }
            return Ok(());
        }
        let index = self.height();
        self.materialize_local(x);
        match value {
            Opd::Stack => {
                let src = self.canonical(index);
                self.emit(Instr::Copy { dst: x, src });
            }
            Opd::Local(src) => {
                self.emit(Instr::Copy { dst: x, src });
            }
            Opd::Const(value) => self.emit_const(x, value),
        }
        if tee {
            self.push(Opd::Local(x));
        }
        Ok(())
    }
}

/// The operators of proposals (or single operators) the interpreter does not implement, by
/// name: each visit method returns the unsupported-operator error. Every other operator has
/// its translation rule in the `VisitOperator` implementation below, so an operator that is
/// in neither does not compile.
macro_rules! unsupported_operators {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(unsupported_operators!(@one $proposal $op $({ $($arg: $argty),* })? => $visit);)*
    };
    // Parsed and printed by wasmparser, but not valid wasm.
    (@one reference_types TypedSelectMulti $($rest:tt)*) => {
        unsupported_operators!(@unsupported TypedSelectMulti $($rest)*);
    };
    (@one mvp $($rest:tt)*) => {};
    (@one sign_extension $($rest:tt)*) => {};
    (@one saturating_float_to_int $($rest:tt)*) => {};
    (@one bulk_memory $($rest:tt)*) => {};
    (@one reference_types $($rest:tt)*) => {};
    (@one tail_call $($rest:tt)*) => {};
    (@one exceptions $($rest:tt)*) => {};
    (@one $proposal:ident $op:ident $($rest:tt)*) => {
        unsupported_operators!(@unsupported $op $($rest)*);
    };
    (@unsupported $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident) => {
        fn $visit(&mut self $($(, $arg: $argty)*)?) -> Result<()> {
            Err(CompileError::unsupported(self.offset, &Operator::$op $({ $($arg),* })?))
        }
    };
}

/// The translation rule of every supported operator (the dispatch is wasmparser's; see the
/// `interp` docs for the rules), and [`unsupported_operators!`] for the others.
impl<'b> VisitOperator<'b> for Translator<'_, 'b> {
    type Output = Result<()>;

    wasmparser::for_each_visit_operator!(unsupported_operators);

    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'b, Output = Result<()>>> {
        Some(self)
    }

    // ----- exception handling (rules in `op_try_table`, `op_throw`, `op_throw_ref`) -----

    fn visit_try_table(&mut self, try_table: wasmparser::TryTable) -> Result<()> {
        self.op_try_table(try_table)
    }

    fn visit_throw(&mut self, tag_index: u32) -> Result<()> {
        self.op_throw(tag_index)
    }

    fn visit_throw_ref(&mut self) -> Result<()> {
        self.op_throw_ref()
    }

    // ----- control -----

    fn visit_unreachable(&mut self) -> Result<()> {
        self.emit(Instr::Unreachable);
        self.unreachable = true;
        Ok(())
    }

    fn visit_nop(&mut self) -> Result<()> {
        Ok(())
    }

    fn visit_block(&mut self, blockty: BlockType) -> Result<()> {
        let (params, results) = self.block_arity(blockty)?;
        self.materialize_all();
        self.push_ctrl(Kind::Block, params, results, 0)?;
        Ok(())
    }

    fn visit_loop(&mut self, blockty: BlockType) -> Result<()> {
        let (params, results) = self.block_arity(blockty)?;
        self.materialize_all();
        let head = self.here();
        self.label_at = head;
        if self.count_loops {
            self.emit(Instr::LoopHeader);
        }
        if self.module.epoch_checks {
            self.emit(Instr::EpochCheck);
        }
        self.push_ctrl(Kind::Loop, params, results, head)?;
        Ok(())
    }

    fn visit_if(&mut self, blockty: BlockType) -> Result<()> {
        let cond = self.pop_cond()?;
        self.op_if(blockty, cond)?;
        Ok(())
    }

    fn visit_else(&mut self) -> Result<()> {
        self.op_else()
    }

    fn visit_end(&mut self) -> Result<()> {
        self.op_end()
    }

    fn visit_br(&mut self, relative_depth: u32) -> Result<()> {
        self.emit_branch(relative_depth)?;
        self.unreachable = true;
        Ok(())
    }

    fn visit_br_if(&mut self, relative_depth: u32) -> Result<()> {
        let cond = self.pop_cond()?;
        self.branch_if(relative_depth, cond)?;
        Ok(())
    }

    fn visit_br_table(&mut self, targets: wasmparser::BrTable<'b>) -> Result<()> {
        let index = self.pop_slot()?;
        let mut depths = Vec::with_capacity(targets.len() as usize + 1);
        for depth in targets.targets() {
            depths.push(depth.map_err(|e| e.to_string())?);
        }
        depths.push(targets.default());
        let len = depths.len() as u32 - 1;
        self.emit(Instr::BrTable { index, len });
        let first = self.here();
        for _ in 0..depths.len() {
            self.emit(Instr::Br { target: 0 });
        }
        let mut stubs: Vec<(u32, u32)> = Vec::new();
        for (i, depth) in depths.iter().enumerate() {
            let at = first + i as u32;
            if self.is_simple_branch(*depth)? {
                let (_, _, _, is_loop) = self.branch_info(*depth)?;
                let len = self.ctrl.len();
                let c = &mut self.ctrl[len - 1 - *depth as usize];
                if is_loop {
                    let head = c.head;
                    self.patch(at, head);
                } else {
                    c.fixups.push(at);
                }
            } else if let Some((_, stub)) = stubs.iter().find(|(d, _)| d == depth) {
                let stub = *stub;
                self.patch(at, stub);
            } else {
                let stub = self.here();
                stubs.push((*depth, stub));
                self.patch(at, stub);
                self.emit_branch(*depth)?;
            }
        }
        self.unreachable = true;
        Ok(())
    }

    fn visit_return(&mut self) -> Result<()> {
        self.emit_return()?;
        self.unreachable = true;
        Ok(())
    }

    fn visit_call(&mut self, function_index: u32) -> Result<()> {
        let ty = self.func_type(function_index)?;
        let (params, results) = (ty.param_slots(), shape(ty.results.iter().copied()));
        let base = self.pop_args(params)?;
        self.emit(Instr::Call {
            func: function_index,
            base,
        });
        self.push_shape(&results);
        Ok(())
    }

    fn visit_call_indirect(&mut self, type_index: u32, table_index: u32) -> Result<()> {
        let ty = self.func_type_at(type_index)?;
        let (params, results) = (ty.param_slots(), shape(ty.results.iter().copied()));
        let base = self.pop_args(params + 1)?;
        self.emit(Instr::CallIndirect {
            type_index,
            table: table_index,
            base,
        });
        self.push_shape(&results);
        Ok(())
    }

    fn visit_return_call(&mut self, function_index: u32) -> Result<()> {
        let ty = self.func_type(function_index)?;
        let base = self.pop_args(ty.param_slots())?;
        self.emit(Instr::ReturnCall {
            func: function_index,
            base,
        });
        self.unreachable = true;
        Ok(())
    }

    fn visit_return_call_indirect(&mut self, type_index: u32, table_index: u32) -> Result<()> {
        let ty = self.func_type_at(type_index)?;
        let base = self.pop_args(ty.param_slots() + 1)?;
        self.emit(Instr::ReturnCallIndirect {
            type_index,
            table: table_index,
            base,
        });
        self.unreachable = true;
        Ok(())
    }

    fn visit_drop(&mut self) -> Result<()> {
        if self.top_is_v128() {
            self.pop()?;
        }
        self.pop()?;
        Ok(())
    }

    fn visit_select(&mut self) -> Result<()> {
        if self.high.len() >= 2 && self.high[self.high.len() - 2] {
            // Below the condition: a v128.
            let cond = self.pop_slot()?;
            let b = self.pop_v128()?;
            let index = self
                .height()
                .checked_sub(2)
                .ok_or_else(|| "operand stack underflow".to_string())?;
            // Writes only the first operand's canonical slots, which hold neither `b` nor
            // `cond` (locals or slots of popped entries).
            self.materialize(index);
            self.materialize(index + 1);
            let dst = self.canonical(index);
            self.emit(Instr::V128Select { dst, b, cond });
            return Ok(());
        }
        // `select(.., .., eqz x)`: one instruction testing `x` (collatz, branchy).
        let eqz = match self.code.last() {
            Some(Instr::I32Eqz { .. } | Instr::I64Eqz { .. }) => self.take_producer_of_top(),
            _ => None,
        };
        let cond = self.pop_slot()?;
        let b = self.pop_slot()?;
        let index = self
            .height()
            .checked_sub(1)
            .ok_or_else(|| "operand stack underflow".to_string())?;
        // Writes only the first operand's canonical slot, which holds neither `b`,
        // `cond` nor the eqz operand (locals or slots of popped entries).
        self.materialize(index);
        let dst = self.canonical(index);
        self.emit(match eqz {
            Some(Instr::I32Eqz { src, .. }) => Instr::SelectIfZero { dst, b, x: src },
            Some(Instr::I64Eqz { src, .. }) => Instr::SelectIfZero64 { dst, b, x: src },
            _ => Instr::Select { dst, b, cond },
        });
        Ok(())
    }

    fn visit_typed_select(&mut self, _ty: wasmparser::ValType) -> Result<()> {
        self.visit_select()
    }

    fn visit_local_get(&mut self, local_index: u32) -> Result<()> {
        match self.layout.local(local_index) {
            Some((x, 1)) => self.push(Opd::Local(x)),
            Some((x, _)) => {
                self.push_entry(Opd::Local(x), false);
                self.push_entry(Opd::Local(x + 1), true);
            }
            None => return Err(format!("unknown local {local_index}").into()),
        }
        Ok(())
    }

    fn visit_local_set(&mut self, local_index: u32) -> Result<()> {
        self.local_set(local_index, false)
    }

    fn visit_local_tee(&mut self, local_index: u32) -> Result<()> {
        self.local_set(local_index, true)
    }

    fn visit_global_get(&mut self, global_index: u32) -> Result<()> {
        if self.global_is_v128(global_index) {
            let dst = self.dst_v128();
            self.emit(Instr::V128GlobalGet {
                dst,
                index: global_index,
            });
            return Ok(());
        }
        let dst = self.dst();
        self.emit(Instr::GlobalGet {
            dst,
            index: global_index,
        });
        Ok(())
    }

    fn visit_global_set(&mut self, global_index: u32) -> Result<()> {
        if self.global_is_v128(global_index) {
            let src = self.pop_v128()?;
            self.emit(Instr::V128GlobalSet {
                src,
                index: global_index,
            });
            return Ok(());
        }
        let src = self.pop_slot()?;
        self.emit(Instr::GlobalSet {
            src,
            index: global_index,
        });
        Ok(())
    }

    fn visit_i32_load(&mut self, memarg: MemArg) -> Result<()> {
        self.load(&memarg, |dst, addr, offset| Instr::Load32 {
            dst,
            addr,
            offset,
        })
    }

    fn visit_f32_load(&mut self, memarg: MemArg) -> Result<()> {
        self.visit_i32_load(memarg)
    }

    fn visit_i64_load32_u(&mut self, memarg: MemArg) -> Result<()> {
        self.visit_i32_load(memarg)
    }

    fn visit_i64_load(&mut self, memarg: MemArg) -> Result<()> {
        self.load(&memarg, |dst, addr, offset| Instr::Load64 {
            dst,
            addr,
            offset,
        })
    }

    fn visit_f64_load(&mut self, memarg: MemArg) -> Result<()> {
        self.visit_i64_load(memarg)
    }

    fn visit_i32_load8_u(&mut self, memarg: MemArg) -> Result<()> {
        self.load(&memarg, |dst, addr, offset| Instr::Load8U {
            dst,
            addr,
            offset,
        })
    }

    fn visit_i64_load8_u(&mut self, memarg: MemArg) -> Result<()> {
        self.visit_i32_load8_u(memarg)
    }

    fn visit_i32_load16_u(&mut self, memarg: MemArg) -> Result<()> {
        self.load(&memarg, |dst, addr, offset| Instr::Load16U {
            dst,
            addr,
            offset,
        })
    }

    fn visit_i64_load16_u(&mut self, memarg: MemArg) -> Result<()> {
        self.visit_i32_load16_u(memarg)
    }

    fn visit_i32_load8_s(&mut self, memarg: MemArg) -> Result<()> {
        self.load(&memarg, |dst, addr, offset| Instr::Load8S32 {
            dst,
            addr,
            offset,
        })
    }

    fn visit_i32_load16_s(&mut self, memarg: MemArg) -> Result<()> {
        self.load(&memarg, |dst, addr, offset| Instr::Load16S32 {
            dst,
            addr,
            offset,
        })
    }

    fn visit_i64_load8_s(&mut self, memarg: MemArg) -> Result<()> {
        self.load(&memarg, |dst, addr, offset| Instr::Load8S64 {
            dst,
            addr,
            offset,
        })
    }

    fn visit_i64_load16_s(&mut self, memarg: MemArg) -> Result<()> {
        self.load(&memarg, |dst, addr, offset| Instr::Load16S64 {
            dst,
            addr,
            offset,
        })
    }

    fn visit_i64_load32_s(&mut self, memarg: MemArg) -> Result<()> {
        self.load(&memarg, |dst, addr, offset| Instr::Load32S64 {
            dst,
            addr,
            offset,
        })
    }

    fn visit_i32_store(&mut self, memarg: MemArg) -> Result<()> {
        self.store(&memarg, |addr, val, offset| Instr::Store32 {
            addr,
            val,
            offset,
        })
    }

    fn visit_f32_store(&mut self, memarg: MemArg) -> Result<()> {
        self.visit_i32_store(memarg)
    }

    fn visit_i64_store32(&mut self, memarg: MemArg) -> Result<()> {
        self.visit_i32_store(memarg)
    }

    fn visit_i64_store(&mut self, memarg: MemArg) -> Result<()> {
        self.store(&memarg, |addr, val, offset| Instr::Store64 {
            addr,
            val,
            offset,
        })
    }

    fn visit_f64_store(&mut self, memarg: MemArg) -> Result<()> {
        let offset = Self::offset_of(&memarg)?;
        let val = self.pop_slot()?;
        let addr = self.pop_slot()?;
        if self.acc_slot() == Some(val) {
            self.emit(Instr::Store64Acc { addr, offset });
        } else {
            self.emit(Instr::Store64 { addr, val, offset });
        }
        Ok(())
    }

    fn visit_i32_store8(&mut self, memarg: MemArg) -> Result<()> {
        self.store(&memarg, |addr, val, offset| Instr::Store8 {
            addr,
            val,
            offset,
        })
    }

    fn visit_i64_store8(&mut self, memarg: MemArg) -> Result<()> {
        self.visit_i32_store8(memarg)
    }

    fn visit_i32_store16(&mut self, memarg: MemArg) -> Result<()> {
        self.store(&memarg, |addr, val, offset| Instr::Store16 {
            addr,
            val,
            offset,
        })
    }

    fn visit_i64_store16(&mut self, memarg: MemArg) -> Result<()> {
        self.visit_i32_store16(memarg)
    }

    fn visit_memory_size(&mut self, _mem: u32) -> Result<()> {
        let dst = self.dst();
        self.emit(Instr::MemorySize { dst });
        Ok(())
    }

    fn visit_memory_grow(&mut self, _mem: u32) -> Result<()> {
        let delta = self.pop_slot()?;
        let dst = self.dst();
        self.emit(Instr::MemoryGrow { dst, delta });
        Ok(())
    }

    fn visit_memory_fill(&mut self, _mem: u32) -> Result<()> {
        let base = self.pop_args(3)?;
        self.emit(Instr::MemoryFill { base });
        Ok(())
    }

    fn visit_memory_copy(&mut self, _dst_mem: u32, _src_mem: u32) -> Result<()> {
        let base = self.pop_args(3)?;
        self.emit(Instr::MemoryCopy { base });
        Ok(())
    }

    fn visit_memory_init(&mut self, data_index: u32, _mem: u32) -> Result<()> {
        let base = self.pop_args(3)?;
        self.emit(Instr::MemoryInit {
            data: data_index,
            base,
        });
        Ok(())
    }

    fn visit_data_drop(&mut self, data_index: u32) -> Result<()> {
        self.emit(Instr::DataDrop { data: data_index });
        Ok(())
    }

    fn visit_table_get(&mut self, table: u32) -> Result<()> {
        let index = self.pop_slot()?;
        let dst = self.dst();
        self.emit(Instr::TableGet { dst, index, table });
        Ok(())
    }

    fn visit_table_set(&mut self, table: u32) -> Result<()> {
        let val = self.pop_slot()?;
        let index = self.pop_slot()?;
        self.emit(Instr::TableSet { index, val, table });
        Ok(())
    }

    fn visit_table_size(&mut self, table: u32) -> Result<()> {
        let dst = self.dst();
        self.emit(Instr::TableSize { dst, table });
        Ok(())
    }

    fn visit_table_grow(&mut self, table: u32) -> Result<()> {
        let base = self.pop_args(2)?;
        self.emit(Instr::TableGrow { base, table });
        self.push(Opd::Stack);
        Ok(())
    }

    fn visit_table_fill(&mut self, table: u32) -> Result<()> {
        let base = self.pop_args(3)?;
        self.emit(Instr::TableFill { base, table });
        Ok(())
    }

    fn visit_table_copy(&mut self, dst_table: u32, src_table: u32) -> Result<()> {
        let base = self.pop_args(3)?;
        self.emit(Instr::TableCopy {
            base,
            dst_table,
            src_table,
        });
        Ok(())
    }

    fn visit_table_init(&mut self, elem_index: u32, table: u32) -> Result<()> {
        let base = self.pop_args(3)?;
        self.emit(Instr::TableInit {
            base,
            table,
            elem: elem_index,
        });
        Ok(())
    }

    fn visit_elem_drop(&mut self, elem_index: u32) -> Result<()> {
        self.emit(Instr::ElemDrop { elem: elem_index });
        Ok(())
    }

    fn visit_ref_null(&mut self, _hty: wasmparser::HeapType) -> Result<()> {
        self.push(Opd::Const(0));
        Ok(())
    }

    fn visit_ref_is_null(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::RefIsNull { dst, src })
    }

    fn visit_ref_func(&mut self, function_index: u32) -> Result<()> {
        let dst = self.dst();
        self.emit(Instr::RefFunc {
            dst,
            func: function_index,
        });
        Ok(())
    }

    fn visit_i32_const(&mut self, value: i32) -> Result<()> {
        self.push(Opd::Const(u64::from(value as u32)));
        Ok(())
    }

    fn visit_i64_const(&mut self, value: i64) -> Result<()> {
        self.push(Opd::Const(value as u64));
        Ok(())
    }

    fn visit_f32_const(&mut self, value: wasmparser::Ieee32) -> Result<()> {
        self.push(Opd::Const(u64::from(value.bits())));
        Ok(())
    }

    fn visit_f64_const(&mut self, value: wasmparser::Ieee64) -> Result<()> {
        self.push(Opd::Const(value.bits()));
        Ok(())
    }

    fn visit_i32_eqz(&mut self) -> Result<()> {
        self.eqz(false)
    }

    fn visit_i64_eqz(&mut self) -> Result<()> {
        self.eqz(true)
    }

    fn visit_f32_eq(&mut self) -> Result<()> {
        self.float_compare(false, FloatCmp::Eq, |dst, a, b| Instr::F32Eq { dst, a, b })
    }

    fn visit_f32_ne(&mut self) -> Result<()> {
        self.float_compare(false, FloatCmp::Ne, |dst, a, b| Instr::F32Ne { dst, a, b })
    }

    fn visit_f32_lt(&mut self) -> Result<()> {
        self.float_compare(false, FloatCmp::Lt, |dst, a, b| Instr::F32Lt { dst, a, b })
    }

    fn visit_f32_gt(&mut self) -> Result<()> {
        self.float_compare(false, FloatCmp::Gt, |dst, a, b| Instr::F32Gt { dst, a, b })
    }

    fn visit_f32_le(&mut self) -> Result<()> {
        self.float_compare(false, FloatCmp::Le, |dst, a, b| Instr::F32Le { dst, a, b })
    }

    fn visit_f32_ge(&mut self) -> Result<()> {
        self.float_compare(false, FloatCmp::Ge, |dst, a, b| Instr::F32Ge { dst, a, b })
    }

    fn visit_f64_eq(&mut self) -> Result<()> {
        self.float_compare(true, FloatCmp::Eq, |dst, a, b| Instr::F64Eq { dst, a, b })
    }

    fn visit_f64_ne(&mut self) -> Result<()> {
        self.float_compare(true, FloatCmp::Ne, |dst, a, b| Instr::F64Ne { dst, a, b })
    }

    fn visit_f64_lt(&mut self) -> Result<()> {
        self.float_compare(true, FloatCmp::Lt, |dst, a, b| Instr::F64Lt { dst, a, b })
    }

    fn visit_f64_gt(&mut self) -> Result<()> {
        self.float_compare(true, FloatCmp::Gt, |dst, a, b| Instr::F64Gt { dst, a, b })
    }

    fn visit_f64_le(&mut self) -> Result<()> {
        self.float_compare(true, FloatCmp::Le, |dst, a, b| Instr::F64Le { dst, a, b })
    }

    fn visit_f64_ge(&mut self) -> Result<()> {
        self.float_compare(true, FloatCmp::Ge, |dst, a, b| Instr::F64Ge { dst, a, b })
    }

    fn visit_i32_clz(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32Clz { dst, src })
    }

    fn visit_i32_ctz(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32Ctz { dst, src })
    }

    fn visit_i32_popcnt(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32Popcnt { dst, src })
    }

    fn visit_i32_add(&mut self) -> Result<()> {
        self.binary_imm(false, ImmOp::Add)
    }

    fn visit_i32_sub(&mut self) -> Result<()> {
        self.sub(false)
    }

    fn visit_i32_mul(&mut self) -> Result<()> {
        self.binary_imm(false, ImmOp::Mul)
    }

    fn visit_i32_div_s(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::I32DivS { dst, a, b })
    }

    fn visit_i32_div_u(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::I32DivU { dst, a, b })
    }

    fn visit_i32_rem_s(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::I32RemS { dst, a, b })
    }

    fn visit_i32_rem_u(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::I32RemU { dst, a, b })
    }

    fn visit_i32_and(&mut self) -> Result<()> {
        self.binary_imm(false, ImmOp::And)
    }

    fn visit_i32_or(&mut self) -> Result<()> {
        self.binary_imm(false, ImmOp::Or)
    }

    fn visit_i32_xor(&mut self) -> Result<()> {
        self.binary_imm(false, ImmOp::Xor)
    }

    fn visit_i32_shl(&mut self) -> Result<()> {
        self.binary_imm(false, ImmOp::Shl)
    }

    fn visit_i32_shr_s(&mut self) -> Result<()> {
        self.binary_imm(false, ImmOp::ShrS)
    }

    fn visit_i32_shr_u(&mut self) -> Result<()> {
        self.binary_imm(false, ImmOp::ShrU)
    }

    fn visit_i32_rotl(&mut self) -> Result<()> {
        self.binary_imm(false, ImmOp::Rotl)
    }

    fn visit_i32_rotr(&mut self) -> Result<()> {
        self.binary_imm(false, ImmOp::Rotr)
    }

    fn visit_i64_clz(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64Clz { dst, src })
    }

    fn visit_i64_ctz(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64Ctz { dst, src })
    }

    fn visit_i64_popcnt(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64Popcnt { dst, src })
    }

    fn visit_i64_add(&mut self) -> Result<()> {
        self.binary_imm(true, ImmOp::Add)
    }

    fn visit_i64_sub(&mut self) -> Result<()> {
        self.sub(true)
    }

    fn visit_i64_mul(&mut self) -> Result<()> {
        self.binary_imm(true, ImmOp::Mul)
    }

    fn visit_i64_div_s(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::I64DivS { dst, a, b })
    }

    fn visit_i64_div_u(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::I64DivU { dst, a, b })
    }

    fn visit_i64_rem_s(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::I64RemS { dst, a, b })
    }

    fn visit_i64_rem_u(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::I64RemU { dst, a, b })
    }

    fn visit_i64_and(&mut self) -> Result<()> {
        self.binary_imm(true, ImmOp::And)
    }

    fn visit_i64_or(&mut self) -> Result<()> {
        self.binary_imm(true, ImmOp::Or)
    }

    fn visit_i64_xor(&mut self) -> Result<()> {
        self.binary_imm(true, ImmOp::Xor)
    }

    fn visit_i64_shl(&mut self) -> Result<()> {
        self.binary_imm(true, ImmOp::Shl)
    }

    fn visit_i64_shr_s(&mut self) -> Result<()> {
        self.binary_imm(true, ImmOp::ShrS)
    }

    fn visit_i64_shr_u(&mut self) -> Result<()> {
        self.binary_imm(true, ImmOp::ShrU)
    }

    fn visit_i64_rotl(&mut self) -> Result<()> {
        self.binary_imm(true, ImmOp::Rotl)
    }

    fn visit_i64_rotr(&mut self) -> Result<()> {
        self.binary_imm(true, ImmOp::Rotr)
    }

    fn visit_f32_abs(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32Abs { dst, src })
    }

    fn visit_f32_neg(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32Neg { dst, src })
    }

    fn visit_f32_ceil(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32Ceil { dst, src })
    }

    fn visit_f32_floor(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32Floor { dst, src })
    }

    fn visit_f32_trunc(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32Trunc { dst, src })
    }

    fn visit_f32_nearest(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32Nearest { dst, src })
    }

    fn visit_f32_sqrt(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32Sqrt { dst, src })
    }

    fn visit_f32_add(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::F32Add { dst, a, b })
    }

    fn visit_f32_sub(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::F32Sub { dst, a, b })
    }

    fn visit_f32_mul(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::F32Mul { dst, a, b })
    }

    fn visit_f32_div(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::F32Div { dst, a, b })
    }

    fn visit_f32_min(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::F32Min { dst, a, b })
    }

    fn visit_f32_max(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::F32Max { dst, a, b })
    }

    fn visit_f32_copysign(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::F32Copysign { dst, a, b })
    }

    fn visit_f64_abs(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F64Abs { dst, src })
    }

    fn visit_f64_neg(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F64Neg { dst, src })
    }

    fn visit_f64_ceil(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F64Ceil { dst, src })
    }

    fn visit_f64_floor(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F64Floor { dst, src })
    }

    fn visit_f64_trunc(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F64Trunc { dst, src })
    }

    fn visit_f64_nearest(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F64Nearest { dst, src })
    }

    fn visit_f64_sqrt(&mut self) -> Result<()> {
        self.unary(|fdst, src| Instr::F64Sqrt { fdst, src })
    }

    fn visit_f64_add(&mut self) -> Result<()> {
        self.f64_arith(F64Arith::Add)
    }

    fn visit_f64_sub(&mut self) -> Result<()> {
        self.f64_arith(F64Arith::Sub)
    }

    fn visit_f64_mul(&mut self) -> Result<()> {
        self.f64_arith(F64Arith::Mul)
    }

    fn visit_f64_div(&mut self) -> Result<()> {
        self.f64_arith(F64Arith::Div)
    }

    fn visit_f64_min(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::F64Min { dst, a, b })
    }

    fn visit_f64_max(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::F64Max { dst, a, b })
    }

    fn visit_f64_copysign(&mut self) -> Result<()> {
        self.binary(|dst, a, b| Instr::F64Copysign { dst, a, b })
    }

    fn visit_i32_wrap_i64(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32WrapI64 { dst, src })
    }

    fn visit_i32_trunc_f32_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32TruncF32S { dst, src })
    }

    fn visit_i32_trunc_f32_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32TruncF32U { dst, src })
    }

    fn visit_i32_trunc_f64_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32TruncF64S { dst, src })
    }

    fn visit_i32_trunc_f64_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32TruncF64U { dst, src })
    }

    fn visit_i64_extend_i32_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64ExtendI32S { dst, src })
    }

    fn visit_i64_extend_i32_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64ExtendI32U { dst, src })
    }

    fn visit_i64_trunc_f32_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64TruncF32S { dst, src })
    }

    fn visit_i64_trunc_f32_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64TruncF32U { dst, src })
    }

    fn visit_i64_trunc_f64_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64TruncF64S { dst, src })
    }

    fn visit_i64_trunc_f64_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64TruncF64U { dst, src })
    }

    fn visit_f32_convert_i32_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32ConvertI32S { dst, src })
    }

    fn visit_f32_convert_i32_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32ConvertI32U { dst, src })
    }

    fn visit_f32_convert_i64_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32ConvertI64S { dst, src })
    }

    fn visit_f32_convert_i64_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32ConvertI64U { dst, src })
    }

    fn visit_f32_demote_f64(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F32DemoteF64 { dst, src })
    }

    fn visit_f64_convert_i32_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F64ConvertI32S { dst, src })
    }

    fn visit_f64_convert_i32_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F64ConvertI32U { dst, src })
    }

    fn visit_f64_convert_i64_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F64ConvertI64S { dst, src })
    }

    fn visit_f64_convert_i64_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F64ConvertI64U { dst, src })
    }

    fn visit_f64_promote_f32(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::F64PromoteF32 { dst, src })
    }

    // Same slot representation: a reinterpretation is a move.
    fn visit_i32_reinterpret_f32(&mut self) -> Result<()> {
        Ok(())
    }

    fn visit_i64_reinterpret_f64(&mut self) -> Result<()> {
        self.visit_i32_reinterpret_f32()
    }

    fn visit_f32_reinterpret_i32(&mut self) -> Result<()> {
        self.visit_i32_reinterpret_f32()
    }

    fn visit_f64_reinterpret_i64(&mut self) -> Result<()> {
        self.visit_i32_reinterpret_f32()
    }

    fn visit_i32_extend8_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32Extend8S { dst, src })
    }

    fn visit_i32_extend16_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32Extend16S { dst, src })
    }

    fn visit_i64_extend8_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64Extend8S { dst, src })
    }

    fn visit_i64_extend16_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64Extend16S { dst, src })
    }

    fn visit_i64_extend32_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64Extend32S { dst, src })
    }

    fn visit_i32_trunc_sat_f32_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32TruncSatF32S { dst, src })
    }

    fn visit_i32_trunc_sat_f32_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32TruncSatF32U { dst, src })
    }

    fn visit_i32_trunc_sat_f64_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32TruncSatF64S { dst, src })
    }

    fn visit_i32_trunc_sat_f64_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I32TruncSatF64U { dst, src })
    }

    fn visit_i64_trunc_sat_f32_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64TruncSatF32S { dst, src })
    }

    fn visit_i64_trunc_sat_f32_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64TruncSatF32U { dst, src })
    }

    fn visit_i64_trunc_sat_f64_s(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64TruncSatF64S { dst, src })
    }

    fn visit_i64_trunc_sat_f64_u(&mut self) -> Result<()> {
        self.unary(|dst, src| Instr::I64TruncSatF64U { dst, src })
    }

    fn visit_i32_eq(&mut self) -> Result<()> {
        self.compare(false, Cmp::Eq)
    }

    fn visit_i32_ne(&mut self) -> Result<()> {
        self.compare(false, Cmp::Ne)
    }

    fn visit_i32_lt_s(&mut self) -> Result<()> {
        self.compare(false, Cmp::LtS)
    }

    fn visit_i32_lt_u(&mut self) -> Result<()> {
        self.compare(false, Cmp::LtU)
    }

    fn visit_i32_gt_s(&mut self) -> Result<()> {
        self.compare(false, Cmp::GtS)
    }

    fn visit_i32_gt_u(&mut self) -> Result<()> {
        self.compare(false, Cmp::GtU)
    }

    fn visit_i32_le_s(&mut self) -> Result<()> {
        self.compare(false, Cmp::LeS)
    }

    fn visit_i32_le_u(&mut self) -> Result<()> {
        self.compare(false, Cmp::LeU)
    }

    fn visit_i32_ge_s(&mut self) -> Result<()> {
        self.compare(false, Cmp::GeS)
    }

    fn visit_i32_ge_u(&mut self) -> Result<()> {
        self.compare(false, Cmp::GeU)
    }

    fn visit_i64_eq(&mut self) -> Result<()> {
        self.compare(true, Cmp::Eq)
    }

    fn visit_i64_ne(&mut self) -> Result<()> {
        self.compare(true, Cmp::Ne)
    }

    fn visit_i64_lt_s(&mut self) -> Result<()> {
        self.compare(true, Cmp::LtS)
    }

    fn visit_i64_lt_u(&mut self) -> Result<()> {
        self.compare(true, Cmp::LtU)
    }

    fn visit_i64_gt_s(&mut self) -> Result<()> {
        self.compare(true, Cmp::GtS)
    }

    fn visit_i64_gt_u(&mut self) -> Result<()> {
        self.compare(true, Cmp::GtU)
    }

    fn visit_i64_le_s(&mut self) -> Result<()> {
        self.compare(true, Cmp::LeS)
    }

    fn visit_i64_le_u(&mut self) -> Result<()> {
        self.compare(true, Cmp::LeU)
    }

    fn visit_i64_ge_s(&mut self) -> Result<()> {
        self.compare(true, Cmp::GeS)
    }

    fn visit_i64_ge_u(&mut self) -> Result<()> {
        self.compare(true, Cmp::GeU)
    }
}

/// SIMD is not implemented by the interpreter: every operator is unsupported.
/// The SIMD visit methods: every operator of the `simd` proposal goes to
/// [`Translator::simd`] as a [`SimdOp`] (whose shape decides the translation), `relaxed_simd`
/// is unsupported.
macro_rules! simd_operators {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(simd_operators!(@one $proposal $op $({ $($arg: $argty),* })? => $visit);)*
    };
    (@one simd $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident) => {
        fn $visit(&mut self $($(, $arg: $argty)*)?) -> Result<()> {
            let op = Operator::$op $({ $($arg),* })?;
            match SimdOp::from_operator(&op) {
                Some(simd) => self.simd(simd),
                None => Err(CompileError::unsupported(self.offset, &op)),
            }
        }
    };
    (@one $proposal:ident $op:ident $($rest:tt)*) => {
        unsupported_operators!(@unsupported $op $($rest)*);
    };
}

impl<'b> Translator<'_, 'b> {
    fn global_is_v128(&self, index: u32) -> bool {
        self.module
            .globals
            .get(index as usize)
            .is_some_and(|g| g.ty == ValType::V128)
    }

    /// One SIMD operator (the semantics are `runtime::simd`'s; see the v128 rows of the
    /// instruction table for the operand conventions).
    fn simd(&mut self, op: SimdOp) -> Result<()> {
        match op {
            SimdOp::Const(value) => {
                let index = self.pool(value)?;
                let dst = self.dst_v128();
                self.emit(Instr::V128Const { dst, index });
            }
            SimdOp::Unary(op) => {
                let a = self.pop_v128()?;
                let dst = self.dst_v128();
                self.emit(Instr::V128Unary { op, dst, a });
            }
            SimdOp::Binary(op) => {
                let b = self.pop_v128()?;
                let a = self.pop_v128()?;
                let dst = self.dst_v128();
                self.emit(Instr::V128Binary { op, dst, a, b });
            }
            SimdOp::Shift(op) => {
                let count = self.pop_slot()?;
                let a = self.pop_v128()?;
                let dst = self.dst_v128();
                self.emit(Instr::V128Shift { op, dst, a, count });
            }
            SimdOp::Test(op) => {
                let a = self.pop_v128()?;
                let dst = self.dst();
                self.emit(Instr::V128Test { op, dst, a });
            }
            SimdOp::Splat(op) => {
                let x = self.pop_slot()?;
                let dst = self.dst_v128();
                self.emit(Instr::V128Splat { op, dst, x });
            }
            SimdOp::Extract(op, lane) => {
                let a = self.pop_v128()?;
                let dst = self.dst();
                self.emit(Instr::V128Extract { op, lane, dst, a });
            }
            SimdOp::Replace(op, lane) => {
                let x = self.pop_slot()?;
                let a = self.pop_v128()?;
                let dst = self.dst_v128();
                self.emit(Instr::V128Replace {
                    op,
                    lane,
                    dst,
                    a,
                    x,
                });
            }
            SimdOp::Load(op, memarg) => {
                let offset = Self::offset_of(&memarg)?;
                let addr = self.pop_slot()?;
                let dst = self.dst_v128();
                self.emit(Instr::V128Load {
                    op,
                    dst,
                    addr,
                    offset,
                });
            }
            SimdOp::Store(memarg) => {
                let offset = Self::offset_of(&memarg)?;
                let val = self.pop_v128()?;
                let addr = self.pop_slot()?;
                self.emit(Instr::V128Store { addr, val, offset });
            }
            SimdOp::LaneMem(op, memarg, lane) => {
                let offset = Self::offset_of(&memarg)?;
                if op.is_load() {
                    // The address and the vector in canonical slots; the result replaces them.
                    let base = self.pop_args(3)?;
                    self.emit(Instr::V128LoadLane {
                        op,
                        lane,
                        base,
                        offset,
                    });
                    self.push_shape(&[false, true]);
                } else {
                    let val = self.pop_v128()?;
                    let addr = self.pop_slot()?;
                    self.emit(Instr::V128StoreLane {
                        op,
                        lane,
                        addr,
                        val,
                        offset,
                    });
                }
            }
            SimdOp::Shuffle(lanes) => {
                let lanes = self.pool(V128::from_bytes(lanes))?;
                let base = self.pop_args(4)?;
                self.emit(Instr::I8x16Shuffle { base, lanes });
                self.push_shape(&[false, true]);
            }
            SimdOp::Bitselect => {
                let base = self.pop_args(6)?;
                self.emit(Instr::V128Bitselect { base });
                self.push_shape(&[false, true]);
            }
        }
        Ok(())
    }
}

impl<'b> VisitSimdOperator<'b> for Translator<'_, 'b> {
    wasmparser::for_each_visit_simd_operator!(simd_operators);
}
