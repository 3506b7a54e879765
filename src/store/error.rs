//! The store's errors. Every variant names the database file, so a message shown to
//! the user (or wrapped with `anyhow` at the edge) always says which file is at fault.
//! This module only classifies failures; it never touches the database.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file is not an SQLite database, or its pages are damaged. It was left as it was.
    #[error(
        "{}: the database is corrupt or not an SQLite database ({detail}); it was left untouched",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },

    /// An SQLite database, but not one of raqim's (no raqim schema version, other tables).
    #[error(
        "{}: this SQLite database was not made by raqim (expected a raqim schema, found tables: {tables}); it was left untouched",
        path.display()
    )]
    Foreign { path: PathBuf, tables: String },

    /// Another process held the database longer than the busy timeout.
    #[error(
        "{}: the database is locked by another process (waited {waited_ms} ms); try again",
        path.display()
    )]
    Locked { path: PathBuf, waited_ms: u64 },

    /// The file (or its folder) cannot be written.
    #[error("{}: the database is read-only ({detail}); nothing was written", path.display())]
    ReadOnly { path: PathBuf, detail: String },

    /// SQLite reported SQLITE_FULL: the disk (or the database's size limit) is full.
    #[error("{}: the disk is full; the last action was not saved", path.display())]
    Full { path: PathBuf },

    /// Written by a newer raqim: opening it here could damage it.
    #[error(
        "{}: the database has schema version {found}, this raqim supports up to {supported}; update raqim (the file was left untouched)",
        path.display()
    )]
    NewerVersion {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// The text does not match its id (the id is the SHA-256 of the text), or a document
    /// stored under this id holds another text.
    #[error(
        "{}: expected the text of document {doc}, found text with SHA-256 {found} (changed since it was annotated?); it was not re-annotated",
        path.display()
    )]
    HashMismatch {
        path: PathBuf,
        doc: String,
        found: String,
    },

    /// The document id is not in the database.
    #[error("{}: no document with id {doc}", path.display())]
    UnknownDocument { path: PathBuf, doc: String },

    /// A change names a span that the document does not have.
    #[error("{}: document {doc} has no span with id {id}; nothing was applied", path.display())]
    UnknownSpan { path: PathBuf, doc: String, id: i64 },

    /// A [`super::Change::Restore`] names an id that a span already has (in this or
    /// another document): restoring it would silently replace or duplicate that span.
    #[error(
        "{}: document {doc}: cannot restore span {id}, a span with that id already exists; nothing was applied",
        path.display()
    )]
    SpanExists { path: PathBuf, doc: String, id: i64 },

    /// Another raqim holds this document's lock: this one must show it read-only.
    /// `holder` says who, as far as the lock file tells ("another raqim (annotator
    /// NAME, pid N, since HH:MM UTC)", or just "another raqim").
    #[error(
        "{}: document {} is open in {holder}; opening it read-only",
        path.display(),
        doc.get(..12).unwrap_or(doc)
    )]
    DocumentInUse {
        path: PathBuf,
        doc: String,
        holder: String,
    },

    /// The document lock file (or its folder) could not be created, opened or locked.
    #[error(
        "{}: cannot use the document lock file {}: {source}",
        path.display(),
        lock.display()
    )]
    LockFile {
        path: PathBuf,
        lock: PathBuf,
        source: std::io::Error,
    },

    /// `undoes` names an action that the document does not have.
    #[error("{}: document {doc} has no action {seq} to undo; nothing was applied", path.display())]
    UnknownAction {
        path: PathBuf,
        doc: String,
        seq: i64,
    },

    /// A span's range is empty-reversed or past the end of the text.
    #[error(
        "{}: document {doc}: span {start}..{end} is not within the text (0..{len} code points, start <= end expected); nothing was applied",
        path.display()
    )]
    BadRange {
        path: PathBuf,
        doc: String,
        start: usize,
        end: usize,
        len: usize,
    },

    /// A stored value that this version cannot read (e.g. an unknown span state).
    #[error("{}: unexpected stored value: {detail}", path.display())]
    BadValue { path: PathBuf, detail: String },

    /// The database could not be opened (missing folder permissions, bad path, ...).
    #[error("{}: cannot open the database: {source}", path.display())]
    CannotOpen {
        path: PathBuf,
        source: rusqlite::Error,
    },

    /// A file-system error around the database (creating its folder, reading its header).
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// Any other SQLite error.
    #[error("{}: database error: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

impl StoreError {
    /// Classifies an SQLite error for the database at `path`; `waited_ms` is the busy
    /// timeout, reported when the failure is a lock.
    pub(crate) fn from_sqlite(path: &Path, waited_ms: u64, e: rusqlite::Error) -> StoreError {
        let path = path.to_path_buf();
        let code = match &e {
            rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
            _ => None,
        };
        match code {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Locked { path, waited_ms }
            }
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrupt {
                path,
                detail: e.to_string(),
            },
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly {
                path,
                detail: e.to_string(),
            },
            Some(ErrorCode::DiskFull) => StoreError::Full { path },
            Some(ErrorCode::CannotOpen) => StoreError::CannotOpen { path, source: e },
            _ => StoreError::Sqlite { path, source: e },
        }
    }

    /// The database file this error is about.
    pub fn path(&self) -> &Path {
        match self {
            StoreError::Corrupt { path, .. }
            | StoreError::Foreign { path, .. }
            | StoreError::Locked { path, .. }
            | StoreError::ReadOnly { path, .. }
            | StoreError::Full { path }
            | StoreError::NewerVersion { path, .. }
            | StoreError::HashMismatch { path, .. }
            | StoreError::UnknownDocument { path, .. }
            | StoreError::UnknownSpan { path, .. }
            | StoreError::SpanExists { path, .. }
            | StoreError::DocumentInUse { path, .. }
            | StoreError::LockFile { path, .. }
            | StoreError::UnknownAction { path, .. }
            | StoreError::BadRange { path, .. }
            | StoreError::BadValue { path, .. }
            | StoreError::CannotOpen { path, .. }
            | StoreError::Io { path, .. }
            | StoreError::Sqlite { path, .. } => path,
        }
    }
}
