//! Layers (issue 15): each analyst's work on a document is their own, in the store as
//! a second raqim sees it (on both backends: a SQLite file and, when installed, a
//! PostgreSQL server); and a database from before layers keeps every document's work
//! together, in the layer of the analyst who did it (SQLite-only: a server's schema
//! began with layers).

mod backends;

use std::path::Path;

use backends::each_backend;

use raqim::annotation::State;
use raqim::document::document_id;
use raqim::store::{Change, NewSpan, Store, StoreError, schema};

const TEXT: &str = "قال الرئيس محمد في دمشق إن الجيش السوري انسحب.";

fn span(start: usize, end: usize, label: &str) -> NewSpan {
    NewSpan {
        start,
        end,
        label: label.to_string(),
        state: State::Accepted,
        source: "analyst".to_string(),
        score: 1.0,
    }
}

fn in_layer(path: &Path, layer: &str) -> Store {
    let mut store = Store::open(path).unwrap();
    store.set_layer(layer);
    store
}

#[test]
fn two_analysts_on_one_document_each_write_and_undo_only_their_own_layer() {
    each_backend(|b| {
        let db = b.path.clone();
        let id = document_id(TEXT);
        let mut amal = in_layer(&db, "amal");
        amal.add_document(&id, "news.txt", None, TEXT).unwrap();
        let mut basel = in_layer(&db, "basel");
        // Both hold their layer's lock at once: neither is read-only.
        let _a = amal.lock_document(&id, "amal").unwrap();
        let _b = basel.lock_document(&id, "basel").unwrap();
        // A second raqim of amal's on the same document is refused her lock.
        let again = in_layer(&db, "amal");
        assert!(matches!(
            again.lock_document(&id, "amal"),
            Err(StoreError::DocumentInUse { .. })
        ));

        let (a_seq, a_ids) = amal
            .commit(
                &id,
                "create",
                "{}",
                "amal",
                None,
                &[Change::Insert(span(11, 15, "PER"))],
            )
            .unwrap();
        basel
            .commit(
                &id,
                "create",
                "{}",
                "basel",
                None,
                &[Change::Insert(span(19, 23, "LOC"))],
            )
            .unwrap();
        amal.set_done(&id, true).unwrap();
        amal.set_view(&id, 12, 0).unwrap();

        let labels = |s: &Store| -> Vec<String> {
            s.spans(&id)
                .unwrap()
                .into_iter()
                .map(|s| s.span.label)
                .collect()
        };
        assert_eq!(labels(&amal), ["PER"]);
        assert_eq!(labels(&basel), ["LOC"]);
        assert_eq!(amal.actions(&id).unwrap().len(), 1);
        assert_eq!(basel.actions(&id).unwrap().len(), 1);
        assert_eq!(amal.done(&id).unwrap(), Some(true));
        assert_eq!(basel.done(&id).unwrap(), Some(false));
        assert_eq!(amal.view(&id).unwrap(), Some((12, 0)));
        assert_eq!(basel.view(&id).unwrap(), None);
        assert!(!basel.documents().unwrap()[0].done);
        assert!(amal.documents().unwrap()[0].done);

        // basel can neither change amal's span nor undo amal's action.
        let hers = Change::Delete { id: a_ids[0] };
        assert!(matches!(
            basel.commit(
                &id,
                "delete",
                "{}",
                "basel",
                None,
                std::slice::from_ref(&hers)
            ),
            Err(StoreError::UnknownSpan { .. })
        ));
        assert!(matches!(
            basel.commit(&id, "undo", "{}", "basel", Some(a_seq), &[]),
            Err(StoreError::UnknownAction { .. })
        ));
        amal.commit(&id, "undo", "{}", "amal", Some(a_seq), &[hers])
            .unwrap();
        assert!(labels(&amal).is_empty());
        assert_eq!(labels(&basel), ["LOC"]);

        let all = amal.spans_of_all_layers(&id).unwrap();
        assert_eq!(all.keys().collect::<Vec<_>>(), ["basel"]);
        let layers: Vec<(String, bool)> = amal
            .layers()
            .unwrap()
            .into_iter()
            .map(|l| (l.layer, l.done))
            .collect();
        assert_eq!(layers, [("amal".into(), true), ("basel".into(), false)]);
    });
}

/// A database of schema version 5 (before layers) where amal did most of the work on
/// the document and basel one action, as a shared set of spans allowed.
fn version_5_database(path: &Path) -> String {
    let id = document_id(TEXT);
    let conn = rusqlite::Connection::open(path).unwrap();
    for step in &schema::MIGRATIONS[..5] {
        conn.execute_batch(step).unwrap();
    }
    conn.pragma_update(None, "user_version", 5).unwrap();
    conn.execute(
        "INSERT INTO documents (id, name, text, added, done, cursor, top, chars) \
         VALUES (?1, 'news.txt', ?2, 1, 1, 19, 0, ?3)",
        rusqlite::params![id, TEXT, TEXT.chars().count() as i64],
    )
    .unwrap();
    for (who, kind) in [("amal", "suggest"), ("amal", "accept"), ("basel", "accept")] {
        conn.execute(
            "INSERT INTO actions (doc, kind, payload, annotator, at) VALUES (?1, ?2, '{}', ?3, 2)",
            rusqlite::params![id, kind, who],
        )
        .unwrap();
    }
    for (start, end, who) in [(11, 15, "amal"), (19, 23, "basel")] {
        conn.execute(
            "INSERT INTO spans (doc, start, end, label, state, source, score, annotator, \
             created, updated) VALUES (?1, ?2, ?3, 'LOC', 'accepted', 's', 1, ?4, 2, 2)",
            rusqlite::params![id, start, end, who],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO flags (doc, note, annotator, at) VALUES (?1, 'why?', 'basel', 3)",
        [&id],
    )
    .unwrap();
    id
}

fn assert_in_amals_layer(store: &mut Store, id: &str) {
    store.set_layer("amal");
    assert_eq!(
        store.spans(id).unwrap().len(),
        2,
        "both spans stay together"
    );
    assert_eq!(store.actions(id).unwrap().len(), 3, "with their history");
    assert_eq!(store.done(id).unwrap(), Some(true));
    assert_eq!(store.view(id).unwrap(), Some((19, 0)));
    assert_eq!(store.flags(id).unwrap().len(), 1);
    store.set_layer("basel");
    assert!(store.spans(id).unwrap().is_empty());
    assert!(store.actions(id).unwrap().is_empty());
    assert_eq!(store.done(id).unwrap(), Some(false));
}

#[test]
fn a_database_before_layers_keeps_each_documents_work_together_in_its_main_analysts_layer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let id = version_5_database(&db);
    // Read without migrating (an export), then migrated (any writer): the same.
    let mut old = Store::open_read_only(&db).unwrap();
    assert_eq!(old.schema_version().unwrap(), 5);
    assert_in_amals_layer(&mut old, &id);
    drop(old);
    let mut store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::SCHEMA_VERSION);
    assert_in_amals_layer(&mut store, &id);
    // Who did what is still told apart within the layer.
    store.set_layer("amal");
    let who: Vec<String> = store
        .actions(&id)
        .unwrap()
        .into_iter()
        .map(|a| a.annotator)
        .collect();
    assert_eq!(who, ["amal", "amal", "basel"]);
}
