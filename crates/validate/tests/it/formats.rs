//! Each crafted defect is reported at the right line in every output format, and the
//! SARIF log is valid against the SARIF 2.1.0 schema.

use crate::support::*;
use x4pipe_validate::{Format, ValidateRequest};

/// (file, line of the defect, code) for each crafted file.
const DEFECTS: &[(&str, u32, &str)] = &[
    ("unknown_element.xml", 7, "cvc-complex-type.2.4"),
    ("missing_attribute.xml", 6, "cvc-complex-type.4"),
    ("bad_enum.xml", 6, "cvc-enumeration-valid"),
    ("wrong_nesting.xml", 8, "cvc-complex-type.2.4"),
    ("duplicate_cue.xml", 9, "cvc-identity-constraint.4.2.2"),
    ("bad_boolean.xml", 4, "cvc-datatype-valid"),
    ("multiline_tag.xml", 6, "cvc-datatype-valid"),
    ("broken_xml.xml", 7, "xml-not-well-formed"),
];

fn run_format(format: Format, file: &str) -> (i32, String, String) {
    let args = ValidateRequest {
        paths: vec![fixtures().join("crafted/md").join(file)],
        schemas: vec![schemas("6.x"), schemas("7.x")],
        no_cache: true,
        jobs: 1,
        ..Default::default()
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_with_writer(&args, format, &mut out, &mut err).unwrap();
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn every_defect_at_its_line_in_every_format() {
    // One run per format over the whole folder (a schema compile each), then each
    // defect is looked for at its file and line.
    let (exit, human, _) = run_format(Format::Human, "");
    assert_eq!(exit, 1);
    assert!(
        human.contains("validated 9 files: 1 valid, 8 invalid"),
        "{human}"
    );
    let (exit, json, json_err) = run_format(Format::Json, "");
    assert_eq!(exit, 1);
    assert!(
        json_err.contains("validated 9 files"),
        "summary on stderr: {json_err}"
    );
    let json: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (exit, github, github_err) = run_format(Format::Github, "");
    assert_eq!(exit, 1);
    assert!(github_err.contains("validated 9 files"));
    let (exit, sarif, _) = run_format(Format::Sarif, "");
    assert_eq!(exit, 1);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();

    for &(file, line, code) in DEFECTS {
        // Human: the cargo-style header, the location and the source line.
        let block = human
            .split("\n\n")
            .find(|b| b.contains(&format!("/{file}:{line}:")))
            .unwrap_or_else(|| panic!("{file}:{line} not in:\n{human}"));
        assert!(block.contains(&format!("error[{code}]")), "{block}");
        assert!(
            block.contains(&format!("\n{line} |")),
            "source line shown: {block}"
        );

        assert!(
            json.iter()
                .any(|d| d["file"].as_str().unwrap().ends_with(file)
                    && d["line"] == line
                    && d["code"] == code
                    && d["severity"] == "error"),
            "{file}: {json:#?}"
        );
        assert!(
            github.lines().any(|l| l.starts_with("::error file=")
                && l.contains(&format!("{file},line={line},"))
                && l.contains(&format!("title={code}"))),
            "{file}: {github}"
        );
        assert!(
            results.iter().any(|r| r["ruleId"] == code
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .ends_with(file)
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == line),
            "{file}: {results:#?}"
        );
    }
}

#[test]
fn expected_values_and_elements_are_named() {
    let (_, out, _) = run_format(Format::Human, "bad_enum.xml");
    assert!(
        out.contains("expected one of 'combat'") && out.contains("'general'"),
        "{out}"
    );
    let (_, out, _) = run_format(Format::Human, "missing_attribute.xml");
    assert!(
        out.contains("Required attribute 'name' is missing"),
        "{out}"
    );
    let (_, out, _) = run_format(Format::Human, "wrong_nesting.xml");
    assert!(
        out.contains("expected one of the elements documentation, param, conditions"),
        "{out}"
    );
    let (_, out, _) = run_format(Format::Human, "unknown_element.xml");
    assert!(
        out.contains("… and ") && out.contains(" more"),
        "long lists are shortened: {out}"
    );
    assert!(
        out.contains("/mdscript/cues/cue/actions/launch_rockets"),
        "{out}"
    );
}

#[test]
fn sarif_log_is_valid_sarif_2_1_0() {
    // All crafted files in one log, plus a valid one (no results for it).
    let args = ValidateRequest {
        paths: vec![fixtures().join("crafted/md")],
        schemas: vec![schemas("6.x")],
        no_cache: true,
        jobs: 2,
        ..Default::default()
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(
        run_with_writer(&args, Format::Sarif, &mut out, &mut err),
        Ok(1)
    );
    let log: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let errors = sarif_errors(&log);
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    assert_eq!(
        log["runs"][0]["results"].as_array().unwrap().len(),
        DEFECTS.len()
    );
}

#[test]
fn valid_file_exits_zero_and_prints_only_the_summary() {
    let (exit, out, _) = run_format(Format::Human, "valid.xml");
    assert_eq!(exit, 0, "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    let (exit, out, _) = run_format(Format::Json, "valid.xml");
    assert_eq!((exit, out.as_str()), (0, ""));
}
