//! Files written live by h5py in SWMR mode are followed like the Rust detector's. Needs a
//! Python with h5py: CI installs one and names it in WORKBOOK_H5PY_PYTHON.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{expected_sum, follow, scratch};
use swmr_kit::{End, FrameReader, KeyFollower};

/// The tests need a Python with h5py: they are ignored unless asked for
/// (`cargo test -- --ignored`), and then WORKBOOK_H5PY_PYTHON must name one.
fn h5py_python() -> String {
    std::env::var("WORKBOOK_H5PY_PYTHON")
        .expect("set WORKBOOK_H5PY_PYTHON to a Python with h5py (.ci/run makes one)")
}

#[test]
#[ignore = "needs a Python with h5py: .ci/run makes one and runs it with --ignored"]
fn live_scans_written_by_h5py_are_followed() {
    let python = h5py_python();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/h5py_writer.py");
    for libver in ["latest", "v110"] {
        let path = scratch(&format!("h5py-{libver}.h5"));
        let mut child = Command::new(&python)
            .arg(script)
            .arg(&path)
            .args([libver, "10", "0.03"])
            .spawn()
            .expect("python starts");
        let (indices, sums, end) = follow(&path, 3000);
        assert!(child.wait().expect("python").success(), "{libver}");
        assert_eq!(indices, (0..10).collect::<Vec<_>>(), "{libver}");
        for (index, sum) in sums.iter().enumerate() {
            assert_eq!(*sum, expected_sum(index, 200), "{libver}, frame {index}");
        }
        assert_eq!(end, Some(End::Finished), "{libver}");
    }
}

#[test]
#[ignore = "needs a Python with h5py: .ci/run makes one and runs it with --ignored"]
fn a_follower_started_first_waits_for_an_h5py_file_created_in_place() {
    // The detector creates its file under its own name and sets it up for half a second
    // before SWMR mode; the follower is already waiting. The writer must finish, and every
    // frame must be followed, in the source material's layout (data/data_1).
    let python = h5py_python();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/h5py_writer.py");
    for libver in ["latest", "v110"] {
        let path = scratch(&format!("h5py-in-place-{libver}.h5"));
        let follower = {
            let path = path.clone();
            std::thread::spawn(move || {
                let file = swmr_kit::open_swmr_within(&path, Duration::from_secs(10))
                    .expect("the file, once ready");
                let mut keys = KeyFollower::new(&file, &["keys/key_1"])
                    .expect("keys")
                    .timeout(Duration::from_secs(3))
                    .finished_flag(&file, "keys/finished")
                    .expect("flag");
                let frames =
                    FrameReader::new(&file, "data/data_1", keys.scan_rank()).expect("data");
                let sums: Vec<f64> = keys
                    .by_ref()
                    .map(|index| frames.read(index.expect("index")).expect("frame").sum())
                    .collect();
                (sums, keys.end())
            })
        };
        std::thread::sleep(Duration::from_millis(300));
        let writer = Command::new(&python)
            .arg(script)
            .arg(&path)
            .args([
                libver,
                "8",
                "0.02",
                "0.5",
                "data/data_1",
                "keys/key_1",
                "keys/finished",
            ])
            // The writer locks as HDF5 does by default.
            .env_remove("HDF5_USE_FILE_LOCKING")
            .output()
            .expect("python starts");
        assert!(
            writer.status.success(),
            "{libver}: the writer failed: {}",
            String::from_utf8_lossy(&writer.stderr)
        );
        let (sums, end) = follower.join().expect("the follower ends");
        assert_eq!(end, Some(End::Finished), "{libver}");
        let expected: Vec<f64> = (0..8).map(|i| expected_sum(i, 200)).collect();
        assert_eq!(sums, expected, "{libver}");
    }
}

