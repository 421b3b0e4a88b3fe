//! The executor: one loop over internal code, frames on `Interp::frames` (see `interp` docs).

use crate::runtime::float::{
    I32_HI, I32_LO, U32_HI, U32_LO, U64_HI, U64_LO, fmax32, fmax64, fmin32, fmin64, quieted32,
    quieted64, trunc_check, trunc_i64,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use super::ModuleCode;
use super::isa::{Instr, Threaded, for_each_instr};
use super::translate::Translated;
use crate::runtime::exception::{ExceptionObject, catch_clause, new_exception};
use crate::runtime::simd;
use crate::runtime::{Caller, FrameInfo, FuncRecord, Trap, TrapCode, VmCtx, libcalls};

/// Counting executed instruction pairs, to choose superinstructions (debug builds, which run
/// every instruction through the `match` loop of `Interp::run`): between [`pair_counts::start`]
/// and [`pair_counts::take`] the thread counts each executed instruction together with the one
/// executed before it (across calls, returns and branches). Used by the ignored test
/// `interp::tests::pair_counts`.
#[cfg(debug_assertions)]
pub mod pair_counts {
    use super::Instr;
    use std::cell::RefCell;

    const TAGS: usize = Instr::COUNT;

    struct Counts {
        previous: usize,
        pairs: Vec<u64>,
        /// One instruction of each tag seen, for its name.
        examples: Vec<Option<Instr>>,
    }

    thread_local! {
        static COUNTS: RefCell<Option<Counts>> = const { RefCell::new(None) };
    }

    /// Starts counting on this thread (from zero).
    pub fn start() {
        COUNTS.with(|c| {
            *c.borrow_mut() = Some(Counts {
                previous: 0,
                pairs: vec![0; TAGS * TAGS],
                examples: vec![None; TAGS],
            })
        });
    }

    /// Stops counting; returns `(first, second, count)` by descending count, with the
    /// instructions' names.
    pub fn take() -> Vec<(String, String, u64)> {
        let Some(counts) = COUNTS.with(|c| c.borrow_mut().take()) else {
            return Vec::new();
        };
        let name = |tag: usize| match &counts.examples[tag] {
            Some(instr) => instr.name().to_string(),
            None => format!("#{tag}"),
        };
        let mut pairs: Vec<(String, String, u64)> = counts
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| (name(i / TAGS), name(i % TAGS), *n))
            .collect();
        pairs.sort_by_key(|p| std::cmp::Reverse(p.2));
        pairs
    }

    pub(super) fn record(instr: Instr) {
        let tag = usize::from(instr.tag());
        COUNTS.with(|c| {
            if let Some(counts) = c.borrow_mut().as_mut() {
                counts.pairs[counts.previous * TAGS + tag] += 1;
                counts.previous = tag;
                counts.examples[tag].get_or_insert(instr);
            }
        });
    }
}

/// Stores each instruction's handler address in it (direct threading), before its code is
/// published; a no-op where there is no handler chain (unoptimized builds, other targets).
/// The addresses are of this process: translated code is never stored anywhere else.
pub fn thread(code: &mut [Threaded]) {
    #[cfg(all(not(debug_assertions), target_arch = "x86_64"))]
    for c in code.iter_mut() {
        c.handler = chain::handler_address(c.instr.tag());
    }
    #[cfg(any(debug_assertions, not(target_arch = "x86_64")))]
    let _ = code;
}

/// A suspended caller.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    /// Where to continue (the instruction after the call).
    ip: *const Threaded,
    fp: *mut u64,
    func: *const Translated,
    vmctx: *mut VmCtx,
    code: *const ModuleCode,
}

/// Execution state of one store: value stack and call frames.
pub struct Interp {
    stack: Vec<u64>,
    stack_slots: usize,
    frames: Vec<Frame>,
    /// The call-depth budget (ARCHITECTURE.md "Stack limits"): wasm frames the next call out
    /// of the interpreter (into compiled code, a host function, a nested `invoke`) may still
    /// enter. Inside a run the budget is `FastCtx::frame_limit - frames.len()`; this field is
    /// written before each call out and restored by `call_at_with_depth`.
    depth_left: usize,
    /// First free slot: where a nested `invoke` (a host function calling back into wasm)
    /// starts its frame.
    stack_top: usize,
}

/// Why the run loop stopped.
enum Stop {
    Done,
    Trap(TrapCode),
    Host(Trap),
    /// A trap that came out of compiled code, with the compiled frames in its backtrace;
    /// `true`: the current interpreted frame is the caller of that code (it is added to the
    /// backtrace), `false`: the compiled code replaced the current frame (OSR).
    Compiled(Trap, bool),
    /// The run's entry function tail-called this compiled function (its arguments are in
    /// the entry frame): the caller of the run makes the call (`Interp::tail_call_at`).
    Tail(*const FuncRecord),
}

fn bump(counter: &AtomicU32) {
    // A plain load + store: counts may be lost under races between threads, which is fine for
    // a tier-up heuristic and avoids a locked read-modify-write in the hot path.
    counter.store(
        counter.load(Ordering::Relaxed).wrapping_add(1),
        Ordering::Relaxed,
    );
}

/// The `ModuleCode` of the instance owning `vmctx`.
///
/// # Safety
/// `vmctx` is null or points to a live instance context.
unsafe fn module_code_of(vmctx: *mut VmCtx) -> Option<*const ModuleCode> {
    if vmctx.is_null() {
        return None;
    }
    // SAFETY: per the contract, `instance` is null or points to the live InstanceData.
    unsafe {
        let instance = crate::runtime::instance::InstanceData::of_vmctx(vmctx);
        if instance.is_null() {
            return None;
        }
        (*instance)
            .tier_code
            .downcast_ref::<ModuleCode>()
            .map(|c| c as *const ModuleCode)
    }
}

/// How an instruction left the fast path ([`fast_step`]).
enum Flow {
    /// Done; continue at the returned `ip`.
    Next,
    /// Not a fast instruction: the caller (the run loop) executes it.
    Slow,
    Trap(TrapCode),
}

/// The state the handlers keep in registers (the chain passes it as arguments): the frame, the
/// memory and the current function's code. Calls and returns in the chain change `fp` and
/// `code_base`, `memory.grow` changes the memory.
#[derive(Clone, Copy)]
struct Regs {
    fp: *mut u64,
    mem_base: *mut u8,
    mem_len: usize,
    code_base: *const Threaded,
    /// The f64 accumulator: the value the last instruction with an `fdst` operand wrote
    /// there (`isa.rs`; read only by the instruction right after it).
    acc: f64,
}

/// What fast instructions need besides their registers (rarely used: loop headers count back
/// edges of `func`, globals are found through `vmctx`, calls and returns between interpreted
/// functions of this instance push and pop `frames`). Built by the run loop before each entry
/// to the fast path, read back after it (`func` may have changed, and the chain leaves its
/// registers in `regs`).
struct FastCtx {
    func: *const Translated,
    vmctx: *mut VmCtx,
    code: *const ModuleCode,
    frames: *mut Vec<Frame>,
    /// Frames at or below this depth belong to callers of this run: returning past it ends
    /// the run, which only the run loop does.
    entry_depth: usize,
    /// A call may push a frame while `frames.len()` is below this: the run's entry depth
    /// plus its call-depth budget, less the running function's own frame.
    frame_limit: usize,
    stack_end: *mut u64,
    /// Where the chain stopped (written by the chain at its exit).
    #[cfg_attr(any(debug_assertions, not(target_arch = "x86_64")), allow(dead_code))]
    regs: Regs,
}

