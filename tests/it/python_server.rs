//! The Python server end of the Linux transport (`python/x4pipe_server.py`, shipped in
//! the API extension) against our native client: real python3, real SEQPACKET sockets,
//! messages of every size intact, and a new client served after the old one left.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use x4pipe::config::Config;
use x4pipe::render::render_api_default;
use x4pipe_native::Client;

/// The socket folder the in-process client uses (from the environment the tests run
/// in). The test never changes the process environment: other tests of this binary
/// run pipes at the same time. The Python servers are told the same folder, and the
/// pipe names carry the process id so parallel runs do not meet.
fn sockets() -> std::path::PathBuf {
    x4pipe_native::name::socket_dir().expect("socket folder")
}

fn unique(tag: &str) -> String {
    format!("{tag}_{}", std::process::id())
}

struct Echo(Child);

impl Drop for Echo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn round_trip(client: &mut Client, msg: &[u8]) -> Vec<u8> {
    client.write(msg).expect("write");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(m) = client.read().expect("read") {
            return m;
        }
        assert!(Instant::now() < deadline, "no echo of {} bytes", msg.len());
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn python_server_echoes_native_client_messages_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let sockets = sockets();
    let pipe = unique("py_echo");

    let rendered = render_api_default(&Config::default()).unwrap();
    let module = tmp.path().join("x4pipe_server.py");
    std::fs::write(&module, &rendered.files["python/x4pipe_server.py"]).unwrap();
    let mut child = Command::new("python3")
        .arg(&module)
        .args(["echo", &pipe])
        .env("X4PIPE_SOCKET_DIR", &sockets)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let stdout = child.stdout.take().unwrap();
    let _echo = Echo(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    assert!(line.starts_with("echoing on"), "{line}");

    let mut client = Client::open(&pipe).expect("the Python server is reachable");
    let big: Vec<u8> = (0..16 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let messages: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"hello;with;semicolons\nand lines".to_vec(),
        "UTF-8: h\u{e9}llo \u{2713}".as_bytes().to_vec(),
        vec![0u8; 3],
        big[..65536].to_vec(),
        big[..65537].to_vec(),
        big[..1024 * 1024].to_vec(),
        big.clone(),
    ];
    for m in &messages {
        assert_eq!(&round_trip(&mut client, m), m, "{} bytes", m.len());
    }

    // The game reloads: the old client goes, a new one is served.
    drop(client);
    let mut again = None;
    let deadline = Instant::now() + Duration::from_secs(10);
    while again.is_none() && Instant::now() < deadline {
        again = Client::open(&pipe).ok();
    }
    let mut client = again.expect("reconnect");
    assert_eq!(round_trip(&mut client, b"after reload"), b"after reload");
}

// The echo server `new-extension` writes runs under `x4pipe host`: tests/it/host.rs.
