//! `workbook data`: the shipped files are exactly what the generators write, the same seed
//! and size give the same bytes, and bad requests are one line.

mod common;

use common::{assert_usage_error, run, workbook};
use workbook_cli::binaries::workspace_root;

#[test]
fn the_shipped_files_are_what_the_generators_write() {
    let mut surveys = Vec::new();
    dataframes_kit::write_surveys(&mut surveys, 35_549, 1977, false).expect("generate");
    let shipped =
        std::fs::read(workspace_root().join("data/surveys.csv")).expect("data/surveys.csv");
    assert!(
        shipped == surveys,
        "data/surveys.csv differs: regenerate it with `workbook data surveys --out data/surveys.csv`"
    );

    let mut people = Vec::new();
    bags_kit::write_people(&mut people, 10_000, 2024).expect("generate");
    let shipped =
        std::fs::read(workspace_root().join("data/people.jsonl")).expect("data/people.jsonl");
    assert!(
        shipped == people,
        "data/people.jsonl differs: regenerate it with `workbook data people --out data/people.jsonl`"
    );
}

#[test]
fn the_command_writes_the_same_bytes_for_the_same_seed() {
    let dir = common::scratch_dir("data-command");
    let write = |name: &str, args: &[&str]| {
        let out = dir.join(name);
        let ran = run(workbook().args(["data"]).args(args).arg("--out").arg(&out));
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stderr.contains("wrote"), "{}", ran.stderr);
        std::fs::read(out).expect("written")
    };
    let a = write("a.csv", &["surveys", "--rows", "1000", "--seed", "3"]);
    let b = write("b.csv", &["surveys", "--rows", "1000", "--seed", "3"]);
    let crlf = write(
        "c.csv",
        &["surveys", "--rows", "1000", "--seed", "3", "--crlf"],
    );
    assert!(a == b);
    assert_eq!(
        String::from_utf8_lossy(&a).replace('\n', "\r\n"),
        String::from_utf8_lossy(&crlf)
    );
    let people = write("p.jsonl", &["people", "--rows", "50"]);
    assert_eq!(people.iter().filter(|&&b| b == b'\n').count(), 50);
}

#[test]
fn bad_requests_are_one_line() {
    assert_usage_error(
        &run(workbook().args(["data", "mice"])),
        "invalid value 'mice'",
    );
    assert_usage_error(
        &run(workbook().args(["data", "surveys", "--rows", "-3"])),
        "unexpected argument '-3'",
    );
    assert_usage_error(
        &run(workbook().args(["data", "people", "--crlf"])),
        "--crlf applies to surveys only",
    );
    let ran = run(workbook().args(["data", "people", "--out", "/no/such/folder/p.jsonl"]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("cannot write /no/such/folder/p.jsonl"),
        "{}",
        ran.stderr
    );
}

/// A link in the test's own folder to a device or the program's stdout: the link must
/// survive whatever happens to the write (it used to be removed on a failed write).
fn link_to(dir: &std::path::Path, name: &str, target: &str) -> std::path::PathBuf {
    let link = dir.join(name);
    std::os::unix::fs::symlink(target, &link).expect("a link in the scratch folder");
    link
}

fn is_link(path: &std::path::Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[test]
fn a_full_disk_is_one_line_and_removes_nothing() {
    let dir = common::scratch_dir("data-full");
    let full = link_to(&dir, "full.csv", "/dev/full");
    let ran = run(workbook()
        .args(["data", "surveys", "--rows", "10", "--out"])
        .arg(&full));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("No space left on device"),
        "{}",
        ran.stderr
    );
    assert!(is_link(&full), "the link to /dev/full was removed");
}

#[test]
fn pipes_and_stdout_are_written_in_place_and_kept() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;
    let dir = common::scratch_dir("data-pipes");

    // A link to /dev/stdout, read by a reader that stops after one line.
    let stdout = link_to(&dir, "stdout.jsonl", "/dev/stdout");
    let mut child = workbook()
        .args(["data", "people", "--rows", "200000", "--out"])
        .arg(&stdout)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut first)
        .expect("a line");
    // The reader goes away, as `| head -1` does.
    let status = child.wait().expect("ends");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert!(first.starts_with("{\"id\":"), "{first}");
    assert!(status.success(), "a closed pipe is not a failure: {stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(is_link(&stdout), "the link to /dev/stdout was removed");

    // A named pipe: the data arrives whole, and the pipe is still there afterwards.
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let mut writer = workbook()
        .args(["data", "surveys", "--rows", "300", "--seed", "4", "--out"])
        .arg(&fifo)
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let mut received = Vec::new();
    std::fs::File::open(&fifo)
        .and_then(|mut f| f.read_to_end(&mut received))
        .expect("read the pipe");
    assert!(writer.wait().expect("ends").success());
    let mut expected = Vec::new();
    dataframes_kit::write_surveys(&mut expected, 300, 4, false).expect("generate");
    assert!(received == expected, "the pipe carried other bytes");
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&kind));
}
