//! The native pipe libraries embedded in this binary (see `build.rs`) and the choice of
//! which to bundle into an extension. The targets and the library's name are the one
//! table in [`targets`], shared with `build.rs`.

use anyhow::{bail, Result};

pub mod targets;
pub use targets::{Target, NATIVE_LIB, NATIVE_PACKAGE, TARGETS};

/// One embedded library: `bytes` is `None` when this x4pipe was built without the
/// target's toolchain, and `missing` then says how to get it.
#[derive(Debug, Clone, Copy)]
pub struct Embedded {
    pub os: &'static str,
    pub file: &'static str,
    pub bytes: Option<&'static [u8]>,
    pub missing: &'static str,
}

// `BUILT`: one `Ok(bytes)` or `Err(why missing)` per row of TARGETS, from build.rs.
include!(concat!(env!("OUT_DIR"), "/native_libs.rs"));

/// Every target of [`TARGETS`] with its embedded library, in the table's order.
pub static EMBEDDED: [Embedded; TARGETS.len()] = embedded();

const fn embedded() -> [Embedded; TARGETS.len()] {
    let none = Embedded {
        os: "",
        file: "",
        bytes: None,
        missing: "",
    };
    let mut all = [none; TARGETS.len()];
    let mut i = 0;
    while i < TARGETS.len() {
        let (bytes, missing) = match BUILT[i] {
            Ok(bytes) => (Some(bytes), ""),
            Err(why) => (None, why),
        };
        all[i] = Embedded {
            os: TARGETS[i].os,
            file: TARGETS[i].file,
            bytes,
            missing,
        };
        i += 1;
    }
    all
}

/// Which libraries `x4pipe build --target` bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum NativeTarget {
    /// Every library this x4pipe carries; a warning names any it lacks.
    #[default]
    Auto,
    Linux,
    Windows,
    /// Linux and Windows, or fail.
    All,
}

/// A library to bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Library {
    /// `linux` or `windows`, as in `--target`.
    pub os: &'static str,
    pub file: &'static str,
    pub bytes: &'static [u8],
}

/// The libraries to bundle, plus warnings for the user.
pub fn select(target: NativeTarget) -> Result<(Vec<Library>, Vec<String>)> {
    select_from(&EMBEDDED, target)
}

fn select_from(embedded: &[Embedded], target: NativeTarget) -> Result<(Vec<Library>, Vec<String>)> {
    let wanted: Vec<&Embedded> = embedded
        .iter()
        .filter(|e| match target {
            NativeTarget::Auto | NativeTarget::All => true,
            NativeTarget::Linux => e.os == "linux",
            NativeTarget::Windows => e.os == "windows",
        })
        .collect();
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for e in wanted {
        match e.bytes {
            Some(bytes) => files.push(Library {
                os: e.os,
                file: e.file,
                bytes,
            }),
            None if target == NativeTarget::Auto => warnings.push(format!(
                "the {} native library ({}) is not bundled: {}",
                e.os, e.file, e.missing
            )),
            None => bail!(
                "this x4pipe carries no {} native library ({}): {}",
                e.os,
                e.file,
                e.missing
            ),
        }
    }
    Ok((files, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WITHOUT_WINDOWS: &[Embedded] = &[
        Embedded { os: "linux", file: "libx4pipe_native.so", bytes: Some(b"\x7fELF"), missing: "" },
        Embedded {
            os: "windows",
            file: "x4pipe_native.dll",
            bytes: None,
            missing: "the Rust target x86_64-pc-windows-gnu is not installed (rustup target add x86_64-pc-windows-gnu), then rebuild x4pipe",
        },
    ];

    #[test]
    fn one_name_for_the_native_library() {
        // The package builds the crate `x4pipe_native` (Cargo's default lib name:
        // the package name with `_`), whose files the table names.
        assert_eq!(NATIVE_PACKAGE.replace('-', "_"), NATIVE_LIB);
        let manifest = include_str!("../crates/native/Cargo.toml");
        assert!(manifest.contains(&format!("name = \"{NATIVE_PACKAGE}\"")));
        assert!(manifest.contains(&format!("name = \"{NATIVE_LIB}\"")));
        let files: Vec<&str> = TARGETS.iter().map(|t| t.file).collect();
        assert_eq!(files, ["libx4pipe_native.so", "x4pipe_native.dll"]);
        for (t, e) in TARGETS.iter().zip(&EMBEDDED) {
            assert_eq!((t.os, t.file), (e.os, e.file));
            assert_eq!(targets::for_os(t.os).map(|x| x.file), Some(t.file));
        }
        assert!(targets::for_os("macos").is_none());
    }

    #[test]
    fn auto_bundles_what_there_is_and_warns_how_to_get_the_rest() {
        let (libs, warnings) = select_from(WITHOUT_WINDOWS, NativeTarget::Auto).unwrap();
        assert_eq!(
            libs,
            [Library {
                os: "linux",
                file: "libx4pipe_native.so",
                bytes: b"\x7fELF"
            }]
        );
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("rustup target add x86_64-pc-windows-gnu"),
            "{warnings:?}"
        );
    }

    #[test]
    fn strict_targets_fail_with_the_way_to_get_the_toolchain() {
        for t in [NativeTarget::All, NativeTarget::Windows] {
            let err = select_from(WITHOUT_WINDOWS, t).unwrap_err().to_string();
            assert!(err.contains("no windows native library"), "{err}");
            assert!(
                err.contains("rustup target add x86_64-pc-windows-gnu"),
                "{err}"
            );
        }
        let (libs, warnings) = select_from(WITHOUT_WINDOWS, NativeTarget::Linux).unwrap();
        assert_eq!(libs.len(), 1);
        assert!(warnings.is_empty());
    }
}
