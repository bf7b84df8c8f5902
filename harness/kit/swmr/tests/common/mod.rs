//! Helpers shared by the follower's tests.

#![allow(dead_code)] // each test file uses its own share of these

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use swmr_kit::{DATA, End, FINISHED, FrameReader, KEY, KeyFollower, frame_value, open_swmr};

pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("swmr-kit-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// HDF5 opens files without close-on-exec, and a file's lock goes with its descriptor: a
/// writer started while another test has a file open for writing would inherit that lock
/// and keep it, and the test could then not open its own file again ("unable to lock
/// file"). Tests write files, and start writers, holding this.
pub fn writing_files() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn writer(path: &Path, args: &[&str]) -> Child {
    let _no_files_open_for_writing = writing_files();
    Command::new(env!("CARGO_BIN_EXE_swmr-writer"))
        .arg("--out")
        .arg(path)
        .arg("--quiet")
        .args(args)
        .spawn()
        .expect("the writer starts")
}

/// Opens the file once the writer has created it and started SWMR mode.
pub fn open_when_ready(path: &Path) -> swmr_kit::File {
    let start = Instant::now();
    loop {
        if let Ok(file) = open_swmr(path)
            && file.is_dataset(KEY)
        {
            return file;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the writer never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Follows `path` to the end: every index handed out, each frame's sum, and why it ended.
pub fn follow(path: &Path, timeout_ms: u64) -> (Vec<usize>, Vec<f64>, Option<End>) {
    follow_looking_every(path, timeout_ms, None)
}

/// `follow`, looking at the keys every `poll` (the follower's default if `None`).
pub fn follow_looking_every(
    path: &Path,
    timeout_ms: u64,
    poll: Option<Duration>,
) -> (Vec<usize>, Vec<f64>, Option<End>) {
    let file = open_when_ready(path);
    let mut keys = KeyFollower::new(&file, &[KEY])
        .expect("keys")
        .timeout(Duration::from_millis(timeout_ms));
    if let Some(poll) = poll {
        keys = keys.poll_every(poll);
    }
    let mut keys = keys.finished_flag(&file, FINISHED).expect("flag");
    let frames = FrameReader::new(&file, DATA, keys.scan_rank()).expect("data");
    let (mut indices, mut sums) = (Vec::new(), Vec::new());
    for index in keys.by_ref() {
        let index = index.expect("a ready index");
        indices.push(index);
        sums.push(frames.read(index).expect("the frame").sum());
    }
    (indices, sums, keys.end())
}

pub fn expected_sum(index: usize, pixels: usize) -> f64 {
    (0..pixels).map(|p| f64::from(frame_value(index, p))).sum()
}
