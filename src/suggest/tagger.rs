//! The learned tagger: an averaged structured perceptron over the matcher's tokens,
//! one BIO tag per token and label, decoded with Viterbi (Collins 2002), the model
//! INCEpTION's and Prodigy's recommenders put beside their string matchers, here
//! offline and small. It finds names no list holds from their shape and context.
//!
//! Features are hashed with FNV-1a, a fixed function, so a model file means the same
//! on every machine and with every version of the hashing crates. The engine passes
//! each token's evidence from the other sources (gazetteer matches, rule cues, known
//! name tokens) as more hashed features; this module knows nothing of what they mean.
//!
//! Learning from the analyst is additive and independent of the model's state: a
//! decision adds +1 / -1 to integer counts of (feature, tag) that are kept with the
//! memory and weigh `eta` each when scoring. So a decision taken back subtracts
//! exactly what it added, and the learnt state after any sequence of decisions and
//! undos is the same as if only the remaining decisions had been taken.
//!
//! Owns: features of a token, decoding, calibrated span scores, the model file,
//! online counts; training and calibration are `tagger/fit.rs`.
//! Must not: change offsets, touch the terminal or the store.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use crate::offsets::byte_of_code_point;

use super::dict::DocTokens;
use super::normalize::TokenKind;

mod fit;
pub use fit::{Example, fit_platt, train};

/// The tag of a token outside any name.
pub const O: usize = 0;

/// Tag "begins a name of label k".
pub fn b_tag(k: usize) -> usize {
    1 + 2 * k
}

/// Tag "inside a name of label k".
pub fn i_tag(k: usize) -> usize {
    2 + 2 * k
}

/// One online count weighs this share of a typical trained weight (chosen by
/// cross-validated replay; a larger one overshoots on common words).
pub const ONLINE_RATE: f32 = 0.5;

/// Version of the model file.
const VERSION: u32 = 1;

/// 64-bit FNV-1a over a feature's template and parts: a stable hash.
pub struct FeatureHash(u64);

impl FeatureHash {
    pub fn new(template: u8) -> FeatureHash {
        let mut h = FeatureHash(0xcbf2_9ce4_8422_2325);
        h.byte(template);
        h
    }

    fn byte(&mut self, b: u8) {
        self.0 ^= b as u64;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }

    /// Adds one part (a separator keeps "ab"+"c" apart from "a"+"bc").
    pub fn part(mut self, s: &str) -> FeatureHash {
        for b in s.bytes() {
            self.byte(b);
        }
        self.byte(0xff);
        self
    }

    pub fn done(self) -> u64 {
        self.0
    }
}

/// A small number as the text a feature hashes ("0".."9"), without allocating.
pub fn digit(n: usize) -> &'static str {
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    DIGITS[n]
}

/// A feature from a template and one string.
pub fn feat(template: u8, s: &str) -> u64 {
    FeatureHash::new(template).part(s).done()
}

/// The model as stored (postcard): features sorted, weights row by row.
#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    labels: Vec<String>,
    keys: Vec<u64>,
    weights: Vec<f32>,
    trans: Vec<f32>,
    calib: [f32; 2],
    eta: f32,
}

/// A trained tagger.
#[derive(Debug, Clone)]
pub struct Model {
    /// The labels it tags, in tag order.
    pub labels: Vec<String>,
    nt: usize,
    rows: HashMap<u64, u32>,
    keys: Vec<u64>,
    weights: Vec<f32>,
    /// `(nt + 1) x nt`: from tag (the last row: the line's start) to tag.
    trans: Vec<f32>,
    /// Platt scaling of a span's margin: `sigmoid(a * margin + b)`.
    calib: [f32; 2],
    /// Weight of one online count.
    pub eta: f32,
}

/// What the analyst's decisions taught the tagger: integer counts per (feature, tag).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Learnt {
    counts: HashMap<u64, Vec<i32>>,
}

impl Learnt {
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The counts, sorted, for saving.
    pub fn to_saved(&self) -> Vec<(u64, Vec<i32>)> {
        let mut v: Vec<(u64, Vec<i32>)> =
            self.counts.iter().map(|(k, c)| (*k, c.clone())).collect();
        v.sort_by_key(|e| e.0);
        v
    }

    pub fn from_saved(v: Vec<(u64, Vec<i32>)>) -> Learnt {
        Learnt {
            counts: v.into_iter().collect(),
        }
    }

