//! AOT sidecars end to end: a sidecar is used and its code traps with the right backtrace, and
//! every damaged, stale or foreign sidecar is refused with the right reason while the module
//! still runs correctly without it. Exhaustive cases go through the library (the same
//! `Module::with_sidecar` the CLI uses); a sample of each goes through the `wrun` binary to
//! check the warning line, `--stats` and the exit status.

mod common;
use common::Scratch;

use std::path::{Path, PathBuf};
use std::process::Command;

use wrun::aot::format::{self, Section};
use wrun::{Config, Engine, Linker, Module, SidecarFile, SidecarStatus, Store, Tier, Val};

const MODULE: &str = r#"(module $m
  (memory 1)
  (func $inner (param i32) (result i32)
    (if (i32.eq (local.get 0) (i32.const 3)) (then unreachable))
    (i32.load (local.get 0)))
  (func $middle (export "middle") (param i32) (result i32) (call $inner (local.get 0)))
  (func (export "sum") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call 3 (i64.sub (local.get 0) (i64.const 1))))))))"#;

const OTHER: &str = r#"(module
  (func (export "sum") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#;

fn wrun() -> Command {
    common::wrun_cli()
}

/// `m.wasm` and its sidecar `m.wrun` (written by `wrun compile`) in `dir`.
fn compiled(dir: &Scratch, wat: &str) -> (PathBuf, Vec<u8>) {
    let wasm = dir.file("m.wasm");
    std::fs::write(&wasm, wat::parse_str(wat).unwrap()).unwrap();
    let out = wrun().arg("compile").arg(&wasm).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sidecar = dir.file("m.wrun");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        sidecar.display().to_string()
    );
    (wasm, std::fs::read(&sidecar).unwrap())
}

/// Loads `wasm` with the sidecar at `sidecar` through the library and runs `sum(100)`.
fn load_and_run(wasm: &[u8], sidecar: &Path, tier: Tier) -> SidecarStatus {
    let engine = Engine::new(Config {
        tier,
        ..Config::default()
    });
    let file = SidecarFile {
        path: sidecar.to_path_buf(),
        required: true,
    };
    let module = Module::with_sidecar(&engine, wasm, Some(&file)).unwrap();
    let mut store = Store::new(&engine);
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let sum = instance.get_func(&store, "sum").unwrap();
    assert_eq!(
        sum.call(&mut store, &[Val::I32(100)]).unwrap(),
        [Val::I32(5050)],
        "wrong result with sidecar status {:?}",
        module.sidecar_status()
    );
    module.sidecar_status().clone()
}

/// Writes `bytes` as the sidecar and checks, through the library, that it is refused with a
/// reason containing `expected` and that the module still computes the right result.
fn assert_refused(wasm: &[u8], sidecar: &Path, bytes: &[u8], expected: &str, case: &str) {
    std::fs::write(sidecar, bytes).unwrap();
    match load_and_run(wasm, sidecar, Tier::Interp) {
        SidecarStatus::Refused { reason, .. } => assert!(
            reason.contains(expected),
            "{case}: reason {reason:?} does not mention {expected:?}"
        ),
        other => panic!("{case}: expected a refusal, got {other:?}"),
    }
}

/// Same through the binary: the run succeeds with the right output, stderr has the one warning
/// line with the reason, and `--stats` says the sidecar was not used.
fn assert_cli_refused(wasm: &Path, sidecar: &Path, bytes: &[u8], expected: &str) {
    std::fs::write(sidecar, bytes).unwrap();
    let out = wrun()
        .args(["--stats", "--invoke", "sum"])
        .arg(wasm)
        .arg("100")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "5050");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    let prefix = format!("warning: ignoring sidecar {}: ", sidecar.display());
    assert!(warnings[0].starts_with(&prefix), "{stderr}");
    assert!(
        warnings[0].contains(expected),
        "{expected:?} not in {stderr}"
    );
    assert!(warnings[0].ends_with("; running without it"), "{stderr}");
    assert!(
        sidecar_stat(&stderr).starts_with("not used (refused"),
        "{stderr}"
    );
}

/// What `--stats` says of the sidecar: the text after `sidecar:`.
fn sidecar_stat(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("sidecar:"))
        .map(|rest| rest.trim().to_string())
        .unwrap_or_default()
}

