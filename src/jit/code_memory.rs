//! Executable memory with W^X: allocated read-write, filled, then switched to read-execute.
//! It is never writable and executable at once.

/// A block of machine code, read-execute for its whole life after [`CodeMemory::new`].
pub struct CodeMemory {
    allocation: region::Allocation,
    len: usize,
}

// SAFETY: the memory is immutable (read-execute) after construction; sharing its address
// between threads is as safe as sharing a `&[u8]`.
unsafe impl Send for CodeMemory {}
// SAFETY: see `Send`: nothing writes the memory after construction.
unsafe impl Sync for CodeMemory {}

impl CodeMemory {
    /// Copies `code` into fresh pages and makes them read-execute.
    pub fn new(code: &[u8]) -> Result<CodeMemory, String> {
        let size = code.len().max(1);
        let mut allocation = region::alloc(size, region::Protection::READ_WRITE)
            .map_err(|e| format!("cannot allocate {size} bytes of code memory: {e}"))?;
        let base = allocation.as_mut_ptr::<u8>();
        // SAFETY: the allocation is at least `size >= code.len()` bytes, read-write, and freshly
        // mapped (no other reference to it exists).
        unsafe {
            std::ptr::copy_nonoverlapping(code.as_ptr(), base, code.len());
        }
        // SAFETY: the range is exactly our allocation; after this call nothing writes it.
        unsafe {
            region::protect(base, allocation.len(), region::Protection::READ_EXECUTE)
                .map_err(|e| format!("cannot make code memory executable: {e}"))?;
        }
        Ok(CodeMemory {
            allocation,
            len: code.len(),
        })
    }

    /// Address of the first byte of code.
    pub fn base(&self) -> *const u8 {
        self.allocation.as_ptr::<u8>()
    }

    /// Length of the code in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes of memory the code occupies (its length rounded up to whole pages).
    pub fn allocated_len(&self) -> usize {
        self.allocation.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `pc` lies inside the code.
    pub fn contains(&self, pc: usize) -> bool {
        let start = self.base() as usize;
        pc >= start && pc < start + self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_copied_and_executable_but_not_writable() {
        let memory = CodeMemory::new(&[0xC3, 0x90]).unwrap();
        assert_eq!(memory.len(), 2);
        // SAFETY: reading two bytes of our own readable allocation.
        let bytes = unsafe { std::slice::from_raw_parts(memory.base(), 2) };
        assert_eq!(bytes, &[0xC3, 0x90]);
        let info = region::query(memory.base()).unwrap();
        assert_eq!(info.protection(), region::Protection::READ_EXECUTE);
        assert!(memory.contains(memory.base() as usize + 1));
        assert!(!memory.contains(memory.base() as usize + 2));
    }
}
