//! The code a lesson shows is the code that compiles: every Rust block of the book is
//! included from an exercise's or a solution's source with `{{#include path:anchor}}`, and
//! every include finds its file and its anchor (mdBook leaves a missing anchor out without a
//! word). Rust that is not a source file's, such as an edit that rustc refuses, is marked
//! `rust,fragment`; what rustc prints is a `text` block.

use std::path::{Path, PathBuf};

use workbook_cli::binaries::workspace_root;

/// A fenced block: where it starts, its info string and its lines.
struct Block {
    line: usize,
    info: String,
    body: Vec<String>,
}

fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("lessons"))
        .expect("lessons/")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages
}

fn name(page: &Path) -> String {
    page.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The fenced blocks of a page, and the lines (1-based) of indented code blocks, which have
/// no info string to say what they hold.
fn blocks(text: &str) -> (Vec<Block>, Vec<usize>) {
    let mut fenced = Vec::new();
    let mut indented = Vec::new();
    let mut open: Option<Block> = None;
    let mut previous_blank = true;
    let mut in_list = false;
    for (index, line) in text.lines().enumerate() {
        if let Some(block) = &mut open {
            if line.trim_start().starts_with("```") {
                fenced.extend(open.take());
            } else {
                block.body.push(line.to_string());
            }
            continue;
        }
        if let Some(info) = line.trim_start().strip_prefix("```") {
            open = Some(Block {
                line: index + 1,
                info: info.trim().to_string(),
                body: Vec::new(),
            });
            continue;
        }
        let item = line.trim_start();
        if item.starts_with("- ")
            || item.starts_with("* ")
            || item
                .split_once(". ")
                .is_some_and(|(n, _)| n.parse::<u32>().is_ok())
        {
            in_list = true;
        } else if previous_blank && !line.starts_with(' ') && !line.trim().is_empty() {
            in_list = false;
        }
        if previous_blank && !in_list && line.starts_with("    ") && !line.trim().is_empty() {
            indented.push(index + 1);
        }
        previous_blank = line.trim().is_empty();
    }
    (fenced, indented)
}

/// `path` and `anchor` of `{{#include path:anchor}}`, if the line is one.
fn include(line: &str) -> Option<(&str, Option<&str>)> {
    let inner = line
        .trim()
        .strip_prefix("{{#include ")?
        .strip_suffix("}}")?;
    Some(match inner.split_once(':') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (inner, None),
    })
}

/// Why an included part of a source file cannot be found, if it cannot.
fn include_problem(page: &Path, path: &str, anchor: Option<&str>) -> Option<String> {
    let file = page.parent().unwrap_or(Path::new(".")).join(path);
    let Ok(source) = std::fs::read_to_string(&file) else {
        return Some(format!("{path} does not exist"));
    };
    let root = workspace_root();
    let compiled = file.canonicalize().is_ok_and(|file| {
        ["exercises", "solutions", "harness"]
            .iter()
            .any(|folder| file.starts_with(root.join(folder)))
    }) && path.ends_with(".rs");
    if !compiled {
        return Some(format!(
            "{path} is not a source file of the workbook's packages"
        ));
    }
    let anchor = anchor?;
    let has = |marker: String| source.lines().any(|l| l.trim() == marker);
    if !has(format!("// ANCHOR: {anchor}")) || !has(format!("// ANCHOR_END: {anchor}")) {
        return Some(format!(
            "{path} has no `// ANCHOR: {anchor}` ... `// ANCHOR_END: {anchor}`"
        ));
    }
    None
}

/// Lines that only Rust code has: a statement or an item, not a shell command or output.
fn looks_like_rust(line: &str) -> bool {
    let line = line.trim();
    ["let ", "fn ", "pub fn ", "use ", "impl ", "struct "]
        .iter()
        .any(|start| line.starts_with(start))
        || line.contains(".par_iter()")
        || line.contains(".into_par_iter()") && line.ends_with([';', ')', '{'])
}

/// What rustc prints: an error or warning with its place and its source lines.
fn is_compiler_output(body: &[String]) -> bool {
    body.iter()
        .any(|l| l.starts_with("error[") || l.starts_with("warning:"))
}

