//! x4pipe-validate: XSD validation of X4: Foundations extension files, with
//! diagnostics a person (or CI) can act on.
//!
//! - Each file is checked against the schema of its kind ([`FileKind::detect`], by the
//!   root element): `md.xsd`, `aiscripts.xsd`, `addon.xsd` from the game, or the
//!   `content.xml` schema this project ships ([`CONTENT_XSD`]).
//! - The engine is the pure-Rust [`xsd_schema`] crate (XSD 1.0), pinned.
//! - Findings ([`Diagnostic`]) carry file, line, column, element path and what the
//!   schema expected; [`report`] writes them like cargo, as JSON lines, SARIF 2.1.0
//!   or GitHub annotations.
//! - [`VerdictCache`] keeps each file's verdict keyed by (schema fingerprint, file
//!   content), so unchanged files are not revalidated and a run whose files are all
//!   unchanged compiles no schema.
//!
//! # Library use
//!
//! ```no_run
//! use x4pipe_validate::{FileKind, SchemaSource, Validator};
//!
//! // CLI flag first, then $X4PIPE_SCHEMAS, then no game schemas.
//! let source = SchemaSource::discover(None);
//! // Or several folders, e.g. md.xsd + common.xsd from one and addon.xsd from another:
//! let source = SchemaSource::from_dirs(["../shared/x4-schemas/6.x", "../shared/x4-schemas/7.x"]);
//! let validator = Validator::load(&source)?;
//! let xml = br#"<mdscript name="My_Script"><cues/></mdscript>"#;
//! let findings = validator.validate_bytes("md/my_script.xml", xml, FileKind::Md);
//! for d in &findings {
//!     eprintln!("{}: {} [{}]", d.location(), d.message, d.code);
//! }
//! # Ok::<(), x4pipe_validate::LoadError>(())
//! ```
//!
//! # Command line
//!
//! `x4pipe validate` fills a [`ValidateRequest`], calls [`execute`] and gets an
//! [`Outcome`] with a [`Verdict`]; it writes the findings with
//! [`report::write_findings`] and the [`summary`], and turns the verdict into the
//! exit code (0 valid, 1 invalid files, 2 usage or I/O errors). This crate has no
//! command-line parser and never prints to the process's streams.

mod batch;
mod cache;
mod compiled;
mod content;
mod diagnostic;
mod document;
mod engine;
mod explain;
mod kind;
pub mod patch;
mod position;
mod precheck;
pub mod report;
mod request;
mod schemas;

pub use batch::{collect_files, validate_files, FileReport};
pub use cache::{VerdictCache, CACHE_ENV};
pub use compiled::SchemaLocation;
pub use diagnostic::{codes, Diagnostic, Severity};
pub use engine::{LoadError, SchemaPlan, Validator};
pub use kind::FileKind;
pub use precheck::MAX_FILE_BYTES;
pub use report::Format;
pub use request::{
    execute, execute_with, summary, Outcome, ValidateError, ValidateRequest, Verdict,
};
pub use schemas::{SchemaOrigin, SchemaSource, CONTENT_XSD, HOW_TO_GET_SCHEMAS, SCHEMAS_ENV};

/// The plan is shared by reference between the validation threads.
const _: fn() = || {
    fn is_sync<T: Sync + Send>() {}
    is_sync::<SchemaPlan>();
};
