//! IR -> machine-level instructions over virtual registers ([`VCode`]), the form the
//! register allocator (`regalloc2`) works on: it implements [`regalloc2::Function`].
//!
//! One IR instruction becomes one [`VKind::Op`], except where the allocator must see more:
//! a call is its argument stores, the call (every allocatable register clobbered) and its
//! result loads (ARCHITECTURE.md "Calls": arguments in the caller's canonical slots, results
//! in the callee's `fp[0..n]`); an operator done by a Rust helper is the call (clobbering
//! everything, no result) and a [`VKind::TakeResult`] that moves the helper's result from
//! `rax` or the out slot into a register. The entry block's parameters are loaded from their
//! slots by [`VKind::Param`]s (the allocator wants an entry block without parameters).
//!
//! Every value is in a register at each use and def (`reg_use` / `reg_def`): the emitter
//! then needs no memory-operand forms and uses `rax`, `rcx`, `rdx`, `xmm0` and `xmm1` as
//! scratch inside one instruction; the allocator spills between instructions. Two choices
//! made here and read the same way by the emitter (`emit.rs`) through the same functions:
//! a constant second operand of an integer operation that has an immediate form is no
//! operand at all ([`imm_arg`]), and an integer compare used only by the `br_if` right after
//! it in its block is fused into the branch ([`fused_compare`]), leaving no value.
//!
//! Edges out of a block with several successors (`br_if`, `br_table`) get a block of their
//! own holding only a jump with the edge's arguments: the allocator requires no critical
//! edges, and it places the edge's moves there. The emitter skips such a block when the
//! allocator gave it nothing to do, so the branch goes straight to the target.

use std::ops::Range;

use regalloc2::{self as ra, Operand, PReg, PRegSet, RegClass, VReg};

use super::builder::BuildInfo;
use super::ir::{self, Function, Terminator, Value};
use super::ops::Opcode;
use crate::jit::CompileError;
use crate::jit::baseline::CpuFeatures;
use crate::jit::masm::{Gpr, Xmm};
use crate::module::ValType;

/// Integer registers the allocator hands out. `rax`, `rcx` and `rdx` are the emitter's
/// scratch (division, shifts, helpers' results; `rdx` is also the allocator's own scratch
/// for cyclic moves), the pinned registers (`r12`-`r15`, `rbp`, `rsp`) are never handed out.
pub(super) const GPRS: [Gpr; 7] = [
    Gpr::Rsi,
    Gpr::Rdi,
    Gpr::R8,
    Gpr::R9,
    Gpr::R10,
    Gpr::R11,
    Gpr::Rbx,
];
/// The allocator's scratch register for cyclic moves (usable inside one instruction).
pub(super) const GPR_SCRATCH: Gpr = Gpr::Rdx;
/// SSE registers the allocator hands out; `xmm0` carries helper results, `xmm1` is the
/// allocator's scratch (and the emitter's inside one instruction).
pub(super) fn xmms() -> &'static [Xmm] {
    &Xmm::ALL[2..]
}
pub(super) const XMM_SCRATCH: Xmm = Xmm::Xmm1;

pub(super) fn class_of(ty: ValType) -> RegClass {
    match ty {
        ValType::F32 | ValType::F64 => RegClass::Float,
        _ => RegClass::Int,
    }
}

pub(super) fn gpr_preg(r: Gpr) -> PReg {
    PReg::new(r.enc() as usize, RegClass::Int)
}

pub(super) fn xmm_preg(x: Xmm) -> PReg {
    PReg::new(x as usize, RegClass::Float)
}

/// Every register the allocator hands out: what a call or helper clobbers.
pub(super) fn all_allocatable() -> PRegSet {
    let mut set = PRegSet::empty();
    for r in GPRS {
        set.add(gpr_preg(r));
    }
    for &x in xmms() {
        set.add(xmm_preg(x));
    }
    set
}

/// The register environment of tier 2 code.
pub(super) fn machine_env() -> ra::MachineEnv {
    ra::MachineEnv {
        preferred_regs_by_class: [
            GPRS.iter().map(|&r| gpr_preg(r)).collect(),
            xmms().iter().map(|&x| xmm_preg(x)).collect(),
            Vec::new(),
        ],
        non_preferred_regs_by_class: [Vec::new(), Vec::new(), Vec::new()],
        scratch_by_class: [
            Some(gpr_preg(GPR_SCRATCH)),
            Some(xmm_preg(XMM_SCRATCH)),
            None,
        ],
        fixed_stack_slots: Vec::new(),
    }
}

