//! Store speed on a big database: 10,000 documents of about 3 KB of Arabic-like text
//! and 1,000,000 spans (100 per document). `open_document` is what the viewer does
//! before its first frame: open the database, find the document by its path, read its
//! text, spans, actions and view, take its lock (`open_database` is the first step
//! alone). `commit_accept` is one accept (one
//! `Change::Update`) committed with synchronous=FULL in WAL mode; a manual loop of
//! 1,000 such commits prints p50/p99. Also: listing the documents, and (once, for the
//! record) what `PRAGMA quick_check` costs on this file.
//!
//! Building the database takes about a minute, so it is built once and kept under the
//! target folder (or `$RAQIM_BENCH_DIR`); every run works on a fresh copy of it, so the
//! growing action log does not drift the figures. The page cache is warm (the copy has
//! just read the file): a cold first open also pays the disk's reads.
//! Run with `cargo bench --bench store`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use raqim::annotation::State;
use raqim::store::{Change, NewSpan, Store};

#[path = "support/bigdb.rs"]
mod bigdb;

use bigdb::*;

fn bench(c: &mut Criterion) {
    let (_dir, db) = database();
    let opened = source_path(OPENED);

    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let t = Instant::now();
        let ok: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .unwrap();
        eprintln!(
            "store bench: PRAGMA quick_check on {} MB: {:?} ({ok})",
            std::fs::metadata(&db).unwrap().len() >> 20,
            t.elapsed()
        );
    }
    // What the damage checks cost, once each (seconds: too slow for criterion's
    // samples): the quick_check an import runs before its transaction and the viewer
    // runs in the background, and `raqim check`'s integrity_check.
    {
        let store = Store::open(&db).unwrap();
        let t = Instant::now();
        store.verify().unwrap();
        eprintln!(
            "store bench: Store::verify (quick_check): {:?}",
            t.elapsed()
        );
        let t = Instant::now();
        store.verify_in_background().join().unwrap().unwrap();
        eprintln!(
            "store bench: Store::verify_in_background, joined: {:?}",
            t.elapsed()
        );
        drop(store);
        let t = Instant::now();
        let report = raqim::store::check(&db).unwrap();
        eprintln!(
            "store bench: raqim::store::check (integrity_check): {:?} ({report})",
            t.elapsed()
        );
    }

    let mut g = c.benchmark_group("store");
    g.sample_size(50);
    // Timed up to the first frame's data; closing (a WAL checkpoint) is not timed, and
    // each iteration lets go of its lock before the next opens.
    let open = || {
        let mut store = Store::open(&db).unwrap();
        store.set_layer("bench");
        let (id, _name) = store.document_for_path(&opened).unwrap().unwrap();
        let text = store.document_text(&id).unwrap().unwrap();
        let spans = store.spans(&id).unwrap();
        let actions = store.actions(&id).unwrap();
        let view = store.view(&id).unwrap();
        let lock = store.lock_document(&id, "bench").unwrap();
        (store, lock, black_box((text, spans, actions, view)))
    };
    let (_, _, (_, spans, actions, view)) = open();
    assert_eq!(
        (spans.len(), actions.len(), view),
        (SPANS / DOCS, HISTORY + 1, Some((500, 12)))
    );
    g.bench_function("open_database", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                let store = Store::open(&db).unwrap();
                total += t.elapsed();
                drop(store);
            }
            total
        })
    });
    g.bench_function("open_document", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                let opened = open();
                total += t.elapsed();
                drop(opened);
            }
            total
        })
    });

    let mut store = Store::open(&db).unwrap();
    store.set_layer("bench");
    let (id, _) = store.document_for_path(&opened).unwrap().unwrap();
    let _lock = store.lock_document(&id, "bench").unwrap();
    let target = store.spans(&id).unwrap().remove(0);
    let mut accepted = false;
    let mut accept = move |store: &mut Store| {
        accepted = !accepted;
        let span = NewSpan {
            state: if accepted {
                State::Accepted
            } else {
                State::Pending
            },
            ..target.span.clone()
        };
        store
            .commit(
                &id,
                "accept",
                "{\"span\":1}",
                "bench",
                None,
                &[Change::Update {
                    id: target.id,
                    span,
                }],
            )
            .unwrap()
    };
    g.bench_function("commit_accept", |b| b.iter(|| accept(&mut store)));

    g.sample_size(10);
    g.bench_function("documents_list", |b| {
        b.iter(|| store.documents().unwrap().len())
    });
    g.finish();

    let mut times: Vec<Duration> = (0..1000)
        .map(|_| {
            let t = Instant::now();
            black_box(accept(&mut store));
            t.elapsed()
        })
        .collect();
    times.sort();
    eprintln!(
        "store bench: 1000 commits: p50 {:?}, p99 {:?}, max {:?}",
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        times[times.len() - 1]
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
