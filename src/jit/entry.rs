//! Rust -> compiled code: the per-thread execution record, the entry trampoline ([`enter`]),
//! the trap stubs and the JIT's own helpers (see the `jit` module docs for the register conventions).

use std::cell::{Cell, RefCell};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::code_memory::CodeMemory;
use super::exec_context::ACTIVE;
pub use super::exec_context::{
    ExecContext, SuspendedFrame, exception_helper, exec_offsets, jit_helper,
};
use super::trap::CallOutState;
use super::x64::{Alu, Assembler, Cond, Gpr, Mem, Size, Width};
use crate::runtime::libcalls::{self, helper_index};
use crate::runtime::vmctx::offsets;
use crate::runtime::{Caller, FrameInfo, FuncRecord, Trap, TrapCode, VmCtx};

/// Native stack kept free below the limit for Rust helpers and host functions called from
/// compiled code (the signal handler runs on its own stack).
const NATIVE_STACK_RESERVE: usize = 256 * 1024;

/// The trampoline code (shared by all threads).
pub(crate) struct Trampoline {
    code: CodeMemory,
    trap_stub: usize,
    /// The JIT helpers in [`jit_helper`] order, as compiled code calls them: `CALL_SLOW` is
    /// its entry thunk (it records the caller's frame, then jumps to [`call_slow`]).
    jit_helpers: [usize; jit_helper::COUNT],
    /// The same, with `CONVERT`, `FLOAT_OP` and `SIMD_OP` routed through call-out stubs
    /// ([`track_call_outs`]); `CALL_SLOW`'s thunk records the call-out itself, and
    /// `COLLECT_BACKTRACE` (called by the trap stubs, not by compiled code) stays direct.
    routed_jit_helpers: [usize; jit_helper::COUNT],
    /// The helpers in [`exception_helper`] order (`CALL_CATCHING` is its thunk, like
    /// `CALL_SLOW`), and the same routed through call-out stubs but for that thunk.
    exception_helpers: [usize; exception_helper::COUNT],
    routed_exception_helpers: [usize; exception_helper::COUNT],
    /// The runtime helpers (`VmCtx::helpers`), each routed through a call-out stub.
    routed_runtime_helpers: [usize; helper_index::COUNT],
}

/// Whether compiled code's helper and host calls go through the call-out stubs (set once, by
/// the guest profiler, before any module is instantiated).
static TRACK_CALL_OUTS: AtomicBool = AtomicBool::new(false);

/// Routes every helper call of compiled code through a call-out stub that records the return
/// address and the compiled caller's `rbp` in `ExecContext::exit_pc/exit_fp` for the duration
/// of the call (`CALL_SLOW`, which also runs host functions and interpreted callees, records
/// them in its thunk anyway), so a profiler sample taken in Rust code can still walk the
/// compiled frames below it. Costs a few instructions per helper call; off unless a guest
/// profile runs. Affects instances created afterwards (their runtime helper tables) and every
/// later entry.
pub fn track_call_outs() -> Result<(), Trap> {
    let tramp = trampoline()?;
    libcalls::route_helpers_through(tramp.routed_runtime_helpers);
    TRACK_CALL_OUTS.store(true, Ordering::Relaxed);
    Ok(())
}

/// Emits a call-out stub for helper `target`: compiled code calls it exactly as it would call
/// the helper (System V, at most six integer arguments in registers, none on the stack,
/// `r12` = this thread's ExecContext), so it may not touch argument registers:
/// `push rbp` (the compiled caller's, which also aligns the stack); record the return address
/// and `rbp`; call the helper; clear `exit_fp`; `pop rbp; ret`.
fn emit_call_out_stub(asm: &mut Assembler, target: usize) {
    use exec_offsets::{EXIT_FP, EXIT_PC};
    asm.push(Gpr::Rbp);
    asm.mov_rm(Size::S64, Gpr::Rax, Mem::base_disp(Gpr::Rsp, 8));
    asm.mov_mr(Size::S64, Mem::base_disp(Gpr::R12, EXIT_PC), Gpr::Rax);
    asm.mov_mr(Size::S64, Mem::base_disp(Gpr::R12, EXIT_FP), Gpr::Rbp);
    asm.mov_ri(Width::W64, Gpr::Rax, target as i64);
    asm.call_r(Gpr::Rax);
    asm.mov_mi(Size::S64, Mem::base_disp(Gpr::R12, EXIT_FP), 0);
    asm.pop(Gpr::Rbp);
    asm.ret();
}

type EntryFn = unsafe extern "sysv64" fn(*mut ExecContext, *mut VmCtx, *mut u64, *const u8) -> u32;

