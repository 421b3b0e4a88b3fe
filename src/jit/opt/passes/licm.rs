//! Loop-invariant code motion: a pure instruction (`Flags::is_pure`: no trap, no state)
//! inside a loop whose operands are all defined outside it is moved to the end of the loop's
//! preheader, the one predecessor of the header outside the loop. Only pure instructions
//! move, because they run speculatively there (the loop body might not have run them); a
//! trapping one could trap where wasm does not. Innermost loops first, so an invariant of
//! several loops climbs out of all of them; a loop whose header has more than one outside
//! predecessor is left alone.

use crate::jit::opt::cfg::Cfg;
use crate::jit::opt::ir::{Block, Function};

pub fn run(func: &mut Function) {
    let cfg = Cfg::new(func);
    // Block of each value's definition, updated as instructions move.
    let mut def_block: Vec<Option<Block>> = vec![None; func.values.len()];
    for &block in &cfg.rpo {
        for &v in &func.blocks[block.index()].params {
            def_block[v.index()] = Some(block);
        }
        for &inst in &func.blocks[block.index()].insts {
            for &v in &func.insts[inst.index()].results {
                def_block[v.index()] = Some(block);
            }
        }
    }
    let headers: Vec<Block> = cfg
        .rpo
        .iter()
        .rev()
        .copied()
        .filter(|&b| cfg.loop_header[b.index()] == Some(b))
        .collect();
    for header in headers {
        let outside: Vec<Block> = cfg.preds[header.index()]
            .iter()
            .copied()
            .filter(|&p| !cfg.in_loop(p, header))
            .collect();
        let [preheader] = outside[..] else { continue };
        let body: Vec<Block> = cfg
            .rpo
            .iter()
            .copied()
            .filter(|&b| cfg.in_loop(b, header))
            .collect();
        for block in body {
            let insts = std::mem::take(&mut func.blocks[block.index()].insts);
            let mut kept = Vec::with_capacity(insts.len());
            for inst in insts {
                let data = &func.insts[inst.index()];
                let invariant = data.op.flags().is_pure()
                    && data
                        .args
                        .iter()
                        .all(|a| def_block[a.index()].is_some_and(|d| !cfg.in_loop(d, header)));
                if invariant {
                    for &v in &data.results {
                        def_block[v.index()] = Some(preheader);
                    }
                    func.blocks[preheader.index()].insts.push(inst);
                } else {
                    kept.push(inst);
                }
            }
            func.blocks[block.index()].insts = kept;
        }
    }
}
