//! Fuel (ARCHITECTURE.md "Fuel") on every tier: the same program with the same budget ends at
//! the same point (same result or trap, same side effects, same fuel left) on the interpreter,
//! the JIT, the tier manager (tiering up by calls and by OSR at several moments) and AOT
//! sidecars; completed runs cost exactly wasmtime's operator counts; a trap in mid-block
//! leaves that block charged in full; the store's fuel is shared by its instances; sidecars
//! serve only runs with their own fuel setting; the CLI's `--fuel` traps with wasmtime's
//! message and status 134.

mod common;
use common::Scratch;

use std::path::Path;

use wrun::{
    Config, Engine, Error, Extern, Func, Linker, Module, SidecarFile, SidecarStatus, Store, Tier,
    Val,
};

/// A loop with a call into wasm (which tiers up on its own), a host call, `if`/`else`,
/// `br_table`, memory and global side effects.
const PROGRAM: &str = r#"(module
  (import "host" "tick" (func $tick (param i32)))
  (global $count (export "count") (mut i32) (i32.const 0))
  (memory (export "mem") 1)
  (func $step (param i32) (result i32)
    (if (result i32) (i32.rem_u (local.get 0) (i32.const 7))
      (then (i32.mul (local.get 0) (i32.const 3)))
      (else (i32.add (local.get 0) (i32.const 1)))))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (global.set $count (i32.add (global.get $count) (i32.const 1)))
        (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $acc))
        (local.set $acc (i32.add (local.get $acc) (call $step (local.get $i))))
        (block $a
          (block $b
            (br_table $a $b $a (i32.rem_u (local.get $i) (i32.const 3))))
          (call $tick (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $acc)))"#;

/// `(result i32)`: 5 iterations of an 8-operator block, then `local.get`: 41 fuel.
const COUNTED: &str = r#"(module
  (func (export "count") (param i32) (result i32) (local i32)
    loop
      local.get 1 i32.const 1 i32.add local.set 1
      local.get 1 local.get 0 i32.lt_u br_if 0
    end
    local.get 1))"#;

/// How a test run loads its module.
#[derive(Clone, Copy, Debug)]
enum Way {
    Tier(Tier, u32),
    /// `Tier::Interp` with every function from a sidecar compiled with fuel charges.
    Aot,
}

fn ways() -> Vec<Way> {
    vec![
        Way::Tier(Tier::Interp, 1),
        Way::Tier(Tier::Jit, 1),
        // Threshold 1: compiled at the second call, loops entered by OSR at once; higher ones
        // move to compiled code in the middle of the run.
        Way::Tier(Tier::Auto, 1),
        Way::Tier(Tier::Auto, 3),
        Way::Tier(Tier::Auto, 10),
        Way::Aot,
    ]
}

fn engine(way: Way, consume_fuel: bool) -> Engine {
    let (tier, jit_threshold) = match way {
        Way::Tier(tier, threshold) => (tier, threshold),
        Way::Aot => (Tier::Interp, 1),
    };
    Engine::new(Config {
        tier,
        jit_threshold,
        consume_fuel,
        ..Config::default()
    })
}

/// Loads `wasm` as `way` says; for `Aot`, from the sidecar in `dir` (written on first use).
fn load(way: Way, engine: &Engine, wasm: &[u8], dir: &Scratch) -> Module {
    match way {
        Way::Tier(..) => Module::new(engine, wasm).unwrap(),
        Way::Aot => {
            let path = dir.file("m.wrun");
            if !path.exists() {
                let cpu = wrun::jit::compile::CpuFeatures::detect();
                wrun::aot::write_sidecar_metered(wasm, &path, cpu, true, &mut |_, _| {}).unwrap();
            }
            let file = SidecarFile {
                path,
                required: true,
            };
            let module = Module::with_sidecar(engine, wasm, Some(&file)).unwrap();
            assert!(
                matches!(module.sidecar_status(), SidecarStatus::Used(_)),
                "{:?}",
                module.sidecar_status()
            );
            module
        }
    }
}