fn build_trampoline() -> Result<Trampoline, String> {
    use exec_offsets::*;
    let mut asm = Assembler::new();
    let restore = asm.new_label();
    let trap_stub = asm.new_label();
    let signal_stub = asm.new_label();
    // entry(exec = rdi, vmctx = rsi, fp = rdx, code = rcx) -> trap code in eax (0 = ok).
    asm.push(Gpr::Rbp);
    asm.mov_rr(Size::S64, Gpr::Rbp, Gpr::Rsp);
    for reg in [Gpr::Rbx, Gpr::R12, Gpr::R13, Gpr::R14, Gpr::R15] {
        asm.push(reg);
    }
    asm.alu_ri(Alu::Sub, Width::W64, Gpr::Rsp, 8);
    asm.mov_rr(Size::S64, Gpr::R12, Gpr::Rdi);
    asm.mov_rr(Size::S64, Gpr::R15, Gpr::Rsi);
    asm.mov_rr(Size::S64, Gpr::R14, Gpr::Rdx);
    asm.mov_rm(
        Size::S64,
        Gpr::R13,
        Mem::base_disp(Gpr::R15, offsets::VMCTX_MEMORY_BASE as i32),
    );
    asm.mov_mr(Size::S64, Mem::base_disp(Gpr::R12, SAVED_RSP), Gpr::Rsp);
    asm.call_r(Gpr::Rcx);
    asm.zero(Gpr::Rax);
    asm.bind(restore);
    asm.alu_ri(Alu::Add, Width::W64, Gpr::Rsp, 8);
    for reg in [Gpr::R15, Gpr::R14, Gpr::R13, Gpr::R12, Gpr::Rbx] {
        asm.pop(reg);
    }
    asm.pop(Gpr::Rbp);
    asm.ret();
    // Reached by `call [r12 + TRAP_STUB]` with the code already in TRAP_CODE.
    let collect = asm.new_label();
    asm.bind(trap_stub);
    asm.mov_rm(Size::S64, Gpr::Rsi, Mem::base(Gpr::Rsp));
    asm.mov_rr(Size::S64, Gpr::Rdx, Gpr::Rbp);
    asm.jmp(collect);
    // Reached by the signal handler's redirect, with code, pc and fp in the record.
    asm.bind(signal_stub);
    asm.mov_rm(Size::S64, Gpr::Rsi, Mem::base_disp(Gpr::R12, TRAP_PC));
    asm.mov_rm(Size::S64, Gpr::Rdx, Mem::base_disp(Gpr::R12, TRAP_FP));
    asm.bind(collect);
    asm.mov_rr(Size::S64, Gpr::Rdi, Gpr::R12);
    asm.alu_ri(Alu::And, Width::W64, Gpr::Rsp, -16);
    asm.call_m(Mem::base_disp(
        Gpr::R12,
        HELPERS + (jit_helper::COLLECT_BACKTRACE * 8) as i32,
    ));
    asm.mov_rm(Size::S64, Gpr::Rsp, Mem::base_disp(Gpr::R12, SAVED_RSP));
    asm.mov_rm(Size::S32, Gpr::Rax, Mem::base_disp(Gpr::R12, TRAP_CODE));
    asm.jmp(restore);
    // CALL_SLOW's entry: the caller's rbp and return address into the record, then the Rust
    // helper with the record as a fourth argument (rax and rcx are scratch at a call).
    // CALL_CATCHING's entry is the same with its own Rust half.
    let mut slow_thunk = |target: usize| {
        let offset = asm.offset();
        asm.mov_mr(Size::S64, Mem::base_disp(Gpr::R12, EXIT_FP), Gpr::Rbp);
        asm.mov_rm(Size::S64, Gpr::Rax, Mem::base(Gpr::Rsp));
        asm.mov_mr(Size::S64, Mem::base_disp(Gpr::R12, EXIT_PC), Gpr::Rax);
        asm.mov_rr(Size::S64, Gpr::Rcx, Gpr::R12);
        asm.mov_ri(Width::W64, Gpr::Rax, target as i64);
        asm.jmp_r(Gpr::Rax);
        offset
    };
    let thunk_off = slow_thunk(call_slow as *const () as usize);
    let catching_thunk_off = slow_thunk(call_catching as *const () as usize);
    // TAIL_CALL_SLOW's entry, jumped to by a compiled function after its epilogue: `[rsp]` is
    // the return address into the replaced function's caller and `rbp` that caller's, so
    // the call-out recorded is the caller's. `tail_call_slow` returns its status in `rax`
    // and a compiled entry to continue in `rdx`: 0 returns to the caller (the results are in
    // the frame), `TAIL_JUMP` jumps to the entry (a tail call: same stack, same `r14`), any
    // other status is a trap code, raised for the caller's frame like a trap stub would.
    let tail_thunk = asm.new_label();
    let tail_returned = asm.new_label();
    let tail_trapped = asm.new_label();
    asm.bind(tail_thunk);
    asm.mov_mr(Size::S64, Mem::base_disp(Gpr::R12, EXIT_FP), Gpr::Rbp);
    asm.mov_rm(Size::S64, Gpr::Rax, Mem::base(Gpr::Rsp));
    asm.mov_mr(Size::S64, Mem::base_disp(Gpr::R12, EXIT_PC), Gpr::Rax);
    // Aligns the stack for the call (it was 8 off, as at a function's first instruction).
    asm.push(Gpr::Rbp);
    asm.mov_rr(Size::S64, Gpr::Rdx, Gpr::R14);
    asm.mov_rr(Size::S64, Gpr::Rcx, Gpr::R12);
    asm.mov_ri(
        Width::W64,
        Gpr::Rax,
        tail_call_slow as *const () as usize as i64,
    );
    asm.call_r(Gpr::Rax);
    asm.pop(Gpr::Rbp);
    asm.test_rr(Width::W32, Gpr::Rax, Gpr::Rax);
    asm.jcc(Cond::E, tail_returned);
    asm.alu_ri(Alu::Cmp, Width::W32, Gpr::Rax, TAIL_JUMP as i32);
    asm.jcc(Cond::Ne, tail_trapped);
    asm.jmp_r(Gpr::Rdx);
    asm.bind(tail_returned);
    asm.ret();
    asm.bind(tail_trapped);
    asm.mov_mr(Size::S32, Mem::base_disp(Gpr::R12, TRAP_CODE), Gpr::Rax);
    asm.mov_rm(Size::S64, Gpr::Rsi, Mem::base(Gpr::Rsp));
    asm.mov_rr(Size::S64, Gpr::Rdx, Gpr::Rbp);
    asm.jmp(collect);
    let tail_thunk_off = asm.label_offset(tail_thunk).unwrap_or(0);
    // The call-out stubs of the other helpers (offsets now, addresses once the code is placed).
    let stubbed_jit_helpers = [
        (
            jit_helper::CONVERT,
            super::convert::convert as *const () as usize,
        ),
        (
            jit_helper::FLOAT_OP,
            super::convert::float_op as *const () as usize,
        ),
        (
            jit_helper::SIMD_OP,
            super::simd::simd_op as *const () as usize,
        ),
    ];
    let mut jit_stub_offsets = [None; jit_helper::COUNT];
    for (index, target) in stubbed_jit_helpers {
        jit_stub_offsets[index] = Some(asm.offset());
        emit_call_out_stub(&mut asm, target);
    }
    let mut exception_helpers = [0; exception_helper::COUNT];
    exception_helpers[exception_helper::THROW] = throw as *const () as usize;
    exception_helpers[exception_helper::THROW_REF] = throw_ref as *const () as usize;
    exception_helpers[exception_helper::CATCH] = catch as *const () as usize;
    exception_helpers[exception_helper::RAISE] = raise as *const () as usize;
    // CALL_CATCHING's thunk records the call-out itself (its slot is filled below).
    let mut exception_stub_offsets = [None; exception_helper::COUNT];
    for (index, &target) in exception_helpers.iter().enumerate() {
        if index != exception_helper::CALL_CATCHING {
            exception_stub_offsets[index] = Some(asm.offset());
            emit_call_out_stub(&mut asm, target);
        }
    }
    let mut runtime_stub_offsets = [0; helper_index::COUNT];
    for (offset, target) in runtime_stub_offsets
        .iter_mut()
        .zip(libcalls::plain_helper_table())
    {
        *offset = asm.offset();
        emit_call_out_stub(&mut asm, target);
    }
    let trap_off = asm.label_offset(trap_stub).unwrap_or(0);
    let signal_off = asm.label_offset(signal_stub).unwrap_or(0);
    let bytes = asm.finish().map_err(|e| format!("trampoline: {e:?}"))?;
    let code = CodeMemory::new(&bytes)?;
    let base = code.base() as usize;
    super::exec_context::publish_signal_stub(base + signal_off);
    let jit_helpers = [
        base + thunk_off,
        super::convert::convert as *const () as usize,
        super::convert::float_op as *const () as usize,
        collect_backtrace as *const () as usize,
        base + tail_thunk_off,
        super::simd::simd_op as *const () as usize,
    ];
    let mut routed_jit_helpers = jit_helpers;
    for (routed, offset) in routed_jit_helpers.iter_mut().zip(jit_stub_offsets) {
        if let Some(offset) = offset {
            *routed = base + offset;
        }
    }
    exception_helpers[exception_helper::CALL_CATCHING] = base + catching_thunk_off;
    let mut routed_exception_helpers = exception_helpers;
    for (routed, offset) in routed_exception_helpers
        .iter_mut()
        .zip(exception_stub_offsets)
    {
        if let Some(offset) = offset {
            *routed = base + offset;
        }
    }
    Ok(Trampoline {
        trap_stub: base + trap_off,
        jit_helpers,
        routed_jit_helpers,
        exception_helpers,
        routed_exception_helpers,
        routed_runtime_helpers: runtime_stub_offsets.map(|offset| base + offset),
        code,
    })
}

