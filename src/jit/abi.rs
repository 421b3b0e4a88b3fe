//! What every compiler of compiled code keeps alike (tier 1 in `jit/baseline`, tier 2 in
//! `jit/opt`): the pinned registers, frame slots, the prologue's stack checks, calls through
//! function records (`CALL_SLOW` when a record has no code) and the out-of-line trap sites.
//! These are the contracts of ARCHITECTURE.md at the edges of a compiled function; writing
//! them once keeps the two tiers from drifting apart.

use crate::jit::exec_context::{exec_offsets as ex, jit_helper};
use crate::jit::masm::{Alu, Cond, Gpr, Label, Masm, Mem, Size, Width};
use crate::runtime::TrapCode;
use crate::runtime::memory::GUARD_BYTES;
use crate::runtime::vmctx::offsets as vo;

/// The current instance's `VmCtx`.
pub const VMCTX: Gpr = Gpr::R15;
/// `fp`: the current frame on the value stack (slot `i` at `[r14 + 8*i]`).
pub const FP: Gpr = Gpr::R14;
/// The linear memory's base.
pub const MEMBASE: Gpr = Gpr::R13;
/// The thread's `ExecContext`.
pub const EXEC: Gpr = Gpr::R12;

/// Largest static offset the guard region covers without an explicit check: index (< 4 GiB)
/// + offset + access size stays inside the 4 GiB + guard reservation.
pub const MAX_UNCHECKED_OFFSET: u64 = {
    let limit = if GUARD_BYTES > (1 << 31) {
        1 << 31
    } else {
        GUARD_BYTES
    };
    (limit - 16) as u64
};

/// Frame slot `fp[slot]`.
pub fn slot_mem(slot: u32) -> Mem {
    Mem::base_disp(FP, (slot as i32) * 8)
}

/// `push rbp; mov rbp, rsp` and the checks of both stacks (native, then the value stack
/// against the frame size, patched at the returned position once known), then the frame takes
/// one unit of the call-depth budget (`sub` borrows when none is left: ARCHITECTURE.md
/// "Stack limits"; the entry restores the budget after a trap).
pub fn frame_setup(masm: &mut Masm, stack_trap: Label) -> usize {
    masm.push(Gpr::Rbp);
    masm.mov(Size::S64, Gpr::Rbp, Gpr::Rsp);
    masm.cmp(Width::W64, Gpr::Rsp, Mem::base_disp(EXEC, ex::STACK_LIMIT));
    masm.branch(Cond::B, stack_trap);
    masm.mov(Size::S64, Gpr::Rax, FP);
    let frame_patch = masm.add_imm32(Width::W64, Gpr::Rax, 0);
    masm.cmp(
        Width::W64,
        Gpr::Rax,
        Mem::base_disp(EXEC, ex::VALUE_STACK_END),
    );
    masm.branch(Cond::A, stack_trap);
    masm.alu_mem_imm(
        Alu::Sub,
        Width::W64,
        Mem::base_disp(EXEC, ex::DEPTH_LEFT),
        1,
    );
    masm.branch(Cond::B, stack_trap);
    frame_patch
}

/// Gives the frame's unit of the call-depth budget back (the prologue took it).
pub fn return_depth_unit(masm: &mut Masm) {
    masm.alu_mem_imm(
        Alu::Add,
        Width::W64,
        Mem::base_disp(EXEC, ex::DEPTH_LEFT),
        1,
    );
}

/// The frame size in bytes every tier checks the value stack for (the interpreter's
/// formula, `interp::translate`), or `None` past the limit the prologue's immediate takes.
pub fn frame_bytes(num_locals: u32, max_height: u32, params: u32, results: u32) -> Option<u32> {
    let slots = (u64::from(num_locals) + u64::from(max_height) + 1)
        .max(u64::from(results))
        .max(u64::from(params) + 1);
    let bytes = slots * 8;
    (bytes <= i32::MAX as u64 / 2).then_some(bytes as u32)
}

/// One out-of-line trap site: `mov dword [r12 + TRAP_CODE], code` (from `eax` when `code`
/// is `None`: a helper returned it) and `call [r12 + TRAP_STUB]`, whose return address the
/// caller maps to the wasm offset (bind the site's label first).
pub fn emit_trap_site(masm: &mut Masm, code: Option<TrapCode>) {
    match code {
        Some(code) => masm.store_imm(
            Size::S32,
            Mem::base_disp(EXEC, ex::TRAP_CODE),
            code as u32 as i32,
        ),
        None => masm.store(Size::S32, Mem::base_disp(EXEC, ex::TRAP_CODE), Gpr::Rax),
    }
    masm.call_mem(Mem::base_disp(EXEC, ex::TRAP_STUB));
}

/// Loads function `func_index`'s record into `rsi` (from the instance's function table).
pub fn load_func_record(masm: &mut Masm, func_index: u32) {
    masm.load_bits(
        Size::S64,
        Gpr::Rsi,
        Mem::base_disp(VMCTX, vo::VMCTX_FUNCS as i32),
    );
    masm.load_bits(
        Size::S64,
        Gpr::Rsi,
        Mem::base_disp(Gpr::Rsi, func_index as i32 * 8),
    );
}

