//! Bad input gets a clear error for that file, never a panic, and the other files
//! are still validated. Exit codes: 0 valid, 1 invalid, 2 usage or I/O errors.

use std::path::PathBuf;

use crate::support::*;
use x4pipe_validate::{
    codes, execute, FileKind, Format, SchemaSource, ValidateRequest, Validator, Verdict,
};

const VALID_MD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<mdscript name="Fine" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <cues>
    <cue name="Start">
      <actions>
        <set_value name="$x" exact="1"/>
      </actions>
    </cue>
  </cues>
</mdscript>
"#;

fn args(paths: Vec<PathBuf>, schemas: Vec<PathBuf>) -> ValidateRequest {
    ValidateRequest {
        paths,
        schemas,
        no_cache: true,
        jobs: 2,
        ..Default::default()
    }
}

#[test]
fn bad_files_each_get_an_error_and_the_rest_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("md");
    std::fs::create_dir(&md).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(md.join(name), bytes).unwrap();
    write("a_good.xml", VALID_MD.as_bytes());
    write("empty.xml", b"");
    write("binary.xml", &[0x89, b'P', b'N', b'G', 0, 0, 1, 2, 0xff]);
    write("utf16.xml", b"\xFF\xFE<\0m\0d\0s\0");
    write(
        "latin1.xml",
        VALID_MD
            .replace("utf-8", "ISO-8859-1")
            .replace("Fine", "Caf\u{e9}")
            .as_bytes(),
    );
    let mut latin = std::fs::read(md.join("latin1.xml")).unwrap();
    let at = latin.windows(2).position(|w| w == "é".as_bytes()).unwrap();
    latin.splice(at..at + 2, [0xE9]);
    write("latin1.xml", &latin);
    write("malformed.xml", b"<mdscript name=\"X\"><cues></mdscript>");
    write("z_good.xml", VALID_MD.as_bytes());
    // Deep nesting: refused with a limit error, not a stack overflow.
    write(
        "deep.xml",
        format!(
            "<mdscript>{}{}</mdscript>",
            "<a>".repeat(5000),
            "</a>".repeat(5000)
        )
        .as_bytes(),
    );

    let outcome = execute(&args(vec![dir.path().to_path_buf()], vec![schemas("6.x")])).unwrap();
    let by_name = |n: &str| {
        outcome
            .reports
            .iter()
            .find(|r| r.path.ends_with(n))
            .unwrap()
    };
    assert!(by_name("a_good.xml").is_valid());
    assert!(by_name("z_good.xml").is_valid());
    for (name, code) in [
        ("empty.xml", codes::EMPTY),
        ("binary.xml", codes::ENCODING),
        ("utf16.xml", codes::ENCODING),
        ("latin1.xml", codes::ENCODING),
        ("malformed.xml", codes::NOT_WELL_FORMED),
        ("deep.xml", codes::TOO_LARGE),
    ] {
        let r = by_name(name);
        assert!(!r.is_valid(), "{name}");
        assert_eq!(r.diagnostics[0].code, code, "{name}: {:?}", r.diagnostics);
    }
    assert_eq!(by_name("latin1.xml").diagnostics[0].line, 2);
    assert_eq!(outcome.verdict, Verdict::Invalid);
}

