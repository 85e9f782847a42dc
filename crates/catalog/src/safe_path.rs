//! x4pipe's one rule for relative paths inside an extension or catalog: whether a
//! path may become a file below a target folder ([`check`]), and whether a set of
//! paths can live side by side on a case-insensitive file system ([`case_clash`]).
//!
//! The same rules run on every OS, so what x4pipe builds, packs or extracts on Linux
//! also works on Windows and the other way round. They are checked when building
//! (rendered files, config paths), packing (so what we write can be read back) and
//! before extracting (so a hostile catalog cannot write outside the target).

/// Windows device names: `con.xml` opens the console, not a file, on Windows, whatever
/// the extension and case (Microsoft's file naming rules list these, including the
/// superscript digits and `0`).
const RESERVED: &[&str] = &[
    "con",
    "prn",
    "aux",
    "nul",
    "conin$",
    "conout$",
    "com0",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "com\u{b9}",
    "com\u{b2}",
    "com\u{b3}",
    "lpt0",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
    "lpt\u{b9}",
    "lpt\u{b2}",
    "lpt\u{b3}",
];

/// Is `name` (one path component) a Windows device name, e.g. `aux`, `NUL.xml`?
pub fn is_reserved_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("").to_lowercase();
    RESERVED.contains(&stem.trim_end())
}

/// The case-folded form Windows compares names in (NTFS upper-cases with a table;
/// Unicode lower case agrees with it for the letters mod files use).
pub fn fold_case(path: &str) -> String {
    path.to_lowercase()
}

/// The first two of `paths` that would be one file, or a file and a folder, on a
/// case-insensitive file system (Windows, the default macOS one): `md/A.xml` and
/// `md/a.xml`, or `md` and `MD/x.xml`. Exact duplicates are not a clash.
pub fn case_clash<'a, I>(paths: I) -> Option<(&'a str, &'a str)>
where
    I: IntoIterator<Item = &'a str>,
{
    use std::collections::HashMap;
    let mut files: HashMap<String, &'a str> = HashMap::new();
    let mut folders: HashMap<String, &'a str> = HashMap::new();
    for p in paths {
        let folded = fold_case(p);
        if let Some(other) = files.get(&folded) {
            if *other != p {
                return Some((other, p));
            }
            continue;
        }
        if let Some(other) = folders.get(&folded) {
            return Some((other, p));
        }
        // Every folder on the way must not be a file of another path.
        let mut end = 0;
        for part in folded.split('/') {
            end += part.len();
            if end >= folded.len() {
                break;
            }
            if let Some(other) = files.get(&folded[..end]) {
                return Some((other, p));
            }
            folders.entry(folded[..end].to_string()).or_insert(p);
            end += 1; // the '/'
        }
        files.insert(folded, p);
    }
    None
}

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
        if is_reserved_name(component) {
            return Err(format!("component {component:?} is a Windows device name"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{case_clash, check};

    #[test]
    fn finds_paths_that_are_one_file_on_windows() {
        assert_eq!(
            case_clash(["md/A.xml", "md/b.xml", "md/a.xml"]),
            Some(("md/A.xml", "md/a.xml"))
        );
        assert_eq!(case_clash(["md", "MD/x.xml"]), Some(("md", "MD/x.xml")));
        assert_eq!(case_clash(["MD/x.xml", "md"]), Some(("MD/x.xml", "md")));
        assert_eq!(case_clash(["Ä.txt", "ä.txt"]), Some(("Ä.txt", "ä.txt")));
        assert_eq!(case_clash(["md/a.xml", "md/a.xml", "MD/b.xml"]), None);
        assert_eq!(case_clash(["md/a.xml", "mda/b.xml", "md.xml"]), None);
    }

    #[test]
    fn refuses_every_windows_device_name() {
        for p in [
            "md/aux.xml",
            "AUX",
            "Con.tar.gz",
            "nul .txt",
            "x/com0.lua",
            "x/COM\u{b9}.xml",
            "lpt\u{b3}",
            "conin$",
            "CONOUT$.txt",
        ] {
            let err = check(p).expect_err(p);
            assert!(err.contains("Windows device name"), "{p}: {err}");
        }
        for p in ["auxiliary.xml", "md/console.xml", "com10.txt", "nullable/x"] {
            assert_eq!(check(p), Ok(()), "{p}");
        }
    }

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
