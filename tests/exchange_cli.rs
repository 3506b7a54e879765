//! `raqim export` and `raqim import` as a user runs them: round trips through the store
//! in every format, offsets in UTF-16, all-or-nothing imports, re-imports, and the
//! errors a wrong database or document name gets.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{raqim, raqim_env};
use serde_json::Value;

const GOLD: &str = "tests/fixtures/gold/deir-ez-zor.jsonl";
const NEWSFANE: &str = "tests/fixtures/newsfane/dev.jsonl";
const FORMATS: [&str; 6] = [
    "jsonl",
    "prodigy",
    "doccano",
    "label-studio",
    "brat",
    "conll",
];

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `raqim import --db DB --annotator tester ARGS`, which must succeed.
fn import(db: &Path, args: &[&str]) -> Output {
    let mut all = vec!["import", "--db", s(db), "--annotator", "tester"];
    all.extend_from_slice(args);
    let o = raqim(&all, None);
    assert!(o.status.success(), "import {args:?}: {}", stderr(&o));
    o
}

/// `raqim import --db DB --format FORMAT FILE`, which must fail; its error output.
fn import_refused(db: &Path, format: &str, file: &Path) -> String {
    let o = raqim(
        &["import", "--db", s(db), "--format", format, s(file)],
        None,
    );
    assert!(!o.status.success(), "{format}: {}", stderr(&o));
    stderr(&o)
}

/// `raqim export --db DB ARGS` by the analyst who imported ([`import`]: their
/// layer, unless ARGS name another), which must succeed.
fn export(db: &Path, args: &[&str]) -> Output {
    let mut all = vec!["export", "--db", s(db)];
    all.extend_from_slice(args);
    let o = raqim_env(&all, None, &[("USER", Path::new("tester"))]);
    assert!(o.status.success(), "export {args:?}: {}", stderr(&o));
    o
}

/// The records of a JSONL export on standard output.
fn records(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A file's content, or a directory's files by name.
fn contents(p: &Path) -> Vec<(String, Vec<u8>)> {
    if !p.is_dir() {
        return vec![(String::new(), std::fs::read(p).unwrap())];
    }
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(p)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The first `n` lines of the newsfane documents, as a file in `dir`.
fn newsfane_head(dir: &Path, n: usize) -> PathBuf {
    let src = std::fs::read_to_string(NEWSFANE).unwrap();
    let head: String = src.lines().take(n).map(|l| format!("{l}\n")).collect();
    let p = dir.join("newsfane-head.jsonl");
    std::fs::write(&p, head).unwrap();
    p
}

#[test]
fn every_format_round_trips_through_the_store_identically() {
    let dir = tempfile::tempdir().unwrap();
    // The whole newsfane split for the quick formats, its first 40 documents for
    // prodigy and conll (tokenizing is the slow part in a debug build).
    let full = dir.path().join("full.db");
    import(
        &full,
        &["--format", "jsonl", "--as", "accepted", GOLD, NEWSFANE],
    );
    let small = dir.path().join("small.db");
    let head = newsfane_head(dir.path(), 40);
    import(
        &small,
        &["--format", "jsonl", "--as", "accepted", GOLD, s(&head)],
    );
    // The gold spans came in as they are, accepted.
    let o = export(&full, &["--format", "jsonl", "deir-ez-zor"]);
    let got = records(&o);
    let gold: Value = serde_json::from_str(
        std::fs::read_to_string(GOLD)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let ends = |v: &Value| -> Vec<(u64, u64, String)> {
        v["spans"]
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
    assert_eq!(got.len(), 1);
    assert_eq!(ends(&got[0]), ends(&gold));
    assert_eq!(got[0]["text"], gold["text"]);
    assert_eq!(got[0]["meta"]["name"], "deir-ez-zor");
    assert!(got[0]["spans"][0]["state"] == "accepted");
    assert_eq!(got[0]["spans"][0]["source"], "import:jsonl");

    std::thread::scope(|scope| {
        for format in FORMATS {
            let dir = dir.path();
            let (full, small) = (&full, &small);
            scope.spawn(move || {
                let db = if matches!(format, "prodigy" | "conll") {
                    small
                } else {
                    full
                };
                let first = dir.join(format!("first.{format}"));
                let again = dir.join(format!("again.{format}"));
                let fresh = dir.join(format!("fresh-{format}.db"));
                export(db, &["--format", format, "--out", s(&first)]);
                let o = import(&fresh, &["--format", format, "--as", "accepted", s(&first)]);
                assert!(stderr(&o).contains("0 conflicts"), "{}", stderr(&o));
                export(&fresh, &["--format", format, "--out", s(&again)]);
                assert!(
                    contents(&first) == contents(&again),
                    "{format}: the second export differs from the first"
                );
            });
        }
    });
}

#[test]
fn offsets_in_utf16_round_trip_across_an_emoji_harakat_and_lam_alef() {
    let dir = tempfile::tempdir().unwrap();
    // An astral emoji (two UTF-16 units), harakat (one unit each) and lam-alef (two
    // letters) before and inside the spans.
    let text = "قالَ 😀 الأمينُ العامّ في الأمم المتحدة: لا، بل في دمشق 😀.";
    let spans = [
        ("الأمينُ العامّ", "PER"),
        ("الأمم المتحدة", "ORG"),
        ("دمشق", "LOC"),
    ];
    let cp = |b: usize| text[..b].chars().count();
    let u16 = |b: usize| text[..b].encode_utf16().count();
    let mut want_cp = Vec::new();
    let mut want_u16 = Vec::new();
    for (surface, label) in spans {
        let b = text.find(surface).unwrap();
        let e = b + surface.len();
        want_cp.push((cp(b) as u64, cp(e) as u64, label.to_string()));
        want_u16.push((u16(b) as u64, u16(e) as u64, label.to_string()));
    }
    assert_ne!(want_cp, want_u16, "the emoji must move the UTF-16 offsets");
    let line = serde_json::json!({
        "id": "utf16",
        "text": text,
        "spans": want_u16.iter().map(|(s, e, l)| serde_json::json!({"start": s, "end": e, "label": l})).collect::<Vec<_>>(),
    });
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, format!("{line}\n")).unwrap();
    let db = dir.path().join("raqim.db");
    import(
        &db,
        &[
            "--format",
            "jsonl",
            "--offsets",
            "utf16",
            "--as",
            "accepted",
            s(&file),
        ],
    );
    let spans_of = |o: &Output| -> Vec<(u64, u64, String)> {
        let r = records(o);
        r[0]["spans"]
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
    let o = export(&db, &["--format", "jsonl", "--offsets", "utf16"]);
    assert_eq!(spans_of(&o), want_u16);
    let o = export(&db, &["--format", "jsonl"]);
    assert_eq!(spans_of(&o), want_cp);
    // doccano counts UTF-16 units by default.
    let o = export(&db, &["--format", "doccano"]);
    let r = records(&o);
    let labels: Vec<(u64, u64, String)> = r[0]["label"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l[0].as_u64().unwrap(),
                l[1].as_u64().unwrap(),
                l[2].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(labels, want_u16);
}

#[test]
fn one_bad_record_imports_nothing_unless_skip_bad() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    import(&db, &["--format", "jsonl", "--as", "accepted", GOLD]);
    let before = stdout(&export(&db, &["--format", "jsonl", "--state", "all"]));
    let file = dir.path().join("three.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id": "a", "text": "قال محمد", "spans": [{"start": 4, "end": 8, "label": "PER"}]}"#,
            "\n",
            r#"{"id": "b", "text": "في دمشق", "spans": [{"start": 3, "end": 40, "label": "LOC"}]}"#,
            "\n",
            r#"{"id": "c", "text": "في بغداد", "spans": [{"start": 3, "end": 8, "label": "LOC"}]}"#,
            "\n",
        ),
    )
    .unwrap();
    let err = import_refused(&db, "jsonl", &file);
    // The message names the file, the line and the field.
    assert!(
        err.contains("three.jsonl:2: spans[0].end") && err.contains("nothing was imported"),
        "{err}"
    );
    let after = stdout(&export(&db, &["--format", "jsonl", "--state", "all"]));
    assert_eq!(before, after, "a failed import changed the database");

    let o = import(&db, &["--format", "jsonl", "--skip-bad", s(&file)]);
    let err = stderr(&o);
    assert!(
        err.contains("skipped") && err.contains("three.jsonl"),
        "{err}"
    );
    let o = export(&db, &["--format", "jsonl", "--state", "all", "a", "c", "b"]);
    let r = records(&o);
    // Record b lost its only span, not its text: the smallest bad unit is dropped.
    assert_eq!(r.len(), 3);
    assert_eq!(r[0]["spans"][0]["label"], "PER");
    assert_eq!(r[1]["spans"][0]["label"], "LOC");
    assert_eq!(r[2]["spans"].as_array().unwrap().len(), 0);
}

#[test]
fn a_bad_file_leaves_no_database_behind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = dir.path().join("bad.jsonl");
    std::fs::write(
        &file,
        r#"{"id": "a", "text": "قال محمد", "spans": [{"start": 4, "end": 8, "label": "NOPE"}]}"#,
    )
    .unwrap();
    let err = import_refused(&db, "jsonl", &file);
    assert!(err.contains("NOPE"), "{err}");
    assert!(!db.exists());
    // With --add-labels the label is taken, and named.
    let o = import(&db, &["--format", "jsonl", "--add-labels", s(&file)]);
    assert!(stderr(&o).contains("NOPE"), "{}", stderr(&o));
}

#[test]
fn importing_the_same_file_again_adds_no_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    import(&db, &["--format", "jsonl", "--as", "accepted", GOLD]);
    let first = stdout(&export(&db, &["--format", "jsonl", "--state", "all"]));
    let o = import(&db, &["--format", "jsonl", "--as", "accepted", GOLD]);
    let err = stderr(&o);
    assert!(
        err.contains("0 spans added") && err.contains("61 duplicates skipped"),
        "{err}"
    );
    // As suggestions too: the accepted span already there stands.
    import(&db, &["--format", "jsonl", GOLD]);
    let again = stdout(&export(&db, &["--format", "jsonl", "--state", "all"]));
    assert_eq!(first, again);
}

