//! Escaping values for the exact context a template puts them in.
//!
//! Every `{{ ... }}` of a template ends in one of these, as a minijinja filter
//! (registered in one place, `render::environment`, which also refuses a string printed
//! without one). Each function is total for its context: it either escapes any input
//! so that the output parses back to the same value where the format can read a value
//! back (XML attribute and text, Lua, Python and TOML strings), keeps the output inert
//! where it cannot (comments), or refuses the input (`Err`) where the format has no
//! escape (MD string literals, MD names, shell words). The config checks refuse such
//! values first, naming their key; a refusal here is the backstop for templates
//! written by users (`--templates`).

/// Characters XML 1.0 cannot carry at all, not even as a character reference: C0
/// controls other than tab, line feed and carriage return, and U+FFFE/U+FFFF.
fn xml_forbidden(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

fn refuse_xml_forbidden(s: &str, context: &str) -> Result<(), String> {
    match s.chars().find(|&c| xml_forbidden(c)) {
        Some(c) => Err(format!(
            "{context}: the value contains {c:?}, which XML 1.0 cannot carry"
        )),
        None => Ok(()),
    }
}

/// Text for a double- or single-quoted XML attribute; reads back unchanged.
pub fn xml_attr(s: &str) -> Result<String, String> {
    refuse_xml_forbidden(s, "xml_attr")?;
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
    Ok(out)
}

/// Text content of an XML element; reads back unchanged.
pub fn xml_text(s: &str) -> Result<String, String> {
    refuse_xml_forbidden(s, "xml_text")?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A parser turns a literal CR (and CR LF) into LF.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Text inside an XML comment (`<!-- ... -->`), which has no escapes: `--` may not
/// occur there and the text may not end in `-`, so a space goes between two dashes and
/// around a dash at either end; characters XML cannot carry become U+FFFD. A comment
/// is for people, so this small change of the value is harmless.
pub fn xml_comment(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    if s.starts_with('-') {
        out.push(' ');
    }
    for c in s.chars() {
        if c == '-' && out.ends_with('-') {
            out.push(' ');
        }
        out.push(if xml_forbidden(c) { '\u{FFFD}' } else { c });
    }
    if out.ends_with('-') {
        out.push(' ');
    }
    out
}

/// What an MD string literal may hold without an escape. MD has no documented escape
/// for a quote inside a string literal (and `{`/`$` have meanings in MD text), so
/// instead of guessing only these are written.
fn md_literal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' ' | ':')
}

/// Part of an MD string literal whose quotes are in the template
/// (`text="'{{ names.md_pipes | md_str_part }}: started'"`), inside an XML attribute.
pub fn md_str_part(s: &str) -> Result<String, String> {
    if let Some(bad) = s.chars().find(|&c| !md_literal_char(c)) {
        return Err(format!(
            "md_str: {s:?} contains {bad:?}, which cannot be written safely inside an MD string literal"
        ));
    }
    Ok(s.to_string())
}

/// A whole MD string literal (`'...'`) for use inside an XML attribute.
pub fn md_str(s: &str) -> Result<String, String> {
    Ok(format!("'{}'", md_str_part(s)?))
}

/// A name in an MD expression or a name attribute: a script, cue or `md.Script.Cue`
/// path. Letters, digits, `_` and `.` only (nothing to escape in XML either).
pub fn md_name(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.".contains(c));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "md_name: {s:?} is not an MD name (letters, digits, `_` and `.` only)"
        ))
    }
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

/// Text for a one-line comment: every line break becomes a space, so the value cannot
/// end the comment and start code, and other control characters (which TOML comments
/// and Python source refuse) become U+FFFD.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{b}' | '\u{c}' => ' ',
            '\t' => '\t',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Text after `-- ` in a Lua comment. One line, and never starting with `[`: right
/// after `--`, `[[` or `[=[` would open a long comment that swallows the code after it.
pub fn lua_comment(s: &str) -> String {
    let line = one_line(s);
    if line.starts_with('[') {
        format!(" {line}")
    } else {
        line
    }
}

/// Text after `#` in a Python, TOML or YAML comment: one line.
pub fn hash_comment(s: &str) -> String {
    one_line(s)
}

/// A Python string literal, single-quoted, safe for any input.
pub fn py_str(s: &str) -> String {
    format!("'{}'", py_escaped(s, '\''))
}

/// Text inside a Python `"""` docstring: reads back unchanged (`\` and `"` escaped, so
/// the value can never close the docstring; line breaks kept).
pub fn py_doc(s: &str) -> String {
    py_escaped(s, '"')
}

fn py_escaped(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\n' if quote == '"' => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A TOML string literal, safe for any input.
pub fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// One word of a shell command (in a YAML `run:` line): letters, digits and `_ . + / -`,
/// not starting with `-` (an option), so neither the shell nor YAML sees anything but
/// the word.
pub fn shell_word(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.+/-".contains(c));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "shell_word: {s:?} is not a plain word for a shell command"
        ))
    }
}

