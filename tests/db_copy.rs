//! `raqim db copy` through the binary: a project with every kind of row (spans, a
//! deleted span, an undone action, views, done marks, flags, paths, both memories,
//! assignments, two layers) copied SQLite -> PostgreSQL -> SQLite comes back row for
//! row, ids, seqs and AUTOINCREMENT's high-water marks included, and exports the
//! same; a target that holds anything is refused and left as it was. The server part
//! runs when PostgreSQL's server is installed (else only SQLite -> SQLite).

mod common;

use std::path::Path;

use common::raqim;
use raqim::annotation::State;
use raqim::document::document_id;
use raqim::store::pg::testing;
use raqim::store::{Change, ImportDoc, ImportSpan, NewSpan, Store};

fn span(start: usize, end: usize, label: &str) -> NewSpan {
    NewSpan {
        start,
        end,
        label: label.to_string(),
        state: State::Accepted,
        source: "analyst".to_string(),
        score: 0.75,
    }
}

/// A project with some of everything, at `path`.
fn make_project(path: &Path) {
    let mut store = Store::open(path).unwrap();
    store.set_layer("ana");
    let a = "قال محمد في دمشق إن الجيش انسحب";
    let b = "وصل الوفد إلى بغداد";
    let ida = document_id(a);
    store
        .add_document(&ida, "a.txt", Some(Path::new("news/a.txt")), a)
        .unwrap();
    let (_, ids) = store
        .commit(
            &ida,
            "create",
            "{}",
            "ana",
            None,
            &[
                Change::Insert(span(4, 8, "PER")),
                Change::Insert(span(12, 16, "LOC")),
            ],
        )
        .unwrap();
    // A span deleted (its id never given again), then the delete undone.
    let (del, _) = store
        .commit(
            &ida,
            "delete",
            "{}",
            "ana",
            None,
            &[Change::Delete { id: ids[1] }],
        )
        .unwrap();
    store
        .commit(
            &ida,
            "undo",
            "{}",
            "ana",
            Some(del),
            &[Change::Restore {
                id: ids[1],
                span: span(12, 16, "LOC"),
            }],
        )
        .unwrap();
    let (_, last) = store
        .commit(
            &ida,
            "create",
            "{}",
            "ana",
            None,
            &[Change::Insert(span(20, 25, "ORG"))],
        )
        .unwrap();
    store
        .commit(
            &ida,
            "delete",
            "{}",
            "ana",
            None,
            &[Change::Delete { id: last[0] }],
        )
        .unwrap();
    store.set_view(&ida, 12, 0).unwrap();
    store.set_done(&ida, true).unwrap();
    store
        .set_flag(&ida, Some((4, 8)), Some("unsure"), "ana")
        .unwrap();
    store.save_memory("{\"team\":1}", 3).unwrap();
    store.set_memory_owner(Some("ana"));
    store.save_memory("{\"ana\":1}", 4).unwrap();
    // Another layer, by an import.
    let mut imported = ImportDoc {
        id: document_id(b),
        name: "b.txt".to_string(),
        source_path: Some("news/b.txt".to_string()),
        text: b.to_string(),
        done: true,
        spans: vec![ImportSpan {
            span: span(14, 19, "LOC"),
            annotator: "model".to_string(),
        }],
        record_id: Some("r-7".to_string()),
        flags: vec![(None, "whole".to_string())],
        foreign: Some(("doccano".to_string(), serde_json::json!({"meta": 1}))),
        layer: Some("amal".to_string()),
    };
    store
        .import_documents(
            std::slice::from_ref(&imported),
            "import",
            "amal",
            &|_, _| "{}".into(),
        )
        .unwrap();
    // The newest span deleted: the counter is above every id there.
    let (_, last) = store
        .commit(
            &ida,
            "create",
            "{}",
            "ana",
            None,
            &[Change::Insert(span(26, 31, "ORG"))],
        )
        .unwrap();
    store
        .commit(
            &ida,
            "delete",
            "{}",
            "ana",
            None,
            &[Change::Delete { id: last[0] }],
        )
        .unwrap();
    imported.layer = None;
    store
        .assign(&[
            (ida.clone(), "ana".to_string()),
            (imported.id.clone(), "amal".to_string()),
        ])
        .unwrap();
}

