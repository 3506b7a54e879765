//! The review's order of work (check, commit, apply, learn), its log, and reopening a
//! document from the store with everything as it was.

use super::*;
use crate::document::Document;
use crate::store::Store;
use crate::suggest::builtin_engine;

const TEXT: &str = "قال الجيش السوري إن داعش انسحب من دير الزور\nوقال الجيش إن دير الزور آمنة";

fn span(text: &str, needle: &str, label: &str, state: State) -> Span {
    let start = text.find(needle).unwrap();
    Span {
        id: NEW_ID,
        start,
        end: start + needle.len(),
        label: label.into(),
        state,
        source: "gazetteer:test".into(),
        score: 0.8,
    }
}

/// The spans as (text, label, state), in text order.
fn listing(text: &str, ann: &Annotations) -> Vec<(String, String, State)> {
    ann.spans()
        .into_iter()
        .map(|s| (text[s.start..s.end].to_string(), s.label.clone(), s.state))
        .collect()
}

#[test]
fn decisions_are_what_the_analyst_said() {
    let acc = span(TEXT, "داعش", "ORG", State::Accepted);
    assert_eq!(decisions(&Edit::Insert(acc.clone())).len(), 1);
    assert!(decisions(&Edit::Insert(acc.clone()))[0].accepted);
    // Relabelling a suggestion rejects the old label and accepts the new one.
    let mut before = acc.clone();
    before.id = 7;
    before.state = State::Pending;
    let mut after = before.clone();
    after.state = State::Accepted;
    after.label = "PER".into();
    let d = decisions(&Edit::Replace { before, after });
    assert_eq!(
        d.iter()
            .map(|d| (d.label.as_str(), d.accepted))
            .collect::<Vec<_>>(),
        [("ORG", false), ("PER", true)]
    );
    // A resize of a pending span decides nothing; a removal neither.
    let mut p = acc.clone();
    p.id = 3;
    p.state = State::Pending;
    let mut q = p.clone();
    q.end -= 2;
    assert!(
        decisions(&Edit::Replace {
            before: p.clone(),
            after: q
        })
        .is_empty()
    );
    assert!(decisions(&Edit::Remove(p)).is_empty());
}

#[test]
fn a_log_that_does_not_hang_together_gives_no_history() {
    let e = serde_json::to_string(&Payload {
        edit: Edit::Batch(vec![]),
        learn: vec![],
        unlearn: vec![],
        forget: vec![],
        restore: vec![],
        note: None,
    })
    .unwrap();
    let row = |seq, kind, undoes| LogRow {
        seq,
        kind,
        payload: &e,
        undoes,
    };
    let ok = rebuild_history(&[
        row(1, "accept", None),
        row(2, "accept", None),
        row(3, "undo", Some(2)),
    ]);
    let (undo, redo) = ok.unwrap();
    assert_eq!((undo.len(), redo.len()), (1, 1));
    // An undo of a step that is not on top, a redo with nothing undone, bad JSON.
    assert!(
        rebuild_history(&[
            row(1, "accept", None),
            row(2, "accept", None),
            row(3, "undo", Some(1))
        ])
        .is_none()
    );
    assert!(rebuild_history(&[row(1, "redo", Some(1))]).is_none());
    // An import (not a review edit) is a wall: undo stops there.
    let import = LogRow {
        seq: 2,
        kind: "import",
        payload: "{\"format\":\"brat\"}",
        undoes: None,
    };
    let (undo, redo) =
        rebuild_history(&[row(1, "accept", None), import, row(3, "accept", None)]).unwrap();
    assert_eq!((undo.len(), redo.len()), (1, 0));
    assert_eq!(undo[0].0, 3);
}

/// A review opened from a fresh store file on `doc`.
fn open(path: &std::path::Path, doc: &Document) -> super::Opened {
    let store = Store::open(path).unwrap();
    open_document(store, doc, None, "tester", &builtin_engine()).unwrap()
}