/// Prose in a file nobody parses as code (README.md, README.txt): written as it is.
/// The filter exists so that every value in a template says where it goes.
pub fn plain(s: &str) -> String {
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings every escaper must survive.
    const HOSTILE: &[&str] = &[
        "",
        "plain",
        "a\nb\r\nc\rd",
        "quotes ' \" ` and \\ backslash",
        "]] [[ ]=] [==[ -- --[[ ]]",
        "<tag attr='x'>&amp; &#10; </tag> <!-- x --> ]]>",
        "\t tab",
        "\u{2028}\u{2029}\u{85}",
        "é 日本 😀 \u{10FFFF}",
        "-",
        "--",
        "---x---",
        "\u{7f}\u{9b}",
    ];

    #[test]
    fn xml_attr_and_text_read_back_unchanged() {
        for s in HOSTILE {
            let doc = format!(
                "<r a=\"{}\" b='{}'>{}</r>",
                xml_attr(s).unwrap(),
                xml_attr(s).unwrap(),
                xml_text(s).unwrap()
            );
            let parsed = roxmltree::Document::parse(&doc).unwrap();
            let root = parsed.root_element();
            assert_eq!(root.attribute("a"), Some(*s), "{doc}");
            assert_eq!(root.attribute("b"), Some(*s), "{doc}");
            assert_eq!(root.text().unwrap_or(""), *s, "{doc}");
        }
        assert_eq!(
            xml_attr(r#"a<b>&"c'"#).unwrap(),
            "a&lt;b&gt;&amp;&quot;c&apos;"
        );
    }

    #[test]
    fn xml_refuses_what_it_cannot_carry() {
        for s in ["a\u{0}b", "\u{1b}[2J", "\u{b}\u{c}", "\u{FFFE}", "\u{FFFF}"] {
            assert!(xml_attr(s).is_err(), "{s:?}");
            assert!(xml_text(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn xml_comments_stay_comments() {
        for s in HOSTILE.iter().chain(&["a\u{1}b", "x-", "-x"]) {
            let text = xml_comment(s);
            assert!(!text.contains("--") && !text.ends_with('-'), "{text:?}");
            let doc = format!("<r><!-- {text} -->x</r>");
            let parsed = roxmltree::Document::parse(&doc).unwrap();
            let last = parsed.root_element().last_child().and_then(|n| n.text());
            assert_eq!(last, Some("x"), "{doc}");
            // A dash right before or after a (non-empty) value cannot make `--` either.
            if !text.is_empty() {
                let doc = format!("<r><!--a-{text}-b-->x</r>");
                assert!(roxmltree::Document::parse(&doc).is_ok(), "{doc}");
            }
        }
        assert_eq!(xml_comment("pipe a--b"), "pipe a- -b");
    }

    #[test]
    fn lua_strings_read_back_and_comments_stay_comments() {
        let lua = mlua::Lua::new();
        for s in HOSTILE.iter().chain(&["\u{0}\u{1}2", "\u{1b}[2J"]) {
            let code = format!("-- {}\nreturn {}", lua_comment(s), lua_str(s));
            let back: mlua::String = lua.load(&code).eval().unwrap();
            assert_eq!(back.as_bytes().as_ref(), s.as_bytes(), "{code}");
            // Right after `--` too: never a long comment.
            let code = format!("--{}\nreturn 1", lua_comment(s));
            let one: i64 = lua.load(&code).eval().unwrap();
            assert_eq!(one, 1, "{code}");
        }
        assert_eq!(lua_str("é"), r#""\195\169""#);
        assert_eq!(lua_str("\u{1}2"), r#""\0012""#);
    }

    #[test]
    fn md_literals_refuse_what_md_cannot_escape() {
        assert_eq!(md_str("Named_Pipes").unwrap(), "'Named_Pipes'");
        assert_eq!(md_str_part("my mod: a/b.py").unwrap(), "my mod: a/b.py");
        for bad in ["a'b", "a\\b", "{x}", "$x", "a\nb", "<"] {
            assert!(md_str(bad).is_err(), "{bad:?}");
        }
        assert_eq!(md_name("md.Named_Pipes").unwrap(), "md.Named_Pipes");
        for bad in ["", "a b", "a'b", "a-b", "a\"b"] {
            assert!(md_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn comments_and_words() {
        assert_eq!(hash_comment("a\nb\r\nc\u{2028}d"), "a b  c d");
        assert_eq!(hash_comment("x\u{0}y\tz"), "x\u{FFFD}y\tz");
        assert_eq!(lua_comment("[[ long"), " [[ long");
        assert_eq!(shell_word("0.1.0").unwrap(), "0.1.0");
        for bad in ["", "-rf", "a b", "a;b", "$(x)", "a#b"] {
            assert!(shell_word(bad).is_err(), "{bad:?}");
        }
        assert_eq!(py_str("a'b\\c"), r"'a\'b\\c'");
        assert_eq!(py_doc("\"\"\" \\"), r#"\"\"\" \\"#);
        let back: toml::Table = toml::from_str(&format!("k = {}", toml_str("a\"\n\u{0}"))).unwrap();
        assert_eq!(back["k"].as_str(), Some("a\"\n\u{0}"));
    }
}
