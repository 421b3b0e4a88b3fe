//! The lane semantics of wasm 2.0's fixed-width SIMD (`v128`, 236 operators), written once in
//! plain portable Rust (no `std::arch`).
//!
//! Who uses it: the interpreter's SIMD handlers call these functions directly; the JIT calls them
//! as fallback helpers for operators it does not lower inline (or on CPUs without SSSE3/SSE4.1);
//! the differential tests use them as the reference. Nothing here depends on a tier.
//!
//! **Lane layout.** A [`V128`] is a `u128` read little-endian: byte `i` of the wasm value is bits
//! `8*i..8*i+8`, lane `i` of an `NxM` shape is bits `M*i..M*(i+1)`. On the value stack a v128
//! takes two slots, the low 64 bits first ([`V128::to_slots`], [`V128::from_slots`];
//! ARCHITECTURE.md "Values, slots and frames"). Scalar operands and results (`splat`,
//! `extract_lane`, `replace_lane`, shift counts) use the scalar slot encoding: i32 zero-extended,
//! f32 as its bits in the low half.
//!
//! **NaN policy** (the scalar tiers' rules, from [`super::float`]): `add/sub/mul/div/sqrt` use
//! the host's IEEE operations, whose NaN results are quiet (arithmetic NaNs, canonical when the
//! inputs are); `min/max` are [`super::float::fmin32`] and friends (NaN operand -> that operand
//! quieted, `-0 < +0`); `ceil/floor/trunc/nearest`, `demote`, `promote` quiet a NaN result;
//! `pmin/pmax` return one operand's bits unchanged; `abs/neg` only touch the sign bit;
//! float compares are false for NaN except `ne`; `trunc_sat` maps NaN to 0 and saturates.
//! As in the scalar code, which input NaN's payload an arithmetic result carries is left to
//! the compiler (LLVM may commute `a + b`); wasm allows any arithmetic NaN there.
//!
//! **Tests** (`tests.rs`, `tests/`): hand-checked vectors per family; on x86-64 a randomized
//! differential test against SSE2/SSSE3/SSE4.1 intrinsics; and every `assert_return` of the
//! `proposals/simd` spec files whose function wraps a single operator (all 236 covered).
//!
//! **Dispatch.** Every operator belongs to exactly one shape enum ([`UnaryOp`], [`BinaryOp`],
//! [`ShiftOp`], [`TestOp`], [`SplatOp`], [`ExtractOp`], [`ReplaceOp`], [`LoadOp`],
//! [`LaneMemOp`]) or is one of the singletons of [`SimdOp`] (`v128.const`, `i8x16.shuffle`,
//! `v128.bitselect`, `v128.store`). Variant names are wasmparser's `Operator` names;
//! [`SimdOp::from_operator`] maps an operator in one line, and each `eval_*` is an exhaustive
//! `match`, so a forgotten operator is a compile error. Memory helpers take byte slices whose
//! bounds the caller has already checked.

mod mem;
mod ops;

#[cfg(test)]
mod tests;

pub use mem::{load, load_lane, store, store_lane};
pub use ops::{
    bitselect, eval_binary, eval_extract, eval_replace, eval_shift, eval_splat, eval_test,
    eval_unary, shuffle, swizzle,
};

/// A wasm `v128` value: little-endian lanes over a `u128` (see the module docs).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct V128(pub u128);

macro_rules! lane_accessors {
    ($($get:ident / $from:ident: $t:ty, $n:literal, $w:literal;)*) => {
        impl V128 {
            $(
                #[doc = concat!("The ", stringify!($n), " lanes as `", stringify!($t), "`, lane 0 first.")]
                #[inline]
                pub fn $get(self) -> [$t; $n] {
                    let b = self.0.to_le_bytes();
                    core::array::from_fn(|i| {
                        let mut l = [0u8; $w];
                        l.copy_from_slice(&b[i * $w..(i + 1) * $w]);
                        <$t>::from_le_bytes(l)
                    })
                }

                #[doc = concat!("Builds a v128 from ", stringify!($n), " `", stringify!($t), "` lanes, lane 0 first.")]
                #[inline]
                pub fn $from(lanes: [$t; $n]) -> V128 {
                    let mut b = [0u8; 16];
                    for (i, x) in lanes.iter().enumerate() {
                        b[i * $w..(i + 1) * $w].copy_from_slice(&x.to_le_bytes());
                    }
                    V128(u128::from_le_bytes(b))
                }
            )*
        }
    };
}

lane_accessors! {
    i8x16 / from_i8x16: i8, 16, 1;
    u8x16 / from_u8x16: u8, 16, 1;
    i16x8 / from_i16x8: i16, 8, 2;
    u16x8 / from_u16x8: u16, 8, 2;
    i32x4 / from_i32x4: i32, 4, 4;
    u32x4 / from_u32x4: u32, 4, 4;
    i64x2 / from_i64x2: i64, 2, 8;
    u64x2 / from_u64x2: u64, 2, 8;
}

