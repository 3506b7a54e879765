//! Layout throughput: whole documents laid out at width 80, as `raqim render` does.
//! Run with `cargo bench --bench layout`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use raqim::document::Document;
use raqim::layout::{LayoutOptions, layout_paragraph};

/// The newsfane development text, documents joined by blank lines (about 1.1 MB).
fn newsfane_text() -> String {
    let data = include_str!("../tests/fixtures/newsfane/dev.jsonl");
    data.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["text"].as_str().unwrap().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn lay_out_all(doc: &Document, opts: &LayoutOptions) -> usize {
    (0..doc.paragraphs.len())
        .map(|i| layout_paragraph(doc.paragraph_text(i), opts).lines.len())
        .sum()
}

fn bench(c: &mut Criterion) {
    let opts = LayoutOptions::default();
    let mut g = c.benchmark_group("layout_width_80");

    let news = Document::from_text("newsfane", newsfane_text(), false, false);
    g.throughput(Throughput::Bytes(news.text.len() as u64));
    g.sample_size(20);
    g.bench_function("newsfane_dev", |b| {
        b.iter(|| lay_out_all(black_box(&news), &opts))
    });

    let sample = Document::from_text(
        "sample",
        include_str!("../samples/deir-ez-zor.txt").to_string(),
        false,
        false,
    );
    g.throughput(Throughput::Bytes(sample.text.len() as u64));
    g.sample_size(100);
    g.bench_function("deir_ez_zor", |b| {
        b.iter(|| lay_out_all(black_box(&sample), &opts))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
