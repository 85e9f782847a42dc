//! The temporary files and folders of a run: one recognisable name prefix, and a
//! registry of the live ones so the binary's Ctrl-C (SIGINT/SIGTERM) handler can
//! remove them before exiting.
//!
//! Every temporary name starts with [`TEMP_PREFIX`]. A run killed without a chance
//! to clean up (SIGKILL, power loss) leaves such names behind; the folder walks of
//! `build`, `package` and `cat pack` skip them ([`is_temp_name`]), so leftovers are
//! never shipped.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The start of every temporary file or folder name x4pipe makes.
pub const TEMP_PREFIX: &str = ".x4pipe-tmp-";

/// Whether `name` (one path component) is an x4pipe temporary name.
pub fn is_temp_name(name: &OsStr) -> bool {
    name.as_encoded_bytes().starts_with(TEMP_PREFIX.as_bytes())
}

/// The temporary paths alive now, removed by [`remove_all`].
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps `path` in the registry while alive.
#[derive(Debug)]
pub(crate) struct Registered(PathBuf);

impl Registered {
    pub(crate) fn new(path: &Path) -> Registered {
        live().push(path.to_path_buf());
        Registered(path.to_path_buf())
    }

    /// The path moved (renamed into place): it is no longer temporary.
    pub(crate) fn forget(self) {
        drop(self)
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut live = live();
        if let Some(i) = live.iter().rposition(|p| *p == self.0) {
            live.swap_remove(i);
        }
    }
}

/// Removes every live temporary file and folder, then keeps the registry locked
/// until `then` returns, so no new temporary can be registered meanwhile. For the
/// binary's signal handler: `remove_all(|| std::process::exit(130))`.
pub fn remove_all<R>(then: impl FnOnce() -> R) -> R {
    let live = live();
    remove_paths(&live);
    then()
}

fn remove_paths(paths: &[PathBuf]) {
    for p in paths {
        match std::fs::symlink_metadata(p) {
            Ok(m) if m.is_dir() => {
                let _ = std::fs::remove_dir_all(p);
            }
            Ok(_) => {
                let _ = std::fs::remove_file(p);
            }
            Err(_) => {}
        }
    }
}

/// How many temporaries are alive (for tests).
pub fn live_count() -> usize {
    live().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_temporary_names() {
        assert!(is_temp_name(OsStr::new(".x4pipe-tmp-pack-a1b2")));
        assert!(!is_temp_name(OsStr::new("x4pipe-tmp-")));
        assert!(!is_temp_name(OsStr::new(".x4pipe-manifest")));
    }

    #[test]
    fn removes_files_and_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join(".x4pipe-tmp-f");
        let dir = tmp.path().join(".x4pipe-tmp-d");
        std::fs::write(&file, b"x").unwrap();
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        // Not `remove_all`: other tests of this process have live temporaries.
        remove_paths(&[file.clone(), dir.clone()]);
        assert!(!file.exists() && !dir.exists());
    }
}
