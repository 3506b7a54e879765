//! `raqim suggest` and `raqim eval` as scripts use them.

mod common;

use common::raqim;
use std::process::Output;

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn json_lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn last_micro(report: &str) -> (f64, f64, f64) {
    let last = report.lines().last().unwrap();
    let w: Vec<&str> = last.split_whitespace().collect();
    assert_eq!(
        (w[0], w[1], w[3], w[5]),
        ("micro", "P", "R", "F1"),
        "{last}"
    );
    (
        w[2].parse().unwrap(),
        w[4].parse().unwrap(),
        w[6].parse().unwrap(),
    )
}

#[test]
fn suggest_prints_the_gold_shape_with_exact_code_point_offsets() {
    let out = ok(&raqim(&["suggest", "samples/deir-ez-zor.txt"], None));
    let docs = json_lines(&out);
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(d["id"], "deir-ez-zor");
    let text: Vec<char> = d["text"].as_str().unwrap().chars().collect();
    let spans = d["spans"].as_array().unwrap();
    assert!(spans.len() > 40);
    for s in spans {
        let (a, b) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert!(a < b && b <= text.len());
        let score = s["score"].as_f64().unwrap();
        assert!(score > 0.0 && score <= 1.0);
        assert!(
            s["source"].as_str().unwrap().contains(':')
                || s["source"] == "memory"
                || s["source"] == "model"
        );
        // No span starts with a proclitic glued to ال (والجيش -> الجيش).
        let span: String = text[a..b].iter().collect();
        assert!(
            !span.starts_with("وال") && !span.starts_with("بال"),
            "{span}"
        );
    }
    let first: String = {
        let s = &spans[0];
        text[s["start"].as_u64().unwrap() as usize..s["end"].as_u64().unwrap() as usize]
            .iter()
            .collect()
    };
    assert_eq!(first, "داعش");
}

#[test]
fn offsets_in_bytes_and_utf16_point_at_the_same_text() {
    let text = "😀 قال الجيش السوري إن داعش انسحب\n";
    let doc = |unit: &str| {
        json_lines(&ok(&raqim(
            &["suggest", "-", "--offsets", unit],
            Some(text.as_bytes()),
        )))[0]
            .clone()
    };
    let cp = doc("codepoints");
    let bytes = doc("bytes");
    let utf16 = doc("utf16");
    let chars: Vec<char> = text.chars().collect();
    let units: Vec<u16> = text.encode_utf16().collect();
    for i in 0..cp["spans"].as_array().unwrap().len() {
        let at = |d: &serde_json::Value, k: &str| d["spans"][i][k].as_u64().unwrap() as usize;
        let by_cp: String = chars[at(&cp, "start")..at(&cp, "end")].iter().collect();
        let by_bytes = &text[at(&bytes, "start")..at(&bytes, "end")];
        let by_utf16 = String::from_utf16(&units[at(&utf16, "start")..at(&utf16, "end")]).unwrap();
        assert_eq!(by_cp, by_bytes);
        assert_eq!(by_cp, by_utf16);
    }
    assert!(!cp["spans"].as_array().unwrap().is_empty());
}

#[test]
fn cold_start_on_the_seed_article_reaches_its_target() {
    let pred = ok(&raqim(&["suggest", "samples/deir-ez-zor.txt"], None));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pred.jsonl");
    std::fs::write(&path, pred).unwrap();
    let report = ok(&raqim(
        &[
            "eval",
            "tests/fixtures/gold/deir-ez-zor.jsonl",
            path.to_str().unwrap(),
        ],
        None,
    ));
    // One line per label, then micro.
    assert!(report.lines().any(|l| l.starts_with("ORG ")));
    let (_, _, f1) = last_micro(&report);
    assert!(f1 >= 0.80, "{report}");
}

#[test]
fn replay_learns_beyond_what_the_memory_alone_finds() {
    let args = [
        "eval",
        "--replay",
        "tests/fixtures/newsfane/dev.jsonl",
        "--skip",
        "150",
        "--labels",
        "PER,ORG,LOC,FAC",
        "--every",
        "20",
    ];
    let full = ok(&raqim(&args, None));
    assert!(
        full.lines()
            .any(|l| l.starts_with("after   20 documents: P ")),
        "{full}"
    );
    let mut memory_only = args.to_vec();
    memory_only.extend(["--no-gazetteers", "--no-rules", "--no-model"]);
    let mem = ok(&raqim(&memory_only, None));
    let (p, _, f_full) = last_micro(&full);
    let (_, _, f_mem) = last_micro(&mem);
    assert!(
        f_full > f_mem + 0.05,
        "full {f_full} vs memory alone {f_mem}"
    );
    assert!(p > 0.7);
    // Only the labels asked for are reported.
    assert!(
        !full
            .lines()
            .any(|l| l.starts_with("DATE") || l.starts_with("QTY"))
    );
}

#[test]
fn malformed_jsonl_names_the_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docs.jsonl");
    std::fs::write(
        &path,
        "{\"id\":\"a\",\"text\":\"قال الجيش السوري\"}\n{\"id\":\"b\",\"text\":\n{\"id\":\"c\",\"text\":\"\"}\n",
    )
    .unwrap();
    let o = raqim(&["suggest", path.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("docs.jsonl:2"), "{err}");
    assert!(o.stdout.is_empty());

    let o = raqim(&["suggest", "--skip-bad", path.to_str().unwrap()], None);
    let docs = json_lines(&ok(&o));
    assert_eq!(docs.len(), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("docs.jsonl:2"));
    // An empty document gets an empty span list.
    assert_eq!(docs[1]["id"], "c");
    assert_eq!(docs[1]["spans"].as_array().unwrap().len(), 0);
}

