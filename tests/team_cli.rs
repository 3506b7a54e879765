//! `raqim assign` and `raqim status` as a team lead meets them: every document given
//! to N analysts with loads within one and pairs even, a second run giving out only
//! the new documents, named documents only when named, bad requests refused with a
//! message saying what was wrong and nothing recorded, and a status that says who
//! has started and finished what.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::raqim;
use serde_json::Value;

const NEWSFANE: &str = "tests/fixtures/newsfane/dev.jsonl";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Records `from..to` of the newsfane documents imported by `who` into `db`.
fn import(dir: &Path, db: &Path, from: usize, to: usize, who: &str) {
    let src = std::fs::read_to_string(NEWSFANE).unwrap();
    let part: String = src
        .lines()
        .skip(from)
        .take(to - from)
        .map(|l| format!("{l}\n"))
        .collect();
    let file = dir.join(format!("part-{from}.jsonl"));
    std::fs::write(&file, part).unwrap();
    let o = raqim(
        &[
            "import",
            "--db",
            s(db),
            "--annotator",
            who,
            "--format",
            "jsonl",
            s(&file),
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

fn assign(db: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["assign", "--db", s(db)];
    args.extend_from_slice(extra);
    raqim(&args, None)
}

fn status(db: &Path) -> Value {
    let o = raqim(&["status", "--db", s(db), "--format", "json"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// Each annotator's (assigned, started, done, spans), by name.
fn per_annotator(st: &Value) -> Vec<(String, u64, u64, u64, u64)> {
    st["annotators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let n = |k: &str| a[k].as_u64().unwrap();
            (
                a["name"].as_str().unwrap().to_string(),
                n("assigned"),
                n("started"),
                n("done"),
                n("spans"),
            )
        })
        .collect()
}

/// Each document's name and annotators, in the order added.
fn per_document(st: &Value) -> Vec<(String, Vec<String>)> {
    st["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let who = d["annotators"].as_array().unwrap();
            (
                d["name"].as_str().unwrap().to_string(),
                who.iter()
                    .map(|w| w.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn database(dir: &Path) -> PathBuf {
    let db = dir.join("team.db");
    import(dir, &db, 0, 7, "lead");
    db
}

#[test]
fn every_document_goes_to_two_of_three_and_a_second_run_gives_out_only_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let o = assign(&db, &["--annotators", "dina,amal,basel", "--per-doc", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("assigned 7 documents to 2 annotator(s) each\n"),
        "{out}"
    );
    for line in ["amal       5", "basel      5", "dina       4"] {
        assert!(out.contains(line), "no {line:?} in\n{out}");
    }
    for line in [
        "amal basel           3",
        "amal dina            2",
        "basel dina           2",
    ] {
        assert!(out.contains(line), "no {line:?} in\n{out}");
    }
    let first = per_document(&status(&db));
    assert_eq!(first.len(), 7);
    assert!(first.iter().all(|(_, who)| who.len() == 2), "{first:?}");

    // Three more documents, and the same request again: only they are given out,
    // and the loads come out within one again (20 readings: 7, 7, 6).
    import(dir.path(), &db, 7, 10, "lead");
    let o = assign(&db, &["--annotators", "amal,basel,dina", "--per-doc", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(
            "assigned 3 documents to 2 annotator(s) each; 7 documents already assigned, left as they were\n"
        ),
        "{out}"
    );
    let second = per_document(&status(&db));
    assert_eq!(
        &second[..7],
        &first[..],
        "the first run's assignment changed"
    );
    let loads: Vec<u64> = per_annotator(&status(&db)).iter().map(|a| a.1).collect();
    assert_eq!(loads, vec![7, 7, 6]);

    // Again, nothing new: nothing is given out.
    let o = assign(&db, &["--annotators", "amal,basel,dina", "--per-doc", "2"]);
    assert!(
        stdout(&o).starts_with("assigned 0 documents"),
        "{}",
        stdout(&o)
    );
    assert_eq!(per_document(&status(&db)), second);
}

#[test]
fn named_documents_only_are_assigned_and_status_says_who_started_and_finished() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let o = assign(
        &db,
        &[
            "--annotators",
            "amal,basel",
            "--per-doc",
            "1",
            "newsfane-0001",
            "newsfane-0004",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let docs = per_document(&status(&db));
    let named: Vec<(&str, Vec<String>)> = docs
        .iter()
        .filter(|(_, who)| !who.is_empty())
        .map(|(n, who)| (n.as_str(), who.clone()))
        .collect();
    assert_eq!(
        named,
        vec![
            ("newsfane-0001", vec!["amal".to_string()]),
            ("newsfane-0004", vec!["basel".to_string()]),
        ]
    );
    // Neither has acted yet; then amal marks a name in her layer of hers (an action
    // there, an accepted span) and marks it done.
    assert_eq!(
        per_annotator(&status(&db)),
        vec![("amal".into(), 1, 0, 0, 0), ("basel".into(), 1, 0, 0, 0)]
    );
    {
        let mut store = raqim::store::Store::open(&db).unwrap();
        store.set_layer("amal");
        let id = store.assigned_to("amal").unwrap().remove(0);
        let span = raqim::store::NewSpan {
            start: 0,
            end: 3,
            label: "PER".into(),
            state: raqim::annotation::State::Accepted,
            source: "analyst".into(),
            score: 1.0,
        };
        let change = raqim::store::Change::Insert(span);
        store
            .commit(&id, "create", "{}", "amal", None, &[change])
            .unwrap();
        store.set_done(&id, true).unwrap();
    }
    let st = per_annotator(&status(&db));
    assert_eq!(st[0], ("amal".into(), 1, 1, 1, 1), "{st:?}");
    assert_eq!(st[1], ("basel".into(), 1, 0, 0, 0));
    // The table says the same.
    let o = raqim(&["status", "--db", s(&db)], None);
    let table = stdout(&o);
    assert!(
        table.contains("annotator  assigned  started  done  spans"),
        "{table}"
    );
    assert!(
        table.contains("basel             1        0     0      0"),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("newsfane-0001") && l.ends_with("amal        amal")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("newsfane-0000") && l.ends_with("-           -")),
        "{table}"
    );
}

#[test]
fn a_bad_request_says_what_was_wrong_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let cases: &[(&[&str], &str)] = &[
        (
            &["--annotators", "amal,basel", "--per-doc", "3"],
            "--per-doc 3 but 2 annotator(s) given (amal, basel)",
        ),
        (&["--annotators", "amal", "--per-doc", "0"], "--per-doc 0"),
        (&["--annotators", "amal,,basel"], "an empty annotator name"),
        (
            &["--annotators", "amal,gold"],
            "\"gold\" is the curated layer",
        ),
        (
            &["--annotators", "amal,basel,amal"],
            "\"amal\" is named twice",
        ),
        (
            &["--annotators", "amal,basel", "no-such-doc"],
            "no document \"no-such-doc\"",
        ),
    ];
    for (args, says) in cases {
        let o = assign(&db, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    assert!(
        per_annotator(&status(&db)).is_empty(),
        "something was recorded"
    );
    let missing = dir.path().join("nothing.db");
    for o in [
        assign(&missing, &["--annotators", "amal,basel"]),
        raqim(&["status", "--db", s(&missing)], None),
    ] {
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("no such database"), "{}", stderr(&o));
    }
    assert!(!missing.exists(), "a database was created");
}

/// A span as `(start, end, label)` in code points.
type Triple = (u64, u64, String);

/// The gold spans of the first `n` newsfane documents, by document.
fn gold_spans(n: usize) -> Vec<(Value, Vec<Triple>)> {
    let src = std::fs::read_to_string(NEWSFANE).unwrap();
    src.lines()
        .take(n)
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let spans = v["spans"]
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
                .collect();
            (v, spans)
        })
        .collect()
}

/// Writes `who`'s layer of each document (`spans`, marked done or not) as raqim
/// JSON lines and imports it as theirs, accepted.
fn import_layer(dir: &Path, db: &Path, who: &str, docs: &[(Value, Vec<Triple>, bool)]) {
    let mut lines = String::new();
    for (v, spans, done) in docs {
        let spans: Vec<Value> = spans
            .iter()
            .map(|(a, b, l)| serde_json::json!({"start": a, "end": b, "label": l}))
            .collect();
        let rec = serde_json::json!({
            "id": v["id"], "text": v["text"], "spans": spans, "meta": {"done": done}
        });
        lines.push_str(&format!("{rec}\n"));
    }
    let file = dir.join(format!("{who}.jsonl"));
    std::fs::write(&file, lines).unwrap();
    let o = raqim(
        &[
            "import",
            "--db",
            s(db),
            "--annotator",
            who,
            "--as",
            "accepted",
            "--format",
            "jsonl",
            s(&file),
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn agreement_counts_the_documents_both_marked_done_and_its_f1_is_that_of_the_spans() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let gold = gold_spans(5);
    // amal marks the gold spans of all five and is done with them; basel leaves out
    // every third span and calls every fifth a LOC, and is done with four.
    let amal: Vec<_> = gold
        .iter()
        .map(|(v, sp)| (v.clone(), sp.clone(), true))
        .collect();
    let basel: Vec<_> = gold
        .iter()
        .enumerate()
        .map(|(d, (v, sp))| {
            let changed = sp
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 3 != 2)
                .map(|(i, (a, b, l))| {
                    let l = if i % 5 == 4 {
                        "LOC".to_string()
                    } else {
                        l.clone()
                    };
                    (*a, *b, l)
                })
                .collect();
            (v.clone(), changed, d < 4)
        })
        .collect();
    import_layer(dir.path(), &db, "amal", &amal);
    import_layer(dir.path(), &db, "basel", &basel);

    // The same figure by hand: exact (start, end, label) matches over the four
    // documents both are done with.
    let (mut m, mut na, mut nb) = (0usize, 0usize, 0usize);
    for d in 0..4 {
        let a: std::collections::BTreeSet<_> = amal[d].1.iter().collect();
        let b: std::collections::BTreeSet<_> = basel[d].1.iter().collect();
        m += a.intersection(&b).count();
        na += a.len();
        nb += b.len();
    }
    let f1 = 2.0 * m as f64 / (na + nb) as f64;
    assert!(m > 0 && m < na, "the layers must partly agree: {m} of {na}");

    let o = raqim(&["agreement", "--db", s(&db), "--format", "json"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let pair = &report["pairs"][0];
    assert_eq!(
        (pair["a"].as_str(), pair["b"].as_str()),
        (Some("amal"), Some("basel"))
    );
    assert_eq!(
        pair["documents"], 4,
        "the fifth is not done in basel's layer"
    );
    assert!((pair["f1"].as_f64().unwrap() - f1).abs() < 1e-9, "{pair}");
    assert!(pair["kappa"].as_f64().unwrap() < 1.0);
    assert!(pair["labels"]["LOC"]["f1"].as_f64().is_some(), "{pair}");
    // --all counts the fifth too.
    let o = raqim(
        &["agreement", "--db", s(&db), "--format", "json", "--all"],
        None,
    );
    let all: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(all["pairs"][0]["documents"], 5);
    // The table names the pair and the figure, rounded.
    let o = raqim(&["agreement", "--db", s(&db)], None);
    let table = stdout(&o);
    assert!(table.contains("amal") && table.contains("basel"), "{table}");
    assert!(table.contains(&format!("{f1:.3}")), "{f1:.3} in {table}");
    // Labels narrow it: only PER spans.
    let o = raqim(
        &[
            "agreement",
            "--db",
            s(&db),
            "--format",
            "json",
            "--labels",
            "PER",
        ],
        None,
    );
    let per: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let labels = per["pairs"][0]["labels"].as_object().unwrap();
    assert_eq!(labels.keys().collect::<Vec<_>>(), ["PER"]);
}

#[test]
fn agreement_without_a_database_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let o = raqim(&["agreement", "--db", s(&db)], None);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("none.db"), "{}", stderr(&o));
    assert!(!db.exists(), "nothing is made");
}

#[test]
fn export_writes_the_callers_layer_the_only_one_or_asks_which() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let gold = gold_spans(1);
    let (v, spans) = &gold[0];
    let one = vec![(v.clone(), spans[..2].to_vec(), true)];
    import_layer(dir.path(), &db, "amal", &one);
    let export = |user: &str, extra: &[&str]| {
        let mut args = vec!["export", "--db", s(&db), "--format", "jsonl"];
        args.extend_from_slice(extra);
        std::process::Command::new(env!("CARGO_BIN_EXE_raqim"))
            .args(&args)
            .env("USER", user)
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap()
    };
    let spans_of = |o: &Output| -> usize {
        let v: Value = serde_json::from_str(stdout(o).lines().next().unwrap()).unwrap();
        v["spans"].as_array().unwrap().len()
    };
    // One layer: whoever exports gets it.
    let o = export("carim", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(spans_of(&o), 2);
    // Two: the caller's own, else a question naming them.
    let other = vec![(v.clone(), spans[..1].to_vec(), true)];
    import_layer(dir.path(), &db, "basel", &other);
    assert_eq!(spans_of(&export("basel", &[])), 1);
    assert_eq!(spans_of(&export("carim", &["--layer", "amal"])), 2);
    let o = export("carim", &[]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("carim has no layer")
            && err.contains("amal, basel")
            && err.contains("--layer"),
        "{err}"
    );
}
