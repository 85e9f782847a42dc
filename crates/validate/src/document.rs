//! One validation run over one document: drives the engine's streaming parser and
//! turns its errors into located [`Diagnostic`]s.
//!
//! The engine reports errors with the element path but no source position, and its
//! event handler cannot reach the runtime. So the handler and the error sink share a
//! small state: the handler keeps a stack of open elements (byte offset of each `<`
//! and the type the validator assigned), and the sink stamps each error with it.

use std::cell::RefCell;
use std::rc::Rc;

use xsd_schema::ids::TypeKey;
use xsd_schema::validation::{
    drive_quick_xml_with, AttributeView, DriveWithError, ElementStartView, PathStep, SchemaInfo,
    ValidationError, ValidationEventHandler, ValidationRoot, ValidationSink, ValidationWarning,
};
use xsd_schema::xml::ParseLimits;

use crate::compiled::Compiled;
use crate::diagnostic::{codes, Diagnostic, Severity};
use crate::explain::{Explainer, Subject};
use crate::position::{attribute_span, element_name_span, LineIndex};

/// Deeper nesting than this is refused (no X4 file comes near it).
const MAX_DEPTH: usize = 1024;

struct Frame {
    lt: usize,
    ty: Option<TypeKey>,
}

/// An engine error and where it happened.
pub(crate) struct Raw {
    pub(crate) error: ValidationError,
    pub(crate) severity: Severity,
    /// `<` of the element being processed when the error came.
    pub(crate) lt: usize,
    /// Type of the element the error is about (by its path), when assigned.
    pub(crate) subject_type: Option<TypeKey>,
    /// Type of the attribute the error is about, filled in after the attribute.
    pub(crate) attr_type: Option<TypeKey>,
}

#[derive(Default)]
struct Shared {
    frames: Vec<Frame>,
    raws: Vec<Raw>,
    attr_mark: usize,
}

struct Sink(Rc<RefCell<Shared>>);

impl Sink {
    fn push(&self, error: ValidationError, severity: Severity) {
        let mut s = self.0.borrow_mut();
        let depth = error
            .instance_path()
            .map(|p| {
                p.steps()
                    .filter(|st| matches!(st, PathStep::Element { .. }))
                    .count()
            })
            .unwrap_or(0);
        let subject_type = depth
            .checked_sub(1)
            .and_then(|i| s.frames.get(i))
            .and_then(|f| f.ty);
        let lt = s.frames.last().map_or(0, |f| f.lt);
        s.raws.push(Raw {
            error,
            severity,
            lt,
            subject_type,
            attr_type: None,
        });
    }
}

impl ValidationSink for Sink {
    fn on_error(&mut self, error: ValidationError) {
        self.push(error, Severity::Error);
    }
    fn on_warning(&mut self, warning: ValidationWarning) {
        let mut e = xsd_schema::validation::error("warning", warning.message.clone(), None);
        if let Some(p) = warning.instance_path() {
            e = e.with_instance_path(p.clone());
        }
        self.push(e, Severity::Warning);
    }
}

struct Handler(Rc<RefCell<Shared>>);

impl ValidationEventHandler for Handler {
    type Error = std::convert::Infallible;

    fn on_element_start_offset(&mut self, byte_pos: usize) -> Result<(), Self::Error> {
        self.0.borrow_mut().frames.push(Frame {
            lt: byte_pos,
            ty: None,
        });
        Ok(())
    }
    fn after_element(
        &mut self,
        _view: ElementStartView<'_>,
        info: &SchemaInfo,
    ) -> Result<(), Self::Error> {
        if let Some(f) = self.0.borrow_mut().frames.last_mut() {
            f.ty = info.schema_type;
        }
        Ok(())
    }
    fn before_attribute(&mut self, _view: AttributeView<'_>) -> Result<(), Self::Error> {
        let mut s = self.0.borrow_mut();
        s.attr_mark = s.raws.len();
        Ok(())
    }
    fn after_attribute(
        &mut self,
        _view: AttributeView<'_>,
        info: &SchemaInfo,
    ) -> Result<(), Self::Error> {
        let mut s = self.0.borrow_mut();
        let mark = s.attr_mark;
        for raw in &mut s.raws[mark..] {
            raw.attr_type = info.schema_type;
        }
        Ok(())
    }
    fn on_element_end_offset(&mut self, _byte_pos: usize) -> Result<(), Self::Error> {
        self.0.borrow_mut().frames.pop();
        Ok(())
    }
}