impl V128 {
    /// The 16 bytes in memory order.
    #[inline]
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }

    #[inline]
    pub fn from_bytes(b: [u8; 16]) -> V128 {
        V128(u128::from_le_bytes(b))
    }

    /// The two value-stack slots, low 64 bits first.
    #[inline]
    pub fn to_slots(self) -> [u64; 2] {
        [self.0 as u64, (self.0 >> 64) as u64]
    }

    #[inline]
    pub fn from_slots(s: [u64; 2]) -> V128 {
        V128(u128::from(s[0]) | (u128::from(s[1]) << 64))
    }

    /// The f32 lanes. Bits are preserved (NaN payloads included).
    #[inline]
    pub fn f32x4(self) -> [f32; 4] {
        self.u32x4().map(f32::from_bits)
    }

    #[inline]
    pub fn from_f32x4(l: [f32; 4]) -> V128 {
        V128::from_u32x4(l.map(f32::to_bits))
    }

    #[inline]
    pub fn f64x2(self) -> [f64; 2] {
        self.u64x2().map(f64::from_bits)
    }

    #[inline]
    pub fn from_f64x2(l: [f64; 2]) -> V128 {
        V128::from_u64x2(l.map(f64::to_bits))
    }
}

/// Defines a shape enum whose variants are named like wasmparser's field-less `Operator`s.
macro_rules! shape_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($v),* }

        impl $name {
            /// Every operator of this shape.
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            /// The operator's variant of this shape, if it has one.
            pub fn from_operator(op: &wasmparser::Operator<'_>) -> Option<$name> {
                match op {
                    $(wasmparser::Operator::$v => Some($name::$v),)*
                    _ => None,
                }
            }
        }
    };
}

/// Defines a shape enum of operators with a `lane` immediate (and no `memarg`).
macro_rules! lane_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($v),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            /// The operator's variant and lane immediate.
            pub fn from_operator(op: &wasmparser::Operator<'_>) -> Option<($name, u8)> {
                match *op {
                    $(wasmparser::Operator::$v { lane } => Some(($name::$v, lane)),)*
                    _ => None,
                }
            }
        }
    };
}

