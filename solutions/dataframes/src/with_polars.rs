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
    // polars explains its errors over several lines, and may quote a whole field of the
    // file: the first line says what went wrong, cut short and with control bytes escaped.
    let failed = |e: PolarsError| {
        let message = e.to_string();
        let first = message.split("\n\n").next().unwrap_or_default();
        let first = workbook::text::excerpt(first);
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
            col("weight").min().alias("lightest"),
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

    let mut tally = tally_groups(&groups, &name.to_string())?;
    let quoted = check_field_count(path, tally.rows)?;
    tally.head = head_lines(&head).map_err(failed)?;
    let tail = tail_of_file(path, body_start, quoted, &[body_start])?;
    Ok(tally.into_summary(1, tail))
}

/// polars reads a row with too few fields as if the missing ones were blank: such a row
/// would be counted, quietly wrong. Every well-formed row has exactly 8 commas outside
/// quotes, so the file must hold 8 x (rows + 1) of them, header included. Counting them is
/// one fast pass, in parallel, that also says whether the file has quotes at all (survey
/// fields are not quoted, and a file without quotes needs no more care). In a file with
/// quotes, commas inside them are counted too, so it is checked with the csv reader's rules.
fn check_field_count(path: &Path, rows: u64) -> Result<bool, String> {
    let name = path.display();
    let text = std::fs::read(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let (commas, quotes): (u64, u64) = text
        .par_chunks(1 << 20)
        .map(|chunk| {
            let count = |byte| chunk.iter().filter(|&&b| b == byte).count() as u64;
            (count(b','), count(b'"'))
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let wrong = if quotes == 0 {
        let expected = (COLUMNS.len() as u64 - 1) * (rows + 1);
        (commas != expected)
            .then(|| format!("{commas} commas for {rows} rows, expected {expected}"))
    } else {
        short_rows(&text)
    };
    match wrong {
        Some(why) => Err(format!(
            "{name} has rows with the wrong number of fields ({why}): polars would read \
             them as blanks; --variant blocks lists them"
        )),
        None => Ok(quotes > 0),
    }
}

/// The first row of `text` (header included) without exactly 9 fields, read with the csv
/// reader's rules.
fn short_rows(text: &[u8]) -> Option<String> {
    let mut reader = dataframes_kit::rows_reader(text);
    let mut record = csv::ByteRecord::new();
    let mut row = 0u64;
    while let Ok(true) = reader.read_byte_record(&mut record) {
        row += 1;
        if record.len() != COLUMNS.len() {
            return Some(format!("row {row} has {} fields", record.len()));
        }
    }
    None
}

/// The tally of the whole file from the (species, year) groups. polars reads every number
/// as a 64-bit integer; a year or weight outside the range the other variants accept (a
/// negative weight, say) is an error here, where they would skip the row.
fn tally_groups(groups: &DataFrame, name: &str) -> Result<Tally, String> {
    let column = |label: &str| -> Result<&Int64Chunked, String> {
        let failed = |e: PolarsError| format!("polars could not read {name}: {e}");
        groups.column(label).map_err(failed)?.i64().map_err(failed)
    };
    let species = groups
        .column("species_id")
        .and_then(|c| c.str())
        .map_err(|e| format!("polars could not read {name}: {e}"))?;
    let (years, rows, weighed) = (column("year")?, column("rows")?, column("weighed")?);
    let (totals, heaviest, lightest) = (column("total")?, column("heaviest")?, column("lightest")?);
    let out_of_range = |what: &str, value: i64| {
        format!(
            "{name} has a {what} of {value}, out of range (--variant blocks skips and lists \
             such rows)"
        )
    };
    // Row counts and weight counts are lengths: never negative.
    let count_at = |counts: &Int64Chunked, i| counts.get(i).and_then(|c| u64::try_from(c).ok());
    let mut tally = Tally::default();
    for i in 0..groups.height() {
        if let Some(weight) = lightest.get(i).filter(|&w| w < 0) {
            return Err(out_of_range("weight", weight));
        }
        let count = count_at(rows, i).unwrap_or(0);
        tally.rows += count;
        if let Some(year) = years.get(i) {
            let year = u16::try_from(year).map_err(|_| out_of_range("year", year))?;
            *tally.rows_by_year.entry(year).or_default() += count;
        }
        let max = match heaviest.get(i) {
            Some(w) => Some(u32::try_from(w).map_err(|_| out_of_range("weight", w))?),
            None => None,
        };
        tally.weight_max = tally.weight_max.max(max);
        // Like the other variants, rows without a species belong to no species.
        if let Some(code) = species.get(i) {
            // No weight is negative (checked above), so neither is their sum.
            let total = totals
                .get(i)
                .and_then(|t| u64::try_from(t).ok())
                .unwrap_or(0);
            let sum = tally.weight_by_species.entry(code.to_string()).or_default();
            *sum = WeightSum {
                total: sum.total + total,
                count: sum.count + count_at(weighed, i).unwrap_or(0),
            };
        }
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
