//! The lesson registry: the one list of lessons that the lesson binaries, the `workbook`
//! command, the tests and the README table are all built from. A lesson is added here once,
//! with its packages `exercises/<name>` and `solutions/<name>`.

pub use crate::answer::Agreement;
pub use crate::lesson::{Lesson, Side, Variant};
pub use crate::params::{Kind, Param, Params};
pub use crate::roofline::Work;

use crate::answer::Value;
use crate::fields::find;

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
    &RANKS,
];

/// Looks a lesson up by name.
pub fn lesson(name: &str) -> Option<&'static Lesson> {
    LESSONS.iter().copied().find(|lesson| lesson.name == name)
}

const TRILLION: u64 = 1_000_000_000_000;
const MILLION: u64 = 1_000_000;

/// The Pi lesson: the midpoint rule in independent chunks, the `Client.map` idea.
pub static PI: Lesson = Lesson {
    name: "pi",
    title: "Pi by the midpoint rule",
    summary: "Split a sum into chunks, map them over a thread pool, combine in a fixed order; \
              the cost of a task",
    text: "lessons/pi.md",
    params: &[
        Param::count("n", "10000000", 1..=TRILLION).about("number of slices of [0, 1]"),
        Param::count("chunks", "1000", 1..=MILLION)
            .about("number of chunks the slices are split into (at most --n)"),
    ],
    tasks: Some("chunks"),
    answer: "pi",
    variants: &[
        Variant::exact("rayon").about("chunks mapped with a rayon parallel iterator"),
        Variant::exact("spawn").about("one rayon task per chunk, like Dask's client.submit"),
        Variant::exact("threads").about("std::thread::scope with one block of chunks per thread"),
        Variant::close("lanes", 1e-12, 0.0)
            .about("rayon plus eight independent sums per chunk, so the compiler can vectorise"),
    ],
    // An n that 64 does not divide, so chunks differ in length and lane tails are used.
    quick: &[("n", "200003"), ("chunks", "64")],
    validate: chunks_within_slices,
    work: |params, _| Some(pi_work(params)),
    ..Lesson::DEFAULTS
};

/// Pi's midpoint rule: seven f64 operations a slice (three multiplies, a divide, three
/// adds) and one partial sum a chunk in memory. The divide is counted as one operation,
/// though a core does far fewer divides than multiply-adds a second.
fn pi_work(params: &Params) -> Work {
    Work::new(
        7.0 * params.count("n") as f64,
        8.0 * params.count("chunks") as f64,
    )
}

/// Pi's midpoint rule (the Pi and Ranks lessons): every chunk needs a slice.
fn chunks_within_slices(params: &Params) -> Result<(), String> {
    let (n, chunks) = (params.count("n"), params.count("chunks"));
    if chunks > n {
        return Err(format!(
            "--chunks ({chunks}) must not exceed --n ({n}): a chunk needs a slice"
        ));
    }
    Ok(())
}

/// The Sharing lesson: one table of counts that many threads add to.
pub static SHARING: Lesson = Lesson {
    name: "sharing",
    title: "Sharing results between threads",
    summary: "Count into one table from many threads: what rustc refuses and why (Send, \
              Sync), a lock, atomics, a table per task merged at the end; false sharing",
    text: "lessons/sharing.md",
    params: &[Param::count("n", "50000000", 1..=TRILLION)
        .about("how many numbers' first two digits to count")],
    answer: "counts",
    variants: &[
        Variant::exact("fold").about("a table per rayon task (fold), added up at the end (reduce)"),
        Variant::exact("mutex").about("one table behind a Mutex, locked for every count"),
        Variant::exact("atomic")
            .about("one table of AtomicU64 counters, fetch_add with Relaxed ordering"),
        Variant::exact("interleaved")
            .about("a table per thread, the threads' counters side by side: false sharing"),
        Variant::exact("padded").about("a table per thread, each on cache lines of its own"),
        Variant::exact("scoped")
            .about("std::thread::scope, one block per thread: each returns its own table"),
        Variant::exact("batched")
            .about("the atomic table, added to once per chunk from a table per task"),
    ],
    repeat: 3,
    // An n that no thread count divides evenly.
    quick: &[("n", "100003")],
    ..Lesson::DEFAULTS
};

