//! End-to-end tests of loading, linking and instantiation.

use crate::{Config, Engine, Error, Extern, Linker, Module, Store, Val};

fn engine() -> Engine {
    Engine::new(Config::default())
}

fn module(engine: &Engine, wat: &str) -> Module {
    Module::new(engine, &wat::parse_str(wat).expect("test wat")).expect("valid module")
}

#[test]
fn call_exported_function() {
    let engine = engine();
    let m = module(
        &engine,
        r#"(module (func (export "add") (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.add))"#,
    );
    let mut store = Store::new(&engine);
    let instance = Linker::new().instantiate(&mut store, &m).unwrap();
    let add = instance.get_func(&store, "add").unwrap();
    assert_eq!(
        add.call(&mut store, &[Val::I32(2), Val::I32(3)]).unwrap(),
        vec![Val::I32(5)]
    );
}

#[test]
fn data_segment_is_written() {
    let engine = engine();
    let m = module(
        &engine,
        r#"(module (memory (export "m") 1) (data (i32.const 8) "hi"))"#,
    );
    let mut store = Store::new(&engine);
    let instance = Linker::new().instantiate(&mut store, &m).unwrap();
    let Some(Extern::Memory(memory)) = instance.get_export(&store, "m") else {
        panic!()
    };
    assert_eq!(memory.size(&store), 1);
    assert_eq!(&memory.data(&store)[8..10], b"hi");
}

#[test]
fn unknown_import_is_a_link_error() {
    let engine = engine();
    let m = module(&engine, r#"(module (import "env" "f" (func)))"#);
    let mut store = Store::new(&engine);
    match Linker::new().instantiate(&mut store, &m) {
        Err(Error::Link {
            module,
            name,
            reason,
        }) => {
            assert_eq!((module.as_str(), name.as_str()), ("env", "f"));
            assert_eq!(reason, crate::LinkReason::Unknown);
        }
        other => panic!("unexpected {:?}", other.map(|_| ())),
    }
}

fn instantiate(store: &mut Store, linker: &Linker, m: &Module) -> crate::Instance {
    linker
        .instantiate(store, m)
        .unwrap_or_else(|e| panic!("instantiation failed: {e}"))
}

fn link_error(result: Result<crate::Instance, Error>) -> String {
    match result {
        Err(error @ (Error::Link { .. } | Error::EngineMismatch)) => error
            .to_string()
            .trim_start_matches("link error: ")
            .to_string(),
        Err(other) => panic!("expected a link error, got {other}"),
        Ok(_) => panic!("expected a link error, instantiation succeeded"),
    }
}

fn trap_message(result: Result<crate::Instance, Error>) -> String {
    match result {
        Err(Error::Trap(trap)) => trap.message(),
        Err(other) => panic!("expected a trap, got {other}"),
        Ok(_) => panic!("expected a trap, instantiation succeeded"),
    }
}

/// The context of instance `instance`, for calling libcalls directly.
fn vmctx_of(store: &Store, instance: crate::Instance) -> *mut super::VmCtx {
    let data = store.data.instance(instance.index).expect("live instance");
    (&*data.vmctx as *const super::VmCtx).cast_mut()
}

#[test]
fn invalid_module_reports_reason_and_offset() {
    // (module (func (result i32) i64.const 0)): a type mismatch at the `end` of the body.
    let wasm = wat::parse_str("(module (func (result i32) i64.const 0))").unwrap();
    let err = crate::module::parse(&wasm).unwrap_err();
    assert!(err.message.contains("type mismatch"), "{err}");
    assert!(err.offset > 8 && err.offset < wasm.len(), "{err}");

    let err = crate::module::parse(b"\0asm\x02\0\0\0").unwrap_err();
    assert_eq!(err.offset, 4, "{err}");
    let err = crate::module::parse(b"\0asX").unwrap_err();
    assert!(err.message.contains("magic"), "{err}");
    let err = crate::module::parse(b"").unwrap_err();
    assert_eq!(err.offset, 0, "{err}");
    // A truncated module (a section that ends early) is an error, not a panic.
    let err = crate::module::parse(&wasm[..wasm.len() - 2]).unwrap_err();
    assert!(err.offset <= wasm.len(), "{err}");
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    let wasm = wat::parse_str(
        r#"(module (type (func (param i32) (result i32))) (import "a" "b" (func (type 0)))
            (table 2 funcref) (memory 1) (global (mut i32) (i32.const 7))
            (export "f" (func 1)) (elem (i32.const 0) func 0 1) (data (i32.const 0) "abc")
            (func (type 0) local.get 0))"#,
    )
    .unwrap();
    assert!(crate::module::parse(&wasm).is_ok());
    // A cut inside a section is always an error; a cut between sections may be a valid
    // smaller module. Either way, never a panic.
    let mut boundaries = vec![8];
    for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
        if let Some((_, range)) = payload.unwrap().as_section() {
            boundaries.push(range.end);
        }
    }
    for len in 0..wasm.len() {
        let valid = crate::module::parse(&wasm[..len]).is_ok();
        assert!(
            !valid || boundaries.contains(&len),
            "prefix of {len} bytes accepted"
        );
    }
}

