//! Linux transport: `AF_UNIX` `SOCK_SEQPACKET` with a one-byte chunk framing.
//!
//! SEQPACKET keeps packet boundaries (like Windows message mode), but one packet must
//! fit the socket send buffer (about 200 KiB by default), while messages go up to
//! 16 MiB and beyond. So a message travels as one or more packets:
//!
//! ```text
//! packet = head (1 byte) + payload (0 ..= 65536 bytes)
//! head   = 0x00  last packet of the message   (a whole small message is one such packet)
//!          0x01  more packets of this message follow
//! ```
//!
//! A zero-length message is a single packet `[0x00]`. Because every packet carries at
//! least its head byte, a zero-byte read means only one thing: the peer closed. Other
//! head values are reserved and treated as a protocol error. This is the Linux analogue
//! of Windows' `ERROR_MORE_DATA`: readers keep appending until the `last` packet.

use crate::deadline::Deadline;
use crate::name::socket_path;
use crate::status::{Error, Result, Status};
use crate::sys::{self, MapBuf, Packet};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Head byte: the message ends with this packet.
pub const HEAD_LAST: u8 = 0x00;
/// Head byte: more packets of the same message follow.
pub const HEAD_MORE: u8 = 0x01;
/// Largest payload in one packet. 64 KiB keeps several packets in flight within the
/// default send buffer while the per-packet syscall cost stays small.
pub const MAX_PAYLOAD: usize = 64 * 1024;

use super::STEP_TIME;

/// A kept receive buffer larger than this is given back when a message much smaller
/// than it has been delivered (a one-off large message does not pin its memory).
const KEEP_BUFFER: usize = 1 << 20;

fn is_broken(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EPIPE) | Some(libc::ECONNRESET) | Some(libc::ENOTCONN) | Some(libc::ESHUTDOWN)
    )
}

/// One connected message pipe (client end or accepted server end).
#[derive(Debug)]
pub struct Conn {
    fd: OwnedFd,
    /// Payload of the message coming in; once `complete`, the message handed out by
    /// [`Conn::receive`], until the next call.
    buf: MapBuf,
    complete: bool,
    /// Set after a failure that leaves the stream unusable (peer gone, half-sent or
    /// half-read message): every later call reports `Broken` instead of guessing.
    dead: bool,
    /// A message of `send_step` is partly out: nothing else may be sent before its rest.
    sending: bool,
}

impl Conn {
    fn new(fd: OwnedFd) -> Conn {
        Conn {
            fd,
            buf: MapBuf::new(),
            complete: false,
            dead: false,
            sending: false,
        }
    }

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

    fn fail(&mut self, err: Error) -> Error {
        self.dead = true;
        err
    }

    /// Returns a whole message if one has arrived, `None` if not (yet). Never blocks;
    /// see [`Conn::receive`].
    pub fn try_read(&mut self) -> Result<Option<Vec<u8>>> {
        Ok(self.receive()?.map(<[u8]>::to_vec))
    }

