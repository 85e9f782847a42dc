//! The one table of every configurable global name (`[names]` in `x4pipe.toml`).
//!
//! The game has one namespace each for MD scripts, Lua events, UI screens and files;
//! every name the API puts there is a row of [`NAMES`], written once in the
//! `names_table!` invocation below. That one list gives the [`Names`] struct (serde),
//! its defaults, the names an embedded copy of the API derives from the mod id, the
//! checks run on each name (by its [`NameKind`]) and the `names` map every template
//! sees, so a new name cannot be added to one of them and forgotten in another.

use serde::{Deserialize, Serialize};

/// What a name is in the game, which decides the rule it must follow (see
/// `config::rules`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// An MD script: `<mdscript name=>`, `md.<name>.<cue>` and the file
    /// `md/<name in lower case>.xml`.
    MdScript,
    /// The UI screen of `AddUITriggeredEvent`, matched by MD's `event_ui_triggered`.
    UiScreen,
    /// The `ui.xml` addon name.
    Addon,
    /// A Lua event MD raises (`raise_lua_event`) and the Lua client registers.
    LuaEvent,
    /// A control name the Lua client signals on the UI screen.
    Signal,
    /// A pipe name: `\\.\pipe\<name>` on Windows, a socket file on Linux.
    Pipe,
    /// The path of the Lua client inside the extension.
    LuaFile,
    /// A folder inside the extension.
    Folder,
}

impl NameKind {
    /// Names of these kinds share one namespace, so two keys of the kind may not hold
    /// the same value; `true` when the comparison ignores case (MD scripts are also
    /// file names, and the game's file system ignores case on Windows).
    pub fn unique(self) -> Option<bool> {
        match self {
            NameKind::MdScript => Some(true),
            NameKind::LuaEvent => Some(false),
            _ => None,
        }
    }

    /// What names of the kind are, completing "each ... needs its own name".
    pub fn what(self) -> &'static str {
        match self {
            NameKind::MdScript => "MD script",
            NameKind::UiScreen => "UI screen",
            NameKind::Addon => "UI addon",
            NameKind::LuaEvent => "Lua event",
            NameKind::Signal => "UI signal",
            NameKind::Pipe => "pipe",
            NameKind::LuaFile => "Lua file",
            NameKind::Folder => "folder",
        }
    }

    /// A path inside the extension (may be written with `\` in the config).
    pub fn is_path(self) -> bool {
        matches!(self, NameKind::LuaFile | NameKind::Folder)
    }
}

/// One configurable name: its key under `[names]`, kind, defaults and field.
#[derive(Clone, Copy)]
pub struct NameKey {
    /// The key under `[names]`, and the name in the templates' `names` map.
    pub key: &'static str,
    pub kind: NameKind,
    /// The standalone API's value; `None`: the extension id.
    pub default: Option<&'static str>,
    /// The value in an API embedded into a mod, `{id}` standing for the mod's id;
    /// `None`: the same as standalone (the host pipe is shared on purpose, the addon
    /// name already defaults to the id).
    pub embedded: Option<&'static str>,
    get: fn(&Names) -> Option<&str>,
    get_mut: fn(&mut Names) -> Option<&mut String>,
}

impl NameKey {
    /// The configured value; `None` when it defaults to the extension id.
    pub fn get<'a>(&self, names: &'a Names) -> Option<&'a str> {
        (self.get)(names)
    }

    /// The field, when it holds a value (always, except an unset `addon`).
    pub fn get_mut<'a>(&self, names: &'a mut Names) -> Option<&'a mut String> {
        (self.get_mut)(names)
    }

    /// `names.<key>`, as errors name it.
    pub fn path(&self) -> String {
        format!("names.{}", self.key)
    }
}

/// The key `key` of [`NAMES`].
pub fn name_key(key: &str) -> Option<&'static NameKey> {
    NAMES.iter().find(|n| n.key == key)
}

