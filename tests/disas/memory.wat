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
;;        8  jb 0x48
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x48
;;       23  mov rbx, [r14]
;;       26  mov r11, [r14+8]
;; ;; wasm 0x39
;;       2a  mov rsi, [r13+r11]
;; ;; wasm 0x3c
;;       2f  mov [r13+rbx+8], rsi
;; ;; wasm 0x44
;;       34  mov byte ptr [r13+rbx], 0xFF
;; ;; wasm 0x4b
;;       3a  movsx esi, word ptr [r13+r11]
;; ;; wasm 0x4e
;;       40  mov [r13+rbx+2], si
;; ;; wasm 0x51
;;       46  pop rbp
;;       47  ret
;; ;; wasm 0x34
;;       48  mov dword ptr [r12+0x20], 0xB
;;       51  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x60
;; ;; wasm 0x34
;;       60  push rbp
;;       61  mov rbp, rsp
;;       64  cmp rsp, [r12]
;;       68  jb 0x9F
;;       6e  mov rax, r14
;;       71  add rax, 0x18
;;       78  cmp rax, [r12+8]
;;       7d  ja 0x9F
;; ;; wasm 0x56
;;       83  mov rax, [r14]
;;       86  mov [r14+8], rax
;;       8a  mov esi, [r14+8]
;;       8e  mov rdi, r15
;;       91  mov rax, [r15+0x30]
;;       95  call qword ptr [rax]
;;       97  mov rsi, rax
;; ;; wasm 0x58
;;       9a  mov [r14], rsi
;;       9d  pop rbp
;;       9e  ret
;; ;; wasm 0x53
;;       9f  mov dword ptr [r12+0x20], 0xB
;;       a8  call qword ptr [r12+0x18]
