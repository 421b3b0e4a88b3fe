//! Tier 2's middle end (placeholder docs, see below).

pub mod builder;
pub mod cfg;
pub mod ir;
pub mod ops;
pub mod passes;
pub mod text;
pub mod verify;
