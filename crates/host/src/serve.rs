//! The host itself: serve the host pipe, one thread per game client, and hand the
//! modules the clients register to the supervisor.

use crate::error::{Error, Result};
use crate::event::{Event, Sink};
use crate::modpath;
use crate::permissions::{Permissions, Verdict};
use crate::protocol::Command;
use crate::python::{Package, PythonCmd};
use crate::supervisor::Supervisor;
use crate::x4dir::{self, Source};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use x4pipe_native::{Connection, Server, Status};

/// The pipes the game's `Pipe_Server_Host` copies talk to: the spec's and the original
/// API's `x4_python_host` (the standalone API and sn_mod_support_apis), and
/// `x4pipe_python_host`, the one every API embedded in a mod uses, so that those mods
/// never compete with the original's single-instance host for its pipe.
pub const DEFAULT_PIPES: [&str; 2] = ["x4_python_host", "x4pipe_python_host"];

/// How often blocking waits look at the stop flag.
const POLL: Duration = Duration::from_millis(100);

#[derive(Clone, Debug)]
pub struct Config {
    /// Host pipe names (at least one); each is served alike.
    pub pipes: Vec<String>,
    /// `--x4-dir`: the X4 folder for every client.
    pub x4_dir: Option<PathBuf>,
    pub python: PythonCmd,
    /// The permissions file (created with instructions if missing).
    pub permissions: PathBuf,
    /// Extension ids allowed in addition to the file.
    pub allow: Vec<String>,
}

struct Ctx {
    x4_dir: Option<PathBuf>,
    permissions: Permissions,
    supervisor: Supervisor,
    sink: Sink,
    stop: Arc<AtomicBool>,
}

/// Runs the host until `stop` is set, then stops every module. Start-up problems
/// (permissions file, the pipe already served, an unsafe socket folder) are errors
/// before anything runs; everything after (a missing Python included) is reported
/// through `sink`.
pub fn run(config: Config, stop: Arc<AtomicBool>, sink: Sink) -> Result<()> {
    let x4_dir = match &config.x4_dir {
        Some(dir) => Some(modpath::plain(dir.canonicalize().map_err(|e| {
            Error::X4Dir {
                path: dir.clone(),
                detail: e.to_string(),
            }
        })?)),
        None => None,
    };
    let mut locations = Vec::new();
    for pipe in &config.pipes {
        locations.push(check_transport(pipe)?);
    }
    let (permissions, created) = Permissions::open(&config.permissions, &config.allow)?;
    if created {
        sink(Event::PermissionsCreated {
            path: config.permissions.clone(),
        });
    } else {
        sink(Event::PermissionsFile {
            path: config.permissions.clone(),
        });
    }
    if let Err(e) = config.python.check() {
        sink(Event::PythonMissing {
            error: e.one_line(),
        });
    }
    let package = Package::write()?;
    let mut servers = Vec::new();
    for (pipe, location) in config.pipes.iter().zip(locations) {
        let server = Server::create(pipe).map_err(|e| Error::Pipe {
            pipe: pipe.clone(),
            detail: format!("{e} (is another host running?)"),
        })?;
        servers.push(server);
        sink(Event::Serving {
            pipe: pipe.clone(),
            location,
        });
    }
    // Each accept waits its share of the poll interval, so the stop flag is still seen
    // every POLL.
    let wait = POLL / servers.len().max(1) as u32;

    let ctx = Arc::new(Ctx {
        x4_dir,
        permissions,
        supervisor: Supervisor::new(config.python.clone(), package, sink.clone()),
        sink: sink.clone(),
        stop: stop.clone(),
    });
    let ticker = {
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            while !ctx.stop.load(Ordering::Relaxed) {
                ctx.supervisor.tick();
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };

    let mut clients = Vec::new();
    let mut next_id = 1u64;
    let mut failure = None;
    'serve: while !stop.load(Ordering::Relaxed) {
        for server in &mut servers {
            match server.accept_timeout(wait) {
                Ok(Some(conn)) => {
                    let ctx = ctx.clone();
                    let id = next_id;
                    next_id += 1;
                    clients.push(std::thread::spawn(move || serve_client(id, conn, &ctx)));
                }
                Ok(None) => {}
                Err(e) => {
                    failure = Some(Error::Pipe {
                        pipe: server.name().to_owned(),
                        detail: e.to_string(),
                    });
                    stop.store(true, Ordering::Relaxed);
                    break 'serve;
                }
            }
        }
        clients.retain(|c| !c.is_finished());
    }
    for c in clients {
        let _ = c.join();
    }
    let _ = ticker.join();
    ctx.supervisor.stop_all();
    drop(servers);
    sink(Event::Stopped);
    failure.map_or(Ok(()), Err)
}

