//! `workbook book`: the program output that the lesson texts quote, made from the records of
//! reference runs kept beside them, so that a quote never drifts from what the workbook
//! prints. A quote in a page is marked
//!
//! ```text
//! <!-- quote pi-check: check pi -->
//! ...what the command printed, written by `workbook book`...
//! <!-- end quote -->
//! ```
//!
//! Its name is the folder of its records, `lessons/runs/pi-check/`, and its command is one of
//! `run LESSON [--variant V] [--threads N] [-- flags]` (a lesson binary's summary),
//! `check [--solved] LESSON ...`, `sweep LESSON ...` (the sweep's table and plots) or
//! `report FOLDER...` (the records of other quotes, or of any machine's runs, as one table and
//! one speedup plot). `workbook book --record` runs the commands again and keeps their
//! records; `workbook book` writes the quotes and plots from the records; `--check` only says
//! which are stale.

use std::path::{Path, PathBuf};

use clap::Parser;
use workbook::roofline::Limits;
use workbook::{Record, Side};

use crate::binaries::{BuildOptions, workspace_root};
use crate::check::{CheckArgs, CheckRuns, check_runs, check_text};
use crate::failure::{Failure, Outcome};
use crate::options::{RunOptions, ThreadsOption, features_for, find_lesson, find_variants};
use crate::plan::{Plan, SweepArgs};
use crate::records::{load, parse_record};
use crate::report::{report_markdown, report_plot};
use crate::rows::{machines, merge};
use crate::runner::LessonRunner;
use crate::sayln;
use crate::sweep::{MACHINE_FILE, draw_plots, sweep_markdown, sweep_rows, sweep_runs};

#[derive(Debug, clap::Args)]
pub struct BookArgs {
    /// Run the quoted commands again on this machine and keep their records, before
    /// writing the quotes: every quote, or those named (e.g. --record pi-check,pi-sweep)
    #[arg(long, value_name = "QUOTE", num_args = 0.., value_delimiter = ',')]
    pub record: Option<Vec<String>>,
    /// Change nothing; fail, naming each quote or plot that its records no longer give
    #[arg(long, conflicts_with = "record")]
    pub check: bool,
    /// The book's folder [default: lessons/ in the workbook]
    #[arg(long, value_name = "DIR")]
    pub lessons: Option<PathBuf>,
    #[command(flatten)]
    pub build: BuildOptions,
}

const START: &str = "<!-- quote ";
const END: &str = "<!-- end quote -->";
/// Where the quotes' records and plots live, inside the book's folder.
const RUNS: &str = "runs";

/// One marked quote in a page.
#[derive(Debug)]
struct Quote {
    page: PathBuf,
    name: String,
    command: Vec<String>,
    /// The byte range of the quoted text, between the two markers' lines.
    body: std::ops::Range<usize>,
}

impl Quote {
    fn describe(&self) -> String {
        format!("{}: quote {}", self.page.display(), self.name)
    }
}

pub fn book(args: &BookArgs) -> Outcome<()> {
    let folder = args
        .lessons
        .clone()
        .unwrap_or_else(|| workspace_root().join("lessons"));
    let pages = pages(&folder)?;
    let mut quotes = Vec::new();
    for page in &pages {
        let text = read(page)?;
        quotes.extend(quotes_in(page, &text)?);
    }
    check_names(&quotes)?;
    if let Some(names) = &args.record {
        for name in names {
            if !quotes.iter().any(|q| &q.name == name) {
                return Err(Failure::usage(format!("no quote named {name}")));
            }
        }
        // The machine first: the sweeps recorded after it are measured against its limits.
        let chosen = quotes
            .iter()
            .filter(|q| names.is_empty() || names.contains(&q.name));
        let (machine, others): (Vec<&Quote>, Vec<&Quote>) =
            chosen.partition(|q| matches!(parse(q), Ok(Command::Machine)));
        for quote in machine.into_iter().chain(others) {
            record(&folder, quote, &args.build)?;
        }
    }

    let scratch = Scratch::new()?;
    let mut unused = unused_records(&folder, &quotes)?;
    let mut stale = Vec::new();
    for page in &pages {
        let text = read(page)?;
        let mut written = String::new();
        let mut at = 0;
        for quote in quotes.iter().filter(|q| &q.page == page) {
            let plots = scratch.folder(&quote.name)?;
            let body = render(&folder, quote, &plots)?;
            if text[quote.body.clone()] != body {
                stale.push(quote.describe());
            }
            written.push_str(&text[at..quote.body.start]);
            written.push_str(&body);
            at = quote.body.end;
            stale.extend(keep_plots(&folder, quote, &plots, args.check)?);
            unused.extend(plots_not_drawn(&folder, quote, &plots));
        }
        written.push_str(&text[at..]);
        if written != text && !args.check {
            workbook::files::write(page, written).map_err(|e| Failure::failed(e.to_string()))?;
        }
    }
    if !args.check {
        for folder in &unused {
            eprintln!("warning: {folder}: remove it, or name it in a quote");
        }
    }
    if args.check {
        if let Some(folder) = unused.first() {
            return Err(Failure::failed(format!(
                "{folder}: remove it, or name it in a quote"
            )));
        }
        if stale.is_empty() {
            sayln!("{} quotes, every one as its records give it.", quotes.len());
            return Ok(());
        }
        return Err(Failure::failed(format!(
            "stale: {} (write them with `workbook book`)",
            stale.join("; ")
        )));
    }
    sayln!(
        "{} quotes written from {}/; {} had changed.",
        quotes.len(),
        folder.join(RUNS).display(),
        stale.len()
    );
    Ok(())
}

