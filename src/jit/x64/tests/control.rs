//! Jumps, calls, labels, padding and data.

use super::gpr::cond_name;
use super::*;

/// Emits one branch to a label.
type EmitBranch = Box<dyn Fn(&mut Assembler, Label)>;

/// The branches under test: `jmp`, every `jcc`, and `call`, with their mnemonics.
fn branches() -> Vec<(String, EmitBranch)> {
    let mut list: Vec<(String, EmitBranch)> = vec![
        ("jmp".to_string(), Box::new(|a: &mut Assembler, l| a.jmp(l))),
        (
            "call".to_string(),
            Box::new(|a: &mut Assembler, l| a.call(l)),
        ),
    ];
    for cond in Cond::ALL {
        list.push((
            format!("j{}", cond_name(cond)),
            Box::new(move |a: &mut Assembler, l| a.jcc(cond, l)),
        ));
    }
    list
}

/// Checks the branch at `at`: text, length and decoded target.
fn check_branch(c: &mut Checker, code: &[u8], at: usize, len: usize, name: &str, target: usize) {
    c.check_at(code, at, len, &format!("{name} {target}"));
    let (instr, _) = c.decode(code, at);
    assert_eq!(instr.near_branch_target(), target as u64, "{name} at {at}");
    c.asserts += 1;
}

#[test]
fn backward_branches_use_rel8_when_in_range() {
    let mut c = Checker::new("jmp/jcc/call backward");
    for (name, emit) in branches() {
        let is_call = name == "call";
        // A short jump at offset `gap` ends at gap + 2: rel8 reaches back to 0 up to
        // gap = 126; one byte further needs rel32 (calls always use rel32).
        for gap in [0usize, 1, 50, 125, 126, 127, 128, 1000, 100_000] {
            let mut asm = Assembler::new();
            let label = asm.new_label();
            asm.bind(label);
            asm.nop(gap);
            emit(&mut asm, label);
            let len = asm.offset() - gap;
            let code = asm.finish().expect("assembles");
            let expected_len = if is_call {
                5
            } else if gap <= 126 {
                2
            } else if name == "jmp" {
                5
            } else {
                6
            };
            assert_eq!(len, expected_len, "{name} back over {gap}");
            c.asserts += 1;
            check_branch(&mut c, &code, gap, len, &name, 0);
        }
        // A label bound to the branch itself (`jmp $`).
        let mut asm = Assembler::new();
        asm.nop(7);
        let here = asm.new_label();
        asm.bind(here);
        emit(&mut asm, here);
        let len = asm.offset() - 7;
        let code = asm.finish().expect("assembles");
        check_branch(&mut c, &code, 7, len, &name, 7);
    }
    c.report();
}

#[test]
fn forward_branches_are_patched_at_finish() {
    let mut c = Checker::new("jmp/jcc/call forward");
    for (name, emit) in branches() {
        for gap in [0usize, 1, 127, 128, 100_000] {
            let mut asm = Assembler::new();
            asm.nop(3);
            let label = asm.new_label();
            emit(&mut asm, label);
            let len = asm.offset() - 3;
            asm.nop(gap);
            let target = asm.offset();
            asm.bind(label);
            asm.ret();
            assert_eq!(asm.label_offset(label), Some(target));
            let code = asm.finish().expect("assembles");
            check_branch(&mut c, &code, 3, len, &name, target);
            c.asserts += 1;
        }
    }
    // Several fixups to one label, and a chain of labels.
    let mut asm = Assembler::new();
    let end = asm.new_label();
    let mid = asm.new_label();
    asm.jcc(Cond::E, end);
    asm.jmp(mid);
    asm.call(end);
    asm.bind(mid);
    asm.jmp(end);
    asm.nop(200);
    asm.bind(end);
    asm.ret();
    let code = asm.finish().expect("assembles");
    check_branch(&mut c, &code, 0, 6, "je", 221);
    check_branch(&mut c, &code, 6, 5, "jmp", 16);
    check_branch(&mut c, &code, 11, 5, "call", 221);
    check_branch(&mut c, &code, 16, 5, "jmp", 221);
    c.report();
}

