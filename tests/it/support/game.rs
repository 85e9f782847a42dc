//! The fake X4 game the Lua client tests step by hand: the rendered client and the
//! native library in a temporary extension folder, run by the simulator's Lua host
//! (`x4pipe_sim::host::LuaHost`, the one fake of the game's UI, see its docs for what it
//! fakes and how closely), with frames on the wall clock.
//!
//! What this adds for the tests:
//! - frames: [`Game::step`] runs one (game time follows the wall clock, and stops while
//!   paused; `GetCurRealTime()` is the wall clock since the game was made);
//! - every `AddUITriggeredEvent` call kept as a [`Signal`] with its frame number (0:
//!   while the client loaded), every `DebugError` text in [`Game::debug_log`];
//! - a Lua error anywhere (loading, a handler, onUpdate) fails the test: the client
//!   must never raise one;
//! - the native library where the renderer puts it (`<ext>/ui/x4pipe/native/`), or a
//!   corrupt one, or none;
//! - on Linux, [`Options::pause_from_c`]: `IsGamePaused` as the game provides it, a C
//!   symbol that `ffi.C` resolves (a tiny shared library compiled with `cc`, loaded with
//!   global symbols by a Lua file loaded before the client), instead of the host's
//!   `ffi` stand-in; one test uses it, to prove the stand-in behaves like the C path.

use super::native;
use super::render::{self, names, Settings};
use mlua::Lua;
use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use x4pipe_sim::host::{HostOptions, LuaArg, LuaData, LuaFile, LuaHost, LuaNote};

/// How many idle frames the Lua client keeps onUpdate set after its last waiting
/// request (`IDLE_FRAMES` in `named_pipes.lua`).
pub const IDLE_FRAMES: u64 = 60;

/// One `AddUITriggeredEvent` call.
#[derive(Clone, Debug, PartialEq)]
pub struct Signal {
    pub frame: u64,
    pub screen: String,
    pub control: String,
    /// A string as it was; nil empty; anything else as text.
    pub value: Vec<u8>,
}

impl Signal {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.value).into_owned()
    }
}

/// How to set up the fake game.
#[derive(Clone, Debug)]
pub struct Options {
    pub settings: Settings,
    /// Copy the native library into the extension.
    pub with_native: bool,
    /// Put a file that is no library where the native library belongs.
    pub corrupt_native: bool,
    /// `Some(v)`: `GetUISafeModeOption()` returns v; `None`: the function is absent.
    pub safe_mode: Option<bool>,
    /// Provide `IsGamePaused` through the host's `ffi.C` stand-in.
    pub pause_symbol: bool,
    /// Linux: provide `IsGamePaused` as a real C symbol instead (see the module docs).
    /// Process-wide state: one test only.
    pub pause_from_c: bool,
    /// Chunk name to load the client under; `None`: `@<its path in the extension>`.
    pub chunk_name: Option<String>,
    /// Time every call into the Lua ([`Game::take_call_times`]); the game does not,
    /// so a benchmark of the path turns it off.
    pub time_calls: bool,
    /// Also measure each call's CPU time ([`Game::take_calls`]; costs some µs a call).
    pub cpu_times: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            settings: Settings::default(),
            with_native: true,
            corrupt_native: false,
            safe_mode: Some(false),
            pause_symbol: true,
            pause_from_c: false,
            chunk_name: None,
            time_calls: true,
            cpu_times: false,
        }
    }
}

