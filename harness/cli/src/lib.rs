//! The `workbook` command's parts: building and running lesson binaries, reading their
//! records, the compare, sweep, check and merged reports, and Slurm batch scripts.
//! `main.rs` holds the command line.

pub mod binaries;
pub mod check;
pub mod children;
pub mod compare;
pub mod data;
pub mod failure;
pub mod options;
pub mod output;
pub mod plot;
pub mod records;
pub mod report;
pub mod runner;
pub mod slurm;
pub mod sweep;
pub mod table;
