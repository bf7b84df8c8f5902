//! Following a live HDF5 file: a parallel solution. Compare it with the starter:
//!
//!     diff exercises/swmr/src/main.rs solutions/swmr/src/main.rs
//!
//! One change, in `process_frames`: the main thread still follows the keys and reads every
//! frame (HDF5 serialises its calls anyway), but hands the work on frames to rayon's pool,
//! `--batch` frames per task, and goes straight back to the keys. Each task sends back its
//! frames' sums with their indices, and the sums are put in key order at the end: the same
//! answer as the starter's, bit for bit.

use std::sync::mpsc;

use swmr_kit::lesson::Frame;
use swmr_kit::{Error, FrameReader, KeyFollower};
use workbook::simulated::SimulatedWork;
use workbook::{Program, registry::SWMR};

/// The source material's long function: some work, then the frame's sum.
fn long_function(frame: &Frame, work: &SimulatedWork) -> f64 {
    work.run();
    frame.sum()
}

/// Follows the keys on this thread; processes frames on the pool, `batch` per task.
fn process_frames(
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

fn main() {
    // The simulated detector is this same program, started again as the writer.
    swmr_kit::writer::run_as_writer_if_asked();
    // The harness reads the flags (--frames, --interval-ms, --work-ms, --work, --timeout-ms,
    // --input, --keys, --data, --finished, --batch, --threads, --repeat, --json, --help),
    // sizes rayon's thread pool and times each run, from starting the detector to the last
    // frame's result.
    Program::solution(&SWMR)
        .finish(swmr_kit::lesson::report)
        .run(|params| {
            let batch = params.count("batch") as usize;
            swmr_kit::lesson::run(params, |keys, frames, work| {
                process_frames(keys, frames, work, batch)
            })
            .map(|scan| scan.in_batches(batch))
        });
}
