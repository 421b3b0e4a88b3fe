//! The code cache that learns (ARCHITECTURE.md, "The code cache"): the machine code of the
//! functions that got hot in earlier runs of a module, so the next run starts with them
//! compiled.
//!
//! # Entries
//!
//! One file per module and configuration, `DIR/<module SHA-256>-<key>.wrun`, where `key` is
//! a hash of everything else that makes a sidecar valid (wrun version, compiler build, target,
//! CPU features, code shape and fuel setting, layouts): two builds of wrun, or two CPUs
//! sharing a home directory, keep separate entries. The file is a *partial* sidecar (the
//! format of `wrun compile`, `aot` module docs): functions without code have the entry
//! [`format::NO_CODE`] and start interpreted, and its hotness table counts per function the
//! runs it was hot in. Loading checks it exactly like a sidecar: a damaged, truncated, stale
//! or foreign entry is a warning and a fallback to the normal tiers, never trusted.
//!
//! # Learning
//!
//! [`CodeCache::update`] (at exit, and at intervals in long runs; never on the hot path)
//! takes the functions the tier manager compiled in this run plus those the entry already
//! had plus those of the entry as it is on disk now (another run may have added some since
//! this one started), compiles them into one buffer (direct calls between them) and replaces
//! the entry atomically (temporary file in the directory, then rename).
//!
//! Compiling again is chosen by measurement: appending the code the tier manager already
//! compiled (it is position-independent) writes the entry without compiling, but its
//! functions then call each other through their records. On cc1 compiling a 3,700-line C file
//! (4,968 hot functions; 2026-12-02, loaded 2-core machine) the next run took 5.3 s of CPU
//! from appended code against 4.1-4.2 s from one recompiled buffer, while the first run's
//! exit cost of recompiling (about 1 s of CPU) was within the noise of its 7.5-8.4 s. Concurrent runs of one
//! module never see a torn file; a run that renames between another's read and rename loses at
//! most that other run's additions, which the next run adds again.
//!
//! # Size bound
//!
//! After each write, the least recently used entries (by modification time: a run that uses
//! an entry touches it) are deleted until the directory holds at most
//! [`CodeCache::max_bytes`] ([`DEFAULT_MAX_BYTES`] unless set).
//!
//! # Security
//!
//! The directory is created with mode 0700. A directory that is a symlink, or is owned by
//! another user, is not used (a warning). Entries are opened with `O_NOFOLLOW` (a symlink is
//! refused) and an entry owned by another user is ignored, so no other local user can plant
//! code that this user's runs would execute.

use std::fs::File;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::format;
use super::load::{self, Opened};
use crate::jit::compile::{self, CpuFeatures};
use crate::module::ModuleInfo;

/// The default bound on the cache directory's size: 1 GiB (cc1's entry, the biggest seen,
/// is a few MB; wasmtime's cache defaults to a similar order).
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// How often a long run writes what got hot so far ([`crate::Module::update_code_cache`]
/// from a background thread of the CLI), besides at exit: a run killed after this long has
/// still taught the cache.
pub const UPDATE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// Extension of cache entries.
const ENTRY_EXTENSION: &str = "wrun";

/// A code cache directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeCache {
    dir: PathBuf,
    max_bytes: u64,
}

/// What [`CodeCache::stats`] found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub entries: u64,
    pub bytes: u64,
}

/// An entry found for a module: its code checked against the module, and its counts.
pub struct CachedCode {
    pub code: crate::jit::JitModule,
    /// Per defined function, the runs it was hot in.
    pub hotness: Vec<u32>,
    /// The entry's functions with code (indices with imports counted), ascending.
    pub funcs: Vec<u32>,
}

