//! The programs the `workbook` command starts (cargo, the lesson binaries) go when it goes.
//!
//! Each child runs in a process group of its own, so that a lesson and anything it starts
//! (the SWMR lesson's writer) can be signalled together. When the command is asked to stop
//! (SIGINT, SIGTERM, SIGHUP), it passes SIGTERM on to the running child's group, waits a
//! moment for it to go, ends it with SIGKILL if it has not, and only then exits: no lesson
//! is left computing on its own.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::{Duration, Instant};

use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};

/// The process group of the child running now, or 0.
static RUNNING: AtomicI32 = AtomicI32::new(0);
/// Set once a signal has asked the command to stop.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Starts the thread that passes signals on. Call once, first thing.
pub fn forward_signals() {
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        Ok(signals) => signals,
        // Without it the command still works; it just cannot pass signals on.
        Err(_) => return,
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            STOPPING.store(true, Ordering::SeqCst);
            let group = RUNNING.load(Ordering::SeqCst);
            if group > 0 {
                stop_group(group);
            }
            let name = match signal {
                SIGINT => "SIGINT",
                SIGHUP => "SIGHUP",
                _ => "SIGTERM",
            };
            let what = if group > 0 {
                "; the program it was running was stopped too"
            } else {
                ""
            };
            eprintln!("workbook: stopped by {name}{what}");
            std::process::exit(128 + signal);
        }
    });
}

/// SIGTERM to the group, then SIGKILL to whatever is left of it after two seconds.
fn stop_group(group: i32) {
    // Signal 0 only asks whether any process of the group is left.
    stop_group_while(group, || signal_group(group, 0) == 0);
}

/// SIGTERM to the group; SIGKILL to what is left of it once `still_there` has said yes
/// for two seconds. (The owner of a child asks the child: an unreaped child still counts
/// as a member of its group.)
fn stop_group_while(group: i32, mut still_there: impl FnMut() -> bool) {
    signal_group(group, libc::SIGTERM);
    let give_up = Instant::now() + Duration::from_secs(2);
    while still_there() && Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(10));
    }
    if still_there() {
        signal_group(group, libc::SIGKILL);
    }
}

fn signal_group(group: i32, signal: i32) -> i32 {
    // SAFETY: kill(2) takes plain integers and touches no memory of this process.
    unsafe { libc::kill(-group, signal) }
}

/// Starts `command` in a process group of its own, as the child a signal is passed to.
pub fn spawn(command: &mut Command) -> io::Result<Running> {
    let child = command.process_group(0).spawn()?;
    RUNNING.store(child.id() as i32, Ordering::SeqCst);
    Ok(Running { child })
}

/// Runs `command` to its end, collecting its output, as `Command::output` does (stdin
/// closed, stdout and stderr captured), but for no longer than `limit` if there is one: a
/// child still running then is stopped, its whole group (SIGTERM, then SIGKILL), and the
/// answer is `None`.
pub fn output(command: &mut Command, limit: Option<Duration>) -> io::Result<Option<Output>> {
    use std::io::Read;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut running = spawn(command)?;
    // Read both pipes as the child writes, so that a full pipe never stops it.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(running.child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(running.child.stderr.take().map(|p| Box::new(p) as _));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = running.child.try_wait()? {
            break Some(status);
        }
        if limit.is_some_and(|limit| start.elapsed() >= limit) {
            let child = &mut running.child;
            stop_group_while(child.id() as i32, || matches!(child.try_wait(), Ok(None)));
            // What the child started goes too, though the child itself has.
            signal_group(child.id() as i32, libc::SIGKILL);
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    settle();
    Ok(status.map(|status| Output {
        status,
        stdout,
        stderr,
    }))
}

/// A child started by `spawn`.
pub struct Running {
    pub child: Child,
}

impl Running {
    pub fn wait(mut self) -> io::Result<std::process::ExitStatus> {
        let status = self.child.wait();
        settle();
        status
    }
}

/// After a child ends: if a signal ended it, let the signal thread finish the command
/// (its message and exit code), instead of reporting the child's death as a failure.
fn settle() {
    RUNNING.store(0, Ordering::SeqCst);
    while STOPPING.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[cfg(test)]
mod time_limit_tests {
    use super::*;

    #[test]
    fn a_child_past_its_time_limit_is_stopped_and_one_within_it_is_not() {
        let start = Instant::now();
        let stopped = output(
            Command::new("sh").args(["-c", "echo started; exec sleep 30"]),
            Some(Duration::from_millis(200)),
        )
        .expect("sh runs");
        assert!(stopped.is_none());
        // SIGTERM ends sleep at once: well before the 2 s that SIGKILL waits for.
        assert!(
            start.elapsed() < Duration::from_millis(1500),
            "{:?}",
            start.elapsed()
        );
        let finished = output(
            Command::new("sh").args(["-c", "echo done"]),
            Some(Duration::from_secs(30)),
        )
        .expect("sh runs")
        .expect("finished in time");
        assert!(finished.status.success());
        assert_eq!(finished.stdout, b"done\n");
    }
}
