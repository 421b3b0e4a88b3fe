//! Machine code from allocated [`VCode`] through `jit::masm` (no other code generator): the
//! prologue and epilogue and the calls of `jit::abi` (the contracts every tier keeps), each
//! instruction with the registers the allocator chose, the allocator's moves, out-of-line
//! trap sites, jump tables and the constant pool.
//!
//! The native frame below `rbp` holds, from its bottom (`rsp`, 16-byte aligned): the
//! argument staging area of helper calls (5 slots), the out slot of helpers that return a
//! value through memory, then the allocator's spill slots. Nothing in
//! it is seen by any other tier.

use regalloc2::{self as ra, Allocation, Edit, InstOrEdit, RegClass};

use super::builder::BuildInfo;
use super::ir::{self, Function, Imm};
use super::lower::{self, VCode, VKind};
use super::ops::Opcode;
use crate::jit::abi::{self, EXEC, MAX_UNCHECKED_OFFSET, MEMBASE, VMCTX, slot_mem};
use crate::jit::baseline::CpuFeatures;
use crate::jit::convert::{conv, fop};
use crate::jit::exec_context::{exec_offsets as ex, jit_helper};
use crate::jit::masm::{
    Alu, BitCount, Cond, DivOp, Ext, ExtFrom, Float, Gpr, Label, Masm, Mem, Operand, RoundMode,
    Scale, Shift, Size, SseArith, SseLogic, Width, XOperand, Xmm,
};
use crate::module::{ModuleInfo, ValType};
use crate::runtime::TrapCode;
use crate::runtime::libcalls::helper_index as hi;
use crate::runtime::vmctx::offsets as vo;

/// Bytes of the native frame below the spill slots: 5 staging slots (a helper takes at most
/// five arguments besides the context), the out slot.
const FIXED_NATIVE_BYTES: u32 = 48;
const OUT_SLOT: i32 = 40;

/// The native frame's size for `spill_slots` spill slots (16-byte multiple: `rsp` stays
/// aligned for helper calls).
pub(super) fn native_frame_bytes(spill_slots: usize) -> u32 {
    (FIXED_NATIVE_BYTES + 8 * spill_slots as u32).next_multiple_of(16)
}

/// A register the allocator chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reg {
    G(Gpr),
    X(Xmm),
}

impl Reg {
    fn gpr(self) -> Gpr {
        match self {
            Reg::G(r) => r,
            // The allocator honours classes; an integer value is never in an SSE register.
            Reg::X(_) => Gpr::Rax,
        }
    }

    fn xmm(self) -> Xmm {
        match self {
            Reg::X(x) => x,
            Reg::G(_) => Xmm::Xmm0,
        }
    }
}

struct TrapSite {
    label: Label,
    code: Option<TrapCode>,
    wasm_offset: u32,
}

/// What one function's emission needs.
pub(super) struct EmitInput<'a> {
    pub(super) module: &'a ModuleInfo,
    pub(super) func: &'a Function,
    pub(super) info: &'a BuildInfo,
    pub(super) code: &'a VCode,
    pub(super) alloc: &'a ra::Output,
    pub(super) cpu: CpuFeatures,
    /// Per defined function, its label when it is in the same buffer (direct calls).
    pub(super) func_labels: &'a [Option<Label>],
}

struct Emitter<'a, 'm> {
    masm: &'m mut Masm,
    input: &'a EmitInput<'a>,
    pc_map: &'m mut Vec<(u32, u32)>,
    data: &'m mut Vec<(u32, u32)>,
    traps: Vec<TrapSite>,
    /// The wasm offset of the instruction being emitted.
    offset: u32,
    labels: Vec<Label>,
    /// Per vcode block, the block a branch to it really goes to (edge blocks with nothing
    /// to do are skipped).
    resolved: Vec<usize>,
    /// Per vcode block, whether it is emitted (edge blocks with nothing to do are not).
    emitted: Vec<bool>,
    jump_tables: Vec<(Label, Vec<Label>)>,
    native_bytes: u32,
}

fn width_of(ty: ValType) -> Width {
    match ty {
        ValType::I32 | ValType::F32 => Width::W32,
        _ => Width::W64,
    }
}

fn float_of(ty: ValType) -> Float {
    match ty {
        ValType::F32 => Float::F32,
        _ => Float::F64,
    }
}

fn mov_size(width: Width) -> Size {
    match width {
        Width::W32 => Size::S32,
        Width::W64 => Size::S64,
    }
}

/// Emits one function (allocated) at the masm's current position; returns nothing to OSR
/// into (tier 2 code has no OSR entries yet).
pub(super) fn emit_function(
    masm: &mut Masm,
    input: &EmitInput<'_>,
    pc_map: &mut Vec<(u32, u32)>,
    data: &mut Vec<(u32, u32)>,
) -> Result<(), String> {
    let code = input.code;
    let nblocks = code.blocks.len();
    // Edge blocks the allocator put nothing into: branches go straight to their target.
    let mut trivial = vec![false; nblocks];
    for (b, block) in code.blocks.iter().enumerate() {
        if block.is_edge {
            let items = input
                .alloc
                .block_insts_and_edits(code, ra::Block::new(b))
                .count();
            trivial[b] = items == 1;
        }
    }
    let mut resolved: Vec<usize> = (0..nblocks).collect();
    for (b, r) in resolved.iter_mut().enumerate() {
        if trivial[b] {
            // An edge block's only successor is a real block (never another edge block).
            *r = code.blocks[b].succs[0].index();
        }
    }
    let labels = (0..nblocks).map(|_| masm.new_label()).collect();
    let native_bytes = native_frame_bytes(input.alloc.num_spillslots);
    let mut e = Emitter {
        masm,
        input,
        pc_map,
        data,
        traps: Vec::new(),
        offset: input.info.body_offset,
        labels,
        resolved,
        emitted: trivial.iter().map(|t| !t).collect(),
        jump_tables: Vec::new(),
        native_bytes,
    };
    // Prologue: the same frame setup and stack checks as tier 1, then the native frame.
    let stack_trap = e.trap(TrapCode::CallStackExhausted);
    let frame_patch = abi::frame_setup(e.masm, stack_trap);
    e.masm.alu(
        Alu::Sub,
        Width::W64,
        Gpr::Rsp,
        Operand::Imm(native_bytes as i32),
    );
    for b in 0..nblocks {
        if !e.emitted[b] {
            continue;
        }
        e.masm.bind(e.labels[b]);
        let items: Vec<InstOrEdit<'_>> = input
            .alloc
            .block_insts_and_edits(code, ra::Block::new(b))
            .collect();
        for item in items {
            match item {
                InstOrEdit::Inst(inst) => e.inst(b, inst)?,
                InstOrEdit::Edit(Edit::Move { from, to }) => e.edit_move(*from, *to)?,
            }
        }
    }
    // Out-of-line trap sites, jump tables, the constant pool.
    for site in std::mem::take(&mut e.traps) {
        let at = e.masm.offset() as u32;
        e.pc_map.push((at, site.wasm_offset));
        e.masm.bind(site.label);
        abi::emit_trap_site(e.masm, site.code);
    }
    for (table, targets) in std::mem::take(&mut e.jump_tables) {
        e.masm.align(4);
        let start = e.masm.offset() as u32;
        e.masm.bind(table);
        for target in targets {
            e.masm.emit_label_diff32(target, table);
        }
        let end = e.masm.offset() as u32;
        e.data.push((start, end));
    }
    if let Some(range) = e.masm.emit_constant_pool() {
        e.data.push(range);
    }
    let module = input.module;
    let func = input.func;
    let bytes = abi::frame_bytes(
        input.info.num_locals,
        input.info.max_height,
        func.params.len() as u32,
        func.results.len() as u32,
    )
    .ok_or("frame too large")?;
    let _ = module;
    e.masm.patch_u32(frame_patch, bytes);
    Ok(())
}

