//! Resource limits (`--max-memory-size`, `--max-table-elements`, `--max-instances`) and the
//! bounded code memory (`--jit-cache-size`) on every tier: interp, jit, auto (threshold 1, so
//! loops run compiled after OSR) and aot (a sidecar written and loaded back).

mod common;
use common::Scratch;

use std::process::Output;

use wrun::{
    Config, Engine, Error, Linker, Module, SidecarFile, SidecarStatus, Store, StoreLimits, Tier,
    Val,
};

const TIERS: [Tier; 4] = [Tier::Interp, Tier::Jit, Tier::Auto, Tier::Aot];

/// `wat` as a module of `engine`; under `Tier::Aot` its code comes from a sidecar written to
/// `scratch` and loaded back (the check that it was used is part of the test).
fn module_on(engine: &Engine, scratch: &Scratch, wat: &str) -> Module {
    let wasm = wat::parse_str(wat).unwrap();
    if engine.config().tier != Tier::Aot {
        return Module::new(engine, &wasm).unwrap();
    }
    let path = scratch.file("m.wrun");
    wrun::aot::write_sidecar(
        &wasm,
        &path,
        wrun::jit::compile::CpuFeatures::detect(),
        &mut |_, _| {},
    )
    .unwrap();
    let sidecar = SidecarFile {
        path,
        required: true,
    };
    let module = Module::with_sidecar(engine, &wasm, Some(&sidecar)).unwrap();
    assert!(
        matches!(module.sidecar_status(), SidecarStatus::Used(_)),
        "{:?}",
        module.sidecar_status()
    );
    module
}

fn engine(tier: Tier, limits: StoreLimits, jit_cache_size: Option<u64>) -> Engine {
    Engine::new(Config {
        tier,
        jit_threshold: 1,
        store_limits: limits,
        jit_cache_size,
        ..Config::default()
    })
}

fn call(store: &mut Store, instance: wrun::Instance, name: &str, args: &[Val]) -> Vec<Val> {
    let func = instance.get_func(store, name).unwrap();
    func.call(store, args)
        .unwrap_or_else(|t| panic!("{name}: {t}"))
}

// ---------------------------------------------------------------------------------------------
// 1. Resource limits.

