//! `package`: byte-identical archives, in both formats.

use crate::support::*;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use x4pipe_catalog::package::{default_output, inspect, package, PackageFormat, PackageOptions};

const CONTENT: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<content id="x4pipe_named_pipes" name="Named Pipes" version="100" date="2026-11-25" save="false">
  <dependency version="600"/>
</content>
"#;

fn make_ext(root: &Path) -> PathBuf {
    let ext = root.join("x4pipe_named_pipes");
    write(&ext, "content.xml", CONTENT.as_bytes());
    write(&ext, "md/Named_Pipes.xml", &noise(20_000, 1));
    write(&ext, "ui.xml", b"<addon/>");
    write(&ext, "ui/x4pipe/named_pipes.lua", b"-- lua\n");
    write(&ext, "ui/x4pipe/native/x4pipe_native.dll", &noise(5000, 2));
    write(
        &ext,
        "ui/x4pipe/native/libx4pipe_native.so",
        &noise(5000, 3),
    );
    write(&ext, "ui/x4pipe/empty file.txt", b"");
    write(&ext, "notes/todo.txt", b"not shipped");
    write(&ext, "md/old.bak", b"not shipped");
    write(&ext, ".git/HEAD", b"hidden, not shipped");
    write(&ext, ".x4pipeignore", b"notes/\n*.bak\n");
    for (i, f) in ["content.xml", "md/Named_Pipes.xml", "ui.xml"]
        .iter()
        .enumerate()
    {
        set_mtime(&ext.join(f), 1_000_000_000 + i as u64);
    }
    ext
}

fn opts(format: PackageFormat, out: PathBuf, epoch: Option<i64>) -> PackageOptions {
    PackageOptions {
        format,
        out: Some(out),
        source_date_epoch: epoch,
        ..Default::default()
    }
}

struct ZipEntry {
    bytes: Vec<u8>,
    mode: Option<u32>,
    time: (u16, u8, u8, u8, u8, u8),
    header_start: u64,
    central_header_start: u64,
}

fn read_zip(path: &Path) -> Vec<(String, ZipEntry)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            let t = f.last_modified().unwrap();
            (
                f.name().to_string(),
                ZipEntry {
                    bytes,
                    mode: f.unix_mode(),
                    time: (
                        t.year(),
                        t.month(),
                        t.day(),
                        t.hour(),
                        t.minute(),
                        t.second(),
                    ),
                    header_start: f.header_start(),
                    central_header_start: f.central_header_start(),
                },
            )
        })
        .collect()
}

/// md5 of the zip and cat-format archives of [`make_ext`] with SOURCE_DATE_EPOCH
/// 1700000000, as written on Linux. The same on every OS: this test also runs in the
/// Windows build under Wine (scripts/test.sh).
const ZIP_MD5: &str = "6028d9e7d277976a3f8928b74f16cae7";
const CAT_ZIP_MD5: &str = "5580990ca7f2fa1e00bab4ae4ea9ba30";

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every central-directory record of a zip: (name, version made by, external
/// attributes), read straight from the bytes (APPNOTE 4.3.12), not through a zip
/// library that might normalise them.
fn central_records(zip: &[u8]) -> Vec<(String, u16, u32)> {
    let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes(zip[i..i + 4].try_into().unwrap());
    let eocd = zip.len() - 22;
    assert_eq!(u32_at(eocd), 0x0605_4b50, "end of central directory");
    let (count, mut at) = (u16_at(eocd + 10) as usize, u32_at(eocd + 16) as usize);
    (0..count)
        .map(|_| {
            assert_eq!(u32_at(at), 0x0201_4b50, "central header at {at}");
            let (name_len, extra, comment) = (
                u16_at(at + 28) as usize,
                u16_at(at + 30) as usize,
                u16_at(at + 32) as usize,
            );
            let name = String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).unwrap();
            let record = (name, u16_at(at + 4), u32_at(at + 38));
            at += 46 + name_len + extra + comment;
            record
        })
        .collect()
}

