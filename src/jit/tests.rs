//! Compiler tests that need no instance: every operator family compiles (execution tests run
//! through the public API with `Tier::Jit`, in `tests/jit.rs` and the spec suite).

use std::sync::Arc;

use super::JitModule;
use super::compile::CpuFeatures;

fn compile(wat: &str, cpu: CpuFeatures) -> JitModule {
    let bytes = wat::parse_str(wat).expect("wat");
    let info = Arc::new(crate::module::parse(&bytes).expect("valid module"));
    JitModule::compile_with(&info, cpu).expect("compiles")
}

const FAMILIES: &str = r#"(module
  (memory 1)
  (table 2 funcref)
  (global $g (mut i64) (i64.const 0))
  (type $t (func (param i32) (result i32)))
  (func $id (type $t) local.get 0)
  (func (export "all") (param i32 i64 f32 f64) (result i32)
    (local i32)
    local.get 0 i32.clz local.get 0 i32.ctz i32.add local.get 0 i32.popcnt i32.add
    local.get 1 i64.clz i32.wrap_i64 i32.add
    local.get 2 f32.ceil local.get 2 f32.min f32.abs i32.trunc_sat_f32_s i32.add
    local.get 3 f64.nearest local.get 3 f64.max i64.trunc_f64_s i32.wrap_i64 i32.add
    local.get 0 i32.const 1 i32.div_s i32.add
    block (result i32)
      loop
        local.get 4 i32.const 1 i32.add local.tee 4 i32.const 10 i32.lt_u br_if 0
      end
      local.get 0 local.get 0 br_table 0 0 0
    end
    i32.add
    local.get 0 i32.load offset=0xfffffff0 i32.add
    i32.const 0 i32.const 0 i32.const 0 memory.fill
    local.get 1 global.set $g
    i32.const 7 i32.const 0 call_indirect (type $t) i32.add
    i32.const 1 call $id i32.add
    memory.size i32.add))"#;

#[test]
fn every_family_compiles_with_and_without_optional_cpu_features() {
    for cpu in [CpuFeatures::detect(), CpuFeatures::baseline()] {
        let module = compile(FAMILIES, cpu);
        assert!(module.code_len() > 0);
        assert!(module.entry(1).is_some());
        assert_eq!(module.loop_headers(1).len(), 1);
        assert!(module.entry(2).is_none());
    }
}

// ----- execution through `invoke`, with the code pointers of an interpreter-tier instance
// replaced by compiled code (the `Tier::Jit` wiring in lib.rs does the same) -----

use crate::{
    Config, Engine, Func, FuncType, Instance, Linker, Module, Store, Trap, TrapCode, ValType,
};

struct Jitted {
    store: Store,
    instance: Instance,
    _code: JitModule,
}

fn jit_instance_with(
    wat: &str,
    cpu: CpuFeatures,
    define: impl FnOnce(&mut Store, &mut Linker),
) -> Jitted {
    let engine = Engine::new(Config::default());
    let bytes = wat::parse_str(wat).expect("wat");
    let module = Module::new(&engine, &bytes).expect("module");
    let mut store = Store::new(&engine);
    let mut linker = Linker::new();
    define(&mut store, &mut linker);
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiate");
    let data = store.data.instance(instance.index).expect("instance data");
    let code = JitModule::compile_with(&data.module, cpu).expect("compiles");
    for (i, record) in data.defined_funcs.iter().enumerate() {
        let entry = code.entry(data.module.num_imported_funcs + i as u32);
        record.code.set(entry.expect("entry"));
    }
    Jitted {
        store,
        instance,
        _code: code,
    }
}

fn jit_instance(wat: &str) -> Jitted {
    jit_instance_with(wat, CpuFeatures::detect(), |_, _| {})
}

