//! General-purpose instruction forms.

use super::*;

/// Immediates for the ALU forms: the imm8 edges and the imm32 values past them.
const IMMS: [i32; 9] = [0, 1, -1, 127, -128, 128, -129, i32::MAX, i32::MIN];

fn alu_name(op: Alu) -> &'static str {
    match op {
        Alu::Add => "add",
        Alu::Or => "or",
        Alu::Adc => "adc",
        Alu::Sbb => "sbb",
        Alu::And => "and",
        Alu::Sub => "sub",
        Alu::Xor => "xor",
        Alu::Cmp => "cmp",
    }
}

pub(super) fn cond_name(cond: Cond) -> &'static str {
    match cond {
        Cond::O => "o",
        Cond::No => "no",
        Cond::B => "b",
        Cond::Ae => "ae",
        Cond::E => "e",
        Cond::Ne => "ne",
        Cond::Be => "be",
        Cond::A => "a",
        Cond::S => "s",
        Cond::Ns => "ns",
        Cond::P => "p",
        Cond::Np => "np",
        Cond::L => "l",
        Cond::Ge => "ge",
        Cond::Le => "le",
        Cond::G => "g",
    }
}

/// Emitted length of the last check: reassembles `emit` alone.
fn len_of(emit: impl FnOnce(&mut Assembler)) -> usize {
    let mut asm = Assembler::new();
    emit(&mut asm);
    asm.offset()
}

/// Length of a REX prefix if any operand register is r8-r15 or `w` is set.
fn rex_len(w: bool, regs: &[Gpr]) -> usize {
    usize::from(w || regs.iter().any(|r| r.enc() >= 8))
}

#[test]
fn mov_register_to_register() {
    let mut c = Checker::new("mov r, r");
    for size in Size::ALL {
        for d in Gpr::ALL {
            for s in Gpr::ALL {
                c.check(
                    |a| a.mov_rr(size, d, s),
                    &format!("mov {}, {}", d.name(size), s.name(size)),
                );
            }
        }
    }
    c.report();
}

#[test]
fn mov_immediate_picks_the_shortest_form() {
    let mut c = Checker::new("mov r, imm");
    let imms: [i64; 12] = [
        0,
        1,
        -1,
        0x7FFF_FFFF,
        0x8000_0000,
        0xFFFF_FFFF,
        -0x8000_0000,
        -0x8000_0001,
        0x1_0000_0000,
        0x1234_5678_9ABC_DEF0,
        i64::MIN,
        i64::MAX,
    ];
    for d in Gpr::ALL {
        for imm in imms {
            c.check(
                |a| a.mov_ri(Width::W32, d, imm),
                &format!("mov {}, {}", d.name(Size::S32), imm as i32),
            );
            assert_eq!(
                len_of(|a| a.mov_ri(Width::W32, d, imm)),
                5 + rex_len(false, &[d])
            );

            let (text, len) = if u32::try_from(imm).is_ok() {
                (
                    format!("mov {}, {}", d.name(Size::S32), imm as i32),
                    5 + rex_len(false, &[d]),
                )
            } else if i32::try_from(imm).is_ok() {
                (format!("mov {d}, {imm}"), 7)
            } else {
                (format!("mov {d}, {imm}"), 10)
            };
            c.check(|a| a.mov_ri(Width::W64, d, imm), &text);
            assert_eq!(len_of(|a| a.mov_ri(Width::W64, d, imm)), len, "{text}");
            c.asserts += 2;
        }
        let name = d.name(Size::S32);
        c.check(|a| a.zero(d), &format!("xor {name}, {name}"));
    }
    c.report();
}

#[test]
fn mov_load_store() {
    let mut c = Checker::new("mov load/store");
    for size in Size::ALL {
        c.mem_form(
            |a, m, i| a.mov_rm(size, gpr(i), m),
            |m, i| format!("mov {}, {} {m}", gpr(i).name(size), ptr(size)),
        );
        c.mem_form(
            |a, m, i| a.mov_mr(size, m, gpr(i)),
            |m, i| format!("mov {} {m}, {}", ptr(size), gpr(i).name(size)),
        );
        c.mem_form(
            |a, m, i| a.mov_mi(size, m, IMMS[i % IMMS.len()]),
            |m, i| {
                let imm = IMMS[i % IMMS.len()];
                let shown = match size {
                    Size::S8 => i64::from(imm as i8),
                    Size::S16 => i64::from(imm as i16),
                    Size::S32 | Size::S64 => i64::from(imm),
                };
                format!("mov {} {m}, {shown}", ptr(size))
            },
        );
    }
    c.report();
}

