//! The key follower: which frames are complete, as they become complete.

use std::time::{Duration, Instant};

use crate::{Dataset, Error, File};

/// Why following stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The writer set the finished flag: the scan is complete.
    Finished,
    /// No new key arrived for the whole timeout: the writer stopped or crashed.
    TimedOut,
}

/// Where the follower is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Following,
    /// The finished flag is set; one more look at the keys catches frames written just
    /// before it.
    LastLook,
    /// Nothing more will be read: hand out what is ready, then stop.
    Draining(End),
    Ended(End),
}

/// Yields frame indices (flat, in C order over the scan) as their keys become non-zero in
/// every key dataset, in order, each once.
///
/// Only the contiguous prefix counts: if frame 7's key is set but frame 6's is not, neither
/// is yielded until frame 6's is. Iteration waits for new keys, looking every `timeout / 20`;
/// the clock restarts with every new key. It ends when `timeout` passes with nothing new, or
/// when the finished flag (if given) is set, after one more look at the keys.
pub struct KeyFollower {
    keys: Vec<(String, Dataset)>,
    finished: Option<Dataset>,
    timeout: Duration,
    /// Time between two looks at the keys; `timeout / 20` unless set.
    poll: Option<Duration>,
    /// Indices below this are ready in every key dataset.
    ready: usize,
    /// The next index to hand out.
    next: usize,
    scan_rank: usize,
    last_new_key: Instant,
    state: State,
}

impl KeyFollower {
    /// Follows the key datasets at `paths` in `file` (opened with `open_swmr`).
    pub fn new(file: &File, paths: &[&str]) -> Result<KeyFollower, Error> {
        if paths.is_empty() {
            return Err(Error("no key datasets to follow".to_string()));
        }
        let keys = paths
            .iter()
            .map(|path| Ok((path.to_string(), dataset(file, path)?)))
            .collect::<Result<Vec<_>, Error>>()?;
        let ranks = keys
            .iter()
            .map(|(_, d)| Ok(scan_rank(&d.shape()?)))
            .collect::<Result<Vec<usize>, Error>>()?;
        if let Some(other) = ranks.iter().position(|&r| r != ranks[0]) {
            return Err(Error(format!(
                "key datasets have different scan ranks: {} has {}, {} has {}",
                keys[0].0, ranks[0], keys[other].0, ranks[other]
            )));
        }
        Ok(KeyFollower {
            keys,
            finished: None,
            timeout: Duration::from_secs(10),
            poll: None,
            ready: 0,
            next: 0,
            scan_rank: ranks[0],
            last_new_key: Instant::now(),
            state: State::Following,
        })
    }

    /// How long to wait for a new key before giving up (10 s unless set).
    pub fn timeout(mut self, timeout: Duration) -> KeyFollower {
        self.timeout = timeout;
        self
    }

    /// How long to wait between two looks at the keys (`timeout / 20` unless set, as in
    /// swmr_tools). A look re-reads the key datasets' new rows; shorter waits mean frames are seen
    /// sooner after they are written.
    pub fn poll_every(mut self, interval: Duration) -> KeyFollower {
        self.poll = Some(interval);
        self
    }

    /// Stops once the dataset at `path`, of shape (1,), is non-zero (after one more look at
    /// the keys).
    pub fn finished_flag(mut self, file: &File, path: &str) -> Result<KeyFollower, Error> {
        let flag = dataset(file, path)?;
        let shape = flag.shape()?;
        if shape != [1] {
            return Err(Error(format!(
                "the finished flag {path} must have shape (1,), not {shape:?}"
            )));
        }
        self.finished = Some(flag);
        Ok(self)
    }

    /// The number of scan axes: the key datasets' rank without trailing axes of length 1
    /// (keys of shape (5, 10, 1, 1) belong to a 5 x 10 scan), and at least 1.
    pub fn scan_rank(&self) -> usize {
        self.scan_rank
    }

