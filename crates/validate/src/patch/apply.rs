//! Applying the operations of `<diff>` patches to a tree, the way the game does,
//! with a finding for every operation that cannot be applied.
//!
//! What each operation does and which combinations are errors is written down,
//! with sources, in `docs/diff-patches.md`.

use super::tree::{Kind, NodeId, Origin, Tree};
use super::xpath::{self, Target};
use super::{codes, Source};
use crate::diagnostic::{Diagnostic, Severity};
use crate::position::{element_name_span, LineIndex};

/// What an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpKind {
    Add,
    Replace,
    Remove,
}

impl OpKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OpKind::Add => "add",
            OpKind::Replace => "replace",
            OpKind::Remove => "remove",
        }
    }
}

/// What an applied operation did to a node, for conflict detection. `ident` is
/// the node's identity ([`super::tree::NodeData::ident`]); `attr` names the
/// attribute when the operation changed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Touch {
    pub(crate) ident: NodeId,
    pub(crate) attr: Option<String>,
    pub(crate) action: Action,
    /// The operation: patch `src` and the byte offset of its start tag.
    pub(crate) op: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Children added to this node (or siblings beside it: then `ident` is the parent).
    AddChild,
    /// The node (or attribute) was replaced.
    Replace,
    /// The node (or attribute) was removed.
    Remove,
    /// An attribute was added.
    AddAttr,
}

/// A selector that matched nothing: kept so conflict detection can ask whether an
/// earlier patch removed what it looked for.
#[derive(Debug, Clone)]
pub(crate) struct Miss {
    pub(crate) op: Origin,
    pub(crate) selector: String,
}

/// The state of a document while patches are applied to it.
pub(crate) struct Patcher {
    pub(crate) tree: Tree,
    /// Every document involved: `sources[0]` is the base, then the patches in the
    /// order they were applied.
    pub(crate) sources: Vec<Source>,
    pub(crate) touches: Vec<Touch>,
    pub(crate) misses: Vec<Miss>,
}

/// One operation of a patch, read from its element.
struct Op<'a, 'd> {
    kind: OpKind,
    node: roxmltree::Node<'a, 'd>,
    origin: Origin,
}

impl Patcher {
    /// Start from the base document (`src` 0). `Err` is the base's parse error.
    pub(crate) fn new(base: Source) -> Result<Patcher, Box<Diagnostic>> {
        let tree = {
            let doc = super::tree::parse_document(&base.text).map_err(|e| {
                Box::new(super::at_offset(
                    &base,
                    e.offset,
                    Severity::Error,
                    crate::diagnostic::codes::NOT_WELL_FORMED,
                    format!("the base file is not well-formed XML: {}", e.message),
                ))
            })?;
            Tree::from_document(&doc, 0)
        };
        Ok(Patcher {
            tree,
            sources: vec![base],
            touches: Vec::new(),
            misses: Vec::new(),
        })
    }

    pub(crate) fn base(&self) -> &Source {
        &self.sources[0]
    }

    /// Apply every operation of `patch` in order. Returns the findings about the
    /// patch (its own file's positions) and the patch's `src` index.
    pub(crate) fn apply(&mut self, patch: Source) -> (u16, Vec<Diagnostic>) {
        let src = self.sources.len() as u16;
        self.sources.push(patch);
        let mut out = Vec::new();
        let text = self.sources[src as usize].text.clone();
        let doc = match super::tree::parse_document(&text) {
            Ok(d) => d,
            Err(e) => {
                let p = &self.sources[src as usize];
                out.push(super::at_offset(
                    p,
                    e.offset,
                    Severity::Error,
                    crate::diagnostic::codes::NOT_WELL_FORMED,
                    format!("not well-formed XML: {}", e.message),
                ));
                return (src, out);
            }
        };
        let root = doc.root_element();
        for node in root.children().filter(|n| n.is_element()) {
            let origin = Origin {
                src,
                offset: node.range().start as u32,
            };
            let kind = match node.tag_name().name() {
                "add" => OpKind::Add,
                "replace" => OpKind::Replace,
                "remove" => OpKind::Remove,
                other => {
                    out.push(self.op_finding(
                        origin,
                        None,
                        Severity::Error,
                        codes::OP_INVALID,
                        format!("<{other}> is not a diff operation; the game knows <add>, <replace> and <remove>"),
                        None,
                    ));
                    continue;
                }
            };
            self.apply_op(&Op { kind, node, origin }, &mut out);
        }
        (src, out)
    }

