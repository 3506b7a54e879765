//! The durable store as a user meets it: work survives a restart, a failed action
//! leaves nothing behind, a bad or foreign database is refused with a message that
//! names it and is never modified, two raqim processes on different documents of one
//! database both write, and a second raqim on the same document is told who has it.
//!
//! The behaviour both backends share runs on each ([`backends::each_backend`]: a
//! SQLite file, and a PostgreSQL database when the server's programs are installed):
//! reopening, failing actions, refused texts, flags, the action log, two stores at
//! once, undoing a delete, a second raqim told who holds a document, and a lock dying
//! with a killed raqim. SQLite-only, as they
//! are about the file: damage, headers, garbage, truncation and integrity checks;
//! another program's database; file permissions and read-only files or folders;
//! migrating old schema versions (a server's schema has its own history); SQLite's
//! busy timeout; making missing folders and databases made at once; and the lock
//! files beside the database (their place and content; a server names the holder
//! from its own table, tested in `src/store/pg/tests.rs`). Registering a set runs on
//! SQLite only until the server's bulk methods exist.

mod backends;
mod common;

use std::path::Path;
use std::time::Duration;

use backends::each_backend;
use common::damage_spans_leaf;
use raqim::annotation::State;
use raqim::store::{Change, NewSpan, SCHEMA_VERSION, Store, StoreError};
use sha2::{Digest, Sha256};

const TEXT: &str = "قال الرئيس محمد في دمشق إن الجيش السوري انسحب.";

fn sha(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn span(start: usize, end: usize, label: &str, state: State) -> NewSpan {
    NewSpan {
        start,
        end,
        label: label.to_string(),
        state,
        source: "gazetteer:places".to_string(),
        score: 0.75,
    }
}

/// A database with one document and `n` spans, closed (so everything is in the file).
fn make_db(path: &Path, n: usize) -> String {
    let mut store = Store::open(path).unwrap();
    let id = sha(TEXT);
    store
        .add_document(&id, "news.txt", Some(Path::new("news.txt")), TEXT)
        .unwrap();
    for i in 0..n {
        let s = span(i % 40, i % 40 + 3, "LOC", State::Pending);
        store
            .commit(
                &id,
                "create",
                &format!("{{\"i\":{i}}}"),
                "ana",
                None,
                &[Change::Insert(s)],
            )
            .unwrap();
    }
    id
}

fn assert_names(err: &StoreError, path: &Path) {
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "the message does not name the file: {msg}"
    );
    assert_eq!(err.path(), path);
}

#[test]
fn reopening_restores_document_spans_history_view_done_and_memory() {
    each_backend(|b| {
        let path = b.path.clone();
        let id = sha(TEXT);
        let (ids, seqs) = {
            let mut store = Store::open(&path).unwrap();
            store
                .add_document(&id, "news.txt", Some(Path::new("in/news.txt")), TEXT)
                .unwrap();
            let (s1, ids) = store
                .commit(
                    &id,
                    "create",
                    "{\"a\":1}",
                    "ana",
                    None,
                    &[
                        Change::Insert(span(21, 25, "LOC", State::Pending)),
                        Change::Insert(span(11, 15, "PER", State::Accepted)),
                    ],
                )
                .unwrap();
            let (s2, none) = store
                .commit(
                    &id,
                    "accept",
                    "{\"b\":2}",
                    "omar",
                    None,
                    &[Change::Update {
                        id: ids[0],
                        span: span(21, 25, "LOC", State::Accepted),
                    }],
                )
                .unwrap();
            assert!(none.is_empty());
            let (s3, _) = store
                .commit(
                    &id,
                    "undo",
                    "{}",
                    "omar",
                    Some(s2),
                    &[Change::Update {
                        id: ids[0],
                        span: span(21, 25, "LOC", State::Pending),
                    }],
                )
                .unwrap();
            store.set_view(&id, 23, 2).unwrap();
            store.set_done(&id, true).unwrap();
            store.save_memory("{\"محمد\":\"PER\"}", s3).unwrap();
            (ids, [s1, s2, s3])
        };

        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), b.schema_version);
        assert_eq!(store.document_text(&id).unwrap().as_deref(), Some(TEXT));
        assert_eq!(
            store.document_for_path(Path::new("in/news.txt")).unwrap(),
            Some((id.clone(), "news.txt".to_string()))
        );
        let spans = store.spans(&id).unwrap();
        assert_eq!(spans.len(), 2);
        // Ordered by start.
        assert_eq!(
            (spans[0].id, spans[0].span.start, spans[0].span.end),
            (ids[1], 11, 15)
        );
        assert_eq!(spans[0].span.label, "PER");
        assert_eq!(spans[0].span.state, State::Accepted);
        assert_eq!(spans[0].span.source, "gazetteer:places");
        assert_eq!(spans[0].span.score, 0.75);
        assert_eq!(spans[0].annotator, "ana");
        assert_eq!(spans[0].created, spans[0].updated);
        assert_eq!(
            (spans[1].id, spans[1].span.start, spans[1].span.end),
            (ids[0], 21, 25)
        );
        assert_eq!(spans[1].span.state, State::Pending);
        assert_eq!(spans[1].annotator, "omar");
        assert!(spans[1].updated >= spans[1].created);

        let actions = store.actions(&id).unwrap();
        let got: Vec<_> = actions
            .iter()
            .map(|a| {
                (
                    a.seq,
                    a.kind.as_str(),
                    a.payload.as_str(),
                    a.annotator.as_str(),
                    a.undoes,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (seqs[0], "create", "{\"a\":1}", "ana", None),
                (seqs[1], "accept", "{\"b\":2}", "omar", None),
                (seqs[2], "undo", "{}", "omar", Some(seqs[1])),
            ]
        );
        assert!(actions.iter().all(|a| a.doc == id && a.at > 0));
        assert_eq!(store.last_seq(&id).unwrap(), seqs[2]);
        assert_eq!(store.view(&id).unwrap(), Some((23, 2)));
        assert_eq!(store.done(&id).unwrap(), Some(true));
        assert_eq!(
            store.load_memory().unwrap(),
            Some(("{\"محمد\":\"PER\"}".to_string(), seqs[2]))
        );
    });
}

