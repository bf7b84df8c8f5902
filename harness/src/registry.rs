//! The lesson registry: the one list of lessons that the lesson binaries, the `workbook`
//! command, the tests and the README table are all built from. A lesson is added here once.

use crate::params::Params;
use crate::record::Side;

/// One lesson: its binaries, its text, its size flags and how its answers are compared.
#[derive(Debug)]
pub struct Lesson {
    /// Short name: the exercise binary is `<name>`, the solution binary `<name>-solution`.
    pub name: &'static str,
    pub title: &'static str,
    /// One line for `workbook list` and the README table.
    pub summary: &'static str,
    /// The lesson text, relative to the repository root.
    pub text: &'static str,
    /// The lesson's own flags, with the source material's sizes as defaults.
    pub params: &'static [Param],
    /// The flag that sets how many tasks the work is split into, if there is one:
    /// `workbook sweep --vary` over it measures what a task costs.
    pub tasks: Option<&'static str>,
    /// Label of the answer when a lesson returns a single number.
    pub answer: &'static str,
    /// The solution's variants; the first is the default.
    pub variants: &'static [Variant],
    /// Variants built only with a cargo feature of the solution package, as (variant,
    /// feature): ones that take long to compile (polars). `--variant all` leaves them out,
    /// and the `workbook` command turns the feature on when one is named.
    pub feature_variants: &'static [(&'static str, &'static str)],
    /// Timed runs and untimed warm-up runs when the flags do not say.
    pub repeat: u32,
    pub warmup: u32,
    /// Small sizes that run in well under a second, for the tests and CI smoke runs.
    pub quick: &'static [(&'static str, &'static str)],
    /// Checks that involve more than one flag, e.g. "--chunks at most --n". They hold on
    /// any machine: a batch script's flags are checked with them on the login node.
    pub validate: fn(&Params) -> Result<(), String>,
    /// The memory a run needs, where it can be large, and what needs it: checked against
    /// what the machine allows before the run starts.
    pub memory: fn(&Params) -> Option<(u64, String)>,
}

/// For lessons whose memory stays small whatever their flags.
fn small_memory(_: &Params) -> Option<(u64, String)> {
    None
}

/// A lesson flag, `--<name> <value>`.
#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    pub about: &'static str,
    /// A flag of the solution only (how it splits the work, say): the exercise refuses it,
    /// and the `workbook` command passes it to the solution alone.
    pub solution_only: bool,
}

/// What a flag accepts. Bounds are part of the kind so that an impossible size is refused
/// with one line before any work starts.
#[derive(Debug)]
pub enum Kind {
    /// A whole number in `min..=max`; `10_000_000` and `1e7` are both accepted.
    Count { min: u64, max: u64 },
    /// A real number in `min..=max`.
    Real { min: f64, max: f64 },
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// Any text that is not empty: a dataset's path in a file, say.
    Text,
    /// A file the lesson reads.
    Input,
    /// A file to read if the flag is given; its default is "" (not given).
    OptionalInput,
    /// A file the lesson writes: checked before any work starts, written whole or not at
    /// all (`workbook::files`).
    Output,
    /// A file to write if the flag is given; its default is "" (the file is not written).
    OptionalOutput,
    /// A flag without a value: present or not. Its default is "false".
    Switch,
}

/// A way the solution can compute the answer, chosen with `--variant`.
#[derive(Debug)]
pub struct Variant {
    pub name: &'static str,
    pub about: &'static str,
    /// How this variant's answer must compare with the exercise's.
    pub agreement: Agreement,
}

/// How two answers must compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Agreement {
    /// The same values, bit for bit.
    Exact,
    /// Numbers within `abs + rel * |expected|` of each other; everything else equal.
    Close { abs: f64, rel: f64 },
}

impl Lesson {
    pub fn exercise_binary(&self) -> String {
        self.name.to_string()
    }

