//! Unit tests: WASI calls against a `Vec<u8>` memory, as an engine would make them.

use super::*;
use std::sync::{Arc, RwLock};
use wasi_common::pipe::WritePipe;

const ERRNO_SUCCESS: u64 = 0;
const ERRNO_BADF: u64 = 8;
const ERRNO_LOOP: u64 = 32;
const ERRNO_NOENT: u64 = 44;
const ERRNO_PERM: u64 = 63;
const ERRNO_NOTCAPABLE: u64 = 76;

const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;
const OFLAG_CREAT: u64 = 1;
const LOOKUP_SYMLINK_FOLLOW: u64 = 1;
/// The first preopened directory's fd (0-2 are stdio).
const PREOPEN_FD: u64 = 3;

fn index_of(name: &str) -> usize {
    FUNCTIONS
        .iter()
        .position(|function| function.name == name)
        .unwrap_or_else(|| panic!("no WASI function {name}"))
}

/// Calls `name` with `args` and returns the errno.
fn call(wasi: &mut Wasi, memory: &mut [u8], name: &str, args: &[u64]) -> Result<u64, WasiTrap> {
    let mut slots = [0u64; 16];
    slots[..args.len()].copy_from_slice(args);
    assert_eq!(
        FUNCTIONS[index_of(name)].params.len(),
        args.len(),
        "{name} arity"
    );
    wasi.call(index_of(name), memory, &mut slots)?;
    Ok(slots[0])
}

fn read_u32(memory: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(memory[at..at + 4].try_into().unwrap())
}

