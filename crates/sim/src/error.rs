//! One error policy for the whole crate: loading and running either succeeds, or stops
//! with a [`SimError`] that names the file and line. Errors the game itself would only
//! log and survive (an MD expression that fails, a Lua error in a handler) are not
//! `SimError`s: they are reported as events of the run (`sim::Event`) and counted, and the run goes on
//! as the game's would.

use std::fmt;
use std::sync::Arc;

/// Where an element starts: file and 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pos {
    pub file: Arc<str>,
    pub line: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A construct outside the simulated subset was reached: the run stops here rather
    /// than skipping it.
    #[error("not simulated: {what} at {pos}")]
    NotSimulated { what: String, pos: Pos },
    /// The script cannot be read as MD at all (bad XML, a cue without a name, ...).
    #[error("{pos}: {msg}")]
    Script { msg: String, pos: Pos },
    /// An extension folder could not be read.
    #[error("{path}: {msg}")]
    Extension { path: String, msg: String },
    /// The Lua state could not be set up (not an error inside a Lua script).
    #[error("Lua host: {0}")]
    Host(String),
}

impl SimError {
    pub fn not_simulated(what: impl Into<String>, pos: &Pos) -> SimError {
        SimError::NotSimulated {
            what: what.into(),
            pos: pos.clone(),
        }
    }
}

/// Why an expression or action could not be evaluated; the caller adds the position.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Outside the simulated subset: stops the run.
    NotSimulated(String),
    /// What the game would log as a script error and survive.
    Md(String),
}

pub type Eval<T> = Result<T, Fault>;

pub fn md_err<T>(msg: impl Into<String>) -> Eval<T> {
    Err(Fault::Md(msg.into()))
}

pub fn not_sim<T>(what: impl Into<String>) -> Eval<T> {
    Err(Fault::NotSimulated(what.into()))
}
