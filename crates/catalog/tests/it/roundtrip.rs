//! pack -> list -> extract round-trips a tree exactly.

use crate::support::*;
use std::collections::BTreeMap;
use x4pipe_catalog::{extract, list, pack, Catalog, ExtractOptions, ListOptions, PackOptions};

const FILES: &[(&str, usize)] = &[
    ("content.xml", 120),
    ("md/my script.xml", 5000),
    ("ui/äöü/日本 語.lua", 777),
    ("empty.txt", 0),
    ("deep/a/b/c/d/e f/g.bin", 3 << 20),
    ("deep/a/empty too", 0),
    (".hidden", 3),
    ("Z upper.txt", 10),
    ("a  two  spaces .x", 11),
];

fn make_tree(root: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    let mut want = BTreeMap::new();
    for (i, (rel, len)) in FILES.iter().enumerate() {
        let bytes = noise(*len, i as u64 + 1);
        write(root, rel, &bytes);
        set_mtime(&root.join(rel), 1_600_000_000 + i as u64 * 1000);
        want.insert(rel.to_string(), bytes);
    }
    want
}

#[test]
fn pack_list_extract_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let want = make_tree(&src);
    let cat_path = tmp.path().join("out/my cat.cat");

    let report = pack(&src, &cat_path, &PackOptions::default()).unwrap();
    assert_eq!(report.files, FILES.len());

    // The .cat text: sorted by path bytes, '/' separators, md5 per entry, zeros for empty.
    let text = std::fs::read_to_string(&cat_path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let paths: Vec<&str> = want.keys().map(|s| s.as_str()).collect();
    assert_eq!(lines.len(), paths.len());
    for (line, (i, path)) in lines.iter().zip(paths.iter().enumerate()) {
        let bytes = &want[*path];
        let md5 = if bytes.is_empty() {
            "0".repeat(32)
        } else {
            md5_hex(bytes)
        };
        let src_index = FILES.iter().position(|(p, _)| p == path).unwrap() as u64;
        let mtime = 1_600_000_000 + src_index * 1000;
        assert_eq!(
            *line,
            format!("{path} {} {mtime} {md5}", bytes.len()),
            "line {i}"
        );
    }
    assert!(text.ends_with('\n'));
    let dat = std::fs::read(cat_path.with_extension("dat")).unwrap();
    assert_eq!(dat, want.values().flatten().copied().collect::<Vec<u8>>());

    // list
    let cat = Catalog::open(&cat_path).unwrap();
    let listed: Vec<&str> = cat.entries().iter().map(|e| e.path.as_str()).collect();
    assert_eq!(listed, paths);

    // extract with md5 verification
    let out = tmp.path().join("extracted");
    let r = extract(
        &cat,
        &out,
        &ExtractOptions {
            verify: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.files, FILES.len());
    let got: BTreeMap<String, Vec<u8>> = snapshot(&out)
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    assert_eq!(got, want);
    for (i, (rel, _)) in FILES.iter().enumerate() {
        assert_eq!(
            mtime(&out.join(rel)),
            1_600_000_000 + i as u64 * 1000,
            "{rel}"
        );
    }
    // No staging folder left behind.
    assert!(!snapshot(&out).keys().any(|k| k.contains(".x4pipe")));

    // Packing the extracted tree again gives the same catalog.
    let again = tmp.path().join("again.cat");
    pack(&out, &again, &PackOptions::default()).unwrap();
    assert_eq!(std::fs::read(&again).unwrap(), text.as_bytes());
}

#[test]
fn fixed_mtime_makes_pack_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    make_tree(&src);
    let opts = PackOptions {
        mtime: Some(1_700_000_000),
        ..Default::default()
    };
    pack(&src, &tmp.path().join("a.cat"), &opts).unwrap();
    set_mtime(&src.join("content.xml"), 1);
    pack(&src, &tmp.path().join("b.cat"), &opts).unwrap();
    for ext in ["cat", "dat"] {
        assert_eq!(
            std::fs::read(tmp.path().join(format!("a.{ext}"))).unwrap(),
            std::fs::read(tmp.path().join(format!("b.{ext}"))).unwrap()
        );
    }
    let text = std::fs::read_to_string(tmp.path().join("a.cat")).unwrap();
    assert!(text.lines().all(|l| l.contains(" 1700000000 ")));
}

