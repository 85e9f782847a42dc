//! Validating a patched document against its schema and reporting each finding
//! where it came from: the line of the patch that put the offending node (or
//! changed the element) there, or the base file's line when the base (or an
//! earlier patch in the chain) was already like that.

use super::apply::Patcher;
use super::tree::{NodeId, Origin};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Validator;
use crate::kind::FileKind;

/// The findings of a patched document, split by who is to blame.
#[derive(Debug, Default)]
pub(crate) struct Attributed {
    /// Caused by the patch `ours` (its file, its lines).
    pub(crate) ours: Vec<Diagnostic>,
    /// Already there before it (the base file's or an earlier patch's lines),
    /// turned into warnings.
    pub(crate) before: Vec<Diagnostic>,
}

/// Serialize the patched tree, validate it with `validator` if its kind has a
/// schema, and attribute each finding. `ours` is the `src` of the patch under test.
pub(crate) fn validate_result(
    p: &Patcher,
    validator: &Validator,
    ours: u16,
) -> (FileKind, Attributed) {
    let (text, starts) = p.tree.serialize();
    let bytes = text.as_bytes();
    let kind = FileKind::detect(std::path::Path::new(&p.base().shown), bytes);
    let mut out = Attributed::default();
    if !validator.has_schema(kind) {
        return (kind, out);
    }
    let found = validator.validate_bytes(&p.base().shown, bytes, kind);
    let line_starts = line_starts(bytes);
    for d in found {
        if d.line == 0 {
            // A whole-file finding (a schema that failed to compile): the patch's.
            out.ours.push(Diagnostic {
                file: p.sources[ours as usize].shown.clone(),
                ..d
            });
            continue;
        }
        let offset = offset_of(bytes, &line_starts, d.line, d.column);
        let element = match starts.partition_point(|(s, _)| *s <= offset) {
            0 => None,
            i => Some(starts[i - 1].1),
        };
        let Some(element) = element else {
            out.ours.push(Diagnostic {
                file: p.sources[ours as usize].shown.clone(),
                ..d
            });
            continue;
        };
        let (origin, via_touch) = blame(p, element, &d, ours);
        let mut moved = relocate(p, origin, d);
        if origin.src == ours {
            if via_touch {
                let at = p.describe_origin(p.tree.node(element).origin);
                let note = format!("the element is {at}; this operation changed it");
                moved.help = Some(match moved.help {
                    Some(h) => format!("{h}; {note}"),
                    None => note,
                });
            }
            out.ours.push(moved);
        } else {
            moved.severity = Severity::Warning;
            let note = format!(
                "already so before {} was applied",
                p.sources[ours as usize].shown
            );
            moved.help = Some(match moved.help {
                Some(h) => format!("{h}; {note}"),
                None => note,
            });
            out.before.push(moved);
        }
    }
    out.ours.sort_by_key(|d| (d.line, d.column));
    (kind, out)
}

/// Who put the thing a finding is about there: the attribute's origin for an
/// attribute finding, else the element's; for an element the patch did not make
/// but changed (children or attributes), the operation that changed it last.
fn blame(p: &Patcher, element: NodeId, d: &Diagnostic, ours: u16) -> (Origin, bool) {
    let node = p.tree.node(element);
    let attr = d
        .element_path
        .as_deref()
        .and_then(|path| path.rsplit_once("/@"))
        .map(|(_, a)| a);
    if let Some(a) = attr {
        if let Some(found) = node
            .attrs
            .iter()
            .find(|x| !x.ns_decl && (x.name.local == a || x.name.qname == a))
        {
            return (found.origin, false);
        }
        // A missing required attribute: whoever made or last changed the element.
    }
    if node.origin.src != ours {
        if let Some(t) = node.touched.filter(|t| t.src == ours) {
            return (t, true);
        }
    }
    (node.origin, false)
}

/// Move a finding from the serialized result to the document an origin points
/// into, keeping what it says.
fn relocate(p: &Patcher, origin: Origin, d: Diagnostic) -> Diagnostic {
    let s = &p.sources[origin.src as usize];
    let bytes = s.text.as_bytes();
    let at = origin.offset as usize;
    let span = if bytes.get(at) == Some(&b'<') {
        crate::position::element_name_span(bytes, at)
    } else {
        attribute_at(bytes, at)
    };
    let moved = super::span_diagnostic(s, span, d.severity, &d.code, d.message.clone());
    Diagnostic {
        element_path: d.element_path,
        expected: d.expected,
        help: d.help,
        ..moved
    }
}

/// The span `name="value"` of the attribute whose name starts at `at`.
fn attribute_at(bytes: &[u8], at: usize) -> (usize, usize) {
    let mut i = at;
    let mut quote = None;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (Some(q), c) if c == q => return (at, i + 1),
            (None, b'>' | b'/') => break,
            _ => {}
        }
        i += 1;
    }
    (at, (at + 1).min(bytes.len()))
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    v
}

/// Byte offset of a 1-based line and character column.
fn offset_of(bytes: &[u8], starts: &[usize], line: u32, column: u32) -> usize {
    let start = starts
        .get((line as usize).saturating_sub(1))
        .copied()
        .unwrap_or(bytes.len());
    let rest = std::str::from_utf8(&bytes[start..]).unwrap_or("");
    start
        + rest
            .char_indices()
            .nth((column as usize).saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}