fn section(bytes: &[u8], which: Section) -> (usize, usize) {
    let at = which.table_entry();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    (word(at), word(at + 8))
}

#[test]
fn sidecar_is_used_and_computes_the_same_results() {
    let dir = Scratch::new("aot", "used");
    let (wasm, _) = compiled(&dir, MODULE);
    for (export, arg, expected) in [("sum", "100", "5050"), ("fac", "20", "2432902008176640000")] {
        let out = wrun()
            .args(["--stats", "--invoke", export])
            .arg(&wasm)
            .arg(arg)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), expected);
        assert!(
            sidecar_stat(&stderr) == format!("used {}", dir.file("m.wrun").display()),
            "{stderr}"
        );
        assert!(!stderr.contains("warning"), "{stderr}");
    }
    // The library agrees, whatever the tier.
    let bytes = std::fs::read(&wasm).unwrap();
    for tier in [Tier::Interp, Tier::Jit] {
        let status = load_and_run(&bytes, &dir.file("m.wrun"), tier);
        assert_eq!(status, SidecarStatus::Used(dir.file("m.wrun")));
    }
    // `--no-aot` ignores it without a warning.
    let out = wrun()
        .args(["--stats", "--no-aot", "--invoke", "sum"])
        .arg(&wasm)
        .arg("10")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "55");
    assert_eq!(sidecar_stat(&stderr), "not used (disabled)", "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn sidecar_elsewhere_with_aot_flag_and_missing_ones() {
    let dir = Scratch::new("aot", "flag");
    let (wasm, bytes) = compiled(&dir, MODULE);
    let elsewhere = dir.file("elsewhere.bin");
    std::fs::write(&elsewhere, &bytes).unwrap();
    std::fs::remove_file(dir.file("m.wrun")).unwrap();
    // Nothing beside the module: silent.
    let out = wrun()
        .args(["--stats", "--invoke", "sum"])
        .arg(&wasm)
        .arg("4")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "10");
    assert!(
        sidecar_stat(&stderr).starts_with("not used (no "),
        "{stderr}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
    // `--aot PATH` uses that file.
    let out = wrun()
        .args(["--stats", "--aot"])
        .arg(&elsewhere)
        .args(["--invoke", "sum"])
        .arg(&wasm)
        .arg("4")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "10");
    assert!(
        sidecar_stat(&stderr) == format!("used {}", elsewhere.display()),
        "{stderr}"
    );
    // `--aot` naming a missing file warns and runs without it.
    let out = wrun()
        .args(["--aot"])
        .arg(dir.file("missing.wrun"))
        .args(["--invoke", "sum"])
        .arg(&wasm)
        .arg("4")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "10");
    assert!(stderr.contains("cannot open"), "{stderr}");
}

#[test]
fn traps_in_sidecar_code_have_the_jits_backtrace() {
    let dir = Scratch::new("aot", "trap");
    let (wasm, _) = compiled(&dir, MODULE);
    // 3: `unreachable` (a trap stub); 70000: out of bounds (the signal handler, which must
    // know the mapped code).
    for (arg, message) in [
        ("3", "wasm trap: unreachable"),
        ("70000", "wasm trap: out of bounds memory access"),
    ] {
        let run = |extra: &[&str]| {
            let out = wrun()
                .args(extra)
                .args(["--invoke", "middle"])
                .arg(&wasm)
                .arg(arg)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(134));
            String::from_utf8_lossy(&out.stderr).into_owned()
        };
        // The sidecar beside the module is used by default; the stderr of the run (trap
        // message and backtrace) is exactly the JIT's.
        let from_sidecar = run(&[]);
        let from_jit = run(&["--no-aot", "--tier", "jit"]);
        assert_eq!(from_sidecar, from_jit);
        let with_stats = run(&["--stats"]);
        assert!(
            sidecar_stat(&with_stats).starts_with("used "),
            "{with_stats}"
        );
        assert!(from_sidecar.contains(message), "{from_sidecar}");
        let inner = from_sidecar.find("m!inner").expect("inner frame");
        let middle = from_sidecar.find("m!middle").expect("middle frame");
        assert!(inner < middle, "{from_sidecar}");
    }
}

