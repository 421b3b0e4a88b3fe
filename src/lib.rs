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
//!
//! # Soundness
//!
//! Safe code cannot reach freed or foreign memory through this API. Every handle ([`Func`],
//! [`Memory`], [`Table`], [`Global`], [`Instance`]) carries the id of the [`Store`] that made
//! it, and every use checks it: a handle used with another store, or with a store created after
//! its own was dropped (ids are never reused), panics before it is dereferenced or indexed.
//!
//! The misuses that would bypass those checks do not compile. A [`Caller`] is made only by the
//! tiers, with a live instance context; its fields are private:
//!
//! ```compile_fail,E0451
//! let caller = wrun::Caller { vmctx: std::ptr::null_mut(), _marker: std::marker::PhantomData };
//! ```
//!
//! and so is its constructor:
//!
//! ```compile_fail,E0624
//! let caller = unsafe { wrun::Caller::new(std::ptr::null_mut()) };
//! ```
//!
//! A [`Func`] cannot be made from an integer, neither from a slot:
//!
//! ```compile_fail,E0624
//! let func = wrun::Val::from_slots(wrun::ValType::FuncRef, [0x1000, 0]);
//! ```
//!
//! nor from its fields:
//!
//! ```compile_fail,E0451
//! let func = wrun::Func { store: unimplemented!(), record: std::ptr::NonNull::dangling() };
//! ```
//!
//! A host function made with the safe [`Func::new`] cannot return a funcref (any `u64` it
//! wrote would be taken for a function record); [`Func::new_unchecked`] is `unsafe` for that.

pub mod aot;
mod error;
pub mod interp;
pub mod jit;
pub mod module;
pub mod profile;
pub mod runtime;
pub mod tier;
mod typed;
pub mod wast_runner;

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::path::Path;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub use runtime::store::StoreLimits;
use runtime::store::{ExternVal, InstantiateError};

pub use aot::{SidecarChoice, SidecarFile, SidecarStatus};
pub use error::{Error, LinkReason};
pub use module::{ModuleError, ModuleInfo};
pub use runtime::{
    Caller, CompileError, FrameInfo, FuncType, GlobalType, Limits, MemoryType, Resource,
    ResourceError, TableType, Trap, TrapCode, ValType,
};
pub use typed::{IntoFunc, WasmResults, WasmRet, WasmTy, WithCaller};

/// Which execution tier runs wasm code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Tier {
    /// Tier 0: the interpreter only.
    Interp,
    /// Tier 1 only: every function is compiled by the baseline JIT before anything runs.
    Jit,
    /// Both: functions start in the interpreter and the hot ones move to the JIT while
    /// running (hot loops through on-stack replacement); see `tier.rs`.
    #[default]
    Auto,
    /// Tier 2 first: every function is compiled by the optimizing compiler (`jit::opt`)
    /// before anything runs; a function it does not take yet is compiled by tier 1 (counted
    /// in [`TierStats`](tier::TierStats)`::tier2`).
    Opt,
    /// Tier 1 code from an AOT sidecar file. For the spec harness and `wrun wast`, which write
    /// each module's sidecar to a temporary file and load it back ([`aot`]); a module built
    /// with [`Module::new`] under this tier is compiled in memory as with `Jit`.
    Aot,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Interp => "interp",
            Tier::Jit => "jit",
            Tier::Opt => "opt",
            Tier::Auto => "auto",
            Tier::Aot => "aot",
        }
    }
}

/// Engine settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub tier: Tier,
    /// The wasm stack, in bytes (`--max-wasm-stack`; ARCHITECTURE.md "Stack limits"): the
    /// value stack every tier's frames live on, and a call-depth budget of one frame per
    /// [`MIN_FRAME_BYTES`] of it. Running out of either is the trap "call stack exhausted",
    /// at the same depth on every tier.
    pub max_wasm_stack: usize,
    /// `Tier::Auto`: calls and loop iterations after which a function is compiled (see
    /// `tier.rs`).
    pub jit_threshold: u32,
    // Resource limits and bounded code memory (issue 15).
    /// The limits every store of this engine starts with (see [`Store::set_limits`]).
    pub store_limits: StoreLimits,
    /// Bytes of code memory the JIT may hold per module (`--jit-cache-size`); past it the
    /// least recently used compiled functions are evicted (see `tier.rs`). `None`: unbounded.
    pub jit_cache_size: Option<u64>,
    /// Epoch interruption (`--timeout`, as wasmtime's): code checks the store's epoch
    /// deadline at function entries and loop headers and traps with "interrupt" once
    /// [`Engine::increment_epoch`] has passed it ([`Store::set_epoch_deadline`]). Off: no
    /// checks are emitted. AOT sidecars hold code without checks and are not used with it.
    pub epoch_interruption: bool,
    /// Charge fuel per basic block on every tier (ARCHITECTURE.md "Fuel"); a store then starts
    /// with 0 fuel ([`Store::set_fuel`]). Off: no fuel code at all.
    pub consume_fuel: bool,
    /// The code cache that learns (ARCHITECTURE.md "The code cache", [`aot::cache`]): with
    /// `Tier::Auto`, a module starts with the functions that got hot in earlier runs compiled,
    /// and [`Module::update_code_cache`] adds this run's. Not used with a sidecar, epoch
    /// interruption or a bounded JIT cache. `None` (the default for embedders): no cache; the
    /// CLI uses [`aot::CodeCache::default_dir`] unless `--no-cache`.
    pub code_cache: Option<aot::CodeCache>,
}

impl Config {
    /// Turns fuel metering on or off (wasmtime's `Config::consume_fuel`).
    pub fn consume_fuel(&mut self, enable: bool) -> &mut Config {
        self.consume_fuel = enable;
        self
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            tier: Tier::Auto,
            max_wasm_stack: DEFAULT_MAX_WASM_STACK,
            jit_threshold: tier::DEFAULT_JIT_THRESHOLD,
            store_limits: StoreLimits::default(),
            jit_cache_size: None,
            epoch_interruption: false,
            consume_fuel: false,
            code_cache: None,
        }
    }
}

/// The default of [`Config::max_wasm_stack`]: 8 MiB, the value stack wrun always had (2^20
/// slots), so 131,072 frames of small functions.
pub const DEFAULT_MAX_WASM_STACK: usize = 8 << 20;

