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
pub mod h5;
pub mod lesson;
pub mod writer;

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use h5::OpenFailure;

pub use detector::{Acquisition, DATA, FINISHED, KEY, Layout, acquire, frame_value};
pub use follower::{End, KeyFollower};
pub use frames::{FrameReader, unravel};
pub use h5::{Dataset, File};
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

/// Opens `path` for reading while a writer may still be adding to it. The file must be
/// ready now: see `open_swmr_within` to wait for it.
pub fn open_swmr(path: impl AsRef<Path>) -> Result<File, Error> {
    open_swmr_within(path, Duration::ZERO)
}

/// Opens `path` for SWMR reading, waiting up to `timeout` for it to be ready: for the file
/// to exist, and for its writer to start SWMR mode. A beamline starts its processing before
/// the detector, so the follower may well come first.
///
/// The reader opens the file only once its superblock says a SWMR writer has it (or no
/// writer has it at all): a reader that opened it while the writer was still setting it
/// up would fail to lock it, or hold a lock that stops the writer from starting SWMR mode.
/// A writer is never made to fail.
pub fn open_swmr_within(path: impl AsRef<Path>, timeout: Duration) -> Result<File, Error> {
    let path = path.as_ref();
    let start = Instant::now();
    // A writer closing its file leaves it short for a moment: give that a second.
    let patience = timeout.max(Duration::from_secs(1));
    loop {
        let not_yet = match try_open(path)? {
            Ready::Open(file) => return Ok(file),
            Ready::NotYet(not_yet) => not_yet,
        };
        let limit = match not_yet {
            NotYet::Truncated(_) => patience,
            _ => timeout,
        };
        if start.elapsed() >= limit {
            return Err(not_yet.explain(path, start.elapsed()));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Why a file cannot be read yet, though it may be soon.
enum NotYet {
    Missing,
    /// Too short to hold an HDF5 superblock yet: just created.
    Empty,
    /// Open for writing, but not (yet) in SWMR mode.
    SettingUp,
    /// Another program's lock: a writer starting SWMR mode releases it.
    Locked(String),
    /// Shorter than its superblock says: a writer closing it, or cut short.
    Truncated(String),
}

impl NotYet {
    fn explain(&self, path: &Path, waited: Duration) -> Error {
        let name = path.display();
        let waited = if waited >= Duration::from_millis(1) {
            format!(" (waited {:.1} s)", waited.as_secs_f64())
        } else {
            String::new()
        };
        Error(match self {
            NotYet::Missing => format!("{name} does not exist{waited}"),
            NotYet::Empty => format!("{name} is empty, not (yet) an HDF5 file{waited}"),
            NotYet::SettingUp => format!(
                "{name} is open for writing, but its writer has not started SWMR mode{waited}: \
                 a writer must start it (h5py: f.swmr_mode = True) before readers can follow"
            ),
            NotYet::Locked(message) => format!(
                "cannot open {name} for SWMR reading: {message}{waited} (another program \
                 holds the file)"
            ),
            NotYet::Truncated(message) => format!(
                "cannot open {name} for SWMR reading: {message} (shorter than its superblock \
                 says for over a second: a writer stopped mid-write?)"
            ),
        })
    }
}

enum Ready {
    Open(File),
    NotYet(NotYet),
}

/// Superblock flags (HDF5's file consistency flags, superblock version 2 and later).
const OPEN_FOR_WRITING: u8 = 0x01;
const SWMR_WRITING: u8 = 0x04;

fn try_open(path: &Path) -> Result<Ready, Error> {
    let superblock = match superblock(path)? {
        Some(superblock) => superblock,
        None if path.exists() => return Ok(Ready::NotYet(NotYet::Empty)),
        None => return Ok(Ready::NotYet(NotYet::Missing)),
    };
    if superblock.version < 3 {
        return Err(Error(format!(
            "{} was not written for SWMR (HDF5 superblock version {}; a SWMR file has 3 or \
             more: its writer must use libver v110 or later)",
            path.display(),
            superblock.version
        )));
    }
    if superblock.flags & OPEN_FOR_WRITING != 0 && superblock.flags & SWMR_WRITING == 0 {
        return Ok(Ready::NotYet(NotYet::SettingUp));
    }
    if let Some(end) = superblock.end
        && superblock.length < end
    {
        return Ok(Ready::NotYet(NotYet::Truncated(format!(
            "truncated file: {} bytes, where its superblock says {end}",
            superblock.length
        ))));
    }
    match h5::open_for_following(path) {
        Ok(file) => Ok(Ready::Open(file)),
        Err(OpenFailure::Truncated(message)) => Ok(Ready::NotYet(NotYet::Truncated(message))),
        Err(OpenFailure::Locked(message)) => Ok(Ready::NotYet(NotYet::Locked(message))),
        Err(OpenFailure::Other(message)) => {
            let hint = if message.contains("superblock") || message.contains("SWMR") {
                " (was it written with libver v110 or later, and in SWMR mode?)"
            } else {
                ""
            };
            Err(Error(format!(
                "cannot open {} for SWMR reading: {message}{hint}",
                path.display()
            )))
        }
    }
}

/// The start of an HDF5 superblock: its version and, from version 2 on, its flags and the
/// length the file should have.
struct Superblock {
    version: u8,
    flags: u8,
    /// Where the file should end (the superblock's base address plus its end-of-file
    /// address), from version 2 on.
    end: Option<u64>,
    /// The file's length now.
    length: u64,
}

/// The superblock of the file at `path`, or `None` if the file does not exist or is too
/// short or blank to hold one yet. The superblock starts with an 8-byte signature at
/// offset 0, 512, 1024, 2048, ... (after a user block, if any).
fn superblock(path: &Path) -> Result<Option<Superblock>, Error> {
    use std::io::{Read, Seek, SeekFrom};
    const SIGNATURE: [u8; 8] = [0x89, b'H', b'D', b'F', b'\r', b'\n', 0x1a, b'\n'];
    let name = path.display();
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error(format!("cannot read {name}: {e}"))),
    };
    let length = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut offset = 0u64;
    while offset + 8 <= length {
        // Signature, version, sizes of offsets and lengths, flags, then (version 2 and
        // later) the base, extension and end-of-file addresses.
        let mut head = [0u8; 12 + 3 * 8];
        let available = (length - offset).min(head.len() as u64) as usize;
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(&mut head[..available]))
            .map_err(|e| Error(format!("cannot read {name}: {e}")))?;
        if head[..8] == SIGNATURE {
            if available < 12 {
                // Still being written.
                return Ok(None);
            }
            let version = head[8];
            let flags = if version >= 2 { head[11] } else { 0 };
            let offsets = usize::from(head[9]);
            let address = |at: usize| {
                (version >= 2 && offsets == 8 && available >= at + 8)
                    .then(|| u64::from_le_bytes(head[at..at + 8].try_into().expect("8 bytes")))
            };
            let end = match (address(12), address(28)) {
                (Some(base), Some(eof)) => base.checked_add(eof),
                _ => None,
            };
            return Ok(Some(Superblock {
                version,
                flags,
                end,
                length,
            }));
        }
        // A file just created may hold nothing but zeros for a moment.
        if offset == 0 && head[..8].iter().all(|&b| b == 0) {
            return Ok(None);
        }
        offset = if offset == 0 { 512 } else { offset * 2 };
    }
    if length < 8 {
        return Ok(None);
    }
    Err(Error(format!("{name} is not an HDF5 file")))
}