fn problems_of(page: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(page).expect("readable page");
    let (fenced, indented) = blocks(&text);
    let mut problems: Vec<String> = indented
        .iter()
        .map(|line| {
            format!(
                "{}:{line}: an indented code block; fence it and say what it holds \
                 (```sh, ```text, ```rust with an include)",
                name(page)
            )
        })
        .collect();
    for block in &fenced {
        let at = format!("{}:{}", name(page), block.line);
        let language = block.info.split(',').next().unwrap_or_default();
        let fragment = block.info.split(',').any(|word| word == "fragment");
        let includes: Vec<_> = block.body.iter().filter_map(|l| include(l)).collect();
        for (path, anchor) in &includes {
            problems.extend(
                include_problem(page, path, *anchor).map(|problem| format!("{at}: {problem}")),
            );
        }
        if block.info.is_empty() {
            problems.push(format!("{at}: a code block without a language"));
        } else if language == "rust" && !fragment {
            let by_hand = block
                .body
                .iter()
                .any(|l| !l.trim().is_empty() && include(l).is_none());
            if by_hand || includes.is_empty() {
                problems.push(format!(
                    "{at}: Rust written by hand; include it from its source \
                     ({{{{#include ../solutions/...rs:anchor}}}}) or mark it rust,fragment"
                ));
            }
        } else if language != "rust"
            && !is_compiler_output(&block.body)
            && block.body.iter().any(|l| looks_like_rust(l))
        {
            problems.push(format!(
                "{at}: Rust in a {language} block; include it from its source or mark it \
                 rust,fragment"
            ));
        }
    }
    problems
}

#[test]
fn every_rust_block_is_included_from_a_source_file_that_has_its_anchor() {
    let pages = pages();
    let problems: Vec<String> = pages.iter().flat_map(|page| problems_of(page)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let included = pages
        .iter()
        .map(|page| std::fs::read_to_string(page).expect("page"))
        .filter(|text| text.contains("{{#include ../"))
        .count();
    assert!(included >= 3, "only {included} pages include code");
}

/// The checks catch what they are for, on pages written here.
#[test]
fn hand_written_rust_and_lost_anchors_are_caught() {
    let folder = std::env::temp_dir().join(format!("book-code-{}", std::process::id()));
    let lessons = folder.join("lessons");
    std::fs::create_dir_all(&lessons).expect("temporary folder");
    // The include paths are relative to the page: point them into the real workspace.
    let root = workspace_root();
    let page = lessons.join("page.md");
    let spawn = root.join("solutions/pi/src/spawn.rs");
    let cases = [
        ("```rust\nlet x = 1;\n```\n", "Rust written by hand"),
        ("```rust,fragment\nlet x = 1;\n```\n", ""),
        (
            "```text\nlet counts = vec![0u64; 90];\n```\n",
            "Rust in a text block",
        ),
        (
            "```text\nerror[E0596]: cannot borrow\n17 |     let mut counts = vec![];\n```\n",
            "",
        ),
        ("Text.\n\n    cargo run\n", "an indented code block"),
        ("- a list\n\n    more of the item\n", ""),
        ("```\nplain\n```\n", "without a language"),
    ];
    for (text, expected) in cases {
        std::fs::write(&page, text).expect("page written");
        let problems = problems_of(&page).join("\n");
        if expected.is_empty() {
            assert!(problems.is_empty(), "{text:?}: {problems}");
        } else {
            assert!(problems.contains(expected), "{text:?}: {problems}");
        }
    }
    let relative = pathdiff(&lessons, &spawn);
    for (path, anchor, expected) in [
        (relative.as_str(), "spawn", ""),
        (relative.as_str(), "nosuch", "has no `// ANCHOR: nosuch`"),
        ("../nosuch.rs", "spawn", "does not exist"),
        ("page.md", "spawn", "not a source file"),
    ] {
        std::fs::write(
            &page,
            format!("```rust\n{{{{#include {path}:{anchor}}}}}\n```\n"),
        )
        .expect("page written");
        let problems = problems_of(&page).join("\n");
        if expected.is_empty() {
            assert!(problems.is_empty(), "{path}:{anchor}: {problems}");
        } else {
            assert!(problems.contains(expected), "{path}:{anchor}: {problems}");
        }
    }
    let _ = std::fs::remove_dir_all(&folder);
}

/// `to` relative to the folder `from`, as `../..`-steps up to the root and down again.
fn pathdiff(from: &Path, to: &Path) -> String {
    let ups = from.components().count().saturating_sub(1);
    format!(
        "{}{}",
        "../".repeat(ups),
        to.display().to_string().trim_start_matches('/')
    )
}
