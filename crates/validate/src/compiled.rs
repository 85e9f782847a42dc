//! A compiled schema set with its validator, how schemas are compiled, and the content
//! hash used for fingerprints. A leaf: it knows nothing of files, findings or caches,
//! so `engine`, `document`, `explain` and `cache` can all build on it.

use std::path::PathBuf;

use xsd_schema::validation::{SchemaValidator, ValidationFlags};
use xsd_schema::{SchemaSet, SchemaSetBuilder};

use crate::schemas::CONTENT_XSD;

self_cell::self_cell!(
    /// A compiled schema set and the validator prepared from it (the validator
    /// borrows the set, and both live as long as the [`Validator`]).
    pub(crate) struct Compiled {
        owner: SchemaSet,
        #[covariant]
        dependent: SchemaValidator,
    }
);

impl Compiled {
    pub(crate) fn set(&self) -> &SchemaSet {
        self.borrow_owner()
    }
    pub(crate) fn validator(&self) -> &SchemaValidator<'_> {
        self.borrow_dependent()
    }
}

fn flags() -> ValidationFlags {
    // Validity only: the typed values of the PSVI are never read here.
    ValidationFlags::default() & !ValidationFlags::BUILD_PSVI_TYPED_VALUES
}

/// Where one kind's schema comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaLocation {
    File(PathBuf),
    Embedded,
}

pub(crate) fn compile(origin: &SchemaLocation) -> Result<Compiled, String> {
    match origin {
        SchemaLocation::Embedded => {
            build(SchemaSetBuilder::new().add_source(CONTENT_XSD, "x4pipe:content.xsd"))
        }
        SchemaLocation::File(path) => {
            let location = path.to_string_lossy();
            build(SchemaSetBuilder::new().add("", &location))
        }
    }
}

pub(crate) fn build(
    builder: Result<SchemaSetBuilder, xsd_schema::SchemaError>,
) -> Result<Compiled, String> {
    let compiled = builder
        .and_then(|b| b.compile())
        .map_err(|e| e.to_string())?;
    if let Some(failure) = compiled.directive_failures().first() {
        // md.xsd without common.xsd beside it compiles but rejects every action.
        return Err(format!(
            "a schema it includes could not be read: {}",
            failure.schema_location().unwrap_or("(no location)")
        ));
    }
    Ok(Compiled::new(compiled.into_schema_set(), |set| {
        SchemaValidator::new(set, flags())
    }))
}

pub(crate) fn hash_bytes(parts: &[&[u8]]) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.digest128()
}
