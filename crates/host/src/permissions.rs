//! Which extensions may run Python: the player's permissions file, in the original
//! host's format (a JSON object of extension id -> true, plus an `instructions` text),
//! and `--allow` ids. Loading arbitrary Python is unsafe, so an extension runs nothing
//! until the player allows it.
//!
//! The file is read again at every check, so a player who allows an extension only
//! has to reload the save (the game registers its modules again), not restart the host.

use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The text the generated file explains itself with.
pub const INSTRUCTIONS: &str = "x4pipe host runs the Python modules of an extension only if \
     its id (the id attribute of <content> in the extension's content.xml) is set to true \
     here, e.g. \"my_mod\": true. The host reads this file again whenever the game \
     registers modules: after editing, reload the save.";

/// Workshop id of the SirNukes Mod Support APIs, allowed in the original host's
/// generated file: kept so its modules run as they did there.
pub const MOD_SUPPORT_APIS: &str = "ws_2042901274";

/// Where the file is by default: `$XDG_CONFIG_HOME/x4pipe/permissions.json` (else
/// `~/.config/...`) on Linux, `%APPDATA%\x4pipe\permissions.json` on Windows.
pub fn default_path() -> Option<PathBuf> {
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
    }?;
    Some(base.join("x4pipe").join("permissions.json"))
}

#[derive(Debug)]
pub struct Permissions {
    path: PathBuf,
    cli: BTreeSet<String>,
}

/// The answer for one extension id.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Not allowed; the text says how to allow it.
    Refused(String),
}

impl Permissions {
    /// Checks (or creates, with instructions) the file at `path`. `Ok(true)` in the
    /// second field: the file was created now.
    pub fn open(path: &Path, allow: &[String]) -> Result<(Permissions, bool)> {
        let created = if path.exists() {
            read(path)?;
            false
        } else {
            write_default(path)?;
            true
        };
        Ok((
            Permissions {
                path: path.to_path_buf(),
                cli: allow.iter().cloned().collect(),
            },
            created,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// May the extension with this id run Python?
    pub fn check(&self, ext_id: &str) -> Verdict {
        if self.cli.contains(ext_id) {
            return Verdict::Allowed;
        }
        let how = format!(
            "to allow it, set \"{ext_id}\": true in {} (then reload the save) or start the host with --allow {ext_id}",
            self.path.display()
        );
        match read(&self.path) {
            Ok(allowed) if allowed.contains(ext_id) => Verdict::Allowed,
            Ok(_) => Verdict::Refused(format!(
                "extension {ext_id} is not allowed to run Python; {how}"
            )),
            Err(e) => Verdict::Refused(format!(
                "the permissions file is unusable ({}); {how}",
                e.one_line()
            )),
        }
    }
}

/// The ids set to `true`. Anything but a JSON object of booleans (and the
/// `instructions` text) is an error naming the key.
fn read(path: &Path) -> Result<BTreeSet<String>> {
    let bad = |detail: String| Error::Permissions {
        path: path.to_path_buf(),
        detail,
    };
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let serde_json::Value::Object(map) = value else {
        return Err(bad(
            "expected a JSON object of extension ids, like {\"my_mod\": true}".into(),
        ));
    };
    let mut allowed = BTreeSet::new();
    for (key, value) in map {
        match value {
            serde_json::Value::Bool(true) => {
                allowed.insert(key);
            }
            serde_json::Value::Bool(false) => {}
            serde_json::Value::String(_) if key == "instructions" => {}
            other => {
                return Err(bad(format!(
                    "key \"{key}\": expected true or false, found {other}"
                )))
            }
        }
    }
    Ok(allowed)
}

fn write_default(path: &Path) -> Result<()> {
    let io = |source| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut map = serde_json::Map::new();
    map.insert("instructions".into(), INSTRUCTIONS.into());
    map.insert(MOD_SUPPORT_APIS.into(), true.into());
    let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(map))
        .expect("a map of strings and booleans serialises");
    text.push('\n');
    // Written next to the target and renamed: never a half-written file.
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_on_first_run_with_instructions() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("sub/permissions.json");
        let (p, created) = Permissions::open(&path, &[]).unwrap();
        assert!(created);
        let text = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["instructions"], INSTRUCTIONS);
        assert_eq!(v[MOD_SUPPORT_APIS], true);
        assert_eq!(p.check(MOD_SUPPORT_APIS), Verdict::Allowed);
        let Verdict::Refused(why) = p.check("my_mod") else {
            panic!("my_mod is not allowed yet")
        };
        assert!(why.contains("\"my_mod\": true"), "{why}");
        assert!(why.contains("--allow my_mod"), "{why}");
        // The second run keeps the player's file.
        std::fs::write(&path, r#"{"my_mod": true, "other": false}"#).unwrap();
        let (p, created) = Permissions::open(&path, &["cli_mod".into()]).unwrap();
        assert!(!created);
        assert_eq!(p.check("my_mod"), Verdict::Allowed);
        assert!(matches!(p.check("other"), Verdict::Refused(_)));
        assert_eq!(p.check("cli_mod"), Verdict::Allowed);
        // Edits are seen without a restart.
        std::fs::write(&path, r#"{"other": true}"#).unwrap();
        assert_eq!(p.check("other"), Verdict::Allowed);
        assert!(matches!(p.check("my_mod"), Verdict::Refused(_)));
    }

    #[test]
    fn a_bad_file_is_an_error_naming_the_problem() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("permissions.json");
        std::fs::write(&path, "{\n  \"a\": true,\n  oops\n}").unwrap();
        let e = Permissions::open(&path, &[]).unwrap_err().to_string();
        assert!(
            e.contains("permissions.json: ") && e.contains("at line 3 column 3"),
            "{e}"
        );
        std::fs::write(&path, r#"{"a": "yes"}"#).unwrap();
        let e = Permissions::open(&path, &[]).unwrap_err().to_string();
        assert!(e.contains("key \"a\": expected true or false"), "{e}");
        std::fs::write(&path, "[]").unwrap();
        assert!(Permissions::open(&path, &[]).is_err());
        // The file is left as the player wrote it.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[]");
    }
}