/// Folders of records in runs/ that no quote names and no report quote reads: left behind
/// when a quote was renamed or removed.
fn unused_records(folder: &Path, quotes: &[Quote]) -> Outcome<Vec<String>> {
    let runs = folder.join(RUNS);
    let Ok(entries) = std::fs::read_dir(&runs) else {
        return Ok(Vec::new());
    };
    let mut used: Vec<PathBuf> = quotes.iter().map(|q| runs.join(&q.name)).collect();
    for quote in quotes {
        if let Command::Report { folders } = parse(quote)? {
            used.extend(folders.iter().map(|f| folder.join(f)));
        }
    }
    let mut unused: Vec<String> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() && !used.iter().any(|u| u == path))
        .map(|path| format!("{} is read by no quote", path.display()))
        .collect();
    unused.sort();
    Ok(unused)
}

fn read(path: &Path) -> Outcome<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure::failed(format!("cannot read {}: {e}", path.display())))
}

fn pages(folder: &Path) -> Outcome<Vec<PathBuf>> {
    let entries = std::fs::read_dir(folder)
        .map_err(|e| Failure::failed(format!("cannot read {}: {e}", folder.display())))?;
    let mut pages: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    Ok(pages)
}

/// The quotes marked in a page, in order.
fn quotes_in(page: &Path, text: &str) -> Outcome<Vec<Quote>> {
    let mut quotes = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(START) {
        let start = from + found;
        let line_end = text[start..]
            .find('\n')
            .map_or(text.len(), |end| start + end);
        let marker = &text[start + START.len()..line_end];
        let at = format!("{}: {}", page.display(), marker.trim());
        let spec = marker
            .trim()
            .strip_suffix("-->")
            .ok_or_else(|| Failure::failed(format!("{at}: the marker does not end on its line")))?;
        let (name, command) = spec.split_once(':').ok_or_else(|| {
            Failure::failed(format!("{at}: write it as <!-- quote NAME: COMMAND -->"))
        })?;
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(Failure::failed(format!(
                "{at}: a quote's name is letters, digits and '-'"
            )));
        }
        let body_start = (line_end + 1).min(text.len());
        let end = text[body_start..]
            .find(END)
            .map(|end| body_start + end)
            .ok_or_else(|| Failure::failed(format!("{at}: no {END} after it")))?;
        quotes.push(Quote {
            page: page.to_path_buf(),
            name: name.to_string(),
            command: command.split_whitespace().map(str::to_string).collect(),
            body: body_start..end,
        });
        from = end + END.len();
    }
    Ok(quotes)
}

fn check_names(quotes: &[Quote]) -> Outcome<()> {
    for (index, quote) in quotes.iter().enumerate() {
        if let Some(twin) = quotes[..index].iter().find(|q| q.name == quote.name) {
            return Err(Failure::failed(format!(
                "{} and {} share a name",
                quote.describe(),
                twin.describe()
            )));
        }
    }
    Ok(())
}

