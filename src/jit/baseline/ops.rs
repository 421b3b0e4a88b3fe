//! The operator dispatch: every operator this tier compiles, and which ones call out.

use crate::jit::CompileError;
use wasmparser::Operator;

use crate::jit::convert::{conv, fop};
use crate::jit::masm::{
    Alu, Cond, DivOp, Ext, ExtFrom, Float, Gpr, Label, Mem, Operand, RoundMode, Shift, Size,
    SseArith, SseLogic, Width,
};
use crate::module::ops::IntCmp as ICmp;
use crate::runtime::TrapCode;
use crate::runtime::libcalls::helper_index as hi;
use crate::runtime::vmctx::offsets as vo;

use super::abi::*;
use super::compiler::*;
use super::float::*;

type Result<T> = std::result::Result<T, crate::jit::CompileError>;

impl Compiler<'_> {
    pub(super) fn op(&mut self, op: Operator) -> Result<()> {
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
        let at = self.masm.offset() as u32;
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

    pub(super) fn op_dispatch(&mut self, op: Operator) -> Result<()> {
        use Operator as O;
        if let Some((cmp, wide)) = ICmp::of(&op) {
            return self.icmp(if wide { Width::W64 } else { Width::W32 }, cmp);
        }
        match op {
            O::Nop => {}
            O::Unreachable => {
                let trap = self.trap_label(TrapCode::Unreachable);
                self.masm.jmp(trap);
                self.unreachable = true;
            }
            O::Block { blockty } => {
                self.enter_block(Kind::Block, blockty)?;
            }
            O::Loop { blockty } => {
                let label = self.enter_block(Kind::Loop, blockty)?;
                self.masm.bind(label);
                self.loop_headers.push((self.offset, label));
                self.epoch_check();
            }
            O::If { blockty } => {
                let cond = self.pop()?;
                // The block entry spills the stack; the condition is read first, into rcx
                // unless it is in a register (spilling never writes registers but rax).
                let cond = self.gpr_of(cond, Width::W32, Gpr::Rcx);
                self.enter_block(Kind::If, blockty)?;
                let else_label = self.masm.new_label();
                if let Some(ctrl) = self.ctrl.last_mut() {
                    ctrl.else_label = Some(else_label);
                }
                self.masm.test_branch(Width::W32, cond, Cond::E, else_label);
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
                self.masm.test(Width::W32, cond, cond);
                if self.needs_moves(target) {
                    let skip = self.masm.new_label();
                    self.masm.branch(Cond::E, skip);
                    self.emit_branch(relative_depth)?;
                    self.masm.bind(skip);
                } else {
                    let label = self.ctrl[target].label;
                    self.masm.branch(Cond::Ne, label);
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
                            let l = self.masm.new_label();
                            stubs.push((d, l));
                            l
                        }
                    };
                    entry_labels.push(label);
                }
                let table = self.masm.new_label();
                let default = entry_labels[n as usize];
                self.masm
                    .cmp_exact(Width::W32, Gpr::Rcx, Operand::Imm(n as i32));
                self.masm.branch(Cond::Ae, default);
                self.masm.jump_table(Gpr::Rcx, table);
                self.masm.align(4);
                self.masm.bind(table);
                let start = self.masm.offset() as u32;
                for &l in &entry_labels[..n as usize] {
                    self.masm.emit_label_diff32(l, table);
                }
                self.data.push((start, self.masm.offset() as u32));
                for (d, l) in stubs {
                    self.masm.bind(l);
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
                self.masm.load_bits(
                    Size::S64,
                    dst,
                    Mem::base_disp(VMCTX, vo::VMCTX_GLOBALS as i32),
                );
                self.masm
                    .load_bits(Size::S64, dst, Mem::base_disp(dst, global_index as i32 * 8));
                self.masm.load_bits(Size::S64, dst, Mem::base(dst));
                self.push(Opd::Reg(dst));
            }
            O::GlobalSet { global_index } => {
                let v = self.pop()?;
                let v = self.gpr_of(v, Width::W64, Gpr::Rcx);
                self.masm.load_bits(
                    Size::S64,
                    Gpr::Rax,
                    Mem::base_disp(VMCTX, vo::VMCTX_GLOBALS as i32),
                );
                self.masm.load_bits(
                    Size::S64,
                    Gpr::Rax,
                    Mem::base_disp(Gpr::Rax, global_index as i32 * 8),
                );
                self.masm.store(Size::S64, Mem::base(Gpr::Rax), v);
            }

            // ----- memory -----
            O::I32Load { memarg } | O::I64Load32U { memarg } => {
                self.load_op(memarg, Size::S32, Ext::Zero, Width::W32)?
            }
            O::I64Load { memarg } => self.load_op(memarg, Size::S64, Ext::Zero, Width::W64)?,
            O::F32Load { memarg } => self.load_float(memarg, Float::F32)?,
            O::F64Load { memarg } => self.load_float(memarg, Float::F64)?,
            O::I32Load8S { memarg } => self.load_op(memarg, Size::S8, Ext::Sign, Width::W32)?,
            O::I32Load8U { memarg } | O::I64Load8U { memarg } => {
                self.load_op(memarg, Size::S8, Ext::Zero, Width::W32)?
            }
            O::I32Load16S { memarg } => self.load_op(memarg, Size::S16, Ext::Sign, Width::W32)?,
            O::I32Load16U { memarg } | O::I64Load16U { memarg } => {
                self.load_op(memarg, Size::S16, Ext::Zero, Width::W32)?
            }
            O::I64Load8S { memarg } => self.load_op(memarg, Size::S8, Ext::Sign, Width::W64)?,
            O::I64Load16S { memarg } => self.load_op(memarg, Size::S16, Ext::Sign, Width::W64)?,
            O::I64Load32S { memarg } => self.load_op(memarg, Size::S32, Ext::Sign, Width::W64)?,
            O::I32Store { memarg } | O::F32Store { memarg } | O::I64Store32 { memarg } => {
                self.store_op(memarg, Size::S32)?
            }
            O::I64Store { memarg } | O::F64Store { memarg } => self.store_op(memarg, Size::S64)?,
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => self.store_op(memarg, Size::S8)?,
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => {
                self.store_op(memarg, Size::S16)?
            }
            O::MemorySize { .. } => {
                self.masm.load_bits(
                    Size::S64,
                    Gpr::Rax,
                    Mem::base_disp(VMCTX, vo::VMCTX_MEMORY as i32),
                );
                self.masm.load_bits(
                    Size::S64,
                    Gpr::Rax,
                    Mem::base_disp(Gpr::Rax, vo::MEMORY_DEF_LEN as i32),
                );
                self.masm.shift_imm(Shift::Shr, Width::W64, Gpr::Rax, 16);
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
                self.masm.mov_imm(Width::W32, Gpr::Rsi, data_index as i64);
                self.load(Gpr::Rdx, dst, Width::W32);
                self.load(Gpr::Rcx, src, Width::W32);
                self.load(Gpr::R8, len, Width::W32);
                self.helper_call(hi::MEMORY_INIT, true);
            }
            O::DataDrop { data_index } => {
                self.masm.mov_imm(Width::W32, Gpr::Rsi, data_index as i64);
                self.helper_call(hi::DATA_DROP, false);
            }

            // ----- tables and references -----
            O::TableGet { table } => {
                let index = self.pop()?;
                self.masm.mov_imm(Width::W32, Gpr::Rsi, table as i64);
                self.load(Gpr::Rdx, index, Width::W32);
                let h = self.stack.len();
                self.masm
                    .lea(Width::W64, Gpr::Rcx, slot_mem(self.canonical(h)));
                self.helper_call(hi::TABLE_GET, true);
                self.push_slot_result();
            }
            O::TableSet { table } => {
                let value = self.pop()?;
                let index = self.pop()?;
                self.masm.mov_imm(Width::W32, Gpr::Rsi, table as i64);
                self.load(Gpr::Rdx, index, Width::W32);
                self.load(Gpr::Rcx, value, Width::W64);
                self.helper_call(hi::TABLE_SET, true);
            }
            O::TableSize { table } => {
                self.load_table_def(table);
                self.masm.load_bits(
                    Size::S32,
                    Gpr::Rax,
                    Mem::base_disp(Gpr::Rax, vo::TABLE_DEF_LEN as i32),
                );
                self.push_rax();
            }
            O::TableGrow { table } => {
                let delta = self.pop()?;
                let init = self.pop()?;
                self.masm.mov_imm(Width::W32, Gpr::Rsi, table as i64);
                self.load(Gpr::Rdx, init, Width::W64);
                self.load(Gpr::Rcx, delta, Width::W32);
                self.helper_call(hi::TABLE_GROW, false);
                self.push_rax();
            }
            O::TableFill { table } => {
                let len = self.pop()?;
                let value = self.pop()?;
                let dst = self.pop()?;
                self.masm.mov_imm(Width::W32, Gpr::Rsi, table as i64);
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
                self.masm.mov_imm(Width::W32, Gpr::Rsi, dst_table as i64);
                self.masm.mov_imm(Width::W32, Gpr::Rdx, src_table as i64);
                self.load(Gpr::Rcx, dst, Width::W32);
                self.load(Gpr::R8, src, Width::W32);
                self.load(Gpr::R9, len, Width::W32);
                self.helper_call(hi::TABLE_COPY, true);
            }
            O::TableInit { elem_index, table } => {
                let len = self.pop()?;
                let src = self.pop()?;
                let dst = self.pop()?;
                self.masm.mov_imm(Width::W32, Gpr::Rsi, table as i64);
                self.masm.mov_imm(Width::W32, Gpr::Rdx, elem_index as i64);
                self.load(Gpr::Rcx, dst, Width::W32);
                self.load(Gpr::R8, src, Width::W32);
                self.load(Gpr::R9, len, Width::W32);
                self.helper_call(hi::TABLE_INIT, true);
            }
            O::ElemDrop { elem_index } => {
                self.masm.mov_imm(Width::W32, Gpr::Rsi, elem_index as i64);
                self.helper_call(hi::ELEM_DROP, false);
            }
            O::RefNull { .. } => self.push_const(0),
            O::RefIsNull => {
                let v = self.pop()?;
                self.load(Gpr::Rcx, v, Width::W64);
                self.masm.zero(Gpr::Rax);
                self.masm.cmp(Width::W64, Gpr::Rcx, Operand::Imm(0));
                self.masm.setcc(Cond::E, Gpr::Rax);
                self.push_rax();
            }
            O::RefFunc { function_index } => {
                self.masm.load_bits(
                    Size::S64,
                    Gpr::Rax,
                    Mem::base_disp(VMCTX, vo::VMCTX_FUNCS as i32),
                );
                self.masm.load_bits(
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
            O::I32DivS => self.div(Width::W32, DivOp::DivS)?,
            O::I32DivU => self.div(Width::W32, DivOp::DivU)?,
            O::I32RemS => self.div(Width::W32, DivOp::RemS)?,
            O::I32RemU => self.div(Width::W32, DivOp::RemU)?,
            O::I64DivS => self.div(Width::W64, DivOp::DivS)?,
            O::I64DivU => self.div(Width::W64, DivOp::DivU)?,
            O::I64RemS => self.div(Width::W64, DivOp::RemS)?,
            O::I64RemU => self.div(Width::W64, DivOp::RemU)?,
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
                            Opd::Reg(r) => self.masm.mov(Size::S32, dst, r),
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
                            Opd::Slot(s) => self.masm.sign_extend32_mem(dst, slot_mem(s)),
                            _ => {
                                let src = self.gpr_of(v, Width::W32, Gpr::Rcx);
                                self.masm.sign_extend32(dst, src);
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
            O::F32Abs => self.fsign(Float::F32, SseLogic::And, 0x7fff_ffff)?,
            O::F32Neg => self.fsign(Float::F32, SseLogic::Xor, 0x8000_0000)?,
            O::F32Copysign => self.fcopysign(Float::F32, 0x7fff_ffff)?,
            O::F64Abs => self.fsign(Float::F64, SseLogic::And, i64::MAX as u64)?,
            O::F64Neg => self.fsign(Float::F64, SseLogic::Xor, 1 << 63)?,
            O::F64Copysign => self.fcopysign(Float::F64, i64::MAX as u64)?,
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
                self.masm.demote(dst);
                self.push(Opd::Xmm(dst, Float::F32));
            }
            O::F64PromoteF32 => {
                let v = self.pop()?;
                let dst = self.result_xmm(v, &[]);
                self.load_xmm(dst, v, Float::F32);
                self.masm.promote(dst);
                self.push(Opd::Xmm(dst, Float::F64));
            }
            // Slots hold raw bits: reinterpretation moves nothing.
            O::I32ReinterpretF32
            | O::F32ReinterpretI32
            | O::I64ReinterpretF64
            | O::F64ReinterpretI64 => {}
            other => return Err(CompileError::unsupported(self.offset, &other)),
        }
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
}
