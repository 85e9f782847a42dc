//! Verdict cache: the findings for a file, keyed by what decides them.
//!
//! The engine cannot serialize a compiled schema set, so the compile itself cannot be
//! cached. What is cached instead is each file's result, under a key made of this
//! crate's version, the file kind, the schema fingerprint
//! ([`Validator::schema_hash`](crate::Validator::schema_hash)) and the file's bytes. A
//! run whose files all hit never compiles a schema. Entries hold the findings without
//! the file name, which is filled in on read, so a hit is identical to a fresh result.

use std::path::{Path, PathBuf};

use crate::compiled::hash_bytes;
use crate::diagnostic::Diagnostic;
use crate::kind::FileKind;

/// Environment variable naming the cache folder (else the platform cache folder).
pub const CACHE_ENV: &str = "X4PIPE_CACHE_DIR";

/// Bump when the meaning of an entry changes.
const FORMAT: &str = "v1";

/// A folder of cached verdicts.
#[derive(Debug, Clone)]
pub struct VerdictCache {
    dir: PathBuf,
}

impl VerdictCache {
    /// The cache in `dir` (created on first write).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        VerdictCache {
            dir: dir.into().join(FORMAT),
        }
    }

    /// `$X4PIPE_CACHE_DIR`, else `<platform cache dir>/x4pipe/validate`; `None` when
    /// neither is known.
    pub fn default_location() -> Option<Self> {
        match std::env::var_os(CACHE_ENV) {
            Some(d) if !d.is_empty() => Some(Self::at(d)),
            _ => dirs::cache_dir().map(|d| Self::at(d.join("x4pipe").join("validate"))),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a file's verdict.
    pub fn key(kind: FileKind, schema_hash: u128, bytes: &[u8]) -> u128 {
        let version = env!("CARGO_PKG_VERSION").as_bytes();
        hash_bytes(&[
            version,
            kind.as_str().as_bytes(),
            &schema_hash.to_le_bytes(),
            bytes,
        ])
    }

    fn entry(&self, key: u128) -> PathBuf {
        self.dir.join(format!("{key:032x}.json"))
    }

    /// The cached findings, with `file` set to `shown`; `None` on a miss or an
    /// unreadable entry (which is then simply recomputed).
    pub fn get(&self, key: u128, shown: &str) -> Option<Vec<Diagnostic>> {
        let text = std::fs::read(self.entry(key)).ok()?;
        let mut found: Vec<Diagnostic> = serde_json::from_slice(&text).ok()?;
        for d in &mut found {
            d.file = shown.to_string();
        }
        Some(found)
    }

    /// Store findings. Failures are ignored: the cache only saves time. The one
    /// policy of what is a verdict lives here: findings of a schema that failed to
    /// compile say nothing about the file and are not stored.
    pub fn put(&self, key: u128, findings: &[Diagnostic]) {
        if findings
            .iter()
            .any(|d| d.code == crate::diagnostic::codes::SCHEMA)
        {
            return;
        }
        let stripped: Vec<Diagnostic> = findings
            .iter()
            .map(|d| Diagnostic {
                file: String::new(),
                ..d.clone()
            })
            .collect();
        self.write(key, &stripped);
    }

    /// Findings about several files (a diff patch's base and the patches before
    /// it), stored with their file names.
    pub fn put_named(&self, key: u128, findings: &[Diagnostic]) {
        self.write(key, findings);
    }

    /// What [`put_named`](Self::put_named) stored.
    pub fn get_named(&self, key: u128) -> Option<Vec<Diagnostic>> {
        serde_json::from_slice(&std::fs::read(self.entry(key)).ok()?).ok()
    }

    fn write(&self, key: u128, findings: &[Diagnostic]) {
        let Ok(text) = serde_json::to_vec(findings) else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        // Write aside and rename, so a concurrent run never reads half an entry.
        let tmp = self.dir.join(format!(
            "{key:032x}.{}.{:?}.tmp",
            std::process::id(),
            std::thread::current().id()
        ));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, self.entry(key)).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{codes, Severity};

    /// A schema that failed to compile says nothing about the file: whoever stores
    /// verdicts (`validate`, `build`), such a verdict is never cached.
    #[test]
    fn a_schema_error_is_not_a_verdict_and_is_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = VerdictCache::at(dir.path());
        let schema_error = Diagnostic::file_level(
            "a.xml",
            Severity::Error,
            codes::SCHEMA,
            "bad schema".to_string(),
        );
        cache.put(1, std::slice::from_ref(&schema_error));
        assert!(cache.get(1, "a.xml").is_none());
        let finding = Diagnostic::file_level("a.xml", Severity::Error, codes::IO, "x".to_string());
        cache.put(2, std::slice::from_ref(&finding));
        assert_eq!(cache.get(2, "a.xml").unwrap().len(), 1);
    }
}