impl CodeCache {
    /// A cache in `dir`, bounded by [`DEFAULT_MAX_BYTES`].
    pub fn new(dir: impl Into<PathBuf>) -> CodeCache {
        CodeCache {
            dir: dir.into(),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// This cache bounded by `max_bytes` in all.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> CodeCache {
        self.max_bytes = max_bytes;
        self
    }

    /// `$XDG_CACHE_HOME/wrun`, else `$HOME/.cache/wrun`; `None` when neither is set.
    pub fn default_dir() -> Option<PathBuf> {
        let from = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
        };
        from("XDG_CACHE_HOME")
            .map(|dir| dir.join("wrun"))
            .or_else(|| from("HOME").map(|home| home.join(".cache").join("wrun")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The entry of the module with SHA-256 `module_hash` under `settings` (the sidecar's
    /// compiler-settings word) for this wrun and this CPU.
    pub fn entry_path(&self, module_hash: &[u8; 32], settings: u32, cpu: CpuFeatures) -> PathBuf {
        let mut key = Sha256::new();
        key.update(format::wrun_version().as_bytes());
        key.update(format::compiler_build().to_le_bytes());
        key.update(format::target().as_bytes());
        key.update(cpu.to_bits().to_le_bytes());
        key.update(settings.to_le_bytes());
        key.update(format::layout_hash());
        let key = key.finalize();
        self.dir.join(format!(
            "{}-{}.{ENTRY_EXTENSION}",
            hex(module_hash),
            hex(&key[..8])
        ))
    }

    /// Checks that the directory is ours (not a symlink, owned by this user); creates it
    /// (mode 0700) when `create`. `Ok(false)`: it does not exist and was not created.
    fn check_dir(&self, create: bool) -> Result<bool, String> {
        match std::fs::symlink_metadata(&self.dir) {
            Ok(meta) if meta.file_type().is_symlink() => {
                Err(format!("{} is a symlink", self.dir.display()))
            }
            Ok(meta) if !meta.is_dir() => Err(format!("{} is not a directory", self.dir.display())),
            Ok(meta) if meta.uid() != effective_uid() => Err(format!(
                "{} belongs to another user (uid {})",
                self.dir.display(),
                meta.uid()
            )),
            Ok(_) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&self.dir)
                    .map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
                self.check_dir(false)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(format!("cannot read {}: {e}", self.dir.display())),
        }
    }

    /// Opens an entry without following symlinks; `Ok(None)` if there is none. An entry
    /// owned by another user is refused.
    fn open_entry(path: &Path) -> Result<Option<File>, String> {
        let file = match std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err("is a symlink".into());
            }
            Err(e) => return Err(format!("cannot open: {e}")),
        };
        let meta = file
            .metadata()
            .map_err(|e| format!("cannot read its metadata: {e}"))?;
        if meta.uid() != effective_uid() {
            return Err(format!("belongs to another user (uid {})", meta.uid()));
        }
        Ok(Some(file))
    }

    /// The entry for `info` (whose SHA-256 is `module_hash`), checked like a sidecar and
    /// header-matched to these bytes, not yet finished. `Ok(None)`: no entry. The error is
    /// the reason it was refused.
    pub fn open(
        &self,
        module_bytes: &[u8],
        module_hash: &[u8; 32],
        consume_fuel: bool,
    ) -> Result<Option<(PathBuf, Opened)>, String> {
        if !self.check_dir(false)? {
            return Ok(None);
        }
        let cpu = CpuFeatures::detect();
        let path = self.entry_path(module_hash, format::compiler_settings(consume_fuel), cpu);
        let Some(file) = Self::open_entry(&path).map_err(|e| format!("{}: {e}", path.display()))?
        else {
            return Ok(None);
        };
        let opened = load::open_file(file, module_bytes.len(), module_hash, cpu)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if opened.consumes_fuel() != consume_fuel {
            return Err(format!("{}: fuel setting differs", path.display()));
        }
        // Used: it becomes the most recently used entry (eviction order).
        touch(&path);
        Ok(Some((path, opened)))
    }

    /// Finishes an opened entry against the parsed module.
    pub fn finish(opened: Opened, info: &Arc<ModuleInfo>) -> Result<CachedCode, String> {
        let (code, hotness) = opened.finish_with_hotness(info)?;
        let funcs = (0..info.bodies.len() as u32)
            .map(|d| d + info.num_imported_funcs)
            .filter(|&f| code.entry(f).is_some())
            .collect();
        Ok(CachedCode {
            code,
            hotness,
            funcs,
        })
    }

    /// Adds the functions `hot` (indices with imports counted: those the tier manager
    /// compiled in this run) to the entry of `info`, which held `known` with `hotness` when
    /// this run started (module docs, "Learning"). Returns the number of functions the entry
    /// holds now, or `None` when it already held them all (nothing written).
    pub fn update(
        &self,
        info: &Arc<ModuleInfo>,
        module_hash: &[u8; 32],
        consume_fuel: bool,
        known: &[u32],
        hotness: &[u32],
        hot: &[u32],
    ) -> Result<Option<usize>, String> {
        let defined = info.bodies.len();
        let first = info.num_imported_funcs;
        let in_module = |f: u32| f >= first && ((f - first) as usize) < defined;
        let mut wanted = vec![false; defined];
        for &f in known.iter().chain(hot).filter(|&&f| in_module(f)) {
            wanted[(f - first) as usize] = true;
        }
        let mut counts = vec![0u32; defined];
        for (count, &h) in counts.iter_mut().zip(hotness) {
            *count = h;
        }
        // What another run added since this one started.
        self.check_dir(true)?;
        let cpu = CpuFeatures::detect();
        let path = self.entry_path(module_hash, format::compiler_settings(consume_fuel), cpu);
        if let Ok(Some(file)) = Self::open_entry(&path)
            && let Ok(opened) = load::open_file(file, info.bytes.len(), module_hash, cpu)
            && let Ok(now) = Self::finish(opened, info)
        {
            for &f in &now.funcs {
                wanted[(f - first) as usize] = true;
            }
            for (count, &h) in counts.iter_mut().zip(&now.hotness) {
                *count = (*count).max(h);
            }
        }
        let mut already = vec![false; defined];
        for &f in known.iter().filter(|&&f| in_module(f)) {
            already[(f - first) as usize] = true;
        }
        if wanted == already {
            return Ok(None);
        }
        for &f in hot.iter().filter(|&&f| in_module(f)) {
            let count = &mut counts[(f - first) as usize];
            *count = count.saturating_add(1);
        }
        let funcs: Vec<u32> = (0..defined as u32)
            .filter(|&d| wanted[d as usize])
            .map(|d| d + first)
            .collect();
        let code = compile::compile_functions(info, &funcs, cpu, consume_fuel)
            .map_err(|e| e.to_string())?;
        let contents = format::Contents {
            code: &code,
            funcs: &funcs,
            hotness: &counts,
        };
        let bytes = format::serialize(
            info,
            cpu,
            format::compiler_settings(consume_fuel),
            &contents,
        )?;
        write_entry(&path, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        self.evict(&path);
        Ok(Some(funcs.len()))
    }

    /// The entries of the directory: `(path, bytes, modified)`.
    fn entries(&self) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
        let Ok(read) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        read.flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == ENTRY_EXTENSION))
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                meta.is_file().then(|| {
                    let modified = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
                    (e.path(), meta.len(), modified)
                })
            })
            .collect()
    }

    /// Deletes the least recently used entries (never `keep`) until the directory holds at
    /// most [`CodeCache::max_bytes`].
    fn evict(&self, keep: &Path) {
        let mut entries = self.entries();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        entries.sort_by_key(|e| e.2);
        for (path, bytes, _) in entries {
            if total <= self.max_bytes {
                break;
            }
            if path != keep && std::fs::remove_file(&path).is_ok() {
                log::debug!("code cache: evicted {}", path.display());
                total -= bytes;
            }
        }
    }

    /// Number and total size of the entries.
    pub fn stats(&self) -> CacheStats {
        let entries = self.entries();
        CacheStats {
            entries: entries.len() as u64,
            bytes: entries.iter().map(|e| e.1).sum(),
        }
    }

    /// Deletes every entry (and stale temporary files); returns how many entries went.
    pub fn clear(&self) -> Result<u64, String> {
        if !self.check_dir(false)? {
            return Ok(0);
        }
        let mut removed = 0;
        for (path, _, _) in self.entries() {
            std::fs::remove_file(&path)
                .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            removed += 1;
        }
        if let Ok(read) = std::fs::read_dir(&self.dir) {
            for entry in read.flatten() {
                let name = entry.file_name();
                if name.to_string_lossy().ends_with(".tmp") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Ok(removed)
    }
}

/// Writes `bytes` to `path` atomically: a temporary file of this process in the same
/// directory (created exclusively, mode 0600), then a rename over the entry.
fn write_entry(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let _ = std::fs::remove_file(&temp);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&temp)?;
        file.write_all(bytes)?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Marks `path` as just used (its modification time is the eviction order).
fn touch(path: &Path) {
    if let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
}

fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_depend_on_module_and_settings() {
        let cache = CodeCache::new("/tmp/wrun-cache-names");
        let cpu = CpuFeatures::detect();
        let a = cache.entry_path(&[1; 32], 0, cpu);
        assert_eq!(a, cache.entry_path(&[1; 32], 0, cpu));
        assert_ne!(a, cache.entry_path(&[2; 32], 0, cpu));
        assert_ne!(a, cache.entry_path(&[1; 32], format::SETTINGS_FUEL, cpu));
        assert!(a.starts_with("/tmp/wrun-cache-names"));
        assert!(a.to_string_lossy().ends_with(".wrun"));
    }
}
