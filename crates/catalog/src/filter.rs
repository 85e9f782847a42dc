//! `--glob` filters over `/`-separated catalog paths.
//!
//! A pattern starting with `!` excludes. With no include pattern everything is
//! included. `*` also matches `/` (so `*.xsd` finds schemas in any folder);
//! that is what people expect from a one-line filter on a flat list of paths.

use crate::error::{Error, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};

#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl PathFilter {
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<PathFilter> {
        let mut include = GlobSetBuilder::new();
        let mut exclude = GlobSetBuilder::new();
        let (mut n_inc, mut n_exc) = (0, 0);
        for pattern in patterns {
            let pattern = pattern.as_ref();
            let (set, raw) = match pattern.strip_prefix('!') {
                Some(rest) => {
                    n_exc += 1;
                    (&mut exclude, rest)
                }
                None => {
                    n_inc += 1;
                    (&mut include, pattern)
                }
            };
            let glob = Glob::new(raw).map_err(|e| Error::Glob {
                pattern: pattern.to_string(),
                message: e.kind().to_string(),
            })?;
            set.add(glob);
        }
        let build = |b: GlobSetBuilder, n: usize| -> Result<Option<GlobSet>> {
            if n == 0 {
                return Ok(None);
            }
            b.build().map(Some).map_err(|e| Error::Glob {
                pattern: patterns
                    .iter()
                    .map(|p| p.as_ref())
                    .collect::<Vec<_>>()
                    .join(" "),
                message: e.to_string(),
            })
        };
        Ok(PathFilter {
            include: build(include, n_inc)?,
            exclude: build(exclude, n_exc)?,
        })
    }

    pub fn matches(&self, path: &str) -> bool {
        self.include.as_ref().is_none_or(|s| s.is_match(path))
            && !self.exclude.as_ref().is_some_and(|s| s.is_match(path))
    }
}

#[cfg(test)]
mod tests {
    use super::PathFilter;

    #[test]
    fn include_and_exclude() {
        let f = PathFilter::new(&["*.xsd", "!ui/**"]).unwrap();
        assert!(f.matches("libraries/md.xsd"));
        assert!(!f.matches("ui/core/addon.xsd"));
        assert!(!f.matches("libraries/md.xml"));
        let all = PathFilter::new::<&str>(&[]).unwrap();
        assert!(all.matches("anything at all"));
        assert!(PathFilter::new(&["a[b"]).is_err());
    }
}
