//! HDF5 through its own C library (hdf5-metno): the `hdf5-c` feature. It links the system's
//! HDF5, 1.10 or newer, and reads what HDF5's filter plugins can decode.

use std::path::Path;

use hdf5::{Extent, Extents, Hyperslab, SliceOrIndex};
use ndarray::{ArrayD, IxDyn};

use super::{OpenFailure, failed, first_line};
use crate::Error;

pub fn name() -> String {
    let (major, minor, patch) = hdf5::library_version();
    format!("HDF5 C library {major}.{minor}.{patch} (hdf5-metno)")
}

/// HDF5 prints a stack of diagnostics to stderr for every failed call; the errors this
/// crate returns say what matters in one line.
fn silence_hdf5_errors() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| hdf5::silence_errors(true));
}

/// A file open for SWMR reading. (hdf5-metno serialises every HDF5 call behind one lock.)
#[derive(Clone)]
pub struct File(hdf5::File);

pub(crate) fn open_for_following(path: &Path) -> Result<File, OpenFailure> {
    silence_hdf5_errors();
    hdf5::File::open_as(path, hdf5::OpenMode::ReadSWMR)
        .map(File)
        .map_err(|e| {
            let message = e.to_string();
            let first = first_line(&message);
            if message.contains("truncated file") {
                OpenFailure::Truncated(first)
            } else if message.contains("unable to lock file") {
                OpenFailure::Locked(first)
            } else {
                OpenFailure::Other(first)
            }
        })
}

impl File {
    pub fn filename(&self) -> String {
        self.0.filename()
    }

    pub fn is_dataset(&self, path: &str) -> bool {
        self.0.dataset(path).is_ok()
    }

    /// The names of the datasets directly in the group at `path`, sorted; `None` if there is
    /// no such group.
    pub fn datasets_in_group(&self, path: &str) -> Option<Vec<String>> {
        let group = self.0.group(path).ok()?;
        let mut names: Vec<String> = group
            .member_names()
            .ok()?
            .into_iter()
            .filter(|name| group.dataset(name).is_ok())
            .collect();
        names.sort();
        Some(names)
    }

    pub fn dataset(&self, path: &str) -> Result<Dataset, Error> {
        let dataset = self.0.dataset(path).map_err(|e| {
            if self.0.link_exists(path.trim_start_matches('/')) {
                // There, but this library cannot open it (a newer format, say).
                Error(format!(
                    "cannot open {path} in {}: {}",
                    self.filename(),
                    first_line(e)
                ))
            } else {
                Error(format!("no dataset {path} in {}", self.filename()))
            }
        })?;
        Ok(Dataset {
            dataset,
            shown: path.to_string(),
        })
    }
}

/// One dataset of a `File`.
pub struct Dataset {
    dataset: hdf5::Dataset,
    shown: String,
}

/// Whole axes from `start` to each length.
fn whole(start: usize, end: usize) -> SliceOrIndex {
    SliceOrIndex::SliceTo {
        start,
        step: 1,
        end,
        block: 1,
    }
}

impl Dataset {
    /// Looks at the file again: rows a writer added since are seen after this.
    pub fn refresh(&self) -> Result<(), Error> {
        self.dataset
            .refresh()
            .map_err(failed(format!("refreshing {}", self.shown)))
    }

    pub fn shape(&self) -> Result<Vec<usize>, Error> {
        Ok(self.dataset.shape())
    }

    /// Every value from row `first` of the first axis on, as f64.
    pub fn read_rows(&self, first: usize) -> Result<Vec<f64>, Error> {
        let shape = self.dataset.shape();
        let rows = shape.first().copied().unwrap_or(0);
        if first >= rows || shape.contains(&0) {
            return Ok(Vec::new());
        }
        let selection: Vec<SliceOrIndex> = std::iter::once(whole(first, rows))
            .chain(shape.iter().skip(1).map(|&end| whole(0, end)))
            .collect();
        self.read(Hyperslab::from(selection))
    }

    /// The block at `position` in the leading axes, the other axes (`rest`) whole.
    pub fn read_at(&self, position: &[usize], rest: &[usize]) -> Result<Vec<f64>, Error> {
        self.read(block_at(position, rest))
    }

    pub fn read_all(&self) -> Result<Vec<f64>, Error> {
        self.dataset
            .read_raw()
            .map_err(failed(format!("reading {}", self.shown)))
    }

