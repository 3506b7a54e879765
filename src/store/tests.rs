//! Unit tests that need the store's private connection or the migration internals.

use super::*;
use crate::annotation::State;
use std::ffi::OsString;

fn doc(store: &mut Store, text: &str) -> String {
    let id = document_id(text);
    store.add_document(&id, "a.txt", None, text).unwrap();
    id
}

/// A new database in a temporary folder (kept while the folder lives).
fn fresh() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqim.db");
    let store = Store::open(&path).unwrap();
    (dir, path, store)
}

/// Commits one "create" action inserting `span`.
fn create(store: &mut Store, id: &str, span: NewSpan) {
    store
        .commit(id, "create", "{}", "ana", None, &[Change::Insert(span)])
        .unwrap();
}

/// The one number `sql` gives.
fn number(store: &Store, sql: &str) -> i64 {
    store
        .sqlite()
        .unwrap()
        .conn
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn span(start: usize, end: usize) -> NewSpan {
    NewSpan {
        start,
        end,
        label: "PER".to_string(),
        state: State::Pending,
        source: "analyst".to_string(),
        score: 1.0,
    }
}

#[test]
fn a_full_database_is_reported_as_full_and_the_action_is_not_applied() {
    let (_dir, path, mut store) = fresh();
    let id = doc(&mut store, "قال محمد");
    create(&mut store, &id, span(0, 3));
    let pages = number(&store, "PRAGMA page_count");
    // Provokes SQLITE_FULL: the database may not grow by another page.
    number(&store, &format!("PRAGMA max_page_count = {pages}"));
    let big = "x".repeat(64 * 1024);
    let err = store
        .commit(
            &id,
            "create",
            &big,
            "ana",
            None,
            &[Change::Insert(span(4, 8))],
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Full { .. }), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()));
    assert!(err.to_string().contains("disk is full"));
    assert_eq!(store.spans(&id).unwrap().len(), 1);
    assert_eq!(store.actions(&id).unwrap().len(), 1);
}

#[test]
fn migrations_run_in_order_from_the_version_found_and_keep_the_data() {
    let (_dir, path, mut store) = fresh();
    let id = doc(&mut store, "نص");
    store.save_memory("{\"k\":1}", 7).unwrap();
    // A later release appends a step; only the missing one runs.
    let next = "ALTER TABLE documents ADD COLUMN note TEXT NOT NULL DEFAULT 'none';";
    let mut steps = schema::MIGRATIONS.to_vec();
    steps.push(next);
    let v = schema::migrate(&mut store.sqlite_mut().unwrap().conn, &path, 0, &steps).unwrap();
    assert_eq!(v, SCHEMA_VERSION + 1);
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION + 1);
    let note: String = store
        .sqlite()
        .unwrap()
        .conn
        .query_row("SELECT note FROM documents WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(note, "none");
    assert_eq!(
        store.load_memory().unwrap(),
        Some(("{\"k\":1}".to_string(), 7))
    );
    // This build does not know the step: the migrated file is now "newer".
    drop(store);
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerVersion { found, supported, .. }
                if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION
        ),
        "{err:?}"
    );
}

#[test]
fn a_failing_migration_step_leaves_the_old_version() {
    let (_dir, path, mut store) = fresh();
    let mut steps = schema::MIGRATIONS.to_vec();
    steps.push("CREATE TABLE t (x); THIS IS NOT SQL;");
    assert!(schema::migrate(&mut store.sqlite_mut().unwrap().conn, &path, 0, &steps).is_err());
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let t = number(
        &store,
        "SELECT count(*) FROM sqlite_master WHERE name = 't'",
    );
    assert_eq!(t, 0, "a half-applied step was kept");
}

#[test]
fn span_states_round_trip_through_their_stored_text() {
    for s in State::ALL {
        assert_eq!(s.as_str().parse(), Ok(s));
        // The database and the interchange files (serde) write the same text.
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            format!("{:?}", s.as_str())
        );
    }
    assert!("maybe".parse::<State>().is_err());
}

#[test]
fn the_database_is_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("x").join("raqim.db")).unwrap();
    let mode: String = store
        .sqlite()
        .unwrap()
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

fn os(s: &str) -> Option<OsString> {
    Some(OsString::from(s))
}

#[test]
fn the_default_path_follows_raqim_db_then_xdg_then_home() {
    let p = |s: &str| Some(PathBuf::from(s));
    assert_eq!(
        default_path_from(os("/x/my.db"), os("/data"), os("/home/u")),
        p("/x/my.db")
    );
    assert_eq!(
        default_path_from(None, os("/data"), os("/home/u")),
        p("/data/raqim/raqim.db")
    );
    assert_eq!(
        default_path_from(os(""), None, os("/home/u")),
        p("/home/u/.local/share/raqim/raqim.db")
    );
    // The XDG spec says to ignore a relative or empty XDG_DATA_HOME.
    assert_eq!(
        default_path_from(None, os("rel"), os("/home/u")),
        p("/home/u/.local/share/raqim/raqim.db")
    );
    assert_eq!(default_path_from(None, os(""), None), None);
    // The --db flag wins over everything.
    assert_eq!(
        Store::resolve_path(Some(Path::new("flag.db"))),
        p("flag.db")
    );
}

