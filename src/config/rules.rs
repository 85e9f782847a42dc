//! The checks on every config value: what the game, the file systems it runs on and
//! the generated MD, Lua and XML accept. Each failure names its key.

use x4pipe_catalog::safe_path;

use super::model::Config;
use super::names::{NameKind, NAMES};
use super::ConfigError;

impl Config {
    /// Check every value against what the game accepts.
    pub fn check(&self) -> Result<(), ConfigError> {
        let e = &self.extension;
        check_ext_id("extension.id", &e.id)?;
        check_ext_id("extension.folder", self.folder())?;
        check_text("extension.name", &e.name, Text::OneLine)?;
        check_text("extension.description", &e.description, Text::Lines)?;
        check_text("extension.author", &e.author, Text::OneLineOrEmpty)?;
        if e.version.0 < 100 {
            return Err(key_err(
                "extension.version",
                format!(
                    "{} is too small: X4 versions have at least three digits, the last two being the minor (100 = 1.00)",
                    e.version.0
                ),
            ));
        }
        check_date("extension.date", &e.date)?;
        if e.game_version < 100 {
            return Err(key_err(
                "extension.game_version",
                format!(
                    "{} is not a game version: use X4's integer form, e.g. 600 for 6.00",
                    e.game_version
                ),
            ));
        }

        self.check_names()?;

        let s = &self.settings;
        if s.ping_interval == 0 {
            return Err(key_err(
                "settings.ping_interval",
                "must be at least 1 second",
            ));
        }
        if s.backoff_max < s.ping_interval {
            return Err(key_err(
                "settings.backoff_max",
                format!(
                    "{} is below settings.ping_interval ({}): the back-off can only grow from the ping interval",
                    s.backoff_max, s.ping_interval
                ),
            ));
        }
        if s.write_timeout_ms == 0 {
            return Err(key_err(
                "settings.write_timeout_ms",
                "must be at least 1 millisecond",
            ));
        }
        if let Some(p) = &self.project {
            check_ext_id("project.api_id", &p.api_id)?;
            // A mod with the API's id would be installed over the API (the folder names
            // are the same on Windows whatever the case).
            if e.id.eq_ignore_ascii_case(&p.api_id) {
                return Err(key_err(
                    "extension.id",
                    format!(
                        "{} is the id of the Named Pipes API extension (project.api_id): a mod needs its own id",
                        shown(&e.id)
                    ),
                ));
            }
            for (i, inc) in p.include.iter().enumerate() {
                check_rel_path(&format!("project.include[{i}]"), inc)?;
            }
        }
        Ok(())
    }

    /// [`Config::check`] of a config whose `derived` names (from
    /// [`Config::derive_embedded_names`]) the user did not write: a derived name that
    /// fails is the id's fault, so the error names `extension.id` and says which name.
    pub fn check_derived(&self, derived: &[String]) -> Result<(), ConfigError> {
        self.check().map_err(|mut e| {
            if let Some(name) = e.key.take_if(|k| derived.contains(k)) {
                e.message = format!(
                    "{name} of the embedded API is derived from it and fails: {}; choose a shorter id or set {name}",
                    e.message
                );
                e.key = Some("extension.id".into());
            }
            e
        })
    }

