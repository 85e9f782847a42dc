//! The frame loop: game time, the session clock, pauses, savegame loads and UI reloads
//! around the MD [`Engine`] and the Lua [`LuaHost`].
//!
//! One frame: scheduled happenings (pause, savegame load, UI reload) -> game time moves
//! -> MD: due delays and checks, then the UI events Lua triggered in the previous frame
//! -> Lua: the events MD raised this frame, in order, then the onUpdate scripts.
//!
//! Idle time is skipped: when MD has nothing to do before its next delay and Lua waits
//! for nothing, the next frame is at that delay. When Lua waits on a pipe, the outside
//! world gets [`SimOptions::settle`] of real time after the last exchange to answer
//! (frames then run at real speed); after that, idle time is skipped again and the pipes
//! are polled once per frame. See GAME-MODEL.md.

use crate::engine::{micros, Engine, LuaArg, Micros, Model, Record};
use crate::error::SimError;
use crate::extension::Extension;
use crate::host::{HostOptions, LuaData, LuaFile, LuaHost, LuaNote};
use crate::script;
use crate::value::{Key, Table, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// What happens to UI events Lua triggers while it loads at game start or savegame
/// load, before MD runs (x4-runtime-facts.md: UI files load "before the game world
/// exists").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EarlyUi {
    /// Nobody listens yet: they are lost.
    #[default]
    Drop,
    /// MD sees them in the first frame.
    Deliver,
}

#[derive(Clone, Debug)]
pub struct SimOptions {
    pub model: Model,
    /// Length of a frame in which something happens.
    pub frame: Micros,
    /// Real time the outside world gets to answer before idle time is skipped.
    pub settle: Duration,
    /// While Lua waits for something (an onUpdate script is set), idle time is skipped
    /// in steps of at most this much, so that what Lua times by itself (alarms on
    /// `GetCurRealTime()`, also while paused) is at most this late.
    pub lua_poll: Micros,
    pub host: HostOptions,
    pub early_ui: EarlyUi,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            model: Model::default(),
            frame: 16_667,
            settle: Duration::from_millis(150),
            lua_poll: 250_000,
            host: HostOptions::default(),
            early_ui: EarlyUi::Drop,
        }
    }
}

/// Something the run does at a time of the session clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Happening {
    Pause,
    Resume,
    /// A savegame is loaded: MD state kept, Lua recreated, `event_game_loaded`.
    LoadGame,
    /// `/reloadui`: Lua recreated, MD untouched.
    ReloadUi,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub frame: u64,
    /// Session clock (runs while paused).
    pub clock: Micros,
    /// Game time (`player.age`).
    pub game: Micros,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// What MD did: debug_text, notifications, errors, `raise_lua_event`.
    Md(Record),
    FromLua {
        screen: String,
        control: String,
        value: String,
    },
    /// Triggered while Lua loaded before MD ran ([`EarlyUi::Drop`]).
    UiDropped {
        control: String,
        value: String,
    },
    LuaLog(String),
    LuaError(String),
    GameStarted,
    Happened(Happening),
}

impl EventKind {
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            EventKind::Md(Record::MdError { .. }) | EventKind::LuaError(_)
        )
    }
}

fn secs(us: Micros) -> String {
    format!("{}.{:03}", us / 1_000_000, (us % 1_000_000) / 1000)
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{:>9}s] ", secs(self.game))?;
        match &self.kind {
            EventKind::Md(r) => r.fmt(f),
            EventKind::FromLua {
                screen,
                control,
                value,
            } => write!(f, "Lua -> MD: {screen} {control} {value:?}"),
            EventKind::UiDropped { control, value } => {
                write!(f, "Lua -> (MD not running yet, lost): {control} {value:?}")
            }
            EventKind::LuaLog(t) => write!(f, "Lua log: {t}"),
            EventKind::LuaError(t) => write!(f, "Lua error: {t}"),
            EventKind::GameStarted => f.write_str("new game started"),
            EventKind::Happened(h) => f.write_str(match h {
                Happening::Pause => "game paused",
                Happening::Resume => "game resumed",
                Happening::LoadGame => "savegame loaded (Lua state recreated)",
                Happening::ReloadUi => "UI reloaded (Lua state recreated)",
            }),
        }
    }
}

