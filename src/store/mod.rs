//! The durable store: one SQLite database (bundled SQLite, WAL mode) holding documents,
//! their spans, the append-only action log that undo/redo walks, each document's view
//! and done flag, the suggestion memory, and the schema version.
//!
//! Every user action is one short `BEGIN IMMEDIATE` transaction ([`Store::commit`]),
//! committed before the caller shows its result.
//!
//! One writer per document. A raqim that opens a document for review takes its lock
//! ([`Store::lock_document`]); a second raqim opening the same document of the same
//! database gets [`StoreError::DocumentInUse`], which says who holds it, and shows the
//! document read-only (committing nothing to it), so two people never undo each
//! other's decisions unknowingly. The lock is an OS advisory lock (`flock`) on
//! `<database file name>.locks/<doc id>.lock` beside the database, not a row in it:
//! the OS releases it when its process ends, however it ends (crash, SIGKILL, power
//! cut), so there is never a stale lock to clear by hand or a guess whether an old pid
//! is still alive. The file's content (pid, annotator, since) only labels the message.
//! (`flock` may not reach across machines on a network file system.)
//!
//! Two processes on different documents of one database both write: WAL lets readers
//! run beside a writer, and a busy timeout (5 s by default) makes a second writer wait
//! its turn instead of failing. Each process sees the other's committed work on its
//! next query ([`Store::last_seq`] tells it that something new arrived). A database
//! lock held beyond the timeout is [`StoreError::Locked`].
//!
//! A file that is not a sound raqim database (garbage, empty, truncated, damaged pages,
//! another program's tables, a newer schema, a version that does not match its tables,
//! read-only) is refused with an error naming it, and nothing is written to it. Opening
//! must stay fast on a database of millions of spans, so it reads what does not grow
//! with the file: the header (against the file's length), the schema version, raqim's
//! tables and their columns, and the top of every b-tree. Damage deeper in comes out as
//! SQLite's SQLITE_CORRUPT when a query reaches it ([`StoreError::Corrupt`], naming the
//! file), or when [`Store::verify`] reads every page (an import does before writing; a
//! viewer runs [`Store::verify_in_background`]); the transaction that met it is rolled
//! back, and from then on that [`Store`] refuses every write. [`check`] is `raqim
//! check`. A new database is made beside its place and moved there whole
//! ([`Store::create`], [`Store::publish`]); export and check open read-only
//! ([`Store::open_read_only`]). This module knows nothing of the terminal.

mod assignments;
mod backend;
mod bulk;
pub mod copy;
mod error;
mod flags;
mod import_rules;
mod lock;
mod open;
pub mod pg;
mod register;
pub mod schema;
mod types;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::annotation::State;
use crate::document::document_id;

pub use assignments::{Assignment, LayerRow};
pub use backend::{Store, exists};
pub use error::StoreError;
pub use import_rules::{ImportConflict, ImportDoc, ImportReport, ImportSpan};
pub use lock::DocLock;
pub use register::Registration;
pub use schema::SCHEMA_VERSION;
pub use types::{
    ActionRow, Change, DocumentRow, Flag, FullDocument, GOLD, NewSpan, StoredSpan, check_annotator,
    check_layer, default_path_from,
};

/// How long a write waits for another process's transaction before giving up.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The queries that opening a document runs, named so a test can check that they
/// search an index (their cost must not grow with the database).
const SPANS_OF_DOC: &str = "SELECT id, start, end, label, state, source, score, annotator, \
     created, updated FROM spans WHERE doc = ?1 AND layer = ?2 ORDER BY start, end, id";
const ACTIONS_OF_DOC: &str = "SELECT seq, doc, kind, payload, annotator, at, undoes, layer \
     FROM actions WHERE doc = ?1 AND layer = ?2 ORDER BY seq";
const ACTIONS_AFTER: &str = "SELECT seq, doc, kind, payload, annotator, at, undoes, layer \
     FROM actions WHERE seq > ?1 ORDER BY seq";

/// Saves a layer's view of a document: (doc, layer, cursor, top).
const SET_VIEW: &str = "INSERT INTO layers (doc, layer, cursor, top) SELECT ?1, ?2, ?3, ?4 \
     FROM documents WHERE id = ?1 \
     ON CONFLICT(doc, layer) DO UPDATE SET cursor = excluded.cursor, top = excluded.top";

