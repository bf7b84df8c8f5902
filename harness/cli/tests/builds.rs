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
    tree_with(&["--package", package], edges)
}

/// The packages in the dependency tree `selection` picks (packages and features).
fn tree_with(selection: &[&str], edges: &str) -> BTreeSet<String> {
    let output = cargo()
        .args(["tree", "--edges", edges, "--prefix", "none"])
        .args(selection)
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
            compiles_only_its_own_dependencies(&binary, &[]);
        }
    }
}

/// The same with the lesson features that bring in a system library: CI installs them.
#[test]
#[ignore = "needs the HDF5 C library (libhdf5-dev): .ci/run installs it and runs this with --ignored"]
fn building_a_lesson_with_its_system_library_compiles_only_its_own_dependencies() {
    for binary in ["swmr", "swmr-solution"] {
        compiles_only_its_own_dependencies(binary, &["--features", "hdf5-c"]);
    }
}

/// The Ranks lesson with MPI: rsmpi and its bindings, and nothing of another lesson.
#[test]
#[ignore = "needs MPI (openmpi-bin, libopenmpi-dev, libclang-dev): .ci/run installs it and runs this with --ignored"]
fn building_the_ranks_lesson_with_mpi_compiles_only_its_own_dependencies() {
    for binary in ["ranks", "ranks-solution"] {
        compiles_only_its_own_dependencies(binary, &["--features", "mpi"]);
    }
}

fn compiles_only_its_own_dependencies(binary: &str, features: &[&str]) {
    let mut command = cargo();
    command
        .args([
            "build",
            "--profile",
            common::profile(),
            "--message-format=json",
            "--bin",
            binary,
        ])
        .args(features);
    if !features.is_empty() {
        // Built with a feature, a binary goes to a target folder of its own: in the usual
        // one it would replace, under other tests' feet, the build without the feature.
        command
            .arg("--target-dir")
            .arg(common::target_dir().join("features"));
    }
    let output = command.output().expect("cargo build runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let compiled: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact" || message["reason"] == "build-script-executed"
        })
        .filter_map(|message| package_name(message["package_id"].as_str()?))
        .collect();
    // The binary's package has the same name as the binary.
    let own = tree_with(
        &[&["--package", binary][..], features].concat(),
        "normal,build",
    );
    let extra: Vec<&String> = compiled
        .iter()
        .filter(|name| !own.contains(*name) && !KNOWN_LEAKS.contains(&name.as_str()))
        .collect();
    assert!(
        extra.is_empty(),
        "building {binary} {features:?} also compiles {extra:?}"
    );
}

/// Crates that link a library the system must provide.
const SYSTEM_LIBRARY_CRATES: [&str; 4] = ["hdf5-metno-sys", "hdf5-sys", "mpi-sys", "openssl-sys"];

/// The README's two commands must work where there is nothing but Rust: without features,
/// no package in the workspace depends on a system library.
#[test]
fn without_features_nothing_needs_a_system_library() {
    let crates = tree_with(&["--workspace"], "normal,build,dev");
    let system: Vec<&&str> = SYSTEM_LIBRARY_CRATES
        .iter()
        .filter(|name| crates.contains(**name))
        .collect();
    assert!(
        system.is_empty(),
        "the default build needs system libraries through {system:?}"
    );
    // And the feature that does bring one in is seen by this check.
    let with_c = tree_with(
        &["--package", "swmr-kit", "--features", "hdf5-c"],
        "normal,build",
    );
    assert!(with_c.contains("hdf5-metno-sys"), "{with_c:?}");
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

/// The workspace's packages (name, folder relative to the workspace, binaries), from
/// `cargo metadata`.
fn packages() -> Vec<(String, String, Vec<String>)> {
    let output = cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let root = workspace_root();
    let packages = metadata["packages"].as_array().expect("packages");
    packages
        .iter()
        .map(|package| {
            let manifest = std::path::Path::new(package["manifest_path"].as_str().expect("path"));
            let folder = manifest.parent().expect("a folder").strip_prefix(&root);
            let folder = folder
                .expect("inside the workspace")
                .to_string_lossy()
                .to_string();
            let targets = package["targets"].as_array().expect("targets");
            let binaries = targets
                .iter()
                .filter(|t| {
                    t["kind"]
                        .as_array()
                        .is_some_and(|k| k.iter().any(|k| k == "bin"))
                })
                .filter_map(|t| t["name"].as_str().map(str::to_string))
                .collect();
            let name = package["name"].as_str().expect("a name").to_string();
            (name, folder, binaries)
        })
        .collect()
}

/// Adding a lesson touches its registry entry and its own folders: the workspace finds the
/// packages by their folders, and this test holds folders and registry to each other.
#[test]
fn every_lesson_package_has_a_registry_entry_and_every_entry_its_packages() {
    let packages = packages();
    for (side, binary) in [("exercises", ""), ("solutions", "-solution")] {
        let lessons_here: BTreeSet<String> = packages
            .iter()
            .filter_map(|(_, folder, _)| folder.strip_prefix(&format!("{side}/")))
            .map(str::to_string)
            .collect();
        for lesson in &lessons_here {
            assert!(
                workbook::lesson(lesson).is_some(),
                "{side}/{lesson} has no entry in harness/src/registry.rs"
            );
        }
        for lesson in LESSONS {
            let folder = format!("{side}/{}", lesson.name);
            let package = packages.iter().find(|(_, f, _)| *f == folder);
            let Some((name, _, binaries)) = package else {
                panic!("lesson {} has no package in {folder}", lesson.name);
            };
            let expected = format!("{}{binary}", lesson.name);
            assert_eq!(name, &expected, "the package in {folder}");
            assert!(
                binaries.contains(&expected),
                "{folder} builds no binary {expected}"
            );
        }
    }
    // Every folder under exercises/ and solutions/ is a package the workspace has.
    for side in ["exercises", "solutions"] {
        for entry in std::fs::read_dir(workspace_root().join(side))
            .expect("a folder")
            .flatten()
        {
            let folder = format!("{side}/{}", entry.file_name().to_string_lossy());
            assert!(
                packages.iter().any(|(_, f, _)| *f == folder),
                "{folder} is not a package of the workspace"
            );
        }
    }
}
