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
      (else (i32.ne (local.get 0) (i32.const 0))))))

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
;; ;; wasm 0x45
;;       23  mov ecx, [r14]
;;       26  test ecx, ecx
;;       28  sete sil
;;       2c  movzx esi, sil
;; ;; wasm 0x46
;;       30  mov [r14], rsi
;;       33  pop rbp
;;       34  ret
;; ;; wasm 0x42
;;       35  mov dword ptr [r12+0x20], 0xB
;;       3e  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x50
;; ;; wasm 0x42
;;       50  push rbp
;;       51  mov rbp, rsp
;;       54  cmp rsp, [r12]
;;       58  jb 0x87
;;       5e  mov rax, r14
;;       61  add rax, 0x28
;;       68  cmp rax, [r12+8]
;;       6d  ja 0x87
;; ;; wasm 0x4d
;;       73  mov rcx, [r14]
;;       76  cmp rcx, [r14+8]
;;       7a  setl sil
;;       7e  movzx esi, sil
;; ;; wasm 0x4e
;;       82  mov [r14], rsi
;;       85  pop rbp
;;       86  ret
;; ;; wasm 0x48
;;       87  mov dword ptr [r12+0x20], 0xB
;;       90  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xa0
;; ;; wasm 0x48
;;       a0  push rbp
;;       a1  mov rbp, rsp
;;       a4  cmp rsp, [r12]
;;       a8  jb 0xE3
;;       ae  mov rax, r14
;;       b1  add rax, 0x38
;;       b8  cmp rax, [r12+8]
;;       bd  ja 0xE3
;;       c3  mov rbx, [r14]
;;       c6  mov r11, [r14+8]
;; ;; wasm 0x59
;;       ca  cmp ebx, r11d
;;       cd  setg sil
;;       d1  movzx esi, sil
;; ;; wasm 0x5a
;;       d5  mov rdi, rbx
;;       d8  test esi, esi
;;       da  cmove rdi, r11
;; ;; wasm 0x5b
;;       de  mov [r14], rdi
;;       e1  pop rbp
;;       e2  ret
;; ;; wasm 0x50
;;       e3  mov dword ptr [r12+0x20], 0xB
;;       ec  call qword ptr [r12+0x18]
;; ;; function 3  @ 0x100
;; ;; wasm 0x50
;;      100  push rbp
;;      101  mov rbp, rsp
;;      104  cmp rsp, [r12]
;;      108  jb 0x153
;;      10e  mov rax, r14
;;      111  add rax, 0x20
;;      118  cmp rax, [r12+8]
;;      11d  ja 0x153
;;      123  mov rbx, [r14]
;; ;; wasm 0x62
;;      126  test ebx, ebx
;;      128  jge 0x13C
;; ;; wasm 0x67
;;      12e  mov eax, 0xFFFFFFFF
;;      133  mov [r14+8], rax
;;      137  jmp 0x14A
;; ;; wasm 0x6c
;;      13c  test ebx, ebx
;;      13e  setne sil
;;      142  movzx esi, sil
;; ;; wasm 0x6d
;;      146  mov [r14+8], rsi
;; ;; wasm 0x6e
;;      14a  mov rax, [r14+8]
;;      14e  mov [r14], rax
;;      151  pop rbp
;;      152  ret
;; ;; wasm 0x5d
;;      153  mov dword ptr [r12+0x20], 0xB
;;      15c  call qword ptr [r12+0x18]
