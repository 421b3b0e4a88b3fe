//! Codegen snapshot tests: each `tests/disas/*.wat` ends with the expected disassembly of its
//! compiled functions (`jit::disas`, the text `wrun compile --emit asm` prints), in `;;`
//! comment lines after the marker line. `WRUN_BLESS=1 cargo test --test disas` rewrites them.
//! The code is compiled for a fixed CPU feature set (everything on), so the snapshots do
//! not depend on the machine that runs the tests. Files named `fuel*.wat` are compiled with
//! fuel charges.

#![cfg(feature = "disas")]

use std::path::Path;
use std::sync::Arc;

use wrun::jit::compile::CpuFeatures;

const MARKER: &str = ";; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----";

fn all_features() -> CpuFeatures {
    CpuFeatures {
        sse41: true,
        lzcnt: true,
        bmi1: true,
        popcnt: true,
    }
}

fn check(path: &Path, bless: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let (source, expected) = match text.find(MARKER) {
        Some(at) => (&text[..at], &text[at + MARKER.len()..]),
        None => (text.as_str(), ""),
    };
    let source = source.trim_end();
    let bytes = wat::parse_str(source).map_err(|e| format!("{}: {e}", path.display()))?;
    let info = wrun::module::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    // `fuel_*.wat`: compiled with fuel charges (`Config::consume_fuel`).
    let fuel = path
        .file_name()
        .is_some_and(|name| name.to_string_lossy().starts_with("fuel"));
    let actual = wrun::jit::disas::disassemble_metered(&Arc::new(info), all_features(), fuel)?;
    let actual: String = actual.lines().map(|l| format!(";; {l}\n")).collect();
    if expected.trim() == actual.trim() {
        return Ok(());
    }
    if bless {
        let new = format!("{source}\n\n{MARKER}\n{actual}");
        return std::fs::write(path, new).map_err(|e| e.to_string());
    }
    Err(format!(
        "{}: the disassembly differs from the snapshot (WRUN_BLESS=1 rewrites it)\n--- expected\n{}\n--- actual\n{}",
        path.display(),
        expected.trim(),
        actual.trim()
    ))
}

#[test]
fn disassembly_snapshots() {
    let bless = std::env::var_os("WRUN_BLESS").is_some_and(|v| v == "1");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/disas");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/disas exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wat"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no snapshot files in {}", dir.display());
    let failures: Vec<String> = paths.iter().filter_map(|p| check(p, bless).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
