//! The store as the rest of raqim sees it: one interface over two backends, SQLite (a
//! file, the default) and PostgreSQL (a team server, named by a `postgresql://` URL
//! wherever a database path is taken). Every method means the same on both; only
//! what each backend is made of differs (a file and its lock files; a server, its
//! advisory locks and notifications).
//!
//! Must not: hold SQL of its own (each backend has its own module) or know the
//! terminal.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::pg::{PgStore, PgUrl};
use super::{
    ActionRow, Assignment, Change, DocLock, DocumentRow, Flag, FullDocument, ImportDoc,
    ImportReport, LayerRow, Registration, SqliteStore, StoreError, StoredSpan,
};

/// An open raqim database, of either backend. (The SQLite one is kept unboxed: a
/// store is made once per opening, and the viewer's hot path goes through it.)
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Store {
    Sqlite(SqliteStore),
    Pg(Box<PgStore>),
}

/// Calls the same method on whichever backend `$self` is.
macro_rules! each {
    ($self:expr, $s:ident => $e:expr) => {
        match $self {
            Store::Sqlite($s) => $e,
            Store::Pg($s) => $e,
        }
    };
}

/// Whether the database at `path` exists: a file there, or a server named by a URL
/// (whose existence only connecting tells).
pub fn exists(path: &Path) -> bool {
    PgUrl::of(path).is_some() || path.exists()
}

impl Store {
    /// `$RAQIM_DB`, else `$XDG_DATA_HOME/raqim/raqim.db`, else
    /// `~/.local/share/raqim/raqim.db`; `None` if there is no home either.
    pub fn default_path() -> Option<PathBuf> {
        SqliteStore::default_path()
    }

    /// The database to use: the `--db` flag if given, else [`Store::default_path`].
    pub fn resolve_path(db_flag: Option<&Path>) -> Option<PathBuf> {
        SqliteStore::resolve_path(db_flag)
    }