/// Everything a run of `run(n)` with `budget` leaves behind.
#[derive(Debug, PartialEq)]
struct Ending {
    result: Result<Vec<Val>, String>,
    count: Val,
    memory_hash: u64,
    ticks: Vec<i32>,
    fuel_left: u64,
}

/// Runs `run(n)` of a freshly loaded [`PROGRAM`] (so the tier manager starts from cold and
/// tiers up at a different moment of the run for each threshold).
fn run_program(way: Way, dir: &Scratch, n: i32, budget: u64) -> Ending {
    let engine = engine(way, true);
    let module = load(way, &engine, &wat::parse_str(PROGRAM).unwrap(), dir);
    let module = &module;
    let mut store = Store::new(&engine);
    store.set_fuel(budget).unwrap();
    let ticks = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = ticks.clone();
    let tick = Func::wrap(&mut store, move |i: i32| seen.borrow_mut().push(i));
    let mut linker = Linker::new();
    linker.define("host", "tick", Extern::Func(tick));
    let instance = linker.instantiate(&mut store, module).unwrap();
    let run = instance.get_func(&store, "run").unwrap();
    let result = run.call(&mut store, &[Val::I32(n)]).map_err(|error| {
        error
            .into_trap()
            .map_or_else(|e| e.to_string(), |t| t.message())
    });
    let Some(Extern::Global(count)) = instance.get_export(&store, "count") else {
        panic!("{way:?}: no global");
    };
    let Some(Extern::Memory(memory)) = instance.get_export(&store, "mem") else {
        panic!("{way:?}: no memory");
    };
    let memory_hash = memory
        .data(&store)
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    let ticks = ticks.borrow().clone();
    Ending {
        result,
        count: count.get(&store),
        memory_hash,
        ticks,
        fuel_left: store.get_fuel().unwrap(),
    }
}

#[test]
fn every_tier_runs_out_at_the_same_point() {
    let dir = Scratch::new("fuel", "same-point");
    let ways = ways();
    // Every budget up to a completed run of 12 iterations, so every block start of every
    // iteration is the one that runs out for some budget.
    let complete = run_program(ways[0], &dir, 12, u64::MAX >> 1);
    let needed = (u64::MAX >> 1) - complete.fuel_left;
    assert!(complete.result.is_ok(), "{complete:?}");
    let mut out_of_fuel = 0;
    for budget in 0..=needed + 3 {
        let reference = run_program(ways[0], &dir, 12, budget);
        if reference.result.is_err() {
            out_of_fuel += 1;
            assert_eq!(
                reference.result,
                Err("all fuel consumed by WebAssembly".to_string())
            );
            assert_eq!(reference.fuel_left, 0);
        } else {
            assert_eq!(reference.fuel_left, budget - needed);
        }
        for &way in &ways[1..] {
            let ending = run_program(way, &dir, 12, budget);
            assert_eq!(ending, reference, "{way:?} with budget {budget}");
        }
    }
    assert_eq!(out_of_fuel, needed, "every budget below {needed} runs out");
}

#[test]
fn completed_runs_cost_wasmtimes_operator_counts_on_every_tier() {
    let wasm = wat::parse_str(COUNTED).unwrap();
    let dir = Scratch::new("fuel", "counted");
    for way in ways() {
        let engine = engine(way, true);
        let module = load(way, &engine, &wasm, &dir);
        let mut store = Store::new(&engine);
        store.set_fuel(1000).unwrap();
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        let count = instance.get_func(&store, "count").unwrap();
        // Called repeatedly so the tier manager compiles it in between.
        for call in 1..=4u64 {
            assert_eq!(
                count.call(&mut store, &[Val::I32(5)]).unwrap(),
                [Val::I32(5)]
            );
            assert_eq!(store.get_fuel().unwrap(), 1000 - 41 * call, "{way:?}");
        }
        // 836 left: the fifth call needs 41 -> 795; then exactly 41 is enough, 40 is not.
        store.set_fuel(41).unwrap();
        assert!(count.call(&mut store, &[Val::I32(5)]).is_ok(), "{way:?}");
        assert_eq!(store.get_fuel().unwrap(), 0);
        store.set_fuel(40).unwrap();
        let trap = count
            .call(&mut store, &[Val::I32(5)])
            .unwrap_err()
            .into_trap()
            .unwrap();
        assert_eq!(trap.message(), "all fuel consumed by WebAssembly");
        assert_eq!(trap.code, wrun::TrapCode::OutOfFuel);
        assert_eq!(store.get_fuel().unwrap(), 0, "{way:?}");
        // add_fuel adds to what is left.
        store.add_fuel(50).unwrap();
        assert!(count.call(&mut store, &[Val::I32(5)]).is_ok(), "{way:?}");
        assert_eq!(store.get_fuel().unwrap(), 9, "{way:?}");
    }
}

