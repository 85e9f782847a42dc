//! MD values. Booleans are the numbers 1 and 0 as in the game; lists and tables are
//! shared by reference (assigning a list to two variables gives one list), so they sit
//! behind `Rc<RefCell<..>>`.

use crate::error::{md_err, not_sim, Eval};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// A cue node of the running engine (static cue or instance).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Int(i64),
    Float(f64),
    /// Seconds of game time (`5s`, `1min`).
    Time(f64),
    Str(Rc<str>),
    List(Rc<RefCell<Vec<Value>>>),
    Table(Rc<RefCell<Table>>),
    Cue(NodeId),
    /// `md.<Script>`: only useful for a following `.<Cue>`.
    Script(u32),
    /// Enumeration constants such as `cuestate.complete`.
    Keyword(Rc<str>),
}

impl Value {
    pub fn bool(b: bool) -> Value {
        Value::Int(b as i64)
    }
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::Str(Rc::from(s.as_ref()))
    }
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(v)))
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// MD truth: null and zero (of any number type) are false, everything else is true.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Int(i) => *i != 0,
            Value::Float(f) | Value::Time(f) => *f != 0.0,
            _ => true,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Time(_) => "time",
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Table(_) => "table",
            Value::Cue(_) => "cue",
            Value::Script(_) => "script",
            Value::Keyword(_) => "keyword",
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) | Value::Time(f) => Some(*f),
            _ => None,
        }
    }

    /// `==`: numbers by value across number types, strings by content, lists and
    /// tables by identity, cues by node.
    pub fn md_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => Rc::ptr_eq(a, b),
            (Value::Table(a), Value::Table(b)) => Rc::ptr_eq(a, b),
            (Value::Cue(a), Value::Cue(b)) => a == b,
            (Value::Script(a), Value::Script(b)) => a == b,
            (Value::Keyword(a), Value::Keyword(b)) => a == b,
            (a, b) => match (a.number(), b.number()) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            },
        }
    }

    pub fn compare(&self, other: &Value) -> Eval<std::cmp::Ordering> {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => Ok(a.cmp(b)),
            (a, b) => match (a.number(), b.number()) {
                (Some(x), Some(y)) => match x.partial_cmp(&y) {
                    Some(o) => Ok(o),
                    None => md_err("comparison with NaN"),
                },
                _ => md_err(format!(
                    "cannot compare {} with {}",
                    a.type_name(),
                    b.type_name()
                )),
            },
        }
    }

    pub fn add(&self, other: &Value) -> Eval<Value> {
        match (self, other) {
            (Value::Str(a), b) => Ok(Value::str(format!("{a}{b}"))),
            (a, Value::Str(b)) => Ok(Value::str(format!("{a}{b}"))),
            _ => self.arith(other, '+'),
        }
    }

    /// `+ - * /` on numbers: integers stay integers (division truncates), any float
    /// makes a float, and a time stays a time.
    pub fn arith(&self, other: &Value, op: char) -> Eval<Value> {
        if let (Value::Int(a), Value::Int(b)) = (self, other) {
            return match op {
                '+' => Ok(Value::Int(a.wrapping_add(*b))),
                '-' => Ok(Value::Int(a.wrapping_sub(*b))),
                '*' => Ok(Value::Int(a.wrapping_mul(*b))),
                '/' if *b == 0 => md_err("division by zero"),
                '/' => Ok(Value::Int(a.wrapping_div(*b))),
                '%' if *b == 0 => md_err("division by zero"),
                _ => Ok(Value::Int(a.wrapping_rem(*b))),
            };
        }
        let (Some(x), Some(y)) = (self.number(), other.number()) else {
            return md_err(format!(
                "cannot apply '{op}' to {} and {}",
                self.type_name(),
                other.type_name()
            ));
        };
        let r = match op {
            '+' => x + y,
            '-' => x - y,
            '*' => x * y,
            '/' if y == 0.0 => return md_err("division by zero"),
            '/' => x / y,
            _ => x % y,
        };
        if matches!(self, Value::Time(_)) || matches!(other, Value::Time(_)) {
            Ok(Value::Time(r))
        } else {
            Ok(Value::Float(r))
        }
    }

    pub fn negate(&self) -> Eval<Value> {
        match self {
            Value::Int(i) => Ok(Value::Int(-i)),
            Value::Float(f) => Ok(Value::Float(-f)),
            Value::Time(f) => Ok(Value::Time(-f)),
            other => md_err(format!("cannot negate {}", other.type_name())),
        }
    }
}