#[test]
fn reopening_restores_spans_history_view_done_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
    let engine = builtin_engine();
    let expected;
    {
        let mut o = open(&db, &doc);
        let r = &mut o.review;
        r.act(
            &engine,
            TEXT,
            "accept",
            Edit::Insert(span(TEXT, "الجيش السوري", "ORG", State::Accepted)),
        )
        .unwrap();
        r.act(
            &engine,
            TEXT,
            "reject",
            Edit::Insert(span(TEXT, "داعش", "ORG", State::Rejected)),
        )
        .unwrap();
        let c = r.ann.create(0, "قال".len(), "PER");
        r.act(&engine, TEXT, "create", c).unwrap();
        let loc = span(TEXT, "دير الزور", "LOC", State::Accepted);
        r.act(&engine, TEXT, "accept", Edit::Insert(loc)).unwrap();
        r.undo(&engine, TEXT).unwrap();
        r.set_done(true).unwrap();
        r.save_view(TEXT.find("داعش").unwrap(), 0).unwrap();
        expected = listing(TEXT, &r.ann);
        // No explicit save of the memory: as after a kill.
    }
    let mut o = open(&db, &doc);
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    assert_eq!(listing(TEXT, &o.review.ann), expected);
    assert_eq!(o.review.ann.counts(), (0, 2, 1));
    assert_eq!(o.view, Some((TEXT.find("داعش").unwrap(), 0)));
    assert!(o.review.done());
    // The memory was rebuilt from the log: الجيش السوري accepted as ORG.
    let m = o.review.memory();
    let key = crate::suggest::dict::key_of("الجيش السوري");
    assert_eq!(m.get(&key).unwrap()["ORG"].accepts, 1);
    // The undone accept can be redone, and three steps undone, after the restart.
    assert_eq!(o.review.ann.redo_depth(), 1);
    o.review.redo(&engine, TEXT).unwrap();
    assert_eq!(o.review.ann.counts(), (0, 3, 1));
    for _ in 0..4 {
        o.review.undo(&engine, TEXT).unwrap();
    }
    assert_eq!(o.review.ann.counts(), (0, 0, 0));
    drop(o);
    let o = open(&db, &doc);
    assert_eq!(o.review.ann.counts(), (0, 0, 0));
    assert_eq!(o.review.ann.redo_depth(), 4);
}

#[test]
fn a_second_process_on_the_same_document_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
    let engine = builtin_engine();
    let mut first = open(&db, &doc);
    let mut second = open(&db, &doc);
    assert!(first.review.read_only().is_none());
    let why = second.review.read_only().unwrap().to_string();
    assert!(
        why.contains("another raqim") && why.contains("tester"),
        "{why}"
    );
    let e = Edit::Insert(span(TEXT, "داعش", "ORG", State::Accepted));
    assert!(matches!(
        second.review.act(&engine, TEXT, "accept", e.clone()),
        Err(ReviewError::ReadOnly(_))
    ));
    first.review.act(&engine, TEXT, "accept", e).unwrap();
    drop(first);
    drop(second);
    // Once the first has quit, the next one writes and sees its work.
    let third = open(&db, &doc);
    assert!(third.review.read_only().is_none());
    assert_eq!(third.review.ann.counts(), (0, 1, 0));
}

#[test]
fn memory_snapshots_and_the_log_together_count_each_decision_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
    let engine = builtin_engine();
    {
        let mut o = open(&db, &doc);
        let e = Edit::Insert(span(TEXT, "دير الزور", "LOC", State::Accepted));
        o.review.act(&engine, TEXT, "accept", e).unwrap();
        o.review.save_memory().unwrap();
        // One more after the snapshot, then a "crash".
        let second = TEXT.rfind("دير الزور").unwrap();
        let mut s = span(TEXT, "دير الزور", "LOC", State::Accepted);
        s.start = second;
        s.end = second + "دير الزور".len();
        o.review
            .act(&engine, TEXT, "accept", Edit::Insert(s))
            .unwrap();
    }
    let o = open(&db, &doc);
    let key = crate::suggest::dict::key_of("دير الزور");
    assert_eq!(o.review.memory().get(&key).unwrap()["LOC"].accepts, 2);
}

