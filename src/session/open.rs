//! How a document is opened for review: from a file or a set of documents, with the
//! annotation database, and what happens when a file changed since it was annotated.
//!
//! Owns: where documents are kept ([`Keeper`]), the choice about a changed file
//! ([`Changed`]; the question itself is a callback the front end answers), the
//! documents of a set ([`DocumentSource`], [`SetSource`]) and their progress as the
//! document list shows it, reading an article (standard input included), and the log
//! line of an opened document. Must not: touch the terminal or know the command line
//! (the binary resolves its arguments into the plain values taken here).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::set::{self, Entry, SetError};
use crate::document::{self, Document};
use crate::logging;
use crate::review::{Opened, ReviewError, open_document};
use crate::store::{Registration, Store, StoreError};
use crate::suggest::options::Options;
use crate::suggest::{Engine, SourceError, builtin_engine};

/// Why a document (or the engine or database it needs) could not be opened for
/// review. Each message names the file, the database or the record at fault; the
/// lower errors keep their own words (and their causes as [`std::error::Error::source`]).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Standard input could not be read.
    #[error("standard input: cannot read")]
    Stdin(#[source] std::io::Error),
    /// The article cannot be read or is not text.
    #[error(transparent)]
    Document(#[from] document::OpenError),
    /// A set, or one of its documents, cannot be read.
    #[error(transparent)]
    Set(#[from] SetError),
    /// A user's label, gazetteer, rules or model file.
    #[error(transparent)]
    Engine(#[from] SourceError),
    /// The database cannot be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No database was named and there is no default place for one.
    #[error("no place for the annotation database: set --db PATH or RAQIM_DB, or HOME")]
    NoDatabasePlace,
    /// The file changed since it was annotated, no choice was given and nobody can be
    /// asked (the screen is taken).
    #[error(
        "{} changed since it was annotated ({spans} spans on the stored version); \
         open it alone to choose, or give --changed stored|new",
        file.display()
    )]
    ChangedUnasked { file: PathBuf, spans: usize },
    /// The database knows the file's annotated version but not its text.
    #[error("the stored version is missing from the database")]
    StoredVersionMissing,
    /// The question about a changed file got no answer the opening can go on with
    /// (the user quit, or nobody can answer); the front end's words.
    #[error("{0}")]
    Declined(String),
    /// The question about a changed file could not be asked or its answer read.
    #[error(transparent)]
    Asking(std::io::Error),
    /// A record's spans could not be given to the review. Its message says it all
    /// (a read-only review, a journal that could not write), so it has no cause of its
    /// own to repeat.
    #[error("{0}")]
    Seed(ReviewError),
}

/// What to do with a file whose text changed since it was annotated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Changed {
    /// Open the text as it was annotated (from the database).
    Stored,
    /// Annotate the new text as a new document.
    New,
}

/// The question about a changed file, answered by the front end: given the file and
/// the number of spans on its stored version, open which? An error stops the opening
/// (the user quit, or nobody can answer).
pub type AskChanged<'a> = &'a mut dyn FnMut(&Path, usize) -> Result<Changed, OpenError>;

/// Reads an article from `path`, or from standard input when it is `-`.
pub fn load(path: &Path, lossy: bool) -> Result<Document, OpenError> {
    if path.as_os_str() == "-" {
        let bytes = crate::read_input_from(std::io::stdin().lock()).map_err(OpenError::Stdin)?;
        return Document::from_bytes("<stdin>", bytes, lossy)
            .map_err(|e| OpenError::Document(e.into()));
    }
    Ok(Document::open(path, lossy)?)
}

/// The database `flag` names, else the default one (`RAQIM_DB`, then the XDG place).
pub fn database_path(flag: Option<&Path>) -> Result<PathBuf, OpenError> {
    Store::resolve_path(flag).ok_or(OpenError::NoDatabasePlace)
}

