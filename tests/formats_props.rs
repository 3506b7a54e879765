//! Every importer on any input: no panic, only an error or records. And any valid
//! records, exported in any format and offset unit, import back as that format
//! promises (`expected_round_trip`), or the export refuses them and the promise says
//! so too.

use proptest::prelude::*;
use raqim::annotation::State;
use raqim::formats::{
    ConllForm, Format, ImportOptions, Offsets, Record, RecordSpan, brat_read_pair, brat_write_pair,
    conll_to_string, expected_conll_round_trip, expected_round_trip, export_to_string,
    import_bytes,
};
use raqim::suggest::labels::LabelSet;
use std::sync::OnceLock;

const UNITS: [Offsets; 3] = [Offsets::CodePoints, Offsets::Utf16, Offsets::Bytes];

fn labels() -> &'static LabelSet {
    static L: OnceLock<LabelSet> = OnceLock::new();
    L.get_or_init(LabelSet::builtin)
}

/// Every way of reading, with and without a label set, skipping or not.
fn all_options() -> Vec<ImportOptions<'static>> {
    let mut v = Vec::new();
    for offsets in UNITS {
        for (labels, add_labels, skip_bad) in [
            (None, false, false),
            (Some(labels()), false, true),
            (Some(labels()), true, true),
        ] {
            v.push(ImportOptions {
                offsets,
                labels,
                add_labels,
                skip_bad,
                ..Default::default()
            });
        }
    }
    v
}

/// Reads `bytes` in every format and way; returns nothing, fails only by panicking.
fn read_everything(bytes: &[u8]) {
    for opts in all_options() {
        for f in Format::ALL {
            if f == Format::Brat {
                let mid = bytes.len() / 2;
                let _ = brat_read_pair("d.txt", &bytes[..mid], "d.ann", &bytes[mid..], &opts);
                let _ = brat_read_pair("d.txt", "زار ماكرون 😀".as_bytes(), "d.ann", bytes, &opts);
            } else {
                let _ = import_bytes(f, "fuzz", bytes, &opts);
            }
        }
    }
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "الجيش", "السوري", "والجيش", "داعش", "لداعش", "دير", "الزور", "للأمم", "المتحدة",
            "لا", "لأ", "مُحَمَّد", "قالَ", "الـــقـــافـــلـــة", "٢٠١٩", "4.5", "%", "«", "»", "،",
            ".", "؟", "...", "😀", "🇪🇬", "𝟕", "\u{200F}", "\u{200C}", "\u{061C}", "ـ", "NATO",
            "#", "-DOCSTART-", "\\", "\"", "{", "T1", "B-PER", "\u{FEFF}", "\u{85}", "\u{2028}",
        ]).prop_map(str::to_string),
        3 => prop::sample::select(vec![" ", "  ", "\n", "\n\n", "\t", "\r\n", "\u{A0}"])
            .prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..24).prop_map(|v| v.concat())
}

fn opt_string() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop::sample::select(vec![
        "gazetteer:cities",
        "rule:date",
        "memory",
        "محلل",
        "a b",
        "",
    ]))
    .prop_map(|o| o.map(str::to_string))
}

/// A span somewhere in a text of `n` code points, with any review fields.
fn span(n: usize) -> impl Strategy<Value = RecordSpan> {
    (
        0..n,
        1..=n,
        prop::sample::select(vec!["PER", "ORG", "LOC", "DATE", "NEW_1"]),
        prop::option::of(prop::sample::select(State::ALL.to_vec())),
        opt_string(),
        prop::option::of(prop_oneof![
            (0u32..=1000).prop_map(|k| k as f32 / 1000.0),
            any::<f32>().prop_filter("finite", |x| x.is_finite()),
        ]),
        opt_string(),
    )
        .prop_map(move |(a, b, label, state, source, score, annotator)| {
            let (start, end) = if a < b { (a, b) } else { (b - 1, a + 1) };
            RecordSpan {
                start,
                end: end.min(n),
                label: label.into(),
                state,
                source,
                score,
                annotator,
                flagged: false,
                meta: None,
            }
        })
}

fn meta() -> impl Strategy<Value = Option<serde_json::Value>> {
    prop::option::of(prop_oneof![
        Just(serde_json::json!({"feed": "sana", "n": 3})),
        Just(serde_json::json!({})),
        Just(serde_json::json!("just a note")),
        Just(serde_json::Value::Null),
    ])
}

fn record() -> impl Strategy<Value = Record> {
    (
        text(),
        prop::sample::select(vec!["a", "doc-1", "x/y", "خبر ١", "", "A", "with\nnewline"]),
        meta(),
        any::<bool>(),
    )
        .prop_flat_map(|(text, id, meta, tidy)| {
            let n = text.chars().count();
            let spans = if n == 0 {
                Just(Vec::new()).boxed()
            } else {
                prop::collection::vec(span(n), 0..6).boxed()
            };
            (Just(text), Just(id), Just(meta), Just(tidy), spans)
        })
        .prop_map(|(text, id, meta, tidy, spans)| {
            let mut r = Record {
                layer: None,
                id: id.to_string(),
                text,
                spans,
                flagged: false,
                meta,
                foreign: None,
            };
            if tidy {
                tidy_up(&mut r);
            }
            r
        })
}

