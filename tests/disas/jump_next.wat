;; No jump to the next instruction (jit/masm `bind`): a `br` to the end of its block, the
;; last stub of a `br_table` branching to the block that ends right after it, and an early
;; `return` as the body's last operator, jump to where the code continues anyway; their
;; `jmp` is removed. The `if` without `else` keeps its `je` (it skips the arm).
(module
  (func (export "br_end") (param i32) (result i32)
    (block $b
      (br_if $b (local.get 0))
      (local.set 0 (i32.const 7))
      (br $b))
    (local.get 0))
  (func (export "table") (param i32) (result i32)
    (block $b (block $a
      (br_table $b $a (local.get 0)))
      (return (i32.const 1)))
    (i32.const 2))
  (func (export "ret") (param i32) (result i32)
    (if (local.get 0) (then (local.set 0 (i32.const 3))))
    (return (local.get 0))))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 0  @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0x4A
;;        e  mov rax, r14
;;       11  add rax, 0x18
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x4A
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0x4A
;;       2f  mov rbx, [r14]
;; ;; wasm 0x39
;;       32  test ebx, ebx
;;       34  jne 0x3F
;; ;; wasm 0x3d
;;       3a  mov ebx, 7
;; ;; wasm 0x44
;;       3f  mov [r14], rbx
;;       42  add qword ptr [r12+0x68], 1
;;       48  pop rbp
;;       49  ret
;; ;; wasm 0x34
;;       4a  mov dword ptr [r12+0x20], 0xB
;;       53  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x60
;; ;; wasm 0x34
;;       60  push rbp
;;       61  mov rbp, rsp
;;       64  cmp rsp, [r12]
;;       68  jb 0xD0
;;       6e  mov rax, r14
;;       71  add rax, 0x18
;;       78  cmp rax, [r12+8]
;;       7d  ja 0xD0
;;       83  sub qword ptr [r12+0x68], 1
;;       89  jb 0xD0
;; ;; wasm 0x4d
;;       8f  mov ecx, [r14]
;;       92  cmp ecx, 1
;;       95  jae 0xB5
;;       9b  lea rdx, [0xAC]
;;       a2  movsxd rax, [rdx+rcx*4]
;;       a6  add rax, rdx
;;       a9  jmp rax
;;       ac  .bytes 04000000
;;       b0  jmp 0xC1
;; ;; wasm 0x54
;;       b5  mov qword ptr [r14], 1
;;       bc  jmp 0xC8
;; ;; wasm 0x58
;;       c1  mov qword ptr [r14], 2
;;       c8  add qword ptr [r12+0x68], 1
;;       ce  pop rbp
;;       cf  ret
;; ;; wasm 0x46
;;       d0  mov dword ptr [r12+0x20], 0xB
;;       d9  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xe0
;; ;; wasm 0x46
;;       e0  push rbp
;;       e1  mov rbp, rsp
;;       e4  cmp rsp, [r12]
;;       e8  jb 0x12A
;;       ee  mov rax, r14
;;       f1  add rax, 0x18
;;       f8  cmp rax, [r12+8]
;;       fd  ja 0x12A
;;      103  sub qword ptr [r12+0x68], 1
;;      109  jb 0x12A
;;      10f  mov rbx, [r14]
;; ;; wasm 0x5d
;;      112  test ebx, ebx
;;      114  je 0x11F
;; ;; wasm 0x61
;;      11a  mov ebx, 3
;; ;; wasm 0x66
;;      11f  mov [r14], rbx
;;      122  add qword ptr [r12+0x68], 1
;;      128  pop rbp
;;      129  ret
;; ;; wasm 0x5a
;;      12a  mov dword ptr [r12+0x20], 0xB
;;      133  call qword ptr [r12+0x18]
