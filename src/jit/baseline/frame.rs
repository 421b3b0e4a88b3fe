//! One function: prologue (stack checks, zeroed locals, homes loaded), the operator loop,
//! epilogue, the OSR entry stubs and the out-of-line trap sites.

use crate::jit::CompileError;
use wasmparser::Operator;

use crate::jit::exec_context::exec_offsets as ex;
use crate::jit::x64::{Alu, Assembler, Cond, Gpr, Label, Mem, Size, Unary, Width};
use crate::module::fuel::FuelPlan;
use crate::module::{ModuleInfo, ValType};
use crate::runtime::TrapCode;

use super::abi::*;
use super::compiler::*;
use super::cpu::CpuFeatures;
use super::locals::*;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

/// An on-stack-replacement entry: code that starts a function at one of its loop headers.
///
/// `code_offset` is a stub called exactly like the function's own entry (`r14` = the frame,
/// which the interpreter has left in canonical form at the header: ARCHITECTURE.md "Loop
/// headers are meeting points"): it builds the native frame, checks both stacks and jumps to
/// the header. The function then runs to its end and returns to the stub's caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OsrEntry {
    /// Byte offset of the `loop` operator in the module (how the interpreter names a header).
    pub wasm_offset: u32,
    pub code_offset: u32,
}

/// What the code is compiled for: the CPU's features and whether it charges fuel.
#[derive(Clone, Copy)]
pub(super) struct Settings {
    pub(super) cpu: CpuFeatures,
    /// Fuel charges at every fuel block start (`Config::consume_fuel`).
    pub(super) consume_fuel: bool,
}

