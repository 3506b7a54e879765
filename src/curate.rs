//! Adjudication (issue 15, "Teams"): several analysts' layers of one document
//! settled into the [`GOLD`] layer. What the annotators agree on, where and how they
//! disagree, which disagreements the curator has still to settle, and what
//! `raqim adjudicate --auto` may copy into gold on its own.
//!
//! Owns: the merge rules and their written names, the clustering of disagreements,
//! and the rule that decides when one is settled. Must not: read or write the store
//! (the caller gives one document's layers and its gold spans, and writes what it is
//! told to add), or know the terminal. The adjudication view and the batch command
//! both call this module instead of deciding on their own.
//!
//! # Definitions
//! Spans are [`Span`]s of [`crate::agreement`]: code points, `end` exclusive, a
//! label. The **annotators** of a document are the names of its layers other than
//! [`GOLD`] (an empty layer is an annotator who marked nothing there). Within one
//! layer a span given twice counts once. A span that covers no text (`start >=
//! end`) is nobody's entity: every export refuses it and no view can show it, so it
//! is left out of everything here.
//!
//! - **Agreed**: a span (the same start, end and label) that enough annotators have.
//!   [`MergeRule::Unanimous`]: all of them. [`MergeRule::Majority`]: more than half
//!   (2 of 3, 3 of 5; 2 of 4 is a tie, not a majority). Either rule needs at least
//!   two annotators: the layer of a document only one analyst read is a reading to
//!   review, not an agreement, and `--auto` must not copy it into gold unseen.
//! - **Cluster**: the spans of all annotators that overlap one another, directly or
//!   through others (transitively), by text range.
//! - **Disagreement**: a cluster with a span that is not agreed. Its extent is the
//!   cluster's, and its [`Variant`]s say, per group of annotators, what each one
//!   marked inside it: every span of theirs there, agreed ones included, or nothing
//!   (an annotator without a span there is the variant "no entity here").
//!
//! # Agreed spans inside a disagreement
//! A span agreed by the rule that overlaps a span that is not (2 of 3 marked
//! `[3,10) LOC`, the third `[3,14) ORG`; or all marked `[3,10) LOC` and one also
//! `[3,14) ORG`) belongs to the disagreement, not to [`Merge::agreed`]; it is listed
//! in [`Disagreement::agreed`] as the rule's suggestion. A curator wants two things
//! there that the other choice would break:
//! - to see each annotator's whole reading of the text: were the agreed span taken
//!   out of the cluster, the annotators who marked it would show as "no entity here",
//!   which is false;
//! - to decide it: were the agreed span copied into gold by `--auto`, gold would
//!   overlap the disagreement and so settle it (see [`open_disagreements`]) before
//!   anybody looked at the minority's reading.
//!
//! So [`Merge::agreed`] holds only uncontested spans, the ones `--auto` copies, and
//! every span is either there or inside exactly one disagreement. An agreed cluster
//! that a minority simply left unmarked (Majority, 2 of 3 with the span, the third
//! with nothing there) is not a disagreement: an omission offers the curator nothing
//! to choose, and being outvoted is what the majority rule is for.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::agreement::{GOLD, Span};

/// How many annotators must have a span for it to be agreed (see the module header).
/// The setting `merge` (config.toml) and the option `--rule`, written `unanimous` or
/// `majority`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeRule {
    /// Every annotator of the document. The default: nothing reaches gold unseen
    /// that anybody read otherwise.
    #[default]
    Unanimous,
    /// More than half of them.
    Majority,
}

impl MergeRule {
    pub const ALL: [MergeRule; 2] = [MergeRule::Unanimous, MergeRule::Majority];

    /// The written form, the same as serde's.
    pub fn as_str(self) -> &'static str {
        match self {
            MergeRule::Unanimous => "unanimous",
            MergeRule::Majority => "majority",
        }
    }

    /// Whether `votes` of `annotators` agree a span.
    fn agrees(self, votes: usize, annotators: usize) -> bool {
        annotators >= 2
            && match self {
                MergeRule::Unanimous => votes == annotators,
                MergeRule::Majority => 2 * votes > annotators,
            }
    }
}

