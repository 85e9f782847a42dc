//! A fake X4 UI host: LuaJIT (through `mlua`) with the globals the game gives UI scripts
//! (see shared/docs/x4-runtime-facts.md) and a frame loop the test steps.
//!
//! What it fakes and how close it is:
//! - `RegisterEvent`/`UnregisterEvent`: events raised with [`Host::raise`] (as MD's
//!   `raise_lua_event`) are delivered later, at the next [`Host::step`], in raise order,
//!   before the frame's `onUpdate` scripts: MD runs earlier in a frame than Lua.
//! - `AddUITriggeredEvent(screen, control, value)`: recorded with the frame number.
//! - `SetScript("onUpdate", fn)` / `RemoveScript("onUpdate", fn)`: run once per step.
//! - `GetCurRealTime()` (runs while paused), `GetCurTime()` (stops while paused),
//!   `getElapsedTime()`, `DebugError(text)` (recorded), `GetUISafeModeOption()` (or
//!   absent, like older game versions).
//! - Pause: the game exports `IsGamePaused` from its executable and scripts call it as
//!   `ffi.C.IsGamePaused()`. A Rust test binary exports no symbols to `dlsym` without
//!   linker flags (and a Windows .exe none at all), so instead the host hands the script
//!   a `require("ffi")` whose `C` answers `IsGamePaused` from the host and everything
//!   else from the real `ffi.C`; the rest of that `ffi` table is the real module. The
//!   script under test is unchanged: it declares and calls `C.IsGamePaused()` as in the
//!   game. [`Options::pause_symbol`] = false leaves the plain `ffi` (no such symbol).
//!   On Linux, [`Options::pause_from_c`] provides the real thing instead: a tiny C
//!   library exporting `IsGamePaused`, loaded with global symbols so `ffi.C` finds it
//!   (one test uses it, to prove the stand-in behaves like the C path).
//! - The script is loaded from a temporary extension folder with the chunk name
//!   `@<path>`, as the game names loaded files, and the native library sits where the
//!   renderer puts it (`<ext>/ui/x4pipe/native/`).

use super::native;
use super::render::{self, names, Settings};
use mlua::{Function, Lua, LuaOptions, StdLib, Value};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

/// One `AddUITriggeredEvent` call.
#[derive(Clone, Debug, PartialEq)]
pub struct Signal {
    pub frame: u64,
    pub screen: String,
    pub control: String,
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
    /// Provide `IsGamePaused` through `ffi.C` (see the module docs).
    pub pause_symbol: bool,
    /// Linux: provide `IsGamePaused` as the game does, as a C symbol that `ffi.C`
    /// resolves (from a small shared library compiled with `cc` and loaded with global
    /// symbols), instead of the `ffi` stand-in. Process-wide state: one test only.
    pub pause_from_c: bool,
    /// Chunk name to load the file under; `None`: `@<its path in the extension>`.
    pub chunk_name: Option<String>,
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
        }
    }
}

#[derive(Default)]
struct State {
    frame: u64,
    handlers: Vec<(String, Function)>,
    deferred: Vec<(String, Vec<u8>)>,
    update_scripts: Vec<Function>,
    signals: Vec<Signal>,
    debug_log: Vec<String>,
    paused: bool,
    /// The game skips the onUpdate scripts (they can drop out for a while).
    no_update: bool,
    pause_from_c: bool,
    game_time: f64,
    last_real: f64,
    /// How long each call into the Lua took (event handlers and onUpdate scripts), in
    /// call order: what the Lua client costs the game thread.
    call_times: Vec<std::time::Duration>,
}

pub struct Host {
    lua: Option<Lua>,
    state: Rc<RefCell<State>>,
    started: Instant,
    pub ext_root: PathBuf,
    _dir: tempfile::TempDir,
}

fn lua_err(e: mlua::Error) -> String {
    e.to_string()
}

impl Host {
    /// A fresh fake game with the default options (native library present, protected UI
    /// mode off) that has loaded the Lua client.
    pub fn new() -> Host {
        Host::with(Options::default())
    }

    pub fn with(opts: Options) -> Host {
        let dir = tempfile::tempdir().expect("temp dir");
        let ext_root = dir.path().join("extensions").join(names::EXT_FOLDER);
        let lua_path = ext_root.join(names::LUA_FILE);
        std::fs::create_dir_all(lua_path.parent().unwrap()).unwrap();
        let code = render::render_lua(&opts.settings);
        std::fs::write(&lua_path, &code).unwrap();
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
        let mut host = Host {
            lua: None,
            state: Rc::new(RefCell::new(State::default())),
            started: Instant::now(),
            ext_root,
            _dir: dir,
        };
        host.boot(&opts, &lua_path, &code);
        host
    }

