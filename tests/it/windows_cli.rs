//! The released binaries: `x4pipe.exe` (x86_64-pc-windows-gnu) runs its main commands
//! under Wine with Windows paths, beside the Linux `x4pipe` of the same release, and
//! both write the same bytes where they should.
//!
//! The binaries come from the archives of `scripts/release.sh` in `$X4PIPE_DIST`, so
//! these tests check what users download, and CI does not build the release twice.
//! They are `#[ignore]`d in a plain `cargo test`; `scripts/test.sh` runs release.sh and
//! then `X4PIPE_DIST=dist cargo test --test it windows_cli:: -- --ignored`. Run without
//! `$X4PIPE_DIST` they fail, saying so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

use crate::build_cli::tree;

const NEEDS: &str = "needs the release archives: scripts/release.sh, then X4PIPE_DIST=dist";

/// The two binaries, unpacked from the release archives into a folder of their own.
struct Release {
    tmp: TempDir,
    linux: PathBuf,
    windows: PathBuf,
}

fn release() -> Release {
    let dist = PathBuf::from(std::env::var_os("X4PIPE_DIST").expect(NEEDS));
    let sums = Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(&dist)
        .output()
        .expect("run sha256sum");
    assert!(sums.status.success(), "SHA256SUMS: {}", text(&sums));

    let v = env!("CARGO_PKG_VERSION");
    let tmp = tempfile::tempdir().unwrap();
    let tar = dist.join(format!("x4pipe-{v}-x86_64-unknown-linux-gnu.tar.gz"));
    let o = Command::new("tar")
        .arg("-xzf")
        .arg(&tar)
        .arg("-C")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}: {}", tar.display(), text(&o));
    let zip = dist.join(format!("x4pipe-{v}-x86_64-pc-windows-gnu.zip"));
    let mut archive = zip::ZipArchive::new(fs::File::open(&zip).unwrap()).unwrap();
    archive.extract(tmp.path()).unwrap();

    let linux_dir = tmp
        .path()
        .join(format!("x4pipe-{v}-x86_64-unknown-linux-gnu"));
    let windows_dir = tmp.path().join(format!("x4pipe-{v}-x86_64-pc-windows-gnu"));
    for dir in [&linux_dir, &windows_dir] {
        for f in ["README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
            assert!(dir.join(f).is_file(), "{} lacks {f}", dir.display());
        }
    }
    // The Linux binary alone in an empty folder: no source tree, no README beside it.
    let bin = tmp.path().join("bin");
    fs::create_dir(&bin).unwrap();
    fs::copy(linux_dir.join("x4pipe"), bin.join("x4pipe")).unwrap();
    Release {
        linux: bin.join("x4pipe"),
        windows: windows_dir.join("x4pipe.exe"),
        tmp,
    }
}

impl Release {
    fn cache(&self) -> PathBuf {
        self.tmp.path().join("cache")
    }

    /// The Linux binary in `cwd`, with an environment that has no Rust or cargo in it.
    fn linux(&self, cwd: &Path, args: &[&str]) -> Output {
        crate::support::output_of_fresh_copy(
            Command::new(&self.linux)
                .args(args)
                .current_dir(cwd)
                .env_clear()
                .env("PATH", "/usr/bin:/bin")
                .env("X4PIPE_CACHE_DIR", self.cache().join("linux")),
        )
        .expect("run the Linux x4pipe")
    }

    /// The Windows binary under Wine in `cwd` (which Wine sees as `Z:\...`).
    fn windows(&self, cwd: &Path, args: &[&str]) -> Output {
        let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/wine-runner.sh");
        let cache = self.cache().join("windows");
        fs::create_dir_all(&cache).unwrap();
        Command::new(runner)
            .arg(&self.windows)
            .args(args)
            .current_dir(cwd)
            .env_remove("X4PIPE_SCHEMAS")
            .env("X4PIPE_CACHE_DIR", win(&cache))
            .output()
            .expect("run x4pipe.exe under Wine")
    }
}