/// wrun validates exactly wasm 2.0 (SIMD included), plus extended constant expressions, tail
/// calls and exception handling: every other proposal is refused, and the error names it (the word each is checked
/// for is the one wasmparser's message uses).
#[test]
fn features_outside_wasm2_plus_extended_const_tail_calls_and_exceptions_are_rejected() {
    let rejected = [
        (
            "relaxed-simd",
            "(module (func (param v128) (result v128) local.get 0 local.get 0 i8x16.relaxed_swizzle))",
            "relaxed SIMD",
        ),
        ("threads", "(module (memory 1 1 shared))", "threads"),
        (
            "multi-memory",
            "(module (memory 1) (memory 1))",
            "multiple memories",
        ),
        ("memory64", "(module (memory i64 1))", "memory64"),
        (
            "legacy-exceptions",
            "(module (tag) (func try catch 0 end))",
            "legacy_exceptions",
        ),
        (
            "function-references",
            "(module (func (param (ref func))))",
            "function references",
        ),
    ];
    for (feature, text, named) in rejected {
        let wasm = wat::parse_str(text).unwrap();
        match crate::module::parse(&wasm) {
            Ok(_) => panic!("{feature} accepted"),
            Err(e) => assert!(
                e.to_string().contains(named),
                "{feature}: the error does not name it: {e}"
            ),
        }
    }
    let accepted = [
        ("simd", "(module (func (result v128) v128.const i64x2 0 0))"),
        (
            "tail-call",
            "(module (type $t (func)) (table 1 funcref) (func return_call 0) \
             (func i32.const 0 return_call_indirect (type $t)))",
        ),
        (
            "extended-const",
            "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))",
        ),
        (
            "sign-extension",
            "(module (func (param i32) (result i32) local.get 0 i32.extend8_s))",
        ),
        (
            "saturating",
            "(module (func (param f32) (result i32) local.get 0 i32.trunc_sat_f32_s))",
        ),
        (
            "multi-value",
            "(module (func (result i32 i64) i32.const 1 i64.const 2))",
        ),
        (
            "bulk-memory",
            "(module (memory 1) (func i32.const 0 i32.const 0 i32.const 0 memory.fill))",
        ),
        (
            "reference-types",
            "(module (table 1 externref) (table 1 funcref) (func (param externref)))",
        ),
        (
            "exceptions",
            r#"(module (tag $e (param i32)) (import "m" "t" (tag)) (export "e" (tag $e))
                (func (result exnref) (block (result exnref)
                  (try_table (catch_all_ref 0) (throw $e (i32.const 1))) (ref.null exn))))"#,
        ),
        (
            "mutable-global",
            r#"(module (import "a" "g" (global (mut i32))))"#,
        ),
    ];
    for (feature, text) in accepted {
        let wasm = wat::parse_str(text).unwrap();
        if let Err(e) = crate::module::parse(&wasm) {
            panic!("{feature} rejected: {e}");
        }
    }
}