    /// Every row of [`NAMES`] by the rule of its kind, then the names of one namespace
    /// against each other.
    fn check_names(&self) -> Result<(), ConfigError> {
        for (i, row) in NAMES.iter().enumerate() {
            let key = row.path();
            let value = self.name(row);
            check_name(&key, row.kind, value)?;
            let Some(fold_case) = row.kind.unique() else {
                continue;
            };
            let same = |other: &str| {
                if fold_case {
                    safe_path::fold_case(other) == safe_path::fold_case(value)
                } else {
                    other == value
                }
            };
            if let Some(other) = NAMES[..i]
                .iter()
                .find(|o| o.kind == row.kind && same(self.name(o)))
            {
                return Err(key_err(
                    &key,
                    format!(
                        "{} is also {}: each {} needs its own name",
                        shown(value),
                        other.path(),
                        row.kind.what()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The rule of one kind of name.
fn check_name(key: &str, kind: NameKind, v: &str) -> Result<(), ConfigError> {
    match kind {
        NameKind::MdScript => check_md_script(key, v),
        NameKind::UiScreen | NameKind::LuaEvent | NameKind::Signal => check_ident(key, v),
        NameKind::Addon => check_addon(key, v),
        NameKind::Pipe => check_pipe_name(key, v),
        NameKind::LuaFile => {
            check_rel_path(key, v)?;
            if !v.ends_with(".lua") || !v.contains('/') {
                return Err(key_err(
                    key,
                    format!(
                        "{}: the game loads UI Lua only from a subfolder of the extension and only `.lua` files (e.g. ui/x4pipe/named_pipes.lua)",
                        shown(v)
                    ),
                ));
            }
            Ok(())
        }
        NameKind::Folder => check_rel_path(key, v),
    }
}

pub(super) fn key_err(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        file: None,
        line: None,
        key: Some(key.to_string()),
        message: message.into(),
    }
}

/// A non-empty name whose characters all satisfy `allowed`; `rule` completes the
/// sentence "use only ..." in the error.
fn check_chars(
    key: &str,
    v: &str,
    allowed: fn(char) -> bool,
    rule: &str,
) -> Result<(), ConfigError> {
    if v.is_empty() {
        return Err(key_err(key, "must not be empty"));
    }
    match v.chars().find(|&c| !allowed(c)) {
        Some(bad) => Err(key_err(
            key,
            format!("{} contains {bad:?}: use only {rule}", shown(v)),
        )),
        None => Ok(()),
    }
}

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Extension ids and folders: ASCII letters, digits and underscores, and not the
/// `ego_` prefix that the game reserves for Egosoft's own extensions.
pub fn check_ext_id(key: &str, v: &str) -> Result<(), ConfigError> {
    check_chars(key, v, word_char, "ASCII letters, digits and underscores")?;
    check_file_name_len(key, v, "")?;
    check_not_device(key, v)?;
    check_not_ego(key, v, "which the game reserves for Egosoft's extensions")
}

/// The `ego_` prefix (any case) belongs to Egosoft; `why` completes the message.
fn check_not_ego(key: &str, v: &str, why: &str) -> Result<(), ConfigError> {
    if v.to_ascii_lowercase().starts_with("ego_") {
        return Err(key_err(
            key,
            format!("{} starts with `ego_`, {why}", shown(v)),
        ));
    }
    Ok(())
}

/// Names that become a file or folder name (ids, MD scripts) must not be a Windows
/// device name: `md/aux.xml` cannot exist on Windows.
fn check_not_device(key: &str, v: &str) -> Result<(), ConfigError> {
    if safe_path::is_reserved_name(v) {
        return Err(key_err(
            key,
            format!(
                "{} is a Windows device name (like con, aux, nul, com1): Windows cannot store a file or folder of that name",
                shown(v)
            ),
        ));
    }
    Ok(())
}

/// MD script names: the game's `[A-Z][A-Za-z0-9_]+` rule.
pub fn check_md_script(key: &str, v: &str) -> Result<(), ConfigError> {
    check_not_device(key, v)?;
    let ok =
        v.starts_with(|c: char| c.is_ascii_uppercase()) && v.len() >= 2 && v.chars().all(word_char);
    if ok {
        // The file is md/<name in lower case>.xml.
        check_file_name_len(key, v, ".xml")
    } else {
        Err(key_err(
            key,
            format!(
                "{} is not a valid MD script name: it must match [A-Z][A-Za-z0-9_]+ (an upper-case letter, then letters, digits or underscores)",
                shown(v)
            ),
        ))
    }
}

/// Names that travel as MD string literals and Lua event/control names.
pub fn check_ident(key: &str, v: &str) -> Result<(), ConfigError> {
    check_chars(
        key,
        v,
        word_char,
        "ASCII letters, digits and underscores (the name is used in MD expressions and Lua event names)",
    )
}

fn check_addon(key: &str, v: &str) -> Result<(), ConfigError> {
    check_ident(key, v)?;
    check_not_ego(key, v, "and the game refuses addon names with that prefix")
}

/// Pipe names end up in `\\.\pipe\<name>` and in a socket path: no separators, no `;`
/// (the MD->Lua parameter separator), and the native library's own rule
/// ([`x4pipe_native::name::validate_name`]: at most `MAX_NAME_LEN` bytes, not `.`/`..`),
/// so a name the config accepts is one the library opens. `--` is fine: the one place
/// it mattered, an XML comment naming the pipe, escapes it.
fn check_pipe_name(key: &str, v: &str) -> Result<(), ConfigError> {
    check_chars(
        key,
        v,
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'),
        "ASCII letters, digits, `_`, `-` and `.` in pipe names",
    )?;
    x4pipe_native::name::validate_name(v).map_err(|e| {
        // The library's detail repeats the name (`bad pipe name "...": why`); keep the why.
        let why = e.detail().rsplit_once(": ").map_or(e.detail(), |(_, why)| why);
        key_err(
            key,
            format!(
                "{} is refused by the native pipe library: {why} (a pipe name has at most {} bytes and is not `.` or `..`)",
                shown(v),
                x4pipe_native::name::MAX_NAME_LEN
            ),
        )
    })
}

/// A relative path inside the extension: `/`-separated, no `..`, no absolute paths, and
/// only characters that are safe in XML, Lua and every file system the game runs on.
fn check_rel_path(key: &str, v: &str) -> Result<(), ConfigError> {
    if v.is_empty() {
        return Err(key_err(key, "must not be empty"));
    }
    let drive = v.len() >= 2 && v.as_bytes()[1] == b':' && v.as_bytes()[0].is_ascii_alphabetic();
    if drive || v.starts_with('/') {
        return Err(key_err(
            key,
            format!(
                "{} is an absolute path: it must be relative to the project folder (the folder of x4pipe.toml), e.g. `md` or `md\\sub`",
                shown(v)
            ),
        ));
    }
    let bad_part = v
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..");
    let bad_char = v
        .chars()
        .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')));
    if bad_part || bad_char {
        return Err(key_err(
            key,
            format!(
                "{} is not a plain relative path inside the extension: use `/` between folders, no `..`, and only ASCII letters, digits, `_`, `-`, `.`",
                shown(v)
            ),
        ));
    }
    for part in v.split('/') {
        check_file_name_len(key, part, "")?;
    }
    // The rest of the one shared rule (Windows device names, trailing dots).
    safe_path::check(v).map_err(|reason| key_err(key, format!("{}: {reason}", shown(v))))?;
    Ok(())
}

/// What a free-text value may hold. Free text goes into XML attributes (escaped), but
/// control characters are refused: XML 1.0 cannot carry most of them at all.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    /// A title: one line, not empty. It also lands in comments of generated code
    /// (Lua `--`, XML), where a line break would end the comment.
    OneLine,
    OneLineOrEmpty,
    /// Prose: line breaks allowed (it only reaches escaped XML attributes).
    Lines,
}

fn check_text(key: &str, v: &str, kind: Text) -> Result<(), ConfigError> {
    if kind == Text::OneLine && v.trim().is_empty() {
        return Err(key_err(key, "must not be empty"));
    }
    let line_break = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}');
    if kind != Text::Lines {
        if let Some(c) = v.chars().find(|&c| line_break(c)) {
            return Err(key_err(
                key,
                format!("contains a line break ({c:?}): this value must be one line"),
            ));
        }
    }
    // XML 1.0 cannot carry C0 controls other than tab and line feed, nor U+FFFE/U+FFFF.
    if let Some(c) = v.chars().find(|&c| {
        (c.is_control() && !matches!(c, '\n' | '\t')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    }) {
        return Err(key_err(
            key,
            format!("contains the character {c:?}, which XML cannot carry"),
        ));
    }
    Ok(())
}

/// `YYYY-MM-DD`, and a day the calendar has (`2026-02-31` is refused).
fn check_date(key: &str, v: &str) -> Result<(), ConfigError> {
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10);
    if !shape {
        return Err(key_err(
            key,
            format!("{} is not a date of the form YYYY-MM-DD", shown(v)),
        ));
    }
    let part = |r: std::ops::Range<usize>| v[r].parse::<u32>().unwrap_or(0);
    let year = part(0..4) as i32;
    match chrono::NaiveDate::from_ymd_opt(year, part(5..7), part(8..10)) {
        Some(_) => Ok(()),
        None => Err(key_err(
            key,
            format!("{} is not a day of the calendar (YYYY-MM-DD)", shown(v)),
        )),
    }
}

/// The longest file or folder name Linux (`NAME_MAX`) and Windows (NTFS) store: names
/// that become one (extension ids and folders, MD scripts, path components) must fit.
const MAX_FILE_NAME: usize = 255;

fn check_file_name_len(key: &str, v: &str, suffix: &str) -> Result<(), ConfigError> {
    if v.len() + suffix.len() > MAX_FILE_NAME {
        return Err(key_err(
            key,
            format!(
                "{} is {} bytes long: it becomes the file or folder name `…{suffix}`, and file systems store at most {MAX_FILE_NAME} bytes",
                shown(v),
                v.len()
            ),
        ));
    }
    Ok(())
}

/// How error messages show a value: in backticks, cut after [`SHOWN_CHARS`]
/// characters, every control or invisible character that could move the cursor,
/// recolour or reorder the terminal written as `\u{..}` (see [`printable`]).
pub(super) fn shown(v: &str) -> String {
    let count = v.chars().count();
    if count <= SHOWN_CHARS {
        return format!("`{}`", printable(v));
    }
    let head: String = v.chars().take(SHOWN_CHARS).collect();
    format!("`{}…` ({count} characters)", printable(&head))
}

const SHOWN_CHARS: usize = 60;

/// `s` with control characters (C0, DEL, C1), line and paragraph separators, bidi
/// controls, zero-width characters, the BOM and U+FFFE/U+FFFF written as `\u{..}`.
pub(super) fn printable(s: &str) -> String {
    let hidden = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{200B}'..='\u{200F}'
                    | '\u{2028}'..='\u{202E}'
                    | '\u{2060}'..='\u{2069}'
                    | '\u{FEFF}'
                    | '\u{FFFE}'
                    | '\u{FFFF}'
            )
    };
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(c: &Config) -> Option<String> {
        c.check().err().and_then(|e| e.key)
    }

    #[test]
    fn the_defaults_pass() {
        Config::default().check().unwrap();
        let mut c = Config::default();
        c.extension.id = "my_mod".into();
        c.derive_embedded_names(&[]);
        c.check().unwrap();
    }

    #[test]
    fn every_name_is_checked_by_its_kind() {
        for row in NAMES {
            let mut c = Config::default();
            c.names.addon = Some("ok".into());
            *row.get_mut(&mut c.names).unwrap() = "bad name".into();
            assert_eq!(key_of(&c), Some(row.path()), "{}", row.key);
        }
    }

    #[test]
    fn names_of_one_namespace_differ() {
        let mut c = Config::default();
        c.names.ev_tick = c.names.ev_read.clone();
        let e = c.check().unwrap_err();
        assert_eq!(e.key.as_deref(), Some("names.ev_tick"));
        assert!(e.message.contains("also names.ev_read"), "{}", e.message);
        assert!(e.message.contains("Lua event"), "{}", e.message);

        // MD scripts are files too: `Foo` and `FOO` are one file on Windows.
        let mut c = Config::default();
        c.names.md_host = "NAMED_PIPES".into();
        assert_eq!(key_of(&c).as_deref(), Some("names.md_host"));

        // Different namespaces may share a name (the default screen is the MD script's).
        let mut c = Config::default();
        c.names.loaded = c.names.ev_read.clone();
        assert_eq!(key_of(&c), None);
    }

    #[test]
    fn ids_refuse_device_names_and_the_ego_prefix() {
        assert!(check_ext_id("k", "my_mod").is_ok());
        for bad in ["con", "NUL", "ego_x", "Ego_x", "a-b", ""] {
            let e = check_ext_id("k", bad).unwrap_err();
            assert_eq!(e.key.as_deref(), Some("k"), "{bad}");
        }
    }

    #[test]
    fn text_refuses_what_xml_cannot_carry() {
        assert!(check_text("k", "a\tb", Text::OneLine).is_ok());
        assert!(check_text("k", "a\nb", Text::Lines).is_ok());
        assert!(check_text("k", "a\nb", Text::OneLine).is_err());
        assert!(check_text("k", "a\u{1}b", Text::Lines).is_err());
        assert!(check_text("k", "a\u{FFFE}", Text::Lines).is_err());
        assert!(check_text("k", "", Text::OneLineOrEmpty).is_ok());
        assert!(check_text("k", " ", Text::OneLine).is_err());
    }

    #[test]
    fn impossible_dates_are_refused() {
        for good in ["2026-11-25", "2024-02-29", "2000-02-29"] {
            assert!(check_date("k", good).is_ok(), "{good}");
        }
        for bad in [
            "2026-02-31",
            "2023-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "26-01-01",
        ] {
            assert_eq!(
                check_date("k", bad).unwrap_err().key.as_deref(),
                Some("k"),
                "{bad}"
            );
        }
    }

    #[test]
    fn pipe_names_follow_the_native_librarys_rule() {
        let longest = "p".repeat(x4pipe_native::name::MAX_NAME_LEN);
        assert!(check_pipe_name("k", &longest).is_ok());
        let e = check_pipe_name("k", &format!("{longest}p")).unwrap_err();
        assert!(e.message.contains("256"), "{}", e.message);
        assert!(check_pipe_name("k", "..").is_err());
        assert!(check_pipe_name("k", ".").is_err());
        // `--` only ever reached an XML comment, which escapes it (escape::xml_comment).
        assert!(check_pipe_name("k", "my--pipe").is_ok());
    }

    #[test]
    fn names_that_become_file_names_fit_a_file_name() {
        let long = format!("N{}", "a".repeat(300));
        assert!(check_md_script("k", &long).is_err());
        assert!(check_md_script("k", &format!("N{}", "a".repeat(250))).is_ok());
        assert!(check_ext_id("k", &"a".repeat(256)).is_err());
        assert!(check_rel_path("k", &format!("ui/{}", "a".repeat(256))).is_err());
    }

    #[test]
    fn values_in_messages_cannot_drive_the_terminal() {
        assert_eq!(shown("plain"), "`plain`");
        assert_eq!(shown("a\u{1b}[2Jb"), "`a\\u{1b}[2Jb`");
        assert_eq!(shown("\u{202e}x\u{9b}\r"), "`\\u{202e}x\\u{9b}\\u{d}`");
        let long = shown(&"x".repeat(500));
        assert!(
            long.len() < 120 && long.contains("500 characters"),
            "{long}"
        );
        let e = check_md_script("k", "Bad\u{1b}[31m").unwrap_err();
        assert!(!e.message.contains('\u{1b}'), "{}", e.message);
    }

    #[test]
    fn a_mod_cannot_take_the_api_id() {
        let mut c = Config {
            project: Some(crate::config::Project {
                api: crate::config::ApiMode::Standalone,
                include: vec!["md".into()],
                api_id: "x4pipe_named_pipes".into(),
                api_version: crate::config::Version(100),
            }),
            ..Config::default()
        };
        let e = c.check().unwrap_err();
        assert_eq!(e.key.as_deref(), Some("extension.id"));
        assert!(e.message.contains("project.api_id"), "{}", e.message);
        c.extension.id = "my_mod".into();
        c.check().unwrap();
    }
}
