//! The game's UI Lua, faked around real LuaJIT (through `mlua`): the globals the game
//! gives UI scripts (../shared/docs/x4-runtime-facts.md) and one call per frame.
//!
//! - `RegisterEvent` / `UnregisterEvent`: events raised with [`LuaHost::raise`] (MD's
//!   `raise_lua_event`) are delivered at the next [`LuaHost::frame`], in raise order,
//!   before the frame's `onUpdate` scripts ("MD runs earlier in a frame than Lua").
//! - `AddUITriggeredEvent(screen, control, value)`: collected with its value converted
//!   (tables, booleans) and handed to MD by the caller, at the earliest next frame.
//! - `SetScript("onUpdate", fn)` / `RemoveScript("onUpdate", fn)`: run once per frame,
//!   unless the caller makes them drop out ([`LuaHost::set_onupdate_runs`]: the game's
//!   onUpdate can stop for a while, which the API's MD heartbeat exists for).
//! - `GetCurRealTime()` / `getElapsedTime()` (the session clock, runs while paused),
//!   `GetCurTime()` (game time, stops while paused), `DebugError(text)`,
//!   `GetUISafeModeOption()` (or absent, as before game version 7.5).
//! - Pause ([`LuaHost::set_paused`]): the game exports `IsGamePaused` from its executable and scripts call it
//!   through `ffi.C`. A Rust binary exports no such symbol, so the host hands scripts a
//!   `require("ffi")` whose `C` answers `IsGamePaused` from the host and everything else
//!   from the real `ffi.C`; the rest of that module is the real one.
//! - Each file is loaded with the chunk name `@<path>`, as the game names loaded files
//!   (or another name, [`LuaFile::chunk`]).
//! - With [`HostOptions::time_calls`], every call into the Lua (each event handler, each
//!   onUpdate script) is timed: what the Lua costs the game thread; with a CPU clock
//!   also the time the thread spent on a CPU during the call ([`CallTime::on_cpu`]),
//!   which tells work from waits (the scheduler running something else, a wait in the
//!   call).
//! - One Lua state for every extension's files, wiped on UI reload and savegame load.
//!
//! A Lua error is never fatal here: the game logs it and goes on, so it becomes a
//! [`LuaNote::Error`] for the caller to report.

use crate::error::SimError;
use mlua::{Function, Lua, LuaOptions, StdLib, Value as LV};
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A Lua value handed to MD, converted when it was passed.
#[derive(Clone, Debug, PartialEq)]
pub enum LuaData {
    Nil,
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(Vec<u8>),
    Table(Vec<(LuaData, LuaData)>),
}

impl LuaData {
    fn from_lua(v: &LV, depth: u32) -> mlua::Result<LuaData> {
        Ok(match v {
            LV::Nil => LuaData::Nil,
            LV::Boolean(b) => LuaData::Bool(*b),
            LV::Integer(i) => LuaData::Int(*i),
            LV::Number(n) => LuaData::Num(*n),
            LV::String(s) => LuaData::Str(s.as_bytes().to_vec()),
            LV::Table(t) if depth < 32 => {
                let mut out = Vec::new();
                for pair in t.clone().pairs::<LV, LV>() {
                    let (k, v) = pair?;
                    out.push((
                        LuaData::from_lua(&k, depth + 1)?,
                        LuaData::from_lua(&v, depth + 1)?,
                    ));
                }
                LuaData::Table(out)
            }
            other => {
                return Err(mlua::Error::runtime(format!(
                    "x4pipe sim: a {} cannot be passed to MD",
                    other.type_name()
                )))
            }
        })
    }

    pub fn text(&self) -> String {
        match self {
            LuaData::Nil => "nil".into(),
            LuaData::Bool(b) => b.to_string(),
            LuaData::Int(i) => i.to_string(),
            LuaData::Num(n) => n.to_string(),
            LuaData::Str(s) => String::from_utf8_lossy(s).into_owned(),
            LuaData::Table(t) => format!("<table of {}>", t.len()),
        }
    }
}

/// One `AddUITriggeredEvent` call.
#[derive(Clone, Debug, PartialEq)]
pub struct UiEvent {
    pub screen: String,
    pub control: String,
    pub value: LuaData,
}

/// What the Lua side said besides UI events.
#[derive(Clone, Debug, PartialEq)]
pub enum LuaNote {
    /// `DebugError(text)`.
    Log(String),
    /// A Lua error (loading a file, in an event handler, in onUpdate).
    Error(String),
}

