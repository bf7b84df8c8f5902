//! `workbook doctor`: is this machine ready for the workshop? It checks what every lesson
//! needs (Rust, a release build that runs, CPUs) and what some extras need (HDF5's C
//! library, polars' C compiler and disk space, sbatch), and for each thing missing prints
//! the command that installs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use workbook::machine::{Machine, available_cpus};
use workbook::registry::PI;

use crate::binaries::{BuildOptions, on_path, profile_dir};
use crate::failure::{Failure, Outcome, fail_on_disagreement};
use crate::options::RunOptions;
use crate::output::say;
use crate::rows::{disagreements, merge};
use crate::runner::LessonRunner;
use crate::sayln;
use crate::table::Table;

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Extras to require as well, comma-separated: hdf5-c (the SWMR lesson on HDF5's C
    /// library), polars (the Dataframes polars variant), mpi (the Ranks lesson on MPI
    /// ranks), slurm (batch jobs), or all
    #[arg(long, value_delimiter = ',', value_name = "EXTRAS")]
    pub with: Vec<String>,
    #[command(flatten)]
    pub build: BuildOptions,
}

/// The oldest Rust the lessons build with (rust-hdf5, in the SWMR lesson, needs 1.89), and
/// the oldest polars builds with (through sysinfo 0.39).
const OLDEST_RUST: (u32, u32) = (1, 89);
const OLDEST_RUST_FOR_POLARS: (u32, u32) = (1, 95);
/// What a polars build takes in target/, with room to spare (4.1 GB measured in debug).
const POLARS_DISK_BYTES: u64 = 5 << 30;

/// The extras, each with what it is for.
const EXTRAS: [(&str, &str); 4] = [
    (
        "hdf5-c",
        "the SWMR lesson on HDF5's C library (--features hdf5-c)",
    ),
    (
        "polars",
        "the Dataframes lesson's polars variant (--features polars)",
    ),
    ("mpi", "the Ranks lesson on MPI ranks (--features mpi)"),
    ("slurm", "batch jobs on compute nodes (workbook slurm)"),
];

/// One thing checked: what it is, what needs it, and what was found or what is missing.
struct Finding {
    what: &'static str,
    /// "" for every lesson, else the extra that needs it.
    extra: &'static str,
    result: Result<String, Missing>,
}

/// What is missing, and the command that installs it.
struct Missing {
    problem: String,
    install: String,
}

pub fn doctor(args: &DoctorArgs) -> Outcome<()> {
    let wanted = wanted_extras(&args.with)?;
    let system = System::detect();
    let findings: Vec<Finding> = [
        ("Rust", "", rust(OLDEST_RUST)),
        ("release build", "", builds_and_runs(&args.build)),
        ("CPUs", "", Ok(cpus())),
        ("HDF5 C library", "hdf5-c", hdf5(&system)),
        ("Rust", "polars", rust(OLDEST_RUST_FOR_POLARS)),
        ("C compiler", "polars", c_compiler(&system)),
        ("disk space", "polars", disk(&args.build)),
        ("MPI", "mpi", mpi(&system)),
        ("libclang", "mpi", libclang(&system)),
        ("sbatch", "slurm", sbatch(&system)),
    ]
    .into_iter()
    .map(|(what, extra, result)| Finding {
        what,
        extra,
        result,
    })
    .collect();
    sayln!("Checking this machine for the workbook\n");
    let mut table = Table::new(&["", "what", "for", "found"]);
    for finding in &findings {
        let needed_for = match finding.extra {
            "" => "every lesson".to_string(),
            extra => format!("{extra} (optional)"),
        };
        let (verdict, found) = match &finding.result {
            Ok(found) => ("ok", found.clone()),
            Err(missing) => (
                "MISSING",
                format!("{}: {}", missing.problem, missing.install),
            ),
        };
        table.row(vec![verdict.into(), finding.what.into(), needed_for, found]);
    }
    say(&table.render());

    let broken = |extra: &str| {
        findings
            .iter()
            .any(|f| f.extra == extra && f.result.is_err())
    };
    if broken("") {
        // What every lesson needs comes first: one line for each thing missing.
        let failed = findings
            .iter()
            .filter(|f| f.extra.is_empty() && f.result.is_err());
        return Err(failures(failed));
    }
    let names: Vec<&str> = workbook::LESSONS.iter().map(|l| l.name).collect();
    sayln!("\nReady for every lesson: {}.", names.join(", "));
    let ready: Vec<&str> = EXTRAS
        .iter()
        .filter(|(e, _)| !broken(e))
        .map(|(_, f)| *f)
        .collect();
    if !ready.is_empty() {
        sayln!("Ready for {}.", ready.join("; "));
    }
    let failed = findings
        .iter()
        .filter(|f| wanted.contains(&f.extra) && f.result.is_err());
    let failed: Vec<&Finding> = failed.collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failures(failed.into_iter()))
    }
}

