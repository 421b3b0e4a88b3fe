//! Rust -> compiled code: the per-thread execution record, the entry trampoline ([`enter`]),
//! the trap stubs and the JIT's own helpers (see the `jit` module docs for the register conventions).

use std::cell::{Cell, RefCell};
use std::sync::OnceLock;

use super::code_memory::CodeMemory;
use super::exec_context::ACTIVE;
pub use super::exec_context::{ExecContext, exec_offsets, jit_helper};
use super::x64::{Alu, Assembler, Gpr, Mem, Size, Width};
use crate::runtime::vmctx::offsets;
use crate::runtime::{Caller, FrameInfo, FuncRecord, Trap, TrapCode, VmCtx};

/// Native stack kept free below the limit for Rust helpers and host functions called from
/// compiled code (the signal handler runs on its own stack).
const NATIVE_STACK_RESERVE: usize = 256 * 1024;

/// The trampoline code (shared by all threads).
pub(crate) struct Trampoline {
    code: CodeMemory,
    trap_stub: usize,
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
    let trap_off = asm.label_offset(trap_stub).unwrap_or(0);
    let signal_off = asm.label_offset(signal_stub).unwrap_or(0);
    let bytes = asm.finish().map_err(|e| format!("trampoline: {e:?}"))?;
    let code = CodeMemory::new(&bytes)?;
    let base = code.base() as usize;
    super::exec_context::publish_signal_stub(base + signal_off);
    Ok(Trampoline {
        trap_stub: base + trap_off,
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
}

/// Runs a wasm function that has no compiled code, called from compiled code: `record`'s
/// arguments are at `args` (the callee's frame, on the value stack the entry runs on) and
/// its results are left there. The tier manager installs the interpreter here; the JIT
/// knows nothing about it.
pub type FallbackFn =
    unsafe fn(ctx: *mut (), record: *const FuncRecord, args: *mut u64) -> Result<(), Trap>;

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
                stack_limit: 0,
                value_stack_end: 0,
                saved_rsp: 0,
                trap_stub: tramp.trap_stub,
                trap_code: 0,
                _pad: 0,
                trap_pc: 0,
                trap_fp: 0,
                helpers: [
                    call_slow as *const () as usize,
                    super::convert::convert as *const () as usize,
                    super::convert::float_op as *const () as usize,
                    collect_backtrace as *const () as usize,
                ],
                fuel: 0,
            });
            // Leaked on purpose: one record per thread that ever ran compiled code.
            cell.set(Box::into_raw(exec));
        }
        cell.get()
    })
}

/// Runs compiled code `code` (a function entry or an OSR entry) of the instance `vmctx`
/// with its frame at `fp` (arguments, or at an OSR entry the whole frame, in place) on a
/// value stack ending at `stack_end`; the results are left at `fp[0..n]`. Re-entrant:
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
        let saved = (e.stack_limit, e.value_stack_end, e.saved_rsp);
        if outer.is_null() {
            let native_low = native_stack_low().unwrap_or(0);
            let here = &saved as *const _ as usize;
            e.stack_limit = if native_low != 0 && here > native_low {
                // On a small stack, keep half of what is left for helpers and host calls.
                native_low + NATIVE_STACK_RESERVE.min((here - native_low) / 2)
            } else {
                // Unknown stack: allow 1 MiB below the current position.
                here.saturating_sub(1 << 20)
            };
            super::trap::ensure_alt_stack();
        }
        e.value_stack_end = stack_end as usize;
        e.trap_code = 0;
        // The store's fuel, for the compiled code (written back below). An outer compiled
        // frame on this thread wrote its fuel back before calling out (`call_slow`).
        e.fuel = *(*vmctx).fuel;
        saved
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
    // SAFETY: as above; restores the outer entry's view (its saved rsp above all). `vmctx`
    // is live (contract), so is the store's fuel counter it points to.
    unsafe {
        let e = &mut *exec;
        (e.stack_limit, e.value_stack_end, e.saved_rsp) = saved;
        *(*vmctx).fuel = e.fuel;
    }
    if rc == 0 {
        return Ok(());
    }
    let pending = PENDING.with(|p| p.borrow_mut().take());
    let mut trap = match (TrapCode::from_u32(rc), pending) {
        (Some(TrapCode::Host | TrapCode::Exit), Some(trap)) => trap,
        (Some(code), _) => Trap::new(code),
        (None, _) => Trap::host(format!("jit: unknown trap code {rc}")),
    };
    // A trap from a nested tier already has its inner frames; the compiled frames it passed
    // through come after them (innermost first).
    if trap.code != TrapCode::Exit {
        let frames = BACKTRACE
            .with(|b| b.borrow_mut().take())
            .unwrap_or_default();
        trap.backtrace.extend(frames);
    }
    Err(trap)
}

/// Called by the trap stubs on the wasm stack (frames still intact): walks the frame chain.
extern "C" fn collect_backtrace(_exec: *mut ExecContext, pc: usize, fp: usize) {
    let frames = super::trap::backtrace(pc, fp);
    BACKTRACE.with(|b| *b.borrow_mut() = Some(frames));
}

/// Calls a function without compiled code from compiled code: host functions get the caller's
/// context and the argument slots (which receive the results).
extern "C" fn call_slow(caller: *mut VmCtx, record: *const FuncRecord, args: *mut u64) -> u32 {
    let exec = EXEC.with(Cell::get);
    // The callee (interpreted, or a host function) sees the store's fuel: write back what the
    // compiled caller has left, and take back what the callee left.
    // SAFETY: compiled code runs under `enter`, so `exec` is this thread's live record, and
    // `caller` is the live context of the calling instance, whose fuel pointer is the store's.
    unsafe { *(*caller).fuel = (*exec).fuel };
    let code = call_slow_inner(caller, record, args);
    // SAFETY: as above.
    unsafe { (*exec).fuel = *(*caller).fuel };
    code
}

/// [`call_slow`] without the fuel hand-over.
fn call_slow_inner(caller: *mut VmCtx, record: *const FuncRecord, args: *mut u64) -> u32 {
    // SAFETY: compiled code passes a live record of its instance's function table.
    let host = unsafe { (*record).host };
    if host.is_null() {
        let result = match FALLBACK.with(Cell::get) {
            // SAFETY: the fallback was installed by the entry this code runs under, for this
            // value stack; `record` is live and `args` is the callee's frame on that stack.
            Some(fallback) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe {
                (fallback.call)(fallback.ctx, record, args)
            }))
            .unwrap_or_else(|_| Err(Trap::host("interpreter panicked"))),
            None => Err(Trap::host("jit: call of a function without compiled code")),
        };
        return match result {
            Ok(()) => 0,
            Err(trap) => pending_trap(trap),
        };
    }
    // SAFETY: a non-null `host` points to a HostFunc owned by the store, alive while its
    // instance runs; `args` is the caller's canonical area, which has room for
    // max(params, results) slots (the compiler counts the results in the frame size).
    let result = unsafe {
        let host = &*host;
        let len = host.ty.params.len().max(host.ty.results.len());
        let slots = std::slice::from_raw_parts_mut(args, len);
        let mut caller = Caller::new(caller);
        // No panic may unwind into compiled frames.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            (host.func)(&mut caller, slots)
        }))
    };
    match result {
        Ok(Ok(())) => 0,
        Ok(Err(trap)) => pending_trap(trap),
        Err(_) => pending_trap(Trap::host("host function panicked")),
    }
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
