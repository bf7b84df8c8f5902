//! Cheap builds: building one lesson compiles only what that lesson uses.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use workbook::LESSONS;
use workbook_cli::binaries::workspace_root;

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()));
    command.arg("--quiet").current_dir(workspace_root());
    command
}

/// The packages in a dependency tree, from `cargo tree`.
fn tree(package: &str, edges: &str) -> BTreeSet<String> {
    let output = cargo()
        .args([
            "tree",
            "--edges",
            edges,
            "--prefix",
            "none",
            "--package",
            package,
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Every lesson binary links the harness library, so whatever it depends on, every lesson
/// compiles: it must stay rayon and what rayon needs.
#[test]
fn the_harness_library_stays_light() {
    let allowed = [
        "workbook",
        "rayon",
        "rayon-core",
        "crossbeam-deque",
        "crossbeam-epoch",
        "crossbeam-utils",
        "either",
    ];
    let crates = tree("workbook", "normal");
    assert!(crates.contains("rayon"), "{crates:?}");
    let extra: Vec<&String> = crates
        .iter()
        .filter(|name| !allowed.contains(&name.as_str()))
        .collect();
    assert!(
        extra.is_empty(),
        "the harness library now pulls in {extra:?}"
    );
}

/// Crates that do leak, because polars turns on features of crates it shares with the other
/// lessons, and cargo unifies features across the workspace (each builds in seconds):
/// - libm: argminmax turns on num-traits' default features (num-traits: ndarray, num-complex);
/// - allocator-api2: hashbrown's feature (hashbrown: serde_json's indexmap);
/// - bytemuck_derive and the proc-macro crates under it: bytemuck's `derive` feature
///   (bytemuck: image); serde_core: serde's derive support.
///
/// The test still fails if polars, HDF5 or anything else outside this list leaks.
const KNOWN_LEAKS: [&str; 8] = [
    "libm",
    "allocator-api2",
    "bytemuck_derive",
    "proc-macro2",
    "quote",
    "syn",
    "unicode-ident",
    "serde_core",
];

/// `cargo run --bin <lesson>` resolves features across the whole workspace, so a shared crate
/// with a feature one lesson turns on would be built with it for every lesson. What cargo
/// actually compiles for each lesson binary must stay within that binary's own package's
/// dependency tree.
#[test]
fn building_a_lesson_compiles_only_its_own_dependencies() {
    for lesson in LESSONS {
        for binary in [lesson.exercise_binary(), lesson.solution_binary()] {
            let output = cargo()
                .args([
                    "build",
                    "--profile",
                    common::profile(),
                    "--message-format=json",
                    "--bin",
                    &binary,
                ])
                .output()
                .expect("cargo build runs");
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let compiled: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
                .lines()
                .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
                .filter(|message| {
                    message["reason"] == "compiler-artifact"
                        || message["reason"] == "build-script-executed"
                })
                .filter_map(|message| package_name(message["package_id"].as_str()?))
                .collect();
            // The binary's package has the same name as the binary.
            let own = tree(&binary, "normal,build");
            let extra: Vec<&String> = compiled
                .iter()
                .filter(|name| !own.contains(*name) && !KNOWN_LEAKS.contains(&name.as_str()))
                .collect();
            assert!(
                extra.is_empty(),
                "building {binary} also compiles {extra:?}"
            );
        }
    }
}

/// The package name in a package id: "registry+https://...#name@1.2.3", or, when the name is
/// the folder's, "path+file:///.../name#0.1.0".
fn package_name(id: &str) -> Option<String> {
    let (url, fragment) = id.rsplit_once('#')?;
    match fragment.split_once('@') {
        Some((name, _version)) => Some(name.to_string()),
        None => url.rsplit('/').next().map(str::to_string),
    }
}

#[test]
fn package_ids_name_their_package() {
    let name = |id: &str| package_name(id).unwrap_or_default();
    assert_eq!(
        name("registry+https://github.com/rust-lang/crates.io-index#rayon@1.12.0"),
        "rayon"
    );
    assert_eq!(
        name("path+file:///work/main/exercises/arrays#0.1.0"),
        "arrays"
    );
    assert_eq!(
        name("path+file:///work/main/solutions/arrays#arrays-solution@0.1.0"),
        "arrays-solution"
    );
}