#[test]
fn eval_refuses_predictions_for_other_documents() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    let pred = dir.path().join("pred.jsonl");
    std::fs::write(&gold, "{\"id\":\"a\",\"text\":\"abc\",\"spans\":[]}\n").unwrap();
    std::fs::write(&pred, "{\"id\":\"b\",\"text\":\"abc\",\"spans\":[]}\n").unwrap();
    let o = raqim(
        &["eval", gold.to_str().unwrap(), pred.to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no document with id or name \"a\""));
    std::fs::write(&pred, "{\"id\":\"a\",\"text\":\"abd\",\"spans\":[]}\n").unwrap();
    let o = raqim(
        &["eval", gold.to_str().unwrap(), pred.to_str().unwrap()],
        None,
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("different text"));
    // A span outside its text is named with file and line.
    std::fs::write(
        &pred,
        "{\"id\":\"a\",\"text\":\"abc\",\"spans\":[{\"start\":1,\"end\":7,\"label\":\"PER\"}]}\n",
    )
    .unwrap();
    let o = raqim(
        &["eval", gold.to_str().unwrap(), pred.to_str().unwrap()],
        None,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("pred.jsonl:1") && err.contains("end 7"),
        "{err}"
    );
}

#[test]
fn user_gazetteer_labels_and_rules_files_are_used_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let gaz = dir.path().join("mine.tsv");
    std::fs::write(&gaz, "# my list\nمجبل الأسفلت\tFAC\n").unwrap();
    let text = "سيطروا على مجبل الأسفلت في ريف دير الزور\n";
    let plain = ok(&raqim(&["suggest", "-"], Some(text.as_bytes())));
    let mine = ok(&raqim(
        &["suggest", "-", "--gazetteer", gaz.to_str().unwrap()],
        Some(text.as_bytes()),
    ));
    let has = |out: &str| {
        json_lines(out)[0]["spans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["label"] == "FAC" && s["source"].as_str().unwrap().ends_with("mine.tsv"))
    };
    assert!(!has(&plain));
    assert!(has(&mine), "{mine}");

    // A bad line is named by file and line, and nothing is written.
    std::fs::write(&gaz, "# my list\nمجبل الأسفلت FAC\n").unwrap();
    let o = raqim(
        &["suggest", "-", "--gazetteer", gaz.to_str().unwrap()],
        Some(text.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("mine.tsv:2") && err.contains("TAB"), "{err}");
    assert!(o.stdout.is_empty());

    // A label set of one label: only that label is suggested.
    let labels = dir.path().join("labels.toml");
    std::fs::write(
        &labels,
        "[[label]]\nname = \"LOC\"\nkey = \"l\"\ncolour = \"green\"\n",
    )
    .unwrap();
    let out = ok(&raqim(
        &["suggest", "-", "--labels-file", labels.to_str().unwrap()],
        Some(text.as_bytes()),
    ));
    let spans = json_lines(&out)[0]["spans"].as_array().unwrap().clone();
    assert!(
        !spans.is_empty() && spans.iter().all(|s| s["label"] == "LOC"),
        "{out}"
    );
    std::fs::write(&labels, "[[label]]\nname = \"LOC\"\nkey = \"l\"\ncolour = \"green\"\n[[label]]\nname = \"LOC\"\nkey = \"m\"\ncolour = \"red\"\n").unwrap();
    let o = raqim(
        &["suggest", "-", "--labels-file", labels.to_str().unwrap()],
        Some(text.as_bytes()),
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("duplicate name LOC"));

    // A rules file with an unknown field is refused, named.
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[title]\nlabel='PER'\nscore=0.5\nwords=[]\nparticles=[]\ncolor='x'\n",
    )
    .unwrap();
    let o = raqim(
        &["suggest", "-", "--rules-file", rules.to_str().unwrap()],
        Some(text.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("rules.toml"));
}

#[test]
fn a_jsonl_with_a_utf8_bom_is_read_like_import_and_the_viewer_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.jsonl");
    std::fs::write(&path, "\u{FEFF}{\"id\": \"a\", \"text\": \"قال محمد\"}\n").unwrap();
    let docs = json_lines(&ok(&raqim(&["suggest", path.to_str().unwrap()], None)));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["id"], "a");
}

#[test]
fn suggest_names_a_utf16_file_and_an_unpaired_surrogate() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("u16.txt");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend("قال محمد".encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&txt, bytes).unwrap();
    let o = raqim(&["suggest", txt.to_str().unwrap()], None);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!o.status.success());
    assert!(
        err.contains("u16.txt: UTF-16 LE") && err.contains("iconv"),
        "{err}"
    );
    let jsonl = dir.path().join("s.jsonl");
    std::fs::write(&jsonl, "{\"id\": \"a\", \"text\": \"x\\ud800\"}\n").unwrap();
    let o = raqim(&["suggest", jsonl.to_str().unwrap()], None);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!o.status.success());
    assert!(
        err.contains("s.jsonl:1: not valid JSON: an unpaired surrogate \\ud800 at column"),
        "{err}"
    );
}

#[test]
fn a_nul_character_in_a_jsonl_text_is_refused_like_a_nul_byte_in_a_txt() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("n.jsonl");
    std::fs::write(&jsonl, "{\"id\": \"a\", \"text\": \"قال\\u0000محمد\"}\n").unwrap();
    let o = raqim(&["suggest", jsonl.to_str().unwrap()], None);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!o.status.success() && o.stdout.is_empty());
    assert!(err.contains("n.jsonl:1: text: a NUL character"), "{err}");
}
