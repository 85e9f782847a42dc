//! One error type for the library, so every message names the file (and, for
//! catalog lines, the line number) a user has to look at.

use std::path::{Path, PathBuf};

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An output file must carry its kind's extension (any case), so that it can never be
/// named like one of the command's inputs or its other outputs; `reason` says why.
pub(crate) fn require_extension(path: &Path, ext: &str, reason: &str) -> Result<()> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
    {
        return Ok(());
    }
    Err(Error::Output {
        path: path.to_path_buf(),
        reason: reason.into(),
    })
}

/// Everything that can go wrong reading or writing catalogs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An operating-system error on a named file. Like every error of this crate,
    /// the message leaves its source out: the binary prints the chain.
    #[error("cannot access {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A `.cat` line that does not have the `<path> <size> <mtime> <md5>` shape.
    #[error("{}:{line}: {message}", cat.display())]
    Parse {
        cat: PathBuf,
        line: usize,
        message: String,
    },

    /// A catalog entry whose path would land outside the extraction folder
    /// (or could not be written portably).
    #[error("{}:{line}: refusing entry {path:?}: {reason}", cat.display())]
    UnsafePath {
        cat: PathBuf,
        line: usize,
        path: String,
        reason: String,
    },

    /// An entry that claims bytes past the end of the `.dat`.
    #[error(
        "{}:{line}: entry {path:?} needs bytes {offset}..{end} but {} has only {dat_len} bytes",
        cat.display(),
        dat.display()
    )]
    PastEnd {
        cat: PathBuf,
        dat: PathBuf,
        line: usize,
        path: String,
        offset: u64,
        end: u64,
        dat_len: u64,
    },

    /// The bytes of an entry do not hash to the md5 in the `.cat`.
    #[error("{}:{line}: md5 mismatch for {path:?}: catalog says {expected}, data is {actual}", cat.display())]
    Md5Mismatch {
        cat: PathBuf,
        line: usize,
        path: String,
        expected: String,
        actual: String,
    },

    /// A file that cannot go into a catalog (name not representable, symlink, ...).
    #[error("{}: {reason}", path.display())]
    Unpackable { path: PathBuf, reason: String },

    /// The extraction target cannot take an entry (a file where a folder must
    /// go, a symbolic link on the way, ...).
    #[error("{}: {reason}", path.display())]
    Target { path: PathBuf, reason: String },

    /// A file changed size while it was being packed.
    #[error("{}: size changed while packing (expected {expected} bytes, read {actual})", path.display())]
    ChangedWhilePacking {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },

    /// The game folder has no `01.cat`.
    #[error("{}: no game catalogs found (01.cat is missing)", dir.display())]
    NoGameCatalogs { dir: PathBuf },

    /// Wanted game files that none of the numbered catalogs contain.
    #[error("{} not found in the game catalogs {} (in {})", missing.join(", "), searched.join(", "), dir.display())]
    MissingGameFiles {
        dir: PathBuf,
        missing: Vec<String>,
        searched: Vec<String>,
    },

    /// An extension's content.xml that cannot be read as one.
    #[error("{}: {message}", path.display())]
    BadContent { path: PathBuf, message: String },

    /// An entry too large to read into memory (game schemas are read whole).
    #[error("{}:{line}: entry {path:?} is {size} bytes; x4pipe reads entries of at most {max} bytes into memory", cat.display())]
    EntryTooLarge {
        cat: PathBuf,
        line: usize,
        path: String,
        size: u64,
        max: u64,
    },

    /// A `.cat` line longer than any real one: refused before it is read whole.
    #[error("{}:{line}: line is longer than {max} bytes; not a catalog line", cat.display())]
    LineTooLong {
        cat: PathBuf,
        line: usize,
        max: usize,
    },

    /// An output path that cannot be used (`cat pack -o x.dat`, an output over an input).
    #[error("{}: {reason}", path.display())]
    Output { path: PathBuf, reason: String },

    /// An input file refused by x4pipe's input rule (link, FIFO, device, too large).
    #[error(transparent)]
    Input(#[from] x4pipe_files::InputError),

    /// An output that could not be written (see `x4pipe_files::atomic`).
    #[error(transparent)]
    Write(#[from] x4pipe_files::WriteError),

    /// `package`: the extension folder cannot be opened.
    #[error("{}: cannot open extension folder", dir.display())]
    OpenExtension {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// `package`: a folder that is not a built extension (no content.xml).
    #[error("{}: no content.xml; `package` needs a built extension folder (the one holding content.xml)", dir.display())]
    NotAnExtension { dir: PathBuf },

    /// `package`: an extension folder whose name cannot be an archive's top folder.
    #[error("{}: folder name is not UTF-8", dir.display())]
    FolderNameNotUtf8 { dir: PathBuf },

    /// `package`: the `.x4pipeignore` files leave out content.xml.
    #[error("{}: content.xml is ignored by {ignore_file}; the game cannot load an extension without it", dir.display())]
    ContentIgnored {
        dir: PathBuf,
        ignore_file: &'static str,
    },

    /// `package --format cat` of a tree that already holds `ext_01.cat/.dat`.
    #[error("{}: already has {file}; package the unpacked files, or use --format zip", dir.display())]
    AlreadyPacked { dir: PathBuf, file: String },

    /// The zip library failed on the archive being written; `step` says where.
    #[error("{}: {step}", archive.display())]
    Zip {
        archive: PathBuf,
        step: String,
        #[source]
        source: zip::result::ZipError,
    },

    /// Writing the archive (or copying a file into it) failed; `what` names the
    /// file(s) and the step.
    #[error("{what}")]
    Archive {
        what: String,
        #[source]
        source: std::io::Error,
    },

    /// A file changed size while it was being zipped.
    #[error("{}: size changed while packaging", path.display())]
    ChangedWhileZipping { path: PathBuf },

    /// A bad `--glob` pattern.
    #[error("bad glob {pattern:?}: {message}")]
    Glob { pattern: String, message: String },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
