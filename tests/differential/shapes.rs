//! Seed -> a module of the shapes a register-allocating compiler gets wrong and wasm-smith
//! rarely makes: expressions that keep more values live than there are registers (spilling,
//! in both register classes), values live across calls, loop nests several levels deep whose
//! counters and accumulators are the function's hottest locals (home registers), and merges
//! carrying values (`block`/`if` results, `br_if` with a value, `select`).
//!
//! Every module is valid and terminates: loops count down fixed small trip counts, calls go
//! only to functions defined earlier, and each function's worst-case work is budgeted while
//! it is generated. Division never divides by zero (the divisor is or-ed with 1); everything
//! else may trap as wasm says (`i32.div_s` overflow, float-to-int conversions are the
//! saturating ones), and traps are compared like results.

use super::generate::{Generated, Rng};

/// Upper bound on the statements one call of a generated function executes (loops multiply).
const WORK_BUDGET: u64 = 60_000;
/// Deepest loop nest.
const MAX_LOOP_DEPTH: usize = 6;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    I32,
    I64,
    F32,
    F64,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
        }
    }

    fn pick(rng: &mut Rng, floats: bool) -> Ty {
        match rng.below(if floats { 4 } else { 2 }) {
            0 => Ty::I32,
            1 => Ty::I64,
            2 => Ty::F32,
            _ => Ty::F64,
        }
    }
}

/// A function generated so far: what calling it takes, and what one call may cost.
struct FuncSig {
    params: Vec<Ty>,
    cost: u64,
}

struct FuncGen<'a> {
    rng: &'a mut Rng,
    floats: bool,
    /// Parameters then locals: `$v0..`.
    vars: Vec<Ty>,
    /// Loop counters (`$c0..`, i32), one per nesting level.
    counters: usize,
    callees: &'a [FuncSig],
    /// Worst-case statements so far, and the product of the enclosing loops' trip counts.
    cost: u64,
    multiplier: u64,
    /// Labels of the enclosing blocks an early exit may target.
    labels: Vec<String>,
    next_label: usize,
}

