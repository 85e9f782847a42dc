//! The transports, in safe code over `crate::sys`: framing, error mapping, timeouts.
//!
//! Both OS modules offer the same shape, which `client` and `server` build on:
//! `Conn` (`receive`, `try_read`, `wait_readable`, `send_step`, `write`),
//! `connect(name)` and `Listener` (`bind`, `accept`).

use std::time::Duration;

/// About how long one [`Conn::receive`] or [`Conn::send_step`] call works on a message:
/// the caller is a game frame, so a large message travels in steps across frames. Time
/// rather than bytes, so that a step costs the frame the same on a fast and a slow (or
/// busy) machine; a step always moves at least one packet or chunk, and never waits for
/// the peer.
pub const STEP_TIME: Duration = Duration::from_micros(250);

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;
