//! Tier 1: the baseline JIT (ARCHITECTURE.md, "Tier 1"). `x64` is the encoder; it knows
//! nothing of wasm.

pub mod x64;
