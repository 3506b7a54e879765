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

criterion_group!(benches, bench);
criterion_main!(benches);
