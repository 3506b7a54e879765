//! Training the tagger from gold documents, and measuring it on documents it never
//! saw, without leaking names from the lists into the figures.
//!
//! The NewsFANE lists (`newsfane-*.tsv`) hold the names of half the corpus. A model
//! trained on those documents with those lists as features would learn to trust
//! the lists and fail on new text, so its list features come from lists built
//! cross-fold: a document's list evidence comes from lists made of the other folds'
//! documents only, by the rule `scripts/gazetteers/build_newsfane.py` uses (the
//! majority label of a surface; a single word kept only when it is annotated at
//! least as often as not). Cross-validation does the same one level up: the test
//! fold's lists and model are made of the training folds alone.
//!
//! Must not: read files or print (the callers do), touch the terminal or the store.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use crate::corpus::DocRecord;
use crate::eval::{Scores, Unit, record_spans, replay, suggestion_spans};
use crate::offsets::{OffsetMap, Offsets};
use crate::suggest::dict::DocTokens;
use crate::suggest::gazetteer::{BUILTIN, Gazetteer};
use crate::suggest::labels::LabelSet;
use crate::suggest::normalize::{CONJUNCTIONS, PREPOSITIONS, TokenKind, fold};
use crate::suggest::rules::Rules;
use crate::suggest::tagger::{self, Example, Model, O, b_tag, i_tag};
use crate::suggest::{Engine, Suggestion};

/// Training settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Labels the tagger learns (others in the data are outside any name for it).
    pub labels: Vec<String>,
    /// Passes of the perceptron over the data.
    pub epochs: usize,
    /// Folds for the cross-fold lists (and the held-out calibration fold).
    pub folds: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            labels: ["PER", "ORG", "LOC", "FAC"].map(String::from).to_vec(),
            epochs: 12,
            folds: 5,
        }
    }
}

/// The list files (name, contents) built from `docs` like the NewsFANE lists.
pub fn lists_from(docs: &[&DocRecord], labels: &[String]) -> Vec<(String, String)> {
    // Folded words and how often each is a whole gold span (without its proclitic)
    // or touches none.
    let mut annotated: HashMap<String, u32> = HashMap::default();
    let mut plain: HashMap<String, u32> = HashMap::default();
    let mut surfaces: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    for d in docs {
        let text = &d.text;
        let map = OffsetMap::new(text, Offsets::CodePoints);
        let spans: Vec<(usize, usize, &str)> = d
            .spans
            .iter()
            .filter_map(|s| {
                Some((
                    map.to_byte(s.start, text)?,
                    map.to_byte(s.end, text)?,
                    s.label.as_str(),
                ))
            })
            .collect();
        let doc = DocTokens::new(text);
        for &(s, e, label) in &spans {
            let surface: String = text[s..e].split_whitespace().collect::<Vec<_>>().join(" ");
            let surface = strip_fused(&surface);
            if !surface.is_empty() {
                *surfaces
                    .entry(surface)
                    .or_default()
                    .entry(label.to_string())
                    .or_default() += 1;
            }
        }
        for (i, t) in doc.tokens.iter().enumerate() {
            if t.kind != TokenKind::Word {
                continue;
            }
            let exact = spans.iter().find(|&&(s, e, _)| {
                e == t.end
                    && (s == t.start || doc.stripped[i].iter().any(|r| t.start + r.skip_bytes == s))
            });
            if let Some(&(s, _, _)) = exact {
                let key = if s == t.start {
                    t.norm.to_string()
                } else {
                    doc.stripped[i]
                        .iter()
                        .find(|r| t.start + r.skip_bytes == s)
                        .map_or(t.norm.to_string(), |r| r.norm.to_string())
                };
                *annotated.entry(key).or_default() += 1;
            } else if !spans.iter().any(|&(s, e, _)| s < t.end && t.start < e) {
                *plain.entry(t.norm.to_string()).or_default() += 1;
                for r in &doc.stripped[i] {
                    *plain.entry(r.norm.to_string()).or_default() += 1;
                }
            }
        }
    }
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (surface, counts) in surfaces {
        let total: u32 = counts.values().sum();
        let Some((label, &n)) = counts.iter().max_by_key(|(_, n)| **n) else {
            continue;
        };
        if 2 * n <= total || !labels.contains(label) {
            continue;
        }
        if !surface.contains(' ') {
            let f = fold(&surface);
            let a = annotated.get(&f).copied().unwrap_or(0);
            let p = plain.get(&f).copied().unwrap_or(0);
            if a < p {
                continue;
            }
        }
        out.entry(label.clone()).or_default().insert(surface);
    }
    out.into_iter()
        .map(|(label, set)| {
            let body: String = set.iter().map(|s| format!("{s}\t{label}\n")).collect();
            (format!("newsfane-{}", label.to_lowercase()), body)
        })
        .collect()
}