fn write_u32(memory: &mut [u8], at: usize, value: u32) {
    memory[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn config_with_preopen(host: &std::path::Path) -> WasiConfig {
    WasiConfig {
        preopens: vec![(host.to_path_buf(), "/sandbox".into())],
        ..WasiConfig::default()
    }
}

/// `path_open(PREOPEN_FD, path)` with the path written at 1024; returns the errno and the fd.
fn path_open(
    wasi: &mut Wasi,
    memory: &mut [u8],
    path: &str,
    oflags: u64,
    rights: u64,
) -> (u64, u32) {
    path_open_with(wasi, memory, 0, path, oflags, rights)
}

/// `path_open` with lookup flags (`LOOKUP_SYMLINK_FOLLOW`).
fn path_open_with(
    wasi: &mut Wasi,
    memory: &mut [u8],
    lookup_flags: u64,
    path: &str,
    oflags: u64,
    rights: u64,
) -> (u64, u32) {
    memory[1024..1024 + path.len()].copy_from_slice(path.as_bytes());
    let errno = call(
        wasi,
        memory,
        "path_open",
        &[
            PREOPEN_FD,
            lookup_flags,
            1024,
            path.len() as u64,
            oflags,
            rights,
            rights,
            0,
            2048,
        ],
    )
    .expect("path_open does not trap");
    (errno, read_u32(memory, 2048))
}

#[test]
fn table_has_every_preview1_function_once() {
    assert_eq!(FUNCTIONS.len(), 46);
    let mut names: Vec<_> = FUNCTIONS.iter().map(|function| function.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 46);
    let path_open = &FUNCTIONS[index_of("path_open")];
    use WasiValType::{I32, I64};
    assert_eq!(
        path_open.params,
        &[I32, I32, I32, I32, I32, I64, I64, I32, I32]
    );
    assert_eq!(path_open.results, &[I32]);
    let proc_exit = &FUNCTIONS[index_of("proc_exit")];
    assert_eq!(proc_exit.params, &[I32]);
    assert!(proc_exit.results.is_empty());
    assert_eq!(
        FUNCTIONS[index_of("sched_yield")].params,
        &[] as &[WasiValType]
    );
}

#[test]
fn args_sizes_get_and_args_get() {
    let mut wasi = Wasi::new(WasiConfig {
        args: vec!["prog".into(), "hello".into()],
        ..WasiConfig::default()
    })
    .unwrap();
    let mut memory = vec![0u8; 4096];
    assert_eq!(
        call(&mut wasi, &mut memory, "args_sizes_get", &[0, 4]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(read_u32(&memory, 0), 2);
    assert_eq!(read_u32(&memory, 4), 11);
    assert_eq!(
        call(&mut wasi, &mut memory, "args_get", &[16, 64]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(read_u32(&memory, 16), 64);
    assert_eq!(read_u32(&memory, 20), 69);
    assert_eq!(&memory[64..75], b"prog\0hello\0");
}

#[test]
fn environ_sizes_get_and_environ_get() {
    let mut wasi = Wasi::new(WasiConfig {
        env: vec![("A".into(), "1".into()), ("B".into(), "two".into())],
        ..WasiConfig::default()
    })
    .unwrap();
    let mut memory = vec![0u8; 4096];
    assert_eq!(
        call(&mut wasi, &mut memory, "environ_sizes_get", &[0, 4]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(read_u32(&memory, 0), 2);
    assert_eq!(read_u32(&memory, 4), 10);
    assert_eq!(
        call(&mut wasi, &mut memory, "environ_get", &[16, 64]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(read_u32(&memory, 16), 64);
    assert_eq!(read_u32(&memory, 20), 68);
    assert_eq!(&memory[64..74], b"A=1\0B=two\0");
}

#[test]
fn fd_write_to_a_pipe_on_stdout() {
    let mut wasi = Wasi::new(WasiConfig::default()).unwrap();
    let output = Arc::new(RwLock::new(Vec::new()));
    wasi.ctx()
        .set_stdout(Box::new(WritePipe::from_shared(output.clone())));
    let mut memory = vec![0u8; 4096];
    // Two iovecs: "hello" and ", world".
    memory[100..105].copy_from_slice(b"hello");
    memory[200..207].copy_from_slice(b", world");
    write_u32(&mut memory, 0, 100);
    write_u32(&mut memory, 4, 5);
    write_u32(&mut memory, 8, 200);
    write_u32(&mut memory, 12, 7);
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_write", &[1, 0, 2, 300]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(read_u32(&memory, 300), 12);
    assert_eq!(output.read().unwrap().as_slice(), b"hello, world");
}

#[test]
fn stdio_is_a_sink_unless_inherited() {
    let mut wasi = Wasi::new(WasiConfig::default()).unwrap();
    let mut memory = vec![0u8; 4096];
    write_u32(&mut memory, 0, 100);
    write_u32(&mut memory, 4, 5);
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_write", &[1, 0, 1, 300]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(read_u32(&memory, 300), 5);
    // stdin is empty: a read returns 0 bytes.
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_read", &[0, 0, 1, 300]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(read_u32(&memory, 300), 0);
    // An fd that was never opened.
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_write", &[9, 0, 1, 300]),
        Ok(ERRNO_BADF)
    );
}

#[test]
fn path_open_reads_and_creates_files_in_a_preopen() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), "content").unwrap();
    let mut wasi = Wasi::new(config_with_preopen(dir.path())).unwrap();
    let mut memory = vec![0u8; 4096];

    // The preopen is announced under its guest name.
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_prestat_get", &[PREOPEN_FD, 0]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(read_u32(&memory, 4), "/sandbox".len() as u32);
    assert_eq!(
        call(
            &mut wasi,
            &mut memory,
            "fd_prestat_dir_name",
            &[PREOPEN_FD, 16, 8]
        ),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(&memory[16..24], b"/sandbox");

    let (errno, fd) = path_open(&mut wasi, &mut memory, "hello.txt", 0, RIGHT_FD_READ);
    assert_eq!(errno, ERRNO_SUCCESS);
    write_u32(&mut memory, 0, 100);
    write_u32(&mut memory, 4, 64);
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_read", &[fd.into(), 0, 1, 8]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(read_u32(&memory, 8), 7);
    assert_eq!(&memory[100..107], b"content");
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_close", &[fd.into()]),
        Ok(ERRNO_SUCCESS)
    );

    let (errno, fd) = path_open(
        &mut wasi,
        &mut memory,
        "new.txt",
        OFLAG_CREAT,
        RIGHT_FD_WRITE,
    );
    assert_eq!(errno, ERRNO_SUCCESS);
    memory[100..103].copy_from_slice(b"new");
    write_u32(&mut memory, 0, 100);
    write_u32(&mut memory, 4, 3);
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_write", &[fd.into(), 0, 1, 8]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_close", &[fd.into()]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(std::fs::read(dir.path().join("new.txt")).unwrap(), b"new");

    let (errno, _) = path_open(&mut wasi, &mut memory, "missing.txt", 0, RIGHT_FD_READ);
    assert_eq!(errno, ERRNO_NOENT);
}

#[test]
fn escapes_from_a_preopen_get_an_errno() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("outside.txt"), "secret").unwrap();
    let sandbox = outer.path().join("sandbox");
    std::fs::create_dir(&sandbox).unwrap();
    std::os::unix::fs::symlink("../outside.txt", sandbox.join("relative_link")).unwrap();
    std::os::unix::fs::symlink(
        outer.path().join("outside.txt"),
        sandbox.join("absolute_link"),
    )
    .unwrap();
    let mut wasi = Wasi::new(config_with_preopen(&sandbox)).unwrap();
    let mut memory = vec![0u8; 4096];
    let paths = [
        "../outside.txt",
        "/etc/passwd",
        "relative_link",
        "absolute_link",
        "a/../../outside.txt",
    ];
    for lookup_flags in [0, LOOKUP_SYMLINK_FOLLOW] {
        for path in paths {
            let (errno, _) =
                path_open_with(&mut wasi, &mut memory, lookup_flags, path, 0, RIGHT_FD_READ);
            // A symlink not followed is ELOOP; one followed out, or `..` out, is ENOTCAPABLE or
            // EPERM; `a` doesn't exist.
            assert!(
                [ERRNO_NOTCAPABLE, ERRNO_PERM, ERRNO_NOENT, ERRNO_LOOP].contains(&errno),
                "opening {path} (lookup flags {lookup_flags}) gave errno {errno}"
            );
        }
    }
    // A symlink that stays inside opens, so the errors above are the sandbox's doing.
    std::fs::write(sandbox.join("inside.txt"), "ok").unwrap();
    std::os::unix::fs::symlink("inside.txt", sandbox.join("inside_link")).unwrap();
    let (errno, _) = path_open_with(
        &mut wasi,
        &mut memory,
        LOOKUP_SYMLINK_FOLLOW,
        "inside_link",
        0,
        RIGHT_FD_READ,
    );
    assert_eq!(errno, ERRNO_SUCCESS);
}

#[test]
fn proc_exit_ends_the_run_with_its_status() {
    let mut wasi = Wasi::new(WasiConfig::default()).unwrap();
    let mut memory = vec![0u8; 16];
    assert_eq!(
        call(&mut wasi, &mut memory, "proc_exit", &[0]),
        Err(WasiTrap::Exit(0))
    );
    assert_eq!(
        call(&mut wasi, &mut memory, "proc_exit", &[42]),
        Err(WasiTrap::Exit(42))
    );
    assert!(matches!(
        call(&mut wasi, &mut memory, "proc_exit", &[200]),
        Err(WasiTrap::Trap(_))
    ));
}

#[test]
fn bad_guest_pointers_trap() {
    let mut wasi = Wasi::new(WasiConfig {
        args: vec!["prog".into()],
        ..WasiConfig::default()
    })
    .unwrap();
    wasi.ctx().set_stdout(Box::new(WritePipe::new_in_memory()));
    let mut memory = vec![0u8; 64];
    let trap = call(&mut wasi, &mut memory, "args_sizes_get", &[0xffff_fff0, 0]).unwrap_err();
    assert!(
        matches!(&trap, WasiTrap::Trap(message) if message.contains("args_sizes_get")),
        "{trap:?}"
    );
    // An iovec whose buffer is past the end of memory.
    write_u32(&mut memory, 0, 60);
    write_u32(&mut memory, 4, 100);
    assert!(matches!(
        call(&mut wasi, &mut memory, "fd_write", &[1, 0, 1, 8]),
        Err(WasiTrap::Trap(_))
    ));
    // No memory at all.
    assert!(matches!(
        call(&mut wasi, &mut [], "args_sizes_get", &[0, 4]),
        Err(WasiTrap::Trap(_))
    ));
}

#[test]
fn bad_index_or_too_few_slots_trap() {
    let mut wasi = Wasi::new(WasiConfig::default()).unwrap();
    let mut memory = vec![0u8; 64];
    assert!(matches!(
        wasi.call(FUNCTIONS.len(), &mut memory, &mut [0; 16]),
        Err(WasiTrap::Trap(_))
    ));
    assert!(matches!(
        wasi.call(index_of("path_open"), &mut memory, &mut [0; 3]),
        Err(WasiTrap::Trap(_))
    ));
}

#[test]
fn a_bad_preopen_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let error = Wasi::new(config_with_preopen(&missing)).unwrap_err();
    assert!(format!("{error:#}").contains("missing"), "{error:#}");
    let file = dir.path().join("file.txt");
    std::fs::write(&file, "").unwrap();
    let error = Wasi::new(config_with_preopen(&file)).unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("file.txt") && message.contains("not a directory"),
        "{message}"
    );
}

#[test]
fn clock_and_random_work() {
    let mut wasi = Wasi::new(WasiConfig::default()).unwrap();
    let mut memory = vec![0u8; 64];
    assert_eq!(
        call(&mut wasi, &mut memory, "clock_time_get", &[0, 1, 8]),
        Ok(ERRNO_SUCCESS)
    );
    assert!(u64::from_le_bytes(memory[8..16].try_into().unwrap()) > 0);
    assert_eq!(
        call(&mut wasi, &mut memory, "random_get", &[16, 32]),
        Ok(ERRNO_SUCCESS)
    );
    assert!(memory[16..48].iter().any(|&byte| byte != 0));
    assert_eq!(
        call(&mut wasi, &mut memory, "sched_yield", &[]),
        Ok(ERRNO_SUCCESS)
    );
}

#[test]
fn path_open_with_trunc_and_append_truncates_then_appends() {
    const OFLAG_TRUNC: u64 = 8;
    const FDFLAG_APPEND: u64 = 1;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("log.txt"), "old contents").unwrap();
    let mut wasi = Wasi::new(config_with_preopen(dir.path())).unwrap();
    let mut memory = vec![0u8; 4096];
    let path = "log.txt";
    memory[1024..1024 + path.len()].copy_from_slice(path.as_bytes());
    let rights = RIGHT_FD_WRITE | RIGHT_FD_READ;
    let args = [
        PREOPEN_FD,
        0,
        1024,
        path.len() as u64,
        OFLAG_CREAT | OFLAG_TRUNC,
        rights,
        rights,
        FDFLAG_APPEND,
        2048,
    ];
    assert_eq!(
        call(&mut wasi, &mut memory, "path_open", &args),
        Ok(ERRNO_SUCCESS)
    );
    let fd = u64::from(read_u32(&memory, 2048));
    // fdstat reports APPEND; two writes separated by a seek to 0 both land at the end.
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_fdstat_get", &[fd, 256]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(memory[258] & 1, 1, "fs_flags has APPEND");
    memory[100..102].copy_from_slice(b"ab");
    write_u32(&mut memory, 0, 100);
    write_u32(&mut memory, 4, 2);
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_write", &[fd, 0, 1, 8]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_seek", &[fd, 0, 0, 16]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_write", &[fd, 0, 1, 8]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_close", &[fd]),
        Ok(ERRNO_SUCCESS)
    );
    assert_eq!(std::fs::read(dir.path().join("log.txt")).unwrap(), b"abab");
}

