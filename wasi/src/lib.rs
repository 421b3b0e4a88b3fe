//! WASI preview1 (`wasi_snapshot_preview1`) for wrun, over `wasi-common` and `cap-std`.
//!
//! This crate does not depend on the engine. It sees a guest's linear memory as `&mut [u8]` and
//! a call's arguments as `u64` slots (ARCHITECTURE.md, "WASI"), so an embedder wires it in with
//! one host function per entry of [`FUNCTIONS`]:
//!
//! ```no_run
//! use wrun_wasi::{FUNCTIONS, Wasi, WasiConfig, WasiTrap};
//!
//! let mut wasi = Wasi::new(WasiConfig {
//!     args: vec!["prog.wasm".into(), "hello".into()],
//!     env: vec![("HOME".into(), "/".into())],
//!     preopens: vec![(".".into(), ".".into())],
//!     inherit_stdio: true,
//! })?;
//! // For the import `wasi_snapshot_preview1.fd_write`:
//! let index = FUNCTIONS.iter().position(|f| f.name == "fd_write").unwrap();
//! let mut memory = vec![0u8; 65536];
//! // Arguments in slots[0..params] (i32 zero-extended), errno back in slots[0].
//! let mut slots = [1u64, 0, 0, 8];
//! match wasi.call(index, &mut memory, &mut slots) {
//!     Ok(()) => println!("errno {}", slots[0]),
//!     Err(WasiTrap::Exit(status)) => std::process::exit(status),
//!     Err(WasiTrap::Trap(message)) => eprintln!("trap: {message}"),
//! }
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! The API:
//! - [`WasiConfig`]: argv (including argv\[0\]), environment, preopened directories
//!   `(host path, guest path)`, and whether the guest inherits the host's stdin/stdout/stderr
//!   (when it doesn't, stdin reads as empty and stdout/stderr are discarded).
//! - [`Wasi::new`] builds the context; a preopen that doesn't exist or isn't a directory is an
//!   error naming it. Nothing of the host file system outside the preopens is visible: paths are
//!   resolved by `cap-std`, so `..`, absolute paths and symlinks can't leave a preopen.
//! - [`FUNCTIONS`]: the 46 functions of `wasi_snapshot_preview1` with their exact wasm
//!   signatures; [`Wasi::call`] runs the one at an index.
//! - [`WasiTrap`]: `Exit(status)` for `proc_exit(status)` with `status < 126` (a larger status is
//!   a trap, as in wasmtime: 126 and up mean "couldn't run" and signals to a shell);
//!   `Trap(message)` for a guest pointer out of bounds or misaligned and other fatal errors.
//!
//! `wasi-common`'s functions are `async` but never wait on anything in the `sync` flavour; they are
//! polled once with a no-op waker, and one that is still pending is reported as a trap.
//!
//! Where `wasi-common` 36 departs from POSIX or the WASI test suite, this crate adjusts the call
//! (`fixups.rs`, `stdin.rs`): `path_open` with `O_TRUNC | O_APPEND` works (cap-std refuses the
//! pair); the `sock_*` functions on an open non-socket fd say `ENOTSOCK` (not `EBADF`);
//! `fd_fdstat_set_rights` says `ENOTSUP` (rights are not enforced, so claiming success would lie);
//! `poll_oneoff` on a stdin that is `/dev/null` reports it readable instead of trapping.
//! Unix only (the stdin wrapper names `std::os::fd`).

use std::future::Future;
use std::path::PathBuf;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use anyhow::Context as _;
use wasi_common::snapshots::preview_1::wasi_snapshot_preview1 as preview1;
use wasi_common::sync::{Dir, WasiCtxBuilder, ambient_authority};
use wiggle::GuestMemory;

/// Re-exported so embedders can reach the context itself ([`Wasi::ctx`]), e.g. to redirect stdio.
pub use wasi_common;

/// The name of the import module every function of [`FUNCTIONS`] belongs to.
pub const MODULE_NAME: &str = "wasi_snapshot_preview1";

/// What a guest may see of the host.
#[derive(Clone, Debug, Default)]
pub struct WasiConfig {
    /// The guest's argv, argv\[0\] included.
    pub args: Vec<String>,
    /// The guest's environment, as `(name, value)` pairs.
    pub env: Vec<(String, String)>,
    /// Preopened directories: `(host path, guest path)`.
    pub preopens: Vec<(PathBuf, String)>,
    /// Give the guest the host's stdin, stdout and stderr as fds 0, 1 and 2.
    pub inherit_stdio: bool,
}

/// A wasm value type in a WASI function's signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasiValType {
    I32,
    I64,
}

/// One function of `wasi_snapshot_preview1` and its wasm signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WasiFunction {
    pub name: &'static str,
    pub params: &'static [WasiValType],
    pub results: &'static [WasiValType],
}

