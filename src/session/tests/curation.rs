//! Adjudication without a terminal: three analysts' layers in a real database, the
//! gold layer opened as the view opens it, and each curation step checked in gold,
//! through undo and across a restart.

use std::path::Path;

use super::*;
use crate::store::{Change, NewSpan};
use crate::suggest::builtin_engine;

pub(crate) const TEXT: &str = "قال الجيش السوري إن داعش انسحب من دير الزور";

/// The code point range of `needle` in [`TEXT`].
fn cp(needle: &str) -> (usize, usize) {
    let at = TEXT.find(needle).unwrap();
    let start = TEXT[..at].chars().count();
    (start, start + needle.chars().count())
}

/// amal, basel and carim all mark الجيش السوري; amal and basel داعش; on دير الزور
/// each reads otherwise (amal the whole name, basel دير, carim nothing). All done.
pub(crate) fn database(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("raqim.db");
    let id = crate::document::document_id(TEXT);
    let readings: [(&str, &[(&str, &str)]); 3] = [
        (
            "amal",
            &[
                ("الجيش السوري", "ORG"),
                ("داعش", "ORG"),
                ("دير الزور", "LOC"),
            ],
        ),
        (
            "basel",
            &[("الجيش السوري", "ORG"), ("داعش", "ORG"), ("دير", "LOC")],
        ),
        ("carim", &[("الجيش السوري", "ORG")]),
    ];
    for (name, spans) in readings {
        let mut store = Store::open(&db).unwrap();
        store.set_layer(name);
        store.add_document(&id, "news", None, TEXT).unwrap();
        let changes: Vec<Change> = spans
            .iter()
            .map(|(s, label)| {
                let (start, end) = cp(s);
                Change::Insert(NewSpan {
                    start,
                    end,
                    label: label.to_string(),
                    state: State::Accepted,
                    source: "analyst".into(),
                    score: 1.0,
                })
            })
            .collect();
        store
            .commit(&id, "import", "{}", name, None, &changes)
            .unwrap();
        store.set_done(&id, true).unwrap();
    }
    db
}

/// The gold layer opened as `raqim adjudicate` opens it, in a session.
fn adjudicate(db: &Path, rule: MergeRule) -> (Session, Curation, AutoReport) {
    let doc = Document::from_text("news", TEXT.to_string(), false, false);
    let engine = builtin_engine();
    let (opened, curation, report) = open(db, &doc, "dina", rule, &engine).unwrap();
    let mut s = Session::new(doc, Some(engine), false);
    s.set_review(opened.review);
    (s, curation, report)
}

/// Gold's spans as `«text» LABEL`.
fn gold(s: &Session) -> Vec<String> {
    s.review()
        .ann
        .spans()
        .into_iter()
        .filter(|x| x.state == State::Accepted)
        .map(|x| format!("«{}» {}", &TEXT[x.start..x.end], x.label))
        .collect()
}

/// The focus on the first letter of `needle`.
fn on(needle: &str) -> Focus {
    let at = TEXT.find(needle).unwrap();
    Focus {
        para: 0,
        cell: at..at + 2,
        top: 0,
    }
}

#[test]
fn opening_copies_what_all_agree_on_once_and_names_every_variant() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let (s, mut c, report) = adjudicate(&db, MergeRule::Unanimous);
    assert_eq!(gold(&s), ["«الجيش السوري» ORG"]);
    assert_eq!((report.agreed, report.disagreements), (1, 2));
    let span = s.review().ann.spans()[0].clone();
    assert_eq!(span.source, "adjudicated:amal,basel,carim");
    assert_eq!(c.progress_forms(&s)[1], "2 disagreements left");
    let d = c.under(TEXT.find("الزور").unwrap()).unwrap();
    assert_eq!(
        c.describe(&s, d),
        "2/2 · a: basel «دير» LOC · b: amal «دير الزور» LOC · c: carim nothing"
    );
    drop(s);
    // A restart: gold has them, nothing is added twice.
    let (s, _, report) = adjudicate(&db, MergeRule::Unanimous);
    assert_eq!(gold(&s), ["«الجيش السوري» ORG"]);
    assert_eq!(report.agreed, 0);
    assert_eq!(report.already_in_gold, 1);
}

#[test]
fn an_undone_auto_merge_is_not_applied_again_on_the_next_opening() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let (mut s, mut c, _) = adjudicate(&db, MergeRule::Unanimous);
    let out = c.undo_redo(&mut s, &on("قال"), true);
    assert!(gold(&s).is_empty(), "{out:?}");
    drop(s);
    let (s, _, report) = adjudicate(&db, MergeRule::Unanimous);
    assert!(gold(&s).is_empty());
    assert_eq!(report.agreed, 0);
}

#[test]
fn majority_agrees_on_what_two_of_three_marked() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let (s, mut c, report) = adjudicate(&db, MergeRule::Majority);
    assert_eq!(gold(&s), ["«الجيش السوري» ORG", "«داعش» ORG"]);
    assert_eq!(report.disagreements, 1);
    assert_eq!(c.progress_forms(&s)[1], "1 disagreement left");
    let span = &s.review().ann.spans()[1];
    assert_eq!(span.source, "adjudicated:amal,basel");
}

