//! How a database file is opened: an existing one (checked before anything is written
//! to it), a new one (made whole beside its place and moved there in one step, so no
//! other process ever sees it empty or half-made), or one only read (export, check).
//!
//! Owns the open flags, the refusal of an empty file, and the reading of a failure to
//! open as the folder's fault when it is. Must not write to a file it has not first
//! found sound, raqim's and not newer.

use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::{StoreError, schema};

/// The folder that holds `path` ("." for a bare file name).
pub(super) fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Whether a new file can be made in `dir` (tried, then removed at once).
fn folder_writable(dir: &Path) -> bool {
    tempfile::tempfile_in(dir).is_ok()
}

/// A failure to open or first write `path` caused by its folder not being writable
/// (SQLite keeps the -wal and -shm files beside the database) is said as such.
fn blame_folder(path: &Path, e: StoreError) -> StoreError {
    let folder_kind = matches!(
        e,
        StoreError::ReadOnly { .. } | StoreError::CannotOpen { .. } | StoreError::Sqlite { .. }
    );
    let dir = folder(path);
    if folder_kind && !folder_writable(dir) {
        return StoreError::ReadOnly {
            path: path.to_path_buf(),
            detail: format!(
                "its folder {} cannot be written, and SQLite keeps its -wal and -shm files there",
                dir.display()
            ),
        };
    }
    e
}

/// The checks on an existing file that read only its first bytes: it is not empty
/// (an empty file is a truncated database or someone else's, never a new one: raqim
/// makes a new database elsewhere and moves it into place whole) and its header is
/// sound.
fn check_file(path: &Path) -> Result<std::fs::Metadata, StoreError> {
    let meta = std::fs::metadata(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.len() == 0 {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: "the file is empty (0 bytes), e.g. a truncated copy; raqim makes a new \
                     database only where no file is"
                .to_string(),
        });
    }
    schema::check_header(path)?;
    Ok(meta)
}

/// The checks that read the schema: version not newer, raqim's, its tables there and
/// the ones its version says, the top of every b-tree readable.
fn check_schema(conn: &Connection, path: &Path, waited_ms: u64) -> Result<i64, StoreError> {
    // One snapshot for all of them: a raqim migrating the file meanwhile is seen
    // before or after, never half-way (its version without its tables).
    let snapshot = conn
        .unchecked_transaction()
        .map_err(|e| StoreError::from_sqlite(path, waited_ms, e))?;
    let found = schema::check_version(conn, path, waited_ms, schema::SCHEMA_VERSION)?;
    schema::check_structure(conn, path, waited_ms, found)?;
    schema::check_columns(conn, path, waited_ms, found)?;
    drop(snapshot);
    Ok(found)
}

/// Opens an existing database for writing, after checking it, and migrates it.
pub(super) fn existing(path: &Path, busy_timeout: Duration) -> Result<Connection, StoreError> {
    let waited_ms = busy_timeout.as_millis() as u64;
    let sq = |e| StoreError::from_sqlite(path, waited_ms, e);
    let meta = check_file(path)?;
    // Honoured even for root, who could write anyway: the user said read-only.
    if meta.permissions().readonly() {
        return Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
            detail: "the file has no write permission".to_string(),
        });
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let r = (|| {
        let mut conn = Connection::open_with_flags(path, flags).map_err(sq)?;
        conn.busy_timeout(busy_timeout).map_err(sq)?;
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(sq)? {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                detail: "SQLite could only open it for reading".to_string(),
            });
        }
        check_schema(&conn, path, waited_ms)?;
        // From here on the file is known to be sound, raqim's and not newer: writes are safe.
        settings(&conn, path, waited_ms)?;
        schema::migrate(&mut conn, path, waited_ms, schema::MIGRATIONS)?;
        Ok(conn)
    })();
    r.map_err(|e| blame_folder(path, e))
}

/// WAL, full syncs and foreign keys.
fn settings(conn: &Connection, path: &Path, waited_ms: u64) -> Result<(), StoreError> {
    let sq = |e| StoreError::from_sqlite(path, waited_ms, e);
    let _mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(sq)?;
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .map_err(sq)
}

/// Opens an existing database only for reading (export, check): a file without write
/// permission is fine, and every write is refused. Its schema is checked but not
/// migrated (every version's tables hold what a reader needs).
pub(super) fn read_only(path: &Path, busy_timeout: Duration) -> Result<Connection, StoreError> {
    let conn = read_only_unchecked(path, busy_timeout)?;
    let waited_ms = busy_timeout.as_millis() as u64;
    let version = check_schema(&conn, path, waited_ms)?;
    // Temporary objects only, gone with the connection; `query_only` refuses those too.
    let shim = conn
        .pragma_update(None, "query_only", false)
        .and_then(|()| schema::layered_view_of_old(&conn, version))
        .and_then(|()| conn.pragma_update(None, "query_only", true));
    shim.map_err(|e| StoreError::from_sqlite(path, waited_ms, e))?;
    Ok(conn)
}

