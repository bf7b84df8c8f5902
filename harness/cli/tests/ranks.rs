//! Facts about the Ranks lesson: the Pi and Mandelbrot starters' bits on any number of
//! ranks and threads, a failing rank that ends the run, and MPI only behind its feature.

mod common;

use std::time::{Duration, Instant};

use common::{
    answer, assert_usage_error, flags, lesson_command, mpi_bin_dir, mpirun, run, scratch_dir,
    workbook,
};
use workbook::Value;
use workbook_cli::records::parse_record;

fn pi_flags() -> Vec<String> {
    flags(&["--n", "200003", "--chunks", "64"])
}

/// A grid whose rows cost very different amounts: the cyclic split matters.
fn grid() -> [&'static str; 6] {
    ["--h", "60", "--w", "40", "--maxit", "50"]
}

fn mandelbrot_flags() -> Vec<String> {
    let mut flags = flags(&["--problem", "mandelbrot"]);
    flags.extend(grid().map(String::from));
    flags
}

/// The serial starters' answers: Pi's, and Mandelbrot's on the same grid.
fn starters() -> (Value, Value) {
    (
        answer("pi", 1, None, &pi_flags()),
        answer("mandelbrot", 1, None, &flags(&grid())),
    )
}

#[test]
fn without_mpi_the_answers_are_the_pi_and_mandelbrot_starters_bits() {
    let (pi, mandelbrot) = starters();
    for threads in [1, 2, 3] {
        assert_eq!(answer("ranks", threads, None, &pi_flags()), pi);
        let found = answer("ranks", threads, None, &mandelbrot_flags());
        assert_eq!(found, mandelbrot, "the starter on {threads} threads");
        for variant in ["blocks", "cyclic"] {
            let binary = "ranks-solution";
            let what = format!("{variant} on {threads} threads");
            assert_eq!(
                answer(binary, threads, Some(variant), &pi_flags()),
                pi,
                "{what}"
            );
            let found = answer(binary, threads, Some(variant), &mandelbrot_flags());
            assert_eq!(found, mandelbrot, "{what}");
        }
    }
}

#[test]
fn without_mpi_more_ranks_say_how_to_build_them() {
    let ran = run(lesson_command("ranks-solution").args(["--ranks", "2"]));
    assert_usage_error(&ran, "--ranks 2 needs MPI, which this build leaves out");
    assert!(ran.stderr.contains("--features mpi"), "{}", ran.stderr);
    // Started by mpirun as two processes, a build without MPI stops, said once.
    for rank in ["0", "1"] {
        let ran = run(lesson_command("ranks-solution")
            .env("OMPI_COMM_WORLD_SIZE", "2")
            .env("OMPI_COMM_WORLD_RANK", rank));
        assert_eq!(ran.code, 2, "{}", ran.stderr);
        let expected = if rank == "0" { 1 } else { 0 };
        assert_eq!(ran.stderr.lines().count(), expected, "{}", ran.stderr);
    }
    // The starter takes no --ranks: launching it is the learner's part.
    let ran = run(lesson_command("ranks").args(["--ranks", "2"]));
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    // Only the Ranks lesson runs on ranks.
    let ran = run(workbook().args(["compare", "pi", "--ranks", "2", "--no-build"]));
    assert_usage_error(&ran, "lesson pi does not run on MPI ranks");
}

// ---- With MPI ----------------------------------------------------------------------------

/// A run on ranks: its record, which must say how many ranks and where they ran.
fn ranks_record(binary: &str, ranks: usize, threads: usize, args: &[String]) -> workbook::Record {
    let ran = run(mpirun(binary, ranks, threads)
        .args(["--json", "--repeat", "2", "--warmup", "0"])
        .args(args));
    assert_eq!(ran.code, 0, "{binary} on {ranks} ranks: {}", ran.stderr);
    let record = parse_record(ran.stdout.trim())
        .unwrap_or_else(|e| panic!("one record, from rank 0: {e}\n{}", ran.stdout));
    let on = record.ranks.as_ref().expect("the record names its ranks");
    assert_eq!((on.ranks, on.nodes.len()), (ranks, ranks));
    assert!(record.answers_identical);
    record
}

#[test]
#[ignore = "needs MPI (openmpi-bin, libopenmpi-dev, libclang-dev): .ci/run installs it and runs this with --ignored"]
fn every_layout_of_ranks_and_threads_gives_the_starters_bits() {
    let (pi, mandelbrot) = starters();
    let reference_png = {
        let dir = scratch_dir("ranks-pictures");
        let path = dir.join("starter.png");
        let mut args = flags(&grid());
        args.extend(["--output".to_string(), path.display().to_string()]);
        let ran = run(lesson_command("mandelbrot").args(&args));
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        std::fs::read(&path).expect("the starter's picture")
    };
    for ranks in [1, 2, 4] {
        for threads in [1, 2] {
            for variant in ["blocks", "cyclic"] {
                let what = format!("{variant} on {ranks} ranks x {threads} threads");
                let mut args = flags(&["--variant", variant, "--ranks", &ranks.to_string()]);
                args.extend(pi_flags());
                let record = ranks_record("ranks-solution", ranks, threads, &args);
                assert_eq!(record.answer_value(), pi, "pi, {what}");

                let dir = scratch_dir("ranks-picture");
                let path = dir.join("picture.png");
                let mut args = flags(&["--variant", variant, "--ranks", &ranks.to_string()]);
                args.extend(mandelbrot_flags());
                args.extend(["--output".to_string(), path.display().to_string()]);
                let record = ranks_record("ranks-solution", ranks, threads, &args);
                assert_eq!(record.answer_value(), mandelbrot, "mandelbrot, {what}");
                let png = std::fs::read(&path).expect("rank 0 wrote the picture");
                assert!(png == reference_png, "{what} drew another picture");
            }
        }
    }
}

