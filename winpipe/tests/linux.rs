//! Linux-only details: where sockets live, stale socket files, the chunk framing
//! against a peer that breaks it.
#![cfg(unix)]

mod common;

use common::*;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use x4pipe_native::{self as wp, name, Client, Server, Status};

#[test]
fn socket_lives_in_the_configured_folder() {
    let n = unique("where");
    let _s = Server::create(&n).unwrap();
    let dir = std::path::PathBuf::from(std::env::var_os("X4PIPE_SOCKET_DIR").unwrap());
    assert_eq!(name::socket_dir().unwrap(), dir);
    assert!(std::fs::metadata(dir.join(&n))
        .unwrap()
        .file_type()
        .is_socket());
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o077,
        0,
        "socket folder must be private, mode {mode:o}"
    );
    drop(_s);
    assert!(!dir.join(&n).exists(), "server removes its socket file");
}

#[test]
fn stale_socket_file_is_replaced() {
    let n = unique("stale");
    let path = name::socket_path(&n).unwrap();
    // A socket file with nobody listening, as a crashed server leaves it.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    assert_eq!(Client::open(&n).unwrap_err().status(), Status::NoServer);
    let server = spawn_echo(&n, 1);
    let mut c = Abi::open(&n).unwrap();
    assert_eq!(c.write(b"ok"), wp::X4P_OK);
    assert_eq!(c.read_wait(WAIT).unwrap(), b"ok");
    drop(c);
    server.join().unwrap();
}

#[test]
fn long_socket_path_is_invalid() {
    let n = "n".repeat(200);
    assert_eq!(Abi::open(&n).err(), Some(wp::X4P_INVALID));
    assert!(
        last_error().contains("X4PIPE_SOCKET_DIR"),
        "{}",
        last_error()
    );
}

#[test]
fn framing_on_the_wire() {
    // A message of 64 KiB + 1 is two packets: [0x01 + 64 KiB] and [0x00 + 1 byte].
    let n = unique("wire");
    let mut server = Server::create(&n).unwrap();
    let mut c = Client::open(&n).unwrap();
    let mut conn = server.accept().unwrap();
    let msg = vec![9u8; wp::MAX_PAYLOAD + 1];
    c.write(&msg).unwrap();
    assert_eq!(conn.read().unwrap(), msg);
}

#[test]
fn foreign_stream_socket_is_refused() {
    // Somebody else's SOCK_STREAM socket under our name: EPROTOTYPE -> Other, said so.
    let path = name::socket_path(&unique("stream")).unwrap();
    let l = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let e = Client::open(path.file_name().unwrap().to_str().unwrap()).unwrap_err();
    assert_eq!(e.status(), Status::Other, "{e}");
    assert!(e.detail().contains("SEQPACKET"), "{e}");
    drop(l);
    let _ = std::fs::remove_file(&path);
}
