//! Codegen snapshot tests: each `tests/disas/*.wat` ends with the expected disassembly of its
//! compiled functions (`jit::disas`, the text `wrun compile --emit asm` prints), in `;;`
//! comment lines after the marker line. `WRUN_BLESS=1 cargo test --test disas` rewrites them.
//! The code is compiled for a fixed CPU feature set (everything on), so the snapshots do
//! not depend on the machine that runs the tests. Files named `fuel*.wat` are compiled with
//! fuel charges.

#![cfg(feature = "disas")]

mod common;

use std::path::Path;
use std::sync::Arc;

use wrun::jit::compile::CpuFeatures;

const MARKER: &str = ";; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----";

fn all_features() -> CpuFeatures {
    CpuFeatures {
        ssse3: true,
        sse41: true,
        lzcnt: true,
        bmi1: true,
        popcnt: true,
    }
}

/// The disassembly of the module `source` (from `path`).
fn disassembly(path: &Path, source: &str) -> Result<String, String> {
    let bytes = wat::parse_str(source).map_err(|e| e.to_string())?;
    let info = wrun::module::parse(&bytes).map_err(|e| e.to_string())?;
    // `fuel_*.wat`: compiled with fuel charges (`Config::consume_fuel`).
    let fuel = path
        .file_name()
        .is_some_and(|name| name.to_string_lossy().starts_with("fuel"));
    wrun::jit::disas::disassemble_metered(&Arc::new(info), all_features(), fuel)
}

#[test]
fn disassembly_snapshots() {
    common::check_snapshots("disas", &["wat"], MARKER, disassembly);
}
