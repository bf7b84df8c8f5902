//! `workbook machine`: measures what this machine can do at most (the f64 peak of its cores,
//! from multiply-adds; its memory bandwidth, from a STREAM-like triad on 1, 2, ... threads;
//! its cache sizes, as the system reports them) and writes them where lesson runs on this
//! host find them, so that every run can say how close it came.

use std::path::{Path, PathBuf};
use std::sync::Barrier;
use std::time::Instant;

use workbook::machine::{Machine, available_cpus, utc_timestamp};
use workbook::roofline::{Limits, limits_path, percent};

use crate::failure::{Failure, Outcome};
use crate::sayln;

#[derive(Debug, clap::Args)]
pub struct MachineArgs {
    /// Write the limits to this file instead of results/machines/<host>.toml (where lesson
    /// runs on this host look for them, unless WORKBOOK_MACHINE_FILE names another)
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Measure the triad on 1 to this many threads (default: every CPU this process may use)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Only print what was measured; write no file
    #[arg(long)]
    pub print_only: bool,
}

pub fn machine(args: &MachineArgs) -> Outcome<()> {
    let cpus = available_cpus();
    let threads = args.threads.unwrap_or(cpus);
    if threads == 0 || threads > cpus {
        return Err(Failure::usage(format!(
            "--threads {threads}: this process may use 1 to {cpus} CPUs"
        )));
    }
    let about = Machine::detect();
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| limits_path(&about.host));
    if !args.print_only {
        check_replaceable(&path)?;
    }
    let caches = caches();
    sayln!(
        "Measuring {} ({}, {threads} of {} CPUs): a few seconds.",
        about.host,
        about.cpu_model,
        about.logical_cpus
    );
    let (instructions, flops_one_core) = fma_peak(1);
    let (_, flops_all_cores) = fma_peak(threads);
    // Arrays four times the last cache, so that the triad streams from memory.
    let array_bytes = (4 * caches.last_level()).max(64 << 20);
    let triad: Vec<f64> = (1..=threads)
        .map(|t| triad_bandwidth(t, array_bytes))
        .collect();
    let limits = Limits {
        host: about.host.clone(),
        cpu_model: about.cpu_model.clone(),
        measured: utc_timestamp(std::time::SystemTime::now()),
        fma_instructions: instructions.to_string(),
        flops_one_core,
        flops_all_cores,
        triad,
        l1d_bytes: caches.l1d,
        l2_bytes: caches.l2,
        l3_bytes: caches.l3,
    };
    sayln!("{}", describe(&limits));
    if args.print_only {
        return Ok(());
    }
    workbook::files::write(&path, limits.to_text())
        .map_err(|e| Failure::failed(format!("cannot write {}: {e}", path.display())))?;
    sayln!(
        "Wrote {}: lesson runs on {} now say how close they come to these limits.",
        path.display(),
        about.host
    );
    Ok(())
}

