//! The store's objects and instantiation (wasm 2.0 "instantiate", minus running the start
//! function, which needs a tier and is done by `lib.rs`).
//!
//! Every object is allocated with `Box::into_raw` and freed when the store drops, so its
//! address is stable for the store's lifetime: `VmCtx`, `FuncRecord`s, `funcref` slots and
//! importing instances hold raw pointers to them.

use super::epoch::Epoch;
use super::{Resource, ResourceError};
use std::any::Any;
use std::ptr::NonNull;
use std::sync::Arc;

use super::exception::{ExnArena, TagRecord};
use super::instance::InstanceData;
use super::libcalls;
use super::memory::LinearMemory;
use super::table::TableInstance;
use super::vmctx::{FuncRecord, TableDef, VmCtx};
use super::{GlobalType, HostFunc, Limits, Trap, TrapCode};
use crate::module::{ConstExpr, ConstOp, DataMode, ElementMode, ImportKind, ModuleInfo};

/// A global's cell and type.
#[derive(Debug)]
pub struct GlobalInstance {
    /// The value's slots (ARCHITECTURE.md encoding): one, or two for a v128 (low 64 bits
    /// first; the second is 0 for the other types); `VmCtx::globals` points here.
    pub value: [u64; 2],
    pub ty: GlobalType,
}

/// An importable item, as the runtime sees it (`lib.rs`'s `Extern` maps 1:1 onto it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternVal {
    Func(NonNull<FuncRecord>),
    Memory(u32),
    Table(u32),
    Global(u32),
    /// A tag of the store (index into its tags).
    Tag(u32),
}

/// Why instantiation failed after the imports were resolved.
#[derive(Debug)]
pub enum InstantiateError {
    Resource(ResourceError),
    /// A segment was out of bounds. The instance stays in the store (its functions may already
    /// sit in shared tables) but is not returned.
    Trap(Trap),
}

/// A heap object owned through a raw pointer, freed on drop. Raw rather than `Box` because
/// other objects alias it through raw pointers for the store's whole lifetime.
struct Owned<T>(NonNull<T>);

impl<T> Owned<T> {
    fn new(value: T) -> Owned<T> {
        Owned(NonNull::from(Box::leak(Box::new(value))))
    }
}

impl<T: Default> Default for Owned<T> {
    fn default() -> Owned<T> {
        Owned::new(T::default())
    }
}

impl<T> Drop for Owned<T> {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `Box::leak` in `Owned::new` and is freed only here.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

/// Per-store resource limits (wasmtime's `StoreLimits`); `None` is no limit beyond wrun's own
/// (a 32-bit memory's 4 GiB, [`super::table::MAX_TABLE_ELEMENTS`]). They apply to the memories,
/// tables and instances created after they are set. A `memory.grow` or `table.grow` past a
/// limit returns -1 on every tier (all of them grow through [`libcalls`]); a memory or table
/// whose minimum is above it, or one instance too many, is an instantiation error naming it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreLimits {
    /// Bytes each linear memory may have (whole pages: rounded down to 64 KiB).
    pub max_memory_size: Option<u64>,
    /// Elements each table may have.
    pub max_table_elements: Option<u64>,
    /// Instances the store may hold (successful or not: a failed one stays in the store).
    pub max_instances: Option<usize>,
}

/// Everything a store owns, by kind; handles are indices into these lists.
#[derive(Default)]
pub struct StoreData {
    /// The limits new objects are created under.
    pub limits: StoreLimits,
    /// The engine's epoch counter and this store's deadline (`None`: never), copied into
    /// every instance's VmCtx.
    epoch: Option<Arc<Epoch>>,
    epoch_deadline: Option<u64>,
    instances: Vec<Owned<InstanceData>>,
    memories: Vec<Owned<LinearMemory>>,
    tables: Vec<Owned<TableInstance>>,
    globals: Vec<Owned<GlobalInstance>>,
    host_funcs: Vec<Owned<HostFunc>>,
    host_records: Vec<Owned<FuncRecord>>,
    /// Every tag created in the store (module-defined and host tags); an `ExternVal::Tag`
    /// indexes this.
    tags: Vec<Arc<TagRecord>>,
    /// The exceptions wasm of this store holds as exnrefs; every instance points to it.
    exceptions: Owned<ExnArena>,
    /// The fuel left (ARCHITECTURE.md "Fuel"); every `VmCtx::fuel` of this store points here.
    fuel: FuelCounter,
}