    /// Returns a whole message if one has arrived, borrowed from the pipe until the
    /// next call, or `None` if not (yet). Packets of a message that is still arriving
    /// are kept until it is complete. One call takes in what has arrived, for at most
    /// about [`STEP_TIME`], and never waits for more (a wait in the game thread costs the
    /// frame the wake-up too, which takes milliseconds on a busy machine).
    pub fn receive(&mut self) -> Result<Option<&[u8]>> {
        self.check_alive()?;
        if self.complete {
            // The caller is done with the last message: keep the memory for the next,
            // unless that one was much smaller than what is kept.
            self.complete = false;
            if self.buf.capacity() > KEEP_BUFFER && self.buf.len() < self.buf.capacity() / 4 {
                self.buf.release();
            }
            self.buf.clear();
        }
        let deadline = Instant::now() + STEP_TIME;
        loop {
            let room = match self.buf.spare(MAX_PAYLOAD) {
                Ok(room) => room,
                Err(e) => return Err(self.fail(Error::os(Status::Other, "mremap", &e))),
            };
            match sys::recv_packet(self.fd.as_fd(), room) {
                Ok(Packet::Eof) => {
                    let what = if self.buf.is_empty() {
                        "the other side closed the pipe"
                    } else {
                        "the other side closed the pipe in the middle of a message"
                    };
                    return Err(self.fail(Error::new(Status::Broken, what)));
                }
                Ok(Packet::Data {
                    truncated: true, ..
                }) => {
                    return Err(self.fail(Error::new(
                        Status::Other,
                        format!(
                            "protocol error: a packet was larger than {MAX_PAYLOAD}+1 bytes \
                             (the peer does not use the x4pipe chunk framing)"
                        ),
                    )));
                }
                Ok(Packet::Data {
                    head: HEAD_LAST,
                    payload,
                    ..
                }) => {
                    self.buf.commit(payload);
                    self.complete = true;
                    return Ok(Some(self.buf.as_slice()));
                }
                Ok(Packet::Data {
                    head: HEAD_MORE,
                    payload,
                    ..
                }) => {
                    self.buf.commit(payload);
                    if Instant::now() >= deadline {
                        return Ok(None);
                    }
                }
                Ok(Packet::Data { head, .. }) => {
                    return Err(self.fail(Error::new(
                        Status::Other,
                        format!("protocol error: unknown packet head byte {head:#04x}"),
                    )));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_broken(&e) => {
                    return Err(self.fail(Error::os(Status::Broken, "recvmsg", &e)));
                }
                Err(e) => return Err(self.fail(Error::os(Status::Other, "recvmsg", &e))),
            }
        }
    }

    /// The process id of the other end (the process that connected).
    pub fn peer_pid(&self) -> Result<u32> {
        sys::peer_pid(self.fd.as_fd()).map_err(|e| Error::os(Status::Other, "SO_PEERCRED", &e))
    }

    /// Waits until something can be read (a packet, or the peer closing), at most
    /// `timeout` (`None` = forever). `Ok(false)` on timeout.
    pub fn wait_readable(&self, timeout: Option<Duration>) -> Result<bool> {
        self.check_alive()?;
        let revents = sys::poll(self.fd.as_fd(), sys::POLLIN, timeout)
            .map_err(|e| Error::os(Status::Other, "poll", &e))?;
        Ok(revents != 0)
    }

    /// Sends a whole message. When the socket buffer is full it waits with `poll()`,
    /// but the whole message must be out before `timeout` has passed since the call
    /// (`None` = no limit), else `Full`. If part of the message went out before
    /// that, the pipe is unusable afterwards (the peer holds half a message).
    pub fn write(&mut self, data: &[u8], timeout: Option<Duration>) -> Result<()> {
        self.check_alive()?;
        self.check_not_sending()?;
        let deadline = Deadline::after(timeout);
        let count = data.len().div_ceil(MAX_PAYLOAD).max(1);
        for (i, chunk) in data
            .chunks(MAX_PAYLOAD)
            .chain(data.is_empty().then_some(data))
            .enumerate()
        {
            let head = if i + 1 < count { HEAD_MORE } else { HEAD_LAST };
            loop {
                match sys::send_packet(self.fd.as_fd(), head, chunk) {
                    Ok(_) => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        let Some(rest) = deadline.remaining() else {
                            let err = Error::new(
                                Status::Full,
                                format!(
                                    "write timed out after {} ms: the other side does not read \
                                     ({i} of {count} packets sent)",
                                    timeout.unwrap_or_default().as_millis()
                                ),
                            );
                            return Err(if i > 0 { self.fail(err) } else { err });
                        };
                        // Any revents (POLLOUT, or POLLHUP/POLLERR for a dead peer) means
                        // "try again": the next send tells which.
                        sys::poll(self.fd.as_fd(), sys::POLLOUT, rest)
                            .map_err(|e| self.fail(Error::os(Status::Other, "poll", &e)))?;
                    }
                    Err(e) if is_broken(&e) => {
                        return Err(self.fail(Error::os(Status::Broken, "sendmsg", &e)));
                    }
                    Err(e) => return Err(self.fail(Error::os(Status::Other, "sendmsg", &e))),
                }
            }
        }
        Ok(())
    }
    fn check_not_sending(&self) -> Result<()> {
        if self.sending {
            Err(Error::new(
                Status::Invalid,
                "a message is partly sent: finish it (same data, same progress) or close the pipe",
            ))
        } else {
            Ok(())
        }
    }

