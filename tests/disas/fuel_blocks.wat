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
;;        8  jb 0x99
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x99
;;       23  mov qword ptr [r14+8], 0
;;       2b  xor ebx, ebx
;;       2d  sub qword ptr [r12+0x70], 4
;;       33  js 0xA7
;; ;; wasm 0x1f
;;       39  mov ebx, [r14]
;;       3c  add ebx, 1
;; ;; wasm 0x22
;;       3f  sub qword ptr [r12+0x70], 5
;;       45  js 0xB5
;; ;; wasm 0x28
;;       4b  sub ebx, 1
;; ;; wasm 0x2b
;;       4e  test ebx, ebx
;;       50  jne short 0x3F
;; ;; wasm 0x2d
;;       52  sub qword ptr [r12+0x70], 1
;;       58  js 0xC3
;; ;; wasm 0x30
;;       5e  mov [r14], rbx
;;       61  pop rbp
;;       62  ret
;; ;; OSR entry for the loop at wasm 0x22
;;       70  push rbp
;;       71  mov rbp, rsp
;;       74  cmp rsp, [r12]
;;       78  jb 0x99
;;       7e  mov rax, r14
;;       81  add rax, 0x28
;;       88  cmp rax, [r12+8]
;;       8d  ja 0x99
;;       93  mov rbx, [r14+8]
;;       97  jmp short 0x3F
;; ;; wasm 0x18
;;       99  mov dword ptr [r12+0x20], 0xB
;;       a2  call qword ptr [r12+0x18]
;; ;; wasm 0x1b
;;       a7  mov dword ptr [r12+0x20], 0xE
;;       b0  call qword ptr [r12+0x18]
;; ;; wasm 0x24
;;       b5  mov dword ptr [r12+0x20], 0xE
;;       be  call qword ptr [r12+0x18]
;; ;; wasm 0x2e
;;       c3  mov dword ptr [r12+0x20], 0xE
;;       cc  call qword ptr [r12+0x18]
