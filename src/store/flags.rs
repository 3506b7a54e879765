//! The analyst's flags: a document or a stretch of its text marked "unsure, to
//! discuss", with a note.
//!
//! A flag is a mark like the done mark, not an edit of the spans: it is not in the
//! action log, and undo does not walk it (pressing the key again takes it off).
//! Must not: know the terminal or any interchange format.

use rusqlite::{OptionalExtension, params};

use super::{Flag, SqliteStore, StoreError, immediate, now_ms};

impl SqliteStore {
    /// The document's flags: its own first, then its stretches' by place. A database
    /// before schema version 3 (an export does not migrate) has none.
    pub fn flags(&self, doc: &str) -> Result<Vec<Flag>, StoreError> {
        if self.schema_version()? < 3 {
            return Ok(Vec::new());
        }
        self.rows(
            "SELECT start, end, note, annotator, at FROM flags WHERE doc = ?1 AND layer = ?2 \
             ORDER BY start IS NOT NULL, start, end",
            [doc, &self.layer],
            |r| {
                let start: Option<i64> = r.get(0)?;
                let end: Option<i64> = r.get(1)?;
                Ok(Flag {
                    place: start.zip(end).map(|(a, b)| (a as usize, b as usize)),
                    note: r.get(2)?,
                    annotator: r.get(3)?,
                    at: r.get(4)?,
                })
            },
        )
    }

    /// Flags the document (`place` `None`) or a stretch of it (code points) with
    /// `note`, replacing a flag already there; `note` `None` takes the flag off.
    pub fn set_flag(
        &mut self,
        doc: &str,
        place: Option<(usize, usize)>,
        note: Option<&str>,
        annotator: &str,
    ) -> Result<(), StoreError> {
        self.writable()?;
        let layer = self.layer.clone();
        let r = (|| {
            let (tx, sq) = immediate(&mut self.conn, &self.path, self.waited_ms)?;
            let known = tx
                .query_row("SELECT 1 FROM documents WHERE id = ?1", [doc], |_| Ok(()))
                .optional()
                .map_err(sq)?;
            if known.is_none() {
                return Err(StoreError::UnknownDocument {
                    path: self.path.clone(),
                    doc: doc.to_string(),
                });
            }
            let (a, b) = (place.map(|p| p.0 as i64), place.map(|p| p.1 as i64));
            tx.execute(
                "DELETE FROM flags WHERE doc = ?1 AND start IS ?2 AND end IS ?3 AND layer = ?4",
                params![doc, a, b, layer],
            )
            .map_err(sq)?;
            if let Some(note) = note {
                tx.execute(
                    "INSERT INTO flags (doc, start, end, note, annotator, at, layer) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![doc, a, b, note, annotator, now_ms(), layer],
                )
                .map_err(sq)?;
            }
            tx.commit().map_err(sq)
        })();
        r.inspect_err(|e| self.note(e))
    }
}