#[test]
fn archives_are_the_same_bytes_on_every_os() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = make_ext(tmp.path());
    let epoch = Some(1_700_000_000);
    let zip = package(
        &ext,
        &opts(PackageFormat::Zip, tmp.path().join("a.zip"), epoch),
    )
    .unwrap();
    let zip = std::fs::read(zip).unwrap();
    // Every entry "made by" Unix (3) with its mode in the high 16 bits and no MS-DOS
    // attribute bits, which the zip crate would set on Windows.
    for (name, made_by, attrs) in central_records(&zip) {
        assert_eq!(made_by >> 8, 3, "{name}: made by {made_by:#06x}");
        assert_eq!(
            attrs & 0xffff,
            0,
            "{name}: external attributes {attrs:#010x}"
        );
        let mode = if name.ends_with('/') {
            0o40755
        } else {
            0o100644
        };
        assert_eq!(attrs >> 16, mode, "{name}");
    }
    let cat = package(
        &ext,
        &opts(PackageFormat::Cat, tmp.path().join("c.zip"), epoch),
    )
    .unwrap();
    let cat = std::fs::read(cat).unwrap();
    assert_eq!(
        (md5_hex(&zip).as_str(), md5_hex(&cat).as_str()),
        (ZIP_MD5, CAT_ZIP_MD5)
    );
}

#[test]
fn zip_is_byte_identical_and_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = make_ext(tmp.path());
    let a = package(
        &ext,
        &opts(PackageFormat::Zip, tmp.path().join("a.zip"), None),
    )
    .unwrap();
    // Touch a file and change modes: nothing may change.
    set_mtime(&ext.join("ui.xml"), 5);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = std::fs::Permissions::from_mode(0o600);
        std::fs::set_permissions(ext.join("ui.xml"), p.clone()).unwrap();
        let p = std::fs::Permissions::from_mode(0o700);
        std::fs::set_permissions(ext.join("md"), p).unwrap();
    }
    let b = package(
        &ext,
        &opts(PackageFormat::Zip, tmp.path().join("b.zip"), None),
    )
    .unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

    let entries = read_zip(&a);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "x4pipe_named_pipes/",
            "x4pipe_named_pipes/content.xml",
            "x4pipe_named_pipes/md/",
            "x4pipe_named_pipes/md/Named_Pipes.xml",
            // Byte order: '.' (0x2e) sorts before '/' (0x2f).
            "x4pipe_named_pipes/ui.xml",
            "x4pipe_named_pipes/ui/",
            "x4pipe_named_pipes/ui/x4pipe/",
            "x4pipe_named_pipes/ui/x4pipe/empty file.txt",
            "x4pipe_named_pipes/ui/x4pipe/named_pipes.lua",
            "x4pipe_named_pipes/ui/x4pipe/native/",
            "x4pipe_named_pipes/ui/x4pipe/native/libx4pipe_native.so",
            "x4pipe_named_pipes/ui/x4pipe/native/x4pipe_native.dll",
        ]
    );
    for (name, e) in &entries {
        // content.xml date 2026-11-25 at 00:00 UTC.
        assert_eq!(e.time, (2026, 11, 25, 0, 0, 0), "{name}");
        let want = if name.ends_with('/') {
            0o40755
        } else {
            0o100644
        };
        assert_eq!(e.mode, Some(want), "{name}");
        if let Some(rel) = name.strip_prefix("x4pipe_named_pipes/") {
            if !name.ends_with('/') {
                assert_eq!(e.bytes, std::fs::read(ext.join(rel)).unwrap(), "{name}");
            }
        }
    }
}

#[test]
fn source_date_epoch_changes_only_timestamps() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = make_ext(tmp.path());
    let a = package(
        &ext,
        &opts(
            PackageFormat::Zip,
            tmp.path().join("a.zip"),
            Some(1_700_000_000),
        ),
    )
    .unwrap();
    let b = package(
        &ext,
        &opts(
            PackageFormat::Zip,
            tmp.path().join("b.zip"),
            Some(1_800_000_002),
        ),
    )
    .unwrap();
    let (za, zb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_ne!(za, zb);
    assert_eq!(za.len(), zb.len());
    let (ea, eb) = (read_zip(&a), read_zip(&b));
    // The only bytes allowed to differ: DOS time+date in each local header
    // (offset 10..14) and central header (offset 12..16).
    let mut allowed = std::collections::BTreeSet::new();
    for (_, e) in &ea {
        allowed.extend(e.header_start + 10..e.header_start + 14);
        allowed.extend(e.central_header_start + 12..e.central_header_start + 16);
    }
    for (i, (x, y)) in za.iter().zip(&zb).enumerate() {
        if x != y {
            assert!(
                allowed.contains(&(i as u64)),
                "byte {i} differs outside a timestamp"
            );
        }
    }
    for ((na, a), (nb, b)) in ea.iter().zip(&eb) {
        assert_eq!((na, &a.bytes, a.mode), (nb, &b.bytes, b.mode));
        assert_eq!(a.time, (2023, 11, 14, 22, 13, 20));
        assert_eq!(b.time, (2027, 1, 15, 8, 0, 2));
    }
}

