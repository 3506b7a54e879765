//! Registering the documents of a set in one transaction when it is opened, so that
//! an export, the list's progress and `L` see the ones never opened.
//! Must not: know the terminal or any interchange format.

use std::path::PathBuf;

use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, StoreError, immediate, now_ms};

/// A document of a set, to be known to the database before it is opened.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    /// SHA-256 (hex) of `text`; checked.
    pub id: String,
    pub name: String,
    /// The file it was read from (made absolute, as the viewer records it).
    pub source_path: Option<PathBuf>,
    pub text: String,
    /// The id of its record, for a document of a JSON lines set.
    pub record_id: Option<String>,
}

impl SqliteStore {
    /// Records the documents of a set in one transaction (cheap: text and name, no
    /// spans, no action), and the file each came from. A document already known keeps
    /// its name. A file whose path is recorded for another document that has spans or
    /// a history changed since it was annotated: it is left out, for the viewer to
    /// decide when it opens it (asking, or `--changed stored`), unless `new_text`
    /// (`--changed new`) says the new text is a new document. Returns the ids of the
    /// documents that were new.
    pub fn register_documents(
        &mut self,
        docs: &[Registration],
        new_text: bool,
    ) -> Result<Vec<String>, StoreError> {
        self.writable()?;
        for d in docs {
            let found = crate::document::document_id(&d.text);
            if found != d.id {
                return Err(StoreError::HashMismatch {
                    path: self.path.clone(),
                    doc: d.id.clone(),
                    found,
                });
            }
        }
        let r = (|| {
            let now = now_ms();
            let (tx, sq) = immediate(&mut self.conn, &self.path, self.waited_ms)?;
            let mut added = Vec::new();
            {
                let mut add = tx
                    .prepare(
                        "INSERT OR IGNORE INTO documents (id, name, source_path, text, added, \
                         chars, record_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )
                    .map_err(sq)?;
                let mut path_of = tx
                    .prepare("SELECT doc FROM paths WHERE source_path = ?1")
                    .map_err(sq)?;
                let mut add_path = tx
                    .prepare(
                        "INSERT INTO paths (source_path, doc, seen) VALUES (?1, ?2, ?3) \
                         ON CONFLICT(source_path) DO UPDATE SET doc = excluded.doc, \
                         seen = excluded.seen",
                    )
                    .map_err(sq)?;
                let mut annotated = tx
                    .prepare(
                        "SELECT EXISTS (SELECT 1 FROM spans WHERE doc = ?1) \
                         OR EXISTS (SELECT 1 FROM actions WHERE doc = ?1)",
                    )
                    .map_err(sq)?;
                for d in docs {
                    let source = d
                        .source_path
                        .as_ref()
                        .map(|p| p.to_string_lossy().into_owned());
                    let had: Option<String> = match &source {
                        Some(s) => path_of
                            .query_row([s], |r| r.get(0))
                            .optional()
                            .map_err(sq)?,
                        None => None,
                    };
                    if let Some(other) = had.as_ref().filter(|o| **o != d.id) {
                        let worked: bool =
                            annotated.query_row([other], |r| r.get(0)).map_err(sq)?;
                        if worked && !new_text {
                            // The file changed since it was annotated: the viewer asks.
                            continue;
                        }
                    }
                    let rows = add
                        .execute(params![
                            d.id,
                            d.name,
                            source,
                            d.text,
                            now,
                            d.text.chars().count() as i64,
                            d.record_id,
                        ])
                        .map_err(sq)?;
                    if rows > 0 {
                        added.push(d.id.clone());
                    }
                    if let Some(s) = &source
                        && had.as_deref() != Some(d.id.as_str())
                    {
                        add_path.execute(params![s, d.id, now]).map_err(sq)?;
                    }
                }
            }
            tx.commit().map_err(sq)?;
            Ok(added)
        })();
        r.inspect_err(|e| self.note(e))
    }
}
