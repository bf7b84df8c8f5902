//! A simulated detector for the SWMR lesson: writes a scan into an HDF5 file in SWMR mode,
//! one frame every --interval-ms, while followers read it.
//!
//!     cargo run --release --bin swmr-writer -- --out scan.h5 --frames 25 --interval-ms 100

use std::path::PathBuf;
use std::time::{Duration, Instant};

use swmr_kit::{Acquisition, acquire};

const USAGE: &str = "usage: swmr-writer --out <file.h5> [--frames N | --grid RxC] \
[--frame-shape HxW | --frame-shape scalar] [--interval-ms MS] [--no-finish] [--crash-after N] [--quiet]";

struct Options {
    out: PathBuf,
    acquisition: Acquisition,
    crash_after: Option<usize>,
    quiet: bool,
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

fn parse(args: &[String]) -> Result<Options, String> {
    let mut out = None;
    let mut acquisition = Acquisition {
        scan: vec![25],
        frame: vec![10, 20],
        interval: Duration::from_millis(100),
        finish: true,
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
            "--interval-ms" => {
                let text = value()?;
                let ms: f64 = text
                    .parse()
                    .ok()
                    .filter(|ms: &f64| (0.0..=3.6e6).contains(ms))
                    .ok_or_else(|| format!("--interval-ms: expected milliseconds, got '{text}'"))?;
                acquisition.interval = Duration::from_secs_f64(ms / 1000.0);
            }
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
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
}
