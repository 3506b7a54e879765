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
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use raqim::store::{Change, NewSpan, SCHEMA_VERSION, SpanState, Store};
use sha2::{Digest, Sha256};

const DOCS: usize = 10_000;
const SPANS: usize = 1_000_000;
/// Bumped when the generated content changes, so a cached database is rebuilt.
const GENERATOR: u32 = 2;
/// The document the benchmarks open: one in the middle.
const OPENED: usize = DOCS / 2;
/// Actions already in the opened document's log (a document worked on for a while).
const HISTORY: usize = 200;

const WORDS: &[&str] = &[
    "قال",
    "الرئيس",
    "محمد",
    "في",
    "دمشق",
    "إن",
    "الجيش",
    "السوري",
    "انسحب",
    "من",
    "مدينة",
    "دير",
    "الزور",
    "وأضاف",
    "المتحدث",
    "باسم",
    "وزارة",
    "الخارجية",
    "أن",
    "الوفد",
    "وصل",
    "إلى",
    "بغداد",
    "صباح",
    "اليوم",
    "لبحث",
    "العلاقات",
    "بين",
    "البلدين",
    "وأكد",
    "رئيس",
    "الوزراء",
    "على",
    "أهمية",
    "التعاون",
    "الاقتصادي",
    "والأمني",
    "مع",
    "الأمم",
    "المتحدة",
    "منظمة",
    "الصحة",
    "العالمية",
    "شركة",
    "النفط",
    "الوطنية",
    "عمان",
    "القاهرة",
    "بيروت",
    "الرياض",
    "أحمد",
    "علي",
    "فاطمة",
    "حسن",
    "خلال",
    "مؤتمر",
    "صحفي",
    "عقد",
    "مساء",
    "أمس",
];
const LABELS: &[&str] = &["PER", "LOC", "ORG", "MISC"];
const SOURCES: &[&str] = &["gazetteer:places", "rules", "memory"];

/// xorshift64*: deterministic, so the cached database matches this code.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn sha(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn source_path(i: usize) -> PathBuf {
    PathBuf::from(format!("corpus/article-{i:05}.txt"))
}

/// About 3 KB of words, in sentences and paragraphs; unique per `i`.
fn article(i: usize, rng: &mut Rng) -> String {
    let mut s = format!("خبر رقم {i}\n");
    while s.len() < 3 * 1024 {
        for _ in 0..8 + rng.below(10) {
            s.push_str(WORDS[rng.below(WORDS.len())]);
            s.push(' ');
        }
        s.pop();
        s.push_str(if rng.below(4) == 0 { ".\n\n" } else { ". " });
    }
    s
}

fn new_span(rng: &mut Rng, chars: usize) -> NewSpan {
    let start = rng.below(chars - 12);
    NewSpan {
        start,
        end: start + 2 + rng.below(10),
        label: LABELS[rng.below(LABELS.len())].to_string(),
        state: match rng.below(10) {
            0..=5 => SpanState::Pending,
            6..=8 => SpanState::Accepted,
            _ => SpanState::Rejected,
        },
        source: SOURCES[rng.below(SOURCES.len())].to_string(),
        score: rng.below(1000) as f32 / 1000.0,
    }
}

/// Fills `path` through the public API, one transaction per call as the viewer makes
/// them (no bulk path: about a minute on 2 cores, hence the cache): each document is
/// added and its suggested spans imported as one action; the opened document then gets
/// a history of accepts and a remembered view.
fn build(path: &Path) {
    let started = Instant::now();
    let mut store = Store::open(path).unwrap();
    let mut rng = Rng(0x5eed_0000_0000_0001);
    let per_doc = SPANS / DOCS;
    for i in 0..DOCS {
        let text = article(i, &mut rng);
        let chars = text.chars().count();
        let spans: Vec<Change> = (0..per_doc)
            .map(|_| Change::Insert(new_span(&mut rng, chars)))
            .collect();
        let id = sha(&text);
        store
            .add_document(
                &id,
                &format!("article-{i:05}.txt"),
                Some(&source_path(i)),
                &text,
            )
            .unwrap();
        store
            .commit(&id, "import", "{}", "bench", None, &spans)
            .unwrap();
        if i % 1000 == 999 {
            eprintln!(
                "store bench: {} documents in {:?}",
                i + 1,
                started.elapsed()
            );
        }
    }
    let (id, _) = store
        .document_for_path(&source_path(OPENED))
        .unwrap()
        .unwrap();
    let spans = store.spans(&id).unwrap();
    for k in 0..HISTORY {
        let s = &spans[k % spans.len()];
        store
            .commit(
                &id,
                "accept",
                &format!("{{\"span\":{}}}", s.id),
                "bench",
                None,
                &[Change::Update {
                    id: s.id,
                    span: NewSpan {
                        start: s.start,
                        end: s.end,
                        label: s.label.clone(),
                        state: SpanState::Accepted,
                        source: s.source.clone(),
                        score: s.score,
                    },
                }],
            )
            .unwrap();
    }
    store.set_view(&id, 500, 12).unwrap();
    eprintln!("store bench: built in {:?}", started.elapsed());
}

/// The cached database (built if missing) copied to a fresh working file.
fn database() -> (tempfile::TempDir, PathBuf) {
    let dir = std::env::var_os("RAQIM_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("store-bench"));
    std::fs::create_dir_all(&dir).unwrap();
    let cached = dir.join(format!(
        "raqim-v{SCHEMA_VERSION}-g{GENERATOR}-{DOCS}docs-{SPANS}spans.db"
    ));
    if !cached.exists() {
        let partial = cached.with_extension("building");
        for suffix in ["", "-wal", "-shm"] {
            let mut p = partial.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
        build(&partial);
        std::fs::rename(&partial, &cached).unwrap();
    }
    let work_dir = tempfile::tempdir_in(&dir).unwrap();
    let work = work_dir.path().join("raqim.db");
    std::fs::copy(&cached, &work).unwrap();
    (work_dir, work)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

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

    let mut g = c.benchmark_group("store");
    g.sample_size(50);
    // Timed up to the first frame's data; closing (a WAL checkpoint) is not timed, and
    // each iteration lets go of its lock before the next opens.
    let open = || {
        let store = Store::open(&db).unwrap();
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
    let (id, _) = store.document_for_path(&opened).unwrap().unwrap();
    let _lock = store.lock_document(&id, "bench").unwrap();
    let target = store.spans(&id).unwrap().remove(0);
    let mut accepted = false;
    let mut accept = move |store: &mut Store| {
        accepted = !accepted;
        let span = NewSpan {
            start: target.start,
            end: target.end,
            label: target.label.clone(),
            state: if accepted {
                SpanState::Accepted
            } else {
                SpanState::Pending
            },
            source: target.source.clone(),
            score: target.score,
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
