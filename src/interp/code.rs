//! Builders of the interpreter's instructions for the translator: the integer compare and
//! immediate families, chosen from an operation and a width (the instruction set itself is
//! the table in `isa.rs`).

pub use super::isa::{Instr, Slot, Slot16};

/// Float comparisons, for fusing compares with branches (shared with the JIT).
pub use crate::module::ops::FloatCmp;
/// Integer comparisons, for fusing compares with branches and immediates (shared with the JIT).
pub use crate::module::ops::IntCmp as Cmp;

impl FloatCmp {
    /// Branch to `target` when `a cmp b` (f64 when `wide`, else f32), or when it is false
    /// if `negated` (which is true when an operand is NaN, except for `Eq`/`Ne`).
    pub fn branch(self, wide: bool, negated: bool, a: Slot, b: Slot, target: u32) -> Instr {
        use FloatCmp::*;
        use Instr as I;
        // `Gt`/`Ge` are `Lt`/`Le` swapped; `!(a == b)` is `a != b` and vice versa.
        let (cmp, a, b) = match self {
            Gt | Ge => (self.swap(), b, a),
            _ => (self, a, b),
        };
        match (wide, cmp, negated) {
            (false, Eq, false) | (false, Ne, true) => I::BrF32Eq { a, b, target },
            (false, Ne, false) | (false, Eq, true) => I::BrF32Ne { a, b, target },
            (false, Lt, false) => I::BrF32Lt { a, b, target },
            (false, Le, false) => I::BrF32Le { a, b, target },
            (false, Lt, true) => I::BrF32NotLt { a, b, target },
            (false, _, _) => I::BrF32NotLe { a, b, target },
            (true, Eq, false) | (true, Ne, true) => I::BrF64Eq { a, b, target },
            (true, Ne, false) | (true, Eq, true) => I::BrF64Ne { a, b, target },
            (true, Lt, false) => I::BrF64Lt { a, b, target },
            (true, Le, false) => I::BrF64Le { a, b, target },
            (true, Lt, true) => I::BrF64NotLt { a, b, target },
            (true, _, _) => I::BrF64NotLe { a, b, target },
        }
    }

    /// Branch to `target` when `fp[a] cmp k` (f64; `k` the constant's bits), or when it is
    /// false if `negated`.
    /// With `in_acc`, `fp[a]` is read from the accumulator (the ordered compares have that
    /// form).
    pub fn branch_const(
        self,
        negated: bool,
        a: Slot16,
        k: u64,
        in_acc: bool,
        target: u32,
    ) -> Instr {
        use FloatCmp::*;
        use Instr as I;
        if in_acc {
            match (self, negated) {
                (Lt, false) => return I::BrF64LtKAcc { k, target },
                (Le, false) => return I::BrF64LeKAcc { k, target },
                (Gt, false) => return I::BrF64GtKAcc { k, target },
                (Ge, false) => return I::BrF64GeKAcc { k, target },
                (Lt, true) => return I::BrF64NotLtKAcc { k, target },
                (Le, true) => return I::BrF64NotLeKAcc { k, target },
                (Gt, true) => return I::BrF64NotGtKAcc { k, target },
                (Ge, true) => return I::BrF64NotGeKAcc { k, target },
                (Eq | Ne, _) => {}
            }
        }
        match (self, negated) {
            (Eq, false) | (Ne, true) => I::BrF64EqK { a, k, target },
            (Ne, false) | (Eq, true) => I::BrF64NeK { a, k, target },
            (Lt, false) => I::BrF64LtK { a, k, target },
            (Le, false) => I::BrF64LeK { a, k, target },
            (Gt, false) => I::BrF64GtK { a, k, target },
            (Ge, false) => I::BrF64GeK { a, k, target },
            (Lt, true) => I::BrF64NotLtK { a, k, target },
            (Le, true) => I::BrF64NotLeK { a, k, target },
            (Gt, true) => I::BrF64NotGtK { a, k, target },
            (Ge, true) => I::BrF64NotGeK { a, k, target },
        }
    }
}

