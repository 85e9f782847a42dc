//! Cue nodes and their life: enable, listen or check, activate (or instantiate), delay,
//! actions, sub-cues, completion, cancel and reset; and how cue names are resolved.

use super::{Engine, EventData, EventKind, TimerKind, Work};
use crate::error::{Fault, Pos, SimError};
use crate::script::{Cond, DefId, Namespace, OnFail};
use crate::value::{NodeId, Value};
use std::collections::HashMap;
use std::rc::Rc;

/// The states md.xsd's `cuestate` lookup names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CueState {
    Disabled,
    Waiting,
    Active,
    Complete,
    Cancelled,
}

impl CueState {
    pub fn keyword(self) -> &'static str {
        match self {
            CueState::Disabled => "cuestate.disabled",
            CueState::Waiting => "cuestate.waiting",
            CueState::Active => "cuestate.active",
            CueState::Complete => "cuestate.complete",
            CueState::Cancelled => "cuestate.cancelled",
        }
    }
}

pub(crate) struct Node {
    /// The definition the node runs (for a cue with `ref`: the library's).
    pub script: u32,
    pub def: DefId,
    /// A cue with `ref`: its own (script, definition), by which it is named.
    pub ident: Option<(u32, DefId)>,
    /// The node whose sub-cue this is (for an instance: its static cue's parent).
    pub parent: Option<NodeId>,
    /// For an instance: its static cue.
    pub static_of: Option<NodeId>,
    pub state: CueState,
    /// An instance that has ended (no longer `.exists`).
    pub removed: bool,
    pub vars: HashMap<Rc<str>, Value>,
    /// One node per sub-cue definition (not under a static instantiated cue).
    pub children: Vec<NodeId>,
    pub instances: Vec<NodeId>,
    /// The event that activated the node, kept for delayed actions.
    pub event: Option<Rc<EventData>>,
    pub polling: bool,
}

/// Execution context of conditions and actions.
pub(crate) struct Ctx {
    pub this: NodeId,
    pub ns: NodeId,
    pub script: u32,
    pub event: Rc<EventData>,
}

pub(crate) enum After {
    Cancel(NodeId),
    Reset(NodeId),
}

impl Engine {
    pub(super) fn node(&self, n: NodeId) -> &Node {
        &self.nodes[n.0 as usize]
    }
    pub(super) fn node_mut(&mut self, n: NodeId) -> &mut Node {
        &mut self.nodes[n.0 as usize]
    }

    /// The node of a cue definition; a cue with `ref` runs its library's definition.
    pub(super) fn new_cue(&mut self, script: u32, def: DefId, parent: Option<NodeId>) -> NodeId {
        match self.libraries.get(&(script, def)) {
            Some(&(ls, ld)) => self.new_node(ls, ld, Some((script, def)), parent, None),
            None => self.new_node(script, def, None, parent, None),
        }
    }

