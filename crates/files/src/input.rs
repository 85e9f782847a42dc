//! The one rule for reading input files, in every command.
//!
//! * **Regular files only.** A named pipe (FIFO), socket or device is refused by
//!   name. Files are opened non-blocking on Unix (so opening a FIFO cannot wait for
//!   a writer) and checked on the open handle, so nothing can swap a file for a pipe
//!   between the check and the read.
//! * **Symbolic links.** A path the user names (a command-line argument, `--config`,
//!   `--templates`) is followed: the user chose it. A link x4pipe *finds* (inside a
//!   folder it walks, a `[project] include` folder, an extension's `content.xml`, a
//!   catalog's `.dat`) is refused, wherever it points: following it could read files
//!   from outside the project (`/etc/passwd` into a release archive) or loop.
//! * **Sizes are capped before reading.** Whole-file reads refuse files above a cap
//!   ([`MAX_READ_BYTES`] unless the caller has a smaller one) by their size, and read
//!   at most cap + 1 bytes, so a file growing under us cannot exceed it either. No
//!   buffer is sized by a number from a file.

use std::fs::{File, FileType, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest file x4pipe reads whole into memory (validate, build, package's
/// content.xml, a `.cat` index). Streamed data (`.dat` entries, packed files) has no cap.
pub const MAX_READ_BYTES: u64 = 256 * 1024 * 1024;

/// How a path reached x4pipe; decides whether a symbolic link is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The user named it (command line, `--config`): a link is followed.
    Named,
    /// x4pipe found it inside a folder or by a fixed name: a link is refused.
    Found,
}

/// Why an input file was refused or could not be read. Messages name the file.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{}: is a symbolic link; x4pipe does not follow links it finds inside folders (replace the link with the file, or leave it out)", path.display())]
    Symlink { path: PathBuf },
    #[error("{}: is {what}, not a regular file; x4pipe only reads regular files", path.display())]
    NotRegular { path: PathBuf, what: &'static str },
    #[error("{}: is {size} bytes; x4pipe reads files of at most {max} bytes", path.display())]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl InputError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            InputError::Symlink { path }
            | InputError::NotRegular { path, .. }
            | InputError::TooLarge { path, .. }
            | InputError::Io { path, .. } => path,
        }
    }

    /// Whether the input itself is refused (link, special file, too large), as
    /// opposed to an operating-system error while reading it.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, InputError::Io { .. })
    }
}

/// What kind of file `ft` is, in words, for messages.
pub fn describe(ft: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_dir() {
        "a folder"
    } else if ft.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// The check for an entry a folder walk found (its type as `read_dir` reports it,
/// links not followed): folders are for the caller to walk into; regular files
/// pass; links and special files are refused.
pub fn check_found(path: &Path, ft: &FileType) -> Result<(), InputError> {
    if ft.is_symlink() {
        return Err(InputError::Symlink {
            path: path.to_path_buf(),
        });
    }
    if ft.is_file() || ft.is_dir() {
        return Ok(());
    }
    Err(InputError::NotRegular {
        path: path.to_path_buf(),
        what: describe(ft),
    })
}

/// Every regular file below `dir`, sorted: folders are walked, x4pipe's own
/// temporary names (`.x4pipe-tmp-*`, a killed run's leftovers) are skipped, and a
/// link or special file anywhere below is an error naming it (links are never
/// followed, so a walk cannot loop or leave `dir`).
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let io = |source| InputError::Io {
            path: d.clone(),
            source,
        };
        for entry in std::fs::read_dir(&d).map_err(io)? {
            let entry = entry.map_err(io)?;
            if crate::temps::is_temp_name(&entry.file_name()) {
                continue;
            }
            let path = entry.path();
            let ft = entry.file_type().map_err(|source| InputError::Io {
                path: path.clone(),
                source,
            })?;
            check_found(&path, &ft)?;
            if ft.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Opens `path` for reading under the rule; returns the file and its metadata
/// (taken from the open handle). Never blocks on a FIFO.
pub fn open(path: &Path, origin: Origin) -> Result<(File, Metadata), InputError> {
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    if origin == Origin::Found {
        // Checked before opening too, for a clear message on every OS (O_NOFOLLOW
        // below closes the race on Unix).
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(InputError::Symlink {
                    path: path.to_path_buf(),
                })
            }
            Ok(_) => {}
            Err(e) => return Err(io(e)),
        }
    }
    // Refuse what is not a regular file before opening it where we can: opening a
    // device can have effects of its own (a tape rewinds, a terminal becomes ours).
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(InputError::NotRegular {
            path: path.to_path_buf(),
            what: describe(&meta.file_type()),
        });
    }
    let file = open_nonblocking(path, origin).map_err(|e| {
        if origin == Origin::Found && is_loop(&e) {
            InputError::Symlink {
                path: path.to_path_buf(),
            }
        } else {
            io(e)
        }
    })?;
    // The handle decides: the path may have been replaced since the check above.
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(InputError::NotRegular {
            path: path.to_path_buf(),
            what: describe(&meta.file_type()),
        });
    }
    Ok((file, meta))
}