/// Calls the record in `rsi` with its frame at `fp + frame_offset` (ARCHITECTURE.md "Calls
/// across tiers"): its code if it has some (for a record of another instance, with its
/// `VmCtx` and memory base: `same_instance` says the record is known to be this
/// instance's), else the `CALL_SLOW` helper, whose non-zero trap code jumps to `slow_trap`
/// (a site taking its code from `eax`). Clobbers every register but the pinned ones.
pub fn call_record(masm: &mut Masm, frame_offset: i32, same_instance: bool, slow_trap: Label) {
    let slow = masm.new_label();
    let done = masm.new_label();
    masm.lea(Width::W64, FP, Mem::base_disp(FP, frame_offset));
    masm.load_bits(
        Size::S64,
        Gpr::Rax,
        Mem::base_disp(Gpr::Rsi, vo::FUNC_RECORD_CODE as i32),
    );
    masm.test_branch(Width::W64, Gpr::Rax, Cond::E, slow);
    if same_instance {
        masm.call_reg(Gpr::Rax);
    } else {
        masm.push(VMCTX);
        masm.push(MEMBASE);
        masm.load_bits(
            Size::S64,
            VMCTX,
            Mem::base_disp(Gpr::Rsi, vo::FUNC_RECORD_VMCTX as i32),
        );
        masm.load_bits(
            Size::S64,
            MEMBASE,
            Mem::base_disp(VMCTX, vo::VMCTX_MEMORY_BASE as i32),
        );
        masm.call_reg(Gpr::Rax);
        masm.pop(MEMBASE);
        masm.pop(VMCTX);
    }
    masm.jmp(done);
    masm.bind(slow);
    masm.mov(Size::S64, Gpr::Rdi, VMCTX);
    masm.mov(Size::S64, Gpr::Rdx, FP);
    masm.call_mem(Mem::base_disp(
        EXEC,
        ex::HELPERS + (jit_helper::CALL_SLOW * 8) as i32,
    ));
    masm.test_branch(Width::W32, Gpr::Rax, Cond::Ne, slow_trap);
    masm.bind(done);
    masm.lea(Width::W64, FP, Mem::base_disp(FP, -frame_offset));
}

/// A direct call of a function compiled into the same buffer, its frame at `fp +
/// frame_offset`.
pub fn call_direct(masm: &mut Masm, frame_offset: i32, label: Label) {
    masm.lea(Width::W64, FP, Mem::base_disp(FP, frame_offset));
    masm.call(label);
    masm.lea(Width::W64, FP, Mem::base_disp(FP, -frame_offset));
}

/// The checks of `call_indirect` on the table index in `rcx`: in bounds of table `table`,
/// initialized, of type `type_index`; leaves the record in `rsi` (uses `rax`).
pub fn indirect_callee(
    masm: &mut Masm,
    table: u32,
    type_index: u32,
    trap: &mut dyn FnMut(&mut Masm, TrapCode) -> Label,
) {
    masm.load_bits(
        Size::S64,
        Gpr::Rax,
        Mem::base_disp(VMCTX, vo::VMCTX_TABLES as i32),
    );
    masm.load_bits(
        Size::S64,
        Gpr::Rax,
        Mem::base_disp(Gpr::Rax, table as i32 * 8),
    );
    let undefined = trap(masm, TrapCode::UndefinedElement);
    masm.cmp(
        Width::W32,
        Gpr::Rcx,
        Mem::base_disp(Gpr::Rax, vo::TABLE_DEF_LEN as i32),
    );
    masm.branch(Cond::Ae, undefined);
    masm.load_bits(
        Size::S64,
        Gpr::Rax,
        Mem::base_disp(Gpr::Rax, vo::TABLE_DEF_BASE as i32),
    );
    masm.load_bits(
        Size::S64,
        Gpr::Rsi,
        Mem::indexed(Gpr::Rax, Gpr::Rcx, crate::jit::masm::Scale::S8, 0),
    );
    let uninitialized = trap(masm, TrapCode::UninitializedElement);
    masm.test_branch(Width::W64, Gpr::Rsi, Cond::E, uninitialized);
    masm.load_bits(
        Size::S64,
        Gpr::Rax,
        Mem::base_disp(VMCTX, vo::VMCTX_TYPE_IDS as i32),
    );
    masm.load_bits(
        Size::S32,
        Gpr::Rax,
        Mem::base_disp(Gpr::Rax, type_index as i32 * 4),
    );
    let mismatch = trap(masm, TrapCode::IndirectCallTypeMismatch);
    masm.cmp(
        Width::W32,
        Gpr::Rax,
        Mem::base_disp(Gpr::Rsi, vo::FUNC_RECORD_TYPE_ID as i32),
    );
    masm.branch(Cond::Ne, mismatch);
}
