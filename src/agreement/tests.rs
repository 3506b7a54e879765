use super::*;

/// "قال ماكرون في باريس إن فرنسا": six tokens, at code points
/// قال 0..3, ماكرون 4..10, في 11..13, باريس 14..19, إن 20..22, فرنسا 23..28.
const TEXT: &str = "قال ماكرون في باريس إن فرنسا";

/// Spans as (start, end, label), code points.
type Spans<'s> = &'s [(usize, usize, &'s str)];

fn doc(id: &str, text: &str, layers: &[(&str, Spans)]) -> DocLayers {
    DocLayers {
        id: id.to_string(),
        text: text.to_string(),
        layers: layers
            .iter()
            .map(|(name, spans)| {
                (
                    name.to_string(),
                    spans.iter().map(|&(s, e, l)| Span::new(s, e, l)).collect(),
                )
            })
            .collect(),
    }
}

const AMAL: Spans = &[(4, 10, "PER"), (14, 19, "LOC"), (23, 28, "LOC")];
const BASEL: Spans = &[(4, 10, "PER"), (14, 19, "LOC"), (23, 28, "ORG")];
const CYRUS: Spans = &[(4, 10, "PER")];

fn all() -> Options {
    Options::default()
}

fn close(x: Option<f64>, want: f64) {
    let x = x.expect("a figure");
    assert!((x - want).abs() < 1e-12, "{x} != {want}");
}

#[test]
fn two_annotators_by_hand() {
    let r = compute(
        &[doc("d1", TEXT, &[("amal", AMAL), ("basel", BASEL)])],
        &all(),
    )
    .unwrap();
    assert_eq!(r.pairs.len(), 1);
    let p = &r.pairs[0];
    assert_eq!(
        (p.a.as_str(), p.b.as_str(), p.documents),
        ("amal", "basel", 1)
    );
    // Matches: PER 4..10 and LOC 14..19; 3 spans each: F1 = 2·2/(3+3).
    assert_eq!((p.spans_a, p.spans_b, p.matches), (3, 3, 2));
    close(p.f1, 4.0 / 6.0);
    // PER: 2·1/(1+1); LOC: 2·1/(2+1); ORG: 2·0/(0+1).
    close(p.labels["PER"].f1, 1.0);
    close(p.labels["LOC"].f1, 2.0 / 3.0);
    close(p.labels["ORG"].f1, 0.0);
    // Tags, amal:  O B-PER O B-LOC O B-LOC
    //       basel: O B-PER O B-LOC O B-ORG
    // p_o = 5/6; marginals amal O3 B-PER1 B-LOC2, basel O3 B-PER1 B-LOC1 B-ORG1:
    // p_e = (3·3 + 1·1 + 2·1)/36 = 1/3; kappa = (5/6 − 1/3)/(1 − 1/3) = 3/4.
    assert_eq!(p.tokens, 6);
    close(p.kappa, 0.75);
    // Fleiss with two raters (pooled marginals): p_o = 5/6; π: O 3/6, B-PER 1/6,
    // B-LOC 1.5/6, B-ORG 0.5/6; p_e = (36 + 4 + 9 + 1)/144 = 50/144;
    // kappa = (120 − 50)/(144 − 50) = 70/94.
    close(r.fleiss_kappa, 70.0 / 94.0);
    assert_eq!((r.fleiss_documents, r.fleiss_tokens), (1, 6));
    assert!(r.gold.is_empty());
}

#[test]
fn fleiss_of_three_annotators_by_hand() {
    let d = doc(
        "d1",
        TEXT,
        &[("amal", AMAL), ("basel", BASEL), ("cyrus", CYRUS)],
    );
    let r = compute(&[d], &all()).unwrap();
    let names: Vec<(&str, &str)> = r
        .pairs
        .iter()
        .map(|p| (p.a.as_str(), p.b.as_str()))
        .collect();
    assert_eq!(
        names,
        [("amal", "basel"), ("amal", "cyrus"), ("basel", "cyrus")]
    );
    // Per token (amal, basel, cyrus) -> P_i, and r_ik/3 added to π:
    // O O O -> 1; B-PER×3 -> 1; O O O -> 1; B-LOC B-LOC O -> 2·1/6 = 1/3;
    // O O O -> 1; B-LOC B-ORG O -> 0.  p_o = (4 + 1/3)/6 = 13/18.
    // π sums: O 11/3, B-PER 1, B-LOC 1, B-ORG 1/3 (over 6 tokens), so
    // p_e = (11² + 3² + 3² + 1²)/18² = 140/324; kappa = (234 − 140)/(324 − 140) = 94/184.
    close(r.fleiss_kappa, 94.0 / 184.0);
    // amal–cyrus: 1 match of 3 + 1 spans: F1 = 2/4.
    close(r.pairs[1].f1, 0.5);
}

#[test]
fn only_documents_both_have_count_for_a_pair() {
    let other = "زار الرئيس القاهرة";
    let docs = [
        doc("d1", TEXT, &[("amal", AMAL), ("basel", BASEL)]),
        // basel alone: not in the pair's figures, and not in Fleiss'.
        doc("d2", other, &[("basel", &[(4, 10, "PER")])]),
        // amal and cyrus only.
        doc("d3", other, &[("amal", &[]), ("cyrus", &[(11, 18, "LOC")])]),
    ];
    let r = compute(&docs, &all()).unwrap();
    let ab = &r.pairs[0];
    assert_eq!(ab.documents, 1);
    close(ab.f1, 4.0 / 6.0);
    close(ab.kappa, 0.75);
    // basel and cyrus share nothing: no figure at all.
    let bc = &r.pairs[2];
    assert_eq!((bc.a.as_str(), bc.b.as_str()), ("basel", "cyrus"));
    assert_eq!((bc.documents, bc.tokens), (0, 0));
    assert_eq!((bc.f1, bc.kappa), (None, None));
    // amal marked nothing in d3, cyrus one span: F1 0; tags amal O O O, cyrus
    // O O B-LOC: p_o = 2/3 = p_e (amal is all O, p_e = 1·p_cyrus(O)), kappa 0.
    let ac = &r.pairs[1];
    close(ac.f1, 0.0);
    close(ac.kappa, 0.0);
    assert_eq!(r.fleiss_documents, 2);
}

#[test]
fn nothing_marked_by_anyone_gives_no_figure_rather_than_a_division_by_zero() {
    let r = compute(&[doc("d1", TEXT, &[("amal", &[]), ("basel", &[])])], &all()).unwrap();
    let p = &r.pairs[0];
    assert_eq!((p.documents, p.tokens), (1, 6));
    // F1 is 0/0 and p_e = 1 (every tag is O): neither exists.
    assert_eq!((p.f1, p.kappa, r.fleiss_kappa), (None, None, None));
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["pairs"][0]["kappa"].is_null());
    assert!(json["fleiss_kappa"].is_null());
    assert!(
        r.to_table().contains("Fleiss' kappa: - "),
        "{}",
        r.to_table()
    );
}

#[test]
fn a_proclitic_left_out_by_one_analyst_is_a_mismatch_on_tokens_cut_at_it() {
    // "والجيش": amal marks الجيش (1..6), basel والجيش (0..6). Tokens cut at both: و, الجيش.
    let r = compute(
        &[doc(
            "d1",
            "والجيش",
            &[("amal", &[(1, 6, "ORG")]), ("basel", &[(0, 6, "ORG")])],
        )],
        &all(),
    )
    .unwrap();
    let p = &r.pairs[0];
    close(p.f1, 0.0);
    // amal: O B-ORG, basel: B-ORG I-ORG. p_o = 0; p_e = (B-ORG 1·1)/4 = 1/4;
    // kappa = (0 − 1/4)/(3/4) = −1/3.
    assert_eq!(p.tokens, 2);
    close(p.kappa, -1.0 / 3.0);
}

#[test]
fn overlapping_spans_of_one_layer_tag_the_outermost_first() {
    // "ماكرون في باريس": ماكرون 0..6, في 7..9, باريس 10..15.
    let text = "ماكرون في باريس";
    let toks = tokenize_for_spans(text, &[]);
    let b = |s: &str| text.find(s).unwrap();
    let span = |s: usize, e: usize, label| ByteSpan {
        start: s,
        end: e,
        label,
    };
    // LOC over في باريس and ORG over باريس: باريس belongs to the LOC that starts first.
    let mut spans = vec![
        span(b("باريس"), text.len(), "ORG"),
        span(b("في"), text.len(), "LOC"),
    ];
    spans.sort();
    assert_eq!(tags(&toks, &spans), [Tag::O, Tag::B("LOC"), Tag::I("LOC")]);
    // PER over ماكرون في, LOC over في باريس: في stays PER's, باريس continues LOC.
    let spans = vec![
        span(0, b(" باريس"), "PER"),
        span(b("في"), text.len(), "LOC"),
    ];
    assert_eq!(
        tags(&toks, &spans),
        [Tag::B("PER"), Tag::I("PER"), Tag::I("LOC")]
    );
}

#[test]
fn gold_is_in_no_pair_and_each_annotator_is_compared_with_it() {
    let docs = [doc(
        "d1",
        TEXT,
        &[("amal", AMAL), ("basel", BASEL), ("gold", BASEL)],
    )];
    let r = compute(&docs, &all()).unwrap();
    assert_eq!(r.annotators, ["amal", "basel"]);
    assert_eq!(r.pairs.len(), 1);
    // Fleiss is the two-annotator figure of the first test: gold does not vote.
    close(r.fleiss_kappa, 70.0 / 94.0);
    let against: Vec<(&str, &str)> = r
        .gold
        .iter()
        .map(|p| (p.a.as_str(), p.b.as_str()))
        .collect();
    assert_eq!(against, [("amal", "gold"), ("basel", "gold")]);
    close(r.gold[0].f1, 4.0 / 6.0);
    close(r.gold[1].f1, 1.0);
    close(r.gold[1].kappa, 1.0);
    assert!(r.to_table().contains("\nAgainst gold\n"));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["gold"][1]["b"], "gold");
}

