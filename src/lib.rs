//! raqim: a keyboard-driven terminal workbench for reviewing named entities in Arabic
//! (right-to-left) news articles.
//!
//! Core modules (`document`, `layout`, `render`, `session`, ...) know nothing of the
//! terminal; only `tui` (and the binary) may use ratatui or crossterm, and nothing
//! below the TUI may use `crate::tui`. `tests/architecture.rs` checks.

pub mod annotation;
pub mod cli;
pub mod commands;
pub mod config;
pub mod corpus;
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
pub mod store;
pub mod suggest;
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

/// Reads a whole UTF-8 file (a settings or word-list file); the error names it.
pub fn read_text(path: &std::path::Path) -> Result<String, ReadError> {
    std::fs::read_to_string(path).map_err(|source| ReadError {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes a file whole or not at all: a temporary file beside it, synced, renamed
/// into place.
pub fn atomic_write(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("{}: cannot replace", path.display()))?;
    Ok(())
}
