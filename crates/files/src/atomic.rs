//! The one writer for output files and folders: everything is written aside, in a
//! temporary file or folder beside its destination (same file system, so the final
//! rename is atomic), and renamed into place only when it is complete. An error, a
//! dropped writer or Ctrl-C removes the temporary ([`crate::temps`]); a destination
//! is either its old self or the complete new file, never half-written.
//!
//! * [`AtomicFile`]: one output file; [`commit_all`] puts several in place together
//!   (a `.cat` and its `.dat`), restoring the old ones if any rename fails.
//! * [`StagingDir`]: a folder built aside, then [`StagingDir::replace`]s a folder or
//!   is [`StagingDir::merge_into`] an existing one file by file.
//! * [`check_target`]: writing below a folder never passes through a symbolic link
//!   inside it (that could write anywhere).

use std::fs::File;
use std::path::{Path, PathBuf};

use tempfile::{NamedTempFile, TempDir};

use crate::temps::{Registered, TEMP_PREFIX};

/// Why an output could not be written. Messages name the path.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The destination cannot take the output (a folder where a file goes, a link on
    /// the way, two outputs on one path).
    #[error("{}: {reason}", path.display())]
    Target { path: PathBuf, reason: String },
}

impl WriteError {
    /// For `map_err`: an I/O failure while writing `path`. Every writer of x4pipe
    /// reports its failures with this one error ("cannot write <path>: <cause>").
    pub fn at(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
        move |source| WriteError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The folder `dest` lives in (`.` for a bare name).
fn parent_of(dest: &Path) -> &Path {
    match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// An output file being written aside; see the module doc.
#[derive(Debug)]
pub struct AtomicFile {
    // Field order: the file is deleted before the registry forgets it.
    tmp: NamedTempFile,
    dest: PathBuf,
    _reg: Registered,
}

impl AtomicFile {
    /// A temporary file beside `dest` (its folder is created if missing).
    pub fn create(dest: &Path) -> Result<AtomicFile, WriteError> {
        let dir = parent_of(dest);
        std::fs::create_dir_all(dir).map_err(WriteError::at(dir))?;
        let tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)
            .map_err(WriteError::at(dir))?;
        let reg = Registered::new(tmp.path());
        Ok(AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            _reg: reg,
        })
    }

    /// The temporary file, to write into.
    pub fn as_file(&self) -> &File {
        self.tmp.as_file()
    }

    /// Where the bytes are until [`commit`](Self::commit).
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flushes the file to disk and renames it over its destination.
    pub fn commit(self) -> Result<(), WriteError> {
        commit_all(vec![self])
    }
}

/// Puts every file in place, or none: destinations are checked first (a folder
/// cannot be replaced, no two outputs may share a path), existing ones are moved
/// aside, and if any rename fails the ones done are undone and the old files put
/// back.
pub fn commit_all(files: Vec<AtomicFile>) -> Result<(), WriteError> {
    for (i, f) in files.iter().enumerate() {
        if std::fs::symlink_metadata(&f.dest).is_ok_and(|m| m.is_dir()) {
            return Err(WriteError::Target {
                path: f.dest.clone(),
                reason: "is a folder; cannot replace it with a file".into(),
            });
        }
        if let Some(other) = files[..i].iter().find(|o| same_path(&o.dest, &f.dest)) {
            return Err(WriteError::Target {
                path: f.dest.clone(),
                reason: format!(
                    "is also where {} would be written; the outputs would overwrite each other",
                    other.dest.display()
                ),
            });
        }
    }
    for f in &files {
        f.tmp
            .as_file()
            .sync_all()
            .map_err(WriteError::at(f.tmp.path()))?;
        // tempfile creates 0600 files; an output should be readable like any other.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let perms = std::fs::Permissions::from_mode(0o644);
            std::fs::set_permissions(f.tmp.path(), perms).map_err(WriteError::at(f.tmp.path()))?;
        }
    }
    // Old destinations moved aside, to restore on failure and delete on success.
    let mut aside: Vec<(PathBuf, Option<(PathBuf, Registered)>)> = Vec::new();
    let mut result = Ok(());
    let mut placed = Vec::new();
    for f in files {
        let backup = if std::fs::symlink_metadata(&f.dest).is_ok() {
            match move_aside(&f.dest) {
                Ok(b) => Some(b),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        } else {
            None
        };
        let AtomicFile { tmp, dest, _reg } = f;
        let tmp = tmp.into_temp_path();
        match std::fs::rename(&tmp, &dest) {
            Ok(()) => {
                // Renamed: nothing left to delete.
                let _ = tmp.keep();
                placed.push(dest.clone());
                aside.push((dest, backup));
            }
            Err(e) => {
                result = Err(WriteError::Io {
                    path: dest.clone(),
                    source: e,
                });
                aside.push((dest, backup));
                break;
            }
        }
    }
    match result {
        Ok(()) => {
            for (_, backup) in aside {
                if let Some((b, _reg)) = backup {
                    let _ = std::fs::remove_file(&b);
                }
            }
            Ok(())
        }
        Err(e) => {
            for (dest, backup) in aside.into_iter().rev() {
                if placed.contains(&dest) {
                    let _ = std::fs::remove_file(&dest);
                }
                if let Some((b, _reg)) = backup {
                    let _ = std::fs::rename(&b, &dest);
                }
            }
            Err(e)
        }
    }
}

/// Same file or would-be file: equal paths, or equal canonical forms of their
/// folders plus the same name.
fn same_path(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    let canon = |p: &Path| {
        let dir = parent_of(p).canonicalize().ok()?;
        Some(dir.join(p.file_name()?))
    };
    matches!((canon(a), canon(b)), (Some(x), Some(y)) if x == y)
}

/// Whether `a` and `b` name the same existing file or folder (after links), or
/// `inner` lies inside `outer`. For "outputs never overwrite inputs" checks.
pub fn overlaps(output: &Path, input: &Path) -> bool {
    let canon = |p: &Path| -> Option<PathBuf> {
        p.canonicalize().ok().or_else(|| {
            let dir = parent_of(p).canonicalize().ok()?;
            Some(dir.join(p.file_name()?))
        })
    };
    match (canon(output), canon(input)) {
        (Some(o), Some(i)) => o == i || i.starts_with(&o),
        _ => false,
    }
}

/// A folder being built aside; see the module doc. Dropped, it is deleted.
#[derive(Debug)]
pub struct StagingDir {
    dir: TempDir,
    _reg: Registered,
}

impl StagingDir {
    /// A new temporary folder in `parent` (created if missing); `purpose` goes into
    /// its name, for a person who finds one.
    pub fn new_in(parent: &Path, purpose: &str) -> Result<StagingDir, WriteError> {
        std::fs::create_dir_all(parent).map_err(WriteError::at(parent))?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("{TEMP_PREFIX}{purpose}-"))
            .tempdir_in(parent)
            .map_err(WriteError::at(parent))?;
        let reg = Registered::new(dir.path());
        Ok(StagingDir { dir, _reg: reg })
    }

