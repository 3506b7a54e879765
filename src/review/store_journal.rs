//! The journal backed by the SQLite store, and opening a document for review from it:
//! its spans, undo history, view and done mark, the document lock, and the suggestion
//! memory (the last snapshot plus the decisions logged after it).
//!
//! Converts between the byte offsets the core works in and the code points the store
//! keeps with `offsets::CharIndex` (a sparse index, so a conversion reads at most a
//! few KiB of text whatever the document's size). Must not: know the terminal.

use super::{Entry, JournalError};
use std::path::Path;
use std::sync::Arc;

use crate::annotation::{Annotations, Edit, NEW_ID, Span};
use crate::document::Document;
use crate::offsets::CharIndex;
use crate::store::{Change, DocLock, NewSpan, Store, StoreError};
use crate::suggest::Engine;
use crate::suggest::memory::{Memory, doc_key};

use super::{LogRow, PROJECT_KINDS, Payload, Review, Snapshot, rebuild_history, rebuild_notes};

/// A [`super::Journal`] writing to one document of a [`Store`].
pub struct StoreJournal {
    store: Store,
    doc: String,
    index: CharIndex,
    annotator: String,
    /// Held while the document is open here; `None` when read-only.
    _lock: Option<DocLock>,
    /// The view to save with the next commit (code points, first row).
    view: Option<(usize, usize)>,
}

impl StoreJournal {
    fn new_span(&self, s: &Span) -> NewSpan {
        NewSpan {
            start: self.index.to_chars(s.start),
            end: self.index.to_chars(s.end),
            label: s.label.clone(),
            state: s.state,
            source: s.source.clone(),
            score: s.score,
        }
    }

    fn changes(&self, edit: &Edit, out: &mut Vec<Change>) {
        match edit {
            Edit::Insert(s) if s.id == NEW_ID => out.push(Change::Insert(self.new_span(s))),
            Edit::Insert(s) => out.push(Change::Restore {
                id: s.id as i64,
                span: self.new_span(s),
            }),
            Edit::Remove(s) => out.push(Change::Delete { id: s.id as i64 }),
            Edit::Replace { after, .. } => out.push(Change::Update {
                id: after.id as i64,
                span: self.new_span(after),
            }),
            Edit::Batch(v) => v.iter().for_each(|e| self.changes(e, out)),
        }
    }
}

impl super::Journal for StoreJournal {
    fn commit(&mut self, entry: &Entry<'_>) -> Result<(i64, Vec<u64>), JournalError> {
        let mut changes = Vec::new();
        self.changes(entry.edit, &mut changes);
        let payload = |ids: &[i64]| {
            let ids: Vec<u64> = ids.iter().map(|&i| i as u64).collect();
            (entry.payload)(&ids)
        };
        let (seq, ids) = self.store.commit_with(
            &self.doc,
            entry.kind,
            &payload,
            &self.annotator,
            entry.undoes,
            &changes,
            self.view,
        )?;
        Ok((seq, ids.into_iter().map(|i| i as u64).collect()))
    }

    fn view_hint(&mut self, cursor: usize, top: usize) {
        self.view = Some((self.index.to_chars(cursor), top));
    }

    fn set_done(&mut self, done: bool) -> Result<(), JournalError> {
        Ok(self.store.set_done(&self.doc, done)?)
    }

    fn set_view(&mut self, cursor: usize, top: usize) -> Result<(), JournalError> {
        let c = self.index.to_chars(cursor);
        Ok(self.store.set_view(&self.doc, c, top)?)
    }

    fn save_memory(&mut self, json: &str, upto_seq: i64) -> Result<(), JournalError> {
        Ok(self.store.save_memory(json, upto_seq)?)
    }

    fn describe(&self) -> String {
        format!("db: {}", self.store.path().display())
    }

    fn refusal(&self) -> Option<&str> {
        self.store.refusal()
    }

    fn set_flag(
        &mut self,
        place: Option<(usize, usize)>,
        note: Option<&str>,
    ) -> Result<(), JournalError> {
        let place = place.map(|(a, b)| (self.index.to_chars(a), self.index.to_chars(b)));
        Ok(self
            .store
            .set_flag(&self.doc, place, note, &self.annotator)?)
    }

