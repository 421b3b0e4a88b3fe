//! The hooks every operator goes through before its visit method (`visit.rs`): skipping
//! unreachable code, the pc map, and spilling before operators that call out.

use wasmparser::{Operator, VisitOperator};

use crate::runtime::simd::SimdOp;

use super::compiler::*;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

impl Compiler<'_> {
    pub(super) fn op(&mut self, op: Operator) -> Result<()> {
        use Operator as O;
        if self.unreachable {
            match op {
                // Every operator that opens a block (a `try_table` too: dead code may hold
                // one, though tier 1 refuses a reachable one) is matched by an `end`.
                O::Block { .. } | O::Loop { .. } | O::If { .. } | O::TryTable { .. } => {
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
        self.mark_access();
        if let Some(simd) = SimdOp::from_operator(&op) {
            return self.simd_op(simd);
        }
        if self.calls_out(&op) {
            // Every register is clobbered by the callee, and helpers take their arguments in
            // pool and home registers: the stack and the locals go to their slots first.
            self.materialize_all();
            self.store_homes();
            self.visit_operator(&op)?;
            self.load_homes();
            return Ok(());
        }
        self.visit_operator(&op)
    }

    /// A SIMD operator (`simd.rs`), spilled around like the other operators when it calls
    /// out.
    fn simd_op(&mut self, op: SimdOp) -> Result<()> {
        if !self.simd_calls_out(&op) {
            return self.simd(op);
        }
        self.materialize_all();
        self.store_homes();
        self.simd(op)?;
        self.load_homes();
        Ok(())
    }

    /// Whether `op` calls out of the function's code (other functions, runtime or JIT
    /// helpers): the value stack is spilled first.
    pub(super) fn calls_out(&self, op: &Operator) -> bool {
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
            | O::F64ConvertI64U
            | O::Throw { .. }
            | O::ThrowRef => true,
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
}