pub(crate) fn trampoline() -> Result<&'static Trampoline, Trap> {
    static TRAMPOLINE: OnceLock<Result<Trampoline, String>> = OnceLock::new();
    TRAMPOLINE
        .get_or_init(build_trampoline)
        .as_ref()
        .map_err(|e| Trap::host(e.clone()))
}

thread_local! {
    /// This thread's execution record (created on first entry, never freed while the thread
    /// lives: compiled code and the signal handler hold its address).
    static EXEC: Cell<*mut ExecContext> = const { Cell::new(std::ptr::null_mut()) };
    /// The backtrace of the last trap, recorded before its frames were unwound.
    static BACKTRACE: RefCell<Option<Vec<FrameInfo>>> = const { RefCell::new(None) };
    /// A trap from a host function or a nested tier, waiting for the entry to pick it up.
    static PENDING: RefCell<Option<Trap>> = const { RefCell::new(None) };
    /// Who runs wasm functions without compiled code for the innermost entry.
    static FALLBACK: Cell<Option<Fallback>> = const { Cell::new(None) };
    /// An address in the frame of the outermost active [`enter`] on this thread: every
    /// compiled frame of the thread lies below it (read by [`code_ranges_on_stack`]).
    static OUTERMOST_ENTRY: Cell<usize> = const { Cell::new(0) };

}

