//! Interchange formats: every format gives back the spans and text it was given (as
//! far as `expected_round_trip` promises) in every offset unit, on the sample article,
//! the NewsFANE documents and a hand-made text with astral characters, harakat and
//! lam-alef; and files written after each tool's documented examples import with the
//! spans a user of that tool would expect.

use std::path::{Path, PathBuf};

use raqim::annotation::State;
use raqim::corpus::read_jsonl;
use raqim::formats::{
    ConllForm, Format, FormatError, ImportOptions, Imported, Offsets, Record, RecordSpan,
    brat_read_pair, brat_write_pair, conll_to_string, expected_conll_round_trip,
    expected_round_trip, export, export_to_string, import, import_bytes,
};
use raqim::suggest::labels::LabelSet;

const UNITS: [Offsets; 3] = [Offsets::CodePoints, Offsets::Utf16, Offsets::Bytes];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures/formats").join(rel)
}

fn read_records(rel: &str) -> Vec<Record> {
    let src = std::fs::read_to_string(root().join(rel)).unwrap();
    let (docs, bad) = read_jsonl(rel, &src, Offsets::CodePoints, false).unwrap();
    assert!(bad.is_empty());
    docs.into_iter().map(Record::from).collect()
}

fn gold() -> Vec<Record> {
    let recs = read_records("tests/fixtures/gold/deir-ez-zor.jsonl");
    let sample = std::fs::read_to_string(root().join("samples/deir-ez-zor.txt")).unwrap();
    assert_eq!(
        recs[0].text, sample,
        "the gold file is about the sample article"
    );
    recs
}

fn newsfane() -> Vec<Record> {
    read_records("tests/fixtures/newsfane/dev.jsonl")
}

/// Code point range of the `k`-th occurrence of `word` in `text`.
fn at(text: &str, word: &str, k: usize) -> (usize, usize) {
    let mut from = 0;
    let mut byte = 0;
    for _ in 0..=k {
        byte = from + text[from..].find(word).unwrap();
        from = byte + word.len();
    }
    let start = text[..byte].chars().count();
    (start, start + word.chars().count())
}

/// A text where the units disagree: an emoji and a flag outside the BMP, harakat,
/// lam-alef, tatweel, a bidi mark, and proclitics before entities.
fn handmade() -> Vec<Record> {
    let text = "🇸🇾 قالَ العميدُ سهيل الحسن 😀 إنّ والجيشَ السوريَّ لا يزالُ\nفي «دير الزور»، وللأمم المتحدة رأيٌ \u{200F}آخر. الـــقـــافـــلـــة 𝟕 كلم";
    let spans = [
        ("سهيل الحسن", "PER", 0),
        ("الجيشَ السوريَّ", "ORG", 0),
        ("دير الزور", "LOC", 0),
        ("لأمم المتحدة", "ORG", 0),
        ("الـــقـــافـــلـــة", "FAC", 0),
        ("𝟕 كلم", "QTY", 0),
        ("لا", "DATE", 0),
    ]
    .map(|(w, l, k)| {
        let (s, e) = at(text, w, k);
        RecordSpan::new(s, e, l)
    });
    vec![
        Record {
            layer: None,
            id: "handmade-1".into(),
            text: text.into(),
            spans: spans.to_vec(),
            flagged: false,
            meta: None,
            foreign: None,
        },
        Record {
            layer: None,
            id: "empty".into(),
            text: String::new(),
            spans: vec![],
            flagged: false,
            meta: None,
            foreign: None,
        },
    ]
}

/// The same records as a review leaves them: states, sources, scores, annotators,
/// flags with and without a note.
fn reviewed(records: &[Record]) -> Vec<Record> {
    use State::{Accepted, Pending, Rejected};
    records
        .iter()
        .enumerate()
        .map(|(ri, r)| Record {
            spans: r
                .spans
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let k = ri + i;
                    RecordSpan {
                        state: [None, Some(Accepted), Some(Pending), Some(Rejected)][k % 4],
                        source: (k % 3 != 0).then(|| format!("gazetteer:g{}", k % 2)),
                        score: (k % 5 != 0).then_some(0.05 + (k % 19) as f32 / 20.0),
                        annotator: (k % 2 == 0).then(|| "rana".to_string()),
                        flagged: k % 7 == 3,
                        meta: (k % 14 == 3).then(|| serde_json::json!({"note": "which one?"})),
                        ..s.clone()
                    }
                })
                .collect(),
            flagged: ri % 3 == 0,
            meta: (ri % 2 == 0)
                .then(|| serde_json::json!({"feed": "sana", "n": ri, "note": "check"})),
            ..r.clone()
        })
        .collect()
}

