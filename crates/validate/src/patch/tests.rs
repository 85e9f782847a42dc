//! The patch engine against vanilla MD scripts (`../shared/corpus/md-3.x`) and
//! the fixtures in `tests/fixtures/diff`, with the game's 3.x schemas.

use std::path::{Path, PathBuf};

use super::*;
use crate::{SchemaSource, Severity, Validator};

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shared() -> PathBuf {
    let dir = manifest().join("../../../shared");
    assert!(
        dir.join("corpus/md-3.x").is_dir(),
        "the tests need ../shared beside the repository"
    );
    dir
}

fn fixture(rel: &str) -> Source {
    let path = manifest().join("tests/fixtures/diff").join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Source::new(rel, text)
}

fn corpus(name: &str) -> Source {
    let text = std::fs::read_to_string(shared().join("corpus/md-3.x").join(name)).unwrap();
    Source::new(format!("md/{name}"), text.trim_start_matches('\u{feff}'))
}

fn validator() -> Validator {
    Validator::load(&SchemaSource::from_dirs([shared().join("x4-schemas/3.x")])).unwrap()
}

/// (line, severity, code) of each finding, for compact assertions.
fn summary(found: &[Diagnostic]) -> Vec<(u32, Severity, &str)> {
    found
        .iter()
        .map(|d| (d.line, d.severity, d.code.as_str()))
        .collect()
}

#[test]
fn a_clean_patch_applies_and_the_result_is_valid() {
    let v = validator();
    let base = corpus("gs_fight.xml");
    let patch = fixture("my_mod/md/gs_fight.xml");
    let report = check_patch(Some(&v), &base, &[], &patch);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.earlier.is_empty(), "{:#?}", report.earlier);
    assert!(report.schema_checked);
    assert_eq!(report.kind, FileKind::Md);
    let (text, found) = apply_patches(&base, &[patch]).unwrap();
    assert!(found.is_empty());
    assert!(text.contains("<cue name=\"MyModHello\">"), "{text}");
    assert!(text.contains("comment=\"The Dedicated Warrior (modded)\""));
    assert!(!text.contains("$UncoverShipyardsAndWharfs"));
    // The added cue went to the end of Start's <cues>, after SetupMap.
    assert!(text.find("SetupMap").unwrap() < text.find("MyModHello").unwrap());
}

#[test]
fn selectors_that_miss_show_the_closest_path_and_if_skips() {
    let base = corpus("gm_rescue_ship_lib.xml");
    let patch = fixture("my_mod/md/gm_rescue_ship_lib.xml");
    let report = check_patch(Some(&validator()), &base, &[], &patch);
    assert_eq!(
        summary(&report.findings),
        vec![
            (4, Severity::Error, codes::SEL_NO_MATCH),
            (5, Severity::Warning, codes::SEL_NO_MATCH),
            (17, Severity::Error, codes::SEL_NO_MATCH),
        ],
        "{:#?}",
        report.findings
    );
    let miss = &report.findings[0];
    assert_eq!((miss.column, miss.end_column), (12, 68));
    let help = miss.help.as_deref().unwrap();
    assert!(help.contains("closest existing path: //library"), "{help}");
    assert!(
        help.contains("did you mean library[@name='SpawnMines']?"),
        "{help}"
    );
    assert!(help.contains("(at md/gm_rescue_ship_lib.xml:"), "{help}");
    assert!(report.findings[1].message.contains("silent=\"true\""));
    let typo = report.findings[2].help.as_deref().unwrap();
    assert!(typo.contains("did you mean `library`?"), "{typo}");
    // `if` true applied once (and the remove after it found its node); `if` false skipped.
    let (text, _) = apply_patches(&base, &[patch]).unwrap();
    assert_eq!(text.matches("<library name=\"MyLib\">").count(), 1);
    assert!(!text.contains("added only once"));
}

#[test]
fn schema_errors_of_the_result_are_reported_at_the_patch_lines() {
    let base = corpus("drain_stations.xml");
    let patch = fixture("my_mod/md/drain_stations.xml");
    let report = check_patch(Some(&validator()), &base, &[], &patch);
    let lines: Vec<u32> = report.findings.iter().map(|d| d.line).collect();
    assert!(
        report
            .findings
            .iter()
            .all(|d| d.severity == Severity::Error && d.file == "my_mod/md/drain_stations.xml"),
        "{:#?}",
        report.findings
    );
    assert_eq!(lines, vec![5, 7, 8, 8], "{:#?}", report.findings);
    let unknown = &report.findings[0];
    assert!(
        unknown.code.starts_with("cvc-complex-type.2.4"),
        "{unknown:#?}"
    );
    assert_eq!((unknown.column, unknown.end_column), (6, 24));
    assert!(
        report.findings[1].message.contains("maybe"),
        "{:#?}",
        report.findings[1]
    );
    let missing = &report.findings[2];
    assert!(missing.message.contains("name"), "{missing:#?}");
    assert!(
        missing
            .help
            .as_deref()
            .unwrap_or("")
            .contains("this operation changed it"),
        "{missing:#?}"
    );
    // The cue_name key of md.xsd needs the name too: same operation.
    assert_eq!(report.findings[3].code, "cvc-identity-constraint.4.2.1");
    assert!(report.earlier.is_empty(), "{:#?}", report.earlier);
}