impl Jitted {
    fn call(&mut self, name: &str, args: &[u64]) -> Result<Vec<u64>, Trap> {
        let func = self.instance.get_func(&self.store, name).expect("export");
        let ty = func.ty(&self.store);
        // A v128 takes two slots.
        let width = |types: &[ValType]| -> usize {
            types
                .iter()
                .map(|t| if *t == ValType::V128 { 2 } else { 1 })
                .sum()
        };
        let results = width(&ty.results);
        let mut slots = vec![0u64; width(&ty.params).max(results).max(1)];
        slots[..args.len()].copy_from_slice(args);
        let mut stack = vec![0u64; 1 << 16];
        stack[..slots.len()].copy_from_slice(&slots);
        let record = func.record.as_ptr();
        // SAFETY: the record belongs to the live store, its code to the live JitModule; the
        // value stack is ours for the call.
        unsafe {
            let end = stack.as_mut_ptr().add(stack.len());
            super::enter(
                (*record).code.get(),
                (*record).vmctx,
                stack.as_mut_ptr(),
                end,
                crate::DEFAULT_MAX_CALL_DEPTH,
                None,
            )?
        };
        let n = slots.len();
        slots.copy_from_slice(&stack[..n]);
        slots.truncate(results);
        Ok(slots)
    }

    fn trap(&mut self, name: &str, args: &[u64]) -> Trap {
        self.call(name, args).expect_err("expected a trap")
    }
}

#[test]
fn integer_arithmetic_and_recursion() {
    let mut m = jit_instance(
        r#"(module
        (func $fib (export "fib") (param i64) (result i64)
          local.get 0 i64.const 2 i64.lt_u
          if (result i64) local.get 0
          else local.get 0 i64.const 1 i64.sub call $fib
               local.get 0 i64.const 2 i64.sub call $fib i64.add end)
        (func (export "mix") (param i32 i32) (result i32)
          local.get 0 local.get 1 i32.mul local.get 0 i32.const 3 i32.shl i32.xor
          local.get 1 i32.rotl)
        (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
        (func (export "rem") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rem_s)
        (func (export "bits") (param i32) (result i32)
          local.get 0 i32.clz local.get 0 i32.ctz i32.const 8 i32.shl i32.or
          local.get 0 i32.popcnt i32.const 16 i32.shl i32.or))"#,
    );
    assert_eq!(m.call("fib", &[20]).unwrap(), vec![6765]);
    let (a, b) = (123456789u32, 987654321u32);
    let expected = (a.wrapping_mul(b) ^ (a << 3)).rotate_left(b);
    assert_eq!(
        m.call("mix", &[a as u64, b as u64]).unwrap(),
        vec![expected as u64]
    );
    assert_eq!(
        m.call("div", &[(-7i32) as u32 as u64, 2]).unwrap(),
        vec![(-3i32) as u32 as u64]
    );
    assert_eq!(m.trap("div", &[1, 0]).code, TrapCode::IntegerDivideByZero);
    assert_eq!(
        m.trap("div", &[i32::MIN as u32 as u64, u32::MAX as u64])
            .code,
        TrapCode::IntegerOverflow
    );
    assert_eq!(
        m.call("rem", &[i64::MIN as u64, u64::MAX]).unwrap(),
        vec![0]
    );
    assert_eq!(
        m.call("bits", &[0x00f0]).unwrap(),
        vec![24 | (4 << 8) | (4 << 16)]
    );
    assert_eq!(m.call("bits", &[0]).unwrap(), vec![32 | (32 << 8)]);
}

