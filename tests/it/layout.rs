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

/// Top-level modules of a library crate's `src/` and the other top-level modules each
/// one names through `crate::` (outside its `#[cfg(test)]` part). The binary's own
/// modules (`main.rs`, `cli/`) are not part of the library.
fn module_graph(src: &Path) -> Vec<(String, Vec<String>)> {
    fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rs_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rs_files(src, &mut files);
    let mut graph: Vec<(String, Vec<String>)> = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if matches!(module.as_str(), "lib" | "main" | "cli") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let mut uses: Vec<String> = code
            .match_indices("crate::")
            .map(|(i, _)| {
                code[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .filter(|m| !m.is_empty() && *m != module)
            .collect();
        match graph.iter_mut().find(|(m, _)| *m == module) {
            Some((_, u)) => u.append(&mut uses),
            None => graph.push((module, uses)),
        }
    }
    for (_, uses) in &mut graph {
        uses.sort();
        uses.dedup();
    }
    graph.sort();
    graph
}

/// The modules of every crate form a DAG (docs/architecture.md draws it): a module
/// never depends, directly or through others, on a module that depends on it.
#[test]
fn no_module_cycles_in_any_crate() {
    for krate in crates() {
        let graph = module_graph(&krate.join("src"));
        let uses = |m: &str| -> Vec<String> {
            graph
                .iter()
                .find(|(n, _)| n == m)
                .map(|(_, u)| u.clone())
                .unwrap_or_default()
        };
        for (module, direct) in &graph {
            // Everything `module` reaches; reaching itself is a cycle.
            let mut seen: Vec<String> = Vec::new();
            let mut todo = direct.clone();
            while let Some(next) = todo.pop() {
                assert_ne!(
                    &next,
                    module,
                    "{}: module `{module}` depends on itself through {seen:?}",
                    krate.display()
                );
                if !seen.contains(&next) {
                    todo.extend(uses(&next));
                    seen.push(next);
                }
            }
        }
    }
}
