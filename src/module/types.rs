//! Value and function types as wrun sees them (converted from wasmparser's).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
    /// A reference to a caught exception (exception handling, wasm 3.0): in a slot, a
    /// pointer to the store's `runtime::exception::ExceptionObject` (0 = null).
    ExnRef,
}

impl ValType {
    /// Slots (8 bytes each) a value of this type occupies in a frame.
    pub fn slots(self) -> usize {
        if self == ValType::V128 { 2 } else { 1 }
    }

    pub fn is_ref(self) -> bool {
        matches!(
            self,
            ValType::FuncRef | ValType::ExternRef | ValType::ExnRef
        )
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::ExnRef => "exnref",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

impl FuncType {
    pub fn new(params: impl Into<Vec<ValType>>, results: impl Into<Vec<ValType>>) -> FuncType {
        FuncType {
            params: params.into(),
            results: results.into(),
        }
    }

    /// Slots the parameters take (a v128 takes two): the length of a call's argument area.
    pub fn param_slots(&self) -> u32 {
        slots_of(&self.params)
    }

    /// Slots the results take.
    pub fn result_slots(&self) -> u32 {
        slots_of(&self.results)
    }

    /// Whether a parameter or result is a v128.
    pub fn has_v128(&self) -> bool {
        self.params
            .iter()
            .chain(&self.results)
            .any(|t| *t == ValType::V128)
    }
}

/// Slots a sequence of values takes.
pub fn slots_of(types: &[ValType]) -> u32 {
    types.iter().map(|t| t.slots() as u32).sum()
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[ValType]| {
            v.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        write!(
            f,
            "(func (param {}) (result {}))",
            list(&self.params),
            list(&self.results)
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub min: u64,
    pub max: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryType {
    /// In 64 KiB pages.
    pub limits: Limits,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableType {
    pub elem: ValType,
    pub limits: Limits,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalType {
    pub ty: ValType,
    pub mutable: bool,
}