impl Cmp {
    /// `dst = a cmp b`.
    pub fn instr(self, wide: bool, dst: Slot, a: Slot, b: Slot) -> Instr {
        use Cmp::*;
        use Instr as I;
        match (wide, self) {
            (false, Eq) => I::I32Eq { dst, a, b },
            (false, Ne) => I::I32Ne { dst, a, b },
            (false, LtS) => I::I32LtS { dst, a, b },
            (false, LtU) => I::I32LtU { dst, a, b },
            (false, GtS) => I::I32GtS { dst, a, b },
            (false, GtU) => I::I32GtU { dst, a, b },
            (false, LeS) => I::I32LeS { dst, a, b },
            (false, LeU) => I::I32LeU { dst, a, b },
            (false, GeS) => I::I32GeS { dst, a, b },
            (false, GeU) => I::I32GeU { dst, a, b },
            (true, Eq) => I::I64Eq { dst, a, b },
            (true, Ne) => I::I64Ne { dst, a, b },
            (true, LtS) => I::I64LtS { dst, a, b },
            (true, LtU) => I::I64LtU { dst, a, b },
            (true, GtS) => I::I64GtS { dst, a, b },
            (true, GtU) => I::I64GtU { dst, a, b },
            (true, LeS) => I::I64LeS { dst, a, b },
            (true, LeU) => I::I64LeU { dst, a, b },
            (true, GeS) => I::I64GeS { dst, a, b },
            (true, GeU) => I::I64GeU { dst, a, b },
        }
    }

    /// `dst = a cmp imm` (for i64, `imm` is sign-extended).
    pub fn instr_imm(self, wide: bool, dst: Slot, a: Slot, imm: i32) -> Instr {
        use Cmp::*;
        use Instr as I;
        match (wide, self) {
            (false, Eq) => I::I32EqI { dst, a, imm },
            (false, Ne) => I::I32NeI { dst, a, imm },
            (false, LtS) => I::I32LtSI { dst, a, imm },
            (false, LtU) => I::I32LtUI { dst, a, imm },
            (false, GtS) => I::I32GtSI { dst, a, imm },
            (false, GtU) => I::I32GtUI { dst, a, imm },
            (false, LeS) => I::I32LeSI { dst, a, imm },
            (false, LeU) => I::I32LeUI { dst, a, imm },
            (false, GeS) => I::I32GeSI { dst, a, imm },
            (false, GeU) => I::I32GeUI { dst, a, imm },
            (true, Eq) => I::I64EqI { dst, a, imm },
            (true, Ne) => I::I64NeI { dst, a, imm },
            (true, LtS) => I::I64LtSI { dst, a, imm },
            (true, LtU) => I::I64LtUI { dst, a, imm },
            (true, GtS) => I::I64GtSI { dst, a, imm },
            (true, GtU) => I::I64GtUI { dst, a, imm },
            (true, LeS) => I::I64LeSI { dst, a, imm },
            (true, LeU) => I::I64LeUI { dst, a, imm },
            (true, GeS) => I::I64GeSI { dst, a, imm },
            (true, GeU) => I::I64GeUI { dst, a, imm },
        }
    }