#[test]
fn damage_found_after_opening_makes_the_review_read_only_saying_why() {
    use crate::store::{Change, NewSpan};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    // Another document with enough spans for a leaf page in the middle of the file.
    let other = "وصل الوفد إلى بغداد صباح اليوم.";
    let other_id = crate::document::document_id(other);
    {
        let mut store = Store::open(&db).unwrap();
        store
            .add_document(&other_id, "wafd.txt", None, other)
            .unwrap();
        let many: Vec<_> = (0..3000)
            .map(|i| {
                Change::Insert(NewSpan {
                    start: i % 20,
                    end: i % 20 + 3,
                    label: "LOC".into(),
                    state: State::Pending,
                    source: "gazetteer:test".into(),
                    score: 0.5,
                })
            })
            .collect();
        store
            .commit(&other_id, "import", "{}", "ana", None, &many)
            .unwrap();
    }
    let (page, size) = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let leaves: Vec<i64> = conn
            .prepare("SELECT pageno FROM dbstat WHERE name = 'spans' AND pagetype = 'leaf' ORDER BY path")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        (leaves[leaves.len() / 2] as usize, size as usize)
    };
    let mut bytes = std::fs::read(&db).unwrap();
    for (i, b) in bytes[(page - 1) * size..page * size].iter_mut().enumerate() {
        *b = (i * 31 % 253) as u8;
    }
    std::fs::write(&db, &bytes).unwrap();

    // Opening reads none of the damaged page; the check running meanwhile does.
    let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
    let mut o = open(&db, &doc);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while o.review.read_only().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let why = o
        .review
        .read_only()
        .expect("read-only once the check found the damage");
    assert!(why.contains(&db.display().to_string()), "{why}");
    assert!(why.contains("damaged"), "{why}");
    let e = Edit::Insert(span(TEXT, "داعش", "ORG", State::Accepted));
    let err = o
        .review
        .act(&builtin_engine(), TEXT, "accept", e)
        .unwrap_err();
    assert!(matches!(err, ReviewError::ReadOnly(_)), "{err:?}");
    assert_eq!(o.review.ann.counts(), (0, 0, 0));
}

/// The memory's entry for `surface` and `label`: (accepts, rejects, scope).
fn entry_of(r: &Review, surface: &str, label: &str) -> Option<(u32, u32, String)> {
    let key = crate::suggest::dict::key_of(surface).join(" ");
    r.memory()
        .entries()
        .into_iter()
        .find(|e| e.key == key && e.label == label)
        .map(|e| (e.accepts, e.rejects, e.scope.to_string()))
}

#[test]
fn a_forgotten_entry_is_in_the_log_and_undo_brings_it_back_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
    let engine = builtin_engine();
    let key = crate::suggest::dict::key_of("داعش").join(" ");
    {
        let mut o = open(&db, &doc);
        let e = Edit::Insert(span(TEXT, "داعش", "ORG", State::Rejected));
        o.review.act(&engine, TEXT, "reject", e).unwrap();
        assert_eq!(
            entry_of(&o.review, "داعش", "ORG"),
            Some((0, 1, "1 document".into()))
        );
        let gone = o
            .review
            .forget_memory(&[(key.clone(), "ORG".into())])
            .unwrap();
        assert_eq!(gone.len(), 1);
        assert_eq!(entry_of(&o.review, "داعش", "ORG"), None);
        // Quit without saving the memory: the log alone must carry the forget.
    }
    let mut store = Store::open(&db).unwrap();
    store.set_layer("tester");
    let log = store.actions(&doc.id()).unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.kind, FORGET_KIND);
    assert!(last.payload.contains("\"forget\""), "{}", last.payload);
    drop(store);
    let mut o = open(&db, &doc);
    assert_eq!(
        entry_of(&o.review, "داعش", "ORG"),
        None,
        "replayed from the log"
    );
    // The forget is the last step of this document's history.
    o.review.undo(&engine, TEXT).unwrap();
    assert_eq!(
        entry_of(&o.review, "داعش", "ORG"),
        Some((0, 1, "1 document".into()))
    );
    o.review.save_memory().unwrap();
    drop(o);
    let mut o = open(&db, &doc);
    assert_eq!(
        entry_of(&o.review, "داعش", "ORG"),
        Some((0, 1, "1 document".into()))
    );
    // Undone again past the forget's undo: the reject itself goes.
    o.review.redo(&engine, TEXT).unwrap();
    assert_eq!(entry_of(&o.review, "داعش", "ORG"), None);
    o.review.undo(&engine, TEXT).unwrap();
    o.review.undo(&engine, TEXT).unwrap();
    assert_eq!(entry_of(&o.review, "داعش", "ORG"), None);
}

