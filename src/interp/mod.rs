//! Tier 0: the interpreter (ARCHITECTURE.md, "Tier 0").
//!
//! CONTRACT with `lib.rs` / `runtime`:
//! - `ModuleCode::new(&Arc<ModuleInfo>)` is created once per `Module` and carried by every
//!   instance as `InstanceData::tier_code` (an `Arc<dyn Any>` holding a `ModuleCode`); it caches
//!   the lazily translated functions.
//! - `Interp` is the per-store execution state (value stack, call frames); `Interp::invoke`
//!   calls any `FuncRecord` (wasm or host, interpreted or compiled) with arguments in
//!   `slots[0..params]` and leaves the results in `slots[0..results]`.
//! - `ModuleCode::new(&module, tiering)`: `tiering` (a [`Tiering`], from the tier manager) is
//!   how the interpreter reaches compiled code; `None` for the interpreter-only tier.
//!
//! # Instruction set (`code.rs`)
//!
//! Register-based: every operand is a slot index relative to the frame pointer `fp` (frame =
//! `[params | declared locals | operand slots]`, the operand at height `h` has its canonical
//! place `fp[num_locals + h]`). An [`code::Instr`] is a Rust enum of 16 bytes: a one-byte tag
//! and up to three 32-bit fields (or a 32-bit slot and a 64-bit constant). Families:
//! - moves: `Copy`, `Const32`, `Const64`, `Select` (first operand already in `dst`);
//! - arithmetic `dst = a op b`; for the common integer ops also `dst = a op imm` (`...I`
//!   variants, the immediate a sign-extended i32); `i32.sub x, c` becomes `AddI(-c)`;
//! - compare-and-branch: every integer compare (and `eqz`/`nez`) fused with `br_if`/`if`,
//!   register and immediate forms (`BrI32LtS`, `BrI64EqI`, ...);
//! - `BrTable { index, len }` followed by `len + 1` plain `Br`s (a jump table);
//! - calls: `Call { func, base }`, `CallIndirect { type_index, table, base }`: the arguments
//!   are at `fp[base..]` and the callee frame starts there (no copy), results come back at
//!   `fp[base..]`;
//! - memory: loads/stores with a pre-decoded 32-bit offset; bulk and table operations take
//!   their operands from consecutive canonical slots `fp[base..]`.
//!
//! # Translation rules (`translate.rs`)
//!
//! One pass over the validated operators keeps an abstract operand stack whose entries are
//! `Stack` (in the canonical slot), `Local(x)` (a deferred `local.get`) or `Const(bits)`.
//! - `local.get` and constants push deferred entries and emit nothing; an operation reads a
//!   deferred local directly, and a constant either becomes an immediate or is written to its
//!   canonical slot right before use.
//! - A `local.set x` / `local.tee x` right after a one-result operation becomes that
//!   operation's destination.
//! - Aliasing: before anything writes local `x`, every deferred `Local(x)` entry is copied to
//!   its canonical slot (emitted before the writing instruction, so it reads the old value).
//! - At every `block`, `loop` and `if` entry all entries are materialized, so code inside a
//!   block never has to materialize (on a path that may not run) an entry of an outer block,
//!   and every local and operand is in its canonical place at each `loop` header (the OSR
//!   meeting point).
//! - Branches move the carried values into the target's canonical slots (ascending order is
//!   safe: sources never sit below their destinations), then jump; a `br_if` that needs moves
//!   becomes "branch over (negated condition); moves; jump". `br_table` targets that need
//!   moves get one shared stub per target depth. Branching to the function label is a return.
//! - Returns move results to `fp[0..n]` (`Return1 { src }` for the common single result).
//! - Unreachable code (after `br`, `br_table`, `return`, `unreachable`) is skipped up to the
//!   matching `else`/`end`.
//! - Each instruction records the byte offset of its wasm operator in a side table
//!   (`Translated::offsets`), read only to build trap backtraces.
//!
//! # Executor (`exec.rs`)
//!
//! Instructions are "fast" (they touch only the frame, the memory, branch targets, back-edge
//! counters and globals: everything but calls, returns, `memory.grow`, bulk memory, table and
//! reference operations) or "slow". `exec::fast_step` is the one definition of every fast
//! instruction's semantics; the slow ones are arms of the `match` in `Interp::run`. Two
//! dispatchers share them:
//! - optimized builds (`cfg(not(debug_assertions))`, x86-64): dispatch candidate (b), one
//!   handler per instruction tag (`exec::chain`), all of one `extern "sysv64"` signature with
//!   the hot state in argument registers (ip, fp, memory base and length, code base, and one
//!   pointer to the rarely used function and instance context). Each handler is `fast_step`
//!   inlined with its tag known (only its own arm survives) and ends by calling the next
//!   instruction's handler, found through a table indexed by the `repr(u16)` tag, in tail
//!   position. A handler returns (to `Interp::run`) only at a slow instruction or a trap;
//! - unoptimized builds: candidate (a), the `match` loop of `Interp::run` calls `fast_step`
//!   for every instruction. Stable Rust (1.95) has no guaranteed tail calls (`become` is still
//!   unstable), and without LLVM's sibling-call optimization (opt-level >= 2) every handler
//!   call would push a native frame.
//!
//! Wasm-to-wasm calls push an [`exec::Frame`] on `Interp::frames` (no native recursion); host
//! functions are called with their argument slots as the buffer. Memory is reloaded after
//! calls and anything that can grow it. Loads and stores check `addr + offset + size <= len`
//! in u64. Call counts are taken at function entry, back-edge counts at `LoopHeader` (plain
//! relaxed load + store, no locked RMW).
//!
//! # Compiled code (the tier manager's side, see `tier.rs`)
//!
//! The interpreter is the entry to every tier: `Interp::invoke` and `Interp::call_at` (how
//! compiled code calls a function without code) and the `Call` instructions check the
//! callee's `FuncRecord::code`; if set, the callee runs compiled through
//! [`Tiering::run_compiled`] with its frame where an interpreted frame would be, on this
//! value stack. Otherwise a call whose count reached `Translated::call_trigger` asks
//! [`Tiering::compile_for_call`] first. A `LoopHeader` whose count reached
//! `Translated::loop_trigger` leaves the fast path; the run loop asks [`Tiering::osr_entry`]
//! for the compiled code of that loop header and runs the rest of the function there (the
//! frame is canonical at every header), then returns to the caller as after `Return`. A
//! function that stays interpreted (no tier manager, or compiling failed) gets `u32::MAX`
//! triggers. Traps from compiled code keep their compiled frames and get the interpreted
//! frames below them appended.
//!
//! # Dispatch measurement
//!
//! Jumps, not calls: `interp::tests::long_loop_on_small_stack` runs 60 M instructions on a
//! thread with a 256 KiB native stack, and the release disassembly (`objdump -d` of
//! `wrun::interp::exec::chain::handler`) shows each handler ending in its own
//! `jmp *(table,tag,8)`, e.g. the whole `BrIfEqz` handler:
//! `mov 0x4(%rdi),%eax; mov 0x8(%rdi),%r10d; add $0x10,%rdi; shl $0x4,%r10; add %r8,%r10;
//! cmpl $0x0,(%rsi,%rax,8); cmove %r10,%rdi; movzwl (%rdi),%eax; lea HANDLERS(%rip),%r11;
//! jmp *(%r11,%rax,8)`.
//!
//! Same run, release build, alternating the two executors (the parent commit's `match`-loop
//! test binary and this one, both from `cargo test --release --lib --no-run`, running
//! `interp::tests::bench_programs` with `WRUN_BENCH=<name>`) and the wasmi 2.0 CLI
//! (`~/.cache/wrun-bench/wasmi/bin/wasmi <name>.wasm`), wall clock on the shared 2-core
//! machine (load ~2-4), two rounds:
//!
//! | program | (a) `match` loop | (b) handler chain | wasmi 2.0 |
//! |---|---|---|---|
//! | collatz | 6.47 s, 5.66 s | 5.18 s, 4.73 s | 2.58 s, 2.34 s |
//! | matmul | 1.17 s, 1.12 s | 1.15 s, 1.00 s | 0.85 s, 0.71 s |
//! | sha256 | 7.52 s, 7.21 s | 5.24 s, 4.95 s | 4.99 s, 4.90 s |
//! | fib | 4.46 s, 4.27 s | 4.99 s, 4.80 s | 3.16 s, 3.48 s |
//!
//! An earlier, busier round gave the same picture (collatz 8.6 s vs 7.1 s, sha256 10.9 s vs
//! 7.3 s, fib 6.4 s vs 7.0 s), and one quiet collatz pair 11.3 s vs 5.1 s.
//!
//! Decision: (b) for optimized builds; it is 1.1-1.5x faster on loops (sha256 is now level
//! with wasmi). It is ~12% slower on fib, which is almost only calls and returns: those are
//! slow instructions, so every call and return leaves the chain, runs in the `match` of
//! `Interp::run` and re-enters the chain (an indirect call and a return, with the run loop's
//! state spilled around it).
//!
//! What remains: run wasm-to-wasm `Call`/`Return` of the same instance inside the chain (the
//! handler needs the frame stack and call-depth limit behind the context pointer and must pass
//! the new `fp`/code base on), which should recover fib and close most of the remaining gap
//! on call-heavy code; then the cheaper instruction-set wins: fusing `eqz`+`select`, an
//! immediate lhs for `sub`/`shl`, and stores of constants (collatz and matmul are still ~2x and
//! ~1.3x behind wasmi).

