//! The Lua client of the Named Pipes API (templates/api/ui/x4pipe/named_pipes.lua) in
//! real LuaJIT, in a fake X4 game (tests/it/support/game.rs, around
//! `x4pipe_sim::host::LuaHost`), against the real native library and a real server
//! (`x4pipe_native::server`).
//!
//! Run: `cargo test --test it lua_client::`. The native library is the cdylib that building
//! this test builds (x4pipe-native is a dev-dependency); see support/native.rs.
//! The same file cross-builds for x86_64-pc-windows-gnu and runs under Wine.

use crate::support::game::{Game, Options, Signal, IDLE_FRAMES};
use crate::support::render::{names, Settings};
use crate::support::{accept, pipe_name, recv, serve};
use std::time::Duration;
use x4pipe_native::Status;

fn one(host: &Game, control: &str) -> Signal {
    let s = host.signals_for(control);
    assert_eq!(s.len(), 1, "exactly one {control}, got {s:?}");
    s.into_iter().next().unwrap()
}

fn value(host: &Game, control: &str) -> String {
    one(host, control).text()
}

fn no_signal(host: &Game, control: &str) {
    let s = host.signals_for(control);
    assert!(s.is_empty(), "no {control} expected, got {s:?}");
}

fn is_broken(conn: &mut x4pipe_native::Connection) -> bool {
    // The client's close shows as Broken once whatever it sent is read.
    for _ in 0..1000 {
        match conn.read_timeout(Duration::from_millis(10)) {
            Err(e) => return e.status() == Status::Broken,
            Ok(Some(_)) => continue,
            Ok(None) => return false,
        }
    }
    false
}

// ---- loading ----------------------------------------------------------------------

#[test]
fn loads_enabled_and_registers_all_events() {
    let host = Game::new();
    let loaded = host.signals();
    assert_eq!(loaded.len(), 1, "{loaded:?}");
    assert_eq!(loaded[0].screen, names::SCREEN);
    assert_eq!(loaded[0].control, names::LOADED);
    assert_eq!(loaded[0].text(), "ENABLED");
    let mut events = host.registered_events();
    events.sort();
    let mut want: Vec<String> = names::ALL_EVENTS.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(events, want);
    assert!(host.debug_log().is_empty(), "{:?}", host.debug_log());
    assert!(!host.updating(), "no onUpdate while idle");
}

#[test]
fn safe_mode_option_absent_counts_as_off() {
    let host = Game::with(Options {
        safe_mode: None,
        ..Options::default()
    });
    assert_eq!(value(&host, names::LOADED), "ENABLED");
}

fn assert_disabled_answers_everything(host: &Game) {
    let reason = value(host, names::LOADED);
    assert!(reason.starts_with("DISABLED:"), "{reason}");
    let log = host.debug_log();
    assert_eq!(log.len(), 1, "the reason is logged once: {log:?}");
    assert!(log[0].contains(&reason["DISABLED:".len()..]), "{log:?}");
    host.take_signals();
    let p = pipe_name("disabled");
    host.raise(names::READ, format!("{p};r1"));
    host.raise(names::WRITE, format!("{p};w1;hello;there"));
    host.raise(names::WRITE_SPECIAL, format!("{p};s1;package.path"));
    host.raise(names::CHECK, format!("{p};c1"));
    host.raise(names::CLOSE, &p);
    host.raise(names::SUPPRESS, &p);
    host.raise(names::UNSUPPRESS, &p);
    host.step();
    let got: Vec<(String, String, u64)> = host
        .signals()
        .iter()
        .map(|s| (s.control.clone(), s.text(), s.frame))
        .collect();
    let f = host.frame();
    assert_eq!(
        got,
        vec![
            ("pipeRead_complete_r1".into(), "ERROR".into(), f),
            ("pipeWrite_complete_w1".into(), "ERROR".into(), f),
            ("pipeWrite_complete_s1".into(), "ERROR".into(), f),
            ("pipeCheck_complete_c1".into(), "ERROR".into(), f),
        ]
    );
    for _ in 0..3 {
        host.step();
    }
    assert_eq!(host.signals().len(), 4, "nothing more later");
    assert_eq!(host.debug_log().len(), 1, "still one log line");
}

#[test]
fn disabled_without_native_library() {
    let host = Game::with(Options {
        with_native: false,
        ..Options::default()
    });
    let reason = value(&host, names::LOADED);
    // The file name of this OS (jit.os decides in the Lua).
    assert!(
        reason.contains(crate::support::native::LIB_FILE),
        "{reason}"
    );
    // The path comes from the file's own location inside its extension.
    let ext = host.ext_root.to_string_lossy().replace('\\', "/");
    assert!(reason.replace('\\', "/").contains(&ext), "{reason} / {ext}");
    assert_disabled_answers_everything(&host);
}

#[test]
fn disabled_when_the_native_library_does_not_load() {
    let host = Game::with(Options {
        corrupt_native: true,
        ..Options::default()
    });
    let reason = value(&host, names::LOADED);
    assert!(
        reason.contains("cannot load the native library"),
        "{reason}"
    );
    assert!(
        !reason.contains('\n'),
        "one line for MD and the log: {reason:?}"
    );
    assert_disabled_answers_everything(&host);
}

#[test]
fn disabled_in_protected_ui_mode() {
    let host = Game::with(Options {
        safe_mode: Some(true),
        ..Options::default()
    });
    let reason = value(&host, names::LOADED);
    assert!(reason.contains("protected UI mode"), "{reason}");
    assert_disabled_answers_everything(&host);
}

#[test]
fn unknown_chunk_name_falls_back_to_extensions_folder() {
    // Not a path ending in the file's place in the extension: the library is looked up
    // under extensions/<folder>/ relative to the game folder (not there in the tests).
    let host = Game::with(Options {
        chunk_name: Some("=named_pipes".into()),
        ..Options::default()
    });
    let reason = value(&host, names::LOADED).replace('\\', "/");
    let want = format!("extensions/{}/{}/", names::EXT_FOLDER, names::NATIVE_DIR);
    assert!(reason.contains(&want), "{reason}");
}

// ---- each event and its completion -------------------------------------------------

