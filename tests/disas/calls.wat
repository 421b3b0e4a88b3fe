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
;;        8  jb 0x8D
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x8D
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0x8D
;;       2f  mov rbx, [r14]
;; ;; wasm 0x5a
;;       32  cmp ebx, 2
;;       35  jae 0x42
;; ;; wasm 0x5f
;;       3b  mov esi, ebx
;;       3d  jmp 0x82
;; ;; wasm 0x64
;;       42  mov esi, ebx
;;       44  sub esi, 1
;; ;; wasm 0x65
;;       47  mov [r14+8], rsi
;;       4b  mov [r14], rbx
;;       4e  lea r14, [r14+8]
;;       52  call 0
;;       57  lea r14, [r14-8]
;;       5b  mov rbx, [r14]
;; ;; wasm 0x6b
;;       5e  mov esi, ebx
;;       60  sub esi, 2
;; ;; wasm 0x6c
;;       63  mov [r14+0x10], rsi
;;       67  mov [r14], rbx
;;       6a  lea r14, [r14+0x10]
;;       6e  call 0
;;       73  lea r14, [r14-0x10]
;;       77  mov rbx, [r14]
;; ;; wasm 0x6e
;;       7a  mov esi, [r14+8]
;;       7e  add esi, [r14+0x10]
;; ;; wasm 0x70
;;       82  mov [r14], rsi
;;       85  add qword ptr [r12+0x68], 1
;;       8b  pop rbp
;;       8c  ret
;; ;; wasm 0x55
;;       8d  mov dword ptr [r12+0x20], 0xB
;;       96  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xa0
;; ;; wasm 0x55
;;       a0  push rbp
;;       a1  mov rbp, rsp
;;       a4  cmp rsp, [r12]
;;       a8  jb 0x138
;;       ae  mov rax, r14
;;       b1  add rax, 0x20
;;       b8  cmp rax, [r12+8]
;;       bd  ja 0x138
;;       c3  sub qword ptr [r12+0x68], 1
;;       c9  jb 0x138
;;       cf  mov rbx, [r14]
;; ;; wasm 0x77
;;       d2  mov [r14+8], rbx
;;       d6  mov [r14+0x10], rbx
;;       da  mov [r14], rbx
;;       dd  mov rsi, [r15+0x10]
;;       e1  mov rsi, [rsi]
;;       e4  lea r14, [r14+0x10]
;;       e8  mov rax, [rsi]
;;       eb  test rax, rax
;;       ee  je 0x10B
;;       f4  push r15
;;       f6  push r13
;;       f8  mov r15, [rsi+8]
;;       fc  mov r13, [r15+8]
;;      100  call rax
;;      102  pop r13
;;      104  pop r15
;;      106  jmp 0x11E
;;      10b  mov rdi, r15
;;      10e  mov rdx, r14
;;      111  call qword ptr [r12+0x38]
;;      116  test eax, eax
;;      118  jne 0x146
;;      11e  lea r14, [r14-0x10]
;;      122  mov rbx, [r14]
;; ;; wasm 0x79
;;      125  mov esi, [r14+8]
;;      129  add esi, [r14+0x10]
;; ;; wasm 0x7a
;;      12d  mov [r14], rsi
;;      130  add qword ptr [r12+0x68], 1
;;      136  pop rbp
;;      137  ret
;; ;; wasm 0x72
;;      138  mov dword ptr [r12+0x20], 0xB
;;      141  call qword ptr [r12+0x18]
;; ;; wasm 0x77
;;      146  mov [r12+0x20], eax
;;      14b  call qword ptr [r12+0x18]
;; ;; function 3  @ 0x150
;; ;; wasm 0x77
;;      150  push rbp
;;      151  mov rbp, rsp
;;      154  cmp rsp, [r12]
;;      158  jb 0x20E
;;      15e  mov rax, r14
;;      161  add rax, 0x20
;;      168  cmp rax, [r12+8]
;;      16d  ja 0x20E
;;      173  sub qword ptr [r12+0x68], 1
;;      179  jb 0x20E
;; ;; wasm 0x81
;;      17f  mov rax, [r14]
;;      182  mov [r14+8], rax
;;      186  mov qword ptr [r14+0x10], 0
;;      18e  mov ecx, [r14+0x10]
;;      192  mov rax, [r15+0x18]
;;      196  mov rax, [rax]
;;      199  cmp ecx, [rax+8]
;;      19c  jae 0x21C
;;      1a2  mov rax, [rax]
;;      1a5  mov rsi, [rax+rcx*8]
;;      1a9  test rsi, rsi
;;      1ac  je 0x22A
;;      1b2  mov rax, [r15+0x28]
;;      1b6  mov eax, [rax]
;;      1b8  cmp eax, [rsi+0x10]
;;      1bb  jne 0x238
;;      1c1  lea r14, [r14+8]
;;      1c5  mov rax, [rsi]
;;      1c8  test rax, rax
;;      1cb  je 0x1E8
;;      1d1  push r15
;;      1d3  push r13
;;      1d5  mov r15, [rsi+8]
;;      1d9  mov r13, [r15+8]
;;      1dd  call rax
;;      1df  pop r13
;;      1e1  pop r15
;;      1e3  jmp 0x1FB
;;      1e8  mov rdi, r15
;;      1eb  mov rdx, r14
;;      1ee  call qword ptr [r12+0x38]
;;      1f3  test eax, eax
;;      1f5  jne 0x246
;;      1fb  lea r14, [r14-8]
;; ;; wasm 0x84
;;      1ff  mov rax, [r14+8]
;;      203  mov [r14], rax
;;      206  add qword ptr [r12+0x68], 1
;;      20c  pop rbp
;;      20d  ret
;; ;; wasm 0x7c
;;      20e  mov dword ptr [r12+0x20], 0xB
;;      217  call qword ptr [r12+0x18]
;; ;; wasm 0x81
;;      21c  mov dword ptr [r12+0x20], 9
;;      225  call qword ptr [r12+0x18]
;;      22a  mov dword ptr [r12+0x20], 8
;;      233  call qword ptr [r12+0x18]
;;      238  mov dword ptr [r12+0x20], 7
;;      241  call qword ptr [r12+0x18]
;;      246  mov [r12+0x20], eax
;;      24b  call qword ptr [r12+0x18]
