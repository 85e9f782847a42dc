//! The Python side: which interpreter, and the files x4pipe puts on every module's
//! import path (the `X4_Python_Pipe_Server` package and the runner that enters the
//! module's `main()`), written to a private temporary folder while the host runs.

use crate::error::{Error, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The server end of x4pipe's Linux transport (SOCK_SEQPACKET framing) in Python: the
/// one copy of it. The package imports it; every built API inlines it into its
/// `python/x4pipe_server.py` (the root crate's template `api/python/x4pipe_seqpacket.py`).
pub const SEQPACKET_PY: &str =
    include_str!("../python/X4_Python_Pipe_Server/Classes/_seqpacket.py");

/// The package and the runner, embedded in the binary.
const FILES: &[(&str, &str)] = &[
    (
        "X4_Python_Pipe_Server/__init__.py",
        include_str!("../python/X4_Python_Pipe_Server/__init__.py"),
    ),
    (
        "X4_Python_Pipe_Server/Classes/__init__.py",
        include_str!("../python/X4_Python_Pipe_Server/Classes/__init__.py"),
    ),
    ("X4_Python_Pipe_Server/Classes/_seqpacket.py", SEQPACKET_PY),
    (
        "X4_Python_Pipe_Server/Classes/_unix.py",
        include_str!("../python/X4_Python_Pipe_Server/Classes/_unix.py"),
    ),
    (
        "X4_Python_Pipe_Server/Classes/_windows.py",
        include_str!("../python/X4_Python_Pipe_Server/Classes/_windows.py"),
    ),
    (
        "x4pipe_module.py",
        include_str!("../python/x4pipe_module.py"),
    ),
];

/// The runner's exit code for "the module has no main()": restarting cannot help.
pub const EXIT_NO_MAIN: i32 = 3;

/// How to start Python: a program and the arguments before the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PythonCmd {
    pub program: OsString,
    pub args: Vec<OsString>,
}

impl PythonCmd {
    /// `python3` on Linux; the `py -3` launcher on Windows.
    pub fn default_for_os() -> PythonCmd {
        if cfg!(windows) {
            PythonCmd {
                program: "py".into(),
                args: vec!["-3".into()],
            }
        } else {
            PythonCmd {
                program: "python3".into(),
                args: Vec::new(),
            }
        }
    }

    /// An interpreter given by path (`--python`).
    pub fn path(program: impl Into<OsString>) -> PythonCmd {
        PythonCmd {
            program: program.into(),
            args: Vec::new(),
        }
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args);
        c
    }

    fn describe(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Checks that this is a Python 3.6 or newer.
    pub fn check(&self) -> Result<()> {
        let out = self
            .command()
            .args([
                "-c",
                "import sys; sys.exit(0 if sys.version_info >= (3, 6) else 7)",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| Error::Python {
                cmd: self.describe(),
                detail: e.to_string(),
            })?;
        match out.status.code() {
            Some(0) => Ok(()),
            Some(7) => Err(Error::Python {
                cmd: self.describe(),
                detail: "Python 3.6 or newer is needed".into(),
            }),
            _ => Err(Error::Python {
                cmd: self.describe(),
                detail: format!(
                    "{} {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            }),
        }
    }
}

/// The written files; removed when dropped.
#[derive(Debug)]
pub struct Package {
    dir: tempfile::TempDir,
}

impl Package {
    pub fn write() -> Result<Package> {
        // tempfile creates the folder private to this user (0700 on Unix).
        let dir = tempfile::Builder::new()
            .prefix("x4pipe-host-")
            .tempdir()
            .map_err(|source| Error::Io {
                action: "create a folder in",
                path: std::env::temp_dir(),
                source,
            })?;
        for (rel, text) in FILES {
            let path = dir.path().join(rel);
            let io = |source| Error::Io {
                action: "write",
                path: path.clone(),
                source,
            };
            std::fs::create_dir_all(path.parent().expect("files are inside the folder"))
                .map_err(io)?;
            std::fs::write(&path, text).map_err(io)?;
        }
        Ok(Package { dir })
    }

    /// The folder to put on `PYTHONPATH`.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn runner(&self) -> PathBuf {
        self.dir.path().join("x4pipe_module.py")
    }
}
