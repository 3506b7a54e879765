//! Many documents at once on PostgreSQL: an import as one transaction (all or
//! nothing), reading documents with their spans from one snapshot for an export, and
//! registering a set's documents. The same meaning as the SQLite store's methods.

use super::PgStore;
use crate::store::{DocumentRow, FullDocument, ImportDoc, ImportReport, Registration, StoreError};

impl PgStore {
    pub fn read_documents<E: From<StoreError>>(
        &self,
        rows: &[DocumentRow],
        each: impl FnMut(FullDocument) -> Result<(), E>,
    ) -> Result<(), E> {
        todo!("PostgreSQL: read_documents")
    }

    pub fn import_documents(
        &mut self,
        docs: &[ImportDoc],
        kind: &str,
        annotator: &str,
        payload: &dyn Fn(usize, usize) -> String,
    ) -> Result<ImportReport, StoreError> {
        todo!("PostgreSQL: import_documents")
    }

    pub fn documents_as_added(&self) -> Result<Vec<DocumentRow>, StoreError> {
        todo!("PostgreSQL: documents_as_added")
    }

    pub fn foreign_fields(
        &self,
        doc: &str,
    ) -> Result<Option<serde_json::Map<String, serde_json::Value>>, StoreError> {
        todo!("PostgreSQL: foreign_fields")
    }

    pub fn register_documents(
        &mut self,
        docs: &[Registration],
        new_text: bool,
    ) -> Result<Vec<String>, StoreError> {
        todo!("PostgreSQL: register_documents")
    }
}