    /// A staging folder beside `dest`, for [`replace`](Self::replace).
    pub fn beside(dest: &Path, purpose: &str) -> Result<StagingDir, WriteError> {
        Self::new_in(parent_of(dest), purpose)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Makes the staged folder `dest`: an existing `dest` (folder or file) is moved
    /// aside first, put back if the rename fails, and deleted after.
    pub fn replace(self, dest: &Path) -> Result<(), WriteError> {
        let old = if std::fs::symlink_metadata(dest).is_ok() {
            Some(move_aside(dest)?)
        } else {
            None
        };
        let StagingDir { dir, _reg } = self;
        let staged = dir.keep();
        if let Err(e) = std::fs::rename(&staged, dest) {
            if let Some((old, _)) = &old {
                let _ = std::fs::rename(old, dest);
            }
            let _ = std::fs::remove_dir_all(&staged);
            return Err(WriteError::Io {
                path: dest.to_path_buf(),
                source: e,
            });
        }
        _reg.forget();
        if let Some((old, _reg)) = old {
            if std::fs::symlink_metadata(&old).is_ok_and(|m| m.is_dir()) {
                std::fs::remove_dir_all(&old).map_err(WriteError::at(&old))?;
            } else {
                std::fs::remove_file(&old).map_err(WriteError::at(&old))?;
            }
        }
        Ok(())
    }

    /// Moves the staged files `rels` (`/`-separated) into the existing folder
    /// `dest`, each over its namesake. Every target is checked first
    /// ([`check_target`]): nothing is moved if any would pass through a link.
    pub fn merge_into(self, dest: &Path, rels: &[String]) -> Result<(), WriteError> {
        for rel in rels {
            check_target(dest, rel)?;
        }
        for rel in rels {
            let from = self.path().join(rel);
            let to = dest.join(rel);
            let parent = parent_of(&to);
            std::fs::create_dir_all(parent).map_err(WriteError::at(parent))?;
            std::fs::rename(&from, &to).map_err(WriteError::at(&to))?;
        }
        Ok(())
    }
}

/// Moves a file or folder aside to a fresh temporary name beside it (registered,
/// so Ctrl-C removes it like any temporary).
fn move_aside(path: &Path) -> Result<(PathBuf, Registered), WriteError> {
    let dir = parent_of(path);
    let aside = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}old-"))
        .tempdir_in(dir)
        .map_err(WriteError::at(dir))?
        .keep();
    let reg = Registered::new(&aside);
    std::fs::remove_dir(&aside).map_err(WriteError::at(&aside))?;
    std::fs::rename(path, &aside).map_err(WriteError::at(path))?;
    Ok((aside, reg))
}

