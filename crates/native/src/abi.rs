//! The C ABI of `docs/contracts.md`, for LuaJIT's `ffi` (and any C caller).
//!
//! Everything here is a thin shell over [`crate::client::Client`]: check the pointers,
//! call the safe API, turn the result into a status code and remember the error text
//! for `x4p_last_error`. The `unsafe` is only about the raw pointers the caller hands
//! in; each block says what the caller promised.
//!
//! No panic may unwind into the game: every entry point runs inside `catch_unwind` and
//! reports a panic as `X4P_OTHER`.
//!
//! Ownership: `x4p_open` hands out a `Box<Client>` as the opaque `x4p_pipe*`, taken
//! back by `x4p_close`. `x4p_read` hands out a `Box<[u8]>` as `(data, len)`, taken back
//! by `x4p_free(data, len)` — that is why `x4p_free` needs the length.

use crate::client::Client;
use crate::status::{Error, Status};
use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_uint, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

/// `X4P_OK`
pub const X4P_OK: c_int = 0;
/// `X4P_EMPTY`
pub const X4P_EMPTY: c_int = 1;
/// `X4P_NO_SERVER`
pub const X4P_NO_SERVER: c_int = -1;
/// `X4P_ACCESS_DENIED`
pub const X4P_ACCESS_DENIED: c_int = -2;
/// `X4P_BROKEN`
pub const X4P_BROKEN: c_int = -3;
/// `X4P_FULL`
pub const X4P_FULL: c_int = -4;
/// `X4P_INVALID`
pub const X4P_INVALID: c_int = -5;
/// `X4P_OTHER`
pub const X4P_OTHER: c_int = -6;
/// `X4P_PENDING`
pub const X4P_PENDING: c_int = 2;
/// `X4P_BUSY`
pub const X4P_BUSY: c_int = -7;

/// The opaque `x4p_pipe` of the C header is a [`Client`].
#[allow(non_camel_case_types)]
pub type x4p_pipe = Client;

thread_local! {
    // Per thread, as the contract says; the pointer handed out stays valid until the
    // next failure on this thread replaces the string.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_last_error(text: &str) {
    // Interior NULs cannot be in a C string; they would only come from odd OS texts.
    let c = CString::new(text.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = c);
}

/// Records the error for `x4p_last_error` and returns its status code.
fn fail(err: &Error) -> c_int {
    set_last_error(err.detail());
    err.status().code()
}

fn invalid(what: &str) -> c_int {
    set_last_error(what);
    X4P_INVALID
}

/// Runs an entry point, turning a panic into `X4P_OTHER`.
fn guard(f: impl FnOnce() -> c_int) -> c_int {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        set_last_error("internal error in x4pipe_native (panic)");
        X4P_OTHER
    })
}

/// `const char *x4p_version(void)`: the library version, a static string.
#[no_mangle]
pub extern "C" fn x4p_version() -> *const c_char {
    const V: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => c"",
        };
    V.as_ptr()
}

/// `int x4p_open(const char *name, x4p_pipe **out)`: connects to the server of `name`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `out` is NULL or points to writable
/// storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn x4p_open(name: *const c_char, out: *mut *mut x4p_pipe) -> c_int {
    guard(|| {
        if name.is_null() || out.is_null() {
            return invalid("x4p_open: name and out must not be NULL");
        }
        // SAFETY: out is non-NULL and writable (caller's promise); clear it first so a
        // failed open never leaves a stale pointer behind.
        unsafe { *out = std::ptr::null_mut() };
        // SAFETY: name is non-NULL and NUL-terminated (caller's promise).
        let name = unsafe { CStr::from_ptr(name) };
        let Ok(name) = name.to_str() else {
            return invalid("x4p_open: the name is not UTF-8");
        };
        match Client::open(name) {
            Ok(client) => {
                // SAFETY: as above.
                unsafe { *out = Box::into_raw(Box::new(client)) };
                X4P_OK
            }
            Err(e) => fail(&e),
        }
    })
}