#[test]
fn a_span_overlapping_one_already_there_is_a_reported_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = |name: &str, spans: &str| {
        let p = dir.path().join(name);
        std::fs::write(
            &p,
            format!(r#"{{"id": "x", "text": "قال محمد علي في دمشق", "spans": {spans}}}"#),
        )
        .unwrap();
        p
    };
    let a = file("a.jsonl", r#"[{"start": 4, "end": 8, "label": "PER"}]"#);
    let b = file(
        "b.jsonl",
        r#"[{"start": 4, "end": 12, "label": "PER"}, {"start": 16, "end": 20, "label": "LOC"}]"#,
    );
    import(&db, &["--format", "jsonl", "--as", "accepted", s(&a)]);
    let o = import(&db, &["--format", "jsonl", s(&b)]);
    let err = stderr(&o);
    assert!(
        err.contains("conflict") && err.contains("4..12 PER") && err.contains("1 conflict skipped"),
        "{err}"
    );
    let r = records(&export(&db, &["--format", "jsonl", "--state", "all"]));
    let spans: Vec<(u64, u64, &str)> = r[0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_u64().unwrap(),
                s["end"].as_u64().unwrap(),
                s["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(spans, [(4, 8, "accepted"), (16, 20, "pending")]);
}

#[test]
fn named_documents_are_exported_in_the_order_given() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let head = newsfane_head(dir.path(), 3);
    import(
        &db,
        &["--format", "jsonl", "--as", "accepted", GOLD, s(&head)],
    );
    let all = records(&export(&db, &["--format", "jsonl"]));
    // Every document, in the order they were imported.
    let names: Vec<&str> = all
        .iter()
        .map(|r| r["meta"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "deir-ez-zor",
            "newsfane-0000",
            "newsfane-0001",
            "newsfane-0002"
        ]
    );
    let hashed = records(&export(&db, &["--format", "jsonl", "--ids", "hash"]));
    let id = hashed[2]["id"].as_str().unwrap();
    let o = export(&db, &["--format", "jsonl", &id[..10], "deir-ez-zor"]);
    let some = records(&o);
    assert_eq!(some.len(), 2);
    assert_eq!(some[0]["id"], "newsfane-0001");
    assert_eq!(some[0]["meta"]["name"], "newsfane-0001");
    assert_eq!(some[1]["meta"]["name"], "deir-ez-zor");
    assert!(
        stderr(&o).contains("exported 2 documents"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unknown_document_is_an_error_naming_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    import(&db, &["--format", "jsonl", GOLD]);
    let out = dir.path().join("out.jsonl");
    let o = raqim(
        &[
            "export",
            "--db",
            s(&db),
            "--format",
            "jsonl",
            "--out",
            s(&out),
            "deir-ez-zor",
            "no-such-article",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no-such-article"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn exporting_from_a_missing_database_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nowhere").join("raqim.db");
    let o = raqim(&["export", "--db", s(&db), "--format", "jsonl"], None);
    assert!(!o.status.success());
    assert!(stderr(&o).contains(s(&db)), "{}", stderr(&o));
    assert!(!dir.path().join("nowhere").exists());
}

#[test]
fn suggestions_come_back_pending_with_their_source() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    import(&db, &["--format", "jsonl", "--source", "model:crf-3", GOLD]);
    let r = records(&export(&db, &["--format", "jsonl", "--state", "all"]));
    let spans = r[0]["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 61);
    assert!(
        spans
            .iter()
            .all(|s| s["state"] == "pending" && s["source"] == "model:crf-3"),
        "{spans:?}"
    );
    // Only accepted spans by default: the analyst has not reviewed these yet.
    let r = records(&export(&db, &["--format", "jsonl"]));
    assert_eq!(r[0]["spans"].as_array().unwrap().len(), 0);
}

#[test]
fn a_document_is_found_by_its_recorded_source_path_and_a_state_in_the_file_wins() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = dir.path().join("in.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id": "x", "text": "قال محمد في دمشق", "meta": {"name": "khabar", "source_path": "corpus/khabar.txt", "done": true}, "#,
            r#""spans": [{"start": 4, "end": 8, "label": "PER"}, {"start": 12, "end": 16, "label": "LOC", "state": "rejected"}]}"#,
            "\n"
        ),
    )
    .unwrap();
    import(&db, &["--format", "jsonl", "--as", "accepted", s(&file)]);
    let r = records(&export(
        &db,
        &["--format", "jsonl", "--state", "all", "corpus/khabar.txt"],
    ));
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0]["meta"],
        serde_json::json!({"name": "khabar", "source_path": "corpus/khabar.txt", "done": true})
    );
    let states: Vec<&str> = r[0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["accepted", "rejected"]);
    // Rejected spans leave with jsonl only.
    let o = export(&db, &["--format", "doccano", "--state", "all", "khabar"]);
    assert_eq!(records(&o)[0]["label"].as_array().unwrap().len(), 1);
}

#[test]
fn skip_bad_leaves_out_a_document_open_in_a_viewer_and_says_so_as_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    import(&db, &["--format", "jsonl", GOLD]);
    let id = raqim::document::document_id(
        serde_json::from_str::<Value>(
            std::fs::read_to_string(GOLD)
                .unwrap()
                .lines()
                .next()
                .unwrap(),
        )
        .unwrap()["text"]
            .as_str()
            .unwrap(),
    );
    // As a viewer of the layer the import writes into holds it.
    let mut store = raqim::store::Store::open(&db).unwrap();
    store.set_layer("tester");
    let _lock = store.lock_document(&id, "سارة").unwrap();
    let o = import(
        &db,
        &["--format", "jsonl", "--as", "accepted", "--skip-bad", GOLD],
    );
    let err = stderr(&o);
    assert!(
        err.contains("skipped deir-ez-zor")
            && err.contains("is open in another raqim")
            && err.contains("nothing was imported into it"),
        "{err}"
    );
    assert!(!err.contains("opening it read-only"), "{err}");
    // And nothing was: the spans are still suggestions, not accepted.
    let o = export(&db, &["--format", "jsonl", "--state", "all"]);
    assert!(
        records(&o)[0]["spans"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "pending")
    );
}

