//! The validator: compiled schemas per kind, and one validation run per file.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use xsd_schema::SchemaSetBuilder;

use crate::cache::VerdictCache;
use crate::compiled::{build, compile, hash_bytes, Compiled, SchemaLocation};
use crate::diagnostic::{codes, Diagnostic, Severity};
use crate::document::validate_document;
use crate::kind::FileKind;
use crate::precheck::MAX_FILE_BYTES;
use crate::schemas::{SchemaSource, CONTENT_XSD, HOW_TO_GET_SCHEMAS};
use x4pipe_files::input::{InputError, Origin};

/// Errors of [`Validator::load`] and [`SchemaPlan::load`].
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A configured schema folder does not exist.
    #[error("schema folder {} does not exist", .0.display())]
    MissingDir(PathBuf),
    /// A schema file could not be read (the I/O error is the source, not repeated).
    #[error("cannot read schema {}", .0.display())]
    Io(PathBuf, #[source] std::io::Error),
}

#[derive(Debug, Clone)]
struct PlanSlot {
    kind: FileKind,
    origin: Option<SchemaLocation>,
    hash: u128,
}

/// Which schema each kind uses, and its fingerprint: found once, shared by every
/// worker thread (it is `Send + Sync + Clone`), before anything is compiled.
#[derive(Debug, Clone)]
pub struct SchemaPlan {
    source: SchemaSource,
    slots: Vec<PlanSlot>,
}

impl SchemaPlan {
    /// Find the schema of each kind in `source` and fingerprint it.
    pub fn load(source: &SchemaSource) -> Result<SchemaPlan, LoadError> {
        if let Some(dir) = source.missing_dirs().first() {
            return Err(LoadError::MissingDir(dir.to_path_buf()));
        }
        let mut slots = Vec::new();
        for kind in FileKind::SCHEMA_KINDS {
            let (origin, hash) = match kind {
                FileKind::Content => (
                    Some(SchemaLocation::Embedded),
                    hash_bytes(&[CONTENT_XSD.as_bytes()]),
                ),
                _ => match source.locate(kind) {
                    Some(path) => {
                        let hash = hash_schema_dir(&path)?;
                        (Some(SchemaLocation::File(path)), hash)
                    }
                    None => (None, 0),
                },
            };
            slots.push(PlanSlot { kind, origin, hash });
        }
        Ok(SchemaPlan {
            source: source.clone(),
            slots,
        })
    }

    pub fn source(&self) -> &SchemaSource {
        &self.source
    }

    /// Where the schema for `kind` comes from, `None` when there is none.
    pub fn schema_origin(&self, kind: FileKind) -> Option<&SchemaLocation> {
        self.slots.iter().find(|s| s.kind == kind)?.origin.as_ref()
    }

    /// Whether files of `kind` are checked against a schema (else well-formedness only).
    pub fn has_schema(&self, kind: FileKind) -> bool {
        self.schema_origin(kind).is_some()
    }

    /// A fingerprint of the schema used for `kind`: the content of every `.xsd` beside
    /// its main schema file (so an edited `common.xsd` counts), or of the embedded
    /// schema. `0` without a schema. Keys the verdict cache.
    pub fn schema_hash(&self, kind: FileKind) -> u128 {
        self.slots
            .iter()
            .find(|s| s.kind == kind)
            .map_or(0, |s| s.hash)
    }
}

/// Validates X4 files against the schema of their kind.
///
/// [`load`](Self::load) finds the schemas and fingerprints them (cheap); each kind's
/// schema is compiled the first time a file of that kind is validated (about a second
/// for `md.xsd` + `common.xsd`).
///
/// A `Validator` belongs to one thread: the engine interns names while it validates,
/// so a compiled schema set cannot be shared between threads (and cannot be cloned).
/// To validate in parallel, give each thread its own `Validator` made with
/// [`from_plan`](Self::from_plan) from one [`SchemaPlan`]; [`crate::validate_files`]
/// does that, and compiles a kind on a second thread only when there is enough of it
/// to pay for the second compile.
pub struct Validator {
    plan: SchemaPlan,
    compiled: Vec<(FileKind, OnceCell<Result<Compiled, String>>)>,
    /// An empty schema set: validating laxly against it checks well-formedness only.
    bare: OnceCell<Result<Compiled, String>>,
}