/// [`read_only`] without the schema checks: the file is not empty, its header is
/// sound and SQLite can read its first page.
///
/// Nothing is made beside the file that outlives the connection. A file that may be
/// written is opened for writing with `query_only` on (writes refused): closing the
/// last connection then removes the -wal and -shm files SQLite needs, as a read-only
/// connection could not. A file without write permission and without a -wal file
/// is read as immutable (raqim refuses to write to such a file, so nobody is
/// writing it); so is a file in a folder nobody can write, where SQLite cannot make
/// the -shm file, when it has no -wal file (a writer would need that file).
pub(super) fn read_only_unchecked(
    path: &Path,
    busy_timeout: Duration,
) -> Result<Connection, StoreError> {
    let waited_ms = busy_timeout.as_millis() as u64;
    let sq = |e| StoreError::from_sqlite(path, waited_ms, e);
    let meta = check_file(path)?;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let no_wal = !Path::new(&wal).exists();
    let open = |immutable: bool, flags: OpenFlags| -> Result<Connection, StoreError> {
        let flags = flags | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = if immutable {
            Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
        } else {
            Connection::open_with_flags(path, flags)
        }
        .map_err(sq)?;
        conn.busy_timeout(busy_timeout).map_err(sq)?;
        conn.pragma_update(None, "query_only", true).map_err(sq)?;
        schema::user_version(&conn).map_err(sq)?;
        Ok(conn)
    };
    let read_only = OpenFlags::SQLITE_OPEN_READ_ONLY;
    if meta.permissions().readonly() {
        return open(no_wal, read_only).map_err(|e| blame_folder(path, e));
    }
    open(false, OpenFlags::SQLITE_OPEN_READ_WRITE).or_else(|e| {
        if no_wal && !folder_writable(folder(path)) {
            open(true, read_only)
        } else {
            Err(blame_folder(path, e))
        }
    })
}

/// `file:PATH?immutable=1`, the path percent-encoded where a URI needs it.
fn immutable_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for b in abs.as_os_str().as_encoded_bytes() {
        match b {
            b'?' | b'#' | b'%' => uri.push_str(&format!("%{b:02X}")),
            _ if b.is_ascii() && !b.is_ascii_control() => uri.push(*b as char),
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// A new database at a temporary name beside `path` (in WAL mode, at the current
/// schema), moved to `path` by [`Staged::publish`] only if no file is there by then.
/// Dropped unpublished (after its connection is closed), it removes everything it
/// made: the file, its -wal and -shm, and the folders it created.
#[derive(Debug)]
pub(super) struct Staged {
    path: PathBuf,
    temp: Option<tempfile::TempPath>,
    made_dirs: Vec<PathBuf>,
    waited_ms: u64,
}

impl Staged {
    /// Makes the new database (and its missing folders); returns its connection.
    pub(super) fn create(
        path: &Path,
        busy_timeout: Duration,
    ) -> Result<(Connection, Staged), StoreError> {
        let waited_ms = busy_timeout.as_millis() as u64;
        let sq = |e| StoreError::from_sqlite(path, waited_ms, e);
        let dir = folder(path);
        let mut staged = Staged {
            path: path.to_path_buf(),
            temp: None,
            made_dirs: Vec::new(),
            waited_ms,
        };
        let mut missing: Vec<PathBuf> = dir
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .map(Path::to_path_buf)
            .collect();
        missing.reverse();
        for d in missing {
            match std::fs::create_dir(&d) {
                Ok(()) => staged.made_dirs.push(d),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(source) => return Err(cannot_make(path, &d, source)),
            }
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}.new-"))
            .permissions(Permissions::from_mode(0o644))
            .tempfile_in(dir)
            .map_err(|source| cannot_make(path, dir, source))?
            .into_temp_path();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&temp, flags).map_err(sq);
        staged.temp = Some(temp);
        // On an error below, `conn` is closed before `staged` removes the files.
        let mut conn = conn?;
        conn.busy_timeout(busy_timeout).map_err(sq)?;
        settings(&conn, path, waited_ms)?;
        schema::migrate(&mut conn, path, waited_ms, schema::MIGRATIONS)?;
        Ok((conn, staged))
    }

    /// Closes the new database and moves it to its place, unless a file appeared
    /// there meanwhile (another raqim made it first): then this one is removed and
    /// `false` returned, and the caller opens the other.
    pub(super) fn publish(mut self, conn: Connection) -> Result<bool, StoreError> {
        let sq = |e| StoreError::from_sqlite(&self.path, self.waited_ms, e);
        // Closing the last connection checkpoints the WAL into the file and removes
        // it: the file is then whole on its own.
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .map_err(sq)?;
        conn.close().map_err(|(_, e)| sq(e))?;
        let Some(temp) = self.temp.take() else {
            return Ok(false);
        };
        match temp.persist_noclobber(&self.path) {
            Ok(()) => {
                self.made_dirs.clear();
                // The move itself must survive a crash too.
                if let Ok(d) = std::fs::File::open(folder(&self.path)) {
                    let _ = d.sync_all();
                }
                Ok(true)
            }
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                self.temp = Some(e.path);
                Ok(false)
            }
            Err(e) => {
                self.temp = Some(e.path);
                Err(StoreError::Io {
                    path: self.path.clone(),
                    source: e.error,
                })
            }
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            for end in ["-wal", "-shm", "-journal"] {
                let mut side = temp.as_os_str().to_owned();
                side.push(end);
                let _ = std::fs::remove_file(side);
            }
            drop(temp);
        }
        for d in self.made_dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// A failure to make the folder `dir` or a file in it, for the database `path`.
fn cannot_make(path: &Path, dir: &Path, source: std::io::Error) -> StoreError {
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
    // The system's reason alone: tempfile's error adds the temporary file's name.
    let source = match source.to_string().split_once(" at path ") {
        Some((reason, _)) => std::io::Error::new(source.kind(), reason.to_string()),
        None => source,
    };
    match source.kind() {
        PermissionDenied | ReadOnlyFilesystem => StoreError::ReadOnly {
            path: path.to_path_buf(),
            detail: format!("its folder {} cannot be written: {source}", dir.display()),
        },
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => StoreError::Full {
            path: path.to_path_buf(),
        },
        _ => StoreError::Io {
            path: dir.to_path_buf(),
            source,
        },
    }
}
