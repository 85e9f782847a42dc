//! Hostile files against the real binary (issue 15): named pipes, devices and links
//! where x4pipe expects files, huge and sparse files, catalogs whose numbers ask for
//! more memory than the machine has. Every command must refuse them by name, quickly,
//! without reading outside the folder it was pointed at.
//!
//! Each run has a deadline: a command that hangs on a FIFO fails the test instead of
//! hanging the suite.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a limited run of the binary did.
pub struct Run {
    /// `None`: killed at the deadline.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs x4pipe in `dir` like `support::x4pipe`, killed after `secs` seconds.
pub fn run_limited(dir: &Path, args: &[&str], secs: u64) -> Run {
    let out = tempfile::tempdir().unwrap();
    let (so, se) = (out.path().join("out"), out.path().join("err"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_x4pipe"))
        .args(args)
        .current_dir(dir)
        .env_remove("X4PIPE_SCHEMAS")
        .env("X4PIPE_CACHE_DIR", dir.join(".cache"))
        .stdin(Stdio::null())
        .stdout(fs::File::create(&so).unwrap())
        .stderr(fs::File::create(&se).unwrap())
        .spawn()
        .expect("run x4pipe");
    let deadline = Instant::now() + Duration::from_secs(secs);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status.code().unwrap_or(-1));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Reading a huge output back would be its own memory problem: 1 MiB is plenty.
    let read = |p: &Path| {
        use std::io::Read;
        let mut s = Vec::new();
        let _ = fs::File::open(p).unwrap().take(1 << 20).read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    };
    Run {
        code,
        stdout: read(&so),
        stderr: read(&se),
    }
}

#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// A sparse file of `len` bytes (no disk space used).
fn sparse(path: &Path, len: u64) {
    fs::File::create(path).unwrap().set_len(len).unwrap();
}

const MD: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<mdscript name=\"My_Mod\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"md.xsd\">\n  <cues/>\n</mdscript>\n";

/// A project whose `[project] include` is `md`, with one MD file in it.
fn project(root: &Path) -> PathBuf {
    let p = root.join("proj");
    fs::create_dir_all(p.join("md")).unwrap();
    fs::write(
        p.join("x4pipe.toml"),
        "[extension]\nid = \"my_mod\"\n\n[project]\ninclude = [\"md\"]\n",
    )
    .unwrap();
    fs::write(p.join("md/my_mod.xml"), MD).unwrap();
    p
}

#[cfg(unix)]
#[test]
fn validate_refuses_a_named_pipe_in_a_folder_without_waiting_for_it() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = tmp.path().join("ext/md");
    fs::create_dir_all(&ext).unwrap();
    mkfifo(&ext.join("pipe.xml"));
    let r = run_limited(tmp.path(), &["validate", "ext", "--no-cache"], 20);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.all().contains("pipe.xml") && r.all().contains("named pipe (FIFO), not a regular file"),
        "{}",
        r.all()
    );
}

#[cfg(unix)]
#[test]
fn validate_never_follows_a_link_it_finds_in_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = tmp.path().join("shadow.xml");
    fs::write(&secret, "root:SECRET-HASH:19000:0:99999:7:::\n").unwrap();
    fs::create_dir_all(tmp.path().join("ext/md")).unwrap();
    symlink(&secret, tmp.path().join("ext/md/leak.xml"));
    let r = run_limited(tmp.path(), &["validate", "ext", "--no-cache"], 20);
    assert!(!r.all().contains("SECRET-HASH"), "{}", r.all());
    assert!(r.all().contains("leak.xml"), "{}", r.all());
    assert!(r.all().contains("is a symbolic link"), "{}", r.all());
    assert_eq!(r.code, Some(1), "{}", r.all());
}

#[cfg(unix)]
#[test]
fn validate_refuses_a_device_without_reading_it() {
    let tmp = tempfile::tempdir().unwrap();
    // Named on the command line (followed), and found through a link in a folder.
    let r = run_limited(tmp.path(), &["validate", "/dev/zero", "--no-cache"], 20);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.all().contains("/dev/zero") && r.all().contains("is a device, not a regular file"),
        "{}",
        r.all()
    );
    fs::create_dir_all(tmp.path().join("ext")).unwrap();
    symlink("/dev/zero", tmp.path().join("ext/zero.xml"));
    let r = run_limited(tmp.path(), &["validate", "ext", "--no-cache"], 20);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.all().contains("zero.xml"), "{}", r.all());
}

