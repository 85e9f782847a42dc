//! Safe wrappers over the Win32 named-pipe calls.
//!
//! This file (with `sys/unix.rs` and `abi.rs`) is where the crate's `unsafe` lives.
//!
//! All pipe handles are opened for **overlapped** I/O. That is what makes the client's
//! contract possible on Windows without `PIPE_NOWAIT` (which cannot send a message
//! larger than the pipe buffer):
//! - reads never block: a read that finds no data stays pending inside [`MsgPipe`] and
//!   is polled with `GetOverlappedResult(.., FALSE)` on the next call;
//! - writes can wait for a reader as long as the write timeout, then be cancelled with
//!   `CancelIoEx`.
//!
//! The soundness rule for overlapped I/O is that the `OVERLAPPED` and the buffer must
//! stay valid until the kernel is done with them. Here every `OVERLAPPED` is boxed (a
//! stable address) and owned by the [`MsgPipe`] together with the read buffer; a write
//! borrows the caller's data but never returns while the write is in flight (it waits
//! for completion or for the cancellation to finish); and `Drop` cancels and waits for
//! every pending operation before the handle and buffers go away.

use std::io;
use std::ptr::{null, null_mut};
use std::time::{Duration, Instant};

use windows_sys::core::BOOL;
use windows_sys::Win32::Foundation::{
    CloseHandle, GetLastError, LocalFree, ERROR_INSUFFICIENT_BUFFER, ERROR_IO_INCOMPLETE,
    ERROR_IO_PENDING, ERROR_MORE_DATA, ERROR_OPERATION_ABORTED, ERROR_PIPE_CONNECTED, FILETIME,
    GENERIC_READ, GENERIC_WRITE, HANDLE, INVALID_HANDLE_VALUE, WAIT_OBJECT_0, WAIT_TIMEOUT,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
};
use windows_sys::Win32::Security::{
    GetTokenInformation, TokenUser, PSECURITY_DESCRIPTOR, SECURITY_ATTRIBUTES, TOKEN_QUERY,
    TOKEN_USER,
};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, ReadFile, WriteFile, FILE_FLAG_FIRST_PIPE_INSTANCE, FILE_FLAG_OVERLAPPED,
    FILE_SHARE_NONE, OPEN_EXISTING, PIPE_ACCESS_DUPLEX, SECURITY_IDENTIFICATION,
    SECURITY_SQOS_PRESENT,
};
use windows_sys::Win32::System::Pipes::{
    ConnectNamedPipe, CreateNamedPipeW, GetNamedPipeClientProcessId, PeekNamedPipe,
    SetNamedPipeHandleState, WaitNamedPipeW, PIPE_READMODE_MESSAGE, PIPE_REJECT_REMOTE_CLIENTS,
    PIPE_TYPE_MESSAGE, PIPE_UNLIMITED_INSTANCES, PIPE_WAIT,
};
use windows_sys::Win32::System::Threading::{
    CreateEventW, GetCurrentProcess, GetCurrentThread, GetThreadTimes, OpenProcess,
    OpenProcessToken, QueryFullProcessImageNameW, SetProcessPriorityBoost, WaitForSingleObject,
    INFINITE, PROCESS_NAME_WIN32, PROCESS_QUERY_LIMITED_INFORMATION,
};
use windows_sys::Win32::System::IO::{CancelIoEx, GetOverlappedResult, OVERLAPPED};

/// Size of the first read of a message, and of each pipe buffer the server asks for.
const CHUNK: usize = 64 * 1024;
/// Largest single read of a long message, or copy of a step-wise send, so that a step
/// stops close to its time.
const STEP_CHUNK: usize = 256 * 1024;
/// A kept read buffer larger than this is given back when a message much smaller than
/// it has been delivered (a one-off large message does not pin its memory).
const KEEP_BUFFER: usize = 1 << 20;

fn last_error() -> io::Error {
    io::Error::last_os_error()
}

