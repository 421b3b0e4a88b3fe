//! The compiler's state for one function: the abstract value stack's entries, control frames,
//! trap sites, and the per-function register pools and homes.

use wasmparser::BlockType;

use crate::jit::masm::{Float, Gpr, Label, Masm, Width, Xmm};
use crate::module::{FrameLayout, ModuleInfo};
use crate::runtime::TrapCode;

use super::cpu::CpuFeatures;

/// An operand-stack entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Opd {
    /// The value is in frame slot `fp[n]`.
    Slot(u32),
    /// A constant (slot encoding).
    Const(u64),
    /// The value's bits are in a pool register (an i32 zero-extended, like its slot).
    Reg(Gpr),
    /// A float in a pool SSE register (an f32 in the low 32 bits, the rest undefined).
    Xmm(Xmm, Float),
    /// The low 64 bits of a v128 that is whole in a pool SSE register; the entry above it is
    /// `V128High` of the same register, and no other entry names that register.
    V128Low(Xmm),
    /// The high 64 bits of the v128 in the register (see `V128Low`).
    V128High(Xmm),
}

impl Opd {
    /// The SSE register the entry's value is in, if any.
    pub(super) fn xmm(self) -> Option<Xmm> {
        match self {
            Opd::Xmm(x, _) | Opd::V128Low(x) | Opd::V128High(x) => Some(x),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

pub(super) struct Ctrl {
    pub(super) kind: Kind,
    /// Stack height below the block's params (heights count slots: a v128 takes two).
    pub(super) height: u32,
    pub(super) params: u32,
    pub(super) results: u32,
    /// Per param and result slot, whether it is the high half of a v128.
    pub(super) param_shape: Vec<bool>,
    pub(super) result_shape: Vec<bool>,
    /// Branch target: the loop header for loops, the end otherwise.
    pub(super) label: Label,
    /// For `if` without `else` yet: where the false branch starts.
    pub(super) else_label: Option<Label>,
    /// Where the block's results meet at its end: one pool register per result
    /// (`Opd::Reg`/`Opd::Xmm`), or empty for their canonical slots (loops, the function,
    /// an `if` with params, more results than registers).
    pub(super) merge: Vec<Merge>,
    /// Whether a branch targets the block's end (otherwise only the fall-through reaches it
    /// and its results stay where they are).
    pub(super) branched: bool,
}

impl Ctrl {
    pub(super) fn branch_arity(&self) -> u32 {
        if self.kind == Kind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

/// A block result's place at the block's end: a pool register, and the width of the
/// integer bits it holds (an i32 is zero-extended there like everywhere).
#[derive(Clone, Copy, Debug)]
pub(super) struct Merge {
    pub(super) place: Opd,
    pub(super) width: Width,
}

/// A branch that can take a comparison's flags directly.
#[derive(Clone, Copy)]
pub(super) enum Fusable {
    BrIf(u32),
    If(BlockType),
    /// `select`: the compare's flags drive a `cmov`.
    Select,
}

pub(super) struct TrapSite {
    pub(super) label: Label,
    /// `None`: the code is in `eax` (from a helper).
    pub(super) code: Option<TrapCode>,
    pub(super) wasm_offset: u32,
}

pub(super) struct Compiler<'a> {
    pub(super) masm: &'a mut Masm,
    pub(super) module: &'a ModuleInfo,
    /// Per defined function, its label when it is in the same buffer (direct calls).
    pub(super) func_labels: &'a [Option<Label>],
    pub(super) cpu: CpuFeatures,
    pub(super) pc_map: &'a mut Vec<(u32, u32)>,
    /// Slots of the locals (params included, a v128 takes two): the operand at height `h`
    /// (in slots) lives at `fp[nl + h]`.
    pub(super) nl: u32,
    /// Where each local lives (`module::FrameLayout`, the same for every tier).
    pub(super) layout: FrameLayout,
    /// Result slots of the function.
    pub(super) num_results: u32,
    /// One entry per slot: a v128 is two entries, its low then its high 64 bits.
    pub(super) stack: Vec<Opd>,
    /// Parallel to `stack`: whether the entry is the high half of a v128.
    pub(super) high: Vec<bool>,
    pub(super) max_height: u32,
    pub(super) ctrl: Vec<Ctrl>,
    pub(super) traps: Vec<TrapSite>,
    /// Label of the shared epilogue (`pop rbp; ret`).
    pub(super) ret_label: Label,
    pub(super) offset: u32,
    pub(super) unreachable: bool,
    pub(super) skip_depth: u32,
    /// `(wasm offset, header label)` of every reachable loop, in body order.
    pub(super) loop_headers: Vec<(u32, Label)>,
    /// Locals kept in registers for the whole function: `(local, Opd::Reg | Opd::Xmm)`.
    pub(super) homes: Vec<(u32, Opd)>,
    /// The pool registers left for operands once the homes are taken.
    pub(super) gpr_pool: Vec<Gpr>,
    pub(super) xmm_pool: Vec<Xmm>,
    /// The home register of the local that the next operator (`local.set`/`local.tee`)
    /// writes: the current operator may compute its result there directly.
    pub(super) result_home: Option<Opd>,
    /// Set when an allocation found no register (cannot happen with the pool sizes above;
    /// the function is then refused instead of miscompiled).
    pub(super) pool_exhausted: bool,
    /// The operator after the current one, when a compare may fuse with it.
    pub(super) next: Option<Fusable>,
    /// Set by an operator that consumed `next`.
    pub(super) fused: bool,
    /// `(start, end)` of data inside the code (jump tables, the constant pool), ascending.
    pub(super) data: &'a mut Vec<(u32, u32)>,
    /// The open `try_table`s with catch clauses, outer first (`exceptions.rs`).
    pub(super) try_scopes: Vec<super::exceptions::TryScope>,
}