pub struct Sim {
    engine: Engine,
    host: LuaHost,
    opts: SimOptions,
    clock: Micros,
    game: Micros,
    frame: u64,
    paused: bool,
    schedule: Vec<(Micros, Happening)>,
    pending_ui: Vec<crate::host::UiEvent>,
    events: Vec<Event>,
    last_exchange: Instant,
    /// The parameter each Lua event was last raised with.
    last_raised: HashMap<String, LuaArg>,
    errors: usize,
    started: bool,
}

impl Sim {
    /// Loads the extensions (MD files of all of them, in order; their Lua files into one
    /// Lua state). Nothing runs before [`Sim::start`].
    pub fn new(exts: &[Extension], opts: SimOptions) -> Result<Sim, SimError> {
        let mut scripts = Vec::new();
        let mut lua = Vec::new();
        for e in exts {
            for f in &e.md_files {
                let text = crate::extension::read_text(f)?;
                scripts.push(script::load(&f.display().to_string(), &text)?);
            }
            lua.extend(e.lua_files.iter().cloned().map(LuaFile::from));
        }
        Ok(Sim::from_parts(
            Engine::new(scripts, opts.model.clone())?,
            LuaHost::new(lua, opts.host.clone()),
            opts,
        ))
    }

    pub fn from_parts(engine: Engine, host: LuaHost, opts: SimOptions) -> Sim {
        Sim {
            engine,
            host,
            opts,
            clock: 0,
            game: 0,
            frame: 0,
            paused: false,
            schedule: Vec::new(),
            pending_ui: Vec::new(),
            events: Vec::new(),
            last_exchange: Instant::now(),
            last_raised: HashMap::new(),
            errors: 0,
            started: false,
        }
    }

    /// Schedules a happening at a time of the session clock.
    pub fn at(&mut self, clock: Micros, what: Happening) {
        self.schedule.push((clock, what));
        self.schedule.sort();
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }
    pub fn host(&self) -> &LuaHost {
        &self.host
    }
    pub fn clock(&self) -> Micros {
        self.clock
    }
    pub fn game_time(&self) -> Micros {
        self.game
    }
    /// MD and Lua errors so far.
    pub fn errors(&self) -> usize {
        self.errors
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    fn push(&mut self, kind: EventKind) {
        if kind.is_error() {
            self.errors += 1;
        }
        self.events.push(Event {
            frame: self.frame,
            clock: self.clock,
            game: self.game,
            kind,
        });
    }

    /// A new game: Lua loads first (before the world exists), then MD starts.
    pub fn start(&mut self) -> Result<(), SimError> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        self.load_lua()?;
        self.push(EventKind::GameStarted);
        let r = self.engine.start_new_game();
        self.drain_engine();
        r?;
        self.lua_phase();
        Ok(())
    }

    /// (Re)creates the Lua state; what it triggers while loading goes by
    /// [`SimOptions::early_ui`] unless MD is running (UI reload).
    fn load_lua(&mut self) -> Result<(), SimError> {
        self.host.load()?;
        self.lua_notes();
        let early = self.host.take_ui_events();
        for ev in early {
            if self.opts.early_ui == EarlyUi::Drop {
                self.push(EventKind::UiDropped {
                    control: ev.control.clone(),
                    value: ev.value.text(),
                });
            } else {
                self.ui_from_lua(ev);
            }
        }
        Ok(())
    }

