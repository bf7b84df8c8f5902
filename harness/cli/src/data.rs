//! `workbook data`: write the lessons' data files from their seeded generators. The same
//! kind, row count and seed always give the same bytes, so a big timing file need not be
//! shipped: anyone can make the very same one.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};

use crate::failure::{Failure, Outcome};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Survey rows shaped like Data Carpentry's surveys.csv (the Dataframes lesson)
    Surveys,
    /// People with transactions as JSON lines (the Bags lesson)
    People,
}

impl Kind {
    /// The row count and seed of the files in data/.
    fn shipped(self) -> (u64, u64, &'static str) {
        match self {
            Kind::Surveys => (35_549, 1977, "csv"),
            Kind::People => (10_000, 2024, "jsonl"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Surveys => "surveys",
            Kind::People => "people",
        }
    }
}

#[derive(Debug, Args)]
pub struct DataArgs {
    /// What to generate
    kind: Kind,
    /// Rows (surveys) or records (people) [default: as many as the file in data/]
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=1_000_000_000))]
    rows: Option<u64>,
    /// Seed of the random numbers [default: the one data/ was made with]
    #[arg(long)]
    seed: Option<u64>,
    /// Where to write [default: <kind>-<rows>.<csv|jsonl> here]
    #[arg(long)]
    out: Option<PathBuf>,
    /// End lines with \r\n, as some copies of surveys.csv do (surveys only)
    #[arg(long)]
    crlf: bool,
}

pub fn data(args: &DataArgs) -> Outcome<()> {
    let (shipped_rows, shipped_seed, extension) = args.kind.shipped();
    let rows = args.rows.unwrap_or(shipped_rows);
    let seed = args.seed.unwrap_or(shipped_seed);
    if args.crlf && args.kind != Kind::Surveys {
        return Err(Failure::usage("--crlf applies to surveys only"));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}-{rows}.{extension}", args.kind.name())));
    let start = Instant::now();
    let written = workbook::files::write_with(&out, |file| match args.kind {
        Kind::Surveys => dataframes_kit::write_surveys(file, rows, seed, args.crlf),
        Kind::People => bags_kit::write_people(file, rows, seed),
    });
    match written {
        Ok(()) => {}
        // `--out /dev/stdout | head`: the reader has all it wanted.
        Err(e) if e.is_broken_pipe() => return Ok(()),
        Err(e) => return Err(Failure::failed(e.to_string())),
    }
    let bytes = std::fs::metadata(&out)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map_or(String::new(), |m| {
            format!(", {}", workbook::stats::format_megabytes(m.len()))
        });
    // On stderr: with `--out /dev/stdout` the data itself is on stdout.
    eprintln!(
        "wrote {rows} {} (seed {seed}{bytes}) to {} in {:.1} s",
        match args.kind {
            Kind::Surveys => "rows",
            Kind::People => "records",
        },
        out.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