fn sorted(mut records: Vec<Record>) -> Vec<Record> {
    for r in &mut records {
        r.spans.sort_by(|a, b| {
            let (sa, sb) = (a.state.map(State::as_str), b.state.map(State::as_str));
            (a.start, a.end, &a.label, sa, &a.source, &a.annotator)
                .cmp(&(b.start, b.end, &b.label, sb, &b.source, &b.annotator))
                .then(a.score.partial_cmp(&b.score).unwrap())
        });
    }
    records
}

fn no_problems(i: Imported) -> Vec<Record> {
    assert!(i.problems.is_empty(), "{:?}", i.problems);
    i.records
}

/// Export then import, through files.
fn through_files(format: Format, records: &[Record], unit: Offsets) -> Vec<Record> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(if format.is_directory() {
        "out".to_string()
    } else {
        format!("out.{}", format.extension())
    });
    export(format, records, unit, &out).unwrap();
    let opts = ImportOptions {
        offsets: unit,
        ..Default::default()
    };
    no_problems(import(format, &out, &opts).unwrap())
}

/// Export then import, in memory (brat pair by pair, named after ids that are safe
/// file names already).
fn through_memory(format: Format, records: &[Record], unit: Offsets) -> Vec<Record> {
    let opts = ImportOptions {
        offsets: unit,
        ..Default::default()
    };
    if format == Format::Brat {
        let mut out = Vec::new();
        for r in records {
            let (txt, ann) = brat_write_pair(r, unit).unwrap();
            let (tn, an) = (format!("{}.txt", r.id), format!("{}.ann", r.id));
            let got = brat_read_pair(&tn, txt.as_bytes(), &an, ann.as_bytes(), &opts).unwrap();
            out.extend(no_problems(got));
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        return out;
    }
    let s = export_to_string(format, records, unit).unwrap();
    no_problems(import_bytes(format, "out", s.as_bytes(), &opts).unwrap())
}

/// A CoNLL-2003 record's id without the file name the import puts before `#N`.
fn without_file_name(mut records: Vec<Record>) -> Vec<Record> {
    for r in &mut records {
        if let Some(i) = r.id.rfind('#') {
            r.id = r.id[i..].to_string();
        }
    }
    records
}

fn check_every_format(name: &str, records: &[Record]) {
    // raqim's own CoNLL form keeps ids and texts.
    let expected = sorted(expected_conll_round_trip(records, ConllForm::Commented).unwrap());
    let s = conll_to_string(records, ConllForm::Commented).unwrap();
    let back = sorted(no_problems(
        import_bytes(
            Format::Conll,
            "out",
            s.as_bytes(),
            &ImportOptions::default(),
        )
        .unwrap(),
    ));
    assert_eq!(back, expected, "{name} conll commented");
    for format in Format::ALL {
        let expected = sorted(expected_round_trip(format, records).unwrap());
        for unit in UNITS {
            let mut back = sorted(through_memory(format, records, unit));
            if format == Format::Conll {
                back = without_file_name(back);
            }
            assert_eq!(back.len(), expected.len(), "{name} {format} {unit:?}");
            for (b, e) in back.iter().zip(&expected) {
                assert_eq!(b, e, "{name} {format} {unit:?} record {}", e.id);
            }
        }
    }
}

/// Records without review fields come back with exactly their spans and text: what
/// every format promises for them (and `check_every_format` holds each format to its
/// promise).
fn check_spans_survive(name: &str, records: &[Record]) {
    let key = |r: &Record| {
        let mut v: Vec<(usize, usize, String)> = r
            .spans
            .iter()
            .map(|s| (s.start, s.end, s.label.clone()))
            .collect();
        v.sort();
        (r.text.clone(), v)
    };
    let mut orig: Vec<_> = records.iter().map(key).collect();
    orig.sort();
    for format in Format::ALL {
        // CoNLL-2003 rebuilds the text from its tokens; raqim's commented form keeps it.
        let expected = match format {
            Format::Conll => expected_conll_round_trip(records, ConllForm::Commented),
            _ => expected_round_trip(format, records),
        };
        let mut back: Vec<_> = expected.unwrap().iter().map(key).collect();
        back.sort();
        assert!(back == orig, "{name} {format}: spans or text differ");
    }
}

#[test]
fn the_sample_article_round_trips_in_every_format_and_unit() {
    let g = gold();
    check_spans_survive("gold", &g);
    check_every_format("gold", &g);
    check_every_format("gold reviewed", &reviewed(&g));
}

#[test]
fn newsfane_round_trips_in_every_format_and_unit() {
    let n = newsfane();
    check_spans_survive("newsfane", &n);
    check_every_format("newsfane", &n);
    check_every_format("newsfane reviewed", &reviewed(&n[..40]));
}

#[test]
fn astral_characters_harakat_and_lam_alef_round_trip() {
    let h = handmade();
    check_spans_survive("handmade", &h);
    check_every_format("handmade", &h);
    check_every_format("handmade reviewed", &reviewed(&h));
    // The units really differ on this text, and files say so.
    let s = export_to_string(Format::Doccano, &h[..1], Offsets::Utf16).unwrap();
    let cp = export_to_string(Format::Doccano, &h[..1], Offsets::CodePoints).unwrap();
    assert_ne!(s, cp);
}

#[test]
fn files_are_written_whole_and_read_back() {
    let g = gold();
    for format in Format::ALL {
        let expected = sorted(expected_round_trip(format, &g).unwrap());
        let mut back = sorted(through_files(format, &g, Offsets::Utf16));
        if format == Format::Conll {
            back = without_file_name(back);
        }
        assert_eq!(back, expected, "{format}");
    }
    // Nothing but the output is left in the directory (no temporary files).
    let dir = tempfile::tempdir().unwrap();
    export(
        Format::Conll,
        &g,
        Offsets::CodePoints,
        &dir.path().join("g.conll"),
    )
    .unwrap();
    export(
        Format::Brat,
        &g,
        Offsets::CodePoints,
        &dir.path().join("brat"),
    )
    .unwrap();
    let mut names: Vec<String> = walk(dir.path());
    names.sort();
    assert_eq!(
        names,
        vec!["brat/deir-ez-zor.ann", "brat/deir-ez-zor.txt", "g.conll"]
    );
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            out.extend(walk(&p).into_iter().map(|n| format!("{name}/{n}")));
        } else {
            out.push(name);
        }
    }
    out
}

