;; Loops with locals in home registers across the back-edge, the OSR entry stub that loads
;; them from their slots, float locals in SSE homes.
(module
  (func (export "sumsq") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $top
      (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $top (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  (func (export "geo") (param $n i32) (param $x f64) (result f64)
    (local $acc f64)
    (local.set $acc (f64.const 1))
    (block $done
      (loop $top
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (f64.mul (local.get $acc) (local.get $x)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $top)))
    (local.get $acc))
  (func (export "nest") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $s i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $s (i32.add (local.get $s) (i32.xor (local.get $i) (local.get $j))))
        (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
                                (local.get $n))))
      (br_if $outer (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                              (local.get $n))))
    (local.get $s)))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 0  @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0xAC
;;        e  mov rax, r14
;;       11  add rax, 0x38
;;       18  cmp rax, [r12+8]
;;       1d  ja 0xAC
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0xAC
;;       2f  mov qword ptr [r14+8], 0
;;       37  mov qword ptr [r14+0x10], 0
;;       3f  xor ebx, ebx
;;       41  xor r11d, r11d
;;       44  mov r10, [r14]
;; ;; wasm 0x44
;;       47  mov esi, ebx
;;       49  imul esi, ebx
;; ;; wasm 0x45
;;       4c  add r11d, esi
;; ;; wasm 0x4c
;;       4f  add ebx, 1
;; ;; wasm 0x53
;;       52  cmp ebx, r10d
;;       55  jb short 0x47
;; ;; wasm 0x59
;;       57  mov [r14], r11
;;       5a  add qword ptr [r12+0x68], 1
;;       60  pop rbp
;;       61  ret
;; ;; OSR entry for the loop at wasm 0x3c
;;       70  push rbp
;;       71  mov rbp, rsp
;;       74  cmp rsp, [r12]
;;       78  jb 0xAC
;;       7e  mov rax, r14
;;       81  add rax, 0x38
;;       88  cmp rax, [r12+8]
;;       8d  ja 0xAC
;;       93  sub qword ptr [r12+0x68], 1
;;       99  jb 0xAC
;;       9f  mov rbx, [r14+8]
;;       a3  mov r11, [r14+0x10]
;;       a7  mov r10, [r14]
;;       aa  jmp short 0x47
;; ;; wasm 0x39
;;       ac  mov dword ptr [r12+0x20], 0xB
;;       b5  call qword ptr [r12+0x18]
;; ;; function 1  @ 0xc0
;; ;; wasm 0x39
;;       c0  push rbp
;;       c1  mov rbp, rsp
;;       c4  cmp rsp, [r12]
;;       c8  jb 0x170
;;       ce  mov rax, r14
;;       d1  add rax, 0x30
;;       d8  cmp rax, [r12+8]
;;       dd  ja 0x170
;;       e3  sub qword ptr [r12+0x68], 1
;;       e9  jb 0x170
;;       ef  mov qword ptr [r14+0x10], 0
;;       f7  mov rbx, [r14]
;;       fa  xorps xmm15, xmm15
;;       fe  movsd xmm14, [r14+8]
;; ;; wasm 0x67
;;      104  movsd xmm15, [0x180]
;; ;; wasm 0x6f
;;      10d  test ebx, ebx
;;      10f  je 0x11F
;; ;; wasm 0x76
;;      115  mulsd xmm15, xmm14
;; ;; wasm 0x7d
;;      11a  sub ebx, 1
;; ;; wasm 0x80
;;      11d  jmp short 0x10D
;; ;; wasm 0x86
;;      11f  movsd [r14], xmm15
;;      124  add qword ptr [r12+0x68], 1
;;      12a  pop rbp
;;      12b  ret
;; ;; OSR entry for the loop at wasm 0x6b
;;      130  push rbp
;;      131  mov rbp, rsp
;;      134  cmp rsp, [r12]
;;      138  jb 0x170
;;      13e  mov rax, r14
;;      141  add rax, 0x30
;;      148  cmp rax, [r12+8]
;;      14d  ja 0x170
;;      153  sub qword ptr [r12+0x68], 1
;;      159  jb 0x170
;;      15f  mov rbx, [r14]
;;      162  movsd xmm15, [r14+0x10]
;;      168  movsd xmm14, [r14+8]
;;      16e  jmp short 0x10D
;; ;; wasm 0x5b
;;      170  mov dword ptr [r12+0x20], 0xB
;;      179  call qword ptr [r12+0x18]
;;      180  .bytes 000000000000f03f0000000000000000
;; ;; function 2  @ 0x190
;; ;; wasm 0x5b
;;      190  push rbp
;;      191  mov rbp, rsp
;;      194  cmp rsp, [r12]
;;      198  jb 0x293
;;      19e  mov rax, r14
;;      1a1  add rax, 0x40
;;      1a8  cmp rax, [r12+8]
;;      1ad  ja 0x293
;;      1b3  sub qword ptr [r12+0x68], 1
;;      1b9  jb 0x293
;;      1bf  mov qword ptr [r14+8], 0
;;      1c7  mov qword ptr [r14+0x10], 0
;;      1cf  mov qword ptr [r14+0x18], 0
;;      1d7  xor ebx, ebx
;;      1d9  xor r11d, r11d
;;      1dc  xor r10d, r10d
;;      1df  mov r9, [r14]
;; ;; wasm 0x8f
;;      1e2  mov ebx, 0
;; ;; wasm 0x99
;;      1e7  mov esi, r10d
;;      1ea  xor esi, ebx
;; ;; wasm 0x9a
;;      1ec  add r11d, esi
;; ;; wasm 0xa1
;;      1ef  add ebx, 1
;; ;; wasm 0xa6
;;      1f2  cmp ebx, r9d
;;      1f5  jb short 0x1E7
;; ;; wasm 0xae
;;      1f7  add r10d, 1
;; ;; wasm 0xb3
;;      1fb  cmp r10d, r9d
;;      1fe  jb short 0x1E2
;; ;; wasm 0xb9
;;      200  mov [r14], r11
;;      203  add qword ptr [r12+0x68], 1
;;      209  pop rbp
;;      20a  ret
;; ;; OSR entry for the loop at wasm 0x8b
;;      210  push rbp
;;      211  mov rbp, rsp
;;      214  cmp rsp, [r12]
;;      218  jb 0x293
;;      21e  mov rax, r14
;;      221  add rax, 0x40
;;      228  cmp rax, [r12+8]
;;      22d  ja 0x293
;;      233  sub qword ptr [r12+0x68], 1
;;      239  jb 0x293
;;      23f  mov rbx, [r14+0x10]
;;      243  mov r11, [r14+0x18]
;;      247  mov r10, [r14+8]
;;      24b  mov r9, [r14]
;;      24e  jmp short 0x1E2
;; ;; OSR entry for the loop at wasm 0x91
;;      250  push rbp
;;      251  mov rbp, rsp
;;      254  cmp rsp, [r12]
;;      258  jb 0x293
;;      25e  mov rax, r14
;;      261  add rax, 0x40
;;      268  cmp rax, [r12+8]
;;      26d  ja 0x293
;;      273  sub qword ptr [r12+0x68], 1
;;      279  jb 0x293
;;      27f  mov rbx, [r14+0x10]
;;      283  mov r11, [r14+0x18]
;;      287  mov r10, [r14+8]
;;      28b  mov r9, [r14]
;;      28e  jmp 0x1E7
;; ;; wasm 0x88
;;      293  mov dword ptr [r12+0x20], 0xB
;;      29c  call qword ptr [r12+0x18]
