use super::*;

use proptest::prelude::*;

/// Code points: قال 0..3, الجيش 4..9, السوري 10..16, إن 17..19, دير 20..23,
/// الزور 24..29, آمنة 30..34.
const TEXT: &str = "قال الجيش السوري إن دير الزور آمنة";

/// The spans of a layer written as the text with `[LABEL:words]` marks, checked to
/// be [`TEXT`] once the marks are taken out.
fn marked(markup: &str) -> Vec<Span> {
    let (mut text, mut spans) = (String::new(), Vec::new());
    let mut open: Option<(usize, String)> = None;
    let mut chars = markup.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                let label: String = chars.by_ref().take_while(|&c| c != ':').collect();
                open = Some((text.chars().count(), label));
            }
            ']' => {
                let (start, label) = open.take().expect("a ] after a [");
                spans.push(Span::new(start, text.chars().count(), &label));
            }
            c => text.push(c),
        }
    }
    assert_eq!(text, TEXT, "the markup is not of TEXT");
    spans
}

fn layers(of: &[(&str, Vec<Span>)]) -> BTreeMap<String, Vec<Span>> {
    of.iter().map(|(n, s)| (n.to_string(), s.clone())).collect()
}

fn names(v: &Variant) -> Vec<&str> {
    v.annotators.iter().map(String::as_str).collect()
}

/// amal and basel read the army and Deir ez-Zor; carim only the army.
fn three() -> BTreeMap<String, Vec<Span>> {
    layers(&[
        (
            "amal",
            marked("قال [ORG:الجيش السوري] إن [LOC:دير الزور] آمنة"),
        ),
        (
            "basel",
            marked("قال [ORG:الجيش السوري] إن [LOC:دير الزور] آمنة"),
        ),
        ("carim", marked("قال [ORG:الجيش السوري] إن دير الزور آمنة")),
    ])
}

#[test]
fn rules_are_written_and_read_by_name() {
    for r in MergeRule::ALL {
        assert_eq!(r.to_string().parse::<MergeRule>(), Ok(r));
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            format!("\"{}\"", r.as_str())
        );
    }
    assert_eq!("majority".parse(), Ok(MergeRule::Majority));
    let e = "Majority".parse::<MergeRule>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "\"Majority\" is not one of unanimous, majority"
    );
    assert_eq!(MergeRule::default(), MergeRule::Unanimous);
}

#[test]
fn unanimous_leaves_what_one_annotator_did_not_mark_to_the_curator() {
    let m = merge(&three(), MergeRule::Unanimous);
    assert_eq!(m.agreed, [Span::new(4, 16, "ORG")]);
    assert_eq!(m.disagreements.len(), 1);
    let d = &m.disagreements[0];
    assert_eq!((d.start, d.end), (20, 29));
    assert!(d.agreed.is_empty());
    assert_eq!(d.variants.len(), 2);
    assert_eq!(names(&d.variants[0]), ["amal", "basel"]);
    assert_eq!(d.variants[0].spans, [Span::new(20, 29, "LOC")]);
    assert_eq!(names(&d.variants[1]), ["carim"]);
    assert!(d.variants[1].spans.is_empty(), "carim: no entity here");
}

#[test]
fn a_majority_outvotes_an_omission() {
    let m = merge(&three(), MergeRule::Majority);
    assert_eq!(
        m.agreed,
        [Span::new(4, 16, "ORG"), Span::new(20, 29, "LOC")]
    );
    assert!(m.disagreements.is_empty());
}

