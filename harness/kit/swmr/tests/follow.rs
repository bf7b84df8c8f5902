//! The follower against files written on the spot: by live writer processes (the
//! `swmr-writer` binary) and by hand, for each behaviour swmr_tools' own tests check.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{
    expected_sum, follow, follow_looking_every, open_when_ready, scratch, writer, writing_files,
};
use swmr_kit::{DATA, End, Error, FINISHED, FrameReader, KEY, KeyFollower, open_swmr, unravel};

#[test]
fn a_live_ten_frame_scan_is_followed_frame_by_frame() {
    let path = scratch("live-10.h5");
    let mut child = writer(&path, &["--frames", "10", "--interval-ms", "30"]);
    let (indices, sums, end) = follow(&path, 2000);
    assert!(child.wait().expect("writer").success());
    assert_eq!(indices, (0..10).collect::<Vec<_>>());
    for (index, sum) in sums.iter().enumerate() {
        assert_eq!(*sum, expected_sum(index, 200), "frame {index}");
    }
    assert_eq!(end, Some(End::Finished));
}

#[test]
fn a_scan_written_as_fast_as_possible_is_followed_though_reads_meet_the_writer() {
    // With no pause between frames, the follower's reads often meet the writer rewriting
    // the file's index of chunks: those reads must be tried again, not fail.
    for run in 0..3 {
        let path = scratch(&format!("fast-{run}.h5"));
        let mut child = writer(&path, &["--frames", "400", "--interval-ms", "0"]);
        // Looking without a pause, as the lesson's follower nearly does (2 ms).
        let (indices, sums, end) = follow_looking_every(&path, 3000, Some(Duration::ZERO));
        assert!(child.wait().expect("writer").success());
        assert_eq!(indices, (0..400).collect::<Vec<_>>(), "run {run}");
        for (index, sum) in sums.iter().enumerate() {
            assert_eq!(*sum, expected_sum(index, 200), "run {run}, frame {index}");
        }
        assert_eq!(end, Some(End::Finished), "run {run}");
    }
}

#[test]
fn a_live_three_by_four_grid_scan_unravels_in_c_order() {
    let path = scratch("live-grid.h5");
    let mut child = writer(
        &path,
        &[
            "--grid",
            "3x4",
            "--frame-shape",
            "5x6",
            "--interval-ms",
            "20",
        ],
    );
    let file = open_when_ready(&path);
    let mut keys = KeyFollower::new(&file, &[KEY])
        .expect("keys")
        .timeout(Duration::from_secs(2))
        .finished_flag(&file, FINISHED)
        .expect("flag");
    assert_eq!(keys.scan_rank(), 2);
    let frames = FrameReader::new(&file, DATA, 2).expect("data");
    let mut seen = Vec::new();
    for index in keys.by_ref() {
        let index = index.expect("ready");
        let frame = frames.read(index).expect("frame");
        assert_eq!(frame.shape(), [5, 6]);
        assert_eq!(frame.sum(), expected_sum(index, 30), "frame {index}");
        seen.push(unravel(index, &[3, 4]));
    }
    assert!(child.wait().expect("writer").success());
    let expected: Vec<Vec<usize>> = (0..3)
        .flat_map(|r| (0..4).map(move |c| vec![r, c]))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(keys.end(), Some(End::Finished));
}

#[test]
fn a_crashed_writer_ends_at_the_timeout_with_every_complete_frame_once() {
    let path = scratch("crash.h5");
    let mut child = writer(
        &path,
        &[
            "--frames",
            "10",
            "--interval-ms",
            "10",
            "--crash-after",
            "4",
        ],
    );
    let (indices, _, end) = follow(&path, 500);
    let status = child.wait().expect("writer");
    assert!(!status.success(), "the writer was meant to crash");
    assert_eq!(indices, [0, 1, 2, 3]);
    assert_eq!(end, Some(End::TimedOut));
}

