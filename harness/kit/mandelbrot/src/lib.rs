//! The Mandelbrot lesson's result: the source material's `divtime` array, the answer that
//! vouches for it, and its picture.

use std::path::Path;

use ndarray::{Array2, Axis};
use workbook::json::object;
use workbook::{ToAnswer, Value};

use workbook::digest::Digest;

/// For every point of the grid, the first iteration at which |z| > r, or `maxit` if that
/// never happened. Rows run along y, columns along x, as in the source material.
pub struct Divtime {
    pub times: Array2<u32>,
    pub maxit: u32,
}

impl ToAnswer for Divtime {
    /// The shape, the checksum the source material's numbers are quoted in (the sum of all
    /// values), how many points never diverged, and a digest of every value in order, so
    /// that two equal answers mean two equal arrays.
    fn to_answer(&self) -> Result<Value, String> {
        let (rows, cols) = self.times.dim();
        let mut checksum = 0u64;
        let mut never_diverged = 0u64;
        let mut digest = Digest::default();
        for &time in &self.times {
            checksum += u64::from(time);
            never_diverged += u64::from(time == self.maxit);
            digest.add_u32(time);
        }
        Ok(object([
            ("rows", rows.into()),
            ("cols", cols.into()),
            ("checksum", checksum.into()),
            ("never_diverged", never_diverged.into()),
            ("digest", digest.hex().into()),
        ]))
    }
}

impl Divtime {
    /// Writes the picture as a PNG, coloured as the source material's `plt.imshow` shows it:
    /// the viridis colour map stretched from the smallest value to the largest, row 0 at
    /// the top. The same array always gives the same bytes. Returns a line saying where.
    pub fn save_png(&self, path: &Path) -> Result<String, String> {
        let (rows, cols) = self.times.dim();
        let (Ok(width), Ok(height)) = (u32::try_from(cols), u32::try_from(rows)) else {
            return Err(format!("{cols} x {rows} is too large for a PNG"));
        };
        let low = self.times.iter().copied().min().unwrap_or(0);
        let high = self.times.iter().copied().max().unwrap_or(0);
        // One colour per possible value, worked out once.
        let colours: Vec<[u8; 3]> = (low..=high)
            .map(|value| {
                let span = f64::from(high - low);
                viridis(if span > 0.0 {
                    f64::from(value - low) / span
                } else {
                    0.0
                })
            })
            .collect();
        let picture = image::RgbImage::from_fn(width, height, |x, y| {
            let value = self.times[[y as usize, x as usize]];
            image::Rgb(colours[(value - low) as usize])
        });
        // Written whole or not at all: a failed write (a full disk) leaves no half picture.
        workbook::files::write_with(path, |file| {
            use image::ImageEncoder;
            image::codecs::png::PngEncoder::new(file)
                .write_image(&picture, width, height, image::ExtendedColorType::Rgb8)
                .map_err(|e| match e {
                    image::ImageError::IoError(e) => e,
                    other => std::io::Error::other(other),
                })
        })
        .map_err(|e| {
            format!(
                "cannot write the picture to {}: {}",
                path.display(),
                e.error
            )
        })?;
        Ok(format!(
            "  picture  {} ({width} x {height})\n",
            path.display()
        ))
    }
}

impl Divtime {
    /// How the work is spread over the grid, worked out from the divergence times alone: a
    /// point that diverged at iteration i cost i + 1 iterations, one that never did cost
    /// `maxit`. Shares of the total for 2, 4 and 8 equal bands of rows and strips of columns,
    /// and the cheapest and dearest row. Time follows iterations closely.
    pub fn costs(&self) -> String {
        let cost = |time: u32| u64::from(time.saturating_add(1).min(self.maxit));
        // The cost of every row (axis 0 lines) or every column (axis 1).
        let per_line = |axis: Axis| -> Vec<u64> {
            let lanes = self.times.lanes(Axis(1 - axis.index()));
            lanes
                .into_iter()
                .map(|line| line.iter().map(|&t| cost(t)).sum())
                .collect()
        };
        let (rows, cols) = (per_line(Axis(0)), per_line(Axis(1)));
        let total: u64 = rows.iter().sum();
        let shares = |per_line: &[u64], parts: usize| -> String {
            let shares: Vec<String> = (0..parts)
                .map(|part| {
                    let range = per_line.len() * part / parts..per_line.len() * (part + 1) / parts;
                    let work: u64 = per_line[range].iter().sum();
                    format!("{:>3.0}%", 100.0 * work as f64 / total.max(1) as f64)
                })
                .collect();
            shares.join(" ")
        };
        let mut text = format!(
            "Work, in iterations: {total} in all, {:.1} a point on average.\n",
            total as f64 / self.times.len().max(1) as f64
        );
        for parts in [2, 4, 8] {
            text.push_str(&format!(
                "  {parts} bands of rows:      {}\n",
                shares(&rows, parts)
            ));
            text.push_str(&format!(
                "  {parts} strips of columns:  {}\n",
                shares(&cols, parts)
            ));
        }
        let (cheapest, dearest) = (
            rows.iter().min().copied().unwrap_or(0),
            rows.iter().max().copied().unwrap_or(0),
        );
        text.push_str(&format!(
            "  cheapest row {cheapest} iterations, dearest row {dearest} ({:.0} times as much)\n",
            dearest as f64 / cheapest.max(1) as f64
        ));
        text
    }
}