/// Bytes of the wasm stack a frame counts for at least: the call-depth budget is
/// `max_wasm_stack / MIN_FRAME_BYTES` frames (a frame's real cost is its value-stack slots,
/// which can be fewer: a function without parameters, locals or operands adds none).
pub const MIN_FRAME_BYTES: usize = 64;

/// Native stack bytes one wasm frame may use at most, the frames that cross tiers included
/// (a compiled frame uses 16; an interpreted function calling a compiled one, or the
/// reverse, puts the interpreter's and the entry's Rust frames in between). Measured: about
/// 300 bytes (release build) for a recursion whose every frame crosses tiers (400,000 frames
/// of `tests/limits.rs`'s mutual recursion under `--max-wasm-stack 64m`: 134 MB peak RSS
/// against 6 MB for 10 frames, the value stack included); 2048 leaves room for debug builds.
pub const MAX_NATIVE_BYTES_PER_FRAME: usize = 2048;

/// The call-depth budget of the default configuration.
pub const DEFAULT_MAX_CALL_DEPTH: u64 = (DEFAULT_MAX_WASM_STACK / MIN_FRAME_BYTES) as u64;

impl Config {
    /// Frames one thread may have active at once: `max_wasm_stack / MIN_FRAME_BYTES`.
    pub fn max_call_depth(&self) -> usize {
        self.max_wasm_stack / MIN_FRAME_BYTES
    }

    /// Slots of the value stack (`max_wasm_stack / 8`, at least 16).
    pub fn value_stack_slots(&self) -> usize {
        (self.max_wasm_stack / 8).max(16)
    }

    /// The native stack a thread needs so that a recursion up to [`Config::max_call_depth`]
    /// always fits, whatever mix of tiers its frames are in: the CLI and the wast runner give
    /// their wasm thread this much (an embedder running wasm on a smaller stack gets the same
    /// trap earlier, from the compiled prologue's native-stack check).
    pub fn native_stack_bytes(&self) -> usize {
        const RESERVE: usize = 16 << 20;
        self.max_call_depth()
            .saturating_mul(MAX_NATIVE_BYTES_PER_FRAME)
            .saturating_add(RESERVE)
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
    /// The 128 bits of a v128, lanes little-endian (lane 0 in the low bits); two slots, the
    /// low 64 bits first.
    V128(u128),
    /// A caught wasm exception (exception handling); in a slot, the exception object's
    /// address (0 = null).
    ExnRef(Option<ExnRef>),
}

/// A reference to a wasm exception that wasm caught with `catch_ref`/`catch_all_ref`, owned
/// by its store (kept until the store is dropped); using it with another store panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExnRef {
    store: StoreId,
    object: NonNull<runtime::exception::ExceptionObject>,
}

/// A tag (exception handling): defined by a module or made by the host with [`Tag::new`];
/// owned by a store, using it with another store panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag {
    store: StoreId,
    index: u32,
}

impl Tag {
    /// A new tag whose exceptions carry values of types `params`.
    pub fn new(store: &mut Store, params: Vec<ValType>) -> Tag {
        let name = format!("host tag {}", FuncType::new(params.clone(), Vec::new()));
        let index = store
            .data
            .add_tag(runtime::exception::TagRecord::new(params, name));
        Tag {
            store: store.id,
            index,
        }
    }

    /// The payload types of the tag's exceptions.
    #[track_caller]
    pub fn params(&self, store: &Store) -> Vec<ValType> {
        store.check(self.store);
        // Handles are only created by their store, which never removes objects.
        let tag = store.data.tag(self.index).expect("tag of this store");
        tag.params.to_vec()
    }
}

/// Shared engine state: configuration and the canonical function-type registry.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

struct EngineInner {
    config: Config,
    /// Canonical function-type ids: equal types <=> equal ids, across every module and store
    /// of this engine (so `call_indirect` across modules compares ids).
    types: Mutex<HashMap<FuncType, u32>>,
    /// The epoch ([`Engine::increment_epoch`]); compiled code reads it through `VmCtx::epoch`.
    epoch: Arc<runtime::epoch::Epoch>,
}

impl Engine {
    pub fn new(config: Config) -> Engine {
        Engine {
            inner: Arc::new(EngineInner {
                config,
                types: Mutex::new(HashMap::new()),
                epoch: Arc::new(runtime::epoch::Epoch::new()),
            }),
        }
    }

