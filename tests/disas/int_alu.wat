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
;;        8  jb 0x4E
;;        e  mov rax, r14
;;       11  add rax, 0x30
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x4E
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0x4E
;;       2f  mov rbx, [r14]
;; ;; wasm 0x4a
;;       32  mov esi, ebx
;;       34  imul esi, [r14+8]
;; ;; wasm 0x4d
;;       39  add esi, 7
;; ;; wasm 0x52
;;       3c  mov edi, ebx
;;       3e  shl edi, 3
;; ;; wasm 0x53
;;       41  xor esi, edi
;; ;; wasm 0x54
;;       43  mov [r14], rsi
;;       46  add qword ptr [r12+0x68], 1
;;       4c  pop rbp
;;       4d  ret
;; ;; wasm 0x45
;;       4e  mov dword ptr [r12+0x20], 0xB
;;       57  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x60
;; ;; wasm 0x45
;;       60  push rbp
;;       61  mov rbp, rsp
;;       64  cmp rsp, [r12]
;;       68  jb 0xB0
;;       6e  mov rax, r14
;;       71  add rax, 0x30
;;       78  cmp rax, [r12+8]
;;       7d  ja 0xB0
;;       83  sub qword ptr [r12+0x68], 1
;;       89  jb 0xB0
;;       8f  mov rbx, [r14]
;;       92  mov r11, [r14+8]
;; ;; wasm 0x5b
;;       96  lea rsi, [rbx+r11]
;; ;; wasm 0x60
;;       9a  mov ecx, ebx
;;       9c  mov rdi, r11
;;       9f  shr rdi, cl
;; ;; wasm 0x61
;;       a2  sub rsi, rdi
;; ;; wasm 0x62
;;       a5  mov [r14], rsi
;;       a8  add qword ptr [r12+0x68], 1
;;       ae  pop rbp
;;       af  ret
;; ;; wasm 0x56
;;       b0  mov dword ptr [r12+0x20], 0xB
;;       b9  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xc0
;; ;; wasm 0x56
;;       c0  push rbp
;;       c1  mov rbp, rsp
;;       c4  cmp rsp, [r12]
;;       c8  jb 0x129
;;       ce  mov rax, r14
;;       d1  add rax, 0x28
;;       d8  cmp rax, [r12+8]
;;       dd  ja 0x129
;;       e3  sub qword ptr [r12+0x68], 1
;;       e9  jb 0x129
;; ;; wasm 0x69
;;       ef  mov eax, [r14]
;;       f2  mov ecx, [r14+8]
;;       f6  test ecx, ecx
;;       f8  je 0x137
;;       fe  cmp ecx, 0xFFFFFFFF
;;      101  jne 0x119
;;      107  cmp eax, 0x80000000
;;      10c  je 0x145
;;      112  neg eax
;;      114  jmp 0x11C
;;      119  cdq
;;      11a  idiv ecx
;;      11c  mov esi, eax
;; ;; wasm 0x6a
;;      11e  mov [r14], rsi
;;      121  add qword ptr [r12+0x68], 1
;;      127  pop rbp
;;      128  ret
;; ;; wasm 0x64
;;      129  mov dword ptr [r12+0x20], 0xB
;;      132  call qword ptr [r12+0x18]
;; ;; wasm 0x69
;;      137  mov dword ptr [r12+0x20], 3
;;      140  call qword ptr [r12+0x18]
;;      145  mov dword ptr [r12+0x20], 2
;;      14e  call qword ptr [r12+0x18]
;; ;; function 3  @ 0x160
;; ;; wasm 0x69
;;      160  push rbp
;;      161  mov rbp, rsp
;;      164  cmp rsp, [r12]
;;      168  jb 0x1B6
;;      16e  mov rax, r14
;;      171  add rax, 0x20
;;      178  cmp rax, [r12+8]
;;      17d  ja 0x1B6
;;      183  sub qword ptr [r12+0x68], 1
;;      189  jb 0x1B6
;;      18f  mov rbx, [r14]
;; ;; wasm 0x6f
;;      192  mov rcx, rbx
;;      195  popcnt rax, rcx
;;      19a  mov rsi, rax
;; ;; wasm 0x72
;;      19d  mov rcx, rbx
;;      1a0  lzcnt rax, rcx
;;      1a5  mov rdi, rax
;; ;; wasm 0x73
;;      1a8  add rsi, rdi
;; ;; wasm 0x74
;;      1ab  mov [r14], rsi
;;      1ae  add qword ptr [r12+0x68], 1
;;      1b4  pop rbp
;;      1b5  ret
;; ;; wasm 0x6c
;;      1b6  mov dword ptr [r12+0x20], 0xB
;;      1bf  call qword ptr [r12+0x18]
