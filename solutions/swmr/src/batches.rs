//! The first challenge: batches of frames. One task per frame costs a task, a channel
//! message and a moved frame for every frame; with tiny work on many frames that cost, paid
//! on the reading thread, is the run. Here the reading thread gathers `--batch` frames
//! before it hands them to the pool as one task.

use std::sync::mpsc;

use swmr_kit::lesson::Frame;
use swmr_kit::{Error, FrameReader, KeyFollower};
use workbook::simulated::SimulatedWork;

use crate::long_function;

/// Follows the keys on this thread; processes frames on the pool, `batch` per task.
pub fn process_frames(
    keys: &mut KeyFollower,
    frames: &FrameReader,
    work: &SimulatedWork,
    batch: usize,
) -> Result<Vec<f64>, Error> {
    let (results, finished) = mpsc::channel();
    // in_place_scope: this thread reads, the pool's threads all compute.
    let read = rayon::in_place_scope(|scope| {
        let send_batch = |frames: Vec<(usize, Frame)>| {
            let results = results.clone();
            scope.spawn(move |_| {
                for (index, frame) in frames {
                    // The receiver lives until every task is done.
                    let _ = results.send((index, long_function(&frame, work)));
                }
            });
        };
        let mut pending = Vec::with_capacity(batch);
        for index in keys {
            let index = index?;
            pending.push((index, frames.read(index)?));
            if pending.len() == batch {
                send_batch(std::mem::replace(&mut pending, Vec::with_capacity(batch)));
            }
        }
        if !pending.is_empty() {
            send_batch(pending);
        }
        Ok::<(), Error>(())
    });
    drop(results);
    let mut sums: Vec<(usize, f64)> = finished.into_iter().collect();
    read?;
    // Tasks finish in any order; the keys' order is the answer's.
    sums.sort_by_key(|&(index, _)| index);
    Ok(sums.into_iter().map(|(_, sum)| sum).collect())
}