    pub fn solution_binary(&self) -> String {
        format!("{}-solution", self.name)
    }

    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    pub fn variant(&self, name: &str) -> Option<&'static Variant> {
        self.variants.iter().find(|v| v.name == name)
    }

    /// The cargo feature of the solution package that `variant` needs, if any.
    pub fn variant_feature(&self, variant: &str) -> Option<&'static str> {
        self.feature_variants
            .iter()
            .find(|(name, _)| *name == variant)
            .map(|(_, feature)| *feature)
    }

    pub fn default_variant(&self) -> &'static Variant {
        &self.variants[0]
    }

    /// The flags of one side: the exercise does not take the solution-only ones.
    pub fn params_for(&self, side: Side) -> impl Iterator<Item = &'static Param> {
        self.params
            .iter()
            .filter(move |p| side == Side::Solution || !p.solution_only)
    }

    /// `flags` (as passed to the `workbook` command after `--`) without the solution-only
    /// flags and their values: what the exercise is given.
    pub fn exercise_flags(&self, flags: &[String]) -> Vec<String> {
        crate::flags::split_words(self, flags)
            .into_iter()
            .filter(|flag| self.param(&flag.name).is_none_or(|p| !p.solution_only))
            .flat_map(|flag| flag.words)
            .collect()
    }

    /// `base` with every flag that `later` also sets taken out, then `later`: the quick
    /// sizes give way to the user's own, and both to the flag a sweep varies.
    pub fn override_flags(&self, base: &[String], later: &[String]) -> Vec<String> {
        let later_names: Vec<String> = crate::flags::split_words(self, later)
            .into_iter()
            .map(|flag| flag.name)
            .collect();
        crate::flags::split_words(self, base)
            .into_iter()
            .filter(|flag| flag.name.is_empty() || !later_names.contains(&flag.name))
            .flat_map(|flag| flag.words)
            .chain(later.iter().cloned())
            .collect()
    }

    /// The quick sizes as flags: `["--n", "100000", ...]`.
    pub fn quick_flags(&self) -> Vec<String> {
        self.quick
            .iter()
            .flat_map(|(name, value)| [format!("--{name}"), value.to_string()])
            .collect()
    }
}

/// Every lesson, in reading order: `workbook list`, the README's table and the texts follow
/// it, and a test checks that no text leans on a lesson that comes later.
pub static LESSONS: &[&Lesson] = &[
    &PI,
    &SHARING,
    &ARRAYS,
    &MANDELBROT,
    &DELAYED,
    &BAGS,
    &DATAFRAMES,
    &SWMR,
];

/// Looks a lesson up by name.
pub fn lesson(name: &str) -> Option<&'static Lesson> {
    LESSONS.iter().copied().find(|lesson| lesson.name == name)
}

/// The lesson table of the README, generated from the registry (a test keeps the README
/// in step: `cargo run --bin workbook -- list --markdown` prints it).
pub fn markdown_table() -> String {
    let mut text = String::from(
        "| Lesson | Serial starter | Parallel solution | Answers must agree | What it teaches |\n\
         | --- | --- | --- | --- | --- |\n",
    );
    for lesson in LESSONS {
        // "exact", then the variants held to a looser rule, if any.
        let mut agreements = vec!["exact".to_string()];
        agreements.extend(
            lesson
                .variants
                .iter()
                .filter(|v| v.agreement != Agreement::Exact)
                .map(|v| format!("{}: {}", v.name, v.agreement.describe())),
        );
        text.push_str(&format!(
            "| [{}]({}) | `--bin {}` | `--bin {}` | {} | {} |\n",
            lesson.title,
            lesson.text,
            lesson.exercise_binary(),
            lesson.solution_binary(),
            agreements.join("; "),
            lesson.summary
        ));
    }
    text
}

