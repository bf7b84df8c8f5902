//! Writing files without losing any. Every file the workbook writes (data, pictures,
//! traces, records, reports) goes through here:
//!
//! - a file is written under a temporary name beside its target and renamed into place only
//!   once every byte is out, so a failure (a full disk, a killed run) leaves whatever was
//!   there before untouched, and only the temporary file, which this module made, is
//!   removed;
//! - a pipe, a terminal or a device (`/dev/stdout`, `/dev/null`, a FIFO) cannot be renamed
//!   over: it is written in place, and never removed;
//! - a symbolic link stays a link: the file it points to is replaced.
//!
//! ```no_run
//! use std::io::Write;
//! use std::path::Path;
//!
//! workbook::files::write_with(Path::new("squares.txt"), |out| {
//!     (1..=3).try_for_each(|n| writeln!(out, "{}", n * n))
//! })?;
//! # Ok::<(), workbook::files::WriteError>(())
//! ```

use std::fmt;
use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A write that failed: which file, and why.
#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl WriteError {
    /// The reader of a pipe went away (`... --out /dev/stdout | head -1`): not a fault of
    /// the program, and nothing more to say.
    pub fn is_broken_pipe(&self) -> bool {
        self.error.kind() == io::ErrorKind::BrokenPipe
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for WriteError {}

impl From<WriteError> for String {
    fn from(error: WriteError) -> String {
        error.to_string()
    }
}

/// How a path is written.
#[derive(Debug, PartialEq)]
enum Plan {
    /// In place: a pipe, a terminal, a device, or a link whose target does not exist yet.
    InPlace,
    /// A new file beside `file`, renamed over it; the old file's permissions are kept.
    Replace {
        file: PathBuf,
        permissions: Option<Permissions>,
    },
}

/// Writes the file at `path` with `write`, through a buffer. On success every byte is on
/// its way to the disk and the file has its new contents whole; on failure it still has
/// its old contents (or does not exist), and nothing else was removed.
pub fn write_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), WriteError> {
    let failed = |error| WriteError {
        path: path.to_path_buf(),
        error,
    };
    match plan(path).map_err(failed)? {
        Plan::InPlace => {
            // No truncating: `/dev/stdout` may be a file the shell opened to append to.
            let file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(failed)?;
            write_all(file, write).map_err(failed)
        }
        Plan::Replace { file, permissions } => {
            let (temporary, handle) = create_beside(&file).map_err(failed)?;
            let written = write_all(handle, write)
                .and_then(|()| match permissions {
                    Some(permissions) => std::fs::set_permissions(&temporary, permissions),
                    None => Ok(()),
                })
                .and_then(|()| std::fs::rename(&temporary, &file));
            if written.is_err() {
                // Ours alone: created a moment ago under a name nobody else uses.
                let _ = std::fs::remove_file(&temporary);
            }
            written.map_err(failed)
        }
    }
}

/// Writes `bytes` to the file at `path`, as `write_with` does.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), WriteError> {
    write_with(path, |out| out.write_all(bytes.as_ref()))
}

/// Checks, before any work starts, that a file can be written at `path`: its folder exists
/// and takes new files, and the path is not a folder. A pipe or a device is taken as it is.
/// Nothing is left behind.
pub fn check_writable(path: &Path) -> Result<(), String> {
    let cannot = |why: String| format!("cannot write {}: {why}", path.display());
    if path.as_os_str().is_empty() {
        return Err("an empty path names no file".to_string());
    }
    match plan(path).map_err(|e| cannot(e.to_string()))? {
        Plan::InPlace => Ok(()),
        Plan::Replace { file, .. } => {
            let (temporary, handle) = create_beside(&file).map_err(|e| cannot(e.to_string()))?;
            drop(handle);
            let _ = std::fs::remove_file(&temporary);
            Ok(())
        }
    }
}

/// Creates a new folder `name` in `parent` (made if missing). If `name` is taken, tries
/// `name-2`, `name-3`, ...: two runs never share a folder, and no folder is reused.
pub fn create_unique_dir(parent: &Path, name: &str) -> Result<PathBuf, String> {
    claim_unique(
        parent,
        |n| numbered(name, "", n),
        |path| std::fs::create_dir(path),
    )
}

/// Creates a new empty file `<stem>.<extension>` in `parent` (made if missing), or
/// `<stem>-2.<extension>`, ... if that is taken; returns its path, to write with `write`.
pub fn create_unique_file(parent: &Path, stem: &str, extension: &str) -> Result<PathBuf, String> {
    let extension = format!(".{extension}");
    claim_unique(
        parent,
        |n| numbered(stem, &extension, n),
        |path| {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map(drop)
        },
    )
}

/// "name", then "name-2", "name-3", ..., each followed by `suffix`.
fn numbered(name: &str, suffix: &str, attempt: u32) -> String {
    match attempt {
        1 => format!("{name}{suffix}"),
        n => format!("{name}-{n}{suffix}"),
    }
}