/// A NUL-terminated UTF-16 copy of `s`.
pub fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(Some(0)).collect()
}

/// Milliseconds for a Win32 wait; `None` is INFINITE. Rounded up so a short rest does
/// not become a busy zero-wait loop.
fn millis(t: Option<Duration>) -> u32 {
    match t {
        None => INFINITE,
        Some(t) => t.as_micros().div_ceil(1000).min(u128::from(INFINITE - 1)) as u32,
    }
}

/// An owned kernel handle, closed on drop.
#[derive(Debug)]
struct Owned(HANDLE);

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: the handle is valid and owned by us alone; closed exactly once.
        unsafe { CloseHandle(self.0) };
    }
}

/// One overlapped operation: the boxed `OVERLAPPED` (stable address while the kernel
/// holds it) and its manual-reset event.
struct Slot {
    ov: Box<OVERLAPPED>,
    event: Owned,
    pending: bool,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot")
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl Slot {
    fn new() -> io::Result<Slot> {
        // SAFETY: default security, manual reset, not signalled, unnamed.
        let ev = unsafe { CreateEventW(null(), 1, 0, null()) };
        if ev.is_null() {
            return Err(last_error());
        }
        let event = Owned(ev);
        let mut ov: Box<OVERLAPPED> = Box::default();
        ov.hEvent = event.0;
        Ok(Slot {
            ov,
            event,
            pending: false,
        })
    }

    /// A fresh `OVERLAPPED` for the next operation (offsets are unused on pipes, but the
    /// status fields must not carry over from the last operation).
    fn reset(&mut self) -> *mut OVERLAPPED {
        let event = self.ov.hEvent;
        *self.ov = OVERLAPPED::default();
        self.ov.hEvent = event;
        &mut *self.ov
    }

    /// Waits for the event; `Ok(false)` on timeout.
    fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        // SAFETY: the event handle is valid for the life of the slot.
        match unsafe { WaitForSingleObject(self.event.0, millis(timeout)) } {
            WAIT_OBJECT_0 => Ok(true),
            WAIT_TIMEOUT => Ok(false),
            _ => Err(last_error()),
        }
    }
}

/// The result of an overlapped operation that has finished.
fn result(h: HANDLE, slot: &Slot, wait: bool) -> (BOOL, u32, u32) {
    let mut n = 0u32;
    // SAFETY: the OVERLAPPED belongs to an operation started on `h`; `n` is writable.
    let ok = unsafe { GetOverlappedResult(h, &*slot.ov, &mut n, BOOL::from(wait)) };
    // SAFETY: no preconditions.
    let err = if ok == 0 {
        unsafe { GetLastError() }
    } else {
        0
    };
    (ok, n, err)
}

/// Cancels the slot's operation if pending and waits until the kernel has let go of it.
fn cancel(h: HANDLE, slot: &mut Slot) -> u32 {
    if !slot.pending {
        return 0;
    }
    // SAFETY: cancels only this OVERLAPPED's operation on `h`; fails harmlessly with
    // ERROR_NOT_FOUND if it has completed meanwhile.
    unsafe { CancelIoEx(h, &*slot.ov) };
    // Waiting (bWait = TRUE) is what guarantees the kernel no longer touches the
    // OVERLAPPED or the buffer when we return.
    let (_, n, _) = result(h, slot, true);
    slot.pending = false;
    n
}

/// Turns off the dynamic priority boost of every thread of this process: Windows
/// raises a thread whose wait (a pipe read) completes above normal priority for a
/// moment, enough to preempt a normal-priority thread (the game's). Without the boost
/// its wake-ups wait for a free CPU or their turn; its base priority stays normal.
pub fn yield_on_wakeup() -> io::Result<()> {
    // SAFETY: GetCurrentProcess is a pseudo handle needing no close.
    if unsafe { SetProcessPriorityBoost(GetCurrentProcess(), 1) } == 0 {
        return Err(last_error());
    }
    Ok(())
}

