//! The `workbook` command's parts. `main.rs` holds the command line; each command
//! (compare, sweep, check, report, slurm, data, list, doctor, machine in `limits`) has a module of its own and
//! imports no other command. `book` sits above them: it quotes check, sweep and report in
//! the lesson texts, made from recorded runs. Below the commands, one path from runs to
//! results: run lesson binaries (`runner`), read their records (`records`), pool them into
//! rows (`rows`), and write the rows out as tables, CSV and plots (`columns`, `table`,
//! `plot`).

pub mod binaries;
pub mod book;
pub mod check;
pub mod children;
pub mod columns;
pub mod compare;
pub mod data;
pub mod doctor;
pub mod failure;
pub mod launcher;
pub mod limits;
pub mod list;
pub mod options;
pub mod output;
pub mod plan;
pub mod plot;
pub mod records;
pub mod report;
pub mod rows;
pub mod runner;
pub mod slurm;
pub mod sweep;
pub mod table;
