//! `raqim export` and `raqim import` on the big shared database (10,000 documents of
//! about 3 KB, 1,000,000 spans; `support/bigdb.rs`), through the same functions the
//! commands call. Single timed runs, printed (a criterion loop over a job of seconds
//! would take too long), against the targets export < 10 s and import < 20 s:
//!
//! - export every document and span (`--state all`) to JSONL;
//! - import that JSONL into a fresh database (one transaction). The generated spans
//!   overlap at random, so many of them are skipped as conflicts: this times the
//!   checks more than the inserts;
//! - import a JSONL of the same texts with 100 accepted one-word spans each that do
//!   not overlap (1,000,000 inserts), into a fresh database;
//! - export that database to CoNLL (which needs whole tokens and no overlaps) and to
//!   JSONL.
//!
//! Then a criterion measurement of a small job: exporting 100 named documents.
//! Run with `cargo bench --bench exchange`. Wall-clock times on a warm page cache.

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use raqim::exchange::{self, ExportArgs, ExportState, ImportArgs, ImportAs};
use raqim::formats::Format;
use raqim::suggest::labels::LabelSet;

#[path = "support/bigdb.rs"]
mod bigdb;

fn export_to(db: &Path, format: Format, state: ExportState, out: &Path, docs: &[String]) {
    let args = ExportArgs {
        db,
        format,
        state,
        offsets: None,
        out: Some(out),
        docs,
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
    eprint!("exchange bench:   {}", String::from_utf8_lossy(&said));
}

fn import_from(db: &Path, file: &Path, labels: &LabelSet) {
    let paths = [file.to_path_buf()];
    let args = ImportArgs {
        db,
        format: Format::Jsonl,
        paths: &paths,
        state: ImportAs::Accepted,
        source: None,
        offsets: None,
        labels,
        // The generator's MISC is not a built-in label.
        add_labels: true,
        skip_bad: false,
        brat_triggers: false,
        ls_field: None,
        doccano_columns: (None, None),
        conll_column: None,
        annotator: "bench",
        annotator_named: false,
    };
    let mut said = Vec::new();
    let summary = exchange::import(&args, &mut said).unwrap();
    eprintln!("exchange bench:   {summary}");
}

/// The CPU time this process has used (user + system, all threads), where Linux's
/// `/proc` tells it (in its fixed unit of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces, inside parentheses).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Runs `f` once and prints its wall time and CPU time, with the load average after
/// it: on a machine shared with other work the wall time grows with the load, the CPU
/// time much less.
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let cpu = cpu_seconds();
    let t = Instant::now();
    let r = f();
    let wall = t.elapsed();
    let cpu = match (cpu, cpu_seconds()) {
        (Some(a), Some(b)) => format!("{:.1}s", b - a),
        _ => "?".into(),
    };
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into());
    eprintln!("exchange bench: {what}: {wall:.2?} wall, {cpu} CPU (load average {load})");
    r
}

/// The records of a JSONL export with their spans replaced by every third word (up to
/// 100 a document), accepted: token-aligned and never overlapping.
fn word_spans(from: &Path, to: &Path) {
    let src = std::fs::read_to_string(from).unwrap();
    let mut out = String::with_capacity(src.len() / 2);
    for (n, line) in src.lines().enumerate() {
        let mut r: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = r["text"].as_str().unwrap().to_string();
        let mut spans = Vec::new();
        let mut word_start = None;
        let mut words = 0;
        for (i, c) in text.chars().chain([' ']).enumerate() {
            let in_word = c.is_alphanumeric();
            match (in_word, word_start) {
                (true, None) => word_start = Some(i),
                (false, Some(s)) => {
                    if words % 3 == 1 && spans.len() < 100 {
                        spans.push(serde_json::json!({
                            "start": s, "end": i,
                            "label": bigdb::LABELS[(n + words) % bigdb::LABELS.len()],
                            "state": "accepted",
                        }));
                    }
                    words += 1;
                    word_start = None;
                }
                _ => {}
            }
        }
        r["spans"] = serde_json::Value::Array(spans);
        out.push_str(&r.to_string());
        out.push('\n');
    }
    std::fs::write(to, out).unwrap();
}

fn bench(c: &mut Criterion) {
    let (dir, db) = bigdb::database();
    let work = dir.path();
    let labels = LabelSet::builtin();
    let all_jsonl = work.join("all.jsonl");
    timed("export 10,000 documents, every span, to JSONL", || {
        export_to(&db, Format::Jsonl, ExportState::All, &all_jsonl, &[])
    });
    eprintln!(
        "exchange bench:   {} MB written",
        std::fs::metadata(&all_jsonl).unwrap().len() >> 20
    );
    let fresh = work.join("fresh.db");
    timed("import that JSONL into a fresh database", || {
        import_from(&fresh, &all_jsonl, &labels)
    });

    let words_jsonl = work.join("words.jsonl");
    word_spans(&all_jsonl, &words_jsonl);
    let clean = work.join("clean.db");
    timed(
        "import 10,000 documents with 1,000,000 non-overlapping spans into a fresh database",
        || import_from(&clean, &words_jsonl, &labels),
    );
    let conll = work.join("all.conll");
    timed("export that database to CoNLL", || {
        export_to(&clean, Format::Conll, ExportState::Accepted, &conll, &[])
    });
    let again = work.join("again.jsonl");
    timed("export that database to JSONL", || {
        export_to(&clean, Format::Jsonl, ExportState::Accepted, &again, &[])
    });

    // A small job, as an analyst would export a batch: 100 documents by name.
    let names: Vec<String> = (0..100)
        .map(|i| format!("article-{:05}.txt", i * 97))
        .collect();
    let batch: PathBuf = work.join("batch.jsonl");
    let mut g = c.benchmark_group("exchange");
    g.sample_size(10);
    g.bench_function("export_100_named_documents_jsonl", |b| {
        b.iter(|| {
            let args = ExportArgs {
                db: &db,
                format: Format::Jsonl,
                state: ExportState::All,
                offsets: None,
                out: Some(&batch),
                docs: &names,
                ids: raqim::exchange::Ids::Name,
                ls_from_name: None,
                ls_to_name: None,
                conll_form: Default::default(),
                layer: "bench",
                layer_named: false,
                all_layers: false,
            };
            exchange::export(&args, &mut std::io::sink(), &mut std::io::sink()).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