#[test]
fn an_empty_directory_imported_as_brat_is_refused_and_creates_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("notes.md"), "not a brat file").unwrap();
    for format in ["brat", "jsonl"] {
        let err = import_refused(&db, format, &empty);
        assert!(
            err.contains(s(&empty)) && err.contains("a directory without ."),
            "{format}: {err}"
        );
        assert!(!db.exists(), "{format}");
    }
}

/// brat's news tutorial (nlplab/brat, example-data/tutorials/news): four documents
/// with entities, events, relations, attributes, notes and an equivalence.
const BRAT_NEWS: &str = "tests/fixtures/brat-news";

/// A text-bound annotation as brat reads it: id, type, fragments, text.
type Textbound = (String, String, Vec<(usize, usize)>, String);

/// Lines as Python's `str.splitlines(keepends=True)` cuts them (how brat reads an .ann).
fn py_splitlines(s: &str) -> Vec<&str> {
    let breaks = |c: char| "\n\r\u{b}\u{c}\u{1c}\u{1d}\u{1e}\u{85}\u{2028}\u{2029}".contains(c);
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if breaks(c) {
            let mut end = i + c.len_utf8();
            if c == '\r' && it.peek().map(|p| p.1) == Some('\n') {
                it.next();
                end += 1;
            }
            out.push(&s[start..end]);
            start = end;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// The ids brat accepts: `*`, or `^([A-Za-z]+|#[A-Za-z]*)([0-9]+)`.
fn brat_valid_id(id: &str) -> bool {
    if id == "*" {
        return true;
    }
    let letters = |s: &str| {
        s.trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .len()
    };
    let rest = match id.strip_prefix('#') {
        Some(r) => &r[r.len() - letters(r)..],
        None if letters(id) < id.len() => &id[id.len() - letters(id)..],
        None => return false,
    };
    rest.starts_with(|c: char| c.is_ascii_digit())
}

/// Reads an .ann against its text by the rules of brat's server
/// (server/src/annotation.py: `_parse_ann_lines`, `_split_textbound_data` and the
/// text-bound checks of `TextAnnotations`); its T lines, or the first line brat would
/// refuse or repair, and why. Other lines are only checked for their id.
fn brat_reads(txt: &str, ann: &str) -> Result<Vec<Textbound>, String> {
    let text: Vec<char> = txt.chars().collect();
    let mut ids = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (n, line) in py_splitlines(ann).into_iter().enumerate() {
        let bad = |why: &str| Err(format!("line {}: {why}: {line:?}", n + 1));
        let Some((id, id_tail)) = line.split_once('\t') else {
            return bad("no tab after the id");
        };
        if !brat_valid_id(id) {
            return bad("not a valid id");
        }
        if id != "*" && !ids.insert(id.to_string()) {
            return bad("duplicate id");
        }
        let (data, tail) = match id_tail.find('\t') {
            Some(i) => (&id_tail[..i], &id_tail[i..]),
            None => (id_tail, ""),
        };
        if !"TMANR*E#".contains(&id[..1]) {
            return bad("unknown kind of annotation");
        }
        if !id.starts_with('T') {
            continue;
        }
        let Some((kind, rest)) = data.split_once(' ') else {
            return bad("no space after the type");
        };
        let mut frags: Vec<(usize, usize)> = Vec::new();
        for f in rest.split(';') {
            let parts: Vec<&str> = f.splitn(3, ' ').collect();
            let [a, b] = parts[..] else {
                return bad("a fragment is not START END");
            };
            let b = b.trim_end();
            if b.contains(char::is_whitespace) {
                return bad("space instead of tab");
            }
            let (Ok(a), Ok(b)) = (a.trim().parse::<usize>(), b.parse::<usize>()) else {
                return bad("an offset is not a whole number");
            };
            if a > b || b > text.len() {
                return bad("start > end, or past the end of the text");
            }
            if frags.iter().any(|&(s, e)| b >= s && a < e) {
                return bad("fragments overlap");
            }
            frags.push((a, b));
        }
        let spanlen: usize = frags.iter().map(|(a, b)| b - a).sum::<usize>() + frags.len() - 1;
        let tail: Vec<char> = tail.chars().collect();
        if tail.iter().collect::<String>().trim().is_empty() {
            return bad("missing text (brat fills it in and rewrites the file)");
        }
        if spanlen + 1 > tail.len() {
            return bad("text shorter than the span");
        }
        let quoted: String = tail[1..=spanlen].iter().collect();
        let reftext = frags
            .iter()
            .map(|&(a, b)| text[a..b].iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        if quoted != reftext {
            return bad("text does not match the span");
        }
        if tail.get(spanlen + 1).is_some_and(|c| !c.is_whitespace()) {
            return bad("text not followed by white space");
        }
        out.push((id.to_string(), kind.to_string(), frags, quoted));
    }
    Ok(out)
}

/// The ids of the T lines an .ann's E lines name as their triggers.
fn brat_triggers(ann: &str) -> Vec<String> {
    ann.lines()
        .filter(|l| l.starts_with('E'))
        .filter_map(|l| {
            let first = l.split('\t').nth(1)?.split(' ').next()?;
            Some(first.split_once(':')?.1.to_string())
        })
        .collect()
}

/// The stems of the .txt files in a directory, sorted.
fn txt_stems(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A text-bound annotation without its id: type, fragments, text.
type Bare = (String, Vec<(usize, usize)>, String);

/// Text-bound annotations without their ids, in text order.
fn bare(mut t: Vec<Textbound>) -> Vec<Bare> {
    t.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1)));
    t.into_iter().map(|(_, k, f, q)| (k, f, q)).collect()
}

#[test]
fn brat_reading_rules_accept_brat_s_own_files_and_refuse_what_brat_refuses() {
    // The checker the round trips below rely on: brat's files pass it...
    for stem in txt_stems(Path::new(BRAT_NEWS)) {
        let txt = std::fs::read_to_string(format!("{BRAT_NEWS}/{stem}.txt")).unwrap();
        let ann = std::fs::read_to_string(format!("{BRAT_NEWS}/{stem}.ann")).unwrap();
        let t = brat_reads(&txt, &ann).unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert!(t.len() > 5, "{stem}");
    }
    // ...and what brat refuses does not.
    let txt = "زار ماكرون القاهرة";
    assert_eq!(
        brat_reads(
            txt,
            "T1\tPER 4 10\tماكرون\nT2\tLOC 11 18;0 3\tالقاهرة زار\n"
        )
        .unwrap()
        .len(),
        2
    );
    for ann in [
        "T1\tPER 4 10\tماكرو\n",      // text off by one
        "T1\tPER 8 20\tماكرون\n",     // past the end (bytes, not code points)
        "T1\tPER 4 10\n",             // no text
        "T1\tPER 4 10 ماكرون\n",      // space instead of a tab
        "T1\tPER 4 10;5 8\tماكرون\n", // fragments overlap
        "T1\tPER 4 10\tماكرون\nT1\tLOC 11 18\tالقاهرة\n",
        "X1\tPER 4 10\tماكرون\n",
    ] {
        assert!(brat_reads(txt, ann).is_err(), "{ann:?}");
    }
}

#[test]
fn brat_news_tutorial_comes_back_with_the_same_files_entities_and_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let o = import(
        &db,
        &[
            "--format",
            "brat",
            "--as",
            "accepted",
            "--add-labels",
            BRAT_NEWS,
        ],
    );
    // What raqim has no place for is counted, kind by kind.
    let said = stderr(&o);
    for line in [
        "passed over 16 × brat events (E lines)",
        // The flag that takes them is the whole reason given.
        "passed over 16 × brat event triggers (T lines an E line names as its trigger; --brat-triggers imports them as spans)\n",
        "passed over 3 × brat relations (R lines)",
        "passed over 6 × brat attributes (A/M lines)",
        "passed over 3 × brat notes (# lines)",
        "passed over 1 × brat equivalences (* lines)",
        "4 documents added",
    ] {
        assert!(said.contains(line), "{line}: {said}");
    }
    let out = dir.path().join("out");
    export(&db, &["--format", "brat", "--out", s(&out)]);
    // The same file names, the same texts byte for byte.
    let stems = txt_stems(Path::new(BRAT_NEWS));
    assert_eq!(txt_stems(&out), stems);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2 * stems.len());
    for stem in &stems {
        let txt = std::fs::read_to_string(format!("{BRAT_NEWS}/{stem}.txt")).unwrap();
        let ann = std::fs::read_to_string(format!("{BRAT_NEWS}/{stem}.ann")).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join(format!("{stem}.txt"))).unwrap(),
            txt,
            "{stem}"
        );
        // Every entity at its offsets with its text and type, as brat reads them back;
        // the triggers and everything but T lines are gone.
        let triggers = brat_triggers(&ann);
        let entities: Vec<Textbound> = brat_reads(&txt, &ann)
            .unwrap()
            .into_iter()
            .filter(|t| !triggers.contains(&t.0))
            .collect();
        let written = std::fs::read_to_string(out.join(format!("{stem}.ann"))).unwrap();
        let back = brat_reads(&txt, &written).unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(back.len(), written.lines().count(), "{stem}: {written}");
        assert_eq!(bare(back), bare(entities), "{stem}");
    }
}

