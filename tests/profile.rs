//! `--profile`: the perf map, the jitdump file and the guest profiler's collapsed stacks, from
//! runs of the `wrun` binary on a module with one known hot function.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

/// `hot` spins `n` times (an LCG step per iteration); `run` calls it once and calls the
/// unnamed function 1 (so a name-less function appears as `wasm[1]`).
const HOT_WAT: &str = r#"(module
  (func $hot (param $n i64) (result i64)
    (local $acc i64)
    (local.set $acc (i64.const 1))
    (block $done
      (loop $again
        (br_if $done (i64.eqz (local.get $n)))
        (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 6364136223846793005))
                                 (i64.const 1442695040888963407)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $again)))
    (local.get $acc))
  (func (result i64) (i64.const 7))
  (func $run (export "run") (param $n i64) (result i64)
    (i64.add (call $hot (local.get $n)) (call 1))))
"#;

/// Iterations of `hot` that take a few tenths of a second of CPU time on each tier.
const INTERP_ITERATIONS: &str = "20000000";
const JIT_ITERATIONS: &str = "400000000";

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wrun-profile-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hot_module(dir: &Path) -> PathBuf {
    let path = dir.join("hot.wat");
    std::fs::write(&path, HOT_WAT).unwrap();
    path
}

/// Runs wrun in `dir`; returns its output and process id.
fn wrun(dir: &Path, args: &[&str]) -> (Output, u32) {
    let child = common::wrun_cli()
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    (child.wait_with_output().unwrap(), pid)
}