#[test]
fn what_a_format_cannot_hold_is_refused_before_anything_is_written() {
    let text = "قال الجيش السوري";
    let overlapping = Record {
        layer: None,
        id: "x/y".into(),
        text: text.into(),
        spans: vec![RecordSpan::new(4, 16, "ORG"), RecordSpan::new(4, 9, "ORG")],
        flagged: false,
        meta: None,
        foreign: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.conll");
    let e = export(
        Format::Conll,
        std::slice::from_ref(&overlapping),
        Offsets::CodePoints,
        &out,
    )
    .unwrap_err();
    assert!(matches!(e, FormatError::NotRepresentable { .. }), "{e}");
    assert!(!out.exists());
    // brat and the JSON formats hold overlaps.
    for f in [
        Format::Brat,
        Format::Prodigy,
        Format::LabelStudio,
        Format::Doccano,
    ] {
        assert_eq!(
            sorted(through_files(
                f,
                std::slice::from_ref(&overlapping),
                Offsets::CodePoints
            )),
            sorted(expected_round_trip(f, std::slice::from_ref(&overlapping)).unwrap())
        );
    }
    // A span across a line break has no brat .ann line.
    let multiline = Record {
        layer: None,
        id: "m".into(),
        text: "دير\nالزور".into(),
        spans: vec![RecordSpan::new(0, 9, "LOC")],
        flagged: false,
        meta: None,
        foreign: None,
    };
    let e = export(
        Format::Brat,
        &[multiline],
        Offsets::CodePoints,
        &dir.path().join("b"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("line break"), "{e}");
    assert!(!dir.path().join("b").exists());
    // A span starting on white space is not whole CoNLL tokens; Prodigy makes the
    // space a token of its own.
    let spacey = Record {
        layer: None,
        id: "s".into(),
        text: text.into(),
        spans: vec![RecordSpan::new(3, 9, "ORG")],
        flagged: false,
        meta: None,
        foreign: None,
    };
    let p = export_to_string(
        Format::Prodigy,
        std::slice::from_ref(&spacey),
        Offsets::CodePoints,
    )
    .unwrap();
    let task: serde_json::Value = serde_json::from_str(&p).unwrap();
    assert_eq!(task["spans"][0]["token_start"], 1, "{p}");
    assert_eq!(task["tokens"][1]["text"], " ", "{p}");
    assert!(export_to_string(Format::Conll, &[spacey], Offsets::CodePoints).is_err());
}

fn labels() -> LabelSet {
    LabelSet::builtin()
}

fn span_texts(r: &Record) -> Vec<(String, &str)> {
    r.spans
        .iter()
        .map(|s| {
            let t: String = r.text.chars().skip(s.start).take(s.end - s.start).collect();
            (t, s.label.as_str())
        })
        .collect()
}

#[test]
fn prodigy_file_after_the_documented_tasks() {
    let set = labels();
    let opts = ImportOptions {
        labels: Some(&set),
        ..Default::default()
    };
    let got = import(Format::Prodigy, &fixture("prodigy/ner.jsonl"), &opts).unwrap();
    assert_eq!(got.unanswered, 1, "the task without an answer is counted");
    let recs = no_problems(got);
    assert_eq!(recs.len(), 4);
    assert_eq!(
        span_texts(&recs[0]),
        vec![("ماكرون".into(), "PER"), ("القاهرة".into(), "LOC")]
    );
    assert_eq!(
        recs[0].id, "-2127939581",
        "the input hash names a task without id"
    );
    assert_eq!(recs[0].spans[0].state.map(State::as_str), Some("accepted"));
    // ner.teach: one suggested span, answered reject.
    let s = &recs[1].spans[0];
    assert_eq!(
        (s.state.map(State::as_str), s.source.as_deref(), s.score),
        (Some("rejected"), Some("core_web_ar"), Some(0.63))
    );
    assert_eq!(recs[1].meta.as_ref().unwrap()["source"], "bbc-ar");
    // No answer: the file gives no state; the import's --as decides.
    assert!(recs[2].spans.iter().all(|s| s.state.is_none()));
    // token_end is inclusive; the proclitic و is a token of its own.
    assert_eq!(
        span_texts(&recs[3]),
        vec![("التحالف الأميركي".into(), "ORG")]
    );
    assert_eq!(
        recs[3].spans[0].annotator.as_deref(),
        Some("arabic_ner-rana")
    );
}

/// The `tokens` of every task of a Prodigy export.
fn prodigy_tasks(records: &[Record], unit: Offsets) -> Vec<serde_json::Value> {
    export_to_string(Format::Prodigy, records, unit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn prodigy_tokens_and_their_spaces_give_back_the_text_and_hold_every_span() {
    // What spaCy's Doc(words, spaces) needs: joining each token's text and its
    // space is the text, paragraph breaks included, and every span starts and ends
    // at a token; in every offset unit.
    let mut records = gold();
    records.extend(newsfane());
    records.extend(handmade());
    records.push(Record {
        layer: None,
        id: "breaks".into(),
        text: "قال الجيش  السوري\n\n \tإن داعش انسحب \r\n".into(),
        spans: vec![RecordSpan::new(4, 9, "ORG"), RecordSpan::new(24, 28, "ORG")],
        flagged: false,
        meta: None,
        foreign: None,
    });
    let mut paragraphs = 0;
    for unit in UNITS {
        for (r, task) in records.iter().zip(prodigy_tasks(&records, unit)) {
            let tokens = task["tokens"].as_array().expect("tokens");
            let mut joined = String::new();
            for t in tokens {
                joined.push_str(t["text"].as_str().unwrap());
                if t["ws"].as_bool().unwrap() {
                    joined.push(' ');
                }
                paragraphs += usize::from(t["text"].as_str().unwrap().contains("\n"));
            }
            assert_eq!(joined, r.text, "{}", r.id);
            for s in task["spans"].as_array().unwrap() {
                let (ts, te) = (
                    s["token_start"].as_u64().unwrap(),
                    s["token_end"].as_u64().unwrap(),
                );
                assert_eq!(tokens[ts as usize]["start"], s["start"], "{} {s}", r.id);
                assert_eq!(tokens[te as usize]["end"], s["end"], "{} {s}", r.id);
            }
        }
    }
    assert!(paragraphs > 3, "line breaks are tokens");
}

#[test]
fn a_document_with_pending_spans_is_a_prodigy_task_without_an_answer() {
    let text = "قال الجيش السوري";
    let rec = |state: Option<State>| Record {
        layer: None,
        id: "a".into(),
        text: text.into(),
        spans: vec![RecordSpan {
            state,
            ..RecordSpan::new(4, 16, "ORG")
        }],
        flagged: false,
        meta: None,
        foreign: None,
    };
    let answer = |r: Record| prodigy_tasks(&[r], Offsets::CodePoints)[0]["answer"].clone();
    assert_eq!(answer(rec(Some(State::Accepted))), "accept");
    assert!(answer(rec(Some(State::Pending))).is_null());
}

#[test]
fn a_rejected_manual_prodigy_task_is_a_bad_example_and_a_rejected_binary_one_a_wrong_span() {
    let manual = r#"{"text":"زار ماكرون القاهرة","spans":[{"start":4,"end":10,"label":"PER"},{"start":11,"end":18,"label":"LOC"}],"answer":"reject","_view_id":"ner_manual"}"#;
    let binary = r#"{"text":"زار ماكرون القاهرة","spans":[{"start":11,"end":18,"label":"PER"}],"answer":"reject","_view_id":"ner"}"#;
    let src = format!("{manual}\n{binary}\n");
    let got = import_bytes(
        Format::Prodigy,
        "t.jsonl",
        src.as_bytes(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(got.records.len(), 2, "the bad example's text is imported");
    assert!(
        got.records[0].spans.is_empty(),
        "{:?}",
        got.records[0].spans
    );
    assert_eq!(
        got.notes.values().sum::<usize>(),
        1,
        "the rejected example is said: {:?}",
        got.notes
    );
    assert_eq!(got.records[1].spans[0].state, Some(State::Rejected));
}

#[test]
fn doccano_file_counts_utf16_units() {
    let opts = ImportOptions {
        offsets: Offsets::Utf16,
        ..Default::default()
    };
    let path = fixture("doccano/sequence_labeling.jsonl");
    let recs = no_problems(import(Format::Doccano, &path, &opts).unwrap());
    let ids: Vec<&str> = recs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, vec!["1", "2", "sequence_labeling.jsonl:3"]);
    assert_eq!(
        span_texts(&recs[0]),
        vec![("الجيش السوري".into(), "ORG"), ("دير الزور".into(), "LOC")]
    );
    assert_eq!(
        span_texts(&recs[1]),
        vec![
            ("وزارة الدفاع الروسية".into(), "ORG"),
            ("7 مليارات دولار".into(), "QTY")
        ]
    );
    assert_eq!(
        span_texts(&recs[2]),
        vec![("Damascus".into(), "LOC"), ("UN".into(), "ORG")]
    );
    // Read as code points, the spans after the flag land two characters off, and the
    // last one past the end.
    let e = import(Format::Doccano, &path, &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("sequence_labeling.jsonl:1: label[1].end: 37 is past the end of the text (35 code points)"),
        "{e}"
    );
}

#[test]
fn label_studio_file_with_annotations_and_predictions() {
    let set = labels();
    let opts = ImportOptions {
        labels: Some(&set),
        ..Default::default()
    };
    let path = fixture("label-studio/ner_tasks.json");
    let got = import(Format::LabelStudio, &path, &opts).unwrap();
    assert!(got.problems.is_empty());
    assert_eq!(got.ignored.values().sum::<usize>(), 2, "{:?}", got.ignored);
    let r = &got.records[0];
    assert_eq!(r.id, "101");
    type Row<'a> = (
        String,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<f32>,
    );
    let summary: Vec<Row> = r
        .spans
        .iter()
        .zip(span_texts(r))
        .map(|(s, (t, _))| {
            (
                t,
                s.state.map(State::as_str).unwrap(),
                s.source.as_deref(),
                s.annotator.as_deref(),
                s.score,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("الإعلام الحربي".into(), "accepted", None, Some("3"), None),
            ("داعش".into(), "accepted", None, Some("3"), None),
            ("دير الزور".into(), "accepted", None, Some("3"), None),
            (
                "داعش".into(),
                "pending",
                Some("gazetteer-v1"),
                None,
                Some(0.9)
            ),
            (
                "دير الزور".into(),
                "pending",
                Some("gazetteer-v1"),
                None,
                Some(0.5)
            ),
            (
                "الإعلام الحربي".into(),
                "pending",
                Some("rules-v2"),
                None,
                Some(0.7)
            ),
        ]
    );
    let r = &got.records[1];
    assert_eq!(r.meta.as_ref().unwrap()["feed"], "rt-ar");
    // The region without a score takes its prediction's.
    let scores: Vec<Option<f32>> = r.spans.iter().map(|s| s.score).collect();
    assert_eq!(scores, vec![Some(0.8), Some(0.95), Some(0.6)]);
    // The quoted region text catches a wrong unit: 📣 is two UTF-16 units.
    let e = import(
        Format::LabelStudio,
        &path,
        &ImportOptions {
            offsets: Offsets::Utf16,
            ..opts
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("ner_tasks.json: record 1: annotations[0].result[1].value.text:"),
        "{e}"
    );
}

#[test]
fn brat_directory_with_a_discontinuous_span() {
    let dir = fixture("brat");
    let e = import(Format::Brat, &dir, &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.ends_with("visit.ann:5: T3: discontinuous span \"0 3;11 18\" cannot be represented (a raqim span is one range)"), "{e}");
    let opts = ImportOptions {
        skip_bad: true,
        ..Default::default()
    };
    let got = import(Format::Brat, &dir, &opts).unwrap();
    assert_eq!(got.problems.len(), 1);
    let ids: Vec<&str> = got.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, vec!["unannotated", "visit"]);
    assert!(got.records[0].spans.is_empty());
    assert_eq!(
        span_texts(&got.records[1]),
        vec![
            ("ماكرون".into(), "PER"),
            ("القاهرة".into(), "LOC"),
            ("أمس".into(), "DATE")
        ]
    );
    // Offsets are code points: أمس is at 22..25 after the flag 🇪🇬.
    assert_eq!(
        (got.records[1].spans[2].start, got.records[1].spans[2].end),
        (22, 25)
    );
    let kinds: Vec<(&str, usize)> = got.ignored.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert!(kinds.iter().all(|&(_, n)| n == 1));
    // One file of the pair names the document.
    let one = import(Format::Brat, &dir.join("visit.txt"), &opts).unwrap();
    assert_eq!(one.records.len(), 1);
    assert_eq!(one.records[0].spans, got.records[1].spans);
}

#[test]
fn conll_files_of_other_tools() {
    let set = labels();
    let opts = ImportOptions {
        labels: Some(&set),
        add_labels: true,
        ..Default::default()
    };
    let got = import(
        Format::Conll,
        &fixture("conll/label_studio_conll2003.conll"),
        &opts,
    )
    .unwrap();
    assert_eq!(got.records.len(), 1);
    let r = &got.records[0];
    assert_eq!(r.text, "زار ماكرون القاهرة .\nو الجيش السوري يتقدم");
    assert_eq!(
        span_texts(r),
        vec![
            ("ماكرون".into(), "PER"),
            ("القاهرة".into(), "LOC"),
            ("الجيش السوري".into(), "ORG")
        ]
    );
    assert!(got.new_labels.is_empty());

    let got = import(Format::Conll, &fixture("conll/conll2003_iob1.conll"), &opts).unwrap();
    assert_eq!(got.records.len(), 2);
    assert_eq!(
        span_texts(&got.records[0]),
        vec![
            ("سهيل الحسن".into(), "PER"),
            ("دمشق".into(), "LOC"),
            ("حلب".into(), "LOC")
        ]
    );
    assert_eq!(
        span_texts(&got.records[1]),
        vec![("الأمم المتحدة".into(), "ORG")]
    );
    assert_eq!(got.records[1].id, "conll2003_iob1.conll#2");
}

/// `text` as UTF-16 with a byte-order mark, little- or big-endian.
fn utf16(text: &str, little: bool) -> Vec<u8> {
    let mut out = if little {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        out.extend(if little {
            u.to_le_bytes()
        } else {
            u.to_be_bytes()
        });
    }
    out
}

#[test]
fn a_utf16_file_is_named_utf16_with_how_to_convert_it_in_every_format() {
    let src = r#"{"id": "a", "text": "قال محمد"}"#;
    for format in Format::ALL {
        for (little, endian) in [(true, "UTF-16 LE"), (false, "UTF-16 BE")] {
            let bytes = utf16(src, little);
            let msg = if format == Format::Brat {
                brat_read_pair("d.txt", &bytes, "d.ann", b"", &ImportOptions::default())
            } else {
                import_bytes(format, "in.file", &bytes, &ImportOptions::default())
            }
            .unwrap_err()
            .to_string();
            assert!(msg.contains(endian), "{format}: {msg}");
            assert!(msg.contains("iconv -f UTF-16 -t UTF-8"), "{format}: {msg}");
            assert!(!msg.contains("binary"), "{format}: {msg}");
        }
    }
}

#[test]
fn an_unpaired_surrogate_is_named_with_the_file_and_line() {
    let opts = ImportOptions::default();
    for format in [Format::Jsonl, Format::Prodigy, Format::Doccano] {
        let src = "{\"id\": \"a\", \"text\": \"ok\"}\n{\"id\": \"b\", \"text\": \"x\\ud800y\"}\n";
        let msg = import_bytes(format, "in.jsonl", src.as_bytes(), &opts)
            .unwrap_err()
            .to_string();
        assert!(
            msg.starts_with(
                "in.jsonl:2: not valid JSON: an unpaired surrogate \\ud800 at column 23"
            ),
            "{format}: {msg}"
        );
    }
    let src = "[\n {\"data\": {\"text\": \"x\\udc00\"}}\n]";
    let msg = import_bytes(Format::LabelStudio, "ls.json", src.as_bytes(), &opts)
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with(
            "ls.json: not valid JSON: an unpaired surrogate \\udc00 at line 2 column 22"
        ),
        "{msg}"
    );
}

#[test]
fn a_nul_character_in_a_json_text_is_refused_by_every_import_and_export() {
    let opts = ImportOptions::default();
    let line = r#"{"id": "a", "text": "قال\u0000محمد"}"#;
    for format in [Format::Jsonl, Format::Prodigy, Format::Doccano] {
        let src = format!("{{\"id\": \"ok\", \"text\": \"نص\"}}\n{line}\n");
        let msg = import_bytes(format, "in.jsonl", src.as_bytes(), &opts)
            .unwrap_err()
            .to_string();
        assert!(
            msg.starts_with("in.jsonl:2: text: a NUL character (\\u0000) at code point 3"),
            "{format}: {msg}"
        );
    }
    let src = r#"[{"data": {"text": "x\u0000"}}]"#;
    let msg = import_bytes(Format::LabelStudio, "ls.json", src.as_bytes(), &opts)
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("ls.json: record 1: data.text: a NUL character"),
        "{msg}"
    );
    // The gold files' reader (suggest, eval) says the same.
    let e = read_jsonl("g.jsonl", line, Offsets::CodePoints, false).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("g.jsonl:1: text: a NUL character (\\u0000) at code point 3"),
        "{e}"
    );
    // No format writes one: it would not be read back.
    let r = Record {
        layer: None,
        id: "n".into(),
        text: "قال\0محمد".into(),
        spans: vec![],
        flagged: false,
        meta: None,
        foreign: None,
    };
    for format in Format::ALL {
        let e = if format == Format::Brat {
            brat_write_pair(&r, Offsets::CodePoints).unwrap_err()
        } else {
            export_to_string(format, std::slice::from_ref(&r), Offsets::CodePoints).unwrap_err()
        };
        assert!(e.to_string().contains("a NUL character"), "{format}: {e}");
    }
}

#[test]
fn a_score_outside_0_to_1_is_refused_naming_the_file_line_and_field() {
    let opts = ImportOptions::default();
    for bad in ["1e39", "-5", "1.5", "\"NaN\""] {
        let span = format!(r#"{{"start": 0, "end": 3, "label": "PER", "score": {bad}}}"#);
        let line = format!(r#"{{"id": "a", "text": "قال محمد", "spans": [{span}]}}"#);
        for format in [Format::Jsonl, Format::Prodigy] {
            let src = format!("{{\"id\": \"ok\", \"text\": \"نص\"}}\n{line}\n");
            let msg = import_bytes(format, "in.jsonl", src.as_bytes(), &opts)
                .unwrap_err()
                .to_string();
            assert!(
                msg.starts_with("in.jsonl:2: spans[0].score: expected a number from 0 to 1"),
                "{format} {bad}: {msg}"
            );
        }
        // Label Studio: the region's score, the result's, the prediction's.
        let region = r#""from_name": "label", "to_name": "text", "type": "labels""#;
        for (value_score, result_score, prediction_score, field) in [
            (bad, "0.5", "0.5", "predictions[0].result[0].value.score"),
            ("null", bad, "0.5", "predictions[0].result[0].score"),
            ("null", "null", bad, "predictions[0].score"),
        ] {
            let src = format!(
                r#"[{{"data": {{"text": "قال محمد"}}, "predictions": [{{"score": {prediction_score}, "result": [{{{region}, "score": {result_score}, "value": {{"start": 0, "end": 3, "labels": ["PER"], "score": {value_score}}}}}]}}]}}]"#
            );
            let msg = import_bytes(Format::LabelStudio, "ls.json", src.as_bytes(), &opts)
                .unwrap_err()
                .to_string();
            assert!(
                msg.starts_with(&format!(
                    "ls.json: record 1: {field}: expected a number from 0 to 1"
                )),
                "{bad}: {msg}"
            );
        }
    }
    // The gold files' reader (eval, train) refuses it too.
    let line = r#"{"id": "a", "text": "abc", "spans": [{"start": 0, "end": 1, "label": "PER", "score": -5}]}"#;
    let e = read_jsonl("g.jsonl", line, Offsets::CodePoints, false).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("g.jsonl:1: span 0: score: expected a number from 0 to 1"),
        "{e}"
    );
    // Export leaves out a score no import would take (kept in a database from before).
    let r = Record {
        layer: None,
        id: "s".into(),
        text: "قال محمد".into(),
        spans: vec![RecordSpan {
            score: Some(-5.0),
            ..RecordSpan::new(0, 3, "PER")
        }],
        flagged: false,
        meta: None,
        foreign: None,
    };
    for format in [Format::Jsonl, Format::Prodigy, Format::LabelStudio] {
        let s = export_to_string(format, std::slice::from_ref(&r), Offsets::CodePoints).unwrap();
        assert!(!s.contains("-5"), "{format}: {s}");
        let back = no_problems(import_bytes(format, "rt", s.as_bytes(), &opts).unwrap());
        assert_eq!(back[0].spans[0].score, None, "{format}");
    }
}

/// Token and tag of every token line of a CoNLL file (no `-DOCSTART-`, no blank line).
fn conll_pairs(src: &str) -> Vec<(String, String)> {
    src.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("-DOCSTART-"))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].to_string(), f[f.len() - 1].to_string())
        })
        .collect()
}