#[test]
fn brat_triggers_flag_imports_event_triggers_as_spans() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let o = import(
        &db,
        &[
            "--format",
            "brat",
            "--as",
            "accepted",
            "--add-labels",
            "--brat-triggers",
            BRAT_NEWS,
        ],
    );
    assert!(!stderr(&o).contains("event triggers"), "{}", stderr(&o));
    assert!(stderr(&o).contains("passed over 16 × brat events (E lines)"));
    assert!(stderr(&o).contains("Merge-org"), "{}", stderr(&o));
    let out = dir.path().join("out");
    export(&db, &["--format", "brat", "--out", s(&out)]);
    for stem in txt_stems(Path::new(BRAT_NEWS)) {
        let txt = std::fs::read_to_string(format!("{BRAT_NEWS}/{stem}.txt")).unwrap();
        let ann = std::fs::read_to_string(format!("{BRAT_NEWS}/{stem}.ann")).unwrap();
        let written = std::fs::read_to_string(out.join(format!("{stem}.ann"))).unwrap();
        assert_eq!(
            bare(brat_reads(&txt, &written).unwrap()),
            bare(brat_reads(&txt, &ann).unwrap()),
            "{stem}"
        );
    }
    // Given with another format, the flag is said not to apply.
    let other = dir.path().join("other.db");
    let o = import(&other, &["--format", "jsonl", "--brat-triggers", GOLD]);
    assert!(
        stderr(&o).contains("--brat-triggers applies to brat files only"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn brat_export_names_files_safely_after_documents_and_never_overwrites_another() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = dir.path().join("named.jsonl");
    let line = |id: &str, text: &str| {
        format!(
            "{}\n",
            serde_json::json!({"id": id, "text": text, "spans": [{"start": 0, "end": 3, "label": "PER"}]})
        )
    };
    let names = [
        ("a", "علي قال"),
        ("a", "علي وصل"),
        ("A", "علي سافر"),
        ("../up\u{7}/x", "علي عاد"),
        ("", "علي كتب"),
        ("مُحَمَّد في دمشق", "علي نام"),
    ];
    let src: String = names.iter().map(|(id, t)| line(id, t)).collect();
    std::fs::write(&file, src).unwrap();
    import(&db, &["--format", "jsonl", "--as", "accepted", s(&file)]);
    let out = dir.path().join("out");
    let o = export(&db, &["--format", "brat", "--out", s(&out)]);
    let nameless = document_id_of("علي كتب");
    let expected = [
        "A-3",
        "_.._up__x",
        "a",
        "a-2",
        nameless.as_str(),
        "مُحَمَّد في دمشق",
    ];
    let mut want: Vec<&str> = expected.to_vec();
    want.sort();
    assert_eq!(txt_stems(&out), want);
    // Each text in its own pair, nothing written outside the directory.
    for ((_, text), stem) in
        names
            .iter()
            .zip(["a", "a-2", "A-3", "_.._up__x", &nameless, "مُحَمَّد في دمشق"])
    {
        assert_eq!(
            std::fs::read_to_string(out.join(format!("{stem}.txt"))).unwrap(),
            *text
        );
    }
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["named.jsonl", "out", "raqim.db"]);
    let said = stderr(&o);
    for note in [
        "\"a\" written as a-2.txt and a-2.ann: another document of this export is named \"a\"",
        "\"A\" written as A-3.txt and A-3.ann: another document of this export is named \"a\", the same ignoring case",
        "\"../up\\u{7}/x\" written as _.._up__x.txt and _.._up__x.ann: \"../up\\u{7}/x\" is not a safe file name",
        &format!(
            "\"\" written as {nameless}.txt and {nameless}.ann: the document has no name; named by its id"
        ),
    ] {
        assert!(said.contains(note), "{note}\n{said}");
    }
    assert!(!said.contains("have the id"), "{said}");
    // Exported again, the same documents replace their own files.
    let again = export(&db, &["--format", "brat", "--out", s(&out)]);
    assert_eq!(txt_stems(&out), want);
    assert!(!stderr(&again).contains("already in the directory"));
    // Another document named "a" does not overwrite the first one's files.
    let other = dir.path().join("other.db");
    let file = dir.path().join("other.jsonl");
    std::fs::write(&file, line("a", "نص آخر")).unwrap();
    import(&other, &["--format", "jsonl", "--as", "accepted", s(&file)]);
    let o = export(&other, &["--format", "brat", "--out", s(&out)]);
    assert!(
        stderr(&o).contains("\"a\" written as a-3.txt and a-3.ann: a.txt is already in the directory with another text"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("a.txt")).unwrap(),
        "علي قال"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("a-3.txt")).unwrap(),
        "نص آخر"
    );
    // Read back, each document is named after its file.
    let back = dir.path().join("back.db");
    import(&back, &["--format", "brat", s(&out)]);
    let r = records(&export(&back, &["--format", "jsonl", "--state", "all"]));
    let mut ids: Vec<&str> = r.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    let mut stems = txt_stems(&out);
    stems.sort();
    assert_eq!(ids, stems);
}

