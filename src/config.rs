//! `x4pipe.toml`: what the user may configure, its embedded defaults, and the checks
//! that keep every value safe to put into the game's global namespaces.
//!
//! Errors always name the config key (and the file and line when the value came from a
//! file), because a modder fixing a typo should not have to guess which of thirty
//! names broke the rules.

use std::fmt;
use std::path::{Path, PathBuf};

use x4pipe_catalog::safe_path;

use serde::{Deserialize, Serialize};

/// The file name `x4pipe build` looks for in the current folder.
pub const CONFIG_FILE: &str = "x4pipe.toml";

/// Date written into `content.xml` when the config names none. A constant (the release
/// date of this x4pipe version), not "today", so that a build is reproducible.
pub const DEFAULT_DATE: &str = "2026-11-25";

/// Whole configuration, as read from `x4pipe.toml` (every section optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub extension: Extension,
    pub names: Names,
    pub settings: Settings,
    /// Present in projects made by `x4pipe new-extension`: the mod's own files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<Project>,
}

/// The `content.xml` facts of the extension being built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Extension {
    pub id: String,
    /// Folder name under `extensions/`; defaults to the id.
    pub folder: Option<String>,
    pub name: String,
    pub description: String,
    pub author: String,
    /// X4's integer version (`100` = 1.00); `"1.00"` is accepted too.
    pub version: Version,
    pub date: String,
    /// Minimum game version, X4's integer form (`600` = 6.00).
    pub game_version: u32,
    /// Whether savegames depend on this extension.
    pub save: bool,
}

/// Every name the API puts into the game's global namespaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Names {
    pub md_pipes: String,
    pub md_host: String,
    pub ui_screen: String,
    /// `ui.xml` addon name; defaults to the extension id.
    pub addon: Option<String>,
    pub ev_read: String,
    pub ev_write: String,
    pub ev_write_special: String,
    pub ev_check: String,
    pub ev_close: String,
    pub ev_suppress: String,
    pub ev_unsuppress: String,
    /// MD drops an access it gave up on (`<pipe>;<id>`) or cancels every read of a
    /// pipe (`<pipe>`, Cancel_Reads).
    pub ev_cancel: String,
    /// MD's heartbeat (polls the pipes when onUpdate does not run) and, with the param
    /// `hello`, its greeting once it is live after a game start or load.
    pub ev_tick: String,
    pub loaded: String,
    pub host_pipe: String,
    pub lua_file: String,
    pub native_dir: String,
}

/// Run-time behaviour baked into the generated scripts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub debug: bool,
    /// Seconds between pings of the host pipe while it is not answering.
    pub ping_interval: u32,
    /// Upper bound, in seconds, of the doubling wait after failed pings.
    pub backoff_max: u32,
    /// Seconds before an access without `$time` times out; 0 = never.
    pub default_timeout: u32,
    /// How long a write may wait for the server to make room, in milliseconds.
    pub write_timeout_ms: u32,
}

/// How a mod project (from `x4pipe new-extension`) gets the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ApiMode {
    /// The mod depends on the separately installed API extension.
    #[default]
    Standalone,
    /// The API is rendered into the mod with names derived from the mod id.
    Embedded,
}

/// The `[project]` section of a mod made by `x4pipe new-extension`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    #[serde(default)]
    pub api: ApiMode,
    /// Folders and files of the mod copied into the built extension, relative to the
    /// project folder.
    #[serde(default = "Project::default_include")]
    pub include: Vec<String>,
    /// Standalone mode: the id and minimum version of the API extension depended on.
    #[serde(default = "Project::default_api_id")]
    pub api_id: String,
    #[serde(default = "Project::default_api_version")]
    pub api_version: Version,
}

impl Project {
    fn default_include() -> Vec<String> {
        vec!["md".into(), "python".into()]
    }
    fn default_api_id() -> String {
        Extension::default().id
    }
    fn default_api_version() -> Version {
        Extension::default().version
    }
}

impl Default for Extension {
    fn default() -> Self {
        Extension {
            id: "x4pipe_named_pipes".into(),
            folder: None,
            name: "Named Pipes API (x4pipe)".into(),
            description: "Lets mods talk to external programs over named pipes. Built by x4pipe."
                .into(),
            author: "x4pipe".into(),
            version: Version(100),
            date: DEFAULT_DATE.into(),
            game_version: 600,
            save: false,
        }
    }
}