#[test]
fn bit_counts_without_lzcnt_tzcnt_popcnt() {
    let mut m = jit_instance_with(
        r#"(module (func (export "bits") (param i64) (result i64)
          local.get 0 i64.clz local.get 0 i64.ctz i64.const 8 i64.shl i64.or
          local.get 0 i64.popcnt i64.const 16 i64.shl i64.or)
          (func (export "round") (param f64) (result f64) local.get 0 f64.nearest))"#,
        CpuFeatures::baseline(),
        |_, _| {},
    );
    assert_eq!(
        m.call("bits", &[0x100]).unwrap(),
        vec![55 | (8 << 8) | (1 << 16)]
    );
    assert_eq!(m.call("bits", &[0]).unwrap(), vec![64 | (64 << 8)]);
    assert_eq!(
        m.call("round", &[2.5f64.to_bits()]).unwrap(),
        vec![2.0f64.to_bits()]
    );
}

#[test]
fn control_flow_loops_and_br_table() {
    let mut m = jit_instance(
        r#"(module
        (func (export "sum") (param i32) (result i32) (local i32)
          block loop
            local.get 0 i32.eqz br_if 1
            local.get 1 local.get 0 i32.add local.set 1
            local.get 0 i32.const 1 i32.sub local.set 0
            br 0 end end local.get 1)
        (func (export "switch") (param i32) (result i32)
          block block block block
            local.get 0 br_table 0 1 2 3
          end i32.const 10 return end i32.const 20 return end i32.const 30 return end
          i32.const 100)
        (func (export "select") (param i32) (result i64)
          i64.const 5 i64.const 7 local.get 0 select))"#,
    );
    assert_eq!(m.call("sum", &[100]).unwrap(), vec![5050]);
    assert_eq!(m.call("switch", &[0]).unwrap(), vec![10]);
    assert_eq!(m.call("switch", &[2]).unwrap(), vec![30]);
    assert_eq!(m.call("switch", &[9]).unwrap(), vec![100]);
    assert_eq!(m.call("select", &[1]).unwrap(), vec![5]);
    assert_eq!(m.call("select", &[0]).unwrap(), vec![7]);
}

#[test]
fn memory_access_bounds_grow_and_bulk() {
    let mut m = jit_instance(
        r#"(module (memory 1 3)
        (data (i32.const 8) "\01\02\03\04")
        (func (export "load") (param i32) (result i32) local.get 0 i32.load)
        (func (export "load_far") (param i32) (result i32) local.get 0 i32.load offset=0xfffffff0)
        (func (export "store") (param i32 i64) local.get 0 local.get 1 i64.store)
        (func (export "load8s") (param i32) (result i64) local.get 0 i64.load8_s)
        (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
        (func (export "size") (result i32) memory.size)
        (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill))"#,
    );
    assert_eq!(m.call("load", &[8]).unwrap(), vec![0x04030201]);
    assert_eq!(m.call("load", &[65532]).unwrap(), vec![0]);
    let trap = m.trap("load", &[65533]);
    assert_eq!(trap.code, TrapCode::MemoryOutOfBounds);
    assert_eq!(trap.backtrace.len(), 1, "{trap}");
    assert_eq!(
        m.trap("load_far", &[0x20]).code,
        TrapCode::MemoryOutOfBounds
    );
    assert_eq!(
        m.trap("store", &[65530, 1]).code,
        TrapCode::MemoryOutOfBounds
    );
    m.call("store", &[16, 0xff]).unwrap();
    assert_eq!(m.call("load8s", &[16]).unwrap(), vec![u64::MAX]);
    assert_eq!(m.call("grow", &[1]).unwrap(), vec![1]);
    assert_eq!(m.call("size", &[]).unwrap(), vec![2]);
    assert_eq!(m.call("load", &[65536 + 100]).unwrap(), vec![0]);
    assert_eq!(m.call("grow", &[5]).unwrap(), vec![u32::MAX as u64]);
    assert_eq!(
        m.trap("fill", &[131070, 0, 3]).code,
        TrapCode::MemoryOutOfBounds
    );
    m.call("fill", &[0, 7, 4]).unwrap();
    assert_eq!(m.call("load", &[0]).unwrap(), vec![0x07070707]);
}

