//! `--profile guest[=PATH]`: a sampling profiler of the guest's wasm stack, on every tier.
//!
//! A CPU-time timer (`setitimer(ITIMER_PROF)`, [`SAMPLE_INTERVAL`]) sends SIGPROF; the handler,
//! on the thread that runs the wasm, records one sample: the compiled frames of the
//! interrupted code (the frame-pointer walk of `jit::trap`, see
//! [`crate::jit::trap::sample_compiled_frames`]), then the interpreter's frames, innermost
//! first. The interpreter tells the profiler which functions it is running through three
//! hooks ([`interp_enter`], [`interp_leave`], [`interp_unwind_to`]) that keep a fixed-size
//! per-thread stack of function indices; with profiling off each costs one relaxed load and
//! a branch. A sample outside wasm code (host functions, runtime helpers, the compiler) with
//! no interpreter frame is `(native)`.
//!
//! The handler never blocks or allocates: samples go to a buffer allocated at start (when it
//! is full, further samples are counted as dropped), the code registry is only try-locked,
//! and every frame pointer is bounds-checked before it is read; the interpreter's stack is
//! plain integers, never dereferenced.
//!
//! At the end the samples become collapsed stacks (`frame;frame;... COUNT`, outermost first,
//! each frame `NAME [TIER]` with TIER `interp`, `jit` or `aot`) in `PATH` with the extension
//! `.folded`, and a flame graph drawn by `inferno` in `PATH`.
//!
//! Known limits: compiled frames are found only when the sample lands in compiled code, so
//! time in a host function or runtime helper called from compiled code is `(native)` (or
//! charged to the interpreted frames below it), and when a sample lands in the interpreter
//! while compiled code is further down the stack (interpreter -> compiled -> interpreter),
//! those compiled frames are missing from it; a function that entered compiled code by OSR
//! shows its interpreted frame and its compiled frame; functions are named from the profiled
//! module only.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering, compiler_fence};

use super::func_label;
use crate::jit::trap::{SampledFrame, sample_compiled_frames};
use crate::module::ModuleInfo;

/// The flame graph `--profile guest` writes when no path is given.
pub const DEFAULT_FLAME_GRAPH: &str = "wrun-guest-profile.svg";
/// Requested time between samples, in CPU time (the kernel delivers them at its tick at best).
pub const SAMPLE_INTERVAL: std::time::Duration = std::time::Duration::from_millis(1);
/// Frames kept per sample (innermost first; deeper stacks lose their outermost frames).
const MAX_FRAMES: usize = 256;
/// Words of the sample buffer (8 MiB; touched only as samples fill it).
const BUFFER_WORDS: usize = 1 << 20;
/// Interpreter frames tracked per thread (deeper ones are counted, not named).
const INTERP_STACK_FRAMES: usize = 4096;

const TIER_INTERP: u64 = 0;
const TIER_JIT: u64 = 1;
const TIER_AOT: u64 = 2;
/// A sample with no wasm frame.
const NATIVE: u64 = 3;

/// Whether the interpreter hooks record (a guest profile is running).
static ENABLED: AtomicBool = AtomicBool::new(false);

/// The sample buffer: each sample is a word with its frame count, then its frames
/// (`func_index << 2 | tier`), innermost first. Written only by the handler on the sampled
/// thread, read by [`Sampler::finish`] after the timer is stopped.
static BUFFER: AtomicUsize = AtomicUsize::new(0);
static BUFFER_USED: AtomicUsize = AtomicUsize::new(0);
static DROPPED: AtomicUsize = AtomicUsize::new(0);

/// The interpreter's functions on this thread: `depth` entries, outermost first.
struct InterpStack {
    depth: AtomicUsize,
    funcs: [AtomicU32; INTERP_STACK_FRAMES],
}

thread_local! {
    static INTERP_STACK: InterpStack = const {
        InterpStack {
            depth: AtomicUsize::new(0),
            funcs: [const { AtomicU32::new(0) }; INTERP_STACK_FRAMES],
        }
    };
    /// Set on the thread being profiled; the handler ignores SIGPROF elsewhere.
    static SAMPLED_THREAD: AtomicBool = const { AtomicBool::new(false) };
}

/// Interpreter hook: it starts running function `func_index` (a call, or a nested entry).
#[inline]
pub fn interp_enter(func_index: u32) {
    if ENABLED.load(Ordering::Relaxed) {
        INTERP_STACK.with(|stack| {
            let depth = stack.depth.load(Ordering::Relaxed);
            if let Some(slot) = stack.funcs.get(depth) {
                slot.store(func_index, Ordering::Relaxed);
            }
            // The handler sees the new frame only once its index is written.
            compiler_fence(Ordering::Release);
            stack.depth.store(depth + 1, Ordering::Relaxed);
        });
    }
}

