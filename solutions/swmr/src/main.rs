//! Following a live HDF5 file: a parallel solution. Compare it with the starter:
//!
//!     diff exercises/swmr/src/main.rs solutions/swmr/src/main.rs
//!
//! One change, in `process_frames`: the main thread still follows the keys and reads every
//! frame (HDF5 serialises its calls anyway), but hands the work on each frame to rayon's
//! pool as a task, and goes straight back to the keys. Each task sends back its frame's sum
//! with its index, and the sums are put in key order at the end: the same answer as the
//! starter's, bit for bit.
//!
//! Variants, chosen with --variant: `batches` (`--batch` frames per task, batches.rs) and
//! `bridge` (frames sent down a channel that rayon's `par_bridge` drains, bridge.rs).

mod batches;
mod bridge;

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

/// Follows the keys on this thread; processes each frame on the pool as a task of its own.
fn process_frames(
    keys: &mut KeyFollower,
    frames: &FrameReader,
    work: &SimulatedWork,
) -> Result<Vec<f64>, Error> {
    let (results, finished) = mpsc::channel();
    // in_place_scope: this thread reads, the pool's threads all compute.
    let read = rayon::in_place_scope(|scope| {
        for index in keys {
            let index = index?;
            let frame = frames.read(index)?;
            let results = results.clone();
            scope.spawn(move |_| {
                // The receiver lives until every task is done.
                let _ = results.send((index, long_function(&frame, work)));
            });
        }
        Ok::<(), Error>(())
    });
    // The last Sender: while it lives, the receiver waits for more.
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
    // --input, --keys, --data, --finished, --batch, --threads, --variant, --repeat, --warmup,
    // --json, --help), sizes rayon's thread pool and times each run, from starting the detector to
    // the last frame's result.
    Program::solution(&SWMR)
        .variant("batches", |params| {
            let batch = params.count("batch") as usize;
            swmr_kit::lesson::run(params, |keys, frames, work| {
                batches::process_frames(keys, frames, work, batch)
            })
            .map(|scan| scan.in_batches(batch))
        })
        .variant("bridge", |params| {
            swmr_kit::lesson::run(params, bridge::process_frames)
        })
        .finish(swmr_kit::lesson::report)
        .run(|params| swmr_kit::lesson::run(params, process_frames));
}
