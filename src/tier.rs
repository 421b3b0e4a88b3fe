//! The tier manager (ARCHITECTURE.md, "The tier manager"): per-function state and the
//! decisions that move hot code from the interpreter to the JIT.
//!
//! # How it fits together
//!
//! - Every call runs through the interpreter's entry points (`Interp::invoke`,
//!   `Interp::call_at`) and its `Call` instructions. A function whose `FuncRecord::code` is
//!   set runs compiled; otherwise the interpreter counts its calls (at entry) and loop-header
//!   executions (at each `LoopHeader`) in its `Translated` record and reports it here, through
//!   [`crate::interp::Tiering`], when a count reaches its trigger.
//! - Hot by calls: the function is compiled on its own ([`JitModule::compile_function`]), its entry is
//!   stored in the instance's `FuncRecord::code` (code is never patched) and the call goes to
//!   machine code. Compiled code calls other functions through their records (self-recursion
//!   directly), so later calls from either tier reach whatever tier the callee is in.
//! - Hot by a loop: the function is compiled and the interpreter continues in the compiled
//!   code at that loop header (OSR, [`JitModule::osr_entry`]) with its frame as is:
//!   at a loop header every tier keeps every local and operand in its canonical slot. When the
//!   compiled function returns, the interpreter resumes its caller as after a return.
//! - Compiled code reaches functions without code through the JIT's fallback, which runs
//!   them on the same interpreter and the same value stack (`Interp::call_at`): the tiers
//!   share one value stack, so an OSR entry and a call across tiers never copy a frame.
//! - Traps keep one backtrace across tiers: each side appends its own frames, innermost first.
//!
//! # States
//!
//! Per defined function, a [`Slot`] behind the manager's lock: interpreted (never hot, or
//! evicted), compiled (its code, the records using it, when it was last used), or failed (it
//! stays interpreted and the interpreter stops reporting it: tier 1 could not compile it, a
//! limit or a bug, warned about once). Compiling happens under the
//! lock (another thread asking waits). Compiled code is shared by every instance of the
//! module; each instance's record gets the entry the first time the interpreter reports the
//! function for that instance, and becomes one of the code's users. With a code cache size
//! the compiled ones may be evicted back to interpreted ([`TierManager`]'s docs); with
//! `Tier::Jit` and a cache size a manager with threshold 1 compiles each function lazily, as
//! a whole-module buffer (direct calls between its functions) cannot be evicted piecemeal.
//!
//! # Thresholds
//!
//! One number `N` (`Config::jit_threshold`, `--jit-threshold`): a function is compiled at its
//! `N+1`-th call, or when its loop headers have been reached `N` times in total (the first
//! execution of a header counts, so with `N = 1` a function is compiled at its second call
//! or at its first loop). The default, [`DEFAULT_JIT_THRESHOLD`], was chosen by measurement
//! (see its docs).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use crate::interp::{Interp, ModuleCode, Tiering, TranslationStats};
use crate::jit::JitModule;
use crate::jit::compile::CpuFeatures;
use crate::jit::entry::Fallback;
use crate::module::ModuleInfo;
use crate::runtime::{FuncRecord, Trap, VmCtx};

/// The default of `--jit-threshold`.
///
/// Measured with `scripts/bench` programs and the 1500-function start-up module (see the
/// README's "Tiers" section for the numbers): lower values compile functions that run only a
/// few times (start-up cost on large modules), higher ones leave call-heavy programs in the
/// interpreter for longer. Baseline compilation is cheap, so the knee is low.
pub const DEFAULT_JIT_THRESHOLD: u32 = 1000;

/// What made a function hot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Calls,
    Loop,
}

impl std::fmt::Display for Trigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Trigger::Calls => "calls",
            Trigger::Loop => "hot loop",
        })
    }
}