#[test]
fn zero_and_sign_extension() {
    let mut c = Checker::new("movzx/movsx/movsxd");
    for from in ExtFrom::ALL {
        for width in Width::ALL {
            for (mnemonic, zero) in [("movzx", true), ("movsx", false)] {
                for d in Gpr::ALL {
                    for s in Gpr::ALL {
                        c.check(
                            |a| {
                                if zero {
                                    a.movzx_rr(from, width, d, s)
                                } else {
                                    a.movsx_rr(from, width, d, s)
                                }
                            },
                            &format!("{mnemonic} {}, {}", wname(d, width), s.name(from.size())),
                        );
                    }
                }
                c.mem_form(
                    |a, m, i| {
                        if zero {
                            a.movzx_rm(from, width, gpr(i), m)
                        } else {
                            a.movsx_rm(from, width, gpr(i), m)
                        }
                    },
                    |m, i| {
                        format!(
                            "{mnemonic} {}, {} {m}",
                            wname(gpr(i), width),
                            ptr(from.size())
                        )
                    },
                );
            }
        }
    }
    for d in Gpr::ALL {
        for s in Gpr::ALL {
            c.check(
                |a| a.movsxd_rr(d, s),
                &format!("movsxd {d}, {}", s.name(Size::S32)),
            );
        }
    }
    c.mem_form(
        |a, m, i| a.movsxd_rm(gpr(i), m),
        |m, i| format!("movsxd {}, dword ptr {m}", gpr(i)),
    );
    c.report();
}

#[test]
fn lea() {
    let mut c = Checker::new("lea");
    for width in Width::ALL {
        c.mem_form(
            |a, m, i| a.lea(width, gpr(i), m),
            |m, i| format!("lea {}, {m}", wname(gpr(i), width)),
        );
    }
    c.report();
}

#[test]
fn alu_all_forms() {
    let mut c = Checker::new("add/or/adc/sbb/and/sub/xor/cmp");
    for op in Alu::ALL {
        let name = alu_name(op);
        for width in Width::ALL {
            let w = width == Width::W64;
            for d in Gpr::ALL {
                for s in Gpr::ALL {
                    c.check(
                        |a| a.alu_rr(op, width, d, s),
                        &format!("{name} {}, {}", wname(d, width), wname(s, width)),
                    );
                }
                for imm in IMMS {
                    let text = format!("{name} {}, {imm}", wname(d, width));
                    c.check(|a| a.alu_ri(op, width, d, imm), &text);
                    // imm8 form, else the short rax form, else 81 /n imm32.
                    let len = if i8::try_from(imm).is_ok() {
                        3 + rex_len(w, &[d])
                    } else if d == Gpr::Rax {
                        5 + rex_len(w, &[d])
                    } else {
                        6 + rex_len(w, &[d])
                    };
                    assert_eq!(len_of(|a| a.alu_ri(op, width, d, imm)), len, "{text}");
                    c.asserts += 1;
                }
            }
            for d in Gpr::ALL {
                for imm in IMMS {
                    // Always the imm32 form, even for small values, so it can be patched.
                    let mut asm = Assembler::new();
                    let at = asm.alu_ri32(op, width, d, 0x7777);
                    assert_eq!(asm.offset(), 6 + rex_len(w, &[d]));
                    assert_eq!(at, asm.offset() - 4);
                    asm.patch_u32(at, imm as u32);
                    let code = asm.finish().expect("assembles");
                    let text = format!("{name} {}, {imm}", wname(d, width));
                    c.check_at(&code, 0, code.len(), &text);
                    c.asserts += 2;
                }
            }
            let size = width.size();
            c.mem_form(
                |a, m, i| a.alu_rm(op, width, gpr(i), m),
                |m, i| format!("{name} {}, {} {m}", wname(gpr(i), width), ptr(size)),
            );
            c.mem_form(
                |a, m, i| a.alu_mr(op, width, m, gpr(i)),
                |m, i| format!("{name} {} {m}, {}", ptr(size), wname(gpr(i), width)),
            );
            c.mem_form(
                |a, m, i| a.alu_mi(op, width, m, IMMS[i % IMMS.len()]),
                |m, i| format!("{name} {} {m}, {}", ptr(size), IMMS[i % IMMS.len()]),
            );
        }
    }
    c.report();
}

