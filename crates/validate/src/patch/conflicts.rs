//! Several extensions patching one file: applied in load order, and every pair of
//! operations from different extensions that touch the same node is reported at
//! both places.
//!
//! - an operation whose selector no longer matches because an earlier extension
//!   removed or replaced the node: error (the game skips it);
//! - a node (or attribute) replaced by two extensions, or removed after another
//!   extension changed it, or an element replaced after another extension added
//!   to it: warning (the earlier change is lost);
//! - two extensions adding to the same parent: note (their order decides).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::apply::{Action, Patcher, Touch};
use super::lookup::{slashed, BaseLookup};
use super::tree::{NodeId, Origin, Tree};
use super::{codes, xpath, Source};
use crate::diagnostic::{Diagnostic, Severity};

/// An extension folder and what its `content.xml` says about load order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub dir: PathBuf,
    /// `<content id="…">`, else the folder name.
    pub id: String,
    /// `<dependency id="…"/>` entries (optional ones too: when present they load first).
    pub dependencies: Vec<String>,
}

/// Read each folder's `content.xml` and order the extensions as the game loads
/// them: an extension after every extension it depends on; otherwise by id
/// (ASCII case-insensitive). `Err` names an unreadable `content.xml` or a
/// dependency cycle.
pub fn load_order(dirs: &[PathBuf]) -> Result<Vec<Extension>, String> {
    let mut exts = Vec::new();
    for dir in dirs {
        let folder = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let content = dir.join("content.xml");
        let ext = if content.is_file() {
            let shown = content.display().to_string();
            let text = x4pipe_files::input::read_text(
                &content,
                x4pipe_files::Origin::Found,
                crate::MAX_FILE_BYTES as u64,
            )
            .map_err(|e| match e {
                x4pipe_files::InputError::Io { source, .. } => {
                    format!("cannot read {shown}: {source}")
                }
                refused => refused.to_string(),
            })?;
            let doc = super::tree::parse_document(text.trim_start_matches('\u{feff}'))
                .map_err(|e| format!("{shown}: not well-formed XML: {}", e.message))?;
            let root = doc.root_element();
            Extension {
                dir: dir.clone(),
                id: root.attribute("id").unwrap_or(&folder).to_string(),
                dependencies: root
                    .children()
                    .filter(|c| c.has_tag_name("dependency"))
                    .filter_map(|c| c.attribute("id").map(str::to_string))
                    .collect(),
            }
        } else {
            Extension {
                dir: dir.clone(),
                id: folder,
                dependencies: Vec::new(),
            }
        };
        exts.push(ext);
    }
    exts.sort_by_key(|e| (e.id.to_ascii_lowercase(), e.dir.clone()));
    let mut ordered: Vec<Extension> = Vec::new();
    while !exts.is_empty() {
        let ready = exts.iter().position(|e| {
            e.dependencies.iter().all(|d| {
                ordered.iter().any(|o| o.id.eq_ignore_ascii_case(d))
                    || !exts.iter().any(|x| x.id.eq_ignore_ascii_case(d))
            })
        });
        match ready {
            Some(i) => ordered.push(exts.remove(i)),
            None => {
                let ids: Vec<&str> = exts.iter().map(|e| e.id.as_str()).collect();
                return Err(format!(
                    "the dependencies of these extensions form a cycle: {}",
                    ids.join(", ")
                ));
            }
        }
    }
    Ok(ordered)
}

/// One extension's patch of a file.
#[derive(Debug, Clone)]
pub struct ModPatch {
    /// The extension's id.
    pub extension: String,
    pub patch: Source,
}