#[test]
fn unbound_label_is_an_error() {
    let mut asm = Assembler::new();
    let never = asm.new_label();
    asm.jmp(never);
    assert_eq!(asm.finish(), Err(AsmError::UnboundLabel { label: 0 }));

    let mut asm = Assembler::new();
    let _unused = asm.new_label();
    let never = asm.new_label();
    asm.lea(Width::W64, Gpr::Rax, never);
    assert_eq!(asm.finish(), Err(AsmError::UnboundLabel { label: 1 }));

    // Labels that are created but never used need no binding.
    let mut asm = Assembler::new();
    let _unused = asm.new_label();
    asm.ret();
    assert_eq!(asm.finish(), Ok(vec![0xC3]));
}

#[test]
fn indirect_calls_and_jumps() {
    let mut c = Checker::new("call/jmp indirect");
    for r in Gpr::ALL {
        c.check(|a| a.call_r(r), &format!("call {r}"));
        c.check(|a| a.jmp_r(r), &format!("jmp {r}"));
    }
    c.mem_form(|a, m, _| a.call_m(m), |m, _| format!("call qword ptr {m}"));
    c.mem_form(|a, m, _| a.jmp_m(m), |m, _| format!("jmp qword ptr {m}"));
    c.report();
}

#[test]
fn single_byte_and_trap_instructions() {
    let mut c = Checker::new("ret/ud2/int3");
    c.check(|a| a.ret(), "ret");
    c.check(|a| a.ud2(), "ud2");
    c.check(|a| a.int3(), "int3");
    c.report();
}

/// iced prints the recommended two-byte NOP `66 90` as `xchg ax, ax`.
fn is_nop(text: &str) -> bool {
    text.starts_with("nop") || text == "xchg ax, ax"
}

#[test]
fn nop_padding_and_alignment() {
    let mut c = Checker::new("nop/align");
    for len in 1..=MAX_NOP_LEN {
        let mut asm = Assembler::new();
        asm.nop(len);
        let code = asm.finish().expect("assembles");
        assert_eq!(code.len(), len);
        let (instr, text) = c.decode(&code, 0);
        assert_eq!(instr.len(), len, "one nop of {len} bytes: {code:02X?}");
        assert!(is_nop(&text), "{text}");
        c.checks += 1;
        c.asserts += 3;
    }
    for len in 0..40 {
        let mut asm = Assembler::new();
        asm.nop(len);
        let code = asm.finish().expect("assembles");
        assert_eq!(code.len(), len);
        let mut at = 0;
        let mut count = 0;
        while at < code.len() {
            let (instr, text) = c.decode(&code, at);
            assert!(is_nop(&text), "{text} in a {len}-byte pad");
            at += instr.len();
            count += 1;
        }
        assert_eq!(at, len);
        assert_eq!(count, len.div_ceil(MAX_NOP_LEN), "fewest nops for {len}");
        c.checks += 1;
        c.asserts += 3 + count;
    }
    for start in 0..20 {
        for alignment in [0usize, 1, 2, 4, 8, 16] {
            let mut asm = Assembler::new();
            asm.emit_bytes(&vec![0xCC; start]);
            asm.align(alignment);
            let expected = if alignment > 1 {
                start.next_multiple_of(alignment)
            } else {
                start
            };
            assert_eq!(asm.offset(), expected, "align {start} to {alignment}");
            c.asserts += 1;
        }
    }
    c.report();
}

