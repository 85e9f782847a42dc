//! Scenarios of `x4pipe-sim` through what users get: the rendered API (and scaffolded
//! mods) built by `x4pipe build`, the real Lua client in LuaJIT over the bundled native
//! library, and real servers on real pipes (the scaffolded Python echo server, and a
//! Rust stand-in for the Python pipe host that records what it is told).
//!
//! `late_register_module_reaches_the_host` and `fast_host_restart_hears_the_modules_again`
//! failed before the fixes of issue #9 (review §0.1, §0.2), as noted in the sim report.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use x4pipe::config::ApiMode;
use x4pipe::pipeline::{build, BuildOptions};
use x4pipe::scaffold::{new_extension, NewExtension};
use x4pipe_sim::engine::micros;
use x4pipe_sim::host::HostOptions;
use x4pipe_sim::{
    extension, Event, EventKind, Happening, Model, Record, SignalOrder, Sim, SimOptions,
};

/// A folder with built extensions and a host pipe name no other test uses.
struct World {
    dir: tempfile::TempDir,
    host_pipe: String,
    exts: Vec<PathBuf>,
}

fn unique(tag: &str) -> String {
    format!("{tag}_{}", std::process::id())
}

impl World {
    /// The standalone API, built with a host pipe of its own.
    fn new(tag: &str) -> World {
        let dir = tempfile::tempdir().unwrap();
        let host_pipe = unique(&format!("x4t_host_{tag}"));
        let api = dir.path().join("api");
        std::fs::create_dir_all(&api).unwrap();
        std::fs::write(
            api.join("x4pipe.toml"),
            format!("[names]\nhost_pipe = \"{host_pipe}\"\n"),
        )
        .unwrap();
        let mut w = World {
            dir,
            host_pipe,
            exts: Vec::new(),
        };
        let ext = w.build(&api);
        w.exts.push(ext);
        w
    }

    /// The game folder the extensions are built into (`<x4>/extensions/<id>`).
    fn x4(&self) -> PathBuf {
        self.dir.path().join("X4")
    }

    fn out(&self) -> PathBuf {
        self.x4().join("extensions")
    }

