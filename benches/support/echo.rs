//! The echo server of the benchmarks: the benchmark program itself, run again with
//! `--echo-server PIPE`. A process of its own, as the game's server is (a Python host):
//! a thread of the benchmark's process would share its address space, and then every
//! `mmap`/`mremap`/`munmap` of either side waits for the other's page faults (one lock
//! per address space), stalls and slowdowns the game never has from its server.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use x4pipe_native::Server;

const ARG: &str = "--echo-server";

/// Call first in `main`: when this process was started as the echo server, serves and
/// returns true (then `main` returns).
pub fn serve_if_asked() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let Some(i) = args.iter().position(|a| a == ARG) else {
        return false;
    };
    serve(&args[i + 1]);
    true
}

/// Serves one client: echoes every message until the client goes or sends `stop`.
/// It schedules itself as `x4pipe host` does (its wake-ups yield to the game's thread),
/// unless `X4PIPE_BENCH_SERVER_SCHEDULING=normal`: then as a program that does not, like
/// the original's Python host.
fn serve(pipe: &str) {
    if std::env::var("X4PIPE_BENCH_SERVER_SCHEDULING").as_deref() != Ok("normal") {
        x4pipe_native::yield_on_wakeup().expect("yield_on_wakeup");
    }
    let mut server = Server::create(pipe).unwrap_or_else(|e| panic!("serve {pipe}: {e}"));
    println!("ready");
    let Ok(Some(mut conn)) = server.accept_timeout(std::time::Duration::from_secs(60)) else {
        return;
    };
    while let Ok(m) = conn.read() {
        if m == b"stop" || conn.write(&m).is_err() {
            return;
        }
    }
}

/// Starts the echo server for `pipe` and returns once it listens.
///
/// `X4PIPE_BENCH_SERVER_CPU=N` (Linux): the server runs on CPU N only; start the
/// benchmark with `taskset -c M` (M != N) and the game thread and the server never take
/// each other's CPU, as on a machine with cores to spare.
pub fn start(pipe: &str) -> Child {
    let exe = std::env::current_exe().expect("the benchmark's path");
    let mut cmd = match std::env::var("X4PIPE_BENCH_SERVER_CPU") {
        Ok(cpu) => {
            let mut c = Command::new("taskset");
            c.args(["-c", &cpu]).arg(exe);
            c
        }
        Err(_) => Command::new(exe),
    };
    let mut child = cmd
        .args([ARG, pipe])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the echo server");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "the echo server did not start");
    child
}
