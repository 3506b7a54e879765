//! The review's reads and writes on PostgreSQL: one document's spans, actions, view,
//! done mark and flags in the store's layer; the memory; documents, layers and
//! assignments. The same meaning as the SQLite store's methods of the same names:
//! one action is one transaction, an unknown document, span or action is refused with
//! the same [`StoreError`] and nothing applied.
//!
//! Text is ordered `COLLATE "C"` (by bytes, as SQLite and Rust's `String` order it),
//! whatever the server's collation. Must not: know the terminal.

use std::collections::BTreeMap;
use std::path::Path;

use postgres::Row;
use postgres::types::ToSql;

use super::{PgStore, server_error};
use crate::document::document_id;
use crate::store::{
    ActionRow, Assignment, Change, DocLock, DocumentRow, Flag, LayerRow, NewSpan, StoreError,
    StoredSpan, now_ms, stored_state,
};

const SPAN_COLUMNS: &str =
    r#"id, start, "end", label, state, source, score, annotator, created, updated"#;
const ACTION_COLUMNS: &str = "seq, doc, kind, payload, annotator, at, undoes, layer";

/// Saves a layer's view of a document ($1 doc, $2 layer, $3 cursor, $4 top); no row
/// when the document is unknown.
const SET_VIEW: &str = "INSERT INTO layers (doc, layer, cursor, top) \
     SELECT $1, $2, $3::BIGINT, $4::BIGINT FROM documents WHERE id = $1 \
     ON CONFLICT (doc, layer) DO UPDATE SET cursor = excluded.cursor, top = excluded.top";

/// A stored count or offset (never negative: the schema checks offsets, counts are
/// counts) as a `usize`.
fn size(v: i64) -> usize {
    usize::try_from(v).unwrap_or(0)
}

/// An offset or cursor as the server stores it.
fn big(v: usize) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A row of [`SPAN_COLUMNS`], its state read.
fn span_of(path: &Path, r: &Row) -> Result<StoredSpan, StoreError> {
    let id: i64 = r.get(0);
    let state: String = r.get(4);
    Ok(StoredSpan {
        id,
        span: NewSpan {
            start: size(r.get(1)),
            end: size(r.get(2)),
            label: r.get(3),
            state: stored_state(path, &state, format_args!("span {id}"))?,
            source: r.get(5),
            score: r.get::<_, f64>(6) as f32,
        },
        annotator: r.get(7),
        created: r.get(8),
        updated: r.get(9),
    })
}

fn action_of(r: &Row) -> ActionRow {
    ActionRow {
        seq: r.get(0),
        doc: r.get(1),
        kind: r.get(2),
        payload: r.get(3),
        annotator: r.get(4),
        at: r.get(5),
        undoes: r.get(6),
        layer: r.get(7),
    }
}

impl PgStore {
    fn unknown_document(&self, doc: &str) -> StoreError {
        StoreError::UnknownDocument {
            path: self.path.clone(),
            doc: doc.to_string(),
        }
    }

    /// Every row `sql` selects with `params`.
    fn rows(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, StoreError> {
        self.client().query(sql, params).map_err(|e| self.sq(e))
    }

    fn document_known(&self, doc: &str) -> Result<bool, StoreError> {
        Ok(!self
            .rows("SELECT 1 FROM documents WHERE id = $1", &[&doc])?
            .is_empty())
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
        let path = self.path.clone();
        let sq = |e| server_error(&path, e);
        let mut client = self.client();
        let mut tx = client.transaction().map_err(sq)?;
        // Two raqims adding the same document at once: one inserts, both then compare.
        tx.execute(
            "INSERT INTO documents (id, name, source_path, text, added, chars) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
            &[&id, &name, &source, &text, &now, &big(text.chars().count())],
        )
        .map_err(sq)?;
        let stored: String = tx
            .query_one("SELECT text FROM documents WHERE id = $1", &[&id])
            .map_err(sq)?
            .get(0);
        if stored != text {
            // The stored text under this id was altered: refuse rather than mix texts.
            return Err(StoreError::HashMismatch {
                path: path.clone(),
                doc: id.to_string(),
                found: "a different stored text".to_string(),
            });
        }
        if let Some(s) = &source {
            tx.execute(
                "INSERT INTO paths (source_path, doc, seen) VALUES ($1, $2, $3) \
                 ON CONFLICT (source_path) DO UPDATE SET doc = excluded.doc, seen = excluded.seen",
                &[s, &id, &now],
            )
            .map_err(sq)?;
        }
        tx.commit().map_err(sq)
    }

    pub fn document_text(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .rows("SELECT text FROM documents WHERE id = $1", &[&id])?
            .first()
            .map(|r| r.get(0)))
    }

