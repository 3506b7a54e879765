//! The big database the store and review benchmarks share: 10,000 documents of about
//! 3 KB of Arabic-like text and 1,000,000 spans (100 per document), with a document in
//! the middle worked on for a while (200 actions, a saved view).
//!
//! Building it takes about a minute, so it is built once and kept under the target
//! folder (or `$RAQIM_BENCH_DIR`); every run works on a fresh copy of it, so the
//! growing action log does not drift the figures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use raqim::annotation::State;
use raqim::store::{Change, NewSpan, SCHEMA_VERSION, Store};
use sha2::{Digest, Sha256};

pub const DOCS: usize = 10_000;
pub const SPANS: usize = 1_000_000;
/// Bumped when the generated content changes, so a cached database is rebuilt.
pub const GENERATOR: u32 = 3;
/// The document the benchmarks open: one in the middle.
pub const OPENED: usize = DOCS / 2;
/// Actions already in the opened document's log (a document worked on for a while).
pub const HISTORY: usize = 200;

pub const WORDS: &[&str] = &[
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
pub const LABELS: &[&str] = &["PER", "LOC", "ORG", "MISC"];
pub const SOURCES: &[&str] = &["gazetteer:places", "rules", "memory"];

/// xorshift64*: deterministic, so the cached database matches this code.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn sha(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn source_path(i: usize) -> PathBuf {
    PathBuf::from(format!("corpus/article-{i:05}.txt"))
}

/// About 3 KB of words, in sentences and paragraphs; unique per `i`.
pub fn article(i: usize, rng: &mut Rng) -> String {
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

pub fn new_span(rng: &mut Rng, chars: usize) -> NewSpan {
    let start = rng.below(chars - 12);
    NewSpan {
        start,
        end: start + 2 + rng.below(10),
        label: LABELS[rng.below(LABELS.len())].to_string(),
        state: match rng.below(10) {
            0..=5 => State::Pending,
            6..=8 => State::Accepted,
            _ => State::Rejected,
        },
        source: SOURCES[rng.below(SOURCES.len())].to_string(),
        score: rng.below(1000) as f32 / 1000.0,
    }
}

/// Fills `path` through the public API, one transaction per call as the viewer makes
/// them (no bulk path: about a minute on 2 cores, hence the cache): each document is
/// added and its suggested spans imported as one action; the opened document then gets
/// a history of accepts and a remembered view.
pub fn build(path: &Path) {
    let started = Instant::now();
    let mut store = Store::open(path).unwrap();
    store.set_layer("bench");
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
                        state: State::Accepted,
                        ..s.span.clone()
                    },
                }],
            )
            .unwrap();
    }
    store.set_view(&id, 500, 12).unwrap();
    eprintln!("store bench: built in {:?}", started.elapsed());
}

/// The cached database (built if missing) copied to a fresh working file.
pub fn database() -> (tempfile::TempDir, PathBuf) {
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

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}
