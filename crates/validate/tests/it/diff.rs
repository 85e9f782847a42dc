//! Diff patches through `x4pipe validate --base DIR` and `--conflicts`: the fixtures
//! of `tests/fixtures/diff` (patches of the vanilla MD corpus), each finding at its
//! line in every output format, and the SARIF log valid SARIF 2.1.0.

use std::path::PathBuf;

use crate::support::*;
use x4pipe_validate::patch::codes;
use x4pipe_validate::{Format, ValidateRequest};

/// Every finding about `my_mod`: (file in my_mod/md, line, severity, code).
const DIAGNOSED: &[(&str, u32, &str, &str)] = &[
    ("drain_stations.xml", 5, "error", "cvc-complex-type.2.4"),
    ("drain_stations.xml", 7, "error", "cvc-datatype-valid"),
    ("drain_stations.xml", 8, "error", "cvc-complex-type.4"),
    (
        "drain_stations.xml",
        8,
        "error",
        "cvc-identity-constraint.4.2.1",
    ),
    ("gm_rescue_ship_lib.xml", 4, "error", codes::SEL_NO_MATCH),
    ("gm_rescue_ship_lib.xml", 5, "warning", codes::SEL_NO_MATCH),
    ("gm_rescue_ship_lib.xml", 17, "error", codes::SEL_NO_MATCH),
    ("rml_claimplot.xml", 14, "error", codes::OP_INVALID),
    ("rml_claimplot.xml", 17, "error", codes::OP_INVALID),
    ("rml_claimplot.xml", 18, "error", codes::OP_INVALID),
    ("rml_claimplot.xml", 20, "error", codes::SEL_MULTIPLE),
    ("rml_claimplot.xml", 21, "error", codes::OP_INVALID),
    ("rml_claimplot.xml", 24, "error", codes::OP_INVALID),
];

