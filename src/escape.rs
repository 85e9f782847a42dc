//! Escaping config values for the context they are rendered into.

/// Text for a double- or single-quoted XML attribute.
pub fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Attribute-value normalisation would turn these into spaces.
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Text content of an XML element (or a comment-free text node).
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// An MD string literal (`'...'`) for use inside an XML attribute.
///
/// MD has no documented escape for a quote inside a string literal, so instead of
/// guessing we only accept values that need none; config checks already keep names to
/// such characters, and this is the backstop for templates written by users.
pub fn md_str(s: &str) -> Result<String, String> {
    if let Some(bad) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' ' | ':')))
    {
        return Err(format!(
            "md_str: {s:?} contains {bad:?}, which cannot be written safely inside an MD string literal"
        ));
    }
    Ok(format!("'{s}'"))
}

/// A Lua string literal, double-quoted, safe for any input (bytes that are not printable
/// ASCII become decimal escapes, which Lua 5.1 and LuaJIT both read).
pub fn lua_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for b in s.bytes() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(b as char),
            // Always three digits: `\1` followed by a digit `2` would read as `\12`.
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out.push('"');
    out
}

/// Text for a one-line comment (Lua `--`, Python `#`): every line break becomes a
/// space, so the value cannot end the comment and start code. Config checks already
/// keep titles to one line; this is the backstop for templates and future keys.
pub fn comment_line(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{b}' | '\u{c}' => ' ',
            c => c,
        })
        .collect()
}

/// A Python string literal, single-quoted, safe for any input.
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_line_keeps_one_line() {
        assert_eq!(comment_line("a\nb\r\nc\u{2028}d"), "a b  c d");
        assert_eq!(comment_line("plain -- text"), "plain -- text");
    }

    #[test]
    fn xml_attr_escapes_markup_and_quotes() {
        assert_eq!(xml_attr(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml_attr("x\ny"), "x&#10;y");
    }

    #[test]
    fn md_str_refuses_quotes() {
        assert_eq!(md_str("Named_Pipes").unwrap(), "'Named_Pipes'");
        assert!(md_str("a'b").is_err());
        assert!(md_str("a\\b").is_err());
    }

    #[test]
    fn py_str_escapes_quotes_and_backslashes() {
        assert_eq!(py_str("a'b\\c"), r"'a\'b\\c'");
    }

    #[test]
    fn lua_str_round_trips_awkward_bytes() {
        assert_eq!(lua_str("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(lua_str("é"), r#""\195\169""#);
        assert_eq!(lua_str("\u{1}2"), r#""\0012""#);
        assert_eq!(lua_str("]]"), r#""]]""#);
    }
}