#[test]
fn spacys_conll_example_comes_back_with_every_entity_and_its_tokens_but_one() {
    // explosion/spaCy extra/example_data/ner_example_data/ner-token-per-line.iob
    // (tests/fixtures/README.md): token<TAB>tag, one sentence, no -DOCSTART-.
    let path = fixture("conll/spacy_ner_token_per_line.iob");
    let orig = std::fs::read_to_string(&path).unwrap();
    let got = no_problems(import(Format::Conll, &path, &ImportOptions::default()).unwrap());
    assert_eq!(got.len(), 1);
    assert_eq!(
        span_texts(&got[0]),
        vec![
            ("Sebastian Thrun".into(), "PERSON"),
            ("Google".into(), "ORG"),
            ("2007".into(), "DATE"),
            ("American".into(), "NORP"),
            ("Thrun".into(), "PERSON"),
            ("Recode".into(), "ORG"),
            ("earlier this week".into(), "DATE"),
        ]
    );
    let out = export_to_string(Format::Conll, &got, Offsets::CodePoints).unwrap();
    assert!(out.starts_with("-DOCSTART- -X- O O\n\nWhen O\nSebastian B-PERSON\n"));
    // Every token and tag as it was, but raqim's tokenizer cuts n’t in three
    // (the README's table of formats says so).
    let (before, after) = (conll_pairs(&orig), conll_pairs(&out));
    let cut = |v: &[(String, String)]| -> Vec<(String, String)> {
        v.iter()
            .flat_map(|(t, tag)| {
                if t == "n’t" {
                    ["n", "’", "t"]
                        .map(|p| (p.to_string(), tag.clone()))
                        .to_vec()
                } else {
                    vec![(t.clone(), tag.clone())]
                }
            })
            .collect()
    };
    assert_ne!(before, after);
    assert_eq!(cut(&before), after);
}

