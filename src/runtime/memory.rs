//! Linear memory: a fixed reservation of virtual address space, committed page by page.
//!
//! A 32-bit memory reserves 4 GiB plus a [`GUARD_BYTES`] guard region as `PROT_NONE`
//! (`MAP_NORESERVE`, so the reservation costs no commit charge). Growing switches pages to
//! read-write in place with `mprotect`, so `base` never moves and every importer's `MemoryDef`
//! stays exact. Freshly committed pages are zero because memory never shrinks: a page is
//! committed at most once.

use super::vmctx::MemoryDef;
use super::{Limits, MemoryType};
use super::{Resource, ResourceError};

/// Size of a wasm page.
pub const WASM_PAGE: usize = 64 * 1024;
/// Largest number of pages of a 32-bit memory (4 GiB).
pub const MAX_PAGES: u64 = 65536;
/// Address space reserved beyond the largest possible memory, so compiled code may use a
/// 32-bit index plus a 31-bit offset without a bounds check.
pub const GUARD_BYTES: usize = 2 << 30;
const RESERVATION_BYTES: usize = (MAX_PAGES as usize) * WASM_PAGE + GUARD_BYTES;

/// One linear memory. Owned by the store at a stable address; `def` is what `VmCtx::memory`
/// points to.
#[derive(Debug)]
pub struct LinearMemory {
    pub def: MemoryDef,
    /// Declared type (limits as declared; the current size is `def.len / WASM_PAGE`).
    pub ty: MemoryType,
    /// Growth limit in pages: the declared maximum or [`MAX_PAGES`].
    max_pages: u64,
}

impl LinearMemory {
    /// Reserves the address space and commits `ty.limits.min` pages.
    pub fn new(ty: MemoryType) -> Result<LinearMemory, ResourceError> {
        Self::with_limit(ty, None)
    }

    /// Like [`LinearMemory::new`], never growing past `limit_bytes` (the store's
    /// `max_memory_size`, rounded down to whole pages): `memory.grow` past it returns -1, and
    /// a minimum above it is an error naming the limit.
    pub fn with_limit(
        ty: MemoryType,
        limit_bytes: Option<u64>,
    ) -> Result<LinearMemory, ResourceError> {
        let mut max_pages = ty.limits.max.unwrap_or(MAX_PAGES).min(MAX_PAGES);
        if let Some(limit) = limit_bytes {
            let limit_pages = limit / WASM_PAGE as u64;
            if ty.limits.min > limit_pages {
                return Err(ResourceError::StoreLimit {
                    resource: Resource::Memory,
                    requested: ty.limits.min,
                    limit,
                });
            }
            max_pages = max_pages.min(limit_pages);
        }
        if ty.limits.min > max_pages {
            return Err(ResourceError::Unsupported {
                resource: Resource::Memory,
                requested: ty.limits.min,
                maximum: max_pages,
            });
        }
        // SAFETY: an anonymous private PROT_NONE mapping at an address of the kernel's choosing
        // touches no existing memory.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                RESERVATION_BYTES,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(ResourceError::System(format!(
                "cannot reserve {RESERVATION_BYTES} bytes of address space for a linear memory: {}",
                std::io::Error::last_os_error()
            )));
        }
        let mut memory = LinearMemory {
            def: MemoryDef {
                base: base.cast::<u8>(),
                len: 0,
            },
            ty,
            max_pages,
        };
        if memory.grow(ty.limits.min) == u32::MAX {
            return Err(ResourceError::System(format!(
                "cannot commit {} pages of linear memory: {}",
                ty.limits.min,
                std::io::Error::last_os_error()
            )));
        }
        Ok(memory)
    }

    /// Current size in pages.
    pub fn pages(&self) -> u64 {
        (self.def.len / WASM_PAGE) as u64
    }

    /// The type as an importer sees it: the current size as minimum, the declared maximum.
    pub fn current_type(&self) -> MemoryType {
        MemoryType {
            limits: Limits {
                min: self.pages(),
                max: self.ty.limits.max,
            },
        }
    }

    /// `memory.grow`: the old size in pages, or `u32::MAX` past the maximum or when the pages
    /// cannot be committed.
    pub fn grow(&mut self, delta_pages: u64) -> u32 {
        let old = self.pages();
        let new = match old.checked_add(delta_pages) {
            Some(new) if new <= self.max_pages => new,
            _ => return u32::MAX,
        };
        if delta_pages > 0 {
            let new_len = new as usize * WASM_PAGE;
            // SAFETY: `base + len .. base + new_len` lies inside our own reservation (new <=
            // MAX_PAGES), which nothing else maps.
            let rc = unsafe {
                libc::mprotect(
                    self.def.base.add(self.def.len).cast(),
                    new_len - self.def.len,
                    libc::PROT_READ | libc::PROT_WRITE,
                )
            };
            if rc != 0 {
                return u32::MAX;
            }
            self.def.len = new_len;
        }
        // `old <= MAX_PAGES == 65536` always fits; u32::MAX is never a valid old size.
        old as u32
    }

    /// The accessible bytes.
    pub fn data(&self) -> &[u8] {
        // SAFETY: `base .. base + len` is committed read-write memory owned by self.
        unsafe { std::slice::from_raw_parts(self.def.base, self.def.len) }
    }

    /// The accessible bytes, mutably.
    pub fn data_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `data`; `&mut self` makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.def.base, self.def.len) }
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        // SAFETY: `base` is the start of our own reservation of RESERVATION_BYTES; nothing
        // refers to it once its owner (the store) drops it.
        unsafe {
            libc::munmap(self.def.base.cast(), RESERVATION_BYTES);
        }
    }
}
