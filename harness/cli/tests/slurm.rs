//! Batch jobs: the scripts in slurm/, `workbook slurm` and `workbook report`. The jobs
//! themselves run on a real Slurm when WORKBOOK_SLURM_CLUSTER is set (`.ci/run` starts a
//! cluster of two nodes on one machine with `slurm/local-cluster start --nodes 2` and sets
//! it).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{assert_fails, lesson_binary, mpi_bin_dir, profile, run, scratch_dir, workbook};
use workbook::{LESSONS, Record};
use workbook_cli::binaries::workspace_root;
use workbook_cli::records::parse_record;

fn script(name: &str) -> PathBuf {
    workspace_root().join("slurm").join(name)
}

#[test]
fn the_job_array_has_one_task_per_lesson() {
    let text = std::fs::read_to_string(script("all-lessons.sbatch")).expect("script");
    let array = format!("#SBATCH --array=0-{}\n", LESSONS.len() - 1);
    assert!(
        text.contains(&array),
        "all-lessons.sbatch must have {array}"
    );
    for name in ["scaling.sbatch", "all-lessons.sbatch", "local-cluster"] {
        let ran = run(Command::new("bash").arg("-n").arg(script(name)));
        assert_eq!(ran.code, 0, "{name}: {}", ran.stderr);
    }
}

#[test]
fn the_scripts_refuse_to_run_without_their_binaries() {
    let empty = scratch_dir("no-binaries");
    let ran = run(Command::new("bash")
        .arg(script("scaling.sbatch"))
        .arg("pi")
        .env("WORKBOOK_BIN_DIR", &empty)
        .env_remove("SLURM_JOB_ID"));
    assert_fails(&ran, 1, "workbook is not built: on the login node run");
    assert!(ran.stderr.contains("-- build pi"), "{}", ran.stderr);
    let ran = run(Command::new("bash").arg(script("scaling.sbatch")));
    assert!(
        ran.code != 0
            && ran
                .stderr
                .contains("usage: sbatch slurm/scaling.sbatch LESSON")
    );

    // A task index past the lessons names the range to use.
    let ran = run(Command::new("bash")
        .arg(script("all-lessons.sbatch"))
        .env("SLURM_ARRAY_TASK_ID", "5")
        .env("WORKBOOK_LESSONS", "pi delayed"));
    assert_fails(
        &ran,
        1,
        "array task 5, but only 2 lessons (pi delayed): use --array=0-1",
    );
}

#[test]
fn the_printed_script_takes_the_site_file_and_flags_override_it() {
    let dir = scratch_dir("site");
    let site = dir.join("site.toml");
    std::fs::write(
        &site,
        "partition = \"short\"\naccount = \"training\"\nmodules = [\"hdf5/1.14\"]\n\
         setup = [\"export OMP_NUM_THREADS=1\"]\nsbatch = [\"--qos=debug\"]\n",
    )
    .expect("site file");
    let ran = run(workbook()
        .args([
            "slurm",
            "pi",
            "--cpus",
            "32",
            "--partition",
            "long",
            "--site",
        ])
        .arg(&site)
        .args(["--", "--rounds", "3"]));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    for expected in [
        "#SBATCH --cpus-per-task=32",
        "#SBATCH --partition=long",
        "#SBATCH --account=training",
        "#SBATCH --qos=debug",
        "#SBATCH --time=0:30:00",
        "module load hdf5/1.14",
        "export OMP_NUM_THREADS=1",
    ] {
        assert!(
            lines.contains(&expected),
            "no {expected} in:\n{}",
            ran.stdout
        );
    }
    let last = lines.last().expect("a script");
    assert!(
        last.ends_with("/slurm/scaling.sbatch pi --rounds 3"),
        "{last}"
    );
    assert!(!ran.stdout.contains("--partition=short"));

    let printed = dir.join("printed.sbatch");
    std::fs::write(&printed, &ran.stdout).expect("write");
    let ran = run(Command::new("bash").arg("-n").arg(&printed));
    assert_eq!(ran.code, 0, "the printed script is bash: {}", ran.stderr);
}

