//! Differential test (issue 5): random valid modules run on the interpreter and on each tier
//! under test (the JIT, and `Tier::Auto` with threshold 1, "auto1") must agree.
//!
//! For each seed, wasm-smith generates a valid module inside wrun's feature set (wasm 2.0,
//! SIMD on about a third of the seeds, exception handling on 30%, extended constants and tail
//! calls on half the seeds each, at most one memory, bounded sizes), instrumented with fuel so
//! every call
//! terminates, with every item exported; every fourth seed instead gets a module from
//! `differential/shapes.rs` (more live values than registers, deep loop nests, values across
//! calls and merges: what a register-allocating tier gets wrong). Each tier loads it, instantiates it against
//! deterministic dummy imports, and calls every exported function in order with arguments
//! derived from the seed. Load and instantiation results, every call's results or trap, and the
//! globals, tables and memory hashes after every call, then the full memories, must be equal.
//! Three seeds in four also run with store fuel (`Config::consume_fuel`, a budget the seed
//! picks, often small enough to run out mid-way: `execute::fuel_budget`), and the fuel left
//! after every call is compared too: every tier must charge the same and stop at the same point.
//! Floats compare by bits (NaN payloads included). A panic on either tier, or a module either
//! tier rejects, is a failure too (robustness).
//!
//! Environment:
//! - `WRUN_DIFF_MODULES` (default 500): how many seeds; `WRUN_DIFF_START` (default 0): first seed.
//! - `WRUN_DIFF_TIER=B1,B2,...` (default `jit,auto1`): the tiers compared with the interpreter,
//!   each on every seed: `jit`, `auto` (default threshold), `auto<N>` (threshold N), `interp`.
//! - `WRUN_DIFF_SEED=N`: run only seed N and print every tier's full event list.
//! - `WRUN_DIFF_FILE=PATH` (with `WRUN_DIFF_SEED`): run that `.wasm`/`.wat` file instead of the
//!   seed's module (the seed still picks the arguments): for minimizing by hand.
//! - `WRUN_DIFF_TRACE=1`: print each load and call to stderr before it happens (to locate a
//!   crash).
//! - `WRUN_DIFF_BACKTRACES=1`: traps compare their backtraces (function indices) too.
//! - `WRUN_DIFF_THREADS` (default 1): worker threads. (Several threads with
//!   `WRUN_DIFF_BACKTRACES` found the JIT's trap-registry race, now guarded by
//!   `tests/tier.rs`: a difference that does not reproduce alone may be another race.)
//! - `WRUN_DIFF_OUT`: where failing modules are written (default `<target>/tmp/differential`).
//! - `WRUN_DIFF_SKIP=S1,S2,...`: seeds not to run (`scripts/fuzz.sh` skips seeds that crashed).
//!   The (tier, seed) pairs of `KNOWN_FAILURES` are skipped too (listed after the summary)
//!   unless `WRUN_DIFF_KNOWN=run`.
//! - `WRUN_DIFF_PROGRESS=FILE`: write `SEED TIER` to FILE before running each seed on each tier,
//!   so a crash (signal) can be attributed (`scripts/fuzz.sh` uses it).

#[path = "differential/compare.rs"]
mod compare;
#[path = "differential/execute.rs"]
mod execute;
#[path = "differential/generate.rs"]
mod generate;
#[path = "differential/shapes.rs"]
mod shapes;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use execute::{Event, TIER_A, TIERS_B, TierSetup};
use wrun::tier::TierStats;

/// (tier, seed) pairs the tier is known to fail on, with why. They are skipped, and listed
/// after the summary, so that this test keeps guarding every other seed while the bug is open;
/// each entry names a real bug (see `WRUN_DIFF_SEED=N WRUN_DIFF_TIER=TIER` to reproduce).
/// Remove an entry once it passes. `WRUN_DIFF_KNOWN=run` runs them anyway.
const KNOWN_FAILURES: &[(&str, u64, &str)] = &[];

/// Hand-written or minimized modules in `differential/regressions/` that a tier is known to
/// get wrong (tier, file name, why); run anyway with `WRUN_DIFF_KNOWN=run`. Empty: the one found
/// so far (`br_if_return_keeps_local.wat`, a not-taken conditional return) is fixed and guarded.
const KNOWN_REGRESSION_FAILURES: &[(&str, &str, &str)] = &[];

fn run_known_failures() -> bool {
    std::env::var("WRUN_DIFF_KNOWN").is_ok_and(|v| v == "run")
}