/// For each `(start, end)` code range, whether this thread may still be running in it or
/// return into it. Called from Rust code, which compiled code reaches only through the
/// `CALL_SLOW` helper; each such call is a suspended run of compiled frames, recorded by its
/// entry thunk (the caller's `rbp` and return address), and its frames are
/// walked along the `rbp` chain every compiled function keeps, up to the trampoline. Precise:
/// only return addresses of live compiled frames count.
///
/// The suspended frames form a list through `call_slow`'s own frames
/// ([`ExecContext::suspended`]), so recording one costs two loads and two stores.
pub fn code_ranges_on_stack(ranges: &[(usize, usize)]) -> Vec<bool> {
    let mut hits = vec![false; ranges.len()];
    let (tramp_start, tramp_end) = match trampoline() {
        Ok(t) => (
            t.code.base() as usize,
            t.code.base() as usize + t.code.len(),
        ),
        Err(_) => return hits,
    };
    let marker = 0u64;
    let low = &raw const marker as usize;
    let high = OUTERMOST_ENTRY.with(Cell::get);
    let exec = EXEC.with(Cell::get);
    // SAFETY: this thread's record (or null) and its list of suspended frames, each node
    // on a live `call_slow` frame of this thread.
    let mut node = if exec.is_null() {
        std::ptr::null()
    } else {
        unsafe { (*exec).suspended }
    };
    while !node.is_null() {
        // SAFETY: see above.
        let SuspendedFrame {
            mut pc,
            mut fp,
            outer,
        } = unsafe { std::ptr::read(node) };
        node = outer;
        {
            // Bounded: a frame chain only goes up, inside the stack.
            while !(tramp_start..tramp_end).contains(&pc) && fp >= low && fp + 16 <= high {
                for (hit, &(start, end)) in hits.iter_mut().zip(ranges) {
                    *hit |= pc >= start && pc < end;
                }
                // SAFETY: `fp` is the frame pointer of a live compiled frame of this thread
                // (checked to lie in its stack between here and the outermost entry): it
                // holds the caller's `rbp` and the return address.
                let (next_fp, next_pc) = unsafe {
                    (
                        std::ptr::read(fp as *const usize),
                        std::ptr::read((fp + 8) as *const usize),
                    )
                };
                if next_fp <= fp {
                    break;
                }
                (fp, pc) = (next_fp, next_pc);
            }
        }
    }
    hits
}

/// Runs a wasm function that has no compiled code, called from compiled code: `record`'s
/// arguments are at `args` (the callee's frame, on the value stack the entry runs on) and
/// its results are left there; `depth_left` is the call-depth budget the callee starts with
/// (the compiled caller's, see [`ExecContext::depth_left`]). The tier manager installs the
/// interpreter here; the JIT knows nothing about it.
///
/// `bounce` is null for a call; for a tail call (`TAIL_CALL_SLOW`) it is the vmctx of the
/// compiled function the callee replaces: when the callee ends by tail-calling compiled code
/// of that instance, the fallback returns that entry (`Some`) instead of running it, and the
/// thunk jumps there (ARCHITECTURE.md "Calls across tiers").
pub type FallbackFn = unsafe fn(
    ctx: *mut (),
    record: *const FuncRecord,
    args: *mut u64,
    depth_left: u64,
    bounce: *mut VmCtx,
) -> Result<Option<*const u8>, Trap>;

/// A [`FallbackFn`] with its context.
#[derive(Clone, Copy)]
pub struct Fallback {
    pub call: FallbackFn,
    pub ctx: *mut (),
}

/// Lowest usable address of this thread's native stack (from pthread), if known; looked up
/// once per thread (for the main thread glibc reads /proc/self/maps to answer).
fn native_stack_low() -> Option<usize> {
    thread_local! {
        static LOW: Cell<Option<Option<usize>>> = const { Cell::new(None) };
    }
    LOW.with(|low| {
        if low.get().is_none() {
            low.set(Some(query_native_stack_low()));
        }
        low.get().flatten()
    })
}

