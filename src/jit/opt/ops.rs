//! The IR's opcodes, in one table (`for_each_opcode!`): the [`Opcode`] enum, the names the
//! printer writes and the parser reads, each opcode's type rule ([`Sig`]), its effect flags
//! ([`Flags`]), the kind of immediate it carries ([`ImmKind`]) and, for the opcodes that are
//! exactly one immediate-free wasm operator, that operator ([`Opcode::of_wasm`]) all come
//! from it. Adding an opcode is one line.

use crate::module::ValType;
use wasmparser::Operator;

/// What an instruction may do besides computing its results from its arguments. An opcode
/// with no flag is pure: the passes may fold, merge, hoist and delete it freely.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags {
    /// May trap (division by zero, out-of-bounds access, bad conversion, a callee's trap).
    pub traps: bool,
    /// Reads state the IR does not name as a value (memory, globals, tables): two equal
    /// instructions may give different results.
    pub reads: bool,
    /// Writes state or calls: its order with other effects matters and it is never deleted.
    pub writes: bool,
}

impl Flags {
    const fn of(traps: bool, reads: bool, writes: bool) -> Flags {
        Flags {
            traps,
            reads,
            writes,
        }
    }

    /// Neither traps nor touches state.
    pub fn is_pure(self) -> bool {
        !self.traps && !self.reads && !self.writes
    }

    /// Deleting it when its results are unused changes nothing observable.
    pub fn removable(self) -> bool {
        !self.traps && !self.writes
    }

    /// Two instructions with the same opcode, immediate and arguments, one dominating the
    /// other, compute the same results (a trapping one that ran did not trap; the second
    /// one would not either).
    pub fn numberable(self) -> bool {
        !self.reads && !self.writes
    }
}

/// The immediate an opcode carries besides its value arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImmKind {
    None,
    /// A constant's bits (`i32.const`: the value sign-extended; floats: their bit pattern).
    Int,
    /// A memory access: memory index and static offset.
    Mem,
    /// One index (function, global, memory, table, data or element segment).
    Idx,
    /// Two indices (`call_indirect`: type, table; `memory.copy`: dst, src; `*.init`:
    /// segment, memory or table).
    Idx2,
}

/// An opcode's type rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sig {
    /// Exactly these argument and result types.
    Fixed(&'static [ValType], &'static [ValType]),
    /// `select`: `(t, t, i32) -> t`.
    Select,
    /// Decided by the immediate and the module (calls, globals, tables, `ref.*`): the
    /// verifier checks arity against the instruction's own result list only.
    Any,
}

