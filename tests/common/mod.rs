//! What several integration tests share (each includes it with `mod common;`).

#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};

/// A fresh, empty directory for one test (`wrun-SUITE-PID-TEST` in the temp dir), removed
/// when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(suite: &str, test: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("wrun-{suite}-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create scratch dir");
        Scratch(path)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The path of `name` in the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `contents` as `name` (creating folders on the way); returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent dir");
        }
        std::fs::write(&path, contents).expect("write scratch file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The `wrun` binary, with no code cache: without `XDG_CACHE_HOME` and `HOME` it has no
/// default cache directory, so no run of a test sees code another run left (the cache's own
/// tests pass `--cache-dir`).
pub fn wrun_cli() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_wrun"));
    command.env_remove("XDG_CACHE_HOME").env_remove("HOME");
    command
}