    fn boot(&mut self, opts: &Options, lua_path: &Path, code: &str) {
        // The game's UI Lua has the full LuaJIT library set, ffi and debug included.
        let lua = unsafe { Lua::unsafe_new_with(StdLib::ALL, LuaOptions::new()) };
        let g = lua.globals();
        let st = &self.state;

        let s = st.clone();
        g.set(
            "RegisterEvent",
            lua.create_function(move |_, (name, f): (String, Function)| {
                s.borrow_mut().handlers.push((name, f));
                Ok(())
            })
            .unwrap(),
        )
        .unwrap();
        let s = st.clone();
        g.set(
            "UnregisterEvent",
            lua.create_function(move |_, (name, f): (String, Function)| {
                s.borrow_mut()
                    .handlers
                    .retain(|(n, h)| !(n == &name && h == &f));
                Ok(())
            })
            .unwrap(),
        )
        .unwrap();
        let s = st.clone();
        g.set(
            "AddUITriggeredEvent",
            lua.create_function(
                move |_, (screen, control, value): (String, String, Value)| {
                    let value = match value {
                        Value::String(s) => s.as_bytes().to_vec(),
                        Value::Nil => Vec::new(),
                        other => other.to_string()?.into_bytes(),
                    };
                    let mut st = s.borrow_mut();
                    let frame = st.frame;
                    st.signals.push(Signal {
                        frame,
                        screen,
                        control,
                        value,
                    });
                    Ok(())
                },
            )
            .unwrap(),
        )
        .unwrap();
        let s = st.clone();
        g.set(
            "SetScript",
            lua.create_function(move |_, (kind, f): (String, Function)| {
                if kind != "onUpdate" {
                    return Err(mlua::Error::runtime(format!(
                        "fake host: SetScript({kind})"
                    )));
                }
                let mut st = s.borrow_mut();
                if !st.update_scripts.contains(&f) {
                    st.update_scripts.push(f);
                }
                Ok(())
            })
            .unwrap(),
        )
        .unwrap();
        let s = st.clone();
        g.set(
            "RemoveScript",
            lua.create_function(move |_, (kind, f): (String, Function)| {
                if kind == "onUpdate" {
                    s.borrow_mut().update_scripts.retain(|h| h != &f);
                }
                Ok(())
            })
            .unwrap(),
        )
        .unwrap();
        let started = self.started;
        g.set(
            "GetCurRealTime",
            lua.create_function(move |_, ()| Ok(started.elapsed().as_secs_f64()))
                .unwrap(),
        )
        .unwrap();
        g.set(
            "getElapsedTime",
            lua.create_function(move |_, ()| Ok(started.elapsed().as_secs_f64()))
                .unwrap(),
        )
        .unwrap();
        let s = st.clone();
        g.set(
            "GetCurTime",
            lua.create_function(move |_, ()| Ok(s.borrow().game_time))
                .unwrap(),
        )
        .unwrap();
        let s = st.clone();
        g.set(
            "DebugError",
            lua.create_function(move |_, text: Value| {
                let text = match text {
                    Value::String(s) => s.to_string_lossy(),
                    other => other.to_string()?,
                };
                s.borrow_mut().debug_log.push(text);
                Ok(())
            })
            .unwrap(),
        )
        .unwrap();
        if let Some(safe) = opts.safe_mode {
            g.set(
                "GetUISafeModeOption",
                lua.create_function(move |_, ()| Ok(safe)).unwrap(),
            )
            .unwrap();
        }
        // The game's scripts get ffi through require only.
        g.set("ffi", Value::Nil).unwrap();
        if opts.pause_from_c {
            let shim = pause_shim();
            lua.load(
                r#"
                local ffi = require("ffi")
                -- Kept referenced: a collected library namespace unloads the library.
                package.loaded.x4t_pause_shim = ffi.load(..., true)
                ffi.cdef("void x4t_set_paused(bool paused);")
                "#,
            )
            .set_name("=fake_host_pause_shim")
            .call::<()>(shim.to_string_lossy().into_owned())
            .unwrap();
            self.state.borrow_mut().pause_from_c = true;
        } else if opts.pause_symbol {
            let s = st.clone();
            let paused = lua
                .create_function(move |_, ()| Ok(s.borrow().paused))
                .unwrap();
            let wrap: Function = lua
                .load(
                    r#"
                    local paused = ...
                    local real = require("ffi")
                    local C = setmetatable({ IsGamePaused = paused }, { __index = real.C })
                    package.loaded.ffi = setmetatable({ C = C }, { __index = real })
                    "#,
                )
                .set_name("=fake_host_ffi")
                .into_function()
                .unwrap();
            wrap.call::<()>(paused).unwrap();
        }

        let name = opts
            .chunk_name
            .clone()
            .unwrap_or_else(|| format!("@{}", lua_path.display()));
        lua.load(code)
            .set_name(name)
            .exec()
            .unwrap_or_else(|e| panic!("the Lua client raised an error while loading: {e}"));
        self.lua = Some(lua);
    }