/// The engine a review uses. A user's files are read now, so an error in them is
/// shown before the screen is taken; the embedded engine is `None` here and starts
/// building on a thread, to be ready (as [`builtin_engine`]) once the article is read.
pub fn review_engine(options: &Options) -> Result<Option<Arc<Engine>>, OpenError> {
    if options.is_builtin() {
        std::thread::spawn(builtin_engine);
        return Ok(None);
    }
    Ok(Some(Arc::new(Engine::from_options(options)?)))
}

/// Logs a document opened for review: which, from where, kept where.
pub fn log_opened(name: &str, doc: &Document, opened: Option<&Opened>) {
    let store = opened.map_or_else(|| "none (--no-db)".to_string(), |o| o.review.describe());
    tracing::info!(
        file = %logging::clip(name, usize::MAX),
        doc = %doc.id(),
        store = %logging::clip(&store, usize::MAX),
        "viewer: opened"
    );
    if let Some(o) = opened {
        if let Some(why) = o.review.read_only() {
            tracing::warn!(
                "viewer: read-only: {}",
                logging::clip(why, logging::MESSAGE)
            );
        }
        for w in &o.warnings {
            tracing::warn!("viewer: {}", logging::clip(w, logging::MESSAGE));
        }
    }
}

/// Where documents are kept for review, and by whom: the database (`None`: nothing
/// is kept), the annotator and the layer they work in (their own, or `gold` for a
/// curator), what to do with a changed file (`None`: ask, or refuse when nobody can
/// be asked).
#[derive(Debug, Clone)]
pub struct Keeper {
    db: Option<PathBuf>,
    annotator: String,
    layer: String,
    changed: Option<Changed>,
    /// The annotator's memory learns from their decisions only (`learning =
    /// "annotator"`), instead of the team's from everyone's.
    alone: bool,
}

impl Keeper {
    /// Keeps the annotator's work in their own layer.
    pub fn new(db: Option<PathBuf>, annotator: String, changed: Option<Changed>) -> Keeper {
        Keeper {
            db,
            layer: annotator.clone(),
            annotator,
            changed,
            alone: false,
        }
    }

    /// Whether the annotator learns alone (`learning = "annotator"`) or with the team.
    pub fn learning_alone(mut self, alone: bool) -> Keeper {
        self.alone = alone;
        self
    }

    /// Keeps the work in `layer` instead (a curator's, in `gold`).
    pub fn in_layer(mut self, layer: &str) -> Keeper {
        self.layer = layer.to_string();
        self
    }

    /// The layer the work goes to.
    pub fn layer(&self) -> &str {
        &self.layer
    }

    /// The annotator.
    pub fn annotator(&self) -> &str {
        &self.annotator
    }

    /// The database, if one is kept.
    pub fn db(&self) -> Option<&Path> {
        self.db.as_deref()
    }

    /// The database opened for writing in this keeper's layer.
    fn store(&self, path: &Path) -> Result<Store, OpenError> {
        let mut store = Store::open(path)?;
        store.set_layer(&self.layer);
        // Said on opening, not at the first key pressed: on a team server, whom
        // the connection is may not write this layer (`raqim db roles`).
        store.may_write(&self.layer)?;
        if self.alone {
            store.set_memory_owner(Some(&self.annotator));
        }
        Ok(store)
    }

    /// Opens `doc` (read from `file`) for review. When the file changed since it was
    /// annotated, the choice given to [`Keeper::new`] holds; without one, `ask` is
    /// asked; without either, the opening is refused with a message naming the file.
    pub fn open(
        &self,
        doc: Document,
        file: &Path,
        engine: Option<&Engine>,
        ask: Option<AskChanged<'_>>,
    ) -> Result<(Document, Option<Opened>), OpenError> {
        let Some(path) = &self.db else {
            return Ok((doc, None));
        };
        let store = self.store(path)?;
        let source = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        let mut doc = doc;
        if let Some((old, _)) = store.document_for_path(&source)?
            && old != doc.id()
            && let n = store.spans(&old)?.len()
            && (n > 0 || !store.actions(&old)?.is_empty())
        {
            let choice = match (self.changed, ask) {
                (Some(c), _) => c,
                (None, Some(ask)) => ask(file, n)?,
                (None, None) => {
                    return Err(OpenError::ChangedUnasked {
                        file: file.to_path_buf(),
                        spans: n,
                    });
                }
            };
            if choice == Changed::Stored {
                let text = store
                    .document_text(&old)?
                    .ok_or(OpenError::StoredVersionMissing)?;
                doc = Document::from_text(&doc.name, text, false, false);
            }
        }
        let builtin;
        let engine = match engine {
            Some(e) => e,
            None => {
                builtin = builtin_engine();
                &builtin
            }
        };
        let opened = open_document(store, &doc, Some(&source), &self.annotator, engine)?;
        Ok((doc, Some(opened)))
    }

