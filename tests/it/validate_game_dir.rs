//! `x4pipe validate --game-dir`: the schemas come straight out of a game folder's
//! numbered catalogs, packed here by `x4pipe cat pack` from the real 6.x/7.x schemas.

use std::fs;
use std::path::Path;

use crate::support::{shared_schemas, stderr, text, x4pipe};

fn shared(rel: &str) -> std::path::PathBuf {
    shared_schemas(rel)
}

/// A fake game: 01.cat with the 6.x schemas plus a broken addon.xsd, 02.cat with the
/// real addon.xsd, which must win.
fn fake_game(root: &Path) -> std::path::PathBuf {
    let game = root.join("game");
    let one = root.join("src1");
    fs::create_dir_all(one.join("libraries")).unwrap();
    fs::create_dir_all(one.join("ui/core")).unwrap();
    fs::copy(shared("6.x/md.xsd"), one.join("libraries/md.xsd")).unwrap();
    fs::copy(shared("6.x/common.xsd"), one.join("libraries/common.xsd")).unwrap();
    fs::copy(
        shared("3.x/aiscripts.xsd"),
        one.join("libraries/aiscripts.xsd"),
    )
    .unwrap();
    fs::write(one.join("ui/core/addon.xsd"), "this is not a schema").unwrap();
    let two = root.join("src2");
    fs::create_dir_all(two.join("ui/core")).unwrap();
    fs::copy(shared("7.x/addon.xsd"), two.join("ui/core/addon.xsd")).unwrap();
    fs::create_dir_all(&game).unwrap();
    for (src, cat) in [(&one, "01.cat"), (&two, "02.cat")] {
        let o = x4pipe(
            root,
            &[
                "cat",
                "pack",
                src.to_str().unwrap(),
                "--out",
                game.join(cat).to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    game
}

#[test]
fn validate_reads_the_schemas_from_the_game_catalogs() {
    let tmp = tempfile::tempdir().unwrap();
    let game = fake_game(tmp.path());
    let o = x4pipe(tmp.path(), &["build", "--target", "linux"]);
    assert!(o.status.success(), "{}", text(&o));
    let ext = "out/x4pipe_named_pipes";
    let o = x4pipe(
        tmp.path(),
        &[
            "validate",
            ext,
            "--game-dir",
            game.to_str().unwrap(),
            "--no-cache",
        ],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("4 valid"), "{out}");

    // A real error is found with those schemas, at its line.
    let md = tmp.path().join(ext).join("md/named_pipes.xml");
    let src = fs::read_to_string(&md).unwrap();
    let line = src
        .lines()
        .position(|l| l.contains("<cue name=\"Close\""))
        .unwrap()
        + 1;
    fs::write(
        &md,
        src.replace(
            "<cue name=\"Close\" instantiate=\"true\">",
            "<cue name=\"Close\" instantiate=\"maybe\">",
        ),
    )
    .unwrap();
    let o = x4pipe(
        tmp.path(),
        &[
            "validate",
            ext,
            "--game-dir",
            game.to_str().unwrap(),
            "--no-cache",
            "--format",
            "github",
        ],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(&format!("line={line}")),
        "line {line} in: {out}"
    );
}

#[test]
fn a_folder_without_catalogs_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = x4pipe(
        tmp.path(),
        &["validate", ".", "--game-dir", tmp.path().to_str().unwrap()],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("01.cat"), "{out}");
}

/// A game for diff patches: 01.cat with the 3.x schemas (and 7.x addon.xsd) and the
/// vanilla MD corpus as md/, and a DLC-style extension whose ext_01.cat patches
/// md/inituniverse.xml.
fn game_with_scripts(root: &Path) -> std::path::PathBuf {
    let game = root.join("game");
    let src = root.join("base");
    fs::create_dir_all(src.join("libraries")).unwrap();
    fs::create_dir_all(src.join("ui/core")).unwrap();
    fs::create_dir_all(src.join("md")).unwrap();
    for f in ["md.xsd", "common.xsd", "aiscripts.xsd"] {
        fs::copy(shared(&format!("3.x/{f}")), src.join("libraries").join(f)).unwrap();
    }
    fs::copy(shared("7.x/addon.xsd"), src.join("ui/core/addon.xsd")).unwrap();
    let corpus = shared("../corpus/md-3.x");
    for e in fs::read_dir(&corpus).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), src.join("md").join(e.file_name())).unwrap();
    }
    let dlc_src = fixtures_diff().join("dlc/extensions/ego_dlc_test");
    let dlc = game.join("extensions/ego_dlc_test");
    let dlc_pack = root.join("dlc");
    fs::create_dir_all(dlc_pack.join("md")).unwrap();
    fs::create_dir_all(&dlc).unwrap();
    fs::copy(dlc_src.join("content.xml"), dlc.join("content.xml")).unwrap();
    fs::copy(
        dlc_src.join("md/inituniverse.xml"),
        dlc_pack.join("md/inituniverse.xml"),
    )
    .unwrap();
    for (from, cat) in [
        (src, game.join("01.cat")),
        (dlc_pack, dlc.join("ext_01.cat")),
    ] {
        let o = x4pipe(
            root,
            &[
                "cat",
                "pack",
                from.to_str().unwrap(),
                "--out",
                cat.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    game
}

fn fixtures_diff() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/validate/tests/fixtures/diff")
}

#[test]
fn diff_patches_are_checked_against_the_game_catalogs_and_cached() {
    let tmp = tempfile::tempdir().unwrap();
    let game = game_with_scripts(tmp.path());
    let my_mod = fixtures_diff().join("my_mod");
    let args = [
        "validate",
        my_mod.to_str().unwrap(),
        "--game-dir",
        game.to_str().unwrap(),
        "--format",
        "github",
    ];
    let cold = x4pipe(tmp.path(), &args);
    let out = String::from_utf8_lossy(&cold.stdout).into_owned();
    assert_eq!(cold.status.code(), Some(1), "{}", text(&cold));
    let at = |file: &str, line: u32, code: &str| {
        out.lines().any(|l| {
            l.contains(&format!("my_mod/md/{file},line={line},"))
                && l.contains(&format!("title={code}"))
        })
    };
    assert!(
        at("gm_rescue_ship_lib.xml", 4, "diff-sel-no-match"),
        "{out}"
    );
    assert!(at("drain_stations.xml", 7, "cvc-datatype-valid"), "{out}");
    assert!(at("rml_claimplot.xml", 20, "diff-sel-multiple"), "{out}");
    // The DLC's patch in its ext_01.cat applied first: inituniverse has no finding.
    assert!(!out.contains("inituniverse"), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("::")).count(),
        13,
        "{out}"
    );
    // Warm: the same findings, from the verdict cache.
    let warm = x4pipe(tmp.path(), &args);
    assert_eq!(String::from_utf8_lossy(&warm.stdout), out);
    assert!(
        stderr(&warm).contains("(6 from cache)"),
        "{}",
        stderr(&warm)
    );

    let conflicts = fixtures_diff().join("conflicts");
    let o = x4pipe(
        tmp.path(),
        &[
            "validate",
            "--conflicts",
            conflicts.to_str().unwrap(),
            "--game-dir",
            game.to_str().unwrap(),
            "--format",
            "github",
        ],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("mod_a/md/upkeep_management.xml,line=3,"),
        "{out}"
    );
    assert!(out.contains("extension `mod_b` removed"), "{out}");
}
