//! Decoding and validation (wasmparser) into [`ModuleInfo`], the read-only description of a
//! module every other part of wrun works from.
//!
//! CONTRACT (shared with `runtime/` and `interp/`): the field set below is what the rest of the
//! engine relies on. Offsets are byte offsets into `bytes`, the original module binary.

pub mod frame;
pub mod fuel;
pub mod ops;
pub mod types;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

pub use frame::{FrameLayout, slot_shape};
pub use types::{FuncType, GlobalType, Limits, MemoryType, TableType, ValType, slots_of};

/// A constant expression. The single-instruction forms of wasm 2.0 have a variant each;
/// anything longer (extended constant expressions: `i32/i64.add/sub/mul` over constants and
/// `global.get`) is [`ConstExpr::Extended`], evaluated on a small stack.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstExpr {
    I32(i32),
    I64(i64),
    /// f32 bits
    F32(u32),
    /// f64 bits
    F64(u64),
    /// `v128.const`, lanes little-endian (`runtime::simd::V128`'s layout)
    V128(u128),
    RefNull(ValType),
    RefFunc(u32),
    GlobalGet(u32),
    /// The instructions in order (validated: each operator finds its operands on the stack,
    /// one value is left).
    Extended(Box<[ConstOp]>),
}

/// One instruction of an extended constant expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstOp {
    I32(i32),
    I64(i64),
    GlobalGet(u32),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportKind {
    /// Type index.
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// Type index of the tag's function type (exception handling).
    Tag(u32),
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
    Tag,
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
    /// Tag index -> name.
    pub tags: HashMap<u32, String>,
}

/// A decoded, fully validated module.
#[derive(Debug)]
pub struct ModuleInfo {
    /// The module binary; every range and offset points into it.
    pub bytes: Arc<[u8]>,
    pub types: Vec<FuncType>,
    /// For each type index, the index range of its recursion group: two types are the same
    /// type (for linking tags) when their groups are equal and they sit at the same position.
    pub rec_groups: Vec<Range<u32>>,
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
    /// Type index of every tag (imported first; exception handling).
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    /// Initializers of the defined globals (index `i` is global `num_imported_globals + i`).
    pub global_inits: Vec<ConstExpr>,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elements: Vec<ElementSegment>,
    pub data: Vec<DataSegment>,
    /// Bodies of the defined functions (index `i` is function `num_imported_funcs + i`).
    pub bodies: Vec<FuncBody>,
    pub names: Names,
    /// A setting of the engine the module was loaded by, not of the module: both tiers put
    /// epoch checks in its code (function entries, loop headers; calls in the interpreter)
    /// when `Config::epoch_interruption` is on. Here because every compiler and the translator
    /// see the module and nothing else of the engine.
    pub epoch_checks: bool,
}

