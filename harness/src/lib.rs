//! The workbook's timing harness, shared by every lesson binary.
//!
//! A lesson binary hands its computation to a [`Program`]; the harness reads the flags
//! (`--threads`, `--repeat`, `--warmup`, `--json` and the lesson's own sizes from the
//! [`registry`]), sizes rayon's thread pool, times the runs and prints a [`Record`]:
//!
//! ```no_run
//! use workbook::{Program, registry::PI};
//!
//! fn main() {
//!     // Sum 1/n^2 serially; the harness times it and prints the answer.
//!     Program::exercise(&PI).run(|params| {
//!         let n = params.count("n");
//!         (1..=n).map(|k| 1.0 / (k * k) as f64).sum::<f64>()
//!     });
//! }
//! ```
//!
//! The `workbook` command (in `harness/cli`) builds and runs these binaries, compares
//! their answers and sweeps thread counts.

pub mod answer;
pub mod digest;
pub mod files;
pub mod flags;
pub mod json;
pub mod machine;
pub mod params;
mod program;
pub mod record;
pub mod registry;
pub mod simulated;
pub mod skipped;
pub mod stats;
pub mod text;

pub use answer::{IntoAnswer, Value};
pub use params::Params;
pub use program::Program;
pub use record::{Record, Side};
pub use registry::{Agreement, LESSONS, Lesson, lesson};
