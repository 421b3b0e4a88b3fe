//! Runs one module on one tier and records everything observable, in a form comparable across
//! stores (function references become function indices, memories become hashes and bytes).

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use wrun::module::{ExportKind, ImportKind};
use wrun::{
    Config, Engine, Error, Extern, Func, FuncType, Global, Linker, Memory, MemoryType, Module,
    Store, Table, Tier, Trap, Val, ValType,
};

use crate::generate::Rng;
use wrun::tier::TierStats;

/// A way to run modules: a tier and, for `Tier::Auto`, its tier-up threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierSetup {
    pub tier: Tier,
    pub jit_threshold: u32,
}

impl TierSetup {
    pub const INTERP: TierSetup = TierSetup::plain(Tier::Interp);
    pub const JIT: TierSetup = TierSetup::plain(Tier::Jit);
    /// `Tier::Auto` with threshold 1: every function is compiled at its second call or at its
    /// first loop header (entered there by OSR), so almost every module crosses tiers.
    pub const AUTO1: TierSetup = TierSetup {
        tier: Tier::Auto,
        jit_threshold: 1,
    };

    const fn plain(tier: Tier) -> TierSetup {
        TierSetup {
            tier,
            jit_threshold: wrun::tier::DEFAULT_JIT_THRESHOLD,
        }
    }

    /// `interp`, `jit`, `opt`, `auto` (default threshold) or `auto<N>` (threshold `N`).
    pub fn parse(name: &str) -> Option<TierSetup> {
        match name.trim() {
            "interp" => Some(TierSetup::INTERP),
            "jit" => Some(TierSetup::JIT),
            "opt" => Some(TierSetup::plain(Tier::Opt)),
            "auto" => Some(TierSetup::plain(Tier::Auto)),
            other => Some(TierSetup {
                tier: Tier::Auto,
                jit_threshold: other.strip_prefix("auto")?.parse().ok()?,
            }),
        }
    }

    /// The inverse of [`TierSetup::parse`].
    pub fn name(&self) -> String {
        match self.tier {
            Tier::Auto if self.jit_threshold != wrun::tier::DEFAULT_JIT_THRESHOLD => {
                format!("auto{}", self.jit_threshold)
            }
            tier => tier.name().to_string(),
        }
    }

    fn config(&self, fuel: Option<u64>) -> Config {
        Config {
            tier: self.tier,
            jit_threshold: self.jit_threshold,
            consume_fuel: fuel.is_some(),
            ..Config::default()
        }
    }
}

/// The store fuel (`Store::set_fuel`) every store of seed `seed` starts with, the same on every
/// tier: none (fuel off) for a quarter of the seeds, so the code without fuel charges stays
/// covered; a budget small enough to run out in the middle of most runs for another quarter;
/// one that some long runs exhaust; and one no run exhausts. With fuel on, the fuel left after
/// each call is part of the compared state, so every tier must charge exactly the same amounts
/// and stop at exactly the same point.
pub fn fuel_budget(seed: u64) -> Option<u64> {
    let mut rng = Rng::new(seed ^ 0xf0e1_d2c3_b4a5_9687);
    match rng.below(4) {
        0 => None,
        1 => Some(rng.below(400)),
        2 => Some(400 + rng.below(20_000)),
        _ => Some(u64::MAX),
    }
}

/// The reference tier.
pub const TIER_A: TierSetup = TierSetup::INTERP;
/// The tiers under test by default, each compared with [`TIER_A`] on the same modules.
pub const TIERS_B: [TierSetup; 2] = [TierSetup::JIT, TierSetup::AUTO1];

/// A function reference, identified by its function index in the module under test (every
/// function is exported, so every reference the module can make is known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FuncId {
    Index(u32),
    /// A record the module did not export; only its type is comparable.
    Unknown(String),
}

/// A wasm value that compares equal across stores. Floats are bits: NaN payloads must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    FuncRef(Option<FuncId>),
    ExternRef(Option<u32>),
    V128(u128),
    /// An exnref: whether it is non-null (exceptions have no identity across stores).
    ExnRef(bool),
}

/// What an exported call returned: its results, or the trap (code and message).
pub type CallResult = Result<Vec<Value>, String>;

/// The module's observable state between calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// Per exported memory: (export name, byte length, hash of the contents).
    pub memories: Vec<(String, usize, u64)>,
    pub globals: Vec<(String, Value)>,
    pub tables: Vec<(String, Vec<Value>)>,
    /// The store's fuel left (`Store::get_fuel`), when it consumes fuel ([`fuel_budget`]).
    pub fuel: Option<u64>,
}