/// (name -> bytes) of a zip, with ext_01.cat's mtime field blanked.
fn contents_without_times(path: &Path) -> BTreeMap<String, Vec<u8>> {
    read_zip(path)
        .into_iter()
        .map(|(n, e)| {
            let bytes = if n.ends_with("ext_01.cat") {
                let text = String::from_utf8(e.bytes).unwrap();
                text.lines()
                    .map(|l| {
                        let mut f: Vec<&str> = l.rsplitn(4, ' ').collect();
                        f[1] = "T";
                        f.reverse();
                        f.join(" ") + "\n"
                    })
                    .collect::<String>()
                    .into_bytes()
            } else {
                e.bytes
            };
            (n, bytes)
        })
        .collect()
}

#[test]
fn cat_format_is_byte_identical_and_keeps_loose_files() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = make_ext(tmp.path());
    let a = package(
        &ext,
        &opts(PackageFormat::Cat, tmp.path().join("a.zip"), None),
    )
    .unwrap();
    set_mtime(&ext.join("md/Named_Pipes.xml"), 7);
    let b = package(
        &ext,
        &opts(PackageFormat::Cat, tmp.path().join("b.zip"), None),
    )
    .unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

    let entries: BTreeMap<String, ZipEntry> = read_zip(&a).into_iter().collect();
    let files: Vec<&str> = entries
        .keys()
        .filter(|n| !n.ends_with('/'))
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        files,
        [
            "x4pipe_named_pipes/content.xml",
            "x4pipe_named_pipes/ext_01.cat",
            "x4pipe_named_pipes/ext_01.dat",
            "x4pipe_named_pipes/ui/x4pipe/native/libx4pipe_native.so",
            "x4pipe_named_pipes/ui/x4pipe/native/x4pipe_native.dll",
        ]
    );
    let cat = String::from_utf8(entries["x4pipe_named_pipes/ext_01.cat"].bytes.clone()).unwrap();
    let epoch = 1_795_564_800; // 2026-11-25
    let lua = b"-- lua\n";
    assert_eq!(
        cat,
        format!(
            "md/Named_Pipes.xml 20000 {epoch} {}\nui.xml 8 {epoch} {}\n\
             ui/x4pipe/empty file.txt 0 {epoch} {}\nui/x4pipe/named_pipes.lua {} {epoch} {}\n",
            md5_hex(&noise(20_000, 1)),
            md5_hex(b"<addon/>"),
            "0".repeat(32),
            lua.len(),
            md5_hex(lua),
        )
    );

    // A different SOURCE_DATE_EPOCH: same files, only times differ.
    let c = package(
        &ext,
        &opts(
            PackageFormat::Cat,
            tmp.path().join("c.zip"),
            Some(1_234_567_890),
        ),
    )
    .unwrap();
    assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());
    assert_eq!(contents_without_times(&a), contents_without_times(&c));
    assert!(read_zip(&c)
        .iter()
        .all(|(_, e)| e.time == (2009, 2, 13, 23, 31, 30)));
}

#[test]
fn extra_loose_globs() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = make_ext(tmp.path());
    let mut o = opts(PackageFormat::Cat, tmp.path().join("a.zip"), None);
    o.loose = vec!["ui.xml".into()];
    let a = package(&ext, &o).unwrap();
    let names: Vec<String> = read_zip(&a).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"x4pipe_named_pipes/ui.xml".to_string()));
}

