//! What a lesson is: its binaries, its text, its flags, its variants and how their answers
//! are compared. The lessons themselves are listed in the registry.

use crate::answer::{Agreement, Value};
use crate::params::{Param, Params};
use crate::roofline::Work;

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
    /// A lesson past one node (MPI ranks): the book puts it after the page on compute
    /// nodes, which it builds on.
    pub beyond_one_node: bool,
    /// The lesson's model of one run's work, from its flags and its answer: the f64
    /// operations and the bytes moved that the run's rate and roofline are worked out from.
    /// `None` where the lesson has no such model (simulated work has its ideal time instead).
    pub work: WorkModel,
}

/// A lesson's model of one run's work: from its flags and its answer's fields.
pub type WorkModel = fn(&Params, &[(String, Value)]) -> Option<Work>;

impl Lesson {
    /// What a registry entry leaves out: no task flag, no feature variants, no checks
    /// across flags, small memory, five timed runs after one warm-up.
    pub const DEFAULTS: Lesson = Lesson {
        name: "",
        title: "",
        summary: "",
        text: "",
        params: &[],
        tasks: None,
        answer: "",
        variants: &[],
        feature_variants: &[],
        repeat: 5,
        warmup: 1,
        quick: &[],
        validate: |_| Ok(()),
        memory: |_| None,
        beyond_one_node: false,
        work: |_, _| None,
    };

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

    /// Every flag of `side` at its default, for a run on `threads` threads.
    pub fn default_params(&'static self, side: Side, threads: usize) -> Params {
        Params::defaults(self.name, self.params, self.params_for(side), threads)
    }

    /// The quick sizes as flags: `["--n", "100000", ...]`.
    pub fn quick_flags(&self) -> Vec<String> {
        self.quick
            .iter()
            .flat_map(|(name, value)| [format!("--{name}"), value.to_string()])
            .collect()
    }
}

/// Which side of a lesson a binary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Exercise,
    Solution,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Exercise => "exercise",
            Side::Solution => "solution",
        }
    }

    pub fn parse(text: &str) -> Option<Side> {
        match text {
            "exercise" => Some(Side::Exercise),
            "solution" => Some(Side::Solution),
            _ => None,
        }
    }
}

/// A way the solution can compute the answer, chosen with `--variant`.
#[derive(Debug)]
pub struct Variant {
    pub name: &'static str,
    pub about: &'static str,
    /// How this variant's answer must compare with the exercise's.
    pub agreement: Agreement,
}

impl Variant {
    /// A variant whose answer is the exercise's, bit for bit.
    pub const fn exact(name: &'static str) -> Variant {
        let agreement = Agreement::Exact;
        Variant {
            name,
            about: "",
            agreement,
        }
    }

    /// A variant whose numbers may differ from the exercise's by `abs + rel * |expected|`.
    pub const fn close(name: &'static str, abs: f64, rel: f64) -> Variant {
        let agreement = Agreement::Close { abs, rel };
        Variant {
            name,
            about: "",
            agreement,
        }
    }

    pub const fn about(mut self, about: &'static str) -> Variant {
        self.about = about;
        self
    }
}