#[test]
fn module_info_is_complete() {
    let wasm = wat::parse_str(
        r#"(module $m
            (import "env" "f" (func $imported (param i32)))
            (import "env" "g" (global i32))
            (table 4 funcref)
            (memory 1 2)
            (global $h (mut i64) (i64.const -3))
            (global funcref (ref.func $body))
            (export "body" (func $body))
            (start $body)
            (elem (i32.const 1) func $body $imported)
            (elem funcref (ref.null func) (ref.func $body))
            (elem declare func $body)
            (data (global.get 0) "xyz")
            (data "passive")
            (func $body (local i32 i32) (local f64)))"#,
    )
    .unwrap();
    let info = crate::module::parse(&wasm).unwrap();
    assert_eq!(info.num_imported_funcs, 1);
    assert_eq!(info.func_types.len(), 2);
    assert_eq!(info.num_imported_globals, 1);
    assert_eq!(info.globals.len(), 3);
    assert_eq!(
        info.global_inits,
        vec![
            super::super::module::ConstExpr::I64(-3),
            ConstExpr::RefFunc(1)
        ]
    );
    assert_eq!(
        info.memories[0].limits,
        crate::Limits {
            min: 1,
            max: Some(2)
        }
    );
    assert_eq!(info.tables[0].limits.min, 4);
    assert_eq!(info.start, Some(1));
    assert_eq!(info.exports[0].index, 1);
    assert_eq!(info.elements.len(), 3);
    assert_eq!(
        info.elements[0].items,
        vec![ConstExpr::RefFunc(1), ConstExpr::RefFunc(0)]
    );
    assert_eq!(
        info.elements[0].mode,
        ElementMode::Active {
            table: 0,
            offset: ConstExpr::I32(1)
        }
    );
    assert_eq!(info.elements[1].mode, ElementMode::Passive);
    assert_eq!(
        info.elements[1].items,
        vec![
            ConstExpr::RefNull(crate::ValType::FuncRef),
            ConstExpr::RefFunc(1)
        ]
    );
    assert_eq!(info.elements[2].mode, ElementMode::Declared);
    assert_eq!(&info.bytes[info.data[0].range.clone()], b"xyz");
    assert_eq!(
        info.data[0].mode,
        DataMode::Active {
            memory: 0,
            offset: ConstExpr::GlobalGet(0)
        }
    );
    assert_eq!(&info.bytes[info.data[1].range.clone()], b"passive");
    assert_eq!(info.bodies.len(), 1);
    assert_eq!(
        info.bodies[0].locals,
        vec![(2, crate::ValType::I32), (1, crate::ValType::F64)]
    );
    // The body range re-reads with correct offsets.
    let range = info.bodies[0].range.clone();
    let body = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(
        &info.bytes[range.clone()],
        range.start,
    ));
    assert_eq!(body.get_locals_reader().unwrap().get_count(), 2);
    assert_eq!(info.names.module.as_deref(), Some("m"));
    assert_eq!(info.func_name(1), Some("body"));
    assert_eq!(info.func_name(0), Some("imported"));
}

use crate::module::{ConstExpr, DataMode, ElementMode};

#[test]
fn malformed_name_section_does_not_fail_the_module() {
    let mut wasm = wat::parse_str("(module (func))").unwrap();
    // A custom section "name" whose function-names subsection claims more bytes than exist.
    let payload = [&[4u8][..], b"name", &[1, 5, 3, 0, 9]].concat();
    wasm.push(0);
    wasm.push(payload.len() as u8);
    wasm.extend_from_slice(&payload);
    let info = crate::module::parse(&wasm).expect("module with a broken name section");
    assert!(info.names.funcs.is_empty());
}

