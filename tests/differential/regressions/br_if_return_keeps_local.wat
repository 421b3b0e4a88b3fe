;; Found by the differential fuzzer (seeds 7561, 19575), minimized by hand.
;; A `br_if` to the function's own label (a conditional return) that is NOT taken must leave the
;; operand stack intact: here `i64.clz` must see the parameter, not the (never written)
;; canonical slot of stack height 0. Interp: (local 0) -> [clz(local 0)].
(module
  (func (export "one") (param i64) (result i64)
    local.get 0
    i32.const 0
    br_if 0
    i64.clz)
  (func (export "two") (param i64) (result i64 i64)
    local.get 0
    local.get 0
    i32.const 0
    br_if 0
    i64.clz)
  (func (export "in_block") (param i64) (result i64)
    block (result i64)
      local.get 0
      i32.const 0
      br_if 0
      i64.clz
    end))
