//! Round trips through the Lua client (fake X4 game + LuaJIT + ffi + native library)
//! against a plain Rust client (`x4pipe_native::Client`) on the same transport, same run.
//!
//! `cargo bench --bench lua_roundtrip` (optionally `-- <seconds per case>`, default 1,
//! and then a message size in bytes to run that size alone).
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
//! - Rust in the game: the Rust client behind the same two events, answers and frame
//!   loop of the same fake game, with a few lines of Lua around it (`RUST_IN_GAME_LUA`).
//!   *Lua / Rust in the game* compares the two clients where a mod would use them; what
//!   differs is only the client (its Lua, the ffi calls, its queues).
//! - All against the same echo server code, in turns: Lua, fake game, Rust, Rust in the
//!   game, three times; the best run of each counts (a busy shared machine slows single
//!   runs).
//!
//! MB/s counts the bytes of both directions (2 x size per round trip). The median trip
//! (Lua net = the Lua median less the fake game's) is printed beside the means: it
//! tells a client that is slower on every trip from one that meets more slow trips.

// The bench uses a part of the tests' support (the fake game, the Lua rendering).
#[path = "support/echo.rs"]
mod echo;
#[allow(dead_code)]
#[path = "../tests/it/support/mod.rs"]
mod support;
#[path = "support/vary.rs"]
mod vary;

use std::time::{Duration, Instant};
use support::game::{Game, Options};
use support::render::{names, Settings};
use x4pipe_native::Client;
use x4pipe_sim::host::{HostOptions, LuaArg, LuaData, LuaFile, LuaHost, LuaNote};

struct Figures {
    trips: u64,
    secs: f64,
    /// Frames (calls of the fake game) stepped, Lua only.
    frames: u64,
    /// The median round trip, µs. The mean (trips/s) also counts the slow trips: on
    /// this VM an idle CPU halts at once and takes ~20 µs to wake, so a trip that gives
    /// the echo server a few µs more idle time can cost 20 µs more (docs/benchmarks.md).
    median_us: f64,
}

/// The median of per-trip times, µs.
fn median_us(mut trip_ns: Vec<u64>) -> f64 {
    trip_ns.sort_unstable();
    trip_ns[trip_ns.len() / 2] as f64 / 1000.0
}

impl Figures {
    fn per_sec(&self) -> f64 {
        self.trips as f64 / self.secs
    }
    fn mb_per_sec(&self, size: usize) -> f64 {
        self.per_sec() * 2.0 * size as f64 / 1e6
    }
}

/// Round trips through a fake X4 UI for `budget`: MD's two events raised, then frames
/// stepped back to back until `pipeRead_complete_r` arrives with `answer_len` bytes.
/// The same loop for the Lua client and for the stand-in, so both pay the same game.
/// `msg_at`: where the message starts in `write`.
fn trips(
    host: &LuaHost,
    write: &[u8],
    msg_at: usize,
    read: &[u8],
    answer_len: usize,
    budget: Duration,
) -> Figures {
    let start = Instant::now();
    let (mut trips, mut frames) = (0, 0);
    let mut write = write.to_vec();
    let mut trip_ns = Vec::new();
    while trips < 3 || start.elapsed() < budget {
        let trip_start = Instant::now();
        vary::vary(&mut write[msg_at..], trips);
        // As the game does: the parameter is copied into the event.
        host.raise(names::WRITE, LuaArg::Str(write.clone()));
        host.raise(names::READ, LuaArg::Str(read.to_vec()));
        let mut answered = false;
        while !answered {
            let t = start.elapsed().as_secs_f64();
            host.frame(t, t);
            frames += 1;
            for ev in host.take_ui_events() {
                if ev.control == "pipeRead_complete_r" {
                    assert!(matches!(ev.value, LuaData::Str(ref v) if v.len() == answer_len));
                    answered = true;
                }
            }
        }
        trips += 1;
        trip_ns.push(trip_start.elapsed().as_nanos() as u64);
    }
    if let Some(note) = host
        .take_notes()
        .into_iter()
        .find(|n| matches!(n, LuaNote::Error(_)))
    {
        panic!("the Lua raised an error: {note:?}");
    }
    Figures {
        trips,
        secs: start.elapsed().as_secs_f64(),
        frames,
        median_us: median_us(trip_ns),
    }
}

/// Round trips of `msg` on `pipe` through whichever client `host` runs (the Lua client,
/// or the Rust client in the game).
fn pipe_trips(host: &LuaHost, pipe: &str, msg: &[u8], budget: Duration) -> Figures {
    let mut param = format!("{pipe};w;").into_bytes();
    param.extend_from_slice(msg);
    let msg_at = param.len() - msg.len();
    trips(
        host,
        &param,
        msg_at,
        format!("{pipe};r").as_bytes(),
        msg.len(),
        budget,
    )
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
    let prefix = b"pipe;w;";
    let mut param = prefix.to_vec();
    param.extend_from_slice(msg);
    // The stand-in answers with the write's whole parameter.
    let answer_len = param.len();
    trips(&host, &param, prefix.len(), b"pipe;r", answer_len, budget)
}