    pub fn document_for_path(&self, path: &Path) -> Result<Option<(String, String)>, StoreError> {
        let source = path.to_string_lossy().into_owned();
        Ok(self
            .rows(
                "SELECT d.id, d.name FROM paths p JOIN documents d ON d.id = p.doc \
                 WHERE p.source_path = $1",
                &[&source],
            )?
            .first()
            .map(|r| (r.get(0), r.get(1))))
    }

    /// Takes the document's lock in this store's layer without waiting: a
    /// session-level advisory lock of this store's connection (see
    /// [`super::lock`]), released when the [`DocLock`] is dropped or the connection
    /// ends, however it ends.
    pub fn lock_document(&self, doc: &str, annotator: &str) -> Result<DocLock, StoreError> {
        if !self.document_known(doc)? {
            return Err(self.unknown_document(doc));
        }
        super::lock::lock(self, doc, annotator)
    }

    /// A document's spans in this layer, ordered by start (then end, then id).
    pub fn spans(&self, doc: &str) -> Result<Vec<StoredSpan>, StoreError> {
        let sql = format!(
            "SELECT {SPAN_COLUMNS} FROM spans WHERE doc = $1 AND layer = $2 \
             ORDER BY start, \"end\", id"
        );
        self.rows(&sql, &[&doc, &self.layer])?
            .iter()
            .map(|r| span_of(&self.path, r))
            .collect()
    }