#[test]
fn a_new_document_has_no_view_no_actions_and_no_memory() {
    each_backend(|b| {
        let mut store = Store::open(&b.path).unwrap();
        let id = sha(TEXT);
        store.add_document(&id, "n", None, TEXT).unwrap();
        store.add_document(&id, "n", None, TEXT).unwrap(); // idempotent
        assert_eq!(store.view(&id).unwrap(), None);
        assert_eq!(store.done(&id).unwrap(), Some(false));
        assert!(store.actions(&id).unwrap().is_empty());
        assert_eq!(store.last_seq(&id).unwrap(), 0);
        assert_eq!(store.load_memory().unwrap(), None);
        assert_eq!(store.document_text("nope").unwrap(), None);
    });
}

#[test]
fn a_failing_action_applies_nothing() {
    each_backend(|b| {
        let path = b.path.clone();
        let id = make_db(&path, 1);
        let mut store = Store::open(&path).unwrap();
        let before = (store.spans(&id).unwrap(), store.actions(&id).unwrap());
        let good = Change::Insert(span(0, 3, "PER", State::Pending));

        let err = store
            .commit(
                &id,
                "edit",
                "{}",
                "ana",
                None,
                &[good.clone(), Change::Delete { id: 999 }],
            )
            .unwrap_err();
        assert!(
            matches!(err, StoreError::UnknownSpan { id: 999, .. }),
            "{err:?}"
        );
        assert_names(&err, &path);

        let update = Change::Update {
            id: 999,
            span: span(0, 3, "PER", State::Accepted),
        };
        let err = store
            .commit(&id, "edit", "{}", "ana", None, &[good.clone(), update])
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownSpan { .. }), "{err:?}");

        let past_end = Change::Insert(span(40, 400, "PER", State::Pending));
        let err = store
            .commit(&id, "edit", "{}", "ana", None, &[good.clone(), past_end])
            .unwrap_err();
        assert!(
            matches!(err, StoreError::BadRange { end: 400, .. }),
            "{err:?}"
        );

        let err = store
            .commit(
                &id,
                "undo",
                "{}",
                "ana",
                Some(12345),
                std::slice::from_ref(&good),
            )
            .unwrap_err();
        assert!(
            matches!(err, StoreError::UnknownAction { seq: 12345, .. }),
            "{err:?}"
        );

        let err = store
            .commit("not-a-doc", "edit", "{}", "ana", None, &[good])
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownDocument { .. }), "{err:?}");

        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(
            (store.spans(&id).unwrap(), store.actions(&id).unwrap()),
            before
        );
    });
}

#[test]
fn a_text_that_does_not_match_its_id_or_a_changed_file_is_refused() {
    each_backend(|b| {
        let path = b.path.clone();
        let mut store = Store::open(&path).unwrap();
        let old = sha(TEXT);
        store
            .add_document(&old, "news.txt", Some(Path::new("news.txt")), TEXT)
            .unwrap();
        let err = store
            .add_document(&old, "news.txt", None, "نص آخر")
            .unwrap_err();
        assert!(matches!(err, StoreError::HashMismatch { .. }), "{err:?}");
        assert_names(&err, &path);
        assert_eq!(store.document_text(&old).unwrap().as_deref(), Some(TEXT));

        // The file on disk changed: its new hash differs from the annotated one.
        let edited = format!("{TEXT} وأضاف.");
        let new = sha(&edited);
        store.check_unchanged(Path::new("news.txt"), &old).unwrap();
        store.check_unchanged(Path::new("other.txt"), &new).unwrap();
        let err = store
            .check_unchanged(Path::new("news.txt"), &new)
            .unwrap_err();
        assert!(matches!(err, StoreError::HashMismatch { .. }), "{err:?}");
        assert!(err.to_string().contains("not re-annotated"), "{err}");
    });
}

/// The v1 schema exactly as it was released, kept here so an accidental edit of the
/// shipped migration is caught.
const V1_AS_RELEASED: &str = "
CREATE TABLE documents (id TEXT PRIMARY KEY, name TEXT NOT NULL, source_path TEXT,
    text TEXT NOT NULL, added INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0,
    cursor INTEGER, top INTEGER);
CREATE TABLE spans (id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL REFERENCES documents(id), start INTEGER NOT NULL, end INTEGER NOT NULL,
    label TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    source TEXT NOT NULL, score REAL NOT NULL, annotator TEXT NOT NULL,
    created INTEGER NOT NULL, updated INTEGER NOT NULL, CHECK (start <= end));
CREATE INDEX spans_by_doc ON spans(doc, start);
CREATE TABLE actions (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL REFERENCES documents(id), kind TEXT NOT NULL, payload TEXT NOT NULL,
    annotator TEXT NOT NULL, at INTEGER NOT NULL, undoes INTEGER REFERENCES actions(seq));
CREATE INDEX actions_by_doc ON actions(doc, seq);
CREATE TABLE paths (source_path TEXT PRIMARY KEY, doc TEXT NOT NULL REFERENCES documents(id),
    seen INTEGER NOT NULL);
CREATE TABLE memory (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL,
    updated INTEGER NOT NULL);
PRAGMA user_version = 1;
";

