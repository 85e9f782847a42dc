//! x4pipe-files: how every x4pipe command reads input files and writes output files.
//!
//! x4pipe reads files it did not write: extensions and catalogs from other people,
//! folders that may hold a named pipe, a device or a link to `/etc/shadow`. These
//! rules keep such input from hanging a command, exhausting memory or reaching
//! files outside what the user pointed at, and keep output whole or absent:
//!
//! * [`input`]: regular files only (a FIFO, socket or device is refused by name and
//!   never opened in a way that blocks); symbolic links are followed only when the
//!   user named the path; links found inside folders are refused; whole-file reads
//!   are capped before reading.
//! * [`atomic`]: every output is written aside (a temporary file or folder beside
//!   its destination) and renamed into place, so nothing is ever half-written; pairs
//!   of outputs (`.cat` + `.dat`) land together or not at all; writing never goes
//!   through a symbolic link inside the target folder.
//! * [`temps`]: the temporary files of a run, removed on error, on drop and (through
//!   the binary's Ctrl-C handler) on SIGINT/SIGTERM; their names are recognisable so
//!   a later run never packs a killed run's leftovers.
//! * [`terminal`]: text from files made safe to print on a terminal.

pub mod atomic;
pub mod input;
pub mod temps;
pub mod terminal;

pub use atomic::{AtomicFile, StagingDir, WriteError};
pub use input::{InputError, Origin, MAX_READ_BYTES};