#[test]
fn different_extents_of_one_entity_are_one_disagreement_with_a_variant_each() {
    let l = layers(&[
        ("amal", marked("قال [LOC:الجيش] السوري إن دير الزور آمنة")),
        ("basel", marked("قال [LOC:الجيش السوري] إن دير الزور آمنة")),
        ("carim", marked(TEXT)),
    ]);
    for rule in MergeRule::ALL {
        let m = merge(&l, rule);
        assert!(m.agreed.is_empty(), "{rule}");
        assert_eq!(m.disagreements.len(), 1, "{rule}");
        let d = &m.disagreements[0];
        assert_eq!((d.start, d.end), (4, 16));
        // One annotator each: by their first span, nothing last.
        let got: Vec<_> = d.variants.iter().map(|v| (names(v), &v.spans)).collect();
        assert_eq!(
            got,
            [
                (vec!["amal"], &vec![Span::new(4, 9, "LOC")]),
                (vec!["basel"], &vec![Span::new(4, 16, "LOC")]),
                (vec!["carim"], &vec![]),
            ]
        );
    }
}

#[test]
fn the_same_text_with_different_labels_is_a_disagreement() {
    let l = layers(&[
        ("amal", marked("قال [ORG:الجيش السوري] إن دير الزور آمنة")),
        ("basel", marked("قال [PER:الجيش السوري] إن دير الزور آمنة")),
    ]);
    let m = merge(&l, MergeRule::Majority);
    assert!(m.agreed.is_empty());
    let d = &m.disagreements[0];
    assert_eq!((d.start, d.end, d.variants.len()), (4, 16, 2));
    assert_eq!(d.variants[0].spans, [Span::new(4, 16, "ORG")]);
    assert_eq!(d.variants[1].spans, [Span::new(4, 16, "PER")]);
}

#[test]
fn a_majority_span_against_a_minority_reading_stays_for_the_curator() {
    let l = layers(&[
        ("amal", marked("قال [ORG:الجيش السوري] إن دير الزور آمنة")),
        ("basel", marked("قال [ORG:الجيش السوري] إن دير الزور آمنة")),
        ("carim", marked("قال [ORG:الجيش] السوري إن دير الزور آمنة")),
    ]);
    let m = merge(&l, MergeRule::Majority);
    assert!(m.agreed.is_empty(), "contested, so not for --auto");
    let d = &m.disagreements[0];
    assert_eq!(d.agreed, [Span::new(4, 16, "ORG")], "the rule's suggestion");
    assert_eq!(names(&d.variants[0]), ["amal", "basel"]);
    assert_eq!(d.variants[0].spans, [Span::new(4, 16, "ORG")]);
    assert_eq!(names(&d.variants[1]), ["carim"]);
    assert_eq!(d.variants[1].spans, [Span::new(4, 9, "ORG")]);
    let a = auto(&l, &[], &[], MergeRule::Majority);
    assert!(a.add.is_empty());
    assert_eq!(a.report.disagreements, 1);
}

#[test]
fn a_unanimous_span_with_an_extra_overlapping_one_shows_in_every_reading() {
    // All marked the army; basel also the whole phrase as a place.
    let mut l = three();
    l.get_mut("basel").unwrap().push(Span::new(4, 19, "LOC"));
    let m = merge(&l, MergeRule::Unanimous);
    let d = &m.disagreements[0];
    assert_eq!((d.start, d.end), (4, 19));
    assert_eq!(d.agreed, [Span::new(4, 16, "ORG")]);
    assert_eq!(names(&d.variants[0]), ["amal", "carim"]);
    assert_eq!(d.variants[0].spans, [Span::new(4, 16, "ORG")]);
    assert_eq!(
        d.variants[1].spans,
        [Span::new(4, 16, "ORG"), Span::new(4, 19, "LOC")]
    );
}

#[test]
fn a_tie_is_not_a_majority() {
    let mut l = three();
    l.insert(
        "dina".into(),
        marked("قال [ORG:الجيش السوري] إن دير الزور آمنة"),
    );
    let m = merge(&l, MergeRule::Majority);
    assert_eq!(m.agreed, [Span::new(4, 16, "ORG")]);
    let d = &m.disagreements[0];
    assert_eq!((d.start, d.end, d.variants.len()), (20, 29, 2));
    // Two and two: the reading with an entity first.
    assert_eq!(names(&d.variants[0]), ["amal", "basel"]);
    assert_eq!(names(&d.variants[1]), ["carim", "dina"]);
}