#[test]
fn without_the_finished_flag_the_follower_times_out() {
    let path = scratch("no-finish.h5");
    let mut child = writer(
        &path,
        &["--frames", "3", "--interval-ms", "0", "--no-finish"],
    );
    assert!(child.wait().expect("writer").success());
    let start = Instant::now();
    let (indices, _, end) = follow(&path, 300);
    assert_eq!(indices, [0, 1, 2]);
    assert_eq!(end, Some(End::TimedOut));
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[test]
fn frames_of_every_rank_are_read_whole() {
    for (frame_shape, shape) in [("scalar", vec![]), ("7", vec![7]), ("10x20", vec![10, 20])] {
        let path = scratch(&format!("rank-{frame_shape}.h5"));
        let mut child = writer(
            &path,
            &[
                "--frames",
                "4",
                "--interval-ms",
                "0",
                "--frame-shape",
                frame_shape,
            ],
        );
        assert!(child.wait().expect("writer").success());
        let file = open_swmr(&path).expect("open");
        let keys = KeyFollower::new(&file, &[KEY]).expect("keys");
        assert_eq!(keys.scan_rank(), 1, "{frame_shape}");
        let frames = FrameReader::new(&file, DATA, 1).expect("data");
        let pixels: usize = shape.iter().product();
        for index in 0..4 {
            let frame = frames.read(index).expect("frame");
            assert_eq!(frame.shape(), &shape[..], "{frame_shape}");
            assert_eq!(frame.sum(), expected_sum(index, pixels));
        }
    }
}

/// A file written by hand (finished, not live): key datasets with the given contents.
fn keys_file(name: &str, keys: &[(&str, Vec<u32>, Vec<usize>)], finished: bool) -> PathBuf {
    let path = scratch(name);
    let _no_writer_starts_meanwhile = writing_files();
    let file = rust_hdf5::H5File::create(&path).expect("create");
    // The version of the format SWMR needs (superblock version 3).
    file.set_libver_bound(rust_hdf5::LibverBound::V110)
        .expect("libver");
    for (key, values, shape) in keys {
        let dataset = file
            .new_dataset::<u32>()
            .shape(shape)
            .create(key)
            .expect("dataset");
        if !values.is_empty() {
            dataset.write_raw(values).expect("values");
        }
    }
    file.new_dataset::<u32>()
        .shape([1])
        .create("finished")
        .and_then(|flag| flag.write_raw(&[u32::from(finished)]))
        .expect("flag");
    file.close().expect("written");
    path
}

fn ready_indices(path: &Path, keys: &[&str]) -> Result<(Vec<usize>, Option<End>), Error> {
    let file = open_swmr(path)?;
    let mut follower = KeyFollower::new(&file, keys)?
        .timeout(Duration::from_millis(100))
        .finished_flag(&file, "finished")?;
    let indices = follower.by_ref().collect::<Result<Vec<_>, _>>()?;
    Ok((indices, follower.end()))
}

#[test]
fn an_index_is_ready_only_when_every_key_is_set_and_only_as_a_prefix() {
    let path = keys_file(
        "keys.h5",
        &[
            // All keys must be non-zero: index 2 is missing from b.
            ("a", vec![1, 2, 3, 4, 5, 6], vec![6]),
            ("b", vec![1, 2, 0, 4, 5, 6], vec![6]),
            // Jagged: c is shorter; its missing entries count as zeros.
            ("c", vec![1, 2, 3, 4], vec![4]),
            // A hole at 1 stops d's prefix there, though 2 and 3 are set.
            ("d", vec![1, 0, 3, 4], vec![4]),
            ("empty", vec![], vec![0]),
        ],
        true,
    );
    let ready = |keys: &[&str]| ready_indices(&path, keys).expect("follows").0;
    assert_eq!(ready(&["a"]), [0, 1, 2, 3, 4, 5]);
    assert_eq!(ready(&["a", "b"]), [0, 1]);
    assert_eq!(ready(&["a", "c"]), [0, 1, 2, 3]);
    assert_eq!(ready(&["d"]), [0]);
    // An empty key dataset is no crash: nothing is ready yet.
    assert_eq!(ready(&["empty"]), Vec::<usize>::new());
    assert_eq!(
        ready_indices(&path, &["a"]).expect("ok").1,
        Some(End::Finished)
    );
}

#[test]
fn mismatched_or_missing_datasets_are_one_line_errors() {
    let path = keys_file(
        "ranks.h5",
        &[
            ("line", vec![1, 2, 3, 4], vec![4, 1, 1]),
            ("grid", vec![1, 2, 3, 4], vec![2, 2, 1, 1]),
        ],
        false,
    );
    let error = ready_indices(&path, &["line", "grid"]).expect_err("ranks differ");
    assert_eq!(
        error.0,
        "key datasets have different scan ranks: line has 1, grid has 2"
    );
    let error = ready_indices(&path, &["line", "nothing"]).expect_err("missing");
    assert!(error.0.starts_with("no dataset nothing in "), "{error}");
    let error = open_swmr(scratch("absent.h5")).expect_err("absent");
    assert!(error.0.ends_with("absent.h5 does not exist"), "{error}");
    // Ready without a finished flag set: the timeout ends it.
    assert_eq!(
        ready_indices(&path, &["line"]).expect("ok").1,
        Some(End::TimedOut)
    );
}

#[test]
fn a_file_not_written_for_swmr_is_refused_in_one_line() {
    let path = scratch("plain.h5");
    // The library's oldest format, which SWMR readers cannot follow.
    let no_writer_starts_meanwhile = writing_files();
    let file = rust_hdf5::H5File::create(&path).expect("create");
    file.new_dataset::<u32>()
        .shape([3])
        .create("keys")
        .and_then(|dataset| dataset.write_raw(&[1u32, 2, 3]))
        .expect("dataset");
    file.close().expect("written");
    drop(no_writer_starts_meanwhile);
    let error = open_swmr(&path).expect_err("not a SWMR file");
    assert!(error.0.contains("was not written for SWMR"), "{error}");
    let text = scratch("text.h5");
    std::fs::write(&text, "not HDF5 at all\n").expect("write");
    let error = open_swmr(&text).expect_err("not HDF5");
    assert!(error.0.ends_with("text.h5 is not an HDF5 file"), "{error}");
}

#[test]
fn a_file_cut_short_is_refused_in_one_line_once_it_stays_short() {
    let path = scratch("cut-short.h5");
    let mut child = writer(&path, &["--frames", "3", "--interval-ms", "0"]);
    assert!(child.wait().expect("writer").success());
    let whole = std::fs::metadata(&path).expect("written").len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open");
    file.set_len(whole / 2).expect("cut");
    drop(file);
    // A writer closing its file is short for a moment; a second of it is a real fault.
    let start = Instant::now();
    let error = open_swmr(&path).expect_err("cut short");
    assert!(start.elapsed() >= Duration::from_secs(1), "no wait");
    assert!(error.0.contains("truncated file"), "{error}");
    assert!(error.0.ends_with("a writer stopped mid-write?)"), "{error}");
    assert_eq!(error.0.lines().count(), 1, "{error}");
}
