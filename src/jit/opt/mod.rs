//! Tier 2's middle end (ARCHITECTURE.md, "Tier 2"): an SSA intermediate representation built
//! from a validated wasm function, and the optimization passes over it. Lowering to machine
//! code, register allocation and tier-up are not here yet; nothing outside the tests calls
//! this module.
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
//! The spec-suite tests in `tests/opt.rs` build, verify and optimize every function of every
//! spec module (4,637 functions, 14,487 instructions: building takes about 10 ms, the passes
//! about 35 ms in a release build, verifying after each pass), and check on a few inputs,
//! with a small IR interpreter, that the functions made of arithmetic and control flow
//! compute the same before and after the passes (16,032 runs) and the same as wrun's
//! interpreter (11,419 calls).

pub mod builder;
pub mod cfg;
pub mod ir;
pub mod ops;
pub mod passes;
pub mod text;
pub mod verify;

#[cfg(test)]
mod tests;