    /// Apply one operation. `silent="true"` makes the game suppress every error the
    /// operation produces while loading, so its findings become warnings.
    fn apply_op(&mut self, op: &Op<'_, '_>, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        self.apply_op_loudly(op, out);
        if matches!(op.node.attribute("silent"), Some("true" | "1")) {
            for d in out[start..].iter_mut().filter(|d| d.is_error()) {
                d.severity = Severity::Warning;
                d.message
                    .push_str(" (silent=\"true\": the game skips it without a message)");
            }
        }
    }

    fn apply_op_loudly(&mut self, op: &Op<'_, '_>, out: &mut Vec<Diagnostic>) {
        let node = op.node;
        let (sel, msel) = (node.attribute("sel"), node.attribute("msel"));
        let (selector, sel_attr, multi) = match (sel, msel) {
            (Some(s), None) => (s, "sel", false),
            (None, Some(m)) => (m, "msel", true),
            (Some(_), Some(_)) => {
                out.push(self.op_finding(op.origin, Some("msel"), Severity::Error, codes::OP_INVALID,
                    "an operation has either `sel` (exactly one node) or `msel` (any number of nodes), not both".into(), None));
                return;
            }
            (None, None) => {
                out.push(self.op_finding(
                    op.origin,
                    None,
                    Severity::Error,
                    codes::OP_INVALID,
                    format!(
                        "<{}> needs a `sel` attribute (the XPath of the node it changes)",
                        op.kind.as_str()
                    ),
                    None,
                ));
                return;
            }
        };
        if let Some(cond) = node.attribute("if") {
            let verdict = xpath::compile(cond).and_then(|e| xpath::test(&self.tree, &e));
            match verdict {
                Ok(true) => {}
                // The condition is false: the game skips the operation, as intended.
                Ok(false) => return,
                Err(e) => {
                    out.push(self.op_finding(
                        op.origin,
                        Some("if"),
                        Severity::Error,
                        codes::XPATH_INVALID,
                        format!("`if` is not a valid XPath 1.0 expression: {e}"),
                        None,
                    ));
                    return;
                }
            }
        }
        for (attr, allowed) in [
            ("pos", op.kind == OpKind::Add),
            ("type", op.kind == OpKind::Add),
        ] {
            if node.attribute(attr).is_some() && !allowed {
                out.push(self.op_finding(op.origin, Some(attr), Severity::Error, codes::OP_INVALID,
                    format!("`{attr}` belongs to <add> only; the game's diff.xsd does not allow it on <{}>", op.kind.as_str()), None));
                return;
            }
        }
        let targets = match xpath::compile(selector).and_then(|e| xpath::select(&self.tree, &e)) {
            Ok(t) => t,
            Err(e) => {
                out.push(self.op_finding(
                    op.origin,
                    Some(sel_attr),
                    Severity::Error,
                    codes::XPATH_INVALID,
                    format!("`{sel_attr}` is not a valid XPath 1.0 location path: {e}"),
                    None,
                ));
                return;
            }
        };
        if targets.is_empty() {
            self.misses.push(Miss {
                op: op.origin,
                selector: selector.to_string(),
            });
            let base = self.base().shown.clone();
            let message = format!("`{sel_attr}` matches nothing in {base}: {selector}");
            let help = match xpath::closest(&self.tree, selector) {
                Some(c) => {
                    let at = self.describe_origin(self.tree.node(c.first).origin);
                    let mut h = format!(
                        "closest existing path: {} (at {at}); nothing there matches `{}`",
                        c.prefix, c.missing_step
                    );
                    if let Some(hint) = c.hint {
                        h.push_str("; ");
                        h.push_str(&hint);
                    }
                    Some(h)
                }
                None => self.tree.root_element().map(|r| {
                    format!(
                        "not even the first step matches; the document's root is <{}>",
                        self.tree.describe(r).trim_start_matches('/')
                    )
                }),
            };
            out.push(self.op_finding(
                op.origin,
                Some(sel_attr),
                Severity::Error,
                codes::SEL_NO_MATCH,
                message,
                help,
            ));
            return;
        }
        if !multi && targets.len() > 1 {
            let first = self.describe_origin(self.tree.node(targets[0].node()).origin);
            let second = self.describe_origin(self.tree.node(targets[1].node()).origin);
            out.push(self.op_finding(op.origin, Some("sel"), Severity::Error, codes::SEL_MULTIPLE,
                format!("`sel` matches {} nodes (at {first}, {second}, …); it must select exactly one", targets.len()),
                Some("make the path unique (e.g. a [@name='…'] predicate), or use `msel` to change every match".into())));
            return;
        }
        for target in targets {
            if let Err((attr, message)) = self.apply_one(op, target) {
                out.push(self.op_finding(
                    op.origin,
                    attr,
                    Severity::Error,
                    codes::OP_INVALID,
                    message,
                    None,
                ));
                break;
            }
        }
        self.tree.renumber();
    }

