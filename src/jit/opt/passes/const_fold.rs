//! Constant folding and algebraic simplification, with wasm's semantics exactly: integer
//! arithmetic wraps, shift and rotate counts are taken modulo the width, an operation that
//! would trap with its constant operands (division by zero, `i32.div_s` of `MIN` by -1) is
//! left in place so it still traps, and a float operation is folded only when the result is
//! bit-exact whatever the engine: not a NaN (wasm leaves the NaN's payload open, the tiers
//! would have to agree on it), except the sign-bit operations (`neg`, `abs`, `copysign`)
//! and `reinterpret`, which are defined bit for bit. Compares and int -> float conversions
//! (round to nearest) always fold.
//!
//! Simplifications replace an instruction by one of its operands (`x + 0`, `x * 1`, `x | x`,
//! `select c, x, x`, ...) or by a constant (`x - x`, `x ^ x`, `x * 0` for integers,
//! `x == x` for integers); constants of commutative operations move to the right so GVN sees
//! one form. A `br_if`/`br_table` on a constant becomes a `jump` (DCE then removes the
//! blocks no longer reached). Replaced instructions are left unused for DCE.

use crate::jit::opt::cfg::Cfg;
use crate::jit::opt::ir::{Function, Imm, Target, Terminator, Value, resolve};
use crate::jit::opt::ops::{Opcode, Sig};
use crate::module::ValType;
use crate::runtime::float::{fmax32, fmax64, fmin32, fmin64};

/// What an instruction folds to.
enum Fold {
    Const(i64),
    Value(Value),
}

pub fn run(func: &mut Function) {
    let cfg = Cfg::new(func);
    let mut alias: Vec<Option<Value>> = vec![None; func.values.len()];
    for &block in &cfg.rpo {
        for &inst in &func.blocks[block.index()].insts.clone() {
            let data = &mut func.insts[inst.index()];
            for arg in &mut data.args {
                *arg = resolve(&alias, *arg);
            }
            let op = data.op;
            let flags = op.flags();
            if flags.reads || flags.writes || op.sig() == Sig::Any {
                continue;
            }
            let mut args = data.args.clone();
            if op.is_commutative()
                && func.const_of(args[0]).is_some()
                && func.const_of(args[1]).is_none()
            {
                args.swap(0, 1);
                func.insts[inst.index()].args.clone_from(&args);
            }
            let Some(fold) = fold(func, op, &args) else {
                continue;
            };
            let data = &mut func.insts[inst.index()];
            match fold {
                Fold::Const(bits) => {
                    let ty = func.values[data.results[0].index()].ty;
                    data.op = const_op(ty);
                    data.imm = Imm::Int(bits);
                    data.args.clear();
                }
                Fold::Value(v) => alias[data.results[0].index()] = Some(v),
            }
        }
        let mut term = func.blocks[block.index()].term.take().expect("terminated");
        term.map_values(|v| resolve(&alias, v));
        term = match term {
            Terminator::BrIf { cond, then, els } => match func.const_of(cond) {
                Some(c) => Terminator::Jump(if c != 0 { then } else { els }),
                None => Terminator::BrIf { cond, then, els },
            },
            Terminator::BrTable {
                index,
                targets,
                default,
            } => match func.const_of(index) {
                Some(i) => {
                    let t: Target = targets.get(i as u32 as usize).cloned().unwrap_or(default);
                    Terminator::Jump(t)
                }
                None => Terminator::BrTable {
                    index,
                    targets,
                    default,
                },
            },
            other => other,
        };
        func.blocks[block.index()].term = Some(term);
    }
    func.rewrite_uses(|v| resolve(&alias, v));
}

fn const_op(ty: ValType) -> Opcode {
    match ty {
        ValType::I64 => Opcode::I64Const,
        ValType::F32 => Opcode::F32Const,
        ValType::F64 => Opcode::F64Const,
        _ => Opcode::I32Const,
    }
}

