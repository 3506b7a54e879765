//! Scoring suggestions against gold spans, and replaying an analyst over a corpus.
//!
//! Exact match: same label and span, where a difference made only of leading
//! proclitic letters (و ف ب ك ل) counts as a match (corpora disagree on them). Overlap
//! match: same label, spans that share a character. Both one-to-one.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use crate::corpus::DocRecord;
use crate::offsets::{OffsetMap, Offsets, convert_sorted};
use crate::suggest::dict::DocTokens;
use crate::suggest::memory::Memory;
use crate::suggest::normalize::is_proclitic;
use crate::suggest::{DocNames, Engine, Suggestion};

/// A span in code points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub label: String,
}

/// Counts for one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabelCounts {
    pub gold: usize,
    pub pred: usize,
    pub tp: usize,
    pub overlap_tp: usize,
}

fn prf(tp: usize, pred: usize, gold: usize) -> (f64, f64, f64) {
    let p = if pred == 0 {
        0.0
    } else {
        tp as f64 / pred as f64
    };
    let r = if gold == 0 {
        0.0
    } else {
        tp as f64 / gold as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

impl LabelCounts {
    pub fn prf(&self) -> (f64, f64, f64) {
        prf(self.tp, self.pred, self.gold)
    }
    pub fn overlap_f1(&self) -> f64 {
        prf(self.overlap_tp, self.pred, self.gold).2
    }
    fn add(&mut self, o: &LabelCounts) {
        self.gold += o.gold;
        self.pred += o.pred;
        self.tp += o.tp;
        self.overlap_tp += o.overlap_tp;
    }
}

/// Counts per label, accumulated over documents.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    pub labels: BTreeMap<String, LabelCounts>,
}

/// True when `a` and `b` are the same span but for leading proclitic letters.
pub fn same_span(chars: &[char], a: &Span, b: &Span) -> bool {
    if a.label != b.label || a.end != b.end {
        return false;
    }
    let (lo, hi) = (a.start.min(b.start), a.start.max(b.start));
    hi - lo <= 3 && chars[lo..hi].iter().all(|&c| is_proclitic(c))
}

impl Scores {
    /// Scores one document. `keep` limits the labels counted (None: all).
    pub fn add_doc(
        &mut self,
        text: &str,
        gold: &[Span],
        pred: &[Span],
        keep: Option<&HashSet<String>>,
    ) {
        let chars: Vec<char> = text.chars().collect();
        let kept = |s: &&Span| keep.is_none_or(|k| k.contains(&s.label));
        let gold: Vec<&Span> = gold.iter().filter(kept).collect();
        let pred: Vec<&Span> = pred.iter().filter(kept).collect();
        for g in &gold {
            self.labels.entry(g.label.clone()).or_default().gold += 1;
        }
        for p in &pred {
            self.labels.entry(p.label.clone()).or_default().pred += 1;
        }
        let mut used = vec![false; gold.len()];
        for p in &pred {
            if let Some(i) = (0..gold.len()).find(|&i| !used[i] && same_span(&chars, p, gold[i])) {
                used[i] = true;
                self.labels.get_mut(&p.label).unwrap().tp += 1;
            }
        }
        let mut used = vec![false; gold.len()];
        for p in &pred {
            let hit = (0..gold.len()).find(|&i| {
                !used[i]
                    && gold[i].label == p.label
                    && p.start < gold[i].end
                    && gold[i].start < p.end
            });
            if let Some(i) = hit {
                used[i] = true;
                self.labels.get_mut(&p.label).unwrap().overlap_tp += 1;
            }
        }
    }

    /// Adds another set of counts (folds of a cross-validation).
    pub fn merge(&mut self, o: &Scores) {
        for (l, c) in &o.labels {
            self.labels.entry(l.clone()).or_default().add(c);
        }
    }

    /// All labels together.
    pub fn micro(&self) -> LabelCounts {
        let mut m = LabelCounts::default();
        for c in self.labels.values() {
            m.add(c);
        }
        m
    }

    /// One line per label, then `micro P .. R .. F1 ..` last (scripts read it).
    pub fn report(&self) -> String {
        let mut s = String::new();
        let line = |s: &mut String, name: &str, c: &LabelCounts| {
            let (p, r, f) = c.prf();
            let _ = writeln!(
                s,
                "{name:<5} P {p:.3} R {r:.3} F1 {f:.3}  overlap-F1 {:.3}  gold {} pred {} tp {}",
                c.overlap_f1(),
                c.gold,
                c.pred,
                c.tp
            );
        };
        for (name, c) in &self.labels {
            line(&mut s, name, c);
        }
        line(&mut s, "micro", &self.micro());
        s
    }
}

/// Spans of a record in code points.
pub fn record_spans(doc: &DocRecord) -> Vec<Span> {
    doc.spans
        .iter()
        .map(|s| Span {
            start: s.start,
            end: s.end,
            label: s.label.clone(),
        })
        .collect()
}

/// Suggestions as code-point spans of `text`.
pub fn suggestion_spans(text: &str, sugg: &[Suggestion]) -> Vec<Span> {
    // Suggestions are in text order and never overlap: starts and ends interleave.
    let bytes: Vec<usize> = sugg.iter().flat_map(|s| [s.start, s.end]).collect();
    let cps = convert_sorted(text, Offsets::CodePoints, &bytes);
    sugg.iter()
        .enumerate()
        .map(|(i, s)| Span {
            start: cps[2 * i],
            end: cps[2 * i + 1],
            label: s.label.clone(),
        })
        .collect()
}

/// How much text the analyst settles before the suggestions are made again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// A paragraph at a time, as in the viewer, where every accept and reject updates
    /// the suggestions of the rest of the document at once.
    #[default]
    Paragraph,
    /// A whole document at a time: suggestions made once, before any decision on it.
    Document,
}

