//! Tests every lesson in the registry the same way: the solution agrees with the serial
//! exercise at several thread counts, the flags behave, and the record is complete.

mod common;

use common::{answer, assert_usage_error, lesson_command, record, run};
use workbook::flags::exercise_flags;
use workbook::{Agreement, LESSONS, Side};

/// One, two, a count that does not divide the work evenly, and more threads than CPUs.
const THREAD_COUNTS: [usize; 4] = [1, 2, 3, 8];

#[test]
fn every_solution_agrees_with_its_exercise_at_several_thread_counts() {
    for lesson in LESSONS {
        let flags = lesson.quick_flags();
        let exercise_flags = exercise_flags(lesson, &flags);
        let reference = answer(&lesson.exercise_binary(), 1, None, &exercise_flags);
        for threads in THREAD_COUNTS {
            let exercise = answer(&lesson.exercise_binary(), threads, None, &exercise_flags);
            assert_eq!(
                Agreement::Exact.check(&reference, &exercise),
                Ok(()),
                "{} exercise at {threads} threads",
                lesson.name
            );
            // A variant behind a slow-to-build feature (polars) only where the tests
            // have it: its own tests show as ignored where they do not.
            let built = lesson
                .variants
                .iter()
                .filter(|v| common::POLARS || lesson.variant_feature(v.name).is_none());
            for variant in built {
                let found = answer(
                    &lesson.solution_binary(),
                    threads,
                    Some(variant.name),
                    &flags,
                );
                assert_eq!(
                    variant.agreement.check(&reference, &found),
                    Ok(()),
                    "{} solution {} at {threads} threads",
                    lesson.name,
                    variant.name
                );
            }
        }
    }
}

#[test]
fn bad_flags_are_one_line_and_exit_code_2() {
    for lesson in LESSONS {
        for (side, binary) in [
            (Side::Exercise, lesson.exercise_binary()),
            (Side::Solution, lesson.solution_binary()),
        ] {
            let count_flag = lesson
                .params_for(side)
                .find(|p| matches!(p.kind, workbook::registry::Kind::Count { .. }))
                .map(|p| format!("--{}", p.name));
            let bad = |args: &[&str], expected: &str| {
                assert_usage_error(&run(lesson_command(&binary).args(args)), expected);
            };
            bad(
                &["--threads", "0"],
                "--threads: expected a whole number from 1",
            );
            bad(
                &["--threads", "lots"],
                "--threads: expected a whole number from 1",
            );
            bad(
                &["--repeat", "0"],
                "--repeat: expected a whole number from 1",
            );
            bad(&["--no-such-flag"], "unknown flag '--no-such-flag'");
            bad(&["stray"], "unexpected argument 'stray'");
            // Past the machine's thread limit a pool takes longer to start than any
            // lesson's work: refused, from the flag and from Slurm's variable alike.
            let too_many = (workbook::machine::thread_limit() + 1).to_string();
            bad(
                &["--threads", &too_many],
                "CPUs (64 per CPU; more take longer to start",
            );
            let ran = run(lesson_command(&binary).env("SLURM_CPUS_PER_TASK", "100000"));
            assert_usage_error(&ran, "SLURM_CPUS_PER_TASK 100000: expected 1 to");
            // The last of two values quietly winning hides a slip.
            bad(
                &["--repeat", "2", "--repeat", "3"],
                "--repeat is given twice ('2' and '3'): give it once",
            );
            bad(&["--json", "--json"], "--json is given twice");
            if let Some(flag) = &count_flag {
                bad(
                    &[flag, "1", &format!("{flag}=2")],
                    &format!("{flag} is given twice ('1' and '2')"),
                );
                bad(&[flag, "-5"], &format!("{flag}: expected a whole number"));
                bad(
                    &[flag, "12abc"],
                    &format!("{flag}: expected a whole number"),
                );
                bad(&[flag, "1e40"], &format!("{flag}: expected a whole number"));
            }
            // An empty path would quietly mean "not given".
            for param in lesson.params_for(side) {
                use workbook::registry::Kind;
                let flag = format!("--{}", param.name);
                match param.kind {
                    Kind::Input | Kind::Output => bad(
                        &[&flag, ""],
                        &format!("{flag}: expected a path, got nothing"),
                    ),
                    Kind::OptionalInput | Kind::OptionalOutput => bad(
                        &[&flag, ""],
                        &format!("{flag}: expected a path, got nothing (leave the flag out"),
                    ),
                    _ => {}
                }
            }
        }
        // A flag of the solution only is refused by the exercise, with the reason.
        for param in lesson.params.iter().filter(|p| p.solution_only) {
            let flag = format!("--{}", param.name);
            assert_usage_error(
                &run(lesson_command(&lesson.exercise_binary()).args([flag.as_str(), "1"])),
                &format!("{flag} is a flag of the solution"),
            );
        }
    }
}