    /// Advances the epoch by one (safe from any thread, e.g. a timer): code of stores whose
    /// deadline it reaches traps with "interrupt" at its next epoch check.
    pub fn increment_epoch(&self) {
        self.inner.epoch.increment();
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The engine-wide canonical id of `ty` (addition to the contract: used for `FuncRecord`
    /// type ids and `VmCtx::type_ids`).
    pub fn type_id(&self, ty: &FuncType) -> u32 {
        // A poisoned lock still holds a consistent map: insertions are single operations.
        let mut types = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        let next = types.len() as u32;
        *types.entry(ty.clone()).or_insert(next)
    }
}

/// A validated module, ready to instantiate.
#[derive(Clone)]
pub struct Module {
    info: Arc<ModuleInfo>,
    /// The interpreter's per-module code cache, shared by every instance of this module.
    code: Arc<interp::ModuleCode>,
    /// Canonical type id of each type index (engine-wide).
    type_ids: Arc<[u32]>,
    /// The engine whose type registry `type_ids` come from.
    engine: Engine,
    /// With `Tier::Jit`, or from a sidecar: the machine code of every defined function.
    jit: Option<Arc<jit::JitModule>>,
    /// With `Tier::Auto`: the tier manager, which compiles hot functions.
    tier_manager: Option<Arc<tier::TierManager>>,
    /// With `Tier::Jit`: how long compiling the module took.
    jit_compile_time: std::time::Duration,
    /// With `Tier::Opt`: what tier 2 compiled and what went to tier 1.
    tier2: Option<jit::opt::compile::OptStats>,
    /// Whether the code came from an AOT sidecar, and if not why.
    sidecar: SidecarStatus,
    /// The module's code cache entry, when the cache is in use.
    cache: Option<Arc<CacheLink>>,
}

/// A module's link to its code cache entry ([`Config::code_cache`]).
struct CacheLink {
    cache: aot::CodeCache,
    module_hash: [u8; 32],
    /// The functions the entry held at start (they started compiled), and its counts.
    known: Vec<u32>,
    hotness: Vec<u32>,
    /// Why the entry found was not used (it was damaged, stale, foreign, ...), if it was not.
    refused: Option<String>,
    /// The functions this run has written to the entry so far ([`Module::update_code_cache`]).
    written: Mutex<Vec<u32>>,
}

impl Module {
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        Module::with_sidecar(engine, bytes, None)
    }

    /// Like [`Module::new`], with the machine code of every function taken from the AOT
    /// sidecar at `sidecar` when it passes every check ([`aot`]); then every function runs
    /// compiled whatever the tier. A missing sidecar is [`SidecarStatus::NotFound`], one that
    /// fails a check is [`SidecarStatus::Refused`] (logged as a warning): the module then runs
    /// on the configured tier. See [`Module::sidecar_status`].
    pub fn with_sidecar(
        engine: &Engine,
        bytes: &[u8],
        sidecar: Option<&SidecarFile>,
    ) -> Result<Module, Error> {
        let config = engine.config();
        let use_cache = config.tier == Tier::Auto
            && !config.epoch_interruption
            && config.jit_cache_size.is_none()
            && sidecar.is_none_or(sidecar_absent);
        let (info, from_sidecar, status, cached_code, cache) = match &config.code_cache {
            Some(cache) if use_cache => {
                let (info, code, link) = open_cached(bytes, cache, config.consume_fuel)?;
                let status = sidecar.map_or(SidecarStatus::Disabled, |s| {
                    SidecarStatus::NotFound(s.path.clone())
                });
                (info, None, status, code, link)
            }
            _ => {
                let (info, code, status) = Self::parse_with_sidecar(bytes, sidecar, config)?;
                (info, code, status, None, None)
            }
        };
        let mut info = info;
        if config.epoch_interruption {
            // Just parsed (no sidecar shares it): the only reference.
            match Arc::get_mut(&mut info) {
                Some(info) => info.epoch_checks = true,
                None => return Err(Error::Internal("module info shared at load".into())),
            }
        }
        let type_ids = info.types.iter().map(|ty| engine.type_id(ty)).collect();
        let started = std::time::Instant::now();
        let mut tier2 = None;
        let (jit, tier_manager) = match (from_sidecar, config.tier) {
            // A sidecar holds every function tier 1 can compile (the others, SIMD for now, are
            // NO_CODE entries and stay interpreted): nothing to manage.
            (Some(code), _) => (Some(code), None),
            (None, Tier::Interp) => (None, None),
            // A bounded code cache evicts functions one by one, which a whole-module buffer
            // (calls between its functions are direct) cannot: each function is compiled at
            // its first call instead, through a tier manager.
            // With a bounded code cache `Opt` is `Jit` (tier 1, one function at a time).
            (None, Tier::Jit | Tier::Opt | Tier::Aot) if config.jit_cache_size.is_some() => (
                None,
                Some(Arc::new(tier::TierManager::with_cache_size(
                    &info,
                    1,
                    config.jit_cache_size,
                ))),
            ),
            (None, Tier::Jit | Tier::Aot) => (
                Some(Arc::new(
                    jit::JitModule::compile_metered(&info, config.consume_fuel)
                        .map_err(Error::Compile)?,
                )),
                None,
            ),
            (None, Tier::Opt) => {
                let (code, stats) = jit::JitModule::compile_opt(&info, config.consume_fuel)
                    .map_err(Error::Compile)?;
                tier2 = Some(stats);
                (Some(Arc::new(code)), None)
            }
            // Cached code (if any) for the functions it has, the manager for the rest.
            (None, Tier::Auto) => (
                cached_code.map(Arc::new),
                Some(Arc::new(
                    tier::TierManager::with_cache_size(
                        &info,
                        config.jit_threshold,
                        config.jit_cache_size,
                    )
                    .metered(config.consume_fuel),
                )),
            ),
        };
        let jit_compile_time = started.elapsed();
        let tiering: Option<Arc<dyn interp::Tiering>> = match (&jit, &tier_manager) {
            (_, Some(manager)) => Some(manager.clone()),
            (Some(_), None) => Some(Arc::new(tier::TierManager::new(&info, tier::NEVER))),
            (None, None) => None,
        };
        let code = Arc::new(interp::ModuleCode::new(&info, tiering).metered(config.consume_fuel));
        if let Some(manager) = &tier_manager {
            manager.attach_interp_code(&code);
        }
        Ok(Module {
            info,
            code,
            type_ids,
            engine: engine.clone(),
            jit,
            tier_manager,
            jit_compile_time,
            tier2,
            sidecar: status,
            cache: cache.map(Arc::new),
        })
    }

    /// Whether a code cache is in use for this module ([`Config::code_cache`]).
    pub fn uses_code_cache(&self) -> bool {
        self.cache.is_some()
    }

    /// Why the module's code cache entry was refused (a warning: the module runs without
    /// it), if it was.
    pub fn code_cache_refusal(&self) -> Option<&str> {
        self.cache.as_ref()?.refused.as_deref()
    }

    /// Writes the functions that got hot in this run and are not in the code cache entry yet
    /// to it ([`aot::CodeCache::update`]); at exit, and at intervals in long runs. `Ok(None)`:
    /// no cache, or nothing new. `Ok(Some(n))`: the entry holds `n` functions now.
    pub fn update_code_cache(&self) -> Result<Option<usize>, String> {
        let (Some(link), Some(manager)) = (&self.cache, &self.tier_manager) else {
            return Ok(None);
        };
        // One update at a time per module; a poisoned list is still a list.
        let mut written = link.written.lock().unwrap_or_else(|e| e.into_inner());
        let new: Vec<u32> = manager
            .compiled_functions()
            .into_iter()
            .filter(|f| link.known.binary_search(f).is_err() && !written.contains(f))
            .collect();
        if new.is_empty() {
            return Ok(None);
        }
        let mut known = link.known.clone();
        known.extend(written.iter().copied());
        known.sort_unstable();
        let result = link.cache.update(
            &self.info,
            &link.module_hash,
            self.engine.config().consume_fuel,
            &known,
            &link.hotness,
            &new,
        )?;
        written.extend(new);
        Ok(result)
    }

    /// Parses `bytes` and loads the sidecar `sidecar` for them as [`Module::with_sidecar`]
    /// says.
    fn parse_with_sidecar(
        bytes: &[u8],
        sidecar: Option<&SidecarFile>,
        config: &Config,
    ) -> Result<WithSidecar, Error> {
        match sidecar {
            None => Ok((
                Arc::new(module::parse(bytes)?),
                None,
                SidecarStatus::Disabled,
            )),
            // Sidecars hold code without epoch checks: a deadline could not interrupt it.
            Some(sidecar) if config.epoch_interruption && !sidecar_absent(sidecar) => {
                let reason = "compiled without epoch interruption checks (--timeout)".to_string();
                log::warn!(
                    "ignoring sidecar {}: {reason}; running without it",
                    sidecar.path.display()
                );
                let status = SidecarStatus::Refused {
                    path: sidecar.path.clone(),
                    reason,
                };
                Ok((Arc::new(module::parse(bytes)?), None, status))
            }
            Some(sidecar) if config.epoch_interruption => Ok((
                Arc::new(module::parse(bytes)?),
                None,
                SidecarStatus::NotFound(sidecar.path.clone()),
            )),
            Some(sidecar) => load_sidecar(bytes, sidecar, config.consume_fuel),
        }
    }

    /// Reads a module file and uses its sidecar as `choice` says (`Beside`: `app.wrun` next to
    /// `app.wasm`); errors name the file. The outcome is in [`Module::sidecar_status`].
    pub fn from_file_with_sidecar(
        engine: &Engine,
        path: &Path,
        choice: &SidecarChoice,
    ) -> anyhow::Result<Module> {
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let resolved = choice.resolve(path);
        Module::with_sidecar(engine, &bytes, resolved.as_ref())
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Whether the machine code came from an AOT sidecar ([`SidecarStatus::Used`]) and if not,
    /// why.
    pub fn sidecar_status(&self) -> &SidecarStatus {
        &self.sidecar
    }

    /// What the tiers did with this module so far (for `--stats`).
    pub fn tier_stats(&self) -> tier::TierStats {
        let mut stats = match (&self.tier_manager, &self.jit) {
            // The module's own code (a code-cache entry) beside what the manager compiled.
            (Some(manager), Some(jit)) => {
                let mut stats = manager.stats();
                stats.mapped_code_bytes = jit.code_len() as u64;
                stats.code_bytes += stats.mapped_code_bytes;
                stats.peak_code_memory += jit.memory_bytes() as u64;
                stats.code_memory += jit.memory_bytes() as u64;
                stats
            }
            (Some(manager), None) => manager.stats(),
            (None, Some(jit)) => tier::TierStats {
                compiled: jit.functions_with_code(),
                compile_time: self.jit_compile_time,
                code_bytes: jit.code_len() as u64,
                mapped_code_bytes: if matches!(self.sidecar, SidecarStatus::Used(_)) {
                    jit.code_len() as u64
                } else {
                    0
                },
                peak_code_memory: jit.memory_bytes() as u64,
                code_memory: jit.memory_bytes() as u64,
                ..tier::TierStats::default()
            },
            (None, None) => tier::TierStats::default(),
        };
        stats.translation = self.code.translation_stats();
        stats.interpreted = stats.translation.functions;
        stats.tier2 = self.tier2.clone();
        if let Some(link) = &self.cache {
            stats.from_cache = link.known.len();
        }
        stats
    }

    /// Reads and compiles a file; errors name the file.
    pub fn from_file(engine: &Engine, path: &Path) -> anyhow::Result<Module> {
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        Module::new(engine, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    pub fn info(&self) -> &Arc<ModuleInfo> {
        &self.info
    }
}

/// A parsed module with the code of its code cache entry and the link to the entry.
type WithCache = (Arc<ModuleInfo>, Option<jit::JitModule>, Option<CacheLink>);

/// The module's code cache entry, if any, with the module parsed: the code is `None` when
/// there is no entry or it was refused (a warning). An entry whose header matches the
/// module's SHA-256 was written by this wrun after it validated these very bytes, so they are
/// not validated again (as for sidecars); an entry refused after that point means a full
/// parse.
fn open_cached(
    bytes: &[u8],
    cache: &aot::CodeCache,
    consume_fuel: bool,
) -> Result<WithCache, Error> {
    let module_hash = aot::format::sha256(bytes);
    let link = |known: Vec<u32>, hotness: Vec<u32>, refused: Option<String>| {
        if let Some(reason) = &refused {
            log::warn!("ignoring code cache entry {reason}; running without it");
        }
        Some(CacheLink {
            cache: cache.clone(),
            module_hash,
            known,
            hotness,
            refused,
            written: Mutex::new(Vec::new()),
        })
    };
    let opened = match cache.open(bytes, &module_hash, consume_fuel) {
        Ok(Some(found)) => found,
        Ok(None) => {
            return Ok((
                Arc::new(module::parse(bytes)?),
                None,
                link(vec![], vec![], None),
            ));
        }
        Err(reason) => {
            let info = Arc::new(module::parse(bytes)?);
            return Ok((info, None, link(vec![], vec![], Some(reason))));
        }
    };
    let (path, opened) = opened;
    let info = Arc::new(module::parse_prevalidated(bytes)?);
    match aot::CodeCache::finish(opened, &info) {
        Ok(found) => {
            log::debug!(
                "code cache: {} functions from {}",
                found.funcs.len(),
                path.display()
            );
            Ok((
                info,
                Some(found.code),
                link(found.funcs, found.hotness, None),
            ))
        }
        Err(reason) => {
            let reason = format!("{}: {reason}", path.display());
            Ok((
                Arc::new(module::parse(bytes)?),
                None,
                link(vec![], vec![], Some(reason)),
            ))
        }
    }
}

/// A parsed module with its sidecar's code, if it passed every check.
type WithSidecar = (Arc<ModuleInfo>, Option<Arc<jit::JitModule>>, SidecarStatus);

/// Parses `bytes` and maps and checks its sidecar; a refusal is logged as a warning. When the
/// sidecar's header matches the module's SHA-256, `wrun compile` validated these very bytes,
/// so their function bodies are not validated again (most of the load time of a big module);
/// if a later check refuses the sidecar after all, the module is parsed again with full
/// validation.
/// Whether `sidecar` is optional and not there at all: only then is it "no sidecar" (a dangling
/// symlink or a symlink loop is a file the user put there, refused with a warning like any
/// unusable sidecar).
fn sidecar_absent(sidecar: &SidecarFile) -> bool {
    !sidecar.required
        && matches!(
            std::fs::symlink_metadata(&sidecar.path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound
        )
}

fn load_sidecar(
    bytes: &[u8],
    sidecar: &SidecarFile,
    consume_fuel: bool,
) -> Result<WithSidecar, Error> {
    let path = &sidecar.path;
    if sidecar_absent(sidecar) {
        let info = Arc::new(module::parse(bytes)?);
        return Ok((info, None, SidecarStatus::NotFound(path.clone())));
    }
    let refused = |reason: String| {
        log::warn!(
            "ignoring sidecar {}: {reason}; running without it",
            path.display()
        );
        SidecarStatus::Refused {
            path: path.clone(),
            reason,
        }
    };
    let opened = match aot::open(path, bytes) {
        // Code without fuel charges must not run a metered store, nor metered code an
        // unmetered one (it would trap at once with 0 fuel).
        Ok(opened) if opened.consumes_fuel() != consume_fuel => {
            let reason = if consume_fuel {
                "compiled without fuel metering, this run consumes fuel (wrun compile --fuel)"
            } else {
                "compiled with fuel metering, this run does not consume fuel"
            };
            return Ok((
                Arc::new(module::parse(bytes)?),
                None,
                refused(reason.into()),
            ));
        }
        Ok(opened) => opened,
        Err(reason) => return Ok((Arc::new(module::parse(bytes)?), None, refused(reason))),
    };
    let info = Arc::new(module::parse_prevalidated(bytes)?);
    match opened.finish(&info) {
        Ok(code) => {
            log::debug!("using sidecar {}", path.display());
            Ok((
                info,
                Some(Arc::new(code)),
                SidecarStatus::Used(path.clone()),
            ))
        }
        Err(reason) => Ok((Arc::new(module::parse(bytes)?), None, refused(reason))),
    }
}

/// Owns every runtime object (instances, memories, tables, globals, functions) and the
/// execution state of the tiers.
pub struct Store {
    /// This store's identity; every handle carries the id of the store that made it.
    id: StoreId,
    engine: Engine,
    /// The interpreter's execution state (value stack, frames).
    interp: interp::Interp,
    /// Compiled code of the instantiated modules, kept alive as long as their instances.
    jit_code: Vec<Arc<jit::JitModule>>,
    data: runtime::store::StoreData,
    /// The tier managers of the instances (by index) whose records they may point at code:
    /// told to forget those records when the store drops.
    tier_users: Vec<(Arc<tier::TierManager>, u32)>,
}

impl Drop for Store {
    fn drop(&mut self) {
        for (manager, index) in &self.tier_users {
            if let Some(data) = self.data.instance(*index) {
                manager.forget_records(&data.defined_funcs);
            }
        }
    }
}

impl Store {
    pub fn new(engine: &Engine) -> Store {
        let config = engine.config();
        Store {
            id: StoreId::next(),
            engine: engine.clone(),
            interp: interp::Interp::new(config.value_stack_slots(), config.max_call_depth()),
            jit_code: Vec::new(),
            data: runtime::store::StoreData::with_limits(config.store_limits),
            tier_users: Vec::new(),
        }
    }

    /// Sets the resource limits for the memories, tables and instances created from now on
    /// (wasmtime's `StoreLimits`).
    pub fn set_limits(&mut self, limits: StoreLimits) {
        self.data.limits = limits;
    }

    pub fn limits(&self) -> StoreLimits {
        self.data.limits
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Interrupts this store's code `ticks` epochs from now (with
    /// `Config::epoch_interruption`; wasmtime's API). Without a deadline it never is.
    pub fn set_epoch_deadline(&mut self, ticks: u64) {
        let epoch = &self.engine.inner.epoch;
        let deadline = epoch
            .counter
            .load(std::sync::atomic::Ordering::Relaxed)
            .saturating_add(ticks);
        self.data.set_epoch_deadline(epoch, deadline);
    }

    /// Panics unless a handle carrying `id` was made by this store. A handle of another
    /// store (or of a dropped one: ids are never reused) would index or point into objects
    /// this store does not own, so it is refused before any use (as wasmtime does).
    #[track_caller]
    fn check(&self, id: StoreId) {
        assert!(
            self.id == id,
            "object used with the wrong store (a handle of store {} used with store {})",
            id.0,
            self.id.0
        );
    }

    /// Calls any function record of this store with the slot convention (arguments in
    /// `slots[0..params]`, results left in `slots[0..results]`).
    fn invoke(&mut self, func: Func, slots: &mut [u64]) -> Result<(), Trap> {
        self.check(func.store);
        let record = func.record.as_ptr();
        // SAFETY: the check above makes `record` a live record of this store, whose instance
        // (if any) lives as long as the store; compiled code is kept in `jit_code`. Compiled
        // functions are entered by the interpreter too (tiers share its value stack).
        let result = unsafe { self.interp.invoke(record, slots) };
        self.data.settle_fuel();
        result
    }

    /// Sets the fuel left to `fuel` (wasmtime's `Store::set_fuel`); more than `i64::MAX` is
    /// taken as `i64::MAX`. An error unless the engine consumes fuel.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), Error> {
        if !self.engine.config().consume_fuel {
            return Err(Error::FuelNotEnabled);
        }
        self.data.set_fuel(i64::try_from(fuel).unwrap_or(i64::MAX));
        Ok(())
    }

    /// The fuel left: what [`Store::set_fuel`] gave minus every charge taken since
    /// (ARCHITECTURE.md "Fuel"); 0 after an out-of-fuel trap.
    pub fn get_fuel(&self) -> Result<u64, Error> {
        if !self.engine.config().consume_fuel {
            return Err(Error::FuelNotEnabled);
        }
        Ok(self.data.fuel().max(0) as u64)
    }

    /// Adds `fuel` to what is left (saturating at `i64::MAX`).
    pub fn add_fuel(&mut self, fuel: u64) -> Result<(), Error> {
        let left = self.get_fuel()?;
        self.set_fuel(left.saturating_add(fuel))
    }

    /// The slot of `val` for an object of this store (a funcref must be one of its records).
    #[track_caller]
    fn slot_of(&self, val: &Val) -> u64 {
        self.slots_of(val)[0]
    }

    /// [`Store::slot_of`] for a value of any width (a v128 takes both slots).
    fn slots_of(&self, val: &Val) -> [u64; 2] {
        match val {
            Val::FuncRef(Some(func)) => self.check(func.store),
            Val::ExnRef(Some(exn)) => self.check(exn.store),
            _ => {}
        }
        val.to_slots()
    }

    /// Decodes a slot of type `ty` read from this store's objects: a non-null funcref slot in
    /// them is always a record of this store (every slot written into them went through
    /// [`Store::slot_of`], a host function's results or wasm code of this store).
    fn val_of(&self, ty: ValType, slot: u64) -> Val {
        self.val_of_slots(ty, [slot, 0])
    }

    /// [`Store::val_of`] for a value of any width (`slots[1]`: a v128's high half).
    fn val_of_slots(&self, ty: ValType, slots: [u64; 2]) -> Val {
        Val::from_slots(self.id, ty, slots)
    }
}

/// The identity of a [`Store`], carried by every handle and checked on every use. Taken from
/// a global counter and never reused, so a handle of a dropped store never matches a live one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct StoreId(NonZeroU64);

impl StoreId {
    fn next() -> StoreId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        // Relaxed: only uniqueness matters. 2^64 stores cannot be created, so no wrap-around.
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        StoreId(NonZeroU64::new(id).expect("store ids exhausted"))
    }
}

/// With `Tier::Jit`: points the function records of instance `index` at their compiled code
/// and keeps the code alive with the store.
fn attach_jit_code(store: &mut Store, module: &Module, index: u32) {
    let (Some(code), Some(data)) = (&module.jit, store.data.instance(index)) else {
        return;
    };
    for (i, record) in data.defined_funcs.iter().enumerate() {
        if let Some(entry) = code.entry(module.info.num_imported_funcs + i as u32) {
            record.code.set(entry);
        }
    }
    if !store.jit_code.iter().any(|c| Arc::ptr_eq(c, code)) {
        store.jit_code.push(code.clone());
    }
}

/// A function: a wasm function of some instance or a host function. A handle to a record
/// owned by its store; using it with another store panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Func {
    store: StoreId,
    record: NonNull<runtime::FuncRecord>,
}

/// A memory owned by a store; using it with another store panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory {
    store: StoreId,
    index: u32,
}

/// A table owned by a store; using it with another store panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    store: StoreId,
    index: u32,
}

/// A global owned by a store; using it with another store panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Global {
    store: StoreId,
    index: u32,
}

