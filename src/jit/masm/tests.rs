//! The masm's own choices, decoded with iced-x86: the peepholes and the load forms. (Each
//! instruction form itself is checked by the encoder's tests.)

use super::*;
use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};

/// The instructions `emit` produces, one Intel-syntax line each.
fn disasm(emit: impl FnOnce(&mut Masm)) -> Vec<String> {
    let mut masm = Masm::new();
    emit(&mut masm);
    let code = masm.finish().expect("assembles");
    let mut decoder = Decoder::with_ip(64, &code, 0, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    formatter
        .options_mut()
        .set_space_after_operand_separator(true);
    let mut out = Vec::new();
    while decoder.can_decode() {
        let instr = decoder.decode();
        let mut text = String::new();
        formatter.format(&instr, &mut text);
        out.push(text);
    }
    out
}

#[test]
fn compare_with_zero_is_test() {
    let code = disasm(|m| m.cmp(Width::W32, Gpr::Rsi, Operand::Imm(0)));
    assert_eq!(code, ["test esi, esi"]);
    let code = disasm(|m| m.cmp_exact(Width::W32, Gpr::Rsi, Operand::Imm(0)));
    assert_eq!(code, ["cmp esi, 0"]);
    let code = disasm(|m| m.cmp(Width::W64, Gpr::Rsi, Operand::Imm(7)));
    assert_eq!(code, ["cmp rsi, 7"]);
}

#[test]
fn three_operand_add_is_lea() {
    let mut done = [false; 3];
    let code = disasm(|m| {
        done[0] = m.add3(Width::W32, Gpr::Rdi, Gpr::Rsi, Operand::Imm(5));
        done[1] = m.add3(Width::W64, Gpr::Rdi, Gpr::Rsi, Operand::Reg(Gpr::R8));
        // The destination is an operand: the caller does a two-operand add.
        done[2] = m.add3(Width::W64, Gpr::Rsi, Gpr::Rsi, Operand::Reg(Gpr::R8));
    });
    assert_eq!(done, [true, true, false]);
    assert_eq!(code, ["lea edi, [rsi+5]", "lea rdi, [rsi+r8]"]);
}

#[test]
fn self_moves_vanish_but_32_bit_moves_stay() {
    let code = disasm(|m| {
        m.mov64(Gpr::Rax, Gpr::Rax);
        m.fmov(Xmm::Xmm2, Xmm::Xmm2);
        // A 32-bit move to itself zero-extends: it is an operation, not a copy.
        m.mov(Size::S32, Gpr::Rax, Gpr::Rax);
    });
    assert_eq!(code, ["mov eax, eax"]);
}

#[test]
fn int_to_float_clears_its_destination() {
    let code = disasm(|m| m.int_to_float(Float::F64, Width::W32, Xmm::Xmm3, Gpr::Rsi));
    assert_eq!(code, ["xorps xmm3, xmm3", "cvtsi2sd xmm3, esi"]);
}

#[test]
fn float_constants_come_from_one_pool_entry_each() {
    let mut masm = Masm::new();
    masm.fconst(Float::F64, Xmm::Xmm2, 0);
    masm.fconst(Float::F64, Xmm::Xmm2, 1.5f64.to_bits());
    masm.fconst(Float::F64, Xmm::Xmm3, 1.5f64.to_bits());
    let end_of_code = masm.offset() as u32;
    let (start, end) = masm.emit_constant_pool().expect("one constant");
    assert_eq!(start % 16, 0);
    assert!(start >= end_of_code);
    assert_eq!(end - start, 16);
    assert_eq!(masm.emit_constant_pool(), None);
}

#[test]
fn loads_extend_as_asked() {
    let mem = Mem::base_disp(Gpr::R13, 8);
    let code = disasm(|m| {
        m.load(Gpr::Rsi, mem, Size::S8, Ext::Zero, Width::W64);
        m.load(Gpr::Rsi, mem, Size::S8, Ext::Sign, Width::W32);
        m.load(Gpr::Rsi, mem, Size::S16, Ext::Sign, Width::W64);
        m.load(Gpr::Rsi, mem, Size::S32, Ext::Zero, Width::W64);
        m.load(Gpr::Rsi, mem, Size::S32, Ext::Sign, Width::W64);
        m.load(Gpr::Rsi, mem, Size::S64, Ext::Zero, Width::W64);
    });
    assert_eq!(
        code,
        [
            "movzx esi, byte ptr [r13+8]",
            "movsx esi, byte ptr [r13+8]",
            "movsx rsi, word ptr [r13+8]",
            "mov esi, [r13+8]",
            "movsxd rsi, [r13+8]",
            "mov rsi, [r13+8]",
        ]
    );
}

#[test]
fn jump_to_the_next_instruction_is_removed() {
    // jmp, then jcc, to the label bound right after: both go, with their fixups.
    let code = disasm(|m| {
        let l = m.new_label();
        m.ret();
        m.jmp(l);
        m.bind(l);
        m.ret();
        let k = m.new_label();
        m.cmp(Width::W32, Gpr::Rax, Operand::Imm(0));
        m.branch(Cond::E, k);
        m.bind(k);
        m.ret();
    });
    assert_eq!(code, ["ret", "ret", "test eax, eax", "ret"]);
}

#[test]
fn labels_bound_after_a_removed_jump_move_back() {
    // `jmp b; a: b:` — the jump goes, `a` moves to where it was; the earlier jump to `a`
    // lands on the `ret` after.
    let code = disasm(|m| {
        let (a, b) = (m.new_label(), m.new_label());
        m.branch(Cond::Ne, a);
        m.jmp(b);
        m.bind(a);
        m.bind(b);
        m.ret();
    });
    assert_eq!(code, ["jne 6", "ret"]);
}

#[test]
fn jumps_that_stay() {
    // Something emitted between the jump and its label, or an offset read after the jump
    // (it may have been recorded: a pc-map entry, a trap site).
    let code = disasm(|m| {
        let l = m.new_label();
        m.jmp(l);
        m.ret();
        m.bind(l);
        let k = m.new_label();
        m.jmp(k);
        let _ = m.offset();
        m.bind(k);
        m.ret();
    });
    assert_eq!(code, ["jmp 6", "ret", "jmp 000000000000000Bh", "ret"]);
}
