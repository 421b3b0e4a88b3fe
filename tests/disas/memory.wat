;; Loads and stores address the memory through the guard region: the index register as it
;; is, the static offset in the displacement; constants stored as immediates.
(module
  (memory 1)
  (func (export "copy") (param $dst i32) (param $src i32)
    (i64.store offset=8 (local.get $dst) (i64.load (local.get $src)))
    (i32.store8 (local.get $dst) (i32.const 255))
    (i32.store16 offset=2 (local.get $dst) (i32.load16_s (local.get $src))))
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0))))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 0  @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0x5A
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x5A
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0x5A
;;       2f  mov rbx, [r14]
;;       32  mov r11, [r14+8]
;; ;; wasm 0x39
;;       36  mov rsi, [r13+r11]
;; ;; wasm 0x3c
;;       3b  mov [r13+rbx+8], rsi
;; ;; wasm 0x44
;;       40  mov byte ptr [r13+rbx], 0xFF
;; ;; wasm 0x4b
;;       46  movsx esi, word ptr [r13+r11]
;; ;; wasm 0x4e
;;       4c  mov [r13+rbx+2], si
;; ;; wasm 0x51
;;       52  add qword ptr [r12+0x68], 1
;;       58  pop rbp
;;       59  ret
;; ;; wasm 0x34
;;       5a  mov dword ptr [r12+0x20], 0xB
;;       63  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x70
;; ;; wasm 0x34
;;       70  push rbp
;;       71  mov rbp, rsp
;;       74  cmp rsp, [r12]
;;       78  jb 0xC1
;;       7e  mov rax, r14
;;       81  add rax, 0x18
;;       88  cmp rax, [r12+8]
;;       8d  ja 0xC1
;;       93  sub qword ptr [r12+0x68], 1
;;       99  jb 0xC1
;; ;; wasm 0x56
;;       9f  mov rax, [r14]
;;       a2  mov [r14+8], rax
;;       a6  mov esi, [r14+8]
;;       aa  mov rdi, r15
;;       ad  mov rax, [r15+0x30]
;;       b1  call qword ptr [rax]
;;       b3  mov rsi, rax
;; ;; wasm 0x58
;;       b6  mov [r14], rsi
;;       b9  add qword ptr [r12+0x68], 1
;;       bf  pop rbp
;;       c0  ret
;; ;; wasm 0x53
;;       c1  mov dword ptr [r12+0x20], 0xB
;;       ca  call qword ptr [r12+0x18]
