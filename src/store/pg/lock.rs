//! Document locks on a server: a session-level advisory lock of the store's
//! connection per (document, layer), taken without waiting. The server releases it
//! when that connection ends, however it ends (the process killed with SIGKILL, the
//! network gone), so there is never a stale lock; dropping the [`DocLock`] releases it
//! at once, through the store's connection if the store is still open (if it is not,
//! its connection is gone and the lock with it).
//!
//! A session's advisory locks stack (taking one twice from one connection succeeds),
//! so the store remembers the keys it holds and refuses a second lock of its own, as a
//! second lock file handle is refused on SQLite.
//!
//! Who holds a lock is in `doc_locks` (written when it is taken, with the server
//! process of the holder's connection); a row is believed only while that process
//! still holds the advisory lock, so a row left by a killed raqim names nobody.

use std::collections::HashSet;
use std::sync::{Mutex, Weak};

use super::PgStore;
use crate::document::document_id;
use crate::store::{DocLock, StoreError, now_ms};

/// The advisory lock key of (`doc`, `layer`): the first 8 bytes of the SHA-256 of
/// `doc/layer` (a document id has no `/`, so the pair is unambiguous).
pub fn key(doc: &str, layer: &str) -> i64 {
    let hash = document_id(&format!("{doc}/{layer}"));
    u64::from_str_radix(&hash[..16], 16).unwrap_or_default() as i64
}

/// A held advisory lock: released on drop through the connection that holds it.
pub struct AdvisoryLock {
    client: Weak<Mutex<postgres::Client>>,
    held: Weak<Mutex<HashSet<i64>>>,
    key: i64,
}

impl std::fmt::Debug for AdvisoryLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdvisoryLock")
            .field("key", &self.key)
            .finish()
    }
}

impl Drop for AdvisoryLock {
    fn drop(&mut self) {
        if let Some(client) = self.client.upgrade() {
            let mut client = client.lock().unwrap_or_else(|p| p.into_inner());
            // A failure here means the connection is gone, and the lock with it.
            let _ = client.execute("SELECT pg_advisory_unlock($1)", &[&self.key]);
        }
        if let Some(held) = self.held.upgrade() {
            held.lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&self.key);
        }
    }
}

/// Takes the lock of `doc` in `store`'s layer for `annotator`, or says who has it
/// ([`StoreError::DocumentInUse`]). The document is known (the caller checked).
pub(super) fn lock(store: &PgStore, doc: &str, annotator: &str) -> Result<DocLock, StoreError> {
    let key = key(doc, &store.layer);
    let mut held = store.held.lock().unwrap_or_else(|p| p.into_inner());
    let got = !held.contains(&key) && {
        let row = store
            .client()
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .map_err(|e| store.sq(e))?;
        row.get::<_, bool>(0)
    };
    if !got {
        return Err(StoreError::DocumentInUse {
            path: store.path.clone(),
            doc: doc.to_string(),
            holder: holder(store, doc, key)?,
        });
    }
    let lock = AdvisoryLock {
        client: std::sync::Arc::downgrade(&store.client),
        held: std::sync::Arc::downgrade(&store.held),
        key,
    };
    held.insert(key);
    drop(held);
    if !store.read_only {
        // Dropping `lock` on an error releases it.
        store
            .client()
            .execute(
                "INSERT INTO doc_locks (doc, layer, annotator, pid, backend, since) \
                 VALUES ($1, $2, $3, $4, pg_backend_pid(), $5) \
                 ON CONFLICT (doc, layer) DO UPDATE SET annotator = excluded.annotator, \
                 pid = excluded.pid, backend = excluded.backend, since = excluded.since",
                &[
                    &doc,
                    &store.layer,
                    &annotator,
                    &i64::from(std::process::id()),
                    &now_ms(),
                ],
            )
            .map_err(|e| store.sq(e))?;
    }
    Ok(DocLock::server(lock, store.path.clone(), doc))
}

/// Who holds the lock `key` of `doc`: "another raqim (annotator NAME, pid N, since
/// HH:MM UTC)" from `doc_locks` when the row is the holder's, else "another raqim".
fn holder(store: &PgStore, doc: &str, key: i64) -> Result<String, StoreError> {
    // An advisory lock on one bigint is in pg_locks as (classid: high 32 bits, objid:
    // low 32 bits, objsubid 1), in its database.
    let (high, low) = (((key as u64) >> 32) as u32, key as u64 as u32);
    let row = store
        .client()
        .query_opt(
            "SELECT annotator, pid, since FROM doc_locks WHERE doc = $1 AND layer = $2 \
             AND backend IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' \
              AND granted AND objsubid = 1 AND classid = $3 AND objid = $4 \
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
            &[&doc, &store.layer, &high, &low],
        )
        .map_err(|e| store.sq(e))?;
    Ok(match row {
        Some(r) => crate::store::lock::describe(r.get(0), r.get(1), r.get(2)),
        None => "another raqim".to_string(),
    })
}