    /// Apply one operation to one selected node. `Err` is (attribute of the
    /// operation to point at, why the operation cannot apply to this node).
    fn apply_one(
        &mut self,
        op: &Op<'_, '_>,
        target: Target,
    ) -> Result<(), (Option<&'static str>, String)> {
        let what = self.what(target);
        match op.kind {
            OpKind::Add => self.add(op, target, &what),
            OpKind::Replace => self.replace(op, target, &what),
            OpKind::Remove => self.remove(op, target, &what),
        }
    }

    fn add(
        &mut self,
        op: &Op<'_, '_>,
        target: Target,
        what: &str,
    ) -> Result<(), (Option<&'static str>, String)> {
        let node = op.node;
        if let Some(ty) = node.attribute("type") {
            let Some(name) = ty.strip_prefix('@').filter(|n| !n.is_empty()) else {
                return Err((Some("type"), format!("type=\"{ty}\" is not supported; X4 patches add attributes with type=\"@name\"")));
            };
            if node.attribute("pos").is_some() {
                return Err((
                    Some("pos"),
                    "`pos` places nodes; an attribute added with `type` has no position".into(),
                ));
            }
            let Target::Node(el) = target else {
                return Err((Some("type"), format!("type=\"@{name}\" adds an attribute to an element, but `sel` selects {what}")));
            };
            if !matches!(self.tree.node(el).kind, Kind::Element(_)) {
                return Err((Some("type"), format!("type=\"@{name}\" adds an attribute to an element, but `sel` selects {what}")));
            }
            if node.children().any(|c| c.is_element()) {
                return Err((
                    None,
                    format!("adding @{name}: the content must be the value (text), not elements"),
                ));
            }
            let value = text_of(node);
            if self
                .tree
                .visible_attrs(el)
                .any(|(_, a)| a.name.qname == name)
            {
                return Err((
                    Some("type"),
                    format!(
                        "{what} already has @{name}; use <replace sel=\"…/@{name}\"> to change it"
                    ),
                ));
            }
            let (ns, local) = match name.split_once(':') {
                Some((p, l)) => (
                    node.lookup_namespace_uri(Some(p)).map(str::to_string),
                    l.to_string(),
                ),
                None => (None, name.to_string()),
            };
            self.tree.node_mut(el).attrs.push(super::tree::Attr {
                name: super::tree::Name {
                    qname: name.to_string(),
                    ns,
                    local,
                },
                value,
                origin: op.origin,
                ns_decl: false,
            });
            self.tree.node_mut(el).touched = Some(op.origin);
            self.touch(el, Some(name.to_string()), Action::AddAttr, op.origin);
            return Ok(());
        }
        let pos = node.attribute("pos");
        let Target::Node(t) = target else {
            return Err((Some("sel"), format!("<add> puts nodes into or beside an element, but `sel` selects {what}; to add an attribute use type=\"@name\" with `sel` on its element")));
        };
        let (parent, index) = match pos {
            None | Some("append") | Some("prepend") => {
                if !matches!(self.tree.node(t).kind, Kind::Element(_)) {
                    return Err((Some("sel"), format!("<add> without pos=\"before|after\" puts nodes inside an element, but `sel` selects {what}")));
                }
                let i = if pos == Some("prepend") { 0 } else { self.tree.node(t).children.len() };
                (t, i)
            }
            Some(p @ ("before" | "after")) => match self.tree.index_in_parent(t) {
                Some((parent, i)) if matches!(self.tree.node(parent).kind, Kind::Element(_)) => {
                    (parent, if p == "after" { i + 1 } else { i })
                }
                _ => return Err((Some("pos"), format!("pos=\"{p}\" puts nodes beside {what}, which has no parent element (a document has one root element)"))),
            },
            Some(other) => {
                return Err((Some("pos"), format!("pos=\"{other}\" is not a position; the game's diff.xsd allows before, after and prepend (no pos: append)")));
            }
        };
        let mut added = Vec::new();
        for child in node.children() {
            if child.is_text() && child.text().is_some_and(|t| t.trim().is_empty()) {
                continue;
            }
            if let Some(id) = self.tree.import(child, op.origin.src, child.is_element()) {
                added.push(id);
            }
        }
        if added.is_empty() {
            return Err((None, "<add> has no content: it adds nothing".into()));
        }
        for (k, id) in added.into_iter().enumerate() {
            self.tree.insert_at(parent, index + k, id);
        }
        self.tree.node_mut(parent).touched = Some(op.origin);
        self.touch(parent, None, Action::AddChild, op.origin);
        Ok(())
    }