    fn moved_on(&self, seen: i64) -> bool {
        if self.store.changed_since(&self.doc, seen).unwrap_or(false) {
            return true;
        }
        // Held here, nothing to take over; else whether the holder has let go.
        self._lock.is_none() && self.store.lock_document(&self.doc, &self.annotator).is_ok()
    }

    fn reopen(&self, doc: &Document, engine: &Engine) -> Option<Result<Opened, StoreError>> {
        let reopened = (|| {
            let mut store = Store::open(self.store.path())?;
            store.set_layer(self.store.layer());
            store.set_memory_owner(self.store.memory_owner());
            open_document(store, doc, None, &self.annotator, engine)
        })();
        Some(reopened)
    }
}

/// A document opened for review.
pub struct Opened {
    pub review: Review,
    /// Where the reader was: cursor (byte offset) and first row.
    pub view: Option<(usize, usize)>,
    /// Things the user should know that did not stop the opening (history that could
    /// not be rebuilt, spans that no longer fit the text).
    pub warnings: Vec<String>,
}

/// Loads the memory: the last snapshot, then every decision logged after it (in any
/// document) that it does not include. A snapshot of version 1 did not keep the
/// documents rejects were taken in: the memory is rebuilt from the whole log, which
/// has them.
/// Returns the memory, the last seq it includes, warnings, and how many log rows were
/// read to bring it up to date.
fn load_memory(
    store: &Store,
    engine: &Engine,
) -> Result<(Memory, i64, Vec<String>, usize), StoreError> {
    let mut warnings = Vec::new();
    let (mut memory, upto, also) = match store.load_memory()? {
        Some((json, upto)) => match serde_json::from_str::<Snapshot>(&json)
            .map_err(|e| e.to_string())
            .and_then(|s| {
                let json = s.memory.to_string();
                // Before version 3 the documents it names are not in layers.
                let old = Memory::version_of(&json).is_some_and(|v| v < 3);
                Ok((Memory::from_json(&json)?, s.also, old))
            }) {
            Ok((_, _, true)) => {
                tracing::info!("memory: a snapshot before layers; rebuilt from the log");
                (Memory::new(), 0, Vec::new())
            }
            Ok((m, also, false)) => (m, upto, also),
            Err(e) => {
                warnings.push(format!(
                    "{}: the suggestion memory could not be read ({e}); rebuilding it from the log",
                    store.path().display()
                ));
                (Memory::new(), 0, Vec::new())
            }
        },
        None => (Memory::new(), 0, Vec::new()),
    };
    let mut texts: std::collections::HashMap<String, Option<String>> = Default::default();
    let mut last = upto;
    let rows = store.actions_after(upto)?;
    let replayed = rows.len();
    // Project-wide steps (X) and their undos and redos, by seq.
    let mut project = std::collections::HashSet::new();
    for row in rows {
        last = last.max(row.seq);
        let is_project = match row.kind.as_str() {
            "undo" | "redo" => row.undoes.is_some_and(|u| project.contains(&u)),
            k => PROJECT_KINDS.contains(&k),
        };
        if is_project {
            project.insert(row.seq);
        }
        if also.contains(&row.seq) {
            continue;
        }
        // An analyst's own memory learns from their decisions only.
        if store.memory_owner().is_some_and(|who| who != row.annotator) {
            continue;
        }
        let Ok(p) = serde_json::from_str::<Payload>(&row.payload) else {
            continue;
        };
        if !p.teaches() {
            continue;
        }
        if !texts.contains_key(&row.doc) {
            let t = store.document_text(&row.doc)?;
            texts.insert(row.doc.clone(), t);
        }
        // Without the text, decisions cannot be read; the entries a forget names are
        // whole and need none.
        let text = texts.get(&row.doc).and_then(|t| t.as_deref()).unwrap_or("");
        let key = doc_key(&row.doc, &row.layer);
        p.replay(engine, &mut memory, (text, &key, row.at), is_project);
    }
    Ok((memory, last, warnings, replayed))
}