#[cfg(unix)]
#[test]
fn build_refuses_links_and_pipes_in_include_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let p = project(tmp.path());
    fs::write(
        tmp.path().join("passwd"),
        "root:x:0:0:root:/root:/bin/bash\n",
    )
    .unwrap();
    symlink(tmp.path().join("passwd"), p.join("md/passwd.txt"));
    let r = run_limited(&p, &["build"], 60);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stderr.contains("project.include[0]") && r.stderr.contains("md/passwd.txt"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("is a symbolic link"), "{}", r.stderr);
    assert!(!p.join("out").exists(), "nothing is written");

    // A linked folder is refused the same way (it could loop or leave the project).
    fs::remove_file(p.join("md/passwd.txt")).unwrap();
    symlink(tmp.path(), p.join("md/up"));
    let r = run_limited(&p, &["build"], 60);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("md/up"), "{}", r.stderr);

    fs::remove_file(p.join("md/up")).unwrap();
    mkfifo(&p.join("md/pipe.xml"));
    let r = run_limited(&p, &["build"], 60);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("named pipe (FIFO)"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn build_refuses_a_named_pipe_as_its_config() {
    let tmp = tempfile::tempdir().unwrap();
    mkfifo(&tmp.path().join("x4pipe.toml"));
    let r = run_limited(tmp.path(), &["build"], 20);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("named pipe (FIFO)"), "{}", r.stderr);
    // Named on the command line: followed, but still a regular file only.
    let r = run_limited(tmp.path(), &["build", "--config", "/dev/zero"], 20);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("is a device"), "{}", r.stderr);
}

#[test]
fn package_refuses_a_huge_content_xml_before_reading_it() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = tmp.path().join("my_mod");
    fs::create_dir_all(&ext).unwrap();
    sparse(&ext.join("content.xml"), 1 << 30);
    let r = run_limited(tmp.path(), &["package", "my_mod"], 60);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stderr.contains("content.xml: is 1073741824 bytes"),
        "{}",
        r.stderr
    );
}

#[test]
fn cat_list_refuses_a_line_without_end_and_a_huge_index() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("x.cat"), "a".repeat(1 << 20)).unwrap();
    fs::write(tmp.path().join("x.dat"), "").unwrap();
    let r = run_limited(tmp.path(), &["cat", "list", "x.cat"], 20);
    assert_eq!(r.code, Some(1), "{}", &r.all()[..r.all().len().min(300)]);
    assert!(
        r.stderr.len() < 1000,
        "the message must not carry the line: {} bytes",
        r.stderr.len()
    );
    assert!(
        r.stderr.contains("x.cat:1: line is longer than"),
        "{}",
        r.stderr
    );

    sparse(&tmp.path().join("x.cat"), 1 << 30);
    let r = run_limited(tmp.path(), &["cat", "list", "x.cat"], 20);
    assert_eq!(r.code, Some(1), "{}", &r.all()[..r.all().len().min(300)]);
    assert!(
        r.stderr.contains("x.cat: is 1073741824 bytes"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_catalog_entry_larger_than_memory_is_refused_not_allocated() {
    let tmp = tempfile::tempdir().unwrap();
    let game = tmp.path().join("game");
    fs::create_dir_all(&game).unwrap();
    // A 1 TiB entry in a sparse 1 TiB .dat: the numbers agree, memory does not.
    let huge: u64 = 1 << 40;
    fs::write(
        game.join("01.cat"),
        format!("libraries/md.xsd {huge} 0 {}\n", "0".repeat(32)),
    )
    .unwrap();
    sparse(&game.join("01.dat"), huge);
    fs::create_dir_all(tmp.path().join("ext")).unwrap();
    let r = run_limited(tmp.path(), &["validate", "ext", "--game-dir", "game"], 60);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stderr.contains("libraries/md.xsd") && r.stderr.contains("1099511627776 bytes"),
        "{}",
        r.stderr
    );
}

// ---- writing: output paths, outputs over inputs, half-written output, Ctrl-C ----

/// A minimal extension folder `dir/my_mod` with this content.xml version.
fn extension(dir: &Path, version: &str) -> PathBuf {
    let ext = dir.join("my_mod");
    fs::create_dir_all(ext.join("md")).unwrap();
    fs::write(
        ext.join("content.xml"),
        format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<content id=\"my_mod\" name=\"My mod\" version=\"{version}\" date=\"2026-11-25\"/>\n"),
    )
    .unwrap();
    fs::write(ext.join("md/a.xml"), MD).unwrap();
    ext
}

