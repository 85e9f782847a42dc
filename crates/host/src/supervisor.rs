//! One Python process per module: started once however often it is registered,
//! restarted with a growing back-off when it exits or crashes, stopped with the host.
//!
//! Every child gets a pipe as stdin that the host never writes: the runner exits when
//! it reads end-of-file, so modules die with the host even if the host is killed.

use crate::event::{Event, Sink};
use crate::modpath::Module;
use crate::python::{Package, PythonCmd, EXIT_NO_MAIN};
use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// First wait before a restart; doubles per quick failure up to [`BACKOFF_MAX`].
pub const BACKOFF_START: Duration = Duration::from_millis(500);
pub const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// A module that ran this long before it ended starts over at the first wait.
const HEALTHY_RUN: Duration = Duration::from_secs(60);
/// Lines of output kept for the exit event.
const TAIL_LINES: usize = 20;

struct Running {
    child: Child,
    started: Instant,
    /// One message per output stream when it reaches end-of-file.
    streams_done: Receiver<()>,
}

enum State {
    Running(Running),
    /// Waiting to be restarted at this time.
    Waiting(Instant),
    /// Not restarted (no `main()`): a new registration starts it again.
    GaveUp,
}

struct Proc {
    module: Module,
    state: State,
    /// Starts so far (the first one included).
    starts: u32,
    /// Quick failures in a row (sets the back-off).
    failures: u32,
    tail: Arc<Mutex<VecDeque<String>>>,
}

pub struct Supervisor {
    python: PythonCmd,
    package: Package,
    socket_env: Option<(String, OsString)>,
    sink: Sink,
    procs: Mutex<Vec<Proc>>,
}

impl Supervisor {
    pub fn new(python: PythonCmd, package: Package, sink: Sink) -> Supervisor {
        // Modules must find the sockets where the game does, whatever their own
        // environment would say.
        #[cfg(unix)]
        let socket_env = x4pipe_native::name::socket_dir()
            .ok()
            .map(|d| ("X4PIPE_SOCKET_DIR".to_owned(), d.into_os_string()));
        #[cfg(not(unix))]
        let socket_env = None;
        Supervisor {
            python,
            package,
            socket_env,
            sink,
            procs: Mutex::new(Vec::new()),
        }
    }

    /// Starts the module unless it already runs. `false`: it was there already.
    pub fn register(&self, module: Module) -> bool {
        let mut procs = self.procs.lock().unwrap();
        if let Some(p) = procs.iter_mut().find(|p| p.module.file == module.file) {
            if matches!(p.state, State::GaveUp) {
                p.failures = 0;
                self.start(p);
                return true;
            }
            return false;
        }
        let mut p = Proc {
            module,
            state: State::GaveUp,
            starts: 0,
            failures: 0,
            tail: Arc::new(Mutex::new(VecDeque::new())),
        };
        self.start(&mut p);
        procs.push(p);
        true
    }