#[test]
fn import_type_mismatches_are_link_errors() {
    let engine = engine();
    let mut store = Store::new(&engine);
    let exporter = module(
        &engine,
        r#"(module
            (func (export "f") (param i32))
            (memory (export "mem") 1 4)
            (table (export "tab") 2 10 funcref)
            (global (export "g") i32 (i32.const 1))
            (global (export "gm") (mut i32) (i32.const 1)))"#,
    );
    let instance = instantiate(&mut store, &Linker::new(), &exporter);
    let mut linker = Linker::new();
    linker.define_instance(&store, "m", instance);

    let ok = r#"(module (import "m" "f" (func (param i32))) (import "m" "mem" (memory 1 4))
        (import "m" "tab" (table 1 funcref)) (import "m" "g" (global i32))
        (import "m" "gm" (global (mut i32))))"#;
    instantiate(&mut store, &linker, &module(&engine, ok));

    let incompatible = [
        r#"(module (import "m" "f" (func (param i64))))"#,
        r#"(module (import "m" "f" (func (param i32) (result i32))))"#,
        r#"(module (import "m" "f" (memory 1)))"#,
        r#"(module (import "m" "mem" (memory 2)))"#,
        r#"(module (import "m" "mem" (memory 1 3)))"#,
        r#"(module (import "m" "mem" (func)))"#,
        r#"(module (import "m" "tab" (table 3 funcref)))"#,
        r#"(module (import "m" "tab" (table 1 5 funcref)))"#,
        r#"(module (import "m" "tab" (table 1 externref)))"#,
        r#"(module (import "m" "g" (global (mut i32))))"#,
        r#"(module (import "m" "gm" (global i32)))"#,
        r#"(module (import "m" "g" (global i64)))"#,
    ];
    for text in incompatible {
        let message = link_error(linker.instantiate(&mut store, &module(&engine, text)));
        assert!(
            message.starts_with("incompatible import type"),
            "{text}: {message}"
        );
    }
    let message = link_error(linker.instantiate(
        &mut store,
        &module(&engine, r#"(module (import "m" "nope" (func)))"#),
    ));
    assert_eq!(message, "unknown import: `m::nope` has not been defined");
}

#[test]
fn imported_memory_limits_use_the_current_size() {
    let engine = engine();
    let mut store = Store::new(&engine);
    let memory = crate::Memory::new(
        &mut store,
        crate::MemoryType {
            limits: crate::Limits { min: 1, max: None },
        },
    )
    .unwrap();
    let mut linker = Linker::new();
    linker.define("env", "mem", Extern::Memory(memory));
    let wants_two = module(&engine, r#"(module (import "env" "mem" (memory 2)))"#);
    link_error(linker.instantiate(&mut store, &wants_two));
    let grower = module(
        &engine,
        r#"(module (import "env" "mem" (memory 1))
            (func (export "grow") (result i32) i32.const 1 memory.grow))"#,
    );
    let instance = instantiate(&mut store, &linker, &grower);
    let grow = instance.get_func(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, &[]).unwrap(), vec![Val::I32(1)]);
    assert_eq!(memory.size(&store), 2);
    instantiate(&mut store, &linker, &wants_two);
}