impl FuncGen<'_> {
    fn var_of(&mut self, ty: Ty) -> Option<usize> {
        let candidates: Vec<usize> = (0..self.vars.len())
            .filter(|&i| self.vars[i] == ty)
            .collect();
        if candidates.is_empty() {
            None
        } else {
            Some(candidates[self.rng.below(candidates.len() as u64) as usize])
        }
    }

    fn constant(&mut self, ty: Ty) -> String {
        let small = self.rng.below(4) != 0;
        let bits = self.rng.next_u64();
        match ty {
            Ty::I32 if small => format!("(i32.const {})", bits % 200),
            Ty::I32 => format!("(i32.const {})", bits as u32 as i32),
            Ty::I64 if small => format!("(i64.const {})", bits % 200),
            Ty::I64 => format!("(i64.const {})", bits as i64),
            Ty::F32 => format!(
                "(f32.const {:?})",
                ((bits % 20_000) as f32 - 10_000.0) / 64.0
            ),
            Ty::F64 => format!(
                "(f64.const {:?})",
                ((bits % 20_000) as f64 - 10_000.0) / 64.0
            ),
        }
    }

    fn leaf(&mut self, ty: Ty) -> String {
        if self.rng.below(3) != 0
            && let Some(v) = self.var_of(ty)
        {
            return format!("(local.get $v{v})");
        }
        if ty == Ty::I64 && self.rng.below(4) == 0 {
            return "(global.get $g)".to_string();
        }
        if ty == Ty::I32 && self.counters > 0 && self.rng.below(3) == 0 {
            let c = self.rng.below(self.counters as u64);
            return format!("(local.get $c{c})");
        }
        self.constant(ty)
    }

    /// An address inside the one page of memory, 8-aligned.
    fn address(&mut self, depth: usize) -> String {
        let e = self.expr(Ty::I32, depth);
        format!("(i32.and {e} (i32.const 65528))")
    }

    fn binary(&mut self, ty: Ty, a: String, b: String) -> String {
        let t = ty.name();
        let op = match ty {
            Ty::I32 | Ty::I64 => match self.rng.below(12) {
                0 => "add",
                1 => "sub",
                2 => "mul",
                3 => "and",
                4 => "or",
                5 => "xor",
                6 => "shl",
                7 => "shr_s",
                8 => "shr_u",
                9 => "rotl",
                10 => {
                    return format!("({t}.div_u {a} ({t}.or {b} ({t}.const 1)))");
                }
                _ => {
                    return format!("({t}.rem_s {a} ({t}.or {b} ({t}.const 1)))");
                }
            },
            Ty::F32 | Ty::F64 => match self.rng.below(7) {
                0 => "add",
                1 => "sub",
                2 => "mul",
                3 => "div",
                4 => "min",
                5 => "max",
                _ => "copysign",
            },
        };
        format!("({t}.{op} {a} {b})")
    }

    /// An expression of type `ty`; `depth` bounds its nesting.
    fn expr(&mut self, ty: Ty, depth: usize) -> String {
        if depth == 0 {
            return self.leaf(ty);
        }
        match self.rng.below(16) {
            0..=2 => self.leaf(ty),
            // A right-deep chain: every left operand stays live while the rest is computed,
            // so a long one needs more registers than the pool has.
            3 | 4 => {
                let len = 6 + self.rng.below(18) as usize;
                let operands: Vec<String> = (0..len).map(|_| self.expr(ty, depth / 3)).collect();
                let mut e = self.expr(ty, 0);
                for a in operands.into_iter().rev() {
                    e = self.binary(ty, a, e);
                }
                e
            }
            5..=8 => {
                let a = self.expr(ty, depth - 1);
                let b = self.expr(ty, depth - 1);
                self.binary(ty, a, b)
            }
            9 => {
                let a = self.expr(ty, depth - 1);
                let b = self.expr(ty, depth - 1);
                let c = self.cond(depth - 1);
                format!("(select {a} {b} {c})")
            }
            10 => {
                let c = self.cond(depth - 1);
                let a = self.expr(ty, depth - 1);
                let b = self.expr(ty, depth - 1);
                format!("(if (result {}) {c} (then {a}) (else {b}))", ty.name())
            }
            11 => {
                // A block result reached by a branch with a value or by falling through.
                let a = self.expr(ty, depth - 1);
                let c = self.cond(depth - 1);
                let b = self.expr(ty, depth - 1);
                format!(
                    "(block (result {t}) (drop (br_if 0 {a} {c})) {b})",
                    t = ty.name()
                )
            }
            12 => {
                let addr = self.address(depth - 1);
                format!("({}.load {addr})", ty.name())
            }
            13 if !self.callees.is_empty() => {
                let callee = self.rng.below(self.callees.len() as u64) as usize;
                let cost = self.callees[callee].cost;
                if self.cost + self.multiplier * cost > WORK_BUDGET {
                    return self.leaf(ty);
                }
                self.cost += self.multiplier * cost;
                let params = self.callees[callee].params.clone();
                let args: Vec<String> = params.iter().map(|&p| self.expr(p, depth / 2)).collect();
                let call = format!("(call $f{callee} {})", args.join(" "));
                self.convert(Ty::I64, ty, call)
            }
            _ => {
                let from = Ty::pick(self.rng, self.floats);
                let e = self.expr(from, depth - 1);
                self.convert(from, ty, e)
            }
        }
    }

    /// `e` of type `from` as a value of type `to` (saturating, never trapping).
    fn convert(&mut self, from: Ty, to: Ty, e: String) -> String {
        use Ty::*;
        match (from, to) {
            (a, b) if a == b => e,
            (I32, I64) => format!("(i64.extend_i32_s {e})"),
            (I64, I32) => format!("(i32.wrap_i64 {e})"),
            (F32, F64) => format!("(f64.promote_f32 {e})"),
            (F64, F32) => format!("(f32.demote_f64 {e})"),
            (I32 | I64, F32 | F64) => format!("({}.convert_{}_s {e})", to.name(), from.name()),
            (F32 | F64, I32 | I64) => format!("({}.trunc_sat_{}_s {e})", to.name(), from.name()),
            _ => unreachable!(),
        }
    }

    fn cond(&mut self, depth: usize) -> String {
        let ty = Ty::pick(self.rng, self.floats);
        let a = self.expr(ty, depth);
        let b = self.expr(ty, depth);
        let op = match (ty, self.rng.below(4)) {
            (Ty::I32 | Ty::I64, 0) => "lt_s",
            (Ty::I32 | Ty::I64, 1) => "ge_u",
            (Ty::F32 | Ty::F64, 0) => "lt",
            (Ty::F32 | Ty::F64, 1) => "ge",
            (_, 2) => "eq",
            _ => "ne",
        };
        format!("({}.{op} {a} {b})", ty.name())
    }

    fn statements(&mut self, count: usize, loop_depth: usize, out: &mut String) {
        for _ in 0..count {
            self.statement(loop_depth, out);
        }
    }

    fn statement(&mut self, loop_depth: usize, out: &mut String) {
        self.cost += self.multiplier;
        let depth = 2 + self.rng.below(4) as usize;
        match self.rng.below(12) {
            0..=4 => {
                let v = self.rng.below(self.vars.len() as u64) as usize;
                let e = self.expr(self.vars[v], depth);
                out.push_str(&format!("(local.set $v{v} {e})\n"));
            }
            5 => {
                let ty = Ty::pick(self.rng, self.floats);
                let addr = self.address(2);
                let e = self.expr(ty, depth);
                out.push_str(&format!("({}.store {addr} {e})\n", ty.name()));
            }
            6 => {
                let e = self.expr(Ty::I64, depth);
                out.push_str(&format!("(global.set $g (i64.add (global.get $g) {e}))\n"));
            }
            7 if !self.labels.is_empty() => {
                let label = self.labels[self.rng.below(self.labels.len() as u64) as usize].clone();
                let c = self.cond(2);
                out.push_str(&format!("(br_if {label} {c})\n"));
            }
            8 => {
                let c = self.cond(2);
                out.push_str(&format!("(if {c} (then\n"));
                let n = 1 + self.rng.below(3) as usize;
                self.statements(n, loop_depth, out);
                out.push_str(") (else\n");
                let n = self.rng.below(3) as usize;
                self.statements(n, loop_depth, out);
                out.push_str("))\n");
            }
            _ if loop_depth < MAX_LOOP_DEPTH => self.loop_nest(loop_depth, out),
            _ => {
                let v = self.rng.below(self.vars.len() as u64) as usize;
                let e = self.expr(self.vars[v], depth);
                out.push_str(&format!("(local.set $v{v} {e})\n"));
            }
        }
    }

    /// A counted loop (1 to 6 trips) inside a block, its body possibly holding more loops.
    fn loop_nest(&mut self, loop_depth: usize, out: &mut String) {
        let trips = 1 + self.rng.below(6);
        if self.cost + self.multiplier * trips * 4 > WORK_BUDGET {
            return;
        }
        let counter = loop_depth;
        self.counters = self.counters.max(counter + 1);
        let id = self.next_label;
        self.next_label += 1;
        out.push_str(&format!(
            "(local.set $c{counter} (i32.const {trips}))\n(block $b{id} (loop $l{id}\n"
        ));
        let saved = self.multiplier;
        self.multiplier *= trips;
        self.labels.push(format!("$b{id}"));
        let n = 1 + self.rng.below(4) as usize;
        // Loops nest deeper with some probability, so deep nests appear regularly.
        if self.rng.below(2) == 0 {
            self.loop_nest(loop_depth + 1, out);
        }
        self.statements(n, loop_depth + 1, out);
        self.labels.pop();
        self.multiplier = saved;
        out.push_str(&format!(
            "(local.set $c{counter} (i32.sub (local.get $c{counter}) (i32.const 1)))\n\
             (br_if $l{id} (i32.gt_s (local.get $c{counter}) (i32.const 0)))))\n"
        ));
    }
}

