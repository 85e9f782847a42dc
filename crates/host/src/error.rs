//! Errors that stop the host before or while it serves (bad permissions file, no
//! Python, pipe already served). Everything after start-up is an [`crate::Event`].

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The permissions file exists but cannot be used.
    #[error("{}: {detail}", path.display())]
    Permissions { path: PathBuf, detail: String },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The Python interpreter cannot be started.
    #[error("cannot run Python ({cmd}): {detail}; install Python 3 or pass --python PATH")]
    Python { cmd: String, detail: String },
    /// The host pipe cannot be served.
    #[error("cannot serve the host pipe {pipe}: {detail}")]
    Pipe { pipe: String, detail: String },
    /// The socket folder is not private to this user.
    #[error("{detail}")]
    Insecure { detail: String },
    /// `--x4-dir` is not a folder.
    #[error("--x4-dir {}: {detail}", path.display())]
    X4Dir { path: PathBuf, detail: String },
}
