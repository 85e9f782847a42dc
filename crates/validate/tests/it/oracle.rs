//! Our verdicts and error lines against xmllint's, recorded once (see the headers of
//! tests/oracle/*.txt for the commands), so CI needs no xmllint.

use std::collections::BTreeSet;

use crate::support::*;
use x4pipe_validate::{codes, SchemaSource, Validator};

fn compare(dir: &std::path::Path, schemas: &std::path::Path, oracle_name: &str, prefix: &str) {
    let expected = parse_oracle(&oracle(oracle_name));
    assert!(!expected.is_empty());
    let validator = Validator::load(&SchemaSource::from_dirs([schemas])).unwrap();
    for (name, want) in &expected {
        let file = dir.join(name.strip_prefix(prefix).unwrap_or(name));
        let (_, found) = validator.validate_file(&file);
        let errors: Vec<_> = found.iter().filter(|d| d.is_error()).collect();
        let valid = errors.is_empty();
        assert_eq!(Some(valid), want.valid, "verdict of {name}: {found:#?}");
        if !want.parser_lines.is_empty() {
            // xmllint lists every parser error; the first is where the text broke.
            assert_eq!(errors.len(), 1, "{name}: {errors:#?}");
            assert_eq!(errors[0].code, codes::NOT_WELL_FORMED);
            assert_eq!(errors[0].line, want.parser_lines[0], "line of {name}");
        } else {
            let ours: BTreeSet<u32> = errors.iter().map(|d| d.line).collect();
            let theirs: BTreeSet<u32> = want.schema_lines.iter().copied().collect();
            assert_eq!(ours, theirs, "error lines of {name}: {errors:#?}");
        }
    }
}

#[test]
fn vanilla_md_corpus_agrees_with_xmllint() {
    let expected = parse_oracle(&oracle("md-3.x.txt"));
    assert_eq!(expected.len(), 24, "the oracle covers the whole corpus");
    compare(&corpus(), &schemas("3.x"), "md-3.x.txt", "");
}

#[test]
fn crafted_invalid_files_agree_with_xmllint() {
    compare(
        &fixtures().join("crafted"),
        &schemas("6.x"),
        "crafted-md-6.x.txt",
        "",
    );
}
