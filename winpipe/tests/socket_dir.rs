//! Where the Linux socket folder is, by environment. One test in its own binary,
//! because it changes process-wide environment variables.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use x4pipe_native::name;

#[test]
fn socket_dir_follows_env_then_runtime_dir() {
    let base = std::env::temp_dir().join(format!("x4p-dirtest-{}", std::process::id()));

    // 1. $X4PIPE_SOCKET_DIR wins, created if missing (also nested).
    let own = base.join("own/nested");
    std::env::set_var("X4PIPE_SOCKET_DIR", &own);
    std::env::set_var("XDG_RUNTIME_DIR", base.join("run"));
    assert_eq!(name::socket_dir().unwrap(), own);
    assert!(own.is_dir());
    assert_eq!(name::socket_path("p").unwrap(), own.join("p"));

    // 2. Empty counts as unset: then $XDG_RUNTIME_DIR/x4pipe, mode 0700.
    std::env::set_var("X4PIPE_SOCKET_DIR", "");
    let run = base.join("run/x4pipe");
    assert_eq!(name::socket_dir().unwrap(), run);
    let mode = std::fs::metadata(&run).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);

    // 3. Neither: the private per-user folder under /tmp.
    std::env::remove_var("X4PIPE_SOCKET_DIR");
    std::env::remove_var("XDG_RUNTIME_DIR");
    let uid = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m));
    let dir = name::socket_dir().unwrap();
    assert_eq!(
        dir,
        std::path::PathBuf::from(format!("/tmp/x4pipe-{}", uid.unwrap()))
    );
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o077;
    assert_eq!(mode, 0, "shared /tmp folder must be private");

    let _ = std::fs::remove_dir_all(&base);
}