#[test]
#[ignore = "needs a Python with h5py and hdf5plugin: .ci/run makes one and runs it with --ignored"]
fn compressed_live_scans_written_by_h5py_are_followed() {
    // Detectors compress their frames. The pure-Rust library decodes deflate, LZ4 and
    // bitshuffle with LZ4 itself, in either format version; the C library needs HDF5's filter
    // plugins for the last two, and cannot read h5py's latest-format filtered datasets
    // (HDF5 1.10 on Debian 12): it is tried with gzip in the v110 format only.
    let python = h5py_python();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/h5py_writer.py");
    let cases: &[(&str, &str)] = if cfg!(feature = "hdf5-c") {
        &[("gzip", "v110")]
    } else {
        &[
            ("gzip", "latest"),
            ("gzip", "v110"),
            ("lz4", "latest"),
            ("bitshuffle-lz4", "latest"),
            ("bitshuffle-lz4", "v110"),
        ]
    };
    for (compression, libver) in cases {
        let path = scratch(&format!("h5py-{compression}-{libver}.h5"));
        let mut child = Command::new(&python)
            .arg(script)
            .arg(&path)
            .args([libver, "8", "0.02"])
            .env("WORKBOOK_H5PY_COMPRESSION", compression)
            .spawn()
            .expect("python starts");
        let (indices, sums, end) = follow(&path, 3000);
        assert!(child.wait().expect("python").success(), "{compression}");
        assert_eq!(
            indices,
            (0..8).collect::<Vec<_>>(),
            "{compression} {libver}"
        );
        for (index, sum) in sums.iter().enumerate() {
            assert_eq!(
                *sum,
                expected_sum(index, 200),
                "{compression} {libver}, frame {index}"
            );
        }
        assert_eq!(end, Some(End::Finished), "{compression} {libver}");
        let _ = std::fs::remove_file(&path);
    }
}

/// What the Python follower printed: each frame's index and sum, and how it ended.
fn h5py_follows(path: &std::path::Path) -> (Vec<(usize, f64)>, String, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/h5py_follower.py");
    let output = Command::new(h5py_python())
        .arg(script)
        .arg(path)
        .arg("3")
        .output()
        .expect("python starts");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "the h5py follower failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (mut frames, mut end, mut follower) = (Vec::new(), String::new(), String::new());
    for line in stdout.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words[..] {
            ["frame", index, sum] => frames.push((
                index.parse().expect("an index"),
                sum.parse().expect("a sum"),
            )),
            ["end", how] => end = how.to_string(),
            ["follower", which] => follower = which.to_string(),
            _ => panic!("unexpected line {line:?}"),
        }
    }
    (frames, end, follower)
}

#[test]
#[ignore = "needs a Python with h5py: .ci/run makes one and runs it with --ignored"]
fn live_scans_the_simulated_detector_writes_are_followed_by_h5py() {
    // Frames of every rank. With the C library, grid scans too: h5py (HDF5 2.0) following a
    // grid scan that rust-hdf5 writes live reads some frames as zeros (the end of a grid row,
    // in 8 of 8 runs here), though the finished file is right and the Rust followers never
    // see it. The lesson's detector writes lines.
    let mut cases = vec![
        (vec!["--frames", "8", "--frame-shape", "10x20"], 8, 200),
        (vec!["--frames", "6", "--frame-shape", "7"], 6, 7),
        (vec!["--frames", "6", "--frame-shape", "scalar"], 6, 1),
    ];
    if cfg!(feature = "hdf5-c") {
        cases.push((vec!["--grid", "3x4", "--frame-shape", "10x20"], 12, 200));
    }
    for (args, frames, pixels) in cases {
        let path = scratch("followed-by-h5py.h5");
        let mut writer = common::writer(&path, &[&args[..], &["--interval-ms", "20"]].concat());
        let (followed, end, follower) = h5py_follows(&path);
        assert!(writer.wait().expect("writer").success(), "{args:?}");
        let expected: Vec<(usize, f64)> =
            (0..frames).map(|i| (i, expected_sum(i, pixels))).collect();
        assert_eq!(followed, expected, "{args:?}, followed by {follower}");
        assert_eq!(end, "finished", "{args:?}");
        let _ = std::fs::remove_file(&path);
    }
}