fn check_success(output: &Output) {
    assert!(
        output.status.success(),
        "wrun failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn perfmap_names_every_compiled_function() {
    let dir = scratch_dir("perfmap");
    let module = hot_module(&dir);
    let module = module.to_str().unwrap();
    let (output, pid) = wrun(
        &dir,
        &[
            "--profile",
            "perfmap",
            "--tier",
            "jit",
            "--invoke",
            "run",
            module,
            "10",
        ],
    );
    check_success(&output);
    let map_path = PathBuf::from(format!("/tmp/perf-{pid}.map"));
    let map = std::fs::read_to_string(&map_path).unwrap();
    std::fs::remove_file(&map_path).ok();
    let mut names = Vec::new();
    for line in map.lines() {
        let fields: Vec<&str> = line.splitn(3, ' ').collect();
        assert_eq!(fields.len(), 3, "line {line:?} is not `START SIZE NAME`");
        let start = u64::from_str_radix(fields[0], 16).expect("START in hex");
        let size = u64::from_str_radix(fields[1], 16).expect("SIZE in hex");
        assert!(start > 0 && size > 0, "line {line:?}");
        names.push(fields[2]);
    }
    names.sort();
    // `--tier jit` compiles all three functions; the unnamed one is `wasm[1]`.
    assert_eq!(names, ["hot", "run", "wasm[1]"], "perf map:\n{map}");
}

#[test]
fn perfmap_gets_functions_compiled_at_tier_up() {
    let dir = scratch_dir("perfmap-auto");
    let module = hot_module(&dir);
    let module = module.to_str().unwrap();
    // Threshold 10: `hot`'s loop tiers up (OSR); `run` and `wasm[1]` run once, interpreted.
    let (output, pid) = wrun(
        &dir,
        &[
            "--profile",
            "perfmap",
            "--jit-threshold",
            "10",
            "--invoke",
            "run",
            module,
            "1000",
        ],
    );
    check_success(&output);
    let map_path = PathBuf::from(format!("/tmp/perf-{pid}.map"));
    let map = std::fs::read_to_string(&map_path).unwrap();
    std::fs::remove_file(&map_path).ok();
    let names: Vec<&str> = map
        .lines()
        .filter_map(|l| l.splitn(3, ' ').nth(2))
        .collect();
    assert_eq!(names, ["hot"], "perf map:\n{map}");
}

#[test]
fn jitdump_has_a_header_and_code_load_records_with_code() {
    let dir = scratch_dir("jitdump");
    let module = hot_module(&dir);
    let module = module.to_str().unwrap();
    let (output, pid) = wrun(
        &dir,
        &[
            "--profile",
            "jitdump",
            "--tier",
            "jit",
            "--invoke",
            "run",
            module,
            "10",
        ],
    );
    check_success(&output);
    let dump_path = PathBuf::from(format!("/tmp/jit-{pid}.dump"));
    let dump = std::fs::read(&dump_path).unwrap();
    std::fs::remove_file(&dump_path).ok();
    let u32_at = |at: usize| u32::from_ne_bytes(dump[at..at + 4].try_into().unwrap());
    let u64_at = |at: usize| u64::from_ne_bytes(dump[at..at + 8].try_into().unwrap());
    assert_eq!(u32_at(0), 0x4A69_5444, "magic");
    assert_eq!(u32_at(4), 1, "version");
    assert_eq!(u32_at(8), 40, "header size");
    assert_eq!(u32_at(12), 62, "EM_X86_64");
    assert_eq!(u32_at(20), pid, "pid");
    let (mut at, mut loads, mut debug_infos) = (40, Vec::new(), 0);
    while at < dump.len() {
        let (id, size) = (u32_at(at), u32_at(at + 4) as usize);
        assert!(size >= 16 && at + size <= dump.len(), "record at {at}");
        match id {
            0 => {
                let code_size = u64_at(at + 16 + 24) as usize;
                let name_start = at + 16 + 40;
                let name_end =
                    name_start + dump[name_start..].iter().position(|&b| b == 0).unwrap();
                let name = String::from_utf8(dump[name_start..name_end].to_vec()).unwrap();
                assert_eq!(name_end + 1 + code_size, at + size, "code bytes of {name}");
                // Every compiled function starts with `push rbp` (0x55).
                assert_eq!(dump[name_end + 1], 0x55, "first code byte of {name}");
                loads.push(name);
            }
            2 => debug_infos += 1,
            other => panic!("unexpected record type {other}"),
        }
        at += size;
    }
    loads.sort();
    assert_eq!(loads, ["hot", "run", "wasm[1]"]);
    assert!(debug_infos >= 3, "{debug_infos} debug-info records");
}

/// Runs `hot` under `--profile guest` with `options`; returns the collapsed stacks.
fn guest_profile(name: &str, options: &[&str], iterations: &str) -> Vec<(String, u64)> {
    guest_profile_of(name, HOT_WAT, options, iterations)
}

/// The collapsed stacks of `run(iterations)` of the module `wat` with `options`.
fn guest_profile_of(
    name: &str,
    wat: &str,
    options: &[&str],
    iterations: &str,
) -> Vec<(String, u64)> {
    let dir = scratch_dir(name);
    let module = dir.join("module.wat");
    std::fs::write(&module, wat).unwrap();
    let svg = dir.join("profile.svg");
    let mut args = vec!["--profile".to_string(), format!("guest={}", svg.display())];
    args.extend(options.iter().map(|s| s.to_string()));
    args.extend(["--invoke", "run", module.to_str().unwrap(), iterations].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (output, _) = wrun(&dir, &args);
    check_success(&output);
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert!(svg_text.contains("<svg"), "not an SVG");
    let folded = std::fs::read_to_string(dir.join("profile.folded")).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    folded
        .lines()
        .map(|line| {
            let (stack, count) = line.rsplit_once(' ').expect("`STACK COUNT`");
            (stack.to_string(), count.parse().expect("a count"))
        })
        .collect()
}

/// The share of samples whose stack is exactly `expected` (outermost first).
fn share_of(stacks: &[(String, u64)], expected: &str) -> f64 {
    let total: u64 = stacks.iter().map(|(_, n)| n).sum();
    let matching: u64 = stacks
        .iter()
        .filter(|(s, _)| s == expected)
        .map(|(_, n)| n)
        .sum();
    assert!(total >= 10, "only {total} samples: {stacks:?}");
    matching as f64 / total as f64
}

#[test]
fn guest_profile_names_the_hot_interpreted_function() {
    let stacks = guest_profile("interp", &["--tier", "interp"], INTERP_ITERATIONS);
    let share = share_of(&stacks, "run [interp];hot [interp]");
    assert!(share > 0.8, "{share}: {stacks:?}");
}

/// `run` calls `leaf` in a loop: the profile sees the interpreted callee's frame, and no frame
/// is left over or lost (every stack is `run` or `run;leaf`).
const CALLS_WAT: &str = r#"(module
  (func $leaf (param $x i64) (result i64)
    (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005))
             (i64.const 1442695040888963407)))
  (func $run (export "run") (param $n i64) (result i64)
    (local $acc i64)
    (block $done
      (loop $again
        (br_if $done (i64.eqz (local.get $n)))
        (local.set $acc (call $leaf (local.get $acc)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $again)))
    (local.get $acc)))
"#;

#[test]
fn guest_profile_names_an_interpreted_callee_and_keeps_its_stack_balanced() {
    let stacks = guest_profile_of("calls", CALLS_WAT, &["--tier", "interp"], "20000000");
    for (stack, _) in &stacks {
        assert!(
            stack == "run [interp]" || stack == "run [interp];leaf [interp]",
            "unexpected stack {stack:?}: {stacks:?}"
        );
    }
    // `leaf` is about a quarter of the work; under load the sampled share has been as low as
    // 0.18, so this only asserts that the callee's frame shows up in a fair share of samples.
    let share = share_of(&stacks, "run [interp];leaf [interp]");
    assert!(share > 0.1, "{share}: {stacks:?}");
}

#[test]
fn guest_profile_names_the_hot_compiled_function() {
    let stacks = guest_profile("jit", &["--tier", "jit"], JIT_ITERATIONS);
    let share = share_of(&stacks, "run [jit];hot [jit]");
    assert!(share > 0.8, "{share}: {stacks:?}");
}