fn query_native_stack_low() -> Option<usize> {
    // SAFETY: pthread_getattr_np fills `attr` for the calling thread; we destroy it after
    // reading the stack bounds. All pointers are to locals.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let rc = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        (rc == 0).then_some(addr as usize)
    }
}

/// This thread's execution record, created on first use.
fn exec_context(tramp: &Trampoline) -> *mut ExecContext {
    EXEC.with(|cell| {
        if cell.get().is_null() {
            let exec = Box::new(ExecContext {
                stack_limit: AtomicUsize::new(0),
                value_stack_end: 0,
                saved_rsp: 0,
                trap_stub: tramp.trap_stub,
                trap_code: 0,
                _pad: 0,
                trap_pc: 0,
                trap_fp: 0,
                helpers: tramp.jit_helpers,
                exit_fp: 0,
                exit_pc: 0,
                suspended: std::ptr::null(),
                depth_left: 0,
                interrupted: AtomicBool::new(false),
                fuel: 0,
                exception_helpers: tramp.exception_helpers,
            });
            // Leaked on purpose: one record per thread that ever ran compiled code.
            cell.set(Box::into_raw(exec));
        }
        cell.get()
    })
}

/// Where compiled code on this thread left off (see [`CallOutState`]): zeros when this thread
/// runs no compiled code. The tier manager passes it to the guest profiler before each entry,
/// so an outer compiled segment can be walked while a nested one runs.
pub(crate) fn call_out_state() -> CallOutState {
    let exec = EXEC.with(Cell::get);
    if exec.is_null() || ACTIVE.with(Cell::get).is_null() {
        return CallOutState::default();
    }
    // SAFETY: `exec` is this thread's record (never freed), read on its own thread.
    unsafe {
        CallOutState {
            exit_pc: (*exec).exit_pc,
            exit_fp: (*exec).exit_fp,
            stack_top: (*exec).saved_rsp,
        }
    }
}