#[test]
fn floats_min_max_conversions() {
    let mut m = jit_instance(
        r#"(module
        (func (export "min") (param f32 f32) (result f32) local.get 0 local.get 1 f32.min)
        (func (export "max") (param f64 f64) (result f64) local.get 0 local.get 1 f64.max)
        (func (export "lt") (param f64 f64) (result i32) local.get 0 local.get 1 f64.lt)
        (func (export "ne") (param f32 f32) (result i32) local.get 0 local.get 1 f32.ne)
        (func (export "trunc") (param f32) (result i32) local.get 0 i32.trunc_f32_s)
        (func (export "sat") (param f64) (result i64) local.get 0 i64.trunc_sat_f64_u)
        (func (export "cvt") (param i32) (result f64) local.get 0 f64.convert_i32_u)
        (func (export "cvt64") (param i64) (result f32) local.get 0 f32.convert_i64_u)
        (func (export "neg") (param f64) (result f64) local.get 0 f64.neg)
        (func (export "copysign") (param f32 f32) (result f32) local.get 0 local.get 1 f32.copysign)
        (func (export "arith") (param f64 f64) (result f64)
          local.get 0 local.get 1 f64.mul local.get 1 f64.div f64.sqrt f64.floor))"#,
    );
    let f32b = |x: f32| x.to_bits() as u64;
    assert_eq!(
        m.call("min", &[f32b(0.0), f32b(-0.0)]).unwrap(),
        vec![f32b(-0.0)]
    );
    let nan = m
        .call("max", &[f64::NAN.to_bits(), 1.0f64.to_bits()])
        .unwrap()[0];
    assert!(f64::from_bits(nan).is_nan());
    assert_eq!(
        m.call("lt", &[1.0f64.to_bits(), 2.0f64.to_bits()]).unwrap(),
        vec![1]
    );
    assert_eq!(
        m.call("lt", &[f64::NAN.to_bits(), 2.0f64.to_bits()])
            .unwrap(),
        vec![0]
    );
    assert_eq!(
        m.call("ne", &[f32b(f32::NAN), f32b(f32::NAN)]).unwrap(),
        vec![1]
    );
    assert_eq!(m.call("ne", &[f32b(1.0), f32b(1.0)]).unwrap(), vec![0]);
    assert_eq!(
        m.call("trunc", &[f32b(-3.9)]).unwrap(),
        vec![(-3i32) as u32 as u64]
    );
    assert_eq!(
        m.trap("trunc", &[f32b(f32::NAN)]).code,
        TrapCode::InvalidConversionToInteger
    );
    assert_eq!(
        m.trap("trunc", &[f32b(3e9)]).code,
        TrapCode::IntegerOverflow
    );
    assert_eq!(m.call("sat", &[(-1.0f64).to_bits()]).unwrap(), vec![0]);
    assert_eq!(
        m.call("cvt", &[u32::MAX as u64]).unwrap(),
        vec![(u32::MAX as f64).to_bits()]
    );
    assert_eq!(
        m.call("cvt64", &[u64::MAX]).unwrap(),
        vec![f32b(u64::MAX as f32)]
    );
    assert_eq!(
        m.call("neg", &[1.5f64.to_bits()]).unwrap(),
        vec![(-1.5f64).to_bits()]
    );
    assert_eq!(
        m.call("copysign", &[f32b(2.0), f32b(-1.0)]).unwrap(),
        vec![f32b(-2.0)]
    );
    assert_eq!(
        m.call("arith", &[10.0f64.to_bits(), 3.0f64.to_bits()])
            .unwrap(),
        vec![3.0f64.to_bits()]
    );
}