/// Linux: the socket folder must be private to this user (the game and the modules
/// meet there); returns where the host pipe lives, for the log.
#[cfg(unix)]
fn check_transport(pipe: &str) -> Result<String> {
    use std::os::unix::fs::MetadataExt;
    let pipe_err = |e: x4pipe_native::Error| Error::Pipe {
        pipe: pipe.to_owned(),
        detail: e.to_string(),
    };
    let dir = x4pipe_native::name::socket_dir().map_err(pipe_err)?;
    let meta = std::fs::metadata(&dir).map_err(|source| Error::Io {
        action: "read the socket folder",
        path: dir.clone(),
        source,
    })?;
    // The effective user owns /proc/self.
    let me = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    if me.is_some_and(|uid| uid != meta.uid()) {
        return Err(Error::Insecure {
            detail: format!(
                "the socket folder {} belongs to another user; set X4PIPE_SOCKET_DIR to a folder of yours",
                dir.display()
            ),
        });
    }
    if meta.mode() & 0o077 != 0 {
        return Err(Error::Insecure {
            detail: format!(
                "the socket folder {} is open to other users (mode {:o}); run `chmod 700 {}`",
                dir.display(),
                meta.mode() & 0o777,
                dir.display()
            ),
        });
    }
    Ok(x4pipe_native::name::socket_path(pipe)
        .map_err(pipe_err)?
        .display()
        .to_string())
}

/// Windows: the pipe's DACL admits only this user and SYSTEM (set by `x4pipe-native`).
#[cfg(windows)]
fn check_transport(pipe: &str) -> Result<String> {
    x4pipe_native::name::pipe_path(pipe).map_err(|e| Error::Pipe {
        pipe: pipe.to_owned(),
        detail: e.to_string(),
    })
}

fn serve_client(id: u64, mut conn: Connection, ctx: &Ctx) {
    let pid = conn.peer_pid().ok();
    let mut x4 = ctx.x4_dir.clone().map(|d| (d, Source::Option)).or_else(|| {
        let exe = conn.peer_exe().ok()?;
        x4dir::from_exe(&exe).map(|d| (d, Source::GameProcess))
    });
    (ctx.sink)(Event::ClientConnected {
        client: id,
        pid,
        x4_dir: x4.clone(),
    });
    let reason = loop {
        if ctx.stop.load(Ordering::Relaxed) {
            break "the host is stopping".to_owned();
        }
        let message = match conn.read_timeout(POLL) {
            Ok(None) => continue,
            Ok(Some(m)) => String::from_utf8_lossy(&m).into_owned(),
            Err(e) if e.status() == Status::Broken => break "the game closed the pipe".to_owned(),
            Err(e) => break format!("pipe error: {e}"),
        };
        (ctx.sink)(Event::Message {
            client: id,
            text: message.clone(),
        });
        match Command::parse(&message) {
            Command::Ping | Command::Unknown(_) => {}
            Command::Restart => break "it asked for a restart".to_owned(),
            Command::GarbageCollected => break "its Lua state was garbage collected".to_owned(),
            Command::PackagePath(path) => {
                // The game process and --x4-dir are better sources; package.path
                // only fills the gap (and is empty since game 7.5).
                if x4.as_ref().is_none_or(|(_, s)| *s == Source::PackagePath) {
                    if let Some(dir) = x4dir::from_package_path(&path) {
                        if x4.as_ref().map(|(d, _)| d) != Some(&dir) {
                            (ctx.sink)(Event::X4Dir {
                                client: id,
                                dir: dir.clone(),
                                source: Source::PackagePath,
                            });
                            x4 = Some((dir, Source::PackagePath));
                        }
                    }
                }
            }
            Command::Modules(paths) => {
                for path in paths {
                    register(id, x4.as_ref().map(|(d, _)| d), &path, ctx);
                }
            }
        }
    };
    (ctx.sink)(Event::ClientDisconnected { client: id, reason });
}

fn register(client: u64, x4: Option<&PathBuf>, path: &str, ctx: &Ctx) {
    let refuse = |reason: String| {
        (ctx.sink)(Event::ModuleRefused {
            client,
            module: path.to_owned(),
            reason,
        })
    };
    let Some(x4) = x4 else {
        return refuse(
            "the X4 folder is not known (the game sent no usable package.path); start the host with --x4-dir <X4 folder>"
                .to_owned(),
        );
    };
    let module = match modpath::resolve(x4, path) {
        Ok(m) => m,
        Err(why) => return refuse(why.0),
    };
    if let Verdict::Refused(why) = ctx.permissions.check(&module.ext_id) {
        return refuse(why);
    }
    if !ctx.supervisor.register(module) {
        (ctx.sink)(Event::ModuleAlreadyRunning {
            client,
            module: path.to_owned(),
        });
    }
}