/// CPU time (kernel + user) the calling thread has used (`GetThreadTimes`; Windows
/// counts it in 100 ns units but advances it at the scheduler's tick).
pub fn thread_cpu_time() -> Option<Duration> {
    let zero = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
    // SAFETY: GetCurrentThread is a pseudo handle needing no close; the four FILETIMEs
    // are valid and writable for the duration of the call.
    let ok = unsafe {
        GetThreadTimes(
            GetCurrentThread(),
            &mut created,
            &mut exited,
            &mut kernel,
            &mut user,
        )
    };
    if ok == 0 {
        return None;
    }
    let ticks = |t: FILETIME| (u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime);
    Some(Duration::from_nanos((ticks(kernel) + ticks(user)) * 100))
}

/// What [`MsgPipe::read_step`] found.
#[derive(Debug)]
pub enum ReadStep {
    /// A whole message, in [`MsgPipe::message`] until the next read step.
    Message,
    /// Nothing complete yet; a read is pending inside the pipe.
    Pending,
}

/// What [`MsgPipe::write_all`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The whole message went out.
    Done,
    /// Not done within the timeout; cancelled after `sent` bytes had gone out.
    TimedOut { sent: u32 },
}

/// A message-mode pipe handle (client end or server instance) with overlapped I/O.
#[derive(Debug)]
pub struct MsgPipe {
    h: Owned,
    read: Slot,
    /// The message being read: bytes so far, plus the spare room a pending read fills;
    /// once `complete`, the message delivered, until the next read step.
    buf: Vec<u8>,
    complete: bool,
    write: Slot,
    /// The message of a step-wise send ([`MsgPipe::send_step`]): copied in, then in
    /// flight as one overlapped `WriteFile` (message mode needs one call per message).
    wbuf: Vec<u8>,
    connect: Slot,
}

// SAFETY: kernel handles can be used from any thread; the OVERLAPPEDs and the buffer
// are only touched through `&mut self`, so moving the whole pipe to another thread is
// fine (it is not Sync-shared).
unsafe impl Send for MsgPipe {}

impl MsgPipe {
    fn wrap(h: HANDLE) -> io::Result<MsgPipe> {
        let h = Owned(h);
        Ok(MsgPipe {
            h,
            read: Slot::new()?,
            buf: Vec::new(),
            complete: false,
            write: Slot::new()?,
            wbuf: Vec::new(),
            connect: Slot::new()?,
        })
    }

    /// Client side: opens an existing pipe (`\\.\pipe\name`, NUL-terminated UTF-16)
    /// for overlapped read/write and switches it to message read mode.
    pub fn open(path: &[u16]) -> io::Result<MsgPipe> {
        // SQOS identification only: a server can learn who we are but cannot act as us.
        let flags = FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION;
        // SAFETY: path is NUL-terminated (caller builds it with `wide`).
        let h = unsafe {
            CreateFileW(
                path.as_ptr(),
                GENERIC_READ | GENERIC_WRITE,
                FILE_SHARE_NONE,
                null(),
                OPEN_EXISTING,
                flags,
                null_mut(),
            )
        };
        if h == INVALID_HANDLE_VALUE {
            return Err(last_error());
        }
        let pipe = MsgPipe::wrap(h)?;
        let mode = PIPE_READMODE_MESSAGE;
        // SAFETY: valid handle; mode points to a live u32; the other two may be NULL.
        if unsafe { SetNamedPipeHandleState(pipe.h.0, &mode, null(), null()) } == 0 {
            return Err(last_error());
        }
        Ok(pipe)
    }