/// An open raqim database.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    waited_ms: u64,
    /// Set when damage was found (by a query that met it, or a check, maybe running
    /// on another thread): writing more could spread it. Holds what was found.
    damage: Arc<OnceLock<Damage>>,
    /// A new database not yet at its place ([`Store::create`]); dropped after `conn`.
    staged: Option<open::Staged>,
    /// The layer a document's spans, history, view, done mark and flags are read from
    /// and written to ([`Store::set_layer`]): an annotator's name, or `gold`.
    layer: String,
    /// Whose own memory is read and saved (`learning = "annotator"`); `None`: the
    /// team's, which learns from everyone's decisions.
    memory_owner: Option<String>,
}

/// Damage found in the file: SQLite's words, and the refusal of writes built on them.
#[derive(Debug)]
struct Damage {
    detail: String,
    refusal: String,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// What one action is made of, passed whole to the transaction that records it.
#[derive(Clone, Copy)]
struct ActionJob<'a> {
    doc: &'a str,
    kind: &'a str,
    payload: &'a dyn Fn(&[i64]) -> String,
    annotator: &'a str,
    undoes: Option<i64>,
    changes: &'a [Change],
    view: Option<(usize, usize)>,
}

/// Begins an immediate transaction on `conn` (dropping it on any early return rolls
/// everything back), with the mapper of SQLite errors to the store's for the file at
/// `path`.
fn immediate<'c, 'p>(
    conn: &'c mut rusqlite::Connection,
    path: &'p Path,
    waited_ms: u64,
) -> Result<
    (
        rusqlite::Transaction<'c>,
        impl Fn(rusqlite::Error) -> StoreError + Copy + 'p,
    ),
    StoreError,
> {
    let sq = move |e| StoreError::from_sqlite(path, waited_ms, e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sq)?;
    Ok((tx, sq))
}

fn span_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(StoredSpan, String)> {
    let state: String = r.get(4)?;
    let span = StoredSpan {
        id: r.get(0)?,
        span: NewSpan {
            start: r.get::<_, i64>(1)? as usize,
            end: r.get::<_, i64>(2)? as usize,
            label: r.get(3)?,
            state: State::Pending,
            source: r.get(5)?,
            score: r.get::<_, f64>(6)? as f32,
        },
        annotator: r.get(7)?,
        created: r.get(8)?,
        updated: r.get(9)?,
    };
    Ok((span, state))
}

/// A row of [`span_from_row`] with its state read.
fn with_state(
    path: &Path,
    (mut stored, state): (StoredSpan, String),
) -> Result<StoredSpan, StoreError> {
    stored.span.state = stored_state(path, &state, format_args!("span {}", stored.id))?;
    Ok(stored)
}

/// A state as the database holds it; one this version does not know is
/// [`StoreError::BadValue`], saying whose it is.
fn stored_state(path: &Path, state: &str, whose: fmt::Arguments) -> Result<State, StoreError> {
    state.parse().map_err(|_| StoreError::BadValue {
        path: path.to_path_buf(),
        detail: format!("{whose} has state {state:?}"),
    })
}

/// Records the first damage found in the file at `path` (a [`StoreError::Corrupt`]).
fn note_in(damage: &OnceLock<Damage>, path: &Path, e: &StoreError) {
    if let StoreError::Corrupt { detail, .. } = e {
        let _ = damage.set(Damage {
            detail: detail.clone(),
            refusal: format!(
                "{}: the database is damaged ({detail}); nothing more is written to it, \
                 `raqim check` says what is wrong",
                path.display()
            ),
        });
    }
}

/// What `raqim check` found in a sound database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub path: PathBuf,
    pub version: i64,
    pub documents: i64,
    pub spans: i64,
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: sound (schema version {}, {} documents, {} spans; integrity_check found nothing wrong)",
            self.path.display(),
            self.version,
            self.documents,
            self.spans
        )
    }
}

