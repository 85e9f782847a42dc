//! Expressions evaluated against the engine: variables, cue references, properties.

use super::nodes::Ctx;
use super::Engine;
use crate::error::{md_err, not_sim, Eval, Fault};
use crate::expr::{BinOp, Expr, TableKey};
use crate::value::{Key, NodeId, Table, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// Where `set_value`, `remove_value` and friends write.
pub(super) enum Place {
    Var(NodeId, Rc<str>),
    Global(Rc<str>),
    Entry(Rc<RefCell<Table>>, Key),
    Item(Rc<RefCell<Vec<Value>>>, usize),
}

impl Engine {
    pub(super) fn eval(&self, e: &Expr, ctx: &Ctx) -> Eval<Value> {
        match e {
            Expr::Lit(v) => Ok(v.clone()),
            Expr::Var(name) => match self.node(ctx.ns).vars.get(name) {
                Some(v) => Ok(v.clone()),
                None => md_err(format!("{name} is not set")),
            },
            Expr::Ident(w) => self.ident(w, ctx),
            Expr::Member(obj, name) => {
                if let Expr::Ident(w) = &**obj {
                    if &**w == "event" {
                        return self.event_prop(name, ctx);
                    }
                }
                let o = self.eval(obj, ctx)?;
                self.member(&o, name)
            }
            Expr::Index(obj, key) => {
                if let Expr::Member(list, p) = &**obj {
                    if &**p == "indexof" {
                        let l = self.eval(list, ctx)?;
                        let k = self.eval(key, ctx)?;
                        return match l {
                            Value::List(l) => Ok(Value::Int(
                                l.borrow()
                                    .iter()
                                    .position(|x| x.md_eq(&k))
                                    .map_or(0, |i| i as i64 + 1),
                            )),
                            other => md_err(format!("indexof on {}", other.type_name())),
                        };
                    }
                }
                let o = self.eval(obj, ctx)?;
                let k = self.eval(key, ctx)?;
                self.index(&o, &k)
            }
            Expr::Exists(inner) => match self.eval(inner, ctx) {
                Ok(v) => Ok(Value::bool(!v.is_null())),
                Err(Fault::Md(_)) => Ok(Value::bool(false)),
                Err(f) => Err(f),
            },
            Expr::NullSafe(inner) => match self.eval(inner, ctx) {
                Err(Fault::Md(_)) => Ok(Value::Null),
                other => other,
            },
            Expr::Not(inner) => Ok(Value::bool(!self.eval(inner, ctx)?.truthy())),
            Expr::Neg(inner) => self.eval(inner, ctx)?.negate(),
            Expr::Bin(op, a, b) => {
                let x = self.eval(a, ctx)?;
                match op {
                    BinOp::And if !x.truthy() => return Ok(Value::bool(false)),
                    BinOp::Or if x.truthy() => return Ok(Value::bool(true)),
                    _ => {}
                }
                let y = self.eval(b, ctx)?;
                use std::cmp::Ordering::*;
                Ok(match op {
                    BinOp::And | BinOp::Or => Value::bool(y.truthy()),
                    BinOp::Eq => Value::bool(x.md_eq(&y)),
                    BinOp::Ne => Value::bool(!x.md_eq(&y)),
                    BinOp::Lt => Value::bool(x.compare(&y)? == Less),
                    BinOp::Gt => Value::bool(x.compare(&y)? == Greater),
                    BinOp::Le => Value::bool(x.compare(&y)? != Greater),
                    BinOp::Ge => Value::bool(x.compare(&y)? != Less),
                    BinOp::Add => x.add(&y)?,
                    BinOp::Sub => x.arith(&y, '-')?,
                    BinOp::Mul => x.arith(&y, '*')?,
                    BinOp::Div => x.arith(&y, '/')?,
                    BinOp::Mod => x.arith(&y, '%')?,
                })
            }
            Expr::List(items) => Ok(Value::list(
                items
                    .iter()
                    .map(|i| self.eval(i, ctx))
                    .collect::<Eval<Vec<_>>>()?,
            )),
            Expr::Table(entries) => {
                let mut t = Table::default();
                for (k, v) in entries {
                    let key = match k {
                        TableKey::Name(n) => Key::Str(n.clone()),
                        TableKey::Expr(e) => Key::from_value(&self.eval(e, ctx)?)?,
                    };
                    t.set(key, self.eval(v, ctx)?);
                }
                Ok(Value::Table(Rc::new(RefCell::new(t))))
            }
            Expr::If(c, a, b) => {
                if self.eval(c, ctx)?.truthy() {
                    self.eval(a, ctx)
                } else {
                    self.eval(b, ctx)
                }
            }
            Expr::Unsupported(w) => not_sim(w.clone()),
        }
    }

    fn ident(&self, w: &str, ctx: &Ctx) -> Eval<Value> {
        let nd = self.node(ctx.this);
        Ok(match w {
            "this" => Value::Cue(ctx.this),
            "namespace" => Value::Cue(ctx.ns),
            "static" => Value::Cue(nd.static_of.unwrap_or(ctx.this)),
            "parent" => match nd.parent {
                Some(p) => Value::Cue(p),
                None => return md_err("a root cue has no parent"),
            },
            "md" | "global" | "player" | "cuestate" | "event" => Value::Keyword(Rc::from(w)),
            _ => match self.scripts[ctx.script as usize].by_name.get(w) {
                Some(&d) => Value::Cue(self.resolve(ctx.this, ctx.script, d)?),
                None => return not_sim(format!("expression '{w}'")),
            },
        })
    }

    fn event_prop(&self, name: &str, ctx: &Ctx) -> Eval<Value> {
        let ev = &ctx.event;
        Ok(match name {
            "param" => ev.param.clone(),
            "param2" => ev.param2.clone(),
            "param3" => ev.param3.clone(),
            "object" => ev.object.clone(),
            other => return not_sim(format!("expression 'event.{other}'")),
        })
    }

    fn member(&self, o: &Value, name: &str) -> Eval<Value> {
        match o {
            Value::Keyword(k) => match (&**k, name) {
                ("md", s) => match self.script_index.get(s) {
                    Some(&i) => Ok(Value::Script(i)),
                    None => md_err(format!("md.{s}: no such script")),
                },
                ("global", v) if v.starts_with('$') => match self.globals.get(v) {
                    Some(x) => Ok(x.clone()),
                    None => md_err(format!("global.{v} is not set")),
                },
                ("player", "age") => Ok(Value::Time(self.now as f64 / 1_000_000.0)),
                ("cuestate", s)
                    if matches!(
                        s,
                        "disabled" | "waiting" | "active" | "complete" | "cancelled"
                    ) =>
                {
                    Ok(Value::Keyword(Rc::from(format!("cuestate.{s}"))))
                }
                (k, p) => not_sim(format!("expression '{k}.{p}'")),
            },
            Value::Script(s) => {
                let script = &self.scripts[*s as usize];
                match script.by_name.get(name) {
                    Some(&d) => Ok(Value::Cue(self.static_node(*s, d)?)),
                    None => md_err(format!("md.{}.{name}: no such cue", script.name)),
                }
            }
            Value::Cue(n) => {
                let nd = self.node(*n);
                match name {
                    v if v.starts_with('$') => match nd.vars.get(v) {
                        Some(x) => Ok(x.clone()),
                        None => md_err(format!("{v} is not set on this cue")),
                    },
                    "exists" => Ok(Value::bool(!nd.removed)),
                    "state" => Ok(Value::Keyword(Rc::from(nd.state.keyword()))),
                    "static" => Ok(Value::Cue(nd.static_of.unwrap_or(*n))),
                    "parent" => nd
                        .parent
                        .map(Value::Cue)
                        .ok_or_else(|| Fault::Md("a root cue has no parent".into())),
                    p => not_sim(format!("cue property '{p}'")),
                }
            }
            Value::Table(t) => match name {
                v if v.starts_with('$') => match t.borrow().get(&Key::Str(Rc::from(v))) {
                    Some(x) => Ok(x.clone()),
                    None => md_err(format!("table has no key {v}")),
                },
                "count" => Ok(Value::Int(t.borrow().entries.len() as i64)),
                "keys" => Ok(Value::list(
                    t.borrow()
                        .entries
                        .iter()
                        .map(|(k, _)| k.to_value())
                        .collect(),
                )),
                "clone" => Ok(Value::Table(Rc::new(RefCell::new(t.borrow().clone())))),
                p => not_sim(format!("table property '{p}'")),
            },
            Value::List(l) => {
                let l = l.borrow();
                match name {
                    "count" => Ok(Value::Int(l.len() as i64)),
                    // `$table.keys.list`: the keys are a list already.
                    "list" | "clone" => Ok(Value::list(l.clone())),
                    "min" | "max" => {
                        let mut best: Option<&Value> = None;
                        for v in l.iter() {
                            best = match best {
                                None => Some(v),
                                Some(b) => {
                                    let o = v.compare(b)?;
                                    let better = if name == "min" {
                                        o == std::cmp::Ordering::Less
                                    } else {
                                        o == std::cmp::Ordering::Greater
                                    };
                                    Some(if better { v } else { b })
                                }
                            };
                        }
                        Ok(best.cloned().unwrap_or(Value::Null))
                    }
                    p => not_sim(format!("list property '{p}'")),
                }
            }
            Value::Str(_) => not_sim(format!("string property '{name}'")),
            Value::Null => md_err(format!("property '{name}' of null")),
            other => md_err(format!("property '{name}' of {}", other.type_name())),
        }
    }

    fn index(&self, o: &Value, k: &Value) -> Eval<Value> {
        match o {
            Value::List(l) => {
                let l = l.borrow();
                let i = list_index(k, l.len())?;
                Ok(l[i].clone())
            }
            Value::Table(t) => match t.borrow().get(&Key::from_value(k)?) {
                Some(v) => Ok(v.clone()),
                None => md_err(format!("table has no key {k}")),
            },
            Value::Cue(_) | Value::Keyword(_) if matches!(k, Value::Str(s) if s.starts_with('$')) =>
            {
                let Value::Str(s) = k else { unreachable!() };
                self.member(o, s)
            }
            Value::Null => md_err("index into null"),
            other => not_sim(format!("index into {}", other.type_name())),
        }
    }

    /// The place an lvalue names (`$x`, `md.S.C.$x`, `global.$x`, `$t.$k`, `$t.{k}`,
    /// `$list.{i}`).
    pub(super) fn place(&self, e: &Expr, ctx: &Ctx) -> Eval<Place> {
        match e {
            Expr::Var(v) => Ok(Place::Var(ctx.ns, v.clone())),
            Expr::Member(obj, name) if name.starts_with('$') => match self.eval(obj, ctx)? {
                Value::Cue(n) => Ok(Place::Var(n, name.clone())),
                Value::Keyword(k) if &*k == "global" => Ok(Place::Global(name.clone())),
                Value::Table(t) => Ok(Place::Entry(t, Key::Str(name.clone()))),
                other => md_err(format!("cannot set {name} on {}", other.type_name())),
            },
            Expr::Index(obj, key) => {
                let o = self.eval(obj, ctx)?;
                let k = self.eval(key, ctx)?;
                match o {
                    Value::Table(t) => Ok(Place::Entry(t, Key::from_value(&k)?)),
                    Value::List(l) => {
                        let len = l.borrow().len();
                        Ok(Place::Item(l.clone(), list_index(&k, len)?))
                    }
                    Value::Cue(n) => match k {
                        Value::Str(s) if s.starts_with('$') => Ok(Place::Var(n, s)),
                        other => md_err(format!("cannot set {other} on a cue")),
                    },
                    other => md_err(format!("cannot index {}", other.type_name())),
                }
            }
            Expr::Unsupported(w) => not_sim(w.clone()),
            _ => not_sim("assignment to this expression"),
        }
    }

    pub(super) fn get_place(&self, p: &Place) -> Option<Value> {
        match p {
            Place::Var(n, v) => self.node(*n).vars.get(v).cloned(),
            Place::Global(v) => self.globals.get(v).cloned(),
            Place::Entry(t, k) => t.borrow().get(k).cloned(),
            Place::Item(l, i) => l.borrow().get(*i).cloned(),
        }
    }

    pub(super) fn set_place(&mut self, p: Place, v: Value) {
        match p {
            Place::Var(n, name) => {
                self.node_mut(n).vars.insert(name, v);
            }
            Place::Global(name) => {
                self.globals.insert(name, v);
            }
            Place::Entry(t, k) => t.borrow_mut().set(k, v),
            Place::Item(l, i) => l.borrow_mut()[i] = v,
        }
    }

    pub(super) fn remove_place(&mut self, p: Place) {
        match p {
            Place::Var(n, name) => {
                self.node_mut(n).vars.remove(&name);
            }
            Place::Global(name) => {
                self.globals.remove(&name);
            }
            Place::Entry(t, k) => {
                t.borrow_mut().remove(&k);
            }
            Place::Item(l, i) => {
                l.borrow_mut().remove(i);
            }
        }
    }
}

/// Lists are 1-based.
fn list_index(k: &Value, len: usize) -> Eval<usize> {
    match k {
        Value::Int(i) if *i >= 1 && (*i as usize) <= len => Ok(*i as usize - 1),
        Value::Int(i) => md_err(format!("list index {i} out of 1..{len}")),
        other => md_err(format!("list index {other}")),
    }
}
