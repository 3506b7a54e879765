//! The bulk methods on both backends: each test runs its body on a SQLite file and,
//! when PostgreSQL's server is installed, on a database of the test server, and
//! expects the same. The bodies use only the bulk methods and plain counting SQL
//! (written so both backends read it), so they hold whatever else is done.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::super::testing;
use crate::annotation::State;
use crate::document::document_id;
use crate::store::{
    FullDocument, ImportDoc, ImportReport, ImportSpan, NewSpan, Registration, Store, StoreError,
};

/// A store of each backend there is, in the layer `ana`, with what keeps it alive.
fn stores() -> Vec<(tempfile::TempDir, Store)> {
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = Store::open(&dir.path().join("raqim.db")).unwrap();
    sqlite.set_layer("ana");
    let mut out = vec![(dir, sqlite)];
    if let Some(server) = testing::server() {
        let url = server.fresh_database();
        let mut pg = Store::open(Path::new(&url)).unwrap();
        pg.set_layer("ana");
        out.push((tempfile::tempdir().unwrap(), pg));
    }
    out
}

/// The one number `sql` gives (a count: BIGINT on the server).
fn number(store: &Store, sql: &str) -> i64 {
    match store {
        Store::Sqlite(s) => s.conn.query_row(sql, [], |r| r.get(0)).unwrap(),
        Store::Pg(p) => p.client().query_one(sql, &[]).unwrap().get(0),
    }
}

/// The one text `sql` gives.
fn one_text(store: &Store, sql: &str) -> String {
    match store {
        Store::Sqlite(s) => s.conn.query_row(sql, [], |r| r.get(0)).unwrap(),
        Store::Pg(p) => p.client().query_one(sql, &[]).unwrap().get(0),
    }
}

fn span(start: usize, end: usize, label: &str, state: State) -> ImportSpan {
    ImportSpan {
        span: NewSpan {
            start,
            end,
            label: label.to_string(),
            state,
            source: "model".to_string(),
            score: 0.5,
        },
        annotator: "model".to_string(),
    }
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
            .map(|&(s, e, label, state)| span(s, e, label, state))
            .collect(),
    }
}

fn import(store: &mut Store, docs: &[ImportDoc]) -> Result<ImportReport, StoreError> {
    let payload = |i: usize, n: usize| format!("{{\"doc\":{i},\"spans\":{n}}}");
    store.import_documents(docs, "import", "ana", &payload)
}

