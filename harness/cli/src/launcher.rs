//! Starting a lesson binary as MPI ranks: `srun` inside a Slurm job, `mpirun` elsewhere.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use crate::failure::{Failure, Outcome};

/// The variable a Slurm job sets to the site's `--mpi=` value (the site file's `mpi`).
pub const SRUN_MPI: &str = "WORKBOOK_SRUN_MPI";

/// `binary` started as `ranks` ranks of `threads` threads each; its own flags follow.
pub fn command(binary: &Path, ranks: usize, threads: usize) -> Outcome<Command> {
    if std::env::var_os("SLURM_JOB_ID").is_some() {
        return Ok(srun(binary, ranks, threads));
    }
    let mut command = Command::new("mpirun");
    command.args(["-n", &ranks.to_string()]);
    if is_open_mpi()? {
        // Open MPI binds each rank to one core by default: a rank's rayon threads would
        // then share that core. Allow more ranks than cores, and root (CI, containers).
        command.args(["--bind-to", "none", "--oversubscribe"]);
        if is_root() {
            command.arg("--allow-run-as-root");
        }
    }
    command.arg(binary);
    Ok(command)
}

/// A job step of `ranks` tasks. Since Slurm 22.05 srun no longer inherits the job's
/// `--cpus-per-task`: without it every rank would get one CPU. `--kill-on-bad-exit`
/// ends every rank when one fails, instead of leaving the others waiting for it.
fn srun(binary: &Path, ranks: usize, threads: usize) -> Command {
    let mut command = Command::new("srun");
    command.args([
        format!("--ntasks={ranks}"),
        format!("--cpus-per-task={threads}"),
        "--kill-on-bad-exit=1".to_string(),
    ]);
    if let Some(mpi) = std::env::var(SRUN_MPI).ok().filter(|mpi| !mpi.is_empty()) {
        command.arg(format!("--mpi={mpi}"));
    }
    command.arg(binary);
    command
}

/// Whether `mpirun` is Open MPI's (MPICH's takes other flags); a missing `mpirun` is one
/// line saying what to install.
fn is_open_mpi() -> Outcome<bool> {
    static FOUND: OnceLock<Result<bool, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let output = Command::new("mpirun")
            .arg("--version")
            .output()
            .map_err(|e| {
                format!(
                    "cannot run mpirun ({e}): --ranks needs MPI; lessons/ranks.md says how to \
                 install it (Debian and Ubuntu: apt install openmpi-bin libopenmpi-dev \
                 libclang-dev)"
                )
            })?;
        let text = String::from_utf8_lossy(&output.stdout);
        Ok(text.contains("Open MPI") || text.contains("OpenRTE"))
    });
    found.clone().map_err(Failure::failed)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}