/// The Arrays lesson: a chunked random array reduced in parallel, lazily or stored.
pub static ARRAYS: Lesson = Lesson {
    name: "arrays",
    title: "Chunked arrays",
    summary: "A big random array in chunks: draw, reduce and combine them in parallel, \
              lazily or stored; the same sum on any number of threads",
    text: "lessons/arrays.md",
    params: &[
        Param::count("n", "10000", 1..=100_000)
            .about("the array is n x n")
            .side_of_square(),
        Param::count("chunk", "1000", 1..=100_000)
            .about("chunks are chunk x chunk (smaller at the edges), at most n"),
        Param::count("seed", "42", 0..=u64::MAX)
            .about("seed of the random numbers; each chunk's generator comes from it"),
        Param::switch("materialize")
            .about("store the whole array (8 n^2 bytes) before reducing it"),
    ],
    answer: "sum",
    variants: &[
        Variant::exact("chunks")
            .about("chunks drawn and reduced in parallel, their results combined in chunk order"),
        Variant::exact("bands").about(
            "a task per band of columns, top to bottom: partial results of n numbers in all",
        ),
        Variant::exact("fused")
            .about("with --materialize, each chunk filled and reduced by one task, in one pass"),
        Variant::exact("fast").about(
            "eight chunks' generators side by side in vector registers (AVX-512 or AVX2, \
             chosen at run time); with --materialize, fused",
        ),
    ],
    repeat: 3,
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
        Some(match params.switch("materialize") {
            true => (
                partials + n * n * 8,
                format!("--materialize of a {n} x {n} array"),
            ),
            false => (
                partials,
                format!("--n {n} in {chunks} chunks of --chunk {chunk}"),
            ),
        })
    },
    // Two f64 operations a number (scaling the random bits to [0, 1), adding it to its
    // column's sum). Drawn lazily, the numbers never reach memory: only the chunks' column
    // sums do. Stored, each is written once and read once.
    work: |params, _| {
        let (n, chunk) = (params.count("n") as f64, params.count("chunk") as f64);
        let bytes = match params.switch("materialize") {
            true => 16.0 * n * n,
            false => 8.0 * (n / chunk).ceil().powi(2) * chunk,
        };
        Some(Work::new(2.0 * n * n, bytes))
    },
    ..Lesson::DEFAULTS
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
        Param::count("h", "2000", 1..=8000)
            .about("the grid has 4h+1 columns (the source material's h)"),
        Param::count("w", "2000", 1..=8000)
            .about("the grid has 3w+1 rows (the source material's w)"),
        Param::count("maxit", "20", 1..=MILLION)
            .about("iterations before a point counts as inside the set"),
        Param::output("output", "mandelbrot.png")
            .about("where to write the picture (PNG), once the timed runs are done"),
        Param::switch("costs")
            .about("also print how the work is spread over bands of rows and strips of columns"),
    ],
    answer: "checksum",
    variants: &[
        Variant::exact("rows").about("one row at a time, rows shared out by rayon's work stealing"),
        Variant::exact("strips")
            .about("a static split: one vertical strip of equal width per thread"),
        Variant::exact("dealt")
            .about("a static split that balances: row j to thread j mod p, like cards"),
        Variant::exact("tiles").about("64 x 64 tiles, shared out by work stealing"),
        Variant::exact("pixels").about("every point on its own, split by ndarray's parallel Zip"),
        Variant::exact("full")
            .about("like the source material's NumPy code: every point runs all maxit iterations"),
        Variant::exact("modulus")
            .about("rows, with a test cheaper than hypot that gives exactly its verdict"),
        Variant::exact("fast").about(
            "modulus's test on eight points at once in vector registers (AVX-512 or AVX2, \
             chosen at run time): near the machine's limit",
        ),
    ],
    repeat: 3,
    quick: &[("h", "60"), ("w", "40"), ("maxit", "50")],
    memory: |params| {
        let (h, w) = (params.count("h"), params.count("w"));
        let (rows, cols) = (3 * w + 1, 4 * h + 1);
        // Four bytes a point for the divergence times, three for the picture's colours.
        let what = format!("--h {h} --w {w} ({rows} x {cols} points)");
        Some((rows * cols * 7, what))
    },
    work: |_, answer| mandelbrot_work(answer),
    ..Lesson::DEFAULTS
};

