//! The per-thread execution record compiled code keeps in `r12` ([`ExecContext`]), the
//! offsets compiled code uses into it, the indices of the JIT's helpers, and the two facts the
//! signal handler reads about running code (which record is active on this thread, where the
//! signal trap stub is). A leaf: `entry` (which fills the record and runs code) and `trap`
//! (the signal handler) both read it, and neither imports the other's internals through it.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Indices of the JIT's helpers in [`ExecContext::helpers`].
pub mod jit_helper {
    /// `(caller_vmctx, record, args) -> trap code`: host functions and anything without code.
    pub const CALL_SLOW: usize = 0;
    /// `(kind, bits, out) -> trap code`: float -> int (trapping and saturating) and
    /// u64 -> float conversions (see `super::convert`).
    pub const CONVERT: usize = 1;
    /// `(kind, a, b) -> bits`: float min/max, rounding without SSE4.1, popcnt without POPCNT.
    pub const FLOAT_OP: usize = 2;
    /// `(exec, pc, fp)`: records the backtrace of a trap while its frames are still alive
    /// (called by the trap stubs on the wasm stack, before it is unwound).
    pub const COLLECT_BACKTRACE: usize = 3;
    /// Jumped to (not called) by a compiled function that tail-calls a function without code
    /// or of another instance, after its epilogue, with `rdi` = its vmctx, `rsi` = the record
    /// and its frame (the callee's arguments at `fp[0..]`) in `r14`: runs the callee and
    /// returns to the replaced function's caller, or jumps to compiled code the callee
    /// tail-calls in turn (`entry`'s tail thunk; ARCHITECTURE.md "Calls across tiers").
    pub const TAIL_CALL_SLOW: usize = 4;
    /// `(operand slots, code, a, b)`: a SIMD operator tier 1 does not lower inline, run by
    /// `runtime::simd` (see `super::simd`).
    pub const SIMD_OP: usize = 5;
    pub const COUNT: usize = 6;
}

/// Indices of the exception-handling helpers in [`ExecContext::exception_helpers`]
/// (ARCHITECTURE.md "Exceptions"; a second table after every other field, so that adding it
/// moved no offset the rest of compiled code uses).
pub mod exception_helper {
    /// `(vmctx, tag, payload) -> EXCEPTION_IN_FLIGHT`: `throw` of tag index `tag`, its
    /// payload at `payload`.
    pub const THROW: usize = 0;
    /// `(vmctx, exnref) -> EXCEPTION_IN_FLIGHT | trap code`: `throw_ref` (null: a trap).
    pub const THROW_REF: usize = 1;
    /// `(vmctx, record, args) -> 0 | EXCEPTION_IN_FLIGHT | trap code`: a call inside a
    /// `try_table` body, of anything (compiled code through a nested entry): an exception
    /// the callee does not catch comes back to the caller as a status instead of unwinding
    /// it (the thunk records the calling frame like `CALL_SLOW`'s).
    pub const CALL_CATCHING: usize = 2;
    /// `(vmctx, tag, dst, by_ref) -> 1 | 0`: whether one catch clause (tag index `tag`,
    /// [`CATCH_ALL`] for `catch_all`) catches the exception in flight; if so its values are
    /// written from `dst` on and the exception is no longer in flight.
    pub const CATCH: usize = 3;
    /// `() -> trap code`: no handler of the compiled frame caught the exception in flight:
    /// it continues as a trap (parked for the entry), which the caller's trap site raises.
    pub const RAISE: usize = 4;
    pub const COUNT: usize = 5;

    /// The status of `THROW`, `THROW_REF` and `CALL_CATCHING` when an exception is in flight
    /// (no trap code is this).
    pub const EXCEPTION_IN_FLIGHT: u32 = u32::MAX - 1;
    /// `CATCH`'s tag for `catch_all`/`catch_all_ref`.
    pub const CATCH_ALL: u32 = u32::MAX;
}