/// The opcode table. Each line: variant, text name, `w` if the variant is also the name of
/// an immediate-free wasm operator with the same meaning (`x` otherwise), argument types,
/// result types (`[Any]` and `[Select]` for the non-fixed rules), flags (`pure`, `trap`,
/// `read`, `read_trap`, `write`, `write_trap`), immediate kind.
macro_rules! for_each_opcode {
    ($m:ident) => {
        $m! {
            I32Const "i32.const" x [] -> [I32] pure Int;
            I64Const "i64.const" x [] -> [I64] pure Int;
            F32Const "f32.const" x [] -> [F32] pure Int;
            F64Const "f64.const" x [] -> [F64] pure Int;
            Select "select" w [Select] -> [] pure None;

            I32Eqz "i32.eqz" w [I32] -> [I32] pure None;
            I32Eq "i32.eq" w [I32 I32] -> [I32] pure None;
            I32Ne "i32.ne" w [I32 I32] -> [I32] pure None;
            I32LtS "i32.lt_s" w [I32 I32] -> [I32] pure None;
            I32LtU "i32.lt_u" w [I32 I32] -> [I32] pure None;
            I32GtS "i32.gt_s" w [I32 I32] -> [I32] pure None;
            I32GtU "i32.gt_u" w [I32 I32] -> [I32] pure None;
            I32LeS "i32.le_s" w [I32 I32] -> [I32] pure None;
            I32LeU "i32.le_u" w [I32 I32] -> [I32] pure None;
            I32GeS "i32.ge_s" w [I32 I32] -> [I32] pure None;
            I32GeU "i32.ge_u" w [I32 I32] -> [I32] pure None;
            I64Eqz "i64.eqz" w [I64] -> [I32] pure None;
            I64Eq "i64.eq" w [I64 I64] -> [I32] pure None;
            I64Ne "i64.ne" w [I64 I64] -> [I32] pure None;
            I64LtS "i64.lt_s" w [I64 I64] -> [I32] pure None;
            I64LtU "i64.lt_u" w [I64 I64] -> [I32] pure None;
            I64GtS "i64.gt_s" w [I64 I64] -> [I32] pure None;
            I64GtU "i64.gt_u" w [I64 I64] -> [I32] pure None;
            I64LeS "i64.le_s" w [I64 I64] -> [I32] pure None;
            I64LeU "i64.le_u" w [I64 I64] -> [I32] pure None;
            I64GeS "i64.ge_s" w [I64 I64] -> [I32] pure None;
            I64GeU "i64.ge_u" w [I64 I64] -> [I32] pure None;
            F32Eq "f32.eq" w [F32 F32] -> [I32] pure None;
            F32Ne "f32.ne" w [F32 F32] -> [I32] pure None;
            F32Lt "f32.lt" w [F32 F32] -> [I32] pure None;
            F32Gt "f32.gt" w [F32 F32] -> [I32] pure None;
            F32Le "f32.le" w [F32 F32] -> [I32] pure None;
            F32Ge "f32.ge" w [F32 F32] -> [I32] pure None;
            F64Eq "f64.eq" w [F64 F64] -> [I32] pure None;
            F64Ne "f64.ne" w [F64 F64] -> [I32] pure None;
            F64Lt "f64.lt" w [F64 F64] -> [I32] pure None;
            F64Gt "f64.gt" w [F64 F64] -> [I32] pure None;
            F64Le "f64.le" w [F64 F64] -> [I32] pure None;
            F64Ge "f64.ge" w [F64 F64] -> [I32] pure None;

            I32Clz "i32.clz" w [I32] -> [I32] pure None;
            I32Ctz "i32.ctz" w [I32] -> [I32] pure None;
            I32Popcnt "i32.popcnt" w [I32] -> [I32] pure None;
            I32Add "i32.add" w [I32 I32] -> [I32] pure None;
            I32Sub "i32.sub" w [I32 I32] -> [I32] pure None;
            I32Mul "i32.mul" w [I32 I32] -> [I32] pure None;
            I32DivS "i32.div_s" w [I32 I32] -> [I32] trap None;
            I32DivU "i32.div_u" w [I32 I32] -> [I32] trap None;
            I32RemS "i32.rem_s" w [I32 I32] -> [I32] trap None;
            I32RemU "i32.rem_u" w [I32 I32] -> [I32] trap None;
            I32And "i32.and" w [I32 I32] -> [I32] pure None;
            I32Or "i32.or" w [I32 I32] -> [I32] pure None;
            I32Xor "i32.xor" w [I32 I32] -> [I32] pure None;
            I32Shl "i32.shl" w [I32 I32] -> [I32] pure None;
            I32ShrS "i32.shr_s" w [I32 I32] -> [I32] pure None;
            I32ShrU "i32.shr_u" w [I32 I32] -> [I32] pure None;
            I32Rotl "i32.rotl" w [I32 I32] -> [I32] pure None;
            I32Rotr "i32.rotr" w [I32 I32] -> [I32] pure None;
            I64Clz "i64.clz" w [I64] -> [I64] pure None;
            I64Ctz "i64.ctz" w [I64] -> [I64] pure None;
            I64Popcnt "i64.popcnt" w [I64] -> [I64] pure None;
            I64Add "i64.add" w [I64 I64] -> [I64] pure None;
            I64Sub "i64.sub" w [I64 I64] -> [I64] pure None;
            I64Mul "i64.mul" w [I64 I64] -> [I64] pure None;
            I64DivS "i64.div_s" w [I64 I64] -> [I64] trap None;
            I64DivU "i64.div_u" w [I64 I64] -> [I64] trap None;
            I64RemS "i64.rem_s" w [I64 I64] -> [I64] trap None;
            I64RemU "i64.rem_u" w [I64 I64] -> [I64] trap None;
            I64And "i64.and" w [I64 I64] -> [I64] pure None;
            I64Or "i64.or" w [I64 I64] -> [I64] pure None;
            I64Xor "i64.xor" w [I64 I64] -> [I64] pure None;
            I64Shl "i64.shl" w [I64 I64] -> [I64] pure None;
            I64ShrS "i64.shr_s" w [I64 I64] -> [I64] pure None;
            I64ShrU "i64.shr_u" w [I64 I64] -> [I64] pure None;
            I64Rotl "i64.rotl" w [I64 I64] -> [I64] pure None;
            I64Rotr "i64.rotr" w [I64 I64] -> [I64] pure None;

            F32Abs "f32.abs" w [F32] -> [F32] pure None;
            F32Neg "f32.neg" w [F32] -> [F32] pure None;
            F32Ceil "f32.ceil" w [F32] -> [F32] pure None;
            F32Floor "f32.floor" w [F32] -> [F32] pure None;
            F32Trunc "f32.trunc" w [F32] -> [F32] pure None;
            F32Nearest "f32.nearest" w [F32] -> [F32] pure None;
            F32Sqrt "f32.sqrt" w [F32] -> [F32] pure None;
            F32Add "f32.add" w [F32 F32] -> [F32] pure None;
            F32Sub "f32.sub" w [F32 F32] -> [F32] pure None;
            F32Mul "f32.mul" w [F32 F32] -> [F32] pure None;
            F32Div "f32.div" w [F32 F32] -> [F32] pure None;
            F32Min "f32.min" w [F32 F32] -> [F32] pure None;
            F32Max "f32.max" w [F32 F32] -> [F32] pure None;
            F32Copysign "f32.copysign" w [F32 F32] -> [F32] pure None;
            F64Abs "f64.abs" w [F64] -> [F64] pure None;
            F64Neg "f64.neg" w [F64] -> [F64] pure None;
            F64Ceil "f64.ceil" w [F64] -> [F64] pure None;
            F64Floor "f64.floor" w [F64] -> [F64] pure None;
            F64Trunc "f64.trunc" w [F64] -> [F64] pure None;
            F64Nearest "f64.nearest" w [F64] -> [F64] pure None;
            F64Sqrt "f64.sqrt" w [F64] -> [F64] pure None;
            F64Add "f64.add" w [F64 F64] -> [F64] pure None;
            F64Sub "f64.sub" w [F64 F64] -> [F64] pure None;
            F64Mul "f64.mul" w [F64 F64] -> [F64] pure None;
            F64Div "f64.div" w [F64 F64] -> [F64] pure None;
            F64Min "f64.min" w [F64 F64] -> [F64] pure None;
            F64Max "f64.max" w [F64 F64] -> [F64] pure None;
            F64Copysign "f64.copysign" w [F64 F64] -> [F64] pure None;

            I32WrapI64 "i32.wrap_i64" w [I64] -> [I32] pure None;
            I32TruncF32S "i32.trunc_f32_s" w [F32] -> [I32] trap None;
            I32TruncF32U "i32.trunc_f32_u" w [F32] -> [I32] trap None;
            I32TruncF64S "i32.trunc_f64_s" w [F64] -> [I32] trap None;
            I32TruncF64U "i32.trunc_f64_u" w [F64] -> [I32] trap None;
            I64ExtendI32S "i64.extend_i32_s" w [I32] -> [I64] pure None;
            I64ExtendI32U "i64.extend_i32_u" w [I32] -> [I64] pure None;
            I64TruncF32S "i64.trunc_f32_s" w [F32] -> [I64] trap None;
            I64TruncF32U "i64.trunc_f32_u" w [F32] -> [I64] trap None;
            I64TruncF64S "i64.trunc_f64_s" w [F64] -> [I64] trap None;
            I64TruncF64U "i64.trunc_f64_u" w [F64] -> [I64] trap None;
            F32ConvertI32S "f32.convert_i32_s" w [I32] -> [F32] pure None;
            F32ConvertI32U "f32.convert_i32_u" w [I32] -> [F32] pure None;
            F32ConvertI64S "f32.convert_i64_s" w [I64] -> [F32] pure None;
            F32ConvertI64U "f32.convert_i64_u" w [I64] -> [F32] pure None;
            F32DemoteF64 "f32.demote_f64" w [F64] -> [F32] pure None;
            F64ConvertI32S "f64.convert_i32_s" w [I32] -> [F64] pure None;
            F64ConvertI32U "f64.convert_i32_u" w [I32] -> [F64] pure None;
            F64ConvertI64S "f64.convert_i64_s" w [I64] -> [F64] pure None;
            F64ConvertI64U "f64.convert_i64_u" w [I64] -> [F64] pure None;
            F64PromoteF32 "f64.promote_f32" w [F32] -> [F64] pure None;
            I32ReinterpretF32 "i32.reinterpret_f32" w [F32] -> [I32] pure None;
            I64ReinterpretF64 "i64.reinterpret_f64" w [F64] -> [I64] pure None;
            F32ReinterpretI32 "f32.reinterpret_i32" w [I32] -> [F32] pure None;
            F64ReinterpretI64 "f64.reinterpret_i64" w [I64] -> [F64] pure None;
            I32Extend8S "i32.extend8_s" w [I32] -> [I32] pure None;
            I32Extend16S "i32.extend16_s" w [I32] -> [I32] pure None;
            I64Extend8S "i64.extend8_s" w [I64] -> [I64] pure None;
            I64Extend16S "i64.extend16_s" w [I64] -> [I64] pure None;
            I64Extend32S "i64.extend32_s" w [I64] -> [I64] pure None;
            I32TruncSatF32S "i32.trunc_sat_f32_s" w [F32] -> [I32] pure None;
            I32TruncSatF32U "i32.trunc_sat_f32_u" w [F32] -> [I32] pure None;
            I32TruncSatF64S "i32.trunc_sat_f64_s" w [F64] -> [I32] pure None;
            I32TruncSatF64U "i32.trunc_sat_f64_u" w [F64] -> [I32] pure None;
            I64TruncSatF32S "i64.trunc_sat_f32_s" w [F32] -> [I64] pure None;
            I64TruncSatF32U "i64.trunc_sat_f32_u" w [F32] -> [I64] pure None;
            I64TruncSatF64S "i64.trunc_sat_f64_s" w [F64] -> [I64] pure None;
            I64TruncSatF64U "i64.trunc_sat_f64_u" w [F64] -> [I64] pure None;

            I32Load "i32.load" x [I32] -> [I32] read_trap Mem;
            I64Load "i64.load" x [I32] -> [I64] read_trap Mem;
            F32Load "f32.load" x [I32] -> [F32] read_trap Mem;
            F64Load "f64.load" x [I32] -> [F64] read_trap Mem;
            I32Load8S "i32.load8_s" x [I32] -> [I32] read_trap Mem;
            I32Load8U "i32.load8_u" x [I32] -> [I32] read_trap Mem;
            I32Load16S "i32.load16_s" x [I32] -> [I32] read_trap Mem;
            I32Load16U "i32.load16_u" x [I32] -> [I32] read_trap Mem;
            I64Load8S "i64.load8_s" x [I32] -> [I64] read_trap Mem;
            I64Load8U "i64.load8_u" x [I32] -> [I64] read_trap Mem;
            I64Load16S "i64.load16_s" x [I32] -> [I64] read_trap Mem;
            I64Load16U "i64.load16_u" x [I32] -> [I64] read_trap Mem;
            I64Load32S "i64.load32_s" x [I32] -> [I64] read_trap Mem;
            I64Load32U "i64.load32_u" x [I32] -> [I64] read_trap Mem;
            I32Store "i32.store" x [I32 I32] -> [] write_trap Mem;
            I64Store "i64.store" x [I32 I64] -> [] write_trap Mem;
            F32Store "f32.store" x [I32 F32] -> [] write_trap Mem;
            F64Store "f64.store" x [I32 F64] -> [] write_trap Mem;
            I32Store8 "i32.store8" x [I32 I32] -> [] write_trap Mem;
            I32Store16 "i32.store16" x [I32 I32] -> [] write_trap Mem;
            I64Store8 "i64.store8" x [I32 I64] -> [] write_trap Mem;
            I64Store16 "i64.store16" x [I32 I64] -> [] write_trap Mem;
            I64Store32 "i64.store32" x [I32 I64] -> [] write_trap Mem;
            MemorySize "memory.size" x [] -> [I32] read Idx;
            MemoryGrow "memory.grow" x [I32] -> [I32] write Idx;
            MemoryFill "memory.fill" x [I32 I32 I32] -> [] write_trap Idx;
            MemoryCopy "memory.copy" x [I32 I32 I32] -> [] write_trap Idx2;
            MemoryInit "memory.init" x [I32 I32 I32] -> [] write_trap Idx2;
            DataDrop "data.drop" x [] -> [] write Idx;

            TableGet "table.get" x [Any] -> [Any] read_trap Idx;
            TableSet "table.set" x [Any] -> [Any] write_trap Idx;
            TableSize "table.size" x [] -> [I32] read Idx;
            TableGrow "table.grow" x [Any] -> [Any] write Idx;
            TableFill "table.fill" x [Any] -> [Any] write_trap Idx;
            TableCopy "table.copy" x [I32 I32 I32] -> [] write_trap Idx2;
            TableInit "table.init" x [I32 I32 I32] -> [] write_trap Idx2;
            ElemDrop "elem.drop" x [] -> [] write Idx;
            RefNull "ref.null" x [Any] -> [Any] pure None;
            RefIsNull "ref.is_null" x [Any] -> [Any] pure None;
            RefFunc "ref.func" x [] -> [FuncRef] pure Idx;

            GlobalGet "global.get" x [Any] -> [Any] read Idx;
            GlobalSet "global.set" x [Any] -> [Any] write Idx;
            Call "call" x [Any] -> [Any] write_trap Idx;
            CallIndirect "call_indirect" x [Any] -> [Any] write_trap Idx2;
        }
    };
}

