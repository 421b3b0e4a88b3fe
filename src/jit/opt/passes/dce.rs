//! Dead code elimination: blocks the entry no longer reaches leave the layout; an
//! instruction whose results nobody uses goes if it may be deleted (`Flags::removable`: it
//! neither traps nor writes); a block parameter nobody uses goes with its arguments. Liveness
//! starts from the effects and terminators and flows backwards through arguments and
//! through block parameters to the edges' arguments, so a value that only feeds itself
//! around a loop is dead too.

use crate::jit::opt::cfg::Cfg;
use crate::jit::opt::ir::{Function, Terminator, Value, ValueDef};
use crate::jit::opt::passes::copy_prop::remove_param;

pub fn run(func: &mut Function) {
    let cfg = Cfg::new(func);
    func.layout.retain(|&b| cfg.is_reachable(b));
    let mut live = vec![false; func.values.len()];
    let mut work: Vec<Value> = Vec::new();
    let mark = |v: Value, live: &mut Vec<bool>, work: &mut Vec<Value>| {
        if !live[v.index()] {
            live[v.index()] = true;
            work.push(v);
        }
    };
    let entry = func.entry();
    for &v in &func.block(entry).params {
        mark(v, &mut live, &mut work);
    }
    for &block in &func.layout {
        let data = func.block(block);
        for &inst in &data.insts {
            let inst = func.inst(inst);
            if !inst.op.flags().removable() {
                for &a in &inst.args {
                    mark(a, &mut live, &mut work);
                }
                for &r in &inst.results {
                    live[r.index()] = true;
                }
            }
        }
        // The terminator's own operands; block arguments are live only with their parameter.
        let own: Vec<Value> = match func.term(block) {
            Terminator::BrIf { cond, .. } => vec![*cond],
            Terminator::BrTable { index, .. } => vec![*index],
            Terminator::Return(vs) => vs.clone(),
            _ => vec![],
        };
        for v in own {
            mark(v, &mut live, &mut work);
        }
    }
    while let Some(v) = work.pop() {
        match func.values[v.index()].def {
            ValueDef::Result(inst, _) => {
                for &a in &func.inst(inst).args {
                    mark(a, &mut live, &mut work);
                }
            }
            ValueDef::Param(block, n) => {
                for &pred in &cfg.preds[block.index()] {
                    if !cfg.is_reachable(pred) {
                        continue;
                    }
                    for t in func.term(pred).targets() {
                        if t.block == block {
                            mark(t.args[n as usize], &mut live, &mut work);
                        }
                    }
                }
            }
        }
    }
    for &block in &func.layout.clone() {
        let insts = std::mem::take(&mut func.blocks[block.index()].insts);
        func.blocks[block.index()].insts = insts
            .into_iter()
            .filter(|&i| {
                func.inst(i).results.iter().any(|r| live[r.index()])
                    || !func.inst(i).op.flags().removable()
            })
            .collect();
        if block == entry {
            continue;
        }
        let mut preds = cfg.preds[block.index()].clone();
        preds.sort();
        preds.dedup();
        let mut i = 0;
        while i < func.blocks[block.index()].params.len() {
            if live[func.blocks[block.index()].params[i].index()] {
                i += 1;
            } else {
                remove_param(func, block, i, &preds);
            }
        }
    }
}
