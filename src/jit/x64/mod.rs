//! Our x86-64 instruction encoder (no wasm knowledge).
