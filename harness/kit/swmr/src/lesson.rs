//! What the SWMR lesson's exercise and solution share: starting the simulated detector (or
//! opening the file to follow), the follower and reader it needs, and the answer.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use workbook::machine::available_cpus;
use workbook::simulated::{SimulatedWork, WorkKind};
use workbook::{IntoAnswer, Params, Value};

use crate::{Acquisition, DATA, Detector, End, Error, FINISHED, FrameReader, KEY, KeyFollower};

/// One frame, read as f64.
pub type Frame = ndarray::ArrayD<f64>;

/// The frame shape the simulated detector writes: the source material's 10 x 20.
pub const FRAME_SHAPE: [usize; 2] = [10, 20];

/// A run in progress: the writer (unless following `--input`), the key follower, the frame
/// reader and the work each frame takes.
pub struct Follow {
    detector: Option<Detector>,
    pub keys: KeyFollower,
    pub frames: FrameReader,
    pub work: SimulatedWork,
    model: Model,
}

/// What the ideal time is worked out from.
#[derive(Debug, Clone, Copy)]
struct Model {
    frames: usize,
    interval: f64,
    work: f64,
    kind: WorkKind,
    threads: usize,
    batch: usize,
}

impl Follow {
    /// Starts the simulated detector writing a fresh file (or opens `--input`) and gets
    /// ready to follow it.
    pub fn start(params: &Params) -> Result<Follow, Error> {
        let work_seconds = params.real("work-ms") / 1000.0;
        let kind = WorkKind::parse(params.choice("work")).unwrap_or(WorkKind::Sleep);
        let interval = Duration::from_secs_f64(params.real("interval-ms") / 1000.0);
        // Frames of --input come as fast as they can be read: no writer's pace to wait for.
        let pace = match params.optional_path("input") {
            Some(_) => 0.0,
            None => interval.as_secs_f64(),
        };
        let (detector, file) = match params.optional_path("input") {
            Some(path) => (None, crate::open_swmr(path)?),
            None => {
                let acquisition = Acquisition {
                    scan: vec![params.count("frames") as usize],
                    frame: FRAME_SHAPE.to_vec(),
                    interval,
                    finish: true,
                };
                let (detector, file) = Detector::start(&scratch_file(), &acquisition)?;
                (Some(detector), file)
            }
        };
        let keys = KeyFollower::new(&file, &[KEY])?
            .timeout(Duration::from_secs_f64(params.real("timeout-ms") / 1000.0))
            // A frame is picked up within 2 ms of its key; a look costs tens of microseconds.
            .poll_every(Duration::from_millis(2))
            .finished_flag(&file, FINISHED)?;
        let frames = FrameReader::new(&file, DATA, keys.scan_rank())?;
        Ok(Follow {
            detector,
            keys,
            frames,
            work: SimulatedWork::new(kind, Duration::from_secs_f64(work_seconds)),
            model: Model {
                frames: params.count("frames") as usize,
                interval: pace,
                work: work_seconds,
                kind,
                threads: params.threads(),
                // One frame per task, unless the solution says otherwise (`Scan::in_batches`).
                batch: 1,
            },
        })
    }

    /// The run's answer, once every frame has been processed: `sums` in key order.
    pub fn finish(self, sums: Vec<f64>) -> Result<Scan, Error> {
        let end = self.keys.end().unwrap_or(End::TimedOut);
        // The detector's file goes when the detector does (see `Detector`'s drop).
        if let Some(detector) = self.detector {
            detector.finish()?;
        }
        // With --input the file decides how many frames there are.
        let model = Model {
            frames: sums.len(),
            ..self.model
        };
        Ok(Scan { sums, end, model })
    }
}

/// Starts the simulated detector (or opens `--input`), follows it with `process`, which
/// returns every frame's sum in key order, and stops the detector.
pub fn run(
    params: &Params,
    process: impl FnOnce(&mut KeyFollower, &FrameReader, &SimulatedWork) -> Result<Vec<f64>, Error>,
) -> Result<Scan, Error> {
    let mut follow = Follow::start(params)?;
    let sums = process(&mut follow.keys, &follow.frames, &follow.work)?;
    follow.finish(sums)
}

/// A fresh file in the system's temporary folder for each run's simulated detector.
fn scratch_file() -> PathBuf {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let run = RUN.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("swmr-lesson-{}-{run}.h5", std::process::id()))
}

/// What a run found: every frame's sum, in key order, and how the scan ended.
pub struct Scan {
    pub sums: Vec<f64>,
    pub end: End,
    model: Model,
}

impl Scan {
    /// The frames were handed out `batch` at a time: the ideal time counts whole batches.
    pub fn in_batches(self, batch: usize) -> Scan {
        Scan {
            model: Model {
                batch,
                ..self.model
            },
            ..self
        }
    }
}

impl IntoAnswer for Scan {
    fn to_answer(&self) -> Result<Value, String> {
        let end = match self.end {
            End::Finished => "finished",
            End::TimedOut => "timed out",
        };
        Ok(Value::Map(vec![
            ("frames".to_string(), self.sums.len().into()),
            ("total".to_string(), self.sums.iter().sum::<f64>().into()),
            ("sums".to_string(), self.sums.clone().into()),
            ("end".to_string(), end.into()),
        ]))
    }

    /// No run beats the work shared out over the workers (whole tasks each), nor the last
    /// frame's arrival plus its own processing. The time to read frames is not counted.
    fn ideal_seconds(&self) -> Option<f64> {
        let m = self.model;
        let workers = match m.kind {
            WorkKind::Sleep => m.threads,
            WorkKind::Spin => m.threads.min(available_cpus()),
        }
        .max(1);
        let tasks = m.frames.div_ceil(m.batch.max(1));
        let per_task = m.work * m.batch.min(m.frames) as f64;
        let shared_out = tasks.div_ceil(workers) as f64 * per_task;
        let last_arrival = (m.frames.saturating_sub(1)) as f64 * m.interval + m.work;
        Some(shared_out.max(last_arrival))
    }
}

/// After the run: the sums in key order (the first few) and how the scan ended.
pub fn report(_params: &Params, scan: &Result<Scan, Error>) -> Result<String, String> {
    // A failed run has already said why.
    let Ok(scan) = scan else {
        return Ok(String::new());
    };
    const SHOWN: usize = 8;
    let shown: Vec<String> = scan
        .sums
        .iter()
        .take(SHOWN)
        .enumerate()
        .map(|(i, sum)| format!("{i}: {sum}"))
        .collect();
    let more = if scan.sums.len() > SHOWN { ", ..." } else { "" };
    let end = match scan.end {
        End::Finished => "the writer set the finished flag".to_string(),
        End::TimedOut => "no new key within the timeout: the writer stopped WITHOUT finishing \
                          the scan"
            .to_string(),
    };
    Ok(format!(
        "  sums     {}{more}\n  end      {} frames; {end}\n",
        shown.join(", "),
        scan.sums.len()
    ))
}
