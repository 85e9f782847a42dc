//! The server side in Rust: serve a pipe name, accept clients, exchange whole messages.
//!
//! Blocking calls with optional timeouts (a server has its own thread). One [`Server`]
//! keeps the name alive; every accepted client gets its own [`Connection`], so several
//! clients can be served at once, and a client that goes away shows as `Broken` on its
//! connection while the server accepts the next one.
//!
//! Windows: each connection is one instance of the named pipe; the server always keeps
//! one spare instance listening, so a client can open the pipe even before `accept`
//! is called (as on Linux, where the listen backlog holds it). The pipe's DACL grants
//! the current user (and SYSTEM) full access — see the README.

use crate::deadline::Deadline;
use crate::status::Result;
use crate::transport;
use std::time::Duration;

/// A served pipe name.
#[derive(Debug)]
pub struct Server {
    listener: transport::Listener,
    name: String,
}

impl Server {
    /// Starts serving `name`. On Linux a stale socket file of a crashed server is
    /// replaced; a name another live server serves is an error (`Other`).
    pub fn create(name: &str) -> Result<Server> {
        Ok(Server {
            listener: transport::Listener::bind(name)?,
            name: name.to_owned(),
        })
    }

    /// The served name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Waits for the next client.
    pub fn accept(&mut self) -> Result<Connection> {
        loop {
            if let Some(conn) = self.listener.accept(None)? {
                return Ok(Connection { conn });
            }
        }
    }

    /// Waits at most `timeout` for the next client; `Ok(None)` if none came.
    pub fn accept_timeout(&mut self, timeout: Duration) -> Result<Option<Connection>> {
        Ok(self
            .listener
            .accept(Some(timeout))?
            .map(|conn| Connection { conn }))
    }
}

/// The server end of one client's pipe.
#[derive(Debug)]
pub struct Connection {
    conn: transport::Conn,
}

impl Connection {
    /// Waits for the next whole message. `Broken` when the client has gone away.
    pub fn read(&mut self) -> Result<Vec<u8>> {
        loop {
            if let Some(m) = self.read_timeout_opt(None)? {
                return Ok(m);
            }
        }
    }

    /// Waits at most `timeout` for the next whole message; `Ok(None)` if none came
    /// (a message that is half there stays buffered for the next call).
    pub fn read_timeout(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>> {
        self.read_timeout_opt(Some(timeout))
    }

    /// Returns a whole message if one is there, without waiting.
    pub fn try_read(&mut self) -> Result<Option<Vec<u8>>> {
        self.conn.try_read()
    }

    fn read_timeout_opt(&mut self, timeout: Option<Duration>) -> Result<Option<Vec<u8>>> {
        let deadline = Deadline::after(timeout);
        loop {
            if let Some(m) = self.conn.try_read()? {
                return Ok(Some(m));
            }
            let Some(rest) = deadline.remaining() else {
                return Ok(None);
            };
            self.conn.wait_readable(rest)?;
        }
    }

    /// The process id of the client (Linux: `SO_PEERCRED`; Windows:
    /// `GetNamedPipeClientProcessId`). A host uses it to find the game's folder.
    pub fn peer_pid(&self) -> Result<u32> {
        self.conn.peer_pid()
    }

    /// The executable of the client process (Linux: `/proc/<pid>/exe`; Windows:
    /// `QueryFullProcessImageNameW`).
    pub fn peer_exe(&self) -> Result<std::path::PathBuf> {
        transport::process_exe(self.peer_pid()?)
    }

    /// Sends one whole message, waiting as long as the client needs to read it.
    pub fn write(&mut self, data: &[u8]) -> Result<()> {
        self.conn.write(data, None)
    }

    /// Sends one whole message; `Full` if it is not out within `timeout` (then the
    /// connection is unusable if part of it went out).
    pub fn write_timeout(&mut self, data: &[u8], timeout: Duration) -> Result<()> {
        self.conn.write(data, Some(timeout))
    }
}