/// `workbook book`'s own forms of the quoted commands.
#[derive(Debug, Parser)]
#[command(no_binary_name = true)]
enum Command {
    /// A lesson binary's summary: the exercise, or with --variant the solution.
    Run(RunLine),
    Check {
        /// What check says once the exercise is solved: the solution's code in its place.
        #[arg(long)]
        solved: bool,
        #[command(flatten)]
        args: CheckArgs,
    },
    Sweep(SweepArgs),
    /// Folders of records, relative to the book's folder.
    Report {
        folders: Vec<PathBuf>,
    },
    /// `workbook machine`: this machine's limits, measured again when recorded.
    Machine,
}

#[derive(Debug, clap::Args)]
struct RunLine {
    lesson: String,
    #[arg(long)]
    variant: Option<String>,
    #[command(flatten)]
    threads: ThreadsOption,
    #[command(flatten)]
    run: RunOptions,
}

fn parse(quote: &Quote) -> Outcome<Command> {
    Command::try_parse_from(&quote.command).map_err(|e| {
        let message = e.render().to_string();
        let first = message.lines().next().unwrap_or_default().to_string();
        Failure::failed(format!("{}: {first}", quote.describe()))
    })
}

fn records_path(folder: &Path, quote: &Quote) -> PathBuf {
    folder.join(RUNS).join(&quote.name).join("records.jsonl")
}

/// Runs a quote's command and keeps its records (a report has none of its own).
fn record(folder: &Path, quote: &Quote, build: &BuildOptions) -> Outcome<()> {
    sayln!("Recording {} ({})", quote.name, quote.command.join(" "));
    let lines: Vec<String> = match parse(quote)? {
        Command::Run(line) => {
            let lesson = find_lesson(&line.lesson)?;
            let threads = line.threads.threads()?;
            let variants = find_variants(lesson, line.variant.as_deref())?;
            let variant = match (&line.variant, variants.as_slice()) {
                (None, _) => None,
                (Some(_), [one]) => Some(one.name),
                (Some(_), _) => {
                    return Err(Failure::usage(format!(
                        "{}: a run quote runs one variant",
                        quote.describe()
                    )));
                }
            };
            let features = features_for(lesson, &variants);
            let mut runner = LessonRunner::new(lesson, &line.run, build, &features, 1)?;
            let (_, json) = match variant {
                Some(variant) => runner.solution(&quote.name, threads, variant, &[])?,
                None => runner.exercise(&quote.name, threads, &[])?,
            };
            runner.finish();
            vec![json]
        }
        Command::Check { solved, args } => {
            let lesson = find_lesson(&args.lesson)?;
            let learner = if solved {
                Side::Solution
            } else {
                Side::Exercise
            };
            let runs = check_runs(lesson, &args, learner)?;
            runs.records().iter().map(|r| r.to_json()).collect()
        }
        Command::Sweep(args) => {
            let plan = Plan::for_this_machine(&args)?;
            // Every configuration checked first, as `workbook sweep` checks them.
            plan.check_here(&args.run)?;
            let lines = sweep_runs(&args, &plan)?.1;
            keep_limits(folder, quote)?;
            lines
        }
        Command::Report { .. } => return Ok(()),
        Command::Machine => {
            crate::limits::machine(&crate::limits::MachineArgs {
                output: None,
                threads: None,
                print_only: false,
            })?;
            return keep_limits(folder, quote);
        }
    };
    let path = records_path(folder, quote);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::failed(format!("cannot create {}: {e}", parent.display())))?;
    }
    workbook::files::write(&path, lines.join("\n") + "\n")
        .map_err(|e| Failure::failed(e.to_string()))
}

/// A sweep quote's roofline is drawn against the limits of the machine that ran it: they
/// are kept beside its records (or, when this machine has none, the old ones removed).
fn keep_limits(folder: &Path, quote: &Quote) -> Outcome<()> {
    let path = folder.join(RUNS).join(&quote.name).join(MACHINE_FILE);
    let host = workbook::machine::Machine::detect().host;
    let limits = Limits::for_host(&host).map_err(Failure::failed)?;
    let failed = |e: String| Failure::failed(format!("{}: {e}", path.display()));
    match limits {
        Some(limits) => {
            // A quote recorded for the first time has no folder yet.
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| failed(e.to_string()))?;
            }
            workbook::files::write(&path, limits.to_text()).map_err(|e| failed(e.to_string()))
        }
        None if path.exists() => std::fs::remove_file(&path).map_err(|e| failed(e.to_string())),
        None => Ok(()),
    }
}