    /// Branch to `target` when `a cmp b`.
    pub fn branch(self, wide: bool, a: Slot, b: Slot, target: u32) -> Instr {
        use Cmp::*;
        use Instr as I;
        match (wide, self) {
            (false, Eq) => I::BrI32Eq { a, b, target },
            (false, Ne) => I::BrI32Ne { a, b, target },
            (false, LtS) => I::BrI32LtS { a, b, target },
            (false, LtU) => I::BrI32LtU { a, b, target },
            (false, GtS) => I::BrI32GtS { a, b, target },
            (false, GtU) => I::BrI32GtU { a, b, target },
            (false, LeS) => I::BrI32LeS { a, b, target },
            (false, LeU) => I::BrI32LeU { a, b, target },
            (false, GeS) => I::BrI32GeS { a, b, target },
            (false, GeU) => I::BrI32GeU { a, b, target },
            (true, Eq) => I::BrI64Eq { a, b, target },
            (true, Ne) => I::BrI64Ne { a, b, target },
            (true, LtS) => I::BrI64LtS { a, b, target },
            (true, LtU) => I::BrI64LtU { a, b, target },
            (true, GtS) => I::BrI64GtS { a, b, target },
            (true, GtU) => I::BrI64GtU { a, b, target },
            (true, LeS) => I::BrI64LeS { a, b, target },
            (true, LeU) => I::BrI64LeU { a, b, target },
            (true, GeS) => I::BrI64GeS { a, b, target },
            (true, GeU) => I::BrI64GeU { a, b, target },
        }
    }

    /// Branch to `target` when `a cmp imm` (for i64, `imm` is sign-extended).
    pub fn branch_imm(self, wide: bool, a: Slot, imm: i32, target: u32) -> Instr {
        use Cmp::*;
        use Instr as I;
        match (wide, self) {
            (false, Eq) => I::BrI32EqI { a, imm, target },
            (false, Ne) => I::BrI32NeI { a, imm, target },
            (false, LtS) => I::BrI32LtSI { a, imm, target },
            (false, LtU) => I::BrI32LtUI { a, imm, target },
            (false, GtS) => I::BrI32GtSI { a, imm, target },
            (false, GtU) => I::BrI32GtUI { a, imm, target },
            (false, LeS) => I::BrI32LeSI { a, imm, target },
            (false, LeU) => I::BrI32LeUI { a, imm, target },
            (false, GeS) => I::BrI32GeSI { a, imm, target },
            (false, GeU) => I::BrI32GeUI { a, imm, target },
            (true, Eq) => I::BrI64EqI { a, imm, target },
            (true, Ne) => I::BrI64NeI { a, imm, target },
            (true, LtS) => I::BrI64LtSI { a, imm, target },
            (true, LtU) => I::BrI64LtUI { a, imm, target },
            (true, GtS) => I::BrI64GtSI { a, imm, target },
            (true, GtU) => I::BrI64GtUI { a, imm, target },
            (true, LeS) => I::BrI64LeSI { a, imm, target },
            (true, LeU) => I::BrI64LeUI { a, imm, target },
            (true, GeS) => I::BrI64GeSI { a, imm, target },
            (true, GeU) => I::BrI64GeUI { a, imm, target },
        }
    }
}

/// Binary integer operations that have an immediate form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImmOp {
    Add,
    Mul,
    And,
    Or,
    Xor,
    Shl,
    ShrS,
    ShrU,
    Rotl,
    Rotr,
}

impl ImmOp {
    /// Whether `a op b == b op a`.
    pub fn commutative(self) -> bool {
        matches!(
            self,
            ImmOp::Add | ImmOp::Mul | ImmOp::And | ImmOp::Or | ImmOp::Xor
        )
    }

    pub fn instr(self, wide: bool, dst: Slot, a: Slot, b: Slot) -> Instr {
        use ImmOp::*;
        use Instr as I;
        match (wide, self) {
            (false, Add) => I::I32Add { dst, a, b },
            (false, Mul) => I::I32Mul { dst, a, b },
            (false, And) => I::I32And { dst, a, b },
            (false, Or) => I::I32Or { dst, a, b },
            (false, Xor) => I::I32Xor { dst, a, b },
            (false, Shl) => I::I32Shl { dst, a, b },
            (false, ShrS) => I::I32ShrS { dst, a, b },
            (false, ShrU) => I::I32ShrU { dst, a, b },
            (false, Rotl) => I::I32Rotl { dst, a, b },
            (false, Rotr) => I::I32Rotr { dst, a, b },
            (true, Add) => I::I64Add { dst, a, b },
            (true, Mul) => I::I64Mul { dst, a, b },
            (true, And) => I::I64And { dst, a, b },
            (true, Or) => I::I64Or { dst, a, b },
            (true, Xor) => I::I64Xor { dst, a, b },
            (true, Shl) => I::I64Shl { dst, a, b },
            (true, ShrS) => I::I64ShrS { dst, a, b },
            (true, ShrU) => I::I64ShrU { dst, a, b },
            (true, Rotl) => I::I64Rotl { dst, a, b },
            (true, Rotr) => I::I64Rotr { dst, a, b },
        }
    }

