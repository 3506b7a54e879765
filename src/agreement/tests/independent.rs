//! The same figures by a second route: sets of `(document, start, end, label)` for
//! F1, a confusion matrix of tag names for Cohen's kappa, and a rating table for
//! Fleiss', each computed the textbook way, compared with [`compute`] on random
//! documents. Only the tokenizer is shared (it is not what is tested here).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use proptest::prelude::*;

use super::super::*;
use super::all;
use crate::offsets::byte_of_code_point;

type Key = (usize, usize, usize, String);

/// An annotator's spans (label-filtered, in bytes) in one document.
fn spans_of(
    d: &DocLayers,
    who: &str,
    labels: Option<&BTreeSet<String>>,
) -> Vec<(usize, usize, String)> {
    d.layers[who]
        .iter()
        .filter(|s| labels.is_none_or(|l| l.contains(&s.label)))
        .map(|s| {
            (
                byte_of_code_point(&d.text, s.start).unwrap(),
                byte_of_code_point(&d.text, s.end).unwrap(),
                s.label.clone(),
            )
        })
        .collect()
}

/// The tag name of every token: the covering span that starts first, is longest,
/// then has the first label; `B-` on its first token.
fn tag_names(tokens: &[Token], spans: &[(usize, usize, String)]) -> Vec<String> {
    tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let owner = spans
                .iter()
                .filter(|s| s.0 <= t.start && t.end <= s.1)
                .min_by(|x, y| (x.0, y.1, &x.2).cmp(&(y.0, x.1, &y.2)));
            match owner {
                None => "O".to_string(),
                Some(s) => {
                    let first = tokens.iter().position(|u| u.start >= s.0).unwrap();
                    format!("{}-{}", if first == i { "B" } else { "I" }, s.2)
                }
            }
        })
        .collect()
}

fn tokens_of(text: &str, layers: &[&Vec<(usize, usize, String)>]) -> Vec<Token> {
    let cuts: Vec<usize> = layers
        .iter()
        .flat_map(|l| l.iter().flat_map(|s| [s.0, s.1]))
        .collect();
    tokenize_for_spans(text, &cuts)
}

struct Naive {
    documents: usize,
    f1: Option<f64>,
    labels: BTreeMap<String, Option<f64>>,
    kappa: Option<f64>,
}

fn naive_pair(docs: &[DocLayers], a: &str, b: &str, labels: Option<&BTreeSet<String>>) -> Naive {
    let (mut sa, mut sb) = (HashSet::<Key>::new(), HashSet::<Key>::new());
    let mut confusion: HashMap<(String, String), f64> = HashMap::new();
    let mut documents = 0;
    for (n, d) in docs.iter().enumerate() {
        if !(d.layers.contains_key(a) && d.layers.contains_key(b)) {
            continue;
        }
        documents += 1;
        let (x, y) = (spans_of(d, a, labels), spans_of(d, b, labels));
        sa.extend(x.iter().map(|s| (n, s.0, s.1, s.2.clone())));
        sb.extend(y.iter().map(|s| (n, s.0, s.1, s.2.clone())));
        let tokens = tokens_of(&d.text, &[&x, &y]);
        for (p, q) in tag_names(&tokens, &x)
            .into_iter()
            .zip(tag_names(&tokens, &y))
        {
            *confusion.entry((p, q)).or_default() += 1.0;
        }
    }
    let f1 = |a: &HashSet<Key>, b: &HashSet<Key>| {
        let m = a.intersection(b).count() as f64;
        (a.len() + b.len() > 0).then(|| 2.0 * m / (a.len() + b.len()) as f64)
    };
    let used: BTreeSet<String> = sa.iter().chain(&sb).map(|k| k.3.clone()).collect();
    let per_label = used
        .into_iter()
        .map(|l| {
            let only = |s: &HashSet<Key>| s.iter().filter(|k| k.3 == l).cloned().collect();
            let v = f1(&only(&sa), &only(&sb));
            (l, v)
        })
        .collect();
    // Cohen's kappa from the confusion matrix.
    let n: f64 = confusion.values().sum();
    let kappa = if n == 0.0 {
        None
    } else {
        let cats: BTreeSet<&String> = confusion.keys().flat_map(|(p, q)| [p, q]).collect();
        let row = |k: &String| {
            confusion
                .iter()
                .filter(|((p, _), _)| p == k)
                .map(|(_, c)| c)
                .sum::<f64>()
        };
        let col = |k: &String| {
            confusion
                .iter()
                .filter(|((_, q), _)| q == k)
                .map(|(_, c)| c)
                .sum::<f64>()
        };
        let po = confusion
            .iter()
            .filter(|((p, q), _)| p == q)
            .map(|(_, c)| c)
            .sum::<f64>()
            / n;
        let pe: f64 = cats.iter().map(|k| row(k) * col(k)).sum::<f64>() / (n * n);
        ((1.0 - pe).abs() > 1e-12).then(|| (po - pe) / (1.0 - pe))
    };
    Naive {
        documents,
        f1: f1(&sa, &sb),
        labels: per_label,
        kappa,
    }
}