/// Why a WASI call ended the guest's run instead of returning an errno.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WasiTrap {
    /// `proc_exit(status)`.
    Exit(i32),
    /// A fatal error: a guest pointer out of bounds or misaligned, a bad function index, ...
    Trap(String),
}

impl std::fmt::Display for WasiTrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WasiTrap::Exit(status) => write!(f, "exit with status {status}"),
            WasiTrap::Trap(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for WasiTrap {}

/// A guest's WASI state: its argv, environment, open files and preopened directories.
pub struct Wasi {
    ctx: wasi_common::WasiCtx,
}

impl std::fmt::Debug for Wasi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wasi")
    }
}

impl Wasi {
    /// Builds the WASI context of one guest.
    pub fn new(config: WasiConfig) -> anyhow::Result<Wasi> {
        let mut builder = WasiCtxBuilder::new();
        for arg in &config.args {
            builder
                .arg(arg)
                .with_context(|| format!("WASI argument {arg:?}"))?;
        }
        for (name, value) in &config.env {
            builder
                .env(name, value)
                .with_context(|| format!("WASI environment variable {name:?}"))?;
        }
        if config.inherit_stdio {
            builder
                .stdin(Box::new(stdin::Stdin(wasi_common::sync::stdio::stdin())))
                .inherit_stdout()
                .inherit_stderr();
        }
        for (host, guest) in &config.preopens {
            let metadata = std::fs::metadata(host)
                .with_context(|| format!("preopened directory {}", host.display()))?;
            if !metadata.is_dir() {
                anyhow::bail!("preopened directory {}: not a directory", host.display());
            }
            let dir = Dir::open_ambient_dir(host, ambient_authority())
                .with_context(|| format!("preopened directory {}", host.display()))?;
            builder
                .preopened_dir(dir, guest)
                .with_context(|| format!("preopened directory {}", host.display()))?;
        }
        Ok(Wasi {
            ctx: builder.build(),
        })
    }

    /// The `wasi-common` context, for what [`WasiConfig`] doesn't cover (e.g. redirecting stdio
    /// with `set_stdout`).
    pub fn ctx(&self) -> &wasi_common::WasiCtx {
        &self.ctx
    }

    /// Calls `FUNCTIONS[index]`: its arguments are in `slots[0..params]` (an i32 zero-extended)
    /// and its errno is written to `slots[0]` (zero-extended). `memory` is the guest's memory 0
    /// (empty if it has none).
    pub fn call(
        &mut self,
        index: usize,
        memory: &mut [u8],
        slots: &mut [u64],
    ) -> Result<(), WasiTrap> {
        let function = FUNCTIONS
            .get(index)
            .ok_or_else(|| WasiTrap::Trap(format!("no WASI function with index {index}")))?;
        let needed = function.params.len().max(function.results.len());
        if slots.len() < needed {
            return Err(WasiTrap::Trap(format!(
                "{MODULE_NAME}.{} needs {needed} slots, got {}",
                function.name,
                slots.len()
            )));
        }
        match function.name {
            name if name.starts_with("path_") => {
                fixups::path_call(self, index, fixups::dir_fd_slots(name), memory, slots)
            }
            "fd_fdstat_set_rights" => fixups::fd_fdstat_set_rights(self, index, memory, slots),
            "sock_accept" | "sock_recv" | "sock_send" | "sock_shutdown" => {
                fixups::socket_call(self, index, memory, slots)
            }
            _ => self.call_common(index, memory, slots),
        }
    }

    /// Runs `wasi-common`'s implementation of `FUNCTIONS[index]` (`slots` is long enough).
    fn call_common(
        &mut self,
        index: usize,
        memory: &mut [u8],
        slots: &mut [u64],
    ) -> Result<(), WasiTrap> {
        let name = FUNCTIONS.get(index).map_or("?", |function| function.name);
        let mut memory = GuestMemory::Unshared(memory);
        let future = dispatch(&mut self.ctx, &mut memory, index, slots);
        let outcome = match pin!(future)
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(outcome) => outcome,
            Poll::Pending => {
                return Err(WasiTrap::Trap(format!(
                    "{MODULE_NAME}.{name} would block, which the synchronous host can't do"
                )));
            }
        };
        match outcome {
            Ok(Some(errno)) => {
                slots[0] = u64::from(errno as u32);
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(error) => Err(match error.downcast_ref::<wasi_common::I32Exit>() {
                Some(exit) => WasiTrap::Exit(exit.0),
                None => WasiTrap::Trap(format!("{MODULE_NAME}.{name}: {error:#}")),
            }),
        }
    }
}

/// Reads slot `$index` as the wasm type `$ty`.
macro_rules! slot {
    ($slots:ident, $index:expr, I32) => {
        $slots[$index] as u32 as i32
    };
    ($slots:ident, $index:expr, I64) => {
        $slots[$index] as i64
    };
}

