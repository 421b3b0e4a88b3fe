//! Traps from compiled code: the registry of code ranges, the SIGSEGV/SIGBUS handler that turns
//! guard-region faults inside compiled code into "out of bounds memory access", and the wasm
//! backtrace built from the frame-pointer chain.

use std::sync::{Arc, Once, OnceLock, RwLock, Weak};

use super::exec_context::{ACTIVE, ExecContext, signal_stub};
use crate::runtime::memory::{GUARD_BYTES, MAX_PAGES, WASM_PAGE};
use crate::runtime::{FrameInfo, Trap, TrapCode};

/// What the backtrace needs to know about one compiled module.
pub struct CodeInfo {
    pub start: usize,
    pub end: usize,
    pub module: Arc<crate::module::ModuleInfo>,
    /// `(code offset of a function's entry, function index)`, ascending.
    pub funcs: Vec<(u32, u32)>,
    /// `(code offset, wasm byte offset)` for every compiled operator and trap site, ascending.
    pub pc_map: Vec<(u32, u32)>,
    /// Whether the code was mapped from an AOT sidecar (profiles show the tier).
    pub from_sidecar: bool,
}

impl CodeInfo {
    /// The function whose code contains `pc`. Allocates nothing (the guest profiler's signal
    /// handler calls it).
    fn func_at(&self, pc: usize) -> Option<u32> {
        if pc < self.start || pc >= self.end {
            return None;
        }
        let off = (pc - self.start) as u32;
        match self.funcs.partition_point(|&(o, _)| o <= off) {
            0 => None,
            i => Some(self.funcs[i - 1].1),
        }
    }

    fn frame(&self, pc: usize) -> Option<FrameInfo> {
        let func = self.func_at(pc)?;
        let off = (pc - self.start) as u32;
        let code_offset = match self.pc_map.partition_point(|&(o, _)| o <= off) {
            0 => 0,
            i => self.pc_map[i - 1].1 as usize,
        };
        Some(FrameInfo {
            func_index: func,
            func_name: self.module.func_name(func).map(str::to_string),
            module_name: self.module.names.module.clone(),
            code_offset,
        })
    }
}

/// Code ranges of every live compiled module; read by the signal handler (`try_read`, never
/// blocking) and by backtraces.
static REGISTRY: RwLock<Vec<(usize, usize, Weak<CodeInfo>)>> = RwLock::new(Vec::new());

/// Removes its entry from the registry when dropped. Owners declare it before their code
/// memory, so the range is unregistered before it is unmapped (and maybe reused by another
/// thread's code, which registers an entry of its own: entries are removed by identity).
pub struct Registration {
    info: Weak<CodeInfo>,
}

pub fn register(info: &Arc<CodeInfo>) -> Registration {
    let weak = Arc::downgrade(info);
    write_registry().push((info.start, info.end, weak.clone()));
    Registration { info: weak }
}

impl Drop for Registration {
    fn drop(&mut self) {
        write_registry().retain(|(_, _, info)| !Weak::ptr_eq(info, &self.info));
    }
}

/// The registry for writing; a poisoned lock is still used (entries are plain data, and
/// every writer leaves them consistent).
fn write_registry() -> std::sync::RwLockWriteGuard<'static, Vec<(usize, usize, Weak<CodeInfo>)>> {
    REGISTRY
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn lookup(pc: usize) -> Option<Arc<CodeInfo>> {
    let registry = REGISTRY
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    registry
        .iter()
        .filter(|(start, end, _)| pc >= *start && pc < *end)
        .find_map(|(_, _, info)| info.upgrade())
}

/// Walks the frame-pointer chain from the trap site. `pc` is a return address (or faulting
/// pc + 1), so `pc - 1` lies inside the instruction of interest. Every frame is kept (the
/// printed backtrace is trimmed, `Trap`'s `Display`), so the outermost frames are there even
/// for a runaway recursion; the walk ends at the first pc outside compiled code, and only
/// goes up the stack (each caller's rbp above its callee's), so it always ends.
pub fn backtrace(pc: usize, fp: usize) -> Vec<FrameInfo> {
    let mut frames = Vec::new();
    let (mut pc, mut fp) = (pc, fp);
    while let Some(info) = lookup(pc.wrapping_sub(1)) {
        match info.frame(pc - 1) {
            Some(frame) => frames.push(frame),
            None => break,
        }
        if fp == 0 {
            break;
        }
        // SAFETY: `fp` is the rbp of a compiled frame (pushed by its prologue), so `[fp]` is
        // the caller's rbp and `[fp + 8]` the return address; both live on this thread's stack
        // below the entry trampoline's frame, which is still alive.
        let caller_fp = unsafe {
            pc = *((fp + 8) as *const usize);
            *(fp as *const usize)
        };
        if caller_fp != 0 && caller_fp <= fp {
            break;
        }
        fp = caller_fp;
    }
    frames
}

