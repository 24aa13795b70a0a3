//! File input and output that cannot hang, exhaust memory or lose data: bounded reads of
//! regular files only, atomic writes, a check that a file did not change since it was read,
//! and an advisory lock for read-modify-write cycles.
//!
//! Every file flexmap reads on its own initiative (rule files, `flexmap.toml`,
//! `flexmap.lock`) goes through [`read_regular_bounded`]; every file it rewrites
//! (`flexmap.lock`, `--fix`, `docs --output`) goes through [`write_atomic`].

use std::fmt;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;
use sha2::{Digest, Sha256};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};

/// The most a rule file, `flexmap.toml` or `flexmap.lock` may hold (the YAML loader's own
/// limit, `rules_file::yaml::MAX_FILE_BYTES`).
pub const MAX_PROJECT_FILE_BYTES: u64 = crate::rules_file::yaml::MAX_FILE_BYTES as u64;

/// Why a file could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// There is no file at the path (or a link points nowhere).
    NotFound,
    /// The path is a FIFO, a device, a socket or a folder: `kind` says which. Never opened.
    NotRegular {
        /// "a folder", "a FIFO", "a character device", …
        kind: &'static str,
    },
    /// The file holds more than the limit (`size` is at least `limit + 1`).
    TooLarge {
        /// Bytes seen (the size from the metadata, or what reading found).
        size: u64,
        /// The limit that was passed.
        limit: u64,
    },
    /// Any other I/O error (permissions, a vanished file, …).
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file"),
            ReadError::NotRegular { kind } => write!(f, "not a regular file ({kind})"),
            ReadError::TooLarge { size, limit } => write!(
                f,
                "the file is {}{size} bytes; the limit is {limit} bytes",
                if *size > *limit + 1 { "" } else { "over " }
            ),
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl ReadError {
    /// The finding for this error on the file at `path`: FM901 when the file is too large,
    /// FM902 otherwise. The message names the path; `help` says what to do.
    #[must_use]
    pub fn diagnostic(&self, path: &Path, help: &str) -> Diagnostic {
        let shown = shown_path(path);
        let source = SourceFile::new(shown.clone(), "");
        let code = match self {
            ReadError::TooLarge { .. } => Code::LimitExceeded,
            _ => Code::Io,
        };
        let help = match self {
            ReadError::NotRegular { .. } => {
                "point the path at a regular file (FIFOs, devices and sockets are never read)"
            }
            ReadError::TooLarge { .. } => "split the file, or check that it is the file you meant",
            _ => help,
        };
        Diagnostic::new(code, format!("cannot read {shown}: {self}"), Span::at(0))
            .with_help(help)
            .in_source(&source)
    }

    /// True when the file does not exist.
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::NotFound)
    }
}

impl From<std::io::Error> for ReadError {
    fn from(error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::NotFound {
            ReadError::NotFound
        } else {
            ReadError::Io(error)
        }
    }
}

/// What a file held when it was read: its length and a SHA-256 of its bytes. Compare it
/// with [`Stamp::of_file`] before a write to refuse overwriting someone else's change.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Stamp {
    len: u64,
    hash: [u8; 32],
}

impl Stamp {
    /// The stamp of `bytes`.
    #[must_use]
    pub fn of(bytes: &[u8]) -> Stamp {
        Stamp {
            len: bytes.len() as u64,
            hash: Sha256::digest(bytes).into(),
        }
    }