impl ModuleInfo {
    /// Defined function `func_index` (imports counted): its type, its body and a reader of its
    /// operators (offsets are module offsets). The one way the tiers open a body.
    pub fn function_body(
        &self,
        func_index: u32,
    ) -> Result<(&FuncType, &FuncBody, wasmparser::OperatorsReader<'_>), String> {
        let body = func_index
            .checked_sub(self.num_imported_funcs)
            .and_then(|defined| self.bodies.get(defined as usize))
            .ok_or_else(|| format!("function {func_index} is not a defined function"))?;
        let ty = self
            .func_types
            .get(func_index as usize)
            .and_then(|t| self.types.get(*t as usize))
            .ok_or_else(|| format!("function {func_index} has no type"))?;
        let bytes = self
            .bytes
            .get(body.range.clone())
            .ok_or_else(|| format!("function {func_index}: body range out of the module"))?;
        let reader =
            wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(bytes, body.range.start));
        let ops = reader
            .get_operators_reader()
            .map_err(|e| format!("function {func_index}: {e}"))?;
        Ok((ty, body, ops))
    }

    /// The first place where defined function `func_index` (imports counted) handles a v128
    /// value, as a module offset: its body's start for a v128 parameter, result or local,
    /// else the first operator that produces or consumes one (a SIMD operator, a call or
    /// block of a type with a v128, `global.get`/`set` of a v128 global, a typed `select`).
    /// `None` for a function without SIMD. Tier 1 does not compile such functions yet.
    pub fn first_v128_use(&self, func_index: u32) -> Result<Option<u32>, String> {
        use wasmparser::{BlockType, Operator as O};
        if let Some(start) = self.v128_in_signature_or_locals(func_index)? {
            return Ok(Some(start));
        }
        let (_, _, mut ops) = self.function_body(func_index)?;
        let type_has_v128 = |index: u32| {
            self.types
                .get(index as usize)
                .is_some_and(FuncType::has_v128)
        };
        let global_is_v128 = |index: u32| {
            self.globals
                .get(index as usize)
                .is_some_and(|g| g.ty == ValType::V128)
        };
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset().map_err(|e| e.to_string())?;
            // Every SIMD operator has the 0xfd prefix (and only SIMD operators have it).
            let uses = self.bytes.get(offset) == Some(&0xfd)
                || match op {
                    O::Block { blockty } | O::Loop { blockty } | O::If { blockty } => match blockty
                    {
                        BlockType::Empty => false,
                        BlockType::Type(t) => t == wasmparser::ValType::V128,
                        BlockType::FuncType(index) => type_has_v128(index),
                    },
                    O::Call { function_index } => self
                        .func_types
                        .get(function_index as usize)
                        .is_some_and(|&t| type_has_v128(t)),
                    O::CallIndirect { type_index, .. } => type_has_v128(type_index),
                    O::GlobalGet { global_index } | O::GlobalSet { global_index } => {
                        global_is_v128(global_index)
                    }
                    O::TypedSelect { ty } => ty == wasmparser::ValType::V128,
                    _ => false,
                };
            if uses {
                return Ok(Some(offset as u32));
            }
        }
        Ok(None)
    }

    /// The cheap part of [`ModuleInfo::first_v128_use`]: the body's start when defined function
    /// `func_index` has a v128 parameter, result or local.
    pub fn v128_in_signature_or_locals(&self, func_index: u32) -> Result<Option<u32>, String> {
        let (ty, body, _) = self.function_body(func_index)?;
        let wide = ty.has_v128() || body.locals.iter().any(|(_, t)| *t == ValType::V128);
        Ok(wide.then_some(body.range.start as u32))
    }

    /// Whether a type or a global of the module has a v128: without one, only a SIMD operator
    /// can make a function handle v128 values.
    pub fn mentions_v128(&self) -> bool {
        self.types.iter().any(FuncType::has_v128)
            || self.globals.iter().any(|g| g.ty == ValType::V128)
    }

    /// The type of function `func_index` (imports counted).
    pub fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.func_types[func_index as usize] as usize]
    }

    /// `(params, results)` of function `func_index` in slots (a v128 takes two), if it
    /// exists.
    pub fn signature(&self, func_index: u32) -> Option<(u32, u32)> {
        let ty = self
            .types
            .get(*self.func_types.get(func_index as usize)? as usize)?;
        Some((ty.param_slots(), ty.result_slots()))
    }

    /// The identity of type `type_index` across modules: its recursion group's types and its
    /// position in the group (types with equal identities are the same type; wrun has only
    /// function types, whose structure is their value types).
    pub fn type_identity(&self, type_index: u32) -> Option<(&[FuncType], u32)> {
        let group = self.rec_groups.get(type_index as usize)?;
        let types = self.types.get(group.start as usize..group.end as usize)?;
        Some((types, type_index - group.start))
    }

    /// The payload types of tag `tag_index` (imports counted): its function type's params.
    pub fn tag_params(&self, tag_index: u32) -> Option<&[ValType]> {
        let ty = self
            .types
            .get(*self.tags.get(tag_index as usize)? as usize)?;
        Some(&ty.params)
    }

    /// The name of function `func_index` from the name section, if any.
    pub fn func_name(&self, func_index: u32) -> Option<&str> {
        self.names.funcs.get(&func_index).map(String::as_str)
    }
}

