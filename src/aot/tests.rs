//! Unit tests of the format: round trip and the checks (the damage tests through the CLI are in
//! `tests/aot_sidecar.rs`).

use std::sync::Arc;

use super::format::{self, Section};
use super::*;

fn module(wat: &str) -> Arc<ModuleInfo> {
    let bytes = wat::parse_str(wat).unwrap();
    Arc::new(crate::module::parse(&bytes).unwrap())
}

const LOOPS: &str = r#"(module
    (func (export "sum") (param i32) (result i32) (local i32)
      (loop $l
        (local.set 1 (i32.add (local.get 1) (local.get 0)))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (local.get 1))
    (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))"#;

fn sidecar(info: &Arc<ModuleInfo>) -> Vec<u8> {
    sidecar_bytes(info, CpuFeatures::detect(), &mut |_, _| {}).unwrap()
}

#[test]
fn round_trip_gives_back_the_compiled_tables() {
    let info = module(LOOPS);
    let bytes = sidecar(&info);
    let compiled = compile::compile_module(&info, CpuFeatures::detect()).unwrap();
    let verified =
        format::verify(&bytes, &info, CpuFeatures::detect(), region::page::size()).unwrap();
    assert_eq!(verified.code_offset % 4096, 0);
    assert_eq!(
        &bytes[verified.code_offset..verified.code_offset + verified.code_len],
        &compiled.code[..]
    );
    assert_eq!(verified.tables.func_offsets, compiled.func_offsets);
    assert_eq!(verified.tables.loop_headers, compiled.loop_headers);
    assert!(!verified.tables.loop_headers[0].is_empty());
    assert_eq!(verified.tables.func_starts, compiled.func_starts);
    assert_eq!(verified.tables.pc_map, compiled.pc_map);
}

#[test]
fn module_without_functions_has_one_byte_of_code() {
    let info = module("(module (memory 1))");
    let bytes = sidecar(&info);
    let verified =
        format::verify(&bytes, &info, CpuFeatures::detect(), region::page::size()).unwrap();
    assert_eq!(verified.code_len, 1);
}

#[test]
fn cpu_feature_bits_round_trip_and_missing_ones_are_named() {
    let all = CpuFeatures {
        ssse3: true,
        sse41: true,
        lzcnt: true,
        bmi1: true,
        popcnt: true,
    };
    assert_eq!(all.to_bits(), 0x1F);
    let back = CpuFeatures::from_bits(0b0101).unwrap();
    assert!(back.sse41 && back.bmi1 && !back.lzcnt && !back.popcnt && !back.ssse3);
    assert!(CpuFeatures::from_bits(1 << 9).is_none());
    assert_eq!(all.missing_from(CpuFeatures::baseline()).len(), 5);
    assert_eq!(back.missing_from(all), Vec::<&str>::new());
}

#[test]
fn a_cpu_without_a_needed_feature_is_refused() {
    let info = module(LOOPS);
    let needs_sse41 = CpuFeatures {
        sse41: true,
        ..CpuFeatures::baseline()
    };
    let bytes = sidecar_bytes(&info, needs_sse41, &mut |_, _| {}).unwrap();
    let error = format::verify(&bytes, &info, CpuFeatures::baseline(), 4096)
        .err()
        .unwrap();
    assert!(error.contains("lacks: sse4.1"), "{error}");
}

#[test]
fn stale_layout_or_code_shape_is_refused() {
    let info = module(LOOPS);
    let good = sidecar(&info);
    let check = |patch: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = good.clone();
        patch(&mut bytes);
        format::reseal(&mut bytes);
        format::verify(&bytes, &info, CpuFeatures::detect(), 4096)
            .err()
            .unwrap()
    };
    let error = check(&|b| b[144] ^= 1);
    assert!(error.contains("layout"), "{error}");
    let error = check(&|b| b[140] ^= 1);
    assert!(error.contains("compiler settings"), "{error}");
    let error = check(&|b| b[120] = b'a');
    assert!(error.contains("compiled for"), "{error}");
}