/// An instance owned by a store; using it with another store panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance {
    store: StoreId,
    index: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extern {
    Func(Func),
    Memory(Memory),
    Table(Table),
    Global(Global),
    Tag(Tag),
}

impl Extern {
    fn store(self) -> StoreId {
        match self {
            Extern::Func(f) => f.store,
            Extern::Memory(m) => m.store,
            Extern::Table(t) => t.store,
            Extern::Global(g) => g.store,
            Extern::Tag(t) => t.store,
        }
    }

    /// The runtime's view of this item of `store` (panics if it belongs to another store).
    #[track_caller]
    fn to_runtime(self, store: &Store) -> ExternVal {
        store.check(self.store());
        match self {
            Extern::Func(f) => ExternVal::Func(f.record),
            Extern::Memory(m) => ExternVal::Memory(m.index),
            Extern::Table(t) => ExternVal::Table(t.index),
            Extern::Global(g) => ExternVal::Global(g.index),
            Extern::Tag(t) => ExternVal::Tag(t.index),
        }
    }
}

impl Val {
    /// The value's type (`FuncRef`/`ExternRef` for null references too).
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::V128(_) => ValType::V128,
            Val::ExnRef(_) => ValType::ExnRef,
        }
    }

    /// The slot encoding (ARCHITECTURE.md): i32 zero-extended, f32 bits in the low half,
    /// funcref as the record pointer, externref as `value + 1`, exnref as the exception
    /// object's address; 0 is null. A v128 takes two slots: this is its first (the low 64
    /// bits), [`Val::to_slots`] gives both.
    pub fn to_slot(&self) -> u64 {
        self.to_slots()[0]
    }

    /// The value's slots: `ty().slots()` of them are used, the second only by a v128 (its
    /// high 64 bits; 0 otherwise).
    pub fn to_slots(&self) -> [u64; 2] {
        let one = |slot: u64| [slot, 0];
        match *self {
            Val::I32(v) => one(v as u32 as u64),
            Val::I64(v) => one(v as u64),
            Val::F32(bits) => one(bits as u64),
            Val::F64(bits) => one(bits),
            Val::FuncRef(f) => one(f.map_or(0, |f| f.record.as_ptr() as u64)),
            Val::ExternRef(r) => one(r.map_or(0, |r| r as u64 + 1)),
            Val::V128(bits) => [bits as u64, (bits >> 64) as u64],
            Val::ExnRef(e) => one(e.map_or(0, |e| e.object.as_ptr() as u64)),
        }
    }

    /// Decodes the slots of a value of type `ty` (inverse of [`Val::to_slots`]; `slots[1]` is
    /// read only for a v128) read from an object of store `store`. Crate-private: a funcref
    /// slot must be null or a record of that store, which only the store's own code can know
    /// (see [`Store::val_of`]).
    fn from_slots(store: StoreId, ty: ValType, slots: [u64; 2]) -> Val {
        let slot = slots[0];
        match ty {
            ValType::I32 => Val::I32(slot as u32 as i32),
            ValType::I64 => Val::I64(slot as i64),
            ValType::F32 => Val::F32(slot as u32),
            ValType::F64 => Val::F64(slot),
            ValType::V128 => Val::V128(u128::from(slot) | (u128::from(slots[1]) << 64)),
            ValType::FuncRef => Val::FuncRef(
                NonNull::new(slot as *mut runtime::FuncRecord).map(|record| Func { store, record }),
            ),
            ValType::ExternRef => Val::ExternRef(slot.checked_sub(1).map(|v| v as u32)),
            ValType::ExnRef => Val::ExnRef(
                NonNull::new(slot as *mut runtime::exception::ExceptionObject)
                    .map(|object| ExnRef { store, object }),
            ),
        }
    }
}