impl Validator {
    /// Find the schemas in `source` ([`SchemaPlan::load`]); nothing is compiled yet.
    pub fn load(source: &SchemaSource) -> Result<Validator, LoadError> {
        Ok(Self::from_plan(SchemaPlan::load(source)?))
    }

    /// A validator for an already found set of schemas (one per thread).
    pub fn from_plan(plan: SchemaPlan) -> Validator {
        let compiled = FileKind::SCHEMA_KINDS
            .iter()
            .map(|k| (*k, OnceCell::new()))
            .collect();
        Validator {
            plan,
            compiled,
            bare: OnceCell::new(),
        }
    }

    pub fn plan(&self) -> &SchemaPlan {
        &self.plan
    }

    /// See [`SchemaPlan::has_schema`].
    pub fn has_schema(&self, kind: FileKind) -> bool {
        self.plan.has_schema(kind)
    }

    /// See [`SchemaPlan::schema_hash`].
    pub fn schema_hash(&self, kind: FileKind) -> u128 {
        self.plan.schema_hash(kind)
    }

    /// Compile the schema of `kind` now (it is otherwise compiled on first use).
    /// The error is the schema's own error message.
    pub fn preload(&self, kind: FileKind) -> Result<(), String> {
        self.compiled(kind).map(|_| ())
    }