#[test]
fn a_version_1_database_opens_with_its_data_at_the_current_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let id = sha(TEXT);
    let other_text = "وصل الوفد إلى بغداد.";
    let other = sha(other_text);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(V1_AS_RELEASED).unwrap();
        conn.execute(
            "INSERT INTO documents (id, name, source_path, text, added, done, cursor, top) \
             VALUES (?1, 'news.txt', 'in/news.txt', ?2, 5, 1, 5, 0), \
                    (?3, 'wafd.txt', NULL, ?4, 3, 0, NULL, NULL)",
            (&id, TEXT, &other, other_text),
        )
        .unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO actions (doc, kind, payload, annotator, at) VALUES ('{id}', 'create', '{{}}', 'ana', 6);
             INSERT INTO actions (doc, kind, payload, annotator, at) VALUES ('{other}', 'accept', '{{\"n\":1}}', 'omar', 7);
             INSERT INTO spans (doc, start, end, label, state, source, score, annotator, created, updated)
             VALUES ('{id}', 4, 10, 'PER', 'accepted', 'analyst', 1.0, 'ana', 6, 6),
                    ('{other}', 13, 18, 'LOC', 'pending', 'gazetteer', 0.5, 'omar', 7, 7);
             INSERT INTO memory (id, json, updated) VALUES (1, '{{\"بغداد\":\"LOC\"}}', 8);"
        ))
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    // Each document's work went to the layer of the one who did it (version 6).
    store.set_layer("ana");
    assert_eq!(store.view(&id).unwrap(), Some((5, 0)));
    let spans = store.spans(&id).unwrap();
    assert_eq!(
        (spans[0].span.start, spans[0].span.end, spans[0].span.state),
        (4, 10, State::Accepted)
    );
    store.set_layer("omar");
    let theirs = &store.spans(&other).unwrap()[0].span;
    assert_eq!(
        (theirs.start, theirs.label.as_str(), theirs.score),
        (13, "LOC", 0.5)
    );
    store.set_layer("ana");
    assert_eq!(store.actions(&id).unwrap()[0].kind, "create");
    // The memory saved by version 1 did not say which actions it had seen: 0, so
    // every action is replayed over it.
    assert_eq!(
        store.load_memory().unwrap(),
        Some(("{\"بغداد\":\"LOC\"}".to_string(), 0))
    );
    let replay: Vec<_> = store
        .actions_after(0)
        .unwrap()
        .into_iter()
        .map(|a| (a.doc, a.kind))
        .collect();
    assert_eq!(
        replay,
        vec![
            (id.clone(), "create".to_string()),
            (other.clone(), "accept".to_string())
        ]
    );
    assert_eq!(store.max_seq().unwrap(), 2);
    let docs: Vec<_> = store
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.name, d.source_path, d.done, d.added))
        .collect();
    assert_eq!(
        docs,
        vec![
            (other.clone(), "wafd.txt".to_string(), None, false, 3),
            (
                id.clone(),
                "news.txt".to_string(),
                Some("in/news.txt".to_string()),
                true,
                5
            ),
        ]
    );
    store
        .commit(
            &id,
            "reject",
            "{}",
            "omar",
            None,
            &[Change::Delete { id: spans[0].id }],
        )
        .unwrap();
    assert!(store.spans(&id).unwrap().is_empty());
    store.save_memory("{}", 3).unwrap();
    // Version 3: an old document has no record id, and takes flags.
    assert!(
        store
            .documents()
            .unwrap()
            .iter()
            .all(|d| d.record_id.is_none())
    );
    store
        .set_flag(&id, Some((4, 10)), Some("which Mohammed?"), "omar")
        .unwrap();
    drop(store);
    let mut store = Store::open(&path).unwrap();
    store.set_layer("ana");
    assert_eq!(store.load_memory().unwrap(), Some(("{}".to_string(), 3)));
    let flags = store.flags(&id).unwrap();
    assert_eq!(
        (flags[0].place, flags[0].note.as_str()),
        (Some((4, 10)), "which Mohammed?")
    );
}

#[test]
fn a_version_2_database_exports_without_being_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    let id = sha(TEXT);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(V1_AS_RELEASED).unwrap();
        conn.execute_batch(raqim::store::schema::MIGRATIONS[1])
            .unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute(
            "INSERT INTO documents (id, name, source_path, text, added, chars) \
             VALUES (?1, 'news.txt', NULL, ?2, 5, 47)",
            (&id, TEXT),
        )
        .unwrap();
    }
    let args = raqim::exchange::ExportArgs {
        db: &path,
        format: raqim::formats::Format::Jsonl,
        state: raqim::exchange::ExportState::All,
        offsets: None,
        out: None,
        docs: &[],
        ids: raqim::exchange::Ids::Name,
        ls_from_name: None,
        ls_to_name: None,
        conll_form: Default::default(),
        layer: "ana",
        layer_named: false,
        all_layers: false,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    raqim::exchange::export(&args, &mut out, &mut err).unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(r["id"], "news", "the file name without .txt");
    assert!(r.get("flagged").is_none(), "{r}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 2, "export migrated the file");
}

#[test]
fn a_flag_is_one_per_place_replaced_by_a_new_note_and_taken_off() {
    each_backend(|b| {
        let path = b.path.clone();
        let id = make_db(&path, 0);
        let mut store = Store::open(&path).unwrap();
        store.set_flag(&id, None, Some(""), "ana").unwrap();
        store
            .set_flag(&id, Some((4, 10)), Some("first"), "ana")
            .unwrap();
        store
            .set_flag(&id, Some((4, 10)), Some("second"), "omar")
            .unwrap();
        store.set_flag(&id, Some((0, 3)), Some("x"), "ana").unwrap();
        let flags: Vec<_> = store
            .flags(&id)
            .unwrap()
            .into_iter()
            .map(|f| (f.place, f.note, f.annotator))
            .collect();
        assert_eq!(
            flags,
            [
                (None, String::new(), "ana".to_string()),
                (Some((0, 3)), "x".to_string(), "ana".to_string()),
                (Some((4, 10)), "second".to_string(), "omar".to_string()),
            ]
        );
        store.set_flag(&id, None, None, "ana").unwrap();
        store.set_flag(&id, Some((0, 3)), None, "ana").unwrap();
        assert_eq!(store.flags(&id).unwrap().len(), 1);
        let err = store
            .set_flag(&sha("غير موجود"), None, Some(""), "ana")
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownDocument { .. }), "{err:?}");
    });
}

#[test]
fn registering_a_set_adds_its_documents_once_and_leaves_a_changed_file_to_the_viewer() {
    use raqim::store::Registration;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    // news.txt was annotated (one span) under its old text.
    let old = make_db(&path, 1);
    let reg = |name: &str, text: &str, file: Option<&str>| Registration {
        id: sha(text),
        name: name.to_string(),
        source_path: file.map(std::path::PathBuf::from),
        text: text.to_string(),
        record_id: None,
    };
    let changed = "قال الرئيس محمد في حلب إن الجيش السوري انسحب.";
    let set = [
        reg("a.txt", "وصل الوفد إلى بغداد", Some("set/a.txt")),
        reg("news.txt", changed, Some("news.txt")),
        Registration {
            record_id: Some("r-1".to_string()),
            ..reg("r-1", "في دمشق", None)
        },
    ];
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.register_documents(&set, false).unwrap().len(), 2);
    assert_eq!(
        store.register_documents(&set, false).unwrap().len(),
        0,
        "twice"
    );
    let docs: Vec<_> = store
        .documents_as_added()
        .unwrap()
        .into_iter()
        .map(|d| (d.name, d.record_id))
        .collect();
    assert_eq!(
        docs,
        [
            ("news.txt".to_string(), None),
            ("a.txt".to_string(), None),
            ("r-1".to_string(), Some("r-1".to_string())),
        ]
    );
    assert!(store.actions(&sha("في دمشق")).unwrap().is_empty());
    // The changed file still leads to its annotated version, for the viewer to ask.
    let (at, _) = store
        .document_for_path(Path::new("news.txt"))
        .unwrap()
        .unwrap();
    assert_eq!(at, old);
    let (at, _) = store
        .document_for_path(Path::new("set/a.txt"))
        .unwrap()
        .unwrap();
    assert_eq!(at, sha("وصل الوفد إلى بغداد"));
    // With --changed new the new text is a new document of its own.
    assert_eq!(store.register_documents(&set, true).unwrap().len(), 1);
    let (at, _) = store
        .document_for_path(Path::new("news.txt"))
        .unwrap()
        .unwrap();
    assert_eq!(at, sha(changed));
}

