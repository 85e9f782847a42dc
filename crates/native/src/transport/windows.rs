//! Windows transport: named pipes `\\.\pipe\<name>` in message mode, overlapped I/O
//! (see `sys/windows.rs` for why), and the mapping of Win32 errors to statuses.

use crate::deadline::Deadline;
use crate::name::pipe_path;
use crate::status::{Error, Result, Status};
use crate::sys::{self, MsgPipe, ReadStep, Security, WriteOutcome};
use std::io;
use std::time::{Duration, Instant};

use super::STEP_TIME;

const ERROR_FILE_NOT_FOUND: i32 = 2;
const ERROR_PATH_NOT_FOUND: i32 = 3;
const ERROR_ACCESS_DENIED: i32 = 5;
const ERROR_BROKEN_PIPE: i32 = 109;
const ERROR_INVALID_NAME: i32 = 123;
const ERROR_BAD_PATHNAME: i32 = 161;
const ERROR_PIPE_BUSY: i32 = 231;
const ERROR_NO_DATA: i32 = 232;
const ERROR_PIPE_NOT_CONNECTED: i32 = 233;

/// The other side has gone (or is going) away.
fn is_broken(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(ERROR_BROKEN_PIPE) | Some(ERROR_NO_DATA) | Some(ERROR_PIPE_NOT_CONNECTED)
    )
}

/// One connected message pipe (client end or server instance).
#[derive(Debug)]
pub struct Conn {
    pipe: MsgPipe,
    /// Set after a failure that leaves the pipe unusable (see the Linux twin).
    dead: bool,
}

impl Conn {
    fn check_alive(&self) -> Result<()> {
        if self.dead {
            Err(Error::new(
                Status::Broken,
                "the pipe failed earlier; close and reopen it",
            ))
        } else {
            Ok(())
        }
    }

    fn fail(&mut self, status: Status, what: &str, e: &io::Error) -> Error {
        self.dead = true;
        Error::os(status, what, e)
    }

    /// A whole message if one has arrived, `None` if not (yet). Never blocks.
    pub fn try_read(&mut self) -> Result<Option<Vec<u8>>> {
        Ok(self.receive()?.map(<[u8]>::to_vec))
    }

    /// A whole message if one has arrived, borrowed from the pipe until the next call,
    /// or `None` if not (yet). Never blocks; a call works on a long message for about
    /// [`STEP_TIME`].
    pub fn receive(&mut self) -> Result<Option<&[u8]>> {
        self.check_alive()?;
        match self.pipe.read_step(Instant::now() + STEP_TIME) {
            Ok(ReadStep::Message) => Ok(Some(self.pipe.message())),
            Ok(ReadStep::Pending) => Ok(None),
            Err(e) if is_broken(&e) => Err(self.fail(Status::Broken, "ReadFile", &e)),
            Err(e) => Err(self.fail(Status::Other, "ReadFile", &e)),
        }
    }

    /// Server side: the process id of the connected client.
    pub fn peer_pid(&self) -> Result<u32> {
        self.pipe
            .client_pid()
            .map_err(|e| Error::os(Status::Other, "GetNamedPipeClientProcessId", &e))
    }

    /// Waits until the pending read has finished (a message or an error is there),
    /// at most `timeout`. `Ok(false)` on timeout.
    pub fn wait_readable(&self, timeout: Option<Duration>) -> Result<bool> {
        self.check_alive()?;
        self.pipe
            .wait_read(timeout)
            .map_err(|e| Error::os(Status::Other, "WaitForSingleObject", &e))
    }

    /// Sends a whole message without blocking, in steps (see the Linux twin): the
    /// message is copied in bounded parts, then written by one overlapped `WriteFile`.
    pub fn send_step(&mut self, data: &[u8], progress: &mut usize) -> Result<bool> {
        self.check_alive()?;
        if *progress == 0 && self.pipe.sending() {
            return Err(Error::new(
                Status::Invalid,
                "a message is partly sent: finish it (same data, same progress) or close the pipe",
            ));
        }
        if *progress > data.len() {
            return Err(Error::new(
                Status::Invalid,
                "send progress does not belong to the message in flight",
            ));
        }
        match self
            .pipe
            .send_step(data, progress, Instant::now() + STEP_TIME)
        {
            Ok(done) => Ok(done),
            Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
                Err(Error::os(Status::Invalid, "WriteFile", &e))
            }
            Err(e) if is_broken(&e) => Err(self.fail(Status::Broken, "WriteFile", &e)),
            Err(e) => Err(self.fail(Status::Other, "WriteFile", &e)),
        }
    }

    /// Sends a whole message; `Full` if the reader has not taken it within `timeout`.
    pub fn write(&mut self, data: &[u8], timeout: Option<Duration>) -> Result<()> {
        self.check_alive()?;
        if self.pipe.sending() {
            return Err(Error::new(
                Status::Invalid,
                "a message is partly sent: finish it or close the pipe",
            ));
        }
        match self.pipe.write_all(data, timeout) {
            Ok(WriteOutcome::Done) => Ok(()),
            Ok(WriteOutcome::TimedOut { sent }) => {
                let err = Error::new(
                    Status::Full,
                    format!(
                        "write timed out after {} ms: the other side does not read ({sent} of {} bytes sent)",
                        timeout.unwrap_or_default().as_millis(),
                        data.len()
                    ),
                );
                if sent > 0 {
                    self.dead = true;
                }
                Err(err)
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
                Err(Error::os(Status::Invalid, "WriteFile", &e))
            }
            Err(e) if is_broken(&e) => Err(self.fail(Status::Broken, "WriteFile", &e)),
            Err(e) => Err(self.fail(Status::Other, "WriteFile", &e)),
        }
    }
}

