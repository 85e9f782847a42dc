//! Safe wrappers over the few libc calls the Linux transport needs.
//!
//! This file (with `sys/windows.rs` and `abi.rs`) is where the crate's `unsafe` lives.
//! Every function here takes and returns only safe Rust types (`OwnedFd`, slices,
//! `Vec`), so the framing and error mapping above it are plain safe code.
//!
//! All sockets are created close-on-exec so a host process that spawns children does
//! not leak pipe ends into them.

use std::io;
use std::mem::{size_of, MaybeUninit};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::time::Duration;

fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn cvt_size(ret: libc::ssize_t) -> io::Result<usize> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret as usize)
    }
}

/// CPU time the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`: the scheduler's
/// account brought up to date by the call, nanosecond resolution).
pub fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid, writable timespec for the duration of the call.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } != 0 {
        return None;
    }
    Some(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

/// Makes the calling thread, and every thread and process it starts afterwards,
/// `SCHED_BATCH`: its wake-ups never preempt the thread running on the CPU it wakes on
/// (the game's), they wait for that thread's turn to end or for a free CPU. AF_UNIX
/// wakes a reader "synchronously", on the writer's CPU, so a normal server woken by
/// the game's write takes the game thread's CPU away mid-frame on a busy machine.
pub fn yield_on_wakeup() -> io::Result<()> {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: pid 0 is the calling thread; param is a valid sched_param for the call.
    if unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The real user id of this process.
pub fn getuid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The process id of the peer of a connected `AF_UNIX` socket (`SO_PEERCRED`: the
/// process that called `connect()`).
pub fn peer_pid(fd: BorrowedFd<'_>) -> io::Result<u32> {
    let mut cred = MaybeUninit::<libc::ucred>::zeroed();
    let mut len = size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: cred has room for a ucred and len says so; the kernel writes at most len.
    cvt(unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            cred.as_mut_ptr().cast(),
            &mut len,
        )
    })?;
    // SAFETY: zero-initialised and (partly) filled by the kernel: every bit pattern of
    // ucred (three integers) is valid.
    let cred = unsafe { cred.assume_init() };
    Ok(cred.pid as u32)
}

/// A new `AF_UNIX` `SOCK_SEQPACKET` socket, close-on-exec, optionally non-blocking.
pub fn seqpacket_socket(nonblocking: bool) -> io::Result<OwnedFd> {
    let mut ty = libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC;
    if nonblocking {
        ty |= libc::SOCK_NONBLOCK;
    }
    // SAFETY: plain syscall with integer arguments.
    let fd = cvt(unsafe { libc::socket(libc::AF_UNIX, ty, 0) })?;
    // SAFETY: fd was just returned by socket() and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Fills a `sockaddr_un` for a filesystem path.
fn sockaddr(path: &Path) -> io::Result<(libc::sockaddr_un, libc::socklen_t)> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    // SAFETY: sockaddr_un is plain old data; all-zero is a valid value.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    // Keep one byte for the terminating NUL (already zero).
    if bytes.len() >= addr.sun_path.len() || bytes.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "socket path too long or contains NUL",
        ));
    }
    for (dst, src) in addr.sun_path.iter_mut().zip(bytes) {
        *dst = *src as libc::c_char;
    }
    let len = size_of::<libc::sa_family_t>() + bytes.len() + 1;
    Ok((addr, len as libc::socklen_t))
}

/// `connect()` to a socket path.
pub fn connect(fd: BorrowedFd<'_>, path: &Path) -> io::Result<()> {
    let (addr, len) = sockaddr(path)?;
    // SAFETY: addr is a valid sockaddr_un of `len` bytes living across the call.
    cvt(unsafe {
        libc::connect(
            fd.as_raw_fd(),
            &addr as *const libc::sockaddr_un as *const libc::sockaddr,
            len,
        )
    })?;
    Ok(())
}

/// `bind()` to a socket path, then `listen()`.
pub fn bind_listen(fd: BorrowedFd<'_>, path: &Path, backlog: i32) -> io::Result<()> {
    let (addr, len) = sockaddr(path)?;
    // SAFETY: addr is a valid sockaddr_un of `len` bytes living across the call.
    cvt(unsafe {
        libc::bind(
            fd.as_raw_fd(),
            &addr as *const libc::sockaddr_un as *const libc::sockaddr,
            len,
        )
    })?;
    // SAFETY: plain syscall with integer arguments.
    cvt(unsafe { libc::listen(fd.as_raw_fd(), backlog) })?;
    Ok(())
}