    /// Server side: a new instance of the pipe `path`, message type and read mode,
    /// local clients only, with the given security. `first` asks for the first
    /// instance (fails with access denied if the name is already served).
    pub fn create(path: &[u16], first: bool, security: &Security) -> io::Result<MsgPipe> {
        let mut open = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED;
        if first {
            open |= FILE_FLAG_FIRST_PIPE_INSTANCE;
        }
        let mode =
            PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS;
        let sa = SECURITY_ATTRIBUTES {
            nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
            lpSecurityDescriptor: security.0,
            bInheritHandle: 0,
        };
        // SAFETY: path is NUL-terminated; sa and the descriptor it points to live
        // across the call (the descriptor is owned by `security`).
        let h = unsafe {
            CreateNamedPipeW(
                path.as_ptr(),
                open,
                mode,
                PIPE_UNLIMITED_INSTANCES,
                CHUNK as u32,
                CHUNK as u32,
                0,
                &sa,
            )
        };
        if h == INVALID_HANDLE_VALUE {
            return Err(last_error());
        }
        MsgPipe::wrap(h)
    }

    /// Server side, without blocking: is a client connected to this instance?
    /// The first call starts an overlapped `ConnectNamedPipe`.
    pub fn connect_step(&mut self) -> io::Result<bool> {
        if self.connect.pending {
            let (ok, _, err) = result(self.h.0, &self.connect, false);
            if ok != 0 {
                self.connect.pending = false;
                return Ok(true);
            }
            if err == ERROR_IO_INCOMPLETE {
                return Ok(false);
            }
            self.connect.pending = false;
            return Err(io::Error::from_raw_os_error(err as i32));
        }
        let ov = self.connect.reset();
        // SAFETY: valid handle; the boxed OVERLAPPED outlives the operation (see
        // module docs: Drop cancels and waits).
        if unsafe { ConnectNamedPipe(self.h.0, ov) } != 0 {
            return Ok(true);
        }
        // SAFETY: no preconditions.
        match unsafe { GetLastError() } {
            ERROR_PIPE_CONNECTED => Ok(true),
            ERROR_IO_PENDING => {
                self.connect.pending = true;
                Ok(false)
            }
            err => Err(io::Error::from_raw_os_error(err as i32)),
        }
    }

    /// Waits until the pending connect finishes (`Ok(false)` on timeout).
    pub fn wait_connect(&self, timeout: Option<Duration>) -> io::Result<bool> {
        if !self.connect.pending {
            return Ok(true);
        }
        self.connect.wait(timeout)
    }

    /// Bytes left of the message at the head of the pipe (0 if unknown or none).
    fn left_this_message(&self) -> u32 {
        let (mut avail, mut left) = (0u32, 0u32);
        // SAFETY: valid handle; no buffer (size 0); the counters are writable.
        let ok =
            unsafe { PeekNamedPipe(self.h.0, null_mut(), 0, null_mut(), &mut avail, &mut left) };
        if ok == 0 {
            0
        } else {
            left
        }
    }

