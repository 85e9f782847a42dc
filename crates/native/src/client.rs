//! The pipe client, in safe Rust. The C ABI (`abi.rs`) is a thin layer over this.

use crate::status::Result;
use crate::transport;
use std::time::Duration;

/// Write timeout of a new client (`x4p_set_write_timeout_ms` changes it).
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_millis(1000);

/// A client end of a message pipe. Reads never block; writes send whole messages or
/// fail after the write timeout.
#[derive(Debug)]
pub struct Client {
    conn: transport::Conn,
    write_timeout: Duration,
}

impl Client {
    /// Connects to the server of `name` (no OS prefix: Windows `\\.\pipe\<name>`,
    /// Linux `<socket dir>/<name>`).
    ///
    /// Never blocks. Errors: `NoServer` if nobody serves the name, `Busy` if the server
    /// takes no client right now (try again later), `AccessDenied` if the OS refuses,
    /// `Invalid` for a bad name, `Other` for the rest.
    pub fn open(name: &str) -> Result<Client> {
        Ok(Client {
            conn: transport::connect(name)?,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
        })
    }

    /// Returns the next whole message, or `None` if none has (completely) arrived yet.
    /// Never blocks. `Broken` once the server has gone away (messages it sent before
    /// going are still delivered first).
    pub fn read(&mut self) -> Result<Option<Vec<u8>>> {
        self.conn.try_read()
    }

    /// Like [`Client::read`], but the message stays inside the client, borrowed until
    /// the next call: no copy, and the client keeps its memory for the next message.
    /// One call works on a message arriving in parts for about
    /// [`crate::transport::STEP_TIME`].
    pub fn receive(&mut self) -> Result<Option<&[u8]>> {
        self.conn.receive()
    }

    /// Sends one whole message. `Full` if it could not be sent within the write
    /// timeout (the server does not read); close the client then, because part of the
    /// message may have gone out. `Broken` if the server has gone away.
    pub fn write(&mut self, data: &[u8]) -> Result<()> {
        self.conn.write(data, Some(self.write_timeout))
    }

    /// Sends one whole message without waiting for a reader that does not read, in steps
    /// (for a caller that must not wait, like a game frame): each call works for about
    /// [`crate::transport::STEP_TIME`] and returns `Ok(true)` once the whole message is out. Start with
    /// `progress` 0 and call again with the same data and the updated `progress` (on a
    /// later frame) while it returns `Ok(false)`. Nothing else may be sent meanwhile; a
    /// message given up half-way leaves the pipe fit only for closing.
    pub fn send(&mut self, data: &[u8], progress: &mut usize) -> Result<bool> {
        self.conn.send_step(data, progress)
    }

    /// Sets the write timeout (0 = fail at once when the pipe buffer is full).
    pub fn set_write_timeout(&mut self, timeout: Duration) {
        self.write_timeout = timeout;
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> Duration {
        self.write_timeout
    }
}