    pub fn instr_imm(self, wide: bool, dst: Slot, a: Slot, imm: i32) -> Instr {
        use ImmOp::*;
        use Instr as I;
        match (wide, self) {
            (false, Add) => I::I32AddI { dst, a, imm },
            (false, Mul) => I::I32MulI { dst, a, imm },
            (false, And) => I::I32AndI { dst, a, imm },
            (false, Or) => I::I32OrI { dst, a, imm },
            (false, Xor) => I::I32XorI { dst, a, imm },
            (false, Shl) => I::I32ShlI { dst, a, imm },
            (false, ShrS) => I::I32ShrSI { dst, a, imm },
            (false, ShrU) => I::I32ShrUI { dst, a, imm },
            (false, Rotl) => I::I32RotlI { dst, a, imm },
            (false, Rotr) => I::I32RotrI { dst, a, imm },
            (true, Add) => I::I64AddI { dst, a, imm },
            (true, Mul) => I::I64MulI { dst, a, imm },
            (true, And) => I::I64AndI { dst, a, imm },
            (true, Or) => I::I64OrI { dst, a, imm },
            (true, Xor) => I::I64XorI { dst, a, imm },
            (true, Shl) => I::I64ShlI { dst, a, imm },
            (true, ShrS) => I::I64ShrSI { dst, a, imm },
            (true, ShrU) => I::I64ShrUI { dst, a, imm },
            (true, Rotl) => I::I64RotlI { dst, a, imm },
            (true, Rotr) => I::I64RotrI { dst, a, imm },
        }
    }
}

/// The f64 operations with accumulator forms (`isa.rs`, "Accumulator forms").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum F64Arith {
    Add,
    Sub,
    Mul,
    Div,
}

impl F64Arith {
    /// `fdst = a op b`, reading an operand from the accumulator when it is `acc`, the slot
    /// the previous instruction's f64 result went to (the slot holds the same value, so
    /// either may be read).
    pub fn instr(self, fdst: Slot, a: Slot, b: Slot, acc: Option<Slot>) -> Instr {
        use F64Arith::*;
        use Instr as I;
        let (in_a, in_b) = (acc == Some(a), acc == Some(b));
        match (self, in_a, in_b) {
            (Add, true, true) => I::F64AddAccAcc { fdst },
            (Add, true, false) => I::F64AddAcc { fdst, b },
            (Add, false, true) => I::F64AddAcc { fdst, b: a },
            (Add, false, false) => I::F64Add { fdst, a, b },
            (Mul, true, true) => I::F64MulAccAcc { fdst },
            (Mul, true, false) => I::F64MulAcc { fdst, b },
            (Mul, false, true) => I::F64MulAcc { fdst, b: a },
            (Mul, false, false) => I::F64Mul { fdst, a, b },
            (Sub, true, _) => I::F64SubAcc { fdst, b },
            (Sub, false, true) => I::F64SubFromAcc { fdst, a },
            (Sub, false, false) => I::F64Sub { fdst, a, b },
            (Div, true, _) => I::F64DivAcc { fdst, b },
            (Div, false, true) => I::F64DivIntoAcc { fdst, a },
            (Div, false, false) => I::F64Div { fdst, a, b },
        }
    }
}
