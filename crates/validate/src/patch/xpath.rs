//! XPath 1.0 over the patch tree, through the `xpath-eval` crate (which brings the
//! parser and evaluator and leaves the tree to us, so matches keep their origin).

use std::cmp::Ordering;

use xpath_eval::{EvaluationContext, ExpandedName, Expr, NodeKind, Value};

use super::tree::{Kind, NodeId, Tree};

/// A node of the tree as XPath sees it: an element/text/comment/PI/document node,
/// or an attribute of an element (`attr` is its index in the element's attributes).
#[derive(Clone, Copy)]
pub(crate) struct XNode<'a> {
    tree: &'a Tree,
    id: NodeId,
    attr: Option<u32>,
}

impl PartialEq for XNode<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.tree, other.tree) && self.id == other.id && self.attr == other.attr
    }
}
impl Eq for XNode<'_> {}

impl std::fmt::Debug for XNode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "XNode({}, {:?})", self.id, self.attr)
    }
}

impl<'a> xpath_eval::Node<'a> for XNode<'a> {
    fn kind(self) -> NodeKind {
        if self.attr.is_some() {
            return NodeKind::Attribute;
        }
        match self.tree.node(self.id).kind {
            Kind::Document => NodeKind::Root,
            Kind::Element(_) => NodeKind::Element,
            Kind::Text(_) => NodeKind::Text,
            Kind::Comment(_) => NodeKind::Comment,
            Kind::Pi { .. } => NodeKind::ProcessingInstruction,
        }
    }

    fn parent(self) -> Option<Self> {
        let id = match self.attr {
            Some(_) => Some(self.id),
            None => self.tree.node(self.id).parent,
        }?;
        Some(XNode {
            tree: self.tree,
            id,
            attr: None,
        })
    }

    fn children(self) -> impl Iterator<Item = Self> + 'a {
        let tree = self.tree;
        let ids: &'a [NodeId] = match self.attr {
            Some(_) => &[],
            None => &tree.node(self.id).children,
        };
        ids.iter().map(move |c| XNode {
            tree,
            id: *c,
            attr: None,
        })
    }

    fn attributes(self) -> impl Iterator<Item = Self> + 'a {
        let tree = self.tree;
        let id = self.id;
        let attrs: &'a [super::tree::Attr] = match self.attr {
            Some(_) => &[],
            None => &tree.node(id).attrs,
        };
        attrs
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.ns_decl)
            .map(move |(i, _)| XNode {
                tree,
                id,
                attr: Some(i as u32),
            })
    }

    fn namespaces(self) -> impl Iterator<Item = Self> + 'a {
        // X4 selectors never use the namespace axis; none are exposed.
        std::iter::empty()
    }

    fn expanded_name(self) -> Option<ExpandedName> {
        let n = self.tree.node(self.id);
        let name = match (self.attr, &n.kind) {
            (Some(i), _) => &n.attrs[i as usize].name,
            (None, Kind::Element(name)) => name,
            (None, Kind::Pi { target, .. }) => {
                return Some(ExpandedName {
                    namespace_uri: None,
                    local_name: target.clone(),
                })
            }
            _ => return None,
        };
        Some(ExpandedName {
            namespace_uri: name.ns.clone(),
            local_name: name.local.clone(),
        })
    }

    fn string_value(self) -> String {
        let n = self.tree.node(self.id);
        match (self.attr, &n.kind) {
            (Some(i), _) => n.attrs[i as usize].value.clone(),
            (None, Kind::Text(t) | Kind::Comment(t)) => t.clone(),
            (None, Kind::Pi { value, .. }) => value.clone(),
            (None, _) => self.tree.text_content(self.id),
        }
    }

    fn document_order(self, other: Self) -> Ordering {
        let key = |n: Self| (n.tree.order(n.id), n.attr.map_or(0, |a| a + 1));
        key(self).cmp(&key(other))
    }
}

/// What a selector found: a node, or an attribute (element, index in `attrs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Node(NodeId),
    Attr(NodeId, usize),
}

impl Target {
    /// The element or node itself (the owner element for an attribute).
    pub(crate) fn node(self) -> NodeId {
        match self {
            Target::Node(n) | Target::Attr(n, _) => n,
        }
    }
}

/// A parsed XPath expression.
pub(crate) fn compile(expr: &str) -> Result<Expr, String> {
    xpath_eval::parse(expr).map_err(|e| format!("{e}"))
}

fn eval<'a>(tree: &'a Tree, expr: &Expr) -> Result<Value<XNode<'a>>, String> {
    let root = XNode {
        tree,
        id: tree.root(),
        attr: None,
    };
    xpath_eval::evaluate(expr, &EvaluationContext::new(root)).map_err(|e| format!("{e}"))
}

