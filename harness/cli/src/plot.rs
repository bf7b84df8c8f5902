//! PNG plots of sweeps: speedup against threads (with the ideal line), time against a
//! lesson flag such as the number of chunks, and the roofline of a lesson's runs.

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
/// Weak-scaling efficiency T(1, n) / T(p, p·n) against cores, one line per series, with
/// the ideal (1: p cores do p times the work in the same time) as a grey line and the
/// machine's CPUs as a dashed vertical line. With one core count no file is written.
pub fn weak_plot(
    path: &Path,
    title: &str,
    caption: &str,
    series: &[Series],
    cpus: Option<usize>,
) -> Result<(), String> {
    if series.iter().all(|s| s.points.len() < 2) {
        return Ok(());
    }
    let points = || series.iter().flat_map(|s| s.points.iter());
    let max_cores = points().map(|p| p.0).fold(1.0, f64::max);
    let top = points()
        .map(|p| p.1)
        .filter(|e| e.is_finite())
        .fold(1.0, f64::max)
        * 1.15;
    draw_png(path, (WIDTH, HEIGHT), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 22))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..max_cores * 1.05 + 0.5, 0.0..top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(format!(
                "cores p, each with the one-core size    ({caption})"
            ))
            .y_desc("weak efficiency T(1, n) / T(p, p n)")
            .x_label_formatter(&|x| match x.fract() == 0.0 {
                true => format!("{x:.0}"),
                false => String::new(),
            })
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| e.to_string())?;
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series(LineSeries::new(
                [(1.0, 1.0), (max_cores, 1.0)],
                grey.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label("ideal: the same time at every size")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], grey.stroke_width(2)));
        if let Some(cpus) = cpus.map(|c| c as f64)
            && cpus <= max_cores
        {
            chart
                .draw_series(DashedLineSeries::new(
                    [(cpus, 0.0), (cpus, top)],
                    6,
                    4,
                    grey.into(),
                ))
                .map_err(|e| e.to_string())?
                .label(format!("{cpus} CPUs on this machine"))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], grey));
        }
        draw_series(&mut chart, series)?;
        finish_legend_at(&mut chart, SeriesLabelPosition::LowerLeft)
    })
}

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
    finish_legend_at(chart, SeriesLabelPosition::UpperLeft)
}

/// The speedup plot's axis: threads, or cores for rows on MPI ranks.
pub fn workers_axis(rows: &[crate::rows::Row]) -> &'static str {
    match rows.iter().any(|row| row.ranks.is_some()) {
        true => "cores (ranks x threads)",
        false => "threads",
    }
}

/// One run on a roofline plot: its work's intensity and the rates it reached.
pub struct RoofPoint {
    /// The line it joins in the legend: the variant.
    pub label: String,
    pub threads: usize,
    /// f64 operations per byte moved (0 for work that is all bytes).
    pub intensity: f64,
    /// Operations and bytes a second.
    pub flops: f64,
    pub bytes: f64,
}

/// The roofline of a lesson: what the machine allows on one core and on all of them, and
/// where the runs landed. Work with operations is drawn the classic way, log-log, GFLOP/s
/// against operations per byte, under a slanted memory roof and a flat compute roof. Work
/// that is all bytes (parsing a file) has no operations to count: it is drawn as GB/s
/// against threads, under the triad's bandwidth at each thread count.
pub fn roofline_plot(
    path: &Path,
    title: &str,
    limits: &workbook::roofline::Limits,
    points: &[RoofPoint],
) -> Result<(), String> {
    if points.is_empty() {
        return Ok(());
    }
    let caption = format!(
        "{} ({}), measured {}",
        limits.host,
        limits.cpu_model,
        limits.measured.get(..10).unwrap_or(&limits.measured)
    );
    let lines = series(points, |p| {
        let label = p.label.clone();
        match p.intensity > 0.0 {
            true => Some((label, (p.intensity, p.flops / 1e9))),
            false => Some((label, (p.threads as f64, p.bytes / 1e9))),
        }
    });
    if points.iter().all(|p| p.intensity > 0.0) {
        classic_roofline(path, title, &caption, limits, &lines)
    } else {
        bandwidth_roofline(path, title, &caption, limits, &lines)
    }
}