/// The viridis colour map (dark blue through green to yellow) at `t` in [0, 1]: evenly
/// spaced reference colours, linearly blended. Its lightness rises steadily, so equal steps
/// in value look like equal steps in colour, and it reads in grey and for colour-blind eyes.
pub fn viridis(t: f64) -> [u8; 3] {
    const STOPS: [[f64; 3]; 9] = [
        [68.0, 1.0, 84.0],
        [72.0, 40.0, 120.0],
        [62.0, 73.0, 137.0],
        [49.0, 104.0, 142.0],
        [38.0, 130.0, 142.0],
        [31.0, 158.0, 137.0],
        [53.0, 183.0, 121.0],
        [110.0, 206.0, 88.0],
        [253.0, 231.0, 37.0],
    ];
    let position = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let below = (position.floor() as usize).min(STOPS.len() - 2);
    let fraction = position - below as f64;
    let (a, b) = (STOPS[below], STOPS[below + 1]);
    std::array::from_fn(|channel| (a[channel] + (b[channel] - a[channel]) * fraction).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_runs_from_dark_blue_to_yellow() {
        assert_eq!(viridis(0.0), [68, 1, 84]);
        assert_eq!(viridis(1.0), [253, 231, 37]);
        assert_eq!(viridis(0.5), [38, 130, 142]);
        assert_eq!(viridis(-1.0), viridis(0.0));
        // Lightness (here: the green channel) never falls.
        let greens: Vec<u8> = (0..=100)
            .map(|i| viridis(f64::from(i) / 100.0)[1])
            .collect();
        assert!(greens.windows(2).all(|pair| pair[0] <= pair[1]));
    }

    #[test]
    fn the_answer_sums_counts_and_fingerprints() {
        let divtime = Divtime {
            times: ndarray::array![[0, 20, 3], [20, 1, 2]],
            maxit: 20,
        };
        let Ok(Value::Map(fields)) = divtime.to_answer() else {
            panic!("an answer")
        };
        let field = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(field("rows"), Some(Value::UInt(2)));
        assert_eq!(field("cols"), Some(Value::UInt(3)));
        assert_eq!(field("checksum"), Some(Value::UInt(46)));
        assert_eq!(field("never_diverged"), Some(Value::UInt(2)));
        let swapped = Divtime {
            times: ndarray::array![[20, 0, 3], [20, 1, 2]],
            maxit: 20,
        };
        assert_ne!(
            divtime.to_answer(),
            swapped.to_answer(),
            "same sum, other order"
        );
    }

    #[test]
    fn costs_count_iterations_per_band_and_strip() {
        // Costs: diverged at i costs i + 1, never diverged (20) costs 20.
        // Row 0: 1 + 20 = 21; row 1: 20 + 2 = 22. Column 0: 21, column 1: 22.
        let divtime = Divtime {
            times: ndarray::array![[0, 20], [20, 1]],
            maxit: 20,
        };
        let costs = divtime.costs();
        assert!(
            costs.starts_with("Work, in iterations: 43 in all, 10.8 a point"),
            "{costs}"
        );
        assert!(costs.contains("2 bands of rows:       49%  51%"), "{costs}");
        assert!(
            costs.contains("cheapest row 21 iterations, dearest row 22"),
            "{costs}"
        );
    }

    #[test]
    fn the_picture_is_a_png_of_the_grid() {
        let path = std::env::temp_dir().join(format!("kit-picture-{}.png", std::process::id()));
        let divtime = Divtime {
            times: ndarray::Array2::from_shape_fn((3, 5), |(j, k)| (j * 5 + k) as u32),
            maxit: 20,
        };
        let note = divtime.save_png(&path).expect("written");
        assert!(note.contains("(5 x 3)"), "{note}");
        let picture = image::open(&path).expect("a PNG").to_rgb8();
        assert_eq!(picture.dimensions(), (5, 3));
        assert_eq!(picture.get_pixel(0, 0).0, viridis(0.0));
        assert_eq!(picture.get_pixel(4, 2).0, viridis(1.0));
        std::fs::remove_file(&path).ok();
        let error = divtime
            .save_png(Path::new("/no/such/folder/x.png"))
            .unwrap_err();
        assert!(error.starts_with("cannot write the picture to /no/such/folder/x.png"));
    }

    #[test]
    fn a_picture_that_does_not_fit_on_the_disk_is_an_error() {
        // A link to /dev/full: every write to it fails with "no space", even the last
        // bytes of a buffer flushed at the end. The link itself must survive.
        let link = std::env::temp_dir().join(format!("kit-full-{}.png", std::process::id()));
        std::os::unix::fs::symlink("/dev/full", &link).expect("a link");
        let divtime = Divtime {
            times: ndarray::Array2::zeros((3, 5)),
            maxit: 20,
        };
        let error = divtime.save_png(&link).unwrap_err();
        assert!(error.contains("No space left on device"), "{error}");
        assert!(std::fs::symlink_metadata(&link).is_ok_and(|m| m.is_symlink()));
        std::fs::remove_file(&link).ok();
    }
}
