//! wrun: a small, fast, honest WebAssembly runtime.
//!
//! The embedding API used by the CLI, the spec harness and the tiers:
//!
//! ```
//! use wrun::{Config, Engine, Linker, Module, Store, Val};
//! let engine = Engine::new(Config::default());
//! let wasm = wat::parse_str(r#"(module (func (export "add") (param i32 i32) (result i32)
//!     local.get 0 local.get 1 i32.add))"#).unwrap();
//! let module = Module::new(&engine, &wasm).unwrap();
//! let mut store = Store::new(&engine);
//! let instance = Linker::new().instantiate(&mut store, &module).unwrap();
//! let add = instance.get_func(&store, "add").unwrap();
//! assert_eq!(add.call(&mut store, &[Val::I32(2), Val::I32(3)]).unwrap(), vec![Val::I32(5)]);
//! ```
//!
//! Layering (ARCHITECTURE.md): `main.rs` -> this file -> `interp` -> `runtime` -> `module`.

pub mod interp;
pub mod jit;
pub mod module;
pub mod runtime;
pub mod wast_runner;

use std::path::Path;
use std::sync::Arc;

pub use module::{ModuleError, ModuleInfo};
pub use runtime::{
    Caller, FrameInfo, FuncType, GlobalType, Limits, MemoryType, TableType, Trap, TrapCode,
    ValType,
};

/// Which execution tier runs wasm code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Tier {
    /// Tier 0: the interpreter only.
    #[default]
    Interp,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Interp => "interp",
        }
    }
}

/// Engine settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub tier: Tier,
    /// Size of each execution's value stack, in 8-byte slots. Exhausting it is the trap
    /// "call stack exhausted".
    pub value_stack_slots: usize,
    /// Maximum wasm call depth; deeper calls trap with "call stack exhausted".
    pub max_call_depth: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config { tier: Tier::Interp, value_stack_slots: 1 << 20, max_call_depth: 50_000 }
    }
}

/// A wasm value crossing the embedding API.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// f32 bits.
    F32(u32),
    /// f64 bits.
    F64(u64),
    FuncRef(Option<Func>),
    /// An opaque host value; in a slot it is `value + 1` (0 = null).
    ExternRef(Option<u32>),
}

/// Any failure of loading, linking or instantiating.
#[derive(Debug)]
pub enum Error {
    /// Malformed or invalid module (wasmparser's reason and the byte offset).
    Module(ModuleError),
    /// An import could not be satisfied (unknown, or of an incompatible type).
    Link(String),
    /// Instantiation trapped (start function, or segment initialization).
    Trap(Trap),
    /// A resource could not be allocated (e.g. memory reservation).
    Resource(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Module(e) => write!(f, "invalid module: {e}"),
            Error::Link(m) => write!(f, "link error: {m}"),
            Error::Trap(t) => write!(f, "{t}"),
            Error::Resource(m) => write!(f, "resource error: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ModuleError> for Error {
    fn from(e: ModuleError) -> Error {
        Error::Module(e)
    }
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::Trap(t)
    }
}

/// Shared engine state: configuration and the canonical function-type registry.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

struct EngineInner {
    config: Config,
}

impl Engine {
    pub fn new(config: Config) -> Engine {
        Engine { inner: Arc::new(EngineInner { config }) }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }
}

/// A validated module, ready to instantiate.
#[derive(Clone)]
pub struct Module {
    info: Arc<ModuleInfo>,
}

impl Module {
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        let _ = (engine, bytes);
        todo!()
    }

    /// Reads and compiles a file; errors name the file.
    pub fn from_file(engine: &Engine, path: &Path) -> anyhow::Result<Module> {
        let _ = (engine, path);
        todo!()
    }

    pub fn info(&self) -> &Arc<ModuleInfo> {
        &self.info
    }
}

/// Owns every runtime object (instances, memories, tables, globals, functions) and the
/// execution state of the tiers.
pub struct Store {
    engine: Engine,
}