fn fold(func: &Function, op: Opcode, args: &[Value]) -> Option<Fold> {
    let consts: Option<Vec<i64>> = args.iter().map(|&a| func.const_of(a)).collect();
    match consts {
        Some(c) if !c.is_empty() && op != Opcode::Select => eval(op, &c).map(Fold::Const),
        _ => identity(func, op, args),
    }
}

/// Identities with at least one non-constant operand (constants are on the right).
fn identity(func: &Function, op: Opcode, args: &[Value]) -> Option<Fold> {
    use Opcode::*;
    if op == Select {
        if args[0] == args[1] {
            return Some(Fold::Value(args[0]));
        }
        return func
            .const_of(args[2])
            .map(|c| Fold::Value(if c != 0 { args[0] } else { args[1] }));
    }
    if args.len() != 2 {
        return None;
    }
    let (x, y) = (args[0], args[1]);
    let rhs = func.const_of(y);
    let same = x == y;
    Some(match (op, rhs) {
        (
            I32Add | I32Sub | I32Or | I32Xor | I32Shl | I32ShrS | I32ShrU | I32Rotl | I32Rotr,
            Some(0),
        )
        | (
            I64Add | I64Sub | I64Or | I64Xor | I64Shl | I64ShrS | I64ShrU | I64Rotl | I64Rotr,
            Some(0),
        ) => Fold::Value(x),
        (I32Shl | I32ShrS | I32ShrU | I32Rotl | I32Rotr, Some(c)) if c & 31 == 0 => Fold::Value(x),
        (I64Shl | I64ShrS | I64ShrU | I64Rotl | I64Rotr, Some(c)) if c & 63 == 0 => Fold::Value(x),
        (I32Mul | I32DivS | I32DivU | I64Mul | I64DivS | I64DivU, Some(1)) => Fold::Value(x),
        (I32Mul | I32And | I64Mul | I64And, Some(0)) => Fold::Const(0),
        (I32And | I64And, Some(-1)) => Fold::Value(x),
        (I32And, Some(c)) if c as i32 == -1 => Fold::Value(x),
        (I32Or, Some(c)) if c as i32 == -1 => Fold::Const(-1),
        (I64Or, Some(-1)) => Fold::Const(-1),
        (I32RemU | I32RemS | I64RemU | I64RemS, Some(1)) => Fold::Const(0),
        (I32And | I32Or | I64And | I64Or, _) if same => Fold::Value(x),
        (I32Sub | I32Xor | I64Sub | I64Xor, _) if same => Fold::Const(0),
        (
            I32Eq | I32LeS | I32LeU | I32GeS | I32GeU | I64Eq | I64LeS | I64LeU | I64GeS | I64GeU,
            _,
        ) if same => Fold::Const(1),
        (
            I32Ne | I32LtS | I32LtU | I32GtS | I32GtU | I64Ne | I64LtS | I64LtU | I64GtS | I64GtU,
            _,
        ) if same => Fold::Const(0),
        (I32LtU | I64LtU, Some(0)) => Fold::Const(0),
        (I32GeU | I64GeU, Some(0)) => Fold::Const(1),
        _ => return None,
    })
}

fn f32_bits(x: f32) -> i64 {
    i64::from(x.to_bits())
}

fn f64_bits(x: f64) -> i64 {
    x.to_bits() as i64
}

fn i32_val(x: i32) -> i64 {
    i64::from(x)
}

fn b(x: bool) -> i64 {
    i64::from(x)
}

/// Folds a float result only when it is not a NaN (see the module docs).
fn exact32(x: f32) -> Option<i64> {
    (!x.is_nan()).then(|| f32_bits(x))
}

fn exact64(x: f64) -> Option<i64> {
    (!x.is_nan()).then(|| f64_bits(x))
}

