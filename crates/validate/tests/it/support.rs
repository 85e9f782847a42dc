//! Shared by the integration tests: where the game schemas and fixtures are.

use std::path::PathBuf;

/// `/work/shared/x4-schemas` as CI lays it out: `../shared` beside the clone. A
/// missing folder fails the test: these tests are the point of the crate.
pub fn schemas(version: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/x4-schemas")
        .join(version);
    assert!(
        dir.join(if version == "7.x" {
            "addon.xsd"
        } else {
            "md.xsd"
        })
        .is_file(),
        "game schemas not found at {} (CI must lay shared/ beside the clone)",
        dir.display()
    );
    dir
}

pub fn corpus() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/md-3.x");
    assert!(dir.is_dir(), "corpus not found at {}", dir.display());
    dir
}

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// What is wrong with a SARIF log by the official SARIF 2.1.0 schema (draft 4).
pub fn sarif_errors(log: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");
    validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

/// A game folder for diff patches: the vanilla corpus as `md/`, and the DLC-style
/// extension of `tests/fixtures/diff/dlc` in `extensions/`.
pub fn game_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("md");
    std::fs::create_dir_all(&md).unwrap();
    for e in std::fs::read_dir(corpus()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), md.join(e.file_name())).unwrap();
    }
    let src = fixtures().join("diff/dlc/extensions/ego_dlc_test");
    let ext = dir.path().join("extensions/ego_dlc_test");
    std::fs::create_dir_all(ext.join("md")).unwrap();
    std::fs::copy(src.join("content.xml"), ext.join("content.xml")).unwrap();
    std::fs::copy(
        src.join("md/inituniverse.xml"),
        ext.join("md/inituniverse.xml"),
    )
    .unwrap();
    dir
}

pub fn oracle(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/oracle")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Per file of an xmllint transcript: (valid?, lines of its validity errors, lines
/// of its parser errors).
#[derive(Debug, Default, Clone)]
pub struct OracleVerdict {
    pub valid: Option<bool>,
    pub schema_lines: Vec<u32>,
    pub parser_lines: Vec<u32>,
}

pub fn parse_oracle(text: &str) -> std::collections::BTreeMap<String, OracleVerdict> {
    let mut out: std::collections::BTreeMap<String, OracleVerdict> = Default::default();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if let Some(file) = line.strip_suffix(" validates") {
            out.entry(file.to_string()).or_default().valid = Some(true);
        } else if let Some(file) = line.strip_suffix(" fails to validate") {
            out.entry(file.to_string()).or_default().valid = Some(false);
        } else if let Some((file, rest)) = line.split_once(':') {
            let Some((num, rest)) = rest.split_once(':') else {
                continue;
            };
            let Ok(num) = num.parse::<u32>() else {
                continue;
            };
            let v = out.entry(file.to_string()).or_default();
            if rest.contains("parser error") {
                v.parser_lines.push(num);
                v.valid = Some(false);
            } else if rest.contains("Schemas validity error") {
                v.schema_lines.push(num);
            }
        }
    }
    out
}

/// What `x4pipe validate` does with a request: run it, write the findings and the
/// summary line (to `out` in the human format, else to `err`), and return the exit
/// code it would exit with (0 valid, 1 invalid, 2 failed); `Err` is a usage error.
pub fn run_with_writer(
    request: &x4pipe_validate::ValidateRequest,
    format: x4pipe_validate::Format,
    out: &mut Vec<u8>,
    err: &mut Vec<u8>,
) -> Result<i32, String> {
    use std::io::Write;
    use x4pipe_validate::{Format, Verdict};
    let outcome = x4pipe_validate::execute(request).map_err(|e| e.to_string())?;
    x4pipe_validate::report::write_findings(out, format, &outcome.reports, &outcome.extra, false)
        .unwrap();
    let line = x4pipe_validate::summary(&outcome);
    match format {
        Format::Human => writeln!(out, "{line}").unwrap(),
        _ => writeln!(err, "{line}").unwrap(),
    }
    Ok(match outcome.verdict {
        Verdict::Valid => 0,
        Verdict::Invalid => 1,
        Verdict::Failed => 2,
    })
}
