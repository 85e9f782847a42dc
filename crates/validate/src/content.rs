//! The warning pass over content.xml: elements and attributes the game does not read.
//!
//! The schema (`schemas/content.xsd`) accepts them, because the game loads such files
//! (published mods carry misspelt elements and extra attributes); a modder still
//! wants to hear about a typo, so each one is a warning naming the line.

use crate::diagnostic::{Diagnostic, Severity};

/// The code of these warnings.
pub const UNKNOWN: &str = "content-unknown";

/// What the game reads: element -> its attributes. The root is `content`.
const KNOWN: &[(&str, &[&str])] = &[
    (
        "content",
        &[
            "id",
            "name",
            "description",
            "author",
            "version",
            "date",
            "save",
            "sync",
            "enabled",
        ],
    ),
    ("text", &["language", "name", "description"]),
    ("dependency", &["id", "version", "optional", "name"]),
];

/// Warnings for unknown elements and attributes of a well-formed content.xml.
pub(crate) fn unknown_parts(path: &str, bytes: &[u8]) -> Vec<Diagnostic> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let root = doc.root_element();
    let warn = |node: roxmltree::Node, at: usize, message: String| {
        let pos = doc.text_pos_at(at);
        let mut d = Diagnostic::file_level(path, Severity::Warning, UNKNOWN, message);
        d.line = pos.row;
        d.column = pos.col;
        d.end_column = pos.col;
        d.element_path = Some(format!("/content/{}", node.tag_name().name()));
        d
    };
    let check_attrs = |node: roxmltree::Node, known: &[&str], out: &mut Vec<Diagnostic>| {
        for a in node.attributes() {
            if !known.contains(&a.name()) {
                out.push(warn(
                    node,
                    a.position(),
                    format!(
                        "the game does not read the attribute `{}` of <{}>; known: {}",
                        a.name(),
                        node.tag_name().name(),
                        known.join(", ")
                    ),
                ));
            }
        }
    };
    check_attrs(root, KNOWN[0].1, &mut out);
    for child in root.children().filter(|n| n.is_element()) {
        let name = child.tag_name().name();
        match KNOWN[1..].iter().find(|(n, _)| *n == name) {
            Some((_, attrs)) => check_attrs(child, attrs, &mut out),
            None => out.push(warn(
                child,
                child.range().start,
                format!(
                    "the game does not read <{name}> in content.xml (known: <text>, <dependency>); it is ignored"
                ),
            )),
        }
    }
    out.sort_by_key(|d| (d.line, d.column));
    out
}
