//! Tier 1: the baseline JIT (ARCHITECTURE.md, "Tier 1"). `x64` is the encoder and `masm` the
//! macro-assembler over it; neither knows anything of wasm.
//!
//! # Pieces
//!
//! - `opt/`: tier 2, the optimizing compiler (SSA IR, builder, passes, lowering, register
//!   allocation with `regalloc2`, emission through `masm`); `--tier opt` uses it
//!   ([`JitModule::compile_opt`]), nothing tiers up into it yet.
//! - `abi`: what both compilers emit alike at a function's edges (pinned registers, slots,
//!   the prologue's stack checks, calls through records, trap sites).
//! - `baseline/` (also reachable as `compile`): tier 1, the single-pass compiler with a
//!   register-resident value stack (value model, register policy, OSR stubs in its docs). It
//!   emits only through `masm`.
//! - `masm`: the macro-assembler: typed machine operations (integer and SSE arithmetic,
//!   loads with width and extension, compares, division sequences, conversions, the constant
//!   pool) and the machine-level peepholes, emitted through `x64`.
//! - `x64`: the x86-64 encoder (instruction forms, labels, fixups).
//! - `code_memory`: W^X executable memory (`region`). A [`JitModule`]'s code lives there, or
//!   in the read-execute pages of a mapped AOT sidecar ([`JitModule::from_mapped`], see `aot`).
//! - `exec_context`: the per-thread [`exec_context::ExecContext`] and its offsets, the JIT
//!   helper indices, what the signal handler reads about running code (a leaf module).
//! - `entry`: the entry trampoline and trap stubs,
//!   [`enter`] (Rust -> compiled code), the helper that calls host functions and functions
//!   without code.
//! - `trap`: code-range registry, SIGSEGV/SIGBUS handler, backtraces.
//! - `disas` (feature `disas`): disassembly of compiled functions with their wasm offsets,
//!   for `wrun compile --emit asm` and the snapshot tests in `tests/disas`.
//! - `convert`: Rust helpers for float -> int conversions, u64 -> float, min/max, rounding
//!   without SSE4.1 and popcnt without POPCNT.
//!
//! # Registers and calling convention between compiled functions
//!
//! | register | holds |
//! |----------|-------|
//! | `r15` | the current instance's `VmCtx` |
//! | `r14` | `fp`: the current frame on the value stack (slot `i` at `[r14 + 8*i]`) |
//! | `r13` | the linear memory base (stable: memories never move) |
//! | `r12` | the per-thread [`exec_context::ExecContext`] (stack limits, trap slot, JIT helpers) |
//! | `rbp` | native frame-pointer chain (every compiled function pushes it: backtraces) |
//!
//! All four pinned registers are callee-saved in SysV, so Rust helpers preserve them. A call
//! passes no arguments in registers: the caller materializes its operand stack, points `r14`
//! at the first argument's slot (the callee's frame, ARCHITECTURE "Calls") and calls; results
//! come back in the callee's `fp[0..n]`, which are the caller's canonical slots. Calls to
//! functions compiled into the same buffer are `call rel32` (same `r15`/`r13`). Every
//! other call goes through the callee's `FuncRecord`: if its `code` is set, the caller calls
//! it (for a record of another instance it first saves `r15`/`r13` and loads the callee's
//! `VmCtx` and memory base); otherwise (host functions, functions still interpreted) it calls
//! the `CALL_SLOW` helper with `(vmctx, record, args)`, which runs the callee on the argument
//! slots. Inside a function body `rsp` is 16-byte aligned,
//! so helpers are called directly. A tail call (`return_call*`) leaves the function first
//! (`pop rbp`, budget unit back) and jumps: to compiled code of the same instance directly,
//! else to the `TAIL_CALL_SLOW` thunk, which runs the callee for the replaced function's
//! caller and may jump on into compiled code the callee tail-calls (`entry.rs`).
//!
//! Compiled code contains no absolute address: VmCtx fields are loaded through `r15`, the
//! runtime helpers through `VmCtx::helpers`, the JIT's own helpers and the trap stub through
//! `r12`.
//!
//! # Traps
//!
//! Each trap site is out of line: `mov dword [r12 + TRAP_CODE], code; call [r12 + TRAP_STUB]`.
//! The stub (in the trampoline) records the return address and `rbp` for the backtrace,
//! restores the `rsp` saved at entry and returns the code to [`enter`], which builds the
//! `Trap` (host traps are carried separately, with their message). Out-of-bounds memory
//! accesses fault in the guard region; the signal handler checks that the pc is in compiled
//! code, `r12` is this thread's execution record and the address is in the memory
//! reservation based at `r13`, stores the code and redirects `rip` to the stub. Any other
//! fault goes to the previous handler. Static offsets beyond the guard are checked
//! explicitly. The native stack is checked in every prologue against a limit derived from
//! the thread's real stack bounds (pthread), the value stack against its end; both trap with
//! "call stack exhausted".
//!
//! # Entering and leaving compiled code
//!
//! [`enter`] runs compiled code on a value stack owned by the caller (the interpreter's: all
//! tiers share one value stack, so calls across tiers and OSR entries never copy a frame).
//! It is re-entrant: compiled code calls a wasm function without code through `CALL_SLOW`,
//! which hands it to the [`entry::Fallback`] installed by the entry (the tier manager installs
//! the interpreter), and that function may enter compiled code again, above the caller's frame
//! on the same value stack. Each nesting level saves and restores the trampoline's `saved_rsp`
//! and value-stack end; a trap unwinds to the innermost entry, which returns it to its caller
//! as a value (the nested tier appends its frames to the backtrace and passes it on).
//!
//! # What remains
//!
//! - Operands live in registers across operators and the hottest locals live in registers
//!   for the whole function (see `compile`); merges still use canonical slots for block
//!   results.
//! - The stack limits live in the per-thread [`exec_context::ExecContext`], not in VmCtx as
//!   ARCHITECTURE.md says: limits belong to the thread running the code, and one instance
//!   may run on several threads. The native limit comes from the thread's real
//!   stack bounds (`pthread_getattr_np`) minus a 256 KiB reserve for helpers and host calls.
//! - float min/max and the float -> int conversions are Rust helpers, not inline code.

