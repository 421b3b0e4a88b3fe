//! The register operators: lane-wise arithmetic, compares, conversions, lane access, shuffles.

use super::super::float::{fmax32, fmax64, fmin32, fmin64, quieted32, quieted64};
use super::{BinaryOp, ExtractOp, ReplaceOp, ShiftOp, SplatOp, TestOp, UnaryOp, V128};

/// `op a` lane by lane over `$get` lanes, rebuilt by `$from`.
macro_rules! map {
    ($a:expr, $get:ident, $from:ident, $f:expr) => {
        V128::$from($a.$get().map($f))
    };
}

/// `f(a[i], b[i])` lane by lane.
macro_rules! zip {
    ($a:expr, $b:expr, $get:ident, $from:ident, $f:expr) => {{
        let (x, y) = ($a.$get(), $b.$get());
        let f = $f;
        V128::$from(core::array::from_fn(|i| f(x[i], y[i])))
    }};
}

/// A compare: all ones where `f(a[i], b[i])`, lanes of `$mask` width.
macro_rules! cmp {
    ($a:expr, $b:expr, $get:ident, $from:ident, $f:expr) => {{
        let (x, y) = ($a.$get(), $b.$get());
        let f = $f;
        V128::$from(core::array::from_fn(|i| if f(x[i], y[i]) { !0 } else { 0 }))
    }};
}

/// Lanes `n*half..` of `$get` widened by `$w` into the `$from` shape.
macro_rules! widen {
    ($a:expr, $get:ident, $from:ident, $half:expr, $w:expr) => {{
        let x = $a.$get();
        let w = $w;
        V128::$from(core::array::from_fn(|i| w(x[i + $half])))
    }};
}

/// Lane `i` of the result from lanes `i+half` of both operands.
macro_rules! extmul {
    ($a:expr, $b:expr, $get:ident, $from:ident, $half:expr, $t:ty) => {{
        let (x, y) = ($a.$get(), $b.$get());
        V128::$from(core::array::from_fn(|i| {
            <$t>::from(x[i + $half]).wrapping_mul(<$t>::from(y[i + $half]))
        }))
    }};
}

/// Lane `i` of the result from lanes `2i` and `2i+1`.
macro_rules! pairwise {
    ($a:expr, $get:ident, $from:ident, $t:ty) => {{
        let x = $a.$get();
        V128::$from(core::array::from_fn(|i| {
            <$t>::from(x[2 * i]) + <$t>::from(x[2 * i + 1])
        }))
    }};
}

/// Signed/unsigned saturating narrowing of `a` then `b` into half-width lanes.
macro_rules! narrow {
    ($a:expr, $b:expr, $get:ident, $from:ident, $n:literal, $t:ty) => {{
        let (x, y) = ($a.$get(), $b.$get());
        V128::$from(core::array::from_fn(|i| {
            let v = if i < $n { x[i] } else { y[i - $n] };
            v.clamp(<$t>::MIN.into(), <$t>::MAX.into()) as $t
        }))
    }};
}

#[inline]
fn f32_bits(a: V128, f: impl Fn(u32) -> u32) -> V128 {
    map!(a, u32x4, from_u32x4, f)
}

#[inline]
fn f64_bits(a: V128, f: impl Fn(u64) -> u64) -> V128 {
    map!(a, u64x2, from_u64x2, f)
}

/// `pmin`: `b < a ? b : a`, one operand's bits unchanged.
#[inline]
fn pmin32(a: f32, b: f32) -> f32 {
    if b < a { b } else { a }
}

#[inline]
fn pmax32(a: f32, b: f32) -> f32 {
    if a < b { b } else { a }
}

