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
//! Per defined function: interpreted (no entry in `compiled`), compiling (inside the
//! `OnceLock` initialisation: another thread asking waits), compiled (`Some(code)`), or
//! failed (`None`: it stays interpreted and the interpreter stops reporting it). Compiled
//! code is shared by every instance of the module; each instance's record gets the entry
//! the first time the interpreter reports the function for that instance.
//!
//! # Thresholds
//!
//! One number `N` (`Config::jit_threshold`, `--jit-threshold`): a function is compiled at its
//! `N+1`-th call, or when its loop headers have been reached `N` times in total (the first
//! execution of a header counts, so with `N = 1` a function is compiled at its second call
//! or at its first loop). The default, [`DEFAULT_JIT_THRESHOLD`], was chosen by measurement
//! (see its docs).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::interp::{Interp, Tiering};
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
    /// Functions with machine code.
    pub compiled: usize,
    /// Functions entered through OSR at least once, and the number of OSR entries.
    pub osr_functions: usize,
    pub osr_entries: u64,
    /// Time spent compiling, and the machine code produced.
    pub compile_time: Duration,
    pub code_bytes: u64,
}

/// Threshold of a module whose functions were all compiled before start (`Tier::Jit`, an
/// AOT sidecar): nothing is ever reported hot, the manager only enters compiled code.
pub const NEVER: u32 = u32::MAX;

/// The per-module tier manager (`Tier::Auto`; with [`NEVER`] for precompiled modules).
pub struct TierManager {
    module: Arc<ModuleInfo>,
    threshold: u32,
    /// Compile with fuel charges (`Config::consume_fuel`).
    consume_fuel: bool,
    cpu: CpuFeatures,
    /// Per defined function: its compiled code once hot (`None`: compiling failed).
    compiled: Box<[OnceLock<Option<JitModule>>]>,
    /// Per defined function: entered through OSR at least once.
    osr_used: Box<[AtomicBool]>,
    osr_entries: AtomicU64,
    compile_nanos: AtomicU64,
    code_bytes: AtomicU64,
}

impl TierManager {
    pub fn new(module: &Arc<ModuleInfo>, threshold: u32) -> TierManager {
        Self::metered(module, threshold, false)
    }

    /// [`TierManager::new`] for an engine with `Config::consume_fuel`: the code it compiles
    /// charges fuel exactly as the interpreter does (ARCHITECTURE.md "Fuel").
    pub fn metered(module: &Arc<ModuleInfo>, threshold: u32, consume_fuel: bool) -> TierManager {
        let n = module.bodies.len();
        TierManager {
            module: module.clone(),
            consume_fuel,
            threshold: threshold.max(1),
            cpu: CpuFeatures::detect(),
            compiled: (0..n).map(|_| OnceLock::new()).collect(),
            osr_used: (0..n).map(|_| AtomicBool::new(false)).collect(),
            osr_entries: AtomicU64::new(0),
            compile_nanos: AtomicU64::new(0),
            code_bytes: AtomicU64::new(0),
        }
    }

    /// The compiled code of `func_index` (imports counted), compiling it on first request.
    fn function(&self, func_index: u32, trigger: Trigger) -> Option<&JitModule> {
        if self.threshold == NEVER {
            return None;
        }
        let defined = func_index.checked_sub(self.module.num_imported_funcs)? as usize;
        self.compiled
            .get(defined)?
            .get_or_init(|| {
                let started = Instant::now();
                let result = JitModule::compile_function(
                    &self.module,
                    func_index,
                    self.cpu,
                    self.consume_fuel,
                );
                let elapsed = started.elapsed();
                self.compile_nanos
                    .fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
                let name = self.module.func_name(func_index).unwrap_or("");
                match result {
                    Ok(code) => {
                        self.code_bytes
                            .fetch_add(code.code_len() as u64, Ordering::Relaxed);
                        log::debug!(
                            "tier-up: function {func_index} {name:?} ({trigger}): {} bytes in {:?}",
                            code.code_len(),
                            elapsed
                        );
                        Some(code)
                    }
                    Err(message) => {
                        log::warn!("function {func_index} {name:?} stays interpreted: {message}");
                        None
                    }
                }
            })
            .as_ref()
    }

    /// Statistics of this module's compilation (the interpreter's count is added by the caller).
    pub fn stats(&self) -> TierStats {
        TierStats {
            interpreted: 0,
            compiled: self
                .compiled
                .iter()
                .filter(|c| matches!(c.get(), Some(Some(_))))
                .count(),
            osr_functions: self
                .osr_used
                .iter()
                .filter(|u| u.load(Ordering::Relaxed))
                .count(),
            osr_entries: self.osr_entries.load(Ordering::Relaxed),
            compile_time: Duration::from_nanos(self.compile_nanos.load(Ordering::Relaxed)),
            code_bytes: self.code_bytes.load(Ordering::Relaxed),
        }
    }
}

impl Tiering for TierManager {
    fn triggers(&self) -> (u32, u32) {
        (self.threshold, self.threshold)
    }

    fn compile_for_call(&self, record: &FuncRecord) -> Option<*const u8> {
        let entry = self
            .function(record.func_index, Trigger::Calls)?
            .entry(record.func_index)?;
        record.code.set(entry);
        Some(entry)
    }

    fn osr_entry(&self, record: &FuncRecord, wasm_offset: u32) -> Option<*const u8> {
        let code = self.function(record.func_index, Trigger::Loop)?;
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

    unsafe fn run_compiled(
        &self,
        interp: *mut Interp,
        entry: *const u8,
        vmctx: *mut VmCtx,
        fp: *mut u64,
        stack_end: *mut u64,
    ) -> Result<(), Trap> {
        // SAFETY: forwarded contract.
        unsafe { run_compiled(interp, entry, vmctx, fp, stack_end) }
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
) -> Result<(), Trap> {
    let fallback = Fallback {
        call: interp_fallback,
        ctx: interp.cast(),
    };
    // SAFETY: forwarded contract.
    unsafe { crate::jit::enter(entry, vmctx, fp, stack_end, Some(fallback)) }
}

/// The JIT's fallback: runs `record` (a function without code) on the interpreter `ctx`.
///
/// # Safety
/// `ctx` is the `Interp` that entered the compiled code now calling (see [`run_compiled`]);
/// `record` and `args` follow [`Interp::call_at`].
unsafe fn interp_fallback(
    ctx: *mut (),
    record: *const FuncRecord,
    args: *mut u64,
) -> Result<(), Trap> {
    // SAFETY: per the contract; the interpreter is suspended in `run_compiled` meanwhile.
    unsafe { (*ctx.cast::<Interp>()).call_at(record, args) }
}