#[test]
fn pos_type_and_msel_follow_the_game() {
    let base = corpus("rml_claimplot.xml");
    let patch = fixture("my_mod/md/rml_claimplot.xml");
    let report = check_patch(Some(&validator()), &base, &[], &patch);
    assert_eq!(
        summary(&report.findings),
        vec![
            (14, Severity::Error, codes::OP_INVALID),
            (17, Severity::Error, codes::OP_INVALID),
            (18, Severity::Error, codes::OP_INVALID),
            (20, Severity::Error, codes::SEL_MULTIPLE),
            (21, Severity::Error, codes::OP_INVALID),
            (24, Severity::Error, codes::OP_INVALID),
        ],
        "{:#?}",
        report.findings
    );
    assert!(
        report.findings[0].message.contains("selects the attribute"),
        "{:#?}",
        report.findings[0]
    );
    assert!(report.findings[3].help.as_deref().unwrap().contains("msel"));
    let (text, _) = apply_patches(&base, &[patch]).unwrap();
    let before = text.find("BeforeCleanup").unwrap();
    let cleanup = text.find("<cue name=\"Cleanup\"").unwrap();
    let after = text.find("AfterCleanup").unwrap();
    assert!(before < cleanup && cleanup < after);
    assert!(
        text.contains("<cue name=\"Cleanup\" comment=\"Cleans up after the mission\">"),
        "{text}"
    );
    let actions = text[cleanup..].find("<actions>").unwrap() + cleanup;
    assert!(text[actions..]
        .trim_start_matches("<actions>")
        .starts_with("<debug_text text=\"'cleaning up'\"/>"));
}

#[test]
fn a_dlc_chain_is_applied_first() {
    let base = corpus("inituniverse.xml");
    let dlc = fixture("dlc/extensions/ego_dlc_test/md/inituniverse.xml");
    let patch = fixture("my_mod/md/inituniverse.xml");
    let v = validator();
    let alone = check_patch(Some(&v), &base, &[], &patch);
    assert_eq!(
        summary(&alone.findings),
        vec![
            (4, Severity::Error, codes::SEL_NO_MATCH),
            (7, Severity::Error, codes::SEL_NO_MATCH)
        ]
    );
    let chained = check_patch(Some(&v), &base, &[dlc], &patch);
    assert!(chained.findings.is_empty(), "{:#?}", chained.findings);
    assert!(chained.earlier.is_empty(), "{:#?}", chained.earlier);
}

#[test]
fn a_base_that_was_already_invalid_is_blamed_at_its_own_line() {
    let base = Source::new(
        "md/old.xml",
        "<?xml version=\"1.0\"?>\n<mdscript name=\"Old\">\n  <cues>\n    <cue name=\"Aye\" bogus=\"1\"/>\n  </cues>\n</mdscript>\n",
    );
    let patch = Source::new(
        "mod/md/old.xml",
        "<diff>\n  <add sel=\"/mdscript/cues\">\n    <cue name=\"Bee\" alsobogus=\"2\"/>\n  </add>\n</diff>\n",
    );
    let report = check_patch(Some(&validator()), &base, &[], &patch);
    assert_eq!(
        summary(&report.findings),
        vec![(3, Severity::Error, "cvc-complex-type.3.2.2")],
        "{:#?}",
        report.findings
    );
    assert_eq!(report.findings[0].column, 21);
    assert_eq!(
        summary(&report.earlier),
        vec![(4, Severity::Warning, "cvc-complex-type.3.2.2")],
        "{:#?}",
        report.earlier
    );
    assert_eq!(report.earlier[0].file, "md/old.xml");
}