/// A Linux path as Windows programs under Wine name it: `Z:\tmp\...`.
fn win(p: &Path) -> String {
    let abs = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    format!("Z:{}", abs.display()).replace('/', "\\")
}

fn text(o: &Output) -> String {
    crate::support::text(o)
}

fn ok(o: &Output, what: &str) {
    assert!(o.status.success(), "{what}: {:?}\n{}", o.status, text(o));
}

fn dirs(r: &Release) -> (PathBuf, PathBuf) {
    let l = r.tmp.path().join("l");
    let w = r.tmp.path().join("w");
    fs::create_dir_all(&l).unwrap();
    fs::create_dir_all(&w).unwrap();
    (l, w)
}

const BUNDLED: &str =
    "Native libraries bundled: linux (libx4pipe_native.so), windows (x4pipe_native.dll)";

#[test]
#[ignore = "needs the release archives: scripts/test.sh runs it"]
fn both_binaries_build_the_api_with_both_libraries_byte_for_byte() {
    let r = release();
    let (l, w) = dirs(&r);
    let o = r.linux(&l, &["build", "--target", "all"]);
    ok(&o, "linux build");
    assert!(text(&o).contains(BUNDLED), "{}", text(&o));
    // An absolute Windows path with a drive letter for --out.
    let out = w.join("out");
    fs::create_dir_all(&out).unwrap();
    let o = r.windows(&w, &["build", "--target", "all", "--out", &win(&out)]);
    ok(&o, "windows build");
    assert!(text(&o).contains(BUNDLED), "{}", text(&o));

    let native = l.join("out/x4pipe_named_pipes/ui/x4pipe/native");
    assert_eq!(
        &fs::read(native.join("libx4pipe_native.so")).unwrap()[..4],
        b"\x7fELF"
    );
    assert_eq!(
        &fs::read(native.join("x4pipe_native.dll")).unwrap()[..2],
        b"MZ"
    );
    assert_eq!(tree(&l.join("out")), tree(&w.join("out")));

    let lv = r.linux(&l, &["--version"]);
    let wv = r.windows(&w, &["--version"]);
    assert_eq!(lv.stdout, wv.stdout);
    assert!(String::from_utf8_lossy(&lv.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
#[ignore = "needs the release archives: scripts/test.sh runs it"]
fn validate_takes_windows_schema_paths_and_crlf_files() {
    let r = release();
    let (l, w) = dirs(&r);
    let schemas = crate::support::shared_schemas("6.x");
    // An MD script with CRLF line ends and an action md.xsd does not know on line 5.
    let bad = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<mdscript name=\"Bad\">\r\n  <cues>\r\n    <cue name=\"Start\">\r\n      <actions><open_the_pod_bay_doors/></actions>\r\n    </cue>\r\n  </cues>\r\n</mdscript>\r\n";
    for d in [&l, &w] {
        fs::create_dir_all(d.join("mod/md")).unwrap();
        fs::write(d.join("mod/md/bad.xml"), bad).unwrap();
    }
    let lo = r.linux(
        &l,
        &[
            "validate",
            "mod/md/bad.xml",
            "--schemas",
            schemas.to_str().unwrap(),
        ],
    );
    let wo = r.windows(
        &w,
        &["validate", r"mod\md\bad.xml", "--schemas", &win(&schemas)],
    );
    assert_eq!(lo.status.code(), Some(1), "{}", text(&lo));
    assert_eq!(wo.status.code(), Some(1), "{}", text(&wo));
    for o in [&lo, &wo] {
        let t = text(o);
        assert!(t.contains("bad.xml:5"), "{t}");
        assert!(t.contains("open_the_pod_bay_doors"), "{t}");
    }
    // The same finding, only the path written the OS's way (the timing line aside).
    let findings = |o: &Output| -> Vec<String> {
        String::from_utf8_lossy(&o.stdout)
            .replace('\\', "/")
            .lines()
            .filter(|l| !l.starts_with("validated "))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(findings(&wo), findings(&lo));

    // A valid build validates with the schemas named by a Windows path.
    ok(
        &r.windows(&w, &["build", "--target", "all"]),
        "windows build",
    );
    let o = r.windows(
        &w,
        &[
            "validate",
            r"out\x4pipe_named_pipes",
            "--schemas",
            &win(&schemas),
        ],
    );
    ok(&o, "windows validate");
}

#[test]
#[ignore = "needs the release archives: scripts/test.sh runs it"]
fn cat_pack_list_extract_round_trip_like_linux() {
    let r = release();
    let (l, w) = dirs(&r);
    let src = r.tmp.path().join("src");
    for (rel, bytes) in [
        ("md/my_mod.xml", &b"<mdscript/>\r\n"[..]),
        ("ui/my_mod/x.lua", b"return 1\n"),
        ("libraries/\u{e4}/data.txt", b"crlf\r\nline\r\n"),
    ] {
        let p = src.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, bytes).unwrap();
    }
    ok(
        &r.linux(
            &l,
            &["cat", "pack", src.to_str().unwrap(), "--out", "ext_01.cat"],
        ),
        "linux cat pack",
    );
    ok(
        &r.windows(
            &w,
            &["cat", "pack", &win(&src), "--out", r"cats\ext_01.cat"],
        ),
        "windows cat pack",
    );
    for f in ["ext_01.cat", "ext_01.dat"] {
        assert_eq!(
            fs::read(l.join(f)).unwrap(),
            fs::read(w.join("cats").join(f)).unwrap(),
            "{f}"
        );
    }
    let lo = r.linux(&l, &["cat", "list", "ext_01.cat", "--verify"]);
    let wo = r.windows(&w, &["cat", "list", r"cats\ext_01.cat", "--verify"]);
    ok(&lo, "linux cat list");
    ok(&wo, "windows cat list");
    assert_eq!(lo.stdout, wo.stdout);
    ok(
        &r.windows(&w, &["cat", "extract", r"cats\ext_01.cat", "--out", r"x\y"]),
        "windows cat extract",
    );
    assert_eq!(tree(&w.join("x/y")), tree(&src));

    // Two entries that differ only in case would be one file on Windows: refused on
    // both OSes, and nothing is extracted.
    let a = "md/A.xml 1 0 0cc175b9c0f1b6a831c399e269772661\nmd/a.xml 1 0 92eb5ffee6ae2fec3ad71c777531578f\n";
    for d in [&l, &w] {
        fs::write(d.join("case.cat"), a).unwrap();
        fs::write(d.join("case.dat"), "ab").unwrap();
    }
    let lo = r.linux(&l, &["cat", "extract", "case.cat", "--out", "case"]);
    let wo = r.windows(&w, &["cat", "extract", "case.cat", "--out", "case"]);
    assert_eq!(lo.status.code(), wo.status.code());
    for (o, d) in [(&lo, &l), (&wo, &w)] {
        assert!(!o.status.success(), "{}", text(o));
        assert!(text(o).contains("only in case"), "{}", text(o));
        assert!(!d.join("case").exists());
    }
}

/// Name, modification time, Unix mode and bytes of every entry of a zip.
fn zip_entries(path: &Path) -> Vec<(String, String, Option<u32>, Vec<u8>)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            let time = format!("{:?}", f.last_modified());
            let mode = f.unix_mode().map(|m| m & 0o777);
            (f.name().to_string(), time, mode, bytes)
        })
        .collect()
}

