//! Decides whether a catalog path may become a file below a target folder.
//!
//! The same rules run on every OS, so a catalog that extracts on Linux also
//! extracts on Windows and the other way round. They are checked both when
//! packing (so what we write can be read back) and before extracting (so a
//! hostile catalog cannot write outside the target).

/// Windows device names: `con.xml` opens the console, not a file, on Windows.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Checks a `/`-separated relative catalog path; returns why it is refused.
pub fn check(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty path".into());
    }
    if path.starts_with('/') {
        return Err("absolute path".into());
    }
    // A backslash is a separator on Windows: `..\x` would escape there even
    // though it is one harmless name on Unix. X4 itself writes `/` only.
    if path.contains('\\') {
        return Err("backslash in path (catalog paths use '/')".into());
    }
    // `C:x`, `C:/x` (drive letters) and `name:stream` (NTFS alternate data streams).
    if path.contains(':') {
        return Err("':' in path (drive letter or alternate data stream)".into());
    }
    if let Some(c) = path.chars().find(|c| c.is_control()) {
        return Err(format!("control character {c:?} in path"));
    }
    for component in path.split('/') {
        if component.is_empty() {
            return Err("empty path component ('//' or trailing '/')".into());
        }
        if component == "." || component == ".." {
            return Err(format!("'{component}' component"));
        }
        // Windows drops trailing dots and spaces, so `.. ` or `...` would turn
        // into `..`, and `a.` would collide with `a`.
        if component.ends_with('.') || component.ends_with(' ') {
            return Err(format!(
                "component {component:?} ends with '.' or ' ' (Windows would rename it)"
            ));
        }
        if component.contains(['<', '>', '"', '|', '?', '*']) {
            return Err(format!(
                "component {component:?} has a character Windows forbids"
            ));
        }
        let stem = component
            .split('.')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if RESERVED.contains(&stem.trim_end()) {
            return Err(format!("component {component:?} is a Windows device name"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_ordinary_paths() {
        for p in [
            "content.xml",
            "md/my script.xml",
            "ui/äöü/日本.lua",
            "a/b/c/d.txt",
            ".hidden",
            "a..b",
        ] {
            assert_eq!(check(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn refuses_escapes() {
        for p in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "..\\x",
            "a\\..\\..\\x",
            "C:/Windows/x",
            "c:x",
            "a//b",
            "a/",
            ".. /x",
            ".../x",
            "a\0b",
            "a\nb",
            "con.xml",
            "x/NUL",
            "x/aux.txt",
            "file.txt:stream",
            "a?b",
        ] {
            assert!(check(p).is_err(), "{p:?} should be refused");
        }
    }
}
