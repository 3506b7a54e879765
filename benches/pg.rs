//! The store on a local PostgreSQL server (issue 16's figures), on the throwaway test
//! server (`store::pg::testing`: a socket, fsync off), against the targets import
//! < 60 s and export < 20 s for 10,000 documents and 1,000,000 spans. Single timed
//! runs, printed (a criterion loop over a job of seconds would take too long):
//!
//! - import 10,000 documents (`support/bigdb.rs`'s texts) with 100 accepted one-word
//!   spans each that do not overlap (1,000,000 inserts) into a fresh database, one
//!   transaction; the same into a fresh SQLite file, for comparison;
//! - the same import again (every span a duplicate: reads what is there, adds none);
//! - export: `raqim export --format jsonl --state all` of it, through the function the
//!   command calls; and the store's part of it alone (every document read with its
//!   spans from one snapshot);
//! - `raqim db copy` of it to a SQLite file.
//!
//! Then a criterion measurement of a small job: reading 100 documents with their spans.
//! Without PostgreSQL's server installed it says so and measures nothing. Run with
//! `cargo bench --bench pg`. Wall-clock times.

use std::path::Path;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use raqim::annotation::State;
use raqim::exchange::{self, ExportArgs, ExportState};
use raqim::formats::Format;
use raqim::store::pg::testing;
use raqim::store::{ImportDoc, ImportSpan, NewSpan, Store, StoreError};

#[path = "support/bigdb.rs"]
mod bigdb;

/// Runs `f` once and prints its wall time, with the load average after it: the
/// machine may be shared with other work.
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    let wall = t.elapsed();
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into());
    eprintln!("pg bench: {what}: {wall:.2?} wall (load average {load})");
    r
}

/// The big database's texts, each with an accepted span on every other word (up to
/// 100 a document): token-aligned, never overlapping.
fn documents() -> Vec<ImportDoc> {
    let mut rng = bigdb::Rng::new(0x5eed_0000_0000_0001);
    (0..bigdb::DOCS)
        .map(|i| {
            let text = bigdb::article(i, &mut rng);
            let mut spans = Vec::new();
            let mut word_start = None;
            let mut words = 0;
            for (k, c) in text.chars().chain([' ']).enumerate() {
                match (c.is_alphanumeric(), word_start) {
                    (true, None) => word_start = Some(k),
                    (false, Some(s)) => {
                        if words % 2 == 1 && spans.len() < bigdb::SPANS / bigdb::DOCS {
                            spans.push(ImportSpan {
                                span: NewSpan {
                                    start: s,
                                    end: k,
                                    label: bigdb::LABELS[(i + words) % bigdb::LABELS.len()]
                                        .to_string(),
                                    state: State::Accepted,
                                    source: "bench".to_string(),
                                    score: 1.0,
                                },
                                annotator: "bench".to_string(),
                            });
                        }
                        words += 1;
                        word_start = None;
                    }
                    _ => {}
                }
            }
            ImportDoc {
                id: bigdb::sha(&text),
                name: format!("article-{i:05}.txt"),
                source_path: Some(bigdb::source_path(i).display().to_string()),
                text,
                done: false,
                spans,
                record_id: None,
                flags: Vec::new(),
                foreign: None,
                layer: None,
            }
        })
        .collect()
}

fn import(db: &Path, docs: &[ImportDoc]) -> String {
    let mut store = Store::open(db).unwrap();
    store.set_layer("bench");
    let r = store
        .import_documents(docs, "import", "bench", &|_, n| {
            format!("{{\"spans\":{n}}}")
        })
        .unwrap();
    format!(
        "{} documents added, {} spans added, {} duplicates, {} conflicts",
        r.docs_added,
        r.spans_added,
        r.duplicates,
        r.conflicts.len()
    )
}

fn export(db: &Path, out: &Path) {
    let args = ExportArgs {
        db,
        format: Format::Jsonl,
        state: ExportState::All,
        offsets: None,
        out: Some(out),
        docs: &[],
        ids: raqim::exchange::Ids::Name,
        ls_from_name: None,
        ls_to_name: None,
        conll_form: Default::default(),
        layer: "bench",
        layer_named: false,
        all_layers: false,
    };
    let mut said = Vec::new();
    exchange::export(&args, &mut std::io::sink(), &mut said).unwrap();
    eprint!("pg bench:   {}", String::from_utf8_lossy(&said));
}

/// Every document with its spans, as an export reads them: how many spans.
fn read_all(store: &Store) -> usize {
    let rows = store.documents_as_added().unwrap();
    let mut spans = 0;
    store
        .read_documents::<StoreError>(&rows, |d| {
            spans += d.spans.len();
            Ok(())
        })
        .unwrap();
    spans
}

