//! The sidecar's bytes: [`serialize`] writes them, [`verify`] checks them (layout in the
//! module docs of `aot`).

use sha2::{Digest, Sha256};

use crate::jit::CodeTables;
use crate::jit::compile::{CODE_SHAPE_VERSION, CompiledCode, CpuFeatures, OsrEntry};
use crate::module::ModuleInfo;

pub const MAGIC: [u8; 8] = *b"\x7fWRUNAOT";
/// Bump with any change of the layout below.
pub const FORMAT_VERSION: u32 = 2;
pub const HEADER_LEN: usize = 304;
/// Alignment of the code section in the file (the x86-64 page size).
pub const CODE_ALIGN: usize = 4096;

// Header field offsets.
pub const OFF_MAGIC: usize = 0;
pub const OFF_FORMAT_VERSION: usize = 8;
pub const OFF_HEADER_LEN: usize = 12;
pub const OFF_FILE_LEN: usize = 16;
pub const OFF_CHECKSUM: usize = 24;
pub const OFF_MODULE_HASH: usize = 56;
pub const OFF_WRUN_VERSION: usize = 88;
pub const WRUN_VERSION_LEN: usize = 32;
pub const OFF_TARGET: usize = 120;
pub const TARGET_LEN: usize = 16;
pub const OFF_CPU: usize = 136;
pub const OFF_CODE_SHAPE: usize = 140;
pub const OFF_LAYOUT: usize = 144;
pub const OFF_NUM_IMPORTED: usize = 176;
pub const OFF_NUM_DEFINED: usize = 180;
pub const OFF_SECTIONS: usize = 184;
pub const OFF_COMPILER_BUILD: usize = 296;

/// A function entry of a partial sidecar (the code cache's) for a function without code: it
/// starts interpreted.
pub use crate::jit::NO_CODE;

/// The sections, in section-table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Code = 0,
    FuncOffsets = 1,
    LoopIndex = 2,
    LoopEntries = 3,
    FuncStarts = 4,
    PcMap = 5,
    Hotness = 6,
}

pub const NUM_SECTIONS: usize = 7;

impl Section {
    pub const ALL: [Section; NUM_SECTIONS] = [
        Section::Code,
        Section::FuncOffsets,
        Section::LoopIndex,
        Section::LoopEntries,
        Section::FuncStarts,
        Section::PcMap,
        Section::Hotness,
    ];

    fn name(self) -> &'static str {
        match self {
            Section::Code => "code",
            Section::FuncOffsets => "function entries",
            Section::LoopIndex => "loop-header index",
            Section::LoopEntries => "loop-header entries",
            Section::FuncStarts => "function starts",
            Section::PcMap => "pc map",
            Section::Hotness => "hotness",
        }
    }

    /// Offset of this section's `(offset, length)` pair in the header.
    pub fn table_entry(self) -> usize {
        OFF_SECTIONS + 16 * self as usize
    }
}

/// `x86_64-linux`: the code's instruction set and the OS conventions it assumes (signals).
pub fn target() -> String {
    format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS)
}

/// Bit of the compiler-settings word (offset [`OFF_CODE_SHAPE`], otherwise the code-shape
/// version) set when the code charges fuel (`Config::consume_fuel`): a sidecar serves only
/// runs with the same setting (checked by the loader's caller, which knows the setting).
pub const SETTINGS_FUEL: u32 = 1 << 31;

/// The compiler-settings word of code compiled with `consume_fuel`.
pub fn compiler_settings(consume_fuel: bool) -> u32 {
    CODE_SHAPE_VERSION | if consume_fuel { SETTINGS_FUEL } else { 0 }
}

/// Whether the sidecar `file` (its header checked) holds code that charges fuel.
pub fn consumes_fuel(file: &[u8]) -> bool {
    u32_at(file, OFF_CODE_SHAPE).is_ok_and(|settings| settings & SETTINGS_FUEL != 0)
}

pub fn wrun_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Fingerprint of the JIT's source this wrun was built from (`build.rs`): any change to the
/// compiler, even one that forgot to bump [`CODE_SHAPE_VERSION`], refuses older sidecars.
pub fn compiler_build() -> u64 {
    u64::from_str_radix(env!("WRUN_JIT_SOURCE_HASH"), 16).unwrap_or(0)
}

