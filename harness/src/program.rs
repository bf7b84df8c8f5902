//! The driver every lesson binary runs: parse the flags, size rayon's pool, time the
//! lesson's computation, check that repeated runs agree, and print the record.

use std::time::Instant;

use crate::answer::{Agreement, EXIT_INCOMPLETE, ToAnswer, Value};
use crate::flags::{self, Command, Invocation};
use crate::lesson::{Lesson, Side};
use crate::machine::{Machine, available_cpus, peak_rss_bytes};
use crate::params::Params;
use crate::record::{Ranks, Record};
use crate::roofline::{Limits, Work};

type Compute<R> = Box<dyn Fn(&Params) -> R>;
type Finish<R> = Box<dyn Fn(&Params, &R) -> Result<String, String>>;

/// A lesson binary: which lesson, which side, and the computation of each variant.
///
/// ```no_run
/// use workbook::{Program, registry::PI};
///
/// fn main() {
///     Program::exercise(&PI).run(|params| params.count("n") as f64);
/// }
/// ```
pub struct Program<R> {
    lesson: &'static Lesson,
    side: Side,
    /// `None`: a variant left out of this build (its cargo feature is off).
    extra_variants: Vec<(&'static str, Option<Compute<R>>)>,
    finish: Option<Finish<R>>,
    /// Where this process stands among MPI ranks, if MPI started it (`on_ranks`).
    place: Option<Place>,
}

/// This process's rank, and the node of every rank (known on rank 0 only).
struct Place {
    rank: usize,
    ranks: usize,
    nodes: Vec<String>,
}

/// How a run ends when it cannot go on: the message and the exit code.
struct Failure {
    code: i32,
    message: String,
}

impl<R: ToAnswer + 'static> Program<R> {
    /// The serial starter of `lesson`.
    pub fn exercise(lesson: &'static Lesson) -> Program<R> {
        Program {
            lesson,
            side: Side::Exercise,
            extra_variants: Vec::new(),
            finish: None,
            place: None,
        }
    }

    /// The parallel solution of `lesson`.
    pub fn solution(lesson: &'static Lesson) -> Program<R> {
        Program {
            lesson,
            side: Side::Solution,
            extra_variants: Vec::new(),
            finish: None,
            place: None,
        }
    }

    /// Adds a solution variant other than the default, chosen with `--variant <name>`.
    pub fn variant(
        mut self,
        name: &'static str,
        compute: impl Fn(&Params) -> R + 'static,
    ) -> Program<R> {
        self.extra_variants.push((name, Some(Box::new(compute))));
        self
    }

    /// Names a variant that this build leaves out, because the cargo feature it needs is
    /// off (see `Lesson::feature_variants`): asked for, it says in one line how to build it.
    pub fn unbuilt_variant(mut self, name: &'static str) -> Program<R> {
        self.extra_variants.push((name, None));
        self
    }

    /// Work to do once, untimed, with the last run's result: writing a picture, say. It
    /// returns a note for the reader ("picture written to ..."), which the harness prints
    /// after the summary (on stderr with `--json`, so that stdout stays one record).
    pub fn finish(
        mut self,
        finish: impl Fn(&Params, &R) -> Result<String, String> + 'static,
    ) -> Program<R> {
        self.finish = Some(Box::new(finish));
        self
    }

    /// Says that this process is rank `rank` of `ranks` MPI ranks, with the node of every
    /// rank (gathered on rank 0; other ranks may pass none). Every rank then runs and times
    /// the computation, but only rank 0 prints the record, which carries the ranks; a flag
    /// error, the same on every rank, is printed by rank 0 alone.
    pub fn on_ranks(mut self, rank: usize, ranks: usize, nodes: Vec<String>) -> Program<R> {
        self.place = Some(Place { rank, ranks, nodes });
        self
    }

    /// Runs the program with `compute` as its default computation, then exits.
    pub fn run(self, compute: impl Fn(&Params) -> R + 'static) -> ! {
        std::process::exit(self.exit_code(compute))
    }

    /// Runs the program like `run`, but returns the exit code instead of exiting: for a
    /// program that must clean up before it exits (MPI's finalize).
    pub fn exit_code(self, compute: impl Fn(&Params) -> R + 'static) -> i32 {
        self.check_variants();
        let binary = match self.side {
            Side::Exercise => self.lesson.exercise_binary(),
            Side::Solution => self.lesson.solution_binary(),
        };
        match self.try_run(Box::new(compute)) {
            Ok(code) => code,
            Err(failure) => {
                match &self.place {
                    // A usage error is every rank's: rank 0 says it for all.
                    Some(place) if place.rank != 0 && failure.code == 2 => {}
                    Some(place) if place.ranks > 1 => {
                        eprintln!("{binary}: error: rank {}: {}", place.rank, failure.message)
                    }
                    _ => eprintln!("{binary}: error: {}", failure.message),
                }
                failure.code
            }
        }
    }

