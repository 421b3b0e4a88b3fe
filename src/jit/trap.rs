//! Traps from compiled code: the registry of code ranges, the SIGSEGV/SIGBUS handler that turns
//! guard-region faults inside compiled code into "out of bounds memory access", and the wasm
//! backtrace built from the frame-pointer chain.

use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

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

/// One registered code range.
struct Entry {
    start: usize,
    end: usize,
    /// Strong: a snapshot keeps the `CodeInfo` alive as long as a reader may see it.
    info: Arc<CodeInfo>,
}

/// An immutable list of the code ranges of every live compiled module.
type Snapshot = Box<[Entry]>;

/// The code registry, read by the signal handlers without ever blocking or allocating.
///
/// Readers (the SIGSEGV/SIGBUS handler, the profiler's sampler, backtraces) announce
/// themselves in `READERS`, load `CURRENT` and read that snapshot. Writers (register, drop of
/// a `Registration`) serialize on `WRITER`, publish a new snapshot with one atomic swap and
/// retire the old one. Reclamation: retired snapshots are freed by a writer that, after its
/// swap, sees no reader at all. With `SeqCst` on both sides, a reader counted after that check
/// loads `CURRENT` after the swap, so it can only hold the new snapshot; a reader counted
/// before it keeps the count above zero. Readers are short (no loop waits on anything), so
/// retired snapshots wait at most until the next write with no reader, a few kilobytes at worst.
/// A fault on a thread that is in the middle of a write therefore never hangs: the handler
/// takes no lock, and `CURRENT` always points to a complete snapshot.
static CURRENT: AtomicPtr<Snapshot> = AtomicPtr::new(std::ptr::null_mut());
/// Number of readers currently inside a snapshot.
static READERS: AtomicUsize = AtomicUsize::new(0);
/// Serializes writers (never taken by a signal handler) and holds the retired snapshots.
static WRITER: Mutex<Vec<Retired>> = Mutex::new(Vec::new());

/// A snapshot replaced in `CURRENT` that a reader may still hold.
struct Retired(*mut Snapshot);

// SAFETY: a retired snapshot is immutable, its entries (`Arc<CodeInfo>`) are `Send + Sync`, and
// only the writer holding `WRITER` frees it.
unsafe impl Send for Retired {}

/// A reader's hold on the current snapshot; signal-safe (two atomic operations, no lock, no
/// allocation).
struct ReadGuard {
    snapshot: *const Snapshot,
}

impl ReadGuard {
    fn new() -> ReadGuard {
        READERS.fetch_add(1, Ordering::SeqCst);
        ReadGuard {
            snapshot: CURRENT.load(Ordering::SeqCst),
        }
    }

    fn entries(&self) -> &[Entry] {
        if self.snapshot.is_null() {
            return &[];
        }
        // SAFETY: a snapshot loaded while counted in READERS is not freed until the count
        // drops (see CURRENT), and it is never mutated after being published.
        unsafe { &*self.snapshot }
    }
}

