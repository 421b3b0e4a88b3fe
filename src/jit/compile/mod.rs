//! The baseline compiler: one pass over a function's validated operators.
//!
//! # Value model
//!
//! The abstract operand stack holds each entry as an [`Opd`]: a constant, a pool register
//! (`Reg` for integer bits, `Xmm` for floats), or a frame slot (`Slot`: the entry's canonical
//! slot, or a local whose `local.get` was deferred). Operators take their operands wherever
//! they are (registers, slot memory operands, constants as immediates) and leave their
//! result in a register from a pool: a popped operand's register when there is one, else a
//! free one; when the pool runs dry the deepest register entry is spilled to its canonical
//! slot. Entries go to their canonical slots ("materialized") only where control merges or
//! leaves: at `block`/`loop`/`if` entry (so entries below a block's height are canonical for
//! the whole block, and each loop header is an OSR meeting point), for the results of
//! branches and block ends (merges use the simple convention "results in their canonical
//! slots"), and before every operator that calls out ([`Compiler::calls_out`]: calls,
//! runtime and JIT helpers; pool registers are caller-saved and helpers take arguments in
//! them). Deferred locals are copied to their canonical slot before anything writes the
//! local (aliasing).
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
//! # OSR entry stubs
//!
//! The interpreter calls a loop's stub with every local and operand in its canonical slot.
//! The stub builds the native frame and checks both stacks like the prologue (without
//! zeroing locals), loads every home register from its local's slot, and jumps to the loop
//! header. Operand-stack entries at a loop header are always canonical (block entry
//! materializes them), so nothing else is loaded.
//!
//! # Code shape
//!
//! The functions compiled together ([`compile_module`]: all of them; the tier manager: one)
//! go into one buffer, and calls between them are `call rel32`; calls to any other function
//! go through its `FuncRecord`. Each function: `push rbp; mov rbp, rsp`, native stack check,
//! value-stack check, zeroing of declared locals, the body, `pop rbp; ret`, then one OSR entry
//! stub per reachable loop header ([`OsrEntry`]: the same prologue minus the zeroing, then a
//! jump to the header), then its out-of-line trap sites (`mov [r12+TRAP_CODE], code;
//! call [r12+TRAP_STUB]`, one per site so the return address maps to the wasm offset).

use std::sync::Arc;

use wasmparser::{BinaryReader, BlockType, FunctionBody, MemArg, Operator};

use super::convert::{conv, fop};
use super::exec_context::{exec_offsets as ex, jit_helper};
use super::x64::{
    Alu, Assembler, BitCount, Cond, ExtFrom, Float, Gpr, Label, Mem, MulDiv, RoundMode, Scale,
    Shift, Size, SseArith, Unary, Width, Xmm,
};
use crate::module::{ModuleInfo, ValType};
use crate::runtime::TrapCode;
use crate::runtime::libcalls::helper_index as hi;
use crate::runtime::memory::GUARD_BYTES;
use crate::runtime::vmctx::offsets as vo;

type Result<T> = std::result::Result<T, String>;

/// CPU features the generated code may use (checked once at compile time).
#[derive(Clone, Copy, Debug)]
pub struct CpuFeatures {
    pub sse41: bool,
    pub lzcnt: bool,
    pub bmi1: bool,
    pub popcnt: bool,
}

impl CpuFeatures {
    pub fn detect() -> CpuFeatures {
        CpuFeatures {
            sse41: std::arch::is_x86_feature_detected!("sse4.1"),
            lzcnt: std::arch::is_x86_feature_detected!("lzcnt"),
            bmi1: std::arch::is_x86_feature_detected!("bmi1"),
            popcnt: std::arch::is_x86_feature_detected!("popcnt"),
        }
    }

    /// Plain x86-64 (SSE2 only): every fallback path.
    pub fn baseline() -> CpuFeatures {
        CpuFeatures {
            sse41: false,
            lzcnt: false,
            bmi1: false,
            popcnt: false,
        }
    }

    /// Each feature with its bit in [`CpuFeatures::to_bits`] (the AOT sidecar header stores
    /// the bits, so a bit's meaning never changes; new features take new bits).
    fn named(self) -> [(&'static str, u32, bool); 4] {
        [
            ("sse4.1", 1 << 0, self.sse41),
            ("lzcnt", 1 << 1, self.lzcnt),
            ("bmi1", 1 << 2, self.bmi1),
            ("popcnt", 1 << 3, self.popcnt),
        ]
    }

    pub fn to_bits(self) -> u32 {
        self.named()
            .iter()
            .filter(|(_, _, on)| *on)
            .fold(0, |bits, (_, bit, _)| bits | bit)
    }

    /// `None` if `bits` names a feature this wrun does not know.
    pub fn from_bits(bits: u32) -> Option<CpuFeatures> {
        let known = CpuFeatures::baseline()
            .named()
            .iter()
            .fold(0, |all, (_, bit, _)| all | bit);
        if bits & !known != 0 {
            return None;
        }
        Some(CpuFeatures {
            sse41: bits & 1 != 0,
            lzcnt: bits & 2 != 0,
            bmi1: bits & 4 != 0,
            popcnt: bits & 8 != 0,
        })
    }

    /// Names of the features `self` uses that `available` lacks.
    pub fn missing_from(self, available: CpuFeatures) -> Vec<&'static str> {
        self.named()
            .iter()
            .zip(available.named())
            .filter(|((_, _, needed), (_, _, have))| *needed && !*have)
            .map(|((name, _, _), _)| *name)
            .collect()
    }
}

/// Version of the generated code's shape and of everything it assumes beyond the layouts
/// (register conventions, frame shape, helper signatures). Bump it with any such change:
/// AOT sidecars record it and refuse to load code of another shape.
pub const CODE_SHAPE_VERSION: u32 = 2;

/// Pinned registers (see the `jit` module docs).
const VMCTX: Gpr = Gpr::R15;
const FP: Gpr = Gpr::R14;
const MEMBASE: Gpr = Gpr::R13;
const EXEC: Gpr = Gpr::R12;

/// Largest static offset the guard region covers without an explicit check: index (< 4 GiB)
/// + offset + access size stays inside the 4 GiB + guard reservation.
const MAX_UNCHECKED_OFFSET: u64 = {
    let limit = if GUARD_BYTES > (1 << 31) {
        1 << 31
    } else {
        GUARD_BYTES
    };
    (limit - 16) as u64
};

/// The result of compiling a module.
pub struct CompiledCode {
    pub code: Vec<u8>,
    /// Entry offset of each compiled function (in the order they were asked for; for
    /// [`compile_module`], defined function `i` is entry `i`).
    pub func_offsets: Vec<u32>,
    /// Per compiled function (same order), its OSR entries in body order (see [`OsrEntry`]).
    pub loop_headers: Vec<Vec<OsrEntry>>,
    /// `(code offset, function index)` ascending.
    pub func_starts: Vec<(u32, u32)>,
    /// `(code offset, wasm byte offset)` ascending.
    pub pc_map: Vec<(u32, u32)>,
}

/// An on-stack-replacement entry: code that starts a function at one of its loop headers.
///
/// `code_offset` is a stub called exactly like the function's own entry (`r14` = the frame,
/// which the interpreter has left in canonical form at the header: ARCHITECTURE.md "Loop
/// headers are meeting points"): it builds the native frame, checks both stacks and jumps to
/// the header. The function then runs to its end and returns to the stub's caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OsrEntry {
    /// Byte offset of the `loop` operator in the module (how the interpreter names a header).
    pub wasm_offset: u32,
    pub code_offset: u32,
}

/// Compiles every defined function of `module` into one buffer (calls between them are
/// direct `call rel32`).
pub fn compile_module(module: &Arc<ModuleInfo>, cpu: CpuFeatures) -> Result<CompiledCode> {
    compile_module_with_progress(module, cpu, &mut |_, _| {})
}