/// Totals for `--stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TierStats {
    /// Functions that ran in the interpreter (translated at least once).
    pub interpreted: usize,
    /// The interpreter's translation of them (its `functions` is `interpreted`).
    pub translation: TranslationStats,
    /// Functions compiled (a function evicted and compiled again counts again).
    pub compiled: usize,
    /// Functions entered through OSR at least once, and the number of OSR entries.
    pub osr_functions: usize,
    pub osr_entries: u64,
    /// Time spent compiling, and the machine code produced.
    pub compile_time: Duration,
    pub code_bytes: u64,
    /// Of `code_bytes`, the machine code mapped from a sidecar or a code-cache entry rather
    /// than compiled in this run.
    pub mapped_code_bytes: u64,
    // Bounded code memory (issue 15).
    /// Compiled functions evicted from the code cache, and how many of them were on the
    /// stack then (their code was freed once they returned).
    pub evictions: u64,
    pub evictions_on_stack: u64,
    /// Most and current bytes of code memory held (pages of live and evicted-but-unfreed
    /// code; with `Tier::Jit` the module's code).
    pub peak_code_memory: u64,
    pub code_memory: u64,
    /// Functions that started compiled from the code cache (issue 17; `aot::cache`).
    pub from_cache: usize,
    /// With `Tier::Opt`: functions tier 2 compiled and those that went to tier 1.
    pub tier2: Option<crate::jit::opt::compile::OptStats>,
}

/// Threshold of a module whose functions were all compiled before start (`Tier::Jit`, an
/// AOT sidecar): nothing is ever reported hot, the manager only enters compiled code.
pub const NEVER: u32 = u32::MAX;

/// A function record that holds compiled code of the manager, with the thread that owns it
/// (the thread of its store: stores are not `Send`).
struct User {
    record: *const FuncRecord,
    thread: ThreadId,
}

/// One defined function's place in the manager.
enum Slot {
    /// No code (never hot, or evicted).
    Interpreted,
    Compiled(Compiled),
    /// Compiling failed: it stays interpreted.
    Failed,
}

struct Compiled {
    code: Arc<JitModule>,
    /// Bytes counted against the code cache ([`JitModule::memory_bytes`]).
    bytes: u64,
    /// The manager's clock when the code was last handed out (LRU order).
    last_used: u64,
    /// Every record whose `code` points into `code`.
    users: Vec<User>,
}

/// The compiled code of a module and its accounting, behind the manager's lock.
struct Cache {
    slots: Box<[Slot]>,
    /// Advanced on every use; `Compiled::last_used` is a reading of it.
    clock: u64,
    /// Bytes of the compiled functions in `slots`, and of the evicted code not freed yet.
    live_bytes: u64,
    retired_bytes: u64,
    /// Evicted code some frame of this thread may still run or return into.
    retired: Vec<(Arc<JitModule>, u64)>,
    /// Per defined function: the bytes its code took when last compiled (0: never).
    known_sizes: Box<[u64]>,
    peak_bytes: u64,
    evictions: u64,
    evictions_on_stack: u64,
}

// SAFETY: the raw record pointers in `users` are dereferenced only by the thread recorded
// with them (eviction only evicts functions whose every user is the evicting thread), and
// only while the record is alive (a store forgets its records before dropping them).
unsafe impl Send for Cache {}