fn classic_roofline(
    path: &Path,
    title: &str,
    caption: &str,
    limits: &workbook::roofline::Limits,
    lines: &[Series],
) -> Result<(), String> {
    let cores = limits.cores();
    let ridge = limits.flops_all_cores / limits.bandwidth(cores);
    let xs = lines.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (lo, hi) = xs.fold((ridge, ridge), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let x_range = (lo / 8.0)..(hi * 8.0);
    let ys = lines.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let y_low = ys.fold(limits.bandwidth(1) * x_range.start / 1e9, f64::min);
    let y_range = (y_low / 2.0)..(limits.flops_all_cores / 1e9 * 2.0);
    draw_png(path, (WIDTH, HEIGHT), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 22))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(x_range.clone().log_scale(), y_range.log_scale())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(format!("f64 operations per byte moved    ({caption})"))
            .y_desc("GFLOP/s")
            .x_label_formatter(&|x| format!("{x}"))
            .y_label_formatter(&|y| format!("{y}"))
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| e.to_string())?;
        for (shade, threads) in [(190u8, 1), (110u8, cores)] {
            let (peak, bandwidth) = (limits.peak_flops(threads), limits.bandwidth(threads));
            let roof = RGBColor(shade, shade, shade);
            let corner = peak / bandwidth;
            let line = [
                (x_range.start, bandwidth * x_range.start / 1e9),
                (corner, peak / 1e9),
                (x_range.end, peak / 1e9),
            ];
            let plural = if threads == 1 { "" } else { "s" };
            chart
                .draw_series(LineSeries::new(line, roof.stroke_width(3)))
                .map_err(|e| e.to_string())?
                .label(format!(
                    "roof, {threads} core{plural}: {:.0} GFLOP/s, {:.1} GB/s",
                    peak / 1e9,
                    bandwidth / 1e9
                ))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], roof.stroke_width(3))
                });
        }
        draw_points(&mut chart, lines)?;
        // The legend goes in the lower corner on the other side of the ridge from the
        // points: under the slanted roof for compute-bound work, and the other way round.
        let right_of_ridge = lines
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|p| p.0 > ridge)
            .count();
        let all = lines.iter().map(|s| s.points.len()).sum::<usize>();
        let corner = match 2 * right_of_ridge > all {
            true => SeriesLabelPosition::LowerLeft,
            false => SeriesLabelPosition::LowerRight,
        };
        finish_legend_at(&mut chart, corner)
    })
}

fn bandwidth_roofline(
    path: &Path,
    title: &str,
    caption: &str,
    limits: &workbook::roofline::Limits,
    lines: &[Series],
) -> Result<(), String> {
    let most = lines
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(limits.cores() as f64, f64::max);
    let top = limits.best_bandwidth() / 1e9 * 1.15;
    draw_png(path, (WIDTH, HEIGHT), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 22))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0.5..most + 0.5, 0.0..top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(format!("threads    ({caption})"))
            .y_desc("GB/s of input")
            .x_label_formatter(&|x| match x.fract() == 0.0 {
                true => format!("{x:.0}"),
                false => String::new(),
            })
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| e.to_string())?;
        let roof = RGBColor(130, 130, 130);
        let triad = (1..=most as usize).map(|t| (t as f64, limits.bandwidth(t) / 1e9));
        chart
            .draw_series(LineSeries::new(triad, roof.stroke_width(3)))
            .map_err(|e| e.to_string())?
            .label("roof: the triad's memory bandwidth")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], roof.stroke_width(3)));
        draw_series(&mut chart, lines)?;
        finish_legend_at(&mut chart, SeriesLabelPosition::UpperLeft)
    })
}

/// Points only: on a roofline, a variant's thread counts sit one above another.
fn draw_points<'a, DB: DrawingBackend + 'a, CT: CoordTranslate<From = (f64, f64)>>(
    chart: &mut ChartContext<'a, DB, CT>,
    series: &[Series],
) -> Result<(), String> {
    for (index, line) in series.iter().enumerate() {
        let colour = colour(index);
        chart
            .draw_series(
                line.points
                    .iter()
                    .map(|&p| Circle::new(p, 5, colour.filled())),
            )
            .map_err(|e| e.to_string())?
            .label(line.label.clone())
            .legend(move |(x, y)| Circle::new((x + 10, y), 5, colour.filled()));
    }
    Ok(())
}

fn finish_legend_at<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())
}