#[test]
fn patching_outside_the_code_is_an_error() {
    let mut asm = Assembler::new();
    asm.ret();
    asm.patch_u32(0, 0);
    assert_eq!(asm.finish(), Err(AsmError::PatchOutOfBounds { offset: 0 }));
    let mut asm = Assembler::new();
    asm.patch_u32(usize::MAX, 0);
    assert_eq!(
        asm.finish(),
        Err(AsmError::PatchOutOfBounds { offset: usize::MAX })
    );
}

#[test]
fn test_instruction() {
    let mut c = Checker::new("test");
    for width in Width::ALL {
        for a_reg in Gpr::ALL {
            for b_reg in Gpr::ALL {
                c.check(
                    |a| a.test_rr(width, a_reg, b_reg),
                    &format!("test {}, {}", wname(a_reg, width), wname(b_reg, width)),
                );
            }
            for imm in IMMS {
                c.check(
                    |a| a.test_ri(width, a_reg, imm),
                    &format!("test {}, {imm}", wname(a_reg, width)),
                );
            }
        }
        c.mem_form(
            |a, m, i| a.test_mr(width, m, gpr(i)),
            |m, i| format!("test {} {m}, {}", ptr(width.size()), wname(gpr(i), width)),
        );
    }
    c.report();
}

#[test]
fn inc_dec_neg_not() {
    let mut c = Checker::new("inc/dec/neg/not");
    for op in Unary::ALL {
        let name = match op {
            Unary::Inc => "inc",
            Unary::Dec => "dec",
            Unary::Neg => "neg",
            Unary::Not => "not",
        };
        for width in Width::ALL {
            for r in Gpr::ALL {
                c.check(
                    |a| a.unary_r(op, width, r),
                    &format!("{name} {}", wname(r, width)),
                );
            }
            c.mem_form(
                |a, m, _| a.unary_m(op, width, m),
                |m, _| format!("{name} {} {m}", ptr(width.size())),
            );
        }
    }
    c.report();
}

/// iced prints `imul r, r, imm` with equal registers in the two-operand shorthand.
fn imul3(width: Width, d: Gpr, s: Gpr, imm: i32) -> String {
    if d == s {
        format!("imul {}, {imm}", wname(d, width))
    } else {
        format!("imul {}, {}, {imm}", wname(d, width), wname(s, width))
    }
}

#[test]
fn multiply_and_divide() {
    let mut c = Checker::new("imul/mul/div/idiv/cdq/cqo");
    for width in Width::ALL {
        for d in Gpr::ALL {
            for s in Gpr::ALL {
                c.check(
                    |a| a.imul_rr(width, d, s),
                    &format!("imul {}, {}", wname(d, width), wname(s, width)),
                );
                let imm = IMMS[(d.enc() + s.enc()) as usize % IMMS.len()];
                c.check(|a| a.imul_rri(width, d, s, imm), &imul3(width, d, s, imm));
            }
            for imm in IMMS {
                c.check(
                    |a| a.imul_rri(width, d, Gpr::R13, imm),
                    &imul3(width, d, Gpr::R13, imm),
                );
            }
        }
        c.mem_form(
            |a, m, i| a.imul_rm(width, gpr(i), m),
            |m, i| format!("imul {}, {} {m}", wname(gpr(i), width), ptr(width.size())),
        );
        for op in MulDiv::ALL {
            let name = match op {
                MulDiv::Mul => "mul",
                MulDiv::Imul => "imul",
                MulDiv::Div => "div",
                MulDiv::Idiv => "idiv",
            };
            for r in Gpr::ALL {
                c.check(
                    |a| a.muldiv_r(op, width, r),
                    &format!("{name} {}", wname(r, width)),
                );
            }
            c.mem_form(
                |a, m, _| a.muldiv_m(op, width, m),
                |m, _| format!("{name} {} {m}", ptr(width.size())),
            );
        }
    }
    c.check(|a| a.cdq(), "cdq");
    c.check(|a| a.cqo(), "cqo");
    c.report();
}