impl Func {
    /// A host function. `f` gets the arguments in `slots[0..params]` and writes the results to
    /// `slots[0..results]`.
    ///
    /// # Panics
    /// If `ty` has a `funcref` or `exnref` result: the tiers would take any `u64` the function
    /// writes there for a function record or an exception object. Such functions need
    /// [`Func::new_unchecked`].
    pub fn new(
        store: &mut Store,
        ty: FuncType,
        f: impl Fn(&mut Caller<'_>, &mut [u64]) -> Result<(), Trap> + 'static,
    ) -> Func {
        assert!(
            !ty.results.contains(&ValType::FuncRef) && !ty.results.contains(&ValType::ExnRef),
            "Func::new cannot make a host function returning funcref or exnref ({ty}); \
             use Func::new_unchecked"
        );
        // SAFETY: no result is a funcref or exnref, so no slot `f` writes is taken for a
        // pointer.
        unsafe { Func::new_unchecked(store, ty, f) }
    }

    /// Like [`Func::new`], for any type.
    ///
    /// # Safety
    /// Every `funcref` result `f` writes must be 0 (null) or the slot of a function of `store`
    /// (e.g. a funcref argument it was given, or `Val::FuncRef(Some(func)).to_slot()` of a
    /// `func` of `store`); every `exnref` result 0 or an exnref argument it was given.
    pub unsafe fn new_unchecked(
        store: &mut Store,
        ty: FuncType,
        f: impl Fn(&mut Caller<'_>, &mut [u64]) -> Result<(), Trap> + 'static,
    ) -> Func {
        let type_id = store.engine.type_id(&ty);
        let record = store.data.add_host_func(
            runtime::HostFunc {
                ty,
                func: Box::new(f),
            },
            type_id,
        );
        Func {
            store: store.id,
            record,
        }
    }

    pub fn ty(&self, store: &Store) -> FuncType {
        store.check(self.store);
        // SAFETY: checked above: the record is a live record of `store`, whose host function
        // or instance the store owns.
        unsafe { runtime::store::record_func_type(self.record.as_ptr()) }.clone()
    }

    /// Calls the function. Arguments of the wrong number or types are an
    /// [`Error::TypeMismatch`] (nothing runs); a trap is an [`Error::Trap`].
    pub fn call(&self, store: &mut Store, args: &[Val]) -> Result<Vec<Val>, Error> {
        let ty = self.ty(store);
        if args.len() != ty.params.len() {
            return Err(Error::TypeMismatch {
                what: format!("the arguments of function {ty}"),
                expected: format!("{} values", ty.params.len()),
                found: format!("{}", args.len()),
            });
        }
        let len = ty.param_slots().max(ty.result_slots()).max(1) as usize;
        // One spare slot: a v128 is read as two slots even at the end.
        let mut slots = vec![0u64; len + 1];
        let mut at = 0;
        for (i, (arg, param)) in args.iter().zip(&ty.params).enumerate() {
            if arg.ty() != *param {
                return Err(Error::TypeMismatch {
                    what: format!("argument {i} of function {ty}"),
                    expected: param.to_string(),
                    found: arg.ty().to_string(),
                });
            }
            let width = param.slots();
            slots[at..at + width].copy_from_slice(&store.slots_of(arg)[..width]);
            at += width;
        }
        store.invoke(*self, &mut slots[..len])?;
        let mut at = 0;
        Ok(ty
            .results
            .iter()
            .map(|ty| {
                let value = store.val_of_slots(*ty, [slots[at], slots[at + 1]]);
                at += ty.slots();
                value
            })
            .collect())
    }
}

fn resource(error: runtime::ResourceError) -> Error {
    Error::Resource(error)
}

impl Memory {
    pub fn new(store: &mut Store, ty: MemoryType) -> Result<Memory, Error> {
        let memory = store.data.new_memory(ty).map_err(resource)?;
        Ok(Memory {
            store: store.id,
            index: store.data.add_memory(memory),
        })
    }

    #[track_caller]
    fn get<'a>(&self, store: &'a Store) -> &'a runtime::memory::LinearMemory {
        store.check(self.store);
        // Handles are only created by their store, which never removes objects.
        store.data.memory(self.index).expect("memory of this store")
    }