/// SHA-256 of every layout constant compiled code depends on: a sidecar compiled against other
/// offsets (a changed VmCtx, ExecContext or helper table) is refused.
pub fn layout_hash() -> [u8; 32] {
    use crate::jit::convert::{conv, fop};
    use crate::jit::entry::{ExecContext, exec_offsets as ex, jit_helper as jh};
    use crate::runtime::TrapCode as T;
    use crate::runtime::libcalls::helper_index as hi;
    use crate::runtime::memory::{GUARD_BYTES, MAX_PAGES, WASM_PAGE};
    use crate::runtime::vmctx::{FuncRecord, MemoryDef, TableDef, VmCtx, offsets as vo};
    use std::mem::size_of;
    let words: Vec<u64> = [
        // VmCtx and the records it points to.
        vo::MEMORY_DEF_BASE,
        vo::MEMORY_DEF_LEN,
        vo::TABLE_DEF_BASE,
        vo::TABLE_DEF_LEN,
        vo::FUNC_RECORD_CODE,
        vo::FUNC_RECORD_VMCTX,
        vo::FUNC_RECORD_TYPE_ID,
        vo::VMCTX_MEMORY,
        vo::VMCTX_MEMORY_BASE,
        vo::VMCTX_FUNCS,
        vo::VMCTX_TABLES,
        vo::VMCTX_GLOBALS,
        vo::VMCTX_TYPE_IDS,
        vo::VMCTX_HELPERS,
        vo::VMCTX_TRAP_CODE,
        vo::VMCTX_EPOCH,
        vo::VMCTX_EPOCH_DEADLINE,
        vo::VMCTX_FUEL,
        size_of::<MemoryDef>(),
        size_of::<TableDef>(),
        size_of::<FuncRecord>(),
        size_of::<VmCtx>(),
        // The per-thread execution record and the JIT's helpers.
        ex::STACK_LIMIT as usize,
        ex::VALUE_STACK_END as usize,
        ex::SAVED_RSP as usize,
        ex::TRAP_STUB as usize,
        ex::TRAP_CODE as usize,
        ex::TRAP_PC as usize,
        ex::TRAP_FP as usize,
        ex::HELPERS as usize,
        ex::DEPTH_LEFT as usize,
        ex::FUEL as usize,
        size_of::<ExecContext>(),
        jh::CALL_SLOW,
        jh::CONVERT,
        jh::FLOAT_OP,
        jh::COLLECT_BACKTRACE,
        jh::TAIL_CALL_SLOW,
        jh::COUNT,
        // The runtime helpers.
        hi::MEMORY_GROW,
        hi::MEMORY_FILL,
        hi::MEMORY_COPY,
        hi::MEMORY_INIT,
        hi::DATA_DROP,
        hi::TABLE_GET,
        hi::TABLE_SET,
        hi::TABLE_GROW,
        hi::TABLE_FILL,
        hi::TABLE_COPY,
        hi::TABLE_INIT,
        hi::ELEM_DROP,
        hi::COUNT,
        // Memory reservation (the guard region the code relies on).
        GUARD_BYTES,
        MAX_PAGES as usize,
        WASM_PAGE,
    ]
    .iter()
    .map(|&w| w as u64)
    .chain(
        [
            T::Unreachable,
            T::IntegerOverflow,
            T::IntegerDivideByZero,
            T::InvalidConversionToInteger,
            T::MemoryOutOfBounds,
            T::TableOutOfBounds,
            T::IndirectCallTypeMismatch,
            T::UninitializedElement,
            T::UndefinedElement,
            T::NullReference,
            T::CallStackExhausted,
            T::Host,
            T::Exit,
            T::Interrupt,
            T::OutOfFuel,
        ]
        .iter()
        .map(|&code| code as u32 as u64),
    )
    .chain(
        [
            conv::I32_TRUNC_F32_S,
            conv::I32_TRUNC_F32_U,
            conv::I32_TRUNC_F64_S,
            conv::I32_TRUNC_F64_U,
            conv::I64_TRUNC_F32_S,
            conv::I64_TRUNC_F32_U,
            conv::I64_TRUNC_F64_S,
            conv::I64_TRUNC_F64_U,
            conv::SAT,
            conv::F32_CONVERT_I64_U,
            conv::F64_CONVERT_I64_U,
            fop::F32_MIN,
            fop::F32_MAX,
            fop::F64_MIN,
            fop::F64_MAX,
            fop::F32_CEIL,
            fop::F32_FLOOR,
            fop::F32_TRUNC,
            fop::F32_NEAREST,
            fop::F64_CEIL,
            fop::F64_FLOOR,
            fop::F64_TRUNC,
            fop::F64_NEAREST,
            fop::POPCNT,
        ]
        .iter()
        .map(|&kind| u64::from(kind)),
    )
    .collect();
    let mut hasher = Sha256::new();
    for word in words {
        hasher.update(word.to_le_bytes());
    }
    hasher.finalize().into()
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// SHA-256 of the file with its checksum field taken as zeros. `file.len() >= HEADER_LEN`.
pub fn checksum(file: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(&file[..OFF_CHECKSUM]);
    hasher.update([0u8; 32]);
    hasher.update(&file[OFF_CHECKSUM + 32..]);
    hasher.finalize().into()
}

/// Inputs above this size are hashed on two threads (the checksum of a big module's sidecar
/// and the module's own hash are most of its load time).
const PARALLEL_HASH_BYTES: usize = 1 << 20;

/// `(checksum(file), sha256(module))`, on two threads when both are big enough to be worth
/// it (and a thread can be had).
pub(super) fn checksum_and_module_hash(file: &[u8], module: &[u8]) -> ([u8; 32], [u8; 32]) {
    if file.len().min(module.len()) < PARALLEL_HASH_BYTES {
        return (checksum(file), sha256(module));
    }
    std::thread::scope(|scope| {
        match std::thread::Builder::new().spawn_scoped(scope, || sha256(module)) {
            Ok(handle) => {
                let file_sum = checksum(file);
                // A hashing thread cannot panic; if it somehow did, hash here instead.
                let module_hash = handle.join().unwrap_or_else(|_| sha256(module));
                (file_sum, module_hash)
            }
            Err(_) => (checksum(file), sha256(module)),
        }
    })
}

/// Rewrites the checksum field of a complete sidecar (tests patch fields and re-seal).
pub fn reseal(file: &mut [u8]) {
    if file.len() >= HEADER_LEN {
        let sum = checksum(file);
        file[OFF_CHECKSUM..OFF_CHECKSUM + 32].copy_from_slice(&sum);
    }
}

fn put_u32(out: &mut [u8], at: usize, value: u32) {
    out[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn put_u64(out: &mut [u8], at: usize, value: u64) {
    out[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn put_str(out: &mut [u8], at: usize, len: usize, text: &str) -> Result<(), String> {
    if text.len() > len {
        return Err(format!("{text:?} does not fit the {len}-byte header field"));
    }
    out[at..at + text.len()].copy_from_slice(text.as_bytes());
    Ok(())
}

fn u32_len(n: usize, what: &str) -> Result<u32, String> {
    u32::try_from(n).map_err(|_| format!("too many {what} for a sidecar ({n})"))
}

/// What a sidecar holds besides the code: which functions `code` compiled (in its order,
/// ascending; every defined function for `wrun compile`, the hot ones for the code cache) and
/// per defined function the number of runs it was hot in (the code cache's learning; zeros
/// from `wrun compile`).
pub struct Contents<'a> {
    pub code: &'a CompiledCode,
    pub funcs: &'a [u32],
    pub hotness: &'a [u32],
}

/// The sidecar of `info` compiled into `contents.code` for `cpu`.
pub fn serialize(
    info: &ModuleInfo,
    cpu: CpuFeatures,
    code_shape: u32,
    contents: &Contents,
) -> Result<Vec<u8>, String> {
    let code = contents.code;
    let defined = info.bodies.len();
    if contents.funcs.len() != code.func_offsets.len()
        || contents.hotness.len() != defined
        || contents.funcs.windows(2).any(|w| w[0] >= w[1])
    {
        return Err("sidecar contents do not match the module".into());
    }
    // Per defined function: its entry (or NO_CODE) and its OSR entries.
    let mut func_offsets = vec![NO_CODE; defined];
    let mut loop_headers: Vec<&[OsrEntry]> = vec![&[]; defined];
    for (i, &func_index) in contents.funcs.iter().enumerate() {
        let d = func_index
            .checked_sub(info.num_imported_funcs)
            .map(|d| d as usize)
            .filter(|&d| d < defined)
            .ok_or_else(|| format!("function {func_index} has no body"))?;
        func_offsets[d] = code.func_offsets[i];
        loop_headers[d] = &code.loop_headers[i];
    }
    let mut out = vec![0u8; HEADER_LEN];
    let mut table = [(0u64, 0u64); NUM_SECTIONS];
    let mut section = |out: &mut Vec<u8>, which: Section, words: &[u32]| {
        out.resize(out.len().next_multiple_of(8), 0);
        let start = out.len();
        for word in words {
            out.extend_from_slice(&word.to_le_bytes());
        }
        table[which as usize] = (start as u64, (out.len() - start) as u64);
    };
    section(&mut out, Section::FuncOffsets, &func_offsets);
    let mut index = Vec::with_capacity(2 * defined);
    let mut entries = Vec::new();
    for loops in loop_headers {
        index.push(u32_len(entries.len() / 2, "loop headers")?);
        index.push(u32_len(loops.len(), "loop headers")?);
        for entry in loops {
            entries.extend([entry.wasm_offset, entry.code_offset]);
        }
    }
    section(&mut out, Section::LoopIndex, &index);
    section(&mut out, Section::LoopEntries, &entries);
    let pairs = |pairs: &[(u32, u32)]| pairs.iter().flat_map(|&(a, b)| [a, b]).collect::<Vec<_>>();
    section(&mut out, Section::FuncStarts, &pairs(&code.func_starts));
    section(&mut out, Section::PcMap, &pairs(&code.pc_map));
    section(&mut out, Section::Hotness, contents.hotness);
    out.resize(out.len().next_multiple_of(CODE_ALIGN), 0);
    let code_start = out.len();
    if code.code.is_empty() {
        // Never empty, so the code range has an address of its own (see the module docs).
        out.push(0xCC);
    } else {
        out.extend_from_slice(&code.code);
    }
    u32_len(out.len() - code_start, "code bytes")?;
    table[Section::Code as usize] = (code_start as u64, (out.len() - code_start) as u64);

    out[OFF_MAGIC..OFF_MAGIC + 8].copy_from_slice(&MAGIC);
    put_u32(&mut out, OFF_FORMAT_VERSION, FORMAT_VERSION);
    put_u32(&mut out, OFF_HEADER_LEN, HEADER_LEN as u32);
    let file_len = out.len() as u64;
    put_u64(&mut out, OFF_FILE_LEN, file_len);
    out[OFF_MODULE_HASH..OFF_MODULE_HASH + 32].copy_from_slice(&sha256(&info.bytes));
    put_str(&mut out, OFF_WRUN_VERSION, WRUN_VERSION_LEN, wrun_version())?;
    put_str(&mut out, OFF_TARGET, TARGET_LEN, &target())?;
    put_u32(&mut out, OFF_CPU, cpu.to_bits());
    put_u32(&mut out, OFF_CODE_SHAPE, code_shape);
    put_u64(&mut out, OFF_COMPILER_BUILD, compiler_build());
    out[OFF_LAYOUT..OFF_LAYOUT + 32].copy_from_slice(&layout_hash());
    put_u32(&mut out, OFF_NUM_IMPORTED, info.num_imported_funcs);
    put_u32(&mut out, OFF_NUM_DEFINED, u32_len(defined, "functions")?);
    for (i, (offset, len)) in table.iter().enumerate() {
        put_u64(&mut out, OFF_SECTIONS + 16 * i, *offset);
        put_u64(&mut out, OFF_SECTIONS + 16 * i + 8, *len);
    }
    reseal(&mut out);
    Ok(out)
}

/// A sidecar that passed every check.
pub struct Verified {
    /// Where the code lies in the file (page-aligned, non-empty, up to the file's end).
    pub code_offset: usize,
    pub code_len: usize,
    pub tables: CodeTables,
    /// Per defined function, the number of runs it was hot in ([`Contents::hotness`]).
    pub hotness: Vec<u32>,
}

fn u32_at(file: &[u8], at: usize) -> Result<u32, String> {
    file.get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| format!("truncated: field at {at} is past the end"))
}

fn u64_at(file: &[u8], at: usize) -> Result<u64, String> {
    file.get(at..at + 8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or_else(|| format!("truncated: field at {at} is past the end"))
}

fn bytes_at(file: &[u8], at: usize, len: usize) -> Result<&[u8], String> {
    file.get(at..at + len)
        .ok_or_else(|| format!("truncated: field at {at} is past the end"))
}

/// A NUL-padded text field, for messages.
fn text_at(file: &[u8], at: usize, len: usize) -> Result<String, String> {
    let raw = bytes_at(file, at, len)?;
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    Ok(String::from_utf8_lossy(&raw[..end]).into_owned())
}

/// Checks everything about `file` against `info` and this CPU (`cpu`), in the order the module
/// docs give; the error is the reason for the warning.
pub fn verify(
    file: &[u8],
    info: &ModuleInfo,
    cpu: CpuFeatures,
    page_size: usize,
) -> Result<Verified, String> {
    verify_header(file, &info.bytes, cpu)?;
    verify_tables(file, info, page_size)
}

/// The largest sidecar a module of `module_len` bytes can have: its code and tables grow with
/// the module (wrun's sidecars are 2-5x the module; 64x leaves room for any code shape), plus
/// the header and page padding. A larger file is refused before a byte past its header is read.
pub fn max_sidecar_len(module_len: usize) -> u64 {
    (module_len as u64)
        .saturating_mul(64)
        .saturating_add(1 << 20)
}

/// The checks that need only the first [`HEADER_LEN`] bytes (`header`, at least that long or
/// the whole file if shorter), the file's length and the module's: magic, format version,
/// header length, the declared length against the real one, and [`max_sidecar_len`]. The
/// loader runs them before it reads the rest of the file, so a huge or foreign file costs
/// nothing but this read.
pub fn verify_framing(header: &[u8], file_len: u64, module_len: usize) -> Result<(), String> {
    if file_len < HEADER_LEN as u64 || header.len() < HEADER_LEN {
        return Err(format!(
            "truncated: {file_len} bytes, shorter than the {HEADER_LEN}-byte header"
        ));
    }
    if bytes_at(header, OFF_MAGIC, 8)? != MAGIC {
        return Err("not a wrun sidecar (bad magic)".into());
    }
    let version = u32_at(header, OFF_FORMAT_VERSION)?;
    if version != FORMAT_VERSION {
        return Err(format!(
            "format version {version}, this wrun reads version {FORMAT_VERSION}"
        ));
    }
    let header_len = u32_at(header, OFF_HEADER_LEN)?;
    if header_len as usize != HEADER_LEN {
        return Err(format!(
            "bad header: length {header_len}, expected {HEADER_LEN}"
        ));
    }
    let declared = u64_at(header, OFF_FILE_LEN)?;
    if declared != file_len {
        return Err(if file_len < declared {
            format!("truncated: {file_len} bytes, the header says {declared}")
        } else {
            format!("bad length: {file_len} bytes, the header says {declared}")
        });
    }
    let max = max_sidecar_len(module_len);
    if file_len > max {
        return Err(format!(
            "too large: {file_len} bytes, no sidecar of this {module_len}-byte module exceeds {max}"
        ));
    }
    Ok(())
}

/// The checks that need only the module's bytes: everything up to and including the module's
/// SHA-256 (so a match means the module is the one `wrun compile` validated).
pub fn verify_header(file: &[u8], module_bytes: &[u8], cpu: CpuFeatures) -> Result<(), String> {
    verify_framing(file, file.len() as u64, module_bytes.len())?;
    let (file_sum, module_hash) = checksum_and_module_hash(file, module_bytes);
    check_header(file, &file_sum, &module_hash, cpu)
}

/// [`verify_header`] for a module whose SHA-256 is already known (the code cache names its
/// entries by it): the module is not hashed again.
pub fn verify_header_hashed(
    file: &[u8],
    module_len: usize,
    module_hash: &[u8; 32],
    cpu: CpuFeatures,
) -> Result<(), String> {
    verify_framing(file, file.len() as u64, module_len)?;
    check_header(file, &checksum(file), module_hash, cpu)
}

fn check_header(
    file: &[u8],
    file_sum: &[u8; 32],
    module_hash: &[u8; 32],
    cpu: CpuFeatures,
) -> Result<(), String> {
    if bytes_at(file, OFF_CHECKSUM, 32)? != file_sum {
        return Err("checksum mismatch: the file is damaged".into());
    }
    let made_by = text_at(file, OFF_WRUN_VERSION, WRUN_VERSION_LEN)?;
    if made_by != wrun_version() {
        return Err(format!(
            "made by wrun {made_by}, this is wrun {}",
            wrun_version()
        ));
    }
    let made_for = text_at(file, OFF_TARGET, TARGET_LEN)?;
    if made_for != target() {
        return Err(format!("compiled for {made_for}, this is {}", target()));
    }
    let shape = u32_at(file, OFF_CODE_SHAPE)? & !SETTINGS_FUEL;
    if shape != CODE_SHAPE_VERSION {
        return Err(format!(
            "compiler settings differ: code shape {shape}, this wrun generates {CODE_SHAPE_VERSION}"
        ));
    }
    let build = u64_at(file, OFF_COMPILER_BUILD)?;
    if build != compiler_build() {
        return Err(format!(
            "compiler settings differ: built by compiler {build:016x}, this wrun has {:016x} \
             (another build of wrun)",
            compiler_build()
        ));
    }
    if bytes_at(file, OFF_LAYOUT, 32)? != layout_hash() {
        return Err("compiled against another VmCtx/ExecContext layout".into());
    }
    let bits = u32_at(file, OFF_CPU)?;
    let Some(needed) = CpuFeatures::from_bits(bits) else {
        return Err(format!("unknown CPU feature bits {bits:#x}"));
    };
    let missing = needed.missing_from(cpu);
    if !missing.is_empty() {
        return Err(format!(
            "needs CPU features this CPU lacks: {}",
            missing.join(", ")
        ));
    }
    if bytes_at(file, OFF_MODULE_HASH, 32)? != module_hash {
        return Err("compiled from another module (SHA-256 of the module differs)".into());
    }
    Ok(())
}

/// The remaining checks, against the parsed module: function counts, then every section and
/// table entry. `file` passed [`verify_header`].
pub fn verify_tables(file: &[u8], info: &ModuleInfo, page_size: usize) -> Result<Verified, String> {
    let imported = u32_at(file, OFF_NUM_IMPORTED)?;
    let defined = u32_at(file, OFF_NUM_DEFINED)? as usize;
    if imported != info.num_imported_funcs || defined != info.bodies.len() {
        return Err(format!(
            "bad header: {imported} imported + {defined} defined functions, the module has {} + {}",
            info.num_imported_funcs,
            info.bodies.len()
        ));
    }
    verify_sections(file, defined, imported, page_size)
}

fn verify_sections(
    file: &[u8],
    defined: usize,
    imported: u32,
    page_size: usize,
) -> Result<Verified, String> {
    let mut ranges = [(0usize, 0usize); NUM_SECTIONS];
    for section in Section::ALL {
        let offset = u64_at(file, section.table_entry())?;
        let len = u64_at(file, section.table_entry() + 8)?;
        let end = offset.checked_add(len);
        if offset < HEADER_LEN as u64 || end.is_none_or(|end| end > file.len() as u64) {
            return Err(format!(
                "bad section table: {} at {offset} + {len} is outside the file",
                section.name()
            ));
        }
        ranges[section as usize] = (offset as usize, len as usize);
    }
    let (code_offset, code_len) = ranges[Section::Code as usize];
    if code_offset % page_size.max(1) != 0 || code_offset % CODE_ALIGN != 0 {
        return Err(format!(
            "bad section table: code at {code_offset} is not page-aligned"
        ));
    }
    if code_len == 0 || code_offset + code_len != file.len() {
        return Err(format!(
            "bad section table: code at {code_offset} + {code_len} must be non-empty and end the file"
        ));
    }
    // A section's bytes, checked to lie between the header and the code and to hold whole
    // entries of `entry_len` bytes.
    let section_bytes = |section: Section, entry_len: usize| -> Result<&[u8], String> {
        let (offset, len) = ranges[section as usize];
        if offset + len > code_offset || offset % 8 != 0 || len % entry_len != 0 {
            return Err(format!(
                "bad section table: {} at {offset} + {len}",
                section.name()
            ));
        }
        Ok(&file[offset..offset + len])
    };
    let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let words = |section: Section| -> Result<Vec<u32>, String> {
        Ok(section_bytes(section, 4)?
            .chunks_exact(4)
            .map(word)
            .collect())
    };
    // Decoded straight into pairs: the pc map of a big module is megabytes.
    let pairs = |section: Section| -> Result<Vec<(u32, u32)>, String> {
        Ok(section_bytes(section, 8)?
            .chunks_exact(8)
            .map(|b| (word(&b[..4]), word(&b[4..])))
            .collect())
    };
    let bad = |section: Section, what: String| format!("bad {} table: {what}", section.name());
    let count = |section: Section, found: usize| {
        if found == defined {
            Ok(())
        } else {
            Err(bad(
                section,
                format!("{found} entries for {defined} functions"),
            ))
        }
    };
    let in_code = |offset: u32| (offset as usize) < code_len;

    let func_offsets = words(Section::FuncOffsets)?;
    count(Section::FuncOffsets, func_offsets.len())?;
    if let Some(offset) = func_offsets.iter().find(|&&o| o != NO_CODE && !in_code(o)) {
        return Err(bad(
            Section::FuncOffsets,
            format!("entry {offset} is outside the {code_len}-byte code"),
        ));
    }

    let index = pairs(Section::LoopIndex)?;
    count(Section::LoopIndex, index.len())?;
    let entries = pairs(Section::LoopEntries)?;
    let mut loop_headers = Vec::with_capacity(defined);
    let mut next = 0usize;
    for (func, &(first, n)) in index.iter().enumerate() {
        let (first, n) = (first as usize, n as usize);
        if first != next || first + n > entries.len() {
            return Err(bad(
                Section::LoopIndex,
                format!("function {func}: entries {first}+{n} out of order or past the end"),
            ));
        }
        next = first + n;
        if n > 0 && func_offsets[func] == NO_CODE {
            return Err(bad(
                Section::LoopIndex,
                format!("function {func} has no code but {n} loop entries"),
            ));
        }
        let list = &entries[first..first + n];
        if list.windows(2).any(|w| w[0].0 >= w[1].0) || list.iter().any(|e| !in_code(e.1)) {
            return Err(bad(
                Section::LoopEntries,
                format!("function {func}: unsorted or outside the code"),
            ));
        }
        loop_headers.push(
            list.iter()
                .map(|&(wasm_offset, code_offset)| OsrEntry {
                    wasm_offset,
                    code_offset,
                })
                .collect(),
        );
    }
    if next != entries.len() {
        return Err(bad(
            Section::LoopEntries,
            format!("{} entries, the index covers {next}", entries.len()),
        ));
    }

    // One start per function with code, in function order, at its entry.
    let func_starts = pairs(Section::FuncStarts)?;
    let with_code = func_offsets
        .iter()
        .enumerate()
        .filter(|&(_, &offset)| offset != NO_CODE);
    if func_starts.len() != with_code.clone().count() {
        return Err(bad(
            Section::FuncStarts,
            format!("{} entries for the functions with code", func_starts.len()),
        ));
    }
    for (i, (&(offset, func_index), (defined_index, &entry))) in
        func_starts.iter().zip(with_code).enumerate()
    {
        if offset != entry || u64::from(func_index) != u64::from(imported) + defined_index as u64 {
            return Err(bad(
                Section::FuncStarts,
                format!("entry {i} ({offset}, {func_index}) does not match the function entries"),
            ));
        }
    }
    if func_starts.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(bad(Section::FuncStarts, "not strictly ascending".into()));
    }

    let pc_map = pairs(Section::PcMap)?;
    if pc_map.windows(2).any(|w| w[0].0 > w[1].0) || pc_map.iter().any(|e| !in_code(e.0)) {
        return Err(bad(Section::PcMap, "unsorted or outside the code".into()));
    }
    let hotness = words(Section::Hotness)?;
    count(Section::Hotness, hotness.len())?;

    Ok(Verified {
        code_offset,
        code_len,
        tables: CodeTables {
            func_offsets,
            loop_headers,
            func_starts,
            pc_map,
        },
        hotness,
    })
}
