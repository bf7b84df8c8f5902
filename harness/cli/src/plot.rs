//! PNG plots of sweeps: speedup against threads (with the ideal line), and time against a
//! lesson flag such as the number of chunks.

use std::path::Path;

use plot_kit::{colour, draw_png};
use plotters::prelude::*;

const WIDTH: u32 = 900;
const HEIGHT: u32 = 600;

/// One line on a plot.
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// The lines of a plot: each of `items` that gives a point joins the line its label names,
/// lines in order of first appearance.
pub fn series<T>(
    items: impl IntoIterator<Item = T>,
    line: impl Fn(&T) -> Option<(String, (f64, f64))>,
) -> Vec<Series> {
    let mut lines: Vec<Series> = Vec::new();
    for (label, point) in items.into_iter().filter_map(|item| line(&item)) {
        match lines.iter_mut().find(|s| s.label == label) {
            Some(series) => series.points.push(point),
            None => lines.push(Series {
                label,
                points: vec![point],
            }),
        }
    }
    lines
}

/// Speedup against threads (or against cores, ranks times threads, for runs on MPI ranks:
/// `workers` names the axis), one line per series, the ideal speedup as a grey diagonal and
/// the number of CPUs (if one machine's) as a dashed vertical line. With one thread count
/// there is no line to draw, and no file is written.
pub fn speedup_plot(
    path: &Path,
    title: &str,
    caption: &str,
    series: &[Series],
    cpus: Option<usize>,
    workers: &str,
) -> Result<(), String> {
    if series.iter().all(|s| s.points.len() < 2) {
        return Ok(());
    }
    let max_threads = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(1.0, f64::max);
    let max_speedup = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|s| s.is_finite())
        .fold(max_threads, f64::max);
    draw_png(path, (WIDTH, HEIGHT), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 22))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..max_threads * 1.05 + 0.5, 0.0..max_speedup * 1.1)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(format!("{workers}    ({caption})"))
            .y_desc("speedup over the serial exercise")
            .x_label_formatter(&|x| {
                if x.fract() == 0.0 {
                    format!("{x:.0}")
                } else {
                    String::new()
                }
            })
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| e.to_string())?;
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series(LineSeries::new(
                [(1.0, 1.0), (max_threads, max_threads)],
                grey.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label(format!(
                "ideal: speedup = {}",
                workers.split(' ').next().unwrap_or(workers)
            ))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], grey.stroke_width(2)));
        if let Some(cpus) = cpus.map(|c| c as f64)
            && cpus <= max_threads
        {
            chart
                .draw_series(DashedLineSeries::new(
                    [(cpus, 0.0), (cpus, max_speedup * 1.1)],
                    6,
                    4,
                    grey.into(),
                ))
                .map_err(|e| e.to_string())?
                .label(format!("{cpus} CPUs on this machine"))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], grey));
        }
        draw_series(&mut chart, series)?;
        finish_legend(&mut chart)
    })
}

/// Time against a lesson flag (log-log when the values span two decades or more).
pub fn time_plot(path: &Path, title: &str, x_label: &str, series: &[Series]) -> Result<(), String> {
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let ys = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (x_min, x_max) = xs.fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let (y_min, y_max) = ys.fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
    if !(x_min > 0.0 && y_min > 0.0) {
        return Err("a time plot needs positive values".to_string());
    }
    let x_range = (x_min / 1.5)..(x_max * 1.5);
    let y_range = (y_min / 1.5)..(y_max * 1.5);
    draw_png(path, (WIDTH, HEIGHT), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 22))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x_range.log_scale(), y_range.log_scale())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("median time")
            .x_label_formatter(&|x| format!("{x}"))
            .y_label_formatter(&|s| workbook::stats::format_seconds(*s))
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| e.to_string())?;
        draw_series(&mut chart, series)?;
        finish_legend(&mut chart)
    })
}

fn draw_series<'a, DB: DrawingBackend + 'a, CT: CoordTranslate<From = (f64, f64)>>(
    chart: &mut ChartContext<'a, DB, CT>,
    series: &[Series],
) -> Result<(), String> {
    for (index, line) in series.iter().enumerate() {
        let colour = colour(index);
        chart
            .draw_series(LineSeries::new(line.points.clone(), colour.stroke_width(2)))
            .map_err(|e| e.to_string())?
            .label(line.label.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
        chart
            .draw_series(
                line.points
                    .iter()
                    .map(|&p| Circle::new(p, 4, colour.filled())),
            )
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn finish_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())
}

/// The speedup plot's axis: threads, or cores for rows on MPI ranks.
pub fn workers_axis(rows: &[crate::rows::Row]) -> &'static str {
    match rows.iter().any(|row| row.ranks.is_some()) {
        true => "cores (ranks x threads)",
        false => "threads",
    }
}
