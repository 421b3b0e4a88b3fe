//! Linear memory accesses through the guard region (explicit checks only for huge static
//! offsets), and the map from faulting instructions to wasm offsets.

use wasmparser::MemArg;

use crate::jit::masm::{Cond, Ext, Float, Gpr, Mem, Scale, Size, Width};
use crate::runtime::TrapCode;
use crate::runtime::vmctx::offsets as vo;

use super::abi::*;
use super::compiler::*;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

impl Compiler<'_> {
    /// Pops the address, leaves the effective address operand (based on `r13`), with an
    /// explicit bounds check when the static offset is beyond the guard region. Uses `rax`,
    /// `rcx` and `rdx` as scratch, never a pool register.
    pub(super) fn address(&mut self, memarg: MemArg, size: u32) -> Result<Mem> {
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
        self.masm.mov_imm(
            Width::W64,
            Gpr::Rcx,
            (memarg.offset + u64::from(size)) as i64,
        );
        self.masm.add(Width::W64, Gpr::Rcx, Gpr::Rax);
        self.masm.load_bits(
            Size::S64,
            Gpr::Rdx,
            Mem::base_disp(VMCTX, vo::VMCTX_MEMORY as i32),
        );
        self.masm.cmp(
            Width::W64,
            Gpr::Rcx,
            Mem::base_disp(Gpr::Rdx, vo::MEMORY_DEF_LEN as i32),
        );
        self.masm.branch(Cond::A, oob);
        self.masm
            .mov_imm(Width::W64, Gpr::Rcx, memarg.offset as i64);
        self.masm.add(Width::W64, Gpr::Rax, Gpr::Rcx);
        Ok(Mem::indexed(MEMBASE, Gpr::Rax, Scale::S1, 0))
    }

    /// A load of `size` bytes extended by `ext` to `width`, into a pool register.
    pub(super) fn load_op(
        &mut self,
        memarg: MemArg,
        size: Size,
        ext: Ext,
        width: Width,
    ) -> Result<()> {
        let dst = match self.stack.last() {
            Some(&Opd::Reg(r)) if self.gpr_pool.contains(&r) => r,
            _ => self.alloc_gpr(&[]),
        };
        let mem = self.address(memarg, size.bytes())?;
        self.mark_access();
        self.masm.load(dst, mem, size, ext, width);
        self.push(Opd::Reg(dst));
        Ok(())
    }

    pub(super) fn load_float(&mut self, memarg: MemArg, float: Float) -> Result<()> {
        let dst = self.alloc_xmm(&[]);
        let size = if float == Float::F32 { 4 } else { 8 };
        let mem = self.address(memarg, size)?;
        self.mark_access();
        self.masm.fload(float, dst, mem);
        self.push(Opd::Xmm(dst, float));
        Ok(())
    }

    pub(super) fn store_op(&mut self, memarg: MemArg, size: Size) -> Result<()> {
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
                self.masm.fstore(float, mem, x);
            }
            Opd::Const(c) if size != Size::S64 || i32::try_from(c as i64).is_ok() => {
                self.mark_access();
                self.masm.store_imm(size, mem, c as i64 as i32);
            }
            _ => {
                let v = self.gpr_of(value, Width::W64, Gpr::Rdx);
                self.mark_access();
                self.masm.store(size, mem, v);
            }
        }
        Ok(())
    }

    /// Maps the next instruction (an operator's first, or a memory access that may fault) to
    /// the current operator.
    pub(super) fn mark_access(&mut self) {
        let at = self.masm.offset() as u32;
        match self.pc_map.last_mut() {
            Some(last) if last.0 == at => last.1 = self.offset,
            _ => self.pc_map.push((at, self.offset)),
        }
    }
}