#[test]
fn truncated_sidecars_fall_back() {
    let dir = Scratch::new("aot", "truncated");
    let (wasm_path, good) = compiled(&dir, MODULE);
    let wasm = std::fs::read(&wasm_path).unwrap();
    let sidecar = dir.file("m.wrun");
    // Every length inside the header, then a stride through the tables and code, and the
    // last byte.
    let lengths = (0..=format::HEADER_LEN)
        .chain((format::HEADER_LEN..good.len()).step_by(37))
        .chain([good.len() - 1]);
    for len in lengths {
        assert_refused(
            &wasm,
            &sidecar,
            &good[..len],
            "truncated",
            &format!("cut at {len}"),
        );
    }
    for len in [
        0,
        7,
        100,
        format::HEADER_LEN,
        good.len() / 2,
        good.len() - 1,
    ] {
        assert_cli_refused(&wasm_path, &sidecar, &good[..len], "truncated");
    }
    // Longer than the header says.
    let mut longer = good.clone();
    longer.push(0);
    assert_refused(&wasm, &sidecar, &longer, "bad length", "one byte appended");
}

/// The reason a flip of header byte `at` must produce.
fn header_flip_reason(at: usize) -> &'static str {
    match at {
        format::OFF_MAGIC..format::OFF_FORMAT_VERSION => "bad magic",
        format::OFF_FORMAT_VERSION..format::OFF_HEADER_LEN => "format version",
        format::OFF_HEADER_LEN..format::OFF_FILE_LEN => "bad header",
        // The length grows or shrinks: either way it no longer matches the file.
        format::OFF_FILE_LEN..format::OFF_CHECKSUM => "the header says",
        _ => "checksum mismatch",
    }
}

#[test]
fn flipped_bytes_fall_back() {
    let dir = Scratch::new("aot", "flipped");
    let (wasm_path, good) = compiled(&dir, MODULE);
    let wasm = std::fs::read(&wasm_path).unwrap();
    let sidecar = dir.file("m.wrun");
    let (code_offset, code_len) = section(&good, Section::Code);
    assert_eq!(code_offset + code_len, good.len());
    let flipped = |at: usize| {
        let mut bytes = good.clone();
        bytes[at] ^= 0x5A;
        bytes
    };
    // Every header byte.
    for at in 0..format::HEADER_LEN {
        let reason = header_flip_reason(at);
        assert_refused(
            &wasm,
            &sidecar,
            &flipped(at),
            reason,
            &format!("header byte {at}"),
        );
    }
    // Every byte of the tables (and the padding before the code), then a stride through the
    // code.
    for at in (format::HEADER_LEN..code_offset).chain((code_offset..good.len()).step_by(11)) {
        let what = if at < code_offset { "table" } else { "code" };
        assert_refused(
            &wasm,
            &sidecar,
            &flipped(at),
            "checksum mismatch",
            &format!("{what} byte {at}"),
        );
    }
    let (pc_map, _) = section(&good, Section::PcMap);
    for at in [0, 9, 30, pc_map, code_offset + code_len / 2] {
        assert_cli_refused(&wasm_path, &sidecar, &flipped(at), header_flip_reason(at));
    }
}

#[test]
fn another_modules_sidecar_is_refused() {
    let dir = Scratch::new("aot", "other");
    let (wasm_path, _) = compiled(&dir, MODULE);
    let wasm = std::fs::read(&wasm_path).unwrap();
    let other_dir = Scratch::new("aot", "other-module");
    let (_, other) = compiled(&other_dir, OTHER);
    let sidecar = dir.file("m.wrun");
    assert_refused(
        &wasm,
        &sidecar,
        &other,
        "compiled from another module",
        "swap",
    );
    assert_cli_refused(&wasm_path, &sidecar, &other, "compiled from another module");
}

