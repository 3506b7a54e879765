//! Label Studio and doccano files as the tools themselves write them (their own
//! examples, `tests/fixtures/interop/`), through `raqim import` and `raqim export`:
//! what comes back unchanged, what is refused with a message naming the place, and the
//! fields raqim has no place for (kept per document and written back in the format they
//! came from).

mod common;

use std::path::Path;
use std::process::Output;

use common::{raqim, raqim_env};
use serde_json::{Value, json};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `raqim import --db DB --annotator tester ARGS`, which must succeed.
fn import(db: &Path, args: &[&str]) -> Output {
    let mut all = vec!["import", "--db", s(db), "--annotator", "tester"];
    all.extend_from_slice(args);
    let o = raqim(&all, None);
    assert!(o.status.success(), "import {args:?}: {}", stderr(&o));
    o
}

/// `raqim import ...`, which must fail: its error output.
fn import_refused(db: &Path, args: &[&str]) -> String {
    let mut all = vec!["import", "--db", s(db), "--annotator", "tester"];
    all.extend_from_slice(args);
    let o = raqim(&all, None);
    assert!(
        !o.status.success(),
        "import {args:?} passed: {}",
        stderr(&o)
    );
    stderr(&o)
}

/// `raqim export --db DB ARGS` to standard output, which must succeed.
fn export(db: &Path, args: &[&str]) -> String {
    let mut all = vec!["export", "--db", s(db)];
    all.extend_from_slice(args);
    // As the analyst who imported: the default layer is the caller's login name.
    let o = raqim_env(&all, None, &[("USER", Path::new("tester"))]);
    assert!(o.status.success(), "export {args:?}: {}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

fn lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write(dir: &Path, name: &str, content: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

// ---- foreign fields (issue 14, item 9) ----

#[test]
fn jsonl_keeps_a_records_own_meta_and_keys_through_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = write(
        dir.path(),
        "in.jsonl",
        r#"{"id":"a1","text":"زار ماكرون القاهرة","spans":[{"start":4,"end":10,"label":"PER"}],"meta":{"url":"https://example.org/a1","section":"world"},"batch":7}
"#,
    );
    import(&db, &["--format", "jsonl", "--as", "accepted", s(&file)]);
    let out = lines(&export(&db, &["--format", "jsonl"]));
    assert_eq!(
        out[0]["meta"]["url"], "https://example.org/a1",
        "{}",
        out[0]
    );
    assert_eq!(out[0]["meta"]["section"], "world");
    assert_eq!(
        out[0]["meta"]["name"], "a1",
        "raqim's own meta is still written"
    );
    assert_eq!(out[0]["batch"], 7, "{}", out[0]);
    // Another format does not get jsonl's leftovers.
    let other = lines(&export(&db, &["--format", "doccano"]));
    assert!(other[0].get("batch").is_none(), "{}", other[0]);
    assert!(other[0]["meta"].get("url").is_none(), "{}", other[0]);
}

#[test]
fn doccano_keeps_meta_and_other_keys_and_writes_them_back_only_as_doccano() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = "tests/fixtures/interop/doccano/import_test_example.jsonl";
    // Its third line has no text, as doccano's own test of a bad line wants.
    let err = import_refused(&db, &["--format", "doccano", "--add-labels", file]);
    assert!(
        err.contains("import_test_example.jsonl:3: text: missing"),
        "{err}"
    );
    import(
        &db,
        &[
            "--format",
            "doccano",
            "--add-labels",
            "--skip-bad",
            "--as",
            "accepted",
            file,
        ],
    );
    let out = lines(&export(&db, &["--format", "doccano"]));
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["meta"]["wikiPageID"], 1, "{}", out[0]);
    assert_eq!(out[1]["meta"]["wikiPageID"], 2, "{}", out[1]);
    assert_eq!(out[0]["label"], json!([[0, 1, "LOC"]]));
    let ls: Value = serde_json::from_str(&export(&db, &["--format", "label-studio"])).unwrap();
    assert!(ls[0]["meta"].get("wikiPageID").is_none(), "{}", ls[0]);
}

