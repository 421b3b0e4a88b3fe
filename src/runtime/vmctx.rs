//! The records every tier reads at run time (ARCHITECTURE.md, "VmCtx" and "Calls across tiers").
//!
//! These layouts are a contract between the runtime, the interpreter, the JIT and AOT code:
//! all are `#[repr(C)]`, and compiled code addresses their fields through the `offset_of!`
//! constants in [`offsets`], never through hard-coded numbers.
//!
//! Ownership: every record lives in a `Box` (or a boxed slice) owned by the store, so its address
//! is stable for the store's lifetime. An instance that imports a memory, table, global or
//! function holds a pointer to the exporter's record, so growth and tier-up are seen by everyone.

use std::cell::Cell;
use std::sync::atomic::Ordering;

pub use super::epoch::{Epoch, NO_EPOCH};

/// One linear memory, shared by the instance that defines it and every importer.
///
/// `base` never moves: a 32-bit memory reserves 4 GiB plus a guard region at creation and
/// growing only commits pages in place.
#[repr(C)]
#[derive(Debug)]
pub struct MemoryDef {
    /// Start of the reservation; accessible bytes are `base .. base + len`.
    pub base: *mut u8,
    /// Current accessible length in bytes (a multiple of 64 KiB).
    pub len: usize,
}

/// One table. Elements are slots: a funcref is a `*const FuncRecord` (0 = null), an externref is
/// its encoded host value (0 = null, see `Val::ExternRef`).
#[repr(C)]
#[derive(Debug)]
pub struct TableDef {
    /// Element storage; may move when the table grows (readers reload it after any call).
    pub base: *mut u64,
    /// Current number of elements.
    pub len: u32,
}

/// What a call needs to know about a function: the same record sits in the function table and
/// is what a `funcref` points to (so `call_indirect` is a load, a type-id compare and a call).
#[repr(C)]
#[derive(Debug)]
pub struct FuncRecord {
    /// Native entry of compiled code, or null while the function is interpreted (tier-up stores
    /// the compiled entry here; code is never patched). Always null for host functions.
    pub code: Cell<*const u8>,
    /// The callee's instance context; null for host functions.
    pub vmctx: *mut VmCtx,
    /// Engine-wide canonical id of the function's type (equal ids <=> equal signatures).
    pub type_id: u32,
    /// Index of the function within its defining instance (host functions: their store index).
    pub func_index: u32,
    /// Non-null for a host function: the `HostFunc` to call (owned by the store).
    pub host: *const super::HostFunc,
}

/// The per-instance context: the one struct compiled code reads.
#[repr(C)]
#[derive(Debug)]
pub struct VmCtx {
    /// Memory 0 of the instance (null if it has none). `(*memory).base` is stable.
    pub memory: *mut MemoryDef,
    /// Cached `(*memory).base` (stable, so caching is exact); null if no memory.
    pub memory_base: *mut u8,
    /// Function table: for each function index (imports first) a pointer to its record.
    pub funcs: *const *const FuncRecord,
    /// For each table index a pointer to its definition (imported ones point to the exporter's).
    pub tables: *const *mut TableDef,
    /// For each global index a pointer to its 8-byte cell (imported ones point to the exporter's).
    pub globals: *const *mut u64,
    /// For each type index of the module, the engine-wide canonical type id.
    pub type_ids: *const u32,
    /// Addresses of the runtime helpers compiled code may call (see `libcalls`).
    pub helpers: *const usize,
    /// Set by compiled code before it jumps to the trap stub (a `TrapCode as u32`).
    pub trap_code: u32,
    /// Back pointer to the owning instance (runtime side; opaque to compiled code). Only
    /// `InstanceData::of_vmctx` casts it back, so this file depends on nothing of the runtime.
    pub instance: *mut OpaqueInstance,
    /// The engine's epoch (`Engine::increment_epoch`; [`NO_EPOCH`] when the store has none):
    /// the interpreter's epoch checks read its counter, compiled code's entry registers with
    /// it (`runtime::epoch`).
    pub epoch: *const Epoch,
    /// The store's epoch deadline: code with epoch checks traps with "interrupt" at a
    /// function entry or loop header once `*epoch >= epoch_deadline` (`u64::MAX`: never).
    pub epoch_deadline: u64,
    /// The store's fuel counter (shared by every instance of the store; ARCHITECTURE.md
    /// "Fuel"): compiled code and the interpreter subtract each fuel block's cost from it.
    pub fuel: *mut i64,
}

impl VmCtx {
    /// Whether the epoch deadline has passed (what the interpreter checks at loop headers and
    /// calls of code translated with epoch interruption).
    ///
    /// # Safety
    /// `epoch` points to a live counter (the engine's, or [`NO_EPOCH`]).
    #[inline(always)]
    pub unsafe fn epoch_passed(&self) -> bool {
        // SAFETY: per the contract.
        unsafe { (*self.epoch).counter.load(Ordering::Relaxed) >= self.epoch_deadline }
    }
}

/// The type `VmCtx::instance` points to: an `InstanceData` (`runtime/instance.rs`), opaque
/// here so that these plain records do not depend on the runtime's types.
#[repr(C)]
pub struct OpaqueInstance {
    _private: [u8; 0],
}

impl std::fmt::Debug for OpaqueInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpaqueInstance")
    }
}

/// Field offsets of the records above, for code generators. One place, computed by the compiler.
pub mod offsets {
    use super::*;
    use core::mem::offset_of;

    pub const MEMORY_DEF_BASE: usize = offset_of!(MemoryDef, base);
    pub const MEMORY_DEF_LEN: usize = offset_of!(MemoryDef, len);
    pub const TABLE_DEF_BASE: usize = offset_of!(TableDef, base);
    pub const TABLE_DEF_LEN: usize = offset_of!(TableDef, len);
    pub const FUNC_RECORD_CODE: usize = offset_of!(FuncRecord, code);
    pub const FUNC_RECORD_VMCTX: usize = offset_of!(FuncRecord, vmctx);
    pub const FUNC_RECORD_TYPE_ID: usize = offset_of!(FuncRecord, type_id);
    pub const VMCTX_MEMORY: usize = offset_of!(VmCtx, memory);
    pub const VMCTX_MEMORY_BASE: usize = offset_of!(VmCtx, memory_base);
    pub const VMCTX_FUNCS: usize = offset_of!(VmCtx, funcs);
    pub const VMCTX_TABLES: usize = offset_of!(VmCtx, tables);
    pub const VMCTX_GLOBALS: usize = offset_of!(VmCtx, globals);
    pub const VMCTX_TYPE_IDS: usize = offset_of!(VmCtx, type_ids);
    pub const VMCTX_HELPERS: usize = offset_of!(VmCtx, helpers);
    pub const VMCTX_TRAP_CODE: usize = offset_of!(VmCtx, trap_code);
    pub const VMCTX_EPOCH: usize = offset_of!(VmCtx, epoch);
    pub const VMCTX_EPOCH_DEADLINE: usize = offset_of!(VmCtx, epoch_deadline);
    pub const VMCTX_FUEL: usize = offset_of!(VmCtx, fuel);
}
