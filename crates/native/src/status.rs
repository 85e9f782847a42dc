//! Status codes of the C ABI and the error type of the Rust API.
//!
//! The numbers are fixed by `docs/contracts.md`; the Lua client compares against them.

use std::fmt;

/// A status code of the C ABI (`X4P_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Status {
    /// `X4P_OK`
    Ok = 0,
    /// `X4P_EMPTY`: read found no (complete) message yet.
    Empty = 1,
    /// `X4P_PENDING`: a send has not finished yet; call it again (next frame).
    Pending = 2,
    /// `X4P_NO_SERVER`: nobody serves that name.
    NoServer = -1,
    /// `X4P_ACCESS_DENIED`: the OS refused (permissions / DACL).
    AccessDenied = -2,
    /// `X4P_BROKEN`: the other side went away / the handle is no longer usable.
    Broken = -3,
    /// `X4P_FULL`: a write could not finish within the write timeout.
    Full = -4,
    /// `X4P_INVALID`: bad argument (NULL, bad name).
    Invalid = -5,
    /// `X4P_OTHER`: anything else; the detail text says what.
    Other = -6,
    /// `X4P_BUSY`: open: the server is there but takes no client now (every pipe
    /// instance taken, backlog full); try again later.
    Busy = -7,
}

impl Status {
    /// Every status, for tests and documentation.
    pub const ALL: [Status; 10] = [
        Status::Ok,
        Status::Empty,
        Status::Pending,
        Status::NoServer,
        Status::AccessDenied,
        Status::Broken,
        Status::Full,
        Status::Invalid,
        Status::Other,
        Status::Busy,
    ];

    /// The C ABI number.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The status for a C ABI number, if it is one.
    pub fn from_code(code: i32) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Static, human-readable text (what `x4p_strerror` returns, without the NUL).
    pub fn text(self) -> &'static str {
        // Kept in one place with the C strings in abi.rs derived from it, so the Rust
        // Display and the C text never disagree.
        self.c_text().to_str().unwrap_or("")
    }

    /// The same text as a C string with static lifetime.
    pub fn c_text(self) -> &'static std::ffi::CStr {
        match self {
            Status::Ok => c"ok",
            Status::Empty => c"no message yet (try again later)",
            Status::Pending => c"the message is still going out (call again later)",
            Status::NoServer => c"no server is serving that pipe name",
            Status::AccessDenied => c"access denied by the operating system",
            Status::Broken => c"the pipe is broken (the other side went away)",
            Status::Full => c"the message could not be sent within the write timeout",
            Status::Invalid => c"invalid argument",
            Status::Other => c"other error (see x4p_last_error)",
            Status::Busy => c"the server takes no new client right now (try again later)",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

/// An error of the Rust API: the C ABI status plus a detail text (with the OS error
/// number and message where the OS reported one), which becomes `x4p_last_error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    status: Status,
    os_code: Option<i32>,
    detail: String,
}

impl Error {
    /// An error without OS error number.
    pub fn new(status: Status, detail: impl Into<String>) -> Error {
        Error {
            status,
            os_code: None,
            detail: detail.into(),
        }
    }

    /// An error from an OS error; `what` says which operation failed.
    pub fn os(status: Status, what: &str, err: &std::io::Error) -> Error {
        let os_code = err.raw_os_error();
        // io::Error's Display already reads "<message> (os error N)" for OS errors,
        // which is exactly the "number + message" that x4p_last_error promises.
        Error {
            status,
            os_code,
            detail: format!("{what}: {err}"),
        }
    }

    /// The C ABI status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The OS error number (errno / GetLastError), if the OS reported one.
    pub fn os_code(&self) -> Option<i32> {
        self.os_code
    }

    /// The detail text.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.detail, self.status)
    }
}

impl std::error::Error for Error {}

/// Result of the Rust API.
pub type Result<T> = std::result::Result<T, Error>;