/// The document id raqim gives a text (the SHA-256 of its UTF-8 bytes).
fn document_id_of(text: &str) -> String {
    raqim::document::document_id(text)
}

#[test]
fn a_nul_character_in_a_json_text_is_refused_by_import_and_the_viewer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = dir.path().join("n.jsonl");
    std::fs::write(&file, "{\"id\": \"a\", \"text\": \"قال\\u0000محمد\"}\n").unwrap();
    let err = import_refused(&db, "jsonl", &file);
    assert!(err.contains("n.jsonl:1: text: a NUL character"), "{err}");
    assert!(!db.exists());
    // The viewer reads the set before it needs a terminal.
    let o = raqim(&["--db", s(&db), s(&file)], None);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("n.jsonl:1: text: a NUL character"), "{err}");
}

#[test]
fn a_score_outside_0_to_1_imports_nothing_and_names_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = dir.path().join("sc.jsonl");
    std::fs::write(
        &file,
        r#"{"id": "a", "text": "قال محمد", "spans": [{"start": 4, "end": 8, "label": "PER", "score": 1e39}]}"#,
    )
    .unwrap();
    let err = import_refused(&db, "jsonl", &file);
    assert!(
        err.contains("sc.jsonl:1: spans[0].score: expected a number from 0 to 1, found 1e+39"),
        "{err}"
    );
    assert!(!db.exists());
}

/// `raqim eval GOLD PRED`, which must succeed; its micro F1.
fn micro_f1(gold: &str, pred: &Path) -> f64 {
    let o = raqim(&["eval", gold, s(pred)], None);
    assert!(o.status.success(), "eval: {}", stderr(&o));
    let out = stdout(&o);
    let micro = out.lines().find(|l| l.starts_with("micro")).unwrap();
    micro.split_whitespace().collect::<Vec<_>>()[6]
        .parse()
        .unwrap()
}

#[test]
fn an_export_is_scored_against_the_gold_file_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    import(&db, &["--format", "jsonl", "--as", "accepted", GOLD]);
    let out = dir.path().join("review.jsonl");
    export(&db, &["--format", "jsonl", "--out", s(&out)]);
    let r = &records_in(&out)[0];
    assert_eq!(r["id"], "deir-ez-zor", "the gold file's id, not the hash");
    assert_eq!(micro_f1(GOLD, &out), 1.0);
    // With the hash as id, the name in meta still finds the document.
    let hashed = dir.path().join("hashed.jsonl");
    export(
        &db,
        &["--format", "jsonl", "--ids", "hash", "--out", s(&hashed)],
    );
    let r = &records_in(&hashed)[0];
    assert_eq!(r["id"].as_str().unwrap().len(), 64, "{r}");
    assert_eq!(micro_f1(GOLD, &hashed), 1.0);
}

/// The JSON lines of a file.
fn records_in(p: &Path) -> Vec<Value> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_foreign_record_keeps_its_id_through_import_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = dir.path().join("theirs.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id": "article-7", "text": "قال محمد في دمشق", "meta": {"name": "Damascus story"}, "spans": [{"start": 4, "end": 8, "label": "PER"}]}"#,
            "\n",
            r#"{"id": 12, "text": "وصل الوفد إلى بغداد", "spans": [], "answer": "accept"}"#,
            "\n"
        ),
    )
    .unwrap();
    import(&db, &["--format", "prodigy", "--as", "accepted", s(&file)]);
    for format in ["jsonl", "prodigy", "doccano", "label-studio"] {
        let out = dir.path().join(format!("out-{format}"));
        export(&db, &["--format", format, "--out", s(&out)]);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains("\"article-7\""), "{format}: {text}");
        assert!(text.contains("\"12\""), "{format}: {text}");
    }
    // Imported again into another database, they keep it once more.
    let out = dir.path().join("again.jsonl");
    export(&db, &["--format", "jsonl", "--out", s(&out)]);
    let db2 = dir.path().join("second.db");
    import(&db2, &["--format", "jsonl", s(&out)]);
    let r = records(&export(&db2, &["--format", "jsonl", "--state", "all"]));
    let ids: Vec<&str> = r.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["article-7", "12"]);
    assert_eq!(r[0]["meta"]["name"], "Damascus story");
    // A document is named on the command line by that id too.
    let one = records(&export(&db2, &["--format", "jsonl", "12"]));
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["text"], "وصل الوفد إلى بغداد");
}

