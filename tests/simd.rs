//! SIMD (v128) around the tiers: values through the embedding API, and every mode compiling
//! SIMD functions with tier 1 (ARCHITECTURE.md, "Tier 1": `auto` compiles them when hot, a
//! sidecar holds their code, `--tier jit` compiles the module, with or without a code cache).

mod common;
use common::Scratch;

use wrun::{
    Config, Engine, Error, Extern, Func, FuncType, Linker, Module, SidecarFile, SidecarStatus,
    Store, Tier, Val, ValType,
};

/// `dot` (v128 work in a loop) called from `run`, a scalar function that tier 1 compiles;
/// `splat` takes and returns v128 values; a v128 global and a host function taking one.
const MODULE: &str = r#"(module
  (import "host" "sum" (func $sum (param v128) (result i64)))
  (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (func $dot (export "dot") (param $n i32) (result i32)
    (local $acc v128)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc
          (i32x4.add (local.get $acc) (i32x4.mul (global.get $g) (i32x4.splat (local.get $n)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (i32x4.extract_lane 3 (local.get $acc)))
  (func (export "run") (param $times i32) (result i32)
    (local $total i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $times)))
        (local.set $total (i32.add (local.get $total) (call $dot (i32.const 10))))
        (local.set $times (i32.sub (local.get $times) (i32.const 1)))
        (br $next)))
    (local.get $total))
  (func (export "splat") (param i64) (result v128 i32 v128)
    (i64x2.splat (local.get 0))
    (i32.const 7)
    (global.get $g))
  (func (export "sum") (result i64)
    (call $sum (v128.const i64x2 40 2))))"#;

fn engine(tier: Tier) -> Engine {
    Engine::new(Config {
        tier,
        jit_threshold: 1,
        ..Config::default()
    })
}

fn linker(store: &mut Store) -> Linker {
    let mut linker = Linker::new();
    // A v128 argument arrives as two slots, low half first.
    let sum = Func::new(
        store,
        FuncType::new([ValType::V128], [ValType::I64]),
        |_, slots| {
            slots[0] = slots[0].wrapping_add(slots[1]);
            Ok(())
        },
    );
    linker.define("host", "sum", Extern::Func(sum));
    linker
}

/// Runs every export on `module` and checks the results.
fn check(engine: &Engine, module: &Module) {
    let mut store = Store::new(engine);
    let linker = linker(&mut store);
    let instance = linker.instantiate(&mut store, module).unwrap();
    let func = |store: &Store, name: &str| match instance.get_export(store, name) {
        Some(Extern::Func(f)) => f,
        _ => panic!("no export {name}"),
    };
    // 4 * (10 + 9 + ... + 1) = 220 per call of `dot`.
    let run = func(&store, "run");
    assert_eq!(
        run.call(&mut store, &[Val::I32(5)]).unwrap(),
        [Val::I32(1100)]
    );
    let splat = func(&store, "splat");
    let lanes = |lo: u64, hi: u64| Val::V128(u128::from(lo) | (u128::from(hi) << 64));
    assert_eq!(
        splat.call(&mut store, &[Val::I64(-2)]).unwrap(),
        [
            lanes(u64::MAX - 1, u64::MAX - 1),
            Val::I32(7),
            lanes(1 | (2 << 32), 3 | (4 << 32))
        ]
    );
    let sum = func(&store, "sum");
    assert_eq!(sum.call(&mut store, &[]).unwrap(), [Val::I64(42)]);
    let Some(Extern::Global(g)) = instance.get_export(&store, "g") else {
        panic!("no global g");
    };
    assert_eq!(g.get(&store), lanes(1 | (2 << 32), 3 | (4 << 32)));
}

#[test]
fn the_interpreter_runs_simd() {
    let engine = engine(Tier::Interp);
    let module = Module::new(&engine, &wat::parse_str(MODULE).unwrap()).unwrap();
    check(&engine, &module);
}

#[test]
fn auto_mode_compiles_simd_functions() {
    let engine = engine(Tier::Auto);
    let module = Module::new(&engine, &wat::parse_str(MODULE).unwrap()).unwrap();
    check(&engine, &module);
    // `run` and `dot` (v128 local, global and operators) get hot in their loops and enter
    // compiled code there (OSR).
    let stats = module.tier_stats();
    assert_eq!((stats.compiled, stats.osr_functions), (2, 2), "{stats:?}");
    check(&engine, &module);
    let stats = module.tier_stats();
    assert_eq!(stats.compiled, 4, "{stats:?}");
}

#[test]
fn tier_jit_compiles_a_module_with_simd() {
    let engine = engine(Tier::Jit);
    let module = Module::new(&engine, &wat::parse_str(MODULE).unwrap()).unwrap();
    check(&engine, &module);
}

#[test]
fn tier_jit_with_a_code_cache_size_compiles_simd_too() {
    let engine = Engine::new(Config {
        tier: Tier::Jit,
        jit_cache_size: Some(1 << 20),
        ..Config::default()
    });
    let module = Module::new(&engine, &wat::parse_str(MODULE).unwrap()).unwrap();
    check(&engine, &module);
}

