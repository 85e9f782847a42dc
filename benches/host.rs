//! `x4pipe host` (Linux): eight game clients register their Python modules at once;
//! time from start to each client's first echo; then echo round trips per second
//! through a module the host runs, against the same Python server run directly.
//!
//! `cargo bench --bench host` (optionally `-- <seconds per round-trip case>`, default 1; each case is measured three times).
//! Not a test: it prints Markdown tables for docs/benchmarks.md. Needs python3.
//!
//! The clients are `x4pipe_native::Client`s (the native library the game loads); each
//! does what `Pipe_Server_Host` does (`ping`, `package.path`, `modules:<path>;`) and
//! then what a mod's MD does: write to its module's pipe until the module serves it,
//! and read the echo. The host is only on the path of registration: once a module
//! serves its pipe, the game talks to the Python process directly, so the round trips
//! should match the direct run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};
use x4pipe_native::Client;

const CLIENTS: usize = 8;

fn echo_module(pipe: &str) -> String {
    format!(
        "from X4_Python_Pipe_Server import Pipe_Server\n\n\
         def main(args):\n    pipe = Pipe_Server('{pipe}')\n    pipe.Connect()\n    \
         while 1:\n        pipe.Write(pipe.Read())\n"
    )
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn open_retry(name: &str) -> Client {
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        match Client::open(name) {
            Ok(c) => return c,
            Err(e) => {
                assert!(Instant::now() < end, "{name} never served: {e}");
                std::thread::sleep(Duration::from_micros(200));
            }
        }
    }
}

fn read_wait(c: &mut Client, spin: bool) -> Vec<u8> {
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(m) = c.read().expect("read") {
            return m;
        }
        assert!(Instant::now() < end, "no answer");
        if spin {
            // Yield, not spin: on a busy 2-core machine the server may need this core.
            std::thread::yield_now();
        } else {
            std::thread::sleep(Duration::from_micros(100));
        }
    }
}

/// Writes to a module's pipe until it is served (as a mod's MD retries), then
/// returns the client once the first echo came back.
fn first_echo(pipe: &str) -> Client {
    let mut c = open_retry(pipe);
    c.write(b"first").expect("write");
    assert_eq!(read_wait(&mut c, false), b"first");
    c
}

fn round_trips(c: &mut Client, size: usize, secs: f64) -> f64 {
    let msg = vec![b'x'; size];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < secs {
        c.write(&msg).expect("write");
        let got = read_wait(c, true);
        assert_eq!(got.len(), size);
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let secs: f64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1.0);
    let pid = std::process::id();
    let tmp = tempfile::tempdir().unwrap();
    let x4 = tmp.path().join("X4");
    let mut modules = Vec::new();
    let mut pipes = Vec::new();
    for i in 0..CLIENTS {
        let dir = x4.join(format!("extensions/bench_{i}"));
        std::fs::create_dir_all(dir.join("python")).unwrap();
        std::fs::write(
            dir.join("content.xml"),
            format!(r#"<content id="bench_{i}" name="b" version="100"/>"#),
        )
        .unwrap();
        let pipe = format!("x4b-echo-{i}-{pid}");
        std::fs::write(dir.join("python/echo.py"), echo_module(&pipe)).unwrap();
        modules.push(format!("extensions/bench_{i}/python/echo.py"));
        pipes.push(pipe);
    }
    let host_pipe = format!("x4b-host-{pid}");
    // The host's log, for when something goes wrong.
    let log = std::env::temp_dir().join(format!("x4pipe-bench-host-{pid}.log"));
    eprintln!("host log: {}", log.display());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_x4pipe"));
    cmd.args(["host", "--pipe", &host_pipe, "--x4-dir"])
        .arg(&x4)
        .arg("--permissions")
        .arg(tmp.path().join("permissions.json"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::inherit());
    for i in 0..CLIENTS {
        cmd.args(["--allow", &format!("bench_{i}")]);
    }
    let host = Kill(cmd.spawn().expect("x4pipe host"));
    drop(open_retry(&host_pipe)); // serving

    // Eight clients at once: register, then wait for the first echo.
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (barrier, host_pipe) = (barrier.clone(), host_pipe.clone());
            let (module, pipe) = (modules[i].clone(), pipes[i].clone());
            let lua_path = format!("./?.lua;{}/lua/?.lua", x4.display());
            std::thread::spawn(move || {
                barrier.wait();
                let start = Instant::now();
                let mut h = open_retry(&host_pipe);
                for m in [
                    "ping".to_owned(),
                    format!("package.path:{lua_path}"),
                    format!("modules:{module};"),
                ] {
                    h.write(m.as_bytes()).expect("host write");
                }
                let registered = start.elapsed();
                let c = first_echo(&pipe);
                (registered, start.elapsed(), h, c, i)
            })
        })
        .collect();
    let mut results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    results.sort_by_key(|r| r.1);
    let firsts: Vec<Duration> = results.iter().map(|r| r.1).collect();
    println!("### Eight clients register a module each at once\n");
    println!("| clients | registered (slowest) | first echo: fastest | median | slowest |");
    println!("|---:|---:|---:|---:|---:|");
    println!(
        "| {CLIENTS} | {} | {} | {} | {} |\n",
        ms(results.iter().map(|r| r.0).max().unwrap()),
        ms(firsts[0]),
        ms(firsts[CLIENTS / 2]),
        ms(firsts[CLIENTS - 1])
    );

    // Round trips through module 0 (run by the host), against the same module code run
    // directly by python3 on a pipe of its own. Both run at once and are measured
    // in turns, best of three, so the load of a shared machine hits both alike.
    let pkg: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/host/python");
    let direct_pipe = format!("x4b-direct-{pid}");
    let direct_file = tmp.path().join("direct_echo.py");
    std::fs::write(&direct_file, echo_module(&direct_pipe)).unwrap();
    let _direct = Kill(
        Command::new("python3")
            .args([
                "-c",
                "import sys, importlib.util as u\n\
                 s = u.spec_from_file_location('m', sys.argv[1])\n\
                 m = u.module_from_spec(s); s.loader.exec_module(m)\n\
                 m.main({'test': False})",
            ])
            .arg(&direct_file)
            .env("PYTHONPATH", &pkg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3"),
    );
    let mut direct = first_echo(&direct_pipe);
    let client0 = results.iter().position(|r| r.4 == 0).unwrap();
    let sizes = [16usize, 1024, 64 * 1024];
    let mut via_host = vec![0f64; sizes.len()];
    let mut plain = vec![0f64; sizes.len()];
    for _ in 0..3 {
        for (i, &size) in sizes.iter().enumerate() {
            via_host[i] = via_host[i].max(round_trips(&mut results[client0].3, size, secs));
            plain[i] = plain[i].max(round_trips(&mut direct, size, secs));
        }
    }
    drop(results);
    drop(host); // its modules follow when they see their stdin close
    let _ = std::fs::remove_file(&log);

    println!("### Echo round trips/s: module run by the host vs the same server run directly\n");
    println!("| size | through `x4pipe host` | python3 directly | host / direct |");
    println!("|---:|---:|---:|---:|");
    for (i, s) in sizes.iter().enumerate() {
        let size = if *s >= 1024 {
            format!("{} KiB", s / 1024)
        } else {
            format!("{s} B")
        };
        println!(
            "| {size} | {:.0} | {:.0} | {:.2} |",
            via_host[i],
            plain[i],
            via_host[i] / plain[i]
        );
    }
}
