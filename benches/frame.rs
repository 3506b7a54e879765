//! Frame cost and open cost of the viewer, without a terminal: one keystroke plus one
//! redraw into a ratatui buffer, on a 10 KB and on a 10 MB article (the cost must not
//! grow with the article: only what is visible is laid out, cached per paragraph);
//! and opening a 10 MB article up to its first frame.
//! Run with `cargo bench --bench frame`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use raqim::document::Document;
use raqim::tui::{Action, App, ViewSettings, render};
use ratatui::{buffer::Buffer, layout::Rect};

/// Newsfane text (documents joined by blank lines), repeated or cut to `bytes`.
fn article(bytes: usize) -> String {
    let data = include_str!("../tests/fixtures/newsfane/dev.jsonl");
    let one: String = data
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["text"].as_str().unwrap().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut s = String::with_capacity(bytes + one.len());
    while s.len() < bytes {
        s.push_str(&one);
        s.push_str("\n\n");
    }
    let mut cut = bytes.min(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s
}

const AREA: Rect = Rect {
    x: 0,
    y: 0,
    width: 100,
    height: 40,
};

fn keystroke_and_redraw(c: &mut Criterion) {
    let mut g = c.benchmark_group("keystroke_redraw");
    for (name, size) in [("10KB", 10 * 1024), ("10MB", 10 * 1024 * 1024)] {
        let doc = Document::from_text(name, article(size), false, false);
        let mut app = App::new(doc, ViewSettings::default());
        let mut buf = Buffer::empty(AREA);
        render(AREA, &mut buf, &mut app);
        // Into the middle of the first screen, so moves go both ways.
        for _ in 0..10 {
            app.apply(Action::MoveDown);
        }
        render(AREA, &mut buf, &mut app);
        let mut down = true;
        g.bench_function(format!("move_line_{name}"), |b| {
            b.iter(|| {
                app.apply(if down {
                    Action::MoveDown
                } else {
                    Action::MoveUp
                });
                down = !down;
                render(AREA, &mut buf, black_box(&mut app));
            })
        });
        // 200 words forward, 200 back, so the cursor never parks at the end.
        let mut step = 0u32;
        g.bench_function(format!("word_{name}"), |b| {
            b.iter(|| {
                let forward = (step / 200).is_multiple_of(2);
                step += 1;
                app.apply(if forward {
                    Action::NextWord
                } else {
                    Action::PrevWord
                });
                render(AREA, &mut buf, black_box(&mut app));
            })
        });
        // Scrolling a screen at a time lays out paragraphs not seen before.
        let mut step = 0u32;
        g.bench_function(format!("page_{name}"), |b| {
            b.iter(|| {
                let forward = (step / 50).is_multiple_of(2);
                step += 1;
                app.apply(if forward {
                    Action::PageDown
                } else {
                    Action::PageUp
                });
                render(AREA, &mut buf, black_box(&mut app));
            })
        });
    }
    g.finish();
}

fn open_to_first_frame(c: &mut Criterion) {
    let mut g = c.benchmark_group("open");
    g.sample_size(20);
    let bytes = article(10 * 1024 * 1024).into_bytes();
    g.bench_function("10MB_to_first_frame", |b| {
        b.iter_batched(
            || bytes.clone(),
            |bytes| {
                let doc = Document::from_bytes("big.txt", bytes, false).unwrap();
                let mut app = App::new(doc, ViewSettings::default());
                let mut buf = Buffer::empty(AREA);
                render(AREA, &mut buf, &mut app);
                buf
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, keystroke_and_redraw, open_to_first_frame);
criterion_main!(benches);