#[test]
fn one_annotator_agrees_with_nobody() {
    let l = layers(&[(
        "amal",
        marked("قال [ORG:الجيش السوري] إن [LOC:دير الزور] آمنة"),
    )]);
    for rule in MergeRule::ALL {
        let m = merge(&l, rule);
        assert!(m.agreed.is_empty(), "{rule}");
        let extents: Vec<_> = m.disagreements.iter().map(|d| (d.start, d.end)).collect();
        assert_eq!(extents, [(4, 16), (20, 29)]);
    }
}

#[test]
fn overlap_chains_into_one_cluster_and_touching_spans_do_not() {
    let l = layers(&[
        (
            "amal",
            vec![Span::new(0, 5, "ORG"), Span::new(9, 12, "LOC")],
        ),
        (
            "basel",
            vec![Span::new(4, 10, "ORG"), Span::new(12, 15, "LOC")],
        ),
    ]);
    let m = merge(&l, MergeRule::Unanimous);
    let extents: Vec<_> = m.disagreements.iter().map(|d| (d.start, d.end)).collect();
    assert_eq!(extents, [(0, 12), (12, 15)]);
}

#[test]
fn gold_among_the_layers_is_no_annotator_and_repeats_count_once() {
    let mut l = three();
    l.insert(GOLD.into(), vec![Span::new(0, 3, "PER")]);
    l.get_mut("carim")
        .unwrap()
        .extend([Span::new(4, 16, "ORG"), Span::new(7, 7, "LOC")]);
    let m = merge(&l, MergeRule::Unanimous);
    assert_eq!(m.agreed, [Span::new(4, 16, "ORG")]);
    assert_eq!(m.disagreements.len(), 1);
    assert_eq!(m.disagreements[0].variants.len(), 2);
}

#[test]
fn a_disagreement_is_settled_by_gold_over_it_or_by_the_curator_s_mark() {
    let l = layers(&[
        (
            "amal",
            marked("قال [ORG:الجيش السوري] إن [LOC:دير الزور] آمنة"),
        ),
        (
            "basel",
            marked("قال [ORG:الجيش] السوري إن دير [LOC:الزور] آمنة"),
        ),
    ]);
    let m = merge(&l, MergeRule::Unanimous);
    assert_eq!(open_disagreements(&m, &[], &[]), [0, 1]);
    // The curator took the shorter army, which overlaps the first.
    assert_eq!(open_disagreements(&m, &[Span::new(4, 9, "ORG")], &[]), [1]);
    // Gold right after the first ends touches it, but does not settle it.
    assert_eq!(
        open_disagreements(&m, &[Span::new(16, 20, "X")], &[]),
        [0, 1]
    );
    // Rejected all of the second: only its exact extent counts.
    assert_eq!(open_disagreements(&m, &[], &[(20, 29)]), [0]);
    assert_eq!(open_disagreements(&m, &[], &[(20, 28)]), [0, 1]);
}

#[test]
fn auto_adds_agreed_spans_and_never_touches_the_curator_s_work() {
    let l = layers(&[
        (
            "amal",
            marked("[PER:قال] [ORG:الجيش السوري] إن [LOC:دير الزور] [LOC:آمنة]"),
        ),
        (
            "basel",
            marked("[PER:قال] [ORG:الجيش السوري] إن [LOC:دير الزور] [LOC:آمنة]"),
        ),
        (
            "carim",
            marked("قال [ORG:الجيش السوري] إن [LOC:دير] الزور آمنة"),
        ),
    ]);
    // Gold has the army already, and the curator read «آمنة» otherwise.
    let gold = [Span::new(4, 16, "ORG"), Span::new(30, 34, "PER")];
    let a = auto(&l, &gold, &[], MergeRule::Majority);
    assert_eq!(a.add, [Span::new(0, 3, "PER")]);
    assert_eq!(
        a.report,
        AutoReport {
            documents: 1,
            agreed: 1,
            disagreements: 1,
            already_in_gold: 2,
        }
    );
    // Unanimous: قال is open, the marked Deir ez-Zor and the curator's «آمنة» not.
    let u = auto(&l, &gold, &[(20, 29)], MergeRule::Unanimous);
    assert!(u.add.is_empty());
    let mut total = a.report;
    total += u.report;
    assert_eq!(
        total.to_string(),
        "2 documents: 1 agreed span added to gold, 3 already in gold, 2 disagreements left to adjudicate"
    );
}

