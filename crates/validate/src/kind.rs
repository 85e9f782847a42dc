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

/// The local name of the root element, found by skipping the prolog (BOM, XML
/// declaration, comments, processing instructions, a DOCTYPE without internal subset
/// brackets in it). A cheap sniff: the full parse reports anything malformed.
pub(crate) fn root_element_name(bytes: &[u8]) -> Option<&str> {
    let mut rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    loop {
        let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        rest = &rest[start..];
        if rest.starts_with(b"<?") {
            rest = &rest[find(rest, b"?>")? + 2..];
        } else if rest.starts_with(b"<!--") {
            rest = &rest[find(rest, b"-->")? + 3..];
        } else if rest.starts_with(b"<!") {
            rest = &rest[find(rest, b">")? + 1..];
        } else if rest.starts_with(b"<") {
            let name = &rest[1..];
            let end = name
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
                .unwrap_or(name.len());
            let qname = std::str::from_utf8(&name[..end]).ok()?;
            return Some(qname.rsplit(':').next().unwrap_or(qname));
        } else {
            return None;
        }
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
}