/// A parameter of `raise_lua_event` as Lua sees it.
pub use crate::engine::LuaArg;

#[derive(Clone, Debug)]
pub struct HostOptions {
    /// `Some(v)`: `GetUISafeModeOption()` returns v; `None`: the function is absent.
    pub safe_mode: Option<bool>,
    /// Provide `IsGamePaused` through `ffi.C` (see the module docs).
    pub pause_symbol: bool,
    /// Time every call into the Lua ([`LuaHost::take_call_times`]).
    pub time_calls: bool,
    /// With `time_calls`, also each call's CPU time ([`CallTime::on_cpu`]), from this
    /// clock of the calling thread's CPU time (e.g. `x4pipe_native::thread_cpu_time`).
    pub cpu_clock: Option<fn() -> Option<Duration>>,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            safe_mode: Some(false),
            pause_symbol: true,
            time_calls: false,
            cpu_clock: None,
        }
    }
}

/// A Lua file to load, and the chunk name it is loaded under.
#[derive(Clone, Debug, PartialEq)]
pub struct LuaFile {
    pub path: PathBuf,
    /// `@<path>` as the game names loaded files, unless chosen otherwise.
    pub chunk: String,
}

impl From<PathBuf> for LuaFile {
    fn from(path: PathBuf) -> LuaFile {
        let chunk = format!("@{}", path.display());
        LuaFile { path, chunk }
    }
}

/// How long one call into the Lua took.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CallTime {
    /// Wall-clock time.
    pub wall: Duration,
    /// Time the calling thread ran on a CPU meanwhile, by [`HostOptions::cpu_clock`];
    /// `None` without one.
    pub on_cpu: Option<Duration>,
}

impl CallTime {
    /// Runs `f` and says how long it took: wall clock, and the thread's CPU time by
    /// `cpu_clock` (a clock of the calling thread's CPU time) where given.
    pub fn measure<R>(
        cpu_clock: Option<fn() -> Option<Duration>>,
        f: impl FnOnce() -> R,
    ) -> (R, CallTime) {
        let read_cpu = || cpu_clock.and_then(|clock| clock());
        let cpu = read_cpu();
        let t = Instant::now();
        let r = f();
        let wall = t.elapsed();
        let on_cpu = cpu.zip(read_cpu()).map(|(a, b)| b.saturating_sub(a));
        (r, CallTime { wall, on_cpu })
    }
}

#[derive(Default)]
struct State {
    handlers: Vec<(String, Function)>,
    deferred: Vec<(String, LuaArg)>,
    /// Shared with the frame that runs them: a frame takes a reference, not a copy, and
    /// a script that changes the set during the frame gets a copy of its own.
    update_scripts: Rc<Vec<Function>>,
    ui_events: Vec<UiEvent>,
    notes: Vec<LuaNote>,
    paused: bool,
    /// The onUpdate scripts are skipped (the game's onUpdate dropped out).
    no_update: bool,
    game_time: f64,
    real_time: f64,
    /// With [`HostOptions::time_calls`]: how long each call into the Lua took, in call
    /// order.
    call_times: Vec<CallTime>,
}

pub struct LuaHost {
    lua: Option<Lua>,
    state: Rc<RefCell<State>>,
    files: Vec<LuaFile>,
    opts: HostOptions,
}

fn setup_err(e: mlua::Error) -> SimError {
    SimError::Host(e.to_string())
}

impl LuaHost {
    /// A host for these Lua files (in load order); nothing runs before [`LuaHost::load`].
    pub fn new(files: Vec<LuaFile>, opts: HostOptions) -> LuaHost {
        LuaHost {
            lua: None,
            state: Rc::new(RefCell::new(State::default())),
            files,
            opts,
        }
    }

    pub fn is_loaded(&self) -> bool {
        self.lua.is_some()
    }

    /// A fresh Lua state with every file run in order (game start, savegame load,
    /// `/reloadui`). The old state, if any, is closed first, which runs its finalizers.
    pub fn load(&mut self) -> Result<(), SimError> {
        self.unload();
        // The game's UI Lua has the full LuaJIT library set, ffi and debug included.
        let lua = unsafe { Lua::unsafe_new_with(StdLib::ALL, LuaOptions::new()) };
        self.install(&lua).map_err(setup_err)?;
        for file in &self.files {
            let code = std::fs::read(&file.path).map_err(|e| SimError::Extension {
                path: file.path.display().to_string(),
                msg: format!("cannot read: {e}"),
            })?;
            if let Err(e) = lua.load(&code[..]).set_name(&file.chunk).exec() {
                let path = file.path.display();
                self.note(LuaNote::Error(format!("loading {path}: {e}")));
            }
        }
        self.lua = Some(lua);
        Ok(())
    }