/// The nodes `expr` selects, in document order. An expression that is not a
/// node-set (`count(…)`) is an error.
pub(crate) fn select(tree: &Tree, expr: &Expr) -> Result<Vec<Target>, String> {
    match eval(tree, expr)? {
        Value::NodeSet(mut nodes) => {
            use xpath_eval::Node as _;
            nodes.sort_by(|a, b| a.document_order(*b));
            Ok(nodes
                .into_iter()
                .map(|n| match n.attr {
                    Some(i) => Target::Attr(n.id, i as usize),
                    None => Target::Node(n.id),
                })
                .collect())
        }
        other => Err(format!(
            "the expression gives a {}, not nodes",
            match other {
                Value::Boolean(_) => "boolean",
                Value::Number(_) => "number",
                _ => "string",
            }
        )),
    }
}

/// The boolean value of `expr` (an `if` condition): a node-set is true when it is
/// not empty.
pub(crate) fn test(tree: &Tree, expr: &Expr) -> Result<bool, String> {
    Ok(eval(tree, expr)?.to_boolean())
}

/// Where a selector stops matching: the longest leading part that still matches
/// (and the first node it matches), the step after it, and a guess at what was meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Closest {
    pub(crate) prefix: String,
    pub(crate) first: NodeId,
    pub(crate) missing_step: String,
    pub(crate) hint: Option<String>,
}

/// Byte offsets of the `/` that separate location steps (outside predicates,
/// parentheses and quotes).
fn step_breaks(expr: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in expr.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => depth -= 1,
            (None, '/') if depth == 0 => out.push(i),
            _ => {}
        }
    }
    out
}

/// For a selector that matches nothing: the closest part of it that does match.
/// `None` when not even the first step matches (or the selector is not a plain
/// location path, e.g. a union).
pub(crate) fn closest(tree: &Tree, expr: &str) -> Option<Closest> {
    let breaks = step_breaks(expr);
    // Step ends, longest first: each leading part is tried as written, then with
    // the predicates of its last step removed (`//library[@name='X']` that
    // matches nothing, but `//library` does: the predicate is what fails).
    let mut ends: Vec<usize> = breaks.clone();
    ends.push(expr.len());
    for (k, &end) in ends.iter().enumerate().rev() {
        let prefix = expr[..end].trim_end();
        if prefix.is_empty() || prefix.ends_with('/') {
            continue;
        }
        if end < expr.len() {
            if let Some(found) = matches(tree, prefix) {
                let mut rest_start = end + 1;
                if expr[rest_start..].starts_with('/') {
                    rest_start += 1;
                }
                let rest_end = ends
                    .get(k + 1)
                    .copied()
                    .filter(|e| *e >= rest_start)
                    .unwrap_or(expr.len());
                let step = expr[rest_start..rest_end].trim().to_string();
                let children: Vec<NodeId> = found
                    .iter()
                    .filter_map(|t| match t {
                        Target::Node(n) => Some(*n),
                        _ => None,
                    })
                    .flat_map(|n| tree.node(n).children.iter().copied())
                    .collect();
                return Some(Closest {
                    prefix: prefix.to_string(),
                    first: found[0].node(),
                    hint: hint(tree, &found, &children, &step),
                    missing_step: step,
                });
            }
        }
        // The same leading part without the predicates of its last step.
        let step_start = k.checked_sub(1).map_or(0, |j| ends[j] + 1);
        let last = &expr[step_start.min(end)..end];
        if let Some(bracket) = last.find('[') {
            let bare = expr[..step_start + bracket].trim_end();
            if bare.is_empty() || bare.ends_with('/') {
                continue;
            }
            if let Some(found) = matches(tree, bare) {
                let nodes: Vec<NodeId> = found.iter().map(|t| t.node()).collect();
                return Some(Closest {
                    prefix: bare.to_string(),
                    first: found[0].node(),
                    hint: hint(tree, &found, &nodes, last.trim()),
                    missing_step: last.trim().to_string(),
                });
            }
        }
    }
    None
}

/// What a leading part of a selector matches, if anything.
fn matches(tree: &Tree, prefix: &str) -> Option<Vec<Target>> {
    let found = select(tree, &compile(prefix).ok()?).ok()?;
    (!found.is_empty()).then_some(found)
}

