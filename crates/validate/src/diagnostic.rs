//! One finding about one file, in the form every output format renders.

use serde::{Deserialize, Serialize};

/// How bad a finding is. Only errors make a file invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Information that needs no action (e.g. "only well-formedness was checked").
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// Codes x4pipe uses for findings that are not XSD constraint violations (those carry
/// the spec's own code, e.g. `cvc-complex-type.2.4`, `cvc-enumeration-valid`).
pub mod codes {
    /// The text is not well-formed XML.
    pub const NOT_WELL_FORMED: &str = "xml-not-well-formed";
    /// The document has a DOCTYPE (x4pipe processes no DTD; X4 files have none).
    pub const DOCTYPE: &str = "xml-doctype";
    /// The file is empty or only white space.
    pub const EMPTY: &str = "file-empty";
    /// The file looks binary (NUL bytes) or is not UTF-8 text.
    pub const ENCODING: &str = "file-encoding";
    /// The file is larger than the validator accepts, or nests too deep.
    pub const TOO_LARGE: &str = "file-too-large";
    /// The file could not be read.
    pub const IO: &str = "io-error";
    /// Refused by x4pipe's input rule: a link found inside a folder, or not a
    /// regular file (a named pipe, socket or device).
    pub const REFUSED: &str = "file-refused";
    /// The schema for this kind of file could not be compiled.
    pub const SCHEMA: &str = "schema-error";
    /// Only well-formedness was checked (no schema for this file).
    pub const WELL_FORMED_ONLY: &str = "well-formed-only";
}

/// A finding at a place in a file. Lines and columns are 1-based; columns count
/// characters (not bytes). `line == 0` means the finding is about the whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file as it was named to the validator (for messages and annotations).
    pub file: String,
    pub severity: Severity,
    /// XSD constraint code (`cvc-…`) or one of [`codes`].
    pub code: String,
    /// What is wrong, in one sentence.
    pub message: String,
    pub line: u32,
    pub column: u32,
    /// End of the marked span (same line as `line`; exclusive column).
    pub end_column: u32,
    /// The element path, `/mdscript/cues/cue/@name`, when the finding is about an item.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub element_path: Option<String>,
    /// What the schema allows here, when known: the allowed values of an
    /// enumeration, the elements allowed in this element (shortened), a missing attribute.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expected: Option<String>,
    /// A hint, e.g. the closest allowed name to an unknown one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding about the whole file.
    pub fn file_level(
        file: &str,
        severity: Severity,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.to_string(),
            severity,
            code: code.to_string(),
            message: message.into(),
            line: 0,
            column: 0,
            end_column: 0,
            element_path: None,
            expected: None,
            help: None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or `file` for a whole-file finding.
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}:{}", self.file, self.line, self.column)
        }
    }
}
