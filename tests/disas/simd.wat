;; SIMD: a v128 is two slots; SSE2 lane arithmetic runs inline on xmm0/xmm1 from and to the
;; operands' slots (movdqu), `v128.load`/`v128.store` are 64-bit moves, and an operator without
;; an inline lowering (`f32x4.min`) calls the SIMD_OP helper on the spilled operands.
(module
  (memory 1)
  (func (export "f") (param v128 v128) (result v128)
    (v128.not (i32x4.add (local.get 0) (f32x4.mul (local.get 1) (local.get 0)))))
  (func (export "mem") (param $p i32)
    (v128.store offset=16 (local.get $p)
      (f32x4.min (v128.load (local.get $p)) (v128.const i32x4 1 2 3 4)))))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 0  @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0x83
;;        e  mov rax, r14
;;       11  add rax, 0x58
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x83
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0x83
;; ;; wasm 0x37
;;       2f  movdqu xmm0, [r14+0x10]
;;       35  movdqu xmm1, [r14]
;;       3a  mulps xmm0, xmm1
;;       3d  movdqu [r14+0x30], xmm0
;; ;; wasm 0x3a
;;       43  movdqu xmm0, [r14]
;;       48  movdqu xmm1, [r14+0x30]
;;       4e  paddd xmm0, xmm1
;;       52  movdqu [r14+0x20], xmm0
;; ;; wasm 0x3d
;;       58  movdqu xmm0, [r14+0x20]
;;       5e  pcmpeqd xmm1, xmm1
;;       62  pxor xmm0, xmm1
;;       66  movdqu [r14+0x20], xmm0
;; ;; wasm 0x3f
;;       6c  mov rax, [r14+0x20]
;;       70  mov [r14], rax
;;       73  mov rax, [r14+0x28]
;;       77  mov [r14+8], rax
;;       7b  add qword ptr [r12+0x68], 1
;;       81  pop rbp
;;       82  ret
;; ;; wasm 0x30
;;       83  mov dword ptr [r12+0x20], 0xB
;;       8c  call qword ptr [r12+0x18]
;; ;; function 1  @ 0xa0
;; ;; wasm 0x30
;;       a0  push rbp
;;       a1  mov rbp, rsp
;;       a4  cmp rsp, [r12]
;;       a8  jb 0x140
;;       ae  mov rax, r14
;;       b1  add rax, 0x38
;;       b8  cmp rax, [r12+8]
;;       bd  ja 0x140
;;       c3  sub qword ptr [r12+0x68], 1
;;       c9  jb 0x140
;;       cf  mov rbx, [r14]
;; ;; wasm 0x46
;;       d2  mov rdi, [r13+rbx+8]
;;       d7  mov rsi, [r13+rbx]
;; ;; wasm 0x5c
;;       dc  mov [r14+8], rbx
;;       e0  mov [r14+0x10], rsi
;;       e4  mov [r14+0x18], rdi
;;       e8  mov rax, 0x200000001
;;       f2  mov [r14+0x20], rax
;;       f6  mov rax, 0x400000003
;;      100  mov [r14+0x28], rax
;;      104  mov [r14], rbx
;;      107  mov edx, 0
;;      10c  mov ecx, 0
;;      111  mov esi, 0x6C01
;;      116  lea rdi, [r14+0x10]
;;      11a  call qword ptr [r12+0x60]
;;      11f  mov rbx, [r14]
;; ;; wasm 0x5f
;;      122  mov eax, [r14+8]
;;      126  mov rdx, [r14+0x18]
;;      12a  mov [r13+rax+0x18], rdx
;;      12f  mov rdx, [r14+0x10]
;;      133  mov [r13+rax+0x10], rdx
;; ;; wasm 0x63
;;      138  add qword ptr [r12+0x68], 1
;;      13e  pop rbp
;;      13f  ret
;; ;; wasm 0x41
;;      140  mov dword ptr [r12+0x20], 0xB
;;      149  call qword ptr [r12+0x18]