/// Every document of the store's layer, as an export reads them.
fn read_all(store: &Store) -> Vec<FullDocument> {
    let rows = store.documents_as_added().unwrap();
    let mut out = Vec::new();
    store
        .read_documents::<StoreError>(&rows, |d| {
            out.push(d);
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn an_import_adds_spans_once_and_keeps_duplicates_and_overlaps_out_on_both_backends() {
    for (_keep, mut store) in stores() {
        let text = "قال محمد في دمشق إن الجيش انسحب";
        let id = document_id(text);
        // «دمشق» (12..16) accepted before.
        let first = import(
            &mut store,
            &[import_doc(text, &[(12, 16, "LOC", State::Accepted)])],
        )
        .unwrap();
        assert_eq!((first.docs_added, first.spans_added), (1, 1));
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
        let r = import(&mut store, &docs).unwrap();
        let what = store.path().display().to_string();
        assert_eq!(
            (r.docs_added, r.docs_updated, r.docs_unchanged),
            (1, 1, 0),
            "{what}"
        );
        assert_eq!((r.spans_added, r.duplicates, r.conflicts.len()), (4, 1, 2));
        assert_eq!((r.conflicts[0].doc, r.conflicts[0].span), (0, 2));
        assert_eq!(
            r.conflicts[0].with,
            (12, 16, "LOC".to_string(), State::Accepted)
        );
        assert_eq!(r.conflicts[1].with.0, 20);
        assert_eq!(r.actions, 2);
        let all = read_all(&store);
        let spans = &all.iter().find(|d| d.row.id == id).unwrap().spans;
        let got: Vec<(usize, usize, &str, State)> = spans
            .iter()
            .map(|s| {
                (
                    s.span.start,
                    s.span.end,
                    s.span.label.as_str(),
                    s.span.state,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (4, 8, "PER", State::Pending),
                (12, 16, "LOC", State::Accepted),
                (12, 16, "ORG", State::Rejected),
                (20, 25, "ORG", State::Accepted),
            ],
            "{what}"
        );
        assert_eq!(spans[0].annotator, "model");
        assert_eq!(spans[0].span.score, 0.5);
        assert_eq!(number(&store, "SELECT count(*) FROM actions"), 3);
        let last =
            format!("SELECT payload FROM actions WHERE doc = '{id}' ORDER BY seq DESC LIMIT 1");
        assert_eq!(one_text(&store, &last), "{\"doc\":0,\"spans\":3}");
        // The same import again adds nothing and writes no action.
        let again = import(&mut store, &docs).unwrap();
        assert_eq!(
            (again.docs_added, again.docs_updated, again.docs_unchanged),
            (0, 0, 2)
        );
        assert_eq!((again.spans_added, again.duplicates), (0, 5));
        assert_eq!(number(&store, "SELECT count(*) FROM actions"), 3);
    }
}

#[test]
fn an_import_with_a_bad_range_a_bad_flag_or_a_wrong_id_changes_nothing_on_both_backends() {
    for (_keep, mut store) in stores() {
        let good = import_doc("نص أول", &[(0, 2, "LOC", State::Accepted)]);
        let bad = import_doc("نص ثان", &[(0, 99, "LOC", State::Accepted)]);
        let err = import(&mut store, &[good.clone(), bad.clone()]).unwrap_err();
        assert!(matches!(err, StoreError::BadRange { end: 99, .. }), "{err}");
        let mut flagged = import_doc("نص ثالث", &[]);
        flagged.flags = vec![(Some((3, 3)), "empty".to_string())];
        let err = import(&mut store, &[good.clone(), flagged]).unwrap_err();
        assert!(matches!(err, StoreError::BadRange { .. }), "{err}");
        let mut wrong = bad;
        wrong.spans.clear();
        wrong.id = good.id.clone();
        let err = import(&mut store, &[good, wrong]).unwrap_err();
        assert!(matches!(err, StoreError::HashMismatch { .. }), "{err}");
        assert!(store.documents_as_added().unwrap().is_empty());
        for table in ["documents", "spans", "actions", "flags", "layers", "paths"] {
            let sql = format!("SELECT count(*) FROM {table}");
            assert_eq!(number(&store, &sql), 0, "{table}");
        }
    }
}

#[test]
fn an_import_puts_spans_done_marks_and_flags_in_each_records_layer_and_keeps_what_is_there() {
    for (_keep, mut store) in stores() {
        let t = "قال محمد في دمشق";
        let mut a = import_doc(t, &[(0, 3, "PER", State::Accepted)]);
        a.done = true;
        a.source_path = Some("news/a.txt".to_string());
        a.record_id = Some("r1".to_string());
        a.foreign = Some(("label-studio".to_string(), json!({"x": 1})));
        a.flags = vec![
            (Some((4, 8)), "unsure".to_string()),
            (None, "the whole text".to_string()),
        ];
        // The same text again, for another annotator's layer.
        let mut b = import_doc(t, &[(0, 3, "ORG", State::Pending)]);
        b.layer = Some("amal".to_string());
        b.record_id = Some("r2".to_string());
        b.foreign = Some(("doccano".to_string(), json!({"y": 2})));
        b.flags = vec![(None, "amal's".to_string())];
        let r = import(&mut store, &[a.clone(), b]).unwrap();
        assert_eq!((r.docs_added, r.spans_added, r.actions), (1, 2, 2));
        let ana = read_all(&store);
        assert_eq!(ana.len(), 1);
        let d = &ana[0];
        assert_eq!(d.row.record_id.as_deref(), Some("r1"), "the first kept");
        assert_eq!(d.row.source_path.as_deref(), Some("news/a.txt"));
        assert!(d.row.done);
        assert_eq!(d.spans.len(), 1);
        assert_eq!(d.spans[0].span.label, "PER");
        let flags: Vec<_> = d.flags.iter().map(|f| (f.place, f.note.as_str())).collect();
        assert_eq!(
            flags,
            [(None, "the whole text"), (Some((4, 8)), "unsure")],
            "the document's first"
        );
        let foreign = d.foreign.clone().unwrap();
        assert_eq!(foreign["label-studio"], json!({"x": 1}));
        assert_eq!(foreign["doccano"], json!({"y": 2}));
        store.set_layer("amal");
        let amal = read_all(&store);
        assert!(!amal[0].row.done);
        assert_eq!(amal[0].spans[0].span.label, "ORG");
        assert_eq!(amal[0].flags.len(), 1);
        assert_eq!(
            number(&store, "SELECT count(*) FROM actions WHERE layer = 'amal'"),
            1
        );
        // Again, with other notes, fields and no done mark: what is there stays.
        store.set_layer("ana");
        a.done = false;
        a.spans.clear();
        a.flags = vec![(None, "changed".to_string())];
        a.foreign = Some(("label-studio".to_string(), json!({"x": 9})));
        a.record_id = Some("r3".to_string());
        let r = import(&mut store, &[a]).unwrap();
        assert_eq!((r.docs_unchanged, r.actions), (1, 0));
        let d = &read_all(&store)[0];
        assert!(d.row.done);
        assert_eq!(d.row.record_id.as_deref(), Some("r1"));
        assert_eq!(d.flags[0].note, "the whole text");
        assert_eq!(d.foreign.as_ref().unwrap()["label-studio"], json!({"x": 1}));
        assert_eq!(number(&store, "SELECT count(*) FROM paths"), 1);
        assert_eq!(
            store.foreign_fields(&d.row.id).unwrap(),
            d.foreign,
            "{}",
            store.path().display()
        );
    }
}

#[test]
fn documents_come_back_in_the_order_one_import_added_them_on_both_backends() {
    for (_keep, mut store) in stores() {
        let mut docs: Vec<ImportDoc> = ["ج", "ب", "أ", "د"]
            .iter()
            .map(|t| import_doc(t, &[]))
            .collect();
        docs[1] = import_doc(
            "بين دمشق وبغداد",
            &[
                (9, 15, "LOC", State::Pending),
                (4, 8, "LOC", State::Accepted),
                (4, 8, "ORG", State::Rejected),
            ],
        );
        assert_eq!(import(&mut store, &docs).unwrap().docs_added, 4);
        let rows = store.documents_as_added().unwrap();
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let want: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, want);
        let all = read_all(&store);
        let texts: Vec<&str> = all.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, ["ج", "بين دمشق وبغداد", "أ", "د"]);
        let starts: Vec<(usize, &str)> = all[1]
            .spans
            .iter()
            .map(|s| (s.span.start, s.span.label.as_str()))
            .collect();
        assert_eq!(starts, [(4, "LOC"), (4, "ORG"), (9, "LOC")]);
        // One document, or one named twice: the same as in the whole.
        let mut some = Vec::new();
        let twice = [rows[1].clone(), rows[1].clone()];
        store
            .read_documents::<StoreError>(&twice, |d| {
                some.push(d);
                Ok(())
            })
            .unwrap();
        assert_eq!(some, [all[1].clone(), all[1].clone()]);
        // An unknown document is said, by its id.
        let mut unknown = rows[0].clone();
        unknown.id = document_id("غير موجود");
        let err = store
            .read_documents::<StoreError>(&[unknown.clone()], |_| Ok(()))
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownDocument { ref doc, .. } if *doc == unknown.id));
        // The connection is usable after a read that failed half-way.
        assert_eq!(store.documents_as_added().unwrap().len(), 4);
    }
}

