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
    assert_eq!(add.call(&mut store, &[Val::I32(2), Val::I32(3)]).unwrap(), vec![Val::I32(5)]);
}

#[test]
fn data_segment_is_written() {
    let engine = engine();
    let m = module(&engine, r#"(module (memory (export "m") 1) (data (i32.const 8) "hi"))"#);
    let mut store = Store::new(&engine);
    let instance = Linker::new().instantiate(&mut store, &m).unwrap();
    let Some(Extern::Memory(memory)) = instance.get_export(&store, "m") else { panic!() };
    assert_eq!(memory.size(&store), 1);
    assert_eq!(&memory.data(&store)[8..10], b"hi");
}

#[test]
fn unknown_import_is_a_link_error() {
    let engine = engine();
    let m = module(&engine, r#"(module (import "env" "f" (func)))"#);
    let mut store = Store::new(&engine);
    match Linker::new().instantiate(&mut store, &m) {
        Err(Error::Link(message)) => {
            assert_eq!(message, "unknown import: `env::f` has not been defined")
        }
        other => panic!("unexpected {:?}", other.map(|_| ())),
    }
}