#[test]
fn write_reaches_server_and_completes_in_the_same_frame() {
    let p = pipe_name("write");
    let mut server = serve(&p);
    let host = Game::new();
    host.take_signals();
    host.raise(names::WRITE, format!("{p};42;hello"));
    assert!(
        host.signals().is_empty(),
        "events are deferred to the frame"
    );
    host.step();
    let s = one(&host, "pipeWrite_complete_42");
    assert_eq!(
        (s.screen.as_str(), s.text().as_str()),
        (names::SCREEN, "SUCCESS")
    );
    assert_eq!(s.frame, host.frame());
    let mut conn = accept(&mut server);
    assert_eq!(recv(&mut conn), b"hello");
    assert!(host.settles(), "nothing left to poll");
}

#[test]
fn read_returns_the_servers_message() {
    let p = pipe_name("read");
    let mut server = serve(&p);
    let host = Game::new();
    host.raise(names::CHECK, format!("{p};c"));
    host.step();
    assert_eq!(value(&host, "pipeCheck_complete_c"), "SUCCESS");
    let mut conn = accept(&mut server);
    conn.write(b"from the server").unwrap();
    host.raise(names::READ, format!("{p};7"));
    host.step();
    let s = one(&host, "pipeRead_complete_7");
    assert_eq!(s.text(), "from the server");
    assert_eq!(s.frame, host.frame());
}

#[test]
fn check_without_server_errors_and_with_server_succeeds() {
    let p = pipe_name("check");
    let host = Game::new();
    host.raise(names::CHECK, format!("{p};1"));
    host.step();
    assert_eq!(value(&host, "pipeCheck_complete_1"), "ERROR");
    let mut server = serve(&p);
    host.raise(names::CHECK, format!("{p};2"));
    host.step();
    assert_eq!(value(&host, "pipeCheck_complete_2"), "SUCCESS");
    let _conn = accept(&mut server);
    // An open handle is enough for SUCCESS.
    host.raise(names::CHECK, format!("{p};3"));
    host.step();
    assert_eq!(value(&host, "pipeCheck_complete_3"), "SUCCESS");
}

#[test]
fn write_special_sends_package_path() {
    let p = pipe_name("special");
    let mut server = serve(&p);
    let host = Game::new();
    host.lua()
        .load(r#"package.path = ".\\?.lua;C:\\X4 Foundations\\lua\\?.lua""#)
        .exec()
        .unwrap();
    host.raise(names::WRITE_SPECIAL, format!("{p};s1;package.path"));
    host.raise(names::WRITE_SPECIAL, format!("{p};s2;no.such.command"));
    host.raise(names::WRITE, format!("{p};w3;after"));
    host.step();
    assert_eq!(value(&host, "pipeWrite_complete_s1"), "SUCCESS");
    assert_eq!(value(&host, "pipeWrite_complete_s2"), "ERROR");
    assert_eq!(value(&host, "pipeWrite_complete_w3"), "SUCCESS");
    let mut conn = accept(&mut server);
    // With the prefix every released host version understands.
    assert_eq!(
        recv(&mut conn),
        br"package.path:.\?.lua;C:\X4 Foundations\lua\?.lua"
    );
    // The unknown command sent nothing and did not hurt the pipe.
    assert_eq!(recv(&mut conn), b"after");
    no_signal(&host, &format!("{p}_disconnected"));
}

#[test]
fn close_errors_pending_requests_and_closes_the_handle() {
    let p = pipe_name("close");
    let mut server = serve(&p);
    let host = Game::new();
    host.raise(names::READ, format!("{p};r1"));
    host.raise(names::READ, format!("{p};r2"));
    host.step();
    assert!(host.signals_for("pipeRead_complete_r1").is_empty());
    assert!(host.updating());
    let mut conn = accept(&mut server);
    host.raise(names::CLOSE, &p);
    host.step();
    let f = host.frame();
    assert_eq!(one(&host, "pipeRead_complete_r1").frame, f);
    assert_eq!(value(&host, "pipeRead_complete_r1"), "ERROR");
    assert_eq!(value(&host, "pipeRead_complete_r2"), "ERROR");
    // An open pipe that closes is a disconnect, also when MD asked for it (as in the
    // original API).
    assert_eq!(one(&host, &format!("{p}_disconnected")).frame, f);
    assert!(is_broken(&mut conn), "the server sees the close");
    host.step();
    assert!(host.settles());
    // Closing a pipe that is not open (again, or never opened) says nothing.
    host.raise(names::CLOSE, &p);
    host.raise(names::CLOSE, "never-opened");
    host.step();
    assert_eq!(host.signals_for(&format!("{p}_disconnected")).len(), 1);
    no_signal(&host, "never-opened_disconnected");
}

#[test]
fn suppress_and_unsuppress_paused_reads() {
    let p = pipe_name("pause");
    let mut server = serve(&p);
    let host = Game::new();
    host.raise(names::SUPPRESS, &p);
    host.raise(names::READ, format!("{p};r1"));
    host.step();
    let mut conn = accept(&mut server);

    // Paused and suppressed: what comes is thrown away, the read stays pending.
    host.set_paused(true);
    conn.write(b"during pause 1").unwrap();
    conn.write(b"during pause 2").unwrap();
    host.step();
    host.step();
    assert!(host.signals_for("pipeRead_complete_r1").is_empty());
    assert!(host.updating());

    // Not paused: the next message answers the read.
    host.set_paused(false);
    conn.write(b"after pause").unwrap();
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r1"), "after pause");

    // Unsuppressed: reads while paused deliver.
    host.raise(names::UNSUPPRESS, &p);
    host.set_paused(true);
    host.raise(names::READ, format!("{p};r2"));
    host.step();
    conn.write(b"paused but wanted").unwrap();
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r2"), "paused but wanted");

    // Suppression is per pipe and a paused game without suppression is normal.
    host.raise(names::SUPPRESS, "some-other-pipe");
    host.raise(names::READ, format!("{p};r3"));
    host.step();
    conn.write(b"still delivered").unwrap();
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r3"), "still delivered");
}

/// The pause as the game exposes it: a C function found through `ffi.C`.
#[cfg(target_os = "linux")]
#[test]
fn suppressed_reads_with_the_games_c_pause_symbol() {
    let p = pipe_name("cpause");
    let mut server = serve(&p);
    let host = Game::with(Options {
        pause_from_c: true,
        ..Options::default()
    });
    host.raise(names::SUPPRESS, &p);
    host.raise(names::READ, format!("{p};r1"));
    host.step();
    let mut conn = accept(&mut server);
    host.set_paused(true);
    conn.write(b"dropped").unwrap();
    host.step();
    assert!(host.signals_for("pipeRead_complete_r1").is_empty());
    host.set_paused(false);
    conn.write(b"kept").unwrap();
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r1"), "kept");
    assert!(host.debug_log().is_empty(), "{:?}", host.debug_log());
}

#[test]
fn missing_pause_symbol_is_no_lua_error() {
    let p = pipe_name("nopause");
    let mut server = serve(&p);
    let host = Game::with(Options {
        pause_symbol: false,
        ..Options::default()
    });
    assert_eq!(value(&host, names::LOADED), "ENABLED");
    host.raise(names::SUPPRESS, &p);
    host.raise(names::READ, format!("{p};r1"));
    host.step();
    let mut conn = accept(&mut server);
    conn.write(b"x").unwrap();
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r1"), "x");
    let log = host.debug_log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].contains("IsGamePaused"), "{log:?}");
}

