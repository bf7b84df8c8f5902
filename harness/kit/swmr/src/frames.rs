//! The frame reader: from a frame's flat index to its position in the scan, and the frame.

use ndarray::{ArrayD, IxDyn};

use crate::follower::dataset;
use crate::{Dataset, Error, File};

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
        let rank = data.shape()?.len();
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
        self.data.refresh()?;
        let shape = self.data.shape()?;
        let (scan, frame) = shape.split_at(self.scan_rank);
        let position = unravel(index, scan);
        if position[0] >= scan[0] {
            return Err(Error(format!(
                "frame {index} is not in {path} yet (its shape is {shape:?}): the writer \
                 set a key before writing the frame"
            )));
        }
        let values = self
            .data
            .read_at(&position, frame)
            .map_err(|e| Error(format!("frame {index}: {e}")))?;
        ArrayD::from_shape_vec(IxDyn(frame), values)
            .map_err(|e| Error(format!("frame {index} of {path}: {e}")))
    }
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