/// A guess for a step that matched nothing among `candidates` (the children of
/// `parents`, or the nodes matching the step without its predicates): a near
/// name, or a near attribute value in a `[@a='v']` predicate.
fn hint(tree: &Tree, parents: &[Target], candidates: &[NodeId], step: &str) -> Option<String> {
    let name_end = step
        .find(|c: char| c == '[' || c.is_whitespace())
        .unwrap_or(step.len());
    let name = &step[..name_end];
    if let Some(attr) = name.strip_prefix('@') {
        let names: Vec<String> = parents
            .iter()
            .flat_map(|t| {
                tree.visible_attrs(t.node())
                    .map(|(_, a)| a.name.qname.clone())
            })
            .collect();
        return crate::explain::nearest(attr, &dedup(names)).map(|n| format!("did you mean @{n}?"));
    }
    if name.is_empty() || name.contains(['(', ':', '*', '.']) {
        return None;
    }
    let names: Vec<String> = candidates
        .iter()
        .filter_map(|c| tree.name(*c).map(|n| n.qname.clone()))
        .collect();
    if !names.iter().any(|n| n == name) {
        let names = dedup(names);
        return match crate::explain::nearest(name, &names) {
            Some(n) => Some(format!("did you mean `{n}`?")),
            None if !names.is_empty() => Some(format!(
                "there are {} here",
                crate::explain::shorten(
                    &names.iter().map(|n| format!("<{n}>")).collect::<Vec<_>>()
                )
            )),
            None => None,
        };
    }
    // The name exists: the predicate is what fails. `[@attr='value']`?
    let pred = &step[name_end..];
    let attr_start = pred.find("[@")? + 2;
    let attr_len = pred[attr_start..].find(|c: char| c == '=' || c.is_whitespace() || c == ']')?;
    let attr = &pred[attr_start..attr_start + attr_len];
    let after = pred[attr_start + attr_len..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let q = after.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let value = &after[1..1 + after[1..].find(q)?];
    let values: Vec<String> = candidates
        .iter()
        .filter(|c| tree.name(**c).is_some_and(|n| n.qname == name))
        .filter_map(|c| {
            tree.visible_attrs(*c)
                .find(|(_, a)| a.name.qname == attr)
                .map(|(_, a)| a.value.clone())
        })
        .collect();
    let values = dedup(values);
    match crate::explain::nearest(value, &values) {
        Some(v) => Some(format!("did you mean {name}[@{attr}='{v}']?")),
        None if values.is_empty() => Some(format!("no <{name}> here has @{attr}")),
        None => Some(format!(
            "@{attr} of the <{name}> here: {}",
            crate::explain::shorten(&values)
        )),
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
    v
}

#[cfg(test)]
mod tests {
    use super::super::tree::{parse_document, Tree};
    use super::*;

    fn tree(text: &str) -> Tree {
        Tree::from_document(&parse_document(text).unwrap(), 0)
    }

    fn sel(t: &Tree, e: &str) -> Vec<Target> {
        select(t, &compile(e).unwrap()).unwrap()
    }

    const DOC: &str = "<mdscript name=\"S\"><cues><cue name=\"A\" instantiate=\"true\"><actions/></cue><cue name=\"Bravo\"/></cues></mdscript>";

    #[test]
    fn selects_elements_attributes_in_document_order() {
        let t = tree(DOC);
        assert_eq!(sel(&t, "/mdscript/cues/cue").len(), 2);
        assert_eq!(sel(&t, "//cue[@name='A']/@instantiate").len(), 1);
        assert!(matches!(
            sel(&t, "//cue[@name='A']/@instantiate")[0],
            Target::Attr(_, 1)
        ));
        assert_eq!(sel(&t, "//cue[2]").len(), 1);
        assert_eq!(sel(&t, "//cue[last()]"), sel(&t, "//cue[@name='Bravo']"));
        assert!(sel(&t, "/cues").is_empty());
        let both = sel(&t, "//cue[@name='Bravo'] | //cue[@name='A']");
        assert_eq!(both, sel(&t, "//cue"));
        assert!(test(&t, &compile("not(//cue[@name='C'])").unwrap()).unwrap());
        assert!(!test(&t, &compile("//cue[@name='C']").unwrap()).unwrap());
        assert!(select(&t, &compile("count(//cue)").unwrap()).is_err());
        assert!(compile("//cue[").is_err());
    }

    #[test]
    fn closest_path_and_hints() {
        let t = tree(DOC);
        let c = closest(&t, "/mdscript/cues/cue[@name='Brav']/actions").unwrap();
        assert_eq!(c.prefix, "/mdscript/cues/cue");
        assert_eq!(c.missing_step, "cue[@name='Brav']");
        assert_eq!(c.hint.as_deref(), Some("did you mean cue[@name='Bravo']?"));
        let c = closest(&t, "/mdscript/cuess/cue").unwrap();
        assert_eq!(c.prefix, "/mdscript");
        assert_eq!(c.hint.as_deref(), Some("did you mean `cues`?"));
        let c = closest(&t, "//cue[@name='A']/@instantiat").unwrap();
        assert_eq!(c.hint.as_deref(), Some("did you mean @instantiate?"));
        assert!(closest(&t, "/nothing/here").is_none());
    }
}
