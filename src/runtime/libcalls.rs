//! Runtime helpers shared by every tier (the JIT reaches them through `VmCtx::helpers`).
//!
//! CONTRACT: each takes the calling instance's `*mut VmCtx` first. Fallible ones return a trap
//! code as `u32` (0 = ok, otherwise `TrapCode as u32`); grow operations return the old size or
//! `u32::MAX` (-1) on failure. Indices and lengths are the wasm operands (u32).
//! wrun implements one memory per module (no multi-memory), so memory helpers take no index.
//!
//! Bounds follow wasm 2.0 exactly: every range is checked before anything is written, a
//! zero-length operation exactly at the end is fine (one past it traps), and a dropped segment
//! behaves as a segment of length 0.
//!
//! Addition: [`helper_table`] / [`helper_index`] give the layout of `VmCtx::helpers`.

#![allow(clippy::missing_safety_doc)]

use super::instance::InstanceData;
use super::memory::LinearMemory;
use super::table::TableInstance;
use super::trap::TrapCode;
use super::vmctx::VmCtx;
use std::sync::OnceLock;

/// Positions of the helpers in `VmCtx::helpers`.
pub mod helper_index {
    pub const MEMORY_GROW: usize = 0;
    pub const MEMORY_FILL: usize = 1;
    pub const MEMORY_COPY: usize = 2;
    pub const MEMORY_INIT: usize = 3;
    pub const DATA_DROP: usize = 4;
    pub const TABLE_GET: usize = 5;
    pub const TABLE_SET: usize = 6;
    pub const TABLE_GROW: usize = 7;
    pub const TABLE_FILL: usize = 8;
    pub const TABLE_COPY: usize = 9;
    pub const TABLE_INIT: usize = 10;
    pub const ELEM_DROP: usize = 11;
    pub const COUNT: usize = 12;
}

/// Replacement addresses for the helper table of instances created from now on, in
/// [`helper_index`] order: the guest profiler routes compiled code's helper calls through
/// call-out stubs that record where compiled code left off (see `jit::entry::track_call_outs`).
static ROUTED: OnceLock<[usize; helper_index::COUNT]> = OnceLock::new();

/// Makes [`helper_table`] return `table` from now on (the first call wins; instances created
/// before keep the plain helpers). Every entry must behave exactly as the helper it replaces.
pub fn route_helpers_through(table: [usize; helper_index::COUNT]) {
    let _ = ROUTED.set(table);
}

/// The helper addresses in [`helper_index`] order (routed, see [`route_helpers_through`]).
pub fn helper_table() -> Box<[usize]> {
    Box::new(*ROUTED.get().unwrap_or(&plain_helper_table()))
}

/// The helpers' own addresses in [`helper_index`] order.
pub fn plain_helper_table() -> [usize; helper_index::COUNT] {
    [
        memory_grow as *const () as usize,
        memory_fill as *const () as usize,
        memory_copy as *const () as usize,
        memory_init as *const () as usize,
        data_drop as *const () as usize,
        table_get as *const () as usize,
        table_set as *const () as usize,
        table_grow as *const () as usize,
        table_fill as *const () as usize,
        table_copy as *const () as usize,
        table_init as *const () as usize,
        elem_drop as *const () as usize,
    ]
}

const OK: u32 = 0;
const MEMORY_OOB: u32 = TrapCode::MemoryOutOfBounds as u32;
const TABLE_OOB: u32 = TrapCode::TableOutOfBounds as u32;

/// `start + len <= limit` without overflow.
fn in_bounds(start: u32, len: u32, limit: usize) -> bool {
    start as u64 + len as u64 <= limit as u64
}

/// # Safety
/// `vmctx` is a live instance context.
unsafe fn instance<'a>(vmctx: *mut VmCtx) -> &'a InstanceData {
    // SAFETY: per the contract, `instance` points to the live owner of `vmctx`. Shared access
    // only: the drops below borrow just the one field they change.
    unsafe { &*InstanceData::of_vmctx(vmctx) }
}