/// Fleiss' kappa from a table of ratings: one row per token, the number of raters
/// that gave each tag (rows may have different totals: Gwet's form).
fn naive_fleiss(docs: &[DocLayers], labels: Option<&BTreeSet<String>>) -> Option<f64> {
    let mut table: Vec<BTreeMap<String, usize>> = Vec::new();
    for d in docs {
        let raters: Vec<Vec<(usize, usize, String)>> = d
            .layers
            .keys()
            .filter(|k| *k != GOLD)
            .map(|k| spans_of(d, k, labels))
            .collect();
        if raters.len() < 2 {
            continue;
        }
        let tokens = tokens_of(&d.text, &raters.iter().collect::<Vec<_>>());
        let tagged: Vec<Vec<String>> = raters.iter().map(|r| tag_names(&tokens, r)).collect();
        for t in 0..tokens.len() {
            let mut row = BTreeMap::new();
            for r in &tagged {
                *row.entry(r[t].clone()).or_default() += 1;
            }
            table.push(row);
        }
    }
    if table.is_empty() {
        return None;
    }
    let n = table.len() as f64;
    let mut po = 0.0;
    let mut pi: BTreeMap<&String, f64> = BTreeMap::new();
    for row in &table {
        let r: usize = row.values().sum();
        po += row.values().map(|&c| (c * (c - 1)) as f64).sum::<f64>() / (r * (r - 1)) as f64;
        for (k, &c) in row {
            *pi.entry(k).or_default() += c as f64 / r as f64 / n;
        }
    }
    po /= n;
    let pe: f64 = pi.values().map(|p| p * p).sum();
    ((1.0 - pe).abs() > 1e-12).then(|| (po - pe) / (1.0 - pe))
}