fn temp_names(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".x4pipe-tmp-"))
        .collect()
}

#[test]
fn package_never_takes_its_output_path_from_content_xml() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    extension(&work, "1/../../outside");
    let r = run_limited(&work, &["package", "my_mod"], 60);
    assert!(!tmp.path().join("outside.zip").exists(), "{}", r.all());
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("version"), "{}", r.stderr);
    // A plain version still names the archive.
    fs::remove_dir_all(work.join("my_mod")).unwrap();
    extension(&work, "120");
    let r = run_limited(&work, &["package", "my_mod"], 60);
    assert_eq!(r.code, Some(0), "{}", r.all());
    assert!(work.join("my_mod_120.zip").is_file());
}

#[test]
fn package_output_must_be_a_zip_so_it_cannot_replace_a_packaged_file() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = extension(tmp.path(), "100");
    let r = run_limited(
        tmp.path(),
        &["package", "my_mod", "-o", "my_mod/md/a.xml"],
        60,
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert_eq!(fs::read_to_string(ext.join("md/a.xml")).unwrap(), MD);
}

#[test]
fn cat_pack_never_writes_its_index_over_its_data() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("src")).unwrap();
    fs::write(tmp.path().join("src/a.txt"), "a").unwrap();
    let r = run_limited(tmp.path(), &["cat", "pack", "src", "-o", "out/x.dat"], 20);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("must end in .cat"), "{}", r.stderr);
    assert!(!tmp.path().join("out/x.dat").exists());
}

#[test]
fn a_failed_cat_pack_leaves_no_half_pair() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("src")).unwrap();
    fs::write(tmp.path().join("src/a.txt"), "a").unwrap();
    // The .cat cannot be written: a folder of that name is in the way.
    fs::create_dir_all(tmp.path().join("out/x.cat/keep")).unwrap();
    let r = run_limited(tmp.path(), &["cat", "pack", "src", "-o", "out/x.cat"], 20);
    assert_ne!(r.code, Some(0), "{}", r.all());
    assert!(
        !tmp.path().join("out/x.dat").exists(),
        "half a pair written"
    );
    assert!(temp_names(&tmp.path().join("out")).is_empty());
}

#[test]
fn leftovers_of_a_killed_run_are_never_packed() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(src.join(".x4pipe-tmp-extract-abc")).unwrap();
    fs::write(src.join(".x4pipe-tmp-extract-abc/big.bin"), "junk").unwrap();
    fs::write(src.join(".x4pipe-tmp-Xy12"), "junk").unwrap();
    fs::write(src.join("a.txt"), "a").unwrap();
    let r = run_limited(tmp.path(), &["cat", "pack", "src", "-o", "x.cat"], 20);
    assert_eq!(r.code, Some(0), "{}", r.all());
    let r = run_limited(tmp.path(), &["cat", "list", "x.cat"], 20);
    assert_eq!(r.stdout, "a.txt\n");

    let p = project(tmp.path());
    fs::write(p.join("md/.x4pipe-tmp-old"), "junk").unwrap();
    let r = run_limited(&p, &["build"], 60);
    assert_eq!(r.code, Some(0), "{}", r.all());
    assert!(!p.join("out/my_mod/md/.x4pipe-tmp-old").exists());
}

#[test]
fn cat_extract_never_overwrites_the_catalog_it_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    fs::write(src.join("x.cat"), "not the catalog").unwrap();
    let r = run_limited(tmp.path(), &["cat", "pack", "src", "-o", "x.cat"], 20);
    assert_eq!(r.code, Some(0), "{}", r.all());
    let before = fs::read(tmp.path().join("x.cat")).unwrap();
    let r = run_limited(tmp.path(), &["cat", "extract", "x.cat", "-o", "."], 20);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("which is being read"), "{}", r.stderr);
    assert_eq!(fs::read(tmp.path().join("x.cat")).unwrap(), before);
}

