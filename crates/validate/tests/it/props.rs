//! Property tests of the validator's pre-checks and root detection (#15): any bytes
//! are validated without a panic, and the kind of a document (so its schema) is
//! always its first element: a DOCTYPE, comments or processing instructions cannot
//! make `FileKind::detect` see another root than an XML parser does.
//!
//! Fixed seed and 256 cases by default (CI); `PROPTEST_CASES=20000` (and
//! `PROPTEST_RNG_SEED=N`) for a longer local run.

use std::path::Path;

#[path = "../../../../tests/shared/proptest_config.rs"]
mod proptest_config;

use proptest::prelude::*;
use x4pipe_validate::{FileKind, SchemaSource, Validator};

/// Pieces XML files (and attacks on sniffers) are made of.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => prop::sample::select(vec![
            "\u{feff}", "<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<?pi x?>", "<!-- c -->",
            "<!-- <content> -->", "<!DOCTYPE mdscript>", "<!DOCTYPE x [ <!ENTITY e \">\"> ]>",
            "<!DOCTYPE x [<!-- > -->]>", "<![CDATA[<addon/>]]>", "<mdscript name=\"A\">",
            "</mdscript>", "<content id=\"x\"/>", "<addon/>", "<aiscript>", "<x:mdscript>",
            "<diff>", "&e;", "&amp;", " ", "\n", "\r\n", "\t", ">", "<", "\"", "'", "]]>", "?>",
            "-->", "\u{0}", "\u{1b}", "\u{fffe}",
        ]).prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..8),
        1 => "[a-z<>/=\" !\\[\\]-]{0,12}".prop_map(String::into_bytes),
    ]
}

fn document() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(piece(), 0..12).prop_map(|p| p.concat())
}

/// Documents that are often well-formed: a prolog of declarations, comments, PIs
/// and DOCTYPEs (some with internal subsets that fool a naive sniff), then a root.
fn prolog_and_root() -> impl Strategy<Value = Vec<u8>> {
    let prolog = prop::sample::select(vec![
        "<?xml version=\"1.0\"?>",
        "<?pi <content/> ?>",
        "<!-- <addon/> -->",
        "\n",
        " ",
        "<!DOCTYPE mdscript>",
        "<!DOCTYPE x [ <!ENTITY e \">\"> ]>",
        "<!DOCTYPE x [<!-- > --><!ENTITY e \"<content/>\">]>",
        "<!DOCTYPE x SYSTEM \"x.dtd\">",
    ]);
    let root = prop::sample::select(vec![
        "mdscript", "aiscript", "addon", "content", "diff", "x:addon",
    ]);
    let body = prop::sample::select(vec!["", "<cues/>", "&e;", "text", "<!-- c -->"]);
    (
        any::<bool>(),
        prop::collection::vec(prolog, 0..5),
        root,
        body,
    )
        .prop_map(|(bom, prolog, root, body)| {
            let ns = if root.contains(':') {
                " xmlns:x=\"urn:x\""
            } else {
                ""
            };
            format!(
                "{}{}<{root}{ns}>{body}</{root}>",
                if bom { "\u{feff}" } else { "" },
                prolog.concat()
            )
            .into_bytes()
        })
}

thread_local! {
    // One validator per test thread: no game schemas, the embedded content schema.
    static VALIDATOR: Validator = Validator::load(&SchemaSource::none()).unwrap();
}

fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let kind = FileKind::detect(Path::new("x.xml"), bytes);
    let found = VALIDATOR.with(|v| v.validate_bytes("x.xml", bytes, kind));
    // A parser that processes no DTD decides what the document is.
    let text = std::str::from_utf8(bytes).ok();
    let parsed = text.and_then(|t| roxmltree::Document::parse(t).ok());
    if let Some(doc) = &parsed {
        let expected = match doc.root_element().tag_name().name() {
            "mdscript" => FileKind::Md,
            "aiscript" => FileKind::AiScript,
            "addon" => FileKind::Ui,
            "content" => FileKind::Content,
            _ => FileKind::Other,
        };
        prop_assert_eq!(kind, expected, "root sniffed wrong");
    }
    // A document that is XML only with a DTD processed (a DOCTYPE, entities it
    // declares) is never accepted: x4pipe processes no DTD.
    let with_dtd = text.and_then(|t| {
        let opts = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        roxmltree::Document::parse_with_options(t, opts).ok()
    });
    if parsed.is_none() && with_dtd.is_some() {
        prop_assert!(
            found.iter().any(|d| d.is_error()),
            "a document with a DTD passed: {found:?}"
        );
    }
    // Every finding names the file; errors carry a code.
    for d in &found {
        prop_assert_eq!(d.file.as_str(), "x.xml");
        prop_assert!(!d.code.is_empty());
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config::config(256, 0x0dd_f11e))]

    #[test]
    fn any_document_is_validated_without_panic_and_by_its_first_element(doc in document()) {
        check(&doc)?;
    }

    #[test]
    fn a_prolog_never_hides_the_root(doc in prolog_and_root()) {
        check(&doc)?;
    }

    #[test]
    fn any_bytes_are_validated_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check(&bytes)?;
    }
}
