//! What `x4pipe.toml` holds: the types serde reads, and their embedded defaults.
//! The names are in [`super::names`]; the checks in `super::rules`.

use serde::{Deserialize, Serialize};

use super::names::{NameKey, Names, NAMES};

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
        d.deserialize_any(VersionVisitor)
    }
}

/// Reads a [`Version`] from a TOML integer or string, and explains a float: content.xml
/// holds an integer (`version="150"`, shown as 1.50), so `1.5` has no exact meaning.
struct VersionVisitor;

impl serde::de::Visitor<'_> for VersionVisitor {
    type Value = Version;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an X4 version: an integer like 100 or a string like \"1.00\"")
    }

    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Version, E> {
        u32::try_from(n)
            .map(Version)
            .map_err(|_| E::custom(format!("version {n} is out of range")))
    }

    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Version, E> {
        u32::try_from(n)
            .map(Version)
            .map_err(|_| E::custom(format!("version {n} is out of range")))
    }

    fn visit_f64<E: serde::de::Error>(self, x: f64) -> Result<Version, E> {
        let hundredths = (x * 100.0).round();
        let exact = x.is_finite() && (x * 100.0 - hundredths).abs() < 1e-6;
        if exact && (100.0..=f64::from(u32::MAX)).contains(&hundredths) {
            let n = hundredths as u32;
            Err(E::custom(format!(
                "{x} is a decimal number, but X4 versions are integers whose last two digits are the minor version: write {n} or the string \"{}.{:02}\"",
                n / 100,
                n % 100
            )))
        } else {
            Err(E::custom(format!(
                "{x} is a decimal number, but X4 versions are integers like 100 (= 1.00) or strings like \"1.00\""
            )))
        }
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Version, E> {
        parse_dotted_version(s).map(Version).ok_or_else(|| {
            E::custom(format!(
                "version {s:?} is not X4's form: write an integer like 100 or a string like \"1.00\" (two digits after the dot)"
            ))
        })
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

impl Config {
    /// How the API reaches this extension: a plain API build counts as standalone.
    pub fn api_mode(&self) -> ApiMode {
        self.project.as_ref().map(|p| p.api).unwrap_or_default()
    }

    /// Names for an API embedded into the mod `extension.id`, so that any number of
    /// embedded copies (and the standalone API) never share an MD script, Lua event, UI
    /// screen or file (each row's `embedded` pattern in [`NAMES`]). Keys listed in
    /// `keep` were set by the user. Returns the keys derived (`names.md_pipes`, ...), for
    /// [`Config::check_derived`].
    pub fn derive_embedded_names(&mut self, keep: &[String]) -> Vec<String> {
        let id = self.extension.id.clone();
        let mut derived = Vec::new();
        for row in NAMES {
            let (Some(pattern), false) = (row.embedded, keep.iter().any(|k| k == row.key)) else {
                continue;
            };
            if let Some(field) = row.get_mut(&mut self.names) {
                *field = pattern.replace("{id}", &id);
                derived.push(row.path());
            }
        }
        derived
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
        self.name(names_addon())
    }

    /// The value of a name, with its default applied (`addon` defaults to the id).
    pub fn name(&self, row: &NameKey) -> &str {
        row.get(&self.names).unwrap_or(&self.extension.id)
    }

    /// Every name by its key, defaults applied: the templates' `names` map.
    pub fn names_by_key(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        NAMES.iter().map(move |row| (row.key, self.name(row)))
    }

    /// Paths in the config may be written the Windows way (`ui\\x4pipe\\native`): they
    /// always mean paths inside the extension or project, so `\\` is a folder separator
    /// on every OS and the same x4pipe.toml builds the same extension everywhere.
    pub(super) fn normalize_separators(&mut self) {
        for row in NAMES.iter().filter(|r| r.kind.is_path()) {
            if let Some(v) = row.get_mut(&mut self.names) {
                *v = v.replace('\\', "/");
            }
        }
        if let Some(p) = &mut self.project {
            for v in &mut p.include {
                *v = v.replace('\\', "/");
            }
        }
    }
}

fn names_addon() -> &'static NameKey {
    super::names::name_key("addon").expect("addon is a row of NAMES")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_versions_need_two_decimals() {
        assert_eq!(parse_dotted_version("1.00"), Some(100));
        assert_eq!(parse_dotted_version(" 12.34 "), Some(1234));
        assert_eq!(parse_dotted_version("1.5"), None);
        assert_eq!(parse_dotted_version("1.500"), None);
        assert_eq!(parse_dotted_version(".50"), None);
        assert_eq!(parse_dotted_version("99999999.00"), None);
    }

    #[test]
    fn embedded_names_derive_from_the_id_but_keep_what_the_user_set() {
        let mut c = Config::default();
        c.extension.id = "my_mod".into();
        c.names.ev_read = "mine".into();
        c.derive_embedded_names(&["ev_read".into()]);
        assert_eq!(c.names.md_pipes, "Named_Pipes_my_mod");
        assert_eq!(c.names.ev_tick, "my_mod_pipeTick");
        assert_eq!(c.names.lua_file, "ui/my_mod/named_pipes.lua");
        assert_eq!(c.names.ev_read, "mine");
        assert_eq!(
            c.names.host_pipe, "x4pipe_python_host",
            "shared by embedded copies"
        );
        assert_eq!(c.addon(), "my_mod");
    }

    #[test]
    fn backslashes_in_paths_are_folder_separators() {
        let mut c = Config::default();
        c.names.native_dir = r"ui\x\native".into();
        c.names.ev_read = r"a\b".into();
        c.project = Some(Project {
            api: ApiMode::Embedded,
            include: vec![r"md\sub".into()],
            api_id: "x".into(),
            api_version: Version(100),
        });
        c.normalize_separators();
        assert_eq!(c.names.native_dir, "ui/x/native");
        assert_eq!(c.names.ev_read, r"a\b", "not a path");
        assert_eq!(c.project.unwrap().include, ["md/sub"]);
    }

    #[test]
    fn the_names_map_applies_defaults() {
        let mut c = Config::default();
        c.extension.id = "some_id".into();
        let map: std::collections::BTreeMap<_, _> = c.names_by_key().collect();
        assert_eq!(map["addon"], "some_id");
        assert_eq!(map["host_pipe"], "x4_python_host");
        assert_eq!(map.len(), NAMES.len());
    }
}
