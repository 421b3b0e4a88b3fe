//! Fuel metering: what each operator costs and where each tier takes the charge
//! (ARCHITECTURE.md, "Fuel"). The one definition both the interpreter's translator and the JIT
//! call, so the tiers cannot disagree on how much a block costs or where it starts.
//!
//! Costs are wasmtime's (`fuel_before_op` of its Cranelift translator): `nop`, `drop`, `block`,
//! `loop`, `unreachable`, `return`, `else` and `end` cost 0, every other operator 1.
//!
//! A *fuel block* is a maximal run of operators that is entered only at its first operator and
//! left only after its last one: it starts at the function's first operator and after every
//! operator that may transfer control (`br`, `br_if`, `br_table`, `return`, `unreachable`,
//! `if`, `else`, `end`, `loop`, and the tail calls). Every branch target (the operator after a
//! `loop` or an `end`, the first operator of an `if`'s arms) is therefore a block start. The
//! whole block's cost is charged before its first operator runs; calls inside a block do not
//! split it (the callee charges its own blocks).

use wasmparser::Operator;

/// The fuel one operator costs (wasmtime's costs).
pub fn operator_cost(op: &Operator<'_>) -> u32 {
    match op {
        // Nop and drop generate no code.
        Operator::Nop | Operator::Drop => 0,
        // Control flow that compiles to nothing or to a plain jump is free; `if` costs one
        // for its test.
        Operator::Block { .. }
        | Operator::Loop { .. }
        | Operator::Unreachable
        | Operator::Return
        | Operator::Else
        | Operator::End => 0,
        _ => 1,
    }
}

/// Whether `op` may transfer control, so that the operator after it starts a new fuel block.
fn ends_block(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrTable { .. }
            | Operator::Return
            | Operator::Unreachable
            | Operator::If { .. }
            | Operator::Else
            | Operator::End
            | Operator::Loop { .. }
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::Throw { .. }
            | Operator::ThrowRef
    )
}

/// The charge each tier takes before each operator of one function body: `at(i)` is the cost of
/// the fuel block starting at operator `i` (0 when no block starts there, or the block is
/// free, so nothing is emitted). Empty, and every charge 0, when fuel is off.
#[derive(Clone, Debug, Default)]
pub struct FuelPlan {
    charges: Vec<u32>,
}

impl FuelPlan {
    /// The plan for a body's operators in order (the `Operator` of each item, as both tiers
    /// read them); `enabled: false` gives the empty plan.
    pub fn new<'a, T>(ops: &[T], op_of: impl Fn(&T) -> &Operator<'a>, enabled: bool) -> FuelPlan {
        if !enabled {
            return FuelPlan::default();
        }
        let mut charges = vec![0u32; ops.len()];
        let mut start = 0;
        for (i, item) in ops.iter().enumerate() {
            let op = op_of(item);
            // Bodies are at most 7.6 MB (wasmparser's limit), so no block costs 2^31.
            charges[start] = charges[start].saturating_add(operator_cost(op));
            if ends_block(op) {
                start = (i + 1).min(ops.len() - 1);
            }
        }
        FuelPlan { charges }
    }

    /// The charge to take before operator `index`.
    #[inline]
    pub fn at(&self, index: usize) -> u32 {
        self.charges.get(index).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(wat: &str) -> Vec<u32> {
        let wasm = wat::parse_str(wat).unwrap();
        let info = crate::module::parse(&wasm).unwrap();
        let (_, _, mut reader) = info.function_body(0).unwrap();
        let mut ops = Vec::new();
        while !reader.eof() {
            ops.push(reader.read().unwrap());
        }
        let plan = FuelPlan::new(&ops, |op| op, true);
        (0..ops.len()).map(|i| plan.at(i)).collect()
    }

    #[test]
    fn blocks_start_at_entry_and_after_control_transfers() {
        // local.get i32.const i32.add local.set | loop | local.get br_if | nop i32.const drop
        // (end of loop) | end (function)
        let charges = plan(
            r#"(module (func (param i32) (local i32)
                local.get 0 i32.const 1 i32.add local.set 1
                loop
                  local.get 1 br_if 0
                  nop i32.const 0 drop
                end))"#,
        );
        assert_eq!(charges, vec![4, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0]);
    }

    #[test]
    fn disabled_plan_charges_nothing() {
        let ops = [Operator::I32Const { value: 1 }, Operator::End];
        let plan = FuelPlan::new(&ops, |op| op, false);
        assert_eq!((plan.at(0), plan.at(1)), (0, 0));
    }
}