// ---- Label Studio (issue 14, items 1, 2, 3) ----

/// A task as Label Studio's server exports it (JSON export, after the task format of
/// its documentation): server fields around the task, an annotation by user 1, and the
/// task's predictions listed by id only. Code points; ماكرون is 4..10, القاهرة 11..18.
const LS_SERVER_EXPORT: &str = r#"[
  {
    "id": 5,
    "annotations": [
      {
        "id": 11,
        "completed_by": 1,
        "result": [
          {"value": {"start": 4, "end": 10, "text": "ماكرون", "labels": ["PER"]},
           "id": "Xy1", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual"}
        ],
        "was_cancelled": false,
        "ground_truth": false,
        "lead_time": 3.2,
        "prediction": {},
        "task": 5,
        "project": 2
      }
    ],
    "file_upload": "a1b2-tasks.json",
    "drafts": [],
    "predictions": [7, 8],
    "data": {"text": "زار ماكرون القاهرة", "url": "https://example.org/a"},
    "meta": {},
    "created_at": "2026-11-02T10:00:00.000000Z",
    "updated_at": "2026-11-02T10:05:00.000000Z",
    "inner_id": 1,
    "total_annotations": 1,
    "cancelled_annotations": 0,
    "total_predictions": 2,
    "project": 2,
    "updated_by": 1
  }
]
"#;

fn ls_export(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "label-studio"];
    all.extend_from_slice(args);
    serde_json::from_str(&export(db, &all)).unwrap()
}

