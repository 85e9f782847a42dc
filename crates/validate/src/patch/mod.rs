//! Diff patches: `<diff>` files whose `add` / `replace` / `remove` operations change
//! a game file of the same path. They are checked the way the game applies them:
//! every selector against the file it patches (after the patches loaded before
//! it), every operation for what it selects, and the patched document against
//! the schema of its kind, each finding at the line that caused it.
//!
//! The facts about the format and where they come from: `docs/diff-patches.md`.
//!
//! ```no_run
//! use x4pipe_validate::patch::{check_patch, Source};
//! use x4pipe_validate::{SchemaSource, Validator};
//!
//! let validator = Validator::load(&SchemaSource::from_dirs(["../shared/x4-schemas/3.x"]))?;
//! let base = Source::new("md/gs_fight.xml", std::fs::read_to_string("base/md/gs_fight.xml")?);
//! let patch = Source::new("my_mod/md/gs_fight.xml", std::fs::read_to_string("my_mod/md/gs_fight.xml")?);
//! let report = check_patch(Some(&validator), &base, &[], &patch);
//! for d in &report.findings {
//!     eprintln!("{}: {}", d.location(), d.message);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod conflicts;
mod files;
mod lookup;
mod schema;
mod tree;
mod xpath;

pub use conflicts::{check_conflicts, find_conflicts, load_order, Extension, ModPatch};
pub use files::check_patch_files;
pub use lookup::{find_case_insensitive, read_source, virtual_path, BaseLookup, DirLookup, Found};

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Validator;
use crate::kind::FileKind;
use crate::position::LineIndex;

/// Codes of diff-patch findings (schema findings of the patched document keep
/// the schema's own `cvc-…` codes).
pub mod codes {
    /// A `sel` / `msel` that matches no node (a warning with `silent="true"`).
    pub const SEL_NO_MATCH: &str = "diff-sel-no-match";
    /// A `sel` that matches more than one node.
    pub const SEL_MULTIPLE: &str = "diff-sel-multiple";
    /// A `sel`, `msel` or `if` that is not valid XPath 1.0.
    pub const XPATH_INVALID: &str = "diff-xpath-invalid";
    /// An operation that cannot apply to what it selects, or is malformed.
    pub const OP_INVALID: &str = "diff-op-invalid";
    /// No game file of the patch's path to apply it to.
    pub const NO_BASE: &str = "diff-no-base";
    /// Operations of different extensions that touch the same node.
    pub const CONFLICT: &str = "diff-conflict";
}

/// A document by the name it is shown under and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub shown: String,
    pub text: String,
}

impl Source {
    pub fn new(shown: impl Into<String>, text: impl Into<String>) -> Source {
        Source {
            shown: shown.into(),
            text: text.into(),
        }
    }
}

/// Whether a file is a diff patch (its root element is `<diff>`).
pub fn is_diff(bytes: &[u8]) -> bool {
    crate::kind::root_element_name(bytes) == Some("diff")
}

/// What checking one patch found.
#[derive(Debug, Clone)]
pub struct PatchReport {
    /// Findings in the patch file, at its lines: operations that cannot apply,
    /// and schema errors of the patched document that the patch caused.
    pub findings: Vec<Diagnostic>,
    /// Findings in other files, as warnings: the base file (or a patch applied
    /// before this one) was already invalid there, or an earlier patch of the
    /// chain does not apply.
    pub earlier: Vec<Diagnostic>,
    /// The kind of the patched document (`Md`, `AiScript`, … or `Other`).
    pub kind: FileKind,
    /// Whether the patched document was validated against a schema.
    pub schema_checked: bool,
}

/// Apply `chain` (patches loaded before, e.g. a DLC's) and then `patch` to `base`
/// and check the result. With a `validator` whose schemas cover the patched
/// document's kind, the result is validated and each finding attributed.
pub fn check_patch(
    validator: Option<&Validator>,
    base: &Source,
    chain: &[Source],
    patch: &Source,
) -> PatchReport {
    let mut report = PatchReport {
        findings: Vec::new(),
        earlier: Vec::new(),
        kind: FileKind::Other,
        schema_checked: false,
    };
    let mut patcher = match apply::Patcher::new(base.clone()) {
        Ok(p) => p,
        Err(mut d) => {
            d.severity = Severity::Warning;
            report.earlier.push(*d);
            report.findings.push(Diagnostic::file_level(
                &patch.shown,
                Severity::Error,
                codes::NO_BASE,
                format!(
                    "cannot apply: the file it patches ({}) is not well-formed XML",
                    base.shown
                ),
            ));
            return report;
        }
    };
    for earlier in chain {
        let (_, found) = patcher.apply(earlier.clone());
        report.earlier.extend(found.into_iter().map(|mut d| {
            d.severity = milder(Severity::Warning, d.severity);
            d
        }));
    }
    let (ours, found) = patcher.apply(patch.clone());
    report.findings = found;
    if report
        .findings
        .iter()
        .any(|d| d.code == crate::diagnostic::codes::NOT_WELL_FORMED)
    {
        return report;
    }
    if let Some(v) = validator {
        let (kind, attributed) = schema::validate_result(&patcher, v, ours);
        report.kind = kind;
        report.schema_checked = v.has_schema(kind);
        report.findings.extend(attributed.ours);
        report.earlier.extend(attributed.before);
    }
    report.findings.sort_by_key(|d| (d.line, d.column));
    report
}

/// The milder of two severities.
fn milder(a: Severity, b: Severity) -> Severity {
    let rank = |s: Severity| match s {
        Severity::Error => 2,
        Severity::Warning => 1,
        Severity::Note => 0,
    };
    if rank(a) <= rank(b) {
        a
    } else {
        b
    }
}

/// Apply `patches` to `base` in order and return the patched document as XML
/// text, with the findings about operations that could not apply (in the patch
/// files). `Err` when the base is not well-formed.
pub fn apply_patches(
    base: &Source,
    patches: &[Source],
) -> Result<(String, Vec<Diagnostic>), Box<Diagnostic>> {
    let mut patcher = apply::Patcher::new(base.clone())?;
    let mut findings = Vec::new();
    for p in patches {
        findings.extend(patcher.apply(p.clone()).1);
    }
    Ok((patcher.tree.serialize().0, findings))
}

/// A finding at a byte span of a source (same-line span; else one character).
pub(crate) fn span_diagnostic(
    s: &Source,
    span: (usize, usize),
    severity: Severity,
    code: &str,
    message: String,
) -> Diagnostic {
    let (line, column, end_column) = LineIndex::new(s.text.as_bytes()).span(span);
    let mut d = Diagnostic::file_level(&s.shown, severity, code, message);
    (d.line, d.column, d.end_column) = (line, column, end_column);
    d
}

/// A finding at one byte offset of a source.
pub(crate) fn at_offset(
    s: &Source,
    offset: usize,
    severity: Severity,
    code: &str,
    message: String,
) -> Diagnostic {
    span_diagnostic(s, (offset, offset + 1), severity, code, message)
}

#[cfg(test)]
mod tests;
