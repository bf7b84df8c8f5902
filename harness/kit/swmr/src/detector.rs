//! A simulated detector: creates a scan file, starts SWMR mode and appends frames at a set
//! interval, each frame's data flushed before its key.

use std::path::Path;
use std::time::Duration;

use crate::Error;
use crate::frames::unravel;
use crate::h5::ScanFile;

/// Where the detector writes: frames, their keys, and the flag set when the scan is done.
pub const DATA: &str = "data/data";
pub const KEY: &str = "keys/key_1";
pub const FINISHED: &str = "keys/finished";

/// What to acquire.
#[derive(Debug, Clone)]
pub struct Acquisition {
    /// The scan's shape: `[25]` for 25 frames in a line, `[3, 4]` for a 3 x 4 grid.
    pub scan: Vec<usize>,
    /// One frame's shape: `[10, 20]` like the source material's, `[]` for one number.
    pub frame: Vec<usize>,
    /// The time between frames.
    pub interval: Duration,
    /// Set the finished flag at the end (false: end as if the acquisition crashed).
    pub finish: bool,
    /// Where in the file the datasets go.
    pub layout: Layout,
    /// Create the file under its own name, and wait this long before starting SWMR mode,
    /// as a detector that creates its file in place does: a follower may find the file
    /// before it is ready. `None`: create it under a temporary name and rename it once
    /// ready.
    pub in_place: Option<Duration>,
}

/// The datasets' paths: the frames, one or more key datasets, the finished flag.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub data: String,
    pub keys: Vec<String>,
    pub finished: String,
}

impl Default for Layout {
    /// The workbook's layout, and the source material's.
    fn default() -> Layout {
        Layout {
            data: DATA.to_string(),
            keys: vec![KEY.to_string()],
            finished: FINISHED.to_string(),
        }
    }
}

impl Acquisition {
    pub fn frames(&self) -> usize {
        self.scan.iter().product()
    }
}

/// Pixel `pixel` (flat, C order) of frame `index`: a fixed pattern in 1..=4999, like the
/// source material's random integers, so that a reader can check every frame it reads.
pub fn frame_value(index: usize, pixel: usize) -> u32 {
    ((index as u64 * 7919 + pixel as u64 * 104_729) % 4999) as u32 + 1
}

/// Creates `path` and writes the scan into it, calling `on_frame(index)` after each frame's
/// key is flushed.
///
/// The file is created under a temporary name and takes its own name only once SWMR mode
/// has started: a reader that opened it earlier would hold a lock that stops the writer
/// from starting SWMR mode.
pub fn acquire(
    path: &Path,
    acquisition: &Acquisition,
    on_frame: impl FnMut(usize),
) -> Result<(), Error> {
    if acquisition.in_place.is_some() {
        return write_scan(path, path, acquisition, on_frame);
    }
    let mut creating = path.as_os_str().to_owned();
    creating.push(".creating");
    let creating = std::path::PathBuf::from(creating);
    let written = write_scan(&creating, path, acquisition, on_frame);
    let _ = std::fs::remove_file(&creating);
    written
}

fn write_scan(
    creating: &Path,
    path: &Path,
    acquisition: &Acquisition,
    mut on_frame: impl FnMut(usize),
) -> Result<(), Error> {
    let name = path.display().to_string();
    let mut file = ScanFile::create(creating, &name)?;
    let (scan, frame) = (&acquisition.scan, &acquisition.frame);
    // The first scan axis grows; the others are fixed. Keys have the data's rank, with each
    // frame axis of length 1 (keys of a 3 x 4 scan of images: shape (3, 4, 1, 1)).
    let data_shape: Vec<usize> = scan.iter().chain(frame).copied().collect();
    let key_block = vec![1; frame.len()];
    let key_shape: Vec<usize> = scan.iter().chain(&key_block).copied().collect();
    let layout = &acquisition.layout;
    let data = file.grown(&layout.data, &data_shape, scan.len())?;
    let keys = layout
        .keys
        .iter()
        .map(|key| file.grown(key, &key_shape, scan.len()))
        .collect::<Result<Vec<_>, Error>>()?;
    let finished = file.flag(&layout.finished)?;
    if let Some(pause) = acquisition.in_place {
        // Created and set up, not yet in SWMR mode: a follower must wait, not fail.
        std::thread::sleep(pause);
    }
    file.start_swmr()?;
    if creating != path {
        // Followers may open it from now on. (An open file keeps working under a new name.)
        std::fs::rename(creating, path).map_err(|e| Error(format!("cannot name {name}: {e}")))?;
    }

    let pixels: usize = frame.iter().product();
    let mut rows = 0;
    for index in 0..acquisition.frames() {
        if index > 0 {
            std::thread::sleep(acquisition.interval);
        }
        let position = unravel(index, scan);
        if position[0] >= rows {
            rows = position[0] + 1;
            file.resize(data, &with_rows(&data_shape, rows))?;
            for &key in &keys {
                file.resize(key, &with_rows(&key_shape, rows))?;
            }
        }
        let values: Vec<u32> = (0..pixels).map(|p| frame_value(index, p)).collect();
        file.write(data, &position, frame, &values)
            .map_err(|e| Error(format!("frame {index}: {e}")))?;
        file.flush(data)?;
        // The key only after its frame is safely in the file.
        for &key in &keys {
            file.write(key, &position, &key_block, &[index as u32 + 1])
                .map_err(|e| Error(format!("key {index}: {e}")))?;
            file.flush(key)?;
        }
        on_frame(index);
    }
    if acquisition.finish {
        file.write(finished, &[0], &[], &[1])
            .map_err(|e| Error(format!("setting {}: {e}", layout.finished)))?;
        file.flush(finished)?;
    }
    file.close()
}

/// `shape` with `rows` on its first axis.
fn with_rows(shape: &[usize], rows: usize) -> Vec<usize> {
    let mut shape = shape.to_vec();
    shape[0] = rows;
    shape
}