#[test]
fn other_versions_and_wrong_magic_are_refused() {
    let dir = Scratch::new("aot", "versions");
    let (wasm_path, good) = compiled(&dir, MODULE);
    let wasm = std::fs::read(&wasm_path).unwrap();
    let sidecar = dir.file("m.wrun");
    // Patched then re-sealed, so the version check itself refuses the file.
    let patched = |at: usize, value: &[u8]| {
        let mut bytes = good.clone();
        bytes[at..at + value.len()].copy_from_slice(value);
        wrun::aot::reseal(&mut bytes);
        bytes
    };
    let mut version = [0u8; format::WRUN_VERSION_LEN];
    version[..6].copy_from_slice(b"0.0.99");
    let next_version = format::FORMAT_VERSION + 1;
    let next_version_reason = format!(
        "format version {next_version}, this wrun reads version {}",
        format::FORMAT_VERSION
    );
    let cases = [
        (
            patched(format::OFF_WRUN_VERSION, &version),
            "made by wrun 0.0.99, this is wrun",
        ),
        (
            patched(format::OFF_FORMAT_VERSION, &next_version.to_le_bytes()),
            next_version_reason.as_str(),
        ),
        (patched(format::OFF_MAGIC, b"\0asm\x01\0\0\0"), "bad magic"),
        (
            patched(format::OFF_CODE_SHAPE, &99u32.to_le_bytes()),
            "compiler settings",
        ),
        (
            patched(format::OFF_COMPILER_BUILD, &[0xAB; 8]),
            "another build of wrun",
        ),
        (patched(format::OFF_LAYOUT, &[0xFF; 4]), "layout"),
        (
            patched(format::OFF_CPU, &(1u32 << 20).to_le_bytes()),
            "CPU feature",
        ),
    ];
    for (bytes, reason) in &cases {
        assert_refused(&wasm, &sidecar, bytes, reason, reason);
        assert_cli_refused(&wasm_path, &sidecar, bytes, reason);
    }
    // A bad table behind a matching header: refused after the module was parsed without
    // validating its bodies, which must then be parsed again and run on the normal tiers.
    let (entries, _) = section(&good, Section::FuncOffsets);
    // (u32::MAX is NO_CODE, a function a partial sidecar has no code for.)
    let bytes = patched(entries, &(u32::MAX - 1).to_le_bytes());
    assert_refused(
        &wasm,
        &sidecar,
        &bytes,
        "bad function entries table",
        "table",
    );
    assert_cli_refused(&wasm_path, &sidecar, &bytes, "bad function entries table");
    // The wasm module itself is not a sidecar.
    assert_cli_refused(
        &wasm_path,
        &sidecar,
        &std::fs::read(&wasm_path).unwrap(),
        "",
    );
}