    /// One action in one transaction: the action row, its changes, its payload made
    /// from the new spans' ids and, with `view`, the layer's view; nothing of it if
    /// anything fails.
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
        let path = self.path.clone();
        let sq = |e| server_error(&path, e);
        let layer = self.layer.as_str();
        let now = now_ms();
        let mut client = self.client();
        let mut tx = client.transaction().map_err(sq)?;
        let len: Option<i64> = tx
            .query_opt(
                "SELECT COALESCE(chars, char_length(text)) FROM documents WHERE id = $1",
                &[&doc],
            )
            .map_err(sq)?
            .map(|r| r.get(0));
        let Some(len) = len else {
            return Err(StoreError::UnknownDocument {
                path,
                doc: doc.to_string(),
            });
        };
        if let Some(seq) = undoes {
            let known = tx
                .query_opt(
                    "SELECT 1 FROM actions WHERE seq = $1 AND doc = $2 AND layer = $3",
                    &[&seq, &doc, &layer],
                )
                .map_err(sq)?;
            if known.is_none() {
                return Err(StoreError::UnknownAction {
                    path,
                    doc: doc.to_string(),
                    seq,
                });
            }
        }
        let seq: i64 = tx
            .query_one(
                "INSERT INTO actions (doc, kind, payload, annotator, at, undoes, layer) \
                 VALUES ($1, $2, '', $3, $4, $5, $6) RETURNING seq",
                &[&doc, &kind, &annotator, &now, &undoes, &layer],
            )
            .map_err(sq)?
            .get(0);
        let check = |s: &NewSpan| {
            if s.start <= s.end && big(s.end) <= len {
                Ok(())
            } else {
                Err(StoreError::BadRange {
                    path: path.clone(),
                    doc: doc.to_string(),
                    start: s.start,
                    end: s.end,
                    len: size(len),
                })
            }
        };
        let unknown_span = |id: i64| StoreError::UnknownSpan {
            path: path.clone(),
            doc: doc.to_string(),
            id,
        };
        // The three statements take the same parameters: the span's id ($1: NULL for
        // INSERT, which only names it to give it a type), its content ($2..$7), who ($8),
        // when ($9), the document ($10) and the layer ($11); each returns the id twice
        // (a row: the span was there to update).
        const INSERT: &str = "INSERT INTO spans (start, \"end\", label, state, source, score, \
             annotator, created, updated, doc, layer) \
             VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11) RETURNING $1::BIGINT, id";
        const RESTORE: &str = "INSERT INTO spans (id, start, \"end\", label, state, source, \
             score, annotator, created, updated, doc, layer) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11) RETURNING id, id";
        const UPDATE: &str = "UPDATE spans SET start = $2, \"end\" = $3, label = $4, \
             state = $5, source = $6, score = $7, annotator = $8, updated = $9 \
             WHERE id = $1 AND doc = $10 AND layer = $11 RETURNING id, id";
        let mut inserted = Vec::new();
        for change in changes {
            let (sql, id, s) = match change {
                Change::Insert(s) => (INSERT, None, s),
                Change::Restore { id, span } => (RESTORE, Some(*id), span),
                Change::Update { id, span } => (UPDATE, Some(*id), span),
                Change::Delete { id } => {
                    let n = tx
                        .execute(
                            "DELETE FROM spans WHERE id = $1 AND doc = $2 AND layer = $3",
                            &[id, &doc, &layer],
                        )
                        .map_err(sq)?;
                    if n == 0 {
                        return Err(unknown_span(*id));
                    }
                    continue;
                }
            };
            check(s)?;
            if let (Change::Restore { .. }, Some(id)) = (change, id) {
                let taken = tx
                    .query_opt("SELECT 1 FROM spans WHERE id = $1", &[&id])
                    .map_err(sq)?;
                if taken.is_some() {
                    return Err(StoreError::SpanExists {
                        path,
                        doc: doc.to_string(),
                        id,
                    });
                }
            }
            let row = tx
                .query_opt(
                    sql,
                    &[
                        &id,
                        &big(s.start),
                        &big(s.end),
                        &s.label,
                        &s.state.as_str(),
                        &s.source,
                        &f64::from(s.score),
                        &annotator,
                        &now,
                        &doc,
                        &layer,
                    ],
                )
                .map_err(sq)?;
            match (change, row) {
                (Change::Insert(_), Some(r)) => inserted.push(r.get::<_, i64>(1)),
                (_, Some(_)) => {}
                (_, None) => return Err(unknown_span(id.unwrap_or_default())),
            }
        }
        tx.execute(
            "UPDATE actions SET payload = $1 WHERE seq = $2",
            &[&payload(&inserted), &seq],
        )
        .map_err(sq)?;
        if let Some((cursor, top)) = view {
            tx.execute(SET_VIEW, &[&doc, &layer, &big(cursor), &big(top)])
                .map_err(sq)?;
        }
        // Whoever follows this document and layer read-only hears of it at the commit.
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&super::channel(doc, layer), &seq.to_string()],
        )
        .map_err(sq)?;
        tx.commit().map_err(sq)?;
        Ok((seq, inserted))
    }

    /// A document's actions in this layer, oldest first.
    pub fn actions(&self, doc: &str) -> Result<Vec<ActionRow>, StoreError> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM actions WHERE doc = $1 AND layer = $2 ORDER BY seq"
        );
        Ok(self
            .rows(&sql, &[&doc, &self.layer])?
            .iter()
            .map(action_of)
            .collect())
    }

    /// Whether `doc` has an action in this layer after `seen`. The first call LISTENs
    /// on the document's channel and asks the table; later ones only look at the
    /// notifications the server sent meanwhile (every commit sends one), without a
    /// query.
    pub fn changed_since(&self, doc: &str, seen: i64) -> Result<bool, StoreError> {
        let channel = super::channel(doc, &self.layer);
        let first = self
            .listening
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(channel.clone());
        if first {
            self.client()
                .batch_execute(&format!("LISTEN \"{channel}\""))
                .map_err(|e| self.sq(e))?;
            return Ok(self.last_seq(doc)? > seen);
        }
        let mut client = self.client();
        let mut notes = client.notifications();
        let mut heard = false;
        // A millisecond lets the connection read what the server has sent.
        let mut pending = notes.timeout_iter(std::time::Duration::from_millis(1));
        while let Some(n) = postgres::fallible_iterator::FallibleIterator::next(&mut pending)
            .map_err(|e| server_error(&self.path, e))?
        {
            heard |= n.channel() == channel;
        }
        Ok(heard)
    }

    pub fn last_seq(&self, doc: &str) -> Result<i64, StoreError> {
        Ok(self.rows(
            "SELECT COALESCE(MAX(seq), 0) FROM actions WHERE doc = $1 AND layer = $2",
            &[&doc, &self.layer],
        )?[0]
            .get(0))
    }

    /// Runs one write about `doc` that touches no row when the document is unknown.
    fn update_document(
        &mut self,
        doc: &str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<(), StoreError> {
        self.writable()?;
        let n = self.client().execute(sql, params).map_err(|e| self.sq(e))?;
        if n == 0 {
            return Err(self.unknown_document(doc));
        }
        Ok(())
    }

    pub fn set_view(&mut self, doc: &str, cursor: usize, top: usize) -> Result<(), StoreError> {
        let layer = self.layer.clone();
        self.update_document(doc, SET_VIEW, &[&doc, &layer, &big(cursor), &big(top)])
    }

    pub fn view(&self, doc: &str) -> Result<Option<(usize, usize)>, StoreError> {
        let row = self
            .rows(
                "SELECT cursor, top FROM layers WHERE doc = $1 AND layer = $2",
                &[&doc, &self.layer],
            )?
            .pop();
        Ok(row.and_then(|r| {
            let (c, t): (Option<i64>, Option<i64>) = (r.get(0), r.get(1));
            Some((size(c?), size(t?)))
        }))
    }

    pub fn set_done(&mut self, doc: &str, done: bool) -> Result<(), StoreError> {
        let layer = self.layer.clone();
        self.update_document(
            doc,
            "INSERT INTO layers (doc, layer, done) SELECT $1, $2, $3::BOOLEAN \
             FROM documents WHERE id = $1 \
             ON CONFLICT (doc, layer) DO UPDATE SET done = excluded.done",
            &[&doc, &layer, &done],
        )
    }

    /// Whether the document is marked reviewed in this layer (`None` if the document
    /// is unknown).
    pub fn done(&self, doc: &str) -> Result<Option<bool>, StoreError> {
        Ok(self
            .rows(
                "SELECT coalesce((SELECT done FROM layers WHERE doc = d.id AND layer = $2), \
                 false) FROM documents d WHERE d.id = $1",
                &[&doc, &self.layer],
            )?
            .first()
            .map(|r| r.get(0)))
    }

    pub fn span_counts(&self, doc: &str) -> Result<(usize, usize, usize), StoreError> {
        let rows = self.rows(
            "SELECT state, count(*) FROM spans WHERE doc = $1 AND layer = $2 GROUP BY state",
            &[&doc, &self.layer],
        )?;
        let mut c = (0, 0, 0);
        for r in rows {
            let (state, n): (String, i64) = (r.get(0), r.get(1));
            match state.as_str() {
                "pending" => c.0 = size(n),
                "accepted" => c.1 = size(n),
                "rejected" => c.2 = size(n),
                _ => {}
            }
        }
        Ok(c)
    }

    /// Replaces the memory snapshot: this store's owner's, else the team's.
    pub fn save_memory(&mut self, json: &str, upto_seq: i64) -> Result<(), StoreError> {
        self.writable()?;
        let now = now_ms();
        let r = match &self.memory_owner {
            Some(who) => self.client().execute(
                "INSERT INTO annotator_memory (annotator, json, updated, upto_seq) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (annotator) DO UPDATE SET \
                 json = excluded.json, updated = excluded.updated, upto_seq = excluded.upto_seq",
                &[who, &json, &now, &upto_seq],
            ),
            None => self.client().execute(
                "INSERT INTO memory (id, json, updated, upto_seq) VALUES (1, $1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET json = excluded.json, \
                 updated = excluded.updated, upto_seq = excluded.upto_seq",
                &[&json, &now, &upto_seq],
            ),
        };
        r.map(|_| ()).map_err(|e| self.sq(e))
    }

    pub fn load_memory(&self) -> Result<Option<(String, i64)>, StoreError> {
        let rows = match &self.memory_owner {
            Some(who) => self.rows(
                "SELECT json, upto_seq FROM annotator_memory WHERE annotator = $1",
                &[who],
            )?,
            None => self.rows("SELECT json, upto_seq FROM memory WHERE id = 1", &[])?,
        };
        Ok(rows.first().map(|r| (r.get(0), r.get(1))))
    }

    /// Every action after `seq`, of all documents and layers, oldest first.
    pub fn actions_after(&self, seq: i64) -> Result<Vec<ActionRow>, StoreError> {
        let sql = format!("SELECT {ACTION_COLUMNS} FROM actions WHERE seq > $1 ORDER BY seq");
        Ok(self.rows(&sql, &[&seq])?.iter().map(action_of).collect())
    }

    pub fn max_seq(&self) -> Result<i64, StoreError> {
        Ok(self.rows("SELECT COALESCE(MAX(seq), 0) FROM actions", &[])?[0].get(0))
    }

    /// Every document, oldest first (then by id), without its text; `done` is this
    /// layer's mark.
    pub fn documents(&self) -> Result<Vec<DocumentRow>, StoreError> {
        Ok(self
            .rows(
                "SELECT id, name, source_path, coalesce((SELECT done FROM layers l \
                 WHERE l.doc = documents.id AND l.layer = $1), false), added, record_id \
                 FROM documents ORDER BY added, id COLLATE \"C\"",
                &[&self.layer],
            )?
            .iter()
            .map(|r| DocumentRow {
                id: r.get(0),
                name: r.get(1),
                source_path: r.get(2),
                done: r.get(3),
                added: r.get(4),
                record_id: r.get(5),
            })
            .collect())
    }

    /// The document's flags in this layer: its own first, then its stretches' by place.
    pub fn flags(&self, doc: &str) -> Result<Vec<Flag>, StoreError> {
        Ok(self
            .rows(
                "SELECT start, \"end\", note, annotator, at FROM flags \
                 WHERE doc = $1 AND layer = $2 ORDER BY start IS NOT NULL, start, \"end\"",
                &[&doc, &self.layer],
            )?
            .iter()
            .map(|r| {
                let (start, end): (Option<i64>, Option<i64>) = (r.get(0), r.get(1));
                Flag {
                    place: start.zip(end).map(|(a, b)| (size(a), size(b))),
                    note: r.get(2),
                    annotator: r.get(3),
                    at: r.get(4),
                }
            })
            .collect())
    }

    /// Flags the document or a stretch of it with `note`, replacing a flag already
    /// there; `note` `None` takes it off. One transaction.
    pub fn set_flag(
        &mut self,
        doc: &str,
        place: Option<(usize, usize)>,
        note: Option<&str>,
        annotator: &str,
    ) -> Result<(), StoreError> {
        self.writable()?;
        let path = self.path.clone();
        let sq = |e| server_error(&path, e);
        let layer = self.layer.as_str();
        let mut client = self.client();
        let mut tx = client.transaction().map_err(sq)?;
        let known = tx
            .query_opt("SELECT 1 FROM documents WHERE id = $1", &[&doc])
            .map_err(sq)?;
        if known.is_none() {
            return Err(StoreError::UnknownDocument {
                path,
                doc: doc.to_string(),
            });
        }
        let (a, b) = (place.map(|p| big(p.0)), place.map(|p| big(p.1)));
        tx.execute(
            "DELETE FROM flags WHERE doc = $1 AND start IS NOT DISTINCT FROM $2 \
             AND \"end\" IS NOT DISTINCT FROM $3 AND layer = $4",
            &[&doc, &a, &b, &layer],
        )
        .map_err(sq)?;
        if let Some(note) = note {
            tx.execute(
                "INSERT INTO flags (doc, start, \"end\", note, annotator, at, layer) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&doc, &a, &b, &note, &annotator, &now_ms(), &layer],
            )
            .map_err(sq)?;
        }
        tx.commit().map_err(sq)
    }

    /// Records each (document, annotator) pair in one transaction: none if a document
    /// is unknown. Returns how many pairs were new.
    pub fn assign(&mut self, rows: &[(String, String)]) -> Result<usize, StoreError> {
        self.writable()?;
        let path = self.path.clone();
        let sq = |e| server_error(&path, e);
        let now = now_ms();
        let mut client = self.client();
        let mut tx = client.transaction().map_err(sq)?;
        let known = tx
            .prepare("SELECT 1 FROM documents WHERE id = $1")
            .map_err(sq)?;
        let insert = tx
            .prepare(
                "INSERT INTO assignments (doc, annotator, assigned) VALUES ($1, $2, $3) \
                 ON CONFLICT (doc, annotator) DO NOTHING",
            )
            .map_err(sq)?;
        let mut added = 0;
        for (doc, annotator) in rows {
            if tx.query_opt(&known, &[doc]).map_err(sq)?.is_none() {
                return Err(StoreError::UnknownDocument {
                    path,
                    doc: doc.clone(),
                });
            }
            added += tx.execute(&insert, &[doc, annotator, &now]).map_err(sq)? as usize;
        }
        tx.commit().map_err(sq)?;
        Ok(added)
    }

    pub fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        self.query_assignments("", &[])
    }

    pub fn assigned_to(&self, annotator: &str) -> Result<Vec<String>, StoreError> {
        let rows = self.query_assignments("WHERE a.annotator = $1", &[&annotator])?;
        Ok(rows.into_iter().map(|a| a.doc).collect())
    }

    fn query_assignments(
        &self,
        filter: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Assignment>, StoreError> {
        let sql = format!(
            "SELECT a.doc, a.annotator, a.assigned, \
             EXISTS (SELECT 1 FROM actions x WHERE x.doc = a.doc AND x.layer = a.annotator), \
             (SELECT count(*) FROM spans s WHERE s.doc = a.doc AND s.layer = a.annotator \
              AND s.state = 'accepted'), \
             coalesce((SELECT done FROM layers l WHERE l.doc = a.doc AND l.layer = a.annotator), \
              false) \
             FROM assignments a {filter} ORDER BY a.id"
        );
        Ok(self
            .rows(&sql, params)?
            .iter()
            .map(|r| Assignment {
                doc: r.get(0),
                annotator: r.get(1),
                assigned: r.get(2),
                started: r.get(3),
                spans: size(r.get(4)),
                done: r.get(5),
            })
            .collect())
    }

    /// Every layer of every document that has spans, a done mark or a view, by
    /// document and layer.
    pub fn layers(&self) -> Result<Vec<LayerRow>, StoreError> {
        let sql = "SELECT doc, layer, bool_or(done) FROM \
             (SELECT doc, layer, done FROM layers \
              UNION ALL SELECT DISTINCT doc, layer, false FROM spans) w \
             GROUP BY doc, layer ORDER BY doc COLLATE \"C\", layer COLLATE \"C\"";
        Ok(self
            .rows(sql, &[])?
            .iter()
            .map(|r| LayerRow {
                doc: r.get(0),
                layer: r.get(1),
                done: r.get(2),
            })
            .collect())
    }

    /// The spans of `doc` in every layer, by layer name.
    pub fn spans_of_all_layers(
        &self,
        doc: &str,
    ) -> Result<BTreeMap<String, Vec<StoredSpan>>, StoreError> {
        let sql = format!(
            "SELECT {SPAN_COLUMNS}, layer FROM spans WHERE doc = $1 \
             ORDER BY layer COLLATE \"C\", start, \"end\", id"
        );
        let mut out: BTreeMap<String, Vec<StoredSpan>> = BTreeMap::new();
        for r in self.rows(&sql, &[&doc])? {
            out.entry(r.get(10))
                .or_default()
                .push(span_of(&self.path, &r)?);
        }
        Ok(out)
    }
}