/// Opens `doc` for review in `store`, in the store's layer (the annotator's own when
/// none was set): records it (and the file it came from), takes the lock of the
/// document's layer (read-only, with the reason, when another raqim holds it), loads
/// its spans, rebuilds its undo history from the log, and loads the memory.
pub fn open_document(
    mut store: Store,
    doc: &Document,
    source: Option<&Path>,
    annotator: &str,
    engine: &Engine,
) -> Result<Opened, StoreError> {
    if store.layer().is_empty() {
        store.set_layer(annotator);
    }
    let id = doc.id();
    store.add_document(&id, &doc.name, source, &doc.text)?;
    let (lock, read_only) = match store.lock_document(&id, annotator) {
        Ok(l) => (Some(l), None),
        Err(e @ StoreError::DocumentInUse { .. }) => (None, Some(e.to_string())),
        Err(e) => return Err(e),
    };
    // Opening reads only the top of the file; the whole of it is checked meanwhile,
    // and damage found there makes the review read-only from that moment. The check
    // starts after the document is recorded: started before, on a loaded machine it
    // could finish first and refuse that write, failing the opening instead of
    // showing the document read-only.
    let _check = store.verify_in_background();
    let text: Arc<str> = Arc::from(doc.text.as_str());
    let index = CharIndex::new(Arc::clone(&text));
    let mut warnings = Vec::new();
    let mut spans = Vec::new();
    // The spans come by start: each conversion walks on from the last start.
    let mut at = (0, 0);
    for stored in store.spans(&id)? {
        let s = stored.span;
        let start = index.to_byte_from(at, s.start);
        if let Some(b) = start {
            at = (b, s.start);
        }
        match (start, index.to_byte_from(at, s.end)) {
            (Some(a), Some(b)) if a < b => spans.push(Span {
                id: stored.id as u64,
                start: a,
                end: b,
                label: s.label,
                state: s.state,
                source: s.source,
                score: s.score,
            }),
            _ => warnings.push(format!(
                "span {} ({}..{}) does not fit the text; left in the database, not shown",
                stored.id, s.start, s.end
            )),
        }
    }
    let mut ann = Annotations::from_spans(spans);
    let actions = store.actions(&id)?;
    let rows: Vec<LogRow<'_>> = actions
        .iter()
        .map(|a| LogRow {
            seq: a.seq,
            kind: &a.kind,
            payload: &a.payload,
            undoes: a.undoes,
        })
        .collect();
    let notes = rebuild_notes(&rows);
    match rebuild_history(&rows) {
        Some((undo, redo)) => ann.set_history(undo, redo),
        None => warnings.push(
            "the undo history of this document could not be rebuilt from the log; \
             its spans are intact, undo starts afresh"
                .to_string(),
        ),
    }
    let view = store
        .view(&id)?
        .and_then(|(c, top)| Some((index.to_byte(c)?, top)));
    let done = store.done(&id)?.unwrap_or(false);
    let mut flags = Vec::new();
    for f in store.flags(&id)? {
        let place = match f.place {
            None => None,
            Some((a, b)) => match (index.to_byte(a), index.to_byte(b)) {
                (Some(a), Some(b)) if a < b => Some((a, b)),
                _ => {
                    warnings.push(format!(
                        "a flag ({a}..{b}) does not fit the text; left in the database, not shown"
                    ));
                    continue;
                }
            },
        };
        flags.push(super::Flagged {
            place,
            note: f.note,
        });
    }
    let (memory, base_seq, mw, replayed) = load_memory(&store, engine)?;
    warnings.extend(mw);
    let id_for_memory = doc_key(&id, store.layer());
    let journal = StoreJournal {
        store,
        doc: id,
        index,
        annotator: annotator.to_string(),
        _lock: lock,
        view: None,
    };
    let mut review = Review::new(ann, Box::new(journal), memory);
    review.set_doc(id_for_memory);
    review.set_notes(notes);
    review.set_done_flag(done);
    review.set_flags(flags);
    review.set_base_seq(base_seq);
    review.set_seen(actions.last().map_or(0, |a| a.seq));
    if let Some(why) = read_only {
        review.set_read_only(why);
    }
    if replayed > 0 {
        review.snapshot_is_stale();
        // A long replay (e.g. after an import) is not paid again on the next open.
        if replayed >= 1000 {
            let _ = review.save_memory();
        }
    }
    Ok(Opened {
        review,
        view,
        warnings,
    })
}