/// The limits kept beside a quote's records, if any.
fn quote_limits(folder: &Path, quote: &Quote) -> Outcome<Option<Limits>> {
    let path = folder.join(RUNS).join(&quote.name).join(MACHINE_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Limits::parse(&text)
            .map(Some)
            .map_err(|e| Failure::failed(format!("{}: {e}", path.display()))),
        Err(_) => Ok(None),
    }
}

fn quote_records(folder: &Path, quote: &Quote) -> Outcome<Vec<Record>> {
    let path = records_path(folder, quote);
    let text = std::fs::read_to_string(&path).map_err(|_| {
        Failure::failed(format!(
            "{}: no records in {} (make them with `workbook book --record {}`)",
            quote.describe(),
            path.display(),
            quote.name
        ))
    })?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            parse_record(line).map_err(|e| Failure::failed(format!("{}: {e}", path.display())))
        })
        .collect()
}

/// The quote's text from its records; its plots are drawn into `plots`.
fn render(folder: &Path, quote: &Quote, plots: &Path) -> Outcome<String> {
    let fenced = |text: &str| format!("```text\n{}\n```\n", text.trim_end());
    // A plot is shown if it was drawn: one thread count draws no speedup plot.
    let images = |plots_wanted: &[(&str, String)]| {
        let mut text = String::new();
        for (alt, file) in plots_wanted {
            if plots.join(file).exists() {
                text.push_str(&format!("\n![{alt}]({RUNS}/{}/{file})\n", quote.name));
            }
        }
        text
    };
    let failed = |e: String| Failure::failed(format!("{}: {e}", quote.describe()));
    Ok(match parse(quote)? {
        Command::Run(_) => {
            let records = quote_records(folder, quote)?;
            let [record] = records.as_slice() else {
                return Err(failed(format!("{} records, not 1", records.len())));
            };
            fenced(&record.human_summary())
        }
        Command::Check { args, .. } => {
            let lesson = find_lesson(&args.lesson)?;
            let runs = CheckRuns::from_records(quote_records(folder, quote)?).map_err(failed)?;
            fenced(&check_text(lesson, &runs, args.run.quick).0)
        }
        Command::Sweep(args) => {
            let plan = Plan::for_this_machine(&args)?;
            let records = quote_records(folder, quote)?;
            let rows = sweep_rows(&plan, &records);
            let limits = quote_limits(folder, quote)?;
            draw_plots(&plan, plots, &records, &rows, limits.as_ref())?;
            let mut text = without_title(&sweep_markdown(&plan, &records, &rows, limits.as_ref()));
            text.push_str(&images(&[
                ("Speedup against threads", "speedup.png".into()),
                ("Weak-scaling efficiency", "weak.png".into()),
                ("Roofline", "roofline.png".into()),
            ]));
            if let Some(vary) = &plan.vary {
                let file = format!("{}.png", vary.name);
                text.push_str(&images(&[(&format!("Time against --{}", vary.name), file)]));
            }
            text
        }
        Command::Machine => match quote_limits(folder, quote)? {
            Some(limits) => fenced(&crate::limits::describe(&limits)),
            None => {
                return Err(failed(format!(
                    "no limits in {} (measure them with `workbook book --record {}`)",
                    folder
                        .join(RUNS)
                        .join(&quote.name)
                        .join(MACHINE_FILE)
                        .display(),
                    quote.name
                )));
            }
        },
        Command::Report { folders } => {
            let folders: Vec<PathBuf> = folders.iter().map(|f| folder.join(f)).collect();
            let records = load(&folders)?;
            let rows = merge(&records);
            let machines = machines(&records);
            report_plot(&plots.join("speedup.png"), &machines, &rows)?;
            let mut text =
                without_title(&report_markdown(&records, &machines, &rows, folders.len()));
            text.push_str(&images(&[(
                "Speedup against threads",
                "speedup.png".into(),
            )]));
            text
        }
    })
}