impl Default for Names {
    fn default() -> Self {
        Names {
            md_pipes: "Named_Pipes".into(),
            md_host: "Pipe_Server_Host".into(),
            ui_screen: "Named_Pipes".into(),
            addon: None,
            ev_read: "pipeRead".into(),
            ev_write: "pipeWrite".into(),
            ev_write_special: "pipeWriteSpecial".into(),
            ev_check: "pipeCheck".into(),
            ev_close: "pipeClose".into(),
            ev_suppress: "pipeSuppressPausedReads".into(),
            ev_unsuppress: "pipeUnsuppressPausedReads".into(),
            ev_cancel: "pipeCancel".into(),
            ev_tick: "pipeTick".into(),
            loaded: "lua_named_pipe_api_loaded".into(),
            host_pipe: "x4_python_host".into(),
            lua_file: "ui/x4pipe/named_pipes.lua".into(),
            native_dir: "ui/x4pipe/native".into(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            debug: false,
            ping_interval: 5,
            backoff_max: 60,
            default_timeout: 0,
            write_timeout_ms: 1000,
        }
    }
}

/// X4's integer version; deserializes from `100` or `"1.00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Version(pub u32);

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Int(n) => u32::try_from(n)
                .map(Version)
                .map_err(|_| serde::de::Error::custom(format!("version {n} is out of range"))),
            Raw::Text(s) => parse_dotted_version(&s).map(Version).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "version \"{s}\" is not X4's form: write an integer like 100 or a string like \"1.00\" (two digits after the dot)"
                ))
            }),
        }
    }
}

/// `"1.00"` -> 100, `"12.34"` -> 1234. Exactly two decimals, because X4 reads the last
/// two digits as the minor version and `"1.5"` would be ambiguous (1.05 or 1.50?).
fn parse_dotted_version(s: &str) -> Option<u32> {
    let (major, minor) = s.trim().split_once('.')?;
    if major.is_empty()
        || minor.len() != 2
        || !major.bytes().all(|b| b.is_ascii_digit())
        || !minor.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let major: u32 = major.parse().ok()?;
    let minor: u32 = minor.parse().ok()?;
    major.checked_mul(100)?.checked_add(minor)
}

