//! Round trips through the Lua client (fake X4 game + LuaJIT + ffi + native library)
//! against a plain Rust client (`x4pipe_native::Client`) on the same transport, same run.
//!
//! `cargo bench --bench lua_roundtrip` (optionally `-- <seconds per case>`, default 1).
//! Not a test: it prints a Markdown table for docs/benchmarks.md.
//!
//! One round trip = a write of the message, then a read of the server's echo, which
//! ends as an owned copy of the message on either side.
//! - Lua: MD's two events (`pipeWrite`, `pipeRead`) raised, frames stepped back to back
//!   until `pipeRead_complete_<id>` comes. Each call into the client works on a large
//!   message for one native step (`STEP_TIME`, 250 µs), so a 16 MiB message takes tens
//!   of frames; stepping them back to back measures the work of the Lua path (client,
//!   ffi, native steps, the copy into a Lua string, the fake game's copies of the event
//!   parameter and the answer), not frame pacing. In the game a frame passes between
//!   calls: see docs/benchmarks.md for what that means at 60 fps.
//! - Rust: `x4pipe_native::Client` (the code the C ABI wraps), `write` (blocking until
//!   the message is out) and `read` polled in a tight loop (an owned `Vec`, like the Lua
//!   string).
//! - The fake game alone: the same two events and answers through the same fake game
//!   (`x4pipe_sim::host::LuaHost`), answered at once by a few lines of Lua without any
//!   pipe. Its time per trip is what the game's side of the path costs (the copies of
//!   the event parameter into Lua and of the answer out of it, the frame loop), which
//!   any client pays; *Lua net* = the Lua trip minus that, the work of the client, the
//!   native library, the transport and the echo server, which is what the Rust trip is.
//! - All against the same echo server code, in turns: Lua, fake game, Rust, three times;
//!   the best run of each counts (a busy shared machine slows single runs).
//!
//! MB/s counts the bytes of both directions (2 x size per round trip).

// The bench uses a part of the tests' support (the fake game, the Lua rendering).
#[allow(dead_code)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};
use support::game::{Game, Options};
use support::render::{names, Settings};
use x4pipe_native::{Client, Server, Status};
use x4pipe_sim::host::{HostOptions, LuaArg, LuaData, LuaFile, LuaHost};

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
    /// Frames (calls of the fake game) stepped, Lua only.
    frames: u64,
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
    let (mut trips, mut frames) = (0, 0);
    while trips < 3 || start.elapsed() < budget {
        host.raise(names::WRITE, &param);
        host.raise(names::READ, &read_param);
        while !host.has_signal("pipeRead_complete_r") {
            host.step();
            frames += 1;
        }
        let signals = host.take_signals();
        let r = signals.iter().find(|s| s.control == "pipeRead_complete_r");
        assert_eq!(r.unwrap().value.len(), msg.len());
        trips += 1;
    }
    Figures {
        trips,
        secs: start.elapsed().as_secs_f64(),
        frames,
    }
}

/// MD's two events answered by Lua at once, without a pipe: the read gets the write's
/// whole event parameter back (no copy of it in Lua; the same size, plus the prefix).
const GAME_ONLY_LUA: &str = r#"
local pending = {}
RegisterEvent("pipeWrite", function(_, p)
    local a = p:find(";", 1, true)
    local b = p:find(";", a + 1, true)
    pending[#pending + 1] = p
    AddUITriggeredEvent("Named_Pipes", "pipeWrite_complete_" .. p:sub(a + 1, b - 1), "SUCCESS")
end)
RegisterEvent("pipeRead", function(_, p)
    local a = p:find(";", 1, true)
    AddUITriggeredEvent("Named_Pipes", "pipeRead_complete_" .. p:sub(a + 1), table.remove(pending, 1))
end)
"#;

fn bench_game_only(msg: &[u8], budget: Duration) -> Figures {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("game_only.lua");
    std::fs::write(&file, GAME_ONLY_LUA).unwrap();
    let mut host = LuaHost::new(vec![LuaFile::from(file)], HostOptions::default());
    host.load().expect("load the stand-in client");
    let mut param = b"pipe;w;".to_vec();
    param.extend_from_slice(msg);
    let start = Instant::now();
    let (mut trips, mut frames) = (0, 0);
    while trips < 3 || start.elapsed() < budget {
        // As the Game of the Lua runs does: the parameter is copied into the event.
        host.raise(names::WRITE, LuaArg::Str(param.clone()));
        host.raise(names::READ, LuaArg::Str(b"pipe;r".to_vec()));
        let mut answered = false;
        while !answered {
            let t = start.elapsed().as_secs_f64();
            host.frame(t, t);
            frames += 1;
            for ev in host.take_ui_events() {
                if ev.control == "pipeRead_complete_r" {
                    assert!(matches!(ev.value, LuaData::Str(ref v) if v.len() == param.len()));
                    answered = true;
                }
            }
        }
        trips += 1;
    }
    Figures {
        trips,
        secs: start.elapsed().as_secs_f64(),
        frames,
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
    Figures {
        trips,
        secs,
        frames: 0,
    }
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
        "| size | Lua round trips/s | frames / trip | fake game alone, µs / trip | Lua net round trips/s | Rust round trips/s | Rust MB/s | Lua / Rust | Lua net / Rust |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for size in sizes {
        let msg: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let best = |a: Option<Figures>, b: Figures| match a {
            Some(a) if a.per_sec() >= b.per_sec() => Some(a),
            _ => Some(b),
        };
        let (mut lua, mut game, mut rust) = (None, None, None);
        for run in 0..3 {
            lua = best(lua, run_lua(size, run, &msg, budget));
            game = best(game, bench_game_only(&msg, budget));
            rust = best(rust, run_rust(size, run, &msg, budget));
        }
        let (lua, game, rust) = (lua.unwrap(), game.unwrap(), rust.unwrap());
        let game_secs = 1.0 / game.per_sec();
        let net = 1.0 / (1.0 / lua.per_sec() - game_secs);
        println!(
            "| {} | {:.0} | {:.1} | {:.1} | {:.0} | {:.0} | {:.1} | {:.2} | {:.2} |",
            label(size),
            lua.per_sec(),
            lua.frames as f64 / lua.trips as f64,
            game_secs * 1e6,
            net,
            rust.per_sec(),
            rust.mb_per_sec(size),
            lua.per_sec() / rust.per_sec(),
            net / rust.per_sec(),
        );
    }
}

fn run_lua(size: usize, run: usize, msg: &[u8], budget: Duration) -> Figures {
    let pipe = support::pipe_name(&format!("bench-lua-{size}-{run}"));
    let server = echo_server(&pipe);
    let host = Game::with(Options {
        settings: Settings {
            write_timeout_ms: 30_000,
            ..Settings::default()
        },
        ..Options::default()
    });
    let lua = bench_lua(&host, &pipe, msg, budget);
    host.raise(names::WRITE, format!("{pipe};stop;stop"));
    host.step();
    drop(host);
    server.join().unwrap();
    lua
}

fn run_rust(size: usize, run: usize, msg: &[u8], budget: Duration) -> Figures {
    let pipe = support::pipe_name(&format!("bench-rust-{size}-{run}"));
    let server = echo_server(&pipe);
    let rust = bench_rust(&pipe, msg, budget);
    server.join().unwrap();
    rust
}
