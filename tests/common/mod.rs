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

/// Snapshot files (Cranelift's filetest habit): each file in `tests/DIR` whose extension is
/// one of `extensions` holds its input, then `marker`, then the expected output as `;;` lines.
/// `produce(path, input)` computes the output; with `WRUN_BLESS=1` a differing file is
/// rewritten, else the test fails listing every difference.
pub fn check_snapshots(
    dir: &str,
    extensions: &[&str],
    marker: &str,
    produce: impl Fn(&Path, &str) -> Result<String, String>,
) {
    let bless = std::env::var_os("WRUN_BLESS").is_some_and(|v| v == "1");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| extensions.iter().any(|x| e == *x))
        })
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no snapshot files in {}", dir.display());
    let check = |path: &Path| -> Result<(), String> {
        let file = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        let (source, expected) = match file.find(marker) {
            Some(at) => (&file[..at], &file[at + marker.len()..]),
            None => (file.as_str(), ""),
        };
        let source = source.trim_end();
        let actual = produce(path, source).map_err(|e| format!("{}: {e}", path.display()))?;
        let actual: String = actual.lines().map(|l| format!(";; {l}\n")).collect();
        if expected.trim() == actual.trim() {
            return Ok(());
        }
        if bless {
            let new = format!("{source}\n\n{marker}\n{actual}");
            return std::fs::write(path, new).map_err(|e| e.to_string());
        }
        Err(format!(
            "{}: the output differs from the snapshot (WRUN_BLESS=1 rewrites it)\n--- expected\n{}\n--- actual\n{}",
            path.display(),
            expected.trim(),
            actual.trim()
        ))
    };
    let failures: Vec<String> = paths.iter().filter_map(|p| check(p).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
