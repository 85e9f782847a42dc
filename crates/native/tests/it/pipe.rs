//! Client <-> server over the real OS transport (Linux sockets natively, Windows named
//! pipes under Wine), through the C ABI and through the Rust client API.

use crate::support::*;
use std::time::{Duration, Instant};
use x4pipe_native::{self as wp, Client, Server, Status};

#[test]
fn open_without_server_is_no_server() {
    let name = unique("none");
    assert_eq!(Abi::open(&name).err(), Some(wp::X4P_NO_SERVER));
    let detail = last_error();
    assert!(!detail.is_empty(), "x4p_last_error must say what happened");
    // The OS error number is part of the detail text (e.g. "os error 2").
    assert!(detail.contains("os error"), "{detail}");
    let e = Client::open(&name).unwrap_err();
    assert_eq!(e.status(), Status::NoServer);
    assert!(e.os_code().is_some());
}

#[test]
fn bad_arguments_are_invalid() {
    setup();
    for bad in ["", "a/b", "a\\b", ".."] {
        assert_eq!(Abi::open(bad).err(), Some(wp::X4P_INVALID), "{bad:?}");
    }
    unsafe {
        let mut p = std::ptr::null_mut();
        assert_eq!(wp::x4p_open(std::ptr::null(), &mut p), wp::X4P_INVALID);
        assert_eq!(
            wp::x4p_open(c"x".as_ptr(), std::ptr::null_mut()),
            wp::X4P_INVALID
        );
        assert_eq!(
            wp::x4p_write(std::ptr::null_mut(), std::ptr::null(), 0),
            wp::X4P_INVALID
        );
        let (mut d, mut l) = (std::ptr::null_mut(), 0usize);
        assert_eq!(
            wp::x4p_read(std::ptr::null_mut(), &mut d, &mut l),
            wp::X4P_INVALID
        );
        // NULL is fine for the release functions.
        wp::x4p_free(std::ptr::null_mut(), 0);
        wp::x4p_close(std::ptr::null_mut());
        wp::x4p_set_write_timeout_ms(std::ptr::null_mut(), 5);
    }
    assert!(last_error().contains("NULL"));
}

