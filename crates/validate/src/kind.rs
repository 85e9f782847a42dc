//! What a file is, and so which schema it is checked against.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The kinds of X4 files x4pipe knows a schema for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Mission Director script, root `<mdscript>`: `md.xsd` (+ `common.xsd`).
    Md,
    /// AI script, root `<aiscript>`: `aiscripts.xsd` (+ `common.xsd`).
    AiScript,
    /// UI addon declaration `ui.xml`, root `<addon>`: `addon.xsd`.
    Ui,
    /// Extension manifest `content.xml`, root `<content>`: the schema x4pipe ships.
    Content,
    /// Any other XML: only well-formedness is checked.
    Other,
}

impl FileKind {
    /// Kinds that have a schema, in a stable order.
    pub const SCHEMA_KINDS: [FileKind; 4] = [
        FileKind::Md,
        FileKind::AiScript,
        FileKind::Ui,
        FileKind::Content,
    ];

    /// Short lowercase name, as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Md => "md",
            FileKind::AiScript => "aiscript",
            FileKind::Ui => "ui",
            FileKind::Content => "content",
            FileKind::Other => "other",
        }
    }

    /// The schema file name the game uses for this kind.
    pub fn schema_file_name(self) -> Option<&'static str> {
        match self {
            FileKind::Md => Some("md.xsd"),
            FileKind::AiScript => Some("aiscripts.xsd"),
            FileKind::Ui => Some("addon.xsd"),
            FileKind::Content => Some("content.xsd"),
            FileKind::Other => None,
        }
    }

    /// The root element a document of this kind has.
    pub fn root_element(self) -> Option<&'static str> {
        match self {
            FileKind::Md => Some("mdscript"),
            FileKind::AiScript => Some("aiscript"),
            FileKind::Ui => Some("addon"),
            FileKind::Content => Some("content"),
            FileKind::Other => None,
        }
    }

    /// Decide the kind from the root element, which is what the game goes by; the
    /// path only breaks ties for a file whose root cannot be read (it is reported as
    /// not well-formed anyway, and the kind decides which schema is named).
    pub fn detect(path: &Path, bytes: &[u8]) -> FileKind {
        match root_element_name(bytes) {
            Some("mdscript") => FileKind::Md,
            Some("aiscript") => FileKind::AiScript,
            Some("addon") => FileKind::Ui,
            Some("content") => FileKind::Content,
            Some(_) => FileKind::Other,
            None => FileKind::from_path(path),
        }
    }

    /// The kind a path suggests: `content.xml`, `ui.xml`, `md/*.xml`, `aiscripts/*.xml`.
    pub fn from_path(path: &Path) -> FileKind {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let parent = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("");
        if name.eq_ignore_ascii_case("content.xml") {
            FileKind::Content
        } else if name.eq_ignore_ascii_case("ui.xml") {
            FileKind::Ui
        } else if parent.eq_ignore_ascii_case("md") {
            FileKind::Md
        } else if parent.eq_ignore_ascii_case("aiscripts") {
            FileKind::AiScript
        } else {
            FileKind::Other
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the prolog of a document leads to: skipping only what cannot hide an
/// element (BOM, white space, the XML declaration, processing instructions,
/// comments), the first markup is the root element, a DOCTYPE, or something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prolog<'a> {
    /// The root element's local name.
    Root(&'a str),
    /// A `<!DOCTYPE` at this byte offset: x4pipe processes no DTD, and its internal
    /// subset could hide the root from a sniff, so such a file is refused (the
    /// pre-checks report it).
    Doctype(usize),
    /// No element found (empty, text, unterminated markup).
    None,
}

/// The first thing after the prolog; see [`Prolog`].
pub(crate) fn prolog(bytes: &[u8]) -> Prolog<'_> {
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut rest = &bytes[start..];
    loop {
        let Some(ws) = rest.iter().position(|b| !b.is_ascii_whitespace()) else {
            return Prolog::None;
        };
        rest = &rest[ws..];
        let at = bytes.len() - rest.len();
        let skip = if rest.starts_with(b"<?") {
            find(rest, b"?>").map(|i| i + 2)
        } else if rest.starts_with(b"<!--") {
            find(&rest[4..], b"-->").map(|i| i + 7)
        } else if rest.starts_with(b"<!") {
            return if rest[2..].starts_with(b"DOCTYPE") {
                Prolog::Doctype(at)
            } else {
                Prolog::None
            };
        } else if let Some(name) = rest.strip_prefix(b"<") {
            let end = name
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
                .unwrap_or(name.len());
            return match std::str::from_utf8(&name[..end]) {
                Ok(qname) if !qname.is_empty() => {
                    Prolog::Root(qname.rsplit(':').next().unwrap_or(qname))
                }
                _ => Prolog::None,
            };
        } else {
            return Prolog::None;
        };
        match skip {
            Some(n) => rest = &rest[n..],
            None => return Prolog::None,
        }
    }
}

/// The local name of the root element ([`prolog`]); `None` when the prolog holds a
/// DOCTYPE or no element.
pub(crate) fn root_element_name(bytes: &[u8]) -> Option<&str> {
    match prolog(bytes) {
        Prolog::Root(name) => Some(name),
        _ => None,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_root_after_prolog() {
        let xml = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c -->\n<mdscript name=\"A\"/>";
        assert_eq!(root_element_name(xml), Some("mdscript"));
        assert_eq!(FileKind::detect(Path::new("x.xml"), xml), FileKind::Md);
        assert_eq!(
            FileKind::detect(Path::new("a/ui.xml"), b"<addon/>"),
            FileKind::Ui
        );
        assert_eq!(
            FileKind::detect(Path::new("md/a.xml"), b"<diff/>"),
            FileKind::Other
        );
        assert_eq!(FileKind::detect(Path::new("md/a.xml"), b""), FileKind::Md);
    }

    #[test]
    fn a_doctype_is_reported_not_skipped() {
        let xml = b"<?xml version=\"1.0\"?>\n<!DOCTYPE x [ <!ENTITY e \">\"> ]>\n<mdscript/>";
        assert_eq!(prolog(xml), Prolog::Doctype(22));
        assert_eq!(root_element_name(xml), None);
        assert_eq!(prolog(b"<!-- <content> --><addon/>"), Prolog::Root("addon"));
        assert_eq!(prolog(b"<!-- unterminated <mdscript/>"), Prolog::None);
        assert_eq!(prolog(b"<![CDATA[x]]><a/>"), Prolog::None);
        assert_eq!(prolog(b"<x:content/>"), Prolog::Root("content"));
    }
}