    fn spawn(&self, p: &Proc) -> std::io::Result<Running> {
        let mut cmd: Command = self.python.command();
        let mut path = OsString::from(self.package.dir());
        if let Some(old) = std::env::var_os("PYTHONPATH").filter(|v| !v.is_empty()) {
            path.push(if cfg!(windows) { ";" } else { ":" });
            path.push(old);
        }
        cmd.arg("-u")
            .arg(self.package.runner())
            .arg(&p.module.file)
            .current_dir(p.module.file.parent().unwrap_or(&p.module.ext_dir))
            .env("PYTHONPATH", path)
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONIOENCODING", "utf-8")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some((k, v)) = &self.socket_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn()?;
        let (done_tx, streams_done) = channel();
        let out: Box<dyn Read + Send> = Box::new(child.stdout.take().expect("piped"));
        let err: Box<dyn Read + Send> = Box::new(child.stderr.take().expect("piped"));
        for stream in [out, err] {
            let sink = self.sink.clone();
            let tail = p.tail.clone();
            let module = p.module.registered.clone();
            let done = done_tx.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut buf = Vec::new();
                while matches!(reader.read_until(b'\n', &mut buf), Ok(n) if n > 0) {
                    let line = String::from_utf8_lossy(&buf).trim_end().to_owned();
                    buf.clear();
                    {
                        let mut t = tail.lock().unwrap();
                        if t.len() == TAIL_LINES {
                            t.pop_front();
                        }
                        t.push_back(line.clone());
                    }
                    sink(Event::ModuleOutput {
                        module: module.clone(),
                        line,
                    });
                }
                let _ = done.send(());
            });
        }
        Ok(Running {
            child,
            started: Instant::now(),
            streams_done,
        })
    }

    fn start(&self, p: &mut Proc) {
        p.tail.lock().unwrap().clear();
        match self.spawn(p) {
            Ok(running) => {
                p.starts += 1;
                let pid = running.child.id();
                let module = p.module.registered.clone();
                (self.sink)(if p.starts == 1 {
                    Event::ModuleStarted {
                        module,
                        pid,
                        ext_id: p.module.ext_id.clone(),
                    }
                } else {
                    Event::ModuleRestarted {
                        module,
                        pid,
                        attempt: p.starts - 1,
                    }
                });
                p.state = State::Running(running);
            }
            Err(e) => {
                let wait = backoff(p.failures);
                p.failures += 1;
                (self.sink)(Event::ModuleSpawnFailed {
                    module: p.module.registered.clone(),
                    error: e.to_string(),
                    restart_in: wait,
                });
                p.state = State::Waiting(Instant::now() + wait);
            }
        }
    }

    /// Notices ended processes and restarts those whose wait is over.
    pub fn tick(&self) {
        let mut procs = self.procs.lock().unwrap();
        let now = Instant::now();
        for p in procs.iter_mut() {
            match &mut p.state {
                State::Running(r) => {
                    let status = match r.child.try_wait() {
                        Ok(Some(status)) => status,
                        Ok(None) => continue,
                        Err(_) => continue,
                    };
                    let ran_for = r.started.elapsed();
                    // Let the readers pass on the last lines before the exit line.
                    wait_streams(&r.streams_done);
                    let tail: Vec<String> = p.tail.lock().unwrap().iter().cloned().collect();
                    if ran_for >= HEALTHY_RUN {
                        p.failures = 0;
                    }
                    let restart_in =
                        (status.code() != Some(EXIT_NO_MAIN)).then(|| backoff(p.failures));
                    (self.sink)(Event::ModuleExited {
                        module: p.module.registered.clone(),
                        status: describe(status),
                        ran_for,
                        restart_in,
                        tail,
                    });
                    p.state = match restart_in {
                        Some(wait) => {
                            p.failures += 1;
                            State::Waiting(now + wait)
                        }
                        None => State::GaveUp,
                    };
                }
                State::Waiting(at) if *at <= now => self.start(p),
                _ => {}
            }
        }
    }

    /// Stops every module (the host is stopping).
    pub fn stop_all(&self) {
        let mut procs = self.procs.lock().unwrap();
        for p in procs.iter_mut() {
            if let State::Running(r) = &mut p.state {
                let _ = r.child.kill();
                let _ = r.child.wait();
                wait_streams(&r.streams_done);
                (self.sink)(Event::ModuleStopped {
                    module: p.module.registered.clone(),
                });
            }
            p.state = State::GaveUp;
        }
    }
}

/// Waits (briefly: a grandchild may hold the pipes open) for both output streams.
fn wait_streams(done: &Receiver<()>) {
    let end = Instant::now() + Duration::from_secs(1);
    for _ in 0..2 {
        let rest = end.saturating_duration_since(Instant::now());
        if done.recv_timeout(rest).is_err() {
            return;
        }
    }
}

fn backoff(failures: u32) -> Duration {
    BACKOFF_START
        .saturating_mul(1u32 << failures.min(16))
        .min(BACKOFF_MAX)
}

fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(0) => "ended".to_owned(),
        Some(EXIT_NO_MAIN) => "has no main() function".to_owned(),
        Some(code) => format!("crashed (exit code {code})"),
        None => format!("crashed ({status})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(0), Duration::from_millis(500));
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(4));
        assert_eq!(backoff(7), BACKOFF_MAX);
        assert_eq!(backoff(100), BACKOFF_MAX);
    }
}
