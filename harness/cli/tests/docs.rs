//! The README and the lesson texts must not drift from the code: the lesson table is the
//! registry's, and every binary, command, flag and path they name must exist.

mod common;

use std::path::{Path, PathBuf};

use common::{run, workbook};
use workbook::registry::Lesson;
use workbook::{LESSONS, lesson};
use workbook_cli::binaries::workspace_root;
use workbook_cli::list::markdown_table;

const HARNESS_FLAGS: [&str; 6] = ["threads", "repeat", "warmup", "json", "help", "variant"];
const COMMANDS: [&str; 11] = [
    "list", "compare", "sweep", "check", "data", "build", "slurm", "report", "doctor", "machine",
    "book",
];
/// Binaries that are not lessons: the SWMR lesson's simulated detector.
const TOOLS: [&str; 2] = ["swmr-writer", "ping-pong"];

fn documents() -> Vec<PathBuf> {
    let root = workspace_root();
    let mut files = vec![root.join("README.md")];
    let lessons = std::fs::read_dir(root.join("lessons")).expect("lessons/");
    files.extend(
        lessons
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md")),
    );
    files.sort();
    files
}

/// The text with `\`-continued lines joined, line by line; the lines of fenced code blocks
/// are indented, as code lines.
fn logical_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("readable");
    let mut in_fence = false;
    let mut lines = Vec::new();
    for line in text.replace("\\\n", " ").lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if in_fence {
            lines.push(format!("    {line}"));
        } else {
            lines.push(line.to_string());
        }
    }
    lines
}

