//! Timing statistics and the standard measures of parallel performance.
//!
//! With T1 the serial time and Tp the time on p threads:
//! - speedup S = T1 / Tp (ideal: p);
//! - efficiency E = S / p (ideal: 1);
//! - Karp-Flatt serial fraction e = (1/S - 1/p) / (1 - 1/p): the fraction of the work
//!   that behaves as if it were serial. Under Amdahl's law it stays constant as p grows;
//!   if it grows with p, overheads (not serial code) are what limit the speedup.

/// The fastest, the middle and the slowest of a set of timings, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

/// Summarises timings; `None` when there are none.
pub fn summarize(seconds: &[f64]) -> Option<Summary> {
    if seconds.is_empty() {
        return None;
    }
    let mut sorted = seconds.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    let median = if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    };
    Some(Summary {
        min: sorted[0],
        median,
        max: sorted[sorted.len() - 1],
    })
}

pub fn speedup(serial_seconds: f64, parallel_seconds: f64) -> f64 {
    serial_seconds / parallel_seconds
}

pub fn efficiency(speedup: f64, threads: usize) -> f64 {
    speedup / threads as f64
}

/// The Karp-Flatt serial fraction; undefined (`None`) on one thread.
pub fn karp_flatt(speedup: f64, threads: usize) -> Option<f64> {
    if threads < 2 {
        return None;
    }
    let p = threads as f64;
    Some((1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p))
}

/// The speedup Amdahl's law allows on `threads` threads when `serial_fraction` of the work
/// cannot run in parallel.
pub fn amdahl_speedup(serial_fraction: f64, threads: usize) -> f64 {
    1.0 / (serial_fraction + (1.0 - serial_fraction) / threads as f64)
}

/// A size in bytes as the summaries and tables show it: "803.4 MB".
pub fn format_megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// A duration in seconds as people read it: "812 ns", "12.3 ms", "4.56 s".
pub fn format_seconds(seconds: f64) -> String {
    let (value, unit) = if seconds < 1e-6 {
        (seconds * 1e9, "ns")
    } else if seconds < 1e-3 {
        (seconds * 1e6, "µs")
    } else if seconds < 1.0 {
        (seconds * 1e3, "ms")
    } else {
        (seconds, "s")
    };
    if value < 10.0 {
        format!("{value:.2} {unit}")
    } else if value < 100.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn summary_of_odd_and_even_counts() {
        let odd = summarize(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            odd,
            Summary {
                min: 1.0,
                median: 2.0,
                max: 3.0
            }
        );
        let even = summarize(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(even.median, 2.5);
        assert_eq!(summarize(&[0.5]).unwrap().median, 0.5);
        assert_eq!(summarize(&[]), None);
    }

    #[test]
    fn speedup_efficiency_and_serial_fraction() {
        // 10 s serially, 4 s on 4 threads.
        let s = speedup(10.0, 4.0);
        assert!(close(s, 2.5));
        assert!(close(efficiency(s, 4), 0.625));
        // e = (1/2.5 - 1/4) / (1 - 1/4) = 0.15 / 0.75 = 0.2
        assert!(close(karp_flatt(s, 4).unwrap(), 0.2));
        assert_eq!(karp_flatt(1.0, 1), None);
        // Perfect scaling has no serial fraction.
        assert!(close(karp_flatt(8.0, 8).unwrap(), 0.0));
    }

    #[test]
    fn karp_flatt_recovers_amdahls_serial_fraction() {
        for threads in [2, 4, 16, 128] {
            let s = amdahl_speedup(0.05, threads);
            assert!(
                close(karp_flatt(s, threads).unwrap(), 0.05),
                "p = {threads}"
            );
        }
        assert!(close(amdahl_speedup(0.0, 8), 8.0));
        assert!(close(amdahl_speedup(1.0, 8), 1.0));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_seconds(812e-9), "812 ns");
        assert_eq!(format_seconds(0.0123), "12.3 ms");
        assert_eq!(format_seconds(4.5612), "4.56 s");
        assert_eq!(format_seconds(2.5e-5), "25.0 µs");
    }
}
