//! `x4pipe-sim`: runs X4 Mission Director scripts outside the game, with the real UI
//! Lua client in LuaJIT (through [`host::LuaHost`]), so that the whole chain
//! MD -> Lua -> native library -> pipe -> server -> Lua -> MD can be tried in seconds.
//!
//! The library never prints or exits: runs return [`Event`]s and [`SimError`]s.
//! GAME-MODEL.md says what is simulated and on which sources each rule rests.

pub mod engine;
pub mod error;
pub mod expr;
pub mod host;
pub mod script;
pub mod value;

pub use engine::{Engine, LuaArg, LuaCall, Model, Record, SignalOrder};
pub use error::{Pos, SimError};
pub use value::Value;
pub mod extension;
pub mod sim;

pub use extension::Extension;
pub use sim::{Event, EventKind, Happening, Sim, SimOptions};
