//! Helpers shared by the integration tests of the x4pipe package: the fake X4 game
//! (around the simulator's Lua host), rendering of the Lua template, the native
//! library's location, small server helpers on top of `x4pipe_native::server`, and
//! running the x4pipe binary.

pub mod game;
pub mod native;
pub mod render;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;
use x4pipe_native::{Connection, Server};

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

// ---- running the x4pipe binary ----------------------------------------------------

/// Run the x4pipe binary in `dir`, isolated from the caller's schema and cache settings.
pub fn x4pipe(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_x4pipe"))
        .args(args)
        .current_dir(dir)
        .env_remove("X4PIPE_SCHEMAS")
        .env("X4PIPE_CACHE_DIR", dir.join(".cache"))
        .output()
        .expect("run x4pipe")
}

/// Run a program the test has just copied (`fs::copy`) and run `cmd.output()`, retrying
/// while Linux says the file is busy (ETXTBSY). Why: while this test's copy had the file
/// open for writing, a test on another thread may have forked; the child holds an
/// inherited copy of that descriptor until it execs, and until then no one may exec the
/// file. The window is a fork-to-exec, so a short retry always gets through.
pub fn output_of_fresh_copy(cmd: &mut Command) -> std::io::Result<Output> {
    const ETXTBSY: i32 = 26;
    let mut tries = 0;
    loop {
        match cmd.output() {
            Err(e)
                if cfg!(target_os = "linux")
                    && e.raw_os_error() == Some(ETXTBSY)
                    && tries < 100 =>
            {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            result => return result,
        }
    }
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// stdout and stderr together.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A file or folder of the game schemas in `../shared/x4-schemas` (beside the clone in CI).
pub fn shared_schemas(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/x4-schemas")
        .join(rel);
    assert!(
        p.exists(),
        "the game schemas are expected at {}",
        p.display()
    );
    p
}
