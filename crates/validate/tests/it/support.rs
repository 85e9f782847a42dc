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
