//! Hand-checked vectors per family (edge cases: NaN, -0.0, saturation bounds, INT_MIN, shift
//! counts >= the lane width), the operator count, and (on x86-64) the differential test.

use super::*;

mod spec;
#[cfg(target_arch = "x86_64")]
mod x86;

fn b(op: BinaryOp, a: V128, c: V128) -> V128 {
    eval_binary(op, a, c)
}

fn u(op: UnaryOp, a: V128) -> V128 {
    eval_unary(op, a)
}

#[test]
fn operator_count_is_236() {
    let n = UnaryOp::ALL.len()
        + BinaryOp::ALL.len()
        + ShiftOp::ALL.len()
        + TestOp::ALL.len()
        + SplatOp::ALL.len()
        + ExtractOp::ALL.len()
        + ReplaceOp::ALL.len()
        + LoadOp::ALL.len()
        + LaneMemOp::ALL.len()
        + 4; // const, shuffle, bitselect, store
    assert_eq!(n, SimdOp::COUNT);
}

#[test]
fn from_operator_maps_every_simd_operator() {
    use wasmparser::{MemArg, Operator as O};
    let m = MemArg {
        align: 0,
        max_align: 4,
        offset: 7,
        memory: 0,
    };
    assert_eq!(
        SimdOp::from_operator(&O::I8x16AddSatS),
        Some(SimdOp::Binary(BinaryOp::I8x16AddSatS))
    );
    assert_eq!(
        SimdOp::from_operator(&O::V128Load32Zero { memarg: m }),
        Some(SimdOp::Load(LoadOp::V128Load32Zero, m))
    );
    assert_eq!(
        SimdOp::from_operator(&O::V128Store16Lane { memarg: m, lane: 3 }),
        Some(SimdOp::LaneMem(LaneMemOp::V128Store16Lane, m, 3))
    );
    assert_eq!(
        SimdOp::from_operator(&O::F64x2ExtractLane { lane: 1 }),
        Some(SimdOp::Extract(ExtractOp::F64x2ExtractLane, 1))
    );
    assert_eq!(SimdOp::from_operator(&O::I32Add), None);
    assert_eq!(SimdOp::from_operator(&O::I8x16RelaxedSwizzle), None);
}

#[test]
fn slots_and_lanes() {
    let v = V128::from_u32x4([1, 2, 3, 4]);
    assert_eq!(v.to_slots(), [0x2_0000_0001, 0x4_0000_0003]);
    assert_eq!(V128::from_slots(v.to_slots()), v);
    assert_eq!(v.to_bytes()[0], 1);
    assert_eq!(v.to_bytes()[4], 2);
    assert_eq!(v.u16x8(), [1, 0, 2, 0, 3, 0, 4, 0]);
    let nan = f32::from_bits(0x7fa0_0001);
    assert_eq!(V128::from_f32x4([nan; 4]).u32x4(), [0x7fa0_0001; 4]);
}

#[test]
fn integer_arithmetic() {
    let a = V128::from_i8x16([
        i8::MIN,
        i8::MAX,
        -1,
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
    ]);
    let one = V128::from_i8x16([1; 16]);
    assert_eq!(b(BinaryOp::I8x16Add, a, one).i8x16()[1], i8::MIN);
    assert_eq!(b(BinaryOp::I8x16AddSatS, a, one).i8x16()[1], i8::MAX);
    assert_eq!(b(BinaryOp::I8x16SubSatS, a, one).i8x16()[0], i8::MIN);
    assert_eq!(b(BinaryOp::I8x16AddSatU, a, one).u8x16()[2], 255);
    assert_eq!(b(BinaryOp::I8x16SubSatU, a, one).u8x16()[3], 0);
    assert_eq!(u(UnaryOp::I8x16Abs, a).i8x16()[0], i8::MIN);
    assert_eq!(u(UnaryOp::I8x16Neg, a).i8x16()[0], i8::MIN);
    assert_eq!(u(UnaryOp::I8x16Popcnt, a).u8x16()[..4], [1, 7, 8, 0]);
    assert_eq!(
        b(BinaryOp::I8x16AvgrU, a, one).u8x16()[..4],
        [65, 64, 128, 1]
    );
    assert_eq!(b(BinaryOp::I8x16MinS, a, one).i8x16()[0], i8::MIN);
    assert_eq!(b(BinaryOp::I8x16MinU, a, one).u8x16()[0], 1);
    let m = V128::from_i32x4([i32::MIN, -1, 3, 0x10000]);
    assert_eq!(b(BinaryOp::I32x4Mul, m, m).i32x4(), [0, 1, 9, 0]);
    assert_eq!(u(UnaryOp::I32x4Abs, m).i32x4(), [i32::MIN, 1, 3, 0x10000]);
    let q = V128::from_i16x8([i16::MIN, i16::MIN, 0x4000, -1, 1, 0, 0, 0]);
    let r = V128::from_i16x8([i16::MIN, i16::MAX, 0x4000, 1, 1, 0, 0, 0]);
    assert_eq!(
        b(BinaryOp::I16x8Q15MulrSatS, q, r).i16x8()[..5],
        [i16::MAX, -32767, 0x2000, 0, 0]
    );
    let d = V128::from_i16x8([i16::MIN; 8]);
    assert_eq!(b(BinaryOp::I32x4DotI16x8S, d, d).i32x4(), [i32::MIN; 4]);
    assert_eq!(
        b(BinaryOp::I64x2ExtMulHighI32x4U, m, m).u64x2(),
        [9, 1 << 32]
    );
    assert_eq!(
        b(BinaryOp::I64x2ExtMulLowI32x4S, m, m).i64x2(),
        [1 << 62, 1]
    );
    assert_eq!(
        u(UnaryOp::I16x8ExtAddPairwiseI8x16S, a).i16x8()[..2],
        [-1, -1]
    );
    assert_eq!(
        u(UnaryOp::I16x8ExtAddPairwiseI8x16U, a).u16x8()[..2],
        [128 + 127, 255]
    );
}