#[test]
fn guest_profile_shows_the_tier_up() {
    // `hot`'s loop enters compiled code by OSR: its interpreted frame stays below the
    // compiled one (see `profile::guest`, "Known limits").
    let stacks = guest_profile("auto", &["--tier", "auto"], JIT_ITERATIONS);
    let share = share_of(&stacks, "run [interp];hot [interp];hot [jit]");
    assert!(share > 0.8, "{share}: {stacks:?}");
}

/// `run` (compiled) calls the host function `random_get` in a loop: the samples taken in the
/// host function show it as `(native)` on top of the compiled caller.
const HOST_CALLS_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $run (export "run") (param $n i64) (result i64)
    (block $done
      (loop $again
        (br_if $done (i64.eqz (local.get $n)))
        (drop (call $random_get (i32.const 0) (i32.const 16384)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $again)))
    (i64.const 0)))
"#;

#[test]
fn guest_profile_charges_host_calls_to_their_compiled_caller() {
    let stacks = guest_profile_of("host", HOST_CALLS_WAT, &["--tier", "jit"], "20000");
    let share = share_of(&stacks, "run [jit];(native)");
    assert!(share > 0.8, "{share}: {stacks:?}");
}

/// `run` (interpreted, called once) calls `mid` once; `mid`'s loop is hot and enters compiled
/// code by OSR; every 64th iteration it calls `leaf`, a long straight-line function called too
/// rarely to be compiled. The samples in `leaf` show the whole mixed stack: interpreted `leaf`
/// on compiled `mid` on interpreted `mid` and `run`.
fn mixed_tiers_wat() -> String {
    let mut leaf = String::new();
    for _ in 0..4000 {
        leaf.push_str(
            "(local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005)) (i64.const 1442695040888963407)))\n",
        );
    }
    format!(
        r#"(module
  (func $leaf (param $x i64) (result i64)
    {leaf}
    (local.get $x))
  (func $mid (param $n i64) (result i64)
    (local $acc i64)
    (block $done
      (loop $again
        (br_if $done (i64.eqz (local.get $n)))
        (if (i64.eqz (i64.and (local.get $n) (i64.const 63)))
          (then (local.set $acc (call $leaf (local.get $acc)))))
        (local.set $acc (i64.add (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $again)))
    (local.get $acc))
  (func $run (export "run") (param $n i64) (result i64)
    (call $mid (local.get $n))))
"#
    )
}

#[test]
fn guest_profile_walks_mixed_interpreted_and_compiled_stacks() {
    // 3,000,000 iterations: `mid` goes to tier 1 by OSR (loop threshold 100,000); `leaf` is
    // called 46,875 times, below the call threshold, so it stays interpreted.
    let stacks = guest_profile_of(
        "mixed",
        &mixed_tiers_wat(),
        &["--tier", "auto", "--jit-threshold", "100000"],
        "3000000",
    );
    let in_leaf: u64 = stacks
        .iter()
        .filter(|(s, _)| s.ends_with("leaf [interp]"))
        .map(|(_, n)| n)
        .sum();
    let share = share_of(&stacks, "run [interp];mid [interp];mid [jit];leaf [interp]");
    assert!(in_leaf >= 10, "{in_leaf} samples in leaf: {stacks:?}");
    assert!(share > 0.6, "{share}: {stacks:?}");
}

#[test]
fn a_bad_profile_value_is_an_error() {
    let dir = scratch_dir("bad");
    let module = hot_module(&dir);
    for bad in ["perf", "guest=", "jitdump=x"] {
        let (output, _) = wrun(
            &dir,
            &[
                "--profile",
                bad,
                "--invoke",
                "run",
                module.to_str().unwrap(),
                "1",
            ],
        );
        assert_eq!(output.status.code(), Some(1), "--profile {bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("error: --profile: "), "{stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sidecar_code_is_in_the_perf_map_and_the_guest_profile() {
    let dir = scratch_dir("sidecar");
    let module = hot_module(&dir);
    let module = module.to_str().unwrap();
    let sidecar = dir.join("hot.wrun");
    let sidecar = sidecar.to_str().unwrap();
    let (output, _) = wrun(&dir, &["compile", module, "-o", sidecar]);
    check_success(&output);
    let (output, pid) = wrun(
        &dir,
        &[
            "--profile",
            "perfmap",
            "--aot",
            sidecar,
            "--invoke",
            "run",
            module,
            "10",
        ],
    );
    check_success(&output);
    let map_path = PathBuf::from(format!("/tmp/perf-{pid}.map"));
    let map = std::fs::read_to_string(&map_path).unwrap();
    std::fs::remove_file(&map_path).ok();
    let mut names: Vec<&str> = map
        .lines()
        .filter_map(|l| l.splitn(3, ' ').nth(2))
        .collect();
    names.sort();
    assert_eq!(names, ["hot", "run", "wasm[1]"], "perf map:\n{map}");
    let stacks = guest_profile("sidecar-guest", &["--aot", sidecar], JIT_ITERATIONS);
    let share = share_of(&stacks, "run [aot];hot [aot]");
    assert!(share > 0.8, "{share}: {stacks:?}");
    std::fs::remove_dir_all(&dir).ok();
}
