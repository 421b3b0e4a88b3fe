//! Tier 0: the interpreter (ARCHITECTURE.md, "Tier 0").
//!
//! CONTRACT with `lib.rs` / `runtime`:
//! - `ModuleCode::new(&Arc<ModuleInfo>)` is created once per `Module` and carried by every
//!   instance as `InstanceData::tier_code` (an `Arc<dyn Any>` holding a `ModuleCode`); it caches
//!   the lazily translated functions.
//! - `Interp` is the per-store execution state (value stack, call frames); `Interp::invoke`
//!   calls any `FuncRecord` (wasm or host, interpreted or compiled) with arguments in
//!   `slots[0..params]` and leaves the results in `slots[0..results]`.
//! - `ModuleCode::new(&module, tiering)`: `tiering` (a [`Tiering`], from the tier manager) is
//!   how the interpreter reaches compiled code; `None` for the interpreter-only tier.
//!
//! # Instruction set (`isa.rs`; the translator's builders in `code.rs`)
//!
//! Register-based: every operand is a slot index relative to the frame pointer `fp` (frame =
//! `[params | declared locals | operand slots]`, the operand at height `h` has its canonical
//! place `fp[num_locals + h]`; `num_locals` and heights count slots, a v128 takes two). An [`isa::Instr`] is a Rust enum of 16 bytes: a two-byte tag
//! and up to three 32-bit fields (or a 32-bit slot and a 64-bit constant). Families:
//! - moves: `Copy`, `Const32`, `Const64`, `Select` (first operand already in `dst`);
//! - arithmetic `dst = a op b`; for the common integer ops also `dst = a op imm` (`...I`
//!   variants, the immediate a sign-extended i32); `i32.sub x, c` becomes `AddI(-c)`;
//! - compare-and-branch: every integer compare (and `eqz`/`nez`) fused with `br_if`/`if`,
//!   register and immediate forms (`BrI32LtS`, `BrI64EqI`, ...);
//! - `BrTable { index, len }` followed by `len + 1` plain `Br`s (a jump table);
//! - calls: `Call { func, base }`, `CallIndirect { type_index, table, base }`: the arguments
//!   are at `fp[base..]` and the callee frame starts there (no copy), results come back at
//!   `fp[base..]`; the tail calls `ReturnCall`, `ReturnCallIndirect` (same operands) move the
//!   arguments to `fp[0..]` and replace the current frame (ARCHITECTURE.md "Calls across
//!   tiers": in the chain between interpreted functions, `exec::tail_call_in_chain`; a compiled
//!   callee of the run's entry frame is called by the run's caller, `Interp::tail_call_at`);
//! - memory: loads/stores with a pre-decoded 32-bit offset; bulk and table operations take
//!   their operands from consecutive canonical slots `fp[base..]`;
//! - superinstructions, chosen by counting executed pairs (see "Pair counts" below), with
//!   16-bit slots where four operands must fit: `Copy2`, `I32AddI2` (two independent
//!   instructions in a row), `I32AddShlI` (`a + (b << k)`), `Load{8U,32,64}Add` and
//!   `Load{8U,32,64}AddI` (a load whose address an `i32.add` just computed),
//!   `BrI32AndINez`/`BrI32AndIEqz` (`i32.and` with a constant + `br_if`/`if`) and
//!   `SelectIfZero(64)` (`select` on `eqz x`);
//! - SIMD (`V128*`, `I8x16Shuffle`): one instruction per operator *shape* (`V128Unary { op,
//!   dst, a }`, `V128Binary`, `V128Shift`, `V128Test`, `V128Splat`, `V128Extract`,
//!   `V128Replace`, `V128Load`, `V128Store`, `V128LoadLane`, `V128StoreLane`), the operator
//!   an operand that `runtime::simd`'s evaluator matches on (the lane semantics are written
//!   once, there); moves `V128Copy`, `V128Select`, `V128GlobalGet`/`Set`; `V128Const` and
//!   the lane indices of `I8x16Shuffle` come from the function's constant pool
//!   (`Translated::v128_pool`). Operands that do not fit 16 bytes (`shuffle`, `bitselect`,
//!   `loadN_lane`) are taken from consecutive canonical slots `fp[base..]`. A row per shape
//!   keeps the table and the handler count small for code tier 1 is meant to compile; it
//!   costs a second dispatch (the evaluator's `match`) per SIMD instruction.
//!
//! # v128 values
//!
//! A v128 takes two consecutive slots, low half first ([`crate::module::FrameLayout`] places
//! the locals; heights count slots). The abstract operand stack keeps one entry per *slot*,
//! each marked whether it is the high half of a v128, so that moves (branches, returns,
//! calls, block results) need no change and `drop`/`select` know the width of their operand.
//! Both halves of a v128 are always the same kind of entry: both canonical, or a deferred
//! `Local(x)`, `Local(x + 1)`; SIMD operators read them from there.
//!
//! # Translation rules (`translate.rs`)
//!
//! The translator implements wasmparser's `VisitOperator`: one `visit_*` method per
//! supported operator holds its rule, the proposals (and single operators) the interpreter
//! does not implement are named in one macro, `unsupported_operators!`, which returns the
//! unsupported-operator error; an operator in neither does not compile. The operators are
//! read ahead into a vector (fuel blocks and the fusions look at the next operator) and each
//! is dispatched with `VisitOperator::visit_operator`.
//!
//! One pass over the validated operators keeps an abstract operand stack whose entries are
//! `Stack` (in the canonical slot), `Local(x)` (a deferred `local.get`) or `Const(bits)`.
//! - `local.get` and constants push deferred entries and emit nothing; an operation reads a
//!   deferred local directly, and a constant either becomes an immediate or is written to its
//!   canonical slot right before use.
//! - A `local.set x` / `local.tee x` right after a one-result operation becomes that
//!   operation's destination.
//! - Aliasing: before anything writes local `x`, every deferred `Local(x)` entry is copied to
//!   its canonical slot (emitted before the writing instruction, so it reads the old value).
//! - At every `block`, `loop` and `if` entry all entries are materialized, so code inside a
//!   block never has to materialize (on a path that may not run) an entry of an outer block,
//!   and every local and operand is in its canonical place at each `loop` header (the OSR
//!   meeting point).
//! - Branches move the carried values into the target's canonical slots (ascending order is
//!   safe: sources never sit below their destinations), then jump; a `br_if` that needs moves
//!   becomes "branch over (negated condition); moves; jump". `br_table` targets that need
//!   moves get one shared stub per target depth. Branching to the function label is a return.
//! - Returns move results to `fp[0..n]` (`Return1 { src }` for the common single result).
//! - Unreachable code (after `br`, `br_table`, `return`, `unreachable`) is skipped up to the
//!   matching `else`/`end`.
//! - Each instruction records the byte offset of its wasm operator in a side table
//!   (`Translated::offsets`), read only to build trap backtraces.
//! - `LoopHeader` (back-edge counter, OSR point) is emitted only when the module has a tier
//!   manager; `--tier interp` has nobody to report hot loops to, so its loops have none.
//! - `EpochCheck` (the deadline of epoch interruption) is emitted at the function entry and
//!   after each loop's head only when `ModuleInfo::epoch_checks` is set (ARCHITECTURE.md
//!   "Deadlines").
//! - With `Config::consume_fuel`, a `FuelCharge { cost }` is the first instruction of every
//!   fuel block (costs and block starts from `module::fuel::FuelPlan`, shared with the JIT;
//!   ARCHITECTURE.md "Fuel"); it is emitted after the labels that land there and after a
//!   loop's `LoopHeader`, so branches and OSR see the same charges.
//! - Fusion happens as instructions are emitted: a pair of independent instructions merges
//!   into the last emitted one (`Translator::fuse_pair`); an instruction whose operand the
//!   last instruction just computed into its (then dead) canonical slot absorbs that
//!   instruction (`Translator::take_producer_of_top`). Never across a branch target
//!   (`Translator::label_at`, raised by every label), and when a 16-bit slot would overflow,
//!   the plain instructions are emitted instead.
//!
//! # Executor (`exec.rs`)
//!
//! Instructions are "fast" (they touch only the frame, the memory, branch targets, back-edge
//! counters, globals and the interpreter's frame stack: everything but bulk memory, table and
//! reference operations) or "slow": their rows in `isa.rs` hold `fast` and/or `slow`
//! semantics, expanded into the `match` of `exec::fast_step` (the fast ones) and the `match`
//! in `Interp::run` (the slow ones). `Call`
//! and `Return`/`Return1` are fast when they stay among interpreted, already translated
//! functions of one instance that do not get hot with this call (`exec::call_in_chain`,
//! `exec::return_in_chain` push and pop an [`exec::Frame`] and continue in the callee's or
//! caller's code); everything else about calls (host functions, other instances, compiled
//! code, the first call that translates, tier-up, a full stack) falls back to the run loop,
//! which re-executes the instruction. `memory.grow` is fast and reloads the memory registers
//! itself. Two dispatchers share them:
//! - optimized builds (`cfg(not(debug_assertions))`, x86-64): dispatch candidate (b), one
//!   handler per instruction tag (`exec::chain`), all of one `extern "sysv64"` signature with
//!   the hot state in argument registers (ip, fp, memory base and length, code base, and one
//!   pointer to the rarely used function and instance context). Each handler is `fast_step`
//!   inlined with its tag known (only its own arm survives) and ends by calling the next
//!   instruction's handler in tail position, whose address is stored in the instruction
//!   itself (direct threading, [`isa::Threaded`], filled in by `exec::thread` when a function
//!   is translated; see "Dispatch measurement"). A handler returns (to `Interp::run`) only at a slow instruction or a trap;
//! - unoptimized builds: candidate (a), the `match` loop of `Interp::run` calls `fast_step`
//!   for every instruction. Stable Rust (1.95) has no guaranteed tail calls (`become` is still
//!   unstable), and without LLVM's sibling-call optimization (opt-level >= 2) every handler
//!   call would push a native frame.
//!
//! Wasm-to-wasm calls push an [`exec::Frame`] on `Interp::frames` (no native recursion); host
//! functions are called with their argument slots as the buffer. Memory is reloaded after
//! calls and anything that can grow it. Loads and stores check `addr + offset + size <= len`
//! in u64. Call counts are taken at function entry, back-edge counts at `LoopHeader` (plain
//! relaxed load + store, no locked RMW).
//!
//! # Exceptions (ARCHITECTURE.md "Exceptions")
//!
//! `try_table` becomes a block plus a [`translate::Handler`] (the body's instruction range,
//! the slot its caught values go to, a landing pad per catch clause, emitted before the body
//! and jumped over); `throw`/`throw_ref` are the slow instructions `Throw`/`ThrowRef`.
//! `Interp::catch` (`exec.rs`) walks the current frame and this run's suspended frames for
//! the first handler covering the throwing instruction (a call's for a caller) whose clause
//! matches, drops the frames above it and continues at the pad; an exception no handler of
//! the run catches ends the run as a `Trap` of code `UncaughtException`, and a call that
//! returns such a trap (from compiled code, a host function or a nested run) is searched
//! again in the caller's run. Traps are never caught.
//!
//! # Compiled code (the tier manager's side, see `tier.rs`)
//!
//! The interpreter is the entry to every tier: `Interp::invoke` and `Interp::call_at` (how
//! compiled code calls a function without code) and the `Call` instructions check the
//! callee's `FuncRecord::code`; if set, the callee runs compiled through
//! [`Tiering::run_compiled`] with its frame where an interpreted frame would be, on this
//! value stack. Otherwise a call whose count reached `Translated::call_trigger` asks
//! [`Tiering::compile_for_call`] first. A `LoopHeader` whose count reached
//! `Translated::loop_trigger` leaves the fast path; the run loop asks [`Tiering::osr_entry`]
//! for the compiled code of that loop header and runs the rest of the function there (the
//! frame is canonical at every header), then returns to the caller as after `Return`. A
//! function that stays interpreted (no tier manager, or compiling failed) gets `u32::MAX`
//! triggers. Traps from compiled code keep their compiled frames and get the interpreted
//! frames below them appended.
//!
//! # Dispatch measurement
//!
//! Jumps, not calls: `interp::tests::long_loop_on_small_stack` runs 60 M instructions on a
//! thread with a 256 KiB native stack, and the release disassembly (`objdump -d` of
//! `wrun::interp::exec::chain::handler`) shows each handler ending in its own indirect jump
//! (today `jmp *%rax`, see direct threading below); with the tag table of that time, the
//! whole `BrIfEqz` handler was:
//! `mov 0x4(%rdi),%eax; mov 0x8(%rdi),%r10d; add $0x10,%rdi; shl $0x4,%r10; add %r8,%r10;
//! cmpl $0x0,(%rsi,%rax,8); cmove %r10,%rdi; movzwl (%rdi),%eax; lea HANDLERS(%rip),%r11;
//! jmp *(%r11,%rax,8)`.
//!
//! Same run, release build, alternating the two executors (the parent commit's `match`-loop
//! test binary and this one, both from `cargo test --release --lib --no-run`, running
//! `interp::tests::bench_programs` with `WRUN_BENCH=<name>`) and the wasmi 2.0 CLI
//! (`~/.cache/wrun-bench/wasmi/bin/wasmi <name>.wasm`), wall clock on the shared 2-core
//! machine (load ~2-4), two rounds:
//!
//! | program | (a) `match` loop | (b) handler chain | wasmi 2.0 |
//! |---|---|---|---|
//! | collatz | 6.47 s, 5.66 s | 5.18 s, 4.73 s | 2.58 s, 2.34 s |
//! | matmul | 1.17 s, 1.12 s | 1.15 s, 1.00 s | 0.85 s, 0.71 s |
//! | sha256 | 5.21 | 6.90 | 6.84 | 6.60 | 8.39 |
//! | fib | 4.46 s, 4.27 s | 4.99 s, 4.80 s | 3.16 s, 3.48 s |
//!
//! An earlier, busier round gave the same picture (collatz 8.6 s vs 7.1 s, sha256 10.9 s vs
//! 7.3 s, fib 6.4 s vs 7.0 s), and one quiet collatz pair 11.3 s vs 5.1 s.
//!
//! Decision: (b) for optimized builds; it is 1.1-1.5x faster on loops (sha256 is now level
//! with wasmi). It is ~12% slower on fib, which is almost only calls and returns: those are
//! slow instructions, so every call and return leaves the chain, runs in the `match` of
//! `Interp::run` and re-enters the chain (an indirect call and a return, with the run loop's
//! state spilled around it).
//!
//! Since then calls and returns run in the chain (`many_calls_on_small_stack` checks that
//! they are jumps too), and the superinstructions above were added. `make bench` side by
//! side, one run each, load average ~5 on the 2 shared cores (`scripts/bench/run.sh --engines
//! wrun-interp,wasmi[,wasm3] --runs 1 --no-compile`), CPU seconds (user + system):
//!
//! | program | 4553391 wrun | wasmi 2.0 | f6c3d87 wrun | wasmi 2.0 | wasm3 |
//! |---|---|---|---|---|---|
//! | fib | 4.98 | 4.27 | 5.09 | 4.39 | 6.32 |
//! | collatz | 4.56 | 2.58 | 4.04 | 2.67 | 3.87 |
//! | matmul | 1.66 | 1.35 | 1.68 | 1.43 | 2.14 |
//! | nbody | 9.78 | 6.38 | 10.26 | 6.42 | 9.44 |
//! | mandelbrot | 4.36 | 1.73 | 4.35 | 1.94 | 3.33 |
//! | branchy | 5.67 | 4.18 | 5.71 | 3.62 | 4.95 |
//! | vm | 9.88 | 6.44 | 9.51 | 5.99 | 11.07 |
//! | strings | 7.24 | 3.35 | 6.98 | 3.26 | 5.55 |
//! | sha256 | 5.21 | 6.90 | 6.84 | 6.60 | 8.39 |
//! | lz | 5.46 | 2.69 | 4.93 | 2.78 | 4.68 |
//! | geomean, ratio to native (CPU) | 9.40x | 6.17x | 9.21x | 6.00x | 9.20x |
//! | geomean, ratio to native (wall) | 9.60x | 6.39x | 8.62x | 6.01x | 8.64x |
//!
//! At f6c3d87 the interpreter is 1.53x wasmi by CPU time (1.43x wall); it was 1.62x at
//! 681bf75 (calls in the chain only). It is slower than wasmi on every program except sha256
//! in one run (5.21 s vs 6.90 s at 4553391, 6.84 s vs 6.60 s at f6c3d87: noise of this
//! size is normal on this machine), and level with wasm3 overall. Hello world: 3.4 ms
//! median, wasmi 3.6 ms. Issue 12's gate (0.8x wasmi, no program slower) is not met.
//!
//! Translation throughput (ignored test `interp::tests::translation_throughput`, release, at
//! f6c3d87 + that test): all 1563 functions of the bench's `large.wasm`, 3.55 MB of bodies, in
//! 0.160 s = 22 MB/s; 4.12 bytes of internal code (instructions + offsets table) per body
//! byte. `--stats` reports the translation of every run (`translation: N function(s), B wasm
//! bytes -> C code bytes in T ms`, counted by [`ModuleCode::translation_stats`]) and `make
//! bench` reports it for `--tier interp` on `large.wasm` ("Interpreter translation
//! throughput": MB of bodies per second of translation time, code bytes per body byte); at
//! c6ec878, one quick run: 1534 functions, 3.54 MB of bodies, 27.4 MB/s, 5.77 code bytes per
//! wasm byte.
//!
//! Direct threading (WAMR-style: the handler's address stored in each instruction). `Instr`
//! has no room for a pointer (16 bytes, tag + 3 x u32 or u32 + u64), so the executed code is
//! `Box<[isa::Threaded]>`, 24 bytes per instruction (handler address + `Instr`); the
//! addresses are filled in per process when a function is translated (translated code is
//! never stored in sidecars). The dispatch at the end of a handler becomes
//! `mov 0x18(%rdi),%rax; add $0x18,%rdi; jmp *%rax` instead of `movzwl 0x10(%rdi),%r11d;
//! lea HANDLERS(%rip),%r10; ...; jmp *(%r10,%r11,8)`. Side by side (release, the tag-table
//! binary of the instruction-table commit against this one, same machine, load ~6 on the 2
//! shared cores), callgrind instruction counts of `wrun --tier interp`:
//!
//! | program | tag table | direct threading | change |
//! |---|---|---|---|
//! | fib 27 | 1445.7 M | 1407.5 M | -2.6% |
//! | matmul 80 | 1650.8 M | 1496.5 M | -9.3% |
//! | sha256 2 | 1803.2 M | 1616.0 M | -10.4% |
//! | mandelbrot 200 | 214.4 M | 195.9 M | -8.6% |
//!
//! and user CPU seconds at the programs' default sizes, two alternating rounds (wall clock
//! was 2-5x the CPU time under that load, too noisy to compare): fib 4.49, 4.93 vs 4.48,
//! 5.03; matmul 1.31, 1.43 vs 1.30, 1.36; sha256 4.87, 5.84 vs 4.88, 4.92; mandelbrot 4.01,
//! 4.01 vs 3.86, 3.97. Kept: fewer instructions everywhere and no program slower; the cost is
//! 1.5x the code memory (5.77 instead of 4.12 bytes of internal code per body byte on
//! `large.wasm`, `interp::tests::translation_throughput`, which now translates 33.5 MB/s on
//! a busy machine). Start-up is level: hello world `--tier interp`, `perf stat -r 30`
//! task-clock, two alternating rounds: 2.97, 3.05 ms before the instruction table, 3.06,
//! 2.85 ms with it (tag table), 3.21, 2.65 ms with direct threading.
//!
//! Where the gap to wasmi 2.0 is (callgrind, `mandelbrot 300`): wrun executes 490 M native
//! instructions, wasmi 292 M. wasmi 2.0's handlers keep one operand in a machine register
//! across dispatches (its `f64_add_rrs`, `f64_copy_sr`, `i32_add_rs_si` handlers: `r` =
//! register, `s` = slot, `i` = immediate), so a chain of dependent operations does not go
//! through memory; every wrun handler loads its operands from and stores its result to the
//! frame, and `perf annotate` puts 50-90% of the f64 handlers' samples on that store /
//! store-to-load forwarding. That (an accumulator register passed between handlers, with the
//! translator tracking which value is in it) is the next step, and the one that can reach
//! the gate; the fusions here do not.
//!
//! # The f64 accumulator
//!
//! The measurement above pointed at the frame round trip of dependent f64 operations: a
//! handler's result was stored to its slot and loaded again by the next handler (store-to-load
//! forwarding on the critical path). Fusing float compares with their branches first
//! (`BrF64Lt`..., the constant forms `BrF64LeK`..., and `cmp; i32.eqz; br_if` as the negated
//! branch) cut mandelbrot's inner loop from 26 to 22 instructions and changed nothing
//! measurable (3.65 s before and after, `--tier interp`, user CPU): the loop is bound by that
//! latency, not by dispatch.
//!
//! So every handler now carries one f64 in a register, the accumulator (`Regs::acc`, the
//! handlers' seventh argument, `xmm0`; the `match` loop of debug builds carries it from step
//! to step). An instruction with an `fdst` operand (`F64Add`/`Sub`/`Mul`/`Div`/`Sqrt` and
//! their accumulator forms) writes its result both to `fp[fdst]` and to the accumulator
//! (write-through: the slot stays valid, so nothing else changes); the translator emits an
//! accumulator form (`F64AddAcc`, `F64MulAccAcc`, `F64SubFromAcc`, `Store64Acc`,
//! `BrF64LeKAcc`, ...) for an operand whose slot is the `fdst` of the instruction emitted just
//! before, with no branch target in between (`Translator::acc_slot`), so it reads the
//! register instead of the slot just written. Nothing else reads it, so no other handler, no
//! call, no trap and no tier boundary has to keep it. Same machine, one run side by side
//! (`scripts/bench/run.sh --engines wrun-interp,wasmi --runs 1 --no-compile
//! --no-code-cache`, ratio to native by CPU time): before (4115992) mandelbrot 10.79x, nbody
//! 7.52x against wasmi's 4.72x and 6.00x; after, mandelbrot 7.16x, nbody 6.53x against
//! wasmi's 5.39x and 6.94x; geometric mean of eleven programs (with simd) 9.91x -> 9.17x,
//! wasmi 7.00x, 7.03x: from 1.42x to 1.30x wasmi's time. Integer chains (collatz, strings,
//! lz) still go through the frame; an integer accumulator needs a free argument register
//! (all six integer ones carry state today), the next step.
//!
//! # Pair counts
//!
//! `exec::pair_counts` (debug builds, whose `match` loop sees every instruction) counts each
//! executed instruction with the one before it; the ignored test `interp::tests::pair_counts`
//! runs bench programs with it:
//! `WRUN_BENCH=lz WRUN_BENCH_ARG=1000000 cargo test --lib interp::tests::pair_counts -- --ignored --nocapture`.
//! Counts at 681bf75 (before the fusions, with `LoopHeader`s), reduced sizes, share of all
//! executed instructions (top pairs per program; programs sum of 50 M to 608 M):
//!
//! - fib (30): `I32AddI -> Call` 12.6%, `Call -> BrIfNez` 10.0%, `Return1 -> Return1` 9.9%,
//!   `Copy -> Copy` 6.2%;
//! - collatz (200000): ten pairs of 9.8% each, one 10-instruction loop: `I64AndI -> I64Eqz`,
//!   `I64Eqz -> Select`, `Select -> Copy`, `BrI64NeI -> LoopHeader`, ...;
//! - matmul (120): `I32AddI -> I32AddI` 6.6%, `I32Add -> Load32` 6.6%, `I32ShlI -> I32Add`
//!   6.0%, `Store32 -> I32AddI` 6.0%;
//! - nbody (500000): `F64Mul -> F64Mul` 8.3%, `F64Add -> Store64` 6.2%, `I32AddI -> Load64`
//!   4.7%, `Store64 -> Load64` 4.7%;
//! - mandelbrot (500): `F64Mul -> F64Add` 14.6%, `F64Add -> F64Mul` 10.0%, `Const64 -> F64Le`
//!   5.1%, `F64Le -> BrIfNez` 2.6%;
//! - branchy (200000): `Select -> Copy` 6.3%, `I32ShlI -> I32Add` 4.4%, `I32Add -> Load32`
//!   3.6%;
//! - vm (40000): `I32AddI -> I32AddI` 10.6%, `I32ShlI -> I32Add` 7.4%, `I32AddI -> Load8U`
//!   5.7%, `Load8U -> BrTable` 5.7%, `Br -> LoopHeader` 5.3%;
//! - strings (1000000): `I32AddI -> I32AddI` 3.5%, `I32AndI -> BrIfEqz` 3.4%, `I32AndI ->
//!   BrIfNez` 2.7%, `I32Add -> Load32` 2.3%;
//! - sha256 (8): `Copy -> Copy` 9.5%, `I32RotlI -> I32Xor` 7.6%, `I32Add -> I32Add` 5.9%;
//! - lz (1000000): `I32Add -> Load8U` 12.6%, `LoopHeader -> I32Add` 7.1%, `Load8U -> BrI32Ne`
//!   6.7%.
//!
//! Taken from these: address computations (`I32Add`/`I32AddI`/`I32ShlI` into loads), pairs
//! of copies and of increments, bit tests and `eqz` + `select`, and no `LoopHeader` without a
//! tier manager. Not yet: float compare + branch (needs "not" forms, NaN), compare + select,
//! `Load8U -> BrTable`, f64 operations with a constant operand.
//!
//! Counts again at 1d842f1 (with those fusions and direct threading, no `LoopHeader`s: the
//! test runs without a tier manager), same sizes, top pairs per program and the program's
//! total of executed instructions:
//!
//! - fib (45.6 M): `I32AddI -> Call` 13.9%, `Call -> BrIfNez` 11.0%, `BrIfNez -> I32AddI`
//!   10.9%, `Return1 -> Return1` 10.9%, `Copy2 -> Call` 4.1%;
//! - collatz (188.1 M): eight pairs of 12.2% each, one 8-instruction loop (`I64ShrUI ->
//!   I64MulI -> I64AddI -> I64AndI -> SelectIfZero64 -> Copy -> BrI64NeI -> I32AddI`);
//! - matmul (113.9 M): `I64ShrUI -> I64Xor` 7.4%, `Store32 -> I32AddI2` 7.4%, `I32AddShlI ->
//!   Load32` 7.4%, `I32AddI2 -> BrI32NeI` 4.1%;
//! - nbody (327.5 M): `F64Mul -> F64Mul` 9.2%, `F64Add -> Store64` 6.9%, `Store64 -> Load64`
//!   5.2%, `Load64AddI -> F64Sub` 4.6%;
//! - mandelbrot (114.2 M): `F64Mul -> F64Add` 15.7%, `F64Add -> F64Mul` 10.8%, `Const64 ->
//!   F64Le` 5.5%, `F64Le -> BrIfNez` 2.8%, `F64Le -> BrIfEqz` 2.7%, `I32AddI -> BrI32NeI`
//!   2.6%;
//! - branchy (195.8 M): `Select -> Copy` 7.2%, `Copy -> I32AddI` 4.1%, `I32AddShlI -> Load32`
//!   4.1%, `Const32 -> I32DivS` 3.6%, `Load32 -> BrI32Ne` 3.5%;
//! - vm (156.9 M): `Br -> I32ShlI` 9.0%, `Load8U -> BrTable` 7.5%, `BrTable -> Br` 7.5%,
//!   `I32ShlI -> I32AddI2` 7.5%, `I32AddI2 -> Load8U` 7.5%, `I32AddShlI -> Load64` 6.4%;
//! - strings (196.7 M): `I32AndI -> BrIfEqz` 4.0%, `I32ShrUI -> I32AndI` 2.6%, `Load8U ->
//!   BrIfNez` 2.3%, `I32AddI -> Load8U` 2.0%;
//! - sha256 (511.1 M): `I32RotlI -> I32Xor` 9.0%, `I32Add -> I32Add` 6.6%, `I32RotlI ->
//!   I32RotlI` 5.7%, `Copy2 -> Copy2` 4.9%, `I32AddI -> BrI32NeI` 2.2%;
//! - lz (214.4 M): `BrI32Ne -> I32AddI` 8.3%, `Load8UAdd -> BrI32Ne` 8.2%, `Load8UAdd ->
//!   Load8UAdd` 8.2%, `I32AddI -> BrI32Ne` 7.7%.
//!
//! What these show is worth fusing next: the loop-counter step, an `i32.add` with a constant
//! followed by a compare-and-branch on its result (`I32AddI -> BrI32Ne` 7.7% in lz, `I32AddI
//! -> BrI32NeI` 2.6% in mandelbrot and 2.2% in sha256, `I32AddI2 -> BrI32NeI` 4.1% in matmul;
//! with 16-bit slots `x += imm; if x != b goto target` fits one `Instr`), then the `br_table`
//! dispatch of vm (`Load8U -> BrTable -> Br`, 7.5% each: a `BrTable` that jumps to the
//! target directly instead of through a `Br` saves one dispatch in three), `Select -> Copy`
//! (7.2% branchy, 12.2% collatz behind `SelectIfZero64`: a `select` whose result goes to a
//! local) and f64 `mul -> add` (15.7% mandelbrot, 3.8% nbody; a fused form must round twice,
//! as wasm does, so it is two operations in one handler, not an FMA). Not done yet (no time
//! in the session that counted them); `I32AndI -> BrIfEqz` (4.0% strings) is a bit test the
//! existing rule (`Translator::pop_cond`) misses: an `i32.eqz` between the `and` and the
//! `br_if`, or the `and` result kept in a local (not looked at which).
//!
//! Tried and not kept (2026-12-02): `I32AddIBrNe`, an `I32AddI` followed by any `BrI32Ne`
//! fused in `Translator::fuse_pair` (the add first, then the compare). Callgrind, `--tier
//! interp`, against bc329e7: lz 300000 778.7 M -> 787.9 M instructions (+1.2%), matmul 60 and
//! sha256 1 unchanged (1471.6 M, 879.8 M). Only requiring the compare to read the add's
//! result instead fused nothing on those programs (the same counts as without it), so the
//! pairs counted are not, in the code, the counter step feeding its own compare.
//!
//! # Adding an instruction
//!
//! One row in the table of `isa.rs` (`isa::for_each_instr!`: name, operands, `fast` and/or
//! `slow` semantics; the enum, its size, the debug names, jump-target patching, both
//! executors' `match` arms and the handler table are generated from it, none of them with a
//! `_ =>` arm), plus its translation rule in `translate.rs`. The `isa` module docs describe a
//! row and the vocabulary its semantics are written in. For example, a hypothetical
//! `i32.add` with a 16-bit constant and a fused result move would be the row
//! `I32AddI16 { dst: Slot, a: Slot, imm: i16 } fast { bin32!(dst, a, imm as u32, |x, y|
//! x.wrapping_add(y)) };` and a rule in `Translator::binary_imm` choosing it.
//!
//! A new wasm operator (a wasmparser upgrade, a proposal turned on) is a compile error
//! until it has a `visit_*` method in the translator's `VisitOperator` implementation or
//! its proposal is listed in `translate::unsupported_operators!`.
//!
//! Not done from issue 12: the speed gate (see "Dispatch measurement").