/// The plain Rust client placed where the Lua client sits: in the same fake game, behind
/// the same two events and answers and the same frame loop, with a few lines of Lua that
/// hand the event's bytes to `x4pipe_native::Client` and poll its `read` once per frame
/// (and once when the read is asked for). What it costs beyond the Rust trip is only the
/// game's part, so the Lua client's trip set against it is the client's own cost: the
/// Lua, the ffi calls, the queues. The game's time also leaves the echo server idle for
/// a few µs more per trip than the bare Rust loop does, which on this VM costs some trips
/// a ~20 µs wake-up (see `Figures::median_us`); this contender pays that too.
const RUST_IN_GAME_LUA: &str = r#"
local reads = {}
local function poll()
    local m = rust_read()
    if m then
        AddUITriggeredEvent("Named_Pipes", table.remove(reads, 1), m)
    end
end
RegisterEvent("pipeWrite", function(_, p)
    local a = p:find(";", 1, true)
    local b = p:find(";", a + 1, true)
    rust_write(p, b)
    AddUITriggeredEvent("Named_Pipes", "pipeWrite_complete_" .. p:sub(a + 1, b - 1), "SUCCESS")
end)
RegisterEvent("pipeRead", function(_, p)
    local a = p:find(";", 1, true)
    reads[#reads + 1] = "pipeRead_complete_" .. p:sub(a + 1)
    poll()
end)
SetScript("onUpdate", function()
    if reads[1] then
        poll()
    end
end)
"#;

fn bench_rust_in_game(pipe: &str, msg: &[u8], budget: Duration) -> Figures {
    use std::cell::RefCell;
    use std::rc::Rc;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rust_in_game.lua");
    std::fs::write(&file, RUST_IN_GAME_LUA).unwrap();
    let mut host = LuaHost::new(vec![LuaFile::from(file)], HostOptions::default());
    host.load().expect("load the Rust client's shim");
    let mut client = Client::open(pipe).expect("open");
    client.set_write_timeout(Duration::from_secs(30));
    let client = Rc::new(RefCell::new(client));
    let lua = host.lua().unwrap();
    let c = Rc::clone(&client);
    // `after`: the 1-based position of the `;` before the message in the parameter.
    let write = lua
        .create_function(move |_, (param, after): (mlua::String, usize)| {
            c.borrow_mut()
                .write(&param.as_bytes()[after..])
                .map_err(mlua::Error::external)
        })
        .unwrap();
    let c = Rc::clone(&client);
    let read = lua
        .create_function(move |lua, ()| match c.borrow_mut().read() {
            Ok(Some(m)) => lua.create_string(&m).map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(mlua::Error::external(e)),
        })
        .unwrap();
    lua.globals().set("rust_write", write).unwrap();
    lua.globals().set("rust_read", read).unwrap();
    let figures = pipe_trips(&host, pipe, msg, budget);
    client.borrow_mut().write(b"stop").ok();
    figures
}

fn bench_rust(pipe: &str, msg: &[u8], budget: Duration) -> Figures {
    let mut client = Client::open(pipe).expect("open");
    client.set_write_timeout(Duration::from_secs(30));
    let start = Instant::now();
    let mut trips = 0;
    let mut msg = msg.to_vec();
    let mut trip_ns = Vec::new();
    while trips < 3 || start.elapsed() < budget {
        let trip_start = Instant::now();
        vary::vary(&mut msg, trips);
        client.write(&msg).expect("write");
        // Polled like the Lua side polls, without waiting in the OS.
        let back = loop {
            if let Some(m) = client.read().expect("read") {
                break m;
            }
            std::hint::spin_loop();
        };
        assert_eq!(back.len(), msg.len());
        trips += 1;
        trip_ns.push(trip_start.elapsed().as_nanos() as u64);
    }
    let secs = start.elapsed().as_secs_f64();
    client.write(b"stop").ok();
    Figures {
        trips,
        secs,
        frames: 0,
        median_us: median_us(trip_ns),
    }
}

/// What the last copy of a round trip costs each side, µs per message: a new Lua string
/// made of the message (`ffi.string` from native memory, as the client makes it) in a
/// LuaJIT state like the fake game's, and a `Vec` (`to_vec`, as the Rust client makes
/// it). Both copy the same bytes; the Lua string always lands in memory that is new to
/// the process (its page faults included), the Vec mostly in memory the allocator kept.
fn copy_costs(msg: &[u8], budget: Duration) -> (f64, f64) {
    let mut msg = msg.to_vec();
    // unsafe_new: the ffi library is what the client uses; the script writes only the
    // first byte of `msg`, which outlives the state.
    let lua = unsafe { mlua::Lua::unsafe_new() };
    let copy: mlua::Function = lua
        .load(
            r#"local ffi = require("ffi")
            return function(p, n, k)
                local bytes, s = ffi.cast("uint8_t *", p)
                for i = 1, k do
                    bytes[0] = i % 256 -- see vary.rs: a new string, not one found again
                    s = ffi.string(bytes, n)
                end
                return #s
            end"#,
        )
        .eval()
        .unwrap();
    let ptr = mlua::LightUserData(msg.as_mut_ptr() as *mut std::ffi::c_void);
    let per_call = |f: &mut dyn FnMut(u64)| {
        let (mut n, start) = (0u64, Instant::now());
        while n < 3 || start.elapsed() < budget / 4 {
            f(8);
            n += 8;
        }
        start.elapsed().as_secs_f64() * 1e6 / n as f64
    };
    let lua_us = per_call(&mut |k| {
        let len: usize = copy.call((ptr, msg.len(), k)).unwrap();
        assert_eq!(len, msg.len());
    });
    let rust_us = per_call(&mut |k| {
        for _ in 0..k {
            std::hint::black_box(msg.to_vec());
        }
    });
    (lua_us, rust_us)
}

fn label(size: usize) -> String {
    match size {
        s if s >= 1 << 20 => format!("{} MiB", s >> 20),
        s if s >= 1 << 10 => format!("{} KiB", s >> 10),
        s => format!("{s} B"),
    }
}

fn main() {
    if echo::serve_if_asked() {
        return;
    }
    // Numbers among the arguments: seconds per case, then (optional) the one message
    // size in bytes to run (for a profiler).
    let numbers: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let budget = Duration::from_secs_f64(numbers.first().copied().unwrap_or(1.0));
    let mut sizes = vec![16usize, 256, 4 << 10, 64 << 10, 1 << 20, 16 << 20];
    if let Some(&only) = numbers.get(1) {
        sizes = vec![only as usize];
    }

    println!(
        "| size | Lua round trips/s | frames / trip | fake game alone, µs / trip | Lua net round trips/s | Rust round trips/s | Rust MB/s | Lua / Rust | Lua net / Rust | median trip µs: Lua net / Rust | Rust in the game round trips/s | Lua / Rust in the game | median trip µs: Lua / Rust in the game | Lua string µs | Rust Vec µs |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for size in sizes {
        let msg: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let best = |a: Option<Figures>, b: Figures| match a {
            Some(a) if a.per_sec() >= b.per_sec() => Some(a),
            _ => Some(b),
        };
        let (mut lua, mut game, mut rust, mut in_game) = (None, None, None, None);
        for run in 0..3 {
            lua = best(lua, run_lua(size, run, &msg, budget));
            game = best(game, bench_game_only(&msg, budget));
            rust = best(rust, run_rust(size, run, &msg, budget, bench_rust));
            in_game = best(
                in_game,
                run_rust(size, run, &msg, budget, bench_rust_in_game),
            );
        }
        let (lua, game, rust) = (lua.unwrap(), game.unwrap(), rust.unwrap());
        let in_game = in_game.unwrap();
        let game_secs = 1.0 / game.per_sec();
        let net = 1.0 / (1.0 / lua.per_sec() - game_secs);
        let (lua_copy, rust_copy) = copy_costs(&msg, budget);
        println!(
            "| {} | {:.0} | {:.1} | {:.1} | {:.0} | {:.0} | {:.1} | {:.2} | {:.2} | {:.1} / {:.1} | {:.0} | {:.2} | {:.1} / {:.1} | {:.1} | {:.1} |",
            label(size),
            lua.per_sec(),
            lua.frames as f64 / lua.trips as f64,
            game_secs * 1e6,
            net,
            rust.per_sec(),
            rust.mb_per_sec(size),
            lua.per_sec() / rust.per_sec(),
            net / rust.per_sec(),
            lua.median_us - game.median_us,
            rust.median_us,
            in_game.per_sec(),
            lua.per_sec() / in_game.per_sec(),
            lua.median_us,
            in_game.median_us,
            lua_copy,
            rust_copy,
        );
    }
}

fn run_lua(size: usize, run: usize, msg: &[u8], budget: Duration) -> Figures {
    let pipe = support::pipe_name(&format!("bench-lua-{size}-{run}"));
    let mut server = echo::start(&pipe);
    let host = Game::with(Options {
        settings: Settings {
            write_timeout_ms: 30_000,
            ..Settings::default()
        },
        time_calls: false,
        ..Options::default()
    });
    let lua = pipe_trips(host.host(), &pipe, msg, budget);
    host.raise(names::WRITE, format!("{pipe};stop;stop"));
    host.step();
    drop(host);
    assert!(server.wait().unwrap().success(), "the echo server failed");
    lua
}

fn run_rust(
    size: usize,
    run: usize,
    msg: &[u8],
    budget: Duration,
    bench: fn(&str, &[u8], Duration) -> Figures,
) -> Figures {
    let pipe = support::pipe_name(&format!("bench-rust-{size}-{run}"));
    let mut server = echo::start(&pipe);
    let rust = bench(&pipe, msg, budget);
    assert!(server.wait().unwrap().success(), "the echo server failed");
    rust
}