/// Validate `bytes` (already known to be non-empty UTF-8) against `compiled`. With
/// `lax`, an undeclared root is no error: against the empty schema set that checks
/// well-formedness only.
pub(crate) fn validate_document(
    compiled: &Compiled,
    path: &str,
    bytes: &[u8],
    lax: bool,
) -> Vec<Diagnostic> {
    let set = compiled.set();
    let shared = Rc::new(RefCell::new(Shared::default()));
    let mut runtime = compiled.validator().start_run(Sink(shared.clone()));
    runtime.set_parse_limits(ParseLimits::none().with_max_depth(MAX_DEPTH));
    if lax {
        runtime.set_validation_root(ValidationRoot::Lax);
    }
    let mut handler = Handler(shared.clone());
    let driven = drive_quick_xml_with(bytes, &mut runtime, set, &mut handler);
    let lines = LineIndex::new(bytes);
    let at = |offset: u64, code: &str, message: String| {
        let (line, column) = lines.line_col(offset as usize);
        let mut d = Diagnostic::file_level(path, Severity::Error, code, message);
        (d.line, d.column, d.end_column) = (line, column, column + 1);
        vec![d]
    };
    match driven {
        Ok(_) => {}
        // Errors found before the text broke are mostly its echoes; xmllint too
        // reports only the parser error for a document that is not well-formed.
        Err(DriveWithError::NotWellFormed(e)) => {
            return at(
                e.position(),
                codes::NOT_WELL_FORMED,
                format!("not well-formed XML: {}", e.message()),
            )
        }
        Err(DriveWithError::LimitExceeded(e)) => return at(0, codes::TOO_LARGE, e.to_string()),
        Err(DriveWithError::Io(e)) => return at(0, codes::IO, e.to_string()),
        Err(e) => return at(0, codes::IO, e.to_string()),
    }
    if let Err(e) = runtime.end_validation() {
        Sink(shared.clone()).push(e, Severity::Error);
    }
    drop(runtime);
    let raws = std::mem::take(&mut shared.borrow_mut().raws);
    let mut explainer = Explainer::new(compiled);
    let mut out: Vec<Diagnostic> = Vec::with_capacity(raws.len());
    let mut last_unexpected_at: Option<usize> = None;
    for raw in raws {
        let code = raw.error.constraint;
        if code == "cvc-elt.1" && last_unexpected_at == Some(raw.lt) {
            // "not declared" right after "not allowed here" for the same element says
            // nothing new.
            continue;
        }
        if code.starts_with("cvc-complex-type.2.4") {
            last_unexpected_at = Some(raw.lt);
        }
        out.push(locate(&raw, path, bytes, &lines, &mut explainer));
    }
    out.sort_by_key(|d| (d.line, d.column));
    out
}

fn locate(
    raw: &Raw,
    path: &str,
    bytes: &[u8],
    lines: &LineIndex,
    explainer: &mut Explainer,
) -> Diagnostic {
    let e = &raw.error;
    let attribute = e.instance_path().and_then(|p| match p.last() {
        Some(PathStep::Attribute { name, .. }) => Some(name.local_name().to_string()),
        _ => None,
    });
    let element_span = element_name_span(bytes, raw.lt);
    let span = attribute
        .as_deref()
        .and_then(|a| attribute_span(bytes, raw.lt, a))
        .unwrap_or(element_span);
    let (line, column, end_column) = lines.span(span);
    let mut element_path = e.instance_path().map(|p| {
        let mut s = String::new();
        for step in p.steps() {
            match step {
                PathStep::Attribute { .. } => s.push_str("/@"),
                _ => s.push('/'),
            }
            s.push_str(step.name().local_name());
        }
        s
    });
    let unexpected =
        e.constraint.starts_with("cvc-complex-type.2.4") && e.message.contains("not allowed");
    if unexpected {
        // The path names the parent; the finding is about the child at `lt`.
        let child = String::from_utf8_lossy(&bytes[element_span.0..element_span.1]).into_owned();
        element_path = Some(format!("{}/{child}", element_path.unwrap_or_default()));
    }
    let mut d = Diagnostic {
        file: path.to_string(),
        severity: raw.severity,
        code: e.constraint.to_string(),
        message: e.message.clone(),
        line,
        column,
        end_column,
        element_path,
        expected: None,
        help: None,
    };
    let subject = Subject {
        constraint: raw.error.constraint,
        element_type: raw.subject_type,
        attr_type: raw.attr_type,
    };
    explainer.explain(&subject, &mut d, bytes, element_span);
    d
}