/// The Pi lesson: the midpoint rule in independent chunks, the `Client.map` idea.
pub static PI: Lesson = Lesson {
    name: "pi",
    title: "Pi by the midpoint rule",
    summary: "Split a sum into chunks, map them over a thread pool, combine in a fixed order; \
              the cost of a task",
    text: "lessons/pi.md",
    params: &[
        Param {
            name: "n",
            kind: Kind::Count {
                min: 1,
                max: 1_000_000_000_000,
            },
            default: "10000000",
            about: "number of slices of [0, 1]",
            solution_only: false,
        },
        Param {
            name: "chunks",
            kind: Kind::Count {
                min: 1,
                max: 1_000_000,
            },
            default: "1000",
            about: "number of chunks the slices are split into (at most --n)",
            solution_only: false,
        },
    ],
    tasks: Some("chunks"),
    answer: "pi",
    variants: &[
        Variant {
            name: "rayon",
            about: "chunks mapped with a rayon parallel iterator",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "spawn",
            about: "one rayon task per chunk, like Dask's client.submit",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "threads",
            about: "std::thread::scope with one block of chunks per thread",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "lanes",
            about: "rayon plus eight independent sums per chunk, so the compiler can vectorise",
            agreement: Agreement::Close {
                abs: 1e-12,
                rel: 0.0,
            },
        },
    ],
    feature_variants: &[],
    repeat: 5,
    warmup: 1,
    // An n that 64 does not divide, so chunks differ in length and lane tails are used.
    quick: &[("n", "200003"), ("chunks", "64")],
    validate: |params| {
        let (n, chunks) = (params.count("n"), params.count("chunks"));
        if chunks > n {
            return Err(format!(
                "--chunks ({chunks}) must not exceed --n ({n}): a chunk needs a slice"
            ));
        }
        Ok(())
    },
    memory: small_memory,
};

/// The Sharing lesson: one table of counts that many threads add to.
pub static SHARING: Lesson = Lesson {
    name: "sharing",
    title: "Sharing results between threads",
    summary: "Count into one table from many threads: what rustc refuses and why (Send, \
              Sync), a lock, atomics, a table per task merged at the end; false sharing",
    text: "lessons/sharing.md",
    params: &[Param {
        name: "n",
        kind: Kind::Count {
            min: 1,
            max: 1_000_000_000_000,
        },
        default: "50000000",
        about: "how many numbers' first two digits to count",
        solution_only: false,
    }],
    tasks: None,
    answer: "counts",
    variants: &[
        Variant {
            name: "fold",
            about: "a table per rayon task (fold), added up at the end (reduce)",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "mutex",
            about: "one table behind a Mutex, locked for every count",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "atomic",
            about: "one table of AtomicU64 counters, fetch_add with Relaxed ordering",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "interleaved",
            about: "a table per thread, the threads' counters side by side: false sharing",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "padded",
            about: "a table per thread, each on cache lines of its own",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "scoped",
            about: "std::thread::scope, one block per thread: each returns its own table",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "batched",
            about: "the atomic table, added to once per chunk from a table per task",
            agreement: Agreement::Exact,
        },
    ],
    feature_variants: &[],
    repeat: 3,
    warmup: 1,
    // An n that no thread count divides evenly.
    quick: &[("n", "100003")],
    validate: |_| Ok(()),
    memory: small_memory,
};