/// A configuration problem, naming the key and (when read from a file) where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{}: ", file.display(), line)?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            _ => {}
        }
        if let Some(key) = &self.key {
            write!(f, "config key `{key}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Why [`Config::load`] failed: the file could not be read, or its content is bad.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read the config file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] ConfigError),
}

impl Config {
    /// Parse and check a config file's text. `file` is used in messages only.
    pub fn from_toml_str(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            ConfigError {
                file: Some(file.to_path_buf()),
                line,
                key: None,
                message: e.message().trim_end().to_string(),
            }
        })?;
        config.normalize_separators();
        if config.api_mode() == ApiMode::Embedded {
            // Only the names the user did not set are derived: an explicit name wins.
            let table: toml::Table = toml::from_str(text).unwrap_or_default();
            let set: Vec<String> = table
                .get("names")
                .and_then(|n| n.as_table())
                .map(|t| t.keys().cloned().collect())
                .unwrap_or_default();
            config.derive_embedded_names(&set);
        }
        config.check().map_err(|mut e| {
            e.file = Some(file.to_path_buf());
            e.line = e.key.as_deref().and_then(|k| line_of_key(text, k));
            e
        })?;
        Ok(config)
    }

    /// Read `path`, or the embedded defaults when `path` is `None`.
    pub fn load(path: Option<&Path>) -> Result<Config, LoadError> {
        match path {
            None => {
                let c = Config::default();
                c.check()?;
                Ok(c)
            }
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| LoadError::Read {
                    path: p.to_path_buf(),
                    source,
                })?;
                Ok(Config::from_toml_str(&text, p)?)
            }
        }
    }

    /// How the API reaches this extension: a plain API build counts as standalone.
    pub fn api_mode(&self) -> ApiMode {
        self.project.as_ref().map(|p| p.api).unwrap_or_default()
    }

    /// Names for an API embedded into the mod `extension.id`, so that any number of
    /// embedded copies (and the standalone API) never share an MD script, Lua event, UI
    /// screen or file. The host pipe stays shared on purpose: the external host serves
    /// one pipe, and the host scripts agree on a single owner at run time (see the
    /// Pipe_Server_Host template). Keys listed in `keep` were set by the user.
    pub fn derive_embedded_names(&mut self, keep: &[String]) {
        let id = self.extension.id.clone();
        let n = &mut self.names;
        let set = |key: &str, field: &mut String, value: String| {
            if !keep.iter().any(|k| k == key) {
                *field = value;
            }
        };
        set("md_pipes", &mut n.md_pipes, format!("Named_Pipes_{id}"));
        set("md_host", &mut n.md_host, format!("Pipe_Server_Host_{id}"));
        set("ui_screen", &mut n.ui_screen, format!("Named_Pipes_{id}"));
        set("ev_read", &mut n.ev_read, format!("{id}_pipeRead"));
        set("ev_write", &mut n.ev_write, format!("{id}_pipeWrite"));
        set(
            "ev_write_special",
            &mut n.ev_write_special,
            format!("{id}_pipeWriteSpecial"),
        );
        set("ev_check", &mut n.ev_check, format!("{id}_pipeCheck"));
        set("ev_close", &mut n.ev_close, format!("{id}_pipeClose"));
        set(
            "ev_suppress",
            &mut n.ev_suppress,
            format!("{id}_pipeSuppressPausedReads"),
        );
        set(
            "ev_unsuppress",
            &mut n.ev_unsuppress,
            format!("{id}_pipeUnsuppressPausedReads"),
        );
        set("ev_cancel", &mut n.ev_cancel, format!("{id}_pipeCancel"));
        set("ev_tick", &mut n.ev_tick, format!("{id}_pipeTick"));
        set(
            "loaded",
            &mut n.loaded,
            format!("{id}_lua_named_pipe_api_loaded"),
        );
        set(
            "lua_file",
            &mut n.lua_file,
            format!("ui/{id}/named_pipes.lua"),
        );
        set("native_dir", &mut n.native_dir, format!("ui/{id}/native"));
    }

    /// The extension folder name (defaults to the id).
    pub fn folder(&self) -> &str {
        self.extension
            .folder
            .as_deref()
            .unwrap_or(&self.extension.id)
    }

    /// The `ui.xml` addon name (defaults to the id).
    pub fn addon(&self) -> &str {
        self.names.addon.as_deref().unwrap_or(&self.extension.id)
    }

    /// Paths in the config may be written the Windows way (`ui\\x4pipe\\native`): they
    /// always mean paths inside the extension or project, so `\\` is a folder separator
    /// on every OS and the same x4pipe.toml builds the same extension everywhere.
    fn normalize_separators(&mut self) {
        let n = &mut self.names;
        for v in [&mut n.lua_file, &mut n.native_dir] {
            *v = v.replace('\\', "/");
        }
        if let Some(p) = &mut self.project {
            for v in &mut p.include {
                *v = v.replace('\\', "/");
            }
        }
    }

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

        let n = &self.names;
        check_md_script("names.md_pipes", &n.md_pipes)?;
        check_md_script("names.md_host", &n.md_host)?;
        if n.md_pipes == n.md_host {
            return Err(key_err(
                "names.md_host",
                format!(
                    "`{}` is also names.md_pipes: the two MD scripts need different names",
                    n.md_host
                ),
            ));
        }
        check_ident("names.ui_screen", &n.ui_screen)?;
        check_addon("names.addon", self.addon())?;
        let events = [
            ("names.ev_read", &n.ev_read),
            ("names.ev_write", &n.ev_write),
            ("names.ev_write_special", &n.ev_write_special),
            ("names.ev_check", &n.ev_check),
            ("names.ev_close", &n.ev_close),
            ("names.ev_suppress", &n.ev_suppress),
            ("names.ev_unsuppress", &n.ev_unsuppress),
            ("names.ev_cancel", &n.ev_cancel),
            ("names.ev_tick", &n.ev_tick),
        ];
        for (i, (key, value)) in events.iter().enumerate() {
            check_ident(key, value)?;
            if let Some((other, _)) = events[..i].iter().find(|(_, v)| v == value) {
                return Err(key_err(
                    key,
                    format!("`{value}` is also {other}: each Lua event needs its own name"),
                ));
            }
        }
        check_ident("names.loaded", &n.loaded)?;
        check_pipe_name("names.host_pipe", &n.host_pipe)?;
        check_rel_path("names.lua_file", &n.lua_file)?;
        if !n.lua_file.ends_with(".lua") || !n.lua_file.contains('/') {
            return Err(key_err(
                "names.lua_file",
                format!(
                    "`{}`: the game loads UI Lua only from a subfolder of the extension and only `.lua` files (e.g. ui/x4pipe/named_pipes.lua)",
                    n.lua_file
                ),
            ));
        }
        check_rel_path("names.native_dir", &n.native_dir)?;

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
            for (i, inc) in p.include.iter().enumerate() {
                check_rel_path(&format!("project.include[{i}]"), inc)?;
            }
        }
        Ok(())
    }
}

