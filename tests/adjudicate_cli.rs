//! `raqim adjudicate --auto` through the binary: three analysts' layers imported,
//! what they agree on copied into gold, the counts printed, and gold as `export
//! --layer gold` then writes it.

mod common;

use common::raqim;

/// A database in `dir` with amal's, basel's and carim's readings of one article
/// (`tests/fixtures/adjudicate/`), each marked done.
fn three_layers(dir: &std::path::Path) -> String {
    let db = dir.join("raqim.db").to_str().unwrap().to_string();
    for who in ["amal", "basel", "carim"] {
        let file = format!("tests/fixtures/adjudicate/{who}.jsonl");
        let args = [
            "import",
            "--format",
            "jsonl",
            "--as",
            "accepted",
            "--annotator",
            who,
            "--db",
            &db,
            &file,
        ];
        let out = raqim(&args, None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    db
}

fn gold_labels(db: &str) -> Vec<String> {
    let out = raqim(
        &["export", "--db", db, "--format", "jsonl", "--layer", "gold"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text: Vec<char> = record["text"].as_str().unwrap().chars().collect();
    record["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let (a, b) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
            let t: String = text[a as usize..b as usize].iter().collect();
            format!("{t} {}", s["label"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn auto_copies_what_all_agree_on_into_gold_once_and_says_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_layers(dir.path());
    let out = raqim(
        &["adjudicate", "--auto", "--db", &db, "--annotator", "dina"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "news: 1 added to gold, 0 already in gold, 2 left to adjudicate\n\
         1 document: 1 agreed span added to gold, 0 already in gold, 2 disagreements left to adjudicate\n"
    );
    assert_eq!(gold_labels(&db), ["الجيش السوري ORG"]);
    // Again: nothing added twice.
    let out = raqim(&["adjudicate", "--auto", "--db", &db, "news"], None);
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.starts_with("news: 0 added to gold, 1 already in gold"),
        "{said}"
    );
    assert_eq!(gold_labels(&db), ["الجيش السوري ORG"]);
}

#[test]
fn majority_also_copies_what_two_of_three_marked() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_layers(dir.path());
    let out = raqim(
        &["adjudicate", "--auto", "--rule", "majority", "--db", &db],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(gold_labels(&db), ["الجيش السوري ORG", "داعش ORG"]);
    let out = raqim(
        &["adjudicate", "--auto", "--rule", "most", "--db", &db],
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("\"most\" is not one of unanimous, majority"),
        "{err}"
    );
}

#[test]
fn a_document_nobody_annotated_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_layers(dir.path());
    let out = raqim(
        &[
            "adjudicate",
            "--auto",
            "--db",
            &db,
            "samples/deir-ez-zor.txt",
        ],
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("samples/deir-ez-zor.txt: deir-ez-zor.txt is not in")
            && err.contains("nobody has annotated it"),
        "{err}"
    );
}

#[test]
fn export_of_gold_leaves_out_the_documents_not_adjudicated_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = three_layers(dir.path());
    // A second article amal has worked on, which nobody has adjudicated.
    let other = dir.path().join("other.jsonl");
    std::fs::write(
        &other,
        "{\"id\":\"other\",\"text\":\"وصل الوفد إلى حمص\",\"spans\":[{\"start\":14,\"end\":17,\"label\":\"LOC\"}]}\n",
    )
    .unwrap();
    let args = [
        "import",
        "--format",
        "jsonl",
        "--annotator",
        "amal",
        "--db",
        &db,
    ];
    let mut with_file = args.to_vec();
    with_file.push(other.to_str().unwrap());
    assert!(raqim(&with_file, None).status.success());
    let auto = raqim(
        &["adjudicate", "--auto", "--db", &db, "--annotator", "dina"],
        None,
    );
    assert!(auto.status.success());
    let out = raqim(
        &[
            "export", "--db", &db, "--format", "jsonl", "--layer", "gold",
        ],
        None,
    );
    assert!(out.status.success());
    let records: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(
        records.len(),
        1,
        "only the adjudicated article: {records:?}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 of 2 documents have no gold yet"), "{err}");
}
