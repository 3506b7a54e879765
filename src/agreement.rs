//! Inter-annotator agreement (issue 15): how far the analysts' layers of the same
//! documents agree, pair by pair and over all of them, and how far each agrees with
//! `gold`.
//!
//! Owns: the figures and their definitions, the report's JSON shape, and its table
//! and CSV renderings. Must not: read the store (the caller gives each document's
//! text and layers: the layers of documents marked done, or all of them), or know
//! the terminal.
//!
//! # Input
//! One [`DocLayers`] per document: its text and, per annotator, the spans of that
//! annotator's layer ([`Span`], code point offsets, `end` exclusive, as in
//! [`crate::formats::RecordSpan`]). A layer that is present but empty means the
//! annotator did the document and marked nothing; an annotator without a layer did
//! not do it. The layer named [`GOLD`] is the curated one: it is in no pair and not
//! in Fleiss' kappa, only in [`Report::gold`]. With a label filter
//! ([`Options::labels`]) spans of other labels are dropped before anything is
//! counted, as if nobody had marked them.
//!
//! # Definitions
//! - **Documents of a pair**: the documents in which both annotators have a layer.
//!   Every figure of a pair is over those documents only.
//! - **Exact match**: two spans of the same document with the same start, end and
//!   label. Within one layer a span given twice counts once.
//! - **F1** of annotators `a` and `b`: `2·matches / (|a| + |b|)`, where `|a|` is the
//!   number of `a`'s spans in the pair's documents and `matches` the number of spans
//!   both have. It is symmetric: it is the F1 of either one scored against the
//!   other. Per label, the same with the spans of that label; a label shows up
//!   when either of the two used it in the pair's documents.
//! - **Tokens**: a document's text cut by the tokenizer of the token-based exports
//!   ([`crate::formats`]' CoNLL and Prodigy tokens), additionally cut at both ends of
//!   every span of the layers compared, so that every span is a run of whole tokens
//!   (a span that starts or ends on white space keeps the tokens inside it; a span of
//!   white space only covers no token, and counts for F1 only). For a pair the cuts
//!   are the pair's spans, so a third annotator does not change a pair's figures.
//! - **BIO tag** of a token in one layer: `O` when no span covers it, else `B-L` on
//!   the first token of the span that covers it and `I-L` on the others, `L` being
//!   the span's label. Where spans of one layer overlap, a token takes the span that
//!   starts first, then the longer one, then the label first in alphabetical order
//!   (the outermost entity, as CoNLL files of nested entities give first); a span
//!   whose first token belongs to another span gives `I-` tags only.
//! - **Cohen's kappa** of a pair: over all tokens of the pair's documents (pooled),
//!   `(p_o − p_e) / (1 − p_e)` where `p_o` is the share of tokens with the same tag
//!   in both layers and `p_e = Σ_k p_a(k)·p_b(k)` over tags `k`, `p_a(k)` being the
//!   share of tokens `a` tagged `k`.
//! - **Fleiss' kappa**: over the tokens of every document that two or more
//!   annotators (gold aside) have, each token rated by the annotators of its document
//!   (tokens cut at all their spans). With `r_i` raters of token `i`, `r_ik` of them
//!   giving tag `k`, and `n` tokens: `P_i = Σ_k r_ik(r_ik − 1) / (r_i(r_i − 1))`,
//!   `p_o = mean P_i`, `π_k = mean (r_ik / r_i)`, `p_e = Σ_k π_k²`, kappa
//!   `(p_o − p_e) / (1 − p_e)`. This is Fleiss' kappa (1971) when every document has
//!   the same number of annotators, and Gwet's extension to an unequal number of
//!   raters per item otherwise (Handbook of Inter-Rater Reliability, ch. 2): with a
//!   balanced assignment of each document to 2 of 3 analysts no document has all
//!   three, and the figure must still exist. [`Report::fleiss_documents`] says how
//!   many documents it rests on.
//!
//! # When a figure does not exist
//! A figure is `None` (JSON `null`, `-` in the table, an empty CSV field) when it has
//! nothing to rest on, never a division by zero or a made-up 0 or 1:
//! - F1 when neither annotator has a span in the pair's documents (no shared
//!   documents, or both marked nothing);
//! - a kappa when there is no token (no shared documents, empty texts), or when the
//!   expected agreement `p_e` is 1: every rating is the same one tag (typically `O`
//!   everywhere because nobody marked anything), so agreement beyond chance is 0/0.
//!
//! An annotator with no span against one with spans is defined: F1 0, and kappa 0
//! (all of one side's tags are `O`, so `p_o = p_e`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::formats::tokens::{Token, tokenize_for_spans};
use crate::offsets::OffsetMap;

