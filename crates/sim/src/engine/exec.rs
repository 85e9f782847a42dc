//! Actions.

use super::nodes::{After, Ctx};
use super::{Engine, LuaArg, LuaCall, Record};
use crate::error::{Fault, SimError};
use crate::script::{Action, ActionKind, SetOp};
use crate::value::Value;

pub(super) enum Flow {
    Next,
    Break,
    Continue,
    Return,
}

type Run = Result<Flow, SimError>;

impl Engine {
    pub(super) fn run_actions(
        &mut self,
        acts: &[Action],
        ctx: &Ctx,
        after: &mut Vec<After>,
    ) -> Run {
        for a in acts {
            match self.action(a, ctx, after)? {
                Flow::Next => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Next)
    }

    /// An MD error skips the action (the game logs it and goes on).
    fn action(&mut self, a: &Action, ctx: &Ctx, after: &mut Vec<After>) -> Run {
        match self.try_action(a, ctx, after) {
            Ok(flow) => Ok(flow),
            Err(Step::Stop(e)) => Err(e),
            Err(Step::Fault(f)) => {
                self.fault(f, &a.pos)?;
                Ok(Flow::Next)
            }
        }
    }

    fn try_action(&mut self, a: &Action, ctx: &Ctx, after: &mut Vec<After>) -> Result<Flow, Step> {
        if let Some(c) = &a.chance {
            match self.eval(c, ctx)? {
                Value::Int(0) => return Ok(Flow::Next),
                Value::Int(p) if p >= 100 => {}
                other => {
                    return Err(Fault::NotSimulated(format!(
                        "chance=\"{other}\" (random) on <{}>",
                        a.kind.tag()
                    ))
                    .into())
                }
            }
        }
        match &a.kind {
            ActionKind::SetValue { name, exact, op } => {
                let place = self.place(name, ctx)?;
                let v = match exact {
                    Some(e) => self.eval(e, ctx)?,
                    None => Value::Int(1),
                };
                let v = match op {
                    SetOp::Set => v,
                    SetOp::Add | SetOp::Subtract => {
                        let old = self.get_place(&place).unwrap_or(Value::Int(0));
                        let old = if old.is_null() { Value::Int(0) } else { old };
                        if *op == SetOp::Add {
                            old.add(&v)?
                        } else {
                            old.arith(&v, '-')?
                        }
                    }
                };
                self.set_place(place, v);
            }
            ActionKind::RemoveValue { name } => {
                let place = match self.place(name, ctx) {
                    Ok(p) => p,
                    // Removing what is not there is no error.
                    Err(Fault::Md(_)) => return Ok(Flow::Next),
                    Err(f) => return Err(f.into()),
                };
                self.remove_place(place);
            }
            ActionKind::AppendToList { name, exact } => {
                let list = self.eval(name, ctx)?;
                let v = self.eval(exact, ctx)?;
                match list {
                    Value::List(l) => l.borrow_mut().push(v),
                    other => {
                        return Err(
                            Fault::Md(format!("append_to_list on {}", other.type_name())).into(),
                        )
                    }
                }
            }
            ActionKind::RemoveFromList { name, exact } => {
                let list = self.eval(name, ctx)?;
                let v = self.eval(exact, ctx)?;
                match list {
                    // md.xsd: "If true (default), all matching elements are removed".
                    Value::List(l) => l.borrow_mut().retain(|x| !x.md_eq(&v)),
                    other => {
                        return Err(
                            Fault::Md(format!("remove_from_list on {}", other.type_name())).into(),
                        )
                    }
                }
            }
            ActionKind::If { branches } => {
                for (cond, acts) in branches {
                    let take = match cond {
                        Some(c) => self.eval(c, ctx)?.truthy(),
                        None => true,
                    };
                    if take {
                        return Ok(self.run_actions(acts, ctx, after)?);
                    }
                }
            }
            ActionKind::While { value, actions } => {
                let mut n = 0u64;
                while self.eval(value, ctx)?.truthy() {
                    n += 1;
                    if n > self.model.max_loop {
                        return Err(Fault::Md(format!(
                            "do_while ran {} times: endless loop",
                            self.model.max_loop
                        ))
                        .into());
                    }
                    match self.run_actions(actions, ctx, after)? {
                        Flow::Break => break,
                        Flow::Return => return Ok(Flow::Return),
                        _ => {}
                    }
                }
            }
            ActionKind::DoAll {
                exact,
                counter,
                reverse,
                actions,
            } => {
                let n = match self.eval(exact, ctx)? {
                    Value::Int(n) => n,
                    other => return Err(Fault::Md(format!("do_all exact={other}")).into()),
                };
                let order: Box<dyn Iterator<Item = i64>> = if *reverse {
                    Box::new((1..=n).rev())
                } else {
                    Box::new(1..=n)
                };
                for i in order {
                    if let Some(c) = counter {
                        let p = self.place(c, ctx)?;
                        self.set_place(p, Value::Int(i));
                    }
                    match self.run_actions(actions, ctx, after)? {
                        Flow::Break => break,
                        Flow::Return => return Ok(Flow::Return),
                        _ => {}
                    }
                }
            }
            ActionKind::SignalCue { cue } => {
                let t = self.cue_of(cue, ctx)?;
                self.queue_signal(t, Value::Null);
            }
            ActionKind::SignalCueInstantly { cue, param } => {
                let t = self.cue_of(cue, ctx)?;
                let p = match param {
                    Some(e) => self.eval(e, ctx)?,
                    None => Value::Null,
                };
                self.nested(|e| e.signal(t, p))?;
            }
            ActionKind::ResetCue { cue } => after.push(After::Reset(self.cue_of(cue, ctx)?)),
            ActionKind::CancelCue { cue } => after.push(After::Cancel(self.cue_of(cue, ctx)?)),
            ActionKind::RaiseLuaEvent { name, param } => {
                let name = match self.eval(name, ctx)? {
                    Value::Str(s) => s.to_string(),
                    other => return Err(Fault::Md(format!("raise_lua_event name {other}")).into()),
                };
                let param = match param {
                    None => LuaArg::Nil,
                    Some(e) => match self.eval(e, ctx)? {
                        Value::Null => LuaArg::Nil,
                        Value::Int(i) => LuaArg::Int(i),
                        Value::Float(f) | Value::Time(f) => LuaArg::Num(f),
                        Value::Str(s) => LuaArg::Str(s.as_bytes().to_vec()),
                        other => {
                            return Err(Fault::NotSimulated(format!(
                                "raise_lua_event with a {} parameter",
                                other.type_name()
                            ))
                            .into())
                        }
                    },
                };
                self.record(Record::ToLua(LuaCall { name, param }));
            }
            ActionKind::DebugText { text, filter } => {
                let text = self.eval(text, ctx)?.to_string();
                self.record(Record::DebugText {
                    text,
                    filter: filter.clone(),
                    pos: a.pos.clone(),
                });
            }
            ActionKind::ShowNotification { text } => {
                let text = self.eval(text, ctx)?.to_string();
                self.record(Record::Notification {
                    text,
                    pos: a.pos.clone(),
                });
            }
            ActionKind::IncludeActions { r#ref } => {
                let (script, def) = self.library(r#ref, ctx)?;
                let scripts = self.scripts.clone();
                let d = &scripts[script as usize].defs[def];
                if let Some((w, pos)) = &d.unsupported {
                    return Err(Step::Stop(SimError::not_simulated(w.clone(), pos)));
                }
                // md.xsd: "The actions will be performed as if running in the including
                // cue": a `return` in them ends the cue's actions.
                let mut flow = Flow::Next;
                self.nested(|e| {
                    flow = e.run_actions(&d.actions, ctx, after)?;
                    Ok(())
                })?;
                if let Flow::Return = flow {
                    return Ok(Flow::Return);
                }
            }
            ActionKind::Return => return Ok(Flow::Return),
            ActionKind::Break => return Ok(Flow::Break),
            ActionKind::Continue => return Ok(Flow::Continue),
            ActionKind::Unsupported(w) => return Err(Fault::NotSimulated(w.clone()).into()),
        }
        Ok(Flow::Next)
    }

    fn nested(&mut self, f: impl FnOnce(&mut Engine) -> Result<(), SimError>) -> Result<(), Step> {
        if self.depth >= self.model.max_depth {
            return Err(Fault::Md(format!(
                "nesting deeper than {}: endless recursion",
                self.model.max_depth
            ))
            .into());
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r.map_err(Step::Stop)
    }

    fn cue_of(&self, e: &crate::expr::Expr, ctx: &Ctx) -> Result<crate::value::NodeId, Fault> {
        match self.eval(e, ctx)? {
            Value::Cue(n) => Ok(n),
            other => Err(Fault::Md(format!("{other} is not a cue"))),
        }
    }

    /// `ref="Name"` (this script) or `ref="md.Script.Name"`.
    fn library(&self, r: &str, ctx: &Ctx) -> Result<(u32, usize), Fault> {
        let (script, name) = match r.strip_prefix("md.").and_then(|x| x.split_once('.')) {
            Some((s, n)) => match self.script_index.get(s) {
                Some(&i) => (i, n),
                None => return Err(Fault::Md(format!("include_actions: no script {s}"))),
            },
            None => (ctx.script, r),
        };
        match self.scripts[script as usize].by_name.get(name) {
            Some(&d) if self.scripts[script as usize].defs[d].library => Ok((script, d)),
            Some(_) => Err(Fault::NotSimulated(format!(
                "include_actions of the cue '{name}'"
            ))),
            None => Err(Fault::Md(format!("include_actions: no library {r}"))),
        }
    }
}

pub(super) enum Step {
    Fault(Fault),
    Stop(SimError),
}

impl From<Fault> for Step {
    fn from(f: Fault) -> Step {
        Step::Fault(f)
    }
}

impl From<SimError> for Step {
    fn from(e: SimError) -> Step {
        Step::Stop(e)
    }
}

impl ActionKind {
    fn tag(&self) -> &'static str {
        match self {
            ActionKind::SetValue { .. } => "set_value",
            ActionKind::RemoveValue { .. } => "remove_value",
            ActionKind::AppendToList { .. } => "append_to_list",
            ActionKind::RemoveFromList { .. } => "remove_from_list",
            ActionKind::If { .. } => "do_if",
            ActionKind::While { .. } => "do_while",
            ActionKind::DoAll { .. } => "do_all",
            ActionKind::SignalCue { .. } => "signal_cue",
            ActionKind::SignalCueInstantly { .. } => "signal_cue_instantly",
            ActionKind::ResetCue { .. } => "reset_cue",
            ActionKind::CancelCue { .. } => "cancel_cue",
            ActionKind::RaiseLuaEvent { .. } => "raise_lua_event",
            ActionKind::DebugText { .. } => "debug_text",
            ActionKind::ShowNotification { .. } => "show_notification",
            ActionKind::IncludeActions { .. } => "include_actions",
            ActionKind::Return => "return",
            ActionKind::Break => "break",
            ActionKind::Continue => "continue",
            ActionKind::Unsupported(_) => "unsupported",
        }
    }
}