    /// The ranks `--ranks` asks for must be the ranks MPI started, and a build without MPI
    /// starts one.
    fn check_ranks(&self, params: &Params) -> Result<(), Failure> {
        if self.lesson.param("ranks").is_none() || self.side != Side::Solution {
            return Ok(());
        }
        let asked = params.count("ranks") as usize;
        let binary = self.lesson.solution_binary();
        let message = match &self.place {
            None if asked > 1 => format!(
                "--ranks {asked} needs MPI, which this build leaves out: build it with `cargo \
                 build --release --bin {binary} --features mpi` (lessons/{}.md says how to \
                 install MPI), then `mpirun -n {asked} target/release/{binary} --ranks {asked}`",
                self.lesson.name
            ),
            Some(place) if place.ranks != asked => format!(
                "--ranks {asked}, but MPI started {} rank(s): start it with `mpirun -n {asked}` \
                 (or `srun -n {asked}` in a Slurm job)",
                place.ranks
            ),
            _ => return Ok(()),
        };
        Err(Failure { code: 2, message })
    }

    /// What to do to get a variant this build left out.
    fn unbuilt_message(&self, variant: &str) -> String {
        let feature = self.lesson.variant_feature(variant).unwrap_or(variant);
        format!(
            "--variant {variant} is not in this build: build it with `cargo run --release --bin \
             {} --features {feature}` (or `workbook compare {} --variant {variant}`, which does)",
            self.lesson.solution_binary(),
            self.lesson.name
        )
    }

    /// The registry and the binary must name the same variants; a mismatch is a bug in
    /// the lesson, found by the tests that run every variant.
    fn check_variants(&self) {
        let registered: Vec<_> = self.extra_variants.iter().map(|(name, _)| *name).collect();
        let expected: Vec<_> = match self.side {
            Side::Exercise => Vec::new(),
            Side::Solution => self.lesson.variants[1..].iter().map(|v| v.name).collect(),
        };
        assert_eq!(
            registered, expected,
            "{}: the program's variants must match the registry's, in order",
            self.lesson.name
        );
    }

    /// Runs the program; the exit code: 0, or `EXIT_INCOMPLETE` for a run whose input
    /// ended early.
    fn try_run(&self, default: Compute<R>) -> Result<i32, Failure> {
        let args = command_line()?;
        let invocation = match flags::parse(self.lesson, self.side, &args) {
            Ok(Command::Run(invocation)) => invocation,
            Ok(Command::Help(text)) => return emit(&text).map(|()| 0),
            Err(message) => return Err(Failure { code: 2, message }),
        };
        self.check_ranks(&invocation.params)?;
        let threads = invocation.params.threads();
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| Failure {
                code: 1,
                message: format!("cannot start {threads} threads: {e}"),
            })?;

        let compute = if invocation.variant.name == self.lesson.default_variant().name {
            &default
        } else {
            let found = self
                .extra_variants
                .iter()
                .find(|(name, _)| *name == invocation.variant.name);
            match &found.expect("variants checked against the registry").1 {
                Some(compute) => compute,
                None => {
                    return Err(Failure {
                        code: 2,
                        message: self.unbuilt_message(invocation.variant.name),
                    });
                }
            }
        };
        let (record, last) = self.measure(&invocation, compute)?;
        let note = match &self.finish {
            Some(finish) => {
                finish(&invocation.params, &last).map_err(|message| Failure { code: 1, message })?
            }
            None => String::new(),
        };

