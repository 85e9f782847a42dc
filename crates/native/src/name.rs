//! Pipe names and where they live on each OS.
//!
//! Client and server both go through this module, so they can never disagree about
//! where a name points to.

use crate::status::{Error, Result, Status};

/// Longest pipe name accepted (bytes of UTF-8). Windows allows 256 characters after
/// `\\.\pipe\`; the same cap on Linux keeps names portable between the two.
pub const MAX_NAME_LEN: usize = 256;

/// Checks a pipe name (without OS prefix): non-empty, at most [`MAX_NAME_LEN`] bytes,
/// no path separators or NULs, not `.`/`..`. The same rules on every OS, so a name that
/// works on Linux also works on Windows and the other way round.
pub fn validate_name(name: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::new(
            Status::Invalid,
            format!("bad pipe name {name:?}: {why}"),
        ))
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > MAX_NAME_LEN {
        return bad("longer than 256 bytes");
    }
    if name.contains(['/', '\\', '\0']) {
        return bad("contains '/', '\\' or NUL (give the name without OS prefix)");
    }
    if name == "." || name == ".." {
        return bad("'.' and '..' are not names");
    }
    Ok(())
}

/// Windows: the full pipe path `\\.\pipe\<name>`.
#[cfg(windows)]
pub fn pipe_path(name: &str) -> Result<String> {
    validate_name(name)?;
    Ok(format!(r"\\.\pipe\{name}"))
}

#[cfg(unix)]
pub use unix::{socket_dir, socket_path};

#[cfg(unix)]
mod unix {
    use super::validate_name;
    use crate::status::{Error, Result, Status};
    use std::ffi::OsString;
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    use std::path::{Path, PathBuf};

    /// Room in `sockaddr_un.sun_path` for the path bytes (108 minus the NUL).
    const MAX_SOCKET_PATH: usize = 107;

    /// The folder of the sockets, created with mode 0700 if missing:
    /// `$X4PIPE_SOCKET_DIR`, else `$XDG_RUNTIME_DIR/x4pipe`, else `/tmp/x4pipe-<uid>`.
    ///
    /// The `/tmp` fallback lives in a folder everybody can write to, so it must be
    /// ours: a folder someone else created there first (to catch our sockets) is
    /// refused instead of used.
    pub fn socket_dir() -> Result<PathBuf> {
        socket_dir_in(|var| std::env::var_os(var))
    }

    /// [`socket_dir`] with the environment as a parameter, so tests need not change
    /// the process-wide one.
    pub(super) fn socket_dir_in(var: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf> {
        // An empty variable counts as unset (shells often export `VAR=`).
        let env_dir = |name: &str| var(name).filter(|v| !v.is_empty());
        if let Some(dir) = env_dir("X4PIPE_SOCKET_DIR") {
            let dir = PathBuf::from(dir);
            make_dir(&dir)?;
            return Ok(dir);
        }
        if let Some(run) = env_dir("XDG_RUNTIME_DIR") {
            let dir = Path::new(&run).join("x4pipe");
            make_dir(&dir)?;
            return Ok(dir);
        }
        let uid = crate::sys::getuid();
        let dir = PathBuf::from(format!("/tmp/x4pipe-{uid}"));
        make_dir(&dir)?;
        check_private(&dir, uid)?;
        Ok(dir)
    }

    fn make_dir(dir: &Path) -> Result<()> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| {
                let status = if e.kind() == std::io::ErrorKind::PermissionDenied {
                    Status::AccessDenied
                } else {
                    Status::Other
                };
                Error::os(
                    status,
                    &format!("creating socket folder {}", dir.display()),
                    &e,
                )
            })
    }

    fn check_private(dir: &Path, uid: u32) -> Result<()> {
        let meta = std::fs::symlink_metadata(dir).map_err(|e| {
            Error::os(
                Status::Other,
                &format!("checking socket folder {}", dir.display()),
                &e,
            )
        })?;
        let mode = meta.permissions().mode();
        if !meta.is_dir() || meta.uid() != uid || mode & 0o077 != 0 {
            return Err(Error::new(
                Status::AccessDenied,
                format!(
                    "socket folder {} is not a private folder of uid {uid} (owner {}, mode {:o}); \
                     remove it or set X4PIPE_SOCKET_DIR",
                    dir.display(),
                    meta.uid(),
                    mode & 0o7777
                ),
            ));
        }
        Ok(())
    }

    /// The socket path of a pipe name: `<socket_dir()>/<name>`.
    pub fn socket_path(name: &str) -> Result<PathBuf> {
        validate_name(name)?;
        let path = socket_dir()?.join(name);
        let len = path.as_os_str().len();
        if len > MAX_SOCKET_PATH {
            return Err(Error::new(
                Status::Invalid,
                format!(
                    "socket path {} is {len} bytes, the OS allows {MAX_SOCKET_PATH}; \
                     use a shorter name or set X4PIPE_SOCKET_DIR to a shorter folder",
                    path.display()
                ),
            ));
        }
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("x4_python_host").is_ok());
        assert!(validate_name("名前 with space;and;semicolons").is_ok());
        for bad in ["", ".", "..", "a/b", "a\\b", "a\0b"] {
            assert_eq!(
                validate_name(bad).unwrap_err().status(),
                Status::Invalid,
                "{bad:?}"
            );
        }
        assert!(validate_name(&"x".repeat(256)).is_ok());
        assert!(validate_name(&"x".repeat(257)).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn socket_dir_follows_env_then_runtime_dir() {
        use std::ffi::OsString;
        use std::os::unix::fs::PermissionsExt;
        use std::path::{Path, PathBuf};

        let base = std::env::temp_dir().join(format!("x4p-dirtest-{}", std::process::id()));
        let env = |pairs: &[(&str, &Path)]| {
            let pairs: Vec<(String, OsString)> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_os_str().to_owned()))
                .collect();
            move |var: &str| pairs.iter().find(|(k, _)| k == var).map(|(_, v)| v.clone())
        };

        // 1. $X4PIPE_SOCKET_DIR wins, created if missing (also nested).
        let own = base.join("own/nested");
        let run_env = base.join("run");
        let both = env(&[("X4PIPE_SOCKET_DIR", &own), ("XDG_RUNTIME_DIR", &run_env)]);
        assert_eq!(unix::socket_dir_in(&both).unwrap(), own);
        assert!(own.is_dir());

        // 2. Empty counts as unset: then $XDG_RUNTIME_DIR/x4pipe, mode 0700.
        let empty = env(&[
            ("X4PIPE_SOCKET_DIR", Path::new("")),
            ("XDG_RUNTIME_DIR", &run_env),
        ]);
        let run = base.join("run/x4pipe");
        assert_eq!(unix::socket_dir_in(&empty).unwrap(), run);
        let mode = std::fs::metadata(&run).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);

        // 3. Neither: the private per-user folder under /tmp.
        let uid = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m));
        let dir = unix::socket_dir_in(env(&[])).unwrap();
        assert_eq!(dir, PathBuf::from(format!("/tmp/x4pipe-{}", uid.unwrap())));
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o077;
        assert_eq!(mode, 0, "shared /tmp folder must be private");

        let _ = std::fs::remove_dir_all(&base);
    }
}
