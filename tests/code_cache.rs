//! The code cache that learns (`wrun::aot::cache`): a second run starts with the first run's
//! hot functions compiled and computes the same; damaged, truncated, foreign and stale entries,
//! symlinks and other users' files are refused with one warning and the run falls back (and
//! heals the entry); parallel runs leave a valid entry; `wrun cache`; the size bound.

mod common;
use common::{Scratch, wrun_cli};

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::Output;

use wrun::aot::CodeCache;
use wrun::aot::format::{self, Section};
use wrun::{Config, Engine, Linker, Module, Store, Val};

/// `run(n)` sums `sq(i)` for `i < n`: with `n` large its loop and `sq` get hot; `cold` is
/// called once and stays interpreted.
const HOT: &str = r#"(module
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $cold (result i32) (i32.const 7))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $sq (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $s) (call $cold))))"#;

/// Another module, for a foreign entry.
const OTHER: &str = r#"(module
  (func $f (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (call $f (local.get $i)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))"#;

/// The sum `run(N)` computes (wrapping, plus `cold`'s 7).
const N: u32 = 100_000;
fn expected(n: u32) -> String {
    let sum = (0..n).fold(0u32, |s, i| s.wrapping_add(i.wrapping_mul(i)));
    (sum.wrapping_add(7) as i32).to_string()
}

fn module_file(dir: &Scratch, name: &str, wat: &str) -> PathBuf {
    dir.write(name, wat::parse_str(wat).unwrap())
}

/// `wrun --cache-dir CACHE --stats --invoke run MODULE N`.
fn run(cache: &Path, module: &Path) -> Output {
    wrun_cli()
        .arg("--cache-dir")
        .arg(cache)
        .args(["--stats", "--invoke", "run"])
        .arg(module)
        .arg(N.to_string())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The value of the `--stats` line `name:` (e.g. "functions compiled").
fn stat(stderr: &str, name: &str) -> String {
    stderr
        .lines()
        .find_map(|line| line.trim_start().strip_prefix(&format!("{name}:")))
        .map(|rest| rest.trim().to_string())
        .unwrap_or_else(|| panic!("no {name:?} line in {stderr}"))
}

/// Checks a run's result and returns its stderr.
fn assert_ran(out: &Output) -> String {
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(text(&out.stdout).trim(), expected(N), "{stderr}");
    stderr
}

fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect()
}

/// The cache's entries.
fn entries(cache: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(cache)
        .map(|read| {
            read.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "wrun"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// The one entry of a cache that served one module.
fn only_entry(cache: &Path) -> PathBuf {
    let found = entries(cache);
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

/// A cold first run fills the cache; the second starts with the hot functions compiled
/// (compiling nothing) and computes the same.
fn warm(cache: &Path, module: &Path) {
    let first = assert_ran(&run(cache, module));
    assert!(warnings(&first).is_empty(), "{first}");
    assert_eq!(stat(&first, "functions compiled"), "2", "{first}");
    assert_eq!(
        stat(&first, "code cache"),
        "0 function(s) started compiled",
        "{first}"
    );
}

#[test]
fn the_second_run_starts_with_the_first_runs_hot_code() {
    let dir = Scratch::new("cache", "second");
    let module = module_file(&dir, "m.wasm", HOT);
    let cache = dir.file("cache");
    warm(&cache, &module);
    let entry = only_entry(&cache);
    let dir_mode = std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777;
    assert_eq!(dir_mode, 0o700);
    let file_mode = std::fs::metadata(&entry).unwrap().permissions().mode() & 0o777;
    assert_eq!(file_mode, 0o600);
    for round in 2..=3 {
        let stderr = assert_ran(&run(&cache, &module));
        assert!(warnings(&stderr).is_empty(), "{stderr}");
        assert_eq!(
            stat(&stderr, "code cache"),
            "2 function(s) started compiled",
            "run {round}: {stderr}"
        );
        assert_eq!(stat(&stderr, "functions compiled"), "0", "run {round}");
        // `N (N mapped ...)`: all the code there is came from the cache entry, none compiled.
        let code_line = stat(&stderr, "code bytes");
        let code: Vec<&str> = code_line.split(' ').collect();
        assert_eq!(code[0], &code[1][1..], "run {round}: {stderr}");
        assert_ne!(code[0], "0", "run {round}: {stderr}");
        // `run` is called once from the host and `cold` once: both interpreted.
        assert_eq!(stat(&stderr, "functions interpreted"), "1", "run {round}");
    }
    assert_eq!(only_entry(&cache), entry);
    // --no-cache neither reads nor writes it.
    let out = wrun_cli()
        .arg("--cache-dir")
        .arg(&cache)
        .args(["--no-cache"])
        .arg(&module)
        .output()
        .unwrap();
    assert!(!out.status.success(), "--cache-dir and --no-cache conflict");
    let out = wrun_cli()
        .args(["--no-cache", "--stats", "--invoke", "run"])
        .arg(&module)
        .arg(N.to_string())
        .output()
        .unwrap();
    let stderr = assert_ran(&out);
    assert_eq!(stat(&stderr, "code cache"), "not used");
    assert_eq!(stat(&stderr, "functions compiled"), "2");
}

/// Writes `bytes` over the module's entry, runs, and checks the one warning (with `reason`),
/// the result, and that the run healed the entry (the next run uses it).
fn assert_refused(cache: &Path, module: &Path, entry: &Path, bytes: &[u8], reason: &str) {
    std::fs::write(entry, bytes).unwrap();
    let stderr = assert_ran(&run(cache, module));
    let warned = warnings(&stderr);
    assert_eq!(warned.len(), 1, "{reason}: {stderr}");
    let prefix = format!("warning: ignoring code cache entry {}: ", entry.display());
    assert!(warned[0].starts_with(&prefix), "{stderr}");
    assert!(warned[0].contains(reason), "{reason:?} not in {stderr}");
    assert!(warned[0].ends_with("; running without it"), "{stderr}");
    assert_eq!(
        stat(&stderr, "code cache"),
        "0 function(s) started compiled"
    );
    assert_eq!(stat(&stderr, "functions compiled"), "2", "{stderr}");
    let healed = assert_ran(&run(cache, module));
    assert!(
        warnings(&healed).is_empty(),
        "{reason}: not healed: {healed}"
    );
    assert_eq!(
        stat(&healed, "code cache"),
        "2 function(s) started compiled"
    );
}

#[test]
fn damaged_truncated_foreign_and_stale_entries_fall_back() {
    let dir = Scratch::new("cache", "damaged");
    let module = module_file(&dir, "m.wasm", HOT);
    let cache = dir.file("cache");
    warm(&cache, &module);
    let entry = only_entry(&cache);
    let good = std::fs::read(&entry).unwrap();
    let (code_offset, _) = {
        let at = Section::Code.table_entry();
        let word = |at: usize| u64::from_le_bytes(good[at..at + 8].try_into().unwrap()) as usize;
        (word(at), word(at + 8))
    };

    for len in [0, 7, format::HEADER_LEN, good.len() / 2, good.len() - 1] {
        assert_refused(&cache, &module, &entry, &good[..len], "truncated");
    }
    for at in [
        format::OFF_CHECKSUM + 3,
        format::HEADER_LEN + 1,
        code_offset + 5,
    ] {
        let mut bytes = good.clone();
        bytes[at] ^= 0x5A;
        assert_refused(&cache, &module, &entry, &bytes, "checksum mismatch");
    }
    // Stale: another wrun version (re-sealed, so the version check itself refuses it).
    let mut stale = good.clone();
    let mut version = [0u8; format::WRUN_VERSION_LEN];
    version[..6].copy_from_slice(b"0.0.99");
    stale[format::OFF_WRUN_VERSION..][..version.len()].copy_from_slice(&version);
    wrun::aot::reseal(&mut stale);
    assert_refused(&cache, &module, &entry, &stale, "made by wrun 0.0.99");

    // Foreign: another module's entry under this module's name.
    let other_module = module_file(&dir, "other.wasm", OTHER);
    let other_cache = dir.file("other-cache");
    let out = run(&other_cache, &other_module);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let foreign = std::fs::read(only_entry(&other_cache)).unwrap();
    assert_refused(
        &cache,
        &module,
        &entry,
        &foreign,
        "compiled from another module",
    );
}

#[test]
fn symlinks_and_other_users_files_are_refused() {
    let dir = Scratch::new("cache", "symlinks");
    let module = module_file(&dir, "m.wasm", HOT);
    let cache = dir.file("cache");
    warm(&cache, &module);
    let entry = only_entry(&cache);
    let real = dir.file("planted.wrun");
    std::fs::rename(&entry, &real).unwrap();
    std::os::unix::fs::symlink(&real, &entry).unwrap();
    let stderr = assert_ran(&run(&cache, &module));
    let warned = warnings(&stderr);
    assert!(
        warned.first().is_some_and(|w| w.contains("is a symlink")),
        "{stderr}"
    );
    assert_eq!(
        stat(&stderr, "code cache"),
        "0 function(s) started compiled"
    );

    // A cache directory that is a symlink is not used at all.
    let linked = dir.file("linked-cache");
    std::os::unix::fs::symlink(&cache, &linked).unwrap();
    let stderr = assert_ran(&run(&linked, &module));
    assert!(
        warnings(&stderr).iter().any(|w| w.contains("is a symlink")),
        "{stderr}"
    );
    assert_eq!(
        stat(&stderr, "code cache"),
        "0 function(s) started compiled"
    );

    // An entry owned by another user (only root can make one).
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let fresh = dir.file("fresh-cache");
        warm(&fresh, &module);
        let entry = only_entry(&fresh);
        std::os::unix::fs::chown(&entry, Some(65534), Some(65534)).unwrap();
        let stderr = assert_ran(&run(&fresh, &module));
        assert!(
            warnings(&stderr)
                .first()
                .is_some_and(|w| w.contains("belongs to another user (uid 65534)")),
            "{stderr}"
        );
        assert_eq!(
            stat(&stderr, "code cache"),
            "0 function(s) started compiled"
        );
        // Replaced by this run's own file.
        assert_eq!(std::fs::metadata(&entry).unwrap().uid(), unsafe {
            libc::geteuid()
        });
    }
}

#[test]
fn parallel_runs_leave_a_valid_entry() {
    let dir = Scratch::new("cache", "parallel");
    let module = module_file(&dir, "m.wasm", HOT);
    let cache = dir.file("cache");
    let runs: Vec<_> = (0..6)
        .map(|_| {
            wrun_cli()
                .arg("--cache-dir")
                .arg(&cache)
                .args(["--stats", "--invoke", "run"])
                .arg(&module)
                .arg(N.to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in runs {
        let out = child.wait_with_output().unwrap();
        let stderr = assert_ran(&out);
        assert!(warnings(&stderr).is_empty(), "{stderr}");
    }
    only_entry(&cache);
    let leftovers: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let stderr = assert_ran(&run(&cache, &module));
    assert!(warnings(&stderr).is_empty(), "{stderr}");
    assert_eq!(
        stat(&stderr, "code cache"),
        "2 function(s) started compiled"
    );
}

#[test]
fn a_sidecar_beside_the_module_takes_precedence() {
    let dir = Scratch::new("cache", "sidecar");
    let module = module_file(&dir, "m.wasm", HOT);
    let cache = dir.file("cache");
    warm(&cache, &module);
    let out = wrun_cli().arg("compile").arg(&module).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = assert_ran(&run(&cache, &module));
    assert_eq!(stat(&stderr, "code cache"), "not used");
    assert!(stat(&stderr, "sidecar").starts_with("used"), "{stderr}");
}

#[test]
fn cache_subcommands() {
    let dir = Scratch::new("cache", "subcommands");
    let module = module_file(&dir, "m.wasm", HOT);
    let cache = dir.file("cache");
    let cache_cmd = |action: &str| {
        let out = wrun_cli()
            .args(["cache", action, "--cache-dir"])
            .arg(&cache)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    assert_eq!(cache_cmd("dir").trim(), cache.display().to_string());
    assert!(cache_cmd("stats").contains("entries:   0"));
    warm(&cache, &module);
    let size = std::fs::metadata(only_entry(&cache)).unwrap().len();
    let stats = cache_cmd("stats");
    assert!(stats.contains("entries:   1"), "{stats}");
    assert!(
        stats.contains(&format!("size:      {size} bytes")),
        "{stats}"
    );
    assert!(cache_cmd("clear").contains("removed 1 entries"));
    assert!(entries(&cache).is_empty());
    // Without any cache directory: an error, exit status 1.
    let out = wrun_cli().args(["cache", "dir"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no cache directory"));
}

/// Runs `run(N)` through the library with `cache`, then writes this run's hot code.
fn library_run(cache: &CodeCache, wat: &str) -> (Module, Option<usize>) {
    let engine = Engine::new(Config {
        code_cache: Some(cache.clone()),
        ..Config::default()
    });
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine);
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let run = instance.get_func(&store, "run").unwrap();
    run.call(&mut store, &[Val::I32(N as i32)]).unwrap();
    let written = module.update_code_cache().unwrap();
    (module, written)
}

#[test]
fn the_library_learns_and_the_size_bound_evicts_the_least_recently_used() {
    let dir = Scratch::new("cache", "library");
    let cache = CodeCache::new(dir.file("cache"));
    let (_, written) = library_run(&cache, HOT);
    assert_eq!(written, Some(2));
    let (module, written) = library_run(&cache, HOT);
    assert_eq!(written, None, "nothing new to learn");
    assert_eq!(module.tier_stats().from_cache, 2);
    assert_eq!(module.tier_stats().compiled, 0);

    // Bounded to one entry's size: writing the other module's entry evicts this one.
    let hot_entry = only_entry(cache.dir());
    let bound = std::fs::metadata(&hot_entry).unwrap().len();
    let bounded = CodeCache::new(dir.file("cache")).with_max_bytes(bound);
    let (_, written) = library_run(&bounded, OTHER);
    assert_eq!(written, Some(2), "`f` by calls, `run` by OSR");
    let left = only_entry(cache.dir());
    assert_ne!(left, hot_entry, "the least recently used entry goes");
}

/// Two functions learned in two runs, the later one lower in the module (so the entry's code
/// is not in function order), both run from the cache, and a trap in cached code has the
/// right backtrace.
const TWO_RUNS: &str = r#"(module $m
  (func $a (param i32) (result i32)
    (if (i32.eq (local.get 0) (i32.const -1)) (then unreachable))
    (i32.add (local.get 0) (i32.const 1)))
  (func $b (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "hot_b") (param $n i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $b (local.get $n))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
  (func (export "hot_a") (param $n i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $a (local.get $n))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
  (func $trap_a (export "trap_a") (result i32) (call $a (i32.const -1))))"#;

#[test]
fn runs_add_what_got_hot_and_cached_code_traps_like_compiled_code() {
    let dir = Scratch::new("cache", "two-runs");
    let module = module_file(&dir, "m.wasm", TWO_RUNS);
    let cache = dir.file("cache");
    let invoke = |export: &str, arg: Option<&str>| {
        let out = wrun_cli()
            .arg("--cache-dir")
            .arg(&cache)
            .args(["--stats", "--invoke", export])
            .arg(&module)
            .args(arg)
            .output()
            .unwrap();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    // sum of 2i for i in 1..=5000, then of i+1.
    let (status, stdout, stderr) = invoke("hot_b", Some("5000"));
    assert_eq!((status, stdout.trim()), (Some(0), "25005000"), "{stderr}");
    assert_eq!(
        stat(&stderr, "code cache"),
        "0 function(s) started compiled"
    );
    let (status, stdout, stderr) = invoke("hot_a", Some("5000"));
    assert_eq!((status, stdout.trim()), (Some(0), "12507500"), "{stderr}");
    assert_eq!(
        stat(&stderr, "code cache"),
        "2 function(s) started compiled"
    );
    assert_eq!(stat(&stderr, "functions compiled"), "2", "{stderr}");
    for (export, expected) in [("hot_b", "25005000"), ("hot_a", "12507500")] {
        let (status, stdout, stderr) = invoke(export, Some("5000"));
        assert_eq!((status, stdout.trim()), (Some(0), expected), "{stderr}");
        assert!(warnings(&stderr).is_empty(), "{stderr}");
        assert_eq!(
            stat(&stderr, "code cache"),
            "4 function(s) started compiled"
        );
        assert_eq!(stat(&stderr, "functions compiled"), "0", "{stderr}");
    }
    // `a` runs from the cache here (its record points at the cached code from the start).
    let (status, _, stderr) = invoke("trap_a", None);
    assert_eq!(status, Some(134), "{stderr}");
    assert!(stderr.contains("unreachable"), "{stderr}");
    let frame_a = stderr.find("m!a").expect("a's frame");
    let frame_trap = stderr.find("m!trap_a").expect("trap_a's frame");
    assert!(frame_a < frame_trap, "{stderr}");
}