#[cfg(unix)]
fn open_nonblocking(path: &Path, origin: Origin) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK;
    if origin == Origin::Found {
        flags |= libc::O_NOFOLLOW;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path, _origin: Origin) -> std::io::Result<File> {
    File::open(path)
}

#[cfg(unix)]
fn is_loop(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_loop(_e: &std::io::Error) -> bool {
    false
}

/// Reads a whole file under the rule, refusing files above `max` bytes.
pub fn read(path: &Path, origin: Origin, max: u64) -> Result<Vec<u8>, InputError> {
    let (file, meta) = open(path, origin)?;
    read_open(path, file, meta.len(), max)
}

/// [`read`] of a file already opened with [`open`] whose size is `len`.
pub fn read_open(path: &Path, file: File, len: u64, max: u64) -> Result<Vec<u8>, InputError> {
    let too_large = |size| InputError::TooLarge {
        path: path.to_path_buf(),
        size,
        max,
    };
    if len > max {
        return Err(too_large(len));
    }
    // The size comes from the file system, and is at most `max`: safe to reserve.
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| InputError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read`] as UTF-8 text; invalid UTF-8 is an I/O error of kind `InvalidData`
/// naming the byte offset.
pub fn read_text(path: &Path, origin: Origin, max: u64) -> Result<String, InputError> {
    let bytes = read(path, origin, max)?;
    String::from_utf8(bytes).map_err(|e| InputError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_and_caps_their_size() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("a.txt");
        std::fs::write(&f, b"hello").unwrap();
        assert_eq!(read(&f, Origin::Found, 5).unwrap(), b"hello");
        let err = read(&f, Origin::Found, 4).unwrap_err();
        assert!(
            matches!(
                err,
                InputError::TooLarge {
                    size: 5,
                    max: 4,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("a.txt: is 5 bytes"), "{err}");
    }

    #[test]
    fn folders_are_not_files() {
        let tmp = tempfile::tempdir().unwrap();
        let err = read(tmp.path(), Origin::Named, 10).unwrap_err();
        assert!(err.to_string().contains("is a folder"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_only_when_named() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("target.txt");
        std::fs::write(&target, b"x").unwrap();
        let link = tmp.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(read(&link, Origin::Named, 10).unwrap(), b"x");
        let err = read(&link, Origin::Found, 10).unwrap_err();
        assert!(matches!(err, InputError::Symlink { .. }), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn walks_refuse_links_and_skip_leftovers() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::write(d.join("a/b/x.txt"), "x").unwrap();
        std::fs::write(d.join("a/.x4pipe-tmp-old"), "x").unwrap();
        std::fs::create_dir(d.join(".x4pipe-tmp-dir")).unwrap();
        std::fs::write(d.join("y.txt"), "y").unwrap();
        assert_eq!(
            files_under(d).unwrap(),
            [d.join("a/b/x.txt"), d.join("y.txt")]
        );
        std::os::unix::fs::symlink(d.join("y.txt"), d.join("a/link")).unwrap();
        let err = files_under(d).unwrap_err();
        assert!(
            err.to_string().contains("a/link: is a symbolic link"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_without_reading() {
        let err = read(Path::new("/dev/zero"), Origin::Named, MAX_READ_BYTES).unwrap_err();
        assert!(err.to_string().contains("is a device"), "{err}");
    }
}
