//! One writer per document and layer: an OS advisory lock (`flock`, through std's
//! [`File::try_lock`]) on `<database file name>.locks/<doc id>.<layer>.lock` beside the
//! database (the layer's name hashed, as a name may hold any character), and one line of JSON in that file naming the holder, so that a second
//! raqim can say who has the document. The database itself is not involved: the lock
//! must vanish with its process, which a row in the database would not.
//!
//! On a PostgreSQL server the lock is the server's (`super::pg::lock`); a [`DocLock`]
//! holds either, and says who holds a document in the same words.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::StoreError;

/// Who holds a document, as written in its lock file.
#[derive(Debug, Serialize, Deserialize)]
struct Holder {
    pid: u32,
    annotator: String,
    /// Unix milliseconds.
    since_ms: i64,
}

/// The right to write one document, taken with [`super::Store::lock_document`].
/// Dropping it releases the lock; so does the end of the process, however it ends.
#[derive(Debug)]
pub struct DocLock {
    _held: Held,
    path: PathBuf,
    doc: String,
}

/// What holds the lock: kept only to be dropped.
#[derive(Debug)]
#[allow(dead_code)]
enum Held {
    /// The lock file: closing it (on drop) releases the lock.
    File(File),
    /// A server's advisory lock: released on drop, or when its connection ends.
    Server(super::pg::lock::AdvisoryLock),
}

impl DocLock {
    /// The lock of `doc` held by a server connection; `path` is the server's URL.
    pub(crate) fn server(held: super::pg::lock::AdvisoryLock, path: PathBuf, doc: &str) -> DocLock {
        DocLock {
            _held: Held::Server(held),
            path,
            doc: doc.to_string(),
        }
    }

    /// The lock file (on a server: the server's URL).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The locked document's id.
    pub fn doc(&self) -> &str {
        &self.doc
    }
}

/// `<folder>/<database file name>.locks/<doc>.<layer>.lock`. `doc` must be a stored
/// document id (SHA-256 hex), so it is a plain file name; the layer is the first 16
/// hex digits of its name's SHA-256.
pub fn lock_path(db: &Path, doc: &str, layer: &str) -> PathBuf {
    let mut folder = db.file_name().unwrap_or_default().to_os_string();
    folder.push(".locks");
    let layer = crate::document::document_id(layer);
    db.with_file_name(folder)
        .join(format!("{doc}.{}.lock", &layer[..16]))
}

/// Takes the lock without waiting, then records the holder in the file. The file is
/// never truncated before the lock is ours (it would erase the holder's name) and never
/// deleted (a process that opened it just before the deletion would lock a file nobody
/// else can see, and two processes would both hold "the" lock).
pub fn lock(
    db: &Path,
    doc: &str,
    layer: &str,
    annotator: &str,
    now_ms: i64,
) -> Result<DocLock, StoreError> {
    let path = lock_path(db, doc, layer);
    let failed = |source| StoreError::LockFile {
        path: db.to_path_buf(),
        lock: path.clone(),
        source,
    };
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(failed)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(failed)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(StoreError::DocumentInUse {
                path: db.to_path_buf(),
                doc: doc.to_string(),
                holder: describe_holder(&mut file),
            });
        }
        Err(TryLockError::Error(e)) => return Err(failed(e)),
    }
    let holder = Holder {
        pid: std::process::id(),
        annotator: annotator.to_string(),
        since_ms: now_ms,
    };
    let mut line = serde_json::to_string(&holder).unwrap_or_default();
    line.push('\n');
    file.set_len(0).map_err(failed)?;
    file.write_all(line.as_bytes()).map_err(failed)?;
    Ok(DocLock {
        _held: Held::File(file),
        path,
        doc: doc.to_string(),
    })
}

/// "another raqim (annotator NAME, pid N, since HH:MM UTC)", or just "another raqim"
/// when the file cannot be read or parsed (e.g. the holder has not written it yet).
fn describe_holder(file: &mut File) -> String {
    let mut text = String::new();
    let holder = file
        .read_to_string(&mut text)
        .ok()
        .and_then(|_| serde_json::from_str::<Holder>(text.lines().next()?).ok());
    match holder {
        Some(h) => describe(&h.annotator, i64::from(h.pid), h.since_ms),
        None => "another raqim".to_string(),
    }
}

/// "another raqim (annotator NAME, pid N, since HH:MM UTC)".
pub(crate) fn describe(annotator: &str, pid: i64, since_ms: i64) -> String {
    let minutes = since_ms.div_euclid(60_000).rem_euclid(24 * 60);
    format!(
        "another raqim (annotator {annotator}, pid {pid}, since {:02}:{:02} UTC)",
        minutes / 60,
        minutes % 60
    )
}
