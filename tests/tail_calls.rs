//! Tail calls (`return_call`, `return_call_indirect`) on every tier, through the embedding API
//! and the `wrun` binary: a million-deep mutual tail recursion completes with the default
//! stack sizes (the call-depth budget is 131,072 frames) and, through the API, on a thread
//! with a 1 MiB native stack, so neither stack grows with the chain; that includes auto mode
//! with a one-page code cache, where the two functions keep trading places between the
//! interpreter and compiled code (compiled code tail-calling an interpreted function and the
//! interpreter tail-calling a compiled one, ARCHITECTURE.md "Calls across tiers"). Traps,
//! backtraces and fuel are the same on every tier.

mod common;
use common::Scratch;

use wrun::tier::TierStats;
use wrun::{Config, Engine, FrameInfo, Linker, Module, Store, Tier, Trap, TrapCode, Val};

/// `even` tail-calls `odd` directly, `odd` tail-calls `even` through the table.
const MUTUAL: &str = r#"(module
  (type $t (func (param i64) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $even $odd)
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1))
                                  (i32.const 0))))))"#;

/// `main` calls `f`, which tail-calls `g` (directly or through the table, by `how`); `g`
/// traps for 0 and returns its argument otherwise.
const TRAPPING: &str = r#"(module
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $g)
  (func $main (export "main") (param i32 i32) (result i32)
    (i32.add (i32.const 1) (call $f (local.get 0) (local.get 1))))
  (func $f (param i32 i32) (result i32)
    (if (result i32) (local.get 1)
      (then (return_call_indirect (type $t) (local.get 0) (i32.const 0)))
      (else (return_call $g (local.get 0)))))
  (func $g (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then unreachable))
    (local.get 0)))"#;

/// The configurations run here: every tier the embedding API has (AOT runs through the CLI
/// below), auto mode at the default threshold and at 1, and auto mode with a one-page code
/// cache (each function compiled alone takes a page, so compiling one evicts the other).
fn setups() -> Vec<(&'static str, Config)> {
    let with = |tier: Tier, jit_threshold: u32, jit_cache_size: Option<u64>| Config {
        tier,
        jit_threshold,
        jit_cache_size,
        ..Config::default()
    };
    vec![
        ("interp", with(Tier::Interp, 1000, None)),
        ("jit", with(Tier::Jit, 1000, None)),
        ("auto", with(Tier::Auto, 1000, None)),
        ("auto1", with(Tier::Auto, 1, None)),
        ("auto-one-page", with(Tier::Auto, 100, Some(4096))),
    ]
}

struct Loaded {
    store: Store,
    module: Module,
    instance: wrun::Instance,
}

impl Loaded {
    fn new(config: Config, wat: &str) -> Loaded {
        let engine = Engine::new(config);
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&engine);
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        Loaded {
            store,
            module,
            instance,
        }
    }

    fn call(&mut self, export: &str, args: &[Val]) -> Result<Vec<Val>, Trap> {
        let func = self.instance.get_func(&self.store, export).unwrap();
        func.call(&mut self.store, args)
            .map_err(|e| e.into_trap().expect("a trap, not an API error"))
    }

    fn stats(&self) -> TierStats {
        self.module.tier_stats()
    }
}

/// Runs `body` on a thread with a 1 MiB native stack: a chain of calls that grew the native
/// stack by a few bytes per call would run out long before a million calls.
fn on_small_stack<T: Send>(body: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn_scoped(scope, body)
            .expect("spawn a thread")
            .join()
            .expect("the thread did not panic")
    })
}

#[test]
fn million_deep_mutual_tail_recursion_runs_in_constant_stack_on_every_tier() {
    for (name, config) in setups() {
        let (results, stats) = on_small_stack(move || {
            let mut loaded = Loaded::new(config, MUTUAL);
            // (`Val` is not `Send`: the results leave the thread as text.)
            let results = [("even", 1_000_000), ("odd", 1_000_001), ("even", 999_999)]
                .map(|(export, n)| format!("{:?}", loaded.call(export, &[Val::I64(n)])));
            (results, loaded.stats())
        });
        let expected = [1, 1, 0].map(|n| format!("{:?}", Ok::<_, Trap>(vec![Val::I32(n)])));
        assert_eq!(results, expected, "{name}");
        match name {
            "interp" => assert_eq!(stats.compiled, 0, "{name}: {stats:?}"),
            "auto" | "auto1" => assert_eq!(stats.compiled, 2, "{name}: {stats:?}"),
            // The two functions traded places between the tiers again and again: each
            // compile evicted the other one, so a compiled function kept tail-calling an
            // interpreted one and the other way round.
            "auto-one-page" => assert!(
                stats.evictions > 100 && stats.compiled > 100,
                "{name}: {stats:?}"
            ),
            _ => {}
        }
    }
}