#[test]
fn a_label_filter_drops_the_other_labels_everywhere() {
    let opts = Options {
        labels: Some(["PER".to_string(), "LOC".to_string()].into()),
    };
    let r = compute(
        &[doc("d1", TEXT, &[("amal", AMAL), ("basel", BASEL)])],
        &opts,
    )
    .unwrap();
    let p = &r.pairs[0];
    // basel's ORG is gone: 2 matches, 3 + 2 spans: F1 = 4/5.
    close(p.f1, 0.8);
    assert!(!p.labels.contains_key("ORG"));
    // Tags: amal O B-PER O B-LOC O B-LOC, basel O B-PER O B-LOC O O. p_o = 5/6;
    // p_e = (3·4 + 1·1 + 2·1)/36 = 15/36; kappa = (30 − 15)/(36 − 15) = 15/21.
    close(p.kappa, 15.0 / 21.0);
}

#[test]
fn a_span_past_the_text_is_an_error_that_names_it() {
    let e = compute(&[doc("d7", "قال", &[("amal", &[(1, 9, "PER")])])], &all()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "document d7, layer amal: span 1..9 (PER) ends past the end of the text (3 code points)"
    );
    let e = compute(&[doc("d7", "قال", &[("amal", &[(2, 1, "PER")])])], &all()).unwrap_err();
    assert!(e.to_string().ends_with("ends before it starts"), "{e}");
}