// ---- queueing and polling -----------------------------------------------------------

#[test]
fn queued_requests_are_served_in_order_within_one_frame() {
    let p = pipe_name("burst");
    let mut server = serve(&p);
    let host = Game::new();
    host.raise(names::CHECK, format!("{p};c0"));
    host.step();
    let mut conn = accept(&mut server);
    conn.write(b"answer 1").unwrap();
    conn.write(b"answer 2").unwrap();
    host.take_signals();

    host.raise(names::WRITE, format!("{p};w1;one"));
    host.raise(names::WRITE, format!("{p};w2;two"));
    host.raise(names::READ, format!("{p};r1"));
    host.raise(names::WRITE, format!("{p};w3;three"));
    host.raise(names::CHECK, format!("{p};c1"));
    host.raise(names::READ, format!("{p};r2"));
    host.step();
    let f = host.frame();
    let got: Vec<(String, String, u64)> = host
        .signals()
        .iter()
        .map(|s| (s.control.clone(), s.text(), s.frame))
        .collect();
    let want: Vec<(String, String, u64)> = [
        ("pipeWrite_complete_w1", "SUCCESS"),
        ("pipeWrite_complete_w2", "SUCCESS"),
        ("pipeRead_complete_r1", "answer 1"),
        ("pipeWrite_complete_w3", "SUCCESS"),
        ("pipeCheck_complete_c1", "SUCCESS"),
        ("pipeRead_complete_r2", "answer 2"),
    ]
    .iter()
    .map(|(c, v)| (c.to_string(), v.to_string(), f))
    .collect();
    assert_eq!(got, want);
    for m in [&b"one"[..], b"two", b"three"] {
        assert_eq!(recv(&mut conn), m);
    }
    assert!(host.settles());
}

#[test]
fn empty_read_polls_every_frame_until_a_message_comes() {
    let p = pipe_name("poll");
    let mut server = serve(&p);
    let host = Game::new();
    host.raise(names::READ, format!("{p};r1"));
    host.step();
    assert!(host.updating(), "an empty read keeps onUpdate set");
    let mut conn = accept(&mut server);
    for _ in 0..5 {
        host.step();
    }
    assert!(host.signals_for("pipeRead_complete_r1").is_empty());
    conn.write(b"late").unwrap();
    host.step();
    let f = host.frame();
    let r = one(&host, "pipeRead_complete_r1");
    assert_eq!((r.text().as_str(), r.frame), ("late", f));
    assert!(host.settles(), "onUpdate removed when idle");
}

/// A mod that talks all the time must not set and remove onUpdate around every access:
/// that is two calls into the game between an answer and the next request, on the
/// round trip's critical path. onUpdate stays set for IDLE_FRAMES idle frames after the
/// last request that waited (the frame that answered it is the first), then goes; a
/// request that waits again starts the count over.
#[test]
fn onupdate_stays_set_for_idle_frames_after_the_last_wait() {
    let p = pipe_name("linger");
    let mut server = serve(&p);
    let host = Game::new();
    host.raise(names::READ, format!("{p};r1"));
    host.step();
    let mut conn = accept(&mut server);
    conn.write(b"one").unwrap();
    assert!(host.step_until(|h| h.has_signal("pipeRead_complete_r1")));
    for idle in 1..IDLE_FRAMES / 2 {
        assert!(host.updating(), "removed after {idle} idle frames");
        host.step();
    }
    // A read that waits again: the count starts over once it is answered.
    host.raise(names::READ, format!("{p};r2"));
    host.step();
    assert!(host.updating());
    conn.write(b"two").unwrap();
    assert!(host.step_until(|h| h.has_signal("pipeRead_complete_r2")));
    for idle in 1..IDLE_FRAMES {
        assert!(host.updating(), "removed after {idle} idle frames");
        host.step();
    }
    assert!(
        !host.updating(),
        "still set after {IDLE_FRAMES} idle frames"
    );
}

/// Review finding 1: one FIFO per pipe made every write and check wait behind a read.
#[test]
fn a_write_and_a_check_complete_while_a_read_waits_on_the_same_pipe() {
    let p = pipe_name("bypass");
    let mut server = serve(&p);
    let host = Game::new();
    host.raise(names::READ, format!("{p};r1"));
    host.step();
    let mut conn = accept(&mut server);
    host.step();
    host.raise(names::WRITE, format!("{p};w1;while the read waits"));
    host.raise(names::CHECK, format!("{p};c1"));
    host.step();
    let f = host.frame();
    let w = one(&host, "pipeWrite_complete_w1");
    assert_eq!((w.text().as_str(), w.frame), ("SUCCESS", f));
    let c = one(&host, "pipeCheck_complete_c1");
    assert_eq!((c.text().as_str(), c.frame), ("SUCCESS", f));
    assert_eq!(recv(&mut conn), b"while the read waits");
    assert!(host.signals_for("pipeRead_complete_r1").is_empty());
    // The read still gets the next message.
    conn.write(b"answer").unwrap();
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r1"), "answer");
}