/// `raqim check`: opens the database at `path` only for reading, checks it as opening
/// does, then reads every page and every index (`PRAGMA integrity_check`). Damage is
/// [`StoreError::Damaged`] listing what is wrong (up to 20 problems, each naming the
/// table or index it is in); nothing is written.
pub fn check(path: &Path) -> Result<CheckReport, StoreError> {
    const LISTED: usize = 20;
    // integrity_check first: damage that stops opening is listed too.
    let conn = open::read_only_unchecked(path, DEFAULT_BUSY_TIMEOUT)?;
    let waited_ms = DEFAULT_BUSY_TIMEOUT.as_millis() as u64;
    let problems = schema::integrity_check(&conn, path, waited_ms, LISTED)?;
    if !problems.is_empty() {
        return Err(StoreError::Damaged {
            path: path.to_path_buf(),
            problems,
        });
    }
    drop(conn);
    let store = SqliteStore::open_read_only(path)?;
    let count = |sql: &str| store.conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    let counts = count("SELECT count(*) FROM documents")
        .and_then(|d| Ok((d, count("SELECT count(*) FROM spans")?)));
    let (documents, spans) = counts.map_err(|e| store.sq(e))?;
    Ok(CheckReport {
        path: path.to_path_buf(),
        version: store.schema_version()?,
        documents,
        spans,
    })
}

impl SqliteStore {
    /// `$RAQIM_DB`, else `$XDG_DATA_HOME/raqim/raqim.db`, else
    /// `~/.local/share/raqim/raqim.db`; `None` if there is no home either.
    pub fn default_path() -> Option<PathBuf> {
        default_path_from(
            std::env::var_os("RAQIM_DB"),
            std::env::var_os("XDG_DATA_HOME"),
            std::env::var_os("HOME"),
        )
    }

    /// The database to use: the `--db` flag if given, else [`Store::default_path`].
    pub fn resolve_path(db_flag: Option<&Path>) -> Option<PathBuf> {
        db_flag.map(Path::to_path_buf).or_else(Store::default_path)
    }

    /// Opens (creating it and its folder if missing) the database at `path`, waiting up
    /// to [`DEFAULT_BUSY_TIMEOUT`] for other processes.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// [`Store::open`] with another busy timeout (tests use a short one). A new
    /// database is made beside its place and moved there whole ([`Store::create`]), so
    /// that raqims starting at once on a database nobody has made yet never meet it
    /// half-made: whichever moves its copy there first wins, the others open it.
    pub fn open_with_timeout(
        path: &Path,
        busy_timeout: Duration,
    ) -> Result<SqliteStore, StoreError> {
        loop {
            match std::fs::metadata(path) {
                Ok(_) => {
                    let conn = open::existing(path, busy_timeout)?;
                    return Ok(SqliteStore::with(conn, path, busy_timeout, None));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    // Made or not (another raqim was first), a whole database is there
                    // now; unless what is in the way is a link to a missing file.
                    let made = SqliteStore::create_with_timeout(path, busy_timeout)?.publish()?;
                    if !made && !path.exists() {
                        return Err(StoreError::Io {
                            path: path.to_path_buf(),
                            source: e,
                        });
                    }
                }
                Err(source) => {
                    return Err(StoreError::Io {
                        path: path.to_path_buf(),
                        source,
                    });
                }
            }
        }
    }

    /// A new, empty database for `path`, kept at a temporary name in its folder until
    /// [`Store::publish`] moves it there; dropped unpublished, it leaves nothing behind
    /// (nor the folders it made). Errors name `path`.
    pub fn create(path: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::create_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    fn create_with_timeout(path: &Path, busy_timeout: Duration) -> Result<SqliteStore, StoreError> {
        let (conn, staged) = open::Staged::create(path, busy_timeout)?;
        Ok(SqliteStore::with(conn, path, busy_timeout, Some(staged)))
    }

    /// Moves a database made by [`Store::create`] to its place, closing it; `false`
    /// (and nothing of it left) if a file got there first, e.g. another raqim's new
    /// database: open that one. A store opened otherwise is just closed.
    pub fn publish(mut self) -> Result<bool, StoreError> {
        let staged = self.staged.take();
        let SqliteStore { conn, .. } = self;
        match staged {
            Some(staged) => staged.publish(conn),
            None => Ok(true),
        }
    }

    /// Opens an existing database only for reading (export, check), checked as for
    /// writing but not migrated: a file without write permission is fine, and nothing
    /// is written to the file or made beside it. Every write is refused.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = open::read_only(path, DEFAULT_BUSY_TIMEOUT)?;
        Ok(SqliteStore::with(conn, path, DEFAULT_BUSY_TIMEOUT, None))
    }