    fn build(&self, project: &Path) -> PathBuf {
        let report = build(&BuildOptions {
            project_dir: project.to_owned(),
            out: Some(self.out()),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("build {}: {e:#}", project.display()));
        report.extension_dir
    }

    /// A mod made by `x4pipe new-extension`, built; returns its id (also its pipe).
    fn add_mod(&mut self, tag: &str, api: ApiMode) -> String {
        let id = unique(tag);
        let project = self.dir.path().join(&id);
        new_extension(&NewExtension {
            name: id.clone(),
            dir: project.clone(),
            author: "Test".into(),
            description: None,
            api,
            force: false,
        })
        .unwrap_or_else(|e| panic!("new-extension {id}: {e}"));
        let toml = project.join("x4pipe.toml");
        let mut text = std::fs::read_to_string(&toml).unwrap();
        text.push_str(&format!("\n[names]\nhost_pipe = \"{}\"\n", self.host_pipe));
        std::fs::write(&toml, text).unwrap();
        let ext = self.build(&project);
        self.exts.push(ext);
        id
    }

    /// An extension with one MD file of the test's own.
    fn add_md(&mut self, name: &str, cues: &str) {
        let ext = self.out().join(name);
        std::fs::create_dir_all(ext.join("md")).unwrap();
        std::fs::write(
            ext.join("md").join(format!("{name}.xml")),
            format!("<?xml version=\"1.0\"?>\n<mdscript name=\"{name}\"><cues>\n{cues}\n</cues></mdscript>\n"),
        )
        .unwrap();
        self.exts.push(ext);
    }

    fn sim(&self, opts: SimOptions) -> Sim {
        let exts: Vec<_> = self
            .exts
            .iter()
            .map(|d| extension::load(d).unwrap())
            .collect();
        Sim::new(&exts, opts).unwrap()
    }

    /// `x4pipe host` on the test's host pipe, allowed to run the Python of `allow`
    /// (the scaffolded mods' echo servers), started once it serves.
    fn real_host(&self, allow: &[&str]) -> RealHost {
        let perms = self.dir.path().join("permissions.json");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_x4pipe"));
        cmd.args(["host", "--pipe", &self.host_pipe, "--permissions"])
            .arg(&perms)
            .arg("--x4-dir")
            .arg(self.x4())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for id in allow {
            cmd.args(["--allow", id]);
        }
        let host = RealHost(cmd.spawn().expect("x4pipe host runs"));
        wait_for_socket(&self.host_pipe);
        host
    }
}

/// The simulated clock runs ahead of the real one: servers are waited for.
fn wait_for_socket(name: &str) {
    let socket = x4pipe_native::name::socket_path(name).unwrap();
    let start = std::time::Instant::now();
    while !socket.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "nothing serves {name}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

struct RealHost(Child);

impl Drop for RealHost {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A server on a real pipe, one client at a time, in a thread: records what it reads
/// (and "<connect>" / "<disconnect>"), answers with `reply`.
struct TestServer {
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Reply {
    Nothing,
    Echo,
}

impl TestServer {
    fn start(name: &str, reply: Reply) -> TestServer {
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut server =
            x4pipe_native::Server::create(name).unwrap_or_else(|e| panic!("serve {name}: {e}"));
        let (s, l) = (stop.clone(), log.clone());
        let thread = std::thread::spawn(move || {
            let tick = Duration::from_millis(20);
            while !s.load(Ordering::SeqCst) {
                let Ok(Some(mut conn)) = server.accept_timeout(tick) else {
                    continue;
                };
                l.lock().unwrap().push("<connect>".into());
                while !s.load(Ordering::SeqCst) {
                    match conn.read_timeout(tick) {
                        Ok(Some(m)) => {
                            l.lock()
                                .unwrap()
                                .push(String::from_utf8_lossy(&m).into_owned());
                            if reply == Reply::Echo && conn.write(&m).is_err() {
                                break;
                            }
                        }
                        Ok(None) => {}
                        Err(_) => {
                            l.lock().unwrap().push("<disconnect>".into());
                            break;
                        }
                    }
                }
            }
        });
        TestServer {
            stop,
            log,
            thread: Some(thread),
        }
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Messages that contain `part`.
    fn count(&self, part: &str) -> usize {
        self.log().iter().filter(|m| m.contains(part)).count()
    }

    /// Closes the pipe (the server process went away).
    fn stop(mut self) -> Vec<String> {
        self.halt();
        self.log()
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Options for tests: the default model, a generous settle time for a loaded machine.
fn opts() -> SimOptions {
    SimOptions {
        settle: Duration::from_millis(300),
        ..SimOptions::default()
    }
}

/// Runs for `secs` more of the session clock; returns the events, failing on a stop.
fn run(sim: &mut Sim, secs: f64) -> Vec<Event> {
    let mut seen = Vec::new();
    let until = sim.clock() + micros(secs);
    sim.run(until, |e| {
        seen.push(e.clone());
        false
    })
    .unwrap_or_else(|e| panic!("the run stopped: {e}\n{}", show(&seen)));
    seen
}

/// Runs until an event's text contains `what` (at most `secs`).
fn run_until(sim: &mut Sim, secs: f64, what: &str) -> Vec<Event> {
    let mut seen = Vec::new();
    let until = sim.clock() + micros(secs);
    let hit = sim
        .run(until, |e| {
            seen.push(e.clone());
            e.to_string().contains(what)
        })
        .unwrap_or_else(|e| panic!("the run stopped: {e}\n{}", show(&seen)));
    assert!(
        hit,
        "no event with {what:?} within {secs}s:\n{}",
        show(&seen)
    );
    seen
}

fn show(events: &[Event]) -> String {
    events.iter().map(|e| format!("  {e}\n")).collect()
}

fn texts(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Md(Record::DebugText { text, .. }) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn no_errors(sim: &Sim, events: &[Event]) {
    assert_eq!(sim.errors(), 0, "MD or Lua errors:\n{}", show(events));
}

/// Waits (in real time, running the sim) until the host has heard `prefix` `n` times.
fn run_until_host(
    sim: &mut Sim,
    host: &TestServer,
    prefix: &str,
    n: usize,
    secs: f64,
) -> Vec<Event> {
    let mut seen = Vec::new();
    let end = sim.clock() + micros(secs);
    while host.count(prefix) < n {
        assert!(
            sim.clock() < end,
            "the host heard {prefix:?} {} times, not {n}, within {secs}s: {:?}\n{}",
            host.count(prefix),
            host.log(),
            show(&seen)
        );
        let step = sim.clock() + micros(0.5);
        sim.run(step, |e| {
            seen.push(e.clone());
            false
        })
        .unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    seen
}

/// How the module of a mod appears in a `modules:` message.
fn module_of(id: &str) -> String {
    format!("extensions/{id}/python/{id}.py;")
}

fn round_trip(order: SignalOrder) {
    let mut w = World::new(&format!("rt{}", order as u8));
    let id = w.add_mod(&format!("rt{}", order as u8), ApiMode::Standalone);
    let _host = w.real_host(&[&id]);
    let mut sim = w.sim(SimOptions {
        model: Model {
            signal_order: order,
            ..Model::default()
        },
        ..opts()
    });
    // The host starts the echo module when MD registers it, in real time.
    let mut events = run(&mut sim, 1.0);
    wait_for_socket(&id);
    events.extend(run_until(&mut sim, 120.0, "Python says: hello from X4"));
    no_errors(&sim, &events);
    // The exchange is visible: MD -> Lua write, Lua -> MD answer.
    let shown = show(&events);
    assert!(
        shown.contains(&format!("MD -> Lua: pipeWrite \"{id};")),
        "{shown}"
    );
    assert!(
        shown.contains("Lua -> MD: Named_Pipes pipeRead_complete_"),
        "{shown}"
    );
}

#[test]
fn round_trip_to_the_scaffolded_python_server_fifo() {
    round_trip(SignalOrder::Fifo);
}

#[test]
fn round_trip_to_the_scaffolded_python_server_depth_first() {
    round_trip(SignalOrder::DepthFirst);
}

/// An MD file `name` that runs `accesses` (MD actions) at 2s; an access made with
/// `$cue=Answer` has its result shown as the debug_text "answer: <result>".
fn ask_at_2s(w: &mut World, name: &str, accesses: &str) {
    w.add_md(
        name,
        &format!(
            r#"<cue name="Ask"><delay exact="2s"/><actions>
                 {accesses}
               </actions></cue>
               <cue name="Answer" instantiate="true"><conditions><event_cue_signalled/></conditions>
                 <actions><debug_text text="'answer: ' + event.param"/></actions></cue>"#
        ),
    );
}

/// The debug_texts of `ask_at_2s`'s Answer cue, in order.
fn answers(events: &[Event]) -> Vec<String> {
    texts(events)
        .into_iter()
        .filter(|t| t.starts_with("answer"))
        .collect()
}

/// A Read that waits on a pipe whose server never answers, made at 2s.
fn pending_read(w: &mut World, pipe: &str) {
    ask_at_2s(
        w,
        "Sim_Pending",
        &format!(
            r#"<signal_cue_instantly cue="md.Named_Pipes.Read" param="table[$pipe='{pipe}', $cue=Answer, $time=600s]"/>"#
        ),
    );
}

/// Issue #9 item 6: the UI's onUpdate can drop out for a while; MD's heartbeat then
/// polls the Lua client, so reads still complete.
#[test]
fn reads_complete_on_the_md_heartbeat_while_onupdate_is_out() {
    let mut w = World::new("beat");
    let echo = unique("x4t_echo_beat");
    ask_at_2s(
        &mut w,
        "Sim_Beat",
        &format!(
            r#"<signal_cue_instantly cue="md.Named_Pipes.Write" param="table[$pipe='{echo}', $msg='hi']"/>
               <signal_cue_instantly cue="md.Named_Pipes.Read" param="table[$pipe='{echo}', $cue=Answer, $time=60s]"/>"#
        ),
    );
    let _echo = TestServer::start(&echo, Reply::Echo);
    let mut sim = w.sim(opts());
    sim.host().set_onupdate_runs(false);
    let events = run_until(&mut sim, 30.0, "answer: ");
    assert_eq!(answers(&events), ["answer: hi"], "{}", show(&events));
    no_errors(&sim, &events);
}

/// Issue #9 item 5 at the MD level: a Lua error in a handler still gives the MD access
/// its one answer. The error reaches the game (a `LuaError` event); the client answers
/// ERROR at its next call, here MD's heartbeat (nothing else calls it).
#[test]
fn a_throwing_handler_still_answers_md() {
    let mut w = World::new("throw");
    let pipe = unique("x4t_throw");
    ask_at_2s(
        &mut w,
        "Sim_Throw",
        &format!(
            r#"<signal_cue_instantly cue="md.Named_Pipes.Write_Special" param="table[$pipe='{pipe}', $msg='package.path', $cue=Answer, $time=60s]"/>"#
        ),
    );
    let _server = TestServer::start(&pipe, Reply::Echo);
    let mut sim = w.sim(opts());
    // The Lua state exists once the game has started; the access comes at 2s.
    let mut events = run(&mut sim, 1.0);
    // Write_Special reads the global package table when it runs; without it the
    // handler raises.
    sim.host()
        .lua()
        .unwrap()
        .load("package = nil")
        .exec()
        .unwrap();
    events.extend(run_until(&mut sim, 30.0, "answer: "));
    assert_eq!(answers(&events), ["answer: ERROR"], "{}", show(&events));
    let errors: Vec<_> = events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::LuaError(t) if t.contains("package")))
        .collect();
    assert_eq!(errors.len(), 1, "{}", show(&events));
    assert_eq!(sim.errors(), 1, "{}", show(&events));
    let answered = events
        .iter()
        .find(|e| matches!(&e.kind, EventKind::Md(Record::DebugText { text, .. }) if text.starts_with("answer")))
        .unwrap();
    assert!(
        answered.clock.saturating_sub(errors[0].clock) <= 600_000,
        "answered within one heartbeat of the error:\n{}",
        show(&events)
    );
}

#[test]
fn savegame_load_cancels_pending_accesses_and_the_host_reconnects() {
    let mut w = World::new("load");
    let id = w.add_mod("load", ApiMode::Standalone);
    let silent = unique("x4t_silent_load");
    pending_read(&mut w, &silent);
    let host = TestServer::start(&w.host_pipe, Reply::Nothing);
    let _quiet = TestServer::start(&silent, Reply::Nothing);
    let mut sim = w.sim(opts());
    sim.at(micros(10.0), Happening::LoadGame);
    let mut events = run(&mut sim, 5.0);
    assert!(answers(&events).is_empty(), "{}", show(&events));
    events.extend(run_until(&mut sim, 60.0, "answer: "));
    events.extend(run(&mut sim, 1.0));
    assert_eq!(answers(&events), ["answer: CANCELLED"], "{}", show(&events));
    events.extend(run_until_host(&mut sim, &host, &module_of(&id), 2, 120.0));
    no_errors(&sim, &events);
    assert_eq!(host.count("<connect>"), 2, "{:?}", host.log());
}

#[test]
fn ui_reload_cancels_pending_accesses_and_the_host_reconnects() {
    let mut w = World::new("reload");
    let id = w.add_mod("reload", ApiMode::Standalone);
    let silent = unique("x4t_silent_reload");
    pending_read(&mut w, &silent);
    let host = TestServer::start(&w.host_pipe, Reply::Nothing);
    let _quiet = TestServer::start(&silent, Reply::Nothing);
    let mut sim = w.sim(opts());
    sim.at(micros(10.0), Happening::ReloadUi);
    let mut events = run_until(&mut sim, 60.0, "answer: ");
    events.extend(run(&mut sim, 1.0));
    assert_eq!(answers(&events), ["answer: CANCELLED"], "{}", show(&events));
    events.extend(run_until_host(&mut sim, &host, &module_of(&id), 2, 120.0));
    no_errors(&sim, &events);
}

#[test]
fn paused_game_stops_game_time_but_not_the_pipes() {
    let mut w = World::new("pause");
    let id = w.add_mod("pause", ApiMode::Standalone);
    let _host = w.real_host(&[&id]);
    let mut sim = w.sim(opts());
    sim.at(micros(0.5), Happening::Pause);
    sim.at(micros(60.0), Happening::Resume);
    // While paused the host connects and starts the echo module, and Keep_Connected's
    // real-time back-off (Lua alarms) goes on: the round trip happens in the pause.
    let events = run_until(&mut sim, 59.0, "Python says: hello from X4");
    no_errors(&sim, &events);
    let answer = events.last().unwrap();
    assert!(answer.clock < micros(60.0), "{answer:?}");
    assert!(
        answer.game < micros(0.6),
        "game time ran on while paused: {answer:?}"
    );
    // Delays wait for the game: nothing MD timed (the access timeouts) ran out.
    assert!(!show(&events).contains("TIMEOUT"), "{}", show(&events));
}

#[test]
fn protected_ui_mode_disables_the_api_without_errors() {
    let mut w = World::new("safe");
    let id = w.add_mod("safe", ApiMode::Standalone);
    let host = TestServer::start(&w.host_pipe, Reply::Nothing);
    let mut sim = w.sim(SimOptions {
        host: HostOptions {
            safe_mode: Some(true),
            ..HostOptions::default()
        },
        ..opts()
    });
    let events = run(&mut sim, 60.0);
    no_errors(&sim, &events);
    let shown = show(&events);
    assert!(
        shown.contains("DISABLED:protected UI mode is on"),
        "{shown}"
    );
    // Every access is answered, with ERROR, at once.
    assert!(
        shown.contains("Lua -> MD: Named_Pipes pipeCheck_complete_1 \"ERROR\""),
        "{shown}"
    );
    let pipe_success = events.iter().any(|e| match &e.kind {
        EventKind::FromLua { control, value, .. } => {
            !control.starts_with("pipeAlarm") && value == "SUCCESS"
        }
        _ => false,
    });
    assert!(!pipe_success, "no pipe access may succeed: {shown}");
    assert!(!shown.contains(&format!("{id}: Python says")), "{shown}");
    assert!(
        host.log().is_empty(),
        "nothing may reach the host: {:?}",
        host.log()
    );
}

#[test]
fn two_copies_standalone_and_embedded_share_one_host() {
    let mut w = World::new("two");
    let a = w.add_mod("two_a", ApiMode::Standalone);
    let b = w.add_mod("two_b", ApiMode::Embedded);
    let host = TestServer::start(&w.host_pipe, Reply::Nothing);
    let mut sim = w.sim(opts());
    let mut events = run_until_host(&mut sim, &host, &module_of(&a), 1, 120.0);
    events.extend(run_until_host(&mut sim, &host, &module_of(&b), 1, 120.0));
    events.extend(run(&mut sim, 30.0));
    no_errors(&sim, &events);
    assert_eq!(
        host.count("<connect>"),
        1,
        "one copy owns the host pipe: {:?}",
        host.log()
    );
}

#[test]
fn late_register_module_reaches_the_host() {
    let mut w = World::new("late");
    w.add_md(
        "Sim_Late",
        r#"<cue name="Late"><delay exact="30s"/><actions>
             <signal_cue_instantly cue="md.Pipe_Server_Host.Register_Module" param="'late.py'"/>
           </actions></cue>"#,
    );
    let host = TestServer::start(&w.host_pipe, Reply::Nothing);
    let mut sim = w.sim(opts());
    let events = run_until_host(&mut sim, &host, "late.py;", 1, 120.0);
    no_errors(&sim, &events);
}

#[test]
fn host_killed_and_restarted_later_hears_the_modules_again() {
    let mut w = World::new("kill");
    let id = w.add_mod("kill", ApiMode::Standalone);
    let host = TestServer::start(&w.host_pipe, Reply::Nothing);
    let mut sim = w.sim(opts());
    let mut events = run_until_host(&mut sim, &host, &module_of(&id), 1, 60.0);
    drop(host.stop());
    // The pending read notices, the session starts over and pings a missing host.
    events.extend(run_until(&mut sim, 60.0, "pipeRead_complete_"));
    assert!(
        events.last().unwrap().to_string().ends_with("\"ERROR\""),
        "{}",
        show(&events)
    );
    events.extend(run(&mut sim, 20.0));
    let host = TestServer::start(&w.host_pipe, Reply::Nothing);
    events.extend(run_until_host(&mut sim, &host, &module_of(&id), 1, 300.0));
    no_errors(&sim, &events);
}

#[test]
fn fast_host_restart_hears_the_modules_again() {
    let mut w = World::new("fast");
    let id = w.add_mod("fast", ApiMode::Standalone);
    let host = TestServer::start(&w.host_pipe, Reply::Nothing);
    let mut sim = w.sim(opts());
    let mut events = run_until_host(&mut sim, &host, &module_of(&id), 1, 60.0);
    drop(host.stop());
    let host = TestServer::start(&w.host_pipe, Reply::Nothing);
    events.extend(run_until_host(&mut sim, &host, &module_of(&id), 1, 300.0));
    no_errors(&sim, &events);
}

/// Runs `x4pipe sim ARGS` in the world's folder: exit code, stdout, stderr.
fn sim_cli(w: &World, args: &[&str]) -> (Option<i32>, String, String) {
    let args: Vec<&str> = std::iter::once("sim").chain(args.iter().copied()).collect();
    let o = crate::support::x4pipe(w.dir.path(), &args);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

/// `x4pipe sim` on the scaffolded mod and its Python echo server prints the round trip.
#[test]
fn cli_runs_the_scaffolded_mod_against_its_echo_server() {
    let mut w = World::new("cli");
    let id = w.add_mod("cli", ApiMode::Standalone);
    let _host = w.real_host(&[&id]);
    let api = w.exts[0].to_string_lossy().into_owned();
    let m = w.exts[1].to_string_lossy().into_owned();
    let (code, out, err) = sim_cli(
        &w,
        &[
            &api,
            &m,
            "--for",
            "2min",
            "--until-debug-text",
            "Python says",
            // Real time for the host to start the echo module after each new request.
            "--settle",
            "1s",
        ],
    );
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(
        out.contains(&format!("MD -> Lua: pipeWrite \"{id};")),
        "{out}"
    );
    assert!(
        out.contains("Lua -> MD: Named_Pipes pipeRead_complete_"),
        "{out}"
    );
    let last = out.lines().last().unwrap();
    assert!(
        last.contains("debug_text: ") && last.ends_with("Python says: hello from X4"),
        "{out}"
    );
}

/// The issue's spelling of happenings: `--event game-loaded@T`, `--reload-ui@T` (and
/// `--reload-ui T`), `--pause A..B`, each at its time.
#[test]
fn cli_takes_happenings_as_the_issue_spells_them() {
    let mut w = World::new("cli_at");
    w.add_md(
        "Sim_Happenings",
        r#"<cue name="Start"><delay exact="4s"/><actions>
             <debug_text text="'done'"/>
           </actions></cue>"#,
    );
    let dir = w.exts[1].to_string_lossy().into_owned();
    let (code, out, err) = sim_cli(
        &w,
        &[
            &dir,
            "--for",
            "5s",
            "--reload-ui@1s",
            "--reload-ui",
            "1.5s",
            "--event",
            "game-loaded@2s",
            "--pause",
            "3s..3.5s",
        ],
    );
    assert_eq!(code, Some(0), "{out}\n{err}");
    for line in [
        "[    1.000s] UI reloaded (Lua state recreated)",
        "[    1.500s] UI reloaded (Lua state recreated)",
        "[    2.000s] savegame loaded (Lua state recreated)",
        "[    3.000s] game paused",
        "[    3.000s] game resumed",
        // The delay waited while the game was paused.
        "[    4.000s] debug_text: done",
    ] {
        assert!(out.lines().any(|l| l == line), "no {line:?} in\n{out}");
    }
}

/// A construct outside the subset stops the run with the promised error and exit 1.
#[test]
fn cli_stops_at_a_construct_outside_the_subset() {
    let mut w = World::new("cli_ns");
    w.add_md(
        "Sim_Outside",
        r#"<cue name="Start"><delay exact="3s"/><actions>
             <debug_text text="'before'"/>
             <find_ship name="$ship" space="player.galaxy"/>
           </actions></cue>"#,
    );
    let dir = w.exts[1].to_string_lossy().into_owned();
    let (code, out, err) = sim_cli(&w, &[&dir, "--for", "10s"]);
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(out.contains("[    3.000s] debug_text: before"), "{out}");
    let md = Path::new(&dir).join("md").join("Sim_Outside.xml");
    assert!(
        err.contains(&format!(
            "error: not simulated: <find_ship> at {}:5",
            md.display()
        )),
        "{err}"
    );
}
