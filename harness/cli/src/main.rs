//! `workbook`: build, run, compare, sweep and check the workbook's lessons.
//!
//!     cargo run --release --bin workbook -- compare pi
//!     cargo run --release --bin workbook -- sweep pi --threads 1,2,4
//!     cargo run --release --bin workbook -- check pi
//!     cargo run --release --bin workbook -- slurm pi --cpus 32 --submit
//!     cargo run --release --bin workbook -- report results/job-*

use clap::{Parser, Subcommand};
use workbook_cli::binaries::{BuildOptions, locate_lessons};
use workbook_cli::failure::{Failure, Outcome};
use workbook_cli::plan::SweepArgs;
use workbook_cli::sayln;
use workbook_cli::{book, check, compare, data, doctor, limits, list, report, slurm, sweep};

#[derive(Debug, Parser)]
#[command(
    name = "workbook",
    version,
    about = "Run the parallel Rust workbook's lessons: compare the serial exercise with the \
             parallel solution, sweep thread counts, check your own solution."
)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Debug, Subcommand)]
enum Commands {
    /// List the lessons, their binaries and texts
    List {
        /// Print the README's lesson table instead
        #[arg(long, conflicts_with = "names")]
        markdown: bool,
        /// Print only the lessons' names, one a line (for scripts)
        #[arg(long)]
        names: bool,
    },
    /// Run a lesson's serial exercise and parallel solution, check that their answers
    /// agree and show the speedup
    Compare(compare::CompareArgs),
    /// Run the solution at several thread counts against the serial exercise; write a
    /// table, CSV, JSON and a speedup plot under results/
    Sweep(SweepArgs),
    /// Check your edited exercise: right answer on 1 and on N threads? Faster on N?
    Check(check::CheckArgs),
    /// Write a data file from its seeded generator: the same bytes for the same seed and
    /// size (e.g. `workbook data surveys --rows 10000000`)
    Data(data::DataArgs),
    /// Build lessons' binaries (and the `workbook` command) without running them, e.g.
    /// on a login node before submitting batch jobs
    Build {
        /// Lessons to build, or `all`
        #[arg(required = true, value_name = "LESSON")]
        lessons: Vec<String>,
        /// Cargo profile to build
        #[arg(long, default_value = "release", value_name = "NAME")]
        profile: String,
    },
    /// Print the Slurm batch script for a lesson's scaling study (or `all` lessons as a
    /// job array), or submit it with --submit
    Slurm(slurm::SlurmArgs),
    /// Check this machine for the workshop: Rust, a release build, CPUs, and the extras
    /// (HDF5's C library, polars, sbatch); prints how to install what is missing
    Doctor(doctor::DoctorArgs),
    /// Measure this machine's limits (f64 peak, memory bandwidth, caches) for the lessons'
    /// rates and rooflines, into results/machines/<host>.toml
    Machine(limits::MachineArgs),
    /// Merge the records of sweeps and Slurm jobs, from one machine or many, into one
    /// table and one speedup plot
    Report(report::ReportArgs),
    /// Write the output and plots the lesson texts quote from the records in lessons/runs/
    /// (--check: only say which are stale; --record: run the quoted commands again first)
    Book(book::BookArgs),
}

fn main() {
    workbook_cli::children::forward_signals();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => exit_on_clap_error(error),
    };
    let outcome = match &cli.command {
        Commands::List { markdown, names } => {
            list::list(*markdown, *names);
            Ok(())
        }
        Commands::Compare(args) => compare::compare(args),
        Commands::Sweep(args) => sweep::sweep(args),
        Commands::Check(args) => check::check(args),
        Commands::Data(args) => data::data(args),
        Commands::Build { lessons, profile } => build(lessons, profile),
        Commands::Slurm(args) => slurm::slurm(args),
        Commands::Report(args) => report::report(args),
        Commands::Doctor(args) => doctor::doctor(args),
        Commands::Machine(args) => limits::machine(args),
        Commands::Book(args) => book::book(args),
    };
    if let Err(Failure { code, message }) = outcome {
        eprintln!("workbook: error: {message}");
        std::process::exit(code);
    }
}

/// Help and version print in full; a usage mistake is one line and exit code 2.
fn exit_on_clap_error(error: clap::Error) -> ! {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => error.exit(),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => error.exit(),
        _ => {
            // The message runs to the first blank line (a list of missing arguments is
            // indented below it); the usage after it is left to --help.
            let rendered = error.render().to_string();
            let message: Vec<&str> = rendered
                .lines()
                .take_while(|line| !line.trim().is_empty())
                .map(str::trim)
                .collect();
            let message = message.join(" ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            eprintln!("workbook: error: {message} (see --help)");
            std::process::exit(2);
        }
    }
}

/// Builds the named lessons' binaries and the `workbook` command, in the same groups the
/// other commands build them in (so nothing is built twice), and says where they are.
fn build(names: &[String], profile: &str) -> Outcome<()> {
    let lessons = if names.iter().any(|name| name == "all") {
        workbook::LESSONS.to_vec()
    } else {
        names
            .iter()
            .map(|name| workbook_cli::options::find_lesson(name))
            .collect::<Outcome<Vec<_>>>()?
    };
    let options = BuildOptions {
        no_build: false,
        bin_dir: None,
        profile: profile.to_string(),
    };
    let built = locate_lessons(&lessons, &[], &options)?;
    if let Some(folder) = built.values().next().and_then(|path| path.parent()) {
        sayln!("Built in {}/", folder.display());
    }
    Ok(())
}
