//! Round trips through the Lua client (fake X4 host + LuaJIT + ffi + native library)
//! against a plain Rust client (`x4pipe_native::Client`) on the same transport, same run.
//!
//! `cargo bench --bench lua_roundtrip` (optionally `-- <seconds per case>`, default 1).
//! Not a test: it prints a Markdown table for docs/benchmarks.md.
//!
//! One round trip = a write of the message, then a read of the server's echo.
//! Lua: MD's two events (`pipeWrite`, `pipeRead`) raised, frames stepped back to back
//! until `pipeRead_complete_<id>` comes; the game would add its frame time on top (a
//! read that finds the pipe empty waits for the next frame), so this is the ceiling of
//! the Lua side, not what a mod sees at 60 fps. MB/s counts the bytes of both
//! directions (2 x size per round trip).

// The bench uses a part of the tests' support (the fake game, the Lua rendering).
#[allow(dead_code)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};
use support::game::{Game, Options};
use support::render::{names, Settings};
use x4pipe_native::{Client, Server, Status};

fn echo_server(name: &str) -> std::thread::JoinHandle<()> {
    let mut server = Server::create(name).expect("serve");
    std::thread::spawn(move || loop {
        let Ok(Some(mut conn)) = server.accept_timeout(Duration::from_secs(30)) else {
            return;
        };
        loop {
            match conn.read() {
                Ok(m) => {
                    if m == b"stop" {
                        return;
                    }
                    if conn.write(&m).is_err() {
                        break;
                    }
                }
                Err(e) if e.status() == Status::Broken => break,
                Err(e) => panic!("echo: {e}"),
            }
        }
    })
}

struct Figures {
    trips: u64,
    secs: f64,
}

impl Figures {
    fn per_sec(&self) -> f64 {
        self.trips as f64 / self.secs
    }
    fn mb_per_sec(&self, size: usize) -> f64 {
        self.per_sec() * 2.0 * size as f64 / 1e6
    }
}

fn bench_lua(host: &Game, pipe: &str, msg: &[u8], budget: Duration) -> Figures {
    let mut param = format!("{pipe};w;").into_bytes();
    param.extend_from_slice(msg);
    let read_param = format!("{pipe};r");
    let start = Instant::now();
    let mut trips = 0;
    while trips < 3 || start.elapsed() < budget {
        host.raise(names::WRITE, &param);
        host.raise(names::READ, &read_param);
        while !host.has_signal("pipeRead_complete_r") {
            host.step();
        }
        let signals = host.take_signals();
        let r = signals.iter().find(|s| s.control == "pipeRead_complete_r");
        assert_eq!(r.unwrap().value.len(), msg.len());
        trips += 1;
    }
    Figures {
        trips,
        secs: start.elapsed().as_secs_f64(),
    }
}

fn bench_rust(pipe: &str, msg: &[u8], budget: Duration) -> Figures {
    let mut client = Client::open(pipe).expect("open");
    client.set_write_timeout(Duration::from_secs(30));
    let start = Instant::now();
    let mut trips = 0;
    while trips < 3 || start.elapsed() < budget {
        client.write(msg).expect("write");
        // Polled like the Lua side polls, without waiting in the OS.
        let back = loop {
            if let Some(m) = client.read().expect("read") {
                break m;
            }
            std::hint::spin_loop();
        };
        assert_eq!(back.len(), msg.len());
        trips += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    client.write(b"stop").ok();
    Figures { trips, secs }
}

fn label(size: usize) -> String {
    match size {
        s if s >= 1 << 20 => format!("{} MiB", s >> 20),
        s if s >= 1 << 10 => format!("{} KiB", s >> 10),
        s => format!("{s} B"),
    }
}

fn main() {
    let secs: f64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1.0);
    let budget = Duration::from_secs_f64(secs);
    let sizes = [16usize, 256, 4 << 10, 64 << 10, 1 << 20, 16 << 20];

    println!(
        "| size | Lua round trips/s | Lua MB/s | Rust round trips/s | Rust MB/s | Lua / Rust |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for size in sizes {
        let msg: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();

        let pipe = support::pipe_name(&format!("bench-lua-{size}"));
        let server = echo_server(&pipe);
        let host = Game::with(Options {
            settings: Settings {
                write_timeout_ms: 30_000,
                ..Settings::default()
            },
            ..Options::default()
        });
        let lua = bench_lua(&host, &pipe, &msg, budget);
        host.raise(names::WRITE, format!("{pipe};stop;stop"));
        host.step();
        drop(host);
        server.join().unwrap();

        let pipe = support::pipe_name(&format!("bench-rust-{size}"));
        let server = echo_server(&pipe);
        let rust = bench_rust(&pipe, &msg, budget);
        server.join().unwrap();

        println!(
            "| {} | {:.0} | {:.1} | {:.0} | {:.1} | {:.2} |",
            label(size),
            lua.per_sec(),
            lua.mb_per_sec(size),
            rust.per_sec(),
            rust.mb_per_sec(size),
            lua.per_sec() / rust.per_sec(),
        );
    }
}