pub mod code;
pub mod exec;
pub mod isa;
pub mod translate;

use crate::runtime::CompileError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::module::ModuleInfo;
use crate::runtime::{FuncRecord, Trap, VmCtx};
pub use exec::Interp;
pub use translate::Translated;

/// How the interpreter reaches compiled code: implemented by the tier manager (`tier.rs`),
/// so that the interpreter and the JIT never call each other directly (ARCHITECTURE.md).
pub trait Tiering: Send + Sync {
    /// `(call trigger, loop trigger)`: a function is reported hot once its call count or its
    /// loop-header count reaches these.
    fn triggers(&self) -> (u32, u32);
    /// Function `record` (of this module) got hot through calls: compile it if needed, store
    /// its entry in `record.code` and return it; `None` if it stays interpreted.
    fn compile_for_call(&self, record: &FuncRecord) -> Option<*const u8>;
    /// A loop of `record` got hot: the OSR entry for the loop whose `loop` operator is at
    /// `wasm_offset` (compiling the function, and setting `record.code`, if needed).
    fn osr_entry(&self, record: &FuncRecord, wasm_offset: u32) -> Option<*const u8>;
    /// After [`Tiering::compile_for_call`] or [`Tiering::osr_entry`] answered `None` for
    /// `record`: whether asking again later may succeed (a bounded code cache had no room
    /// now), so the interpreter restarts its counts instead of giving up on the function.
    fn may_retry(&self, record: &FuncRecord) -> bool {
        let _ = record;
        false
    }
    /// Runs compiled code `entry` of instance `vmctx` with its frame at `fp` on `interp`'s
    /// value stack (which ends at `stack_end`) with the call-depth budget `depth_left` (its own
    /// frame included); functions without code that it calls run on `interp`.
    ///
    /// # Safety
    /// `entry` is live compiled code of `vmctx`'s module, the frame at `fp` is what the entry
    /// expects, `interp` is the running interpreter and not otherwise used during the call.
    unsafe fn run_compiled(
        &self,
        interp: *mut Interp,
        entry: *const u8,
        vmctx: *mut VmCtx,
        fp: *mut u64,
        stack_end: *mut u64,
        depth_left: u64,
    ) -> Result<(), Trap>;
}