/// (start, end, text, labels, from_name, to_name) of every region of a task.
fn regions(task: &Value) -> Vec<(u64, u64, String, Value, String, String)> {
    let mut out = Vec::new();
    for key in ["annotations", "predictions"] {
        for a in task[key].as_array().into_iter().flatten() {
            for r in a["result"].as_array().unwrap() {
                let v = &r["value"];
                out.push((
                    v["start"].as_u64().unwrap(),
                    v["end"].as_u64().unwrap(),
                    v["text"].as_str().unwrap().to_string(),
                    v["labels"].clone(),
                    r["from_name"].as_str().unwrap().to_string(),
                    r["to_name"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    out
}

#[test]
fn a_server_export_listing_predictions_by_id_imports_its_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = write(dir.path(), "project-2.json", LS_SERVER_EXPORT);
    let o = import(&db, &["--format", "label-studio", s(&file)]);
    let err = stderr(&o);
    assert!(
        err.contains("passed over 2 × Label Studio predictions listed by id only"),
        "{err}"
    );
    assert!(
        err.contains("1 span added") || err.contains("1 added"),
        "{err}"
    );
    let task = &ls_export(&db, &[])[0];
    assert_eq!(
        regions(task),
        [(
            4,
            10,
            "ماكرون".into(),
            json!(["PER"]),
            "label".into(),
            "text".into()
        )]
    );
    // The task keeps its id (label-studio-converter reads it), and no data.id is added.
    assert_eq!(task["id"], 5, "{task:#}");
    assert_eq!(
        task["data"],
        json!({"text": "زار ماكرون القاهرة", "url": "https://example.org/a"})
    );
    // The server's own fields come back as they were.
    assert_eq!(task["project"], 2);
    assert_eq!(task["file_upload"], "a1b2-tasks.json");
    assert_eq!(task["created_at"], "2026-11-02T10:00:00.000000Z");
}

#[test]
fn label_studios_ner_example_keeps_its_control_name_ner_through_a_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let dir_ls = "tests/fixtures/interop/label-studio";
    let annotation = format!("{dir_ls}/named_entity_annotation_1.json");
    let tasks = format!("{dir_ls}/named_entity_tasks.json");
    import(
        &db,
        &["--format", "label-studio", "--add-labels", &annotation],
    );
    let original: Value =
        serde_json::from_str(&std::fs::read_to_string(&annotation).unwrap()).unwrap();
    let out = ls_export(&db, &[]);
    let task = &out[0];
    // What the template's Labels and Text tags are named is what the regions name.
    assert_eq!(regions(task), regions(&original));
    assert_eq!(regions(task)[0].4, "ner");
    assert_eq!(task["id"], 1);
    assert_eq!(task["data"], original["data"], "no data.id added");
    assert_eq!(task["task_path"], original["task_path"]);
    // The same text as a prediction (the tasks file) is a duplicate of the accepted span.
    let o = import(&db, &["--format", "label-studio", "--add-labels", &tasks]);
    assert!(stderr(&o).contains("1 duplicate"), "{}", stderr(&o));
    // --ls-from-name / --ls-to-name set the names for an export.
    let renamed = ls_export(&db, &["--ls-from-name", "entities", "--ls-to-name", "body"]);
    let r = &regions(&renamed[0])[0];
    assert_eq!((r.4.as_str(), r.5.as_str()), ("entities", "body"));
}

#[test]
fn a_document_never_in_label_studio_gets_the_templates_names_and_an_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = write(
        dir.path(),
        "in.jsonl",
        r#"{"id":"a1","text":"زار ماكرون القاهرة","spans":[{"start":4,"end":10,"label":"PER","state":"accepted"}]}
{"id":"a2","text":"وصل الوفد إلى بغداد","spans":[{"start":14,"end":19,"label":"LOC","state":"pending","source":"gazetteer","score":0.5}]}
"#,
    );
    import(&db, &["--format", "jsonl", s(&file)]);
    let out = ls_export(&db, &["--state", "all"]);
    assert_eq!(out[0]["id"], 1);
    assert_eq!(out[1]["id"], 2);
    assert_eq!(
        out[0]["data"]["id"], "a1",
        "the record's id is kept in data"
    );
    assert_eq!(regions(&out[0])[0].4, "label");
    assert_eq!(regions(&out[1])[0].5, "text");
    assert_eq!(out[1]["predictions"][0]["model_version"], "gazetteer");
}

#[test]
fn the_text_field_is_the_one_ls_field_names_or_the_only_string_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let two = write(
        dir.path(),
        "content.json",
        r#"[{"data": {"content": "زار ماكرون القاهرة", "title": "زيارة"},
            "annotations": [{"result": [{"from_name": "ner", "to_name": "content", "type": "labels",
              "value": {"start": 11, "end": 18, "text": "القاهرة", "labels": ["LOC"]}}]}]}]"#,
    );
    let err = import_refused(&db, &["--format", "label-studio", s(&two)]);
    assert!(
        err.contains("content.json: record 1: data.text: missing, and data has several string fields (\"content\", \"title\"): name the text's with --ls-field"),
        "{err}"
    );
    let err = import_refused(
        &db,
        &["--format", "label-studio", "--ls-field", "body", s(&two)],
    );
    assert!(err.contains("record 1: data.body: missing"), "{err}");
    import(
        &db,
        &["--format", "label-studio", "--ls-field", "content", s(&two)],
    );
    let task = &ls_export(&db, &[])[0];
    assert_eq!(
        task["data"],
        json!({"content": "زار ماكرون القاهرة", "title": "زيارة", "id": "content.json#1"})
    );
    assert_eq!(
        regions(task),
        [(
            11,
            18,
            "القاهرة".into(),
            json!(["LOC"]),
            "ner".into(),
            "content".into()
        )]
    );
    // The only string field needs no --ls-field.
    let one = write(
        dir.path(),
        "one.json",
        r#"[{"data": {"content": "وصل الوفد إلى بغداد", "n": 3}}]"#,
    );
    import(&db, &["--format", "label-studio", s(&one)]);
    let out = ls_export(&db, &[]);
    assert_eq!(out[1]["data"]["content"], "وصل الوفد إلى بغداد");
    assert_eq!(out[1]["data"]["n"], 3);
}

// ---- doccano (issue 14, item 11; the tool's own examples) ----

