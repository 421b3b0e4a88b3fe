//! A developer's view of compiled code: each function's machine code disassembled (iced-x86),
//! annotated with the wasm offsets it was compiled from (`wrun compile --emit asm`, the
//! codegen snapshot tests in `tests/disas`). Only behind the `disas` feature; the compilers
//! never use it.

use std::fmt::Write as _;
use std::sync::Arc;

use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};

use super::compile::{self, CpuFeatures};
use crate::module::ModuleInfo;

/// Every defined function of `module` compiled for `cpu`, as text: a header per function
/// (index, name, entry offset), then one line per instruction (offset in the code, Intel
/// syntax), with a `;; wasm 0x..` line wherever the wasm operator changes, and the OSR
/// entry stubs named.
pub fn disassemble(module: &Arc<ModuleInfo>, cpu: CpuFeatures) -> Result<String, String> {
    disassemble_metered(module, cpu, false)
}

/// [`disassemble`] of the code compiled with fuel charges when `consume_fuel`.
pub fn disassemble_metered(
    module: &Arc<ModuleInfo>,
    cpu: CpuFeatures,
    consume_fuel: bool,
) -> Result<String, String> {
    let out = compile::compile_module_metered(module, cpu, consume_fuel, &mut |_, _| {})
        .map_err(|e| e.to_string())?;
    let mut text = String::new();
    let mut formatter = IntelFormatter::new();
    formatter.options_mut().set_hex_prefix("0x");
    formatter.options_mut().set_hex_suffix("");
    formatter
        .options_mut()
        .set_space_after_operand_separator(true);
    formatter.options_mut().set_branch_leading_zeros(false);
    formatter.options_mut().set_leading_zeros(false);
    let ends: Vec<usize> = out
        .func_starts
        .iter()
        .skip(1)
        .map(|(start, _)| *start as usize)
        .chain([out.code.len()])
        .collect();
    for (i, &(start, func_index)) in out.func_starts.iter().enumerate() {
        let (start, end) = (start as usize, ends[i]);
        let name = module.func_name(func_index).unwrap_or("");
        let _ = writeln!(text, ";; function {func_index} {name} @ {start:#x}");
        let osr = out.loop_headers.get(i).map_or(&[][..], Vec::as_slice);
        let bytes = out
            .code
            .get(start..end)
            .ok_or("jit: function outside the code")?;
        let mut decoder = Decoder::with_ip(64, bytes, start as u64, DecoderOptions::NONE);
        let mut last_wasm = None;
        let mut line = String::new();
        while decoder.can_decode() {
            let here = decoder.ip() as u32;
            if let Some(&(_, data_end)) = out.data.iter().find(|(s, _)| *s == here) {
                // Jump tables and constants: bytes, not instructions.
                let data_end = data_end.min(end as u32);
                for row in (here..data_end).step_by(16) {
                    let row_end = (row + 16).min(data_end);
                    let hex: String = out.code[row as usize..row_end as usize]
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    let _ = writeln!(text, "  {row:6x}  .bytes {hex}");
                }
                let position = (data_end as usize).saturating_sub(start);
                if decoder.set_position(position).is_err() {
                    break;
                }
                decoder.set_ip(u64::from(data_end));
                continue;
            }
            let instruction = decoder.decode();
            let at = instruction.ip() as u32;
            if let Some(entry) = osr.iter().find(|e| e.code_offset == at) {
                let _ = writeln!(
                    text,
                    ";; OSR entry for the loop at wasm {:#x}",
                    entry.wasm_offset
                );
            }
            let wasm = wasm_offset_at(&out.pc_map, at);
            if wasm != last_wasm {
                if let Some(offset) = wasm {
                    let _ = writeln!(text, ";; wasm {offset:#x}");
                }
                last_wasm = wasm;
            }
            line.clear();
            formatter.format(&instruction, &mut line);
            // Alignment padding between functions and stubs says nothing.
            if instruction.mnemonic() == iced_x86::Mnemonic::Nop
                || instruction.mnemonic() == iced_x86::Mnemonic::Int3
                || line == "xchg ax, ax"
            {
                continue;
            }
            let _ = writeln!(text, "  {at:6x}  {line}");
        }
    }
    Ok(text)
}

/// The wasm offset of the operator that the code at `at` belongs to (`pc_map` is sorted).
fn wasm_offset_at(pc_map: &[(u32, u32)], at: u32) -> Option<u32> {
    let i = pc_map.partition_point(|(code, _)| *code <= at);
    i.checked_sub(1).map(|i| pc_map[i].1)
}
