//! SSE forms.

use super::*;

/// `ss`/`sd` suffix.
fn s(float: Float) -> &'static str {
    match float {
        Float::F32 => "ss",
        Float::F64 => "sd",
    }
}

/// `ps`/`pd` suffix.
fn p(float: Float) -> &'static str {
    match float {
        Float::F32 => "ps",
        Float::F64 => "pd",
    }
}

/// Memory size keyword of a scalar float.
fn fptr(float: Float) -> &'static str {
    match float {
        Float::F32 => "dword ptr",
        Float::F64 => "qword ptr",
    }
}

/// Memory size keyword of a 32/64-bit integer.
fn iptr(width: Width) -> &'static str {
    match width {
        Width::W32 => "dword ptr",
        Width::W64 => "qword ptr",
    }
}

#[test]
fn scalar_moves() {
    let mut c = Checker::new("movss/movsd/movaps/movd/movq");
    for float in Float::ALL {
        let mov = format!("mov{}", s(float));
        for d in Xmm::ALL {
            for r in Xmm::ALL {
                c.check(|a| a.movs_rr(float, d, r), &format!("{mov} {d}, {r}"));
            }
        }
        c.mem_form(
            |a, m, i| a.movs_rm(float, xmm(i), m),
            |m, i| format!("{mov} {}, {} {m}", xmm(i), fptr(float)),
        );
        c.mem_form(
            |a, m, i| a.movs_mr(float, m, xmm(i)),
            |m, i| format!("{mov} {} {m}, {}", fptr(float), xmm(i)),
        );
    }
    for d in Xmm::ALL {
        for r in Xmm::ALL {
            c.check(|a| a.movaps_rr(d, r), &format!("movaps {d}, {r}"));
        }
    }
    for width in Width::ALL {
        let mnemonic = match width {
            Width::W32 => "movd",
            Width::W64 => "movq",
        };
        for x in Xmm::ALL {
            for r in Gpr::ALL {
                c.check(
                    |a| a.movd_xr(width, x, r),
                    &format!("{mnemonic} {x}, {}", wname(r, width)),
                );
                c.check(
                    |a| a.movd_rx(width, r, x),
                    &format!("{mnemonic} {}, {x}", wname(r, width)),
                );
            }
        }
    }
    c.report();
}

#[test]
fn scalar_arithmetic() {
    let mut c = Checker::new("add/sub/mul/div/sqrt/min/max ss/sd");
    for op in SseArith::ALL {
        let name = arith_mnemonic(op);
        for float in Float::ALL {
            let mnemonic = format!("{name}{}", s(float));
            for d in Xmm::ALL {
                for r in Xmm::ALL {
                    c.check(
                        |a| a.sse_rr(op, float, d, r),
                        &format!("{mnemonic} {d}, {r}"),
                    );
                }
            }
            c.mem_form(
                |a, m, i| a.sse_rm(op, float, xmm(i), m),
                |m, i| format!("{mnemonic} {}, {} {m}", xmm(i), fptr(float)),
            );
        }
    }
    c.report();
}

#[test]
fn bitwise_and_zeroing() {
    let mut c = Checker::new("and/andn/or/xor ps/pd, pxor");
    for op in SseLogic::ALL {
        let name = match op {
            SseLogic::And => "and",
            SseLogic::Andn => "andn",
            SseLogic::Or => "or",
            SseLogic::Xor => "xor",
        };
        for float in Float::ALL {
            let mnemonic = format!("{name}{}", p(float));
            for d in Xmm::ALL {
                for r in Xmm::ALL {
                    c.check(
                        |a| a.logic_rr(op, float, d, r),
                        &format!("{mnemonic} {d}, {r}"),
                    );
                }
            }
            c.mem_form(
                |a, m, i| a.logic_rm(op, float, xmm(i), m),
                |m, i| format!("{mnemonic} {}, xmmword ptr {m}", xmm(i)),
            );
        }
    }
    for d in Xmm::ALL {
        c.check(|a| a.zero_xmm(d), &format!("xorps {d}, {d}"));
        for r in Xmm::ALL {
            c.check(|a| a.pxor_rr(d, r), &format!("pxor {d}, {r}"));
        }
    }
    c.report();
}

