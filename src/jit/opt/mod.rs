//! Tier 2 (ARCHITECTURE.md, "Tier 2"): an SSA intermediate representation built from a
//! validated wasm function, the optimization passes over it, and the back end: lowering to
//! machine-level instructions, register allocation over the whole function with
//! `regalloc2`, and emission through `jit::masm` and our encoder. `--tier opt`
//! (`Tier::Opt`) compiles every function with it before start ([`compile::compile_module`]);
//! a function it does not take goes to tier 1 in the same buffer.
//!
//! # What is built, what is not
//!
//! Built: the whole scalar wasm 2.0 operator set (every operator tier 1 compiles except the
//! ones of proposals both refuse), so the spec suite runs on tier 2 with almost no fallback
//! (`spec-tests --tier opt` prints the count). Not built yet: fuel metering and epoch checks
//! (a module compiled with either goes to tier 1 function by function, see
//! [`compile::prepare`]); background compilation and tier-up from tier 1 to tier 2; OSR into
//! tier 2 code (its functions have no OSR entries); tier 2 sidecars (`wrun compile` still
//! writes tier 1 code); the remaining passes of issue 14 (address modes, compare + select
//! fusion, inlining, unrolling, block layout by counts); parallel compilation.
//!
//! # Pieces
//!
//! - `ops`: the opcode table, one macro from which the [`ops::Opcode`] enum, the text names,
//!   the type rules, the effect flags and the immediate kinds all come.
//! - `ir`: [`ir::Function`]: blocks with parameters, instructions, values, all in arenas
//!   indexed by small integers.
//! - `builder`: wasm operators -> IR ([`builder::build`]), SSA construction for locals by
//!   Braun et al.
//! - `cfg`: predecessors, successors, reverse post-order, dominator tree, loop nesting.
//! - `verify`: the invariants (dominance, types, block-argument arity).
//! - `text`: the text form (printer and parser) the filetests in `tests/opt` are written in.
//! - `passes`: one file per pass and the pass manager.
//! - `lower`: IR -> [`lower`]`::VCode`, machine-level instructions over virtual registers,
//!   the `regalloc2::Function` the allocator reads (calls and helpers split so it sees their
//!   clobbers, critical edges split, constant operands folded to immediates, compares fused
//!   into `br_if`).
//! - `emit`: allocated VCode -> machine code through `jit::masm`, with the prologue,
//!   calls and trap sites of `jit::abi` (shared with tier 1).
//! - `compile`: the driver (prepare = build + passes + lower + allocate; emit), the module
//!   compile with the fallback to tier 1, and [`compile::OptStats`] for `--stats`.
//!
//! # Design
//!
//! Values are typed (`i32`, `i64`, `f32`, `f64`, and the reference types, the module's own
//! [`crate::module::ValType`]) and defined exactly once. Everything that is not a pure
//! function of the operands is explicit in the opcode's [`ops::Flags`]: `traps` (division,
//! memory accesses with their static offset, float -> int truncation, calls), `reads` (loads,
//! globals, table and memory sizes) and `writes` (stores, calls, grows, bulk operations). The
//! passes decide what they may do from these three bits alone: fold, merge (GVN), hoist
//! (LICM) and delete (DCE) each have one predicate in `ops::Flags`, so a new opcode is handled
//! correctly by every pass once its flags are right. Instructions of a block stay in wasm
//! order, so effects keep their order without a separate memory-state value.
//!
//! **Why block parameters rather than phi instructions.** A branch passes its values to the
//! target like a call passes arguments: wasm's own block results and loop parameters map to
//! them one to one, a `br_table` with the same target twice needs no special case, and the
//! lowering will see the parallel move each edge needs right on the edge (the same merge
//! problem tier 1 solves at its block ends). Removing a parameter is removing one argument on
//! each incoming edge; there are no phi nodes to keep at the head of a block and no
//! predecessor lists to keep in the same order as phi operands. Cranelift and MLIR made the
//! same choice.
//!
//! **SSA construction.** Braun et al.'s algorithm needs no dominance frontiers and works in
//! the builder's single pass over the operators: loop headers stay unsealed until their
//! `end`, all other blocks are sealed as soon as they are created or reached. Unreachable
//! wasm code is not translated.
//!
//! # Passes
//!
//! In [`passes::PASSES`] order, each with its own module docs:
//! - `const_fold`: constant folding with wasm's exact semantics (wrapping integers, trapping
//!   operations left alone when they would trap, floats only when the result is bit-exact)
//!   and algebraic identities; a branch on a constant becomes a jump.
//! - `copy_prop`: removes block parameters that are copies of one value.
//! - `gvn`: merges equal computations along the dominator tree.
//! - `licm`: hoists pure loop invariants into the loop's preheader.
//! - `dce`: removes unreachable blocks, unused removable instructions and unused parameters.
//!
//! # The back end
//!
//! **Register allocation: `regalloc2`, not a linear scan of our own.** Issue 14 asks to
//! choose by measuring code quality and compile time; there was time to build one, so the
//! comparison is not made. `regalloc2` was chosen because it takes SSA with block parameters
//! as it is (our IR's form), splits live ranges, spills and resolves the parallel moves of
//! block arguments itself, and is what Cranelift ships; a linear scan would have needed all
//! of that written and tested here. What was measured of it is below.
//!
//! **Conventions inside tier 2 code.** Every value is in a register at each instruction
//! (the allocator spills between instructions); allocatable are `rsi, rdi, r8-r11, rbx` and
//! `xmm2-xmm15`, all clobbered by calls and helpers (any tier's callee may use any of them).
//! `rax`, `rcx`, `rdx`, `xmm0`, `xmm1` are scratch inside one instruction; `rdx` and `xmm1`
//! are also the allocator's scratch for cyclic moves, `rax` and `xmm0` carry a helper's
//! result to the next instruction. An i32 in a register is zero-extended, as in its slot, so
//! it indexes memory directly. Spill slots live in the native frame below `rbp` (its layout
//! in `emit`'s docs); the value-stack frame is used only for the ARCHITECTURE.md contracts:
//! parameters are read from it at entry, call arguments are written to the caller's
//! canonical slots at the call's operand height (the callee's frame starts there, as in
//! every tier), results are read from and returned in `fp[0..n]`. Locals and operands are
//! not written to their canonical slots at calls: no tier reads a caller's frame (there is
//! no OSR out of tier 2 and traps need only `rbp`). The prologue is tier 1's (`jit::abi`:
//! native stack, value stack with the same frame size, call-depth budget), so both stacks
//! run out at the same depth on every tier; calls go through `jit::abi` too (direct within
//! the buffer, else the `FuncRecord`, `CALL_SLOW` when it has no code), traps through
//! out-of-line sites calling the trap stub with the wasm offset in the pc map, memory
//! accesses through the guard region (explicit checks only past it), float min/max, the
//! float -> int conversions and u64 -> float through tier 1's Rust helpers (`jit::convert`),
//! the runtime helpers with tier 1's argument registers. A function whose allocation needs
//! more than 120 spill slots goes to tier 1 (the native stack is sized for 2 KiB frames).
//!
//! **Measured** (2026-12-03, release build, a busy 2-core machine at load 8, so times are
//! rough; one build, several runs): `tests/c/cat.wasm` (88 functions, a C program with
//! wasi-libc) under `--tier opt --stats`: tier 2 takes 87 functions (one needs 239 spill
//! slots and goes to tier 1), 120-190 ms in tier 2 against 7-10 ms for tier 1 compiling all
//! 88 (about 15-20x slower per function), of which 10-18 ms is `regalloc2` on the 87 taken
//! (the refused function's allocation is not in that figure); 216 spill slots and 1,445
//! allocator moves over the 87 functions; 75,213 code bytes against tier 1's 80,134. A
//! `perf` profile of that run puts about 40% of the process in `regalloc2` (including the
//! refused function) and the rest spread over the builder, the passes (`Cfg::new`, GVN) and
//! allocation; nothing was tuned yet. On the spec suite (`tests/opt.rs`
//! `spec_suite_lowers_and_allocates`, debug build): 4,636 functions allocated, 150 of them
//! spill (232 slots), 629 moves, 1 refused (skip-stack-guard-page's 1,000-local function:
//! 1,051 spill slots). Code speed, measured once by hand on two hand-written microbenchmarks
//! (not `make bench` programs, none was built; user time of 3 alternating runs each,
//! `wrun --invoke`): recursive `fib(38)` 0.74 s on `--tier opt` and 0.74-0.75 s on
//! `--tier jit`; a nested loop of f64 arithmetic on locals (200,000 x 1,000 iterations)
//! 0.35-0.49 s and 0.36-0.51 s. Level: the first is bound by calls, across which tier 2
//! spills everything live, the second by float latency; the passes and the allocator do not
//! pay yet on such code, and the speed aims are not reached.
//!
//! The spec-suite tests in `tests/opt.rs` build, verify and optimize every function of every
//! spec module (4,637 functions, 14,487 instructions: building takes about 10 ms, the passes
//! about 35 ms in a release build, verifying after each pass), and check on a few inputs,
//! with a small IR interpreter, that the functions made of arithmetic and control flow
//! compute the same before and after the passes (16,032 runs) and the same as wrun's
//! interpreter (11,419 calls).

pub mod builder;
pub mod cfg;
pub mod compile;
mod emit;
pub mod ir;
mod lower;
pub mod ops;
pub mod passes;
pub mod text;
pub mod verify;

#[cfg(test)]
mod tests;
