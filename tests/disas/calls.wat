;; Calls: the stack and the home registers go to their slots before a call, homes are
;; reloaded after it; direct calls inside the module, calls through records for imports,
;; call_indirect with its checks.
(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $fib)
  (type $t (func (param i32) (result i32)))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "viahost") (param i32) (result i32)
    (i32.add (local.get 0) (call $host (local.get 0))))
  (func (export "indirect") (param i32) (result i32)
    (call_indirect (type $t) (local.get 0) (i32.const 0))))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 1 fib @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0x85
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x85
;;       23  mov rbx, [r14]
;; ;; wasm 0x5a
;;       26  cmp ebx, 2
;;       29  jae 0x38
;; ;; wasm 0x5f
;;       2f  mov [r14+8], rbx
;;       33  jmp 0x7C
;; ;; wasm 0x64
;;       38  mov esi, ebx
;;       3a  sub esi, 1
;; ;; wasm 0x65
;;       3d  mov [r14+8], rsi
;;       41  mov [r14], rbx
;;       44  lea r14, [r14+8]
;;       48  call 0
;;       4d  lea r14, [r14-8]
;;       51  mov rbx, [r14]
;; ;; wasm 0x6b
;;       54  mov esi, ebx
;;       56  sub esi, 2
;; ;; wasm 0x6c
;;       59  mov [r14+0x10], rsi
;;       5d  mov [r14], rbx
;;       60  lea r14, [r14+0x10]
;;       64  call 0
;;       69  lea r14, [r14-0x10]
;;       6d  mov rbx, [r14]
;; ;; wasm 0x6e
;;       70  mov esi, [r14+8]
;;       74  add esi, [r14+0x10]
;; ;; wasm 0x6f
;;       78  mov [r14+8], rsi
;; ;; wasm 0x70
;;       7c  mov rax, [r14+8]
;;       80  mov [r14], rax
;;       83  pop rbp
;;       84  ret
;; ;; wasm 0x55
;;       85  mov dword ptr [r12+0x20], 0xB
;;       8e  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xa0
;; ;; wasm 0x55
;;       a0  push rbp
;;       a1  mov rbp, rsp
;;       a4  cmp rsp, [r12]
;;       a8  jb 0x126
;;       ae  mov rax, r14
;;       b1  add rax, 0x20
;;       b8  cmp rax, [r12+8]
;;       bd  ja 0x126
;;       c3  mov rbx, [r14]
;; ;; wasm 0x77
;;       c6  mov [r14+8], rbx
;;       ca  mov [r14+0x10], rbx
;;       ce  mov [r14], rbx
;;       d1  mov rsi, [r15+0x10]
;;       d5  mov rsi, [rsi]
;;       d8  lea r14, [r14+0x10]
;;       dc  mov rax, [rsi]
;;       df  test rax, rax
;;       e2  je 0xFF
;;       e8  push r15
;;       ea  push r13
;;       ec  mov r15, [rsi+8]
;;       f0  mov r13, [r15+8]
;;       f4  call rax
;;       f6  pop r13
;;       f8  pop r15
;;       fa  jmp 0x112
;;       ff  mov rdi, r15
;;      102  mov rdx, r14
;;      105  call qword ptr [r12+0x38]
;;      10a  test eax, eax
;;      10c  jne 0x134
;;      112  lea r14, [r14-0x10]
;;      116  mov rbx, [r14]
;; ;; wasm 0x79
;;      119  mov esi, [r14+8]
;;      11d  add esi, [r14+0x10]
;; ;; wasm 0x7a
;;      121  mov [r14], rsi
;;      124  pop rbp
;;      125  ret
;; ;; wasm 0x72
;;      126  mov dword ptr [r12+0x20], 0xB
;;      12f  call qword ptr [r12+0x18]
;; ;; wasm 0x77
;;      134  mov [r12+0x20], eax
;;      139  call qword ptr [r12+0x18]
;; ;; function 3  @ 0x140
;; ;; wasm 0x77
;;      140  push rbp
;;      141  mov rbp, rsp
;;      144  cmp rsp, [r12]
;;      148  jb 0x1EC
;;      14e  mov rax, r14
;;      151  add rax, 0x20
;;      158  cmp rax, [r12+8]
;;      15d  ja 0x1EC
;; ;; wasm 0x81
;;      163  mov rax, [r14]
;;      166  mov [r14+8], rax
;;      16a  mov qword ptr [r14+0x10], 0
;;      172  mov ecx, [r14+0x10]
;;      176  mov rax, [r15+0x18]
;;      17a  mov rax, [rax]
;;      17d  cmp ecx, [rax+8]
;;      180  jae 0x1FA
;;      186  mov rax, [rax]
;;      189  mov rsi, [rax+rcx*8]
;;      18d  test rsi, rsi
;;      190  je 0x208
;;      196  mov rax, [r15+0x28]
;;      19a  mov eax, [rax]
;;      19c  cmp eax, [rsi+0x10]
;;      19f  jne 0x216
;;      1a5  lea r14, [r14+8]
;;      1a9  mov rax, [rsi]
;;      1ac  test rax, rax
;;      1af  je 0x1CC
;;      1b5  push r15
;;      1b7  push r13
;;      1b9  mov r15, [rsi+8]
;;      1bd  mov r13, [r15+8]
;;      1c1  call rax
;;      1c3  pop r13
;;      1c5  pop r15
;;      1c7  jmp 0x1DF
;;      1cc  mov rdi, r15
;;      1cf  mov rdx, r14
;;      1d2  call qword ptr [r12+0x38]
;;      1d7  test eax, eax
;;      1d9  jne 0x224
;;      1df  lea r14, [r14-8]
;; ;; wasm 0x84
;;      1e3  mov rax, [r14+8]
;;      1e7  mov [r14], rax
;;      1ea  pop rbp
;;      1eb  ret
;; ;; wasm 0x7c
;;      1ec  mov dword ptr [r12+0x20], 0xB
;;      1f5  call qword ptr [r12+0x18]
;; ;; wasm 0x81
;;      1fa  mov dword ptr [r12+0x20], 9
;;      203  call qword ptr [r12+0x18]
;;      208  mov dword ptr [r12+0x20], 8
;;      211  call qword ptr [r12+0x18]
;;      216  mov dword ptr [r12+0x20], 7
;;      21f  call qword ptr [r12+0x18]
;;      224  mov [r12+0x20], eax
;;      229  call qword ptr [r12+0x18]