pub mod abi;
pub mod baseline;
pub mod code_memory;
pub mod convert;
#[cfg(feature = "disas")]
pub mod disas;
pub mod entry;
pub mod exec_context;
pub mod masm;
pub mod opt;
pub mod simd;
pub mod trap;
pub mod x64;

use std::sync::Arc;

use crate::module::ModuleInfo;
pub use crate::runtime::CompileError;
/// The name the rest of the crate (tier manager, AOT, CLI) knows tier 1 by.
pub use baseline as compile;
pub use entry::enter;

/// A function entry for a function without code (in a partial sidecar).
pub const NO_CODE: u32 = u32::MAX;

/// Where a [`JitModule`]'s machine code lives.
enum Backing {
    /// Compiled in this process, copied into fresh read-execute pages.
    Memory(code_memory::CodeMemory),
    /// Mapped from an AOT sidecar: `map[offset..offset + len]` is the code, already
    /// read-execute (see [`JitModule::from_mapped`]).
    Mapped {
        map: memmap2::Mmap,
        offset: usize,
        len: usize,
    },
}

impl Backing {
    fn base(&self) -> *const u8 {
        match self {
            Backing::Memory(memory) => memory.base(),
            // `offset <= map.len()` (checked by `from_mapped`'s caller), so this stays in the
            // mapping or one past its end.
            Backing::Mapped { map, offset, .. } => map.as_ptr().wrapping_add(*offset),
        }
    }

    fn len(&self) -> usize {
        match self {
            Backing::Memory(memory) => memory.len(),
            Backing::Mapped { len, .. } => *len,
        }
    }
}

