//! The `wrun` binary running WASI programs (the C programs of `tests/c/`, built by
//! `scripts/build-c-tests.sh`), as a user runs them: files in granted directories, argv and
//! environment, exit statuses, sandbox escapes, and every way a run fails before or during the
//! guest (a one-line message naming the culprit and status 1, or status 134 for a trap).

mod common;
use common::Scratch;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// Exit status of a run that trapped (128 + SIGABRT, as wasmtime).
const TRAP_STATUS: i32 = 134;
/// Exit status of a run whose host call failed (wasmtime's too).
const HOST_ERROR_STATUS: i32 = 1;

fn c_program(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/c")
        .join(format!("{name}.wasm"))
}

impl Scratch {
    /// Writes a module given as wasm text, as a binary.
    fn module(&self, name: &str, wat: &str) -> PathBuf {
        self.write(name, wat::parse_str(wat).expect("test module parses"))
    }
}

/// Runs `wrun ARGS` in `cwd` with `stdin` as standard input and no inherited environment.
fn wrun_with(args: &[&str], cwd: &Path, stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = common::wrun_cli()
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wrun");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait for wrun")
}

fn wrun(args: &[&str], cwd: &Path) -> Output {
    wrun_with(args, cwd, b"")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn status(output: &Output) -> i32 {
    output.status.code().expect("wrun exited (no signal)")
}

/// The run succeeded with exactly this output.
#[track_caller]
fn assert_success(output: &Output, expected_stdout: &str) {
    assert_eq!(
        (status(output), stdout(output).as_str()),
        (0, expected_stdout),
        "stderr: {}",
        stderr(output)
    );
}

/// The run stopped before the guest did anything: status 1 and one line on stderr that
/// mentions every one of `names`.
#[track_caller]
fn assert_setup_error(output: &Output, names: &[&str]) {
    let message = stderr(output);
    assert_eq!(status(output), 1, "stderr: {message}");
    assert_eq!(stdout(output), "");
    assert_eq!(
        message.trim_end().lines().count(),
        1,
        "one line: {message:?}"
    );
    for name in names {
        assert!(message.contains(name), "{message:?} names {name:?}");
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("scratch paths are UTF-8")
}

#[test]
fn cat_reads_a_file_in_a_dir_granted_as_root() {
    let scratch = Scratch::new("wasi-cli", "cat-root");
    scratch.write("data/hello.txt", "hello, world\n");
    let dir = format!("{}::/", path_str(&scratch.path().join("data")));
    let cat = c_program("cat");
    let output = wrun(
        &["--dir", &dir, path_str(&cat), "/hello.txt"],
        scratch.path(),
    );
    assert_success(&output, "hello, world\n");
}

#[test]
fn cat_reads_relative_paths_in_a_dir_granted_as_dot() {
    let scratch = Scratch::new("wasi-cli", "cat-dot");
    scratch.write("a.txt", "first\n");
    scratch.write("sub/b.txt", "second\n");
    let cat = c_program("cat");
    let output = wrun(
        &["--dir", ".", path_str(&cat), "a.txt", "sub/b.txt"],
        scratch.path(),
    );
    assert_success(&output, "first\nsecond\n");
}

#[test]
fn cat_copies_stdin() {
    let scratch = Scratch::new("wasi-cli", "cat-stdin");
    let cat = c_program("cat");
    let output = wrun_with(&[path_str(&cat)], scratch.path(), b"from stdin\n");
    assert_success(&output, "from stdin\n");
}

#[test]
fn cat_reports_a_missing_file() {
    let scratch = Scratch::new("wasi-cli", "cat-missing");
    let cat = c_program("cat");
    let output = wrun(
        &["--dir", ".", path_str(&cat), "missing.txt"],
        scratch.path(),
    );
    assert_eq!(status(&output), 1);
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("cat: missing.txt: No such file or directory"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn ls_lists_a_granted_dir() {
    let scratch = Scratch::new("wasi-cli", "ls");
    scratch.write("box/b.txt", "");
    scratch.write("box/a.txt", "");
    scratch.write("box/sub/inner.txt", "");
    let dir = format!("{}::/box", path_str(&scratch.path().join("box")));
    let ls = c_program("ls");
    let output = wrun(&["--dir", &dir, path_str(&ls), "/box"], scratch.path());
    assert_success(&output, "a.txt\nb.txt\nsub/\n");
    let output = wrun(&["--dir", &dir, path_str(&ls), "/box/sub"], scratch.path());
    assert_success(&output, "inner.txt\n");
}

#[test]
fn cp_copies_a_file_within_a_granted_dir() {
    let scratch = Scratch::new("wasi-cli", "cp");
    let contents: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    scratch.write("box/source.bin", &contents);
    let dir = format!("{}::/", path_str(&scratch.path().join("box")));
    let cp = c_program("cp");
    let output = wrun(
        &["--dir", &dir, path_str(&cp), "/source.bin", "/copy.bin"],
        scratch.path(),
    );
    assert_success(&output, "");
    let copied = std::fs::read(scratch.path().join("box/copy.bin")).expect("the copy exists");
    assert!(copied == contents, "the copy has the same bytes");
}

#[test]
fn args_and_env_reach_the_guest_and_nothing_else() {
    let scratch = Scratch::new("wasi-cli", "echo");
    let echo = c_program("echo_env_args");
    let module = path_str(&echo);
    let output = wrun(
        &[
            "--env",
            "GREETING=hello there",
            "--env",
            "EMPTY=",
            module,
            "one",
            "two words",
            "--not-a-flag",
        ],
        scratch.path(),
    );
    let expected = format!(
        "argc=4\nargv[0]={module}\nargv[1]=one\nargv[2]=two words\nargv[3]=--not-a-flag\n\
         env GREETING=hello there\nenv EMPTY=\n"
    );
    assert_success(&output, &expected);
}

#[test]
fn argv0_can_be_set() {
    let scratch = Scratch::new("wasi-cli", "argv0");
    let echo = c_program("echo_env_args");
    let output = wrun(&["--argv0", "prog", path_str(&echo), "x"], scratch.path());
    assert_success(&output, "argc=2\nargv[0]=prog\nargv[1]=x\n");
}

#[test]
fn exit_statuses_pass_through() {
    let scratch = Scratch::new("wasi-cli", "exit");
    let exit_code = c_program("exit_code");
    for code in [0, 1, 2, 42, 125] {
        let output = wrun(&[path_str(&exit_code), &code.to_string()], scratch.path());
        assert_eq!(status(&output), code, "stderr: {}", stderr(&output));
        assert_eq!(stdout(&output), "");
        assert_eq!(stderr(&output), "", "proc_exit is not an error");
    }
}

#[test]
fn sandbox_escapes_get_an_errno_not_the_file() {
    let scratch = Scratch::new("wasi-cli", "sandbox");
    let outside = scratch.write("outside.txt", "SECRET outside the sandbox\n");
    let sandbox = scratch.path().join("sandbox");
    scratch.write("sandbox/inside.txt", "inside\n");
    std::os::unix::fs::symlink("../outside.txt", sandbox.join("escape_link")).expect("symlink");
    std::os::unix::fs::symlink(&outside, sandbox.join("absolute_link")).expect("symlink");
    let probe = c_program("sandbox_probe");
    let escapes = [
        "../outside.txt",
        "/etc/passwd",
        "escape_link",
        "absolute_link",
        "sub/../../outside.txt",
        path_str(&outside),
    ];
    for grant in [".", ".::/"] {
        let mut args = vec!["--dir", grant, path_str(&probe)];
        args.extend(escapes);
        let output = wrun(&args, &sandbox);
        let text = stdout(&output);
        assert_eq!(
            status(&output),
            0,
            "nothing opened: {text} {}",
            stderr(&output)
        );
        assert!(
            !text.contains("SECRET") && !text.contains("root:"),
            "{text}"
        );
        assert_eq!(text.lines().count(), escapes.len(), "{text}");
        for line in text.lines() {
            assert!(line.contains(": error: "), "{line}");
        }
    }
    // The probe does open what is inside, so the errors above are the sandbox's doing.
    let output = wrun(&["--dir", ".", path_str(&probe), "inside.txt"], &sandbox);
    assert_eq!(status(&output), 1);
    assert_eq!(stdout(&output), "inside.txt: opened: inside\n");
}

#[test]
fn without_a_grant_no_file_is_visible() {
    let scratch = Scratch::new("wasi-cli", "no-grant");
    scratch.write("visible.txt", "x");
    let probe = c_program("sandbox_probe");
    let output = wrun(
        &[path_str(&probe), "visible.txt", "/etc/passwd", "."],
        scratch.path(),
    );
    assert_eq!(status(&output), 0, "{}", stdout(&output));
    assert_eq!(
        stdout(&output).matches(": error: ").count(),
        3,
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_missing_module_file_is_named() {
    let scratch = Scratch::new("wasi-cli", "missing-module");
    let output = wrun(&["no_such_module.wasm"], scratch.path());
    assert_setup_error(&output, &["no_such_module.wasm"]);
}

#[test]
fn a_file_that_is_not_wasm_is_named() {
    let scratch = Scratch::new("wasi-cli", "not-wasm");
    scratch.write("notes.txt", "just some notes, not a module\n");
    scratch.write("noise.bin", [0xffu8, 0xfe, 0x00, 0x01, 0x80, 0x81]);
    let output = wrun(&["notes.txt"], scratch.path());
    assert_setup_error(&output, &["notes.txt"]);
    let output = wrun(&["noise.bin"], scratch.path());
    assert_setup_error(&output, &["noise.bin"]);
}

#[test]
fn an_invalid_module_is_named() {
    let scratch = Scratch::new("wasi-cli", "invalid");
    // A type section cut short.
    scratch.write("truncated.wasm", b"\0asm\x01\0\0\0\x01\x05\x01\x60");
    let output = wrun(&["truncated.wasm"], scratch.path());
    assert_setup_error(&output, &["truncated.wasm"]);
    // Well formed, but `i32.add` of nothing does not validate.
    scratch.module(
        "invalid.wasm",
        r#"(module (func (export "_start") (drop (i32.add))))"#,
    );
    let output = wrun(&["invalid.wasm"], scratch.path());
    assert_setup_error(&output, &["invalid.wasm"]);
}

#[test]
fn an_unknown_import_is_named() {
    let scratch = Scratch::new("wasi-cli", "unknown-import");
    scratch.module(
        "env.wasm",
        r#"(module (import "env" "missing_function" (func)) (func (export "_start")))"#,
    );
    let output = wrun(&["env.wasm"], scratch.path());
    assert_setup_error(&output, &["env", "missing_function"]);
    scratch.module(
        "wasi.wasm",
        r#"(module (import "wasi_snapshot_preview1" "no_such_call" (func)) (func (export "_start")))"#,
    );
    let output = wrun(&["wasi.wasm"], scratch.path());
    assert_setup_error(&output, &["wasi_snapshot_preview1", "no_such_call"]);
}

#[test]
fn a_wasi_import_with_the_wrong_signature_is_an_error() {
    let scratch = Scratch::new("wasi-cli", "wrong-signature");
    scratch.module(
        "wrong.wasm",
        r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
                   (func (export "_start")))"#,
    );
    let output = wrun(&["wrong.wasm"], scratch.path());
    assert_setup_error(&output, &["fd_write"]);
}

#[test]
fn a_missing_preopen_is_named() {
    let scratch = Scratch::new("wasi-cli", "missing-preopen");
    let echo = c_program("echo_env_args");
    let output = wrun(
        &["--dir", "no_such_dir::/", path_str(&echo)],
        scratch.path(),
    );
    assert_setup_error(&output, &["no_such_dir"]);
    scratch.write("plain_file", "");
    let output = wrun(&["--dir", "plain_file", path_str(&echo)], scratch.path());
    assert_setup_error(&output, &["plain_file"]);
}

#[test]
fn a_trap_exits_134_after_the_output_so_far() {
    let scratch = Scratch::new("wasi-cli", "trap");
    let trap = c_program("trap");
    let output = wrun(&[path_str(&trap)], scratch.path());
    assert_eq!(status(&output), TRAP_STATUS, "stderr: {}", stderr(&output));
    assert_eq!(stdout(&output), "about to trap\n");
    assert!(
        stderr(&output).contains("unreachable"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn proc_exit_from_a_hand_written_module() {
    let scratch = Scratch::new("wasi-cli", "proc-exit");
    scratch.module(
        "exit7.wasm",
        r#"(module
             (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (func (export "_start") (call $exit (i32.const 7)) unreachable))"#,
    );
    let output = wrun(&["exit7.wasm"], scratch.path());
    assert_eq!(status(&output), 7, "stderr: {}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

#[test]
fn fd_write_from_a_hand_written_module() {
    let scratch = Scratch::new("wasi-cli", "fd-write");
    scratch.module(
        "hello.wasm",
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write"
               (func $fd_write (param i32 i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 16) "hello\n")
             (func (export "_start")
               (i32.store (i32.const 0) (i32.const 16))
               (i32.store (i32.const 4) (i32.const 6))
               (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
                 (then unreachable))))"#,
    );
    let output = wrun(&["hello.wasm"], scratch.path());
    assert_success(&output, "hello\n");
}

#[test]
fn a_wasi_pointer_out_of_bounds_traps() {
    let scratch = Scratch::new("wasi-cli", "bad-pointer");
    scratch.module(
        "bad.wasm",
        r#"(module
             (import "wasi_snapshot_preview1" "args_sizes_get"
               (func $args_sizes_get (param i32 i32) (result i32)))
             (memory (export "memory") 1)
             (func (export "_start")
               (drop (call $args_sizes_get (i32.const 0xfffffff0) (i32.const 0)))))"#,
    );
    // A host error, not a wasm trap: status 1, as wasmtime.
    let output = wrun(&["bad.wasm"], scratch.path());
    assert_eq!(
        status(&output),
        HOST_ERROR_STATUS,
        "stderr: {}",
        stderr(&output)
    );
    assert!(
        stderr(&output).starts_with("error: ") && stderr(&output).contains("args_sizes_get"),
        "{}",
        stderr(&output)
    );
}

/// The ways to run a module: each tier, and from a sidecar written by `wrun compile`.
const RUN_MODES: [&str; 4] = ["interp", "jit", "auto", "aot"];

/// Runs `module` (in `scratch`) with `args` in `mode` (one of [`RUN_MODES`]).
fn wrun_in_mode(mode: &str, scratch: &Scratch, module: &str, args: &[&str]) -> Output {
    let sidecar = format!("{module}.{mode}.wrun");
    let mut full: Vec<&str> = Vec::new();
    if mode == "aot" {
        let compiled = wrun(&["compile", module, "-o", &sidecar], scratch.path());
        assert_eq!(status(&compiled), 0, "compile: {}", stderr(&compiled));
        full.extend(["--aot", &sidecar]);
    } else {
        full.extend(["--no-aot", "--tier", mode]);
    }
    full.push(module);
    full.extend(args);
    wrun(&full, scratch.path())
}

/// A module whose `_start` calls `proc_exit` with `status`.
fn exit_module(status: i32) -> String {
    format!(
        r#"(module
             (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (func (export "_start") (call $exit (i32.const {status})) unreachable))"#
    )
}

#[test]
fn exit_statuses_are_wasmtimes_on_every_tier() {
    let scratch = Scratch::new("wasi-cli", "exit-statuses");
    // proc_exit(n): n for 0..126; any other status is a host error (wasmtime: "exit with
    // invalid exit status outside of [0..126)"), status 1.
    let cases = [(0, 0), (7, 7), (125, 125), (126, 1), (255, 1), (-1, 1)];
    for (code, expected) in cases {
        let name = format!("exit{}.wasm", code as u32);
        scratch.module(&name, &exit_module(code));
        for mode in RUN_MODES {
            let output = wrun_in_mode(mode, &scratch, &name, &[]);
            assert_eq!(
                status(&output),
                expected,
                "{mode}, proc_exit({code}): {}",
                stderr(&output)
            );
            if expected == code {
                assert_eq!(stderr(&output), "", "{mode}, proc_exit({code})");
            } else {
                assert!(
                    stderr(&output).starts_with("error: "),
                    "{mode}, proc_exit({code}): {}",
                    stderr(&output)
                );
            }
        }
    }
    // A wasm trap: 134, with the trap's message.
    scratch.module(
        "trap.wasm",
        r#"(module (memory (export "memory") 1) (func (export "_start") unreachable))"#,
    );
    for mode in RUN_MODES {
        let output = wrun_in_mode(mode, &scratch, "trap.wasm", &[]);
        assert_eq!(status(&output), TRAP_STATUS, "{mode}: {}", stderr(&output));
        assert!(
            stderr(&output).starts_with("wasm trap: unreachable"),
            "{mode}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_runaway_recursion_prints_a_trimmed_backtrace_on_every_tier() {
    let scratch = Scratch::new("wasi-cli", "runaway");
    scratch.module(
        "runaway.wasm",
        r#"(module
             (memory (export "memory") 1)
             (func $down (param i32) (result i32)
               (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
             (func (export "_start") (drop (call $down (i32.const 0)))))"#,
    );
    let mut omitted = Vec::new();
    for mode in RUN_MODES {
        let output = wrun_in_mode(mode, &scratch, "runaway.wasm", &[]);
        let message = stderr(&output);
        assert_eq!(status(&output), TRAP_STATUS, "{mode}: {message}");
        let lines: Vec<&str> = message.lines().collect();
        omitted.push(lines.get(32).map(|l| l.trim().to_string()));
        assert_eq!(lines[0], "wasm trap: call stack exhausted", "{mode}");
        assert_eq!(lines[1], "wasm backtrace:", "{mode}");
        // 30 innermost frames, the omission line, 20 outermost.
        assert_eq!(lines.len(), 2 + 30 + 1 + 20, "{mode}: {message}");
        assert!(
            lines[32].contains("frames omitted"),
            "{mode}: {}",
            lines[32]
        );
        assert!(lines[2].trim_start().starts_with("0: "), "{mode}");
        assert!(
            lines.last().unwrap().contains("<wasm function 1>"),
            "{mode}"
        );
    }
    // The same depth, so the same number of frames, on every tier.
    assert!(omitted.windows(2).all(|w| w[0] == w[1]), "{omitted:?}");
}

#[test]
fn a_wasi_call_without_a_memory_export_is_an_error() {
    let scratch = Scratch::new("wasi-cli", "no-memory");
    scratch.module(
        "nomem.wasm",
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write"
               (func $fd_write (param i32 i32 i32 i32) (result i32)))
             (memory 1)
             (func (export "_start")
               (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))))"#,
    );
    for mode in RUN_MODES {
        let output = wrun_in_mode(mode, &scratch, "nomem.wasm", &[]);
        assert_eq!(
            status(&output),
            HOST_ERROR_STATUS,
            "{mode}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("missing required memory export `memory`"),
            "{mode}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn path_calls_on_stdio_fds_are_ebadf() {
    let scratch = Scratch::new("wasi-cli", "path-stdio");
    // path_open(fd, ...) and path_create_directory(fd, ...) on fd 0: the status is the errno.
    for (name, call) in [
        (
            "open",
            "(call $path_open (local.get 0) (i32.const 0) (i32.const 16) (i32.const 1) \
             (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 32))",
        ),
        (
            "mkdir",
            "(call $path_create_directory (local.get 0) (i32.const 16) (i32.const 1))",
        ),
    ] {
        let wat = format!(
            r#"(module
                 (import "wasi_snapshot_preview1" "path_open"
                   (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
                 (import "wasi_snapshot_preview1" "path_create_directory"
                   (func $path_create_directory (param i32 i32 i32) (result i32)))
                 (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                 (memory (export "memory") 1)
                 (data (i32.const 16) "x")
                 (func (export "_start") (local i32)
                   (call $exit {call})))"#
        );
        let module = format!("{name}.wasm");
        scratch.module(&module, &wat);
        let output = wrun(&[&module], scratch.path());
        // EBADF is 8.
        assert_eq!(status(&output), 8, "{name}: {}", stderr(&output));
    }
}

#[test]
fn a_dir_with_an_empty_guest_name_is_granted() {
    let scratch = Scratch::new("wasi-cli", "empty-guest");
    scratch.module(
        "nop.wasm",
        r#"(module (memory (export "memory") 1) (func (export "_start")))"#,
    );
    let output = wrun(&["--dir", ".::", "nop.wasm"], scratch.path());
    assert_success(&output, "");
}

#[test]
fn invoke_passes_extra_arguments_as_argv_to_a_function_without_parameters() {
    let scratch = Scratch::new("wasi-cli", "invoke-argv");
    scratch.module(
        "argc.wasm",
        r#"(module
             (import "wasi_snapshot_preview1" "args_sizes_get"
               (func $args_sizes_get (param i32 i32) (result i32)))
             (memory (export "memory") 1)
             (func (export "argc") (result i32)
               (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
               (i32.load (i32.const 0)))
             (func (export "add") (param i32 i32) (result i32)
               (i32.add (local.get 0) (local.get 1))))"#,
    );
    // argv is [argc.wasm, x, y]; the function takes no parameters, so nothing is parsed.
    let output = wrun(&["--invoke", "argc", "argc.wasm", "x", "y"], scratch.path());
    assert_success(&output, "3\n");
    // A function with parameters still takes them from ARGS, and checks their number.
    assert_success(
        &wrun(&["--invoke", "add", "argc.wasm", "2", "3"], scratch.path()),
        "5\n",
    );
    let output = wrun(&["--invoke", "add", "argc.wasm", "2"], scratch.path());
    assert_setup_error(&output, &["add", "2 argument"]);
}

#[test]
fn preload_offers_a_modules_exports_to_the_main_modules_imports() {
    let scratch = Scratch::new("wasi-cli", "preload");
    scratch.module(
        "stub.wasm",
        r#"(module (func (export "call") (param i32) (result i32)
             (i32.add (local.get 0) (i32.const 1))))"#,
    );
    scratch.module(
        "main.wasm",
        r#"(module
             (import "host" "call" (func $call (param i32) (result i32)))
             (func (export "run") (result i32) (call $call (i32.const 41))))"#,
    );
    for mode in ["interp", "jit", "auto"] {
        let output = wrun(
            &[
                "--tier",
                mode,
                "--preload",
                "host=stub.wasm",
                "--invoke",
                "run",
                "main.wasm",
            ],
            scratch.path(),
        );
        assert_success(&output, "42\n");
    }
    // Without it, the import is unknown; a bad spec is named.
    let output = wrun(&["--invoke", "run", "main.wasm"], scratch.path());
    assert_setup_error(&output, &["main.wasm", "host::call"]);
    let output = wrun(&["--preload", "host", "main.wasm"], scratch.path());
    assert_setup_error(&output, &["--preload", "NAME=PATH"]);
}
