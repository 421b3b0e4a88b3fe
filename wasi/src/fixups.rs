//! Where `wasi-common` 36 disagrees with POSIX and the WASI test suite, the call is adjusted here
//! around `wasi-common`'s own implementation.

use crate::{FUNCTIONS, Wasi, WasiTrap};

const ERRNO_SUCCESS: u64 = 0;
const ERRNO_BADF: u64 = 8;
const ERRNO_NOTSOCK: u64 = 57;
const ERRNO_NOTSUP: u64 = 58;
const OFLAGS_TRUNC: u64 = 1 << 3;
/// `filetype::directory` in an `fdstat`'s first byte.
const FILETYPE_DIRECTORY: u8 = 3;
/// Size of `fdstat`.
const FDSTAT_LEN: usize = 24;
const FDFLAGS_APPEND: u64 = 1 << 0;

/// Slots of `path_open(fd, dirflags, path, path_len, oflags, rights_base, rights_inheriting,
/// fdflags, opened_fd_ptr)`.
const PATH_OPEN_OFLAGS: usize = 4;
const PATH_OPEN_FDFLAGS: usize = 7;
const PATH_OPEN_RESULT_PTR: usize = 8;

fn index_of(name: &str) -> Result<usize, WasiTrap> {
    FUNCTIONS
        .iter()
        .position(|function| function.name == name)
        .ok_or_else(|| WasiTrap::Trap(format!("no WASI function {name}")))
}

/// `path_open` with `O_TRUNC | O_APPEND`, which POSIX allows but `cap-std` (like Rust's
/// `OpenOptions`) rejects with `EINVAL`: open with `O_TRUNC` alone, then set `APPEND` with
/// `fd_fdstat_set_flags`.
pub(crate) fn path_open(
    wasi: &mut Wasi,
    memory: &mut [u8],
    slots: &mut [u64],
) -> Result<(), WasiTrap> {
    let path_open = index_of("path_open")?;
    let fdflags = slots[PATH_OPEN_FDFLAGS];
    if slots[PATH_OPEN_OFLAGS] & OFLAGS_TRUNC == 0 || fdflags & FDFLAGS_APPEND == 0 {
        return wasi.call_common(path_open, memory, slots);
    }
    let result_ptr = slots[PATH_OPEN_RESULT_PTR];
    slots[PATH_OPEN_FDFLAGS] = fdflags & !FDFLAGS_APPEND;
    wasi.call_common(path_open, memory, slots)?;
    if slots[0] != ERRNO_SUCCESS {
        return Ok(());
    }
    // wasi-common wrote the new fd there, so the range is in bounds.
    let fd = usize::try_from(result_ptr)
        .ok()
        .and_then(|at| memory.get(at..at.checked_add(4)?))
        .and_then(|bytes| <[u8; 4]>::try_from(bytes).ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| WasiTrap::Trap("path_open: result pointer out of bounds".into()))?;
    let mut set_flags = [u64::from(fd), fdflags];
    wasi.call_common(index_of("fd_fdstat_set_flags")?, memory, &mut set_flags)?;
    if set_flags[0] != ERRNO_SUCCESS {
        let mut close = [u64::from(fd)];
        wasi.call_common(index_of("fd_close")?, memory, &mut close)?;
    }
    slots[0] = set_flags[0];
    Ok(())
}

/// The `sock_*` functions on an open fd that isn't a socket: `wasi-common` says `EBADF`, the
/// specification (and the test suite) `ENOTSOCK`.
pub(crate) fn socket_call(
    wasi: &mut Wasi,
    index: usize,
    memory: &mut [u8],
    slots: &mut [u64],
) -> Result<(), WasiTrap> {
    let fd = slots[0] as u32;
    wasi.call_common(index, memory, slots)?;
    if slots[0] == ERRNO_BADF && wasi.ctx.table().contains_key(fd) {
        slots[0] = ERRNO_NOTSOCK;
    }
    Ok(())
}

/// `fd_fdstat_set_rights` on an open fd: `wasi-common` reports success but keeps every right (it
/// enforces only the read/write mode an fd was opened with), so say `ENOTSUP`, the answer the
/// WASI test suite takes to mean "this host doesn't do rights".
pub(crate) fn fd_fdstat_set_rights(
    wasi: &mut Wasi,
    index: usize,
    memory: &mut [u8],
    slots: &mut [u64],
) -> Result<(), WasiTrap> {
    wasi.call_common(index, memory, slots)?;
    if slots[0] == ERRNO_SUCCESS {
        slots[0] = ERRNO_NOTSUP;
    }
    Ok(())
}

/// The slots that hold a directory fd in the `path_*` functions: `path_symlink` takes it
/// third, `path_link` and `path_rename` take two.
pub(crate) fn dir_fd_slots(name: &str) -> &'static [usize] {
    match name {
        "path_link" => &[0, 4],
        "path_rename" => &[0, 3],
        "path_symlink" => &[2],
        name if name.starts_with("path_") => &[0],
        _ => &[],
    }
}

/// A `path_*` call whose directory fd is a stdio stream (0, 1 or 2, not a directory):
/// `EBADF`, as wasmtime answers, where `wasi-common` says `ENOTDIR`.
pub(crate) fn path_call(
    wasi: &mut Wasi,
    index: usize,
    fd_slots: &[usize],
    memory: &mut [u8],
    slots: &mut [u64],
) -> Result<(), WasiTrap> {
    for &at in fd_slots {
        let fd = slots[at] as u32;
        if fd <= 2 && !is_directory(wasi, fd)? {
            slots[0] = ERRNO_BADF;
            return Ok(());
        }
    }
    if FUNCTIONS[index].name == "path_open" {
        path_open(wasi, memory, slots)
    } else {
        wasi.call_common(index, memory, slots)
    }
}

/// Whether `fd` is an open directory (asked through `fd_fdstat_get` into a scratch buffer).
fn is_directory(wasi: &mut Wasi, fd: u32) -> Result<bool, WasiTrap> {
    let mut fdstat = [0u8; FDSTAT_LEN];
    let mut call = [u64::from(fd), 0];
    wasi.call_common(index_of("fd_fdstat_get")?, &mut fdstat, &mut call)?;
    Ok(call[0] == ERRNO_SUCCESS && fdstat[0] == FILETYPE_DIRECTORY)
}