/// The interpreter's per-module code cache: one lazily translated entry per defined function.
pub struct ModuleCode {
    module: Arc<ModuleInfo>,
    funcs: Box<[OnceLock<Result<Translated, CompileError>>]>,
    /// For each type index: slots of its params (call_indirect finds its table index after them).
    type_params: Box<[u32]>,
    /// The tier manager, if functions of this module may run compiled.
    tiering: Option<Arc<dyn Tiering>>,
    /// Translate with fuel charges (`Config::consume_fuel`; ARCHITECTURE.md "Fuel").
    consume_fuel: bool,
    /// What translation has done so far (for `--stats`, [`ModuleCode::translation_stats`]).
    body_bytes: AtomicU64,
    code_bytes: AtomicU64,
    translate_nanos: AtomicU64,
}

/// Totals of the interpreter's translation of one module: the functions translated, their
/// wasm body bytes (locals declarations included), the internal code produced for them
/// ([`Translated::memory_bytes`]) and the time spent (threading included).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TranslationStats {
    pub functions: usize,
    pub body_bytes: u64,
    pub code_bytes: u64,
    pub time: Duration,
}

impl ModuleCode {
    pub fn new(module: &Arc<ModuleInfo>, tiering: Option<Arc<dyn Tiering>>) -> ModuleCode {
        ModuleCode {
            module: module.clone(),
            funcs: (0..module.bodies.len()).map(|_| OnceLock::new()).collect(),
            type_params: module.types.iter().map(|t| t.param_slots()).collect(),
            tiering,
            consume_fuel: false,
            body_bytes: AtomicU64::new(0),
            code_bytes: AtomicU64::new(0),
            translate_nanos: AtomicU64::new(0),
        }
    }