impl Store {
    pub fn new(engine: &Engine) -> Store {
        Store { engine: engine.clone() }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

/// A function: a wasm function of some instance or a host function. A handle to a record
/// owned by its store; only valid with that store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Func(std::ptr::NonNull<runtime::FuncRecord>);

/// A memory owned by a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory(u32);

/// A table owned by a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table(u32);

/// A global owned by a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Global(u32);

/// An instance owned by a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance(u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extern {
    Func(Func),
    Memory(Memory),
    Table(Table),
    Global(Global),
}

impl Func {
    /// A host function. `f` gets the arguments in `slots[0..params]` and writes the results to
    /// `slots[0..results]`.
    pub fn new(
        store: &mut Store,
        ty: FuncType,
        f: impl Fn(&mut Caller<'_>, &mut [u64]) -> Result<(), Trap> + 'static,
    ) -> Func {
        let _ = (store, ty, f);
        todo!()
    }

    pub fn ty(&self, store: &Store) -> FuncType {
        let _ = store;
        todo!()
    }

    /// Calls the function; argument types are checked against its type.
    pub fn call(&self, store: &mut Store, args: &[Val]) -> Result<Vec<Val>, Trap> {
        let _ = (store, args);
        todo!()
    }
}

impl Memory {
    pub fn new(store: &mut Store, ty: MemoryType) -> Result<Memory, Error> {
        let _ = (store, ty);
        todo!()
    }

    pub fn ty(&self, store: &Store) -> MemoryType {
        let _ = store;
        todo!()
    }

    pub fn data<'a>(&self, store: &'a Store) -> &'a [u8] {
        let _ = store;
        todo!()
    }

    pub fn data_mut<'a>(&self, store: &'a mut Store) -> &'a mut [u8] {
        let _ = store;
        todo!()
    }

    /// Current size in 64 KiB pages.
    pub fn size(&self, store: &Store) -> u64 {
        let _ = store;
        todo!()
    }
}

impl Table {
    pub fn new(store: &mut Store, ty: TableType, init: Val) -> Result<Table, Error> {
        let _ = (store, ty, init);
        todo!()
    }

    pub fn ty(&self, store: &Store) -> TableType {
        let _ = store;
        todo!()
    }

    pub fn size(&self, store: &Store) -> u32 {
        let _ = store;
        todo!()
    }

    pub fn get(&self, store: &Store, index: u32) -> Option<Val> {
        let _ = (store, index);
        todo!()
    }
}

impl Global {
    pub fn new(store: &mut Store, ty: GlobalType, value: Val) -> Result<Global, Error> {
        let _ = (store, ty, value);
        todo!()
    }

    pub fn ty(&self, store: &Store) -> GlobalType {
        let _ = store;
        todo!()
    }

    pub fn get(&self, store: &Store) -> Val {
        let _ = store;
        todo!()
    }
}

impl Instance {
    pub fn get_export(&self, store: &Store, name: &str) -> Option<Extern> {
        let _ = (store, name);
        todo!()
    }

    pub fn get_func(&self, store: &Store, name: &str) -> Option<Func> {
        match self.get_export(store, name)? {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    /// All exports in declaration order.
    pub fn exports(&self, store: &Store) -> Vec<(String, Extern)> {
        let _ = store;
        todo!()
    }
}

/// Resolves imports by (module, name) and instantiates modules.
#[derive(Default)]
pub struct Linker {}

impl Linker {
    pub fn new() -> Linker {
        Linker::default()
    }

    /// Defines (or redefines) one importable item.
    pub fn define(&mut self, module: &str, name: &str, item: Extern) -> &mut Linker {
        let _ = (module, name, item);
        todo!()
    }

    /// Defines every export of `instance` under the module name `module` (wast `register`).
    pub fn define_instance(&mut self, store: &Store, module: &str, instance: Instance) -> &mut Linker {
        let _ = (store, module, instance);
        todo!()
    }

    pub fn get(&self, module: &str, name: &str) -> Option<Extern> {
        let _ = (module, name);
        todo!()
    }

    /// Resolves the imports, type-checks them, creates the instance, initializes tables and
    /// memories from the segments and runs the start function.
    pub fn instantiate(&self, store: &mut Store, module: &Module) -> Result<Instance, Error> {
        let _ = (store, module);
        todo!()
    }
}