#[test]
fn memory_grow_respects_the_maximum() {
    let engine = engine();
    let mut store = Store::new(&engine);
    let m = module(
        &engine,
        r#"(module (memory (export "mem") 1 3)
            (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#,
    );
    let instance = instantiate(&mut store, &Linker::new(), &m);
    let grow = instance.get_func(&store, "grow").unwrap();
    let mut call = |n: i32| grow.call(&mut store, &[Val::I32(n)]).unwrap()[0];
    assert_eq!(call(0), Val::I32(1));
    assert_eq!(call(2), Val::I32(1));
    assert_eq!(call(1), Val::I32(-1));
    assert_eq!(call(-1), Val::I32(-1));
    assert_eq!(call(0), Val::I32(3));
    let Some(Extern::Memory(memory)) = instance.get_export(&store, "mem") else {
        panic!()
    };
    assert_eq!(memory.size(&store), 3);
    // New pages are zeroed and writable.
    let data = memory.data_mut(&mut store);
    assert_eq!(data.len(), 3 * 65536);
    assert!(data.iter().all(|&b| b == 0));
    data[3 * 65536 - 1] = 7;

    // Without a declared maximum the limit is 65536 pages.
    let mut memory = super::memory::LinearMemory::new(crate::MemoryType {
        limits: crate::Limits { min: 0, max: None },
    })
    .unwrap();
    assert_eq!(memory.grow(65537), u32::MAX);
    assert_eq!(memory.grow(1), 0);
    assert_eq!(memory.pages(), 1);
}

#[test]
fn unsatisfiable_minimum_is_a_resource_error() {
    let engine = engine();
    let mut store = Store::new(&engine);
    let table = crate::Table::new(
        &mut store,
        crate::TableType {
            elem: crate::ValType::FuncRef,
            limits: crate::Limits {
                min: 1 << 31,
                max: None,
            },
        },
        Val::FuncRef(None),
    );
    assert!(matches!(table, Err(Error::Resource(_))));
    let memory = crate::Memory::new(
        &mut store,
        crate::MemoryType {
            limits: crate::Limits {
                min: 65537,
                max: None,
            },
        },
    );
    assert!(matches!(memory, Err(Error::Resource(_))));
}

#[test]
fn out_of_bounds_segments_trap_and_keep_earlier_writes() {
    let engine = engine();
    let mut store = Store::new(&engine);
    let exporter = module(
        &engine,
        r#"(module (memory (export "mem") 1) (table (export "tab") 3 funcref))"#,
    );
    let shared = instantiate(&mut store, &Linker::new(), &exporter);
    let mut linker = Linker::new();
    linker.define_instance(&store, "shared", shared);

    // The first data segment is written, the second is out of bounds.
    let data = module(
        &engine,
        r#"(module (import "shared" "mem" (memory 1))
            (data (i32.const 0) "ok")
            (data (i32.const 65535) "xx"))"#,
    );
    assert_eq!(
        trap_message(linker.instantiate(&mut store, &data)),
        "out of bounds memory access"
    );
    let Some(Extern::Memory(memory)) = shared.get_export(&store, "mem") else {
        panic!()
    };
    assert_eq!(&memory.data(&store)[0..2], b"ok");

    // A zero-length segment exactly at the end is fine; one past it traps.
    let at_end = r#"(module (import "shared" "mem" (memory 1)) (data (i32.const 65536) ""))"#;
    instantiate(&mut store, &linker, &module(&engine, at_end));
    let past_end = r#"(module (import "shared" "mem" (memory 1)) (data (i32.const 65537) ""))"#;
    assert_eq!(
        trap_message(linker.instantiate(&mut store, &module(&engine, past_end))),
        "out of bounds memory access"
    );

    // An element segment writes a function into the shared table, then a later one traps:
    // the function stays callable through the table although its instance was not returned.
    let elems = module(
        &engine,
        r#"(module (import "shared" "tab" (table 3 funcref))
            (func $f (result i32) i32.const 42)
            (elem (i32.const 0) $f)
            (elem (i32.const 2) $f $f))"#,
    );
    assert_eq!(
        trap_message(linker.instantiate(&mut store, &elems)),
        "out of bounds table access"
    );
    let Some(Extern::Table(table)) = shared.get_export(&store, "tab") else {
        panic!()
    };
    let Some(Val::FuncRef(Some(f))) = table.get(&store, 0) else {
        panic!("slot 0 not set")
    };
    assert_eq!(table.get(&store, 2), Some(Val::FuncRef(None)));
    assert_eq!(f.call(&mut store, &[]).unwrap(), vec![Val::I32(42)]);

    // Element segments are applied before data segments, so a data trap leaves the table set.
    let both = module(
        &engine,
        r#"(module (import "shared" "tab" (table 3 funcref)) (import "shared" "mem" (memory 1))
            (func $g (result i32) i32.const 7)
            (elem (i32.const 1) $g)
            (data (i32.const 70000) "z"))"#,
    );
    assert_eq!(
        trap_message(linker.instantiate(&mut store, &both)),
        "out of bounds memory access"
    );
    let Some(Val::FuncRef(Some(g))) = table.get(&store, 1) else {
        panic!("slot 1 not set")
    };
    assert_eq!(g.call(&mut store, &[]).unwrap(), vec![Val::I32(7)]);
}