/// Review finding 1 as Pipe_Server_Host meets it: a read stays pending on the host pipe
/// for as long as the session lives, and a module registered later must still reach
/// the host.
#[test]
fn a_late_module_registration_reaches_the_host() {
    let p = pipe_name("latehost");
    let mut server = serve(&p);
    let host = Game::new();
    host.raise(names::WRITE, format!("{p};1;ping"));
    host.step();
    assert_eq!(value(&host, "pipeWrite_complete_1"), "SUCCESS");
    host.raise(names::WRITE_SPECIAL, format!("{p};2;package.path"));
    host.raise(names::WRITE, format!("{p};3;modules:a.py;"));
    host.raise(names::READ, format!("{p};4"));
    host.step();
    let mut conn = accept(&mut server);
    assert_eq!(recv(&mut conn), b"ping");
    assert!(recv(&mut conn).starts_with(b"package.path:"));
    assert_eq!(recv(&mut conn), b"modules:a.py;");
    for _ in 0..3 {
        host.step();
    }
    host.raise(names::WRITE, format!("{p};5;modules:late.py;"));
    host.raise(names::CHECK, format!("{p};6"));
    host.step();
    assert_eq!(value(&host, "pipeWrite_complete_5"), "SUCCESS");
    assert_eq!(value(&host, "pipeCheck_complete_6"), "SUCCESS");
    assert_eq!(recv(&mut conn), b"modules:late.py;");
    assert!(host.signals_for("pipeRead_complete_4").is_empty());
}

/// Review finding 1: a read that MD gave up on (timeout, cancelled) stayed queued and
/// ate the next message.
#[test]
fn an_abandoned_read_never_eats_a_later_message() {
    let p = pipe_name("abandon");
    let mut server = serve(&p);
    let host = Game::new();
    host.raise(names::READ, format!("{p};r1"));
    host.step();
    let mut conn = accept(&mut server);
    // MD timed out r1 and tells Lua so; the next read must get the next message.
    host.raise(names::CANCEL, format!("{p};r1"));
    host.raise(names::READ, format!("{p};r2"));
    host.step();
    conn.write(b"for r2").unwrap();
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r2"), "for r2");
    no_signal(&host, "pipeRead_complete_r1");
    for _ in 0..3 {
        host.step();
    }
    no_signal(&host, "pipeRead_complete_r1");
    assert!(host.settles());
    // Cancelling what is unknown or answered already does nothing.
    host.raise(names::CANCEL, format!("{p};r2"));
    host.raise(names::CANCEL, "no-such-pipe;r9");
    host.step();
    assert_eq!(host.signals_for("pipeRead_complete_r2").len(), 1);
}

/// Review finding 2: a host that restarts quickly (a listener that stays, as ours and
/// any multi-client host keep) left the new session's ping behind the old session's
/// read, for ever.
#[test]
fn a_fast_host_restart_reconnects() {
    let p = pipe_name("fastrestart");
    let mut server = serve(&p);
    let host = Game::new();
    // Session 1: ping, then the passive read.
    host.raise(names::WRITE, format!("{p};1;ping"));
    host.raise(names::READ, format!("{p};2"));
    host.step();
    let mut conn = accept(&mut server);
    assert_eq!(recv(&mut conn), b"ping");
    // The host restarts at once.
    drop(conn);
    drop(server);
    let mut server = serve(&p);
    let disconnected = format!("{p}_disconnected");
    assert!(host.step_until(|h| h.has_signal(&disconnected)));
    // Pipe_Server_Host reloads: the old session's read is dropped, a new session pings
    // and listens.
    host.raise(names::CANCEL, format!("{p};2"));
    host.raise(names::WRITE, format!("{p};3;ping"));
    host.raise(names::READ, format!("{p};4"));
    host.step();
    assert_eq!(value(&host, "pipeWrite_complete_3"), "SUCCESS");
    let mut conn = accept(&mut server);
    assert_eq!(recv(&mut conn), b"ping");
    conn.write(b"hello session 2").unwrap();
    assert!(host.step_until(|h| h.has_signal("pipeRead_complete_4")));
    assert_eq!(value(&host, "pipeRead_complete_4"), "hello session 2");
    no_signal(&host, "pipeRead_complete_2");
}

#[test]
fn pipes_have_separate_queues() {
    let a = pipe_name("qa");
    let b = pipe_name("qb");
    let mut sa = serve(&a);
    let mut sb = serve(&b);
    let host = Game::new();
    host.raise(names::READ, format!("{a};ra"));
    host.raise(names::WRITE, format!("{b};wb;to b"));
    host.step();
    assert_eq!(value(&host, "pipeWrite_complete_wb"), "SUCCESS");
    assert!(host.signals_for("pipeRead_complete_ra").is_empty());
    let mut cb = accept(&mut sb);
    assert_eq!(recv(&mut cb), b"to b");
    let mut ca = accept(&mut sa);
    ca.write(b"to a").unwrap();
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_ra"), "to a");
}

/// Reads waiting on several pipes are all polled every frame (the poll's loop), and one
/// left alone is still polled (its path without a loop).
#[test]
fn reads_waiting_on_several_pipes_are_all_polled() {
    let names_of = ["pa", "pb", "pc"].map(pipe_name);
    let mut servers = names_of.clone().map(|p| serve(&p));
    let host = Game::new();
    for (i, p) in names_of.iter().enumerate() {
        host.raise(names::READ, format!("{p};r{i}"));
    }
    host.step();
    let mut conns: Vec<_> = servers.iter_mut().map(accept).collect();
    host.step();
    assert!(host
        .signals()
        .iter()
        .all(|s| !s.control.starts_with("pipeRead")));
    conns[1].write(b"to b").unwrap();
    conns[2].write(b"to c").unwrap();
    host.step();
    let f = host.frame();
    for (c, want) in [
        ("pipeRead_complete_r1", "to b"),
        ("pipeRead_complete_r2", "to c"),
    ] {
        let s = one(&host, c);
        assert_eq!((s.text().as_str(), s.frame), (want, f), "{c}");
    }
    no_signal(&host, "pipeRead_complete_r0");
    host.step();
    conns[0].write(b"to a").unwrap();
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r0"), "to a");
    assert!(host.settles());
}

