//! The native pipe library's one name and the targets x4pipe bundles it for: the one
//! table that `build.rs` builds and embeds (it compiles this file on its own, with
//! `#[path]`, so it uses nothing but `core`) and that the code and templates read.

/// The library's base name, written once: the crate `x4pipe_native`
/// (`crates/native`, package `x4pipe-native`), the files `libx4pipe_native.so` and
/// `x4pipe_native.dll`, and the `names.native_lib` the Lua client loads.
macro_rules! native_lib {
    () => {
        "x4pipe_native"
    };
}

/// Base name of the native library (see [`native_lib!`]).
pub const NATIVE_LIB: &str = native_lib!();

/// The Cargo package that builds it (`crates/native`).
pub const NATIVE_PACKAGE: &str = "x4pipe-native";

/// One OS the library is built and bundled for.
#[derive(Debug)]
pub struct Target {
    /// Name in `x4pipe build --target`.
    pub os: &'static str,
    /// The Rust target it is built for.
    pub triple: &'static str,
    /// The file Cargo produces, and the name it is bundled under.
    pub file: &'static str,
    /// Extra requirement besides the Rust target: (program, how to get it).
    pub linker: Option<(&'static str, &'static str)>,
}

/// Every target, in the order they are embedded and reported.
pub const TARGETS: &[Target] = &[
    Target {
        os: "linux",
        triple: "x86_64-unknown-linux-gnu",
        file: concat!("lib", native_lib!(), ".so"),
        linker: None,
    },
    Target {
        os: "windows",
        triple: "x86_64-pc-windows-gnu",
        file: concat!(native_lib!(), ".dll"),
        linker: Some((
            "x86_64-w64-mingw32-gcc",
            "install MinGW-w64 (Debian/Ubuntu: apt-get install gcc-mingw-w64-x86-64)",
        )),
    },
];

/// The row of `os` (`linux`, `windows`: `std::env::consts::OS`), if x4pipe bundles
/// the library for it. `const` so callers can name this OS's file in a constant.
pub const fn for_os(os: &str) -> Option<&'static Target> {
    let mut i = 0;
    while i < TARGETS.len() {
        let (a, b) = (TARGETS[i].os.as_bytes(), os.as_bytes());
        let mut same = a.len() == b.len();
        let mut j = 0;
        while same && j < a.len() {
            same = a[j] == b[j];
            j += 1;
        }
        if same {
            return Some(&TARGETS[i]);
        }
        i += 1;
    }
    None
}