#[test]
fn data_words_and_label_differences() {
    let mut asm = Assembler::new();
    let table = asm.new_label();
    let a = asm.new_label();
    let b = asm.new_label();
    asm.bind(a);
    asm.ret();
    asm.align(4);
    asm.bind(table);
    asm.emit_label_diff32(a, table);
    asm.emit_label_diff32(b, table);
    asm.emit_u32(0xDEAD_BEEF);
    asm.emit_u64(0x0123_4567_89AB_CDEF);
    asm.emit_bytes(&[1, 2]);
    asm.bind(b);
    let code = asm.finish().expect("assembles");
    assert_eq!(code.len(), 4 + 4 + 4 + 4 + 8 + 2);
    assert_eq!(&code[4..8], &(-4i32).to_le_bytes());
    assert_eq!(&code[8..12], &22i32.to_le_bytes());
    assert_eq!(&code[12..16], &0xDEAD_BEEFu32.to_le_bytes());
    assert_eq!(&code[16..24], &0x0123_4567_89AB_CDEFu64.to_le_bytes());
    assert_eq!(&code[24..26], &[1, 2]);
}

#[test]
fn rip_relative_load_of_a_constant_pool() {
    // A realistic shape: code first, then an aligned constant the code loads.
    let mut c = Checker::new("rip-relative constant");
    let mut asm = Assembler::new();
    let constant = asm.new_label();
    asm.movs_rm(Float::F64, Xmm::Xmm3, constant);
    asm.logic_rm(SseLogic::And, Float::F64, Xmm::Xmm3, constant);
    asm.mov_rm(Size::S64, gpr(9), constant);
    asm.mov_mi(Size::S32, constant, 7); // an immediate after the displacement
    asm.ret();
    asm.align(16);
    let at = asm.offset();
    asm.bind(constant);
    asm.emit_u64(u64::MAX >> 1);
    asm.emit_u64(u64::MAX >> 1);
    let code = asm.finish().expect("assembles");
    let lens = [8, 8, 7, 10];
    let texts = [
        format!("movsd xmm3, qword ptr [{at}]"),
        format!("andpd xmm3, xmmword ptr [{at}]"),
        format!("mov r9, qword ptr [{at}]"),
        format!("mov dword ptr [{at}], 7"),
    ];
    let mut offset = 0;
    for (len, text) in lens.into_iter().zip(texts) {
        c.check_at(&code, offset, len, &text);
        offset += len;
    }
    c.report();
}

#[test]
fn explicit_short_branches_reach_127_forward_and_128_back() {
    let mut c = Checker::new("jmp/jcc short");
    let mut shorts: Vec<(String, EmitBranch)> = vec![(
        "jmp".to_string(),
        Box::new(|a: &mut Assembler, l| a.jmp_short(l)),
    )];
    for cond in Cond::ALL {
        shorts.push((
            format!("j{}", cond_name(cond)),
            Box::new(move |a: &mut Assembler, l| a.jcc_short(cond, l)),
        ));
    }
    for (name, emit) in &shorts {
        for gap in [0usize, 1, 100, 127, 128, 1000] {
            // Forward: the jump at 5 ends at 7; the label is `gap` bytes further.
            let mut asm = Assembler::new();
            asm.nop(5);
            let label = asm.new_label();
            emit(&mut asm, label);
            asm.nop(gap);
            asm.bind(label);
            asm.ret();
            match asm.finish() {
                Ok(code) => {
                    assert!(gap <= 127, "{name} over {gap} must not assemble");
                    check_branch(&mut c, &code, 5, 2, name, 7 + gap);
                }
                Err(err) => {
                    assert!(gap > 127, "{name} over {gap}: {err}");
                    assert_eq!(err, AsmError::DisplacementOutOfRange { offset: 6 });
                }
            }
            c.asserts += 1;

            // Backward: the label at 0, the jump at `gap`, ending at gap + 2.
            let mut asm = Assembler::new();
            let label = asm.new_label();
            asm.bind(label);
            asm.nop(gap);
            emit(&mut asm, label);
            match asm.finish() {
                Ok(code) => {
                    assert!(gap <= 126, "{name} back over {gap} must not assemble");
                    check_branch(&mut c, &code, gap, 2, name, 0);
                }
                Err(err) => {
                    assert!(gap > 126, "{name} back over {gap}: {err}");
                    assert_eq!(err, AsmError::DisplacementOutOfRange { offset: gap + 1 });
                }
            }
            c.asserts += 1;
        }
    }
    c.report();
}
