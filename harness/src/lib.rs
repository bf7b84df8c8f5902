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
//!     // Pi by the midpoint rule, serially; the harness times it and prints the answer.
//!     Program::exercise(&PI).run(|params| {
//!         let n = params.count("n");
//!         let width = 1.0 / n as f64;
//!         let height = |i: u64| 4.0 / (1.0 + ((i as f64 + 0.5) * width).powi(2));
//!         (0..n).map(height).sum::<f64>() * width
//!     });
//! }
//! ```
//!
//! The `workbook` command (in `harness/cli`) builds and runs these binaries, compares
//! their answers and sweeps thread counts.

pub mod answer;
pub mod digest;
pub mod fields;
pub mod files;
pub mod flags;
pub mod json;
pub mod lesson;
pub mod machine;
pub mod params;
mod program;
pub mod record;
pub mod registry;
pub mod roofline;
pub mod simulated;
pub mod skipped;
pub mod stats;
pub mod text;

pub use answer::{Agreement, ToAnswer, Value};
pub use lesson::{Lesson, Side};
pub use params::Params;
pub use program::Program;
pub use record::Record;
pub use registry::{LESSONS, lesson};