/// The executable of process `pid` (`QueryFullProcessImageNameW`).
pub fn process_exe(pid: u32) -> Result<std::path::PathBuf> {
    sys::process_image(pid).map(Into::into).map_err(|e| {
        Error::os(
            Status::Other,
            &format!("reading the image of process {pid}"),
            &e,
        )
    })
}

/// Opens `\\.\pipe\<name>` as a client.
pub fn connect(name: &str) -> Result<Conn> {
    let path = pipe_path(name)?;
    let w = sys::wide(&path);
    let what = format!("opening {path}");
    match MsgPipe::open(&w) {
        Ok(pipe) => Ok(Conn { pipe, dead: false }),
        Err(e) => {
            let status = match e.raw_os_error() {
                Some(ERROR_FILE_NOT_FOUND) | Some(ERROR_PATH_NOT_FOUND) => Status::NoServer,
                Some(ERROR_ACCESS_DENIED) => Status::AccessDenied,
                Some(ERROR_INVALID_NAME) | Some(ERROR_BAD_PATHNAME) => Status::Invalid,
                // Every instance is taken. No WaitNamedPipe: the caller is a game frame
                // and tries again on a later one.
                Some(ERROR_PIPE_BUSY) => {
                    return Err(Error::os(Status::Busy, &format!("{what}: server busy"), &e));
                }
                _ => Status::Other,
            };
            Err(Error::os(status, &what, &e))
        }
    }
}

/// A served pipe name: always one spare instance waiting for the next client.
#[derive(Debug)]
pub struct Listener {
    path: Vec<u16>,
    security: Security,
    spare: MsgPipe,
}

impl Listener {
    /// Creates the first instance of `\\.\pipe\<name>`. Its DACL grants the current
    /// user and SYSTEM full access (protected: nothing inherited), so a client running
    /// as the same user is never refused.
    pub fn bind(name: &str) -> Result<Listener> {
        let path = pipe_path(name)?;
        let sid = sys::current_user_sid()
            .map_err(|e| Error::os(Status::Other, "reading the user SID", &e))?;
        let security = Security::from_sddl(&format!("D:P(A;;GA;;;{sid})(A;;GA;;;SY)"))
            .map_err(|e| Error::os(Status::Other, "building the pipe DACL", &e))?;
        let w = sys::wide(&path);
        // FILE_FLAG_FIRST_PIPE_INSTANCE refuses a name that is already served on
        // Windows, but Wine 8 ignores the flag; asking WaitNamedPipe first catches a live
        // server there too (it fails with "file not found" only when nobody serves).
        match sys::wait_named_pipe(&w, Duration::from_millis(1)) {
            Err(e) if e.raw_os_error() == Some(ERROR_FILE_NOT_FOUND) => {}
            _ => {
                return Err(Error::new(
                    Status::Other,
                    format!("cannot serve {path}: another server serves that name"),
                ))
            }
        }
        let spare = MsgPipe::create(&w, true, &security).map_err(|e| {
            let what = if e.raw_os_error() == Some(ERROR_ACCESS_DENIED) {
                format!("cannot serve {path}: another server serves that name")
            } else {
                format!("creating {path}")
            };
            Error::os(Status::Other, &what, &e)
        })?;
        Ok(Listener {
            path: w,
            security,
            spare,
        })
    }

    /// Accepts one client, waiting at most `timeout` (`None` = forever).
    pub fn accept(&mut self, timeout: Option<Duration>) -> Result<Option<Conn>> {
        let deadline = Deadline::after(timeout);
        loop {
            match self.spare.connect_step() {
                Ok(true) => {
                    let next = MsgPipe::create(&self.path, false, &self.security).map_err(|e| {
                        Error::os(Status::Other, "creating the next pipe instance", &e)
                    })?;
                    let pipe = std::mem::replace(&mut self.spare, next);
                    return Ok(Some(Conn { pipe, dead: false }));
                }
                Ok(false) => {}
                // A client connected and left before we looked: start over with a
                // fresh instance.
                Err(e) if e.raw_os_error() == Some(ERROR_NO_DATA) => {
                    self.spare = MsgPipe::create(&self.path, false, &self.security)
                        .map_err(|e| Error::os(Status::Other, "creating a pipe instance", &e))?;
                    continue;
                }
                Err(e) => return Err(Error::os(Status::Other, "ConnectNamedPipe", &e)),
            }
            let Some(rest) = deadline.remaining() else {
                return Ok(None);
            };
            self.spare
                .wait_connect(rest)
                .map_err(|e| Error::os(Status::Other, "WaitForSingleObject", &e))?;
        }
    }
}
