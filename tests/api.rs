//! The embedding API's soundness guarantees, seen from outside the crate: a handle is only
//! usable with the store that made it. Using it with another store (live or made after its own
//! was dropped) panics before it is dereferenced or indexed, as in wasmtime. What no longer
//! compiles (building a `Caller`, a `Func` from an integer) is in the `compile_fail` doc tests
//! of `src/lib.rs`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use wrun::{
    Config, Engine, Error, Extern, Func, FuncType, Global, GlobalType, Instance, LinkReason,
    Linker, Module, Resource, ResourceError, Store, Table, TableType, Val, ValType,
};

const WAT: &str = r#"(module
    (memory (export "mem") 1)
    (table (export "tab") 2 funcref)
    (global (export "g") (mut i32) (i32.const 7))
    (func (export "answer") (result i32) i32.const 42))"#;

fn instantiate(engine: &Engine, store: &mut Store) -> Instance {
    let wasm = wat::parse_str(WAT).unwrap();
    let module = Module::new(engine, &wasm).unwrap();
    Linker::new().instantiate(store, &module).unwrap()
}

/// Runs `f` and returns its panic message; fails the test if it does not panic.
fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    let Err(payload) = catch_unwind(AssertUnwindSafe(f)) else {
        panic!("a foreign handle must panic");
    };
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else {
        String::new()
    }
}

fn assert_wrong_store<R>(f: impl FnOnce() -> R) {
    let message = panic_message(f);
    assert!(
        message.contains("object used with the wrong store"),
        "unexpected panic message: {message}"
    );
}

#[test]
fn handles_of_another_live_store_panic() {
    let engine = Engine::new(Config::default());
    let mut a = Store::new(&engine);
    let mut b = Store::new(&engine);
    let instance = instantiate(&engine, &mut a);
    instantiate(&engine, &mut b);
    let func = instance.get_func(&a, "answer").unwrap();
    assert_eq!(func.call(&mut a, &[]).unwrap(), vec![Val::I32(42)]);
    let Some(Extern::Memory(memory)) = instance.get_export(&a, "mem") else {
        panic!("no memory export")
    };
    let Some(Extern::Table(table)) = instance.get_export(&a, "tab") else {
        panic!("no table export")
    };
    let Some(Extern::Global(global)) = instance.get_export(&a, "g") else {
        panic!("no global export")
    };

    assert_wrong_store(|| func.call(&mut b, &[]));
    assert_wrong_store(|| func.ty(&b));
    assert_wrong_store(|| memory.data(&b).len());
    assert_wrong_store(|| memory.data_mut(&mut b).len());
    assert_wrong_store(|| memory.size(&b));
    assert_wrong_store(|| table.get(&b, 0));
    assert_wrong_store(|| table.size(&b));
    assert_wrong_store(|| global.get(&b));
    assert_wrong_store(|| instance.get_func(&b, "answer"));
    assert_wrong_store(|| instance.exports(&b));

    // The store that made them still works after the refusals.
    assert_eq!(func.call(&mut a, &[]).unwrap(), vec![Val::I32(42)]);
    assert_eq!(global.get(&a), Val::I32(7));
}

#[test]
fn handles_of_a_dropped_store_panic() {
    let engine = Engine::new(Config::default());
    let mut old = Store::new(&engine);
    let instance = instantiate(&engine, &mut old);
    let func = instance.get_func(&old, "answer").unwrap();
    drop(old);
    // The new store may reuse the freed addresses and indices; its id is new all the same.
    let mut new = Store::new(&engine);
    instantiate(&engine, &mut new);
    assert_wrong_store(|| func.call(&mut new, &[]));
    assert_wrong_store(|| instance.get_func(&new, "answer"));
}