/// The Arrays lesson: a chunked random array reduced in parallel, lazily or stored.
pub static ARRAYS: Lesson = Lesson {
    name: "arrays",
    title: "Chunked arrays",
    summary: "A big random array in chunks: draw, reduce and combine them in parallel, \
              lazily or stored; the same sum on any number of threads",
    text: "lessons/arrays.md",
    params: &[
        Param {
            name: "n",
            kind: Kind::Count {
                min: 1,
                max: 100_000,
            },
            default: "10000",
            about: "the array is n x n",
            solution_only: false,
        },
        Param {
            name: "chunk",
            kind: Kind::Count {
                min: 1,
                max: 100_000,
            },
            default: "1000",
            about: "chunks are chunk x chunk (smaller at the edges), at most n",
            solution_only: false,
        },
        Param {
            name: "seed",
            kind: Kind::Count {
                min: 0,
                max: u64::MAX,
            },
            default: "42",
            about: "seed of the random numbers; each chunk's generator comes from it",
            solution_only: false,
        },
        Param {
            name: "materialize",
            kind: Kind::Switch,
            default: "false",
            about: "store the whole array (8 n^2 bytes) before reducing it",
            solution_only: false,
        },
    ],
    tasks: None,
    answer: "sum",
    variants: &[
        Variant {
            name: "chunks",
            about: "chunks drawn and reduced in parallel, their results combined in chunk order",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "bands",
            about: "a task per band of columns, top to bottom: partial results of n numbers \
                    in all",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "fused",
            about: "with --materialize, each chunk filled and reduced by one task, in one pass",
            agreement: Agreement::Exact,
        },
    ],
    feature_variants: &[],
    repeat: 3,
    warmup: 1,
    // A size 64 does not divide, so the edge chunks are smaller.
    quick: &[("n", "300"), ("chunk", "64")],
    validate: |params| {
        let (n, chunk) = (params.count("n"), params.count("chunk"));
        if chunk > n {
            return Err(format!("--chunk ({chunk}) must not exceed --n ({n})"));
        }
        Ok(())
    },
    memory: |params| {
        let (n, chunk) = (params.count("n"), params.count("chunk"));
        // Every chunk's column sums are kept until they are combined in chunk order; a
        // stored array adds 8 bytes a number.
        let chunks = n.div_ceil(chunk).pow(2);
        let partials = chunks * (56 + 8 * chunk);
        Some(if params.switch("materialize") {
            (
                partials + n * n * 8,
                format!("--materialize of a {n} x {n} array"),
            )
        } else {
            (
                partials,
                format!("--n {n} in {chunks} chunks of --chunk {chunk}"),
            )
        })
    },
};

/// The Dataframes lesson: a CSV file read in blocks in parallel, or by polars.
pub static DATAFRAMES: Lesson = Lesson {
    name: "dataframes",
    title: "Dataframes from a CSV file",
    summary: "Read a CSV file in byte blocks on several threads and merge partial \
              aggregates, or let polars do it; when parallel reading pays",
    text: "lessons/dataframes.md",
    params: &[
        Param {
            name: "input",
            kind: Kind::Input,
            default: "data/surveys.csv",
            about: "the surveys file: the real surveys.csv, or one `workbook data surveys` wrote",
            solution_only: false,
        },
        Param {
            name: "blocksize",
            // Each block is a task that opens the file: a smaller one only measures that.
            kind: Kind::Count {
                min: 1000,
                max: 1 << 40,
            },
            default: "250000",
            about: "bytes per block, like Dask's blocksize (at least 1000): the starter does \
                    not use it yet; yours will",
            solution_only: false,
        },
        Param {
            name: "quiet",
            kind: Kind::Switch,
            default: "false",
            about: "do not print the tables (head, tail, means, counts) after the summary",
            solution_only: false,
        },
    ],
    tasks: None,
    answer: "rows",
    variants: &[
        Variant {
            name: "blocks",
            about: "the text in memory cut into blocks at line endings, tallied by rayon, \
                    the tallies merged in file order",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "file",
            about: "each task reads its own block from the file: parallel reading, and the \
                    file never whole in memory",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "polars",
            about: "polars' lazy CSV scan and group-by, on polars' own thread pool (built with \
                    --features polars: 10-19 min)",
            agreement: Agreement::Exact,
        },
    ],
    feature_variants: &[("polars", "polars")],
    repeat: 5,
    warmup: 1,
    // The shipped file is already small; small blocks make several of them.
    quick: &[("blocksize", "100000")],
    validate: |_| Ok(()),
    memory: small_memory,
};

/// The Bags lesson: a pipeline over semi-structured records, partition by partition.
pub static BAGS: Lesson = Lesson {
    name: "bags",
    title: "Bags of semi-structured records",
    summary: "Parse, filter, flatten and fold JSON records partition by partition on a \
              thread pool; merge in order for the same answer",
    text: "lessons/bags.md",
    params: &[
        Param {
            name: "input",
            kind: Kind::Input,
            default: "data/people.jsonl",
            about: "JSON lines, one person a line: data/people.jsonl or one `workbook data people` wrote",
            solution_only: false,
        },
        Param {
            name: "npartitions",
            kind: Kind::Count {
                min: 1,
                max: 1_000_000,
            },
            default: "100",
            about: "partitions the records are split into, like Dask's from_sequence",
            solution_only: true,
        },
        Param {
            name: "quiet",
            kind: Kind::Switch,
            default: "false",
            about: "do not print the tables after the summary",
            solution_only: false,
        },
    ],
    tasks: Some("npartitions"),
    answer: "records",
    variants: &[
        Variant {
            name: "partitions",
            about: "partitions processed by rayon, partial results merged in partition order",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "reduce",
            about: "the partials merged as they come, by rayon's reduce (in order still)",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "auto",
            about: "--npartitions chosen by the solution: four a thread, at least one a MB",
            agreement: Agreement::Exact,
        },
    ],
    feature_variants: &[],
    repeat: 5,
    warmup: 1,
    quick: &[("npartitions", "7")],
    validate: |_| Ok(()),
    memory: small_memory,
};

