//! The Mission Director: cue nodes, their states, and the order in which things happen
//! inside one frame. The frame loop itself (game time, Lua, pauses) is in
//! the `sim` module; this engine is told the time and fed events, and hands back what
//! MD raised for Lua and what it logged. See GAME-MODEL.md for the rules and sources.

mod eval;
mod exec;
mod nodes;

use crate::error::{Pos, SimError};
use crate::script::{DefId, Script};
use crate::value::{NodeId, Value};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::rc::Rc;

pub use nodes::CueState;

/// Microseconds of game time.
pub type Micros = i64;

pub fn micros(seconds: f64) -> Micros {
    (seconds * 1_000_000.0).round() as Micros
}

/// Order of the signals sent with `signal_cue` while one cue's actions ran, relative to
/// signals queued before (md.xsd only says "in the same frame, but only after the
/// current cue actions are completed").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SignalOrder {
    /// Appended to the frame's queue: older signals first (breadth-first).
    #[default]
    Fifo,
    /// Put before older signals, in the order sent (depth-first).
    DepthFirst,
}

/// The choices the game model makes where the sources leave it open.
#[derive(Clone, Debug)]
pub struct Model {
    pub signal_order: SignalOrder,
    /// Iterations of one `do_while` before it counts as a hang.
    pub max_loop: u64,
    /// Nesting of `signal_cue_instantly` / `include_actions` before it counts as endless.
    pub max_depth: u32,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            signal_order: SignalOrder::Fifo,
            max_loop: 1_000_000,
            max_depth: 256,
        }
    }
}

/// A `raise_lua_event`, for the Lua side.
#[derive(Clone, Debug, PartialEq)]
pub struct LuaCall {
    pub name: String,
    pub param: LuaArg,
}

/// What `raise_lua_event` can pass: a string, a number or nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum LuaArg {
    Nil,
    Int(i64),
    Num(f64),
    /// Bytes: MD passes its UTF-8 strings; a caller of the Lua host may pass any bytes.
    Str(Vec<u8>),
}

impl std::fmt::Display for LuaArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LuaArg::Nil => f.write_str("nil"),
            LuaArg::Int(i) => write!(f, "{i}"),
            LuaArg::Num(x) => write!(f, "{x}"),
            LuaArg::Str(s) => write!(f, "{:?}", String::from_utf8_lossy(s)),
        }
    }
}

/// What MD logged.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    DebugText {
        text: String,
        filter: Option<String>,
        pos: Pos,
    },
    Notification {
        text: String,
        pos: Pos,
    },
    /// An error the game would log and survive.
    MdError {
        msg: String,
        pos: Pos,
    },
    /// `raise_lua_event`, for the Lua side.
    ToLua(LuaCall),
}

impl std::fmt::Display for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Record::DebugText { text, .. } => write!(f, "debug_text: {text}"),
            Record::Notification { text, .. } => write!(f, "notification: {text}"),
            Record::MdError { msg, pos } => write!(f, "MD error: {msg} at {pos}"),
            Record::ToLua(LuaCall { name, param }) => write!(f, "MD -> Lua: {name} {param}"),
        }
    }
}

