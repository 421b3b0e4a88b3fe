//! Encoder tests: every emitted form is decoded with iced-x86 (64-bit mode) and its Intel
//! syntax text compared with the instruction we meant; the decoded length must equal the
//! emitted length, and a REX prefix without W/R/X/B bits may only appear for
//! spl/bpl/sil/dil.

mod control;
mod gpr;
mod packed;
mod sse;

use super::*;
use iced_x86::{
    Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, MemorySizeOptions, NumberBase,
};

/// Decodes and checks emitted code, counting what it verified.
pub(super) struct Checker {
    formatter: IntelFormatter,
    name: &'static str,
    /// Encodings verified.
    pub checks: usize,
    /// Individual `assert!`s passed.
    pub asserts: usize,
}

impl Checker {
    pub fn new(name: &'static str) -> Checker {
        let mut formatter = IntelFormatter::new();
        let options = formatter.options_mut();
        options.set_space_after_operand_separator(true);
        options.set_memory_size_options(MemorySizeOptions::Always);
        options.set_number_base(NumberBase::Decimal);
        options.set_signed_immediate_operands(true);
        options.set_show_useless_prefixes(true);
        // RIP-relative operands print as absolute addresses: `[64]`.
        options.set_rip_relative_addresses(false);
        options.set_show_branch_size(false);
        Checker {
            formatter,
            name,
            checks: 0,
            asserts: 0,
        }
    }

    /// Decodes the instruction at `at` in `code` (loaded at address 0).
    pub fn decode(&mut self, code: &[u8], at: usize) -> (Instruction, String) {
        let mut decoder = Decoder::with_ip(64, &code[at..], at as u64, DecoderOptions::NONE);
        let instr = decoder.decode();
        let mut text = String::new();
        self.formatter.format(&instr, &mut text);
        (instr, text)
    }

    /// Checks that `code[at..at + len]` is exactly one instruction reading `expected`.
    pub fn check_at(&mut self, code: &[u8], at: usize, len: usize, expected: &str) {
        let bytes = &code[at..at + len];
        let (instr, text) = self.decode(code, at);
        assert!(
            !instr.is_invalid(),
            "{expected}: invalid encoding {bytes:02X?}"
        );
        assert_eq!(text, expected, "bytes {bytes:02X?}");
        assert_eq!(instr.len(), len, "{expected}: length of {bytes:02X?}");
        assert!(
            !has_empty_rex(bytes)
                || ["spl", "bpl", "sil", "dil"]
                    .iter()
                    .any(|r| text.contains(r)),
            "{expected}: needless REX in {bytes:02X?}"
        );
        self.checks += 1;
        self.asserts += 4;
    }

    /// Emits one instruction into a fresh assembler and checks it.
    pub fn check(&mut self, emit: impl FnOnce(&mut Assembler), expected: &str) {
        let mut asm = Assembler::new();
        emit(&mut asm);
        let code = asm.finish().expect("assembles");
        self.check_at(&code, 0, code.len(), expected);
    }

    /// Checks a memory-operand form over [`mem_cases`] (register choice rotating with the
    /// case number `i`) and over RIP-relative labels bound before and after it. `emit`
    /// emits the form for an address; `expected` builds its text from the address text.
    pub fn mem_form(
        &mut self,
        emit: impl Fn(&mut Assembler, Address, usize),
        expected: impl Fn(&str, usize) -> String,
    ) {
        for (i, (mem, text)) in mem_cases().into_iter().enumerate() {
            self.check(|a| emit(a, mem.into(), i), &expected(&text, i));
            // Against `[rax]` (ModRM alone): only the SIB byte, the displacement and a REX
            // for r8-r15 in the address may add bytes, so the shortest forms were chosen.
            let len = emitted(|a| emit(a, mem.into(), i)).len();
            let baseline = emitted(|a| emit(a, Mem::base(Gpr::Rax).into(), i));
            let rex_for_address =
                mem.base.enc() >= 8 || mem.index.is_some_and(|(r, _)| r.enc() >= 8);
            let extra = usize::from(rex_for_address && !has_rex(&baseline)) + address_bytes(mem);
            assert_eq!(
                len,
                baseline.len() + extra,
                "{}: size of the address",
                expected(&text, i)
            );
            self.asserts += 1;
        }
        for i in 0..16 {
            // A label after the instruction (forward reference, patched at finish).
            let mut asm = Assembler::new();
            let label = asm.new_label();
            emit(&mut asm, label.into(), i);
            let len = asm.offset();
            asm.align(64);
            asm.bind(label);
            let code = asm.finish().expect("assembles");
            self.check_at(&code, 0, len, &expected("[64]", i));

            // A label before it (already bound).
            let mut asm = Assembler::new();
            let label = asm.new_label();
            asm.bind(label);
            asm.nop(100);
            emit(&mut asm, label.into(), i);
            let code = asm.finish().expect("assembles");
            self.check_at(&code, 100, code.len() - 100, &expected("[0]", i));
        }
    }

    pub fn report(&self) {
        eprintln!(
            "x64 encoder test {}: {} encodings, {} assertions",
            self.name, self.checks, self.asserts
        );
    }
}

/// The bytes `emit` produces (unpatched).
fn emitted(emit: impl FnOnce(&mut Assembler)) -> Vec<u8> {
    let mut asm = Assembler::new();
    emit(&mut asm);
    asm.code().to_vec()
}