    fn replace(
        &mut self,
        op: &Op<'_, '_>,
        target: Target,
        what: &str,
    ) -> Result<(), (Option<&'static str>, String)> {
        let node = op.node;
        match target {
            Target::Attr(el, i) => {
                if node.children().any(|c| c.is_element()) {
                    return Err((None, format!("replacing {what}: the content must be the new value (text), not elements")));
                }
                let value = text_of(node);
                let a = &mut self.tree.node_mut(el).attrs[i];
                a.value = value;
                a.origin = op.origin;
                let name = a.name.qname.clone();
                self.tree.node_mut(el).touched = Some(op.origin);
                self.touch(el, Some(name), Action::Replace, op.origin);
                Ok(())
            }
            Target::Node(n) => {
                let Some((parent, index)) = self.tree.index_in_parent(n) else {
                    return Err((
                        Some("sel"),
                        "`sel` selects the document itself; select its root element to replace it"
                            .into(),
                    ));
                };
                let replacement: Vec<NodeId> = match &self.tree.node(n).kind {
                    Kind::Element(_) => {
                        if node
                            .children()
                            .any(|c| c.is_text() && c.text().is_some_and(|t| !t.trim().is_empty()))
                        {
                            return Err((
                                None,
                                format!(
                                    "replacing {what}: the content must be one element, not text"
                                ),
                            ));
                        }
                        let mut v = Vec::new();
                        for c in node.children().filter(|c| c.is_element()) {
                            v.extend(self.tree.import(c, op.origin.src, true));
                        }
                        if v.is_empty() {
                            return Err((None, format!("replacing {what} needs the new element as content; to delete it use <remove>")));
                        }
                        if matches!(self.tree.node(parent).kind, Kind::Document) && v.len() > 1 {
                            return Err((
                                None,
                                "the root element can only be replaced by one element".into(),
                            ));
                        }
                        v
                    }
                    Kind::Text(_) => {
                        if node.children().any(|c| c.is_element()) {
                            return Err((
                                None,
                                format!("replacing {what}: the content must be text, not elements"),
                            ));
                        }
                        vec![self
                            .tree
                            .push(Kind::Text(text_of(node)), Vec::new(), op.origin)]
                    }
                    Kind::Comment(_) => {
                        let c = node
                            .children()
                            .find(|c| c.node_type() == roxmltree::NodeType::Comment);
                        let text = c
                            .and_then(|c| c.text())
                            .map_or_else(|| text_of(node), str::to_string);
                        vec![self.tree.push(Kind::Comment(text), Vec::new(), op.origin)]
                    }
                    Kind::Pi { .. } | Kind::Document => {
                        return Err((Some("sel"), format!("x4pipe does not replace {what}")));
                    }
                };
                let ident = self.tree.node(n).ident;
                self.tree.detach(n);
                for (k, id) in replacement.iter().enumerate() {
                    self.tree.insert_at(parent, index + k, *id);
                }
                // The first replacement carries the replaced node's identity.
                self.tree.node_mut(replacement[0]).ident = ident;
                self.tree.node_mut(parent).touched = Some(op.origin);
                self.touch(replacement[0], None, Action::Replace, op.origin);
                Ok(())
            }
        }
    }

