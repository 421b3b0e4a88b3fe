//! Loading a sidecar: check its framing from the header alone, copy the file into anonymous
//! memory, check everything on that copy, then make the copy's code pages executable.
//! In two steps, so a caller can parse the module knowing whether the header matched
//! ([`open`], then [`Opened::finish`]); [`load`] does both.
//!
//! # Why a copy, not a mapping of the file
//!
//! Code that runs from a mapping of the file changes when the file does: a deploy that
//! rewrites `app.wrun` in place (`cp other.wrun app.wrun`) or truncates it while wrun runs
//! would make wrun execute foreign code or die of SIGBUS, however carefully it was checked
//! before. The copy is private and complete before the first check, so the bytes that were
//! checked are the bytes that run, and nothing done to the file afterwards reaches them. The
//! cost is one read of the file, which the checksum needs anyway (measured in
//! ARCHITECTURE.md, "AOT sidecars").

use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use super::format;
use crate::jit::JitModule;
use crate::jit::compile::CpuFeatures;
use crate::module::ModuleInfo;

/// A sidecar copied into memory whose header matched this wrun, this CPU and the module's
/// bytes; its tables are not checked yet and nothing of it is executable.
pub struct Opened {
    map: memmap2::Mmap,
}

/// Reads the sidecar at `path` and checks its header against `module_bytes` (module docs of
/// `aot`, "Loading"). The error is the reason it was refused.
pub fn open(path: &Path, module_bytes: &[u8]) -> Result<Opened, String> {
    // Checked before opening: opening a FIFO would block.
    let kind = std::fs::metadata(path).map_err(|e| format!("cannot open: {e}"))?;
    if !kind.is_file() {
        return Err("not a regular file".into());
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let map = read_checked_framing(file, module_bytes.len())?;
    format::verify_header(&map, module_bytes, CpuFeatures::detect())?;
    Ok(Opened { map })
}

/// [`open`] of an already opened file, for a module whose SHA-256 is known (the code cache's
/// entries, opened without following symlinks).
pub fn open_file(
    file: std::fs::File,
    module_len: usize,
    module_hash: &[u8; 32],
    cpu: CpuFeatures,
) -> Result<Opened, String> {
    let kind = file
        .metadata()
        .map_err(|e| format!("cannot read its metadata: {e}"))?;
    if !kind.is_file() {
        return Err("not a regular file".into());
    }
    let map = read_checked_framing(file, module_len)?;
    format::verify_header_hashed(&map, module_len, module_hash, cpu)?;
    Ok(Opened { map })
}

/// Checks the framing from the header alone, then copies the whole file into read-only
/// anonymous memory.
fn read_checked_framing(
    mut file: std::fs::File,
    module_len: usize,
) -> Result<memmap2::Mmap, String> {
    let len = file
        .metadata()
        .map_err(|e| format!("cannot read its metadata: {e}"))?
        .len();
    // The framing first, from the header alone: a file of the wrong size or kind is refused
    // before anything else of it is read or memory is set aside for it.
    let mut header = Vec::with_capacity(format::HEADER_LEN);
    (&mut file)
        .take(format::HEADER_LEN as u64)
        .read_to_end(&mut header)
        .map_err(|e| format!("cannot read: {e}"))?;
    format::verify_framing(&header, len, module_len)?;
    let copy_len = usize::try_from(len).map_err(|_| format!("too large: {len} bytes"))?;
    let mut copy = memmap2::MmapMut::map_anon(copy_len)
        .map_err(|e| format!("cannot allocate {len} bytes for it: {e}"))?;
    // Transparent huge pages where the kernel offers them: a 100 MB sidecar then costs 50 page
    // faults instead of 25,000. Only advice: without it the copy works the same.
    let _ = copy.advise(memmap2::Advice::HugePage);
    copy[..header.len()].copy_from_slice(&header);
    read_rest(&mut file, &mut copy[header.len()..])?;
    copy.make_read_only()
        .map_err(|e| format!("cannot protect its copy: {e}"))
}

/// Fills `rest` from `file` and checks that the file ends there: a file that shrank or grew
/// since its length was read is refused (it is being rewritten).
fn read_rest(file: &mut std::fs::File, rest: &mut [u8]) -> Result<(), String> {
    file.read_exact(rest).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "truncated while being read".to_string(),
        _ => format!("cannot read: {e}"),
    })?;
    let mut probe = [0u8; 1];
    match file.read(&mut probe) {
        Ok(0) => Ok(()),
        Ok(_) => Err("grew while being read".into()),
        Err(e) => Err(format!("cannot read: {e}")),
    }
}

impl Opened {
    /// Whether the code charges fuel (compiled for `Config::consume_fuel`).
    pub fn consumes_fuel(&self) -> bool {
        format::consumes_fuel(&self.map)
    }

    /// Checks the tables against `info` (parsed from the bytes [`open`] checked), makes the
    /// code read-execute and wraps it. The error is the reason it was refused; no byte of the
    /// file has run then.
    pub fn finish(self, info: &Arc<ModuleInfo>) -> Result<JitModule, String> {
        self.finish_with_hotness(info).map(|(code, _)| code)
    }

    /// [`Opened::finish`], also returning per defined function the number of runs it was hot
    /// in (the code cache's counts).
    pub fn finish_with_hotness(
        self,
        info: &Arc<ModuleInfo>,
    ) -> Result<(JitModule, Vec<u32>), String> {
        let map = self.map;
        let verified = format::verify_tables(&map, info, region::page::size())?;
        let code = map.as_ptr().wrapping_add(verified.code_offset);
        // SAFETY: `verify_tables` checked that `code_offset .. code_offset + code_len` is a
        // non-empty, page-aligned range of the copy that runs to its end, so the pages are ours
        // (the last one partly past the end, inside the anonymous mapping). Nothing writes
        // them: the copy is read-only and becomes read-execute, never writable.
        unsafe {
            region::protect(code, verified.code_len, region::Protection::READ_EXECUTE)
                .map_err(|e| format!("cannot make the code executable: {e}"))?;
        }
        // SAFETY: the range is inside the mapping and read-execute (above), the header matched
        // this wrun, this CPU and this module (`open`), and `verify_tables` checked the tables
        // against the code.
        let code = unsafe {
            JitModule::from_mapped(
                info,
                map,
                verified.code_offset,
                verified.code_len,
                verified.tables,
            )
        };
        Ok((code, verified.hotness))
    }
}

/// [`open`] then [`Opened::finish`], for a module already parsed.
pub fn load(info: &Arc<ModuleInfo>, path: &Path) -> Result<JitModule, String> {
    open(path, &info.bytes)?.finish(info)
}