    /// Takes in whatever has arrived, without blocking: a whole message (then in
    /// [`MsgPipe::message`]), or `Pending` (a read stays in flight; the bytes of a long
    /// message are kept until its end). A call stops reading a long message once
    /// `deadline` has passed (after one read at least).
    pub fn read_step(&mut self, deadline: Instant) -> io::Result<ReadStep> {
        if self.complete {
            // The caller is done with the last message: keep the memory for the next,
            // unless that one was much smaller than what is kept.
            self.complete = false;
            if self.buf.capacity() > KEEP_BUFFER && self.buf.len() < self.buf.capacity() / 4 {
                self.buf = Vec::new();
            }
            self.buf.clear();
        }
        let mut first = true;
        loop {
            if !first && Instant::now() >= deadline {
                // The rest waits for the next call; nothing is in flight meanwhile.
                return Ok(ReadStep::Pending);
            }
            first = false;
            let (ok, n, err) = if self.read.pending {
                let r = result(self.h.0, &self.read, false);
                if r.0 == 0 && r.2 == ERROR_IO_INCOMPLETE {
                    return Ok(ReadStep::Pending);
                }
                self.read.pending = false;
                r
            } else {
                // A new message starts with CHUNK bytes of room. The rest of a long one
                // is sized with PeekNamedPipe and reserved at once, so the buffer never
                // grows (and copies) again for this message.
                let left = self.left_this_message() as usize;
                self.buf.reserve_exact(left);
                let room = left.max(if self.buf.is_empty() { CHUNK } else { 4096 });
                let room = room.min(STEP_CHUNK);
                self.buf.reserve(room);
                let dst = self.buf.spare_capacity_mut().as_mut_ptr() as *mut u8;
                let ov = self.read.reset();
                // SAFETY: `dst` has `room` bytes of reserved capacity that nothing else
                // touches until the read is finished (the buffer is not resized while
                // `pending`); the OVERLAPPED is boxed and outlives the operation.
                let started = unsafe { ReadFile(self.h.0, dst, room as u32, null_mut(), ov) };
                // SAFETY: no preconditions.
                let err = if started == 0 {
                    unsafe { GetLastError() }
                } else {
                    0
                };
                if started == 0 && err == ERROR_IO_PENDING {
                    self.read.pending = true;
                    return Ok(ReadStep::Pending);
                }
                if started == 0 && err != ERROR_MORE_DATA {
                    return Err(io::Error::from_raw_os_error(err as i32));
                }
                // Finished at once (whole message or a part of it): count the bytes.
                result(self.h.0, &self.read, false)
            };
            if ok == 0 && err != ERROR_MORE_DATA {
                return Err(io::Error::from_raw_os_error(err as i32));
            }
            // SAFETY: the finished read wrote `n` bytes into the spare capacity it was
            // given (n <= room).
            unsafe { self.buf.set_len(self.buf.len() + n as usize) };
            if ok != 0 {
                self.complete = true;
                return Ok(ReadStep::Message);
            }
            // ERROR_MORE_DATA: the rest of this message is already in the pipe; loop to
            // read it (sized with PeekNamedPipe).
        }
    }

    /// The message of the last [`MsgPipe::read_step`] that returned `Message`.
    pub fn message(&self) -> &[u8] {
        &self.buf
    }

    /// Waits until the pending read finishes (`Ok(true)` at once if none is pending).
    pub fn wait_read(&self, timeout: Option<Duration>) -> io::Result<bool> {
        if !self.read.pending {
            return Ok(true);
        }
        self.read.wait(timeout)
    }