/// What an IR instruction becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// Inline machine code.
    Inline,
    /// A call of a Rust helper (every register clobbered), then [`VKind::TakeResult`] for its
    /// result if it has one.
    Helper,
    /// A wasm call.
    Call,
}

/// How `op` is lowered, or `None` when the lowering does not cover it (the function then
/// goes to tier 1).
pub(super) fn shape(op: Opcode, cpu: CpuFeatures) -> Option<Shape> {
    use Opcode::*;
    Some(match op {
        Call | CallIndirect => Shape::Call,
        MemoryGrow | MemoryFill | MemoryCopy | MemoryInit | DataDrop | TableGet | TableSet
        | TableGrow | TableFill | TableCopy | TableInit | ElemDrop | F32Min | F32Max | F64Min
        | F64Max | I32TruncF32S | I32TruncF32U | I32TruncF64S | I32TruncF64U | I64TruncF32S
        | I64TruncF32U | I64TruncF64S | I64TruncF64U | I32TruncSatF32S | I32TruncSatF32U
        | I32TruncSatF64S | I32TruncSatF64U | I64TruncSatF32S | I64TruncSatF32U
        | I64TruncSatF64S | I64TruncSatF64U | F32ConvertI64U | F64ConvertI64U => Shape::Helper,
        F32Ceil | F32Floor | F32Trunc | F32Nearest | F64Ceil | F64Floor | F64Trunc | F64Nearest
            if !cpu.sse41 =>
        {
            Shape::Helper
        }
        I32Popcnt | I64Popcnt if !cpu.popcnt => Shape::Helper,
        _ => Shape::Inline,
    })
}

/// Whether `op` is a binary integer compare (the compares that fuse with a branch).
pub(super) fn is_int_compare(op: Opcode) -> bool {
    use Opcode::*;
    matches!(
        op,
        I32Eq
            | I32Ne
            | I32LtS
            | I32LtU
            | I32GtS
            | I32GtU
            | I32LeS
            | I32LeU
            | I32GeS
            | I32GeU
            | I64Eq
            | I64Ne
            | I64LtS
            | I64LtU
            | I64GtS
            | I64GtU
            | I64LeS
            | I64LeU
            | I64GeS
            | I64GeU
            | I32Eqz
            | I64Eqz
    )
}

/// The immediate that argument `i` of `inst` is emitted as, if it is one: the second operand
/// of an integer operation with an immediate form, or a stored integer, when it is a constant
/// that fits a sign-extended 32-bit immediate.
pub(super) fn imm_arg(func: &Function, inst: ir::Inst, i: usize) -> Option<i32> {
    use Opcode::*;
    let data = func.inst(inst);
    let wide = match data.op {
        I32Add | I32Sub | I32Mul | I32And | I32Or | I32Xor | I32Shl | I32ShrS | I32ShrU
        | I32Rotl | I32Rotr | I32Eq | I32Ne | I32LtS | I32LtU | I32GtS | I32GtU | I32LeS
        | I32LeU | I32GeS | I32GeU | I32Store | I32Store8 | I32Store16 | I64Store8 | I64Store16
        | I64Store32 => false,
        I64Add | I64Sub | I64Mul | I64And | I64Or | I64Xor | I64Shl | I64ShrS | I64ShrU
        | I64Rotl | I64Rotr | I64Eq | I64Ne | I64LtS | I64LtU | I64GtS | I64GtU | I64LeS
        | I64LeU | I64GeS | I64GeU | I64Store => true,
        _ => return None,
    };
    if i != 1 {
        return None;
    }
    let c = func.const_of(*data.args.get(1)?)?;
    if wide {
        i32::try_from(c).ok()
    } else {
        Some(c as i32)
    }
}

/// The compare fused into `block`'s `br_if`, if there is one: an integer compare in the
/// same block whose result only the branch uses (`uses` counts every use of each value).
pub(super) fn fused_compare(func: &Function, block: ir::Block, uses: &[u32]) -> Option<ir::Inst> {
    let Some(Terminator::BrIf { cond, .. }) = &func.block(block).term else {
        return None;
    };
    let ir::ValueDef::Result(inst, 0) = func.values[cond.index()].def else {
        return None;
    };
    let data = func.inst(inst);
    (is_int_compare(data.op) && uses[cond.index()] == 1 && func.block(block).insts.contains(&inst))
        .then_some(inst)
}

