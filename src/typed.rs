//! Typed host functions: [`Func::wrap`] turns a Rust closure over wasm numbers into a host
//! function, deriving its wasm type from the closure's signature and doing the slot encoding
//! (ARCHITECTURE.md, "Values, slots and frames") itself. [`Func::new`] is the slot-level form.

use crate::runtime::HostFn;
use crate::{Caller, Func, FuncType, Store, Trap, ValType};

mod sealed {
    /// Only this crate implements the typed-value traits: a `WasmTy` of type funcref could
    /// hand the tiers any integer as a function record.
    pub trait Sealed {}
}

/// A Rust type that is a wasm number type: `i32`/`u32` (i32), `i64`/`u64` (i64), `f32`, `f64`.
pub trait WasmTy: sealed::Sealed + Copy + 'static {
    /// Its wasm type (never a reference type).
    const TYPE: ValType;
    /// Decodes a slot holding a value of [`WasmTy::TYPE`].
    fn from_slot(slot: u64) -> Self;
    /// The slot encoding of the value (i32 and f32 zero-extended).
    fn into_slot(self) -> u64;
}

macro_rules! wasm_ty {
    ($($t:ty => $ty:ident, |$s:ident| $from:expr, |$v:ident| $into:expr;)*) => {$(
        impl sealed::Sealed for $t {}
        impl WasmTy for $t {
            const TYPE: ValType = ValType::$ty;
            fn from_slot($s: u64) -> $t {
                $from
            }
            fn into_slot(self) -> u64 {
                let $v = self;
                $into
            }
        }
    )*};
}

wasm_ty! {
    i32 => I32, |s| s as u32 as i32, |v| v as u32 as u64;
    u32 => I32, |s| s as u32, |v| v as u64;
    i64 => I64, |s| s as i64, |v| v as u64;
    u64 => I64, |s| s, |v| v;
    f32 => F32, |s| f32::from_bits(s as u32), |v| v.to_bits() as u64;
    f64 => F64, |s| f64::from_bits(s), |v| v.to_bits();
}

/// The results of a typed host function: `()`, one [`WasmTy`], or a tuple of two or three.
pub trait WasmResults: sealed::Sealed + 'static {
    /// The wasm result types.
    fn types() -> Vec<ValType>;
    /// Writes the results to `slots[0..n]` (the host-call buffer has room for them).
    fn store(self, slots: &mut [u64]);
}

impl sealed::Sealed for () {}
impl WasmResults for () {
    fn types() -> Vec<ValType> {
        Vec::new()
    }
    fn store(self, _: &mut [u64]) {}
}

impl<T: WasmTy> WasmResults for T {
    fn types() -> Vec<ValType> {
        vec![T::TYPE]
    }
    fn store(self, slots: &mut [u64]) {
        slots[0] = self.into_slot();
    }
}

macro_rules! wasm_results_tuple {
    ($($t:ident $v:ident $i:tt),*) => {
        impl<$($t: WasmTy),*> sealed::Sealed for ($($t,)*) {}
        impl<$($t: WasmTy),*> WasmResults for ($($t,)*) {
            fn types() -> Vec<ValType> {
                vec![$($t::TYPE),*]
            }
            fn store(self, slots: &mut [u64]) {
                let ($($v,)*) = self;
                $(slots[$i] = $v.into_slot();)*
            }
        }
    };
}

wasm_results_tuple!(A a 0, B b 1);
wasm_results_tuple!(A a 0, B b 1, C c 2);

/// What a typed host function may return: its results, or `Result<results, Trap>`.
pub trait WasmRet: 'static {
    type Results: WasmResults;
    fn into_result(self) -> Result<Self::Results, Trap>;
}

impl<R: WasmResults> WasmRet for R {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        Ok(self)
    }
}

impl<R: WasmResults> WasmRet for Result<R, Trap> {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        self
    }
}