/// # Safety
/// `vmctx` is a live instance context.
unsafe fn memory<'a>(vmctx: *mut VmCtx) -> Option<&'a mut LinearMemory> {
    // SAFETY: memory pointers of a live instance point to live memories of its store.
    unsafe { instance(vmctx).memories.first().map(|&m| &mut *m) }
}

/// # Safety
/// `vmctx` is a live instance context.
unsafe fn table<'a>(vmctx: *mut VmCtx, index: u32) -> Option<&'a mut TableInstance> {
    // SAFETY: table pointers of a live instance point to live tables of its store.
    unsafe { instance(vmctx).tables.get(index as usize).map(|&t| &mut *t) }
}

/// `memory.grow`: old size in pages, or `u32::MAX`.
pub unsafe extern "C" fn memory_grow(vmctx: *mut VmCtx, delta_pages: u32) -> u32 {
    // SAFETY: the caller passes its live context.
    match unsafe { memory(vmctx) } {
        Some(memory) => memory.grow(delta_pages as u64),
        None => u32::MAX,
    }
}

/// `memory.fill`.
pub unsafe extern "C" fn memory_fill(vmctx: *mut VmCtx, dst: u32, value: u32, len: u32) -> u32 {
    // SAFETY: the caller passes its live context.
    let Some(memory) = (unsafe { memory(vmctx) }) else {
        return MEMORY_OOB;
    };
    let data = memory.data_mut();
    if !in_bounds(dst, len, data.len()) {
        return MEMORY_OOB;
    }
    data[dst as usize..][..len as usize].fill(value as u8);
    OK
}

/// `memory.copy`.
pub unsafe extern "C" fn memory_copy(vmctx: *mut VmCtx, dst: u32, src: u32, len: u32) -> u32 {
    // SAFETY: the caller passes its live context.
    let Some(memory) = (unsafe { memory(vmctx) }) else {
        return MEMORY_OOB;
    };
    let data = memory.data_mut();
    if !in_bounds(dst, len, data.len()) || !in_bounds(src, len, data.len()) {
        return MEMORY_OOB;
    }
    data.copy_within(src as usize..src as usize + len as usize, dst as usize);
    OK
}

/// `memory.init data_index`.
pub unsafe extern "C" fn memory_init(
    vmctx: *mut VmCtx,
    data_index: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: the caller passes its live context.
    let inst = unsafe { instance(vmctx) };
    let (Some(segment), Some(&memory)) =
        (inst.data.get(data_index as usize), inst.memories.first())
    else {
        return MEMORY_OOB;
    };
    // SAFETY: a live memory of the store; the module bytes are a separate allocation.
    let data = unsafe { (*memory).data_mut() };
    if !in_bounds(src, len, segment.len()) || !in_bounds(dst, len, data.len()) {
        return MEMORY_OOB;
    }
    let bytes = &inst.module.bytes[segment.clone()][src as usize..][..len as usize];
    data[dst as usize..][..len as usize].copy_from_slice(bytes);
    OK
}

/// `data.drop`.
pub unsafe extern "C" fn data_drop(vmctx: *mut VmCtx, data_index: u32) {
    // SAFETY: the caller passes its live context; only the `data` field is borrowed mutably.
    let data = unsafe { &mut (*InstanceData::of_vmctx(vmctx)).data };
    if let Some(segment) = data.get_mut(data_index as usize) {
        *segment = 0..0;
    }
}

/// `table.get`: writes the element to `*out`.
pub unsafe extern "C" fn table_get(
    vmctx: *mut VmCtx,
    table: u32,
    index: u32,
    out: *mut u64,
) -> u32 {
    // SAFETY: the caller passes its live context.
    let Some(table) = (unsafe { self::table(vmctx, table) }) else {
        return TABLE_OOB;
    };
    match table.elements().get(index as usize) {
        Some(&value) => {
            // SAFETY: the caller passes a writable slot.
            unsafe { *out = value };
            OK
        }
        None => TABLE_OOB,
    }
}

