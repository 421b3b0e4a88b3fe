//! Helpers for operators the baseline compiler does not inline: float -> int conversions
//! (trapping and saturating), u64 -> float, float min/max (wasm NaN and -0 rules), rounding
//! without SSE4.1 and popcnt without POPCNT. Called from compiled code with the C ABI.

use crate::runtime::TrapCode;
use crate::runtime::float::{
    I32_HI, I32_LO, U32_HI, U32_LO, U64_HI, U64_LO, fmax32, fmax64, fmin32, fmin64, quieted32,
    quieted64, trunc_check, trunc_i64,
};

/// Kinds of [`convert`]: `(bits of the operand) -> result slot`.
pub mod conv {
    pub const I32_TRUNC_F32_S: u32 = 0;
    pub const I32_TRUNC_F32_U: u32 = 1;
    pub const I32_TRUNC_F64_S: u32 = 2;
    pub const I32_TRUNC_F64_U: u32 = 3;
    pub const I64_TRUNC_F32_S: u32 = 4;
    pub const I64_TRUNC_F32_U: u32 = 5;
    pub const I64_TRUNC_F64_S: u32 = 6;
    pub const I64_TRUNC_F64_U: u32 = 7;
    /// Saturating variants: `SAT + the trapping kind`.
    pub const SAT: u32 = 8;
    pub const F32_CONVERT_I64_U: u32 = 16;
    pub const F64_CONVERT_I64_U: u32 = 17;
}

/// Kinds of [`float_op`].
pub mod fop {
    pub const F32_MIN: u32 = 0;
    pub const F32_MAX: u32 = 1;
    pub const F64_MIN: u32 = 2;
    pub const F64_MAX: u32 = 3;
    pub const F32_CEIL: u32 = 4;
    pub const F32_FLOOR: u32 = 5;
    pub const F32_TRUNC: u32 = 6;
    pub const F32_NEAREST: u32 = 7;
    pub const F64_CEIL: u32 = 8;
    pub const F64_FLOOR: u32 = 9;
    pub const F64_TRUNC: u32 = 10;
    pub const F64_NEAREST: u32 = 11;
    pub const POPCNT: u32 = 12;
}

fn trunc(kind: u32, bits: u64) -> Result<u64, TrapCode> {
    let f32_value = || f32::from_bits(bits as u32) as f64;
    let f64_value = || f64::from_bits(bits);
    Ok(match kind {
        conv::I32_TRUNC_F32_S => trunc_check(f32_value(), I32_LO, I32_HI)? as i32 as u32 as u64,
        conv::I32_TRUNC_F32_U => trunc_check(f32_value(), U32_LO, U32_HI)? as u32 as u64,
        conv::I32_TRUNC_F64_S => trunc_check(f64_value(), I32_LO, I32_HI)? as i32 as u32 as u64,
        conv::I32_TRUNC_F64_U => trunc_check(f64_value(), U32_LO, U32_HI)? as u32 as u64,
        conv::I64_TRUNC_F32_S => trunc_i64(f32_value())? as u64,
        conv::I64_TRUNC_F64_S => trunc_i64(f64_value())? as u64,
        conv::I64_TRUNC_F32_U => trunc_check(f32_value(), U64_LO, U64_HI)? as u64,
        conv::I64_TRUNC_F64_U => trunc_check(f64_value(), U64_LO, U64_HI)? as u64,
        _ => return Err(TrapCode::Unreachable),
    })
}

/// Rust's `as` casts saturate and map NaN to 0, exactly `trunc_sat`.
fn trunc_sat(kind: u32, bits: u64) -> u64 {
    let f32_value = || f32::from_bits(bits as u32);
    let f64_value = || f64::from_bits(bits);
    match kind {
        conv::I32_TRUNC_F32_S => f32_value() as i32 as u32 as u64,
        conv::I32_TRUNC_F32_U => f32_value() as u32 as u64,
        conv::I32_TRUNC_F64_S => f64_value() as i32 as u32 as u64,
        conv::I32_TRUNC_F64_U => f64_value() as u32 as u64,
        conv::I64_TRUNC_F32_S => f32_value() as i64 as u64,
        conv::I64_TRUNC_F32_U => f32_value() as u64,
        conv::I64_TRUNC_F64_S => f64_value() as i64 as u64,
        _ => f64_value() as u64,
    }
}