/// One machine-level instruction.
#[derive(Clone, Debug)]
pub(super) enum VKind {
    /// Defines the entry block's parameter `value` from frame slot `slot`.
    Param {
        slot: u32,
        value: Value,
    },
    /// One IR instruction (inline code or a helper call).
    Op(ir::Inst),
    /// Moves the result of the helper call just before into its register.
    TakeResult(ir::Inst),
    /// Stores a call argument to frame slot `slot`.
    StoreArg {
        slot: u32,
        value: Value,
    },
    /// The call itself (its frame at `base`).
    Call {
        inst: ir::Inst,
        base: u32,
    },
    /// Loads a call result from frame slot `slot`.
    LoadResult {
        slot: u32,
        value: Value,
    },
    Jump,
    /// `br_if` of `block`; with a fused compare, its operands are the compare's.
    BrIf {
        block: ir::Block,
        fused: Option<ir::Inst>,
    },
    BrTable(ir::Block),
    Return,
    Unreachable(ir::Block),
}

#[derive(Clone, Debug)]
pub(super) struct VInst {
    pub(super) kind: VKind,
    pub(super) operands: Range<usize>,
    pub(super) clobbers: PRegSet,
}

#[derive(Clone, Debug, Default)]
pub(super) struct VBlock {
    pub(super) insts: Range<usize>,
    pub(super) params: Vec<VReg>,
    pub(super) succs: Vec<ra::Block>,
    pub(super) preds: Vec<ra::Block>,
    /// Per successor, the values passed to its parameters.
    pub(super) args: Vec<Vec<VReg>>,
    /// Only a jump on an edge (see the module docs).
    pub(super) is_edge: bool,
}

/// A function in machine-level form.
pub(super) struct VCode {
    pub(super) insts: Vec<VInst>,
    pub(super) operands: Vec<Operand>,
    pub(super) blocks: Vec<VBlock>,
    pub(super) num_vregs: usize,
}

pub(super) fn vreg(func: &Function, v: Value) -> VReg {
    VReg::new(v.index(), class_of(func.ty(v)))
}

/// Counts every use of every value (instruction arguments and terminators).
pub(super) fn count_uses(func: &Function) -> Vec<u32> {
    let mut uses = vec![0u32; func.values.len()];
    for &block in &func.layout {
        let data = func.block(block);
        for &inst in &data.insts {
            for &arg in &func.inst(inst).args {
                uses[arg.index()] += 1;
            }
        }
        if let Some(term) = &data.term {
            for v in term.uses() {
                uses[v.index()] += 1;
            }
        }
    }
    uses
}

/// Which instructions emit nothing: constants whose every use became an immediate, and
/// compares fused into their branch.
pub(super) fn skipped(func: &Function, uses: &[u32]) -> Vec<bool> {
    let mut skip = vec![false; func.insts.len()];
    let mut reg_uses = uses.to_vec();
    for &block in &func.layout {
        for &inst in &func.block(block).insts {
            for (i, &arg) in func.inst(inst).args.iter().enumerate() {
                if imm_arg(func, inst, i).is_some() {
                    reg_uses[arg.index()] -= 1;
                }
            }
        }
        if let Some(inst) = fused_compare(func, block, uses) {
            skip[inst.index()] = true;
        }
    }
    for &block in &func.layout {
        for &inst in &func.block(block).insts {
            let data = func.inst(inst);
            let is_const = matches!(
                data.op,
                Opcode::I32Const | Opcode::I64Const | Opcode::F32Const | Opcode::F64Const
            );
            if is_const && reg_uses[data.results[0].index()] == 0 {
                skip[inst.index()] = true;
            }
        }
    }
    skip
}

struct Lowerer<'a> {
    func: &'a Function,
    info: &'a BuildInfo,
    cpu: CpuFeatures,
    code: VCode,
    /// The vcode block of each IR block.
    block_map: Vec<Option<usize>>,
}