/// The same through the CLI (`--invoke`, default stack sizes, the binary's own thread), on
/// every tier including an AOT sidecar.
#[test]
fn million_deep_mutual_tail_recursion_through_the_cli() {
    let scratch = Scratch::new("tail_calls", "cli");
    let module = scratch.write("mutual.wasm", wat::parse_str(MUTUAL).unwrap());
    let compile = common::wrun_cli()
        .arg("compile")
        .arg(&module)
        .output()
        .unwrap();
    assert!(compile.status.success(), "{compile:?}");
    let runs: [&[&str]; 5] = [
        &["--tier", "interp", "--no-aot"],
        &["--tier", "jit", "--no-aot"],
        &["--tier", "auto", "--no-aot"],
        &[
            "--tier",
            "auto",
            "--no-aot",
            "--jit-cache-size",
            "4096",
            "--jit-threshold",
            "100",
        ],
        // The sidecar beside the module.
        &["--stats"],
    ];
    for args in runs {
        for (export, arg, expected) in [("even", "1000000", "1"), ("odd", "1000000", "0")] {
            let output = common::wrun_cli()
                .args(args)
                .args(["--invoke", export])
                .arg(&module)
                .arg(arg)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "{args:?} {export}: {stderr}");
            assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), expected);
            if args == ["--stats"] {
                let sidecar = stderr
                    .lines()
                    .find_map(|line| line.trim_start().strip_prefix("sidecar:"))
                    .map(str::trim);
                assert!(sidecar.is_some_and(|s| s.starts_with("used")), "{stderr}");
            }
        }
    }
}

/// Function names of a backtrace, innermost first.
fn names(backtrace: &[FrameInfo]) -> Vec<&str> {
    backtrace
        .iter()
        .map(|frame| frame.func_name.as_deref().unwrap_or("?"))
        .collect()
}

/// A trapping tail callee's backtrace has no frame for the function it replaced, whichever
/// tiers the three functions are on (auto1 runs the first calls interpreted, the later ones
/// compiled, with mixed states between), and is the same on every tier.
#[test]
fn trapping_tail_callee_backtrace_lacks_the_replaced_frame() {
    let mut reference: Option<Vec<Vec<FrameInfo>>> = None;
    for (name, config) in setups() {
        let mut loaded = Loaded::new(config, TRAPPING);
        let mut backtraces = Vec::new();
        for round in 0..4 {
            for indirect in [0, 1] {
                let ok = loaded.call("main", &[Val::I32(5), Val::I32(indirect)]);
                assert_eq!(ok.unwrap(), vec![Val::I32(6)], "{name} round {round}");
                let trap = loaded
                    .call("main", &[Val::I32(0), Val::I32(indirect)])
                    .expect_err("g traps");
                assert_eq!(trap.code, TrapCode::Unreachable, "{name}");
                assert_eq!(
                    names(&trap.backtrace),
                    ["g", "main"],
                    "{name} round {round}"
                );
                backtraces.push(trap.backtrace);
            }
        }
        match &reference {
            None => reference = Some(backtraces),
            Some(reference) => assert_eq!(&backtraces, reference, "{name} vs interp"),
        }
    }
}

/// Fuel: a completed tail-call chain consumes the same on every tier, and a budget that runs
/// out in the middle stops every tier at the same block with the same backtrace.
#[test]
fn fuel_is_the_same_on_every_tier() {
    let mut reference = None;
    for (name, config) in setups() {
        let config = Config {
            consume_fuel: true,
            ..config
        };
        let mut loaded = Loaded::new(config, MUTUAL);
        loaded.store.set_fuel(1_000_000).unwrap();
        let result = loaded.call("even", &[Val::I64(10_000)]).unwrap();
        assert_eq!(result, vec![Val::I32(1)], "{name}");
        let left_after_chain = loaded.store.get_fuel().unwrap();
        loaded.store.set_fuel(12_345).unwrap();
        let trap = loaded
            .call("even", &[Val::I64(10_000)])
            .expect_err("runs out of fuel");
        assert_eq!(trap.code, TrapCode::OutOfFuel, "{name}");
        let observed = (
            left_after_chain,
            trap.backtrace,
            loaded.store.get_fuel().unwrap(),
        );
        assert_eq!(observed.2, 0, "{name}");
        match &reference {
            None => reference = Some(observed),
            Some(reference) => assert_eq!(&observed, reference, "{name} vs interp"),
        }
    }
}

