//! The IR's invariants, checked: every block in the layout has a terminator; every target is
//! a block of the layout and passes as many arguments, of the parameter types, as it has
//! parameters; every instruction's arguments and results match its opcode's type rule and
//! immediate kind; every value is defined once, and every use is dominated by its definition
//! (earlier in the same block, or in a dominating block). Unreachable blocks are checked for
//! types only. The pass manager runs this after every pass in debug builds; the filetests
//! and the spec-suite test run it always.

use super::cfg::Cfg;
use super::ir::{Block, Function, Target, Terminator, Value, ValueDef};
use super::ops::Sig;
use crate::module::ValType;

/// Checks `func`; the error names the first broken invariant.
pub fn verify(func: &Function) -> Result<(), String> {
    let name = &func.name;
    let fail = |msg: String| Err(format!("{name}: {msg}"));
    if func.layout.is_empty() {
        return fail("no entry block".into());
    }
    let cfg = Cfg::new(func);
    let n_values = func.values.len();
    // Where each value is defined: (block, position; params at 0, instruction i at i + 1).
    let mut def_at: Vec<Option<(Block, usize)>> = vec![None; n_values];
    let mut in_layout = vec![false; func.blocks.len()];
    for &block in &func.layout {
        if in_layout[block.index()] {
            return fail(format!("{block} is twice in the layout"));
        }
        in_layout[block.index()] = true;
    }
    let entry = func.entry();
    let entry_types: Vec<ValType> = func
        .block(entry)
        .params
        .iter()
        .map(|&v| func.ty(v))
        .collect();
    if entry_types != func.params {
        return fail(format!(
            "entry parameters {entry_types:?} are not the function's {:?}",
            func.params
        ));
    }
    for &block in &func.layout {
        let data = func.block(block);
        for (i, &v) in data.params.iter().enumerate() {
            if func.values[v.index()].def != ValueDef::Param(block, i as u32)
                || def_at[v.index()].is_some()
            {
                return fail(format!(
                    "{v} is not parameter {i} of {block}, or defined twice"
                ));
            }
            def_at[v.index()] = Some((block, 0));
        }
        for (pos, &inst) in data.insts.iter().enumerate() {
            for (i, &v) in func.inst(inst).results.iter().enumerate() {
                if func.values[v.index()].def != ValueDef::Result(inst, i as u32)
                    || def_at[v.index()].is_some()
                {
                    return fail(format!("{v} is not result {i} of {inst}, or defined twice"));
                }
                def_at[v.index()] = Some((block, pos + 1));
            }
        }
    }
    let check_use = |v: Value, block: Block, pos: usize| -> Result<(), String> {
        let Some(&Some((def_block, def_pos))) = def_at.get(v.index()) else {
            return Err(format!("{name}: {v} used in {block} is not defined"));
        };
        if !cfg.is_reachable(block) {
            return Ok(());
        }
        let ok = if def_block == block {
            def_pos < pos || (def_pos == 0 && pos > 0)
        } else {
            cfg.dominates(def_block, block)
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{name}: the definition of {v} does not dominate its use in {block}"
            ))
        }
    };
    for &block in &func.layout {
        let data = func.block(block);
        for (pos, &inst) in data.insts.iter().enumerate() {
            let inst_data = func.inst(inst);
            for &arg in &inst_data.args {
                check_use(arg, block, pos + 1)?;
            }
            if inst_data.imm.kind() != inst_data.op.imm_kind() {
                return fail(format!(
                    "{inst} ({}): wrong immediate {:?}",
                    inst_data.op.name(),
                    inst_data.imm
                ));
            }
            let args: Vec<ValType> = inst_data.args.iter().map(|&v| func.ty(v)).collect();
            let results: Vec<ValType> = inst_data.results.iter().map(|&v| func.ty(v)).collect();
            let ok = match inst_data.op.sig() {
                Sig::Fixed(a, r) => args == a && results == r,
                Sig::Select => {
                    args.len() == 3
                        && args[2] == ValType::I32
                        && args[0] == args[1]
                        && results == [args[0]]
                }
                Sig::Any => true,
            };
            if !ok {
                return fail(format!(
                    "{inst} ({}): types {args:?} -> {results:?} break its rule",
                    inst_data.op.name()
                ));
            }
        }
        let Some(term) = &data.term else {
            return fail(format!("{block} has no terminator"));
        };
        let pos = data.insts.len() + 1;
        for v in term.uses() {
            check_use(v, block, pos)?;
        }
        let check_target = |t: &Target| -> Result<(), String> {
            if !in_layout.get(t.block.index()).copied().unwrap_or(false) {
                return Err(format!(
                    "{name}: {block} branches to {}, not in the layout",
                    t.block
                ));
            }
            let params: Vec<ValType> = func
                .block(t.block)
                .params
                .iter()
                .map(|&v| func.ty(v))
                .collect();
            let args: Vec<ValType> = t.args.iter().map(|&v| func.ty(v)).collect();
            if params != args {
                return Err(format!(
                    "{name}: {block} passes {args:?} to {}, whose parameters are {params:?}",
                    t.block
                ));
            }
            Ok(())
        };
        for t in term.targets() {
            check_target(t)?;
            if t.block == entry {
                return fail(format!("{block} branches to the entry block"));
            }
        }
        match term {
            Terminator::BrIf { cond, .. } if func.ty(*cond) != ValType::I32 => {
                return fail(format!("{block}: br_if condition {cond} is not i32"));
            }
            Terminator::BrTable { index, .. } if func.ty(*index) != ValType::I32 => {
                return fail(format!("{block}: br_table index {index} is not i32"));
            }
            Terminator::Return(values) => {
                let tys: Vec<ValType> = values.iter().map(|&v| func.ty(v)).collect();
                if tys != func.results {
                    return fail(format!(
                        "{block} returns {tys:?}, the function {:?}",
                        func.results
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}