#[test]
fn mistakes_are_one_line() {
    let dir = scratch_dir("slurm-mistakes");
    let site = dir.join("site.toml");
    std::fs::write(&site, "partition = \"a\"\nmodule = [\"hdf5\"]\n").expect("site");
    let site_arg = site.to_string_lossy().to_string();
    // A mistake in the site file's values is named there, not as a flag never given.
    let odd_site = dir.join("odd-site.toml");
    std::fs::write(&odd_site, "partition = \"two words\"\ntime = \"soon\"\n").expect("site");
    let odd_site_arg = odd_site.to_string_lossy().to_string();
    let cases: [(&[&str], i32, &str); 14] = [
        // What the job's sweep would refuse is refused here, before printing or submitting.
        (
            &["slurm", "pi", "--cpus", "4", "--", "--bogus"],
            2,
            "the sweep flags after --: unexpected argument '--bogus' found (lesson pi, run by the job)",
        ),
        (
            &["slurm", "pi", "--cpus", "4", "--", "--vary", "n=100,10"],
            2,
            "--chunks (1000) must not exceed --n (100)",
        ),
        (
            &["slurm", "pi", "--cpus", "2", "--", "--threads", "1,500"],
            2,
            "--threads 500: expected 1 to 128 threads on 2 CPUs (64 per CPU; more take longer to start than the work takes) (a job of 2 CPUs)",
        ),
        (
            &["slurm", "all", "--cpus", "2", "--", "--", "--n", "0"],
            2,
            "--n: expected a whole number from 1",
        ),
        (&["slurm", "pie", "--cpus", "2"], 2, "no lesson named 'pie'"),
        (&["slurm", "pi"], 2, "--cpus"),
        (&["slurm", "pi", "--cpus", "0"], 2, "--cpus"),
        (
            &["slurm", "pi", "--cpus", "2", "--time", "soon"],
            2,
            "--time 'soon': Slurm writes a time limit as",
        ),
        (
            &["slurm", "pi", "--cpus", "2", "--site", &odd_site_arg],
            2,
            "odd-site.toml: time 'soon': Slurm writes",
        ),
        (
            &[
                "slurm",
                "pi",
                "--cpus",
                "2",
                "--site",
                &odd_site_arg,
                "--time",
                "5",
            ],
            2,
            "odd-site.toml: partition 'two words' is not a Slurm partition name",
        ),
        (
            &[
                "slurm",
                "pi",
                "--cpus",
                "2",
                "--partition",
                "a b",
                "--time",
                "5",
            ],
            2,
            "--partition 'a b' is not a Slurm partition name",
        ),
        (
            &["slurm", "pi", "--cpus", "2", "--site", &site_arg],
            2,
            "site.toml: line 2: unknown field `module`",
        ),
        (
            &["slurm", "pi", "--cpus", "2", "--site", "/no/such/site.toml"],
            2,
            "cannot read the site file /no/such/site.toml",
        ),
        (
            &["slurm", "all", "--cpus", "2", "--lessons", "pi,pie"],
            2,
            "no lesson named 'pie'",
        ),
    ];
    for (args, code, expected) in cases {
        assert_fails(&run(workbook().args(args)), code, expected);
    }

    // Submitting where there is no Slurm.
    let ran = run(workbook()
        .args(["slurm", "pi", "--cpus", "2", "--submit", "--no-build"])
        .env("PATH", &dir));
    assert_fails(&ran, 1, "sbatch is not on PATH");

    // With sbatch there, a lesson not built is named before anything is submitted (this
    // sbatch would fail if it ran).
    let path = dir.join("path");
    std::fs::create_dir_all(&path).expect("folder");
    std::os::unix::fs::symlink("/bin/false", path.join("sbatch")).expect("link");
    let empty = dir.join("no-binaries");
    std::fs::create_dir_all(&empty).expect("folder");
    let ran = run(workbook()
        .args(["slurm", "pi", "--cpus", "2", "--submit", "--bin-dir"])
        .arg(&empty)
        .env("PATH", &path));
    assert_fails(&ran, 1, "no-binaries/workbook is not built");
    // A relative --bin-dir with everything built gets as far as sbatch (/bin/false here).
    lesson_binary("pi");
    let bin_dir = common::bin_dir();
    let ran = run(workbook()
        .current_dir(bin_dir.parent().expect("target/"))
        .args(["slurm", "pi", "--cpus", "2", "--submit", "--results"])
        .arg(dir.join("results"))
        .arg("--bin-dir")
        .arg(bin_dir.file_name().expect("debug"))
        .env("PATH", &path));
    assert_fails(&ran, 1, "sbatch refused the job: no message");

    // Reports of folders that hold no runs, or broken ones.
    assert_fails(
        &run(workbook().args(["report", "/no/such/folder"])),
        2,
        "cannot read /no/such/folder",
    );
    let empty = dir.join("empty-job");
    std::fs::create_dir_all(empty.join("pi-rayon")).expect("folder");
    assert_fails(
        &run(workbook().arg("report").arg(&empty)),
        1,
        "empty-job holds no records.jsonl",
    );
    std::fs::write(
        empty.join("pi-rayon/records.jsonl"),
        "{\"record\":1,\"lesson\":\"pi\"}\n",
    )
    .expect("records");
    assert_fails(
        &run(workbook().arg("report").arg(&empty)),
        1,
        "records.jsonl line 1: no text field 'side'",
    );
    assert_fails(&run(workbook().arg("report")), 2, "FOLDER");
}

