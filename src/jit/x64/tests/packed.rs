//! Packed (v128) SSE2 forms.

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
fn packed_integer_arithmetic() {
    let mut c = Checker::new("paddb/psubw/pcmpeqd/pand/... (66 0F)");
    for op in PackedInt::ALL {
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
        let name = match op {
            SseArith::Sqrt => "sqrt",
            SseArith::Add => "add",
            SseArith::Mul => "mul",
            SseArith::Sub => "sub",
            SseArith::Min => "min",
            SseArith::Div => "div",
            SseArith::Max => "max",
        };
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
