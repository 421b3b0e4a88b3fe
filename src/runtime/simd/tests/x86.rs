//! Randomized differential test against SSE2/SSSE3/SSE4.1(/SSE4.2) instructions for every
//! operator that maps 1:1 (or as the JIT's standard short sequence) to one. Test code only.

use core::arch::x86_64::*;

use super::super::*;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Random lanes, about half of them edge values (integer bounds, NaNs, zeros, infinities).
    fn v128(&mut self) -> V128 {
        const S32: [u32; 16] = [
            0,
            1,
            0xffff_ffff,
            0x8000_0000,
            0x7fff_ffff,
            0x7fc0_0000,
            0x7f80_0001,
            0xffc0_0000,
            0x7f80_0000,
            0xff80_0000,
            0x3f80_0000,
            0x4f00_0000,
            0xcf00_0000,
            0x8080_8080,
            0x7f7f_7f7f,
            0x00ff_8000,
        ];
        const S64: [u64; 6] = [
            0x7ff8_0000_0000_0000,
            0x7ff0_0000_0000_0001,
            0xfff0_0000_0000_0000,
            0x8000_0000_0000_0000,
            0x41e0_0000_0000_0000,
            0xc1e0_0000_0020_0000,
        ];
        let mut l = [0u32; 4];
        let mut i = 0;
        while i < 4 {
            let r = self.next();
            match r % 8 {
                0..=3 => l[i] = r as u32 ^ (r >> 32) as u32,
                4..=6 => l[i] = S32[(r >> 8) as usize % S32.len()],
                _ if i < 3 && i % 2 == 0 => {
                    let s = S64[(r >> 8) as usize % S64.len()];
                    l[i] = s as u32;
                    l[i + 1] = (s >> 32) as u32;
                    i += 1;
                }
                _ => l[i] = (r >> 40) as u32 & 0x8000_80ff,
            }
            i += 1;
        }
        V128::from_u32x4(l)
    }
}

#[inline]
#[target_feature(enable = "sse2")]
fn m(a: V128) -> __m128i {
    _mm_set_epi64x((a.0 >> 64) as i64, a.0 as i64)
}

#[inline]
#[target_feature(enable = "sse2")]
fn v(r: __m128i) -> V128 {
    let lo = _mm_cvtsi128_si64(r) as u64;
    let hi = _mm_cvtsi128_si64(_mm_unpackhi_epi64(r, r)) as u64;
    V128::from_slots([lo, hi])
}

#[inline]
#[target_feature(enable = "sse2")]
fn ps(x: __m128i) -> __m128 {
    _mm_castsi128_ps(x)
}

#[inline]
#[target_feature(enable = "sse2")]
fn pd(x: __m128i) -> __m128d {
    _mm_castsi128_pd(x)
}