/// Why `tier` is known to fail on `seed`, unless known failures are run anyway.
fn known_failure(tier: TierSetup, seed: u64) -> Option<&'static str> {
    if tier == TIER_A || run_known_failures() {
        return None;
    }
    let name = tier.name();
    KNOWN_FAILURES
        .iter()
        .find(|(t, s, _)| *t == name && *s == seed)
        .map(|(_, _, why)| *why)
}

/// The tiers compared with [`TIER_A`]: `WRUN_DIFF_TIER`, or [`TIERS_B`].
fn tiers_b() -> Vec<TierSetup> {
    match std::env::var("WRUN_DIFF_TIER") {
        Ok(list) => list
            .split(',')
            .filter(|name| !name.trim().is_empty())
            .map(|name| {
                TierSetup::parse(name).unwrap_or_else(|| {
                    panic!("WRUN_DIFF_TIER: unknown tier {name:?} (interp, jit, auto, autoN)")
                })
            })
            .collect(),
        Err(_) => TIERS_B.to_vec(),
    }
}

fn tier_list(tiers: &[TierSetup]) -> String {
    tiers
        .iter()
        .map(TierSetup::name)
        .collect::<Vec<_>>()
        .join(", ")
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

/// One tier's failure on one seed.
struct Failure {
    seed: u64,
    tier: String,
    /// Why (difference, panic, rejected module, harness error), with how to reproduce.
    description: String,
    nan_payload_only: bool,
}

/// What checking one seed found.
struct SeedReport {
    /// Exported functions run (phase 1 of `execute::run`).
    exports_called: usize,
    /// Calls made per tier (each export runs twice: shared instance, then a fresh one).
    calls: usize,
    /// How tier A's calls ended ("returned", or the trap code), for the coverage summary.
    call_endings: Vec<String>,
    /// At most one per tier under test.
    failures: Vec<Failure>,
    /// Tiers skipped on this seed as known failures.
    known_skipped: Vec<String>,
    /// Per tier run (tier A first): what tiered up.
    tier_stats: Vec<(String, TierStats)>,
}

/// Per tier, over all seeds: modules in which something was compiled, functions compiled,
/// functions entered by OSR and OSR entries. Shows that `auto` modes really cross tiers.
#[derive(Default)]
struct TieringTotals {
    modules_compiled: u64,
    functions_compiled: u64,
    osr_functions: u64,
    osr_entries: u64,
}

impl TieringTotals {
    fn add(&mut self, stats: &TierStats) {
        self.modules_compiled += u64::from(stats.compiled > 0);
        self.functions_compiled += stats.compiled as u64;
        self.osr_functions += stats.osr_functions as u64;
        self.osr_entries += stats.osr_entries;
    }
}

/// Names of tier A and `b` for messages (told apart when they are the same tier).
fn tier_names(b: TierSetup) -> (String, String) {
    let a = TIER_A.name();
    let b = b.name();
    if a == b {
        (format!("{a}(A)"), format!("{b}(B)"))
    } else {
        (a, b)
    }
}

/// The first problem of `b` against `a`: either run's own problem, or their first difference
/// (with whether it is only NaN payloads).
fn compare_runs(
    a: &execute::Outcome,
    b: &execute::Outcome,
    tier_b: TierSetup,
) -> Option<(String, bool)> {
    let (name_a, name_b) = tier_names(tier_b);
    if let Some(problem) = compare::own_problem(&a.events, &name_a)
        .or_else(|| compare::own_problem(&b.events, &name_b))
    {
        return Some((problem, false));
    }
    compare::first_difference(&a.events, &b.events, (&name_a, &name_b))
        .map(|d| (d.description, d.nan_payload_only))
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

fn print_events(name: &str, outcome: &execute::Outcome) {
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

/// Every fourth seed: a module of the shapes of `shapes` (spilling, deep loop nests, values
/// across calls and merges); the others: wasm-smith's (`generate`).
fn module_for_seed(seed: u64) -> anyhow::Result<generate::Generated> {
    if seed % 4 == 3 {
        shapes::module(&mut generate::Rng::new(seed))
            .map_err(|e| anyhow::anyhow!("seed {seed}: {e}"))
    } else {
        generate::module_for_seed(seed)
    }
}

/// Runs `seed`'s module on tier A and on each of `tiers` (except known failures).
fn check_seed(
    seed: u64,
    tiers: &[TierSetup],
    progress: Option<&std::path::Path>,
    verbose: bool,
) -> SeedReport {
    let generated = match std::env::var_os("WRUN_DIFF_FILE") {
        Some(path) => read_module_file(&PathBuf::from(path)),
        None => module_for_seed(seed),
    };
    let generated = match generated {
        Ok(g) => g,
        Err(e) => {
            return SeedReport {
                exports_called: 0,
                calls: 0,
                call_endings: Vec::new(),
                failures: vec![Failure {
                    seed,
                    tier: TIER_A.name(),
                    description: format!("seed {seed}: harness: {e}"),
                    nan_payload_only: false,
                }],
                known_skipped: Vec::new(),
                tier_stats: Vec::new(),
            };
        }
    };
    if verbose {
        // Saved before running, so a crash of the process still leaves the module behind.
        eprintln!("{}", save_module(seed, &generated.wasm));
        println!(
            "seed {seed}: {} bytes, {}, store fuel {:?}",
            generated.wasm.len(),
            generated.knobs,
            execute::fuel_budget(seed)
        );
    }
    let record_progress = |tier: TierSetup| {
        if let Some(path) = progress {
            // Only read after a crash; a failed write just loses that attribution.
            let _ = std::fs::write(path, format!("{seed} {}\n", tier.name()));
        }
    };
    record_progress(TIER_A);
    let a = execute::run(TIER_A, &generated.wasm, seed);
    if verbose {
        print_events(&tier_names(TIER_A).0, &a);
    }
    let mut report = SeedReport {
        exports_called: a.exports_called,
        calls: a.calls,
        call_endings: a
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Call { result, .. } => Some(match result {
                    Ok(_) => "returned".to_string(),
                    Err(trap) => trap.split(':').next().unwrap_or(trap).to_string(),
                }),
                _ => None,
            })
            .collect(),
        failures: Vec::new(),
        known_skipped: Vec::new(),
        tier_stats: vec![(TIER_A.name(), a.tier_stats.clone())],
    };
    let mut saved = None;
    for &tier in tiers {
        if known_failure(tier, seed).is_some() {
            report.known_skipped.push(tier.name());
            continue;
        }
        record_progress(tier);
        let b = execute::run(tier, &generated.wasm, seed);
        if verbose {
            print_events(&tier_names(tier).1, &b);
        }
        report.tier_stats.push((tier.name(), b.tier_stats.clone()));
        report.exports_called = report.exports_called.max(b.exports_called);
        report.calls = report.calls.max(b.calls);
        let Some((why, nan_payload_only)) = compare_runs(&a, &b, tier) else {
            continue;
        };
        let saved = saved.get_or_insert_with(|| save_module(seed, &generated.wasm));
        let name = tier.name();
        report.failures.push(Failure {
            seed,
            description: format!(
                "seed {seed} on {name} [{}]: {why}\n    {saved}; reproduce: WRUN_DIFF_SEED={seed} WRUN_DIFF_TIER={name} cargo test --test differential -- --nocapture",
                generated.knobs
            ),
            tier: name,
            nan_payload_only,
        });
    }
    report
}

#[test]
fn tiers_agree_on_generated_modules() {
    let tiers = tiers_b();
    if let Ok(seed) = std::env::var("WRUN_DIFF_SEED") {
        let seed: u64 = seed.trim().parse().expect("WRUN_DIFF_SEED is a number");
        let report = on_big_stack(move || check_seed(seed, &tiers, None, true));
        if let Some(failure) = report.failures.first() {
            panic!("{}", failure.description);
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
    let failures: Mutex<Vec<Failure>> = Mutex::new(Vec::new());
    let known_skipped: Mutex<Vec<(u64, String)>> = Mutex::new(Vec::new());
    let endings: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());
    let tiering: Mutex<BTreeMap<String, TieringTotals>> = Mutex::new(BTreeMap::new());
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
                    let report = check_seed(seed, &tiers, progress.as_deref(), false);
                    modules.fetch_add(1, Ordering::Relaxed);
                    exports.fetch_add(report.exports_called as u64, Ordering::Relaxed);
                    calls.fetch_add(report.calls as u64, Ordering::Relaxed);
                    let mut counts = endings.lock().unwrap_or_else(|e| e.into_inner());
                    for ending in report.call_endings {
                        *counts.entry(ending).or_default() += 1;
                    }
                    drop(counts);
                    let mut totals = tiering.lock().unwrap_or_else(|e| e.into_inner());
                    for (tier, stats) in &report.tier_stats {
                        totals.entry(tier.clone()).or_default().add(stats);
                    }
                    drop(totals);
                    known_skipped
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend(report.known_skipped.into_iter().map(|tier| (seed, tier)));
                    for failure in report.failures {
                        println!("DIFFERENCE {}", failure.description);
                        failures
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(failure);
                    }
                }
            });
            spawned.expect("spawning a worker thread");
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    failures.sort_by(|x, y| (x.seed, &x.tier).cmp(&(y.seed, &y.tier)));
    let nan_only = failures.iter().filter(|f| f.nan_payload_only).count();
    let per_tier: Vec<String> = tiers
        .iter()
        .map(|tier| {
            let name = tier.name();
            let n = failures.iter().filter(|f| f.tier == name).count();
            format!("{name} {n}")
        })
        .collect();
    println!(
        "{} modules, {} exports run ({} calls), {} differences ({nan_only} NaN-payload-only); tiers {} vs {} (differences: {}), seeds {start}..{}, {:.1} s",
        modules.load(Ordering::Relaxed),
        exports.load(Ordering::Relaxed),
        calls.load(Ordering::Relaxed),
        failures.len(),
        TIER_A.name(),
        tier_list(&tiers),
        per_tier.join(", "),
        start + count,
        started.elapsed().as_secs_f64()
    );
    let endings = endings.into_inner().unwrap_or_else(|e| e.into_inner());
    let endings: Vec<String> = endings.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("calls on {}: {}", TIER_A.name(), endings.join(", "));
    let tiering = tiering.into_inner().unwrap_or_else(|e| e.into_inner());
    for tier in &tiers {
        let name = tier.name();
        if tier.tier == wrun::Tier::Auto
            && let Some(t) = tiering.get(&name)
        {
            println!(
                "tier-ups on {name}: {} modules compiled something, {} functions compiled, {} entered by OSR ({} OSR entries)",
                t.modules_compiled, t.functions_compiled, t.osr_functions, t.osr_entries
            );
        }
    }
    let mut known_skipped = known_skipped
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    known_skipped.sort();
    if !known_skipped.is_empty() {
        let known: Vec<String> = known_skipped
            .iter()
            .filter_map(|(seed, tier)| {
                let why = KNOWN_FAILURES
                    .iter()
                    .find(|(t, s, _)| t == tier && s == seed)?
                    .2;
                Some(format!("{seed} on {tier} ({why})"))
            })
            .collect();
        println!("KNOWN FAILURES skipped: {}", known.join("; "));
    }
    if !failures.is_empty() {
        let seeds: Vec<String> = failures
            .iter()
            .map(|f| format!("{} ({})", f.seed, f.tier))
            .collect();
        panic!(
            "{} differences on {count} seeds: {}\nfirst: {}",
            failures.len(),
            seeds.join(" "),
            failures[0].description
        );
    }
}