    fn remove(
        &mut self,
        op: &Op<'_, '_>,
        target: Target,
        what: &str,
    ) -> Result<(), (Option<&'static str>, String)> {
        match target {
            Target::Attr(el, i) => {
                let name = self.tree.node(el).attrs[i].name.qname.clone();
                self.tree.node_mut(el).attrs.remove(i);
                self.tree.node_mut(el).touched = Some(op.origin);
                self.touch(el, Some(name), Action::Remove, op.origin);
                Ok(())
            }
            Target::Node(n) => {
                let Some(parent) = self.tree.node(n).parent else {
                    return Err((
                        Some("sel"),
                        "`sel` selects the document itself, which cannot be removed".into(),
                    ));
                };
                if matches!(self.tree.node(parent).kind, Kind::Document)
                    && matches!(self.tree.node(n).kind, Kind::Element(_))
                {
                    return Err((
                        Some("sel"),
                        format!("removing {what} would leave the file without a root element"),
                    ));
                }
                self.touch(n, None, Action::Remove, op.origin);
                self.tree.detach(n);
                self.tree.node_mut(parent).touched = Some(op.origin);
                Ok(())
            }
        }
    }

    fn touch(&mut self, node: NodeId, attr: Option<String>, action: Action, op: Origin) {
        self.touches.push(Touch {
            ident: self.tree.node(node).ident,
            attr,
            action,
            op,
        });
    }

    /// "the attribute @x of /a/b", "the element /a/b", "a text node in /a".
    fn what(&self, target: Target) -> String {
        match target {
            Target::Attr(el, i) => format!(
                "the attribute {}/@{}",
                self.tree.describe(el),
                self.tree.node(el).attrs[i].name.qname
            ),
            Target::Node(n) => match &self.tree.node(n).kind {
                Kind::Element(_) => format!("the element {}", self.tree.describe(n)),
                Kind::Document => "the document".to_string(),
                Kind::Text(_) => format!("a text node in {}", self.parent_path(n)),
                Kind::Comment(_) => format!("a comment in {}", self.parent_path(n)),
                Kind::Pi { .. } => format!("a processing instruction in {}", self.parent_path(n)),
            },
        }
    }

    fn parent_path(&self, n: NodeId) -> String {
        self.tree
            .node(n)
            .parent
            .map_or_else(|| "the document".into(), |p| self.tree.describe(p))
    }

    /// `file:line` of an origin.
    pub(crate) fn describe_origin(&self, origin: Origin) -> String {
        let s = &self.sources[origin.src as usize];
        let (line, _) = LineIndex::new(s.text.as_bytes()).line_col(origin.offset as usize);
        format!("{}:{line}", s.shown)
    }

    /// A finding about an operation, at the operation's start tag or at one of its
    /// attributes.
    pub(crate) fn op_finding(
        &self,
        op: Origin,
        attr: Option<&str>,
        severity: Severity,
        code: &str,
        message: String,
        help: Option<String>,
    ) -> Diagnostic {
        let s = &self.sources[op.src as usize];
        let bytes = s.text.as_bytes();
        let lt = op.offset as usize;
        let span = attr
            .and_then(|a| crate::position::attribute_span(bytes, lt, a))
            .unwrap_or_else(|| element_name_span(bytes, lt));
        let mut d = super::span_diagnostic(s, span, severity, code, message);
        d.help = help;
        d
    }
}

/// The text content of an operation (an attribute's new value), as written.
fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    node.children()
        .filter_map(|c| c.text().filter(|_| c.is_text()))
        .collect()
}