#[test]
fn compile_errors_name_the_file_and_exit_1() {
    let dir = Scratch::new("aot", "errors");
    let bad = dir.file("bad.wasm");
    std::fs::write(&bad, b"\0asm\x01\0\0\0\x01\x05").unwrap();
    let out = wrun().arg("compile").arg(&bad).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: {}", bad.display())),
        "{stderr}"
    );
    assert!(!dir.file("bad.wrun").exists());

    let good = dir.file("good.wasm");
    std::fs::write(&good, wat::parse_str(OTHER).unwrap()).unwrap();
    let unwritable = dir.file("no/such/dir/good.wrun");
    let out = wrun()
        .arg("compile")
        .arg(&good)
        .arg("-o")
        .arg(&unwritable)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot write {}", unwritable.display())),
        "{stderr}"
    );
    let out = wrun()
        .arg("compile")
        .arg(dir.file("missing.wasm"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.wasm"));
}

/// A module that runs long enough (tens of milliseconds of compiled code) for its sidecar to be
/// changed under it: `spin(n)` sums a xorshift sequence of `n` steps.
const SPINNER: &str = r#"(module
  (func (export "spin") (param i32) (result i32) (local i32 i32)
    (local.set 1 (i32.const 1))
    (loop $l
      (local.set 1 (i32.xor (local.get 1) (i32.shl (local.get 1) (i32.const 13))))
      (local.set 1 (i32.xor (local.get 1) (i32.shr_u (local.get 1) (i32.const 17))))
      (local.set 1 (i32.xor (local.get 1) (i32.shl (local.get 1) (i32.const 5))))
      (local.set 2 (i32.add (local.get 2) (local.get 1)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 2)))"#;

/// What `spin(n)` returns, computed here.
fn spin(mut n: u32) -> i32 {
    let (mut x, mut sum) = (1u32, 0u32);
    loop {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        sum = sum.wrapping_add(x);
        n -= 1;
        if n == 0 {
            return sum as i32;
        }
    }
}

/// The ways a deploy or a careless user changes a file in place.
fn change_in_place(path: &Path, how: usize, original: &[u8], other: &[u8]) {
    use std::io::{Seek as _, SeekFrom, Write as _};
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    match how {
        0 => file.set_len(0).unwrap(),
        1 => file.set_len(original.len() as u64 / 2).unwrap(),
        // `cp other.wrun app.wrun`: truncate, then write.
        2 => {
            file.set_len(0).unwrap();
            file.write_all(other).unwrap();
        }
        // Zero the code section, in place.
        _ => {
            let (offset, len) = section(original, Section::Code);
            file.seek(SeekFrom::Start(offset as u64)).unwrap();
            file.write_all(&vec![0u8; len]).unwrap();
        }
    }
}

#[test]
fn a_sidecar_changed_while_wrun_runs_from_it_changes_nothing() {
    let dir = Scratch::new("aot", "changed");
    let other_dir = Scratch::new("aot", "changed-other");
    let (wasm, original) = compiled(&dir, SPINNER);
    let (_, other) = compiled(&other_dir, OTHER);
    let sidecar = dir.file("m.wrun");
    const STEPS: u32 = 30_000_000;
    let expected = spin(STEPS).to_string();
    // A small xorshift for the moments, seeded from the clock; printed so a failure can be
    // replayed.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..100 {
        std::fs::write(&sidecar, &original).unwrap();
        let child = wrun()
            .args(["--invoke", "spin"])
            .arg(&wasm)
            .arg(STEPS.to_string())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let how = (next() % 4) as usize;
        std::thread::sleep(std::time::Duration::from_micros(next() % 40_000));
        change_in_place(&sidecar, how, &original, &other);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "seed {seed:#x}, round {round}, change {how}: {:?}\n{stderr}",
            out.status
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            expected,
            "seed {seed:#x}, round {round}, change {how}\n{stderr}"
        );
    }
}

#[test]
fn a_huge_sparse_sidecar_is_refused_without_reading_it() {
    let dir = Scratch::new("aot", "huge");
    let (wasm, original) = compiled(&dir, MODULE);
    let sidecar = dir.file("m.wrun");
    let module = std::fs::read(&wasm).unwrap();
    // 20 GiB of holes: once with garbage at the start, once with this module's real header
    // claiming that length (so only the size bound can refuse it).
    for header in [&b"garbage"[..], &original[..format::HEADER_LEN]] {
        let file = std::fs::File::create(&sidecar).unwrap();
        file.set_len(20 << 30).unwrap();
        let mut bytes = header.to_vec();
        if bytes.len() >= format::HEADER_LEN {
            bytes[format::OFF_FILE_LEN..format::OFF_FILE_LEN + 8]
                .copy_from_slice(&(20u64 << 30).to_le_bytes());
        }
        std::os::unix::fs::FileExt::write_all_at(&file, &bytes, 0).unwrap();
        drop(file);
        let started = std::time::Instant::now();
        let status = load_and_run(&module, &sidecar, Tier::Interp);
        let took = started.elapsed();
        let SidecarStatus::Refused { reason, .. } = status else {
            panic!("expected a refusal, got {status:?}");
        };
        let expected = if bytes.len() > 8 {
            "too large"
        } else {
            "bad magic"
        };
        assert!(reason.contains(expected), "{reason}");
        // Generous for a loaded debug build; the file is never read past its header.
        assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
    }
}

#[test]
fn a_sidecar_that_is_a_symlink_loop_is_refused_with_a_warning() {
    let dir = Scratch::new("aot", "loop");
    let (wasm, _) = compiled(&dir, MODULE);
    let sidecar = dir.file("m.wrun");
    std::fs::remove_file(&sidecar).unwrap();
    std::os::unix::fs::symlink(&sidecar, &sidecar).unwrap();
    let out = wrun()
        .args(["--stats", "--invoke", "sum"])
        .arg(&wasm)
        .arg("4")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "10");
    assert!(
        stderr.contains(&format!("warning: ignoring sidecar {}", sidecar.display())),
        "{stderr}"
    );
}
