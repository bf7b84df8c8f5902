//! What the workbook's pictures share: `workbook sweep`'s plots and the Delayed lesson's
//! Gantt chart are drawn with plotters into a buffer, in the same font and colours, and
//! written as PNG.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

/// The Okabe-Ito colours, told apart by people with any common colour blindness.
pub const COLOURS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// The colour of series number `index`, cycling after seven.
pub fn colour(index: usize) -> RGBColor {
    COLOURS[index % COLOURS.len()]
}

/// plotters draws text with DejaVu Sans, built in, so that a picture looks the same on a
/// laptop and on a compute node without fonts installed. (Without a font plotters panics
/// at the first text.)
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is valid TrueType, shipped inside the dejavu crate.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
    });
}

/// Runs `paint` on a white `width` x `height` picture and writes it to `path` as a PNG.
pub fn draw_png(
    path: &Path,
    (width, height): (u32, u32),
    paint: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<(), String> {
    register_font();
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        paint(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    write_png(path, &pixels, (width, height))
}

fn write_png(path: &Path, rgb: &[u8], (width, height): (u32, u32)) -> Result<(), String> {
    workbook::files::write_with(path, |file| {
        let mut encoder = png::Encoder::new(file, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(io_error)?;
        writer.write_image_data(rgb).map_err(io_error)?;
        // Finishing writes the last chunk; its errors are the disk's too.
        writer.finish().map_err(io_error)
    })
    .map_err(String::from)
}

/// The disk's own error when there is one ("No space left on device").
fn io_error(error: png::EncodingError) -> std::io::Error {
    match error {
        png::EncodingError::IoError(error) => error,
        other => std::io::Error::other(other),
    }
}