/// SIB and displacement bytes the shortest encoding of `mem` needs beyond ModRM.
fn address_bytes(mem: Mem) -> usize {
    let sib = usize::from(mem.index.is_some() || matches!(mem.base, Gpr::Rsp | Gpr::R12));
    let disp = if mem.disp == 0 && !matches!(mem.base, Gpr::Rbp | Gpr::R13) {
        0
    } else if i8::try_from(mem.disp).is_ok() {
        1
    } else {
        4
    };
    sib + disp
}

/// True if `bytes` (one instruction) has a REX prefix.
fn has_rex(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !matches!(b, 0x66 | 0xF2 | 0xF3))
        .is_some_and(|&b| b & 0xF0 == 0x40)
}

/// True if `bytes` (one instruction) has a REX prefix with none of W/R/X/B set.
fn has_empty_rex(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !matches!(b, 0x66 | 0xF2 | 0xF3))
        .is_some_and(|&b| b == 0x40)
}

/// The displacements every base register is tried with: zero, the disp8 edges and the
/// disp32 values just past them, and the disp32 extremes.
pub(super) const DISPS: [i32; 8] = [0, 1, 127, -128, 128, -129, i32::MAX, i32::MIN];

/// Memory operands with their Intel text: every base with every displacement, and every
/// legal index (all but rsp) with every scale under the special bases.
pub(super) fn mem_cases() -> Vec<(Mem, String)> {
    let mut cases = Vec::new();
    for base in Gpr::ALL {
        for disp in DISPS {
            cases.push(Mem::base_disp(base, disp));
        }
    }
    let bases = [Gpr::Rax, Gpr::Rsp, Gpr::Rbp, Gpr::R12, Gpr::R13, Gpr::R15];
    let mut n = 0;
    for index in Gpr::ALL.into_iter().filter(|&r| r != Gpr::Rsp) {
        for scale in Scale::ALL {
            for base in bases {
                cases.push(Mem::indexed(base, index, scale, DISPS[n % DISPS.len()]));
                n += 1;
            }
        }
    }
    cases.into_iter().map(|m| (m, mem_text(m))).collect()
}

/// Intel text of a memory operand as iced prints it: `[base+index*scale+disp]`.
pub(super) fn mem_text(mem: Mem) -> String {
    let mut text = format!("[{}", mem.base);
    if let Some((index, scale)) = mem.index {
        text.push_str(&format!("+{index}"));
        if scale != Scale::S1 {
            text.push_str(&format!("*{}", scale.factor()));
        }
    }
    if mem.disp != 0 {
        text.push_str(&format!("{:+}", mem.disp));
    }
    text.push(']');
    text
}

/// The `ptr` keyword of a memory size.
pub(super) fn ptr(size: Size) -> &'static str {
    match size {
        Size::S8 => "byte ptr",
        Size::S16 => "word ptr",
        Size::S32 => "dword ptr",
        Size::S64 => "qword ptr",
    }
}

/// The mnemonic stem of an SSE arithmetic operation (`add` of `addss`, `addps`, ...).
pub(super) fn arith_mnemonic(op: SseArith) -> &'static str {
    match op {
        SseArith::Sqrt => "sqrt",
        SseArith::Add => "add",
        SseArith::Mul => "mul",
        SseArith::Sub => "sub",
        SseArith::Min => "min",
        SseArith::Div => "div",
        SseArith::Max => "max",
    }
}

/// Register `i` (mod 16) of the rotation.
pub(super) fn gpr(i: usize) -> Gpr {
    Gpr::ALL[i % 16]
}

/// SSE register `i` (mod 16) of the rotation.
pub(super) fn xmm(i: usize) -> Xmm {
    Xmm::ALL[i % 16]
}

/// Name of a register at an ALU width.
pub(super) fn wname(reg: Gpr, width: Width) -> &'static str {
    reg.name(width.size())
}

#[test]
fn mem_text_matches_iced_for_swapped_rsp_index() {
    let mut c = Checker::new("rsp index swap");
    // rsp cannot be an index; with scale 1 the encoder swaps it into the base.
    for base in Gpr::ALL.into_iter().filter(|&r| r != Gpr::Rsp) {
        for disp in DISPS {
            let mem = Mem::indexed(base, Gpr::Rsp, Scale::S1, disp);
            let swapped = Mem::indexed(Gpr::Rsp, base, Scale::S1, disp);
            c.check(
                |a| a.mov_rm(Size::S64, Gpr::Rax, mem),
                &format!("mov rax, qword ptr {}", mem_text(swapped)),
            );
        }
    }
    c.report();
}

#[test]
fn unencodable_operands_are_errors_not_panics() {
    let mut asm = Assembler::new();
    asm.mov_rm(
        Size::S64,
        Gpr::Rax,
        Mem::indexed(Gpr::Rax, Gpr::Rsp, Scale::S2, 0),
    );
    assert_eq!(asm.finish(), Err(AsmError::RspIndex { offset: 0 }));

    let mut asm = Assembler::new();
    asm.nop(3);
    asm.mov_rm(
        Size::S64,
        Gpr::Rax,
        Mem::indexed(Gpr::Rsp, Gpr::Rsp, Scale::S1, 0),
    );
    assert_eq!(asm.finish(), Err(AsmError::RspIndex { offset: 3 }));

    let mut other = Assembler::new();
    let _ = other.new_label();
    let foreign = other.new_label();
    let mut asm = Assembler::new();
    asm.jmp(foreign);
    assert!(matches!(
        asm.finish(),
        Err(AsmError::UnknownLabel { label: 1, .. })
    ));

    let mut asm = Assembler::new();
    let label = asm.new_label();
    asm.bind(label);
    asm.ret();
    asm.bind(label);
    assert_eq!(
        asm.finish(),
        Err(AsmError::LabelBoundTwice {
            label: 0,
            offset: 1
        })
    );
}
