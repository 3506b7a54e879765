use super::*;

fn rec(id: &str, text: &str, spans: &[(usize, usize, &str)]) -> Record {
    Record {
        layer: None,
        id: id.into(),
        text: text.into(),
        spans: spans
            .iter()
            .map(|&(s, e, l)| RecordSpan::new(s, e, l))
            .collect(),
        flagged: false,
        meta: None,
        foreign: None,
    }
}

fn read(format: Format, src: &str, opts: &ImportOptions) -> Result<Imported, FormatError> {
    import_bytes(format, "data.jsonl", src.as_bytes(), opts)
}

fn err(format: Format, src: &str) -> String {
    read(format, src, &ImportOptions::default())
        .unwrap_err()
        .to_string()
}

/// The example of the notes: "Macron visited Cairo".
const ZAR: &str = "زار ماكرون القاهرة";

#[test]
fn format_names_parse_back() {
    for f in Format::ALL {
        assert_eq!(f.name().parse::<Format>(), Ok(f));
    }
    assert!(
        "excel"
            .parse::<Format>()
            .unwrap_err()
            .contains("label-studio")
    );
}

#[test]
fn errors_name_file_line_and_field() {
    let line = r#"{"id":"a","text":"abc","spans":[{"start":0,"end":57,"label":"X"}]}"#;
    let src = format!("\n\n{line}\n");
    assert_eq!(
        err(Format::Jsonl, &src),
        "data.jsonl:3: spans[0].end: 57 is past the end of the text (3 code points)"
    );
    let e = err(
        Format::Jsonl,
        r#"{"text":"abc","spans":[{"start":-1,"end":2,"label":"X"}]}"#,
    );
    assert!(
        e.starts_with("data.jsonl:1: spans[0].start: expected a whole number"),
        "{e}"
    );
    let e = err(
        Format::Jsonl,
        r#"{"text":"abc","spans":[{"start":2,"end":2,"label":"X"}]}"#,
    );
    assert_eq!(e, "data.jsonl:1: spans[0]: start 2 is not before end 2");
    let e = err(Format::Jsonl, r#"{"id":"a"}"#);
    assert_eq!(e, "data.jsonl:1: text: missing");
    let e = err(Format::Jsonl, "{\"id\":");
    assert!(e.starts_with("data.jsonl:1: not valid JSON"), "{e}");
    // A state is one of the three the store knows, in the native format and Prodigy's.
    let line = r#"{"text":"abc","spans":[{"start":0,"end":1,"label":"X"},{"start":1,"end":2,"label":"X","state":"maybe"}]}"#;
    for format in [Format::Jsonl, Format::Prodigy] {
        assert_eq!(
            err(format, &format!("\n{line}")),
            r#"data.jsonl:2: spans[1].state: "maybe" is not one of pending, accepted, rejected"#
        );
    }
}

#[test]
fn a_utf16_offset_inside_a_surrogate_pair_is_refused() {
    // 😀 takes units 2 and 3 in UTF-16.
    let src = r#"{"text":"ab😀c","spans":[{"start":3,"end":5,"label":"X"}]}"#;
    let opts = ImportOptions {
        offsets: Offsets::Utf16,
        ..Default::default()
    };
    let e = read(Format::Jsonl, src, &opts).unwrap_err().to_string();
    assert!(e.contains("spans[0].start: 3 is inside a character"), "{e}");
    assert!(e.contains("surrogate"), "{e}");
    // The same offsets in code points are fine, and UTF-16 4..5 is "c".
    let src = r#"{"text":"ab😀c","spans":[{"start":4,"end":5,"label":"X"}]}"#;
    let r = read(Format::Jsonl, src, &opts).unwrap();
    assert_eq!(
        (r.records[0].spans[0].start, r.records[0].spans[0].end),
        (3, 4)
    );
}

#[test]
fn binary_and_foreign_encodings_are_named_with_their_byte() {
    let e = import_bytes(
        Format::Conll,
        "x.conll",
        b"ab\xff\xfe",
        &ImportOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "x.conll: byte 2: not valid UTF-8 (is the file in another encoding?)"
    );
    let e = import_bytes(
        Format::Doccano,
        "x.jsonl",
        b"{}\n\0\0",
        &ImportOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("x.jsonl: byte 3: a NUL byte"), "{e}");
}

#[test]
fn labels_must_be_known_unless_new_ones_are_allowed() {
    let set = LabelSet::builtin();
    let src = r#"{"text":"abc","spans":[{"start":0,"end":1,"label":"GPE"},{"start":1,"end":2,"label":"PER"},{"start":2,"end":3,"label":"GPE"}]}"#;
    let opts = ImportOptions {
        labels: Some(&set),
        ..Default::default()
    };
    let e = read(Format::Jsonl, src, &opts).unwrap_err().to_string();
    assert!(
        e.starts_with(
            "data.jsonl:1: spans[0].label: label \"GPE\" is not in the label set (PER, ORG"
        ),
        "{e}"
    );
    let opts = ImportOptions {
        add_labels: true,
        ..opts
    };
    let r = read(Format::Jsonl, src, &opts).unwrap();
    assert_eq!(r.new_labels, vec!["GPE"]);
    assert_eq!(r.records[0].spans.len(), 3);
}

#[test]
fn skip_bad_drops_the_bad_span_or_record_and_says_why() {
    let src = "{\"id\":\"a\",\"text\":\"abc\",\"spans\":[{\"start\":0,\"end\":1,\"label\":\"X\"},{\"start\":0,\"end\":9,\"label\":\"X\"}]}\n\
               not json\n\
               {\"id\":\"c\",\"text\":\"abc\"}\n";
    let opts = ImportOptions {
        skip_bad: true,
        ..Default::default()
    };
    let r = read(Format::Jsonl, src, &opts).unwrap();
    assert_eq!(r.records.len(), 2);
    assert_eq!(r.records[0].spans.len(), 1);
    let lines: Vec<Option<u32>> = r
        .problems
        .iter()
        .map(|p| p.location().and_then(|l| l.line))
        .collect();
    assert_eq!(lines, vec![Some(1), Some(2)]);
}

#[test]
fn quoted_span_text_must_match_the_offsets() {
    let src = format!(
        r#"{{"text":"{ZAR}","spans":[{{"start":4,"end":10,"text":"القاهرة","label":"PER"}}]}}"#
    );
    let e = err(Format::Prodigy, &src);
    assert!(
        e.contains(
            "spans[0].text: \"القاهرة\" differs from the text at the span's offsets (code points), \"ماكرون\" (wrong offset unit?)"
        ),
        "{e}"
    );
}

#[test]
fn prodigy_token_end_is_inclusive_and_answers_give_states() {
    let src = format!(
        r#"{{"text":"{ZAR}","tokens":[{{"text":"زار","start":0,"end":3,"id":0}},{{"text":"ماكرون","start":4,"end":10,"id":1}},{{"text":"القاهرة","start":11,"end":18,"id":2}}],"spans":[{{"token_start":1,"token_end":2,"label":"PER"}}],"answer":"accept","_input_hash":1,"_task_hash":2}}"#
    );
    let r = read(Format::Prodigy, &src, &ImportOptions::default()).unwrap();
    let s = &r.records[0].spans[0];
    assert_eq!((s.start, s.end, s.state), (4, 18, Some(State::Accepted)));
    assert_eq!(r.records[0].id, "1");
    // Offsets and token indices that disagree are an error.
    let bad = src.replace(r#""token_start":1"#, r#""start":0,"end":3,"token_start":1"#);
    assert!(err(Format::Prodigy, &bad).contains("token_start/token_end cover code points 4..18"));

    // Export: proclitic cut off, token_end inclusive, no answer while a span is pending.
    let text = "قال والجيش";
    let mut r = rec("x", text, &[(5, 10, "ORG")]);
    let out = export_to_string(Format::Prodigy, &[r.clone()], Offsets::CodePoints).unwrap();
    assert!(
        out.contains(r#"{"text":"و","start":4,"end":5,"id":1,"ws":false}"#),
        "{out}"
    );
    assert!(
        out.contains(r#""start":5,"end":10,"token_start":2,"token_end":2"#),
        "{out}"
    );
    assert!(out.contains(r#""answer":"accept""#));
    r.spans[0].state = Some(State::Pending);
    let out = export_to_string(Format::Prodigy, &[r], Offsets::CodePoints).unwrap();
    assert!(!out.contains("answer"), "{out}");
}

#[test]
fn doccano_reads_every_documented_form() {
    let src = format!(
        "{{\"text\":\"{ZAR}\",\"label\":[[4,10,\"PER\"]]}}\n\
         {{\"id\":7,\"text\":\"{ZAR}\",\"entities\":[{{\"id\":0,\"start_offset\":11,\"end_offset\":18,\"label\":\"LOC\"}}],\"relations\":[]}}\n\
         {{\"text\":\"{ZAR}\",\"labels\":[[0,3,\"X\"]]}}\n"
    );
    let r = read(Format::Doccano, &src, &ImportOptions::default()).unwrap();
    let ids: Vec<&str> = r.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, vec!["data.jsonl:1", "7", "data.jsonl:3"]);
    assert_eq!(r.records[1].spans, vec![RecordSpan::new(11, 18, "LOC")]);
    let e = err(Format::Doccano, r#"{"text":"ab","label":["positive"]}"#);
    assert!(
        e.starts_with("data.jsonl:1: label[0]: expected [start, end, \"LABEL\"]"),
        "{e}"
    );
}

#[test]
fn label_studio_predictions_are_pending_and_annotations_accepted() {
    let mut r = rec("d1", ZAR, &[(4, 10, "PER"), (11, 18, "LOC"), (0, 3, "ORG")]);
    r.spans[0].state = Some(State::Accepted);
    r.spans[1].state = Some(State::Pending);
    r.spans[1].source = Some("gazetteer:cities".into());
    r.spans[1].score = Some(0.75);
    r.spans[2].state = Some(State::Rejected);
    let out = export_to_string(Format::LabelStudio, &[r], Offsets::CodePoints).unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    let t = &v[0];
    assert_eq!(t["data"]["id"], "d1");
    assert_eq!(t["annotations"][0]["result"][0]["value"]["text"], "ماكرون");
    assert_eq!(t["predictions"][0]["model_version"], "gazetteer:cities");
    assert_eq!(t["predictions"][0]["score"], 0.75);
    assert_eq!(t["predictions"][0]["result"].as_array().unwrap().len(), 1);
    let back = read(Format::LabelStudio, &out, &ImportOptions::default()).unwrap();
    let states: Vec<_> = back.records[0]
        .spans
        .iter()
        .map(|s| (s.label.as_str(), s.state.unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![("PER", State::Accepted), ("LOC", State::Pending)]
    );

    // Cancelled annotations and other result types are passed over and counted.
    let src = format!(
        r#"[{{"id":3,"data":{{"text":"{ZAR}"}},"annotations":[{{"was_cancelled":true,"result":[]}},{{"completed_by":{{"id":1,"email":"a@b"}},"result":[{{"type":"choices","value":{{"choices":["x"]}}}},{{"type":"labels","from_name":"label","to_name":"text","value":{{"start":4,"end":10,"labels":["PER","ORG"]}}}}]}}]}}]"#
    );
    let back = read(Format::LabelStudio, &src, &ImportOptions::default()).unwrap();
    let r = &back.records[0];
    assert_eq!(r.id, "3");
    assert_eq!(r.spans.len(), 2);
    assert_eq!(r.spans[0].annotator.as_deref(), Some("a@b"));
    assert_eq!(back.ignored.values().sum::<usize>(), 2);
    let e = err(
        Format::LabelStudio,
        &src.replace("\"end\":10", "\"end\":99"),
    );
    assert!(
        e.starts_with(
            "data.jsonl: record 1: annotations[1].result[1].value.end: 99 is past the end"
        ),
        "{e}"
    );
}

#[test]
fn brat_discontinuous_spans_are_named_or_skipped() {
    let ann = "T1\tPER 4 10\tماكرون\nT3\tORG 0 3;11 18\tزار القاهرة\nR1\tIn Arg1:T1 Arg2:T3\n#1\tAnnotatorNotes T1\tnote\n";
    let opts = ImportOptions::default();
    let e = brat_read_pair("d.txt", ZAR.as_bytes(), "d.ann", ann.as_bytes(), &opts)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "d.ann:2: T3: discontinuous span \"0 3;11 18\" cannot be represented (a raqim span is one range)"
    );
    let opts = ImportOptions {
        skip_bad: true,
        ..opts
    };
    let r = brat_read_pair("d.txt", ZAR.as_bytes(), "d.ann", ann.as_bytes(), &opts).unwrap();
    assert_eq!(r.records[0].id, "d");
    assert_eq!(r.records[0].spans, vec![RecordSpan::new(4, 10, "PER")]);
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.ignored.values().sum::<usize>(), 2);
    let e = brat_read_pair(
        "d.txt",
        ZAR.as_bytes(),
        "d.ann",
        "T1\tPER 4 10\tماكرو\n".as_bytes(),
        &ImportOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("d.ann:1: T1.text:"), "{e}");
}

#[test]
fn brat_event_triggers_are_left_out_and_counted_unless_asked_for() {
    // زار (visited) is the trigger of a Visit event whose arguments are the entities;
    // T4 is a discontinuous trigger, T5 a trigger whose text does not match.
    let ann = "T1\tPER 4 10\tماكرون\nT2\tLOC 11 18\tالقاهرة\nT3\tVisit 0 3\tزار\n\
               E1\tVisit:T3 Agent:T1 Place:T2\nT4\tVisit 0 3;11 18\tزار القاهرة\nE2\tVisit:T4\n";
    let set = LabelSet::builtin();
    let opts = ImportOptions {
        labels: Some(&set),
        ..ImportOptions::default()
    };
    let r = brat_read_pair("d.txt", ZAR.as_bytes(), "d.ann", ann.as_bytes(), &opts).unwrap();
    // Only the entities: not "Visit", which the label set would refuse.
    assert_eq!(
        r.records[0].spans,
        vec![
            RecordSpan::new(4, 10, "PER"),
            RecordSpan::new(11, 18, "LOC")
        ]
    );
    assert!(r.problems.is_empty());
    let ignored: Vec<(&str, usize)> = r.ignored.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(
        ignored,
        [
            (
                "brat event triggers (T lines an E line names as its trigger; --brat-triggers imports them as spans)",
                2
            ),
            ("brat events (E lines)", 2),
        ]
    );
    // A trigger left out is still checked against the text.
    let bad = ann.replace("\tزار\n", "\tزا\n");
    let e = brat_read_pair("d.txt", ZAR.as_bytes(), "d.ann", bad.as_bytes(), &opts)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("d.ann:3: T3.text:"), "{e}");
    // Asked for, a trigger is a span like an entity; a discontinuous one is refused.
    let opts = ImportOptions {
        brat_triggers: true,
        add_labels: true,
        ..opts
    };
    let e = brat_read_pair("d.txt", ZAR.as_bytes(), "d.ann", ann.as_bytes(), &opts)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("d.ann:5: T4: discontinuous span"), "{e}");
    let one = ann.replace("T4\tVisit 0 3;11 18\tزار القاهرة\nE2\tVisit:T4\n", "");
    let r = brat_read_pair("d.txt", ZAR.as_bytes(), "d.ann", one.as_bytes(), &opts).unwrap();
    assert_eq!(
        r.records[0].spans,
        vec![
            RecordSpan::new(4, 10, "PER"),
            RecordSpan::new(11, 18, "LOC"),
            RecordSpan::new(0, 3, "Visit")
        ]
    );
    assert_eq!(r.new_labels, ["Visit"]);
    assert_eq!(
        r.ignored.keys().collect::<Vec<_>>(),
        ["brat events (E lines)"]
    );
}

#[test]
fn conll_cuts_proclitics_at_entities_and_rebuilds_the_text() {
    let text = "قال والجيش السوري.\nلداعش";
    let r = rec("a\tb", text, &[(5, 17, "ORG"), (20, 24, "ORG")]);
    // CoNLL-2003, as spaCy's converter, doccano and seqeval read it.
    let out =
        export_to_string(Format::Conll, std::slice::from_ref(&r), Offsets::CodePoints).unwrap();
    assert_eq!(
        out,
        "-DOCSTART- -X- O O\n\n\
         قال O\nو O\nالجيش B-ORG\nالسوري I-ORG\n. O\n\nل O\nداعش B-ORG\n\n"
    );
    let back = read(Format::Conll, &out, &ImportOptions::default()).unwrap();
    assert_eq!(back.records[0].text, "قال و الجيش السوري .\nل داعش");
    assert_eq!(
        back.records[0].spans,
        vec![
            RecordSpan::new(6, 18, "ORG"),
            RecordSpan::new(23, 27, "ORG")
        ]
    );
    assert_eq!(
        back.records,
        super::expected_round_trip(Format::Conll, std::slice::from_ref(&r))
            .unwrap()
            .into_iter()
            .map(|x| Record {
                id: format!("data.jsonl{}", x.id),
                ..x
            })
            .collect::<Vec<_>>()
    );
    // raqim's own form keeps the id and the text.
    let out =
        super::conll_to_string(std::slice::from_ref(&r), super::ConllForm::Commented).unwrap();
    assert_eq!(
        out,
        "# id = a\\tb\n# text = قال والجيش السوري.\\nلداعش\n\
         قال\tO\nو\tO\nالجيش\tB-ORG\nالسوري\tI-ORG\n.\tO\n\nل\tO\nداعش\tB-ORG\n\n"
    );
    let back = read(Format::Conll, &out, &ImportOptions::default()).unwrap();
    assert_eq!(back.records, vec![r]);
    // Overlaps cannot be tagged.
    let e = export_to_string(
        Format::Conll,
        &[rec("o", text, &[(4, 10, "ORG"), (5, 10, "ORG")])],
        Offsets::CodePoints,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "conll export: record \"o\": spans[1]: overlaps spans[0]; IOB tags give each token one entity"
    );
}

#[test]
fn conll_reads_the_first_tag_column_of_nested_entities_and_counts_the_others() {
    // Wojood's nested form: outer entity first, then the ones inside it.
    let src = "رئيس B-OCC\nوزراء I-OCC B-ORG\nلبنان I-OCC I-ORG B-GPE\nقال O\n";
    let r = read(Format::Conll, src, &ImportOptions::default()).unwrap();
    let d = &r.records[0];
    assert_eq!(d.spans, vec![RecordSpan::new(0, 16, "OCC")]);
    assert_eq!(
        r.notes
            .iter()
            .map(|(k, n)| (k.contains("nested"), *n))
            .collect::<Vec<_>>(),
        vec![(true, 2)],
        "{:?}",
        r.notes
    );
    let second = ImportOptions {
        conll_column: 1,
        ..Default::default()
    };
    let r = read(Format::Conll, src, &second).unwrap();
    assert_eq!(r.records[0].spans, vec![RecordSpan::new(5, 16, "ORG")]);
    assert_eq!(r.notes.values().sum::<usize>(), 2);
    let fourth = ImportOptions {
        conll_column: 3,
        ..Default::default()
    };
    let e = read(Format::Conll, src, &fourth).unwrap_err().to_string();
    assert_eq!(
        e,
        "data.jsonl: --conll-column: no line has a tag column 4 (columns count from 1, after the token)"
    );
    // CoNLL-2003's chunk column (B-NP) is not an entity column: the NE tag is last.
    let src = "الجيش NNP B-NP B-ORG\nالسوري JJ I-NP I-ORG\n";
    let r = read(Format::Conll, src, &ImportOptions::default()).unwrap();
    assert_eq!(r.records[0].spans, vec![RecordSpan::new(0, 12, "ORG")]);
    assert!(r.notes.is_empty());
}

#[test]
fn conll_2003_lines_that_start_with_a_hash_are_tokens() {
    let src = "-DOCSTART- -X- O O\n\n# O\nسوريا B-LOC\n#عاجل O\n";
    let r = read(Format::Conll, src, &ImportOptions::default()).unwrap();
    assert_eq!(r.records[0].text, "# سوريا #عاجل");
    assert!(r.ignored.is_empty(), "{:?}", r.ignored);
}

#[test]
fn conll_reads_iob1_and_files_without_comments() {
    let src = "-DOCSTART- -X- -X- O\n\nزار -X- _ O\nماكرون -X- _ I-PER\nالقاهرة -X- _ I-LOC\nو -X- _ O\n\nدير -X- _ I-LOC\nالزور -X- _ I-LOC\nحمص -X- _ B-LOC\n";
    let r = read(Format::Conll, src, &ImportOptions::default()).unwrap();
    assert_eq!(r.records.len(), 1);
    let d = &r.records[0];
    assert_eq!(d.text, "زار ماكرون القاهرة و\nدير الزور حمص");
    let shown: Vec<(&str, &str)> = d
        .spans
        .iter()
        .map(|s| {
            let t: String = d.text.chars().skip(s.start).take(s.end - s.start).collect();
            (s.label.as_str(), Box::leak(t.into_boxed_str()) as &str)
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            ("PER", "ماكرون"),
            ("LOC", "القاهرة"),
            ("LOC", "دير الزور"),
            ("LOC", "حمص")
        ]
    );
    // Without any marker, each sentence is a record.
    let r = read(
        Format::Conll,
        "a\tB-X\n\nb\tO\nc\tI-X\n",
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(r.records.len(), 2);
    assert_eq!(r.records[1].text, "b c");
    assert_eq!(r.records[1].spans, vec![RecordSpan::new(2, 3, "X")]);
    let e = err(Format::Conll, "a\tB-X\nb\tQ-X\n");
    assert_eq!(e, "data.jsonl:2: tag: \"Q-X\" is not O, B-LABEL or I-LABEL");
}

#[test]
fn conll_escapes_round_trip() {
    for s in ["", "a\\nb", "x\n\r\t\u{85}\u{2028}y ", "\\u{41}", " lead"] {
        assert_eq!(conll::unescape(&conll::escape(s)).as_deref(), Ok(s));
    }
}

#[test]
fn utf16_offsets_before_and_after_astral_characters() {
    // Offsets before an astral character must not move (a table search that skips
    // surrogate markers gets these wrong).
    let text = "ab\u{200F}cd\n\u{DA4DB}&x😀y";
    let cps = text.chars().count();
    let u = Units::new(text, Offsets::Utf16);
    let mut want = 0;
    for (cp, c) in text.chars().chain(['\0']).enumerate() {
        assert_eq!(u.to_file(cp), want, "code point {cp}");
        assert_eq!(u.to_cp(want), Ok(cp));
        if cp < cps {
            want += c.len_utf16();
        }
    }
    let r = rec("x", text, &[(0, 2, "X"), (7, 8, "Y"), (9, 10, "Z")]);
    let s = export_to_string(Format::Jsonl, std::slice::from_ref(&r), Offsets::Utf16).unwrap();
    assert!(
        s.contains(r#""start":0,"end":2"#) && s.contains(r#""start":8,"end":9"#),
        "{s}"
    );
    let opts = ImportOptions {
        offsets: Offsets::Utf16,
        ..Default::default()
    };
    assert_eq!(read(Format::Jsonl, &s, &opts).unwrap().records, vec![r]);
}

#[test]
fn brat_file_names_keep_arabic_names_and_make_the_rest_safe() {
    let long = "ب".repeat(150);
    let ids = [
        "مُحَمَّد في دمشق",
        "a/b\\c",
        long.as_str(),
        "..",
        "x\u{202E}y\u{7}",
        " ",
    ];
    let recs: Vec<Record> = ids.iter().map(|id| rec(id, ZAR, &[])).collect();
    let mut got: Vec<String> = expected_round_trip(Format::Brat, &recs)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    got.sort();
    // A file name holds 255 bytes: the long name is cut at 200 (100 letters).
    let mut want = vec![
        "مُحَمَّد في دمشق".to_string(),
        "a_b_c".to_string(),
        "ب".repeat(100),
        "_..".to_string(),
        "x_y_".to_string(),
        crate::document::document_id(ZAR),
    ];
    want.sort();
    assert_eq!(got, want);
}
