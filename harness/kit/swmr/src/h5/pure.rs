//! HDF5 through `rust-hdf5`, written in Rust: nothing to install.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rust_hdf5::swmr::{SwmrFileReader, SwmrFileWriter};
use rust_hdf5::{ByteOrder, DatatypeMessage, FileLocking, H5File, H5Type, Hdf5Error};

use super::{OpenFailure, failed, first_line};
use crate::Error;

pub fn name() -> String {
    "rust-hdf5 0.7 (pure Rust)".to_string()
}

/// A file open for SWMR reading. Every call goes through one lock, as the C library's do:
/// frames are read one at a time, whichever thread asks.
#[derive(Clone)]
pub struct File {
    reader: Arc<Mutex<SwmrFileReader>>,
    name: String,
}

pub(crate) fn open_for_following(path: &Path) -> Result<File, OpenFailure> {
    // Opening reads metadata too, and can meet the writer mid-update just as a read can.
    let mut opened = SwmrFileReader::open(path);
    for _ in 1..READ_ATTEMPTS {
        match &opened {
            Err(error) if caught_mid_update(error) => {
                std::thread::sleep(std::time::Duration::from_micros(100));
                opened = SwmrFileReader::open(path);
            }
            _ => break,
        }
    }
    match opened {
        Ok(reader) => Ok(File {
            reader: Arc::new(Mutex::new(reader)),
            name: path.display().to_string(),
        }),
        Err(e) => {
            let message = first_line(&e);
            let lower = message.to_lowercase();
            Err(if lower.contains("lock") {
                OpenFailure::Locked(message)
            } else if lower.contains("truncat")
                || matches!(&e, Hdf5Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof)
            {
                OpenFailure::Truncated(message)
            } else {
                OpenFailure::Other(message)
            })
        }
    }
}

/// HDF5 paths without the leading slash, as the reader lists them.
fn relative(path: &str) -> &str {
    path.trim_start_matches('/')
}

/// How often a read that met the writer mid-update is tried again. HDF5's C library does
/// the same for SWMR readers (100 attempts by default): a checksum that does not match, or
/// a dataset that was there and is not, is metadata caught while the writer rewrites it,
/// not a damaged file, until it persists. (Datasets are never removed under SWMR, and only
/// datasets found at first get a `Dataset`.)
const READ_ATTEMPTS: usize = 100;

fn caught_mid_update(error: &Hdf5Error) -> bool {
    matches!(error, Hdf5Error::NotFound(_)) || error.to_string().contains("checksum mismatch")
}

impl File {
    fn reader(&self) -> MutexGuard<'_, SwmrFileReader> {
        // A panic while holding the lock leaves the reader as it was: keep using it.
        self.reader
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `call` on the reader, looking at the file again and retrying while it meets
    /// the writer mid-update.
    fn with_retries<T>(
        &self,
        mut call: impl FnMut(&mut SwmrFileReader) -> Result<T, Hdf5Error>,
    ) -> Result<T, Hdf5Error> {
        let mut reader = self.reader();
        let mut attempt = 1;
        loop {
            match call(&mut reader) {
                Err(error) if caught_mid_update(&error) && attempt < READ_ATTEMPTS => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_micros(100));
                    // The refresh may itself meet the writer: the next attempt tells.
                    let _ = reader.refresh();
                }
                result => return result,
            }
        }
    }

    pub fn filename(&self) -> String {
        self.name.clone()
    }

    pub fn is_dataset(&self, path: &str) -> bool {
        let path = relative(path);
        self.reader()
            .dataset_names()
            .iter()
            .any(|name| name == path)
    }

    /// The names of the datasets directly in the group at `path`, sorted; `None` if there is
    /// no such group.
    pub fn datasets_in_group(&self, path: &str) -> Option<Vec<String>> {
        let group = relative(path).trim_end_matches('/');
        let reader = self.reader();
        if !group.is_empty() && !reader.has_group(group) && !reader.has_group(&format!("/{group}"))
        {
            return None;
        }
        let prefix = if group.is_empty() {
            String::new()
        } else {
            format!("{group}/")
        };
        let mut names: Vec<String> = reader
            .dataset_names()
            .iter()
            .filter_map(|name| name.strip_prefix(&prefix))
            .filter(|rest| !rest.contains('/'))
            .map(str::to_string)
            .collect();
        names.sort();
        Some(names)
    }

    pub fn dataset(&self, path: &str) -> Result<Dataset, Error> {
        if !self.is_dataset(path) {
            return Err(Error(format!("no dataset {path} in {}", self.name)));
        }
        let datatype = self.datatype(path)?;
        Ok(Dataset {
            file: self.clone(),
            path: relative(path).to_string(),
            shown: path.to_string(),
            datatype,
        })
    }

    /// A dataset's element type. The SWMR reader gives only element sizes, so the type is
    /// read once from a second, plain look at the file (it cannot change while a writer
    /// works: SWMR writers may only add rows).
    fn datatype(&self, path: &str) -> Result<DatatypeMessage, Error> {
        let look = H5File::options()
            .locking(FileLocking::Disabled)
            .open(&self.name)
            .map_err(failed(format!("reading the types in {}", self.name)))?;
        let dataset = look
            .dataset(relative(path))
            .map_err(failed(format!("reading {path}")))?;
        dataset
            .datatype()
            .map_err(failed(format!("reading the type of {path}")))
    }
}

