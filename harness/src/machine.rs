//! Where and how a run happened: host, CPU, cores, Slurm job, build. Recorded with every
//! timing, because a number without its machine cannot be compared with anything.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

crate::fields::record_type! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct Machine {
        pub host: String,
        pub cpu_model: String,
        /// CPUs the operating system shows (hyper-threads count).
        pub logical_cpus: usize,
        /// CPUs this process may run on (a Slurm job or `taskset` may allow fewer).
        pub available_cpus: usize,
        /// Cores, counting each hyper-threaded pair once, where the system says.
        pub physical_cores: Option<usize>,
        pub os: String,
        pub slurm: Option<Slurm>,
        [flatten] pub build: Build,
        /// When the run ended, UTC, ISO 8601.
        pub timestamp: String,
    }
}

crate::fields::record_type! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct Slurm {
        pub job_id: String,
        /// For a task of a job array: the array's job id, and this task's index in it.
        pub array_job_id: Option<String>,
        pub array_task_id: Option<String>,
        pub cpus_per_task: Option<String>,
        pub node_list: Option<String>,
        pub node_name: Option<String>,
    }
}

crate::fields::record_type! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct Build {
        /// Cargo's profile directory: "release" or "debug".
        pub profile: String,
        pub opt_level: String,
        pub rustc: String,
        pub git_commit: String,
        pub target: String,
    }
}

impl Build {
    /// The build this harness was compiled in; a lesson binary is compiled in the same one.
    pub fn current() -> Build {
        Build {
            profile: env!("WORKBOOK_PROFILE").to_string(),
            opt_level: env!("WORKBOOK_OPT_LEVEL").to_string(),
            rustc: env!("WORKBOOK_RUSTC").to_string(),
            git_commit: env!("WORKBOOK_GIT_COMMIT").to_string(),
            target: env!("WORKBOOK_TARGET").to_string(),
        }
    }

    pub fn is_release(&self) -> bool {
        self.profile == "release"
    }
}

impl Machine {
    pub fn detect() -> Machine {
        Machine {
            host: host_name(),
            cpu_model: cpu_model(),
            logical_cpus: logical_cpus(),
            available_cpus: available_cpus(),
            physical_cores: physical_cores(),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            slurm: Slurm::from_env(),
            build: Build::current(),
            timestamp: utc_timestamp(SystemTime::now()),
        }
    }

    /// "host · CPU model · 2 CPUs (2 cores) · release build".
    pub fn describe(&self) -> String {
        let cores = match self.physical_cores {
            Some(cores) => format!("{} CPUs ({cores} cores)", self.logical_cpus),
            None => format!("{} CPUs", self.logical_cpus),
        };
        let mut text = format!(
            "{} · {} · {cores} · {} build",
            self.host, self.cpu_model, self.build.profile
        );
        if self.available_cpus != self.logical_cpus {
            text.push_str(&format!(" · {} CPUs available", self.available_cpus));
        }
        if let Some(slurm) = &self.slurm {
            text.push_str(&format!(" · Slurm job {}", slurm.job_id));
        }
        text
    }
}

impl Slurm {
    /// The job this process runs in, from the variables Slurm sets.
    pub fn from_env() -> Option<Slurm> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Some(Slurm {
            job_id: var("SLURM_JOB_ID")?,
            array_job_id: var("SLURM_ARRAY_JOB_ID"),
            array_task_id: var("SLURM_ARRAY_TASK_ID"),
            cpus_per_task: var("SLURM_CPUS_PER_TASK"),
            node_list: var("SLURM_JOB_NODELIST"),
            node_name: var("SLURMD_NODENAME"),
        })
    }
}

/// The most threads any run may ask for, whatever the machine.
pub const MAX_THREADS: usize = 4096;

/// Threads per CPU a pool may have. Threads past the CPUs take turns, and every idle rayon
/// worker spins a while before it sleeps: a pool of many times more threads than CPUs
/// costs more than the work. Measured on 2 CPUs, release build: a pool of 128 threads
/// starts and stops in under 10 ms, 512 in 0.1 to 0.2 s, 1,000 in 0.7 to 0.9 s, 2,000 in
/// about 5 s, 4,096 in 10 to 15 s; the Pi lesson's default run takes 9 ms on 128 threads,
/// 30 ms on 512 and 136 ms on 1,000.
pub const THREADS_PER_CPU: usize = 64;

/// The most threads a run on this machine may ask for: 64 per CPU this process may use,
/// and never more than `MAX_THREADS`.
pub fn thread_limit() -> usize {
    thread_limit_for(available_cpus())
}

/// The most threads a run may ask for on `cpus` CPUs.
pub fn thread_limit_for(cpus: usize) -> usize {
    cpus.saturating_mul(THREADS_PER_CPU).min(MAX_THREADS)
}

/// `threads` if this machine allows it, else one line that says why, naming `source` (the
/// flag or variable the count came from).
pub fn check_threads(source: &str, threads: usize) -> Result<usize, String> {
    check_threads_for(source, threads, available_cpus())
}