pub(super) fn compile_function(
    asm: &mut Assembler,
    module: &ModuleInfo,
    func_index: u32,
    func_labels: &[Option<Label>],
    settings: Settings,
    pc_map: &mut Vec<(u32, u32)>,
    data: &mut Vec<(u32, u32)>,
) -> Result<Vec<OsrEntry>> {
    let Settings { cpu, consume_fuel } = settings;
    let (ty, body, mut ops) = module.function_body(func_index)?;
    let num_params = ty.params.len() as u64;
    let declared: u64 = body.locals.iter().map(|(n, _)| u64::from(*n)).sum();
    let nl = num_params + declared;
    if nl > (1 << 24) {
        return Err(CompileError::Limit {
            function: func_index,
            what: "too many locals",
        });
    }
    let mut body_ops = Vec::new();
    while !ops.eof() {
        body_ops.push(
            ops.read_with_offset()
                .map_err(|e| format!("function {func_index}: {e}"))?,
        );
    }
    let local_type = |x: u32| -> Option<ValType> {
        if let Some(t) = ty.params.get(x as usize) {
            return Some(*t);
        }
        let mut first = ty.params.len() as u64;
        for (n, t) in &body.locals {
            if u64::from(x) < first + u64::from(*n) {
                return Some(*t);
            }
            first += u64::from(*n);
        }
        None
    };
    let fuel = FuelPlan::new(&body_ops, |(op, _)| op, consume_fuel);
    let homes = choose_homes(&body_ops, local_type);
    let gpr_pool = GPR_POOL
        .iter()
        .copied()
        .filter(|r| !homes.contains_reg(*r))
        .collect();
    let xmm_pool = XMM_POOL
        .iter()
        .copied()
        .filter(|x| !homes.contains_xmm(*x))
        .collect();
    let ret_label = asm.new_label();
    let func_end = asm.new_label();
    let mut c = Compiler {
        asm,
        module,
        func_labels,
        cpu,
        pc_map,
        nl: nl as u32,
        num_results: ty.results.len() as u32,
        stack: Vec::new(),
        max_height: 0,
        ctrl: Vec::new(),
        traps: Vec::new(),
        ret_label,
        offset: body.range.start as u32,
        unreachable: false,
        skip_depth: 0,
        loop_headers: Vec::new(),
        homes: homes.0,
        gpr_pool,
        xmm_pool,
        next: None,
        fused: false,
        pool_exhausted: false,
        result_home: None,
        float_pool: Vec::new(),
        data,
    };
    c.ctrl.push(Ctrl {
        kind: Kind::Func,
        height: 0,
        params: 0,
        results: ty.results.len() as u32,
        label: func_end,
        else_label: None,
        merge: Vec::new(),
        branched: false,
    });
    // Prologue.
    let stack_trap = c.trap_label(TrapCode::CallStackExhausted);
    let mut frame_patches = vec![frame_setup(c.asm, stack_trap)];
    let count = declared as u32;
    let first = num_params as u32;
    if count <= 16 {
        for i in 0..count {
            c.asm.mov_mi(Size::S64, slot_mem(first + i), 0);
        }
    } else {
        c.asm.zero(Gpr::Rax);
        c.asm.lea(Width::W64, Gpr::Rcx, slot_mem(first));
        c.asm.mov_ri(Width::W32, Gpr::Rdx, count as i64);
        let top = c.asm.new_label();
        c.asm.bind(top);
        c.asm.mov_mr(Size::S64, Mem::base(Gpr::Rcx), Gpr::Rax);
        c.asm.alu_ri(Alu::Add, Width::W64, Gpr::Rcx, 8);
        c.asm.unary_r(Unary::Dec, Width::W32, Gpr::Rdx);
        c.asm.jcc(Cond::Ne, top);
    }
    // Locals in registers: parameters come from their slots, declared locals start at zero.
    for (x, home) in c.homes.clone() {
        if x < first {
            c.load_home(x, home);
        } else {
            match home {
                Opd::Reg(r) => c.asm.zero(r),
                Opd::Xmm(r, _) => c.asm.zero_xmm(r),
                _ => {}
            }
        }
    }
    let mut i = 0;
    while i < body_ops.len() {
        let (op, offset) = body_ops[i].clone();
        c.offset = offset as u32;
        c.next = match body_ops.get(i + 1) {
            Some((Operator::BrIf { relative_depth }, _)) => Some(Fusable::BrIf(*relative_depth)),
            Some((Operator::If { blockty }, _)) => Some(Fusable::If(*blockty)),
            Some((Operator::Select | Operator::TypedSelect { .. }, _)) => Some(Fusable::Select),
            _ => None,
        };
        // A compare fused with the `select` after it produces the select's result: look past
        // the select for the `local.set`.
        let is_compare = crate::module::ops::IntCmp::of(&op).is_some()
            || matches!(op, Operator::I32Eqz | Operator::I64Eqz);
        let result_user = if is_compare && matches!(c.next, Some(Fusable::Select)) {
            i + 2
        } else {
            i + 1
        };
        c.result_home = match body_ops.get(result_user) {
            Some((Operator::LocalSet { local_index } | Operator::LocalTee { local_index }, _)) => {
                c.home(*local_index)
            }
            _ => None,
        };
        c.fused = false;
        let cost = fuel.at(i);
        if cost > 0 && !c.unreachable {
            charge_fuel(&mut c, cost);
        }
        c.op(op)?;
        // A fused operator (`br_if`, `if`, `select` after a compare) never starts a fuel
        // block: only control transfers end one.
        debug_assert!(!c.fused || fuel.at(i + 1) == 0);
        i += if c.fused { 2 } else { 1 };
    }
    if c.pool_exhausted {
        return Err(CompileError::Internal {
            function: Some(func_index),
            message: "register pool exhausted".to_string(),
        });
    }
    c.asm.bind(ret_label);
    // The frame's unit of the call-depth budget goes back (the prologue took it).
    c.asm.alu_mi(
        Alu::Add,
        Width::W64,
        Mem::base_disp(EXEC, ex::DEPTH_LEFT),
        1,
    );
    c.asm.pop(Gpr::Rbp);
    c.asm.ret();
    // OSR entries: the prologue without the zeroing of locals, then a jump to the header.
    let mut osr_entries = Vec::with_capacity(c.loop_headers.len());
    for (wasm_offset, header) in std::mem::take(&mut c.loop_headers) {
        c.asm.align(16);
        osr_entries.push(OsrEntry {
            wasm_offset,
            code_offset: c.asm.offset() as u32,
        });
        frame_patches.push(frame_setup(c.asm, stack_trap));
        // The interpreter left every local in its slot: load the ones the code keeps in
        // registers.
        c.load_homes();
        c.asm.jmp(header);
    }
    // Out-of-line trap sites.
    let traps = std::mem::take(&mut c.traps);
    for site in traps {
        let at = c.asm.offset() as u32;
        c.pc_map.push((at, site.wasm_offset));
        c.asm.bind(site.label);
        match site.code {
            Some(code) => c.asm.mov_mi(
                Size::S32,
                Mem::base_disp(EXEC, ex::TRAP_CODE),
                code as u32 as i32,
            ),
            None => c
                .asm
                .mov_mr(Size::S32, Mem::base_disp(EXEC, ex::TRAP_CODE), Gpr::Rax),
        }
        c.asm.call_m(Mem::base_disp(EXEC, ex::TRAP_STUB));
    }
    // The constant pool: 16 aligned bytes per constant (the low 4 or 8 are the scalar, the
    // rest zero), so packed bitwise operations may read them as memory operands.
    if !c.float_pool.is_empty() {
        c.asm.align(16);
        let start = c.asm.offset() as u32;
        for (bits, label) in std::mem::take(&mut c.float_pool) {
            c.asm.bind(label);
            c.asm.emit_u64(bits);
            c.asm.emit_u64(0);
        }
        c.data.push((start, c.asm.offset() as u32));
    }
    // The interpreter's formula (`interp::translate`): both tiers check the value stack for
    // the same frame size, so it runs out at the same depth on every tier.
    let frame_slots = (u64::from(c.nl) + u64::from(c.max_height) + 1)
        .max(u64::from(c.num_results))
        .max(num_params + 1);
    let frame_bytes = frame_slots * 8;
    if frame_bytes > i32::MAX as u64 / 2 {
        return Err(CompileError::Limit {
            function: func_index,
            what: "frame too large",
        });
    }
    for patch in frame_patches {
        c.asm.patch_u32(patch, frame_bytes as u32);
    }
    Ok(osr_entries)
}

