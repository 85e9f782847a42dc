//! Helpers shared by the integration tests of the x4pipe binary.
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