/// The store's one fuel counter, at a stable address. Signed: the charge that runs out leaves
/// it negative until the store resets it to 0 ([`StoreData::settle_fuel`]).
struct FuelCounter(Owned<std::cell::Cell<i64>>);

impl Default for FuelCounter {
    fn default() -> FuelCounter {
        FuelCounter(Owned::new(std::cell::Cell::new(0)))
    }
}

impl StoreData {
    /// The fuel left (never negative once [`StoreData::settle_fuel`] ran after a trap).
    pub fn fuel(&self) -> i64 {
        // SAFETY: the counter lives as long as the store; wasm writes it only while it runs
        // on this thread, inside a call that borrows the store mutably.
        unsafe { self.fuel.0.0.as_ref() }.get()
    }

    pub fn set_fuel(&mut self, fuel: i64) {
        // SAFETY: as in `fuel`.
        unsafe { self.fuel.0.0.as_ref() }.set(fuel);
    }

    /// After a call: an out-of-fuel charge leaves the counter below 0; what is left is 0.
    pub fn settle_fuel(&mut self) {
        self.set_fuel(self.fuel().max(0));
    }

    pub fn with_limits(limits: StoreLimits) -> StoreData {
        StoreData {
            limits,
            ..StoreData::default()
        }
    }

    /// A new memory of type `ty` under the store's memory limit.
    pub fn new_memory(&self, ty: super::MemoryType) -> Result<LinearMemory, ResourceError> {
        LinearMemory::with_limit(ty, self.limits.max_memory_size)
    }

    /// A new table of type `ty` filled with `init`, under the store's table limit.
    pub fn new_table(
        &self,
        ty: super::TableType,
        init: u64,
    ) -> Result<TableInstance, ResourceError> {
        TableInstance::with_limit(ty, init, self.limits.max_table_elements)
    }

    /// Sets the epoch counter the store's code reads (the engine's) and its deadline, in every
    /// instance now and in later ones.
    pub fn set_epoch_deadline(&mut self, epoch: &Arc<Epoch>, deadline: u64) {
        self.epoch = Some(epoch.clone());
        self.epoch_deadline = Some(deadline);
        let (counter, deadline) = self.epoch_fields();
        for instance in &mut self.instances {
            // SAFETY: owned by self; `&mut self`, so no code runs on the VmCtx meanwhile.
            let vmctx = unsafe { &mut *instance.0.as_mut().vmctx };
            vmctx.epoch = counter;
            vmctx.epoch_deadline = deadline;
        }
    }

    /// The `(VmCtx::epoch, VmCtx::epoch_deadline)` of this store's instances.
    fn epoch_fields(&self) -> (*const Epoch, u64) {
        match &self.epoch {
            Some(epoch) => (Arc::as_ptr(epoch), self.epoch_deadline.unwrap_or(u64::MAX)),
            None => (&super::vmctx::NO_EPOCH, u64::MAX),
        }
    }

    pub fn add_memory(&mut self, memory: LinearMemory) -> u32 {
        self.memories.push(Owned::new(memory));
        (self.memories.len() - 1) as u32
    }

    pub fn add_table(&mut self, table: TableInstance) -> u32 {
        self.tables.push(Owned::new(table));
        (self.tables.len() - 1) as u32
    }

    pub fn add_global(&mut self, global: GlobalInstance) -> u32 {
        self.globals.push(Owned::new(global));
        (self.globals.len() - 1) as u32
    }

    /// Registers a host function; `type_id` is the engine's canonical id of `func.ty`.
    pub fn add_host_func(&mut self, func: HostFunc, type_id: u32) -> NonNull<FuncRecord> {
        let index = self.host_funcs.len() as u32;
        let host = Owned::new(func);
        let record = Owned::new(FuncRecord {
            code: std::cell::Cell::new(std::ptr::null()),
            vmctx: std::ptr::null_mut(),
            type_id,
            func_index: index,
            host: host.0.as_ptr(),
        });
        let ptr = record.0;
        self.host_funcs.push(host);
        self.host_records.push(record);
        ptr
    }

