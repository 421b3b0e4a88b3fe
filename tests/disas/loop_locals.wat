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
;;        8  jb 0x80
;;        e  mov rax, r14
;;       11  add rax, 0x38
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x80
;;       23  mov qword ptr [r14+8], 0
;;       2b  mov qword ptr [r14+0x10], 0
;;       33  xor ebx, ebx
;;       35  xor r11d, r11d
;;       38  mov r10, [r14]
;; ;; wasm 0x44
;;       3b  mov esi, ebx
;;       3d  imul esi, ebx
;; ;; wasm 0x45
;;       40  add r11d, esi
;; ;; wasm 0x4c
;;       43  add ebx, 1
;; ;; wasm 0x53
;;       46  cmp ebx, r10d
;;       49  jb short 0x3B
;; ;; wasm 0x59
;;       4b  mov [r14], r11
;;       4e  pop rbp
;;       4f  ret
;; ;; OSR entry for the loop at wasm 0x3c
;;       50  push rbp
;;       51  mov rbp, rsp
;;       54  cmp rsp, [r12]
;;       58  jb 0x80
;;       5e  mov rax, r14
;;       61  add rax, 0x38
;;       68  cmp rax, [r12+8]
;;       6d  ja 0x80
;;       73  mov rbx, [r14+8]
;;       77  mov r11, [r14+0x10]
;;       7b  mov r10, [r14]
;;       7e  jmp short 0x3B
;; ;; wasm 0x39
;;       80  mov dword ptr [r12+0x20], 0xB
;;       89  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x90
;; ;; wasm 0x39
;;       90  push rbp
;;       91  mov rbp, rsp
;;       94  cmp rsp, [r12]
;;       98  jb 0x124
;;       9e  mov rax, r14
;;       a1  add rax, 0x30
;;       a8  cmp rax, [r12+8]
;;       ad  ja 0x124
;;       b3  mov qword ptr [r14+0x10], 0
;;       bb  mov rbx, [r14]
;;       be  xorps xmm15, xmm15
;;       c2  movsd xmm14, [r14+8]
;; ;; wasm 0x67
;;       c8  movsd xmm15, [0x140]
;; ;; wasm 0x6f
;;       d1  test ebx, ebx
;;       d3  je 0xE3
;; ;; wasm 0x76
;;       d9  mulsd xmm15, xmm14
;; ;; wasm 0x7d
;;       de  sub ebx, 1
;; ;; wasm 0x80
;;       e1  jmp short 0xD1
;; ;; wasm 0x86
;;       e3  movsd [r14], xmm15
;;       e8  pop rbp
;;       e9  ret
;; ;; OSR entry for the loop at wasm 0x6b
;;       f0  push rbp
;;       f1  mov rbp, rsp
;;       f4  cmp rsp, [r12]
;;       f8  jb 0x124
;;       fe  mov rax, r14
;;      101  add rax, 0x30
;;      108  cmp rax, [r12+8]
;;      10d  ja 0x124
;;      113  mov rbx, [r14]
;;      116  movsd xmm15, [r14+0x10]
;;      11c  movsd xmm14, [r14+8]
;;      122  jmp short 0xD1
;; ;; wasm 0x5b
;;      124  mov dword ptr [r12+0x20], 0xB
;;      12d  call qword ptr [r12+0x18]
;;      140  .bytes 000000000000f03f0000000000000000
;; ;; function 2  @ 0x150
;; ;; wasm 0x5b
;;      150  push rbp
;;      151  mov rbp, rsp
;;      154  cmp rsp, [r12]
;;      158  jb 0x237
;;      15e  mov rax, r14
;;      161  add rax, 0x40
;;      168  cmp rax, [r12+8]
;;      16d  ja 0x237
;;      173  mov qword ptr [r14+8], 0
;;      17b  mov qword ptr [r14+0x10], 0
;;      183  mov qword ptr [r14+0x18], 0
;;      18b  xor ebx, ebx
;;      18d  xor r11d, r11d
;;      190  xor r10d, r10d
;;      193  mov r9, [r14]
;; ;; wasm 0x8f
;;      196  mov ebx, 0
;; ;; wasm 0x99
;;      19b  mov esi, r10d
;;      19e  xor esi, ebx
;; ;; wasm 0x9a
;;      1a0  add r11d, esi
;; ;; wasm 0xa1
;;      1a3  add ebx, 1
;; ;; wasm 0xa6
;;      1a6  cmp ebx, r9d
;;      1a9  jb short 0x19B
;; ;; wasm 0xae
;;      1ab  add r10d, 1
;; ;; wasm 0xb3
;;      1af  cmp r10d, r9d
;;      1b2  jb short 0x196
;; ;; wasm 0xb9
;;      1b4  mov [r14], r11
;;      1b7  pop rbp
;;      1b8  ret
;; ;; OSR entry for the loop at wasm 0x8b
;;      1c0  push rbp
;;      1c1  mov rbp, rsp
;;      1c4  cmp rsp, [r12]
;;      1c8  jb 0x237
;;      1ce  mov rax, r14
;;      1d1  add rax, 0x40
;;      1d8  cmp rax, [r12+8]
;;      1dd  ja 0x237
;;      1e3  mov rbx, [r14+0x10]
;;      1e7  mov r11, [r14+0x18]
;;      1eb  mov r10, [r14+8]
;;      1ef  mov r9, [r14]
;;      1f2  jmp short 0x196
;; ;; OSR entry for the loop at wasm 0x91
;;      200  push rbp
;;      201  mov rbp, rsp
;;      204  cmp rsp, [r12]
;;      208  jb 0x237
;;      20e  mov rax, r14
;;      211  add rax, 0x40
;;      218  cmp rax, [r12+8]
;;      21d  ja 0x237
;;      223  mov rbx, [r14+0x10]
;;      227  mov r11, [r14+0x18]
;;      22b  mov r10, [r14+8]
;;      22f  mov r9, [r14]
;;      232  jmp 0x19B
;; ;; wasm 0x88
;;      237  mov dword ptr [r12+0x20], 0xB
;;      240  call qword ptr [r12+0x18]