#[test]
fn actions_after_a_snapshot_come_from_every_document_in_order() {
    each_backend(|b| {
        let mut store = Store::open(&b.path).unwrap();
        assert_eq!(store.max_seq().unwrap(), 0);
        assert!(store.documents().unwrap().is_empty());
        let texts = [TEXT, "وصل الوفد إلى بغداد."];
        let ids: Vec<String> = texts.iter().map(|t| sha(t)).collect();
        for (i, (id, text)) in ids.iter().zip(texts).enumerate() {
            store
                .add_document(id, &format!("{i}.txt"), None, text)
                .unwrap();
        }
        let mut seqs = Vec::new();
        for i in 0..6 {
            let doc = &ids[i % 2];
            let (seq, _) = store
                .commit(
                    doc,
                    "create",
                    &format!("{{\"i\":{i}}}"),
                    "ana",
                    None,
                    &[Change::Insert(span(0, 3, "PER", State::Pending))],
                )
                .unwrap();
            seqs.push(seq);
        }
        assert_eq!(store.max_seq().unwrap(), seqs[5]);
        // A memory saved after the third action learns the last three from the log.
        store.save_memory("{}", seqs[2]).unwrap();
        let (_, upto) = store.load_memory().unwrap().unwrap();
        let later: Vec<_> = store
            .actions_after(upto)
            .unwrap()
            .into_iter()
            .map(|a| (a.seq, a.doc, a.payload))
            .collect();
        assert_eq!(
            later,
            (3..6)
                .map(|i| (seqs[i], ids[i % 2].clone(), format!("{{\"i\":{i}}}")))
                .collect::<Vec<_>>()
        );
        assert!(store.actions_after(seqs[5]).unwrap().is_empty());
        let mut listed: Vec<_> = store
            .documents()
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        listed.sort();
        let mut expected = ids.clone();
        expected.sort();
        assert_eq!(listed, expected);
    });
}

#[test]
fn a_database_from_a_newer_raqim_is_refused_and_left_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(V1_AS_RELEASED).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerVersion { found: 99, supported, .. } if supported == SCHEMA_VERSION),
        "{err:?}"
    );
    assert_names(&err, &path);
    assert!(err.to_string().contains("99"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

fn assert_refused_untouched(path: &Path, what: &str) -> StoreError {
    let before = std::fs::read(path).unwrap();
    let err = Store::open(path).unwrap_err();
    assert_names(&err, path);
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "{what}: the file was modified"
    );
    err
}

#[test]
fn a_file_of_garbage_is_refused_as_corrupt_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();
    let err = assert_refused_untouched(&path, "garbage");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("corrupt"), "{err}");

    std::fs::write(&path, b"SQLite").unwrap();
    let err = assert_refused_untouched(&path, "short");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
}

#[test]
fn a_truncated_copy_of_a_real_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    make_db(&path, 300);
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.len() >= 4 * 4096,
        "the fixture is too small to truncate"
    );
    let cut = dir.path().join("cut.db");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = assert_refused_untouched(&cut, "truncated");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn a_database_with_damaged_pages_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    make_db(&path, 300);
    let mut bytes = std::fs::read(&path).unwrap();
    let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    for (i, b) in bytes.iter_mut().enumerate().skip(page) {
        *b = (i * 31 % 253) as u8;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = assert_refused_untouched(&path, "damaged");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
}

#[test]
fn another_programs_sqlite_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE invoices (n INTEGER); INSERT INTO invoices VALUES (1);")
            .unwrap();
    }
    let err = assert_refused_untouched(&path, "foreign");
    assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");
    assert!(err.to_string().contains("invoices"), "{err}");
}

#[test]
fn a_read_only_database_is_refused_and_left_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    make_db(&path, 2);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    // The store checks the permission bits itself, so this holds even when the tests
    // run as root (whom the kernel would let write).
    let err = assert_refused_untouched(&path, "read-only");
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    assert!(err.to_string().contains("read-only"), "{err}");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    Store::open(&path).unwrap();
}

#[test]
fn a_database_locked_longer_than_the_timeout_is_reported_as_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    let id = make_db(&path, 1);
    let mut store = Store::open_with_timeout(&path, Duration::from_millis(100)).unwrap();

    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch("BEGIN EXCLUSIVE; UPDATE documents SET name = 'held';")
        .unwrap();
    let change = Change::Insert(span(0, 3, "PER", State::Pending));
    let err = store
        .commit(
            &id,
            "create",
            "{}",
            "ana",
            None,
            std::slice::from_ref(&change),
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Locked { waited_ms: 100, .. }),
        "{err:?}"
    );
    assert_names(&err, &path);
    assert!(err.to_string().contains("locked"), "{err}");

    // Once the other process is done, the same action goes through.
    other.execute_batch("COMMIT").unwrap();
    store
        .commit(&id, "create", "{}", "ana", None, &[change])
        .unwrap();
    assert_eq!(store.spans(&id).unwrap().len(), 2);
}

