//! One hour of game time of an idle connected mod, simulated by `x4pipe-sim`: the
//! rendered API and a scaffolded mod, the real Lua client over the native library, a
//! host and the mod's own server on real pipes that keep the passive reads pending.
//! Beside it: the same hour with the host but not the mod's server (the mod's
//! connection helper retries once a minute), and with nothing served (pings fail and
//! back off).
//!
//! `cargo bench --bench sim_idle`. Not a test: prints a Markdown table for
//! docs/benchmarks.md. Goal: under one second of wall time per hour.

use std::path::Path;
use std::time::{Duration, Instant};
use x4pipe::config::ApiMode;
use x4pipe::pipeline::{build, BuildOptions};
use x4pipe::scaffold::{new_extension, NewExtension};
use x4pipe_sim::engine::micros;
use x4pipe_sim::{extension, Sim, SimOptions};

fn build_in(project: &Path, out: &Path) -> std::path::PathBuf {
    build(&BuildOptions {
        project_dir: project.to_owned(),
        out: Some(out.to_owned()),
        ..Default::default()
    })
    .expect("build")
    .extension_dir
}

struct Figures {
    wall: Duration,
    events: usize,
    errors: usize,
}

fn hour(exts: &[std::path::PathBuf]) -> Figures {
    let exts: Vec<_> = exts.iter().map(|d| extension::load(d).unwrap()).collect();
    let mut sim = Sim::new(&exts, SimOptions::default()).unwrap();
    let t = Instant::now();
    let mut events = 0;
    sim.run(micros(3600.0), |_| {
        events += 1;
        false
    })
    .expect("the hour runs");
    Figures {
        wall: t.elapsed(),
        events,
        errors: sim.errors(),
    }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let pid = std::process::id();
    let host_pipe = format!("x4b_host_{pid}");
    let api = dir.path().join("api");
    std::fs::create_dir_all(&api).unwrap();
    std::fs::write(
        api.join("x4pipe.toml"),
        format!("[names]\nhost_pipe = \"{host_pipe}\"\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let api_ext = build_in(&api, &out);
    let id = format!("idle_{pid}");
    let project = dir.path().join(&id);
    new_extension(&NewExtension {
        name: id.clone(),
        dir: project.clone(),
        author: "Bench".into(),
        description: None,
        api: ApiMode::Standalone,
        force: false,
    })
    .unwrap();
    let mod_ext = build_in(&project, &out);
    let exts = [api_ext, mod_ext];

    let unconnected = hour(&exts);

    // The host, and then the mod's server too: accept, read and never answer (as the
    // Python host does when nothing is asked of it).
    let host = QuietServer::start(&host_pipe);
    let host_only = hour(&exts);
    let server = QuietServer::start(&id);
    let connected = hour(&exts);
    drop((host, server));

    println!("| one hour of game time | wall time | events | MD/Lua errors |");
    println!("|---|---|---|---|");
    for (name, f) in [
        (
            "idle mod connected to the host and its server (goal < 1 s)",
            &connected,
        ),
        ("host connected, the mod's server absent", &host_only),
        ("nothing served, pings back off", &unconnected),
    ] {
        println!(
            "| {name} | {:.3} s | {} | {} |",
            f.wall.as_secs_f64(),
            f.events,
            f.errors
        );
    }
}

/// A server on a real pipe that accepts, reads and never answers, until dropped.
struct QuietServer {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl QuietServer {
    fn start(name: &str) -> QuietServer {
        use std::sync::atomic::Ordering::SeqCst;
        let mut server = x4pipe_native::Server::create(name).expect("serve");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            while !s.load(SeqCst) {
                if let Ok(Some(mut c)) = server.accept_timeout(Duration::from_millis(20)) {
                    while !s.load(SeqCst) {
                        if c.read_timeout(Duration::from_millis(20)).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        QuietServer {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for QuietServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}