    /// Sends one whole message without blocking, in steps. The message is copied into
    /// the pipe's own buffer (until `deadline` has passed, one chunk at least), then
    /// written with one
    /// overlapped `WriteFile`, whose completion later calls look at. `progress` counts
    /// the bytes copied (0 for a new message). `Ok(true)` once the write completed.
    pub fn send_step(
        &mut self,
        data: &[u8],
        progress: &mut usize,
        deadline: Instant,
    ) -> io::Result<bool> {
        if self.write.pending {
            let (ok, n, err) = result(self.h.0, &self.write, false);
            if ok == 0 && err == ERROR_IO_INCOMPLETE {
                return Ok(false);
            }
            self.write.pending = false;
            let len = std::mem::take(&mut self.wbuf).len();
            if ok == 0 {
                return Err(io::Error::from_raw_os_error(err as i32));
            }
            return short_write(n, len);
        }
        if *progress == 0 {
            self.wbuf.clear();
            self.wbuf.reserve_exact(data.len());
        }
        loop {
            let end = progress.saturating_add(STEP_CHUNK).min(data.len());
            self.wbuf.extend_from_slice(&data[*progress..end]);
            *progress = end;
            if end == data.len() {
                break;
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
        }
        let len = u32::try_from(self.wbuf.len()).map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, "message larger than 4 GiB")
        })?;
        let ov = self.write.reset();
        // SAFETY: `wbuf` is owned by the pipe and neither touched nor resized while the
        // write is pending; Drop cancels and waits for the write before it is freed.
        let started = unsafe { WriteFile(self.h.0, self.wbuf.as_ptr(), len, null_mut(), ov) };
        if started == 0 {
            // SAFETY: no preconditions.
            let err = unsafe { GetLastError() };
            if err == ERROR_IO_PENDING {
                self.write.pending = true;
                return Ok(false);
            }
            self.wbuf = Vec::new();
            return Err(io::Error::from_raw_os_error(err as i32));
        }
        let (ok, n, err) = result(self.h.0, &self.write, false);
        self.wbuf = Vec::new();
        if ok == 0 {
            return Err(io::Error::from_raw_os_error(err as i32));
        }
        short_write(n, len as usize)
    }

    /// Whether a step-wise send is under way (copied in part, or in flight).
    pub fn sending(&self) -> bool {
        self.write.pending || !self.wbuf.is_empty()
    }

    /// Writes one whole message, waiting at most `timeout` (`None` = forever) for the
    /// reader to take it; on timeout the write is cancelled.
    pub fn write_all(
        &mut self,
        data: &[u8],
        timeout: Option<Duration>,
    ) -> io::Result<WriteOutcome> {
        let len = u32::try_from(data.len()).map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, "message larger than 4 GiB")
        })?;
        let ov = self.write.reset();
        // SAFETY: `data` stays borrowed until this function returns, and it never returns
        // while the write is in flight (it completes or is cancelled and waited for).
        let started = unsafe { WriteFile(self.h.0, data.as_ptr(), len, null_mut(), ov) };
        if started == 0 {
            // SAFETY: no preconditions.
            let err = unsafe { GetLastError() };
            if err != ERROR_IO_PENDING {
                return Err(io::Error::from_raw_os_error(err as i32));
            }
            self.write.pending = true;
            let finished = match self.write.wait(timeout) {
                Ok(f) => f,
                Err(e) => {
                    cancel(self.h.0, &mut self.write);
                    return Err(e);
                }
            };
            if !finished {
                let sent = cancel(self.h.0, &mut self.write);
                // The write may have completed in the race with the cancel.
                let (ok, n, err) = result(self.h.0, &self.write, false);
                if ok != 0 && n == len {
                    return Ok(WriteOutcome::Done);
                }
                if ok == 0 && err != ERROR_OPERATION_ABORTED {
                    return Err(io::Error::from_raw_os_error(err as i32));
                }
                return Ok(WriteOutcome::TimedOut { sent: sent.max(n) });
            }
            self.write.pending = false;
        }
        let (ok, n, err) = result(self.h.0, &self.write, false);
        if ok == 0 {
            return Err(io::Error::from_raw_os_error(err as i32));
        }
        if n != len {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                format!("short write on a message pipe ({n} of {len} bytes)"),
            ));
        }
        Ok(WriteOutcome::Done)
    }
}

impl MsgPipe {
    /// Server side: the process id of the client connected to this instance.
    pub fn client_pid(&self) -> io::Result<u32> {
        let mut pid = 0u32;
        // SAFETY: h is a valid pipe handle; pid is a valid out-pointer.
        if unsafe { GetNamedPipeClientProcessId(self.h.0, &mut pid) } == 0 {
            return Err(last_error());
        }
        Ok(pid)
    }
}

/// The full path of the executable of process `pid`.
pub fn process_image(pid: u32) -> io::Result<String> {
    // SAFETY: plain call; a NULL result is an error.
    let h = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    if h.is_null() {
        return Err(last_error());
    }
    let h = Owned(h);
    let mut buf = vec![0u16; 32 * 1024];
    let mut len = buf.len() as u32;
    // SAFETY: buf has len writable u16s; len is updated to the characters written.
    if unsafe { QueryFullProcessImageNameW(h.0, PROCESS_NAME_WIN32, buf.as_mut_ptr(), &mut len) }
        == 0
    {
        return Err(last_error());
    }
    Ok(String::from_utf16_lossy(&buf[..len as usize]))
}

