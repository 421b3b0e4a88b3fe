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
