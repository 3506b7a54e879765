//! The engine's side of the tagger: what the other sources tell it about each token
//! (gazetteer matches, rule cues, known name tokens), its names as candidates beside
//! the lists' and rules', its verdict on theirs, and teaching it the analyst's
//! decisions. The model itself (features of the text alone, decoding, training) is
//! `tagger.rs`.
//!
//! Must not: change offsets, touch the terminal or the store.

use rustc_hash::FxHashMap as HashMap;

use super::dict::{DocTokens, find_all};
use super::memory::Memory;
use super::normalize::{self, fold};
use super::tagger::{self, FeatureHash, Model, feat};
use super::{Candidate, Engine, MODEL_MIN_SCORE, MODEL_SOURCE, MODEL_VETO, NAME_TOKENS, is_nisba};

impl Engine {
    /// Every feature of every token of `doc` for the tagger: its own lexical ones and
    /// the evidence of the other sources (gazetteer matches by label and list, rule
    /// cues, known name tokens).
    pub fn token_features(&self, doc: &DocTokens) -> Vec<Vec<u64>> {
        self.features_in_lines(doc, &tagger::line_ids(doc))
    }

    /// [`Engine::token_features`] with the tokens' lines ([`tagger::line_ids`]).
    fn features_in_lines(&self, doc: &DocTokens, line_of: &[usize]) -> Vec<Vec<u64>> {
        let n = doc.tokens.len();
        let mut out: Vec<Vec<u64>> = (0..n).map(|_| Vec::with_capacity(48)).collect();
        tagger::lexical_features(doc, line_of, &mut out, false);
        // Evidence stays within its line, as the lexical context does.
        if self.use_gazetteers {
            for hit in find_all(&self.gazetteer.dict, doc) {
                let size = if hit.first == hit.last { "1" } else { "n" };
                for e in hit.value.iter() {
                    let group = source_group(&self.gazetteer.sources[e.source as usize]);
                    let label = self.label_name(e.label);
                    for (i, fs) in out
                        .iter_mut()
                        .enumerate()
                        .take(hit.last + 1)
                        .skip(hit.first)
                    {
                        let pos = if i == hit.first { "B" } else { "I" };
                        fs.push(
                            FeatureHash::new(40)
                                .part(pos)
                                .part(label)
                                .part(group)
                                .done(),
                        );
                        fs.push(FeatureHash::new(41).part(pos).part(label).part(size).done());
                    }
                    if let Some(fs) = out
                        .get_mut(hit.last + 1)
                        .filter(|_| line_of[hit.last + 1] == line_of[hit.last])
                    {
                        fs.push(feat(42, label));
                    }
                }
            }
        }
        for i in 0..n {
            let t = &doc.tokens[i];
            if t.kind != normalize::TokenKind::Word {
                continue;
            }
            let stem = doc.stripped[i]
                .last()
                .map_or(t.norm.as_str(), |s| s.norm.as_str());
            let fs = &mut out[i];
            if self.stopwords.contains(stem) {
                fs.push(feat(43, ""));
            }
            if let Some(c) = self
                .person_names
                .get(stem)
                .or_else(|| self.person_names.get(t.norm.as_str()))
            {
                fs.push(feat(44, tagger::digit(*c as usize)));
            }
            if self.person_tokens.contains(stem) {
                fs.push(feat(45, ""));
            } else if self.name_tokens.contains(stem) {
                fs.push(feat(46, ""));
            }
            if is_nisba(stem) {
                fs.push(feat(47, ""));
            }
            let (title, head) = self.rules.word_cue(stem);
            if title {
                fs.push(feat(48, ""));
            }
            if let Some(h) = head {
                fs.push(feat(49, self.label_name(h)));
            }
            for (d, next) in out.iter_mut().enumerate().skip(i + 1).take(2) {
                if line_of[d] != line_of[i] {
                    break;
                }
                let d = tagger::digit(d - i);
                if title {
                    next.push(FeatureHash::new(50).part(d).done());
                }
                if let Some(h) = head {
                    next.push(FeatureHash::new(51).part(d).part(self.label_name(h)).done());
                }
            }
        }
        for fs in &mut out {
            fs.sort_unstable();
            fs.dedup();
        }
        out
    }