/// Runs compiled code `code` (a function entry or an OSR entry) of the instance `vmctx`
/// with its frame at `fp` (arguments, or at an OSR entry the whole frame, in place) on a
/// value stack ending at `stack_end`, with `depth_left` more wasm frames allowed (the
/// entered function's own frame included: ARCHITECTURE.md "Stack limits"); the results are
/// left at `fp[0..n]`. Re-entrant:
/// compiled code may call `fallback` (for functions without code), which may enter
/// compiled code again on the same value stack, above the caller's frame.
///
/// # Safety
/// `code` is an entry of live compiled code of `vmctx`'s module, `vmctx` is live, and
/// `fp .. stack_end` is a value stack region owned by the caller for the call, holding the
/// frame the entry expects.
pub unsafe fn enter(
    code: *const u8,
    vmctx: *mut VmCtx,
    fp: *mut u64,
    stack_end: *mut u64,
    depth_left: u64,
    fallback: Option<Fallback>,
) -> Result<(), Trap> {
    let tramp = trampoline()?;
    super::trap::install_signal_handler()?;
    if code.is_null() || vmctx.is_null() {
        return Err(Trap::host("jit: function has no compiled code"));
    }
    let exec = exec_context(tramp);
    let outer = ACTIVE.with(|a| a.get());
    // SAFETY: `exec` is this thread's record (never freed); compiled code only uses it while
    // it runs on this thread, i.e. inside this call. `vmctx` is live (contract) and non-null
    // (checked above), and so is the store's fuel counter it points to.
    let saved = unsafe {
        let e = &mut *exec;
        let saved = (
            e.stack_limit.load(Ordering::SeqCst),
            e.value_stack_end,
            e.saved_rsp,
            e.depth_left,
        );
        // The outer entry's call-out (this entry runs inside it), restored when this one ends.
        let saved_exit = (e.exit_pc, e.exit_fp);
        (e.exit_pc, e.exit_fp) = (0, 0);
        if TRACK_CALL_OUTS.load(Ordering::Relaxed) {
            e.helpers = tramp.routed_jit_helpers;
            e.exception_helpers = tramp.routed_exception_helpers;
        }
        if outer.is_null() {
            let native_low = native_stack_low().unwrap_or(0);
            let here = &saved as *const _ as usize;
            OUTERMOST_ENTRY.with(|top| top.set(here));
            let limit = if native_low != 0 && here > native_low {
                // On a small stack, keep half of what is left for helpers and host calls.
                native_low + NATIVE_STACK_RESERVE.min((here - native_low) / 2)
            } else {
                // Unknown stack: allow 1 MiB below the current position.
                here.saturating_sub(1 << 20)
            };
            e.interrupted.store(false, Ordering::SeqCst);
            e.stack_limit.store(limit, Ordering::SeqCst);
            super::trap::ensure_alt_stack();
        }
        e.value_stack_end = stack_end as usize;
        e.depth_left = depth_left;
        e.trap_code = 0;
        // The store's fuel, for the compiled code (written back below). An outer compiled
        // frame on this thread wrote its fuel back before calling out (`call_slow`).
        e.fuel = *(*vmctx).fuel;
        (saved, saved_exit)
    };
    // An epoch deadline interrupts this code through the stack limit (`runtime::epoch`).
    // SAFETY: `vmctx` is live (contract), its `epoch` points to a live epoch; the record's
    // words outlive the guard (the record is never freed).
    let watch = unsafe {
        let deadline = (*vmctx).epoch_deadline;
        (deadline != u64::MAX)
            .then(|| (*(*vmctx).epoch).watch(deadline, &(*exec).stack_limit, &(*exec).interrupted))
    };
    let saved_fallback = FALLBACK.with(|f| f.replace(fallback));
    // SAFETY: the trampoline follows the sysv64 ABI with this signature (built above); `code`
    // and `vmctx` are live (contract), the value stack region is the caller's.
    let rc = unsafe {
        let entry: EntryFn = std::mem::transmute::<*const u8, EntryFn>(tramp.code.base());
        ACTIVE.with(|a| a.set(exec));
        let rc = entry(exec, vmctx, fp, code);
        ACTIVE.with(|a| a.set(outer));
        rc
    };
    FALLBACK.with(|f| f.set(saved_fallback));
    drop(watch);
    // SAFETY: as above; restores the outer entry's view (its saved rsp above all), keeping
    // an interrupt for the outer code to trap on too. `vmctx` is live (contract), so is the
    // store's fuel counter it points to.
    let interrupted = unsafe {
        let e = &mut *exec;
        let ((stack_limit, value_stack_end, saved_rsp, depth_left), exit) = saved;
        let interrupted = e.interrupted.load(Ordering::SeqCst);
        let limit = if interrupted { usize::MAX } else { stack_limit };
        e.stack_limit.store(limit, Ordering::SeqCst);
        (e.value_stack_end, e.saved_rsp, e.depth_left) = (value_stack_end, saved_rsp, depth_left);
        (e.exit_pc, e.exit_fp) = exit;
        *(*vmctx).fuel = e.fuel;
        interrupted
    };
    if rc == 0 {
        return Ok(());
    }
    let pending = PENDING.with(|p| p.borrow_mut().take());
    // This entry's own code found the stack exhausted (not a nested tier, whose trap comes
    // back as `Host` with the trap pending).
    let exhausted_here = TrapCode::from_u32(rc) == Some(TrapCode::CallStackExhausted);
    let mut trap = match (TrapCode::from_u32(rc), pending) {
        (Some(TrapCode::Host | TrapCode::Exit), Some(trap)) => trap,
        // The stack check failed because the deadline set the limit.
        (Some(TrapCode::CallStackExhausted), _) if interrupted => Trap::new(TrapCode::Interrupt),
        (Some(code), _) => Trap::new(code),
        (None, _) => Trap::host(format!("jit: unknown trap code {rc}")),
    };
    // A trap from a nested tier already has its inner frames; the compiled frames it passed
    // through come after them (innermost first).
    if trap.code != TrapCode::Exit {
        let mut frames = BACKTRACE
            .with(|b| b.borrow_mut().take())
            .unwrap_or_default();
        // Compiled code finds the stack exhausted in the prologue of the callee that does not
        // fit, the interpreter at the call: that callee never ran, so on every tier the
        // backtrace starts at the call.
        if exhausted_here && trap.code == TrapCode::CallStackExhausted && !frames.is_empty() {
            frames.remove(0);
        }
        trap.backtrace.extend(frames);
    }
    Err(trap)
}

/// Called by the trap stubs on the wasm stack (frames still intact): walks the frame chain.
extern "C" fn collect_backtrace(_exec: *mut ExecContext, pc: usize, fp: usize) {
    let frames = super::trap::backtrace(pc, fp);
    BACKTRACE.with(|b| *b.borrow_mut() = Some(frames));
}

/// `tail_call_slow`'s status for "jump to the returned entry" (no trap code is this).
const TAIL_JUMP: u32 = u32::MAX;

/// What `tail_call_slow` returns to its thunk (in `rax`, `rdx`).
#[repr(C)]
struct TailOutcome {
    /// 0 (returned), [`TAIL_JUMP`] or a trap code.
    status: u64,
    /// With `TAIL_JUMP`: the compiled entry to jump to.
    entry: u64,
}

/// Calls a function without compiled code from compiled code: host functions get the caller's
/// context and the argument slots (which receive the results).
extern "C" fn call_slow(
    caller: *mut VmCtx,
    record: *const FuncRecord,
    args: *mut u64,
    exec: *mut ExecContext,
) -> u32 {
    // SAFETY: the thunk's contract (see `suspended_call`); no bounce, so the status is 0 or
    // a trap code.
    unsafe { suspended_call(caller, record, args, exec, std::ptr::null_mut()).status as u32 }
}

