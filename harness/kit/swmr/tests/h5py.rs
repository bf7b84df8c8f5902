//! Files written live by h5py in SWMR mode are followed like the Rust detector's. Needs a
//! Python with h5py: CI installs one and names it in WORKBOOK_H5PY_PYTHON.

mod common;

use std::process::Command;

use common::{expected_sum, follow, scratch};
use swmr_kit::End;

#[test]
fn live_scans_written_by_h5py_are_followed() {
    let Ok(python) = std::env::var("WORKBOOK_H5PY_PYTHON") else {
        eprintln!("skipped: set WORKBOOK_H5PY_PYTHON to a Python with h5py (.ci/run does)");
        return;
    };
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