pub use crate::store::GOLD;

/// A span of one layer, in code points, `end` exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub label: String,
}

impl Span {
    pub fn new(start: usize, end: usize, label: &str) -> Span {
        Span {
            start,
            end,
            label: label.to_string(),
        }
    }
}

/// One document: its text and each annotator's layer (name -> spans).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocLayers {
    /// The document's name, for error messages.
    pub id: String,
    pub text: String,
    pub layers: BTreeMap<String, Vec<Span>>,
}

/// What to count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Only these labels (`None`: all).
    pub labels: Option<BTreeSet<String>>,
}

/// A span that does not fit its document's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("document {doc}, layer {annotator}: span {start}..{end} ({label}) {why}")]
pub struct AgreementError {
    pub doc: String,
    pub annotator: String,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub why: String,
}

/// Agreement of one label within a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelAgreement {
    pub f1: Option<f64>,
    /// Spans of this label in `a`'s layer, in `b`'s, and in both.
    pub spans_a: usize,
    pub spans_b: usize,
    pub matches: usize,
}

/// Agreement of two annotators (or of one annotator, `a`, with gold, `b`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    /// Documents in which both have a layer.
    pub documents: usize,
    pub f1: Option<f64>,
    pub labels: BTreeMap<String, LabelAgreement>,
    pub kappa: Option<f64>,
    pub spans_a: usize,
    pub spans_b: usize,
    pub matches: usize,
    /// Tokens the kappa is over.
    pub tokens: usize,
}

/// Every figure; serialized, the JSON of `raqim agreement --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Every pair of annotators (gold aside), names in order, `a` before `b`.
    pub pairs: Vec<Pair>,
    pub fleiss_kappa: Option<f64>,
    /// Documents with two or more annotators (gold aside): those Fleiss' kappa is over.
    pub fleiss_documents: usize,
    /// Tokens Fleiss' kappa is over.
    pub fleiss_tokens: usize,
    /// The annotators (gold aside), in order.
    pub annotators: Vec<String>,
    /// Each annotator against gold, when there is a gold layer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gold: Vec<Pair>,
}

/// A span as byte offsets into its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct ByteSpan<'d> {
    start: usize,
    end: usize,
    label: &'d str,
}

/// A document checked and converted: each layer's spans in bytes, filtered,
/// deduplicated and in tagging order (start, longer first, label).
struct Prepared<'d> {
    text: &'d str,
    layers: BTreeMap<&'d str, Vec<ByteSpan<'d>>>,
}

/// A BIO tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Tag<'d> {
    O,
    B(&'d str),
    I(&'d str),
}

fn prepare<'d>(doc: &'d DocLayers, opts: &Options) -> Result<Prepared<'d>, AgreementError> {
    let map = OffsetMap::new(&doc.text, crate::offsets::Offsets::CodePoints);
    let mut layers = BTreeMap::new();
    for (name, spans) in &doc.layers {
        let mut out = Vec::with_capacity(spans.len());
        for s in spans {
            let bad = |why: String| AgreementError {
                doc: doc.id.clone(),
                annotator: name.clone(),
                start: s.start,
                end: s.end,
                label: s.label.clone(),
                why,
            };
            if s.end < s.start {
                return Err(bad("ends before it starts".into()));
            }
            let (Some(start), Some(end)) = (
                map.byte_of_code_point(s.start),
                map.byte_of_code_point(s.end),
            ) else {
                return Err(bad(format!(
                    "ends past the end of the text ({} code points)",
                    map.len_units()
                )));
            };
            if opts.labels.as_ref().is_some_and(|l| !l.contains(&s.label)) {
                continue;
            }
            out.push(ByteSpan {
                start,
                end,
                label: &s.label,
            });
        }
        out.sort_unstable_by(|x, y| {
            (x.start, std::cmp::Reverse(x.end), x.label).cmp(&(
                y.start,
                std::cmp::Reverse(y.end),
                y.label,
            ))
        });
        out.dedup();
        layers.insert(name.as_str(), out);
    }
    Ok(Prepared {
        text: &doc.text,
        layers,
    })
}