#[test]
fn a_database_locked_while_opening_is_reported_as_locked_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch(V1_AS_RELEASED).unwrap(); // rollback journal: EXCLUSIVE blocks readers
    other
        .execute_batch("BEGIN EXCLUSIVE; CREATE TABLE held (x);")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Store::open_with_timeout(&path, Duration::from_millis(100)).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert_names(&err, &path);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    other.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn two_processes_on_one_database_see_each_others_work_and_lose_nothing() {
    each_backend(|b| {
        let path = b.path.clone();
        let id = sha(TEXT);
        let mut a = Store::open(&path).unwrap();
        let mut b = Store::open(&path).unwrap();
        a.add_document(&id, "news.txt", None, TEXT).unwrap();
        b.add_document(&id, "news.txt", None, TEXT).unwrap();

        let mut known_by_a = a.last_seq(&id).unwrap();
        let mut all = Vec::new();
        for i in 0..10 {
            let (store, who) = if i % 2 == 0 {
                (&mut a, "ana")
            } else {
                (&mut b, "omar")
            };
            let (seq, ids) = store
                .commit(
                    &id,
                    "create",
                    &format!("{{\"i\":{i}}}"),
                    who,
                    None,
                    &[Change::Insert(span(i, i + 2, "ORG", State::Pending))],
                )
                .unwrap();
            all.push((seq, ids[0], who));
            if i % 2 == 1 {
                // A notices B's action on its next look.
                let now = a.last_seq(&id).unwrap();
                assert!(now > known_by_a);
                known_by_a = now;
            }
        }
        // B accepts a span that A created; A sees it.
        b.commit(
            &id,
            "accept",
            "{}",
            "omar",
            None,
            &[Change::Update {
                id: all[0].1,
                span: span(0, 2, "ORG", State::Accepted),
            }],
        )
        .unwrap();
        for store in [&a, &b] {
            let spans = store.spans(&id).unwrap();
            assert_eq!(spans.len(), 10);
            assert_eq!(spans[0].span.state, State::Accepted);
            assert_eq!(spans[0].annotator, "omar");
            let actions = store.actions(&id).unwrap();
            assert_eq!(actions.len(), 11);
            let who: Vec<_> = actions
                .iter()
                .take(10)
                .map(|x| (x.seq, x.annotator.as_str()))
                .collect();
            let expected: Vec<_> = all.iter().map(|&(s, _, w)| (s, w)).collect();
            assert_eq!(who, expected);
        }
    });
}

#[test]
fn two_stores_writing_from_threads_at_once_lose_nothing() {
    each_backend(|b| {
        let path = b.path.clone();
        let id = make_db(&path, 0);
        let workers: Vec<_> = ["ana", "omar"]
            .into_iter()
            .map(|who| {
                let (path, id) = (path.clone(), id.clone());
                std::thread::spawn(move || {
                    let mut store = Store::open(&path).unwrap();
                    for i in 0..25 {
                        let s = span(i, i + 1, "PER", State::Pending);
                        store
                            .commit(&id, "create", "{}", who, None, &[Change::Insert(s)])
                            .unwrap();
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.spans(&id).unwrap().len(), 50);
        assert_eq!(store.actions(&id).unwrap().len(), 50);
    });
}

#[test]
fn opening_creates_the_missing_folders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a").join("b").join("raqim.db");
    Store::open(&path).unwrap();
    assert!(path.is_file());
}

#[test]
fn undoing_a_delete_brings_the_span_back_under_its_old_id_and_new_spans_never_reuse_it() {
    each_backend(|b| {
        let path = b.path.clone();
        let id = make_db(&path, 0);
        let mut store = Store::open(&path).unwrap();
        let person = span(11, 15, "PER", State::Accepted);
        let (_, ids) = store
            .commit(
                &id,
                "create",
                "{}",
                "ana",
                None,
                &[
                    Change::Insert(span(4, 10, "PER", State::Pending)),
                    Change::Insert(person.clone()),
                ],
            )
            .unwrap();
        let gone = ids[1]; // the newest id: a reused id would be the next one handed out
        let (del, _) = store
            .commit(
                &id,
                "delete",
                "{}",
                "ana",
                None,
                &[Change::Delete { id: gone }],
            )
            .unwrap();
        let (_, restored) = store
            .commit(
                &id,
                "undo",
                "{}",
                "ana",
                Some(del),
                &[Change::Restore {
                    id: gone,
                    span: person.clone(),
                }],
            )
            .unwrap();
        assert!(restored.is_empty(), "a restore is not a new insert");
        let spans = store.spans(&id).unwrap();
        let back = spans.iter().find(|s| s.id == gone).expect("span is back");
        assert_eq!(back.span, person, "the same span as before its delete");

        // Restoring it again would make two spans of one: refused, nothing applied.
        let before = (store.spans(&id).unwrap(), store.actions(&id).unwrap());
        let err = store
            .commit(
                &id,
                "redo",
                "{}",
                "ana",
                None,
                &[
                    Change::Insert(span(0, 3, "LOC", State::Pending)),
                    Change::Restore {
                        id: gone,
                        span: person,
                    },
                ],
            )
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::SpanExists { id: x, doc, .. } if *x == gone && *doc == id),
            "{err:?}"
        );
        assert_names(&err, &path);
        assert!(err.to_string().contains(&format!("span {gone}")), "{err}");
        assert_eq!(
            (store.spans(&id).unwrap(), store.actions(&id).unwrap()),
            before
        );

        // Delete it for good; new spans, also after a restart, get ids never used before.
        store
            .commit(
                &id,
                "delete",
                "{}",
                "ana",
                None,
                &[Change::Delete { id: gone }],
            )
            .unwrap();
        drop(store);
        let mut store = Store::open(&path).unwrap();
        for _ in 0..3 {
            let (_, new) = store
                .commit(
                    &id,
                    "create",
                    "{}",
                    "ana",
                    None,
                    &[Change::Insert(span(0, 3, "LOC", State::Pending))],
                )
                .unwrap();
            assert!(new[0] > gone, "id {} reused or below a used one", new[0]);
        }
    });
}

/// Two documents in one database, closed.
fn make_two_docs(path: &Path) -> (String, String) {
    let other_text = "وصل الوفد إلى بغداد.";
    let mut store = Store::open(path).unwrap();
    let (a, b) = (sha(TEXT), sha(other_text));
    store.add_document(&a, "news.txt", None, TEXT).unwrap();
    store
        .add_document(&b, "wafd.txt", None, other_text)
        .unwrap();
    (a, b)
}

/// Two documents, the first with 3,000 spans, and a page of its spans damaged where
/// opening does not look: their ids and the file's bytes after.
fn two_docs_one_damaged(path: &Path) -> (String, String, Vec<u8>) {
    let (id, other) = make_two_docs(path);
    let many: Vec<_> = (0..3000)
        .map(|i| Change::Insert(span(i % 40, i % 40 + 3, "LOC", State::Pending)))
        .collect();
    Store::open(path)
        .unwrap()
        .commit(&id, "import", "{}", "ana", None, &many)
        .unwrap();
    let bytes = damage_spans_leaf(path);
    (id, other, bytes)
}

#[test]
fn a_second_raqim_on_the_same_document_is_told_who_has_it_until_the_first_lets_go() {
    each_backend(|b| {
        let path = b.path.clone();
        let (id, other) = make_two_docs(&path);
        let first = Store::open(&path).unwrap();
        let second = Store::open(&path).unwrap();

        let lock = first.lock_document(&id, "سارة").unwrap();
        // Two handles on one lock file conflict even within one process (flock locks
        // belong to the open file, not the process), as two server connections do: so
        // this stands for a second raqim.
        let err = second.lock_document(&id, "omar").unwrap_err();
        let StoreError::DocumentInUse { doc, holder, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(doc, &id);
        assert!(holder.contains("سارة"), "{holder}");
        assert_names(&err, &path);
        let msg = err.to_string();
        let expected = format!(
            "{}: document {} is open in another raqim (annotator سارة, pid {}, since ",
            path.display(),
            &id[..12],
            std::process::id()
        );
        assert!(msg.starts_with(&expected), "{msg}");
        assert!(msg.ends_with(" UTC); opening it read-only"), "{msg}");
        // Taking it again from the same store is refused too: one lock, one holder.
        assert!(matches!(
            first.lock_document(&id, "سارة"),
            Err(StoreError::DocumentInUse { .. })
        ));

        // Another document is free.
        let _other = second.lock_document(&other, "omar").unwrap();

        drop(lock);
        let taken = second.lock_document(&id, "omar").unwrap();
        let err = first.lock_document(&id, "سارة").unwrap_err().to_string();
        assert!(err.contains("annotator omar"), "{err}");
        assert!(
            !err.contains("سارة"),
            "the old holder is still named: {err}"
        );
        drop(taken);
    });
}

#[test]
fn a_lock_file_beside_the_database_names_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    let (id, _) = make_two_docs(&path);
    let first = Store::open(&path).unwrap();
    let second = Store::open(&path).unwrap();
    let lock = first.lock_document(&id, "سارة").unwrap();
    // One lock file per document and layer, named by the document's id.
    let file = lock.path().to_path_buf();
    assert_eq!(
        file.parent(),
        Some(dir.path().join("raqim.db.locks").as_path())
    );
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with(&format!("{id}.")) && name.ends_with(".lock"),
        "{name}"
    );
    let info: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&file).unwrap().trim_end()).unwrap();
    assert_eq!(info["pid"], std::process::id());
    assert_eq!(info["annotator"], "سارة");
    assert!(info["since_ms"].as_i64().unwrap() > 0);

    drop(lock);
    let taken = second.lock_document(&id, "omar").unwrap();
    let info = std::fs::read_to_string(&file).unwrap();
    assert!(info.contains("\"omar\""), "{info}");
    assert!(
        !info.contains("سارة"),
        "the old holder is still named: {info}"
    );
    drop(taken);
}