/// [`compile_module`], calling `progress(done, total)` after each function.
pub fn compile_module_with_progress(
    module: &Arc<ModuleInfo>,
    cpu: CpuFeatures,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CompiledCode> {
    let all: Vec<u32> = (0..module.bodies.len() as u32)
        .map(|defined| module.num_imported_funcs + defined)
        .collect();
    compile_functions_with_progress(module, &all, cpu, progress)
}

/// Compiles the defined functions `funcs` (indices with imports counted) into one buffer.
/// Calls between them are direct; calls to any other function go through its `FuncRecord`,
/// so they reach whatever tier that function is in when the call happens (the tier manager
/// compiles one function at a time this way).
pub fn compile_functions(
    module: &Arc<ModuleInfo>,
    funcs: &[u32],
    cpu: CpuFeatures,
) -> Result<CompiledCode> {
    compile_functions_with_progress(module, funcs, cpu, &mut |_, _| {})
}

fn compile_functions_with_progress(
    module: &Arc<ModuleInfo>,
    funcs: &[u32],
    cpu: CpuFeatures,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CompiledCode> {
    let mut asm = Assembler::new();
    let n = module.bodies.len();
    let mut labels: Vec<Option<Label>> = vec![None; n];
    for &func_index in funcs {
        let defined = func_index
            .checked_sub(module.num_imported_funcs)
            .filter(|d| (*d as usize) < n)
            .ok_or_else(|| format!("jit: function {func_index} has no body"))?;
        labels[defined as usize] = Some(asm.new_label());
    }
    let mut out = CompiledCode {
        code: Vec::new(),
        func_offsets: Vec::with_capacity(funcs.len()),
        loop_headers: Vec::with_capacity(funcs.len()),
        func_starts: Vec::with_capacity(funcs.len()),
        pc_map: Vec::new(),
    };
    for &func_index in funcs {
        asm.align(16);
        let start = asm.offset() as u32;
        out.func_starts.push((start, func_index));
        out.func_offsets.push(start);
        if let Some(label) = labels[(func_index - module.num_imported_funcs) as usize] {
            asm.bind(label);
        }
        let loops = compile_function(&mut asm, module, func_index, &labels, cpu, &mut out.pc_map)?;
        out.loop_headers.push(loops);
        progress(out.loop_headers.len(), funcs.len());
    }
    out.code = asm
        .finish()
        .map_err(|e| format!("jit: assembling failed: {e:?}"))?;
    Ok(out)
}

/// An operand-stack entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opd {
    /// The value is in frame slot `fp[n]`.
    Slot(u32),
    /// A constant (slot encoding).
    Const(u64),
    /// The value's bits are in a pool register (an i32 zero-extended, like its slot).
    Reg(Gpr),
    /// A float in a pool SSE register (an f32 in the low 32 bits, the rest undefined).
    Xmm(Xmm, Float),
}

/// Registers the value stack hands out (see the module docs, "Registers"). `rax`, `rcx` and
/// `rdx` stay scratch for the operators (division, shifts, helpers' results), and the
/// pinned registers are never handed out.
const GPR_POOL: [Gpr; 7] = [
    Gpr::Rsi,
    Gpr::Rdi,
    Gpr::R8,
    Gpr::R9,
    Gpr::R10,
    Gpr::R11,
    Gpr::Rbx,
];

/// Registers that hold locals for a whole function (taken from the end of [`GPR_POOL`], so
/// at least three stay for operands: no operator keeps more than two popped operands while
/// it allocates).
const GPR_HOMES: [Gpr; 4] = [Gpr::Rbx, Gpr::R11, Gpr::R10, Gpr::R9];

/// SSE registers that hold float locals (taken from the end of [`XMM_POOL`]).
const XMM_HOMES: [Xmm; 6] = [
    Xmm::Xmm15,
    Xmm::Xmm14,
    Xmm::Xmm13,
    Xmm::Xmm12,
    Xmm::Xmm11,
    Xmm::Xmm10,
];

/// SSE registers the value stack hands out; `xmm0` and `xmm1` stay scratch.
const XMM_POOL: [Xmm; 14] = [
    Xmm::Xmm2,
    Xmm::Xmm3,
    Xmm::Xmm4,
    Xmm::Xmm5,
    Xmm::Xmm6,
    Xmm::Xmm7,
    Xmm::Xmm8,
    Xmm::Xmm9,
    Xmm::Xmm10,
    Xmm::Xmm11,
    Xmm::Xmm12,
    Xmm::Xmm13,
    Xmm::Xmm14,
    Xmm::Xmm15,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

struct Ctrl {
    kind: Kind,
    /// Stack height below the block's params.
    height: u32,
    params: u32,
    results: u32,
    /// Branch target: the loop header for loops, the end otherwise.
    label: Label,
    /// For `if` without `else` yet: where the false branch starts.
    else_label: Option<Label>,
}

impl Ctrl {
    fn branch_arity(&self) -> u32 {
        if self.kind == Kind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

/// A branch that can take a comparison's flags directly.
#[derive(Clone, Copy)]
enum Fusable {
    BrIf(u32),
    If(BlockType),
}

struct TrapSite {
    label: Label,
    /// `None`: the code is in `eax` (from a helper).
    code: Option<TrapCode>,
    wasm_offset: u32,
}

struct Compiler<'a> {
    asm: &'a mut Assembler,
    module: &'a ModuleInfo,
    /// Per defined function, its label when it is in the same buffer (direct calls).
    func_labels: &'a [Option<Label>],
    cpu: CpuFeatures,
    pc_map: &'a mut Vec<(u32, u32)>,
    /// Number of locals (params included): the operand at height `h` lives at `fp[nl + h]`.
    nl: u32,
    num_results: u32,
    stack: Vec<Opd>,
    max_height: u32,
    ctrl: Vec<Ctrl>,
    traps: Vec<TrapSite>,
    /// Label of the shared epilogue (`pop rbp; ret`).
    ret_label: Label,
    offset: u32,
    unreachable: bool,
    skip_depth: u32,
    /// `(wasm offset, header label)` of every reachable loop, in body order.
    loop_headers: Vec<(u32, Label)>,
    /// Locals kept in registers for the whole function: `(local, Opd::Reg | Opd::Xmm)`.
    homes: Vec<(u32, Opd)>,
    /// The pool registers left for operands once the homes are taken.
    gpr_pool: Vec<Gpr>,
    xmm_pool: Vec<Xmm>,
    /// The home register of the local that the next operator (`local.set`/`local.tee`)
    /// writes: the current operator may compute its result there directly.
    result_home: Option<Opd>,
    /// Set when an allocation found no register (cannot happen with the pool sizes above;
    /// the function is then refused instead of miscompiled).
    pool_exhausted: bool,
    /// The operator after the current one, when a compare may fuse with it.
    next: Option<Fusable>,
    /// Set by an operator that consumed `next`.
    fused: bool,
}

fn slot_mem(slot: u32) -> Mem {
    Mem::base_disp(FP, (slot as i32) * 8)
}

fn compile_function(
    asm: &mut Assembler,
    module: &ModuleInfo,
    func_index: u32,
    func_labels: &[Option<Label>],
    cpu: CpuFeatures,
    pc_map: &mut Vec<(u32, u32)>,
) -> Result<Vec<OsrEntry>> {
    let defined = (func_index - module.num_imported_funcs) as usize;
    let body = &module.bodies[defined];
    let ty = module
        .func_types
        .get(func_index as usize)
        .and_then(|t| module.types.get(*t as usize))
        .ok_or_else(|| format!("function {func_index} has no type"))?;
    let bytes = module
        .bytes
        .get(body.range.clone())
        .ok_or_else(|| format!("function {func_index}: body range out of the module"))?;
    let reader = FunctionBody::new(BinaryReader::new(bytes, body.range.start));
    let mut ops = reader
        .get_operators_reader()
        .map_err(|e| format!("function {func_index}: {e}"))?;
    let num_params = ty.params.len() as u64;
    let declared: u64 = body.locals.iter().map(|(n, _)| u64::from(*n)).sum();
    let nl = num_params + declared;
    if nl > (1 << 24) {
        return Err(format!(
            "function {func_index}: too many locals for the JIT"
        ));
    }
    let mut body_ops = Vec::new();
    while !ops.eof() {
        body_ops.push(
            ops.read_with_offset()
                .map_err(|e| format!("function {func_index}: {e}"))?,
        );
    }
    let local_type = |x: u32| -> Option<ValType> {
        if let Some(t) = ty.params.get(x as usize) {
            return Some(*t);
        }
        let mut first = ty.params.len() as u64;
        for (n, t) in &body.locals {
            if u64::from(x) < first + u64::from(*n) {
                return Some(*t);
            }
            first += u64::from(*n);
        }
        None
    };
    let homes = choose_homes(&body_ops, local_type);
    let gpr_pool = GPR_POOL
        .iter()
        .copied()
        .filter(|r| !homes.contains_reg(*r))
        .collect();
    let xmm_pool = XMM_POOL
        .iter()
        .copied()
        .filter(|x| !homes.contains_xmm(*x))
        .collect();
    let ret_label = asm.new_label();
    let func_end = asm.new_label();
    let mut c = Compiler {
        asm,
        module,
        func_labels,
        cpu,
        pc_map,
        nl: nl as u32,
        num_results: ty.results.len() as u32,
        stack: Vec::new(),
        max_height: 0,
        ctrl: Vec::new(),
        traps: Vec::new(),
        ret_label,
        offset: body.range.start as u32,
        unreachable: false,
        skip_depth: 0,
        loop_headers: Vec::new(),
        homes: homes.0,
        gpr_pool,
        xmm_pool,
        next: None,
        fused: false,
        pool_exhausted: false,
        result_home: None,
    };
    c.ctrl.push(Ctrl {
        kind: Kind::Func,
        height: 0,
        params: 0,
        results: ty.results.len() as u32,
        label: func_end,
        else_label: None,
    });
    // Prologue.
    let stack_trap = c.trap_label(TrapCode::CallStackExhausted);
    let mut frame_patches = vec![frame_setup(c.asm, stack_trap)];
    let count = declared as u32;
    let first = num_params as u32;
    if count <= 16 {
        for i in 0..count {
            c.asm.mov_mi(Size::S64, slot_mem(first + i), 0);
        }
    } else {
        c.asm.zero(Gpr::Rax);
        c.asm.lea(Width::W64, Gpr::Rcx, slot_mem(first));
        c.asm.mov_ri(Width::W32, Gpr::Rdx, count as i64);
        let top = c.asm.new_label();
        c.asm.bind(top);
        c.asm.mov_mr(Size::S64, Mem::base(Gpr::Rcx), Gpr::Rax);
        c.asm.alu_ri(Alu::Add, Width::W64, Gpr::Rcx, 8);
        c.asm.unary_r(Unary::Dec, Width::W32, Gpr::Rdx);
        c.asm.jcc(Cond::Ne, top);
    }
    // Locals in registers: parameters come from their slots, declared locals start at zero.
    for (x, home) in c.homes.clone() {
        if x < first {
            c.load_home(x, home);
        } else {
            match home {
                Opd::Reg(r) => c.asm.zero(r),
                Opd::Xmm(r, _) => c.asm.zero_xmm(r),
                _ => {}
            }
        }
    }
    let mut i = 0;
    while i < body_ops.len() {
        let (op, offset) = body_ops[i].clone();
        c.offset = offset as u32;
        c.next = match body_ops.get(i + 1) {
            Some((Operator::BrIf { relative_depth }, _)) => Some(Fusable::BrIf(*relative_depth)),
            Some((Operator::If { blockty }, _)) => Some(Fusable::If(*blockty)),
            _ => None,
        };
        c.result_home = match body_ops.get(i + 1) {
            Some((Operator::LocalSet { local_index } | Operator::LocalTee { local_index }, _)) => {
                c.home(*local_index)
            }
            _ => None,
        };
        c.fused = false;
        c.op(op)?;
        i += if c.fused { 2 } else { 1 };
    }
    if c.pool_exhausted {
        return Err(format!(
            "function {func_index}: jit register pool exhausted"
        ));
    }
    c.asm.bind(ret_label);
    c.asm.pop(Gpr::Rbp);
    c.asm.ret();
    // OSR entries: the prologue without the zeroing of locals, then a jump to the header.
    let mut osr_entries = Vec::with_capacity(c.loop_headers.len());
    for (wasm_offset, header) in std::mem::take(&mut c.loop_headers) {
        c.asm.align(16);
        osr_entries.push(OsrEntry {
            wasm_offset,
            code_offset: c.asm.offset() as u32,
        });
        frame_patches.push(frame_setup(c.asm, stack_trap));
        // The interpreter left every local in its slot: load the ones the code keeps in
        // registers.
        c.load_homes();
        c.asm.jmp(header);
    }
    // Out-of-line trap sites.
    let traps = std::mem::take(&mut c.traps);
    for site in traps {
        let at = c.asm.offset() as u32;
        c.pc_map.push((at, site.wasm_offset));
        c.asm.bind(site.label);
        match site.code {
            Some(code) => c.asm.mov_mi(
                Size::S32,
                Mem::base_disp(EXEC, ex::TRAP_CODE),
                code as u32 as i32,
            ),
            None => c
                .asm
                .mov_mr(Size::S32, Mem::base_disp(EXEC, ex::TRAP_CODE), Gpr::Rax),
        }
        c.asm.call_m(Mem::base_disp(EXEC, ex::TRAP_STUB));
    }
    let frame_slots = u64::from(c.nl) + u64::from(c.max_height) + 1;
    let frame_bytes = frame_slots * 8;
    if frame_bytes > i32::MAX as u64 / 2 {
        return Err(format!(
            "function {func_index}: frame too large for the JIT"
        ));
    }
    for patch in frame_patches {
        c.asm.patch_u32(patch, frame_bytes as u32);
    }
    Ok(osr_entries)
}

/// `push rbp; mov rbp, rsp` and the checks of both stacks (native, then the value stack
/// against the frame size, patched at the returned position once known).
fn frame_setup(asm: &mut Assembler, stack_trap: Label) -> usize {
    asm.push(Gpr::Rbp);
    asm.mov_rr(Size::S64, Gpr::Rbp, Gpr::Rsp);
    asm.alu_rm(
        Alu::Cmp,
        Width::W64,
        Gpr::Rsp,
        Mem::base_disp(EXEC, ex::STACK_LIMIT),
    );
    asm.jcc(Cond::B, stack_trap);
    asm.mov_rr(Size::S64, Gpr::Rax, FP);
    let frame_patch = asm.alu_ri32(Alu::Add, Width::W64, Gpr::Rax, 0);
    asm.alu_rm(
        Alu::Cmp,
        Width::W64,
        Gpr::Rax,
        Mem::base_disp(EXEC, ex::VALUE_STACK_END),
    );
    asm.jcc(Cond::A, stack_trap);
    frame_patch
}

/// The locals a function keeps in registers (see the module docs, "Locals in registers").
struct Homes(Vec<(u32, Opd)>);

impl Homes {
    fn contains_reg(&self, r: Gpr) -> bool {
        self.0.iter().any(|(_, h)| *h == Opd::Reg(r))
    }

    fn contains_xmm(&self, x: Xmm) -> bool {
        self.0
            .iter()
            .any(|(_, h)| matches!(h, Opd::Xmm(y, _) if *y == x))
    }
}

/// Picks the locals to keep in registers: each access counts `8^loop depth` (up to depth
/// 4); the heaviest integer locals get [`GPR_HOMES`], the heaviest float locals
/// [`XMM_HOMES`]. A local needs a weight of at least 2 (two accesses, or one inside a loop):
/// each home costs a store and a load around every call.
fn choose_homes(ops: &[(Operator, usize)], local_type: impl Fn(u32) -> Option<ValType>) -> Homes {
    let mut weights: Vec<(u32, u64)> = Vec::new();
    let mut blocks: Vec<bool> = Vec::new();
    let mut depth = 0u32;
    for (op, _) in ops {
        let local = match op {
            Operator::Loop { .. } => {
                blocks.push(true);
                depth += 1;
                None
            }
            Operator::Block { .. } | Operator::If { .. } => {
                blocks.push(false);
                None
            }
            Operator::End => {
                if blocks.pop() == Some(true) {
                    depth -= 1;
                }
                None
            }
            Operator::LocalGet { local_index }
            | Operator::LocalSet { local_index }
            | Operator::LocalTee { local_index } => Some(*local_index),
            _ => None,
        };
        if let Some(x) = local {
            let w = 1u64 << (3 * depth.min(4));
            match weights.iter_mut().find(|(l, _)| *l == x) {
                Some(entry) => entry.1 += w,
                None => weights.push((x, w)),
            }
        }
    }
    // Heaviest first; ties by index, so the choice is deterministic.
    weights.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut homes = Vec::new();
    let (mut gprs, mut xmms) = (GPR_HOMES.iter(), XMM_HOMES.iter());
    for (x, w) in weights {
        if w < 2 {
            break;
        }
        let home = match local_type(x) {
            Some(ValType::I32 | ValType::I64) => gprs.next().map(|r| Opd::Reg(*r)),
            Some(ValType::F32) => xmms.next().map(|r| Opd::Xmm(*r, Float::F32)),
            Some(ValType::F64) => xmms.next().map(|r| Opd::Xmm(*r, Float::F64)),
            _ => None,
        };
        if let Some(home) = home {
            homes.push((x, home));
        }
    }
    Homes(homes)
}

fn block_arity(module: &ModuleInfo, blockty: BlockType) -> Result<(u32, u32)> {
    Ok(match blockty {
        BlockType::Empty => (0, 0),
        BlockType::Type(_) => (0, 1),
        BlockType::FuncType(index) => {
            let ty = module
                .types
                .get(index as usize)
                .ok_or_else(|| format!("unknown block type {index}"))?;
            (ty.params.len() as u32, ty.results.len() as u32)
        }
    })
}

use crate::module::ops::IntCmp as ICmp;

impl ICmp {
    fn cond(self) -> Cond {
        match self {
            ICmp::Eq => Cond::E,
            ICmp::Ne => Cond::Ne,
            ICmp::LtS => Cond::L,
            ICmp::LtU => Cond::B,
            ICmp::GtS => Cond::G,
            ICmp::GtU => Cond::A,
            ICmp::LeS => Cond::Le,
            ICmp::LeU => Cond::Be,
            ICmp::GeS => Cond::Ge,
            ICmp::GeU => Cond::Ae,
        }
    }
}

#[derive(Clone, Copy)]
enum FCmp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Clone, Copy)]
enum DivKind {
    DivS,
    DivU,
    RemS,
    RemU,
}

/// `c` as the sign-extended 32-bit immediate of a `width` operation, if it is one.
fn small_imm(width: Width, c: u64) -> Option<i32> {
    match width {
        Width::W32 => Some(c as u32 as i32),
        Width::W64 => i32::try_from(c as i64).ok(),
    }
}

/// `x op y` of two constants, in slot encoding.
fn fold_alu(op: Alu, width: Width, x: u64, y: u64) -> Option<u64> {
    let v = match op {
        Alu::Add => x.wrapping_add(y),
        Alu::Sub => x.wrapping_sub(y),
        Alu::And => x & y,
        Alu::Or => x | y,
        Alu::Xor => x ^ y,
        _ => return None,
    };
    Some(match width {
        Width::W32 => v as u32 as u64,
        Width::W64 => v,
    })
}

/// The integer width of a float's bits.
fn float_width(float: Float) -> Width {
    match float {
        Float::F32 => Width::W32,
        Float::F64 => Width::W64,
    }
}

fn width_size(width: Width) -> Size {
    match width {
        Width::W32 => Size::S32,
        Width::W64 => Size::S64,
    }
}

impl Compiler<'_> {
    // ----- stack model -----

    fn canonical(&self, height: usize) -> u32 {
        self.nl + height as u32
    }

    fn push(&mut self, opd: Opd) {
        self.stack.push(opd);
        self.max_height = self.max_height.max(self.stack.len() as u32);
    }

    fn push_slot_result(&mut self) -> Mem {
        let slot = self.canonical(self.stack.len());
        self.push(Opd::Slot(slot));
        slot_mem(slot)
    }

    /// Pushes the value in `rax` (its 64 bits) in a pool register.
    fn push_rax(&mut self) {
        let reg = self.alloc_gpr(&[]);
        self.asm.mov_rr(Size::S64, reg, Gpr::Rax);
        self.push(Opd::Reg(reg));
    }

    fn push_const(&mut self, bits: u64) {
        self.push(Opd::Const(bits));
    }

    fn pop(&mut self) -> Result<Opd> {
        self.stack
            .pop()
            .ok_or_else(|| format!("jit: operand stack underflow at {:#x}", self.offset))
    }

    /// A pool register that no stack entry and none of `keep` (popped operands the current
    /// operator still reads) holds. When all are taken, the deepest register entry is spilled
    /// to its canonical slot (that store touches no scratch register).
    fn alloc_gpr(&mut self, keep: &[Opd]) -> Gpr {
        let taken =
            |c: &Self, r: Gpr| c.stack.contains(&Opd::Reg(r)) || keep.contains(&Opd::Reg(r));
        if let Some(&r) = self.gpr_pool.iter().find(|&&r| !taken(self, r)) {
            return r;
        }
        // Every pool register is on the stack: spill the deepest (keep holds at most two
        // registers, the pool at least three).
        let deepest = self.stack.iter().enumerate().find_map(|(i, o)| match *o {
            Opd::Reg(r) if self.gpr_pool.contains(&r) && !keep.contains(o) => Some((i, r)),
            _ => None,
        });
        match deepest {
            Some((i, r)) => {
                self.materialize(i);
                r
            }
            None => {
                self.pool_exhausted = true;
                Gpr::Rax
            }
        }
    }

    /// An SSE pool register, like [`Compiler::alloc_gpr`].
    fn alloc_xmm(&mut self, keep: &[Opd]) -> Xmm {
        let kept = |x: Xmm| keep.iter().any(|k| matches!(k, Opd::Xmm(y, _) if *y == x));
        let taken = |c: &Self, x: Xmm| {
            kept(x)
                || c.stack
                    .iter()
                    .any(|o| matches!(o, Opd::Xmm(y, _) if *y == x))
        };
        if let Some(&x) = self.xmm_pool.iter().find(|&&x| !taken(self, x)) {
            return x;
        }
        let deepest = self.stack.iter().enumerate().find_map(|(i, o)| match *o {
            Opd::Xmm(x, _) if self.xmm_pool.contains(&x) && !kept(x) => Some((i, x)),
            _ => None,
        });
        match deepest {
            Some((i, x)) => {
                self.materialize(i);
                x
            }
            None => {
                self.pool_exhausted = true;
                Xmm::Xmm0
            }
        }
    }

    /// The register to compute a result in when `a` is the first operand: `a`'s own pool
    /// register when it has one (it was popped, so the result may take it over), else a
    /// fresh one (never a local's home).
    fn result_gpr(&mut self, a: Opd, keep: &[Opd]) -> Gpr {
        // Computing straight into the home of the local the next operator writes saves the
        // move, unless an operand or a stack entry still reads the old value there.
        if let Some(home @ Opd::Reg(r)) = self.result_home.take()
            && !keep.contains(&home)
            && !self.stack.contains(&home)
        {
            return r;
        }
        match a {
            Opd::Reg(r) if self.gpr_pool.contains(&r) => r,
            _ => self.alloc_gpr(keep),
        }
    }

    /// [`Compiler::result_gpr`] for SSE registers.
    fn result_xmm(&mut self, a: Opd, keep: &[Opd]) -> Xmm {
        if let Some(home @ Opd::Xmm(x, _)) = self.result_home.take()
            && !keep.iter().any(|k| matches!(k, Opd::Xmm(y, _) if *y == x))
            && !self
                .stack
                .iter()
                .any(|o| matches!(o, Opd::Xmm(y, _) if *y == x))
        {
            let _ = home;
            return x;
        }
        match a {
            Opd::Xmm(x, _) if self.xmm_pool.contains(&x) => x,
            _ => self.alloc_xmm(keep),
        }
    }

    /// The register holding local `x` for the whole function, if it has one.
    fn home(&self, x: u32) -> Option<Opd> {
        self.homes.iter().find(|(l, _)| *l == x).map(|(_, h)| *h)
    }

    fn load_home(&mut self, x: u32, home: Opd) {
        match home {
            Opd::Reg(r) => self.asm.mov_rm(Size::S64, r, slot_mem(x)),
            Opd::Xmm(r, float) => self.asm.movs_rm(float, r, slot_mem(x)),
            _ => {}
        }
    }

    /// Loads every local kept in a register from its canonical slot (OSR entry, after calls).
    fn load_homes(&mut self) {
        for (x, home) in self.homes.clone() {
            self.load_home(x, home);
        }
    }

    /// Writes every local kept in a register to its canonical slot (before calls).
    fn store_homes(&mut self) {
        for (x, home) in self.homes.clone() {
            self.move_to(x, home);
        }
    }

    /// `local.set x` of `v` for a local kept in register `home`.
    fn set_home(&mut self, home: Opd, v: Opd) {
        match home {
            Opd::Reg(r) => self.load(r, v, Width::W64),
            Opd::Xmm(r, float) => self.load_xmm(r, v, float),
            _ => {}
        }
    }

    /// Loads an operand into `reg`: 32-bit loads zero-extend.
    fn load(&mut self, reg: Gpr, opd: Opd, width: Width) {
        match opd {
            Opd::Slot(s) => self.asm.mov_rm(width_size(width), reg, slot_mem(s)),
            Opd::Const(c) => match width {
                Width::W32 => self.asm.mov_ri(Width::W32, reg, c as u32 as i64),
                Width::W64 => self.asm.mov_ri(Width::W64, reg, c as i64),
            },
            // Register entries are already zero-extended.
            Opd::Reg(r) if r == reg => {}
            Opd::Reg(r) => self.asm.mov_rr(width_size(width), reg, r),
            Opd::Xmm(x, float) => self.asm.movd_rx(float_width(float), reg, x),
        }
    }

    fn load_xmm(&mut self, reg: Xmm, opd: Opd, float: Float) {
        match opd {
            Opd::Slot(s) => self.asm.movs_rm(float, reg, slot_mem(s)),
            Opd::Const(0) => self.asm.zero_xmm(reg),
            Opd::Const(c) => {
                self.asm.mov_ri(Width::W64, Gpr::Rax, c as i64);
                self.asm.movd_xr(float_width(float), reg, Gpr::Rax);
            }
            Opd::Reg(r) => self.asm.movd_xr(float_width(float), reg, r),
            Opd::Xmm(x, _) if x == reg => {}
            Opd::Xmm(x, _) => self.asm.movaps_rr(reg, x),
        }
    }

    /// The SSE register holding `opd`: its own, or `scratch` loaded with it.
    fn xmm_of(&mut self, opd: Opd, float: Float, scratch: Xmm) -> Xmm {
        match opd {
            Opd::Xmm(x, _) => x,
            _ => {
                self.load_xmm(scratch, opd, float);
                scratch
            }
        }
    }

    /// The GPR holding `opd`: its own, or `scratch` loaded with it.
    fn gpr_of(&mut self, opd: Opd, width: Width, scratch: Gpr) -> Gpr {
        match opd {
            Opd::Reg(r) => r,
            _ => {
                self.load(scratch, opd, width);
                scratch
            }
        }
    }

    /// Writes `opd` to frame slot `dst` (clobbers rax only for slot-to-slot and wide
    /// constants).
    fn move_to(&mut self, dst: u32, opd: Opd) {
        match opd {
            Opd::Slot(s) if s == dst => {}
            Opd::Slot(s) => {
                self.asm.mov_rm(Size::S64, Gpr::Rax, slot_mem(s));
                self.asm.mov_mr(Size::S64, slot_mem(dst), Gpr::Rax);
            }
            Opd::Const(c) => {
                if let Ok(imm) = i32::try_from(c as i64) {
                    self.asm.mov_mi(Size::S64, slot_mem(dst), imm);
                } else {
                    self.asm.mov_ri(Width::W64, Gpr::Rax, c as i64);
                    self.asm.mov_mr(Size::S64, slot_mem(dst), Gpr::Rax);
                }
            }
            Opd::Reg(r) => self.asm.mov_mr(Size::S64, slot_mem(dst), r),
            Opd::Xmm(x, Float::F64) => self.asm.movs_mr(Float::F64, slot_mem(dst), x),
            Opd::Xmm(x, Float::F32) => {
                // The slot holds the f32 zero-extended.
                self.asm.movs_mr(Float::F32, slot_mem(dst), x);
                self.asm
                    .mov_mi(Size::S32, Mem::base_disp(FP, dst as i32 * 8 + 4), 0);
            }
        }
    }

    fn materialize(&mut self, index: usize) {
        let canonical = self.canonical(index);
        let opd = self.stack[index];
        if opd != Opd::Slot(canonical) {
            self.move_to(canonical, opd);
            self.stack[index] = Opd::Slot(canonical);
        }
    }

    fn materialize_all(&mut self) {
        for i in 0..self.stack.len() {
            self.materialize(i);
        }
    }

    /// Before local `x` is written: entries still reading it get their own copy (a pool
    /// register for a local kept in a register, else the entry's canonical slot). `keep`: the
    /// popped value about to be written.
    fn flush_local(&mut self, x: u32, keep: Opd) {
        let home = self.home(x);
        for i in 0..self.stack.len() {
            let entry = self.stack[i];
            match home {
                Some(h @ Opd::Reg(r)) if entry == h => {
                    let copy = self.alloc_gpr(&[keep]);
                    self.asm.mov_rr(Size::S64, copy, r);
                    self.stack[i] = Opd::Reg(copy);
                }
                Some(h @ Opd::Xmm(r, float)) if entry == h => {
                    let copy = self.alloc_xmm(&[keep]);
                    self.asm.movaps_rr(copy, r);
                    self.stack[i] = Opd::Xmm(copy, float);
                }
                None if entry == Opd::Slot(x) => self.materialize(i),
                _ => {}
            }
        }
    }

    fn trap_label(&mut self, code: TrapCode) -> Label {
        let label = self.asm.new_label();
        self.traps.push(TrapSite {
            label,
            code: Some(code),
            wasm_offset: self.offset,
        });
        label
    }

    /// A trap site whose code is in `eax`.
    fn dynamic_trap_label(&mut self) -> Label {
        let label = self.asm.new_label();
        self.traps.push(TrapSite {
            label,
            code: None,
            wasm_offset: self.offset,
        });
        label
    }

    /// `test eax, eax; jnz trap(eax)` after a helper returning a trap code.
    fn check_helper_trap(&mut self) {
        let trap = self.dynamic_trap_label();
        self.asm.test_rr(Width::W32, Gpr::Rax, Gpr::Rax);
        self.asm.jcc(Cond::Ne, trap);
    }

    fn call_runtime_helper(&mut self, index: usize) {
        self.asm.mov_rm(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(VMCTX, vo::VMCTX_HELPERS as i32),
        );
        self.asm
            .call_m(Mem::base_disp(Gpr::Rax, (index * 8) as i32));
    }

    fn call_jit_helper(&mut self, index: usize) {
        self.asm
            .call_m(Mem::base_disp(EXEC, ex::HELPERS + (index * 8) as i32));
    }

    // ----- control flow -----

    /// Moves the top `arity` entries to the canonical slots starting at height `base`.
    fn move_results(&mut self, base: u32, arity: u32) {
        let len = self.stack.len();
        for i in 0..arity as usize {
            let opd = self.stack[len - arity as usize + i];
            let dst = self.nl + base + i as u32;
            self.move_to(dst, opd);
        }
    }

    /// Moves the top `n` entries to `fp[0..n]` and returns. Leaves the abstract stack alone:
    /// a conditional return (`br_if`, `br_table` stubs) falls through with it unchanged.
    fn emit_return(&mut self) {
        self.move_return_values();
        self.asm.jmp(self.ret_label);
    }

    /// The moves of [`Compiler::emit_return`] without the jump (the function's final `end`
    /// falls through into the epilogue).
    fn move_return_values(&mut self) {
        let n = self.num_results as usize;
        let len = self.stack.len();
        let mut sources: Vec<Opd> = self.stack[len - n..].to_vec();
        // A deferred local below `n` could be overwritten by an earlier move: copy it to its
        // entry's canonical slot first (only on this path; the entry stays deferred).
        for (i, source) in sources.iter_mut().enumerate() {
            if let Opd::Slot(s) = *source
                && s < self.nl
                && (s as usize) < n
            {
                let canonical = self.canonical(len - n + i);
                self.move_to(canonical, *source);
                *source = Opd::Slot(canonical);
            }
        }
        for (i, source) in sources.into_iter().enumerate() {
            self.move_to(i as u32, source);
        }
    }

    fn needs_moves(&self, target: usize) -> bool {
        let ctrl = &self.ctrl[target];
        if ctrl.kind == Kind::Func {
            return true;
        }
        let arity = ctrl.branch_arity() as usize;
        let len = self.stack.len();
        (0..arity)
            .any(|i| self.stack[len - arity + i] != Opd::Slot(self.nl + ctrl.height + i as u32))
    }

    /// Jumps to the target of relative depth `depth` with its values in place.
    fn emit_branch(&mut self, depth: u32) -> Result<()> {
        let target = self.target(depth)?;
        let ctrl = &self.ctrl[target];
        if ctrl.kind == Kind::Func {
            self.emit_return();
            return Ok(());
        }
        let (height, arity, label) = (ctrl.height, ctrl.branch_arity(), ctrl.label);
        self.move_results(height, arity);
        self.asm.jmp(label);
        Ok(())
    }

    fn target(&self, depth: u32) -> Result<usize> {
        (self.ctrl.len())
            .checked_sub(1 + depth as usize)
            .ok_or_else(|| format!("jit: branch depth {depth} out of range"))
    }

    fn enter_block(&mut self, kind: Kind, blockty: BlockType) -> Result<Label> {
        let (params, results) = block_arity(self.module, blockty)?;
        self.materialize_all();
        let label = self.asm.new_label();
        self.ctrl.push(Ctrl {
            kind,
            height: self.stack.len() as u32 - params,
            params,
            results,
            label,
            else_label: None,
        });
        Ok(label)
    }

    /// Resets the stack to `height + n` canonical entries.
    fn reset_stack(&mut self, height: u32, n: u32) {
        self.stack.truncate(height as usize);
        for _ in 0..n {
            let h = self.stack.len();
            self.stack.push(Opd::Slot(self.canonical(h)));
        }
        self.max_height = self.max_height.max(self.stack.len() as u32);
    }

    fn op_end(&mut self) -> Result<()> {
        let ctrl = self
            .ctrl
            .pop()
            .ok_or_else(|| "jit: end without block".to_string())?;
        if !self.unreachable {
            if ctrl.kind == Kind::Func {
                // The epilogue follows right after the last operator: no jump to it.
                self.ctrl.push(ctrl);
                self.move_return_values();
                self.ctrl.pop();
                self.unreachable = true;
                return Ok(());
            }
            let base = ctrl.height;
            let len = self.stack.len();
            for i in 0..ctrl.results as usize {
                let opd = self.stack[len - ctrl.results as usize + i];
                self.move_to(self.nl + base + i as u32, opd);
            }
        }
        if let Some(else_label) = ctrl.else_label {
            self.asm.bind(else_label);
        }
        if ctrl.kind != Kind::Loop {
            self.asm.bind(ctrl.label);
        }
        if ctrl.kind == Kind::Func {
            // Reached only by branches, which return themselves.
            return Ok(());
        }
        self.reset_stack(ctrl.height, ctrl.results);
        self.unreachable = false;
        Ok(())
    }

    fn op_else(&mut self) -> Result<()> {
        let reachable = !self.unreachable;
        let ctrl = self
            .ctrl
            .last_mut()
            .ok_or_else(|| "jit: else without if".to_string())?;
        ctrl.kind = Kind::Else;
        let else_label = ctrl.else_label.take();
        let (height, params, results, label) = (ctrl.height, ctrl.params, ctrl.results, ctrl.label);
        if reachable {
            let len = self.stack.len();
            for i in 0..results as usize {
                let opd = self.stack[len - results as usize + i];
                self.move_to(self.nl + height + i as u32, opd);
            }
            self.asm.jmp(label);
        }
        if let Some(else_label) = else_label {
            self.asm.bind(else_label);
        }
        self.reset_stack(height, params);
        self.unreachable = false;
        Ok(())
    }

    // ----- operators -----

    fn op(&mut self, op: Operator) -> Result<()> {
        use Operator as O;
        if self.unreachable {
            match op {
                O::Block { .. } | O::Loop { .. } | O::If { .. } => {
                    self.skip_depth += 1;
                    return Ok(());
                }
                O::Else if self.skip_depth == 0 => return self.op_else(),
                O::End if self.skip_depth == 0 => return self.op_end(),
                O::End => {
                    self.skip_depth -= 1;
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
        let at = self.asm.offset() as u32;
        match self.pc_map.last_mut() {
            Some(last) if last.0 == at => last.1 = self.offset,
            _ => self.pc_map.push((at, self.offset)),
        }
        if self.calls_out(&op) {
            // Every register is clobbered by the callee, and helpers take their arguments in
            // pool and home registers: the stack and the locals go to their slots first.
            self.materialize_all();
            self.store_homes();
            self.op_dispatch(op)?;
            self.load_homes();
            return Ok(());
        }
        self.op_dispatch(op)
    }

    fn op_dispatch(&mut self, op: Operator) -> Result<()> {
        use Operator as O;
        if let Some((cmp, wide)) = ICmp::of(&op) {
            return self.icmp(if wide { Width::W64 } else { Width::W32 }, cmp);
        }
        match op {
            O::Nop => {}
            O::Unreachable => {
                let trap = self.trap_label(TrapCode::Unreachable);
                self.asm.jmp(trap);
                self.unreachable = true;
            }
            O::Block { blockty } => {
                self.enter_block(Kind::Block, blockty)?;
            }
            O::Loop { blockty } => {
                let label = self.enter_block(Kind::Loop, blockty)?;
                self.asm.bind(label);
                self.loop_headers.push((self.offset, label));
            }
            O::If { blockty } => {
                let cond = self.pop()?;
                // The block entry spills the stack; the condition is read first, into rcx
                // unless it is in a register (spilling never writes registers but rax).
                let cond = self.gpr_of(cond, Width::W32, Gpr::Rcx);
                self.enter_block(Kind::If, blockty)?;
                let else_label = self.asm.new_label();
                if let Some(ctrl) = self.ctrl.last_mut() {
                    ctrl.else_label = Some(else_label);
                }
                self.asm.test_rr(Width::W32, cond, cond);
                self.asm.jcc(Cond::E, else_label);
            }
            O::Else => self.op_else()?,
            O::End => self.op_end()?,
            O::Br { relative_depth } => {
                self.emit_branch(relative_depth)?;
                self.unreachable = true;
            }
            O::BrIf { relative_depth } => {
                let cond = self.pop()?;
                let target = self.target(relative_depth)?;
                let cond = self.gpr_of(cond, Width::W32, Gpr::Rcx);
                self.asm.test_rr(Width::W32, cond, cond);
                if self.needs_moves(target) {
                    let skip = self.asm.new_label();
                    self.asm.jcc(Cond::E, skip);
                    self.emit_branch(relative_depth)?;
                    self.asm.bind(skip);
                } else {
                    let label = self.ctrl[target].label;
                    self.asm.jcc(Cond::Ne, label);
                }
            }
            O::BrTable { targets } => {
                let index = self.pop()?;
                let mut depths = Vec::with_capacity(targets.len() as usize + 1);
                for t in targets.targets() {
                    depths.push(t.map_err(|e| e.to_string())?);
                }
                depths.push(targets.default());
                self.load(Gpr::Rcx, index, Width::W32);
                let n = depths.len() as u32 - 1;
                // One stub per distinct depth.
                let mut stubs: Vec<(u32, Label)> = Vec::new();
                let mut entry_labels = Vec::with_capacity(depths.len());
                for &d in &depths {
                    let label = match stubs.iter().find(|(depth, _)| *depth == d) {
                        Some(&(_, l)) => l,
                        None => {
                            let l = self.asm.new_label();
                            stubs.push((d, l));
                            l
                        }
                    };
                    entry_labels.push(label);
                }
                let table = self.asm.new_label();
                let default = entry_labels[n as usize];
                self.asm.alu_ri(Alu::Cmp, Width::W32, Gpr::Rcx, n as i32);
                self.asm.jcc(Cond::Ae, default);
                self.asm.lea(Width::W64, Gpr::Rdx, table);
                self.asm
                    .movsxd_rm(Gpr::Rax, Mem::indexed(Gpr::Rdx, Gpr::Rcx, Scale::S4, 0));
                self.asm.alu_rr(Alu::Add, Width::W64, Gpr::Rax, Gpr::Rdx);
                self.asm.jmp_r(Gpr::Rax);
                self.asm.align(4);
                self.asm.bind(table);
                for &l in &entry_labels[..n as usize] {
                    self.asm.emit_label_diff32(l, table);
                }
                for (d, l) in stubs {
                    self.asm.bind(l);
                    self.emit_branch(d)?;
                }
                self.unreachable = true;
            }
            O::Return => {
                self.emit_return();
                self.unreachable = true;
            }
            O::Call { function_index } => self.op_call(function_index)?,
            O::CallIndirect {
                type_index,
                table_index,
            } => self.op_call_indirect(type_index, table_index)?,
            O::Drop => {
                self.pop()?;
            }
            O::Select | O::TypedSelect { .. } => {
                let cond = self.pop()?;
                let b = self.pop()?;
                let a = self.pop()?;
                self.select(a, b, cond);
            }
            O::LocalGet { local_index } => {
                let v = self.home(local_index).unwrap_or(Opd::Slot(local_index));
                self.push(v);
            }
            O::LocalSet { local_index } => {
                let v = self.pop()?;
                self.flush_local(local_index, v);
                match self.home(local_index) {
                    Some(home) => self.set_home(home, v),
                    None => self.move_to(local_index, v),
                }
            }
            O::LocalTee { local_index } => {
                let v = self.pop()?;
                self.flush_local(local_index, v);
                if let Some(home) = self.home(local_index) {
                    self.set_home(home, v);
                    self.push(home);
                    return Ok(());
                }
                self.move_to(local_index, v);
                // The result is the local's new value: the register or constant it came
                // from, else a deferred read of the local.
                match v {
                    Opd::Slot(_) => self.push(Opd::Slot(local_index)),
                    _ => self.push(v),
                }
            }
            O::GlobalGet { global_index } => {
                let dst = self.alloc_gpr(&[]);
                self.asm.mov_rm(
                    Size::S64,
                    dst,
                    Mem::base_disp(VMCTX, vo::VMCTX_GLOBALS as i32),
                );
                self.asm
                    .mov_rm(Size::S64, dst, Mem::base_disp(dst, global_index as i32 * 8));
                self.asm.mov_rm(Size::S64, dst, Mem::base(dst));
                self.push(Opd::Reg(dst));
            }
            O::GlobalSet { global_index } => {
                let v = self.pop()?;
                let v = self.gpr_of(v, Width::W64, Gpr::Rcx);
                self.asm.mov_rm(
                    Size::S64,
                    Gpr::Rax,
                    Mem::base_disp(VMCTX, vo::VMCTX_GLOBALS as i32),
                );
                self.asm.mov_rm(
                    Size::S64,
                    Gpr::Rax,
                    Mem::base_disp(Gpr::Rax, global_index as i32 * 8),
                );
                self.asm.mov_mr(Size::S64, Mem::base(Gpr::Rax), v);
            }

            // ----- memory -----
            O::I32Load { memarg } => {
                self.load_op(memarg, 4, |a, r, m| a.mov_rm(Size::S32, r, m))?
            }
            O::I64Load { memarg } => {
                self.load_op(memarg, 8, |a, r, m| a.mov_rm(Size::S64, r, m))?
            }
            O::F32Load { memarg } => self.load_float(memarg, Float::F32)?,
            O::F64Load { memarg } => self.load_float(memarg, Float::F64)?,
            O::I32Load8S { memarg } => self.load_op(memarg, 1, |a, r, m| {
                a.movsx_rm(ExtFrom::S8, Width::W32, r, m)
            })?,
            O::I32Load8U { memarg } | O::I64Load8U { memarg } => {
                self.load_op(memarg, 1, |a, r, m| {
                    a.movzx_rm(ExtFrom::S8, Width::W32, r, m)
                })?
            }
            O::I32Load16S { memarg } => self.load_op(memarg, 2, |a, r, m| {
                a.movsx_rm(ExtFrom::S16, Width::W32, r, m)
            })?,
            O::I32Load16U { memarg } | O::I64Load16U { memarg } => {
                self.load_op(memarg, 2, |a, r, m| {
                    a.movzx_rm(ExtFrom::S16, Width::W32, r, m)
                })?
            }
            O::I64Load8S { memarg } => self.load_op(memarg, 1, |a, r, m| {
                a.movsx_rm(ExtFrom::S8, Width::W64, r, m)
            })?,
            O::I64Load16S { memarg } => self.load_op(memarg, 2, |a, r, m| {
                a.movsx_rm(ExtFrom::S16, Width::W64, r, m)
            })?,
            O::I64Load32S { memarg } => self.load_op(memarg, 4, |a, r, m| a.movsxd_rm(r, m))?,
            O::I64Load32U { memarg } => {
                self.load_op(memarg, 4, |a, r, m| a.mov_rm(Size::S32, r, m))?
            }
            O::I32Store { memarg } | O::F32Store { memarg } | O::I64Store32 { memarg } => {
                self.store_op(memarg, Size::S32)?
            }
            O::I64Store { memarg } | O::F64Store { memarg } => self.store_op(memarg, Size::S64)?,
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => self.store_op(memarg, Size::S8)?,
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => {
                self.store_op(memarg, Size::S16)?
            }
            O::MemorySize { .. } => {
                self.asm.mov_rm(
                    Size::S64,
                    Gpr::Rax,
                    Mem::base_disp(VMCTX, vo::VMCTX_MEMORY as i32),
                );
                self.asm.mov_rm(
                    Size::S64,
                    Gpr::Rax,
                    Mem::base_disp(Gpr::Rax, vo::MEMORY_DEF_LEN as i32),
                );
                self.asm.shift_ri(Shift::Shr, Width::W64, Gpr::Rax, 16);
                self.push_rax();
            }
            O::MemoryGrow { .. } => {
                let delta = self.pop()?;
                self.load(Gpr::Rsi, delta, Width::W32);
                self.helper_call(hi::MEMORY_GROW, false);
                self.push_rax();
            }
            O::MemoryFill { .. } => {
                let len = self.pop()?;
                let val = self.pop()?;
                let dst = self.pop()?;
                self.load(Gpr::Rsi, dst, Width::W32);
                self.load(Gpr::Rdx, val, Width::W32);
                self.load(Gpr::Rcx, len, Width::W32);
                self.helper_call(hi::MEMORY_FILL, true);
            }
            O::MemoryCopy { .. } => {
                let len = self.pop()?;
                let src = self.pop()?;
                let dst = self.pop()?;
                self.load(Gpr::Rsi, dst, Width::W32);
                self.load(Gpr::Rdx, src, Width::W32);
                self.load(Gpr::Rcx, len, Width::W32);
                self.helper_call(hi::MEMORY_COPY, true);
            }
            O::MemoryInit { data_index, .. } => {
                let len = self.pop()?;
                let src = self.pop()?;
                let dst = self.pop()?;
                self.asm.mov_ri(Width::W32, Gpr::Rsi, data_index as i64);
                self.load(Gpr::Rdx, dst, Width::W32);
                self.load(Gpr::Rcx, src, Width::W32);
                self.load(Gpr::R8, len, Width::W32);
                self.helper_call(hi::MEMORY_INIT, true);
            }
            O::DataDrop { data_index } => {
                self.asm.mov_ri(Width::W32, Gpr::Rsi, data_index as i64);
                self.helper_call(hi::DATA_DROP, false);
            }

            // ----- tables and references -----
            O::TableGet { table } => {
                let index = self.pop()?;
                self.asm.mov_ri(Width::W32, Gpr::Rsi, table as i64);
                self.load(Gpr::Rdx, index, Width::W32);
                let h = self.stack.len();
                self.asm
                    .lea(Width::W64, Gpr::Rcx, slot_mem(self.canonical(h)));
                self.helper_call(hi::TABLE_GET, true);
                self.push_slot_result();
            }
            O::TableSet { table } => {
                let value = self.pop()?;
                let index = self.pop()?;
                self.asm.mov_ri(Width::W32, Gpr::Rsi, table as i64);
                self.load(Gpr::Rdx, index, Width::W32);
                self.load(Gpr::Rcx, value, Width::W64);
                self.helper_call(hi::TABLE_SET, true);
            }
            O::TableSize { table } => {
                self.load_table_def(table);
                self.asm.mov_rm(
                    Size::S32,
                    Gpr::Rax,
                    Mem::base_disp(Gpr::Rax, vo::TABLE_DEF_LEN as i32),
                );
                self.push_rax();
            }
            O::TableGrow { table } => {
                let delta = self.pop()?;
                let init = self.pop()?;
                self.asm.mov_ri(Width::W32, Gpr::Rsi, table as i64);
                self.load(Gpr::Rdx, init, Width::W64);
                self.load(Gpr::Rcx, delta, Width::W32);
                self.helper_call(hi::TABLE_GROW, false);
                self.push_rax();
            }
            O::TableFill { table } => {
                let len = self.pop()?;
                let value = self.pop()?;
                let dst = self.pop()?;
                self.asm.mov_ri(Width::W32, Gpr::Rsi, table as i64);
                self.load(Gpr::Rdx, dst, Width::W32);
                self.load(Gpr::Rcx, value, Width::W64);
                self.load(Gpr::R8, len, Width::W32);
                self.helper_call(hi::TABLE_FILL, true);
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let len = self.pop()?;
                let src = self.pop()?;
                let dst = self.pop()?;
                self.asm.mov_ri(Width::W32, Gpr::Rsi, dst_table as i64);
                self.asm.mov_ri(Width::W32, Gpr::Rdx, src_table as i64);
                self.load(Gpr::Rcx, dst, Width::W32);
                self.load(Gpr::R8, src, Width::W32);
                self.load(Gpr::R9, len, Width::W32);
                self.helper_call(hi::TABLE_COPY, true);
            }
            O::TableInit { elem_index, table } => {
                let len = self.pop()?;
                let src = self.pop()?;
                let dst = self.pop()?;
                self.asm.mov_ri(Width::W32, Gpr::Rsi, table as i64);
                self.asm.mov_ri(Width::W32, Gpr::Rdx, elem_index as i64);
                self.load(Gpr::Rcx, dst, Width::W32);
                self.load(Gpr::R8, src, Width::W32);
                self.load(Gpr::R9, len, Width::W32);
                self.helper_call(hi::TABLE_INIT, true);
            }
            O::ElemDrop { elem_index } => {
                self.asm.mov_ri(Width::W32, Gpr::Rsi, elem_index as i64);
                self.helper_call(hi::ELEM_DROP, false);
            }
            O::RefNull { .. } => self.push_const(0),
            O::RefIsNull => {
                let v = self.pop()?;
                self.load(Gpr::Rcx, v, Width::W64);
                self.asm.zero(Gpr::Rax);
                self.asm.test_rr(Width::W64, Gpr::Rcx, Gpr::Rcx);
                self.asm.setcc(Cond::E, Gpr::Rax);
                self.push_rax();
            }
            O::RefFunc { function_index } => {
                self.asm.mov_rm(
                    Size::S64,
                    Gpr::Rax,
                    Mem::base_disp(VMCTX, vo::VMCTX_FUNCS as i32),
                );
                self.asm.mov_rm(
                    Size::S64,
                    Gpr::Rax,
                    Mem::base_disp(Gpr::Rax, function_index as i32 * 8),
                );
                self.push_rax();
            }

            // ----- constants -----
            O::I32Const { value } => self.push_const(value as u32 as u64),
            O::I64Const { value } => self.push_const(value as u64),
            O::F32Const { value } => self.push_const(value.bits() as u64),
            O::F64Const { value } => self.push_const(value.bits()),

            // ----- integer arithmetic -----
            O::I32Eqz => self.eqz(Width::W32)?,
            O::I64Eqz => self.eqz(Width::W64)?,
            O::I32Add => self.alu(Width::W32, Alu::Add)?,
            O::I32Sub => self.alu(Width::W32, Alu::Sub)?,
            O::I32And => self.alu(Width::W32, Alu::And)?,
            O::I32Or => self.alu(Width::W32, Alu::Or)?,
            O::I32Xor => self.alu(Width::W32, Alu::Xor)?,
            O::I64Add => self.alu(Width::W64, Alu::Add)?,
            O::I64Sub => self.alu(Width::W64, Alu::Sub)?,
            O::I64And => self.alu(Width::W64, Alu::And)?,
            O::I64Or => self.alu(Width::W64, Alu::Or)?,
            O::I64Xor => self.alu(Width::W64, Alu::Xor)?,
            O::I32Mul => self.mul(Width::W32)?,
            O::I64Mul => self.mul(Width::W64)?,
            O::I32DivS => self.div(Width::W32, DivKind::DivS)?,
            O::I32DivU => self.div(Width::W32, DivKind::DivU)?,
            O::I32RemS => self.div(Width::W32, DivKind::RemS)?,
            O::I32RemU => self.div(Width::W32, DivKind::RemU)?,
            O::I64DivS => self.div(Width::W64, DivKind::DivS)?,
            O::I64DivU => self.div(Width::W64, DivKind::DivU)?,
            O::I64RemS => self.div(Width::W64, DivKind::RemS)?,
            O::I64RemU => self.div(Width::W64, DivKind::RemU)?,
            O::I32Shl => self.shift(Width::W32, Shift::Shl)?,
            O::I32ShrS => self.shift(Width::W32, Shift::Sar)?,
            O::I32ShrU => self.shift(Width::W32, Shift::Shr)?,
            O::I32Rotl => self.shift(Width::W32, Shift::Rol)?,
            O::I32Rotr => self.shift(Width::W32, Shift::Ror)?,
            O::I64Shl => self.shift(Width::W64, Shift::Shl)?,
            O::I64ShrS => self.shift(Width::W64, Shift::Sar)?,
            O::I64ShrU => self.shift(Width::W64, Shift::Shr)?,
            O::I64Rotl => self.shift(Width::W64, Shift::Rol)?,
            O::I64Rotr => self.shift(Width::W64, Shift::Ror)?,
            O::I32Clz => self.clz(Width::W32)?,
            O::I64Clz => self.clz(Width::W64)?,
            O::I32Ctz => self.ctz(Width::W32)?,
            O::I64Ctz => self.ctz(Width::W64)?,
            O::I32Popcnt => self.popcnt(Width::W32)?,
            O::I64Popcnt => self.popcnt(Width::W64)?,
            O::I32WrapI64 | O::I64ExtendI32U => {
                let v = self.pop()?;
                match v {
                    Opd::Const(c) => self.push_const(c as u32 as u64),
                    _ => {
                        let dst = self.result_gpr(v, &[]);
                        match v {
                            Opd::Reg(r) => self.asm.mov_rr(Size::S32, dst, r),
                            _ => self.load(dst, v, Width::W32),
                        }
                        self.push(Opd::Reg(dst));
                    }
                }
            }
            O::I64ExtendI32S | O::I64Extend32S => {
                let v = self.pop()?;
                match v {
                    Opd::Const(c) => self.push_const(c as u32 as i32 as i64 as u64),
                    _ => {
                        let dst = self.result_gpr(v, &[]);
                        match v {
                            Opd::Slot(s) => self.asm.movsxd_rm(dst, slot_mem(s)),
                            _ => {
                                let src = self.gpr_of(v, Width::W32, Gpr::Rcx);
                                self.asm.movsxd_rr(dst, src);
                            }
                        }
                        self.push(Opd::Reg(dst));
                    }
                }
            }
            O::I32Extend8S => self.sign_extend(ExtFrom::S8, Width::W32)?,
            O::I32Extend16S => self.sign_extend(ExtFrom::S16, Width::W32)?,
            O::I64Extend8S => self.sign_extend(ExtFrom::S8, Width::W64)?,
            O::I64Extend16S => self.sign_extend(ExtFrom::S16, Width::W64)?,

            // ----- floats -----
            O::F32Add => self.fbin(Float::F32, SseArith::Add)?,
            O::F32Sub => self.fbin(Float::F32, SseArith::Sub)?,
            O::F32Mul => self.fbin(Float::F32, SseArith::Mul)?,
            O::F32Div => self.fbin(Float::F32, SseArith::Div)?,
            O::F64Add => self.fbin(Float::F64, SseArith::Add)?,
            O::F64Sub => self.fbin(Float::F64, SseArith::Sub)?,
            O::F64Mul => self.fbin(Float::F64, SseArith::Mul)?,
            O::F64Div => self.fbin(Float::F64, SseArith::Div)?,
            O::F32Sqrt => self.fsqrt(Float::F32)?,
            O::F64Sqrt => self.fsqrt(Float::F64)?,
            O::F32Min => self.float_op2(fop::F32_MIN)?,
            O::F32Max => self.float_op2(fop::F32_MAX)?,
            O::F64Min => self.float_op2(fop::F64_MIN)?,
            O::F64Max => self.float_op2(fop::F64_MAX)?,
            O::F32Ceil => self.round(Float::F32, RoundMode::Up, fop::F32_CEIL)?,
            O::F32Floor => self.round(Float::F32, RoundMode::Down, fop::F32_FLOOR)?,
            O::F32Trunc => self.round(Float::F32, RoundMode::Trunc, fop::F32_TRUNC)?,
            O::F32Nearest => self.round(Float::F32, RoundMode::Nearest, fop::F32_NEAREST)?,
            O::F64Ceil => self.round(Float::F64, RoundMode::Up, fop::F64_CEIL)?,
            O::F64Floor => self.round(Float::F64, RoundMode::Down, fop::F64_FLOOR)?,
            O::F64Trunc => self.round(Float::F64, RoundMode::Trunc, fop::F64_TRUNC)?,
            O::F64Nearest => self.round(Float::F64, RoundMode::Nearest, fop::F64_NEAREST)?,
            O::F32Abs => {
                let v = self.pop()?;
                self.load(Gpr::Rax, v, Width::W32);
                self.asm.alu_ri(Alu::And, Width::W32, Gpr::Rax, 0x7fff_ffff);
                self.push_rax();
            }
            O::F32Neg => {
                let v = self.pop()?;
                self.load(Gpr::Rax, v, Width::W32);
                self.asm
                    .alu_ri(Alu::Xor, Width::W32, Gpr::Rax, 0x8000_0000u32 as i32);
                self.push_rax();
            }
            O::F32Copysign => {
                let b = self.pop()?;
                let a = self.pop()?;
                self.load(Gpr::Rax, a, Width::W32);
                self.load(Gpr::Rcx, b, Width::W32);
                self.asm.alu_ri(Alu::And, Width::W32, Gpr::Rax, 0x7fff_ffff);
                self.asm
                    .alu_ri(Alu::And, Width::W32, Gpr::Rcx, 0x8000_0000u32 as i32);
                self.asm.alu_rr(Alu::Or, Width::W32, Gpr::Rax, Gpr::Rcx);
                self.push_rax();
            }
            O::F64Abs => {
                let v = self.pop()?;
                self.load(Gpr::Rax, v, Width::W64);
                self.asm.shift_ri(Shift::Shl, Width::W64, Gpr::Rax, 1);
                self.asm.shift_ri(Shift::Shr, Width::W64, Gpr::Rax, 1);
                self.push_rax();
            }
            O::F64Neg => {
                let v = self.pop()?;
                self.load(Gpr::Rax, v, Width::W64);
                self.asm.mov_ri(Width::W64, Gpr::Rcx, i64::MIN);
                self.asm.alu_rr(Alu::Xor, Width::W64, Gpr::Rax, Gpr::Rcx);
                self.push_rax();
            }
            O::F64Copysign => {
                let b = self.pop()?;
                let a = self.pop()?;
                self.load(Gpr::Rax, a, Width::W64);
                self.load(Gpr::Rcx, b, Width::W64);
                self.asm.shift_ri(Shift::Shl, Width::W64, Gpr::Rax, 1);
                self.asm.shift_ri(Shift::Shr, Width::W64, Gpr::Rax, 1);
                self.asm.shift_ri(Shift::Shr, Width::W64, Gpr::Rcx, 63);
                self.asm.shift_ri(Shift::Shl, Width::W64, Gpr::Rcx, 63);
                self.asm.alu_rr(Alu::Or, Width::W64, Gpr::Rax, Gpr::Rcx);
                self.push_rax();
            }
            O::F32Eq => self.fcmp(Float::F32, FCmp::Eq)?,
            O::F32Ne => self.fcmp(Float::F32, FCmp::Ne)?,
            O::F32Lt => self.fcmp(Float::F32, FCmp::Lt)?,
            O::F32Gt => self.fcmp(Float::F32, FCmp::Gt)?,
            O::F32Le => self.fcmp(Float::F32, FCmp::Le)?,
            O::F32Ge => self.fcmp(Float::F32, FCmp::Ge)?,
            O::F64Eq => self.fcmp(Float::F64, FCmp::Eq)?,
            O::F64Ne => self.fcmp(Float::F64, FCmp::Ne)?,
            O::F64Lt => self.fcmp(Float::F64, FCmp::Lt)?,
            O::F64Gt => self.fcmp(Float::F64, FCmp::Gt)?,
            O::F64Le => self.fcmp(Float::F64, FCmp::Le)?,
            O::F64Ge => self.fcmp(Float::F64, FCmp::Ge)?,
            O::I32TruncF32S => self.convert(conv::I32_TRUNC_F32_S)?,
            O::I32TruncF32U => self.convert(conv::I32_TRUNC_F32_U)?,
            O::I32TruncF64S => self.convert(conv::I32_TRUNC_F64_S)?,
            O::I32TruncF64U => self.convert(conv::I32_TRUNC_F64_U)?,
            O::I64TruncF32S => self.convert(conv::I64_TRUNC_F32_S)?,
            O::I64TruncF32U => self.convert(conv::I64_TRUNC_F32_U)?,
            O::I64TruncF64S => self.convert(conv::I64_TRUNC_F64_S)?,
            O::I64TruncF64U => self.convert(conv::I64_TRUNC_F64_U)?,
            O::I32TruncSatF32S => self.convert(conv::SAT + conv::I32_TRUNC_F32_S)?,
            O::I32TruncSatF32U => self.convert(conv::SAT + conv::I32_TRUNC_F32_U)?,
            O::I32TruncSatF64S => self.convert(conv::SAT + conv::I32_TRUNC_F64_S)?,
            O::I32TruncSatF64U => self.convert(conv::SAT + conv::I32_TRUNC_F64_U)?,
            O::I64TruncSatF32S => self.convert(conv::SAT + conv::I64_TRUNC_F32_S)?,
            O::I64TruncSatF32U => self.convert(conv::SAT + conv::I64_TRUNC_F32_U)?,
            O::I64TruncSatF64S => self.convert(conv::SAT + conv::I64_TRUNC_F64_S)?,
            O::I64TruncSatF64U => self.convert(conv::SAT + conv::I64_TRUNC_F64_U)?,
            O::F32ConvertI64U => self.convert(conv::F32_CONVERT_I64_U)?,
            O::F64ConvertI64U => self.convert(conv::F64_CONVERT_I64_U)?,
            O::F32ConvertI32S => self.int_to_float(Float::F32, Width::W32)?,
            O::F32ConvertI32U | O::F32ConvertI64S => self.int_to_float(Float::F32, Width::W64)?,
            O::F64ConvertI32S => self.int_to_float(Float::F64, Width::W32)?,
            O::F64ConvertI32U | O::F64ConvertI64S => self.int_to_float(Float::F64, Width::W64)?,
            O::F32DemoteF64 => {
                let v = self.pop()?;
                // In place: no dependency on an unrelated register's upper bits.
                let dst = self.result_xmm(v, &[]);
                self.load_xmm(dst, v, Float::F64);
                self.asm.cvtsd2ss_rr(dst, dst);
                self.push(Opd::Xmm(dst, Float::F32));
            }
            O::F64PromoteF32 => {
                let v = self.pop()?;
                let dst = self.result_xmm(v, &[]);
                self.load_xmm(dst, v, Float::F32);
                self.asm.cvtss2sd_rr(dst, dst);
                self.push(Opd::Xmm(dst, Float::F64));
            }
            // Slots hold raw bits: reinterpretation moves nothing.
            O::I32ReinterpretF32
            | O::F32ReinterpretI32
            | O::I64ReinterpretF64
            | O::F64ReinterpretI64 => {}
            other => {
                return Err(format!(
                    "jit: unsupported operator {other:?} at {:#x}",
                    self.offset
                ));
            }
        }
        Ok(())
    }

    // ----- helpers of operator families -----

    /// Whether `op` calls out of the function's code (other functions, runtime or JIT
    /// helpers): the value stack is spilled first.
    fn calls_out(&self, op: &Operator) -> bool {
        use Operator as O;
        match op {
            O::Call { .. }
            | O::CallIndirect { .. }
            | O::MemoryGrow { .. }
            | O::MemoryFill { .. }
            | O::MemoryCopy { .. }
            | O::MemoryInit { .. }
            | O::DataDrop { .. }
            | O::TableGet { .. }
            | O::TableSet { .. }
            | O::TableGrow { .. }
            | O::TableFill { .. }
            | O::TableCopy { .. }
            | O::TableInit { .. }
            | O::ElemDrop { .. }
            | O::F32Min
            | O::F32Max
            | O::F64Min
            | O::F64Max
            | O::I32TruncF32S
            | O::I32TruncF32U
            | O::I32TruncF64S
            | O::I32TruncF64U
            | O::I64TruncF32S
            | O::I64TruncF32U
            | O::I64TruncF64S
            | O::I64TruncF64U
            | O::I32TruncSatF32S
            | O::I32TruncSatF32U
            | O::I32TruncSatF64S
            | O::I32TruncSatF64U
            | O::I64TruncSatF32S
            | O::I64TruncSatF32U
            | O::I64TruncSatF64S
            | O::I64TruncSatF64U
            | O::F32ConvertI64U
            | O::F64ConvertI64U => true,
            O::F32Ceil
            | O::F32Floor
            | O::F32Trunc
            | O::F32Nearest
            | O::F64Ceil
            | O::F64Floor
            | O::F64Trunc
            | O::F64Nearest => !self.cpu.sse41,
            O::I32Popcnt | O::I64Popcnt => !self.cpu.popcnt,
            _ => false,
        }
    }

    /// Calls runtime helper `index` with `rdi = vmctx` (other arguments already loaded);
    /// `check` tests the returned trap code.
    fn helper_call(&mut self, index: usize, check: bool) {
        self.asm.mov_rr(Size::S64, Gpr::Rdi, VMCTX);
        self.call_runtime_helper(index);
        if check {
            self.check_helper_trap();
        }
    }

    fn load_table_def(&mut self, table: u32) {
        self.asm.mov_rm(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(VMCTX, vo::VMCTX_TABLES as i32),
        );
        self.asm.mov_rm(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(Gpr::Rax, table as i32 * 8),
        );
    }

    /// Pops the address, leaves the effective address operand (based on `r13`), with an
    /// explicit bounds check when the static offset is beyond the guard region. Uses `rax`,
    /// `rcx` and `rdx` as scratch, never a pool register.
    fn address(&mut self, memarg: MemArg, size: u32) -> Result<Mem> {
        let addr = self.pop()?;
        if memarg.offset <= MAX_UNCHECKED_OFFSET {
            // A register entry is zero-extended: it indexes the memory as it is.
            let index = self.gpr_of(addr, Width::W32, Gpr::Rax);
            return Ok(Mem::indexed(
                MEMBASE,
                index,
                Scale::S1,
                memarg.offset as i32,
            ));
        }
        self.load(Gpr::Rax, addr, Width::W32);
        let oob = self.trap_label(TrapCode::MemoryOutOfBounds);
        self.asm.mov_ri(
            Width::W64,
            Gpr::Rcx,
            (memarg.offset + u64::from(size)) as i64,
        );
        self.asm.alu_rr(Alu::Add, Width::W64, Gpr::Rcx, Gpr::Rax);
        self.asm.mov_rm(
            Size::S64,
            Gpr::Rdx,
            Mem::base_disp(VMCTX, vo::VMCTX_MEMORY as i32),
        );
        self.asm.alu_rm(
            Alu::Cmp,
            Width::W64,
            Gpr::Rcx,
            Mem::base_disp(Gpr::Rdx, vo::MEMORY_DEF_LEN as i32),
        );
        self.asm.jcc(Cond::A, oob);
        self.asm.mov_ri(Width::W64, Gpr::Rcx, memarg.offset as i64);
        self.asm.alu_rr(Alu::Add, Width::W64, Gpr::Rax, Gpr::Rcx);
        Ok(Mem::indexed(MEMBASE, Gpr::Rax, Scale::S1, 0))
    }

    fn load_op(
        &mut self,
        memarg: MemArg,
        size: u32,
        emit: impl Fn(&mut Assembler, Gpr, Mem),
    ) -> Result<()> {
        let dst = match self.stack.last() {
            Some(&Opd::Reg(r)) if self.gpr_pool.contains(&r) => r,
            _ => self.alloc_gpr(&[]),
        };
        let mem = self.address(memarg, size)?;
        self.mark_access();
        emit(self.asm, dst, mem);
        self.push(Opd::Reg(dst));
        Ok(())
    }

    fn load_float(&mut self, memarg: MemArg, float: Float) -> Result<()> {
        let dst = self.alloc_xmm(&[]);
        let size = if float == Float::F32 { 4 } else { 8 };
        let mem = self.address(memarg, size)?;
        self.mark_access();
        self.asm.movs_rm(float, dst, mem);
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    fn store_op(&mut self, memarg: MemArg, size: Size) -> Result<()> {
        let mut value = self.pop()?;
        if memarg.offset > MAX_UNCHECKED_OFFSET && !matches!(value, Opd::Reg(_) | Opd::Xmm(..)) {
            // The bounds check needs every scratch register: park the value in its canonical
            // slot (still inside the frame, though popped).
            let slot = self.canonical(self.stack.len());
            self.move_to(slot, value);
            value = Opd::Slot(slot);
        }
        let mem = self.address(memarg, size.bytes())?;
        match value {
            Opd::Xmm(x, float) if size == width_size(float_width(float)) => {
                self.mark_access();
                self.asm.movs_mr(float, mem, x);
            }
            Opd::Const(c) if size != Size::S64 || i32::try_from(c as i64).is_ok() => {
                self.mark_access();
                self.asm.mov_mi(size, mem, c as i64 as i32);
            }
            _ => {
                let v = self.gpr_of(value, Width::W64, Gpr::Rdx);
                self.mark_access();
                self.asm.mov_mr(size, mem, v);
            }
        }
        Ok(())
    }

    /// Maps the next instruction (a memory access that may fault) to the current operator.
    fn mark_access(&mut self) {
        let at = self.asm.offset() as u32;
        match self.pc_map.last_mut() {
            Some(last) if last.0 == at => last.1 = self.offset,
            _ => self.pc_map.push((at, self.offset)),
        }
    }

    /// Before a fused `if`: the block entry materializes the stack, which must happen before
    /// the compare sets the flags (the moves themselves leave flags alone).
    fn prepare_fusion(&mut self) {
        if let Some(Fusable::If(_)) = self.next {
            self.materialize_all();
        }
    }

    /// Branches on `cond` (flags already set) for the fused `next` operator.
    fn fused_branch(&mut self, cond: Cond) -> Result<()> {
        self.fused = true;
        match self.next.take() {
            Some(Fusable::BrIf(depth)) => {
                let target = self.target(depth)?;
                if self.needs_moves(target) {
                    let skip = self.asm.new_label();
                    self.asm.jcc(cond.invert(), skip);
                    self.emit_branch(depth)?;
                    self.asm.bind(skip);
                } else {
                    let label = self.ctrl[target].label;
                    self.asm.jcc(cond, label);
                }
            }
            Some(Fusable::If(blockty)) => {
                self.enter_block(Kind::If, blockty)?;
                let else_label = self.asm.new_label();
                if let Some(ctrl) = self.ctrl.last_mut() {
                    ctrl.else_label = Some(else_label);
                }
                self.asm.jcc(cond.invert(), else_label);
            }
            None => return Err("jit: nothing to fuse with".into()),
        }
        Ok(())
    }

    /// Pushes the condition `cond` of the flags just set as 0/1, in `dst` (`setcc` then
    /// `movzx`, so `dst` may be an input of the flag-setting instruction).
    fn push_setcc(&mut self, dst: Gpr, cond: Cond) {
        self.asm.setcc(cond, dst);
        self.asm.movzx_rr(ExtFrom::S8, Width::W32, dst, dst);
        self.push(Opd::Reg(dst));
    }

    fn eqz(&mut self, width: Width) -> Result<()> {
        let v = self.pop()?;
        if self.next.is_some() {
            // A fused `if` spills the stack first; `v` is popped, so it stays where it is.
            self.prepare_fusion();
            let r = self.gpr_of(v, width, Gpr::Rcx);
            self.asm.test_rr(width, r, r);
            return self.fused_branch(Cond::E);
        }
        let r = self.gpr_of(v, width, Gpr::Rcx);
        let dst = self.alloc_gpr(&[v]);
        self.asm.test_rr(width, r, r);
        self.push_setcc(dst, Cond::E);
        Ok(())
    }

    /// `cmp a, b` (or `test a, a` against zero) for the comparison `cmp`.
    fn compare(&mut self, width: Width, a: Opd, b: Opd) {
        let r = self.gpr_of(a, width, Gpr::Rcx);
        if b == Opd::Const(0) {
            self.asm.test_rr(width, r, r);
        } else {
            self.alu_operand(Alu::Cmp, width, r, b);
        }
    }

    fn icmp(&mut self, width: Width, cmp: ICmp) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        if self.next.is_some() {
            self.prepare_fusion();
            self.compare(width, a, b);
            return self.fused_branch(cmp.cond());
        }
        let dst = self.alloc_gpr(&[a, b]);
        self.compare(width, a, b);
        self.push_setcc(dst, cmp.cond());
        Ok(())
    }

    /// `op dst, b` with `b` as an immediate, a register, a slot or (for big constants) `rdx`.
    fn alu_operand(&mut self, op: Alu, width: Width, dst: Gpr, b: Opd) {
        match b {
            Opd::Const(c) => {
                let imm = match width {
                    Width::W32 => Some(c as u32 as i32),
                    Width::W64 => i32::try_from(c as i64).ok(),
                };
                match imm {
                    Some(imm) => self.asm.alu_ri(op, width, dst, imm),
                    None => {
                        self.asm.mov_ri(Width::W64, Gpr::Rdx, c as i64);
                        self.asm.alu_rr(op, width, dst, Gpr::Rdx);
                    }
                }
            }
            Opd::Slot(s) => self.asm.alu_rm(op, width, dst, slot_mem(s)),
            Opd::Reg(r) => self.asm.alu_rr(op, width, dst, r),
            Opd::Xmm(..) => {
                self.load(Gpr::Rdx, b, width);
                self.asm.alu_rr(op, width, dst, Gpr::Rdx);
            }
        }
    }

    fn alu(&mut self, width: Width, op: Alu) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        if let (Opd::Const(x), Opd::Const(y)) = (a, b)
            && let Some(folded) = fold_alu(op, width, x, y)
        {
            self.push_const(folded);
            return Ok(());
        }
        let dst = self.result_gpr(a, &[b]);
        if op == Alu::Add
            && let (Opd::Reg(base), Opd::Const(c)) = (a, b)
            && base != dst
            && let Some(disp) = small_imm(width, c)
        {
            self.asm.lea(width, dst, Mem::base_disp(base, disp));
        } else if op == Alu::Add
            && let (Opd::Reg(x), Opd::Reg(y)) = (a, b)
            && x != dst
            && y != dst
        {
            self.asm.lea(width, dst, Mem::indexed(x, y, Scale::S1, 0));
        } else {
            self.load(dst, a, width);
            self.alu_operand(op, width, dst, b);
        }
        self.push(Opd::Reg(dst));
        Ok(())
    }

    fn mul(&mut self, width: Width) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let dst = self.result_gpr(a, &[b]);
        match (a, b) {
            (_, Opd::Const(c)) if small_imm(width, c).is_some() => {
                let src = self.gpr_of(a, width, Gpr::Rcx);
                self.asm
                    .imul_rri(width, dst, src, small_imm(width, c).unwrap_or(0));
            }
            (_, Opd::Slot(s)) => {
                self.load(dst, a, width);
                self.asm.imul_rm(width, dst, slot_mem(s));
            }
            _ => {
                self.load(dst, a, width);
                let src = self.gpr_of(b, width, Gpr::Rcx);
                self.asm.imul_rr(width, dst, src);
            }
        }
        self.push(Opd::Reg(dst));
        Ok(())
    }

    fn div(&mut self, width: Width, kind: DivKind) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        self.load(Gpr::Rax, a, width);
        self.load(Gpr::Rcx, b, width);
        let div0 = self.trap_label(TrapCode::IntegerDivideByZero);
        self.asm.test_rr(width, Gpr::Rcx, Gpr::Rcx);
        self.asm.jcc(Cond::E, div0);
        let done = self.asm.new_label();
        match kind {
            DivKind::DivS | DivKind::RemS => {
                let normal = self.asm.new_label();
                self.asm.alu_ri(Alu::Cmp, width, Gpr::Rcx, -1);
                self.asm.jcc(Cond::Ne, normal);
                if let DivKind::DivS = kind {
                    // MIN / -1 overflows; anything else / -1 is the negation.
                    let overflow = self.trap_label(TrapCode::IntegerOverflow);
                    match width {
                        Width::W32 => self.asm.alu_ri(Alu::Cmp, width, Gpr::Rax, i32::MIN),
                        Width::W64 => {
                            self.asm.mov_ri(Width::W64, Gpr::Rdx, i64::MIN);
                            self.asm.alu_rr(Alu::Cmp, width, Gpr::Rax, Gpr::Rdx);
                        }
                    }
                    self.asm.jcc(Cond::E, overflow);
                    self.asm.unary_r(Unary::Neg, width, Gpr::Rax);
                } else {
                    self.asm.zero(Gpr::Rax);
                }
                self.asm.jmp(done);
                self.asm.bind(normal);
                match width {
                    Width::W32 => self.asm.cdq(),
                    Width::W64 => self.asm.cqo(),
                }
                self.asm.muldiv_r(MulDiv::Idiv, width, Gpr::Rcx);
            }
            DivKind::DivU | DivKind::RemU => {
                self.asm.zero(Gpr::Rdx);
                self.asm.muldiv_r(MulDiv::Div, width, Gpr::Rcx);
            }
        }
        if let DivKind::RemS | DivKind::RemU = kind {
            self.asm.mov_rr(width_size(width), Gpr::Rax, Gpr::Rdx);
        }
        self.asm.bind(done);
        // The result register gets the 32-bit result zero-extended (the negation above
        // leaves the upper half set).
        let dst = self.alloc_gpr(&[]);
        self.asm.mov_rr(width_size(width), dst, Gpr::Rax);
        self.push(Opd::Reg(dst));
        Ok(())
    }

    fn shift(&mut self, width: Width, op: Shift) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let dst = self.result_gpr(a, &[b]);
        match b {
            Opd::Const(c) => {
                self.load(dst, a, width);
                let mask = if width == Width::W32 { 31 } else { 63 };
                let count = (c as u32 & mask) as u8;
                if count != 0 {
                    self.asm.shift_ri(op, width, dst, count);
                }
            }
            _ => {
                self.load(Gpr::Rcx, b, Width::W32);
                self.load(dst, a, width);
                self.asm.shift_cl(op, width, dst);
            }
        }
        self.push(Opd::Reg(dst));
        Ok(())
    }

    fn clz(&mut self, width: Width) -> Result<()> {
        let v = self.pop()?;
        self.load(Gpr::Rcx, v, width);
        if self.cpu.lzcnt {
            self.asm
                .bitcount_rr(BitCount::Lzcnt, width, Gpr::Rax, Gpr::Rcx);
        } else {
            // bsr gives the index of the highest set bit (flags ZF for zero input).
            let bits = if width == Width::W32 { 31 } else { 63 };
            self.asm.mov_ri(Width::W64, Gpr::Rdx, -1);
            self.asm
                .bitcount_rr(BitCount::Bsr, width, Gpr::Rax, Gpr::Rcx);
            self.asm.cmov_rr(Cond::E, Width::W64, Gpr::Rax, Gpr::Rdx);
            self.asm.mov_ri(Width::W64, Gpr::Rcx, bits);
            self.asm.alu_rr(Alu::Sub, Width::W64, Gpr::Rcx, Gpr::Rax);
            self.asm.mov_rr(Size::S64, Gpr::Rax, Gpr::Rcx);
        }
        self.push_rax();
        Ok(())
    }

    fn ctz(&mut self, width: Width) -> Result<()> {
        let v = self.pop()?;
        self.load(Gpr::Rcx, v, width);
        if self.cpu.bmi1 {
            self.asm
                .bitcount_rr(BitCount::Tzcnt, width, Gpr::Rax, Gpr::Rcx);
        } else {
            let bits = if width == Width::W32 { 32 } else { 64 };
            self.asm.mov_ri(Width::W64, Gpr::Rdx, bits);
            self.asm
                .bitcount_rr(BitCount::Bsf, width, Gpr::Rax, Gpr::Rcx);
            self.asm.cmov_rr(Cond::E, Width::W64, Gpr::Rax, Gpr::Rdx);
        }
        self.push_rax();
        Ok(())
    }

    fn popcnt(&mut self, width: Width) -> Result<()> {
        let v = self.pop()?;
        if self.cpu.popcnt {
            self.load(Gpr::Rcx, v, width);
            self.asm
                .bitcount_rr(BitCount::Popcnt, width, Gpr::Rax, Gpr::Rcx);
        } else {
            // The stack was spilled (`calls_out`): rsi and rdi are free.
            self.load(Gpr::Rsi, v, width);
            self.asm.mov_ri(Width::W32, Gpr::Rdi, fop::POPCNT as i64);
            self.call_jit_helper(jit_helper::FLOAT_OP);
        }
        self.push_rax();
        Ok(())
    }

    fn sign_extend(&mut self, from: ExtFrom, width: Width) -> Result<()> {
        let v = self.pop()?;
        let dst = self.result_gpr(v, &[]);
        let src = self.gpr_of(v, Width::W64, Gpr::Rcx);
        self.asm.movsx_rr(from, width, dst, src);
        self.push(Opd::Reg(dst));
        Ok(())
    }

    fn fbin(&mut self, float: Float, op: SseArith) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let dst = self.result_xmm(a, &[b]);
        self.load_xmm(dst, a, float);
        match b {
            Opd::Slot(s) => self.asm.sse_rm(op, float, dst, slot_mem(s)),
            _ => {
                let src = self.xmm_of(b, float, Xmm::Xmm1);
                self.asm.sse_rr(op, float, dst, src);
            }
        }
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    fn fsqrt(&mut self, float: Float) -> Result<()> {
        let v = self.pop()?;
        // In place (`sqrtsd x, x`): no dependency on another register's upper bits.
        let dst = self.result_xmm(v, &[]);
        self.load_xmm(dst, v, float);
        self.asm.sse_rr(SseArith::Sqrt, float, dst, dst);
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    fn float_op2(&mut self, kind: u32) -> Result<()> {
        // The stack was spilled (`calls_out`): the argument registers are free.
        let b = self.pop()?;
        let a = self.pop()?;
        self.load(Gpr::Rsi, a, Width::W64);
        self.load(Gpr::Rdx, b, Width::W64);
        self.asm.mov_ri(Width::W32, Gpr::Rdi, kind as i64);
        self.call_jit_helper(jit_helper::FLOAT_OP);
        self.push_rax();
        Ok(())
    }

    fn round(&mut self, float: Float, mode: RoundMode, kind: u32) -> Result<()> {
        let v = self.pop()?;
        if self.cpu.sse41 {
            let dst = self.result_xmm(v, &[]);
            self.load_xmm(dst, v, float);
            self.asm.rounds_rr(float, mode, dst, dst);
            self.push(Opd::Xmm(dst, float));
        } else {
            // The stack was spilled (`calls_out`).
            self.load(Gpr::Rsi, v, Width::W64);
            self.asm.mov_ri(Width::W32, Gpr::Rdi, kind as i64);
            self.call_jit_helper(jit_helper::FLOAT_OP);
            self.push_rax();
        }
        Ok(())
    }

    fn fcmp(&mut self, float: Float, cmp: FCmp) -> Result<()> {
        let b = self.pop()?;
        let a = self.pop()?;
        let xa = self.xmm_of(a, float, Xmm::Xmm0);
        let xb = self.xmm_of(b, float, Xmm::Xmm1);
        match cmp {
            FCmp::Eq | FCmp::Ne => {
                self.asm.ucomis_rr(float, xa, xb);
                let (c1, c2, op) = if let FCmp::Eq = cmp {
                    (Cond::E, Cond::Np, Alu::And)
                } else {
                    (Cond::Ne, Cond::P, Alu::Or)
                };
                self.asm.setcc(c1, Gpr::Rax);
                self.asm.setcc(c2, Gpr::Rcx);
                self.asm
                    .movzx_rr(ExtFrom::S8, Width::W32, Gpr::Rax, Gpr::Rax);
                self.asm
                    .movzx_rr(ExtFrom::S8, Width::W32, Gpr::Rcx, Gpr::Rcx);
                self.asm.alu_rr(op, Width::W32, Gpr::Rax, Gpr::Rcx);
            }
            FCmp::Lt | FCmp::Le => {
                self.asm.ucomis_rr(float, xb, xa);
                let c = if let FCmp::Lt = cmp {
                    Cond::A
                } else {
                    Cond::Ae
                };
                self.asm.setcc(c, Gpr::Rax);
                self.asm
                    .movzx_rr(ExtFrom::S8, Width::W32, Gpr::Rax, Gpr::Rax);
            }
            FCmp::Gt | FCmp::Ge => {
                self.asm.ucomis_rr(float, xa, xb);
                let c = if let FCmp::Gt = cmp {
                    Cond::A
                } else {
                    Cond::Ae
                };
                self.asm.setcc(c, Gpr::Rax);
                self.asm
                    .movzx_rr(ExtFrom::S8, Width::W32, Gpr::Rax, Gpr::Rax);
            }
        }
        self.push_rax();
        Ok(())
    }

    fn convert(&mut self, kind: u32) -> Result<()> {
        // The stack was spilled (`calls_out`).
        let v = self.pop()?;
        self.load(Gpr::Rsi, v, Width::W64);
        self.asm.mov_ri(Width::W32, Gpr::Rdi, kind as i64);
        let h = self.stack.len();
        self.asm
            .lea(Width::W64, Gpr::Rdx, slot_mem(self.canonical(h)));
        self.call_jit_helper(jit_helper::CONVERT);
        self.check_helper_trap();
        self.push_slot_result();
        Ok(())
    }

    /// Signed conversion from the low 32 bits (sign-extended) or the whole 64-bit slot (u32
    /// values are zero-extended in their slot, so the 64-bit form converts them exactly).
    fn int_to_float(&mut self, float: Float, width: Width) -> Result<()> {
        let v = self.pop()?;
        let src = self.gpr_of(v, width, Gpr::Rcx);
        let dst = self.alloc_xmm(&[]);
        // Cleared first: cvtsi2sd writes only the low lane (no false dependency).
        self.asm.zero_xmm(dst);
        self.asm.cvtsi2s_rr(float, width, dst, src);
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    /// `select`: `a` if `cond` is non-zero, else `b` (any value kind, moved as 64 bits).
    fn select(&mut self, a: Opd, b: Opd, cond: Opd) {
        if let (Opd::Xmm(..), Opd::Xmm(xb, float)) = (a, b) {
            let dst = self.result_xmm(a, &[b, cond]);
            self.load_xmm(dst, a, float);
            let c = self.gpr_of(cond, Width::W32, Gpr::Rcx);
            let keep = self.asm.new_label();
            self.asm.test_rr(Width::W32, c, c);
            self.asm.jcc(Cond::Ne, keep);
            self.asm.movaps_rr(dst, xb);
            self.asm.bind(keep);
            self.push(Opd::Xmm(dst, float));
            return;
        }
        let dst = self.result_gpr(a, &[b, cond]);
        self.load(dst, a, Width::W64);
        let c = self.gpr_of(cond, Width::W32, Gpr::Rdx);
        let src = self.gpr_of(b, Width::W64, Gpr::Rcx);
        self.asm.test_rr(Width::W32, c, c);
        self.asm.cmov_rr(Cond::E, Width::W64, dst, src);
        self.push(Opd::Reg(dst));
    }

    // ----- calls -----

    fn func_type_of(&self, func_index: u32) -> Result<(u32, u32)> {
        let ty = self
            .module
            .func_types
            .get(func_index as usize)
            .and_then(|t| self.module.types.get(*t as usize))
            .ok_or_else(|| format!("jit: unknown function {func_index}"))?;
        Ok((ty.params.len() as u32, ty.results.len() as u32))
    }

    /// Materializes everything and returns the height where the arguments start.
    fn prepare_call(&mut self, params: u32, results: u32) -> Result<u32> {
        self.materialize_all();
        let len = self.stack.len() as u32;
        let base = len
            .checked_sub(params)
            .ok_or_else(|| "jit: call arguments missing".to_string())?;
        // Host functions use max(params, results) slots at the base.
        self.max_height = self.max_height.max(base + params.max(results));
        Ok(base)
    }

    fn finish_call(&mut self, base: u32, results: u32) {
        self.reset_stack(base, results);
    }

    fn op_call(&mut self, function_index: u32) -> Result<()> {
        let (params, results) = self.func_type_of(function_index)?;
        let base = self.prepare_call(params, results)?;
        let frame_offset = (self.nl + base) as i32 * 8;
        let direct = function_index
            .checked_sub(self.module.num_imported_funcs)
            .and_then(|defined| self.func_labels.get(defined as usize).copied().flatten());
        if let Some(label) = direct {
            self.asm
                .lea(Width::W64, FP, Mem::base_disp(FP, frame_offset));
            self.asm.call(label);
            self.asm
                .lea(Width::W64, FP, Mem::base_disp(FP, -frame_offset));
        } else {
            self.asm.mov_rm(
                Size::S64,
                Gpr::Rsi,
                Mem::base_disp(VMCTX, vo::VMCTX_FUNCS as i32),
            );
            self.asm.mov_rm(
                Size::S64,
                Gpr::Rsi,
                Mem::base_disp(Gpr::Rsi, function_index as i32 * 8),
            );
            // A function defined here runs with this instance's context and memory.
            let same_instance = function_index >= self.module.num_imported_funcs;
            self.call_record(frame_offset, same_instance);
        }
        self.finish_call(base, results);
        Ok(())
    }

    /// Calls the record in `rsi` with its frame at `fp + frame_offset`; `same_instance`: the
    /// record is known to be of this instance (no switch of `r15`/`r13`).
    fn call_record(&mut self, frame_offset: i32, same_instance: bool) {
        let slow = self.asm.new_label();
        let done = self.asm.new_label();
        self.asm
            .lea(Width::W64, FP, Mem::base_disp(FP, frame_offset));
        self.asm.mov_rm(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(Gpr::Rsi, vo::FUNC_RECORD_CODE as i32),
        );
        self.asm.test_rr(Width::W64, Gpr::Rax, Gpr::Rax);
        self.asm.jcc(Cond::E, slow);
        if same_instance {
            self.asm.call_r(Gpr::Rax);
        } else {
            self.asm.push(VMCTX);
            self.asm.push(MEMBASE);
            self.asm.mov_rm(
                Size::S64,
                VMCTX,
                Mem::base_disp(Gpr::Rsi, vo::FUNC_RECORD_VMCTX as i32),
            );
            self.asm.mov_rm(
                Size::S64,
                MEMBASE,
                Mem::base_disp(VMCTX, vo::VMCTX_MEMORY_BASE as i32),
            );
            self.asm.call_r(Gpr::Rax);
            self.asm.pop(MEMBASE);
            self.asm.pop(VMCTX);
        }
        self.asm.jmp(done);
        self.asm.bind(slow);
        self.asm.mov_rr(Size::S64, Gpr::Rdi, VMCTX);
        self.asm.mov_rr(Size::S64, Gpr::Rdx, FP);
        self.call_jit_helper(jit_helper::CALL_SLOW);
        let trap = self.dynamic_trap_label();
        self.asm.test_rr(Width::W32, Gpr::Rax, Gpr::Rax);
        self.asm.jcc(Cond::Ne, trap);
        self.asm.bind(done);
        self.asm
            .lea(Width::W64, FP, Mem::base_disp(FP, -frame_offset));
    }

    fn op_call_indirect(&mut self, type_index: u32, table_index: u32) -> Result<()> {
        let ty = self
            .module
            .types
            .get(type_index as usize)
            .ok_or_else(|| format!("jit: unknown type {type_index}"))?;
        let (params, results) = (ty.params.len() as u32, ty.results.len() as u32);
        let index = self.pop()?;
        let base = self.prepare_call(params, results)?;
        self.load(Gpr::Rcx, index, Width::W32);
        self.load_table_def(table_index);
        let undefined = self.trap_label(TrapCode::UndefinedElement);
        self.asm.alu_rm(
            Alu::Cmp,
            Width::W32,
            Gpr::Rcx,
            Mem::base_disp(Gpr::Rax, vo::TABLE_DEF_LEN as i32),
        );
        self.asm.jcc(Cond::Ae, undefined);
        self.asm.mov_rm(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(Gpr::Rax, vo::TABLE_DEF_BASE as i32),
        );
        self.asm.mov_rm(
            Size::S64,
            Gpr::Rsi,
            Mem::indexed(Gpr::Rax, Gpr::Rcx, Scale::S8, 0),
        );
        let uninitialized = self.trap_label(TrapCode::UninitializedElement);
        self.asm.test_rr(Width::W64, Gpr::Rsi, Gpr::Rsi);
        self.asm.jcc(Cond::E, uninitialized);
        self.asm.mov_rm(
            Size::S64,
            Gpr::Rax,
            Mem::base_disp(VMCTX, vo::VMCTX_TYPE_IDS as i32),
        );
        self.asm.mov_rm(
            Size::S32,
            Gpr::Rax,
            Mem::base_disp(Gpr::Rax, type_index as i32 * 4),
        );
        let mismatch = self.trap_label(TrapCode::IndirectCallTypeMismatch);
        self.asm.alu_rm(
            Alu::Cmp,
            Width::W32,
            Gpr::Rax,
            Mem::base_disp(Gpr::Rsi, vo::FUNC_RECORD_TYPE_ID as i32),
        );
        self.asm.jcc(Cond::Ne, mismatch);
        let frame_offset = (self.nl + base) as i32 * 8;
        self.call_record(frame_offset, false);
        self.finish_call(base, results);
        Ok(())
    }
}