#[test]
#[ignore = "needs MPI (openmpi-bin, libopenmpi-dev, libclang-dev): .ci/run installs it and runs this with --ignored"]
fn a_rank_that_fails_ends_the_whole_run_in_one_line() {
    // Flags that disagree with the launcher: every rank refuses, rank 0 says so, once.
    let ran = run(mpirun("ranks-solution", 2, 1).args(["--ranks", "3"]));
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let own: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|line| line.starts_with("ranks-solution: error: "))
        .collect();
    assert_eq!(own.len(), 1, "{}", ran.stderr);
    assert!(own[0].contains("--ranks 3, but MPI started 2 rank(s)"));

    // The same through `workbook`: one line, exit 2.
    let bin_dir = mpi_bin_dir();
    let ran = run(workbook()
        .args(["compare", "ranks", "--ranks", "2", "--quick", "--bin-dir"])
        .arg(&bin_dir)
        .args(["--", "--chunks", "0"]));
    assert_usage_error(&ran, "--chunks");

    // A rank killed mid-run: the others are stopped, and `workbook` names what happened,
    // in one line, instead of waiting for ever. (`check` runs the solution first.) A chunk
    // count of this test's own tells its ranks from any others.
    let marker = format!("{}", std::process::id() % 900_000 + 1000);
    let child = workbook()
        .args([
            "check",
            "ranks",
            "--ranks",
            "2",
            "--threads",
            "1",
            "--bin-dir",
        ])
        .arg(&bin_dir)
        .args(["--repeat", "1", "--warmup", "0", "--", "--n", "1e11"])
        .args(["--chunks", &marker])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("workbook starts");
    let start = Instant::now();
    let victim = loop {
        // The solution's ranks, found by their flags; the exercise runs first, alone.
        let ranks = processes_with(&["ranks-solution", "--ranks", &marker]);
        if ranks.len() == 2 {
            break ranks[1];
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no ranks started"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    // SAFETY: kill sends a signal; the pid is a rank this test started.
    unsafe { libc::kill(victim, libc::SIGKILL) };
    let killed = Instant::now();
    let output = child.wait_with_output().expect("workbook ends");
    assert!(
        killed.elapsed() < Duration::from_secs(30),
        "the run went on"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("workbook: error: ranks-solution failed: ") && last.contains("signal 9"),
        "{stderr}"
    );
}

/// Processes whose command line holds every word of `words`, oldest first.
fn processes_with(words: &[&str]) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .map(|arg| String::from_utf8_lossy(arg).to_string())
            .collect();
        let program = args.first().map_or("", |a| a.as_str());
        if program.ends_with(words[0]) && words[1..].iter().all(|w| args.iter().any(|a| a == w)) {
            found.push(pid);
        }
    }
    found.sort();
    found
}

#[test]
#[ignore = "needs MPI (openmpi-bin, libopenmpi-dev, libclang-dev): .ci/run installs it and runs this with --ignored"]
fn workbook_compares_and_checks_on_ranks() {
    let bin_dir = mpi_bin_dir();
    let ran = run(workbook()
        .args([
            "compare",
            "ranks",
            "--ranks",
            "1,2",
            "--variant",
            "all",
            "--quick",
        ])
        .arg("--bin-dir")
        .arg(&bin_dir));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let rows: Vec<&str> = ran
        .stdout
        .lines()
        .filter(|line| line.contains("solution "))
        .collect();
    assert_eq!(
        rows.len(),
        6,
        "three variants on 1 and 2 ranks: {}",
        ran.stdout
    );
    assert!(
        rows.iter().all(|row| row.ends_with("agrees")),
        "{}",
        ran.stdout
    );

    // The starter as it is, started as 2 ranks: each process prints its own record.
    let ran = run(workbook()
        .args(["check", "ranks", "--ranks", "2", "--quick", "--bin-dir"])
        .arg(&bin_dir));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let last = ran.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("on 2 ranks printed 2 records"),
        "{}",
        ran.stderr
    );

    // A sweep of equal-core layouts, 1 x 2 against 2 x 1, and weak scaling.
    let out = scratch_dir("ranks-sweep");
    let ran = run(workbook()
        .args([
            "sweep",
            "ranks",
            "--ranks",
            "1,2",
            "--threads",
            "1,2",
            "--cores",
            "2",
        ])
        .args(["--weak", "n", "--quick", "--bin-dir"])
        .arg(&bin_dir)
        .arg("--out")
        .arg(&out));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let layouts: Vec<&str> = ran
        .stdout
        .lines()
        .filter(|line| {
            line.starts_with("| 1 | 2 | 2 | 400006 ") || line.starts_with("| 2 | 1 | 2 | 400006 ")
        })
        .collect();
    assert_eq!(layouts.len(), 2, "{}", ran.stdout);
}
