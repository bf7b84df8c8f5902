//! The little of HDF5 this kit needs, from one of two libraries:
//!
//! - `rust-hdf5`, written in Rust (the default): nothing to install, and its SWMR files and
//!   reads interoperate with HDF5's C library and h5py both ways;
//! - HDF5's own C library, through `hdf5-metno` (the `hdf5-c` feature): for a site whose
//!   detector files need HDF5's filter plugins (bitshuffle, LZ4, ...).
//!
//! Both give the same few calls below, so the follower, the frame reader and the simulated
//! detector are written once.

#[cfg(feature = "hdf5-c")]
mod c;
#[cfg(feature = "hdf5-c")]
use c as library;

#[cfg(not(feature = "hdf5-c"))]
mod pure;
#[cfg(not(feature = "hdf5-c"))]
use pure as library;

pub use library::{Dataset, File};
pub(crate) use library::{ScanFile, open_for_following};

/// Which HDF5 library reads and writes the files, for the lesson's record.
pub fn library() -> String {
    library::name()
}

/// Why a file could not be opened for SWMR reading: some causes pass on their own.
pub(crate) enum OpenFailure {
    /// Shorter than its superblock says: a writer closing it, or cut short.
    Truncated(String),
    /// Another program's lock: a writer starting SWMR mode releases it.
    Locked(String),
    Other(String),
}

/// A library's error, first line only: HDF5's messages go on for a stack of lines.
pub(crate) fn first_line(error: impl std::fmt::Display) -> String {
    let message = error.to_string();
    message.lines().next().unwrap_or_default().to_string()
}

/// Turns a library's error into one line after `context`.
pub(crate) fn failed<E: std::fmt::Display>(
    context: impl std::fmt::Display,
) -> impl Fn(E) -> crate::Error {
    move |e| crate::Error(format!("{context}: {}", first_line(e)))
}

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("File").field(&self.filename()).finish()
    }
}
