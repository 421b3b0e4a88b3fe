;; Tail calls: the arguments move to fp[0..], the epilogue runs without `ret` (budget unit
;; back, `pop rbp`), then a jump: `jmp rel32` within the module, through the record for an
;; import (to its code when it is of this instance, else to TAIL_CALL_SLOW at [r12+0x58]),
;; and after call_indirect's checks (which trap in the replaced function) for
;; return_call_indirect.
(module
  (import "env" "host" (func $host (param i32 i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $even)
  (type $t (func (param i32 i32) (result i32)))
  (func $even (export "even") (param $n i32) (param $acc i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $odd (i32.sub (local.get $n) (i32.const 1))
                              (i32.add (local.get $acc) (i32.const 1))))))
  (func $odd (param $n i32) (param $acc i32) (result i32)
    (return_call_indirect (type $t) (local.get $acc) (local.get $n) (i32.const 0)))
  (func (export "viahost") (param i32) (result i32)
    (return_call $host (i32.const 1) (local.get 0))))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 1 even @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0x7D
;;        e  mov rax, r14
;;       11  add rax, 0x30
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x7D
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0x7D
;;       2f  mov rbx, [r14]
;;       32  mov r11, [r14+8]
;; ;; wasm 0x54
;;       36  test ebx, ebx
;;       38  jne 0x46
;; ;; wasm 0x59
;;       3e  mov esi, r11d
;;       41  jmp 0x72
;; ;; wasm 0x5e
;;       46  mov esi, ebx
;;       48  sub esi, 1
;; ;; wasm 0x63
;;       4b  lea edi, [r11+1]
;; ;; wasm 0x64
;;       4f  mov [r14+0x10], rsi
;;       53  mov [r14+0x18], rdi
;;       57  mov rax, [r14+0x10]
;;       5b  mov [r14], rax
;;       5e  mov rax, [r14+0x18]
;;       62  mov [r14+8], rax
;;       66  add qword ptr [r12+0x68], 1
;;       6c  pop rbp
;;       6d  jmp 0x90
;; ;; wasm 0x67
;;       72  mov [r14], rsi
;;       75  add qword ptr [r12+0x68], 1
;;       7b  pop rbp
;;       7c  ret
;; ;; wasm 0x51
;;       7d  mov dword ptr [r12+0x20], 0xB
;;       86  call qword ptr [r12+0x18]
;; ;; function 2 odd @ 0x90
;; ;; wasm 0x51
;;       90  push rbp
;;       91  mov rbp, rsp
;;       94  cmp rsp, [r12]
;;       98  jb 0x149
;;       9e  mov rax, r14
;;       a1  add rax, 0x30
;;       a8  cmp rax, [r12+8]
;;       ad  ja 0x149
;;       b3  sub qword ptr [r12+0x68], 1
;;       b9  jb 0x149
;; ;; wasm 0x70
;;       bf  mov rax, [r14+8]
;;       c3  mov [r14+0x10], rax
;;       c7  mov rax, [r14]
;;       ca  mov [r14+0x18], rax
;;       ce  mov ecx, 0
;;       d3  mov rax, [r15+0x18]
;;       d7  mov rax, [rax]
;;       da  cmp ecx, [rax+8]
;;       dd  jae 0x157
;;       e3  mov rax, [rax]
;;       e6  mov rsi, [rax+rcx*8]
;;       ea  test rsi, rsi
;;       ed  je 0x165
;;       f3  mov rax, [r15+0x28]
;;       f7  mov eax, [rax]
;;       f9  cmp eax, [rsi+0x10]
;;       fc  jne 0x173
;;      102  mov rax, [r14+0x10]
;;      106  mov [r14], rax
;;      109  mov rax, [r14+0x18]
;;      10d  mov [r14+8], rax
;;      111  mov rax, [rsi]
;;      114  test rax, rax
;;      117  je 0x130
;;      11d  cmp r15, [rsi+8]
;;      121  jne 0x130
;;      127  add qword ptr [r12+0x68], 1
;;      12d  pop rbp
;;      12e  jmp rax
;;      130  mov rdi, r15
;;      133  mov rax, [r12+0x58]
;;      138  add qword ptr [r12+0x68], 1
;;      13e  pop rbp
;;      13f  jmp rax
;;      141  add qword ptr [r12+0x68], 1
;;      147  pop rbp
;;      148  ret
;; ;; wasm 0x69
;;      149  mov dword ptr [r12+0x20], 0xB
;;      152  call qword ptr [r12+0x18]
;; ;; wasm 0x70
;;      157  mov dword ptr [r12+0x20], 9
;;      160  call qword ptr [r12+0x18]
;;      165  mov dword ptr [r12+0x20], 8
;;      16e  call qword ptr [r12+0x18]
;;      173  mov dword ptr [r12+0x20], 7
;;      17c  call qword ptr [r12+0x18]
;; ;; function 3  @ 0x190
;; ;; wasm 0x70
;;      190  push rbp
;;      191  mov rbp, rsp
;;      194  cmp rsp, [r12]
;;      198  jb 0x21C
;;      19e  mov rax, r14
;;      1a1  add rax, 0x20
;;      1a8  cmp rax, [r12+8]
;;      1ad  ja 0x21C
;;      1b3  sub qword ptr [r12+0x68], 1
;;      1b9  jb 0x21C
;; ;; wasm 0x7a
;;      1bf  mov qword ptr [r14+8], 1
;;      1c7  mov rax, [r14]
;;      1ca  mov [r14+0x10], rax
;;      1ce  mov rax, [r14+8]
;;      1d2  mov [r14], rax
;;      1d5  mov rax, [r14+0x10]
;;      1d9  mov [r14+8], rax
;;      1dd  mov rsi, [r15+0x10]
;;      1e1  mov rsi, [rsi]
;;      1e4  mov rax, [rsi]
;;      1e7  test rax, rax
;;      1ea  je 0x203
;;      1f0  cmp r15, [rsi+8]
;;      1f4  jne 0x203
;;      1fa  add qword ptr [r12+0x68], 1
;;      200  pop rbp
;;      201  jmp rax
;;      203  mov rdi, r15
;;      206  mov rax, [r12+0x58]
;;      20b  add qword ptr [r12+0x68], 1
;;      211  pop rbp
;;      212  jmp rax
;;      214  add qword ptr [r12+0x68], 1
;;      21a  pop rbp
;;      21b  ret
;; ;; wasm 0x75
;;      21c  mov dword ptr [r12+0x20], 0xB
;;      225  call qword ptr [r12+0x18]