/// One compiled frame of a profiler sample.
#[derive(Clone, Copy, Debug, Default)]
pub struct SampledFrame {
    pub func_index: u32,
    pub from_sidecar: bool,
}

/// The compiled frames of the code interrupted by a signal (`context` is the handler's
/// ucontext), innermost first, into `out`; returns how many. Zero when the thread is not in
/// compiled code or the registry is being written (never blocks, never allocates: the guest
/// profiler calls this from its SIGPROF handler). Every frame pointer is checked to lie, in
/// ascending order, between the interrupted `rsp` and the innermost entry's saved `rsp`
/// before it is read, so a frame caught in its prologue or epilogue cuts the walk short
/// instead of reading outside the stack.
///
/// # Safety
/// `context` is the `ucontext_t` the kernel passed to a signal handler running on the
/// interrupted thread.
pub unsafe fn sample_compiled_frames(
    context: *const libc::ucontext_t,
    out: &mut [SampledFrame],
) -> usize {
    let exec: *mut ExecContext = ACTIVE.with(|a| a.get());
    if exec.is_null() || out.is_empty() {
        return 0;
    }
    // SAFETY: the kernel's ucontext is valid for the handler's duration (contract).
    let (mut pc, mut fp, rsp, r12) = unsafe {
        let gregs = &(*context).uc_mcontext.gregs;
        (
            gregs[libc::REG_RIP as usize] as usize,
            gregs[libc::REG_RBP as usize] as usize,
            gregs[libc::REG_RSP as usize] as usize,
            gregs[libc::REG_R12 as usize] as usize,
        )
    };
    if r12 != exec as usize {
        return 0;
    }
    // SAFETY: `exec` is this thread's record, alive for the thread's life.
    let stack_top = unsafe { (*exec).saved_rsp };
    let registry = match REGISTRY.try_read() {
        Ok(registry) => registry,
        Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => return 0,
    };
    let mut count = 0;
    let mut lowest_next_fp = rsp;
    // The first pc is the interrupted instruction itself; later ones are return addresses.
    let mut adjust = 0;
    while count < out.len() {
        let at = pc.wrapping_sub(adjust);
        // SAFETY: an entry is removed (under the write lock we exclude) before its owner
        // drops the `Arc<CodeInfo>`, so every entry's `CodeInfo` is alive while we hold the
        // read lock; `Weak::as_ptr` neither allocates nor touches the counts.
        let found = registry
            .iter()
            .filter(|(start, end, _)| at >= *start && at < *end)
            .find_map(|(_, _, info)| unsafe { &*info.as_ptr() }.func_at(at).map(|f| (f, info)));
        let Some((func_index, info)) = found else {
            break;
        };
        // SAFETY: as above.
        let from_sidecar = unsafe { &*info.as_ptr() }.from_sidecar;
        out[count] = SampledFrame {
            func_index,
            from_sidecar,
        };
        count += 1;
        if fp % 8 != 0 || fp < lowest_next_fp || fp.saturating_add(16) > stack_top {
            break;
        }
        // SAFETY: `fp..fp + 16` lies between the interrupted rsp and the entry's saved rsp:
        // live stack of this thread, mapped and readable.
        unsafe {
            pc = *((fp + 8) as *const usize);
            lowest_next_fp = fp + 16;
            fp = *(fp as *const usize);
        }
        adjust = 1;
    }
    count
}

/// The handlers that were installed before ours: `[SIGSEGV, SIGBUS]`.
static PREVIOUS: OnceLock<[Option<libc::sigaction>; 2]> = OnceLock::new();

