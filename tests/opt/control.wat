;; if/else with results, br_table, a call, memory and an unreachable tail.
(module
  (memory 1)
  (func $f (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.load offset=8 (local.get 0)))
      (else (i32.const 7))))
  (func (param i32 i64) (result i64)
    (block $b
      (block $a
        (br_table $a $b $a (local.get 0)))
      (i64.store (i32.const 0) (local.get 1)))
    (i64.extend_i32_u (call $f (local.get 0))))
  (func (result i32)
    (unreachable)
    (i32.const 1)))

;; ---- expected (WRUN_BLESS=1 rewrites) ----
;; function f(i32) -> (i32) {
;; block0(v0: i32):
;;     br_if v0, block1, block2
;; block1:
;;     v1: i32 = i32.load [m0+8] v0
;;     jump block3(v1)
;; block2:
;;     v2: i32 = i32.const [7]
;;     jump block3(v2)
;; block3(v3: i32):
;;     return v3
;; }
;; function f1(i32, i64) -> (i64) {
;; block0(v0: i32, v1: i64):
;;     br_table v0, [block1, block2(v0)], block1
;; block1:
;;     v2: i32 = i32.const [0]
;;     i64.store [m0+0] v2, v1
;;     jump block2(v0)
;; block2(v3: i32):
;;     v4: i32 = call [0] v3
;;     v5: i64 = i64.extend_i32_u v4
;;     return v5
;; }
;; function f2() -> (i32) {
;; block0:
;;     unreachable
;; }