    fn read(&self, selection: Hyperslab) -> Result<Vec<f64>, Error> {
        // HDF5 converts integer data to f64 as it reads.
        let values: ArrayD<f64> = self
            .dataset
            .read_slice::<f64, _, IxDyn>(selection)
            .map_err(failed(format!("reading {}", self.shown)))?;
        Ok(values.into_raw_vec_and_offset().0)
    }
}

fn block_at(position: &[usize], rest: &[usize]) -> Hyperslab {
    let selection: Vec<SliceOrIndex> = position
        .iter()
        .map(|&i| SliceOrIndex::Index(i))
        .chain(rest.iter().map(|&end| whole(0, end)))
        .collect();
    Hyperslab::from(selection)
}

/// A scan file being written: datasets are numbered in the order they were made.
pub(crate) struct ScanFile {
    file: hdf5::File,
    datasets: Vec<hdf5::Dataset>,
    name: String,
}

impl ScanFile {
    pub fn create(path: &Path, name: &str) -> Result<ScanFile, Error> {
        silence_hdf5_errors();
        let file = hdf5::File::with_options()
            .with_fapl(|fapl| fapl.libver_v110())
            .create(path)
            .map_err(failed(format!("cannot create {name}")))?;
        Ok(ScanFile {
            file,
            datasets: Vec::new(),
            name: name.to_string(),
        })
    }

    fn add(&mut self, dataset: hdf5::Dataset) -> usize {
        self.datasets.push(dataset);
        self.datasets.len() - 1
    }

    /// A u32 dataset of `shape` whose first axis starts at 0 and has no limit, stored one
    /// `scan_rank`-axis position per chunk: a frame, or a frame's key.
    pub fn grown(&mut self, path: &str, shape: &[usize], scan_rank: usize) -> Result<usize, Error> {
        let extents: Vec<Extent> = shape
            .iter()
            .enumerate()
            .map(|(axis, &n)| {
                if axis == 0 {
                    Extent::resizable(0)
                } else {
                    Extent::fixed(n)
                }
            })
            .collect();
        let chunk: Vec<usize> = shape
            .iter()
            .enumerate()
            .map(|(axis, &n)| if axis < scan_rank { 1 } else { n.max(1) })
            .collect();
        let dataset = self
            .file
            .new_dataset::<u32>()
            .chunk(chunk)
            .shape(Extents::from(extents))
            .create(path)
            .map_err(failed(format!("{}: making {path}", self.name)))?;
        Ok(self.add(dataset))
    }

    /// A u32 dataset of shape (1,), holding 0.
    pub fn flag(&mut self, path: &str) -> Result<usize, Error> {
        let flag = self
            .file
            .new_dataset::<u32>()
            .shape(1)
            .create(path)
            .map_err(failed(format!("{}: making {path}", self.name)))?;
        // Written now, so that its storage exists before SWMR mode: HDF5 2.0's readers
        // (h5py 3.16) refuse to refresh a dataset that has none ("invalid dataset size").
        flag.write(&[0u32])
            .map_err(failed(format!("{}: writing {path}", self.name)))?;
        Ok(self.add(flag))
    }

    pub fn start_swmr(&mut self) -> Result<(), Error> {
        self.file
            .flush()
            .and_then(|()| self.file.start_swmr())
            .map_err(failed(format!("cannot start SWMR mode in {}", self.name)))
    }

    pub fn resize(&mut self, dataset: usize, shape: &[usize]) -> Result<(), Error> {
        self.datasets[dataset]
            .resize(shape.to_vec())
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
        let block = ArrayD::from_shape_vec(IxDyn(rest), values.to_vec())
            .map_err(|e| Error(format!("{}: {e}", self.name)))?;
        self.datasets[dataset]
            .write_slice(&block, block_at(position, rest))
            .map_err(failed(format!("{}: writing", self.name)))
    }

    /// Makes what was written to `dataset` visible to readers.
    pub fn flush(&mut self, dataset: usize) -> Result<(), Error> {
        self.datasets[dataset]
            .flush()
            .map_err(failed(format!("{}: flushing", self.name)))
    }

    pub fn close(self) -> Result<(), Error> {
        let name = self.name;
        self.file
            .close()
            .map_err(failed(format!("{name}: closing")))
    }
}