#[test]
fn registering_a_set_adds_its_documents_once_and_leaves_a_changed_file_on_both_backends() {
    for (_keep, mut store) in stores() {
        let reg = |name: &str, text: &str, file: Option<&str>| Registration {
            id: document_id(text),
            name: name.to_string(),
            source_path: file.map(PathBuf::from),
            text: text.to_string(),
            record_id: None,
        };
        // news.txt was annotated under its old text.
        let mut old = import_doc("قال الرئيس في دمشق", &[(0, 3, "PER", State::Accepted)]);
        old.source_path = Some("news.txt".to_string());
        old.name = "news.txt".to_string();
        import(&mut store, &[old.clone()]).unwrap();
        let changed = "قال الرئيس في حلب";
        let set = [
            reg("a.txt", "وصل الوفد إلى بغداد", Some("set/a.txt")),
            reg("news.txt", changed, Some("news.txt")),
            Registration {
                record_id: Some("r-1".to_string()),
                ..reg("r-1", "في دمشق", None)
            },
        ];
        assert_eq!(store.register_documents(&set, false).unwrap().len(), 2);
        assert_eq!(store.register_documents(&set, false).unwrap().len(), 0);
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
        let path_of = |store: &Store, p: &str| {
            one_text(
                store,
                &format!("SELECT doc FROM paths WHERE source_path = '{p}'"),
            )
        };
        assert_eq!(path_of(&store, "news.txt"), old.id, "left to the viewer");
        assert_eq!(
            path_of(&store, "set/a.txt"),
            document_id("وصل الوفد إلى بغداد")
        );
        // With --changed new the new text is a new document of its own.
        assert_eq!(store.register_documents(&set, true).unwrap().len(), 1);
        assert_eq!(path_of(&store, "news.txt"), document_id(changed));
    }
}