    pub fn lua(&self) -> &Lua {
        self.lua.as_ref().expect("Lua state is open")
    }

    /// MD's `raise_lua_event name param`: delivered at the next step.
    pub fn raise(&self, name: &str, param: impl AsRef<[u8]>) {
        self.state
            .borrow_mut()
            .deferred
            .push((name.to_owned(), param.as_ref().to_vec()));
    }

    /// One frame: deferred events in order, then the onUpdate scripts.
    /// A Lua error anywhere is a test failure (the client must never raise one).
    pub fn step(&self) {
        let lua = self.lua();
        let events = {
            let mut st = self.state.borrow_mut();
            st.frame += 1;
            let now = self.started.elapsed().as_secs_f64();
            if !st.paused {
                st.game_time += now - st.last_real;
            }
            st.last_real = now;
            std::mem::take(&mut st.deferred)
        };
        for (name, param) in events {
            let handlers: Vec<Function> = self
                .state
                .borrow()
                .handlers
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, f)| f.clone())
                .collect();
            let param = lua.create_string(&param).unwrap();
            for f in handlers {
                let t = Instant::now();
                f.call::<()>((name.as_str(), param.clone()))
                    .map_err(lua_err)
                    .unwrap_or_else(|e| panic!("Lua error in handler of {name}: {e}"));
                self.state.borrow_mut().call_times.push(t.elapsed());
            }
        }
        if self.state.borrow().no_update {
            return;
        }
        let scripts = self.state.borrow().update_scripts.clone();
        for f in scripts {
            let t = Instant::now();
            f.call::<()>(())
                .map_err(lua_err)
                .unwrap_or_else(|e| panic!("Lua error in onUpdate: {e}"));
            self.state.borrow_mut().call_times.push(t.elapsed());
        }
    }

    /// Steps frames (about one per millisecond) until `done` holds, at most
    /// [`super::WAIT`]; returns whether it held.
    pub fn step_until(&self, mut done: impl FnMut(&Host) -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < super::WAIT {
            self.step();
            if done(self) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        false
    }

    pub fn frame(&self) -> u64 {
        self.state.borrow().frame
    }

    /// Whether the frames run the onUpdate scripts (the game's onUpdate can drop out).
    pub fn set_onupdate_runs(&self, runs: bool) {
        self.state.borrow_mut().no_update = !runs;
    }

    pub fn set_paused(&self, paused: bool) {
        let from_c = {
            let mut st = self.state.borrow_mut();
            st.paused = paused;
            st.pause_from_c
        };
        if from_c {
            self.lua()
                .load(r#"require("ffi").C.x4t_set_paused(...)"#)
                .call::<()>(paused)
                .unwrap();
        }
    }

    /// Removes and returns how long each call into the Lua took (see `State`).
    pub fn take_call_times(&self) -> Vec<std::time::Duration> {
        std::mem::take(&mut self.state.borrow_mut().call_times)
    }

    /// All signals so far.
    pub fn signals(&self) -> Vec<Signal> {
        self.state.borrow().signals.clone()
    }

    /// Removes and returns the signals so far.
    pub fn take_signals(&self) -> Vec<Signal> {
        std::mem::take(&mut self.state.borrow_mut().signals)
    }

    /// Whether a signal with this control name came (without copying values).
    #[allow(dead_code)] // used by benches/lua_roundtrip.rs, which includes this file
    pub fn has_signal(&self, control: &str) -> bool {
        self.state
            .borrow()
            .signals
            .iter()
            .any(|s| s.control == control)
    }

    /// Signals with this control name.
    pub fn signals_for(&self, control: &str) -> Vec<Signal> {
        self.state
            .borrow()
            .signals
            .iter()
            .filter(|s| s.control == control)
            .cloned()
            .collect()
    }

    pub fn debug_log(&self) -> Vec<String> {
        self.state.borrow().debug_log.clone()
    }

    /// Event names with a registered handler, in registration order.
    pub fn registered_events(&self) -> Vec<String> {
        self.state
            .borrow()
            .handlers
            .iter()
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Whether an onUpdate script is set.
    pub fn updating(&self) -> bool {
        !self.state.borrow().update_scripts.is_empty()
    }

    /// The game wipes the Lua state (UI reload, savegame load): the state is closed,
    /// which runs its finalizers, as when the game discards it.
    pub fn close_lua(&mut self) {
        {
            // Drop our references into the state first.
            let mut st = self.state.borrow_mut();
            st.handlers.clear();
            st.update_scripts.clear();
            st.deferred.clear();
        }
        self.lua = None;
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.close_lua();
    }
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
