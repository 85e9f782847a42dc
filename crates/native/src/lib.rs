//! Native named-pipe library of x4pipe.
//!
//! - A pipe **client** with a plain C ABI (`x4p_*`, see `docs/contracts.md` and the
//!   crate README) that X4's Lua loads through LuaJIT's `ffi`; it links nothing but the
//!   OS. The same client is available to Rust as [`client::Client`].
//! - A pipe **server** in Rust ([`server::Server`]) for the same transports, used by the
//!   tests and by hosts.
//!
//! Transports: Windows named pipes (`\\.\pipe\<name>`, message mode, overlapped I/O)
//! and Linux `AF_UNIX` `SOCK_SEQPACKET` sockets with a small chunk framing so messages
//! of any size keep their boundaries.
//!
//! `unsafe` code lives only in `sys` (OS calls behind safe wrappers) and `abi`
//! (the C entry points).

#![deny(unsafe_code)]

#[allow(unsafe_code)]
mod abi;
pub mod client;
mod deadline;
pub mod name;
pub mod server;
pub mod status;
#[allow(unsafe_code)]
mod sys;
mod transport;

pub use abi::*;
pub use client::Client;
pub use server::{Connection, Server};
pub use status::{Error, Result, Status};

/// CPU time the calling thread has used so far (Linux: nanosecond resolution; Windows:
/// advances at the scheduler's tick). For benchmarks that tell the work a call does from
/// the time it waited; `None` if the OS does not say.
pub fn thread_cpu_time() -> Option<std::time::Duration> {
    sys::thread_cpu_time()
}

/// For a server of the game (`x4pipe host`): its wake-ups stop preempting the thread
/// that runs where they land, which on a machine with few free CPUs is the game's frame.
/// Linux: `SCHED_BATCH` for the calling thread and what it starts afterwards (call it
/// before starting threads or processes); Windows: no priority boost on wake-up for
/// the whole process. The base priority stays normal on both: it is never starved.
pub fn yield_on_wakeup() -> std::io::Result<()> {
    sys::yield_on_wakeup()
}

/// The library version (`x4p_version`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(unix)]
pub use transport::{HEAD_LAST, HEAD_MORE, MAX_PAYLOAD};