/// One step of a run, in order. Two tiers agree when their event lists are equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `Module::new` (validation and the tier's compilation).
    Load(Result<(), String>),
    /// Import resolution, segment initialization and the start function.
    Instantiate(Result<(), String>),
    Call {
        export: String,
        /// Phase 2: called on a fresh instance (phase 1: the shared one, in export order).
        fresh_instance: bool,
        args: Vec<Value>,
        result: CallResult,
        after: State,
    },
    /// Full memory contents after the last call, per exported memory.
    FinalMemory(Vec<(String, Vec<u8>)>),
    /// The tier panicked (always a bug, whatever the other tier did).
    Panic(String),
}

/// Everything one tier did with one module.
pub struct Outcome {
    pub events: Vec<Event>,
    /// Calls made (both phases).
    pub calls: usize,
    /// Exported functions called in phase 1 (each is called again in phase 2).
    pub exports_called: usize,
    /// What the tiers did with the module (functions compiled, OSR entries), over all calls.
    pub tier_stats: TierStats,
}

/// Loads, instantiates and calls every exported function of `wasm` on `tier`. Never panics:
/// a panic inside wrun becomes the last event.
pub fn run(tier: TierSetup, wasm: &[u8], seed: u64) -> Outcome {
    let mut events = Vec::new();
    let mut loaded = None;
    let result = catch_unwind(AssertUnwindSafe(|| {
        run_events(tier, wasm, seed, &mut events, &mut loaded)
    }));
    if let Err(payload) = result {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic payload".to_string());
        events.push(Event::Panic(message));
    }
    let calls = events
        .iter()
        .filter(|e| matches!(e, Event::Call { .. }))
        .count();
    let exports_called = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Call {
                    fresh_instance: false,
                    ..
                }
            )
        })
        .count();
    Outcome {
        events,
        calls,
        exports_called,
        tier_stats: loaded.map(|m| m.tier_stats()).unwrap_or_default(),
    }
}

/// Runs the module, recording `events`; `loaded` receives the module once it is loaded.
fn run_events(
    tier: TierSetup,
    wasm: &[u8],
    seed: u64,
    events: &mut Vec<Event>,
    loaded: &mut Option<Module>,
) {
    let fuel = fuel_budget(seed);
    let engine = Engine::new(tier.config(fuel));
    if std::env::var_os("WRUN_DIFF_TRACE").is_some() {
        eprintln!("tier {}: loading", tier.name());
    }
    let module = match Module::new(&engine, wasm) {
        Ok(module) => {
            events.push(Event::Load(Ok(())));
            *loaded = Some(module.clone());
            module
        }
        Err(e) => {
            events.push(Event::Load(Err(describe_error(&e))));
            return;
        }
    };

    // Phase 1: one instance, every export called in order, so state carries from call to call.
    let mut shared = match Instantiated::new(&engine, &module, seed, fuel) {
        Ok(instance) => {
            events.push(Event::Instantiate(Ok(())));
            instance
        }
        Err(e) => {
            events.push(Event::Instantiate(Err(e)));
            return;
        }
    };
    let export_count = shared.exports.len();
    for position in 0..export_count {
        if let Some(event) = shared.call(position, seed, false) {
            events.push(event);
        }
    }
    events.push(Event::FinalMemory(shared.memories()));

    // Phase 2: each export again on a fresh instance. The fuel global is shared by all calls of
    // an instance, so in phase 1 one long-running export starves the rest; here each export
    // starts with full fuel and from the initial state.
    for position in 0..export_count {
        if !matches!(shared.exports[position].1, Extern::Func(_)) {
            continue;
        }
        match Instantiated::new(&engine, &module, seed, fuel) {
            Ok(mut fresh) => events.extend(fresh.call(position, seed, true)),
            Err(e) => events.push(Event::Instantiate(Err(e))),
        }
    }
}

/// An instance of the module under test in its own store, with what makes its values
/// comparable.
struct Instantiated {
    store: Store,
    exports: Vec<(String, Extern)>,
    /// Function index and handle of each exported function, in export order.
    funcs: Vec<(u32, Func)>,
    /// Record pointer (a funcref's slot) -> function index.
    func_ids: HashMap<u64, u32>,
}