/// Mandelbrot's iterations, from the answer: a point that left the circle at step t took
/// t + 1 iterations (the checksum adds up the t's), one that never left took maxit (its t).
/// Eight f64 operations an iteration at the least: z * z + c in five multiplies and adds
/// beside re * re and im * im, which |z|^2 reuses with one add. Four bytes a point written.
fn mandelbrot_work(answer: &[(String, Value)]) -> Option<Work> {
    let whole = |name: &str| match find(answer, name) {
        Some(Value::UInt(value)) => Some(*value as f64),
        _ => None,
    };
    let points = whole("rows")? * whole("cols")?;
    let iterations = whole("checksum")? + points - whole("never_diverged")?;
    Some(Work::new(8.0 * iterations, 4.0 * points))
}

/// The size of an input file, for the lessons whose work is reading it; none if it cannot
/// be read (the run itself says why).
fn input_bytes(params: &Params) -> Option<f64> {
    std::fs::metadata(params.input("input"))
        .ok()
        .map(|metadata| metadata.len() as f64)
}

/// `--work-ms`: simulated work, in milliseconds, for the lessons that simulate it.
const fn simulated_work_ms(default: &'static str, about: &'static str) -> Param {
    Param::real("work-ms", default, 0.0, 60_000.0).about(about)
}

/// `--work`: what the simulated work does (see `workbook::simulated`).
const SIMULATED_WORK_KIND: Param = Param::choice("work", "sleep", &["sleep", "spin"]).about(
    "sleep: wait, like time.sleep or reading a file; spin: keep a core busy, like arithmetic",
);

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
        Param::count("n", "5", 1..=MILLION)
            .about("length of the data: the source material's [1, 2, 3, 4, 5] is n = 5"),
        simulated_work_ms(
            "100",
            "simulated work in every inc, double and add, in milliseconds",
        ),
        SIMULATED_WORK_KIND,
        Param::optional_output("gantt")
            .about("draw the last run's task stream as a PNG: one lane per thread"),
        Param::optional_output("trace")
            .about("write the last run's task stream as CSV: task, thread, start, end"),
        Param::optional_output("dot")
            .about("write the task graph as Graphviz DOT (draw it with `dot -Tpng`)"),
    ],
    answer: "total",
    variants: &[
        Variant::exact("join").about(
            "each x in parallel, its inc and double side by side with rayon::join, then add; \
             the sum once every add is done",
        ),
        Variant::exact("scope").about(
            "the task graph itself, run in rayon::scope: a task is spawned the moment its last \
             input is ready, like Dask's scheduler",
        ),
        Variant::exact("loop").about(
            "a parallel loop only: each x in parallel, but its inc, double and add one after \
             another",
        ),
    ],
    repeat: 3,
    // Sleeping or spinning has nothing to warm up.
    warmup: 0,
    // 16 tasks of 2 ms: every variant, thread count and kind of work in well under a second.
    quick: &[("work-ms", "2")],
    validate: |params| {
        let (n, work_ms) = (params.count("n"), params.real("work-ms"));
        let what = format!("--n {n} with --work-ms {work_ms}");
        under_a_day(3.0 * n as f64 * work_ms, what)
    },
    ..Lesson::DEFAULTS
};

