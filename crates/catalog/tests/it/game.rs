//! Reading the game's schemas straight out of numbered catalogs.

use crate::support::*;
use std::path::{Path, PathBuf};
use x4pipe_catalog::{extract_game_files, pack, read_game_files, Error, PackOptions, GAME_SCHEMAS};

/// shared/x4-schemas: beside the repository (CI lays shared/ next to its
/// clone) or at /work/shared.
fn schemas_dir() -> Option<PathBuf> {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/x4-schemas");
    [beside, PathBuf::from("/work/shared/x4-schemas")]
        .into_iter()
        .find(|p| p.is_dir())
}

/// Reads a real schema, or a stand-in when shared/ is absent so the test still
/// exercises the catalog logic.
fn schema(rel: &str) -> Vec<u8> {
    match schemas_dir() {
        Some(dir) => std::fs::read(dir.join(rel)).unwrap(),
        None => {
            eprintln!("shared/x4-schemas not found; using a stand-in for {rel}");
            format!("<!-- stand-in for {rel} -->").into_bytes()
        }
    }
}

fn pack_dir(game: &Path, name: &str, files: &[(&str, Vec<u8>)]) {
    let src = game.join(format!("src_{name}"));
    for (rel, bytes) in files {
        write(&src, rel, bytes);
    }
    pack(
        &src,
        &game.join(format!("{name}.cat")),
        &PackOptions::default(),
    )
    .unwrap();
    std::fs::remove_dir_all(src).unwrap();
}

fn fake_game(root: &Path) -> std::path::PathBuf {
    let game = root.join("X4 Foundations");
    let mut override_md = b"<!-- 02.cat override -->\n".to_vec();
    override_md.extend(schema("6.x/md.xsd"));
    pack_dir(
        &game,
        "01",
        &[
            ("libraries/md.xsd", schema("6.x/md.xsd")),
            ("libraries/common.xsd", schema("6.x/common.xsd")),
            ("libraries/aiscripts.xsd", schema("3.x/aiscripts.xsd")),
            ("ui/core/addon.xsd", b"<!-- old addon -->".to_vec()),
            ("assets/big.bin", noise(1 << 20, 9)),
        ],
    );
    pack_dir(
        &game,
        "02",
        &[
            ("libraries/md.xsd", override_md),
            ("ui/core/addon.xsd", schema("7.x/addon.xsd")),
        ],
    );
    // 03.cat is missing, so 04.cat must be ignored like the game ignores it.
    pack_dir(
        &game,
        "04",
        &[("libraries/md.xsd", b"<!-- never read -->".to_vec())],
    );
    game
}

#[test]
fn reads_schemas_with_later_catalogs_overriding() {
    let tmp = tempfile::tempdir().unwrap();
    let game = fake_game(tmp.path());
    let files = read_game_files(&game, GAME_SCHEMAS).unwrap();
    assert_eq!(
        files.keys().map(|s| s.as_str()).collect::<Vec<_>>(),
        [
            "libraries/aiscripts.xsd",
            "libraries/common.xsd",
            "libraries/md.xsd",
            "ui/core/addon.xsd"
        ]
    );
    let md = &files["libraries/md.xsd"];
    assert!(md.starts_with(b"<!-- 02.cat override -->\n"));
    assert_eq!(&md[25..], &schema("6.x/md.xsd")[..]);
    assert_eq!(files["libraries/common.xsd"], schema("6.x/common.xsd"));
    assert_eq!(files["ui/core/addon.xsd"], schema("7.x/addon.xsd"));
    if schemas_dir().is_some() {
        let text = String::from_utf8(files["ui/core/addon.xsd"].clone()).unwrap();
        assert!(text.contains("xs:schema"), "real schema expected");
    }

    // Case-insensitive fallback and backslashes, as the game on Windows.
    let files = read_game_files(&game, &["Libraries\\COMMON.xsd"]).unwrap();
    assert_eq!(files["Libraries/COMMON.xsd"], schema("6.x/common.xsd"));

    // Extracting into a folder.
    let out = tmp.path().join("schemas");
    let written =
        extract_game_files(&game, &["libraries/md.xsd", "ui/core/addon.xsd"], &out).unwrap();
    assert_eq!(written.len(), 2);
    assert_eq!(
        std::fs::read(out.join("ui/core/addon.xsd")).unwrap(),
        schema("7.x/addon.xsd")
    );
}

#[test]
fn missing_files_and_catalogs_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let game = fake_game(tmp.path());
    let err = read_game_files(&game, &["libraries/md.xsd", "libraries/nope.xsd"]).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::MissingGameFiles { .. }));
    assert!(
        msg.contains("libraries/nope.xsd")
            && msg.contains("01.cat, 02.cat")
            && !msg.contains("04.cat"),
        "{msg}"
    );

    let err = read_game_files(tmp.path(), &["libraries/md.xsd"]).unwrap_err();
    assert!(err.to_string().contains("01.cat is missing"), "{err}");

    // A corrupt catalog names itself and its line.
    std::fs::write(game.join("02.cat"), b"libraries/md.xsd 99999999 0 00\n").unwrap();
    let err = read_game_files(&game, GAME_SCHEMAS)
        .unwrap_err()
        .to_string();
    assert!(err.contains("02.cat:1:"), "{err}");
}