/// A record as another machine would have written it, in Slurm job `job`.
fn as_if_on(record: &str, host: &str, cpu: &str, job: &str) -> String {
    let mut json: serde_json::Value = serde_json::from_str(record).expect("json");
    json["machine"]["host"] = host.into();
    json["machine"]["cpu_model"] = cpu.into();
    json["machine"]["logical_cpus"] = 128.into();
    json["machine"]["slurm"] = serde_json::json!({
        "job_id": job, "array_job_id": null, "array_task_id": null,
        "cpus_per_task": "2", "node_list": host, "node_name": host,
    });
    // The node is twice as fast at everything.
    let halved: Vec<f64> = json["seconds"]
        .as_array()
        .expect("seconds")
        .iter()
        .map(|s| s.as_f64().expect("number") / 2.0)
        .collect();
    json["seconds"] = halved.into();
    json.to_string()
}

#[test]
fn reports_merge_machines_side_by_side() {
    let dir = scratch_dir("report");
    let laptop = dir.join("laptop");
    lesson_binary("pi");
    let ran = run(workbook()
        .args(["sweep", "pi", "--quick", "--threads", "1,2", "--no-build"])
        .args(["--profile", profile(), "--out"])
        .arg(&laptop));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let records_file = std::fs::read_dir(&laptop)
        .expect("sweep folder")
        .flatten()
        .map(|e| e.path().join("records.jsonl"))
        .next()
        .expect("records");
    let records = std::fs::read_to_string(&records_file).expect("records");
    let node = dir.join("job-77").join("pi-rayon-node");
    std::fs::create_dir_all(&node).expect("folder");
    let moved: Vec<String> = records
        .lines()
        .map(|line| as_if_on(line, "node017", "AMD EPYC 7763", "77"))
        .collect();
    std::fs::write(node.join("records.jsonl"), moved.join("\n") + "\n").expect("write");

    // The node's records are named twice, by the job's folder and by its sweep's file:
    // they count once.
    let out = dir.join("merged");
    let ran = run(workbook()
        .arg("report")
        .arg(&laptop)
        .arg(dir.join("job-77"))
        .arg(node.join("records.jsonl"))
        .arg("--out")
        .arg(&out));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        ran.stdout.contains("- node017 · AMD EPYC 7763 · 128 CPUs"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("runs from: job 77"), "{}", ran.stdout);

    // One row per machine and thread count; each machine's speedup is against its own
    // serial run, so halving every time on the node leaves its speedups as they were.
    let csv = std::fs::read_to_string(out.join("report.csv")).expect("csv");
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 4, "{csv}");
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (host, threads, speedup, agrees) = (
        column("host"),
        column("threads"),
        column("speedup"),
        column("agrees"),
    );
    let hosts: BTreeSet<&str> = rows.iter().map(|r| r[host]).collect();
    assert_eq!(hosts.len(), 2);
    for t in ["1", "2"] {
        let speedups: Vec<f64> = rows
            .iter()
            .filter(|r| r[threads] == t)
            .map(|r| r[speedup].parse().expect("a speedup"))
            .collect();
        assert_eq!(speedups.len(), 2);
        assert!((speedups[0] - speedups[1]).abs() < 1e-3, "{speedups:?}");
    }
    assert!(rows.iter().all(|r| r[agrees] == "true"));
    let runs = column("runs");
    let first = parse_record(records.lines().next().expect("a record")).expect("record");
    let per_record = first.seconds.len().to_string();
    assert!(rows.iter().all(|r| r[runs] == per_record), "{csv}");
    let markdown = std::fs::read_to_string(out.join("report.md")).expect("markdown");
    assert_eq!(
        markdown.lines().filter(|l| l.starts_with("| pi ")).count(),
        4
    );
    let picture = image::open(out.join("speedup.png")).expect("a PNG");
    assert_eq!((picture.width(), picture.height()), (900, 600));
}