#[test]
fn an_export_from_before_names_imports_under_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    import(&db, &["--format", "jsonl", "--as", "accepted", GOLD]);
    // raqim's exports used to write the hash as id, with the name in meta.
    let old = dir.path().join("old.jsonl");
    export(
        &db,
        &["--format", "jsonl", "--ids", "hash", "--out", s(&old)],
    );
    let db2 = dir.path().join("second.db");
    import(&db2, &["--format", "jsonl", s(&old)]);
    let r = records(&export(&db2, &["--format", "jsonl"]));
    assert_eq!(r[0]["id"], "deir-ez-zor");
}

#[test]
fn two_documents_of_one_name_are_said_to_share_their_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = dir.path().join("twins.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id": "a", "text": "قال محمد"}"#,
            "\n",
            r#"{"id": "a", "text": "قال علي"}"#,
            "\n"
        ),
    )
    .unwrap();
    import(&db, &["--format", "jsonl", s(&file)]);
    let o = export(&db, &["--format", "jsonl"]);
    assert!(
        stderr(&o).contains("2 documents have the id \"a\"; --ids hash tells them apart"),
        "{}",
        stderr(&o)
    );
    let o = export(&db, &["--format", "jsonl", "--ids", "hash"]);
    assert!(!stderr(&o).contains("have the id"), "{}", stderr(&o));
}

#[test]
fn flags_are_exported_with_their_notes_and_come_back_on_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    import(&db, &["--format", "jsonl", "--as", "accepted", GOLD]);
    let first = &records(&export(&db, &["--format", "jsonl"]))[0];
    let (start, end) = (
        first["spans"][0]["start"].as_u64().unwrap() as usize,
        first["spans"][0]["end"].as_u64().unwrap() as usize,
    );
    {
        // Flagged in the layer the import filled and the export writes.
        let mut store = raqim::store::Store::open(&db).unwrap();
        store.set_layer("tester");
        let id = store.documents().unwrap()[0].id.clone();
        store
            .set_flag(&id, None, Some("ask Rana about the convoy"), "ana")
            .unwrap();
        store
            .set_flag(&id, Some((start, end)), Some(""), "ana")
            .unwrap();
        // A stretch with no span in the export (a suggestion never decided).
        store
            .set_flag(&id, Some((0, 4)), Some("هروب?"), "ana")
            .unwrap();
    }
    let r = &records(&export(&db, &["--format", "jsonl"]))[0];
    assert_eq!(r["flagged"], true, "{}", r["meta"]);
    assert_eq!(r["meta"]["note"], "ask Rana about the convoy");
    assert_eq!(r["spans"][0]["flagged"], true);
    assert!(r["spans"][0].get("meta").is_none(), "no note, no meta");
    assert!(r["spans"][1].get("flagged").is_none());
    assert_eq!(
        r["meta"]["flags"],
        serde_json::json!([{"start": 0, "end": 4, "note": "هروب?"}])
    );
    // Prodigy keeps them too; doccano has no place for them and says so.
    let p = &records(&export(&db, &["--format", "prodigy"]))[0];
    assert_eq!(
        (&p["flagged"], &p["spans"][0]["flagged"]),
        (&json_true(), &json_true())
    );
    let o = export(&db, &["--format", "doccano"]);
    assert!(stdout(&o).find("flagged").is_none());
    assert!(
        stderr(&o)
            .contains("does not keep: rejected spans; state, source, score, annotator; flags")
    );
    // Imported into another database, the flags are there to export again.
    let out = dir.path().join("flagged.jsonl");
    export(&db, &["--format", "jsonl", "--out", s(&out)]);
    let db2 = dir.path().join("second.db");
    import(&db2, &["--format", "jsonl", s(&out)]);
    let again = std::fs::read_to_string(&out).unwrap();
    assert_eq!(stdout(&export(&db2, &["--format", "jsonl"])), again);
}

fn json_true() -> Value {
    Value::Bool(true)
}

#[test]
fn eval_leaves_out_the_spans_an_export_marks_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    import(&db, &["--format", "jsonl", "--as", "accepted", GOLD]);
    // The analyst rejected a suggestion the gold file does not have.
    let gold: Value = serde_json::from_str(
        std::fs::read_to_string(GOLD)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let rejected = dir.path().join("rejected.jsonl");
    let line = serde_json::json!({
        "id": "deir-ez-zor",
        "text": gold["text"],
        "spans": [{"start": 0, "end": 4, "label": "PER", "state": "rejected"}],
    });
    std::fs::write(&rejected, format!("{line}\n")).unwrap();
    import(&db, &["--format", "jsonl", s(&rejected)]);
    let all = dir.path().join("all.jsonl");
    export(
        &db,
        &["--format", "jsonl", "--state", "all", "--out", s(&all)],
    );
    let spans = records_in(&all)[0]["spans"].as_array().unwrap().clone();
    assert!(spans.iter().any(|s| s["state"] == "rejected"), "{spans:?}");
    assert_eq!(micro_f1(GOLD, &all), 1.0);
}

#[test]
fn a_prodigy_export_leaves_out_documents_still_to_review_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    // The gold file as suggestions (pending), and one reviewed document.
    import(&db, &["--format", "jsonl", GOLD]);
    let reviewed = dir.path().join("reviewed.jsonl");
    std::fs::write(
        &reviewed,
        r#"{"id":"zar","text":"زار ماكرون القاهرة","spans":[{"start":4,"end":10,"label":"PER"}]}"#,
    )
    .unwrap();
    import(
        &db,
        &["--format", "jsonl", "--as", "accepted", s(&reviewed)],
    );
    let o = export(&db, &["--format", "prodigy"]);
    let tasks = records(&o);
    assert_eq!(tasks.len(), 1, "{}", stdout(&o));
    assert_eq!(tasks[0]["id"], "zar");
    assert_eq!(tasks[0]["answer"], "accept");
    assert!(
        stderr(&o).contains(
            "left out 1 document still to review (with pending spans, or no span and not marked done)"
        )
            && stderr(&o).contains(": deir-ez-zor;"),
        "{}",
        stderr(&o)
    );
    // With --state all it is written, without an answer: a stream to annotate.
    let o = export(&db, &["--format", "prodigy", "--state", "all"]);
    let tasks = records(&o);
    assert_eq!(tasks.len(), 2);
    assert!(tasks[0].get("answer").is_none(), "{}", tasks[0]);
    assert_eq!(tasks[0]["spans"].as_array().unwrap().len(), 61);
    assert!(!stderr(&o).contains("left out"), "{}", stderr(&o));
}