#[test]
fn start_function_runs_and_its_trap_fails_instantiation() {
    let engine = engine();
    let mut store = Store::new(&engine);
    let m = module(
        &engine,
        r#"(module (global (export "g") (mut i32) (i32.const 0))
            (func $start i32.const 5 global.set 0) (start $start))"#,
    );
    let instance = instantiate(&mut store, &Linker::new(), &m);
    let Some(Extern::Global(g)) = instance.get_export(&store, "g") else {
        panic!()
    };
    assert_eq!(g.get(&store), Val::I32(5));

    let trapping = module(&engine, "(module (func $start unreachable) (start $start))");
    assert_eq!(
        trap_message(Linker::new().instantiate(&mut store, &trapping)),
        "unreachable"
    );
}

#[test]
fn host_functions_and_argument_checks() {
    let engine = engine();
    let mut store = Store::new(&engine);
    let ty = crate::FuncType::new(
        [crate::ValType::I32, crate::ValType::I64],
        [crate::ValType::I64],
    );
    let host = crate::Func::new(&mut store, ty.clone(), |_caller, slots| {
        slots[0] = (slots[0] as u32 as i32 as i64 + slots[1] as i64) as u64;
        Ok(())
    });
    assert_eq!(host.ty(&store), ty);
    assert_eq!(
        host.call(&mut store, &[Val::I32(-1), Val::I64(10)])
            .unwrap(),
        vec![Val::I64(9)]
    );
    let err = host.call(&mut store, &[Val::I32(1)]).unwrap_err();
    assert!(matches!(err, Error::TypeMismatch { .. }), "{err}");
    let err = host
        .call(&mut store, &[Val::I64(1), Val::I64(1)])
        .unwrap_err();
    assert!(matches!(err, Error::TypeMismatch { .. }), "{err}");

    let mut linker = Linker::new();
    linker.define("env", "add", Extern::Func(host));
    let m = module(
        &engine,
        r#"(module (import "env" "add" (func $add (param i32 i64) (result i64)))
            (func (export "f") (result i64) i32.const 2 i64.const 3 call $add))"#,
    );
    let instance = instantiate(&mut store, &linker, &m);
    let f = instance.get_func(&store, "f").unwrap();
    assert_eq!(f.call(&mut store, &[]).unwrap(), vec![Val::I64(5)]);
    // The re-exported import is the host function itself.
    assert_eq!(instance.exports(&store).len(), 1);
}

#[test]
fn canonical_type_ids_are_shared_across_modules() {
    let engine = engine();
    let a = engine.type_id(&crate::FuncType::new([crate::ValType::I32], []));
    let b = engine.type_id(&crate::FuncType::new([crate::ValType::I64], []));
    assert_ne!(a, b);
    assert_eq!(
        engine.type_id(&crate::FuncType::new([crate::ValType::I32], [])),
        a
    );

    // call_indirect through a table shared by two modules matches structurally equal types.
    let mut store = Store::new(&engine);
    let exporter = module(
        &engine,
        r#"(module (type $t (func (result i32))) (table (export "tab") 1 funcref)
            (func $f (type $t) i32.const 9) (elem (i32.const 0) $f))"#,
    );
    let shared = instantiate(&mut store, &Linker::new(), &exporter);
    let mut linker = Linker::new();
    linker.define_instance(&store, "x", shared);
    let caller = module(
        &engine,
        r#"(module (type $other (func (param i64))) (type $u (func (result i32)))
            (import "x" "tab" (table 1 funcref))
            (func (export "call") (result i32) i32.const 0 call_indirect (type $u)))"#,
    );
    let instance = instantiate(&mut store, &linker, &caller);
    let call = instance.get_func(&store, "call").unwrap();
    assert_eq!(call.call(&mut store, &[]).unwrap(), vec![Val::I32(9)]);
}

