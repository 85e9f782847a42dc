//! A small mutable XML tree for applying diff patches: every node and attribute
//! remembers which document it came from and where (its origin), so anything
//! found in the patched result can be reported at the line that put it there.
//!
//! roxmltree parses (it gives byte positions and checks well-formedness); its
//! trees are immutable, so the nodes are copied into this arena. Detached nodes
//! stay in the arena (ids never move) but are no longer reachable from the root.

use std::fmt::Write as _;

/// Index of a node in the arena.
pub(crate) type NodeId = u32;

/// Which document a node came from and where: `src` 0 is the base file, `1..` the
/// patches in the order they were applied; `offset` is the byte offset of the
/// node's `<` (or of the attribute's name, or of the patch operation that made
/// the node) in that document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Origin {
    pub(crate) src: u16,
    pub(crate) offset: u32,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Document,
    Element(Name),
    Text(String),
    Comment(String),
    Pi { target: String, value: String },
}

/// A qualified name as written (`xsi:type`), its namespace and local part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    pub(crate) qname: String,
    pub(crate) ns: Option<String>,
    pub(crate) local: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Attr {
    pub(crate) name: Name,
    pub(crate) value: String,
    pub(crate) origin: Origin,
    /// A namespace declaration (`xmlns:p="…"`): written out, invisible to XPath.
    pub(crate) ns_decl: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct NodeData {
    pub(crate) kind: Kind,
    pub(crate) attrs: Vec<Attr>,
    pub(crate) parent: Option<NodeId>,
    pub(crate) children: Vec<NodeId>,
    pub(crate) origin: Origin,
    /// Identity across replacement: a node put in place of another by `replace`
    /// keeps the identity of the node it replaced (conflict detection compares
    /// identities, not arena ids).
    pub(crate) ident: NodeId,
    /// The last operation that changed this node's attributes or children, as
    /// (patch `src`, byte offset of the operation).
    pub(crate) touched: Option<Origin>,
}

/// The arena. Node 0 is the document node.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    nodes: Vec<NodeData>,
    /// Pre-order number of each attached node ([`Tree::renumber`]); XPath's
    /// document order.
    order: Vec<u32>,
}

/// Why a document could not be read into a tree.
#[derive(Debug, Clone)]
pub(crate) struct ParseError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

pub(crate) fn parse_document(text: &str) -> Result<roxmltree::Document<'_>, ParseError> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
        let pos = e.pos();
        ParseError {
            offset: offset_of(text, pos.row, pos.col),
            message: e.to_string(),
        }
    })
}

fn offset_of(text: &str, row: u32, col: u32) -> usize {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == row as usize {
            return offset
                + line
                    .char_indices()
                    .nth((col as usize).saturating_sub(1))
                    .map_or(line.len(), |(b, _)| b);
        }
        offset += line.len();
    }
    text.len()
}

impl Tree {
    /// A tree of the whole document `doc`, every node with origin `src`.
    pub(crate) fn from_document(doc: &roxmltree::Document<'_>, src: u16) -> Tree {
        let mut tree = Tree {
            nodes: vec![NodeData {
                kind: Kind::Document,
                attrs: Vec::new(),
                parent: None,
                children: Vec::new(),
                origin: Origin { src, offset: 0 },
                ident: 0,
                touched: None,
            }],
            order: Vec::new(),
        };
        for child in doc.root().children() {
            if let Some(id) = tree.import(child, src, false) {
                tree.append(0, id);
            }
        }
        tree.renumber();
        tree
    }

    pub(crate) fn root(&self) -> NodeId {
        0
    }

    pub(crate) fn node(&self, id: NodeId) -> &NodeData {
        &self.nodes[id as usize]
    }

