//! The lessons as a book: its contents follow the registry, every page opens with its
//! minutes, questions and objectives and ends with its keypoints, and the instructors'
//! schedules add up the pages' own minutes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use workbook::LESSONS;
use workbook_cli::binaries::workspace_root;

fn read(page: &str) -> String {
    let path = workspace_root().join("lessons").join(page);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The pages a text links to, in order: `[title](page.md)` gives `page.md`.
fn linked_pages(text: &str) -> Vec<String> {
    text.split("](")
        .skip(1)
        .filter_map(|after| after.split(')').next())
        .filter(|target| target.ends_with(".md") && !target.contains('/'))
        .map(str::to_string)
        .collect()
}

/// The pages that teach, in reading order: the lessons on one node, compute nodes, then
/// the lessons past one node.
fn teaching_pages() -> Vec<String> {
    let page = |lesson: &&workbook::Lesson| {
        let text = Path::new(lesson.text);
        text.file_name()
            .expect("a file")
            .to_string_lossy()
            .to_string()
    };
    let one_node = LESSONS.iter().filter(|l| !l.beyond_one_node).map(page);
    let beyond = LESSONS.iter().filter(|l| l.beyond_one_node).map(page);
    one_node
        .chain(["roofline.md".to_string(), "compute-nodes.md".to_string()])
        .chain(beyond)
        .collect()
}

#[test]
fn the_books_contents_follow_the_registry() {
    let summary = read("SUMMARY.md");
    let mut expected = vec!["introduction.md".to_string()];
    expected.extend(teaching_pages());
    expected.push("instructors.md".to_string());
    assert_eq!(linked_pages(&summary), expected, "lessons/SUMMARY.md");
    // And no page of the folder is left out of the book.
    let folder = workspace_root().join("lessons");
    for entry in std::fs::read_dir(&folder).expect("lessons/").flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".md") && name != "SUMMARY.md" {
            assert!(
                expected.contains(&name),
                "lessons/{name} is not in SUMMARY.md"
            );
        }
    }
}

/// A page's teaching and exercise minutes, from its opening block.
fn minutes(page: &str) -> (u32, u32) {
    let text = read(page);
    let line = text
        .lines()
        .find(|line| line.starts_with("> **Teaching:**"))
        .unwrap_or_else(|| panic!("{page} has no '> **Teaching:** N min' line"));
    let numbers: Vec<u32> = line
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .collect();
    match numbers[..] {
        [teaching, exercises] => (teaching, exercises),
        _ => panic!("{page}: '{line}' gives no teaching and exercise minutes"),
    }
}

#[test]
fn every_page_opens_with_its_minutes_questions_and_objectives_and_ends_with_keypoints() {
    for page in teaching_pages() {
        let text = read(&page);
        let opening: Vec<&str> = text
            .lines()
            .skip(1)
            .skip_while(|line| line.is_empty())
            .take_while(|line| line.starts_with('>'))
            .collect();
        let (teaching, exercises) = minutes(&page);
        assert!(teaching > 0 && exercises > 0, "{page}");
        assert!(
            opening
                .first()
                .is_some_and(|l| l.starts_with("> **Teaching:**")),
            "{page} does not open with its minutes"
        );
        for heading in ["> **Questions**", "> **Objectives**"] {
            let at = opening.iter().position(|line| *line == heading);
            let at = at.unwrap_or_else(|| panic!("{page}: no {heading} in its opening block"));
            assert!(
                opening.get(at + 1).is_some_and(|l| l.starts_with("> - ")),
                "{page}: {heading} lists nothing"
            );
        }
        let keypoints = text.rsplit_once("\n## Keypoints\n");
        let (_, keypoints) = keypoints.unwrap_or_else(|| panic!("{page} has no keypoints"));
        assert!(
            keypoints.trim_start().starts_with("- ") && !keypoints.contains("\n#"),
            "{page}: the keypoints are a list, and the page's last section"
        );
    }
}

/// "09:15" as minutes after midnight.
fn clock(text: &str) -> u32 {
    let (hours, minutes) = text.split_once(':').expect("HH:MM");
    hours.parse::<u32>().expect("hours") * 60 + minutes.parse::<u32>().expect("minutes")
}

#[test]
fn the_schedules_add_up_the_pages_minutes() {
    let text = read("instructors.md");
    let mut schedules = 0;
    let mut taught = Vec::new();
    for section in text.split("\n### ").skip(1) {
        let name = section.lines().next().unwrap_or_default();
        let rows: Vec<Vec<&str>> = section
            .lines()
            .filter(|line| {
                line.starts_with("| ") && line.chars().nth(2).is_some_and(|c| c.is_ascii_digit())
            })
            .map(|line| line.trim_matches('|').split('|').map(str::trim).collect())
            .collect();
        assert!(rows.len() > 2, "schedule {name} has no rows");
        schedules += 1;
        for pair in rows.windows(2) {
            let (row, next) = (&pair[0], &pair[1]);
            let length: u32 = row[2].parse().unwrap_or_else(|_| panic!("{name}: {row:?}"));
            assert_eq!(
                clock(row[0]) + length,
                clock(next[0]),
                "{name}: '{}' at {} for {length} min ends when '{}' starts",
                row[1],
                row[0],
                next[1]
            );
            if let Some(page) = linked_pages(row[1]).first() {
                let (teaching, exercises) = minutes(page);
                assert_eq!(length, teaching + exercises, "{name}: {page}");
                let split = format!("{teaching} + {exercises}");
                assert!(row[1].ends_with(&split), "{name}: {page} is '{split}'");
                if name.starts_with("Two days") {
                    taught.push(page.clone());
                }
            }
        }
        let last = rows.last().expect("rows");
        assert!(
            last[1] == "End" && last[2].is_empty(),
            "{name} ends with an End row"
        );
    }
    assert_eq!(schedules, 3, "one day, and two days");
    // The two days teach every page, once each, in reading order.
    assert_eq!(taught, teaching_pages());
}

