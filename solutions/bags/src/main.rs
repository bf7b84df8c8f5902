//! Bags of semi-structured records: a parallel solution. Compare it with the starter:
//!
//!     diff exercises/bags/src/main.rs solutions/bags/src/main.rs
//!
//! The lines are split into partitions the way Dask's `from_sequence(..., npartitions=N)`
//! splits a sequence (`--npartitions`). Each partition runs the whole pipeline as a rayon
//! task, and the partial results are merged in partition order. Counts and totals are
//! whole numbers and the lists are joined in order, so the answer is exactly the starter's.

mod auto;
mod fast;
mod reduce;

use std::path::Path;

use bags_kit::{AmountSum, Partial, Person, Skipped, TAKE, lines, partitions};
use rayon::prelude::*;
use workbook::{Program, registry::BAGS};

/// The whole pipeline over one partition of the bag. `first_line` is the line number of
/// the partition's first line, so that a bad line can be reported where it is.
fn process_partition(lines: &[&[u8]], first_line: u64) -> Partial {
    let mut partial = Partial::default();

    // Parse: every line should be one JSON record. A line that is not one is counted, with
    // its line number, and left out of everything below.
    let people: Vec<Person> = lines
        .iter()
        .zip(first_line..)
        .filter_map(
            |(line, number)| match serde_json::from_slice::<Person>(line) {
                Ok(person) => Some(person),
                Err(e) => {
                    let reason = e.to_string().replace(" at line 1 column", " at column");
                    partial.skipped.push(Skipped::at(number, reason));
                    None
                }
            },
        )
        .collect();
    partial.records = people.len() as u64;

    // take(3): the first few records.
    partial.first = people
        .iter()
        .take(TAKE)
        .map(|person| format!("{} {}", person.id, person.name))
        .collect();

    // frequencies(): how often each name occurs.
    for person in &people {
        match partial.name_counts.get_mut(&person.name) {
            Some(count) => *count += 1,
            None => {
                partial.name_counts.insert(person.name.clone(), 1);
            }
        }
    }
    partial.without_transactions =
        people.iter().filter(|p| p.transactions.is_none()).count() as u64;

    // filter: adults only (a record without an age does not pass).
    let adults: Vec<&Person> = people
        .iter()
        .filter(|person| person.age.is_some_and(|age| age >= 18))
        .collect();
    partial.adults = adults.len() as u64;

    // pluck("transactions"), flatten, then foldby name: the number and total of amounts.
    let amounts = adults.iter().flat_map(|person| {
        let transactions = person.transactions.iter().flatten();
        transactions.map(|transaction| (&person.name, transaction.amount))
    });
    for (name, amount) in amounts {
        let sum = match partial.amounts_by_name.get_mut(name) {
            Some(sum) => sum,
            None => partial.amounts_by_name.entry(name.clone()).or_default(),
        };
        *sum = AmountSum {
            count: sum.count + 1,
            // A wide total: i64 amounts cannot overflow it (see AmountSum).
            total: sum.total + i128::from(amount),
        };
    }
    partial
}

/// Reads the file, splits it into partitions and runs the pipeline on them in parallel.
fn read_people(path: &Path, npartitions: usize) -> Result<Partial, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let lines = lines(&text);

    // One rayon task per partition; `collect` keeps the partials in partition order, and
    // merging them in that order gives the starter's answer.
    let partials: Vec<Partial> = partitions(lines.len(), npartitions)
        .into_par_iter()
        .map(|range| process_partition(&lines[range.clone()], range.start as u64 + 1))
        .collect();
    Ok(partials
        .into_iter()
        .fold(Partial::default(), Partial::merge))
}

fn main() {
    Program::solution(&BAGS)
        .variant("reduce", |params| {
            reduce::read_people(&params.input("input"), params.count("npartitions") as usize)
        })
        .variant("auto", |params| {
            auto::read_people(&params.input("input"), params.threads())
        })
        .variant("fast", |params| {
            fast::read_people(&params.input("input"), params.count("npartitions") as usize)
        })
        .finish(|params, partial: &Result<Partial, String>| {
            Ok(match partial {
                Ok(partial) if !params.switch("quiet") => partial.report(),
                _ => String::new(),
            })
        })
        .run(|params| read_people(&params.input("input"), params.count("npartitions") as usize))
}
