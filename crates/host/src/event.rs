//! What the host tells the player: one event per connect, disconnect, module start,
//! refusal, exit and restart; every message and module detail for `--verbose`.
//! `Display` gives the log line.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where events go (the CLI prints them; tests collect them).
pub type Sink = Arc<dyn Fn(Event) + Send + Sync>;

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The host pipe is served.
    Serving {
        pipe: String,
        location: String,
    },
    /// The permissions file was created with its instructions.
    PermissionsCreated {
        path: PathBuf,
    },
    /// Python cannot be started: the host serves anyway (a player may install Python
    /// while it runs), but modules fail to start until then.
    PythonMissing {
        error: String,
    },
    /// Which permissions file is used.
    PermissionsFile {
        path: PathBuf,
    },
    ClientConnected {
        client: u64,
        pid: Option<u32>,
        x4_dir: Option<(PathBuf, crate::x4dir::Source)>,
    },
    ClientDisconnected {
        client: u64,
        reason: String,
    },
    /// A client's X4 folder, learnt after it connected (from package.path).
    X4Dir {
        client: u64,
        dir: PathBuf,
        source: crate::x4dir::Source,
    },
    /// Every message (verbose).
    Message {
        client: u64,
        text: String,
    },
    /// A module was refused: path rules, unknown X4 folder or permissions.
    ModuleRefused {
        client: u64,
        module: String,
        reason: String,
    },
    /// A module registered again (verbose).
    ModuleAlreadyRunning {
        client: u64,
        module: String,
    },
    ModuleStarted {
        module: String,
        pid: u32,
        ext_id: String,
    },
    /// A line the module printed.
    ModuleOutput {
        module: String,
        line: String,
    },
    /// The module's process ended; `tail` is its last output.
    ModuleExited {
        module: String,
        status: String,
        ran_for: Duration,
        restart_in: Option<Duration>,
        tail: Vec<String>,
    },
    ModuleRestarted {
        module: String,
        pid: u32,
        attempt: u32,
    },
    /// A module's process could not be started.
    ModuleSpawnFailed {
        module: String,
        error: String,
        restart_in: Duration,
    },
    ModuleStopped {
        module: String,
    },
    Stopped,
}

impl Event {
    /// Shown only with `--verbose`.
    pub fn is_verbose(&self) -> bool {
        matches!(
            self,
            Event::Message { .. }
                | Event::ModuleAlreadyRunning { .. }
                | Event::PermissionsFile { .. }
        )
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Serving { pipe, location } => {
                write!(f, "serving the host pipe {pipe} at {location}; waiting for the game (Ctrl-C stops)")
            }
            Event::PermissionsCreated { path } => write!(
                f,
                "created the permissions file {}: set an extension's id to true there to let it run Python",
                path.display()
            ),
            Event::PythonMissing { error } => {
                write!(f, "warning: {error}; modules cannot start until then")
            }
            Event::PermissionsFile { path } => write!(f, "permissions file: {}", path.display()),
            Event::ClientConnected { client, pid, x4_dir } => {
                write!(f, "client {client} connected")?;
                if let Some(pid) = pid {
                    write!(f, " (process {pid})")?;
                }
                match x4_dir {
                    Some((dir, source)) => write!(f, "; X4 folder {} ({source})", dir.display()),
                    None => write!(f, "; X4 folder not known yet"),
                }
            }
            Event::ClientDisconnected { client, reason } => {
                write!(f, "client {client} disconnected ({reason})")
            }
            Event::X4Dir { client, dir, source } => {
                write!(f, "client {client}: X4 folder {} ({source})", dir.display())
            }
            Event::Message { client, text } => write!(f, "client {client} sent: {text:?}"),
            Event::ModuleRefused { client, module, reason } => {
                write!(f, "refused module {module} (client {client}): {reason}")
            }
            Event::ModuleAlreadyRunning { client, module } => {
                write!(f, "module {module} (client {client}) already runs")
            }
            Event::ModuleStarted { module, pid, ext_id } => {
                write!(f, "started module {module} of extension {ext_id} (process {pid})")
            }
            Event::ModuleOutput { module, line } => write!(f, "[{module}] {line}"),
            Event::ModuleExited { module, status, ran_for, restart_in, .. } => {
                write!(f, "module {module} {status} after {}", secs(*ran_for))?;
                match restart_in {
                    Some(d) => write!(f, "; restarting in {}", secs(*d)),
                    None => write!(f, "; not restarted"),
                }
            }
            Event::ModuleRestarted { module, pid, attempt } => {
                write!(f, "restarted module {module} (process {pid}, restart {attempt})")
            }
            Event::ModuleSpawnFailed { module, error, restart_in } => write!(
                f,
                "cannot start module {module}: {error}; trying again in {}",
                secs(*restart_in)
            ),
            Event::ModuleStopped { module } => write!(f, "stopped module {module}"),
            Event::Stopped => write!(f, "host stopped"),
        }
    }
}