    fn ui_from_lua(&mut self, ev: crate::host::UiEvent) {
        self.push(EventKind::FromLua {
            screen: ev.screen.clone(),
            control: ev.control.clone(),
            value: ev.value.text(),
        });
        self.last_exchange = Instant::now();
        self.pending_ui.push(ev);
    }

    fn lua_notes(&mut self) {
        for n in self.host.take_notes() {
            match n {
                LuaNote::Log(t) => self.push(EventKind::LuaLog(t)),
                LuaNote::Error(t) => self.push(EventKind::LuaError(t)),
            }
        }
    }

    fn drain_engine(&mut self) {
        for r in self.engine.take_records() {
            if let Record::ToLua(call) = &r {
                self.host.raise(&call.name, call.param.clone());
                // A request is new (every access has its own id); the same event
                // with the same parameter as the last time (a heartbeat) asks the
                // outside world for nothing.
                let last = self.last_raised.get(&call.name);
                if last != Some(&call.param) {
                    self.last_raised
                        .insert(call.name.clone(), call.param.clone());
                    self.last_exchange = Instant::now();
                }
            }
            self.push(EventKind::Md(r));
        }
    }

    fn lua_phase(&mut self) {
        self.host
            .frame(self.game as f64 / 1e6, self.clock as f64 / 1e6);
        self.lua_notes();
        for ev in self.host.take_ui_events() {
            self.ui_from_lua(ev);
        }
    }

    /// When the next frame should be, at the earliest `clock + frame`, at the latest
    /// `limit`.
    fn next_clock(&self, limit: Micros) -> Micros {
        let soon = self.clock + self.opts.frame;
        if !self.pending_ui.is_empty() || self.engine.polls() {
            return soon.min(limit.max(soon));
        }
        if self.host.updating() && self.last_exchange.elapsed() < self.opts.settle {
            // The outside world may be answering: frames at real speed.
            std::thread::sleep(Duration::from_micros(self.opts.frame as u64));
            return soon;
        }
        let mut next = limit;
        if self.host.updating() {
            next = next.min(self.clock + self.opts.lua_poll);
        }
        if !self.paused {
            if let Some(t) = self.engine.next_timer() {
                next = next.min(self.clock + (t - self.game));
            }
        }
        if let Some((t, _)) = self.schedule.first() {
            next = next.min(*t);
        }
        next.max(soon)
    }

    /// One frame, at most at `limit` on the session clock (unless something is due
    /// sooner).
    pub fn step(&mut self, limit: Micros) -> Result<(), SimError> {
        if !self.started {
            return self.start();
        }
        let next = self.next_clock(limit);
        let dt = next - self.clock;
        self.clock = next;
        self.frame += 1;
        if !self.paused {
            self.game += dt;
        }
        while self.schedule.first().is_some_and(|(t, _)| *t <= self.clock) {
            let (_, what) = self.schedule.remove(0);
            self.happen(what)?;
        }
        let r = self.md_phase();
        self.drain_engine();
        r?;
        self.lua_phase();
        Ok(())
    }

    fn happen(&mut self, what: Happening) -> Result<(), SimError> {
        self.push(EventKind::Happened(what));
        match what {
            Happening::Pause | Happening::Resume => {
                self.paused = what == Happening::Pause;
                self.host.set_paused(self.paused);
            }
            Happening::ReloadUi => {
                // MD is running: what the new Lua state triggers reaches it next frame.
                self.host.load()?;
                self.lua_notes();
                for ev in self.host.take_ui_events() {
                    self.ui_from_lua(ev);
                }
            }
            Happening::LoadGame => {
                // UI events of the old session die with it.
                self.pending_ui.clear();
                self.load_lua()?;
                let r = self.engine.game_loaded();
                self.drain_engine();
                r?;
            }
        }
        Ok(())
    }

    fn md_phase(&mut self) -> Result<(), SimError> {
        self.engine.advance(self.game)?;
        for ev in std::mem::take(&mut self.pending_ui) {
            self.drain_engine();
            self.engine
                .ui_event(&ev.screen, &ev.control, md_value(&ev.value))?;
        }
        Ok(())
    }

