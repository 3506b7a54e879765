//! One document with tens of thousands of spans (issue 11, item 5): the checks that
//! were made linear still refuse exactly the overlaps and duplicates they refused,
//! and name the span in the way. Their speed is in `benches/big_doc.rs`.

use raqim::annotation::{Annotations, Edit, Refusal, Span, State};
use raqim::document::document_id;
use raqim::store::{ImportDoc, ImportSpan, NewSpan, Store};

const N: usize = 20_000;

/// A text of `2 * N` five-letter words, and span `k` on word `2k + 1` (code points).
fn text() -> String {
    vec!["كلمات"; 2 * N].join(" ")
}

fn word(w: usize) -> (usize, usize) {
    (w * 6, w * 6 + 5)
}

fn span(start: usize, end: usize, label: &str, state: State) -> ImportSpan {
    ImportSpan {
        span: NewSpan {
            start,
            end,
            label: label.to_string(),
            state,
            source: "test".to_string(),
            score: 1.0,
        },
        annotator: "tester".to_string(),
    }
}

fn doc(text: &str, spans: Vec<ImportSpan>) -> ImportDoc {
    ImportDoc {
        id: document_id(text),
        name: "big".to_string(),
        source_path: None,
        text: text.to_string(),
        done: false,
        record_id: None,
        flags: Vec::new(),
        foreign: None,
        layer: None,
        spans,
    }
}

#[test]
fn an_import_of_many_spans_refuses_exactly_the_overlaps_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("raqim.db")).unwrap();
    let text = text();
    let payload = |_: usize, _: usize| "{}".to_string();
    // A long span over words 0..=20 first, then one span a word on odd words after it.
    let mut spans = vec![span(0, word(20).1, "ORG", State::Accepted)];
    for k in 11..N {
        let (s, e) = word(2 * k + 1);
        spans.push(span(s, e, "PER", State::Accepted));
    }
    let first = store
        .import_documents(&[doc(&text, spans)], "import", "tester", &payload)
        .unwrap();
    assert_eq!(first.spans_added, N - 10);
    assert!(first.conflicts.is_empty());

    // Again, with: every span once more (duplicates), a span inside the long one, a
    // span straddling two stored ones, a rejected span over a stored one (no
    // conflict), a new span on a free word, and a span overlapping that new one.
    let mut again: Vec<ImportSpan> = (11..N)
        .map(|k| {
            let (s, e) = word(2 * k + 1);
            span(s, e, "PER", State::Pending)
        })
        .collect();
    let (a, _) = word(7);
    again.push(span(a, a + 3, "LOC", State::Pending));
    let (_, b) = word(2 * 500 + 1);
    let (c, _) = word(2 * 501 + 1);
    again.push(span(b - 2, c + 2, "LOC", State::Pending));
    let (r, q) = word(2 * 700 + 1);
    again.push(span(r, q, "LOC", State::Rejected));
    let free = word(2 * 900);
    again.push(span(free.0, free.1, "LOC", State::Accepted));
    again.push(span(free.0 + 1, free.1, "MISC", State::Pending));
    let report = store
        .import_documents(&[doc(&text, again)], "import", "tester", &payload)
        .unwrap();
    assert_eq!(report.duplicates, N - 11);
    assert_eq!(report.spans_added, 2, "the rejected span and the free word");
    let with: Vec<_> = report
        .conflicts
        .iter()
        .map(|c| (c.with.0, c.with.1, c.with.2.as_str()))
        .collect();
    assert_eq!(
        with,
        [
            (0, word(20).1, "ORG"),
            (word(2 * 500 + 1).0, b, "PER"),
            (free.0, free.1, "LOC"),
        ]
    );
}

fn new_span(start: usize, end: usize) -> Span {
    Span {
        id: 0,
        start,
        end,
        label: "PER".to_string(),
        state: State::Accepted,
        source: "analyst".to_string(),
        score: 1.0,
    }
}

#[test]
fn a_batch_of_many_new_spans_is_refused_only_when_two_of_them_overlap() {
    let text = text();
    // Byte offsets: each word is 10 bytes and a space.
    let at = |w: usize| (w * 11, w * 11 + 10);
    let ann = Annotations::new();
    let spans: Vec<Edit> = (0..N)
        .map(|k| {
            let (s, e) = at(2 * k + 1);
            Edit::Insert(new_span(s, e))
        })
        .collect();
    assert_eq!(ann.check(&text, &Edit::Batch(spans.clone())), Ok(()));

    // One more, late in the batch, over the end of an early one and the space after.
    let mut bad = spans;
    let (s, e) = at(2 * 3 + 1);
    bad.push(Edit::Insert(new_span(s + 4, e + 1)));
    assert_eq!(
        ann.check(&text, &Edit::Batch(bad)),
        Err(Refusal::Overlap {
            label: "PER".to_string(),
            text: "كلمات".to_string(),
        })
    );
}

#[test]
fn stored_spans_that_overlap_each_other_still_stop_an_import_overlapping_either() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let mut store = Store::open(&db).unwrap();
    let text = text();
    let payload = |_: usize, _: usize| "{}".to_string();
    let d = doc(&text, vec![span(0, 10, "ORG", State::Accepted)]);
    store
        .import_documents(std::slice::from_ref(&d), "import", "tester", &payload)
        .unwrap();
    drop(store);
    // A database written before the rule: a second span over the first.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO spans (doc, start, end, label, state, source, score, annotator, \
             created, updated) VALUES (?1, 5, 40, 'LOC', 'accepted', 'test', 1.0, 't', 0, 0)",
            [&d.id],
        )
        .unwrap();
    let mut store = Store::open(&db).unwrap();
    let again = doc(
        &text,
        vec![
            span(30, 35, "PER", State::Pending),
            span(2, 3, "PER", State::Pending),
            span(50, 55, "PER", State::Pending),
        ],
    );
    let report = store
        .import_documents(&[again], "import", "tester", &payload)
        .unwrap();
    let with: Vec<_> = report
        .conflicts
        .iter()
        .map(|c| (c.span, c.with.0, c.with.1))
        .collect();
    assert_eq!(with, [(0, 5, 40), (1, 0, 10)]);
    assert_eq!(report.spans_added, 1);
}