    fn with(
        conn: Connection,
        path: &Path,
        busy: Duration,
        staged: Option<open::Staged>,
    ) -> SqliteStore {
        SqliteStore {
            conn,
            path: path.to_path_buf(),
            waited_ms: busy.as_millis() as u64,
            damage: Arc::new(OnceLock::new()),
            staged,
            layer: String::new(),
            memory_owner: None,
        }
    }

    /// Reads every page (`PRAGMA quick_check`): seconds on a big database, so for an
    /// explicit check or before a big write, not for opening. Damage found stops this
    /// store's writes.
    pub fn verify(&self) -> Result<(), StoreError> {
        schema::quick_check(&self.conn, &self.path, self.waited_ms).inspect_err(|e| self.note(e))
    }

    /// Runs [`Store::verify`]'s check on another thread, with its own read-only
    /// connection, so that a viewer need not wait for it: damage it finds stops this
    /// store's writes from that moment ([`Store::refusal`] says why). The handle
    /// tells the outcome (a viewer lets it run on its own).
    pub fn verify_in_background(&self) -> std::thread::JoinHandle<Result<(), StoreError>> {
        let path = self.path.clone();
        let damage = Arc::clone(&self.damage);
        std::thread::spawn(move || {
            let conn = open::read_only(&path, DEFAULT_BUSY_TIMEOUT)?;
            let r = schema::quick_check(&conn, &path, DEFAULT_BUSY_TIMEOUT.as_millis() as u64);
            if let Err(e) = &r {
                note_in(&damage, &path, e);
            }
            r
        })
    }

