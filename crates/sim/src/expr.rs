//! The MD expression language, as far as the simulated subset goes: parsed once at load
//! time. Text the parser does not understand becomes [`Expr::Unsupported`], which stops
//! the run with "not simulated" when (and only when) it is evaluated.

use crate::value::Value;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub enum Expr {
    Lit(Value),
    /// `$name` (stored with its `$`).
    Var(Rc<str>),
    /// A bare word: `this`, `md`, `event`, a cue name, ...
    Ident(Rc<str>),
    /// `.name` or `.$name` (stored as written).
    Member(Box<Expr>, Rc<str>),
    /// `.{expr}`
    Index(Box<Expr>, Box<Expr>),
    /// `expr?`
    Exists(Box<Expr>),
    /// `@expr`
    NullSafe(Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Table(Vec<(TableKey, Expr)>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Unsupported(String),
}

#[derive(Clone, Debug)]
pub enum TableKey {
    Name(Rc<str>),
    Expr(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Clone, Debug)]
enum Tok {
    Num(Value),
    Str(String),
    Var(String),
    Word(String),
    Sym(&'static str),
}

const SYMS: [&str; 21] = [
    "==", "!=", "<=", ">=", "<", ">", ".", ",", "(", ")", "[", "]", "{", "}", "=", "+", "-", "*",
    "/", "?", "@",
];

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'\'' {
            let mut s = Vec::new();
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err("unterminated string".into()),
                    Some(b'\\') if matches!(b.get(i + 1), Some(b'\'') | Some(b'\\')) => {
                        s.push(b[i + 1]);
                        i += 2;
                    }
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(&x) => {
                        s.push(x);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(String::from_utf8_lossy(&s).into_owned()));
        } else if c == b'$' {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            if i == start + 1 {
                return Err("'$' without a name".into());
            }
            out.push(Tok::Var(src[start..i].to_owned()));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let mut float = false;
            if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                float = true;
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let num = &src[start..i];
            let ustart = i;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            let unit = &src[ustart..i];
            let x: f64 = num.parse().map_err(|_| format!("bad number {num}"))?;
            let v = match unit {
                "" if float => Value::Float(x),
                "" => Value::Int(num.parse().map_err(|_| format!("bad integer {num}"))?),
                "ms" => Value::Time(x / 1000.0),
                "s" => Value::Time(x),
                "min" => Value::Time(x * 60.0),
                "h" => Value::Time(x * 3600.0),
                other => return Err(format!("number with unit '{other}'")),
            };
            out.push(Tok::Num(v));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Word(src[start..i].to_owned()));
        } else {
            let rest = &src[i..];
            let Some(sym) = SYMS.iter().find(|s| rest.starts_with(**s)) else {
                return Err(format!("character '{}'", rest.chars().next().unwrap()));
            };
            out.push(Tok::Sym(sym));
            i += sym.len();
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

type PResult<T> = Result<T, String>;

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }
    fn expect_sym(&mut self, s: &str) -> PResult<()> {
        if self.is_sym(s) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected '{s}'"))
        }
    }

    fn binop(&self) -> Option<(BinOp, u8)> {
        let op = match self.peek()? {
            Tok::Word(w) => match w.as_str() {
                "or" => BinOp::Or,
                "and" => BinOp::And,
                "lt" => BinOp::Lt,
                "gt" => BinOp::Gt,
                "le" => BinOp::Le,
                "ge" => BinOp::Ge,
                _ => return None,
            },
            Tok::Sym(s) => match *s {
                "==" => BinOp::Eq,
                "!=" => BinOp::Ne,
                "<" => BinOp::Lt,
                ">" => BinOp::Gt,
                "<=" => BinOp::Le,
                ">=" => BinOp::Ge,
                "+" => BinOp::Add,
                "-" => BinOp::Sub,
                "*" => BinOp::Mul,
                "/" => BinOp::Div,
                _ => return None,
            },
            _ => return None,
        };
        let prec = match op {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne => 3,
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div | BinOp::Mod => 6,
        };
        Some((op, prec))
    }

    fn expr(&mut self) -> PResult<Expr> {
        if self.is_word("if") {
            self.at += 1;
            let c = self.expr()?;
            if !self.is_word("then") {
                return Err("expected 'then'".into());
            }
            self.at += 1;
            let a = self.expr()?;
            let b = if self.is_word("else") {
                self.at += 1;
                self.expr()?
            } else {
                Expr::Lit(Value::Null)
            };
            return Ok(Expr::If(Box::new(c), Box::new(a), Box::new(b)));
        }
        self.binary(1)
    }

    fn binary(&mut self, min: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        while let Some((op, prec)) = self.binop() {
            if prec < min {
                break;
            }
            self.at += 1;
            let rhs = self.binary(prec + 1)?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> PResult<Expr> {
        if self.is_word("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.is_sym("-") {
            self.at += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.is_sym("@") {
            self.at += 1;
            return Ok(Expr::NullSafe(Box::new(self.unary()?)));
        }
        if let Some(Tok::Word(w)) = self.peek() {
            if matches!(
                w.as_str(),
                "typeof" | "sin" | "cos" | "log" | "exp" | "sqrt" | "abs"
            ) && !matches!(self.toks.get(self.at + 1), Some(Tok::Sym(".")))
            {
                return Err(format!("operator '{w}'"));
            }
        }
        self.postfix()
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let mut e = self.primary()?;
        loop {
            if self.is_sym(".") {
                self.at += 1;
                match self.peek().cloned() {
                    Some(Tok::Var(v)) => {
                        self.at += 1;
                        e = Expr::Member(Box::new(e), Rc::from(v.as_str()));
                    }
                    Some(Tok::Word(w)) => {
                        self.at += 1;
                        e = Expr::Member(Box::new(e), Rc::from(w.as_str()));
                    }
                    Some(Tok::Sym("{")) => {
                        self.at += 1;
                        let k = self.expr()?;
                        self.expect_sym("}")?;
                        e = Expr::Index(Box::new(e), Box::new(k));
                    }
                    _ => return Err("expected a name after '.'".into()),
                }
            } else if self.is_sym("?") {
                self.at += 1;
                e = Expr::Exists(Box::new(e));
            } else {
                return Ok(e);
            }
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let Some(t) = self.peek().cloned() else {
            return Err("unexpected end".into());
        };
        self.at += 1;
        match t {
            Tok::Num(v) => Ok(Expr::Lit(v)),
            Tok::Str(s) => Ok(Expr::Lit(Value::str(s))),
            Tok::Var(v) => Ok(Expr::Var(Rc::from(v.as_str()))),
            Tok::Sym("(") => {
                let e = self.expr()?;
                self.expect_sym(")")?;
                Ok(e)
            }
            Tok::Sym("[") => {
                let mut items = Vec::new();
                if !self.is_sym("]") {
                    loop {
                        items.push(self.expr()?);
                        if self.is_sym(",") {
                            self.at += 1;
                        } else {
                            break;
                        }
                    }
                }
                self.expect_sym("]")?;
                Ok(Expr::List(items))
            }
            Tok::Word(w) => match w.as_str() {
                "true" => Ok(Expr::Lit(Value::Int(1))),
                "false" => Ok(Expr::Lit(Value::Int(0))),
                "null" => Ok(Expr::Lit(Value::Null)),
                "table" if self.is_sym("[") => {
                    self.at += 1;
                    self.table()
                }
                _ => Ok(Expr::Ident(Rc::from(w.as_str()))),
            },
            Tok::Sym(s) => Err(format!("unexpected '{s}'")),
        }
    }

    fn table(&mut self) -> PResult<Expr> {
        let mut entries = Vec::new();
        if !self.is_sym("]") {
            loop {
                let key = match self.peek().cloned() {
                    Some(Tok::Var(v)) => {
                        self.at += 1;
                        TableKey::Name(Rc::from(v.as_str()))
                    }
                    Some(Tok::Sym("{")) => {
                        self.at += 1;
                        let k = self.expr()?;
                        self.expect_sym("}")?;
                        TableKey::Expr(k)
                    }
                    _ => return Err("expected a table key ($name or {expr})".into()),
                };
                self.expect_sym("=")?;
                entries.push((key, self.expr()?));
                if self.is_sym(",") {
                    self.at += 1;
                } else {
                    break;
                }
            }
        }
        self.expect_sym("]")?;
        Ok(Expr::Table(entries))
    }
}

/// Parses an MD expression; what is outside the subset (or malformed) becomes
/// [`Expr::Unsupported`] naming the text and the reason.
pub fn parse(src: &str) -> Expr {
    let fail = |why: String| Expr::Unsupported(format!("expression '{src}' ({why})"));
    let toks = match lex(src) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let mut p = Parser { toks, at: 0 };
    match p.expr() {
        Ok(e) if p.at == p.toks.len() => e,
        Ok(_) => fail(format!("unexpected {:?}", p.toks[p.at])),
        Err(e) => fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Expr {
        let e = parse(src);
        assert!(!matches!(e, Expr::Unsupported(_)), "{src}: {e:?}");
        e
    }

    #[test]
    fn parses_what_the_api_templates_use() {
        for src in [
            "'' + md.Named_Pipes.Globals.$next_id",
            "$time gt 0s",
            "not $owner or $owner.$register == Register_Module",
            "[$wait * 2, 60s].min",
            "@global.$x4pipe_hosts.{'x4_python_host'}",
            "table[$pipe='x', $msg='modules:' + $path + ';', $cue=Ping_Done]",
            "$path and md.H.Globals.$modules.indexof.{$path} == 0",
            "event.param == 'ERROR' or event.param == 'CANCELLED'",
            "$x?",
            "table[]",
            "-1.5s",
            "if $a then 1 else 2",
        ] {
            ok(src);
        }
    }

    #[test]
    fn precedence() {
        let e = ok("not $a or $b == 1 + 2 * 3");
        let Expr::Bin(BinOp::Or, l, r) = e else {
            panic!()
        };
        assert!(matches!(*l, Expr::Not(_)));
        let Expr::Bin(BinOp::Eq, _, r) = *r else {
            panic!()
        };
        assert!(matches!(*r, Expr::Bin(BinOp::Add, _, _)));
    }

    #[test]
    fn outside_the_subset_is_named() {
        for (src, why) in [
            ("5km", "unit 'km'"),
            ("typeof $x", "typeof"),
            ("$a ==", "unexpected end"),
            ("'open", "unterminated"),
            ("$a # 1", "character '#'"),
        ] {
            match parse(src) {
                Expr::Unsupported(m) => assert!(m.contains(why) && m.contains(src), "{m}"),
                e => panic!("{src} parsed: {e:?}"),
            }
        }
    }
}