/// The fast path of a wasm-to-wasm call (`Call`, `CallIndirect`): when `record` is an
/// interpreted, already translated function of the same instance that does not get hot with
/// this call, pushes the caller's frame (returning to `ret`), enters the callee (frame at
/// `args`) and returns its first instruction. `None` (nothing changed): the run loop makes
/// the call (host functions, other instances, compiled code, first calls, tier-up, a full
/// stack).
///
/// # Safety
/// `record` is a live function record, `args` is inside the current frame, `ctx` is current.
#[inline(always)]
unsafe fn call_in_chain(
    record: *const FuncRecord,
    ret: *const Threaded,
    args: *mut u64,
    r: &mut Regs,
    ctx: &mut FastCtx,
) -> Option<*const Threaded> {
    // SAFETY: per the contract; the callee's frame is checked to fit before it is entered.
    unsafe {
        let (callee, calls) = chain_callee(record, ctx)?;
        let frames = &mut *ctx.frames;
        let room = ctx.stack_end.offset_from(args) as usize;
        if frames.len() >= ctx.frame_limit || callee.frame_slots as usize > room {
            return None;
        }
        frames.push(Frame {
            ip: ret,
            fp: r.fp,
            func: ctx.func,
            vmctx: ctx.vmctx,
            code: ctx.code,
        });
        std::ptr::write_bytes(
            args.add(callee.num_params as usize),
            0,
            (callee.num_locals - callee.num_params) as usize,
        );
        callee.calls.store(calls.wrapping_add(1), Ordering::Relaxed);
        crate::profile::guest::interp_enter((*record).func_index);
        let entry = callee.code.as_ptr();
        r.fp = args;
        r.code_base = entry;
        ctx.func = callee;
        Some(entry)
    }
}

/// The callee of a call from the handler chain, with its call count, when the chain can
/// enter it: an interpreted, already translated function of the same instance that this call
/// does not make hot. Host records have a null `vmctx`, so host calls go to the run loop too.
///
/// # Safety
/// As [`call_in_chain`].
#[inline(always)]
unsafe fn chain_callee<'a>(
    record: *const FuncRecord,
    ctx: &FastCtx,
) -> Option<(&'a Translated, u32)> {
    // SAFETY: `record` is live and `ctx.code` is the running module's code, which outlives
    // the call.
    unsafe {
        if (*record).vmctx != ctx.vmctx || !(*record).code.get().is_null() {
            return None;
        }
        let callee = (*ctx.code).translated((*record).func_index)?;
        let calls = callee.calls.load(Ordering::Relaxed);
        if calls >= callee.call_trigger.load(Ordering::Relaxed) {
            return None;
        }
        Some((callee, calls))
    }
}

/// The fast path of a tail call (`ReturnCall`): when `record` is an interpreted, already
/// translated function of the same instance that does not get hot with this call and whose
/// frame fits at `fp`, moves the arguments from `args` to `fp[0..]`, replaces the current
/// function by the callee (no frame is pushed) and returns its first instruction. `None`
/// (nothing changed): the run loop makes the call (`tail_call!`).
///
/// # Safety
/// As [`call_in_chain`].
#[inline(always)]
unsafe fn tail_call_in_chain(
    record: *const FuncRecord,
    args: *mut u64,
    r: &mut Regs,
    ctx: &mut FastCtx,
) -> Option<*const Threaded> {
    // SAFETY: per the contract; the callee's frame is checked to fit before it is entered.
    unsafe {
        let (callee, _) = chain_callee(record, ctx)?;
        if callee.frame_slots as usize > ctx.stack_end.offset_from(r.fp) as usize {
            return None;
        }
        enter_tail_callee(callee, args, r.fp);
        crate::profile::guest::interp_leave();
        crate::profile::guest::interp_enter((*record).func_index);
        let entry = callee.code.as_ptr();
        r.code_base = entry;
        ctx.func = callee;
        Some(entry)
    }
}

/// The frame work of an interpreted tail call: the callee's arguments move from `args` (above
/// them or at them) down to `fp[0..]`, its declared locals are zeroed, its call is counted.
///
/// # Safety
/// `callee`'s frame fits at `fp`; `args[..callee.num_params]` lies in the current frame.
#[inline(always)]
unsafe fn enter_tail_callee(callee: &Translated, args: *mut u64, fp: *mut u64) {
    // SAFETY: per the contract (`copy` allows the overlap).
    unsafe {
        std::ptr::copy(args, fp, callee.num_params as usize);
        std::ptr::write_bytes(
            fp.add(callee.num_params as usize),
            0,
            (callee.num_locals - callee.num_params) as usize,
        );
    }
    bump(&callee.calls);
}

/// The fast path of a return: when the caller is an interpreted frame of this run and this
/// instance, pops it and returns where to continue. `None` (nothing changed): the run loop
/// returns.
///
/// # Safety
/// `ctx` is current.
#[inline(always)]
unsafe fn return_in_chain(r: &mut Regs, ctx: &mut FastCtx) -> Option<*const Threaded> {
    // SAFETY: frames above `entry_depth` are live frames of this run (see `run`).
    unsafe {
        let frames = &mut *ctx.frames;
        if frames.len() <= ctx.entry_depth {
            return None;
        }
        let frame = *frames.last()?;
        if frame.vmctx != ctx.vmctx {
            return None;
        }
        frames.pop();
        crate::profile::guest::interp_leave();
        r.fp = frame.fp;
        r.code_base = (*frame.func).code.as_ptr();
        ctx.func = frame.func;
        Some(frame.ip)
    }
}

/// The base and length of `vmctx`'s memory (null and 0 without one).
///
/// # Safety
/// `vmctx` is a live instance context.
#[inline(always)]
unsafe fn memory_of(vmctx: *mut VmCtx) -> (*mut u8, usize) {
    // SAFETY: per the contract, `memory` is null or the instance's live memory.
    unsafe {
        let memory = (*vmctx).memory;
        if memory.is_null() {
            (std::ptr::null_mut(), 0)
        } else {
            ((*memory).base, (*memory).len)
        }
    }
}