#[test]
fn table_libcalls_check_bounds_before_writing() {
    use super::libcalls::*;
    let engine = engine();
    let mut store = Store::new(&engine);
    let m = module(
        &engine,
        r#"(module (table $t (export "t") 4 6 funcref) (table $u 2 externref)
            (func $a) (func $b)
            (elem $e funcref (ref.func $a) (ref.func $b) (ref.null func)))"#,
    );
    let instance = instantiate(&mut store, &Linker::new(), &m);
    let vmctx = vmctx_of(&store, instance);
    let oob = crate::TrapCode::TableOutOfBounds as u32;
    // SAFETY: `vmctx` is a live instance context of `store`, which outlives these calls.
    unsafe {
        // table.init: out of bounds in the segment or the table writes nothing.
        assert_eq!(table_init(vmctx, 0, 0, 0, 1, 3), oob);
        assert_eq!(table_init(vmctx, 0, 0, 2, 0, 3), oob);
        let mut out = 1u64;
        assert_eq!(table_get(vmctx, 0, 2, &mut out), 0);
        assert_eq!(out, 0);
        assert_eq!(table_init(vmctx, 0, 0, 1, 0, 3), 0);
        assert_eq!(table_get(vmctx, 0, 1, &mut out), 0);
        assert_ne!(out, 0);
        let a = out;
        assert_eq!(
            table_init(vmctx, 0, 0, 4, 3, 0),
            0,
            "empty init at the very end"
        );
        assert_eq!(
            table_init(vmctx, 0, 0, 5, 0, 0),
            oob,
            "empty init past the end"
        );
        // A dropped segment has length 0.
        elem_drop(vmctx, 0);
        assert_eq!(table_init(vmctx, 0, 0, 0, 0, 1), oob);
        assert_eq!(table_init(vmctx, 0, 0, 0, 0, 0), 0);

        // table.copy within one table overlaps correctly.
        assert_eq!(table_copy(vmctx, 0, 0, 0, 1, 3), 0);
        assert_eq!(table_get(vmctx, 0, 0, &mut out), 0);
        assert_eq!(out, a);
        assert_eq!(table_copy(vmctx, 0, 0, 2, 0, 3), oob);

        // table.fill, table.set, table.get bounds.
        assert_eq!(table_fill(vmctx, 1, 0, 5, 3), oob);
        assert_eq!(table_fill(vmctx, 1, 0, 5, 2), 0);
        assert_eq!(table_get(vmctx, 1, 1, &mut out), 0);
        assert_eq!(out, 5);
        assert_eq!(table_set(vmctx, 1, 2, 1), oob);
        assert_eq!(table_get(vmctx, 1, 2, &mut out), oob);

        // table.grow up to the declared maximum.
        assert_eq!(table_grow(vmctx, 0, 0, 3), u32::MAX);
        assert_eq!(table_grow(vmctx, 0, a, 2), 4);
        assert_eq!(table_get(vmctx, 0, 5, &mut out), 0);
        assert_eq!(out, a);
        assert_eq!(table_grow(vmctx, 0, 0, 0), 6);
        assert_eq!(table_grow(vmctx, 0, 0, 1), u32::MAX);
        // The undeclared maximum is capped, not 2^32 elements.
        assert_eq!(table_grow(vmctx, 1, 0, u32::MAX), u32::MAX);
        assert_eq!((*(*(*vmctx).tables.add(0))).len, 6);
    }
    let Some(Extern::Table(t)) = instance.get_export(&store, "t") else {
        panic!()
    };
    assert_eq!(t.size(&store), 6);
}