/// A machine file may be replaced by a new measurement; any other file is someone's.
fn check_replaceable(path: &Path) -> Outcome<()> {
    match std::fs::read_to_string(path) {
        Ok(text) if Limits::parse(&text).is_ok() => Ok(()),
        Ok(_) | Err(_) if path.is_dir() => Err(Failure::usage(format!(
            "{} is a folder; name a file for the limits",
            path.display()
        ))),
        Ok(_) => Err(Failure::usage(format!(
            "{} exists and is not a machine file: not replacing it",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(folder).map_err(|e| {
                    Failure::failed(format!("cannot make {}: {e}", folder.display()))
                })?;
            }
            workbook::files::check_writable(path).map_err(Failure::failed)
        }
        Err(e) => Err(Failure::failed(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

fn gigas(x: f64) -> String {
    format!("{:.1}", x / 1e9)
}

fn peak(limits: &Limits) -> String {
    format!(
        "{} GFLOP/s on one core, {} on {}",
        gigas(limits.flops_one_core),
        gigas(limits.flops_all_cores),
        limits.cores()
    )
}

fn triad_rates(limits: &Limits) -> String {
    let rates: Vec<String> = limits
        .triad
        .iter()
        .enumerate()
        .map(|(at, rate)| {
            let plural = if at == 0 { "" } else { "s" };
            format!("{} GB/s on {} thread{plural}", gigas(*rate), at + 1)
        })
        .collect();
    rates.join(", ")
}

fn size(bytes: u64) -> String {
    match bytes {
        0 => "not reported".to_string(),
        b if b >= 1 << 20 => format!("{} MB", b >> 20),
        b => format!("{} KB", b >> 10),
    }
}

/// The limits in one line, for the head of a sweep's table.
pub fn one_line(limits: &Limits) -> String {
    format!(
        "limits (workbook machine, {}): f64 peak {}; triad {}; L3 {}",
        limits.measured.get(..10).unwrap_or(&limits.measured),
        peak(limits),
        triad_rates(limits),
        size(limits.l3_bytes)
    )
}

/// The limits as people read them.
pub fn describe(limits: &Limits) -> String {
    let cores = limits.cores();
    let mut text = format!(
        "  f64 peak   {} ({} multiply-adds)\n",
        peak(limits),
        limits.fma_instructions
    );
    text.push_str(&format!("  memory     triad {}\n", triad_rates(limits)));
    text.push_str(&format!(
        "  caches     L1d {}, L2 {}, L3 {}\n",
        size(limits.l1d_bytes),
        size(limits.l2_bytes),
        size(limits.l3_bytes)
    ));
    let one = limits.triad.first().copied().unwrap_or(f64::NAN);
    let all = limits.bandwidth(cores);
    text.push_str(&format!(
        "  ridge      {:.1} FLOP/byte on one core, {:.1} on {cores}: work with fewer operations \
         a byte is memory-bound\n",
        limits.flops_one_core / one,
        limits.flops_all_cores / all
    ));
    if cores > 1 {
        text.push_str(&format!(
            "  scaling    {cores} threads: {} of {cores}x the arithmetic, {} of {cores}x the \
             bandwidth",
            percent(limits.flops_all_cores / limits.flops_one_core / cores as f64),
            percent(all / one / cores as f64),
        ));
    }
    text.trim_end().to_string()
}

/// The caches of CPU 0, as Linux reports them under /sys (zeros elsewhere).
struct Caches {
    l1d: u64,
    l2: u64,
    l3: u64,
}

impl Caches {
    fn last_level(&self) -> u64 {
        self.l3.max(self.l2).max(self.l1d)
    }
}

fn caches() -> Caches {
    let mut caches = Caches {
        l1d: 0,
        l2: 0,
        l3: 0,
    };
    let folder = Path::new("/sys/devices/system/cpu/cpu0/cache");
    let Ok(entries) = std::fs::read_dir(folder) else {
        return caches;
    };
    for entry in entries.flatten() {
        let read = |name: &str| std::fs::read_to_string(entry.path().join(name));
        let (Ok(level), Ok(kind), Ok(size)) = (read("level"), read("type"), read("size")) else {
            continue;
        };
        let Some(bytes) = parse_size(size.trim()) else {
            continue;
        };
        match (level.trim(), kind.trim()) {
            ("1", "Data" | "Unified") => caches.l1d = bytes,
            ("2", _) => caches.l2 = bytes,
            ("3", _) => caches.l3 = bytes,
            _ => {}
        }
    }
    caches
}

/// "32K", "1024K", "32M" as bytes.
fn parse_size(text: &str) -> Option<u64> {
    let (digits, scale) = match text.as_bytes().last()? {
        b'K' => (&text[..text.len() - 1], 1 << 10),
        b'M' => (&text[..text.len() - 1], 1 << 20),
        b'G' => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok().map(|n| n * scale)
}

/// The best of several triads a[i] = b[i] + s * c[i] over arrays of `array_bytes` each, on
/// `threads` threads that each own a part of every array (touched first by its owner, so
/// that its pages sit near its core). Bytes counted as STREAM does: 24 a number.
fn triad_bandwidth(threads: usize, array_bytes: u64) -> f64 {
    const REPEATS: usize = 10;
    let per_thread = (array_bytes as usize / 8).div_ceil(threads);
    let barrier = Barrier::new(threads);
    let best = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let barrier = &barrier;
                scope.spawn(move || {
                    let mut a = vec![0.0f64; per_thread];
                    let b = vec![1.0f64; per_thread];
                    let c = vec![2.0f64; per_thread];
                    a.fill(0.5);
                    let mut best = f64::INFINITY;
                    for _ in 0..REPEATS {
                        barrier.wait();
                        let start = Instant::now();
                        triad(&mut a, &b, &c, 3.0);
                        barrier.wait();
                        best = best.min(start.elapsed().as_secs_f64());
                    }
                    std::hint::black_box(&a);
                    best
                })
            })
            .collect();
        // Every thread waits at both barriers, so each one's time is the slowest's.
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or(f64::INFINITY))
            .fold(0.0, f64::max)
    });
    24.0 * (per_thread * threads) as f64 / best
}

fn triad(a: &mut [f64], b: &[f64], c: &[f64], scalar: f64) {
    for ((a, b), c) in a.iter_mut().zip(b).zip(c) {
        *a = b + scalar * c;
    }
    std::hint::black_box(a);
}

/// f64 operations a second on `threads` threads, each running the multiply-add loop for
/// about 0.2 s (the best of three); and the instructions it used.
fn fma_peak(threads: usize) -> (&'static str, f64) {
    let (instructions, kernel) = fma_kernel();
    // How many rounds make about 0.2 s on one core.
    let probe = 1 << 16;
    let start = Instant::now();
    let flops_per_round = kernel(probe) / probe as f64;
    let seconds_per_round = start.elapsed().as_secs_f64() / probe as f64;
    let rounds = ((0.2 / seconds_per_round) as u64).max(probe);
    // The best of three: on a shared machine, another program may take a core for a while.
    let seconds = (0..3)
        .map(|_| {
            let barrier = Barrier::new(threads);
            let start = Instant::now();
            std::thread::scope(|scope| {
                for _ in 0..threads {
                    let barrier = &barrier;
                    scope.spawn(move || {
                        barrier.wait();
                        kernel(rounds)
                    });
                }
            });
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    (
        instructions,
        flops_per_round * rounds as f64 * threads as f64 / seconds,
    )
}

/// A loop of `rounds` rounds that returns its f64 operation count: the widest multiply-add
/// this CPU has, on enough independent sums to keep every multiply-add unit busy.
type Kernel = fn(u64) -> f64;

fn fma_kernel() -> (&'static str, Kernel) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            return ("avx512f", x86::avx512);
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            return ("avx2+fma", x86::avx2);
        }
    }
    ("portable", portable)
}

/// Sixteen independent sums, a multiply and an add each a round (the compiler may put
/// them in vector registers, but may not fuse them).
fn portable(rounds: u64) -> f64 {
    let mut sums = [1.0f64; 16];
    let (scale, shift) = std::hint::black_box((0.999_999_9, 1e-9));
    for _ in 0..rounds {
        for sum in &mut sums {
            *sum = *sum * scale + shift;
        }
    }
    std::hint::black_box(sums);
    32.0 * rounds as f64
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// Twelve vectors of sums: a multiply-add takes 4 cycles and two can start each
    /// cycle, so eight or more independent ones keep both units busy.
    pub fn avx512(rounds: u64) -> f64 {
        // SAFETY: chosen only when the CPU reports AVX-512F.
        unsafe { avx512_rounds(rounds) }
    }

    #[target_feature(enable = "avx512f")]
    fn avx512_rounds(rounds: u64) -> f64 {
        let scale = _mm512_set1_pd(std::hint::black_box(0.999_999_9));
        let shift = _mm512_set1_pd(std::hint::black_box(1e-9));
        let mut sums = [_mm512_set1_pd(1.0); 12];
        for _ in 0..rounds {
            for sum in &mut sums {
                *sum = _mm512_fmadd_pd(*sum, scale, shift);
            }
        }
        std::hint::black_box(sums);
        (12 * 8 * 2) as f64 * rounds as f64
    }

    pub fn avx2(rounds: u64) -> f64 {
        // SAFETY: chosen only when the CPU reports AVX2 and FMA.
        unsafe { avx2_rounds(rounds) }
    }

    #[target_feature(enable = "avx2,fma")]
    fn avx2_rounds(rounds: u64) -> f64 {
        let scale = _mm256_set1_pd(std::hint::black_box(0.999_999_9));
        let shift = _mm256_set1_pd(std::hint::black_box(1e-9));
        let mut sums = [_mm256_set1_pd(1.0); 12];
        for _ in 0..rounds {
            for sum in &mut sums {
                *sum = _mm256_fmadd_pd(*sum, scale, shift);
            }
        }
        std::hint::black_box(sums);
        (12 * 4 * 2) as f64 * rounds as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_sizes_read_as_linux_writes_them() {
        assert_eq!(parse_size("32K"), Some(32 << 10));
        assert_eq!(parse_size("32M"), Some(32 << 20));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("big"), None);
    }
}
