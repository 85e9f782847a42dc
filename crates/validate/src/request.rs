//! One validation run as the `x4pipe validate` command asks for it: which paths,
//! which schemas, which game files for diff patches; what it found and the verdict.
//! Plain data in and out: the binary (`src/cli/validate.rs`) owns the arguments,
//! the printing and the exit code.

use std::path::PathBuf;
use std::time::Instant;

use crate::batch::{collect_files, validate_files, FileReport};
use crate::cache::VerdictCache;
use crate::diagnostic::{codes, Diagnostic};
use crate::engine::{LoadError, SchemaPlan};
use crate::kind::FileKind;
use crate::patch::{check_patch_files, BaseLookup, DirLookup};
use crate::schemas::{SchemaSource, HOW_TO_GET_SCHEMAS};

/// What to validate and how.
#[derive(Debug, Clone, Default)]
pub struct ValidateRequest {
    /// Files or folders (folders are searched for *.xml recursively); none: `.`.
    pub paths: Vec<PathBuf>,
    /// Folders with the game's schemas, first wins (see [`SchemaSource::discover_all`]).
    pub schemas: Vec<PathBuf>,
    /// Do not read or write the verdict cache.
    pub no_cache: bool,
    /// Validation threads (0: one per core).
    pub jobs: usize,
    /// Folder of the game's extracted files that `<diff>` patches apply to.
    pub base: Option<PathBuf>,
    /// Treat each path as an extension folder (or a folder of them) and report
    /// operations of different extensions that touch the same nodes.
    pub conflicts: bool,
}

/// Why a run could not start: usage errors, and schemas that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error(transparent)]
    Schemas(#[from] LoadError),
    #[error("--base {} is not a folder", .0.display())]
    BaseNotAFolder(PathBuf),
    /// The `--base` folder could not be read.
    #[error("{0}")]
    Base(String),
    #[error("--conflicts needs the game's files: pass --base DIR (extracted files) or --game-dir")]
    ConflictsNeedGameFiles,
    /// The extensions given to `--conflicts` could not be read.
    #[error("{0}")]
    Conflicts(String),
}

/// The verdict of a run; the binary turns it into the exit code (0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every file is valid.
    Valid,
    /// At least one file is invalid.
    Invalid,
    /// A file or schema could not be read, or a path does not exist.
    Failed,
}

/// What one run found, and its verdict.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub reports: Vec<FileReport>,
    /// Findings not tied to a validated file (a path that does not exist).
    pub extra: Vec<Diagnostic>,
    pub verdict: Verdict,
    pub elapsed: std::time::Duration,
}

impl Outcome {
    pub fn valid_files(&self) -> usize {
        self.reports.iter().filter(|r| r.is_valid()).count()
    }
    pub fn invalid_files(&self) -> usize {
        self.reports.len() - self.valid_files()
    }
    pub fn cached_files(&self) -> usize {
        self.reports.iter().filter(|r| r.cached).count()
    }
}

/// Validate what `args` names and reach a verdict, without writing anything.
/// `Err` is a usage error (a schema folder that does not exist).
pub fn execute(args: &ValidateRequest) -> Result<Outcome, ValidateError> {
    execute_with(args, None)
}

/// [`execute`] with the game's files for diff patches given by the caller (the
/// binary reads them from the game's catalogs for `--game-dir`); without them,
/// `--base DIR` is used when given.
pub fn execute_with(
    args: &ValidateRequest,
    lookup: Option<&dyn BaseLookup>,
) -> Result<Outcome, ValidateError> {
    let started = Instant::now();
    let source = SchemaSource::discover_all(&args.schemas);
    let plan = SchemaPlan::load(&source)?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let dir_lookup = match (&args.base, lookup) {
        (Some(dir), None) => {
            if !dir.is_dir() {
                return Err(ValidateError::BaseNotAFolder(dir.clone()));
            }
            Some(DirLookup::new(dir).map_err(ValidateError::Base)?)
        }
        _ => None,
    };
    let lookup = lookup.or(dir_lookup.as_ref().map(|l| l as &dyn BaseLookup));
    let cache = if args.no_cache {
        None
    } else {
        VerdictCache::default_location()
    };
    if args.conflicts {
        let lookup = lookup.ok_or(ValidateError::ConflictsNeedGameFiles)?;
        let found =
            crate::patch::check_conflicts(lookup, &paths).map_err(ValidateError::Conflicts)?;
        return Ok(conflict_outcome(found, started));
    }
    let (files, mut extra) = collect_files(&paths);
    let reports = match lookup {
        Some(lookup) => {
            let (reports, earlier) =
                validate_with_patches(&plan, &files, lookup, cache.as_ref(), args.jobs);
            extra.extend(earlier);
            reports
        }
        None => validate_files(&plan, &files, cache.as_ref(), args.jobs),
    };
    let patches = match lookup {
        Some(_) => 0,
        None => reports
            .iter()
            .filter(|r| r.kind == FileKind::Other && is_diff_file(&r.path))
            .count(),
    };
    if patches > 0 {
        extra.push(Diagnostic::file_level(
            "x4pipe",
            crate::Severity::Note,
            codes::WELL_FORMED_ONLY,
            format!(
                "{patches} diff patch{} only checked for well-formedness: pass --base DIR or --game-dir to apply {} to the game's files",
                if patches == 1 { " was" } else { "es were" },
                if patches == 1 { "it" } else { "them" }
            ),
        ));
    }
    let schemaless: Vec<FileKind> = [FileKind::Md, FileKind::AiScript, FileKind::Ui]
        .into_iter()
        .filter(|k| !plan.has_schema(*k) && reports.iter().any(|r| r.kind == *k))
        .collect();
    if !schemaless.is_empty() {
        let kinds: Vec<&str> = schemaless.iter().map(|k| k.as_str()).collect();
        extra.push(Diagnostic::file_level(
            "x4pipe",
            crate::Severity::Warning,
            codes::WELL_FORMED_ONLY,
            format!(
                "no game schemas for {} files: checked well-formedness only; {HOW_TO_GET_SCHEMAS}",
                kinds.join(", ")
            ),
        ));
    }
    // A file the input rule refused (a link, a pipe) is bad input, not trouble.
    let failed = extra
        .iter()
        .any(|d| d.is_error() && d.code != codes::REFUSED)
        || reports.iter().any(FileReport::is_failure);
    let invalid = reports.iter().any(|r| !r.is_valid()) || extra.iter().any(|d| d.is_error());
    let verdict = if failed {
        Verdict::Failed
    } else if invalid {
        Verdict::Invalid
    } else {
        Verdict::Valid
    };
    Ok(Outcome {
        reports,
        extra,
        verdict,
        elapsed: started.elapsed(),
    })
}