    /// This code cache with fuel charges in every function it translates when `consume_fuel`.
    pub fn metered(mut self, consume_fuel: bool) -> ModuleCode {
        self.consume_fuel = consume_fuel;
        self
    }

    pub fn tiering(&self) -> Option<&Arc<dyn Tiering>> {
        self.tiering.as_ref()
    }

    /// How many functions have been translated (= run in the interpreter at least once).
    pub fn translated_count(&self) -> usize {
        self.funcs.iter().filter(|f| f.get().is_some()).count()
    }

    /// What translating has cost so far (functions that failed to translate count in
    /// `functions` and `time` only).
    pub fn translation_stats(&self) -> TranslationStats {
        TranslationStats {
            functions: self.translated_count(),
            body_bytes: self.body_bytes.load(Ordering::Relaxed),
            code_bytes: self.code_bytes.load(Ordering::Relaxed),
            time: Duration::from_nanos(self.translate_nanos.load(Ordering::Relaxed)),
        }
    }

    pub fn module(&self) -> &Arc<ModuleInfo> {
        &self.module
    }

    /// The translated code of function `func_index` (imports counted), translating it on first
    /// use. Errors (which validation should make impossible) are cached and reported as traps.
    pub fn function(&self, func_index: u32) -> Result<&Translated, CompileError> {
        let defined = func_index.wrapping_sub(self.module.num_imported_funcs) as usize;
        match self.funcs.get(defined) {
            Some(cell) => cell
                .get_or_init(|| {
                    let begin = Instant::now();
                    let result = self.translate(func_index, defined);
                    let nanos = begin.elapsed().as_nanos().min(u64::MAX as u128) as u64;
                    self.translate_nanos.fetch_add(nanos, Ordering::Relaxed);
                    result
                })
                .as_ref()
                .map_err(Clone::clone),
            None => Err(CompileError::Internal {
                function: Some(func_index),
                message: "call of a function without a body".to_string(),
            }),
        }
    }

