//! `x4pipe host`: the Python pipe host for X4: Foundations.
//!
//! It serves the host pipes (`x4_python_host` and `x4pipe_python_host` by default, see
//! [`DEFAULT_PIPES`]) to any number of game clients at once (every copy of `Pipe_Server_Host`, the original's included), speaks
//! the protocol of the original X4_Python_Pipe_Server (`ping`, `package.path`,
//! `modules:<p1>;<p2>;`, `garbage_collected`, `restart`), checks each registered module
//! against the player's permissions and the module path rules, and runs every module in
//! its own Python process with an `X4_Python_Pipe_Server` package of ours on its import
//! path (same public names as the original, over x4pipe's transport).
//!
//! The library never prints and never exits: everything a player should see is an
//! [`Event`] handed to the caller's sink; the CLI (`src/cli/host.rs`) prints them.

mod error;
mod event;
pub mod modpath;
pub mod permissions;
pub mod protocol;
mod python;
mod serve;
mod supervisor;
pub mod x4dir;

pub use error::{Error, Result};
pub use event::{Event, Sink};
pub use python::{PythonCmd, SEQPACKET_PY};
pub use serve::{run, Config, DEFAULT_PIPES};