#[target_feature(enable = "ssse3,sse4.1,sse4.2")]
fn x86_binary(op: BinaryOp, a: V128, b: V128) -> Option<V128> {
    use BinaryOp as B;
    let (x, y) = (m(a), m(b));
    let f = |r: __m128| _mm_castps_si128(r);
    let d = |r: __m128d| _mm_castpd_si128(r);
    let r = match op {
        B::V128And => _mm_and_si128(x, y),
        B::V128AndNot => _mm_andnot_si128(y, x),
        B::V128Or => _mm_or_si128(x, y),
        B::V128Xor => _mm_xor_si128(x, y),
        // The standard lowering: indices >= 16 get bit 7 set, which pshufb maps to 0.
        B::I8x16Swizzle => _mm_shuffle_epi8(x, _mm_adds_epu8(y, _mm_set1_epi8(0x70))),
        B::I8x16Eq => _mm_cmpeq_epi8(x, y),
        B::I8x16GtS => _mm_cmpgt_epi8(x, y),
        B::I8x16LtS => _mm_cmplt_epi8(x, y),
        B::I16x8Eq => _mm_cmpeq_epi16(x, y),
        B::I16x8GtS => _mm_cmpgt_epi16(x, y),
        B::I16x8LtS => _mm_cmplt_epi16(x, y),
        B::I32x4Eq => _mm_cmpeq_epi32(x, y),
        B::I32x4GtS => _mm_cmpgt_epi32(x, y),
        B::I32x4LtS => _mm_cmplt_epi32(x, y),
        B::I64x2Eq => _mm_cmpeq_epi64(x, y),
        B::I64x2GtS => _mm_cmpgt_epi64(x, y),
        B::I64x2LtS => _mm_cmpgt_epi64(y, x),
        B::F32x4Eq => f(_mm_cmpeq_ps(ps(x), ps(y))),
        B::F32x4Ne => f(_mm_cmpneq_ps(ps(x), ps(y))),
        B::F32x4Lt => f(_mm_cmplt_ps(ps(x), ps(y))),
        B::F32x4Le => f(_mm_cmple_ps(ps(x), ps(y))),
        B::F32x4Gt => f(_mm_cmpgt_ps(ps(x), ps(y))),
        B::F32x4Ge => f(_mm_cmpge_ps(ps(x), ps(y))),
        B::F64x2Eq => d(_mm_cmpeq_pd(pd(x), pd(y))),
        B::F64x2Ne => d(_mm_cmpneq_pd(pd(x), pd(y))),
        B::F64x2Lt => d(_mm_cmplt_pd(pd(x), pd(y))),
        B::F64x2Le => d(_mm_cmple_pd(pd(x), pd(y))),
        B::F64x2Gt => d(_mm_cmpgt_pd(pd(x), pd(y))),
        B::F64x2Ge => d(_mm_cmpge_pd(pd(x), pd(y))),
        B::I8x16NarrowI16x8S => _mm_packs_epi16(x, y),
        B::I8x16NarrowI16x8U => _mm_packus_epi16(x, y),
        B::I16x8NarrowI32x4S => _mm_packs_epi32(x, y),
        B::I16x8NarrowI32x4U => _mm_packus_epi32(x, y),
        B::I8x16Add => _mm_add_epi8(x, y),
        B::I8x16AddSatS => _mm_adds_epi8(x, y),
        B::I8x16AddSatU => _mm_adds_epu8(x, y),
        B::I8x16Sub => _mm_sub_epi8(x, y),
        B::I8x16SubSatS => _mm_subs_epi8(x, y),
        B::I8x16SubSatU => _mm_subs_epu8(x, y),
        B::I8x16MinS => _mm_min_epi8(x, y),
        B::I8x16MinU => _mm_min_epu8(x, y),
        B::I8x16MaxS => _mm_max_epi8(x, y),
        B::I8x16MaxU => _mm_max_epu8(x, y),
        B::I8x16AvgrU => _mm_avg_epu8(x, y),
        B::I16x8Add => _mm_add_epi16(x, y),
        B::I16x8AddSatS => _mm_adds_epi16(x, y),
        B::I16x8AddSatU => _mm_adds_epu16(x, y),
        B::I16x8Sub => _mm_sub_epi16(x, y),
        B::I16x8SubSatS => _mm_subs_epi16(x, y),
        B::I16x8SubSatU => _mm_subs_epu16(x, y),
        B::I16x8Mul => _mm_mullo_epi16(x, y),
        B::I16x8MinS => _mm_min_epi16(x, y),
        B::I16x8MinU => _mm_min_epu16(x, y),
        B::I16x8MaxS => _mm_max_epi16(x, y),
        B::I16x8MaxU => _mm_max_epu16(x, y),
        B::I16x8AvgrU => _mm_avg_epu16(x, y),
        B::I32x4ExtMulLowI16x8S => _mm_unpacklo_epi16(_mm_mullo_epi16(x, y), _mm_mulhi_epi16(x, y)),
        B::I32x4ExtMulHighI16x8S => {
            _mm_unpackhi_epi16(_mm_mullo_epi16(x, y), _mm_mulhi_epi16(x, y))
        }
        B::I32x4ExtMulLowI16x8U => _mm_unpacklo_epi16(_mm_mullo_epi16(x, y), _mm_mulhi_epu16(x, y)),
        B::I32x4ExtMulHighI16x8U => {
            _mm_unpackhi_epi16(_mm_mullo_epi16(x, y), _mm_mulhi_epu16(x, y))
        }
        B::I32x4Add => _mm_add_epi32(x, y),
        B::I32x4Sub => _mm_sub_epi32(x, y),
        B::I32x4Mul => _mm_mullo_epi32(x, y),
        B::I32x4MinS => _mm_min_epi32(x, y),
        B::I32x4MinU => _mm_min_epu32(x, y),
        B::I32x4MaxS => _mm_max_epi32(x, y),
        B::I32x4MaxU => _mm_max_epu32(x, y),
        B::I32x4DotI16x8S => _mm_madd_epi16(x, y),
        B::I64x2Add => _mm_add_epi64(x, y),
        B::I64x2Sub => _mm_sub_epi64(x, y),
        B::F32x4Add => f(_mm_add_ps(ps(x), ps(y))),
        B::F32x4Sub => f(_mm_sub_ps(ps(x), ps(y))),
        B::F32x4Mul => f(_mm_mul_ps(ps(x), ps(y))),
        B::F32x4Div => f(_mm_div_ps(ps(x), ps(y))),
        // pmin(a, b) = b < a ? b : a = minps(b, a); pmax(a, b) = a < b ? b : a = maxps(b, a).
        B::F32x4PMin => f(_mm_min_ps(ps(y), ps(x))),
        B::F32x4PMax => f(_mm_max_ps(ps(y), ps(x))),
        B::F64x2Add => d(_mm_add_pd(pd(x), pd(y))),
        B::F64x2Sub => d(_mm_sub_pd(pd(x), pd(y))),
        B::F64x2Mul => d(_mm_mul_pd(pd(x), pd(y))),
        B::F64x2Div => d(_mm_div_pd(pd(x), pd(y))),
        B::F64x2PMin => d(_mm_min_pd(pd(y), pd(x))),
        B::F64x2PMax => d(_mm_max_pd(pd(y), pd(x))),
        _ => return None,
    };
    Some(v(r))
}