    fn add(&mut self, f: u64, tag: usize, nt: usize, d: i32) {
        let c = self.counts.entry(f).or_insert_with(|| vec![0; nt]);
        if c.len() < nt {
            c.resize(nt, 0);
        }
        c[tag] += d;
        if c.iter().all(|&x| x == 0) {
            self.counts.remove(&f);
        }
    }
}

/// One decoded line: emissions, best tags, forward and backward max-scores.
pub struct Line {
    e: Vec<f32>,
    pub tags: Vec<usize>,
    delta: Vec<f32>,
    beta: Vec<f32>,
}

/// A name the tagger found: tokens `first..=last`, label index, calibrated score.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagged {
    pub first: usize,
    pub last: usize,
    pub label: usize,
    pub score: f32,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Model {
    /// A model with no weights (the start of training).
    fn empty(labels: Vec<String>) -> Model {
        let nt = 1 + 2 * labels.len();
        Model {
            labels,
            nt,
            rows: HashMap::default(),
            keys: Vec::new(),
            weights: Vec::new(),
            trans: vec![0.0; (nt + 1) * nt],
            calib: [1.0, 0.0],
            eta: 0.0,
        }
    }

    /// Number of tags.
    pub fn tags(&self) -> usize {
        self.nt
    }

    /// Number of features with weights.
    pub fn features(&self) -> usize {
        self.keys.len()
    }

    /// Reads a model file; an empty file is no model.
    pub fn from_bytes(bytes: &[u8]) -> Result<Option<Model>, String> {
        if bytes.is_empty() {
            return Ok(None);
        }
        let f: File = postcard::from_bytes(bytes).map_err(|e| format!("model file: {e}"))?;
        if f.version != VERSION {
            return Err(format!(
                "model file version {} is not the one this raqim reads ({VERSION})",
                f.version
            ));
        }
        let nt = 1 + 2 * f.labels.len();
        if f.weights.len() != f.keys.len() * nt || f.trans.len() != (nt + 1) * nt {
            return Err("model file: the weight tables do not match its labels".into());
        }
        let rows = f
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i as u32))
            .collect();
        Ok(Some(Model {
            labels: f.labels,
            nt,
            rows,
            keys: f.keys,
            weights: f.weights,
            trans: f.trans,
            calib: f.calib,
            eta: f.eta,
        }))
    }

    /// The model file: the same model gives the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut order: Vec<usize> = (0..self.keys.len()).collect();
        order.sort_by_key(|&i| self.keys[i]);
        let keys = order.iter().map(|&i| self.keys[i]).collect();
        let weights = order
            .iter()
            .flat_map(|&i| self.weights[i * self.nt..(i + 1) * self.nt].iter().copied())
            .collect();
        postcard::to_allocvec(&File {
            version: VERSION,
            labels: self.labels.clone(),
            keys,
            weights,
            trans: self.trans.clone(),
            calib: self.calib,
            eta: self.eta,
        })
        .expect("model serializes")
    }

    /// Scores of each tag for each token.
    fn emissions(&self, feats: &[Vec<u64>], learnt: Option<&Learnt>) -> Vec<f32> {
        let nt = self.nt;
        let mut e = vec![0.0f32; feats.len() * nt];
        let learnt = learnt.filter(|l| !l.is_empty());
        for (i, fs) in feats.iter().enumerate() {
            let row = &mut e[i * nt..(i + 1) * nt];
            for f in fs {
                if let Some(&r) = self.rows.get(f) {
                    let w = &self.weights[r as usize * nt..(r as usize + 1) * nt];
                    for (x, y) in row.iter_mut().zip(w) {
                        *x += y;
                    }
                }
                if let Some(c) = learnt.and_then(|l| l.counts.get(f)) {
                    for (x, y) in row.iter_mut().zip(c) {
                        *x += self.eta * *y as f32;
                    }
                }
            }
        }
        e
    }

    /// Whether `from -> to` is allowed: inside a name only after its start.
    fn allowed(&self, from: Option<usize>, to: usize) -> bool {
        if to == O || to % 2 == 1 {
            return true;
        }
        match from {
            None => false,
            Some(f) => f == to || f + 1 == to,
        }
    }

    fn trans(&self, from: Option<usize>, to: usize) -> f32 {
        self.trans[from.unwrap_or(self.nt) * self.nt + to]
    }

    /// Viterbi over one line: best tags, with forward (`delta`) and backward
    /// (`beta`) max-scores kept for the margins of the spans.
    fn viterbi(&self, e: &[f32], n: usize) -> (Vec<usize>, Vec<f32>, Vec<f32>) {
        let nt = self.nt;
        let neg = f32::NEG_INFINITY;
        let mut delta = vec![neg; n * nt];
        let mut back = vec![0u8; n * nt];
        for t in 0..nt {
            if self.allowed(None, t) {
                delta[t] = self.trans(None, t) + e[t];
            }
        }
        for i in 1..n {
            for t in 0..nt {
                let mut best = neg;
                let mut arg = 0;
                for p in 0..nt {
                    if !self.allowed(Some(p), t) {
                        continue;
                    }
                    let s = delta[(i - 1) * nt + p] + self.trans(Some(p), t);
                    if s > best {
                        best = s;
                        arg = p;
                    }
                }
                delta[i * nt + t] = best + e[i * nt + t];
                back[i * nt + t] = arg as u8;
            }
        }
        // beta[i][t]: the best score of tokens after i, given tag t at i.
        let mut beta = vec![0.0f32; n * nt];
        for i in (0..n.saturating_sub(1)).rev() {
            for t in 0..nt {
                let mut best = neg;
                for q in 0..nt {
                    if !self.allowed(Some(t), q) {
                        continue;
                    }
                    let s = self.trans(Some(t), q) + e[(i + 1) * nt + q] + beta[(i + 1) * nt + q];
                    best = best.max(s);
                }
                beta[i * nt + t] = best;
            }
        }
        let mut tags = vec![O; n];
        if n > 0 {
            let last = &delta[(n - 1) * nt..n * nt];
            let mut t = (0..nt)
                .max_by(|&a, &b| last[a].total_cmp(&last[b]).then(b.cmp(&a)))
                .unwrap_or(O);
            for i in (0..n).rev() {
                tags[i] = t;
                t = back[i * nt + t] as usize;
            }
        }
        (tags, delta, beta)
    }

    /// The best tags of one line of tokens (their features), without scores.
    pub fn tags_of(&self, feats: &[Vec<u64>], learnt: Option<&Learnt>) -> Vec<usize> {
        let e = self.emissions(feats, learnt);
        self.viterbi(&e, feats.len()).0
    }

    /// The names in one line of tokens, each with its calibrated score: how much
    /// better the best tagging is than the best one with the name's tokens outside
    /// any name, through the Platt curve fitted on held-out text.
    pub fn tag(&self, feats: &[Vec<u64>], learnt: Option<&Learnt>) -> Vec<Tagged> {
        self.tag_margins(feats, learnt)
            .into_iter()
            .map(|(first, last, label, margin)| Tagged {
                first,
                last,
                label,
                score: self.calibrated(margin),
            })
            .collect()
    }

    /// The Platt curve.
    fn calibrated(&self, margin: f32) -> f32 {
        sigmoid(self.calib[0] * margin + self.calib[1])
    }

    /// The names in one line with their raw margins: (first, last, label, margin).
    fn tag_margins(
        &self,
        feats: &[Vec<u64>],
        learnt: Option<&Learnt>,
    ) -> Vec<(usize, usize, usize, f32)> {
        if feats.is_empty() {
            return Vec::new();
        }
        let line = self.line(feats, learnt);
        spans_of(&line.tags)
            .into_iter()
            .map(|(f, l, k)| (f, l, k, self.margin(&line, f, l, k).max(0.0)))
            .collect()
    }

    /// Decodes one line, keeping what the margins of any span need.
    pub fn line(&self, feats: &[Vec<u64>], learnt: Option<&Learnt>) -> Line {
        let e = self.emissions(feats, learnt);
        let (tags, delta, beta) = self.viterbi(&e, feats.len());
        Line {
            e,
            tags,
            delta,
            beta,
        }
    }

    /// How much better the best tagging of a line with tokens `first..=last` as a
    /// name of label `k` is than the best one with them outside any name.
    fn margin(&self, line: &Line, first: usize, last: usize, k: usize) -> f32 {
        let nt = self.nt;
        let (e, delta, beta) = (&line.e, &line.delta, &line.beta);
        let into = |t: usize| {
            if first == 0 {
                self.trans(None, t)
            } else {
                (0..nt)
                    .filter(|&p| self.allowed(Some(p), t))
                    .map(|p| delta[(first - 1) * nt + p] + self.trans(Some(p), t))
                    .fold(f32::NEG_INFINITY, f32::max)
            }
        };
        let outside = into(O)
            + (first..=last).map(|i| e[i * nt + O]).sum::<f32>()
            + (last - first) as f32 * self.trans(Some(O), O)
            + beta[last * nt + O];
        let (b, i) = (b_tag(k), i_tag(k));
        let mut named = into(b) + e[first * nt + b];
        let mut prev = b;
        for j in first + 1..=last {
            named += self.trans(Some(prev), i) + e[j * nt + i];
            prev = i;
        }
        named += beta[last * nt + prev];
        named - outside
    }

    /// The calibrated score the model gives tokens `first..=last` of a decoded line
    /// as a name of `label` (None: a label it does not know).
    pub fn span_score(&self, line: &Line, first: usize, last: usize, label: &str) -> Option<f32> {
        let k = self.labels.iter().position(|l| l == label)?;
        let m = self.margin(line, first, last, k);
        Some(self.calibrated(m))
    }

    /// One decision of the analyst on tokens `first..=last` (the features of those
    /// tokens), label `label`: accepted, or rejected; `sign` -1 takes it back.
    pub fn learn(
        &self,
        learnt: &mut Learnt,
        span_feats: &[Vec<u64>],
        label: &str,
        accepted: bool,
        sign: i32,
    ) {
        let Some(k) = self.labels.iter().position(|l| l == label) else {
            return;
        };
        let d = if accepted { sign } else { -sign };
        for (j, fs) in span_feats.iter().enumerate() {
            let target = if j == 0 { b_tag(k) } else { i_tag(k) };
            for &f in fs {
                learnt.add(f, target, self.nt, d);
                learnt.add(f, O, self.nt, -d);
            }
        }
    }
}