fn bench(c: &mut Criterion) {
    let Some(server) = testing::server() else {
        eprintln!("pg bench: no PostgreSQL server installed: nothing measured");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let docs = timed("generate 10,000 documents and 1,000,000 spans", documents);
    let url = server.fresh_database();
    let db = Path::new(&url);
    let said = timed(
        "import 10,000 documents / 1,000,000 spans into a fresh PostgreSQL database",
        || import(db, &docs),
    );
    eprintln!("pg bench:   {said}");
    let said = timed("the same import into a fresh SQLite file", || {
        import(&work.path().join("sqlite.db"), &docs)
    });
    eprintln!("pg bench:   {said}");
    let said = timed(
        "the same import again into PostgreSQL (all duplicates)",
        || import(db, &docs),
    );
    eprintln!("pg bench:   {said}");
    drop(docs);

    let mut store = Store::open_read_only(db).unwrap();
    store.set_layer("bench");
    let spans = timed(
        "read every document and span from one snapshot (the store's part of an export)",
        || read_all(&store),
    );
    eprintln!("pg bench:   {spans} spans read");
    let out = work.path().join("all.jsonl");
    // The whole command needs the review methods too (layers); said if missing.
    let whole = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        timed("export 10,000 documents, every span, to JSONL", || {
            export(db, &out)
        })
    }));
    if whole.is_err() {
        eprintln!("pg bench:   the whole export could not run on this build");
    }
    let copy = work.path().join("copy.db");
    let report = timed("db copy of it to a SQLite file", || {
        raqim::store::copy::copy(db, &copy).unwrap()
    });
    eprint!("pg bench:   {report}");

    let rows = store.documents_as_added().unwrap();
    review_figures(db, &rows);
    let some: Vec<_> = rows.iter().step_by(rows.len() / 100).cloned().collect();
    let mut g = c.benchmark_group("pg");
    g.sample_size(20);
    g.bench_function("read_100_documents_with_spans", |b| {
        b.iter(|| {
            store
                .read_documents::<StoreError>(&some, |_| Ok(()))
                .unwrap()
        })
    });
    g.finish();
}

/// The review's figures on the 10,000-document database (issue 16): opening one
/// document as the viewer's store part does (lock, spans, actions, view), the p99 of
/// an accept, and 8 analysts (threads, each with its own connection, as separate
/// processes would have) taking 500 actions each at once on different documents.
fn review_figures(db: &Path, rows: &[raqim::store::DocumentRow]) {
    use raqim::annotation::State;
    use raqim::store::{Change, NewSpan};
    use std::time::Instant;
    let open = |doc: &str, who: &str| {
        let mut store = Store::open(db).unwrap();
        store.set_layer("bench");
        let lock = store.lock_document(doc, who).unwrap();
        let spans = store.spans(doc).unwrap();
        let actions = store.actions(doc).unwrap();
        let view = store.view(doc).unwrap();
        (store, lock, spans, actions.len(), view)
    };
    let doc = &rows[rows.len() / 2].id;
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let opened = open(doc, "bench");
        times.push(t.elapsed());
        drop(opened);
    }
    times.sort();
    eprintln!(
        "pg bench: open a document of the 10,000 (connect, lock, spans, actions, view): median {:.1?}, worst {:.1?} of 20",
        times[10], times[19]
    );
    // Accepting a span and taking it back, one action each, as the viewer commits.
    let (mut store, _lock, spans, _, _) = open(doc, "bench");
    let target = spans[0].clone();
    let mut times = Vec::new();
    for i in 0..400 {
        let span = NewSpan {
            state: if i % 2 == 0 {
                State::Accepted
            } else {
                State::Pending
            },
            ..target.span.clone()
        };
        let t = Instant::now();
        store
            .commit_with(
                doc,
                "accept",
                &|_| "{}".to_string(),
                "bench",
                None,
                &[Change::Update {
                    id: target.id,
                    span,
                }],
                Some((0, 0)),
            )
            .unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    eprintln!(
        "pg bench: accept (one action, one transaction with the view): p50 {:.2?}, p99 {:.2?}, max {:.2?} of 400",
        p(0.5),
        p(0.99),
        times[times.len() - 1]
    );
    drop(store);
    // 8 analysts at once, 500 actions each, each on a document of their own.
    let before = Store::open(db).unwrap().max_seq().unwrap();
    let started = Instant::now();
    let handles: Vec<_> = (0..8)
        .map(|k| {
            let db = db.to_path_buf();
            let doc = rows[k * 997].id.clone();
            std::thread::spawn(move || -> (usize, usize) {
                let who = format!("analyst{k}");
                let mut store = Store::open(&db).unwrap();
                store.set_layer(&who);
                let _lock = store.lock_document(&doc, &who).unwrap();
                let (mut ok, mut failed) = (0, 0);
                for i in 0..500 {
                    let span = NewSpan {
                        start: i % 50,
                        end: i % 50 + 1,
                        label: "LOC".into(),
                        state: State::Accepted,
                        source: "analyst".into(),
                        score: 1.0,
                    };
                    let change = if i % 2 == 0 {
                        Change::Insert(span)
                    } else {
                        let last = store.spans(&doc).unwrap().pop().unwrap().id;
                        Change::Delete { id: last }
                    };
                    match store.commit(&doc, "create", "{}", &who, None, &[change]) {
                        Ok(_) => ok += 1,
                        Err(e) => {
                            eprintln!("pg bench: {who}: {e}");
                            failed += 1
                        }
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    let (mut ok, mut failed) = (0, 0);
    for h in handles {
        let (o, f) = h.join().unwrap();
        ok += o;
        failed += f;
    }
    let took = started.elapsed();
    let after = Store::open(db).unwrap().max_seq().unwrap();
    let logged = {
        let mut n = 0;
        for k in 0..8 {
            let mut s = Store::open(db).unwrap();
            s.set_layer(&format!("analyst{k}"));
            n += s.actions(&rows[k * 997].id).unwrap().len();
        }
        n
    };
    eprintln!(
        "pg bench: 8 analysts x 500 actions at once: {ok} committed, {failed} errors, {logged} in the log (seqs {before}..{after}), {took:.2?} in all"
    );
    assert_eq!((ok, failed, logged), (4000, 0, 4000));
}

criterion_group!(benches, bench);
criterion_main!(benches);