/// Interpreter hook: the current function returned to its interpreted caller.
#[inline]
pub fn interp_leave() {
    if ENABLED.load(Ordering::Relaxed) {
        INTERP_STACK.with(|stack| {
            let depth = stack.depth.load(Ordering::Relaxed);
            stack
                .depth
                .store(depth.saturating_sub(1), Ordering::Relaxed);
        });
    }
}

/// Interpreter hook: the depth to restore with [`interp_unwind_to`] when a run ends.
#[inline]
pub fn interp_depth() -> usize {
    if ENABLED.load(Ordering::Relaxed) {
        INTERP_STACK.with(|stack| stack.depth.load(Ordering::Relaxed))
    } else {
        0
    }
}

/// Interpreter hook: a run ended (returned or trapped); its frames are gone.
#[inline]
pub fn interp_unwind_to(depth: usize) {
    if ENABLED.load(Ordering::Relaxed) {
        INTERP_STACK.with(|stack| stack.depth.store(depth, Ordering::Relaxed));
    }
}

/// The SIGPROF handler: records one sample of this thread's wasm stack.
extern "C" fn on_sigprof(
    _signal: libc::c_int,
    _info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    if !SAMPLED_THREAD.with(|s| s.load(Ordering::Relaxed)) {
        return;
    }
    let base = BUFFER.load(Ordering::Acquire) as *mut u64;
    let used = BUFFER_USED.load(Ordering::Relaxed);
    if base.is_null() || used + 1 + MAX_FRAMES > BUFFER_WORDS {
        DROPPED.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let mut compiled = [SampledFrame::default(); MAX_FRAMES];
    // SAFETY: `context` is the ucontext the kernel passed to this SA_SIGINFO handler.
    let compiled_count = unsafe { sample_compiled_frames(context.cast(), &mut compiled) };
    // SAFETY: `base..base + BUFFER_WORDS` is the buffer allocated by `Sampler::start`, alive
    // until `finish` (which stops the timer first); `used + 1 + MAX_FRAMES` words fit, and
    // only this handler, on the sampled thread, writes them.
    unsafe {
        let sample = base.add(used);
        let frames = std::slice::from_raw_parts_mut(sample.add(1), MAX_FRAMES);
        let mut count = 0;
        for frame in &compiled[..compiled_count] {
            let tier = if frame.from_sidecar {
                TIER_AOT
            } else {
                TIER_JIT
            };
            frames[count] = u64::from(frame.func_index) << 2 | tier;
            count += 1;
        }
        INTERP_STACK.with(|stack| {
            let depth = stack.depth.load(Ordering::Relaxed).min(INTERP_STACK_FRAMES);
            compiler_fence(Ordering::Acquire);
            for (slot, word) in stack.funcs[..depth]
                .iter()
                .rev()
                .zip(frames[count..].iter_mut())
            {
                *word = u64::from(slot.load(Ordering::Relaxed)) << 2 | TIER_INTERP;
                count += 1;
            }
        });
        if count == 0 {
            frames[0] = NATIVE;
            count = 1;
        }
        *sample = count as u64;
        BUFFER_USED.store(used + 1 + count, Ordering::Release);
    }
}

/// A running guest profile.
pub struct Sampler {
    flame_graph: PathBuf,
    buffer: Box<[u64]>,
}

/// The collapsed-stack file that goes with flame graph `path`: `PATH` with extension `.folded`.
pub fn folded_path(path: &Path) -> PathBuf {
    path.with_extension("folded")
}

impl Sampler {
    /// Starts sampling the calling thread.
    pub fn start(flame_graph: PathBuf) -> Result<Sampler, String> {
        if BUFFER.load(Ordering::Acquire) != 0 {
            return Err("a guest profile is already running".to_string());
        }
        let mut buffer = vec![0u64; BUFFER_WORDS].into_boxed_slice();
        BUFFER_USED.store(0, Ordering::Relaxed);
        DROPPED.store(0, Ordering::Relaxed);
        BUFFER.store(buffer.as_mut_ptr() as usize, Ordering::Release);
        SAMPLED_THREAD.with(|s| s.store(true, Ordering::Relaxed));
        INTERP_STACK.with(|stack| stack.depth.store(0, Ordering::Relaxed));
        ENABLED.store(true, Ordering::Relaxed);
        // SAFETY: installing an SA_SIGINFO handler that only touches atomics, thread-locals
        // without destructors and the preallocated buffer; then arming the process's
        // profiling timer. All pointers are to locals.
        let armed = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigprof as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGPROF, &action, std::ptr::null_mut()) == 0
                && set_timer(SAMPLE_INTERVAL)
        };
        let sampler = Sampler {
            flame_graph,
            buffer,
        };
        if !armed {
            sampler.stop();
            return Err(format!(
                "cannot start the guest profiler: {}",
                std::io::Error::last_os_error()
            ));
        }
        Ok(sampler)
    }

    /// Stops the timer and the hooks; afterwards the handler records nothing.
    fn stop(&self) {
        // SAFETY: disarming the profiling timer.
        unsafe { set_timer(std::time::Duration::ZERO) };
        ENABLED.store(false, Ordering::Relaxed);
        SAMPLED_THREAD.with(|s| s.store(false, Ordering::Relaxed));
        BUFFER.store(0, Ordering::Release);
    }

    /// Stops sampling and writes the collapsed stacks and the flame graph, naming functions
    /// from `module`; returns the summary line.
    pub fn finish(self, module: Option<&ModuleInfo>) -> Result<String, String> {
        self.stop();
        let used = BUFFER_USED.load(Ordering::Acquire).min(self.buffer.len());
        let stacks = collapse(&self.buffer[..used], module);
        let samples: u64 = stacks.values().sum();
        let mut lines: Vec<String> = stacks
            .into_iter()
            .map(|(stack, count)| format!("{stack} {count}"))
            .collect();
        lines.sort();
        let folded = folded_path(&self.flame_graph);
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(&folded, text).map_err(|e| format!("{}: {e}", folded.display()))?;
        write_flame_graph(&self.flame_graph, &lines, samples)?;
        let dropped = DROPPED.load(Ordering::Relaxed);
        Ok(format!(
            "guest profile: {samples} samples{} -> {}, {}",
            if dropped > 0 {
                format!(" ({dropped} dropped: buffer full)")
            } else {
                String::new()
            },
            self.flame_graph.display(),
            folded.display()
        ))
    }
}

