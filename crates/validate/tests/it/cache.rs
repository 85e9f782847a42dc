//! A cache hit gives exactly what a fresh validation gives.

use crate::support::*;
use x4pipe_validate::{
    collect_files, report, validate_files, Format, SchemaPlan, SchemaSource, VerdictCache,
};

#[test]
fn cache_hit_and_miss_give_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let cache = VerdictCache::at(dir.path());
    let plan = SchemaPlan::load(&SchemaSource::from_dirs([schemas("6.x")])).unwrap();
    let (files, extra) = collect_files(&[fixtures().join("crafted/md")]);
    assert!(extra.is_empty());

    let fresh = validate_files(&plan, &files, None, 2);
    let miss = validate_files(&plan, &files, Some(&cache), 2);
    let hit = validate_files(&plan, &files, Some(&cache), 2);
    assert!(fresh.iter().chain(&miss).all(|r| !r.cached));
    assert!(
        hit.iter().all(|r| r.cached),
        "second run is served from the cache"
    );
    for ((f, m), h) in fresh.iter().zip(&miss).zip(&hit) {
        assert_eq!(f.diagnostics, m.diagnostics);
        assert_eq!(f.diagnostics, h.diagnostics, "{}", f.path.display());
        assert_eq!(f.kind, h.kind);
    }
    for format in [Format::Human, Format::Json, Format::Sarif, Format::Github] {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        report::write_findings(&mut a, format, &fresh, &[], false).unwrap();
        report::write_findings(&mut b, format, &hit, &[], false).unwrap();
        assert_eq!(
            String::from_utf8(a).unwrap(),
            String::from_utf8(b).unwrap(),
            "{format:?}"
        );
    }

    // A changed file misses; the others still hit.
    let work = tempfile::tempdir().unwrap();
    let copy = work.path().join("bad_enum.xml");
    std::fs::copy(fixtures().join("crafted/md/bad_enum.xml"), &copy).unwrap();
    let first = validate_files(&plan, std::slice::from_ref(&copy), Some(&cache), 1);
    assert!(first[0].cached, "same content under another name hits");
    std::fs::write(
        &copy,
        std::fs::read_to_string(&copy)
            .unwrap()
            .replace("loud", "louder"),
    )
    .unwrap();
    let changed = validate_files(&plan, std::slice::from_ref(&copy), Some(&cache), 1);
    assert!(!changed[0].cached);
    assert!(changed[0].diagnostics[0].message.contains("louder"));
}

#[test]
fn another_schema_does_not_reuse_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let cache = VerdictCache::at(dir.path());
    let (files, _) = collect_files(&[fixtures().join("crafted/md/valid.xml")]);
    let with = SchemaPlan::load(&SchemaSource::from_dirs([schemas("6.x")])).unwrap();
    let without = SchemaPlan::load(&SchemaSource::none()).unwrap();
    assert_ne!(
        with.schema_hash(x4pipe_validate::FileKind::Md),
        without.schema_hash(x4pipe_validate::FileKind::Md)
    );
    validate_files(&with, &files, Some(&cache), 1);
    let r = validate_files(&without, &files, Some(&cache), 1);
    assert!(!r[0].cached);
}