/// `grow_memory()` grows the memory by one page until `memory.grow` fails and returns how many
/// pages it got (a loop: under auto it runs compiled after OSR); `grow_table` likewise.
const GROWER: &str = r#"
(module
  (memory (export "mem") 1)
  (table 1 funcref)
  (func (export "grow_memory") (result i32)
    (local $n i32)
    (block $done
      (loop $l
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $n))
  (func (export "grow_table") (result i32)
    (local $n i32)
    (block $done
      (loop $l
        (br_if $done (i32.eq (table.grow (ref.null func) (i32.const 1)) (i32.const -1)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $n))
  (func (export "memory_grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "sizes") (result i32 i32) (memory.size) (table.size 0)))
"#;

#[test]
fn grow_past_a_limit_returns_minus_one_on_every_tier() {
    let scratch = Scratch::new("resources", "grow");
    let limits = StoreLimits {
        max_memory_size: Some(5 * 65536 + 100),
        max_table_elements: Some(7),
        max_instances: None,
    };
    for tier in TIERS {
        let engine = engine(tier, limits, None);
        let module = module_on(&engine, &scratch, GROWER);
        let mut store = Store::new(&engine);
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        // Calls twice so that auto compiles the functions (threshold 1) before the grows fail.
        assert_eq!(
            call(&mut store, instance, "memory_grow", &[Val::I32(0)]),
            [Val::I32(1)],
            "{tier:?}"
        );
        assert_eq!(
            call(&mut store, instance, "grow_memory", &[]),
            [Val::I32(4)],
            "{tier:?}: 1 page + 4 grown = 5 pages, the limit rounded down"
        );
        assert_eq!(
            call(&mut store, instance, "grow_table", &[]),
            [Val::I32(6)],
            "{tier:?}"
        );
        assert_eq!(
            call(&mut store, instance, "memory_grow", &[Val::I32(1)]),
            [Val::I32(-1)],
            "{tier:?}"
        );
        assert_eq!(
            call(&mut store, instance, "sizes", &[]),
            [Val::I32(5), Val::I32(7)],
            "{tier:?}"
        );
    }
}

#[test]
fn without_limits_growth_is_as_before() {
    let scratch = Scratch::new("resources", "unlimited");
    for tier in TIERS {
        let engine = engine(tier, StoreLimits::default(), None);
        let module = module_on(&engine, &scratch, GROWER);
        let mut store = Store::new(&engine);
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        assert_eq!(
            call(&mut store, instance, "memory_grow", &[Val::I32(300)]),
            [Val::I32(1)],
            "{tier:?}"
        );
    }
}

fn instantiate_error(engine: &Engine, module: &Module, store: &mut Store) -> String {
    match Linker::new().instantiate(store, module) {
        Ok(_) => panic!("{:?}: instantiation succeeded", engine.config().tier),
        Err(e @ Error::Resource(_)) => e.to_string(),
        Err(e) => panic!("not a resource error: {e}"),
    }
}

#[test]
fn an_initial_size_above_a_limit_fails_instantiation_naming_the_limit() {
    let scratch = Scratch::new("resources", "initial");
    for tier in TIERS {
        let memory_limited = engine(
            tier,
            StoreLimits {
                max_memory_size: Some(65536),
                ..StoreLimits::default()
            },
            None,
        );
        let module = module_on(&memory_limited, &scratch, "(module (memory 2))");
        let message = instantiate_error(&memory_limited, &module, &mut Store::new(&memory_limited));
        assert!(
            message.contains("memory minimum size of 2 pages")
                && message.contains("max_memory_size"),
            "{tier:?}: {message}"
        );

        let table_limited = engine(
            tier,
            StoreLimits {
                max_table_elements: Some(3),
                ..StoreLimits::default()
            },
            None,
        );
        let module = module_on(&table_limited, &scratch, "(module (table 4 funcref))");
        let message = instantiate_error(&table_limited, &module, &mut Store::new(&table_limited));
        assert!(
            message.contains("table minimum size of 4 elements")
                && message.contains("max_table_elements"),
            "{tier:?}: {message}"
        );
    }
}

#[test]
fn max_instances_caps_instantiations_in_a_store() {
    let scratch = Scratch::new("resources", "instances");
    for tier in TIERS {
        let engine = engine(
            tier,
            StoreLimits {
                max_instances: Some(2),
                ..StoreLimits::default()
            },
            None,
        );
        let module = module_on(&engine, &scratch, GROWER);
        let mut store = Store::new(&engine);
        for _ in 0..2 {
            Linker::new().instantiate(&mut store, &module).unwrap();
        }
        let message = instantiate_error(&engine, &module, &mut store);
        assert!(
            message.contains("instance limit of 2") && message.contains("max_instances"),
            "{tier:?}: {message}"
        );
        // Another store has its own count.
        Linker::new()
            .instantiate(&mut Store::new(&engine), &module)
            .unwrap();
    }
}

#[test]
fn store_limits_can_be_set_per_store() {
    let engine = engine(Tier::Interp, StoreLimits::default(), None);
    let module = Module::new(&engine, &wat::parse_str(GROWER).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    store.set_limits(StoreLimits {
        max_memory_size: Some(2 * 65536),
        ..StoreLimits::default()
    });
    assert_eq!(store.limits().max_memory_size, Some(2 * 65536));
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    assert_eq!(
        call(&mut store, instance, "grow_memory", &[]),
        [Val::I32(1)]
    );
}

fn wrun(args: &[&str]) -> Output {
    common::wrun_cli()
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run wrun")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn cli_limits_on_every_tier() {
    let scratch = Scratch::new("resources", "cli");
    let wasm = scratch.file("grow.wasm");
    std::fs::write(&wasm, wat::parse_str(GROWER).unwrap()).unwrap();
    let wasm = wasm.to_str().unwrap();
    let preload = format!("other={wasm}");
    let aot = scratch.file("grow.aot");
    let compiled = wrun(&["compile", wasm, "-o", aot.to_str().unwrap()]);
    assert!(compiled.status.success(), "{}", stderr(&compiled));
    let runs: [&[&str]; 4] = [
        &["--tier", "interp"],
        &["--tier", "jit"],
        &["--tier", "auto", "--jit-threshold", "1"],
        &["--aot", aot.to_str().unwrap()],
    ];
    for tier_args in runs {
        let mut args = tier_args.to_vec();
        args.extend(["--max-memory-size", "192K", "--invoke", "grow_memory", wasm]);
        let out = wrun(&args);
        assert!(out.status.success(), "{tier_args:?}: {}", stderr(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "2",
            "{tier_args:?}"
        );

        let mut args = tier_args.to_vec();
        args.extend(["--max-table-elements", "3", "--invoke", "grow_table", wasm]);
        let out = wrun(&args);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "2",
            "{tier_args:?}"
        );

        let mut args = tier_args.to_vec();
        args.extend(["--max-memory-size", "1000", "--invoke", "grow_memory", wasm]);
        let out = wrun(&args);
        assert_eq!(out.status.code(), Some(1), "{tier_args:?}");
        assert!(
            stderr(&out).contains("max_memory_size"),
            "{tier_args:?}: {}",
            stderr(&out)
        );

        let mut args = tier_args.to_vec();
        args.extend([
            "--max-instances",
            "1",
            "--preload",
            &preload,
            "--invoke",
            "grow_memory",
            wasm,
        ]);
        let out = wrun(&args);
        assert_eq!(out.status.code(), Some(1), "{tier_args:?}");
        assert!(
            stderr(&out).contains("instance limit of 1 reached (max_instances)"),
            "{tier_args:?}: {}",
            stderr(&out)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Bounded code memory.

/// Each compiled function takes its own pages: two of them fill this cache.
const PAGE: u64 = 4096;
const TINY_CACHE: u64 = 2 * PAGE;
const HOT_FUNCTIONS: u32 = 10;

/// `main(n)`: `n` rounds calling `g0 .. g9` (each with a loop, so auto enters them by OSR);
/// `f(x)` calls every `g` twice between computing on its locals, so a `g` compiled under it
/// evicts `f` while `f` is on the stack, and `f` then returns into its evicted code.
fn churn_wat() -> String {
    let mut wat = String::from("(module\n");
    for k in 0..HOT_FUNCTIONS {
        wat.push_str(&format!(
            r#"  (func $g{k} (param $x i32) (result i32) (local $i i32)
    (loop $l
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const {m})) (i32.const {k})))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
    (local.get $x))
"#,
            m = 2 * k + 3
        ));
    }
    let calls: String = (0..HOT_FUNCTIONS)
        .map(|k| format!("(local.set $acc (call $g{k} (i32.add (local.get $acc) (local.get $i))))"))
        .collect();
    wat.push_str(&format!(
        r#"  (func (export "main") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      {calls}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "f") (param $x i32) (result i32) (local $i i32) (local $acc i32) (local $keep i32)
    (local.set $keep (i32.mul (local.get $x) (i32.const 7)))
    {calls}
    {calls}
    (i32.xor (i32.add (local.get $acc) (local.get $keep)) (i32.rotl (local.get $keep) (i32.const 5))))
)
"#
    ));
    wat
}

/// Runs `main(rounds)` then `f(x)` for several `x` on `tier` with `cache`; returns the results
/// and the module's tier statistics.
fn run_churn(
    tier: Tier,
    cache: Option<u64>,
    scratch: &Scratch,
) -> (Vec<Vec<Val>>, wrun::tier::TierStats) {
    let engine = engine(tier, StoreLimits::default(), cache);
    let module = module_on(&engine, scratch, &churn_wat());
    let mut store = Store::new(&engine);
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let mut results = vec![call(&mut store, instance, "main", &[Val::I32(50)])];
    for x in 0..6 {
        results.push(call(&mut store, instance, "f", &[Val::I32(x)]));
    }
    (results, module.tier_stats())
}

#[test]
fn a_hot_set_larger_than_the_code_cache_runs_correctly_under_churn_on_every_tier() {
    let scratch = Scratch::new("resources", "churn");
    let (expected, _) = run_churn(Tier::Interp, None, &scratch);
    for tier in TIERS {
        let (results, stats) = run_churn(tier, Some(TINY_CACHE), &scratch);
        assert_eq!(results, expected, "{tier:?}");
        match tier {
            // Under a bounded code cache `Opt` compiles with tier 1 as `Jit` does.
            Tier::Jit | Tier::Opt | Tier::Auto => {
                assert!(stats.evictions > 20, "{tier:?}: {stats:?}");
                assert!(
                    stats.compiled as u64 > stats.evictions,
                    "{tier:?}: {stats:?}"
                );
                assert!(stats.peak_code_memory <= TINY_CACHE, "{tier:?}: {stats:?}");
                assert!(stats.code_memory <= TINY_CACHE, "{tier:?}: {stats:?}");
                if tier == Tier::Auto {
                    assert!(stats.osr_entries > 0, "{stats:?}");
                }
            }
            // No compiled code, or a sidecar's: never evicted.
            Tier::Interp | Tier::Aot => assert_eq!(stats.evictions, 0, "{tier:?}: {stats:?}"),
        }
    }
    // Unbounded, nothing is evicted and the same results come out.
    let (results, stats) = run_churn(Tier::Auto, None, &scratch);
    assert_eq!(results, expected);
    assert_eq!(stats.evictions, 0);
    assert!(stats.peak_code_memory > TINY_CACHE, "{stats:?}");
}

#[test]
fn a_function_evicted_while_on_the_stack_returns_into_its_code_safely() {
    let scratch = Scratch::new("resources", "on-stack");
    let (expected, _) = run_churn(Tier::Interp, None, &scratch);
    for tier in [Tier::Jit, Tier::Auto] {
        // One page: only `f` fits, so compiling a `g` under the compiled `f` can only evict
        // `f`, while it waits for that call.
        let engine = engine(tier, StoreLimits::default(), Some(PAGE));
        let module = module_on(&engine, &scratch, &churn_wat());
        let mut store = Store::new(&engine);
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        for (x, want) in expected[1..].iter().enumerate() {
            let got = call(&mut store, instance, "f", &[Val::I32(x as i32)]);
            assert_eq!(&got, want, "{tier:?} f({x})");
        }
        let stats = module.tier_stats();
        assert!(stats.evictions_on_stack > 0, "{tier:?}: {stats:?}");
        assert!(stats.peak_code_memory <= PAGE, "{tier:?}: {stats:?}");
        assert!(stats.code_memory <= PAGE, "{tier:?}: {stats:?}");
    }
}

#[test]
fn cli_stats_report_evictions_and_peak_code_memory() {
    let scratch = Scratch::new("resources", "cli-cache");
    let wasm = scratch.file("churn.wasm");
    std::fs::write(&wasm, wat::parse_str(churn_wat()).unwrap()).unwrap();
    let wasm = wasm.to_str().unwrap();
    let reference = wrun(&["--tier", "interp", "--invoke", "main", wasm, "40"]);
    assert!(reference.status.success(), "{}", stderr(&reference));
    for tier in ["jit", "auto"] {
        let out = wrun(&[
            "--tier",
            tier,
            "--jit-threshold",
            "1",
            "--jit-cache-size",
            "8K",
            "--stats",
            "--invoke",
            "main",
            wasm,
            "40",
        ]);
        assert!(out.status.success(), "{tier}: {}", stderr(&out));
        assert_eq!(out.stdout, reference.stdout, "{tier}");
        let err = stderr(&out);
        let value = |name: &str| -> u64 {
            let line = err
                .lines()
                .find_map(|l| l.trim_start().strip_prefix(name)?.strip_prefix(':'))
                .unwrap_or_else(|| panic!("no {name} in {err}"));
            line.split_whitespace().next().unwrap().parse().unwrap()
        };
        assert!(value("evictions") > 0, "{tier}: {err}");
        assert!(value("peak code memory") <= 8192, "{tier}: {err}");
    }
}