/// Marks, in [`IntoFunc`]'s parameter list, a closure whose first parameter is
/// `&mut Caller<'_>`.
pub struct WithCaller;

/// A closure [`Func::wrap`] accepts: `Fn(A1, .., An) -> R` or `Fn(&mut Caller<'_>, A1, .., An)
/// -> R` with up to 6 [`WasmTy`] parameters and a [`WasmRet`] result. `Params` only tells the
/// two shapes apart.
pub trait IntoFunc<Params, Results>: 'static {
    #[doc(hidden)]
    fn into_host(self) -> (FuncType, Box<HostFn>);
}

macro_rules! into_func {
    ($($t:ident $v:ident $i:tt),*) => {
        impl<F, $($t: WasmTy,)* R: WasmRet> IntoFunc<($($t,)*), R> for F
        where
            F: Fn($($t),*) -> R + 'static,
        {
            fn into_host(
                self,
            ) -> (
                FuncType,
                Box<HostFn>,
            ) {
                let ty = FuncType::new(vec![$($t::TYPE),*], R::Results::types());
                let host = move |_: &mut Caller<'_>, slots: &mut [u64]| {
                    $(let $v = $t::from_slot(slots[$i]);)*
                    self($($v),*).into_result()?.store(slots);
                    Ok(())
                };
                (ty, Box::new(host))
            }
        }

        impl<F, $($t: WasmTy,)* R: WasmRet> IntoFunc<(WithCaller, $($t,)*), R> for F
        where
            F: Fn(&mut Caller<'_>, $($t),*) -> R + 'static,
        {
            fn into_host(
                self,
            ) -> (
                FuncType,
                Box<HostFn>,
            ) {
                let ty = FuncType::new(vec![$($t::TYPE),*], R::Results::types());
                let host = move |caller: &mut Caller<'_>, slots: &mut [u64]| {
                    $(let $v = $t::from_slot(slots[$i]);)*
                    self(caller, $($v),*).into_result()?.store(slots);
                    Ok(())
                };
                (ty, Box::new(host))
            }
        }
    };
}

into_func!();
into_func!(A1 a1 0);
into_func!(A1 a1 0, A2 a2 1);
into_func!(A1 a1 0, A2 a2 1, A3 a3 2);
into_func!(A1 a1 0, A2 a2 1, A3 a3 2, A4 a4 3);
into_func!(A1 a1 0, A2 a2 1, A3 a3 2, A4 a4 3, A5 a5 4);
into_func!(A1 a1 0, A2 a2 1, A3 a3 2, A4 a4 3, A5 a5 4, A6 a6 5);

impl Func {
    /// A typed host function: its wasm type comes from the closure's signature, e.g.
    /// `Func::wrap(&mut store, |a: i32, b: i64| -> i32 { .. })`; it may return
    /// `Result<_, Trap>` to trap, and take `&mut Caller<'_>` first to reach the caller's
    /// memory.
    ///
    /// ```
    /// # use wrun::{Caller, Config, Engine, Func, Store, Trap, Val};
    /// let mut store = Store::new(&Engine::new(Config::default()));
    /// let add = Func::wrap(&mut store, |a: i32, b: i64| a as i64 + b);
    /// assert_eq!(add.call(&mut store, &[Val::I32(2), Val::I64(3)]).unwrap(), [Val::I64(5)]);
    /// let div = Func::wrap(&mut store, |_: &mut Caller<'_>, a: u32, b: u32| {
    ///     a.checked_div(b).ok_or_else(|| Trap::host("divide by zero"))
    /// });
    /// assert!(div.call(&mut store, &[Val::I32(1), Val::I32(0)]).is_err());
    /// ```
    pub fn wrap<Params, Results>(store: &mut Store, func: impl IntoFunc<Params, Results>) -> Func {
        let (ty, host) = func.into_host();
        // SAFETY: every `WasmTy` is a number type, so the function has no funcref result.
        unsafe { Func::new_unchecked(store, ty, host) }
    }
}