#[test]
fn prodigy_tasks_rejected_as_examples_or_without_an_answer_are_reported_on_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = dir.path().join("tasks.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"text":"زار ماكرون القاهرة","spans":[{"start":4,"end":10,"label":"PER"},{"start":11,"end":18,"label":"LOC"}],"answer":"reject","_view_id":"ner_manual"}"#,
            "\n",
            r#"{"text":"قال الجيش السوري","spans":[{"start":4,"end":16,"label":"ORG"}]}"#,
            "\n"
        ),
    )
    .unwrap();
    let o = import(&db, &["--format", "prodigy", "--as", "accepted", s(&file)]);
    let err = stderr(&o);
    assert!(
        err.contains("1 × rejected manual tasks (the example was rejected, not its spans)"),
        "{err}"
    );
    assert!(
        err.contains("1 task without an answer (not annotated in Prodigy): their spans were imported as accepted"),
        "{err}"
    );
    // The bad example is there as a text, with no span to reject.
    let r = records(&export(&db, &["--format", "jsonl", "--state", "all"]));
    assert_eq!(r.len(), 2);
    assert!(r[0]["spans"].as_array().unwrap().is_empty(), "{}", r[0]);
    assert_eq!(r[1]["spans"][0]["state"], "accepted");
    // Not reviewed, it is no "no entities here" example for Prodigy: left out, or
    // without an answer.
    let o = export(&db, &["--format", "prodigy"]);
    assert_eq!(records(&o).len(), 1, "{}", stdout(&o));
    assert!(
        stderr(&o).contains("left out 1 document still to review"),
        "{}",
        stderr(&o)
    );
    let all = records(&export(&db, &["--format", "prodigy", "--state", "all"]));
    assert!(all[0].get("answer").is_none(), "{}", all[0]);
    assert_eq!(all[1]["answer"], "accept");
}

#[test]
fn conll_is_written_as_conll_2003_and_raqims_commented_form_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    import(&db, &["--format", "jsonl", "--as", "accepted", GOLD]);
    let o = export(&db, &["--format", "conll"]);
    let out = stdout(&o);
    assert!(out.starts_with("-DOCSTART- -X- O O\n\n"), "{}", &out[..200]);
    assert!(!out.contains("# text"));
    assert!(
        out.lines().any(|l| l == "الجيش B-ORG"),
        "token and tag, one space"
    );
    assert!(stderr(&o).contains("the text's spacing"), "{}", stderr(&o));
    let o = export(&db, &["--format", "conll", "--conll-form", "commented"]);
    assert!(stdout(&o).starts_with("# id = deir-ez-zor\n# text = "));
    // The commented form gives back the exact text: the same document, no new one.
    let file = dir.path().join("c.conll");
    std::fs::write(&file, stdout(&o)).unwrap();
    let o = import(&db, &["--format", "conll", s(&file)]);
    assert!(
        stderr(&o)
            .contains("0 documents added, 0 updated, 1 unchanged; 0 spans added, 61 duplicates"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn nested_conll_tags_are_read_from_the_column_asked_for_and_the_rest_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nested.conll");
    std::fs::write(
        &file,
        "رئيس B-PER\nوزراء I-PER B-ORG\nلبنان I-PER I-ORG B-LOC\nقال O\n",
    )
    .unwrap();
    let db = dir.path().join("one.db");
    let o = import(&db, &["--format", "conll", s(&file)]);
    assert!(
        stderr(&o).contains("2 × entities in other tag columns than column 1 (nested entities; --conll-column N reads another), left out"),
        "{}",
        stderr(&o)
    );
    let r = records(&export(&db, &["--format", "jsonl", "--state", "all"]));
    assert_eq!(r[0]["spans"][0]["label"], "PER");
    let db = dir.path().join("three.db");
    import(&db, &["--format", "conll", "--conll-column", "3", s(&file)]);
    let r = records(&export(&db, &["--format", "jsonl", "--state", "all"]));
    assert_eq!(r[0]["spans"][0]["label"], "LOC");
    let o = raqim(
        &[
            "import",
            "--db",
            s(&db),
            "--format",
            "conll",
            "--conll-column",
            "0",
            s(&file),
        ],
        None,
    );
    assert!(!o.status.success());
}

#[test]
fn conll_options_given_for_another_format_are_said_not_to_apply() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let o = import(&db, &["--format", "jsonl", "--conll-column", "2", GOLD]);
    assert!(
        stderr(&o)
            .contains("--conll-column chooses a CoNLL tag column; it does not apply to jsonl"),
        "{}",
        stderr(&o)
    );
    let o = export(&db, &["--format", "prodigy", "--conll-form", "commented"]);
    assert!(
        stderr(&o)
            .contains("--conll-form chooses how CoNLL is written; it does not apply to prodigy"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn prodigy_hashes_and_view_ids_come_back_through_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = "tests/fixtures/formats/prodigy/fashion_brands_training.slice.jsonl";
    import(&db, &["--format", "prodigy", "--add-labels", file]);
    let out = records(&export(&db, &["--format", "prodigy"]));
    let orig: Vec<Value> = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), orig.len());
    for (o, n) in orig.iter().zip(&out) {
        for k in ["_input_hash", "_task_hash", "_view_id", "_session_id"] {
            assert_eq!(n.get(k), o.get(k), "{k}");
        }
        assert_eq!(n["meta"]["section"], o["meta"]["section"]);
    }
    // In Prodigy's files only: a JSON lines export has no Prodigy hash.
    let out = records(&export(&db, &["--format", "jsonl"]));
    assert!(out.iter().all(|r| r.get("_task_hash").is_none()));
}

// Layers (issue 15): every analyst's work goes out and comes back in its own layer.

const LAYER_TEXT: &str = "قال الرئيس محمد في دمشق إن الجيش السوري انسحب.";

/// A JSON lines file of one record of [`LAYER_TEXT`] with one span.
fn one_span_file(dir: &Path, name: &str, (start, end, label): (usize, usize, &str)) -> PathBuf {
    let p = dir.join(name);
    let line = serde_json::json!({
        "id": "news-1",
        "text": LAYER_TEXT,
        "spans": [{"start": start, "end": end, "label": label, "state": "accepted"}],
    });
    std::fs::write(&p, format!("{line}\n")).unwrap();
    p
}