/// A module that failed to decode or validate: wasmparser's reason, the byte offset, and the
/// index of the function whose body it is in (when it is in one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleError {
    pub message: String,
    pub offset: usize,
    pub function: Option<u32>,
}

impl std::fmt::Display for ModuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(function) = self.function {
            write!(f, "function {function}: ")?;
        }
        write!(f, "{} (at offset {:#x})", self.message, self.offset)
    }
}

impl std::error::Error for ModuleError {}

/// The exact feature set wrun implements: WebAssembly 2.0 (fixed-width SIMD included), plus
/// extended constant expressions, tail calls and exception handling (`try_table`, `throw`,
/// `throw_ref`, `exnref`, tags; wasm 3.0; the legacy `try`/`catch`/`delegate` proposal is not
/// in it).
///
/// Built bit by bit rather than from `WasmFeatures::WASM2` so that the set is spelled out
/// (relaxed SIMD, for one, is not in it).
/// `FLOATS` and `GC_TYPES` are wasmparser-internal gates (floats at all; `externref`), not
/// proposals; `REFERENCE_TYPES` and `BULK_MEMORY` include their "overlong call_indirect" and
/// "memory.copy/fill" sub-bits.
pub fn wrun_features() -> wasmparser::WasmFeatures {
    use wasmparser::WasmFeatures as F;
    F::MUTABLE_GLOBAL
        | F::SIGN_EXTENSION
        | F::SATURATING_FLOAT_TO_INT
        | F::MULTI_VALUE
        | F::BULK_MEMORY
        | F::REFERENCE_TYPES
        | F::FLOATS
        | F::GC_TYPES
        | F::EXTENDED_CONST
        | F::SIMD
        | F::TAIL_CALL
        | F::EXCEPTIONS
}

impl From<wasmparser::BinaryReaderError> for ModuleError {
    fn from(e: wasmparser::BinaryReaderError) -> ModuleError {
        ModuleError {
            message: e.message().to_string(),
            offset: e.offset(),
            function: None,
        }
    }
}

fn err(message: impl Into<String>, offset: usize) -> ModuleError {
    ModuleError {
        message: message.into(),
        offset,
        function: None,
    }
}

pub(crate) fn val_type(ty: wasmparser::ValType, offset: usize) -> Result<ValType, ModuleError> {
    use wasmparser::ValType as W;
    Ok(match ty {
        W::I32 => ValType::I32,
        W::I64 => ValType::I64,
        W::F32 => ValType::F32,
        W::F64 => ValType::F64,
        W::V128 => ValType::V128,
        W::Ref(r) => ref_type(r, offset)?,
    })
}

fn ref_type(ty: wasmparser::RefType, offset: usize) -> Result<ValType, ModuleError> {
    if ty == wasmparser::RefType::FUNCREF {
        Ok(ValType::FuncRef)
    } else if ty == wasmparser::RefType::EXTERNREF {
        Ok(ValType::ExternRef)
    } else if ty == wasmparser::RefType::EXNREF {
        Ok(ValType::ExnRef)
    } else {
        Err(err(format!("unsupported reference type {ty}"), offset))
    }
}

pub(crate) fn heap_val_type(
    ty: wasmparser::HeapType,
    offset: usize,
) -> Result<ValType, ModuleError> {
    use wasmparser::{AbstractHeapType, HeapType};
    match ty {
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func,
        } => Ok(ValType::FuncRef),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Extern,
        } => Ok(ValType::ExternRef),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Exn,
        } => Ok(ValType::ExnRef),
        _ => Err(err("unsupported heap type", offset)),
    }
}

fn limits(min: u64, max: Option<u64>) -> Limits {
    Limits { min, max }
}

fn table_type(ty: &wasmparser::TableType, offset: usize) -> Result<TableType, ModuleError> {
    Ok(TableType {
        elem: ref_type(ty.element_type, offset)?,
        limits: limits(ty.initial, ty.maximum),
    })
}

