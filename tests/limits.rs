//! The limits a run of untrusted code is held to, through the `wrun` binary on every tier
//! (interp, jit, auto with `--jit-threshold 1`, and from an AOT sidecar): the one recursion
//! limit (ARCHITECTURE.md "Stack limits") and `--max-wasm-stack`.

mod common;
use common::Scratch;

use std::path::{Path, PathBuf};
use std::process::Output;

/// Exit status of a run that trapped (128 + SIGABRT, as wasmtime).
const TRAP_STATUS: i32 = 134;

impl Scratch {
    /// Writes a module given as wasm text, as a binary, and its sidecar (`NAME.wrun`).
    fn module(&self, name: &str, wat: &str) -> PathBuf {
        let path = self.file(name);
        std::fs::write(&path, wat::parse_str(wat).expect("test module parses")).unwrap();
        let compiled = common::wrun_cli()
            .arg("compile")
            .arg(&path)
            .output()
            .unwrap();
        assert!(compiled.status.success(), "{}", text(&compiled.stderr));
        path
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The ways to run a module: each tier (auto compiling at the second call or first loop, so
/// frames of both tiers mix), and from the sidecar beside the module.
const MODES: [&str; 4] = ["interp", "jit", "auto1", "aot"];

/// `wrun [mode flags] [flags] --invoke EXPORT MODULE ARGS`.
fn run(mode: &str, module: &Path, flags: &[&str], export: &str, args: &[&str]) -> Output {
    let mut command = common::wrun_cli();
    match mode {
        "interp" | "jit" => command.args(["--no-aot", "--tier", mode]),
        "auto1" => command.args(["--no-aot", "--tier", "auto", "--jit-threshold", "1"]),
        "aot" => command.arg("--stats"),
        other => panic!("unknown mode {other}"),
    };
    let output = command
        .args(flags)
        .args(["--invoke", export])
        .arg(module)
        .args(args)
        .output()
        .unwrap();
    if mode == "aot" {
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains("sidecar:               used"),
            "the sidecar is not used: {stderr}"
        );
    }
    output
}

/// Asserts that `export(n)` returns `expected` on every tier, and `export(n + 1)` traps with
/// "call stack exhausted".
fn assert_limit(module: &Path, flags: &[&str], export: &str, n: u64, expected: &str) {
    for mode in MODES {
        let ok = run(mode, module, flags, export, &[&n.to_string()]);
        assert_eq!(
            ok.status.code(),
            Some(0),
            "{mode} {flags:?}: {export}({n}) should complete: {}",
            text(&ok.stderr)
        );
        assert_eq!(text(&ok.stdout).trim(), expected, "{mode} {flags:?}");
        let over = run(mode, module, flags, export, &[&(n + 1).to_string()]);
        let stderr = text(&over.stderr);
        assert_eq!(
            over.status.code(),
            Some(TRAP_STATUS),
            "{mode} {flags:?}: {export}({}) should trap: {stderr}",
            n + 1
        );
        assert!(exhausted(&stderr), "{mode} {flags:?}: {stderr}");
    }
}

/// Whether `stderr` reports the trap "call stack exhausted" (after `--stats`, if given).
fn exhausted(stderr: &str) -> bool {
    stderr
        .lines()
        .any(|line| line == "wasm trap: call stack exhausted")
}

/// `$rec(n)` recurses `n` times (n + 1 frames) and returns `n`; `LOCALS` declared locals.
fn recursion(locals: usize) -> String {
    let locals = if locals == 0 {
        String::new()
    } else {
        format!("(local {})", vec!["i64"; locals].join(" "))
    };
    format!(
        r#"(module
             (func $rec (export "rec") (param i32) (result i32) {locals}
               (if (result i32) (i32.eqz (local.get 0))
                 (then (i32.const 0))
                 (else (i32.add (call $rec (i32.sub (local.get 0) (i32.const 1)))
                                (i32.const 1))))))"#
    )
}

#[test]
fn a_recursion_to_the_depth_limit_completes_and_one_frame_more_traps_on_every_tier() {
    let scratch = Scratch::new("limits", "depth");
    let module = scratch.module("rec.wasm", &recursion(0));
    // The default: one frame per MIN_FRAME_BYTES of the 8 MiB wasm stack.
    let limit = wrun::DEFAULT_MAX_CALL_DEPTH;
    assert_eq!(limit, 131_072);
    assert_limit(&module, &[], "rec", limit - 1, &(limit - 1).to_string());
    // `--max-wasm-stack` sets it: 1 MiB is 16,384 frames.
    let limit = (1 << 20) / wrun::MIN_FRAME_BYTES as u64;
    let flags = ["--max-wasm-stack", "1m"];
    assert_limit(&module, &flags, "rec", limit - 1, &(limit - 1).to_string());
}

#[test]
fn frames_with_many_locals_run_out_of_value_stack_at_the_same_depth_on_every_tier() {
    const LOCALS: u64 = 100;
    let scratch = Scratch::new("limits", "locals");
    let module = scratch.module("big.wasm", &recursion(LOCALS as usize));
    // Each frame: the parameter and the locals (`nl` slots), then 2 operand slots and one
    // more (the frame layout of both tiers); a callee's frame starts at its arguments, at
    // operand height 0 of its caller's: n + 1 frames need n * nl + nl + 3 slots.
    let nl = LOCALS + 1;
    for (bytes, flag) in [(8u64 << 20, None), (256 << 10, Some("256k"))] {
        let slots = bytes / 8;
        let n = (slots - nl - 3) / nl;
        assert!(
            n + 1 < bytes / wrun::MIN_FRAME_BYTES as u64,
            "the value stack runs out first"
        );
        let flags: Vec<&str> = flag
            .map(|f| vec!["--max-wasm-stack", f])
            .unwrap_or_default();
        assert_limit(&module, &flags, "rec", n, &n.to_string());
    }
}

#[test]
fn a_mutual_recursion_between_an_interpreted_and_a_compiled_function_has_the_same_limit() {
    // `warm` makes $a hot (compiled by the auto tier at its 100,001st call) while $b, called
    // fewer times by the recursion, stays interpreted: every frame of the recursion crosses
    // tiers. `run` itself is entered by OSR (its loop gets hot).
    let scratch = Scratch::new("limits", "mutual");
    let module = scratch.module(
        "mutual.wasm",
        r#"(module
             (func $a (param i32) (result i32)
               (if (result i32) (i32.eqz (local.get 0))
                 (then (i32.const 0))
                 (else (i32.add (call $b (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
             (func $b (param i32) (result i32)
               (if (result i32) (i32.eqz (local.get 0))
                 (then (i32.const 0))
                 (else (i32.add (call $a (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
             (func (export "run") (param $n i32) (result i32)
               (local $i i32)
               (loop $warm
                 (drop (call $a (i32.const 0)))
                 (local.set $i (i32.add (local.get $i) (i32.const 1)))
                 (br_if $warm (i32.lt_u (local.get $i) (i32.const 100001))))
               (call $a (local.get $n))))"#,
    );
    let limit = wrun::DEFAULT_MAX_CALL_DEPTH;
    // `run` and n + 1 frames of $a and $b.
    let n = limit - 2;
    let mixed = [
        "--no-aot",
        "--tier",
        "auto",
        "--jit-threshold",
        "100000",
        "--stats",
    ];
    let ok = run_plain(&module, &mixed, &n.to_string());
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert_eq!(text(&ok.stdout).trim(), n.to_string());
    let stats = text(&ok.stderr);
    assert!(
        stats.contains("functions compiled:    2"),
        "$b stays interpreted: {stats}"
    );
    let over = run_plain(&module, &mixed, &(n + 1).to_string());
    assert_eq!(over.status.code(), Some(TRAP_STATUS));
    assert!(exhausted(&text(&over.stderr)), "{}", text(&over.stderr));
    // And the same on every other tier.
    assert_limit(&module, &[], "run", n, &n.to_string());
}

/// `wrun FLAGS --invoke run MODULE ARG`.
fn run_plain(module: &Path, flags: &[&str], arg: &str) -> Output {
    common::wrun_cli()
        .args(flags)
        .args(["--invoke", "run"])
        .arg(module)
        .arg(arg)
        .output()
        .unwrap()
}

#[test]
fn max_wasm_stack_rejects_what_is_not_a_size() {
    for bad in ["0", "63", "2g", "lots", "1t"] {
        let output = common::wrun_cli()
            .args(["--max-wasm-stack", bad, "x.wasm"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(text(&output.stderr).contains("--max-wasm-stack"), "{bad}");
    }
}

/// `wrun [mode flags] --timeout TIMEOUT MODULE`, and how long it took. In "aot" mode the
/// sidecar beside the module is refused (its code has no epoch checks) with a warning.
fn run_with_timeout(mode: &str, module: &Path, timeout: &str) -> (Output, std::time::Duration) {
    let mut command = common::wrun_cli();
    match mode {
        "interp" | "jit" => command.args(["--no-aot", "--tier", mode]),
        "auto1" => command.args(["--no-aot", "--tier", "auto", "--jit-threshold", "1"]),
        "auto" => command.args(["--no-aot", "--tier", "auto", "--stats"]),
        "aot" => &mut command,
        other => panic!("unknown mode {other}"),
    };
    let started = std::time::Instant::now();
    let output = command
        .args(["--timeout", timeout])
        .arg(module)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    if mode == "aot" {
        let stderr = text(&output.stderr);
        assert!(
            stderr.starts_with("warning: ignoring sidecar")
                && stderr.contains("compiled without epoch interruption checks"),
            "{stderr}"
        );
    }
    (output, elapsed)
}

/// Asserts that the run was interrupted: status 134 and the trap "interrupt".
fn assert_interrupted(mode: &str, output: &Output) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(TRAP_STATUS), "{mode}: {stderr}");
    assert!(
        stderr.lines().any(|line| line == "wasm trap: interrupt"),
        "{mode}: {stderr}"
    );
}

#[test]
fn an_endless_loop_is_interrupted_by_timeout_on_every_tier() {
    let scratch = Scratch::new("limits", "timeout-loop");
    let module = scratch.module(
        "spin.wasm",
        r#"(module (func (export "_start") (loop $forever (br $forever))))"#,
    );
    for mode in MODES {
        let (output, elapsed) = run_with_timeout(mode, &module, "100ms");
        assert_interrupted(mode, &output);
        assert!(elapsed.as_millis() < 300, "{mode}: took {elapsed:?}");
    }
    // An endless recursion without loops (a call tree): the checks at function entries.
    let module = scratch.module(
        "tree.wasm",
        r#"(module
             (func $tree (param i32)
               (if (i32.eqz (local.get 0)) (then (return)))
               (call $tree (i32.sub (local.get 0) (i32.const 1)))
               (call $tree (i32.sub (local.get 0) (i32.const 1))))
             (func (export "_start") (call $tree (i32.const 200))))"#,
    );
    for mode in MODES {
        let (output, elapsed) = run_with_timeout(mode, &module, "100ms");
        assert_interrupted(mode, &output);
        assert!(elapsed.as_millis() < 300, "{mode}: took {elapsed:?}");
    }
}

#[test]
fn a_loop_entered_by_osr_is_interrupted() {
    // The auto tier's default threshold: the loop starts interpreted and continues compiled.
    let scratch = Scratch::new("limits", "timeout-osr");
    let module = scratch.module(
        "count.wasm",
        r#"(module
             (func (export "_start") (local $i i32)
               (loop $forever
                 (local.set $i (i32.add (local.get $i) (i32.const 1)))
                 (br $forever))))"#,
    );
    let (output, elapsed) = run_with_timeout("auto", &module, "100ms");
    assert_interrupted("auto", &output);
    assert!(elapsed.as_millis() < 300, "took {elapsed:?}");
    assert!(
        text(&output.stderr).contains("entered by OSR:        1 function(s)"),
        "{}",
        text(&output.stderr)
    );
}

/// A module that calls WASI `poll_oneoff` to sleep 300 ms, `ROUNDS` times in a loop.
fn sleeper(rounds: u32) -> String {
    format!(
        r#"(module
             (import "wasi_snapshot_preview1" "poll_oneoff"
               (func $poll (param i32 i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             ;; One relative clock subscription (monotonic) of 300 ms at 0; the event at 64.
             (data (i32.const 16) "\01")
             (data (i32.const 24) "\00\a3\e1\11\00\00\00\00")
             (func (export "_start") (local $i i32)
               (loop $rounds
                 (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
                 (local.set $i (i32.add (local.get $i) (i32.const 1)))
                 (br_if $rounds (i32.lt_u (local.get $i) (i32.const {rounds}))))))"#
    )
}

#[test]
fn a_deadline_passing_during_a_host_call_interrupts_right_after_it_returns() {
    let scratch = Scratch::new("limits", "timeout-host");
    let module = scratch.module("sleep.wasm", &sleeper(1000));
    for mode in MODES {
        // The deadline passes 100 ms into the first 300 ms sleep; the loop header after it
        // traps.
        let (output, elapsed) = run_with_timeout(mode, &module, "100ms");
        assert_interrupted(mode, &output);
        let ms = elapsed.as_millis();
        assert!((300..500).contains(&ms), "{mode}: took {elapsed:?}");
    }
}

#[test]
fn a_run_that_ends_before_its_deadline_is_unaffected() {
    let scratch = Scratch::new("limits", "timeout-none");
    let module = scratch.module("sleep.wasm", &sleeper(1));
    for mode in MODES {
        let (output, elapsed) = run_with_timeout(mode, &module, "10s");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{mode}: {}",
            text(&output.stderr)
        );
        assert!(elapsed.as_millis() < 2000, "{mode}: took {elapsed:?}");
    }
}

#[test]
fn timeout_rejects_what_is_not_a_duration() {
    for bad in ["soon", "10 parsecs", "1e400s", "5 fortnights"] {
        let output = common::wrun_cli()
            .args(["--timeout", bad, "x.wasm"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(text(&output.stderr).contains("--timeout"), "{bad}");
    }
}

/// The embedding API of deadlines (wasmtime's): `Config::epoch_interruption`,
/// `Store::set_epoch_deadline`, `Engine::increment_epoch` from another thread; a typed host
/// function that sleeps past the deadline, called in a loop: the trap comes when it returns.
#[test]
fn the_epoch_api_interrupts_a_store_on_every_tier() {
    use wrun::{Config, Engine, Extern, Func, Linker, Module, Store, Tier, TrapCode};
    let wasm = wat::parse_str(
        r#"(module
             (import "host" "nap" (func $nap))
             (func (export "spin") (loop $forever (br $forever)))
             (func (export "naps") (loop $forever (call $nap) (br $forever)))
             (func (export "quick") (result i32) (i32.const 7)))"#,
    )
    .unwrap();
    for (tier, threshold) in [
        (Tier::Interp, 1),
        (Tier::Jit, 1),
        (Tier::Auto, 1),
        (Tier::Auto, 1000),
    ] {
        let engine = Engine::new(Config {
            tier,
            jit_threshold: threshold,
            epoch_interruption: true,
            ..Config::default()
        });
        let module = Module::new(&engine, &wasm).unwrap();
        for export in ["spin", "naps"] {
            let mut store = Store::new(&engine);
            let naps = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
            let counter = naps.clone();
            let nap = Func::wrap(&mut store, move || {
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(300));
            });
            let mut linker = Linker::new();
            linker.define("host", "nap", Extern::Func(nap));
            let instance = linker.instantiate(&mut store, &module).unwrap();
            // No deadline: a call runs to its end.
            let quick = instance.get_func(&store, "quick").unwrap();
            assert_eq!(quick.call(&mut store, &[]).unwrap().len(), 1);
            store.set_epoch_deadline(1);
            let timer = {
                let engine = engine.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    engine.increment_epoch();
                })
            };
            let func = instance.get_func(&store, export).unwrap();
            let trap = func
                .call(&mut store, &[])
                .expect_err("interrupted")
                .into_trap()
                .expect("a trap");
            assert_eq!(trap.code, TrapCode::Interrupt, "{tier:?} {export}");
            timer.join().unwrap();
            if export == "naps" {
                // The deadline passed during the first nap; nothing ran after it returned.
                assert_eq!(
                    naps.load(std::sync::atomic::Ordering::Relaxed),
                    1,
                    "{tier:?}"
                );
            }
        }
    }
}