/// `threads` if a process that may use `cpus` CPUs (here, or a batch job's) allows it.
pub fn check_threads_for(source: &str, threads: usize, cpus: usize) -> Result<usize, String> {
    let limit = thread_limit_for(cpus);
    if (1..=limit).contains(&threads) {
        return Ok(threads);
    }
    Err(format!(
        "{source} {threads}: expected 1 to {limit} threads on {cpus} CPUs ({THREADS_PER_CPU} \
         per CPU; more take longer to start than the work takes)"
    ))
}

/// The thread count to use when `--threads` is not given: the CPUs Slurm gave this job,
/// else every CPU this process may use.
pub fn default_threads() -> Result<usize, String> {
    match std::env::var("SLURM_CPUS_PER_TASK") {
        Ok(text) if !text.trim().is_empty() => match text.trim().parse::<usize>() {
            Ok(n) if n >= 1 => check_threads("SLURM_CPUS_PER_TASK", n),
            _ => Err(format!(
                "SLURM_CPUS_PER_TASK is '{text}', not a whole number of at least 1"
            )),
        },
        _ => Ok(available_cpus()),
    }
}

pub fn available_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn logical_cpus() -> usize {
    let online = std::fs::read_to_string("/sys/devices/system/cpu/online")
        .ok()
        .and_then(|list| count_cpu_list(list.trim()));
    online
        .or_else(|| sysctl("hw.logicalcpu").and_then(|v| v.parse().ok()))
        .unwrap_or_else(available_cpus)
}

/// Counts the CPUs in a kernel CPU list such as "0-3,8-11".
fn count_cpu_list(list: &str) -> Option<usize> {
    let mut count = 0;
    for part in list.split(',') {
        count += match part.split_once('-') {
            Some((first, last)) => last.parse::<usize>().ok()? - first.parse::<usize>().ok()? + 1,
            None => part.parse::<usize>().map(|_| 1).ok()?,
        };
    }
    Some(count)
}

fn physical_cores() -> Option<usize> {
    let mut cores = std::collections::BTreeSet::new();
    let entries = std::fs::read_dir("/sys/devices/system/cpu").ok();
    for entry in entries.into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let is_cpu = name
            .strip_prefix("cpu")
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()));
        if !is_cpu {
            continue;
        }
        let read = |file: &str| std::fs::read_to_string(entry.path().join("topology").join(file));
        if let (Ok(package), Ok(core)) = (read("physical_package_id"), read("core_id")) {
            cores.insert((package.trim().to_string(), core.trim().to_string()));
        }
    }
    if !cores.is_empty() {
        return Some(cores.len());
    }
    sysctl("hw.physicalcpu").and_then(|v| v.parse().ok())
}

fn cpu_model() -> String {
    let from_cpuinfo = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                let key = key.trim();
                (key == "model name" || key == "Model" || key == "cpu model")
                    .then(|| value.trim().to_string())
            })
        });
    from_cpuinfo
        .or_else(|| sysctl("machdep.cpu.brand_string"))
        .unwrap_or_else(|| "unknown CPU".to_string())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .or_else(|| run_for_text("hostname", &[]))
        .unwrap_or_else(|| "unknown-host".to_string())
}

fn sysctl(key: &str) -> Option<String> {
    if cfg!(target_os = "macos") {
        run_for_text("sysctl", &["-n", key])
    } else {
        None
    }
}

fn run_for_text(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (output.status.success() && !text.is_empty()).then_some(text)
}

/// Memory this process may still take, and which limit says so.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryBudget {
    pub bytes: u64,
    /// "free memory", "the cgroup's memory limit", "ulimit -v", "ulimit -d".
    pub limited_by: &'static str,
}

/// Address space each thread of a pool takes once it runs: its stack (2 MiB) and the
/// 64 MiB that glibc's malloc reserves for a thread's own heap. Only `ulimit -v` counts it.
const ADDRESS_SPACE_PER_THREAD: u64 = 66 << 20;

/// The least of what the system could give now without swapping (Linux's MemAvailable),
/// what this process's cgroup (a Slurm job, a container) still allows, and what its
/// resource limits (`ulimit -v`, `ulimit -d`) leave once a pool of `threads` runs. `None`
/// where the system says nothing.
pub fn memory_budget(threads: usize) -> Option<MemoryBudget> {
    let pool = ADDRESS_SPACE_PER_THREAD.saturating_mul(threads as u64);
    let address_space =
        rlimit_room("Max address space", "VmSize:").map(|room| room.saturating_sub(pool));
    let budgets = [
        (mem_available(), "free memory"),
        (cgroup_room(), "the memory limit of this process's cgroup"),
        (address_space, "ulimit -v"),
        (rlimit_room("Max data size", "VmData:"), "ulimit -d"),
    ];
    budgets
        .into_iter()
        .filter_map(|(bytes, limited_by)| {
            Some(MemoryBudget {
                bytes: bytes?,
                limited_by,
            })
        })
        .min_by_key(|budget| budget.bytes)
}