/// The module of `rng`'s next choices: 2 to 8 functions, each exported.
pub fn module(rng: &mut Rng) -> anyhow::Result<Generated> {
    let floats = rng.below(10) < 8;
    let funcs = 2 + rng.below(7) as usize;
    let mut sigs: Vec<FuncSig> = Vec::new();
    let mut text = String::from(
        "(module\n(memory (export \"memory\") 1)\n(global $g (export \"g\") (mut i64) (i64.const 0))\n",
    );
    let mut max_vars = 0;
    for index in 0..funcs {
        let params: Vec<Ty> = (0..rng.below(6)).map(|_| Ty::pick(rng, floats)).collect();
        // Many locals in both classes: more than the home registers hold.
        let locals: Vec<Ty> = (0..1 + rng.below(30))
            .map(|_| Ty::pick(rng, floats))
            .collect();
        let mut vars = params.clone();
        vars.extend(&locals);
        max_vars = max_vars.max(vars.len());
        let mut generator = FuncGen {
            rng,
            floats,
            vars,
            counters: 0,
            callees: &sigs,
            cost: 0,
            multiplier: 1,
            labels: vec!["$body".to_string()],
            next_label: 0,
        };
        let mut body = String::new();
        let n = 2 + generator.rng.below(6) as usize;
        generator.statements(n, 0, &mut body);
        // The result mixes every variable, so a wrong value anywhere shows.
        let mut result = "(global.get $g)".to_string();
        for (v, &ty) in generator.vars.iter().enumerate() {
            let bits = match ty {
                Ty::I32 => format!("(i64.extend_i32_u (local.get $v{v}))"),
                Ty::I64 => format!("(local.get $v{v})"),
                Ty::F32 => format!("(i64.extend_i32_u (i32.reinterpret_f32 (local.get $v{v})))"),
                Ty::F64 => format!("(i64.reinterpret_f64 (local.get $v{v}))"),
            };
            result = format!("(i64.add (i64.rotl {result} (i64.const 7)) {bits})");
        }
        let counters = generator.counters;
        let cost = generator.cost.max(1);
        let param_list: String = params
            .iter()
            .enumerate()
            .map(|(i, t)| format!(" (param $v{i} {})", t.name()))
            .collect();
        let local_list: String = locals
            .iter()
            .enumerate()
            .map(|(i, t)| format!(" (local $v{} {})", params.len() + i, t.name()))
            .collect();
        let counter_list: String = (0..counters)
            .map(|c| format!(" (local $c{c} i32)"))
            .collect();
        text.push_str(&format!(
            "(func $f{index} (export \"f{index}\"){param_list} (result i64){local_list}{counter_list}\n\
             (block $body\n{body})\n{result})\n"
        ));
        sigs.push(FuncSig { params, cost });
    }
    text.push_str(")\n");
    let wasm = wat::parse_str(&text).map_err(|e| anyhow::anyhow!("shapes: {e}\n{text}"))?;
    Ok(Generated {
        wasm,
        knobs: format!(
            "shapes: {funcs} functions, up to {max_vars} variables{}",
            if floats { ", floats" } else { "" }
        ),
    })
}
