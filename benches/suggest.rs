//! Suggestion speed: the engine over the newsfane development text (document by
//! document, as `raqim suggest` does), one 3 KB article after an accept (what the
//! viewer does within a keystroke), the tagger alone (tagging a line, one online
//! update, what the viewer does per decision), and loading the engine and the model.
//! Run with `cargo bench --bench suggest`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use raqim::suggest::Engine;
use raqim::suggest::dict::DocTokens;
use raqim::suggest::memory::Memory;

fn newsfane_texts() -> Vec<String> {
    include_str!("../tests/fixtures/newsfane/dev.jsonl")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["text"].as_str().unwrap().to_string()
        })
        .collect()
}

/// About 3 KB of the sample article, cut at a line break.
fn article_3kb() -> String {
    let text = include_str!("../samples/deir-ez-zor.txt");
    let mut cut = 3 * 1024;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let end = text[..cut].rfind('\n').unwrap_or(cut);
    text[..end].to_string()
}

fn bench(c: &mut Criterion) {
    let engine = Engine::builtin();

    let texts = newsfane_texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut g = c.benchmark_group("suggest");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(20);
    g.bench_function("newsfane_dev_per_document", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| engine.suggest(black_box(t), None).len())
                .sum::<usize>()
        })
    });
    g.finish();

    let article = article_3kb();
    let doc = DocTokens::new(&article);
    let mut memory = Memory::new();
    let mut g = c.benchmark_group("after_accept");
    g.throughput(Throughput::Bytes(article.len() as u64));
    g.bench_function("accept_then_suggest_3kb", |b| {
        b.iter(|| {
            let s = article.find("سهيل الحسن").unwrap();
            memory.accept(&doc, s, s + "سهيل الحسن".len(), "PER");
            engine.suggest(black_box(&article), Some(&memory)).len()
        })
    });
    g.finish();

    // The tagger on one line of the article: decode, and one online update with
    // the features of the span (as `learn_decision` computes them).
    let model = engine.model().expect("the model is embedded");
    let line = article.lines().find(|l| l.contains("سهيل الحسن")).unwrap();
    let ldoc = DocTokens::new(line);
    let feats = engine.token_features(&ldoc);
    let mut g = c.benchmark_group("tagger");
    g.throughput(Throughput::Bytes(line.len() as u64));
    g.bench_function("features_and_tag_one_line", |b| {
        b.iter(|| {
            model
                .tag(&engine.token_features(black_box(&ldoc)), None)
                .len()
        })
    });
    g.bench_function("tag_one_line", |b| {
        b.iter(|| model.tag(black_box(&feats), None).len())
    });
    let s = line.find("سهيل الحسن").unwrap();
    let name = raqim::suggest::Suggestion {
        start: s,
        end: s + "سهيل الحسن".len(),
        label: "PER".into(),
        source: "analyst".into(),
        score: 1.0,
    };
    let mut mem = Memory::new();
    g.bench_function("one_online_update_and_undo", |b| {
        b.iter(|| {
            engine.learn_decision(&mut mem, black_box(&ldoc), &name, true);
            engine.forget_decision(&mut mem, &ldoc, (name.start, name.end), "PER", true);
        })
    });
    g.finish();

    let mut g = c.benchmark_group("startup");
    g.sample_size(20);
    g.bench_function("load_gazetteers_and_rules", |b| b.iter(Engine::builtin));
    g.bench_function("load_model", |b| {
        b.iter(|| {
            raqim::suggest::tagger::Model::from_bytes(raqim::suggest::SHIPPED_MODEL)
                .unwrap()
                .unwrap()
                .features()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