    pub fn memory(&self, index: u32) -> Option<&LinearMemory> {
        // SAFETY: owned by self; shared access follows `&self`.
        self.memories
            .get(index as usize)
            .map(|m| unsafe { m.0.as_ref() })
    }

    pub fn memory_mut(&mut self, index: u32) -> Option<&mut LinearMemory> {
        // SAFETY: owned by self; `&mut self` makes this the only reference from safe code.
        self.memories
            .get_mut(index as usize)
            .map(|m| unsafe { m.0.as_mut() })
    }

    pub fn table(&self, index: u32) -> Option<&TableInstance> {
        // SAFETY: owned by self.
        self.tables
            .get(index as usize)
            .map(|t| unsafe { t.0.as_ref() })
    }

    pub fn global(&self, index: u32) -> Option<&GlobalInstance> {
        // SAFETY: owned by self.
        self.globals
            .get(index as usize)
            .map(|g| unsafe { g.0.as_ref() })
    }

    pub fn global_mut(&mut self, index: u32) -> Option<&mut GlobalInstance> {
        // SAFETY: owned by self; `&mut self`.
        self.globals
            .get_mut(index as usize)
            .map(|g| unsafe { g.0.as_mut() })
    }

    pub fn instance(&self, index: u32) -> Option<&InstanceData> {
        // SAFETY: owned by self.
        self.instances
            .get(index as usize)
            .map(|i| unsafe { i.0.as_ref() })
    }

    /// Checks that `val` may satisfy `import` (wasm 2.0 import matching). `expected_type_id`
    /// is the canonical id of the import's function type (ignored for other kinds). The error
    /// says how the item differs from what the import asks for.
    pub fn check_import(
        &self,
        module: &ModuleInfo,
        import_index: usize,
        val: ExternVal,
        expected_type_id: u32,
    ) -> Result<(), String> {
        let import = &module.imports[import_index];
        let incompatible = |why: String| Err(why);
        match (&import.kind, val) {
            (ImportKind::Func(type_index), ExternVal::Func(record)) => {
                // SAFETY: a Func handle points to a live record of this store.
                let record = unsafe { record.as_ref() };
                if record.type_id != expected_type_id {
                    return incompatible(format!(
                        "expected function {}, found {}",
                        module.types[*type_index as usize],
                        // SAFETY: a live record of this store.
                        unsafe { record_func_type(record) }
                    ));
                }
                Ok(())
            }
            (ImportKind::Memory(expected), ExternVal::Memory(index)) => {
                let Some(memory) = self.memory(index) else {
                    return incompatible("unknown memory".into());
                };
                let actual = memory.current_type().limits;
                if !limits_match(actual, expected.limits) {
                    return incompatible(format!(
                        "memory limits {} do not match {}",
                        show_limits(actual),
                        show_limits(expected.limits)
                    ));
                }
                Ok(())
            }
            (ImportKind::Table(expected), ExternVal::Table(index)) => {
                let Some(table) = self.table(index) else {
                    return incompatible("unknown table".into());
                };
                let actual = table.current_type();
                if actual.elem != expected.elem {
                    return incompatible(format!(
                        "table of {} is not a table of {}",
                        actual.elem, expected.elem
                    ));
                }
                if !limits_match(actual.limits, expected.limits) {
                    return incompatible(format!(
                        "table limits {} do not match {}",
                        show_limits(actual.limits),
                        show_limits(expected.limits)
                    ));
                }
                Ok(())
            }
            (ImportKind::Global(expected), ExternVal::Global(index)) => {
                let Some(global) = self.global(index) else {
                    return incompatible("unknown global".into());
                };
                if global.ty != *expected {
                    return incompatible(format!(
                        "global {}{} does not match {}{}",
                        if global.ty.mutable { "mut " } else { "" },
                        global.ty.ty,
                        if expected.mutable { "mut " } else { "" },
                        expected.ty
                    ));
                }
                Ok(())
            }
            (ImportKind::Tag(type_index), ExternVal::Tag(index)) => {
                let Some(tag) = self.tag(index) else {
                    return incompatible("unknown tag".into());
                };
                let expected = module.type_identity(*type_index);
                if expected != Some((&tag.identity.0[..], tag.identity.1)) {
                    let show = |ty: Option<&super::FuncType>| {
                        ty.map_or_else(|| "?".to_string(), super::FuncType::to_string)
                    };
                    return incompatible(format!(
                        "tag of type {} does not match the type {} asked for",
                        show(tag.identity.0.get(tag.identity.1 as usize)),
                        show(module.types.get(*type_index as usize))
                    ));
                }
                Ok(())
            }
            (kind, _) => {
                let want = match kind {
                    ImportKind::Func(_) => "function",
                    ImportKind::Table(_) => "table",
                    ImportKind::Memory(_) => "memory",
                    ImportKind::Global(_) => "global",
                    ImportKind::Tag(_) => "tag",
                };
                incompatible(format!(
                    "expected a {want}, found a {}",
                    extern_kind_name(val)
                ))
            }
        }
    }

