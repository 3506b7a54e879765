//! Which annotators each document is given to (`raqim assign`): recording an
//! assignment in one transaction, and reading it back with what each annotator has
//! done on their documents so far.
//! Must not: decide who gets what (that is [`crate::assign`]) or know the terminal.

use rusqlite::params;

use super::{SqliteStore, StoreError, immediate, now_ms};

/// One document given to one annotator, with their progress on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The document's id.
    pub doc: String,
    pub annotator: String,
    /// Unix milliseconds.
    pub assigned: i64,
    /// The annotator has an action in their layer of the document.
    pub started: bool,
    /// The accepted spans of their layer.
    pub spans: usize,
    /// Their layer is marked done.
    pub done: bool,
}

impl SqliteStore {
    /// Records that each (document, annotator) of `rows` is assigned, all in one
    /// transaction: none if a document is unknown ([`StoreError::UnknownDocument`]).
    /// A pair already recorded keeps its time. Returns how many pairs were new.
    pub fn assign(&mut self, rows: &[(String, String)]) -> Result<usize, StoreError> {
        self.writable()?;
        let r = (|| {
            let now = now_ms();
            let (tx, sq) = immediate(&mut self.conn, &self.path, self.waited_ms)?;
            let mut added = 0;
            {
                let mut known = tx
                    .prepare("SELECT 1 FROM documents WHERE id = ?1")
                    .map_err(sq)?;
                let mut insert = tx
                    .prepare(
                        "INSERT OR IGNORE INTO assignments (doc, annotator, assigned) \
                         VALUES (?1, ?2, ?3)",
                    )
                    .map_err(sq)?;
                for (doc, annotator) in rows {
                    if !known.exists([doc]).map_err(sq)? {
                        return Err(StoreError::UnknownDocument {
                            path: self.path.clone(),
                            doc: doc.clone(),
                        });
                    }
                    added += insert.execute(params![doc, annotator, now]).map_err(sq)?;
                }
            }
            tx.commit().map_err(sq)?;
            Ok(added)
        })();
        r.inspect_err(|e| self.note(e))
    }

    /// Every assignment, in the order they were made. A database before schema
    /// version 5 (read-only opening does not migrate) has none.
    pub fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        self.query_assignments("", [])
    }

    /// The documents assigned to `annotator`, in the order they were assigned.
    pub fn assigned_to(&self, annotator: &str) -> Result<Vec<String>, StoreError> {
        let rows = self.query_assignments("WHERE a.annotator = ?1", [annotator])?;
        Ok(rows.into_iter().map(|a| a.doc).collect())
    }

    fn query_assignments(
        &self,
        filter: &str,
        p: impl rusqlite::Params,
    ) -> Result<Vec<Assignment>, StoreError> {
        if self.schema_version()? < 5 {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT a.doc, a.annotator, a.assigned, \
             EXISTS (SELECT 1 FROM actions x WHERE x.doc = a.doc AND x.layer = a.annotator), \
             (SELECT count(*) FROM spans s WHERE s.doc = a.doc AND s.layer = a.annotator \
              AND s.state = 'accepted'), \
             coalesce((SELECT done FROM layers l WHERE l.doc = a.doc AND l.layer = a.annotator), 0) \
             FROM assignments a {filter} ORDER BY a.id"
        );
        self.rows(&sql, p, |r| {
            Ok(Assignment {
                doc: r.get(0)?,
                annotator: r.get(1)?,
                assigned: r.get(2)?,
                started: r.get(3)?,
                spans: r.get::<_, i64>(4)? as usize,
                done: r.get(5)?,
            })
        })
    }
}

/// One layer of one document that has been worked in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRow {
    pub doc: String,
    pub layer: String,
    pub done: bool,
}

impl SqliteStore {
    /// Every layer of every document that has spans, a done mark or a view (a layer
    /// opened once has one), by document and layer.
    pub fn layers(&self) -> Result<Vec<LayerRow>, StoreError> {
        let sql = "SELECT doc, layer, max(done) FROM \
             (SELECT doc, layer, done FROM layers \
              UNION ALL SELECT DISTINCT doc, layer, 0 FROM spans) \
             GROUP BY doc, layer ORDER BY doc, layer";
        self.rows(sql, [], |r| {
            Ok(LayerRow {
                doc: r.get(0)?,
                layer: r.get(1)?,
                done: r.get(2)?,
            })
        })
    }

    /// The spans of `doc` in every layer (the store's own included), by layer name.
    pub fn spans_of_all_layers(
        &self,
        doc: &str,
    ) -> Result<std::collections::BTreeMap<String, Vec<super::StoredSpan>>, StoreError> {
        let mut out: std::collections::BTreeMap<String, Vec<super::StoredSpan>> =
            Default::default();
        let rows = self.rows(
            "SELECT id, start, end, label, state, source, score, annotator, created, \
             updated, layer FROM spans WHERE doc = ?1 ORDER BY layer, start, end, id",
            [doc],
            |r| Ok((super::span_from_row(r)?, r.get::<_, String>(10)?)),
        )?;
        for (row, layer) in rows {
            out.entry(layer)
                .or_default()
                .push(super::with_state(&self.path, row)?);
        }
        Ok(out)
    }
}
