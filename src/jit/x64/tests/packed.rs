//! Packed (v128) forms: SSE2, and the SSSE3/SSE4.1 rows of `PackedInt`.

use super::*;

#[test]
fn unaligned_vector_moves() {
    let mut c = Checker::new("movdqu");
    c.mem_form(
        |a, m, i| a.movdqu_rm(xmm(i), m),
        |m, i| format!("movdqu {}, xmmword ptr {m}", xmm(i)),
    );
    c.mem_form(
        |a, m, i| a.movdqu_mr(m, xmm(i)),
        |m, i| format!("movdqu xmmword ptr {m}, {}", xmm(i)),
    );
    c.report();
}

#[test]
fn narrow_vector_moves() {
    let mut c = Checker::new("movq/movd/movhps");
    c.mem_form(
        |a, m, i| a.movq_rm(xmm(i), m),
        |m, i| format!("movq {}, qword ptr {m}", xmm(i)),
    );
    c.mem_form(
        |a, m, i| a.movq_mr(m, xmm(i)),
        |m, i| format!("movq qword ptr {m}, {}", xmm(i)),
    );
    c.mem_form(
        |a, m, i| a.movd_rm(xmm(i), m),
        |m, i| format!("movd {}, dword ptr {m}", xmm(i)),
    );
    c.mem_form(
        |a, m, i| a.movhps_mr(m, xmm(i)),
        |m, i| format!("movhps qword ptr {m}, {}", xmm(i)),
    );
    c.report();
}

#[test]
fn extending_loads() {
    let mut c = Checker::new("pmovsx*/pmovzx* xmm, m64");
    for &op in PackedInt::ALL.iter().filter(|op| op.is_extend()) {
        c.mem_form(
            |a, m, i| a.packed_extend_load(op, xmm(i), m),
            |m, i| format!("{} {}, qword ptr {m}", op.name(), xmm(i)),
        );
    }
    c.report();
}

#[test]
fn shifts_and_shuffles_by_immediate() {
    let mut c = Checker::new("psllw/psrad/... imm8, pshufd");
    for op in PackedShift::ALL {
        let name = op.by_register().name();
        for d in Xmm::ALL {
            for count in [0u8, 1, 15, 31, 63, 127] {
                c.check(
                    |a| a.packed_shift_imm(op, d, count),
                    &format!("{name} {d}, {count}"),
                );
            }
        }
    }
    for d in Xmm::ALL {
        for r in Xmm::ALL {
            for order in [0u8, 0x1B, 0x4E, 0x7F] {
                c.check(
                    |a| a.pshufd(d, r, order),
                    &format!("pshufd {d}, {r}, {order}"),
                );
            }
        }
    }
    c.report();
}

#[test]
fn packed_integer_arithmetic() {
    let mut c =
        Checker::new("paddb/pcmpeqd/packuswb/psllw/pshufb/pmulld/pmovzxbw/... (66 0F, 66 0F 38)");
    for &op in PackedInt::ALL {
        for d in Xmm::ALL {
            for r in Xmm::ALL {
                c.check(
                    |a| a.packed_int_rr(op, d, r),
                    &format!("{} {d}, {r}", op.name()),
                );
            }
        }
    }
    c.report();
}

#[test]
fn packed_float_arithmetic() {
    let mut c = Checker::new("add/sub/mul/div/sqrt/min/max ps/pd");
    for op in SseArith::ALL {
        let name = arith_mnemonic(op);
        for float in Float::ALL {
            let suffix = match float {
                Float::F32 => "ps",
                Float::F64 => "pd",
            };
            for d in Xmm::ALL {
                for r in Xmm::ALL {
                    c.check(
                        |a| a.packed_float_rr(op, float, d, r),
                        &format!("{name}{suffix} {d}, {r}"),
                    );
                }
            }
        }
    }
    c.report();
}