/// The plan SQLite chooses for `sql`, one line per step.
fn plan(store: &Store, sql: &str) -> String {
    let mut stmt = store
        .sqlite()
        .unwrap()
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let n = stmt.parameter_count();
    let rows: Vec<String> = stmt
        .query_map(
            rusqlite::params_from_iter(std::iter::repeat_n("x", n)),
            |r| r.get::<_, String>(3),
        )
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.join("\n")
}

#[test]
fn opening_a_document_searches_indexes_instead_of_reading_every_span_or_action() {
    let (_dir, _, mut store) = fresh();
    let id = doc(&mut store, "قال محمد في دمشق");
    // Enough rows that a scan would be a plausible choice if no index fitted.
    for i in 0..50 {
        create(&mut store, &id, span(i % 10, i % 10 + 2));
    }
    let spans = plan(&store, SPANS_OF_DOC);
    assert!(
        spans.contains("SEARCH spans USING INDEX spans_by_doc"),
        "{spans}"
    );
    let actions = plan(&store, ACTIONS_OF_DOC);
    assert!(
        actions.contains("SEARCH actions USING INDEX actions_by_doc"),
        "{actions}"
    );
    let after = plan(&store, ACTIONS_AFTER);
    assert!(
        after.contains("SEARCH actions USING INTEGER PRIMARY KEY"),
        "{after}"
    );
    for p in [spans, actions, after] {
        assert!(!p.contains("SCAN"), "a full scan: {p}");
    }
}

#[test]
fn version_2_adds_the_snapshot_seq_and_the_state_index() {
    let (_dir, _, store) = fresh();
    let index =
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'spans_by_doc_state'";
    assert_eq!(number(&store, index), 1);
    let column = "SELECT count(*) FROM pragma_table_info('memory') WHERE name = 'upto_seq'";
    assert_eq!(number(&store, column), 1);
}

fn import_doc(text: &str, spans: &[(usize, usize, &str, State)]) -> ImportDoc {
    ImportDoc {
        id: document_id(text),
        name: "imported".to_string(),
        source_path: None,
        text: text.to_string(),
        done: false,
        record_id: None,
        flags: Vec::new(),
        foreign: None,
        layer: None,
        spans: spans
            .iter()
            .map(|&(start, end, label, state)| ImportSpan {
                span: NewSpan {
                    label: label.to_string(),
                    state,
                    ..span(start, end)
                },
                annotator: "model".to_string(),
            })
            .collect(),
    }
}

#[test]
fn an_import_adds_documents_and_spans_once_and_keeps_the_spans_already_there() {
    let (_dir, _, mut store) = fresh();
    let text = "قال محمد في دمشق إن الجيش انسحب";
    let id = doc(&mut store, text);
    // The analyst accepted «دمشق» (12..16) before the import.
    let mut accepted = span(12, 16);
    accepted.label = "LOC".to_string();
    accepted.state = State::Accepted;
    create(&mut store, &id, accepted);
    let docs = [
        import_doc(
            text,
            &[
                (4, 8, "PER", State::Pending),    // new
                (12, 16, "LOC", State::Pending),  // same as the accepted one
                (9, 16, "LOC", State::Pending),   // overlaps it
                (12, 16, "ORG", State::Rejected), // rejected: conflicts with nothing
                (20, 25, "ORG", State::Accepted), // new
                (21, 31, "ORG", State::Accepted), // overlaps the one before
            ],
        ),
        import_doc("نص آخر", &[(0, 2, "LOC", State::Accepted)]),
    ];
    let payload = |i: usize, n: usize| format!("{{\"doc\":{i},\"spans\":{n}}}");
    let r = store
        .import_documents(&docs, "import", "ana", &payload)
        .unwrap();
    assert_eq!((r.docs_added, r.docs_updated, r.docs_unchanged), (1, 1, 0));
    assert_eq!((r.spans_added, r.duplicates, r.conflicts.len()), (4, 1, 2));
    assert_eq!(r.conflicts[0].span, 2);
    assert_eq!(
        r.conflicts[0].with,
        (12, 16, "LOC".to_string(), State::Accepted)
    );
    assert_eq!(r.conflicts[1].with.0, 20);
    let spans = store.spans(&id).unwrap();
    assert_eq!(spans.len(), 4);
    assert!(
        spans
            .iter()
            .any(|s| s.annotator == "model" && s.span.label == "PER")
    );
    let log = store.actions(&id).unwrap();
    assert_eq!(log.last().unwrap().payload, "{\"doc\":0,\"spans\":3}");
    // The same import again adds nothing and writes no action.
    let seq = store.max_seq().unwrap();
    let again = store
        .import_documents(&docs, "import", "ana", &payload)
        .unwrap();
    assert_eq!(
        (again.docs_added, again.docs_updated, again.docs_unchanged),
        (0, 0, 2)
    );
    assert_eq!(again.spans_added, 0);
    assert_eq!(again.duplicates, 5);
    assert_eq!(store.max_seq().unwrap(), seq);
}