#[test]
fn foreign_funcrefs_and_imports_are_refused() {
    let engine = Engine::new(Config::default());
    let mut a = Store::new(&engine);
    let mut b = Store::new(&engine);
    let host = Func::new(
        &mut a,
        FuncType::new(vec![], vec![ValType::I32]),
        |_, slots| {
            slots[0] = 1;
            Ok(())
        },
    );
    let table_type = TableType {
        elem: ValType::FuncRef,
        limits: wrun::Limits { min: 1, max: None },
    };
    assert_wrong_store(|| Table::new(&mut b, table_type, Val::FuncRef(Some(host))));
    let global_type = GlobalType {
        ty: ValType::FuncRef,
        mutable: false,
    };
    assert_wrong_store(|| Global::new(&mut b, global_type, Val::FuncRef(Some(host))));

    // A function taking a funcref, called with a function of another store.
    let wasm = wat::parse_str(r#"(module (func (export "f") (param funcref)))"#).unwrap();
    let module = Module::new(&engine, &wasm).unwrap();
    let instance = Linker::new().instantiate(&mut b, &module).unwrap();
    let f = instance.get_func(&b, "f").unwrap();
    assert_wrong_store(|| f.call(&mut b, &[Val::FuncRef(Some(host))]));

    // An import satisfied by another store's function.
    let wasm = wat::parse_str(r#"(module (import "host" "one" (func (result i32))))"#).unwrap();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut linker = Linker::new();
    linker.define("host", "one", Extern::Func(host));
    assert_wrong_store(|| linker.instantiate(&mut b, &module));
    linker.instantiate(&mut a, &module).unwrap();
}

#[test]
fn func_new_refuses_funcref_results() {
    let engine = Engine::new(Config::default());
    let mut store = Store::new(&engine);
    let message = panic_message(|| {
        Func::new(
            &mut store,
            FuncType::new(vec![], vec![ValType::FuncRef]),
            |_, slots| {
                slots[0] = 0x1234;
                Ok(())
            },
        );
    });
    assert!(message.contains("Func::new_unchecked"), "{message}");
}

/// Every tier calls a typed host function, with and without `Caller`, returning plain values,
/// tuples and `Result`s, and traps when it returns `Err`.
#[test]
fn typed_host_functions_on_every_tier() {
    use wrun::{Caller, Tier, Trap};
    const WAT: &str = r#"(module
        (import "host" "add" (func $add (param i32 i64) (result i64)))
        (import "host" "swap" (func $swap (param f32 f64) (result f64 f32)))
        (import "host" "poke" (func $poke (param i32 i32)))
        (import "host" "div" (func $div (param i32 i32) (result i32)))
        (memory (export "mem") 1)
        (func (export "add") (param i32 i64) (result i64)
            local.get 0 local.get 1 call $add)
        (func (export "swap") (param f32 f64) (result f64 f32)
            local.get 0 local.get 1 call $swap)
        (func (export "poke") (param i32 i32) (result i32)
            local.get 0 local.get 1 call $poke
            local.get 0 i32.load8_u)
        (func (export "div") (param i32 i32) (result i32)
            local.get 0 local.get 1 call $div))"#;
    let wasm = wat::parse_str(WAT).unwrap();
    for tier in [Tier::Interp, Tier::Jit, Tier::Auto] {
        let config = Config {
            tier,
            // Auto: compile at the second call, so both tiers call the host functions.
            jit_threshold: 1,
            ..Config::default()
        };
        let engine = Engine::new(config);
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine);
        let add = Func::wrap(&mut store, |a: i32, b: i64| a as i64 + b);
        let swap = Func::wrap(&mut store, |a: f32, b: f64| (b, a));
        let poke = Func::wrap(
            &mut store,
            |caller: &mut Caller<'_>, at: u32, value: i32| {
                let memory = caller.memory().ok_or_else(|| Trap::host("no memory"))?;
                memory[at as usize] = value as u8;
                Ok(())
            },
        );
        let div = Func::wrap(&mut store, |a: u32, b: u32| {
            a.checked_div(b)
                .ok_or_else(|| Trap::host("host divide by zero"))
        });
        let mut linker = Linker::new();
        for (name, func) in [("add", add), ("swap", swap), ("poke", poke), ("div", div)] {
            linker.define("host", name, Extern::Func(func));
        }
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let export = |store: &Store, name: &str| instance.get_func(store, name).unwrap();
        for _ in 0..3 {
            let add = export(&store, "add");
            let sum = add.call(&mut store, &[Val::I32(-2), Val::I64(1 << 40)]);
            assert_eq!(sum.unwrap(), [Val::I64((1 << 40) - 2)], "{tier:?}");
            let swap = export(&store, "swap");
            let swapped = swap.call(
                &mut store,
                &[Val::F32(1.5f32.to_bits()), Val::F64(2.5f64.to_bits())],
            );
            assert_eq!(
                swapped.unwrap(),
                [Val::F64(2.5f64.to_bits()), Val::F32(1.5f32.to_bits())],
                "{tier:?}"
            );
            let poke = export(&store, "poke");
            let poked = poke.call(&mut store, &[Val::I32(7), Val::I32(0x1ab)]);
            assert_eq!(poked.unwrap(), [Val::I32(0xab)], "{tier:?}");
            let div = export(&store, "div");
            let quotient = div.call(&mut store, &[Val::I32(-1), Val::I32(2)]);
            assert_eq!(quotient.unwrap(), [Val::I32(i32::MAX)], "{tier:?}");
            let trap = div
                .call(&mut store, &[Val::I32(1), Val::I32(0)])
                .unwrap_err();
            assert!(
                trap.to_string().contains("host divide by zero"),
                "{tier:?}: {trap}"
            );
        }
        // The derived types.
        assert_eq!(
            add.ty(&store),
            FuncType::new(vec![ValType::I32, ValType::I64], vec![ValType::I64])
        );
        assert_eq!(
            poke.ty(&store),
            FuncType::new(vec![ValType::I32, ValType::I32], vec![])
        );
    }
}

