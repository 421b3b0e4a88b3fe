//! Wasm's float rules that are not a single Rust operator (NaN quieting, min/max with -0,
//! checked float-to-int truncation), shared by every tier: the interpreter calls them inline,
//! compiled code through its helpers.

use super::TrapCode;

/// The NaN result of an operation with a NaN operand: that operand, quieted (an arithmetic
/// NaN). Explicit because LLVM may fold `nan + x` to the unquieted input.
#[inline]
pub fn quiet32(a: f32, b: f32) -> f32 {
    let nan = if a.is_nan() { a } else { b };
    f32::from_bits(nan.to_bits() | 0x0040_0000)
}

#[inline]
pub fn quiet64(a: f64, b: f64) -> f64 {
    let nan = if a.is_nan() { a } else { b };
    f64::from_bits(nan.to_bits() | 0x0008_0000_0000_0000)
}

/// Rounding results: a NaN result (from a NaN input) is quieted, which the rounding routines
/// do not guarantee for signaling inputs.
#[inline]
pub fn quieted32(x: f32) -> f32 {
    if x.is_nan() {
        f32::from_bits(x.to_bits() | 0x0040_0000)
    } else {
        x
    }
}

#[inline]
pub fn quieted64(x: f64) -> f64 {
    if x.is_nan() {
        f64::from_bits(x.to_bits() | 0x0008_0000_0000_0000)
    } else {
        x
    }
}

#[inline]
pub fn fmin32(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        quiet32(a, b)
    } else if a == b {
        f32::from_bits(a.to_bits() | b.to_bits())
    } else if a < b {
        a
    } else {
        b
    }
}

#[inline]
pub fn fmax32(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        quiet32(a, b)
    } else if a == b {
        f32::from_bits(a.to_bits() & b.to_bits())
    } else if a > b {
        a
    } else {
        b
    }
}

#[inline]
pub fn fmin64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        quiet64(a, b)
    } else if a == b {
        f64::from_bits(a.to_bits() | b.to_bits())
    } else if a < b {
        a
    } else {
        b
    }
}

#[inline]
pub fn fmax64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        quiet64(a, b)
    } else if a == b {
        f64::from_bits(a.to_bits() & b.to_bits())
    } else if a > b {
        a
    } else {
        b
    }
}

/// Checked float-to-int truncation: `lo < x < hi` must hold (exclusive bounds, as f64).
#[inline]
pub fn trunc_check(x: f64, lo: f64, hi: f64) -> Result<f64, TrapCode> {
    if x.is_nan() {
        Err(TrapCode::InvalidConversionToInteger)
    } else if x <= lo || x >= hi {
        Err(TrapCode::IntegerOverflow)
    } else {
        Ok(x)
    }
}

pub const I32_LO: f64 = -2147483649.0;
pub const I32_HI: f64 = 2147483648.0;
pub const U32_LO: f64 = -1.0;
pub const U32_HI: f64 = 4294967296.0;
pub const U64_LO: f64 = -1.0;
pub const U64_HI: f64 = 18446744073709551616.0;
pub const I64_HI: f64 = 9223372036854775808.0;

#[inline]
pub fn trunc_i64(x: f64) -> Result<i64, TrapCode> {
    if x.is_nan() {
        Err(TrapCode::InvalidConversionToInteger)
    } else if !(-I64_HI..I64_HI).contains(&x) {
        Err(TrapCode::IntegerOverflow)
    } else {
        Ok(x as i64)
    }
}
