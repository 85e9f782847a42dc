//! Reading `x4pipe.toml`: parse, apply the embedded-mode names, check, and point every
//! error at the file and line of its key.

use std::path::Path;

use super::model::{ApiMode, Config};
use super::rules::printable;
use super::{ConfigError, LoadError};
use x4pipe_files::input::{InputError, Origin};

/// The largest `x4pipe.toml` read; real ones are a few KiB.
const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

impl Config {
    /// Parse and check a config file's text. `file` is used in messages only.
    pub fn from_toml_str(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError {
            file: Some(file.to_path_buf()),
            line: e.span().map(|s| line_of(text, s.start)),
            // A wrong type or value (`version = 1.5`) names its key like a failed check.
            key: e.span().and_then(|s| key_at(text, s.start)),
            // Parser messages quote the input (`unknown variant `...``).
            message: printable(e.message().trim_end()),
        })?;
        config.normalize_separators();
        let mut derived = Vec::new();
        if config.api_mode() == ApiMode::Embedded {
            // Only the names the user did not set are derived: an explicit name wins.
            let table: toml::Table = toml::from_str(text).unwrap_or_default();
            let set: Vec<String> = table
                .get("names")
                .and_then(|n| n.as_table())
                .map(|t| t.keys().cloned().collect())
                .unwrap_or_default();
            derived = config.derive_embedded_names(&set);
        }
        config.check_derived(&derived).map_err(|mut e| {
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
                // x4pipe's input rule: a regular file (a pipe would hang, a device
                // never end), at most 16 MiB; the path is the user's, links followed.
                let text = x4pipe_files::input::read_text(p, Origin::Named, MAX_CONFIG_BYTES)
                    .map_err(|e| LoadError::Read {
                        path: p.to_path_buf(),
                        source: match e {
                            InputError::Io { source, .. } => source,
                            refused => std::io::Error::other(refused.to_string()),
                        },
                    })?;
                Ok(Config::from_toml_str(&text, p)?)
            }
        }
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

/// The dotted key (`extension.version`, `project.include[1]`) whose key or value holds
/// byte `offset` of `text`, the innermost when tables nest; `None` for a syntax error
/// (the text does not parse) or an offset outside every key.
fn key_at(text: &str, offset: usize) -> Option<String> {
    use toml::de::{DeTable, DeValue};
    fn in_table(table: &DeTable<'_>, prefix: &str, offset: usize) -> Option<String> {
        for (k, v) in table.iter() {
            let path = if prefix.is_empty() {
                k.get_ref().to_string()
            } else {
                format!("{prefix}.{}", k.get_ref())
            };
            if let Some(inner) = in_value(v.get_ref(), &path, offset) {
                return Some(inner);
            }
            if k.span().contains(&offset) || v.span().contains(&offset) {
                return Some(path);
            }
        }
        None
    }
    fn in_value(value: &DeValue<'_>, path: &str, offset: usize) -> Option<String> {
        match value {
            DeValue::Table(t) => in_table(t, path, offset),
            DeValue::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                let path = format!("{path}[{i}]");
                in_value(item.get_ref(), &path, offset)
                    .or_else(|| item.span().contains(&offset).then_some(path))
            }),
            _ => None,
        }
    }
    let table = DeTable::parse(text).ok()?.into_inner();
    in_table(&table, "", offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_point_at_the_line_of_their_key() {
        let text = "# mod\n[extension]\nid = \"my_mod\"\n\n[names]\nmd_pipes = \"bad name\"\n";
        let e = Config::from_toml_str(text, Path::new("x4pipe.toml")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("names.md_pipes"));
        assert_eq!(e.line, Some(6));
        assert_eq!(
            line_of_key("names = { ev_read = 'x' }", "names.ev_read"),
            Some(1)
        );
    }

    #[test]
    fn embedded_projects_derive_only_the_names_not_set() {
        let text = "[extension]\nid = \"my_mod\"\n[project]\napi = \"embedded\"\n[names]\nev_read = \"mine\"\n";
        let c = Config::from_toml_str(text, Path::new("x")).unwrap();
        assert_eq!(c.names.ev_read, "mine");
        assert_eq!(c.names.ev_write, "my_mod_pipeWrite");
    }

    fn load_err(text: &str) -> ConfigError {
        Config::from_toml_str(text, Path::new("x4pipe.toml")).unwrap_err()
    }

    #[test]
    fn type_errors_name_their_key() {
        let e = load_err("[extension]\nid = \"m\"\ngame_version = 6.0\n");
        assert_eq!(
            (e.key.as_deref(), e.line),
            (Some("extension.game_version"), Some(3))
        );
        let e = load_err("[project]\ninclude = [\"md\", 3]\n");
        assert_eq!(e.key.as_deref(), Some("project.include[1]"));
        let e = load_err("names = { ev_read = 1 }\n");
        assert_eq!(e.key.as_deref(), Some("names.ev_read"));
        let e = load_err("[extension]\nversion = \"1.5\"\n");
        assert_eq!(e.key.as_deref(), Some("extension.version"));
    }

    #[test]
    fn float_versions_are_refused_with_the_integer_they_mean() {
        let e = load_err("[extension]\nversion = 1.5\n");
        assert_eq!(e.key.as_deref(), Some("extension.version"));
        assert!(
            e.message.contains("150") && e.message.contains("\"1.50\""),
            "{}",
            e.message
        );
        let e = load_err("[project]\napi_version = 2.0\n");
        assert_eq!(e.key.as_deref(), Some("project.api_version"));
        assert_eq!(
            Config::from_toml_str("[extension]\nversion = \"1.50\"\n", Path::new("x"))
                .unwrap()
                .extension
                .version
                .0,
            150
        );
    }

    #[test]
    fn parser_messages_show_control_characters_escaped() {
        let e = load_err("[project]\napi = \"\\u001b[2J\"\n");
        assert!(!e.message.contains('\u{1b}'), "{}", e.message);
        assert_eq!(e.key.as_deref(), Some("project.api"));
    }

    #[test]
    fn a_derived_name_that_fails_names_the_id() {
        let id = format!("A{}", "a".repeat(240));
        let text = format!("[extension]\nid = \"{id}\"\n[project]\napi = \"embedded\"\n");
        let e = load_err(&text);
        assert_eq!(e.key.as_deref(), Some("extension.id"));
        assert!(
            e.message.contains("names.md_pipes of the embedded API"),
            "{}",
            e.message
        );
    }
}