#[test]
fn indirect_calls_tables_globals_and_host_functions() {
    let wat = r#"(module
        (import "env" "twice" (func $twice (param i32) (result i32)))
        (type $unary (func (param i32) (result i32)))
        (table 4 funcref)
        (elem (i32.const 0) $inc $twice)
        (elem declare func $pair)
        (global $count (mut i32) (i32.const 0))
        (func $inc (type $unary) local.get 0 i32.const 1 i32.add
          global.get $count i32.const 1 i32.add global.set $count)
        (func $pair (param i32 i32) (result i32) local.get 0)
        (func (export "dispatch") (param i32 i32) (result i32)
          local.get 1 local.get 0 call_indirect (type $unary))
        (func (export "count") (result i32) global.get $count)
        (func (export "host") (param i32) (result i32) local.get 0 call $twice i32.const 1 i32.add)
        (func (export "size") (result i32) table.size 0)
        (func (export "grow") (result i32) ref.null func i32.const 2 table.grow 0)
        (func (export "set_get") (result i32)
          i32.const 3 ref.func $pair table.set 0 i32.const 3 table.get 0 ref.is_null))"#;
    let mut m = jit_instance_with(wat, CpuFeatures::detect(), |store, linker| {
        let ty = FuncType::new([ValType::I32], [ValType::I32]);
        let twice = Func::new(store, ty, |_caller, slots| {
            if slots[0] == 99 {
                return Err(Trap::host("host refuses 99"));
            }
            slots[0] = (slots[0] as u32).wrapping_mul(2) as u64;
            Ok(())
        });
        linker.define("env", "twice", crate::Extern::Func(twice));
    });
    assert_eq!(m.call("dispatch", &[0, 41]).unwrap(), vec![42]);
    assert_eq!(m.call("count", &[]).unwrap(), vec![1]);
    assert_eq!(m.call("dispatch", &[1, 21]).unwrap(), vec![42]);
    assert_eq!(
        m.trap("dispatch", &[2, 0]).code,
        TrapCode::UninitializedElement
    );
    assert_eq!(m.trap("dispatch", &[4, 0]).code, TrapCode::UndefinedElement);
    assert_eq!(m.call("set_get", &[]).unwrap(), vec![0]);
    assert_eq!(
        m.trap("dispatch", &[3, 0]).code,
        TrapCode::IndirectCallTypeMismatch
    );
    assert_eq!(m.call("host", &[5]).unwrap(), vec![11]);
    let trap = m.trap("host", &[99]);
    assert_eq!(trap.message(), "host refuses 99");
    assert_eq!(m.call("grow", &[]).unwrap(), vec![4]);
    assert_eq!(m.call("size", &[]).unwrap(), vec![6]);
}

#[test]
fn deep_recursion_traps_as_call_stack_exhausted_with_backtrace() {
    let mut m = jit_instance(
        r#"(module (func $f (export "f") (param i64) (result i64)
          local.get 0 i64.const 1 i64.add call $f)
          (func (export "g") unreachable))"#,
    );
    let trap = m.trap("f", &[0]);
    assert_eq!(trap.code, TrapCode::CallStackExhausted);
    assert!(trap.backtrace.len() > 100);
    let trap = m.trap("g", &[]);
    assert_eq!(trap.code, TrapCode::Unreachable);
    assert_eq!(trap.backtrace.len(), 1);
    assert_eq!(trap.backtrace[0].func_index, 1);
    // The thread is usable after a trap.
    assert_eq!(m.trap("g", &[]).code, TrapCode::Unreachable);
}

#[test]
fn out_of_bounds_fault_backtrace_has_every_frame() {
    let mut m = jit_instance(
        r#"(module (memory 1)
        (func $inner (param i32) (result i32) local.get 0 i32.load)
        (func $mid (result i32) i32.const 70000 call $inner)
        (func (export "outer") (result i32) call $mid))"#,
    );
    let trap = m.trap("outer", &[]);
    assert_eq!(trap.code, TrapCode::MemoryOutOfBounds);
    let funcs: Vec<u32> = trap.backtrace.iter().map(|f| f.func_index).collect();
    assert_eq!(funcs, [0, 1, 2], "{trap}");
}

