//! Test support for the Lua client suite (`tests/lua_client.rs`): the fake X4 host,
//! rendering of the Lua template, the native library's location, and small server
//! helpers on top of `winpipe::server`.

#![allow(dead_code)]

pub mod host;
pub mod native;
pub mod render;

use std::time::Duration;
use winpipe::{Connection, Server};

/// How long a test waits for something the other side should do at once.
pub const WAIT: Duration = Duration::from_secs(10);

/// A pipe name no other test (or test run) uses.
pub fn pipe_name(tag: &str) -> String {
    format!("x4t-{tag}-{}", std::process::id())
}

pub fn serve(name: &str) -> Server {
    Server::create(name).unwrap_or_else(|e| panic!("serve {name}: {e}"))
}

/// The next client; the test fails if none comes.
pub fn accept(server: &mut Server) -> Connection {
    server
        .accept_timeout(WAIT)
        .expect("accept")
        .expect("a client connects")
}

/// The next message; the test fails if none comes.
pub fn recv(conn: &mut Connection) -> Vec<u8> {
    conn.read_timeout(WAIT)
        .expect("server read")
        .expect("a message arrives")
}
