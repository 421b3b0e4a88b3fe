;; More live operands than pool registers: the deepest register entries are spilled to
;; their canonical slots.
(module
  (func (export "deep") (param i32) (result i32)
    (i32.add (i32.add (i32.add (i32.add (i32.add (i32.add (i32.add (i32.add (i32.add
      (i32.mul (local.get 0) (i32.const 2))
      (i32.mul (local.get 0) (i32.const 3)))
      (i32.mul (local.get 0) (i32.const 4)))
      (i32.mul (local.get 0) (i32.const 5)))
      (i32.mul (local.get 0) (i32.const 6)))
      (i32.mul (local.get 0) (i32.const 7)))
      (i32.mul (local.get 0) (i32.const 8)))
      (i32.mul (local.get 0) (i32.const 9)))
      (i32.mul (local.get 0) (i32.const 10)))
      (i32.mul (local.get 0) (i32.const 11))))

  ;; Fifteen live products: more than the six pool registers (one local is in rbx).
  (func (export "nested") (param i32) (result i32)
    (i32.sub (i32.mul (local.get 0) (i32.const 3))
      (i32.sub (i32.mul (local.get 0) (i32.const 5))
      (i32.sub (i32.mul (local.get 0) (i32.const 7))
      (i32.sub (i32.mul (local.get 0) (i32.const 9))
      (i32.sub (i32.mul (local.get 0) (i32.const 11))
      (i32.sub (i32.mul (local.get 0) (i32.const 13))
      (i32.sub (i32.mul (local.get 0) (i32.const 15))
      (i32.sub (i32.mul (local.get 0) (i32.const 17))
      (i32.sub (i32.mul (local.get 0) (i32.const 19))
      (i32.sub (i32.mul (local.get 0) (i32.const 21))
      (i32.sub (i32.mul (local.get 0) (i32.const 23))
      (i32.sub (i32.mul (local.get 0) (i32.const 25))
      (i32.sub (i32.mul (local.get 0) (i32.const 27))
      (i32.sub (i32.mul (local.get 0) (i32.const 29))
      (i32.mul (local.get 0) (i32.const 31))))))))))))))))))