#[test]
fn a_trap_in_mid_block_leaves_the_block_charged_in_full_on_every_tier() {
    // Entry block: local.get, if (2). Then-arm: i32.const, local.get, i32.const, i32.sub,
    // i32.div_u (5; drop is free), charged before the division runs. After `end`: i32.const (1).
    let wasm = wat::parse_str(
        r#"(module
          (func (export "f") (param i32) (result i32)
            local.get 0
            if
              i32.const 1 local.get 0 i32.const 1 i32.sub i32.div_u drop
            end
            i32.const 7))"#,
    )
    .unwrap();
    let dir = Scratch::new("fuel", "mid-block");
    for way in ways() {
        let engine = engine(way, true);
        let module = load(way, &engine, &wasm, &dir);
        let mut store = Store::new(&engine);
        store.set_fuel(100).unwrap();
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        let f = instance.get_func(&store, "f").unwrap();
        // f(1): 1 / 0 traps inside the then-arm, which was charged in full.
        let trap = f
            .call(&mut store, &[Val::I32(1)])
            .unwrap_err()
            .into_trap()
            .unwrap();
        assert_eq!(trap.code, wrun::TrapCode::IntegerDivideByZero, "{way:?}");
        assert_eq!(store.get_fuel().unwrap(), 100 - 2 - 5, "{way:?}");
        // f(2) completes: 2 + 5 + 1 (`i32.const 7`).
        assert_eq!(f.call(&mut store, &[Val::I32(2)]).unwrap(), [Val::I32(7)]);
        assert_eq!(store.get_fuel().unwrap(), 93 - 8, "{way:?}");
    }
}

#[test]
fn instances_of_one_store_share_its_fuel() {
    let wasm = wat::parse_str(COUNTED).unwrap();
    let dir = Scratch::new("fuel", "shared");
    for way in ways() {
        let engine = engine(way, true);
        let module = load(way, &engine, &wasm, &dir);
        let mut store = Store::new(&engine);
        store.set_fuel(100).unwrap();
        let a = Linker::new().instantiate(&mut store, &module).unwrap();
        let b = Linker::new().instantiate(&mut store, &module).unwrap();
        let count_a = a.get_func(&store, "count").unwrap();
        let count_b = b.get_func(&store, "count").unwrap();
        count_a.call(&mut store, &[Val::I32(5)]).unwrap();
        count_b.call(&mut store, &[Val::I32(5)]).unwrap();
        assert_eq!(store.get_fuel().unwrap(), 100 - 82, "{way:?}");
        let trap = count_a
            .call(&mut store, &[Val::I32(5)])
            .unwrap_err()
            .into_trap()
            .unwrap();
        assert_eq!(trap.code, wrun::TrapCode::OutOfFuel, "{way:?}");
    }
}

