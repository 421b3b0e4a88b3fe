//! One function compiled on its own (the tier manager's unit of work): its own code memory,
//! registered for traps and backtraces. Calls to other functions go through their records
//! (`compile::compile_functions`), so the function works whatever tier its callees are in.

use std::sync::Arc;

use super::code_memory::CodeMemory;
use super::compile::{self, CpuFeatures, OsrEntry};
use super::trap;
use crate::module::ModuleInfo;

pub struct CompiledFunction {
    /// First: dropped (unregistered) before the code is unmapped.
    _registration: trap::Registration,
    memory: CodeMemory,
    entry_offset: u32,
    osr_entries: Vec<OsrEntry>,
    _info: Arc<trap::CodeInfo>,
}

impl CompiledFunction {
    /// Compiles defined function `func_index` (imports counted) of `module`.
    pub fn compile(
        module: &Arc<ModuleInfo>,
        func_index: u32,
        cpu: CpuFeatures,
    ) -> Result<CompiledFunction, String> {
        let out = compile::compile_functions(module, &[func_index], cpu)?;
        let memory = CodeMemory::new(&out.code)?;
        let start = memory.base() as usize;
        let info = Arc::new(trap::CodeInfo {
            start,
            end: start + memory.len(),
            module: module.clone(),
            funcs: out.func_starts,
            pc_map: out.pc_map,
        });
        let registration = trap::register(&info);
        Ok(CompiledFunction {
            memory,
            entry_offset: out.func_offsets.first().copied().unwrap_or(0),
            osr_entries: out.loop_headers.into_iter().next().unwrap_or_default(),
            _info: info,
            _registration: registration,
        })
    }

    /// The function's native entry.
    pub fn entry(&self) -> *const u8 {
        // SAFETY: the offset is where the function was assembled, inside the code.
        unsafe { self.memory.base().add(self.entry_offset as usize) }
    }

    /// The OSR entry of the loop whose `loop` operator is at `wasm_offset`, if compiled.
    pub fn osr_entry(&self, wasm_offset: u32) -> Option<*const u8> {
        let entry = self
            .osr_entries
            .iter()
            .find(|e| e.wasm_offset == wasm_offset)?;
        // SAFETY: the stub offset lies inside the code (recorded while assembling).
        Some(unsafe { self.memory.base().add(entry.code_offset as usize) })
    }

    /// Size of the machine code in bytes.
    pub fn code_len(&self) -> usize {
        self.memory.len()
    }
}