/// A fused لل is ال; a leading و/ف/ب/ك before ال is a proclitic.
fn strip_fused(s: &str) -> String {
    let mut s = s.to_string();
    for p in CONJUNCTIONS {
        if let Some(rest) = s.strip_prefix(p)
            && rest.starts_with("لل")
        {
            s = rest.to_string();
        }
    }
    if s.starts_with("لل") && s.chars().count() > 3 {
        s = format!("ا{}", &s["ل".len()..]);
    } else {
        // (ل before ال is written لل, above.)
        for p in CONJUNCTIONS
            .iter()
            .chain(&PREPOSITIONS)
            .filter(|&&p| p != 'ل')
        {
            if let Some(rest) = s.strip_prefix(*p)
                && rest.starts_with("ال")
                && s.chars().count() > 4
            {
                s = rest.to_string();
                break;
            }
        }
    }
    s
}

/// An engine with the embedded lists, except the NewsFANE ones, which `lists`
/// (built by [`lists_from`]) replace; and `model`.
pub fn engine_with_lists(lists: &[(String, String)], model: Option<Arc<Model>>) -> Engine {
    let labels = LabelSet::builtin();
    let mut gazetteer = Gazetteer::default();
    for (name, score, src) in BUILTIN {
        if !name.starts_with("newsfane") {
            gazetteer
                .add(name, *score, src, &labels, true)
                .expect("embedded gazetteers load");
        }
    }
    for (name, src) in lists {
        let score = BUILTIN
            .iter()
            .find(|(n, _, _)| n == name)
            .map_or(0.85, |b| b.1);
        gazetteer
            .add(name, score, src, &labels, true)
            .expect("built lists load");
    }
    let rules = Rules::builtin(&labels);
    Engine::new(labels, gazetteer, rules).with_model(model)
}

/// The training lines of one document: features from `engine`, gold tags for
/// the spans whose label the tagger learns.
pub fn examples(engine: &Engine, doc: &DocRecord, labels: &[String]) -> Vec<Example> {
    let text = &doc.text;
    let map = OffsetMap::new(text, Offsets::CodePoints);
    let toks = DocTokens::new(text);
    let feats = engine.token_features(&toks);
    let mut gold = vec![O; toks.tokens.len()];
    for s in &doc.spans {
        let Some(k) = labels.iter().position(|l| *l == s.label) else {
            continue;
        };
        let (Some(start), Some(end)) = (map.to_byte(s.start, text), map.to_byte(s.end, text))
        else {
            continue;
        };
        let std::ops::Range {
            start: first,
            end: last,
        } = toks.token_range(start, end);
        if first == last || gold[first..last].iter().any(|&g| g != O) {
            continue;
        }
        gold[first] = b_tag(k);
        for g in &mut gold[first + 1..last] {
            *g = i_tag(k);
        }
    }
    let mut feats = feats.into_iter();
    tagger::lines_of(&tagger::line_ids(&toks))
        .into_iter()
        .map(|r| Example {
            feats: feats.by_ref().take(r.len()).collect(),
            gold: gold[r].to_vec(),
        })
        .collect()
}

/// Splits `n` items into `k` contiguous folds: the fold of item `i`.
pub fn fold_of(i: usize, n: usize, k: usize) -> usize {
    (i * k / n.max(1)).min(k - 1)
}

/// The training lines of `docs`, each document's list features from lists built
/// of the documents in the other folds.
fn cross_fold_examples(docs: &[&DocRecord], settings: &Settings) -> Vec<Vec<Example>> {
    let n = docs.len();
    let k = settings.folds.max(2);
    let mut per_doc: Vec<Vec<Example>> = (0..n).map(|_| Vec::new()).collect();
    for f in 0..k {
        let others: Vec<&DocRecord> = (0..n)
            .filter(|&i| fold_of(i, n, k) != f)
            .map(|i| docs[i])
            .collect();
        let engine = engine_with_lists(&lists_from(&others, &settings.labels), None);
        for i in (0..n).filter(|&i| fold_of(i, n, k) == f) {
            per_doc[i] = examples(&engine, docs[i], &settings.labels);
        }
    }
    per_doc
}

/// Trains the tagger on `docs`: cross-fold list features, a calibration curve fitted
/// on one held-out fold (a model trained without it), then the model on all.
pub fn train_model(docs: &[&DocRecord], settings: &Settings) -> Model {
    let per_doc = cross_fold_examples(docs, settings);
    let n = docs.len();
    let k = settings.folds.max(2);
    let mut fit = Vec::new();
    let mut held = Vec::new();
    for (i, ex) in per_doc.into_iter().enumerate() {
        if fold_of(i, n, k) == 0 {
            held.extend(ex);
        } else {
            fit.extend(ex);
        }
    }
    let mut first = tagger::train(settings.labels.clone(), &fit, settings.epochs);
    first.calibrate(&held);
    let calib = first.calibration();
    fit.extend(held);
    let mut model = tagger::train(settings.labels.clone(), &fit, settings.epochs);
    model.set_calibration(calib);
    model
}