/// A database where amal marked محمد a PER and basel دمشق a LOC, in one document.
fn two_layers(dir: &Path) -> PathBuf {
    let db = dir.join("team.db");
    let a = one_span_file(dir, "amal.jsonl", (11, 15, "PER"));
    let b = one_span_file(dir, "basel.jsonl", (19, 23, "LOC"));
    for (who, file) in [("amal", &a), ("basel", &b)] {
        let o = raqim(
            &[
                "import",
                "--db",
                s(&db),
                "--annotator",
                who,
                "--format",
                "jsonl",
                s(file),
            ],
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    db
}

/// The (start, end, label) of the spans a layer has, from a jsonl export of it.
fn layer_spans(db: &Path, layer: &str) -> Vec<(u64, u64, String)> {
    let o = export(db, &["--format", "jsonl", "--layer", layer]);
    records(&o)
        .iter()
        .flat_map(|r| r["spans"].as_array().unwrap().clone())
        .map(|s| {
            (
                s["start"].as_u64().unwrap(),
                s["end"].as_u64().unwrap(),
                s["label"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `raqim ARGS`, which must fail; its error output.
fn refused(args: &[&str]) -> String {
    let o = raqim(args, None);
    assert!(!o.status.success(), "{args:?} succeeded");
    stderr(&o)
}

#[test]
fn all_layers_go_out_one_record_each_and_an_import_puts_each_back_in_its_layer() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_layers(dir.path());
    for (format, field) in [("jsonl", "annotator"), ("prodigy", "_annotator_id")] {
        let file = dir.path().join(format!("all.{format}.jsonl"));
        let o = export(
            &db,
            &["--format", format, "--all-layers", "--out", s(&file)],
        );
        let said = stderr(&o);
        assert!(
            said.contains("exported 2 records (1 document in 2 layers)"),
            "{said}"
        );
        assert!(!said.contains("have the id"), "{said}");
        let written = records_in(&file);
        let layers: Vec<&str> = written.iter().map(|r| r[field].as_str().unwrap()).collect();
        assert_eq!(layers, ["amal", "basel"], "{format}");
        assert!(written.iter().all(|r| r["text"] == LAYER_TEXT));
        if format == "prodigy" {
            // Prodigy gives both fields one value.
            assert!(
                written
                    .iter()
                    .all(|r| r["_session_id"] == r["_annotator_id"])
            );
        }
        // Imported by someone else, without --annotator: each record in its layer.
        let fresh = dir.path().join(format!("fresh-{format}.db"));
        let o = raqim(
            &["import", "--db", s(&fresh), "--format", format, s(&file)],
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            layer_spans(&fresh, "amal"),
            [(11, 15, "PER".to_string())],
            "{format}"
        );
        assert_eq!(
            layer_spans(&fresh, "basel"),
            [(19, 23, "LOC".to_string())],
            "{format}"
        );
    }
}

#[test]
fn import_with_annotator_puts_every_record_in_that_layer_whatever_the_file_says() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_layers(dir.path());
    let file = dir.path().join("all.jsonl");
    export(
        &db,
        &["--format", "jsonl", "--all-layers", "--out", s(&file)],
    );
    let other = dir.path().join("other.db");
    let o = raqim(
        &[
            "import",
            "--db",
            s(&other),
            "--annotator",
            "basel",
            "--format",
            "jsonl",
            s(&file),
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        layer_spans(&other, "basel"),
        [(11, 15, "PER".to_string()), (19, 23, "LOC".to_string())]
    );
    // amal's record went to basel: there is no layer of amal's, and the error says
    // which layers there are.
    let err = refused(&[
        "export",
        "--db",
        s(&other),
        "--format",
        "jsonl",
        "--layer",
        "amal",
    ]);
    assert!(err.contains("no document has a layer \"amal\""), "{err}");
    assert!(err.contains("the layers are: basel"), "{err}");
}

#[test]
fn all_layers_is_refused_where_a_record_cannot_say_its_layer_or_with_layer() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_layers(dir.path());
    let out = dir.path().join("out");
    for format in ["brat", "conll", "doccano", "label-studio"] {
        let err = refused(&[
            "export",
            "--db",
            s(&db),
            "--format",
            format,
            "--all-layers",
            "--out",
            s(&out),
        ]);
        assert!(err.contains("--layer NAME"), "{format}: {err}");
        assert!(err.contains(format), "{format}: {err}");
        assert!(!out.exists(), "{format}");
    }
    let err = refused(&[
        "export",
        "--db",
        s(&db),
        "--format",
        "jsonl",
        "--all-layers",
        "--layer",
        "amal",
    ]);
    assert!(
        err.contains("--all-layers") && err.contains("--layer"),
        "{err}"
    );
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn a_bad_layer_name_is_refused_on_export_and_in_a_file_on_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_layers(dir.path());
    let err = refused(&[
        "export",
        "--db",
        s(&db),
        "--format",
        "jsonl",
        "--layer",
        " amal",
    ]);
    assert!(err.contains("starts or ends with a space"), "{err}");
    // A record whose layer is empty: nothing is imported, and the error names the
    // file, the record and the name.
    let file = dir.path().join("bad.jsonl");
    let line = serde_json::json!({"id": "news-1", "annotator": "", "text": LAYER_TEXT});
    std::fs::write(&file, format!("{line}\n")).unwrap();
    let fresh = dir.path().join("fresh.db");
    let err = refused(&["import", "--db", s(&fresh), "--format", "jsonl", s(&file)]);
    assert!(err.contains(s(&file)), "{err}");
    assert!(err.contains("record \"news-1\""), "{err}");
    assert!(err.contains("its layer \"\""), "{err}");
    assert!(!fresh.exists());
}

#[test]
fn an_import_waits_only_for_a_viewer_of_the_layer_it_writes_into() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_layers(dir.path());
    let id = raqim::document::document_id(LAYER_TEXT);
    // amal has the document open in her viewer.
    let mut store = raqim::store::Store::open(&db).unwrap();
    store.set_layer("amal");
    let _lock = store.lock_document(&id, "amal").unwrap();
    let file = one_span_file(dir.path(), "more.jsonl", (27, 38, "ORG"));
    let import_as = |who: &str| {
        raqim(
            &[
                "import",
                "--db",
                s(&db),
                "--annotator",
                who,
                "--format",
                "jsonl",
                s(&file),
            ],
            None,
        )
    };
    // basel's layer is his own: his import goes in.
    let o = import_as("basel");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(layer_spans(&db, "basel").len(), 2);
    // Into amal's layer it would write under her viewer: refused, nothing imported.
    let o = import_as("amal");
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("is open in another raqim"),
        "{}",
        stderr(&o)
    );
    assert_eq!(layer_spans(&db, "amal"), [(11, 15, "PER".to_string())]);
}

#[test]
fn an_adjudicated_file_addressed_to_gold_is_imported_into_gold() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("adjudicated.jsonl");
    let line = serde_json::json!({
        "id": "news-1",
        "annotator": "gold",
        "text": LAYER_TEXT,
        "spans": [{"start": 11, "end": 15, "label": "PER", "state": "accepted"}],
    });
    std::fs::write(&file, format!("{line}\n")).unwrap();
    let db = dir.path().join("raqim.db");
    let o = raqim(
        &["import", "--db", s(&db), "--format", "jsonl", s(&file)],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(layer_spans(&db, "gold"), [(11, 15, "PER".to_string())]);
}
