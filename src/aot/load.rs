//! Mapping a sidecar: map read-only, check everything, then make the code pages executable.

use std::path::Path;
use std::sync::Arc;

use super::format;
use crate::jit::JitModule;
use crate::jit::compile::CpuFeatures;
use crate::module::ModuleInfo;

/// Maps the sidecar at `path` for `info` and checks it (module docs, "Loading"). The error is
/// the reason it was refused; no byte of the file has run then.
pub fn load(info: &Arc<ModuleInfo>, path: &Path) -> Result<JitModule, String> {
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
    // SAFETY: a private read-only mapping of a file we only read. The file could still be
    // changed by another program while mapped (module docs); wrun's own writer replaces
    // sidecars by rename, never in place.
    let map = unsafe {
        memmap2::MmapOptions::new()
            .populate()
            .map_copy_read_only(&file)
    }
    .map_err(|e| format!("cannot map: {e}"))?;
    let verified = format::verify(&map, info, CpuFeatures::detect(), region::page::size())?;
    let code = map.as_ptr().wrapping_add(verified.code_offset);
    // SAFETY: `verify` checked that `code_offset .. code_offset + code_len` is a non-empty,
    // page-aligned range of the mapping that runs to the file's end, so the pages are ours
    // (the last one partly past the end of the file, inside the mapping). Nothing writes them:
    // the mapping is read-only and becomes read-execute, never writable.
    unsafe {
        region::protect(code, verified.code_len, region::Protection::READ_EXECUTE)
            .map_err(|e| format!("cannot make the code executable: {e}"))?;
    }
    // SAFETY: the range is inside the mapping and read-execute (above), the header matched this
    // wrun, this CPU and this module, and `verify` checked the tables against the code.
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