/// Documents with spans at random (overlapping, repeated, some rejected), records of
/// one text repeated, some in another layer; `seed` picks them.
fn random_import(seed: u64) -> Vec<ImportDoc> {
    let mut x = seed;
    let mut below = move |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let texts: Vec<String> = (0..20)
        .map(|i| format!("خبر {i}: قال محمد في دمشق إن الجيش انسحب من المدينة"))
        .collect();
    (0..40)
        .map(|_| {
            let t = &texts[below(texts.len())];
            let len = t.chars().count();
            let spans: Vec<(usize, usize, &str, State)> = (0..15)
                .map(|_| {
                    let s = below(len - 6);
                    let label = ["PER", "LOC", "ORG"][below(3)];
                    let state = [State::Pending, State::Accepted, State::Rejected][below(3)];
                    (s, s + 1 + below(5), label, state)
                })
                .collect();
            let mut d = import_doc(t, &spans);
            if below(3) == 0 {
                d.layer = Some("amal".to_string());
            }
            d.done = below(4) == 0;
            d
        })
        .collect()
}

/// What a backend holds after imports, without the times (which differ).
fn contents(store: &mut Store) -> Vec<String> {
    let mut out = Vec::new();
    for layer in ["ana", "amal"] {
        store.set_layer(layer);
        for mut d in read_all(store) {
            d.row.added = 0;
            for s in &mut d.spans {
                (s.created, s.updated) = (0, 0);
            }
            out.push(format!("{layer} {d:?}"));
        }
    }
    store.set_layer("ana");
    out
}

#[test]
fn random_imports_give_the_same_reports_spans_and_ids_on_both_backends() {
    let mut stores = stores();
    if stores.len() < 2 {
        return;
    }
    for seed in [1u64, 7, 42] {
        let docs = random_import(seed);
        let more = random_import(seed * 1000 + 3);
        let mut seen = Vec::new();
        for (_keep, store) in &mut stores {
            let first = import(store, &docs).unwrap();
            let second = import(store, &more).unwrap();
            assert!(!first.conflicts.is_empty() && second.duplicates > 0);
            seen.push((first, second, contents(store)));
        }
        let (a, b) = (&seen[0], &seen[1]);
        assert_eq!(a.0, b.0, "seed {seed}: the first import's report");
        assert_eq!(a.1, b.1, "seed {seed}: the second import's report");
        assert_eq!(a.2.len(), b.2.len(), "seed {seed}: documents");
        for (x, y) in a.2.iter().zip(&b.2) {
            assert_eq!(x, y, "seed {seed}: a document");
        }
    }
}