    /// Opens a document that has no file (a JSON lines record).
    pub fn open_text(&self, doc: &Document, engine: &Engine) -> Result<Option<Opened>, OpenError> {
        let Some(path) = &self.db else {
            return Ok(None);
        };
        let store = self.store(path)?;
        Ok(Some(open_document(
            store,
            doc,
            None,
            &self.annotator,
            engine,
        )?))
    }

    /// The database, if it exists (for reading progress: never created, migrated or
    /// written for that).
    fn existing_store(&self) -> Option<Store> {
        let path = self.db.as_ref().filter(|p| crate::store::exists(p))?;
        let mut store = Store::open_read_only(path).ok()?;
        store.set_layer(&self.layer);
        Some(store)
    }
}

/// "12 accepted · 3 rejected · done · 2 flagged" for a document the store knows
/// with some work on it, else "not started" (a document registered with its set and
/// never worked on included).
fn summary(store: &Store, doc: &Document) -> String {
    let id = doc.id();
    let flags = store.flags(&id).map_or(0, |f| f.len());
    let flagged = if flags > 0 {
        format!(" · {flags} flagged")
    } else {
        String::new()
    };
    match (store.span_counts(&id), store.done(&id)) {
        (Ok((0, 0, 0)), Ok(Some(false))) if flags == 0 => "not started".to_string(),
        (Ok((_, a, r)), Ok(Some(done))) => {
            format!(
                "{a} accepted · {r} rejected{}{flagged}",
                if done { " · done" } else { "" }
            )
        }
        _ => "not started".to_string(),
    }
}

/// Where the documents of a set come from: a front end opens one at a time.
pub trait DocumentSource {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The name the list shows.
    fn name(&self, i: usize) -> String;
    /// The progress the list shows for a document not open (from the store).
    fn summary(&mut self, i: usize) -> String;
    /// Reads document `i`, without opening it for review.
    fn read(&mut self, i: usize) -> Result<Document, OpenError>;
    /// Opens document `i`, as [`DocumentSource::read`] gave it, for review (`None`:
    /// nothing is stored).
    fn open_read(
        &mut self,
        i: usize,
        doc: Document,
    ) -> Result<(Document, Option<Opened>), OpenError>;
    /// Reads document `i` and opens it for review.
    fn open(&mut self, i: usize) -> Result<(Document, Option<Opened>), OpenError> {
        let doc = self.read(i)?;
        self.open_read(i, doc)
    }
}

/// What came of asking a set for another document.
pub enum Switched {
    /// Document `index` opened, with its review.
    Opened {
        index: usize,
        opened: Box<(Document, Option<Opened>)>,
    },
    /// Document `index` has the open document's text: the same document, kept open
    /// (never locked against ourselves).
    Same { index: usize },
    /// Nothing opened: the open document stays.
    Stayed,
}