/// `table.set`.
pub unsafe extern "C" fn table_set(vmctx: *mut VmCtx, table: u32, index: u32, value: u64) -> u32 {
    // SAFETY: the caller passes its live context.
    let Some(table) = (unsafe { self::table(vmctx, table) }) else {
        return TABLE_OOB;
    };
    match table.elements_mut().get_mut(index as usize) {
        Some(slot) => {
            *slot = value;
            OK
        }
        None => TABLE_OOB,
    }
}

/// `table.grow`: old size, or `u32::MAX`.
pub unsafe extern "C" fn table_grow(vmctx: *mut VmCtx, table: u32, init: u64, delta: u32) -> u32 {
    // SAFETY: the caller passes its live context.
    match unsafe { self::table(vmctx, table) } {
        Some(table) => table.grow(delta, init),
        None => u32::MAX,
    }
}

/// `table.fill`.
pub unsafe extern "C" fn table_fill(
    vmctx: *mut VmCtx,
    table: u32,
    dst: u32,
    value: u64,
    len: u32,
) -> u32 {
    // SAFETY: the caller passes its live context.
    let Some(table) = (unsafe { self::table(vmctx, table) }) else {
        return TABLE_OOB;
    };
    let elements = table.elements_mut();
    if !in_bounds(dst, len, elements.len()) {
        return TABLE_OOB;
    }
    elements[dst as usize..][..len as usize].fill(value);
    OK
}

/// `table.copy dst_table src_table`.
pub unsafe extern "C" fn table_copy(
    vmctx: *mut VmCtx,
    dst_table: u32,
    src_table: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: the caller passes its live context.
    let inst = unsafe { instance(vmctx) };
    let (Some(&dst_ptr), Some(&src_ptr)) = (
        inst.tables.get(dst_table as usize),
        inst.tables.get(src_table as usize),
    ) else {
        return TABLE_OOB;
    };
    if dst_ptr == src_ptr {
        // SAFETY: a live table of the store.
        let elements = unsafe { (*dst_ptr).elements_mut() };
        if !in_bounds(dst, len, elements.len()) || !in_bounds(src, len, elements.len()) {
            return TABLE_OOB;
        }
        elements.copy_within(src as usize..src as usize + len as usize, dst as usize);
    } else {
        // SAFETY: two distinct live tables of the store, so the borrows do not overlap.
        let (dst_elements, src_elements) =
            unsafe { ((*dst_ptr).elements_mut(), (*src_ptr).elements()) };
        if !in_bounds(dst, len, dst_elements.len()) || !in_bounds(src, len, src_elements.len()) {
            return TABLE_OOB;
        }
        dst_elements[dst as usize..][..len as usize]
            .copy_from_slice(&src_elements[src as usize..][..len as usize]);
    }
    OK
}

/// `table.init elem_index table`.
pub unsafe extern "C" fn table_init(
    vmctx: *mut VmCtx,
    table: u32,
    elem_index: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: the caller passes its live context.
    let inst = unsafe { instance(vmctx) };
    let (Some(segment), Some(&table_ptr)) = (
        inst.elements.get(elem_index as usize),
        inst.tables.get(table as usize),
    ) else {
        return TABLE_OOB;
    };
    // SAFETY: a live table of the store; segments are not stored in tables' memory.
    let elements = unsafe { (*table_ptr).elements_mut() };
    if !in_bounds(src, len, segment.len()) || !in_bounds(dst, len, elements.len()) {
        return TABLE_OOB;
    }
    elements[dst as usize..][..len as usize]
        .copy_from_slice(&segment[src as usize..][..len as usize]);
    OK
}

/// `elem.drop`.
pub unsafe extern "C" fn elem_drop(vmctx: *mut VmCtx, elem_index: u32) {
    // SAFETY: the caller passes its live context; only the `elements` field is borrowed
    // mutably.
    let elements = unsafe { &mut (*InstanceData::of_vmctx(vmctx)).elements };
    if let Some(segment) = elements.get_mut(elem_index as usize) {
        *segment = Box::new([]);
    }
}
