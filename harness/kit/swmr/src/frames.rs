//! The frame reader: from a frame's flat index to its position in the scan, and the frame.

use hdf5::{Dataset, File, Hyperslab, SliceOrIndex};
use ndarray::{ArrayD, IxDyn};

use crate::follower::dataset;
use crate::{Error, failed};

/// Reads frames from a data dataset whose leading `scan_rank` axes are the scan and whose
/// other axes are one frame: data of shape (5, 10, 100, 200) with a 2-axis scan holds 50
/// frames of 100 x 200.
pub struct FrameReader {
    path: String,
    data: Dataset,
    scan_rank: usize,
}

impl FrameReader {
    pub fn new(file: &File, path: &str, scan_rank: usize) -> Result<FrameReader, Error> {
        let data = dataset(file, path)?;
        let rank = data.ndim();
        if rank < scan_rank {
            return Err(Error(format!(
                "{path} has {rank} axes, fewer than the keys' {scan_rank} scan axes"
            )));
        }
        Ok(FrameReader {
            path: path.to_string(),
            data,
            scan_rank,
        })
    }

    /// The frame at flat scan index `index`, read as f64 (HDF5 converts integer data).
    pub fn read(&self, index: usize) -> Result<ArrayD<f64>, Error> {
        let path = &self.path;
        // Always refresh: a frame in a part of the dataset that already existed (the next
        // frame of a grid row, say) is only seen after a refresh.
        self.data
            .refresh()
            .map_err(failed(format!("refreshing {path}")))?;
        let shape = self.data.shape();
        let (scan, frame) = shape.split_at(self.scan_rank);
        let position = unravel(index, scan);
        if position[0] >= scan[0] {
            return Err(Error(format!(
                "frame {index} is not in {path} yet (its shape is {shape:?}): the writer \
                 set a key before writing the frame"
            )));
        }
        self.data
            .read_slice::<f64, _, IxDyn>(frame_at(&position, frame))
            .map_err(failed(format!("reading frame {index} of {path}")))
    }
}

/// The selection of one frame (or key) at `position` in the scan: the scan axes fixed, the
/// frame's axes (of lengths `frame`) whole.
pub(crate) fn frame_at(position: &[usize], frame: &[usize]) -> Hyperslab {
    let selection: Vec<SliceOrIndex> = position
        .iter()
        .map(|&i| SliceOrIndex::Index(i))
        .chain(frame.iter().map(|&end| SliceOrIndex::SliceTo {
            start: 0,
            step: 1,
            end,
            block: 1,
        }))
        .collect();
    Hyperslab::from(selection)
}

/// The position of flat index `index` in a scan of shape `scan`, in C order (the last axis
/// fastest). The first axis is not bounded: it is the one that grows.
pub fn unravel(mut index: usize, scan: &[usize]) -> Vec<usize> {
    let mut position = vec![0; scan.len()];
    for axis in (1..scan.len()).rev() {
        let length = scan[axis].max(1);
        position[axis] = index % length;
        index /= length;
    }
    if let Some(first) = position.first_mut() {
        *first = index;
    }
    position
}

#[cfg(test)]
mod tests {
    use super::unravel;

    #[test]
    fn flat_indices_unravel_in_c_order() {
        assert_eq!(unravel(7, &[25]), [7]);
        assert_eq!(unravel(0, &[3, 4]), [0, 0]);
        assert_eq!(unravel(5, &[3, 4]), [1, 1]);
        assert_eq!(unravel(11, &[3, 4]), [2, 3]);
        // The first axis grows: index 13 of a 3 x 4 scan is row 3.
        assert_eq!(unravel(13, &[3, 4]), [3, 1]);
        assert_eq!(unravel(23, &[2, 3, 4]), [1, 2, 3]);
    }
}