/// Refuses, in one line, work that needs more memory than this process, running
/// `threads` threads, may take: "--materialize needs 80.0 GB for a 100000 x 100000 array;
/// this process may take 21.3 GB (free memory)". `what` says what needs it.
pub fn check_memory(needed: u64, threads: usize, what: &str) -> Result<(), String> {
    match memory_budget(threads) {
        Some(budget) if needed > budget.bytes => Err(format!(
            "{what} needs {}; this process may take {} ({})",
            describe_bytes(needed),
            describe_bytes(budget.bytes),
            budget.limited_by
        )),
        _ => Ok(()),
    }
}

/// "80.0 GB", "312 MB".
pub fn describe_bytes(bytes: u64) -> String {
    let bytes = bytes as f64;
    if bytes >= 1e9 {
        format!("{:.1} GB", bytes / 1e9)
    } else {
        format!("{:.0} MB", (bytes / 1e6).max(1.0))
    }
}

fn mem_available() -> Option<u64> {
    kib_field(
        &std::fs::read_to_string("/proc/meminfo").ok()?,
        "MemAvailable:",
    )
}

/// "<field> 1234 kB" in a /proc file.
fn kib_field(text: &str, field: &str) -> Option<u64> {
    let line = text.lines().find(|line| line.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The room left under the tightest memory limit of this process's cgroup and the cgroups
/// above it (cgroup v2's memory.max, or v1's memory.limit_in_bytes).
fn cgroup_room() -> Option<u64> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut rooms = Vec::new();
    for line in membership.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let (root, limit, usage) = match controllers {
            "" => ("/sys/fs/cgroup", "memory.max", "memory.current"),
            list if list.split(',').any(|c| c == "memory") => (
                "/sys/fs/cgroup/memory",
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            ),
            _ => continue,
        };
        // From the process's own cgroup up to the root. (In a container the cgroup's
        // path may be longer than what is mounted: missing folders are passed over.)
        let mut folder = std::path::PathBuf::from(path.trim_start_matches('/'));
        loop {
            let dir = std::path::Path::new(root).join(&folder);
            let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
            let number = |text: Option<String>| text.and_then(|t| t.trim().parse::<u64>().ok());
            if let Some(limit) = number(read(limit)) {
                let used = number(read(usage)).unwrap_or(0);
                rooms.push(limit.saturating_sub(used));
            }
            if !folder.pop() {
                break;
            }
        }
    }
    rooms.into_iter().min()
}

/// The room left under a resource limit ("Max address space" in /proc/self/limits) by
/// what the process already uses of it ("VmSize:" in /proc/self/status).
fn rlimit_room(limit: &str, used: &str) -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|line| line.starts_with(limit))?;
    let soft: u64 = line[limit.len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let in_use = kib_field(&status, used).unwrap_or(0);
    Some(soft.saturating_sub(in_use))
}

/// The most memory this process has held at once (resident set), where the system says.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `2026-11-22T09:30:00Z` for a moment in time.
pub fn utc_timestamp(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = ((seconds / 86_400) as i64, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Calendar date of a day counted from 1970-01-01 (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Count from 0000-03-01 so that the leap day falls at the end of each year.
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_fall_on_the_right_calendar_day() {
        let at = |seconds| utc_timestamp(UNIX_EPOCH + Duration::from_secs(seconds));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(951_868_799), "2000-02-29T23:59:59Z");
        assert_eq!(at(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(at(1_798_761_600), "2027-01-01T00:00:00Z");
    }

    #[test]
    fn cpu_lists_are_counted() {
        assert_eq!(count_cpu_list("0"), Some(1));
        assert_eq!(count_cpu_list("0-3"), Some(4));
        assert_eq!(count_cpu_list("0-3,8-11,16"), Some(9));
        assert_eq!(count_cpu_list("x"), None);
    }

    #[test]
    fn memory_limits_are_read_and_named() {
        let budget = memory_budget(1).expect("Linux says how much memory is free");
        assert!(budget.bytes > 0);
        let error = check_memory(u64::MAX / 2, 1, "a test array").unwrap_err();
        assert!(error.starts_with("a test array needs "), "{error}");
        assert!(error.contains(budget.limited_by), "{error}");
        assert!(check_memory(1, 1, "a byte").is_ok());
        assert_eq!(describe_bytes(80_000_000_000), "80.0 GB");
        assert_eq!(describe_bytes(312_000_000), "312 MB");
    }

    #[test]
    fn this_machine_is_described() {
        let machine = Machine::detect();
        assert!(machine.logical_cpus >= 1 && machine.available_cpus >= 1);
        assert!(machine.available_cpus <= machine.logical_cpus);
        assert_eq!(machine.timestamp.len(), 20);
        assert!(!machine.build.rustc.is_empty());
    }
}
