//! How close a run came to the machine: the lesson's model of its work (floating-point
//! operations and bytes moved), this machine's limits as `workbook machine` measured them,
//! and the roofline between the two. The slower of the two limits bounds the run: a run
//! that needs more time for its bytes than for its operations is memory-bound.

use std::path::{Path, PathBuf};

/// Where `workbook machine` writes a machine's limits and where runs look for them:
/// `$WORKBOOK_MACHINE_FILE` if set, else `results/machines/<host>.toml` in the workbook.
pub fn limits_path(host: &str) -> PathBuf {
    if let Some(path) = std::env::var_os("WORKBOOK_MACHINE_FILE") {
        return PathBuf::from(path);
    }
    // The harness sits in the workbook's `harness/` folder.
    let harness = Path::new(env!("CARGO_MANIFEST_DIR"));
    harness
        .parent()
        .unwrap_or(harness)
        .join("results")
        .join("machines")
        .join(format!("{host}.toml"))
}

/// What one machine can do, as `workbook machine` measured it.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub host: String,
    pub cpu_model: String,
    /// When it was measured, UTC, ISO 8601.
    pub measured: String,
    /// The instructions of the multiply-add loop: "avx512f", "avx2+fma" or "portable".
    pub fma_instructions: String,
    /// f64 operations a second (a fused multiply-add counts two) on one core, and on all.
    pub flops_one_core: f64,
    pub flops_all_cores: f64,
    /// The triad's memory bandwidth in bytes a second on 1, 2, ... threads.
    pub triad: Vec<f64>,
    /// Cache sizes in bytes as the operating system reports them (0: not reported).
    pub l1d_bytes: u64,
    pub l2_bytes: u64,
    pub l3_bytes: u64,
}

impl Limits {
    /// The cores the measurements used: one thread each.
    pub fn cores(&self) -> usize {
        self.triad.len().max(1)
    }

    /// The f64 peak of `cores` cores: one core's, times the cores, up to all cores'.
    pub fn peak_flops(&self, cores: usize) -> f64 {
        let cores = cores.max(1);
        if cores >= self.cores() {
            self.flops_all_cores
        } else {
            (self.flops_one_core * cores as f64).min(self.flops_all_cores)
        }
    }

    /// The triad's bandwidth on `threads` threads (past the threads measured: the most
    /// threads' figure, since cores added past the memory's limit add no bandwidth).
    pub fn bandwidth(&self, threads: usize) -> f64 {
        let at = threads.clamp(1, self.cores()) - 1;
        self.triad.get(at).copied().unwrap_or(f64::NAN)
    }

    /// The best bandwidth on any thread count: the machine's memory roof.
    pub fn best_bandwidth(&self) -> f64 {
        self.triad.iter().copied().fold(0.0, f64::max)
    }