#[test]
fn doccanos_export_and_import_examples_come_back_with_the_same_spans() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = "tests/fixtures/interop/doccano/export_example.jsonl";
    import(
        &db,
        &[
            "--format",
            "doccano",
            "--add-labels",
            "--as",
            "accepted",
            file,
        ],
    );
    let original = lines(&std::fs::read_to_string(file).unwrap());
    let out = lines(&export(&db, &["--format", "doccano"]));
    assert_eq!(out.len(), original.len());
    for (o, r) in out.iter().zip(&original) {
        assert_eq!(o["text"], r["text"]);
        assert_eq!(o["label"], r["label"]);
    }
    // Its import example names its columns as doccano's upload form lets a project:
    // refused without their names, with the options that give them...
    let example = "tests/fixtures/interop/doccano/import_example.jsonl";
    let err = import_refused(&db, &["--format", "doccano", example]);
    assert!(
        err.contains("import_example.jsonl:1: text: missing"),
        "{err}"
    );
    assert!(
        err.contains("--column-data KEY and --column-label KEY"),
        "{err}"
    );
    // ...and read with them, every span in place (a database of its own: the export
    // example has the same texts with more spans).
    let db = dir.path().join("columns.db");
    import(
        &db,
        &[
            "--format",
            "doccano",
            "--add-labels",
            "--as",
            "accepted",
            "--column-data",
            "column_data",
            "--column-label",
            "column_label",
            example,
        ],
    );
    let original = lines(&std::fs::read_to_string(example).unwrap());
    let out = lines(&export(&db, &["--format", "doccano"]));
    for r in &original {
        let back = out
            .iter()
            .find(|o| o["text"] == r["column_data"])
            .unwrap_or_else(|| panic!("{r} not exported"));
        assert_eq!(back["label"], r["column_label"], "{r}");
        // The column names are read, not kept as foreign fields written back.
        assert!(back.get("column_data").is_none(), "{back}");
    }
}

#[test]
fn a_doccano_file_in_code_points_read_as_utf16_is_refused_naming_the_unit_that_matches() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    // 😀 is one code point and two UTF-16 units: القاهرة is 13..20 in code points.
    let file = write(
        dir.path(),
        "cp.jsonl",
        r#"{"text":"😀 زار ماكرون القاهرة","entities":[{"id":1,"start_offset":13,"end_offset":20,"label":"LOC","text":"القاهرة"}]}
"#,
    );
    let err = import_refused(&db, &["--format", "doccano", s(&file)]);
    assert!(
        err.contains("cp.jsonl:1: entities[0].text: \"القاهرة\" differs from the text at the span's offsets (UTF-16 code units), \" القاهر\"; read as code points they match"),
        "{err}"
    );
    assert!(err.contains("--offsets codepoints"), "{err}");
    import(
        &db,
        &["--format", "doccano", "--offsets", "codepoints", s(&file)],
    );
    let out = lines(&export(&db, &["--format", "doccano", "--state", "all"]));
    // Written back in UTF-16, doccano's own unit.
    assert_eq!(out[0]["label"], json!([[14, 21, "LOC"]]));
}

// ---- the promise of each format (formats::expected_round_trip) with foreign fields ----

