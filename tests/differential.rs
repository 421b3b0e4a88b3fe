//! Differential test (issue 5): random valid modules run on two tiers must agree.
//!
//! For each seed, wasm-smith generates a valid module inside wrun's feature set (wasm 2.0
//! without SIMD, at most one memory, bounded sizes), instrumented with fuel so every call
//! terminates, with every item exported. Each tier loads it, instantiates it against
//! deterministic dummy imports, and calls every exported function in order with arguments
//! derived from the seed. Load and instantiation results, every call's results or trap, and the
//! globals, tables and memory hashes after every call, then the full memories, must be equal.
//! Floats compare by bits (NaN payloads included). A panic on either tier, or a module either
//! tier rejects, is a failure too (robustness).
//!
//! Environment:
//! - `WRUN_DIFF_MODULES` (default 500): how many seeds; `WRUN_DIFF_START` (default 0): first seed.
//! - `WRUN_DIFF_SEED=N`: run only seed N and print both tiers' full event lists.
//! - `WRUN_DIFF_FILE=PATH` (with `WRUN_DIFF_SEED`): run that `.wasm`/`.wat` file instead of the
//!   seed's module (the seed still picks the arguments): for minimizing by hand.
//! - `WRUN_DIFF_TRACE=1`: print each load and call to stderr before it happens (to locate a
//!   crash).
//! - `WRUN_DIFF_BACKTRACES=1`: traps compare their backtraces (function indices) too.
//! - `WRUN_DIFF_THREADS` (default 1): worker threads.
//! - `WRUN_DIFF_OUT`: where failing modules are written (default `<target>/tmp/differential`).
//! - `WRUN_DIFF_SKIP=S1,S2,...`: seeds not to run (`scripts/fuzz.sh` skips seeds that crashed).
//!   The seeds of `KNOWN_FAILURES` are skipped too (listed after the summary) unless
//!   `WRUN_DIFF_KNOWN=run`.
//! - `WRUN_DIFF_PROGRESS=FILE`: write each seed to FILE before running it, so a crash (signal)
//!   can be attributed to a seed (`scripts/fuzz.sh` uses it).

#[path = "differential/compare.rs"]
mod compare;
#[path = "differential/execute.rs"]
mod execute;
#[path = "differential/generate.rs"]
mod generate;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use execute::Event;
use execute::{TIER_A, TIER_B};

/// Seeds on which tier B is known to fail, with why. They are skipped, and listed after the
/// summary, so that this test keeps guarding every other seed while the bug is open; each entry
/// names a real bug (see `WRUN_DIFF_SEED=N` to reproduce). Remove an entry once it passes.
/// `WRUN_DIFF_KNOWN=run` runs them anyway.
const KNOWN_FAILURES: &[(u64, &str)] = &[];

/// Hand-written or minimized modules in `differential/regressions/` that tier B is known to
/// get wrong (file name, why); run anyway with `WRUN_DIFF_KNOWN=run`. Empty: the one found so
/// far (`br_if_return_keeps_local.wat`, a not-taken conditional return) is fixed and guarded.
const KNOWN_REGRESSION_FAILURES: &[(&str, &str)] = &[];

fn known_failures() -> &'static [(u64, &'static str)] {
    if TIER_A == TIER_B || std::env::var("WRUN_DIFF_KNOWN").is_ok_and(|v| v == "run") {
        &[]
    } else {
        KNOWN_FAILURES
    }
}

/// Native stack of the threads that run wasm: the JIT checks against the real stack bounds, so
/// a small test thread could trap "call stack exhausted" where the interpreter (whose frames
/// are on its own value stack) does not. Fuel bounds the depth at `generate::FUEL` calls.
const WORKER_STACK_BYTES: usize = 64 << 20;

