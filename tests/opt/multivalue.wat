;; Multi-value: a loop with parameters, a block with two results, br_if to a block carrying
;; values, and a local written in one arm of an if (a parameter of the join).
(module
  (func (param i32) (result i32 i32)
    (local $x i32)
    (i32.const 1) (i32.const 2)
    (loop $l (param i32 i32) (result i32 i32)
      (local.set $x (i32.add))
      (if (local.get 0) (then (local.set $x (i32.const 5))))
      (br_if $l (i32.add (local.get $x) (i32.const 1)) (i32.const 3) (local.get 0))
    )
    (block $b (param i32 i32) (result i32 i32)
      (br_if $b (local.get 0))
      (drop) (drop) (local.get $x) (local.get 0))))

;; ---- expected (WRUN_BLESS=1 rewrites) ----
;; function f0(i32) -> (i32, i32) {
;; block0(v0: i32):
;;     v1: i32 = i32.const [1]
;;     v2: i32 = i32.const [2]
;;     jump block1(v1, v2, v0)
;; block1(v3: i32, v4: i32, v5: i32):
;;     v6: i32 = i32.add v3, v4
;;     br_if v5, block2, block3
;; block2:
;;     v7: i32 = i32.const [5]
;;     jump block4(v7, v5)
;; block3:
;;     jump block4(v6, v5)
;; block4(v8: i32, v9: i32):
;;     v10: i32 = i32.const [1]
;;     v11: i32 = i32.add v8, v10
;;     v12: i32 = i32.const [3]
;;     br_if v9, block1(v11, v12, v9), block5
;; block5:
;;     br_if v9, block7(v11, v12), block6
;; block6:
;;     jump block7(v8, v9)
;; block7(v13: i32, v14: i32):
;;     return v13, v14
;; }