#[test]
fn taking_a_variant_puts_its_spans_in_gold_as_one_step_that_undo_takes_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let (mut s, mut c, _) = adjudicate(&db, MergeRule::Unanimous);
    let d = c.under(TEXT.find("دير").unwrap()).unwrap();
    // Tab goes to the first open disagreement: داعش.
    let out = c.goto(&mut s, &on("قال"), true);
    assert_eq!(out.cursor, Some(TEXT.find("داعش").unwrap()));
    let out = c.take(&mut s, &on("دير"), d, 1);
    assert_eq!(
        out.message.as_deref(),
        Some("took b: amal · 1 disagreement left")
    );
    assert_eq!(gold(&s), ["«الجيش السوري» ORG", "«دير الزور» LOC"]);
    assert_eq!(
        s.review().ann.spans()[1].source,
        "adjudicated:amal",
        "who marked it"
    );
    // Taking another variant replaces it.
    c.take(&mut s, &on("دير"), d, 0);
    assert_eq!(gold(&s), ["«الجيش السوري» ORG", "«دير» LOC"]);
    c.undo_redo(&mut s, &on("دير"), true);
    assert_eq!(gold(&s), ["«الجيش السوري» ORG", "«دير الزور» LOC"]);
    c.undo_redo(&mut s, &on("دير"), true);
    assert_eq!(c.progress_forms(&s)[1], "2 disagreements left");
    c.undo_redo(&mut s, &on("دير"), false);
    assert_eq!(c.progress_forms(&s)[1], "1 disagreement left");
    drop(s);
    // Durable: the next opening finds gold as it was left.
    let (s, mut c, _) = adjudicate(&db, MergeRule::Unanimous);
    assert_eq!(gold(&s), ["«الجيش السوري» ORG", "«دير الزور» LOC"]);
    assert_eq!(c.progress_forms(&s)[1], "1 disagreement left");
}

#[test]
fn rejecting_every_variant_settles_with_no_span_and_stays_settled_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let (mut s, mut c, _) = adjudicate(&db, MergeRule::Unanimous);
    let d = c.under(TEXT.find("دير").unwrap()).unwrap();
    let out = c.reject_all(&mut s, &on("دير"), d);
    assert_eq!(
        out.message.as_deref(),
        Some("rejected every variant of «دير الزور» · 1 disagreement left")
    );
    assert_eq!(gold(&s), ["«الجيش السوري» ORG"]);
    assert!(c.describe(&s, d).starts_with("2/2 settled"));
    drop(s);
    let (mut s, mut c, _) = adjudicate(&db, MergeRule::Unanimous);
    assert_eq!(c.progress_forms(&s)[1], "1 disagreement left");
    assert_eq!(c.settled(), [(TEXT.find("دير").unwrap(), TEXT.len())]);
    // Undone after the restart: open again, and said so.
    let out = c.undo_redo(&mut s, &on("قال"), true);
    assert_eq!(
        out.message.as_deref(),
        Some("undid: rejected every variant of «دير الزور»")
    );
    assert_eq!(c.progress_forms(&s)[1], "2 disagreements left");
    let out = c.undo_redo(&mut s, &on("قال"), false);
    assert_eq!(
        out.message.as_deref(),
        Some("redid: rejected every variant of «دير الزور»")
    );
    assert_eq!(c.progress_forms(&s)[1], "1 disagreement left");
    drop(s);
    let (s, mut c, _) = adjudicate(&db, MergeRule::Unanimous);
    assert_eq!(c.progress_forms(&s)[1], "1 disagreement left");
}

#[test]
fn the_marks_cover_each_open_disagreement_in_its_first_readings_label() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let (s, mut c, _) = adjudicate(&db, MergeRule::Unanimous);
    let dair = TEXT.find("دير").unwrap();
    let marks = c.marks(&s.review().ann, (0, TEXT.len()), c.under(dair));
    let shown: Vec<(&str, Option<&str>, bool)> = marks
        .iter()
        .map(|m| (&TEXT[m.start..m.end], m.label.as_deref(), m.current))
        .collect();
    assert_eq!(
        shown,
        [
            ("داعش", Some("ORG"), false),
            ("دير الزور", Some("LOC"), true)
        ]
    );
}

#[test]
fn auto_adds_to_gold_in_every_ready_document_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let store = Store::open_read_only(&db).unwrap();
    let docs = ready_documents(&store).unwrap();
    drop(store);
    assert_eq!(docs.len(), 1);
    let mut out = Vec::new();
    let engine = builtin_engine();
    let total = run_auto(&db, &docs, "dina", MergeRule::Unanimous, &engine, &mut out).unwrap();
    assert_eq!((total.agreed, total.disagreements), (1, 2));
    let said = String::from_utf8(out).unwrap();
    assert_eq!(
        said,
        "news: 1 added to gold, 0 already in gold, 2 left to adjudicate\n\
         1 document: 1 agreed span added to gold, 0 already in gold, 2 disagreements left to adjudicate\n"
    );
    // A second run adds nothing.
    let mut out = Vec::new();
    let total = run_auto(&db, &docs, "dina", MergeRule::Unanimous, &engine, &mut out).unwrap();
    assert_eq!((total.agreed, total.already_in_gold), (0, 1));
}

#[test]
fn auto_skips_a_document_whose_gold_is_open_in_a_viewer() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let (_held, _, _) = adjudicate(&db, MergeRule::Unanimous);
    let store = Store::open_read_only(&db).unwrap();
    let docs = ready_documents(&store).unwrap();
    drop(store);
    let mut out = Vec::new();
    let engine = builtin_engine();
    let total = run_auto(&db, &docs, "dina", MergeRule::Majority, &engine, &mut out).unwrap();
    assert_eq!(total.documents, 0);
    let said = String::from_utf8(out).unwrap();
    assert!(said.starts_with("news: skipped: "), "{said}");
}