/// Writes [`Names`], its `Default` and [`NAMES`] from one list of rows
/// `field: Kind = "default", embedded: Some("pattern with {id}") | None;`.
/// The optional `addon` (default: the extension id) is the last row.
macro_rules! names_table {
    ($(
        $(#[$doc:meta])*
        $field:ident: $kind:ident = $default:literal, embedded: $embedded:expr;
    )*) => {
        /// Every name the API puts into the game's global namespaces (see [`NAMES`]).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct Names {
            $( $(#[$doc])* pub $field: String, )*
            /// `ui.xml` addon name; defaults to the extension id.
            pub addon: Option<String>,
        }

        impl Default for Names {
            fn default() -> Self {
                Names { $( $field: $default.into(), )* addon: None }
            }
        }

        /// Every configurable global name, in the order they are checked.
        pub const NAMES: &[NameKey] = &[
            $(
                NameKey {
                    key: stringify!($field),
                    kind: NameKind::$kind,
                    default: Some($default),
                    embedded: $embedded,
                    get: |n| Some(n.$field.as_str()),
                    get_mut: |n| Some(&mut n.$field),
                },
            )*
            NameKey {
                key: "addon",
                kind: NameKind::Addon,
                default: None,
                embedded: None,
                get: |n| n.addon.as_deref(),
                get_mut: |n| n.addon.as_mut(),
            },
        ];
    };
}

names_table! {
    md_pipes: MdScript = "Named_Pipes", embedded: Some("Named_Pipes_{id}");
    md_host: MdScript = "Pipe_Server_Host", embedded: Some("Pipe_Server_Host_{id}");
    ui_screen: UiScreen = "Named_Pipes", embedded: Some("Named_Pipes_{id}");
    ev_read: LuaEvent = "pipeRead", embedded: Some("{id}_pipeRead");
    ev_write: LuaEvent = "pipeWrite", embedded: Some("{id}_pipeWrite");
    ev_write_special: LuaEvent = "pipeWriteSpecial", embedded: Some("{id}_pipeWriteSpecial");
    ev_check: LuaEvent = "pipeCheck", embedded: Some("{id}_pipeCheck");
    ev_close: LuaEvent = "pipeClose", embedded: Some("{id}_pipeClose");
    ev_suppress: LuaEvent = "pipeSuppressPausedReads",
        embedded: Some("{id}_pipeSuppressPausedReads");
    ev_unsuppress: LuaEvent = "pipeUnsuppressPausedReads",
        embedded: Some("{id}_pipeUnsuppressPausedReads");
    /// MD drops an access it gave up on (`<pipe>;<id>`) or cancels every read of a
    /// pipe (`<pipe>`, Cancel_Reads).
    ev_cancel: LuaEvent = "pipeCancel", embedded: Some("{id}_pipeCancel");
    /// MD's heartbeat (polls the pipes when onUpdate does not run) and, with the param
    /// `hello`, its greeting once it is live after a game start or load.
    ev_tick: LuaEvent = "pipeTick", embedded: Some("{id}_pipeTick");
    loaded: Signal = "lua_named_pipe_api_loaded",
        embedded: Some("{id}_lua_named_pipe_api_loaded");
    /// The external Python host's pipe. The spec's (and the original API's)
    /// `x4_python_host` for the standalone API; every embedded copy shares
    /// `x4pipe_python_host` instead, so a mod made by `new-extension` never competes
    /// with sn_mod_support_apis for the original host's single-instance pipe (`x4pipe
    /// host` serves both). Copies on one pipe agree on a single owner at run time (see
    /// the Pipe_Server_Host template).
    host_pipe: Pipe = "x4_python_host", embedded: Some("x4pipe_python_host");
    lua_file: LuaFile = "ui/x4pipe/named_pipes.lua", embedded: Some("ui/{id}/named_pipes.lua");
    native_dir: Folder = "ui/x4pipe/native", embedded: Some("ui/{id}/native");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table and the struct serde reads agree: every key of `[names]` is a row.
    #[test]
    fn every_field_of_names_is_a_row_of_the_table() {
        let mut all = Names {
            addon: Some("a".into()),
            ..Names::default()
        };
        let value = toml::Value::try_from(&all).unwrap();
        let table = value.as_table().unwrap();
        let mut fields: Vec<&str> = table.keys().map(String::as_str).collect();
        let mut rows: Vec<&str> = NAMES.iter().map(|n| n.key).collect();
        fields.sort();
        rows.sort();
        assert_eq!(fields, rows);
        // Each row reads and writes its own field.
        for (i, row) in NAMES.iter().enumerate() {
            *row.get_mut(&mut all).unwrap() = format!("v{i}");
        }
        for (i, row) in NAMES.iter().enumerate() {
            assert_eq!(row.get(&all), Some(format!("v{i}").as_str()), "{}", row.key);
        }
    }

    #[test]
    fn defaults_come_from_the_table() {
        let d = Names::default();
        for row in NAMES {
            assert_eq!(row.get(&d), row.default, "{}", row.key);
        }
        assert_eq!(d.md_pipes, "Named_Pipes");
        assert_eq!(d.addon, None);
    }

    #[test]
    fn every_embedded_name_carries_the_id_except_shared_ones() {
        for row in NAMES {
            match row.embedded {
                // The host pipe is shared by every embedded copy (one host serves it).
                Some(p) if row.kind == NameKind::Pipe => assert!(!p.contains("{id}")),
                Some(p) => assert!(p.contains("{id}"), "{}", row.key),
                None => assert_eq!(row.kind, NameKind::Addon, "{}", row.key),
            }
        }
        assert_eq!(name_key("host_pipe").unwrap().kind, NameKind::Pipe);
        assert!(name_key("nope").is_none());
    }
}
