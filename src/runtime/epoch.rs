//! The engine's epoch (ARCHITECTURE.md "Deadlines"): a counter that `Engine::increment_epoch`
//! advances, and the executions that wait for it. Compiled code does not read the counter: an
//! execution with a deadline registers its thread's stack-limit word here ([`Epoch::watch`]),
//! and the increment that reaches the deadline sets that word to `usize::MAX`, so the stack
//! check every compiled prologue makes anyway (and the one at each loop header, compiled only
//! with epoch interruption) fails; the entry then reports "interrupt" instead of "call stack
//! exhausted" (it sees the `interrupted` flag set with the word).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// An epoch counter and its waiters. `repr(C)` with the counter first: `VmCtx::epoch` points
/// here, and the interpreter's `EpochCheck` reads the counter.
#[repr(C)]
pub struct Epoch {
    pub counter: AtomicU64,
    waiters: Mutex<Vec<Waiter>>,
}

/// An execution waiting for a deadline: the words to set when it passes.
struct Waiter {
    id: u64,
    deadline: u64,
    stack_limit: *const AtomicUsize,
    interrupted: *const AtomicBool,
}

// SAFETY: the pointers are to a thread's leaked execution record (never freed), written only
// atomically here; a waiter is removed (by its guard) before its execution ends.
unsafe impl Send for Waiter {}

/// The epoch of contexts whose store has none: it never advances and nobody waits on it.
pub static NO_EPOCH: Epoch = Epoch::new();

impl Default for Epoch {
    fn default() -> Epoch {
        Epoch::new()
    }
}

impl Epoch {
    pub const fn new() -> Epoch {
        Epoch {
            counter: AtomicU64::new(0),
            waiters: Mutex::new(Vec::new()),
        }
    }

    /// Advances the epoch by one and interrupts the executions whose deadline it reaches.
    pub fn increment(&self) {
        let now = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        let waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        for waiter in waiters.iter().filter(|w| now >= w.deadline) {
            // SAFETY: a registered waiter's words are alive (see `Waiter`).
            unsafe { interrupt(waiter.stack_limit, waiter.interrupted) };
        }
    }

    /// Registers an execution with `deadline` until the guard is dropped: when the epoch
    /// reaches it (already, or by a later [`Epoch::increment`]), `interrupted` is set and
    /// `stack_limit` becomes `usize::MAX`.
    ///
    /// # Safety
    /// Both words stay alive until the guard is dropped.
    pub unsafe fn watch(
        &self,
        deadline: u64,
        stack_limit: *const AtomicUsize,
        interrupted: *const AtomicBool,
    ) -> Watch<'_> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let mut waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        waiters.push(Waiter {
            id,
            deadline,
            stack_limit,
            interrupted,
        });
        if self.counter.load(Ordering::SeqCst) >= deadline {
            // SAFETY: per the contract.
            unsafe { interrupt(stack_limit, interrupted) };
        }
        Watch { epoch: self, id }
    }
}

/// # Safety
/// Both pointers are alive.
unsafe fn interrupt(stack_limit: *const AtomicUsize, interrupted: *const AtomicBool) {
    // SAFETY: per the contract. The flag first: whoever sees the limit fail sees the flag.
    unsafe {
        (*interrupted).store(true, Ordering::SeqCst);
        (*stack_limit).store(usize::MAX, Ordering::SeqCst);
    }
}

/// Unregisters its execution when dropped ([`Epoch::watch`]).
pub struct Watch<'a> {
    epoch: &'a Epoch,
    id: u64,
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        let mut waiters = self.epoch.waiters.lock().unwrap_or_else(|e| e.into_inner());
        waiters.retain(|w| w.id != self.id);
    }
}