fn same(x: Option<f64>, y: Option<f64>) -> bool {
    match (x, y) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

const WORDS: &[&str] = &[
    "قال",
    "والجيش",
    "السوري",
    "ماكرون",
    "في",
    "باريس",
    "«داعش»",
    "،",
    "2019",
    "للأمم",
];
const NAMES: &[&str] = &["amal", "basel", "cyrus", "gold"];
const LABELS: &[&str] = &["PER", "LOC", "ORG"];

fn a_doc() -> impl Strategy<Value = DocLayers> {
    (
        prop::collection::vec((0..WORDS.len(), prop::bool::weighted(0.1)), 1..10),
        prop::collection::vec(
            prop::option::weighted(
                0.75,
                prop::collection::vec((0usize..80, 0usize..14, 0..LABELS.len()), 0..5),
            ),
            NAMES.len(),
        ),
    )
        .prop_map(|(words, layers)| {
            let text = words
                .iter()
                .map(|&(w, two)| format!("{}{}", WORDS[w], if two { "  " } else { " " }))
                .collect::<String>();
            let len = text.chars().count();
            let layers = NAMES
                .iter()
                .zip(layers)
                .filter_map(|(name, spans)| {
                    let spans = spans?
                        .into_iter()
                        .map(|(s, l, lab)| {
                            let s = s % len;
                            Span::new(s, (s + l).min(len), LABELS[lab])
                        })
                        .collect();
                    Some((name.to_string(), spans))
                })
                .collect();
            DocLayers {
                id: "d".into(),
                text,
                layers,
            }
        })
}

fn a_filter() -> impl Strategy<Value = Option<BTreeSet<String>>> {
    prop::option::of(prop::collection::btree_set(
        prop::sample::select(LABELS).prop_map(String::from),
        1..3,
    ))
}

fn check_pair(p: &Pair, n: &Naive) -> Result<(), TestCaseError> {
    prop_assert_eq!(p.documents, n.documents);
    prop_assert!(
        same(p.f1, n.f1),
        "{} {}: F1 {:?} vs {:?}",
        p.a,
        p.b,
        p.f1,
        n.f1
    );
    prop_assert!(
        same(p.kappa, n.kappa),
        "{} {}: kappa {:?} vs {:?}",
        p.a,
        p.b,
        p.kappa,
        n.kappa
    );
    let labels: BTreeMap<String, Option<f64>> =
        p.labels.iter().map(|(l, x)| (l.clone(), x.f1)).collect();
    prop_assert_eq!(
        labels.keys().collect::<Vec<_>>(),
        n.labels.keys().collect::<Vec<_>>()
    );
    for (l, x) in &labels {
        prop_assert!(same(*x, n.labels[l]), "{}: {:?} vs {:?}", l, x, n.labels[l]);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn figures_agree_with_a_second_route(docs in prop::collection::vec(a_doc(), 1..5), labels in a_filter()) {
        let r = compute(&docs, &Options { labels: labels.clone() }).unwrap();
        let annotators: BTreeSet<&str> = docs.iter().flat_map(|d| d.layers.keys().map(String::as_str)).filter(|n| *n != GOLD).collect();
        prop_assert_eq!(r.pairs.len(), annotators.len() * annotators.len().saturating_sub(1) / 2);
        for p in &r.pairs {
            check_pair(p, &naive_pair(&docs, &p.a, &p.b, labels.as_ref()))?;
        }
        for p in &r.gold {
            prop_assert_eq!(p.b.as_str(), GOLD);
            check_pair(p, &naive_pair(&docs, &p.a, GOLD, labels.as_ref()))?;
        }
        let f = naive_fleiss(&docs, labels.as_ref());
        prop_assert!(same(r.fleiss_kappa, f), "Fleiss {:?} vs {:?}", r.fleiss_kappa, f);
    }

    #[test]
    fn f1_and_kappa_do_not_depend_on_who_is_a(docs in prop::collection::vec(a_doc(), 1..5)) {
        let swapped: Vec<DocLayers> = docs.iter().map(|d| {
            let mut d = d.clone();
            let a = d.layers.remove("amal");
            let b = d.layers.remove("basel");
            if let Some(a) = a { d.layers.insert("basel".into(), a); }
            if let Some(b) = b { d.layers.insert("amal".into(), b); }
            d
        }).collect();
        let (r, s) = (compute(&docs, &all()).unwrap(), compute(&swapped, &all()).unwrap());
        let ab = |r: &Report| r.pairs.iter().find(|p| p.a == "amal" && p.b == "basel").cloned();
        if let (Some(p), Some(q)) = (ab(&r), ab(&s)) {
            prop_assert_eq!((p.spans_a, p.spans_b, p.matches), (q.spans_b, q.spans_a, q.matches));
            prop_assert_eq!(p.f1, q.f1);
            prop_assert!(same(p.kappa, q.kappa), "{:?} vs {:?}", p.kappa, q.kappa);
            prop_assert!(same(r.fleiss_kappa, s.fleiss_kappa));
        }
    }

    #[test]
    fn an_annotator_agrees_fully_with_a_copy_of_itself(d in a_doc()) {
        let mut d = d;
        let amal = d.layers.get("amal").cloned().unwrap_or_default();
        d.layers = [("amal".to_string(), amal.clone()), ("basel".to_string(), amal.clone())].into();
        let r = compute(&[d], &all()).unwrap();
        let p = &r.pairs[0];
        prop_assert_eq!(p.f1, (!amal.is_empty()).then_some(1.0));
        // Kappa is 1, or does not exist when every token is O (nothing but white
        // space marked, or nothing at all).
        prop_assert!(p.kappa.is_none_or(|k| (k - 1.0).abs() < 1e-12), "{:?}", p.kappa);
        prop_assert!(r.fleiss_kappa.is_none_or(|k| (k - 1.0).abs() < 1e-12));
        prop_assert_eq!(p.kappa.is_some(), r.fleiss_kappa.is_some());
    }
}
