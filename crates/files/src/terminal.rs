//! Text from files, made safe to print on a terminal.
//!
//! A file name or an XML line can hold ESC (colour codes, or a sequence that sets
//! the window title or rewrites the screen), CR (overprints what came before), NUL,
//! other C0/C1 controls, or Unicode bidi overrides (which make text read backwards,
//! "Trojan Source"). Printed raw, a hostile catalog or XML file could disguise what
//! x4pipe reports. [`escape`] shows each such character as a visible escape.
//! JSON, SARIF and GitHub output escape by their own rules.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal raw: C0 and C1 controls (tab allowed
/// where the caller says so), DEL, and the Unicode bidi controls.
fn is_unsafe(c: char, allow_tab: bool) -> bool {
    match c {
        '\t' => !allow_tab,
        _ if c.is_control() => true,
        // Arabic letter mark, LRM/RLM, embeddings/overrides (LRE..RLO), isolates
        // (LRI..PDI).
        '\u{061C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

fn escape_with(s: &str, allow_tab: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c, allow_tab)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c, allow_tab) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// `s` with every control character and bidi control shown as `\xNN` or `\u{NNNN}`
/// (including newlines and tabs): for one-line values such as file names.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_with(s, false)
}

/// Like [`escape`] but keeps tabs: for a line of a file shown as source.
pub fn escape_line(s: &str) -> Cow<'_, str> {
    escape_with(s, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_become_visible() {
        assert_eq!(escape("plain/päth.xml"), "plain/päth.xml");
        assert!(matches!(escape("ok"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}[31mb"), "a\\x1b[31mb");
        assert_eq!(escape("x\ry\0z\n"), "x\\x0dy\\x00z\\x0a");
        assert_eq!(escape("\u{9b}2J"), "\\x9b2J");
        assert_eq!(escape("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(escape("\u{7f}"), "\\x7f");
        assert_eq!(escape_line("\t<a/>"), "\t<a/>");
        assert_eq!(escape("\t"), "\\x09");
    }
}