/// `--work-ms`: simulated work, in milliseconds, for the lessons that simulate it.
const fn simulated_work_ms(default: &'static str, about: &'static str) -> Param {
    Param {
        name: "work-ms",
        kind: Kind::Real {
            min: 0.0,
            max: 60_000.0,
        },
        default,
        about,
        solution_only: false,
    }
}

/// `--work`: what the simulated work does (see `workbook::simulated`).
const SIMULATED_WORK_KIND: Param = Param {
    name: "work",
    kind: Kind::Choice(&["sleep", "spin"]),
    default: "sleep",
    about: "sleep: wait, like time.sleep or reading a file; spin: keep a core busy, like \
            arithmetic",
    solution_only: false,
};

/// Refuses a size whose serial run would simulate more than a day of work: a typo, not a
/// lesson. `what` names the flags that make it so.
fn under_a_day(serial_ms: f64, what: String) -> Result<(), String> {
    let hours = serial_ms / 3.6e6;
    if hours > 24.0 {
        return Err(format!(
            "{what} is {hours:.0} hours of serial work; keep it under a day"
        ));
    }
    Ok(())
}

/// The Delayed lesson: the source material's inc / double / add loop as a task graph.
pub static DELAYED: Lesson = Lesson {
    name: "delayed",
    title: "Task graphs",
    summary: "Run a graph of dependent tasks with rayon's join and scope; critical path, \
              ideal time and a picture of who ran what; waiting tasks against computing ones",
    text: "lessons/delayed.md",
    params: &[
        Param {
            name: "n",
            kind: Kind::Count {
                min: 1,
                max: 1_000_000,
            },
            default: "5",
            about: "length of the data: the source material's [1, 2, 3, 4, 5] is n = 5",
            solution_only: false,
        },
        simulated_work_ms(
            "100",
            "simulated work in every inc, double and add, in milliseconds",
        ),
        SIMULATED_WORK_KIND,
        Param {
            name: "gantt",
            kind: Kind::OptionalOutput,
            default: "",
            about: "draw the last run's task stream as a PNG: one lane per thread",
            solution_only: false,
        },
        Param {
            name: "trace",
            kind: Kind::OptionalOutput,
            default: "",
            about: "write the last run's task stream as CSV: task, thread, start, end",
            solution_only: false,
        },
        Param {
            name: "dot",
            kind: Kind::OptionalOutput,
            default: "",
            about: "write the task graph as Graphviz DOT (draw it with `dot -Tpng`)",
            solution_only: false,
        },
    ],
    tasks: None,
    answer: "total",
    variants: &[
        Variant {
            name: "join",
            about: "each x in parallel, its inc and double side by side with rayon::join, \
                    then add; the sum once every add is done",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "scope",
            about: "the task graph itself, run in rayon::scope: a task is spawned the moment \
                    its last input is ready, like Dask's scheduler",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "loop",
            about: "a parallel loop only: each x in parallel, but its inc, double and add one \
                    after another",
            agreement: Agreement::Exact,
        },
    ],
    feature_variants: &[],
    repeat: 3,
    // Sleeping or spinning has nothing to warm up.
    warmup: 0,
    // 16 tasks of 2 ms: every variant, thread count and kind of work in well under a second.
    quick: &[("work-ms", "2")],
    validate: |params| {
        let tasks = 3.0 * params.count("n") as f64;
        under_a_day(
            tasks * params.real("work-ms"),
            format!(
                "--n {} with --work-ms {}",
                params.count("n"),
                params.real("work-ms")
            ),
        )
    },
    memory: small_memory,
};