impl Instantiated {
    fn new(
        engine: &Engine,
        module: &Module,
        seed: u64,
        fuel: Option<u64>,
    ) -> Result<Instantiated, String> {
        let mut store = Store::new(engine);
        if let Some(fuel) = fuel {
            store.set_fuel(fuel).map_err(|e| describe_error(&e))?;
        }
        let linker = dummy_imports(&mut store, module, seed);
        let instance = linker
            .instantiate(&mut store, module)
            .map_err(|e| describe_error(&e))?;
        let exports = instance.exports(&store);
        let mut funcs = Vec::new();
        let mut func_ids = HashMap::new();
        for export in module.info().exports.iter() {
            if export.kind != ExportKind::Func {
                continue;
            }
            if let Some(Extern::Func(func)) = instance.get_export(&store, &export.name) {
                func_ids.insert(Val::FuncRef(Some(func)).to_slot(), export.index);
                funcs.push((export.index, func));
            }
        }
        Ok(Instantiated {
            store,
            exports,
            funcs,
            func_ids,
        })
    }

    fn canonical(&self, val: Val) -> Value {
        canonical(&self.store, val, &self.func_ids)
    }

    /// Calls export number `position` (if it is a function) with the arguments the seed and
    /// position determine, and records the result and the state afterwards.
    fn call(&mut self, position: usize, seed: u64, fresh_instance: bool) -> Option<Event> {
        let (name, item) = self.exports[position].clone();
        let Extern::Func(func) = item else {
            return None;
        };
        let ty = func.ty(&self.store);
        if std::env::var_os("WRUN_DIFF_TRACE").is_some() {
            eprintln!("calling export {position} {name:?} {ty} (fresh instance: {fresh_instance})");
        }
        let mut rng = Rng::new(seed ^ (position as u64).wrapping_mul(0x9e37_79b9));
        let args: Vec<Val> = ty
            .params
            .iter()
            .map(|&param| argument(&mut rng, param, &self.funcs))
            .collect();
        let result = func
            .call(&mut self.store, &args)
            .map(|results| results.into_iter().map(|v| self.canonical(v)).collect())
            .map_err(|error| match error {
                wrun::Error::Trap(trap) => describe_trap(&trap),
                other => format!("error: {other}"),
            });
        Some(Event::Call {
            export: name,
            fresh_instance,
            args: args.into_iter().map(|v| self.canonical(v)).collect(),
            result,
            after: self.snapshot(),
        })
    }

    fn snapshot(&self) -> State {
        let store = &self.store;
        let mut state = State {
            memories: Vec::new(),
            globals: Vec::new(),
            tables: Vec::new(),
            fuel: store.get_fuel().ok(),
        };
        for (name, item) in &self.exports {
            match item {
                Extern::Memory(memory) => {
                    let data = memory.data(store);
                    state
                        .memories
                        .push((name.clone(), data.len(), hash_bytes(data)));
                }
                Extern::Global(global) => state
                    .globals
                    .push((name.clone(), self.canonical(global.get(store)))),
                Extern::Table(table) => {
                    let elements = (0..table.size(store))
                        .filter_map(|i| table.get(store, i))
                        .map(|v| self.canonical(v))
                        .collect();
                    state.tables.push((name.clone(), elements));
                }
                Extern::Func(_) | Extern::Tag(_) => {}
            }
        }
        state
    }

    fn memories(&self) -> Vec<(String, Vec<u8>)> {
        self.exports
            .iter()
            .filter_map(|(name, item)| match item {
                Extern::Memory(memory) => Some((name.clone(), memory.data(&self.store).to_vec())),
                _ => None,
            })
            .collect()
    }
}

fn describe_trap(trap: &Trap) -> String {
    let mut text = format!("trap {:?}: {}", trap.code, trap.message());
    if std::env::var_os("WRUN_DIFF_BACKTRACES").is_some() {
        text.push_str(&format!(
            " [backtrace: {}]",
            describe_backtrace(&trap.backtrace)
        ));
    }
    text
}

/// The function indices of a backtrace, innermost first; a deep one (recursion until the fuel
/// runs out) as its ends, its length and a hash of every index, so that equal texts still mean
/// equal backtraces.
fn describe_backtrace(frames: &[wrun::FrameInfo]) -> String {
    const SHOWN: usize = 8;
    let indices: Vec<String> = frames.iter().map(|f| f.func_index.to_string()).collect();
    if indices.len() <= 2 * SHOWN {
        return format!("functions {}", indices.join(" <- "));
    }
    let words: Vec<u8> = frames
        .iter()
        .flat_map(|f| f.func_index.to_le_bytes())
        .collect();
    format!(
        "{} frames, hash {:#x}: functions {} <- ... <- {}",
        frames.len(),
        hash_bytes(&words),
        indices[..SHOWN].join(" <- "),
        indices[indices.len() - SHOWN..].join(" <- ")
    )
}