/// Scores of one fold of cross-validation.
pub struct FoldScores {
    pub fold: usize,
    pub docs: usize,
    /// Lists and rules alone (the fold's lists), cold.
    pub lists: Scores,
    /// Lists, rules and the tagger, cold.
    pub cold: Scores,
    /// The same, replayed: the analyst settles each paragraph and the memory and
    /// the tagger learn before the next.
    pub replay: Scores,
}

/// K-fold cross-validation over `docs` (contiguous folds): for each fold, lists and
/// tagger made of the other folds only, scored on it cold and replayed.
pub fn cross_validate(
    docs: &[DocRecord],
    settings: &Settings,
    keep: Option<&HashSet<String>>,
) -> Vec<FoldScores> {
    let n = docs.len();
    let k = settings.folds.max(2);
    let mut out = Vec::new();
    for f in 0..k {
        let train: Vec<&DocRecord> = (0..n)
            .filter(|&i| fold_of(i, n, k) != f)
            .map(|i| &docs[i])
            .collect();
        let test: Vec<DocRecord> = (0..n)
            .filter(|&i| fold_of(i, n, k) == f)
            .map(|i| docs[i].clone())
            .collect();
        let lists = lists_from(&train, &settings.labels);
        let model = Arc::new(train_model(&train, settings));
        let plain = engine_with_lists(&lists, None);
        let engine = engine_with_lists(&lists, Some(model));
        let cold_of = |e: &Engine| {
            let mut s = Scores::default();
            for d in &test {
                let sugg: Vec<Suggestion> = e.suggest(&d.text, None);
                s.add_doc(
                    &d.text,
                    &record_spans(d),
                    &suggestion_spans(&d.text, &sugg),
                    keep,
                );
            }
            s
        };
        let lists_scores = cold_of(&plain);
        let cold = cold_of(&engine);
        let (replayed, _) = replay(
            &engine,
            &test,
            keep,
            Unit::Paragraph,
            0,
            |_, _| {},
            |_, _| {},
        );
        out.push(FoldScores {
            fold: f,
            docs: test.len(),
            lists: lists_scores,
            cold,
            replay: replayed,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, text: &str, spans: &[(&str, &str)]) -> DocRecord {
        let mut out = Vec::new();
        for (surface, label) in spans {
            let b = text.find(surface).unwrap();
            let s = text[..b].chars().count();
            out.push(crate::corpus::SpanRecord {
                start: s,
                end: s + surface.chars().count(),
                label: label.to_string(),
                source: None,
                score: None,
                state: None,
            });
        }
        DocRecord {
            id: id.into(),
            text: text.into(),
            spans: out,
            meta: None,
        }
    }

    #[test]
    fn lists_keep_majority_labels_and_words_more_often_names_than_not() {
        let d1 = doc(
            "a",
            "قال وزير خارجية المانيا يوشكا فيشر في برلين ان الامل ضعيف",
            &[("المانيا", "LOC"), ("يوشكا فيشر", "PER"), ("برلين", "LOC")],
        );
        let d2 = doc(
            "b",
            "وصل فيشر الى برلين وقال ان الامل كبير",
            &[("فيشر", "PER"), ("برلين", "LOC")],
        );
        let labels = Settings::default().labels;
        let lists = lists_from(&[&d1, &d2], &labels);
        let get = |n: &str| {
            lists
                .iter()
                .find(|(name, _)| name == n)
                .map(|(_, s)| s.clone())
                .unwrap_or_default()
        };
        assert!(get("newsfane-loc").contains("برلين\tLOC"));
        assert!(get("newsfane-per").contains("يوشكا فيشر\tPER"));
        assert!(get("newsfane-per").contains("فيشر\tPER"));
        // Never a name: not listed.
        assert!(!lists.iter().any(|(_, s)| s.contains("الامل")));
    }

    #[test]
    fn fused_proclitics_are_taken_off_list_surfaces() {
        assert_eq!(strip_fused("للامم المتحدة"), "الامم المتحدة");
        assert_eq!(strip_fused("والجيش الحر"), "الجيش الحر");
        assert_eq!(strip_fused("بغداد"), "بغداد");
    }

    #[test]
    fn folds_are_contiguous_and_cover_everything() {
        let folds: Vec<usize> = (0..10).map(|i| fold_of(i, 10, 5)).collect();
        assert_eq!(folds, vec![0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    }
}