impl Emitter<'_, '_> {
    fn trap(&mut self, code: TrapCode) -> Label {
        let label = self.masm.new_label();
        self.traps.push(TrapSite {
            label,
            code: Some(code),
            wasm_offset: self.offset,
        });
        label
    }

    fn dynamic_trap(&mut self) -> Label {
        let label = self.masm.new_label();
        self.traps.push(TrapSite {
            label,
            code: None,
            wasm_offset: self.offset,
        });
        label
    }

    /// Maps the next instruction (a call, or an access that may fault) to the current wasm
    /// offset.
    fn mark(&mut self) {
        let at = self.masm.offset() as u32;
        match self.pc_map.last_mut() {
            Some(last) if last.0 == at => last.1 = self.offset,
            _ => self.pc_map.push((at, self.offset)),
        }
    }

    fn spill_mem(&self, slot: usize) -> Mem {
        Mem::base_disp(Gpr::Rbp, -8 * (slot as i32 + 1))
    }

    /// Staging slot `k` (helper arguments) and the out slot, at the native frame's bottom.
    fn native_mem(&self, offset: i32) -> Mem {
        Mem::base_disp(Gpr::Rbp, offset - self.native_bytes as i32)
    }

    fn reg_of(a: Allocation) -> Result<Reg, String> {
        let preg = a
            .as_reg()
            .ok_or_else(|| format!("expected a register, got {a:?}"))?;
        Ok(match preg.class() {
            RegClass::Int => Reg::G(Gpr::ALL[preg.hw_enc() & 15]),
            _ => Reg::X(Xmm::ALL[preg.hw_enc() & 15]),
        })
    }

    fn edit_move(&mut self, from: Allocation, to: Allocation) -> Result<(), String> {
        match (from.as_reg(), to.as_reg()) {
            (Some(_), Some(_)) => match (Self::reg_of(from)?, Self::reg_of(to)?) {
                (Reg::G(a), Reg::G(b)) => self.masm.mov64(b, a),
                (Reg::X(a), Reg::X(b)) => self.masm.fmov(b, a),
                _ => return Err("a move between register classes".into()),
            },
            (Some(_), None) => {
                let slot = to.as_stack().ok_or("a move to nowhere")?.index();
                let mem = self.spill_mem(slot);
                match Self::reg_of(from)? {
                    Reg::G(r) => self.masm.store(Size::S64, mem, r),
                    Reg::X(x) => self.masm.fstore(Float::F64, mem, x),
                }
            }
            (None, Some(_)) => {
                let slot = from.as_stack().ok_or("a move from nowhere")?.index();
                let mem = self.spill_mem(slot);
                match Self::reg_of(to)? {
                    Reg::G(r) => self.masm.load_bits(Size::S64, r, mem),
                    Reg::X(x) => self.masm.fload(Float::F64, x, mem),
                }
            }
            (None, None) => return Err("a move between two stack slots".into()),
        }
        Ok(())
    }

    fn block_label(&self, b: usize) -> Label {
        self.labels[self.resolved[b]]
    }

    /// The next block emitted after `b`, if any.
    fn next_emitted(&self, b: usize) -> Option<usize> {
        (b + 1..self.emitted.len()).find(|&n| self.emitted[n])
    }

    fn inst(&mut self, b: usize, inst: ra::Inst) -> Result<(), String> {
        let input = self.input;
        let code = input.code;
        let vinst = &code.insts[inst.index()];
        let regs: Vec<Reg> = input
            .alloc
            .inst_allocs(inst)
            .iter()
            .map(|&a| Self::reg_of(a))
            .collect::<Result<_, _>>()?;
        let func = input.func;
        match vinst.kind.clone() {
            VKind::Param { slot, value } | VKind::LoadResult { slot, value } => {
                self.load_slot(regs[0], slot_mem(slot), func.ty(value));
            }
            VKind::StoreArg { slot, value } => {
                self.store_slot(slot_mem(slot), regs[0], func.ty(value));
            }
            VKind::Call { inst, base } => {
                self.offset = input.info.inst_offset(inst);
                self.call(inst, base, regs.first().copied())?;
            }
            VKind::Op(i) => {
                self.offset = input.info.inst_offset(i);
                self.op(i, &regs)?;
            }
            VKind::TakeResult(i) => self.take_result(i, regs[0]),
            VKind::Jump => {
                let succ = code.blocks[b].succs[0].index();
                let label = self.block_label(succ);
                self.masm.jmp(label);
            }
            VKind::BrIf { block, fused } => {
                self.offset = input.info.term_offset(block);
                let cond = match fused {
                    Some(cmp) => self.compare(cmp, &regs),
                    None => {
                        let c = regs[0].gpr();
                        self.masm.cmp(Width::W32, c, Operand::Imm(0));
                        Cond::Ne
                    }
                };
                let then = code.blocks[b].succs[0].index();
                let els = code.blocks[b].succs[1].index();
                let next = self.next_emitted(b);
                if next == Some(self.resolved[then]) {
                    let label = self.block_label(els);
                    self.masm.branch(cond.invert(), label);
                } else {
                    let label = self.block_label(then);
                    self.masm.branch(cond, label);
                    let label = self.block_label(els);
                    self.masm.jmp(label);
                }
            }
            VKind::BrTable(block) => {
                self.offset = input.info.term_offset(block);
                let index = regs[0].gpr();
                let succs = &code.blocks[b].succs;
                let (default, targets) = succs.split_last().ok_or("a br_table without targets")?;
                let default = self.block_label(default.index());
                let count = i32::try_from(targets.len()).map_err(|_| "br_table too large")?;
                self.masm.cmp(Width::W32, index, Operand::Imm(count));
                self.masm.branch(Cond::Ae, default);
                let table = self.masm.new_label();
                self.masm.jump_table(index, table);
                let labels = targets
                    .iter()
                    .map(|t| self.block_label(t.index()))
                    .collect();
                self.jump_tables.push((table, labels));
            }
            VKind::Return => {
                self.masm.mov(Size::S64, Gpr::Rsp, Gpr::Rbp);
                abi::return_depth_unit(self.masm);
                self.masm.pop(Gpr::Rbp);
                self.masm.ret();
            }
            VKind::Unreachable(block) => {
                self.offset = input.info.term_offset(block);
                let trap = self.trap(TrapCode::Unreachable);
                self.masm.jmp(trap);
            }
        }
        Ok(())
    }