#[test]
fn json_has_the_shape_of_the_issue() {
    let r = compute(
        &[doc("d1", TEXT, &[("amal", AMAL), ("basel", BASEL)])],
        &all(),
    )
    .unwrap();
    let json = serde_json::to_value(&r).unwrap();
    let p = &json["pairs"][0];
    assert_eq!(p["a"], "amal");
    assert_eq!(p["b"], "basel");
    assert_eq!(p["documents"], 1);
    assert!(p["f1"].is_f64());
    assert_eq!(p["labels"]["PER"]["f1"], 1.0);
    assert_eq!(p["kappa"], 0.75);
    assert!(json["fleiss_kappa"].is_f64());
    // No gold layer, no gold key.
    assert!(json.get("gold").is_none());
    let back: Report = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
}

#[test]
fn the_table_is_aligned_and_shows_the_figures() {
    let d = doc(
        "d1",
        TEXT,
        &[("amal", AMAL), ("basel", BASEL), ("cyrus", CYRUS)],
    );
    let t = compute(&[d], &all()).unwrap().to_table();
    let first: Vec<&str> = t.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(first.len(), 4, "{t}");
    // Figures are right-aligned: every row ends where the header does.
    assert!(first.iter().all(|l| l.len() == first[0].len()), "{t}");
    assert!(first[0].starts_with("a      b      documents"), "{t}");
    assert!(first[1].starts_with("amal   basel"), "{t}");
    assert!(first[1].ends_with("0.667       6  0.750"), "{t}");
    assert!(t.contains("\nF1 per label\n"), "{t}");
    let per_label: Vec<&str> = t.lines().skip_while(|l| *l != "F1 per label").collect();
    assert_eq!(
        per_label[1].split_whitespace().collect::<Vec<_>>(),
        ["a", "b", "LOC", "ORG", "PER"]
    );
    // amal–cyrus: no LOC match (amal 2, cyrus 0) -> 0; neither used ORG -> -.
    assert_eq!(
        per_label[3].split_whitespace().collect::<Vec<_>>(),
        ["amal", "cyrus", "0.000", "-", "1.000"]
    );
    assert!(
        t.contains(
            "Fleiss' kappa: 0.511 (3 annotators, 1 document with two or more of them, 6 tokens)"
        ),
        "{t}"
    );
}

#[test]
fn csv_has_a_row_per_pair_and_label_and_one_for_fleiss() {
    let r = compute(
        &[doc("d1", TEXT, &[("amal", AMAL), ("basel", BASEL)])],
        &all(),
    )
    .unwrap();
    let csv = r.to_csv();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0].len(), 11);
    assert!(rows.iter().all(|r| r.len() == 11), "{csv}");
    assert_eq!(
        rows[1][..8],
        ["pair", "amal", "basel", "", "1", "3", "3", "2"]
    );
    assert_eq!(rows[1][10], "0.75");
    let org = rows.iter().find(|r| r[3] == "ORG").unwrap();
    assert_eq!(org[5..9], ["0", "1", "0", "0"]);
    let fleiss = rows.last().unwrap();
    assert_eq!(fleiss[..5], ["fleiss", "", "", "", "1"]);
    close(fleiss[10].parse().ok(), 70.0 / 94.0);
    assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
}

mod independent;