/// `int x4p_write(x4p_pipe *p, const unsigned char *data, size_t len)`: sends one whole
/// message.
///
/// # Safety
/// `p` is NULL or a live pointer from `x4p_open`; `data` points to `len` readable
/// bytes (it may be NULL when `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn x4p_write(p: *mut x4p_pipe, data: *const u8, len: usize) -> c_int {
    guard(|| {
        if p.is_null() {
            return invalid("x4p_write: NULL pipe");
        }
        let msg: &[u8] = if len == 0 {
            &[]
        } else if data.is_null() {
            return invalid("x4p_write: NULL data with non-zero length");
        } else {
            // SAFETY: data points to len readable bytes (caller's promise).
            unsafe { std::slice::from_raw_parts(data, len) }
        };
        // SAFETY: p is a live Client from x4p_open, not used elsewhere during the call.
        let client = unsafe { &mut *p };
        match client.write(msg) {
            Ok(()) => X4P_OK,
            Err(e) => fail(&e),
        }
    })
}

/// `int x4p_send(x4p_pipe *p, const unsigned char *data, size_t len, size_t *progress)`:
/// sends one whole message without blocking, in bounded steps. `*progress` is 0 for a
/// new message; while the answer is `X4P_PENDING`, call again later with the same data
/// (still alive and unchanged) and the updated `*progress`. `X4P_OK` once it is out.
///
/// # Safety
/// `p` is NULL or a live pointer from `x4p_open`; `data` points to `len` readable
/// bytes (it may be NULL when `len` is 0); `progress` is NULL or points to a writable
/// `size_t`.
#[no_mangle]
pub unsafe extern "C" fn x4p_send(
    p: *mut x4p_pipe,
    data: *const u8,
    len: usize,
    progress: *mut usize,
) -> c_int {
    guard(|| {
        if p.is_null() || progress.is_null() {
            return invalid("x4p_send: pipe and progress must not be NULL");
        }
        let msg: &[u8] = if len == 0 {
            &[]
        } else if data.is_null() {
            return invalid("x4p_send: NULL data with non-zero length");
        } else {
            // SAFETY: data points to len readable bytes (caller's promise).
            unsafe { std::slice::from_raw_parts(data, len) }
        };
        // SAFETY: p is a live Client from x4p_open, not used elsewhere during the call;
        // progress is a writable size_t (caller's promise).
        let (client, progress) = unsafe { (&mut *p, &mut *progress) };
        match client.send(msg, progress) {
            Ok(true) => X4P_OK,
            Ok(false) => X4P_PENDING,
            Err(e) => fail(&e),
        }
    })
}

/// `int x4p_read(x4p_pipe *p, unsigned char **data, size_t *len)`: the next whole
/// message, or `X4P_EMPTY`. On `X4P_OK` the buffer belongs to the caller until
/// `x4p_free(*data, *len)`; otherwise `*data` is NULL and `*len` 0.
///
/// # Safety
/// `p` is NULL or a live pointer from `x4p_open`; `data` and `len` are NULL or point to
/// writable storage.
#[no_mangle]
pub unsafe extern "C" fn x4p_read(p: *mut x4p_pipe, data: *mut *mut u8, len: *mut usize) -> c_int {
    guard(|| {
        if p.is_null() || data.is_null() || len.is_null() {
            return invalid("x4p_read: pipe, data and len must not be NULL");
        }
        // SAFETY: data and len are writable (caller's promise).
        unsafe {
            *data = std::ptr::null_mut();
            *len = 0;
        }
        // SAFETY: p is a live Client from x4p_open, not used elsewhere during the call.
        let client = unsafe { &mut *p };
        match client.read() {
            Ok(Some(msg)) => {
                let boxed: Box<[u8]> = msg.into_boxed_slice();
                let n = boxed.len();
                // SAFETY: as above. The box is rebuilt by x4p_free from (ptr, n).
                unsafe {
                    *len = n;
                    *data = Box::into_raw(boxed) as *mut u8;
                }
                X4P_OK
            }
            Ok(None) => X4P_EMPTY,
            Err(e) => fail(&e),
        }
    })
}