    /// A slot's value (its slot encoding) into a register of the value's class.
    fn load_slot(&mut self, dst: Reg, mem: Mem, ty: ValType) {
        match dst {
            Reg::G(r) => self.masm.load_bits(Size::S64, r, mem),
            Reg::X(x) => self.masm.fload(float_of(ty), x, mem),
        }
    }

    /// A register's value into a slot, in slot encoding (an f32's upper half zero).
    fn store_slot(&mut self, mem: Mem, src: Reg, ty: ValType) {
        match (src, ty) {
            (Reg::G(r), _) => self.masm.store(Size::S64, mem, r),
            (Reg::X(x), ValType::F32) => {
                self.masm.xmm_to_gpr(Width::W32, Gpr::Rax, x);
                self.masm.store(Size::S64, mem, Gpr::Rax);
            }
            (Reg::X(x), _) => self.masm.fstore(Float::F64, mem, x),
        }
    }

    fn call(&mut self, inst: ir::Inst, base: u32, callee: Option<Reg>) -> Result<(), String> {
        let input = self.input;
        let module = input.module;
        let data = input.func.inst(inst);
        let frame_offset = i32::try_from((u64::from(input.info.num_locals) + u64::from(base)) * 8)
            .map_err(|_| "frame too large")?;
        match (data.op, data.imm) {
            (Opcode::Call, Imm::Idx(function_index)) => {
                let direct = function_index
                    .checked_sub(module.num_imported_funcs)
                    .and_then(|d| input.func_labels.get(d as usize).copied().flatten());
                self.mark();
                if let Some(label) = direct {
                    abi::call_direct(self.masm, frame_offset, label);
                } else {
                    abi::load_func_record(self.masm, function_index);
                    let same_instance = function_index >= module.num_imported_funcs;
                    let trap = self.dynamic_trap();
                    abi::call_record(self.masm, frame_offset, same_instance, trap);
                }
            }
            (Opcode::CallIndirect, Imm::Idx2(type_index, table)) => {
                let callee = callee.ok_or("call_indirect without a callee")?.gpr();
                self.masm.mov(Size::S32, Gpr::Rcx, callee);
                let (masm, traps, offset) = (&mut *self.masm, &mut self.traps, self.offset);
                abi::indirect_callee(masm, table, type_index, &mut |masm, code| {
                    let label = masm.new_label();
                    traps.push(TrapSite {
                        label,
                        code: Some(code),
                        wasm_offset: offset,
                    });
                    label
                });
                self.mark();
                let trap = self.dynamic_trap();
                abi::call_record(self.masm, frame_offset, false, trap);
            }
            _ => return Err("a call without its index".into()),
        }
        Ok(())
    }

    /// The compare `cmp` (fused into a branch) on its operands `regs`: sets the flags and
    /// returns the condition that is true when the compare is.
    fn compare(&mut self, cmp: ir::Inst, regs: &[Reg]) -> Cond {
        use Opcode::*;
        let func = self.input.func;
        let data = func.inst(cmp);
        let a = regs[0].gpr();
        let width = width_of(func.ty(data.args[0]));
        match data.op {
            I32Eqz | I64Eqz => {
                self.masm.cmp(width, a, Operand::Imm(0));
                return Cond::E;
            }
            _ => {}
        }
        let b = match lower::imm_arg(func, cmp, 1) {
            Some(imm) => Operand::Imm(imm),
            None => Operand::Reg(regs[1].gpr()),
        };
        self.masm.cmp(width, a, b);
        int_cond(data.op)
    }

    fn take_result(&mut self, inst: ir::Inst, dst: Reg) {
        use Opcode::*;
        let func = self.input.func;
        let data = func.inst(inst);
        let ty = func.ty(data.results[0]);
        let from_out = matches!(
            data.op,
            I32TruncF32S
                | I32TruncF32U
                | I32TruncF64S
                | I32TruncF64U
                | I64TruncF32S
                | I64TruncF32U
                | I64TruncF64S
                | I64TruncF64U
                | I32TruncSatF32S
                | I32TruncSatF32U
                | I32TruncSatF64S
                | I32TruncSatF64U
                | I64TruncSatF32S
                | I64TruncSatF32U
                | I64TruncSatF64S
                | I64TruncSatF64U
                | F32ConvertI64U
                | F64ConvertI64U
                | TableGet
        );
        if from_out {
            let mem = self.native_mem(OUT_SLOT);
            self.load_slot(dst, mem, ty);
            return;
        }
        match dst {
            // A helper's 32-bit result leaves `rax`'s upper half undefined.
            Reg::G(r) => self.masm.mov(mov_size(width_of(ty)), r, Gpr::Rax),
            Reg::X(x) => self.masm.gpr_to_xmm(width_of(ty), x, Gpr::Rax),
        }
    }

    /// Calls runtime helper `index` with `rdi` = vmctx and `args` in the registers named
    /// (staged through the native frame first, so no argument overwrites another's source);
    /// `check`: a non-zero `eax` is a trap code.
    fn runtime_helper(&mut self, index: usize, args: &[(Gpr, HArg)], check: bool) {
        self.stage_args(args);
        self.masm.mov(Size::S64, Gpr::Rdi, VMCTX);
        self.masm.load_bits(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(VMCTX, vo::VMCTX_HELPERS as i32),
        );
        self.mark();
        self.masm
            .call_mem(Mem::base_disp(Gpr::Rax, (index * 8) as i32));
        if check {
            let trap = self.dynamic_trap();
            self.masm.test_branch(Width::W32, Gpr::Rax, Cond::Ne, trap);
        }
    }

    /// Calls JIT helper `index` (`convert`, `float_op`) with `args`.
    fn jit_helper(&mut self, index: usize, args: &[(Gpr, HArg)]) {
        self.stage_args(args);
        self.mark();
        self.masm
            .call_mem(Mem::base_disp(EXEC, ex::HELPERS + (index * 8) as i32));
    }