    /// Runs until the session clock reaches `until`, or `stop` returns true for an
    /// event (then returns true). Every event goes through `stop`.
    pub fn run(
        &mut self,
        until: Micros,
        mut stop: impl FnMut(&Event) -> bool,
    ) -> Result<bool, SimError> {
        loop {
            let r = if self.clock >= until && self.started {
                None
            } else {
                Some(self.step(until))
            };
            for ev in self.take_events() {
                if stop(&ev) {
                    return Ok(true);
                }
            }
            match r {
                None => return Ok(false),
                Some(r) => r?,
            }
        }
    }
}

/// Lua values as MD sees them (x4-runtime-facts.md): booleans become 0/1, tables with
/// keys 1..n lists, other tables MD tables whose string keys gain a `$`.
pub fn md_value(v: &LuaData) -> Value {
    match v {
        LuaData::Nil => Value::Null,
        LuaData::Bool(b) => Value::bool(*b),
        LuaData::Int(i) => Value::Int(*i),
        LuaData::Num(n) if n.fract() == 0.0 && n.abs() < 9e15 => Value::Int(*n as i64),
        LuaData::Num(n) => Value::Float(*n),
        LuaData::Str(s) => Value::str(String::from_utf8_lossy(s)),
        LuaData::Table(entries) => {
            let n = entries.len() as i64;
            let is_list = entries.iter().all(|(k, _)| match k {
                LuaData::Int(i) => (1..=n).contains(i),
                LuaData::Num(x) => x.fract() == 0.0 && (1.0..=n as f64).contains(x),
                _ => false,
            });
            if is_list && n > 0 {
                let mut items = vec![Value::Null; n as usize];
                for (k, v) in entries {
                    let i = match k {
                        LuaData::Int(i) => *i,
                        LuaData::Num(x) => *x as i64,
                        _ => unreachable!("checked above"),
                    };
                    items[i as usize - 1] = md_value(v);
                }
                return Value::list(items);
            }
            let mut t = Table::default();
            for (k, v) in entries {
                let key = match k {
                    LuaData::Str(s) => {
                        Key::Str(Rc::from(format!("${}", String::from_utf8_lossy(s))))
                    }
                    other => match md_value(other) {
                        Value::Int(i) => Key::Int(i),
                        other => Key::Str(Rc::from(other.to_string())),
                    },
                };
                t.set(key, md_value(v));
            }
            Value::Table(Rc::new(RefCell::new(t)))
        }
    }
}

/// Parses `5s`, `1.5min`, `2h`, `250ms` or plain seconds.
pub fn parse_duration(s: &str) -> Option<Micros> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let x: f64 = num.parse().ok()?;
    let scale = match unit {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "min" | "m" => 60.0,
        "h" => 3600.0,
        _ => return None,
    };
    if !(x * scale).is_finite() || x < 0.0 {
        return None;
    }
    Some(micros(x * scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Some(5_000_000));
        assert_eq!(parse_duration("10min"), Some(600_000_000));
        assert_eq!(parse_duration("1.5"), Some(1_500_000));
        assert_eq!(parse_duration("250ms"), Some(250_000));
        assert_eq!(parse_duration("5 parsecs"), None);
        assert_eq!(parse_duration("-1s"), None);
    }

    #[test]
    fn lua_tables_become_md_values() {
        let list = LuaData::Table(vec![
            (LuaData::Int(2), LuaData::Str(b"b".to_vec())),
            (LuaData::Int(1), LuaData::Bool(true)),
        ]);
        assert_eq!(md_value(&list).to_string(), "[1, b]");
        let t = LuaData::Table(vec![(LuaData::Str(b"pipe".to_vec()), LuaData::Num(2.5))]);
        assert_eq!(md_value(&t).to_string(), "table[$pipe=2.5]");
    }
}
