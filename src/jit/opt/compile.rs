//! Tier 2's driver: one function from wasm to machine code (build, passes, lowering,
//! register allocation, emission), and a whole module for `--tier opt`, where a function
//! tier 2 does not take goes to tier 1 in the same buffer.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::builder::{self, BuildInfo};
use super::emit::{self, EmitInput};
use super::ir::Function;
use super::lower::{self, VCode};
use super::passes;
use crate::jit::CompileError;
use crate::jit::baseline::{self, CompiledCode, CpuFeatures, FunctionSlot};
use crate::module::ModuleInfo;

/// Spill slots past which a function goes to tier 1: its native frame would pass what the
/// native stack is sized for per frame (ARCHITECTURE.md "Stack limits": 2048 bytes a frame
/// crossing tiers; tier 2 frames stay under 1 KiB).
const MAX_SPILL_SLOTS: usize = 120;

/// A function ready to emit: optimized IR, its machine-level form and the allocation.
pub struct Prepared {
    func: Function,
    info: BuildInfo,
    code: VCode,
    alloc: regalloc2::Output,
    regalloc_time: Duration,
}

impl Prepared {
    /// Spill slots the allocator used.
    pub fn spill_slots(&self) -> usize {
        self.alloc.num_spillslots
    }

    /// Moves the allocator inserted (spills, reloads, block-argument and split moves).
    pub fn moves(&self) -> usize {
        self.alloc.edits.len()
    }

    /// The optimized IR.
    pub fn ir(&self) -> &Function {
        &self.func
    }
}

/// Everything up to emission for defined function `func_index` (imports counted); `Err`
/// says why tier 2 does not take it (the function then goes to tier 1).
pub fn prepare(
    module: &ModuleInfo,
    func_index: u32,
    cpu: CpuFeatures,
    consume_fuel: bool,
) -> Result<Prepared, String> {
    // Fuel and epoch checks are charged per wasm block by tier 1 (`module::fuel`); the IR
    // does not carry the fuel blocks yet.
    if consume_fuel {
        return Err("fuel metering is not lowered by tier 2".into());
    }
    if module.epoch_checks {
        return Err("epoch checks are not lowered by tier 2".into());
    }
    let (mut func, info) =
        builder::build_with_info(module, func_index).map_err(|e| e.to_string())?;
    passes::run_all(&mut func)?;
    let code = lower::lower(&func, &info, cpu).map_err(|e| e.to_string())?;
    let options = regalloc2::RegallocOptions {
        verbose_log: false,
        validate_ssa: cfg!(debug_assertions),
        algorithm: regalloc2::Algorithm::Ion,
    };
    let started = Instant::now();
    let alloc = regalloc2::run(&code, &lower::machine_env(), &options)
        .map_err(|e| format!("register allocation failed: {e:?}"))?;
    let regalloc_time = started.elapsed();
    if alloc.num_spillslots > MAX_SPILL_SLOTS {
        return Err(format!(
            "{} spill slots (at most {MAX_SPILL_SLOTS})",
            alloc.num_spillslots
        ));
    }
    Ok(Prepared {
        func,
        info,
        code,
        alloc,
        regalloc_time,
    })
}

/// Emits a prepared function at `slot`'s position.
pub fn emit(
    module: &ModuleInfo,
    prepared: &Prepared,
    cpu: CpuFeatures,
    slot: FunctionSlot<'_>,
) -> Result<(), CompileError> {
    let input = EmitInput {
        module,
        func: &prepared.func,
        info: &prepared.info,
        code: &prepared.code,
        alloc: &prepared.alloc,
        cpu,
        func_labels: slot.func_labels,
    };
    emit::emit_function(slot.masm, &input, slot.pc_map, slot.data).map_err(|message| {
        CompileError::Internal {
            function: Some(slot.func_index),
            message: format!("tier 2 emission: {message}"),
        }
    })
}

/// What `--tier opt` did (for `--stats` and the spec harness).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptStats {
    /// Functions compiled by tier 2.
    pub optimized: usize,
    /// Functions tier 2 did not take, compiled by tier 1 instead.
    pub fell_back: usize,
    /// Time in tier 2 (building, passes, lowering, allocation, emission), and in the
    /// allocator alone.
    pub time: Duration,
    pub regalloc_time: Duration,
    /// Spill slots and allocator moves over all tier 2 functions.
    pub spill_slots: usize,
    pub moves: usize,
}

/// Functions compiled by tier 2 and functions that fell back to tier 1, over every
/// [`compile_module`] of this process (the spec harness reports them per tier).
static OPTIMIZED: AtomicUsize = AtomicUsize::new(0);
static FELL_BACK: AtomicUsize = AtomicUsize::new(0);

/// `(compiled by tier 2, fell back to tier 1)` so far in this process.
pub fn totals() -> (usize, usize) {
    (
        OPTIMIZED.load(Ordering::Relaxed),
        FELL_BACK.load(Ordering::Relaxed),
    )
}

/// Compiles every defined function of `module`: with tier 2 where it takes the function,
/// else with tier 1 (logged at debug level), into one buffer.
pub fn compile_module(
    module: &Arc<ModuleInfo>,
    cpu: CpuFeatures,
    consume_fuel: bool,
) -> Result<(CompiledCode, OptStats), CompileError> {
    let all: Vec<u32> = (0..module.bodies.len() as u32)
        .map(|defined| module.num_imported_funcs + defined)
        .collect();
    let mut stats = OptStats::default();
    let mut first = |slot: FunctionSlot<'_>| {
        let started = Instant::now();
        let prepared = match prepare(module, slot.func_index, cpu, consume_fuel) {
            Ok(prepared) => prepared,
            Err(reason) => {
                log::debug!(
                    "tier 2: function {} goes to tier 1: {reason}",
                    slot.func_index
                );
                stats.fell_back += 1;
                stats.time += started.elapsed();
                return None;
            }
        };
        stats.optimized += 1;
        stats.spill_slots += prepared.spill_slots();
        stats.moves += prepared.moves();
        stats.regalloc_time += prepared.regalloc_time;
        let result = emit(module, &prepared, cpu, slot).map(|()| Vec::new());
        stats.time += started.elapsed();
        Some(result)
    };
    let code = baseline::compile_functions_with(
        module,
        &all,
        cpu,
        consume_fuel,
        &mut |_, _| {},
        &mut first,
    )?;
    OPTIMIZED.fetch_add(stats.optimized, Ordering::Relaxed);
    FELL_BACK.fetch_add(stats.fell_back, Ordering::Relaxed);
    Ok((code, stats))
}