#[test]
#[ignore = "needs the release archives: scripts/test.sh runs it"]
fn package_writes_the_same_archive() {
    let r = release();
    let (l, w) = dirs(&r);
    ok(&r.linux(&l, &["build", "--target", "all"]), "linux build");
    ok(
        &r.windows(&w, &["build", "--target", "all"]),
        "windows build",
    );
    for format in ["zip", "cat"] {
        let name = format!("api-{format}.zip");
        ok(
            &r.linux(
                &l,
                &[
                    "package",
                    "out/x4pipe_named_pipes",
                    "--format",
                    format,
                    "--out",
                    &name,
                ],
            ),
            "linux package",
        );
        let wout = format!(r"dist\{name}");
        ok(
            &r.windows(
                &w,
                &[
                    "package",
                    r"out\x4pipe_named_pipes",
                    "--format",
                    format,
                    "--out",
                    &wout,
                ],
            ),
            "windows package",
        );
        // Same entries, bytes, times and modes (compared first for a readable diff),
        // and the same archive byte for byte: x4pipe sets the central directory to
        // "made by Unix" on every OS (crates/catalog/src/package/zip.rs).
        let (linux_zip, windows_zip) = (l.join(&name), w.join("dist").join(&name));
        assert_eq!(zip_entries(&linux_zip), zip_entries(&windows_zip), "{name}");
        assert!(
            fs::read(&linux_zip).unwrap() == fs::read(&windows_zip).unwrap(),
            "{name}: the archives differ"
        );
    }
}