macro_rules! flags {
    (pure) => {
        Flags::of(false, false, false)
    };
    (trap) => {
        Flags::of(true, false, false)
    };
    (read) => {
        Flags::of(false, true, false)
    };
    (read_trap) => {
        Flags::of(true, true, false)
    };
    (write) => {
        Flags::of(false, true, true)
    };
    (write_trap) => {
        Flags::of(true, true, true)
    };
}

macro_rules! sig {
    ([Any] [$($r:ident)*]) => {
        Sig::Any
    };
    ([Select] []) => {
        Sig::Select
    };
    ([$($a:ident)*] [$($r:ident)*]) => {
        Sig::Fixed(&[$(ValType::$a),*], &[$(ValType::$r),*])
    };
}

macro_rules! wasm_arm {
    (w $name:ident $op:ident) => {
        if let Operator::$name = $op {
            return Some(Opcode::$name);
        }
    };
    (x $name:ident $op:ident) => {};
}

macro_rules! define_opcodes {
    ($($name:ident $text:literal $wasm:ident [$($a:ident)*] -> [$($r:ident)*] $flags:ident $imm:ident;)*) => {
        /// An IR opcode (see the table in `for_each_opcode!`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Opcode {
            $($name,)*
        }

        impl Opcode {
            /// Every opcode, in table order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$name,)*];

            /// The name in the text form (the wasm operator's name where there is one).
            pub fn name(self) -> &'static str {
                match self {
                    $(Opcode::$name => $text,)*
                }
            }

            pub fn sig(self) -> Sig {
                match self {
                    $(Opcode::$name => sig!([$($a)*] [$($r)*]),)*
                }
            }

            pub fn flags(self) -> Flags {
                match self {
                    $(Opcode::$name => flags!($flags),)*
                }
            }

            pub fn imm_kind(self) -> ImmKind {
                match self {
                    $(Opcode::$name => ImmKind::$imm,)*
                }
            }

            /// The opcode that is exactly `op`, for wasm operators without immediates that
            /// map one to one (`None` for every other operator).
            pub fn of_wasm(op: &Operator<'_>) -> Option<Opcode> {
                $(wasm_arm!($wasm $name op);)*
                None
            }
        }
    };
}