pub struct Game {
    host: LuaHost,
    started: Instant,
    frame: Cell<u64>,
    game_time: Cell<f64>,
    last_real: Cell<f64>,
    paused: Cell<bool>,
    pause_from_c: bool,
    signals: RefCell<Vec<Signal>>,
    debug_log: RefCell<Vec<String>>,
    /// Lua errors the game caught, kept when a test expects them (`expect_lua_errors`);
    /// `None`: an error fails the test.
    lua_errors: RefCell<Option<Vec<String>>>,
    pub ext_root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Game {
    /// A fresh fake game with the default options (native library present, protected UI
    /// mode off) that has loaded the Lua client.
    pub fn new() -> Game {
        Game::with(Options::default())
    }

    pub fn with(opts: Options) -> Game {
        let dir = tempfile::tempdir().expect("temp dir");
        let ext_root = dir.path().join("extensions").join(names::EXT_FOLDER);
        let lua_path = ext_root.join(names::LUA_FILE);
        std::fs::create_dir_all(lua_path.parent().unwrap()).unwrap();
        std::fs::write(&lua_path, render::render_lua(&opts.settings)).unwrap();
        if opts.with_native {
            let native_dir = ext_root.join(names::NATIVE_DIR);
            std::fs::create_dir_all(&native_dir).unwrap();
            let dest = native_dir.join(native::LIB_FILE);
            if opts.corrupt_native {
                std::fs::write(&dest, b"MZ but not really a library").unwrap();
            } else {
                std::fs::copy(native::lib_path(), &dest).expect("copy native library");
            }
        }
        let mut files = Vec::new();
        if opts.pause_from_c {
            let loader = dir.path().join("pause_shim.lua");
            std::fs::write(&loader, pause_shim_loader(pause_shim())).unwrap();
            files.push(LuaFile::from(loader));
        }
        let mut client = LuaFile::from(lua_path);
        if let Some(name) = &opts.chunk_name {
            client.chunk = name.clone();
        }
        files.push(client);
        let host_opts = HostOptions {
            safe_mode: opts.safe_mode,
            pause_symbol: opts.pause_symbol && !opts.pause_from_c,
            time_calls: opts.time_calls,
            cpu_clock: opts
                .cpu_times
                .then_some(x4pipe_native::thread_cpu_time as fn() -> Option<Duration>),
        };
        let mut host = LuaHost::new(files, host_opts);
        host.load().expect("set up the Lua state");
        let game = Game {
            host,
            started: Instant::now(),
            frame: Cell::new(0),
            game_time: Cell::new(0.0),
            last_real: Cell::new(0.0),
            paused: Cell::new(false),
            pause_from_c: opts.pause_from_c,
            signals: RefCell::new(Vec::new()),
            debug_log: RefCell::new(Vec::new()),
            lua_errors: RefCell::new(None),
            ext_root,
            _dir: dir,
        };
        game.collect("while loading");
        game
    }

    /// Takes what the Lua side said since the last call; a Lua error fails the test.
    fn collect(&self, when: &str) {
        for note in self.host.take_notes() {
            match note {
                LuaNote::Log(text) => self.debug_log.borrow_mut().push(text),
                LuaNote::Error(e) => match self.lua_errors.borrow_mut().as_mut() {
                    Some(errors) => errors.push(e),
                    None => panic!("the Lua client raised an error {when}: {e}"),
                },
            }
        }
        let frame = self.frame.get();
        for ev in self.host.take_ui_events() {
            let value = match ev.value {
                LuaData::Str(s) => s,
                LuaData::Nil => Vec::new(),
                other => other.text().into_bytes(),
            };
            self.signals.borrow_mut().push(Signal {
                frame,
                screen: ev.screen,
                control: ev.control,
                value,
            });
        }
    }

    /// The fake X4 UI underneath, for a caller that steps it itself (the round-trip
    /// benchmark drives the client and the stand-in without this wrapper's bookkeeping).
    #[allow(dead_code)] // used by benches/lua_roundtrip.rs, which includes this file
    pub fn host(&self) -> &LuaHost {
        &self.host
    }

    pub fn lua(&self) -> &Lua {
        self.host.lua().expect("Lua state is open")
    }

    /// MD's `raise_lua_event name param`: delivered at the next step.
    pub fn raise(&self, name: &str, param: impl AsRef<[u8]>) {
        self.host.raise(name, LuaArg::Str(param.as_ref().to_vec()));
    }

    /// One frame: deferred events in order, then the onUpdate scripts.
    pub fn step(&self) {
        self.frame.set(self.frame.get() + 1);
        let now = self.started.elapsed().as_secs_f64();
        if !self.paused.get() {
            self.game_time
                .set(self.game_time.get() + now - self.last_real.get());
        }
        self.last_real.set(now);
        self.host.frame(self.game_time.get(), now);
        self.collect("in a frame");
    }

    /// Steps frames (about one per millisecond) until `done` holds, at most
    /// [`super::WAIT`]; returns whether it held.
    pub fn step_until(&self, mut done: impl FnMut(&Game) -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < super::WAIT {
            self.step();
            if done(self) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    }

    pub fn frame(&self) -> u64 {
        self.frame.get()
    }

    /// Whether the frames run the onUpdate scripts (the game's onUpdate can drop out).
    pub fn set_onupdate_runs(&self, runs: bool) {
        self.host.set_onupdate_runs(runs);
    }

    pub fn set_paused(&self, paused: bool) {
        self.paused.set(paused);
        self.host.set_paused(paused);
        if self.pause_from_c {
            self.lua()
                .load(r#"require("ffi").C.x4t_set_paused(...)"#)
                .call::<()>(paused)
                .unwrap();
        }
    }

    /// Removes and returns how long each call into the Lua took (event handlers and
    /// onUpdate scripts), in call order: what the Lua client costs the game thread.
    #[allow(dead_code)] // used by benches/frame_cost.rs, which includes this file
    pub fn take_call_times(&self) -> Vec<Duration> {
        self.host.take_call_times()
    }

    /// Like [`Game::take_call_times`], with each call's CPU time where the OS tells it.
    #[allow(dead_code)] // used by benches/frame_cost.rs, which includes this file
    pub fn take_calls(&self) -> Vec<x4pipe_sim::host::CallTime> {
        self.host.take_calls()
    }

    /// All signals so far.
    pub fn signals(&self) -> Vec<Signal> {
        self.signals.borrow().clone()
    }

    /// Removes and returns the signals so far.
    pub fn take_signals(&self) -> Vec<Signal> {
        std::mem::take(&mut self.signals.borrow_mut())
    }

    /// Whether a signal with this control name came (without copying values).
    pub fn has_signal(&self, control: &str) -> bool {
        self.signals.borrow().iter().any(|s| s.control == control)
    }

    /// Signals with this control name.
    pub fn signals_for(&self, control: &str) -> Vec<Signal> {
        self.signals
            .borrow()
            .iter()
            .filter(|s| s.control == control)
            .cloned()
            .collect()
    }

    pub fn debug_log(&self) -> Vec<String> {
        self.debug_log.borrow().clone()
    }

    /// From now on a Lua error that reaches the game (which logs it and goes on, as X4
    /// does) is kept for [`Game::take_lua_errors`] instead of failing the test.
    pub fn expect_lua_errors(&self) {
        self.lua_errors.borrow_mut().get_or_insert_with(Vec::new);
    }

    /// The Lua errors the game caught since the last call (see `expect_lua_errors`).
    pub fn take_lua_errors(&self) -> Vec<String> {
        self.lua_errors
            .borrow_mut()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Event names with a registered handler, in registration order.
    pub fn registered_events(&self) -> Vec<String> {
        self.host.registered_events()
    }

    /// Whether an onUpdate script is set.
    pub fn updating(&self) -> bool {
        self.host.updating()
    }

    /// Whether the client has nothing left to poll: it keeps onUpdate set for
    /// [`IDLE_FRAMES`] idle frames after its last waiting request, then removes it. Steps
    /// up to that many frames (one more than the client needs) and tells whether
    /// onUpdate is gone; a request still waiting keeps it set.
    pub fn settles(&self) -> bool {
        for _ in 0..=IDLE_FRAMES {
            if !self.updating() {
                return true;
            }
            self.step();
        }
        !self.updating()
    }

    /// The game wipes the Lua state (UI reload, savegame load): the state is closed,
    /// which runs its finalizers, as when the game discards it.
    pub fn close_lua(&mut self) {
        self.host.unload();
    }
}

/// A Lua file that loads the pause library with global symbols, so that `ffi.C`
/// resolves `IsGamePaused` from it as from the game's executable.
fn pause_shim_loader(lib: &Path) -> String {
    format!(
        r#"
        local ffi = require("ffi")
        -- Kept referenced: a collected library namespace unloads the library.
        package.loaded.x4t_pause_shim = ffi.load({:?}, true)
        ffi.cdef("void x4t_set_paused(bool paused);")
        "#,
        lib.to_string_lossy()
    )
}

/// A shared library exporting `bool IsGamePaused(void)` like the game's executable,
/// plus a setter for the tests; built once per test process with the system C compiler.
fn pause_shim() -> &'static Path {
    static SHIM: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SHIM.get_or_init(|| {
        // Beside the test binary (the target folder), not in /tmp: nothing left behind
        // but one small file that the next run replaces.
        let exe = std::env::current_exe().unwrap();
        let dir = exe.parent().unwrap().join("x4t-pause-shim");
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join(format!("pause.{}.c", std::process::id()));
        std::fs::write(
            &src,
            "#include <stdbool.h>\n\
             static volatile bool paused;\n\
             bool IsGamePaused(void) { return paused; }\n\
             void x4t_set_paused(bool p) { paused = p; }\n",
        )
        .unwrap();
        let pid = std::process::id();
        let tmp = dir.join(format!("libx4t_pause.{pid}.so"));
        let lib = dir.join("libx4t_pause.so");
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
        let status = std::process::Command::new(&cc)
            .args(["-shared", "-fPIC", "-o"])
            .arg(&tmp)
            .arg(&src)
            .status()
            .unwrap_or_else(|e| panic!("run {cc} for the pause shim: {e}"));
        assert!(status.success(), "{cc} failed to build the pause shim");
        std::fs::remove_file(&src).ok();
        // Atomic, so that a test process running at the same time keeps a whole file.
        std::fs::rename(&tmp, &lib).unwrap();
        lib
    })
}