#[test]
fn a_large_file_validates() {
    // ~8 MB of cues: big enough to take the multi-thread path for md.
    let cue = "    <cue name=\"C{}\">\n      <actions>\n        <set_value name=\"$x\" exact=\"1\"/>\n      </actions>\n    </cue>\n";
    let body: String = (0..80_000)
        .map(|i| cue.replace("{}", &i.to_string()))
        .collect();
    let xml = VALID_MD.replace(
        "    <cue name=\"Start\">",
        &format!("{body}    <cue name=\"Start\">"),
    );
    let validator = Validator::load(&SchemaSource::from_dirs([schemas("6.x")])).unwrap();
    let found = validator.validate_bytes("big.xml", xml.as_bytes(), FileKind::Md);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn exit_codes() {
    let good = fixtures().join("crafted/md/valid.xml");
    let bad = fixtures().join("crafted/md/bad_enum.xml");
    assert_eq!(
        execute(&args(vec![good.clone()], vec![schemas("6.x")]))
            .unwrap()
            .verdict,
        Verdict::Valid
    );
    assert_eq!(
        execute(&args(vec![good.clone(), bad], vec![schemas("6.x")]))
            .unwrap()
            .verdict,
        Verdict::Invalid
    );
    // A path that does not exist is an I/O error; the good file is still checked.
    let o = execute(&args(
        vec![good.clone(), PathBuf::from("/no/such/file.xml")],
        vec![schemas("6.x")],
    ))
    .unwrap();
    assert_eq!(o.verdict, Verdict::Failed);
    assert!(o.reports[0].is_valid());
    // A schema folder that does not exist is a usage error.
    let mut out = Vec::new();
    let mut err = Vec::new();
    // A usage error: returned for the binary to print (and exit 2), nothing written.
    let message = run_with_writer(
        &args(vec![good], vec![PathBuf::from("/no/schemas")]),
        Format::Human,
        &mut out,
        &mut err,
    )
    .unwrap_err();
    assert!(message.contains("does not exist"), "{message}");
    assert!(out.is_empty() && err.is_empty());
}

#[test]
fn without_game_schemas_checks_well_formedness_and_content_xml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("md")).unwrap();
    std::fs::write(
        dir.path().join("md/x.xml"),
        "<mdscript name=\"x\"><anything/></mdscript>",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("content.xml"),
        // The game reads versions as integers (`version="1"` is fine, #13); 1.5 is not one.
        r#"<content id="ext" name="Ext" version="1.5"><text language="44"/></content>"#,
    )
    .unwrap();
    let validator = Validator::load(&SchemaSource::none()).unwrap();
    let (kind, found) = validator.validate_file(&dir.path().join("md/x.xml"));
    assert_eq!(kind, FileKind::Md);
    assert!(found.iter().all(|d| !d.is_error()), "{found:?}");
    assert!(found
        .iter()
        .any(|d| d.code == codes::WELL_FORMED_ONLY && d.message.contains("--schemas")));
    let (kind, found) = validator.validate_file(&dir.path().join("content.xml"));
    assert_eq!(kind, FileKind::Content);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].code, "cvc-pattern-valid",
        "version is an integer: {found:?}"
    );
    assert_eq!(found[0].element_path.as_deref(), Some("/content/@version"));

    // The CLI says once how to get the schemas.
    let o = execute(&ValidateRequest {
        paths: vec![dir.path().to_path_buf()],
        no_cache: true,
        ..Default::default()
    });
    let o = o.unwrap();
    assert!(o.extra.iter().any(|d| d.message.contains("X4PIPE_SCHEMAS")));
}

#[test]
fn content_xml_valid_example() {
    let xml = br#"<?xml version="1.0" encoding="utf-8"?>
<content id="x4pipe_named_pipes" name="Named Pipes" description="d" author="a" version="100" date="2026-11-25" save="false">
  <text language="49" description="Beschreibung"/>
  <dependency version="600"/>
  <dependency id="ws_2042901274" version="100" optional="false" name="SirNukes Mod Support APIs"/>
</content>"#;
    let validator = Validator::load(&SchemaSource::none()).unwrap();
    let found = validator.validate_bytes("content.xml", xml, FileKind::Content);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn ui_xml_against_addon_xsd() {
    let xml = br#"<?xml version="1.0" encoding="utf-8"?>
<addon name="x4pipe" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="../../../ui/core/addon.xsd">
  <environment type="menus">
    <file name="ui/x4pipe.lua"/>
  </environment>
</addon>"#;
    let validator =
        Validator::load(&SchemaSource::from_dirs([schemas("6.x"), schemas("7.x")])).unwrap();
    assert!(validator.has_schema(FileKind::Md) && validator.has_schema(FileKind::Ui));
    let found = validator.validate_bytes("ui.xml", xml, FileKind::Ui);
    assert!(found.is_empty(), "{found:?}");
    let bad = String::from_utf8_lossy(xml).replace("menus", "nowhere");
    let found = validator.validate_bytes("ui.xml", bad.as_bytes(), FileKind::Ui);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line, 3);
}