#[test]
fn socket_calls_on_a_file_say_notsock() {
    const ERRNO_NOTSOCK: u64 = 57;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file.txt"), "").unwrap();
    let mut wasi = Wasi::new(config_with_preopen(dir.path())).unwrap();
    let mut memory = vec![0u8; 4096];
    let (errno, fd) = path_open(&mut wasi, &mut memory, "file.txt", 0, RIGHT_FD_READ);
    assert_eq!(errno, ERRNO_SUCCESS);
    assert_eq!(
        call(&mut wasi, &mut memory, "sock_shutdown", &[fd.into(), 3]),
        Ok(ERRNO_NOTSOCK)
    );
    assert_eq!(
        call(&mut wasi, &mut memory, "sock_shutdown", &[PREOPEN_FD, 3]),
        Ok(ERRNO_NOTSOCK)
    );
    // An fd that isn't open stays EBADF.
    assert_eq!(
        call(&mut wasi, &mut memory, "sock_shutdown", &[99, 3]),
        Ok(ERRNO_BADF)
    );
}

#[test]
fn fd_fdstat_set_rights_is_not_supported() {
    const ERRNO_NOTSUP: u64 = 58;
    let dir = tempfile::tempdir().unwrap();
    let mut wasi = Wasi::new(config_with_preopen(dir.path())).unwrap();
    let mut memory = vec![0u8; 4096];
    assert_eq!(
        call(
            &mut wasi,
            &mut memory,
            "fd_fdstat_set_rights",
            &[PREOPEN_FD, 0, 0]
        ),
        Ok(ERRNO_NOTSUP)
    );
    assert_eq!(
        call(&mut wasi, &mut memory, "fd_fdstat_set_rights", &[99, 0, 0]),
        Ok(ERRNO_BADF)
    );
}
