//! One very long document (issue 11, item 5): 10,000, 80,000 and 320,000 accepted
//! one-word spans, none overlapping, in a single text. Each size times, through the
//! same functions the commands and the viewer call:
//!
//! - `import`: `raqim import` of a one-record JSONL into a fresh database (reading
//!   the file, the overlap and duplicate checks, the inserts, one transaction);
//! - `import_again`: the same file into that database once more: every span is a
//!   duplicate of one already there, so this times the checks against stored spans;
//! - `open`: what the viewer does before its first frame with the document (record
//!   it, lock it, load its spans into `Annotations`, rebuild its history);
//! - `first_frame`: `open`, then the viewer built on it and its first 100x30 frame;
//! - `export_jsonl`, `export_conll`: `raqim export` of the document;
//! - `import_conll`: that CoNLL file (one token a line, `2 * spans` tokens) imported
//!   into a fresh database.
//!
//! Time must grow with the number of spans, not with its square. The sizes run can be
//! narrowed with `RAQIM_BIG_DOC_SPANS=10000,80000` (a comma-separated list).
//! Run with `cargo bench --bench big_doc`. Wall-clock times on a warm page cache.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use raqim::document::Document;
use raqim::exchange::{self, ExportArgs, ExportState, ImportArgs, ImportAs};
use raqim::formats::Format;
use raqim::store::Store;
use raqim::suggest::builtin_engine;
use raqim::suggest::labels::LabelSet;

const LABELS: [&str; 3] = ["PER", "ORG", "LOC"];

/// A text of `n` Arabic words, every other one a span (`n / 2` spans would be too
/// few words for the spans wanted, so the text has `2 * spans` words), and the JSONL
/// record holding it with its spans in code points.
fn record(spans: usize) -> (String, String) {
    const LETTERS: [char; 12] = ['ا', 'ب', 'ت', 'ج', 'د', 'ر', 'س', 'ع', 'ل', 'م', 'ن', 'ي'];
    let mut text = String::new();
    let mut out = Vec::with_capacity(spans);
    let mut at = 0usize;
    for w in 0..2 * spans {
        if w > 0 {
            text.push(if w % 12 == 0 { '\n' } else { ' ' });
            at += 1;
        }
        let len = 3 + w % 4;
        for k in 0..len {
            text.push(LETTERS[(w * 7 + k * 5) % LETTERS.len()]);
        }
        if w % 2 == 1 {
            out.push(serde_json::json!({
                "start": at, "end": at + len,
                "label": LABELS[w % LABELS.len()],
                "state": "accepted",
            }));
        }
        at += len;
    }
    let line = serde_json::json!({
        "id": format!("big-{spans}"),
        "text": text,
        "spans": out,
        "meta": {"name": format!("big-{spans}.txt")},
    })
    .to_string();
    (text, line + "\n")
}

fn import(db: &Path, file: &Path, labels: &LabelSet) {
    import_as(Format::Jsonl, db, file, labels)
}

fn import_as(format: Format, db: &Path, file: &Path, labels: &LabelSet) {
    let paths = [file.to_path_buf()];
    let args = ImportArgs {
        db,
        format,
        paths: &paths,
        state: ImportAs::Accepted,
        source: None,
        offsets: None,
        labels,
        add_labels: false,
        skip_bad: false,
        brat_triggers: false,
        ls_field: None,
        doccano_columns: (None, None),
        conll_column: None,
        annotator: "bench",
        annotator_named: false,
    };
    exchange::import(&args, &mut std::io::sink()).unwrap();
}

fn export(db: &Path, format: Format, out: &Path) {
    let args = ExportArgs {
        db,
        format,
        state: ExportState::Accepted,
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
    exchange::export(&args, &mut std::io::sink(), &mut std::io::sink()).unwrap();
}

fn sizes() -> Vec<usize> {
    match std::env::var("RAQIM_BIG_DOC_SPANS") {
        Ok(s) => s
            .split(',')
            .map(|n| n.trim().parse().expect("RAQIM_BIG_DOC_SPANS: numbers"))
            .collect(),
        Err(_) => vec![10_000, 80_000, 320_000],
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let labels = LabelSet::builtin();
    let engine = builtin_engine();
    let mut g = c.benchmark_group("big_doc");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    for n in sizes() {
        let (text, line) = record(n);
        let jsonl = dir.path().join(format!("big-{n}.jsonl"));
        std::fs::write(&jsonl, line).unwrap();
        let runs = std::cell::Cell::new(0);
        let fresh = || {
            runs.set(runs.get() + 1);
            dir.path().join(format!("fresh-{n}-{}.db", runs.get()))
        };
        g.bench_function(BenchmarkId::new("import", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let db = fresh();
                    let t = Instant::now();
                    import(&db, &jsonl, &labels);
                    total += t.elapsed();
                    std::fs::remove_file(&db).unwrap();
                }
                total
            })
        });
        let db: PathBuf = dir.path().join(format!("big-{n}.db"));
        import(&db, &jsonl, &labels);
        {
            let mut store = Store::open(&db).unwrap();
            store.set_layer("bench");
            let id = raqim::document::document_id(&text);
            assert_eq!(store.spans(&id).unwrap().len(), n);
        }
        g.bench_function(BenchmarkId::new("import_again", n), |b| {
            b.iter(|| import(&db, &jsonl, &labels))
        });
        let doc = Document::from_text(&format!("big-{n}.txt"), text.clone(), false, false);
        g.bench_function(BenchmarkId::new("open", n), |b| {
            b.iter(|| {
                let store = Store::open(&db).unwrap();
                let opened =
                    raqim::review::open_document(store, &doc, None, "bench", &engine).unwrap();
                assert!(opened.warnings.is_empty(), "{:?}", opened.warnings);
                black_box(opened)
            })
        });
        g.bench_function(BenchmarkId::new("first_frame", n), |b| {
            b.iter(|| {
                let store = Store::open(&db).unwrap();
                let opened =
                    raqim::review::open_document(store, &doc, None, "bench", &engine).unwrap();
                let mut app = raqim::tui::App::with_engine(
                    doc.clone(),
                    raqim::tui::ViewSettings::default(),
                    engine.clone(),
                );
                app.set_review(opened.review, opened.view);
                let area = ratatui::layout::Rect::new(0, 0, 100, 30);
                let mut buf = ratatui::buffer::Buffer::empty(area);
                raqim::tui::render(area, &mut buf, &mut app);
                black_box((app, buf))
            })
        });
        let out = dir.path().join(format!("big-{n}.out"));
        g.bench_function(BenchmarkId::new("export_jsonl", n), |b| {
            b.iter(|| export(&db, Format::Jsonl, &out))
        });
        let conll = dir.path().join(format!("big-{n}.conll"));
        // Written here too, for a run that times import_conll alone.
        export(&db, Format::Conll, &conll);
        g.bench_function(BenchmarkId::new("export_conll", n), |b| {
            b.iter(|| export(&db, Format::Conll, &conll))
        });
        g.bench_function(BenchmarkId::new("import_conll", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let db = fresh();
                    let t = Instant::now();
                    import_as(Format::Conll, &db, &conll, &labels);
                    total += t.elapsed();
                    std::fs::remove_file(&db).unwrap();
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