/// The SWMR lesson: frames of a live HDF5 file processed as they arrive.
pub static SWMR: Lesson = Lesson {
    name: "swmr",
    title: "Following a live HDF5 file",
    summary: "Follow the keys of an HDF5 file a detector is still writing (SWMR), read each \
              frame as it arrives on one thread and process frames on a thread pool; \
              batches of frames per task",
    text: "lessons/swmr.md",
    params: &[
        Param {
            name: "frames",
            kind: Kind::Count {
                min: 1,
                max: 1_000_000,
            },
            default: "25",
            about: "frames the simulated detector writes (the source material's 5 x 5 scan)",
            solution_only: false,
        },
        Param {
            name: "interval-ms",
            kind: Kind::Real {
                min: 0.0,
                max: 60_000.0,
            },
            default: "10",
            about: "time between two frames written, in milliseconds",
            solution_only: false,
        },
        simulated_work_ms(
            "1000",
            "the long function's work on each frame, in milliseconds (the source material's \
             time.sleep(1))",
        ),
        SIMULATED_WORK_KIND,
        Param {
            name: "timeout-ms",
            kind: Kind::Real {
                min: 1.0,
                max: 3_600_000.0,
            },
            default: "5000",
            about: "how long to wait for a new key before deciding the writer has stopped",
            solution_only: false,
        },
        Param {
            name: "input",
            kind: Kind::OptionalInput,
            default: "",
            about: "follow this file (from swmr-writer, h5py, a detector) instead of starting \
                    the simulated detector",
            solution_only: false,
        },
        Param {
            name: "keys",
            kind: Kind::Text,
            default: "keys/key_1",
            about: "the key datasets of --input, comma-separated, or a group whose datasets \
                    are all keys (swmr_tools' key_datasets)",
            solution_only: false,
        },
        Param {
            name: "data",
            kind: Kind::Text,
            default: "data/data",
            about: "the dataset of --input that holds the frames",
            solution_only: false,
        },
        Param {
            name: "finished",
            kind: Kind::Text,
            default: "keys/finished",
            about: "the dataset of --input, of shape (1,), that the writer sets when the scan \
                    is done (at the default, followed only if the file has it)",
            solution_only: false,
        },
        Param {
            name: "batch",
            kind: Kind::Count {
                min: 1,
                max: 1_000_000,
            },
            default: "10",
            about: "frames per task in the batches variant: more amortise the cost of a task \
                    over more frames",
            solution_only: true,
        },
    ],
    tasks: None,
    answer: "frames",
    variants: &[
        Variant {
            name: "pool",
            about: "frames read on the main thread, each processed as a task on rayon's pool \
                    as it arrives, results put back in key order",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "batches",
            about: "the same, --batch frames per task",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "bridge",
            about: "frames sent down a channel that rayon's par_bridge drains on the pool",
            agreement: Agreement::Exact,
        },
    ],
    feature_variants: &[],
    // The source material's case takes 25 s serially: once is enough.
    repeat: 1,
    warmup: 0,
    quick: &[
        ("frames", "6"),
        ("work-ms", "20"),
        ("interval-ms", "2"),
        ("timeout-ms", "3000"),
    ],
    validate: |params| {
        let frames = params.count("frames");
        if params.optional_path("input").is_none() {
            let changed = ["keys", "data", "finished"].into_iter().find(|name| {
                let default = SWMR.param(name).map_or("", |param| param.default);
                params.text(name) != default
            });
            if let Some(name) = changed {
                return Err(format!(
                    "--{name} names datasets in the file given with --input; the simulated \
                     detector writes its own (data/data, keys/key_1, keys/finished)"
                ));
            }
        }
        under_a_day(
            frames as f64 * (params.real("work-ms") + params.real("interval-ms")),
            format!("{frames} frames of --work-ms {}", params.real("work-ms")),
        )
    },
    memory: small_memory,
};