    fn stage_args(&mut self, args: &[(Gpr, HArg)]) {
        for (k, (_, arg)) in args.iter().enumerate() {
            let mem = self.native_mem(8 * k as i32);
            match *arg {
                HArg::Reg(Reg::G(r)) => self.masm.store(Size::S64, mem, r),
                HArg::Reg(Reg::X(x)) => self.masm.fstore(Float::F64, mem, x),
                HArg::Imm(_) | HArg::OutPtr => {}
            }
        }
        for (k, &(target, arg)) in args.iter().enumerate() {
            match arg {
                HArg::Reg(_) => {
                    let mem = self.native_mem(8 * k as i32);
                    self.masm.load_bits(Size::S64, target, mem);
                }
                HArg::Imm(imm) => self.masm.mov_imm(Width::W64, target, imm),
                HArg::OutPtr => {
                    let mem = self.native_mem(OUT_SLOT);
                    self.masm.lea(Width::W64, target, mem);
                }
            }
        }
    }

    fn op(&mut self, inst: ir::Inst, regs: &[Reg]) -> Result<(), String> {
        use Opcode::*;
        let input = self.input;
        let func = input.func;
        let data = func.inst(inst);
        // Operands in order (immediates take no register), then the results.
        let mut next = 0usize;
        let mut args: Vec<Arg> = Vec::with_capacity(data.args.len());
        for i in 0..data.args.len() {
            match lower::imm_arg(func, inst, i) {
                Some(imm) => args.push(Arg::Imm(imm)),
                None => {
                    args.push(Arg::Reg(*regs.get(next).ok_or("too few registers")?));
                    next += 1;
                }
            }
        }
        let dst = regs.get(next).copied();
        let result_ty = data.results.first().map(|&r| func.ty(r));
        let arg_ty = data.args.first().map(|&a| func.ty(a));
        let g = |i: usize| -> Gpr {
            match args[i] {
                Arg::Reg(r) => r.gpr(),
                Arg::Imm(_) => Gpr::Rax,
            }
        };
        let x = |i: usize| -> Xmm {
            match args[i] {
                Arg::Reg(r) => r.xmm(),
                Arg::Imm(_) => Xmm::Xmm0,
            }
        };
        let opnd = |i: usize| -> Operand {
            match args[i] {
                Arg::Reg(r) => Operand::Reg(r.gpr()),
                Arg::Imm(imm) => Operand::Imm(imm),
            }
        };
        let hreg = |i: usize| -> HArg {
            match args[i] {
                Arg::Reg(r) => HArg::Reg(r),
                Arg::Imm(imm) => HArg::Imm(i64::from(imm)),
            }
        };
        let dg = || dst.map(Reg::gpr).unwrap_or(Gpr::Rax);
        let dx = || dst.map(Reg::xmm).unwrap_or(Xmm::Xmm0);
        let w = arg_ty.map_or(Width::W64, width_of);
        match data.op {
            I32Const | I64Const => {
                let Imm::Int(c) = data.imm else {
                    return Err("a constant without bits".into());
                };
                let d = dg();
                if c == 0 {
                    self.masm.zero(d);
                } else if data.op == I32Const {
                    self.masm.mov_imm(Width::W32, d, i64::from(c as u32));
                } else {
                    self.masm.mov_imm(Width::W64, d, c);
                }
            }
            F32Const | F64Const => {
                let Imm::Int(c) = data.imm else {
                    return Err("a constant without bits".into());
                };
                let float = if data.op == F32Const {
                    Float::F32
                } else {
                    Float::F64
                };
                let bits = if float == Float::F32 {
                    u64::from(c as u32)
                } else {
                    c as u64
                };
                self.masm.fconst(float, dx(), bits);
            }
            Select => {
                let ty = result_ty.ok_or("select without a result")?;
                let c = g(2);
                if lower::class_of(ty) == RegClass::Float {
                    let (d, a, b) = (dx(), x(0), x(1));
                    self.masm.cmp(Width::W32, c, Operand::Imm(0));
                    let done = self.masm.new_label();
                    if d == b {
                        self.masm.branch(Cond::E, done);
                        self.masm.fmov(d, a);
                    } else {
                        self.masm.fmov(d, a);
                        self.masm.branch(Cond::Ne, done);
                        self.masm.fmov(d, b);
                    }
                    self.masm.bind(done);
                } else {
                    let (d, a, b) = (dg(), g(0), g(1));
                    self.masm.cmp(Width::W32, c, Operand::Imm(0));
                    if d == b {
                        self.masm.cmov(Cond::Ne, Width::W64, d, a);
                    } else {
                        self.masm.mov64(d, a);
                        self.masm.cmov(Cond::E, Width::W64, d, b);
                    }
                }
            }
            I32Eqz | I64Eqz => {
                self.masm.cmp(w, g(0), Operand::Imm(0));
                self.masm.set_cond(Cond::E, dg());
            }
            op if lower::is_int_compare(op) => {
                self.masm.cmp(w, g(0), opnd(1));
                self.masm.set_cond(int_cond(op), dg());
            }
            I32Add | I64Add => {
                let (d, a, b) = (dg(), g(0), opnd(1));
                if !self.masm.add3(w, d, a, b) {
                    self.alu2(Alu::Add, w, d, a, b, true);
                }
            }
            I32Sub | I64Sub => self.alu2(Alu::Sub, w, dg(), g(0), opnd(1), false),
            I32And | I64And => self.alu2(Alu::And, w, dg(), g(0), opnd(1), true),
            I32Or | I64Or => self.alu2(Alu::Or, w, dg(), g(0), opnd(1), true),
            I32Xor | I64Xor => self.alu2(Alu::Xor, w, dg(), g(0), opnd(1), true),
            I32Mul | I64Mul => {
                let (d, a) = (dg(), g(0));
                match opnd(1) {
                    Operand::Imm(imm) => self.masm.mul_imm(w, d, a, imm),
                    Operand::Reg(b) if b == d && a != d => self.masm.mul(w, d, a),
                    b => {
                        self.mov_w(w, d, a);
                        self.masm.mul(w, d, b);
                    }
                }
            }
            I32DivS | I32DivU | I32RemS | I32RemU | I64DivS | I64DivU | I64RemS | I64RemU => {
                let op = match data.op {
                    I32DivS | I64DivS => DivOp::DivS,
                    I32DivU | I64DivU => DivOp::DivU,
                    I32RemS | I64RemS => DivOp::RemS,
                    _ => DivOp::RemU,
                };
                self.masm.mov64(Gpr::Rcx, g(1));
                self.masm.mov64(Gpr::Rax, g(0));
                let div0 = self.trap(TrapCode::IntegerDivideByZero);
                let overflow = (op == DivOp::DivS).then(|| self.trap(TrapCode::IntegerOverflow));
                self.masm.div_rem(w, op, div0, overflow);
                self.masm.mov(mov_size(w), dg(), Gpr::Rax);
            }
            I32Shl | I32ShrS | I32ShrU | I32Rotl | I32Rotr | I64Shl | I64ShrS | I64ShrU
            | I64Rotl | I64Rotr => {
                let shift = match data.op {
                    I32Shl | I64Shl => Shift::Shl,
                    I32ShrS | I64ShrS => Shift::Sar,
                    I32ShrU | I64ShrU => Shift::Shr,
                    I32Rotl | I64Rotl => Shift::Rol,
                    _ => Shift::Ror,
                };
                let (d, a) = (dg(), g(0));
                let bits = if w == Width::W32 { 31 } else { 63 };
                match opnd(1) {
                    Operand::Imm(imm) => {
                        self.mov_w(w, d, a);
                        self.masm.shift_imm(shift, w, d, (imm & bits) as u8);
                    }
                    b => {
                        if let Operand::Reg(b) = b {
                            self.masm.mov64(Gpr::Rcx, b);
                        }
                        self.mov_w(w, d, a);
                        self.masm.shift_cl(shift, w, d);
                    }
                }
            }
            I32Clz | I64Clz => {
                self.masm.mov64(Gpr::Rcx, g(0));
                if input.cpu.lzcnt {
                    self.masm.bit_count(BitCount::Lzcnt, w, Gpr::Rax, Gpr::Rcx);
                } else {
                    // bsr gives the index of the highest set bit (ZF for zero input).
                    let bits = if w == Width::W32 { 31 } else { 63 };
                    self.masm.mov_imm(Width::W64, Gpr::Rdx, -1);
                    self.masm.bit_count(BitCount::Bsr, w, Gpr::Rax, Gpr::Rcx);
                    self.masm.cmov(Cond::E, Width::W64, Gpr::Rax, Gpr::Rdx);
                    self.masm.mov_imm(Width::W64, Gpr::Rcx, bits);
                    self.masm.sub(Width::W64, Gpr::Rcx, Gpr::Rax);
                    self.masm.mov64(Gpr::Rax, Gpr::Rcx);
                }
                self.masm.mov64(dg(), Gpr::Rax);
            }
            I32Ctz | I64Ctz => {
                self.masm.mov64(Gpr::Rcx, g(0));
                if input.cpu.bmi1 {
                    self.masm.bit_count(BitCount::Tzcnt, w, Gpr::Rax, Gpr::Rcx);
                } else {
                    let bits = if w == Width::W32 { 32 } else { 64 };
                    self.masm.mov_imm(Width::W64, Gpr::Rdx, bits);
                    self.masm.bit_count(BitCount::Bsf, w, Gpr::Rax, Gpr::Rcx);
                    self.masm.cmov(Cond::E, Width::W64, Gpr::Rax, Gpr::Rdx);
                }
                self.masm.mov64(dg(), Gpr::Rax);
            }
            I32Popcnt | I64Popcnt => {
                if input.cpu.popcnt {
                    self.masm.bit_count(BitCount::Popcnt, w, dg(), g(0));
                } else {
                    let args = [
                        (Gpr::Rdi, HArg::Imm(i64::from(fop::POPCNT))),
                        (Gpr::Rsi, hreg(0)),
                    ];
                    self.jit_helper(jit_helper::FLOAT_OP, &args);
                }
            }
            I64ExtendI32S | I64Extend32S => self.masm.sign_extend32(dg(), g(0)),
            I64ExtendI32U | I32WrapI64 => self.masm.mov(Size::S32, dg(), g(0)),
            I32Extend8S => self.masm.sign_extend(ExtFrom::S8, Width::W32, dg(), g(0)),
            I32Extend16S => self.masm.sign_extend(ExtFrom::S16, Width::W32, dg(), g(0)),
            I64Extend8S => self.masm.sign_extend(ExtFrom::S8, Width::W64, dg(), g(0)),
            I64Extend16S => self.masm.sign_extend(ExtFrom::S16, Width::W64, dg(), g(0)),

            F32Add | F32Sub | F32Mul | F32Div | F64Add | F64Sub | F64Mul | F64Div => {
                let op = match data.op {
                    F32Add | F64Add => SseArith::Add,
                    F32Sub | F64Sub => SseArith::Sub,
                    F32Mul | F64Mul => SseArith::Mul,
                    _ => SseArith::Div,
                };
                let float = float_of(arg_ty.ok_or("no operand")?);
                let (d, a, b) = (dx(), x(0), x(1));
                if d == b && d != a {
                    self.masm.fmov(Xmm::Xmm0, a);
                    self.masm.farith(op, float, Xmm::Xmm0, XOperand::Reg(b));
                    self.masm.fmov(d, Xmm::Xmm0);
                } else {
                    self.masm.fmov(d, a);
                    self.masm.farith(op, float, d, XOperand::Reg(b));
                }
            }
            F32Abs | F32Neg | F64Abs | F64Neg => {
                let (op, mask) = match data.op {
                    F32Abs => (SseLogic::And, 0x7fff_ffff),
                    F32Neg => (SseLogic::Xor, 0x8000_0000),
                    F64Abs => (SseLogic::And, i64::MAX as u64),
                    _ => (SseLogic::Xor, 1 << 63),
                };
                let float = float_of(arg_ty.ok_or("no operand")?);
                let d = dx();
                self.masm.fmov(d, x(0));
                let mask = self.masm.constant(mask);
                self.masm.flogic(op, float, d, XOperand::Mem(mask.into()));
            }
            F32Copysign | F64Copysign => {
                let (float, magnitude) = if data.op == F32Copysign {
                    (Float::F32, 0x7fff_ffff)
                } else {
                    (Float::F64, i64::MAX as u64)
                };
                let (d, a, b) = (dx(), x(0), x(1));
                let mask = self.masm.constant(magnitude);
                // xmm1 = the sign of b (`andn`: !xmm1 & b), before d may overwrite b.
                self.masm.fload(float, Xmm::Xmm1, mask);
                self.masm
                    .flogic(SseLogic::Andn, float, Xmm::Xmm1, XOperand::Reg(b));
                self.masm.fmov(d, a);
                self.masm
                    .flogic(SseLogic::And, float, d, XOperand::Mem(mask.into()));
                self.masm
                    .flogic(SseLogic::Or, float, d, XOperand::Reg(Xmm::Xmm1));
            }
            F32Sqrt | F64Sqrt => {
                let float = float_of(arg_ty.ok_or("no operand")?);
                let d = dx();
                self.masm.fmov(d, x(0));
                self.masm.fsqrt(float, d);
            }
            F32Ceil | F32Floor | F32Trunc | F32Nearest | F64Ceil | F64Floor | F64Trunc
            | F64Nearest => {
                let (mode, kind) = match data.op {
                    F32Ceil => (RoundMode::Up, fop::F32_CEIL),
                    F32Floor => (RoundMode::Down, fop::F32_FLOOR),
                    F32Trunc => (RoundMode::Trunc, fop::F32_TRUNC),
                    F32Nearest => (RoundMode::Nearest, fop::F32_NEAREST),
                    F64Ceil => (RoundMode::Up, fop::F64_CEIL),
                    F64Floor => (RoundMode::Down, fop::F64_FLOOR),
                    F64Trunc => (RoundMode::Trunc, fop::F64_TRUNC),
                    _ => (RoundMode::Nearest, fop::F64_NEAREST),
                };
                let float = float_of(arg_ty.ok_or("no operand")?);
                if input.cpu.sse41 {
                    let d = dx();
                    self.masm.fmov(d, x(0));
                    self.masm.fround(float, mode, d);
                } else {
                    let args = [(Gpr::Rdi, HArg::Imm(i64::from(kind))), (Gpr::Rsi, hreg(0))];
                    self.jit_helper(jit_helper::FLOAT_OP, &args);
                }
            }
            F32Min | F32Max | F64Min | F64Max => {
                let kind = match data.op {
                    F32Min => fop::F32_MIN,
                    F32Max => fop::F32_MAX,
                    F64Min => fop::F64_MIN,
                    _ => fop::F64_MAX,
                };
                let args = [
                    (Gpr::Rdi, HArg::Imm(i64::from(kind))),
                    (Gpr::Rsi, hreg(0)),
                    (Gpr::Rdx, hreg(1)),
                ];
                self.jit_helper(jit_helper::FLOAT_OP, &args);
            }
            F32Eq | F32Ne | F32Lt | F32Gt | F32Le | F32Ge | F64Eq | F64Ne | F64Lt | F64Gt
            | F64Le | F64Ge => {
                let float = float_of(arg_ty.ok_or("no operand")?);
                let (xa, xb, d) = (x(0), x(1), dg());
                match data.op {
                    F32Eq | F32Ne | F64Eq | F64Ne => {
                        self.masm.fcmp(float, xa, xb);
                        let (c1, c2, op) = if matches!(data.op, F32Eq | F64Eq) {
                            (Cond::E, Cond::Np, Alu::And)
                        } else {
                            (Cond::Ne, Cond::P, Alu::Or)
                        };
                        self.masm.setcc(c1, Gpr::Rax);
                        self.masm.setcc(c2, Gpr::Rcx);
                        self.masm.zero_extend8(Gpr::Rax, Gpr::Rax);
                        self.masm.zero_extend8(Gpr::Rcx, Gpr::Rcx);
                        self.masm.alu(op, Width::W32, Gpr::Rax, Gpr::Rcx);
                        self.masm.mov(Size::S32, d, Gpr::Rax);
                    }
                    _ => {
                        // `a < b` is `b > a`: "above" is false when unordered.
                        let (p, q) = match data.op {
                            F32Lt | F32Le | F64Lt | F64Le => (xb, xa),
                            _ => (xa, xb),
                        };
                        self.masm.fcmp(float, p, q);
                        let c = match data.op {
                            F32Lt | F32Gt | F64Lt | F64Gt => Cond::A,
                            _ => Cond::Ae,
                        };
                        self.masm.set_cond(c, d);
                    }
                }
            }
            I32TruncF32S | I32TruncF32U | I32TruncF64S | I32TruncF64U | I64TruncF32S
            | I64TruncF32U | I64TruncF64S | I64TruncF64U | I32TruncSatF32S | I32TruncSatF32U
            | I32TruncSatF64S | I32TruncSatF64U | I64TruncSatF32S | I64TruncSatF32U
            | I64TruncSatF64S | I64TruncSatF64U | F32ConvertI64U | F64ConvertI64U => {
                let kind = convert_kind(data.op);
                let args = [
                    (Gpr::Rdi, HArg::Imm(i64::from(kind))),
                    (Gpr::Rsi, hreg(0)),
                    (Gpr::Rdx, HArg::OutPtr),
                ];
                self.jit_helper(jit_helper::CONVERT, &args);
                let trap = self.dynamic_trap();
                self.masm.test_branch(Width::W32, Gpr::Rax, Cond::Ne, trap);
            }
            F32ConvertI32S => self.masm.int_to_float(Float::F32, Width::W32, dx(), g(0)),
            F32ConvertI32U | F32ConvertI64S => {
                self.masm.int_to_float(Float::F32, Width::W64, dx(), g(0))
            }
            F64ConvertI32S => self.masm.int_to_float(Float::F64, Width::W32, dx(), g(0)),
            F64ConvertI32U | F64ConvertI64S => {
                self.masm.int_to_float(Float::F64, Width::W64, dx(), g(0))
            }
            F32DemoteF64 => {
                let d = dx();
                self.masm.fmov(d, x(0));
                self.masm.demote(d);
            }
            F64PromoteF32 => {
                let d = dx();
                self.masm.fmov(d, x(0));
                self.masm.promote(d);
            }
            I32ReinterpretF32 => self.masm.xmm_to_gpr(Width::W32, dg(), x(0)),
            I64ReinterpretF64 => self.masm.xmm_to_gpr(Width::W64, dg(), x(0)),
            F32ReinterpretI32 => self.masm.gpr_to_xmm(Width::W32, dx(), g(0)),
            F64ReinterpretI64 => self.masm.gpr_to_xmm(Width::W64, dx(), g(0)),

            I32Load | I64Load | F32Load | F64Load | I32Load8S | I32Load8U | I32Load16S
            | I32Load16U | I64Load8S | I64Load8U | I64Load16S | I64Load16U | I64Load32S
            | I64Load32U => {
                let Imm::Mem { offset, .. } = data.imm else {
                    return Err("a load without its offset".into());
                };
                let (size, ext, width) = match data.op {
                    I32Load => (Size::S32, Ext::Zero, Width::W32),
                    I64Load => (Size::S64, Ext::Zero, Width::W64),
                    F32Load => (Size::S32, Ext::Zero, Width::W32),
                    F64Load => (Size::S64, Ext::Zero, Width::W64),
                    I32Load8S => (Size::S8, Ext::Sign, Width::W32),
                    I32Load8U => (Size::S8, Ext::Zero, Width::W32),
                    I32Load16S => (Size::S16, Ext::Sign, Width::W32),
                    I32Load16U => (Size::S16, Ext::Zero, Width::W32),
                    I64Load8S => (Size::S8, Ext::Sign, Width::W64),
                    I64Load8U => (Size::S8, Ext::Zero, Width::W64),
                    I64Load16S => (Size::S16, Ext::Sign, Width::W64),
                    I64Load16U => (Size::S16, Ext::Zero, Width::W64),
                    I64Load32S => (Size::S32, Ext::Sign, Width::W64),
                    _ => (Size::S32, Ext::Zero, Width::W64),
                };
                let mem = self.address(g(0), offset, size.bytes());
                self.mark();
                match data.op {
                    F32Load => self.masm.fload(Float::F32, dx(), mem),
                    F64Load => self.masm.fload(Float::F64, dx(), mem),
                    _ => self.masm.load(dg(), mem, size, ext, width),
                }
            }
            I32Store | I64Store | F32Store | F64Store | I32Store8 | I32Store16 | I64Store8
            | I64Store16 | I64Store32 => {
                let Imm::Mem { offset, .. } = data.imm else {
                    return Err("a store without its offset".into());
                };
                let size = match data.op {
                    I32Store | F32Store | I64Store32 => Size::S32,
                    I64Store | F64Store => Size::S64,
                    I32Store8 | I64Store8 => Size::S8,
                    _ => Size::S16,
                };
                let mem = self.address(g(0), offset, size.bytes());
                match args[1] {
                    Arg::Imm(imm) => {
                        self.mark();
                        self.masm.store_imm(size, mem, imm);
                    }
                    Arg::Reg(Reg::G(v)) => {
                        self.mark();
                        self.masm.store(size, mem, v);
                    }
                    Arg::Reg(Reg::X(v)) => {
                        let float = if size == Size::S32 {
                            Float::F32
                        } else {
                            Float::F64
                        };
                        self.mark();
                        self.masm.fstore(float, mem, v);
                    }
                }
            }
            GlobalGet | GlobalSet => {
                let Imm::Idx(global) = data.imm else {
                    return Err("a global access without its index".into());
                };
                let globals = Mem::base_disp(VMCTX, vo::VMCTX_GLOBALS as i32);
                self.masm.load_bits(Size::S64, Gpr::Rax, globals);
                let cell = Mem::base_disp(Gpr::Rax, global as i32 * 8);
                self.masm.load_bits(Size::S64, Gpr::Rax, cell);
                let at = Mem::base(Gpr::Rax);
                if data.op == GlobalGet {
                    let ty = result_ty.ok_or("global.get without a result")?;
                    self.load_slot(dst.ok_or("no register")?, at, ty);
                } else {
                    let ty = arg_ty.ok_or("global.set without a value")?;
                    let Arg::Reg(v) = args[0] else {
                        return Err("global.set of an immediate".into());
                    };
                    match (v, ty) {
                        (Reg::X(x), ValType::F32) => {
                            self.masm.xmm_to_gpr(Width::W32, Gpr::Rcx, x);
                            self.masm.store(Size::S64, at, Gpr::Rcx);
                        }
                        _ => self.store_slot(at, v, ty),
                    }
                }
            }
            MemorySize => {
                let d = dg();
                let memory = Mem::base_disp(VMCTX, vo::VMCTX_MEMORY as i32);
                self.masm.load_bits(Size::S64, Gpr::Rax, memory);
                let len = Mem::base_disp(Gpr::Rax, vo::MEMORY_DEF_LEN as i32);
                self.masm.load_bits(Size::S64, d, len);
                self.masm.shift_imm(Shift::Shr, Width::W64, d, 16);
            }
            MemoryGrow => self.runtime_helper(hi::MEMORY_GROW, &[(Gpr::Rsi, hreg(0))], false),
            MemoryFill => {
                let args = [
                    (Gpr::Rsi, hreg(0)),
                    (Gpr::Rdx, hreg(1)),
                    (Gpr::Rcx, hreg(2)),
                ];
                self.runtime_helper(hi::MEMORY_FILL, &args, true);
            }
            MemoryCopy => {
                let args = [
                    (Gpr::Rsi, hreg(0)),
                    (Gpr::Rdx, hreg(1)),
                    (Gpr::Rcx, hreg(2)),
                ];
                self.runtime_helper(hi::MEMORY_COPY, &args, true);
            }
            MemoryInit => {
                let Imm::Idx2(segment, _) = data.imm else {
                    return Err("memory.init without its segment".into());
                };
                let args = [
                    (Gpr::Rsi, HArg::Imm(i64::from(segment))),
                    (Gpr::Rdx, hreg(0)),
                    (Gpr::Rcx, hreg(1)),
                    (Gpr::R8, hreg(2)),
                ];
                self.runtime_helper(hi::MEMORY_INIT, &args, true);
            }
            DataDrop | ElemDrop => {
                let Imm::Idx(segment) = data.imm else {
                    return Err("a drop without its segment".into());
                };
                let index = if data.op == DataDrop {
                    hi::DATA_DROP
                } else {
                    hi::ELEM_DROP
                };
                let args = [(Gpr::Rsi, HArg::Imm(i64::from(segment)))];
                self.runtime_helper(index, &args, false);
            }
            TableGet | TableSet | TableGrow | TableFill => {
                let Imm::Idx(table) = data.imm else {
                    return Err("a table access without its index".into());
                };
                let t = HArg::Imm(i64::from(table));
                match data.op {
                    TableGet => {
                        let args = [(Gpr::Rsi, t), (Gpr::Rdx, hreg(0)), (Gpr::Rcx, HArg::OutPtr)];
                        self.runtime_helper(hi::TABLE_GET, &args, true);
                    }
                    TableSet => {
                        let args = [(Gpr::Rsi, t), (Gpr::Rdx, hreg(0)), (Gpr::Rcx, hreg(1))];
                        self.runtime_helper(hi::TABLE_SET, &args, true);
                    }
                    TableGrow => {
                        let args = [(Gpr::Rsi, t), (Gpr::Rdx, hreg(0)), (Gpr::Rcx, hreg(1))];
                        self.runtime_helper(hi::TABLE_GROW, &args, false);
                    }
                    _ => {
                        let args = [
                            (Gpr::Rsi, t),
                            (Gpr::Rdx, hreg(0)),
                            (Gpr::Rcx, hreg(1)),
                            (Gpr::R8, hreg(2)),
                        ];
                        self.runtime_helper(hi::TABLE_FILL, &args, true);
                    }
                }
            }
            TableCopy | TableInit => {
                let Imm::Idx2(x, y) = data.imm else {
                    return Err("a table operation without its indices".into());
                };
                // table.copy: (dst table, src table); table.init: (segment, table), and the
                // helper takes the table first.
                let (first, second, index) = if data.op == TableCopy {
                    (x, y, hi::TABLE_COPY)
                } else {
                    (y, x, hi::TABLE_INIT)
                };
                let args = [
                    (Gpr::Rsi, HArg::Imm(i64::from(first))),
                    (Gpr::Rdx, HArg::Imm(i64::from(second))),
                    (Gpr::Rcx, hreg(0)),
                    (Gpr::R8, hreg(1)),
                    (Gpr::R9, hreg(2)),
                ];
                self.runtime_helper(index, &args, true);
            }
            TableSize => {
                let Imm::Idx(table) = data.imm else {
                    return Err("table.size without its index".into());
                };
                let d = dg();
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
                let len = Mem::base_disp(Gpr::Rax, vo::TABLE_DEF_LEN as i32);
                self.masm.load_bits(Size::S32, d, len);
            }
            RefNull => self.masm.zero(dg()),
            RefIsNull => {
                self.masm.cmp(Width::W64, g(0), Operand::Imm(0));
                self.masm.set_cond(Cond::E, dg());
            }
            RefFunc => {
                let Imm::Idx(function) = data.imm else {
                    return Err("ref.func without its index".into());
                };
                let d = dg();
                let funcs = Mem::base_disp(VMCTX, vo::VMCTX_FUNCS as i32);
                self.masm.load_bits(Size::S64, d, funcs);
                let record = Mem::base_disp(d, function as i32 * 8);
                self.masm.load_bits(Size::S64, d, record);
            }
            Call | CallIndirect => return Err("a call lowered as an operation".into()),
            op => return Err(format!("{} has no lowering", op.name())),
        }
        Ok(())
    }

