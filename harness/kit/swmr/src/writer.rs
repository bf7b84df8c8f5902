//! The simulated detector's command line, shared by the `swmr-writer` binary and by the
//! lesson binaries, which start a copy of themselves as the writer (see `Detector`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Acquisition, Error, File, KEY, acquire, open_swmr};

/// The first argument that makes a lesson binary act as the writer instead.
pub const WRITER_MODE: &str = "--as-swmr-writer";

const USAGE: &str = "usage: swmr-writer --out <file.h5> [--frames N | --grid RxC] \
[--frame-shape HxW | --frame-shape scalar] [--interval-ms MS] [--no-finish] [--crash-after N] \
[--data PATH] [--keys PATH,...] [--finished PATH] [--in-place-pause-ms MS] [--quiet]";

pub struct Options {
    pub out: PathBuf,
    pub acquisition: Acquisition,
    pub crash_after: Option<usize>,
    pub quiet: bool,
}

fn shape(flag: &str, text: &str) -> Result<Vec<usize>, String> {
    if text == "scalar" {
        return Ok(Vec::new());
    }
    text.split('x')
        .map(|part| match part.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{flag}: expected sizes like 10x20, got '{text}'")),
        })
        .collect()
}

fn milliseconds(flag: &str, text: &str) -> Result<Duration, String> {
    text.parse()
        .ok()
        .filter(|ms: &f64| (0.0..=3.6e6).contains(ms))
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .ok_or_else(|| format!("{flag}: expected milliseconds, got '{text}'"))
}

pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut out = None;
    let mut acquisition = Acquisition {
        scan: vec![25],
        frame: vec![10, 20],
        interval: Duration::from_millis(100),
        finish: true,
        layout: crate::Layout::default(),
        in_place: None,
    };
    let (mut crash_after, mut quiet) = (None, false);
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let mut value = || {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--frames" => {
                let frames = value()?;
                acquisition.scan = vec![match frames.parse::<usize>() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(format!("--frames: expected a count, got '{frames}'")),
                }];
            }
            "--grid" => acquisition.scan = shape(flag, &value()?)?,
            "--frame-shape" => acquisition.frame = shape(flag, &value()?)?,
            "--interval-ms" => acquisition.interval = milliseconds(flag, &value()?)?,
            // Create the file in place and wait before SWMR mode, as some detectors do.
            "--in-place-pause-ms" => acquisition.in_place = Some(milliseconds(flag, &value()?)?),
            "--data" => acquisition.layout.data = value()?,
            "--keys" => {
                acquisition.layout.keys = value()?.split(',').map(str::to_string).collect();
            }
            "--finished" => acquisition.layout.finished = value()?,
            "--no-finish" => acquisition.finish = false,
            "--crash-after" => {
                let text = value()?;
                crash_after = Some(
                    text.parse()
                        .map_err(|_| format!("--crash-after: expected a count, got '{text}'"))?,
                );
            }
            "--quiet" => quiet = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown flag '{other}'; {USAGE}")),
        }
    }
    let out = out.ok_or_else(|| format!("--out is required; {USAGE}"))?;
    if acquisition.scan.is_empty() {
        return Err("--grid: a scan needs at least one axis".to_string());
    }
    Ok(Options {
        out,
        acquisition,
        crash_after,
        quiet,
    })
}

/// Runs the writer with `args` (its flags) and exits.
pub fn main_with(args: &[String]) -> ! {
    let options = match parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("swmr-writer: {message}");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let acquisition = &options.acquisition;
    let written = acquire(&options.out, acquisition, |index| {
        if options.crash_after == Some(index + 1) {
            // Like a killed process: no clean-up, the file is left open for writing.
            std::process::abort();
        }
    });
    match written {
        Ok(()) if !options.quiet => println!(
            "swmr-writer: {} frames of {:?} written to {} in {:.2} s{}",
            acquisition.frames(),
            acquisition.frame,
            options.out.display(),
            start.elapsed().as_secs_f64(),
            if acquisition.finish {
                ", finished flag set"
            } else {
                ", no finished flag (--no-finish)"
            }
        ),
        Ok(()) => {}
        Err(error) => {
            eprintln!("swmr-writer: {error}");
            std::process::exit(1);
        }
    }
    std::process::exit(0)
}

/// In a lesson binary: if started as the writer (first argument `WRITER_MODE`), be the
/// writer and exit; otherwise return and go on as the follower.
pub fn run_as_writer_if_asked() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(WRITER_MODE) {
        main_with(&args[1..]);
    }
}

/// A writer process, started by a follower for a run, and killed if the run ends early.
pub struct Detector {
    child: Child,
    path: PathBuf,
}

impl Detector {
    /// Starts this very program as the writer of `acquisition` into `path`, waits until the
    /// file is ready for SWMR reading, and returns it open. Keep that handle: opening again
    /// could meet the writer closing a short scan. The file is removed when the `Detector`
    /// goes.
    pub fn start(path: &Path, acquisition: &Acquisition) -> Result<(Detector, File), Error> {
        let program = std::env::current_exe()
            .map_err(|e| Error(format!("cannot find this program to start the writer: {e}")))?;
        if path.exists() {
            return Err(Error(format!(
                "{} exists: the simulated detector writes a new file",
                path.display()
            )));
        }
        let shape = |axes: &[usize]| {
            if axes.is_empty() {
                "scalar".to_string()
            } else {
                axes.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join("x")
            }
        };
        let mut command = Command::new(program);
        command
            .arg(WRITER_MODE)
            .arg("--out")
            .arg(path)
            .args(["--grid", &shape(&acquisition.scan)])
            .args(["--frame-shape", &shape(&acquisition.frame)])
            .arg("--interval-ms")
            .arg(format!("{}", acquisition.interval.as_secs_f64() * 1000.0))
            .arg("--quiet")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        if !acquisition.finish {
            command.arg("--no-finish");
        }
        let child = command
            .spawn()
            .map_err(|e| Error(format!("cannot start the writer: {e}")))?;
        let mut detector = Detector {
            child,
            path: path.to_path_buf(),
        };
        let file = detector.wait_until_ready()?;
        Ok((detector, file))
    }

    fn wait_until_ready(&mut self) -> Result<File, Error> {
        let start = Instant::now();
        loop {
            // Ask whether the writer has ended before looking: a short scan can be written
            // whole between a failed look and the question, and its file is then ready.
            let ended = self.child.try_wait();
            if let Ok(file) = open_swmr(&self.path)
                && file.is_dataset(KEY)
            {
                return Ok(file);
            }
            if let Ok(Some(status)) = ended {
                return Err(Error(format!(
                    "the writer stopped ({status}) before {} was ready",
                    self.path.display()
                )));
            }
            if start.elapsed() > Duration::from_secs(30) {
                return Err(Error(format!(
                    "the writer did not make {} ready in 30 s",
                    self.path.display()
                )));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for the writer to end; an error if it failed. The file is removed either way.
    pub fn finish(mut self) -> Result<(), Error> {
        let status = self
            .child
            .wait()
            .map_err(|e| Error(format!("waiting for the writer: {e}")))?;
        if status.success() {
            Ok(())
        } else {
            Err(Error(format!("the writer failed ({status})")))
        }
    }
}

impl Drop for Detector {
    fn drop(&mut self) {
        // A run that ends early (an error) must not leave a writer or its file behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}