// ---- failures and recovery ----------------------------------------------------------

#[test]
fn server_gone_errors_every_pending_request_once_and_signals_disconnect() {
    let p = pipe_name("gone");
    let mut server = serve(&p);
    let host = Game::new();
    host.take_signals();
    host.raise(names::READ, format!("{p};r1"));
    host.raise(names::READ, format!("{p};r2"));
    host.step();
    let conn = accept(&mut server);
    host.step();
    assert!(host.signals().is_empty());
    drop(conn);
    drop(server);
    host.step();
    let f = host.frame();
    for c in ["pipeRead_complete_r1", "pipeRead_complete_r2"] {
        let s = one(&host, c);
        assert_eq!((s.text().as_str(), s.frame), ("ERROR", f), "{c}");
    }
    let d = one(&host, &format!("{p}_disconnected"));
    assert_eq!((d.text(), d.frame), (p.clone(), f));
    for _ in 0..5 {
        host.step();
    }
    assert_eq!(
        host.signals().len(),
        3,
        "nothing answered twice: {:?}",
        host.signals()
    );
    assert!(host.settles());

    // Requests after the failure try to open again, and fail while nobody serves; a
    // pipe that did not open closes nothing, so MD hears no disconnect.
    host.raise(names::WRITE, format!("{p};w2;y"));
    host.step();
    assert_eq!(value(&host, "pipeWrite_complete_w2"), "ERROR");
    assert_eq!(host.signals_for(&format!("{p}_disconnected")).len(), 1);

    // Server back: the next request opens a new handle and succeeds.
    let mut server = serve(&p);
    host.raise(names::WRITE, format!("{p};w3;back"));
    host.step();
    assert_eq!(value(&host, "pipeWrite_complete_w3"), "SUCCESS");
    let mut conn = accept(&mut server);
    assert_eq!(recv(&mut conn), b"back");
}

/// Review finding 6: every failed open of a pipe that was never open sent
/// `<pipe>_disconnected` (a reconnect storm for code written for the original).
#[test]
fn no_disconnect_signal_for_a_pipe_that_never_opened() {
    let p = pipe_name("neveropen");
    let host = Game::new();
    for round in 0..3 {
        host.raise(names::WRITE, format!("{p};w{round};ping"));
        host.raise(names::CHECK, format!("{p};c{round}"));
        host.raise(names::READ, format!("{p};r{round}"));
        host.step();
        for c in [
            "pipeWrite_complete_w",
            "pipeCheck_complete_c",
            "pipeRead_complete_r",
        ] {
            assert_eq!(value(&host, &format!("{c}{round}")), "ERROR");
        }
    }
    no_signal(&host, &format!("{p}_disconnected"));
    assert!(host.settles());
}

