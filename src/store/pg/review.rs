//! The review's reads and writes on PostgreSQL: one document's spans, actions, view,
//! done mark and flags in the store's layer; the memory; documents, layers and
//! assignments. The same meaning as the SQLite store's methods of the same names.

use std::path::Path;

use super::PgStore;
use crate::store::{
    ActionRow, Assignment, Change, DocLock, DocumentRow, Flag, LayerRow, StoreError, StoredSpan,
};

impl PgStore {
    pub fn add_document(
        &mut self,
        id: &str,
        name: &str,
        source_path: Option<&Path>,
        text: &str,
    ) -> Result<(), StoreError> {
        todo!("PostgreSQL: add_document")
    }

    pub fn document_text(&self, id: &str) -> Result<Option<String>, StoreError> {
        todo!("PostgreSQL: document_text")
    }

    pub fn document_for_path(&self, path: &Path) -> Result<Option<(String, String)>, StoreError> {
        todo!("PostgreSQL: document_for_path")
    }

    pub fn check_unchanged(&self, path: &Path, id: &str) -> Result<(), StoreError> {
        todo!("PostgreSQL: check_unchanged")
    }

    pub fn lock_document(&self, doc: &str, annotator: &str) -> Result<DocLock, StoreError> {
        todo!("PostgreSQL: lock_document")
    }

    pub fn spans(&self, doc: &str) -> Result<Vec<StoredSpan>, StoreError> {
        todo!("PostgreSQL: spans")
    }

    pub fn commit(
        &mut self,
        doc: &str,
        kind: &str,
        payload: &str,
        annotator: &str,
        undoes: Option<i64>,
        changes: &[Change],
    ) -> Result<(i64, Vec<i64>), StoreError> {
        todo!("PostgreSQL: commit")
    }

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
        todo!("PostgreSQL: commit_with")
    }

    pub fn actions(&self, doc: &str) -> Result<Vec<ActionRow>, StoreError> {
        todo!("PostgreSQL: actions")
    }

    pub fn last_seq(&self, doc: &str) -> Result<i64, StoreError> {
        todo!("PostgreSQL: last_seq")
    }

    pub fn set_view(&mut self, doc: &str, cursor: usize, top: usize) -> Result<(), StoreError> {
        todo!("PostgreSQL: set_view")
    }

    pub fn view(&self, doc: &str) -> Result<Option<(usize, usize)>, StoreError> {
        todo!("PostgreSQL: view")
    }

    pub fn set_done(&mut self, doc: &str, done: bool) -> Result<(), StoreError> {
        todo!("PostgreSQL: set_done")
    }

    pub fn done(&self, doc: &str) -> Result<Option<bool>, StoreError> {
        todo!("PostgreSQL: done")
    }

    pub fn span_counts(&self, doc: &str) -> Result<(usize, usize, usize), StoreError> {
        todo!("PostgreSQL: span_counts")
    }

    pub fn save_memory(&mut self, json: &str, upto_seq: i64) -> Result<(), StoreError> {
        todo!("PostgreSQL: save_memory")
    }

    pub fn load_memory(&self) -> Result<Option<(String, i64)>, StoreError> {
        todo!("PostgreSQL: load_memory")
    }

    pub fn actions_after(&self, seq: i64) -> Result<Vec<ActionRow>, StoreError> {
        todo!("PostgreSQL: actions_after")
    }

    pub fn max_seq(&self) -> Result<i64, StoreError> {
        todo!("PostgreSQL: max_seq")
    }

    pub fn documents(&self) -> Result<Vec<DocumentRow>, StoreError> {
        todo!("PostgreSQL: documents")
    }

    pub fn flags(&self, doc: &str) -> Result<Vec<Flag>, StoreError> {
        todo!("PostgreSQL: flags")
    }

    pub fn set_flag(
        &mut self,
        doc: &str,
        place: Option<(usize, usize)>,
        note: Option<&str>,
        annotator: &str,
    ) -> Result<(), StoreError> {
        todo!("PostgreSQL: set_flag")
    }

    pub fn assign(&mut self, rows: &[(String, String)]) -> Result<usize, StoreError> {
        todo!("PostgreSQL: assign")
    }

    pub fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        todo!("PostgreSQL: assignments")
    }

    pub fn assigned_to(&self, annotator: &str) -> Result<Vec<String>, StoreError> {
        todo!("PostgreSQL: assigned_to")
    }

    pub fn layers(&self) -> Result<Vec<LayerRow>, StoreError> {
        todo!("PostgreSQL: layers")
    }

    pub fn spans_of_all_layers(
        &self,
        doc: &str,
    ) -> Result<std::collections::BTreeMap<String, Vec<StoredSpan>>, StoreError> {
        todo!("PostgreSQL: spans_of_all_layers")
    }
}