#[test]
fn compares() {
    let mut c = Checker::new("ucomiss/ucomisd/comiss/comisd");
    for float in Float::ALL {
        for (name, unordered) in [("ucomi", true), ("comi", false)] {
            let mnemonic = format!("{name}{}", s(float));
            let emit_rr = |a: &mut Assembler, x: Xmm, y: Xmm| {
                if unordered {
                    a.ucomis_rr(float, x, y)
                } else {
                    a.comis_rr(float, x, y)
                }
            };
            for x in Xmm::ALL {
                for y in Xmm::ALL {
                    c.check(|a| emit_rr(a, x, y), &format!("{mnemonic} {x}, {y}"));
                }
            }
            c.mem_form(
                |a, m, i| {
                    if unordered {
                        a.ucomis_rm(float, xmm(i), m)
                    } else {
                        a.comis_rm(float, xmm(i), m)
                    }
                },
                |m, i| format!("{mnemonic} {}, {} {m}", xmm(i), fptr(float)),
            );
        }
    }
    c.report();
}

#[test]
fn conversions() {
    let mut c = Checker::new("cvtsi2s*/cvtts*2si/cvtss2sd/cvtsd2ss");
    for float in Float::ALL {
        for width in Width::ALL {
            let to_float = format!("cvtsi2{}", s(float));
            let to_int = format!("cvtt{}2si", s(float));
            for x in Xmm::ALL {
                for r in Gpr::ALL {
                    c.check(
                        |a| a.cvtsi2s_rr(float, width, x, r),
                        &format!("{to_float} {x}, {}", wname(r, width)),
                    );
                    c.check(
                        |a| a.cvtts2si_rr(float, width, r, x),
                        &format!("{to_int} {}, {x}", wname(r, width)),
                    );
                }
            }
            c.mem_form(
                |a, m, i| a.cvtsi2s_rm(float, width, xmm(i), m),
                |m, i| format!("{to_float} {}, {} {m}", xmm(i), iptr(width)),
            );
            c.mem_form(
                |a, m, i| a.cvtts2si_rm(float, width, gpr(i), m),
                |m, i| format!("{to_int} {}, {} {m}", wname(gpr(i), width), fptr(float)),
            );
        }
    }
    for d in Xmm::ALL {
        for r in Xmm::ALL {
            c.check(|a| a.cvtss2sd_rr(d, r), &format!("cvtss2sd {d}, {r}"));
            c.check(|a| a.cvtsd2ss_rr(d, r), &format!("cvtsd2ss {d}, {r}"));
        }
    }
    c.mem_form(
        |a, m, i| a.cvtss2sd_rm(xmm(i), m),
        |m, i| format!("cvtss2sd {}, dword ptr {m}", xmm(i)),
    );
    c.mem_form(
        |a, m, i| a.cvtsd2ss_rm(xmm(i), m),
        |m, i| format!("cvtsd2ss {}, qword ptr {m}", xmm(i)),
    );
    c.report();
}

#[test]
fn rounding() {
    let mut c = Checker::new("roundss/roundsd");
    for float in Float::ALL {
        let mnemonic = format!("round{}", s(float));
        for mode in RoundMode::ALL {
            let imm = mode as u8;
            for d in Xmm::ALL {
                for r in Xmm::ALL {
                    c.check(
                        |a| a.rounds_rr(float, mode, d, r),
                        &format!("{mnemonic} {d}, {r}, {imm}"),
                    );
                }
            }
            c.mem_form(
                |a, m, i| a.rounds_rm(float, mode, xmm(i), m),
                |m, i| format!("{mnemonic} {}, {} {m}, {imm}", xmm(i), fptr(float)),
            );
        }
    }
    c.report();
}