/// The semantics of every "fast" instruction, the one definition shared by both dispatchers:
/// the `match` loop of [`Interp::run`] (calls this first for each instruction) and the
/// tail-calling handlers of `chain` (one per instruction tag, each inlining this function with
/// its tag known, so only its own arm survives). Fast instructions touch only the frame, the
/// memory, branch targets and (through `ctx`) back-edge counters and globals; calls, returns and
/// everything that can change the memory or call into the runtime are "slow" and stay in the
/// run loop. `ip` points past `instr`; the new `ip` is returned.
///
/// # Safety
/// `instr` is the instruction before `ip`, of the function whose code starts at `code_base`,
/// `fp` is its frame, `mem_base`/`mem_len` the current memory, `ctx` is current (see `run`).
#[inline(always)]
// The `Not` float branches are the negated IEEE comparison, true on NaN, as written.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
unsafe fn fast_step(
    instr: Instr,
    ip: *const Threaded,
    r: &mut Regs,
    ctx: *mut FastCtx,
) -> (Flow, *const Threaded) {
    let mut ip = ip;
    let Regs {
        fp,
        mem_base,
        mem_len,
        code_base,
        ..
    } = *r;
    // SAFETY: as in `run` (whole loop): slot operands are inside the frame, branch targets
    // inside the function's code, memory accesses are bounds-checked against `mem_len`, and
    // `ctx` points to the live function and instance context.
    unsafe {
        macro_rules! s {
            ($i:expr) => {
                *fp.add($i as usize)
            };
        }
        macro_rules! trap {
            ($code:ident) => {
                return (Flow::Trap(TrapCode::$code), ip)
            };
        }
        // A v128 operand: two slots, low half first.
        macro_rules! v128 {
            ($i:expr) => {{
                let at = $i as usize;
                simd::V128::from_slots([*fp.add(at), *fp.add(at + 1)])
            }};
        }
        macro_rules! set_v128 {
            ($i:expr, $v:expr) => {{
                let [lo, hi] = ($v).to_slots();
                let at = $i as usize;
                *fp.add(at) = lo;
                *fp.add(at + 1) = hi;
            }};
        }
        // Entry `index` of the running function's constant pool (the translator emits only
        // indices inside it).
        macro_rules! v128_pool {
            ($index:expr) => {
                (*(*ctx).func).v128_pool[$index as usize]
            };
        }
        macro_rules! un32 {
            ($dst:ident, $src:ident, |$x:ident| $e:expr) => {{
                let $x = s!($src) as u32;
                s!($dst) = ($e) as u32 as u64;
            }};
        }
        macro_rules! un64 {
            ($dst:ident, $src:ident, |$x:ident| $e:expr) => {{
                let $x = s!($src);
                s!($dst) = ($e) as u64;
            }};
        }
        macro_rules! bin32 {
            ($dst:ident, $a:ident, $b:expr, |$x:ident, $y:ident| $e:expr) => {{
                let $x = s!($a) as u32;
                let $y = $b;
                s!($dst) = ($e) as u32 as u64;
            }};
        }
        macro_rules! bin64 {
            ($dst:ident, $a:ident, $b:expr, |$x:ident, $y:ident| $e:expr) => {{
                let $x = s!($a);
                let $y = $b;
                s!($dst) = ($e) as u64;
            }};
        }
        macro_rules! f32un {
            ($dst:ident, $src:ident, |$x:ident| $e:expr) => {{
                let $x = f32::from_bits(s!($src) as u32);
                s!($dst) = u64::from(($e).to_bits());
            }};
        }
        macro_rules! f64un {
            ($dst:ident, $src:ident, |$x:ident| $e:expr) => {{
                let $x = f64::from_bits(s!($src));
                s!($dst) = ($e).to_bits();
            }};
        }
        macro_rules! f32bin {
            ($dst:ident, $a:ident, $b:ident, |$x:ident, $y:ident| $e:expr) => {{
                let $x = f32::from_bits(s!($a) as u32);
                let $y = f32::from_bits(s!($b) as u32);
                s!($dst) = ($e) as u64;
            }};
        }
        macro_rules! f64bin {
            ($dst:ident, $a:ident, $b:ident, |$x:ident, $y:ident| $e:expr) => {{
                let $x = f64::from_bits(s!($a));
                let $y = f64::from_bits(s!($b));
                s!($dst) = ($e) as u64;
            }};
        }
        macro_rules! br_if {
            ($target:ident, $cond:expr) => {{
                if $cond {
                    ip = code_base.add($target as usize);
                }
            }};
        }
        // The effective address of an access of `$size` bytes at i32 address `$addr` plus
        // `$offset`, bounds-checked.
        macro_rules! ea_at {
            ($addr:expr, $offset:ident, $size:expr) => {{
                let ea = u64::from($addr) + u64::from($offset);
                if ea + $size > mem_len as u64 {
                    trap!(MemoryOutOfBounds);
                }
                mem_base.add(ea as usize)
            }};
        }
        macro_rules! ea {
            ($addr:ident, $offset:ident, $size:expr) => {
                ea_at!(s!($addr) as u32, $offset, $size)
            };
        }
        macro_rules! load_at {
            ($dst:ident, $addr:expr, $offset:ident, $ty:ty, |$v:ident| $e:expr) => {{
                let p = ea_at!($addr, $offset, size_of::<$ty>() as u64);
                let $v = (p as *const $ty).read_unaligned();
                s!($dst) = $e;
            }};
        }
        macro_rules! load {
            ($dst:ident, $addr:ident, $offset:ident, $ty:ty, |$v:ident| $e:expr) => {{
                let p = ea!($addr, $offset, size_of::<$ty>() as u64);
                let $v = (p as *const $ty).read_unaligned();
                s!($dst) = $e;
            }};
        }
        macro_rules! store {
            ($addr:ident, $val:ident, $offset:ident, $ty:ty) => {{
                let p = ea!($addr, $offset, size_of::<$ty>() as u64);
                (p as *mut $ty).write_unaligned(s!($val) as $ty);
            }};
        }
        macro_rules! store_f64 {
            ($addr:ident, $offset:ident, $value:expr) => {{
                let p = ea!($addr, $offset, 8);
                (p as *mut f64).write_unaligned($value);
            }};
        }
        macro_rules! f64 {
            ($i:expr) => {
                f64::from_bits(s!($i))
            };
        }
        macro_rules! acc {
            () => {
                r.acc
            };
        }
        // An f64 result: to its slot and to the accumulator.
        macro_rules! f64_result {
            ($fdst:ident, $value:expr) => {{
                let value: f64 = $value;
                s!($fdst) = value.to_bits();
                r.acc = value;
            }};
        }
        macro_rules! vmctx {
            () => {
                (*ctx).vmctx
            };
        }
        macro_rules! memory_pages {
            () => {
                (mem_len / 65536) as u64
            };
        }
        // After `memory.grow`: the new base and length.
        macro_rules! reload_memory {
            () => {
                (r.mem_base, r.mem_len) = memory_of((*ctx).vmctx)
            };
        }
        macro_rules! jump {
            ($target:expr) => {
                ip = code_base.add($target as usize)
            };
        }
        macro_rules! skip {
            ($n:expr) => {
                ip = ip.add($n as usize)
            };
        }
        // Not fast after all: the run loop executes the instruction.
        macro_rules! slow {
            () => {
                return (Flow::Slow, ip)
            };
        }
        macro_rules! ok_or_trap {
            ($e:expr) => {
                match $e {
                    Ok(value) => value,
                    Err(code) => return (Flow::Trap(code), ip),
                }
            };
        }
        macro_rules! count_back_edge {
            () => {{
                let func = &*(*ctx).func;
                let count = func.back_edges.load(Ordering::Relaxed).wrapping_add(1);
                func.back_edges.store(count, Ordering::Relaxed);
                if count >= func.loop_trigger.load(Ordering::Relaxed) {
                    // Hot loop: the run loop asks the tier manager for an OSR entry.
                    slow!();
                }
            }};
        }
        macro_rules! return_in_chain {
            () => {
                match return_in_chain(r, &mut *ctx) {
                    Some(next) => ip = next,
                    None => slow!(),
                }
            };
        }
        macro_rules! call_in_chain {
            ($record:expr, $base:expr) => {{
                let record = $record;
                match call_in_chain(record, ip, fp.add($base as usize), r, &mut *ctx) {
                    Some(entry) => ip = entry,
                    None => slow!(),
                }
            }};
        }
        macro_rules! tail_call_in_chain {
            ($record:expr, $base:expr) => {{
                let record = $record;
                match tail_call_in_chain(record, fp.add($base as usize), r, &mut *ctx) {
                    Some(entry) => ip = entry,
                    None => slow!(),
                }
            }};
        }
        // A row's `fast` semantics, or "slow" for a row without.
        macro_rules! fast_or_slow {
            ($fast:block) => {
                $fast
            };
            () => {
                slow!()
            };
        }
        macro_rules! fast_arms {
            ($(
                $(#[$attr:meta])*
                $name:ident $({ $($field:ident : $ty:ty),* $(,)? })?
                $(fast $fast:block)?
                $(slow $slow:block)?
            ;)*) => {
                match instr {
                    $(
                        #[allow(unused_variables)]
                        Instr::$name $({ $($field),* })? => fast_or_slow!($($fast)?),
                    )*
                }
            };
        }
        for_each_instr!(fast_arms);
    }
    (Flow::Next, ip)
}

impl Interp {
    /// `value_stack_slots` and `max_call_depth` come from `Config` (`Config::value_stack_slots`,
    /// `Config::max_call_depth`).
    pub fn new(value_stack_slots: usize, max_call_depth: usize) -> Interp {
        Interp {
            stack: Vec::new(),
            stack_slots: value_stack_slots.max(16),
            frames: Vec::new(),
            depth_left: max_call_depth,
            stack_top: 0,
        }
    }

    /// Calls `func`; `slots` holds the arguments and receives the results (its length is at
    /// least `max(params, results)`).
    ///
    /// # Safety
    /// `func` points to a live record of this store, whose instance (if any) is alive.
    pub unsafe fn invoke(
        &mut self,
        func: *const FuncRecord,
        slots: &mut [u64],
    ) -> Result<(), Trap> {
        // SAFETY: the caller guarantees `func` and its instance are alive; a host record's
        // `host` points to a HostFunc owned by the store.
        unsafe {
            let host = (*func).host;
            if !host.is_null() {
                let mut caller = Caller::new(std::ptr::null_mut());
                return ((*host).func)(&mut caller, slots);
            }
            let vmctx = (*func).vmctx;
            let Some(code) = module_code_of(vmctx) else {
                return Err(Trap::host(
                    "function record without an interpreter code cache",
                ));
            };
            let Some((num_params, num_results)) = (*code).module().signature((*func).func_index)
            else {
                return Err(Trap::host("invoke: function without a type"));
            };
            let (num_params, num_results) = (num_params as usize, num_results as usize);
            if slots.len() < num_params.max(num_results) {
                return Err(Trap::host("invoke: argument buffer too small"));
            }
            if self.stack.is_empty() {
                self.stack = vec![0; self.stack_slots];
            }
            let start = self.stack_top;
            if start + num_params.max(num_results) > self.stack.len() {
                return Err(Trap::new(TrapCode::CallStackExhausted));
            }
            self.stack[start..start + num_params].copy_from_slice(&slots[..num_params]);
            let saved_top = self.stack_top;
            let args = self.stack.as_mut_ptr().add(start);
            let result = self.call_at(func, args);
            self.stack_top = saved_top;
            result?;
            slots[..num_results].copy_from_slice(&self.stack[start..start + num_results]);
            Ok(())
        }
    }

    /// Calls the wasm function `func` with its arguments (and frame) at `args`, a slot of
    /// this interpreter's value stack above every live frame; the results are left there.
    /// Compiled code calls functions without code through this (see [`super::Tiering`]).
    ///
    /// # Safety
    /// `func` is a live wasm function record of this store; `args` points into `self.stack`.
    pub unsafe fn call_at(&mut self, func: *const FuncRecord, args: *mut u64) -> Result<(), Trap> {
        // SAFETY: forwarded contract.
        unsafe { self.call_at_with_depth(func, args, self.depth_left as u64) }
    }

    /// [`Interp::call_at`] with the call-depth budget `depth_left` (the callee's own frame
    /// included), as compiled code calls it.
    ///
    /// # Safety
    /// As [`Interp::call_at`].
    pub unsafe fn call_at_with_depth(
        &mut self,
        func: *const FuncRecord,
        args: *mut u64,
        depth_left: u64,
    ) -> Result<(), Trap> {
        // SAFETY: forwarded contract.
        unsafe { self.tail_call_at(func, args, depth_left, std::ptr::null_mut()) }.map(|_| ())
    }

    /// [`Interp::call_at_with_depth`] for a tail call made by compiled code of instance
    /// `bounce` (null: none), whose frame `func`'s replaces: when the call, or the chain of
    /// tail calls it makes, ends in a tail call to compiled code of that instance, that code
    /// is not run here but returned (`Some(entry)`, its frame at `args`), for the compiled
    /// caller's thunk to jump to, so the native stack does not grow (ARCHITECTURE.md "Calls
    /// across tiers").
    ///
    /// # Safety
    /// As [`Interp::call_at`].
    pub unsafe fn tail_call_at(
        &mut self,
        func: *const FuncRecord,
        args: *mut u64,
        depth_left: u64,
        bounce: *mut VmCtx,
    ) -> Result<Option<*const u8>, Trap> {
        let saved_depth = self.depth_left;
        let mut func = func;
        // Each tail call the interpreter hands back replaces the frame at `args`: the same
        // budget and the same frame for the next callee.
        let result = loop {
            // SAFETY: forwarded contract; a record `call_once` returns is live (it came from a
            // table of a live instance).
            match unsafe { self.call_once(func, args, depth_left as usize, bounce) } {
                Ok(Next::Tail(record)) => func = record,
                Ok(Next::Jump(entry)) => break Ok(Some(entry)),
                Ok(Next::Done) => break Ok(None),
                Err(trap) => break Err(trap),
            }
        };
        self.depth_left = saved_depth;
        result
    }

    /// One call of `func` (see [`Interp::tail_call_at`]).
    ///
    /// # Safety
    /// As [`Interp::call_at`].
    unsafe fn call_once(
        &mut self,
        func: *const FuncRecord,
        args: *mut u64,
        depth_left: usize,
        bounce: *mut VmCtx,
    ) -> Result<Next, Trap> {
        // SAFETY: the caller guarantees `func`, its instance and `args` (see the contract).
        unsafe {
            let vmctx = (*func).vmctx;
            let Some(code) = module_code_of(vmctx) else {
                return Err(Trap::host(
                    "function record without an interpreter code cache",
                ));
            };
            let stack_base = self.stack.as_mut_ptr();
            let stack_end = stack_base.add(self.stack.len());
            let start = args.offset_from(stack_base);
            if start < 0 || args > stack_end {
                return Err(Trap::host("call_at: arguments outside the value stack"));
            }
            let start = start as usize;
            let mut entry = (*func).code.get();
            let mut callee = std::ptr::null();
            if entry.is_null() {
                let translated = match (*code).function((*func).func_index) {
                    Ok(f) => f,
                    Err(error) => return Err(Trap::host(error.to_string())),
                };
                entry = hot_entry(code, func, translated);
                callee = translated as *const Translated;
            }
            if !entry.is_null() {
                if vmctx == bounce {
                    return Ok(Next::Jump(entry));
                }
                let Some(tiering) = (*code).tiering() else {
                    return Err(Trap::host("compiled code without a tier manager"));
                };
                let me: *mut Interp = self;
                return tiering
                    .run_compiled(me, entry, vmctx, args, stack_end, depth_left as u64)
                    .map(|()| Next::Done);
            }
            let frame_slots = (*callee).frame_slots as usize;
            if start + frame_slots > self.stack.len() || depth_left == 0 {
                return Err(Trap::new(TrapCode::CallStackExhausted));
            }
            let saved_top = self.stack_top;
            self.stack_top = start + frame_slots;
            let profile_depth = crate::profile::guest::interp_depth();
            crate::profile::guest::interp_enter((*callee).func_index);
            let result = self.run(start, callee, vmctx, code, depth_left);
            crate::profile::guest::interp_unwind_to(profile_depth);
            self.stack_top = saved_top;
            result.map(|tail| tail.map_or(Next::Done, Next::Tail))
        }
    }

    /// Runs `callee` with its frame at `stack[start..]` (arguments in place) until it returns,
    /// with the call-depth budget `depth_left` (at least 1: `callee`'s own frame); or until
    /// the run's entry frame tail-calls a compiled function: then that function's record,
    /// whose arguments are at `stack[start..]` (see `tail_call!`).
    ///
    /// # Safety
    /// `callee` belongs to `code`, the code cache of the live instance `vmctx`, and its frame
    /// fits in the stack.
    unsafe fn run(
        &mut self,
        start: usize,
        callee: *const Translated,
        vmctx: *mut VmCtx,
        code: *const ModuleCode,
        depth_left: usize,
    ) -> Result<Option<*const FuncRecord>, Trap> {
        let entry_depth = self.frames.len();
        let frame_limit = entry_depth + depth_left - 1;
        let stack_base = self.stack.as_mut_ptr();
        let stack_len = self.stack.len();
        let mut vmctx = vmctx;
        let mut code = code;
        let mut func = callee;
        // SAFETY (whole loop): the translator guarantees that every slot operand of an
        // instruction is below the function's `frame_slots`, and every frame is checked to fit
        // in the value stack before it is entered, so `fp.add(slot)` stays inside `self.stack`
        // (which is never resized while running). `ip` always points into the current
        // function's code: branch targets are resolved indices of that code, every path ends in
        // a return/branch/trap instruction, and a `BrTable` is followed by its `len + 1` `Br`s.
        // Memory accesses are bounds-checked against `mem_len`, the current length of the
        // instance's memory whose base never moves. Records, contexts and code caches reached
        // through `vmctx` are alive for the call (contract of `invoke`); `Translated` values
        // live in `OnceLock`s of those caches and are never moved or dropped meanwhile.
        unsafe {
            let mut fp = stack_base.add(start);
            let stack_end = stack_base.add(stack_len);
            let mut ip = (*func).code.as_ptr();
            {
                let f = &*func;
                std::ptr::write_bytes(
                    fp.add(f.num_params as usize),
                    0,
                    (f.num_locals - f.num_params) as usize,
                );
                bump(&f.calls);
            }
            let mut mem_base: *mut u8;
            let mut mem_len: usize;

            macro_rules! reload_memory {
                () => {{
                    let memory = (*vmctx).memory;
                    if memory.is_null() {
                        mem_base = std::ptr::null_mut();
                        mem_len = 0;
                    } else {
                        mem_base = (*memory).base;
                        mem_len = (*memory).len;
                    }
                }};
            }
            reload_memory!();

            macro_rules! s {
                ($i:expr) => {
                    *fp.add($i as usize)
                };
            }
            macro_rules! trap {
                ($code:ident) => {
                    break Stop::Trap(TrapCode::$code)
                };
            }
            macro_rules! libcall {
                ($e:expr) => {{
                    let code = $e;
                    if code != 0 {
                        break Stop::Trap(TrapCode::from_u32(code).unwrap_or(TrapCode::Host));
                    }
                }};
            }
            // ----- exception handling (ARCHITECTURE.md "Exceptions") -----
            // Continues at the handler `catch` found (the state of its frame).
            macro_rules! resume {
                ($at:expr) => {{
                    let at: Resume = $at;
                    (ip, fp, func) = (at.ip, at.fp, at.func);
                    if at.vmctx != vmctx {
                        (vmctx, code) = (at.vmctx, at.code);
                    }
                    reload_memory!();
                }};
            }
            // `exception` is thrown at the current instruction: continue at the handler of
            // this run that catches it, or end the run with it (backtrace from here).
            macro_rules! throw {
                ($exception:expr) => {{
                    let exception: Arc<ExceptionObject> = $exception;
                    let here = Resume {
                        ip,
                        fp,
                        func,
                        vmctx,
                        code,
                    };
                    match self.catch(entry_depth, here, true, &exception) {
                        Some(at) => resume!(at),
                        None => break Stop::Host(Trap::exception(exception)),
                    }
                }};
            }
            macro_rules! new_exception {
                ($tag:expr, $base:expr) => {
                    new_exception(vmctx, $tag, fp.add($base as usize))
                };
            }
            macro_rules! throw_ref {
                ($src:expr) => {{
                    let instance = crate::runtime::instance::InstanceData::of_vmctx(vmctx);
                    match (*(*instance).exceptions).get(s!($src)) {
                        Some(exception) => throw!(exception),
                        None => trap!(NullReference),
                    }
                }};
            }
            // A call failed with `trap`: an exception is caught by a handler of this run if
            // one matches (`current`: the current frame is the caller; false after OSR, whose
            // compiled code replaced it), else the run stops with `$stop(trap)`.
            macro_rules! catch_or_stop {
                ($trap:expr, $current:expr, $stop:expr) => {{
                    let trap: Trap = $trap;
                    if let Some(exception) = &trap.exception {
                        let here = Resume {
                            ip,
                            fp,
                            func,
                            vmctx,
                            code,
                        };
                        if let Some(at) = self.catch(entry_depth, here, $current, exception) {
                            resume!(at);
                            continue;
                        }
                    }
                    #[allow(clippy::redundant_closure_call)]
                    let stop = ($stop)(trap);
                    break stop;
                }};
            }
            // Calls the function `record` with its arguments at `fp[base..]`.
            macro_rules! call {
                ($record:expr, $base:expr) => {{
                    let record: *const FuncRecord = $record;
                    let args = fp.add($base as usize);
                    let room = stack_end.offset_from(args) as usize;
                    let host = (*record).host;
                    if !host.is_null() {
                        let ty = &(*host).ty;
                        let n = ty.param_slots().max(ty.result_slots()) as usize;
                        if n > room {
                            trap!(CallStackExhausted);
                        }
                        let saved_top = self.stack_top;
                        self.stack_top = args.add(n).offset_from(stack_base) as usize;
                        // A host function calling back into wasm continues this budget.
                        self.depth_left = frame_limit - self.frames.len();
                        let buffer = std::slice::from_raw_parts_mut(args, n);
                        let mut caller = Caller::new(vmctx);
                        let result = ((*host).func)(&mut caller, buffer);
                        self.stack_top = saved_top;
                        if let Err(trap) = result {
                            catch_or_stop!(trap, true, Stop::Host);
                        }
                        reload_memory!();
                    } else {
                        let callee_vmctx = (*record).vmctx;
                        let callee_code = if callee_vmctx == vmctx {
                            code
                        } else {
                            match module_code_of(callee_vmctx) {
                                Some(c) => c,
                                None => {
                                    break Stop::Host(Trap::host(
                                        "function record without an interpreter code cache",
                                    ));
                                }
                            }
                        };
                        let mut entry = (*record).code.get();
                        let mut callee: *const Translated = std::ptr::null();
                        if entry.is_null() {
                            let translated = match (*callee_code).function((*record).func_index) {
                                Ok(f) => f,
                                Err(error) => break Stop::Host(Trap::host(error.to_string())),
                            };
                            entry = hot_entry(callee_code, record, translated);
                            callee = translated;
                        }
                        if !entry.is_null() {
                            let Some(tiering) = (*callee_code).tiering() else {
                                break Stop::Host(Trap::host(
                                    "compiled code without a tier manager",
                                ));
                            };
                            let me: *mut Interp = self;
                            let depth_left = (frame_limit - self.frames.len()) as u64;
                            if let Err(trap) = tiering.run_compiled(
                                me,
                                entry,
                                callee_vmctx,
                                args,
                                stack_end,
                                depth_left,
                            ) {
                                catch_or_stop!(trap, true, |trap| Stop::Compiled(trap, true));
                            }
                            reload_memory!();
                            continue;
                        }
                        let callee = &*callee;
                        if self.frames.len() >= frame_limit || callee.frame_slots as usize > room {
                            trap!(CallStackExhausted);
                        }
                        self.frames.push(Frame {
                            ip,
                            fp,
                            func,
                            vmctx,
                            code,
                        });
                        fp = args;
                        std::ptr::write_bytes(
                            fp.add(callee.num_params as usize),
                            0,
                            (callee.num_locals - callee.num_params) as usize,
                        );
                        bump(&callee.calls);
                        crate::profile::guest::interp_enter(callee.func_index);
                        ip = callee.code.as_ptr();
                        func = callee;
                        if callee_vmctx != vmctx {
                            vmctx = callee_vmctx;
                            code = callee_code;
                            reload_memory!();
                        }
                    }
                }};
            }

            // Carried from one step to the next only for the `match` loop of debug builds (the
            // chain never leaves between an accumulator's producer and its reader).
            let mut acc = 0.0;
            let stop = loop {
                let mut regs = Regs {
                    fp,
                    mem_base,
                    mem_len,
                    code_base: (*func).code.as_ptr(),
                    acc,
                };
                let mut fast_ctx = FastCtx {
                    func,
                    vmctx,
                    code,
                    frames: &mut self.frames,
                    entry_depth,
                    frame_limit,
                    stack_end,
                    regs,
                };
                // Calls and returns in the fast path change the frame and the function,
                // `memory.grow` the memory.
                macro_rules! take_fast_state {
                    () => {{
                        fp = regs.fp;
                        (mem_base, mem_len) = (regs.mem_base, regs.mem_len);
                        acc = regs.acc;
                        func = fast_ctx.func;
                    }};
                }
                // 0: stopped at the slow instruction at `ip`; else a `TrapCode`.
                let trap: u64;
                #[cfg(all(not(debug_assertions), target_arch = "x86_64"))]
                {
                    // Optimized builds run fast instructions in the handler chain; it returns
                    // at the first slow instruction (or a trap), with its registers in `regs`.
                    let exit = chain::run(ip, regs, &mut fast_ctx);
                    ip = exit.ip;
                    regs = fast_ctx.regs;
                    trap = exit.trap;
                }
                #[cfg(any(debug_assertions, not(target_arch = "x86_64")))]
                {
                    #[cfg(debug_assertions)]
                    pair_counts::record((*ip).instr);
                    // Every instruction tries the fast path first.
                    let (flow, next) = fast_step((*ip).instr, ip.add(1), &mut regs, &mut fast_ctx);
                    match flow {
                        Flow::Next => {
                            ip = next;
                            take_fast_state!();
                            continue;
                        }
                        Flow::Trap(code) => {
                            ip = next;
                            trap = code as u64;
                        }
                        Flow::Slow => trap = 0,
                    }
                }
                take_fast_state!();
                if trap != 0 {
                    break Stop::Trap(TrapCode::from_u32(trap as u32).unwrap_or(TrapCode::Host));
                }
                // A slow instruction (the chain stops only there).
                let instr = (*ip).instr;
                ip = ip.add(1);
                // The current function has returned (results at `fp[0..n]`): resume its caller.
                macro_rules! return_to_caller {
                    () => {{
                        if self.frames.len() <= entry_depth {
                            break Stop::Done;
                        }
                        let Some(frame) = self.frames.pop() else {
                            break Stop::Done;
                        };
                        crate::profile::guest::interp_leave();
                        ip = frame.ip;
                        fp = frame.fp;
                        func = frame.func;
                        if frame.vmctx != vmctx {
                            vmctx = frame.vmctx;
                            code = frame.code;
                        }
                        reload_memory!();
                    }};
                }
                macro_rules! vmctx {
                    () => {
                        vmctx
                    };
                }
                // `fast_step` counted the back edge and found the loop hot: continue in
                // compiled code at this header (OSR); the frame is canonical here.
                macro_rules! osr {
                    () => {{
                        let f = &*func;
                        let at = (ip.offset_from(f.code.as_ptr()) as usize).saturating_sub(1);
                        let record = *(*vmctx).funcs.add(f.func_index as usize);
                        let tiering = (*code).tiering();
                        let entry = match (tiering, f.offsets.get(at)) {
                            (Some(tiering), Some(&offset)) => tiering.osr_entry(&*record, offset),
                            _ => None,
                        };
                        match (tiering, entry) {
                            (Some(tiering), Some(entry)) => {
                                let me: *mut Interp = self;
                                // The compiled frame replaces this one: its unit goes back,
                                // the OSR entry takes it again.
                                let depth_left = (frame_limit - self.frames.len() + 1) as u64;
                                if let Err(trap) = tiering
                                    .run_compiled(me, entry, vmctx, fp, stack_end, depth_left)
                                {
                                    catch_or_stop!(trap, false, |trap| Stop::Compiled(trap, false));
                                }
                                return_to_caller!();
                            }
                            _ => {
                                // Stays interpreted: stop asking, unless the tier manager
                                // may compile it later (its code cache was full).
                                if !tiering.is_some_and(|t| t.may_retry(&*record)) {
                                    f.loop_trigger.store(u32::MAX, Ordering::Relaxed);
                                }
                                f.back_edges.store(0, Ordering::Relaxed);
                            }
                        }
                    }};
                }
                // The record `call_indirect` with these operands calls, after its checks.
                macro_rules! indirect_callee {
                    ($type_index:expr, $table:expr, $base:expr) => {{
                        let (type_index, base) = ($type_index, $base);
                        let Some(params) = (*code).type_params(type_index) else {
                            trap!(IndirectCallTypeMismatch);
                        };
                        let elem = s!(base + params) as u32;
                        let table = *(*vmctx).tables.add($table as usize);
                        if elem >= (*table).len {
                            trap!(UndefinedElement);
                        }
                        let record = *(*table).base.add(elem as usize) as *const FuncRecord;
                        if record.is_null() {
                            trap!(UninitializedElement);
                        }
                        if (*record).type_id != *(*vmctx).type_ids.add(type_index as usize) {
                            trap!(IndirectCallTypeMismatch);
                        }
                        record
                    }};
                }
                macro_rules! call_indirect {
                    ($type_index:expr, $table:expr, $base:expr) => {{
                        let base = $base;
                        call!(indirect_callee!($type_index, $table, base), base);
                    }};
                }
                // A tail call of `record` with its arguments at `fp[base..]`, which move to
                // `fp[0..]`: the callee replaces the current frame (ARCHITECTURE.md "Calls
                // across tiers"). An interpreted callee continues in this run; a host function
                // is called there and this frame returns; compiled code is run there (and
                // this frame returns) unless the current frame is the run's entry frame, whose
                // caller then makes the call (`Stop::Tail`), so that a tail-call chain
                // through both tiers does not nest native frames. A trap's backtrace lacks the
                // replaced frame.
                macro_rules! tail_call {
                    ($record:expr, $base:expr) => {{
                        let record: *const FuncRecord = $record;
                        let args = fp.add($base as usize);
                        let room = stack_end.offset_from(fp) as usize;
                        let host = (*record).host;
                        if !host.is_null() {
                            let ty = &(*host).ty;
                            let params = ty.param_slots() as usize;
                            let n = params.max(ty.result_slots() as usize);
                            if n > room {
                                break Stop::Compiled(
                                    Trap::new(TrapCode::CallStackExhausted),
                                    false,
                                );
                            }
                            std::ptr::copy(args, fp, params);
                            let saved_top = self.stack_top;
                            self.stack_top = fp.add(n).offset_from(stack_base) as usize;
                            // The replaced frame's unit of the budget goes back.
                            self.depth_left = frame_limit - self.frames.len() + 1;
                            let buffer = std::slice::from_raw_parts_mut(fp, n);
                            let mut caller = Caller::new(vmctx);
                            let result = ((*host).func)(&mut caller, buffer);
                            self.stack_top = saved_top;
                            if let Err(trap) = result {
                                break Stop::Compiled(trap, false);
                            }
                            return_to_caller!();
                        } else {
                            let callee_vmctx = (*record).vmctx;
                            let callee_code = if callee_vmctx == vmctx {
                                code
                            } else {
                                match module_code_of(callee_vmctx) {
                                    Some(c) => c,
                                    None => {
                                        break Stop::Host(Trap::host(
                                            "function record without an interpreter code cache",
                                        ));
                                    }
                                }
                            };
                            let Some((params, _)) =
                                (*callee_code).module().signature((*record).func_index)
                            else {
                                break Stop::Host(Trap::host(
                                    "tail call of a function without a type",
                                ));
                            };
                            std::ptr::copy(args, fp, params as usize);
                            let mut entry = (*record).code.get();
                            let mut callee: *const Translated = std::ptr::null();
                            if entry.is_null() {
                                let translated = match (*callee_code).function((*record).func_index)
                                {
                                    Ok(f) => f,
                                    Err(error) => break Stop::Host(Trap::host(error.to_string())),
                                };
                                entry = hot_entry(callee_code, record, translated);
                                callee = translated;
                            }
                            if !entry.is_null() {
                                if self.frames.len() <= entry_depth {
                                    break Stop::Tail(record);
                                }
                                let Some(tiering) = (*callee_code).tiering() else {
                                    break Stop::Host(Trap::host(
                                        "compiled code without a tier manager",
                                    ));
                                };
                                let me: *mut Interp = self;
                                let depth_left = (frame_limit - self.frames.len() + 1) as u64;
                                if let Err(trap) = tiering.run_compiled(
                                    me,
                                    entry,
                                    callee_vmctx,
                                    fp,
                                    stack_end,
                                    depth_left,
                                ) {
                                    break Stop::Compiled(trap, false);
                                }
                                return_to_caller!();
                            } else {
                                let callee = &*callee;
                                if callee.frame_slots as usize > room {
                                    break Stop::Compiled(
                                        Trap::new(TrapCode::CallStackExhausted),
                                        false,
                                    );
                                }
                                enter_tail_callee(callee, fp, fp);
                                crate::profile::guest::interp_leave();
                                crate::profile::guest::interp_enter(callee.func_index);
                                ip = callee.code.as_ptr();
                                func = callee;
                                if callee_vmctx != vmctx {
                                    vmctx = callee_vmctx;
                                    code = callee_code;
                                    reload_memory!();
                                }
                            }
                        }
                    }};
                }
                // A row's `slow` semantics; a row without is executed by `fast_step`, whose
                // `Flow::Slow` (the only way here) it never returns.
                macro_rules! slow_or_unreachable {
                    ($slow:block) => {
                        $slow
                    };
                    () => {
                        unreachable!("{} has no slow semantics", instr.name())
                    };
                }
                macro_rules! slow_arms {
                    ($(
                        $(#[$attr:meta])*
                        $name:ident $({ $($field:ident : $ty:ty),* $(,)? })?
                        $(fast $fast:block)?
                        $(slow $slow:block)?
                    ;)*) => {
                        match instr {
                            $(
                                #[allow(unused_variables)]
                                Instr::$name $({ $($field),* })? => {
                                    slow_or_unreachable!($($slow)?)
                                }
                            )*
                        }
                    };
                }
                for_each_instr!(slow_arms);
            };

            match stop {
                Stop::Done => Ok(None),
                Stop::Tail(record) => Ok(Some(record)),
                Stop::Trap(trap_code) => {
                    let mut trap = Trap::new(trap_code);
                    trap.backtrace = self.backtrace(entry_depth, ip, func, code);
                    self.frames.truncate(entry_depth);
                    Err(trap)
                }
                Stop::Host(mut trap) => {
                    if trap.code != TrapCode::Exit && trap.backtrace.is_empty() {
                        trap.backtrace = self.backtrace(entry_depth, ip, func, code);
                    }
                    self.frames.truncate(entry_depth);
                    Err(trap)
                }
                Stop::Compiled(mut trap, caller_frame) => {
                    if trap.code != TrapCode::Exit {
                        let mut frames = self.backtrace(entry_depth, ip, func, code);
                        if !caller_frame && !frames.is_empty() {
                            frames.remove(0);
                        }
                        trap.backtrace.extend(frames);
                    }
                    self.frames.truncate(entry_depth);
                    Err(trap)
                }
            }
        }
    }

    /// The wasm backtrace, innermost first: the current function at `ip - 1` (the trapping or
    /// calling instruction), then each suspended frame at its call instruction.
    ///
    /// # Safety
    /// `ip` was advanced past an instruction of `func`; frames above `entry_depth` are live.
    unsafe fn backtrace(
        &self,
        entry_depth: usize,
        ip: *const Threaded,
        func: *const Translated,
        code: *const ModuleCode,
    ) -> Vec<FrameInfo> {
        // SAFETY: all pointers come from the running loop and are alive (see `run`).
        unsafe {
            let mut frames = vec![frame_info(ip, func, code)];
            for frame in self.frames[entry_depth.min(self.frames.len())..]
                .iter()
                .rev()
            {
                frames.push(frame_info(frame.ip, frame.func, frame.code));
            }
            frames
        }
    }
}

/// What one call of [`Interp::call_once`] left to do.
enum Next {
    Done,
    /// The callee's entry frame tail-called this function (arguments in place): call it.
    Tail(*const FuncRecord),
    /// Jump to this compiled entry (see [`Interp::tail_call_at`]).
    Jump(*const u8),
}

/// The state of an interpreted frame, where execution continues after a catch.
#[derive(Clone, Copy)]
struct Resume {
    ip: *const Threaded,
    fp: *mut u64,
    func: *const Translated,
    vmctx: *mut VmCtx,
    code: *const ModuleCode,
}

impl Interp {
    /// The unwinder (ARCHITECTURE.md "Exceptions"): finds the innermost handler of this run
    /// (frames above `entry_depth`) that catches `exception` thrown at `here` (at the
    /// instruction before `here.ip`; `current` false: `here` is gone, start at its caller),
    /// pops the frames above it, writes the caught values into its frame and returns where
    /// its landing pad is. `None`: no handler in this run (nothing changed).
    ///
    /// # Safety
    /// `here` is the running loop's state and the frames above `entry_depth` are live.
    unsafe fn catch(
        &mut self,
        entry_depth: usize,
        here: Resume,
        current: bool,
        exception: &Arc<ExceptionObject>,
    ) -> Option<Resume> {
        let mut depth = self.frames.len();
        let mut frame = current.then_some(here);
        loop {
            // SAFETY: every frame of the run points to live code, frames and instances.
            if let Some(at) = frame
                && let Some(resume) = unsafe { catch_in_frame(at, exception) }
            {
                // Left: the frames above `depth` and the innermost one (which, after OSR, is
                // the replaced frame: its profile entry is still there).
                for _ in depth..self.frames.len() {
                    crate::profile::guest::interp_leave();
                }
                self.frames.truncate(depth);
                return Some(resume);
            }
            if depth <= entry_depth {
                return None;
            }
            depth -= 1;
            let f = self.frames[depth];
            frame = Some(Resume {
                ip: f.ip,
                fp: f.fp,
                func: f.func,
                vmctx: f.vmctx,
                code: f.code,
            });
        }
    }
}

/// The handler of frame `at` that catches `exception` thrown at the instruction before
/// `at.ip`: writes the payload (and the exnref of a `_ref` clause) to the handler's slots and
/// returns the frame's state at the clause's landing pad.
///
/// # Safety
/// `at` is a live frame of a running loop.
unsafe fn catch_in_frame(at: Resume, exception: &Arc<ExceptionObject>) -> Option<Resume> {
    // SAFETY: per the contract; the translator sized the frame for the handler's values
    // (they are operands at `values_at`), and tag indices were validated.
    unsafe {
        let f = &*at.func;
        if f.handlers.is_empty() {
            return None;
        }
        let index = (at.ip.offset_from(f.code.as_ptr()) as usize).saturating_sub(1) as u32;
        for handler in f.handlers.iter() {
            if !(handler.start..handler.end).contains(&index) {
                continue;
            }
            let dst = at.fp.add(handler.values_at as usize);
            for clause in handler.catches.iter() {
                if catch_clause(at.vmctx, clause.tag, clause.by_ref, exception, dst) {
                    return Some(Resume {
                        ip: f.code.as_ptr().add(clause.pad as usize),
                        ..at
                    });
                }
            }
        }
        None
    }
}

/// The compiled entry for a call of `record` (interpreted so far, translated as `callee`)
/// if the call makes it hot and the tier manager compiles it; null to interpret it.
///
/// # Safety
/// `code` is the live code cache of `record`'s module.
unsafe fn hot_entry(
    code: *const ModuleCode,
    record: *const FuncRecord,
    callee: &Translated,
) -> *const u8 {
    if callee.calls.load(Ordering::Relaxed) < callee.call_trigger.load(Ordering::Relaxed) {
        return std::ptr::null();
    }
    // SAFETY: per the contract, `code` and `record` are alive.
    let tiering = unsafe { (*code).tiering() };
    let entry = tiering.and_then(|t| t.compile_for_call(unsafe { &*record }));
    entry.unwrap_or_else(|| {
        // Stays interpreted: stop asking, unless the tier manager may compile it later (its
        // code cache was full); then count again from zero.
        // SAFETY: as above.
        if tiering.is_some_and(|t| t.may_retry(unsafe { &*record })) {
            callee.calls.store(0, Ordering::Relaxed);
        } else {
            callee.call_trigger.store(u32::MAX, Ordering::Relaxed);
        }
        std::ptr::null()
    })
}

/// # Safety
/// `ip` points just past an instruction of `func`, which belongs to `code`.
unsafe fn frame_info(
    ip: *const Threaded,
    func: *const Translated,
    code: *const ModuleCode,
) -> FrameInfo {
    // SAFETY: see the function contract.
    unsafe {
        let f = &*func;
        let index = (ip.offset_from(f.code.as_ptr()) as usize).saturating_sub(1);
        let module = (*code).module();
        FrameInfo {
            func_index: f.func_index,
            func_name: module.func_name(f.func_index).map(str::to_string),
            module_name: module.names.module.clone(),
            code_offset: f.offsets.get(index).copied().unwrap_or(0) as usize,
        }
    }
}

/// Dispatch candidate (b), used by optimized builds: one handler per instruction tag, all of one
/// `extern "sysv64"` signature with the hot state in argument registers (ip, fp, memory base
/// and length, code base, context), each ending by calling the next instruction's handler in
/// tail position. Stable Rust does not guarantee tail calls; LLVM's sibling-call optimization
/// turns these calls into jumps at opt-level >= 2 (checked by
/// `interp::tests::long_loop_on_small_stack` and in the disassembly, see the module docs).
/// Unoptimized builds (`debug_assertions`) would recurse on the native stack instead, so they
/// run every instruction through the `match` loop of `Interp::run`.
#[cfg(all(not(debug_assertions), target_arch = "x86_64"))]
mod chain {
    use super::{FastCtx, Flow, Regs, fast_step};
    use crate::interp::isa::{Instr, Opcode, Threaded, for_each_instr};

    /// Where and why the chain stopped: `trap == 0` when `ip` points at a slow instruction
    /// (not executed yet), else a `TrapCode` (with `ip` past the trapping instruction).
    #[repr(C)]
    pub(super) struct Exit {
        pub(super) ip: *const Threaded,
        pub(super) trap: u64,
    }

    type Handler = unsafe extern "sysv64" fn(
        *const Threaded,
        *mut u64,
        *mut u8,
        usize,
        *const Threaded,
        *mut FastCtx,
        f64,
    ) -> Exit;

    /// The handler of the instruction at `ip` (direct threading: its address is stored in
    /// the instruction, see [`super::thread`]).
    ///
    /// # Safety
    /// `ip` points to an instruction of published (threaded) code.
    #[inline(always)]
    unsafe fn handler_of(ip: *const Threaded) -> Handler {
        // SAFETY: `thread` stored the address of `HANDLERS[tag]`, a `Handler`, in every
        // instruction before its code was published.
        unsafe { std::mem::transmute::<usize, Handler>((*ip).handler) }
    }

    /// The address of the handler of instructions with tag `tag`.
    pub(super) fn handler_address(tag: u16) -> usize {
        HANDLERS[usize::from(tag)] as usize
    }

    /// Runs fast instructions from `ip` until a slow one or a trap; leaves the registers in
    /// `ctx.regs`.
    ///
    /// # Safety
    /// As [`fast_step`], for every instruction reached.
    pub(super) unsafe fn run(ip: *const Threaded, r: Regs, ctx: &mut FastCtx) -> Exit {
        // SAFETY: forwarded contract.
        unsafe { handler_of(ip)(ip, r.fp, r.mem_base, r.mem_len, r.code_base, ctx, r.acc) }
    }

    /// The handler of instructions whose tag is `TAG`: `fast_step` with that tag known.
    unsafe extern "sysv64" fn handler<const TAG: u16>(
        ip: *const Threaded,
        fp: *mut u64,
        mem_base: *mut u8,
        mem_len: usize,
        code_base: *const Threaded,
        ctx: *mut FastCtx,
        acc: f64,
    ) -> Exit {
        // SAFETY: handlers are only reached through `handler_of`, so the instruction at `ip`
        // has tag `TAG`; the rest is the contract of `run`.
        unsafe {
            let instr = (*ip).instr;
            if instr.tag() != TAG {
                std::hint::unreachable_unchecked();
            }
            let mut r = Regs {
                fp,
                mem_base,
                mem_len,
                code_base,
                acc,
            };
            match fast_step(instr, ip.add(1), &mut r, ctx) {
                (Flow::Next, next) => {
                    handler_of(next)(next, r.fp, r.mem_base, r.mem_len, r.code_base, ctx, r.acc)
                }
                (Flow::Slow, _) => {
                    (*ctx).regs = r;
                    Exit { ip, trap: 0 }
                }
                (Flow::Trap(code), next) => {
                    (*ctx).regs = r;
                    Exit {
                        ip: next,
                        trap: code as u64,
                    }
                }
            }
        }
    }

    macro_rules! handler_table {
        ($(
            $(#[$attr:meta])*
            $name:ident $({ $($field:ident : $ty:ty),* $(,)? })?
            $(fast $fast:block)?
            $(slow $slow:block)?
        ;)*) => {
            /// Handlers by tag: one per row of the instruction table, in its order.
            static HANDLERS: [Handler; Instr::COUNT] = [$(handler::<{ Opcode::$name as u16 }>),*];
        };
    }
    for_each_instr!(handler_table);
}