/// Defines a shape enum of memory operators (`memarg`, plus `lane` for the lane forms).
macro_rules! mem_enum {
    (@common [$(#[$m:meta])*] $name:ident $($v:ident = $bytes:literal),*) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($v),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            /// How many bytes of memory the operator accesses.
            pub fn bytes(self) -> usize {
                match self { $($name::$v => $bytes,)* }
            }
        }
    };
    ($(#[$m:meta])* $name:ident [] { $($v:ident = $bytes:literal),* $(,)? }) => {
        mem_enum!(@common [$(#[$m])*] $name $($v = $bytes),*);

        impl $name {
            /// The operator's variant and `memarg`.
            pub fn from_operator(
                op: &wasmparser::Operator<'_>,
            ) -> Option<($name, wasmparser::MemArg)> {
                match *op {
                    $(wasmparser::Operator::$v { memarg } => Some(($name::$v, memarg)),)*
                    _ => None,
                }
            }
        }
    };
    ($(#[$m:meta])* $name:ident [lane] { $($v:ident = $bytes:literal),* $(,)? }) => {
        mem_enum!(@common [$(#[$m])*] $name $($v = $bytes),*);

        impl $name {
            /// The operator's variant, `memarg` and lane.
            pub fn from_operator(
                op: &wasmparser::Operator<'_>,
            ) -> Option<($name, wasmparser::MemArg, u8)> {
                match *op {
                    $(wasmparser::Operator::$v { memarg, lane } => {
                        Some(($name::$v, memarg, lane))
                    })*
                    _ => None,
                }
            }
        }
    };
}

shape_enum! {
    /// `v128 -> v128`.
    UnaryOp {
        V128Not,
        I8x16Abs, I8x16Neg, I8x16Popcnt,
        I16x8Abs, I16x8Neg, I32x4Abs, I32x4Neg, I64x2Abs, I64x2Neg,
        I16x8ExtAddPairwiseI8x16S, I16x8ExtAddPairwiseI8x16U,
        I32x4ExtAddPairwiseI16x8S, I32x4ExtAddPairwiseI16x8U,
        I16x8ExtendLowI8x16S, I16x8ExtendHighI8x16S, I16x8ExtendLowI8x16U, I16x8ExtendHighI8x16U,
        I32x4ExtendLowI16x8S, I32x4ExtendHighI16x8S, I32x4ExtendLowI16x8U, I32x4ExtendHighI16x8U,
        I64x2ExtendLowI32x4S, I64x2ExtendHighI32x4S, I64x2ExtendLowI32x4U, I64x2ExtendHighI32x4U,
        F32x4Ceil, F32x4Floor, F32x4Trunc, F32x4Nearest, F32x4Abs, F32x4Neg, F32x4Sqrt,
        F64x2Ceil, F64x2Floor, F64x2Trunc, F64x2Nearest, F64x2Abs, F64x2Neg, F64x2Sqrt,
        I32x4TruncSatF32x4S, I32x4TruncSatF32x4U, F32x4ConvertI32x4S, F32x4ConvertI32x4U,
        I32x4TruncSatF64x2SZero, I32x4TruncSatF64x2UZero,
        F64x2ConvertLowI32x4S, F64x2ConvertLowI32x4U,
        F32x4DemoteF64x2Zero, F64x2PromoteLowF32x4,
    }
}

shape_enum! {
    /// `v128 v128 -> v128`.
    BinaryOp {
        V128And, V128AndNot, V128Or, V128Xor,
        I8x16Swizzle,
        I8x16Eq, I8x16Ne, I8x16LtS, I8x16LtU, I8x16GtS, I8x16GtU,
        I8x16LeS, I8x16LeU, I8x16GeS, I8x16GeU,
        I16x8Eq, I16x8Ne, I16x8LtS, I16x8LtU, I16x8GtS, I16x8GtU,
        I16x8LeS, I16x8LeU, I16x8GeS, I16x8GeU,
        I32x4Eq, I32x4Ne, I32x4LtS, I32x4LtU, I32x4GtS, I32x4GtU,
        I32x4LeS, I32x4LeU, I32x4GeS, I32x4GeU,
        I64x2Eq, I64x2Ne, I64x2LtS, I64x2GtS, I64x2LeS, I64x2GeS,
        F32x4Eq, F32x4Ne, F32x4Lt, F32x4Gt, F32x4Le, F32x4Ge,
        F64x2Eq, F64x2Ne, F64x2Lt, F64x2Gt, F64x2Le, F64x2Ge,
        I8x16NarrowI16x8S, I8x16NarrowI16x8U, I16x8NarrowI32x4S, I16x8NarrowI32x4U,
        I8x16Add, I8x16AddSatS, I8x16AddSatU, I8x16Sub, I8x16SubSatS, I8x16SubSatU,
        I8x16MinS, I8x16MinU, I8x16MaxS, I8x16MaxU, I8x16AvgrU,
        I16x8Q15MulrSatS,
        I16x8Add, I16x8AddSatS, I16x8AddSatU, I16x8Sub, I16x8SubSatS, I16x8SubSatU, I16x8Mul,
        I16x8MinS, I16x8MinU, I16x8MaxS, I16x8MaxU, I16x8AvgrU,
        I16x8ExtMulLowI8x16S, I16x8ExtMulHighI8x16S, I16x8ExtMulLowI8x16U, I16x8ExtMulHighI8x16U,
        I32x4Add, I32x4Sub, I32x4Mul, I32x4MinS, I32x4MinU, I32x4MaxS, I32x4MaxU,
        I32x4DotI16x8S,
        I32x4ExtMulLowI16x8S, I32x4ExtMulHighI16x8S, I32x4ExtMulLowI16x8U, I32x4ExtMulHighI16x8U,
        I64x2Add, I64x2Sub, I64x2Mul,
        I64x2ExtMulLowI32x4S, I64x2ExtMulHighI32x4S, I64x2ExtMulLowI32x4U, I64x2ExtMulHighI32x4U,
        F32x4Add, F32x4Sub, F32x4Mul, F32x4Div, F32x4Min, F32x4Max, F32x4PMin, F32x4PMax,
        F64x2Add, F64x2Sub, F64x2Mul, F64x2Div, F64x2Min, F64x2Max, F64x2PMin, F64x2PMax,
    }
}

shape_enum! {
    /// `v128 i32 -> v128`: the count is taken modulo the lane width.
    ShiftOp {
        I8x16Shl, I8x16ShrS, I8x16ShrU, I16x8Shl, I16x8ShrS, I16x8ShrU,
        I32x4Shl, I32x4ShrS, I32x4ShrU, I64x2Shl, I64x2ShrS, I64x2ShrU,
    }
}

shape_enum! {
    /// `v128 -> i32`.
    TestOp {
        V128AnyTrue,
        I8x16AllTrue, I16x8AllTrue, I32x4AllTrue, I64x2AllTrue,
        I8x16Bitmask, I16x8Bitmask, I32x4Bitmask, I64x2Bitmask,
    }
}

shape_enum! {
    /// `scalar -> v128`.
    SplatOp { I8x16Splat, I16x8Splat, I32x4Splat, I64x2Splat, F32x4Splat, F64x2Splat }
}

lane_enum! {
    /// `v128 -> scalar` with a lane immediate.
    ExtractOp {
        I8x16ExtractLaneS, I8x16ExtractLaneU, I16x8ExtractLaneS, I16x8ExtractLaneU,
        I32x4ExtractLane, I64x2ExtractLane, F32x4ExtractLane, F64x2ExtractLane,
    }
}

lane_enum! {
    /// `v128 scalar -> v128` with a lane immediate.
    ReplaceOp {
        I8x16ReplaceLane, I16x8ReplaceLane, I32x4ReplaceLane,
        I64x2ReplaceLane, F32x4ReplaceLane, F64x2ReplaceLane,
    }
}

mem_enum! {
    /// `i32 -> v128` loads (the address is the caller's business; [`load`] gets the bytes).
    LoadOp [] {
        V128Load = 16,
        V128Load8x8S = 8, V128Load8x8U = 8, V128Load16x4S = 8, V128Load16x4U = 8,
        V128Load32x2S = 8, V128Load32x2U = 8,
        V128Load8Splat = 1, V128Load16Splat = 2, V128Load32Splat = 4, V128Load64Splat = 8,
        V128Load32Zero = 4, V128Load64Zero = 8,
    }
}

mem_enum! {
    /// Loads and stores of one lane (`memarg` and `lane` immediates).
    LaneMemOp [lane] {
        V128Load8Lane = 1, V128Load16Lane = 2, V128Load32Lane = 4, V128Load64Lane = 8,
        V128Store8Lane = 1, V128Store16Lane = 2, V128Store32Lane = 4, V128Store64Lane = 8,
    }
}

impl LaneMemOp {
    /// Whether the operator is a `v128.loadN_lane` (else a `v128.storeN_lane`).
    pub fn is_load(self) -> bool {
        matches!(
            self,
            LaneMemOp::V128Load8Lane
                | LaneMemOp::V128Load16Lane
                | LaneMemOp::V128Load32Lane
                | LaneMemOp::V128Load64Lane
        )
    }
}

/// Every SIMD operator of wasm 2.0, by shape, with its immediates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimdOp {
    Unary(UnaryOp),
    Binary(BinaryOp),
    Shift(ShiftOp),
    Test(TestOp),
    Splat(SplatOp),
    Extract(ExtractOp, u8),
    Replace(ReplaceOp, u8),
    Load(LoadOp, wasmparser::MemArg),
    LaneMem(LaneMemOp, wasmparser::MemArg, u8),
    /// `v128.store`.
    Store(wasmparser::MemArg),
    /// `v128.const`.
    Const(V128),
    /// `i8x16.shuffle` with its 16 lane indices (each < 32).
    Shuffle([u8; 16]),
    /// `v128.bitselect` (`v128 v128 v128 -> v128`).
    Bitselect,
}

impl SimdOp {
    /// The number of wasm 2.0 SIMD operators.
    pub const COUNT: usize = 236;

    /// The SIMD operator `op` is, or `None` for any other operator (relaxed SIMD included).
    pub fn from_operator(op: &wasmparser::Operator<'_>) -> Option<SimdOp> {
        use wasmparser::Operator as O;
        Some(match *op {
            O::V128Store { memarg } => SimdOp::Store(memarg),
            O::V128Const { value } => SimdOp::Const(V128(value.i128() as u128)),
            O::I8x16Shuffle { lanes } => SimdOp::Shuffle(lanes),
            O::V128Bitselect => SimdOp::Bitselect,
            _ => {
                if let Some(o) = UnaryOp::from_operator(op) {
                    SimdOp::Unary(o)
                } else if let Some(o) = BinaryOp::from_operator(op) {
                    SimdOp::Binary(o)
                } else if let Some(o) = ShiftOp::from_operator(op) {
                    SimdOp::Shift(o)
                } else if let Some(o) = TestOp::from_operator(op) {
                    SimdOp::Test(o)
                } else if let Some(o) = SplatOp::from_operator(op) {
                    SimdOp::Splat(o)
                } else if let Some((o, l)) = ExtractOp::from_operator(op) {
                    SimdOp::Extract(o, l)
                } else if let Some((o, l)) = ReplaceOp::from_operator(op) {
                    SimdOp::Replace(o, l)
                } else if let Some((o, m)) = LoadOp::from_operator(op) {
                    SimdOp::Load(o, m)
                } else if let Some((o, m, l)) = LaneMemOp::from_operator(op) {
                    SimdOp::LaneMem(o, m, l)
                } else {
                    return None;
                }
            }
        })
    }
}
