//! Runtime helpers shared by every tier (the JIT reaches them through `VmCtx::helpers`).
//!
//! CONTRACT: each takes the calling instance's `*mut VmCtx` first. Fallible ones return a trap
//! code as `u32` (0 = ok, otherwise `TrapCode as u32`); grow operations return the old size or
//! `u32::MAX` (-1) on failure. Indices and lengths are the wasm operands (u32).
//! wrun implements one memory per module (no multi-memory), so memory helpers take no index.

#![allow(clippy::missing_safety_doc)]

use super::vmctx::VmCtx;

/// `memory.grow`: old size in pages, or `u32::MAX`.
pub unsafe extern "C" fn memory_grow(vmctx: *mut VmCtx, delta_pages: u32) -> u32 {
    let _ = (vmctx, delta_pages);
    todo!()
}

/// `memory.fill`.
pub unsafe extern "C" fn memory_fill(vmctx: *mut VmCtx, dst: u32, value: u32, len: u32) -> u32 {
    let _ = (vmctx, dst, value, len);
    todo!()
}

/// `memory.copy`.
pub unsafe extern "C" fn memory_copy(vmctx: *mut VmCtx, dst: u32, src: u32, len: u32) -> u32 {
    let _ = (vmctx, dst, src, len);
    todo!()
}

/// `memory.init data_index`.
pub unsafe extern "C" fn memory_init(
    vmctx: *mut VmCtx,
    data_index: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> u32 {
    let _ = (vmctx, data_index, dst, src, len);
    todo!()
}

/// `data.drop`.
pub unsafe extern "C" fn data_drop(vmctx: *mut VmCtx, data_index: u32) {
    let _ = (vmctx, data_index);
    todo!()
}

/// `table.get`: writes the element to `*out`.
pub unsafe extern "C" fn table_get(vmctx: *mut VmCtx, table: u32, index: u32, out: *mut u64) -> u32 {
    let _ = (vmctx, table, index, out);
    todo!()
}

/// `table.set`.
pub unsafe extern "C" fn table_set(vmctx: *mut VmCtx, table: u32, index: u32, value: u64) -> u32 {
    let _ = (vmctx, table, index, value);
    todo!()
}

/// `table.grow`: old size, or `u32::MAX`.
pub unsafe extern "C" fn table_grow(vmctx: *mut VmCtx, table: u32, init: u64, delta: u32) -> u32 {
    let _ = (vmctx, table, init, delta);
    todo!()
}

/// `table.fill`.
pub unsafe extern "C" fn table_fill(
    vmctx: *mut VmCtx,
    table: u32,
    dst: u32,
    value: u64,
    len: u32,
) -> u32 {
    let _ = (vmctx, table, dst, value, len);
    todo!()
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
    let _ = (vmctx, dst_table, src_table, dst, src, len);
    todo!()
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
    let _ = (vmctx, table, elem_index, dst, src, len);
    todo!()
}

/// `elem.drop`.
pub unsafe extern "C" fn elem_drop(vmctx: *mut VmCtx, elem_index: u32) {
    let _ = (vmctx, elem_index);
    todo!()
}