    /// Why this store refuses to write, once damage was found in the file.
    pub fn refusal(&self) -> Option<&str> {
        self.damage.get().map(|d| d.refusal.as_str())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Works in `layer` from now on: every per-document read and write (spans,
    /// actions, view, done mark, flags, the document lock, imports) is of that layer.
    /// An annotator's name, or `gold`; the caller has checked it ([`check_layer`]).
    pub fn set_layer(&mut self, layer: &str) {
        self.layer = layer.to_string();
    }

    /// The layer this store works in.
    pub fn layer(&self) -> &str {
        &self.layer
    }

    /// Reads and saves `who`'s own memory from now on, learnt from their decisions
    /// only; `None`: the team's (the default).
    pub fn set_memory_owner(&mut self, who: Option<&str>) {
        self.memory_owner = who.map(str::to_string);
    }

    /// Whose own memory this store reads and saves (`None`: the team's).
    pub fn memory_owner(&self) -> Option<&str> {
        self.memory_owner.as_deref()
    }

    /// Every row `sql` selects with `params`, each read by `row`.
    fn rows<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.sq(e))?;
        stmt.query_map(params, row)
            .map_err(|e| self.sq(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.sq(e))
    }

    fn sq(&self, e: rusqlite::Error) -> StoreError {
        let e = StoreError::from_sqlite(&self.path, self.waited_ms, e);
        self.note(&e);
        e
    }

    /// Remembers that the file is damaged, whichever query found it.
    fn note(&self, e: &StoreError) {
        note_in(&self.damage, &self.path, e);
    }

    /// Refuses to write once damage was found: nothing more goes into a damaged file.
    fn writable(&self) -> Result<(), StoreError> {
        if let Some(d) = self.damage.get() {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("{}; nothing more is written to it", d.detail),
            });
        }
        Ok(())
    }

    fn unknown_document(&self, doc: &str) -> StoreError {
        StoreError::UnknownDocument {
            path: self.path.clone(),
            doc: doc.to_string(),
        }
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        schema::user_version(&self.conn).map_err(|e| self.sq(e))
    }

    /// Records a document (idempotent) and that `source_path` now holds it. `id` must be
    /// the SHA-256 (hex) of `text`; a different text under a known id is refused.
    pub fn add_document(
        &mut self,
        id: &str,
        name: &str,
        source_path: Option<&Path>,
        text: &str,
    ) -> Result<(), StoreError> {
        self.writable()?;
        // Any error is noted (a damaged file) on its way out.
        let r = (|| {
            let found = document_id(text);
            if found != id {
                return Err(StoreError::HashMismatch {
                    path: self.path.clone(),
                    doc: id.to_string(),
                    found,
                });
            }
            let now = now_ms();
            let source = source_path.map(|p| p.to_string_lossy().into_owned());
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| StoreError::from_sqlite(&self.path, self.waited_ms, e))?;
            let r: rusqlite::Result<bool> = (|| {
                let stored: Option<String> = tx
                    .query_row("SELECT text FROM documents WHERE id = ?1", [id], |r| {
                        r.get(0)
                    })
                    .optional()?;
                match stored {
                    Some(t) if t != text => return Ok(false),
                    Some(_) => {}
                    None => {
                        tx.execute(
                            "INSERT INTO documents (id, name, source_path, text, added, chars) \
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                            params![id, name, source, text, now, text.chars().count() as i64],
                        )?;
                    }
                }
                if let Some(s) = &source {
                    tx.execute(
                        "INSERT INTO paths (source_path, doc, seen) VALUES (?1, ?2, ?3) \
                         ON CONFLICT(source_path) DO UPDATE SET doc = excluded.doc, seen = excluded.seen",
                        params![s, id, now],
                    )?;
                }
                Ok(true)
            })();
            let matches = r.map_err(|e| StoreError::from_sqlite(&self.path, self.waited_ms, e))?;
            if !matches {
                // The stored text under this id was altered: refuse rather than mix texts.
                return Err(StoreError::HashMismatch {
                    path: self.path.clone(),
                    doc: id.to_string(),
                    found: "a different stored text".to_string(),
                });
            }
            tx.commit().map_err(|e| self.sq(e))
        })();
        r.inspect_err(|e| self.note(e))
    }

    /// The text of a document, if the database has it.
    pub fn document_text(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .rows("SELECT text FROM documents WHERE id = ?1", [id], |r| {
                r.get(0)
            })?
            .pop())
    }

    /// The id and name of the document last recorded for `path` (as given to
    /// [`Store::add_document`]). The caller compares the id with the current file's hash
    /// to notice that the file changed since it was annotated.
    pub fn document_for_path(&self, path: &Path) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .rows(
                "SELECT d.id, d.name FROM paths p JOIN documents d ON d.id = p.doc \
             WHERE p.source_path = ?1",
                [path.to_string_lossy()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .pop())
    }

    /// Takes the document's write lock for this process, without waiting. Held by
    /// another raqim (or another [`Store`] in this process):
    /// [`StoreError::DocumentInUse`], and the caller shows the document read-only. The
    /// document must have been added ([`Store::add_document`]): its id, a SHA-256, is
    /// then safe as a file name. The lock lasts until the [`DocLock`] is dropped or the
    /// process ends.
    pub fn lock_document(&self, doc: &str, annotator: &str) -> Result<DocLock, StoreError> {
        let known = self
            .conn
            .prepare_cached("SELECT 1 FROM documents WHERE id = ?1")
            .and_then(|mut st| st.exists([doc]))
            .map_err(|e| self.sq(e))?;
        if !known {
            return Err(self.unknown_document(doc));
        }
        lock::lock(&self.path, doc, &self.layer, annotator, now_ms())
    }

    /// A document's spans, ordered by start (then end, then id).
    pub fn spans(&self, doc: &str) -> Result<Vec<StoredSpan>, StoreError> {
        self.rows(SPANS_OF_DOC, [doc, &self.layer], span_from_row)?
            .into_iter()
            .map(|row| with_state(&self.path, row))
            .collect()
    }

    /// One action = one transaction (see [`Store::commit`]), with the payload made from the ids the inserted spans got
    /// (in order), in the same transaction: the log then names every span it made. With
    /// `view` (cursor in code points, first line), the document's view is saved in the
    /// same transaction, so that even a killed session reopens where it acted last.
    #[allow(clippy::too_many_arguments)]
    pub fn commit_with(
        &mut self,
        doc: &str,
        kind: &str,
        payload: &dyn Fn(&[i64]) -> String,
        annotator: &str,
        undoes: Option<i64>,
        changes: &[Change],
        view: Option<(usize, usize)>,
    ) -> Result<(i64, Vec<i64>), StoreError> {
        self.writable()?;
        let action = ActionJob {
            doc,
            kind,
            payload,
            annotator,
            undoes,
            changes,
            view,
        };
        self.commit_tx(action).inspect_err(|e| self.note(e))
    }

    fn commit_tx(&mut self, action: ActionJob<'_>) -> Result<(i64, Vec<i64>), StoreError> {
        let ActionJob {
            doc,
            kind,
            payload,
            annotator,
            ..
        } = action;
        let path = self.path.clone();
        let layer = self.layer.as_str();
        let now = now_ms();
        let (tx, sq) = immediate(&mut self.conn, &self.path, self.waited_ms)?;
        let len: Option<i64> = tx
            .prepare_cached("SELECT COALESCE(chars, length(text)) FROM documents WHERE id = ?1")
            .and_then(|mut st| st.query_row([doc], |r| r.get(0)).optional())
            .map_err(sq)?;
        let Some(len) = len else {
            return Err(StoreError::UnknownDocument {
                path,
                doc: doc.to_string(),
            });
        };
        if let Some(seq) = action.undoes {
            let known: Option<i64> = tx
                .query_row(
                    "SELECT seq FROM actions WHERE seq = ?1 AND doc = ?2 AND layer = ?3",
                    params![seq, doc, layer],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sq)?;
            if known.is_none() {
                return Err(StoreError::UnknownAction {
                    path,
                    doc: doc.to_string(),
                    seq,
                });
            }
        }
        tx.prepare_cached(
            "INSERT INTO actions (doc, kind, payload, annotator, at, undoes, layer) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .and_then(|mut st| st.execute(params![doc, kind, "", annotator, now, action.undoes, layer]))
        .map_err(sq)?;
        let seq = tx.last_insert_rowid();
        let check = |s: &NewSpan| {
            if s.start <= s.end && s.end as i64 <= len {
                Ok(())
            } else {
                Err(StoreError::BadRange {
                    path: path.clone(),
                    doc: doc.to_string(),
                    start: s.start,
                    end: s.end,
                    len: len as usize,
                })
            }
        };
        let unknown_span = |id: i64| StoreError::UnknownSpan {
            path: path.clone(),
            doc: doc.to_string(),
            id,
        };
        // One statement for Insert and Restore: `?1` is NULL (SQLite picks the next id,
        // above every id ever used, as the table is AUTOINCREMENT) or the id to restore.
        const INSERT: &str = "INSERT INTO spans (id, doc, start, end, label, state, source, \
             score, annotator, created, updated, layer) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)";
        const UPDATE: &str = "UPDATE spans SET start = ?3, end = ?4, label = ?5, state = ?6, \
             source = ?7, score = ?8, annotator = ?9, updated = ?10 \
             WHERE id = ?1 AND doc = ?2 AND layer = ?11";
        // Both take the span's id, the document, the span and who and when, in order.
        let write = |sql: &str, id: &dyn rusqlite::ToSql, s: &NewSpan| {
            tx.prepare_cached(sql)?.execute(params![
                id,
                doc,
                s.start as i64,
                s.end as i64,
                s.label,
                s.state.as_str(),
                s.source,
                f64::from(s.score),
                annotator,
                now,
                layer
            ])
        };
        let mut inserted = Vec::new();
        for change in action.changes {
            match change {
                Change::Insert(s) => {
                    check(s)?;
                    write(INSERT, &None::<i64>, s).map_err(sq)?;
                    inserted.push(tx.last_insert_rowid());
                }
                Change::Restore { id, span: s } => {
                    check(s)?;
                    let taken = tx
                        .prepare_cached("SELECT 1 FROM spans WHERE id = ?1")
                        .and_then(|mut st| st.exists([id]))
                        .map_err(sq)?;
                    if taken {
                        return Err(StoreError::SpanExists {
                            path,
                            doc: doc.to_string(),
                            id: *id,
                        });
                    }
                    write(INSERT, id, s).map_err(sq)?;
                }
                Change::Update { id, span: s } => {
                    check(s)?;
                    let n = write(UPDATE, id, s).map_err(sq)?;
                    if n == 0 {
                        return Err(unknown_span(*id));
                    }
                }
                Change::Delete { id } => {
                    let n = tx
                        .prepare_cached(
                            "DELETE FROM spans WHERE id = ?1 AND doc = ?2 AND layer = ?3",
                        )
                        .and_then(|mut st| st.execute(params![id, doc, layer]))
                        .map_err(sq)?;
                    if n == 0 {
                        return Err(unknown_span(*id));
                    }
                }
            }
        }
        tx.execute(
            "UPDATE actions SET payload = ?1 WHERE seq = ?2",
            params![payload(&inserted), seq],
        )
        .map_err(sq)?;
        if let Some((cursor, top)) = action.view {
            tx.prepare_cached(SET_VIEW)
                .and_then(|mut st| st.execute(params![doc, layer, cursor as i64, top as i64]))
                .map_err(sq)?;
        }
        tx.commit().map_err(sq)?;
        Ok((seq, inserted))
    }

    /// A document's actions, oldest first.
    pub fn actions(&self, doc: &str) -> Result<Vec<ActionRow>, StoreError> {
        self.query_actions(ACTIONS_OF_DOC, params![doc, self.layer])
    }

    fn query_actions(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<ActionRow>, StoreError> {
        self.rows(sql, params, |r| {
            Ok(ActionRow {
                seq: r.get(0)?,
                doc: r.get(1)?,
                kind: r.get(2)?,
                payload: r.get(3)?,
                annotator: r.get(4)?,
                at: r.get(5)?,
                undoes: r.get(6)?,
                layer: r.get(7)?,
            })
        })
    }

    /// Whether `doc` has an action in this layer after `seen` (another raqim's, which
    /// a read-only viewer follows).
    pub fn changed_since(&self, doc: &str, seen: i64) -> Result<bool, StoreError> {
        Ok(self.last_seq(doc)? > seen)
    }

    /// The seq of the document's newest action (0 if none): a process compares it with
    /// the last one it knows to notice another process's actions.
    pub fn last_seq(&self, doc: &str) -> Result<i64, StoreError> {
        self.conn
            .query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM actions WHERE doc = ?1 AND layer = ?2",
                [doc, &self.layer],
                |r| r.get(0),
            )
            .map_err(|e| self.sq(e))
    }

    fn update_document(
        &mut self,
        doc: &str,
        sql: &str,
        p: &[&dyn rusqlite::ToSql],
    ) -> Result<(), StoreError> {
        self.writable()?;
        let n = self.conn.execute(sql, p).map_err(|e| self.sq(e))?;
        if n == 0 {
            return Err(self.unknown_document(doc));
        }
        Ok(())
    }

    /// Remembers where the reader was: cursor (code points) and the first visible line.
    pub fn set_view(&mut self, doc: &str, cursor: usize, top: usize) -> Result<(), StoreError> {
        let layer = self.layer.clone();
        self.update_document(
            doc,
            SET_VIEW,
            params![doc, layer, cursor as i64, top as i64],
        )
    }

    /// The remembered (cursor, top), if any.
    pub fn view(&self, doc: &str) -> Result<Option<(usize, usize)>, StoreError> {
        let row: Option<(Option<i64>, Option<i64>)> = self
            .rows(
                "SELECT cursor, top FROM layers WHERE doc = ?1 AND layer = ?2",
                [doc, &self.layer],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .pop();
        Ok(match row {
            Some((Some(c), Some(t))) => Some((c as usize, t as usize)),
            _ => None,
        })
    }

    /// Marks a document as reviewed (or not).
    pub fn set_done(&mut self, doc: &str, done: bool) -> Result<(), StoreError> {
        let layer = self.layer.clone();
        self.update_document(
            doc,
            "INSERT INTO layers (doc, layer, done) SELECT ?1, ?2, ?3 \
             FROM documents WHERE id = ?1 \
             ON CONFLICT(doc, layer) DO UPDATE SET done = excluded.done",
            params![doc, layer, done],
        )
    }

    /// Whether the document is marked reviewed in this layer (`None` if the document
    /// is unknown).
    pub fn done(&self, doc: &str) -> Result<Option<bool>, StoreError> {
        Ok(self
            .rows(
                "SELECT (SELECT done FROM layers WHERE doc = d.id AND layer = ?2) \
                 FROM documents d WHERE d.id = ?1",
                [doc, &self.layer],
                |r| Ok(r.get::<_, Option<bool>>(0)?.unwrap_or(false)),
            )?
            .pop())
    }

    /// How many of a document's spans are pending, accepted and rejected (from the
    /// state index, without reading the spans).
    pub fn span_counts(&self, doc: &str) -> Result<(usize, usize, usize), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT state, COUNT(*) FROM spans WHERE doc = ?1 AND layer = ?2 GROUP BY state",
            )
            .map_err(|e| self.sq(e))?;
        let rows = stmt
            .query_map([doc, &self.layer], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(|e| self.sq(e))?;
        let mut c = (0, 0, 0);
        for row in rows {
            let (state, n) = row.map_err(|e| self.sq(e))?;
            match state.parse() {
                Ok(State::Pending) => c.0 = n as usize,
                Ok(State::Accepted) => c.1 = n as usize,
                Ok(State::Rejected) => c.2 = n as usize,
                Err(_) => {}
            }
        }
        Ok(c)
    }

    /// Replaces the suggestion memory (one JSON blob) built from every action up to and
    /// including `upto_seq`; later actions are replayed from [`Store::actions_after`].
    pub fn save_memory(&mut self, json: &str, upto_seq: i64) -> Result<(), StoreError> {
        self.writable()?;
        if let Some(who) = &self.memory_owner {
            return self
                .conn
                .execute(
                    "INSERT INTO annotator_memory (annotator, json, updated, upto_seq) \
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT(annotator) DO UPDATE SET \
                     json = excluded.json, updated = excluded.updated, \
                     upto_seq = excluded.upto_seq",
                    params![who, json, now_ms(), upto_seq],
                )
                .map(|_| ())
                .map_err(|e| self.sq(e));
        }
        self.conn
            .execute(
                "INSERT INTO memory (id, json, updated, upto_seq) VALUES (1, ?1, ?2, ?3) \
                 ON CONFLICT(id) DO UPDATE SET json = excluded.json, \
                 updated = excluded.updated, upto_seq = excluded.upto_seq",
                params![json, now_ms(), upto_seq],
            )
            .map(|_| ())
            .map_err(|e| self.sq(e))
    }

    /// The suggestion memory and the last action seq it includes, if one was saved. A
    /// memory saved before schema version 2 reports 0 (it did not record one).
    pub fn load_memory(&self) -> Result<Option<(String, i64)>, StoreError> {
        if let Some(who) = &self.memory_owner {
            if self.schema_version()? < 6 {
                return Ok(None);
            }
            return Ok(self
                .rows(
                    "SELECT json, upto_seq FROM annotator_memory WHERE annotator = ?1",
                    [who],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?
                .pop());
        }
        Ok(self
            .rows("SELECT json, upto_seq FROM memory WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .pop())
    }

    /// Every action after `seq`, of all documents, oldest first: what a memory snapshot
    /// taken at `seq` has not yet learnt.
    pub fn actions_after(&self, seq: i64) -> Result<Vec<ActionRow>, StoreError> {
        self.query_actions(ACTIONS_AFTER, [seq])
    }

    /// The newest action's seq in the whole database (0 if none): what a memory snapshot
    /// saved now includes.
    pub fn max_seq(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM actions", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.sq(e))
    }

    /// Every document, oldest first (then by id), without its text; `done` is this
    /// layer's mark.
    pub fn documents(&self) -> Result<Vec<DocumentRow>, StoreError> {
        self.query_documents("ORDER BY added, id")
    }

    /// Documents in the order `order` says (an `ORDER BY` clause), without texts. A
    /// database before schema version 3 (an export does not migrate) has no record ids.
    fn query_documents(&self, order: &str) -> Result<Vec<DocumentRow>, StoreError> {
        let record_id = if self.schema_version()? >= 3 {
            "record_id"
        } else {
            "NULL"
        };
        let sql = format!(
            "SELECT id, name, source_path, \
             coalesce((SELECT done FROM layers l WHERE l.doc = documents.id AND l.layer = ?1), 0), \
             added, {record_id} FROM documents {order}"
        );
        self.rows(&sql, [&self.layer], |r| {
            Ok(DocumentRow {
                id: r.get(0)?,
                name: r.get(1)?,
                source_path: r.get(2)?,
                done: r.get(3)?,
                added: r.get(4)?,
                record_id: r.get(5)?,
            })
        })
    }
}