#[target_feature(enable = "ssse3,sse4.1")]
fn x86_unary(op: UnaryOp, a: V128) -> Option<V128> {
    use UnaryOp as U;
    let x = m(a);
    let f = |r: __m128| _mm_castps_si128(r);
    let d = |r: __m128d| _mm_castpd_si128(r);
    let hi = _mm_unpackhi_epi64(x, x);
    const C: i32 = _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC;
    const FL: i32 = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;
    const T: i32 = _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC;
    const N: i32 = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
    let r = match op {
        U::V128Not => _mm_xor_si128(x, _mm_set1_epi32(-1)),
        U::I8x16Abs => _mm_abs_epi8(x),
        U::I16x8Abs => _mm_abs_epi16(x),
        U::I32x4Abs => _mm_abs_epi32(x),
        U::I8x16Neg => _mm_sub_epi8(_mm_setzero_si128(), x),
        U::I16x8Neg => _mm_sub_epi16(_mm_setzero_si128(), x),
        U::I32x4Neg => _mm_sub_epi32(_mm_setzero_si128(), x),
        U::I64x2Neg => _mm_sub_epi64(_mm_setzero_si128(), x),
        U::I16x8ExtAddPairwiseI8x16S => _mm_maddubs_epi16(_mm_set1_epi8(1), x),
        U::I16x8ExtAddPairwiseI8x16U => _mm_maddubs_epi16(x, _mm_set1_epi8(1)),
        U::I32x4ExtAddPairwiseI16x8S => _mm_madd_epi16(x, _mm_set1_epi16(1)),
        U::I16x8ExtendLowI8x16S => _mm_cvtepi8_epi16(x),
        U::I16x8ExtendHighI8x16S => _mm_cvtepi8_epi16(hi),
        U::I16x8ExtendLowI8x16U => _mm_cvtepu8_epi16(x),
        U::I16x8ExtendHighI8x16U => _mm_cvtepu8_epi16(hi),
        U::I32x4ExtendLowI16x8S => _mm_cvtepi16_epi32(x),
        U::I32x4ExtendHighI16x8S => _mm_cvtepi16_epi32(hi),
        U::I32x4ExtendLowI16x8U => _mm_cvtepu16_epi32(x),
        U::I32x4ExtendHighI16x8U => _mm_cvtepu16_epi32(hi),
        U::I64x2ExtendLowI32x4S => _mm_cvtepi32_epi64(x),
        U::I64x2ExtendHighI32x4S => _mm_cvtepi32_epi64(hi),
        U::I64x2ExtendLowI32x4U => _mm_cvtepu32_epi64(x),
        U::I64x2ExtendHighI32x4U => _mm_cvtepu32_epi64(hi),
        U::F32x4Ceil => f(_mm_round_ps::<C>(ps(x))),
        U::F32x4Floor => f(_mm_round_ps::<FL>(ps(x))),
        U::F32x4Trunc => f(_mm_round_ps::<T>(ps(x))),
        U::F32x4Nearest => f(_mm_round_ps::<N>(ps(x))),
        U::F64x2Ceil => d(_mm_round_pd::<C>(pd(x))),
        U::F64x2Floor => d(_mm_round_pd::<FL>(pd(x))),
        U::F64x2Trunc => d(_mm_round_pd::<T>(pd(x))),
        U::F64x2Nearest => d(_mm_round_pd::<N>(pd(x))),
        U::F32x4Sqrt => f(_mm_sqrt_ps(ps(x))),
        U::F64x2Sqrt => d(_mm_sqrt_pd(pd(x))),
        U::F32x4ConvertI32x4S => f(_mm_cvtepi32_ps(x)),
        U::F64x2ConvertLowI32x4S => d(_mm_cvtepi32_pd(x)),
        U::F32x4DemoteF64x2Zero => f(_mm_cvtpd_ps(pd(x))),
        U::F64x2PromoteLowF32x4 => d(_mm_cvtps_pd(ps(x))),
        _ => return None,
    };
    Some(v(r))
}

