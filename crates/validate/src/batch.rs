//! Many files: find them, validate them in parallel with one compiled schema per
//! kind, consult the verdict cache.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::cache::VerdictCache;
use crate::diagnostic::{codes, Diagnostic, Severity};
use crate::engine::{read_file, SchemaPlan, Validator};
use crate::kind::FileKind;
use x4pipe_files::input::Origin;

/// The result for one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub kind: FileKind,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the findings came from the verdict cache.
    pub cached: bool,
    /// The file's bytes when there are findings with a line (to show the source).
    pub source: Option<Vec<u8>>,
}

impl FileReport {
    /// No error findings (warnings and notes allowed).
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The file could not be checked (unreadable, schema broken): exit code 2.
    pub fn is_failure(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.is_error() && (d.code == codes::IO || d.code == codes::SCHEMA))
    }
}

/// The files to validate: each file as given, and every `*.xml` under each folder
/// (recursively, sorted, hidden folders skipped). A path that does not exist is
/// returned in the error list, and so is what x4pipe's input rule refuses inside a
/// folder: a link named `*.xml` or to a folder (never followed), and a named pipe,
/// socket or device named `*.xml` (code [`codes::REFUSED`]).
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files, &mut errors);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            let shown = p.display().to_string();
            errors.push(Diagnostic::file_level(
                &shown,
                Severity::Error,
                codes::IO,
                "no such file or folder",
            ));
        }
    }
    (files, errors)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            let shown = dir.display().to_string();
            errors.push(Diagnostic::file_level(
                &shown,
                Severity::Error,
                codes::IO,
                format!("cannot read folder: {e}"),
            ));
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let hidden = name.to_string_lossy().starts_with('.');
        let xml = path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("xml"));
        // file_type does not follow symlinks: a linked folder is never walked (no
        // loops, nothing outside the folder), and a linked file never read.
        let Ok(t) = entry.file_type() else { continue };
        if t.is_dir() {
            if !hidden {
                walk(&path, files, errors);
            }
        } else if t.is_file() {
            if xml {
                files.push(path);
            }
        } else {
            let linked_folder = t.is_symlink() && !hidden && path.is_dir();
            if xml || linked_folder {
                if let Err(e) = x4pipe_files::input::check_found(&path, &t) {
                    errors.push(crate::engine::input_finding(&e));
                }
            }
        }
    }
}

/// About how many bytes of instance text one thread validates in the time it takes to
/// compile `md.xsd` + `common.xsd` (measured: ~7 MB/s validation, ~0.9 s compile).
/// A second thread compiles its own copy of a schema (the engine's compiled sets
/// cannot be shared between threads), so it only pays off beyond this much text.
const BYTES_PER_COMPILE: usize = 6 * 1024 * 1024;

struct Pending {
    index: usize,
    kind: FileKind,
    /// The verdict cache key (0 without a cache).
    key: u128,
    bytes: Vec<u8>,
}

/// How many bytes of files a run reads before validating them: files are read (and
/// their bytes held) in batches of about this size, so a folder of many large files
/// cannot exhaust memory. A batch holds at least one file (each at most
/// [`MAX_FILE_BYTES`](crate::MAX_FILE_BYTES)).
const BATCH_BYTES: u64 = 512 * 1024 * 1024;

/// How many bytes of source the reports keep in all, to show the lines of findings;
/// files past this are reported without their source lines.
const KEPT_SOURCE_BYTES: usize = 256 * 1024 * 1024;

/// Validate `files` on up to `jobs` threads (0 = one per core), consulting `cache`.
/// Reports come back in the order of `files`. Memory stays bounded: files are read
/// in batches of [`BATCH_BYTES`], and the reports keep at most [`KEPT_SOURCE_BYTES`]
/// of source.
pub fn validate_files(
    plan: &SchemaPlan,
    files: &[PathBuf],
    cache: Option<&VerdictCache>,
    jobs: usize,
) -> Vec<FileReport> {
    let mut reports = Vec::with_capacity(files.len());
    let mut start = 0;
    while start < files.len() {
        let (mut end, mut total) = (start, 0u64);
        while end < files.len() {
            // The size the read will be capped at; a stat, not a read.
            let len = std::fs::metadata(&files[end])
                .map_or(0, |m| m.len())
                .min(crate::MAX_FILE_BYTES as u64);
            if end > start && total + len > BATCH_BYTES {
                break;
            }
            total += len;
            end += 1;
        }
        reports.extend(validate_batch(plan, &files[start..end], cache, jobs));
        start = end;
    }
    let mut kept = 0usize;
    for r in &mut reports {
        if let Some(source) = &r.source {
            if kept + source.len() > KEPT_SOURCE_BYTES {
                r.source = None;
            } else {
                kept += source.len();
            }
        }
    }
    reports
}