#[test]
fn tables_pointing_outside_the_code_are_refused() {
    let info = module(LOOPS);
    let good = sidecar(&info);
    let entry = |section: Section| {
        let at = section.table_entry();
        u64::from_le_bytes(good[at..at + 8].try_into().unwrap()) as usize
    };
    let cases: Vec<(usize, u32, &str)> = vec![
        (entry(Section::FuncOffsets), 0x7fff_0000, "function entries"),
        (entry(Section::LoopEntries) + 4, 0x7fff_0000, "loop-header"),
        (entry(Section::FuncStarts), 0x10, "function starts"),
        (entry(Section::PcMap), 0x7fff_0000, "pc map"),
        (Section::Code.table_entry(), 100, "section table"),
        (
            Section::PcMap.table_entry() + 8,
            0x7fff_0000,
            "section table",
        ),
    ];
    for (at, value, expected) in cases {
        let mut bytes = good.clone();
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        format::reseal(&mut bytes);
        let error = format::verify(&bytes, &info, CpuFeatures::detect(), 4096)
            .err()
            .unwrap();
        assert!(error.contains(expected), "patch at {at}: {error}");
    }
}

#[test]
fn loading_maps_without_copying_and_code_is_read_execute() {
    let info = module(LOOPS);
    let dir = std::env::temp_dir().join(format!("wrun-aot-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("loops.wrun");
    write_sidecar(&info.bytes, &path, CpuFeatures::detect(), &mut |_, _| {}).unwrap();
    let code = load(&info, &path).unwrap();
    assert!(code.is_mapped());
    let entry = code.entry(0).unwrap();
    let region = region::query(entry).unwrap();
    assert_eq!(region.protection(), region::Protection::READ_EXECUTE);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn prevalidated_parse_skips_only_function_bodies() {
    // Body invalid (i32.add of nothing), everything else valid.
    let bad_body = wat::parse_str("(module (func (result i32) i32.add))").unwrap();
    assert!(crate::module::parse(&bad_body).is_err());
    assert!(crate::module::parse_prevalidated(&bad_body).is_ok());
    // A bad section is still an error.
    let bad_section = b"\0asm\x01\0\0\0\x03\x02\x01\x05";
    assert!(crate::module::parse_prevalidated(bad_section).is_err());
}

/// Garbage in the tables and the section table behind a valid checksum (what a forged or
/// miscompiled file could hold) is refused or accepted, never a panic; accepted tables still
/// point inside the code.
#[test]
fn resealed_garbage_never_panics_the_checks() {
    let info = module(LOOPS);
    let good = sidecar(&info);
    let (code_offset, _) = {
        let at = Section::Code.table_entry();
        let word = |at: usize| u64::from_le_bytes(good[at..at + 8].try_into().unwrap()) as usize;
        (word(at), word(at + 8))
    };
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let sections = format::OFF_SECTIONS..format::OFF_SECTIONS + 16 * format::NUM_SECTIONS;
    for round in 0..4000 {
        let mut bytes = good.clone();
        for _ in 0..1 + round % 4 {
            let at = if next() % 3 == 0 {
                sections.start + (next() as usize) % sections.len()
            } else {
                format::HEADER_LEN + (next() as usize) % (code_offset - format::HEADER_LEN)
            };
            bytes[at] = next() as u8;
        }
        format::reseal(&mut bytes);
        if let Ok(verified) = format::verify(&bytes, &info, CpuFeatures::detect(), 4096) {
            let len = verified.code_len as u32;
            assert!(verified.tables.func_offsets.iter().all(|&o| o < len));
            assert!(
                verified
                    .tables
                    .loop_headers
                    .iter()
                    .flatten()
                    .all(|e| e.code_offset < len)
            );
        }
    }
}

#[test]
fn parallel_hashing_gives_the_sequential_hashes() {
    let file: Vec<u8> = (0..3 << 20)
        .map(|i: u32| (i * 7 + i / 4096) as u8)
        .collect();
    let module: Vec<u8> = (0..(2 << 20) + 5).map(|i: u32| (i * 13) as u8).collect();
    let (file_sum, module_hash) = format::checksum_and_module_hash(&file, &module);
    assert_eq!(file_sum, format::checksum(&file));
    let expected: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&module).into();
    assert_eq!(module_hash, expected);
}
