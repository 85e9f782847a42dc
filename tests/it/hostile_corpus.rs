//! The checked-in corpus of hostile inputs (`tests/corpus/hostile/`, see its README)
//! through the real binary: every file finishes within a deadline, exits 0, 1 or 2
//! (never a panic or a signal), prints no raw control character and writes nothing
//! outside the output folder. `ok-*` files pass; every other one is refused (exit 1).

use std::fs;
use std::path::{Path, PathBuf};

use crate::hostile_files::run_limited;

fn corpus(sub: &str, ext: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/hostile")
        .join(sub);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    assert!(files.len() > 5, "corpus missing in {}", dir.display());
    files
}

fn expected(path: &Path) -> i32 {
    let ok = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("ok-"));
    if ok {
        0
    } else {
        1
    }
}

/// No raw control character (but newline and tab) or bidi override in `text`.
fn terminal_safe(text: &str) -> bool {
    !text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn every_hostile_xml_file_is_refused_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let schemas = crate::support::shared_schemas("6.x").display().to_string();
    let files = corpus("xml", "xml");
    // Copied flat, so that the kind comes from the content, not from a folder name.
    let dir = tmp.path().join("in");
    fs::create_dir(&dir).unwrap();
    for file in &files {
        fs::copy(file, dir.join(file.file_name().unwrap())).unwrap();
    }
    // One run each: human output for the terminal, JSON for the verdict per file.
    let args = ["validate", "in", "--schemas", &schemas, "--no-cache"];
    let human = run_limited(tmp.path(), &args, 300);
    assert_eq!(human.code, Some(1), "{}", human.all());
    assert!(!human.all().contains("panicked"), "{}", human.all());
    assert!(terminal_safe(&human.all()), "{}", human.all());
    let json = run_limited(
        tmp.path(),
        &[&args[..], &["--format", "json"]].concat(),
        300,
    );
    assert_eq!(json.code, Some(1), "{}", json.all());
    let mut wrong = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let shown = format!("in/{name}");
        let errors = json
            .stdout
            .lines()
            .filter(|l| l.contains(&format!("\"file\":{}", serde_json_str(&shown))))
            .filter(|l| l.contains("\"severity\":\"error\""))
            .count();
        let refused = errors > 0;
        if refused != (expected(file) == 1) {
            wrong.push(format!("{name}: {errors} error(s)"));
        }
    }
    assert!(wrong.is_empty(), "{}\n{}", wrong.join("\n"), json.stdout);
}

/// `s` as a JSON string literal (the names here need no escapes but quotes).
fn serde_json_str(s: &str) -> String {
    format!("\"{s}\"")
}

#[test]
fn every_hostile_catalog_is_refused_cleanly() {
    let mut wrong = Vec::new();
    for cat in corpus("cat", "cat") {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("work");
        fs::create_dir(&work).unwrap();
        fs::copy(&cat, work.join("x.cat")).unwrap();
        fs::copy(cat.with_extension("dat"), work.join("x.dat")).unwrap();
        let name = cat.file_name().unwrap().to_string_lossy().into_owned();
        let want = expected(&cat);
        for args in [
            &["cat", "list", "x.cat", "--long", "--verify"][..],
            &["cat", "extract", "x.cat", "-o", "out"],
        ] {
            let r = run_limited(&work, args, 60);
            let all = r.all();
            let code_ok = match args[1] {
                // Listing shows hostile paths (escaped); extracting refuses them.
                "list" => r.code == Some(want) || (want == 1 && r.code == Some(0)),
                _ => r.code == Some(want),
            };
            if !code_ok || all.contains("panicked") || !terminal_safe(&all) {
                wrong.push(format!("{name} {args:?}: exit {:?}\n{all}", r.code));
            }
        }
        let beside: Vec<String> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        if beside != ["work"] {
            wrong.push(format!("{name}: wrote {beside:?} outside its folder"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n---\n"));
}