/// One line for the error: each missing thing with its install command.
fn failures<'a>(failed: impl Iterator<Item = &'a Finding>) -> Failure {
    let lines: Vec<String> = failed
        .map(|f| match &f.result {
            Err(missing) => format!(
                "{}: {} (install: {})",
                f.what, missing.problem, missing.install
            ),
            Ok(_) => String::new(),
        })
        .collect();
    Failure::failed(format!("not ready: {}", lines.join("; ")))
}

/// The extras `--with` asks for.
fn wanted_extras(with: &[String]) -> Outcome<Vec<&'static str>> {
    let mut wanted = Vec::new();
    for name in with {
        match EXTRAS.iter().find(|(extra, _)| extra == name) {
            Some((extra, _)) => wanted.push(*extra),
            None if name == "all" => wanted.extend(EXTRAS.iter().map(|(extra, _)| *extra)),
            None => {
                let names: Vec<&str> = EXTRAS.iter().map(|(extra, _)| *extra).collect();
                return Err(Failure::usage(format!(
                    "--with: no extra named '{name}' (extras: {}, or all)",
                    names.join(", ")
                )));
            }
        }
    }
    Ok(wanted)
}

/// The package manager and whether commands need sudo, for the install commands.
struct System {
    /// "apt-get", "dnf", "brew", or "" when unknown.
    packages: &'static str,
    sudo: &'static str,
}

impl System {
    fn detect() -> System {
        let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
        let like = |name: &str| {
            os_release.lines().any(|line| {
                (line.starts_with("ID=") || line.starts_with("ID_LIKE=")) && line.contains(name)
            })
        };
        let packages = if cfg!(target_os = "macos") {
            "brew"
        } else if like("debian") || like("ubuntu") {
            "apt-get"
        } else if like("fedora") || like("rhel") {
            "dnf"
        } else {
            ""
        };
        // SAFETY: geteuid takes nothing and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        let sudo = if root || packages == "brew" {
            ""
        } else {
            "sudo "
        };
        System { packages, sudo }
    }

    /// The command that installs the packages named for each package manager.
    fn install(&self, apt: &str, dnf: &str, brew: &str) -> String {
        match self.packages {
            "apt-get" => format!("{}apt-get install {apt}", self.sudo),
            "dnf" => format!("{}dnf install {dnf}", self.sudo),
            "brew" => format!("brew install {brew}"),
            _ => format!("your system's packages for {apt}"),
        }
    }
}

/// The output of `program args`, if it ran and succeeded.
fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// rustc's version, if it is `oldest` or newer.
fn rust(oldest: (u32, u32)) -> Result<String, Missing> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let update = "rustup update (or https://rustup.rs)".to_string();
    let Some(version) = output_of(&rustc, &["--version"]) else {
        return Err(Missing {
            problem: format!("{rustc} does not run"),
            install: update,
        });
    };
    let (major, minor) = rust_version(&version).unwrap_or((0, 0));
    if (major, minor) < oldest {
        let (want_major, want_minor) = oldest;
        let problem = format!("{version}; the workbook needs {want_major}.{want_minor} or newer");
        return Err(Missing {
            problem,
            install: update,
        });
    }
    Ok(version)
}

