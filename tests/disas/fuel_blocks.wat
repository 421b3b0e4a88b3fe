;; Fuel charges (ARCHITECTURE.md "Fuel"): `sub qword [r12+FUEL], cost; js` (the ExecContext's copy) at
;; each fuel block start: the entry (4: local.get, i32.const, i32.add, local.set; `loop` is
;; free), the loop body (5, the back-edge's target), none after the `br_if` (only `end`: free),
;; and 1 after the loop (`local.get`). The OSR stub jumps to the loop header, which is the
;; body's charge, so an OSR entry charges the body like the interpreter's `LoopHeader` path.
(module
  (func (param i32) (result i32) (local i32)
    local.get 0
    i32.const 1
    i32.add
    local.set 1
    loop
      local.get 1
      i32.const 1
      i32.sub
      local.tee 1
      br_if 0
    end
    local.get 1))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 0  @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0xB5
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0xB5
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0xB5
;;       2f  mov qword ptr [r14+8], 0
;;       37  xor ebx, ebx
;;       39  sub qword ptr [r12+0x90], 4
;;       42  js 0xC3
;; ;; wasm 0x1f
;;       48  mov ebx, [r14]
;;       4b  add ebx, 1
;; ;; wasm 0x22
;;       4e  sub qword ptr [r12+0x90], 5
;;       57  js 0xD1
;; ;; wasm 0x28
;;       5d  sub ebx, 1
;; ;; wasm 0x2b
;;       60  test ebx, ebx
;;       62  jne short 0x4E
;; ;; wasm 0x2d
;;       64  sub qword ptr [r12+0x90], 1
;;       6d  js 0xDF
;; ;; wasm 0x30
;;       73  mov [r14], rbx
;;       76  add qword ptr [r12+0x68], 1
;;       7c  pop rbp
;;       7d  ret
;; ;; OSR entry for the loop at wasm 0x22
;;       80  push rbp
;;       81  mov rbp, rsp
;;       84  cmp rsp, [r12]
;;       88  jb 0xB5
;;       8e  mov rax, r14
;;       91  add rax, 0x28
;;       98  cmp rax, [r12+8]
;;       9d  ja 0xB5
;;       a3  sub qword ptr [r12+0x68], 1
;;       a9  jb 0xB5
;;       af  mov rbx, [r14+8]
;;       b3  jmp short 0x4E
;; ;; wasm 0x18
;;       b5  mov dword ptr [r12+0x20], 0xB
;;       be  call qword ptr [r12+0x18]
;; ;; wasm 0x1b
;;       c3  mov dword ptr [r12+0x20], 0xF
;;       cc  call qword ptr [r12+0x18]
;; ;; wasm 0x24
;;       d1  mov dword ptr [r12+0x20], 0xF
;;       da  call qword ptr [r12+0x18]
;; ;; wasm 0x2e
;;       df  mov dword ptr [r12+0x20], 0xF
;;       e8  call qword ptr [r12+0x18]