#[test]
fn errors_are_typed() {
    let engine = Engine::new(Config::default());
    // A body that does not validate: the function and the offset come as fields.
    let bad = wat::parse_str("(module (func) (func (result i32) (i64.const 1)))").unwrap();
    match Module::new(&engine, &bad) {
        Err(Error::Validation {
            function, offset, ..
        }) => {
            assert_eq!(function, Some(1));
            assert!(offset > 0 && offset < bad.len(), "{offset}");
        }
        other => panic!("expected a validation error, got {:?}", other.map(|_| ())),
    }
    // An unknown import names the import.
    let importer = wat::parse_str(r#"(module (import "env" "f" (func)))"#).unwrap();
    let module = Module::new(&engine, &importer).unwrap();
    let mut store = Store::new(&engine);
    match Linker::new().instantiate(&mut store, &module) {
        Err(Error::Link {
            module,
            name,
            reason: LinkReason::Unknown,
        }) => assert_eq!((module.as_str(), name.as_str()), ("env", "f")),
        other => panic!("expected a link error, got {:?}", other.map(|_| ())),
    }
    // A memory larger than the store's limit: the resource, what was asked and the limit.
    let big = wat::parse_str("(module (memory 2))").unwrap();
    let module = Module::new(&engine, &big).unwrap();
    let mut limited = Store::new(&engine);
    limited.set_limits(wrun::StoreLimits {
        max_memory_size: Some(65536),
        ..Default::default()
    });
    match Linker::new().instantiate(&mut limited, &module) {
        Err(Error::Resource(ResourceError::StoreLimit {
            resource: Resource::Memory,
            requested: 2,
            limit: 65536,
        })) => {}
        other => panic!("expected a store limit, got {:?}", other.map(|_| ())),
    }
    // A global of one type given a value of another.
    let ty = GlobalType {
        ty: ValType::I32,
        mutable: false,
    };
    match Global::new(&mut store, ty, Val::I64(1)) {
        Err(Error::TypeMismatch {
            expected, found, ..
        }) => assert_eq!((expected.as_str(), found.as_str()), ("i32", "i64")),
        other => panic!("expected a type mismatch, got {:?}", other.map(|_| ())),
    }
}