/// Diff patches (found by their root) checked against the game's files, the other
/// files validated as usual; reports in the order of `files`, and the findings
/// about game files.
fn validate_with_patches(
    plan: &SchemaPlan,
    files: &[PathBuf],
    lookup: &dyn BaseLookup,
    cache: Option<&VerdictCache>,
    jobs: usize,
) -> (Vec<FileReport>, Vec<Diagnostic>) {
    let (diffs, plain): (Vec<usize>, Vec<usize>) =
        (0..files.len()).partition(|i| is_diff_file(&files[*i]));
    let diff_paths: Vec<PathBuf> = diffs.iter().map(|i| files[*i].clone()).collect();
    let plain_paths: Vec<PathBuf> = plain.iter().map(|i| files[*i].clone()).collect();
    let (patched, earlier) = check_patch_files(plan, &diff_paths, lookup, cache, jobs);
    let validated = validate_files(plan, &plain_paths, cache, jobs);
    let mut all: Vec<(usize, FileReport)> = diffs
        .into_iter()
        .zip(patched)
        .chain(plain.into_iter().zip(validated))
        .collect();
    all.sort_by_key(|(i, _)| *i);
    (all.into_iter().map(|(_, r)| r).collect(), earlier)
}

/// Whether a file's root element is `<diff>` (a cheap sniff of its start).
fn is_diff_file(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    head.truncate(n);
    crate::patch::is_diff(&head)
}

/// The findings of `--conflicts`, one report per patch file that has any.
fn conflict_outcome(found: Vec<Diagnostic>, started: Instant) -> Outcome {
    let mut by_file: std::collections::BTreeMap<String, Vec<Diagnostic>> = Default::default();
    let mut extra = Vec::new();
    for d in found {
        if std::path::Path::new(&d.file).is_file() {
            by_file.entry(d.file.clone()).or_default().push(d);
        } else {
            extra.push(d);
        }
    }
    let reports: Vec<FileReport> = by_file
        .into_iter()
        .map(|(file, diagnostics)| FileReport {
            path: PathBuf::from(&file),
            kind: FileKind::Other,
            source: std::fs::read(&file).ok(),
            diagnostics,
            cached: false,
        })
        .collect();
    let invalid = reports.iter().any(|r| !r.is_valid()) || extra.iter().any(|d| d.is_error());
    Outcome {
        reports,
        extra,
        verdict: if invalid {
            Verdict::Invalid
        } else {
            Verdict::Valid
        },
        elapsed: started.elapsed(),
    }
}

/// The one-line summary of a run (the binary prints it after the findings):
/// `validated 24 files: 23 valid, 1 invalid (24 from cache) in 0.05s`
pub fn summary(o: &Outcome) -> String {
    let n = o.reports.len();
    let mut s = format!(
        "validated {n} file{}: {} valid, {} invalid",
        if n == 1 { "" } else { "s" },
        o.valid_files(),
        o.invalid_files()
    );
    if o.cached_files() > 0 {
        s.push_str(&format!(" ({} from cache)", o.cached_files()));
    }
    let errors = o.extra.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        s.push_str(&format!(
            ", {errors} path error{}",
            if errors == 1 { "" } else { "s" }
        ));
    }
    s.push_str(&format!(" in {:.2}s", o.elapsed.as_secs_f64()));
    s
}
