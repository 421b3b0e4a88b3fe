//! Facts about wasm operators that every tier needs (so each tier does not keep its own table).

use wasmparser::Operator;

/// A binary integer comparison of wasm (`i32.lt_s`, `i64.ge_u`, ...), as the tiers fuse it
/// with a following branch or turn it into an immediate form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntCmp {
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
}

impl IntCmp {
    /// The comparison `op` performs and whether it is on i64 (`true`) or i32, for the twenty
    /// binary integer compares; `None` for every other operator (including `eqz`).
    pub fn of(op: &Operator<'_>) -> Option<(IntCmp, bool)> {
        use IntCmp::*;
        use Operator as O;
        Some(match op {
            O::I32Eq => (Eq, false),
            O::I32Ne => (Ne, false),
            O::I32LtS => (LtS, false),
            O::I32LtU => (LtU, false),
            O::I32GtS => (GtS, false),
            O::I32GtU => (GtU, false),
            O::I32LeS => (LeS, false),
            O::I32LeU => (LeU, false),
            O::I32GeS => (GeS, false),
            O::I32GeU => (GeU, false),
            O::I64Eq => (Eq, true),
            O::I64Ne => (Ne, true),
            O::I64LtS => (LtS, true),
            O::I64LtU => (LtU, true),
            O::I64GtS => (GtS, true),
            O::I64GtU => (GtU, true),
            O::I64LeS => (LeS, true),
            O::I64LeU => (LeU, true),
            O::I64GeS => (GeS, true),
            O::I64GeU => (GeU, true),
            _ => return None,
        })
    }

    /// The comparison that is true exactly when `self` is false.
    pub fn negate(self) -> IntCmp {
        use IntCmp::*;
        match self {
            Eq => Ne,
            Ne => Eq,
            LtS => GeS,
            LtU => GeU,
            GtS => LeS,
            GtU => LeU,
            LeS => GtS,
            LeU => GtU,
            GeS => LtS,
            GeU => LtU,
        }
    }

    /// The comparison with its operands swapped (`a < b` <=> `b > a`).
    pub fn swap(self) -> IntCmp {
        use IntCmp::*;
        match self {
            Eq => Eq,
            Ne => Ne,
            LtS => GtS,
            LtU => GtU,
            GtS => LtS,
            GtU => LtU,
            LeS => GeS,
            LeU => GeU,
            GeS => LeS,
            GeU => LeU,
        }
    }
}

/// A float comparison of wasm (`f32.lt`, `f64.ge`, ...), as the tiers compute it or fuse it
/// with a following branch. Every one but `Ne` is false when an operand is NaN, so the
/// negation of `Lt` is not `Ge`: a branch on a false comparison needs its own form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatCmp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl FloatCmp {
    /// The comparison with its operands swapped (`a < b` <=> `b > a`, NaN included).
    pub fn swap(self) -> FloatCmp {
        use FloatCmp::*;
        match self {
            Eq => Eq,
            Ne => Ne,
            Lt => Gt,
            Gt => Lt,
            Le => Ge,
            Ge => Le,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negate_and_swap_are_involutions() {
        use IntCmp::*;
        for cmp in [Eq, Ne, LtS, LtU, GtS, GtU, LeS, LeU, GeS, GeU] {
            assert_eq!(cmp.negate().negate(), cmp);
            assert_eq!(cmp.swap().swap(), cmp);
            assert_ne!(cmp.negate(), cmp);
        }
        assert_eq!(IntCmp::of(&Operator::I64LeU), Some((LeU, true)));
        assert_eq!(IntCmp::of(&Operator::I32Eqz), None);
        for cmp in [
            FloatCmp::Eq,
            FloatCmp::Ne,
            FloatCmp::Lt,
            FloatCmp::Gt,
            FloatCmp::Le,
            FloatCmp::Ge,
        ] {
            assert_eq!(cmp.swap().swap(), cmp);
        }
    }
}