/// The tokens of a text cut at both ends of every span of `layers`.
fn tokens_for(text: &str, layers: &[&[ByteSpan]]) -> Vec<Token> {
    let cuts: Vec<usize> = layers
        .iter()
        .flat_map(|l| l.iter().flat_map(|s| [s.start, s.end]))
        .collect();
    tokenize_for_spans(text, &cuts)
}

/// The BIO tag of every token in one layer (spans in tagging order; see the module
/// header for overlaps).
fn tags<'d>(tokens: &[Token], spans: &[ByteSpan<'d>]) -> Vec<Tag<'d>> {
    let mut out: Vec<Option<Tag<'d>>> = vec![None; tokens.len()];
    for s in spans {
        let first = tokens.partition_point(|t| t.start < s.start);
        for (i, t) in tokens.iter().enumerate().skip(first) {
            if t.end > s.end {
                break;
            }
            if out[i].is_none() {
                out[i] = Some(if i == first {
                    Tag::B(s.label)
                } else {
                    Tag::I(s.label)
                });
            }
        }
    }
    out.into_iter().map(|t| t.unwrap_or(Tag::O)).collect()
}

/// `2·m / (a + b)`, none when both are empty.
fn f1(matches: usize, a: usize, b: usize) -> Option<f64> {
    (a + b > 0).then(|| 2.0 * matches as f64 / (a + b) as f64)
}

/// Counts behind one pair's figures.
#[derive(Default)]
struct PairCounts<'d> {
    documents: usize,
    labels: BTreeMap<&'d str, (usize, usize, usize)>,
    tokens: u64,
    agree: u64,
    marg_a: HashMap<Tag<'d>, u64>,
    marg_b: HashMap<Tag<'d>, u64>,
}

