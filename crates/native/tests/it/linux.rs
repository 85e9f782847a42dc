//! Linux-only details: where sockets live, stale socket files, the chunk framing
//! against a peer that breaks it.

use crate::support::*;
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

/// A raw SEQPACKET server that does not speak the framing: sends `packet` as is.
fn rogue_server_sends(packet: &[u8]) -> (i32, String) {
    use std::os::unix::ffi::OsStrExt;
    let n = unique("rogue");
    let path = name::socket_path(&n).unwrap();
    unsafe {
        let fd = libc::socket(libc::AF_UNIX, libc::SOCK_SEQPACKET, 0);
        assert!(fd >= 0);
        let mut addr: libc::sockaddr_un = std::mem::zeroed();
        addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
        for (d, s) in addr.sun_path.iter_mut().zip(path.as_os_str().as_bytes()) {
            *d = *s as libc::c_char;
        }
        let len = std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, &addr as *const _ as *const libc::sockaddr, len),
            0
        );
        assert_eq!(libc::listen(fd, 4), 0);
        let mut client = Abi::open(&n).unwrap();
        let conn = libc::accept(fd, std::ptr::null_mut(), std::ptr::null_mut());
        assert!(conn >= 0);
        let sent = libc::send(conn, packet.as_ptr().cast(), packet.len(), 0);
        assert_eq!(sent, packet.len() as isize);
        let rc = client.read_wait(WAIT).err().unwrap_or(wp::X4P_OK);
        let detail = last_error();
        // Once the stream is broken, it stays broken.
        assert_eq!(client.read().err(), Some(wp::X4P_BROKEN));
        libc::close(conn);
        libc::close(fd);
        let _ = std::fs::remove_file(&path);
        (rc, detail)
    }
}

#[test]
fn broken_framing_is_a_protocol_error() {
    let (rc, detail) = rogue_server_sends(b"\x07unknown head");
    assert_eq!(rc, wp::X4P_OTHER);
    assert!(detail.contains("head byte 0x07"), "{detail}");

    let mut big = vec![0u8; wp::MAX_PAYLOAD + 100];
    big[0] = wp::HEAD_LAST;
    let (rc, detail) = rogue_server_sends(&big);
    assert_eq!(rc, wp::X4P_OTHER);
    assert!(detail.contains("protocol error"), "{detail}");
}