pub mod code;
pub mod exec;
pub mod translate;

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use crate::module::ModuleInfo;
use crate::runtime::{FuncRecord, Trap, VmCtx};
pub use exec::Interp;
pub use translate::Translated;

/// How the interpreter reaches compiled code: implemented by the tier manager (`tier.rs`),
/// so that the interpreter and the JIT never call each other directly (ARCHITECTURE.md).
pub trait Tiering: Send + Sync {
    /// `(call trigger, loop trigger)`: a function is reported hot once its call count or its
    /// loop-header count reaches these.
    fn triggers(&self) -> (u32, u32);
    /// Function `record` (of this module) got hot through calls: compile it if needed, store
    /// its entry in `record.code` and return it; `None` if it stays interpreted.
    fn compile_for_call(&self, record: &FuncRecord) -> Option<*const u8>;
    /// A loop of `record` got hot: the OSR entry for the loop whose `loop` operator is at
    /// `wasm_offset` (compiling the function, and setting `record.code`, if needed).
    fn osr_entry(&self, record: &FuncRecord, wasm_offset: u32) -> Option<*const u8>;
    /// Runs compiled code `entry` of instance `vmctx` with its frame at `fp` on `interp`'s
    /// value stack (which ends at `stack_end`); functions without code that it calls run on
    /// `interp`.
    ///
    /// # Safety
    /// `entry` is live compiled code of `vmctx`'s module, the frame at `fp` is what the entry
    /// expects, `interp` is the running interpreter and not otherwise used during the call.
    unsafe fn run_compiled(
        &self,
        interp: *mut Interp,
        entry: *const u8,
        vmctx: *mut VmCtx,
        fp: *mut u64,
        stack_end: *mut u64,
    ) -> Result<(), Trap>;
}