/// Defines [`FUNCTIONS`] and the dispatcher from one list, so a table entry and the call it
/// makes can't disagree (the generated functions' parameter types check the signatures).
macro_rules! wasi_functions {
    ($(($index:literal) $name:ident($($param:ident),*) -> [$($result:ident)?];)*) => {
        /// Every function of `wasi_snapshot_preview1`, in the order of the witx file.
        pub static FUNCTIONS: &[WasiFunction] = &[
            $(WasiFunction {
                name: stringify!($name),
                params: &[$(WasiValType::$param),*],
                results: &[$(WasiValType::$result)?],
            },)*
        ];

        /// Runs function `index`; `Ok(None)` for a function without results.
        async fn dispatch(
            ctx: &mut wasi_common::WasiCtx,
            memory: &mut GuestMemory<'_>,
            index: usize,
            slots: &[u64],
        ) -> anyhow::Result<Option<i32>> {
            match index {
                $($index => {
                    let mut _next = 0usize..;
                    let errno = preview1::$name(
                        ctx,
                        memory,
                        $(slot!(slots, _next.next().unwrap_or(0), $param)),*
                    ).await?;
                    Ok(wasi_functions!(@result errno $($result)?))
                })*
                _ => anyhow::bail!("no WASI function with index {index}"),
            }
        }
    };
    (@result $errno:ident I32) => { Some($errno) };
    (@result $errno:ident) => {{ let () = $errno; None }};
}

wasi_functions! {
    (0) args_get(I32, I32) -> [I32];
    (1) args_sizes_get(I32, I32) -> [I32];
    (2) environ_get(I32, I32) -> [I32];
    (3) environ_sizes_get(I32, I32) -> [I32];
    (4) clock_res_get(I32, I32) -> [I32];
    (5) clock_time_get(I32, I64, I32) -> [I32];
    (6) fd_advise(I32, I64, I64, I32) -> [I32];
    (7) fd_allocate(I32, I64, I64) -> [I32];
    (8) fd_close(I32) -> [I32];
    (9) fd_datasync(I32) -> [I32];
    (10) fd_fdstat_get(I32, I32) -> [I32];
    (11) fd_fdstat_set_flags(I32, I32) -> [I32];
    (12) fd_fdstat_set_rights(I32, I64, I64) -> [I32];
    (13) fd_filestat_get(I32, I32) -> [I32];
    (14) fd_filestat_set_size(I32, I64) -> [I32];
    (15) fd_filestat_set_times(I32, I64, I64, I32) -> [I32];
    (16) fd_pread(I32, I32, I32, I64, I32) -> [I32];
    (17) fd_prestat_get(I32, I32) -> [I32];
    (18) fd_prestat_dir_name(I32, I32, I32) -> [I32];
    (19) fd_pwrite(I32, I32, I32, I64, I32) -> [I32];
    (20) fd_read(I32, I32, I32, I32) -> [I32];
    (21) fd_readdir(I32, I32, I32, I64, I32) -> [I32];
    (22) fd_renumber(I32, I32) -> [I32];
    (23) fd_seek(I32, I64, I32, I32) -> [I32];
    (24) fd_sync(I32) -> [I32];
    (25) fd_tell(I32, I32) -> [I32];
    (26) fd_write(I32, I32, I32, I32) -> [I32];
    (27) path_create_directory(I32, I32, I32) -> [I32];
    (28) path_filestat_get(I32, I32, I32, I32, I32) -> [I32];
    (29) path_filestat_set_times(I32, I32, I32, I32, I64, I64, I32) -> [I32];
    (30) path_link(I32, I32, I32, I32, I32, I32, I32) -> [I32];
    (31) path_open(I32, I32, I32, I32, I32, I64, I64, I32, I32) -> [I32];
    (32) path_readlink(I32, I32, I32, I32, I32, I32) -> [I32];
    (33) path_remove_directory(I32, I32, I32) -> [I32];
    (34) path_rename(I32, I32, I32, I32, I32, I32) -> [I32];
    (35) path_symlink(I32, I32, I32, I32, I32) -> [I32];
    (36) path_unlink_file(I32, I32, I32) -> [I32];
    (37) poll_oneoff(I32, I32, I32, I32) -> [I32];
    (38) proc_exit(I32) -> [];
    (39) proc_raise(I32) -> [I32];
    (40) sched_yield() -> [I32];
    (41) random_get(I32, I32) -> [I32];
    (42) sock_accept(I32, I32, I32) -> [I32];
    (43) sock_recv(I32, I32, I32, I32, I32, I32) -> [I32];
    (44) sock_send(I32, I32, I32, I32, I32) -> [I32];
    (45) sock_shutdown(I32, I32) -> [I32];
}

mod fixups;
mod stdin;

#[cfg(test)]
mod tests;