    /// Reads the file `to_text` wrote.
    pub fn parse(text: &str) -> Result<Limits, String> {
        let mut values: Vec<(&str, &str)> = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(format!("line {}: expected `key = value`", number + 1));
            };
            values.push((key.trim(), value.trim()));
        }
        let get = |key: &str| {
            values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| *v)
                .ok_or_else(|| format!("no `{key}`"))
        };
        let text = |key: &str| -> Result<String, String> {
            let value = get(key)?;
            value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .map(|v| v.replace("\\\"", "\"").replace("\\\\", "\\"))
                .ok_or_else(|| format!("`{key}` is not a quoted text"))
        };
        let number = |key: &str| -> Result<f64, String> {
            let value = get(key)?;
            match value.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
                _ => Err(format!("`{key}` is not a number of 0 or more: {value}")),
            }
        };
        let triad_text = get("triad_bytes_per_second")?;
        let triad = triad_text
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .ok_or_else(|| "`triad_bytes_per_second` is not a [list]".to_string())?
            .split(',')
            .map(|item| match item.trim().parse::<f64>() {
                Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
                _ => Err(format!("`triad_bytes_per_second` holds {item:?}")),
            })
            .collect::<Result<Vec<f64>, String>>()?;
        let limits = Limits {
            host: text("host")?,
            cpu_model: text("cpu_model")?,
            measured: text("measured")?,
            fma_instructions: text("fma_instructions")?,
            flops_one_core: number("flops_one_core")?,
            flops_all_cores: number("flops_all_cores")?,
            triad,
            l1d_bytes: number("l1d_bytes")? as u64,
            l2_bytes: number("l2_bytes")? as u64,
            l3_bytes: number("l3_bytes")? as u64,
        };
        if limits.flops_one_core <= 0.0 || limits.flops_all_cores <= 0.0 {
            return Err("the f64 peak is 0".to_string());
        }
        Ok(limits)
    }

    /// The machine file: TOML that anyone can read, and that the harness reads back
    /// without a TOML library.
    pub fn to_text(&self) -> String {
        let quote = |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
        let triad: Vec<String> = self.triad.iter().map(|x| format!("{x:.4e}")).collect();
        format!(
            "# This machine's limits, measured by `workbook machine`. Lesson runs on this host\n\
             # compare their rates with them; measure again after a change of hardware.\n\
             host = {}\n\
             cpu_model = {}\n\
             measured = {}\n\
             # f64 operations a second (a fused multiply-add counts two).\n\
             fma_instructions = {}\n\
             flops_one_core = {:.4e}\n\
             flops_all_cores = {:.4e}\n\
             # A STREAM-like triad, a[i] = b[i] + s * c[i], on 1, 2, ... threads: bytes a second.\n\
             triad_bytes_per_second = [{}]\n\
             # Cache sizes in bytes, as the operating system reports them (0: not reported).\n\
             l1d_bytes = {}\n\
             l2_bytes = {}\n\
             l3_bytes = {}\n",
            quote(&self.host),
            quote(&self.cpu_model),
            quote(&self.measured),
            quote(&self.fma_instructions),
            self.flops_one_core,
            self.flops_all_cores,
            triad.join(", "),
            self.l1d_bytes,
            self.l2_bytes,
            self.l3_bytes,
        )
    }

    /// This host's limits, if `workbook machine` has measured them; an unreadable file is
    /// the same as none, with the reason.
    pub fn for_host(host: &str) -> Result<Option<Limits>, String> {
        let path = limits_path(host);
        match std::fs::read_to_string(&path) {
            Ok(text) => Limits::parse(&text)
                .map(Some)
                .map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

crate::fields::record_type! {
    /// A run's work by its lesson's model, and the machine's limits for the cores it used.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Work {
        /// f64 operations one run does.
        pub flops: f64,
        /// Bytes one run reads and writes in memory (a file in the page cache counts).
        pub bytes: f64,
        /// The machine's f64 peak and memory bandwidth for the run's cores, in operations
        /// and bytes a second, from `workbook machine`'s file (absent if never measured).
        pub peak_flops: Option<f64>,
        pub bandwidth: Option<f64>,
    }
}

/// Which limit bounds a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Compute,
    Memory,
}

impl Work {
    /// The work alone, limits not yet known.
    pub fn new(flops: f64, bytes: f64) -> Work {
        Work {
            flops,
            bytes,
            peak_flops: None,
            bandwidth: None,
        }
    }

    /// The limits of `limits`' machine for `cores` cores, for a run of `threads` threads on
    /// each of `nodes` nodes (more nodes add their limits up).
    pub fn with_limits(mut self, limits: &Limits, cores_per_node: usize, nodes: usize) -> Work {
        let nodes = nodes.max(1) as f64;
        self.peak_flops = Some(limits.peak_flops(cores_per_node) * nodes);
        self.bandwidth = Some(limits.bandwidth(cores_per_node) * nodes);
        self
    }

    /// Operations per byte: above the machine's ridge (peak / bandwidth) a run is
    /// compute-bound.
    pub fn intensity(&self) -> f64 {
        self.flops / self.bytes
    }

    /// The limit that bounds the run: by the machine's limits if known, else by which of
    /// the two the model has.
    pub fn bound(&self) -> Bound {
        match (self.peak_flops, self.bandwidth) {
            (Some(peak), Some(bandwidth)) if self.flops / peak >= self.bytes / bandwidth => {
                Bound::Compute
            }
            (Some(_), Some(_)) => Bound::Memory,
            _ if self.flops > 0.0 => Bound::Compute,
            _ => Bound::Memory,
        }
    }

    /// The shortest time the machine allows for this work: its operations at the peak, or
    /// its bytes at the bandwidth, whichever takes longer.
    pub fn roof_seconds(&self) -> Option<f64> {
        let (peak, bandwidth) = (self.peak_flops?, self.bandwidth?);
        Some((self.flops / peak).max(self.bytes / bandwidth))
    }

    /// How close a run of `seconds` came to the roof: 1 is the machine's limit.
    pub fn fraction_of_roof(&self, seconds: f64) -> Option<f64> {
        Some(self.roof_seconds()? / seconds)
    }