/// Arms (or with zero disarms) the process's CPU-time profiling timer.
///
/// # Safety
/// A SIGPROF handler must be installed while it is armed.
unsafe fn set_timer(interval: std::time::Duration) -> bool {
    let tv = libc::timeval {
        tv_sec: interval.as_secs() as libc::time_t,
        tv_usec: interval.subsec_micros() as libc::suseconds_t,
    };
    let timer = libc::itimerval {
        it_interval: tv,
        it_value: tv,
    };
    // SAFETY: setitimer with a valid itimerval (the caller keeps a handler installed).
    unsafe { libc::setitimer(libc::ITIMER_PROF, &timer, std::ptr::null_mut()) == 0 }
}

/// Collapsed stacks (outermost frame first, `;`-separated) and their sample counts.
fn collapse(words: &[u64], module: Option<&ModuleInfo>) -> HashMap<String, u64> {
    let mut labels: HashMap<u64, String> = HashMap::new();
    let mut stacks: HashMap<String, u64> = HashMap::new();
    let mut at = 0;
    while at < words.len() {
        let count = words[at] as usize;
        let frames = &words[(at + 1).min(words.len())..(at + 1 + count).min(words.len())];
        at += 1 + count;
        let mut key = String::new();
        for &word in frames.iter().rev() {
            if !key.is_empty() {
                key.push(';');
            }
            key.push_str(
                labels
                    .entry(word)
                    .or_insert_with(|| frame_label(word, module)),
            );
        }
        *stacks.entry(key).or_insert(0) += 1;
    }
    stacks
}

fn frame_label(word: u64, module: Option<&ModuleInfo>) -> String {
    let tier = match word & 3 {
        TIER_INTERP => "interp",
        TIER_JIT => "jit",
        TIER_AOT => "aot",
        _ => return "(native)".to_string(),
    };
    // Flame-graph frames are `;`-separated; keep names from splitting them.
    let name = func_label(module, (word >> 2) as u32).replace(';', ":");
    format!("{name} [{tier}]")
}

fn write_flame_graph(path: &Path, lines: &[String], samples: u64) -> Result<(), String> {
    let mut options = inferno::flamegraph::Options::default();
    options.title = "wrun --profile guest".to_string();
    options.subtitle = Some(format!(
        "{samples} samples of CPU time ({} ms asked, the kernel's tick at best); [interp] interpreted, [jit] compiled, [aot] from a sidecar",
        SAMPLE_INTERVAL.as_millis()
    ));
    options.count_name = "samples".to_string();
    if lines.is_empty() {
        return Err(format!(
            "no samples (the run took less CPU time than one interval); {} not written",
            path.display()
        ));
    }
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let writer = std::io::BufWriter::new(file);
    inferno::flamegraph::from_lines(&mut options, lines.iter().map(String::as_str), writer)
        .map_err(|e| format!("{}: {e}", path.display()))
}