    /// Creates an instance of `module` with the (already checked) `imports`, evaluates the
    /// global initializers and applies the element and data segments in order. Returns the
    /// instance index; the caller runs the start function.
    pub fn instantiate(
        &mut self,
        module: &Arc<ModuleInfo>,
        tier_code: Arc<dyn Any + Send + Sync>,
        type_ids: &[u32],
        imports: &[ExternVal],
    ) -> Result<u32, InstantiateError> {
        if let Some(max) = self.limits.max_instances
            && self.instances.len() >= max
        {
            return Err(InstantiateError::Resource(ResourceError::StoreLimit {
                resource: Resource::Instance,
                requested: max as u64 + 1,
                limit: max as u64,
            }));
        }
        let mut funcs = Vec::with_capacity(module.func_types.len());
        let mut memory_handles = Vec::with_capacity(module.memories.len());
        let mut table_handles = Vec::with_capacity(module.tables.len());
        let mut global_handles = Vec::with_capacity(module.globals.len());
        let mut tag_handles = Vec::with_capacity(module.tags.len());
        for import in imports {
            match *import {
                ExternVal::Func(record) => funcs.push(record.as_ptr().cast_const()),
                ExternVal::Memory(index) => memory_handles.push(index),
                ExternVal::Table(index) => table_handles.push(index),
                ExternVal::Global(index) => global_handles.push(index),
                ExternVal::Tag(index) => tag_handles.push(index),
            }
        }
        for (i, &type_index) in module.tags.iter().enumerate().skip(tag_handles.len()) {
            let (group, position) = module
                .type_identity(type_index)
                .map(|(group, position)| (group.to_vec(), position))
                .unwrap_or_default();
            let record = TagRecord {
                params: module.tag_params(i as u32).unwrap_or_default().into(),
                identity: (group.into_boxed_slice(), position),
                name: tag_name(module, i as u32),
            };
            tag_handles.push(self.add_tag(record));
        }
        let tags = tag_handles
            .iter()
            .map(|&h| self.tags[h as usize].clone())
            .collect();

        for ty in &module.memories[module.num_imported_memories as usize..] {
            let memory = self.new_memory(*ty).map_err(InstantiateError::Resource)?;
            memory_handles.push(self.add_memory(memory));
        }
        for ty in &module.tables[module.num_imported_tables as usize..] {
            let table = self.new_table(*ty, 0).map_err(InstantiateError::Resource)?;
            table_handles.push(self.add_table(table));
        }

        let mut vmctx = Box::new(VmCtx {
            memory: std::ptr::null_mut(),
            memory_base: std::ptr::null_mut(),
            funcs: std::ptr::null(),
            tables: std::ptr::null(),
            globals: std::ptr::null(),
            type_ids: std::ptr::null(),
            helpers: std::ptr::null(),
            trap_code: 0,
            instance: std::ptr::null_mut(),
            epoch: self.epoch_fields().0,
            epoch_deadline: self.epoch_fields().1,
            fuel: self.fuel.0.0.as_ptr().cast::<i64>(),
        });
        let vmctx_ptr: *mut VmCtx = &mut *vmctx;

        let num_imported_funcs = module.num_imported_funcs as usize;
        let defined_funcs: Box<[FuncRecord]> = module.func_types[num_imported_funcs..]
            .iter()
            .enumerate()
            .map(|(i, &type_index)| FuncRecord {
                code: std::cell::Cell::new(std::ptr::null()),
                vmctx: vmctx_ptr,
                type_id: type_ids[type_index as usize],
                func_index: (num_imported_funcs + i) as u32,
                host: std::ptr::null(),
            })
            .collect();
        funcs.extend(defined_funcs.iter().map(|r| r as *const FuncRecord));

        // Defined globals, in order: an initializer may read imported globals only (wasm 2.0),
        // and may take a function reference.
        let mut global_ptrs: Vec<*mut u64> = Vec::with_capacity(module.globals.len());
        for &handle in &global_handles {
            global_ptrs.push(self.global_ptr(handle));
        }
        for (i, ty) in module.globals[module.num_imported_globals as usize..]
            .iter()
            .enumerate()
        {
            let value = eval_global_init(&module.global_inits[i], &global_ptrs, &funcs);
            let handle = self.add_global(GlobalInstance { value, ty: *ty });
            global_handles.push(handle);
            global_ptrs.push(self.global_ptr(handle));
        }

        let memories: Box<[*mut LinearMemory]> = memory_handles
            .iter()
            .map(|&h| self.memories[h as usize].0.as_ptr())
            .collect();
        let tables: Box<[*mut TableInstance]> = table_handles
            .iter()
            .map(|&h| self.tables[h as usize].0.as_ptr())
            .collect();
        // SAFETY: every pointer in `tables` is a live table owned by this store.
        let table_defs: Box<[*mut TableDef]> = tables
            .iter()
            .map(|&t| unsafe { &raw mut (*t).def })
            .collect();

        // Element segments' items are evaluated once, at instantiation (wasm 2.0).
        let elements: Vec<Box<[u64]>> = module
            .elements
            .iter()
            .map(|segment| {
                segment
                    .items
                    .iter()
                    .map(|item| eval_const(item, &global_ptrs, &funcs))
                    .collect()
            })
            .collect();
        let data = module.data.iter().map(|d| d.range.clone()).collect();

        let instance = InstanceData {
            module: module.clone(),
            tier_code,
            vmctx,
            type_ids: type_ids.into(),
            funcs: funcs.into_boxed_slice(),
            defined_funcs,
            table_defs,
            tables,
            globals: global_ptrs.into_boxed_slice(),
            memories,
            helpers: libcalls::helper_table(),
            memory_handles: memory_handles.into_boxed_slice(),
            table_handles: table_handles.into_boxed_slice(),
            global_handles: global_handles.into_boxed_slice(),
            tags,
            tag_handles: tag_handles.into_boxed_slice(),
            exceptions: self.exceptions.0.as_ptr().cast_const(),
            elements,
            data,
        };
        let owned = Owned::new(instance);
        let instance_ptr = owned.0.as_ptr();
        self.instances.push(owned);
        let instance_index = (self.instances.len() - 1) as u32;

        // SAFETY: `instance_ptr` was just allocated and is owned by this store; its boxed
        // slices have stable addresses, so the VmCtx may point into them.
        unsafe {
            let inst = &mut *instance_ptr;
            let vmctx = &mut *inst.vmctx;
            vmctx.funcs = inst.funcs.as_ptr();
            vmctx.tables = inst.table_defs.as_ptr();
            vmctx.globals = inst.globals.as_ptr();
            vmctx.type_ids = inst.type_ids.as_ptr();
            vmctx.helpers = inst.helpers.as_ptr();
            vmctx.instance = InstanceData::opaque(instance_ptr);
            if let Some(&memory) = inst.memories.first() {
                vmctx.memory = &raw mut (*memory).def;
                vmctx.memory_base = (*memory).def.base;
            }
        }

        // SAFETY: the instance is live and owned by this store.
        unsafe { initialize_segments(instance_ptr) }.map_err(InstantiateError::Trap)?;
        Ok(instance_index)
    }