#[test]
fn fuel_api_needs_fuel_enabled_and_a_store_starts_empty() {
    let engine = Engine::new(Config::default());
    let mut store = Store::new(&engine);
    assert!(matches!(store.set_fuel(10), Err(Error::FuelNotEnabled)));
    assert!(matches!(store.get_fuel(), Err(Error::FuelNotEnabled)));
    assert!(matches!(store.add_fuel(1), Err(Error::FuelNotEnabled)));

    let mut config = Config::default();
    config.consume_fuel(true);
    let engine = Engine::new(config);
    let module = Module::new(&engine, &wat::parse_str(COUNTED).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    assert_eq!(store.get_fuel().unwrap(), 0);
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let count = instance.get_func(&store, "count").unwrap();
    let trap = count
        .call(&mut store, &[Val::I32(5)])
        .unwrap_err()
        .into_trap()
        .unwrap();
    assert_eq!(trap.code, wrun::TrapCode::OutOfFuel);
    // More than i64::MAX is taken as i64::MAX.
    store.set_fuel(u64::MAX).unwrap();
    assert_eq!(store.get_fuel().unwrap(), i64::MAX as u64);
}

/// Loads `wasm` with the sidecar `sidecar` on an engine with `consume_fuel`.
fn sidecar_status(wasm: &[u8], sidecar: &Path, consume_fuel: bool) -> SidecarStatus {
    let engine = engine(Way::Aot, consume_fuel);
    let file = SidecarFile {
        path: sidecar.to_path_buf(),
        required: true,
    };
    let module = Module::with_sidecar(&engine, wasm, Some(&file)).unwrap();
    module.sidecar_status().clone()
}

#[test]
fn sidecars_serve_only_runs_with_their_fuel_setting() {
    let wasm = wat::parse_str(COUNTED).unwrap();
    let dir = Scratch::new("fuel", "sidecar-setting");
    let cpu = wrun::jit::compile::CpuFeatures::detect();
    let plain = dir.file("plain.wrun");
    let metered = dir.file("metered.wrun");
    wrun::aot::write_sidecar_metered(&wasm, &plain, cpu, false, &mut |_, _| {}).unwrap();
    wrun::aot::write_sidecar_metered(&wasm, &metered, cpu, true, &mut |_, _| {}).unwrap();
    assert!(matches!(
        sidecar_status(&wasm, &plain, false),
        SidecarStatus::Used(_)
    ));
    assert!(matches!(
        sidecar_status(&wasm, &metered, true),
        SidecarStatus::Used(_)
    ));
    for (path, fuel, expected) in [
        (&plain, true, "compiled without fuel metering"),
        (&metered, false, "compiled with fuel metering"),
    ] {
        match sidecar_status(&wasm, path, fuel) {
            SidecarStatus::Refused { reason, .. } => {
                assert!(reason.contains(expected), "{reason}")
            }
            other => panic!("{}: expected a refusal, got {other:?}", path.display()),
        }
    }
}

fn wrun(args: &[&str]) -> std::process::Output {
    common::wrun_cli().args(args).output().unwrap()
}

#[test]
fn cli_fuel_traps_with_wasmtimes_message_and_status_134_on_every_tier() {
    let dir = Scratch::new("fuel", "cli");
    let module = dir.file("m.wat");
    std::fs::write(&module, COUNTED).unwrap();
    let module = module.to_str().unwrap();
    for tier in ["interp", "jit", "auto"] {
        let out = wrun(&[
            "--tier", tier, "--fuel", "41", "--invoke", "count", module, "5",
        ]);
        assert!(out.status.success(), "{tier}: {out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "5");
        let out = wrun(&[
            "--tier", tier, "--fuel", "40", "--invoke", "count", module, "5",
        ]);
        assert_eq!(out.status.code(), Some(134), "{tier}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("all fuel consumed by WebAssembly"),
            "{tier}: {stderr}"
        );
    }
    // AOT: a sidecar compiled with `--fuel` serves `--fuel` runs; one without is ignored there
    // with a warning (and the run is still metered).
    let wasm = dir.file("m.wasm");
    std::fs::write(&wasm, wat::parse_str(COUNTED).unwrap()).unwrap();
    let wasm = wasm.to_str().unwrap();
    for (compile_args, warned) in [(&["--fuel"][..], false), (&[][..], true)] {
        let out = wrun(&[&["compile", wasm][..], compile_args].concat());
        assert!(out.status.success(), "{out:?}");
        for (fuel, status) in [("41", 0), ("40", 134)] {
            let out = wrun(&["--fuel", fuel, "--invoke", "count", wasm, "5"]);
            assert_eq!(out.status.code(), Some(status), "{compile_args:?}: {out:?}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                stderr.contains("ignoring sidecar"),
                warned,
                "{compile_args:?}: {stderr}"
            );
        }
    }
}
