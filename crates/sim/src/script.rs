//! MD scripts read into cue definitions. Loading accepts every well-formed script:
//! elements and attributes outside the simulated subset are kept as "unsupported"
//! markers with their position, and stop the run when (and only when) they are reached.

use crate::error::{Pos, SimError};
use crate::expr::{self, Expr};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

/// Index of a cue or library definition in [`Script::defs`].
pub type DefId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Namespace {
    Default,
    This,
    Static,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnFail {
    Cancel,
    Complete,
}

#[derive(Debug)]
pub struct CueDef {
    pub name: Rc<str>,
    pub pos: Pos,
    pub library: bool,
    pub instantiate: bool,
    pub namespace: Namespace,
    pub onfail: Option<OnFail>,
    pub checkinterval: Option<Expr>,
    pub checktime: Option<Expr>,
    /// The event condition (a single event, or `check_any` of events), if any.
    pub event: Option<Cond>,
    /// Non-event conditions, all of which must hold.
    pub checks: Vec<Cond>,
    pub delay: Option<(Expr, Pos)>,
    pub actions: Vec<Action>,
    pub cues: Vec<DefId>,
    pub parent: Option<DefId>,
    /// First construct of the cue itself (not of its actions) outside the subset.
    pub unsupported: Option<(String, Pos)>,
    /// `<cue ref="...">`: the cue behaves as that library (everything else of the cue
    /// but its name is ignored), with these parameters.
    pub lib_ref: Option<LibRef>,
    /// A library's `<params>`, in order.
    pub params: Vec<LibParam>,
}

/// Where a `ref` points, and the `<param>`s the referencing cue gives.
#[derive(Debug)]
pub struct LibRef {
    /// `md.Script.Lib`: that script; `Lib`: `None`, the referencing cue's own script.
    pub script: Option<Rc<str>>,
    pub library: Rc<str>,
    pub params: Vec<(Rc<str>, Expr, Pos)>,
    pub pos: Pos,
}

/// A library parameter; without a default it is required.
#[derive(Debug)]
pub struct LibParam {
    pub name: Rc<str>,
    pub default: Option<Expr>,
}

#[derive(Debug)]
pub enum Cond {
    CueSignalled {
        cue: Option<Expr>,
        pos: Pos,
    },
    UiTriggered {
        screen: Option<Expr>,
        control: Option<Expr>,
        pos: Pos,
    },
    GameLoaded,
    GameStarted,
    CheckValue {
        value: Expr,
        pos: Pos,
    },
    Any(Vec<Cond>, Pos),
    All(Vec<Cond>, Pos),
    Unsupported(String, Pos),
}

impl Cond {
    fn is_event(&self) -> bool {
        match self {
            Cond::CueSignalled { .. }
            | Cond::UiTriggered { .. }
            | Cond::GameLoaded
            | Cond::GameStarted => true,
            Cond::Any(c, _) | Cond::All(c, _) => c.first().is_some_and(Cond::is_event),
            Cond::Unsupported(name, _) => name.starts_with("<event_"),
            Cond::CheckValue { .. } => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOp {
    Set,
    Add,
    Subtract,
}

#[derive(Debug)]
pub struct Action {
    pub kind: ActionKind,
    pub pos: Pos,
    pub chance: Option<Expr>,
}

#[derive(Debug)]
pub enum ActionKind {
    SetValue {
        name: Expr,
        exact: Option<Expr>,
        op: SetOp,
    },
    RemoveValue {
        name: Expr,
    },
    AppendToList {
        name: Expr,
        exact: Expr,
    },
    RemoveFromList {
        name: Expr,
        exact: Expr,
    },
    If {
        branches: Vec<(Option<Expr>, Vec<Action>)>,
    },
    While {
        value: Expr,
        actions: Vec<Action>,
    },
    DoAll {
        exact: Expr,
        counter: Option<Expr>,
        reverse: bool,
        actions: Vec<Action>,
    },
    SignalCue {
        cue: Expr,
    },
    SignalCueInstantly {
        cue: Expr,
        param: Option<Expr>,
    },
    ResetCue {
        cue: Expr,
    },
    CancelCue {
        cue: Expr,
    },
    RaiseLuaEvent {
        name: Expr,
        param: Option<Expr>,
    },
    DebugText {
        text: Expr,
        filter: Option<String>,
    },
    ShowNotification {
        text: Expr,
    },
    IncludeActions {
        r#ref: Rc<str>,
    },
    Return,
    Break,
    Continue,
    Unsupported(String),
}

#[derive(Debug)]
pub struct Script {
    pub name: Rc<str>,
    pub file: Arc<str>,
    pub defs: Vec<CueDef>,
    pub roots: Vec<DefId>,
    /// Cues and libraries by name (unique per script).
    pub by_name: HashMap<Rc<str>, DefId>,
}

struct Loader<'a> {
    file: Arc<str>,
    doc: &'a roxmltree::Document<'a>,
    defs: Vec<CueDef>,
    by_name: HashMap<Rc<str>, DefId>,
}

type N<'a> = roxmltree::Node<'a, 'a>;

fn elements<'a>(n: N<'a>) -> impl Iterator<Item = N<'a>> {
    n.children().filter(|c| c.is_element())
}

impl<'a> Loader<'a> {
    fn pos(&self, n: N) -> Pos {
        Pos {
            file: self.file.clone(),
            line: self.doc.text_pos_at(n.range().start).row,
        }
    }

    fn script_err(&self, n: N, msg: impl Into<String>) -> SimError {
        SimError::Script {
            msg: msg.into(),
            pos: self.pos(n),
        }
    }

    /// Attributes other than `allowed` (and `comment`, which the game ignores) make the
    /// element unsupported: an attribute is never dropped silently.
    fn check_attrs(&self, n: N, allowed: &[&str]) -> Option<String> {
        n.attributes()
            .find(|a| {
                a.namespace().is_none() && a.name() != "comment" && !allowed.contains(&a.name())
            })
            .map(|a| format!("attribute {}=\"{}\" of <{}>", a.name(), a.value(), tag(n)))
    }

    fn cue(&mut self, n: N, parent: Option<DefId>) -> Result<DefId, SimError> {
        let library = tag(n) == "library";
        let Some(name) = n.attribute("name") else {
            return Err(self.script_err(n, format!("<{}> without a name", tag(n))));
        };
        let name: Rc<str> = Rc::from(name);
        let pos = self.pos(n);
        let id = self.defs.len();
        if self.by_name.insert(name.clone(), id).is_some() {
            return Err(self.script_err(n, format!("a second cue named '{name}'")));
        }
        let mut def = CueDef {
            name,
            pos: pos.clone(),
            library,
            instantiate: false,
            namespace: Namespace::Default,
            onfail: None,
            checkinterval: None,
            checktime: None,
            event: None,
            checks: Vec::new(),
            delay: None,
            actions: Vec::new(),
            cues: Vec::new(),
            parent,
            unsupported: None,
            lib_ref: None,
            params: Vec::new(),
        };
        if let (false, Some(r)) = (library, n.attribute("ref")) {
            self.defs.push(def);
            self.lib_ref(n, id, r);
            return Ok(id);
        }
        // `version` only matters for <patch>, which runs when an older savegame is
        // loaded; a simulated savegame never is older.
        let allowed: &[&str] = if library {
            &[
                "name",
                "purpose",
                "version",
                "namespace",
                "instantiate",
                "checkinterval",
                "checktime",
                "onfail",
            ]
        } else {
            &[
                "name",
                "instantiate",
                "namespace",
                "onfail",
                "checkinterval",
                "checktime",
                "version",
            ]
        };
        def.unsupported = self.check_attrs(n, allowed).map(|w| (w, pos.clone()));
        if let Some(p) = n.attribute("purpose") {
            if !matches!(p, "include_actions" | "cue_ref") && def.unsupported.is_none() {
                def.unsupported = Some((format!("library purpose=\"{p}\""), pos.clone()));
            }
        }
        def.instantiate = n.attribute("instantiate") == Some("true");
        def.namespace = match n.attribute("namespace") {
            None | Some("default") => Namespace::Default,
            Some("this") => Namespace::This,
            Some("static") => Namespace::Static,
            Some(other) => return Err(self.script_err(n, format!("namespace=\"{other}\""))),
        };
        def.onfail = match n.attribute("onfail") {
            None => None,
            Some("cancel") => Some(OnFail::Cancel),
            Some("complete") => Some(OnFail::Complete),
            Some(other) => return Err(self.script_err(n, format!("onfail=\"{other}\""))),
        };
        def.checkinterval = n.attribute("checkinterval").map(expr::parse);
        def.checktime = n.attribute("checktime").map(expr::parse);
        self.defs.push(def);

        let mut actions_seen = false;
        for c in elements(n) {
            let cpos = self.pos(c);
            match tag(c) {
                "conditions" => {
                    let mut conds: Vec<Cond> = elements(c).map(|x| self.cond(x)).collect();
                    if conds.first().is_some_and(Cond::is_event) {
                        self.defs[id].event = Some(conds.remove(0));
                    }
                    if let Some(bad) = conds.iter().find(|c| c.is_event()) {
                        let _ = bad;
                        self.mark(id, "a second event condition".into(), cpos);
                    }
                    self.defs[id].checks = conds;
                }
                "delay" => {
                    if actions_seen {
                        self.mark(id, "<delay> after <actions>".into(), cpos);
                    } else if let Some(w) = self.check_attrs(c, &["exact"]) {
                        self.mark(id, w, cpos);
                    } else if let Some(e) = c.attribute("exact") {
                        self.defs[id].delay = Some((expr::parse(e), cpos));
                    } else {
                        self.mark(id, "<delay> without exact".into(), cpos);
                    }
                }
                "actions" => {
                    if actions_seen {
                        self.mark(id, "a second <actions> block".into(), cpos);
                    }
                    actions_seen = true;
                    let acts = self.actions(c)?;
                    self.defs[id].actions = acts;
                }
                "cues" => {
                    for sub in elements(c) {
                        match tag(sub) {
                            "cue" | "library" => {
                                let sid = self.cue(sub, Some(id))?;
                                if !self.defs[sid].library {
                                    self.defs[id].cues.push(sid);
                                }
                            }
                            other => {
                                let p = self.pos(sub);
                                self.mark(id, format!("<{other}> in <cues>"), p)
                            }
                        }
                    }
                }
                // Runs only when an older savegame is loaded (see `version` above).
                "patch" => {}
                "params" if library => {
                    for p in elements(c) {
                        let ppos = self.pos(p);
                        match (tag(p), p.attribute("name")) {
                            ("param", Some(name)) => {
                                if let Some(w) = self.check_attrs(p, &["name", "default"]) {
                                    self.mark(id, w, ppos);
                                }
                                self.defs[id].params.push(LibParam {
                                    name: Rc::from(name),
                                    default: p.attribute("default").map(expr::parse),
                                });
                            }
                            (t, _) => self.mark(id, format!("<{t}> in <params>"), ppos),
                        }
                    }
                }
                other => self.mark(id, format!("<{other}> in <{}>", tag(n)), cpos),
            }
        }
        Ok(id)
    }

    /// `<cue name="X" ref="Lib">` with its `<param name value>`s. md.xsd:3633: "Library
    /// cue name (all other cue data is ignored if this is present)".
    fn lib_ref(&mut self, n: N, id: DefId, r: &str) {
        let pos = self.pos(n);
        let (script, library) = match r.strip_prefix("md.").map(|rest| rest.split_once('.')) {
            Some(Some((script, lib))) => (Some(Rc::from(script)), lib),
            Some(None) => (None, ""),
            None => (None, r),
        };
        let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !plain(library) || script.as_deref().is_some_and(|s| !plain(s)) {
            self.mark(id, format!("ref=\"{r}\" (not a library name)"), pos.clone());
        }
        let mut params = Vec::new();
        for c in elements(n) {
            let cpos = self.pos(c);
            match (tag(c), c.attribute("name"), c.attribute("value")) {
                ("param", Some(name), Some(value)) => {
                    if let Some(w) = self.check_attrs(c, &["name", "value"]) {
                        self.mark(id, w, cpos.clone());
                    }
                    params.push((Rc::from(name), expr::parse(value), cpos));
                }
                ("param", ..) => self.mark(id, "<param> without name or value".into(), cpos),
                (t, ..) => self.mark(id, format!("<{t}> in a cue with ref"), cpos),
            }
        }
        self.defs[id].lib_ref = Some(LibRef {
            script,
            library: Rc::from(library),
            params,
            pos,
        });
    }

    fn mark(&mut self, id: DefId, what: String, pos: Pos) {
        if self.defs[id].unsupported.is_none() {
            self.defs[id].unsupported = Some((what, pos));
        }
    }

    fn cond(&self, n: N) -> Cond {
        let pos = self.pos(n);
        let t = tag(n);
        let attrs: &[&str] = match t {
            "event_cue_signalled" => &["cue"],
            "event_ui_triggered" => &["screen", "control"],
            "event_game_loaded" | "event_game_started" => &[],
            "check_value" => &["value"],
            "check_any" | "check_all" => &[],
            _ => return Cond::Unsupported(format!("<{t}>"), pos),
        };
        if let Some(w) = self.check_attrs(n, attrs) {
            return Cond::Unsupported(w, pos);
        }
        let a = |k: &str| n.attribute(k).map(expr::parse);
        match t {
            "event_cue_signalled" => Cond::CueSignalled { cue: a("cue"), pos },
            "event_ui_triggered" => Cond::UiTriggered {
                screen: a("screen"),
                control: a("control"),
                pos,
            },
            "event_game_loaded" => Cond::GameLoaded,
            "event_game_started" => Cond::GameStarted,
            "check_value" => match a("value") {
                Some(value) => Cond::CheckValue { value, pos },
                None => Cond::Unsupported("<check_value> without value".into(), pos),
            },
            "check_any" | "check_all" => {
                let subs: Vec<Cond> = elements(n).map(|c| self.cond(c)).collect();
                let events = subs.iter().filter(|c| c.is_event()).count();
                if events != 0 && events != subs.len() {
                    return Cond::Unsupported(format!("<{t}> mixing events and checks"), pos);
                }
                if t == "check_any" {
                    Cond::Any(subs, pos)
                } else if events > 0 {
                    Cond::Unsupported("<check_all> of events".into(), pos)
                } else {
                    Cond::All(subs, pos)
                }
            }
            _ => unreachable!("listed above"),
        }
    }

    fn actions(&self, n: N) -> Result<Vec<Action>, SimError> {
        let mut out: Vec<Action> = Vec::new();
        let mut prev_tag = "";
        for c in elements(n) {
            let pos = self.pos(c);
            let t = tag(c);
            let prev = std::mem::replace(&mut prev_tag, t);
            if (t == "do_elseif" || t == "do_else")
                && matches!(prev, "do_if" | "do_elseif")
                && matches!(
                    out.last(),
                    Some(Action {
                        kind: ActionKind::Unsupported(_),
                        ..
                    })
                )
            {
                // The <do_if> is outside the subset and stops the run before this.
                continue;
            }
            if t == "do_elseif" || t == "do_else" {
                let cond = if t == "do_elseif" {
                    Some(self.req(c, "value")?)
                } else {
                    None
                };
                let open = match out.last_mut() {
                    Some(Action {
                        kind: ActionKind::If { branches },
                        ..
                    }) if branches.last().is_some_and(|b| b.0.is_some()) => branches,
                    _ => return Err(self.script_err(c, format!("<{t}> without <do_if> before it"))),
                };
                if let Some(w) = self.check_attrs(c, &["value"]) {
                    out.push(unsupported(w, pos));
                    continue;
                }
                open.push((cond, self.actions(c)?));
                continue;
            }
            let action = self.action(c)?;
            out.push(Action {
                chance: c.attribute("chance").map(expr::parse),
                ..action
            });
        }
        Ok(out)
    }

    fn req(&self, n: N, key: &str) -> Result<Expr, SimError> {
        n.attribute(key)
            .map(expr::parse)
            .ok_or_else(|| self.script_err(n, format!("<{}> without {key}", tag(n))))
    }

    fn action(&self, n: N) -> Result<Action, SimError> {
        let pos = self.pos(n);
        let t = tag(n);
        let attrs: &[&str] = match t {
            "set_value" => &["name", "exact", "operation", "chance"],
            "remove_value" | "append_to_list" | "remove_from_list" => &["name", "exact", "chance"],
            "do_if" | "do_while" => &["value", "chance"],
            "do_all" => &["exact", "counter", "reverse", "chance"],
            "signal_cue" | "reset_cue" | "cancel_cue" => &["cue", "chance"],
            "signal_cue_instantly" => &["cue", "param", "chance"],
            "raise_lua_event" => &["name", "param", "chance"],
            "debug_text" => &["text", "filter", "chance"],
            "show_notification" => &["text", "chance"],
            "include_actions" => &["ref", "chance"],
            "return" | "break" | "continue" => &["chance"],
            _ => return Ok(unsupported(format!("<{t}>"), pos)),
        };
        if let Some(w) = self.check_attrs(n, attrs) {
            return Ok(unsupported(w, pos));
        }
        let kind = match t {
            "set_value" => ActionKind::SetValue {
                name: self.req(n, "name")?,
                exact: n.attribute("exact").map(expr::parse),
                op: match n.attribute("operation") {
                    None | Some("set") => SetOp::Set,
                    Some("add") => SetOp::Add,
                    Some("subtract") => SetOp::Subtract,
                    Some(o) => return Ok(unsupported(format!("set_value operation=\"{o}\""), pos)),
                },
            },
            "remove_value" => ActionKind::RemoveValue {
                name: self.req(n, "name")?,
            },
            "append_to_list" => ActionKind::AppendToList {
                name: self.req(n, "name")?,
                exact: self.req(n, "exact")?,
            },
            "remove_from_list" => ActionKind::RemoveFromList {
                name: self.req(n, "name")?,
                exact: self.req(n, "exact")?,
            },
            "do_if" => ActionKind::If {
                branches: vec![(Some(self.req(n, "value")?), self.actions(n)?)],
            },
            "do_while" => ActionKind::While {
                value: self.req(n, "value")?,
                actions: self.actions(n)?,
            },
            "do_all" => ActionKind::DoAll {
                exact: self.req(n, "exact")?,
                counter: n.attribute("counter").map(expr::parse),
                reverse: n.attribute("reverse") == Some("true"),
                actions: self.actions(n)?,
            },
            "signal_cue" => ActionKind::SignalCue {
                cue: self.req(n, "cue")?,
            },
            "signal_cue_instantly" => ActionKind::SignalCueInstantly {
                cue: self.req(n, "cue")?,
                param: n.attribute("param").map(expr::parse),
            },
            "reset_cue" => ActionKind::ResetCue {
                cue: self.req(n, "cue")?,
            },
            "cancel_cue" => ActionKind::CancelCue {
                cue: self.req(n, "cue")?,
            },
            "raise_lua_event" => ActionKind::RaiseLuaEvent {
                name: self.req(n, "name")?,
                param: n.attribute("param").map(expr::parse),
            },
            "debug_text" => ActionKind::DebugText {
                text: self.req(n, "text")?,
                filter: n.attribute("filter").map(str::to_owned),
            },
            "show_notification" => ActionKind::ShowNotification {
                text: self.req(n, "text")?,
            },
            "include_actions" => ActionKind::IncludeActions {
                r#ref: Rc::from(
                    n.attribute("ref")
                        .ok_or_else(|| self.script_err(n, "<include_actions> without ref"))?,
                ),
            },
            "return" => ActionKind::Return,
            "break" => ActionKind::Break,
            "continue" => ActionKind::Continue,
            _ => unreachable!("listed above"),
        };
        if matches!(t, "do_if" | "do_while" | "do_all") {
            // Their children are actions; anything else is outside the subset.
        } else if let Some(c) = elements(n).next() {
            return Ok(unsupported(
                format!("<{}> inside <{t}>", tag(c)),
                self.pos(c),
            ));
        }
        Ok(Action {
            kind,
            pos,
            chance: None,
        })
    }
}