/// Markdown from a command's file, without its `# ` title: the page has its own headings.
fn without_title(markdown: &str) -> String {
    let body = match markdown.strip_prefix("# ") {
        Some(rest) => rest.split_once('\n').map_or("", |(_, body)| body),
        None => markdown,
    };
    body.trim_start_matches('\n').to_string()
}

/// Pictures in a quote's folder that it no longer draws (a plot its records no longer give).
fn plots_not_drawn(folder: &Path, quote: &Quote, drawn: &Path) -> Vec<String> {
    let kept = folder.join(RUNS).join(&quote.name);
    let Ok(entries) = std::fs::read_dir(&kept) else {
        return Vec::new();
    };
    let mut left: Vec<String> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "png"))
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| !drawn.join(name).exists())
        })
        .map(|path| format!("{} is drawn by no quote", path.display()))
        .collect();
    left.sort();
    left
}

/// Compares the plots drawn for a quote with those kept, and keeps the new ones unless only
/// checking. Returns what was stale.
fn keep_plots(folder: &Path, quote: &Quote, drawn: &Path, check: bool) -> Outcome<Vec<String>> {
    let kept = folder.join(RUNS).join(&quote.name);
    let mut stale = Vec::new();
    let entries = std::fs::read_dir(drawn)
        .map_err(|e| Failure::failed(format!("cannot read {}: {e}", drawn.display())))?;
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    for file in files {
        let Some(name) = file.file_name() else {
            continue;
        };
        let new = std::fs::read(&file)
            .map_err(|e| Failure::failed(format!("cannot read {}: {e}", file.display())))?;
        let target = kept.join(name);
        if std::fs::read(&target).ok().as_deref() != Some(new.as_slice()) {
            stale.push(format!("{} ({})", quote.describe(), target.display()));
            if !check {
                std::fs::create_dir_all(&kept).map_err(|e| {
                    Failure::failed(format!("cannot create {}: {e}", kept.display()))
                })?;
                workbook::files::write(&target, new).map_err(|e| Failure::failed(e.to_string()))?;
            }
        }
    }
    Ok(stale)
}

/// A temporary folder of this run's own, removed when done.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Outcome<Scratch> {
        let parent = std::env::temp_dir();
        workbook::files::create_unique_dir(&parent, "workbook-book")
            .map(Scratch)
            .map_err(Failure::failed)
    }

    fn folder(&self, name: &str) -> Outcome<PathBuf> {
        let folder = self.0.join(name);
        std::fs::create_dir_all(&folder)
            .map_err(|e| Failure::failed(format!("cannot create {}: {e}", folder.display())))?;
        Ok(folder)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Made by this run, under a name no one else uses.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_found_between_their_markers() {
        let text = "a\n<!-- quote pi-run: run pi -- --n 1000 -->\nold\n<!-- end quote -->\nb\n\
                    <!-- quote pi-check: check pi --quick -->\n<!-- end quote -->\n";
        let quotes = quotes_in(Path::new("p.md"), text).expect("quotes");
        assert_eq!(quotes.len(), 2);
        assert_eq!(quotes[0].name, "pi-run");
        assert_eq!(quotes[0].command, ["run", "pi", "--", "--n", "1000"]);
        assert_eq!(&text[quotes[0].body.clone()], "old\n");
        assert_eq!(&text[quotes[1].body.clone()], "");
        assert!(matches!(parse(&quotes[0]), Ok(Command::Run(_))));
        assert!(matches!(parse(&quotes[1]), Ok(Command::Check { .. })));
    }

    #[test]
    fn a_broken_marker_is_named() {
        let unended = quotes_in(Path::new("p.md"), "<!-- quote a: run pi -->\ntext\n");
        let message = unended.expect_err("no end").message;
        assert!(
            message.contains("p.md") && message.contains(END),
            "{message}"
        );
        let unnamed = quotes_in(
            Path::new("p.md"),
            "<!-- quote run pi -->\n<!-- end quote -->",
        );
        assert!(unnamed.is_err());
        let quote = &quotes_in(
            Path::new("p.md"),
            "<!-- quote a: plot pi -->\n<!-- end quote -->",
        )
        .expect("found")[0];
        assert!(parse(quote).is_err());
    }

    #[test]
    fn titles_are_left_to_the_page() {
        assert_eq!(without_title("# Sweep: pi\n\n- machine\n"), "- machine\n");
        assert_eq!(without_title("- machine\n"), "- machine\n");
    }
}