#[test]
fn interpreted_code_calls_compiled_code() {
    let engine = Engine::new(Config::default());
    let bytes = wat::parse_str(
        r#"(module
        (func $square (param i32) (result i32)
          local.get 0 i32.const 1000 i32.gt_u if unreachable end
          local.get 0 local.get 0 i32.mul)
        (func (export "sum_squares") (param i32) (result i32) (local i32)
          block loop
            local.get 0 i32.eqz br_if 1
            local.get 1 local.get 0 call $square i32.add local.set 1
            local.get 0 i32.const 1 i32.sub local.set 0 br 0 end end
          local.get 1)
        (func (export "bad") (result i32) i32.const 5000 call $square))"#,
    )
    .expect("wat");
    let module = Module::new(&engine, &bytes).expect("module");
    let mut store = Store::new(&engine);
    let instance = Linker::new()
        .instantiate(&mut store, &module)
        .expect("instantiate");
    let data = store.data.instance(instance.index).expect("instance data");
    let code = JitModule::compile(&data.module).expect("compiles");
    // Only $square is compiled; the callers stay interpreted.
    data.defined_funcs[0]
        .code
        .set(code.entry(0).expect("entry"));
    let sum = instance.get_func(&store, "sum_squares").expect("export");
    let result = sum.call(&mut store, &[crate::Val::I32(10)]).expect("runs");
    assert_eq!(result, vec![crate::Val::I32(385)]);
    let bad = instance.get_func(&store, "bad").expect("export");
    let trap = bad
        .call(&mut store, &[])
        .expect_err("traps")
        .into_trap()
        .expect("a trap");
    assert_eq!(trap.code, TrapCode::Unreachable);
    let funcs: Vec<u32> = trap.backtrace.iter().map(|f| f.func_index).collect();
    assert_eq!(funcs, [0, 2], "{trap}");
}

#[test]
fn not_taken_conditional_return_keeps_deferred_locals() {
    // Found by the differential fuzzer (tests/differential/regressions/br_if_return_keeps_local).
    let mut m = jit_instance(
        r#"(module
        (func (export "one") (param i64) (result i64)
          local.get 0 i32.const 0 br_if 0 i64.clz)
        (func (export "two") (param i64) (result i64 i64)
          local.get 0 local.get 0 i32.const 0 br_if 0 i64.clz)
        (func (export "table") (param i64 i32) (result i64)
          local.get 0 local.get 1 br_table 0 0 i64.clz)
        (func (export "swap") (param i64 i64 i32) (result i64 i64)
          local.get 1 local.get 0 local.get 2 br_if 0 drop drop i64.const 7 i64.const 8))"#,
    );
    assert_eq!(m.call("one", &[1]).unwrap(), vec![63]);
    assert_eq!(m.call("two", &[1]).unwrap(), vec![1, 63]);
    assert_eq!(m.call("table", &[1, 0]).unwrap(), vec![1]);
    assert_eq!(m.call("swap", &[1, 2, 1]).unwrap(), vec![2, 1]);
    assert_eq!(m.call("swap", &[1, 2, 0]).unwrap(), vec![7, 8]);
}

