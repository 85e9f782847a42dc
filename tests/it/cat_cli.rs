//! `x4pipe cat pack/list/extract` and `package` from the command line: what goes to
//! stdout (listings only) and stderr (summaries), byte for byte.

use std::fs;
use std::process::{Command, Output};

/// Runs x4pipe in `dir` with a fixed SOURCE_DATE_EPOCH.
fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_x4pipe"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1600000000")
        .output()
        .expect("run x4pipe");
    assert!(o.status.success(), "{args:?}: {o:?}");
    o
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

#[test]
fn pack_list_extract_print_what_they_did() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    fs::create_dir_all(t.join("src/md")).unwrap();
    fs::write(t.join("src/md/my script.xml"), "<mdscript/>").unwrap();
    fs::write(t.join("src/empty.txt"), "").unwrap();

    let o = run(t, &["cat", "pack", "src", "--out", "c.cat"]);
    assert_eq!(text(&o.stdout), "");
    assert_eq!(text(&o.stderr), "packed 2 file(s), 11 bytes, into c.cat\n");

    let o = run(t, &["cat", "list", "c.cat", "--glob", "md/*"]);
    assert_eq!(text(&o.stdout), "md/my script.xml\n");
    assert_eq!(text(&o.stderr), "");

    let o = run(t, &["cat", "list", "c.cat", "-l", "--verify"]);
    // md5 of `<mdscript/>`; an empty file's md5 is all zeros, as Egosoft writes it.
    assert_eq!(
        text(&o.stdout),
        format!(
            "ok  {} 0 1600000000 empty.txt\n\
             ok  da239522445a6f606631d8cc7baa195e 11 1600000000 md/my script.xml\n",
            "0".repeat(32)
        )
    );

    let o = run(t, &["cat", "extract", "c.cat", "--out", "x", "--verify"]);
    assert_eq!(
        text(&o.stderr),
        "extracted 2 file(s), 11 bytes, into x (md5s verified)\n"
    );
    assert_eq!(
        fs::read(t.join("x/md/my script.xml")).unwrap(),
        b"<mdscript/>"
    );
}