    fn compiled(&self, kind: FileKind) -> Result<&Compiled, String> {
        let (Some(origin), Some((_, cell))) = (
            self.plan.schema_origin(kind),
            self.compiled.iter().find(|(k, _)| *k == kind),
        ) else {
            return self.bare_compiled();
        };
        cell.get_or_init(|| compile(origin))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn bare_compiled(&self) -> Result<&Compiled, String> {
        self.bare
            .get_or_init(|| {
                let xsd = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>"#;
                build(SchemaSetBuilder::new().add_source(xsd, "x4pipe:bare.xsd"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Validate one document. `path` is only used in messages; `kind` picks the
    /// schema (see [`FileKind::detect`]). Returns every finding, ordered by position;
    /// no errors (notes allowed) means valid. Never panics on bad input: malformed,
    /// binary, empty, huge and non-UTF-8 files each get an error.
    pub fn validate_bytes(&self, path: &str, bytes: &[u8], kind: FileKind) -> Vec<Diagnostic> {
        if let Some(d) = crate::precheck::precheck(path, bytes) {
            return vec![d];
        }
        let with_schema = self.has_schema(kind);
        let compiled = match self.compiled(kind) {
            Ok(c) => c,
            Err(e) => {
                let msg = format!("the {kind} schema could not be compiled: {e}");
                return vec![Diagnostic::file_level(
                    path,
                    Severity::Error,
                    codes::SCHEMA,
                    msg,
                )];
            }
        };
        let mut out = validate_document(compiled, path, bytes, !with_schema);
        if kind == FileKind::Content && with_schema && !out.iter().any(Diagnostic::is_error) {
            out.extend(crate::content::unknown_parts(path, bytes));
        }
        if !with_schema && !out.iter().any(Diagnostic::is_error) {
            let why = match kind {
                FileKind::Other => {
                    "no schema for this kind of file; checked well-formedness only".to_string()
                }
                _ => format!(
                    "no {} found; checked well-formedness only ({HOW_TO_GET_SCHEMAS})",
                    kind.schema_file_name().unwrap_or("schema")
                ),
            };
            out.push(Diagnostic::file_level(
                path,
                Severity::Note,
                codes::WELL_FORMED_ONLY,
                why,
            ));
        }
        out
    }

    /// [`validate_bytes`](Self::validate_bytes) through the verdict cache: a file
    /// whose content and schema were seen before is not validated again. Returns the
    /// findings and whether they came from the cache.
    pub fn validate_cached(
        &self,
        path: &str,
        bytes: &[u8],
        kind: FileKind,
        cache: Option<&VerdictCache>,
    ) -> (Vec<Diagnostic>, bool) {
        let key = VerdictCache::key(kind, self.schema_hash(kind), bytes);
        if let Some(found) = cache.and_then(|c| c.get(key, path)) {
            return (found, true);
        }
        let found = self.validate_bytes(path, bytes, kind);
        if let Some(c) = cache {
            c.put(key, &found);
        }
        (found, false)
    }

    /// Read and validate one file; an unreadable file is one `io-error` finding.
    pub fn validate_file(&self, path: &Path) -> (FileKind, Vec<Diagnostic>) {
        let shown = path.display().to_string();
        match read_file(path, Origin::Named) {
            Ok(bytes) => {
                let kind = FileKind::detect(path, &bytes);
                (kind, self.validate_bytes(&shown, &bytes, kind))
            }
            Err(d) => (FileKind::from_path(path), vec![d]),
        }
    }
}

/// Read a file for validation under x4pipe's input rule (`x4pipe_files::input`):
/// regular files only, links followed only when named by the user, huge files
/// refused before reading. The error is the finding itself (rare, so its size does
/// not matter).
#[allow(clippy::result_large_err)]
pub(crate) fn read_file(path: &Path, origin: Origin) -> Result<Vec<u8>, Diagnostic> {
    x4pipe_files::input::read(path, origin, MAX_FILE_BYTES as u64).map_err(|e| input_finding(&e))
}

/// The finding for a file the input rule refused or could not read.
pub(crate) fn input_finding(e: &InputError) -> Diagnostic {
    let shown = e.path().display().to_string();
    let (code, message) = match e {
        InputError::TooLarge { size, max, .. } => (
            codes::TOO_LARGE,
            format!("file is {size} bytes; x4pipe validates files up to {max} bytes"),
        ),
        InputError::Io { source, .. } => (codes::IO, format!("cannot read file: {source}")),
        InputError::Symlink { .. } => (
            codes::REFUSED,
            "is a symbolic link; x4pipe does not follow links it finds inside folders (validate its target by naming it)".to_string(),
        ),
        InputError::NotRegular { what, .. } => (
            codes::REFUSED,
            format!("is {what}, not a regular file; x4pipe only reads regular files"),
        ),
    };
    Diagnostic::file_level(&shown, Severity::Error, code, message)
}

/// Fingerprint every `.xsd` in the folder of `main` (by name and content, in name
/// order), because the main schema includes its neighbours.
fn hash_schema_dir(main: &Path) -> Result<u128, LoadError> {
    let dir = main.parent().unwrap_or(Path::new("."));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| LoadError::Io(dir.to_path_buf(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        // Every *.xsd but folders: a pipe or device among them is refused below,
        // before the schema engine opens it (and would wait on it).
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xsd")) && !p.is_dir())
        .collect();
    files.sort();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(
        main.file_name()
            .map(|n| n.as_encoded_bytes())
            .unwrap_or_default(),
    );
    for f in files {
        // The user's schema folder: links followed, but regular files only.
        let bytes = x4pipe_files::input::read(&f, Origin::Named, MAX_FILE_BYTES as u64).map_err(
            |e| match e {
                InputError::Io { source, .. } => LoadError::Io(f.clone(), source),
                refused => LoadError::Io(f.clone(), std::io::Error::other(refused.to_string())),
            },
        )?;
        h.update(
            f.file_name()
                .map(|n| n.as_encoded_bytes())
                .unwrap_or_default(),
        );
        h.update(&hash_bytes(&[&bytes]).to_le_bytes());
    }
    Ok(h.digest128())
}