    pub fn ty(&self, store: &Store) -> MemoryType {
        self.get(store).current_type()
    }

    pub fn data<'a>(&self, store: &'a Store) -> &'a [u8] {
        self.get(store).data()
    }

    pub fn data_mut<'a>(&self, store: &'a mut Store) -> &'a mut [u8] {
        store.check(self.store);
        store
            .data
            .memory_mut(self.index)
            .expect("memory of this store")
            .data_mut()
    }

    /// Current size in 64 KiB pages.
    pub fn size(&self, store: &Store) -> u64 {
        self.get(store).pages()
    }
}

impl Table {
    pub fn new(store: &mut Store, ty: TableType, init: Val) -> Result<Table, Error> {
        if init.ty() != ty.elem {
            return Err(Error::TypeMismatch {
                what: "a table's initial value".to_string(),
                expected: ty.elem.to_string(),
                found: init.ty().to_string(),
            });
        }
        let table = store
            .data
            .new_table(ty, store.slot_of(&init))
            .map_err(resource)?;
        Ok(Table {
            store: store.id,
            index: store.data.add_table(table),
        })
    }

    #[track_caller]
    fn get_instance<'a>(&self, store: &'a Store) -> &'a runtime::table::TableInstance {
        store.check(self.store);
        // Handles are only created by their store, which never removes objects.
        store.data.table(self.index).expect("table of this store")
    }

    pub fn ty(&self, store: &Store) -> TableType {
        self.get_instance(store).current_type()
    }

    pub fn size(&self, store: &Store) -> u32 {
        self.get_instance(store).len()
    }

    pub fn get(&self, store: &Store, index: u32) -> Option<Val> {
        let table = self.get_instance(store);
        let slot = *table.elements().get(index as usize)?;
        Some(store.val_of(table.ty.elem, slot))
    }
}

