//! The ABI of compiled code: pinned registers, the register pools and homes, frame slots.

use crate::jit::masm::{Float, Gpr, Size, Width, Xmm};

/// Pinned registers (see the `jit` module docs).
/// Version of the generated code's shape and of everything it assumes beyond the layouts
/// (register conventions, frame shape, helper signatures). Bump it with any such change:
/// AOT sidecars record it and refuse to load code of another shape.
pub const CODE_SHAPE_VERSION: u32 = 10;

pub(super) use crate::jit::abi::{EXEC, FP, MAX_UNCHECKED_OFFSET, MEMBASE, VMCTX, slot_mem};

/// Registers the value stack hands out (see the module docs, "Registers"). `rax`, `rcx` and
/// `rdx` stay scratch for the operators (division, shifts, helpers' results), and the
/// pinned registers are never handed out.
pub(super) const GPR_POOL: [Gpr; 7] = [
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
pub(super) const GPR_HOMES: [Gpr; 4] = [Gpr::Rbx, Gpr::R11, Gpr::R10, Gpr::R9];

/// SSE registers that hold float locals (taken from the end of [`XMM_POOL`]).
pub(super) const XMM_HOMES: [Xmm; 6] = [
    Xmm::Xmm15,
    Xmm::Xmm14,
    Xmm::Xmm13,
    Xmm::Xmm12,
    Xmm::Xmm11,
    Xmm::Xmm10,
];

/// SSE registers the value stack hands out; `xmm0` and `xmm1` stay scratch.
pub(super) const XMM_POOL: [Xmm; 14] = [
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

/// The integer width of a float's bits.
pub(super) fn float_width(float: Float) -> Width {
    match float {
        Float::F32 => Width::W32,
        Float::F64 => Width::W64,
    }
}

pub(super) fn width_size(width: Width) -> Size {
    match width {
        Width::W32 => Size::S32,
        Width::W64 => Size::S64,
    }
}
