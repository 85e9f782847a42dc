//! Where the tests find the native library (the cdylib of `x4pipe-native`).
//!
//! `x4pipe-native` is a dev-dependency of this package, so building this test binary builds its
//! library with both crate types, and Cargo leaves the cdylib beside the test binary in
//! `target/<triple?>/<profile>/deps/`. Order of the search:
//! 1. `$X4PIPE_NATIVE_LIB` (a file), for odd layouts;
//! 2. `deps/` beside the running test binary, then its parent (`cargo build -p x4pipe-native`);
//! 3. otherwise `cargo build -p x4pipe-native` is run once (same profile and target) and the
//!    search repeated.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// File name of the native library on this OS (the table in src/native/targets.rs).
pub const LIB_FILE: &str = match x4pipe::native::targets::for_os(std::env::consts::OS) {
    Some(t) => t.file,
    None => panic!("x4pipe bundles no native library for this OS"),
};

fn search() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("X4PIPE_NATIVE_LIB") {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "X4PIPE_NATIVE_LIB={} is not a file",
            p.display()
        );
        return Some(p);
    }
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    [deps, deps.parent()?]
        .iter()
        .map(|d| d.join(LIB_FILE))
        .find(|p| p.is_file())
}

fn build() {
    let exe = std::env::current_exe().expect("current exe");
    // <target>/[<triple>/]<profile>/deps/<test>: the profile folder names the profile.
    let profile_dir = exe.parent().and_then(Path::parent).expect("profile dir");
    let profile = profile_dir
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.args(["build", "-p", "x4pipe-native", "--lib"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    match profile.as_str() {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    let status = cmd.status().expect("run cargo build -p x4pipe-native");
    assert!(status.success(), "cargo build -p x4pipe-native failed");
}

/// The native library to copy into a test extension.
pub fn lib_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(p) = search() {
            return p;
        }
        build();
        search().unwrap_or_else(|| {
            panic!(
                "{LIB_FILE} not found beside {:?} even after `cargo build -p x4pipe-native`; \
                 set X4PIPE_NATIVE_LIB",
                std::env::current_exe().ok()
            )
        })
    })
}
