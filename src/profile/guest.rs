//! `--profile guest[=PATH]`: a sampling profiler of the guest's wasm stack, on every tier.
//!
//! A CPU-time timer (`setitimer(ITIMER_PROF)`, [`SAMPLE_INTERVAL`]) sends SIGPROF; the handler,
//! on the thread that runs the wasm, records one sample of the whole wasm stack, innermost
//! first, across tiers. A per-thread *profile stack* says what is on it, outermost first:
//! the interpreter pushes each function it runs ([`interp_enter`], [`interp_leave`],
//! [`interp_unwind_to`]), and the tier manager pushes a mark for each entry into compiled
//! code ([`compiled_enter`], [`compiled_leave`]), saving where the compiled code around that
//! entry (if any) had left off. Compiled frames themselves are found by the frame-pointer walk
//! of `jit::trap`: from the interrupted registers when the sample lands in compiled code, else
//! from the return address and `rbp` that the call-out stubs record while compiled code is in
//! a helper, a host function or an interpreted callee (`jit::entry::track_call_outs`, switched
//! on by [`Sampler::start`]). Time in a host function or runtime helper called from compiled
//! code is a `(native)` frame on top of its compiled callers; a sample with no wasm frame at
//! all is `(native)`. With profiling off each hook costs one relaxed load and a branch.
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
//! Known limits: a function that entered compiled code by OSR shows its interpreted frame
//! and its compiled frame; a sample taken in the few instructions of an entry or a call-out
//! stub may miss the innermost compiled frames; functions are named from the profiled module
//! only.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, compiler_fence};

use super::func_label;
use crate::jit::trap::{
    CallOutState, SampledFrame, interrupted, sample_call_out_frames, sample_compiled_frames,
};
use crate::module::ModuleInfo;

/// The flame graph `--profile guest` writes when no path is given.
pub const DEFAULT_FLAME_GRAPH: &str = "wrun-guest-profile.svg";
/// Requested time between samples, in CPU time (the kernel delivers them at its tick at best).
pub const SAMPLE_INTERVAL: std::time::Duration = std::time::Duration::from_millis(1);
/// Frames kept per sample (innermost first; deeper stacks lose their outermost frames).
const MAX_FRAMES: usize = 256;
/// Words of the sample buffer (8 MiB; touched only as samples fill it).
const BUFFER_WORDS: usize = 1 << 20;
/// Profile-stack words kept per thread (deeper ones are counted, not named).
const PROFILE_STACK_WORDS: usize = 4096;
/// Nested entries into compiled code whose surroundings are kept (deeper ones are walked as
/// far as their own compiled frames go).
const MAX_ENTRIES: usize = 256;
/// A profile-stack word: `func_index << 1` for an interpreted frame, `entry << 1 | ENTRY_MARK`
/// for an entry into compiled code.
const ENTRY_MARK: u64 = 1;

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

/// What is on this thread's wasm stack, outermost first: `depth` words (see [`ENTRY_MARK`]);
/// for each entry into compiled code, the call-out state of the compiled code around it.
struct ProfileStack {
    depth: AtomicUsize,
    words: [AtomicU64; PROFILE_STACK_WORDS],
    entries: AtomicUsize,
    outer: [[AtomicUsize; 3]; MAX_ENTRIES],
}

thread_local! {
    static PROFILE_STACK: ProfileStack = const {
        ProfileStack {
            depth: AtomicUsize::new(0),
            words: [const { AtomicU64::new(0) }; PROFILE_STACK_WORDS],
            entries: AtomicUsize::new(0),
            outer: [const { [const { AtomicUsize::new(0) }; 3] }; MAX_ENTRIES],
        }
    };
    /// Set on the thread being profiled; the handler ignores SIGPROF elsewhere.
    static SAMPLED_THREAD: AtomicBool = const { AtomicBool::new(false) };
}

impl ProfileStack {
    fn push(&self, word: u64) {
        let depth = self.depth.load(Ordering::Relaxed);
        if let Some(slot) = self.words.get(depth) {
            slot.store(word, Ordering::Relaxed);
        }
        // The handler sees the new word only once it is written.
        compiler_fence(Ordering::Release);
        self.depth.store(depth + 1, Ordering::Relaxed);
    }
}

/// Where the profile stack stood before an entry into compiled code ([`compiled_enter`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct EntryMark {
    depth: usize,
    entries: usize,
}

/// Tier-manager hook: compiled code is about to be entered; `outer` is where the compiled code
/// around this entry left off (`jit::entry::call_out_state`, zeros when there is none).
#[inline]
pub(crate) fn compiled_enter(outer: impl FnOnce() -> CallOutState) -> EntryMark {
    if !ENABLED.load(Ordering::Relaxed) {
        return EntryMark::default();
    }
    let outer = outer();
    PROFILE_STACK.with(|stack| {
        let mark = EntryMark {
            depth: stack.depth.load(Ordering::Relaxed),
            entries: stack.entries.load(Ordering::Relaxed),
        };
        if let Some(saved) = stack.outer.get(mark.entries) {
            saved[0].store(outer.exit_pc, Ordering::Relaxed);
            saved[1].store(outer.exit_fp, Ordering::Relaxed);
            saved[2].store(outer.stack_top, Ordering::Relaxed);
        }
        stack.entries.store(mark.entries + 1, Ordering::Relaxed);
        stack.push((mark.entries as u64) << 1 | ENTRY_MARK);
        mark
    })
}

