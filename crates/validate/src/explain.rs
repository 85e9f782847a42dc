//! What the schema expected, added to a finding: allowed values of an enumeration,
//! elements allowed in an element, the nearest name to a misspelt one.

use std::collections::HashMap;

use xsd_schema::compiler::{AuthoredKind, AuthoredNode};
use xsd_schema::ids::{ComplexTypeKey, TypeKey};

use crate::compiled::Compiled;
use crate::diagnostic::Diagnostic;

/// Lists longer than this are cut, with a count of the rest (an MD `<actions>`
/// allows hundreds of elements).
const MAX_LISTED: usize = 12;

/// What a finding is about, as the explainer needs it.
pub(crate) struct Subject<'a> {
    /// The XSD constraint the engine reported (`cvc-...`).
    pub(crate) constraint: &'a str,
    /// Type of the element the finding is about, when assigned.
    pub(crate) element_type: Option<TypeKey>,
    /// Type of the attribute the finding is about.
    pub(crate) attr_type: Option<TypeKey>,
}

pub(crate) struct Explainer<'c> {
    compiled: &'c Compiled,
    /// Element names allowed per complex type, computed once per document.
    elements: HashMap<ComplexTypeKey, Vec<String>>,
}

impl<'c> Explainer<'c> {
    pub(crate) fn new(compiled: &'c Compiled) -> Self {
        Explainer {
            compiled,
            elements: HashMap::new(),
        }
    }

    pub(crate) fn explain(
        &mut self,
        subject: &Subject<'_>,
        d: &mut Diagnostic,
        bytes: &[u8],
        element_span: (usize, usize),
    ) {
        let code = subject.constraint;
        if code.starts_with("cvc-complex-type.2.4") {
            let Some(TypeKey::Complex(ct)) = subject.element_type else {
                return;
            };
            let names = self.allowed_elements(ct);
            if names.is_empty() {
                d.expected = Some("no child elements".into());
                return;
            }
            d.expected = Some(format!("one of the elements {}", shorten(names)));
            if d.message.contains("not allowed") {
                let found = String::from_utf8_lossy(&bytes[element_span.0..element_span.1]);
                let local = found.rsplit(':').next().unwrap_or(&found).to_string();
                if !names.contains(&local) {
                    d.help = nearest(&local, names).map(|n| format!("did you mean <{n}>?"));
                } else {
                    d.help = Some(format!("<{local}> is allowed in this element, but not at this position (check the order and count of its siblings)"));
                }
            }
        } else if code == "cvc-enumeration-valid" || code == "cvc-datatype-valid" {
            let Some(ty) = subject.attr_type.or(subject.element_type) else {
                return;
            };
            let mut values = Vec::new();
            self.enumeration(ty, &mut values, 0);
            if values.is_empty() {
                return;
            }
            values.sort();
            values.dedup();
            let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
            d.expected = Some(format!("one of {}", shorten(&quoted)));
            if let Some(found) = quoted_value(&d.message) {
                d.help = nearest(found, &values).map(|n| format!("did you mean '{n}'?"));
            }
        }
    }

    /// Every element name the content model of `ct` mentions, in schema order.
    fn allowed_elements(&mut self, ct: ComplexTypeKey) -> &Vec<String> {
        let validator = self.compiled.validator();
        self.elements.entry(ct).or_insert_with(|| {
            let mut names = Vec::new();
            if let Some(report) = validator.describe_content_model(ct) {
                for section in &report.authored.sections {
                    if let Some(root) = &section.root {
                        collect_names(root, &mut names);
                    }
                }
            }
            names
        })
    }

    /// Enumeration values of a simple type, its bases and, for a union, its members.
    fn enumeration(&self, ty: TypeKey, out: &mut Vec<String>, depth: u32) {
        let TypeKey::Simple(key) = ty else { return };
        if depth > 8 {
            return;
        }
        let Some(st) = self.compiled.set().arenas.simple_types.get(key) else {
            return;
        };
        if let Some(e) = &st.facets.enumeration {
            out.extend(e.values.iter().cloned());
            return;
        }
        for member in &st.resolved_member_types {
            self.enumeration(*member, out, depth + 1);
        }
        if let Some(base) = st.resolved_base_type {
            self.enumeration(base, out, depth + 1);
        }
    }
}

fn collect_names(node: &AuthoredNode, out: &mut Vec<String>) {
    match &node.kind {
        AuthoredKind::Element(el) => {
            for name in std::iter::once(&el.name).chain(el.substitutable.iter()) {
                let local = name.rsplit('}').next().unwrap_or(name).to_string();
                if !out.contains(&local) {
                    out.push(local);
                }
            }
        }
        AuthoredKind::Wildcard(_) if !out.iter().any(|n| n == "(any element)") => {
            out.push("(any element)".into());
        }
        _ => {}
    }
    for child in &node.children {
        collect_names(child, out);
    }
}

/// `a, b, c`, or the first [`MAX_LISTED`] and how many more.
pub(crate) fn shorten(items: &[String]) -> String {
    if items.len() <= MAX_LISTED {
        items.join(", ")
    } else {
        format!(
            "{}, … and {} more",
            items[..MAX_LISTED].join(", "),
            items.len() - MAX_LISTED
        )
    }
}

/// The first `'quoted'` value of an engine message ("value 'loud' is not …").
fn quoted_value(message: &str) -> Option<&str> {
    let start = message.find('\'')? + 1;
    let len = message[start..].find('\'')?;
    Some(&message[start..start + len])
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub(crate) fn nearest<'a>(word: &str, candidates: &'a [String]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_and_shortening() {
        let names: Vec<String> = ["set_value", "debug_text", "do_if"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(nearest("set_valeu", &names), Some("set_value"));
        assert_eq!(nearest("launch_rockets", &names), None);
        let many: Vec<String> = (0..20).map(|i| format!("e{i}")).collect();
        assert!(shorten(&many).ends_with("… and 8 more"));
        assert_eq!(quoted_value("value 'loud' is not"), Some("loud"));
    }
}