/// Makes the first of the names `name(1)`, `name(2)`, ... in `parent` that `create` finds
/// free: creating is the test, so two programs never claim the same one.
fn claim_unique(
    parent: &Path,
    name: impl Fn(u32) -> String,
    create: impl Fn(&Path) -> io::Result<()>,
) -> Result<PathBuf, String> {
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    for attempt in 1u32..10_000 {
        let path = parent.join(name(attempt));
        match create(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
        }
    }
    Err(format!(
        "no free name for {} in {}",
        name(1),
        parent.display()
    ))
}

fn write_all(
    file: File,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, file);
    write(&mut out)?;
    // The last bytes leave the buffer here: a full disk often shows only now.
    out.into_inner().map_err(io::IntoInnerError::into_error)?;
    Ok(())
}

fn plan(path: &Path) -> io::Result<Plan> {
    let mut file = path.to_path_buf();
    // Follow a chain of links to the file itself, so that the link stays a link.
    for _ in 0..40 {
        if is_special(&file) {
            return Ok(Plan::InPlace);
        }
        match std::fs::symlink_metadata(&file) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&file)?;
                file = match file.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            Ok(meta) if meta.is_dir() => {
                return Err(io::Error::other("it is a folder, not a file"));
            }
            Ok(meta) if meta.is_file() => {
                return Ok(Plan::Replace {
                    file,
                    permissions: Some(meta.permissions()),
                });
            }
            // A pipe, a socket, a device.
            Ok(_) => return Ok(Plan::InPlace),
            // A link to a file still to be made: writing through the link makes it.
            Err(e) if e.kind() == io::ErrorKind::NotFound && file != path => {
                return Ok(Plan::InPlace);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Plan::Replace {
                    file,
                    permissions: None,
                });
            }
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Paths the kernel makes up (`/dev/stdout` is a link to `/proc/self/fd/1`, which names an
/// open file, not a place in a folder): written in place, whatever they lead to.
fn is_special(path: &Path) -> bool {
    path.starts_with("/dev") || path.starts_with("/proc")
}

/// A new file in `file`'s folder, under a name no one else uses.
fn create_beside(file: &Path) -> io::Result<(PathBuf, File)> {
    let folder = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = file
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy());
    for attempt in 0u32..10_000 {
        let temporary = folder.join(format!(".{name}.{}-{attempt}.part", std::process::id()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(handle) => return Ok((temporary, handle)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("no free temporary name beside it"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "workbook-files-{}-{label}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir(&dir).expect("a fresh scratch folder");
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("readable")
            .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = scratch("failed");
        let path = dir.join("data.csv");
        std::fs::write(&path, "old\n").unwrap();
        let error = write_with(&path, |out| {
            out.write_all(b"new, half written")?;
            Err(io::Error::other("the disk is full"))
        })
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("cannot write {}: the disk is full", path.display())
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        assert_eq!(names(&dir), ["data.csv"]);
        write(&path, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(names(&dir), ["data.csv"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_first_write_leaves_nothing() {
        let dir = scratch("nothing");
        let path = dir.join("new.png");
        assert!(write_with(&path, |_| Err(io::Error::other("no"))).is_err());
        assert!(names(&dir).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn links_stay_links_and_permissions_stay() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("links");
        let real = dir.join("real.txt");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, Permissions::from_mode(0o640)).unwrap();
        let link = dir.join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        write(&link, "new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn devices_are_written_in_place_and_kept() {
        write(Path::new("/dev/null"), "gone").unwrap();
        let full = Path::new("/dev/full");
        if full.exists() {
            let error = write(full, vec![7u8; 4 << 20]).unwrap_err();
            assert_eq!(error.error.raw_os_error(), Some(28), "{error}");
            assert!(full.exists(), "/dev/full must survive a failed write");
        }
    }

    #[test]
    fn folders_are_refused_and_missing_folders_named() {
        let dir = scratch("refused");
        assert!(check_writable(&dir).unwrap_err().contains("is a folder"));
        let missing = dir.join("no/such/file.txt");
        let message = check_writable(&missing).unwrap_err();
        assert!(message.starts_with(&format!("cannot write {}", missing.display())));
        check_writable(&dir.join("fine.txt")).unwrap();
        assert!(names(&dir).is_empty(), "the check leaves nothing behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unique_folders_never_collide() {
        let dir = scratch("unique");
        let first = create_unique_dir(&dir, "sweep").unwrap();
        let second = create_unique_dir(&dir, "sweep").unwrap();
        assert_ne!(first, second);
        assert_eq!(names(&dir), ["sweep", "sweep-2"]);
        let script = create_unique_file(&dir, "job", "sbatch").unwrap();
        let again = create_unique_file(&dir, "job", "sbatch").unwrap();
        assert_eq!(
            (script.file_name(), again.file_name()),
            (Some("job.sbatch".as_ref()), Some("job-2.sbatch".as_ref()))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
