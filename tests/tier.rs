//! The tier manager (`Tier::Auto`, `src/tier.rs`) seen from outside: through the embedding API
//! (`Config { tier, jit_threshold }`, `Module::tier_stats`) and the `wrun` binary (`--tier`,
//! `--jit-threshold`, `--stats`).
//!
//! Each test runs a hand-written module whose shape decides exactly when functions tier up
//! (threshold `N`: compiled at the `N+1`-th call, or once the function's loop headers ran `N`
//! times in total, then entered there by OSR), checks the results against the interpreter and
//! the JIT (and against a Rust model where one is short), and checks from the statistics that
//! the tier-up it is about did happen. Nothing is inferred from timing.

mod common;
use common::Scratch;

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::rc::Rc;

use wrun::tier::{DEFAULT_JIT_THRESHOLD, TierStats};
use wrun::{
    Config, Engine, Extern, FrameInfo, Func, FuncType, Instance, Linker, Module, Store, Tier, Trap,
    TrapCode, Val, ValType,
};

/// What a call of an export returned.
type CallResult = Result<Vec<Val>, Trap>;

/// One way to run a module: a tier and, for `Tier::Auto`, its threshold.
#[derive(Clone, Copy, Debug)]
struct Setup {
    tier: Tier,
    jit_threshold: u32,
}

const INTERP: Setup = Setup {
    tier: Tier::Interp,
    jit_threshold: DEFAULT_JIT_THRESHOLD,
};

const JIT: Setup = Setup {
    tier: Tier::Jit,
    jit_threshold: DEFAULT_JIT_THRESHOLD,
};

const fn auto(jit_threshold: u32) -> Setup {
    Setup {
        tier: Tier::Auto,
        jit_threshold,
    }
}

/// A module instantiated in its own store.
struct Loaded {
    store: Store,
    module: Module,
    instance: Instance,
}

impl Loaded {
    /// Instantiates `wat` on `setup`; `define` adds the host imports to the linker.
    fn with_imports(setup: Setup, wat: &str, define: impl FnOnce(&mut Store, &mut Linker)) -> Self {
        let engine = Engine::new(Config {
            tier: setup.tier,
            jit_threshold: setup.jit_threshold,
            ..Config::default()
        });
        let wasm = wat::parse_str(wat).expect("test module parses");
        let module = Module::new(&engine, &wasm).expect("test module is valid");
        let mut store = Store::new(&engine);
        let mut linker = Linker::new();
        define(&mut store, &mut linker);
        let instance = linker
            .instantiate(&mut store, &module)
            .expect("test module instantiates");
        Loaded {
            store,
            module,
            instance,
        }
    }

    fn new(setup: Setup, wat: &str) -> Self {
        Loaded::with_imports(setup, wat, |_, _| {})
    }

    fn call(&mut self, export: &str, args: &[Val]) -> CallResult {
        let func = self
            .instance
            .get_func(&self.store, export)
            .unwrap_or_else(|| panic!("no exported function {export:?}"));
        func.call(&mut self.store, args)
            .map_err(|e| e.into_trap().expect("a trap, not an API error"))
    }

    fn stats(&self) -> TierStats {
        self.module.tier_stats()
    }
}

/// Calls `export(args)` on a fresh instance of `wat` (no imports) on `setup`; returns the
/// result and the module's tier statistics afterwards.
fn call_on(setup: Setup, wat: &str, export: &str, args: &[Val]) -> (CallResult, TierStats) {
    let mut loaded = Loaded::new(setup, wat);
    let result = loaded.call(export, args);
    (result, loaded.stats())
}

/// The parts of `TierStats` that say what tiered up (the rest are times and sizes).
#[track_caller]
fn assert_tiering(stats: &TierStats, interpreted: usize, compiled: usize, osr: (usize, u64)) {
    assert_eq!(
        (
            stats.interpreted,
            stats.compiled,
            stats.osr_functions,
            stats.osr_entries
        ),
        (interpreted, compiled, osr.0, osr.1),
        "(interpreted, compiled, OSR functions, OSR entries) in {stats:?}"
    );
}

#[track_caller]
fn expect_trap(result: CallResult) -> Trap {
    match result {
        Ok(values) => panic!("expected a trap, got {values:?}"),
        Err(trap) => trap,
    }
}

/// Function names of a backtrace, innermost first.
fn frame_names(backtrace: &[FrameInfo]) -> Vec<&str> {
    backtrace
        .iter()
        .map(|frame| frame.func_name.as_deref().unwrap_or("?"))
        .collect()
}

/// Module-relative byte offsets of the operators of function `func_index` (imports counted)
/// that `matches` selects, in body order: the offsets backtraces must report.
fn operator_offsets(
    wasm: &[u8],
    func_index: u32,
    matches: impl Fn(&wasmparser::Operator<'_>) -> bool,
) -> Vec<usize> {
    let mut imported_funcs = 0;
    let mut body_index = 0;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.expect("test module parses") {
            wasmparser::Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    let import = import.expect("import parses");
                    if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                        imported_funcs += 1;
                    }
                }
            }
            wasmparser::Payload::CodeSectionEntry(body) => {
                if imported_funcs + body_index == func_index {
                    let mut found = Vec::new();
                    let mut reader = body.get_operators_reader().expect("body parses");
                    while !reader.eof() {
                        let (operator, offset) = reader.read_with_offset().expect("operator");
                        if matches(&operator) {
                            found.push(offset);
                        }
                    }
                    return found;
                }
                body_index += 1;
            }
            _ => {}
        }
    }
    panic!("no function {func_index}")
}

// ---------------------------------------------------------------------------------------------
// The command line.

impl Scratch {
    /// Writes `wat` as `name` (the CLI reads wasm text).
    fn wat(&self, name: &str, wat: &str) -> PathBuf {
        let path = self.file(name);
        std::fs::write(&path, wat).expect("write module");
        path
    }
}