impl<'d> PairCounts<'d> {
    fn add(&mut self, text: &str, a: &[ByteSpan<'d>], b: &[ByteSpan<'d>]) {
        self.documents += 1;
        // Both lists are sorted and deduplicated: a merge counts the matches.
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let ord = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => (x.start, std::cmp::Reverse(x.end), x.label).cmp(&(
                    y.start,
                    std::cmp::Reverse(y.end),
                    y.label,
                )),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match ord {
                std::cmp::Ordering::Less => {
                    self.labels.entry(a[i].label).or_default().0 += 1;
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    self.labels.entry(b[j].label).or_default().1 += 1;
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    let c = self.labels.entry(a[i].label).or_default();
                    c.0 += 1;
                    c.1 += 1;
                    c.2 += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        let tokens = tokens_for(text, &[a, b]);
        let (ta, tb) = (tags(&tokens, a), tags(&tokens, b));
        for (x, y) in ta.into_iter().zip(tb) {
            self.tokens += 1;
            self.agree += u64::from(x == y);
            *self.marg_a.entry(x).or_default() += 1;
            *self.marg_b.entry(y).or_default() += 1;
        }
    }

    fn kappa(&self) -> Option<f64> {
        let n = self.tokens as u128;
        if n == 0 {
            return None;
        }
        let chance: u128 = self
            .marg_a
            .iter()
            .map(|(k, &ca)| ca as u128 * self.marg_b.get(k).copied().unwrap_or(0) as u128)
            .sum();
        if chance == n * n {
            return None;
        }
        // (p_o − p_e)/(1 − p_e) with both multiplied by n²: one rounding only, so
        // 3/4 is shown as 0.75, not 0.7499999999999999.
        let agree = self.agree as u128 * n;
        Some((agree as i128 - chance as i128) as f64 / (n * n - chance) as f64)
    }

    fn finish(self, a: &str, b: &str) -> Pair {
        let kappa = self.kappa();
        let (mut sa, mut sb, mut m) = (0, 0, 0);
        let labels = self
            .labels
            .iter()
            .map(|(&l, &(x, y, z))| {
                sa += x;
                sb += y;
                m += z;
                (
                    l.to_string(),
                    LabelAgreement {
                        f1: f1(z, x, y),
                        spans_a: x,
                        spans_b: y,
                        matches: z,
                    },
                )
            })
            .collect();
        Pair {
            a: a.to_string(),
            b: b.to_string(),
            documents: self.documents,
            f1: f1(m, sa, sb),
            labels,
            kappa,
            spans_a: sa,
            spans_b: sb,
            matches: m,
            tokens: self.tokens as usize,
        }
    }
}

/// One pair's figures over the documents both have.
fn pair(docs: &[Prepared], a: &str, b: &str) -> Pair {
    let mut c = PairCounts::default();
    for d in docs {
        if let (Some(x), Some(y)) = (d.layers.get(a), d.layers.get(b)) {
            c.add(d.text, x, y);
        }
    }
    c.finish(a, b)
}

/// Fleiss' kappa (Gwet's form for unequal raters) over the documents with two or
/// more annotators: (kappa, documents, tokens).
fn fleiss(docs: &[Prepared]) -> (Option<f64>, usize, usize) {
    let (mut documents, mut n) = (0usize, 0usize);
    let mut po_sum = 0.0f64;
    let mut pi: HashMap<Tag, f64> = HashMap::new();
    let mut counts: Vec<(Tag, usize)> = Vec::new();
    for d in docs {
        let layers: Vec<&[ByteSpan]> = d
            .layers
            .iter()
            .filter(|(name, _)| **name != GOLD)
            .map(|(_, s)| s.as_slice())
            .collect();
        let r = layers.len();
        if r < 2 {
            continue;
        }
        documents += 1;
        let tokens = tokens_for(d.text, &layers);
        let tagged: Vec<Vec<Tag>> = layers.iter().map(|s| tags(&tokens, s)).collect();
        for t in 0..tokens.len() {
            counts.clear();
            for layer in &tagged {
                match counts.iter_mut().find(|(k, _)| *k == layer[t]) {
                    Some(c) => c.1 += 1,
                    None => counts.push((layer[t], 1)),
                }
            }
            let pairs: usize = counts.iter().map(|&(_, c)| c * (c - 1)).sum();
            po_sum += pairs as f64 / (r * (r - 1)) as f64;
            for &(k, c) in &counts {
                *pi.entry(k).or_default() += c as f64 / r as f64;
            }
            n += 1;
        }
    }
    // One tag for every rating: p_e is exactly 1.
    if n == 0 || pi.len() < 2 {
        return (None, documents, n);
    }
    let po = po_sum / n as f64;
    let pe: f64 = pi.values().map(|&s| (s / n as f64).powi(2)).sum();
    (Some((po - pe) / (1.0 - pe)), documents, n)
}

/// Every figure of the module header over `docs`; an error names the first span
/// that does not fit its text.
pub fn compute(docs: &[DocLayers], opts: &Options) -> Result<Report, AgreementError> {
    let prepared = docs
        .iter()
        .map(|d| prepare(d, opts))
        .collect::<Result<Vec<_>, _>>()?;
    let names: BTreeSet<&str> = prepared
        .iter()
        .flat_map(|d| d.layers.keys().copied())
        .collect();
    let annotators: Vec<&str> = names.iter().copied().filter(|n| *n != GOLD).collect();
    let mut pairs = Vec::new();
    for (i, a) in annotators.iter().enumerate() {
        for b in &annotators[i + 1..] {
            pairs.push(pair(&prepared, a, b));
        }
    }
    let gold = if names.contains(GOLD) {
        annotators
            .iter()
            .map(|a| pair(&prepared, a, GOLD))
            .collect()
    } else {
        Vec::new()
    };
    let (fleiss_kappa, fleiss_documents, fleiss_tokens) = fleiss(&prepared);
    Ok(Report {
        pairs,
        fleiss_kappa,
        fleiss_documents,
        fleiss_tokens,
        annotators: annotators.iter().map(|s| s.to_string()).collect(),
        gold,
    })
}

/// A figure as shown: three decimals, `-` when it does not exist.
fn shown(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{x:.3}"))
}

/// Cells a string takes in a terminal, cluster by cluster.
fn cells(s: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    s.graphemes(true).map(crate::layout::cluster_width).sum()
}

/// Rows as aligned text: the first row a header, text columns (the first `left`)
/// padded on the right, figures on the left.
fn aligned(rows: &[Vec<String>], left: usize) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| cells(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, s) in r.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cells(s));
            if c > 0 {
                line.push_str("  ");
            }
            if c < left {
                line.push_str(s);
                line.push_str(&pad);
            } else {
                line.push_str(&pad);
                line.push_str(s);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The pairs' overall figures, then their F1 per label, as two tables.
fn pair_tables(out: &mut String, pairs: &[Pair]) {
    let mut rows = vec![
        [
            "a",
            "b",
            "documents",
            "spans a",
            "spans b",
            "matches",
            "F1",
            "tokens",
            "kappa",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for p in pairs {
        rows.push(vec![
            p.a.clone(),
            p.b.clone(),
            p.documents.to_string(),
            p.spans_a.to_string(),
            p.spans_b.to_string(),
            p.matches.to_string(),
            shown(p.f1),
            p.tokens.to_string(),
            shown(p.kappa),
        ]);
    }
    out.push_str(&aligned(&rows, 2));
    let labels: BTreeSet<&str> = pairs
        .iter()
        .flat_map(|p| p.labels.keys().map(String::as_str))
        .collect();
    if labels.is_empty() {
        return;
    }
    out.push_str("\nF1 per label\n");
    let mut rows = vec![
        ["a", "b"]
            .into_iter()
            .chain(labels.iter().copied())
            .map(String::from)
            .collect::<Vec<_>>(),
    ];
    for p in pairs {
        let mut row = vec![p.a.clone(), p.b.clone()];
        row.extend(
            labels
                .iter()
                .map(|l| shown(p.labels.get(*l).and_then(|x| x.f1))),
        );
        rows.push(row);
    }
    out.push_str(&aligned(&rows, 2));
}

/// A CSV field, quoted when it must be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Report {
    /// The report as aligned text for a terminal: pairs, F1 per label, Fleiss' kappa,
    /// then agreement with gold when there is a gold layer.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        if self.pairs.is_empty() {
            out.push_str("No pair of annotators.\n");
        } else {
            pair_tables(&mut out, &self.pairs);
        }
        let counted = |n: usize, what: &str| {
            if n == 1 {
                format!("1 {what}")
            } else {
                format!("{n} {what}s")
            }
        };
        let _ = writeln!(
            out,
            "\nFleiss' kappa: {} ({}, {} with two or more of them, {})",
            shown(self.fleiss_kappa),
            counted(self.annotators.len(), "annotator"),
            counted(self.fleiss_documents, "document"),
            counted(self.fleiss_tokens, "token")
        );
        if !self.gold.is_empty() {
            out.push_str("\nAgainst gold\n");
            pair_tables(&mut out, &self.gold);
        }
        out
    }

    /// The report as CSV, one row per figure group: `pair` and `gold` rows (label
    /// empty for the overall figures, then one row per label), and one `fleiss` row.
    /// Figures that do not exist are empty fields.
    pub fn to_csv(&self) -> String {
        let num = |x: Option<f64>| x.map_or_else(String::new, |x| x.to_string());
        let mut out =
            String::from("kind,a,b,label,documents,spans_a,spans_b,matches,f1,tokens,kappa\n");
        for (kind, pairs) in [("pair", &self.pairs), ("gold", &self.gold)] {
            for p in pairs {
                let (a, b) = (csv_field(&p.a), csv_field(&p.b));
                let _ = writeln!(
                    out,
                    "{kind},{a},{b},,{},{},{},{},{},{},{}",
                    p.documents,
                    p.spans_a,
                    p.spans_b,
                    p.matches,
                    num(p.f1),
                    p.tokens,
                    num(p.kappa)
                );
                for (l, x) in &p.labels {
                    let _ = writeln!(
                        out,
                        "{kind},{a},{b},{},{},{},{},{},{},,",
                        csv_field(l),
                        p.documents,
                        x.spans_a,
                        x.spans_b,
                        x.matches,
                        num(x.f1)
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "fleiss,,,,{},,,,,{},{}",
            self.fleiss_documents,
            self.fleiss_tokens,
            num(self.fleiss_kappa)
        );
        out
    }
}

#[cfg(test)]
mod tests;