/// (major, minor) from "rustc 1.95.0 (59807616e 2026-04-14)".
fn rust_version(text: &str) -> Option<(u32, u32)> {
    let number = text.split_whitespace().nth(1)?;
    let mut parts = number.split(['.', '-']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Builds the Pi lesson (unless told not to) and runs both sides on their quick sizes.
fn builds_and_runs(build: &BuildOptions) -> Result<String, Missing> {
    let quick = RunOptions {
        repeat: Some(1),
        warmup: Some(0),
        quick: true,
        ranks: vec![],
        lesson_flags: vec![],
    };
    let attempt = || -> Outcome<String> {
        let mut runner = LessonRunner::new(&PI, &quick, build, &[], 2)?;
        let exercise = runner.exercise("pi", 1, &[])?.0;
        let solution = runner
            .solution("pi-solution", 2, PI.default_variant().name, &[])?
            .0;
        runner.finish();
        let rows = merge(&[exercise, solution]);
        fail_on_disagreement(&disagreements(&rows, |row| row.variant.clone()))?;
        Ok(format!(
            "pi and pi-solution ({} build) run and agree",
            build.profile
        ))
    };
    attempt().map_err(|failure| Missing {
        problem: failure.message,
        install: "see the message above; `cargo build --release --bin pi` shows it in full".into(),
    })
}

fn cpus() -> String {
    let machine = Machine::detect();
    let available = available_cpus();
    let mut text = format!("{available} for this process, of {}", machine.logical_cpus);
    if let Some(cpus) = machine
        .slurm
        .as_ref()
        .and_then(|s| s.cpus_per_task.as_ref())
    {
        text.push_str(&format!(" (the Slurm job's SLURM_CPUS_PER_TASK={cpus})"));
    }
    if available < 2 {
        text.push_str(": answers can be checked, speedups cannot");
    }
    text
}

fn hdf5(system: &System) -> Result<String, Missing> {
    let install = system.install(
        "libhdf5-dev pkg-config",
        "hdf5-devel pkgconf-pkg-config",
        "hdf5 pkg-config",
    );
    if output_of("pkg-config", &["--version"]).is_none() {
        return Err(Missing {
            problem: "pkg-config is not installed".into(),
            install,
        });
    }
    match output_of("pkg-config", &["--modversion", "hdf5"]) {
        Some(version) => Ok(format!("HDF5 {version}, found by pkg-config")),
        None => Err(Missing {
            problem: "pkg-config does not find hdf5".into(),
            install,
        }),
    }
}

fn c_compiler(system: &System) -> Result<String, Missing> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    match output_of(&cc, &["--version"]) {
        Some(version) => Ok(format!(
            "{cc}: {}",
            version.lines().next().unwrap_or_default()
        )),
        None => Err(Missing {
            problem: format!("no C compiler ({cc})"),
            install: match system.packages {
                "brew" => "xcode-select --install".into(),
                _ => system.install("build-essential", "gcc", ""),
            },
        }),
    }
}

fn disk(build: &BuildOptions) -> Result<String, Missing> {
    let target = profile_dir(&build.profile);
    let folder = target
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(Path::new("."));
    let gigabytes = |bytes: u64| format!("{:.1} GB", bytes as f64 / 1e9);
    match free_bytes(folder) {
        Some(free) if free >= POLARS_DISK_BYTES => {
            Ok(format!("{} free in {}", gigabytes(free), folder.display()))
        }
        Some(free) => Err(Missing {
            problem: format!(
                "{} free in {}, polars takes about 5 GB",
                gigabytes(free),
                folder.display()
            ),
            install: "free some space, or set CARGO_TARGET_DIR to a bigger disk".into(),
        }),
        None => Ok(format!("unknown for {}", folder.display())),
    }
}

/// Bytes free for this user on the file system that holds `path`.
fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: statvfs writes the struct it is given; it is read only when the call succeeds.
    let stats = unsafe {
        if libc::statvfs(c_path.as_ptr(), stats.as_mut_ptr()) != 0 {
            return None;
        }
        stats.assume_init()
    };
    Some(stats.f_bavail as u64 * stats.f_frsize as u64)
}

