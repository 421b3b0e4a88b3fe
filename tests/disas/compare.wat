;; Compares: test for compares with zero, setcc for values, compare fused with br_if, if
;; and select.
(module
  (func (export "eqz") (param i32) (result i32)
    (i32.eqz (local.get 0)))
  (func (export "lt") (param i64 i64) (result i32)
    (i64.lt_s (local.get 0) (local.get 1)))
  (func (export "max") (param i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.gt_s (local.get 0) (local.get 1))))
  (func (export "sign") (param i32) (result i32)
    (if (result i32) (i32.lt_s (local.get 0) (i32.const 0))
      (then (i32.const -1))
      (else (i32.ne (local.get 0) (i32.const 0)))))
  ;; A select of floats does not fuse with its compare (the flags are materialized).
  (func (export "fsel") (param i32 i32 f64 f64) (result f64)
    (select (f64.add (local.get 2) (local.get 3)) (f64.mul (local.get 2) (local.get 3))
      (i32.lt_s (local.get 0) (local.get 1)))))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 0  @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0x35
;;        e  mov rax, r14
;;       11  add rax, 0x18
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x35
;; ;; wasm 0x55
;;       23  mov ecx, [r14]
;;       26  test ecx, ecx
;;       28  sete sil
;;       2c  movzx esi, sil
;; ;; wasm 0x56
;;       30  mov [r14], rsi
;;       33  pop rbp
;;       34  ret
;; ;; wasm 0x52
;;       35  mov dword ptr [r12+0x20], 0xB
;;       3e  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x50
;; ;; wasm 0x52
;;       50  push rbp
;;       51  mov rbp, rsp
;;       54  cmp rsp, [r12]
;;       58  jb 0x87
;;       5e  mov rax, r14
;;       61  add rax, 0x28
;;       68  cmp rax, [r12+8]
;;       6d  ja 0x87
;; ;; wasm 0x5d
;;       73  mov rcx, [r14]
;;       76  cmp rcx, [r14+8]
;;       7a  setl sil
;;       7e  movzx esi, sil
;; ;; wasm 0x5e
;;       82  mov [r14], rsi
;;       85  pop rbp
;;       86  ret
;; ;; wasm 0x58
;;       87  mov dword ptr [r12+0x20], 0xB
;;       90  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xa0
;; ;; wasm 0x58
;;       a0  push rbp
;;       a1  mov rbp, rsp
;;       a4  cmp rsp, [r12]
;;       a8  jb 0xD9
;;       ae  mov rax, r14
;;       b1  add rax, 0x38
;;       b8  cmp rax, [r12+8]
;;       bd  ja 0xD9
;;       c3  mov rbx, [r14]
;;       c6  mov r11, [r14+8]
;; ;; wasm 0x69
;;       ca  mov rsi, rbx
;;       cd  cmp ebx, r11d
;;       d0  cmovle rsi, r11
;; ;; wasm 0x6b
;;       d4  mov [r14], rsi
;;       d7  pop rbp
;;       d8  ret
;; ;; wasm 0x60
;;       d9  mov dword ptr [r12+0x20], 0xB
;;       e2  call qword ptr [r12+0x18]
;; ;; function 3  @ 0xf0
;; ;; wasm 0x60
;;       f0  push rbp
;;       f1  mov rbp, rsp
;;       f4  cmp rsp, [r12]
;;       f8  jb 0x143
;;       fe  mov rax, r14
;;      101  add rax, 0x20
;;      108  cmp rax, [r12+8]
;;      10d  ja 0x143
;;      113  mov rbx, [r14]
;; ;; wasm 0x72
;;      116  test ebx, ebx
;;      118  jge 0x12C
;; ;; wasm 0x77
;;      11e  mov eax, 0xFFFFFFFF
;;      123  mov [r14+8], rax
;;      127  jmp 0x13A
;; ;; wasm 0x7c
;;      12c  test ebx, ebx
;;      12e  setne sil
;;      132  movzx esi, sil
;; ;; wasm 0x7d
;;      136  mov [r14+8], rsi
;; ;; wasm 0x7e
;;      13a  mov rax, [r14+8]
;;      13e  mov [r14], rax
;;      141  pop rbp
;;      142  ret
;; ;; wasm 0x6d
;;      143  mov dword ptr [r12+0x20], 0xB
;;      14c  call qword ptr [r12+0x18]
;; ;; function 4  @ 0x160
;; ;; wasm 0x6d
;;      160  push rbp
;;      161  mov rbp, rsp
;;      164  cmp rsp, [r12]
;;      168  jb 0x1C2
;;      16e  mov rax, r14
;;      171  add rax, 0x48
;;      178  cmp rax, [r12+8]
;;      17d  ja 0x1C2
;;      183  movsd xmm15, [r14+0x10]
;;      189  movsd xmm14, [r14+0x18]
;; ;; wasm 0x85
;;      18f  movaps xmm2, xmm15
;;      193  addsd xmm2, xmm14
;; ;; wasm 0x8a
;;      198  movaps xmm3, xmm15
;;      19c  mulsd xmm3, xmm14
;; ;; wasm 0x8f
;;      1a1  mov ecx, [r14]
;;      1a4  cmp ecx, [r14+8]
;;      1a8  setl sil
;;      1ac  movzx esi, sil
;; ;; wasm 0x90
;;      1b0  test esi, esi
;;      1b2  jne 0x1BB
;;      1b8  movaps xmm2, xmm3
;; ;; wasm 0x91
;;      1bb  movsd [r14], xmm2
;;      1c0  pop rbp
;;      1c1  ret
;; ;; wasm 0x80
;;      1c2  mov dword ptr [r12+0x20], 0xB
;;      1cb  call qword ptr [r12+0x18]
