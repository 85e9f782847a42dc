//! Each crafted defect is reported at the right line in every output format, and the
//! SARIF log is valid against the SARIF 2.1.0 schema.

mod common;

use common::*;
use x4pipe_validate::{run_with_writer, ColorChoice, Format, ValidateArgs};

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
    let args = ValidateArgs {
        paths: vec![fixtures().join("crafted/md").join(file)],
        schemas: vec![schemas("6.x"), schemas("7.x")],
        format,
        no_cache: true,
        jobs: 1,
        color: ColorChoice::Never,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_with_writer(&args, &mut out, &mut err, false);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn every_defect_at_its_line_in_every_format() {
    for &(file, line, code) in DEFECTS {
        let (exit, out, _) = run_format(Format::Human, file);
        assert_eq!(exit, 1, "{file}");
        assert!(out.contains(&format!("error[{code}]")), "{file}:\n{out}");
        assert!(out.contains(&format!("{file}:{line}:")), "{file}:\n{out}");
        assert!(
            out.contains(&format!("\n{line} |")),
            "source line shown for {file}:\n{out}"
        );
        assert!(
            out.contains("validated 1 file: 0 valid, 1 invalid"),
            "{out}"
        );

        let (exit, out, err) = run_format(Format::Json, file);
        assert_eq!(exit, 1);
        assert!(err.contains("validated 1 file"), "summary on stderr: {err}");
        let found: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(
            found
                .iter()
                .any(|d| d["line"] == line && d["code"] == code && d["severity"] == "error"),
            "{file}: {out}"
        );

        let (exit, out, err) = run_format(Format::Github, file);
        assert_eq!(exit, 1);
        assert!(err.contains("validated 1 file"));
        assert!(
            out.lines().any(|l| l.starts_with("::error file=")
                && l.contains(&format!(",line={line},"))
                && l.contains(&format!("title={}", code.replace(':', "%3A")))),
            "{file}: {out}"
        );

        let (exit, out, _) = run_format(Format::Sarif, file);
        assert_eq!(exit, 1);
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(
            results.iter().any(|r| r["ruleId"] == code
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == line),
            "{file}: {out}"
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
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");
    // All crafted files in one log, plus a valid one (no results for it).
    let args = ValidateArgs {
        paths: vec![fixtures().join("crafted/md")],
        schemas: vec![schemas("6.x")],
        format: Format::Sarif,
        no_cache: true,
        jobs: 2,
        color: ColorChoice::Never,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(run_with_writer(&args, &mut out, &mut err, false), 1);
    let log: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
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
