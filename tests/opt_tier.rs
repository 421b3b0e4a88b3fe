//! Tier 2's back end (`jit/opt`: lowering, register allocation, emission) through the
//! embedding API with `Tier::Opt`: each module is checked against the interpreter, and the
//! statistics say tier 2 compiled it (no fallback to tier 1) and, where the test is about
//! the allocator, that it spilled.

use wrun::jit::baseline::CpuFeatures;
use wrun::jit::opt::compile::{OptStats, prepare};
use wrun::module::parse;
use wrun::{Config, Engine, Linker, Module, Store, Tier, Trap, Val};

fn run(tier: Tier, wat: &str, export: &str, args: &[Val]) -> (Result<Vec<Val>, Trap>, Module) {
    let engine = Engine::new(Config {
        tier,
        ..Config::default()
    });
    let wasm = wat::parse_str(wat).expect("test module parses");
    let module = Module::new(&engine, &wasm).expect("test module is valid");
    let mut store = Store::new(&engine);
    let instance = Linker::new()
        .instantiate(&mut store, &module)
        .expect("test module instantiates");
    let func = instance.get_func(&store, export).expect("export exists");
    let result = func
        .call(&mut store, args)
        .map_err(|e| e.into_trap().expect("a trap, not an API error"));
    (result, module)
}

fn bits(values: &[Val]) -> Vec<String> {
    // F32/F64 carry bits, so the debug form compares NaNs bit for bit.
    values.iter().map(|v| format!("{v:?}")).collect()
}

/// Runs on the interpreter and on tier 2, compares, returns tier 2's statistics.
#[track_caller]
fn same_as_interp(wat: &str, export: &str, args: &[Val]) -> OptStats {
    let (expected, _) = run(Tier::Interp, wat, export, args);
    let (got, module) = run(Tier::Opt, wat, export, args);
    match (&expected, &got) {
        (Ok(a), Ok(b)) => assert_eq!(bits(a), bits(b), "{export}{args:?}"),
        (Err(a), Err(b)) => {
            assert_eq!(a.code, b.code, "{export}{args:?}");
            let offsets = |t: &Trap| {
                t.backtrace
                    .iter()
                    .map(|f| f.code_offset)
                    .collect::<Vec<_>>()
            };
            assert_eq!(offsets(a), offsets(b), "backtrace of {export}{args:?}");
        }
        _ => panic!("{export}{args:?}: interpreter {expected:?}, tier 2 {got:?}"),
    }
    module.tier_stats().tier2.expect("Tier::Opt reports tier 2")
}

const LOOPS: &str = r#"(module
  (memory 1)
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "sum") (param i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (local.get 2)))
      (i32.store (i32.shl (local.get 2) (i32.const 2)) (local.get 1))
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 2) (local.get 0))))
    (i32.add (local.get 1) (i32.load (i32.const 8))))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "mix") (param f64 i32) (result f64)
    (f64.add (f64.mul (local.get 0) (f64.convert_i32_s (local.get 1)))
             (f64.min (local.get 0) (f64.const -0.5))))
  (func (export "table") (param i32) (result i32)
    (block $c (block $b (block $a
      (br_table $a $b $c (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 20)))
    (i32.const 30)))"#;

#[test]
fn calls_loops_memory_and_traps_match_the_interpreter() {
    for n in [0i64, 1, 5, 20] {
        let stats = same_as_interp(LOOPS, "fac", &[Val::I64(n)]);
        assert_eq!((stats.optimized, stats.fell_back), (5, 0), "{stats:?}");
    }
    for n in [1, 2, 10, 1000] {
        same_as_interp(LOOPS, "sum", &[Val::I32(n)]);
    }
    for (a, b) in [(7, 2), (-7, 2), (1, 0), (i32::MIN, -1)] {
        same_as_interp(LOOPS, "div", &[Val::I32(a), Val::I32(b)]);
    }
    for (x, k) in [(1.5, 3), (-2.0, -1), (f64::NAN, 2)] {
        same_as_interp(LOOPS, "mix", &[Val::F64(f64::to_bits(x)), Val::I32(k)]);
    }
    for i in [0, 1, 2, 3, -1] {
        same_as_interp(LOOPS, "table", &[Val::I32(i)]);
    }
}

/// Twenty values live across a call: more than the seven allocatable integer registers,
/// and every register is clobbered by the call, so the allocator must spill them.
fn pressure_module() -> String {
    let mut body = String::new();
    for i in 0..20 {
        body.push_str(&format!(
            "(local.set {} (i64.mul (local.get 0) (i64.const {})))\n",
            i + 1,
            i + 3
        ));
    }
    body.push_str("(drop (call $id (local.get 0)))\n");
    let mut sum = "(local.get 1)".to_string();
    for i in 1..20 {
        sum = format!(
            "(i64.xor (i64.rotl {sum} (i64.const 7)) (local.get {}))",
            i + 1
        );
    }
    format!(
        r#"(module
  (func $id (param i64) (result i64) (local.get 0))
  (func (export "f") (param i64) (result i64) (local {locals})
    {body}
    {sum}))"#,
        locals = "i64 ".repeat(20)
    )
}

#[test]
fn values_live_across_a_call_are_spilled_and_reloaded() {
    let wat = pressure_module();
    for x in [0i64, 1, -3, 0x1234_5678_9abc] {
        let stats = same_as_interp(&wat, "f", &[Val::I64(x)]);
        assert_eq!(stats.fell_back, 0, "{stats:?}");
        assert!(stats.spill_slots >= 20, "{stats:?}");
    }
    // The same through `prepare`: the allocation of the function itself.
    let wasm = wat::parse_str(&wat).unwrap();
    let info = parse(&wasm).expect("valid");
    let prepared = prepare(&info, 1, CpuFeatures::detect(), false).expect("tier 2 takes it");
    assert!(prepared.spill_slots() >= 20, "{}", prepared.spill_slots());
    assert!(
        prepared.moves() >= 40,
        "spills and reloads: {}",
        prepared.moves()
    );
}

#[test]
fn fuel_goes_to_tier_1() {
    let wasm = wat::parse_str(LOOPS).unwrap();
    let info = parse(&wasm).expect("valid");
    let reason = prepare(&info, 0, CpuFeatures::detect(), true).err();
    assert!(reason.is_some_and(|r| r.contains("fuel")));
}