    fn note(&self, n: LuaNote) {
        self.state.borrow_mut().notes.push(n);
    }

    fn install(&self, lua: &Lua) -> mlua::Result<()> {
        let g = lua.globals();
        let st = &self.state;

        let s = st.clone();
        g.set(
            "RegisterEvent",
            lua.create_function(move |_, (name, f): (String, Function)| {
                s.borrow_mut().handlers.push((name, f));
                Ok(())
            })?,
        )?;
        let s = st.clone();
        g.set(
            "UnregisterEvent",
            lua.create_function(move |_, (name, f): (String, Function)| {
                s.borrow_mut()
                    .handlers
                    .retain(|(n, h)| !(n == &name && h == &f));
                Ok(())
            })?,
        )?;
        let s = st.clone();
        g.set(
            "AddUITriggeredEvent",
            lua.create_function(move |_, (screen, control, value): (String, String, LV)| {
                let value = LuaData::from_lua(&value, 0)?;
                s.borrow_mut().ui_events.push(UiEvent {
                    screen,
                    control,
                    value,
                });
                Ok(())
            })?,
        )?;
        let s = st.clone();
        g.set(
            "SetScript",
            lua.create_function(move |_, (kind, f): (String, Function)| {
                if kind != "onUpdate" {
                    return Err(mlua::Error::runtime(format!(
                        "x4pipe sim: SetScript(\"{kind}\") is not simulated"
                    )));
                }
                let mut st = s.borrow_mut();
                if !st.update_scripts.contains(&f) {
                    Rc::make_mut(&mut st.update_scripts).push(f);
                }
                Ok(())
            })?,
        )?;
        let s = st.clone();
        g.set(
            "RemoveScript",
            lua.create_function(move |_, (kind, f): (String, Function)| {
                if kind == "onUpdate" {
                    let mut st = s.borrow_mut();
                    if st.update_scripts.contains(&f) {
                        Rc::make_mut(&mut st.update_scripts).retain(|h| h != &f);
                    }
                }
                Ok(())
            })?,
        )?;
        for name in ["GetCurRealTime", "getElapsedTime"] {
            let s = st.clone();
            g.set(
                name,
                lua.create_function(move |_, ()| Ok(s.borrow().real_time))?,
            )?;
        }
        let s = st.clone();
        g.set(
            "GetCurTime",
            lua.create_function(move |_, ()| Ok(s.borrow().game_time))?,
        )?;
        let s = st.clone();
        g.set(
            "DebugError",
            lua.create_function(move |_, text: LV| {
                let text = match text {
                    LV::String(s) => s.to_string_lossy(),
                    other => other.to_string()?,
                };
                s.borrow_mut().notes.push(LuaNote::Log(text));
                Ok(())
            })?,
        )?;
        if let Some(safe) = self.opts.safe_mode {
            g.set(
                "GetUISafeModeOption",
                lua.create_function(move |_, ()| Ok(safe))?,
            )?;
        }
        // The game's scripts get ffi through require only.
        g.set("ffi", LV::Nil)?;
        if self.opts.pause_symbol {
            let s = st.clone();
            let paused = lua.create_function(move |_, ()| Ok(s.borrow().paused))?;
            lua.load(
                r#"
                local paused = ...
                local real = require("ffi")
                local C = setmetatable({ IsGamePaused = paused }, { __index = real.C })
                package.loaded.ffi = setmetatable({ C = C }, { __index = real })
                "#,
            )
            .set_name("=x4pipe_sim_ffi")
            .call::<()>(paused)?;
        }
        Ok(())
    }

    /// The Lua state is wiped (UI reload, savegame load, end of the run): closed, which
    /// runs its finalizers, as when the game discards it. Raised events not yet
    /// delivered are lost, as in the game.
    pub fn unload(&mut self) {
        {
            let mut st = self.state.borrow_mut();
            st.handlers.clear();
            st.update_scripts = Rc::default();
            st.deferred.clear();
        }
        self.lua = None;
    }

