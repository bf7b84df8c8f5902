//! Simulated work for lessons about tasks: a task that waits (sleeps, like one reading a
//! file) or one that computes (spins, keeping a core busy) for a set time.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How a task spends its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkKind {
    /// Waiting, like a task reading a file or fetching a page: the thread sleeps and the
    /// core is free for other threads.
    Sleep,
    /// Computing: the thread keeps a core busy for the whole task.
    Spin,
}

impl WorkKind {
    /// "sleep" or "spin", as the lessons' `--work` flag names them.
    pub fn parse(word: &str) -> Option<WorkKind> {
        match word {
            "sleep" => Some(WorkKind::Sleep),
            "spin" => Some(WorkKind::Spin),
            _ => None,
        }
    }
}

/// One task's worth of simulated work.
#[derive(Debug, Clone, Copy)]
pub struct SimulatedWork {
    pub kind: WorkKind,
    pub duration: Duration,
    /// For `Spin`: the steps that take `duration` on one core of this machine.
    spin_steps: u64,
}

impl SimulatedWork {
    pub fn new(kind: WorkKind, duration: Duration) -> SimulatedWork {
        let spin_steps = match kind {
            WorkKind::Spin => (duration.as_secs_f64() * spin_steps_per_second()).round() as u64,
            WorkKind::Sleep => 0,
        };
        SimulatedWork {
            kind,
            duration,
            spin_steps,
        }
    }

    /// Sleeps, or spins a fixed number of steps: with more spinning threads than cores,
    /// they share the cores and each task takes longer, as real computing would.
    pub fn run(&self) {
        match self.kind {
            WorkKind::Sleep if !self.duration.is_zero() => std::thread::sleep(self.duration),
            WorkKind::Sleep => {}
            WorkKind::Spin => spin(self.spin_steps),
        }
    }
}

/// Burns `steps` steps of a random-number recurrence: each step needs the one before, so
/// the compiler cannot skip or shorten them.
fn spin(steps: u64) {
    let mut state = std::hint::black_box(1u64);
    for _ in 0..std::hint::black_box(steps) {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
    }
    std::hint::black_box(state);
}

/// How many spin steps this machine does per second on one core: measured once, the
/// fastest of five tries (slower tries were interrupted).
fn spin_steps_per_second() -> f64 {
    static RATE: OnceLock<f64> = OnceLock::new();
    *RATE.get_or_init(|| {
        const STEPS: u64 = 1 << 20;
        (0..5)
            .map(|_| {
                let start = Instant::now();
                spin(STEPS);
                STEPS as f64 / start.elapsed().as_secs_f64().max(1e-9)
            })
            .fold(0.0, f64::max)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spinning_takes_longer_the_more_steps() {
        let rate = spin_steps_per_second();
        assert!(rate > 1e6, "{rate} steps a second");
        let start = Instant::now();
        spin(20_000_000);
        // Not a timing test of the machine, only that the loop is not optimised away: each
        // step waits for a multiply and an add, so 20 million take well over a millisecond.
        assert!(start.elapsed().as_secs_f64() > 1e-3);
    }

    #[test]
    fn kinds_parse_from_their_flag_words() {
        assert_eq!(WorkKind::parse("spin"), Some(WorkKind::Spin));
        assert_eq!(WorkKind::parse("sleep"), Some(WorkKind::Sleep));
        assert_eq!(WorkKind::parse("nap"), None);
    }
}