/// An event that cues can wait for.
#[derive(Clone, Debug)]
pub(crate) struct EventData {
    pub kind: EventKind,
    pub object: Value,
    pub param: Value,
    pub param2: Value,
    pub param3: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum EventKind {
    None,
    Signal(NodeId),
    Ui,
    GameLoaded,
    GameStarted,
}

impl EventData {
    fn none() -> Rc<EventData> {
        Rc::new(EventData {
            kind: EventKind::None,
            object: Value::Null,
            param: Value::Null,
            param2: Value::Null,
            param3: Value::Null,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum TimerKind {
    /// The cue's `<delay>` is over: perform its actions.
    Actions,
    /// `checktime` or `checkinterval`: check the conditions.
    Check,
}

#[derive(Debug)]
enum Work {
    Signal { target: NodeId, param: Value },
}

pub struct Engine {
    scripts: Rc<Vec<Script>>,
    script_index: HashMap<Rc<str>, u32>,
    nodes: Vec<nodes::Node>,
    /// The static node of every root cue, by (script, def).
    roots: HashMap<(u32, DefId), NodeId>,
    /// Cues with `ref`: the library each runs, by (script, def) of the cue.
    libraries: HashMap<(u32, DefId), (u32, DefId)>,
    globals: HashMap<Rc<str>, Value>,
    now: Micros,
    timers: BinaryHeap<Reverse<(Micros, u64, NodeId, TimerKind)>>,
    seq: u64,
    queue: VecDeque<Work>,
    /// Signals sent by the item being processed; queued when it is done.
    fresh: Vec<Work>,
    listeners: Vec<NodeId>,
    polling: Vec<NodeId>,
    records: Vec<Record>,
    model: Model,
    depth: u32,
    started: bool,
}

impl Engine {
    /// Scripts in load order (the order of their root cues' first activation). A cue's
    /// `ref` is resolved here, among the scripts loaded together; one that names no
    /// loaded library stops the run when the cue is enabled.
    pub fn new(scripts: Vec<Script>, model: Model) -> Result<Engine, SimError> {
        let mut script_index = HashMap::new();
        for (i, s) in scripts.iter().enumerate() {
            if let Some(prev) = script_index.insert(s.name.clone(), i as u32) {
                return Err(SimError::Script {
                    msg: format!(
                        "a second mdscript named '{}' (first in {})",
                        s.name, scripts[prev as usize].file
                    ),
                    pos: Pos {
                        file: s.file.clone(),
                        line: 1,
                    },
                });
            }
        }
        let libraries = resolve_refs(&scripts, &script_index);
        let mut e = Engine {
            scripts: Rc::new(scripts),
            script_index,
            nodes: Vec::new(),
            roots: HashMap::new(),
            libraries,
            globals: HashMap::new(),
            now: 0,
            timers: BinaryHeap::new(),
            seq: 0,
            queue: VecDeque::new(),
            fresh: Vec::new(),
            listeners: Vec::new(),
            polling: Vec::new(),
            records: Vec::new(),
            model,
            depth: 0,
            started: false,
        };
        let scripts = e.scripts.clone();
        for (si, s) in scripts.iter().enumerate() {
            for &d in &s.roots {
                let n = e.new_cue(si as u32, d, None);
                e.roots.insert((si as u32, d), n);
            }
        }
        Ok(e)
    }

    pub fn now(&self) -> Micros {
        self.now
    }

    pub fn scripts(&self) -> &[Script] {
        &self.scripts
    }

    /// A new game at the current time: every root cue is enabled (scripts in load
    /// order), then `event_game_started` is dispatched.
    pub fn start_new_game(&mut self) -> Result<(), SimError> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let mut roots = Vec::new();
        for (si, s) in self.scripts.iter().enumerate() {
            roots.extend(s.roots.iter().map(|d| self.roots[&(si as u32, *d)]));
        }
        self.top(|e| e.enable_all(&roots))?;
        self.event(
            EventKind::GameStarted,
            Value::Null,
            Value::Null,
            Value::Null,
        )
    }

    /// A savegame was loaded: MD state is what it was when saved (here: now), and
    /// `event_game_loaded` is dispatched.
    pub fn game_loaded(&mut self) -> Result<(), SimError> {
        self.event(EventKind::GameLoaded, Value::Null, Value::Null, Value::Null)
    }

    /// `AddUITriggeredEvent(screen, control, value)` arriving in MD.
    pub fn ui_event(&mut self, screen: &str, control: &str, value: Value) -> Result<(), SimError> {
        self.event(
            EventKind::Ui,
            Value::str(screen),
            Value::str(control),
            value,
        )
    }

    fn event(&mut self, kind: EventKind, p: Value, p2: Value, p3: Value) -> Result<(), SimError> {
        let ev = Rc::new(EventData {
            kind,
            object: Value::Null,
            param: p,
            param2: p2,
            param3: p3,
        });
        self.top(|e| e.dispatch(ev))
    }

    /// Moves game time to `now` and runs what is due: delays and condition checks in
    /// time order, then the cues whose conditions are checked every frame.
    pub fn advance(&mut self, now: Micros) -> Result<(), SimError> {
        self.now = self.now.max(now);
        while let Some(Reverse((t, _, _, _))) = self.timers.peek() {
            if *t > self.now {
                break;
            }
            let Reverse((_, _, node, kind)) = self.timers.pop().unwrap();
            self.top(|e| e.fire(node, kind))?;
        }
        let polled = std::mem::take(&mut self.polling);
        for n in &polled {
            self.nodes[n.0 as usize].polling = false;
        }
        for n in polled {
            if self.nodes[n.0 as usize].state == CueState::Waiting {
                self.top(|e| e.check_now(n))?;
            }
        }
        Ok(())
    }

    /// When the next delay or timed check falls due.
    pub fn next_timer(&self) -> Option<Micros> {
        self.timers.peek().map(|Reverse((t, ..))| *t)
    }

    /// Whether some cue checks its conditions every frame (no idle time to skip).
    pub fn polls(&self) -> bool {
        !self.polling.is_empty()
    }

    pub fn take_records(&mut self) -> Vec<Record> {
        std::mem::take(&mut self.records)
    }

    /// The static node of a root cue or of a cue under non-instantiated cues, by name.
    pub fn cue(&self, script: &str, cue: &str) -> Option<NodeId> {
        let si = *self.script_index.get(script)?;
        let def = *self.scripts[si as usize].by_name.get(cue)?;
        self.static_node(si, def).ok()
    }

    pub fn cue_state(&self, n: NodeId) -> CueState {
        self.nodes[n.0 as usize].state
    }

    /// Live instances of a static cue.
    pub fn instances(&self, n: NodeId) -> usize {
        self.nodes[n.0 as usize].instances.len()
    }

    /// A variable of a cue node (`md.Script.Cue.$name`), for tests and tools.
    pub fn var(&self, n: NodeId, name: &str) -> Option<Value> {
        self.nodes[n.0 as usize].vars.get(name).cloned()
    }

    pub fn global(&self, name: &str) -> Option<Value> {
        self.globals.get(name).cloned()
    }

    /// One top-level item of a frame, then every signal it caused.
    fn top(&mut self, f: impl FnOnce(&mut Engine) -> Result<(), SimError>) -> Result<(), SimError> {
        f(self)?;
        self.flush_fresh();
        while let Some(w) = self.queue.pop_front() {
            let Work::Signal { target, param } = w;
            self.signal(target, param)?;
            self.flush_fresh();
        }
        Ok(())
    }

    fn flush_fresh(&mut self) {
        match self.model.signal_order {
            SignalOrder::Fifo => self.queue.extend(self.fresh.drain(..)),
            SignalOrder::DepthFirst => {
                for w in self.fresh.drain(..).rev() {
                    self.queue.push_front(w);
                }
            }
        }
    }

    fn timer(&mut self, at: Micros, node: NodeId, kind: TimerKind) {
        self.seq += 1;
        self.timers.push(Reverse((at, self.seq, node, kind)));
    }

    fn record(&mut self, r: Record) {
        self.records.push(r);
    }
}

#[cfg(test)]
mod tests;

/// The library every cue with `ref` runs, where it exists: `Lib` in the cue's own
/// script, `md.Script.Lib` in that one.
fn resolve_refs(
    scripts: &[Script],
    index: &HashMap<Rc<str>, u32>,
) -> HashMap<(u32, DefId), (u32, DefId)> {
    let mut out = HashMap::new();
    for (si, s) in scripts.iter().enumerate() {
        for (d, def) in s.defs.iter().enumerate() {
            let Some(r) = &def.lib_ref else { continue };
            let ls = match &r.script {
                Some(name) => index.get(name).copied(),
                None => Some(si as u32),
            };
            let lib = ls.and_then(|ls| {
                let ld = *scripts[ls as usize].by_name.get(&r.library)?;
                scripts[ls as usize].defs[ld].library.then_some((ls, ld))
            });
            if let Some(lib) = lib {
                out.insert((si as u32, d), lib);
            }
        }
    }
    out
}
