//! Compiling a module or a list of functions into one buffer (direct calls between them).

use std::sync::Arc;

use crate::jit::masm::{Label, Masm};
use crate::module::ModuleInfo;

use super::cpu::CpuFeatures;
use super::frame::*;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

/// The result of compiling a module.
pub struct CompiledCode {
    pub code: Vec<u8>,
    /// Entry offset of each compiled function (in the order they were asked for; for
    /// [`compile_module`], defined function `i` is entry `i`).
    pub func_offsets: Vec<u32>,
    /// Per compiled function (same order), its OSR entries in body order (see [`OsrEntry`]).
    pub loop_headers: Vec<Vec<OsrEntry>>,
    /// `(code offset, function index)` ascending.
    pub func_starts: Vec<(u32, u32)>,
    /// `(code offset, wasm byte offset)` ascending.
    pub pc_map: Vec<(u32, u32)>,
    /// `(start, end)` of data inside the code (jump tables, constant pools), ascending: not
    /// instructions (the disassembler shows them as data). Not kept in sidecars.
    pub data: Vec<(u32, u32)>,
}

/// Compiles every defined function of `module` into one buffer (calls between them are
/// direct `call rel32`).
pub fn compile_module(module: &Arc<ModuleInfo>, cpu: CpuFeatures) -> Result<CompiledCode> {
    compile_module_with_progress(module, cpu, &mut |_, _| {})
}

/// [`compile_module`], calling `progress(done, total)` after each function.
pub fn compile_module_with_progress(
    module: &Arc<ModuleInfo>,
    cpu: CpuFeatures,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CompiledCode> {
    compile_module_metered(module, cpu, false, progress)
}

/// [`compile_module_with_progress`], with fuel charges at every fuel block when
/// `consume_fuel` (ARCHITECTURE.md "Fuel").
pub fn compile_module_metered(
    module: &Arc<ModuleInfo>,
    cpu: CpuFeatures,
    consume_fuel: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CompiledCode> {
    let all: Vec<u32> = (0..module.bodies.len() as u32)
        .map(|defined| module.num_imported_funcs + defined)
        .collect();
    compile_functions_with_progress(module, &all, cpu, consume_fuel, progress)
}

/// Compiles the defined functions `funcs` (indices with imports counted) into one buffer.
/// Calls between them are direct; calls to any other function go through its `FuncRecord`,
/// so they reach whatever tier that function is in when the call happens (the tier manager
/// compiles one function at a time this way).
pub fn compile_functions(
    module: &Arc<ModuleInfo>,
    funcs: &[u32],
    cpu: CpuFeatures,
    consume_fuel: bool,
) -> Result<CompiledCode> {
    compile_functions_with_progress(module, funcs, cpu, consume_fuel, &mut |_, _| {})
}

/// [`compile_functions`], calling `progress(done, total)` after each function.
pub fn compile_functions_with_progress(
    module: &Arc<ModuleInfo>,
    funcs: &[u32],
    cpu: CpuFeatures,
    consume_fuel: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CompiledCode> {
    compile_functions_with(module, funcs, cpu, consume_fuel, progress, &mut |_| None)
}

/// Where another compiler emits one function into the shared buffer
/// ([`compile_functions_with`]).
pub struct FunctionSlot<'a> {
    pub masm: &'a mut Masm,
    pub func_index: u32,
    /// Per defined function, its label when it is in this buffer (direct calls).
    pub func_labels: &'a [Option<Label>],
    pub pc_map: &'a mut Vec<(u32, u32)>,
    pub data: &'a mut Vec<(u32, u32)>,
}

/// A compiler tried before tier 1 for each function: `None` when it does not take the
/// function (tier 1 compiles it; it must then have emitted nothing), else its OSR entries.
pub type FirstChoice<'f> = dyn FnMut(FunctionSlot<'_>) -> Option<Result<Vec<OsrEntry>>> + 'f;

/// [`compile_functions`] with `first` asked first for each function (tier 2 under
/// `--tier opt`): one buffer, direct calls between its functions whichever compiled them.
pub fn compile_functions_with(
    module: &Arc<ModuleInfo>,
    funcs: &[u32],
    cpu: CpuFeatures,
    consume_fuel: bool,
    progress: &mut dyn FnMut(usize, usize),
    first: &mut FirstChoice<'_>,
) -> Result<CompiledCode> {
    let mut masm = Masm::new();
    let n = module.bodies.len();
    let mut labels: Vec<Option<Label>> = vec![None; n];
    for &func_index in funcs {
        let defined = func_index
            .checked_sub(module.num_imported_funcs)
            .filter(|d| (*d as usize) < n)
            .ok_or_else(|| format!("jit: function {func_index} has no body"))?;
        labels[defined as usize] = Some(masm.new_label());
    }
    let mut out = CompiledCode {
        code: Vec::new(),
        func_offsets: Vec::with_capacity(funcs.len()),
        loop_headers: Vec::with_capacity(funcs.len()),
        func_starts: Vec::with_capacity(funcs.len()),
        pc_map: Vec::new(),
        data: Vec::new(),
    };
    for &func_index in funcs {
        masm.align(16);
        let start = masm.offset() as u32;
        out.func_starts.push((start, func_index));
        out.func_offsets.push(start);
        if let Some(label) = labels[(func_index - module.num_imported_funcs) as usize] {
            masm.bind(label);
        }
        let slot = FunctionSlot {
            masm: &mut masm,
            func_index,
            func_labels: &labels,
            pc_map: &mut out.pc_map,
            data: &mut out.data,
        };
        let loops = match first(slot) {
            Some(done) => done,
            None => compile_function(
                &mut masm,
                module,
                func_index,
                &labels,
                Settings { cpu, consume_fuel },
                &mut out.pc_map,
                &mut out.data,
            ),
        }
        .map_err(|e| e.in_function(func_index))?;
        out.loop_headers.push(loops);
        progress(out.loop_headers.len(), funcs.len());
    }
    out.code = masm
        .finish()
        .map_err(|e| format!("jit: assembling failed: {e:?}"))?;
    Ok(out)
}