    /// MD's `raise_lua_event`: delivered at the next frame. Without a Lua state (not
    /// loaded) the event is lost, as nothing listens.
    pub fn raise(&self, name: &str, param: LuaArg) {
        if self.lua.is_some() {
            self.state
                .borrow_mut()
                .deferred
                .push((name.to_owned(), param));
        }
    }

    /// What `IsGamePaused()` answers from now on.
    pub fn set_paused(&self, paused: bool) {
        self.state.borrow_mut().paused = paused;
    }

    /// Whether the frames run the onUpdate scripts (the game's onUpdate can drop out
    /// for a while; events are still delivered).
    pub fn set_onupdate_runs(&self, runs: bool) {
        self.state.borrow_mut().no_update = !runs;
    }

    /// Calls `f`, timed if [`HostOptions::time_calls`].
    fn timed<R>(&self, f: impl FnOnce() -> R) -> R {
        if !self.opts.time_calls {
            return f();
        }
        let (r, time) = CallTime::measure(self.opts.cpu_clock, f);
        self.state.borrow_mut().call_times.push(time);
        r
    }

    /// One frame of the UI at these clocks (seconds): deferred events in order, then
    /// the onUpdate scripts.
    pub fn frame(&self, game_time: f64, real_time: f64) {
        {
            let mut st = self.state.borrow_mut();
            st.game_time = game_time;
            st.real_time = real_time;
        }
        let Some(lua) = &self.lua else { return };
        let events = std::mem::take(&mut self.state.borrow_mut().deferred);
        for (name, param) in events {
            let handlers: Vec<Function> = self
                .state
                .borrow()
                .handlers
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, f)| f.clone())
                .collect();
            let arg = match &param {
                LuaArg::Nil => Ok(LV::Nil),
                LuaArg::Int(i) => Ok(LV::Integer(*i)),
                LuaArg::Num(x) => Ok(LV::Number(*x)),
                LuaArg::Str(s) => lua.create_string(s).map(LV::String),
            };
            let arg = match arg {
                Ok(a) => a,
                Err(e) => {
                    self.note(LuaNote::Error(format!("event {name}: {e}")));
                    continue;
                }
            };
            for f in handlers {
                if let Err(e) = self.timed(|| f.call::<()>((name.as_str(), arg.clone()))) {
                    self.note(LuaNote::Error(format!("handler of {name}: {e}")));
                }
            }
        }
        if self.state.borrow().no_update {
            return;
        }
        let scripts = Rc::clone(&self.state.borrow().update_scripts);
        for f in scripts.iter() {
            if let Err(e) = self.timed(|| f.call::<()>(())) {
                self.note(LuaNote::Error(format!("onUpdate: {e}")));
            }
        }
    }

    /// Removes and returns how long each call into the Lua took, in call order (empty
    /// unless [`HostOptions::time_calls`]).
    pub fn take_call_times(&self) -> Vec<Duration> {
        self.take_calls().into_iter().map(|c| c.wall).collect()
    }

    /// Like [`LuaHost::take_call_times`], with the CPU time of each call where known.
    pub fn take_calls(&self) -> Vec<CallTime> {
        std::mem::take(&mut self.state.borrow_mut().call_times)
    }

    pub fn take_ui_events(&self) -> Vec<UiEvent> {
        std::mem::take(&mut self.state.borrow_mut().ui_events)
    }

    pub fn take_notes(&self) -> Vec<LuaNote> {
        std::mem::take(&mut self.state.borrow_mut().notes)
    }

    /// Whether an onUpdate script is set (the Lua side waits for something outside).
    pub fn updating(&self) -> bool {
        !self.state.borrow().update_scripts.is_empty()
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

    /// The Lua state, for tests that look inside.
    pub fn lua(&self) -> Option<&Lua> {
        self.lua.as_ref()
    }
}