/// Review finding: a server that accepts and then drops every client made one pending
/// read reopen the pipe every frame without end. One reopen per request, then ERROR.
#[test]
fn a_server_that_keeps_dropping_clients_costs_one_reopen_per_request() {
    let p = pipe_name("dropper");
    let mut server = serve(&p);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let dropper = std::thread::spawn(move || {
        let mut accepted = 0;
        while !stop2.load(std::sync::atomic::Ordering::SeqCst) {
            if let Ok(Some(conn)) = server.accept_timeout(Duration::from_millis(20)) {
                accepted += 1;
                drop(conn);
            }
        }
        accepted
    });
    let host = Game::new();
    host.raise(names::READ, format!("{p};r1"));
    assert!(host.step_until(|h| h.has_signal("pipeRead_complete_r1")));
    assert_eq!(value(&host, "pipeRead_complete_r1"), "ERROR");
    // Give a runaway loop the chance to show itself.
    for _ in 0..50 {
        host.step();
        std::thread::sleep(Duration::from_millis(2));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let accepted = dropper.join().unwrap();
    assert_eq!(accepted, 2, "the first open and one reopen");
    assert_eq!(host.signals_for("pipeRead_complete_r1").len(), 1);
    // Each handle that was open and closed is one disconnect.
    assert_eq!(host.signals_for(&format!("{p}_disconnected")).len(), 2);
    assert!(host.settles());
}

#[test]
fn restarted_server_gets_one_reopen_and_the_request_succeeds() {
    let p = pipe_name("restart");
    let mut server = serve(&p);
    let host = Game::new();
    host.raise(names::WRITE, format!("{p};w1;first"));
    host.step();
    let mut conn = accept(&mut server);
    assert_eq!(recv(&mut conn), b"first");
    // The server restarts while the client's handle is idle.
    drop(conn);
    drop(server);
    let mut server = serve(&p);
    host.take_signals();
    host.raise(names::WRITE, format!("{p};w2;second"));
    host.step();
    assert_eq!(value(&host, "pipeWrite_complete_w2"), "SUCCESS");
    // The old connection is gone either way, so MD hears of it.
    assert_eq!(one(&host, &format!("{p}_disconnected")).text(), p);
    let mut conn = accept(&mut server);
    assert_eq!(recv(&mut conn), b"second");

    // A pending read survives a restart the same way.
    host.take_signals();
    host.raise(names::READ, format!("{p};r1"));
    host.step();
    drop(conn);
    drop(server);
    let mut server = serve(&p);
    host.step();
    let mut conn = accept(&mut server);
    conn.write(b"from the new server").unwrap();
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r1"), "from the new server");
    assert_eq!(host.signals_for(&format!("{p}_disconnected")).len(), 1);
}

#[test]
fn write_that_cannot_fit_closes_the_pipe() {
    let p = pipe_name("full");
    let mut server = serve(&p);
    let host = Game::with(Options {
        settings: Settings {
            write_timeout_ms: 50,
            ..Settings::default()
        },
        ..Options::default()
    });
    host.raise(names::READ, format!("{p};r0"));
    host.step();
    let mut conn = accept(&mut server);
    // The server does not read: a message larger than any OS buffer cannot go out.
    let big = "x".repeat(8 << 20);
    host.raise(names::WRITE, format!("{p};w1;{big}"));
    host.raise(names::WRITE, format!("{p};w2;small"));
    assert!(host.step_until(|h| h.has_signal("pipeWrite_complete_w1")));
    // A write that makes no progress for the write timeout ends the pipe and everything
    // pending on it (the write behind it included).
    for c in [
        "pipeWrite_complete_w1",
        "pipeWrite_complete_w2",
        "pipeRead_complete_r0",
    ] {
        assert_eq!(value(&host, c), "ERROR", "{c}");
    }
    assert_eq!(one(&host, &format!("{p}_disconnected")).text(), p);
    assert!(is_broken(&mut conn), "the pipe was closed");
    assert!(host.settles());
    // The next write opens a fresh pipe.
    host.raise(names::WRITE, format!("{p};w3;small"));
    host.step();
    assert_eq!(value(&host, "pipeWrite_complete_w3"), "SUCCESS");
    let mut conn = accept(&mut server);
    assert_eq!(recv(&mut conn), b"small");
}

#[test]
fn ui_reload_closes_the_old_handle_and_starts_fresh() {
    let p = pipe_name("reload");
    let mut server = serve(&p);
    let mut host = Game::new();
    host.raise(names::READ, format!("{p};r1"));
    host.step();
    let mut old = accept(&mut server);
    // /reloadui: the state goes away without any answer to MD.
    host.close_lua();
    assert!(is_broken(&mut old), "the server sees the old handle closed");
    assert!(host.signals_for("pipeRead_complete_r1").is_empty());
    drop(host);

    let host = Game::new();
    assert_eq!(value(&host, names::LOADED), "ENABLED");
    host.raise(names::WRITE, format!("{p};w1;new state"));
    host.step();
    assert_eq!(value(&host, "pipeWrite_complete_w1"), "SUCCESS");
    let mut conn = accept(&mut server);
    assert_eq!(recv(&mut conn), b"new state");
}

/// Review finding 7: a write to a server that did not read held the game frame up to
/// the write timeout (1 s) and then failed. Now it goes on over later frames and
/// succeeds once the server reads.
#[test]
fn a_write_the_server_does_not_take_yet_goes_on_over_later_frames() {
    let p = pipe_name("nonblocking");
    let mut server = serve(&p);
    let host = Game::with(Options {
        settings: Settings {
            write_timeout_ms: 60_000,
            ..Settings::default()
        },
        ..Options::default()
    });
    let big: Vec<u8> = (0..(8usize << 20)).map(|i| b"abcdefgh;"[i % 9]).collect();
    let mut param = format!("{p};w1;").into_bytes();
    param.extend_from_slice(&big);
    host.raise(names::WRITE, &param);
    host.raise(names::WRITE, format!("{p};w2;after"));
    host.raise(names::CHECK, format!("{p};c1"));
    host.step();
    let mut conn = accept(&mut server);
    for _ in 0..10 {
        host.step();
    }
    // Nothing read yet: the writes wait, the check answers (the pipe is open).
    no_signal(&host, "pipeWrite_complete_w1");
    no_signal(&host, "pipeWrite_complete_w2");
    assert_eq!(value(&host, "pipeCheck_complete_c1"), "SUCCESS");
    assert!(host.updating());
    let reader = std::thread::spawn(move || (recv(&mut conn), recv(&mut conn)));
    assert!(host.step_until(|h| h.has_signal("pipeWrite_complete_w2")));
    assert_eq!(value(&host, "pipeWrite_complete_w1"), "SUCCESS");
    assert_eq!(value(&host, "pipeWrite_complete_w2"), "SUCCESS");
    let (first, second) = reader.join().unwrap();
    assert!(first == big, "{} bytes arrived", first.len());
    assert_eq!(second, b"after");
    no_signal(&host, &format!("{p}_disconnected"));
}

/// Review finding 7: opening a busy pipe (a single-instance host held by someone else,
/// a full backlog) stalled the frame for 200 ms and failed. Now the request waits over
/// later frames, and goes out once the server takes a client.
#[test]
fn a_busy_pipe_is_retried_on_later_frames() {
    let p = pipe_name("busy");
    let mut server = serve(&p);
    let mut held = Vec::new();
    loop {
        match x4pipe_native::Client::open(&p) {
            Ok(c) => held.push(c),
            Err(e) if e.status() == Status::Busy => break,
            Err(e) => panic!("{e}"),
        }
        assert!(held.len() < 1000, "the server never became busy");
    }
    let host = Game::new();
    host.raise(names::WRITE, format!("{p};w1;ping"));
    for _ in 0..5 {
        host.step();
    }
    no_signal(&host, "pipeWrite_complete_w1");
    assert!(host.updating());
    // The server takes the waiting clients; the Lua gets its turn.
    let mut conns = Vec::new();
    for _ in 0..held.len() {
        conns.push(accept(&mut server));
    }
    assert!(host.step_until(|h| h.has_signal("pipeWrite_complete_w1")));
    assert_eq!(value(&host, "pipeWrite_complete_w1"), "SUCCESS");
    let mut conn = accept(&mut server);
    assert_eq!(recv(&mut conn), b"ping");
    no_signal(&host, &format!("{p}_disconnected"));
}

/// Review finding: a Lua error in a handler left the MD access unanswered. The calls into
/// the client run without pcall (LuaJIT compiles no trace that returns through one), so
/// the error reaches the game, which logs it and goes on; the next call into the client
/// answers the access.
#[test]
fn a_throwing_handler_still_answers() {
    let p = pipe_name("throw");
    let _server = serve(&p);
    let host = Game::new();
    host.expect_lua_errors();
    // Write_Special reads the global package table when it runs; without it the handler
    // raises.
    host.lua().load("package = nil").exec().unwrap();
    host.raise(names::WRITE_SPECIAL, format!("{p};s1;package.path"));
    host.step();
    let errors = host.take_lua_errors();
    assert!(
        matches!(&errors[..], [e] if e.contains(names::WRITE_SPECIAL) && e.contains("package")),
        "the game logs the error with its handler: {errors:?}"
    );
    // The next call into the client: here MD's heartbeat (nothing waits, so no onUpdate).
    host.raise(names::TICK, "beat");
    host.step();
    assert_eq!(value(&host, "pipeWrite_complete_s1"), "ERROR");
    assert!(
        host.debug_log()
            .iter()
            .any(|l| l.contains(names::WRITE_SPECIAL) && l.contains("ERROR")),
        "{:?}",
        host.debug_log()
    );
    for _ in 0..3 {
        host.raise(names::TICK, "beat");
        host.step();
    }
    assert_eq!(host.signals_for("pipeWrite_complete_s1").len(), 1);
    assert!(host.take_lua_errors().is_empty());
}

/// A handler that fails after its request is queued: the request answers ERROR at the
/// next call, once, and leaves its queue (it does not take the next message).
#[test]
fn a_request_whose_handler_failed_after_queueing_answers_once() {
    let p = pipe_name("throw-queued");
    let mut server = serve(&p);
    let host = Game::new();
    host.expect_lua_errors();
    // The read waits for the server, so the handler sets onUpdate last, and that fails.
    host.lua()
        .load(r#"GoodSetScript = SetScript; SetScript = function() error("no scripts today") end"#)
        .exec()
        .unwrap();
    host.raise(names::READ, format!("{p};r1"));
    host.step();
    let mut conn = accept(&mut server);
    let errors = host.take_lua_errors();
    assert!(
        matches!(&errors[..], [e] if e.contains("no scripts today")),
        "{errors:?}"
    );
    host.lua().load("SetScript = GoodSetScript").exec().unwrap();
    host.raise(names::TICK, "beat");
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r1"), "ERROR");
    // The pipe itself was not being served when it failed: it stays open, and the next
    // read gets the next message.
    conn.write(b"for r2").unwrap();
    host.raise(names::READ, format!("{p};r2"));
    assert!(host.step_until(|h| h.has_signal("pipeRead_complete_r2")));
    assert_eq!(value(&host, "pipeRead_complete_r2"), "for r2");
    assert_eq!(host.signals_for("pipeRead_complete_r1").len(), 1);
    no_signal(&host, &format!("{p}_disconnected"));
    assert!(host.take_lua_errors().is_empty());
}

/// An error while a pipe is served (here: a message that cannot be made into a Lua string,
/// as a message too large for memory would): the pipe's queues may be half changed, so
/// the next call closes the pipe and answers every request on it ERROR, once; the next
/// request opens the pipe afresh.
#[test]
fn an_error_while_serving_a_pipe_fails_that_pipe_once() {
    let p = pipe_name("throw-serving");
    let mut server = serve(&p);
    let host = Game::new();
    host.expect_lua_errors();
    host.raise(names::READ, format!("{p};r1"));
    host.raise(names::READ, format!("{p};r2"));
    host.step();
    let mut conn = accept(&mut server);
    host.lua()
        .load(
            r#"local ffi = require("ffi")
            GoodString = ffi.string
            ffi.string = function() error("not enough memory") end"#,
        )
        .exec()
        .unwrap();
    conn.write(b"lost").unwrap();
    assert!(host.step_until(|h| !h.take_lua_errors().is_empty()));
    host.lua()
        .load(r#"require("ffi").string = GoodString"#)
        .exec()
        .unwrap();
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r1"), "ERROR");
    assert_eq!(value(&host, "pipeRead_complete_r2"), "ERROR");
    assert_eq!(value(&host, &format!("{p}_disconnected")), p);
    assert!(is_broken(&mut conn), "the server sees the close");
    host.raise(names::READ, format!("{p};r3"));
    host.step();
    let mut conn = accept(&mut server);
    conn.write(b"fresh").unwrap();
    assert!(host.step_until(|h| h.has_signal("pipeRead_complete_r3")));
    assert_eq!(value(&host, "pipeRead_complete_r3"), "fresh");
    for _ in 0..3 {
        host.step();
    }
    assert_eq!(host.signals_for("pipeRead_complete_r1").len(), 1);
    assert_eq!(host.signals_for("pipeRead_complete_r2").len(), 1);
    assert!(host.take_lua_errors().is_empty());
}

/// Review finding 5: after a game start or load the loaded signal comes before MD can
/// listen. MD greets the Lua once it is live and hears the status again.
#[test]
fn md_greeting_is_answered_with_the_status() {
    let host = Game::new();
    for _ in 0..2 {
        host.raise(names::TICK, "hello");
        host.step();
    }
    let live = host.signals_for(names::LIVE);
    assert_eq!(live.len(), 2, "{live:?}");
    assert!(live
        .iter()
        .all(|s| s.text() == "ENABLED" && s.screen == names::SCREEN));
    assert_eq!(
        host.signals_for(names::LOADED).len(),
        1,
        "sent once at load"
    );

    let host = Game::with(Options {
        safe_mode: Some(true),
        ..Options::default()
    });
    host.raise(names::TICK, "hello");
    host.step();
    assert!(value(&host, names::LIVE).starts_with("DISABLED:protected UI mode"));
}

/// Review finding: polling ran on onUpdate only, which the game can skip for a while;
/// MD's heartbeat keeps reads going.
#[test]
fn reads_complete_on_md_heartbeat_when_onupdate_drops_out() {
    let p = pipe_name("heartbeat");
    let mut server = serve(&p);
    let host = Game::new();
    host.set_onupdate_runs(false);
    host.raise(names::READ, format!("{p};r1"));
    host.step();
    let mut conn = accept(&mut server);
    conn.write(b"beat").unwrap();
    for _ in 0..3 {
        host.step();
    }
    no_signal(&host, "pipeRead_complete_r1");
    host.raise(names::TICK, "");
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r1"), "beat");
}

/// The connection helper's back-off runs on real time, also while the game is paused
/// (MD's own delays stop then): MD asks the Lua for an alarm.
#[test]
fn alarms_ring_after_real_time_also_while_paused() {
    let host = Game::new();
    host.set_paused(true);
    host.raise(names::TICK, "alarm;a1;0.05");
    host.raise(names::TICK, "alarm;a2;0");
    host.step();
    assert!(host.updating(), "an alarm keeps onUpdate set");
    let a2 = one(&host, "pipeAlarm_complete_a2");
    assert_eq!((a2.text().as_str(), a2.frame), ("SUCCESS", host.frame()));
    no_signal(&host, "pipeAlarm_complete_a1");
    std::thread::sleep(Duration::from_millis(60));
    host.step();
    assert_eq!(value(&host, "pipeAlarm_complete_a1"), "SUCCESS");
    host.step();
    assert!(host.settles());
    assert_eq!(host.signals_for("pipeAlarm_complete_a1").len(), 1);
}

/// The original's continuous reads: one request answers every message until
/// Cancel_Reads, which answers CANCELLED.
#[test]
fn continuous_read_delivers_every_message_until_cancel_reads() {
    let p = pipe_name("continuous");
    let mut server = serve(&p);
    let host = Game::new();
    host.raise(names::READ, format!("{p};c1;continuous"));
    host.step();
    let mut conn = accept(&mut server);
    for m in [&b"one"[..], b"two", b"three"] {
        conn.write(m).unwrap();
    }
    host.step();
    conn.write(b"four").unwrap();
    host.step();
    let got: Vec<String> = host
        .signals_for("pipeRead_complete_c1")
        .iter()
        .map(Signal::text)
        .collect();
    assert_eq!(got, ["one", "two", "three", "four"]);
    assert!(host.updating());
    host.raise(names::READ, format!("{p};r2"));
    host.raise(names::CANCEL, &p);
    host.step();
    let got: Vec<String> = host
        .signals_for("pipeRead_complete_c1")
        .iter()
        .map(Signal::text)
        .collect();
    assert_eq!(got.last().map(String::as_str), Some("CANCELLED"));
    assert_eq!(value(&host, "pipeRead_complete_r2"), "CANCELLED");
    conn.write(b"five").unwrap();
    host.raise(names::READ, format!("{p};r3"));
    host.step();
    assert_eq!(value(&host, "pipeRead_complete_r3"), "five");
    assert_eq!(host.signals_for("pipeRead_complete_c1").len(), 5);
    no_signal(&host, &format!("{p}_disconnected"));
}

// ---- parameters and payloads --------------------------------------------------------

#[test]
fn malformed_parameters_are_logged_not_raised() {
    let host = Game::new();
    host.take_signals();
    host.raise(names::READ, "no-separator");
    host.raise(names::WRITE, "no-separator");
    host.raise(names::CHECK, "");
    host.step();
    assert!(host.signals().is_empty(), "{:?}", host.signals());
    assert_eq!(host.debug_log().len(), 3, "{:?}", host.debug_log());
}

#[test]
fn debug_setting_logs_each_request() {
    let p = pipe_name("debug");
    let mut server = serve(&p);
    let host = Game::with(Options {
        settings: Settings {
            debug: true,
            ..Settings::default()
        },
        ..Options::default()
    });
    let before = host.debug_log().len();
    host.raise(names::WRITE, format!("{p};dbg1;hi"));
    host.step();
    let _conn = accept(&mut server);
    let log = host.debug_log()[before..].join("\n");
    assert!(log.contains(names::WRITE) && log.contains("dbg1"), "{log}");
}

fn payloads() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("semicolons".into(), b";a;;b;".to_vec()),
        ("newlines".into(), b"line 1\nline 2\r\n\n".to_vec()),
        ("utf8".into(), "Grüße, 你好, ☃ — ok".as_bytes().to_vec()),
        ("nul".into(), b"a\0b\0".to_vec()),
        ("binary".into(), (0..=255u8).collect()),
    ];
    for size in [1usize, 16, 4095, 4096, 65536, 65537, 1 << 20, 16 << 20] {
        let data: Vec<u8> = (0..size).map(|i| b"0123456789;\nabcdef"[i % 18]).collect();
        v.push((format!("{size} B"), data));
    }
    v
}

#[test]
fn messages_arrive_intact_both_ways() {
    let p = pipe_name("payload");
    let mut server = serve(&p);
    // The server echoes in its own thread, so large writes from Lua do not wait on the
    // test stepping frames.
    let echo = std::thread::spawn(move || {
        let mut conn = server
            .accept_timeout(crate::support::WAIT)
            .unwrap()
            .unwrap();
        let mut n = 0;
        loop {
            match conn.read() {
                Ok(m) => {
                    conn.write(&m).unwrap();
                    n += 1;
                }
                Err(e) if e.status() == Status::Broken => return n,
                Err(e) => panic!("echo: {e}"),
            }
        }
    });
    let host = Game::with(Options {
        settings: Settings {
            write_timeout_ms: 10_000,
            ..Settings::default()
        },
        ..Options::default()
    });
    let all = payloads();
    for (i, (label, data)) in all.iter().enumerate() {
        let mut param = format!("{p};w{i};").into_bytes();
        param.extend_from_slice(data);
        host.raise(names::WRITE, &param);
        host.raise(names::READ, format!("{p};r{i}"));
        let read = format!("pipeRead_complete_r{i}");
        assert!(
            host.step_until(|h| !h.signals_for(&read).is_empty()),
            "{label}: no answer"
        );
        assert_eq!(value(&host, &format!("pipeWrite_complete_w{i}")), "SUCCESS");
        let got = one(&host, &read).value;
        assert!(
            got == *data,
            "{label}: {} bytes back, {} sent",
            got.len(),
            data.len()
        );
    }
    host.raise(names::CLOSE, &p);
    host.step();
    assert_eq!(echo.join().unwrap(), all.len());
}

#[test]
fn settings_are_rendered_into_the_lua() {
    let code = crate::support::render::render_lua(&Settings {
        debug: true,
        write_timeout_ms: 1234,
    });
    assert!(code.contains("\nlocal DEBUG = true\n"), "{}", &code[..1500]);
    assert!(code.contains("\nlocal WRITE_TIMEOUT_MS = 1234\n"));
    let code = crate::support::render::render_lua(&Settings::default());
    assert!(code.contains("\nlocal DEBUG = false\n"));
    assert!(code.contains("\nlocal WRITE_TIMEOUT_MS = 1000\n"));
    assert!(!code.contains("{{") && !code.contains("{%"));
}
