//! Bags of semi-structured records: the serial starter. Read lessons/bags.md first.
//!
//!     cargo run --release --bin bags                     run it
//!     cargo run --release --bin workbook -- check bags    is my parallel version right?
//!
//! A bag is a big collection of records that do not fit a table: here, people as JSON
//! lines, with fields that may be missing and lists of any length. The source material
//! builds one with `db.from_sequence([1, 2, 3, 4, 5], npartitions=2)`; Dask then runs the
//! same pipeline on each partition and combines the results. This program runs the
//! pipeline (parse, take, frequencies, filter, pluck, flatten, fold by key) over the whole
//! bag as one partition, on one thread. Your task: split the bag into partitions, process
//! them on several threads, and merge the partial results, for exactly the same answer.

use std::path::Path;

use bags_kit::{AmountSum, Partial, Person, Skipped, TAKE, lines};
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

/// Reads the file and runs the pipeline over it.
fn read_people(path: &Path) -> Result<Partial, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let lines = lines(&text);

    // The whole bag is one partition, starting on line 1.
    Ok(process_partition(&lines, 1))
}

fn main() {
    Program::exercise(&BAGS)
        .finish(|params, partial: &Result<Partial, String>| {
            Ok(match partial {
                Ok(partial) if !params.switch("quiet") => partial.report(),
                _ => String::new(),
            })
        })
        .run(|params| read_people(&params.input("input")))
}