/// Tier-manager hook: the entry `mark` returned (or trapped).
#[inline]
pub(crate) fn compiled_leave(mark: EntryMark) {
    if ENABLED.load(Ordering::Relaxed) {
        PROFILE_STACK.with(|stack| {
            stack.depth.store(mark.depth, Ordering::Relaxed);
            stack.entries.store(mark.entries, Ordering::Relaxed);
        });
    }
}

/// Interpreter hook: it starts running function `func_index` (a call, or a nested entry).
#[inline]
pub fn interp_enter(func_index: u32) {
    if ENABLED.load(Ordering::Relaxed) {
        PROFILE_STACK.with(|stack| stack.push(u64::from(func_index) << 1));
    }
}

/// Interpreter hook: the current function returned to its interpreted caller.
#[inline]
pub fn interp_leave() {
    if ENABLED.load(Ordering::Relaxed) {
        PROFILE_STACK.with(|stack| {
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
        PROFILE_STACK.with(|stack| stack.depth.load(Ordering::Relaxed))
    } else {
        0
    }
}

/// Interpreter hook: a run ended (returned or trapped); its frames are gone.
#[inline]
pub fn interp_unwind_to(depth: usize) {
    if ENABLED.load(Ordering::Relaxed) {
        PROFILE_STACK.with(|stack| stack.depth.store(depth, Ordering::Relaxed));
    }
}

/// Appends compiled frames to a sample (`frames[*count..]`), innermost first.
fn append_compiled(frames: &mut [u64], count: &mut usize, compiled: &[SampledFrame]) {
    for (word, frame) in frames[*count..].iter_mut().zip(compiled) {
        let tier = if frame.from_sidecar {
            TIER_AOT
        } else {
            TIER_JIT
        };
        *word = u64::from(frame.func_index) << 2 | tier;
        *count += 1;
    }
}

/// Writes one sample of this thread's wasm stack into `frames` (innermost first); returns
/// how many frames it holds. Never blocks, never allocates, reads only bounds-checked stack.
fn sample_stack(context: *const libc::ucontext_t, frames: &mut [u64]) -> usize {
    // SAFETY: `context` is the ucontext the kernel passed to this SA_SIGINFO handler.
    let at = unsafe { interrupted(context) };
    let mut compiled = [SampledFrame::default(); MAX_FRAMES];
    let mut count = 0;
    PROFILE_STACK.with(|stack| {
        let depth = stack.depth.load(Ordering::Relaxed).min(PROFILE_STACK_WORDS);
        compiler_fence(Ordering::Acquire);
        let words = &stack.words[..depth];
        let innermost_is_entry =
            matches!(words.last(), Some(w) if w.load(Ordering::Relaxed) & ENTRY_MARK != 0);
        // Compiled code entered without a mark (the profile started inside it): its frames
        // are still the innermost ones.
        let mut sampled_interrupted = false;
        if at.in_compiled && !innermost_is_entry {
            let n = sample_compiled_frames(&at, &mut compiled);
            append_compiled(frames, &mut count, &compiled[..n]);
            sampled_interrupted = true;
        }
        // The call-out state of the compiled code of the next entry mark, going outwards.
        let mut state = at.live;
        for word in words.iter().rev() {
            if count >= frames.len() {
                break;
            }
            let word = word.load(Ordering::Relaxed);
            if word & ENTRY_MARK == 0 {
                frames[count] = (word >> 1) << 2 | TIER_INTERP;
                count += 1;
                continue;
            }
            let outer = stack
                .outer
                .get((word >> 1) as usize)
                .map(|saved| CallOutState {
                    exit_pc: saved[0].load(Ordering::Relaxed),
                    exit_fp: saved[1].load(Ordering::Relaxed),
                    stack_top: saved[2].load(Ordering::Relaxed),
                });
            // An entry whose trampoline has not set up its frame yet (or has already left
            // it) still shows the surrounding state: it has no frames of its own.
            let started = outer.is_none_or(|o| o.stack_top != state.stack_top);
            if started {
                let n = if at.in_compiled && !sampled_interrupted {
                    sample_compiled_frames(&at, &mut compiled)
                } else {
                    if count == 0 && state.exit_fp != 0 {
                        // In a helper or host function called from compiled code.
                        frames[0] = NATIVE;
                        count = 1;
                    }
                    sample_call_out_frames(&state, at.rsp, &mut compiled)
                };
                append_compiled(frames, &mut count, &compiled[..n]);
            }
            sampled_interrupted = true;
            match outer {
                Some(outer) => state = outer,
                // Deeper than MAX_ENTRIES: the compiled code around it is not known.
                None => state = CallOutState::default(),
            }
        }
    });
    if count == 0 {
        frames[0] = NATIVE;
        count = 1;
    }
    count
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
    // SAFETY: `base..base + BUFFER_WORDS` is the buffer allocated by `Sampler::start`, alive
    // until `finish` (which stops the timer first); `used + 1 + MAX_FRAMES` words fit, and
    // only this handler, on the sampled thread, writes them.
    unsafe {
        let sample = base.add(used);
        let frames = std::slice::from_raw_parts_mut(sample.add(1), MAX_FRAMES);
        let count = sample_stack(context.cast(), frames);
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
        crate::jit::entry::track_call_outs()
            .map_err(|trap| format!("cannot start the guest profiler: {trap}"))?;
        SAMPLED_THREAD.with(|s| s.store(true, Ordering::Relaxed));
        PROFILE_STACK.with(|stack| {
            stack.depth.store(0, Ordering::Relaxed);
            stack.entries.store(0, Ordering::Relaxed);
        });
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