/// Builds the book with mdBook into a new temporary folder; returns it and its pages.
fn build_book(label: &str) -> (PathBuf, Vec<PathBuf>) {
    let id = std::process::id();
    let out = std::env::temp_dir().join(format!("workbook-test-book-{label}-{id}"));
    let _ = std::fs::remove_dir_all(&out);
    let built = Command::new("mdbook")
        .arg("build")
        .arg(workspace_root().join("lessons"))
        .arg("--dest-dir")
        .arg(&out)
        .output()
        .expect("mdbook runs (install it with `cargo install mdbook --locked`)");
    let log = String::from_utf8_lossy(&built.stderr);
    assert!(
        built.status.success() && !log.contains("WARN") && !log.contains("ERROR"),
        "{log}"
    );
    let pages: Vec<PathBuf> = std::fs::read_dir(&out)
        .expect("the built book")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "html"))
        .collect();
    assert!(pages.len() > 10, "{pages:?}");
    (out, pages)
}

/// Every page of the built book loads in a real browser (Debian's chromium, headless) with
/// its content and without a JavaScript error.
#[test]
#[ignore = "needs mdBook and chromium: .ci/run installs both and runs this with --ignored"]
fn every_page_loads_in_a_headless_browser_without_a_script_error() {
    let (out, pages) = build_book("browser");
    let mut problems = Vec::new();
    for page in &pages {
        let name = page
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .to_string();
        if name == "toc.html" {
            // The sidebar's frame, not a page.
            continue;
        }
        let mut chromium = Command::new("chromium");
        chromium
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
            ])
            .args(["--v=0", "--virtual-time-budget=3000", "--dump-dom"])
            .arg(format!("file://{}", page.display()));
        let ran = workbook_cli::children::output(&mut chromium, Some(Duration::from_secs(60)))
            .expect("chromium runs (apt-get install chromium)");
        let Some(ran) = ran else {
            problems.push(format!("{name}: still loading after 60 s"));
            continue;
        };
        let dom = String::from_utf8_lossy(&ran.stdout);
        let log = String::from_utf8_lossy(&ran.stderr);
        if !ran.status.success() || !dom.contains("<main>") {
            problems.push(format!("{name}: no page ({:?})", ran.status.code()));
        }
        let script_errors = log.lines().filter(|line| {
            line.contains(":CONSOLE") && (line.contains("Uncaught") || line.contains("Error"))
        });
        problems.extend(script_errors.map(|line| format!("{name}: {line}")));
    }
    let _ = std::fs::remove_dir_all(&out);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The values of an HTML attribute (`href`, `src`) in a page.
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let marker = format!(" {name}=\"");
    html.split(marker.as_str())
        .skip(1)
        .filter_map(|after| after.split('"').next())
        .collect()
}

/// Every local link, anchor and image of the built book resolves. The test needs mdBook:
/// it is ignored unless asked for (`cargo test -- --ignored`), and .ci/run installs it.
#[test]
#[ignore = "needs mdBook (cargo install mdbook --locked): .ci/run installs it and runs this with --ignored"]
fn the_built_books_links_anchors_and_images_resolve() {
    let (out, pages) = build_book("links");
    let mut problems = Vec::new();
    for page in &pages {
        let html = std::fs::read_to_string(page).expect("a page");
        let name = page
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .to_string();
        let links = attribute_values(&html, "href")
            .into_iter()
            .map(|l| (l, "link"));
        let images = attribute_values(&html, "src")
            .into_iter()
            .map(|s| (s, "image"));
        for (target, kind) in links.chain(images) {
            if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
            // The 404 page links from the site's root: "/" is the book's first page.
            let file = match file.trim_start_matches('/') {
                "" if file == "/" => "index.html",
                "" => name.as_str(),
                file => file,
            };
            let path = out.join(file);
            if !path.is_file() {
                problems.push(format!("{name}: {kind} {target}: no {file}"));
                continue;
            }
            if !anchor.is_empty() && file.ends_with(".html") {
                let target_html = std::fs::read_to_string(&path).expect("a page");
                if !target_html.contains(&format!("id=\"{anchor}\"")) {
                    problems.push(format!("{name}: {kind} {target}: no #{anchor} in {file}"));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