#[target_feature(enable = "sse4.1")]
fn x86_test(op: TestOp, a: V128) -> Option<u32> {
    use TestOp as T;
    let x = m(a);
    Some(match op {
        T::V128AnyTrue => u32::from(_mm_testz_si128(x, x) == 0),
        T::I8x16Bitmask => _mm_movemask_epi8(x) as u32,
        T::I32x4Bitmask => _mm_movemask_ps(ps(x)) as u32,
        T::I64x2Bitmask => _mm_movemask_pd(pd(x)) as u32,
        T::I16x8Bitmask => _mm_movemask_epi8(_mm_packs_epi16(x, _mm_setzero_si128())) as u32,
        _ => return None,
    })
}

#[target_feature(enable = "sse2")]
fn x86_shift(op: ShiftOp, a: V128, c: u32) -> Option<V128> {
    use ShiftOp as S;
    let x = m(a);
    let n = |mask: u32| _mm_cvtsi32_si128((c & mask) as i32);
    Some(v(match op {
        S::I16x8Shl => _mm_sll_epi16(x, n(15)),
        S::I16x8ShrS => _mm_sra_epi16(x, n(15)),
        S::I16x8ShrU => _mm_srl_epi16(x, n(15)),
        S::I32x4Shl => _mm_sll_epi32(x, n(31)),
        S::I32x4ShrS => _mm_sra_epi32(x, n(31)),
        S::I32x4ShrU => _mm_srl_epi32(x, n(31)),
        S::I64x2Shl => _mm_sll_epi64(x, n(63)),
        S::I64x2ShrU => _mm_srl_epi64(x, n(63)),
        _ => return None,
    }))
}

