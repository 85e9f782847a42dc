//! Cheap checks before parsing, so empty, binary and wrongly encoded files get a
//! message a person understands instead of a parser error at byte 0.

use crate::diagnostic::{codes, Diagnostic, Severity};
use crate::position::LineIndex;

/// Files above this size are refused rather than read into memory and parsed.
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;

pub(crate) fn precheck(path: &str, bytes: &[u8]) -> Option<Diagnostic> {
    let err =
        |code: &str, msg: String| Some(Diagnostic::file_level(path, Severity::Error, code, msg));
    if bytes.len() > MAX_FILE_BYTES {
        return err(
            codes::TOO_LARGE,
            format!(
                "file is {} bytes; x4pipe validates files up to {MAX_FILE_BYTES} bytes",
                bytes.len()
            ),
        );
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        return err(
            codes::EMPTY,
            "file is empty: an XML document needs a root element".into(),
        );
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return err(
            codes::ENCODING,
            "file is UTF-16; X4 and x4pipe read UTF-8: save it as UTF-8".into(),
        );
    }
    if let Some(nul) = bytes.iter().position(|b| *b == 0) {
        return err(
            codes::ENCODING,
            format!("file looks binary (a NUL byte at byte {nul}); expected XML text"),
        );
    }
    // No DTD processing anywhere in x4pipe, and a DOCTYPE's internal subset could
    // hide the root element (and so the schema) from the kind sniff.
    if let crate::kind::Prolog::Doctype(at) = crate::kind::prolog(bytes) {
        let (line, column) = LineIndex::new(bytes).line_col(at);
        let mut d = Diagnostic::file_level(
            path,
            Severity::Error,
            codes::DOCTYPE,
            "a DOCTYPE is not allowed: X4 files have none, and x4pipe processes no DTD",
        );
        d.line = line;
        d.column = column;
        d.end_column = column + 9;
        return Some(d);
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        let (line, column) = LineIndex::new(bytes).line_col(at);
        let declared = declared_encoding(body)
            .filter(|enc| !enc.eq_ignore_ascii_case("utf-8"))
            .map(|enc| format!(" (it declares encoding=\"{enc}\")"))
            .unwrap_or_default();
        let mut d = Diagnostic::file_level(
            path,
            Severity::Error,
            codes::ENCODING,
            format!(
                "file is not valid UTF-8{declared}; X4 and x4pipe read UTF-8: save it as UTF-8"
            ),
        );
        d.line = line;
        d.column = column;
        d.end_column = column + 1;
        return Some(d);
    }
    None
}

/// The `encoding` of the XML declaration, if there is one.
fn declared_encoding(body: &[u8]) -> Option<&str> {
    let decl = body.strip_prefix(b"<?xml")?;
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&decl[..end]).ok()?;
    let rest = &decl[decl.find("encoding")? + "encoding".len()..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next()?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(quote)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_input_with_reasons() {
        assert_eq!(precheck("a", b"").unwrap().code, codes::EMPTY);
        assert_eq!(
            precheck("a", b"\xEF\xBB\xBF \n").unwrap().code,
            codes::EMPTY
        );
        assert_eq!(
            precheck("a", b"\xFF\xFE<\0a\0").unwrap().code,
            codes::ENCODING
        );
        assert_eq!(precheck("a", b"<a>\0</a>").unwrap().code, codes::ENCODING);
        let latin = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<a>caf\xE9</a>";
        let d = precheck("a", latin).unwrap();
        assert!(d.message.contains("ISO-8859-1"), "{}", d.message);
        assert_eq!((d.line, d.column), (2, 7));
        assert!(precheck("a", b"<a/>").is_none());
        let d = precheck("a", b"<?xml version=\"1.0\"?>\n<!DOCTYPE a>\n<a/>").unwrap();
        assert_eq!((d.code.as_str(), d.line, d.column), (codes::DOCTYPE, 2, 1));
    }
}