/// `ping` (this module) and `pong` (module `b`) tail-call each other across the instance
/// boundary: directly through the import, back through `b`'s table, where this module's
/// element segment puts `ping`. `t` tail-calls a host function, which fails for 0.
const PING: &str = r#"(module
  (import "b" "pong" (func $pong (param i32) (result i32)))
  (import "b" "table" (table 1 funcref))
  (import "host" "triple" (func $triple (param i32) (result i32)))
  (elem (i32.const 0) $ping)
  (func $ping (export "ping") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 7))
      (else (return_call $pong (i32.sub (local.get 0) (i32.const 1))))))
  (func $t (param i32) (result i32) (return_call $triple (local.get 0)))
  (func $main (export "main") (param i32) (result i32)
    (i32.add (i32.const 1) (call $t (local.get 0)))))"#;

const PONG: &str = r#"(module
  (type $t (func (param i32) (result i32)))
  (table (export "table") 1 funcref)
  (func (export "pong") (param i32) (result i32)
    (return_call_indirect (type $t) (local.get 0) (i32.const 0))))"#;

/// Tail calls to other instances and to host functions give the same results and traps on
/// every tier. (A compiled tail call into another instance's compiled code nests one entry
/// per hop, about 2 KiB of native stack in a debug build: ARCHITECTURE.md "Calls across
/// tiers"; hence the modest depth and the 8 MiB thread.)
#[test]
fn tail_calls_across_instances_and_to_host_functions() {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn_scoped(scope, across_instances_and_to_host_functions)
            .expect("spawn a thread")
            .join()
            .expect("the thread did not panic")
    })
}

fn across_instances_and_to_host_functions() {
    use wrun::{Extern, Func, FuncType, ValType};
    let mut reference = None;
    for (name, config) in setups() {
        let engine = Engine::new(config);
        let load = |wat: &str| Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let (ping_module, pong_module) = (load(PING), load(PONG));
        let mut store = Store::new(&engine);
        let mut linker = Linker::new();
        let ty = FuncType::new(vec![ValType::I32], vec![ValType::I32]);
        let triple = Func::new(&mut store, ty, |_caller, slots| match slots[0] as u32 {
            0 => Err(Trap::host("triple of zero")),
            x => {
                slots[0] = u64::from(x * 3);
                Ok(())
            }
        });
        linker.define("host", "triple", Extern::Func(triple));
        let pong = linker.instantiate(&mut store, &pong_module).unwrap();
        linker.define_instance(&store, "b", pong);
        let instance = linker.instantiate(&mut store, &ping_module).unwrap();
        let ping = instance.get_func(&store, "ping").unwrap();
        let main = instance.get_func(&store, "main").unwrap();
        let mut observed = Vec::new();
        for _round in 0..3 {
            for n in [0, 1, 2, 1000] {
                observed.push(format!("{:?}", ping.call(&mut store, &[Val::I32(n)])));
            }
            observed.push(format!("{:?}", main.call(&mut store, &[Val::I32(5)])));
            let trap = main
                .call(&mut store, &[Val::I32(0)])
                .expect_err("the host function fails")
                .into_trap()
                .unwrap();
            assert_eq!(names(&trap.backtrace), ["main"], "{name}: {trap:?}");
            observed.push(trap.message);
        }
        let first_round = [
            "Ok([I32(7)])",
            "Ok([I32(7)])",
            "Ok([I32(7)])",
            "Ok([I32(7)])",
            "Ok([I32(16)])",
            "triple of zero",
        ];
        assert_eq!(observed[..6], first_round, "{name}");
        match &reference {
            None => reference = Some(observed),
            Some(reference) => assert_eq!(&observed, reference, "{name} vs interp"),
        }
    }
}