#[test]
fn the_fashion_brands_prodigy_slice_comes_back_with_its_texts_spans_answers_meta_and_hashes() {
    // explosion/projects tutorials/ner_fashion_brands/assets/fashion_brands_training.jsonl,
    // its first three tasks (one with a span) and five more with spans
    // (tests/fixtures/README.md).
    let path = fixture("prodigy/fashion_brands_training.slice.jsonl");
    let orig: Vec<serde_json::Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got = no_problems(import(Format::Prodigy, &path, &ImportOptions::default()).unwrap());
    assert_eq!(got.len(), orig.len());
    let out = prodigy_tasks(&got, Offsets::CodePoints);
    let spans = |t: &serde_json::Value| -> Vec<(u64, u64, String)> {
        t["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["start"].as_u64().unwrap(),
                    s["end"].as_u64().unwrap(),
                    s["label"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let mut with_spans = 0;
    for (o, n) in orig.iter().zip(&out) {
        assert_eq!(o["text"], n["text"]);
        assert_eq!(spans(o), spans(n), "{}", o["text"]);
        with_spans += usize::from(!spans(n).is_empty());
        // An accepted task without spans ("no brand here") stays one.
        assert_eq!(n["answer"], "accept");
        assert_eq!(o["meta"], n["meta"]);
        // The input hash is the record's id, written back as `id`.
        assert_eq!(n["id"].as_str().unwrap(), o["_input_hash"].to_string());
        // Prodigy's own fields come back as they were (foreign fields)...
        for k in ["_input_hash", "_task_hash", "_session_id", "_view_id"] {
            assert_eq!(n.get(k), o.get(k), "{k}");
        }
    }
    assert_eq!(with_spans, 6);
    // ...but not the file's tokens (spaCy's English ones; the README's table says so):
    // raqim writes its own, and cuts It's as It ' s.
    assert_eq!(out[0]["tokens"][1]["text"], "'");
    assert_eq!(orig[0]["tokens"][1]["text"], "'s");
}