/// The code on a line: all of a code block's line, else each `backtick span`.
fn code_spans(line: &str) -> Vec<String> {
    if line.starts_with("    ") {
        return vec![line.to_string()];
    }
    line.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn tokens(line: &str) -> Vec<String> {
    line.split_whitespace()
        .map(|t| {
            t.trim_matches(|c: char| "`*,;:.()\"'".contains(c))
                .to_string()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn the_readme_lesson_table_is_the_registrys() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).expect("README");
    let start = readme.find("<!-- lessons:start").expect("start marker");
    let body_start = readme[start..].find('\n').expect("marker line") + start + 1;
    let end = readme.find("<!-- lessons:end -->").expect("end marker");
    assert_eq!(
        &readme[body_start..end],
        markdown_table(),
        "README's lesson table is stale: paste `cargo run --bin workbook -- list --markdown`"
    );
}

#[test]
fn every_lesson_has_its_text_and_the_text_names_its_binaries() {
    for lesson in LESSONS {
        let path = workspace_root().join(lesson.text);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} missing", lesson.text));
        for needed in [
            format!("--bin {}", lesson.exercise_binary()),
            format!("--bin {}", lesson.solution_binary()),
            format!("workbook -- check {}", lesson.name),
            format!("exercises/{}/src/main.rs", lesson.name),
        ] {
            assert!(
                text.contains(&needed),
                "{} does not mention `{needed}`",
                lesson.text
            );
        }
    }
}

#[test]
fn named_binaries_commands_and_flags_exist() {
    let mut problems = Vec::new();
    for path in documents() {
        for line in logical_lines(&path) {
            for code in code_spans(&line) {
                for problem in check_command_line(&tokens(&code)) {
                    problems.push(format!("{}: {problem} in: {}", path.display(), code.trim()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn named_paths_exist() {
    let root = workspace_root();
    let prefixes = [
        "exercises/",
        "solutions/",
        "lessons/",
        "harness/",
        "data/",
        ".ci/",
        "slurm/",
        "tools/",
    ];
    let mut problems = Vec::new();
    for path in documents() {
        for line in logical_lines(&path) {
            for token in tokens(&line) {
                let token = token.trim_end_matches(['.', ',', ':', ')']);
                // Links in markdown: [text](lessons/pi.md)
                let token = token.rsplit('(').next().unwrap_or(token);
                // A place in a file, as rustc names it: path:line:column.
                let token = without_line_and_column(token);
                if token.contains('<') || !prefixes.iter().any(|p| token.starts_with(p)) {
                    continue;
                }
                if !root.join(token).exists() {
                    problems.push(format!("{}: {token} does not exist", path.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `path` from `path:12:5` or `path:12`; anything else as it is.
fn without_line_and_column(token: &str) -> &str {
    let mut path = token;
    for _ in 0..2 {
        match path.rsplit_once(':') {
            Some((before, number))
                if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) =>
            {
                path = before;
            }
            _ => break,
        }
    }
    path
}

/// Problems with any `--bin X ...` or `workbook <command> ...` on this line.
fn check_command_line(tokens: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut at = 0;
    while at < tokens.len() {
        let token = tokens[at].as_str();
        if token == "--bin" {
            let Some(binary) = tokens.get(at + 1) else {
                break;
            };
            if binary == "workbook" {
                // cargo run ... --bin workbook -- <command> ...; cargo build has no command.
                let rest = tokens.get(at + 2..).unwrap_or_default();
                if let Some(rest) = rest.strip_prefix(&["--".to_string()][..]) {
                    problems.extend(check_workbook(rest));
                }
            } else if let Some((lesson, solution)) = lesson_of_binary(binary) {
                let rest = &tokens[at + 2..];
                let rest = rest.strip_prefix(&["--".to_string()][..]).unwrap_or(&[]);
                problems.extend(check_lesson_flags(lesson, solution, rest));
            } else if !binary.contains('<') && !TOOLS.contains(&binary.as_str()) {
                problems.push(format!("no binary named {binary}"));
            }
            at += 2;
        } else if token == "workbook"
            && tokens
                .get(at + 1)
                .is_some_and(|t| COMMANDS.contains(&t.as_str()))
        {
            problems.extend(check_workbook(&tokens[at + 1..]));
            at += 2;
        } else {
            at += 1;
        }
    }
    problems
}

fn lesson_of_binary(binary: &str) -> Option<(&'static Lesson, bool)> {
    LESSONS.iter().find_map(|lesson| {
        if binary == lesson.exercise_binary() {
            Some((*lesson, false))
        } else if binary == lesson.solution_binary() {
            Some((*lesson, true))
        } else {
            None
        }
    })
}

/// Flags that a lesson binary accepts, up to the end of the command.
fn check_lesson_flags(lesson: &Lesson, solution: bool, tokens: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for token in tokens.iter().take_while(|t| !t.starts_with('#')) {
        let Some(flag) = token.strip_prefix("--") else {
            continue;
        };
        let name = flag.split('=').next().unwrap_or(flag);
        let known = HARNESS_FLAGS.contains(&name) && (name != "variant" || solution);
        if !known && lesson.param(name).is_none() {
            problems.push(format!("{} has no flag --{name}", lesson.name));
        }
        if name == "variant" && solution {
            // The value is checked by the binary; check it here too.
            if let Some(value) = tokens.iter().skip_while(|t| *t != token).nth(1)
                && !value.contains('<')
                && lesson.variant(value).is_none()
            {
                problems.push(format!("{} has no variant {value}", lesson.name));
            }
        }
    }
    problems
}

/// `<command> [lesson] [flags] [-- lesson flags]`.
fn check_workbook(tokens: &[String]) -> Vec<String> {
    let Some(command) = tokens.first() else {
        return vec!["workbook without a command".into()];
    };
    if command.contains('<') {
        return Vec::new();
    }
    if !COMMANDS.contains(&command.as_str()) {
        return vec![format!("workbook has no command {command}")];
    }
    let mut problems = Vec::new();
    let named_lesson = tokens
        .get(1)
        .filter(|t| !t.starts_with('-') && !t.contains('<'));
    let lesson = named_lesson.and_then(|name| lesson(name));
    if command == "data" {
        // `workbook data <kind>`: a kind of data, not a lesson.
        let kinds = ["surveys", "people"];
        if let Some(kind) = named_lesson.filter(|k| !kinds.contains(&k.as_str())) {
            problems.push(format!("workbook data has no kind {kind}"));
        }
        return problems;
    }
    // `build` and `slurm` also take `all`; `report` takes folders.
    let takes_all = command == "build" || command == "slurm";
    if let (Some(name), None) = (named_lesson, lesson)
        && command != "list"
        && command != "report"
        && !(takes_all && name == "all")
    {
        problems.push(format!("no lesson named {name}"));
    }
    let help = run(workbook().args([command.as_str(), "--help"])).stdout;
    let known: Vec<&str> = help
        .split_whitespace()
        .filter_map(|word| word.strip_prefix("--"))
        .filter_map(|flag| {
            flag.split(|c: char| !(c.is_alphanumeric() || c == '-'))
                .next()
        })
        .collect();
    let (own, passed_on) = match tokens.iter().position(|t| t == "--") {
        Some(split) => (&tokens[..split], &tokens[split + 1..]),
        None => (tokens, &[][..]),
    };
    for token in own.iter().take_while(|t| !t.starts_with('#')) {
        if let Some(flag) = token.strip_prefix("--") {
            let name = flag.split('=').next().unwrap_or(flag);
            if !known.contains(&name) {
                problems.push(format!("workbook {command} has no flag --{name}"));
            }
        }
    }
    if command == "slurm" {
        // What follows `--` is for the `workbook sweep` the job runs.
        let mut sweep = vec!["sweep".to_string(), "pi".to_string()];
        sweep.extend(passed_on.iter().cloned());
        problems.extend(check_workbook(&sweep));
    } else if let Some(lesson) = lesson {
        problems.extend(check_lesson_flags(lesson, true, passed_on));
    }
    problems
}

#[test]
fn the_checker_catches_what_it_should() {
    let line = |text: &str| check_command_line(&tokens(text));
    assert!(line("cargo run --release --bin pi -- --chunks 1").is_empty());
    assert!(
        line("`cargo run --release --bin workbook -- sweep pi --variant spawn --threads 1,2`")
            .is_empty()
    );
    assert_eq!(line("cargo run --bin nosuch"), ["no binary named nosuch"]);
    assert_eq!(
        line("cargo run --release --bin pi -- --size 3"),
        ["pi has no flag --size"]
    );
    assert_eq!(
        line("cargo run --bin pi -- --variant lanes"),
        ["pi has no flag --variant"]
    );
    assert_eq!(
        line("cargo run --bin pi-solution -- --variant fast"),
        ["pi has no variant fast"]
    );
    assert_eq!(line("workbook compare pie"), ["no lesson named pie"]);
    assert_eq!(
        line("workbook sweep pi --thread 2"),
        ["workbook sweep has no flag --thread"]
    );
    assert_eq!(
        line("workbook compare pi -- --size 2"),
        ["pi has no flag --size"]
    );
    assert!(line("workbook slurm all --cpus 8 --submit -- --rounds 3").is_empty());
    assert_eq!(
        line("workbook slurm pi --cpu 8"),
        ["workbook slurm has no flag --cpu"]
    );
    assert_eq!(
        line("workbook slurm pi --cpus 8 -- --round 3"),
        ["workbook sweep has no flag --round"]
    );
    assert!(line("workbook report results/job-12 results/laptop").is_empty());
    assert_eq!(line("workbook build pie"), ["no lesson named pie"]);
}

#[test]
fn places_in_files_are_checked_as_their_files() {
    assert_eq!(
        without_line_and_column("exercises/pi/src/main.rs:19:45"),
        "exercises/pi/src/main.rs"
    );
    assert_eq!(without_line_and_column("lessons/pi.md:3"), "lessons/pi.md");
    assert_eq!(without_line_and_column("slurm/a:b"), "slurm/a:b");
}

/// Words that mark a mention of a later lesson as a look ahead, not as something done.
const LOOKING_AHEAD: [&str; 5] = ["later", "next", "come", "comes", "will"];

/// The lessons a paragraph names: "the Bags lesson", "the Pi and Bags lessons", or a link
/// to `bags.md`.
fn lessons_named(paragraph: &str) -> Vec<&'static str> {
    let words: Vec<&str> = paragraph
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    // The words just before each "lesson" or "lessons", over an "and".
    let mut before_lesson = Vec::new();
    for (at, word) in words.iter().enumerate() {
        if word.starts_with("lesson") && at > 0 {
            before_lesson.push(words[at - 1]);
            if at >= 3 && words[at - 2] == "and" {
                before_lesson.push(words[at - 3]);
            }
        }
    }
    LESSONS
        .iter()
        .filter(|lesson| {
            let text = lesson.text.trim_start_matches("lessons/");
            paragraph.contains(&format!("]({text}"))
                || before_lesson
                    .iter()
                    .any(|word| word.eq_ignore_ascii_case(lesson.name))
        })
        .map(|lesson| lesson.name)
        .collect()
}

#[test]
fn no_lesson_text_leans_on_a_later_lesson() {
    let root = workspace_root();
    let position = |name: &str| LESSONS.iter().position(|lesson| lesson.name == name);
    let mut problems = Vec::new();
    for (index, lesson) in LESSONS.iter().enumerate() {
        let text = std::fs::read_to_string(root.join(lesson.text)).expect("lesson text");
        for paragraph in text.split("\n\n") {
            let looks_ahead = paragraph
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| LOOKING_AHEAD.contains(&word));
            for named in lessons_named(paragraph) {
                if position(named).is_some_and(|later| later > index) && !looks_ahead {
                    problems.push(format!(
                        "{}: names the {named} lesson, which comes later, as if read: {}",
                        lesson.text,
                        paragraph.trim()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn mentions_of_lessons_are_found() {
    assert_eq!(
        lessons_named("as the Pi and Bags lessons do"),
        ["pi", "bags"]
    );
    assert_eq!(lessons_named("Read it after [Pi](pi.md): there"), ["pi"]);
    assert_eq!(lessons_named("see the Delayed lesson for why"), ["delayed"]);
    assert_eq!(
        lessons_named("the Dataframes\nlesson, wrapped"),
        ["dataframes"]
    );
    assert!(lessons_named("a pi chunk, and bags of records").is_empty());
}

/// The `### Challenge` sections of a lesson text: each one's text, up to the next heading of
/// its level or above.
fn challenges(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("## ") || line.starts_with("### ") {
            found.extend(current.take());
            if line.starts_with("### Challenge") {
                current = Some(String::new());
            }
        }
        if let Some(section) = &mut current {
            section.push_str(line);
            section.push('\n');
        }
    }
    found.extend(current);
    found
}

/// The variants of `lesson` (not its default) that a piece of text names as such.
fn variants_named(lesson: &Lesson, text: &str) -> Vec<&'static str> {
    lesson.variants[1..]
        .iter()
        .map(|v| v.name)
        .filter(|name| {
            text.contains(&format!("`{name}` variant"))
                || text.contains(&format!("--variant {name}"))
        })
        .collect()
}

/// Every lesson has at least two challenges after its task; each has a worked answer the
/// reader opens (`<details>`) and names the solution variant that is its answer, which the
/// harness checks like any other; no two challenges share a variant.
#[test]
fn every_lesson_has_graded_challenges_with_variants_and_worked_answers() {
    for lesson in LESSONS {
        let text = std::fs::read_to_string(workspace_root().join(lesson.text)).expect("text");
        let task = text.find("## The task").expect("a task section");
        let sections = challenges(&text);
        assert!(
            sections.len() >= 2,
            "{}: {} challenge(s), at least 2 wanted",
            lesson.text,
            sections.len()
        );
        assert!(
            text.find("### Challenge").is_some_and(|at| at > task),
            "{}: challenges come after the task",
            lesson.text
        );
        let mut used = Vec::new();
        for section in &sections {
            let title = section.lines().next().unwrap_or_default();
            assert!(
                section.contains("<details>") && section.contains("</details>"),
                "{}: {title} has no worked answer in a <details> block",
                lesson.text
            );
            let named = variants_named(lesson, section);
            assert!(
                !named.is_empty(),
                "{}: {title} names no solution variant as its answer",
                lesson.text
            );
            assert!(
                !named.iter().all(|name| used.contains(name)),
                "{}: {title} has no variant of its own",
                lesson.text
            );
            used.extend(named);
        }
    }
}

/// Every item of a lesson's Questions section has an answer in a `<details>` block.
#[test]
fn every_question_has_an_answer() {
    for lesson in LESSONS {
        let text = std::fs::read_to_string(workspace_root().join(lesson.text)).expect("text");
        assert!(
            !text.contains("**Questions.**"),
            "{}: questions as a paragraph, without answers",
            lesson.text
        );
        let Some(start) = text.find("## Questions") else {
            continue;
        };
        let section = &text[start..];
        let section = section[3..]
            .find("\n## ")
            .map_or(section, |end| &section[..end + 3]);
        let questions = section
            .lines()
            .filter(|line| {
                line.split_once(". ")
                    .is_some_and(|(number, _)| number.parse::<u32>().is_ok())
            })
            .count();
        let answers = section.matches("<details>").count();
        assert!(questions > 0, "{}: an empty Questions section", lesson.text);
        assert_eq!(
            questions, answers,
            "{}: {questions} questions, {answers} answers",
            lesson.text
        );
    }
}

#[test]
fn challenge_sections_end_at_the_next_heading() {
    let text = "## The task\nx\n### Challenge 1: a\none `dealt` variant\n### Challenge 2: b\ntwo\n## Questions\nq\n";
    let found = challenges(text);
    assert_eq!(found.len(), 2);
    assert!(found[0].contains("one") && !found[0].contains("two"));
    assert!(found[1].contains("two") && !found[1].contains('q'));
    let mandelbrot = lesson("mandelbrot").expect("registered");
    assert_eq!(variants_named(mandelbrot, &found[0]), ["dealt"]);
    assert!(variants_named(mandelbrot, "the `rows` variant").is_empty());
}