#[test]
fn a_lock_file_that_cannot_be_read_still_refuses_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    let (id, _) = make_two_docs(&path);
    let first = Store::open(&path).unwrap();
    let second = Store::open(&path).unwrap();
    let lock = first.lock_document(&id, "ana").unwrap();
    for junk in ["", "not json\n", "{\"pid\":\"x\"}\n"] {
        std::fs::write(lock.path(), junk).unwrap();
        let err = second.lock_document(&id, "omar").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: document {} is open in another raqim; opening it read-only",
                path.display(),
                &id[..12]
            )
        );
    }
}

#[test]
fn locking_a_document_the_database_does_not_have_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    make_two_docs(&path);
    let store = Store::open(&path).unwrap();
    for doc in ["../../etc/passwd", &sha("غير موجود")] {
        let err = store.lock_document(doc, "ana").unwrap_err();
        assert!(matches!(err, StoreError::UnknownDocument { .. }), "{err:?}");
        assert_names(&err, &path);
    }
    assert_eq!(
        std::fs::read_dir(dir.path().join("raqim.db.locks"))
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );
}

/// Set (to the database path) in the child that the SIGKILL test spawns.
const HOLD_LOCK_ENV: &str = "RAQIM_TEST_HOLD_LOCK_IN";
const SIGKILL_TEST: &str = "a_document_lock_dies_with_a_raqim_killed_by_sigkill";