/// One dataset of a `File`.
pub struct Dataset {
    file: File,
    path: String,
    /// The path as the user gave it, for messages.
    shown: String,
    datatype: DatatypeMessage,
}

impl Dataset {
    /// Looks at the file again: rows a writer added since are seen after this.
    pub fn refresh(&self) -> Result<(), Error> {
        self.file
            .with_retries(|reader| reader.refresh())
            .map_err(failed(format!("refreshing {}", self.shown)))
    }

    pub fn shape(&self) -> Result<Vec<usize>, Error> {
        let shape = self
            .file
            .with_retries(|reader| reader.dataset_shape(&self.path))
            .map_err(failed(format!("reading the shape of {}", self.shown)))?;
        Ok(shape.into_iter().map(|n| n as usize).collect())
    }

    /// Every value from row `first` of the first axis on, as f64.
    pub fn read_rows(&self, first: usize) -> Result<Vec<f64>, Error> {
        let shape = self.shape()?;
        let rows = shape.first().copied().unwrap_or(0);
        if first >= rows || shape.contains(&0) {
            return Ok(Vec::new());
        }
        let mut starts = vec![0; shape.len()];
        starts[0] = first as u64;
        let mut counts: Vec<u64> = shape.iter().map(|&n| n as u64).collect();
        counts[0] = (rows - first) as u64;
        self.read(&starts, &counts)
    }

    /// The block at `position` in the leading axes, the other axes (`rest`) whole.
    pub fn read_at(&self, position: &[usize], rest: &[usize]) -> Result<Vec<f64>, Error> {
        let (starts, counts) = block_at(position, rest);
        self.read(&starts, &counts)
    }

    pub fn read_all(&self) -> Result<Vec<f64>, Error> {
        let raw = self
            .file
            .with_retries(|reader| reader.read_dataset_raw(&self.path))
            .map_err(failed(format!("reading {}", self.shown)))?;
        numbers(&raw, &self.datatype).map_err(|e| Error(format!("{}: {e}", self.shown)))
    }

    fn read(&self, starts: &[u64], counts: &[u64]) -> Result<Vec<f64>, Error> {
        let raw = self
            .file
            .with_retries(|reader| reader.read_slice_raw(&self.path, starts, counts))
            .map_err(failed(format!("reading {}", self.shown)))?;
        numbers(&raw, &self.datatype).map_err(|e| Error(format!("{}: {e}", self.shown)))
    }
}

/// Stored values as f64, as HDF5's C library converts them: integers of any width and
/// sign, and floats of 4 or 8 bytes, in either byte order.
fn numbers(raw: &[u8], datatype: &DatatypeMessage) -> Result<Vec<f64>, String> {
    fn each<const N: usize>(
        raw: &[u8],
        order: &ByteOrder,
        value: impl Fn([u8; N]) -> f64,
    ) -> Vec<f64> {
        raw.chunks_exact(N)
            .map(|bytes| {
                let mut bytes: [u8; N] = bytes.try_into().expect("chunks of N bytes");
                if matches!(order, ByteOrder::BigEndian) {
                    bytes.reverse();
                }
                value(bytes)
            })
            .collect()
    }
    Ok(match datatype {
        DatatypeMessage::FixedPoint {
            size,
            byte_order,
            signed,
            ..
        } => match (size, signed) {
            (1, false) => each(raw, byte_order, |b: [u8; 1]| f64::from(b[0])),
            (1, true) => each(raw, byte_order, |b: [u8; 1]| f64::from(b[0] as i8)),
            (2, false) => each(raw, byte_order, |b| f64::from(u16::from_le_bytes(b))),
            (2, true) => each(raw, byte_order, |b| f64::from(i16::from_le_bytes(b))),
            (4, false) => each(raw, byte_order, |b| f64::from(u32::from_le_bytes(b))),
            (4, true) => each(raw, byte_order, |b| f64::from(i32::from_le_bytes(b))),
            (8, false) => each(raw, byte_order, |b| u64::from_le_bytes(b) as f64),
            (8, true) => each(raw, byte_order, |b| i64::from_le_bytes(b) as f64),
            _ => return Err(format!("integers of {size} bytes cannot be read")),
        },
        DatatypeMessage::FloatingPoint {
            size, byte_order, ..
        } => match size {
            4 => each(raw, byte_order, |b| f64::from(f32::from_le_bytes(b))),
            8 => each(raw, byte_order, f64::from_le_bytes),
            _ => return Err(format!("floats of {size} bytes cannot be read")),
        },
        _ => return Err("holds values that are not numbers".to_string()),
    })
}