impl std::str::FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "paragraph" => Ok(Unit::Paragraph),
            "document" => Ok(Unit::Document),
            _ => Err(format!("'{s}' is not one of: paragraph, document")),
        }
    }
}

/// Plays an analyst over `gold` in order, `unit` by unit: suggest with the memory so
/// far, score, then accept the gold spans and reject the suggestions that were
/// wrong, so the memory learns. Calls `progress` with the cumulative scores every
/// `every` documents (0: never), `on_doc` with each document's suggestions (byte
/// offsets), and returns the final scores and the memory.
pub fn replay(
    engine: &Engine,
    gold: &[DocRecord],
    keep: Option<&HashSet<String>>,
    unit: Unit,
    every: usize,
    mut progress: impl FnMut(usize, &Scores),
    mut on_doc: impl FnMut(&DocRecord, &[Suggestion]),
) -> (Scores, Memory) {
    let mut scores = Scores::default();
    let mut memory = Memory::new();
    for (n, doc) in gold.iter().enumerate() {
        let map = OffsetMap::new(&doc.text, Offsets::CodePoints);
        let byte = |cp: usize| map.to_byte(cp, &doc.text).unwrap_or(doc.text.len());
        // Byte ranges of the units, as (start, end).
        let units: Vec<(usize, usize)> = match unit {
            Unit::Document => vec![(0, doc.text.len())],
            Unit::Paragraph => {
                let mut v = Vec::new();
                let mut at = 0;
                for line in doc.text.split_inclusive('\n') {
                    v.push((at, at + line.len()));
                    at += line.len();
                }
                v
            }
        };
        let gold_spans = record_spans(doc);
        let mut names = DocNames::default();
        let mut doc_sugg = Vec::new();
        for (start, end) in units {
            // Gold spans that start in this unit, in code points of the unit.
            let base = map.from_byte(start);
            let unit_gold: Vec<Span> = gold_spans
                .iter()
                .filter(|g| (start..end.max(start + 1)).contains(&byte(g.start)))
                .map(|g| Span {
                    start: g.start - base,
                    end: g.end - base,
                    label: g.label.clone(),
                })
                .collect();
            let text = &doc.text[start..end];
            let sugg = settle(
                engine,
                &mut memory,
                &mut scores,
                text,
                &unit_gold,
                keep,
                &names,
            );
            // What the analyst settled here is known in the document's next units.
            let chars: Vec<char> = text.chars().collect();
            for g in &unit_gold {
                let name: String = chars[g.start..g.end.min(chars.len())].iter().collect();
                names.add(&name, &g.label);
            }
            doc_sugg.extend(sugg.into_iter().map(|mut s| {
                s.start += start;
                s.end += start;
                s
            }));
        }
        on_doc(doc, &doc_sugg);
        if every > 0 && (n + 1) % every == 0 {
            progress(n + 1, &scores);
        }
    }
    (scores, memory)
}