// ---- On a real Slurm -------------------------------------------------------------------

/// The test needs a Slurm to submit to: it is ignored unless asked for
/// (`cargo test -- --ignored`), and then the environment must name one.
fn require_cluster() {
    assert!(
        std::env::var_os("WORKBOOK_SLURM_CLUSTER").is_some(),
        "set WORKBOOK_SLURM_CLUSTER=1 with a Slurm to submit to (.ci/run starts one with \
         slurm/local-cluster)"
    );
}

/// Waits for a job (every task of an array) to end; returns each task's final state.
fn wait_for(job: &str) -> Vec<String> {
    let start = Instant::now();
    loop {
        let ran = run(Command::new("scontrol").args(["show", "job", job]));
        assert_eq!(ran.code, 0, "scontrol show job {job}: {}", ran.stderr);
        let states: Vec<String> = ran
            .stdout
            .split_whitespace()
            .filter_map(|word| word.strip_prefix("JobState="))
            .map(str::to_string)
            .collect();
        let running = ["PENDING", "CONFIGURING", "RUNNING", "COMPLETING"];
        if !states.is_empty() && states.iter().all(|s| !running.contains(&s.as_str())) {
            return states;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "job {job} still not done after 5 minutes: {states:?}"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn submit(results: &Path, args: &[&str]) -> String {
    let ran = run(workbook()
        .arg("slurm")
        .args(args)
        .args([
            "--submit",
            "--no-build",
            "--profile",
            profile(),
            "--results",
        ])
        .arg(results)
        .args(["--", "--quick"]));
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let id = ran
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("Submitted batch job "))
        .unwrap_or_else(|| panic!("no job id in: {}", ran.stdout));
    id.trim().to_string()
}

/// Every record the job wrote, read as `workbook report` reads them.
fn records_under(folder: &Path) -> Vec<Record> {
    match workbook_cli::records::load(&[folder.to_path_buf()]) {
        Ok(records) => records,
        Err(failure) => panic!("{}", failure.message),
    }
}

#[test]
#[ignore = "needs a Slurm cluster: .ci/run starts one and runs it with --ignored"]
fn jobs_run_on_a_real_slurm_on_the_cpus_they_asked_for() {
    require_cluster();
    // Built before submission, as on a login node: jobs never compile.
    lesson_binary("pi");
    let results = scratch_dir("slurm-jobs");

    // A scaling study on 2 CPUs and a job array of two lessons on 1 CPU each.
    let scaling = submit(&results, &["pi", "--cpus", "2", "--time", "5"]);
    let array = submit(
        &results,
        &[
            "all",
            "--lessons",
            "pi,delayed",
            "--cpus",
            "1",
            "--time",
            "5",
        ],
    );
    // More CPUs than the node has is refused at submission, in one line.
    let ran = run(workbook()
        .args(["slurm", "pi", "--cpus", "64", "--submit", "--no-build"])
        .args(["--profile", profile(), "--results"])
        .arg(&results));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr
            .starts_with("workbook: error: sbatch refused the job: ")
    );
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);

    for job in [&scaling, &array] {
        let states = wait_for(job);
        let log = std::fs::read_dir(&results)
            .expect("results")
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("slurm-{job}"))
            })
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            states.iter().all(|s| s == "COMPLETED"),
            "job {job}: {states:?}\n{log}"
        );
    }

    // The scaling job: the exercise and the solution at 1 and 2 threads, all in the job,
    // on the 2 CPUs it was given.
    let records = records_under(&results.join(format!("job-{scaling}")));
    let runs: BTreeSet<(String, usize)> = records
        .iter()
        .map(|r| (r.variant.clone(), r.threads))
        .collect();
    let expected: BTreeSet<(String, usize)> = [("exercise", 1), ("rayon", 1), ("rayon", 2)]
        .map(|(v, t)| (v.to_string(), t))
        .into();
    assert_eq!(runs, expected);
    for record in &records {
        let slurm = record.machine.slurm.as_ref().expect("the job is recorded");
        assert_eq!(slurm.job_id, scaling);
        assert_eq!(slurm.cpus_per_task.as_deref(), Some("2"));
        assert!(slurm.node_name.is_some() && slurm.array_task_id.is_none());
        assert_eq!(record.machine.available_cpus, 2, "the job's CPUs");
        assert!(record.answers_identical && !record.seconds.is_empty());
        // The job measured its node first: Pi's rate is against that node's peak.
        let work = record.work.as_ref().expect("Pi has a work model");
        assert!(work.peak_flops.is_some(), "{work:?}");
    }
    let node = records[0]
        .machine
        .slurm
        .as_ref()
        .and_then(|s| s.node_name.clone());
    let limits = results
        .join("machines")
        .join(format!("{}.toml", node.unwrap_or_default()));
    assert!(limits.is_file(), "{} was not measured", limits.display());

    // The array: one task per lesson, in order, each pinned to its one CPU.
    let records = records_under(&results.join(format!("job-{array}")));
    let mut lessons_by_task = BTreeSet::new();
    for record in &records {
        let slurm = record.machine.slurm.as_ref().expect("the job is recorded");
        assert_eq!(slurm.array_job_id.as_deref(), Some(array.as_str()));
        assert_eq!(slurm.cpus_per_task.as_deref(), Some("1"));
        assert_eq!(record.machine.available_cpus, 1, "the task's CPU");
        assert_eq!(record.threads, 1);
        let task = slurm.array_task_id.clone().expect("a task index");
        lessons_by_task.insert((task, record.lesson.clone()));
    }
    assert_eq!(
        lessons_by_task,
        [("0", "pi"), ("1", "delayed")]
            .map(|(t, l)| (t.to_string(), l.to_string()))
            .into()
    );

    // Both jobs in one report.
    let ran = run(workbook()
        .arg("report")
        .arg(results.join(format!("job-{scaling}")))
        .arg(results.join(format!("job-{array}")))
        .arg("--out")
        .arg(results.join("report")));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        ran.stdout.contains(&format!("job {scaling}")),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains(&format!("job {array}_1")),
        "{}",
        ran.stdout
    );
    let rows = ran
        .stdout
        .lines()
        .filter(|l| l.ends_with(" | yes |"))
        .count();
    assert_eq!(
        rows, 3,
        "pi at 1 and 2 threads, delayed at 1: {}",
        ran.stdout
    );
}

