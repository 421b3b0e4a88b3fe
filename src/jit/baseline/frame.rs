//! One function: prologue (stack checks, zeroed locals, homes loaded), the operator loop,
//! epilogue, the OSR entry stubs and the out-of-line trap sites.

use crate::jit::CompileError;
use wasmparser::Operator;

use crate::jit::exec_context::exec_offsets as ex;
use crate::jit::masm::{Alu, Cond, Gpr, Label, Masm, Mem, Operand, Size, Width};
use crate::module::fuel::FuelPlan;
use crate::module::{FrameLayout, ModuleInfo, ValType, slot_shape};
use crate::runtime::TrapCode;

use super::abi::*;
use super::compiler::*;
use super::cpu::CpuFeatures;
use super::locals::*;
use crate::jit::abi::{emit_trap_site, frame_bytes, frame_setup, return_depth_unit};

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
    masm: &mut Masm,
    module: &ModuleInfo,
    func_index: u32,
    func_labels: &[Option<Label>],
    settings: Settings,
    pc_map: &mut Vec<(u32, u32)>,
    data: &mut Vec<(u32, u32)>,
) -> Result<Vec<OsrEntry>> {
    let Settings { cpu, consume_fuel } = settings;
    let (ty, body, mut ops) = module.function_body(func_index)?;
    // Locals and operands take the slots `FrameLayout` gives them (a v128 two), as on
    // every tier.
    let layout = FrameLayout::new(ty, &body.locals, 1 << 24).ok_or(CompileError::Limit {
        function: func_index,
        what: "too many locals",
    })?;
    let num_params = u64::from(layout.param_slots());
    let nl = u64::from(layout.local_slots());
    let declared = nl - num_params;
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
    let mut homes = choose_homes(&body_ops, local_type);
    // Homes are named by their local's slot from here on.
    for (x, _) in homes.0.iter_mut() {
        *x = layout.local(*x).map_or(*x, |(slot, _)| slot);
    }
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
    let ret_label = masm.new_label();
    let func_end = masm.new_label();
    let mut c = Compiler {
        masm,
        module,
        func_labels,
        cpu,
        pc_map,
        nl: nl as u32,
        layout,
        num_results: ty.result_slots(),
        stack: Vec::new(),
        high: Vec::new(),
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
        data,
        try_scopes: Vec::new(),
    };
    c.ctrl.push(Ctrl {
        kind: Kind::Func,
        height: 0,
        params: 0,
        results: ty.result_slots(),
        param_shape: Vec::new(),
        result_shape: slot_shape(ty.results.iter().copied()),
        label: func_end,
        else_label: None,
        merge: Vec::new(),
        branched: false,
    });
    // Prologue.
    let stack_trap = c.trap_label(TrapCode::CallStackExhausted);
    let mut frame_patches = vec![frame_setup(c.masm, stack_trap)];
    let count = declared as u32;
    let first = num_params as u32;
    if count <= 16 {
        for i in 0..count {
            c.masm.store_imm(Size::S64, slot_mem(first + i), 0);
        }
    } else {
        c.masm.zero(Gpr::Rax);
        c.masm.lea(Width::W64, Gpr::Rcx, slot_mem(first));
        c.masm.mov_imm(Width::W32, Gpr::Rdx, count as i64);
        let top = c.masm.new_label();
        c.masm.bind(top);
        c.masm.store(Size::S64, Mem::base(Gpr::Rcx), Gpr::Rax);
        c.masm.add(Width::W64, Gpr::Rcx, Operand::Imm(8));
        c.masm.dec(Width::W32, Gpr::Rdx);
        c.masm.branch(Cond::Ne, top);
    }
    // Locals in registers: parameters come from their slots, declared locals start at zero.
    for (x, home) in c.homes.clone() {
        if x < first {
            c.load_home(x, home);
        } else {
            match home {
                Opd::Reg(r) => c.masm.zero(r),
                Opd::Xmm(r, _) => c.masm.fzero(r),
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
                c.home(c.local_slot(*local_index).0)
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
    c.masm.bind(ret_label);
    return_depth_unit(c.masm);
    c.masm.pop(Gpr::Rbp);
    c.masm.ret();
    // OSR entries: the prologue without the zeroing of locals, then a jump to the header.
    let mut osr_entries = Vec::with_capacity(c.loop_headers.len());
    for (wasm_offset, header) in std::mem::take(&mut c.loop_headers) {
        c.masm.align(16);
        osr_entries.push(OsrEntry {
            wasm_offset,
            code_offset: c.masm.offset() as u32,
        });
        frame_patches.push(frame_setup(c.masm, stack_trap));
        // The interpreter left every local in its slot: load the ones the code keeps in
        // registers.
        c.load_homes();
        c.masm.jmp(header);
    }
    // Out-of-line trap sites.
    let traps = std::mem::take(&mut c.traps);
    for site in traps {
        let at = c.masm.offset() as u32;
        c.pc_map.push((at, site.wasm_offset));
        c.masm.bind(site.label);
        emit_trap_site(c.masm, site.code);
    }
    // The constant pool, after the trap sites.
    if let Some(range) = c.masm.emit_constant_pool() {
        c.data.push(range);
    }
    // The interpreter's formula (`interp::translate`): both tiers check the value stack for
    // the same frame size, so it runs out at the same depth on every tier.
    let frame_bytes = frame_bytes(c.nl, c.max_height, num_params as u32, c.num_results).ok_or(
        CompileError::Limit {
            function: func_index,
            what: "frame too large",
        },
    )?;
    for patch in frame_patches {
        c.masm.patch_u32(patch, frame_bytes);
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
        self.masm
            .cmp(Width::W64, Gpr::Rsp, Mem::base_disp(EXEC, ex::STACK_LIMIT));
        self.masm.branch(Cond::B, trap);
    }
}

/// The charge at the start of a fuel block (ARCHITECTURE.md "Fuel"): `sub qword [r12 +
/// FUEL], cost; js out_of_fuel` on the ExecContext's copy of the store's fuel. No flags live
/// across operators.
fn charge_fuel(c: &mut Compiler<'_>, cost: u32) {
    let out_of_fuel = c.trap_label(TrapCode::OutOfFuel);
    // Costs stay far below 2^31 (a body is at most 7.6 MB).
    let cost = i32::try_from(cost).unwrap_or(i32::MAX);
    c.masm
        .alu_mem_imm(Alu::Sub, Width::W64, Mem::base_disp(EXEC, ex::FUEL), cost);
    c.masm.branch(Cond::S, out_of_fuel);
}
