//! The second challenge: a pipeline in two stages joined by a channel. This thread follows
//! the keys and reads the frames, and sends each one down the channel; a second thread turns
//! the channel into a parallel iterator with rayon's `par_bridge`, whose tasks take frames as
//! they arrive. No scope and no task per frame to spawn: the pool pulls the work. The sums
//! come back in any order, with their indices, and are put in key order at the end.

use std::sync::mpsc;

use rayon::prelude::*;
use swmr_kit::lesson::Frame;
use swmr_kit::{Error, FrameReader, KeyFollower};
use workbook::simulated::SimulatedWork;

use crate::long_function;

pub fn process_frames(
    keys: &mut KeyFollower,
    frames: &FrameReader,
    work: &SimulatedWork,
) -> Result<Vec<f64>, Error> {
    let (to_pool, arrived) = mpsc::channel::<(usize, Frame)>();
    let (read, mut sums) = std::thread::scope(|scope| {
        // The computing stage: it ends when the channel is empty and its sender is gone.
        let computing = scope.spawn(move || {
            arrived
                .into_iter()
                .par_bridge()
                .map(|(index, frame)| (index, long_function(&frame, work)))
                .collect::<Vec<(usize, f64)>>()
        });
        // The reading stage, on this thread.
        let read = (|| {
            for index in keys {
                let index = index?;
                // The computing stage holds the receiver until every frame is in.
                let _ = to_pool.send((index, frames.read(index)?));
            }
            Ok::<(), Error>(())
        })();
        // Without this the computing stage would wait for more frames for ever.
        drop(to_pool);
        let sums = computing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (read, sums)
    });
    read?;
    sums.sort_by_key(|&(index, _)| index);
    Ok(sums.into_iter().map(|(_, sum)| sum).collect())
}