    /// The tagger's names in `doc`, added to `cands`, and its verdict on the
    /// candidates already there (those it scores below [`MODEL_VETO`] go).
    pub(super) fn tagger_candidates(
        &self,
        model: &Model,
        doc: &DocTokens,
        memory: Option<&Memory>,
        cands: &mut Vec<Candidate>,
    ) {
        let line_of = tagger::line_ids(doc);
        let feats = self.features_in_lines(doc, &line_of);
        let learnt = memory.map(|m| &m.learnt);
        let toks = &doc.tokens;
        let lines = tagger::lines_of(&line_of);
        let decoded: Vec<tagger::Line> = lines
            .iter()
            .map(|l| model.line(&feats[l.clone()], learnt))
            .collect();
        // The others' candidates, scored by the tagger too: those it reads as no
        // name in context go.
        cands.retain(|c| {
            let tokens = doc.token_range(c.start, c.end);
            let li = lines.partition_point(|l| l.end <= tokens.start);
            let Some(line) = lines
                .get(li)
                .filter(|l| !tokens.is_empty() && l.contains(&(tokens.end - 1)))
            else {
                return true;
            };
            let label = &self.labels.labels()[c.label as usize].name;
            let (f, l) = (tokens.start - line.start, tokens.end - 1 - line.start);
            !model
                .span_score(&decoded[li], f, l, label)
                .is_some_and(|p| p < MODEL_VETO)
        });
        for (line, dec) in lines.iter().zip(&decoded) {
            for (f, l, label) in tagger::spans_of(&dec.tags) {
                let (first, last) = (line.start + f, line.start + l);
                // A name neither starts nor ends on punctuation or a function word
                // (a conjunction written apart: حركة العدل و).
                let edge_ok = |i: usize| {
                    toks[i].kind != normalize::TokenKind::Punct
                        && toks[i].norm.chars().count() > 1
                        && !self.stopwords.contains(toks[i].norm.as_str())
                };
                if !edge_ok(first) || !edge_ok(last) {
                    continue;
                }
                let name = &model.labels[label];
                let Some(score) = model.span_score(dec, f, l, name) else {
                    continue;
                };
                let Some(li) = self.labels.index(name) else {
                    continue;
                };
                if score < MODEL_MIN_SCORE {
                    continue;
                }
                let (start, end, label) = (self.name_start(doc, first), toks[last].end, li as u16);
                // Where a list or rule says the same, it keeps its name as the source
                // (it says why) and takes the tagger's score when that is higher.
                if let Some(c) = cands
                    .iter_mut()
                    .find(|c| (c.start, c.end, c.label) == (start, end, label))
                {
                    c.score = c.score.max(score);
                    continue;
                }
                cands.push(Candidate {
                    start,
                    end,
                    label,
                    source: MODEL_SOURCE.to_string(),
                    score,
                });
            }
        }
    }

    /// Where a name the tagger found on token `i` starts: after a proclitic when
    /// the word reads as proclitic + article (والجيش، للأمم), or when only the
    /// word without it is a known name token; else at the word.
    fn name_start(&self, doc: &DocTokens, i: usize) -> usize {
        let t = &doc.tokens[i];
        let readings = &doc.stripped[i];
        if let Some(at) = after_article(doc, i) {
            return at;
        }
        let known = |w: &str| self.name_tokens.contains(w) || self.person_names.contains_key(w);
        if !known(&t.norm)
            && let Some(r) = readings.iter().rev().find(|r| known(&r.norm))
        {
            return t.start + r.skip_bytes;
        }
        t.start
    }

