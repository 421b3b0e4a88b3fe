;; Integer arithmetic: operands in registers, constants as immediates, lea for adds with a
;; third register, shifts by constants and by cl, division with its traps.
(module
  (func (export "alu") (param i32 i32) (result i32)
    (i32.xor
      (i32.add (i32.mul (local.get 0) (local.get 1)) (i32.const 7))
      (i32.shl (local.get 0) (i32.const 3))))
  (func (export "alu64") (param i64 i64) (result i64)
    (i64.sub (i64.add (local.get 0) (local.get 1)) (i64.shr_u (local.get 1) (local.get 0))))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "bits") (param i64) (result i64)
    (i64.add (i64.popcnt (local.get 0)) (i64.clz (local.get 0)))))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 0  @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0x3C
;;        e  mov rax, r14
;;       11  add rax, 0x30
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x3C
;;       23  mov rbx, [r14]
;; ;; wasm 0x4a
;;       26  mov esi, ebx
;;       28  imul esi, [r14+8]
;; ;; wasm 0x4d
;;       2d  add esi, 7
;; ;; wasm 0x52
;;       30  mov edi, ebx
;;       32  shl edi, 3
;; ;; wasm 0x53
;;       35  xor esi, edi
;; ;; wasm 0x54
;;       37  mov [r14], rsi
;;       3a  pop rbp
;;       3b  ret
;; ;; wasm 0x45
;;       3c  mov dword ptr [r12+0x20], 0xB
;;       45  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x50
;; ;; wasm 0x45
;;       50  push rbp
;;       51  mov rbp, rsp
;;       54  cmp rsp, [r12]
;;       58  jb 0x8E
;;       5e  mov rax, r14
;;       61  add rax, 0x30
;;       68  cmp rax, [r12+8]
;;       6d  ja 0x8E
;;       73  mov rbx, [r14]
;;       76  mov r11, [r14+8]
;; ;; wasm 0x5b
;;       7a  lea rsi, [rbx+r11]
;; ;; wasm 0x60
;;       7e  mov ecx, ebx
;;       80  mov rdi, r11
;;       83  shr rdi, cl
;; ;; wasm 0x61
;;       86  sub rsi, rdi
;; ;; wasm 0x62
;;       89  mov [r14], rsi
;;       8c  pop rbp
;;       8d  ret
;; ;; wasm 0x56
;;       8e  mov dword ptr [r12+0x20], 0xB
;;       97  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xa0
;; ;; wasm 0x56
;;       a0  push rbp
;;       a1  mov rbp, rsp
;;       a4  cmp rsp, [r12]
;;       a8  jb 0xF7
;;       ae  mov rax, r14
;;       b1  add rax, 0x28
;;       b8  cmp rax, [r12+8]
;;       bd  ja 0xF7
;; ;; wasm 0x69
;;       c3  mov eax, [r14]
;;       c6  mov ecx, [r14+8]
;;       ca  test ecx, ecx
;;       cc  je 0x105
;;       d2  cmp ecx, 0xFFFFFFFF
;;       d5  jne 0xED
;;       db  cmp eax, 0x80000000
;;       e0  je 0x113
;;       e6  neg eax
;;       e8  jmp 0xF0
;;       ed  cdq
;;       ee  idiv ecx
;;       f0  mov esi, eax
;; ;; wasm 0x6a
;;       f2  mov [r14], rsi
;;       f5  pop rbp
;;       f6  ret
;; ;; wasm 0x64
;;       f7  mov dword ptr [r12+0x20], 0xB
;;      100  call qword ptr [r12+0x18]
;; ;; wasm 0x69
;;      105  mov dword ptr [r12+0x20], 3
;;      10e  call qword ptr [r12+0x18]
;;      113  mov dword ptr [r12+0x20], 2
;;      11c  call qword ptr [r12+0x18]
;; ;; function 3  @ 0x130
;; ;; wasm 0x69
;;      130  push rbp
;;      131  mov rbp, rsp
;;      134  cmp rsp, [r12]
;;      138  jb 0x174
;;      13e  mov rax, r14
;;      141  add rax, 0x20
;;      148  cmp rax, [r12+8]
;;      14d  ja 0x174
;;      153  mov rbx, [r14]
;; ;; wasm 0x6f
;;      156  mov rcx, rbx
;;      159  popcnt rax, rcx
;;      15e  mov rsi, rax
;; ;; wasm 0x72
;;      161  mov rcx, rbx
;;      164  lzcnt rax, rcx
;;      169  mov rdi, rax
;; ;; wasm 0x73
;;      16c  add rsi, rdi
;; ;; wasm 0x74
;;      16f  mov [r14], rsi
;;      172  pop rbp
;;      173  ret
;; ;; wasm 0x6c
;;      174  mov dword ptr [r12+0x20], 0xB
;;      17d  call qword ptr [r12+0x18]
