//! Helpers shared by the integration tests: unique pipe names, a private socket
//! folder, the C ABI wrapped for Rust, and polling reads like the game's frame loop.

use std::ffi::{CStr, CString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};
use x4pipe_native as wp;

/// Every test binary gets its own socket folder (Linux), so tests never see sockets
/// of other runs; on Windows the process id in the name does the same.
pub fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        {
            let dir = std::env::temp_dir().join(format!("x4p-test-{}", std::process::id()));
            // Set before any thread uses the library; tests only read it afterwards.
            std::env::set_var("X4PIPE_SOCKET_DIR", &dir);
        }
    });
}

/// A pipe name unique in this process and across processes.
pub fn unique(tag: &str) -> String {
    setup();
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "x4p-{}-{}-{tag}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Message payloads that must arrive byte-identical.
pub fn payloads() -> Vec<(&'static str, Vec<u8>)> {
    let pattern = |n: usize| (0..n).map(|i| (i * 7 + i / 251) as u8).collect::<Vec<u8>>();
    vec![
        ("empty", Vec::new()),
        ("1 byte", b"x".to_vec()),
        ("semicolons", b"pipe;id;a;b;;c;".to_vec()),
        ("newlines", b"line1\nline2\r\n\n".to_vec()),
        ("utf8", "Grüße, 日本語, emoji 🚀, ü".as_bytes().to_vec()),
        ("nuls", b"\0a\0\0b\0".to_vec()),
        ("64 KiB", pattern(64 * 1024)),
        ("64 KiB + 1", pattern(64 * 1024 + 1)),
        ("1 MiB", pattern(1024 * 1024)),
        ("16 MiB", pattern(16 * 1024 * 1024)),
    ]
}

/// The C ABI, called exactly as LuaJIT's ffi would.
pub struct Abi(*mut wp::x4p_pipe);

impl Abi {
    pub fn open(name: &str) -> Result<Abi, i32> {
        let c = CString::new(name).unwrap();
        let mut p = std::ptr::null_mut();
        let rc = unsafe { wp::x4p_open(c.as_ptr(), &mut p) };
        if rc == wp::X4P_OK {
            assert!(!p.is_null());
            Ok(Abi(p))
        } else {
            assert!(p.is_null(), "failed open must leave *out NULL");
            Err(rc)
        }
    }

    pub fn write(&mut self, data: &[u8]) -> i32 {
        unsafe { wp::x4p_write(self.0, data.as_ptr(), data.len()) }
    }

    /// One step of `x4p_send`.
    pub fn send(&mut self, data: &[u8], progress: &mut usize) -> i32 {
        unsafe { wp::x4p_send(self.0, data.as_ptr(), data.len(), progress) }
    }

    /// One non-blocking read: Ok(message) or the status code.
    pub fn read(&mut self) -> Result<Vec<u8>, i32> {
        let mut data = std::ptr::null_mut();
        let mut len = 0usize;
        let rc = unsafe { wp::x4p_read(self.0, &mut data, &mut len) };
        if rc != wp::X4P_OK {
            assert!(data.is_null() && len == 0);
            return Err(rc);
        }
        assert!(!data.is_null());
        let v = unsafe { std::slice::from_raw_parts(data, len) }.to_vec();
        unsafe { wp::x4p_free(data, len) };
        Ok(v)
    }

    /// One `x4p_receive`: Ok((pointer, bytes copied out)) or the status code. The
    /// pointer is where the library lent the message from (valid until the next call).
    pub fn receive(&mut self) -> Result<(*const u8, Vec<u8>), i32> {
        let mut data = std::ptr::null();
        let mut len = 0usize;
        let rc = unsafe { wp::x4p_receive(self.0, &mut data, &mut len) };
        if rc != wp::X4P_OK {
            assert!(data.is_null() && len == 0);
            return Err(rc);
        }
        assert!(
            !data.is_null(),
            "a message (even empty) has a non-NULL pointer"
        );
        Ok((
            data,
            unsafe { std::slice::from_raw_parts(data, len) }.to_vec(),
        ))
    }

    /// Polls `x4p_receive` like the game does each frame, until a message or an error.
    pub fn receive_wait(&mut self, timeout: Duration) -> Result<(*const u8, Vec<u8>), i32> {
        poll_abi(timeout, || self.receive())
    }

    /// Polls like the game does each frame, until a message or an error (not EMPTY).
    pub fn read_wait(&mut self, timeout: Duration) -> Result<Vec<u8>, i32> {
        poll_abi(timeout, || self.read())
    }

    pub fn set_write_timeout_ms(&mut self, ms: u32) {
        unsafe { wp::x4p_set_write_timeout_ms(self.0, ms) }
    }
}

impl Drop for Abi {
    fn drop(&mut self) {
        unsafe { wp::x4p_close(self.0) }
    }
}

/// Calls `step` every millisecond while it answers `X4P_EMPTY`, at most `timeout`.
fn poll_abi<T>(timeout: Duration, mut step: impl FnMut() -> Result<T, i32>) -> Result<T, i32> {
    let end = Instant::now() + timeout;
    loop {
        match step() {
            Err(wp::X4P_EMPTY) if Instant::now() < end => {
                std::thread::sleep(Duration::from_millis(1))
            }
            other => return other,
        }
    }
}

pub fn last_error() -> String {
    unsafe { CStr::from_ptr(wp::x4p_last_error()) }
        .to_string_lossy()
        .into_owned()
}

/// Polls the Rust client until a message, an error, or the timeout (then `None`).
pub fn client_read_wait(c: &mut wp::Client, timeout: Duration) -> wp::Result<Option<Vec<u8>>> {
    let end = Instant::now() + timeout;
    loop {
        match c.read()? {
            Some(m) => return Ok(Some(m)),
            None if Instant::now() >= end => return Ok(None),
            None => std::thread::sleep(Duration::from_millis(1)),
        }
    }
}

/// Serves `name` in a thread: accepts `clients` clients, echoes every message of each
/// (in its own thread) until the client goes away; returns the message counts.
pub fn spawn_echo(name: &str, clients: usize) -> std::thread::JoinHandle<Vec<usize>> {
    let mut server = wp::Server::create(name).expect("create server");
    std::thread::spawn(move || {
        let mut workers = Vec::new();
        for _ in 0..clients {
            let mut conn = server.accept().expect("accept");
            workers.push(std::thread::spawn(move || {
                let mut n = 0;
                loop {
                    match conn.read() {
                        Ok(m) => {
                            conn.write(&m).expect("echo write");
                            n += 1;
                        }
                        Err(e) if e.status() == wp::Status::Broken => return n,
                        Err(e) => panic!("server read: {e}"),
                    }
                }
            }));
        }
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    })
}

pub const WAIT: Duration = Duration::from_secs(20);

/// Opens a client, retrying while the server is busy as the game does on its next
/// frame (opening never waits; Windows: the server makes its next pipe instance only
/// when it accepts).
pub fn open_when_free(name: &str) -> wp::Client {
    let t = std::time::Instant::now();
    loop {
        match wp::Client::open(name) {
            Ok(c) => return c,
            Err(e) if e.status() == wp::Status::Busy && t.elapsed() < WAIT => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) => panic!("open {name}: {e}"),
        }
    }
}
