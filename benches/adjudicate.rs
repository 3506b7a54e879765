//! Opening an adjudication view (issue 15's figure: under 100 ms), the session part:
//! open the gold layer of the bundled 3 KB sample for review (record, lock, spans,
//! history, memory), read its three annotators' layers, merge them and count what is
//! open, in a database of that one document.
//!
//! The layers are the engine's suggestions as accepted spans, read three ways: amal
//! takes them all, basel leaves out every fifth, carim relabels every seventh; so
//! there are agreed spans and disagreements of both kinds.
//!
//! - `open`: gold already has the agreed spans (every opening after the first);
//! - `first_open`: a fresh copy of the database, so the auto-merge is written (one
//!   transaction) on opening.
//!
//! Run with `cargo bench --bench adjudicate`. The engine is built once, before any
//! timing, as the viewer builds it while the database is read.

use std::hint::black_box;
use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use raqim::annotation::State;
use raqim::curate::MergeRule;
use raqim::document::Document;
use raqim::offsets::{Offsets, convert_sorted};
use raqim::session::curation;
use raqim::store::{Change, NewSpan, Store};
use raqim::suggest::builtin_engine;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/deir-ez-zor.txt");

/// A database at `db` with the sample and its three layers, each marked done.
fn database(db: &Path, doc: &Document) {
    let engine = builtin_engine();
    let found = engine.suggest(&doc.text, None);
    let bytes: Vec<usize> = found.iter().flat_map(|s| [s.start, s.end]).collect();
    let mut sorted = bytes.clone();
    sorted.sort_unstable();
    let cps = convert_sorted(&doc.text, Offsets::CodePoints, &sorted);
    let cp = |b: usize| cps[sorted.binary_search(&b).unwrap()];
    let id = doc.id();
    for (who, keep, relabel) in [("amal", 0, 0), ("basel", 5, 0), ("carim", 0, 7)] {
        let mut store = Store::open(db).unwrap();
        store.set_layer(who);
        store.add_document(&id, &doc.name, None, &doc.text).unwrap();
        let changes: Vec<Change> = found
            .iter()
            .enumerate()
            .filter(|(i, _)| keep == 0 || i % keep != 0)
            .map(|(i, s)| {
                let label = if relabel > 0 && i % relabel == 0 {
                    if s.label == "PER" { "ORG" } else { "PER" }
                } else {
                    s.label.as_str()
                };
                Change::Insert(NewSpan {
                    start: cp(s.start),
                    end: cp(s.end),
                    label: label.to_string(),
                    state: State::Accepted,
                    source: "analyst".into(),
                    score: 1.0,
                })
            })
            .collect();
        store
            .commit(&id, "import", "{}", who, None, &changes)
            .unwrap();
        store.set_done(&id, true).unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    let doc = Document::open(Path::new(SAMPLE), false).unwrap();
    database(&fresh, &doc);
    let engine = builtin_engine();
    let db = dir.path().join("raqim.db");
    std::fs::copy(&fresh, &db).unwrap();
    let (_, mut first, report) =
        curation::open(&db, &doc, "dina", MergeRule::Unanimous, &engine).unwrap();
    eprintln!(
        "adjudicate: 3 layers, {} agreed spans merged, {} disagreements",
        report.agreed,
        first.merge().disagreements.len()
    );
    let _ = &mut first;
    let mut g = c.benchmark_group("adjudicate");
    g.bench_function("open", |b| {
        b.iter(|| {
            let (opened, mut c, _) =
                curation::open(&db, &doc, "dina", MergeRule::Unanimous, &engine).unwrap();
            black_box(c.open_in(&opened.review.ann).len())
        })
    });
    let mut n = 0;
    g.bench_function("first_open", |b| {
        b.iter_batched(
            || {
                n += 1;
                let copy = dir.path().join(format!("copy{n}.db"));
                std::fs::copy(&fresh, &copy).unwrap();
                copy
            },
            |copy| {
                let (opened, mut c, _) =
                    curation::open(&copy, &doc, "dina", MergeRule::Unanimous, &engine).unwrap();
                black_box(c.open_in(&opened.review.ann).len())
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