;; ---- expected disassembly (WRUN_BLESS=1 rewrites) ----
;; ;; function 0  @ 0x0
;;        0  push rbp
;;        1  mov rbp, rsp
;;        4  cmp rsp, [r12]
;;        8  jb 0x6D
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x6D
;;       23  sub qword ptr [r12+0x68], 1
;;       29  jb 0x6D
;;       2f  mov rbx, [r14]
;; ;; wasm 0x32
;;       32  imul esi, ebx, 2
;; ;; wasm 0x37
;;       35  imul edi, ebx, 3
;; ;; wasm 0x38
;;       38  add esi, edi
;; ;; wasm 0x3d
;;       3a  imul edi, ebx, 4
;; ;; wasm 0x3e
;;       3d  add esi, edi
;; ;; wasm 0x43
;;       3f  imul edi, ebx, 5
;; ;; wasm 0x44
;;       42  add esi, edi
;; ;; wasm 0x49
;;       44  imul edi, ebx, 6
;; ;; wasm 0x4a
;;       47  add esi, edi
;; ;; wasm 0x4f
;;       49  imul edi, ebx, 7
;; ;; wasm 0x50
;;       4c  add esi, edi
;; ;; wasm 0x55
;;       4e  imul edi, ebx, 8
;; ;; wasm 0x56
;;       51  add esi, edi
;; ;; wasm 0x5b
;;       53  imul edi, ebx, 9
;; ;; wasm 0x5c
;;       56  add esi, edi
;; ;; wasm 0x61
;;       58  imul edi, ebx, 0xA
;; ;; wasm 0x62
;;       5b  add esi, edi
;; ;; wasm 0x67
;;       5d  imul edi, ebx, 0xB
;; ;; wasm 0x68
;;       60  add esi, edi
;; ;; wasm 0x69
;;       62  mov [r14], rsi
;;       65  add qword ptr [r12+0x68], 1
;;       6b  pop rbp
;;       6c  ret
;; ;; wasm 0x2d
;;       6d  mov dword ptr [r12+0x20], 0xB
;;       76  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x80
;; ;; wasm 0x2d
;;       80  push rbp
;;       81  mov rbp, rsp
;;       84  cmp rsp, [r12]
;;       88  jb 0x15C
;;       8e  mov rax, r14
;;       91  add rax, 0x90
;;       98  cmp rax, [r12+8]
;;       9d  ja 0x15C
;;       a3  sub qword ptr [r12+0x68], 1
;;       a9  jb 0x15C
;;       af  mov rbx, [r14]
;; ;; wasm 0x70
;;       b2  imul esi, ebx, 3
;; ;; wasm 0x75
;;       b5  imul edi, ebx, 5
;; ;; wasm 0x7a
;;       b8  imul r8d, ebx, 7
;; ;; wasm 0x7f
;;       bc  imul r9d, ebx, 9
;; ;; wasm 0x84
;;       c0  imul r10d, ebx, 0xB
;; ;; wasm 0x89
;;       c4  imul r11d, ebx, 0xD
;; ;; wasm 0x8e
;;       c8  mov [r14+8], rsi
;;       cc  imul esi, ebx, 0xF
;; ;; wasm 0x93
;;       cf  mov [r14+0x10], rdi
;;       d3  imul edi, ebx, 0x11
;; ;; wasm 0x98
;;       d6  mov [r14+0x18], r8
;;       da  imul r8d, ebx, 0x13
;; ;; wasm 0x9d
;;       de  mov [r14+0x20], r9
;;       e2  imul r9d, ebx, 0x15
;; ;; wasm 0xa2
;;       e6  mov [r14+0x28], r10
;;       ea  imul r10d, ebx, 0x17
;; ;; wasm 0xa7
;;       ee  mov [r14+0x30], r11
;;       f2  imul r11d, ebx, 0x19
;; ;; wasm 0xac
;;       f6  mov [r14+0x38], rsi
;;       fa  imul esi, ebx, 0x1B
;; ;; wasm 0xb1
;;       fd  mov [r14+0x40], rdi
;;      101  imul edi, ebx, 0x1D
;; ;; wasm 0xb6
;;      104  mov [r14+0x48], r8
;;      108  imul r8d, ebx, 0x1F
;; ;; wasm 0xb7
;;      10c  sub edi, r8d
;; ;; wasm 0xb8
;;      10f  sub esi, edi
;; ;; wasm 0xb9
;;      111  sub r11d, esi
;; ;; wasm 0xba
;;      114  sub r10d, r11d
;; ;; wasm 0xbb
;;      117  sub r9d, r10d
;; ;; wasm 0xbc
;;      11a  mov esi, [r14+0x48]
;;      11e  sub esi, r9d
;; ;; wasm 0xbd
;;      121  mov edi, [r14+0x40]
;;      125  sub edi, esi
;; ;; wasm 0xbe
;;      127  mov esi, [r14+0x38]
;;      12b  sub esi, edi
;; ;; wasm 0xbf
;;      12d  mov edi, [r14+0x30]
;;      131  sub edi, esi
;; ;; wasm 0xc0
;;      133  mov esi, [r14+0x28]
;;      137  sub esi, edi
;; ;; wasm 0xc1
;;      139  mov edi, [r14+0x20]
;;      13d  sub edi, esi
;; ;; wasm 0xc2
;;      13f  mov esi, [r14+0x18]
;;      143  sub esi, edi
;; ;; wasm 0xc3
;;      145  mov edi, [r14+0x10]
;;      149  sub edi, esi
;; ;; wasm 0xc4
;;      14b  mov esi, [r14+8]
;;      14f  sub esi, edi
;; ;; wasm 0xc5
;;      151  mov [r14], rsi
;;      154  add qword ptr [r12+0x68], 1
;;      15a  pop rbp
;;      15b  ret
;; ;; wasm 0x6b
;;      15c  mov dword ptr [r12+0x20], 0xB
;;      165  call qword ptr [r12+0x18]
