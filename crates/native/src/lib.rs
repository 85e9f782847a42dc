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

/// The library version (`x4p_version`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(unix)]
pub use transport::{HEAD_LAST, HEAD_MORE, MAX_PAYLOAD};