/// The pieces of a module's compiled code besides the code bytes (see
/// [`compile::CompiledCode`]): what an AOT sidecar stores next to the code.
pub struct CodeTables {
    /// Per function, its entry; [`NO_CODE`] for a function a partial sidecar (the code
    /// cache's) has no code for.
    pub func_offsets: Vec<u32>,
    pub loop_headers: Vec<Vec<compile::OsrEntry>>,
    pub func_starts: Vec<(u32, u32)>,
    pub pc_map: Vec<(u32, u32)>,
}

/// Compiled code of a module's defined functions `first_defined ..` (all of them, or the one
/// function the tier manager compiled), registered for traps while alive.
pub struct JitModule {
    /// First: dropped (unregistered) before the code is unmapped.
    _registration: trap::Registration,
    memory: Backing,
    info: Arc<trap::CodeInfo>,
    /// Defined index of the function whose entry is `func_offsets[0]`.
    first_defined: u32,
    func_offsets: Vec<u32>,
    loop_headers: Vec<Vec<compile::OsrEntry>>,
}

impl JitModule {
    /// Compiles every defined function of `module` for this CPU.
    pub fn compile(module: &Arc<ModuleInfo>) -> Result<JitModule, CompileError> {
        Self::compile_with(module, compile::CpuFeatures::detect())
    }

    /// Compiles with an explicit CPU feature set (tests use the baseline to cover fallbacks).
    pub fn compile_with(
        module: &Arc<ModuleInfo>,
        cpu: compile::CpuFeatures,
    ) -> Result<JitModule, CompileError> {
        Self::load(module, compile::compile_module(module, cpu)?, 0)
    }

    /// [`JitModule::compile`], with fuel charges when `consume_fuel` (`Config::consume_fuel`).
    pub fn compile_metered(
        module: &Arc<ModuleInfo>,
        consume_fuel: bool,
    ) -> Result<JitModule, CompileError> {
        let cpu = compile::CpuFeatures::detect();
        let out = compile::compile_module_metered(module, cpu, consume_fuel, &mut |_, _| {})?;
        Self::load(module, out, 0)
    }

    /// Compiles every defined function with tier 2 where it takes the function, else with
    /// tier 1 (`--tier opt`), into one buffer.
    pub fn compile_opt(
        module: &Arc<ModuleInfo>,
        consume_fuel: bool,
    ) -> Result<(JitModule, opt::compile::OptStats), CompileError> {
        let cpu = compile::CpuFeatures::detect();
        let (out, stats) = opt::compile::compile_module(module, cpu, consume_fuel)?;
        Ok((Self::load(module, out, 0)?, stats))
    }

    /// Compiles defined function `func_index` (imports counted) on its own: the tier
    /// manager's unit of work. Its calls go through the callees' records (self-recursion
    /// directly), so it works whatever tier its callees are in.
    pub fn compile_function(
        module: &Arc<ModuleInfo>,
        func_index: u32,
        cpu: compile::CpuFeatures,
        consume_fuel: bool,
    ) -> Result<JitModule, CompileError> {
        let first_defined = func_index
            .checked_sub(module.num_imported_funcs)
            .ok_or_else(|| format!("jit: function {func_index} is imported"))?;
        let out = compile::compile_functions(module, &[func_index], cpu, consume_fuel)?;
        Self::load(module, out, first_defined)
    }

    /// Copies freshly compiled code into executable memory; its first function is defined
    /// function `first_defined`.
    fn load(
        module: &Arc<ModuleInfo>,
        out: compile::CompiledCode,
        first_defined: u32,
    ) -> Result<JitModule, CompileError> {
        let memory = code_memory::CodeMemory::new(&out.code).map_err(CompileError::CodeMemory)?;
        let tables = CodeTables {
            func_offsets: out.func_offsets,
            loop_headers: out.loop_headers,
            func_starts: out.func_starts,
            pc_map: out.pc_map,
        };
        Ok(Self::with_backing(
            module,
            Backing::Memory(memory),
            tables,
            first_defined,
        ))
    }

