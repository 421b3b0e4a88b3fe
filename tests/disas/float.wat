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
;;        8  jb 0x61
;;        e  mov rax, r14
;;       11  add rax, 0x30
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x61
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0x61
;;       2f  movsd xmm15, [r14]
;;       34  movsd xmm14, [r14+8]
;; ;; wasm 0x65
;;       3a  movaps xmm2, xmm15
;;       3e  mulsd xmm2, xmm15
;; ;; wasm 0x6a
;;       43  movaps xmm3, xmm14
;;       47  mulsd xmm3, xmm14
;; ;; wasm 0x6b
;;       4c  addsd xmm2, xmm3
;; ;; wasm 0x6c
;;       50  sqrtsd xmm2, xmm2
;; ;; wasm 0x6d
;;       54  movsd [r14], xmm2
;;       59  add qword ptr [r12+0x68], 1
;;       5f  pop rbp
;;       60  ret
;; ;; wasm 0x60
;;       61  mov dword ptr [r12+0x20], 0xB
;;       6a  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x70
;; ;; wasm 0x60
;;       70  push rbp
;;       71  mov rbp, rsp
;;       74  cmp rsp, [r12]
;;       78  jb 0xCD
;;       7e  mov rax, r14
;;       81  add rax, 0x30
;;       88  cmp rax, [r12+8]
;;       8d  ja 0xCD
;;       93  sub qword ptr [r12+0x68], 1
;;       99  jb 0xCD
;;       9f  mov rbx, [r14]
;; ;; wasm 0x76
;;       a2  movss xmm2, [r13+rbx]
;; ;; wasm 0x79
;;       a9  movss xmm3, [r14+8]
;;       af  mulss xmm3, xmm2
;; ;; wasm 0x7c
;;       b3  movss xmm2, [r13+rbx+4]
;; ;; wasm 0x7f
;;       ba  addss xmm3, xmm2
;; ;; wasm 0x80
;;       be  movss [r13+rbx], xmm3
;; ;; wasm 0x83
;;       c5  add qword ptr [r12+0x68], 1
;;       cb  pop rbp
;;       cc  ret
;; ;; wasm 0x6f
;;       cd  mov dword ptr [r12+0x20], 0xB
;;       d6  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xe0
;; ;; wasm 0x6f
;;       e0  push rbp
;;       e1  mov rbp, rsp
;;       e4  cmp rsp, [r12]
;;       e8  jb 0x136
;;       ee  mov rax, r14
;;       f1  add rax, 0x20
;;       f8  cmp rax, [r12+8]
;;       fd  ja 0x136
;;      103  sub qword ptr [r12+0x68], 1
;;      109  jb 0x136
;; ;; wasm 0x88
;;      10f  mov ecx, [r14]
;;      112  xorps xmm2, xmm2
;;      115  cvtsi2sd xmm2, ecx
;; ;; wasm 0x8e
;;      119  movss xmm3, [0x150]
;;      121  cvtss2sd xmm3, xmm3
;; ;; wasm 0x8f
;;      125  addsd xmm2, xmm3
;; ;; wasm 0x90
;;      129  movsd [r14], xmm2
;;      12e  add qword ptr [r12+0x68], 1
;;      134  pop rbp
;;      135  ret
;; ;; wasm 0x85
;;      136  mov dword ptr [r12+0x20], 0xB
;;      13f  call qword ptr [r12+0x18]
;;      150  .bytes 0000c03f000000000000000000000000
;; ;; function 3  @ 0x160
;; ;; wasm 0x85
;;      160  push rbp
;;      161  mov rbp, rsp
;;      164  cmp rsp, [r12]
;;      168  jb 0x1B2
;;      16e  mov rax, r14
;;      171  add rax, 0x28
;;      178  cmp rax, [r12+8]
;;      17d  ja 0x1B2
;;      183  sub qword ptr [r12+0x68], 1
;;      189  jb 0x1B2
;; ;; wasm 0x97
;;      18f  movsd xmm0, [r14]
;;      194  movsd xmm1, [r14+8]
;;      19a  ucomisd xmm1, xmm0
;;      19e  seta al
;;      1a1  movzx eax, al
;;      1a4  mov rsi, rax
;; ;; wasm 0x98
;;      1a7  mov [r14], rsi
;;      1aa  add qword ptr [r12+0x68], 1
;;      1b0  pop rbp
;;      1b1  ret
;; ;; wasm 0x92
;;      1b2  mov dword ptr [r12+0x20], 0xB
;;      1bb  call qword ptr [r12+0x18]
;; ;; function 4  @ 0x1c0
;; ;; wasm 0x92
;;      1c0  push rbp
;;      1c1  mov rbp, rsp
;;      1c4  cmp rsp, [r12]
;;      1c8  jb 0x244
;;      1ce  mov rax, r14
;;      1d1  add rax, 0x30
;;      1d8  cmp rax, [r12+8]
;;      1dd  ja 0x244
;;      1e3  sub qword ptr [r12+0x68], 1
;;      1e9  jb 0x244
;; ;; wasm 0x9d
;;      1ef  movsd xmm2, [r14]
;;      1f4  andpd xmm2, [0x260]
;; ;; wasm 0x9e
;;      1fc  xorpd xmm2, [0x270]
;; ;; wasm 0xa1
;;      204  andpd xmm2, [0x260]
;;      20c  movsd xmm1, [0x260]
;;      214  movsd xmm0, [r14+8]
;;      21a  andnpd xmm1, xmm0
;;      21e  orpd xmm2, xmm1
;; ;; wasm 0xa4
;;      222  movss xmm3, [r14+0x10]
;;      228  xorps xmm3, [0x280]
;; ;; wasm 0xa5
;;      22f  cvtss2sd xmm3, xmm3
;; ;; wasm 0xa6
;;      233  addsd xmm2, xmm3
;; ;; wasm 0xa7
;;      237  movsd [r14], xmm2
;;      23c  add qword ptr [r12+0x68], 1
;;      242  pop rbp
;;      243  ret
;; ;; wasm 0x9a
;;      244  mov dword ptr [r12+0x20], 0xB
;;      24d  call qword ptr [r12+0x18]
;;      260  .bytes ffffffffffffff7f0000000000000000
;;      270  .bytes 00000000000000800000000000000000
;;      280  .bytes 00000080000000000000000000000000