/// `op` on constant operands (bits as [`Imm::Int`] holds them), `None` when it does not
/// fold (it would trap, or the result is not bit-exact). Also the evaluator of the passes'
/// differential test (`tests/opt.rs`).
pub fn eval(op: Opcode, c: &[i64]) -> Option<i64> {
    use Opcode::*;
    let &first = c.first()?;
    let a32 = first as i32;
    let a64 = first;
    let af = f32::from_bits(first as u32);
    let ad = f64::from_bits(first as u64);
    if c.len() == 1 {
        return Some(match op {
            I32Eqz => b(a32 == 0),
            I64Eqz => b(a64 == 0),
            I32Clz => i64::from(a32.leading_zeros()),
            I32Ctz => i64::from(a32.trailing_zeros()),
            I32Popcnt => i64::from(a32.count_ones()),
            I64Clz => i64::from(a64.leading_zeros()),
            I64Ctz => i64::from(a64.trailing_zeros()),
            I64Popcnt => i64::from(a64.count_ones()),
            I32WrapI64 => i32_val(a64 as i32),
            I64ExtendI32S => i64::from(a32),
            I64ExtendI32U => i64::from(a32 as u32),
            I32Extend8S => i32_val(i32::from(a32 as i8)),
            I32Extend16S => i32_val(i32::from(a32 as i16)),
            I64Extend8S => i64::from(a64 as i8),
            I64Extend16S => i64::from(a64 as i16),
            I64Extend32S => i64::from(a64 as i32),
            F32Abs => f32_bits(af.abs()),
            F32Neg => f32_bits(-af),
            F64Abs => f64_bits(ad.abs()),
            F64Neg => f64_bits(-ad),
            F32Ceil => exact32(af.ceil())?,
            F32Floor => exact32(af.floor())?,
            F32Trunc => exact32(af.trunc())?,
            F32Nearest => exact32(af.round_ties_even())?,
            F32Sqrt => exact32(af.sqrt())?,
            F64Ceil => exact64(ad.ceil())?,
            F64Floor => exact64(ad.floor())?,
            F64Trunc => exact64(ad.trunc())?,
            F64Nearest => exact64(ad.round_ties_even())?,
            F64Sqrt => exact64(ad.sqrt())?,
            F32ConvertI32S => f32_bits(a32 as f32),
            F32ConvertI32U => f32_bits(a32 as u32 as f32),
            F32ConvertI64S => f32_bits(a64 as f32),
            F32ConvertI64U => f32_bits(a64 as u64 as f32),
            F64ConvertI32S => f64_bits(f64::from(a32)),
            F64ConvertI32U => f64_bits(f64::from(a32 as u32)),
            F64ConvertI64S => f64_bits(a64 as f64),
            F64ConvertI64U => f64_bits(a64 as u64 as f64),
            F32DemoteF64 => exact32(ad as f32)?,
            F64PromoteF32 => exact64(f64::from(af))?,
            I32ReinterpretF32 => i32_val(af.to_bits() as i32),
            I64ReinterpretF64 => ad.to_bits() as i64,
            F32ReinterpretI32 => i64::from(a32 as u32),
            F64ReinterpretI64 => a64,
            // Rust's `as` from float to int saturates and maps NaN to 0, as trunc_sat does.
            I32TruncSatF32S => i32_val(af as i32),
            I32TruncSatF32U => i32_val(af as u32 as i32),
            I32TruncSatF64S => i32_val(ad as i32),
            I32TruncSatF64U => i32_val(ad as u32 as i32),
            I64TruncSatF32S => af as i64,
            I64TruncSatF32U => af as u64 as i64,
            I64TruncSatF64S => ad as i64,
            I64TruncSatF64U => ad as u64 as i64,
            _ => return None,
        });
    }
    if c.len() != 2 {
        return None;
    }
    let (b32, b64) = (c[1] as i32, c[1]);
    let bf = f32::from_bits(c[1] as u32);
    let bd = f64::from_bits(c[1] as u64);
    let (ua, ub) = (a32 as u32, b32 as u32);
    let (ua64, ub64) = (a64 as u64, b64 as u64);
    Some(match op {
        I32Eq => b(a32 == b32),
        I32Ne => b(a32 != b32),
        I32LtS => b(a32 < b32),
        I32LtU => b(ua < ub),
        I32GtS => b(a32 > b32),
        I32GtU => b(ua > ub),
        I32LeS => b(a32 <= b32),
        I32LeU => b(ua <= ub),
        I32GeS => b(a32 >= b32),
        I32GeU => b(ua >= ub),
        I64Eq => b(a64 == b64),
        I64Ne => b(a64 != b64),
        I64LtS => b(a64 < b64),
        I64LtU => b(ua64 < ub64),
        I64GtS => b(a64 > b64),
        I64GtU => b(ua64 > ub64),
        I64LeS => b(a64 <= b64),
        I64LeU => b(ua64 <= ub64),
        I64GeS => b(a64 >= b64),
        I64GeU => b(ua64 >= ub64),
        F32Eq => b(af == bf),
        F32Ne => b(af != bf),
        F32Lt => b(af < bf),
        F32Gt => b(af > bf),
        F32Le => b(af <= bf),
        F32Ge => b(af >= bf),
        F64Eq => b(ad == bd),
        F64Ne => b(ad != bd),
        F64Lt => b(ad < bd),
        F64Gt => b(ad > bd),
        F64Le => b(ad <= bd),
        F64Ge => b(ad >= bd),
        I32Add => i32_val(a32.wrapping_add(b32)),
        I32Sub => i32_val(a32.wrapping_sub(b32)),
        I32Mul => i32_val(a32.wrapping_mul(b32)),
        I32DivS if b32 != 0 && !(a32 == i32::MIN && b32 == -1) => i32_val(a32 / b32),
        I32DivU if ub != 0 => i32_val((ua / ub) as i32),
        I32RemS if b32 != 0 => i32_val(a32.wrapping_rem(b32)),
        I32RemU if ub != 0 => i32_val((ua % ub) as i32),
        I32And => i32_val(a32 & b32),
        I32Or => i32_val(a32 | b32),
        I32Xor => i32_val(a32 ^ b32),
        I32Shl => i32_val(a32.wrapping_shl(ub)),
        I32ShrS => i32_val(a32.wrapping_shr(ub)),
        I32ShrU => i32_val(ua.wrapping_shr(ub) as i32),
        I32Rotl => i32_val(ua.rotate_left(ub % 32) as i32),
        I32Rotr => i32_val(ua.rotate_right(ub % 32) as i32),
        I64Add => a64.wrapping_add(b64),
        I64Sub => a64.wrapping_sub(b64),
        I64Mul => a64.wrapping_mul(b64),
        I64DivS if b64 != 0 && !(a64 == i64::MIN && b64 == -1) => a64 / b64,
        I64DivU if ub64 != 0 => (ua64 / ub64) as i64,
        I64RemS if b64 != 0 => a64.wrapping_rem(b64),
        I64RemU if ub64 != 0 => (ua64 % ub64) as i64,
        I64And => a64 & b64,
        I64Or => a64 | b64,
        I64Xor => a64 ^ b64,
        I64Shl => a64.wrapping_shl(ub64 as u32),
        I64ShrS => a64.wrapping_shr(ub64 as u32),
        I64ShrU => ua64.wrapping_shr(ub64 as u32) as i64,
        I64Rotl => ua64.rotate_left((ub64 % 64) as u32) as i64,
        I64Rotr => ua64.rotate_right((ub64 % 64) as u32) as i64,
        F32Add => exact32(af + bf)?,
        F32Sub => exact32(af - bf)?,
        F32Mul => exact32(af * bf)?,
        F32Div => exact32(af / bf)?,
        F32Min => exact32(fmin32(af, bf))?,
        F32Max => exact32(fmax32(af, bf))?,
        F32Copysign => f32_bits(af.copysign(bf)),
        F64Add => exact64(ad + bd)?,
        F64Sub => exact64(ad - bd)?,
        F64Mul => exact64(ad * bd)?,
        F64Div => exact64(ad / bd)?,
        F64Min => exact64(fmin64(ad, bd))?,
        F64Max => exact64(fmax64(ad, bd))?,
        F64Copysign => f64_bits(ad.copysign(bd)),
        _ => return None,
    })
}