    /// Adds a tag to the store; returns its index (an `ExternVal::Tag`).
    pub fn add_tag(&mut self, tag: TagRecord) -> u32 {
        self.tags.push(Arc::new(tag));
        (self.tags.len() - 1) as u32
    }

    pub fn tag(&self, index: u32) -> Option<&Arc<TagRecord>> {
        self.tags.get(index as usize)
    }

    /// The exceptions wasm of this store holds by reference.
    pub fn exceptions(&self) -> &ExnArena {
        // SAFETY: owned by self.
        unsafe { self.exceptions.0.as_ref() }
    }

    fn global_ptr(&self, handle: u32) -> *mut u64 {
        // SAFETY: the handle indexes a live global owned by this store.
        unsafe { (&raw mut (*self.globals[handle as usize].0.as_ptr()).value).cast::<u64>() }
    }
}

/// Applies the active element segments, then the active data segments, in order (wasm 2.0:
/// as `table.init`/`memory.init` followed by a drop); declared segments are dropped too.
/// A trap leaves the earlier writes in place.
///
/// # Safety
/// `instance` points to a live instance whose VmCtx is fully set up.
unsafe fn initialize_segments(instance: *mut InstanceData) -> Result<(), Trap> {
    // SAFETY: per the function contract.
    unsafe {
        let module = (*instance).module.clone();
        let globals: Vec<*mut u64> = (*instance).globals.to_vec();
        let vmctx: *mut VmCtx = &mut *(*instance).vmctx;
        for (index, segment) in module.elements.iter().enumerate() {
            match &segment.mode {
                ElementMode::Active { table, offset } => {
                    let dst = eval_const(offset, &globals, &[]) as u32;
                    let len = segment.items.len() as u32;
                    let code = libcalls::table_init(vmctx, *table, index as u32, dst, 0, len);
                    if code != 0 {
                        return Err(trap_from_code(code));
                    }
                    libcalls::elem_drop(vmctx, index as u32);
                }
                ElementMode::Declared => libcalls::elem_drop(vmctx, index as u32),
                ElementMode::Passive => {}
            }
        }
        for (index, segment) in module.data.iter().enumerate() {
            if let DataMode::Active { offset, .. } = &segment.mode {
                let dst = eval_const(offset, &globals, &[]) as u32;
                let len = segment.range.len() as u32;
                let code = libcalls::memory_init(vmctx, index as u32, dst, 0, len);
                if code != 0 {
                    return Err(trap_from_code(code));
                }
                libcalls::data_drop(vmctx, index as u32);
            }
        }
    }
    Ok(())
}