fn memory_type(ty: &wasmparser::MemoryType) -> MemoryType {
    MemoryType {
        limits: limits(ty.initial, ty.maximum),
    }
}

fn global_type(ty: &wasmparser::GlobalType, offset: usize) -> Result<GlobalType, ModuleError> {
    Ok(GlobalType {
        ty: val_type(ty.content_type, offset)?,
        mutable: ty.mutable,
    })
}

/// Decodes a validated constant expression: one instruction then `end` (a wasm 2.0 form), or
/// an extended constant expression.
fn const_expr(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, ModuleError> {
    use wasmparser::Operator as O;
    let mut reader = expr.get_operators_reader();
    let mut ops = Vec::new();
    let mut single = None;
    loop {
        let offset = reader.original_position();
        let op = reader.read()?;
        let unsupported = || err("unsupported constant expression", offset);
        let extended = match op {
            O::End if reader.eof() => break,
            O::I32Const { value } => ConstOp::I32(value),
            O::I64Const { value } => ConstOp::I64(value),
            O::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
            O::I32Add => ConstOp::I32Add,
            O::I32Sub => ConstOp::I32Sub,
            O::I32Mul => ConstOp::I32Mul,
            O::I64Add => ConstOp::I64Add,
            O::I64Sub => ConstOp::I64Sub,
            O::I64Mul => ConstOp::I64Mul,
            // Only ever alone.
            O::F32Const { value } if ops.is_empty() && single.is_none() => {
                single = Some(ConstExpr::F32(value.bits()));
                continue;
            }
            O::F64Const { value } if ops.is_empty() && single.is_none() => {
                single = Some(ConstExpr::F64(value.bits()));
                continue;
            }
            O::V128Const { value } if ops.is_empty() && single.is_none() => {
                single = Some(ConstExpr::V128(value.i128() as u128));
                continue;
            }
            O::RefNull { hty } if ops.is_empty() && single.is_none() => {
                single = Some(ConstExpr::RefNull(heap_val_type(hty, offset)?));
                continue;
            }
            O::RefFunc { function_index } if ops.is_empty() && single.is_none() => {
                single = Some(ConstExpr::RefFunc(function_index));
                continue;
            }
            _ => return Err(unsupported()),
        };
        if single.is_some() {
            return Err(unsupported());
        }
        ops.push(extended);
    }
    match (single, ops.as_slice()) {
        (Some(expr), []) => Ok(expr),
        (None, [ConstOp::I32(value)]) => Ok(ConstExpr::I32(*value)),
        (None, [ConstOp::I64(value)]) => Ok(ConstExpr::I64(*value)),
        (None, [ConstOp::GlobalGet(index)]) => Ok(ConstExpr::GlobalGet(*index)),
        (None, [_, _, ..]) => Ok(ConstExpr::Extended(ops.into_boxed_slice())),
        _ => Err(err(
            "unsupported constant expression",
            expr.get_operators_reader().original_position(),
        )),
    }
}

/// Reads the name section leniently: a malformed name section is ignored from the first
/// error on (names are debugging aids; the spec says they must not make a module fail).
fn read_names(reader: wasmparser::NameSectionReader<'_>, names: &mut Names) {
    for subsection in reader {
        let Ok(subsection) = subsection else { return };
        match subsection {
            wasmparser::Name::Module { name, .. } => names.module = Some(name.to_string()),
            wasmparser::Name::Function(map) => {
                for naming in map {
                    let Ok(naming) = naming else { return };
                    names.funcs.insert(naming.index, naming.name.to_string());
                }
            }
            wasmparser::Name::Tag(map) => {
                for naming in map {
                    let Ok(naming) = naming else { return };
                    names.tags.insert(naming.index, naming.name.to_string());
                }
            }
            _ => {}
        }
    }
}

/// Decode and fully validate `bytes` with exactly the features wrun implements
/// ([`wrun_features`]). Never panics; every failure is a [`ModuleError`].
pub fn parse(bytes: &[u8]) -> Result<ModuleInfo, ModuleError> {
    parse_with(bytes, true)
}

/// [`parse`] without validating the function bodies (everything else is validated). Only for
/// bytes whose bodies this wrun has already validated: a module whose AOT sidecar matched its
/// SHA-256 (`wrun compile` validated them; its code then runs every function, so no tier
/// reads the bodies). Validating bodies is most of the cost of loading a big module.
pub fn parse_prevalidated(bytes: &[u8]) -> Result<ModuleInfo, ModuleError> {
    parse_with(bytes, false)
}

fn parse_with(bytes: &[u8], validate_bodies: bool) -> Result<ModuleInfo, ModuleError> {
    use wasmparser::{
        DataKind, ElementItems, ElementKind, ExternalKind, Parser, Payload, TypeRef, ValidPayload,
        Validator,
    };

    let features = wrun_features();
    let mut validator = Validator::new_with_features(features);
    let mut parser = Parser::new(0);
    parser.set_features(features);

    let mut info = ModuleInfo {
        bytes: Arc::from(bytes),
        types: Vec::new(),
        rec_groups: Vec::new(),
        imports: Vec::new(),
        func_types: Vec::new(),
        num_imported_funcs: 0,
        tables: Vec::new(),
        num_imported_tables: 0,
        memories: Vec::new(),
        num_imported_memories: 0,
        globals: Vec::new(),
        num_imported_globals: 0,
        tags: Vec::new(),
        num_imported_tags: 0,
        global_inits: Vec::new(),
        exports: Vec::new(),
        start: None,
        elements: Vec::new(),
        data: Vec::new(),
        bodies: Vec::new(),
        names: Names::default(),
        epoch_checks: false,
    };
    let mut func_allocs = Some(wasmparser::FuncValidatorAllocations::default());
    let mut saw_end = false;

    for payload in parser.parse_all(bytes) {
        let payload = payload?;
        match validator.payload(&payload)? {
            ValidPayload::Ok => {}
            ValidPayload::Func(..) if !validate_bodies => {}
            ValidPayload::Func(func, body) => {
                let allocs = func_allocs.take().unwrap_or_default();
                let function = func.index;
                let mut func_validator = func.into_validator(allocs);
                func_validator.validate(&body).map_err(|e| ModuleError {
                    function: Some(function),
                    ..ModuleError::from(e)
                })?;
                func_allocs = Some(func_validator.into_allocations());
            }
            ValidPayload::End(_) => saw_end = true,
            ValidPayload::Parser(_) => {
                return Err(err("nested modules and components are not supported", 0));
            }
        }
        match payload {
            Payload::TypeSection(reader) => {
                for group in reader.into_iter_with_offsets() {
                    let (offset, group) = group?;
                    let start = info.types.len() as u32;
                    for sub in group.into_types() {
                        let wasmparser::CompositeInnerType::Func(ft) = &sub.composite_type.inner
                        else {
                            return Err(err("only function types are supported", offset));
                        };
                        let params = ft
                            .params()
                            .iter()
                            .map(|t| val_type(*t, offset))
                            .collect::<Result<Vec<_>, _>>()?;
                        let results = ft
                            .results()
                            .iter()
                            .map(|t| val_type(*t, offset))
                            .collect::<Result<Vec<_>, _>>()?;
                        info.types.push(FuncType { params, results });
                    }
                    let group = start..info.types.len() as u32;
                    info.rec_groups.extend(std::iter::repeat_n(
                        group,
                        info.types.len() - start as usize,
                    ));
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports_with_offsets() {
                    let (offset, import) = import?;
                    let kind = match import.ty {
                        TypeRef::Func(index) => {
                            info.func_types.push(index);
                            info.num_imported_funcs += 1;
                            ImportKind::Func(index)
                        }
                        TypeRef::Table(ty) => {
                            let ty = table_type(&ty, offset)?;
                            info.tables.push(ty);
                            info.num_imported_tables += 1;
                            ImportKind::Table(ty)
                        }
                        TypeRef::Memory(ty) => {
                            let ty = memory_type(&ty);
                            info.memories.push(ty);
                            info.num_imported_memories += 1;
                            ImportKind::Memory(ty)
                        }
                        TypeRef::Global(ty) => {
                            let ty = global_type(&ty, offset)?;
                            info.globals.push(ty);
                            info.num_imported_globals += 1;
                            ImportKind::Global(ty)
                        }
                        TypeRef::Tag(tag) => {
                            info.tags.push(tag.func_type_idx);
                            info.num_imported_tags += 1;
                            ImportKind::Tag(tag.func_type_idx)
                        }
                        TypeRef::FuncExact(_) => {
                            return Err(err("unsupported import kind", offset));
                        }
                    };
                    info.imports.push(Import {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        kind,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    info.func_types.push(ty?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader.into_iter_with_offsets() {
                    let (offset, table) = table?;
                    if !matches!(table.init, wasmparser::TableInit::RefNull) {
                        return Err(err(
                            "table initializer expressions are not supported",
                            offset,
                        ));
                    }
                    info.tables.push(table_type(&table.ty, offset)?);
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    info.memories.push(memory_type(&memory?));
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader.into_iter_with_offsets() {
                    let (offset, global) = global?;
                    info.globals.push(global_type(&global.ty, offset)?);
                    info.global_inits.push(const_expr(&global.init_expr)?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader.into_iter_with_offsets() {
                    let (offset, export) = export?;
                    let kind = match export.kind {
                        ExternalKind::Func => ExportKind::Func,
                        ExternalKind::Table => ExportKind::Table,
                        ExternalKind::Memory => ExportKind::Memory,
                        ExternalKind::Global => ExportKind::Global,
                        ExternalKind::Tag => ExportKind::Tag,
                        ExternalKind::FuncExact => {
                            return Err(err("unsupported export kind", offset));
                        }
                    };
                    info.exports.push(Export {
                        name: export.name.to_string(),
                        kind,
                        index: export.index,
                    });
                }
            }
            Payload::TagSection(reader) => {
                for tag in reader {
                    info.tags.push(tag?.func_type_idx);
                }
            }
            Payload::StartSection { func, .. } => info.start = Some(func),
            Payload::ElementSection(reader) => {
                for element in reader {
                    let element = element?;
                    let offset = element.range.start;
                    let mode = match element.kind {
                        ElementKind::Passive => ElementMode::Passive,
                        ElementKind::Declared => ElementMode::Declared,
                        ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElementMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    let (elem_type, items) = match element.items {
                        ElementItems::Functions(indices) => {
                            let items = indices
                                .into_iter()
                                .map(|i| i.map(ConstExpr::RefFunc))
                                .collect::<Result<Vec<_>, _>>()?;
                            (ValType::FuncRef, items)
                        }
                        ElementItems::Expressions(ty, exprs) => {
                            let mut items = Vec::new();
                            for expr in exprs {
                                items.push(const_expr(&expr?)?);
                            }
                            (ref_type(ty, offset)?, items)
                        }
                    };
                    info.elements.push(ElementSegment {
                        mode,
                        elem_type,
                        items,
                    });
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let mode = match data.kind {
                        DataKind::Passive => DataMode::Passive,
                        DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => DataMode::Active {
                            memory: memory_index,
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    // The payload is the segment's tail.
                    let end = data.range.end;
                    let range = end - data.data.len()..end;
                    info.data.push(DataSegment { mode, range });
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut locals = Vec::new();
                for local in body.get_locals_reader()? {
                    let (count, ty) = local?;
                    locals.push((count, val_type(ty, body.range().start)?));
                }
                info.bodies.push(FuncBody {
                    locals,
                    range: body.range(),
                });
            }
            Payload::CustomSection(reader) => {
                if let wasmparser::KnownCustom::Name(names) = reader.as_known() {
                    read_names(names, &mut info.names);
                }
            }
            _ => {}
        }
    }
    if !saw_end {
        return Err(err("unexpected end of module", bytes.len()));
    }
    Ok(info)
}