    /// Opens the database at `path` (a file, made if missing) or the server its URL
    /// names (its schema made or migrated if needed).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_timeout(path, super::DEFAULT_BUSY_TIMEOUT)
    }

    /// [`Store::open`] with another busy timeout (SQLite's wait for a writer; the
    /// server's lock timeout).
    pub fn open_with_timeout(path: &Path, busy_timeout: Duration) -> Result<Store, StoreError> {
        match PgUrl::of(path) {
            Some(url) => Ok(Store::Pg(Box::new(PgStore::open(url?, busy_timeout)?))),
            None => Ok(Store::Sqlite(SqliteStore::open_with_timeout(
                path,
                busy_timeout,
            )?)),
        }
    }

    /// A new, empty database for `path`, published by [`Store::publish`]; on a
    /// server, the database is the server's and this is [`Store::open`].
    pub fn create(path: &Path) -> Result<Store, StoreError> {
        match PgUrl::of(path) {
            Some(_) => Store::open(path),
            None => Ok(Store::Sqlite(SqliteStore::create(path)?)),
        }
    }

    /// See [`SqliteStore::publish`]; a server's database is always in its place.
    pub fn publish(self) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.publish(),
            Store::Pg(_) => Ok(true),
        }
    }

    /// Opens an existing database only for reading (export, check): every write is
    /// refused, nothing is migrated.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        match PgUrl::of(path) {
            Some(url) => Ok(Store::Pg(Box::new(PgStore::open_read_only(url?)?))),
            None => Ok(Store::Sqlite(SqliteStore::open_read_only(path)?)),
        }
    }

    /// The SQLite store, for what only a file has (its tests).
    pub fn sqlite(&self) -> Option<&SqliteStore> {
        match self {
            Store::Sqlite(s) => Some(s),
            Store::Pg(_) => None,
        }
    }

    /// The SQLite store, mutably, for what only a file has (its tests).
    pub fn sqlite_mut(&mut self) -> Option<&mut SqliteStore> {
        match self {
            Store::Sqlite(s) => Some(s),
            Store::Pg(_) => None,
        }
    }

    pub fn verify(&self) -> Result<(), StoreError> {
        each!(self, s => s.verify())
    }

    pub fn verify_in_background(&self) -> std::thread::JoinHandle<Result<(), StoreError>> {
        each!(self, s => s.verify_in_background())
    }

    pub fn refusal(&self) -> Option<&str> {
        each!(self, s => s.refusal())
    }

    /// The database file, or the server's URL (never with a password).
    pub fn path(&self) -> &Path {
        each!(self, s => s.path())
    }

    pub fn set_layer(&mut self, layer: &str) {
        each!(self, s => s.set_layer(layer))
    }

    pub fn layer(&self) -> &str {
        each!(self, s => s.layer())
    }

    pub fn set_memory_owner(&mut self, who: Option<&str>) {
        each!(self, s => s.set_memory_owner(who))
    }

    pub fn memory_owner(&self) -> Option<&str> {
        each!(self, s => s.memory_owner())
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        each!(self, s => s.schema_version())
    }

    /// Refuses, before anything is sent, a write into `layer` that the connected
    /// user may not make: on a server whose roles `raqim db roles` made, an
    /// annotator writes only their own layer and `gold` only a curator
    /// ([`super::pg::roles`]). A SQLite file has no users to tell apart.
    pub fn may_write(&self, layer: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Pg(s) => s.may_write(layer),
        }
    }

    pub fn add_document(
        &mut self,
        id: &str,
        name: &str,
        source_path: Option<&Path>,
        text: &str,
    ) -> Result<(), StoreError> {
        each!(self, s => s.add_document(id, name, source_path, text))
    }

    pub fn document_text(&self, id: &str) -> Result<Option<String>, StoreError> {
        each!(self, s => s.document_text(id))
    }

    pub fn document_for_path(&self, path: &Path) -> Result<Option<(String, String)>, StoreError> {
        each!(self, s => s.document_for_path(path))
    }

    /// Refuses a file whose text (hash `id`) differs from the one last annotated under
    /// `path`, so a changed file is never silently re-annotated. A path never seen is fine.
    pub fn check_unchanged(&self, path: &Path, id: &str) -> Result<(), StoreError> {
        match self.document_for_path(path)? {
            Some((old, _)) if old != id => Err(StoreError::HashMismatch {
                path: self.path().to_path_buf(),
                doc: old,
                found: id.to_string(),
            }),
            _ => Ok(()),
        }
    }

    pub fn lock_document(&self, doc: &str, annotator: &str) -> Result<DocLock, StoreError> {
        each!(self, s => s.lock_document(doc, annotator))
    }

    pub fn spans(&self, doc: &str) -> Result<Vec<StoredSpan>, StoreError> {
        each!(self, s => s.spans(doc))
    }

    /// One action = one transaction: appends the action row and applies `changes`.
    /// Returns the action's seq and the ids of the spans [`Change::Insert`] created, in
    /// order ([`Change::Restore`] adds none: its id is the one the caller gave). Nothing
    /// is applied if anything fails (unknown document, span or undone action, bad range,
    /// a restored id already taken). [`Store::commit_with`] with a fixed payload.
    pub fn commit(
        &mut self,
        doc: &str,
        kind: &str,
        payload: &str,
        annotator: &str,
        undoes: Option<i64>,
        changes: &[Change],
    ) -> Result<(i64, Vec<i64>), StoreError> {
        let payload = |_: &[i64]| payload.to_string();
        self.commit_with(doc, kind, &payload, annotator, undoes, changes, None)
    }

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
        self.may_write(self.layer())?;
        each!(self, s => s.commit_with(doc, kind, payload, annotator, undoes, changes, view))
    }

    pub fn actions(&self, doc: &str) -> Result<Vec<ActionRow>, StoreError> {
        each!(self, s => s.actions(doc))
    }

    /// Whether `doc` has an action in this layer after `seen`: asked of the table on
    /// a file, heard as a notification on a server (LISTEN/NOTIFY).
    pub fn changed_since(&self, doc: &str, seen: i64) -> Result<bool, StoreError> {
        each!(self, s => s.changed_since(doc, seen))
    }

    pub fn last_seq(&self, doc: &str) -> Result<i64, StoreError> {
        each!(self, s => s.last_seq(doc))
    }

    pub fn set_view(&mut self, doc: &str, cursor: usize, top: usize) -> Result<(), StoreError> {
        self.may_write(self.layer())?;
        each!(self, s => s.set_view(doc, cursor, top))
    }

    pub fn view(&self, doc: &str) -> Result<Option<(usize, usize)>, StoreError> {
        each!(self, s => s.view(doc))
    }

    pub fn set_done(&mut self, doc: &str, done: bool) -> Result<(), StoreError> {
        self.may_write(self.layer())?;
        each!(self, s => s.set_done(doc, done))
    }

    pub fn done(&self, doc: &str) -> Result<Option<bool>, StoreError> {
        each!(self, s => s.done(doc))
    }

    pub fn span_counts(&self, doc: &str) -> Result<(usize, usize, usize), StoreError> {
        each!(self, s => s.span_counts(doc))
    }

    pub fn save_memory(&mut self, json: &str, upto_seq: i64) -> Result<(), StoreError> {
        // One's own memory is a row named as oneself, held like a layer.
        if let Some(owner) = self.memory_owner() {
            self.may_write(owner)?;
        }
        each!(self, s => s.save_memory(json, upto_seq))
    }

    pub fn load_memory(&self) -> Result<Option<(String, i64)>, StoreError> {
        each!(self, s => s.load_memory())
    }

    pub fn actions_after(&self, seq: i64) -> Result<Vec<ActionRow>, StoreError> {
        each!(self, s => s.actions_after(seq))
    }

    pub fn max_seq(&self) -> Result<i64, StoreError> {
        each!(self, s => s.max_seq())
    }

    pub fn documents(&self) -> Result<Vec<DocumentRow>, StoreError> {
        each!(self, s => s.documents())
    }

    pub fn import_documents(
        &mut self,
        docs: &[ImportDoc],
        kind: &str,
        annotator: &str,
        payload: &dyn Fn(usize, usize) -> String,
    ) -> Result<ImportReport, StoreError> {
        let mut layers: Vec<&str> = docs
            .iter()
            .map(|d| d.layer.as_deref().unwrap_or(self.layer()))
            .collect();
        layers.sort_unstable();
        layers.dedup();
        for layer in layers {
            self.may_write(layer)?;
        }
        each!(self, s => s.import_documents(docs, kind, annotator, payload))
    }

    pub fn documents_as_added(&self) -> Result<Vec<DocumentRow>, StoreError> {
        each!(self, s => s.documents_as_added())
    }

    pub fn read_documents<E: From<StoreError>>(
        &self,
        rows: &[DocumentRow],
        each: impl FnMut(FullDocument) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Store::Sqlite(s) => s.read_documents(rows, each),
            Store::Pg(s) => s.read_documents(rows, each),
        }
    }

    pub fn foreign_fields(
        &self,
        doc: &str,
    ) -> Result<Option<serde_json::Map<String, serde_json::Value>>, StoreError> {
        each!(self, s => s.foreign_fields(doc))
    }

    pub fn flags(&self, doc: &str) -> Result<Vec<Flag>, StoreError> {
        each!(self, s => s.flags(doc))
    }

    pub fn set_flag(
        &mut self,
        doc: &str,
        place: Option<(usize, usize)>,
        note: Option<&str>,
        annotator: &str,
    ) -> Result<(), StoreError> {
        self.may_write(self.layer())?;
        each!(self, s => s.set_flag(doc, place, note, annotator))
    }

    pub fn assign(&mut self, rows: &[(String, String)]) -> Result<usize, StoreError> {
        if let Store::Pg(s) = self {
            s.may_assign()?;
        }
        each!(self, s => s.assign(rows))
    }

    pub fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        each!(self, s => s.assignments())
    }

    pub fn assigned_to(&self, annotator: &str) -> Result<Vec<String>, StoreError> {
        each!(self, s => s.assigned_to(annotator))
    }

    pub fn layers(&self) -> Result<Vec<LayerRow>, StoreError> {
        each!(self, s => s.layers())
    }

    pub fn spans_of_all_layers(
        &self,
        doc: &str,
    ) -> Result<std::collections::BTreeMap<String, Vec<StoredSpan>>, StoreError> {
        each!(self, s => s.spans_of_all_layers(doc))
    }

    pub fn register_documents(
        &mut self,
        docs: &[Registration],
        new_text: bool,
    ) -> Result<Vec<String>, StoreError> {
        each!(self, s => s.register_documents(docs, new_text))
    }
}
