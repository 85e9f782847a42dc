//! `x4pipe host` end to end: the real Lua client of the API (in LuaJIT, in the fake X4
//! UI of tests/it/support/game.rs) talks to the real host binary, which runs real Python
//! modules written against the original X4_Python_Pipe_Server API.
//!
//! On Linux everything runs. The Windows build runs under Wine, where no Windows Python
//! exists: there `host_without_python_under_any_os` (which runs on Linux too) checks the
//! host pipe, several clients, refusals and a host restart for real, and that a module
//! that cannot start says why; modules themselves run only in the Linux tests.
//!
//! Every test uses its own pipe names (other tests and engineers run at the same time).

use crate::support::game::Game;
use crate::support::pipe_name;
use crate::support::render::names;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(20);

/// An echo server exactly as a mod for the original host writes it.
fn echo_module(pipe: &str) -> String {
    format!(
        r#"from X4_Python_Pipe_Server import Pipe_Server

pipe_name = '{pipe}'

def main(args):
    pipe = Pipe_Server(pipe_name)
    pipe.Connect()
    while 1:
        message = pipe.Read()
        pipe.Write(message)
"#
    )
}

#[cfg(target_os = "linux")]
/// Crashes on its first start, echoes after that.
fn crash_once_module(pipe: &str) -> String {
    format!(
        r#"import os
from X4_Python_Pipe_Server import Pipe_Server

marker = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'crashed_once')

def main():
    if not os.path.exists(marker):
        open(marker, 'w').close()
        print('about to crash')
        raise RuntimeError('boom on the first start')
    pipe = Pipe_Server('{pipe}')
    while 1:
        pipe.Write(pipe.Read())
"#
    )
}

