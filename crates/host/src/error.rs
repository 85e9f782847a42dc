//! Errors that stop the host before or while it serves (bad permissions file, pipe
//! already served, unsafe socket folder). Everything after start-up is an
//! [`crate::Event`]. Messages leave their `source` out (the CLI prints causes).

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The permissions file exists but cannot be used.
    #[error("{}: {detail}", path.display())]
    Permissions { path: PathBuf, detail: String },
    /// Reading or writing a file failed (`action`: "read", "write", ...).
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The Python interpreter cannot be started (reported as a warning, see
    /// [`crate::Event::PythonMissing`]).
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

impl Error {
    /// The message with its causes on one line, for a log line.
    pub fn one_line(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            text.push_str(": ");
            text.push_str(&c.to_string());
            cause = c.source();
        }
        text
    }
}