#[test]
fn malformed_operations_are_errors() {
    let base = corpus("gs_fight.xml");
    let cases = [
        (
            "<diff><change sel=\"/mdscript\"/></diff>",
            codes::OP_INVALID,
            "not a diff operation",
        ),
        ("<diff><remove/></diff>", codes::OP_INVALID, "needs a `sel`"),
        (
            "<diff><remove sel=\"//cue[\"/></diff>",
            codes::XPATH_INVALID,
            "not a valid XPath",
        ),
        (
            "<diff><remove sel=\"count(//cue)\"/></diff>",
            codes::XPATH_INVALID,
            "number",
        ),
        (
            "<diff><remove sel=\"/mdscript\"/></diff>",
            codes::OP_INVALID,
            "without a root element",
        ),
        (
            "<diff><replace sel=\"//cue[@name='SetupMap']\"/></diff>",
            codes::OP_INVALID,
            "needs the new element",
        ),
        (
            "<diff><replace sel=\"//cue[@name='SetupMap']/@name\"><a/></replace></diff>",
            codes::OP_INVALID,
            "not elements",
        ),
        (
            "<diff><add sel=\"//cue[@name='SetupMap']\" if=\"//[\"><a/></add></diff>",
            codes::XPATH_INVALID,
            "`if`",
        ),
        (
            "<diff><add sel=\"/\" pos=\"before\"><a/></add></diff>",
            codes::OP_INVALID,
            "no parent element",
        ),
        (
            "<diff><add sel=\"//cue[@name='SetupMap']\"/></diff>",
            codes::OP_INVALID,
            "adds nothing",
        ),
        (
            "<diff><remove sel=\"//cue\" msel=\"//cue\"/></diff>",
            codes::OP_INVALID,
            "not both",
        ),
    ];
    for (text, code, words) in cases {
        let (_, found) = apply_patches(&base, &[Source::new("p.xml", text)]).unwrap();
        assert_eq!(found.len(), 1, "{text}: {found:#?}");
        assert_eq!(found[0].code, code, "{text}: {found:#?}");
        assert!(found[0].message.contains(words), "{text}: {found:#?}");
        assert_eq!(found[0].severity, Severity::Error);
    }
    let (_, found) = apply_patches(
        &base,
        &[Source::new(
            "p.xml",
            "<diff><remove sel=\"/mdscript\"></diff>",
        )],
    )
    .unwrap();
    assert_eq!(found[0].code, crate::diagnostic::codes::NOT_WELL_FORMED);
    // silent="true": the game reports none of the operation's errors.
    let quiet = "<diff><remove sel=\"/mdscript\" silent=\"true\"/></diff>";
    let (_, found) = apply_patches(&base, &[Source::new("p.xml", quiet)]).unwrap();
    assert_eq!(
        summary(&found),
        vec![(1, Severity::Warning, codes::OP_INVALID)]
    );
    assert!(found[0]
        .message
        .ends_with("(silent=\"true\": the game skips it without a message)"));
}

#[test]
fn replacing_the_root_and_text_works() {
    let base = Source::new("x.xml", "<r><a>old</a><!--c--></r>");
    let patch = Source::new(
        "p.xml",
        "<diff><replace sel=\"/r/a/text()\">new</replace><replace sel=\"/r/comment()\"><!--d--></replace><add sel=\"/r/a\" type=\"@k\">v</add></diff>",
    );
    let (text, found) = apply_patches(&base, &[patch]).unwrap();
    assert!(found.is_empty(), "{found:#?}");
    assert!(text.contains("<r><a k=\"v\">new</a><!--d--></r>"), "{text}");
    let root = Source::new("p.xml", "<diff><replace sel=\"/r\"><s/></replace></diff>");
    let (text, found) = apply_patches(&base, &[root]).unwrap();
    assert!(
        found.is_empty() && text.contains("<s/>"),
        "{text} {found:#?}"
    );
}

#[test]
fn virtual_paths_and_dir_lookup() {
    let mod_file = manifest().join("tests/fixtures/diff/my_mod/md/gs_fight.xml");
    assert_eq!(virtual_path(&mod_file).as_deref(), Some("md/gs_fight.xml"));
    assert_eq!(
        virtual_path(Path::new("somewhere/Libraries/wares.xml")).as_deref(),
        Some("Libraries/wares.xml")
    );
    let game = base_dir();
    let lookup = DirLookup::new(game.path()).unwrap();
    let found = lookup.find("MD/InitUniverse.xml").unwrap().unwrap();
    assert_eq!(found.chain.len(), 1);
    assert!(found.chain[0]
        .shown
        .ends_with("ego_dlc_test/md/inituniverse.xml"));
    assert!(lookup.find("md/nothing.xml").unwrap().is_none());
}

