//! `x4pipe package`: a reproducible release archive of a built extension.
//!
//! * The archive holds the extension folder at its top level
//!   (`<folder>/content.xml`, ...), so it unpacks straight into `extensions/`.
//! * Every entry gets one timestamp: `SOURCE_DATE_EPOCH` if set, else the
//!   content.xml `date` (00:00 UTC), else 1980-01-01 (still reproducible).
//! * Files are left out by `.x4pipeignore` files (gitignore syntax, in any
//!   folder of the tree; the ignore files themselves are never shipped), and
//!   hidden names (starting with '.') are always left out. `.gitignore` is not
//!   read: build output is often git-ignored.
//! * `--format cat` puts everything into `ext_01.cat/.dat` except the files
//!   the game or the OS must see loose: `content.xml` always, and by default
//!   native libraries (`*.dll`, `*.so`), which the OS loader reads from disk.
//! * Default output: `./<folder>_<version>.zip` (`_cat.zip` for the cat
//!   format) in the current folder, never inside the packaged tree's archive
//!   (the output file is excluded from the walk if it lies inside it).

mod content;
mod time;
mod zip;

pub use content::{parse as parse_content_xml, ContentInfo};
pub use time::{parse_date, zip_datetime};

use crate::catalog::{pack_files, SourceFile};
use crate::filter::PathFilter;
use crate::progress::{or_none, ProgressSink};
use crate::walk::{self, WalkOptions};
use crate::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Archive layout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PackageFormat {
    /// Loose files in a zip.
    #[default]
    Zip,
    /// `ext_01.cat/.dat` plus the files that must stay loose, in a zip.
    Cat,
}

/// Files kept loose in the cat format besides `content.xml` (always loose).
pub const DEFAULT_LOOSE: &[&str] = &["content.xml", "*.dll", "*.so"];

/// Name of the catalog the cat format writes (the game loads `ext_NN.cat`).
pub const EXT_CATALOG: &str = "ext_01.cat";

/// The date used when neither SOURCE_DATE_EPOCH nor content.xml gives one.
pub const FALLBACK_EPOCH: i64 = 315_532_800; // 1980-01-01T00:00:00Z

#[derive(Debug, Clone, Default)]
pub struct PackageOptions {
    pub format: PackageFormat,
    /// Output file; `None`: see [`default_output`].
    pub out: Option<PathBuf>,
    /// Timestamp for every entry; `None`: content.xml date, else 1980-01-01.
    pub source_date_epoch: Option<i64>,
    /// Extra globs of files to keep loose in the cat format (added to [`DEFAULT_LOOSE`]).
    pub loose: Vec<String>,
    /// Told how far packing and zipping are (`None`: nobody).
    pub progress: ProgressSink,
}

/// What `package` found out about the extension folder.
#[derive(Debug, Clone)]
pub struct Extension {
    pub dir: PathBuf,
    pub folder: String,
    pub content: ContentInfo,
}

/// Reads `dir/content.xml`; fails clearly when the folder is not an extension.
pub fn inspect(dir: &Path) -> Result<Extension> {
    let dir = dir.canonicalize().map_err(|source| Error::OpenExtension {
        dir: dir.to_path_buf(),
        source,
    })?;
    let content_path = dir.join("content.xml");
    if std::fs::symlink_metadata(&content_path).is_err() {
        return Err(Error::NotAnExtension { dir });
    }
    // x4pipe's input rule: a regular file (no link, pipe or device), size capped.
    let text = x4pipe_files::input::read_text(
        &content_path,
        x4pipe_files::Origin::Found,
        x4pipe_files::MAX_READ_BYTES,
    )?;
    let content = content::parse(&text).map_err(|message| Error::BadContent {
        path: content_path.clone(),
        message,
    })?;
    let Some(folder) = dir.file_name().and_then(|n| n.to_str()) else {
        return Err(Error::FolderNameNotUtf8 { dir });
    };
    let folder = folder.to_string();
    Ok(Extension {
        dir,
        folder,
        content,
    })
}