#[test]
fn a_document_lock_dies_with_a_raqim_killed_by_sigkill() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};

    if let Some(db) = std::env::var_os(HOLD_LOCK_ENV) {
        // The child: hold the lock until killed (or until the parent goes away and
        // our stdin closes, so a failing parent leaves no process behind).
        let store = Store::open(Path::new(&db)).unwrap();
        let _lock = store.lock_document(&sha(TEXT), "child").unwrap();
        println!("holding");
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        return;
    }
    each_backend(|b| {
        let path = b.path.clone();
        let (id, _) = make_two_docs(&path);
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([SIGKILL_TEST, "--exact", "--nocapture", "--test-threads=1"])
            .env(HOLD_LOCK_ENV, &path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let holding = out
            .lines()
            .map_while(Result::ok)
            .any(|l| l.contains("holding"));
        assert!(holding, "the child did not take the lock");

        let store = Store::open(&path).unwrap();
        let err = store.lock_document(&id, "ana").unwrap_err();
        let StoreError::DocumentInUse { holder, .. } = &err else {
            panic!("{err:?}");
        };
        assert!(
            holder.contains(&format!("annotator child, pid {}", child.id())),
            "{holder}"
        );

        child.kill().unwrap(); // SIGKILL: no destructor runs in the child
        child.wait().unwrap();
        // The OS frees a file lock with its process; a server frees an advisory lock
        // when it notices the connection gone, a moment later.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let lock = loop {
            match store.lock_document(&id, "ana") {
                Err(StoreError::DocumentInUse { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                r => break r.unwrap(),
            }
        };
        assert_eq!(lock.doc(), id);
    });
}

#[test]
fn two_processes_on_different_documents_both_write_and_lose_nothing() {
    each_backend(|b| {
        let path = b.path.clone();
        let (doc_a, doc_b) = make_two_docs(&path);
        let mut a = Store::open(&path).unwrap();
        let mut b = Store::open(&path).unwrap();
        let _lock_a = a.lock_document(&doc_a, "ana").unwrap();
        let _lock_b = b.lock_document(&doc_b, "omar").unwrap();
        let mut expected_a = Vec::new();
        let mut expected_b = Vec::new();
        for i in 0..10 {
            let (store, doc, who, expected) = if i % 2 == 0 {
                (&mut a, &doc_a, "ana", &mut expected_a)
            } else {
                (&mut b, &doc_b, "omar", &mut expected_b)
            };
            let (seq, ids) = store
                .commit(
                    doc,
                    "create",
                    &format!("{{\"i\":{i}}}"),
                    who,
                    None,
                    &[Change::Insert(span(i, i + 3, "LOC", State::Pending))],
                )
                .unwrap();
            expected.push((seq, ids[0], who.to_string()));
        }
        drop((a, b));
        let store = Store::open(&path).unwrap();
        for (doc, expected) in [(&doc_a, &expected_a), (&doc_b, &expected_b)] {
            let actions: Vec<_> = store
                .actions(doc)
                .unwrap()
                .into_iter()
                .map(|x| (x.seq, x.annotator))
                .collect();
            let spans: Vec<_> = store
                .spans(doc)
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect();
            assert_eq!(
                actions,
                expected
                    .iter()
                    .map(|(s, _, w)| (*s, w.clone()))
                    .collect::<Vec<_>>()
            );
            assert_eq!(spans, expected.iter().map(|e| e.1).collect::<Vec<_>>());
        }
        assert_eq!(store.max_seq().unwrap(), 10);
    });
}

#[test]
fn damage_deep_in_a_big_file_is_reported_when_reached_and_nothing_more_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    // A leaf of the spans table in the middle of the file: opening does not read it
    // (reading every page would make opening a big database slow).
    let (id, other, bytes) = two_docs_one_damaged(&path);

    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.document_text(&id).unwrap().as_deref(), Some(TEXT));
    let err = store.spans(&id).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_names(&err, &path);
    assert!(err.to_string().contains("corrupt"), "{err}");
    // Having seen the damage, the store writes nothing more, not even to a sound part.
    let change = Change::Insert(span(0, 3, "PER", State::Pending));
    for doc in [&id, &other] {
        let err = store
            .commit(
                doc,
                "create",
                "{}",
                "ana",
                None,
                std::slice::from_ref(&change),
            )
            .unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert_names(&err, &path);
    }
    assert!(matches!(
        store.set_view(&other, 1, 0),
        Err(StoreError::Corrupt { .. })
    ));
    assert!(matches!(
        store.save_memory("{}", 1),
        Err(StoreError::Corrupt { .. })
    ));
    drop(store);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the file was modified"
    );

    // The full check, on demand, finds it without a query having to reach it.
    let store = Store::open(&path).unwrap();
    let err = store.verify().unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_names(&err, &path);
    drop(store);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the file was modified"
    );
}

#[test]
fn a_raqim_database_missing_one_of_its_tables_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(V1_AS_RELEASED).unwrap();
        conn.execute_batch("DROP TABLE paths;").unwrap();
    }
    let err = assert_refused_untouched(&path, "missing table");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("paths"), "{err}");
}

#[test]
fn a_sound_database_passes_the_full_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    make_db(&path, 300);
    Store::open(&path).unwrap().verify().unwrap();
}

#[test]
fn a_check_in_the_background_finds_damage_no_query_reached_and_stops_writes_from_then_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    let (_, other, bytes) = two_docs_one_damaged(&path);

    let mut store = Store::open(&path).unwrap();
    // Opening does not read the damaged page, and a sound part can still be written...
    assert!(store.refusal().is_none());
    let err = store.verify_in_background().join().unwrap().unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_names(&err, &path);
    // ... until the check has found the damage: then nothing more is written.
    let why = store.refusal().expect("a refusal").to_string();
    assert!(why.contains(&path.display().to_string()), "{why}");
    assert!(
        why.contains("damaged") && why.contains("raqim check"),
        "{why}"
    );
    let change = Change::Insert(span(0, 3, "PER", State::Pending));
    let err = store
        .commit(&other, "create", "{}", "ana", None, &[change])
        .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(store.set_done(&other, true).is_err());
    drop(store);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the file was modified"
    );
}

#[test]
fn an_empty_database_file_is_refused_and_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    std::fs::write(&path, b"").unwrap();
    for err in [
        Store::open(&path).unwrap_err(),
        Store::open_read_only(&path).unwrap_err(),
    ] {
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert_names(&err, &path);
        assert!(err.to_string().contains("empty (0 bytes)"), "{err}");
    }
    assert_eq!(std::fs::read(&path).unwrap().len(), 0);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn stores_opened_at_once_on_a_database_nobody_made_yet_all_open_it() {
    // Before a new database was made whole beside its place, one of eight threads
    // met it half-made ("not made by raqim") within a few rounds.
    for _ in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join("raqim.db");
        let start = std::sync::Barrier::new(8);
        std::thread::scope(|s| {
            let opened: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        Store::open_with_timeout(&path, Duration::from_secs(20))
                    })
                })
                .collect();
            for t in opened {
                let store = t.join().unwrap().unwrap();
                assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
            }
        });
        let left: Vec<String> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".new-"))
            .collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }
}

#[test]
fn a_version_number_that_does_not_match_the_tables_is_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    make_db(&path, 3);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let err = assert_refused_untouched(&path, "version 1 with version 2's tables");
    assert!(matches!(err, StoreError::SchemaMismatch { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("schema version 1"), "{msg}");
    assert!(
        msg.contains("table actions has the columns") && msg.contains("layer"),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("those of version {SCHEMA_VERSION}")),
        "{msg}"
    );
    assert!(!msg.contains("duplicate column"), "{msg}");
}

