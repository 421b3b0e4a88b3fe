//! The baseline compiler: one pass over a function's validated operators.
//!
//! # Files
//!
//! The compiler is the top of three layers (Winch and Liftoff are built the same way):
//! `visit.rs` gives each wasm operator its meaning over the value stack, the pools and the
//! control frames; it says that meaning in the typed operations of the macro-assembler
//! [`crate::jit::masm`] (the `Compiler` field `masm`), which knows no wasm and holds the
//! machine-level peepholes; the masm emits through the encoder `jit::x64`. No file here
//! imports `jit::x64`.
//!
//! One concern per file; none imports another except the leaves `abi` (pinned registers,
//! pools, homes, slots), `cpu` (features) and `compiler` (the per-function state and the
//! value-stack entry type), plus `frame` -> `locals` (the home policy), `driver` -> `frame`,
//! and `visit` -> `float` (its compare kinds). The `impl Compiler` blocks split the methods by
//! concern: `stack` (the value stack), `locals` (home registers), `control` (blocks, branches,
//! merges), `int`, `float`, `memory`, `calls` (calls, helpers, trap sites), `simd` (v128
//! operators: inline moves or the `SIMD_OP` helper), `visit` (`impl
//! VisitOperator for Compiler`: one method per operator, a missing one is a compile error;
//! `reject_proposals!` lists the proposals this tier refuses), `exceptions` (`try_table`,
//! `throw`, `throw_ref` and calls inside `try_table` bodies), `ops` (what every operator goes
//! through before its visit: unreachable code, the pc map, spilling before operators that call
//! out), `frame` (one function: prologue, operator loop with the fuel charges and the
//! peepholes' look-ahead, epilogue, OSR stubs, trap sites), `driver` (a module or a list of
//! functions into one buffer).
//!
//! # Value model
//!
//! The abstract operand stack holds one entry per frame slot (`module::FrameLayout`: a v128 is
//! two entries, low half first, flagged in `Compiler::high`; heights count slots) and each
//! entry as an [`Opd`]: a constant, a pool register
//! (`Reg` for integer bits, `Xmm` for floats), or a frame slot (`Slot`: the entry's canonical
//! slot, or a local whose `local.get` was deferred). Operators take their operands wherever
//! they are (registers, slot memory operands, constants as immediates) and leave their
//! result in a register from a pool: a popped operand's register when there is one, else a
//! free one; when the pool runs dry the deepest register entry is spilled to its canonical
//! slot. Entries go to their canonical slots ("materialized") only where control enters a
//! block or leaves the code: at `block`/`loop`/`if` entry (so entries below a block's height
//! are canonical for the whole block, and each loop header is an OSR meeting point), for
//! the params carried by branches to a loop header, for the function's results, and before
//! every operator that calls out ([`Compiler::calls_out`]: calls, runtime and JIT helpers;
//! pool registers are caller-saved and helpers take arguments in them). Merges agree on
//! registers: a `block`'s or `if`'s results meet at its end in pool registers chosen at its
//! entry (all free there), and a block that no branch targets, like every loop's end, is
//! no merge at all (`control.rs` has the details). Deferred locals are copied to their
//! canonical slot before anything writes the local (aliasing).
//!
//! # Registers
//!
//! `rax`, `rcx`, `rdx`, `xmm0` and `xmm1` are scratch inside one operator (division,
//! shifts, setcc, helper results, constants). The pools are `rsi, rdi, r8-r11, rbx` and
//! `xmm2-xmm15`, minus the registers that hold locals (below). An i32 in a register is zero-extended, as in its slot, so it indexes memory
//! directly; an f32 in an SSE register has undefined upper bits, and spilling it writes the
//! slot's upper half as zero. No register value lives across a call or a helper: every
//! register is clobbered there (`rbx` included: compiled callees use it, and the entry
//! trampoline saves it for Rust).
//!
//! # Locals in registers
//!
//! Before compiling, one scan weighs each local's accesses by `8^loop depth` (capped at
//! depth 4); the heaviest integer locals (up to four: `rbx, r11, r10, r9`) and float locals
//! (up to six: `xmm15-xmm10`) with a weight of at least 2 live in those registers for the
//! whole function ("homes"). `local.get` of such a local pushes its home register itself
//! (a register entry that no operator writes: results take pool registers; a `local.set`
//! first copies such entries to pool registers), `local.set` is a move into the home.
//! Because homes never change inside the function, every merge and loop back-edge agrees on
//! them for free. Their canonical slots are written only where control leaves the code:
//! before every call and helper (the callee clobbers every register), reloaded right after;
//! the prologue loads parameter homes from their slots and zeroes the others. Traps need
//! nothing: backtraces follow the `rbp` chain and no tier reads a trapped frame's values.
//!
//! The policy by measurement (2026-12-02, bc329e7, `--tier jit` on the ten `make bench`
//! programs, CPU time, median of 3 rounds alternating the builds, machine at load 4-5):
//! without homes the code takes 1.19x the time by geometric mean (mandelbrot 2.21x, nbody
//! 1.31x, fib 1.21x, lz 1.18x, sha256 1.17x); with half the homes (2 integer, 3 float) 0.99x
//! (per program 0.92x-1.07x, within the noise). Four and six are kept: they cost a store and a
//! load per home around calls only in functions that have that many hot locals, where the
//! extra homes serve loops.
//!
//! # OSR entry stubs
//!
//! The interpreter calls a loop's stub with every local and operand in its canonical slot.
//! The stub builds the native frame and checks both stacks like the prologue (without
//! zeroing locals), loads every home register from its local's slot, and jumps to the loop
//! header. Operand-stack entries at a loop header are always canonical (block entry
//! materializes them), so nothing else is loaded.
//!
//! # Peepholes
//!
//! Integer compares fuse with a following `br_if` or `if` (compare + `jcc`) and `select` (compare +
//! `cmov`); compares with zero are `test` and `add` of a register and a constant or of two
//! registers into a third is `lea` (both in the masm); constant operands are immediates and
//! constant pairs fold; a result whose next operator is `local.set`/`local.tee` of a home is
//! computed in the home; `sqrt`, rounding and float conversions work in place or on a cleared
//! register (no dependency on a stale destination); the last operator falls into the epilogue
//! without a jump. Float constants other than zero come from the function's constant pool (the
//! masm's: 16 aligned bytes each, emitted after its trap sites), loaded RIP-relative (`movsd xmm,
//! [rip + c]`): the code stays position-independent for sidecars; `abs`, `neg` and `copysign` are
//! `andpd`/`xorpd`/`andnpd` with pool masks, in the SSE register (no round trip through a GPR).
//! Jump tables and pools are listed as data (`CompiledCode::data`), which `--emit asm` prints as
//! bytes.
//!
//! # Code shape
//!
//! The functions compiled together ([`compile_module`]: all of them; the tier manager: one)
//! go into one buffer, and calls between them are `call rel32`; calls to any other function
//! go through its `FuncRecord`. A tail call moves its arguments to `fp[0..]`, runs the
//! epilogue without `ret` and jumps: to the callee (`jmp rel32`, or its record's code when
//! that is of this instance) or to the `TAIL_CALL_SLOW` thunk (`calls.rs`; ARCHITECTURE.md
//! "Calls across tiers"). Each function: `push rbp; mov rbp, rsp`, native stack check,
//! value-stack check, zeroing of declared locals, the body (with `Config::consume_fuel`, a
//! `sub qword [r12+FUEL], cost; js` trap site at every fuel block start:
//! ARCHITECTURE.md "Fuel"), `pop rbp; ret`, then one OSR entry
//! stub per reachable loop header ([`OsrEntry`]: the same prologue minus the zeroing, then a
//! jump to the header), then its out-of-line trap sites (`mov [r12+TRAP_CODE], code;
//! call [r12+TRAP_STUB]`, one per site so the return address maps to the wasm offset).

mod abi;
mod calls;
mod compiler;
mod control;
mod cpu;
mod driver;
mod exceptions;
mod float;
mod frame;
mod int;
mod locals;
mod memory;
mod ops;
mod simd;
mod stack;
mod visit;

pub use abi::CODE_SHAPE_VERSION;
pub use cpu::CpuFeatures;
pub use driver::{
    CompiledCode, FirstChoice, FunctionSlot, compile_functions, compile_functions_with,
    compile_functions_with_progress, compile_module, compile_module_metered,
    compile_module_with_progress,
};
pub use frame::OsrEntry;