/// The per-module tier manager (`Tier::Auto`; with [`NEVER`] for precompiled modules).
///
/// # Bounded code memory
///
/// With a cache size (`Config::jit_cache_size`), compiling a function whose code would push
/// the module's code memory (live compiled functions plus evicted code not yet freed, in
/// pages) past it first evicts the least recently used compiled functions: every record
/// using the victim gets a null `code` again (callers take `CALL_SLOW`, the interpreter runs
/// it), its interpreter counters restart from zero (it is compiled again once hot again), and
/// its code is retired. "Used" is when the manager last handed the code out (compiled it,
/// attached it to an instance's record, entered one of its loops by OSR): no cost on any
/// call, at the price of not seeing calls between compiled functions (for those it is the
/// order of tier-up). Victims no compiled frame of this thread is in go first, and their code
/// is freed at once; a victim on the stack is retired, and freed once no compiled frame of
/// this thread is in it any more ([`crate::jit::entry::code_ranges_on_stack`], checked at
/// every later compile). Only the evicting thread can run the code, because a function is
/// evicted only when every record using it belongs to a store of the evicting thread
/// (functions shared with stores of other threads are never victims). Freeing the
/// `JitModule` drops its code-registry entry with it, so the signal handler and the profiler
/// stop seeing the range when, and only when, nothing can run it. When there is no room (the
/// rest pinned on the stack or shared), the new function stays interpreted for now, without
/// being compiled at all if even its last known size cannot fit; it is asked for again when
/// hot again.
pub struct TierManager {
    module: Arc<ModuleInfo>,
    threshold: u32,
    /// Compile with fuel charges (`Config::consume_fuel`).
    consume_fuel: bool,
    cpu: CpuFeatures,
    cache_size: Option<u64>,
    cache: Mutex<Cache>,
    /// The interpreter's code of this module (to restart an evicted function's counters).
    interp_code: OnceLock<Weak<ModuleCode>>,
    /// Per defined function: entered through OSR at least once.
    osr_used: Box<[AtomicBool]>,
    osr_entries: AtomicU64,
    compile_nanos: AtomicU64,
    code_bytes: AtomicU64,
    compiled_count: AtomicU64,
}

impl TierManager {
    pub fn new(module: &Arc<ModuleInfo>, threshold: u32) -> TierManager {
        Self::with_cache_size(module, threshold, None)
    }

    /// A manager whose compiled code stays within `cache_size` bytes (see the type's docs).
    pub fn with_cache_size(
        module: &Arc<ModuleInfo>,
        threshold: u32,
        cache_size: Option<u64>,
    ) -> TierManager {
        let n = module.bodies.len();
        TierManager {
            module: module.clone(),
            consume_fuel: false,
            threshold: threshold.max(1),
            cpu: CpuFeatures::detect(),
            cache_size,
            cache: Mutex::new(Cache {
                slots: (0..n).map(|_| Slot::Interpreted).collect(),
                clock: 0,
                live_bytes: 0,
                retired_bytes: 0,
                retired: Vec::new(),
                known_sizes: vec![0; n].into_boxed_slice(),
                peak_bytes: 0,
                evictions: 0,
                evictions_on_stack: 0,
            }),
            interp_code: OnceLock::new(),
            osr_used: (0..n).map(|_| AtomicBool::new(false)).collect(),
            osr_entries: AtomicU64::new(0),
            compile_nanos: AtomicU64::new(0),
            code_bytes: AtomicU64::new(0),
            compiled_count: AtomicU64::new(0),
        }
    }

    /// This manager compiling with fuel charges when `consume_fuel` (`Config::consume_fuel`),
    /// so its code charges exactly as the interpreter does (ARCHITECTURE.md "Fuel").
    pub fn metered(mut self, consume_fuel: bool) -> TierManager {
        self.consume_fuel = consume_fuel;
        self
    }

