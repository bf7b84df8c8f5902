//! Following a live HDF5 file in SWMR (single writer, multiple readers) mode, the ideas of
//! swmr_tools' `KeyFollower` and `FrameReader` in Rust.
//!
//! A detector writes frames into a dataset whose first axis grows, and after each frame it
//! sets that frame's entry in one or more *key* datasets to a non-zero value. A reader that
//! opens the file in SWMR mode sees the datasets grow; a frame is ready to read once its
//! key is non-zero in every key dataset.
//!
//! ```no_run
//! use swmr_kit::{FrameReader, KeyFollower, open_swmr};
//! use std::time::Duration;
//!
//! let file = open_swmr("scan.h5")?;
//! let mut keys = KeyFollower::new(&file, &["keys/key_1"])?
//!     .timeout(Duration::from_secs(10))
//!     .finished_flag(&file, "keys/finished")?;
//! let frames = FrameReader::new(&file, "data/data", keys.scan_rank())?;
//! for index in keys.by_ref() {
//!     let frame = frames.read(index?)?;
//!     println!("frame sum {}", frame.sum());
//! }
//! println!("ended: {:?}", keys.end());
//! # Ok::<(), swmr_kit::Error>(())
//! ```

mod detector;
mod follower;
mod frames;
pub mod lesson;
pub mod writer;

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

pub use detector::{Acquisition, DATA, FINISHED, KEY, acquire, frame_value};
pub use follower::{End, KeyFollower};
pub use frames::{FrameReader, unravel};
pub use writer::Detector;

/// What went wrong, in one line fit for a user.
#[derive(Debug, Clone, PartialEq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// HDF5's own message, first line only, after `context`.
pub(crate) fn failed(context: impl fmt::Display) -> impl Fn(hdf5::Error) -> Error {
    move |e| {
        let message = e.to_string();
        let first = message.lines().next().unwrap_or_default().to_string();
        Error(format!("{context}: {first}"))
    }
}

/// Opens `path` for reading while a writer may still be adding to it.
pub fn open_swmr(path: impl AsRef<Path>) -> Result<hdf5::File, Error> {
    let path = path.as_ref();
    if !path.exists() {
        return Err(Error(format!("{} does not exist", path.display())));
    }
    let version = superblock_version(path)?;
    if version < 3 {
        return Err(Error(format!(
            "{} was not written for SWMR (HDF5 superblock version {version}; a SWMR file has 3 \
             or more: its writer must use libver v110 or later)",
            path.display()
        )));
    }
    silence_hdf5_errors();
    // A writer closing its file records the file's final length before it truncates or
    // extends the file to that length; a look in between sees a "truncated file". It passes.
    let give_up = Instant::now() + Duration::from_secs(1);
    let opened = loop {
        match hdf5::File::open_as(path, hdf5::OpenMode::ReadSWMR) {
            Err(e) if e.to_string().contains("truncated file") && Instant::now() < give_up => {
                std::thread::sleep(Duration::from_millis(5));
            }
            opened => break opened,
        }
    };
    opened.map_err(|e| {
        let message = e.to_string();
        let hint = if message.contains("superblock") || message.contains("SWMR") {
            " (was it written with libver v110 or later, and in SWMR mode?)"
        } else if message.contains("truncated file") {
            " (shorter than its superblock says for over a second: a writer stopped mid-write?)"
        } else {
            ""
        };
        Error(format!(
            "cannot open {} for SWMR reading: {}{hint}",
            path.display(),
            message.lines().next().unwrap_or_default()
        ))
    })
}

/// The version byte of an HDF5 file's superblock. The superblock starts with an 8-byte
/// signature at offset 0, 512, 1024, 2048, ... (after a user block, if any).
fn superblock_version(path: &Path) -> Result<u8, Error> {
    use std::io::{Read, Seek, SeekFrom};
    const SIGNATURE: [u8; 8] = [0x89, b'H', b'D', b'F', b'\r', b'\n', 0x1a, b'\n'];
    let name = path.display();
    let mut file =
        std::fs::File::open(path).map_err(|e| Error(format!("cannot read {name}: {e}")))?;
    let length = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut offset = 0u64;
    while offset + 9 <= length {
        let mut head = [0u8; 9];
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(&mut head))
            .map_err(|e| Error(format!("cannot read {name}: {e}")))?;
        if head[..8] == SIGNATURE {
            return Ok(head[8]);
        }
        offset = if offset == 0 { 512 } else { offset * 2 };
    }
    Err(Error(format!("{name} is not an HDF5 file")))
}

/// HDF5 prints a stack of diagnostics to stderr for every failed call; the errors this
/// crate returns say what matters in one line.
pub(crate) fn silence_hdf5_errors() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| hdf5::silence_errors(true));
}