#[test]
fn threads_default_to_slurms_cpus_per_task_and_reject_nonsense() {
    for lesson in LESSONS {
        let exercise = lesson.exercise_binary();
        let mut quick: Vec<String> = exercise_flags(lesson, &lesson.quick_flags());
        quick.extend(["--json".into(), "--repeat".into(), "1".into()]);
        let ran = run(lesson_command(&exercise)
            .args(&quick)
            .env("SLURM_CPUS_PER_TASK", "3"));
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        let record = workbook_cli::records::parse_record(ran.stdout.trim()).expect("record");
        assert_eq!(record.threads, 3);

        let ran = run(lesson_command(&exercise)
            .args(&quick)
            .env("SLURM_CPUS_PER_TASK", "many"));
        assert_usage_error(&ran, "SLURM_CPUS_PER_TASK is 'many'");
    }
}

#[test]
fn records_describe_the_run_the_machine_and_the_slurm_job() {
    for lesson in LESSONS {
        let mut args: Vec<String> = lesson.quick_flags();
        args.extend(["--threads", "2", "--repeat", "3", "--warmup", "2"].map(String::from));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();

        let plain = record(&lesson.solution_binary(), &args);
        assert_eq!(plain.lesson, lesson.name);
        assert_eq!(plain.side, Side::Solution);
        assert_eq!(plain.variant, lesson.default_variant().name);
        assert_eq!(
            (plain.threads, plain.warmup, plain.seconds.len()),
            (2, 2, 3)
        );
        assert!(plain.seconds.iter().all(|s| *s >= 0.0));
        assert_eq!(plain.params.len(), lesson.params.len());
        assert!(!plain.answer.is_empty());
        assert!(plain.peak_rss_bytes.is_some_and(|b| b > 0));
        assert_eq!(plain.machine.slurm, None);
        assert!(plain.machine.logical_cpus >= 1);
        assert_eq!(plain.machine.timestamp.len(), "2026-01-01T00:00:00Z".len());
        assert!(plain.machine.build.rustc.starts_with("rustc "));

        let exercise_args: Vec<String> = exercise_flags(
            lesson,
            &args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        );
        let ran = run(lesson_command(&lesson.exercise_binary())
            .arg("--json")
            .args(&exercise_args)
            .env("SLURM_JOB_ID", "4242")
            .env("SLURM_CPUS_PER_TASK", "1")
            .env("SLURM_JOB_NODELIST", "node[01-02]"));
        let in_job = workbook_cli::records::parse_record(ran.stdout.trim()).expect("record");
        let slurm = in_job.machine.slurm.expect("the Slurm job is recorded");
        assert_eq!(slurm.job_id, "4242");
        assert_eq!(slurm.cpus_per_task.as_deref(), Some("1"));
        assert_eq!(slurm.node_list.as_deref(), Some("node[01-02]"));
        // Two threads in a job given one CPU: the record says so.
        assert!(
            in_job
                .warnings
                .iter()
                .any(|w| w.contains("Slurm job was given 1 CPUs")),
            "{:?}",
            in_job.warnings
        );
    }
}

#[test]
fn human_output_is_short_and_warns_about_debug_builds() {
    for lesson in LESSONS {
        let ran = run(lesson_command(&lesson.exercise_binary())
            .args(exercise_flags(lesson, &lesson.quick_flags()))
            .args(["--repeat", "1"]));
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stdout.contains("answer"), "{}", ran.stdout);
        // The summary is a short block (a lesson's own tables may follow it).
        let summary_lines = ran.stdout.lines().position(|l| l.starts_with("  machine"));
        assert!(summary_lines.is_some_and(|n| n < 8), "{}", ran.stdout);
        let debug = common::profile() == "dev";
        assert_eq!(ran.stderr.contains("DEBUG BUILD"), debug, "{}", ran.stderr);
        assert_eq!(ran.stdout.contains("DEBUG BUILD"), debug, "{}", ran.stdout);
    }
}

#[test]
fn help_lists_the_lesson_flags_and_exits_0() {
    for lesson in LESSONS {
        for (side, binary) in [
            (Side::Exercise, lesson.exercise_binary()),
            (Side::Solution, lesson.solution_binary()),
        ] {
            let ran = run(lesson_command(&binary).arg("--help"));
            assert_eq!(ran.code, 0);
            for param in lesson.params {
                let listed = ran.stdout.contains(&format!("--{} ", param.name));
                let expected = side == Side::Solution || !param.solution_only;
                assert_eq!(listed, expected, "--{}: {}", param.name, ran.stdout);
            }
            assert!(ran.stdout.contains(lesson.text));
        }
    }
}