/// Runs `f` on a fresh thread with a [`WORKER_STACK_BYTES`] stack.
fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(WORKER_STACK_BYTES)
        .spawn(f)
        .expect("spawning a worker thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

fn out_dir() -> PathBuf {
    std::env::var_os("WRUN_DIFF_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("differential"))
}

/// What checking one seed found.
struct SeedReport {
    /// Exported functions run (phase 1 of `execute::run`).
    exports_called: usize,
    /// Calls made (each export runs twice: shared instance, then a fresh one).
    calls: usize,
    /// How tier A's calls ended ("returned", or the trap code), for the coverage summary.
    call_endings: Vec<String>,
    /// Why this seed failed (difference, panic, rejected module, harness error), if it did.
    failure: Option<String>,
    nan_payload_only: bool,
}

fn tier_names() -> (String, String) {
    let a = TIER_A.name().to_string();
    let b = TIER_B.name().to_string();
    if a == b {
        (format!("{a}(A)"), format!("{b}(B)"))
    } else {
        (a, b)
    }
}

/// A hand-written or minimized module (`.wasm`, or `.wat` text) to run instead of a generated
/// one.
fn read_module_file(path: &std::path::Path) -> anyhow::Result<generate::Generated> {
    let wasm = if path.extension().is_some_and(|e| e == "wat") {
        wat::parse_file(path)?
    } else {
        std::fs::read(path)?
    };
    Ok(generate::Generated {
        wasm,
        knobs: format!("from {}", path.display()),
    })
}

/// Writes the module of `seed` to [`out_dir`]; says where (or why not).
fn save_module(seed: u64, wasm: &[u8]) -> String {
    let dir = out_dir();
    let path = dir.join(format!("seed-{seed}.wasm"));
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, wasm))
        .map_or_else(
            |e| format!("(could not save the module to {}: {e})", path.display()),
            |()| format!("module saved to {}", path.display()),
        )
}

fn check_seed(seed: u64, verbose: bool) -> SeedReport {
    let generated = match std::env::var_os("WRUN_DIFF_FILE") {
        Some(path) => read_module_file(&PathBuf::from(path)),
        None => generate::module_for_seed(seed),
    };
    let generated = match generated {
        Ok(g) => g,
        Err(e) => {
            return SeedReport {
                exports_called: 0,
                calls: 0,
                call_endings: Vec::new(),
                failure: Some(format!("harness: {e}")),
                nan_payload_only: false,
            };
        }
    };
    if verbose {
        // Saved before running, so a crash of the process still leaves the module behind.
        eprintln!("{}", save_module(seed, &generated.wasm));
    }
    let a = execute::run(TIER_A, &generated.wasm, seed);
    let b = execute::run(TIER_B, &generated.wasm, seed);
    let (name_a, name_b) = tier_names();
    if verbose {
        println!(
            "seed {seed}: {} bytes, {}",
            generated.wasm.len(),
            generated.knobs
        );
        for (name, outcome) in [(&name_a, &a), (&name_b, &b)] {
            println!("--- {name}");
            for event in &outcome.events {
                match event {
                    Event::FinalMemory(m) => println!(
                        "  FinalMemory({:?})",
                        m.iter().map(|(n, d)| (n, d.len())).collect::<Vec<_>>()
                    ),
                    other => println!("  {other:?}"),
                }
            }
        }
    }
    let difference = compare::first_difference(&a.events, &b.events, (&name_a, &name_b));
    let nan_payload_only = difference.as_ref().is_some_and(|d| d.nan_payload_only);
    let failure = compare::own_problem(&a.events, &name_a)
        .or_else(|| compare::own_problem(&b.events, &name_b))
        .or_else(|| difference.map(|d| d.description));
    let failure = failure.map(|why| {
        let saved = save_module(seed, &generated.wasm);
        format!(
            "seed {seed} [{}]: {why}\n    {saved}; reproduce: WRUN_DIFF_SEED={seed} cargo test --test differential -- --nocapture",
            generated.knobs
        )
    });
    let call_endings = a
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Call { result, .. } => Some(match result {
                Ok(_) => "returned".to_string(),
                Err(trap) => trap.split(':').next().unwrap_or(trap).to_string(),
            }),
            _ => None,
        })
        .collect();
    SeedReport {
        exports_called: a.exports_called.max(b.exports_called),
        calls: a.calls.max(b.calls),
        call_endings,
        failure,
        nan_payload_only,
    }
}