#[test]
fn shifts_take_the_count_modulo_the_width() {
    let a = V128::from_i8x16([-128; 16]);
    assert_eq!(eval_shift(ShiftOp::I8x16ShrS, a, 9).i8x16()[0], -64);
    assert_eq!(eval_shift(ShiftOp::I8x16ShrU, a, 8).u8x16()[0], 128);
    assert_eq!(eval_shift(ShiftOp::I8x16Shl, a, 7).u8x16()[0], 0);
    let w = V128::from_i64x2([-2, 1]);
    assert_eq!(eval_shift(ShiftOp::I64x2ShrS, w, 65).i64x2(), [-1, 0]);
    assert_eq!(eval_shift(ShiftOp::I64x2Shl, w, 64).i64x2(), [-2, 1]);
    assert_eq!(
        eval_shift(ShiftOp::I32x4ShrU, V128::from_i32x4([-1; 4]), 33).u32x4()[0],
        0x7fff_ffff
    );
}

#[test]
fn compares_tests_and_bitwise() {
    let a = V128::from_i32x4([-1, 0, 1, i32::MIN]);
    let z = V128::default();
    assert_eq!(b(BinaryOp::I32x4LtS, a, z).i32x4(), [-1, 0, 0, -1]);
    assert_eq!(b(BinaryOp::I32x4LtU, a, z).i32x4(), [0, 0, 0, 0]);
    assert_eq!(b(BinaryOp::I32x4GeU, a, z).i32x4(), [-1; 4]);
    assert_eq!(
        b(BinaryOp::I64x2LeS, V128::from_i64x2([i64::MIN, 1]), z).i64x2(),
        [-1, 0]
    );
    assert_eq!(eval_test(TestOp::I32x4Bitmask, a), 0b1001);
    assert_eq!(eval_test(TestOp::I8x16Bitmask, a), 0b1000_0000_0000_1111);
    assert_eq!(eval_test(TestOp::I32x4AllTrue, a), 0);
    assert_eq!(
        eval_test(TestOp::I8x16AllTrue, V128::from_i8x16([1; 16])),
        1
    );
    assert_eq!(eval_test(TestOp::V128AnyTrue, z), 0);
    assert_eq!(eval_test(TestOp::V128AnyTrue, V128(1 << 127)), 1);
    let n = V128::from_f32x4([f32::NAN, -0.0, 1.0, f32::INFINITY]);
    let p = V128::from_f32x4([f32::NAN, 0.0, 2.0, f32::INFINITY]);
    assert_eq!(b(BinaryOp::F32x4Eq, n, p).i32x4(), [0, -1, 0, -1]);
    assert_eq!(b(BinaryOp::F32x4Ne, n, p).i32x4(), [-1, 0, -1, 0]);
    assert_eq!(b(BinaryOp::F32x4Lt, n, p).i32x4(), [0, 0, -1, 0]);
    let x = V128(0xff00);
    assert_eq!(bitselect(V128(!0), V128(0), x), x);
    assert_eq!(b(BinaryOp::V128AndNot, V128(0xffff), x), V128(0xff));
}