fn trap_from_code(code: u32) -> Trap {
    Trap::new(TrapCode::from_u32(code).unwrap_or(TrapCode::Unreachable))
}

/// Evaluates a global's validated initializer to the global's two slots (a v128 uses both;
/// `global.get` copies both, so it copies an imported v128 global whole).
fn eval_global_init(
    expr: &ConstExpr,
    globals: &[*mut u64],
    funcs: &[*const FuncRecord],
) -> [u64; 2] {
    match *expr {
        ConstExpr::V128(bits) => [bits as u64, (bits >> 64) as u64],
        ConstExpr::GlobalGet(index) => globals.get(index as usize).map_or([0, 0], |&g| {
            // SAFETY: global cells are owned by the store, live, and two slots long.
            unsafe { [*g, *g.add(1)] }
        }),
        _ => [eval_const(expr, globals, funcs), 0],
    }
}

/// Evaluates a validated constant expression to a slot (of a v128, the low half: only
/// [`eval_global_init`] meets one). `globals` and `funcs` are the
/// instance's pointer arrays so far (validation guarantees only available indices are used).
fn eval_const(expr: &ConstExpr, globals: &[*mut u64], funcs: &[*const FuncRecord]) -> u64 {
    // SAFETY: global cells are owned by the store and live.
    let global = |index: u32| globals.get(index as usize).map_or(0, |&g| unsafe { *g });
    match *expr {
        ConstExpr::Extended(ref ops) => eval_extended_const(ops, global),
        ConstExpr::I32(v) => v as u32 as u64,
        ConstExpr::I64(v) => v as u64,
        ConstExpr::F32(bits) => bits as u64,
        ConstExpr::F64(bits) => bits,
        ConstExpr::V128(bits) => bits as u64,
        ConstExpr::RefNull(_) => 0,
        ConstExpr::RefFunc(index) => funcs.get(index as usize).map_or(0, |&f| f as u64),
        ConstExpr::GlobalGet(index) => global(index),
    }
}