#[test]
fn an_import_with_a_bad_document_changes_nothing() {
    let (_dir, _, mut store) = fresh();
    let good = import_doc("نص أول", &[(0, 2, "LOC", State::Accepted)]);
    let mut bad = import_doc("نص ثان", &[(0, 99, "LOC", State::Accepted)]);
    let err = store
        .import_documents(&[good.clone(), bad.clone()], "import", "ana", &|_, _| {
            String::new()
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::BadRange { .. }), "{err}");
    bad.spans.clear();
    bad.id = good.id.clone();
    let err = store
        .import_documents(&[good, bad], "import", "ana", &|_, _| String::new())
        .unwrap_err();
    assert!(matches!(err, StoreError::HashMismatch { .. }), "{err}");
    assert!(store.documents().unwrap().is_empty());
    assert_eq!(store.max_seq().unwrap(), 0);
}

#[test]
fn documents_come_back_in_the_order_one_import_added_them() {
    let (_dir, _, mut store) = fresh();
    let texts = ["ج", "ب", "أ", "د"];
    let mut docs: Vec<ImportDoc> = texts.iter().map(|t| import_doc(t, &[])).collect();
    // Spans out of order, and a rejected one on the same range as an accepted one.
    docs[1] = import_doc(
        "بين دمشق وبغداد",
        &[
            (9, 15, "LOC", State::Pending),
            (4, 8, "LOC", State::Accepted),
            (4, 8, "ORG", State::Rejected),
        ],
    );
    let r = store
        .import_documents(&docs, "import", "ana", &|_, _| String::new())
        .unwrap();
    assert_eq!(r.docs_added, 4);
    let ids: Vec<String> = store
        .documents_as_added()
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    let want: Vec<String> = docs.iter().map(|d| document_id(&d.text)).collect();
    assert_eq!(ids, want);
    // All of them (read in one scan of the spans) or one (read by its index): the
    // same texts and spans, ordered as `spans` orders them.
    let rows = store.documents_as_added().unwrap();
    let mut read = Vec::new();
    store
        .read_documents::<StoreError>(&rows, |d| {
            read.push((d.text, d.spans));
            Ok(())
        })
        .unwrap();
    let texts: Vec<&str> = read.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts, ["ج", "بين دمشق وبغداد", "أ", "د"]);
    let spans = store.spans(&rows[1].id).unwrap();
    assert_eq!(spans.len(), 3);
    assert_eq!(read[1].1, spans);
    let mut one = Vec::new();
    store
        .read_documents::<StoreError>(&rows[1..2], |d| {
            one.push(d.spans);
            Ok(())
        })
        .unwrap();
    assert_eq!(one, [spans]);
}

#[test]
fn a_full_disk_is_said_as_such_naming_the_folder_even_when_sqlite_says_disk_io_error() {
    let path = Path::new("archive/raqim.db");
    let failure = |code, extended| {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error {
                code,
                extended_code: extended,
            },
            Some("disk I/O error".to_string()),
        )
    };
    for e in [
        // Growing the -shm file beside the database failed (ENOSPC).
        failure(
            rusqlite::ErrorCode::SystemIoFailure,
            rusqlite::ffi::SQLITE_IOERR_SHMSIZE,
        ),
        failure(rusqlite::ErrorCode::DiskFull, rusqlite::ffi::SQLITE_FULL),
    ] {
        let err = StoreError::from_sqlite(path, 0, e);
        assert!(matches!(err, StoreError::Full { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.starts_with("archive/raqim.db: the disk is full"),
            "{msg}"
        );
        assert!(msg.contains("no space left in archive)"), "{msg}");
        assert!(!msg.contains("4874"), "{msg}");
    }
}

#[test]
fn a_new_database_not_moved_into_place_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a").join("b").join("raqim.db");
    let store = Store::create(&path).unwrap();
    assert!(!path.exists(), "visible before it is whole");
    drop(store);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // Another raqim's database got there first: this one yields and vanishes.
    let store = Store::create(&path).unwrap();
    std::fs::write(&path, b"theirs").unwrap();
    assert!(!store.publish().unwrap());
    assert_eq!(std::fs::read(&path).unwrap(), b"theirs");
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["raqim.db"]);
}