#[test]
#[ignore = "needs the release archives: scripts/test.sh runs it"]
fn new_extension_then_build_with_windows_paths_and_crlf() {
    let r = release();
    let (l, w) = dirs(&r);
    ok(
        &r.linux(
            &l,
            &[
                "new-extension",
                "my_mod",
                "--author",
                "Me",
                "--api",
                "embedded",
            ],
        ),
        "linux new-extension",
    );
    let dir = w.join("mods");
    fs::create_dir_all(&dir).unwrap();
    ok(
        &r.windows(
            &w,
            &[
                "new-extension",
                "my_mod",
                "--author",
                "Me",
                "--api",
                "embedded",
                "--dir",
                &format!(r"{}\my_mod", win(&dir)),
            ],
        ),
        "windows new-extension",
    );
    let wproj = dir.join("my_mod");
    assert_eq!(tree(&l.join("my_mod")), tree(&wproj));

    // One more project folder, named the Linux way and, as a Windows editor saves
    // x4pipe.toml, with a backslash and CRLF line ends.
    let lproj = l.join("my_mod");
    for p in [&lproj, &wproj] {
        fs::create_dir_all(p.join("data/sub")).unwrap();
        fs::write(p.join("data/sub/notes.txt"), "one\r\ntwo\r\n").unwrap();
    }
    let ltoml = lproj.join("x4pipe.toml");
    let text_lf = fs::read_to_string(&ltoml).unwrap();
    assert!(text_lf.contains("\"python\""), "{text_lf}");
    fs::write(
        &ltoml,
        text_lf.replace("\"python\"", "\"python\", \"data/sub\""),
    )
    .unwrap();
    fs::write(
        wproj.join("x4pipe.toml"),
        text_lf
            .replace("\"python\"", r"'python', 'data\sub'")
            .replace('\n', "\r\n"),
    )
    .unwrap();
    ok(
        &r.linux(&lproj, &["build", "--target", "all"]),
        "linux build",
    );
    // The config named by a relative backslash path from another folder.
    let o = r.windows(
        &w,
        &[
            "build",
            "--target",
            "all",
            "--config",
            r"mods\my_mod\x4pipe.toml",
            "--out",
            r"mods\my_mod\out",
        ],
    );
    ok(&o, "windows build");
    assert!(text(&o).contains(BUNDLED), "{}", text(&o));
    assert_eq!(tree(&l.join("my_mod/out")), tree(&wproj.join("out")));

    // A Windows device name is refused the same way by both binaries.
    for p in [&l.join("my_mod"), &wproj] {
        fs::write(p.join("md/aux.xml"), "<mdscript/>").unwrap();
    }
    let lo = r.linux(&l.join("my_mod"), &["build", "--target", "all"]);
    let wo = r.windows(&wproj, &["build", "--target", "all"]);
    assert_eq!(lo.status.code(), wo.status.code());
    for o in [&lo, &wo] {
        assert!(!o.status.success(), "{}", text(o));
        assert!(text(o).contains("Windows device name"), "{}", text(o));
    }
}