/// Opens document `i` of a set for a viewer on document `current` (whose text has the
/// id `open_id`). Asked by `]` or `[` (`step`: the direction), a document that cannot
/// be read is skipped for the next one that way. Gives what came of it, what to tell
/// the analyst, and the documents found unreadable (for the list to mark).
pub fn open_in_set(
    source: &mut dyn DocumentSource,
    current: usize,
    open_id: &str,
    i: usize,
    step: Option<bool>,
) -> (Switched, Vec<String>, Vec<usize>) {
    let mut said = Vec::new();
    let mut unreadable = Vec::new();
    let mut i = i;
    loop {
        // The file is read once: its id says whether it is the open document.
        let opened = match source.read(i) {
            Ok(doc) if doc.id() == open_id => {
                let m = format!(
                    "{} has the same text as {}: the same document, kept open",
                    source.name(i),
                    source.name(current)
                );
                tracing::info!("viewer: {}", logging::clip(&m, logging::MESSAGE));
                said.push(m);
                return (Switched::Same { index: i }, said, unreadable);
            }
            Ok(doc) => source.open_read(i, doc),
            Err(e) => Err(e),
        };
        match opened {
            Ok(opened) => {
                let switched = Switched::Opened {
                    index: i,
                    opened: Box::new(opened),
                };
                return (switched, said, unreadable);
            }
            Err(e) => {
                // With its causes, as the binary prints an error.
                let m = format!("{}: {}", source.name(i), with_causes(&e));
                tracing::warn!(
                    "viewer: cannot open {}",
                    logging::clip(&m, logging::MESSAGE)
                );
                unreadable.push(i);
                let further = match step {
                    Some(true) => (i + 1 < source.len()).then_some(i + 1),
                    Some(false) => i.checked_sub(1),
                    None => None,
                };
                match further {
                    Some(n) => {
                        said.push(format!("skipped {m}"));
                        i = n;
                    }
                    None => {
                        said.push(m);
                        return (Switched::Stayed, said, unreadable);
                    }
                }
            }
        }
    }
}

/// An error and its causes, "error: cause: cause", as the binary prints one.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

/// The documents of a directory or a JSON lines file ([`set::load`]), opened one
/// at a time; a record's spans are seeded the first time it is opened.
pub struct SetSource {
    entries: Vec<Entry>,
    keeper: Keeper,
    /// Read once for the list's progress (`None` inside: no database yet).
    summaries: Option<Option<Store>>,
    lossy: bool,
    engine: Option<Arc<Engine>>,
}

impl SetSource {
    /// `engine`: `None` for the embedded one.
    pub fn new(
        entries: Vec<Entry>,
        keeper: Keeper,
        lossy: bool,
        engine: Option<Arc<Engine>>,
    ) -> SetSource {
        SetSource {
            entries,
            keeper,
            summaries: None,
            lossy,
            engine,
        }
    }
}

impl SetSource {
    /// Records every readable document of the set in the database (its text and
    /// name; suggestions are made when a document is first shown), so that an
    /// export, the list's progress and `L` see the documents never opened. One
    /// transaction; a document that cannot be read is left for `]` to skip and name;
    /// a file that changed since it was annotated is left for opening to decide
    /// (`--changed`). A new record that carries spans gets them at once, as the
    /// `import` action opening it would give (so they are exported too); one whose
    /// document is open elsewhere gets them when it is opened. Returns how many
    /// documents the database did not have; with `--no-db`, 0.
    pub fn register(&mut self) -> Result<usize, OpenError> {
        let Some(path) = &self.keeper.db else {
            return Ok(0);
        };
        let mut docs = Vec::with_capacity(self.entries.len());
        // The entries whose record carries spans, with their document's id.
        let mut seeds = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let Ok(doc) = e.open(self.lossy) else {
                continue;
            };
            let id = doc.id();
            if e.path.is_none() && !e.spans.is_empty() {
                seeds.push((i, id.clone()));
            }
            docs.push(Registration {
                record_id: (e.path.is_none() && e.name != id).then(|| e.name.clone()),
                source_path: e
                    .path
                    .as_ref()
                    .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())),
                id,
                name: doc.name,
                text: doc.text,
            });
        }
        let mut store = Store::open(path)?;
        let new_text = self.keeper.changed == Some(Changed::New);
        let added = store.register_documents(&docs, new_text)?;
        drop(store);
        tracing::info!(
            documents = docs.len(),
            added = added.len(),
            "viewer: the set registered"
        );
        for (i, id) in seeds {
            if !added.contains(&id) {
                continue;
            }
            // Opening a new document seeds its record's spans (see `open`); its lock
            // is let go at once.
            if let Err(e) = self.open(i) {
                tracing::warn!(
                    record = %self.entries[i].name,
                    "the record's spans wait for it to be opened: {e:#}"
                );
            }
        }
        Ok(added.len())
    }
}