/// `(kind, operand bits, out slot) -> trap code (0 = ok)`.
///
/// # Safety
/// `out` is writable (compiled code passes the result's canonical slot).
pub unsafe extern "C" fn convert(kind: u32, bits: u64, out: *mut u64) -> u32 {
    let result = match kind {
        conv::F32_CONVERT_I64_U => Ok((bits as f32).to_bits() as u64),
        conv::F64_CONVERT_I64_U => Ok((bits as f64).to_bits()),
        k if k >= conv::SAT => Ok(trunc_sat(k - conv::SAT, bits)),
        k => trunc(k, bits),
    };
    match result {
        Ok(value) => {
            // SAFETY: compiled code passes the address of the result's canonical slot.
            unsafe { *out = value };
            0
        }
        Err(code) => code as u32,
    }
}

fn round32(x: f32, f: fn(f32) -> f32) -> u64 {
    let r = f(x);
    quieted32(r).to_bits() as u64
}

fn round64(x: f64, f: fn(f64) -> f64) -> u64 {
    let r = f(x);
    quieted64(r).to_bits()
}

/// `(kind, a bits, b bits) -> result bits`.
pub extern "C" fn float_op(kind: u32, a: u64, b: u64) -> u64 {
    let (a32, b32) = (f32::from_bits(a as u32), f32::from_bits(b as u32));
    let (a64, b64) = (f64::from_bits(a), f64::from_bits(b));
    match kind {
        fop::F32_MIN => fmin32(a32, b32).to_bits() as u64,
        fop::F32_MAX => fmax32(a32, b32).to_bits() as u64,
        fop::F64_MIN => fmin64(a64, b64).to_bits(),
        fop::F64_MAX => fmax64(a64, b64).to_bits(),
        fop::F32_CEIL => round32(a32, f32::ceil),
        fop::F32_FLOOR => round32(a32, f32::floor),
        fop::F32_TRUNC => round32(a32, f32::trunc),
        fop::F32_NEAREST => round32(a32, f32::round_ties_even),
        fop::F64_CEIL => round64(a64, f64::ceil),
        fop::F64_FLOOR => round64(a64, f64::floor),
        fop::F64_TRUNC => round64(a64, f64::trunc),
        fop::F64_NEAREST => round64(a64, f64::round_ties_even),
        fop::POPCNT => a.count_ones() as u64,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trapping_and_saturating_truncation() {
        let mut out = 0u64;
        let convert = |kind, bits, out: &mut u64| {
            // SAFETY: `out` is a valid local.
            unsafe { convert(kind, bits, out) }
        };
        assert_eq!(
            convert(conv::I32_TRUNC_F32_S, (-1.5f32).to_bits() as u64, &mut out),
            0
        );
        assert_eq!(out, (-1i32) as u32 as u64);
        assert_eq!(
            convert(conv::I32_TRUNC_F32_S, f32::NAN.to_bits() as u64, &mut out),
            TrapCode::InvalidConversionToInteger as u32
        );
        assert_eq!(
            convert(conv::I64_TRUNC_F64_U, (-1.0f64).to_bits(), &mut out),
            TrapCode::IntegerOverflow as u32
        );
        assert_eq!(
            convert(
                conv::SAT + conv::I32_TRUNC_F64_U,
                (-5.0f64).to_bits(),
                &mut out
            ),
            0
        );
        assert_eq!(out, 0);
    }

    #[test]
    fn min_max_follow_wasm_rules() {
        let neg_zero = (-0.0f32).to_bits() as u64;
        let zero = 0.0f32.to_bits() as u64;
        assert_eq!(float_op(fop::F32_MIN, zero, neg_zero), neg_zero);
        assert_eq!(float_op(fop::F32_MAX, neg_zero, zero), zero);
        let nan = float_op(fop::F64_MIN, f64::NAN.to_bits(), 1.0f64.to_bits());
        assert!(f64::from_bits(nan).is_nan());
    }
}