    /// The stamp of the file at `path` now, `None` when there is no file.
    ///
    /// # Errors
    /// The file exists but cannot be read (see [`read_regular_bounded`]).
    pub fn of_file(path: &Path, max_bytes: u64) -> Result<Option<Stamp>, ReadError> {
        match read_regular_bounded(path, max_bytes) {
            Ok(bytes) => Ok(Some(Stamp::of(&bytes))),
            Err(ReadError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Reads the regular file at `path` (links followed), refusing anything else without
/// blocking on it, and refusing more than `max_bytes`: the size is checked from the
/// metadata first and enforced again while reading (a file that grows is cut off at
/// `max_bytes + 1` bytes and refused).
///
/// # Errors
/// [`ReadError::NotFound`], [`ReadError::NotRegular`] (FIFO, device, socket, folder),
/// [`ReadError::TooLarge`], or [`ReadError::Io`].
pub fn read_regular_bounded(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    // `metadata` follows links: a link to /dev/zero is a character device here.
    let metadata = std::fs::metadata(path)?;
    check_regular(&metadata)?;
    check_size(metadata.len(), max_bytes)?;
    let file = open_nonblocking(path)?;
    // The path may have been replaced between the two calls: check what was opened.
    let opened = file.metadata()?;
    check_regular(&opened)?;
    check_size(opened.len(), max_bytes)?;
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    check_size(bytes.len() as u64, max_bytes)?;
    Ok(bytes)
}

/// [`read_regular_bounded`], and the [`Stamp`] of what was read.
///
/// # Errors
/// As [`read_regular_bounded`].
pub fn read_stamped(path: &Path, max_bytes: u64) -> Result<(Vec<u8>, Stamp), ReadError> {
    let bytes = read_regular_bounded(path, max_bytes)?;
    let stamp = Stamp::of(&bytes);
    Ok((bytes, stamp))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed to
/// disk, then renamed over `path`. A reader sees the old content or the new, never a
/// truncated file; a crash leaves the old file in place. The new file keeps the old
/// file's permissions when there was one.
///
/// # Errors
/// The folder is not writable, the disk is full, or the rename fails; the temporary file
/// is removed and `path` is left as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = parent_folder(path);
    let mut temporary = tempfile::Builder::new()
        .prefix(".flexmap-")
        .suffix(".tmp")
        .tempfile_in(&folder)?;
    temporary.write_all(bytes)?;
    if let Ok(existing) = std::fs::metadata(path) {
        temporary
            .as_file()
            .set_permissions(existing.permissions())?;
    } else {
        set_default_permissions(temporary.as_file())?;
    }
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable where the platform allows syncing a folder.
    if let Ok(dir) = File::open(&folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Why [`write_if_unchanged`] did not write.
#[derive(Debug)]
#[non_exhaustive]
pub enum WriteError {
    /// The file changed (or appeared, or vanished) since it was read.
    Changed,
    /// The file could not be read back to compare.
    Read(ReadError),
    /// The write failed.
    Io(std::io::Error),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Changed => f.write_str("the file changed on disk since it was read"),
            WriteError::Read(e) => write!(f, "{e}"),
            WriteError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for WriteError {}

/// Writes `bytes` to `path` atomically, but only when the file still holds what was read:
/// `expected` is the [`Stamp`] taken then (`None` when there was no file).
///
/// # Errors
/// [`WriteError::Changed`] when the file differs from `expected`; otherwise as
/// [`write_atomic`].
pub fn write_if_unchanged(
    path: &Path,
    bytes: &[u8],
    expected: Option<&Stamp>,
    max_bytes: u64,
) -> Result<(), WriteError> {
    let now = Stamp::of_file(path, max_bytes).map_err(WriteError::Read)?;
    if now.as_ref() != expected {
        return Err(WriteError::Changed);
    }
    write_atomic(path, bytes).map_err(WriteError::Io)
}

/// An advisory lock on a folder, held until dropped. Cooperating flexmap processes take it
/// around read-plan-write of `flexmap.lock`, so concurrent runs serialise; it does not stop
/// other programs.
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    path: PathBuf,
}

impl FolderLock {
    /// Blocks until this process holds the exclusive lock of `folder`.
    ///
    /// # Errors
    /// The folder cannot be opened, or the platform refuses the lock.
    pub fn exclusive(folder: &Path) -> std::io::Result<FolderLock> {
        let file = File::open(folder)?;
        FileExt::lock_exclusive(&file)?;
        Ok(FolderLock {
            file,
            path: folder.to_path_buf(),
        })
    }

    /// The folder that is locked.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = FileExt::unlock(&self.file);
    }
}

/// FM902 for a file that cannot be read, naming it, with `message` saying why.
#[must_use]
pub fn io_diagnostic(path: &Path, message: &str) -> Diagnostic {
    let source = SourceFile::new(path.display().to_string(), "");
    Diagnostic::new(
        Code::Io,
        format!("cannot read {}: {message}", path.display()),
        Span::at(0),
    )
    .with_help("check the path and its permissions")
    .in_source(&source)
}

/// What to call a file that is not regular.
fn check_regular(metadata: &Metadata) -> Result<(), ReadError> {
    let file_type = metadata.file_type();
    if file_type.is_file() {
        return Ok(());
    }
    Err(ReadError::NotRegular {
        kind: kind_of(file_type),
    })
}

fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

fn check_size(size: u64, limit: u64) -> Result<(), ReadError> {
    if size > limit {
        Err(ReadError::TooLarge { size, limit })
    } else {
        Ok(())
    }
}

/// Opens for reading without blocking on a FIFO that was swapped in after the check.
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

#[cfg(unix)]
fn set_default_permissions(file: &File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // tempfile creates 0600; a new project file should be readable like any other (0644
    // before the umask, which we cannot read portably: use the common 0644).
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_default_permissions(_file: &File) -> std::io::Result<()> {
    Ok(())
}

fn parent_folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn shown_path(path: &Path) -> String {
    let shown = path.display().to_string();
    shown.strip_prefix("./").unwrap_or(&shown).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_within_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "flexmap: 1\n").expect("write");
        assert_eq!(
            read_regular_bounded(&path, 100).expect("read"),
            b"flexmap: 1\n"
        );
        assert!(matches!(
            read_regular_bounded(&path, 5),
            Err(ReadError::TooLarge { size: 11, limit: 5 })
        ));
        assert!(
            read_regular_bounded(&dir.path().join("missing"), 5).is_err_and(|e| e.is_not_found())
        );
    }

    #[test]
    fn refuses_folders_and_devices_without_reading() {
        let dir = tempfile::tempdir().expect("tempdir");
        let error = read_regular_bounded(dir.path(), 100).expect_err("folder");
        assert_eq!(error.to_string(), "not a regular file (a folder)");
        #[cfg(unix)]
        {
            let link = dir.path().join("zero.yaml");
            std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
            let error = read_regular_bounded(&link, 100).expect_err("device");
            assert_eq!(error.to_string(), "not a regular file (a character device)");
            let d = error.diagnostic(&link, "unused");
            assert_eq!(d.code, Code::Io);
            assert!(d.message.contains("zero.yaml"), "{}", d.message);
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_fifo_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("rules.yaml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(status.success());
        let error = read_regular_bounded(&fifo, 100).expect_err("fifo");
        assert_eq!(error.to_string(), "not a regular file (a FIFO)");
    }

    #[test]
    fn atomic_writes_replace_and_keep_permissions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("flexmap.lock");
        write_atomic(&path, b"one\n").expect("first write");
        write_atomic(&path, b"two\n").expect("second write");
        assert_eq!(std::fs::read(&path).expect("read"), b"two\n");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[test]
    fn writes_only_when_unchanged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("flexmap.lock");
        assert!(write_if_unchanged(&path, b"a", None, 100).is_ok());
        let (_, stamp) = read_stamped(&path, 100).expect("read");
        std::fs::write(&path, b"b").expect("someone else writes");
        assert!(matches!(
            write_if_unchanged(&path, b"c", Some(&stamp), 100),
            Err(WriteError::Changed)
        ));
        assert_eq!(std::fs::read(&path).expect("read"), b"b");
        let stamp = Stamp::of(b"b");
        assert!(write_if_unchanged(&path, b"c", Some(&stamp), 100).is_ok());
        assert_eq!(std::fs::read(&path).expect("read"), b"c");
    }

    #[test]
    fn the_folder_lock_is_exclusive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let held = FolderLock::exclusive(dir.path()).expect("lock");
        let other = File::open(dir.path()).expect("open");
        assert!(
            !FileExt::try_lock_exclusive(&other).expect("try"),
            "a second lock must wait"
        );
        drop(held);
        assert!(FileExt::try_lock_exclusive(&other).expect("try"));
    }
}
