//! Many documents at once: an import of another tool's file as one transaction, and
//! reading documents with their spans from one consistent snapshot for an export.
//!
//! What an import may add to a document that already has spans is `import_rules`'s,
//! shared with the PostgreSQL store; this module reads and writes SQLite. Must not:
//! know any interchange format (the records of `formats` are turned into
//! [`ImportDoc`]s by `exchange`) or the terminal.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, Statement, params};

use super::import_rules::{
    Have, check_flag, check_ids, count_documents, keep_spans, span_order, with_foreign,
};
use super::{
    DocumentRow, FullDocument, ImportDoc, ImportReport, ImportSpan, SqliteStore, StoreError,
    StoredSpan, immediate, now_ms, span_from_row, stored_state, with_state,
};

/// The page cache of an import's connection, in KiB (SQLite's negative form): enough
/// for the pages of a million spans, so they are written once, at the commit.
const IMPORT_CACHE_KIB: i64 = -256 * 1024;

/// Inserts a document's spans a chunk at a time: one statement of 2^k rows per
/// chunk (k <= 7), each prepared once.
struct SpanRows<'c> {
    conn: &'c Connection,
    stmts: [Option<Statement<'c>>; 8],
}

impl<'c> SpanRows<'c> {
    fn new(conn: &'c Connection) -> SpanRows<'c> {
        SpanRows {
            conn,
            stmts: Default::default(),
        }
    }

    fn sql(rows: usize) -> String {
        let mut sql = String::from(
            "INSERT INTO spans (doc, layer, start, end, label, state, source, score, \
             annotator, created, updated) VALUES ",
        );
        for j in 0..rows {
            let b = 4 + 7 * j;
            if j > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(?1, ?3, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?2, ?2)",
                b,
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
        }
        sql
    }

    fn insert(
        &mut self,
        doc: &str,
        layer: &str,
        now: i64,
        spans: &[&ImportSpan],
    ) -> rusqlite::Result<()> {
        let mut rest = spans;
        while !rest.is_empty() {
            let k = rest.len().min(128).ilog2() as usize;
            let (chunk, tail) = rest.split_at(1 << k);
            let stmt = match &mut self.stmts[k] {
                Some(s) => s,
                slot => slot.insert(self.conn.prepare(&Self::sql(1 << k))?),
            };
            stmt.raw_bind_parameter(1, doc)?;
            stmt.raw_bind_parameter(2, now)?;
            stmt.raw_bind_parameter(3, layer)?;
            for (j, s) in chunk.iter().enumerate() {
                let b = 4 + 7 * j;
                let n = &s.span;
                stmt.raw_bind_parameter(b, n.start as i64)?;
                stmt.raw_bind_parameter(b + 1, n.end as i64)?;
                stmt.raw_bind_parameter(b + 2, n.label.as_str())?;
                stmt.raw_bind_parameter(b + 3, n.state.as_str())?;
                stmt.raw_bind_parameter(b + 4, n.source.as_str())?;
                stmt.raw_bind_parameter(b + 5, f64::from(n.score))?;
                stmt.raw_bind_parameter(b + 6, s.annotator.as_str())?;
            }
            stmt.raw_execute()?;
            rest = tail;
        }
        Ok(())
    }
}

/// What one import is given, passed whole between its stages.
#[derive(Clone, Copy)]
struct ImportJob<'a> {
    docs: &'a [ImportDoc],
    kind: &'a str,
    annotator: &'a str,
    payload: &'a dyn Fn(usize, usize) -> String,
}

impl SqliteStore {
    /// Adds documents and their spans in ONE transaction: all of it or nothing. Each
    /// document that gets spans gets one action row of `kind` by `annotator`, whose
    /// payload `payload(doc index, number of spans added)` makes; undo does not reach
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
    /// Statements are prepared once; spans go in up to 128 rows a statement.
    pub fn import_documents(
        &mut self,
        docs: &[ImportDoc],
        kind: &str,
        annotator: &str,
        payload: &dyn Fn(usize, usize) -> String,
    ) -> Result<ImportReport, StoreError> {
        self.writable()?;
        let job = ImportJob {
            docs,
            kind,
            annotator,
            payload,
        };
        self.import_tx(job).inspect_err(|e| self.note(e))
    }

