//! Build script: fingerprints the JIT's source, so AOT sidecars written by another build of the
//! compiler are refused (`src/aot`, header field "compiler build"). Formatting changes count
//! too: the check errs on the side of recompiling.

use std::path::{Path, PathBuf};

/// FNV-1a, 64 bits: no dependency, and only a fingerprint (not a security check).
fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let jit = root.join("src").join("jit");
    println!("cargo:rerun-if-changed={}", jit.display());
    let mut files = Vec::new();
    rust_files(&jit, &mut files);
    files.sort();
    let mut hash = 0xCBF2_9CE4_8422_2325u64;
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap_or(file);
        hash = fnv1a(hash, relative.to_string_lossy().as_bytes());
        hash = fnv1a(hash, &std::fs::read(file).unwrap_or_default());
    }
    println!("cargo:rustc-env=WRUN_JIT_SOURCE_HASH={hash:016x}");
}