/// Apply `chain` (installed DLC) and then each of `patches` (in load order) to
/// `base`, and report the operations that cannot apply and every conflict
/// between operations of different extensions. Findings are in the patch files.
pub fn find_conflicts(base: &Source, chain: &[Source], patches: &[ModPatch]) -> Vec<Diagnostic> {
    let mut patcher = match Patcher::new(base.clone()) {
        Ok(p) => p,
        Err(d) => return vec![*d],
    };
    for c in chain {
        patcher.apply(c.clone());
    }
    // The state the extensions start from: selectors that miss later are looked
    // up here to see whether an earlier extension took their node away.
    let pristine = patcher.tree.clone();
    let first_src = patcher.sources.len() as u16;
    let mut out = Vec::new();
    let mut ext_of: HashMap<u16, usize> = HashMap::new();
    for (i, m) in patches.iter().enumerate() {
        let (src, found) = patcher.apply(m.patch.clone());
        ext_of.insert(src, i);
        out.extend(found);
    }
    let name = |src: u16| patches[ext_of[&src]].extension.as_str();
    // Misses explained by an earlier extension replace the plain "matches nothing".
    let misses = patcher.misses.clone();
    for miss in misses.iter().filter(|m| m.op.src >= first_src) {
        let Some((earlier, path)) = taken_away(&patcher, &pristine, miss.op, &miss.selector) else {
            continue;
        };
        let later_at = patcher.describe_origin(miss.op);
        let earlier_at = patcher.describe_origin(earlier.op);
        let verb = if earlier.action == Action::Remove {
            "removed"
        } else {
            "replaced"
        };
        out.retain(|d| !(d.code == codes::SEL_NO_MATCH && same_op(&patcher, d, miss.op)));
        let later = format!(
            "selects {path}, which extension `{}` {verb} at {earlier_at}; loaded after it, `{}` finds nothing and the game skips this operation",
            name(earlier.op.src),
            name(miss.op.src)
        );
        let before = format!(
            "{verb} {path}, which extension `{}` changes later at {later_at}",
            name(miss.op.src)
        );
        both_places(
            &patcher,
            &mut out,
            (miss.op, Severity::Error, later, None),
            (earlier.op, before),
        );
    }
    // Touches of the same node by different extensions.
    let touches: Vec<&Touch> = patcher
        .touches
        .iter()
        .filter(|t| t.op.src >= first_src)
        .collect();
    let mut seen = std::collections::HashSet::new();
    for (j, later) in touches.iter().enumerate() {
        for earlier in &touches[..j] {
            if earlier.ident != later.ident || ext_of[&earlier.op.src] == ext_of[&later.op.src] {
                continue;
            }
            let Some((severity, what)) = classify(earlier, later) else {
                continue;
            };
            if !seen.insert((earlier.op, later.op)) {
                continue;
            }
            let path = describe_ident(
                &patcher.tree,
                &pristine,
                later.ident,
                later.attr.as_deref().or(earlier.attr.as_deref()),
            );
            let later_at = patcher.describe_origin(later.op);
            let earlier_at = patcher.describe_origin(earlier.op);
            let help = (severity != Severity::Note).then(|| {
                "the extension loaded last wins; make one depend on the other, or patch different nodes".to_string()
            });
            let message = format!(
                "{what} {path}: extension `{}` changed it at {earlier_at}",
                name(earlier.op.src)
            );
            let before = format!(
                "extension `{}` changes {path} after this, at {later_at}",
                name(later.op.src)
            );
            both_places(
                &patcher,
                &mut out,
                (later.op, severity, message, help),
                (earlier.op, before),
            );
        }
    }
    out.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.code).cmp(&(&b.file, b.line, b.column, &b.code))
    });
    out
}

/// A conflict at the later operation, and a note at the earlier one pointing back.
fn both_places(
    p: &Patcher,
    out: &mut Vec<Diagnostic>,
    later: (Origin, Severity, String, Option<String>),
    earlier: (Origin, String),
) {
    let (op, severity, message, help) = later;
    out.push(p.op_finding(op, None, severity, codes::CONFLICT, message, help));
    out.push(p.op_finding(
        earlier.0,
        None,
        Severity::Note,
        codes::CONFLICT,
        earlier.1,
        None,
    ));
}

/// How bad a later touch of the same node is; `None` when it does not conflict.
fn classify(earlier: &Touch, later: &Touch) -> Option<(Severity, &'static str)> {
    use Action::*;
    let same_attr = earlier.attr == later.attr;
    match (
        earlier.action,
        later.action,
        earlier.attr.is_some(),
        later.attr.is_some(),
    ) {
        (AddChild, AddChild, false, false) => Some((
            Severity::Note,
            "adds to the same parent as another extension:",
        )),
        (Replace, Replace, _, _) if same_attr => Some((Severity::Warning, "replaces again")),
        (AddAttr, Replace, true, true) if same_attr => Some((
            Severity::Warning,
            "replaces the attribute another extension added:",
        )),
        (_, Remove, _, false) | (_, Remove, true, true) if same_attr || later.attr.is_none() => {
            Some((Severity::Warning, "removes what another extension changed:"))
        }
        (_, Replace, _, false) => Some((
            Severity::Warning,
            "replaces (and so discards the change of another extension to)",
        )),
        _ => None,
    }
}