#[test]
fn shifts_and_rotates() {
    let mut c = Checker::new("shl/shr/sar/rol/ror");
    for op in Shift::ALL {
        let name = match op {
            Shift::Rol => "rol",
            Shift::Ror => "ror",
            Shift::Shl => "shl",
            Shift::Shr => "shr",
            Shift::Sar => "sar",
        };
        for width in Width::ALL {
            for r in Gpr::ALL {
                c.check(
                    |a| a.shift_cl(op, width, r),
                    &format!("{name} {}, cl", wname(r, width)),
                );
                for imm in [0u8, 1, 2, 31, 32, 63, 200] {
                    c.check(
                        |a| a.shift_ri(op, width, r, imm),
                        &format!("{name} {}, {}", wname(r, width), imm as i8),
                    );
                }
            }
        }
    }
    c.report();
}

#[test]
fn bit_counting_and_bswap() {
    let mut c = Checker::new("lzcnt/tzcnt/popcnt/bsr/bsf/bswap");
    for op in BitCount::ALL {
        let name = match op {
            BitCount::Lzcnt => "lzcnt",
            BitCount::Tzcnt => "tzcnt",
            BitCount::Popcnt => "popcnt",
            BitCount::Bsr => "bsr",
            BitCount::Bsf => "bsf",
        };
        for width in Width::ALL {
            for d in Gpr::ALL {
                for s in Gpr::ALL {
                    c.check(
                        |a| a.bitcount_rr(op, width, d, s),
                        &format!("{name} {}, {}", wname(d, width), wname(s, width)),
                    );
                }
            }
            c.mem_form(
                |a, m, i| a.bitcount_rm(op, width, gpr(i), m),
                |m, i| format!("{name} {}, {} {m}", wname(gpr(i), width), ptr(width.size())),
            );
        }
    }
    for width in Width::ALL {
        for r in Gpr::ALL {
            c.check(|a| a.bswap(width, r), &format!("bswap {}", wname(r, width)));
        }
    }
    c.report();
}

#[test]
fn setcc_and_cmovcc() {
    let mut c = Checker::new("setcc/cmovcc");
    for cond in Cond::ALL {
        let cc = cond_name(cond);
        for r in Gpr::ALL {
            c.check(
                |a| a.setcc(cond, r),
                &format!("set{cc} {}", r.name(Size::S8)),
            );
        }
        for width in Width::ALL {
            for d in Gpr::ALL {
                for s in Gpr::ALL {
                    c.check(
                        |a| a.cmov_rr(cond, width, d, s),
                        &format!("cmov{cc} {}, {}", wname(d, width), wname(s, width)),
                    );
                }
            }
            c.mem_form(
                |a, m, i| a.cmov_rm(cond, width, gpr(i), m),
                |m, i| {
                    format!(
                        "cmov{cc} {}, {} {m}",
                        wname(gpr(i), width),
                        ptr(width.size())
                    )
                },
            );
        }
    }
    c.report();
}

#[test]
fn cond_invert_pairs() {
    for cond in Cond::ALL {
        assert_ne!(cond.invert(), cond);
        assert_eq!(cond.invert().invert(), cond);
        assert_eq!(cond.invert().enc(), cond.enc() ^ 1);
    }
    assert_eq!(Cond::E.invert(), Cond::Ne);
    assert_eq!(Cond::P.invert(), Cond::Np);
    assert_eq!(Cond::L.invert(), Cond::Ge);
}

#[test]
fn push_and_pop() {
    let mut c = Checker::new("push/pop");
    for r in Gpr::ALL {
        c.check(|a| a.push(r), &format!("push {r}"));
        c.check(|a| a.pop(r), &format!("pop {r}"));
    }
    c.report();
}
