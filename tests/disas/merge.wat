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
;;        8  jb 0x62
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x62
;;       23  sub qword ptr [r12+0x58], 1
;;       29  jb 0x62
;;       2f  mov rbx, [r14+8]
;; ;; wasm 0x41
;;       33  lea esi, [rbx+1]
;; ;; wasm 0x44
;;       36  mov ecx, [r14]
;;       39  test ecx, ecx
;;       3b  je 0x4A
;;       41  mov [r14+0x10], rsi
;;       45  jmp 0x53
;; ;; wasm 0x4b
;;       4a  mov esi, ebx
;;       4c  imul esi, ebx
;; ;; wasm 0x4c
;;       4f  mov [r14+0x10], rsi
;; ;; wasm 0x4d
;;       53  mov rax, [r14+0x10]
;;       57  mov [r14], rax
;;       5a  add qword ptr [r12+0x58], 1
;;       60  pop rbp
;;       61  ret
;; ;; wasm 0x3a
;;       62  mov dword ptr [r12+0x20], 0xB
;;       6b  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x70
;; ;; wasm 0x3a
;;       70  push rbp
;;       71  mov rbp, rsp
;;       74  cmp rsp, [r12]
;;       78  jb 0xD9
;;       7e  mov rax, r14
;;       81  add rax, 0x28
;;       88  cmp rax, [r12+8]
;;       8d  ja 0xD9
;;       93  sub qword ptr [r12+0x58], 1
;;       99  jb 0xD9
;;       9f  mov rbx, [r14]
;; ;; wasm 0x54
;;       a2  mov qword ptr [r14+8], 1
;;       aa  test ebx, ebx
;;       ac  je 0xBE
;; ;; wasm 0x5a
;;       b2  imul esi, ebx, 3
;; ;; wasm 0x5b
;;       b5  mov [r14+0x10], rsi
;;       b9  jmp 0xC6
;; ;; wasm 0x5e
;;       be  mov qword ptr [r14+0x10], 5
;; ;; wasm 0x5f
;;       c6  mov esi, [r14+8]
;;       ca  add esi, [r14+0x10]
;; ;; wasm 0x60
;;       ce  mov [r14], rsi
;;       d1  add qword ptr [r12+0x58], 1
;;       d7  pop rbp
;;       d8  ret
;; ;; wasm 0x4f
;;       d9  mov dword ptr [r12+0x20], 0xB
;;       e2  call qword ptr [r12+0x18]
;; ;; function 2  @ 0xf0
;; ;; wasm 0x4f
;;       f0  push rbp
;;       f1  mov rbp, rsp
;;       f4  cmp rsp, [r12]
;;       f8  jb 0x17A
;;       fe  mov rax, r14
;;      101  add rax, 0x18
;;      108  cmp rax, [r12+8]
;;      10d  ja 0x17A
;;      113  sub qword ptr [r12+0x58], 1
;;      119  jb 0x17A
;; ;; wasm 0x6b
;;      11f  mov ecx, [r14]
;;      122  cmp ecx, 2
;;      125  jae 0x14E
;;      12b  lea rdx, [0x13C]
;;      132  movsxd rax, [rdx+rcx*4]
;;      136  add rax, rdx
;;      139  jmp rax
;;      13c  .bytes 080000000d000000
;;      144  jmp 0x153
;;      149  jmp 0x15F
;;      14e  jmp 0x16B
;; ;; wasm 0x73
;;      153  mov qword ptr [r14], 0xA
;;      15a  jmp 0x172
;; ;; wasm 0x77
;;      15f  mov qword ptr [r14], 0x14
;;      166  jmp 0x172
;; ;; wasm 0x7b
;;      16b  mov qword ptr [r14], 0x1E
;;      172  add qword ptr [r12+0x58], 1
;;      178  pop rbp
;;      179  ret
;; ;; wasm 0x62
;;      17a  mov dword ptr [r12+0x20], 0xB
;;      183  call qword ptr [r12+0x18]