    /// Sends a whole message in steps, never waiting: each call sends what the socket
    /// takes now, for at most about [`STEP_TIME`], and returns `Ok(true)` once the last
    /// packet is out. `progress` (0 for a new message) is the caller's bookmark: pass the
    /// same data and the updated `progress` until done. A pipe whose reader takes
    /// nothing costs one `sendmsg` per call.
    pub fn send_step(&mut self, data: &[u8], progress: &mut usize) -> Result<bool> {
        self.check_alive()?;
        if *progress == 0 {
            self.check_not_sending()?;
        } else if *progress > data.len() || !self.sending {
            return Err(Error::new(
                Status::Invalid,
                "send progress does not belong to the message in flight",
            ));
        }
        let count = data.len().div_ceil(MAX_PAYLOAD).max(1);
        // Progress counts whole packets of payload (the last one may be short).
        let mut i = progress.div_ceil(MAX_PAYLOAD);
        let deadline = Instant::now() + STEP_TIME;
        while i < count {
            let end = ((i + 1) * MAX_PAYLOAD).min(data.len());
            let chunk = &data[i * MAX_PAYLOAD..end];
            let head = if i + 1 < count { HEAD_MORE } else { HEAD_LAST };
            match sys::send_packet(self.fd.as_fd(), head, chunk) {
                Ok(_) => {
                    i += 1;
                    *progress = end;
                    self.sending = i < count;
                    if self.sending && Instant::now() >= deadline {
                        return Ok(false);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if is_broken(&e) => {
                    return Err(self.fail(Error::os(Status::Broken, "sendmsg", &e)));
                }
                Err(e) => return Err(self.fail(Error::os(Status::Other, "sendmsg", &e))),
            }
        }
        self.sending = false;
        Ok(true)
    }
}

/// The executable of process `pid` (`/proc/<pid>/exe`).
pub fn process_exe(pid: u32) -> Result<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe"))
        .map_err(|e| Error::os(Status::Other, &format!("reading /proc/{pid}/exe"), &e))
}

/// Connects to the server of `name` (client side). The returned pipe is non-blocking.
pub fn connect(name: &str) -> Result<Conn> {
    let path = socket_path(name)?;
    let what = format!("connecting to {}", path.display());
    // Non-blocking from the start: connect returns at once, also when the server's
    // backlog is full (EAGAIN: busy, the caller tries again on a later frame).
    let fd = sys::seqpacket_socket(true).map_err(|e| Error::os(Status::Other, "socket", &e))?;
    if let Err(e) = sys::connect(fd.as_fd(), &path) {
        let status = match e.raw_os_error() {
            Some(libc::ENOENT) | Some(libc::ECONNREFUSED) => Status::NoServer,
            Some(libc::EACCES) | Some(libc::EPERM) => Status::AccessDenied,
            Some(libc::EAGAIN) | Some(libc::EINPROGRESS) => {
                return Err(Error::os(
                    Status::Busy,
                    &format!("{what}: server busy (backlog full)"),
                    &e,
                ));
            }
            Some(libc::EPROTOTYPE) => {
                return Err(Error::os(
                    Status::Other,
                    &format!("{what}: not a SEQPACKET socket"),
                    &e,
                ));
            }
            _ => Status::Other,
        };
        return Err(Error::os(status, &what, &e));
    }
    Ok(Conn::new(fd))
}

/// A listening socket (server side).
#[derive(Debug)]
pub struct Listener {
    fd: OwnedFd,
    path: PathBuf,
    /// (device, inode) of the socket file we bound, so dropping removes our file only,
    /// never the one of a newer server that took the name over.
    file_id: (u64, u64),
}

impl Listener {
    /// Creates the socket `<socket_dir>/<name>` and listens. A stale socket file left by
    /// a crashed server is replaced; a live server on the name is an error.
    pub fn bind(name: &str) -> Result<Listener> {
        let path = socket_path(name)?;
        let fd = sys::seqpacket_socket(true).map_err(|e| Error::os(Status::Other, "socket", &e))?;
        if let Err(e) = sys::bind_listen(fd.as_fd(), &path, 16) {
            if e.kind() != io::ErrorKind::AddrInUse {
                return Err(Error::os(
                    Status::Other,
                    &format!("binding {}", path.display()),
                    &e,
                ));
            }
            remove_stale(&path)?;
            sys::bind_listen(fd.as_fd(), &path, 16).map_err(|e| {
                Error::os(Status::Other, &format!("binding {}", path.display()), &e)
            })?;
        }
        let meta =
            std::fs::metadata(&path).map_err(|e| Error::os(Status::Other, "stat socket", &e))?;
        Ok(Listener {
            fd,
            path,
            file_id: (meta.dev(), meta.ino()),
        })
    }

    /// Accepts one client, waiting at most `timeout` (`None` = forever).
    /// `Ok(None)` on timeout.
    pub fn accept(&self, timeout: Option<Duration>) -> Result<Option<Conn>> {
        let deadline = Deadline::after(timeout);
        loop {
            match sys::accept(self.fd.as_fd()) {
                Ok(fd) => return Ok(Some(Conn::new(fd))),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // A client that gave up while queued: just take the next one.
                Err(e) if e.raw_os_error() == Some(libc::ECONNABORTED) => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let Some(rest) = deadline.remaining() else {
                        return Ok(None);
                    };
                    sys::poll(self.fd.as_fd(), sys::POLLIN, rest)
                        .map_err(|e| Error::os(Status::Other, "poll", &e))?;
                }
                Err(e) => return Err(Error::os(Status::Other, "accept", &e)),
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Ok(meta) = std::fs::symlink_metadata(&self.path) {
            if (meta.dev(), meta.ino()) == self.file_id {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

/// `bind` found the socket file taken: remove it if nobody listens there any more.
fn remove_stale(path: &std::path::Path) -> Result<()> {
    let taken = |why: &str| {
        Err(Error::new(
            Status::Other,
            format!("cannot serve {}: {why}", path.display()),
        ))
    };
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => {}
        Ok(_) => return taken("a file that is not a socket has that name"),
        Err(_) => return Ok(()), // gone meanwhile: just bind again
    }
    let probe = sys::seqpacket_socket(true).map_err(|e| Error::os(Status::Other, "socket", &e))?;
    match sys::connect(probe.as_fd(), path) {
        Ok(()) => taken("another server is listening on that name"),
        Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => {
            taken("another server is listening on that name")
        }
        Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => std::fs::remove_file(path)
            .or_else(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(e)
                }
            })
            .map_err(|e| Error::os(Status::Other, "removing stale socket", &e)),
        Err(e) => Err(Error::os(Status::Other, "probing existing socket", &e)),
    }
}