    /// Code mapped from an AOT sidecar, used in place (no copy).
    ///
    /// # Safety
    ///
    /// `map[offset..offset + len]` is inside the mapping, is machine code compiled from
    /// `module` by this wrun's compiler for this CPU (the sidecar's header was checked), and is
    /// already read-execute; `tables` were checked against it: every function offset and OSR
    /// entry lies inside the code, `func_starts` is strictly ascending and `pc_map` sorted.
    pub unsafe fn from_mapped(
        module: &Arc<ModuleInfo>,
        map: memmap2::Mmap,
        offset: usize,
        len: usize,
        tables: CodeTables,
    ) -> JitModule {
        Self::with_backing(module, Backing::Mapped { map, offset, len }, tables, 0)
    }

    fn with_backing(
        module: &Arc<ModuleInfo>,
        memory: Backing,
        tables: CodeTables,
        first_defined: u32,
    ) -> JitModule {
        let start = memory.base() as usize;
        let info = Arc::new(trap::CodeInfo {
            start,
            end: start + memory.len(),
            module: module.clone(),
            funcs: tables.func_starts,
            pc_map: tables.pc_map,
            from_sidecar: matches!(memory, Backing::Mapped { .. }),
        });
        let registration = trap::register(&info);
        crate::profile::code_loaded(&info);
        JitModule {
            memory,
            info,
            first_defined,
            func_offsets: tables.func_offsets,
            loop_headers: tables.loop_headers,
            _registration: registration,
        }
    }

    /// Whether the code was mapped from an AOT sidecar.
    pub fn is_mapped(&self) -> bool {
        matches!(self.memory, Backing::Mapped { .. })
    }

    /// Native entry of function `func_index` (imports counted), if it is defined here.
    pub fn entry(&self, func_index: u32) -> Option<*const u8> {
        let offset = *self.func_offsets.get(self.position(func_index)?)?;
        if offset == NO_CODE {
            return None;
        }
        // SAFETY: the offset lies inside the code (it is where the function was assembled).
        Some(unsafe { self.memory.base().add(offset as usize) })
    }

    /// Function `func_index`'s OSR entries (one per reachable loop header), in body order.
    pub fn loop_headers(&self, func_index: u32) -> &[compile::OsrEntry] {
        self.position(func_index)
            .and_then(|i| self.loop_headers.get(i))
            .map_or(&[], Vec::as_slice)
    }

    /// The OSR entry of function `func_index` at the loop whose `loop` operator is at
    /// `wasm_offset`, if that loop was compiled.
    pub fn osr_entry(&self, func_index: u32, wasm_offset: u32) -> Option<*const u8> {
        let entry = self
            .loop_headers(func_index)
            .iter()
            .find(|e| e.wasm_offset == wasm_offset)?;
        // SAFETY: the stub offset lies inside the code (recorded while assembling, or checked
        // when the sidecar was loaded).
        Some(unsafe { self.memory.base().add(entry.code_offset as usize) })
    }

    /// Index of `func_index` in this code's tables.
    fn position(&self, func_index: u32) -> Option<usize> {
        let defined = func_index.checked_sub(self.info.module.num_imported_funcs)?;
        Some(defined.checked_sub(self.first_defined)? as usize)
    }

    /// Functions that have code here (a partial sidecar's `NO_CODE` entries do not).
    pub fn functions_with_code(&self) -> usize {
        self.func_offsets.iter().filter(|&&o| o != NO_CODE).count()
    }

    /// Size of the machine code in bytes.
    pub fn code_len(&self) -> usize {
        self.memory.len()
    }

    /// Bytes of memory the code occupies: for code compiled here its pages (what the tier
    /// manager's code cache counts), for a sidecar's code its length.
    pub fn memory_bytes(&self) -> usize {
        match &self.memory {
            Backing::Memory(memory) => memory.allocated_len(),
            Backing::Mapped { len, .. } => *len,
        }
    }

    /// `(start, end)` of the code's addresses.
    pub fn code_range(&self) -> (usize, usize) {
        (self.info.start, self.info.end)
    }
}

#[cfg(test)]
mod tests;
