//! Hostile catalogs: clear errors naming the .cat and line, and nothing written
//! outside (or, for a refused extraction, inside) the target folder.

use crate::support::*;
use std::path::Path;
use x4pipe_catalog::{extract, Catalog, ExtractOptions};

const Z: &str = "00000000000000000000000000000000";

/// Writes `evil/x.cat` + `evil/x.dat`, returns the catalog's path.
fn hostile(root: &Path, cat: &str, dat: &[u8]) -> std::path::PathBuf {
    write(root, "evil/x.cat", cat.as_bytes());
    write(root, "evil/x.dat", dat);
    root.join("evil/x.cat")
}

/// Runs `extract` on a hostile catalog and checks that the whole sandbox is
/// unchanged except for an empty target folder. Returns the error text.
fn refused(cat_text: &str, dat: &[u8], verify: bool) -> String {
    let tmp = tempfile::tempdir().unwrap();
    // Put the sandbox one level down so "../" from the target stays inside tmp
    // and the test can see anything that escapes.
    let root = tmp.path().join("sandbox");
    let cat = hostile(&root, cat_text, dat);
    write(&root, "target/existing.txt", b"keep me");
    let before = snapshot(tmp.path());

    let err = Catalog::open(&cat).and_then(|c| {
        extract(
            &c,
            &root.join("target"),
            &ExtractOptions {
                verify,
                ..Default::default()
            },
        )
    });
    let err = err.expect_err("hostile catalog must be refused");
    assert_eq!(snapshot(tmp.path()), before, "the filesystem changed");
    err.to_string()
}

fn assert_names(msg: &str, line: usize) {
    assert!(
        msg.contains(&format!("x.cat:{line}:")),
        "no file:line in {msg:?}"
    );
}

#[test]
fn escaping_paths_are_refused() {
    for evil in [
        "../escape.txt",
        "../../escape.txt",
        "ok/../../escape.txt",
        "/tmp/abs.txt",
        "C:/Windows/win.ini",
        "c:escape.txt",
        "..\\escape.txt",
        "sub\\..\\..\\escape.txt",
        "\\\\server\\share\\x",
        ".. /escape.txt",
        "a//b",
        "./x",
        "con.txt",
    ] {
        // A good entry first: it must not be written either.
        let cat = format!("good.txt 2 0 {}\n{evil} 1 0 {Z}\n", md5_hex(b"hi"));
        let msg = refused(&cat, b"hiX", false);
        assert_names(&msg, 2);
        assert!(msg.contains("refusing entry"), "{evil}: {msg}");
    }
}

#[test]
fn sizes_past_the_end_are_refused() {
    let cat = format!("a.txt 2 0 {Z}\nb.txt 10 0 {Z}\n");
    let msg = refused(&cat, b"hi-short", false);
    assert_names(&msg, 2);
    assert!(msg.contains("only 8 bytes"), "{msg}");
    // Overflowing sums too.
    let cat = format!("a.txt 2 0 {Z}\nb.txt 18446744073709551615 0 {Z}\n");
    assert_names(&refused(&cat, b"hi", false), 2);
}

#[test]
fn bad_md5_is_refused_when_verifying() {
    let good = md5_hex(b"good");
    let cat = format!("a.txt 4 0 {good}\nb.txt 4 0 {good}\n");
    let msg = refused(&cat, b"goodevil", true);
    assert_names(&msg, 2);
    assert!(
        msg.contains("md5 mismatch") && msg.contains("b.txt"),
        "{msg}"
    );
    // An empty file must carry zeros (or md5 of nothing), not anything else.
    let cat = format!("e.txt 0 0 {good}\n");
    assert_names(&refused(&cat, b"", true), 1);
}

#[test]
fn malformed_lines_are_refused() {
    let good = format!("ok.txt 1 0 {}\n", md5_hex(b"x"));
    for (bad, what) in [
        ("truncated.txt 1 0\n".to_string(), "truncated line"),
        ("truncated\n".to_string(), "truncated line"),
        (format!("n.txt one 0 {Z}\n"), "size \"one\" is not a number"),
        (format!("n.txt -1 0 {Z}\n"), "is not a number"),
        (format!("n.txt 1 yesterday {Z}\n"), "modification time"),
        ("n.txt 1 0 abc\n".to_string(), "not 32 hex digits"),
        (
            format!("n.txt 1 0 {}\n", "g".repeat(32)),
            "not 32 hex digits",
        ),
    ] {
        let msg = refused(&format!("{good}{bad}"), b"xy", false);
        assert_names(&msg, 2);
        assert!(msg.contains(what), "{bad:?}: {msg}");
    }
    // Not UTF-8.
    let mut raw = good.clone().into_bytes();
    raw.extend_from_slice(b"\xff\xfe 1 0 ");
    raw.extend_from_slice(Z.as_bytes());
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "x.cat", &raw);
    write(tmp.path(), "x.dat", b"xy");
    let msg = Catalog::open(tmp.path().join("x.cat"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("x.cat:2: not valid UTF-8"), "{msg}");
}

#[test]
fn missing_dat_names_the_dat() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "only.cat", b"");
    let msg = Catalog::open(tmp.path().join("only.cat"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("only.dat"), "{msg}");
}

#[cfg(unix)]
#[test]
fn symlinks_in_the_target_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("sandbox");
    let cat = hostile(
        &root,
        &format!("link/owned.txt 2 0 {}\n", md5_hex(b"hi")),
        b"hi",
    );
    std::fs::create_dir_all(root.join("target")).unwrap();
    std::fs::create_dir_all(root.join("outside")).unwrap();
    std::os::unix::fs::symlink(root.join("outside"), root.join("target/link")).unwrap();
    let before = snapshot(tmp.path());
    let c = Catalog::open(&cat).unwrap();
    let err = extract(&c, &root.join("target"), &ExtractOptions::default()).unwrap_err();
    assert!(matches!(err, x4pipe_catalog::Error::Target { .. }), "{err}");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(snapshot(tmp.path()), before);
    assert!(!root.join("outside/owned.txt").exists());
}

#[test]
fn later_duplicates_win_and_listing_hostile_paths_is_harmless() {
    let tmp = tempfile::tempdir().unwrap();
    let cat = hostile(
        tmp.path(),
        &format!("a.txt 1 0 {Z}\na.txt 1 0 {Z}\n../x 1 0 {Z}\n"),
        b"12X",
    );
    let c = Catalog::open(&cat).unwrap();
    assert_eq!(c.entries().len(), 3);
    let out = tmp.path().join("out");
    extract(
        &c,
        &out,
        &ExtractOptions {
            globs: vec!["a.txt".into()],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"2");
}