    /// Why iteration stopped, once it has.
    pub fn end(&self) -> Option<End> {
        match self.state {
            State::Ended(end) => Some(end),
            _ => None,
        }
    }

    /// How many frames are ready so far.
    pub fn ready(&self) -> usize {
        self.ready
    }

    fn poll_interval(&self) -> Duration {
        self.poll
            .unwrap_or((self.timeout / 20).max(Duration::from_millis(1)))
    }

    /// Reads the key datasets again (from the first unready row on) and moves `ready` up
    /// to the shortest complete prefix.
    fn look(&mut self) -> Result<(), Error> {
        let mut prefix = usize::MAX;
        for (path, keys) in &self.keys {
            keys.refresh()?;
            let shape = keys.shape()?;
            let rank = scan_rank(&shape);
            if rank != self.scan_rank {
                return Err(Error(format!(
                    "{path} changed its scan rank from {} to {rank}",
                    self.scan_rank
                )));
            }
            // Keys below `ready` were non-zero at the last look and stay so: read from the
            // first row (index of the growing first axis) that holds an unready key, so
            // that a look costs what is new, not the whole scan so far. An empty key
            // dataset (nothing written yet) has no frames ready.
            let per_row: usize = shape.iter().skip(1).product();
            let first_row = self.ready.checked_div(per_row).unwrap_or(0);
            let values = keys.read_rows(first_row)?;
            let complete =
                first_row * per_row + values.iter().take_while(|&&key| key != 0.0).count();
            prefix = prefix.min(complete);
        }
        if prefix > self.ready {
            self.ready = prefix;
            self.last_new_key = Instant::now();
        }
        Ok(())
    }

    fn flag_is_set(&self) -> Result<bool, Error> {
        let Some(flag) = &self.finished else {
            return Ok(false);
        };
        flag.refresh()?;
        let values = flag.read_all()?;
        Ok(values.first().is_some_and(|&v| v != 0.0))
    }

    fn step(&mut self) -> Result<Option<usize>, Error> {
        loop {
            if self.next < self.ready {
                self.next += 1;
                return Ok(Some(self.next - 1));
            }
            match self.state {
                State::Ended(_) => return Ok(None),
                State::Draining(end) => {
                    self.state = State::Ended(end);
                    return Ok(None);
                }
                State::LastLook => {
                    self.look()?;
                    self.state = State::Draining(End::Finished);
                }
                State::Following => {
                    self.look()?;
                    if self.next < self.ready {
                        continue;
                    }
                    if self.flag_is_set()? {
                        self.state = State::LastLook;
                    } else if self.last_new_key.elapsed() >= self.timeout {
                        self.state = State::Draining(End::TimedOut);
                    } else {
                        std::thread::sleep(self.poll_interval());
                    }
                }
            }
        }
    }
}

impl Iterator for KeyFollower {
    type Item = Result<usize, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(index) => index.map(Ok),
            Err(error) => {
                // A follower that failed does not try again.
                self.state = State::Ended(End::TimedOut);
                Some(Err(error))
            }
        }
    }
}

pub(crate) fn dataset(file: &File, path: &str) -> Result<Dataset, Error> {
    file.dataset(path)
}

/// The rank without trailing axes of length 1, and at least 1.
pub(crate) fn scan_rank(shape: &[usize]) -> usize {
    let trailing_ones = shape.iter().rev().take_while(|&&d| d == 1).count();
    (shape.len() - trailing_ones).max(1)
}

#[cfg(test)]
mod tests {
    use super::scan_rank;

    #[test]
    fn trailing_ones_are_not_scan_axes() {
        assert_eq!(scan_rank(&[5, 10, 1, 1]), 2);
        assert_eq!(scan_rank(&[25, 1, 1]), 1);
        assert_eq!(scan_rank(&[25]), 1);
        assert_eq!(scan_rank(&[1, 1, 1]), 1);
        assert_eq!(scan_rank(&[0, 1, 1]), 1);
        assert_eq!(scan_rank(&[3, 4]), 2);
    }
}