fn run(
    format: Format,
    paths: Vec<PathBuf>,
    base: Option<PathBuf>,
    conflicts: bool,
) -> (i32, String, String) {
    let args = ValidateRequest {
        paths,
        schemas: vec![schemas("3.x")],
        no_cache: true,
        jobs: 2,
        base,
        conflicts,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    // A usage error is the caller's to show: here it goes with stderr, exit code 2.
    let code = run_with_writer(&args, format, &mut out, &mut err).unwrap_or_else(|message| {
        err.extend_from_slice(message.as_bytes());
        2
    });
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn my_mod() -> PathBuf {
    fixtures().join("diff/my_mod")
}

#[test]
fn every_patch_finding_at_its_line_in_every_format() {
    let game = game_folder();
    let base = Some(game.path().to_path_buf());
    let (exit, human, _) = run(Format::Human, vec![my_mod()], base.clone(), false);
    assert_eq!(exit, 1, "{human}");
    // content.xml and 5 patches; gs_fight and inituniverse (after the DLC) are valid.
    assert!(
        human.contains("validated 6 files: 3 valid, 3 invalid"),
        "{human}"
    );
    let (_, json, _) = run(Format::Json, vec![my_mod()], base.clone(), false);
    let json: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (_, github, _) = run(Format::Github, vec![my_mod()], base.clone(), false);
    let (_, sarif, _) = run(Format::Sarif, vec![my_mod()], base, false);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let errors = sarif_errors(&sarif);
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(json.len(), DIAGNOSED.len(), "{json:#?}");
    assert_eq!(results.len(), DIAGNOSED.len());
    for (file, line, severity, code) in DIAGNOSED {
        let path = format!("my_mod/md/{file}");
        assert!(
            human.contains(&format!("{severity}[{code}]"))
                && human.contains(&format!("{path}:{line}:")),
            "human: {path}:{line} {code}\n{human}"
        );
        assert!(
            json.iter()
                .any(|d| d["file"].as_str().unwrap().ends_with(&path)
                    && d["line"] == *line
                    && d["severity"] == *severity
                    && d["code"] == *code),
            "json: {path}:{line} {code}"
        );
        let command = if *severity == "error" {
            "error"
        } else {
            "warning"
        };
        assert!(
            github
                .lines()
                .any(|l| l.starts_with(&format!("::{command} file="))
                    && l.contains(&format!("{path},line={line},"))
                    && l.contains(&format!("title={code}"))),
            "github: {path}:{line} {code}\n{github}"
        );
        assert!(
            results.iter().any(|r| r["ruleId"] == *code
                && r["level"] == *severity
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .ends_with(&path)
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == *line),
            "sarif: {path}:{line} {code}"
        );
    }
    // The closest existing path is in every format's text.
    assert!(
        human.contains("did you mean library[@name='SpawnMines']?"),
        "{human}"
    );
    assert!(github.contains("did you mean library[@name='SpawnMines']?"));
}

#[test]
fn without_the_game_files_patches_are_only_well_formed() {
    let (exit, human, _) = run(Format::Human, vec![my_mod()], None, false);
    assert_eq!(exit, 0, "{human}");
    assert!(
        human.contains(
            "5 diff patches were only checked for well-formedness: pass --base DIR or --game-dir"
        ),
        "{human}"
    );
    let (exit, _, err) = run(
        Format::Human,
        vec![my_mod()],
        Some(PathBuf::from("/no/such/game")),
        false,
    );
    assert_eq!(exit, 2);
    assert!(
        err.contains("--base /no/such/game is not a folder"),
        "{err}"
    );
    let (exit, _, err) = run(Format::Human, vec![my_mod()], None, true);
    assert_eq!(exit, 2);
    assert!(err.contains("--conflicts needs the game's files"), "{err}");
}

#[test]
fn conflicts_between_two_mods_at_both_places() {
    let game = game_folder();
    let dirs = vec![fixtures().join("diff/conflicts")];
    let (exit, json, _) = run(
        Format::Json,
        dirs.clone(),
        Some(game.path().to_path_buf()),
        true,
    );
    assert_eq!(exit, 1);
    let rows: Vec<(String, u64, String)> = json
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|d| {
            assert_eq!(d["code"], codes::CONFLICT);
            let file = d["file"].as_str().unwrap();
            let short = file.rsplit_once("conflicts/").unwrap().1.to_string();
            (
                short,
                d["line"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let a = "mod_a/md/upkeep_management.xml";
    let b = "mod_b/md/upkeep_management.xml";
    let want: Vec<(String, u64, String)> = [
        (a, 3, "error"),
        (a, 6, "warning"),
        (a, 7, "note"),
        (a, 10, "error"),
        (b, 3, "note"),
        (b, 4, "note"),
        (b, 5, "note"),
        (b, 8, "note"),
    ]
    .iter()
    .map(|(f, l, s)| (f.to_string(), *l, s.to_string()))
    .collect();
    assert_eq!(rows, want);
    let (_, human, _) = run(
        Format::Human,
        dirs.clone(),
        Some(game.path().to_path_buf()),
        true,
    );
    assert!(
        human.contains("which extension `mod_b` removed at"),
        "{human}"
    );
    assert!(
        human.contains(&format!("{a}:3:")) && human.contains(&format!("{b}:3:")),
        "{human}"
    );
    let (_, sarif, _) = run(
        Format::Sarif,
        dirs.clone(),
        Some(game.path().to_path_buf()),
        true,
    );
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert!(sarif_errors(&sarif).is_empty());
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 8);
    let (_, github, _) = run(Format::Github, dirs, Some(game.path().to_path_buf()), true);
    assert!(
        github
            .lines()
            .any(|l| l.starts_with("::error file=") && l.contains(&format!("{a},line=10,"))),
        "{github}"
    );
    assert!(
        github
            .lines()
            .any(|l| l.starts_with("::notice file=") && l.contains(&format!("{b},line=8,"))),
        "{github}"
    );
}
