//! Copy propagation: a block parameter that every incoming edge sets to the same value `v`
//! (or to the parameter itself, around a loop) is a copy of `v`; its uses become uses of `v`
//! and the parameter and its arguments go. Repeated until nothing changes, since removing one
//! copy can make another trivial. This is the trivial-phi removal of Braun et al., done once
//! for the whole function instead of while building. `v` dominates the block: it reaches the
//! block along every path.

use crate::jit::opt::cfg::Cfg;
use crate::jit::opt::ir::{Function, Value, ValueDef, resolve};

pub fn run(func: &mut Function) {
    let entry = func.entry();
    let mut alias: Vec<Option<Value>> = vec![None; func.values.len()];
    loop {
        let cfg = Cfg::new(func);
        let mut changed = false;
        for &block in &cfg.rpo {
            if block == entry {
                continue;
            }
            let preds = {
                let mut p = cfg.preds[block.index()].clone();
                p.sort();
                p.dedup();
                p
            };
            let mut i = 0;
            while i < func.blocks[block.index()].params.len() {
                let param = func.blocks[block.index()].params[i];
                let mut same: Option<Value> = None;
                let mut trivial = true;
                'edges: for &pred in &preds {
                    for t in func.term(pred).targets() {
                        if t.block != block {
                            continue;
                        }
                        let v = resolve(&alias, t.args[i]);
                        if v == param || Some(v) == same {
                            continue;
                        }
                        if same.is_some() {
                            trivial = false;
                            break 'edges;
                        }
                        same = Some(v);
                    }
                }
                match same {
                    Some(v) if trivial => {
                        alias[param.index()] = Some(v);
                        remove_param(func, block, i, &preds);
                        changed = true;
                    }
                    _ => i += 1,
                }
            }
        }
        func.rewrite_uses(|v| resolve(&alias, v));
        if !changed {
            break;
        }
    }
}

/// Removes parameter `i` of `block` and the matching argument of every edge to it.
pub fn remove_param(
    func: &mut Function,
    block: crate::jit::opt::ir::Block,
    i: usize,
    preds: &[crate::jit::opt::ir::Block],
) {
    func.blocks[block.index()].params.remove(i);
    let params = func.blocks[block.index()].params.clone();
    for (n, v) in params.into_iter().enumerate() {
        func.values[v.index()].def = ValueDef::Param(block, n as u32);
    }
    for &pred in preds {
        if let Some(term) = &mut func.blocks[pred.index()].term {
            for t in term.targets_mut() {
                if t.block == block {
                    t.args.remove(i);
                }
            }
        }
    }
}
