//! What the SWMR lesson's exercise and solution share: starting the simulated detector (or
//! opening the file to follow), the follower and reader it needs, and the answer.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use workbook::machine::available_cpus;
use workbook::simulated::{SimulatedWork, WorkKind};
use workbook::{Params, ToAnswer, Value};

use crate::{Acquisition, Detector, End, Error, FINISHED, File, FrameReader, KeyFollower};

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
    /// The simulated detector's folder: last, so that it goes after the detector's file.
    _scratch: Option<ScratchDir>,
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
    /// Starts the simulated detector writing a fresh file (or opens `--input`, the datasets
    /// `--keys`, `--data` and `--finished` name) and gets ready to follow it.
    pub fn start(params: &Params) -> Result<Follow, Error> {
        let work_seconds = params.real("work-ms") / 1000.0;
        let kind = WorkKind::parse(params.choice("work")).unwrap_or(WorkKind::Sleep);
        let interval = Duration::from_secs_f64(params.real("interval-ms") / 1000.0);
        // Frames of --input come as fast as they can be read: no writer's pace to wait for.
        let pace = match params.optional_path("input") {
            Some(_) => 0.0,
            None => interval.as_secs_f64(),
        };
        let timeout = Duration::from_secs_f64(params.real("timeout-ms") / 1000.0);
        let mut scratch = None;
        let (detector, file) = match params.optional_path("input") {
            // The file may not be there yet, nor in SWMR mode: wait for both, as long as
            // for a new key.
            Some(path) => (None, crate::open_swmr_within(path, timeout)?),
            None => {
                let folder = ScratchDir::new()?;
                let path = folder.0.join("scan.h5");
                scratch = Some(folder);
                let acquisition = Acquisition {
                    scan: vec![params.count("frames") as usize],
                    frame: FRAME_SHAPE.to_vec(),
                    interval,
                    finish: true,
                    layout: crate::Layout::default(),
                    in_place: None,
                };
                let (detector, file) = Detector::start(&path, &acquisition)?;
                (Some(detector), file)
            }
        };
        let finished = params.text("finished");
        let key_paths = key_datasets(&file, params.text("keys"), finished)?;
        let key_paths: Vec<&str> = key_paths.iter().map(String::as_str).collect();
        let mut keys = KeyFollower::new(&file, &key_paths)?
            .timeout(timeout)
            // A frame is picked up within 2 ms of its key; a look costs tens of microseconds.
            .poll_every(Duration::from_millis(2));
        // The default flag is followed where the file has it; one named must be there.
        let flag_named = finished != FINISHED;
        if flag_named || file.is_dataset(finished) {
            keys = keys.finished_flag(&file, finished)?;
        }
        let frames = FrameReader::new(&file, params.text("data"), keys.scan_rank())?;
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
            _scratch: scratch,
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

/// The key datasets `spec` names: comma-separated paths, each a dataset or a group whose
/// datasets are all keys (but the finished flag, if it is among them), as swmr_tools takes
/// them.
fn key_datasets(file: &File, spec: &str, finished: &str) -> Result<Vec<String>, Error> {
    let mut paths = Vec::new();
    for path in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if file.is_dataset(path) {
            paths.push(path.to_string());
            continue;
        }
        let names = file.datasets_in_group(path).ok_or_else(|| {
            Error(format!(
                "no dataset or group {path} in {} (--keys)",
                file.filename()
            ))
        })?;
        let flag = finished.trim_start_matches('/');
        let members: Vec<String> = names
            .iter()
            .map(|name| format!("{}/{name}", path.trim_end_matches('/')))
            .filter(|member| member.trim_start_matches('/') != flag)
            .collect();
        if members.is_empty() {
            return Err(Error(format!(
                "the group {path} holds no key datasets (--keys)"
            )));
        }
        paths.extend(members);
    }
    if paths.is_empty() {
        return Err(Error("--keys names no datasets".to_string()));
    }
    Ok(paths)
}

/// A new folder of this run's own in the system's temporary folder, for the simulated
/// detector's file; removed when it goes, once empty (the detector removes its file).
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> Result<ScratchDir, Error> {
        static RUN: AtomicUsize = AtomicUsize::new(0);
        let run = RUN.fetch_add(1, Ordering::Relaxed);
        let name = format!("swmr-lesson-{}-{run}", std::process::id());
        workbook::files::create_unique_dir(&std::env::temp_dir(), &name)
            .map(ScratchDir)
            .map_err(Error)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Made by this run, and removed only if empty.
        let _ = std::fs::remove_dir(&self.0);
    }
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

impl ToAnswer for Scan {
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
    fn incomplete(&self) -> Option<String> {
        (self.end == End::TimedOut).then(|| {
            format!(
                "the scan ended without its finished flag after {} frame(s): the writer \
                 stopped, or crashed, before the end",
                self.sums.len()
            )
        })
    }

    fn ideal_seconds(&self) -> Option<f64> {
        let m = self.model;
        let workers = match m.kind {
            WorkKind::Sleep => m.threads,
            WorkKind::Spin => m.threads.min(available_cpus()),
        }
        .max(1);
        // Whole batches, and one shorter batch of what is left: the best schedule deals the
        // whole ones out evenly and gives the short one to a worker with fewest.
        let batch = m.batch.clamp(1, m.frames.max(1));
        let (whole, rest) = (m.frames / batch, m.frames % batch);
        let mut most_frames = whole.div_ceil(workers) * batch;
        if rest > 0 {
            most_frames = most_frames.max(whole / workers * batch + rest);
        }
        let shared_out = most_frames as f64 * m.work;
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
        "  sums     {}{more}\n  end      {} frames; {end}\n  read by  {}\n",
        shown.join(", "),
        scan.sums.len(),
        crate::h5::library()
    ))
}