/// A game folder: the corpus as `md/`, and the DLC-style extension.
pub(super) fn base_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("md")).unwrap();
    for e in std::fs::read_dir(shared().join("corpus/md-3.x")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join("md").join(e.file_name())).unwrap();
    }
    let ext = dir.path().join("extensions/ego_dlc_test/md");
    std::fs::create_dir_all(&ext).unwrap();
    let src = manifest().join("tests/fixtures/diff/dlc/extensions/ego_dlc_test");
    std::fs::copy(
        src.join("content.xml"),
        ext.parent().unwrap().join("content.xml"),
    )
    .unwrap();
    std::fs::copy(
        src.join("md/inituniverse.xml"),
        ext.join("inituniverse.xml"),
    )
    .unwrap();
    dir
}

#[test]
fn conflicts_between_extensions_in_load_order() {
    let dirs = [manifest().join("tests/fixtures/diff/conflicts")];
    let order = load_order(&[dirs[0].join("mod_a"), dirs[0].join("mod_b")]).unwrap();
    let ids: Vec<&str> = order.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["mod_b", "mod_a"]);
    let game = base_dir();
    let lookup = DirLookup::new(game.path()).unwrap();
    let found = conflicts::check_conflicts(&lookup, &dirs).unwrap();
    let rows: Vec<(String, u32, Severity, &str)> = found
        .iter()
        .map(|d| {
            (
                d.file.rsplit_once("conflicts/").unwrap().1.to_string(),
                d.line,
                d.severity,
                d.code.as_str(),
            )
        })
        .collect();
    let row = |f: &str, l, s| (f.to_string(), l, s, codes::CONFLICT);
    let a = "mod_a/md/upkeep_management.xml";
    let b = "mod_b/md/upkeep_management.xml";
    assert_eq!(
        rows,
        vec![
            row(a, 3, Severity::Error),
            row(a, 6, Severity::Warning),
            row(a, 7, Severity::Note),
            row(a, 10, Severity::Error),
            row(b, 3, Severity::Note),
            row(b, 4, Severity::Note),
            row(b, 5, Severity::Note),
            row(b, 8, Severity::Note),
        ],
        "{found:#?}"
    );
    let removed = &found[0];
    assert!(
        removed.message.contains("extension `mod_b` removed"),
        "{removed:#?}"
    );
    assert!(
        removed.message.contains("mod_b/md/upkeep_management.xml:3"),
        "{removed:#?}"
    );
    assert!(
        found[4]
            .message
            .contains("mod_a/md/upkeep_management.xml:3"),
        "{:#?}",
        found[4]
    );
    assert!(found[3].message.contains("replaced"), "{:#?}", found[3]);
}

fn plan_3x() -> crate::SchemaPlan {
    crate::SchemaPlan::load(&SchemaSource::from_dirs([shared().join("x4-schemas/3.x")])).unwrap()
}

fn fixture_path(rel: &str) -> PathBuf {
    manifest().join("tests/fixtures/diff").join(rel)
}

#[test]
fn patch_files_against_a_game_folder_with_the_cache() {
    let game = base_dir();
    let lookup = DirLookup::new(game.path()).unwrap();
    let plan = plan_3x();
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = crate::VerdictCache::at(cache_dir.path());
    let files: Vec<PathBuf> = [
        "gs_fight.xml",
        "drain_stations.xml",
        "inituniverse.xml",
        "gm_rescue_ship_lib.xml",
    ]
    .iter()
    .map(|f| fixture_path(&format!("my_mod/md/{f}")))
    .collect();
    let (cold, extra) = check_patch_files(&plan, &files, &lookup, Some(&cache), 2);
    assert!(extra.is_empty(), "{extra:#?}");
    let lines = |r: &crate::FileReport| r.diagnostics.iter().map(|d| d.line).collect::<Vec<_>>();
    assert_eq!(lines(&cold[0]), Vec::<u32>::new());
    assert_eq!(lines(&cold[1]), vec![5, 7, 8, 8]);
    // The DLC in the game folder's extensions/ is applied first.
    assert_eq!(lines(&cold[2]), Vec::<u32>::new());
    assert_eq!(lines(&cold[3]), vec![4, 5, 17]);
    assert!(cold.iter().all(|r| !r.cached && r.kind == FileKind::Md));
    let (warm, extra) = check_patch_files(&plan, &files, &lookup, Some(&cache), 2);
    assert!(extra.is_empty());
    assert!(warm.iter().all(|r| r.cached));
    for (a, b) in cold.iter().zip(&warm) {
        assert_eq!(a.diagnostics, b.diagnostics);
    }
    // A changed base is a miss.
    let base = game.path().join("md/gs_fight.xml");
    let text = std::fs::read_to_string(&base)
        .unwrap()
        .replace("The Dedicated Warrior", "Changed");
    std::fs::write(&base, text).unwrap();
    let (again, _) = check_patch_files(&plan, &files[..1], &lookup, Some(&cache), 1);
    assert!(!again[0].cached);
    // No game file, no extension folder.
    let lone = tempfile::tempdir().unwrap();
    let orphan = lone.path().join("md/not_in_the_game.xml");
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, "<diff/>").unwrap();
    let nowhere = lone.path().join("x.xml");
    std::fs::write(&nowhere, "<diff/>").unwrap();
    let (r, _) = check_patch_files(&plan, &[orphan, nowhere], &lookup, None, 1);
    assert_eq!(r[0].diagnostics[0].code, codes::NO_BASE);
    assert!(r[0].diagnostics[0]
        .message
        .contains("md/not_in_the_game.xml"));
    assert_eq!(r[1].diagnostics[0].code, codes::NO_BASE);
}

