;; A counted loop summing 0..n: locals become loop-header parameters.
(module
  (func (export "sum") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (loop $top
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (local.get $s)))

;; ---- expected (WRUN_BLESS=1 rewrites) ----
;; function f0(i32) -> (i32) {
;; block0(v0: i32):
;;     v1: i32 = i32.const [0]
;;     v2: i32 = i32.const [0]
;;     jump block1(v2, v0, v1)
;; block1(v3: i32, v4: i32, v5: i32):
;;     v6: i32 = i32.ge_s v3, v4
;;     br_if v6, block3, block2
;; block2:
;;     v7: i32 = i32.add v5, v3
;;     v8: i32 = i32.const [1]
;;     v9: i32 = i32.add v3, v8
;;     jump block1(v9, v4, v7)
;; block3:
;;     return v5
;; }