#[test]
fn sidecars_hold_code_of_simd_functions() {
    let scratch = Scratch::new("simd", "sidecar");
    let wasm = wat::parse_str(MODULE).unwrap();
    let path = scratch.path().join("simd.wrun");
    let cpu = wrun::jit::compile::CpuFeatures::detect();
    wrun::aot::write_sidecar(&wasm, &path, cpu, &mut |_, _| {}).unwrap();
    let engine = engine(Tier::Auto);
    let sidecar = SidecarFile {
        path: path.clone(),
        required: true,
    };
    let module = Module::with_sidecar(&engine, &wasm, Some(&sidecar)).unwrap();
    assert!(
        matches!(module.sidecar_status(), SidecarStatus::Used(_)),
        "{}",
        module.sidecar_status().describe()
    );
    check(&engine, &module);
}

#[test]
fn v128_arguments_are_type_checked() {
    let engine = engine(Tier::Interp);
    let module = Module::new(&engine, &wat::parse_str(MODULE).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let linker = linker(&mut store);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let Some(Extern::Func(dot)) = instance.get_export(&store, "dot") else {
        panic!("no export dot");
    };
    assert!(matches!(
        dot.call(&mut store, &[Val::V128(1)]),
        Err(Error::TypeMismatch { .. })
    ));
}

/// SIMD only on the operand stack: no type, local or global of the module has a v128, so the
/// compiler meets it only at the operator.
const STACK_ONLY: &str = r#"(module
  (func (export "scalar") (result i32) (i32.const 5))
  (func (export "lane") (param i32) (result i32)
    (i32x4.extract_lane 2 (i32x4.add (i32x4.splat (local.get 0)) (v128.const i32x4 1 2 3 4)))))"#;

fn check_stack_only(engine: &Engine, module: &Module) {
    let mut store = Store::new(engine);
    let instance = Linker::new().instantiate(&mut store, module).unwrap();
    for (name, args, result) in [("scalar", vec![], 5), ("lane", vec![Val::I32(10)], 13)] {
        let Some(Extern::Func(f)) = instance.get_export(&store, name) else {
            panic!("no export {name}");
        };
        for _ in 0..3 {
            assert_eq!(f.call(&mut store, &args).unwrap(), [Val::I32(result)]);
        }
    }
}

#[test]
fn simd_only_on_the_stack_is_compiled() {
    let wasm = wat::parse_str(STACK_ONLY).unwrap();
    let jit = engine(Tier::Jit);
    let module = Module::new(&jit, &wasm).unwrap();
    check_stack_only(&jit, &module);
    let auto = engine(Tier::Auto);
    let module = Module::new(&auto, &wasm).unwrap();
    check_stack_only(&auto, &module);
    assert_eq!(module.tier_stats().compiled, 2);

    let scratch = Scratch::new("simd", "stack-only");
    let path = scratch.path().join("stack.wrun");
    let cpu = wrun::jit::compile::CpuFeatures::detect();
    wrun::aot::write_sidecar(&wasm, &path, cpu, &mut |_, _| {}).unwrap();
    let sidecar = SidecarFile {
        path,
        required: true,
    };
    let module = Module::with_sidecar(&auto, &wasm, Some(&sidecar)).unwrap();
    assert!(matches!(module.sidecar_status(), SidecarStatus::Used(_)));
    // Both functions have code in the sidecar.
    assert_eq!(module.tier_stats().compiled, 2);
    check_stack_only(&auto, &module);
}

/// Tail calls with v128 arguments move them as two slots each (the argument area is counted
/// in slots), directly and through a table, on the tiers that run SIMD.
#[test]
fn tail_calls_move_v128_arguments_as_two_slots() {
    let script = r#"(module
  (func $sum (param v128 i32 v128) (result v128)
    (i32x4.add (local.get 0) (i32x4.add (local.get 2) (i32x4.splat (local.get 1)))))
  (func $h (param i32 v128 v128) (result v128)
    (return_call $sum (local.get 1) (local.get 0) (local.get 2)))
  (type $t (func (param v128 i32 v128) (result v128)))
  (table funcref (elem $sum))
  (func (export "direct") (param i32) (result v128)
    (return_call $h (local.get 0) (v128.const i32x4 1 2 3 4) (v128.const i32x4 10 20 30 40)))
  (func (export "indirect") (param i32) (result v128)
    (return_call_indirect (type $t) (v128.const i32x4 1 2 3 4) (local.get 0)
      (v128.const i32x4 10 20 30 40) (i32.const 0))))
(assert_return (invoke "direct" (i32.const 100)) (v128.const i32x4 111 122 133 144))
(assert_return (invoke "indirect" (i32.const 100)) (v128.const i32x4 111 122 133 144))
"#;
    for tier in [Tier::Interp, Tier::Auto, Tier::Aot] {
        let config = Config {
            tier,
            jit_threshold: 1,
            ..Config::default()
        };
        let report = wrun::wast_runner::run_wast("tail_v128.wast", script, &config);
        assert_eq!(
            (report.passed, report.failed, report.skipped),
            (3, 0, 0),
            "{tier:?}: {:#?}",
            report.failures
        );
    }
}