#[test]
fn float_arithmetic_and_nan() {
    let canon = f32::from_bits(0x7fc0_0000);
    let snan = f32::from_bits(0x7f80_0001);
    let a = V128::from_f32x4([snan, -0.0, 0.0, 2.5]);
    let c = V128::from_f32x4([1.0, 0.0, -0.0, -2.5]);
    let min = b(BinaryOp::F32x4Min, a, c).u32x4();
    assert_eq!(
        min,
        [0x7fc0_0001, 0x8000_0000, 0x8000_0000, (-2.5f32).to_bits()]
    );
    let max = b(BinaryOp::F32x4Max, a, c).u32x4();
    assert_eq!(max[1..], [0, 0, 2.5f32.to_bits()]);
    // pmin/pmax: `b < a ? b : a`, bits unchanged.
    assert_eq!(
        b(BinaryOp::F32x4PMin, a, c).u32x4()[..3],
        [snan.to_bits(), 0x8000_0000, 0]
    );
    assert_eq!(
        b(BinaryOp::F32x4PMax, a, c).u32x4()[..3],
        [snan.to_bits(), 0x8000_0000, 0]
    );
    let s = b(BinaryOp::F32x4Add, a, c).f32x4();
    assert!(s[0].is_nan() && s[0].to_bits() & 0x0040_0000 != 0);
    assert_eq!(u(UnaryOp::F32x4Neg, a).u32x4()[0], 0xff80_0001);
    assert_eq!(
        u(UnaryOp::F32x4Abs, V128::from_f32x4([-canon; 4])).u32x4()[0],
        0x7fc0_0000
    );
    let r = V128::from_f32x4([2.5, -2.5, -0.4, 0.5]);
    assert_eq!(u(UnaryOp::F32x4Nearest, r).f32x4(), [2.0, -2.0, -0.0, 0.0]);
    assert_eq!(u(UnaryOp::F32x4Nearest, r).u32x4()[2], 0x8000_0000);
    assert_eq!(u(UnaryOp::F32x4Ceil, r).u32x4()[2], 0x8000_0000);
    assert_eq!(u(UnaryOp::F32x4Floor, r).f32x4(), [2.0, -3.0, -1.0, 0.0]);
    assert_eq!(u(UnaryOp::F32x4Trunc, a).u32x4()[0], 0x7fc0_0001);
    let d = V128::from_f64x2([-0.0, f64::from_bits(0x7ff0_0000_0000_0001)]);
    let e = V128::from_f64x2([0.0, 1.0]);
    assert_eq!(
        b(BinaryOp::F64x2Min, d, e).u64x2()[0],
        0x8000_0000_0000_0000
    );
    assert_eq!(
        b(BinaryOp::F64x2Max, d, e).u64x2(),
        [0, 0x7ff8_0000_0000_0001]
    );
    assert_eq!(
        u(UnaryOp::F64x2Sqrt, V128::from_f64x2([4.0, -1.0])).f64x2()[0],
        2.0
    );
}

#[test]
fn conversions() {
    let f = V128::from_f32x4([f32::NAN, -1.5, 3e9, -3e9]);
    assert_eq!(
        u(UnaryOp::I32x4TruncSatF32x4S, f).i32x4(),
        [0, -1, i32::MAX, i32::MIN]
    );
    assert_eq!(
        u(UnaryOp::I32x4TruncSatF32x4U, f).u32x4(),
        [0, 0, 3_000_000_000, 0]
    );
    let g = V128::from_f64x2([-1e10, 4294967295.9]);
    assert_eq!(
        u(UnaryOp::I32x4TruncSatF64x2SZero, g).i32x4(),
        [i32::MIN, i32::MAX, 0, 0]
    );
    assert_eq!(
        u(UnaryOp::I32x4TruncSatF64x2UZero, g).u32x4(),
        [0, u32::MAX, 0, 0]
    );
    let i = V128::from_i32x4([-1, i32::MIN, 16777217, 7]);
    assert_eq!(
        u(UnaryOp::F32x4ConvertI32x4S, i).f32x4(),
        [-1.0, -2147483648.0, 16777216.0, 7.0]
    );
    assert_eq!(u(UnaryOp::F32x4ConvertI32x4U, i).f32x4()[0], 4294967296.0);
    assert_eq!(
        u(UnaryOp::F64x2ConvertLowI32x4S, i).f64x2(),
        [-1.0, -2147483648.0]
    );
    assert_eq!(
        u(UnaryOp::F64x2ConvertLowI32x4U, i).f64x2(),
        [4294967295.0, 2147483648.0]
    );
    let dm = u(
        UnaryOp::F32x4DemoteF64x2Zero,
        V128::from_f64x2([1e300, 0.1]),
    );
    assert_eq!(dm.f32x4(), [f32::INFINITY, 0.1, 0.0, 0.0]);
    let pr = u(
        UnaryOp::F64x2PromoteLowF32x4,
        V128::from_u32x4([0x7f80_0001, 0x3f80_0000, 9, 9]),
    );
    assert!(pr.f64x2()[0].is_nan() && pr.u64x2()[0] & 0x0008_0000_0000_0000 != 0);
    assert_eq!(pr.f64x2()[1], 1.0);
    let w = V128::from_i16x8([300, -300, 127, -128, 0, 255, 256, -1]);
    let n = b(BinaryOp::I8x16NarrowI16x8S, w, w).i8x16();
    assert_eq!(n[..8], [127, -128, 127, -128, 0, 127, 127, -1]);
    let n = b(BinaryOp::I8x16NarrowI16x8U, w, w).u8x16();
    assert_eq!(n[8..], [255, 0, 127, 0, 0, 255, 255, 0]);
    let v = V128::from_i32x4([70000, -70000, 5, -5]);
    assert_eq!(
        b(BinaryOp::I16x8NarrowI32x4U, v, v).u16x8()[..4],
        [65535, 0, 5, 0]
    );
    let x = V128::from_i8x16([-1, 2, 3, 4, 5, 6, 7, 8, -9, 10, 11, 12, 13, 14, 15, 16]);
    assert_eq!(u(UnaryOp::I16x8ExtendHighI8x16S, x).i16x8()[0], -9);
    assert_eq!(u(UnaryOp::I16x8ExtendLowI8x16U, x).i16x8()[0], 255);
    assert_eq!(u(UnaryOp::I64x2ExtendHighI32x4S, v).i64x2(), [5, -5]);
    assert_eq!(
        u(UnaryOp::I64x2ExtendLowI32x4U, v).u64x2()[1],
        u64::from(-70000i32 as u32)
    );
}