/// Checks that `root/rel` (`rel` `/`-separated) can be written without passing
/// through a symbolic link: every existing folder on the way below `root` must be a
/// real folder, and the destination itself must not be a folder. (A link or file
/// at the destination is replaced by the rename, which does not follow links.)
pub fn check_target(root: &Path, rel: &str) -> Result<(), WriteError> {
    let parts: Vec<&str> = rel.split('/').collect();
    let mut here = root.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        here.push(part);
        let last = i + 1 == parts.len();
        let meta = match std::fs::symlink_metadata(&here) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(WriteError::at(&here)(e)),
        };
        let reason = if last {
            meta.is_dir()
                .then_some("is a folder; cannot replace it with a file")
        } else if meta.file_type().is_symlink() {
            Some("is a symbolic link; not following it out of the target")
        } else if !meta.is_dir() {
            Some("exists and is not a folder")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(WriteError::Target {
                path: here,
                reason: reason.into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_pair_lands_together_or_not_at_all() {
        let tmp = tempfile::tempdir().unwrap();
        let (cat, dat) = (tmp.path().join("x.cat"), tmp.path().join("x.dat"));
        std::fs::write(&cat, "old cat").unwrap();
        std::fs::create_dir(&dat).unwrap(); // cannot be replaced
        let a = AtomicFile::create(&cat).unwrap();
        a.as_file().write_all(b"new cat").unwrap();
        let b = AtomicFile::create(&dat).unwrap();
        let err = commit_all(vec![a, b]).unwrap_err();
        assert!(err.to_string().contains("is a folder"), "{err}");
        assert_eq!(std::fs::read_to_string(&cat).unwrap(), "old cat");
        assert_eq!(names(tmp.path()), ["x.cat", "x.dat"]);

        std::fs::remove_dir(&dat).unwrap();
        let a = AtomicFile::create(&cat).unwrap();
        a.as_file().write_all(b"new cat").unwrap();
        let b = AtomicFile::create(&dat).unwrap();
        b.as_file().write_all(b"new dat").unwrap();
        commit_all(vec![a, b]).unwrap();
        assert_eq!(std::fs::read_to_string(&cat).unwrap(), "new cat");
        assert_eq!(std::fs::read_to_string(&dat).unwrap(), "new dat");
        assert_eq!(names(tmp.path()), ["x.cat", "x.dat"]);
    }

    #[test]
    fn two_outputs_on_one_path_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("x.dat");
        let a = AtomicFile::create(&p).unwrap();
        let b = AtomicFile::create(&tmp.path().join(".").join("x.dat")).unwrap();
        let err = commit_all(vec![a, b]).unwrap_err();
        assert!(err.to_string().contains("overwrite each other"), "{err}");
        assert!(names(tmp.path()).is_empty());
    }

    #[test]
    fn a_staged_folder_replaces_the_old_one() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("ext");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("old.txt"), "x").unwrap();
        let s = StagingDir::beside(&dest, "build").unwrap();
        std::fs::write(s.path().join("new.txt"), "y").unwrap();
        s.replace(&dest).unwrap();
        assert_eq!(names(&dest), ["new.txt"]);
        assert_eq!(names(tmp.path()), ["ext"]);
    }

    #[cfg(unix)]
    #[test]
    fn merging_never_writes_through_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        let (dest, outside) = (tmp.path().join("dest"), tmp.path().join("outside"));
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, dest.join("md")).unwrap();
        let s = StagingDir::new_in(tmp.path(), "new").unwrap();
        std::fs::create_dir(s.path().join("md")).unwrap();
        std::fs::write(s.path().join("md/a.xml"), "x").unwrap();
        let err = s.merge_into(&dest, &["md/a.xml".into()]).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(names(&outside).is_empty());
    }
}