const NAMES: [&str; 5] = ["amal", "basel", "carim", "dina", "emad"];

fn a_span() -> impl Strategy<Value = Span> {
    (
        0usize..30,
        1usize..8,
        prop::sample::select(&["LOC", "ORG", "PER"][..]),
    )
        .prop_map(|(start, len, label)| Span::new(start, start + len, label))
}

fn some_layers() -> impl Strategy<Value = BTreeMap<String, Vec<Span>>> {
    prop::collection::vec(prop::collection::vec(a_span(), 0..6), 1..=NAMES.len()).prop_map(|ls| {
        ls.into_iter()
            .zip(NAMES)
            .map(|(s, n)| (n.to_string(), s))
            .collect()
    })
}

fn a_rule() -> impl Strategy<Value = MergeRule> {
    prop::sample::select(&MergeRule::ALL[..])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn every_span_is_agreed_or_in_exactly_one_disagreement(l in some_layers(), rule in a_rule()) {
        let m = merge(&l, rule);
        for w in m.disagreements.windows(2) {
            prop_assert!(w[0].end <= w[1].start, "{:?} overlaps {:?}", w[0], w[1]);
        }
        for s in l.values().flatten() {
            let inside = m.disagreements.iter().filter(|d| d.start <= s.start && s.end <= d.end).count();
            let agreed = m.agreed.contains(s);
            prop_assert!(agreed != (inside == 1) && inside <= 1, "{:?}: agreed {}, in {} disagreements", s, agreed, inside);
        }
        for s in &m.agreed {
            prop_assert!(m.disagreements.iter().all(|d| s.end <= d.start || d.end <= s.start));
        }
        for d in &m.disagreements {
            let mut who: Vec<&str> = d.variants.iter().flat_map(|v| v.annotators.iter().map(String::as_str)).collect();
            who.sort_unstable();
            prop_assert_eq!(who, l.keys().map(String::as_str).collect::<Vec<_>>());
            // A disagreement of two or more annotators has two readings at least.
            prop_assert!(l.len() < 2 || d.variants.len() >= 2, "{:?}", d);
            for w in d.variants.windows(2) {
                prop_assert!(w[0].annotators.len() >= w[1].annotators.len());
            }
        }
    }

    #[test]
    fn two_identical_layers_agree_on_everything(spans in prop::collection::vec(a_span(), 0..8)) {
        let l = layers(&[("amal", spans.clone()), ("basel", spans.clone())]);
        let m = merge(&l, MergeRule::Unanimous);
        prop_assert!(m.disagreements.is_empty());
        let mut want = spans;
        want.sort();
        want.dedup();
        prop_assert_eq!(m.agreed, want);
    }

    #[test]
    fn auto_only_adds_agreed_spans_clear_of_gold(
        l in some_layers(),
        gold in prop::collection::vec(a_span(), 0..4),
        rule in a_rule(),
    ) {
        let m = merge(&l, rule);
        let a = auto(&l, &gold, &[], rule);
        for s in &a.add {
            prop_assert!(m.agreed.contains(s));
            prop_assert!(gold.iter().all(|g| !overlaps((g.start, g.end), (s.start, s.end))));
        }
        prop_assert_eq!(a.report.agreed + a.report.already_in_gold, m.agreed.len());
        prop_assert_eq!(a.report.disagreements, open_disagreements(&m, &gold, &[]).len());
    }
}