impl Lowerer<'_> {
    fn push(&mut self, kind: VKind, operands: &[Operand], clobbers: PRegSet) {
        let start = self.code.operands.len();
        self.code.operands.extend_from_slice(operands);
        self.code.insts.push(VInst {
            kind,
            operands: start..self.code.operands.len(),
            clobbers,
        });
    }

    fn uses_of(&self, inst: ir::Inst) -> Vec<Operand> {
        let data = self.func.inst(inst);
        data.args
            .iter()
            .enumerate()
            .filter(|&(i, _)| imm_arg(self.func, inst, i).is_none())
            .map(|(_, &v)| Operand::reg_use(vreg(self.func, v)))
            .collect()
    }

    fn inst(&mut self, inst: ir::Inst) -> Result<(), String> {
        let data = self.func.inst(inst);
        let shape =
            shape(data.op, self.cpu).ok_or_else(|| format!("{} is not lowered", data.op.name()))?;
        match shape {
            Shape::Inline => {
                let mut ops = self.uses_of(inst);
                ops.extend(
                    data.results
                        .iter()
                        .map(|&r| Operand::reg_def(vreg(self.func, r))),
                );
                self.push(VKind::Op(inst), &ops, PRegSet::empty());
            }
            Shape::Helper => {
                let ops = self.uses_of(inst);
                self.push(VKind::Op(inst), &ops, all_allocatable());
                if let Some(&r) = data.results.first() {
                    let def = [Operand::reg_def(vreg(self.func, r))];
                    self.push(VKind::TakeResult(inst), &def, PRegSet::empty());
                }
            }
            Shape::Call => {
                let base = *self
                    .info
                    .call_bases
                    .get(&inst)
                    .ok_or("a call without its operand height")?;
                let first = self.info.num_locals + base;
                let (args, callee) = match data.op {
                    Opcode::CallIndirect => {
                        let (callee, args) = data.args.split_last().ok_or("no callee")?;
                        (args, Some(*callee))
                    }
                    _ => (&data.args[..], None),
                };
                for (i, &arg) in args.iter().enumerate() {
                    let op = [Operand::reg_use(vreg(self.func, arg))];
                    let slot = first + i as u32;
                    self.push(VKind::StoreArg { slot, value: arg }, &op, PRegSet::empty());
                }
                let ops: Vec<Operand> = callee
                    .map(|c| Operand::reg_use(vreg(self.func, c)))
                    .into_iter()
                    .collect();
                self.push(VKind::Call { inst, base }, &ops, all_allocatable());
                for (i, &r) in data.results.iter().enumerate() {
                    let op = [Operand::reg_def(vreg(self.func, r))];
                    let slot = first + i as u32;
                    self.push(VKind::LoadResult { slot, value: r }, &op, PRegSet::empty());
                }
            }
        }
        Ok(())
    }

    fn start_block(&mut self, params: Vec<VReg>, is_edge: bool) -> usize {
        let start = self.code.insts.len();
        self.code.blocks.push(VBlock {
            insts: start..start,
            params,
            is_edge,
            ..VBlock::default()
        });
        self.code.blocks.len() - 1
    }

    fn end_block(&mut self, b: usize) {
        self.code.blocks[b].insts.end = self.code.insts.len();
    }

    fn args(&self, t: &ir::Target) -> Vec<VReg> {
        t.args.iter().map(|&v| vreg(self.func, v)).collect()
    }
}