/// The interpreter's per-module code cache: one lazily translated entry per defined function.
pub struct ModuleCode {
    module: Arc<ModuleInfo>,
    funcs: Box<[OnceLock<Result<Translated, String>>]>,
    /// For each type index: number of params (call_indirect finds its table index after them).
    type_params: Box<[u32]>,
    /// The tier manager, if functions of this module may run compiled.
    tiering: Option<Arc<dyn Tiering>>,
}

impl ModuleCode {
    pub fn new(module: &Arc<ModuleInfo>, tiering: Option<Arc<dyn Tiering>>) -> ModuleCode {
        ModuleCode {
            module: module.clone(),
            funcs: (0..module.bodies.len()).map(|_| OnceLock::new()).collect(),
            type_params: module.types.iter().map(|t| t.params.len() as u32).collect(),
            tiering,
        }
    }

    pub fn tiering(&self) -> Option<&Arc<dyn Tiering>> {
        self.tiering.as_ref()
    }

    /// How many functions have been translated (= run in the interpreter at least once).
    pub fn translated_count(&self) -> usize {
        self.funcs.iter().filter(|f| f.get().is_some()).count()
    }

    pub fn module(&self) -> &Arc<ModuleInfo> {
        &self.module
    }

    /// The translated code of function `func_index` (imports counted), translating it on first
    /// use. Errors (which validation should make impossible) are cached and reported as traps.
    pub fn function(&self, func_index: u32) -> Result<&Translated, &str> {
        let defined = func_index.wrapping_sub(self.module.num_imported_funcs) as usize;
        match self.funcs.get(defined) {
            Some(cell) => cell
                .get_or_init(|| {
                    let translated =
                        translate::translate(&self.module, func_index, self.tiering.is_some())?;
                    if let Some(tiering) = &self.tiering {
                        let (calls, loops) = tiering.triggers();
                        translated.call_trigger.store(calls, Ordering::Relaxed);
                        translated.loop_trigger.store(loops, Ordering::Relaxed);
                    }
                    Ok(translated)
                })
                .as_ref()
                .map_err(String::as_str),
            None => Err("call of a function without a body"),
        }
    }

    /// The translated code of function `func_index` if it has been translated already (the
    /// fast path of calls; the first call translates through [`ModuleCode::function`]).
    #[inline]
    pub(crate) fn translated(&self, func_index: u32) -> Option<&Translated> {
        let defined = func_index.wrapping_sub(self.module.num_imported_funcs) as usize;
        self.funcs.get(defined)?.get()?.as_ref().ok()
    }

    fn type_params(&self, type_index: u32) -> Option<u32> {
        self.type_params.get(type_index as usize).copied()
    }
}

#[cfg(test)]
mod tests;
