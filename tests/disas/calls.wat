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
;;        8  jb 0x97
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x97
;;       23  sub qword ptr [r12+0x58], 1
;;       29  jb 0x97
;;       2f  mov rbx, [r14]
;; ;; wasm 0x5a
;;       32  cmp ebx, 2
;;       35  jae 0x44
;; ;; wasm 0x5f
;;       3b  mov [r14+8], rbx
;;       3f  jmp 0x88
;; ;; wasm 0x64
;;       44  mov esi, ebx
;;       46  sub esi, 1
;; ;; wasm 0x65
;;       49  mov [r14+8], rsi
;;       4d  mov [r14], rbx
;;       50  lea r14, [r14+8]
;;       54  call 0
;;       59  lea r14, [r14-8]
;;       5d  mov rbx, [r14]
;; ;; wasm 0x6b
;;       60  mov esi, ebx
;;       62  sub esi, 2
;; ;; wasm 0x6c
;;       65  mov [r14+0x10], rsi
;;       69  mov [r14], rbx
;;       6c  lea r14, [r14+0x10]
;;       70  call 0
;;       75  lea r14, [r14-0x10]
;;       79  mov rbx, [r14]
;; ;; wasm 0x6e
;;       7c  mov esi, [r14+8]
;;       80  add esi, [r14+0x10]
;; ;; wasm 0x6f
;;       84  mov [r14+8], rsi
;; ;; wasm 0x70
;;       88  mov rax, [r14+8]
;;       8c  mov [r14], rax
;;       8f  add qword ptr [r12+0x58], 1
;;       95  pop rbp
;;       96  ret
;; ;; wasm 0x55
;;       97  mov dword ptr [r12+0x20], 0xB
;;       a0  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xb0
;; ;; wasm 0x55
;;       b0  push rbp
;;       b1  mov rbp, rsp
;;       b4  cmp rsp, [r12]
;;       b8  jb 0x148
;;       be  mov rax, r14
;;       c1  add rax, 0x20
;;       c8  cmp rax, [r12+8]
;;       cd  ja 0x148
;;       d3  sub qword ptr [r12+0x58], 1
;;       d9  jb 0x148
;;       df  mov rbx, [r14]
;; ;; wasm 0x77
;;       e2  mov [r14+8], rbx
;;       e6  mov [r14+0x10], rbx
;;       ea  mov [r14], rbx
;;       ed  mov rsi, [r15+0x10]
;;       f1  mov rsi, [rsi]
;;       f4  lea r14, [r14+0x10]
;;       f8  mov rax, [rsi]
;;       fb  test rax, rax
;;       fe  je 0x11B
;;      104  push r15
;;      106  push r13
;;      108  mov r15, [rsi+8]
;;      10c  mov r13, [r15+8]
;;      110  call rax
;;      112  pop r13
;;      114  pop r15
;;      116  jmp 0x12E
;;      11b  mov rdi, r15
;;      11e  mov rdx, r14
;;      121  call qword ptr [r12+0x38]
;;      126  test eax, eax
;;      128  jne 0x156
;;      12e  lea r14, [r14-0x10]
;;      132  mov rbx, [r14]
;; ;; wasm 0x79
;;      135  mov esi, [r14+8]
;;      139  add esi, [r14+0x10]
;; ;; wasm 0x7a
;;      13d  mov [r14], rsi
;;      140  add qword ptr [r12+0x58], 1
;;      146  pop rbp
;;      147  ret
;; ;; wasm 0x72
;;      148  mov dword ptr [r12+0x20], 0xB
;;      151  call qword ptr [r12+0x18]
;; ;; wasm 0x77
;;      156  mov [r12+0x20], eax
;;      15b  call qword ptr [r12+0x18]
;; ;; function 3  @ 0x160
;; ;; wasm 0x77
;;      160  push rbp
;;      161  mov rbp, rsp
;;      164  cmp rsp, [r12]
;;      168  jb 0x21E
;;      16e  mov rax, r14
;;      171  add rax, 0x20
;;      178  cmp rax, [r12+8]
;;      17d  ja 0x21E
;;      183  sub qword ptr [r12+0x58], 1
;;      189  jb 0x21E
;; ;; wasm 0x81
;;      18f  mov rax, [r14]
;;      192  mov [r14+8], rax
;;      196  mov qword ptr [r14+0x10], 0
;;      19e  mov ecx, [r14+0x10]
;;      1a2  mov rax, [r15+0x18]
;;      1a6  mov rax, [rax]
;;      1a9  cmp ecx, [rax+8]
;;      1ac  jae 0x22C
;;      1b2  mov rax, [rax]
;;      1b5  mov rsi, [rax+rcx*8]
;;      1b9  test rsi, rsi
;;      1bc  je 0x23A
;;      1c2  mov rax, [r15+0x28]
;;      1c6  mov eax, [rax]
;;      1c8  cmp eax, [rsi+0x10]
;;      1cb  jne 0x248
;;      1d1  lea r14, [r14+8]
;;      1d5  mov rax, [rsi]
;;      1d8  test rax, rax
;;      1db  je 0x1F8
;;      1e1  push r15
;;      1e3  push r13
;;      1e5  mov r15, [rsi+8]
;;      1e9  mov r13, [r15+8]
;;      1ed  call rax
;;      1ef  pop r13
;;      1f1  pop r15
;;      1f3  jmp 0x20B
;;      1f8  mov rdi, r15
;;      1fb  mov rdx, r14
;;      1fe  call qword ptr [r12+0x38]
;;      203  test eax, eax
;;      205  jne 0x256
;;      20b  lea r14, [r14-8]
;; ;; wasm 0x84
;;      20f  mov rax, [r14+8]
;;      213  mov [r14], rax
;;      216  add qword ptr [r12+0x58], 1
;;      21c  pop rbp
;;      21d  ret
;; ;; wasm 0x7c
;;      21e  mov dword ptr [r12+0x20], 0xB
;;      227  call qword ptr [r12+0x18]
;; ;; wasm 0x81
;;      22c  mov dword ptr [r12+0x20], 9
;;      235  call qword ptr [r12+0x18]
;;      23a  mov dword ptr [r12+0x20], 8
;;      243  call qword ptr [r12+0x18]
;;      248  mov dword ptr [r12+0x20], 7
;;      251  call qword ptr [r12+0x18]
;;      256  mov [r12+0x20], eax
;;      25b  call qword ptr [r12+0x18]
