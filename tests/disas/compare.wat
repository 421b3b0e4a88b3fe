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
;;        8  jb 0x47
;;        e  mov rax, r14
;;       11  add rax, 0x18
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x47
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0x47
;; ;; wasm 0x55
;;       2f  mov ecx, [r14]
;;       32  test ecx, ecx
;;       34  sete sil
;;       38  movzx esi, sil
;; ;; wasm 0x56
;;       3c  mov [r14], rsi
;;       3f  add qword ptr [r12+0x68], 1
;;       45  pop rbp
;;       46  ret
;; ;; wasm 0x52
;;       47  mov dword ptr [r12+0x20], 0xB
;;       50  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x60
;; ;; wasm 0x52
;;       60  push rbp
;;       61  mov rbp, rsp
;;       64  cmp rsp, [r12]
;;       68  jb 0xA9
;;       6e  mov rax, r14
;;       71  add rax, 0x28
;;       78  cmp rax, [r12+8]
;;       7d  ja 0xA9
;;       83  sub qword ptr [r12+0x68], 1
;;       89  jb 0xA9
;; ;; wasm 0x5d
;;       8f  mov rcx, [r14]
;;       92  cmp rcx, [r14+8]
;;       96  setl sil
;;       9a  movzx esi, sil
;; ;; wasm 0x5e
;;       9e  mov [r14], rsi
;;       a1  add qword ptr [r12+0x68], 1
;;       a7  pop rbp
;;       a8  ret
;; ;; wasm 0x58
;;       a9  mov dword ptr [r12+0x20], 0xB
;;       b2  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xc0
;; ;; wasm 0x58
;;       c0  push rbp
;;       c1  mov rbp, rsp
;;       c4  cmp rsp, [r12]
;;       c8  jb 0x10B
;;       ce  mov rax, r14
;;       d1  add rax, 0x38
;;       d8  cmp rax, [r12+8]
;;       dd  ja 0x10B
;;       e3  sub qword ptr [r12+0x68], 1
;;       e9  jb 0x10B
;;       ef  mov rbx, [r14]
;;       f2  mov r11, [r14+8]
;; ;; wasm 0x69
;;       f6  mov rsi, rbx
;;       f9  cmp ebx, r11d
;;       fc  cmovle rsi, r11
;; ;; wasm 0x6b
;;      100  mov [r14], rsi
;;      103  add qword ptr [r12+0x68], 1
;;      109  pop rbp
;;      10a  ret
;; ;; wasm 0x60
;;      10b  mov dword ptr [r12+0x20], 0xB
;;      114  call qword ptr [r12+0x18]
;; ;; function 3  @ 0x120
;; ;; wasm 0x60
;;      120  push rbp
;;      121  mov rbp, rsp
;;      124  cmp rsp, [r12]
;;      128  jb 0x179
;;      12e  mov rax, r14
;;      131  add rax, 0x20
;;      138  cmp rax, [r12+8]
;;      13d  ja 0x179
;;      143  sub qword ptr [r12+0x68], 1
;;      149  jb 0x179
;;      14f  mov rbx, [r14]
;; ;; wasm 0x72
;;      152  test ebx, ebx
;;      154  jge 0x164
;; ;; wasm 0x77
;;      15a  mov esi, 0xFFFFFFFF
;;      15f  jmp 0x16E
;; ;; wasm 0x7c
;;      164  test ebx, ebx
;;      166  setne sil
;;      16a  movzx esi, sil
;; ;; wasm 0x7e
;;      16e  mov [r14], rsi
;;      171  add qword ptr [r12+0x68], 1
;;      177  pop rbp
;;      178  ret
;; ;; wasm 0x6d
;;      179  mov dword ptr [r12+0x20], 0xB
;;      182  call qword ptr [r12+0x18]
;; ;; function 4  @ 0x190
;; ;; wasm 0x6d
;;      190  push rbp
;;      191  mov rbp, rsp
;;      194  cmp rsp, [r12]
;;      198  jb 0x204
;;      19e  mov rax, r14
;;      1a1  add rax, 0x48
;;      1a8  cmp rax, [r12+8]
;;      1ad  ja 0x204
;;      1b3  sub qword ptr [r12+0x68], 1
;;      1b9  jb 0x204
;;      1bf  movsd xmm15, [r14+0x10]
;;      1c5  movsd xmm14, [r14+0x18]
;; ;; wasm 0x85
;;      1cb  movaps xmm2, xmm15
;;      1cf  addsd xmm2, xmm14
;; ;; wasm 0x8a
;;      1d4  movaps xmm3, xmm15
;;      1d8  mulsd xmm3, xmm14
;; ;; wasm 0x8f
;;      1dd  mov ecx, [r14]
;;      1e0  cmp ecx, [r14+8]
;;      1e4  setl sil
;;      1e8  movzx esi, sil
;; ;; wasm 0x90
;;      1ec  test esi, esi
;;      1ee  jne 0x1F7
;;      1f4  movaps xmm2, xmm3
;; ;; wasm 0x91
;;      1f7  movsd [r14], xmm2
;;      1fc  add qword ptr [r12+0x68], 1
;;      202  pop rbp
;;      203  ret
;; ;; wasm 0x80
;;      204  mov dword ptr [r12+0x20], 0xB
;;      20d  call qword ptr [r12+0x18]