/// The Mandelbrot lesson: rows of a picture in parallel, and the load balance of work whose
/// cost differs from row to row.
pub static MANDELBROT: Lesson = Lesson {
    name: "mandelbrot",
    title: "The Mandelbrot set",
    summary: "Rows of a picture in parallel; load balance when some rows cost far more than \
              others, with work stealing or rows dealt like cards; a faster test that gives the \
              same answer",
    text: "lessons/mandelbrot.md",
    params: &[
        Param {
            name: "h",
            kind: Kind::Count { min: 1, max: 8000 },
            default: "2000",
            about: "the grid has 4h+1 columns (the source material's h)",
            solution_only: false,
        },
        Param {
            name: "w",
            kind: Kind::Count { min: 1, max: 8000 },
            default: "2000",
            about: "the grid has 3w+1 rows (the source material's w)",
            solution_only: false,
        },
        Param {
            name: "maxit",
            kind: Kind::Count {
                min: 1,
                max: 1_000_000,
            },
            default: "20",
            about: "iterations before a point counts as inside the set",
            solution_only: false,
        },
        Param {
            name: "output",
            kind: Kind::Output,
            default: "mandelbrot.png",
            about: "where to write the picture (PNG), once the timed runs are done",
            solution_only: false,
        },
        Param {
            name: "costs",
            kind: Kind::Switch,
            default: "false",
            about: "also print how the work is spread over bands of rows and strips of columns",
            solution_only: false,
        },
    ],
    tasks: None,
    answer: "checksum",
    variants: &[
        Variant {
            name: "rows",
            about: "one row at a time, rows shared out by rayon's work stealing",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "strips",
            about: "a static split: one vertical strip of equal width per thread",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "dealt",
            about: "a static split that balances: row j to thread j mod p, like cards",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "tiles",
            about: "64 x 64 tiles, shared out by work stealing",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "pixels",
            about: "every point on its own, split by ndarray's parallel Zip",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "full",
            about: "like the source material's NumPy code: every point runs all maxit iterations",
            agreement: Agreement::Exact,
        },
        Variant {
            name: "modulus",
            about: "rows, with a test cheaper than hypot that gives exactly its verdict",
            agreement: Agreement::Exact,
        },
    ],
    feature_variants: &[],
    repeat: 3,
    warmup: 1,
    quick: &[("h", "60"), ("w", "40"), ("maxit", "50")],
    validate: |_| Ok(()),
    memory: |params| {
        let (h, w) = (params.count("h"), params.count("w"));
        let (rows, cols) = (3 * w + 1, 4 * h + 1);
        // Four bytes a point for the divergence times, three for the picture's colours.
        Some((
            rows * cols * 7,
            format!("--h {h} --w {w} ({rows} x {cols} points)"),
        ))
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_defaults_are_consistent() {
        for lesson in LESSONS {
            assert!(
                lookup_is_unique(lesson.name),
                "{} listed twice",
                lesson.name
            );
            assert!(
                !lesson.variants.is_empty(),
                "{} has no variants",
                lesson.name
            );
            for param in lesson.params {
                let parsed = crate::params::parse_value(&param.kind, param.default);
                assert!(
                    parsed.is_ok(),
                    "{} --{}: {:?}",
                    lesson.name,
                    param.name,
                    parsed
                );
                assert!(
                    !matches!(
                        param.name,
                        "threads" | "repeat" | "warmup" | "json" | "variant"
                    ),
                    "{} --{} clashes with a harness flag",
                    lesson.name,
                    param.name
                );
            }
            if let Some(tasks) = lesson.tasks {
                assert!(
                    lesson.param(tasks).is_some(),
                    "{}: tasks flag --{tasks}",
                    lesson.name
                );
            }
            for (name, value) in lesson.quick {
                let param = lesson.param(name).expect("quick size names a lesson flag");
                assert!(crate::params::parse_value(&param.kind, value).is_ok());
            }
        }
    }

    fn lookup_is_unique(name: &str) -> bool {
        LESSONS.iter().filter(|lesson| lesson.name == name).count() == 1
    }
}