#[inline]
fn pmin64(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

#[inline]
fn pmax64(a: f64, b: f64) -> f64 {
    if a < b { b } else { a }
}

/// `i16x8.q15mulr_sat_s` on one lane.
#[inline]
fn q15mulr(a: i16, b: i16) -> i16 {
    let r = (i32::from(a) * i32::from(b) + 0x4000) >> 15;
    r.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}

/// The `v128 -> v128` operators.
pub fn eval_unary(op: UnaryOp, a: V128) -> V128 {
    use UnaryOp as U;
    match op {
        U::V128Not => V128(!a.0),
        U::I8x16Abs => map!(a, i8x16, from_i8x16, i8::wrapping_abs),
        U::I8x16Neg => map!(a, i8x16, from_i8x16, i8::wrapping_neg),
        U::I8x16Popcnt => map!(a, u8x16, from_u8x16, |x: u8| x.count_ones() as u8),
        U::I16x8Abs => map!(a, i16x8, from_i16x8, i16::wrapping_abs),
        U::I16x8Neg => map!(a, i16x8, from_i16x8, i16::wrapping_neg),
        U::I32x4Abs => map!(a, i32x4, from_i32x4, i32::wrapping_abs),
        U::I32x4Neg => map!(a, i32x4, from_i32x4, i32::wrapping_neg),
        U::I64x2Abs => map!(a, i64x2, from_i64x2, i64::wrapping_abs),
        U::I64x2Neg => map!(a, i64x2, from_i64x2, i64::wrapping_neg),
        U::I16x8ExtAddPairwiseI8x16S => pairwise!(a, i8x16, from_i16x8, i16),
        U::I16x8ExtAddPairwiseI8x16U => pairwise!(a, u8x16, from_u16x8, u16),
        U::I32x4ExtAddPairwiseI16x8S => pairwise!(a, i16x8, from_i32x4, i32),
        U::I32x4ExtAddPairwiseI16x8U => pairwise!(a, u16x8, from_u32x4, u32),
        U::I16x8ExtendLowI8x16S => widen!(a, i8x16, from_i16x8, 0, i16::from),
        U::I16x8ExtendHighI8x16S => widen!(a, i8x16, from_i16x8, 8, i16::from),
        U::I16x8ExtendLowI8x16U => widen!(a, u8x16, from_u16x8, 0, u16::from),
        U::I16x8ExtendHighI8x16U => widen!(a, u8x16, from_u16x8, 8, u16::from),
        U::I32x4ExtendLowI16x8S => widen!(a, i16x8, from_i32x4, 0, i32::from),
        U::I32x4ExtendHighI16x8S => widen!(a, i16x8, from_i32x4, 4, i32::from),
        U::I32x4ExtendLowI16x8U => widen!(a, u16x8, from_u32x4, 0, u32::from),
        U::I32x4ExtendHighI16x8U => widen!(a, u16x8, from_u32x4, 4, u32::from),
        U::I64x2ExtendLowI32x4S => widen!(a, i32x4, from_i64x2, 0, i64::from),
        U::I64x2ExtendHighI32x4S => widen!(a, i32x4, from_i64x2, 2, i64::from),
        U::I64x2ExtendLowI32x4U => widen!(a, u32x4, from_u64x2, 0, u64::from),
        U::I64x2ExtendHighI32x4U => widen!(a, u32x4, from_u64x2, 2, u64::from),
        U::F32x4Ceil => map!(a, f32x4, from_f32x4, |x: f32| quieted32(x.ceil())),
        U::F32x4Floor => map!(a, f32x4, from_f32x4, |x: f32| quieted32(x.floor())),
        U::F32x4Trunc => map!(a, f32x4, from_f32x4, |x: f32| quieted32(x.trunc())),
        U::F32x4Nearest => map!(a, f32x4, from_f32x4, |x: f32| quieted32(
            x.round_ties_even()
        )),
        U::F32x4Abs => f32_bits(a, |x| x & 0x7fff_ffff),
        U::F32x4Neg => f32_bits(a, |x| x ^ 0x8000_0000),
        U::F32x4Sqrt => map!(a, f32x4, from_f32x4, f32::sqrt),
        U::F64x2Ceil => map!(a, f64x2, from_f64x2, |x: f64| quieted64(x.ceil())),
        U::F64x2Floor => map!(a, f64x2, from_f64x2, |x: f64| quieted64(x.floor())),
        U::F64x2Trunc => map!(a, f64x2, from_f64x2, |x: f64| quieted64(x.trunc())),
        U::F64x2Nearest => map!(a, f64x2, from_f64x2, |x: f64| quieted64(
            x.round_ties_even()
        )),
        U::F64x2Abs => f64_bits(a, |x| x & 0x7fff_ffff_ffff_ffff),
        U::F64x2Neg => f64_bits(a, |x| x ^ 0x8000_0000_0000_0000),
        U::F64x2Sqrt => map!(a, f64x2, from_f64x2, f64::sqrt),
        // Rust's float-to-int `as` is exactly trunc_sat: NaN -> 0, saturating at the bounds.
        U::I32x4TruncSatF32x4S => V128::from_i32x4(a.f32x4().map(|x| x as i32)),
        U::I32x4TruncSatF32x4U => V128::from_u32x4(a.f32x4().map(|x| x as u32)),
        U::F32x4ConvertI32x4S => V128::from_f32x4(a.i32x4().map(|x| x as f32)),
        U::F32x4ConvertI32x4U => V128::from_f32x4(a.u32x4().map(|x| x as f32)),
        U::I32x4TruncSatF64x2SZero => {
            let x = a.f64x2();
            V128::from_i32x4([x[0] as i32, x[1] as i32, 0, 0])
        }
        U::I32x4TruncSatF64x2UZero => {
            let x = a.f64x2();
            V128::from_u32x4([x[0] as u32, x[1] as u32, 0, 0])
        }
        U::F64x2ConvertLowI32x4S => {
            let x = a.i32x4();
            V128::from_f64x2([f64::from(x[0]), f64::from(x[1])])
        }
        U::F64x2ConvertLowI32x4U => {
            let x = a.u32x4();
            V128::from_f64x2([f64::from(x[0]), f64::from(x[1])])
        }
        U::F32x4DemoteF64x2Zero => {
            let x = a.f64x2();
            let d = |v: f64| quieted32(v as f32).to_bits();
            V128::from_u32x4([d(x[0]), d(x[1]), 0, 0])
        }
        U::F64x2PromoteLowF32x4 => {
            let x = a.f32x4();
            V128::from_f64x2([quieted64(f64::from(x[0])), quieted64(f64::from(x[1]))])
        }
    }
}

/// `i8x16.swizzle`: lane `i` is `a[s[i]]`, or 0 where `s[i] >= 16`.
pub fn swizzle(a: V128, s: V128) -> V128 {
    let (x, idx) = (a.u8x16(), s.u8x16());
    V128::from_u8x16(idx.map(|i| x.get(usize::from(i)).copied().unwrap_or(0)))
}

/// `i8x16.shuffle`: lane `i` is byte `i` of `lanes` as an index into `a ++ b` (validation
/// guarantees `< 32`; the index is taken modulo 32 here). The lanes come as a value, not a
/// reference: a reference to a copy on the caller's stack would keep the interpreter's handler
/// from jumping to the next one (the handler chain needs sibling calls).
pub fn shuffle(a: V128, b: V128, lanes: V128) -> V128 {
    let mut both = [0u8; 32];
    both[..16].copy_from_slice(&a.to_bytes());
    both[16..].copy_from_slice(&b.to_bytes());
    V128::from_u8x16(lanes.to_bytes().map(|i| both[usize::from(i & 31)]))
}

/// `v128.bitselect`: bits of `a` where `c` is 1, of `b` where it is 0.
pub fn bitselect(a: V128, b: V128, c: V128) -> V128 {
    V128((a.0 & c.0) | (b.0 & !c.0))
}

/// The `v128 v128 -> v128` operators.
pub fn eval_binary(op: BinaryOp, a: V128, b: V128) -> V128 {
    use BinaryOp as B;
    match op {
        B::V128And => V128(a.0 & b.0),
        B::V128AndNot => V128(a.0 & !b.0),
        B::V128Or => V128(a.0 | b.0),
        B::V128Xor => V128(a.0 ^ b.0),
        B::I8x16Swizzle => swizzle(a, b),
        B::I8x16Eq => cmp!(a, b, u8x16, from_u8x16, |x, y| x == y),
        B::I8x16Ne => cmp!(a, b, u8x16, from_u8x16, |x, y| x != y),
        B::I8x16LtS => cmp!(a, b, i8x16, from_i8x16, |x, y| x < y),
        B::I8x16LtU => cmp!(a, b, u8x16, from_u8x16, |x, y| x < y),
        B::I8x16GtS => cmp!(a, b, i8x16, from_i8x16, |x, y| x > y),
        B::I8x16GtU => cmp!(a, b, u8x16, from_u8x16, |x, y| x > y),
        B::I8x16LeS => cmp!(a, b, i8x16, from_i8x16, |x, y| x <= y),
        B::I8x16LeU => cmp!(a, b, u8x16, from_u8x16, |x, y| x <= y),
        B::I8x16GeS => cmp!(a, b, i8x16, from_i8x16, |x, y| x >= y),
        B::I8x16GeU => cmp!(a, b, u8x16, from_u8x16, |x, y| x >= y),
        B::I16x8Eq => cmp!(a, b, u16x8, from_u16x8, |x, y| x == y),
        B::I16x8Ne => cmp!(a, b, u16x8, from_u16x8, |x, y| x != y),
        B::I16x8LtS => cmp!(a, b, i16x8, from_i16x8, |x, y| x < y),
        B::I16x8LtU => cmp!(a, b, u16x8, from_u16x8, |x, y| x < y),
        B::I16x8GtS => cmp!(a, b, i16x8, from_i16x8, |x, y| x > y),
        B::I16x8GtU => cmp!(a, b, u16x8, from_u16x8, |x, y| x > y),
        B::I16x8LeS => cmp!(a, b, i16x8, from_i16x8, |x, y| x <= y),
        B::I16x8LeU => cmp!(a, b, u16x8, from_u16x8, |x, y| x <= y),
        B::I16x8GeS => cmp!(a, b, i16x8, from_i16x8, |x, y| x >= y),
        B::I16x8GeU => cmp!(a, b, u16x8, from_u16x8, |x, y| x >= y),
        B::I32x4Eq => cmp!(a, b, u32x4, from_u32x4, |x, y| x == y),
        B::I32x4Ne => cmp!(a, b, u32x4, from_u32x4, |x, y| x != y),
        B::I32x4LtS => cmp!(a, b, i32x4, from_i32x4, |x, y| x < y),
        B::I32x4LtU => cmp!(a, b, u32x4, from_u32x4, |x, y| x < y),
        B::I32x4GtS => cmp!(a, b, i32x4, from_i32x4, |x, y| x > y),
        B::I32x4GtU => cmp!(a, b, u32x4, from_u32x4, |x, y| x > y),
        B::I32x4LeS => cmp!(a, b, i32x4, from_i32x4, |x, y| x <= y),
        B::I32x4LeU => cmp!(a, b, u32x4, from_u32x4, |x, y| x <= y),
        B::I32x4GeS => cmp!(a, b, i32x4, from_i32x4, |x, y| x >= y),
        B::I32x4GeU => cmp!(a, b, u32x4, from_u32x4, |x, y| x >= y),
        B::I64x2Eq => cmp!(a, b, u64x2, from_u64x2, |x, y| x == y),
        B::I64x2Ne => cmp!(a, b, u64x2, from_u64x2, |x, y| x != y),
        B::I64x2LtS => cmp!(a, b, i64x2, from_i64x2, |x, y| x < y),
        B::I64x2GtS => cmp!(a, b, i64x2, from_i64x2, |x, y| x > y),
        B::I64x2LeS => cmp!(a, b, i64x2, from_i64x2, |x, y| x <= y),
        B::I64x2GeS => cmp!(a, b, i64x2, from_i64x2, |x, y| x >= y),
        B::F32x4Eq => fcmp32(a, b, |x, y| x == y),
        B::F32x4Ne => fcmp32(a, b, |x, y| x != y),
        B::F32x4Lt => fcmp32(a, b, |x, y| x < y),
        B::F32x4Gt => fcmp32(a, b, |x, y| x > y),
        B::F32x4Le => fcmp32(a, b, |x, y| x <= y),
        B::F32x4Ge => fcmp32(a, b, |x, y| x >= y),
        B::F64x2Eq => fcmp64(a, b, |x, y| x == y),
        B::F64x2Ne => fcmp64(a, b, |x, y| x != y),
        B::F64x2Lt => fcmp64(a, b, |x, y| x < y),
        B::F64x2Gt => fcmp64(a, b, |x, y| x > y),
        B::F64x2Le => fcmp64(a, b, |x, y| x <= y),
        B::F64x2Ge => fcmp64(a, b, |x, y| x >= y),
        B::I8x16NarrowI16x8S => narrow!(a, b, i16x8, from_i8x16, 8, i8),
        B::I8x16NarrowI16x8U => narrow!(a, b, i16x8, from_u8x16, 8, u8),
        B::I16x8NarrowI32x4S => narrow!(a, b, i32x4, from_i16x8, 4, i16),
        B::I16x8NarrowI32x4U => narrow!(a, b, i32x4, from_u16x8, 4, u16),
        B::I8x16Add => zip!(a, b, u8x16, from_u8x16, u8::wrapping_add),
        B::I8x16AddSatS => zip!(a, b, i8x16, from_i8x16, i8::saturating_add),
        B::I8x16AddSatU => zip!(a, b, u8x16, from_u8x16, u8::saturating_add),
        B::I8x16Sub => zip!(a, b, u8x16, from_u8x16, u8::wrapping_sub),
        B::I8x16SubSatS => zip!(a, b, i8x16, from_i8x16, i8::saturating_sub),
        B::I8x16SubSatU => zip!(a, b, u8x16, from_u8x16, u8::saturating_sub),
        B::I8x16MinS => zip!(a, b, i8x16, from_i8x16, Ord::min),
        B::I8x16MinU => zip!(a, b, u8x16, from_u8x16, Ord::min),
        B::I8x16MaxS => zip!(a, b, i8x16, from_i8x16, Ord::max),
        B::I8x16MaxU => zip!(a, b, u8x16, from_u8x16, Ord::max),
        B::I8x16AvgrU => zip!(a, b, u8x16, from_u8x16, |x: u8, y: u8| {
            ((u16::from(x) + u16::from(y) + 1) >> 1) as u8
        }),
        B::I16x8Q15MulrSatS => zip!(a, b, i16x8, from_i16x8, q15mulr),
        B::I16x8Add => zip!(a, b, u16x8, from_u16x8, u16::wrapping_add),
        B::I16x8AddSatS => zip!(a, b, i16x8, from_i16x8, i16::saturating_add),
        B::I16x8AddSatU => zip!(a, b, u16x8, from_u16x8, u16::saturating_add),
        B::I16x8Sub => zip!(a, b, u16x8, from_u16x8, u16::wrapping_sub),
        B::I16x8SubSatS => zip!(a, b, i16x8, from_i16x8, i16::saturating_sub),
        B::I16x8SubSatU => zip!(a, b, u16x8, from_u16x8, u16::saturating_sub),
        B::I16x8Mul => zip!(a, b, u16x8, from_u16x8, u16::wrapping_mul),
        B::I16x8MinS => zip!(a, b, i16x8, from_i16x8, Ord::min),
        B::I16x8MinU => zip!(a, b, u16x8, from_u16x8, Ord::min),
        B::I16x8MaxS => zip!(a, b, i16x8, from_i16x8, Ord::max),
        B::I16x8MaxU => zip!(a, b, u16x8, from_u16x8, Ord::max),
        B::I16x8AvgrU => zip!(a, b, u16x8, from_u16x8, |x: u16, y: u16| {
            ((u32::from(x) + u32::from(y) + 1) >> 1) as u16
        }),
        B::I16x8ExtMulLowI8x16S => extmul!(a, b, i8x16, from_i16x8, 0, i16),
        B::I16x8ExtMulHighI8x16S => extmul!(a, b, i8x16, from_i16x8, 8, i16),
        B::I16x8ExtMulLowI8x16U => extmul!(a, b, u8x16, from_u16x8, 0, u16),
        B::I16x8ExtMulHighI8x16U => extmul!(a, b, u8x16, from_u16x8, 8, u16),
        B::I32x4Add => zip!(a, b, u32x4, from_u32x4, u32::wrapping_add),
        B::I32x4Sub => zip!(a, b, u32x4, from_u32x4, u32::wrapping_sub),
        B::I32x4Mul => zip!(a, b, u32x4, from_u32x4, u32::wrapping_mul),
        B::I32x4MinS => zip!(a, b, i32x4, from_i32x4, Ord::min),
        B::I32x4MinU => zip!(a, b, u32x4, from_u32x4, Ord::min),
        B::I32x4MaxS => zip!(a, b, i32x4, from_i32x4, Ord::max),
        B::I32x4MaxU => zip!(a, b, u32x4, from_u32x4, Ord::max),
        B::I32x4DotI16x8S => {
            let (x, y) = (a.i16x8(), b.i16x8());
            let p = |i: usize| i32::from(x[i]) * i32::from(y[i]);
            V128::from_i32x4(core::array::from_fn(|i| {
                p(2 * i).wrapping_add(p(2 * i + 1))
            }))
        }
        B::I32x4ExtMulLowI16x8S => extmul!(a, b, i16x8, from_i32x4, 0, i32),
        B::I32x4ExtMulHighI16x8S => extmul!(a, b, i16x8, from_i32x4, 4, i32),
        B::I32x4ExtMulLowI16x8U => extmul!(a, b, u16x8, from_u32x4, 0, u32),
        B::I32x4ExtMulHighI16x8U => extmul!(a, b, u16x8, from_u32x4, 4, u32),
        B::I64x2Add => zip!(a, b, u64x2, from_u64x2, u64::wrapping_add),
        B::I64x2Sub => zip!(a, b, u64x2, from_u64x2, u64::wrapping_sub),
        B::I64x2Mul => zip!(a, b, u64x2, from_u64x2, u64::wrapping_mul),
        B::I64x2ExtMulLowI32x4S => extmul!(a, b, i32x4, from_i64x2, 0, i64),
        B::I64x2ExtMulHighI32x4S => extmul!(a, b, i32x4, from_i64x2, 2, i64),
        B::I64x2ExtMulLowI32x4U => extmul!(a, b, u32x4, from_u64x2, 0, u64),
        B::I64x2ExtMulHighI32x4U => extmul!(a, b, u32x4, from_u64x2, 2, u64),
        B::F32x4Add => zip!(a, b, f32x4, from_f32x4, |x: f32, y: f32| x + y),
        B::F32x4Sub => zip!(a, b, f32x4, from_f32x4, |x: f32, y: f32| x - y),
        B::F32x4Mul => zip!(a, b, f32x4, from_f32x4, |x: f32, y: f32| x * y),
        B::F32x4Div => zip!(a, b, f32x4, from_f32x4, |x: f32, y: f32| x / y),
        B::F32x4Min => zip!(a, b, f32x4, from_f32x4, fmin32),
        B::F32x4Max => zip!(a, b, f32x4, from_f32x4, fmax32),
        B::F32x4PMin => zip!(a, b, f32x4, from_f32x4, pmin32),
        B::F32x4PMax => zip!(a, b, f32x4, from_f32x4, pmax32),
        B::F64x2Add => zip!(a, b, f64x2, from_f64x2, |x: f64, y: f64| x + y),
        B::F64x2Sub => zip!(a, b, f64x2, from_f64x2, |x: f64, y: f64| x - y),
        B::F64x2Mul => zip!(a, b, f64x2, from_f64x2, |x: f64, y: f64| x * y),
        B::F64x2Div => zip!(a, b, f64x2, from_f64x2, |x: f64, y: f64| x / y),
        B::F64x2Min => zip!(a, b, f64x2, from_f64x2, fmin64),
        B::F64x2Max => zip!(a, b, f64x2, from_f64x2, fmax64),
        B::F64x2PMin => zip!(a, b, f64x2, from_f64x2, pmin64),
        B::F64x2PMax => zip!(a, b, f64x2, from_f64x2, pmax64),
    }
}

fn fcmp32(a: V128, b: V128, f: impl Fn(f32, f32) -> bool) -> V128 {
    let (x, y) = (a.f32x4(), b.f32x4());
    V128::from_u32x4(core::array::from_fn(|i| if f(x[i], y[i]) { !0 } else { 0 }))
}

fn fcmp64(a: V128, b: V128, f: impl Fn(f64, f64) -> bool) -> V128 {
    let (x, y) = (a.f64x2(), b.f64x2());
    V128::from_u64x2(core::array::from_fn(|i| if f(x[i], y[i]) { !0 } else { 0 }))
}

/// The shifts; `count` is the i32 operand, taken modulo the lane width.
pub fn eval_shift(op: ShiftOp, a: V128, count: u32) -> V128 {
    use ShiftOp as S;
    match op {
        S::I8x16Shl => map!(a, u8x16, from_u8x16, |x: u8| x << (count & 7)),
        S::I8x16ShrS => map!(a, i8x16, from_i8x16, |x: i8| x >> (count & 7)),
        S::I8x16ShrU => map!(a, u8x16, from_u8x16, |x: u8| x >> (count & 7)),
        S::I16x8Shl => map!(a, u16x8, from_u16x8, |x: u16| x << (count & 15)),
        S::I16x8ShrS => map!(a, i16x8, from_i16x8, |x: i16| x >> (count & 15)),
        S::I16x8ShrU => map!(a, u16x8, from_u16x8, |x: u16| x >> (count & 15)),
        S::I32x4Shl => map!(a, u32x4, from_u32x4, |x: u32| x << (count & 31)),
        S::I32x4ShrS => map!(a, i32x4, from_i32x4, |x: i32| x >> (count & 31)),
        S::I32x4ShrU => map!(a, u32x4, from_u32x4, |x: u32| x >> (count & 31)),
        S::I64x2Shl => map!(a, u64x2, from_u64x2, |x: u64| x << (count & 63)),
        S::I64x2ShrS => map!(a, i64x2, from_i64x2, |x: i64| x >> (count & 63)),
        S::I64x2ShrU => map!(a, u64x2, from_u64x2, |x: u64| x >> (count & 63)),
    }
}

/// Bit `i` of the result is the top bit of lane `i`.
fn bitmask<const N: usize, T: Copy + Into<i64>>(lanes: [T; N]) -> u32 {
    lanes
        .iter()
        .enumerate()
        .fold(0, |m, (i, &x)| m | (u32::from(x.into() < 0) << i))
}

/// The `v128 -> i32` operators (`any_true`, `all_true`, `bitmask`).
pub fn eval_test(op: TestOp, a: V128) -> u32 {
    use TestOp as T;
    match op {
        T::V128AnyTrue => u32::from(a.0 != 0),
        T::I8x16AllTrue => u32::from(a.u8x16().iter().all(|&x| x != 0)),
        T::I16x8AllTrue => u32::from(a.u16x8().iter().all(|&x| x != 0)),
        T::I32x4AllTrue => u32::from(a.u32x4().iter().all(|&x| x != 0)),
        T::I64x2AllTrue => u32::from(a.u64x2().iter().all(|&x| x != 0)),
        T::I8x16Bitmask => bitmask(a.i8x16()),
        T::I16x8Bitmask => bitmask(a.i16x8()),
        T::I32x4Bitmask => bitmask(a.i32x4()),
        T::I64x2Bitmask => bitmask(a.i64x2()),
    }
}

/// `splat`: `x` is the scalar's slot (i32/f32 in the low 32 bits).
pub fn eval_splat(op: SplatOp, x: u64) -> V128 {
    use SplatOp as S;
    match op {
        S::I8x16Splat => V128::from_u8x16([x as u8; 16]),
        S::I16x8Splat => V128::from_u16x8([x as u16; 8]),
        S::I32x4Splat | S::F32x4Splat => V128::from_u32x4([x as u32; 4]),
        S::I64x2Splat | S::F64x2Splat => V128::from_u64x2([x; 2]),
    }
}

/// `extract_lane`: the result as a slot (i32 zero-extended, f32 bits in the low half). `lane`
/// is validated (< the lane count); it is taken modulo the lane count here.
pub fn eval_extract(op: ExtractOp, a: V128, lane: u8) -> u64 {
    use ExtractOp as E;
    let l = usize::from(lane);
    match op {
        E::I8x16ExtractLaneS => u64::from(i32::from(a.i8x16()[l & 15]) as u32),
        E::I8x16ExtractLaneU => u64::from(a.u8x16()[l & 15]),
        E::I16x8ExtractLaneS => u64::from(i32::from(a.i16x8()[l & 7]) as u32),
        E::I16x8ExtractLaneU => u64::from(a.u16x8()[l & 7]),
        E::I32x4ExtractLane | E::F32x4ExtractLane => u64::from(a.u32x4()[l & 3]),
        E::I64x2ExtractLane | E::F64x2ExtractLane => a.u64x2()[l & 1],
    }
}

/// `replace_lane`: `x` is the scalar's slot; `lane` as in [`eval_extract`].
pub fn eval_replace(op: ReplaceOp, a: V128, lane: u8, x: u64) -> V128 {
    use ReplaceOp as R;
    let l = usize::from(lane);
    match op {
        R::I8x16ReplaceLane => {
            let mut v = a.u8x16();
            v[l & 15] = x as u8;
            V128::from_u8x16(v)
        }
        R::I16x8ReplaceLane => {
            let mut v = a.u16x8();
            v[l & 7] = x as u16;
            V128::from_u16x8(v)
        }
        R::I32x4ReplaceLane | R::F32x4ReplaceLane => {
            let mut v = a.u32x4();
            v[l & 3] = x as u32;
            V128::from_u32x4(v)
        }
        R::I64x2ReplaceLane | R::F64x2ReplaceLane => {
            let mut v = a.u64x2();
            v[l & 1] = x;
            V128::from_u64x2(v)
        }
    }
}
