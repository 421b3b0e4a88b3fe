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
;;        8  jb 0x60
;;        e  mov rax, r14
;;       11  add rax, 0x58
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x60
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0x60
;; ;; wasm 0x37
;;       2f  movdqu xmm2, [r14+0x10]
;;       35  movdqu xmm1, [r14]
;;       3a  mulps xmm2, xmm1
;; ;; wasm 0x3a
;;       3d  movdqu xmm3, [r14]
;;       42  paddd xmm3, xmm2
;; ;; wasm 0x3d
;;       46  pcmpeqd xmm1, xmm1
;;       4a  pxor xmm3, xmm1
;; ;; wasm 0x3f
;;       4e  movq [r14], xmm3
;;       53  movhps [r14+8], xmm3
;;       58  add qword ptr [r12+0x68], 1
;;       5e  pop rbp
;;       5f  ret
;; ;; wasm 0x30
;;       60  mov dword ptr [r12+0x20], 0xB
;;       69  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x70
;; ;; wasm 0x30
;;       70  push rbp
;;       71  mov rbp, rsp
;;       74  cmp rsp, [r12]
;;       78  jb 0x106
;;       7e  mov rax, r14
;;       81  add rax, 0x38
;;       88  cmp rax, [r12+8]
;;       8d  ja 0x106
;;       93  sub qword ptr [r12+0x68], 1
;;       99  jb 0x106
;;       9f  mov rbx, [r14]
;; ;; wasm 0x46
;;       a2  movdqu xmm2, [r13+rbx]
;; ;; wasm 0x5c
;;       a9  mov [r14+8], rbx
;;       ad  movdqu [r14+0x10], xmm2
;;       b3  mov rax, 0x200000001
;;       bd  mov [r14+0x20], rax
;;       c1  mov rax, 0x400000003
;;       cb  mov [r14+0x28], rax
;;       cf  mov [r14], rbx
;;       d2  mov edx, 0
;;       d7  mov ecx, 0
;;       dc  mov esi, 0x6C01
;;       e1  lea rdi, [r14+0x10]
;;       e5  call qword ptr [r12+0x60]
;;       ea  mov rbx, [r14]
;; ;; wasm 0x5f
;;       ed  movdqu xmm0, [r14+0x10]
;;       f3  mov eax, [r14+8]
;;       f7  movdqu [r13+rax+0x10], xmm0
;; ;; wasm 0x63
;;       fe  add qword ptr [r12+0x68], 1
;;      104  pop rbp
;;      105  ret
;; ;; wasm 0x41
;;      106  mov dword ptr [r12+0x20], 0xB
;;      10f  call qword ptr [r12+0x18]