#[test]
fn folder_without_content_xml_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "not_ext/md/a.xml", b"<mdscript/>");
    let err = package(
        &tmp.path().join("not_ext"),
        &opts(PackageFormat::Zip, tmp.path().join("a.zip"), None),
    )
    .unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("not_ext") && msg.contains("no content.xml"),
        "{msg}"
    );
    assert!(!tmp.path().join("a.zip").exists());
}

#[test]
fn default_output_and_output_inside_the_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = make_ext(tmp.path());
    let info = inspect(&ext).unwrap();
    assert_eq!(
        default_output(&info, PackageFormat::Zip).unwrap(),
        PathBuf::from("x4pipe_named_pipes_100.zip")
    );
    assert_eq!(
        default_output(&info, PackageFormat::Cat).unwrap(),
        PathBuf::from("x4pipe_named_pipes_100_cat.zip")
    );
    // The version is the extension's own text: it must not choose the path.
    let mut hostile = info.clone();
    hostile.content.version = Some("1/../../outside".into());
    let err = default_output(&hostile, PackageFormat::Zip).unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot be part of the archive's file name"),
        "{err}"
    );
    // Writing the archive inside the tree: the second run must not pack the first.
    let out = ext.join("release.zip");
    let a = package(&ext, &opts(PackageFormat::Zip, out.clone(), None)).unwrap();
    let first = std::fs::read(&a).unwrap();
    package(&ext, &opts(PackageFormat::Zip, out.clone(), None)).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), first);
    assert!(!read_zip(&out)
        .iter()
        .any(|(n, _)| n.contains("release.zip")));
}

/// Every call a [`Progress`] gets, with the bytes of each job added up.
#[derive(Debug, Default)]
struct Recorder(std::sync::Mutex<Vec<(String, u64)>>);

impl x4pipe_catalog::Progress for Recorder {
    fn start(&self, what: &'static str, total_bytes: u64) {
        let mut calls = self.0.lock().unwrap();
        calls.push((format!("start {what}"), total_bytes));
        calls.push(("advanced".into(), 0));
    }
    fn advance(&self, bytes: u64) {
        self.0.lock().unwrap().last_mut().unwrap().1 += bytes;
    }
    fn finish(&self) {
        self.0.lock().unwrap().push(("finish".into(), 0));
    }
}

#[test]
fn long_jobs_report_their_progress_to_the_caller() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = make_ext(tmp.path());
    let recorder = std::sync::Arc::new(Recorder::default());
    let mut o = opts(PackageFormat::Cat, tmp.path().join("a.zip"), None);
    o.progress = Some(recorder.clone());
    package(&ext, &o).unwrap();
    let calls = std::mem::take(&mut *recorder.0.lock().unwrap());
    let [(packing, packed), (_, packed_done), (end1, _), (zipping, zipped), (_, zipped_done), (end2, _)] =
        &calls[..]
    else {
        panic!("two jobs expected: {calls:?}");
    };
    assert_eq!(
        [packing, end1, zipping, end2].map(String::as_str),
        ["start packing", "finish", "start zipping", "finish"]
    );
    // md/Named_Pipes.xml alone is 20000 bytes; the zip holds the .dat and more.
    assert!(*packed >= 20_000 && packed_done == packed, "{calls:?}");
    assert!(zipped > packed && zipped_done == zipped, "{calls:?}");

    // Extracting what `pack` wrote reports the same bytes.
    let cat = tmp.path().join("all.cat");
    let pack_opts = x4pipe_catalog::PackOptions {
        progress: Some(recorder.clone()),
        ..Default::default()
    };
    let report = x4pipe_catalog::pack(&ext, &cat, &pack_opts).unwrap();
    let catalog = x4pipe_catalog::Catalog::open(&cat).unwrap();
    let extract_opts = x4pipe_catalog::ExtractOptions {
        progress: Some(recorder.clone()),
        ..Default::default()
    };
    x4pipe_catalog::extract(&catalog, &tmp.path().join("out"), &extract_opts).unwrap();
    let calls = std::mem::take(&mut *recorder.0.lock().unwrap());
    assert_eq!(
        calls,
        [
            ("start packing".to_string(), report.bytes),
            ("advanced".into(), report.bytes),
            ("finish".into(), 0),
            ("start extracting".into(), report.bytes),
            ("advanced".into(), report.bytes),
            ("finish".into(), 0),
        ]
    );
}