#[test]
fn a_read_only_database_file_opens_for_reading_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    let id = make_db(&path, 3);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut store = Store::open_read_only(&path).unwrap();
    assert_eq!(store.spans(&id).unwrap().len(), 3);
    let err = store.set_done(&id, true).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    drop(store);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn in_a_folder_nobody_can_write_reading_works_and_writing_names_the_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("shared");
    std::fs::create_dir(&folder).unwrap();
    let path = folder.join("raqim.db");
    let id = make_db(&path, 3);
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    if tempfile::tempfile_in(&folder).is_ok() {
        // Root writes anyway: nothing to check here.
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: the folder stays writable for this user");
        return;
    }
    let read = Store::open_read_only(&path).map(|s| s.spans(&id).map(|v| v.len()));
    let write = Store::open(&path).map(|_| ());
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(read.unwrap().unwrap(), 3);
    let err = write.unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&format!(
            "its folder {} cannot be written",
            folder.display()
        )),
        "{err}"
    );
}

#[test]
fn a_new_database_in_a_folder_nobody_may_write_names_the_folder_and_leaves_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("shared");
    std::fs::create_dir(&folder).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    if tempfile::tempfile_in(&folder).is_ok() {
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: the folder stays writable for this user");
        return;
    }
    let path = folder.join("raqim.db");
    let err = Store::open(&path).unwrap_err();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!(
            "its folder {} cannot be written",
            folder.display()
        )),
        "{msg}"
    );
    assert!(!msg.contains(".new-"), "{msg}");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

#[test]
fn a_version_3_database_exports_unmigrated_and_takes_foreign_fields_once_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    let id = sha(TEXT);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(V1_AS_RELEASED).unwrap();
        for step in &raqim::store::schema::MIGRATIONS[1..3] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute(
            "INSERT INTO documents (id, name, source_path, text, added, chars, record_id) \
             VALUES (?1, 'news.txt', NULL, ?2, 5, 47, 'n-1')",
            (&id, TEXT),
        )
        .unwrap();
    }
    let export = |path: &Path| {
        let args = raqim::exchange::ExportArgs {
            db: path,
            format: raqim::formats::Format::Doccano,
            state: raqim::exchange::ExportState::All,
            offsets: None,
            out: None,
            docs: &[],
            ids: raqim::exchange::Ids::Name,
            ls_from_name: None,
            ls_to_name: None,
            conll_form: Default::default(),
            layer: "ana",
            layer_named: false,
            all_layers: false,
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        raqim::exchange::export(&args, &mut out, &mut err).unwrap();
        serde_json::from_slice::<serde_json::Value>(&out).unwrap()
    };
    assert_eq!(export(&path)["id"], "n-1");
    let version = |path: &Path| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(&path), 3, "export migrated the file");
    // Opened for writing, it is migrated; an import then keeps the record's fields.
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let doc = raqim::store::ImportDoc {
        id: id.clone(),
        name: "news.txt".into(),
        source_path: None,
        text: TEXT.into(),
        done: false,
        spans: Vec::new(),
        record_id: None,
        flags: Vec::new(),
        foreign: Some((
            "doccano".into(),
            serde_json::json!({"fields": {"meta": {"wikiPageID": 9}}}),
        )),
        layer: None,
    };
    store
        .import_documents(&[doc], "import", "ana", &|_, _| "{}".into())
        .unwrap();
    drop(store);
    assert_eq!(export(&path)["meta"]["wikiPageID"], 9);
}

#[test]
fn a_version_4_database_takes_assignments_once_migrated_and_an_unknown_document_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    let id = sha(TEXT);
    let other_text = "وصل الوفد إلى بغداد.";
    let other = sha(other_text);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(V1_AS_RELEASED).unwrap();
        for step in &raqim::store::schema::MIGRATIONS[1..4] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        conn.execute(
            "INSERT INTO documents (id, name, source_path, text, added, chars) \
             VALUES (?1, 'news.txt', NULL, ?2, 5, 47), (?3, 'wafd.txt', NULL, ?4, 6, 20)",
            (&id, TEXT, &other, other_text),
        )
        .unwrap();
        conn.execute(
            "INSERT INTO actions (doc, kind, payload, annotator, at) \
             VALUES (?1, 'create', '{}', 'amal', 7)",
            [&id],
        )
        .unwrap();
    }
    // Read only, a version 4 database is not migrated and has no assignments.
    let store = Store::open_read_only(&path).unwrap();
    assert!(store.assignments().unwrap().is_empty());
    assert_eq!(store.schema_version().unwrap(), 4);
    drop(store);
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let rows = |v: &[(&String, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(d, a)| (d.to_string(), a.to_string()))
            .collect()
    };
    let first = rows(&[(&other, "basel"), (&id, "amal"), (&id, "basel")]);
    assert_eq!(store.assign(&first).unwrap(), 3);
    // Again: nothing new.
    assert_eq!(store.assign(&first).unwrap(), 0);
    // An unknown document refuses the whole batch, naming it.
    let err = store
        .assign(&rows(&[(&other, "amal"), (&"f00d".to_string(), "amal")]))
        .unwrap_err();
    assert!(matches!(&err, StoreError::UnknownDocument { doc, .. } if doc == "f00d"));
    assert_names(&err, &path);
    drop(store);
    let store = Store::open(&path).unwrap();
    let got: Vec<_> = store
        .assignments()
        .unwrap()
        .into_iter()
        .map(|a| (a.doc, a.annotator, a.started))
        .collect();
    assert_eq!(
        got,
        vec![
            (other.clone(), "basel".to_string(), false),
            (id.clone(), "amal".to_string(), true),
            (id.clone(), "basel".to_string(), false),
        ],
        "in the order assigned; amal has acted on hers"
    );
    assert_eq!(store.assigned_to("basel").unwrap(), vec![other, id.clone()]);
    assert_eq!(store.assigned_to("amal").unwrap(), vec![id]);
    assert!(store.assigned_to("dina").unwrap().is_empty());
}

#[test]
fn a_version_5_stamp_on_version_6_tables_is_refused_naming_the_layers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    make_db(&path, 1);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 5).unwrap();
    }
    let err = assert_refused_untouched(&path, "version 5 with version 6's tables");
    let msg = err.to_string();
    assert!(
        msg.contains("table actions has the columns") && msg.contains("layer"),
        "{msg}"
    );
    assert!(msg.contains("those of version 6"), "{msg}");
}