    /// Tells the manager the interpreter's code of its module (once, by `Module`).
    pub fn attach_interp_code(&self, code: &Arc<ModuleCode>) {
        let _ = self.interp_code.set(Arc::downgrade(code));
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        // A poisoned cache is still consistent: every update is completed before any call
        // that could panic.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The compiled code of `func_index` (imports counted) for `record`, compiling it if it
    /// has none; `record` becomes one of its users.
    fn function(
        &self,
        record: &FuncRecord,
        func_index: u32,
        trigger: Trigger,
    ) -> Option<Arc<JitModule>> {
        if self.threshold == NEVER {
            return None;
        }
        let defined = func_index.checked_sub(self.module.num_imported_funcs)? as usize;
        let mut cache = self.lock();
        let cache = &mut *cache;
        cache.clock += 1;
        let now = cache.clock;
        let user = User {
            record,
            thread: std::thread::current().id(),
        };
        match cache.slots.get_mut(defined)? {
            Slot::Failed => return None,
            Slot::Compiled(compiled) => {
                compiled.last_used = now;
                if !compiled
                    .users
                    .iter()
                    .any(|u| std::ptr::eq(u.record, record))
                {
                    compiled.users.push(user);
                }
                return Some(compiled.code.clone());
            }
            Slot::Interpreted => {}
        }
        if let Some(limit) = self.cache_size
            && !Self::room_possible(cache, defined, limit)
        {
            return None;
        }
        let started = Instant::now();
        let result =
            JitModule::compile_function(&self.module, func_index, self.cpu, self.consume_fuel);
        let elapsed = started.elapsed();
        self.compile_nanos
            .fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
        let name = self.module.func_name(func_index).unwrap_or("");
        let code = match result {
            Ok(code) => code,
            Err(message) => {
                log::warn!("function {func_index} {name:?} stays interpreted: {message}");
                cache.slots[defined] = Slot::Failed;
                return None;
            }
        };
        let bytes = code.memory_bytes() as u64;
        cache.known_sizes[defined] = bytes;
        if let Some(limit) = self.cache_size
            && bytes > limit
        {
            log::debug!(
                "function {func_index} {name:?} stays interpreted: its {bytes} bytes exceed \
                 the code cache ({limit} bytes)"
            );
            cache.slots[defined] = Slot::Failed;
            return None;
        }
        if let Some(limit) = self.cache_size
            && !self.make_room(cache, defined, bytes, limit)
        {
            log::debug!(
                "function {func_index} {name:?} stays interpreted for now: no room for its \
                 {bytes} bytes in the code cache ({limit} bytes)"
            );
            return None;
        }
        self.code_bytes
            .fetch_add(code.code_len() as u64, Ordering::Relaxed);
        self.compiled_count.fetch_add(1, Ordering::Relaxed);
        log::debug!(
            "tier-up: function {func_index} {name:?} ({trigger}): {} bytes in {:?}",
            code.code_len(),
            elapsed
        );
        let code = Arc::new(code);
        cache.live_bytes += bytes;
        cache.peak_bytes = cache.peak_bytes.max(cache.live_bytes + cache.retired_bytes);
        cache.slots[defined] = Slot::Compiled(Compiled {
            code: code.clone(),
            bytes,
            last_used: now,
            users: vec![user],
        });
        Some(code)
    }

    /// Evicts compiled functions (never `keep`) until `bytes` more fit within `limit`: first
    /// those no frame of this thread is running, least recently used first (their code is
    /// freed at once), then those on the stack (their code is retired until they return, so
    /// the room only comes later). False if the bytes do not fit now.
    fn make_room(&self, cache: &mut Cache, keep: usize, bytes: u64, limit: u64) -> bool {
        Self::free_retired(cache);
        let this_thread = std::thread::current().id();
        let candidates: Vec<(usize, u64, (usize, usize))> = cache
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| match slot {
                Slot::Compiled(c)
                    if i != keep && c.users.iter().all(|u| u.thread == this_thread) =>
                {
                    Some((i, c.last_used, c.code.code_range()))
                }
                _ => None,
            })
            .collect();
        let ranges: Vec<(usize, usize)> = candidates.iter().map(|c| c.2).collect();
        let on_stack = crate::jit::entry::code_ranges_on_stack(&ranges);
        let mut order: Vec<(bool, u64, usize)> = candidates
            .iter()
            .zip(on_stack)
            .map(|(&(i, last_used, _), on_stack)| (on_stack, last_used, i))
            .collect();
        order.sort_unstable();
        let mut order = order.into_iter();
        while cache.live_bytes + cache.retired_bytes + bytes > limit {
            let Some((on_stack, _, victim)) = order.next() else {
                return false;
            };
            let Slot::Compiled(evicted) =
                std::mem::replace(&mut cache.slots[victim], Slot::Interpreted)
            else {
                unreachable!("the victim was chosen among compiled slots")
            };
            for user in &evicted.users {
                // SAFETY: every user is a record of a store of this thread (the filter
                // above), alive (stores forget their records before freeing them), and
                // only this thread reads or writes it.
                unsafe { (*user.record).code.set(std::ptr::null()) };
            }
            let func_index = self.module.num_imported_funcs + victim as u32;
            if let Some(code) = self.interp_code.get().and_then(Weak::upgrade) {
                code.reset_counters(func_index);
            }
            log::debug!(
                "evicted function {func_index} {:?}: {} bytes{}",
                self.module.func_name(func_index).unwrap_or(""),
                evicted.bytes,
                if on_stack {
                    " (on the stack: freed once it returns)"
                } else {
                    ""
                }
            );
            cache.live_bytes -= evicted.bytes;
            cache.evictions += 1;
            if on_stack {
                cache.evictions_on_stack += 1;
                cache.retired_bytes += evicted.bytes;
                cache.retired.push((evicted.code, evicted.bytes));
            }
            // Otherwise dropped here: no frame of this thread is in it and no other thread
            // uses it, so its pages are unmapped and its registry entry removed now.
        }
        true
    }

