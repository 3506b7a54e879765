//! Many documents at once: an import of another tool's file as one transaction, and
//! reading documents with their spans from one consistent snapshot for an export.
//!
//! Owns: what an import may add to a document that already has spans (the rule is on
//! [`Store::import_documents`]). Must not: know any interchange format (the records of
//! `formats` are turned into [`ImportDoc`]s by `exchange`) or the terminal.

use rusqlite::{TransactionBehavior, params};

use super::{DocumentRow, NewSpan, SpanState, Store, StoreError, StoredSpan, now_ms, sha256_hex};

/// One document to import, with its spans.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportDoc {
    /// SHA-256 (hex) of `text`; checked.
    pub id: String,
    /// Used when the document is new; a known document keeps its name.
    pub name: String,
    /// The file the text came from, when the record says so. A new document stores it;
    /// the path is recorded for it unless the path already leads to another document.
    pub source_path: Option<String>,
    pub text: String,
    /// The done mark of a new document (a known one keeps its own).
    pub done: bool,
    pub spans: Vec<ImportSpan>,
}

/// A span to import and who made it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSpan {
    pub span: NewSpan,
    pub annotator: String,
}

/// Why an imported span was not added: the document already had a span there.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportConflict {
    /// Index of the document in the slice given to [`Store::import_documents`].
    pub doc: usize,
    /// Index of the span in that document's `spans`.
    pub span: usize,
    /// The span in the way (start, end in code points, label, state).
    pub with: (usize, usize, String, SpanState),
}

/// What [`Store::import_documents`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// Documents the database did not have.
    pub docs_added: usize,
    /// Documents it had (or that came earlier in the same import) that got spans.
    pub docs_updated: usize,
    /// Documents it had that got nothing new.
    pub docs_unchanged: usize,
    pub spans_added: usize,
    /// Spans skipped because the document has one with the same start, end and label.
    pub duplicates: usize,
    /// Spans skipped because they overlap a span the document has.
    pub conflicts: Vec<ImportConflict>,
    /// Action rows written (one per document that got spans).
    pub actions: usize,
}

/// A document with its text and spans, read by [`Store::read_documents`].
#[derive(Debug, Clone, PartialEq)]
pub struct FullDocument {
    pub row: DocumentRow,
    pub text: String,
    pub spans: Vec<StoredSpan>,
}

impl Store {
    /// Adds documents and their spans in ONE transaction: all of it or nothing. Each
    /// document that gets spans gets one action row of `kind` by `annotator`, whose
    /// payload `payload(doc index, ids of the spans added)` makes; undo does not reach
    /// back past such a row (it is not a review edit).
    ///
    /// A span is skipped, and counted, when the document already has (or this import
    /// already gave it) a span with the same start, end and label, whatever its state:
    /// importing a file twice adds nothing, and a decision taken in raqim stands. A
    /// span that is not rejected is also skipped, as a conflict, when it overlaps a
    /// span that is not rejected: spans may not overlap, and the one already there
    /// (reviewed or not) is not replaced behind the analyst's back. A rejected span
    /// conflicts with nothing (it only keeps a suggestion from coming back).
    ///
    /// Statements are prepared once; the cost is one index lookup per document and one
    /// insert per span.
    pub fn import_documents(
        &mut self,
        docs: &[ImportDoc],
        kind: &str,
        annotator: &str,
        payload: &dyn Fn(usize, &[i64]) -> String,
    ) -> Result<ImportReport, StoreError> {
        self.writable()?;
        self.import_tx(docs, kind, annotator, payload)
            .inspect_err(|e| self.note(e))
    }