/// `./<folder>_<version>.zip`, or `./<folder>_<version>_cat.zip` for the cat
/// format (`<folder>.zip` if content.xml has no version).
///
/// The version comes from the extension's own file, so it must not choose where
/// the archive goes: a version other than a plain one (ASCII letters, digits, `.`,
/// `-`, `_`, at most 64, not starting with `.`) is refused; pass `--out` then.
pub fn default_output(ext: &Extension, format: PackageFormat) -> Result<PathBuf> {
    let mut name = ext.folder.clone();
    if let Some(v) = ext.content.version.as_deref().filter(|v| !v.is_empty()) {
        let plain = v.len() <= 64
            && !v.starts_with('.')
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if !plain {
            return Err(Error::Unpackable {
                path: ext.dir.join("content.xml"),
                reason: format!(
                    "the version {:?} cannot be part of the archive's file name (ASCII letters, digits, '.', '-', '_' only); pass --out FILE",
                    x4pipe_files::terminal::escape(v)
                ),
            });
        }
        name.push('_');
        name.push_str(v);
    }
    if format == PackageFormat::Cat {
        name.push_str("_cat");
    }
    name.push_str(".zip");
    Ok(PathBuf::from(name))
}

/// The archive must be named `*.zip`: an output named like a file of the tree
/// (`-o my_mod/md/a.xml`) would replace that file with the archive.
fn check_zip_name(out: &Path) -> Result<()> {
    crate::error::require_extension(out, "zip", "the archive to write must end in .zip")
}

/// The entry timestamp: SOURCE_DATE_EPOCH, else content.xml's date, else 1980.
pub fn package_epoch(source_date_epoch: Option<i64>, content: &ContentInfo) -> i64 {
    source_date_epoch
        .or_else(|| content.date.as_deref().and_then(parse_date))
        .unwrap_or(FALLBACK_EPOCH)
}

/// Builds the release archive of the extension in `dir`; returns its path.
pub fn package(dir: &Path, opts: &PackageOptions) -> Result<PathBuf> {
    let ext = inspect(dir)?;
    let out = opts
        .out
        .clone()
        .map_or_else(|| default_output(&ext, opts.format), Ok)?;
    check_zip_name(&out)?;
    let epoch = package_epoch(opts.source_date_epoch, &ext.content);

    let walk_opts = WalkOptions {
        ignore_file: true,
        skip_hidden: true,
        exclude: vec![out.clone()],
    };
    let files = walk::files(&ext.dir, &PathFilter::default(), &walk_opts)?;
    if !files.iter().any(|f| f.path == "content.xml") {
        return Err(Error::ContentIgnored {
            dir: ext.dir,
            ignore_file: walk::IGNORE_FILE,
        });
    }

    let prefix = format!("{}/", ext.folder);
    let mut entries: BTreeMap<String, PathBuf> = BTreeMap::new();
    // Holds ext_01.cat/.dat until the zip is written; deleted on drop.
    let mut _staging = None;
    match opts.format {
        PackageFormat::Zip => {
            for f in files {
                entries.insert(format!("{prefix}{}", f.path), f.source);
            }
        }
        PackageFormat::Cat => {
            let mut loose: Vec<String> = DEFAULT_LOOSE.iter().map(|s| s.to_string()).collect();
            loose.extend(opts.loose.iter().cloned());
            let loose = PathFilter::new(&loose)?;
            if let Some(f) = files
                .iter()
                .find(|f| f.path == EXT_CATALOG || f.path == "ext_01.dat")
            {
                return Err(Error::AlreadyPacked {
                    dir: ext.dir,
                    file: f.path.clone(),
                });
            }
            let (keep, packed): (Vec<SourceFile>, Vec<SourceFile>) = files
                .into_iter()
                .partition(|f| f.path == "content.xml" || loose.matches(&f.path));
            for f in keep {
                entries.insert(format!("{prefix}{}", f.path), f.source);
            }
            if !packed.is_empty() {
                let staging = x4pipe_files::StagingDir::beside(&out, "package")?;
                let cat = staging.path().join(EXT_CATALOG);
                pack_files(&packed, &cat, Some(epoch), or_none(&opts.progress))?;
                entries.insert(format!("{prefix}{EXT_CATALOG}"), cat.clone());
                entries.insert(format!("{prefix}ext_01.dat"), cat.with_extension("dat"));
                _staging = Some(staging);
            }
        }
    }
    zip::write(&entries, &out, zip_datetime(epoch), or_none(&opts.progress))?;
    Ok(out)
}