/// One unit of the replay: suggest, score, then settle every suggestion and add the
/// missed gold spans. Returns the suggestions (byte offsets in `text`).
fn settle(
    engine: &Engine,
    memory: &mut Memory,
    scores: &mut Scores,
    text: &str,
    gold: &[Span],
    keep: Option<&HashSet<String>>,
    names: &DocNames,
) -> Vec<Suggestion> {
    let tokens = DocTokens::new(text);
    let sugg: Vec<Suggestion> = engine
        .suggest_doc_in(&tokens, Some(memory), names)
        .into_iter()
        .filter(|s| keep.is_none_or(|k| k.contains(&s.label)))
        .collect();
    let pred = suggestion_spans(text, &sugg);
    scores.add_doc(text, gold, &pred, keep);

    let chars: Vec<char> = text.chars().collect();
    let map = OffsetMap::new(text, Offsets::CodePoints);
    let byte = |cp: usize| map.to_byte(cp, text).unwrap_or(text.len());
    let mut found = vec![false; gold.len()];
    for (s, p) in sugg.iter().zip(&pred) {
        let hit = (0..gold.len()).find(|&i| !found[i] && same_span(&chars, p, &gold[i]));
        if let Some(i) = hit {
            found[i] = true;
        }
        engine.learn_decision(memory, &tokens, s, hit.is_some());
    }
    for (g, _) in gold
        .iter()
        .zip(&found)
        .filter(|(g, f)| !**f && keep.is_none_or(|k| k.contains(&g.label)))
    {
        let made = Suggestion {
            start: byte(g.start),
            end: byte(g.end),
            label: g.label.clone(),
            source: "analyst".to_string(),
            score: 1.0,
        };
        engine.learn_decision(memory, &tokens, &made, true);
    }
    sugg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: usize, end: usize, label: &str) -> Span {
        Span {
            start,
            end,
            label: label.into(),
        }
    }

    #[test]
    fn proclitic_differences_count_as_matches() {
        let text = "والجيش السوري";
        let gold = vec![sp(1, 13, "ORG")];
        let mut s = Scores::default();
        s.add_doc(text, &gold, &[sp(0, 13, "ORG")], None);
        assert_eq!(s.micro().tp, 1);
        let mut s = Scores::default();
        s.add_doc(text, &gold, &[sp(2, 13, "ORG")], None); // lost a real letter
        assert_eq!(s.micro().tp, 0);
        assert_eq!(s.micro().overlap_tp, 1);
        let mut s = Scores::default();
        s.add_doc(text, &gold, &[sp(1, 13, "LOC")], None);
        assert_eq!((s.micro().tp, s.micro().overlap_tp), (0, 0));
    }

    #[test]
    fn report_ends_with_the_micro_line() {
        let mut s = Scores::default();
        s.add_doc(
            "abcdefghij",
            &[sp(0, 2, "PER"), sp(4, 6, "LOC")],
            &[sp(0, 2, "PER"), sp(7, 9, "LOC")],
            None,
        );
        let r = s.report();
        let last = r.lines().last().unwrap();
        assert!(last.starts_with("micro P 0.500 R 0.500 F1 0.500"), "{r}");
        assert!(
            r.lines().next().unwrap().starts_with("LOC   P 0.000"),
            "{r}"
        );
    }

    #[test]
    fn replay_learns_from_the_analyst() {
        // The memory alone: the tagger would find this name cold.
        let engine = Engine::builtin().with_model_on(false);
        let text = "وصل زيد عمرو. ثم غادر زيد عمرو.".to_string();
        let n = text.chars().count();
        let _ = n;
        let doc = DocRecord {
            id: "a".into(),
            text: text.clone(),
            spans: vec![crate::corpus::SpanRecord {
                start: 4,
                end: 12,
                label: "PER".into(),
                source: None,
                score: None,
                state: None,
            }],
            meta: None,
        };
        let docs = vec![doc.clone(), doc];
        let mut seen = Vec::new();
        let (scores, memory) = replay(
            &engine,
            &docs,
            None,
            Unit::Document,
            1,
            |n, s| seen.push((n, s.micro())),
            |_, _| {},
        );
        assert_eq!(seen.len(), 2);
        // Nothing known at first; the second time the accepted name is suggested.
        assert_eq!(seen[0].1.tp, 0);
        assert_eq!(seen[1].1.tp, 1);
        assert_eq!(scores.micro().gold, 2);
        assert!(memory.decisions() >= 2);
    }
}