const ROUNDS: usize = 20_000;

/// Equal, except that where both lanes are NaN any two quiet NaNs match: wasm leaves the payload
/// of an arithmetic NaN open, and LLVM may commute the operands of a Rust float operation.
fn same(name: &str, got: V128, want: V128) -> bool {
    let float_result = (name.starts_with("F32x4") || name.starts_with("F64x2"))
        && !["Eq", "Ne", "Lt", "Gt", "Le", "Ge"]
            .iter()
            .any(|c| name.ends_with(c));
    if got == want || !float_result {
        return got == want;
    }
    if name.starts_with("F32x4") {
        let q = |x: u32| x & 0x7fc0_0000 == 0x7fc0_0000;
        got.u32x4()
            .iter()
            .zip(want.u32x4())
            .all(|(&g, w)| g == w || (q(g) && q(w)))
    } else {
        let q = |x: u64| x & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000;
        got.u64x2()
            .iter()
            .zip(want.u64x2())
            .all(|(&g, w)| g == w || (q(g) && q(w)))
    }
}

#[test]
fn differential_against_sse() {
    if !(is_x86_feature_detected!("ssse3")
        && is_x86_feature_detected!("sse4.1")
        && is_x86_feature_detected!("sse4.2"))
    {
        eprintln!("skipped: the CPU lacks SSSE3/SSE4.1/SSE4.2");
        return;
    }
    // SAFETY: the features were detected above.
    unsafe { differential() }
}

#[target_feature(enable = "ssse3,sse4.1,sse4.2")]
fn differential() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut covered = 0;
    for &op in BinaryOp::ALL {
        if x86_binary(op, V128(0), V128(0)).is_none() {
            continue;
        }
        covered += 1;
        for _ in 0..ROUNDS {
            let (a, b) = (rng.v128(), rng.v128());
            let want = x86_binary(op, a, b).unwrap();
            let got = eval_binary(op, a, b);
            assert!(
                same(&format!("{op:?}"), got, want),
                "{op:?} {a:x?} {b:x?}: {got:x?} {want:x?}"
            );
        }
    }
    for &op in UnaryOp::ALL {
        if x86_unary(op, V128(0)).is_none() {
            continue;
        }
        covered += 1;
        for _ in 0..ROUNDS {
            let a = rng.v128();
            let want = x86_unary(op, a).unwrap();
            let got = eval_unary(op, a);
            assert!(
                same(&format!("{op:?}"), got, want),
                "{op:?} {a:x?}: {got:x?} {want:x?}"
            );
        }
    }
    for &op in TestOp::ALL {
        if x86_test(op, V128(0)).is_none() {
            continue;
        }
        covered += 1;
        for _ in 0..ROUNDS {
            let a = rng.v128();
            let want = x86_test(op, a).unwrap();
            assert_eq!(eval_test(op, a), want, "{op:?} {a:x?}");
        }
    }
    for &op in ShiftOp::ALL {
        if x86_shift(op, V128(0), 0).is_none() {
            continue;
        }
        covered += 1;
        for _ in 0..ROUNDS {
            let (a, c) = (rng.v128(), rng.next() as u32 % 200);
            assert_eq!(
                eval_shift(op, a, c),
                x86_shift(op, a, c).unwrap(),
                "{op:?} {a:x?} {c}"
            );
        }
    }
    // bitselect as pand/pandn/por.
    covered += 1;
    for _ in 0..ROUNDS {
        let (a, b, c) = (rng.v128(), rng.v128(), rng.v128());
        let (x, y, z) = (m(a), m(b), m(c));
        let want = v(_mm_or_si128(_mm_and_si128(x, z), _mm_andnot_si128(z, y)));
        assert_eq!(bitselect(a, b, c), want);
    }
    println!("x86 differential: {covered} operators, {ROUNDS} random inputs each");
    assert!(covered >= 120, "{covered}");
}
