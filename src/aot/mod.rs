//! AOT sidecars (ARCHITECTURE.md, "AOT sidecars"): `wrun compile app.wasm` writes the machine
//! code of every function to `app.wrun` (every function tier 1 compiles: one using SIMD is a
//! `NO_CODE` entry and runs interpreted); `wrun app.wasm` maps it and runs it without
//! compiling.
//!
//! # The file
//!
//! All integers little-endian. A fixed header of [`format::HEADER_LEN`] bytes:
//!
//! | offset | size | field |
//! |-------:|-----:|-------|
//! | 0   | 8  | magic `\x7fWRUNAOT` |
//! | 8   | 4  | format version ([`format::FORMAT_VERSION`]) |
//! | 12  | 4  | header length |
//! | 16  | 8  | file length |
//! | 24  | 32 | checksum: SHA-256 of the whole file with these 32 bytes zeroed |
//! | 56  | 32 | SHA-256 of the module bytes the code was compiled from |
//! | 88  | 32 | wrun version (`CARGO_PKG_VERSION`), NUL-padded |
//! | 120 | 16 | target (`x86_64-linux`), NUL-padded |
//! | 136 | 4  | CPU features the code uses ([`CpuFeatures::to_bits`]) |
//! | 140 | 4  | compiler settings: the code-shape version ([`compile::CODE_SHAPE_VERSION`]), bit 31 set when the code charges fuel ([`format::SETTINGS_FUEL`]) |
//! | 144 | 32 | layout hash: SHA-256 of every VmCtx / ExecContext / FuncRecord offset and size, helper index, trap code and conversion kind the code depends on ([`format::layout_hash`]) |
//! | 176 | 4  | number of imported functions |
//! | 180 | 4  | number of defined functions |
//! | 184 | 112 | section table: `(offset: u64, length: u64)` for each section below, in this order |
//! | 296 | 8  | compiler build: fingerprint of the JIT's source this wrun was built from (`build.rs`) |
//!
//! Sections (lengths in bytes; the tables lie between the header and the code, 8-aligned):
//!
//! 1. code: the machine code of every defined function, page-aligned (4096) in the file and
//!    running to its end. Never empty (a module without functions gets one `int3`).
//! 2. function entries: per defined function, the code offset of its entry (u32), or
//!    [`format::NO_CODE`] (`u32::MAX`) for a function without code: a *partial* sidecar, as
//!    the code cache writes ([`cache`]) and `wrun compile` for a module with SIMD functions;
//!    such a function starts interpreted.
//! 3. loop-header index: per defined function, `(first, count)` (u32, u32) into section 4
//!    (count 0 for a function without code).
//! 4. loop-header (OSR) entries: `(wasm offset of the loop, code offset of its OSR entry)`.
//! 5. function starts, for backtraces: `(code offset, function index)`, one per function
//!    with code, strictly ascending.
//! 6. pc map, for traps and backtraces: `(code offset, wasm offset)`, ascending.
//! 7. hotness: per defined function, the number of runs it was hot in (u32; the code cache's
//!    counts, zero in a sidecar of `wrun compile`).
//!
//! The code is position-independent (ARCHITECTURE.md, "VmCtx"): calls inside the module are
//! `call rel32`, everything absolute is reached through `r15` (VmCtx) or `r12` (ExecContext),
//! so there are no relocations and the mapped pages run where they land.
//!
//! # Loading
//!
//! First the framing, from the header alone ([`format::verify_framing`]): magic, format
//! version, header length, the declared length against the file's, and a bound on the size of
//! any sidecar of this module ([`format::max_sidecar_len`]). Then the whole file is read into
//! anonymous memory, made read-only, and every other check runs on that copy: checksum, wrun
//! version, target, compiler settings and layout, CPU features (this CPU must have every one),
//! the module's SHA-256, then every section's bounds and every table entry (function offsets
//! and OSR entries inside the code, function starts strictly ascending and matching the
//! entries, pc map sorted). Only then are the copy's code pages switched to read-execute with
//! `region` (never writable and executable). Any failed check is a [`SidecarStatus::Refused`]
//! with its reason: the module then runs on the normal tiers, and no byte of the file has run.
//!
//! Because the code runs from the private copy, nothing done to the file after it was read
//! (rewritten in place, truncated, replaced) changes what wrun executes (`load` module docs).
//! The writer replaces the file atomically (temporary file + rename) all the same, so a
//! reader never sees a half-written sidecar.

pub mod cache;
pub mod format;
mod load;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::jit::compile::{self, CpuFeatures};
use crate::module::ModuleInfo;

pub use cache::{CacheStats, CachedCode, CodeCache};
pub use format::{FORMAT_VERSION, HEADER_LEN, Section, layout_hash, reseal};
pub use load::{Opened, load, open};