/// [`validate_files`] for one batch, all read at once.
fn validate_batch(
    plan: &SchemaPlan,
    files: &[PathBuf],
    cache: Option<&VerdictCache>,
    jobs: usize,
) -> Vec<FileReport> {
    let jobs = if jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        jobs
    };
    let mut reports: Vec<Option<FileReport>> = files.iter().map(|_| None).collect();
    let mut pending: Vec<Pending> = Vec::new();
    // Read, sniff and look up every file first: a run of unchanged files ends here
    // without compiling anything.
    for (index, path) in files.iter().enumerate() {
        let shown = path.display().to_string();
        // Named: the walk already refused what it found that is not a regular file.
        let bytes = match read_file(path, Origin::Named) {
            Ok(b) => b,
            Err(d) => {
                reports[index] = Some(FileReport {
                    path: path.clone(),
                    kind: FileKind::from_path(path),
                    diagnostics: vec![d],
                    cached: false,
                    source: None,
                });
                continue;
            }
        };
        let kind = FileKind::detect(path, &bytes);
        // Hashing the content is only worth it with a cache to look in.
        let key = cache.map_or(0, |_| {
            VerdictCache::key(kind, plan.schema_hash(kind), &bytes)
        });
        match cache.and_then(|c| c.get(key, &shown)) {
            Some(found) => reports[index] = Some(report(path, kind, found, true, bytes)),
            None => pending.push(Pending {
                index,
                kind,
                key,
                bytes,
            }),
        }
    }
    let chunks = plan_chunks(plan, pending, jobs);
    let queue = Mutex::new(chunks);
    let done = Mutex::new(Vec::new());
    let workers = jobs.clamp(1, queue.lock().map_or(1, |q| q.len().max(1)));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                // Each worker compiles (lazily) the schemas of the chunks it takes.
                let validator = Validator::from_plan(plan.clone());
                loop {
                    let chunk = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
                    let Some(chunk) = chunk else { break };
                    for p in chunk {
                        let shown = files[p.index].display().to_string();
                        let found = validator.validate_bytes(&shown, &p.bytes, p.kind);
                        done.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((p, found));
                    }
                }
            });
        }
    });
    for (p, found) in done.into_inner().unwrap_or_else(|e| e.into_inner()) {
        if let Some(c) = cache {
            c.put(p.key, &found);
        }
        reports[p.index] = Some(report(&files[p.index], p.kind, found, false, p.bytes));
    }
    reports
        .into_iter()
        .map(|r| r.expect("every file gets a report"))
        .collect()
}

fn report(
    path: &Path,
    kind: FileKind,
    diagnostics: Vec<Diagnostic>,
    cached: bool,
    bytes: Vec<u8>,
) -> FileReport {
    let source = diagnostics.iter().any(|d| d.line > 0).then_some(bytes);
    FileReport {
        path: path.to_path_buf(),
        kind,
        diagnostics,
        cached,
        source,
    }
}

/// Split the files to validate into chunks, one schema per chunk; a kind gets
/// several chunks (so several compiles) only when it has enough text. The queue is
/// popped from the end, so the costliest chunks go last in the vector.
fn plan_chunks(plan: &SchemaPlan, pending: Vec<Pending>, jobs: usize) -> Vec<Vec<Pending>> {
    let mut by_kind: Vec<(FileKind, Vec<Pending>)> = Vec::new();
    for p in pending {
        let kind = if plan.has_schema(p.kind) {
            p.kind
        } else {
            FileKind::Other
        };
        match by_kind.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, v)) => v.push(p),
            None => by_kind.push((kind, vec![p])),
        }
    }
    let mut chunks: Vec<(usize, Vec<Pending>)> = Vec::new();
    for (kind, files) in by_kind {
        let total: usize = files.iter().map(|p| p.bytes.len()).sum();
        let heavy = matches!(kind, FileKind::Md | FileKind::AiScript);
        let n = if heavy {
            total.div_ceil(BYTES_PER_COMPILE).clamp(1, jobs.max(1))
        } else {
            1
        };
        let n = n.min(files.len());
        let mut parts: Vec<(usize, Vec<Pending>)> = (0..n).map(|_| (0, Vec::new())).collect();
        let mut files = files;
        // Largest first onto the lightest part: balanced by bytes.
        files.sort_by_key(|p| std::cmp::Reverse(p.bytes.len()));
        for p in files {
            let part = parts.iter_mut().min_by_key(|(b, _)| *b).expect("n >= 1");
            part.0 += p.bytes.len();
            part.1.push(p);
        }
        let compile_cost = if heavy { BYTES_PER_COMPILE } else { 0 };
        chunks.extend(parts.into_iter().map(|(b, v)| (b + compile_cost, v)));
    }
    chunks.sort_by_key(|(cost, _)| *cost);
    chunks.into_iter().map(|(_, v)| v).collect()
}
