//! raqim: a keyboard-driven terminal workbench for reviewing named entities in Arabic
//! (right-to-left) news articles.
//!
//! Core modules (`document`, `layout`, `render`, `session`, ...) know nothing of the
//! terminal; only `tui` (and the binary) may use ratatui or crossterm, and nothing
//! below the TUI may use `crate::tui`. `tests/architecture.rs` checks.

pub mod agreement;
pub mod annotation;
pub mod assign;
pub mod cli;
pub mod commands;
pub mod config;
pub mod corpus;
pub mod curate;
pub mod document;
pub mod eval;
pub mod exchange;
pub mod formats;
pub mod layout;
pub mod logging;
pub mod offsets;
pub mod profile;
pub mod render;
pub mod review;
pub mod session;
pub mod shell_files;
pub mod store;
pub mod suggest;
pub mod team;
pub mod train;
pub mod tui;

/// A file that could not be read, named, with the system's reason as its source.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot read", path.display())]
pub struct ReadError {
    pub path: std::path::PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Reads a whole file; the error names it.
pub fn read_bytes(path: &std::path::Path) -> Result<Vec<u8>, ReadError> {
    std::fs::read(path).map_err(|source| ReadError {
        path: path.to_path_buf(),
        source,
    })
}

/// The default of `--max-input-size`: an article, a set or a file to import larger
/// than this is refused before it is read whole (a few hundred MB of text is far
/// beyond a news article or a batch of them, and holding it takes several times that).
pub const DEFAULT_MAX_INPUT_SIZE: u64 = 256 << 20;

/// The input size limit of this process. It is one setting for every reader of
/// articles and records (render, suggest, the viewer and its sets, import), set once
/// from the command line; a process-wide value spares threading a number through
/// every opening path, as a resource limit of the process would.
static MAX_INPUT_SIZE: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(DEFAULT_MAX_INPUT_SIZE);

/// Sets the size limit of [`read_input`] for the rest of the process.
pub fn set_max_input_size(bytes: u64) {
    MAX_INPUT_SIZE.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

/// The size limit of [`read_input`].
pub fn max_input_size() -> u64 {
    MAX_INPUT_SIZE.load(std::sync::atomic::Ordering::Relaxed)
}

/// Reads an article or a file of records, refusing it when it is larger than
/// [`max_input_size`] (a regular file before reading anything) and stopping at the
/// first NUL byte: the bytes end there, and the decoder refuses them as binary, so
/// `/dev/zero` or a disk image costs one read. The error names the file.
pub fn read_input(path: &std::path::Path) -> Result<Vec<u8>, ReadError> {
    let read = || -> std::io::Result<Vec<u8>> {
        let file = std::fs::File::open(path)?;
        let size = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        read_limited(file, size, max_input_size())
    };
    read().map_err(|source| ReadError {
        path: path.to_path_buf(),
        source,
    })
}

/// [`read_input`] from a stream (standard input), with the process's limit.
pub fn read_input_from(reader: impl std::io::Read) -> std::io::Result<Vec<u8>> {
    read_limited(reader, None, max_input_size())
}

/// Reads at most `limit` bytes in chunks, stopping at the first NUL byte (the bytes
/// returned end with it, a prefix of the input); `size`, when known, is checked against the limit before reading. Over the
/// limit is an error of kind `FileTooLarge` that says how to raise it.
pub fn read_limited(
    mut reader: impl std::io::Read,
    size: Option<u64>,
    limit: u64,
) -> std::io::Result<Vec<u8>> {
    let too_large = |size: Option<u64>| {
        let what = size.map_or_else(
            || "it holds".to_string(),
            |s| format!("{} is", human_size(s)),
        );
        std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "{what} more than the input size limit of {} (raise it with --max-input-size)",
                human_size(limit)
            ),
        )
    };
    if let Some(size) = size.filter(|&s| s > limit) {
        return Err(too_large(Some(size)));
    }
    const CHUNK: usize = 1 << 16;
    let cap = size.map_or(CHUNK as u64, |s| s.saturating_add(1).min(limit));
    let mut bytes = Vec::with_capacity(usize::try_from(cap).unwrap_or(CHUNK));
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(bytes),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if bytes.len() as u64 + n as u64 > limit {
            return Err(too_large(None));
        }
        if let Some(nul) = chunk[..n].iter().position(|&b| b == 0) {
            bytes.extend_from_slice(&chunk[..=nul]);
            return Ok(bytes);
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
}

/// A size in bytes as people read it: `312 MiB`, `4 KiB`, `17 bytes`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if v.fract() == 0.0 {
        format!("{v} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Reads a whole UTF-8 file (a settings or word-list file); the error names it.
pub fn read_text(path: &std::path::Path) -> Result<String, ReadError> {
    std::fs::read_to_string(path).map_err(|source| ReadError {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes an output file as the user means it. A regular file, or a path where
/// nothing is, is written whole or not at all: a temporary file beside it, synced,
/// renamed into place (a file replaced keeps its permissions). A symbolic link is
/// followed and its target replaced that way; the link stays. A FIFO, a character
/// device (`/dev/stdout`, a terminal, `/dev/null`) or a socket is written into in
/// place, as `cat > PATH` would: renaming over it would take the device or pipe away
/// from whoever else uses it, and its reader would never get the data.
pub fn atomic_write(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    match output_kind(path) {
        Output::Replace(target) => replace_file(&target, bytes),
        Output::InPlace => write_in_place(path, bytes),
        Output::Refuse(what) => {
            anyhow::bail!("{}: {what}; nothing was written", path.display())
        }
        Output::Unknown(e) => {
            Err(e).with_context(|| format!("{}: cannot look at the output path", path.display()))
        }
    }
}

/// What writing to a path means (see [`atomic_write`]).
enum Output {
    /// A regular file or a new path (a link's target): replaced whole.
    Replace(std::path::PathBuf),
    /// A FIFO, a character device or a socket: written into.
    InPlace,
    /// Not something to write an export into.
    Refuse(&'static str),
    Unknown(std::io::Error),
}

fn output_kind(path: &std::path::Path) -> Output {
    use std::os::unix::fs::FileTypeExt;
    // `metadata` follows links the way opening the path would, including the
    // kernel's own links such as /dev/stdout -> /proc/self/fd/1 -> pipe:[...].
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => match std::fs::canonicalize(path) {
            Ok(real) => Output::Replace(real),
            Err(e) => Output::Unknown(e),
        },
        Ok(m) if m.is_dir() => Output::Refuse("a directory, not a file"),
        Ok(m) if m.file_type().is_fifo() || m.file_type().is_char_device() => Output::InPlace,
        Ok(m) if m.file_type().is_socket() => Output::InPlace,
        Ok(m) if m.file_type().is_block_device() => {
            Output::Refuse("a block device (a disk); raqim writes files, pipes and terminals")
        }
        Ok(_) => Output::Refuse("neither a file, a pipe, a device nor a socket"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match link_target(path) {
            Ok(t) => Output::Replace(t),
            Err(e) => Output::Unknown(e),
        },
        Err(e) => Output::Unknown(e),
    }
}

/// Where a path that does not exist is to be created: itself, or, if it is a link
/// whose target does not exist yet, that target (a link to a link followed to its
/// end, relative targets taken from the link's directory).
fn link_target(path: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&at)?;
                at = match at.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Writes a file whole or not at all: a temporary file beside it, synced, renamed
/// into place.
fn replace_file(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
    if let Ok(m) = std::fs::metadata(path) {
        // The new file gets the old one's permissions, not the temporary file's 0600.
        tmp.as_file()
            .set_permissions(m.permissions())
            .with_context(|| format!("{}: cannot set the permissions", path.display()))?;
    }
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| write_error(path, e, "nothing was written; a file there is as it was"))?;
    tmp.persist(path)
        .with_context(|| format!("{}: cannot replace", path.display()))?;
    Ok(())
}

/// Writes into a pipe, a device or a socket that is already there.
fn write_in_place(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::FileTypeExt;
    let socket = std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket());
    let mut out: Box<dyn Write> = if socket {
        Box::new(std::os::unix::net::UnixStream::connect(path).map_err(|e| open_error(path, e))?)
    } else {
        Box::new(
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| open_error(path, e))?,
        )
    };
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| write_error(path, e, "what was written there is incomplete"))
}

fn open_error(path: &std::path::Path, e: std::io::Error) -> anyhow::Error {
    anyhow::Error::new(e).context(format!("{}: cannot open for writing", path.display()))
}

/// A failed write, named; a full disk (or `/dev/full`) said in words.
fn write_error(path: &std::path::Path, e: std::io::Error, outcome: &str) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::StorageFull {
        anyhow::anyhow!("{}: no space left on the device; {outcome}", path.display())
    } else {
        anyhow::Error::new(e).context(format!("{}: cannot write", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_over_the_limit_is_refused_and_says_how_to_raise_it() {
        let e = read_limited(std::io::repeat(b'a'), None, 1000).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::FileTooLarge);
        assert!(e.to_string().contains("--max-input-size"), "{e}");
        assert_eq!(read_limited(&b"abc"[..], None, 3).unwrap(), b"abc");
    }

    #[test]
    fn a_known_size_over_the_limit_is_refused_before_reading() {
        // The reader would fail if it were read.
        struct Unreadable;
        impl std::io::Read for Unreadable {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                panic!("read although the size was over the limit")
            }
        }
        let e = read_limited(Unreadable, Some(300 << 20), 256 << 20).unwrap_err();
        assert!(e.to_string().starts_with("300 MiB is more than"), "{e}");
    }

    #[test]
    fn reading_stops_at_the_first_nul_byte() {
        // An endless stream of NUL bytes (like /dev/zero) ends at once.
        assert_eq!(
            read_limited(std::io::repeat(0), None, u64::MAX).unwrap(),
            [0]
        );
        let tail = std::io::Read::chain(&b"ab\0cd"[..], std::io::repeat(b'x'));
        assert_eq!(read_limited(tail, None, u64::MAX).unwrap(), b"ab\0");
    }
}
