//! Many patch files: find each one's game file, apply the patches loaded before
//! it and then it, check the result, and keep the verdict in the cache (keyed by
//! the patch, the game file, the earlier patches and the schema).

use std::path::PathBuf;
use std::sync::Mutex;

use super::lookup::{virtual_path, BaseLookup};
use super::{check_patch, codes, Source};
use crate::batch::FileReport;
use crate::cache::VerdictCache;
use crate::compiled::hash_bytes;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{read_file, SchemaPlan, Validator};
use crate::kind::FileKind;

/// Patch bytes of text per thread before a second thread (which compiles the
/// schema again, ~1 s) pays off; see `batch::BYTES_PER_COMPILE`.
const BYTES_PER_THREAD: usize = 6 * 1024 * 1024;

/// The reports of patch files (in the order of `files`) and the findings about
/// other files they lead to (game files that were already invalid, earlier
/// patches that do not apply), deduplicated.
pub fn check_patch_files(
    plan: &SchemaPlan,
    files: &[PathBuf],
    lookup: &dyn BaseLookup,
    cache: Option<&VerdictCache>,
    jobs: usize,
) -> (Vec<FileReport>, Vec<Diagnostic>) {
    struct Job {
        index: usize,
        patch: Source,
        bytes: Vec<u8>,
        base: Source,
        chain: Vec<Source>,
        key: u128,
    }
    let mut reports: Vec<Option<FileReport>> = files.iter().map(|_| None).collect();
    let mut earlier: Vec<Diagnostic> = Vec::new();
    let mut jobs_todo = Vec::new();
    let fail = |index: usize, bytes: Option<Vec<u8>>, d: Diagnostic| FileReport {
        path: files[index].clone(),
        kind: FileKind::Other,
        diagnostics: vec![d],
        cached: false,
        source: bytes,
    };
    for (index, path) in files.iter().enumerate() {
        let shown = path.display().to_string();
        let bytes = match read_file(path, x4pipe_files::Origin::Named) {
            Ok(b) => b,
            Err(d) => {
                reports[index] = Some(fail(index, None, d));
                continue;
            }
        };
        if let Some(d) = crate::precheck::precheck(&shown, &bytes) {
            reports[index] = Some(fail(index, None, d));
            continue;
        }
        let text = String::from_utf8_lossy(&bytes)
            .trim_start_matches('\u{feff}')
            .to_string();
        let Some(vpath) = virtual_path(path) else {
            let d = Diagnostic::file_level(&shown, Severity::Error, codes::NO_BASE,
                "cannot tell which game file this patch changes: it is neither in an extension folder (with content.xml) nor under a game folder such as md/ or libraries/");
            reports[index] = Some(fail(index, Some(bytes), d));
            continue;
        };
        let found = match lookup.find(&vpath) {
            Ok(Some(f)) => f,
            Ok(None) => {
                let d = Diagnostic::file_level(&shown, Severity::Error, codes::NO_BASE,
                    format!("the game has no {vpath} for this patch to change (a new file would not be a <diff>)"));
                reports[index] = Some(fail(index, Some(bytes), d));
                continue;
            }
            Err(e) => {
                let d = Diagnostic::file_level(
                    &shown,
                    Severity::Error,
                    crate::diagnostic::codes::IO,
                    e,
                );
                reports[index] = Some(fail(index, Some(bytes), d));
                continue;
            }
        };
        let base_kind = FileKind::detect(std::path::Path::new(&vpath), found.base.text.as_bytes());
        let mut parts: Vec<&[u8]> =
            vec![b"x4pipe-diff", vpath.as_bytes(), found.base.text.as_bytes()];
        parts.extend(found.chain.iter().map(|c| c.text.as_bytes()));
        parts.push(&bytes);
        // Keyed by everything that decides the verdict: the patch, the game file,
        // the patches applied before it, and (through `key`) the schema.
        let key = VerdictCache::key(
            base_kind,
            plan.schema_hash(base_kind),
            &hash_bytes(&parts).to_le_bytes(),
        );
        if let Some(c) = cache {
            if let (Some(found_here), Some(found_before)) =
                (c.get(key, &shown), c.get_named(key ^ 1))
            {
                earlier.extend(found_before);
                reports[index] = Some(report(path, base_kind, found_here, true, bytes));
                continue;
            }
        }
        jobs_todo.push(Job {
            index,
            patch: Source::new(shown, text),
            bytes,
            base: found.base,
            chain: found.chain,
            key,
        });
    }
    let total: usize = jobs_todo
        .iter()
        .map(|j| j.base.text.len() + j.patch.text.len())
        .sum();
    let workers = total
        .div_ceil(BYTES_PER_THREAD)
        .clamp(1, jobs.max(1))
        .min(jobs_todo.len().max(1));
    let queue = Mutex::new(jobs_todo);
    let done = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let validator = Validator::from_plan(plan.clone());
                loop {
                    let job = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
                    let Some(job) = job else { break };
                    let r = check_patch(Some(&validator), &job.base, &job.chain, &job.patch);
                    done.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((job, r));
                }
            });
        }
    });
    for (job, r) in done.into_inner().unwrap_or_else(|e| e.into_inner()) {
        // The cache's policy decides what is a verdict (not a schema that failed to
        // compile); a hit needs both entries.
        if let Some(c) = cache {
            c.put(job.key, &r.findings);
            c.put_named(job.key ^ 1, &r.earlier);
        }
        earlier.extend(r.earlier);
        reports[job.index] = Some(report(
            &files[job.index],
            r.kind,
            r.findings,
            false,
            job.bytes,
        ));
    }
    // Several patches of one file report the same base findings once.
    let mut seen = std::collections::HashSet::new();
    earlier.retain(|d| {
        seen.insert((
            d.file.clone(),
            d.line,
            d.column,
            d.code.clone(),
            d.message.clone(),
        ))
    });
    earlier.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    let reports = reports
        .into_iter()
        .map(|r| r.expect("every patch gets a report"))
        .collect();
    (reports, earlier)
}

fn report(
    path: &std::path::Path,
    kind: FileKind,
    mut diagnostics: Vec<Diagnostic>,
    cached: bool,
    bytes: Vec<u8>,
) -> FileReport {
    diagnostics.sort_by_key(|d| (d.line, d.column));
    FileReport {
        path: path.to_path_buf(),
        kind,
        source: diagnostics.iter().any(|d| d.line > 0).then_some(bytes),
        diagnostics,
        cached,
    }
}
