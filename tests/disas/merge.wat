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
;;        8  jb 0x51
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x51
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0x51
;;       2f  mov rbx, [r14+8]
;; ;; wasm 0x41
;;       33  lea esi, [rbx+1]
;; ;; wasm 0x44
;;       36  mov ecx, [r14]
;;       39  test ecx, ecx
;;       3b  jne 0x46
;; ;; wasm 0x4b
;;       41  mov esi, ebx
;;       43  imul esi, ebx
;; ;; wasm 0x4d
;;       46  mov [r14], rsi
;;       49  add qword ptr [r12+0x68], 1
;;       4f  pop rbp
;;       50  ret
;; ;; wasm 0x3a
;;       51  mov dword ptr [r12+0x20], 0xB
;;       5a  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x60
;; ;; wasm 0x3a
;;       60  push rbp
;;       61  mov rbp, rsp
;;       64  cmp rsp, [r12]
;;       68  jb 0xC0
;;       6e  mov rax, r14
;;       71  add rax, 0x28
;;       78  cmp rax, [r12+8]
;;       7d  ja 0xC0
;;       83  sub qword ptr [r12+0x68], 1
;;       89  jb 0xC0
;;       8f  mov rbx, [r14]
;; ;; wasm 0x54
;;       92  mov qword ptr [r14+8], 1
;;       9a  test ebx, ebx
;;       9c  je 0xAA
;; ;; wasm 0x5a
;;       a2  imul esi, ebx, 3
;; ;; wasm 0x5b
;;       a5  jmp 0xAF
;; ;; wasm 0x5e
;;       aa  mov esi, 5
;; ;; wasm 0x5f
;;       af  mov edi, [r14+8]
;;       b3  add edi, esi
;; ;; wasm 0x60
;;       b5  mov [r14], rdi
;;       b8  add qword ptr [r12+0x68], 1
;;       be  pop rbp
;;       bf  ret
;; ;; wasm 0x4f
;;       c0  mov dword ptr [r12+0x20], 0xB
;;       c9  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xd0
;; ;; wasm 0x4f
;;       d0  push rbp
;;       d1  mov rbp, rsp
;;       d4  cmp rsp, [r12]
;;       d8  jb 0x15A
;;       de  mov rax, r14
;;       e1  add rax, 0x18
;;       e8  cmp rax, [r12+8]
;;       ed  ja 0x15A
;;       f3  sub qword ptr [r12+0x68], 1
;;       f9  jb 0x15A
;; ;; wasm 0x6b
;;       ff  mov ecx, [r14]
;;      102  cmp ecx, 2
;;      105  jae 0x12E
;;      10b  lea rdx, [0x11C]
;;      112  movsxd rax, [rdx+rcx*4]
;;      116  add rax, rdx
;;      119  jmp rax
;;      11c  .bytes 080000000d000000
;;      124  jmp 0x133
;;      129  jmp 0x13F
;;      12e  jmp 0x14B
;; ;; wasm 0x73
;;      133  mov qword ptr [r14], 0xA
;;      13a  jmp 0x152
;; ;; wasm 0x77
;;      13f  mov qword ptr [r14], 0x14
;;      146  jmp 0x152
;; ;; wasm 0x7b
;;      14b  mov qword ptr [r14], 0x1E
;;      152  add qword ptr [r12+0x68], 1
;;      158  pop rbp
;;      159  ret
;; ;; wasm 0x62
;;      15a  mov dword ptr [r12+0x20], 0xB
;;      163  call qword ptr [r12+0x18]