/// The names in a tag sequence: (first, last, label index).
pub fn spans_of(tags: &[usize]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tags.len() {
        let t = tags[i];
        if t != O && t % 2 == 1 {
            let k = (t - 1) / 2;
            let mut j = i;
            while j + 1 < tags.len() && tags[j + 1] == i_tag(k) {
                j += 1;
            }
            out.push((i, j, k));
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Lexical features of every token of `doc`: the folded word, its proclitic-free
/// stem and its core without ال, affixes, shape, the words around it, position.
/// `lines` gives, per token, its index in its line (0 at a line's first token).
///
/// With `online`, only the features of the word itself and its neighbours: what
/// the analyst's decisions teach. A decision on a word says little of every word of
/// the same shape or in the same position, so those stay as trained.
pub fn lexical_features(doc: &DocTokens, line_of: &[usize], out: &mut [Vec<u64>], online: bool) {
    let toks = &doc.tokens;
    let n = toks.len();
    let stems: Vec<&str> = (0..n)
        .map(|i| {
            doc.stripped[i]
                .last()
                .map_or(toks[i].norm.as_str(), |s| s.norm.as_str())
        })
        .collect();
    // Context stops at a line break (a name never crosses one), so a line's
    // features are the same whether it is tagged alone or in its document.
    let far =
        |from: usize, i: isize| i < 0 || i as usize >= n || line_of[i as usize] != line_of[from];
    let norm = |i: isize| -> &str {
        if i < 0 || i as usize >= n {
            "<edge>"
        } else {
            let t = &toks[i as usize];
            if t.kind == TokenKind::Number {
                "<num>"
            } else {
                t.norm.as_str()
            }
        }
    };
    let stem = |i: isize| -> &str {
        if i < 0 || i as usize >= n {
            "<edge>"
        } else if toks[i as usize].kind == TokenKind::Number {
            "<num>"
        } else {
            stems[i as usize]
        }
    };
    let mut pos = 0usize;
    for i in 0..n {
        let t = &toks[i];
        if far(i, i as isize - 1) {
            pos = 0;
        }
        let fs = &mut out[i];
        let ii = i as isize;
        let w = norm(ii);
        let s = stem(ii);
        let near_norm = |d: isize| {
            if far(i, ii + d) {
                "<edge>"
            } else {
                norm(ii + d)
            }
        };
        let near_stem = |d: isize| {
            if far(i, ii + d) {
                "<edge>"
            } else {
                stem(ii + d)
            }
        };
        let core = s
            .strip_prefix("ال")
            .filter(|c| c.chars().count() >= 2)
            .unwrap_or(s);
        // The word itself, alone and with a neighbour: what a decision teaches.
        fs.push(feat(1, w));
        fs.push(feat(2, s));
        fs.push(feat(3, core));
        fs.push(FeatureHash::new(19).part(near_stem(-1)).part(s).done());
        fs.push(FeatureHash::new(20).part(s).part(near_stem(1)).done());
        let after_punct = !far(i, ii - 1) && toks[i - 1].kind == TokenKind::Punct;
        pos += 1;
        if online {
            continue;
        }
        // The neighbours, shape, affixes and position: what generalizes to unseen
        // words. (Affixes are slices of the word: no allocation per token.)
        fs.push(feat(13, near_norm(-2)));
        fs.push(feat(14, near_norm(-1)));
        fs.push(feat(15, near_norm(1)));
        fs.push(feat(16, near_norm(2)));
        fs.push(feat(17, near_stem(-1)));
        fs.push(feat(18, near_stem(1)));
        fs.push(feat(0, ""));
        let nchars = core.chars().count();
        let byte_at = |s: &str, k: usize| byte_of_code_point(s, k).unwrap_or(s.len());
        for k in 1..=3usize {
            if nchars > k {
                fs.push(feat(3 + k as u8, &core[..byte_at(core, k)]));
                fs.push(feat(6 + k as u8, &core[byte_at(core, nchars - k)..]));
            }
        }
        let script = match t.kind {
            TokenKind::Number => "num",
            TokenKind::Punct => "punct",
            TokenKind::Word if t.norm.chars().all(|c| c.is_ascii_alphabetic()) => "latin",
            TokenKind::Word => "arabic",
        };
        fs.push(
            FeatureHash::new(10)
                .part(script)
                .part(digit(nchars.min(8)))
                .done(),
        );
        // The proclitic taken off, as folded letters.
        let taken = w
            .chars()
            .count()
            .saturating_sub(s.chars().count())
            .max(usize::from(doc.stripped[i].last().is_some()));
        fs.push(feat(11, &w[..byte_at(w, taken)]));
        fs.push(feat(12, if s.starts_with("ال") { "al" } else { "" }));
        fs.push(
            FeatureHash::new(21)
                .part(digit((pos - 1).min(3)))
                .part(if after_punct { "p" } else { "" })
                .done(),
        );
    }
}

/// The line of each token of `doc` (0 for the first): names never cross a line
/// break, and neither does the context the tagger reads.
pub fn line_ids(doc: &DocTokens) -> Vec<usize> {
    let toks = &doc.tokens;
    let mut ids = vec![0usize; toks.len()];
    for i in 1..toks.len() {
        let gap = &doc.text[toks[i - 1].end..toks[i].start];
        ids[i] = ids[i - 1] + usize::from(gap.contains('\n'));
    }
    ids
}

/// The lines of [`line_ids`] as token ranges, none empty.
pub fn lines_of(line_of: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=line_of.len() {
        if i == line_of.len() || line_of[i] != line_of[i - 1] {
            out.push(start..i);
            start = i;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::suggest::dict::DocTokens;

    /// Lines "<verb> <NAME> <rest>" with the name tagged PER.
    fn examples(lines: &[(&str, &str)]) -> Vec<Example> {
        lines
            .iter()
            .map(|(text, name)| {
                let doc = DocTokens::new(text);
                let mut feats = vec![Vec::new(); doc.tokens.len()];
                lexical_features(&doc, &line_ids(&doc), &mut feats, false);
                let start = text.find(name).unwrap();
                let end = start + name.len();
                let gold = doc
                    .tokens
                    .iter()
                    .map(
                        |t| match (t.start == start, t.start > start && t.end <= end) {
                            (true, _) => b_tag(0),
                            (_, true) => i_tag(0),
                            _ => O,
                        },
                    )
                    .collect();
                Example { feats, gold }
            })
            .collect()
    }

    fn tiny_model() -> Model {
        let data = examples(&[
            ("صرح سمير قصير للصحفيين امس", "سمير قصير"),
            ("صرح نبيل فهمي للصحفيين امس", "نبيل فهمي"),
            ("صرح خالد مشعل للصحفيين اليوم", "خالد مشعل"),
            ("صرح رامي عليان للصحفيين اليوم", "رامي عليان"),
            ("وصل الوفد الى المدينة امس", "الوفد"),
        ]);
        // The last line's "name" is not one: make it all outside.
        let mut data = data;
        let last = data.last_mut().unwrap();
        last.gold = vec![O; last.gold.len()];
        train(vec!["PER".into()], &data, 10)
    }

    fn feats_of(text: &str) -> Vec<Vec<u64>> {
        let doc = DocTokens::new(text);
        let mut feats = vec![Vec::new(); doc.tokens.len()];
        lexical_features(&doc, &line_ids(&doc), &mut feats, false);
        feats
    }

    #[test]
    fn learns_a_context_and_tags_a_name_it_never_saw() {
        let m = tiny_model();
        let tags = m.tags_of(&feats_of("صرح وليد جنبلاط للصحفيين امس"), None);
        assert_eq!(tags, vec![O, b_tag(0), i_tag(0), O, O]);
        let found = m.tag(&feats_of("صرح وليد جنبلاط للصحفيين امس"), None);
        assert_eq!((found[0].first, found[0].last), (1, 2));
        assert!(found[0].score > 0.5 && found[0].score <= 1.0);
    }

    #[test]
    fn a_model_file_reads_back_the_same_model_and_the_same_bytes() {
        let m = tiny_model();
        let bytes = m.to_bytes();
        let back = Model::from_bytes(&bytes).unwrap().unwrap();
        assert_eq!(back.to_bytes(), bytes);
        let f = feats_of("صرح وليد جنبلاط للصحفيين امس");
        assert_eq!(back.tag(&f, None), m.tag(&f, None));
        // Training again on the same data gives the same file, bit for bit.
        assert_eq!(tiny_model().to_bytes(), bytes);
        assert!(Model::from_bytes(&[]).unwrap().is_none());
        assert!(Model::from_bytes(b"not a model").is_err());
    }

    #[test]
    fn an_online_decision_moves_the_scores_and_taking_it_back_restores_them_exactly() {
        let m = tiny_model();
        let text = "وصل الوفد الى المدينة امس";
        let doc = DocTokens::new(text);
        let f = feats_of(text);
        let mut online = vec![Vec::new(); doc.tokens.len()];
        lexical_features(&doc, &line_ids(&doc), &mut online, true);
        let mut learnt = Learnt::default();
        let before = m
            .span_score(&m.line(&f, Some(&learnt)), 3, 3, "PER")
            .unwrap();
        m.learn(&mut learnt, &online[3..4], "PER", true, 1);
        assert!(!learnt.is_empty());
        let after = m
            .span_score(&m.line(&f, Some(&learnt)), 3, 3, "PER")
            .unwrap();
        assert!(after > before, "{before} -> {after}");
        // A reject pushes the other way.
        let mut rejected = Learnt::default();
        m.learn(&mut rejected, &online[3..4], "PER", false, 1);
        let lower = m
            .span_score(&m.line(&f, Some(&rejected)), 3, 3, "PER")
            .unwrap();
        assert!(lower < before, "{before} -> {lower}");
        // Taken back: nothing learnt, the same scores to the bit.
        m.learn(&mut learnt, &online[3..4], "PER", true, -1);
        assert!(learnt.is_empty());
        let again = m
            .span_score(&m.line(&f, Some(&learnt)), 3, 3, "PER")
            .unwrap();
        assert_eq!(again.to_bits(), before.to_bits());
        // A label the model does not know teaches nothing.
        m.learn(&mut learnt, &online[3..4], "QTY", true, 1);
        assert!(learnt.is_empty());
    }

    #[test]
    fn learnt_counts_survive_saving() {
        let m = tiny_model();
        let doc = DocTokens::new("وصل الوفد الى المدينة امس");
        let mut online = vec![Vec::new(); doc.tokens.len()];
        lexical_features(&doc, &line_ids(&doc), &mut online, true);
        let mut learnt = Learnt::default();
        m.learn(&mut learnt, &online[1..2], "PER", false, 1);
        assert_eq!(Learnt::from_saved(learnt.to_saved()), learnt);
    }

    #[test]
    fn spans_of_reads_bio() {
        let tags = vec![O, b_tag(0), i_tag(0), O, b_tag(1), b_tag(1), i_tag(1)];
        assert_eq!(spans_of(&tags), vec![(1, 2, 0), (4, 4, 1), (5, 6, 1)]);
    }

    #[test]
    fn platt_fits_a_rising_curve() {
        let pairs: Vec<(f32, f32)> = (0..100)
            .map(|i| {
                let x = i as f32 / 10.0;
                (x, if (i * 7) % 10 < i / 10 { 1.0 } else { 0.0 })
            })
            .collect();
        let [a, _] = fit_platt(&pairs);
        assert!(a > 0.0, "{a}");
    }
}
