//! Listing a catalog's entries, each optionally checked against the `.dat`.

use super::{Catalog, Entry, BUF_SIZE};
use crate::error::Result;
use crate::filter::PathFilter;

#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// `--glob` patterns over catalog paths (`!` excludes); none = everything.
    pub globs: Vec<String>,
    /// Check every listed entry's size and md5 against the `.dat`.
    pub verify: bool,
}

/// One listed entry and, when asked for, the outcome of checking its bytes.
#[derive(Debug)]
pub struct Listed<'a> {
    pub entry: &'a Entry,
    /// `None` without `verify`; a failed check does not stop the listing.
    pub verified: Option<Result<()>>,
}

/// The entries of `catalog` selected by `opts.globs`, in `.cat` order. Fails only
/// when a glob is bad or the `.dat` cannot be opened; one entry's failed check is
/// recorded in its [`Listed::verified`] so the caller can show every bad entry.
pub fn list<'a>(catalog: &'a Catalog, opts: &ListOptions) -> Result<Vec<Listed<'a>>> {
    let filter = PathFilter::new(&opts.globs)?;
    let mut dat = if opts.verify {
        Some(catalog.open_dat()?)
    } else {
        None
    };
    let mut buf = vec![0u8; BUF_SIZE];
    Ok(catalog
        .entries()
        .iter()
        .filter(|e| filter.matches(&e.path))
        .map(|entry| Listed {
            entry,
            verified: dat
                .as_mut()
                .map(|dat| catalog.verify_entry(dat, entry, &mut buf)),
        })
        .collect())
}