/// SIMD operators with SSSE3/SSE4.1 forms (and the register-resident v128 paths around them)
/// give the same lanes when compiled for plain SSE2, where they run in the fallback helper.
#[test]
fn simd_agrees_with_and_without_ssse3_and_sse41() {
    let wat = r#"(module (memory 1)
      (data (i32.const 0) "\01\82\03\f4\05\86\07\f8\09\8a\0b\fc\0d\8e\0f\f0\11\92\13\e4")
      (func (export "arith") (param i64 i64 i64 i64) (result v128)
        (local $a v128) (local $b v128)
        (local.set $a (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)))
        (local.set $b (i64x2.replace_lane 1 (i64x2.splat (local.get 2)) (local.get 3)))
        (i32x4.mul (local.get $a) (local.get $b))
        (v128.xor (i8x16.min_s (local.get $a) (local.get $b)))
        (v128.xor (i16x8.max_u (local.get $a) (local.get $b)))
        (v128.xor (i32x4.min_u (local.get $a) (local.get $b)))
        (v128.xor (i32x4.max_s (local.get $a) (local.get $b)))
        (v128.xor (i64x2.eq (local.get $a) (local.get $b)))
        (v128.xor (i16x8.narrow_i32x4_u (local.get $a) (local.get $b)))
        (v128.xor (i8x16.narrow_i16x8_s (local.get $a) (local.get $b)))
        (v128.xor (i8x16.abs (local.get $a)))
        (v128.xor (i32x4.abs (local.get $b)))
        (v128.xor (i32x4.extend_low_i16x8_s (local.get $a)))
        (v128.xor (i64x2.extend_low_i32x4_u (local.get $b)))
        (v128.xor (i8x16.swizzle (local.get $a) (local.get $b)))
        (v128.xor (i8x16.shuffle 0 17 2 19 31 30 5 6 16 9 10 11 28 13 1 3
                    (local.get $a) (local.get $b))))
      (func (export "shifts") (param i64 i64 i32) (result v128)
        (local $a v128)
        (local.set $a (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)))
        (i16x8.shl (local.get $a) (local.get 2))
        (v128.xor (i16x8.shr_s (local.get $a) (local.get 2)))
        (v128.xor (i32x4.shr_u (local.get $a) (local.get 2)))
        (v128.xor (i64x2.shl (local.get $a) (local.get 2)))
        (v128.xor (i32x4.shl (local.get $a) (i32.const 35)))
        (v128.xor (i16x8.shr_u (local.get $a) (i32.const 17))))
      (func (export "loads") (param i32) (result v128)
        (v128.load8x8_u (local.get 0))
        (v128.xor (v128.load8x8_s offset=1 (local.get 0)))
        (v128.xor (v128.load16x4_s offset=2 (local.get 0)))
        (v128.xor (v128.load32x2_u offset=3 (local.get 0)))
        (v128.xor (v128.load32_splat offset=4 (local.get 0)))
        (v128.xor (v128.load64_zero offset=5 (local.get 0)))
        (v128.xor (f32x4.splat (f32.load (local.get 0))))))"#;
    let inputs: [[u64; 4]; 4] = [
        [0, 0, 0, 0],
        [
            0x8000_7fff_0001_ffff,
            0x0123_4567_89ab_cdef,
            0xffff_8000_7fff_0000,
            0xfedc_ba98_7654_3210,
        ],
        [u64::MAX, 1, 0x1f1f_1f1f_8080_8080, 0x0f0e_0d0c_0b0a_0908],
        [0x1111_2222_3333_4444, u64::MAX, 0x5555_6666_7777_8888, 7],
    ];
    let mut fast = jit_instance_with(wat, CpuFeatures::detect(), |_, _| {});
    let mut plain = jit_instance_with(wat, CpuFeatures::baseline(), |_, _| {});
    for input in inputs {
        assert_eq!(
            fast.call("arith", &input).unwrap(),
            plain.call("arith", &input).unwrap(),
            "arith {input:x?}"
        );
        for count in [0, 1, 7, 15, 16, 33, 63, 64, 255] {
            let args = [input[0], input[1], count];
            assert_eq!(
                fast.call("shifts", &args).unwrap(),
                plain.call("shifts", &args).unwrap(),
                "shifts {args:x?}"
            );
        }
    }
    for address in [0, 1, 3, 8] {
        assert_eq!(
            fast.call("loads", &[address]).unwrap(),
            plain.call("loads", &[address]).unwrap(),
            "loads at {address}"
        );
    }
    let zero = plain.call("arith", &[0, 0, 0, 0]).unwrap();
    assert_eq!(zero.len(), 2);
}