#[test]
fn globs_select_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    make_tree(&src);
    let cat_path = tmp.path().join("t.cat");
    pack(
        &src,
        &cat_path,
        &PackOptions {
            globs: vec!["!*.bin".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let cat = Catalog::open(&cat_path).unwrap();
    assert!(cat.entries().iter().all(|e| !e.path.ends_with(".bin")));
    assert_eq!(cat.entries().len(), FILES.len() - 1);

    let out = tmp.path().join("x");
    extract(
        &cat,
        &out,
        &ExtractOptions {
            globs: vec!["*.xml".into(), "*.lua".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let got: Vec<String> = snapshot(&out)
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        got,
        ["content.xml", "md/my script.xml", "ui/äöü/日本 語.lua"]
    );
}

#[test]
fn pack_does_not_swallow_its_own_output() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write(&src, "a.txt", b"a");
    pack(&src, &src.join("self.cat"), &PackOptions::default()).unwrap();
    pack(&src, &src.join("self.cat"), &PackOptions::default()).unwrap();
    let cat = Catalog::open(src.join("self.cat")).unwrap();
    let paths: Vec<&str> = cat.entries().iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["a.txt"]);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_when_packing() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write(&src, "a.txt", b"a");
    write(tmp.path(), "secret.txt", b"secret");
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), src.join("link.txt")).unwrap();
    let err = pack(&src, &tmp.path().join("t.cat"), &PackOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("link.txt") && msg.contains("symbolic link"),
        "{msg}"
    );
    assert!(!tmp.path().join("t.cat").exists());
    // A '!' glob leaves it out.
    pack(
        &src,
        &tmp.path().join("t.cat"),
        &PackOptions {
            globs: vec!["!link.txt".into()],
            ..Default::default()
        },
    )
    .unwrap();
}

#[test]
fn list_selects_and_verifies_every_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    make_tree(&src);
    let cat_path = tmp.path().join("c.cat");
    pack(&src, &cat_path, &PackOptions::default()).unwrap();
    let cat = Catalog::open(&cat_path).unwrap();
    let opts = |globs: &[&str], verify: bool| ListOptions {
        globs: globs.iter().map(|g| g.to_string()).collect(),
        verify,
    };

    let md = list(&cat, &opts(&["md/*"], false)).unwrap();
    let paths: Vec<&str> = md.iter().map(|l| l.entry.path.as_str()).collect();
    assert_eq!(paths, ["md/my script.xml"]);
    assert!(md[0].verified.is_none());

    let empty = list(&cat, &opts(&["empty.txt"], true)).unwrap();
    assert_eq!(empty.len(), 1);
    assert_eq!(empty[0].entry.md5, [0; 16]);
    assert_eq!(empty[0].entry.size, 0);
    assert_eq!(empty[0].entry.mtime, 1_600_000_000 + 3 * 1000);
    assert!(matches!(empty[0].verified, Some(Ok(()))));

    // One corrupted entry is reported for that entry; the others still verify.
    let victim = cat.find("md/my script.xml").unwrap().clone();
    let dat_path = tmp.path().join("c.dat");
    let mut dat = std::fs::read(&dat_path).unwrap();
    dat[victim.offset as usize] ^= 0xff;
    std::fs::write(&dat_path, dat).unwrap();
    let all = list(&cat, &opts(&[], true)).unwrap();
    assert_eq!(all.len(), cat.entries().len());
    for l in &all {
        match (&l.verified, l.entry.path == victim.path) {
            (Some(Err(e)), true) => assert!(e.to_string().contains("md5 mismatch"), "{e}"),
            (Some(Ok(())), false) => {}
            other => panic!("{}: {other:?}", l.entry.path),
        }
    }
    assert!(list(&cat, &opts(&["a[b"], false)).is_err());

    let out = tmp.path().join("x");
    extract(
        &cat,
        &out,
        &ExtractOptions {
            globs: vec!["deep/**".into()],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        std::fs::read(out.join("deep/a/b/c/d/e f/g.bin")).unwrap(),
        noise(3 << 20, 5)
    );
    assert!(!out.join("content.xml").exists());
}