/// Makes spans every format can hold: no overlaps, no white space at either end,
/// no line breaks inside.
fn tidy_up(r: &mut Record) {
    let chars: Vec<char> = r.text.chars().collect();
    let mut spans: Vec<RecordSpan> = Vec::new();
    let mut sorted = r.spans.clone();
    sorted.sort_by_key(|s| (s.start, s.end));
    for mut s in sorted {
        while s.start < s.end && chars[s.start].is_whitespace() {
            s.start += 1;
        }
        while s.end > s.start && chars[s.end - 1].is_whitespace() {
            s.end -= 1;
        }
        let breaks = chars[s.start..s.end]
            .iter()
            .any(|&c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'));
        let overlaps = spans.last().is_some_and(|p| s.start < p.end);
        if s.start < s.end && !breaks && !overlaps {
            spans.push(s);
        }
    }
    r.spans = spans;
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

/// What a round trip promises; for brat record by record, as `round_trip` does it.
fn expected(format: Format, records: &[Record]) -> Result<Vec<Record>, String> {
    if format != Format::Brat {
        return expected_round_trip(format, records).map_err(|e| e.to_string());
    }
    let mut out = Vec::new();
    for r in records {
        out.extend(
            expected_round_trip(format, std::slice::from_ref(r)).map_err(|e| e.to_string())?,
        );
    }
    Ok(out)
}

/// Export then import in memory; brat one record at a time, named as export names it.
fn round_trip(format: Format, records: &[Record], unit: Offsets) -> Result<Vec<Record>, String> {
    let opts = ImportOptions {
        offsets: unit,
        ..Default::default()
    };
    if format == Format::Brat {
        let mut out = Vec::new();
        for r in records {
            let (txt, ann) = brat_write_pair(r, unit).map_err(|e| e.to_string())?;
            let name = &expected_round_trip(format, std::slice::from_ref(r))
                .map_err(|e| e.to_string())?[0]
                .id;
            let got = brat_read_pair(
                &format!("{name}.txt"),
                txt.as_bytes(),
                &format!("{name}.ann"),
                ann.as_bytes(),
                &opts,
            )
            .map_err(|e| format!("import: {e}"))?;
            out.extend(got.records);
        }
        return Ok(out);
    }
    let s = export_to_string(format, records, unit).map_err(|e| e.to_string())?;
    let mut got =
        import_bytes(format, "rt", s.as_bytes(), &opts).map_err(|e| format!("import: {e}\n{s}"))?;
    // CoNLL-2003 has no ids: the import names records FILE#N, the promise #N.
    if format == Format::Conll {
        for r in &mut got.records {
            r.id = r.id.trim_start_matches("rt").to_string();
        }
    }
    Ok(got.records)
}

/// raqim's commented CoNLL, exported and imported.
fn conll_commented_round_trip(records: &[Record]) -> Result<Vec<Record>, String> {
    let s = conll_to_string(records, ConllForm::Commented).map_err(|e| e.to_string())?;
    let got = import_bytes(Format::Conll, "rt", s.as_bytes(), &ImportOptions::default())
        .map_err(|e| format!("import: {e}\n{s}"))?;
    Ok(got.records)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_are_read_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        read_everything(&bytes);
    }

    #[test]
    fn any_text_is_read_without_panic(s in text()) {
        read_everything(s.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn damaged_exports_are_read_without_panic(
        records in prop::collection::vec(record(), 1..3),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..6),
    ) {
        for f in Format::ALL {
            let src = if f == Format::Brat {
                match brat_write_pair(&records[0], Offsets::CodePoints) {
                    Ok((t, a)) => format!("{t}{a}"),
                    Err(_) => continue,
                }
            } else {
                match export_to_string(f, &records, Offsets::CodePoints) {
                    Ok(s) => s,
                    Err(_) => continue,
                }
            };
            let mut bytes = src.into_bytes();
            for (i, kind, b) in &edits {
                if bytes.is_empty() {
                    break;
                }
                let at = i.index(bytes.len());
                match kind {
                    0 => bytes[at] = *b,
                    1 => bytes.insert(at, b'0' + b % 10),
                    2 => { bytes.remove(at); }
                    _ => bytes.truncate(at),
                }
            }
            read_everything(&bytes);
        }
    }

    #[test]
    fn valid_records_round_trip_as_each_format_promises(
        records in prop::collection::vec(record(), 0..4),
    ) {
        for format in Format::ALL {
            let expected = expected(format, &records);
            for unit in UNITS {
                let got = round_trip(format, &records, unit);
                match (&expected, got) {
                    (Ok(e), Ok(g)) => {
                        prop_assert_eq!(sorted(g), sorted(e.clone()), "{} {:?}", format, unit);
                    }
                    (Err(_), Err(_)) => {}
                    (e, g) => prop_assert!(false, "{format} {unit:?}: promise {e:?}, got {g:?}"),
                }
            }
        }
        let expected = expected_conll_round_trip(&records, ConllForm::Commented);
        match (expected, conll_commented_round_trip(&records)) {
            (Ok(e), Ok(g)) => prop_assert_eq!(sorted(g), sorted(e), "conll commented"),
            (Err(_), Err(_)) => {}
            (e, g) => prop_assert!(false, "conll commented: promise {e:?}, got {g:?}"),
        }
    }
}