    fn import_tx(&mut self, job: ImportJob<'_>) -> Result<ImportReport, StoreError> {
        check_ids(job.docs, &self.path)?;
        let sq = |e| StoreError::from_sqlite(&self.path, self.waited_ms, e);
        // The pages a big import touches stay in memory until the commit, instead of
        // spilling to the WAL and being read back mid-transaction; the statement
        // journal of a many-row INSERT (its undo, should it fail halfway) is kept in
        // memory rather than written to a temporary file.
        let (cache, temp): (i64, i64) = self
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .and_then(|c| {
                self.conn
                    .query_row("PRAGMA temp_store", [], |r| r.get(0))
                    .map(|t| (c, t))
            })
            .map_err(sq)?;
        self.conn
            .execute_batch(&format!(
                "PRAGMA cache_size = {IMPORT_CACHE_KIB}; PRAGMA temp_store = MEMORY"
            ))
            .map_err(sq)?;
        let r = self.import_in_tx(job);
        let restored = self
            .conn
            .execute_batch(&format!(
                "PRAGMA cache_size = {cache}; PRAGMA temp_store = {temp}"
            ))
            .map_err(|e| StoreError::from_sqlite(&self.path, self.waited_ms, e));
        let report = r?;
        restored?;
        Ok(report)
    }