    /// `dst = a op b` for a two-operand ALU operation, whatever registers coincide.
    fn alu2(&mut self, op: Alu, w: Width, d: Gpr, a: Gpr, b: Operand, commutative: bool) {
        match b {
            Operand::Reg(b) if b == d && a != d => {
                if commutative {
                    self.masm.alu(op, w, d, a);
                } else {
                    self.masm.mov64(Gpr::Rax, a);
                    self.masm.alu(op, w, Gpr::Rax, b);
                    self.masm.mov(mov_size(w), d, Gpr::Rax);
                }
            }
            b => {
                self.mov_w(w, d, a);
                self.masm.alu(op, w, d, b);
            }
        }
    }

    /// `dst = src` (nothing when they are the same register: an i32 is already
    /// zero-extended).
    fn mov_w(&mut self, _w: Width, d: Gpr, a: Gpr) {
        self.masm.mov64(d, a);
    }

    /// The address of a memory access: `membase + index + offset`, with an explicit bounds
    /// check when the static offset is beyond what the guard region covers (uses `rax`,
    /// `rcx`, `rdx`).
    fn address(&mut self, index: Gpr, offset: u64, size: u32) -> Mem {
        if offset <= MAX_UNCHECKED_OFFSET {
            return Mem::indexed(MEMBASE, index, Scale::S1, offset as i32);
        }
        self.masm.mov(Size::S32, Gpr::Rax, index);
        let oob = self.trap(TrapCode::MemoryOutOfBounds);
        self.masm
            .mov_imm(Width::W64, Gpr::Rcx, (offset + u64::from(size)) as i64);
        self.masm.add(Width::W64, Gpr::Rcx, Gpr::Rax);
        self.masm.load_bits(
            Size::S64,
            Gpr::Rdx,
            Mem::base_disp(VMCTX, vo::VMCTX_MEMORY as i32),
        );
        self.masm.cmp(
            Width::W64,
            Gpr::Rcx,
            Mem::base_disp(Gpr::Rdx, vo::MEMORY_DEF_LEN as i32),
        );
        self.masm.branch(Cond::A, oob);
        self.masm.mov_imm(Width::W64, Gpr::Rcx, offset as i64);
        self.masm.add(Width::W64, Gpr::Rax, Gpr::Rcx);
        Mem::indexed(MEMBASE, Gpr::Rax, Scale::S1, 0)
    }
}