/// Installs the SIGSEGV/SIGBUS handler once per process.
pub fn install_signal_handler() -> Result<(), Trap> {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: querying the current actions with valid pointers.
        let current = unsafe {
            let mut segv: libc::sigaction = std::mem::zeroed();
            let mut bus: libc::sigaction = std::mem::zeroed();
            let segv_ok = libc::sigaction(libc::SIGSEGV, std::ptr::null(), &mut segv) == 0;
            let bus_ok = libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut bus) == 0;
            [segv_ok.then_some(segv), bus_ok.then_some(bus)]
        };
        // Recorded before our handler is installed, so the handler always finds them.
        let _ = PREVIOUS.set(current);
        // SAFETY: sigaction with a valid handler and an empty mask.
        unsafe {
            for signal in [libc::SIGSEGV, libc::SIGBUS] {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handler as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    });
    Ok(())
}

/// Gives this thread an alternate signal stack if it has none (Rust's runtime gives one to
/// the threads it creates; others get ours, leaked for the thread's life).
pub fn ensure_alt_stack() {
    thread_local! {
        static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if DONE.with(|d| d.replace(true)) {
        return;
    }
    // SAFETY: querying and setting this thread's alternate stack with valid pointers; the
    // new stack is a leaked allocation, valid for the rest of the process.
    unsafe {
        let mut old: libc::stack_t = std::mem::zeroed();
        if libc::sigaltstack(std::ptr::null(), &mut old) != 0 {
            return;
        }
        if old.ss_flags & libc::SS_DISABLE == 0 {
            return;
        }
        const SIZE: usize = 64 * 1024;
        let memory: &'static mut [u8] = Box::leak(vec![0u8; SIZE].into_boxed_slice());
        let stack = libc::stack_t {
            ss_sp: memory.as_mut_ptr().cast(),
            ss_flags: 0,
            ss_size: SIZE,
        };
        libc::sigaltstack(&stack, std::ptr::null_mut());
    }
}

/// Called by the signal handler for a fault at `pc` on a thread running compiled code. It
/// waits for a writer instead of giving up: the writer is another thread (this one faulted
/// inside compiled code, which never holds the lock), and holds it only briefly.
fn in_compiled_code(pc: usize) -> bool {
    loop {
        match REGISTRY.try_read() {
            Ok(registry) => return registry.iter().any(|(s, e, _)| pc >= *s && pc < *e),
            Err(std::sync::TryLockError::Poisoned(poisoned)) => {
                return poisoned
                    .into_inner()
                    .iter()
                    .any(|(s, e, _)| pc >= *s && pc < *e);
            }
            Err(std::sync::TryLockError::WouldBlock) => std::hint::spin_loop(),
        }
    }
}

extern "C" fn handler(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo and ucontext for an SA_SIGINFO handler. We
    // only read registers, write the execution record of this thread (which compiled code
    // is not touching while it is stopped in the fault), and redirect rip to the trap stub,
    // which restores the trampoline's stack pointer.
    unsafe {
        let exec: *mut ExecContext = ACTIVE.with(|a| a.get());
        let uc = context as *mut libc::ucontext_t;
        let gregs = &mut (*uc).uc_mcontext.gregs;
        let pc = gregs[libc::REG_RIP as usize] as usize;
        let memory_base = gregs[libc::REG_R13 as usize] as usize;
        let fault = (*info).si_addr() as usize;
        let reservation = MAX_PAGES as usize * WASM_PAGE + GUARD_BYTES;
        if !exec.is_null()
            && gregs[libc::REG_R12 as usize] as usize == exec as usize
            && in_compiled_code(pc)
            && fault >= memory_base
            && fault - memory_base < reservation
            && let Some(stub) = signal_stub()
        {
            (*exec).trap_code = TrapCode::MemoryOutOfBounds as u32;
            (*exec).trap_pc = pc + 1;
            (*exec).trap_fp = gregs[libc::REG_RBP as usize] as usize;
            gregs[libc::REG_RIP as usize] = stub as i64;
            return;
        }
        let which = usize::from(signal == libc::SIGBUS);
        let previous = PREVIOUS.get().and_then(|p| p[which].as_ref());
        match previous {
            Some(prev)
                if prev.sa_sigaction != libc::SIG_DFL && prev.sa_sigaction != libc::SIG_IGN =>
            {
                if prev.sa_flags & libc::SA_SIGINFO != 0 {
                    let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                        std::mem::transmute(prev.sa_sigaction);
                    f(signal, info, context);
                } else {
                    let f: extern "C" fn(libc::c_int) = std::mem::transmute(prev.sa_sigaction);
                    f(signal);
                }
            }
            _ => {
                // Default action: restore it and return, so the fault repeats and kills us.
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    }
}