/// The Bags lesson: a pipeline over semi-structured records, partition by partition.
pub static BAGS: Lesson = Lesson {
    name: "bags",
    title: "Bags of semi-structured records",
    summary: "Parse, filter, flatten and fold JSON records partition by partition on a \
              thread pool; merge in order for the same answer",
    text: "lessons/bags.md",
    params: &[
        Param::input("input", "data/people.jsonl").about(
            "JSON lines, one person a line: data/people.jsonl or one `workbook data people` wrote",
        ),
        Param::count("npartitions", "100", 1..=MILLION)
            .about("partitions the records are split into, like Dask's from_sequence")
            .solution_only(),
        Param::switch("quiet").about("do not print the tables after the summary"),
    ],
    tasks: Some("npartitions"),
    answer: "records",
    variants: &[
        Variant::exact("partitions")
            .about("partitions processed by rayon, partial results merged in partition order"),
        Variant::exact("reduce")
            .about("the partials merged as they come, by rayon's reduce (in order still)"),
        Variant::exact("auto")
            .about("--npartitions chosen by the solution: four a thread, at least one a MB"),
        Variant::exact("fast").about(
            "records that borrow their text from the line, names counted in a hash table per \
             partition: far less copying",
        ),
    ],
    quick: &[("npartitions", "7")],
    // Every byte of the file is read and parsed; the arithmetic is a few adds a record.
    work: |params, _| Some(Work::new(0.0, input_bytes(params)?)),
    ..Lesson::DEFAULTS
};

/// The Dataframes lesson: a CSV file read in blocks in parallel, or by polars.
pub static DATAFRAMES: Lesson = Lesson {
    name: "dataframes",
    title: "Dataframes from a CSV file",
    summary: "Read a CSV file in byte blocks on several threads and merge partial \
              aggregates, or let polars do it; when parallel reading pays",
    text: "lessons/dataframes.md",
    params: &[
        Param::input("input", "data/surveys.csv")
            .about("the surveys file: the real surveys.csv, or one `workbook data surveys` wrote"),
        // Each block is a task that opens the file: a smaller one only measures that.
        Param::count("blocksize", "250000", 1000..=1 << 40).about(
            "bytes per block, like Dask's blocksize (at least 1000): the starter does not use \
             it yet; yours will",
        ),
        Param::switch("quiet")
            .about("do not print the tables (head, tail, means, counts) after the summary"),
    ],
    answer: "rows",
    variants: &[
        Variant::exact("blocks").about(
            "the text in memory cut into blocks at line endings, tallied by rayon, the tallies \
             merged in file order",
        ),
        Variant::exact("file").about(
            "each task reads its own block from the file: parallel reading, and the file never \
             whole in memory",
        ),
        Variant::exact("fast").about(
            "blocks of at least 4 MB read by a parser of its own (memchr, only the fields it \
             uses); a block it cannot read plainly goes to the csv reader",
        ),
        Variant::exact("polars").about(
            "polars' lazy CSV scan and group-by, on polars' own thread pool (built with \
             --features polars: 10-19 min)",
        ),
    ],
    feature_variants: &[("polars", "polars")],
    // The shipped file is already small; small blocks make several of them.
    quick: &[("blocksize", "100000")],
    // Every byte of the file is read and split into fields; the means are a few adds a row.
    work: |params, _| Some(Work::new(0.0, input_bytes(params)?)),
    ..Lesson::DEFAULTS
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
        Param::count("frames", "25", 1..=MILLION)
            .about("frames the simulated detector writes (the source material's 5 x 5 scan)"),
        Param::real("interval-ms", "10", 0.0, 60_000.0)
            .about("time between two frames written, in milliseconds"),
        simulated_work_ms(
            "1000",
            "the long function's work on each frame, in milliseconds (the source material's \
             time.sleep(1))",
        ),
        SIMULATED_WORK_KIND,
        Param::real("timeout-ms", "5000", 1.0, 3_600_000.0)
            .about("how long to wait for a new key before deciding the writer has stopped"),
        Param::optional_input("input").about(
            "follow this file (from swmr-writer, h5py, a detector) instead of starting the \
             simulated detector",
        ),
        Param::text("keys", "keys/key_1").about(
            "the key datasets of --input, comma-separated, or a group whose datasets are all \
             keys (swmr_tools' key_datasets)",
        ),
        Param::text("data", "data/data").about("the dataset of --input that holds the frames"),
        Param::text("finished", "keys/finished").about(
            "the dataset of --input, of shape (1,), that the writer sets when the scan is done \
             (at the default, followed only if the file has it)",
        ),
        Param::count("batch", "10", 1..=MILLION)
            .about(
                "frames per task in the batches variant: more amortise the cost of a task over \
                 more frames",
            )
            .solution_only(),
    ],
    answer: "frames",
    variants: &[
        Variant::exact("pool").about(
            "frames read on the main thread, each processed as a task on rayon's pool as it \
             arrives, results put back in key order",
        ),
        Variant::exact("batches").about("the same, --batch frames per task"),
        Variant::exact("bridge")
            .about("frames sent down a channel that rayon's par_bridge drains on the pool"),
    ],
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
        let (work_ms, interval_ms) = (params.real("work-ms"), params.real("interval-ms"));
        let what = format!("{frames} frames of --work-ms {work_ms}");
        under_a_day(frames as f64 * (work_ms + interval_ms), what)
    },
    ..Lesson::DEFAULTS
};

