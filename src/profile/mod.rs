//! Profiling: `--profile perfmap|jitdump|guest[=PATH]`.
//!
//! - `perfmap` ([`perf`]): one `/tmp/perf-PID.map` line per compiled function, so `perf report`
//!   names wasm functions.
//! - `jitdump` ([`perf`]): `/tmp/jit-PID.dump` in perf's jitdump format (code bytes, wasm
//!   offsets as line numbers) for `perf record -k mono` + `perf inject --jit`.
//! - `guest` ([`guest`]): a sampling profiler of the guest's wasm stack on every tier, written
//!   as a flame graph (SVG) and as collapsed stacks.
//!
//! The JIT calls [`code_loaded`] once for every piece of code it registers (a function
//! compiled at tier-up, a whole module with `--tier jit`, the code of a mapped sidecar), so
//! the two perf formats see all compiled code. Profiling is per process: [`start`] enables it
//! once, before any module is compiled.

pub mod guest;
pub mod perf;

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::jit::trap::CodeInfo;
use crate::module::ModuleInfo;

/// What `--profile` asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileMode {
    PerfMap,
    JitDump,
    /// The flame graph's path (the collapsed stacks go beside it, see [`guest::folded_path`]).
    Guest(PathBuf),
}

impl ProfileMode {
    /// Parses a `--profile` value: `perfmap`, `jitdump`, `guest` or `guest=PATH`.
    pub fn parse(value: &str) -> Result<ProfileMode, String> {
        match value.split_once('=') {
            None if value == "perfmap" => Ok(ProfileMode::PerfMap),
            None if value == "jitdump" => Ok(ProfileMode::JitDump),
            None if value == "guest" => Ok(ProfileMode::Guest(PathBuf::from(
                guest::DEFAULT_FLAME_GRAPH,
            ))),
            Some(("guest", path)) if !path.is_empty() => Ok(ProfileMode::Guest(path.into())),
            Some(("guest", _)) => Err("`guest=PATH` needs a path".to_string()),
            _ => Err(format!(
                "unknown profile `{value}` (expected perfmap, jitdump, guest or guest=PATH)"
            )),
        }
    }
}

/// The perf writer of this process, if `perfmap` or `jitdump` was started.
static PERF: OnceLock<perf::PerfWriter> = OnceLock::new();

/// A running profile; [`Profile::finish`] writes what remains to be written.
pub enum Profile {
    /// perf map and jitdump records are written as code is loaded; nothing left to do.
    Perf(PathBuf),
    Guest(guest::Sampler),
}

/// Starts profiling this process (guest: of the calling thread, which must be the one that
/// runs the wasm). Call before any module is compiled, once.
pub fn start(mode: &ProfileMode) -> Result<Profile, String> {
    match mode {
        ProfileMode::PerfMap | ProfileMode::JitDump => {
            let writer = perf::PerfWriter::create(mode == &ProfileMode::JitDump)?;
            let path = writer.path().to_path_buf();
            PERF.set(writer)
                .map_err(|_| "profiling was already started".to_string())?;
            Ok(Profile::Perf(path))
        }
        ProfileMode::Guest(path) => Ok(Profile::Guest(guest::Sampler::start(path.clone())?)),
    }
}

impl Profile {
    /// Stops profiling and writes its files; returns a one-line summary for stderr.
    /// `module` names the functions of guest samples.
    pub fn finish(self, module: Option<&ModuleInfo>) -> Result<String, String> {
        match self {
            Profile::Perf(path) => Ok(format!("profile: wrote {}", path.display())),
            Profile::Guest(sampler) => sampler.finish(module),
        }
    }
}

/// Called by the JIT for each piece of code it registers.
pub fn code_loaded(info: &CodeInfo) {
    if let Some(writer) = PERF.get() {
        writer.code_loaded(info);
    }
}

/// The name profiles give function `func_index` of `module`: its name-section name, else
/// `wasm[N]`.
pub fn func_label(module: Option<&ModuleInfo>, func_index: u32) -> String {
    match module.and_then(|m| m.func_name(func_index)) {
        Some(name) => name.to_string(),
        None => format!("wasm[{func_index}]"),
    }
}

/// The functions of compiled code `info`: `(code offset, size in bytes, function index)`.
/// A function's code runs up to the next function's entry (its OSR and trap stubs included).
pub fn compiled_functions(info: &CodeInfo) -> impl Iterator<Item = (usize, usize, u32)> + '_ {
    let len = info.end - info.start;
    info.funcs
        .iter()
        .enumerate()
        .map(move |(i, &(offset, func))| {
            let next = info.funcs.get(i + 1).map_or(len, |&(o, _)| o as usize);
            let offset = (offset as usize).min(len);
            (offset, next.max(offset) - offset, func)
        })
}