/// Every row of every table of the SQLite database at `path`, and its AUTOINCREMENT
/// counters, as text.
fn rows(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    for (table, order) in [
        ("documents", "rowid"),
        ("spans", "id"),
        ("actions", "seq"),
        ("paths", "source_path"),
        ("memory", "id"),
        ("annotator_memory", "annotator"),
        ("flags", "id"),
        ("assignments", "id"),
        ("layers", "id"),
        ("sqlite_sequence", "name"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .unwrap();
        let n = stmt.column_count();
        let mut found = stmt.query([]).unwrap();
        while let Some(r) = found.next().unwrap() {
            let values: Vec<rusqlite::types::Value> = (0..n).map(|i| r.get(i).unwrap()).collect();
            out.push(format!("{table}: {values:?}"));
        }
    }
    out
}

fn export(db: &str) -> String {
    let out = raqim(
        &[
            "export",
            "--db",
            db,
            "--format",
            "jsonl",
            "--state",
            "all",
            "--all-layers",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn copy(from: &str, to: &str) -> std::process::Output {
    raqim(&["db", "copy", "--from", from, "--to", to], None)
}

#[test]
fn a_project_copied_to_postgresql_and_back_comes_back_row_for_row_ids_included() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    make_project(&a);
    let a = a.to_str().unwrap();
    let before = rows(Path::new(a));
    assert!(before.iter().any(|r| r.starts_with("sqlite_sequence")));

    // SQLite -> SQLite, with no server needed.
    let c = dir.path().join("c.db");
    let out = copy(a, c.to_str().unwrap());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("spans") && said.contains("annotator_memory"),
        "{said}"
    );
    assert_eq!(rows(&c), before);

    let Some(server) = testing::server() else {
        return;
    };
    let url = server.fresh_database();
    let out = copy(a, &url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    let spans_line = said.lines().find(|l| l.trim_start().starts_with("spans"));
    assert_eq!(
        spans_line.map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["spans", "3"]),
        "{said}"
    );
    let b = dir.path().join("b.db");
    let out = copy(&url, b.to_str().unwrap());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(rows(&b), before);
    assert_eq!(export(b.to_str().unwrap()), export(a));

    // The server's counters went on past the ids copied: a new span there gets an id
    // above every one the project ever gave (5 was given, then deleted).
    let mut client = url
        .parse::<postgres::Config>()
        .unwrap()
        .connect(postgres::NoTls)
        .unwrap();
    let next: i64 = client
        .query_one("SELECT nextval(pg_get_serial_sequence('spans', 'id'))", &[])
        .unwrap()
        .get(0);
    assert_eq!(next, 6);
}

#[test]
fn a_copy_into_a_database_that_holds_anything_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    make_project(&a);
    let b = dir.path().join("b.db");
    let mut other = Store::open(&b).unwrap();
    let t = "نص آخر";
    other
        .add_document(&document_id(t), "other.txt", None, t)
        .unwrap();
    drop(other);
    let before = rows(&b);
    let out = copy(a.to_str().unwrap(), b.to_str().unwrap());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not empty") && err.contains("documents 1") && err.contains("b.db"),
        "{err}"
    );
    assert_eq!(rows(&b), before);
    let out = copy(a.to_str().unwrap(), a.to_str().unwrap());
    assert!(!out.status.success());
    // A source that is not there is said, and not made.
    let missing = dir.path().join("missing.db");
    let out = copy(
        missing.to_str().unwrap(),
        dir.path().join("d.db").to_str().unwrap(),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no such database"), "{err}");
    assert!(!missing.exists() && !dir.path().join("d.db").exists());

    let Some(server) = testing::server() else {
        return;
    };
    let url = server.fresh_database();
    assert!(copy(a.to_str().unwrap(), &url).status.success());
    let out = copy(b.to_str().unwrap(), &url);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not empty") && err.contains("spans 3"),
        "{err}"
    );
    // Still the first project, whole.
    let c = dir.path().join("c.db");
    assert!(copy(&url, c.to_str().unwrap()).status.success());
    assert_eq!(rows(&c), rows(&a));
}