/// `accept4()`: the new connection is non-blocking and close-on-exec.
pub fn accept(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    // SAFETY: NULL address pointers are allowed (we do not want the peer address).
    let new = cvt(unsafe {
        libc::accept4(
            fd.as_raw_fd(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
        )
    })?;
    // SAFETY: new was just returned by accept4() and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

/// Sends one packet made of a one-byte header and a payload, without blocking and
/// without SIGPIPE (a dead peer must give `EPIPE`, not kill the game).
/// Returns the bytes sent (always all of them: SEQPACKET is all or nothing).
pub fn send_packet(fd: BorrowedFd<'_>, head: u8, payload: &[u8]) -> io::Result<usize> {
    let head = [head];
    // Two iovecs so the payload is sent straight from the caller's buffer.
    let mut iov = [
        libc::iovec {
            iov_base: head.as_ptr() as *mut libc::c_void,
            iov_len: 1,
        },
        libc::iovec {
            iov_base: payload.as_ptr() as *mut libc::c_void,
            iov_len: payload.len(),
        },
    ];
    // SAFETY: msghdr is plain old data; all-zero means "no address, no control data".
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov.as_mut_ptr();
    msg.msg_iovlen = iov.len() as _;
    // SAFETY: msg points at two iovecs over live buffers; the kernel only reads them.
    cvt_size(unsafe {
        libc::sendmsg(
            fd.as_raw_fd(),
            &msg,
            libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL,
        )
    })
}

/// What [`recv_packet`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packet {
    /// The peer closed the connection (zero-byte read: every framed packet has at
    /// least its header byte, so this cannot be a message).
    Eof,
    /// A packet: its header byte and how many payload bytes were written to the
    /// destination. `truncated` means the packet was larger than the room offered and
    /// its tail is lost.
    Data {
        head: u8,
        payload: usize,
        truncated: bool,
    },
}

/// Receives one packet without blocking: the first byte goes to the header, the rest
/// into `dst` (the payload's room).
pub fn recv_packet(fd: BorrowedFd<'_>, dst: &mut [u8]) -> io::Result<Packet> {
    let mut head = [0u8; 1];
    let mut iov = [
        libc::iovec {
            iov_base: head.as_mut_ptr() as *mut libc::c_void,
            iov_len: 1,
        },
        libc::iovec {
            iov_base: dst.as_mut_ptr() as *mut libc::c_void,
            iov_len: dst.len(),
        },
    ];
    // SAFETY: msghdr is plain old data; all-zero means "no address, no control data".
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov.as_mut_ptr();
    msg.msg_iovlen = iov.len() as _;
    // SAFETY: the iovecs cover `head` and `dst`, both writable and alive across the call.
    let n = cvt_size(unsafe { libc::recvmsg(fd.as_raw_fd(), &mut msg, libc::MSG_DONTWAIT) })?;
    if n == 0 {
        return Ok(Packet::Eof);
    }
    Ok(Packet::Data {
        head: head[0],
        payload: n - 1,
        truncated: msg.msg_flags & libc::MSG_TRUNC != 0,
    })
}

/// A growable byte buffer in an anonymous memory mapping of its own. It grows with
/// `mremap`, which moves page-table entries instead of bytes: a Vec that doubles copies
/// everything received so far in one go (8 MiB, some milliseconds, while a 16 MiB
/// message comes in), which one game frame must not pay. Kept across messages, its
/// pages are also already mapped when the next message comes.
///
/// Anonymous mappings start zero-filled, so every byte below the capacity is
/// initialised: [`MapBuf::spare`] can hand out plain `&mut [u8]`.
#[derive(Debug)]
pub struct MapBuf {
    ptr: *mut u8,
    len: usize,
    cap: usize,
}

// SAFETY: the mapping is owned by the MapBuf alone and only touched through it; moving it
// to another thread moves that ownership.
unsafe impl Send for MapBuf {}

/// Mappings grow in steps of this size (a multiple of every page size Linux uses on
/// x86_64 and arm64).
const MAP_GRAIN: usize = 64 * 1024;

impl MapBuf {
    /// An empty buffer; maps nothing until the first [`MapBuf::spare`].
    pub const fn new() -> MapBuf {
        MapBuf {
            ptr: std::ptr::null_mut(),
            len: 0,
            cap: 0,
        }
    }

    /// The bytes kept so far.
    pub fn as_slice(&self) -> &[u8] {
        if self.cap == 0 {
            return &[];
        }
        // SAFETY: ptr maps cap >= len bytes, all initialised (zero-filled or written).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Forgets the bytes, keeps the mapping for the next message.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Gives the mapping back to the system.
    pub fn release(&mut self) {
        if self.cap != 0 {
            // SAFETY: ptr/cap describe a mapping this buffer made and nobody else uses.
            unsafe { libc::munmap(self.ptr.cast(), self.cap) };
        }
        // Fields, not `*self = MapBuf::new()`: that would drop (and release) self again.
        self.ptr = std::ptr::null_mut();
        self.len = 0;
        self.cap = 0;
    }

    /// Room for `want` more bytes after the kept ones (the capacity at least doubles
    /// when it grows). Write into it, then [`MapBuf::commit`] what was written.
    pub fn spare(&mut self, want: usize) -> io::Result<&mut [u8]> {
        let need = self
            .len
            .checked_add(want)
            .ok_or_else(|| io::Error::new(io::ErrorKind::OutOfMemory, "message too large"))?;
        if need > self.cap {
            let cap = need
                .max(self.cap.saturating_mul(2))
                .checked_next_multiple_of(MAP_GRAIN)
                .ok_or_else(|| io::Error::new(io::ErrorKind::OutOfMemory, "message too large"))?;
            let new = if self.cap == 0 {
                // SAFETY: a fresh private anonymous mapping; no address hint.
                unsafe {
                    libc::mmap(
                        std::ptr::null_mut(),
                        cap,
                        libc::PROT_READ | libc::PROT_WRITE,
                        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                        -1,
                        0,
                    )
                }
            } else {
                // SAFETY: ptr/cap is our own mapping; MREMAP_MAYMOVE may move it, and
                // nothing holds a pointer into it across this call (`&mut self`).
                unsafe { libc::mremap(self.ptr.cast(), self.cap, cap, libc::MREMAP_MAYMOVE) }
            };
            if new == libc::MAP_FAILED {
                return Err(io::Error::last_os_error());
            }
            self.ptr = new.cast();
            self.cap = cap;
        }
        if self.cap == 0 {
            return Ok(&mut []); // want == 0 and nothing mapped yet
        }
        // SAFETY: [len, len + want) lies inside the mapping (need <= cap), is
        // initialised (see the type's docs) and borrowed mutably through `&mut self`.
        Ok(unsafe { std::slice::from_raw_parts_mut(self.ptr.add(self.len), want) })
    }

    /// Counts `n` bytes written into the room of the last [`MapBuf::spare`] as kept.
    pub fn commit(&mut self, n: usize) {
        assert!(n <= self.cap - self.len, "commit beyond the mapped room");
        self.len += n;
    }
}

impl Default for MapBuf {
    fn default() -> Self {
        MapBuf::new()
    }
}

impl Drop for MapBuf {
    fn drop(&mut self) {
        self.release();
    }
}

/// `ppoll()` on one descriptor; returns the `revents` (0 on timeout).
/// `timeout` `None` waits forever. `EINTR` is retried by the caller's loop (returns 0).
/// `ppoll` rather than `poll`: its timeout has nanoseconds, so a wait within a 250 µs
/// step is not rounded up to a whole millisecond.
pub fn poll(fd: BorrowedFd<'_>, events: i16, timeout: Option<Duration>) -> io::Result<i16> {
    let ts = timeout.map(|t| libc::timespec {
        tv_sec: t.as_secs().min(libc::time_t::MAX as u64) as libc::time_t,
        tv_nsec: t.subsec_nanos() as _,
    });
    let ts_ptr = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events,
        revents: 0,
    };
    // SAFETY: pfd is one valid pollfd and ts_ptr NULL or a valid timespec, both living
    // across the call; a NULL signal mask leaves the mask alone.
    match cvt(unsafe { libc::ppoll(&mut pfd, 1, ts_ptr, std::ptr::null()) }) {
        Ok(_) => Ok(pfd.revents),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(0),
        Err(e) => Err(e),
    }
}

pub use libc::{POLLIN, POLLOUT};

#[cfg(test)]
mod tests {
    use super::MapBuf;

    #[test]
    fn map_buf_keeps_its_bytes_while_it_grows_and_after_clear() {
        let mut b = MapBuf::new();
        assert!(b.as_slice().is_empty());
        let mut expect = Vec::new();
        for i in 0..40u32 {
            // Uneven pieces, so growth happens in the middle of a piece's room.
            let piece: Vec<u8> = (0..(i as usize * 9973 % 70_000))
                .map(|j| (j as u32 ^ i) as u8)
                .collect();
            b.spare(piece.len()).unwrap()[..piece.len()].copy_from_slice(&piece);
            b.commit(piece.len());
            expect.extend_from_slice(&piece);
            assert!(b.as_slice() == expect.as_slice(), "after piece {i}");
        }
        let cap = b.capacity();
        assert!(cap >= expect.len() && cap.is_multiple_of(64 * 1024));
        b.clear();
        assert!(b.is_empty());
        assert_eq!(b.capacity(), cap, "clear keeps the mapping");
        b.spare(3).unwrap().copy_from_slice(b"abc");
        b.commit(3);
        assert_eq!(b.as_slice(), b"abc");
        b.release();
        assert_eq!((b.len(), b.capacity()), (0, 0));
    }
}
