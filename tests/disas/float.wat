;; Floats in SSE registers: arithmetic, sqrt in place (no false dependency), conversions,
;; compares and float loads/stores.
(module
  (memory 1)
  (func (export "hypot") (param f64 f64) (result f64)
    (f64.sqrt (f64.add (f64.mul (local.get 0) (local.get 0))
                       (f64.mul (local.get 1) (local.get 1)))))
  (func (export "axpy") (param $p i32) (param $a f32)
    (f32.store (local.get $p)
      (f32.add (f32.mul (local.get $a) (f32.load (local.get $p)))
               (f32.load offset=4 (local.get $p)))))
  (func (export "conv") (param i32) (result f64)
    (f64.add (f64.convert_i32_s (local.get 0)) (f64.promote_f32 (f32.const 1.5))))
  (func (export "flt") (param f64 f64) (result i32)
    (f64.lt (local.get 0) (local.get 1)))
  (func (export "signs") (param f64 f64 f32) (result f64)
    (f64.add (f64.copysign (f64.neg (f64.abs (local.get 0))) (local.get 1))
             (f64.promote_f32 (f32.neg (local.get 2))))))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 0  @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0x4F
;;        e  mov rax, r14
;;       11  add rax, 0x30
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x4F
;;       23  movsd xmm15, [r14]
;;       28  movsd xmm14, [r14+8]
;; ;; wasm 0x65
;;       2e  movaps xmm2, xmm15
;;       32  mulsd xmm2, xmm15
;; ;; wasm 0x6a
;;       37  movaps xmm3, xmm14
;;       3b  mulsd xmm3, xmm14
;; ;; wasm 0x6b
;;       40  addsd xmm2, xmm3
;; ;; wasm 0x6c
;;       44  sqrtsd xmm2, xmm2
;; ;; wasm 0x6d
;;       48  movsd [r14], xmm2
;;       4d  pop rbp
;;       4e  ret
;; ;; wasm 0x60
;;       4f  mov dword ptr [r12+0x20], 0xB
;;       58  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x60
;; ;; wasm 0x60
;;       60  push rbp
;;       61  mov rbp, rsp
;;       64  cmp rsp, [r12]
;;       68  jb 0xAB
;;       6e  mov rax, r14
;;       71  add rax, 0x30
;;       78  cmp rax, [r12+8]
;;       7d  ja 0xAB
;;       83  mov rbx, [r14]
;; ;; wasm 0x76
;;       86  movss xmm2, [r13+rbx]
;; ;; wasm 0x79
;;       8d  movss xmm3, [r14+8]
;;       93  mulss xmm3, xmm2
;; ;; wasm 0x7c
;;       97  movss xmm2, [r13+rbx+4]
;; ;; wasm 0x7f
;;       9e  addss xmm3, xmm2
;; ;; wasm 0x80
;;       a2  movss [r13+rbx], xmm3
;; ;; wasm 0x83
;;       a9  pop rbp
;;       aa  ret
;; ;; wasm 0x6f
;;       ab  mov dword ptr [r12+0x20], 0xB
;;       b4  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xc0
;; ;; wasm 0x6f
;;       c0  push rbp
;;       c1  mov rbp, rsp
;;       c4  cmp rsp, [r12]
;;       c8  jb 0x104
;;       ce  mov rax, r14
;;       d1  add rax, 0x20
;;       d8  cmp rax, [r12+8]
;;       dd  ja 0x104
;; ;; wasm 0x88
;;       e3  mov ecx, [r14]
;;       e6  xorps xmm2, xmm2
;;       e9  cvtsi2sd xmm2, ecx
;; ;; wasm 0x8e
;;       ed  movss xmm3, [0x120]
;;       f5  cvtss2sd xmm3, xmm3
;; ;; wasm 0x8f
;;       f9  addsd xmm2, xmm3
;; ;; wasm 0x90
;;       fd  movsd [r14], xmm2
;;      102  pop rbp
;;      103  ret
;; ;; wasm 0x85
;;      104  mov dword ptr [r12+0x20], 0xB
;;      10d  call qword ptr [r12+0x18]
;;      120  .bytes 0000c03f000000000000000000000000
;; ;; function 3  @ 0x130
;; ;; wasm 0x85
;;      130  push rbp
;;      131  mov rbp, rsp
;;      134  cmp rsp, [r12]
;;      138  jb 0x170
;;      13e  mov rax, r14
;;      141  add rax, 0x28
;;      148  cmp rax, [r12+8]
;;      14d  ja 0x170
;; ;; wasm 0x97
;;      153  movsd xmm0, [r14]
;;      158  movsd xmm1, [r14+8]
;;      15e  ucomisd xmm1, xmm0
;;      162  seta al
;;      165  movzx eax, al
;;      168  mov rsi, rax
;; ;; wasm 0x98
;;      16b  mov [r14], rsi
;;      16e  pop rbp
;;      16f  ret
;; ;; wasm 0x92
;;      170  mov dword ptr [r12+0x20], 0xB
;;      179  call qword ptr [r12+0x18]
;; ;; function 4  @ 0x180
;; ;; wasm 0x92
;;      180  push rbp
;;      181  mov rbp, rsp
;;      184  cmp rsp, [r12]
;;      188  jb 0x1F2
;;      18e  mov rax, r14
;;      191  add rax, 0x30
;;      198  cmp rax, [r12+8]
;;      19d  ja 0x1F2
;; ;; wasm 0x9d
;;      1a3  movsd xmm2, [r14]
;;      1a8  andpd xmm2, [0x200]
;; ;; wasm 0x9e
;;      1b0  xorpd xmm2, [0x210]
;; ;; wasm 0xa1
;;      1b8  andpd xmm2, [0x200]
;;      1c0  movsd xmm1, [0x200]
;;      1c8  movsd xmm0, [r14+8]
;;      1ce  andnpd xmm1, xmm0
;;      1d2  orpd xmm2, xmm1
;; ;; wasm 0xa4
;;      1d6  movss xmm3, [r14+0x10]
;;      1dc  xorps xmm3, [0x220]
;; ;; wasm 0xa5
;;      1e3  cvtss2sd xmm3, xmm3
;; ;; wasm 0xa6
;;      1e7  addsd xmm2, xmm3
;; ;; wasm 0xa7
;;      1eb  movsd [r14], xmm2
;;      1f0  pop rbp
;;      1f1  ret
;; ;; wasm 0x9a
;;      1f2  mov dword ptr [r12+0x20], 0xB
;;      1fb  call qword ptr [r12+0x18]
;;      200  .bytes ffffffffffffff7f0000000000000000
;;      210  .bytes 00000000000000800000000000000000
;;      220  .bytes 00000080000000000000000000000000
