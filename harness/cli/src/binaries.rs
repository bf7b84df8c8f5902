//! Finding the lesson binaries: building them with cargo first, unless told not to.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use workbook::Lesson;

use crate::failure::{Failure, Outcome};

/// How to get the binaries: the cargo profile, and whether to build them first.
#[derive(Debug, Clone, clap::Args)]
pub struct BuildOptions {
    /// Use the binaries already built; do not run cargo.
    #[arg(long)]
    pub no_build: bool,
    /// Use the binaries in this folder; do not run cargo (e.g. on a compute node).
    #[arg(long, value_name = "DIR", conflicts_with = "no_build")]
    pub bin_dir: Option<PathBuf>,
    /// Cargo profile to build and run: release for timings that mean something, dev for
    /// a quick functional check.
    #[arg(long, default_value = "release", value_name = "NAME")]
    pub profile: String,
}

/// The repository's root, where the workspace's Cargo.toml is.
pub fn workspace_root() -> PathBuf {
    let cli_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = cli_dir.join("../..");
    root.canonicalize().unwrap_or(root)
}

/// Paths to the named binaries, built first unless `--no-build`, with the cargo
/// `features` ("package/feature") that the variants to run need.
pub fn locate(
    names: &[String],
    features: &[String],
    options: &BuildOptions,
) -> Outcome<HashMap<String, PathBuf>> {
    if let Some(dir) = &options.bin_dir {
        find_in(names, dir, "drop --bin-dir to build it")
    } else if options.no_build {
        find_in(
            names,
            &profile_dir(&options.profile),
            "drop --no-build to build it",
        )
    } else {
        build(names, features, &options.profile)
    }
}

/// Runs `cargo build` for just these binaries (cargo's own progress goes to the terminal)
/// and takes their paths from cargo's JSON messages.
fn build(
    names: &[String],
    features: &[String],
    profile: &str,
) -> Outcome<HashMap<String, PathBuf>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest = workspace_root().join("Cargo.toml");
    let mut command = Command::new(&cargo);
    command
        .args([
            "build",
            "--profile",
            profile,
            "--message-format=json-render-diagnostics",
        ])
        .arg("--manifest-path")
        .arg(&manifest);
    for name in names {
        command.args(["--bin", name]);
    }
    if !features.is_empty() {
        let slow = match features.iter().any(|f| f.ends_with("/polars")) {
            true => " (a long build the first time: polars takes 10-19 minutes)",
            false => "",
        };
        eprintln!(
            "note: building with --features {}{slow}",
            features.join(",")
        );
        command.args(["--features", &features.join(",")]);
    }
    command.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut running = crate::children::spawn(&mut command)
        .map_err(|e| Failure::failed(format!("cannot run {cargo}: {e}")))?;

    let mut found = HashMap::new();
    let stdout = running.child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| Failure::failed(format!("reading cargo's output: {e}")))?;
        if let Some((name, path)) = executable_in(&line)
            && names.contains(&name)
        {
            found.insert(name, path);
        }
    }
    let status = running
        .wait()
        .map_err(|e| Failure::failed(format!("waiting for cargo: {e}")))?;
    if !status.success() {
        // rsmpi's build fails without an MPI library or libclang: say where to look.
        let hint = match features.iter().any(|f| f.ends_with("/mpi")) {
            true => "; with MPI, `workbook doctor --with mpi` says what is missing",
            false => "",
        };
        return Err(Failure::failed(format!(
            "cargo build --profile {profile} failed (its messages are above){hint}"
        )));
    }
    match names.iter().find(|name| !found.contains_key(*name)) {
        Some(missing) => Err(Failure::failed(format!(
            "cargo built no binary named {missing}"
        ))),
        None => Ok(found),
    }
}

/// The binary a `compiler-artifact` message of cargo announces, if any.
fn executable_in(message: &str) -> Option<(String, PathBuf)> {
    let message: serde_json::Value = serde_json::from_str(message).ok()?;
    if message["reason"] != "compiler-artifact" {
        return None;
    }
    let path = message["executable"].as_str()?;
    let name = message["target"]["name"].as_str()?;
    Some((name.to_string(), PathBuf::from(path)))
}

/// The `workbook` command and the binaries of `lessons`, located (and built) in the groups
/// every command builds them in: cargo picks dependency features per group, and the same
/// groups mean no rebuild of polars later.
pub fn locate_lessons(
    lessons: &[&'static Lesson],
    features: &[String],
    options: &BuildOptions,
) -> Outcome<HashMap<String, PathBuf>> {
    let mut found = locate(&["workbook".to_string()], &[], options)?;
    for lesson in lessons {
        let names = [lesson.exercise_binary(), lesson.solution_binary()];
        found.extend(locate(&names, features, options)?);
    }
    Ok(found)
}

/// Where `program` is on PATH, if it is.
pub fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Where cargo puts a profile's binaries.
pub fn profile_dir(profile: &str) -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("target"),
    };
    let dir = match profile {
        "dev" | "test" => "debug",
        "bench" => "release",
        other => other,
    };
    target.join(dir)
}

fn find_in(names: &[String], dir: &Path, advice: &str) -> Outcome<HashMap<String, PathBuf>> {
    let mut found = HashMap::new();
    for name in names {
        let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        if !path.is_file() {
            return Err(Failure::failed(format!(
                "{} is not built: build it with `cargo build --release --bin {name}`, or {advice}",
                path.display()
            )));
        }
        found.insert(name.clone(), path);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_executables_from_cargo_messages() {
        let artifact = r#"{"reason":"compiler-artifact","target":{"name":"pi","kind":["bin"]},"executable":"/t/release/pi"}"#;
        assert_eq!(
            executable_in(artifact),
            Some(("pi".to_string(), PathBuf::from("/t/release/pi")))
        );
        let library =
            r#"{"reason":"compiler-artifact","target":{"name":"rayon"},"executable":null}"#;
        assert_eq!(executable_in(library), None);
        assert_eq!(
            executable_in(r#"{"reason":"build-finished","success":true}"#),
            None
        );
        assert_eq!(executable_in("not json"), None);
    }
}