/// A tail call from compiled code (`TAIL_CALL_SLOW`) of a function without code or of
/// another instance, its arguments at `args` (the replaced frame): runs it, or hands back the
/// compiled entry of `caller`'s instance that it tail-calls in turn.
extern "C" fn tail_call_slow(
    caller: *mut VmCtx,
    record: *const FuncRecord,
    args: *mut u64,
    exec: *mut ExecContext,
) -> TailOutcome {
    // SAFETY: the thunk's contract (see `suspended_call`).
    unsafe { suspended_call(caller, record, args, exec, caller) }
}

/// The work of both slow-call thunks while the compiled frames below are suspended.
///
/// # Safety
/// See [`suspended`].
unsafe fn suspended_call(
    caller: *mut VmCtx,
    record: *const FuncRecord,
    args: *mut u64,
    exec: *mut ExecContext,
    bounce: *mut VmCtx,
) -> TailOutcome {
    let status = |status: u32| TailOutcome {
        status: u64::from(status),
        entry: 0,
    };
    // SAFETY: per the contract.
    let result = unsafe { suspended(caller, exec, || run_slow(caller, record, args, bounce)) };
    match result {
        Ok(None) => status(0),
        Ok(Some(entry)) => TailOutcome {
            status: u64::from(TAIL_JUMP),
            entry: entry as u64,
        },
        Err(trap) => status(pending_trap(trap)),
    }
}

/// Runs `run` while the compiled frame that called a slow-call thunk is suspended: the
/// frame is linked into [`ExecContext::suspended`] and the store sees the compiled code's
/// fuel.
///
/// # Safety
/// The thunk passes this thread's record (`r12`), in which it just stored the calling frame;
/// the node lives on this frame and is unlinked before it returns. `caller` is the live
/// context of the calling instance, whose fuel pointer is the store's: the callee
/// (interpreted, or a host function) sees the store's fuel, so what the compiled caller has
/// left is written back first and what the callee left is taken back after.
unsafe fn suspended<T>(caller: *mut VmCtx, exec: *mut ExecContext, run: impl FnOnce() -> T) -> T {
    // SAFETY: per the contract.
    unsafe {
        let frame = SuspendedFrame {
            pc: (*exec).exit_pc,
            fp: (*exec).exit_fp,
            outer: (*exec).suspended,
        };
        (*exec).suspended = &frame;
        *(*caller).fuel = (*exec).fuel;
        let outcome = run();
        (*exec).fuel = *(*caller).fuel;
        (*exec).suspended = frame.outer;
        outcome
    }
}

/// Runs a function without compiled code or a host function for compiled code (see
/// [`FallbackFn`] for `bounce`).
#[inline(always)]
fn run_slow(
    caller: *mut VmCtx,
    record: *const FuncRecord,
    args: *mut u64,
    bounce: *mut VmCtx,
) -> Result<Option<*const u8>, Trap> {
    // SAFETY: compiled code passes a live record of its instance's function table.
    let host = unsafe { (*record).host };
    if host.is_null() {
        return match FALLBACK.with(Cell::get) {
            // SAFETY: the fallback was installed by the entry this code runs under, for this
            // value stack; `record` is live and `args` is the callee's frame on that stack.
            Some(fallback) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe {
                (fallback.call)(fallback.ctx, record, args, depth_left(), bounce)
            }))
            .unwrap_or_else(|_| Err(Trap::host("interpreter panicked"))),
            None => Err(Trap::host("jit: call of a function without compiled code")),
        };
    }
    // SAFETY: a non-null `host` points to a HostFunc owned by the store, alive while its
    // instance runs; `args` is the caller's canonical area, which has room for
    // max(params, results) slots (the compiler counts the results in the frame size; a tail
    // caller's frame has room for its results, which are the callee's).
    let result = unsafe {
        let host = &*host;
        let len = host.ty.param_slots().max(host.ty.result_slots()) as usize;
        let slots = std::slice::from_raw_parts_mut(args, len);
        let mut caller = Caller::new(caller);
        // No panic may unwind into compiled frames.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            (host.func)(&mut caller, slots)
        }))
    };
    match result {
        Ok(Ok(())) => Ok(None),
        Ok(Err(trap)) => Err(trap),
        Err(_) => Err(Trap::host("host function panicked")),
    }
}

// ----- exception handling in compiled code (ARCHITECTURE.md "Exceptions") -----

thread_local! {
    /// The exception in flight in compiled code on this thread, as the trap it becomes when
    /// no compiled handler catches it (its backtrace so far: the frames it left): set by
    /// `THROW`, `THROW_REF` and a `CALL_CATCHING` whose callee let one pass, taken by the
    /// `CATCH` that matches or by `RAISE`. Compiled code runs the dispatch right after the
    /// helper that set it, with no other helper call in between.
    static IN_FLIGHT: RefCell<Option<Trap>> = const { RefCell::new(None) };
}