    pub(super) fn new_node(
        &mut self,
        script: u32,
        def: DefId,
        ident: Option<(u32, DefId)>,
        parent: Option<NodeId>,
        static_of: Option<NodeId>,
    ) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(Node {
            script,
            def,
            ident,
            parent,
            static_of,
            state: CueState::Disabled,
            removed: false,
            vars: HashMap::new(),
            children: Vec::new(),
            instances: Vec::new(),
            event: None,
            polling: false,
        });
        self.make_children(id);
        id
    }

    /// Sub-cues exist (disabled) from the start, so that actions can name them before
    /// they are enabled. A static instantiated cue only listens: its sub-cues live in
    /// its instances.
    fn make_children(&mut self, id: NodeId) {
        let (script, def, is_static_inst) = {
            let n = self.node(id);
            let d = &self.scripts[n.script as usize].defs[n.def];
            (n.script, n.def, d.instantiate && n.static_of.is_none())
        };
        if is_static_inst {
            return;
        }
        let subs = self.scripts[script as usize].defs[def].cues.clone();
        let kids: Vec<NodeId> = subs
            .into_iter()
            .map(|d| self.new_cue(script, d, Some(id)))
            .collect();
        self.node_mut(id).children = kids;
    }

    pub(super) fn ctx(&self, n: NodeId, event: Rc<EventData>) -> Ctx {
        Ctx {
            this: n,
            ns: self.namespace(n),
            script: self.node(n).script,
            event,
        }
    }

    pub(super) fn namespace(&self, n: NodeId) -> NodeId {
        let nd = self.node(n);
        match self.scripts[nd.script as usize].defs[nd.def].namespace {
            Namespace::This => n,
            Namespace::Static => nd.static_of.unwrap_or(n),
            // MD guide, "Library cues": "By default a library creates its own namespace,
            // as if namespace="static" were specified."
            Namespace::Default if nd.ident.is_some() => nd.static_of.unwrap_or(n),
            Namespace::Default => match nd.parent {
                Some(p) => self.namespace(p),
                None => nd.static_of.unwrap_or(n),
            },
        }
    }

    fn stop(&self, f: Fault, pos: &Pos) -> Result<(), SimError> {
        match f {
            Fault::NotSimulated(w) => Err(SimError::not_simulated(w, pos)),
            Fault::Md(_) => Ok(()),
        }
    }

    /// Evaluates conditions; an MD error counts as "not met" (and is logged).
    fn conds_hold(&mut self, conds: &[Cond], ctx: &Ctx, any: bool) -> Result<bool, SimError> {
        if conds.is_empty() {
            return Ok(true);
        }
        for c in conds {
            let ok = match c {
                Cond::CheckValue { value, pos } => match self.eval(value, ctx) {
                    Ok(v) => v.truthy(),
                    Err(f) => {
                        self.fault(f.clone(), pos)?;
                        false
                    }
                },
                Cond::Any(subs, _) => self.conds_hold(subs, ctx, true)?,
                Cond::All(subs, _) => self.conds_hold(subs, ctx, false)?,
                Cond::Unsupported(w, pos) => return Err(SimError::not_simulated(w.clone(), pos)),
                // Events inside checks were refused at load.
                _ => false,
            };
            if any && ok {
                return Ok(true);
            }
            if !any && !ok {
                return Ok(false);
            }
        }
        Ok(!any)
    }

    /// An MD error is logged; "not simulated" stops.
    pub(super) fn fault(&mut self, f: Fault, pos: &Pos) -> Result<(), SimError> {
        if let Fault::Md(msg) = &f {
            self.record(super::Record::MdError {
                msg: msg.clone(),
                pos: pos.clone(),
            });
        }
        self.stop(f, pos)
    }

    /// Enables cues that start together (the root cues of a game, the sub-cues of a
    /// cue that completed): all of them wait before any condition is checked, so
    /// that one of them can signal another.
    pub(super) fn enable_all(&mut self, nodes: &[NodeId]) -> Result<(), SimError> {
        let mut check = Vec::new();
        for &n in nodes {
            if self.enable(n)? {
                check.push(n);
            }
        }
        for n in check {
            if self.node(n).state == CueState::Waiting {
                self.first_check(n)?;
            }
        }
        Ok(())
    }

    /// Returns whether the cue has conditions to check now (no event condition).
    fn enable(&mut self, n: NodeId) -> Result<bool, SimError> {
        if self.node(n).state != CueState::Disabled {
            return Ok(false);
        }
        let scripts = self.scripts.clone();
        let nd = self.node(n);
        let def = &scripts[nd.script as usize].defs[nd.def];
        if let Some((w, pos)) = &def.unsupported {
            return Err(SimError::not_simulated(w.clone(), pos));
        }
        if let Some(r) = &def.lib_ref {
            // Resolved refs run the library's definition; this one was not found.
            let lib = match &r.script {
                Some(s) => format!("md.{s}.{}", r.library),
                None => r.library.to_string(),
            };
            return Err(SimError::not_simulated(
                format!("ref=\"{lib}\" (no such library among the loaded scripts)"),
                &r.pos,
            ));
        }
        if nd.ident.is_some() {
            self.set_params(n)?;
        }
        self.node_mut(n).state = CueState::Waiting;
        match &def.event {
            Some(ev) => {
                check_event_supported(ev)?;
                self.listeners.push(n);
                Ok(false)
            }
            None => Ok(true),
        }
    }

    /// A cue with `ref` gets the library's parameters as variables when it is enabled:
    /// the values its `<param>`s give, evaluated where the cue is written (in its
    /// parent's context: the corpus passes the parent's variables and cue names, e.g.
    /// `<param name="OfferCue" value="Start"/>`), else the library's defaults.
    /// md.xsd:3672: "parameter is required if default value not supplied".
    fn set_params(&mut self, n: NodeId) -> Result<(), SimError> {
        let scripts = self.scripts.clone();
        let nd = self.node(n);
        let (rs, rd) = nd.ident.expect("a cue with ref");
        let lib = &scripts[nd.script as usize].defs[nd.def];
        let r = scripts[rs as usize].defs[rd]
            .lib_ref
            .as_ref()
            .expect("a cue with ref");
        let outer = Ctx {
            this: nd.parent.unwrap_or(n),
            ns: nd.parent.map_or(n, |p| self.namespace(p)),
            script: rs,
            event: EventData::none(),
        };
        let inner = self.ctx(n, EventData::none());
        for (name, _, pos) in &r.params {
            if !lib.params.iter().any(|p| &p.name == name) {
                let msg = format!("library '{}' has no parameter '{name}'", lib.name);
                self.fault(Fault::Md(msg), pos)?;
            }
        }
        for p in &lib.params {
            let given = r.params.iter().find(|(name, ..)| *name == p.name);
            let value = match (given, &p.default) {
                (Some((_, e, pos)), _) => self.eval(e, &outer).map_err(|f| (f, pos)),
                (None, Some(e)) => self.eval(e, &inner).map_err(|f| (f, &lib.pos)),
                (None, None) => Err((
                    Fault::Md(format!(
                        "library '{}' needs parameter '{}'",
                        lib.name, p.name
                    )),
                    &r.pos,
                )),
            };
            match value {
                Ok(v) => {
                    let key: Rc<str> = Rc::from(format!("${}", p.name));
                    self.node_mut(inner.ns).vars.insert(key, v);
                }
                Err((f, pos)) => self.fault(f, pos)?,
            }
        }
        Ok(())
    }

    fn first_check(&mut self, n: NodeId) -> Result<(), SimError> {
        let scripts = self.scripts.clone();
        let nd = self.node(n);
        let def = &scripts[nd.script as usize].defs[nd.def];
        match &def.checktime {
            Some(e) => {
                let ctx = self.ctx(n, EventData::none());
                match self.eval(e, &ctx).and_then(|v| time_of(&v)) {
                    Ok(t) => {
                        let at = super::micros(t).max(self.now);
                        self.timer(at, n, TimerKind::Check);
                        Ok(())
                    }
                    Err(f) => self.fault(f, &def.pos),
                }
            }
            None => self.check_now(n),
        }
    }

    /// Conditions of a cue without an event condition.
    pub(super) fn check_now(&mut self, n: NodeId) -> Result<(), SimError> {
        let scripts = self.scripts.clone();
        let nd = self.node(n);
        let def = &scripts[nd.script as usize].defs[nd.def];
        let ctx = self.ctx(n, EventData::none());
        let ok = self.conds_hold(&def.checks, &ctx, false)?;
        if ok {
            self.activate(n, EventData::none())?;
        }
        if self.node(n).state != CueState::Waiting {
            return Ok(());
        }
        if !ok {
            match def.onfail {
                Some(OnFail::Cancel) => return self.cancel(n),
                Some(OnFail::Complete) => {
                    self.node_mut(n).state = CueState::Complete;
                    self.settle(n);
                    return Ok(());
                }
                None => {}
            }
        } else if def.onfail.is_some() && def.checkinterval.is_none() {
            // Checked once (an instantiating cue with onfail): it stays as it is.
            return Ok(());
        }
        match &def.checkinterval {
            Some(e) => match self.eval(e, &ctx).and_then(|v| time_of(&v)) {
                Ok(t) => {
                    let at = self.now + super::micros(t).max(1);
                    self.timer(at, n, TimerKind::Check);
                    Ok(())
                }
                Err(f) => self.fault(f, &def.pos),
            },
            None => {
                if !self.node(n).polling {
                    self.node_mut(n).polling = true;
                    self.polling.push(n);
                }
                Ok(())
            }
        }
    }

    fn activate(&mut self, n: NodeId, ev: Rc<EventData>) -> Result<(), SimError> {
        let (script, def, ident, parent) = {
            let nd = self.node(n);
            (nd.script, nd.def, nd.ident, nd.parent)
        };
        let target = if self.scripts[script as usize].defs[def].instantiate {
            let i = self.new_node(script, def, ident, parent, Some(n));
            self.node_mut(n).instances.push(i);
            i
        } else {
            n
        };
        let t = self.node_mut(target);
        t.state = CueState::Active;
        t.event = Some(ev.clone());
        let scripts = self.scripts.clone();
        let d = &scripts[script as usize].defs[def];
        match &d.delay {
            Some((e, pos)) => {
                let ctx = self.ctx(target, ev);
                match self.eval(e, &ctx).and_then(|v| time_of(&v)) {
                    Ok(t) => {
                        let at = self.now + super::micros(t).max(0);
                        self.timer(at, target, TimerKind::Actions);
                        Ok(())
                    }
                    Err(f) => {
                        self.fault(f, pos)?;
                        self.perform(target)
                    }
                }
            }
            None => self.perform(target),
        }
    }

    pub(super) fn fire(&mut self, n: NodeId, kind: TimerKind) -> Result<(), SimError> {
        let nd = self.node(n);
        match kind {
            TimerKind::Actions if nd.state == CueState::Active && !nd.removed => self.perform(n),
            TimerKind::Check if nd.state == CueState::Waiting => self.check_now(n),
            _ => Ok(()),
        }
    }

    /// The cue's actions, then what they deferred, then its sub-cues.
    fn perform(&mut self, n: NodeId) -> Result<(), SimError> {
        let scripts = self.scripts.clone();
        let (script, def) = (self.node(n).script, self.node(n).def);
        let d = &scripts[script as usize].defs[def];
        let ev = self.node(n).event.clone().unwrap_or_else(EventData::none);
        let ctx = self.ctx(n, ev);
        let mut after = Vec::new();
        self.run_actions(&d.actions, &ctx, &mut after)?;
        for a in after {
            match a {
                After::Cancel(t) => self.cancel(t)?,
                After::Reset(t) => self.reset(t)?,
            }
        }
        if self.node(n).state == CueState::Active {
            self.node_mut(n).state = CueState::Complete;
            let kids = self.node(n).children.clone();
            self.enable_all(&kids)?;
        }
        self.settle(n);
        Ok(())
    }

    fn live(&self, n: NodeId) -> bool {
        let nd = self.node(n);
        matches!(nd.state, CueState::Waiting | CueState::Active)
            || !nd.instances.is_empty()
            || nd.children.iter().any(|&c| self.live(c))
    }

    /// Instances whose actions are done and whose sub-cues have all ended are removed;
    /// that may end their parent instance too.
    pub(super) fn settle(&mut self, from: NodeId) {
        let mut cur = Some(from);
        while let Some(n) = cur {
            let nd = self.node(n);
            let next = nd.parent;
            if let Some(st) = nd.static_of {
                if !nd.removed
                    && matches!(nd.state, CueState::Complete | CueState::Cancelled)
                    && !nd.children.iter().any(|&c| self.live(c))
                {
                    self.node_mut(n).removed = true;
                    self.node_mut(st).instances.retain(|&i| i != n);
                }
            }
            cur = next;
        }
    }

    pub(super) fn cancel(&mut self, n: NodeId) -> Result<(), SimError> {
        self.cancel_tree(n);
        let parent = self.node(n).parent;
        if let Some(p) = parent {
            self.settle(p);
        }
        Ok(())
    }

    fn cancel_tree(&mut self, n: NodeId) {
        let nd = self.node_mut(n);
        if nd.state == CueState::Cancelled && nd.removed {
            return;
        }
        nd.state = CueState::Cancelled;
        let kids = nd.children.clone();
        let insts = std::mem::take(&mut nd.instances);
        if let Some(st) = nd.static_of {
            nd.removed = true;
            self.node_mut(st).instances.retain(|&i| i != n);
        }
        for c in kids.into_iter().chain(insts) {
            self.cancel_tree(c);
        }
    }

    /// Back to waiting, with fresh sub-cues and no instances (unless it was disabled).
    pub(super) fn reset(&mut self, n: NodeId) -> Result<(), SimError> {
        let was = self.node(n).state;
        let kids = self.node(n).children.clone();
        let insts = std::mem::take(&mut self.node_mut(n).instances);
        for c in kids.into_iter().chain(insts) {
            self.cancel_tree(c);
        }
        self.node_mut(n).children.clear();
        self.make_children(n);
        self.node_mut(n).state = CueState::Disabled;
        self.node_mut(n).removed = false;
        if was != CueState::Disabled {
            self.enable_all(&[n])?;
        }
        Ok(())
    }

    /// An event for every cue that waits for it, in the order they started waiting.
    pub(super) fn dispatch(&mut self, ev: Rc<EventData>) -> Result<(), SimError> {
        self.listeners
            .retain(|&n| self.nodes[n.0 as usize].state == CueState::Waiting);
        let scripts = self.scripts.clone();
        for n in self.listeners.clone() {
            let nd = self.node(n);
            if nd.state != CueState::Waiting {
                continue;
            }
            let def = &scripts[nd.script as usize].defs[nd.def];
            let Some(cond) = &def.event else { continue };
            let ctx = self.ctx(n, ev.clone());
            if !self.event_matches(cond, n, &ctx)? {
                continue;
            }
            if !self.conds_hold(&def.checks, &ctx, false)? {
                continue;
            }
            self.activate(n, ev.clone())?;
        }
        Ok(())
    }

    fn event_matches(&mut self, cond: &Cond, n: NodeId, ctx: &Ctx) -> Result<bool, SimError> {
        let ev = ctx.event.clone();
        Ok(match cond {
            Cond::CueSignalled { cue, pos } => {
                let EventKind::Signal(target) = ev.kind else {
                    return Ok(false);
                };
                match cue {
                    None => target == n,
                    Some(e) => match self.eval(e, ctx) {
                        Ok(Value::Cue(c)) => c == target,
                        Ok(_) => false,
                        Err(f) => {
                            self.fault(f, pos)?;
                            false
                        }
                    },
                }
            }
            Cond::UiTriggered {
                screen,
                control,
                pos,
            } => {
                if ev.kind != EventKind::Ui {
                    return Ok(false);
                }
                for (want, got) in [(screen, &ev.param), (control, &ev.param2)] {
                    if let Some(e) = want {
                        match self.eval(e, ctx) {
                            Ok(v) if v.md_eq(got) => {}
                            Ok(_) => return Ok(false),
                            Err(f) => {
                                self.fault(f, pos)?;
                                return Ok(false);
                            }
                        }
                    }
                }
                true
            }
            Cond::GameLoaded => ev.kind == EventKind::GameLoaded,
            Cond::GameStarted => ev.kind == EventKind::GameStarted,
            Cond::Any(subs, _) => {
                for s in subs {
                    if self.event_matches(s, n, ctx)? {
                        return Ok(true);
                    }
                }
                false
            }
            Cond::Unsupported(w, pos) => return Err(SimError::not_simulated(w.clone(), pos)),
            _ => false,
        })
    }

    /// `signal_cue` reaching the front of the queue, or `signal_cue_instantly`.
    pub(super) fn signal(&mut self, target: NodeId, param: Value) -> Result<(), SimError> {
        let ev = Rc::new(EventData {
            kind: EventKind::Signal(target),
            object: Value::Cue(target),
            param,
            param2: Value::Null,
            param3: Value::Null,
        });
        self.dispatch(ev)
    }

    pub(super) fn queue_signal(&mut self, target: NodeId, param: Value) {
        self.fresh.push(Work::Signal { target, param });
    }

    /// The node a cue name means, seen from `from`: the nearest node of the same
    /// instance tree (so `Ping` inside a session instance is that session's `Ping`).
    pub(super) fn resolve(
        &self,
        from: NodeId,
        script: u32,
        target: DefId,
    ) -> Result<NodeId, Fault> {
        let defs = &self.scripts[script as usize].defs;
        let mut path = vec![target];
        while let Some(p) = defs[*path.last().unwrap()].parent {
            path.push(p);
        }
        path.reverse();
        let mut cur = Some(from);
        while let Some(a) = cur {
            let nd = self.node(a);
            if let Some(j) = path.iter().position(|&d| self.is(a, script, d)) {
                if path[j] == target {
                    return Ok(nd.static_of.unwrap_or(a));
                }
                return self.descend(a, script, &path[j + 1..]);
            }
            cur = nd.parent;
        }
        self.static_node(script, target)
    }

    pub(super) fn static_node(&self, script: u32, target: DefId) -> Result<NodeId, Fault> {
        let defs = &self.scripts[script as usize].defs;
        let mut path = vec![target];
        while let Some(p) = defs[*path.last().unwrap()].parent {
            path.push(p);
        }
        path.reverse();
        let Some(&root) = self.roots.get(&(script, path[0])) else {
            return Err(Fault::Md(format!(
                "'{}' is a library, not a cue",
                defs[target].name
            )));
        };
        self.descend(root, script, &path[1..])
    }

    /// Whether the node is of this definition: the one it runs, or (a cue with `ref`)
    /// the one it is named by.
    fn is(&self, n: NodeId, script: u32, def: DefId) -> bool {
        let nd = self.node(n);
        (nd.script, nd.def) == (script, def) || nd.ident == Some((script, def))
    }

    fn descend(&self, mut cur: NodeId, script: u32, path: &[DefId]) -> Result<NodeId, Fault> {
        for &d in path {
            let nd = self.node(cur);
            match nd.children.iter().find(|&&c| self.is(c, script, d)) {
                Some(&c) => cur = c,
                None => {
                    let name = &self.scripts[script as usize].defs[d].name;
                    let below = &self.scripts[nd.script as usize].defs[nd.def].name;
                    return Err(Fault::NotSimulated(format!(
                        "reference to cue '{name}' below the instantiated cue '{below}' from outside its instances"
                    )));
                }
            }
        }
        Ok(cur)
    }
}

fn check_event_supported(c: &Cond) -> Result<(), SimError> {
    match c {
        Cond::Unsupported(w, pos) => Err(SimError::not_simulated(w.clone(), pos)),
        Cond::Any(subs, _) | Cond::All(subs, _) => subs.iter().try_for_each(check_event_supported),
        _ => Ok(()),
    }
}

pub(super) fn time_of(v: &Value) -> Result<f64, Fault> {
    match v {
        Value::Time(t) | Value::Float(t) => Ok(*t),
        Value::Int(i) => Ok(*i as f64),
        other => Err(Fault::Md(format!("{} is not a time", other.type_name()))),
    }
}
