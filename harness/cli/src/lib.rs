//! The `workbook` command's parts: building and running lesson binaries, reading their
//! records, and the compare, sweep and check reports. `main.rs` holds the command line.

pub mod binaries;
pub mod check;
pub mod compare;
pub mod data;
pub mod failure;
pub mod options;
pub mod output;
pub mod plot;
pub mod records;
pub mod runner;
pub mod sweep;
pub mod table;
