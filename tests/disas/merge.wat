;; Merges: block and if results meet in their canonical slots; br_if with a value, br_table.
(module
  (func (export "pick") (param i32 i32) (result i32)
    (block $out (result i32)
      (drop (br_if $out (i32.add (local.get 1) (i32.const 1)) (local.get 0)))
      (i32.mul (local.get 1) (local.get 1))))
  (func (export "arms") (param i32) (result i32)
    (i32.add (i32.const 1)
      (if (result i32) (local.get 0)
        (then (i32.mul (local.get 0) (i32.const 3)))
        (else (i32.const 5)))))
  (func (export "switch") (param i32) (result i32)
    (block $c (block $b (block $a
      (br_table $a $b $c (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 20)))
    (i32.const 30)))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 0  @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0x50
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x50
;;       23  mov rbx, [r14+8]
;; ;; wasm 0x41
;;       27  lea esi, [rbx+1]
;; ;; wasm 0x44
;;       2a  mov ecx, [r14]
;;       2d  test ecx, ecx
;;       2f  je 0x3E
;;       35  mov [r14+0x10], rsi
;;       39  jmp 0x47
;; ;; wasm 0x4b
;;       3e  mov esi, ebx
;;       40  imul esi, ebx
;; ;; wasm 0x4c
;;       43  mov [r14+0x10], rsi
;; ;; wasm 0x4d
;;       47  mov rax, [r14+0x10]
;;       4b  mov [r14], rax
;;       4e  pop rbp
;;       4f  ret
;; ;; wasm 0x3a
;;       50  mov dword ptr [r12+0x20], 0xB
;;       59  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x60
;; ;; wasm 0x3a
;;       60  push rbp
;;       61  mov rbp, rsp
;;       64  cmp rsp, [r12]
;;       68  jb 0xB7
;;       6e  mov rax, r14
;;       71  add rax, 0x28
;;       78  cmp rax, [r12+8]
;;       7d  ja 0xB7
;;       83  mov rbx, [r14]
;; ;; wasm 0x54
;;       86  mov qword ptr [r14+8], 1
;;       8e  test ebx, ebx
;;       90  je 0xA2
;; ;; wasm 0x5a
;;       96  imul esi, ebx, 3
;; ;; wasm 0x5b
;;       99  mov [r14+0x10], rsi
;;       9d  jmp 0xAA
;; ;; wasm 0x5e
;;       a2  mov qword ptr [r14+0x10], 5
;; ;; wasm 0x5f
;;       aa  mov esi, [r14+8]
;;       ae  add esi, [r14+0x10]
;; ;; wasm 0x60
;;       b2  mov [r14], rsi
;;       b5  pop rbp
;;       b6  ret
;; ;; wasm 0x4f
;;       b7  mov dword ptr [r12+0x20], 0xB
;;       c0  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xd0
;; ;; wasm 0x4f
;;       d0  push rbp
;;       d1  mov rbp, rsp
;;       d4  cmp rsp, [r12]
;;       d8  jb 0x148
;;       de  mov rax, r14
;;       e1  add rax, 0x18
;;       e8  cmp rax, [r12+8]
;;       ed  ja 0x148
;; ;; wasm 0x6b
;;       f3  mov ecx, [r14]
;;       f6  cmp ecx, 2
;;       f9  jae 0x122
;;       ff  lea rdx, [0x110]
;;      106  movsxd rax, [rdx+rcx*4]
;;      10a  add rax, rdx
;;      10d  jmp rax
;;      110  .bytes 080000000d000000
;;      118  jmp 0x127
;;      11d  jmp 0x133
;;      122  jmp 0x13F
;; ;; wasm 0x73
;;      127  mov qword ptr [r14], 0xA
;;      12e  jmp 0x146
;; ;; wasm 0x77
;;      133  mov qword ptr [r14], 0x14
;;      13a  jmp 0x146
;; ;; wasm 0x7b
;;      13f  mov qword ptr [r14], 0x1E
;;      146  pop rbp
;;      147  ret
;; ;; wasm 0x62
;;      148  mov dword ptr [r12+0x20], 0xB
;;      151  call qword ptr [r12+0x18]