fn fmt_num(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&fmt_num(*x)),
            Value::Time(x) => write!(f, "{}s", fmt_num(*x)),
            Value::Str(s) => f.write_str(s),
            Value::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.borrow().iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Table(t) => {
                f.write_str("table[")?;
                for (i, (k, v)) in t.borrow().entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}={v}")?;
                }
                f.write_str("]")
            }
            Value::Cue(n) => write!(f, "cue#{}", n.0),
            Value::Script(s) => write!(f, "script#{s}"),
            Value::Keyword(k) => f.write_str(k),
        }
    }
}

/// A table key: `$name` keys are strings starting with `$`; `{expr}` keys can also be
/// numbers or cues.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    Str(Rc<str>),
    Int(i64),
    Cue(NodeId),
}

impl Key {
    pub fn from_value(v: &Value) -> Eval<Key> {
        match v {
            Value::Str(s) => Ok(Key::Str(s.clone())),
            Value::Int(i) => Ok(Key::Int(*i)),
            Value::Cue(c) => Ok(Key::Cue(*c)),
            Value::Null => md_err("null as table key"),
            other => not_sim(format!("{} as table key", other.type_name())),
        }
    }
    pub fn to_value(&self) -> Value {
        match self {
            Key::Str(s) => Value::Str(s.clone()),
            Key::Int(i) => Value::Int(*i),
            Key::Cue(c) => Value::Cue(*c),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Str(s) => f.write_str(s),
            Key::Int(i) => write!(f, "{{{i}}}"),
            Key::Cue(c) => write!(f, "{{cue#{}}}", c.0),
        }
    }
}

/// Insertion-ordered (the game does not promise an order; this one is deterministic).
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub entries: Vec<(Key, Value)>,
}

impl Table {
    pub fn get(&self, k: &Key) -> Option<&Value> {
        self.entries.iter().find(|(x, _)| x == k).map(|(_, v)| v)
    }
    pub fn set(&mut self, k: Key, v: Value) {
        match self.entries.iter_mut().find(|(x, _)| *x == k) {
            Some(slot) => slot.1 = v,
            None => self.entries.push((k, v)),
        }
    }
    pub fn remove(&mut self, k: &Key) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(x, _)| x != k);
        before != self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_keeps_md_types() {
        let five = Value::Int(5);
        assert!(matches!(five.arith(&Value::Int(2), '/'), Ok(Value::Int(2))));
        assert!(
            matches!(Value::Time(5.0).arith(&Value::Int(2), '*'), Ok(Value::Time(t)) if t == 10.0)
        );
        assert_eq!(
            Value::str("a").add(&Value::Int(1)).unwrap().to_string(),
            "a1"
        );
        assert_eq!(
            Value::Int(1).add(&Value::str("b")).unwrap().to_string(),
            "1b"
        );
        assert!(Value::Int(1).add(&Value::list(vec![])).is_err());
    }

    #[test]
    fn truth_and_equality() {
        assert!(!Value::Null.truthy());
        assert!(!Value::Time(0.0).truthy());
        assert!(Value::str("").truthy());
        assert!(Value::Int(1).md_eq(&Value::Float(1.0)));
        assert!(!Value::str("1").md_eq(&Value::Int(1)));
        let l = Value::list(vec![]);
        assert!(l.md_eq(&l.clone()));
        assert!(!l.md_eq(&Value::list(vec![])));
    }
}
