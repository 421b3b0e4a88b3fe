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
    (f64.lt (local.get 0) (local.get 1))))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 0  @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0x61
;;        e  mov rax, r14
;;       11  add rax, 0x30
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x61
;;       23  sub qword ptr [r12+0x58], 1
;;       29  jb 0x61
;;       2f  movsd xmm15, [r14]
;;       34  movsd xmm14, [r14+8]
;; ;; wasm 0x55
;;       3a  movaps xmm2, xmm15
;;       3e  mulsd xmm2, xmm15
;; ;; wasm 0x5a
;;       43  movaps xmm3, xmm14
;;       47  mulsd xmm3, xmm14
;; ;; wasm 0x5b
;;       4c  addsd xmm2, xmm3
;; ;; wasm 0x5c
;;       50  sqrtsd xmm2, xmm2
;; ;; wasm 0x5d
;;       54  movsd [r14], xmm2
;;       59  add qword ptr [r12+0x58], 1
;;       5f  pop rbp
;;       60  ret
;; ;; wasm 0x50
;;       61  mov dword ptr [r12+0x20], 0xB
;;       6a  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x70
;; ;; wasm 0x50
;;       70  push rbp
;;       71  mov rbp, rsp
;;       74  cmp rsp, [r12]
;;       78  jb 0xCD
;;       7e  mov rax, r14
;;       81  add rax, 0x30
;;       88  cmp rax, [r12+8]
;;       8d  ja 0xCD
;;       93  sub qword ptr [r12+0x58], 1
;;       99  jb 0xCD
;;       9f  mov rbx, [r14]
;; ;; wasm 0x66
;;       a2  movss xmm2, [r13+rbx]
;; ;; wasm 0x69
;;       a9  movss xmm3, [r14+8]
;;       af  mulss xmm3, xmm2
;; ;; wasm 0x6c
;;       b3  movss xmm2, [r13+rbx+4]
;; ;; wasm 0x6f
;;       ba  addss xmm3, xmm2
;; ;; wasm 0x70
;;       be  movss [r13+rbx], xmm3
;; ;; wasm 0x73
;;       c5  add qword ptr [r12+0x58], 1
;;       cb  pop rbp
;;       cc  ret
;; ;; wasm 0x5f
;;       cd  mov dword ptr [r12+0x20], 0xB
;;       d6  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xe0
;; ;; wasm 0x5f
;;       e0  push rbp
;;       e1  mov rbp, rsp
;;       e4  cmp rsp, [r12]
;;       e8  jb 0x137
;;       ee  mov rax, r14
;;       f1  add rax, 0x20
;;       f8  cmp rax, [r12+8]
;;       fd  ja 0x137
;;      103  sub qword ptr [r12+0x58], 1
;;      109  jb 0x137
;; ;; wasm 0x78
;;      10f  mov ecx, [r14]
;;      112  xorps xmm2, xmm2
;;      115  cvtsi2sd xmm2, ecx
;; ;; wasm 0x7e
;;      119  mov eax, 0x3FC00000
;;      11e  movd xmm3, eax
;;      122  cvtss2sd xmm3, xmm3
;; ;; wasm 0x7f
;;      126  addsd xmm2, xmm3
;; ;; wasm 0x80
;;      12a  movsd [r14], xmm2
;;      12f  add qword ptr [r12+0x58], 1
;;      135  pop rbp
;;      136  ret
;; ;; wasm 0x75
;;      137  mov dword ptr [r12+0x20], 0xB
;;      140  call qword ptr [r12+0x18]
;; ;; function 3  @ 0x150
;; ;; wasm 0x75
;;      150  push rbp
;;      151  mov rbp, rsp
;;      154  cmp rsp, [r12]
;;      158  jb 0x1A2
;;      15e  mov rax, r14
;;      161  add rax, 0x28
;;      168  cmp rax, [r12+8]
;;      16d  ja 0x1A2
;;      173  sub qword ptr [r12+0x58], 1
;;      179  jb 0x1A2
;; ;; wasm 0x87
;;      17f  movsd xmm0, [r14]
;;      184  movsd xmm1, [r14+8]
;;      18a  ucomisd xmm1, xmm0
;;      18e  seta al
;;      191  movzx eax, al
;;      194  mov rsi, rax
;; ;; wasm 0x88
;;      197  mov [r14], rsi
;;      19a  add qword ptr [r12+0x58], 1
;;      1a0  pop rbp
;;      1a1  ret
;; ;; wasm 0x82
;;      1a2  mov dword ptr [r12+0x20], 0xB
;;      1ab  call qword ptr [r12+0x18]