/// The earliest removal or replacement by an extension loaded before `op` of a
/// node that `selector` matches in `pristine` (or of one of its ancestors), and
/// the path of the matched node.
fn taken_away<'p>(
    p: &'p Patcher,
    pristine: &Tree,
    op: Origin,
    selector: &str,
) -> Option<(&'p Touch, String)> {
    let expr = xpath::compile(selector).ok()?;
    let matched = xpath::select(pristine, &expr).ok()?;
    for target in matched {
        let mut chain: Vec<NodeId> = Vec::new();
        let mut cur = Some(target.node());
        while let Some(n) = cur {
            chain.push(pristine.node(n).ident);
            cur = pristine.node(n).parent;
        }
        let found = p.touches.iter().find(|t| {
            t.op.src < op.src
                && t.op.src != op.src
                && matches!(t.action, Action::Remove | Action::Replace)
                && t.attr.is_none()
                && chain.contains(&t.ident)
        });
        if let Some(t) = found {
            return Some((t, pristine.describe(target.node())));
        }
    }
    None
}

fn describe_ident(tree: &Tree, pristine: &Tree, ident: NodeId, attr: Option<&str>) -> String {
    let el = (0..tree.len() as NodeId)
        .rev()
        .find(|n| tree.node(*n).ident == ident && tree.is_attached(*n))
        .map(|n| tree.describe(n))
        .or_else(|| ((ident as usize) < pristine.len()).then(|| pristine.describe(ident)))
        .unwrap_or_else(|| "a node".into());
    match attr {
        Some(a) => format!("{el}/@{a}"),
        None => el,
    }
}

fn same_op(p: &Patcher, d: &Diagnostic, op: Origin) -> bool {
    let s = &p.sources[op.src as usize];
    if d.file != s.shown {
        return false;
    }
    let line = crate::position::LineIndex::new(s.text.as_bytes())
        .line_col(op.offset as usize)
        .0;
    // A selector finding points at the `sel` attribute of the operation's start
    // tag, which may continue on the next lines.
    d.line >= line && d.line <= line + 3
}

/// Extensions in `dirs` (each an extension folder with a `content.xml`, or a
/// folder of them) in load order, and for every game file that two or more of
/// them patch, the conflicts between their operations. Files are matched by their
/// path in the extension, without regard to ASCII case. `Err` is a usage error.
pub fn check_conflicts(
    lookup: &dyn BaseLookup,
    dirs: &[PathBuf],
) -> Result<Vec<Diagnostic>, String> {
    let mut ext_dirs = Vec::new();
    for d in dirs {
        if !d.is_dir() {
            return Err(format!("{} is not a folder", d.display()));
        }
        if d.join("content.xml").is_file() {
            ext_dirs.push(d.clone());
        } else {
            let mut subs: Vec<PathBuf> = std::fs::read_dir(d)
                .map_err(|e| format!("cannot read {}: {e}", d.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("content.xml").is_file())
                .collect();
            if subs.is_empty() {
                return Err(format!(
                    "{} has no content.xml, nor folders with one",
                    d.display()
                ));
            }
            subs.sort();
            ext_dirs.extend(subs);
        }
    }
    let exts = load_order(&ext_dirs)?;
    // Virtual path (lowercase) -> the patches, in load order.
    let mut by_path: BTreeMap<String, Vec<(String, ModPatch)>> = BTreeMap::new();
    for ext in &exts {
        let (files, _) = crate::batch::collect_files(std::slice::from_ref(&ext.dir));
        for f in files {
            if f.file_name()
                .is_some_and(|n| n.eq_ignore_ascii_case("content.xml"))
            {
                continue;
            }
            let Ok(bytes) = x4pipe_files::input::read(
                &f,
                x4pipe_files::Origin::Found,
                crate::MAX_FILE_BYTES as u64,
            ) else {
                continue;
            };
            if !super::is_diff(&bytes) {
                continue;
            }
            let rel = f.strip_prefix(&ext.dir).map(slashed).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes)
                .trim_start_matches('\u{feff}')
                .to_string();
            by_path.entry(rel.to_ascii_lowercase()).or_default().push((
                rel,
                ModPatch {
                    extension: ext.id.clone(),
                    patch: Source::new(f.display().to_string(), text),
                },
            ));
        }
    }
    let mut out = Vec::new();
    for (_, patches) in by_path {
        if patches.len() < 2 {
            continue;
        }
        let rel = patches[0].0.clone();
        let patches: Vec<ModPatch> = patches.into_iter().map(|(_, m)| m).collect();
        match lookup.find(&rel)? {
            Some(found) => out.extend(find_conflicts(&found.base, &found.chain, &patches)),
            None => {
                for m in &patches {
                    out.push(Diagnostic::file_level(
                        &m.patch.shown,
                        Severity::Error,
                        codes::NO_BASE,
                        format!("no game file {rel} to apply this patch to"),
                    ));
                }
            }
        }
    }
    Ok(out)
}