/// A scan file being written: datasets are numbered in the order they were made.
pub(crate) struct ScanFile {
    writer: SwmrFileWriter,
    name: String,
    groups: HashSet<String>,
}

impl ScanFile {
    pub fn create(path: &Path, name: &str) -> Result<ScanFile, Error> {
        let writer =
            SwmrFileWriter::create(path).map_err(failed(format!("cannot create {name}")))?;
        Ok(ScanFile {
            writer,
            name: name.to_string(),
            groups: HashSet::new(),
        })
    }

    /// The groups that hold `path`, made where missing.
    fn groups_for(&mut self, path: &str) -> Result<(), Error> {
        let parts: Vec<&str> = relative(path).split('/').collect();
        let mut parent = String::from("/");
        for part in &parts[..parts.len().saturating_sub(1)] {
            let full = if parent == "/" {
                format!("/{part}")
            } else {
                format!("{parent}/{part}")
            };
            if self.groups.insert(full.clone()) {
                self.writer
                    .create_group(&parent, part)
                    .map_err(failed(format!("{}: making group {full}", self.name)))?;
            }
            parent = full;
        }
        Ok(())
    }

    /// A u32 dataset of `shape` whose first axis starts at 0 and has no limit, stored one
    /// `scan_rank`-axis position per chunk: a frame, or a frame's key.
    pub fn grown(&mut self, path: &str, shape: &[usize], scan_rank: usize) -> Result<usize, Error> {
        self.groups_for(path)?;
        let mut start: Vec<u64> = shape.iter().map(|&n| n as u64).collect();
        start[0] = 0;
        let limits: Vec<Option<u64>> = shape
            .iter()
            .enumerate()
            .map(|(axis, &n)| (axis > 0).then_some(n as u64))
            .collect();
        let chunk: Vec<u64> = shape
            .iter()
            .enumerate()
            .map(|(axis, &n)| if axis < scan_rank { 1 } else { n.max(1) as u64 })
            .collect();
        self.writer
            .create_grid_dataset_with_max(
                relative(path),
                u32::hdf5_type(),
                &start,
                &limits,
                &chunk,
                None,
            )
            .map_err(failed(format!("{}: making {path}", self.name)))
    }

    /// A u32 dataset of shape (1,), holding 0.
    pub fn flag(&mut self, path: &str) -> Result<usize, Error> {
        self.groups_for(path)?;
        let flag = self
            .writer
            .create_grid_dataset_with_max(
                relative(path),
                u32::hdf5_type(),
                &[1],
                &[Some(1)],
                &[1],
                None,
            )
            .map_err(failed(format!("{}: making {path}", self.name)))?;
        self.write(flag, &[0], &[], &[0])?;
        Ok(flag)
    }

    pub fn start_swmr(&mut self) -> Result<(), Error> {
        self.writer
            .flush()
            .and_then(|()| self.writer.start_swmr())
            .map_err(failed(format!("cannot start SWMR mode in {}", self.name)))
    }

    pub fn resize(&mut self, dataset: usize, shape: &[usize]) -> Result<(), Error> {
        let shape: Vec<u64> = shape.iter().map(|&n| n as u64).collect();
        self.writer
            .set_extent(dataset, &shape)
            .map_err(failed(format!("{}: growing a dataset", self.name)))
    }

    /// Writes `values` (C order) into the block at `position`, the other axes (`rest`) whole.
    pub fn write(
        &mut self,
        dataset: usize,
        position: &[usize],
        rest: &[usize],
        values: &[u32],
    ) -> Result<(), Error> {
        let (starts, counts) = block_at(position, rest);
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.writer
            .write_slice(dataset, &starts, &counts, &bytes)
            .map_err(failed(format!("{}: writing", self.name)))
    }

    /// Makes what was written visible to readers. (This library flushes the whole file.)
    pub fn flush(&mut self, _dataset: usize) -> Result<(), Error> {
        self.writer
            .flush()
            .map_err(failed(format!("{}: flushing", self.name)))
    }

    pub fn close(self) -> Result<(), Error> {
        let name = self.name;
        self.writer
            .close()
            .map_err(failed(format!("{name}: closing")))
    }
}

/// The selection of the block at `position` in the leading axes, the other axes (of lengths
/// `rest`) whole: starts and counts, in elements.
fn block_at(position: &[usize], rest: &[usize]) -> (Vec<u64>, Vec<u64>) {
    let starts = position
        .iter()
        .map(|&i| i as u64)
        .chain(rest.iter().map(|_| 0))
        .collect();
    let counts = position
        .iter()
        .map(|_| 1)
        .chain(rest.iter().map(|&n| n as u64))
        .collect();
    (starts, counts)
}
