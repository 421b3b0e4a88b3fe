//! Resource limits (`--max-memory-size`, `--max-table-elements`, `--max-instances`) and the
//! bounded code memory (`--jit-cache-size`) on every tier: interp, jit, auto (threshold 1, so
//! loops run compiled after OSR) and aot (a sidecar written and loaded back).

use std::path::PathBuf;
use std::process::{Command, Output};

use wrun::{
    Config, Engine, Error, Linker, Module, SidecarFile, SidecarStatus, Store, StoreLimits, Tier,
    Val,
};

const TIERS: [Tier; 4] = [Tier::Interp, Tier::Jit, Tier::Auto, Tier::Aot];

/// A scratch directory removed at drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("wrun-resources-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

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
    let scratch = Scratch::new("grow");
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
    let scratch = Scratch::new("unlimited");
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
    let scratch = Scratch::new("initial");
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
    let scratch = Scratch::new("instances");
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
    Command::new(env!("CARGO_BIN_EXE_wrun"))
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
    let scratch = Scratch::new("cli");
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
