//! Column-aligned text tables for the terminal, and the same rows as markdown.

pub struct Table {
    headers: Vec<String>,
    /// True for columns aligned to the right (numbers).
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Columns whose header starts with '>' are aligned right; the '>' is not shown.
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers
                .iter()
                .map(|h| h.trim_start_matches('>').to_string())
                .collect(),
            right: headers.iter().map(|h| h.starts_with('>')).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.headers.len(), "row width");
        self.rows.push(cells);
    }

    /// For the terminal, indented by two spaces.
    pub fn render(&self) -> String {
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|c| {
                let cells = self.rows.iter().map(|row| row[c].chars().count());
                cells
                    .chain([self.headers[c].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(c, cell)| {
                    if self.right[c] {
                        format!("{cell:>width$}", width = widths[c])
                    } else {
                        format!("{cell:<width$}", width = widths[c])
                    }
                })
                .collect();
            format!("  {}\n", padded.join("  ").trim_end())
        };
        let mut text = line(&self.headers);
        for row in &self.rows {
            text.push_str(&line(row));
        }
        text
    }

    pub fn markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let mut text = line(&self.headers);
        let rule: Vec<String> = self
            .right
            .iter()
            .map(|right| if *right { "---:" } else { "---" }.to_string())
            .collect();
        text.push_str(&line(&rule));
        for row in &self.rows {
            text.push_str(&line(row));
        }
        text
    }
}

/// "1 thread", "4 threads".
pub fn threads_label(threads: usize) -> String {
    match threads {
        1 => "1 thread".to_string(),
        n => format!("{n} threads"),
    }
}

/// "2 threads", or "2 ranks x 2 threads" for a run on MPI ranks.
pub fn workers_label(record: &workbook::Record) -> String {
    match &record.ranks {
        Some(ranks) => {
            let plural = if ranks.ranks == 1 { "" } else { "s" };
            let threads = threads_label(record.threads);
            format!("{} rank{plural} x {threads}", ranks.ranks)
        }
        None => threads_label(record.threads),
    }
}

/// The CPUs a run asked for: its threads, times its ranks.
pub fn workers(record: &workbook::Record) -> usize {
    record.ranks.as_ref().map_or(1, |ranks| ranks.ranks) * record.threads
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_text_left_and_numbers_right() {
        let mut table = Table::new(&["run", ">time"]);
        table.row(vec!["exercise".into(), "16.1 ms".into()]);
        table.row(vec!["solution".into(), "8.2 ms".into()]);
        assert_eq!(
            table.render(),
            "  run          time\n  exercise  16.1 ms\n  solution   8.2 ms\n"
        );
        assert_eq!(
            table.markdown(),
            "| run | time |\n| --- | ---: |\n| exercise | 16.1 ms |\n| solution | 8.2 ms |\n"
        );
    }
}
