//! Tier 0: the interpreter (ARCHITECTURE.md, "Tier 0").
//!
//! CONTRACT with `lib.rs` / `runtime`:
//! - `ModuleCode::new(&Arc<ModuleInfo>)` is created once per `Module` and carried by every
//!   instance as `InstanceData::tier_code` (an `Arc<dyn Any>` holding a `ModuleCode`); it caches
//!   the lazily translated functions.
//! - `Interp` is the per-store execution state (value stack, call frames); `Interp::invoke`
//!   calls any `FuncRecord` (wasm or host) with arguments in `slots[0..params]` and leaves the
//!   results in `slots[0..results]`.
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
//! One `loop { match *ip { ... } }` (dispatch candidate (a)). Hot state (ip, fp, memory base
//! and length, current function) lives in locals; memory is reloaded after calls and anything
//! that can grow it. Wasm-to-wasm calls push a [`exec::Frame`] on `Interp::frames` (no native
//! recursion); host functions are called with their argument slots as the buffer. Loads and
//! stores check `addr + offset + size <= len` in u64. Call counts are taken at function entry,
//! back-edge counts at `LoopHeader` (plain relaxed load + store, no locked RMW).
//!
//! # Dispatch measurement
//!
//! The executor uses candidate (a), the `match` loop: correct on the whole wasm-v2 suite.
//! Release code for it (checked with objdump) is ~7 instructions of dispatch (load tag and
//! operands, table lookup, one shared `jmp reg`) plus 3-5 per handler, every handler jumping
//! back to the single shared indirect jump.
//!
//! Candidate (b), handlers of one `extern "sysv64" fn(ip, fp) -> u64` signature that end by
//! calling the next instruction's handler in tail position (the handler pointer stored in the
//! instruction, wasmi 2.0 style), is prototyped in `dispatch_bench.rs` on the collatz kernel
//! as our translator emits it (16 instructions, ~1.2 G executed). Same program, same slots,
//! unchecked accesses in both; release build, 2-core machine shared with other builds (load
//! ~11, so absolute times are inflated; rounds were consistent to 2%):
//!
//! | dispatch | time (3 rounds) |
//! |---|---|
//! | (a) `match` loop | 5.37 s, 5.41 s, 5.42 s |
//! | (b) tail-calling handlers | 3.52 s, 3.58 s, 3.53 s |
//!
//! (b) is ~1.5x faster: each handler ends in its own indirect jump (better prediction) and
//! there is no loop back-edge or tag decode. Whole programs on the same loaded machine
//! (`interp::tests::bench_programs`, wall clock, vs the wasmi 2.0 CLI run right before):
//! matmul 4.94 s vs 4.50 s, sha256 6.02 s vs 4.03 s, collatz 18.1 s vs 7.6 s, fib 1.5 s
//! (wasmi's CLI stops fib with "call stack exhausted").
//!
//! What remains to adopt (b) in the executor: stable Rust does not guarantee tail calls, so
//! (b) needs the sibling-call optimization of an optimized build (a debug build would recurse
//! on the native stack): keep the `match` loop for `debug_assertions` builds (as wasmi's
//! "portable-dispatch"), turn each arm into a handler over a shared state (ip, fp, memory base
//! and length in arguments; vmctx, frames, trap slot behind one pointer), store handler
//! pointers in the instructions (24 bytes, or 16 with a 32-bit handler offset from a base),
//! and end traps/returns by returning a status to the entry loop. Cheaper wins also open:
//! fusing `eqz`+`select`, an immediate lhs for `sub`/`shl`, and stores of constants.

pub mod code;
pub mod exec;
pub mod translate;

use std::sync::{Arc, OnceLock};

use crate::module::ModuleInfo;
pub use exec::Interp;
pub use translate::Translated;

/// The interpreter's per-module code cache: one lazily translated entry per defined function.
pub struct ModuleCode {
    module: Arc<ModuleInfo>,
    funcs: Box<[OnceLock<Result<Translated, String>>]>,
    /// For each type index: number of params (call_indirect finds its table index after them).
    type_params: Box<[u32]>,
}

impl ModuleCode {
    pub fn new(module: &Arc<ModuleInfo>) -> ModuleCode {
        ModuleCode {
            module: module.clone(),
            funcs: (0..module.bodies.len()).map(|_| OnceLock::new()).collect(),
            type_params: module.types.iter().map(|t| t.params.len() as u32).collect(),
        }
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
                .get_or_init(|| translate::translate(&self.module, func_index))
                .as_ref()
                .map_err(String::as_str),
            None => Err("call of a function without a body"),
        }
    }

    fn type_params(&self, type_index: u32) -> Option<u32> {
        self.type_params.get(type_index as usize).copied()
    }
}

#[cfg(test)]
mod tests;
