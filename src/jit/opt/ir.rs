//! The SSA IR: a [`Function`] is blocks with parameters; each block is a list of
//! instructions and one [`Terminator`]. Values are defined once, by a block parameter or an
//! instruction result, and carry their type. Effects and traps are in the opcode
//! ([`super::ops::Flags`]); the order of instructions in a block is their execution order.
//!
//! Entities are indices into the function's arenas. Passes never reuse an index: a deleted
//! instruction or block stays in its arena and simply is no longer in the layout
//! (`Function::layout` for blocks, `BlockData::insts` for instructions).

use std::fmt;

use super::ops::{ImmKind, Opcode};
use crate::module::ValType;

macro_rules! entity {
    ($name:ident, $prefix:literal) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

entity!(Value, "v");
entity!(Block, "block");
entity!(Inst, "inst");

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueDef {
    /// Parameter `n` of a block.
    Param(Block, u32),
    /// Result `n` of an instruction.
    Result(Inst, u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueData {
    pub ty: ValType,
    pub def: ValueDef,
}

/// An instruction's immediate (the opcode's [`ImmKind`] says which).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Imm {
    None,
    Int(i64),
    Mem { memory: u32, offset: u64 },
    Idx(u32),
    Idx2(u32, u32),
}

impl Imm {
    pub fn kind(self) -> ImmKind {
        match self {
            Imm::None => ImmKind::None,
            Imm::Int(_) => ImmKind::Int,
            Imm::Mem { .. } => ImmKind::Mem,
            Imm::Idx(_) => ImmKind::Idx,
            Imm::Idx2(..) => ImmKind::Idx2,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstData {
    pub op: Opcode,
    pub imm: Imm,
    pub args: Vec<Value>,
    pub results: Vec<Value>,
}

/// A branch target: the block and the values passed to its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub block: Block,
    pub args: Vec<Value>,
}

impl Target {
    pub fn new(block: Block, args: Vec<Value>) -> Target {
        Target { block, args }
    }
}

/// How a block ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Terminator {
    Jump(Target),
    /// To `then` when `cond` (an i32) is non-zero.
    BrIf {
        cond: Value,
        then: Target,
        els: Target,
    },
    BrTable {
        index: Value,
        targets: Vec<Target>,
        default: Target,
    },
    Return(Vec<Value>),
    /// wasm `unreachable`: traps.
    Unreachable,
}

impl Terminator {
    pub fn targets(&self) -> Vec<&Target> {
        match self {
            Terminator::Jump(t) => vec![t],
            Terminator::BrIf { then, els, .. } => vec![then, els],
            Terminator::BrTable {
                targets, default, ..
            } => targets.iter().chain(std::iter::once(default)).collect(),
            Terminator::Return(_) | Terminator::Unreachable => vec![],
        }
    }

    pub fn targets_mut(&mut self) -> Vec<&mut Target> {
        match self {
            Terminator::Jump(t) => vec![t],
            Terminator::BrIf { then, els, .. } => vec![then, els],
            Terminator::BrTable {
                targets, default, ..
            } => targets.iter_mut().chain(std::iter::once(default)).collect(),
            Terminator::Return(_) | Terminator::Unreachable => vec![],
        }
    }

    /// Every value the terminator uses (its own operand and all block arguments).
    pub fn uses(&self) -> Vec<Value> {
        let mut uses = match self {
            Terminator::BrIf { cond, .. } => vec![*cond],
            Terminator::BrTable { index, .. } => vec![*index],
            Terminator::Return(values) => values.clone(),
            _ => vec![],
        };
        for t in self.targets() {
            uses.extend(&t.args);
        }
        uses
    }

    /// Applies `f` to every value the terminator uses.
    pub fn map_values(&mut self, mut f: impl FnMut(Value) -> Value) {
        match self {
            Terminator::BrIf { cond, .. } => *cond = f(*cond),
            Terminator::BrTable { index, .. } => *index = f(*index),
            Terminator::Return(values) => values.iter_mut().for_each(|v| *v = f(*v)),
            _ => {}
        }
        for t in self.targets_mut() {
            t.args.iter_mut().for_each(|v| *v = f(*v));
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockData {
    pub params: Vec<Value>,
    pub insts: Vec<Inst>,
    /// `None` only while the builder is still filling the block.
    pub term: Option<Terminator>,
}

/// One function in SSA form. `layout[0]` is the entry block; its parameters are the wasm
/// function's parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
    pub blocks: Vec<BlockData>,
    pub insts: Vec<InstData>,
    pub values: Vec<ValueData>,
    /// The blocks of the function, in order; blocks not here are deleted.
    pub layout: Vec<Block>,
}

impl Function {
    pub fn new(name: impl Into<String>, params: Vec<ValType>, results: Vec<ValType>) -> Function {
        Function {
            name: name.into(),
            params,
            results,
            ..Function::default()
        }
    }

    pub fn entry(&self) -> Block {
        self.layout[0]
    }

    /// A new empty block, appended to the layout.
    pub fn add_block(&mut self) -> Block {
        let block = Block(self.blocks.len() as u32);
        self.blocks.push(BlockData {
            params: Vec::new(),
            insts: Vec::new(),
            term: None,
        });
        self.layout.push(block);
        block
    }

    pub fn add_param(&mut self, block: Block, ty: ValType) -> Value {
        let n = self.blocks[block.index()].params.len() as u32;
        let value = self.new_value(ty, ValueDef::Param(block, n));
        self.blocks[block.index()].params.push(value);
        value
    }

    fn new_value(&mut self, ty: ValType, def: ValueDef) -> Value {
        let value = Value(self.values.len() as u32);
        self.values.push(ValueData { ty, def });
        value
    }

    /// A new instruction with results of types `tys`, not yet placed in a block.
    pub fn make_inst(&mut self, op: Opcode, imm: Imm, args: Vec<Value>, tys: &[ValType]) -> Inst {
        let inst = Inst(self.insts.len() as u32);
        let results = tys
            .iter()
            .enumerate()
            .map(|(i, &ty)| self.new_value(ty, ValueDef::Result(inst, i as u32)))
            .collect();
        self.insts.push(InstData {
            op,
            imm,
            args,
            results,
        });
        inst
    }

    /// A new instruction appended to `block`.
    pub fn append_inst(
        &mut self,
        block: Block,
        op: Opcode,
        imm: Imm,
        args: Vec<Value>,
        tys: &[ValType],
    ) -> Inst {
        let inst = self.make_inst(op, imm, args, tys);
        self.blocks[block.index()].insts.push(inst);
        inst
    }

    pub fn block(&self, block: Block) -> &BlockData {
        &self.blocks[block.index()]
    }

    pub fn inst(&self, inst: Inst) -> &InstData {
        &self.insts[inst.index()]
    }

    pub fn ty(&self, value: Value) -> ValType {
        self.values[value.index()].ty
    }

    /// The terminator of a finished block.
    pub fn term(&self, block: Block) -> &Terminator {
        self.blocks[block.index()]
            .term
            .as_ref()
            .expect("a finished block has a terminator")
    }

    /// The constant `value` is, if it is the result of a `*.const`.
    pub fn const_of(&self, value: Value) -> Option<i64> {
        match self.values[value.index()].def {
            ValueDef::Result(inst, 0) => {
                let data = self.inst(inst);
                match (data.op, data.imm) {
                    (
                        Opcode::I32Const | Opcode::I64Const | Opcode::F32Const | Opcode::F64Const,
                        Imm::Int(bits),
                    ) => Some(bits),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Replaces every use of a value by `map(value)` (instruction arguments and
    /// terminators of the blocks in the layout).
    pub fn rewrite_uses(&mut self, map: impl Fn(Value) -> Value) {
        for &block in &self.layout {
            let data = &mut self.blocks[block.index()];
            for &inst in &data.insts {
                for arg in &mut self.insts[inst.index()].args {
                    *arg = map(*arg);
                }
            }
            if let Some(term) = &mut data.term {
                term.map_values(&map);
            }
        }
    }
}

/// Follows a substitution map (`map[v] = Some(w)`: `v` is replaced by `w`) to its end.
pub fn resolve(map: &[Option<Value>], mut value: Value) -> Value {
    while let Some(next) = map[value.index()] {
        if next == value {
            break;
        }
        value = next;
    }
    value
}