fn wrun(args: &[&str], module: &Path, module_args: &[&str]) -> Output {
    common::wrun_cli()
        .args(args)
        .arg(module)
        .args(module_args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run wrun")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The `--stats` line `name: value` (spaces after the colon trimmed).
fn stats_line<'a>(stderr: &'a str, name: &str) -> &'a str {
    stderr
        .lines()
        .find_map(|line| line.trim_start().strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {name:?} line in stderr: {stderr}"))
}

// ---------------------------------------------------------------------------------------------
// 1. A long loop reaches compiled code by OSR in the default mode.

/// `main(n)`: one loop of `n` iterations, no calls: `acc = acc * 31 + i` in i64.
const LONG_LOOP: &str = r#"
(module
  (func $main (export "main") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    (loop $l
      (local.set $acc
        (i64.add (i64.mul (local.get $acc) (i64.const 31)) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))
"#;

fn long_loop_model(n: u32) -> i64 {
    (0..n.max(1)).fold(0i64, |acc, i| {
        acc.wrapping_mul(31).wrapping_add(i64::from(i))
    })
}

#[test]
fn cli_default_mode_enters_a_long_loop_by_osr() {
    let scratch = Scratch::new("tier", "long-loop");
    let module = scratch.wat("loop.wat", LONG_LOOP);
    let n = "200000";
    let auto = wrun(&["--stats", "--invoke", "main"], &module, &[n]);
    let interp = wrun(&["--tier", "interp", "--invoke", "main"], &module, &[n]);
    assert!(auto.status.success(), "auto: {}", stderr(&auto));
    assert!(interp.status.success(), "interp: {}", stderr(&interp));
    let expected = format!("{}\n", long_loop_model(200_000));
    assert_eq!(stdout(&interp), expected);
    assert_eq!(stdout(&auto), expected);

    let stats = stderr(&auto);
    assert!(stats.contains("(tier auto)"), "{stats}");
    assert_eq!(stats_line(&stats, "functions interpreted"), "1", "{stats}");
    // `1 function(s), B wasm bytes -> C code bytes in T ms`: the one body, translated once.
    let translation: Vec<&str> = stats_line(&stats, "translation").split(' ').collect();
    assert_eq!(
        (translation[0], translation[1], &translation[3..6]),
        ("1", "function(s),", &["wasm", "bytes", "->"][..]),
        "{stats}"
    );
    let body_bytes: u64 = translation[2].parse().expect("wasm bytes");
    let code_bytes: u64 = translation[6].parse().expect("code bytes");
    assert!(body_bytes > 0 && code_bytes > body_bytes, "{stats}");
    assert_eq!(stats_line(&stats, "functions compiled"), "1", "{stats}");
    assert_eq!(
        stats_line(&stats, "entered by OSR"),
        "1 function(s), 1 entry",
        "{stats}"
    );
}

#[test]
fn a_loop_shorter_than_the_default_threshold_stays_interpreted() {
    // The counterpart of the test above: 999 header executions < 1000, no tier-up.
    let n = DEFAULT_JIT_THRESHOLD - 1;
    let (result, stats) = call_on(
        auto(DEFAULT_JIT_THRESHOLD),
        LONG_LOOP,
        "main",
        &[Val::I32(n as i32)],
    );
    assert_eq!(result.unwrap(), vec![Val::I64(long_loop_model(n))]);
    assert_tiering(&stats, 1, 0, (0, 0));
    // One more iteration reaches the threshold.
    let (result, stats) = call_on(
        auto(DEFAULT_JIT_THRESHOLD),
        LONG_LOOP,
        "main",
        &[Val::I32(n as i32 + 1)],
    );
    assert_eq!(result.unwrap(), vec![Val::I64(long_loop_model(n + 1))]);
    assert_tiering(&stats, 1, 1, (1, 1));
}

// ---------------------------------------------------------------------------------------------
// 2. Recursion tiers up midway.

const FIB: &str = r#"
(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else
        (i32.add
          (call $fib (i32.sub (local.get $n) (i32.const 1)))
          (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
"#;

#[test]
fn recursion_tiers_up_midway_with_the_same_result() {
    let args = [Val::I32(20)];
    let (interp, interp_stats) = call_on(INTERP, FIB, "fib", &args);
    let (jit, _) = call_on(JIT, FIB, "fib", &args);
    let (auto10, auto_stats) = call_on(auto(10), FIB, "fib", &args);
    assert_eq!(interp.unwrap(), vec![Val::I32(6765)]);
    assert_eq!(jit.unwrap(), vec![Val::I32(6765)]);
    assert_eq!(auto10.unwrap(), vec![Val::I32(6765)]);
    assert_tiering(&interp_stats, 1, 0, (0, 0));
    // Compiled at its 11th call, with 10 interpreted activations of fib still on the stack.
    assert_tiering(&auto_stats, 1, 1, (0, 0));
}

// ---------------------------------------------------------------------------------------------
// 3. Compiled activations return into an interpreted activation of the same function.

/// `f(n)` = `n + f(n - 1)` (the operand `n` stays on the stack across the call; `f(0)` = 0),
/// then a loop of `max(1, 10 n)` iterations `acc = acc * 3 + i`, and returns `acc`.
const RECURSE_THEN_LOOP: &str = r#"
(module
  (func $f (export "f") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (if (i32.ne (local.get $n) (i32.const 0))
      (then
        (local.set $acc
          (i32.add (local.get $n) (call $f (i32.sub (local.get $n) (i32.const 1)))))))
    (loop $l
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 3)) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.mul (local.get $n) (i32.const 10)))))
    (local.get $acc)))
"#;

fn recurse_then_loop_model(n: u32) -> i32 {
    let mut acc = if n == 0 {
        0
    } else {
        (n as i32).wrapping_add(recurse_then_loop_model(n - 1))
    };
    for i in 0..(10 * n).max(1) {
        acc = acc.wrapping_mul(3).wrapping_add(i as i32);
    }
    acc
}

#[test]
fn compiled_activations_return_into_an_interpreted_one_which_then_enters_by_osr() {
    // Threshold 3, f(6): f(6), f(5), f(4) start interpreted (calls 1 to 3); the 4th call,
    // f(3), compiles f, and f(3)..f(0) run compiled (their loops too) and return into the
    // interpreted f(4). No interpreted loop header ran before that, so f(4) counts 3 headers
    // of its 40-iteration loop and enters the compiled loop by OSR; f(5) and f(6) then enter
    // theirs at their first header: 3 OSR entries into one function.
    let args = [Val::I32(6)];
    let expected = vec![Val::I32(recurse_then_loop_model(6))];
    let (interp, _) = call_on(INTERP, RECURSE_THEN_LOOP, "f", &args);
    let (jit, _) = call_on(JIT, RECURSE_THEN_LOOP, "f", &args);
    let (auto3, stats) = call_on(auto(3), RECURSE_THEN_LOOP, "f", &args);
    assert_eq!(interp.unwrap(), expected);
    assert_eq!(jit.unwrap(), expected);
    assert_eq!(auto3.unwrap(), expected);
    assert_tiering(&stats, 1, 1, (1, 3));
}

#[test]
fn later_calls_of_a_function_compiled_by_osr_run_compiled() {
    // Threshold 1, f(5): f(5) is the 1st call (interpreted), f(4) the 2nd, which compiles f;
    // f(4)..f(0) run compiled and return into the interpreted f(5), whose first loop header
    // enters the compiled loop by OSR. Every later call starts in compiled code: the same
    // instance gives the same results and no new OSR entry happens.
    let mut loaded = Loaded::new(auto(1), RECURSE_THEN_LOOP);
    let first = loaded.call("f", &[Val::I32(5)]).unwrap();
    assert_eq!(first, vec![Val::I32(recurse_then_loop_model(5))]);
    assert_tiering(&loaded.stats(), 1, 1, (1, 1));
    for n in [5, 0, 9] {
        let again = loaded.call("f", &[Val::I32(n)]).unwrap();
        assert_eq!(again, vec![Val::I32(recurse_then_loop_model(n as u32))]);
    }
    assert_tiering(&loaded.stats(), 1, 1, (1, 1));
}

/// `main(n)`: a loop with parameters `(k: i32, acc: i64)`, entered with `(n, 1)` while the
/// operands `1000: i64` and `7: i32` of the enclosing expression wait below it; each
/// iteration `acc = acc * 3 + k`, `k -= 1`, until `k` = 0; returns `1000 + (7 + k) + acc`.
const LOOP_WITH_PARAMS: &str = r#"
(module
  (type $step (func (param i32 i64) (result i32 i64)))
  (func $main (export "main") (param $n i32) (result i64)
    (local $k i32) (local $acc i64)
    i64.const 1000
    i32.const 7
    local.get $n
    i64.const 1
    (loop $l (type $step)
      local.set $acc
      local.set $k
      (local.set $acc
        (i64.add (i64.mul (local.get $acc) (i64.const 3)) (i64.extend_i32_u (local.get $k))))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      local.get $k
      local.get $acc
      local.get $k
      br_if $l)
    local.set $acc
    i32.add
    i64.extend_i32_u
    i64.add
    local.get $acc
    i64.add))
"#;

fn loop_with_params_model(n: u32) -> i64 {
    let (mut k, mut acc) = (n as i32, 1i64);
    loop {
        acc = acc.wrapping_mul(3).wrapping_add(i64::from(k as u32));
        k = k.wrapping_sub(1);
        if k == 0 {
            break;
        }
    }
    1007 + acc
}

#[test]
fn osr_mid_loop_keeps_loop_parameters_and_the_operands_below_the_loop() {
    let args = [Val::I32(20)];
    let expected = vec![Val::I64(loop_with_params_model(20))];
    for setup in [INTERP, JIT, auto(1), auto(3), auto(19)] {
        let (result, stats) = call_on(setup, LOOP_WITH_PARAMS, "main", &args);
        assert_eq!(result.unwrap(), expected, "{setup:?}");
        if setup.tier == Tier::Auto {
            // 20 header executions: every threshold tried enters by OSR, at that iteration.
            assert_tiering(&stats, 1, 1, (1, 1));
        }
    }
}

/// `main(n, m)`: `acc += (i * j) ^ j` over `i` in `0..n` (outer loop) and `j` in `0..m`
/// (inner loop), both do-while.
const NESTED_LOOPS: &str = r#"
(module
  (func $main (export "main") (param $n i32) (param $m i32) (result i32)
    (local $i i32) (local $j i32) (local $acc i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $acc
          (i32.add (local.get $acc)
            (i32.xor (i32.mul (local.get $i) (local.get $j)) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (local.get $m))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))
"#;

fn nested_loops_model(n: u32, m: u32) -> i32 {
    let mut acc = 0i32;
    for i in 0..n.max(1) {
        for j in 0..m.max(1) {
            acc = acc.wrapping_add((i.wrapping_mul(j) ^ j) as i32);
        }
    }
    acc
}

#[test]
fn osr_enters_at_the_inner_loop_with_the_outer_loop_running() {
    // Headers count over all loops of the function: with threshold 5 and m = 8, the outer
    // header (1) and the inner header 4 times reach 5 inside the first inner loop, so the OSR
    // entry is the inner loop's, with the outer loop in progress; the outer header runs
    // compiled from then on. Threshold 1 enters at the outer loop instead.
    let args = [Val::I32(6), Val::I32(8)];
    let expected = vec![Val::I32(nested_loops_model(6, 8))];
    for setup in [INTERP, JIT, auto(1), auto(5), auto(12)] {
        let (result, stats) = call_on(setup, NESTED_LOOPS, "main", &args);
        assert_eq!(result.unwrap(), expected, "{setup:?}");
        if setup.tier == Tier::Auto {
            assert_tiering(&stats, 1, 1, (1, 1));
        }
    }
}

/// `bump(x)` adds `x` to a global and to the word at address 16; returns their sum.
const PER_INSTANCE_STATE: &str = r#"
(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func (export "bump") (param $x i32) (result i32)
    (global.set $g (i32.add (global.get $g) (local.get $x)))
    (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (local.get $x)))
    (i32.add (global.get $g) (i32.load (i32.const 16)))))
"#;

#[test]
fn code_compiled_for_one_instance_runs_on_the_state_of_another() {
    // Compiled code belongs to the module: after instance 1 tiered `bump` up, instances 2
    // (same store) and 3 (another store) run the same code on their own global and memory.
    let engine = Engine::new(Config {
        tier: Tier::Auto,
        jit_threshold: 1,
        ..Config::default()
    });
    let wasm = wat::parse_str(PER_INSTANCE_STATE).unwrap();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine);
    let mut other_store = Store::new(&engine);
    let first = Linker::new().instantiate(&mut store, &module).unwrap();
    let second = Linker::new().instantiate(&mut store, &module).unwrap();
    let third = Linker::new()
        .instantiate(&mut other_store, &module)
        .unwrap();
    let bump = |store: &mut Store, instance: Instance, x: i32| {
        let func = instance.get_func(store, "bump").unwrap();
        func.call(store, &[Val::I32(x)]).unwrap()
    };
    for round in 1..=3 {
        assert_eq!(bump(&mut store, first, 1), vec![Val::I32(2 * round)]);
    }
    assert_eq!(module.tier_stats().compiled, 1);
    assert_eq!(bump(&mut store, second, 10), vec![Val::I32(20)]);
    assert_eq!(bump(&mut other_store, third, 100), vec![Val::I32(200)]);
    assert_eq!(bump(&mut store, first, 1), vec![Val::I32(8)]);
    assert_eq!(bump(&mut store, second, 10), vec![Val::I32(40)]);
    assert_eq!(bump(&mut other_store, third, 100), vec![Val::I32(400)]);
    assert_tiering(&module.tier_stats(), 1, 1, (0, 0));
}

// ---------------------------------------------------------------------------------------------
// 4. Traps in compiled code entered by OSR keep the interpreter's backtrace.

/// `main(n)` = 1 + `g(n)`; `g` loops `i` over `0..n` adding `h(i)`; `h(i)` = 100 / (10 - i),
/// which divides by zero at `i` = 10. Function indices: h 0, g 1, main 2.
const TRAP_IN_CALLEE: &str = r#"
(module
  (func $h (param $i i32) (result i32)
    (i32.div_s (i32.const 100) (i32.sub (i32.const 10) (local.get $i))))
  (func $g (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $h (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func $main (export "main") (param $n i32) (result i32)
    (i32.add (i32.const 1) (call $g (local.get $n)))))
"#;

#[test]
fn trap_in_a_compiled_callee_after_osr_has_the_interpreters_backtrace() {
    let wasm = wat::parse_str(TRAP_IN_CALLEE).unwrap();
    let div = operator_offsets(&wasm, 0, |op| matches!(op, wasmparser::Operator::I32DivS));
    let call_h = operator_offsets(&wasm, 1, |op| {
        matches!(op, wasmparser::Operator::Call { .. })
    });
    let call_g = operator_offsets(&wasm, 2, |op| {
        matches!(op, wasmparser::Operator::Call { .. })
    });
    let expected_offsets = vec![div[0], call_h[0], call_g[0]];

    // Below the trap: same sums on every setup (100/10 + 100/9 + ... + 100/1 for n = 10).
    let sum: i32 = (0..10).map(|i| 100 / (10 - i)).sum();
    for setup in [INTERP, JIT, auto(1), auto(3)] {
        let (result, _) = call_on(setup, TRAP_IN_CALLEE, "main", &[Val::I32(10)]);
        assert_eq!(result.unwrap(), vec![Val::I32(1 + sum)], "{setup:?}");
    }

    let args = [Val::I32(20)];
    let (interp, _) = call_on(INTERP, TRAP_IN_CALLEE, "main", &args);
    let interp = expect_trap(interp);
    assert_eq!(interp.code, TrapCode::IntegerDivideByZero);
    assert_eq!(frame_names(&interp.backtrace), ["h", "g", "main"]);
    let offsets: Vec<usize> = interp.backtrace.iter().map(|f| f.code_offset).collect();
    assert_eq!(offsets, expected_offsets, "interp: {interp}");
    let indices: Vec<u32> = interp.backtrace.iter().map(|f| f.func_index).collect();
    assert_eq!(indices, [0, 1, 2]);

    for setup in [JIT, auto(1), auto(3)] {
        let (result, stats) = call_on(setup, TRAP_IN_CALLEE, "main", &args);
        let trap = expect_trap(result);
        assert_eq!(trap.code, TrapCode::IntegerDivideByZero, "{setup:?}");
        assert_eq!(trap.backtrace, interp.backtrace, "{setup:?}: {trap}");
        if setup.tier == Tier::Auto {
            // g entered by OSR at its loop, h compiled by calls, main interpreted.
            assert_tiering(&stats, 3, 2, (1, 1));
        }
    }
}

/// `main(n)` = 1 + `g(n)`; `g` loops adding `i * i` and hits `unreachable` at `i` = `n`.
const TRAP_IN_LOOP: &str = r#"
(module
  (func $g (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (if (i32.eq (local.get $i) (local.get $n)) (then unreachable))
      (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))
    (local.get $acc))
  (func $main (export "main") (param $n i32) (result i32)
    (i32.add (i32.const 1) (call $g (local.get $n)))))
"#;

#[test]
fn trap_in_the_loop_entered_by_osr_has_the_interpreters_backtrace() {
    let wasm = wat::parse_str(TRAP_IN_LOOP).unwrap();
    let unreachable = operator_offsets(&wasm, 0, |op| {
        matches!(op, wasmparser::Operator::Unreachable)
    });
    let call_g = operator_offsets(&wasm, 1, |op| {
        matches!(op, wasmparser::Operator::Call { .. })
    });
    let args = [Val::I32(50)];
    let (interp, _) = call_on(INTERP, TRAP_IN_LOOP, "main", &args);
    let interp = expect_trap(interp);
    assert_eq!(interp.code, TrapCode::Unreachable);
    assert_eq!(frame_names(&interp.backtrace), ["g", "main"]);
    let offsets: Vec<usize> = interp.backtrace.iter().map(|f| f.code_offset).collect();
    assert_eq!(offsets, [unreachable[0], call_g[0]], "interp: {interp}");
    for setup in [JIT, auto(1), auto(10), auto(50)] {
        let (result, stats) = call_on(setup, TRAP_IN_LOOP, "main", &args);
        let trap = expect_trap(result);
        assert_eq!(trap.code, TrapCode::Unreachable, "{setup:?}");
        assert_eq!(trap.backtrace, interp.backtrace, "{setup:?}: {trap}");
        if setup.tier == Tier::Auto {
            // 51 header executions reach every threshold tried here.
            assert_tiering(&stats, 2, 1, (1, 1));
        }
    }
}

#[test]
fn cli_prints_the_same_trap_and_backtrace_on_every_tier() {
    let scratch = Scratch::new("tier", "trap-backtrace");
    let module = scratch.wat("trap.wat", TRAP_IN_CALLEE);
    let interp = wrun(&["--tier", "interp", "--invoke", "main"], &module, &["20"]);
    assert_eq!(interp.status.code(), Some(134), "{}", stderr(&interp));
    let message = stderr(&interp);
    assert!(
        message.contains("integer divide by zero") && message.contains("!h"),
        "{message}"
    );
    for flags in [
        &["--tier", "jit"][..],
        &["--tier", "auto", "--jit-threshold", "1"],
        &["--jit-threshold", "5"],
    ] {
        let args: Vec<&str> = flags.iter().copied().chain(["--invoke", "main"]).collect();
        let output = wrun(&args, &module, &["20"]);
        assert_eq!(output.status.code(), Some(134), "{flags:?}");
        assert_eq!(stderr(&output), message, "{flags:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Calls across tiers, host functions, tables, memory growth, stack exhaustion, exits.

/// Every direction of call between the tiers, with a host function in between:
/// `outer` (called once: interpreted) calls `main` and then `leaf`; `main` loops `n` times
/// (entered by OSR) calling `mid(i)` and, once, `rare` (called once: interpreted); `mid`
/// calls the host `mix(i, 7)` and passes its result to `leaf`; `rare` calls `leaf`.
const CROSS_TIER_CALLS: &str = r#"
(module
  (import "host" "mix" (func $mix (param i32 i32) (result i32)))
  (func $leaf (param $x i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.const 1)))
  (func $mid (param $x i32) (result i32)
    (call $leaf (call $mix (local.get $x) (i32.const 7))))
  (func $rare (param $x i32) (result i32)
    (i32.sub (call $leaf (local.get $x)) (i32.const 1000)))
  (func $main (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $mid (local.get $i))))
      (if (i32.eq (local.get $i) (i32.const 5))
        (then (local.set $acc (i32.add (local.get $acc) (call $rare (local.get $acc))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func $outer (export "outer") (param $n i32) (result i32)
    (i32.add (call $main (local.get $n)) (call $leaf (i32.const 100)))))
"#;

fn cross_tier_model(n: u32) -> i32 {
    let leaf = |x: i32| x.wrapping_mul(3).wrapping_add(1);
    let mix = |a: i32, b: i32| a.wrapping_mul(b) ^ 0x55;
    let mut acc = 0i32;
    for i in 0..n.max(1) as i32 {
        acc = acc.wrapping_add(leaf(mix(i, 7)));
        if i == 5 {
            acc = acc.wrapping_add(leaf(acc).wrapping_sub(1000));
        }
    }
    acc.wrapping_add(leaf(100))
}

/// Runs `outer(n)` of [`CROSS_TIER_CALLS`]; returns the result, the host's calls and stats.
fn run_cross_tier(setup: Setup, n: i32) -> (CallResult, Vec<(i32, i32)>, TierStats) {
    let calls = Rc::new(RefCell::new(Vec::new()));
    let seen = calls.clone();
    let mut loaded = Loaded::with_imports(setup, CROSS_TIER_CALLS, move |store, linker| {
        let ty = FuncType::new(vec![ValType::I32, ValType::I32], vec![ValType::I32]);
        let mix = Func::new(store, ty, move |_caller, slots| {
            let (a, b) = (slots[0] as u32 as i32, slots[1] as u32 as i32);
            seen.borrow_mut().push((a, b));
            slots[0] = (a.wrapping_mul(b) ^ 0x55) as u32 as u64;
            Ok(())
        });
        linker.define("host", "mix", Extern::Func(mix));
    });
    let result = loaded.call("outer", &[Val::I32(n)]);
    let stats = loaded.stats();
    let calls = calls.borrow().clone();
    (result, calls, stats)
}

#[test]
fn calls_cross_tiers_both_ways_through_a_host_function() {
    let n = 12;
    let expected = vec![Val::I32(cross_tier_model(n as u32))];
    let expected_host_calls: Vec<(i32, i32)> = (0..n).map(|i| (i, 7)).collect();
    for setup in [INTERP, JIT, auto(1)] {
        let (result, host_calls, stats) = run_cross_tier(setup, n);
        assert_eq!(result.unwrap(), expected, "{setup:?}");
        assert_eq!(host_calls, expected_host_calls, "{setup:?}");
        if setup.tier == Tier::Auto {
            // main by OSR (its first loop header), mid and leaf at their 2nd call (so mid's
            // calls of the host from the 2nd on come from compiled code); outer and rare are
            // called once and stay interpreted: interpreted -> compiled (outer -> leaf, rare
            // -> leaf), compiled -> interpreted (main -> rare, main -> mid's first call),
            // compiled -> host (mid -> mix).
            assert_tiering(&stats, 5, 3, (1, 1));
        }
    }
}

/// `main(n)` folds `acc` (from 1) through the table: `acc = table[i % 2](acc)` for `i` in
/// `0..n`, where slot 0 doubles and slot 1 adds 7. `direct(x)` calls slot 1 once.
const INDIRECT_CALLS: &str = r#"
(module
  (type $unary (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $double $add7)
  (func $double (type $unary) (i32.mul (local.get 0) (i32.const 2)))
  (func $add7 (type $unary) (i32.add (local.get 0) (i32.const 7)))
  (func $main (export "main") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (local.set $acc (i32.const 1))
    (loop $l
      (local.set $acc
        (call_indirect (type $unary)
          (local.get $acc) (i32.rem_u (local.get $i) (i32.const 2))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "direct") (param $x i32) (result i32)
    (call_indirect (type $unary) (local.get $x) (i32.const 1))))
"#;

fn indirect_model(n: u32) -> i32 {
    (0..n.max(1)).fold(1i32, |acc, i| {
        if i % 2 == 0 {
            acc.wrapping_mul(2)
        } else {
            acc.wrapping_add(7)
        }
    })
}

#[test]
fn call_indirect_reaches_a_function_compiled_later() {
    // Threshold 3: main's first two iterations are interpreted and call double and add7
    // through the table (interpreted), the third enters main by OSR; from there compiled code
    // calls them through the table while they are still interpreted, until their 4th call
    // compiles them.
    let n = 20;
    let expected = vec![Val::I32(indirect_model(n))];
    for setup in [INTERP, JIT, auto(3)] {
        let mut loaded = Loaded::new(setup, INDIRECT_CALLS);
        assert_eq!(
            loaded.call("main", &[Val::I32(n as i32)]).unwrap(),
            expected,
            "{setup:?}"
        );
        // An interpreted caller (called once) through the table into compiled add7.
        assert_eq!(
            loaded.call("direct", &[Val::I32(5)]).unwrap(),
            vec![Val::I32(12)],
            "{setup:?}"
        );
        if setup.tier == Tier::Auto {
            assert_tiering(&loaded.stats(), 4, 3, (1, 1));
        }
    }
}

/// `grow(pages)` loops `pages` times: `memory.grow 1`, then writes `i + 1` in the first and
/// the last word of the new page; returns `memory.size`. `peek(addr)` loads a word.
/// `check()` (no loop) reads the last page back in the interpreter.
const GROW_IN_LOOP: &str = r#"
(module
  (memory (export "memory") 1)
  (func $grow (export "grow") (param $pages i32) (result i32)
    (local $i i32) (local $page_start i32)
    (loop $l
      (drop (memory.grow (i32.const 1)))
      (local.set $page_start
        (i32.mul (i32.sub (memory.size) (i32.const 1)) (i32.const 65536)))
      (i32.store (local.get $page_start) (i32.add (local.get $i) (i32.const 1)))
      (i32.store (i32.add (local.get $page_start) (i32.const 65532))
        (i32.add (local.get $i) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $pages))))
    (memory.size))
  (func (export "check") (result i32)
    ;; size * 1000 + first word of the last page + last word of the memory
    (i32.add
      (i32.mul (memory.size) (i32.const 1000))
      (i32.add
        (i32.load (i32.mul (i32.sub (memory.size) (i32.const 1)) (i32.const 65536)))
        (i32.load (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4))))))
  (func (export "peek") (param $addr i32) (result i32)
    (i32.load (local.get $addr))))
"#;

#[test]
fn memory_grown_by_compiled_code_after_osr_is_seen_by_the_interpreter() {
    let pages = 6;
    for setup in [INTERP, JIT, auto(2)] {
        let mut loaded = Loaded::new(setup, GROW_IN_LOOP);
        assert_eq!(
            loaded.call("grow", &[Val::I32(pages)]).unwrap(),
            vec![Val::I32(1 + pages)],
            "{setup:?}"
        );
        let memory = match loaded.instance.get_export(&loaded.store, "memory") {
            Some(Extern::Memory(memory)) => memory,
            other => panic!("memory export: {other:?}"),
        };
        assert_eq!(memory.size(&loaded.store), 1 + pages as u64);
        // check and peek run interpreted (one call each, no loop) in auto mode.
        let size = 1 + pages;
        assert_eq!(
            loaded.call("check", &[]).unwrap(),
            vec![Val::I32(size * 1000 + 2 * pages)],
            "{setup:?}"
        );
        let end = size * 65536;
        assert_eq!(
            loaded.call("peek", &[Val::I32(end - 4)]).unwrap(),
            vec![Val::I32(pages)],
            "{setup:?}"
        );
        let trap = expect_trap(loaded.call("peek", &[Val::I32(end - 3)]));
        assert_eq!(trap.code, TrapCode::MemoryOutOfBounds, "{setup:?}");
        if setup.tier == Tier::Auto {
            // grow entered by OSR at its 2nd header; check and peek stay interpreted.
            assert_tiering(&loaded.stats(), 3, 1, (1, 1));
        }
    }
}

/// `down(n)` recurses without end; `ok()` returns 42.
const UNBOUNDED_RECURSION: &str = r#"
(module
  (func $down (export "down") (param $n i32) (result i32)
    (i32.add (i32.const 1) (call $down (i32.add (local.get $n) (i32.const 1)))))
  (func (export "ok") (result i32) (i32.const 42)))
"#;

/// Calls `down` twice (each must trap "call stack exhausted" with `down` innermost) and `ok`
/// after each trap (the store must still work).
fn check_unbounded_recursion(setup: Setup) {
    let mut loaded = Loaded::new(setup, UNBOUNDED_RECURSION);
    for attempt in 0..2 {
        let trap = expect_trap(loaded.call("down", &[Val::I32(0)]));
        assert_eq!(
            trap.code,
            TrapCode::CallStackExhausted,
            "{setup:?} attempt {attempt}: {}",
            trap.message()
        );
        assert_eq!(
            trap.backtrace.first().and_then(|f| f.func_name.as_deref()),
            Some("down"),
            "{setup:?}"
        );
        assert_eq!(loaded.call("ok", &[]).unwrap(), vec![Val::I32(42)]);
    }
    if setup.tier == Tier::Auto {
        // down (called thousands of times), and ok (called twice) with threshold 1.
        let compiled = if setup.jit_threshold == 1 { 2 } else { 1 };
        assert_eq!(loaded.stats().compiled, compiled, "{setup:?}");
    }
}

const RECURSION_SETUPS: [Setup; 4] = [auto(DEFAULT_JIT_THRESHOLD), auto(1), INTERP, JIT];

/// Runs [`check_unbounded_recursion`] for every setup on a new thread with `stack_bytes` of
/// native stack (compiled code is limited by the native stack of the thread it runs on).
fn check_unbounded_recursion_on_thread(stack_bytes: usize) {
    std::thread::Builder::new()
        .stack_size(stack_bytes)
        .spawn(|| {
            RECURSION_SETUPS
                .into_iter()
                .for_each(check_unbounded_recursion)
        })
        .expect("spawn a thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

#[test]
fn unbounded_recursion_in_auto_mode_traps_cleanly() {
    RECURSION_SETUPS
        .into_iter()
        .for_each(check_unbounded_recursion);
    check_unbounded_recursion_on_thread(1 << 20);
    check_unbounded_recursion_on_thread(8 << 20);
}

/// Below 512 KiB of native stack the JIT used to budget 1 MiB below the current position and
/// overflowed the thread's stack (an abort) instead of trapping.
#[test]
fn unbounded_recursion_on_a_small_native_stack_traps_cleanly() {
    check_unbounded_recursion_on_thread(256 << 10);
}

#[test]
fn cli_unbounded_recursion_in_default_mode_traps_cleanly() {
    let scratch = Scratch::new("tier", "recursion");
    let module = scratch.wat("down.wat", UNBOUNDED_RECURSION);
    let output = wrun(&["--stats", "--invoke", "down"], &module, &["0"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(134), "{message}");
    assert!(
        message.starts_with("wrun stats") && message.contains("call stack exhausted"),
        "{message}"
    );
    assert_eq!(stats_line(&message, "functions compiled"), "1");
}

/// `main(n, code)` = `g(n, code)`; `g` loops `i` over `0..1000` and calls the host
/// `stop(code)` at `i` = `n`. Function indices: stop 0, g 1, main 2.
const STOP_FROM_LOOP: &str = r#"
(module
  (import "host" "stop" (func $stop (param i32)))
  (func $g (param $n i32) (param $code i32) (result i32)
    (local $i i32)
    (loop $l
      (if (i32.eq (local.get $i) (local.get $n)) (then (call $stop (local.get $code))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
    (local.get $i))
  (func $main (export "main") (param $n i32) (param $code i32) (result i32)
    (call $g (local.get $n) (local.get $code))))
"#;

#[test]
fn host_exit_and_host_errors_pass_through_compiled_frames() {
    let wasm = wat::parse_str(STOP_FROM_LOOP).unwrap();
    let call_offset = |func_index| {
        operator_offsets(&wasm, func_index, |op| {
            matches!(op, wasmparser::Operator::Call { .. })
        })[0]
    };
    let (call_stop, call_g) = (call_offset(1), call_offset(2));
    for setup in [INTERP, JIT, auto(1), auto(100)] {
        let stops = Rc::new(Cell::new(0));
        let counted = stops.clone();
        let mut loaded = Loaded::with_imports(setup, STOP_FROM_LOOP, move |store, linker| {
            // `stop(3)` is `proc_exit(3)`; any other code is a host error.
            let ty = FuncType::new(vec![ValType::I32], vec![]);
            let stop = Func::new(store, ty, move |_caller, slots| {
                counted.set(counted.get() + 1);
                match slots[0] as u32 as i32 {
                    3 => Err(Trap::exit(3)),
                    code => Err(Trap::host(format!("host refuses {code}"))),
                }
            });
            linker.define("host", "stop", Extern::Func(stop));
        });
        // Without reaching the host: the loop finishes.
        assert_eq!(
            loaded.call("main", &[Val::I32(-1), Val::I32(3)]).unwrap(),
            vec![Val::I32(1000)],
            "{setup:?}"
        );
        let exit = expect_trap(loaded.call("main", &[Val::I32(500), Val::I32(3)]));
        assert_eq!(
            (exit.code, exit.exit_status),
            (TrapCode::Exit, 3),
            "{setup:?}"
        );
        // An exit is not an error: no backtrace, on any tier.
        assert!(exit.backtrace.is_empty(), "{setup:?}: {exit}");
        let error = expect_trap(loaded.call("main", &[Val::I32(700), Val::I32(9)]));
        assert_eq!(error.code, TrapCode::Host, "{setup:?}");
        assert_eq!(error.message(), "host refuses 9", "{setup:?}");
        // The host function has no frame of its own: the backtrace starts at its caller.
        assert_eq!(frame_names(&error.backtrace), ["g", "main"], "{setup:?}");
        let offsets: Vec<usize> = error.backtrace.iter().map(|f| f.code_offset).collect();
        assert_eq!(offsets, [call_stop, call_g], "{setup:?}: {error}");
        assert_eq!(stops.get(), 2, "{setup:?}");
        if setup.tier == Tier::Auto {
            // g was entered by OSR during the first call; later calls run it compiled (and
            // compile main, at its 2nd call, with threshold 1).
            let compiled = if setup.jit_threshold == 1 { 2 } else { 1 };
            assert_tiering(&loaded.stats(), 2, compiled, (1, 1));
        }
    }
}

#[test]
fn cli_proc_exit_from_a_loop_entered_by_osr() {
    let scratch = Scratch::new("tier", "proc-exit");
    let module = scratch.wat(
        "exit.wat",
        r#"
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $i i32)
    (loop $l
      (if (i32.eq (local.get $i) (i32.const 5000)) (then (call $proc_exit (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
"#,
    );
    let output = wrun(&["--stats"], &module, &[]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{message}");
    assert_eq!(stats_line(&message, "functions compiled"), "1", "{message}");
    assert_eq!(
        stats_line(&message, "entered by OSR"),
        "1 function(s), 1 entry",
        "{message}"
    );
}

/// The start function loops `10` times adding `i * i` to a global, then traps if the global
/// `trap_at_start` (imported) is set.
const LOOPING_START: &str = r#"
(module
  (import "env" "trap_at_start" (global $trap_at_start i32))
  (global $sum (export "sum") (mut i32) (i32.const 0))
  (func $start
    (local $i i32)
    (loop $l
      (global.set $sum (i32.add (global.get $sum) (i32.mul (local.get $i) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
    (if (global.get $trap_at_start) (then unreachable)))
  (start $start))
"#;

/// Instantiates [`LOOPING_START`] on `setup`: the `sum` global, or the instantiation error.
fn run_looping_start(setup: Setup, trap_at_start: bool) -> (Result<Val, wrun::Error>, TierStats) {
    let engine = Engine::new(Config {
        tier: setup.tier,
        jit_threshold: setup.jit_threshold,
        ..Config::default()
    });
    let wasm = wat::parse_str(LOOPING_START).unwrap();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine);
    let flag = wrun::Global::new(
        &mut store,
        wrun::GlobalType {
            ty: ValType::I32,
            mutable: false,
        },
        Val::I32(trap_at_start as i32),
    )
    .unwrap();
    let mut linker = Linker::new();
    linker.define("env", "trap_at_start", Extern::Global(flag));
    let result = linker.instantiate(&mut store, &module).map(|instance| {
        match instance.get_export(&store, "sum") {
            Some(Extern::Global(sum)) => sum.get(&store),
            other => panic!("sum export: {other:?}"),
        }
    });
    (result, module.tier_stats())
}

#[test]
fn start_function_enters_by_osr_and_its_trap_keeps_the_backtrace() {
    let sum: i32 = (0..10).map(|i| i * i).sum();
    let interp_trap = match run_looping_start(INTERP, true).0 {
        Err(wrun::Error::Trap(trap)) => trap,
        other => panic!("expected a trap at instantiation, got {other:?}"),
    };
    assert_eq!(interp_trap.code, TrapCode::Unreachable);
    assert_eq!(frame_names(&interp_trap.backtrace), ["start"]);
    for setup in [INTERP, JIT, auto(1), auto(4)] {
        let (result, stats) = run_looping_start(setup, false);
        assert_eq!(result.unwrap(), Val::I32(sum), "{setup:?}");
        if setup.tier == Tier::Auto {
            assert_tiering(&stats, 1, 1, (1, 1));
        }
        let (result, stats) = run_looping_start(setup, true);
        match result {
            Err(wrun::Error::Trap(trap)) => {
                assert_eq!(trap.code, TrapCode::Unreachable, "{setup:?}");
                assert_eq!(trap.backtrace, interp_trap.backtrace, "{setup:?}");
            }
            other => panic!("{setup:?}: expected a trap at instantiation, got {other:?}"),
        }
        if setup.tier == Tier::Auto {
            assert_tiering(&stats, 1, 1, (1, 1));
        }
    }
}

/// `triple(x)` returns `(x, x * 2 as i64, x as f64 / 4)`; `combine(x)` (called once per
/// test: interpreted) calls it twice and folds the six results into an f64.
const MULTI_VALUE: &str = r#"
(module
  (func $triple (param $x i32) (result i32 i64 f64)
    (local.get $x)
    (i64.mul (i64.extend_i32_s (local.get $x)) (i64.const 2))
    (f64.div (f64.convert_i32_s (local.get $x)) (f64.const 4)))
  (func (export "combine") (param $x i32) (result f64)
    (local $a i32) (local $b i64) (local $c f64)
    (call $triple (local.get $x))
    (local.set $c) (local.set $b) (local.set $a)
    (call $triple (i32.add (local.get $x) (i32.const 1)))
    ;; stack: a2 b2 c2; result = c2 + c + (a2 + a) + (b2 + b)
    (f64.add (local.get $c))
    (local.set $c)
    (i64.add (local.get $b))
    (f64.convert_i64_s)
    (local.get $c)
    (f64.add)
    (local.set $c)
    (i32.add (local.get $a))
    (f64.convert_i32_s)
    (local.get $c)
    (f64.add))
  (func (export "warm") (param $x i32) (result i32)
    (call $triple (local.get $x))
    (drop) (drop)))
"#;

#[test]
fn multiple_results_cross_from_compiled_code_to_the_interpreter() {
    let model = |x: i32| {
        let t = |x: i32| (x, i64::from(x) * 2, f64::from(x) / 4.0);
        let (a, b, c) = t(x);
        let (a2, b2, c2) = t(x + 1);
        let c = c2 + c;
        let c = (b2 + b) as f64 + c;
        f64::from(a2 + a) + c
    };
    for setup in [INTERP, JIT, auto(1)] {
        let mut loaded = Loaded::new(setup, MULTI_VALUE);
        // With threshold 1, triple is compiled at its 2nd call (inside the first `combine`).
        assert_eq!(
            loaded.call("combine", &[Val::I32(7)]).unwrap(),
            vec![Val::F64(model(7).to_bits())],
            "{setup:?}"
        );
        assert_eq!(
            loaded.call("warm", &[Val::I32(-3)]).unwrap(),
            vec![Val::I32(-3)]
        );
        if setup.tier == Tier::Auto {
            assert_tiering(&loaded.stats(), 3, 1, (0, 0));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Threads.

/// `main(n)` calls `g(n)`, which loads from `i * 65536` for `i` in `0..n`: out of bounds (in
/// the guard region after the 1-page memory) at `i` = 1.
const OUT_OF_BOUNDS_IN_CALLEE: &str = r#"
(module
  (memory 1)
  (func $g (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (i32.load (i32.mul (local.get $i) (i32.const 65536)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func $main (export "main") (param $n i32) (result i32)
    (call $g (local.get $n))))
"#;

/// Compiles, traps in and drops modules of `wat` (`main(20)` must trap) on `threads` threads
/// for `iterations` rounds each; returns the first trap whose code (and, if
/// `compare_backtraces`, backtrace) differs from the interpreter's.
fn churn_compiled_code(
    setup: Setup,
    wat: &str,
    threads: usize,
    iterations: usize,
    compare_backtraces: bool,
) -> Option<String> {
    let (expected, _) = call_on(INTERP, wat, "main", &[Val::I32(20)]);
    let expected = expect_trap(expected);
    let failure = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for thread in 0..threads {
            let (expected, failure) = (&expected, &failure);
            scope.spawn(move || {
                for round in 0..iterations {
                    let (result, _) = call_on(setup, wat, "main", &[Val::I32(20)]);
                    let trap = expect_trap(result);
                    if trap.code != expected.code
                        || (compare_backtraces && trap.backtrace != expected.backtrace)
                    {
                        let mut first = failure.lock().unwrap_or_else(|e| e.into_inner());
                        first.get_or_insert(format!(
                            "{setup:?}, thread {thread}, round {round}: {trap}\nexpected {expected}"
                        ));
                        return;
                    }
                }
            });
        }
    });
    failure.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// The JIT's trap registry used to drop a module's entry after unmapping its code, and by
/// start address: another thread's code mapped at the same address lost its entry (empty
/// backtraces) or was looked up as the dropped module's (wrong functions).
#[test]
fn backtraces_are_right_while_threads_compile_and_drop_code() {
    for setup in [JIT, auto(1)] {
        if let Some(failure) = churn_compiled_code(setup, TRAP_IN_CALLEE, 4, 500, true) {
            panic!("{failure}");
        }
    }
}

/// The same race, and the signal handler giving up when another thread held the registry's
/// write lock, made a guard-region fault in compiled code kill the process (SIGSEGV).
#[test]
fn guard_region_faults_are_traps_while_threads_compile_and_drop_code() {
    for setup in [JIT, auto(1)] {
        if let Some(failure) = churn_compiled_code(setup, OUT_OF_BOUNDS_IN_CALLEE, 4, 500, false) {
            panic!("{failure}");
        }
    }
}
