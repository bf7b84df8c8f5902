//! Following a live HDF5 file: the serial starter. Read lessons/swmr.md first.
//!
//!     cargo run --release --bin swmr                      run it (starts a simulated detector)
//!     cargo run --release --bin workbook -- check swmr    is my parallel version right?
//!
//! A detector writes frames into an HDF5 file in SWMR mode, and after each frame it sets the
//! frame's key. This program follows the keys, reads each frame as soon as its key is set,
//! and runs the source material's "long function" on it (--work-ms of work, then the
//! frame's sum), one frame after another, while the detector is still writing. Your task:
//! process the frames in parallel, keeping the results in key order.

use swmr_kit::lesson::Frame;
use swmr_kit::{Error, FrameReader, KeyFollower};
use workbook::simulated::SimulatedWork;
use workbook::{Program, registry::SWMR};

/// The source material's long function: some work, then the frame's sum.
fn long_function(frame: &Frame, work: &SimulatedWork) -> f64 {
    work.run();
    frame.sum()
}

/// Follows the keys; reads each frame once it is ready and processes it before the next.
fn process_frames(
    keys: &mut KeyFollower,
    frames: &FrameReader,
    work: &SimulatedWork,
) -> Result<Vec<f64>, Error> {
    let mut sums = Vec::new();
    for index in keys {
        let frame = frames.read(index?)?;
        sums.push(long_function(&frame, work));
    }
    Ok(sums)
}

fn main() {
    // The simulated detector is this same program, started again as the writer.
    swmr_kit::writer::run_as_writer_if_asked();
    // The harness reads the flags (--frames, --interval-ms, --work-ms, --work, --timeout-ms,
    // --input, --keys, --data, --finished, --threads, --repeat, --warmup, --json, --help), sizes
    // rayon's thread pool and times each run, from starting the detector to the last frame's
    // result.
    Program::exercise(&SWMR)
        .finish(swmr_kit::lesson::report)
        .run(|params| swmr_kit::lesson::run(params, process_frames));
}
