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
;;        8  jb 0x5B
;;        e  mov rax, r14
;;       11  add rax, 0x28
;;       18  cmp rax, [r12+8]
;;       1d  ja 0x5B
;;       23  mov rbx, [r14]
;; ;; wasm 0x32
;;       26  imul esi, ebx, 2
;; ;; wasm 0x37
;;       29  imul edi, ebx, 3
;; ;; wasm 0x38
;;       2c  add esi, edi
;; ;; wasm 0x3d
;;       2e  imul edi, ebx, 4
;; ;; wasm 0x3e
;;       31  add esi, edi
;; ;; wasm 0x43
;;       33  imul edi, ebx, 5
;; ;; wasm 0x44
;;       36  add esi, edi
;; ;; wasm 0x49
;;       38  imul edi, ebx, 6
;; ;; wasm 0x4a
;;       3b  add esi, edi
;; ;; wasm 0x4f
;;       3d  imul edi, ebx, 7
;; ;; wasm 0x50
;;       40  add esi, edi
;; ;; wasm 0x55
;;       42  imul edi, ebx, 8
;; ;; wasm 0x56
;;       45  add esi, edi
;; ;; wasm 0x5b
;;       47  imul edi, ebx, 9
;; ;; wasm 0x5c
;;       4a  add esi, edi
;; ;; wasm 0x61
;;       4c  imul edi, ebx, 0xA
;; ;; wasm 0x62
;;       4f  add esi, edi
;; ;; wasm 0x67
;;       51  imul edi, ebx, 0xB
;; ;; wasm 0x68
;;       54  add esi, edi
;; ;; wasm 0x69
;;       56  mov [r14], rsi
;;       59  pop rbp
;;       5a  ret
;; ;; wasm 0x2d
;;       5b  mov dword ptr [r12+0x20], 0xB
;;       64  call qword ptr [r12+0x18]
;; ;; function 1  @ 0x70
;; ;; wasm 0x2d
;;       70  push rbp
;;       71  mov rbp, rsp
;;       74  cmp rsp, [r12]
;;       78  jb 0x13A
;;       7e  mov rax, r14
;;       81  add rax, 0x90
;;       88  cmp rax, [r12+8]
;;       8d  ja 0x13A
;;       93  mov rbx, [r14]
;; ;; wasm 0x70
;;       96  imul esi, ebx, 3
;; ;; wasm 0x75
;;       99  imul edi, ebx, 5
;; ;; wasm 0x7a
;;       9c  imul r8d, ebx, 7
;; ;; wasm 0x7f
;;       a0  imul r9d, ebx, 9
;; ;; wasm 0x84
;;       a4  imul r10d, ebx, 0xB
;; ;; wasm 0x89
;;       a8  imul r11d, ebx, 0xD
;; ;; wasm 0x8e
;;       ac  mov [r14+8], rsi
;;       b0  imul esi, ebx, 0xF
;; ;; wasm 0x93
;;       b3  mov [r14+0x10], rdi
;;       b7  imul edi, ebx, 0x11
;; ;; wasm 0x98
;;       ba  mov [r14+0x18], r8
;;       be  imul r8d, ebx, 0x13
;; ;; wasm 0x9d
;;       c2  mov [r14+0x20], r9
;;       c6  imul r9d, ebx, 0x15
;; ;; wasm 0xa2
;;       ca  mov [r14+0x28], r10
;;       ce  imul r10d, ebx, 0x17
;; ;; wasm 0xa7
;;       d2  mov [r14+0x30], r11
;;       d6  imul r11d, ebx, 0x19
;; ;; wasm 0xac
;;       da  mov [r14+0x38], rsi
;;       de  imul esi, ebx, 0x1B
;; ;; wasm 0xb1
;;       e1  mov [r14+0x40], rdi
;;       e5  imul edi, ebx, 0x1D
;; ;; wasm 0xb6
;;       e8  mov [r14+0x48], r8
;;       ec  imul r8d, ebx, 0x1F
;; ;; wasm 0xb7
;;       f0  sub edi, r8d
;; ;; wasm 0xb8
;;       f3  sub esi, edi
;; ;; wasm 0xb9
;;       f5  sub r11d, esi
;; ;; wasm 0xba
;;       f8  sub r10d, r11d
;; ;; wasm 0xbb
;;       fb  sub r9d, r10d
;; ;; wasm 0xbc
;;       fe  mov esi, [r14+0x48]
;;      102  sub esi, r9d
;; ;; wasm 0xbd
;;      105  mov edi, [r14+0x40]
;;      109  sub edi, esi
;; ;; wasm 0xbe
;;      10b  mov esi, [r14+0x38]
;;      10f  sub esi, edi
;; ;; wasm 0xbf
;;      111  mov edi, [r14+0x30]
;;      115  sub edi, esi
;; ;; wasm 0xc0
;;      117  mov esi, [r14+0x28]
;;      11b  sub esi, edi
;; ;; wasm 0xc1
;;      11d  mov edi, [r14+0x20]
;;      121  sub edi, esi
;; ;; wasm 0xc2
;;      123  mov esi, [r14+0x18]
;;      127  sub esi, edi
;; ;; wasm 0xc3
;;      129  mov edi, [r14+0x10]
;;      12d  sub edi, esi
;; ;; wasm 0xc4
;;      12f  mov esi, [r14+8]
;;      133  sub esi, edi
;; ;; wasm 0xc5
;;      135  mov [r14], rsi
;;      138  pop rbp
;;      139  ret
;; ;; wasm 0x6b
;;      13a  mov dword ptr [r12+0x20], 0xB
;;      143  call qword ptr [r12+0x18]