/// Lowers `func` (optimized, verified) to [`VCode`]. An error names what is not covered.
pub(super) fn lower(
    func: &Function,
    info: &BuildInfo,
    cpu: CpuFeatures,
) -> Result<VCode, CompileError> {
    let fail = |message: String| CompileError::Internal {
        function: None,
        message,
    };
    let uses = count_uses(func);
    let skip = skipped(func, &uses);
    let mut l = Lowerer {
        func,
        info,
        cpu,
        code: VCode {
            insts: Vec::new(),
            operands: Vec::new(),
            blocks: Vec::new(),
            num_vregs: func.values.len(),
        },
        block_map: vec![None; func.blocks.len()],
    };
    // Block numbers first: each IR block, then the edge blocks of its branch.
    let mut next = 0usize;
    for &block in &func.layout {
        l.block_map[block.index()] = Some(next);
        next += 1;
        next += match func.block(block).term.as_ref() {
            Some(Terminator::BrIf { .. }) => 2,
            Some(Terminator::BrTable { targets, .. }) => targets.len() + 1,
            _ => 0,
        };
    }
    let target_block = |l: &Lowerer<'_>, t: &ir::Target| -> Result<ra::Block, CompileError> {
        l.block_map[t.block.index()]
            .map(ra::Block::new)
            .ok_or_else(|| fail(format!("branch to {} outside the layout", t.block)))
    };
    let entry = func.entry();
    for &block in &func.layout {
        let data = func.block(block);
        let params = if block == entry {
            Vec::new()
        } else {
            data.params.iter().map(|&v| vreg(func, v)).collect()
        };
        let b = l.start_block(params, false);
        if block == entry {
            for (i, &p) in data.params.iter().enumerate() {
                let op = [Operand::reg_def(vreg(func, p))];
                let kind = VKind::Param {
                    slot: i as u32,
                    value: p,
                };
                l.push(kind, &op, PRegSet::empty());
            }
        }
        for &inst in &data.insts {
            if !skip[inst.index()] {
                l.inst(inst).map_err(fail)?;
            }
        }
        let term = data
            .term
            .as_ref()
            .ok_or_else(|| fail(format!("{block} has no terminator")))?;
        let mut edges: Vec<&ir::Target> = Vec::new();
        match term {
            Terminator::Jump(t) => {
                l.push(VKind::Jump, &[], PRegSet::empty());
                let succ = target_block(&l, t)?;
                let args = l.args(t);
                l.code.blocks[b].succs.push(succ);
                l.code.blocks[b].args.push(args);
            }
            Terminator::BrIf { cond, then, els } => {
                let fused = fused_compare(func, block, &uses);
                let ops = match fused {
                    Some(cmp) => l.uses_of(cmp),
                    None => vec![Operand::reg_use(vreg(func, *cond))],
                };
                l.push(VKind::BrIf { block, fused }, &ops, PRegSet::empty());
                edges.extend([then, els]);
            }
            Terminator::BrTable {
                index,
                targets,
                default,
            } => {
                let op = [Operand::reg_use(vreg(func, *index))];
                l.push(VKind::BrTable(block), &op, PRegSet::empty());
                edges.extend(targets.iter());
                edges.push(default);
            }
            Terminator::Return(values) => {
                // One store per result (at most one register needed at a time, whatever
                // the number of results), then the return itself.
                for (i, &v) in values.iter().enumerate() {
                    let op = [Operand::reg_use(vreg(func, v))];
                    let kind = VKind::StoreArg {
                        slot: i as u32,
                        value: v,
                    };
                    l.push(kind, &op, PRegSet::empty());
                }
                l.push(VKind::Return, &[], PRegSet::empty());
            }
            Terminator::Unreachable => {
                l.push(VKind::Unreachable(block), &[], PRegSet::empty());
            }
        }
        l.end_block(b);
        for t in edges {
            let e = l.start_block(Vec::new(), true);
            l.code.blocks[b].succs.push(ra::Block::new(e));
            l.code.blocks[b].args.push(Vec::new());
            l.push(VKind::Jump, &[], PRegSet::empty());
            let succ = target_block(&l, t)?;
            let args = l.args(t);
            l.code.blocks[e].succs.push(succ);
            l.code.blocks[e].args.push(args);
            l.end_block(e);
        }
    }
    if l.code.blocks.len() != next {
        return Err(fail("edge blocks miscounted".into()));
    }
    let mut code = l.code;
    for b in 0..code.blocks.len() {
        for s in code.blocks[b].succs.clone() {
            code.blocks[s.index()].preds.push(ra::Block::new(b));
        }
    }
    if !code.blocks[0].preds.is_empty() {
        return Err(fail("the entry block is a branch target".into()));
    }
    Ok(code)
}

impl ra::Function for VCode {
    fn num_insts(&self) -> usize {
        self.insts.len()
    }

    fn num_blocks(&self) -> usize {
        self.blocks.len()
    }

    fn entry_block(&self) -> ra::Block {
        ra::Block::new(0)
    }

    fn block_insns(&self, block: ra::Block) -> ra::InstRange {
        let r = &self.blocks[block.index()].insts;
        ra::InstRange::new(ra::Inst::new(r.start), ra::Inst::new(r.end))
    }

    fn block_succs(&self, block: ra::Block) -> &[ra::Block] {
        &self.blocks[block.index()].succs
    }

    fn block_preds(&self, block: ra::Block) -> &[ra::Block] {
        &self.blocks[block.index()].preds
    }

    fn block_params(&self, block: ra::Block) -> &[VReg] {
        &self.blocks[block.index()].params
    }

    fn is_ret(&self, insn: ra::Inst) -> bool {
        matches!(
            self.insts[insn.index()].kind,
            VKind::Return | VKind::Unreachable(_)
        )
    }

    fn is_branch(&self, insn: ra::Inst) -> bool {
        matches!(
            self.insts[insn.index()].kind,
            VKind::Jump | VKind::BrIf { .. } | VKind::BrTable(_)
        )
    }

    fn branch_blockparams(&self, block: ra::Block, _insn: ra::Inst, succ_idx: usize) -> &[VReg] {
        &self.blocks[block.index()].args[succ_idx]
    }

    fn inst_operands(&self, insn: ra::Inst) -> &[Operand] {
        &self.operands[self.insts[insn.index()].operands.clone()]
    }

    fn inst_clobbers(&self, insn: ra::Inst) -> PRegSet {
        self.insts[insn.index()].clobbers
    }

    fn num_vregs(&self) -> usize {
        self.num_vregs
    }

    fn spillslot_size(&self, _regclass: RegClass) -> usize {
        1
    }
}
