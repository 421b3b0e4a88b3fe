//! Mapping a sidecar: map read-only, check everything, then make the code pages executable.
//! In two steps, so a caller can parse the module knowing whether the header matched
//! ([`open`], then [`Opened::finish`]); [`load`] does both.

use std::path::Path;
use std::sync::Arc;

use super::format;
use crate::jit::JitModule;
use crate::jit::compile::CpuFeatures;
use crate::module::ModuleInfo;

/// A mapped sidecar whose header matched this wrun, this CPU and the module's bytes; its
/// tables are not checked yet and nothing of it is executable.
pub struct Opened {
    map: memmap2::Mmap,
}

/// Maps the sidecar at `path` and checks its header against `module_bytes` (module docs,
/// "Loading"). The error is the reason it was refused.
pub fn open(path: &Path, module_bytes: &[u8]) -> Result<Opened, String> {
    // Checked before opening: opening a FIFO would block.
    let kind = std::fs::metadata(path).map_err(|e| format!("cannot open: {e}"))?;
    if !kind.is_file() {
        return Err("not a regular file".into());
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot read its metadata: {e}"))?
        .len();
    if len < format::HEADER_LEN as u64 {
        return Err(format!(
            "truncated: {len} bytes, shorter than the {}-byte header",
            format::HEADER_LEN
        ));
    }
    // SAFETY: a private read-only mapping of a file we only read, prefaulted (the checksum
    // reads every page). The file could still be changed by another program while mapped
    // (module docs); wrun's own writer replaces sidecars by rename, never in place.
    let map = unsafe {
        memmap2::MmapOptions::new()
            .populate()
            .map_copy_read_only(&file)
    }
    .map_err(|e| format!("cannot map: {e}"))?;
    format::verify_header(&map, module_bytes, CpuFeatures::detect())?;
    Ok(Opened { map })
}

impl Opened {
    /// Checks the tables against `info` (parsed from the bytes [`open`] checked), makes the
    /// code read-execute and wraps it. The error is the reason it was refused; no byte of the
    /// file has run then.
    pub fn finish(self, info: &Arc<ModuleInfo>) -> Result<JitModule, String> {
        let map = self.map;
        let verified = format::verify_tables(&map, info, region::page::size())?;
        let code = map.as_ptr().wrapping_add(verified.code_offset);
        // SAFETY: `verify_tables` checked that `code_offset .. code_offset + code_len` is a
        // non-empty, page-aligned range of the mapping that runs to the file's end, so the pages
        // are ours (the last one partly past the end of the file, inside the mapping). Nothing
        // writes them: the mapping is read-only and becomes read-execute, never writable.
        unsafe {
            region::protect(code, verified.code_len, region::Protection::READ_EXECUTE)
                .map_err(|e| format!("cannot make the code executable: {e}"))?;
        }
        // SAFETY: the range is inside the mapping and read-execute (above), the header matched
        // this wrun, this CPU and this module (`open`), and `verify_tables` checked the tables
        // against the code.
        Ok(unsafe {
            JitModule::from_mapped(
                info,
                map,
                verified.code_offset,
                verified.code_len,
                verified.tables,
            )
        })
    }
}

/// [`open`] then [`Opened::finish`], for a module already parsed.
pub fn load(info: &Arc<ModuleInfo>, path: &Path) -> Result<JitModule, String> {
    open(path, &info.bytes)?.finish(info)
}
