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

    /// `raqim check` read the whole file and found damage: what, table by table.
    #[error(
        "{}: the database is damaged; integrity_check found:\n  {}\nnothing was written to it",
        path.display(),
        problems.join("\n  ")
    )]
    Damaged {
        path: PathBuf,
        problems: Vec<String>,
    },

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

    /// The connected user may not write there (another's layer, or gold without
    /// being a curator: `raqim db roles`); refused before anything was sent.
    #[error("{}: {detail}", path.display())]
    Forbidden { path: PathBuf, detail: String },

    /// SQLite reported SQLITE_FULL (the disk, or the database's size limit, is full) or
    /// could not grow its shared-memory file beside the database (no space left there).
    #[error(
        "{}: the disk is full (no space left in {}); what was being written was not saved",
        path.display(),
        folder_of(path).display()
    )]
    Full { path: PathBuf },

    /// The schema version recorded in the file does not match its tables (e.g. version 1
    /// with the columns version 2 adds): migrating it would fail half-way or damage it.
    #[error(
        "{}: the database says schema version {version} but its tables are not those of version {version} ({detail}); it was left untouched",
        path.display()
    )]
    SchemaMismatch {
        path: PathBuf,
        version: i64,
        detail: String,
    },

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

    /// A PostgreSQL server's error (`path` is its URL, without a password).
    #[error("{}: {detail}", path.display())]
    Server { path: PathBuf, detail: String },

    /// A database URL that cannot be used as given (a password in it, an unknown
    /// sslmode...), saying what was expected.
    #[error("{}: {why}", path.display())]
    BadUrl { path: PathBuf, why: String },
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
            // The -shm file beside the database could not be grown: on Unix that is
            // ENOSPC from ftruncate/fallocate, i.e. a full disk, which SQLite reports
            // as a raw "disk I/O error".
            Some(ErrorCode::SystemIoFailure)
                if e.sqlite_error()
                    .is_some_and(|f| f.extended_code == rusqlite::ffi::SQLITE_IOERR_SHMSIZE) =>
            {
                StoreError::Full { path }
            }
            Some(ErrorCode::CannotOpen) => StoreError::CannotOpen { path, source: e },
            // A stored text that is not UTF-8: raqim writes only UTF-8, so its bytes
            // were changed under it (damaged pages).
            _ if is_bad_utf8(&e) => StoreError::Corrupt {
                path,
                detail: "a stored text is not valid UTF-8; `raqim check` lists the damage"
                    .to_string(),
            },
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
            | StoreError::Forbidden { path, .. }
            | StoreError::Full { path }
            | StoreError::SchemaMismatch { path, .. }
            | StoreError::Damaged { path, .. }
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
            | StoreError::Sqlite { path, .. }
            | StoreError::Server { path, .. }
            | StoreError::BadUrl { path, .. } => path,
        }
    }
}

/// The folder that holds `path` ("." for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Whether reading a column failed because its text is not UTF-8.
fn is_bad_utf8(e: &rusqlite::Error) -> bool {
    match e {
        rusqlite::Error::Utf8Error(..) => true,
        rusqlite::Error::FromSqlConversionFailure(_, _, source) => {
            source.is::<std::str::Utf8Error>() || source.is::<std::string::FromUtf8Error>()
        }
        _ => false,
    }
}
