//! Property tests of the catalog reader (#15): any bytes as a `.cat` and a `.dat`
//! give an error or entries inside the `.dat`, never a panic, an abort or an
//! allocation sized by a number from the file; extraction never writes outside its
//! folder.
//!
//! Fixed seed and 256 cases by default (CI); `PROPTEST_CASES=20000` (and
//! `PROPTEST_RNG_SEED=N`) for a longer local run.

use std::path::Path;

#[path = "../../../../tests/shared/proptest_config.rs"]
mod proptest_config;

use proptest::prelude::*;
use x4pipe_catalog::{extract, Catalog, ExtractOptions};

/// A path as hostile catalogs write them: escapes, separators, controls, device names.
fn path() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        4 => "[a-z]{1,6}(\\.xml)?",
        1 => Just("..".to_string()),
        1 => Just(".".to_string()),
        1 => Just("".to_string()),
        1 => Just("con.xml".to_string()),
        1 => Just("C:".to_string()),
        1 => Just("a\\..\\b".to_string()),
        1 => "[\\x00-\\x1f\\u{202e} ]{1,3}",
        1 => "\\PC{1,4}",
    ];
    (prop::collection::vec(part, 1..4), any::<bool>()).prop_map(|(parts, abs)| {
        let p = parts.join("/");
        if abs {
            format!("/{p}")
        } else {
            p
        }
    })
}

/// A number field: small, huge, past u64, negative, not a number.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u64..64).prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => Just("18446744073709551616".to_string()),
        1 => Just("-1".to_string()),
        1 => Just("+5".to_string()),
        1 => "[0-9a-z ]{0,4}",
    ]
}

fn md5() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("0".repeat(32)),
        2 => "[0-9a-f]{32}",
        1 => "[0-9a-zA-Z]{0,40}",
    ]
}

/// `.cat` text: mostly well-shaped lines with hostile fields, some raw bytes.
fn cat_bytes() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        6 => (path(), number(), number(), md5())
            .prop_map(|(p, s, t, m)| format!("{p} {s} {t} {m}").into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..80),
    ];
    (
        prop::collection::vec(line, 0..12),
        prop_oneof![Just("\n"), Just("\r\n"), Just("")],
    )
        .prop_map(|(lines, end)| lines.join(end.as_bytes()))
}

fn check(dir: &Path, cat: &[u8], dat: &[u8]) -> Result<(), TestCaseError> {
    std::fs::write(dir.join("x.cat"), cat).unwrap();
    std::fs::write(dir.join("x.dat"), dat).unwrap();
    let Ok(catalog) = Catalog::open(dir.join("x.cat")) else {
        return Ok(());
    };
    let dat_len = dat.len() as u64;
    prop_assert_eq!(catalog.dat_len(), dat_len);
    let mut offset = 0;
    for e in catalog.entries() {
        prop_assert_eq!(e.offset, offset);
        prop_assert!(e.offset + e.size <= dat_len);
        offset += e.size;
        // Reading an entry is bounded by the .dat: no error but md5 can happen.
        match catalog.read_entry(e, false) {
            Ok(bytes) => prop_assert_eq!(bytes.len() as u64, e.size),
            Err(err) => prop_assert!(false, "read_entry failed: {err}"),
        }
    }
    // Extraction either refuses or writes only inside its folder.
    let out = dir.join("out");
    let _ = extract(&catalog, &out, &ExtractOptions::default());
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name();
        prop_assert!(
            ["x.cat", "x.dat", "out"].contains(&name.to_str().unwrap_or("?")),
            "extract wrote {name:?} beside its folder"
        );
    }
    std::fs::remove_dir_all(&out).ok();
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config::config(256, 0xca7_da7a))]

    #[test]
    fn any_catalog_is_refused_or_read_within_its_dat(
        cat in cat_bytes(),
        dat in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        check(tmp.path(), &cat, &dat)?;
    }

    #[test]
    fn any_bytes_as_a_catalog_never_panic(
        cat in prop::collection::vec(any::<u8>(), 0..400),
        dat in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        check(tmp.path(), &cat, &dat)?;
    }
}