/// Adds extension `folder` (content.xml id `id`) with `python/<file>` to an X4 folder.
fn add_extension(x4: &Path, folder: &str, id: &str, file: &str, code: &str) -> String {
    let dir = x4.join("extensions").join(folder);
    std::fs::create_dir_all(dir.join("python")).unwrap();
    std::fs::write(
        dir.join("content.xml"),
        format!(r#"<?xml version="1.0" encoding="utf-8"?><content id="{id}" name="{id}" version="100"/>"#),
    )
    .unwrap();
    std::fs::write(dir.join("python").join(file), code).unwrap();
    format!("extensions/{folder}/python/{file}")
}

/// The host binary, its log collected line by line.
struct HostProc {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl HostProc {
    fn start(pipe: &str, perms: &Path, args: &[&str]) -> HostProc {
        let exe = Path::new(env!("CARGO_BIN_EXE_x4pipe"));
        wine_shim_beside(exe);
        let mut child = Command::new(exe)
            .args(["host", "--verbose", "--pipe", pipe, "--permissions"])
            .arg(perms)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("x4pipe runs");
        let log = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    log.lock().unwrap().push(line);
                }
            });
        }
        let host = HostProc { child, log };
        host.wait_for("serving the host pipe");
        host
    }

    fn lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn count(&self, what: &str) -> usize {
        self.lines().iter().filter(|l| l.contains(what)).count()
    }

    /// The first log line containing `what`; fails with the whole log if none comes.
    fn wait_for(&self, what: &str) -> String {
        self.wait_for_nth(what, 1)
    }

    fn wait_for_nth(&self, what: &str, n: usize) -> String {
        let end = Instant::now() + LONG;
        loop {
            let found: Vec<String> = self
                .lines()
                .into_iter()
                .filter(|l| l.contains(what))
                .collect();
            if found.len() >= n {
                return found[n - 1].clone();
            }
            assert!(
                Instant::now() < end,
                "no {n}. log line with {what:?}; log:\n{}",
                self.lines().join("\n")
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Ctrl-C, as a player stops it.
    #[cfg(target_os = "linux")]
    fn interrupt(&mut self) -> std::process::ExitStatus {
        let ok = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let end = Instant::now() + LONG;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the readers take the last lines.
                std::thread::sleep(Duration::from_millis(100));
                return status;
            }
            assert!(Instant::now() < end, "the host did not stop on Ctrl-C");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Under Wine a Windows .exe needs `scripts/wine/processprng.c`'s DLL beside it (see
/// scripts/wine-runner.sh, which puts one beside the test binary): copy that one.
fn wine_shim_beside(exe: &Path) {
    if cfg!(windows) {
        let me = std::env::current_exe().unwrap();
        let shim = me.with_file_name("bcryptprimitives.dll");
        let there = exe.with_file_name("bcryptprimitives.dll");
        if shim.is_file() && !there.is_file() {
            // Copied under another name and renamed: parallel tests never see half a DLL.
            let tmp = exe.with_file_name(format!("bcryptprimitives.{}.tmp", std::process::id()));
            std::fs::copy(&shim, &tmp).unwrap();
            let _ = std::fs::rename(&tmp, &there);
        }
    }
}

impl Drop for HostProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(target_os = "linux")]
/// The process id in a "(process N" log line.
fn pid_in(line: &str) -> u32 {
    let rest = &line[line.find("(process ").expect("a process id") + 9..];
    rest[..rest.find([')', ',']).unwrap()].parse().unwrap()
}

/// Scheduling policies (sched(7)).
#[cfg(target_os = "linux")]
const SCHED_OTHER: i32 = 0;
#[cfg(target_os = "linux")]
const SCHED_BATCH: i32 = 3;

/// The scheduling policy of a process (`/proc/<pid>/stat` field 41).
#[cfg(target_os = "linux")]
fn sched_policy(pid: u32) -> i32 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    rest.split(' ').nth(41 - 3).unwrap().parse().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn normal_scheduling_keeps_the_hosts_wakeups_normal() {
    let perms_dir = tempfile::tempdir().unwrap();
    let perms = perms_dir.path().join("permissions.json");
    let mut host = HostProc::start(&pipe_name("host-normal"), &perms, &["--normal-scheduling"]);
    assert_eq!(sched_policy(host.child.id()), SCHED_OTHER);
    assert!(host.interrupt().success(), "{:#?}", host.lines());
}

#[cfg(target_os = "linux")]
fn alive(pid: u32) -> bool {
    // A zombie is gone for our purposes (it only waits for its parent).
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s.contains(") Z "))
        .unwrap_or(false)
}

#[cfg(target_os = "linux")]
/// The X4 folder of the fake game: its temporary root, which holds `extensions/`.
fn x4_of(game: &Game) -> std::path::PathBuf {
    game.ext_root
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A Lua request and its one answer.
struct Lua<'a> {
    game: &'a Game,
    next: std::cell::Cell<u32>,
}

impl<'a> Lua<'a> {
    fn new(game: &'a Game) -> Lua<'a> {
        Lua {
            game,
            next: std::cell::Cell::new(0),
        }
    }

    fn request(&self, event: &str, kind: &str, pipe: &str, msg: Option<&str>) -> String {
        self.next.set(self.next.get() + 1);
        let id = format!("q{}", self.next.get());
        let param = match msg {
            Some(m) => format!("{pipe};{id};{m}"),
            None => format!("{pipe};{id}"),
        };
        self.game.raise(event, param);
        let control = format!("{kind}_complete_{id}");
        assert!(
            self.game.step_until(|g| g.has_signal(&control)),
            "no answer to {event} {pipe}"
        );
        self.game.signals_for(&control)[0].text()
    }

    fn write(&self, pipe: &str, msg: &str) -> String {
        self.request(names::WRITE, "pipeWrite", pipe, Some(msg))
    }

    fn write_special(&self, pipe: &str, msg: &str) -> String {
        self.request(names::WRITE_SPECIAL, "pipeWrite", pipe, Some(msg))
    }

    #[cfg(target_os = "linux")]
    fn read(&self, pipe: &str) -> String {
        self.request(names::READ, "pipeRead", pipe, None)
    }

    /// What Pipe_Server_Host does once a ping gets through.
    fn announce(&self, host_pipe: &str, modules: &[&str]) {
        assert_eq!(self.write(host_pipe, "ping"), "SUCCESS");
        assert_eq!(self.write_special(host_pipe, "package.path"), "SUCCESS");
        let list: String = modules.iter().map(|m| format!("{m};")).collect();
        assert_eq!(self.write(host_pipe, &format!("modules:{list}")), "SUCCESS");
    }

    #[cfg(target_os = "linux")]
    /// Writes to a module's pipe until it is served (the module may still be
    /// starting, as a mod's MD retries), then reads the answer.
    fn echo(&self, pipe: &str, msg: &str) -> String {
        let end = Instant::now() + LONG;
        while self.write(pipe, msg) != "SUCCESS" {
            assert!(Instant::now() < end, "module pipe {pipe} never served");
            std::thread::sleep(Duration::from_millis(50));
        }
        self.read(pipe)
    }

    #[cfg(target_os = "linux")]
    fn set_package_path(&self, x4: &Path) {
        let x4 = x4.display();
        self.game
            .lua()
            .load(format!(
                r#"package.path = "./?.lua;{x4}/lua/?.lua;{x4}/lua/?/init.lua""#
            ))
            .exec()
            .unwrap();
    }
}

#[cfg(target_os = "linux")]
#[test]
fn lua_client_registers_an_original_module_and_gets_its_echo() {
    let host_pipe = pipe_name("host-e2e");
    let echo_pipe = pipe_name("echo-e2e");
    let game = Game::new();
    let x4 = x4_of(&game);
    let module = add_extension(
        &x4,
        "echo_mod",
        "echo_mod_id",
        "echo.py",
        &echo_module(&echo_pipe),
    );
    let perms_dir = tempfile::tempdir().unwrap();
    let perms = perms_dir.path().join("permissions.json");
    let mut host = HostProc::start(&host_pipe, &perms, &["--allow", "echo_mod_id"]);
    host.wait_for("created the permissions file");

    // No --x4-dir: the host finds the X4 folder in the package.path the client sends.
    let lua = Lua::new(&game);
    lua.set_package_path(&x4);
    lua.announce(&host_pipe, &[&module]);
    host.wait_for("client 1 connected");
    host.wait_for(&format!("X4 folder {} (from package.path)", x4.display()));
    let started = host.wait_for(&format!("started module {module} of extension echo_mod_id"));
    let text = "hello from X4; with semicolons; and ünïcode";
    assert_eq!(lua.echo(&echo_pipe, text), text);
    assert_eq!(lua.echo(&echo_pipe, ""), "");

    // Registered again (as after every reload, and under another spelling): runs once.
    assert_eq!(
        lua.write(
            &host_pipe,
            &format!("modules:{module};./{};", module.replace('/', "\\"))
        ),
        "SUCCESS"
    );
    host.wait_for(&format!("module {module} (client 1) already runs"));
    host.wait_for_nth("(client 1) already runs", 2);
    assert_eq!(host.count("started module"), 1, "{:#?}", host.lines());

    // The host and its module yield to the game on wake-up (SCHED_BATCH, inherited).
    let pid = pid_in(&started);
    #[cfg(target_os = "linux")]
    {
        assert_eq!(sched_policy(host.child.id()), SCHED_BATCH, "the host");
        assert_eq!(sched_policy(pid), SCHED_BATCH, "its module");
    }

    // Ctrl-C stops the host cleanly, and the module with it.
    assert!(alive(pid));
    let status = host.interrupt();
    assert!(status.success(), "{status:?}\n{:#?}", host.lines());
    let lines = host.lines();
    assert!(
        lines
            .iter()
            .any(|l| l == &format!("stopped module {module}")),
        "{lines:#?}"
    );
    assert_eq!(
        lines.last().map(String::as_str),
        Some("host stopped"),
        "{lines:#?}"
    );
    assert!(!alive(pid), "module process {pid} outlived the host");
}

#[cfg(target_os = "linux")]
#[test]
fn two_game_clients_at_once_share_the_host() {
    let host_pipe = pipe_name("host-two");
    let x4 = tempfile::tempdir().unwrap();
    let pipe_a = pipe_name("echo-two-a");
    let pipe_b = pipe_name("echo-two-b");
    let mod_a = add_extension(x4.path(), "mod_a", "mod_a", "a.py", &echo_module(&pipe_a));
    let mod_b = add_extension(x4.path(), "mod_b", "mod_b", "b.py", &echo_module(&pipe_b));
    let perms = x4.path().join("permissions.json");
    std::fs::write(&perms, r#"{"mod_a": true, "mod_b": true}"#).unwrap();
    let x4_arg = x4.path().to_str().unwrap();
    let host = HostProc::start(&host_pipe, &perms, &["--x4-dir", x4_arg]);

    // Two copies of the host script (say the standalone API and an embedded one),
    // both connected at the same time; both register mod_a, only one mod_b.
    let game_a = Game::new();
    let game_b = Game::new();
    let (a, b) = (Lua::new(&game_a), Lua::new(&game_b));
    a.announce(&host_pipe, &[&mod_a]);
    b.announce(&host_pipe, &[&mod_a, &mod_b]);
    host.wait_for("client 1 connected");
    host.wait_for("client 2 connected");
    host.wait_for(&format!("started module {mod_a}"));
    host.wait_for(&format!("started module {mod_b}"));
    // Whichever client came second finds mod_a running.
    let again = host.wait_for(&format!("module {mod_a} (client "));
    assert!(again.ends_with("already runs"), "{again}");
    for i in 0..5 {
        assert_eq!(a.echo(&pipe_a, &format!("a{i}")), format!("a{i}"));
        assert_eq!(b.echo(&pipe_b, &format!("b{i}")), format!("b{i}"));
    }
    assert_eq!(host.count("disconnected"), 0, "{:#?}", host.lines());
    assert_eq!(host.count("started module"), 2, "{:#?}", host.lines());
}

#[cfg(target_os = "linux")]
#[test]
fn host_restarted_under_a_running_client() {
    let host_pipe = pipe_name("host-restart");
    let echo_pipe = pipe_name("echo-restart");
    let x4 = tempfile::tempdir().unwrap();
    let module = add_extension(
        x4.path(),
        "echo_mod",
        "echo_mod",
        "echo.py",
        &echo_module(&echo_pipe),
    );
    let perms = x4.path().join("permissions.json");
    let args = [
        "--x4-dir",
        x4.path().to_str().unwrap(),
        "--allow",
        "echo_mod",
    ];
    let game = Game::new();
    let lua = Lua::new(&game);

    let mut first = HostProc::start(&host_pipe, &perms, &args);
    lua.announce(&host_pipe, &[&module]);
    first.wait_for("started module");
    assert_eq!(lua.echo(&echo_pipe, "before"), "before");
    // The MD keeps a read pending on the host pipe to notice the host going away.
    let pending = format!("{host_pipe};listen");
    game.raise(names::READ, &pending);
    game.step();
    assert!(first.interrupt().success());

    let control = "pipeRead_complete_listen";
    assert!(
        game.step_until(|g| g.has_signal(control)),
        "the pending read is answered"
    );
    assert_eq!(game.signals_for(control)[0].text(), "ERROR");

    // A new host on the same pipe; the client's next ping reaches it, and its modules
    // run again once announced.
    let second = HostProc::start(&host_pipe, &perms, &args);
    lua.announce(&host_pipe, &[&module]);
    second.wait_for("client 1 connected");
    second.wait_for("started module");
    assert_eq!(lua.echo(&echo_pipe, "after"), "after");
}

#[cfg(target_os = "linux")]
#[test]
fn a_crashing_module_is_logged_with_its_output_and_restarted() {
    let host_pipe = pipe_name("host-crash");
    let echo_pipe = pipe_name("echo-crash");
    let x4 = tempfile::tempdir().unwrap();
    let module = add_extension(
        x4.path(),
        "crash_mod",
        "crash_mod",
        "crash.py",
        &crash_once_module(&echo_pipe),
    );
    let perms = x4.path().join("permissions.json");
    let args = [
        "--x4-dir",
        x4.path().to_str().unwrap(),
        "--allow",
        "crash_mod",
    ];
    let host = HostProc::start(&host_pipe, &perms, &args);
    let game = Game::new();
    let lua = Lua::new(&game);
    lua.announce(&host_pipe, &[&module]);

    host.wait_for(&format!("[{module}] about to crash"));
    host.wait_for(&format!("[{module}] RuntimeError: boom on the first start"));
    let exited = host.wait_for(&format!("module {module} crashed (exit code 1)"));
    assert!(exited.contains("restarting in 0.5 s"), "{exited}");
    host.wait_for(&format!("restarted module {module}"));
    assert_eq!(lua.echo(&echo_pipe, "still here"), "still here");
    // The traceback came before the exit line.
    let lines = host.lines();
    let pos = |what: &str| lines.iter().position(|l| l.contains(what)).unwrap();
    assert!(
        pos("RuntimeError: boom") < pos("crashed (exit code 1)"),
        "{lines:#?}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn refused_extension_and_escaping_paths_start_nothing() {
    let host_pipe = pipe_name("host-refuse");
    let x4 = tempfile::tempdir().unwrap();
    let x4p = x4.path();
    let bad_pipe = pipe_name("echo-refused");
    let not_allowed = add_extension(
        x4p,
        "stranger",
        "stranger_id",
        "s.py",
        &echo_module(&bad_pipe),
    );
    let allowed = add_extension(
        x4p,
        "friend",
        "friend_id",
        "f.py",
        "def main():\n    pass\n",
    );
    // Outside any extension, and reached through a symlink inside one.
    std::fs::write(x4p.join("outside.py"), echo_module(&bad_pipe)).unwrap();
    std::os::unix::fs::symlink(
        x4p.join("outside.py"),
        x4p.join("extensions/friend/python/link.py"),
    )
    .unwrap();
    let perms = x4p.join("permissions.json");
    let host = HostProc::start(
        &host_pipe,
        &perms,
        &["--x4-dir", x4p.to_str().unwrap(), "--allow", "friend_id"],
    );
    let game = Game::new();
    let lua = Lua::new(&game);
    let absolute = x4p.join("outside.py").display().to_string();
    lua.announce(
        &host_pipe,
        &[
            &not_allowed,
            "extensions/friend/../../outside.py",
            &absolute,
            "C:/outside.py",
            "extensions/friend/python/link.py",
        ],
    );
    let line = host.wait_for(&format!("refused module {not_allowed}"));
    assert!(
        line.contains("extension stranger_id is not allowed to run Python"),
        "{line}"
    );
    assert!(
        line.contains(&format!("set \"stranger_id\": true in {}", perms.display())),
        "{line}"
    );
    assert!(line.contains("--allow stranger_id"), "{line}");
    host.wait_for(
        "refused module extensions/friend/../../outside.py (client 1): `..` is not allowed",
    );
    host.wait_for(&format!(
        "refused module {absolute} (client 1): absolute paths are not allowed"
    ));
    host.wait_for("refused module C:/outside.py (client 1): drive letters");
    host.wait_for("refused module extensions/friend/python/link.py (client 1): it resolves to");
    assert!(host
        .wait_for("link.py (client 1)")
        .contains("outside its extension folder"));

    // Nothing started: no module line, no process, nobody serves the module's pipe.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(host.count("started module"), 0, "{:#?}", host.lines());
    assert_eq!(host.count("refused module"), 5, "{:#?}", host.lines());
    assert_eq!(lua.write(&bad_pipe, "anyone?"), "ERROR");
    // The allowed extension still works on the same connection.
    lua.write(&host_pipe, &format!("modules:{allowed};"));
    host.wait_for(&format!("started module {allowed}"));
}

#[cfg(target_os = "linux")]
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_scaffolded_mod_runs_under_the_host_as_its_readme_says() {
    // `x4pipe new-extension` + `x4pipe build`, installed into the game's extensions,
    // then `x4pipe host --allow <id>` as the mod's README tells the player.
    let work = tempfile::tempdir().unwrap();
    let id = format!("scaf_{}", std::process::id());
    let x4pipe = |dir: &Path, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_x4pipe"))
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    x4pipe(work.path(), &["new-extension", &id]);
    let project = work.path().join(&id);
    x4pipe(&project, &["build"]);
    let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("x4pipe host --allow {id}")),
        "{readme}"
    );
    let x4 = work.path().join("X4");
    copy_dir(
        &project.join("out").join(&id),
        &x4.join("extensions").join(&id),
    );

    let host_pipe = pipe_name("host-scaffold");
    let perms = work.path().join("permissions.json");
    let host = HostProc::start(
        &host_pipe,
        &perms,
        &["--x4-dir", x4.to_str().unwrap(), "--allow", &id],
    );
    let game = Game::new();
    let lua = Lua::new(&game);
    // The path the scaffold's MD registers.
    let module = format!("extensions/{id}/python/{id}.py");
    lua.announce(&host_pipe, &[&module]);
    host.wait_for(&format!("started module {module} of extension {id}"));
    assert_eq!(lua.echo(&id, "hello from X4"), "hello from X4");
}

/// Issue 9 item 9: mods made by `new-extension` talk to `x4pipe_python_host`, the
/// original API and the standalone one to `x4_python_host`; a plain `x4pipe host`
/// serves both (in a private socket folder here, so no real host is disturbed).
#[cfg(target_os = "linux")]
#[test]
fn host_serves_both_host_pipes_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let sockets = dir.path().join("sockets");
    let mut child = Command::new(env!("CARGO_BIN_EXE_x4pipe"))
        .args(["host", "--permissions"])
        .arg(dir.path().join("perm.json"))
        .env("X4PIPE_SOCKET_DIR", &sockets)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("x4pipe runs");
    let (tx, rx) = std::sync::mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut serving = Vec::new();
    while serving.len() < 2 {
        match rx.recv_timeout(LONG) {
            Ok(line) if line.contains("serving the host pipe") => serving.push(line),
            Ok(_) => {}
            Err(_) => break, // fails below, naming what was served
        }
    }
    for name in ["x4_python_host", "x4pipe_python_host"] {
        assert!(
            serving
                .iter()
                .any(|l| l.contains(&format!("pipe {name} at"))),
            "{serving:?}"
        );
        let meta = std::fs::symlink_metadata(sockets.join(name)).unwrap();
        assert!(
            std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type()),
            "{name}"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn host_without_python_under_any_os() {
    // Runs on Linux and, for the Windows build, under Wine: named pipes served to two
    // game clients at once, refusals, a module that cannot start (no Python), and a
    // host restarted under a running client.
    let host_pipe = pipe_name("host-nopy");
    let x4 = tempfile::tempdir().unwrap();
    let echo = add_extension(
        x4.path(),
        "echo_mod",
        "echo_mod",
        "echo.py",
        &echo_module("unused"),
    );
    let stranger = add_extension(
        x4.path(),
        "stranger",
        "stranger",
        "s.py",
        &echo_module("unused2"),
    );
    let perms = x4.path().join("permissions.json");
    let no_python = x4.path().join("no-such-python");
    let args = [
        "--x4-dir",
        x4.path().to_str().unwrap(),
        "--allow",
        "echo_mod",
        "--python",
        no_python.to_str().unwrap(),
    ];
    let first = HostProc::start(&host_pipe, &perms, &args);
    first.wait_for("warning: cannot run Python");

    let game_a = Game::new();
    let game_b = Game::new();
    let (a, b) = (Lua::new(&game_a), Lua::new(&game_b));
    a.announce(&host_pipe, &[&echo]);
    b.announce(
        &host_pipe,
        &[&stranger, "extensions/echo_mod/../stranger/python/s.py"],
    );
    first.wait_for("client 1 connected");
    first.wait_for("client 2 connected");
    let line = first.wait_for(&format!("cannot start module {echo}"));
    assert!(line.contains("trying again in 0.5 s"), "{line}");
    let line = first.wait_for(&format!("refused module {stranger}"));
    assert!(line.contains("--allow stranger"), "{line}");
    first.wait_for("`..` is not allowed");
    // Both clients are still connected and served.
    assert_eq!(a.write(&host_pipe, "ping"), "SUCCESS");
    assert_eq!(b.write(&host_pipe, "ping"), "SUCCESS");
    assert_eq!(first.count("disconnected"), 0, "{:#?}", first.lines());
    assert_eq!(first.count("started module"), 0, "{:#?}", first.lines());

    // The host goes away under running clients, a new one comes; the clients' next
    // pings reach it.
    let game_read = format!("{host_pipe};listen");
    game_a.raise(names::READ, &game_read);
    game_a.step();
    drop(first);
    let control = "pipeRead_complete_listen";
    assert!(
        game_a.step_until(|g| g.has_signal(control)),
        "the pending read is answered"
    );
    assert_eq!(game_a.signals_for(control)[0].text(), "ERROR");
    let second = HostProc::start(&host_pipe, &perms, &args);
    let end = Instant::now() + LONG;
    while a.write(&host_pipe, "ping") != "SUCCESS" {
        assert!(
            Instant::now() < end,
            "the client never reached the new host"
        );
    }
    while b.write(&host_pipe, "ping") != "SUCCESS" {
        assert!(
            Instant::now() < end,
            "the client never reached the new host"
        );
    }
    second.wait_for("client 1 connected");
    second.wait_for("client 2 connected");
}

#[cfg(target_os = "linux")]
#[test]
fn modules_do_not_outlive_a_killed_host() {
    // Not Ctrl-C but SIGKILL (a crash, a closed terminal): the modules still go, as
    // the end of their stdin tells them.
    let host_pipe = pipe_name("host-killed");
    let echo_pipe = pipe_name("echo-killed");
    let x4 = tempfile::tempdir().unwrap();
    let module = add_extension(
        x4.path(),
        "echo_mod",
        "echo_mod",
        "echo.py",
        &echo_module(&echo_pipe),
    );
    let perms = x4.path().join("permissions.json");
    let mut host = HostProc::start(
        &host_pipe,
        &perms,
        &[
            "--x4-dir",
            x4.path().to_str().unwrap(),
            "--allow",
            "echo_mod",
        ],
    );
    let game = Game::new();
    let lua = Lua::new(&game);
    lua.announce(&host_pipe, &[&module]);
    let pid = pid_in(&host.wait_for("started module"));
    assert_eq!(lua.echo(&echo_pipe, "alive"), "alive");
    host.child.kill().unwrap();
    host.child.wait().unwrap();
    let end = Instant::now() + LONG;
    while alive(pid) {
        assert!(
            Instant::now() < end,
            "module {pid} outlived the killed host"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
