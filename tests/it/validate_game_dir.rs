//! `x4pipe validate --game-dir`: the schemas come straight out of a game folder's
//! numbered catalogs, packed here by `x4pipe cat pack` from the real 6.x/7.x schemas.

use std::fs;
use std::path::Path;

use crate::support::{shared_schemas, text, x4pipe};

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