    /// Translates and threads function `func_index` (defined function `defined`), counting
    /// its bytes.
    fn translate(&self, func_index: u32, defined: usize) -> Result<Translated, CompileError> {
        let mut translated = translate::translate_metered(
            &self.module,
            func_index,
            self.tiering.is_some(),
            self.consume_fuel,
        )
        .map_err(|e| e.in_function(func_index))?;
        exec::thread(&mut translated.code);
        if let Some(tiering) = &self.tiering {
            let (calls, loops) = tiering.triggers();
            translated.call_trigger.store(calls, Ordering::Relaxed);
            translated.loop_trigger.store(loops, Ordering::Relaxed);
        }
        let body = self.module.bodies[defined].range.len() as u64;
        self.body_bytes.fetch_add(body, Ordering::Relaxed);
        let code = translated.memory_bytes() as u64;
        self.code_bytes.fetch_add(code, Ordering::Relaxed);
        Ok(translated)
    }

    /// Function `func_index` lost its compiled code (the tier manager evicted it): its call
    /// and loop counts start again from zero, so it is compiled again only when hot again.
    pub fn reset_counters(&self, func_index: u32) {
        let (Some(translated), Some(tiering)) = (self.translated(func_index), &self.tiering) else {
            return;
        };
        let (calls, loops) = tiering.triggers();
        translated.calls.store(0, Ordering::Relaxed);
        translated.back_edges.store(0, Ordering::Relaxed);
        translated.call_trigger.store(calls, Ordering::Relaxed);
        translated.loop_trigger.store(loops, Ordering::Relaxed);
    }

    /// The translated code of function `func_index` if it has been translated already (the
    /// fast path of calls; the first call translates through [`ModuleCode::function`]).
    #[inline]
    pub(crate) fn translated(&self, func_index: u32) -> Option<&Translated> {
        let defined = func_index.wrapping_sub(self.module.num_imported_funcs) as usize;
        self.funcs.get(defined)?.get()?.as_ref().ok()
    }

    fn type_params(&self, type_index: u32) -> Option<u32> {
        self.type_params.get(type_index as usize).copied()
    }
}

#[cfg(test)]
mod tests;