    fn import_in_tx(&mut self, job: ImportJob<'_>) -> Result<ImportReport, StoreError> {
        let ImportJob {
            docs,
            kind,
            annotator,
            payload,
        } = job;
        let path = self.path.clone();
        let now = now_ms();
        let (tx, sq) = immediate(&mut self.conn, &self.path, self.waited_ms)?;
        let mut report = ImportReport::default();
        {
            // Pass 1, in the order given (the order an export lists them in): the
            // documents. A second record with the same text is an update of the first.
            let mut added: HashSet<&str> = HashSet::new();
            let mut is_new = vec![false; docs.len()];
            {
                let mut get_text = tx
                    .prepare("SELECT text, foreign_fields FROM documents WHERE id = ?1")
                    .map_err(sq)?;
                let mut set_foreign = tx
                    .prepare("UPDATE documents SET foreign_fields = ?2 WHERE id = ?1")
                    .map_err(sq)?;
                let mut add_doc = tx
                    .prepare(
                        "INSERT INTO documents (id, name, source_path, text, added, done, chars, \
                         record_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    )
                    .map_err(sq)?;
                let mut keep_record_id = tx
                    .prepare(
                        "UPDATE documents SET record_id = ?2 WHERE id = ?1 AND record_id IS NULL",
                    )
                    .map_err(sq)?;
                let mut add_flag = tx
                    .prepare(
                        "INSERT OR IGNORE INTO flags (doc, start, end, note, annotator, at, layer) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )
                    .map_err(sq)?;
                let mut mark_done = tx
                    .prepare("INSERT OR IGNORE INTO layers (doc, layer, done) VALUES (?1, ?2, 1)")
                    .map_err(sq)?;
                let mut add_path = tx
                    .prepare(
                        "INSERT OR IGNORE INTO paths (source_path, doc, seen) VALUES (?1, ?2, ?3)",
                    )
                    .map_err(sq)?;
                for (i, d) in docs.iter().enumerate() {
                    let layer = d.layer.as_deref().unwrap_or(&self.layer);
                    let stored: Option<(String, Option<String>)> = get_text
                        .query_row([&d.id], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()
                        .map_err(sq)?;
                    let foreign = d.foreign.as_ref().and_then(|(format, fields)| {
                        with_foreign(stored.as_ref().and_then(|s| s.1.as_deref()), format, fields)
                    });
                    match stored.map(|s| s.0) {
                        Some(t) if t != d.text => {
                            return Err(StoreError::HashMismatch {
                                path: path.clone(),
                                doc: d.id.clone(),
                                found: "a different stored text".to_string(),
                            });
                        }
                        Some(_) => {
                            if let Some(r) = &d.record_id {
                                keep_record_id.execute(params![d.id, r]).map_err(sq)?;
                            }
                        }
                        None => {
                            add_doc
                                .execute(params![
                                    d.id,
                                    d.name,
                                    d.source_path,
                                    d.text,
                                    now,
                                    false,
                                    d.text.chars().count() as i64,
                                    d.record_id,
                                ])
                                .map_err(sq)?;
                            added.insert(&d.id);
                            is_new[i] = true;
                        }
                    }
                    // After the document's row, so that a second record of the same
                    // text in this import finds the first one's fields.
                    if let Some(json) = foreign {
                        set_foreign.execute(params![d.id, json]).map_err(sq)?;
                    }
                    if let Some(p) = &d.source_path {
                        add_path.execute(params![p, d.id, now]).map_err(sq)?;
                    }
                    if d.done {
                        mark_done.execute(params![d.id, layer]).map_err(sq)?;
                    }
                    let len = d.text.chars().count();
                    for (place, note) in &d.flags {
                        check_flag(d, *place, len, &path)?;
                        let (a, b) = (place.map(|p| p.0 as i64), place.map(|p| p.1 as i64));
                        add_flag
                            .execute(params![d.id, a, b, note, annotator, now, layer])
                            .map_err(sq)?;
                    }
                }
            }
            // Pass 2, by document id and each document's spans by start: the span
            // indexes (which begin with the id) then grow at their end, about twice as
            // fast as inserting all over them. The order of the spans of one document
            // as the file gives them decides which of two overlapping ones is kept.
            let order = span_order(docs);
            // In a fixed order (the index's, by start), not whichever index the planner
            // picks: it decides the span named in a conflict, the same on PostgreSQL.
            let mut old_spans = tx
                .prepare(
                    "SELECT start, end, label, state FROM spans WHERE doc = ?1 AND layer = ?2 \
                     ORDER BY start, id",
                )
                .map_err(sq)?;
            let mut add_action = tx
                .prepare(
                    "INSERT INTO actions (doc, kind, payload, annotator, at, undoes, layer) \
                     VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6)",
                )
                .map_err(sq)?;
            let mut rows = SpanRows::new(&tx);
            let mut updated: HashSet<&str> = HashSet::new();
            for i in order {
                let d = &docs[i];
                let layer = d.layer.as_deref().unwrap_or(&self.layer);
                // What the document has: every span for duplicates, the ones not
                // rejected for overlaps.
                let mut have = Have::default();
                if !is_new[i] {
                    let found = old_spans
                        .query_map([d.id.as_str(), layer], |r| {
                            Ok((
                                r.get::<_, i64>(0)? as usize,
                                r.get::<_, i64>(1)? as usize,
                                r.get::<_, String>(2)?,
                                r.get::<_, String>(3)?,
                            ))
                        })
                        .map_err(sq)?;
                    for row in found {
                        let (s, e, label, state) = row.map_err(sq)?;
                        let whose = format_args!("a span of document {}", d.id);
                        let state = stored_state(&path, &state, whose)?;
                        have.add((s, e, label, state));
                    }
                }
                let keep = keep_spans(&mut have, i, d, &path, &mut report)?;
                if keep.is_empty() {
                    continue;
                }
                add_action
                    .execute(params![
                        d.id,
                        kind,
                        payload(i, keep.len()),
                        annotator,
                        now,
                        layer
                    ])
                    .map_err(sq)?;
                rows.insert(&d.id, layer, now, &keep).map_err(sq)?;
                report.actions += 1;
                report.spans_added += keep.len();
                if !added.contains(d.id.as_str()) {
                    updated.insert(&d.id);
                }
            }
            count_documents(&mut report, docs, &added, &updated);
        }
        tx.commit().map_err(sq)?;
        Ok(report)
    }

    /// Every document in the order it was added (the records of one import in the
    /// order of its files), without the texts.
    pub fn documents_as_added(&self) -> Result<Vec<DocumentRow>, StoreError> {
        self.query_documents("ORDER BY added, rowid")
    }

    /// The given documents with their texts and spans, all read from one snapshot (a
    /// raqim writing meanwhile is seen entirely or not at all), handed to `each` in
    /// order. An id the database does not have is [`StoreError::UnknownDocument`].
    ///
    /// For many documents the spans are read in one pass over the table, in the order
    /// they lie on disk, instead of one index search (and sort) per document: twice
    /// as fast for a whole database; the cost is holding the spans of the documents
    /// not yet handed over.
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
        let total: i64 = self
            .conn
            .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
            .map_err(|e| E::from(self.sq(e)))?;
        let scanned = if rows.len() as i64 * 4 > total {
            self.scan_spans(rows)?
        } else {
            None
        };
        let mut scanned = scanned;
        for (i, row) in rows.iter().enumerate() {
            let Some(text) = self.document_text(&row.id)? else {
                return Err(E::from(self.unknown_document(&row.id)));
            };
            let spans = match &mut scanned {
                Some(all) => std::mem::take(&mut all[i]),
                None => self.spans(&row.id)?,
            };
            let done = self.done(&row.id)?.unwrap_or(row.done);
            let flags = self.flags(&row.id)?;
            let foreign = self.foreign_fields(&row.id)?;
            each(FullDocument {
                row: DocumentRow {
                    done,
                    ..row.clone()
                },
                text,
                spans,
                flags,
                foreign,
            })?;
        }
        tx.rollback().map_err(|e| E::from(self.sq(e)))
    }

    /// What a document's records held that raqim has no field for, by format (see
    /// [`ImportDoc::foreign`]); `None` when there is nothing, or before schema version
    /// 4 (an export does not migrate). A value that is not a JSON object (written by
    /// hand) is an error naming the file.
    pub fn foreign_fields(
        &self,
        doc: &str,
    ) -> Result<Option<serde_json::Map<String, serde_json::Value>>, StoreError> {
        if self.schema_version()? < 4 {
            return Ok(None);
        }
        let found: Option<Option<String>> = self
            .rows(
                "SELECT foreign_fields FROM documents WHERE id = ?1",
                [doc],
                |r| r.get(0),
            )?
            .pop();
        let Some(json) = found.flatten() else {
            return Ok(None);
        };
        match serde_json::from_str(&json) {
            Ok(serde_json::Value::Object(m)) => Ok(Some(m)),
            _ => Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("the foreign fields of document {doc} are not a JSON object"),
            }),
        }
    }