/// `int x4p_receive(x4p_pipe *p, const unsigned char **data, size_t *len)`: like
/// `x4p_read`, but the message stays inside the handle: `*data` is valid until the next
/// call with this handle (or `x4p_close`), and is not freed by the caller. No copy, and
/// the handle keeps its buffer for the next message.
///
/// # Safety
/// `p` is NULL or a live pointer from `x4p_open`; `data` and `len` are NULL or point to
/// writable storage.
#[no_mangle]
pub unsafe extern "C" fn x4p_receive(
    p: *mut x4p_pipe,
    data: *mut *const u8,
    len: *mut usize,
) -> c_int {
    guard(|| {
        if p.is_null() || data.is_null() || len.is_null() {
            return invalid("x4p_receive: pipe, data and len must not be NULL");
        }
        // SAFETY: data and len are writable (caller's promise).
        unsafe {
            *data = std::ptr::null();
            *len = 0;
        }
        // SAFETY: p is a live Client from x4p_open, not used elsewhere during the call.
        let client = unsafe { &mut *p };
        match client.receive() {
            Ok(Some(msg)) => {
                // SAFETY: as above. The bytes live in the client until its next call;
                // a non-NULL pointer even for an empty message, as x4p_read gives.
                unsafe {
                    *len = msg.len();
                    *data = if msg.is_empty() {
                        c"".as_ptr().cast()
                    } else {
                        msg.as_ptr()
                    };
                }
                X4P_OK
            }
            Ok(None) => X4P_EMPTY,
            Err(e) => fail(&e),
        }
    })
}

/// `void x4p_free(unsigned char *data, size_t len)`: releases a buffer of `x4p_read`.
///
/// # Safety
/// `data` is NULL or exactly a `*data` from `x4p_read` with its `*len`, freed once.
#[no_mangle]
pub unsafe extern "C" fn x4p_free(data: *mut u8, len: usize) {
    if data.is_null() {
        return;
    }
    // SAFETY: (data, len) came from Box::<[u8]>::into_raw in x4p_read (caller's
    // promise), so rebuilding and dropping the box frees it with the right layout.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(data, len)) });
}

/// `void x4p_close(x4p_pipe *p)`: closes the pipe and frees the handle.
///
/// # Safety
/// `p` is NULL or a live pointer from `x4p_open`, not used after this call.
#[no_mangle]
pub unsafe extern "C" fn x4p_close(p: *mut x4p_pipe) {
    if p.is_null() {
        return;
    }
    // Dropping may run OS cleanup; keep a panic there from unwinding into the caller.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: p came from Box::into_raw in x4p_open and is closed once.
        drop(unsafe { Box::from_raw(p) });
    }));
}

/// `const char *x4p_strerror(int code)`: static text for a status code.
#[no_mangle]
pub extern "C" fn x4p_strerror(code: c_int) -> *const c_char {
    match Status::from_code(code) {
        Some(s) => s.c_text().as_ptr(),
        None => c"unknown status code".as_ptr(),
    }
}

/// `const char *x4p_last_error(void)`: detail text of the last failure on this thread
/// (with the OS error number and message where there is one), `""` if none.
#[no_mangle]
pub extern "C" fn x4p_last_error() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

/// `void x4p_set_write_timeout_ms(x4p_pipe *p, unsigned int ms)`: default 1000.
///
/// # Safety
/// `p` is NULL or a live pointer from `x4p_open`.
#[no_mangle]
pub unsafe extern "C" fn x4p_set_write_timeout_ms(p: *mut x4p_pipe, ms: c_uint) {
    if p.is_null() {
        return;
    }
    // SAFETY: p is a live Client from x4p_open, not used elsewhere during the call.
    let client = unsafe { &mut *p };
    client.set_write_timeout(Duration::from_millis(u64::from(ms)));
}