#[test]
fn build_never_replaces_its_own_project() {
    let tmp = tempfile::tempdir().unwrap();
    let p = project(tmp.path());
    // The extension folder is `my_mod`; `--out ..` would make it the project itself.
    let p2 = tmp.path().join("my_mod");
    fs::rename(&p, &p2).unwrap();
    let r = run_limited(&p2, &["build", "--out", "..", "--force"], 60);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(p2.join("x4pipe.toml").is_file(), "the project was replaced");
    assert!(r.stderr.contains("would replace"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn new_extension_force_never_writes_through_a_linked_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, outside) = (tmp.path().join("dir"), tmp.path().join("outside"));
    fs::create_dir_all(&dir).unwrap();
    fs::create_dir_all(&outside).unwrap();
    symlink(&outside, dir.join("md"));
    let r = run_limited(
        tmp.path(),
        &["new-extension", "my_mod", "--dir", "dir", "--force"],
        60,
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
    assert!(temp_names(tmp.path()).is_empty());
}

/// SIGINT and SIGTERM in the middle of writing: temporary files are removed and the
/// exit code is 130.
#[cfg(unix)]
#[test]
fn ctrl_c_removes_temporary_files() {
    for signal in ["-INT", "-TERM"] {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        fs::create_dir_all(&src).unwrap();
        // Sparse: costs no disk, but takes seconds to hash and copy.
        sparse(&src.join("big.bin"), 4 << 30);
        let out = tmp.path().join("out");
        fs::create_dir_all(&out).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_x4pipe"))
            .args(["cat", "pack", "src", "-o", "out/x.cat"])
            .current_dir(tmp.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while temp_names(&out).is_empty() {
            assert!(Instant::now() < deadline, "no temporary file appeared");
            assert!(child.try_wait().unwrap().is_none(), "pack ended too soon");
            std::thread::sleep(Duration::from_millis(10));
        }
        let ok = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{signal}: {status:?}");
        assert!(
            temp_names(&out).is_empty(),
            "{signal}: {:?}",
            temp_names(&out)
        );
        assert!(!out.join("x.dat").exists() && !out.join("x.cat").exists());
    }
}

// ---- validation bypass: a DOCTYPE hiding the root, package's content.xml ----

#[test]
fn a_doctype_cannot_hide_the_root_element_from_validate() {
    let tmp = tempfile::tempdir().unwrap();
    let schemas = crate::support::shared_schemas("6.x").display().to_string();
    // Invalid for md.xsd (name pattern, unknown element); the DOCTYPE's internal
    // subset used to make the root sniff give up, so only well-formedness was checked.
    fs::write(
        tmp.path().join("x.xml"),
        "<?xml version=\"1.0\"?>\n<!DOCTYPE mdscript [ <!ENTITY x \"y\"> ]>\n<mdscript name=\"A\"><bogus/></mdscript>\n",
    )
    .unwrap();
    let r = run_limited(
        tmp.path(),
        &["validate", "x.xml", "--schemas", &schemas, "--no-cache"],
        60,
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stdout.contains("DOCTYPE"), "{}", r.stdout);
}

#[test]
fn package_checks_content_xml_fully_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = extension(tmp.path(), "100");
    // The root's attributes are readable, the rest is not XML.
    fs::write(
        ext.join("content.xml"),
        "<content id=\"my_mod\" name=\"My mod\" version=\"100\"><dependency id=\"x\"></content>\n",
    )
    .unwrap();
    let r = run_limited(tmp.path(), &["package", "my_mod"], 60);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("content.xml"), "{}", r.stderr);
    assert!(!tmp.path().join("my_mod_100.zip").exists());
    // Well-formed but against the content schema (no id).
    fs::write(
        ext.join("content.xml"),
        "<content name=\"My mod\" version=\"100\" save=\"maybe\"/>\n",
    )
    .unwrap();
    let r = run_limited(tmp.path(), &["package", "my_mod"], 60);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(!tmp.path().join("my_mod.zip").exists());
}

// ---- terminal output: names and contents never reach the terminal raw ----

/// No ESC, CR, NUL, other C0/C1 control or bidi override in `text`.
fn assert_terminal_safe(text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    assert!(bad.is_empty(), "raw {bad:?} in:\n{text}");
}

#[test]
fn cat_list_escapes_control_characters_in_names() {
    let tmp = tempfile::tempdir().unwrap();
    let z = "0".repeat(32);
    fs::write(
        tmp.path().join("x.cat"),
        format!("a\u{1b}[31mred\r.txt 0 0 {z}\nb\u{202e}txt.exe 0 0 {z}\nc\u{9b}2J 0 0 {z}\n"),
    )
    .unwrap();
    fs::write(tmp.path().join("x.dat"), "").unwrap();
    for args in [
        &["cat", "list", "x.cat"][..],
        &["cat", "list", "x.cat", "--long"],
    ] {
        let r = run_limited(tmp.path(), args, 20);
        assert_eq!(r.code, Some(0), "{}", r.all());
        assert_terminal_safe(&r.all());
        assert!(r.stdout.contains("a\\x1b[31mred\\x0d.txt"), "{}", r.stdout);
        assert!(r.stdout.contains("b\\u{202e}txt.exe"), "{}", r.stdout);
    }
}

#[test]
fn human_validate_output_escapes_control_characters() {
    let tmp = tempfile::tempdir().unwrap();
    let md = tmp.path().join("md");
    fs::create_dir_all(&md).unwrap();
    // A file name and a line with ESC (not allowed in XML: reported with its line).
    fs::write(
        md.join("evil\u{1b}]0;owned\u{7}.xml"),
        "<mdscript name=\"Evil\">\u{1b}[2J\u{1b}[H\r<cues/></mdscript>\n",
    )
    .unwrap();
    let r = run_limited(tmp.path(), &["validate", "md", "--no-cache"], 60);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert_terminal_safe(&r.all());
    assert!(
        r.stdout.contains("evil\\x1b]0;owned\\x07.xml"),
        "{}",
        r.stdout
    );
}

// ---- x4pipe sim reads extensions by the same rule ----

#[cfg(unix)]
#[test]
fn sim_reads_extensions_by_the_input_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = tmp.path().join("ext");
    fs::create_dir_all(ext.join("md")).unwrap();
    mkfifo(&ext.join("md/pipe.xml"));
    let r = run_limited(tmp.path(), &["sim", "ext", "--for", "1s"], 30);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("named pipe (FIFO)"), "{}", r.stderr);

    // A ui.xml naming a Lua file outside its extension.
    fs::remove_file(ext.join("md/pipe.xml")).unwrap();
    fs::write(tmp.path().join("secret.lua"), "error('SECRET-LUA-RAN')\n").unwrap();
    fs::write(
        ext.join("ui.xml"),
        "<addon name=\"x\"><environment type=\"fullscreen\"><file name=\"../secret.lua\"/></environment></addon>\n",
    )
    .unwrap();
    let r = run_limited(tmp.path(), &["sim", "ext", "--for", "1s"], 30);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(!r.all().contains("SECRET-LUA-RAN"), "{}", r.all());
    assert!(r.stderr.contains("../secret.lua"), "{}", r.stderr);

    // A linked MD file.
    fs::remove_file(ext.join("ui.xml")).unwrap();
    fs::write(
        tmp.path().join("other.xml"),
        "<mdscript name=\"Other\"><cues/></mdscript>",
    )
    .unwrap();
    symlink(tmp.path().join("other.xml"), ext.join("md/link.xml"));
    let r = run_limited(tmp.path(), &["sim", "ext", "--for", "1s"], 30);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("is a symbolic link"), "{}", r.stderr);
}

