//! The optimization passes, one per file, and the pass manager. [`run_all`] runs them in the
//! order of [`PASSES`]: constant folding first (it exposes copies and dead branches), copy
//! propagation (removes the trivial parameters SSA construction left), GVN (sees the
//! simplified operands), LICM (moves what GVN kept once), DCE last (deletes what the others
//! left unused). In debug builds the IR is verified after every pass.

pub mod const_fold;
pub mod copy_prop;
pub mod dce;
pub mod gvn;
pub mod licm;

use super::ir::Function;
use super::verify::verify;

/// A pass: rewrites the function in place, leaving it valid.
pub type Pass = fn(&mut Function);

/// The passes by name, in the order [`run_all`] runs them.
pub const PASSES: &[(&str, Pass)] = &[
    ("const_fold", const_fold::run),
    ("copy_prop", copy_prop::run),
    ("gvn", gvn::run),
    ("licm", licm::run),
    ("dce", dce::run),
];

/// Runs the passes named in `names`, in that order (a name may repeat); the verifier checks
/// the IR after each in debug builds.
pub fn run_named(func: &mut Function, names: &[&str]) -> Result<(), String> {
    for &name in names {
        let pass = PASSES
            .iter()
            .find(|p| p.0 == name)
            .ok_or_else(|| format!("no pass named `{name}`"))?;
        run_pass(func, pass.0, pass.1)?;
    }
    Ok(())
}

/// Runs every pass once, in order.
pub fn run_all(func: &mut Function) -> Result<(), String> {
    for &(name, pass) in PASSES {
        run_pass(func, name, pass)?;
    }
    Ok(())
}

fn run_pass(func: &mut Function, name: &str, pass: Pass) -> Result<(), String> {
    pass(func);
    if cfg!(debug_assertions) {
        verify(func).map_err(|e| format!("after {name}: {e}"))?;
    }
    Ok(())
}