for_each_opcode!(define_opcodes);

impl Opcode {
    /// `a op b == b op a` bit for bit (integer operations only: with two NaN operands a float
    /// addition's result depends on the order).
    pub fn is_commutative(self) -> bool {
        use Opcode::*;
        matches!(
            self,
            I32Add
                | I32Mul
                | I32And
                | I32Or
                | I32Xor
                | I32Eq
                | I32Ne
                | I64Add
                | I64Mul
                | I64And
                | I64Or
                | I64Xor
                | I64Eq
                | I64Ne
        )
    }

    /// The opcode named `name` in the text form.
    pub fn from_name(name: &str) -> Option<Opcode> {
        Opcode::ALL.iter().copied().find(|op| op.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for &op in Opcode::ALL {
            assert_eq!(Opcode::from_name(op.name()), Some(op), "{op:?}");
        }
    }

    #[test]
    fn wasm_operators_map_one_to_one() {
        assert_eq!(Opcode::of_wasm(&Operator::I32Add), Some(Opcode::I32Add));
        assert_eq!(
            Opcode::of_wasm(&Operator::F64Copysign),
            Some(Opcode::F64Copysign)
        );
        assert_eq!(Opcode::of_wasm(&Operator::Nop), None);
        assert_eq!(Opcode::of_wasm(&Operator::I32Const { value: 1 }), None);
    }
}