fn unsupported(what: String, pos: Pos) -> Action {
    Action {
        kind: ActionKind::Unsupported(what),
        pos,
        chance: None,
    }
}

fn tag<'a>(n: N<'a>) -> &'a str {
    n.tag_name().name()
}

/// Reads one MD file. `file` is the name used in positions.
pub fn load(file: &str, text: &str) -> Result<Script, SimError> {
    let file: Arc<str> = Arc::from(file);
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc =
        roxmltree::Document::parse_with_options(text, opts).map_err(|e| SimError::Script {
            msg: format!("not well-formed XML: {e}"),
            pos: Pos {
                file: file.clone(),
                line: e.pos().row,
            },
        })?;
    let root = doc.root_element();
    let mut l = Loader {
        file: file.clone(),
        doc: &doc,
        defs: Vec::new(),
        by_name: HashMap::new(),
    };
    if tag(root) != "mdscript" {
        return Err(l.script_err(
            root,
            format!("root element <{}>, not <mdscript>", tag(root)),
        ));
    }
    let name = root
        .attribute("name")
        .ok_or_else(|| l.script_err(root, "<mdscript> without a name"))?;
    let mut roots = Vec::new();
    for c in elements(root) {
        if tag(c) != "cues" {
            return Err(l.script_err(c, format!("<{}> in <mdscript>", tag(c))));
        }
        for cue in elements(c) {
            match tag(cue) {
                "cue" | "library" => {
                    let id = l.cue(cue, None)?;
                    if !l.defs[id].library {
                        roots.push(id);
                    }
                }
                other => return Err(l.script_err(cue, format!("<{other}> in <cues>"))),
            }
        }
    }
    Ok(Script {
        name: Rc::from(name),
        file,
        defs: l.defs,
        roots,
        by_name: l.by_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD: &str = r#"<?xml version="1.0"?>
<mdscript name="T">
  <cues>
    <cue name="A" instantiate="true" namespace="this">
      <conditions>
        <event_cue_signalled/>
        <check_value value="$x"/>
      </conditions>
      <delay exact="2s"/>
      <actions>
        <do_if value="1"><debug_text text="'a'"/></do_if>
        <do_elseif value="2"/>
        <do_else/>
        <find_ship name="$s"/>
      </actions>
      <cues>
        <cue name="B" checkinterval="1s"><conditions><check_value value="1"/></conditions></cue>
      </cues>
    </cue>
    <library name="L"><actions><return/></actions></library>
  </cues>
</mdscript>"#;

    #[test]
    fn reads_cues_with_positions() {
        let s = load("t.xml", MD).unwrap();
        assert_eq!(&*s.name, "T");
        assert_eq!(s.roots.len(), 1);
        let a = &s.defs[s.by_name["A"]];
        assert!(a.instantiate && a.namespace == Namespace::This);
        assert!(matches!(a.event, Some(Cond::CueSignalled { .. })));
        assert_eq!(a.checks.len(), 1);
        assert_eq!(a.pos.line, 4);
        let ActionKind::If { branches } = &a.actions[0].kind else {
            panic!()
        };
        assert_eq!(branches.len(), 3);
        let bad = &a.actions[1];
        assert!(matches!(&bad.kind, ActionKind::Unsupported(w) if w == "<find_ship>"));
        assert_eq!(bad.pos.to_string(), "t.xml:14");
        assert!(s.defs[s.by_name["L"]].library);
        assert_eq!(s.defs[s.by_name["B"]].parent, Some(s.by_name["A"]));
    }

    #[test]
    fn bad_scripts_are_errors_with_lines() {
        let e = load("x.xml", "<mdscript name='X'><cues><cue/></cues></mdscript>").unwrap_err();
        assert!(e.to_string().starts_with("x.xml:1:"), "{e}");
        let e = load("x.xml", "<mdscript>\n<oops a=>").unwrap_err();
        assert!(e.to_string().starts_with("x.xml:2: not well-formed"), "{e}");
    }

    #[test]
    fn unknown_attributes_are_not_dropped() {
        let s = load(
            "u.xml",
            "<mdscript name='U'><cues><cue name='C'><actions><set_value name='$a' min='1' max='2'/></actions></cue></cues></mdscript>",
        )
        .unwrap();
        let c = &s.defs[0];
        assert!(
            matches!(&c.actions[0].kind, ActionKind::Unsupported(w) if w.contains("min=\"1\""))
        );
    }
}