    pub(crate) fn node_mut(&mut self, id: NodeId) -> &mut NodeData {
        &mut self.nodes[id as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The root element (the document's one element child), if any.
    pub(crate) fn root_element(&self) -> Option<NodeId> {
        self.node(0)
            .children
            .iter()
            .copied()
            .find(|c| matches!(self.node(*c).kind, Kind::Element(_)))
    }

    /// Copy `node` (and its subtree) from a parsed document into the arena,
    /// unattached. Whitespace-only text is kept (it is part of the document);
    /// `declare_scope` declares every namespace in scope on the copied root,
    /// for content lifted out of a patch into another document.
    pub(crate) fn import(
        &mut self,
        node: roxmltree::Node<'_, '_>,
        src: u16,
        declare_scope: bool,
    ) -> Option<NodeId> {
        let origin = Origin {
            src,
            offset: node.range().start as u32,
        };
        let kind = match node.node_type() {
            roxmltree::NodeType::Root => return None,
            roxmltree::NodeType::Element => Kind::Element(element_name(node)),
            roxmltree::NodeType::Text => Kind::Text(node.text().unwrap_or("").to_string()),
            roxmltree::NodeType::Comment => Kind::Comment(node.text().unwrap_or("").to_string()),
            roxmltree::NodeType::PI => {
                let pi = node.pi()?;
                Kind::Pi {
                    target: pi.target.to_string(),
                    value: pi.value.unwrap_or("").to_string(),
                }
            }
        };
        let mut attrs = Vec::new();
        if node.is_element() {
            let parent_scope: Vec<(Option<&str>, &str)> = node
                .parent_element()
                .filter(|_| !declare_scope)
                .map(|p| p.namespaces().map(|n| (n.name(), n.uri())).collect())
                .unwrap_or_default();
            for ns in node.namespaces() {
                if ns.name() == Some("xml") || parent_scope.contains(&(ns.name(), ns.uri())) {
                    continue;
                }
                let qname = match ns.name() {
                    Some(p) => format!("xmlns:{p}"),
                    None => "xmlns".to_string(),
                };
                attrs.push(Attr {
                    name: Name {
                        local: qname.clone(),
                        qname,
                        ns: None,
                    },
                    value: ns.uri().to_string(),
                    origin,
                    ns_decl: true,
                });
            }
            for a in node.attributes() {
                let qname = match a.namespace().and_then(|u| node.lookup_prefix(u)) {
                    Some(p) if !p.is_empty() => format!("{p}:{}", a.name()),
                    _ => a.name().to_string(),
                };
                attrs.push(Attr {
                    name: Name {
                        qname,
                        ns: a.namespace().map(str::to_string),
                        local: a.name().to_string(),
                    },
                    value: a.value().to_string(),
                    origin: Origin {
                        src,
                        offset: a.position() as u32,
                    },
                    ns_decl: false,
                });
            }
        }
        let id = self.push(kind, attrs, origin);
        for child in node.children() {
            if let Some(c) = self.import(child, src, false) {
                self.append(id, c);
            }
        }
        Some(id)
    }

    /// A new unattached node.
    pub(crate) fn push(&mut self, kind: Kind, attrs: Vec<Attr>, origin: Origin) -> NodeId {
        let id = self.nodes.len() as NodeId;
        self.nodes.push(NodeData {
            kind,
            attrs,
            parent: None,
            children: Vec::new(),
            origin,
            ident: id,
            touched: None,
        });
        id
    }

    pub(crate) fn append(&mut self, parent: NodeId, child: NodeId) {
        self.insert_at(parent, self.node(parent).children.len(), child);
    }

    pub(crate) fn insert_at(&mut self, parent: NodeId, index: usize, child: NodeId) {
        self.node_mut(child).parent = Some(parent);
        self.node_mut(parent).children.insert(index, child);
    }

    /// The position of `child` among its parent's children.
    pub(crate) fn index_in_parent(&self, child: NodeId) -> Option<(NodeId, usize)> {
        let parent = self.node(child).parent?;
        let i = self
            .node(parent)
            .children
            .iter()
            .position(|c| *c == child)?;
        Some((parent, i))
    }

    /// Take `node` out of the tree (it stays in the arena).
    pub(crate) fn detach(&mut self, node: NodeId) {
        if let Some((parent, i)) = self.index_in_parent(node) {
            self.node_mut(parent).children.remove(i);
        }
        self.node_mut(node).parent = None;
    }

    /// Whether `node` is still reachable from the document node.
    pub(crate) fn is_attached(&self, mut node: NodeId) -> bool {
        while let Some(p) = self.node(node).parent {
            node = p;
        }
        node == 0
    }

    /// Recompute document order after the tree changed (before evaluating XPath).
    pub(crate) fn renumber(&mut self) {
        self.order.clear();
        self.order.resize(self.nodes.len(), u32::MAX);
        let mut n = 0u32;
        let mut stack = vec![0 as NodeId];
        while let Some(id) = stack.pop() {
            self.order[id as usize] = n;
            n += 1;
            stack.extend(self.nodes[id as usize].children.iter().rev());
        }
    }

    pub(crate) fn order(&self, id: NodeId) -> u32 {
        self.order.get(id as usize).copied().unwrap_or(u32::MAX)
    }

    /// The element's name, if `id` is an element.
    pub(crate) fn name(&self, id: NodeId) -> Option<&Name> {
        match &self.node(id).kind {
            Kind::Element(n) => Some(n),
            _ => None,
        }
    }

    /// The attributes XPath sees (namespace declarations excluded), with their
    /// index in [`NodeData::attrs`].
    pub(crate) fn visible_attrs(&self, id: NodeId) -> impl Iterator<Item = (usize, &Attr)> {
        self.node(id)
            .attrs
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.ns_decl)
    }

    /// Concatenated text of the descendants (XPath string-value of an element).
    pub(crate) fn text_content(&self, id: NodeId) -> String {
        let mut out = String::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            match &self.node(n).kind {
                Kind::Text(t) => out.push_str(t),
                Kind::Element(_) | Kind::Document => {
                    stack.extend(self.node(n).children.iter().rev())
                }
                _ => {}
            }
        }
        out
    }

    /// A readable absolute path of an attached element: `/mdscript/cues/cue[@name='X']`,
    /// each step qualified by its `name` or `id` attribute when it has one, else by
    /// its position among siblings of the same name when there are several.
    pub(crate) fn describe(&self, id: NodeId) -> String {
        let mut steps = Vec::new();
        let mut cur = Some(id);
        while let Some(n) = cur {
            let Some(name) = self.name(n) else { break };
            let mut step = name.qname.clone();
            let key = ["name", "id"].iter().find_map(|k| {
                self.visible_attrs(n)
                    .find(|(_, a)| a.name.qname == *k)
                    .map(|(_, a)| (k, a.value.clone()))
            });
            if let Some((k, v)) = key {
                let q = if v.contains('\'') { '"' } else { '\'' };
                let _ = write!(step, "[@{k}={q}{v}{q}]");
            } else if let Some(parent) = self.node(n).parent {
                let same: Vec<NodeId> = self
                    .node(parent)
                    .children
                    .iter()
                    .copied()
                    .filter(|c| self.name(*c).is_some_and(|m| m.qname == name.qname))
                    .collect();
                if same.len() > 1 {
                    let i = same.iter().position(|c| *c == n).unwrap_or(0);
                    let _ = write!(step, "[{}]", i + 1);
                }
            }
            steps.push(step);
            cur = self.node(n).parent;
        }
        steps.reverse();
        format!("/{}", steps.join("/"))
    }

    /// Write the document as XML. Returns the text and, for each element written,
    /// the byte offset of its `<` in that text (ascending).
    pub(crate) fn serialize(&self) -> (String, Vec<(usize, NodeId)>) {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        let mut starts = Vec::new();
        for c in &self.node(0).children {
            self.write_node(*c, &mut out, &mut starts);
            if !matches!(self.node(*c).kind, Kind::Text(_)) {
                out.push('\n');
            }
        }
        (out, starts)
    }

    fn write_node(&self, id: NodeId, out: &mut String, starts: &mut Vec<(usize, NodeId)>) {
        let n = self.node(id);
        match &n.kind {
            Kind::Document => {}
            Kind::Text(t) => escape(t, false, out),
            Kind::Comment(c) => {
                out.push_str("<!--");
                out.push_str(c);
                out.push_str("-->");
            }
            Kind::Pi { target, value } => {
                let _ = write!(out, "<?{target} {value}?>");
            }
            Kind::Element(name) => {
                starts.push((out.len(), id));
                out.push('<');
                out.push_str(&name.qname);
                for a in &n.attrs {
                    out.push(' ');
                    out.push_str(&a.name.qname);
                    out.push_str("=\"");
                    escape(&a.value, true, out);
                    out.push('"');
                }
                if n.children.is_empty() {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    for c in &n.children {
                        self.write_node(*c, out, starts);
                    }
                    let _ = write!(out, "</{}>", name.qname);
                }
            }
        }
    }
}

fn element_name(node: roxmltree::Node<'_, '_>) -> Name {
    let tag = node.tag_name();
    let qname = match tag.namespace().and_then(|u| node.lookup_prefix(u)) {
        Some(p) if !p.is_empty() => format!("{p}:{}", tag.name()),
        _ => tag.name().to_string(),
    };
    Name {
        qname,
        ns: tag.namespace().map(str::to_string),
        local: tag.name().to_string(),
    }
}

fn escape(text: &str, attr: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\n' if attr => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attr => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_content_and_origins() {
        let text = "<?xml version=\"1.0\"?>\n<a xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:x=\"1\">\n  <b n=\"&lt;&amp;\">t</b><!--c-->\n</a>";
        let doc = parse_document(text).unwrap();
        let tree = Tree::from_document(&doc, 0);
        let (out, starts) = tree.serialize();
        assert!(
            out.contains("<a xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:x=\"1\">"),
            "{out}"
        );
        assert!(out.contains("<b n=\"&lt;&amp;\">t</b><!--c-->"), "{out}");
        assert_eq!(starts.len(), 2);
        let b = starts[1].1;
        assert_eq!(
            tree.node(b).origin.offset as usize,
            text.find("<b").unwrap()
        );
        let n = &tree.node(b).attrs[0];
        assert_eq!(n.origin.offset as usize, text.find("n=\"&lt;").unwrap());
        assert_eq!(tree.describe(b), "/a/b");
        // The output parses again.
        parse_document(&out).unwrap();
    }

    #[test]
    fn describe_uses_name_or_position() {
        let text = "<r><c name=\"A\"/><d/><d/></r>";
        let doc = parse_document(text).unwrap();
        let tree = Tree::from_document(&doc, 0);
        let (_, starts) = tree.serialize();
        assert_eq!(tree.describe(starts[1].1), "/r/c[@name='A']");
        assert_eq!(tree.describe(starts[3].1), "/r/d[2]");
    }

    #[test]
    fn parse_error_has_offset() {
        let e = parse_document("<a>\n<b></a>").unwrap_err();
        assert!(e.offset > 0 && e.offset <= 10, "{e:?}");
    }
}
