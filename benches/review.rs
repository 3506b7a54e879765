//! The review as the analyst feels it, on the big shared database (10,000 documents,
//! 1,000,000 spans; `support/bigdb.rs`) with the bundled 3 KB sample added to it:
//!
//! - `first_frame`: open the database, open the sample for review (record it, lock it,
//!   load its spans, rebuild its history, load the memory), build the viewer and draw
//!   the first frame into a 100x30 buffer;
//! - `accept`: from the Enter key to the committed transaction (synchronous=FULL, WAL)
//!   and the redrawn frame, on a suggestion; each accept is undone (not timed) so the
//!   next one has a suggestion to accept. A manual loop of 1,000 accepts prints p50,
//!   p99 and the maximum.
//!
//! Run with `cargo bench --bench review`. Timings are wall-clock on whatever machine
//! runs them; the page cache is warm.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use raqim::document::Document;
use raqim::store::Store;
use raqim::suggest::builtin_engine;
use raqim::tui::{App, ViewSettings, render};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

#[path = "support/bigdb.rs"]
mod bigdb;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/deir-ez-zor.txt");

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Opens the sample for review from the database at `db` and draws the first frame.
fn open_to_first_frame(db: &Path, area: Rect) -> (App, Buffer) {
    let doc = Document::open(Path::new(SAMPLE), false).unwrap();
    let store = Store::open(db).unwrap();
    let engine = builtin_engine();
    let opened =
        raqim::review::open_document(store, &doc, Some(Path::new(SAMPLE)), "bench", &engine)
            .unwrap();
    let mut app = App::with_engine(doc, ViewSettings::default(), engine);
    app.set_review(opened.review, opened.view);
    let mut buf = Buffer::empty(area);
    render(area, &mut buf, &mut app);
    (app, buf)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn bench(c: &mut Criterion) {
    let (_dir, db) = bigdb::database();
    let area = Rect::new(0, 0, 100, 30);
    // The engine is built once per process, before any timing.
    builtin_engine();
    {
        // Record the sample once, so the timed opens find it like a reopened document.
        let (app, _) = open_to_first_frame(&db, area);
        drop(app);
    }
    c.bench_function("first_frame", |b| {
        b.iter(|| black_box(open_to_first_frame(&db, area)))
    });

    let (mut app, mut buf) = open_to_first_frame(&db, area);
    app.key(key(KeyCode::Tab));
    render(area, &mut buf, &mut app);
    let accepted_before = app.review().ann.counts().1;
    let accept_timed = |app: &mut App, buf: &mut Buffer| -> (Duration, Duration) {
        let t = Instant::now();
        app.key(key(KeyCode::Enter));
        let committed = t.elapsed();
        render(area, buf, app);
        let took = t.elapsed();
        assert_eq!(
            app.review().ann.counts().1,
            accepted_before + 1,
            "{:?}",
            app.message()
        );
        // Undo, and back onto the same suggestion (accepting moved on).
        app.key(key(KeyCode::Char('u')));
        render(area, buf, app);
        (committed, took)
    };
    let accept_once = |app: &mut App, buf: &mut Buffer| accept_timed(app, buf).1;
    c.bench_function("accept", |b| {
        b.iter_custom(|n| (0..n).map(|_| accept_once(&mut app, &mut buf)).sum())
    });
    let (mut commits, mut times): (Vec<Duration>, Vec<Duration>) =
        (0..1000).map(|_| accept_timed(&mut app, &mut buf)).unzip();
    times.sort();
    commits.sort();
    eprintln!(
        "accept, key to committed and redrawn, 1000 runs: p50 {:?} p99 {:?} max {:?}",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times[times.len() - 1]
    );
    eprintln!(
        "  of which key to committed (check, transaction, memory): p50 {:?} p99 {:?}",
        percentile(&commits, 0.5),
        percentile(&commits, 0.99),
    );
    // Quit as the viewer does: the view and the memory are saved.
    app.save_session().unwrap();
    drop(app);
    let mut opens: Vec<Duration> = (0..50)
        .map(|_| {
            let t = Instant::now();
            black_box(open_to_first_frame(&db, area));
            t.elapsed()
        })
        .collect();
    opens.sort();
    eprintln!(
        "open to first frame, 50 runs: p50 {:?} max {:?}",
        percentile(&opens, 0.5),
        opens[opens.len() - 1]
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