fn key_err(key: &str, message: impl Into<String>) -> ConfigError {
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
            format!("`{v}` contains {bad:?}: use only {rule}"),
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
    check_not_device(key, v)?;
    if v.to_ascii_lowercase().starts_with("ego_") {
        return Err(key_err(
            key,
            format!("`{v}` starts with `ego_`, which the game reserves for Egosoft's extensions"),
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
                "`{v}` is a Windows device name (like con, aux, nul, com1): Windows cannot store a file or folder of that name"
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
        Ok(())
    } else {
        Err(key_err(
            key,
            format!(
                "`{v}` is not a valid MD script name: it must match [A-Z][A-Za-z0-9_]+ (an upper-case letter, then letters, digits or underscores)"
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
    if v.to_ascii_lowercase().starts_with("ego_") {
        return Err(key_err(
            key,
            format!("`{v}` starts with `ego_`: the game refuses addon names with that prefix"),
        ));
    }
    Ok(())
}

/// Pipe names end up in `\\.\pipe\<name>` and in a socket path: no separators, no `;`
/// (the MD->Lua parameter separator).
fn check_pipe_name(key: &str, v: &str) -> Result<(), ConfigError> {
    check_chars(
        key,
        v,
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'),
        "ASCII letters, digits, `_`, `-` and `.` in pipe names",
    )
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
                "`{v}` is an absolute path: it must be relative to the project folder (the folder of x4pipe.toml), e.g. `md` or `md\\sub`"
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
                "`{v}` is not a plain relative path inside the extension: use `/` between folders, no `..`, and only ASCII letters, digits, `_`, `-`, `.`"
            ),
        ));
    }
    // The rest of the one shared rule (Windows device names, trailing dots).
    safe_path::check(v).map_err(|reason| key_err(key, format!("`{v}`: {reason}")))?;
    Ok(())
}

/// Free text goes into XML attributes (escaped), but control characters are refused:
/// XML 1.0 cannot carry most of them at all.
/// What a free-text value may hold.
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

fn check_date(key: &str, v: &str) -> Result<(), ConfigError> {
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10);
    let valid = shape && {
        let month: u32 = v[5..7].parse().unwrap_or(0);
        let day: u32 = v[8..10].parse().unwrap_or(0);
        (1..=12).contains(&month) && (1..=31).contains(&day)
    };
    if valid {
        Ok(())
    } else {
        Err(key_err(
            key,
            format!("`{v}` is not a date of the form YYYY-MM-DD"),
        ))
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Best effort: the line where a dotted key (`section.key`) is set, found with the
/// same TOML parser so tables, inline tables and dotted keys all work.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let table = toml::de::DeTable::parse(text).ok()?.into_inner();
    let root = toml::de::DeValue::Table(table);
    let mut value = &root;
    let mut start = None;
    for part in key.split('.') {
        // `project.include[2]` -> look up `include`; the line of the array is close enough.
        let part = part.split('[').next()?;
        let next = value.get(part)?;
        start = Some(next.span().start);
        value = next.get_ref();
    }
    start.map(|s| line_of(text, s))
}