    /// Whether compiling defined function `defined` may find room within `limit`: the code
    /// that cannot be evicted now (retired code still on the stack, functions used by other
    /// threads) leaves room for its last known size (at least a page). Saves compiling code
    /// only to throw it away while the cache is pinned.
    fn room_possible(cache: &mut Cache, defined: usize, limit: u64) -> bool {
        Self::free_retired(cache);
        let this_thread = std::thread::current().id();
        let shared: u64 = cache
            .slots
            .iter()
            .filter_map(|slot| match slot {
                Slot::Compiled(c) if c.users.iter().any(|u| u.thread != this_thread) => {
                    Some(c.bytes)
                }
                _ => None,
            })
            .sum();
        let page = region::page::size() as u64;
        let needed = cache
            .known_sizes
            .get(defined)
            .copied()
            .unwrap_or(0)
            .max(page);
        cache.retired_bytes + shared + needed <= limit
    }

    /// Frees the retired code no frame of this thread can run or return into.
    fn free_retired(cache: &mut Cache) {
        if cache.retired.is_empty() {
            return;
        }
        let ranges: Vec<(usize, usize)> =
            cache.retired.iter().map(|(c, _)| c.code_range()).collect();
        let on_stack = crate::jit::entry::code_ranges_on_stack(&ranges);
        let mut index = 0;
        cache.retired.retain(|(_, bytes)| {
            let keep = on_stack[index];
            index += 1;
            if !keep {
                cache.retired_bytes -= bytes;
            }
            keep
        });
    }

    /// Records `records` (the defined functions of an instance whose store is being dropped)
    /// stop being users of any code.
    pub fn forget_records(&self, records: &[FuncRecord]) {
        let range = records.as_ptr_range();
        let mut cache = self.lock();
        for slot in cache.slots.iter_mut() {
            if let Slot::Compiled(compiled) = slot {
                compiled.users.retain(|u| !range.contains(&u.record));
            }
        }
    }

    /// The functions (indices with imports counted) this manager holds compiled code for now,
    /// ascending: what the code cache learns from a run.
    pub fn compiled_functions(&self) -> Vec<u32> {
        let first = self.module.num_imported_funcs;
        self.lock()
            .slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| matches!(slot, Slot::Compiled(_)))
            .map(|(defined, _)| first + defined as u32)
            .collect()
    }

    /// Statistics of this module's compilation (the interpreter's counts are added by the
    /// caller).
    pub fn stats(&self) -> TierStats {
        let cache = self.lock();
        TierStats {
            interpreted: 0,
            translation: TranslationStats::default(),
            compiled: self.compiled_count.load(Ordering::Relaxed) as usize,
            osr_functions: self
                .osr_used
                .iter()
                .filter(|u| u.load(Ordering::Relaxed))
                .count(),
            osr_entries: self.osr_entries.load(Ordering::Relaxed),
            compile_time: Duration::from_nanos(self.compile_nanos.load(Ordering::Relaxed)),
            code_bytes: self.code_bytes.load(Ordering::Relaxed),
            mapped_code_bytes: 0,
            evictions: cache.evictions,
            evictions_on_stack: cache.evictions_on_stack,
            peak_code_memory: cache.peak_bytes,
            code_memory: cache.live_bytes + cache.retired_bytes,
            from_cache: 0,
            tier2: None,
        }
    }
}