/// A completed write must have taken the whole message.
fn short_write(n: u32, len: usize) -> io::Result<bool> {
    if n as usize != len {
        return Err(io::Error::new(
            io::ErrorKind::WriteZero,
            format!("short write on a message pipe ({n} of {len} bytes)"),
        ));
    }
    Ok(true)
}

impl Drop for MsgPipe {
    fn drop(&mut self) {
        // Before the handle closes and the boxes and buffer are freed, make sure the
        // kernel has finished with every operation still in flight.
        let h = self.h.0;
        cancel(h, &mut self.read);
        cancel(h, &mut self.write);
        cancel(h, &mut self.connect);
    }
}

/// `WaitNamedPipeW`: waits up to `timeout` for an instance of a busy pipe.
pub fn wait_named_pipe(path: &[u16], timeout: Duration) -> io::Result<()> {
    // SAFETY: path is NUL-terminated.
    if unsafe { WaitNamedPipeW(path.as_ptr(), millis(Some(timeout)).max(1)) } == 0 {
        return Err(last_error());
    }
    Ok(())
}

/// A self-relative security descriptor from SDDL (freed with `LocalFree`).
#[derive(Debug)]
pub struct Security(PSECURITY_DESCRIPTOR);

// SAFETY: the descriptor is immutable memory owned by this value.
unsafe impl Send for Security {}

impl Drop for Security {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW,
        // freed once.
        unsafe { LocalFree(self.0) };
    }
}

impl Security {
    /// The descriptor for `sddl`.
    pub fn from_sddl(sddl: &str) -> io::Result<Security> {
        let w = wide(sddl);
        let mut sd: PSECURITY_DESCRIPTOR = null_mut();
        // SAFETY: w is NUL-terminated; sd receives a LocalAlloc'ed descriptor.
        let ok = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                w.as_ptr(),
                SDDL_REVISION_1,
                &mut sd,
                null_mut(),
            )
        };
        if ok == 0 {
            return Err(last_error());
        }
        Ok(Security(sd))
    }
}

/// The string SID (`S-1-5-21-...`) of the user this process runs as.
pub fn current_user_sid() -> io::Result<String> {
    let mut token: HANDLE = null_mut();
    // SAFETY: GetCurrentProcess returns a pseudo handle; token receives a new handle.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(last_error());
    }
    let token = Owned(token);
    let mut len = 0u32;
    // SAFETY: a size query (NULL buffer, length 0) that fails with INSUFFICIENT_BUFFER.
    unsafe { GetTokenInformation(token.0, TokenUser, null_mut(), 0, &mut len) };
    // SAFETY: no preconditions.
    let err = unsafe { GetLastError() };
    if err != ERROR_INSUFFICIENT_BUFFER && err != 0 {
        return Err(io::Error::from_raw_os_error(err as i32));
    }
    // u64 elements: TOKEN_USER needs pointer alignment.
    let mut buf = vec![0u64; (len as usize).div_ceil(8).max(1)];
    // SAFETY: buf has at least `len` writable, aligned bytes.
    if unsafe { GetTokenInformation(token.0, TokenUser, buf.as_mut_ptr().cast(), len, &mut len) }
        == 0
    {
        return Err(last_error());
    }
    // SAFETY: the call filled buf with a TOKEN_USER (followed by the SID it points to).
    let sid = unsafe { (*(buf.as_ptr() as *const TOKEN_USER)).User.Sid };
    let mut text: *mut u16 = null_mut();
    // SAFETY: sid points into buf, alive here; text receives a LocalAlloc'ed string.
    if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 {
        return Err(last_error());
    }
    // SAFETY: text is a NUL-terminated UTF-16 string; read up to the NUL, then free it.
    let s = unsafe {
        let mut n = 0;
        while *text.add(n) != 0 {
            n += 1;
        }
        let s = String::from_utf16_lossy(std::slice::from_raw_parts(text, n));
        LocalFree(text.cast());
        s
    };
    Ok(s)
}