impl Global {
    pub fn new(store: &mut Store, ty: GlobalType, value: Val) -> Result<Global, Error> {
        if value.ty() != ty.ty {
            return Err(Error::TypeMismatch {
                what: "a global's value".to_string(),
                expected: ty.ty.to_string(),
                found: value.ty().to_string(),
            });
        }
        let global = runtime::store::GlobalInstance {
            value: store.slots_of(&value),
            ty,
        };
        Ok(Global {
            store: store.id,
            index: store.data.add_global(global),
        })
    }

    #[track_caller]
    fn get_instance<'a>(&self, store: &'a Store) -> &'a runtime::store::GlobalInstance {
        store.check(self.store);
        // Handles are only created by their store, which never removes objects.
        store.data.global(self.index).expect("global of this store")
    }

    pub fn ty(&self, store: &Store) -> GlobalType {
        self.get_instance(store).ty
    }

    pub fn get(&self, store: &Store) -> Val {
        let global = self.get_instance(store);
        store.val_of_slots(global.ty.ty, global.value)
    }
}

impl Instance {
    #[track_caller]
    fn data<'a>(&self, store: &'a Store) -> &'a runtime::instance::InstanceData {
        store.check(self.store);
        // Handles are only created by their store, which never removes objects.
        store
            .data
            .instance(self.index)
            .expect("instance of this store")
    }

    /// The handle of an export of `data`, an instance of the store `store`.
    fn export_extern(
        store: StoreId,
        data: &runtime::instance::InstanceData,
        export: &module::Export,
    ) -> Extern {
        let index = export.index as usize;
        match export.kind {
            module::ExportKind::Func => Extern::Func(Func {
                store,
                record: NonNull::new(data.funcs[index].cast_mut())
                    .expect("function records are never null"),
            }),
            module::ExportKind::Memory => Extern::Memory(Memory {
                store,
                index: data.memory_handles[index],
            }),
            module::ExportKind::Table => Extern::Table(Table {
                store,
                index: data.table_handles[index],
            }),
            module::ExportKind::Global => Extern::Global(Global {
                store,
                index: data.global_handles[index],
            }),
            module::ExportKind::Tag => Extern::Tag(Tag {
                store,
                index: data.tag_handles[index],
            }),
        }
    }

    pub fn get_export(&self, store: &Store, name: &str) -> Option<Extern> {
        let data = self.data(store);
        let export = data.module.exports.iter().find(|e| e.name == name)?;
        Some(Self::export_extern(self.store, data, export))
    }

    pub fn get_func(&self, store: &Store, name: &str) -> Option<Func> {
        match self.get_export(store, name)? {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    /// All exports in declaration order.
    pub fn exports(&self, store: &Store) -> Vec<(String, Extern)> {
        let data = self.data(store);
        data.module
            .exports
            .iter()
            .map(|e| (e.name.clone(), Self::export_extern(self.store, data, e)))
            .collect()
    }
}

/// Resolves imports by (module, name) and instantiates modules.
#[derive(Default)]
pub struct Linker {
    items: HashMap<(String, String), Extern>,
}

impl Linker {
    pub fn new() -> Linker {
        Linker::default()
    }

    /// Defines (or redefines) one importable item.
    pub fn define(&mut self, module: &str, name: &str, item: Extern) -> &mut Linker {
        self.items
            .insert((module.to_string(), name.to_string()), item);
        self
    }

    /// Defines every export of `instance` under the module name `module` (wast `register`).
    pub fn define_instance(
        &mut self,
        store: &Store,
        module: &str,
        instance: Instance,
    ) -> &mut Linker {
        for (name, item) in instance.exports(store) {
            self.define(module, &name, item);
        }
        self
    }

    pub fn get(&self, module: &str, name: &str) -> Option<Extern> {
        self.items
            .get(&(module.to_string(), name.to_string()))
            .copied()
    }

    /// Resolves the imports, type-checks them, creates the instance, initializes tables and
    /// memories from the segments and runs the start function.
    pub fn instantiate(&self, store: &mut Store, module: &Module) -> Result<Instance, Error> {
        if !Arc::ptr_eq(&module.engine.inner, &store.engine.inner) {
            // Type ids are per engine; mixing engines would make call_indirect checks wrong.
            return Err(Error::EngineMismatch);
        }
        let info = &module.info;
        let mut imports = Vec::with_capacity(info.imports.len());
        for (i, import) in info.imports.iter().enumerate() {
            let link_error = |reason| Error::Link {
                module: import.module.clone(),
                name: import.name.clone(),
                reason,
            };
            let Some(item) = self.get(&import.module, &import.name) else {
                return Err(link_error(LinkReason::Unknown));
            };
            let val = item.to_runtime(store);
            let expected_type_id = match import.kind {
                module::ImportKind::Func(type_index) => module.type_ids[type_index as usize],
                _ => 0,
            };
            store
                .data
                .check_import(info, i, val, expected_type_id)
                .map_err(|why| link_error(LinkReason::Incompatible(why)))?;
            imports.push(val);
        }
        let tier_code: Arc<dyn std::any::Any + Send + Sync> = module.code.clone();
        // The index the new instance gets: a failed instantiation (a trapping segment) keeps
        // its instance, whose functions tables may already reference, so it gets code too.
        let next_index = (0u32..)
            .find(|&i| store.data.instance(i).is_none())
            .unwrap_or(u32::MAX);
        let result = store
            .data
            .instantiate(info, tier_code, &module.type_ids, &imports);
        attach_jit_code(store, module, next_index);
        if let Some(manager) = &module.tier_manager
            && store.data.instance(next_index).is_some()
        {
            store.tier_users.push((manager.clone(), next_index));
        }
        let index = result.map_err(|e| match e {
            InstantiateError::Resource(m) => Error::Resource(m),
            InstantiateError::Trap(t) => Error::Trap(t),
        })?;
        let instance = Instance {
            store: store.id,
            index,
        };
        if let Some(start) = info.start {
            let record = store
                .data
                .instance(index)
                .map(|data| data.funcs[start as usize]);
            if let Some(record) = record.and_then(|r| NonNull::new(r.cast_mut())) {
                let mut slots = [0u64; 1];
                let start = Func {
                    store: store.id,
                    record,
                };
                store.invoke(start, &mut slots)?;
            }
        }
        Ok(instance)
    }
}