/// An operand as the emitter sees it.
#[derive(Clone, Copy, Debug)]
enum Arg {
    Reg(Reg),
    Imm(i32),
}

/// A helper call's argument.
#[derive(Clone, Copy, Debug)]
enum HArg {
    Reg(Reg),
    Imm(i64),
    /// The address of the native frame's out slot.
    OutPtr,
}

/// The condition true when integer compare `op` is.
fn int_cond(op: Opcode) -> Cond {
    use Opcode::*;
    match op {
        I32Eq | I64Eq | I32Eqz | I64Eqz => Cond::E,
        I32Ne | I64Ne => Cond::Ne,
        I32LtS | I64LtS => Cond::L,
        I32LtU | I64LtU => Cond::B,
        I32GtS | I64GtS => Cond::G,
        I32GtU | I64GtU => Cond::A,
        I32LeS | I64LeS => Cond::Le,
        I32LeU | I64LeU => Cond::Be,
        I32GeS | I64GeS => Cond::Ge,
        _ => Cond::Ae,
    }
}

/// The `convert` helper's kind for a conversion opcode.
fn convert_kind(op: Opcode) -> u32 {
    use Opcode::*;
    match op {
        I32TruncF32S => conv::I32_TRUNC_F32_S,
        I32TruncF32U => conv::I32_TRUNC_F32_U,
        I32TruncF64S => conv::I32_TRUNC_F64_S,
        I32TruncF64U => conv::I32_TRUNC_F64_U,
        I64TruncF32S => conv::I64_TRUNC_F32_S,
        I64TruncF32U => conv::I64_TRUNC_F32_U,
        I64TruncF64S => conv::I64_TRUNC_F64_S,
        I64TruncF64U => conv::I64_TRUNC_F64_U,
        I32TruncSatF32S => conv::SAT + conv::I32_TRUNC_F32_S,
        I32TruncSatF32U => conv::SAT + conv::I32_TRUNC_F32_U,
        I32TruncSatF64S => conv::SAT + conv::I32_TRUNC_F64_S,
        I32TruncSatF64U => conv::SAT + conv::I32_TRUNC_F64_U,
        I64TruncSatF32S => conv::SAT + conv::I64_TRUNC_F32_S,
        I64TruncSatF32U => conv::SAT + conv::I64_TRUNC_F32_U,
        I64TruncSatF64S => conv::SAT + conv::I64_TRUNC_F64_S,
        I64TruncSatF64U => conv::SAT + conv::I64_TRUNC_F64_U,
        F32ConvertI64U => conv::F32_CONVERT_I64_U,
        _ => conv::F64_CONVERT_I64_U,
    }
}