impl Drop for LuaHost {
    fn drop(&mut self) {
        self.unload();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_with(code: &str, opts: HostOptions) -> (LuaHost, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ui").join("t.lua");
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(&f, code).unwrap();
        let mut h = LuaHost::new(vec![f.into()], opts);
        h.load().unwrap();
        (h, dir)
    }

    #[test]
    fn events_are_deferred_to_the_frame_and_answers_collected() {
        let (h, _d) = host_with(
            r#"
            local src = debug.getinfo(1, "S").source
            RegisterEvent("ask", function(_, p)
                AddUITriggeredEvent("S", "answer", { n = p, ok = true, src = src:sub(1, 1) })
            end)
            local ffi = require("ffi")
            ffi.cdef("bool IsGamePaused(void);")
            local function tick()
                AddUITriggeredEvent("S", "paused", ffi.C.IsGamePaused())
                RemoveScript("onUpdate", tick)
            end
            SetScript("onUpdate", tick)
            DebugError("loaded")
            "#,
            HostOptions::default(),
        );
        h.raise("ask", LuaArg::Int(7));
        assert!(h.take_ui_events().is_empty(), "nothing before the frame");
        h.set_paused(true);
        h.frame(1.0, 1.0);
        let ev = h.take_ui_events();
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].control, "answer");
        let LuaData::Table(t) = &ev[0].value else {
            panic!()
        };
        assert!(t.contains(&(LuaData::Str(b"n".to_vec()), LuaData::Int(7))));
        assert!(t.contains(&(LuaData::Str(b"src".to_vec()), LuaData::Str(b"@".to_vec()))));
        assert_eq!(ev[1].value, LuaData::Bool(true));
        assert!(!h.updating());
        assert_eq!(h.take_notes(), [LuaNote::Log("loaded".into())]);
    }

    #[test]
    fn lua_errors_are_notes_and_reload_starts_over() {
        let (mut h, _d) = host_with(
            r#"
            count = (count or 0) + 1
            RegisterEvent("boom", function() error("bang") end)
            AddUITriggeredEvent("S", "loaded", count)
            "#,
            HostOptions {
                safe_mode: None,
                pause_symbol: false,
                time_calls: false,
                cpu_clock: None,
            },
        );
        h.raise("boom", LuaArg::Nil);
        h.frame(0.0, 0.0);
        let notes = h.take_notes();
        assert!(
            matches!(&notes[..], [LuaNote::Error(e)] if e.contains("bang")),
            "{notes:?}"
        );
        h.load().unwrap();
        let ev = h.take_ui_events();
        assert_eq!(
            ev.iter().map(|e| e.value.clone()).collect::<Vec<_>>(),
            [LuaData::Int(1), LuaData::Int(1)]
        );
        let g = h.lua().unwrap().globals();
        assert!(g.get::<LV>("GetUISafeModeOption").unwrap().is_nil());
    }

    /// A call's CPU time is the difference of the clock around it.
    #[test]
    fn timed_calls_read_the_cpu_clock_around_each_call() {
        thread_local!(static TICKS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
        fn clock() -> Option<Duration> {
            // Every reading advances 3 ms; the handler reads it once more in between.
            Some(Duration::from_millis(TICKS.with(|t| {
                t.set(t.get() + 3);
                t.get()
            })))
        }
        let (h, _d) = host_with(
            r#"RegisterEvent("work", function() AddUITriggeredEvent("S", "c", 1) end)"#,
            HostOptions {
                time_calls: true,
                cpu_clock: Some(clock),
                ..HostOptions::default()
            },
        );
        h.raise("work", LuaArg::Nil);
        h.frame(0.0, 0.0);
        let calls = h.take_calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].on_cpu, Some(Duration::from_millis(3)));
    }

    #[test]
    fn onupdate_drops_out_while_events_still_come_and_calls_are_timed() {
        let (h, _d) = host_with(
            r#"
            ticks = 0
            RegisterEvent("ask", function() AddUITriggeredEvent("S", "ticks", ticks) end)
            SetScript("onUpdate", function() ticks = ticks + 1 end)
            "#,
            HostOptions {
                time_calls: true,
                ..HostOptions::default()
            },
        );
        h.frame(0.0, 0.0);
        h.set_onupdate_runs(false);
        h.raise("ask", LuaArg::Nil);
        h.frame(0.1, 0.1);
        h.frame(0.2, 0.2);
        h.set_onupdate_runs(true);
        h.raise("ask", LuaArg::Nil);
        h.frame(0.3, 0.3);
        let ev = h.take_ui_events();
        let seen: Vec<_> = ev.iter().map(|e| e.value.clone()).collect();
        // One tick before the drop-out, none during it; the handler runs before onUpdate.
        assert_eq!(seen, [LuaData::Int(1), LuaData::Int(1)]);
        // Calls: onUpdate, handler, handler, onUpdate.
        assert_eq!(h.take_call_times().len(), 4);
        assert!(h.take_call_times().is_empty(), "taken");
        let mut untimed = LuaHost::new(h.files.clone(), HostOptions::default());
        untimed.load().unwrap();
        untimed.frame(0.0, 0.0);
        assert!(untimed.take_call_times().is_empty(), "timing is opt-in");
    }
}