impl Drop for ReadGuard {
    fn drop(&mut self) {
        READERS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Publishes `edit` applied to a copy of the current entries, retires the old snapshot and
/// frees the retired ones if no reader can hold them.
fn update_registry(edit: impl FnOnce(&mut Vec<Entry>)) {
    // A poisoned lock is still used: the retired list is only pushed to and drained.
    let mut retired: MutexGuard<'_, Vec<Retired>> = WRITER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let old = CURRENT.load(Ordering::SeqCst);
    let mut entries: Vec<Entry> = if old.is_null() {
        Vec::new()
    } else {
        // SAFETY: only writers free snapshots, and we are the only writer; the current one is
        // never freed.
        unsafe { &*old }
            .iter()
            .map(|e| Entry {
                start: e.start,
                end: e.end,
                info: e.info.clone(),
            })
            .collect()
    };
    edit(&mut entries);
    let new = Box::into_raw(Box::new(entries.into_boxed_slice()));
    let old = CURRENT.swap(new, Ordering::SeqCst);
    if !old.is_null() {
        retired.push(Retired(old));
    }
    if READERS.load(Ordering::SeqCst) == 0 {
        for snapshot in retired.drain(..) {
            // SAFETY: came from `Box::into_raw` above, is no longer CURRENT, and no reader
            // can hold it (see CURRENT).
            drop(unsafe { Box::from_raw(snapshot.0) });
        }
    }
}

/// Removes its entry from the registry when dropped. Owners declare it before their code
/// memory, so the range is unregistered before it is unmapped (and maybe reused by another
/// thread's code, which registers an entry of its own: entries are removed by identity).
pub struct Registration {
    info: Arc<CodeInfo>,
}

pub fn register(info: &Arc<CodeInfo>) -> Registration {
    update_registry(|entries| {
        entries.push(Entry {
            start: info.start,
            end: info.end,
            info: info.clone(),
        })
    });
    Registration { info: info.clone() }
}

impl Drop for Registration {
    fn drop(&mut self) {
        update_registry(|entries| entries.retain(|e| !Arc::ptr_eq(&e.info, &self.info)));
    }
}

fn lookup(pc: usize) -> Option<Arc<CodeInfo>> {
    let guard = ReadGuard::new();
    guard
        .entries()
        .iter()
        .find(|e| pc >= e.start && pc < e.end)
        .map(|e| e.info.clone())
}

/// Walks the frame-pointer chain from the trap site. `pc` is a return address (or faulting
/// pc + 1), so `pc - 1` lies inside the instruction of interest. Every frame is kept (the
/// printed backtrace is trimmed, `Trap`'s `Display`), so the outermost frames are there even
/// for a runaway recursion; the walk ends at the first pc outside compiled code, and only
/// goes up the stack (each caller's rbp above its callee's), so it always ends.
pub(crate) fn backtrace(pc: usize, fp: usize) -> Vec<FrameInfo> {
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

/// Where compiled code left off when it called into Rust (a helper, a host function, a callee
/// without code) through a call-out stub: the return address into compiled code, the compiled
/// caller's `rbp` (0: not in a call-out), and the saved `rsp` of the entry it runs under (the
/// top of its compiled frames).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CallOutState {
    pub exit_pc: usize,
    pub exit_fp: usize,
    pub stack_top: usize,
}

/// What a signal interrupted, as the guest profiler needs it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Interrupted {
    /// The interrupted `rsp`: every frame still alive lies above it.
    pub rsp: usize,
    /// Whether the interrupted pc is in compiled code running on this thread's record.
    pub in_compiled: bool,
    /// This thread's innermost entry into compiled code (zeros when none).
    pub live: CallOutState,
    pc: usize,
    fp: usize,
}

/// Reads the interrupted registers and this thread's execution record (never blocks, never
/// allocates).
///
/// # Safety
/// `context` is the `ucontext_t` the kernel passed to a signal handler running on the
/// interrupted thread.
pub(crate) unsafe fn interrupted(context: *const libc::ucontext_t) -> Interrupted {
    // SAFETY: the kernel's ucontext is valid for the handler's duration (contract).
    let (pc, fp, rsp, r12) = unsafe {
        let gregs = &(*context).uc_mcontext.gregs;
        (
            gregs[libc::REG_RIP as usize] as usize,
            gregs[libc::REG_RBP as usize] as usize,
            gregs[libc::REG_RSP as usize] as usize,
            gregs[libc::REG_R12 as usize] as usize,
        )
    };
    let exec: *mut ExecContext = ACTIVE.with(|a| a.get());
    if exec.is_null() {
        return Interrupted {
            rsp,
            in_compiled: false,
            live: CallOutState::default(),
            pc,
            fp,
        };
    }
    // SAFETY: `exec` is this thread's record, alive for the thread's life; the handler runs
    // on the thread that owns it.
    let live = unsafe {
        CallOutState {
            exit_pc: (*exec).exit_pc,
            exit_fp: (*exec).exit_fp,
            stack_top: (*exec).saved_rsp,
        }
    };
    let in_compiled = r12 == exec as usize
        && ReadGuard::new()
            .entries()
            .iter()
            .any(|e| pc >= e.start && pc < e.end);
    Interrupted {
        rsp,
        in_compiled,
        live,
        pc,
        fp,
    }
}

/// The compiled frames of the code a signal interrupted in compiled code (`at.in_compiled`),
/// innermost first, into `out`; returns how many.
pub(crate) fn sample_compiled_frames(at: &Interrupted, out: &mut [SampledFrame]) -> usize {
    if !at.in_compiled {
        return 0;
    }
    walk_sampled(at.pc, at.fp, 0, at.rsp, at.live.stack_top, out)
}

/// The compiled frames below a call-out `state` (the innermost one, or an outer one saved by
/// the tier manager), innermost first, into `out`; `rsp` is the interrupted `rsp`.
pub(crate) fn sample_call_out_frames(
    state: &CallOutState,
    rsp: usize,
    out: &mut [SampledFrame],
) -> usize {
    // A call-out recorded by the `CALL_SLOW` thunk stays behind after it returns: one whose
    // frame is no longer between the interrupted `rsp` and its entry is gone.
    if state.exit_fp == 0 || state.exit_fp < rsp || state.exit_fp > state.stack_top {
        return 0;
    }
    walk_sampled(state.exit_pc, state.exit_fp, 1, rsp, state.stack_top, out)
}

/// The frame-pointer walk of the profiler (never blocks, never allocates). `pc` is the first
/// frame's pc (`adjust` 0: the interrupted instruction; 1: a return address). Every frame
/// pointer is checked to lie, in ascending order, between `low` (the interrupted `rsp`) and
/// `top` (the entry's saved `rsp`) before it is read, so a frame caught in its prologue or
/// epilogue, or a stale call-out, cuts the walk short instead of reading outside the stack.
fn walk_sampled(
    mut pc: usize,
    mut fp: usize,
    mut adjust: usize,
    low: usize,
    top: usize,
    out: &mut [SampledFrame],
) -> usize {
    let registry = ReadGuard::new();
    let mut count = 0;
    let mut lowest_next_fp = low;
    while count < out.len() {
        let at = pc.wrapping_sub(adjust);
        // The snapshot holds each entry's `CodeInfo` alive while we read it (no count is
        // touched, nothing allocates).
        let found = registry
            .entries()
            .iter()
            .filter(|e| at >= e.start && at < e.end)
            .find_map(|e| e.info.func_at(at).map(|f| (f, &e.info)));
        let Some((func_index, info)) = found else {
            break;
        };
        out[count] = SampledFrame {
            func_index,
            from_sidecar: info.from_sidecar,
        };
        count += 1;
        if !fp.is_multiple_of(8) || fp < lowest_next_fp || fp.saturating_add(16) > top {
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
static PREVIOUS: OnceLock<[libc::sigaction; 2]> = OnceLock::new();

/// Installs the SIGSEGV/SIGBUS handler once per process. A failure (of querying the previous
/// handlers or of installing ours) is an error, returned by this and every later call.
pub fn install_signal_handler() -> Result<(), Trap> {
    static OUTCOME: OnceLock<Result<(), String>> = OnceLock::new();
    OUTCOME
        .get_or_init(install_once)
        .clone()
        .map_err(|reason| Trap::host(format!("cannot install the signal handler: {reason}")))
}

fn install_once() -> Result<(), String> {
    let query = |signal: libc::c_int| {
        // SAFETY: querying the current action with a valid out pointer.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut action) == 0 {
                Ok(action)
            } else {
                Err(format!("sigaction: {}", std::io::Error::last_os_error()))
            }
        }
    };
    let current = [query(libc::SIGSEGV)?, query(libc::SIGBUS)?];
    // Recorded before our handler is installed, so the handler always finds them.
    let _ = PREVIOUS.set(current);
    for signal in [libc::SIGSEGV, libc::SIGBUS] {
        // SAFETY: sigaction with a valid handler and an empty mask.
        let status = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut())
        };
        if status != 0 {
            return Err(format!("sigaction: {}", std::io::Error::last_os_error()));
        }
    }
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

/// Called by the signal handler for a fault at `pc`: lock-free, never blocks (see CURRENT).
fn in_compiled_code(pc: usize) -> bool {
    let guard = ReadGuard::new();
    guard.entries().iter().any(|e| pc >= e.start && pc < e.end)
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
        let previous = PREVIOUS.get().map(|p| &p[which]);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A registration of a fake range no real code occupies (low addresses are never mapped).
    fn fake(start: usize) -> (Arc<CodeInfo>, Registration) {
        let module = crate::module::parse(b"\0asm\x01\0\0\0").expect("empty module");
        let info = Arc::new(CodeInfo {
            start,
            end: start + 0x100,
            module: Arc::new(module),
            funcs: vec![(0, 0)],
            pc_map: Vec::new(),
            from_sidecar: false,
        });
        let registration = register(&info);
        (info, registration)
    }

    #[test]
    fn registrations_are_seen_and_removed() {
        let (info, registration) = fake(0x1000);
        assert!(in_compiled_code(0x1010));
        assert!(!in_compiled_code(0x1100));
        assert!(Arc::ptr_eq(&lookup(0x10ff).expect("registered"), &info));
        drop(registration);
        assert!(!in_compiled_code(0x1010));
        assert!(lookup(0x1010).is_none());
    }

    /// The hang this design removes: a fault on a thread in the middle of a write (here: this
    /// thread holds the writer lock) must still find the code ranges, without waiting.
    #[test]
    fn lookup_during_a_write_does_not_block() {
        let (_info, _registration) = fake(0x3000);
        let writing = WRITER
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        assert!(in_compiled_code(0x3000));
        drop(writing);
    }

    /// A reader's snapshot stays valid across writes; it is freed only once no reader is left.
    #[test]
    fn a_held_snapshot_survives_writes() {
        let (_info, registration) = fake(0x5000);
        let guard = ReadGuard::new();
        drop(registration);
        let (_other, _other_registration) = fake(0x6000);
        assert!(guard.entries().iter().any(|e| e.start == 0x5000));
        drop(guard);
        assert!(!in_compiled_code(0x5000));
        assert!(in_compiled_code(0x6000));
    }
}