fn describe_error(error: &Error) -> String {
    match error {
        Error::Trap(trap) => describe_trap(trap),
        other => other.to_string(),
    }
}

fn canonical(store: &Store, val: Val, func_ids: &HashMap<u64, u32>) -> Value {
    match val {
        Val::I32(v) => Value::I32(v),
        Val::I64(v) => Value::I64(v),
        Val::F32(bits) => Value::F32(bits),
        Val::F64(bits) => Value::F64(bits),
        Val::ExternRef(r) => Value::ExternRef(r),
        Val::V128(bits) => Value::V128(bits),
        Val::ExnRef(e) => Value::ExnRef(e.is_some()),
        Val::FuncRef(None) => Value::FuncRef(None),
        Val::FuncRef(Some(func)) => Value::FuncRef(Some(
            match func_ids.get(&Val::FuncRef(Some(func)).to_slot()) {
                Some(&index) => FuncId::Index(index),
                None => FuncId::Unknown(func.ty(store).to_string()),
            },
        )),
    }
}

/// FNV-1a over 8-byte words: cheap enough to run on every memory after every call.
fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("chunks of 8"));
        hash = (hash ^ word).wrapping_mul(0x0000_0100_0000_01b3);
    }
    for &byte in words.remainder() {
        hash = (hash ^ byte as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// f32 bit patterns worth more than random ones: signed zeros, infinities, NaNs with and
/// without payload (quiet and signalling), subnormals, integer boundaries after conversion.
const F32_SPECIALS: [u32; 14] = [
    0x0000_0000,
    0x8000_0000,
    0x3f80_0000,
    0xbf80_0000,
    0x7f80_0000,
    0xff80_0000,
    0x7fc0_0000,
    0xffc0_0000,
    0x7fa0_0001,
    0x7f80_0001,
    0x0000_0001,
    0x7f7f_ffff,
    0x4f00_0000,
    0xcf00_0000,
];

const F64_SPECIALS: [u64; 14] = [
    0x0000_0000_0000_0000,
    0x8000_0000_0000_0000,
    0x3ff0_0000_0000_0000,
    0xbff0_0000_0000_0000,
    0x7ff0_0000_0000_0000,
    0xfff0_0000_0000_0000,
    0x7ff8_0000_0000_0000,
    0xfff8_0000_0000_0000,
    0x7ff4_0000_0000_0001,
    0x7ff0_0000_0000_0001,
    0x0000_0000_0000_0001,
    0x7fef_ffff_ffff_ffff,
    0x43e0_0000_0000_0000,
    0xc3e0_0000_0000_0000,
];

const INT_SPECIALS: [i64; 10] = [
    0,
    1,
    -1,
    2,
    i32::MIN as i64,
    i32::MAX as i64,
    i64::MIN,
    i64::MAX,
    0x1_0000,
    0xffff,
];

fn int(rng: &mut Rng) -> i64 {
    match rng.below(4) {
        0 => INT_SPECIALS[rng.below(INT_SPECIALS.len() as u64) as usize],
        1 => rng.below(256) as i64 - 128,
        _ => rng.next_u64() as i64,
    }
}

fn f32_bits(rng: &mut Rng) -> u32 {
    match rng.below(3) {
        0 => F32_SPECIALS[rng.below(F32_SPECIALS.len() as u64) as usize],
        1 => (rng.below(2001) as f32 - 1000.0).to_bits(),
        _ => rng.next_u64() as u32,
    }
}

fn f64_bits(rng: &mut Rng) -> u64 {
    match rng.below(3) {
        0 => F64_SPECIALS[rng.below(F64_SPECIALS.len() as u64) as usize],
        1 => (rng.below(2001) as f64 - 1000.0).to_bits(),
        _ => rng.next_u64(),
    }
}

/// A v128: whole lanes of special integers and floats (lane boundaries matter to SIMD), or
/// random bits.
fn v128_bits(rng: &mut Rng) -> u128 {
    match rng.below(4) {
        0 => u128::from(int(rng) as u64) * 0x0000_0000_0000_0001_0000_0000_0000_0001,
        1 => (0..4).fold(0, |v, _| v << 32 | u128::from(f32_bits(rng))),
        2 => u128::from(f64_bits(rng)) << 64 | u128::from(f64_bits(rng)),
        _ => u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64()),
    }
}

/// A deterministic argument of type `ty`; function references pick among `funcs` by position,
/// which is the same in every store.
fn argument(rng: &mut Rng, ty: ValType, funcs: &[(u32, Func)]) -> Val {
    match ty {
        ValType::I32 => Val::I32(int(rng) as i32),
        ValType::I64 => Val::I64(int(rng)),
        ValType::F32 => Val::F32(f32_bits(rng)),
        ValType::F64 => Val::F64(f64_bits(rng)),
        ValType::FuncRef => {
            if funcs.is_empty() || rng.below(3) == 0 {
                Val::FuncRef(None)
            } else {
                Val::FuncRef(Some(funcs[rng.below(funcs.len() as u64) as usize].1))
            }
        }
        ValType::ExternRef => Val::ExternRef(rng.below(4).checked_sub(1).map(|v| v as u32)),
        ValType::ExnRef => Val::ExnRef(None),
        ValType::V128 => Val::V128(v128_bits(rng)),
    }
}

/// A linker that satisfies every import of `module` with a deterministic dummy: host functions
/// whose results (and memory writes, and refusals) depend only on their arguments, and fresh
/// globals, tables and memories of exactly the imported type.
fn dummy_imports(store: &mut Store, module: &Module, seed: u64) -> Linker {
    let mut linker = Linker::new();
    let info = module.info().clone();
    for (import_index, import) in info.imports.iter().enumerate() {
        let mut rng = Rng::new(seed ^ 0x1234_5678 ^ (import_index as u64) << 40);
        let item = match &import.kind {
            ImportKind::Func(type_index) => {
                let ty = info.types[*type_index as usize].clone();
                Extern::Func(dummy_func(store, ty, import_index as u64))
            }
            ImportKind::Global(ty) => {
                let value = match ty.ty {
                    ValType::FuncRef => Val::FuncRef(None),
                    other => argument(&mut rng, other, &[]),
                };
                match Global::new(store, *ty, value) {
                    Ok(global) => Extern::Global(global),
                    Err(_) => continue,
                }
            }
            ImportKind::Table(ty) => {
                let init = if ty.elem == ValType::FuncRef {
                    Val::FuncRef(None)
                } else {
                    Val::ExternRef(None)
                };
                match Table::new(store, *ty, init) {
                    Ok(table) => Extern::Table(table),
                    Err(_) => continue,
                }
            }
            ImportKind::Memory(ty) => match Memory::new(store, MemoryType { limits: ty.limits }) {
                Ok(memory) => Extern::Memory(memory),
                Err(_) => continue,
            },
            ImportKind::Tag(type_index) => {
                let params = info.types[*type_index as usize].params.clone();
                Extern::Tag(wrun::Tag::new(store, params))
            }
        };
        // An item that could not be created stays undefined: instantiation then fails with a
        // link error, identically on both tiers.
        linker.define(&import.module, &import.name, item);
    }
    linker
}

fn dummy_func(store: &mut Store, ty: FuncType, import_index: u64) -> Func {
    let params = ty.params.clone();
    let results = ty.results.clone();
    // SAFETY: every funcref and exnref result the function writes is 0 (null).
    unsafe {
        Func::new_unchecked(store, ty, move |caller, slots| {
            let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ import_index;
            // Slots follow the signature's layout: a v128 takes two.
            let mut at = 0;
            for param in &params {
                let width = param.slots();
                for &slot in &slots[at..at + width] {
                    // A funcref or exnref is a store-specific pointer: only its nullness is
                    // comparable.
                    let bits = if matches!(param, ValType::FuncRef | ValType::ExnRef) {
                        (slot != 0) as u64
                    } else {
                        slot
                    };
                    hash = (hash ^ bits).wrapping_mul(0x0000_0100_0000_01b3);
                }
                at += width;
            }
            let mut rng = Rng::new(hash);
            if rng.below(16) == 0 {
                return Err(Trap::host(format!("dummy import {import_index} refuses")));
            }
            // Write into the caller's memory, so a tier that caches memory across calls is caught.
            if let Some(memory) = caller.memory()
                && memory.len() >= 8
            {
                let at = rng.below(memory.len() as u64 - 7) as usize;
                memory[at..at + 8].copy_from_slice(&rng.next_u64().to_le_bytes());
            }
            let mut at = 0;
            for result in &results {
                let width = result.slots();
                // Funcref and exnref results are null (0), as `argument` makes them.
                let value = match *result {
                    ValType::FuncRef => [0, 0],
                    other => argument(&mut rng, other, &[]).to_slots(),
                };
                slots[at..at + width].copy_from_slice(&value[..width]);
                at += width;
            }
            Ok(())
        })
    }
}
