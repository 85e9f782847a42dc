//! The test layout of the workspace: one integration-test binary per crate
//! (`tests/it/main.rs`, ripgrep's way). With `autotests = false` Cargo would silently
//! skip a new `tests/foo.rs` or an undeclared `tests/it/foo.rs`; this test catches both.

use std::fs;
use std::path::{Path, PathBuf};

/// The root package and every crate under `crates/`.
fn crates() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.clone()];
    for entry in fs::read_dir(root.join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        if dir.join("Cargo.toml").is_file() {
            dirs.push(dir);
        }
    }
    dirs.sort();
    dirs
}

/// Module names of `dir`'s `.rs` files and `<name>/mod.rs` folders (not `main`).
fn modules_in(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let file_module = path.extension().is_some_and(|e| e == "rs") && stem != "main";
        if file_module || path.join("mod.rs").is_file() {
            names.push(stem);
        }
    }
    names.sort();
    names
}

#[test]
fn every_test_file_is_in_its_crates_one_test_binary() {
    for krate in crates() {
        let tests = krate.join("tests");
        if !tests.is_dir() {
            continue;
        }
        let stray: Vec<String> = fs::read_dir(&tests)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .map(|p| p.display().to_string())
            .collect();
        assert!(
            stray.is_empty(),
            "{stray:?}: integration tests live in tests/it/<name>.rs, declared as `mod <name>;` \
             in tests/it/main.rs (one test binary per crate)"
        );
        let it = tests.join("it");
        if !it.is_dir() {
            continue;
        }
        let main = fs::read_to_string(it.join("main.rs")).unwrap();
        for module in modules_in(&it) {
            assert!(
                main.lines().any(|l| l.trim() == format!("mod {module};")),
                "{}/{module}.rs is not declared in tests/it/main.rs: add `mod {module};`, \
                 or Cargo never runs it",
                it.display()
            );
        }
        let manifest = fs::read_to_string(krate.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("autotests = false") && manifest.contains("tests/it/main.rs"),
            "{}: declare the one test binary (`autotests = false` and a [[test]] with path \
             tests/it/main.rs)",
            krate.display()
        );
    }
}