#[test]
fn reject_all_like_is_undone_exactly_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
    let engine = builtin_engine();
    {
        let mut o = open(&db, &doc);
        let e = Edit::Insert(span(TEXT, "داعش", "ORG", State::Rejected));
        o.review.act(&engine, TEXT, "reject_all_like", e).unwrap();
        assert_eq!(
            entry_of(&o.review, "داعش", "ORG"),
            Some((0, 1, "project (X)".into()))
        );
    }
    let mut o = open(&db, &doc);
    assert_eq!(
        entry_of(&o.review, "داعش", "ORG"),
        Some((0, 1, "project (X)".into()))
    );
    o.review.undo(&engine, TEXT).unwrap();
    assert_eq!(entry_of(&o.review, "داعش", "ORG"), None);
    o.review.redo(&engine, TEXT).unwrap();
    assert_eq!(
        entry_of(&o.review, "داعش", "ORG"),
        Some((0, 1, "project (X)".into()))
    );
}

#[test]
fn a_version_1_snapshot_is_rebuilt_from_the_log_which_knows_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
    let engine = builtin_engine();
    let upto = {
        let mut o = open(&db, &doc);
        let e = Edit::Insert(span(TEXT, "داعش", "ORG", State::Rejected));
        o.review.act(&engine, TEXT, "reject", e).unwrap();
        o.review.last_seq()
    };
    // What an older raqim saved: the reject without its document.
    let v1 = r#"{"memory":{"version":1,"entries":[["داعش",{"ORG":{"accepts":0,"rejects":1}}]]},"also":[]}"#;
    Store::open(&db).unwrap().save_memory(v1, upto).unwrap();
    let o = open(&db, &doc);
    assert_eq!(
        entry_of(&o.review, "داعش", "ORG"),
        Some((0, 1, "1 document".into()))
    );
}

#[test]
fn an_older_log_of_reject_all_like_and_its_undo_and_redo_is_rebuilt_as_meant_for_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
    let engine = builtin_engine();
    let upto = {
        let mut o = open(&db, &doc);
        let e = Edit::Insert(span(TEXT, "داعش", "ORG", State::Rejected));
        o.review.act(&engine, TEXT, "reject_all_like", e).unwrap();
        o.review.undo(&engine, TEXT).unwrap();
        o.review.redo(&engine, TEXT).unwrap();
        o.review.last_seq()
    };
    // As an older raqim wrote them: no scope in the decisions, a version 1 snapshot.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let flagged = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row(
            "SELECT COUNT(*) FROM actions WHERE payload LIKE '%\"project\":true%'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(flagged(&conn), 3, "the X, its undo and its redo");
    conn.execute(
        "UPDATE actions SET payload = replace(payload, ',\"project\":true', '')",
        [],
    )
    .unwrap();
    assert_eq!(flagged(&conn), 0);
    drop(conn);
    let v1 = r#"{"memory":{"version":1,"entries":[]},"also":[]}"#;
    Store::open(&db).unwrap().save_memory(v1, upto).unwrap();
    let mut o = open(&db, &doc);
    assert_eq!(
        entry_of(&o.review, "داعش", "ORG"),
        Some((0, 1, "project (X)".into()))
    );
    // The history knows it too: undone, nothing is left.
    o.review.undo(&engine, TEXT).unwrap();
    assert_eq!(entry_of(&o.review, "داعش", "ORG"), None);
}
