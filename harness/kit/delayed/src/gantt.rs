//! The task stream as a Gantt chart: one lane per thread, one bar per task, coloured by
//! function, like the task-stream panel of Dask's dashboard.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{Span, lane_name};

const WIDTH: u32 = 1000;
const FUNCTIONS: [&str; 4] = ["inc", "double", "add", "sum"];

/// One colour per function.
fn colour(function: &str) -> RGBColor {
    let index = match function {
        "inc" => 0,
        "double" => 4,
        "add" => 2,
        _ => 1,
    };
    plot_kit::colour(index)
}

/// Draws `spans` into a PNG at `path`: the program's main thread (if it ran tasks) in the
/// top lane, then every thread of rayon's pool, idle ones too.
pub fn draw(path: &Path, title: &str, spans: &[Span], threads: usize) -> Result<(), String> {
    let mut lanes: Vec<Option<usize>> = Vec::new();
    if spans.iter().any(|s| s.thread.is_none()) {
        lanes.push(None);
    }
    let busiest = spans.iter().filter_map(|s| s.thread).max();
    let pool = threads.max(busiest.map_or(0, |t| t + 1));
    lanes.extend((0..pool).map(Some));

    // Lanes shrink as they multiply, so a 128-thread node still fits on a page.
    let lane_height = (480 / lanes.len().max(1) as u32).clamp(4, 40);
    let height = 150 + lane_height * lanes.len() as u32;
    let end = spans.iter().map(|s| s.end).fold(0.0, f64::max).max(1e-6);
    // Room on the right for the legend, clear of the last bars.
    let x_max = end * 1.15;
    // The quickest tasks (the sum) still get a visible bar, two pixels wide.
    let min_width = x_max / WIDTH as f64 * 2.0;
    let bar = |span: &Span| (span.start, span.end.max(span.start + min_width));

    plot_kit::draw_png(path, (WIDTH, height), |root| {
        let rows = lanes.len() as f64;
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..x_max, 0.0..rows)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc("seconds since the run began")
            .draw()
            .map_err(|e| e.to_string())?;

        // Lane i runs from rows - i - 1 (bottom) to rows - i (top): the first lane on top.
        let lane_of = |thread: Option<usize>| {
            let index = lanes.iter().position(|&l| l == thread).unwrap_or(0);
            rows - index as f64 - 1.0
        };
        for function in FUNCTIONS {
            let bars = spans.iter().filter(|s| s.call.function() == function);
            chart
                .draw_series(bars.map(|span| {
                    let (bottom, (start, end)) = (lane_of(span.thread), bar(span));
                    Rectangle::new(
                        [(start, bottom + 0.15), (end, bottom + 0.85)],
                        colour(function).filled(),
                    )
                }))
                .map_err(|e| e.to_string())?
                .label(function)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour(function).filled())
                });
        }
        // A thin white edge between bars that touch, so back-to-back tasks stay countable.
        if lane_height >= 12 {
            chart
                .draw_series(spans.iter().map(|span| {
                    let (bottom, (start, end)) = (lane_of(span.thread), bar(span));
                    Rectangle::new(
                        [(start, bottom + 0.15), (end, bottom + 0.85)],
                        WHITE.stroke_width(1),
                    )
                }))
                .map_err(|e| e.to_string())?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;

        // Lane names in the left margin, every lane while they fit, else every few.
        let every = (14 / lane_height.max(1)).max(1) as usize;
        let style = TextStyle::from(("sans-serif", 13).into_font())
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (index, &lane) in lanes.iter().enumerate().step_by(every) {
            let (x, y) = chart.backend_coord(&(0.0, rows - index as f64 - 0.5));
            root.draw(&Text::new(lane_name(lane), (x - 8, y), style.clone()))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}