impl fmt::Display for MergeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A written rule that is none of [`MergeRule::ALL`]; says what was found and what
/// was expected, for the caller to place (the option, the settings file and line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not one of unanimous, majority")]
pub struct UnknownRule(pub String);

impl FromStr for MergeRule {
    type Err = UnknownRule;
    fn from_str(s: &str) -> Result<MergeRule, UnknownRule> {
        MergeRule::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRule(s.to_string()))
    }
}

/// One document's layers merged by a rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    /// Agreed spans that overlap no disagreement, in order: what may go to gold
    /// without a curator.
    pub agreed: Vec<Span>,
    /// In text order; no two overlap.
    pub disagreements: Vec<Disagreement>,
}

/// Annotators' differing readings of one stretch of text, for the curator to settle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disagreement {
    /// The cluster's extent, code points, `end` exclusive: from its first span's
    /// start to the furthest end.
    pub start: usize,
    pub end: usize,
    /// The spans in it that the rule agrees on, in order: the rule's suggestion,
    /// which a view may preselect but `--auto` never writes (see the module header).
    pub agreed: Vec<Span>,
    /// Every annotator in exactly one variant. Most annotators first; among as many,
    /// by their spans in order, "no entity here" last.
    pub variants: Vec<Variant>,
}

/// One reading of a disagreement's text, and who gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// The annotators' spans inside the disagreement, in order; empty: they marked
    /// nothing there.
    pub spans: Vec<Span>,
    /// In name order.
    pub annotators: Vec<String>,
}

/// Whether two ranges share a code point.
fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Merges one document's layers (name -> spans; a [`GOLD`] layer among them is
/// ignored) by `rule`; see the module header for what is agreed and what is a
/// disagreement.
pub fn merge(layers: &BTreeMap<String, Vec<Span>>, rule: MergeRule) -> Merge {
    let readings: Vec<(&str, BTreeSet<&Span>)> = layers
        .iter()
        .filter(|(name, _)| name.as_str() != GOLD)
        .map(|(name, spans)| {
            let spans = spans.iter().filter(|s| s.start < s.end).collect();
            (name.as_str(), spans)
        })
        .collect();
    let mut votes: BTreeMap<&Span, usize> = BTreeMap::new();
    for (_, spans) in &readings {
        for s in spans {
            *votes.entry(s).or_default() += 1;
        }
    }
    let agreed = |s: &Span| rule.agrees(votes[s], readings.len());

    let mut out = Merge::default();
    let mut flush = |cluster: &[&Span], end: usize| {
        let Some(first) = cluster.first() else {
            return;
        };
        if cluster.iter().all(|s| agreed(s)) {
            out.agreed.extend(cluster.iter().map(|s| (*s).clone()));
        } else {
            out.disagreements
                .push(disagreement(&readings, first.start, end, |s| agreed(s)));
        }
    };
    // Spans in order of start: each one either overlaps the cluster so far (it
    // starts before the cluster's furthest end) or begins the next.
    let mut cluster: Vec<&Span> = Vec::new();
    let mut end = 0;
    for &s in votes.keys() {
        if !cluster.is_empty() && s.start >= end {
            flush(&cluster, end);
            cluster.clear();
        }
        end = if cluster.is_empty() {
            s.end
        } else {
            end.max(s.end)
        };
        cluster.push(s);
    }
    flush(&cluster, end);
    out
}

