//! `agreement::compute` on 1,000 documents of about 3 KB, each with the layers of
//! three annotators (issue 15's figure: under 2 s): three pairs, Fleiss' kappa over
//! every document, and the report rendered as JSON, table and CSV. Then the same
//! layers in a database (each marked done), read and computed as `raqim agreement`
//! does (`team::agreement::report`).
//!
//! The layers are made from one set of about 40 one-to-three-word entities per
//! document; each annotator drops, relabels or moves a word of about one in five and
//! adds a few of their own, so the figures are those of people who mostly agree.
//! Run with `cargo bench --bench agreement`.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use raqim::agreement::{self, DocLayers, Options, Span};

#[path = "support/bigdb.rs"]
mod bigdb;

use bigdb::{LABELS, Rng, WORDS};

const DOCS: usize = 1_000;
const ANNOTATORS: &[&str] = &["amal", "basel", "cyrus"];

/// About 3 KB of words, and the code point range of each word.
fn article(rng: &mut Rng) -> (String, Vec<(usize, usize)>) {
    let (mut text, mut words, mut at) = (String::new(), Vec::new(), 0);
    while text.len() < 3 * 1024 {
        let w = WORDS[rng.below(WORDS.len())];
        let n = w.chars().count();
        words.push((at, at + n));
        text.push_str(w);
        text.push(if rng.below(12) == 0 { '\n' } else { ' ' });
        at += n + 1;
    }
    (text, words)
}

fn documents() -> Vec<DocLayers> {
    let mut rng = Rng::new(0xa9ee_0000_0000_0015);
    (0..DOCS)
        .map(|i| {
            let (text, words) = article(&mut rng);
            let entities: Vec<Span> = (0..40)
                .map(|_| {
                    let w = rng.below(words.len() - 3);
                    let len = 1 + rng.below(3);
                    Span::new(words[w].0, words[w + len - 1].1, LABELS[rng.below(4)])
                })
                .collect();
            let layers = ANNOTATORS
                .iter()
                .map(|name| {
                    let mut spans = Vec::new();
                    for e in &entities {
                        match rng.below(20) {
                            0 => {}
                            1 => spans.push(Span::new(e.start, e.end, LABELS[rng.below(4)])),
                            2 => {
                                let w = words.partition_point(|w| w.0 < e.start);
                                let start = words[w.saturating_sub(1)].0;
                                spans.push(Span::new(start, e.end, &e.label));
                            }
                            _ => spans.push(e.clone()),
                        }
                    }
                    for _ in 0..3 {
                        let w = words[rng.below(words.len())];
                        spans.push(Span::new(w.0, w.1, LABELS[rng.below(4)]));
                    }
                    (name.to_string(), spans)
                })
                .collect::<BTreeMap<_, _>>();
            DocLayers {
                id: format!("article-{i:04}"),
                text,
                layers,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let docs = documents();
    let report = agreement::compute(&docs, &Options::default()).unwrap();
    println!("{}", report.to_table());
    let mut g = c.benchmark_group("agreement");
    g.sample_size(10);
    g.bench_function("compute_1000_docs_3_annotators", |b| {
        b.iter(|| agreement::compute(black_box(&docs), &Options::default()).unwrap())
    });
    g.bench_function("render_json_table_csv", |b| {
        b.iter(|| {
            (
                serde_json::to_string(black_box(&report)).unwrap(),
                report.to_table(),
                report.to_csv(),
            )
        })
    });
    // The same layers in a database, each its annotator's and marked done.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    {
        let mut store = raqim::store::Store::open(&db).unwrap();
        let mut import = Vec::new();
        for d in &docs {
            for (who, spans) in &d.layers {
                import.push(raqim::store::ImportDoc {
                    id: raqim::document::document_id(&d.text),
                    name: d.id.clone(),
                    source_path: None,
                    text: d.text.clone(),
                    done: true,
                    spans: dedup(spans)
                        .into_iter()
                        .map(|s| raqim::store::ImportSpan {
                            span: raqim::store::NewSpan {
                                start: s.start,
                                end: s.end,
                                label: s.label.clone(),
                                state: raqim::annotation::State::Accepted,
                                source: "bench".into(),
                                score: 1.0,
                            },
                            annotator: who.clone(),
                        })
                        .collect(),
                    record_id: None,
                    flags: Vec::new(),
                    foreign: None,
                    layer: Some(who.clone()),
                });
            }
        }
        store
            .import_documents(&import, "import", "bench", &|_, _| "{}".into())
            .unwrap();
    }
    let scope = raqim::team::agreement::Scope::default();
    let from_db = raqim::team::agreement::report(&db, &scope, &Options::default()).unwrap();
    assert_eq!(from_db.pairs.len(), 3);
    assert_eq!(from_db.pairs[0].documents, DOCS);
    g.bench_function("from_database_1000_docs_3_annotators", |b| {
        b.iter(|| raqim::team::agreement::report(&db, &scope, &Options::default()).unwrap())
    });
    g.finish();
}

/// A layer's spans without overlaps (the store keeps none): each kept unless it
/// overlaps one kept before it, in order of start.
fn dedup(spans: &[Span]) -> Vec<Span> {
    let mut sorted = spans.to_vec();
    sorted.sort();
    let mut out: Vec<Span> = Vec::new();
    for s in sorted {
        if out.last().is_none_or(|l| l.end <= s.start) {
            out.push(s);
        }
    }
    out
}

criterion_group!(benches, bench);
criterion_main!(benches);