        let code = match last.incomplete() {
            Some(_) => EXIT_INCOMPLETE,
            None => 0,
        };
        if self.place.as_ref().is_some_and(|place| place.rank != 0) {
            return Ok(code);
        }
        if invocation.json {
            eprint!("{note}");
            return emit(&format!("{}\n", record.to_json())).map(|()| code);
        }
        for warning in &record.warnings {
            eprintln!("warning: {warning}");
        }
        if !record.answers_identical {
            eprintln!(
                "warning: the runs did not all give the same answer: a race, or a sum whose \
                 order depends on the scheduling"
            );
        }
        emit(&format!("{}{note}", record.human_summary())).map(|()| code)
    }

    /// Warm-up runs, then timed runs. Only the computation is timed; every run's answer is
    /// kept to check that they all agree, and the last run's result is returned for
    /// `finish`.
    fn measure(
        &self,
        invocation: &Invocation,
        compute: &Compute<R>,
    ) -> Result<(Record, R), Failure> {
        let params = &invocation.params;
        let failed = |message| Failure { code: 1, message };
        let mut answers = Vec::new();
        let mut seconds = Vec::new();
        let mut last = None;
        let runs = invocation.warmup + invocation.repeat;
        for run in 0..runs {
            // Free the previous result first, so that two never sit in memory at once.
            drop(last.take());
            let start = Instant::now();
            let result = compute(params);
            let elapsed = start.elapsed().as_secs_f64();
            answers.push(result.to_answer().map_err(failed)?);
            if run >= invocation.warmup {
                seconds.push(elapsed);
            }
            last = Some(result);
        }
        // Read before `finish` runs: the record reports the computation's memory.
        let peak_rss_bytes = peak_rss_bytes();

        let machine = Machine::detect();
        let ranks = self.place.as_ref().map(|place| Ranks {
            ranks: place.ranks,
            nodes: place.nodes.clone(),
        });
        let mut warnings = run_warnings(&machine, params.threads(), ranks.as_ref());
        if let Some(why) = last.as_ref().and_then(ToAnswer::incomplete) {
            warnings.push(format!("INCOMPLETE: {why} (exit code {EXIT_INCOMPLETE})"));
        }
        let first = answers.first().expect("at least one run").clone();
        let answers_identical = answers
            .iter()
            .all(|answer| Agreement::Exact.check(&first, answer).is_ok());
        let answer = match first {
            Value::Map(fields) => fields,
            single => vec![(self.lesson.answer.to_string(), single)],
        };
        let work = run_work(
            self.lesson,
            params,
            &answer,
            &machine,
            ranks.as_ref(),
            &mut warnings,
        );
        let record = Record {
            lesson: self.lesson.name.to_string(),
            side: self.side,
            variant: match self.side {
                Side::Exercise => "exercise".to_string(),
                Side::Solution => invocation.variant.name.to_string(),
            },
            params: params.to_values(),
            threads: params.threads(),
            ranks,
            warmup: invocation.warmup,
            seconds,
            answer,
            answers_identical,
            ideal_seconds: last.as_ref().and_then(ToAnswer::ideal_seconds),
            work,
            peak_rss_bytes,
            warnings,
            machine,
        };
        Ok((record, last.expect("at least one run")))
    }
}

/// Writes to stdout. If the reader has gone (`pi | head -3`), there is nothing more to say:
/// stop quietly instead of failing.
fn emit(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure {
            code: 1,
            message: format!("cannot write the output: {e}"),
        }),
        _ => Ok(()),
    }
}

fn command_line() -> Result<Vec<String>, Failure> {
    std::env::args_os()
        .skip(1)
        .map(|arg| {
            arg.into_string().map_err(|arg| Failure {
                code: 2,
                message: format!("argument {arg:?} is not valid UTF-8"),
            })
        })
        .collect()
}

/// What a reader of the timings must know: a debug build, or more threads than CPUs.
/// The run's work by the lesson's model, with the limits of this machine (if `workbook
/// machine` has measured them) for the cores the run used: its threads, times its ranks on
/// each node. A damaged limits file is a warning, not a failed run.
fn run_work(
    lesson: &Lesson,
    params: &Params,
    answer: &[(String, Value)],
    machine: &Machine,
    ranks: Option<&Ranks>,
    warnings: &mut Vec<String>,
) -> Option<Work> {
    let work = (lesson.work)(params, answer)?;
    let limits = match Limits::for_host(&machine.host) {
        Ok(Some(limits)) => limits,
        Ok(None) => return Some(work),
        Err(e) => {
            warnings.push(format!("this machine's limits were not read: {e}"));
            return Some(work);
        }
    };
    let (nodes, ranks_per_node) = match ranks {
        Some(ranks) => {
            let mut distinct = ranks.nodes.clone();
            distinct.sort();
            distinct.dedup();
            let nodes = distinct.len().max(1);
            (nodes, ranks.ranks.div_ceil(nodes))
        }
        None => (1, 1),
    };
    Some(work.with_limits(&limits, ranks_per_node * params.threads(), nodes))
}

fn run_warnings(machine: &Machine, threads: usize, ranks: Option<&Ranks>) -> Vec<String> {
    let mut warnings = Vec::new();
    if !machine.build.is_release() {
        warnings.push(format!(
            "DEBUG BUILD (profile {}, opt-level {}): these timings mean nothing. \
             Build with --release.",
            machine.build.profile, machine.build.opt_level
        ));
    }
    let cpus = available_cpus();
    // Ranks on this node share its CPUs (ranks on other nodes have their own).
    let ranks_here = ranks.map_or(1, |ranks| {
        let here = ranks.nodes.iter().filter(|node| **node == machine.host);
        here.count().max(1)
    });
    if ranks_here > 1 && ranks_here * threads > cpus {
        warnings.push(format!(
            "{ranks_here} ranks x {threads} threads on {}'s {cpus} available CPUs: they take \
             turns, so expect no gain past {cpus}",
            machine.host
        ));
    } else if threads > cpus {
        warnings.push(format!(
            "{threads} threads on {cpus} available CPUs: threads take turns, so expect no \
             gain past {cpus}"
        ));
    }
    let slurm_cpus = machine
        .slurm
        .as_ref()
        .and_then(|s| s.cpus_per_task.as_ref());
    if let Some(given) = slurm_cpus
        && given.parse::<usize>().is_ok_and(|given| threads > given)
    {
        warnings.push(format!(
            "{threads} threads, but this Slurm job was given {given} CPUs per task"
        ));
    }
    warnings
}