impl Tiering for TierManager {
    fn triggers(&self) -> (u32, u32) {
        (self.threshold, self.threshold)
    }

    fn compile_for_call(&self, record: &FuncRecord) -> Option<*const u8> {
        let entry = self
            .function(record, record.func_index, Trigger::Calls)?
            .entry(record.func_index)?;
        record.code.set(entry);
        Some(entry)
    }

    fn osr_entry(&self, record: &FuncRecord, wasm_offset: u32) -> Option<*const u8> {
        let code = self.function(record, record.func_index, Trigger::Loop)?;
        record.code.set(code.entry(record.func_index)?);
        let entry = code.osr_entry(record.func_index, wasm_offset)?;
        let defined = (record.func_index - self.module.num_imported_funcs) as usize;
        if let Some(used) = self.osr_used.get(defined)
            && !used.swap(true, Ordering::Relaxed)
        {
            log::debug!(
                "osr: function {} {:?} entered at the loop at offset {wasm_offset:#x}",
                record.func_index,
                self.module.func_name(record.func_index).unwrap_or("")
            );
        }
        self.osr_entries.fetch_add(1, Ordering::Relaxed);
        Some(entry)
    }

    fn may_retry(&self, record: &FuncRecord) -> bool {
        let Some(defined) = record
            .func_index
            .checked_sub(self.module.num_imported_funcs)
        else {
            return false;
        };
        self.cache_size.is_some()
            && self.threshold != NEVER
            && matches!(
                self.lock().slots.get(defined as usize),
                Some(Slot::Interpreted)
            )
    }

    unsafe fn run_compiled(
        &self,
        interp: *mut Interp,
        entry: *const u8,
        vmctx: *mut VmCtx,
        fp: *mut u64,
        stack_end: *mut u64,
        depth_left: u64,
    ) -> Result<(), Trap> {
        // SAFETY: forwarded contract.
        unsafe { run_compiled(interp, entry, vmctx, fp, stack_end, depth_left) }
    }
}

/// Enters compiled code with the interpreter `interp` as the fallback for functions without
/// code (shared by every mode that runs compiled code).
///
/// # Safety
/// The contract of [`Tiering::run_compiled`].
pub unsafe fn run_compiled(
    interp: *mut Interp,
    entry: *const u8,
    vmctx: *mut VmCtx,
    fp: *mut u64,
    stack_end: *mut u64,
    depth_left: u64,
) -> Result<(), Trap> {
    let fallback = Fallback {
        call: interp_fallback,
        ctx: interp.cast(),
    };
    let mark = crate::profile::guest::compiled_enter(crate::jit::entry::call_out_state);
    // SAFETY: forwarded contract.
    let result =
        unsafe { crate::jit::enter(entry, vmctx, fp, stack_end, depth_left, Some(fallback)) };
    crate::profile::guest::compiled_leave(mark);
    result
}

/// The JIT's fallback: runs `record` (a function without code, or for a tail call one of
/// another instance) on the interpreter `ctx`; for a tail call (`bounce` non-null) it hands
/// back compiled code of `bounce`'s instance the chain tail-calls (see
/// [`Interp::tail_call_at`]).
///
/// # Safety
/// `ctx` is the `Interp` that entered the compiled code now calling (see [`run_compiled`]);
/// `record` and `args` follow [`Interp::call_at`].
unsafe fn interp_fallback(
    ctx: *mut (),
    record: *const FuncRecord,
    args: *mut u64,
    depth_left: u64,
    bounce: *mut VmCtx,
) -> Result<Option<*const u8>, Trap> {
    // SAFETY: per the contract; the interpreter is suspended in `run_compiled` meanwhile.
    unsafe { (*ctx.cast::<Interp>()).tail_call_at(record, args, depth_left, bounce) }
}