#[test]
fn foreign_fields_come_back_in_their_own_format_and_in_no_other() {
    use raqim::formats::{
        Foreign, Format, ImportOptions, Record, RecordSpan, expected_round_trip, export_to_string,
        import_bytes,
    };
    let obj = |v: Value| v.as_object().unwrap().clone();
    let record = |format: Format, fields: Value, layout: Value| Record {
        layer: None,
        id: "a1".into(),
        text: "😀 زار ماكرون القاهرة".into(),
        spans: vec![RecordSpan {
            state: Some(raqim::annotation::State::Accepted),
            ..RecordSpan::new(6, 12, "PER")
        }],
        flagged: false,
        meta: Some(json!({"name": "a1"})),
        foreign: Foreign::new(format, obj(fields), obj(layout)),
    };
    let cases = [
        record(
            Format::Jsonl,
            json!({"batch": 7, "meta": {"url": "u"}}),
            json!({}),
        ),
        record(
            Format::Doccano,
            json!({"Comments": [], "meta": {"wikiPageID": 3}}),
            json!({}),
        ),
        record(
            Format::LabelStudio,
            json!({"id": 5, "project": 2, "data": {"url": "u"}, "meta": {"k": 1}}),
            json!({"from_name": "ner", "to_name": "content", "field": "content"}),
        ),
        record(
            Format::LabelStudio,
            json!({"id": 9, "data": {"title": "t"}}),
            json!({"from_name": "ner"}),
        ),
    ];
    for r in &cases {
        for format in [
            Format::Jsonl,
            Format::Doccano,
            Format::LabelStudio,
            Format::Prodigy,
        ] {
            let offsets = format.native_offsets();
            let written = export_to_string(format, std::slice::from_ref(r), offsets).unwrap();
            // A text field other than `text` is named on import, as the analyst does
            // with --ls-field for a project whose template reads `$content`.
            let field = r
                .foreign_for(Format::LabelStudio)
                .and_then(|f| f.layout.get("field"))
                .and_then(Value::as_str);
            let opts = ImportOptions {
                offsets,
                ls_field: field,
                ..ImportOptions::default()
            };
            let back = import_bytes(format, "f", written.as_bytes(), &opts).unwrap();
            let want = expected_round_trip(format, std::slice::from_ref(r)).unwrap();
            assert_eq!(back.records, want, "{format} of {r:?}:\n{written}");
            let kept = back.records[0].foreign_for(r.foreign.as_ref().unwrap().format);
            if format == r.foreign.as_ref().unwrap().format {
                assert!(kept.is_some(), "{format} lost its own fields:\n{written}");
            } else {
                assert!(
                    kept.is_none(),
                    "{format} got another format's fields:\n{written}"
                );
            }
        }
    }
}

#[test]
fn label_studio_options_given_for_another_format_are_said_not_to_apply() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let file = "tests/fixtures/interop/doccano/export_example.jsonl";
    let o = import(
        &db,
        &[
            "--format",
            "doccano",
            "--add-labels",
            "--ls-field",
            "content",
            file,
        ],
    );
    assert!(
        stderr(&o).contains(
            "--ls-field names a field of Label Studio's tasks; it does not apply to doccano"
        ),
        "{}",
        stderr(&o)
    );
    let o = raqim(
        &[
            "export",
            "--db",
            s(&db),
            "--format",
            "jsonl",
            "--ls-from-name",
            "ner",
        ],
        None,
    );
    assert!(o.status.success());
    assert!(
        stderr(&o).contains(
            "--ls-from-name and --ls-to-name name Label Studio's tags; they do not apply to jsonl"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_document_keeps_the_fields_of_its_first_import_per_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqim.db");
    let task = |from: &str, project: u32| {
        format!(
            r#"[{{"id": 5, "project": {project}, "data": {{"text": "زار ماكرون القاهرة"}},
                "annotations": [{{"result": [{{"from_name": "{from}", "to_name": "text", "type": "labels",
                  "value": {{"start": 4, "end": 10, "labels": ["PER"]}}}}]}}]}}]"#
        )
    };
    let first = write(dir.path(), "first.json", &task("ner", 1));
    let second = write(dir.path(), "second.json", &task("entities", 2));
    let doccano = write(
        dir.path(),
        "d.jsonl",
        r#"{"text":"زار ماكرون القاهرة","label":[[11,18,"LOC"]],"meta":{"wikiPageID":4}}
"#,
    );
    import(&db, &["--format", "label-studio", s(&first)]);
    import(&db, &["--format", "label-studio", s(&second)]);
    import(&db, &["--format", "doccano", s(&doccano)]);
    let out = ls_export(&db, &["--state", "all"]);
    assert_eq!(out.as_array().unwrap().len(), 1, "one document: {out:#}");
    assert_eq!(out[0]["project"], 1, "{out:#}");
    assert!(regions(&out[0]).iter().all(|r| r.4 == "ner"), "{out:#}");
    let d = lines(&export(&db, &["--format", "doccano", "--state", "all"]));
    assert_eq!(d[0]["meta"]["wikiPageID"], 4, "{}", d[0]);
    assert!(d[0].get("project").is_none(), "{}", d[0]);
}
