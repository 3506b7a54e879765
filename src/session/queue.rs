//! An analyst's queue: the documents assigned to them (`raqim assign`), read from the
//! database and reviewed as a set, in their own layer. `raqim` with no file opens it.
//!
//! Owns: which documents and in what order (those not yet marked done in the
//! analyst's layer first, each group in the order assigned). Must not: touch the
//! terminal.

use std::path::Path;

use crate::store::{Store, StoreError};

use super::set::Entry;

/// Why there is no queue to open.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("no article given, and there is no database at {}; give a file or a set, e.g. `raqim samples/deir-ez-zor.txt`", .0.display())]
    NoDatabase(std::path::PathBuf),
    #[error("no article given, and nothing is assigned to {annotator} in {}; give a file or a set, or have documents assigned with `raqim assign --annotators {annotator},... --db {}`", path.display(), path.display())]
    Empty {
        annotator: String,
        path: std::path::PathBuf,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The documents assigned to `annotator` in the database at `db`, as a set's entries
/// (their texts are the database's), not done first; and how many are done.
pub fn entries(db: &Path, annotator: &str) -> Result<(Vec<Entry>, usize), QueueError> {
    if !crate::store::exists(db) {
        return Err(QueueError::NoDatabase(db.to_path_buf()));
    }
    let mut store = Store::open_read_only(db)?;
    store.set_layer(annotator);
    let ids = store.assigned_to(annotator)?;
    if ids.is_empty() {
        return Err(QueueError::Empty {
            annotator: annotator.to_string(),
            path: db.to_path_buf(),
        });
    }
    let rows: std::collections::HashMap<String, crate::store::DocumentRow> = store
        .documents()?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let (mut open, mut done) = (Vec::new(), Vec::new());
    for id in ids {
        let Some(row) = rows.get(&id) else { continue };
        let Some(text) = store.document_text(&id)? else {
            continue;
        };
        let entry = Entry {
            name: row.record_id.clone().unwrap_or_else(|| row.name.clone()),
            path: None,
            text: Some(text),
            spans: Vec::new(),
        };
        if row.done {
            done.push(entry);
        } else {
            open.push(entry);
        }
    }
    let finished = done.len();
    open.extend(done);
    Ok((open, finished))
}