    /// The spans of `rows` (by their index in it) from one scan of the spans table,
    /// each document's ordered as [`Store::spans`] orders them; `None` if a document
    /// is named twice.
    fn scan_spans(&self, rows: &[DocumentRow]) -> Result<Option<Vec<Vec<StoredSpan>>>, StoreError> {
        let index: std::collections::HashMap<&str, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        if index.len() != rows.len() {
            return Ok(None);
        }
        let mut out: Vec<Vec<StoredSpan>> = vec![Vec::new(); rows.len()];
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, start, end, label, state, source, score, annotator, created, \
                 updated, doc FROM spans WHERE layer = ?1",
            )
            .map_err(|e| self.sq(e))?;
        let mut found = stmt.query([&self.layer]).map_err(|e| self.sq(e))?;
        while let Some(r) = found.next().map_err(|e| self.sq(e))? {
            let doc = r
                .get_ref(10)
                .and_then(|v| v.as_str().map_err(Into::into))
                .map_err(|e| self.sq(e))?;
            let Some(&i) = index.get(doc) else {
                continue;
            };
            let row = span_from_row(r).map_err(|e| self.sq(e))?;
            out[i].push(with_state(&self.path, row)?);
        }
        for spans in &mut out {
            spans.sort_by_key(|s| (s.span.start, s.span.end, s.id));
        }
        Ok(Some(out))
    }
}