impl Compiler<'_> {
    /// The epoch check of a loop header, with epoch interruption (`ModuleInfo::epoch_checks`):
    /// a passed deadline sets the stack limit to `usize::MAX` (`runtime::epoch`), which `rsp`
    /// can only be below then (the prologue checked it against the real limit). Function
    /// entries need nothing more: their prologue makes the same check, and the entry reports
    /// its failure as "interrupt" when the deadline caused it.
    pub(super) fn epoch_check(&mut self) {
        if !self.module.epoch_checks {
            return;
        }
        let trap = self.trap_label(TrapCode::Interrupt);
        self.asm.alu_rm(
            Alu::Cmp,
            Width::W64,
            Gpr::Rsp,
            Mem::base_disp(EXEC, ex::STACK_LIMIT),
        );
        self.asm.jcc(Cond::B, trap);
    }
}

/// The charge at the start of a fuel block (ARCHITECTURE.md "Fuel"): `sub qword [r12 +
/// FUEL], cost; js out_of_fuel` on the ExecContext's copy of the store's fuel. No flags live
/// across operators.
fn charge_fuel(c: &mut Compiler<'_>, cost: u32) {
    let out_of_fuel = c.trap_label(TrapCode::OutOfFuel);
    // Costs stay far below 2^31 (a body is at most 7.6 MB).
    let cost = i32::try_from(cost).unwrap_or(i32::MAX);
    c.asm
        .alu_mi(Alu::Sub, Width::W64, Mem::base_disp(EXEC, ex::FUEL), cost);
    c.asm.jcc(Cond::S, out_of_fuel);
}

/// `push rbp; mov rbp, rsp` and the checks of both stacks (native, then the value stack
/// against the frame size, patched at the returned position once known), then the frame takes
/// one unit of the call-depth budget (`sub` borrows when none is left: ARCHITECTURE.md
/// "Stack limits"; the entry restores the budget after a trap).
pub(super) fn frame_setup(asm: &mut Assembler, stack_trap: Label) -> usize {
    asm.push(Gpr::Rbp);
    asm.mov_rr(Size::S64, Gpr::Rbp, Gpr::Rsp);
    asm.alu_rm(
        Alu::Cmp,
        Width::W64,
        Gpr::Rsp,
        Mem::base_disp(EXEC, ex::STACK_LIMIT),
    );
    asm.jcc(Cond::B, stack_trap);
    asm.mov_rr(Size::S64, Gpr::Rax, FP);
    let frame_patch = asm.alu_ri32(Alu::Add, Width::W64, Gpr::Rax, 0);
    asm.alu_rm(
        Alu::Cmp,
        Width::W64,
        Gpr::Rax,
        Mem::base_disp(EXEC, ex::VALUE_STACK_END),
    );
    asm.jcc(Cond::A, stack_trap);
    asm.alu_mi(
        Alu::Sub,
        Width::W64,
        Mem::base_disp(EXEC, ex::DEPTH_LEFT),
        1,
    );
    asm.jcc(Cond::B, stack_trap);
    frame_patch
}