/// File extension of sidecars: `app.wasm` -> `app.wrun`.
pub const EXTENSION: &str = "wrun";

/// Which sidecar a module should use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SidecarChoice {
    /// `MODULE.wrun` beside the module, if it exists.
    Beside,
    /// This file (`--aot PATH`); a missing file is refused with a warning.
    Path(PathBuf),
    /// None (`--no-aot`).
    Disabled,
}

impl SidecarChoice {
    /// The file to try for the module at `module_path`; `None` when disabled.
    pub fn resolve(&self, module_path: &Path) -> Option<SidecarFile> {
        match self {
            SidecarChoice::Beside => Some(SidecarFile {
                path: sidecar_path_beside(module_path),
                required: false,
            }),
            SidecarChoice::Path(path) => Some(SidecarFile {
                path: path.clone(),
                required: true,
            }),
            SidecarChoice::Disabled => None,
        }
    }
}

/// A sidecar file to try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SidecarFile {
    pub path: PathBuf,
    /// A missing file is a refusal (`--aot PATH`) rather than [`SidecarStatus::NotFound`].
    pub required: bool,
}

/// What became of a module's sidecar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SidecarStatus {
    /// The code of every function comes from this file.
    Used(PathBuf),
    /// No sidecar beside the module.
    NotFound(PathBuf),
    /// The file failed a check (or could not be read); the module runs on the normal tiers.
    Refused { path: PathBuf, reason: String },
    /// Sidecars were not asked for.
    Disabled,
}

impl SidecarStatus {
    /// One line for `--stats`: `used PATH` or `not used (REASON)`.
    pub fn describe(&self) -> String {
        match self {
            SidecarStatus::Used(path) => format!("used {}", path.display()),
            SidecarStatus::NotFound(path) => format!("not used (no {})", path.display()),
            SidecarStatus::Refused { path, reason } => {
                format!("not used (refused {}: {reason})", path.display())
            }
            SidecarStatus::Disabled => "not used (disabled)".into(),
        }
    }
}

/// `app.wasm` -> `app.wrun` (same directory).
pub fn sidecar_path_beside(module_path: &Path) -> PathBuf {
    module_path.with_extension(EXTENSION)
}

/// Compiles every function of `wasm` for `cpu` and writes the sidecar to `path` atomically
/// (a temporary file in the same directory, then a rename). `progress(done, total)` is called
/// after each function. Returns the number of code bytes.
pub fn write_sidecar(
    wasm: &[u8],
    path: &Path,
    cpu: CpuFeatures,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, crate::Error> {
    write_sidecar_metered(wasm, path, cpu, false, progress)
}

/// [`write_sidecar`] of code that charges fuel when `consume_fuel` (for runs with
/// `Config::consume_fuel`; a sidecar serves only runs with its own setting).
pub fn write_sidecar_metered(
    wasm: &[u8],
    path: &Path,
    cpu: CpuFeatures,
    consume_fuel: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, crate::Error> {
    let info = Arc::new(crate::module::parse(wasm)?);
    let bytes = sidecar_bytes_metered(&info, cpu, consume_fuel, progress)
        .map_err(crate::Error::Internal)?;
    write_atomically(path, &bytes).map_err(|e| crate::Error::Sidecar {
        path: path.to_path_buf(),
        reason: format!("cannot write {}: {e}", path.display()),
    })?;
    Ok(bytes.len())
}

/// The sidecar's bytes for an already parsed module.
pub fn sidecar_bytes(
    info: &Arc<ModuleInfo>,
    cpu: CpuFeatures,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<u8>, String> {
    sidecar_bytes_metered(info, cpu, false, progress)
}

/// [`sidecar_bytes`] of code that charges fuel when `consume_fuel`.
pub fn sidecar_bytes_metered(
    info: &Arc<ModuleInfo>,
    cpu: CpuFeatures,
    consume_fuel: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<u8>, String> {
    // Tier 1 compiles every operator wrun validates, so a sidecar holds every function (the
    // format still takes `NO_CODE` entries: the code cache writes partial sidecars).
    let compiled: Vec<u32> = (0..info.bodies.len() as u32)
        .map(|defined| info.num_imported_funcs + defined)
        .collect();
    let code =
        compile::compile_functions_with_progress(info, &compiled, cpu, consume_fuel, progress)
            .map_err(|e| e.to_string())?;
    let contents = format::Contents {
        code: &code,
        funcs: &compiled,
        hotness: &vec![0; info.bodies.len()],
    };
    format::serialize(
        info,
        cpu,
        format::compiler_settings(consume_fuel),
        &contents,
    )
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sidecar".into());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        // No fsync: a file cut short by a crash fails the length or checksum check on load.
        file.write_all(bytes)?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests;
