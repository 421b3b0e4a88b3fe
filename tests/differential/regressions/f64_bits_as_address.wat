;; Found by the differential fuzzer (seeds 9098, 11389 on jit: SIGSEGV), minimized by hand.
;; An f64 in an SSE register, reinterpreted as i64 and wrapped to i32, must reach a GPR
;; zero-extended (a 32-bit movd): it indexes the memory as it is. With 1.0 (0x3FF0000000000000)
;; the address is 0; the JIT used the whole 64 bits and faulted outside the reservation.
(module
  (memory 1)
  (func (export "load") (result i32)
    (i32.load8_s
      (i32.wrap_i64 (i64.reinterpret_f64 (f64.add (f64.const 0.5) (f64.const 0.5)))))))
