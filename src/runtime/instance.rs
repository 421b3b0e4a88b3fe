//! Instance data owned by the store (CONTRACT: the fields marked "tiers" are read by the tiers).
//!
//! Additions by the runtime (not read by the tiers directly; the libcalls use them): the
//! per-index pointer arrays that `VmCtx` points into, the store handles of the instance's
//! memories/tables/globals, and the segment state of `memory.init`/`table.init`.

use std::any::Any;
use std::ops::Range;
use std::sync::Arc;

use super::exception::{ExnArena, TagRecord};
use super::memory::LinearMemory;
use super::table::TableInstance;
use super::vmctx::{FuncRecord, OpaqueInstance, TableDef, VmCtx};
use crate::module::ModuleInfo;

/// One instantiated module. Lives in a `Box` owned by the store (stable address, pointed to by
/// `VmCtx::instance`).
pub struct InstanceData {
    /// tiers: the module's description (bodies, types, names).
    pub module: Arc<ModuleInfo>,
    /// tiers: the per-module code cache of the tiers (the interpreter's translated functions,
    /// later compiled code), shared by every instance of the same `Module`. Created by the
    /// layer above the runtime; the runtime only carries it.
    pub tier_code: Arc<dyn Any + Send + Sync>,
    /// tiers: this instance's context; `vmctx.instance` points back to this struct.
    pub vmctx: Box<VmCtx>,

    /// Canonical type id of each type index (`VmCtx::type_ids` points here).
    pub type_ids: Box<[u32]>,
    /// Every function index's record (`VmCtx::funcs` points here).
    pub funcs: Box<[*const FuncRecord]>,
    /// The records of the functions this instance defines (index `i` is function
    /// `num_imported_funcs + i`); imported entries of `funcs` point into other instances.
    pub defined_funcs: Box<[FuncRecord]>,
    /// Every table index's definition (`VmCtx::tables` points here).
    pub table_defs: Box<[*mut TableDef]>,
    /// Every table index's owner (the libcalls grow / copy through these).
    pub tables: Box<[*mut TableInstance]>,
    /// Every global index's cell (`VmCtx::globals` points here).
    pub globals: Box<[*mut u64]>,
    /// Every memory index's owner (wrun has at most one).
    pub memories: Box<[*mut LinearMemory]>,
    /// The helper table (`VmCtx::helpers` points here; see `libcalls::helper_index`).
    pub helpers: Box<[usize]>,
    /// Store handles of the memories, tables and globals by index (for exports).
    pub memory_handles: Box<[u32]>,
    pub table_handles: Box<[u32]>,
    pub global_handles: Box<[u32]>,
    /// Every tag index's record (imported tags are the exporter's: the same identity).
    pub tags: Box<[Arc<TagRecord>]>,
    /// Store handles of the tags by index (for exports).
    pub tag_handles: Box<[u32]>,
    /// The store's arena of exceptions held as exnrefs (lives as long as the store).
    pub exceptions: *const ExnArena,
    /// Resolved items of each element segment; empty once dropped (active and declared
    /// segments are dropped at instantiation).
    pub elements: Vec<Box<[u64]>>,
    /// Each data segment's bytes as a range of `module.bytes`; empty once dropped.
    pub data: Vec<Range<usize>>,
}

impl InstanceData {
    /// The instance that owns `vmctx` (null if it has none yet).
    ///
    /// # Safety
    /// `vmctx` points to a live instance context.
    pub unsafe fn of_vmctx(vmctx: *const VmCtx) -> *mut InstanceData {
        // SAFETY: `vmctx` is live (contract); its `instance` was set by the store from an
        // `InstanceData` pointer (`InstanceData::opaque`), the only producer of that field.
        unsafe { (*vmctx).instance.cast() }
    }

    /// `this` as `VmCtx::instance` stores it.
    pub fn opaque(this: *mut InstanceData) -> *mut OpaqueInstance {
        this.cast()
    }
}