/// Many large files in one `validate` run: memory stays bounded (files are read and
/// validated in batches), instead of every file being held at once. Run under a
/// 1.5 GB address-space limit with 2 GB of files.
#[cfg(target_os = "linux")]
#[test]
fn validate_holds_a_bounded_amount_of_files_in_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("many");
    fs::create_dir(&dir).unwrap();
    for i in 0..10 {
        sparse(&dir.join(format!("f{i}.xml")), 200 << 20);
    }
    let bin = env!("CARGO_BIN_EXE_x4pipe");
    let script = format!("ulimit -v 1500000; exec '{bin}' validate many --no-cache -j 1");
    let out = Command::new("sh")
        .args(["-c", &script])
        .current_dir(tmp.path())
        .env("X4PIPE_CACHE_DIR", tmp.path().join(".cache"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert_eq!(stdout.matches("looks binary").count(), 10, "{stdout}");
}

/// A named pipe among the schemas: refused by name, not waited on by the compile.
#[cfg(unix)]
#[test]
fn validate_refuses_a_named_pipe_among_the_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    let schemas = tmp.path().join("schemas");
    fs::create_dir(&schemas).unwrap();
    fs::copy(
        crate::support::shared_schemas("6.x/md.xsd"),
        schemas.join("md.xsd"),
    )
    .unwrap();
    mkfifo(&schemas.join("common.xsd"));
    fs::create_dir(tmp.path().join("md")).unwrap();
    fs::write(tmp.path().join("md/a.xml"), MD).unwrap();
    let r = run_limited(
        tmp.path(),
        &["validate", "md", "--schemas", "schemas", "--no-cache"],
        30,
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.all().contains("common.xsd: is a named pipe"),
        "{}",
        r.all()
    );
}