/// The per-thread execution record; compiled code keeps its address in `r12`.
#[repr(C)]
pub struct ExecContext {
    /// Compiled code traps with "call stack exhausted" when `rsp` goes below this. An epoch
    /// deadline sets it to `usize::MAX` from another thread (`runtime::epoch`), hence atomic
    /// (compiled code reads it as a plain word).
    pub stack_limit: AtomicUsize,
    /// One past the last slot of the value stack.
    pub value_stack_end: usize,
    /// `rsp` of the entry trampoline, restored by the trap stubs.
    pub saved_rsp: usize,
    /// Address of the trap stub compiled code calls (`call [r12 + TRAP_STUB]`).
    pub trap_stub: usize,
    /// The pending trap's `TrapCode as u32`.
    pub trap_code: u32,
    pub _pad: u32,
    /// Return address (or faulting pc + 1) of the trap site, for the backtrace.
    pub trap_pc: usize,
    /// `rbp` of the trapping compiled frame, for the backtrace.
    pub trap_fp: usize,
    pub helpers: [usize; jit_helper::COUNT],
    /// Wasm frames this thread may still enter (the call-depth budget, ARCHITECTURE.md
    /// "Stack limits"): each compiled prologue takes one (trapping with "call stack
    /// exhausted" when none is left), each return gives it back; [`super::entry::enter`]
    /// sets it from its caller's budget and restores it afterwards, traps included.
    pub depth_left: u64,
    /// Set with `stack_limit = usize::MAX` when an epoch deadline passes: the failing stack
    /// check is an interrupt, not an overflow.
    pub interrupted: AtomicBool,
    /// `rbp` and return address of the compiled frame that last called out of compiled code:
    /// stored by the `CALL_SLOW` entry thunk at every such call (where the tier manager's walk
    /// of suspended compiled frames starts) and, while a guest profile runs, by the call-out
    /// stubs around every other helper, which clear `exit_fp` again on return (see
    /// `entry::track_call_outs`): the profiler walks the compiled frames below a sample taken
    /// in Rust from here.
    pub exit_fp: usize,
    pub exit_pc: usize,
    /// The innermost compiled frame suspended in `CALL_SLOW` on this thread (a list through
    /// the helper's native frames; null when none).
    pub suspended: *const SuspendedFrame,
    /// The store's fuel while compiled code runs on this thread (ARCHITECTURE.md "Fuel"):
    /// compiled code charges it with one `sub qword [r12 + FUEL], cost`. The store's counter
    /// (`VmCtx::fuel`) is the truth everywhere else: `entry::enter` loads it from there and
    /// writes it back, and `call_slow` writes it back before and reloads it after a host call
    /// or an interpreted callee.
    pub fuel: i64,
    /// The helpers of [`exception_helper`], called like `helpers`.
    pub exception_helpers: [usize; exception_helper::COUNT],
}

/// A compiled frame that called `CALL_SLOW` and waits for it, linked to the next outer one.
pub struct SuspendedFrame {
    /// Return address into the compiled caller and its `rbp`.
    pub pc: usize,
    pub fp: usize,
    pub outer: *const SuspendedFrame,
}

pub mod exec_offsets {
    use super::ExecContext;
    use core::mem::offset_of;
    pub const STACK_LIMIT: i32 = offset_of!(ExecContext, stack_limit) as i32;
    pub const VALUE_STACK_END: i32 = offset_of!(ExecContext, value_stack_end) as i32;
    pub const SAVED_RSP: i32 = offset_of!(ExecContext, saved_rsp) as i32;
    pub const TRAP_STUB: i32 = offset_of!(ExecContext, trap_stub) as i32;
    pub const TRAP_CODE: i32 = offset_of!(ExecContext, trap_code) as i32;
    pub const TRAP_PC: i32 = offset_of!(ExecContext, trap_pc) as i32;
    pub const TRAP_FP: i32 = offset_of!(ExecContext, trap_fp) as i32;
    pub const HELPERS: i32 = offset_of!(ExecContext, helpers) as i32;
    pub const EXIT_FP: i32 = offset_of!(ExecContext, exit_fp) as i32;
    pub const EXIT_PC: i32 = offset_of!(ExecContext, exit_pc) as i32;
    pub const DEPTH_LEFT: i32 = offset_of!(ExecContext, depth_left) as i32;
    pub const FUEL: i32 = offset_of!(ExecContext, fuel) as i32;
    pub const EXCEPTION_HELPERS: i32 = offset_of!(ExecContext, exception_helpers) as i32;
}

thread_local! {
    /// The record of the compiled code running on this thread (null when none): the signal
    /// handler only redirects faults while this is set.
    pub(crate) static ACTIVE: Cell<*mut ExecContext> = const { Cell::new(std::ptr::null_mut()) };
}

/// Address of the trampoline's signal trap stub (0 until the trampoline is built).
static SIGNAL_STUB: AtomicUsize = AtomicUsize::new(0);

/// Called once by `entry` when it has built the trampoline, before any compiled code runs.
pub(crate) fn publish_signal_stub(address: usize) {
    SIGNAL_STUB.store(address, Ordering::Release);
}

/// Address of the stub the signal handler redirects to, if the trampoline exists (an atomic
/// load: safe in a signal handler).
pub(crate) fn signal_stub() -> Option<usize> {
    match SIGNAL_STUB.load(Ordering::Acquire) {
        0 => None,
        address => Some(address),
    }
}