#[test]
fn memory_libcalls_check_bounds_before_writing() {
    use super::libcalls::*;
    let engine = engine();
    let mut store = Store::new(&engine);
    let m = module(
        &engine,
        r#"(module (memory (export "mem") 1) (data $d "hello") (func (drop (i32.const 0))))"#,
    );
    let instance = instantiate(&mut store, &Linker::new(), &m);
    let vmctx = vmctx_of(&store, instance);
    let oob = crate::TrapCode::MemoryOutOfBounds as u32;
    // SAFETY: `vmctx` is a live instance context of `store`, which outlives these calls.
    unsafe {
        assert_eq!(memory_init(vmctx, 0, 65534, 0, 5), oob);
        assert_eq!(memory_init(vmctx, 0, 0, 1, 5), oob);
        assert_eq!(memory_init(vmctx, 0, 10, 0, 5), 0);
        assert_eq!(memory_init(vmctx, 0, 65536, 5, 0), 0);
        assert_eq!(memory_init(vmctx, 0, 65537, 0, 0), oob);
        assert_eq!(memory_copy(vmctx, 11, 10, 5), 0);
        assert_eq!(memory_copy(vmctx, 65535, 0, 2), oob);
        assert_eq!(memory_fill(vmctx, 65530, 0x41, 7), oob);
        assert_eq!(memory_fill(vmctx, 0, 0x41, 2), 0);
        data_drop(vmctx, 0);
        assert_eq!(memory_init(vmctx, 0, 0, 0, 1), oob);
        assert_eq!(memory_init(vmctx, 0, 0, 0, 0), 0);
        assert_eq!(memory_grow(vmctx, 1), 1);
        assert_eq!((*(*vmctx).memory).len, 2 * 65536);
    }
    let Some(Extern::Memory(memory)) = instance.get_export(&store, "mem") else {
        panic!()
    };
    assert_eq!(&memory.data(&store)[..16], b"AA\0\0\0\0\0\0\0\0hhello");
    assert_eq!(
        memory.data(&store)[65530],
        0,
        "a failed fill writes nothing"
    );
}

#[test]
fn many_stores_release_their_memory() {
    let engine = engine();
    let m = module(&engine, "(module (memory 1))");
    // 6 GiB of address space each: without unmapping, this would exhaust 128 TiB quickly.
    for _ in 0..30_000 {
        let mut store = Store::new(&engine);
        instantiate(&mut store, &Linker::new(), &m);
    }
}

#[test]
fn module_from_file_names_the_file() {
    let engine = engine();
    let err = Module::from_file(&engine, std::path::Path::new("/nonexistent/x.wasm"))
        .err()
        .expect("missing file");
    assert!(err.to_string().contains("/nonexistent/x.wasm"), "{err}");
    let path = std::env::temp_dir().join(format!("wrun-runtime-test-{}.wasm", std::process::id()));
    std::fs::write(&path, b"\0asm\x01\0\0\0\x01").unwrap();
    let err = Module::from_file(&engine, &path)
        .err()
        .expect("truncated module");
    let _ = std::fs::remove_file(&path);
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn mutated_modules_never_panic() {
    let engine = engine();
    let wasm = wat::parse_str(
        r#"(module (type (func (param i32) (result i32)))
            (table 2 8 funcref) (memory 1 2) (global (mut i32) (i32.const 7))
            (export "f" (func 0)) (export "t" (table 0)) (export "m" (memory 0))
            (elem (i32.const 0) func 0 0) (elem funcref (ref.func 0))
            (data (i32.const 3) "abc") (data "passive")
            (func (type 0) local.get 0 i32.const 1 i32.add)
            (func $s) (start $s)
            (@custom "name" "\00\02\01m"))"#,
    )
    .unwrap();
    let mut accepted = 0;
    for position in 8..wasm.len() {
        for value in [0x00, 0x01, 0x7f, 0x80, 0xff, wasm[position] ^ 0x01] {
            let mut mutated = wasm.clone();
            mutated[position] = value;
            // Any outcome but a panic is fine; valid mutants must also instantiate or fail
            // with an error value.
            if let Ok(m) = Module::new(&engine, &mutated) {
                accepted += 1;
                let mut store = Store::new(&engine);
                let _ = Linker::new().instantiate(&mut store, &m);
            }
        }
    }
    assert!(
        accepted > 0,
        "no mutant was valid; the test exercised nothing past decoding"
    );
}

#[test]
fn modules_of_another_engine_are_refused() {
    let (a, b) = (engine(), engine());
    let m = module(&a, "(module)");
    let mut store = Store::new(&b);
    let message = link_error(Linker::new().instantiate(&mut store, &m));
    assert!(message.contains("different engines"), "{message}");
}
