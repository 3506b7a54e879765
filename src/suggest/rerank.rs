//! What the analyst's decisions say about context: an online logistic model over the
//! features of each suggestion they settled (its source, label, words, the words
//! around it), so that a string right in one context and wrong in another (المدينة
//! the city / Medina, العربية the adjective / the channel) stops being suggested
//! where it has been wrong. It only ever removes suggestions, and only once it has
//! seen enough decisions.
//!
//! Must not: change offsets or invent spans.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::dict::DocTokens;
use super::normalize::TokenKind;

/// Decisions needed before the model may remove a suggestion.
pub const MIN_DECISIONS: u32 = 40;
/// Below this probability of being accepted, a suggestion is not shown.
pub const THRESHOLD: f32 = 0.5;
const RATE: f32 = 0.2;
/// A source wrong more often than right for a label is switched off for it...
pub const SOURCE_OFF: f32 = 0.5;
/// ...once it has had this many decisions.
pub const SOURCE_MIN: u32 = 20;

/// The model: one weight per feature.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Reranker {
    weights: HashMap<String, f32>,
    decisions: u32,
    /// Per "source|label": (accepted, rejected).
    #[serde(default)]
    sources: HashMap<String, (u32, u32)>,
}

/// The features of a span `start..end` labelled `label` from `source`.
pub fn features(
    doc: &DocTokens,
    start: usize,
    end: usize,
    label: &str,
    source: &str,
) -> Vec<String> {
    let toks = &doc.tokens;
    let range = doc.token_range(start, end);
    let (first, last) = (range.start, range.end.saturating_sub(1));
    let norm = |i: Option<usize>| -> &str {
        match i.and_then(|i| toks.get(i)) {
            Some(t) if t.kind == TokenKind::Number => "<num>",
            Some(t) => t.norm.as_str(),
            None => "<edge>",
        }
    };
    let text: Vec<&str> = (first..=last.max(first))
        .filter_map(|i| toks.get(i).map(|t| t.norm.as_str()))
        .collect();
    let prev = first.checked_sub(1);
    let next = Some(last + 1);
    let stripped = toks.get(first).is_some_and(|t| t.start < start);
    let kind = source.split(':').next().unwrap_or(source);
    vec![
        format!("b|{label}"),
        format!("s|{source}|{label}"),
        format!("k|{kind}|{label}"),
        format!("t|{}|{label}", text.join(" ")),
        format!("p|{}|{label}", norm(prev)),
        format!("n|{}|{label}", norm(next)),
        format!("pt|{}|{}|{label}", norm(prev), text.join(" ")),
        format!("nt|{}|{}|{label}", text.join(" "), norm(next)),
        format!("len|{}|{label}", text.len().min(4)),
        format!("strip|{stripped}|{label}"),
    ]
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Reranker {
    /// Probability that a suggestion with these features is accepted.
    pub fn prob(&self, feats: &[String]) -> f32 {
        let z: f32 = feats
            .iter()
            .filter_map(|f| self.weights.get(f))
            .sum::<f32>();
        // An unseen context leans towards showing the suggestion.
        sigmoid(z + 1.0)
    }

    /// True when the model has seen enough to judge, judges against, and has itself
    /// seen this string, or this string in this context, rejected: general features
    /// (label, source, neighbours) may tip a known case, never condemn an unknown one.
    pub fn rejects(&self, feats: &[String]) -> bool {
        let specific = feats.iter().any(|f| {
            (f.starts_with("t|") || f.starts_with("pt|") || f.starts_with("nt|"))
                && self.weights.get(f).is_some_and(|w| *w < 0.0)
        });
        self.decisions >= MIN_DECISIONS && specific && self.prob(feats) < THRESHOLD
    }

    /// A source that has been wrong for a label more often than [`SOURCE_OFF`] allows,
    /// over at least [`SOURCE_MIN`] decisions (a rule that does not fit this corpus's
    /// conventions), is switched off for that label, as INCEpTION switches off
    /// recommenders that score badly.
    pub fn source_off(&self, source: &str, label: &str) -> bool {
        let key = format!("{source}|{label}");
        self.sources
            .get(&key)
            .is_some_and(|&(a, r)| a + r >= SOURCE_MIN && (a as f32) < SOURCE_OFF * (a + r) as f32)
    }

    /// Counts one decision on a suggestion from `source` with `label`.
    pub fn count_source(&mut self, source: &str, label: &str, accepted: bool) {
        let c = self.sources.entry(format!("{source}|{label}")).or_default();
        if accepted {
            c.0 += 1;
        } else {
            c.1 += 1;
        }
    }

    /// One decision: `accepted` or not.
    pub fn learn(&mut self, feats: &[String], accepted: bool) {
        let y = if accepted { 1.0 } else { 0.0 };
        let g = RATE * (y - self.prob(feats));
        for f in feats {
            *self.weights.entry(f.clone()).or_insert(0.0) += g;
        }
        self.decisions += 1;
    }

    pub fn decisions(&self) -> u32 {
        self.decisions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_that_a_context_is_wrong_without_forgetting_the_right_one() {
        let text = "الدول العربية و قناة العربية";
        let doc = DocTokens::new(text);
        let adj = text.find("العربية").unwrap();
        let chan = text.rfind("العربية").unwrap();
        let f_adj = features(&doc, adj, adj + "العربية".len(), "ORG", "gazetteer:curated");
        let f_chan = features(
            &doc,
            chan,
            chan + "العربية".len(),
            "ORG",
            "gazetteer:curated",
        );
        let mut r = Reranker::default();
        assert!(!r.rejects(&f_adj), "nothing learnt yet");
        for _ in 0..MIN_DECISIONS {
            r.learn(&f_adj, false);
            r.learn(&f_chan, true);
        }
        assert!(r.rejects(&f_adj));
        assert!(!r.rejects(&f_chan));
    }

    #[test]
    fn a_source_wrong_more_often_than_right_is_switched_off_for_that_label() {
        let mut r = Reranker::default();
        for i in 0..SOURCE_MIN {
            r.count_source("rule:head", "ORG", i % 3 == 0);
            r.count_source("rule:head", "LOC", true);
        }
        assert!(r.source_off("rule:head", "ORG"));
        assert!(!r.source_off("rule:head", "LOC"));
        assert!(
            !r.source_off("rule:title", "PER"),
            "no decisions, no verdict"
        );
    }
}