#[test]
fn lanes_shuffle_swizzle() {
    let a = V128::from_u8x16(core::array::from_fn(|i| i as u8));
    let c = V128::from_u8x16(core::array::from_fn(|i| 0x80 | i as u8));
    let s = V128::from_u8x16([0, 15, 16, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert_eq!(swizzle(a, s).u8x16()[..4], [0, 15, 0, 0]);
    let lanes = [31, 0, 16, 15, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22];
    assert_eq!(
        shuffle(a, c, V128::from_bytes(lanes)).u8x16()[..4],
        [0x8f, 0, 0x80, 15]
    );
    assert_eq!(
        eval_extract(ExtractOp::I8x16ExtractLaneS, c, 1),
        0xffff_ff81
    );
    assert_eq!(eval_extract(ExtractOp::I8x16ExtractLaneU, c, 1), 0x81);
    assert_eq!(
        eval_extract(ExtractOp::I16x8ExtractLaneS, c, 0),
        0xffff_8180
    );
    assert_eq!(
        eval_extract(ExtractOp::I64x2ExtractLane, a, 1),
        0x0f0e_0d0c_0b0a_0908
    );
    let r = eval_replace(ReplaceOp::F32x4ReplaceLane, a, 3, 0xdead_beef_7fc0_0001);
    assert_eq!(r.u32x4()[3], 0x7fc0_0001);
    assert_eq!(
        eval_splat(SplatOp::I16x8Splat, 0x1_8001).u16x8(),
        [0x8001; 8]
    );
    assert_eq!(eval_splat(SplatOp::F64x2Splat, 7).u64x2(), [7, 7]);
}

#[test]
fn memory_helpers() {
    let m: Vec<u8> = (0..16).map(|i| 0xf0 | i).collect();
    assert_eq!(load(LoadOp::V128Load, &m).to_bytes()[..], m[..]);
    assert_eq!(load(LoadOp::V128Load8x8S, &m).i16x8()[0], -16);
    assert_eq!(load(LoadOp::V128Load8x8U, &m).u16x8()[7], 0xf7);
    assert_eq!(
        load(LoadOp::V128Load16x4S, &m).i32x4()[0],
        0xf1f0u16 as i16 as i32
    );
    assert_eq!(load(LoadOp::V128Load32x2U, &m).u64x2()[1], 0xf7f6_f5f4);
    assert_eq!(
        load(LoadOp::V128Load32x2S, &m).i64x2()[1],
        0xf7f6_f5f4u32 as i32 as i64
    );
    assert_eq!(load(LoadOp::V128Load16Splat, &m).u16x8(), [0xf1f0; 8]);
    assert_eq!(
        load(LoadOp::V128Load32Zero, &m).u32x4(),
        [0xf3f2_f1f0, 0, 0, 0]
    );
    assert_eq!(
        load(LoadOp::V128Load64Zero, &m).u64x2(),
        [0xf7f6_f5f4_f3f2_f1f0, 0]
    );
    let v = load_lane(LaneMemOp::V128Load16Lane, V128::default(), 7, &m[4..]);
    assert_eq!(v.u16x8(), [0, 0, 0, 0, 0, 0, 0, 0xf5f4]);
    let mut out = [0u8; 4];
    store_lane(
        LaneMemOp::V128Store32Lane,
        load(LoadOp::V128Load, &m),
        2,
        &mut out,
    );
    assert_eq!(out, [0xf8, 0xf9, 0xfa, 0xfb]);
    assert_eq!(store(V128(1)), 1u128.to_le_bytes());
}
