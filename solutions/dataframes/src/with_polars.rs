//! The polars variant: the same questions as a lazy query. polars plans the scan and the
//! group-by, splits the file itself and runs the pieces on its own thread pool.

use std::path::Path;
use std::sync::{Arc, Once};

use dataframes_kit::{SHOWN_ROWS, Summary, Tally, WeightSum, check_header, tail_of_file};
use polars::prelude::*;
use rayon::prelude::*;

/// The columns and their types. Giving the types, instead of letting the reader guess them
/// from the first rows, means a surprise later in the file is an error, not a wrong type.
const COLUMNS: [(&str, DataType); 9] = [
    ("record_id", DataType::Int64),
    ("month", DataType::Int64),
    ("day", DataType::Int64),
    ("year", DataType::Int64),
    ("plot_id", DataType::Int64),
    ("species_id", DataType::String),
    ("sex", DataType::String),
    ("hindfoot_length", DataType::Int64),
    ("weight", DataType::Int64),
];

/// polars sizes its pool from `POLARS_MAX_THREADS` when it first starts it: set that from
/// `--threads` before the first query.
fn use_threads(threads: usize) {
    static SET: Once = Once::new();
    SET.call_once(|| {
        // SAFETY: no thread of this program reads or writes the environment meanwhile (the
        // harness's rayon workers are idle, and polars has not started).
        unsafe { std::env::set_var("POLARS_MAX_THREADS", threads.to_string()) }
    });
}

pub fn read_surveys(path: &Path, threads: usize) -> Result<Summary, String> {
    use_threads(threads);
    // The same header check, and the same one line if it fails, as the other variants.
    let body_start = check_header(path)?;
    let name = path.display();
    // polars explains its errors over several lines: the first says what went wrong.
    let failed = |e: PolarsError| {
        let message = e.to_string();
        let first = message.lines().next().unwrap_or_default().to_string();
        format!("polars could not read {name}: {first} (--variant blocks lists every bad row)")
    };

    let schema: Schema = COLUMNS
        .iter()
        .map(|(name, dtype)| Field::new((*name).into(), dtype.clone()))
        .collect();
    let surveys = LazyCsvReader::new(PlRefPath::new(path.to_string_lossy().as_ref()))
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .finish()
        .map_err(failed)?;

    // One pass over the file: group by species and year together; the per-species and
    // per-year answers are sums over these few hundred groups.
    let groups = surveys
        .clone()
        .group_by([col("species_id"), col("year")])
        .agg([
            len().alias("rows"),
            col("weight").count().alias("weighed"),
            col("weight").sum().alias("total"),
            col("weight").max().alias("heaviest"),
        ])
        // Casting the few hundred results, not inside the aggregation, keeps it parallel.
        .with_columns([
            col("rows").cast(DataType::Int64),
            col("weighed").cast(DataType::Int64),
        ])
        // polars' streaming engine reads and aggregates the file in pieces, on all threads.
        .collect_with_engine(Engine::Streaming)
        .map_err(failed)?
        // One query, one table (several come only from several sinks).
        .unwrap_single();
    // `head` reads only the first rows: polars stops the scan early.
    let head = surveys
        .limit(SHOWN_ROWS as IdxSize)
        .collect()
        .map_err(failed)?;

    let mut tally = tally_groups(&groups).map_err(failed)?;
    check_field_count(path, tally.rows)?;
    tally.head = head_lines(&head).map_err(failed)?;
    Ok(tally.into_summary(1, tail_of_file(path, body_start)?))
}

/// polars reads a row with too few fields as if the missing ones were blank: such a row
/// would be counted, quietly wrong. Every well-formed row has exactly 8 commas (survey
/// fields are never quoted), so the file must hold 8 x (rows + 1) of them, header
/// included. Counting them is one fast pass, in parallel.
fn check_field_count(path: &Path, rows: u64) -> Result<(), String> {
    let name = path.display();
    let text = std::fs::read(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let commas: u64 = text
        .par_chunks(1 << 20)
        .map(|chunk| chunk.iter().filter(|&&b| b == b',').count() as u64)
        .sum();
    let expected = (COLUMNS.len() as u64 - 1) * (rows + 1);
    if commas != expected {
        return Err(format!(
            "{name} has rows with the wrong number of fields ({commas} commas for {rows} rows, \
             expected {expected}): polars would read them as blanks; --variant blocks lists them"
        ));
    }
    Ok(())
}

/// The tally of the whole file from the (species, year) groups.
fn tally_groups(groups: &DataFrame) -> PolarsResult<Tally> {
    let species = groups.column("species_id")?.str()?;
    let years = groups.column("year")?.i64()?;
    let rows = groups.column("rows")?.i64()?;
    let weighed = groups.column("weighed")?.i64()?;
    let totals = groups.column("total")?.i64()?;
    let heaviest = groups.column("heaviest")?.i64()?;
    let mut tally = Tally::default();
    for i in 0..groups.height() {
        let count = rows.get(i).unwrap_or(0) as u64;
        tally.rows += count;
        if let Some(year) = years.get(i) {
            *tally.rows_by_year.entry(year as u16).or_default() += count;
        }
        // Like the other variants, rows without a species belong to no species.
        if let Some(code) = species.get(i) {
            let sum = tally.weight_by_species.entry(code.to_string()).or_default();
            *sum = WeightSum {
                total: sum.total + totals.get(i).unwrap_or(0) as u64,
                count: sum.count + weighed.get(i).unwrap_or(0) as u64,
            };
        }
        let max = heaviest.get(i).map(|w| w as u32);
        tally.weight_max = tally.weight_max.max(max);
    }
    Ok(tally)
}

/// The first rows as lines, as the other variants show them: missing values empty.
fn head_lines(head: &DataFrame) -> PolarsResult<Vec<String>> {
    let mut lines = Vec::with_capacity(head.height());
    for i in 0..head.height() {
        let mut fields = Vec::with_capacity(COLUMNS.len());
        for column in head.columns() {
            fields.push(match column.get(i)? {
                AnyValue::Null => String::new(),
                AnyValue::String(text) => text.to_string(),
                other => other.to_string(),
            });
        }
        lines.push(fields.join(","));
    }
    Ok(lines)
}
