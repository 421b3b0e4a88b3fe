//! Tier 0: the interpreter (ARCHITECTURE.md, "Tier 0").
//!
//! CONTRACT with `lib.rs` / `runtime`:
//! - `ModuleCode::new(&Arc<ModuleInfo>)` is created once per `Module` and carried by every
//!   instance as `InstanceData::tier_code` (an `Arc<dyn Any>` holding a `ModuleCode`); it caches
//!   the lazily translated functions.
//! - `Interp` is the per-store execution state (value stack, call frames); `Interp::invoke`
//!   calls any `FuncRecord` (wasm or host) with arguments in `slots[0..params]` and leaves the
//!   results in `slots[0..results]`.

use std::sync::Arc;

use crate::module::ModuleInfo;
use crate::runtime::{FuncRecord, Trap};

/// The interpreter's per-module code cache.
pub struct ModuleCode {}

impl ModuleCode {
    pub fn new(module: &Arc<ModuleInfo>) -> ModuleCode {
        let _ = module;
        ModuleCode {}
    }
}

/// Execution state of one store: value stack and call frames.
pub struct Interp {}

impl Interp {
    /// `value_stack_slots` and `max_call_depth` come from `Config`.
    pub fn new(value_stack_slots: usize, max_call_depth: usize) -> Interp {
        let _ = (value_stack_slots, max_call_depth);
        Interp {}
    }

    /// Calls `func`; `slots` holds the arguments and receives the results (its length is at
    /// least `max(params, results)`).
    ///
    /// # Safety
    /// `func` points to a live record of this store, whose instance (if any) is alive.
    pub unsafe fn invoke(&mut self, func: *const FuncRecord, slots: &mut [u64]) -> Result<(), Trap> {
        let _ = (func, slots);
        todo!()
    }
}