/// Every module in `tests/differential/regressions/` (minimized past differences, `.wat`) must
/// agree on the interpreter and every tier under test, with the arguments of seed 0.
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
    let tiers = tiers_b();
    let mut failures = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let wasm = read_module_file(&path)
            .expect("regression modules parse")
            .wasm;
        let a = on_big_stack({
            let wasm = wasm.clone();
            move || execute::run(TIER_A, &wasm, 0)
        });
        for &tier in &tiers {
            let tier_name = tier.name();
            if let Some((_, _, why)) = KNOWN_REGRESSION_FAILURES
                .iter()
                .find(|(t, file, _)| *t == tier_name && *file == name)
                && tier != TIER_A
                && !run_known_failures()
            {
                println!("KNOWN FAILURE skipped: {name} on {tier_name} ({why})");
                continue;
            }
            let b = on_big_stack({
                let wasm = wasm.clone();
                move || execute::run(tier, &wasm, 0)
            });
            if let Some((why, _)) = compare_runs(&a, &b, tier) {
                failures.push(format!("{name} on {tier_name}: {why}"));
            }
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

    for name in ["interp", "jit", "auto", "auto1", "auto37"] {
        let setup = TierSetup::parse(name).expect("a tier name");
        assert_eq!(setup.name(), name);
    }
    assert_eq!(TierSetup::parse("auto1"), Some(TierSetup::AUTO1));
    assert_eq!(TierSetup::parse("autox"), None);

    use execute::{State, Value};
    let state = State {
        memories: vec![("m".into(), 65536, 1)],
        globals: vec![("g".into(), Value::F32(0x7fc0_0000))],
        tables: vec![],
        fuel: Some(10),
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
