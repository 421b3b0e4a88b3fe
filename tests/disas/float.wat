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
;;        8  jb 0x4F
;;        e  mov rax, r14
;;       11  add rax, 0x30
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x4F
;;       23  movsd xmm15, [r14]
;;       28  movsd xmm14, [r14+8]
;; ;; wasm 0x55
;;       2e  movaps xmm2, xmm15
;;       32  mulsd xmm2, xmm15
;; ;; wasm 0x5a
;;       37  movaps xmm3, xmm14
;;       3b  mulsd xmm3, xmm14
;; ;; wasm 0x5b
;;       40  addsd xmm2, xmm3
;; ;; wasm 0x5c
;;       44  sqrtsd xmm2, xmm2
;; ;; wasm 0x5d
;;       48  movsd [r14], xmm2
;;       4d  pop rbp
;;       4e  ret
;; ;; wasm 0x50
;;       4f  mov dword ptr [r12+0x20], 0xB
;;       58  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x60
;; ;; wasm 0x50
;;       60  push rbp
;;       61  mov rbp, rsp
;;       64  cmp rsp, [r12]
;;       68  jb 0xAB
;;       6e  mov rax, r14
;;       71  add rax, 0x30
;;       78  cmp rax, [r12+8]
;;       7d  ja 0xAB
;;       83  mov rbx, [r14]
;; ;; wasm 0x66
;;       86  movss xmm2, [r13+rbx]
;; ;; wasm 0x69
;;       8d  movss xmm3, [r14+8]
;;       93  mulss xmm3, xmm2
;; ;; wasm 0x6c
;;       97  movss xmm2, [r13+rbx+4]
;; ;; wasm 0x6f
;;       9e  addss xmm3, xmm2
;; ;; wasm 0x70
;;       a2  movss [r13+rbx], xmm3
;; ;; wasm 0x73
;;       a9  pop rbp
;;       aa  ret
;; ;; wasm 0x5f
;;       ab  mov dword ptr [r12+0x20], 0xB
;;       b4  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xc0
;; ;; wasm 0x5f
;;       c0  push rbp
;;       c1  mov rbp, rsp
;;       c4  cmp rsp, [r12]
;;       c8  jb 0x105
;;       ce  mov rax, r14
;;       d1  add rax, 0x20
;;       d8  cmp rax, [r12+8]
;;       dd  ja 0x105
;; ;; wasm 0x78
;;       e3  mov ecx, [r14]
;;       e6  xorps xmm2, xmm2
;;       e9  cvtsi2sd xmm2, ecx
;; ;; wasm 0x7e
;;       ed  mov eax, 0x3FC00000
;;       f2  movd xmm3, eax
;;       f6  cvtss2sd xmm3, xmm3
;; ;; wasm 0x7f
;;       fa  addsd xmm2, xmm3
;; ;; wasm 0x80
;;       fe  movsd [r14], xmm2
;;      103  pop rbp
;;      104  ret
;; ;; wasm 0x75
;;      105  mov dword ptr [r12+0x20], 0xB
;;      10e  call qword ptr [r12+0x18]
;; ;; function 3  @ 0x120
;; ;; wasm 0x75
;;      120  push rbp
;;      121  mov rbp, rsp
;;      124  cmp rsp, [r12]
;;      128  jb 0x160
;;      12e  mov rax, r14
;;      131  add rax, 0x28
;;      138  cmp rax, [r12+8]
;;      13d  ja 0x160
;; ;; wasm 0x87
;;      143  movsd xmm0, [r14]
;;      148  movsd xmm1, [r14+8]
;;      14e  ucomisd xmm1, xmm0
;;      152  seta al
;;      155  movzx eax, al
;;      158  mov rsi, rax
;; ;; wasm 0x88
;;      15b  mov [r14], rsi
;;      15e  pop rbp
;;      15f  ret
;; ;; wasm 0x82
;;      160  mov dword ptr [r12+0x20], 0xB
;;      169  call qword ptr [r12+0x18]