/// The disagreement over `start..end`: each annotator's spans inside it, grouped.
fn disagreement(
    readings: &[(&str, BTreeSet<&Span>)],
    start: usize,
    end: usize,
    agreed: impl Fn(&Span) -> bool,
) -> Disagreement {
    let mut groups: BTreeMap<Vec<Span>, Vec<String>> = BTreeMap::new();
    let mut suggested = BTreeSet::new();
    for (name, spans) in readings {
        // Clusters are whole components: a span inside the extent is in the cluster.
        let inside: Vec<Span> = spans
            .iter()
            .filter(|s| s.start >= start && s.end <= end)
            .map(|s| (*s).clone())
            .collect();
        suggested.extend(inside.iter().filter(|s| agreed(s)).cloned());
        groups.entry(inside).or_default().push(name.to_string());
    }
    let mut variants: Vec<Variant> = groups
        .into_iter()
        .map(|(spans, annotators)| Variant { spans, annotators })
        .collect();
    variants.sort_by(|a, b| {
        let key = |v: &Variant| (std::cmp::Reverse(v.annotators.len()), v.spans.is_empty());
        key(a).cmp(&key(b)).then_with(|| a.spans.cmp(&b.spans))
    });
    Disagreement {
        start,
        end,
        agreed: suggested.into_iter().collect(),
        variants,
    }
}

/// The indices (into [`Merge::disagreements`]) of the disagreements still to settle.
///
/// A disagreement is settled once gold has a span overlapping its extent (the
/// curator accepted a variant, or marked the text otherwise), or once its exact
/// extent is among `settled`: the caller's record of disagreements the curator
/// settled by rejecting every variant, which leaves nothing in gold to tell. The
/// extent must match exactly: when a layer changes and a cluster grows or shrinks,
/// that is a new question, open again.
pub fn open_disagreements(merge: &Merge, gold: &[Span], settled: &[(usize, usize)]) -> Vec<usize> {
    merge
        .disagreements
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            !settled.contains(&(d.start, d.end))
                && !gold
                    .iter()
                    .any(|g| overlaps((g.start, g.end), (d.start, d.end)))
        })
        .map(|(i, _)| i)
        .collect()
}

/// What `adjudicate --auto` did, over one document or, summed with `+=`, many.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoReport {
    pub documents: usize,
    /// Agreed spans added to gold.
    pub agreed: usize,
    /// Disagreements still open ([`open_disagreements`]), left to the curator.
    pub disagreements: usize,
    /// Agreed spans not added because gold already covers their text: the same span,
    /// or a span overlapping it, which is the curator's decision and stands.
    pub already_in_gold: usize,
}

impl std::ops::AddAssign for AutoReport {
    fn add_assign(&mut self, o: AutoReport) {
        self.documents += o.documents;
        self.agreed += o.agreed;
        self.disagreements += o.disagreements;
        self.already_in_gold += o.already_in_gold;
    }
}

/// `n thing` or `n things`.
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for AutoReport {
    /// One line: `3 documents: 12 agreed spans added to gold, 2 already in gold,
    /// 4 disagreements left to adjudicate`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} added to gold, {} already in gold, {} left to adjudicate",
            counted(self.documents, "document", "documents"),
            counted(self.agreed, "agreed span", "agreed spans"),
            self.already_in_gold,
            counted(self.disagreements, "disagreement", "disagreements"),
        )
    }
}

/// What `adjudicate --auto` does to one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Auto {
    /// The spans to add to gold, in order.
    pub add: Vec<Span>,
    pub report: AutoReport,
}

/// The uncontested agreed spans of one document that gold lacks, and the counts.
/// Gold is only ever added to, never changed: an agreed span whose text gold already
/// covers (the same span, or one overlapping it) is left out, and a contested agreed
/// span waits for the curator (see the module header). `settled` is as in
/// [`open_disagreements`].
pub fn auto(
    layers: &BTreeMap<String, Vec<Span>>,
    gold: &[Span],
    settled: &[(usize, usize)],
    rule: MergeRule,
) -> Auto {
    let m = merge(layers, rule);
    let (covered, add): (Vec<Span>, Vec<Span>) = m.agreed.iter().cloned().partition(|s| {
        gold.iter()
            .any(|g| overlaps((g.start, g.end), (s.start, s.end)))
    });
    Auto {
        report: AutoReport {
            documents: 1,
            agreed: add.len(),
            disagreements: open_disagreements(&m, gold, settled).len(),
            already_in_gold: covered.len(),
        },
        add,
    }
}

#[cfg(test)]
mod tests;