fn set_in_flight(trap: Trap) -> u32 {
    IN_FLIGHT.with(|f| *f.borrow_mut() = Some(trap));
    exception_helper::EXCEPTION_IN_FLIGHT
}

/// `THROW`: a new exception of tag index `tag`, its payload at `payload`.
extern "C" fn throw(vmctx: *mut VmCtx, tag: u32, payload: *const u64) -> u32 {
    // SAFETY: compiled code passes its live context, a validated tag index and the
    // canonical slots of the payload.
    let exception = unsafe { crate::runtime::exception::new_exception(vmctx, tag, payload) };
    set_in_flight(Trap::exception(exception))
}

/// `THROW_REF`: the exception `exnref` refers to, again (same identity); null traps.
extern "C" fn throw_ref(vmctx: *mut VmCtx, exnref: u64) -> u32 {
    // SAFETY: compiled code passes its live context; every non-null exnref slot of its
    // store came from the store's arena (`ExnArena::get`'s contract).
    let exception = unsafe {
        let instance = crate::runtime::instance::InstanceData::of_vmctx(vmctx);
        (*(*instance).exceptions).get(exnref)
    };
    match exception {
        Some(exception) => set_in_flight(Trap::exception(exception)),
        None => TrapCode::NullReference as u32,
    }
}

/// `CATCH`: 1 when the clause of tag index `tag` ([`exception_helper::CATCH_ALL`]: any) catches
/// the exception in flight, its values written from `dst` on (see
/// [`crate::runtime::exception::catch_clause`]); the exception is then no longer in flight.
extern "C" fn catch(vmctx: *mut VmCtx, tag: u32, dst: *mut u64, by_ref: u32) -> u32 {
    IN_FLIGHT.with(|f| {
        let mut in_flight = f.borrow_mut();
        let Some(exception) = in_flight.as_ref().and_then(|t| t.exception.clone()) else {
            return 0;
        };
        let tag = (tag != exception_helper::CATCH_ALL).then_some(tag);
        // SAFETY: compiled code passes its live context and the canonical slots of the
        // handler's values (the compiler counted them in the frame size).
        let caught = unsafe {
            crate::runtime::exception::catch_clause(vmctx, tag, by_ref != 0, &exception, dst)
        };
        if caught {
            *in_flight = None;
        }
        u32::from(caught)
    })
}

/// `RAISE`: the exception in flight leaves the compiled frame (no clause caught it) as a
/// trap, parked for the entry; the trap code for the frame's trap site.
extern "C" fn raise() -> u32 {
    let trap = IN_FLIGHT.with(|f| f.borrow_mut().take());
    pending_trap(trap.unwrap_or_else(|| Trap::host("jit: no exception in flight")))
}

/// `CALL_CATCHING`'s Rust half: calls `record` on `args` like any call would (compiled code
/// through a nested [`enter`], the rest like `CALL_SLOW`), so that an exception the callee
/// does not catch ends here, with the compiled frames it left unwound by the trap path, and
/// comes back to the calling frame's dispatch as [`exception_helper::EXCEPTION_IN_FLIGHT`].
extern "C" fn call_catching(
    caller: *mut VmCtx,
    record: *const FuncRecord,
    args: *mut u64,
    exec: *mut ExecContext,
) -> u32 {
    // SAFETY: compiled code passes a live record of its instance's function table and the
    // callee's frame on the value stack of the entry it runs under (whose end and budget
    // are in `exec`, this thread's record); the thunk's contract for `suspended`.
    let result = unsafe {
        suspended(caller, exec, || {
            let (code, vmctx) = ((*record).code.get(), (*record).vmctx);
            if code.is_null() || !(*record).host.is_null() {
                return run_slow(caller, record, args, std::ptr::null_mut()).map(|_| ());
            }
            let stack_end = (*exec).value_stack_end as *mut u64;
            let depth_left = (*exec).depth_left;
            enter(
                code,
                vmctx,
                args,
                stack_end,
                depth_left,
                FALLBACK.with(Cell::get),
            )
        })
    };
    match result {
        Ok(()) => 0,
        Err(trap) if trap.exception.is_some() => set_in_flight(trap),
        Err(trap) => pending_trap(trap),
    }
}

/// The call-depth budget of the compiled code running on this thread (what a callee it calls
/// through `CALL_SLOW` starts with); 0 when none runs.
fn depth_left() -> u64 {
    let exec = ACTIVE.with(Cell::get);
    if exec.is_null() {
        return 0;
    }
    // SAFETY: a non-null ACTIVE is this thread's live record.
    unsafe { (*exec).depth_left }
}

/// Parks a trap raised below compiled code for [`enter`] and returns the code the compiled
/// caller traps with.
fn pending_trap(trap: Trap) -> u32 {
    let code = match trap.code {
        TrapCode::Exit => TrapCode::Exit,
        _ => TrapCode::Host,
    };
    PENDING.with(|p| *p.borrow_mut() = Some(trap));
    code as u32
}