#[test]
fn earlier_findings_are_reported_once_per_base() {
    let game = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(game.path().join("md")).unwrap();
    std::fs::write(
        game.path().join("md/old.xml"),
        "<?xml version=\"1.0\"?>\n<mdscript name=\"Old\">\n  <cues>\n    <cue name=\"Aye\" bogus=\"1\"/>\n  </cues>\n</mdscript>\n",
    )
    .unwrap();
    let mods = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for m in ["one", "two"] {
        let f = mods.path().join(m).join("md/old.xml");
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(
            mods.path().join(m).join("content.xml"),
            format!("<content id=\"{m}\"/>"),
        )
        .unwrap();
        std::fs::write(
            &f,
            "<diff><add sel=\"/mdscript/cues\"><cue name=\"Bee\"/></add></diff>",
        )
        .unwrap();
        files.push(f);
    }
    let lookup = DirLookup::new(game.path()).unwrap();
    let (reports, extra) = check_patch_files(&plan_3x(), &files, &lookup, None, 1);
    assert!(reports.iter().all(|r| r.is_valid()), "{reports:#?}");
    assert_eq!(extra.len(), 1, "{extra:#?}");
    assert_eq!((extra[0].line, extra[0].severity), (4, Severity::Warning));
    assert!(extra[0].file.ends_with("md/old.xml"));
}

#[test]
fn every_output_format_carries_patch_findings() {
    let game = base_dir();
    let lookup = DirLookup::new(game.path()).unwrap();
    let files = vec![
        fixture_path("my_mod/md/drain_stations.xml"),
        fixture_path("my_mod/md/gm_rescue_ship_lib.xml"),
    ];
    let (reports, extra) = check_patch_files(&plan_3x(), &files, &lookup, None, 1);
    let render = |format| {
        let mut out = Vec::new();
        crate::report::write_findings(&mut out, format, &reports, &extra, false).unwrap();
        String::from_utf8(out).unwrap()
    };
    let drain = "my_mod/md/drain_stations.xml";
    let rescue = "my_mod/md/gm_rescue_ship_lib.xml";
    let human = render(crate::Format::Human);
    assert!(human.contains(&format!("{drain}:5:6")), "{human}");
    assert!(
        human.contains("5 |     <explode_everything now=\"true\"/>"),
        "{human}"
    );
    assert!(human.contains(&format!("{rescue}:4:12")), "{human}");
    assert!(
        human.contains("closest existing path: //library"),
        "{human}"
    );
    assert!(
        human.contains("warning[diff-sel-no-match]: `sel` matches nothing"),
        "{human}"
    );
    let json = render(crate::Format::Json);
    let rows: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows
        .iter()
        .any(|r| r["file"].as_str().unwrap().ends_with(drain)
            && r["line"] == 7
            && r["code"] == "cvc-datatype-valid"));
    assert!(rows
        .iter()
        .any(|r| r["file"].as_str().unwrap().ends_with(rescue)
            && r["line"] == 5
            && r["severity"] == "warning"
            && r["code"] == codes::SEL_NO_MATCH));
    let github = render(crate::Format::Github);
    assert!(
        github.lines().any(
            |l| l.starts_with("::error file=") && l.contains("drain_stations.xml,line=8,col=4")
        ),
        "{github}"
    );
    assert!(
        github
            .lines()
            .any(|l| l.starts_with("::warning file=")
                && l.contains("gm_rescue_ship_lib.xml,line=5,")),
        "{github}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&render(crate::Format::Sarif)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == codes::SEL_NO_MATCH
        && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 17
        && r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("did you mean `library`?")));
    assert!(results.iter().any(|r| r["ruleId"] == "cvc-complex-type.2.4"
        && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 5));
}