#[test]
fn strerror_and_version() {
    for code in -6..=1 {
        let t = unsafe { std::ffi::CStr::from_ptr(wp::x4p_strerror(code)) };
        assert!(!t.to_bytes().is_empty(), "code {code}");
    }
    let unknown = unsafe { std::ffi::CStr::from_ptr(wp::x4p_strerror(42)) };
    assert_eq!(unknown.to_str().unwrap(), "unknown status code");
    let v = unsafe { std::ffi::CStr::from_ptr(wp::x4p_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn empty_read_is_empty() {
    let name = unique("empty");
    let mut server = Server::create(&name).unwrap();
    // Open and accept in turn: a Windows server has one spare instance waiting, so a
    // second client opening before the next accept would find the pipe busy.
    let mut abi = Abi::open(&name).unwrap();
    let _c1 = server.accept_timeout(WAIT).unwrap().unwrap();
    let mut client = Client::open(&name).unwrap();
    let _c2 = server.accept_timeout(WAIT).unwrap().unwrap();
    let t = Instant::now();
    for _ in 0..100 {
        assert_eq!(abi.read().err(), Some(wp::X4P_EMPTY));
        assert_eq!(client.read().unwrap(), None);
    }
    // Never blocks: 200 empty reads are far below a frame.
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn messages_arrive_intact_both_ways_abi() {
    let name = unique("abi-echo");
    let server = spawn_echo(&name, 1);
    let mut p = Abi::open(&name).unwrap();
    echo_every_payload(&mut p, |p| p.read_wait(WAIT));
    drop(p);
    assert_eq!(server.join().unwrap(), vec![payloads().len()]);
}

/// Writes every payload through the C ABI and checks that `read` brings it back intact.
fn echo_every_payload(p: &mut Abi, mut read: impl FnMut(&mut Abi) -> Result<Vec<u8>, i32>) {
    for (what, msg) in payloads() {
        assert_eq!(p.write(&msg), wp::X4P_OK, "{what}: {}", last_error());
        let back = read(p).unwrap_or_else(|rc| panic!("{what}: rc {rc}: {}", last_error()));
        assert!(
            back == msg,
            "{what}: got {} bytes, sent {}",
            back.len(),
            msg.len()
        );
    }
}

/// `x4p_receive` lends each message from inside the handle, so the Lua client makes
/// one copy (into its string) and the handle's buffer serves the next message again:
/// a second message of the same size comes at the same address, without a new
/// allocation (and its page faults) or a buffer that grows by copying.
#[test]
fn receive_lends_whole_messages_and_reuses_its_buffer() {
    let name = unique("abi-receive");
    let server = spawn_echo(&name, 1);
    let mut p = Abi::open(&name).unwrap();
    let all = payloads();
    for (what, msg) in &all {
        assert_eq!(p.write(msg), wp::X4P_OK, "{what}: {}", last_error());
        let (_, back) = p
            .receive_wait(WAIT)
            .unwrap_or_else(|rc| panic!("{what}: rc {rc}: {}", last_error()));
        assert!(
            back == *msg,
            "{what}: got {} bytes, sent {}",
            back.len(),
            msg.len()
        );
    }
    let (_, big) = all.last().unwrap();
    let mut at = Vec::new();
    for _ in 0..2 {
        assert_eq!(p.write(big), wp::X4P_OK, "{}", last_error());
        let (ptr, back) = p.receive_wait(WAIT).unwrap();
        assert!(back == *big);
        at.push(ptr);
    }
    assert_eq!(at[0], at[1], "the second 16 MiB message got a new buffer");
    unsafe {
        let (mut d, mut l) = (std::ptr::null(), 0usize);
        assert_eq!(
            wp::x4p_receive(std::ptr::null_mut(), &mut d, &mut l),
            wp::X4P_INVALID
        );
    }
    drop(p);
    assert_eq!(server.join().unwrap(), vec![all.len() + 2]);
}

#[test]
fn messages_arrive_intact_both_ways_rust() {
    let name = unique("rust-echo");
    let server = spawn_echo(&name, 1);
    let mut c = Client::open(&name).unwrap();
    let all = payloads();
    // Several messages in flight at once: boundaries must hold.
    for (_, msg) in all.iter().filter(|(_, m)| m.len() <= 1024) {
        c.write(msg).unwrap();
    }
    for (what, msg) in all.iter().filter(|(_, m)| m.len() <= 1024) {
        let back = client_read_wait(&mut c, WAIT).unwrap().expect("timeout");
        assert_eq!(&back, msg, "{what}");
    }
    for (what, msg) in &all {
        c.write(msg).unwrap();
        let back = client_read_wait(&mut c, WAIT).unwrap().expect("timeout");
        assert!(
            back == *msg,
            "{what}: got {} bytes, sent {}",
            back.len(),
            msg.len()
        );
    }
    drop(c);
    server.join().unwrap();
}

#[test]
fn server_gone_is_broken_on_read_and_write() {
    let name = unique("gone");
    let mut server = Server::create(&name).unwrap();
    let mut conns = Vec::new();
    let mut reader = Abi::open(&name).unwrap();
    conns.push(server.accept_timeout(WAIT).unwrap().unwrap());
    let mut writer = Abi::open(&name).unwrap();
    conns.push(server.accept_timeout(WAIT).unwrap().unwrap());
    let mut rust = Client::open(&name).unwrap();
    conns.push(server.accept_timeout(WAIT).unwrap().unwrap());
    // A message sent before the server goes is still delivered, then BROKEN.
    conns[0].write(b"last words").unwrap();
    drop(conns);
    drop(server);
    assert_eq!(reader.read_wait(WAIT).unwrap(), b"last words");
    assert_eq!(reader.read_wait(WAIT).err(), Some(wp::X4P_BROKEN));
    assert_eq!(reader.read().err(), Some(wp::X4P_BROKEN), "stays broken");
    assert_eq!(writer.write(b"anyone?"), wp::X4P_BROKEN, "{}", last_error());
    assert_eq!(rust.write(b"x").unwrap_err().status(), Status::Broken);
    assert_eq!(rust.read().unwrap_err().status(), Status::Broken);
}

#[test]
fn server_not_reading_gives_full_within_timeout() {
    let name = unique("full");
    let mut server = Server::create(&name).unwrap();
    let mut p = Abi::open(&name).unwrap();
    let _conn = server.accept_timeout(WAIT).unwrap().unwrap(); // accepted, never read
    p.set_write_timeout_ms(300);
    let big = vec![7u8; 16 * 1024 * 1024];
    let t = Instant::now();
    assert_eq!(p.write(&big), wp::X4P_FULL, "{}", last_error());
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(250),
        "gave up too early: {took:?}"
    );
    assert!(
        took < Duration::from_millis(3000),
        "waited too long: {took:?}"
    );

    // Small messages: they fit until the pipe buffer is full, then FULL.
    let mut c = Client::open(&name).unwrap();
    let _conn2 = server.accept_timeout(WAIT).unwrap().unwrap();
    c.set_write_timeout(Duration::from_millis(100));
    let t = Instant::now();
    let mut sent = 0;
    let err = loop {
        match c.write(&[1u8; 1024]) {
            Ok(()) => sent += 1,
            Err(e) => break e,
        }
        assert!(t.elapsed() < Duration::from_secs(30), "never became full");
    };
    assert_eq!(err.status(), Status::Full, "{err}");
    assert!(sent > 0);
}

#[test]
fn reopen_after_server_restart() {
    let name = unique("restart");
    for round in 0..3 {
        let server = spawn_echo(&name, 1);
        let mut p =
            Abi::open(&name).unwrap_or_else(|rc| panic!("round {round}: {rc} {}", last_error()));
        let msg = format!("round {round}");
        assert_eq!(p.write(msg.as_bytes()), wp::X4P_OK);
        assert_eq!(p.read_wait(WAIT).unwrap(), msg.as_bytes());
        drop(p);
        assert_eq!(server.join().unwrap(), vec![1]);
    }
    // After the last server is gone the name is free again.
    assert_eq!(Abi::open(&name).err(), Some(wp::X4P_NO_SERVER));
}

#[test]
fn client_sees_restart_as_broken_then_reopens() {
    let name = unique("restart2");
    let mut server = Server::create(&name).unwrap();
    let mut p = Abi::open(&name).unwrap();
    drop(server.accept_timeout(WAIT).unwrap().unwrap());
    drop(server);
    assert_eq!(p.read_wait(WAIT).err(), Some(wp::X4P_BROKEN));
    drop(p);
    let server = spawn_echo(&name, 1);
    let mut p = Abi::open(&name).unwrap();
    assert_eq!(p.write(b"again"), wp::X4P_OK);
    assert_eq!(p.read_wait(WAIT).unwrap(), b"again");
    drop(p);
    server.join().unwrap();
}

#[test]
fn two_clients_at_once() {
    let name = unique("two");
    let server = spawn_echo(&name, 2);
    let mut a = Abi::open(&name).unwrap();
    let mut b = open_when_free(&name);
    for i in 0..20 {
        let ma = format!("a{i}");
        let mb = vec![b'b'; i * 5000];
        assert_eq!(a.write(ma.as_bytes()), wp::X4P_OK);
        b.write(&mb).unwrap();
        assert_eq!(client_read_wait(&mut b, WAIT).unwrap().unwrap(), mb);
        assert_eq!(a.read_wait(WAIT).unwrap(), ma.as_bytes());
    }
    drop(a);
    drop(b);
    assert_eq!(server.join().unwrap(), vec![20, 20]);
}

#[test]
fn server_detects_client_going_away_and_serves_again() {
    let name = unique("serve-again");
    let mut server = Server::create(&name).unwrap();
    for round in 0..3 {
        let mut p = Abi::open(&name).unwrap();
        let mut conn = server.accept_timeout(WAIT).unwrap().expect("client");
        assert_eq!(conn.read_timeout(Duration::from_millis(50)).unwrap(), None);
        assert_eq!(p.write(format!("hi {round}").as_bytes()), wp::X4P_OK);
        assert_eq!(conn.read().unwrap(), format!("hi {round}").as_bytes());
        drop(p);
        assert_eq!(conn.read().unwrap_err().status(), Status::Broken);
        assert_eq!(conn.write(b"x").unwrap_err().status(), Status::Broken);
    }
    assert!(server
        .accept_timeout(Duration::from_millis(50))
        .unwrap()
        .is_none());
}

#[test]
fn second_server_on_same_name_is_refused() {
    let name = unique("twice");
    let _first = Server::create(&name).unwrap();
    let second = Server::create(&name);
    assert!(second.is_err(), "two live servers on one name");
}

#[test]
fn server_knows_the_client_process() {
    // A host finds the game's folder from the process at the other end of its pipe.
    let name = unique("peer");
    let mut server = Server::create(&name).unwrap();
    let _client = Client::open(&name).unwrap();
    let conn = server.accept_timeout(WAIT).unwrap().expect("client");
    assert_eq!(conn.peer_pid().unwrap(), std::process::id());
    let exe = conn.peer_exe().unwrap();
    let me = std::env::current_exe().unwrap();
    assert_eq!(
        exe.file_name().map(|n| n.to_ascii_lowercase()),
        me.file_name().map(|n| n.to_ascii_lowercase()),
        "{exe:?} vs {me:?}"
    );
}

#[test]
fn eight_clients_connected_at_once_are_all_served() {
    // A host serves every copy of the game's host script at the same time.
    let name = unique("eight");
    let server = spawn_echo(&name, 8);
    let mut clients: Vec<Client> = (0..8).map(|_| open_when_free(&name)).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        c.write(format!("client {i}").as_bytes()).unwrap();
    }
    for (i, c) in clients.iter_mut().enumerate() {
        let got = client_read_wait(c, WAIT).unwrap().expect("echo");
        assert_eq!(got, format!("client {i}").as_bytes());
    }
    drop(clients);
    assert_eq!(server.join().unwrap(), vec![1; 8]);
}

/// Opens clients without accepting them until the server reports busy (Linux: the
/// accept backlog is full; Windows: every pipe instance is taken). Returns them.
fn fill_until_busy(name: &str) -> Vec<Client> {
    let mut held = Vec::new();
    loop {
        let t = Instant::now();
        match Client::open(name) {
            Ok(c) => held.push(c),
            Err(e) => {
                assert_eq!(e.status(), Status::Busy, "{e}");
                // Review finding 7: the open of a busy pipe waited 200 ms.
                assert!(
                    t.elapsed() < Duration::from_millis(100),
                    "a busy open returns at once: {:?}",
                    t.elapsed()
                );
                return held;
            }
        }
        assert!(held.len() < 1000, "the server never became busy");
    }
}

#[test]
fn open_of_a_busy_server_returns_busy_at_once() {
    let name = unique("busy");
    let mut server = Server::create(&name).unwrap();
    let held = fill_until_busy(&name);
    assert!(!held.is_empty());
    assert_eq!(Abi::open(&name).err(), Some(wp::X4P_BUSY));
    // Once the server takes a client, there is room again.
    let _conn = server.accept_timeout(WAIT).unwrap().unwrap();
    let mut ok = None;
    for _ in 0..100 {
        match Client::open(&name) {
            Ok(c) => {
                ok = Some(c);
                break;
            }
            Err(e) => assert_eq!(e.status(), Status::Busy, "{e}"),
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(ok.is_some(), "room after an accept");
}

/// Review finding 7: a write to a server that does not read held the caller up to the
/// write timeout. `x4p_send` never waits: it moves what the pipe takes and is called
/// again later until the message is out.
#[test]
fn send_in_steps_never_waits_for_the_reader() {
    let name = unique("steps");
    let mut server = Server::create(&name).unwrap();
    let mut p = Abi::open(&name).unwrap();
    let mut conn = server.accept_timeout(WAIT).unwrap().unwrap(); // not reading yet
    let big: Vec<u8> = (0..16 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let mut progress = 0usize;
    let mut calls = 0;
    while calls < 20 {
        assert_eq!(
            p.send(&big, &mut progress),
            wp::X4P_PENDING,
            "{}",
            last_error()
        );
        calls += 1;
    }
    // A new message while one is partly out would break the framing: refused.
    let mut fresh = 0usize;
    assert_eq!(p.send(b"x", &mut fresh), wp::X4P_INVALID);
    let reader = std::thread::spawn(move || {
        let m = conn.read_timeout(WAIT).unwrap().unwrap();
        let n = conn.read_timeout(WAIT).unwrap().unwrap();
        (m, n)
    });
    let t = Instant::now();
    loop {
        match p.send(&big, &mut progress) {
            wp::X4P_OK => break,
            wp::X4P_PENDING => std::thread::sleep(Duration::from_micros(200)),
            other => panic!("send: {other} {}", last_error()),
        }
        assert!(t.elapsed() < WAIT, "never finished");
    }
    let mut progress = 0usize;
    loop {
        match p.send(b"", &mut progress) {
            wp::X4P_OK => break,
            wp::X4P_PENDING => std::thread::sleep(Duration::from_micros(200)),
            other => panic!("send: {other} {}", last_error()),
        }
    }
    let (m, n) = reader.join().unwrap();
    assert!(m == big, "{} bytes arrived", m.len());
    assert!(n.is_empty());
}

/// The CPU clock the frame-cost benchmark reads around each call advances with work.
#[test]
fn thread_cpu_time_advances_with_work() {
    let start = wp::thread_cpu_time().expect("the OS tells a thread's CPU time");
    let wall = Instant::now();
    let mut x = 0u64;
    loop {
        for i in 0..100_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let used = wp::thread_cpu_time().unwrap() - start;
        if used >= Duration::from_millis(20) {
            break;
        }
        assert!(
            wall.elapsed() < WAIT,
            "20 ms of work never showed ({used:?})"
        );
    }
}