    fn import_tx(
        &mut self,
        docs: &[ImportDoc],
        kind: &str,
        annotator: &str,
        payload: &dyn Fn(usize, &[i64]) -> String,
    ) -> Result<ImportReport, StoreError> {
        for d in docs {
            let found = sha256_hex(&d.text);
            if found != d.id {
                return Err(StoreError::HashMismatch {
                    path: self.path.clone(),
                    doc: d.id.clone(),
                    found,
                });
            }
        }
        let path = self.path.clone();
        let waited_ms = self.waited_ms;
        let sq = |e| StoreError::from_sqlite(&path, waited_ms, e);
        let now = now_ms();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sq)?;
        let mut report = ImportReport::default();
        {
            let mut get_text = tx
                .prepare("SELECT text FROM documents WHERE id = ?1")
                .map_err(sq)?;
            let mut add_doc = tx
                .prepare(
                    "INSERT INTO documents (id, name, source_path, text, added, done, chars) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(sq)?;
            let mut add_path = tx
                .prepare("INSERT OR IGNORE INTO paths (source_path, doc, seen) VALUES (?1, ?2, ?3)")
                .map_err(sq)?;
            let mut old_spans = tx
                .prepare("SELECT start, end, label, state FROM spans WHERE doc = ?1")
                .map_err(sq)?;
            let mut add_action = tx
                .prepare(
                    "INSERT INTO actions (doc, kind, payload, annotator, at, undoes) \
                     VALUES (?1, ?2, '', ?3, ?4, NULL)",
                )
                .map_err(sq)?;
            let mut set_payload = tx
                .prepare("UPDATE actions SET payload = ?1 WHERE seq = ?2")
                .map_err(sq)?;
            let mut add_span = tx
                .prepare(
                    "INSERT INTO spans (doc, start, end, label, state, source, score, \
                     annotator, created, updated) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                )
                .map_err(sq)?;
            // Documents this import added: a second record with the same text is an
            // update of the first, not a new document.
            let mut seen = std::collections::HashSet::new();
            for (di, d) in docs.iter().enumerate() {
                let stored: Option<String> = get_text
                    .query_row([&d.id], |r| r.get(0))
                    .map(Some)
                    .or_else(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => Ok(None),
                        e => Err(e),
                    })
                    .map_err(sq)?;
                let is_new = match stored {
                    Some(t) if t != d.text => {
                        return Err(StoreError::HashMismatch {
                            path: path.clone(),
                            doc: d.id.clone(),
                            found: "a different stored text".to_string(),
                        });
                    }
                    Some(_) => false,
                    None => {
                        add_doc
                            .execute(params![
                                d.id,
                                d.name,
                                d.source_path,
                                d.text,
                                now,
                                d.done,
                                d.text.chars().count() as i64
                            ])
                            .map_err(sq)?;
                        seen.insert(d.id.as_str());
                        true
                    }
                };
                if let Some(p) = &d.source_path {
                    add_path.execute(params![p, d.id, now]).map_err(sq)?;
                }
                let len = d.text.chars().count();
                // What the document has: every span for duplicates, the ones not
                // rejected for overlaps. New documents have nothing to read.
                let mut have: Vec<(usize, usize, String, SpanState)> = Vec::new();
                if !is_new {
                    let rows = old_spans
                        .query_map([&d.id], |r| {
                            Ok((
                                r.get::<_, i64>(0)? as usize,
                                r.get::<_, i64>(1)? as usize,
                                r.get::<_, String>(2)?,
                                r.get::<_, String>(3)?,
                            ))
                        })
                        .map_err(sq)?;
                    for row in rows {
                        let (s, e, label, state) = row.map_err(sq)?;
                        let state =
                            SpanState::parse(&state).ok_or_else(|| StoreError::BadValue {
                                path: path.clone(),
                                detail: format!("a span of document {} has state {state:?}", d.id),
                            })?;
                        have.push((s, e, label, state));
                    }
                }
                let mut keep: Vec<&ImportSpan> = Vec::with_capacity(d.spans.len());
                for (si, s) in d.spans.iter().enumerate() {
                    let n = &s.span;
                    if n.start > n.end || n.end > len {
                        return Err(StoreError::BadRange {
                            path: path.clone(),
                            doc: d.id.clone(),
                            start: n.start,
                            end: n.end,
                            len,
                        });
                    }
                    if have
                        .iter()
                        .any(|h| h.0 == n.start && h.1 == n.end && h.2 == n.label)
                    {
                        report.duplicates += 1;
                        continue;
                    }
                    if n.state != SpanState::Rejected
                        && let Some(h) = have
                            .iter()
                            .find(|h| h.3 != SpanState::Rejected && h.0 < n.end && n.start < h.1)
                    {
                        report.conflicts.push(ImportConflict {
                            doc: di,
                            span: si,
                            with: h.clone(),
                        });
                        continue;
                    }
                    have.push((n.start, n.end, n.label.clone(), n.state));
                    keep.push(s);
                }
                if keep.is_empty() {
                    if is_new {
                        report.docs_added += 1;
                    } else if !seen.contains(d.id.as_str()) {
                        report.docs_unchanged += 1;
                    }
                    continue;
                }
                add_action
                    .execute(params![d.id, kind, annotator, now])
                    .map_err(sq)?;
                let seq = tx.last_insert_rowid();
                let mut ids = Vec::with_capacity(keep.len());
                for s in keep {
                    let n = &s.span;
                    add_span
                        .execute(params![
                            d.id,
                            n.start as i64,
                            n.end as i64,
                            n.label,
                            n.state.as_str(),
                            n.source,
                            f64::from(n.score),
                            s.annotator,
                            now
                        ])
                        .map_err(sq)?;
                    ids.push(tx.last_insert_rowid());
                }
                set_payload
                    .execute(params![payload(di, &ids), seq])
                    .map_err(sq)?;
                report.actions += 1;
                report.spans_added += ids.len();
                if is_new {
                    report.docs_added += 1;
                } else {
                    report.docs_updated += 1;
                }
            }
        }
        tx.commit().map_err(sq)?;
        Ok(report)
    }

    /// Every document in the order it was added (the records of one import in the
    /// order of its files), without the texts.
    pub fn documents_as_added(&self) -> Result<Vec<DocumentRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, name, source_path, done, added FROM documents ORDER BY added, rowid",
            )
            .map_err(|e| self.sq(e))?;
        stmt.query_map([], |r| {
            Ok(DocumentRow {
                id: r.get(0)?,
                name: r.get(1)?,
                source_path: r.get(2)?,
                done: r.get(3)?,
                added: r.get(4)?,
            })
        })
        .map_err(|e| self.sq(e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| self.sq(e))
    }

    /// The given documents with their texts and spans, all read from one snapshot (a
    /// raqim writing meanwhile is seen entirely or not at all), handed to `each` in
    /// order so that a caller need not hold them all. An id the database does not have
    /// is [`StoreError::UnknownDocument`].
    pub fn read_documents<E: From<StoreError>>(
        &self,
        rows: &[DocumentRow],
        mut each: impl FnMut(FullDocument) -> Result<(), E>,
    ) -> Result<(), E> {
        // A read transaction: every query below sees the same state of the file.
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| E::from(self.sq(e)))?;
        for row in rows {
            let Some(text) = self.document_text(&row.id)? else {
                return Err(E::from(self.unknown_document(&row.id)));
            };
            let spans = self.spans(&row.id)?;
            let done = self.done(&row.id)?.unwrap_or(row.done);
            each(FullDocument {
                row: DocumentRow {
                    done,
                    ..row.clone()
                },
                text,
                spans,
            })?;
        }
        tx.rollback().map_err(|e| E::from(self.sq(e)))
    }
}