    /// Where the name starts when the analyst labels word `i` of `doc` by hand: after
    /// its proclitics (و ف ب ك ل, which the guidelines keep outside a span) when they
    /// read as proclitic + article (والجيش، للأمم), or when the word as written is no
    /// name the engine knows and the rest is (وحمص: حمص), the least taken off first;
    /// else at the word (وليد, a name itself). Known: a token of a list's name, a
    /// person-name token the tagger reads, or a string the memory has accepted.
    pub fn name_start_in_word(&self, doc: &DocTokens, i: usize, memory: Option<&Memory>) -> usize {
        let t = &doc.tokens[i];
        let readings = &doc.stripped[i];
        if let Some(at) = after_article(doc, i) {
            return at;
        }
        let known = |w: &str| {
            self.name_tokens.contains(w)
                || self.person_names.contains_key(w)
                || memory.is_some_and(|m| {
                    m.get(&[w.to_string()])
                        .is_some_and(|r| r.values().any(|c| c.accepts > 0 && !m.vetoed_in(c, None)))
                })
        };
        if known(&t.norm) {
            return t.start;
        }
        readings
            .iter()
            .find(|r| known(&r.norm))
            .map_or(t.start, |r| t.start + r.skip_bytes)
    }

    /// Teaches the tagger one decision on `start..end` (`sign` -1 takes it back).
    pub(super) fn teach_model(
        &self,
        memory: &mut Memory,
        doc: &DocTokens,
        span: (usize, usize),
        label: &str,
        accepted: bool,
        sign: i32,
    ) {
        let Some(model) = self.model() else {
            return;
        };
        let tokens = doc.token_range(span.0, span.1);
        if tokens.is_empty() {
            return;
        }
        let mut feats: Vec<Vec<u64>> = vec![Vec::new(); doc.tokens.len()];
        tagger::lexical_features(doc, &tagger::line_ids(doc), &mut feats, true);
        model.learn(&mut memory.learnt, &feats[tokens], label, accepted, sign);
    }

    /// Takes back one decision, as when the analyst undoes it: the memory's counts
    /// and the tagger's, exactly.
    pub fn forget_decision(
        &self,
        memory: &mut Memory,
        doc: &DocTokens,
        span: (usize, usize),
        label: &str,
        accepted: bool,
    ) {
        self.forget_decision_at(memory, doc, span, label, accepted, Default::default());
    }

    /// As [`Engine::forget_decision`], for a decision taken where `taken` says.
    pub fn forget_decision_at(
        &self,
        memory: &mut Memory,
        doc: &DocTokens,
        span: (usize, usize),
        label: &str,
        accepted: bool,
        taken: super::memory::Taken<'_>,
    ) {
        memory.take_back(doc, span.0, span.1, label, accepted, taken);
        self.teach_model(memory, doc, span, label, accepted, -1);
    }
}

/// A gazetteer's family for the tagger's features: the NewsFANE lists as one, the
/// embedded ones by name, a user's list as "user".
fn source_group(name: &str) -> &str {
    if name.starts_with("newsfane") {
        "newsfane"
    } else if ["curated", "countries", "geonames"].contains(&name) {
        name
    } else {
        "user"
    }
}

/// The person-name tokens, folded, with a frequency class, read once.
pub(super) fn person_names() -> std::sync::Arc<HashMap<String, u8>> {
    static NAMES: std::sync::OnceLock<std::sync::Arc<HashMap<String, u8>>> =
        std::sync::OnceLock::new();
    NAMES
        .get_or_init(|| {
            let mut m = HashMap::default();
            for line in NAME_TOKENS.lines().filter(|l| !l.starts_with('#')) {
                let mut parts = line.split('\t');
                let (Some(word), Some(_), Some(count)) = (parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                let count: u32 = count.trim().parse().unwrap_or(0);
                let class = match count {
                    0..=2 => 0u8,
                    3..=19 => 1,
                    20..=199 => 2,
                    _ => 3,
                };
                let e = m.entry(fold(word)).or_insert(0);
                *e = (*e).max(class);
            }
            std::sync::Arc::new(m)
        })
        .clone()
}

/// Where a name starts in word `i` of `doc` when the word reads as proclitic +
/// article (والجيش، للأمم: at the article), the longest such reading first.
fn after_article(doc: &DocTokens, i: usize) -> Option<usize> {
    doc.stripped[i]
        .iter()
        .rev()
        .find(|r| r.norm.starts_with("ال") && r.norm.chars().count() >= 4)
        .map(|r| doc.tokens[i].start + r.skip_bytes)
}
