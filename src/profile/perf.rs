//! perf's two ways of naming JIT code: the perf map (`/tmp/perf-PID.map`, one
//! `START SIZE NAME` line per function, hex) and the jitdump file (`/tmp/jit-PID.dump`, the
//! format of perf's `tools/perf/Documentation/jitdump-specification.txt`: a file header, then
//! for each function a debug-info record mapping its code to wasm byte offsets and a
//! code-load record with its code bytes). `perf inject --jit` finds the dump through the
//! executable mapping of its first page that [`PerfWriter::create`] makes (the "marker").
//! Timestamps are CLOCK_MONOTONIC, so record with `perf record -k mono`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{compiled_functions, func_label};
use crate::jit::trap::CodeInfo;

const JITDUMP_MAGIC: u32 = 0x4A69_5444;
const JITDUMP_VERSION: u32 = 1;
const JITDUMP_HEADER_SIZE: u32 = 40;
const EM_X86_64: u32 = 62;
const JIT_CODE_LOAD: u32 = 0;
const JIT_CODE_DEBUG_INFO: u32 = 2;
/// The file name the debug-info records give (their line numbers are wasm byte offsets).
const DEBUG_FILE_NAME: &str = "wasm";

/// Where perf records go: a perf map or a jitdump file.
pub struct PerfWriter {
    path: PathBuf,
    state: Mutex<State>,
}

struct State {
    file: File,
    /// jitdump only: the next code-load record's index, and the marker mapping (kept for the
    /// life of the process).
    jitdump: Option<JitDump>,
}

struct JitDump {
    next_code_index: u64,
    _marker: memmap2::Mmap,
}

impl PerfWriter {
    /// Creates `/tmp/perf-PID.map` or (`jitdump`) `/tmp/jit-PID.dump` with its header and
    /// marker mapping.
    pub fn create(jitdump: bool) -> Result<PerfWriter, String> {
        let pid = std::process::id();
        let path = if jitdump {
            PathBuf::from(format!("/tmp/jit-{pid}.dump"))
        } else {
            PathBuf::from(format!("/tmp/perf-{pid}.map"))
        };
        let fail = |error: std::io::Error| format!("{}: {error}", path.display());
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(fail)?;
        let jitdump = if jitdump {
            let mut header = Vec::with_capacity(JITDUMP_HEADER_SIZE as usize);
            for word in [
                JITDUMP_MAGIC,
                JITDUMP_VERSION,
                JITDUMP_HEADER_SIZE,
                EM_X86_64,
                0,
                pid,
            ] {
                header.extend_from_slice(&word.to_ne_bytes());
            }
            header.extend_from_slice(&timestamp().to_ne_bytes());
            header.extend_from_slice(&0u64.to_ne_bytes()); // flags
            file.write_all(&header).map_err(fail)?;
            // perf finds the dump through this executable mapping of the file (perf's
            // jitdump specification: "the marker").
            // SAFETY: a private read-only mapping of a file we just wrote; nothing reads it.
            let marker = unsafe {
                memmap2::MmapOptions::new()
                    .len(JITDUMP_HEADER_SIZE as usize)
                    .map_exec(&file)
            }
            .map_err(fail)?;
            Some(JitDump {
                next_code_index: 0,
                _marker: marker,
            })
        } else {
            None
        };
        Ok(PerfWriter {
            path,
            state: Mutex::new(State { file, jitdump }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the records of every function in `info`. A failed write is logged, not fatal.
    pub fn code_loaded(&self, info: &CodeInfo) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let State { file, jitdump } = &mut *state;
        let bytes = match jitdump {
            None => perf_map_lines(info).into_bytes(),
            Some(dump) => jitdump_records(info, &mut dump.next_code_index),
        };
        if let Err(error) = file.write_all(&bytes) {
            log::warn!("profile: writing {}: {error}", self.path.display());
        }
    }
}

/// The perf map lines of `info`'s functions: `START SIZE NAME`, START and SIZE in hex.
fn perf_map_lines(info: &CodeInfo) -> String {
    let mut lines = String::new();
    for (offset, size, func) in compiled_functions(info) {
        let name = func_label(Some(&info.module), func);
        lines.push_str(&format!("{:x} {:x} {name}\n", info.start + offset, size));
    }
    lines
}

/// A debug-info record and a code-load record for each of `info`'s functions.
fn jitdump_records(info: &CodeInfo, next_code_index: &mut u64) -> Vec<u8> {
    let pid = std::process::id();
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() } as u32;
    let mut out = Vec::new();
    for (offset, size, func) in compiled_functions(info) {
        let address = (info.start + offset) as u64;
        let now = timestamp();
        // Debug info: each compiled operator's first instruction -> its wasm byte offset.
        let first = info.pc_map.partition_point(|&(o, _)| (o as usize) < offset);
        let entries: Vec<(u32, u32)> = info.pc_map[first..]
            .iter()
            .take_while(|&&(o, _)| (o as usize) < offset + size)
            .copied()
            .collect();
        if !entries.is_empty() {
            let mut body = Vec::new();
            body.extend_from_slice(&address.to_ne_bytes());
            body.extend_from_slice(&(entries.len() as u64).to_ne_bytes());
            for (code_offset, wasm_offset) in entries {
                body.extend_from_slice(&((info.start + code_offset as usize) as u64).to_ne_bytes());
                body.extend_from_slice(&wasm_offset.to_ne_bytes()); // line
                body.extend_from_slice(&0u32.to_ne_bytes()); // discriminator
                body.extend_from_slice(DEBUG_FILE_NAME.as_bytes());
                body.push(0);
            }
            push_record(&mut out, JIT_CODE_DEBUG_INFO, now, &body);
        }
        let name = func_label(Some(&info.module), func);
        let mut body = Vec::new();
        body.extend_from_slice(&pid.to_ne_bytes());
        body.extend_from_slice(&tid.to_ne_bytes());
        body.extend_from_slice(&address.to_ne_bytes()); // vma
        body.extend_from_slice(&address.to_ne_bytes()); // code_addr
        body.extend_from_slice(&(size as u64).to_ne_bytes());
        body.extend_from_slice(&next_code_index.to_ne_bytes());
        *next_code_index += 1;
        body.extend_from_slice(name.as_bytes());
        body.push(0);
        // SAFETY: `offset..offset + size` lies inside the registered code (compiled_functions
        // clamps to its length), which is mapped readable while `info` is registered.
        let code = unsafe { std::slice::from_raw_parts(address as usize as *const u8, size) };
        body.extend_from_slice(code);
        push_record(&mut out, JIT_CODE_LOAD, now, &body);
    }
    out
}

/// A jitdump record: `id`, total size, timestamp, then `body`.
fn push_record(out: &mut Vec<u8>, id: u32, timestamp: u64, body: &[u8]) {
    out.extend_from_slice(&id.to_ne_bytes());
    out.extend_from_slice(&((16 + body.len()) as u32).to_ne_bytes());
    out.extend_from_slice(&timestamp.to_ne_bytes());
    out.extend_from_slice(body);
}

/// CLOCK_MONOTONIC in nanoseconds (the clock of `perf record -k mono`).
fn timestamp() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec we pass.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}