/// An extended constant expression on a stack of slots; i32 results are zero-extended, as in a
/// slot. Validation guarantees the operands are there and of the right type.
fn eval_extended_const(ops: &[ConstOp], global: impl Fn(u32) -> u64) -> u64 {
    let mut stack: Vec<u64> = Vec::with_capacity(ops.len());
    let binary = |stack: &mut Vec<u64>, f: fn(u64, u64) -> u64| {
        let (b, a) = (stack.pop().unwrap_or(0), stack.pop().unwrap_or(0));
        f(a, b)
    };
    for op in ops {
        let value = match *op {
            ConstOp::I32(v) => v as u32 as u64,
            ConstOp::I64(v) => v as u64,
            ConstOp::GlobalGet(index) => global(index),
            ConstOp::I32Add => binary(&mut stack, |a, b| (a as u32).wrapping_add(b as u32) as u64),
            ConstOp::I32Sub => binary(&mut stack, |a, b| (a as u32).wrapping_sub(b as u32) as u64),
            ConstOp::I32Mul => binary(&mut stack, |a, b| (a as u32).wrapping_mul(b as u32) as u64),
            ConstOp::I64Add => binary(&mut stack, u64::wrapping_add),
            ConstOp::I64Sub => binary(&mut stack, u64::wrapping_sub),
            ConstOp::I64Mul => binary(&mut stack, u64::wrapping_mul),
        };
        stack.push(value);
    }
    stack.pop().unwrap_or(0)
}

/// The signature of a function record (host or wasm).
///
/// # Safety
/// `record` points to a live record; its host function or instance is alive for `'a`.
pub unsafe fn record_func_type<'a>(record: *const FuncRecord) -> &'a super::FuncType {
    // SAFETY: per the contract; a wasm record's vmctx leads to its live instance.
    unsafe {
        if !(*record).host.is_null() {
            &(*(*record).host).ty
        } else {
            (*InstanceData::of_vmctx((*record).vmctx))
                .module
                .func_type((*record).func_index)
        }
    }
}

fn limits_match(actual: Limits, expected: Limits) -> bool {
    actual.min >= expected.min
        && match expected.max {
            None => true,
            Some(expected_max) => actual.max.is_some_and(|max| max <= expected_max),
        }
}

fn show_limits(limits: Limits) -> String {
    match limits.max {
        Some(max) => format!("{{min {}, max {max}}}", limits.min),
        None => format!("{{min {}}}", limits.min),
    }
}

/// How messages name tag `index` of `module` (see [`TagRecord::name`]).
fn tag_name(module: &ModuleInfo, index: u32) -> String {
    let exported = || {
        module
            .exports
            .iter()
            .find(|e| e.kind == crate::module::ExportKind::Tag && e.index == index)
            .map(|e| format!("{:?}", e.name))
    };
    let name = module
        .names
        .tags
        .get(&index)
        .map(|n| format!("${n}"))
        .or_else(exported)
        .unwrap_or_else(|| index.to_string());
    match &module.names.module {
        Some(m) => format!("{name} of module {m}"),
        None => name,
    }
}

fn extern_kind_name(val: ExternVal) -> &'static str {
    match val {
        ExternVal::Func(_) => "function",
        ExternVal::Memory(_) => "memory",
        ExternVal::Table(_) => "table",
        ExternVal::Global(_) => "global",
        ExternVal::Tag(_) => "tag",
    }
}