impl DocumentSource for SetSource {
    fn len(&self) -> usize {
        self.entries.len()
    }

    fn name(&self, i: usize) -> String {
        self.entries[i].name.clone()
    }

    fn summary(&mut self, i: usize) -> String {
        let keeper = &self.keeper;
        let Some(store) = self
            .summaries
            .get_or_insert_with(|| keeper.existing_store())
        else {
            return "not started".to_string();
        };
        match self.entries[i].open(self.lossy) {
            Ok(doc) => summary(store, &doc),
            Err(_) => "cannot be read".to_string(),
        }
    }

    /// A changed file is not asked about here (the screen is taken): it follows the
    /// keeper's choice, or is refused.
    fn read(&mut self, i: usize) -> Result<Document, OpenError> {
        Ok(self.entries[i].open(self.lossy)?)
    }

    fn open_read(
        &mut self,
        i: usize,
        doc: Document,
    ) -> Result<(Document, Option<Opened>), OpenError> {
        let entry = &self.entries[i];
        let engine = self.engine.clone().unwrap_or_else(builtin_engine);
        let (doc, mut opened) = match &entry.path {
            Some(p) => self.keeper.open(doc, p, Some(&engine), None)?,
            None => {
                let opened = self.keeper.open_text(&doc, &engine)?;
                (doc, opened)
            }
        };
        if let Some(o) = opened.as_mut() {
            let left_out = set::seed_spans(&mut o.review, &engine, &doc.text, &entry.spans)
                .map_err(OpenError::Seed)?;
            if left_out > 0 {
                o.warnings.insert(
                    0,
                    format!("{left_out} spans of the record overlap or leave the text: left out"),
                );
            }
        }
        log_opened(&entry.name, &doc, opened.as_ref());
        Ok((doc, opened))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: &str = "قال الجيش السوري إن داعش انسحب\n";
    const SECOND: &str = "قال الجيش العراقي إن داعش انسحب\n";

    /// A keeper with a database in `dir` that never asks on its own.
    fn keeper(dir: &Path, changed: Option<Changed>) -> Keeper {
        Keeper::new(Some(dir.join("raqim.db")), "tester".into(), changed)
    }

    /// Opens `file` as the viewer would and marks its first word a person: one span
    /// on the stored version.
    fn annotate(keeper: &Keeper, file: &Path) {
        let doc = Document::open(file, false).unwrap();
        let (doc, opened) = keeper.open(doc, file, None, None).unwrap();
        let mut o = opened.unwrap();
        let c = o.review.ann.create(0, "قال".len(), "PER");
        o.review
            .act(&builtin_engine(), &doc.text, "create", c)
            .unwrap();
    }

    /// An article annotated with one span, then changed on disk.
    fn changed_article(dir: &Path) -> PathBuf {
        let file = dir.join("article.txt");
        std::fs::write(&file, FIRST).unwrap();
        annotate(&keeper(dir, None), &file);
        std::fs::write(&file, SECOND).unwrap();
        file
    }

    #[test]
    fn a_changed_file_asks_with_the_span_count_and_stored_opens_the_annotated_text() {
        let dir = tempfile::tempdir().unwrap();
        let file = changed_article(dir.path());
        let mut asked = Vec::new();
        let mut ask = |f: &Path, n: usize| {
            asked.push((f.to_path_buf(), n));
            Ok(Changed::Stored)
        };
        let doc = Document::open(&file, false).unwrap();
        let (doc, opened) = keeper(dir.path(), None)
            .open(doc, &file, None, Some(&mut ask))
            .unwrap();
        assert_eq!(asked, [(file.clone(), 1)]);
        assert!(doc.text.contains("السوري"), "{}", doc.text);
        assert_eq!(opened.unwrap().review.ann.counts().1, 1, "the span is back");
    }

    #[test]
    fn a_changed_file_answered_new_is_annotated_from_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = changed_article(dir.path());
        let doc = Document::open(&file, false).unwrap();
        let mut ask = |_: &Path, _: usize| Ok(Changed::New);
        let (doc, opened) = keeper(dir.path(), None)
            .open(doc, &file, None, Some(&mut ask))
            .unwrap();
        assert!(doc.text.contains("العراقي"), "{}", doc.text);
        assert_eq!(opened.unwrap().review.ann.counts().1, 0);
    }