    /// The rate a run of `seconds` reached in the unit of its bound, and the unit:
    /// operations or bytes a second.
    pub fn rate(&self, seconds: f64) -> (f64, &'static str) {
        match self.bound() {
            Bound::Compute => (self.flops / seconds, "FLOP/s"),
            Bound::Memory => (self.bytes / seconds, "B/s"),
        }
    }

    /// The rate, in billions: "4.10 GFLOP/s" or "0.24 GB/s".
    pub fn describe_rate(&self, seconds: f64) -> String {
        let (rate, unit) = self.rate(seconds);
        format!("{:.2} G{unit}", rate / 1e9)
    }

    /// "6% of the f64 peak" or "3% of the memory bandwidth", if the limits are known.
    pub fn describe_fraction(&self, seconds: f64) -> Option<String> {
        let fraction = self.fraction_of_roof(seconds)?;
        let limit = match self.bound() {
            Bound::Compute => "f64 peak",
            Bound::Memory => "memory bandwidth",
        };
        Some(format!("{} of this machine's {limit}", percent(fraction)))
    }
}

/// A fraction as a percentage with the digits it needs: "0.4%", "6%", "93%".
pub fn percent(fraction: f64) -> String {
    let percent = 100.0 * fraction;
    if percent < 1.0 {
        format!("{percent:.1}%")
    } else {
        format!("{percent:.0}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            host: "node \"a\"".into(),
            cpu_model: "CPU".into(),
            measured: "2026-12-03T00:00:00Z".into(),
            fma_instructions: "avx2+fma".into(),
            flops_one_core: 3.0e10,
            flops_all_cores: 5.0e10,
            triad: vec![1.0e10, 1.6e10],
            l1d_bytes: 32768,
            l2_bytes: 1 << 20,
            l3_bytes: 0,
        }
    }

    #[test]
    fn the_file_reads_back_to_the_same_limits() {
        let limits = limits();
        let back = Limits::parse(&limits.to_text()).expect("reads back");
        assert_eq!(back, limits);
    }

    #[test]
    fn a_damaged_file_names_what_is_wrong() {
        let text = limits().to_text().replace("flops_one_core", "flops_one");
        assert_eq!(Limits::parse(&text), Err("no `flops_one_core`".into()));
        let text = limits().to_text().replace("[1.0000e10", "[-1");
        let error = Limits::parse(&text).expect_err("a negative bandwidth");
        assert!(error.contains("triad_bytes_per_second"), "{error}");
    }

    #[test]
    fn cores_scale_the_peak_up_to_all_cores_and_bandwidth_stops_at_its_best() {
        let limits = limits();
        assert_eq!(limits.peak_flops(1), 3.0e10);
        assert_eq!(limits.peak_flops(2), 5.0e10);
        assert_eq!(limits.peak_flops(8), 5.0e10);
        assert_eq!(limits.bandwidth(1), 1.0e10);
        assert_eq!(limits.bandwidth(4), 1.6e10);
    }

    #[test]
    fn the_slower_limit_bounds_the_run() {
        let limits = limits();
        // 1 operation a byte, under the ridge of 3 on one core: memory-bound.
        let work = Work::new(1e9, 1e9).with_limits(&limits, 1, 1);
        assert_eq!(work.bound(), Bound::Memory);
        assert_eq!(work.roof_seconds(), Some(0.1));
        assert_eq!(work.fraction_of_roof(0.4), Some(0.25));
        assert_eq!(work.describe_rate(0.4), "2.50 GB/s");
        let fraction = work.describe_fraction(0.4).expect("limits known");
        assert_eq!(fraction, "25% of this machine's memory bandwidth");
        // 100 operations a byte: compute-bound; two nodes add their peaks.
        let work = Work::new(3e10, 3e8).with_limits(&limits, 1, 2);
        assert_eq!(work.bound(), Bound::Compute);
        assert_eq!(work.roof_seconds(), Some(0.5));
        assert_eq!(work.describe_rate(1.0), "30.00 GFLOP/s");
    }

    #[test]
    fn without_limits_the_model_alone_says_what_bounds_it() {
        assert_eq!(Work::new(6e7, 8e3).bound(), Bound::Compute);
        assert_eq!(Work::new(0.0, 3e8).bound(), Bound::Memory);
        assert_eq!(Work::new(0.0, 3e8).describe_fraction(1.0), None);
        assert_eq!(percent(0.004), "0.4%");
        assert_eq!(percent(0.93), "93%");
    }
}