#[test]
fn tiers_agree_on_generated_modules() {
    if let Ok(seed) = std::env::var("WRUN_DIFF_SEED") {
        let seed: u64 = seed.trim().parse().expect("WRUN_DIFF_SEED is a number");
        let report = on_big_stack(move || check_seed(seed, true));
        if let Some(failure) = report.failure {
            panic!("{failure}");
        }
        println!(
            "seed {seed}: no difference ({} exports run)",
            report.exports_called
        );
        return;
    }

    let start = env_u64("WRUN_DIFF_START", 0);
    let count = env_u64("WRUN_DIFF_MODULES", 500);
    let threads = env_u64("WRUN_DIFF_THREADS", 1).max(1);
    let progress = std::env::var_os("WRUN_DIFF_PROGRESS").map(PathBuf::from);

    let next = AtomicU64::new(start);
    let modules = AtomicU64::new(0);
    let exports = AtomicU64::new(0);
    let calls = AtomicU64::new(0);
    let failures: Mutex<Vec<(u64, String, bool)>> = Mutex::new(Vec::new());
    let endings: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());
    let started = Instant::now();
    let skip: Vec<u64> = std::env::var("WRUN_DIFF_SKIP")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse()
                .expect("WRUN_DIFF_SKIP is a comma-separated seed list")
        })
        .chain(known_failures().iter().map(|(seed, _)| *seed))
        .collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let worker = std::thread::Builder::new().stack_size(WORKER_STACK_BYTES);
            let spawned = worker.spawn_scoped(scope, || {
                loop {
                    let seed = next.fetch_add(1, Ordering::Relaxed);
                    if seed >= start + count {
                        break;
                    }
                    if skip.contains(&seed) {
                        continue;
                    }
                    if let Some(path) = &progress {
                        // Only read after a crash; a failed write just loses that attribution.
                        let _ = std::fs::write(path, format!("{seed}\n"));
                    }
                    let report = check_seed(seed, false);
                    modules.fetch_add(1, Ordering::Relaxed);
                    exports.fetch_add(report.exports_called as u64, Ordering::Relaxed);
                    calls.fetch_add(report.calls as u64, Ordering::Relaxed);
                    let mut counts = endings.lock().unwrap_or_else(|e| e.into_inner());
                    for ending in report.call_endings {
                        *counts.entry(ending).or_default() += 1;
                    }
                    drop(counts);
                    if let Some(failure) = report.failure {
                        println!("DIFFERENCE {failure}");
                        failures.lock().unwrap_or_else(|e| e.into_inner()).push((
                            seed,
                            failure,
                            report.nan_payload_only,
                        ));
                    }
                }
            });
            spawned.expect("spawning a worker thread");
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    failures.sort_by_key(|f| f.0);
    let nan_only = failures.iter().filter(|f| f.2).count();
    println!(
        "{} modules, {} exports run ({} calls), {} differences ({nan_only} NaN-payload-only); tiers {} vs {}, seeds {start}..{}, {:.1} s",
        modules.load(Ordering::Relaxed),
        exports.load(Ordering::Relaxed),
        calls.load(Ordering::Relaxed),
        failures.len(),
        TIER_A.name(),
        TIER_B.name(),
        start + count,
        started.elapsed().as_secs_f64()
    );
    let endings = endings.into_inner().unwrap_or_else(|e| e.into_inner());
    let endings: Vec<String> = endings.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("calls on {}: {}", TIER_A.name(), endings.join(", "));
    let known: Vec<String> = known_failures()
        .iter()
        .filter(|(seed, _)| (start..start + count).contains(seed))
        .map(|(seed, why)| format!("{seed} ({why})"))
        .collect();
    if !known.is_empty() {
        println!("KNOWN FAILURES skipped: {}", known.join("; "));
    }
    if !failures.is_empty() {
        let seeds: Vec<String> = failures.iter().map(|f| f.0.to_string()).collect();
        panic!(
            "{} of {count} seeds differ: {}\nfirst: {}",
            failures.len(),
            seeds.join(" "),
            failures[0].1
        );
    }
}

