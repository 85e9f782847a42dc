//! content.xml is checked against what the game reads, not against what x4pipe writes:
//! published mods use `version="1"`, more language codes, misspelt or extra elements
//! and attributes, and the game loads them. Those are warnings, never errors; what the
//! game needs (an id, a name, a version number) stays an error.

use std::path::PathBuf;
use x4pipe_validate::{Diagnostic, FileKind, SchemaSource, Severity, Validator};

fn check(xml: &str) -> Vec<Diagnostic> {
    let v = Validator::load(&SchemaSource::from_dirs(Vec::<PathBuf>::new())).unwrap();
    v.validate_bytes("content.xml", xml.as_bytes(), FileKind::Content)
}

fn errors(found: &[Diagnostic]) -> Vec<&Diagnostic> {
    found.iter().filter(|d| d.is_error()).collect()
}

#[test]
fn what_published_mods_write_is_valid() {
    // The shape of the original Named Pipes API's own content.xml: a misspelt
    // element the game ignores, language 37, version 165.
    let original = r#"<?xml version="1.0" encoding="utf-8"?>
<content id="ws_2042901274" name="Mod Support APIs" description="APIs" author="someone" version="165" date="2019-07-23" save="false" sync="false">
  <langugage language="7" description=""/>
  <langugage language="37" description=""/>
  <dependency version="300" />
</content>
"#;
    let found = check(original);
    assert!(errors(&found).is_empty(), "{found:#?}");
    let warned: Vec<&Diagnostic> = found
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect();
    assert_eq!(
        warned.len(),
        2,
        "one warning per unknown element: {found:#?}"
    );
    assert!(warned[0].message.contains("langugage"), "{warned:?}");
    assert_eq!(warned[0].line, 3);

    let one = r#"<content id="m" name="M" version="1" lastupdate="2020" enabled="1"><text language="44" name="M" author="me"/></content>"#;
    let found = check(one);
    assert!(errors(&found).is_empty(), "{found:#?}");
    let warned: Vec<&str> = found
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(warned[0].contains("lastupdate"), "{warned:?}");
    assert!(warned[1].contains("author"), "{warned:?}");
}

#[test]
fn what_the_game_needs_is_still_an_error() {
    for bad in [
        r#"<content name="M" version="100"/>"#,
        r#"<content id="m" name="M"/>"#,
        r#"<content id="m" name="M" version="1.5"/>"#,
        r#"<content id="m" name="M" version="100" save="maybe"/>"#,
    ] {
        assert!(!errors(&check(bad)).is_empty(), "{bad}");
    }
}