    #[test]
    fn the_given_choice_wins_over_asking() {
        let dir = tempfile::tempdir().unwrap();
        let file = changed_article(dir.path());
        let doc = Document::open(&file, false).unwrap();
        let mut ask = |_: &Path, _: usize| -> Result<Changed, OpenError> {
            panic!("asked although --changed was given")
        };
        let (doc, _) = keeper(dir.path(), Some(Changed::Stored))
            .open(doc, &file, None, Some(&mut ask))
            .unwrap();
        assert!(doc.text.contains("السوري"), "{}", doc.text);
    }

    #[test]
    fn a_changed_file_nobody_can_be_asked_about_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = changed_article(dir.path());
        let doc = Document::open(&file, false).unwrap();
        let Err(e) = keeper(dir.path(), None).open(doc, &file, None, None) else {
            panic!("a changed file opened without a choice");
        };
        assert_eq!(
            format!("{e:#}"),
            format!(
                "{} changed since it was annotated (1 spans on the stored version); \
                 open it alone to choose, or give --changed stored|new",
                file.display()
            )
        );
    }

    #[test]
    fn a_question_answered_with_an_error_opens_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = changed_article(dir.path());
        let doc = Document::open(&file, false).unwrap();
        let mut ask = |f: &Path, _: usize| {
            Err(OpenError::Declined(format!(
                "{}: left as it is",
                f.display()
            )))
        };
        let Err(e) = keeper(dir.path(), None).open(doc, &file, None, Some(&mut ask)) else {
            panic!("opened although the question was not answered");
        };
        assert_eq!(
            format!("{e:#}"),
            format!("{}: left as it is", file.display())
        );
    }

    #[test]
    fn without_a_database_nothing_is_kept_or_asked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("article.txt");
        std::fs::write(&file, FIRST).unwrap();
        let doc = Document::open(&file, false).unwrap();
        let keeper = Keeper::new(None, "tester".into(), None);
        let (_, opened) = keeper.open(doc, &file, None, None).unwrap();
        assert!(opened.is_none());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// A set of two articles kept in `dir`'s database.
    fn set(dir: &Path) -> SetSource {
        let articles = dir.join("articles");
        if !articles.exists() {
            std::fs::create_dir(&articles).unwrap();
            std::fs::write(articles.join("1.txt"), FIRST).unwrap();
            std::fs::write(articles.join("2.txt"), SECOND).unwrap();
        }
        let entries = set::load(&articles).unwrap();
        SetSource::new(entries, keeper(dir, None), false, None)
    }

    #[test]
    fn a_set_lists_its_documents_not_started_before_any_database_exists() {
        let dir = tempfile::tempdir().unwrap();
        let mut source = set(dir.path());
        assert_eq!(source.len(), 2);
        assert_eq!(
            (source.name(0), source.name(1)),
            ("1.txt".into(), "2.txt".into())
        );
        assert_eq!(source.summary(0), "not started");
        assert_eq!(source.summary(1), "not started");
        assert!(
            !dir.path().join("raqim.db").exists(),
            "listing progress created the database"
        );
    }

    #[test]
    fn a_sets_document_that_cannot_be_read_is_named_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut source = set(dir.path());
        let gone = dir.path().join("articles").join("2.txt");
        std::fs::remove_file(&gone).unwrap();
        let Err(e) = source.open(1) else {
            panic!("a removed article opened");
        };
        // As the document list's status line and the binary print it: with its cause.
        let shown = format!("{:#}", anyhow::Error::from(e));
        let reason = std::fs::read(&gone).unwrap_err();
        assert_eq!(shown, format!("{}: cannot read: {reason}", gone.display()));
    }

    #[test]
    fn a_sets_summaries_say_what_was_accepted_and_done() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut source = set(dir.path());
            let (doc, opened) = source.open(0).unwrap();
            let mut o = opened.unwrap();
            let c = o.review.ann.create(0, "قال".len(), "PER");
            o.review
                .act(&builtin_engine(), &doc.text, "create", c)
                .unwrap();
            o.review.set_done(true).unwrap();
        }
        let mut source = set(dir.path());
        assert_eq!(source.summary(0), "1 accepted · 0 rejected · done");
        assert_eq!(source.summary(1), "not started");
    }

    #[test]
    fn a_set_registers_every_readable_document_without_opening_it() {
        let dir = tempfile::tempdir().unwrap();
        drop(set(dir.path()));
        // Not UTF-8: left for `]` to skip and name.
        std::fs::write(dir.path().join("articles").join("3.txt"), b"\xff\xfe\x00x").unwrap();
        let mut source = set(dir.path());
        assert_eq!(source.len(), 3);
        assert_eq!(source.register().unwrap(), 2);
        assert_eq!(source.register().unwrap(), 0, "registered once");
        let store = Store::open_read_only(&dir.path().join("raqim.db")).unwrap();
        let names: Vec<String> = store
            .documents_as_added()
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(names, ["1.txt", "2.txt"]);
        // Nothing was suggested or logged: a registered document is not started.
        for d in store.documents().unwrap() {
            assert!(store.spans(&d.id).unwrap().is_empty());
            assert!(store.actions(&d.id).unwrap().is_empty());
        }
        drop(store);
        assert_eq!(source.summary(1), "not started");
        assert_eq!(source.summary(2), "cannot be read");
    }

    #[test]
    fn a_jsonl_sets_records_are_registered_under_their_ids_with_their_spans() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("set.jsonl");
        std::fs::write(
            &file,
            "{\"id\":\"d1\",\"text\":\"قال داعش\",\"spans\":[{\"start\":4,\"end\":8,\"label\":\"ORG\"}]}\n\
             {\"id\":\"d2\",\"text\":\"في دمشق\"}\n",
        )
        .unwrap();
        let entries = set::load(&file).unwrap();
        let mut source = SetSource::new(entries, keeper(dir.path(), None), false, None);
        assert_eq!(source.register().unwrap(), 2);
        let db = dir.path().join("raqim.db");
        let ids: Vec<Option<String>> = Store::open_read_only(&db)
            .unwrap()
            .documents_as_added()
            .unwrap()
            .into_iter()
            .map(|d| d.record_id)
            .collect();
        assert_eq!(ids, [Some("d1".to_string()), Some("d2".to_string())]);
        // The record's span is in the database before the document is ever opened,
        // so an export has it; opening it adds nothing more.
        let mut store = Store::open_read_only(&db).unwrap();
        store.set_layer("tester");
        let d1 = crate::document::document_id("قال داعش");
        let spans = store.spans(&d1).unwrap();
        assert_eq!(spans.len(), 1, "{spans:?}");
        assert_eq!(store.actions(&d1).unwrap().len(), 1, "one import action");
        drop(store);
        let (_, opened) = source.open(0).unwrap();
        assert_eq!(opened.unwrap().review.ann.counts().0, 1);
        // Registering again seeds nothing twice.
        assert_eq!(source.register().unwrap(), 0);
        let mut store = Store::open_read_only(&db).unwrap();
        store.set_layer("tester");
        assert_eq!(store.actions(&d1).unwrap().len(), 1);
    }

    #[test]
    fn without_a_database_a_set_registers_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("articles")).unwrap();
        std::fs::write(dir.path().join("articles").join("1.txt"), FIRST).unwrap();
        let entries = set::load(&dir.path().join("articles")).unwrap();
        let keeper = Keeper::new(None, "tester".into(), None);
        let mut source = SetSource::new(entries, keeper, false, None);
        assert_eq!(source.register().unwrap(), 0);
        assert!(!dir.path().join("raqim.db").exists());
    }
}