/// The Ranks lesson: past one node, with MPI ranks that each run a rayon pool.
pub static RANKS: Lesson = Lesson {
    name: "ranks",
    title: "Beyond one node: MPI ranks",
    summary: "Split Pi's chunks and Mandelbrot's rows over MPI ranks, rayon threads inside \
              each rank; gather to rank 0 in a fixed order for the same bits; a reduction \
              against a large gather (built with --features mpi)",
    text: "lessons/ranks.md",
    params: &[
        Param::choice("problem", "pi", &["pi", "mandelbrot"])
            .about("pi: one number a chunk to bring together; mandelbrot: a whole picture"),
        Param::count("n", "200000000", 1..=TRILLION).about("pi: number of slices of [0, 1]"),
        Param::count("chunks", "1000", 1..=MILLION)
            .about("pi: number of chunks the slices are split into (at most --n)"),
        Param::count("h", "2000", 1..=8000)
            .about("mandelbrot: the grid has 4h+1 columns (the Mandelbrot lesson's h)"),
        Param::count("w", "2000", 1..=8000)
            .about("mandelbrot: the grid has 3w+1 rows (the Mandelbrot lesson's w)"),
        Param::count("maxit", "20", 1..=MILLION)
            .about("mandelbrot: iterations before a point counts as inside the set"),
        Param::optional_output("output")
            .about("mandelbrot: write the picture (PNG) here, once the timed runs are done"),
        Param::count("ranks", "1", 1..=100_000)
            .about(
                "the MPI ranks this run is started on (mpirun -n RANKS); checked against \
                 MPI's own count",
            )
            .solution_only(),
    ],
    tasks: None,
    answer: "pi",
    variants: &[
        Variant::exact("blocks")
            .about("each rank takes one block of consecutive chunks or rows, then rank 0 gathers"),
        Variant::exact("cyclic")
            .about("chunks or rows dealt to the ranks like cards, for load balance, then gathered"),
        Variant::close("reduce", 1e-12, 0.0).about(
            "blocks, combined by MPI's reduce: pi's sums in an order that depends on the ranks; \
             the picture as every rank's whole grid, added up",
        ),
    ],
    quick: &[
        ("n", "200003"),
        ("chunks", "64"),
        ("h", "60"),
        ("w", "40"),
        ("maxit", "50"),
    ],
    validate: chunks_within_slices,
    memory: |params| {
        let (h, w) = (params.count("h"), params.count("w"));
        let (rows, cols) = (3 * w + 1, 4 * h + 1);
        // Rank 0 holds the gathered times twice (as they came, and in row order) and the
        // picture's colours.
        let what = format!("--h {h} --w {w} ({rows} x {cols} points)");
        (params.choice("problem") == "mandelbrot").then(|| (rows * cols * 11, what))
    },
    beyond_one_node: true,
    work: |params, answer| match params.choice("problem") {
        "pi" => Some(pi_work(params)),
        _ => mandelbrot_work(answer),
    },
    ..Lesson::DEFAULTS
};
