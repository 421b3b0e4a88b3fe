//! Decoding and validation (wasmparser) into [`ModuleInfo`], the read-only description of a
//! module every other part of wrun works from.
//!
//! CONTRACT (shared with `runtime/` and `interp/`): the field set below is what the rest of the
//! engine relies on. Offsets are byte offsets into `bytes`, the original module binary.

pub mod types;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

pub use types::{FuncType, GlobalType, Limits, MemoryType, TableType, ValType};

/// A constant expression (wasm 2.0: a single instruction before `end`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ConstExpr {
    I32(i32),
    I64(i64),
    /// f32 bits
    F32(u32),
    /// f64 bits
    F64(u64),
    RefNull(ValType),
    RefFunc(u32),
    GlobalGet(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportKind {
    /// Type index.
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub kind: ImportKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    Func,
    Table,
    Memory,
    Global,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub name: String,
    pub kind: ExportKind,
    /// Index in the corresponding index space (imports first).
    pub index: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ElementMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ElementSegment {
    pub mode: ElementMode,
    /// FuncRef or ExternRef.
    pub elem_type: ValType,
    /// Each item as a constant expression (function indices become `RefFunc`).
    pub items: Vec<ConstExpr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DataMode {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

#[derive(Clone, Debug, PartialEq)]
pub struct DataSegment {
    pub mode: DataMode,
    /// The segment's bytes, as a range of `ModuleInfo::bytes`.
    pub range: Range<usize>,
}

/// A defined function's body.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncBody {
    /// Declared locals (not params), run-length encoded as in the binary.
    pub locals: Vec<(u32, ValType)>,
    /// The whole body (locals declarations and operators) as a range of `ModuleInfo::bytes`;
    /// `wasmparser::FunctionBody::new(BinaryReader::new(&bytes[range], range.start))` reads it
    /// with correct offsets.
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Names {
    pub module: Option<String>,
    /// Function index -> name.
    pub funcs: HashMap<u32, String>,
}

/// A decoded, fully validated module.
#[derive(Debug)]
pub struct ModuleInfo {
    /// The module binary; every range and offset points into it.
    pub bytes: Arc<[u8]>,
    pub types: Vec<FuncType>,
    pub imports: Vec<Import>,
    /// Type index of every function (imported first, then defined).
    pub func_types: Vec<u32>,
    pub num_imported_funcs: u32,
    /// All tables (imported first).
    pub tables: Vec<TableType>,
    pub num_imported_tables: u32,
    /// All memories (imported first).
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    /// All globals (imported first).
    pub globals: Vec<GlobalType>,
    pub num_imported_globals: u32,
    /// Initializers of the defined globals (index `i` is global `num_imported_globals + i`).
    pub global_inits: Vec<ConstExpr>,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elements: Vec<ElementSegment>,
    pub data: Vec<DataSegment>,
    /// Bodies of the defined functions (index `i` is function `num_imported_funcs + i`).
    pub bodies: Vec<FuncBody>,
    pub names: Names,
}

impl ModuleInfo {
    /// The type of function `func_index` (imports counted).
    pub fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.func_types[func_index as usize] as usize]
    }

    /// The name of function `func_index` from the name section, if any.
    pub fn func_name(&self, func_index: u32) -> Option<&str> {
        self.names.funcs.get(&func_index).map(String::as_str)
    }
}

/// A module that failed to decode or validate: wasmparser's reason and the byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleError {
    pub message: String,
    pub offset: usize,
}

impl std::fmt::Display for ModuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at offset {:#x})", self.message, self.offset)
    }
}

impl std::error::Error for ModuleError {}

/// Decode and fully validate `bytes` with exactly the features wrun implements.
pub fn parse(bytes: &[u8]) -> Result<ModuleInfo, ModuleError> {
    let _ = bytes;
    todo!("module::parse")
}