/// An MPI library with its launcher: rsmpi finds the library through `mpicc`.
fn mpi(system: &System) -> Result<String, Missing> {
    let install = system.install("openmpi-bin libopenmpi-dev", "openmpi-devel", "open-mpi");
    let Some(version) = output_of("mpirun", &["--version"]) else {
        return Err(Missing {
            problem: "mpirun is not on PATH (on a cluster: module load openmpi)".into(),
            install,
        });
    };
    let first = version
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    match on_path("mpicc") {
        Some(_) => Ok(first),
        None if std::env::var_os("MPI_PKG_CONFIG").is_some() => {
            Ok(format!("{first}, found through MPI_PKG_CONFIG"))
        }
        None => Err(Missing {
            problem: format!("{first}, but no mpicc to find its library with (or set MPICC)"),
            install,
        }),
    }
}

/// libclang, which rsmpi's bindgen loads to read the MPI headers.
fn libclang(system: &System) -> Result<String, Missing> {
    let mut folders: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os("LIBCLANG_PATH") {
        folders.push(dir.into());
    }
    if let Some(dir) = output_of("llvm-config", &["--libdir"]) {
        folders.push(PathBuf::from(dir.trim()));
    }
    for root in [
        "/usr/lib",
        "/usr/lib64",
        "/usr/local/lib",
        "/opt/homebrew/opt/llvm/lib",
    ] {
        folders.push(root.into());
        let versions = std::fs::read_dir(root).into_iter().flatten().flatten();
        for entry in versions.filter(|e| e.file_name().to_string_lossy().starts_with("llvm")) {
            folders.push(entry.path().join("lib"));
        }
        folders.push(Path::new(root).join("x86_64-linux-gnu"));
        folders.push(Path::new(root).join("aarch64-linux-gnu"));
    }
    let found = folders.iter().find_map(|dir| {
        let entries = std::fs::read_dir(dir).ok()?;
        entries.flatten().map(|e| e.path()).find(|path| {
            let name = path
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into());
            name.starts_with("libclang")
                && (name.contains(".so") || name.ends_with(".dylib"))
                && !name.starts_with("libclang-cpp")
        })
    });
    match found {
        Some(path) => Ok(path.display().to_string()),
        None => Err(Missing {
            problem: "no libclang found (set LIBCLANG_PATH to its folder)".into(),
            install: system.install("libclang-dev", "clang-devel", "llvm"),
        }),
    }
}

fn sbatch(system: &System) -> Result<String, Missing> {
    match on_path("sbatch") {
        Some(path) => Ok(path.display().to_string()),
        None => Err(Missing {
            problem: "sbatch is not on PATH (it comes with a cluster's login node)".into(),
            install: format!(
                "{}, then slurm/local-cluster start, to try the jobs here",
                system.install(
                    "slurm-client slurmctld slurmd munge",
                    "slurm slurm-slurmctld slurm-slurmd munge",
                    "slurm"
                )
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_versions_are_read_and_compared() {
        assert_eq!(
            rust_version("rustc 1.95.0 (59807616e 2026-04-14)"),
            Some((1, 95))
        );
        assert_eq!(
            rust_version("rustc 1.90.0-nightly (abc 2025-06-01)"),
            Some((1, 90))
        );
        assert_eq!(rust_version("nonsense"), None);
        assert!((1, 88) < OLDEST_RUST && (1, 89) >= OLDEST_RUST);
    }

    #[test]
    fn install_commands_follow_the_system() {
        let cases = [
            ("apt-get", "sudo ", "sudo apt-get install libhdf5-dev"),
            ("dnf", "", "dnf install hdf5-devel"),
            ("brew", "", "brew install hdf5"),
        ];
        for (packages, sudo, expected) in cases {
            let system = System { packages, sudo };
            assert_eq!(
                system.install("libhdf5-dev", "hdf5-devel", "hdf5"),
                expected
            );
        }
    }

    #[test]
    fn extras_are_named() {
        assert_eq!(
            wanted_extras(&["all".into()])
                .map_err(|f| f.message)
                .unwrap()
                .len(),
            4
        );
        assert_eq!(
            wanted_extras(&["hdf5-c".into()])
                .map_err(|f| f.message)
                .unwrap(),
            ["hdf5-c"]
        );
        let error = wanted_extras(&["gpu".into()]).expect_err("refused");
        assert_eq!(error.code, 2);
        assert!(
            error.message.contains("no extra named 'gpu'"),
            "{}",
            error.message
        );
    }
}
