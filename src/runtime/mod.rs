//! The runtime: store objects, instantiation, linear memory, tables, globals, host functions,
//! VmCtx, traps (ARCHITECTURE.md).
//!
//! CONTRACT for the tiers (`interp/`, later `jit/`):
//! - A call target is a `*const FuncRecord` (`vmctx.rs`). A host function has `host` non-null;
//!   a wasm function has `vmctx` non-null and `InstanceData::of_vmctx(vmctx)` is its instance,
//!   whose `module` has the body and whose `tier_code` holds the tiers' per-module code cache.
//! - Host functions are called with one slot buffer: arguments in `slots[0..params]`, results
//!   written to `slots[0..results]` (the buffer has `max(params, results)` slots), exactly the
//!   frame convention of ARCHITECTURE.md.
//! - Operations that need the runtime's data (grow, bulk memory/table ops, segment drops) are
//!   the `extern "C"` functions in `libcalls`, shared by every tier.
//!
//! Additions made by the runtime implementation (nothing above changed):
//! - `memory` (`LinearMemory`: the 4 GiB + guard reservation), `table` (`TableInstance`),
//!   `store` (`StoreData`: owner of every object, import checks, instantiation).
//! - `InstanceData` carries the per-index pointer arrays `VmCtx` points into, store handles
//!   and segment state (see `instance.rs`).
//! - `libcalls::helper_table` / `libcalls::helper_index`: the layout of `VmCtx::helpers`.
//! - `lib.rs`: `Engine::type_id` (canonical type ids), `Val::{ty, to_slot, from_slot}` (the
//!   slot encoding); `module::wrun_features` (the exact validator feature set).

mod compile_error;
pub mod epoch;
pub mod exception;
pub mod float;
pub mod instance;
pub mod libcalls;
pub mod memory;
mod resource_error;
pub mod simd;
pub mod store;
pub mod table;
pub mod trap;
pub mod vmctx;

pub use crate::module::types::{FuncType, GlobalType, Limits, MemoryType, TableType, ValType};
pub use compile_error::CompileError;
pub use resource_error::{Resource, ResourceError};
pub use trap::{FrameInfo, Trap, TrapCode};
pub use vmctx::{FuncRecord, MemoryDef, TableDef, VmCtx};

/// The signature of a host function's body (see the module docs for the slot convention).
pub type HostFn = dyn Fn(&mut Caller<'_>, &mut [u64]) -> Result<(), Trap>;

/// A function provided by the embedder.
pub struct HostFunc {
    pub ty: FuncType,
    pub func: Box<HostFn>,
}

impl std::fmt::Debug for HostFunc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HostFunc({})", self.ty)
    }
}

/// What a host function sees of its caller. Only the tiers make one (its context must be
/// live for the call), so its fields are private.
pub struct Caller<'a> {
    /// The calling instance's context (null when called directly from the embedder).
    vmctx: *mut VmCtx,
    _marker: std::marker::PhantomData<&'a mut ()>,
}

impl<'a> Caller<'a> {
    /// The caller of a host function called from the instance of `vmctx` (null: called from
    /// the embedder, no instance).
    ///
    /// # Safety
    /// A non-null `vmctx` must point to a live instance context for `'a` (the host call), and
    /// its memory, if any, must not be accessed through another reference meanwhile.
    pub(crate) unsafe fn new(vmctx: *mut VmCtx) -> Caller<'a> {
        Caller {
            vmctx,
            _marker: std::marker::PhantomData,
        }
    }

    /// Memory 0 of the calling instance, if it has one.
    pub fn memory(&mut self) -> Option<&mut [u8]> {
        if self.vmctx.is_null() {
            return None;
        }
        // SAFETY: a non-null vmctx in a Caller points to a live instance context for the
        // duration of the host call (the contract of `Caller::new`), and its memory pointer (when non-null) to a live MemoryDef
        // whose `base..base+len` is committed read-write memory. No other reference to that
        // memory is used while the host function runs.
        unsafe {
            let memory = (*self.vmctx).memory;
            if memory.is_null() {
                return None;
            }
            Some(std::slice::from_raw_parts_mut(
                (*memory).base,
                (*memory).len,
            ))
        }
    }
}

#[cfg(test)]
mod tests;
