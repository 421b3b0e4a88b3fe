//! Global value numbering: walking the dominator tree, an instruction equal to one that
//! dominates it (same opcode, immediate and arguments, in either order for a commutative opcode) is replaced by it. Only instructions
//! whose result depends on their operands alone are numbered (`Flags::numberable`: pure
//! ones and the trapping arithmetic; a trapping one that dominates and ran did not trap, so
//! the second would not either); loads, global reads and calls are not (no memory
//! dependence analysis yet). A redundant instruction is deleted here, trapping or not. Constants are numbered too, so equal constants become one.

use std::collections::HashMap;

use crate::jit::opt::cfg::Cfg;
use crate::jit::opt::ir::{Block, Function, Imm, Value, resolve};
use crate::jit::opt::ops::Opcode;
use crate::module::ValType;

/// Opcode, immediate, arguments and result type (`ref.null` of two types are two values).
type Key = (Opcode, Imm, Vec<Value>, ValType);

pub fn run(func: &mut Function) {
    let cfg = Cfg::new(func);
    let mut alias: Vec<Option<Value>> = vec![None; func.values.len()];
    let mut table: HashMap<Key, Value> = HashMap::new();
    // Depth-first over the dominator tree; `Exit` undoes the block's insertions.
    enum Step {
        Enter(Block),
        Exit(Vec<Key>),
    }
    let mut stack = vec![Step::Enter(func.entry())];
    while let Some(step) = stack.pop() {
        let block = match step {
            Step::Enter(block) => block,
            Step::Exit(keys) => {
                for key in keys {
                    table.remove(&key);
                }
                continue;
            }
        };
        let mut inserted = Vec::new();
        let mut kept = Vec::new();
        for inst in std::mem::take(&mut func.blocks[block.index()].insts) {
            kept.push(inst);
            let data = &mut func.insts[inst.index()];
            for arg in &mut data.args {
                *arg = resolve(&alias, *arg);
            }
            if !data.op.flags().numberable() || data.results.len() != 1 {
                continue;
            }
            let mut args = data.args.clone();
            if data.op.is_commutative() {
                args.sort();
            }
            let key = (
                data.op,
                data.imm,
                args,
                func.values[data.results[0].index()].ty,
            );
            match table.get(&key) {
                Some(&v) => {
                    // Redundant: gone now (DCE would keep a trapping one).
                    alias[data.results[0].index()] = Some(v);
                    kept.pop();
                }
                None => {
                    table.insert(key.clone(), data.results[0]);
                    inserted.push(key);
                }
            }
        }
        func.blocks[block.index()].insts = kept;
        stack.push(Step::Exit(inserted));
        for &child in cfg.dom_children[block.index()].iter().rev() {
            stack.push(Step::Enter(child));
        }
    }
    func.rewrite_uses(|v| resolve(&alias, v));
}
