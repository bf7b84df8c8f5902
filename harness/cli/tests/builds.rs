//! Every lesson binary links the harness library, so whatever it depends on, every lesson
//! compiles. It must stay light: heavy crates belong to the lessons that use them.

use std::process::Command;

use workbook_cli::binaries::workspace_root;

/// The harness's whole dependency tree: rayon and what rayon needs.
const ALLOWED: [&str; 7] = [
    "workbook",
    "rayon",
    "rayon-core",
    "crossbeam-deque",
    "crossbeam-epoch",
    "crossbeam-utils",
    "either",
];

#[test]
fn the_harness_library_stays_light() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--quiet",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--package",
            "workbook",
            "--manifest-path",
        ])
        .arg(workspace_root().join("Cargo.toml"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8_lossy(&output.stdout);
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(crates.contains(&"rayon"), "{tree}");
    let extra: Vec<&&str> = crates
        .iter()
        .filter(|name| !ALLOWED.contains(name))
        .collect();
    assert!(
        extra.is_empty(),
        "the harness library now pulls in {extra:?}:\n{tree}"
    );
}
