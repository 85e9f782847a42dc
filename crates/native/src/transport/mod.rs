//! The transports, in safe code over `crate::sys`: framing, error mapping, timeouts.
//!
//! Both OS modules offer the same shape, which `client` and `server` build on:
//! `Conn` (`try_read`, `wait_readable`, `write`), `connect(name)` and `Listener`
//! (`bind`, `accept`).

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;
