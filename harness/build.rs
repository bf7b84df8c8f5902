//! Records how the harness was built (compiler, profile, commit) so that every run record
//! can say which code and which build produced its timings.

use std::path::Path;
use std::process::Command;

fn main() {
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| "unknown".to_string());
    let rustc = command_output(&env("RUSTC"), &["--version"], None);
    println!(
        "cargo:rustc-env=WORKBOOK_RUSTC={}",
        rustc.as_deref().unwrap_or("unknown")
    );
    println!("cargo:rustc-env=WORKBOOK_PROFILE={}", env("PROFILE"));
    println!("cargo:rustc-env=WORKBOOK_OPT_LEVEL={}", env("OPT_LEVEL"));
    println!("cargo:rustc-env=WORKBOOK_TARGET={}", env("TARGET"));

    let manifest_dir = env("CARGO_MANIFEST_DIR");
    let here = Some(Path::new(&manifest_dir));
    let commit = command_output("git", &["rev-parse", "HEAD"], here);
    println!(
        "cargo:rustc-env=WORKBOOK_GIT_COMMIT={}",
        commit.as_deref().unwrap_or("unknown")
    );

    // Rebuild when a commit is made or checked out, not on every file change.
    println!("cargo:rerun-if-changed=build.rs");
    if let Some(git_dir) = command_output("git", &["rev-parse", "--absolute-git-dir"], here) {
        for watched in ["HEAD", "refs/heads", "packed-refs"] {
            let path = Path::new(&git_dir).join(watched);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
}

fn command_output(program: &str, args: &[&str], dir: Option<&Path>) -> Option<String> {
    let mut command = Command::new(program);
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command.output().ok().filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (!text.is_empty()).then_some(text)
}