/// Every module in `tests/differential/regressions/` (minimized past differences, `.wat`) must
/// agree on both tiers, with the arguments of seed 0.
#[test]
fn regressions_agree() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/differential/regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the regressions directory exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "wat"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .wat files in {}", dir.display());
    let run_known = TIER_A == TIER_B || std::env::var("WRUN_DIFF_KNOWN").is_ok_and(|v| v == "run");
    let mut failures = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some((_, why)) = KNOWN_REGRESSION_FAILURES
            .iter()
            .find(|(file, _)| *file == name)
            && !run_known
        {
            println!("KNOWN FAILURE skipped: {name} ({why})");
            continue;
        }
        let generated = read_module_file(&path).expect("regression modules parse");
        let wasm = generated.wasm;
        let (a, b) = on_big_stack(move || {
            (
                execute::run(TIER_A, &wasm, 0),
                execute::run(TIER_B, &wasm, 0),
            )
        });
        let (name_a, name_b) = tier_names();
        let failure = compare::own_problem(&a.events, &name_a)
            .or_else(|| compare::own_problem(&b.events, &name_b))
            .or_else(|| {
                compare::first_difference(&a.events, &b.events, (&name_a, &name_b))
                    .map(|d| d.description)
            });
        if let Some(failure) = failure {
            failures.push(format!("{name}: {failure}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The harness itself: a seed always yields the same module, and a changed result, trap or
/// memory is reported as a difference (so an empty report means something).
#[test]
fn harness_is_deterministic_and_detects_differences() {
    for seed in [0, 1, 77] {
        let x = generate::module_for_seed(seed).expect("generation works");
        let y = generate::module_for_seed(seed).expect("generation works");
        assert_eq!(
            x.wasm, y.wasm,
            "seed {seed} generated two different modules"
        );
    }

    use execute::{State, Value};
    let state = State {
        memories: vec![("m".into(), 65536, 1)],
        globals: vec![("g".into(), Value::F32(0x7fc0_0000))],
        tables: vec![],
    };
    let call = |result: Result<Vec<Value>, String>, after: State| Event::Call {
        export: "f".into(),
        fresh_instance: false,
        args: vec![Value::I32(1)],
        result,
        after,
    };
    let base = vec![
        Event::Load(Ok(())),
        Event::Instantiate(Ok(())),
        call(Ok(vec![Value::I64(5)]), state.clone()),
        Event::FinalMemory(vec![("m".into(), vec![0; 16])]),
    ];
    let names = ("a", "b");
    assert!(compare::first_difference(&base, &base, names).is_none());

    let mut other_result = base.clone();
    other_result[2] = call(Ok(vec![Value::I64(6)]), state.clone());
    let d = compare::first_difference(&base, &other_result, names).expect("result differs");
    assert!(d.description.contains("i64:5") && d.description.contains("i64:6"));
    assert!(!d.nan_payload_only);

    let mut trapped = base.clone();
    trapped[2] = call(Err("trap Unreachable: unreachable".into()), state.clone());
    assert!(compare::first_difference(&base, &trapped, names).is_some());

    let mut nan_global = state.clone();
    nan_global.globals[0].1 = Value::F32(0xffc0_0000);
    let mut other_nan = base.clone();
    other_nan[2] = call(Ok(vec![Value::I64(5)]), nan_global);
    let d = compare::first_difference(&base, &other_nan, names).expect("NaN bits differ");
    assert!(d.nan_payload_only, "{}", d.description);

    let mut other_memory = base.clone();
    other_memory[3] = Event::FinalMemory(vec![(
        "m".into(),
        [0u8; 15].into_iter().chain([9]).collect(),
    )]);
    let d = compare::first_difference(&base, &other_memory, names).expect("memory differs");
    assert!(d.description.contains("first at 0xf"), "{}", d.description);

    let shorter = &base[..2];
    assert!(compare::first_difference(&base, shorter, names).is_some());
}