#[test]
#[ignore = "needs a Slurm cluster and MPI: .ci/run starts one, installs MPI and runs it with --ignored"]
fn a_job_of_mpi_ranks_runs_one_rank_on_each_node() {
    require_cluster();
    // Two nodes if the cluster has them (the local cluster started with --nodes 2), else
    // two tasks on one node.
    let sinfo = run(Command::new("sinfo").args(["-h", "-N", "-o", "%N"]));
    assert_eq!(sinfo.code, 0, "{}", sinfo.stderr);
    let nodes: BTreeSet<&str> = sinfo.stdout.split_whitespace().collect();
    let (job_nodes, per_node) = if nodes.len() >= 2 {
        ("2", "1")
    } else {
        ("1", "2")
    };
    let bin_dir = mpi_bin_dir();
    let results = scratch_dir("slurm-ranks");
    let ran = run(workbook()
        .args([
            "slurm",
            "ranks",
            "--nodes",
            job_nodes,
            "--ntasks-per-node",
            per_node,
        ])
        .args([
            "--cpus-per-task",
            "1",
            "--time",
            "5",
            "--submit",
            "--bin-dir",
        ])
        .arg(&bin_dir)
        .arg("--results")
        .arg(&results)
        .args(["--", "--quick", "--variant", "all"]));
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let job = ran
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("Submitted batch job "))
        .unwrap_or_else(|| panic!("no job id in: {}", ran.stdout))
        .trim()
        .to_string();
    let states = wait_for(&job);
    let log = std::fs::read_to_string(results.join(format!("slurm-{job}.out"))).unwrap_or_default();
    assert!(states.iter().all(|s| s == "COMPLETED"), "{states:?}\n{log}");

    // The exercise once, and each variant on 1 and 2 ranks of 1 thread, all in the job.
    let records = records_under(&results.join(format!("job-{job}")));
    let exercise = records
        .iter()
        .find(|r| r.variant == "exercise")
        .expect("the exercise ran");
    let mut layouts = BTreeSet::new();
    for record in &records {
        let slurm = record.machine.slurm.as_ref().expect("the job is recorded");
        assert_eq!(slurm.job_id, job);
        if record.variant == "exercise" {
            continue;
        }
        // Each variant by its rule: `reduce` lets MPI choose the order of its sums.
        let rule = workbook::registry::RANKS
            .variant(&record.variant)
            .expect("a variant")
            .agreement;
        let agrees = rule.check(&exercise.answer_value(), &record.answer_value());
        assert!(agrees.is_ok(), "{}: {agrees:?}", record.variant);
        let ranks = record.ranks.as_ref().expect("a run on ranks says so");
        assert_eq!(ranks.nodes.len(), ranks.ranks);
        if ranks.ranks == 2 {
            let distinct: BTreeSet<&String> = ranks.nodes.iter().collect();
            let expected = if job_nodes == "2" { 2 } else { 1 };
            assert_eq!(
                distinct.len(),
                expected,
                "nodes of the ranks: {:?}",
                ranks.nodes
            );
        }
        layouts.insert((record.variant.clone(), ranks.ranks, record.threads));
    }
    let expected: BTreeSet<(String, usize, usize)> = ["blocks", "cyclic", "reduce"]
        .iter()
        .flat_map(|v| [1, 2].map(|r| (v.to_string(), r, 1)))
        .collect();
    assert_eq!(layouts, expected);
}
