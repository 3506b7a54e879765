//! Entity suggestions for Arabic news, offline: gazetteers, rules, a learned tagger
//! (`tagger.rs`, wired in by `tagging.rs`), and the memory of the analyst's
//! decisions. Every suggestion says where it came from and how sure it is;
//! overlapping candidates are settled by score, then length.
//!
//! Owns: matching and arbitration. Must not: change the text (offsets are exact byte
//! ranges of the original), touch the terminal or the store.

pub mod dict;
pub mod gazetteer;
pub mod labels;
pub mod memory;
pub mod normalize;
pub mod options;
pub mod rerank;
pub mod rules;
pub mod tagger;
mod tagging;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use dict::{DocTokens, find_all};
use gazetteer::{Gazetteer, STOPWORDS};
use labels::LabelSet;
use memory::Memory;
use normalize::fold;
use rules::{Context, Listed, Rules};
use tagger::Model;

/// The shipped tagger (`raqim train`, see `assets/model/README.md`); an empty file is
/// no model.
pub const SHIPPED_MODEL: &[u8] = include_bytes!("../../assets/model/tagger.bin");

/// Arabic person-name tokens from Wikidata (CC0, `assets/name-tokens/`): evidence for
/// the tagger, never matched on their own.
pub const NAME_TOKENS: &str = include_str!("../../assets/name-tokens/arabic.tsv");

/// The source name of the tagger's suggestions.
pub const MODEL_SOURCE: &str = "model";

/// Below this calibrated score the tagger's names are not suggested. With
/// [`MODEL_VETO`], chosen by 5-fold cross-validation on NewsFANE for precision >=
/// 0.80 with the mildest veto (see the README).
pub const MODEL_MIN_SCORE: f32 = 0.7;

/// A list's or rule's candidate that the tagger, having read the list and rule
/// evidence in context, scores below this is dropped. Kept low: on text unlike
/// NewsFANE's the tagger knows fewer words, and a name it vetoes wrongly costs the
/// analyst six keys to add where a wrong suggestion costs one to reject (at 0.5
/// it dropped seven right names for every wrong one on two unseen articles).
pub const MODEL_VETO: f32 = 0.3;

/// A surname alone scores this share of its full name's memory score: below the
/// full name where both could be taken.
const SURNAME_FACTOR: f32 = 0.9;

/// Texts longer than this are suggested piece by piece (cut at line breaks).
pub const PIECE_BYTES: usize = 64 * 1024;

/// Stripped (proclitic) readings score this much of an exact one.
pub const STRIPPED_FACTOR: f32 = 0.95;

/// What the analyst has settled elsewhere in the document being suggested: the
/// viewer and the replay suggest one paragraph at a time, and a person named in
/// full in one paragraph is named by surname alone in the next. Also which document
/// it is, since a reject withdraws a string from its own document only.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocNames {
    /// Folded last words of the person names accepted in the document.
    surnames: HashSet<String>,
    /// The document's id (`None`: a text of no known document).
    doc: Option<String>,
}

impl DocNames {
    /// Nothing settled yet in document `id`.
    pub fn in_doc(id: impl Into<String>) -> DocNames {
        DocNames {
            surnames: HashSet::default(),
            doc: Some(id.into()),
        }
    }

    /// Notes an accepted span: a person name of two words or more gives its last.
    pub fn add(&mut self, text: &str, label: &str) {
        if label != "PER" {
            return;
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        if let [_, .., last] = words.as_slice() {
            self.surnames.insert(fold(last));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.surnames.is_empty()
    }
}

/// One suggested span.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    pub label: String,
    /// `gazetteer:NAME`, `rule:KIND` or `memory`.
    pub source: String,
    /// How sure, in 0..1.
    pub score: f32,
}

/// The suggestion engine: labels, gazetteers and rules, loaded once.
pub struct Engine {
    pub labels: LabelSet,
    gazetteer: Gazetteer,
    rules: Rules,
    stopwords: HashSet<String>,
    name_tokens: HashSet<String>,
    person_tokens: HashSet<String>,
    entries: HashSet<String>,
    geonames: Option<u16>,
    use_gazetteers: bool,
    use_rules: bool,
    /// Person-name tokens (folded) with a frequency class 0..=3.
    person_names: std::sync::Arc<HashMap<String, u8>>,
    model: Option<std::sync::Arc<Model>>,
    use_model: bool,
}

struct Candidate {
    start: usize,
    end: usize,
    label: u16,
    source: String,
    score: f32,
}

/// Why a user's label, gazetteer or rules file could not be used; names the file.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Read(#[from] crate::ReadError),
    #[error(transparent)]
    Labels(#[from] labels::LabelError),
    #[error(transparent)]
    Gazetteer(#[from] gazetteer::GazetteerError),
    #[error(transparent)]
    Rules(#[from] rules::RulesError),
    /// A model file that is not one.
    #[error("{file}: {message}")]
    Model { file: String, message: String },
}

/// The embedded engine, built once per process and shared: it takes tens of
/// milliseconds to build, so a binary may call this on a thread while it reads the
/// article (`std::thread::spawn(raqim::suggest::builtin_engine)`) and the viewer then
/// finds it ready.
pub fn builtin_engine() -> std::sync::Arc<Engine> {
    static ENGINE: std::sync::OnceLock<std::sync::Arc<Engine>> = std::sync::OnceLock::new();
    std::sync::Arc::clone(ENGINE.get_or_init(|| std::sync::Arc::new(Engine::builtin())))
}

impl Engine {
    /// The embedded labels, gazetteers and rules.
    pub fn builtin() -> Engine {
        let labels = LabelSet::builtin();
        let gazetteer = Gazetteer::builtin(&labels).expect("embedded gazetteers load");
        let rules = Rules::builtin(&labels);
        Engine::new(labels, gazetteer, rules).with_shipped_model()
    }

    /// Adds the shipped tagger (its labels that the label set lacks are never
    /// suggested).
    pub fn with_shipped_model(self) -> Engine {
        match Model::from_bytes(SHIPPED_MODEL) {
            Ok(m) => self.with_model(m.map(std::sync::Arc::new)),
            Err(e) => panic!("the embedded model does not load: {e}"),
        }
    }

    /// Sets the tagger (None: lists, rules and memory only).
    pub fn with_model(mut self, model: Option<std::sync::Arc<Model>>) -> Engine {
        self.model = model;
        self
    }

    /// Turns the tagger off or on (it stays loaded).
    pub fn with_model_on(mut self, on: bool) -> Engine {
        self.use_model = on;
        self
    }

    /// The tagger in use, if any.
    pub fn model(&self) -> Option<&Model> {
        self.model.as_deref().filter(|_| self.use_model)
    }

    /// An engine with a user's files: a label set that replaces the default one, a
    /// rules file that replaces the default rules, and gazetteers added to the
    /// embedded ones (score 0.9). Errors name the file and the line.
    pub fn from_files(
        labels: Option<&std::path::Path>,
        rules: Option<&std::path::Path>,
        gazetteers: &[std::path::PathBuf],
    ) -> Result<Engine, SourceError> {
        let labels = match labels {
            Some(p) => LabelSet::load(p)?,
            None => LabelSet::builtin(),
        };
        let mut gazetteer = Gazetteer::builtin(&labels)?;
        for p in gazetteers {
            let src = crate::read_text(p)?;
            gazetteer.add(&p.display().to_string(), 0.9, &src, &labels, false)?;
        }
        let rules = match rules {
            Some(p) => Rules::load(p, &labels)?,
            None => Rules::builtin(&labels),
        };
        Ok(Engine::new(labels, gazetteer, rules).with_shipped_model())
    }

    /// An engine from parts (user label, gazetteer or rule files).
    pub fn new(labels: LabelSet, gazetteer: Gazetteer, rules: Rules) -> Engine {
        let stopwords: HashSet<String> = STOPWORDS
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty() && !w.starts_with('#'))
            .map(fold)
            .collect();
        let mut name_tokens = HashSet::default();
        let mut person_tokens = HashSet::default();
        let mut single = HashSet::default();
        let per = labels.index("PER").map(|i| i as u16);
        gazetteer.dict.for_each(|key, entries| {
            let person = entries.iter().any(|e| Some(e.label) == per);
            if let [one] = key
                && !stopwords.contains(*one)
            {
                single.insert(one.to_string());
            }
            for t in key {
                if !stopwords.contains(*t) {
                    name_tokens.insert(t.to_string());
                    if person {
                        person_tokens.insert(t.to_string());
                    }
                }
            }
        });
        let geonames = gazetteer
            .sources
            .iter()
            .position(|s| s == "geonames")
            .map(|i| i as u16);
        Engine {
            labels,
            gazetteer,
            rules,
            stopwords,
            name_tokens,
            person_tokens,
            entries: single,
            geonames,
            use_gazetteers: true,
            use_rules: true,
            person_names: tagging::person_names(),
            model: None,
            use_model: true,
        }
    }

    /// Turns sources off (to measure what each is worth, or to suggest from the
    /// analyst's memory alone).
    pub fn with_sources(mut self, gazetteers: bool, rules: bool) -> Engine {
        self.use_gazetteers = gazetteers;
        self.use_rules = rules;
        self
    }

    fn label_name(&self, i: u16) -> &str {
        &self.labels.labels()[i as usize].name
    }

    /// Suggestions for `text`, in text order, none overlapping. A name never spans a
    /// line break, so a long text is cut at line breaks into pieces of about
    /// [`PIECE_BYTES`] suggested in parallel.
    pub fn suggest(&self, text: &str, memory: Option<&Memory>) -> Vec<Suggestion> {
        self.suggest_in(text, memory, &DocNames::default())
    }

    /// As [`Engine::suggest`], for a part of a document in which the analyst has
    /// settled `names` elsewhere.
    pub fn suggest_in(
        &self,
        text: &str,
        memory: Option<&Memory>,
        names: &DocNames,
    ) -> Vec<Suggestion> {
        use rayon::prelude::*;
        if text.len() <= PIECE_BYTES {
            return self.suggest_doc_in(&DocTokens::new(text), memory, names);
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let mut end = (start + PIECE_BYTES).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            end = match text[end..].find('\n') {
                Some(p) => end + p + 1,
                None => text.len(),
            };
            pieces.push(start..end);
            start = end;
        }
        let parts: Vec<Vec<Suggestion>> = pieces
            .par_iter()
            .map(|r| {
                let mut v = self.suggest_doc_in(&DocTokens::new(&text[r.clone()]), memory, names);
                for s in &mut v {
                    s.start += r.start;
                    s.end += r.start;
                }
                v
            })
            .collect();
        parts.concat()
    }

    /// As [`Engine::suggest`], for a document already tokenized.
    pub fn suggest_doc(&self, doc: &DocTokens, memory: Option<&Memory>) -> Vec<Suggestion> {
        self.suggest_doc_in(doc, memory, &DocNames::default())
    }

    /// As [`Engine::suggest_in`], for a document already tokenized.
    pub fn suggest_doc_in(
        &self,
        doc: &DocTokens,
        memory: Option<&Memory>,
        names: &DocNames,
    ) -> Vec<Suggestion> {
        let mut cands: Vec<Candidate> = Vec::new();

        let gazetteer_hits = if self.use_gazetteers {
            find_all(&self.gazetteer.dict, doc)
        } else {
            Vec::new()
        };
        let mut names_at: HashMap<usize, Listed> = HashMap::default();
        let place = self.labels.index("LOC").map(|i| i as u16);
        for hit in gazetteer_hits {
            let single = hit.first == hit.last;
            let norm = doc.tokens[hit.first].norm.as_str();
            // A single common word is never a name on its own.
            if single && self.stopwords.contains(norm) {
                continue;
            }
            // A nisba word after a definite noun agrees with it: an adjective
            // (الدول العربية), not a name (العربية the channel).
            if single && hit.first > 0 && is_nisba(norm) && is_definite_word(doc, hit.first - 1) {
                continue;
            }
            let Some(best) = hit
                .value
                .iter()
                .max_by(|a, b| a.score.total_cmp(&b.score).then(b.source.cmp(&a.source)))
            else {
                continue;
            };
            // GeoNames holds every hamlet: a short or definite single word found only
            // there is more often a common noun (السجن، الحصن، شبه) than a place.
            let only_geonames = hit.value.iter().all(|e| Some(e.source) == self.geonames);
            if single
                && only_geonames
                && (norm.starts_with("ال")
                    || norm.chars().count() <= 3
                    || !place_cue(doc, hit.first, hit.stripped))
            {
                continue;
            }
            let factor = if hit.stripped { STRIPPED_FACTOR } else { 1.0 };
            let listed = Listed {
                last: hit.last,
                place: Some(best.label) == place,
                clitic: hit.stripped,
            };
            let at = names_at.entry(hit.first).or_insert(listed);
            if hit.last > at.last {
                *at = listed;
            }
            cands.push(Candidate {
                start: hit.start,
                end: hit.end,
                label: best.label,
                source: format!("gazetteer:{}", self.gazetteer.sources[best.source as usize]),
                score: best.score * factor,
            });
        }

        let ctx = Context {
            stopwords: &self.stopwords,
            name_tokens: &self.name_tokens,
            person_tokens: &self.person_tokens,
            entries: &self.entries,
            names_at: &names_at,
            person_names: &self.person_names,
        };
        let rule_hits = if self.use_rules {
            self.rules.apply(doc, &ctx)
        } else {
            Vec::new()
        };
        for hit in rule_hits {
            cands.push(Candidate {
                start: hit.start,
                end: hit.end,
                label: hit.label,
                source: format!("rule:{}", hit.rule),
                score: hit.score,
            });
        }

        // The tagger: names no list holds, from their shape and context; and its
        // opinion of the lists' and rules' candidates, which it read as evidence.
        if let Some(model) = self.model() {
            self.tagger_candidates(model, doc, memory, &mut cands);
        }

        // The analyst's decisions: suggest what was accepted, veto what was rejected.
        let mut vetoes: HashMap<(usize, usize), Vec<u16>> = HashMap::default();
        // Last words of the person names accepted in this document, with the score
        // a surname alone gets: those settled elsewhere in it, and those of
        // remembered names found in this text.
        let person = self.labels.index("PER").map(|i| i as u16);
        let mut surnames: Vec<(String, f32)> = match person {
            Some(_) => names
                .surnames
                .iter()
                .map(|w| (w.clone(), SURNAME_FACTOR))
                .collect(),
            None => Vec::new(),
        };
        // The other layers of this document: their analysts' decisions on it are not
        // suggested here (blind double annotation).
        let hidden = match (memory, names.doc.as_deref()) {
            (Some(mem), Some(d)) => mem.other_layers_of(d),
            _ => Vec::new(),
        };
        if let Some(mem) = memory {
            let here = names.doc.as_deref().and_then(|d| mem.doc_index(d));
            for hit in find_all(&mem.dict, doc) {
                // A single stop word, read with or without its proclitic (وعلى).
                if hit.first == hit.last
                    && self
                        .stopwords
                        .contains(&fold(&doc.text[hit.start..hit.end]))
                {
                    continue;
                }
                // A nisba word accepted as a name (العربي the club, الفرنسية the
                // agency) is an adjective after a definite noun (الخليج العربي): as for
                // the lists, it is not suggested there.
                let norm = doc.tokens[hit.first].norm.as_str();
                if hit.first == hit.last
                    && hit.first > 0
                    && is_nisba(norm)
                    && is_definite_word(doc, hit.first - 1)
                {
                    continue;
                }
                for (label, counts) in hit.value {
                    let Some(li) = self.labels.index(label) else {
                        continue;
                    };
                    let li = li as u16;
                    let counts = counts.without(&hidden);
                    if mem.vetoed_in(&counts, here) {
                        vetoes.entry((hit.start, hit.end)).or_default().push(li);
                    } else if counts.accepts > 0 {
                        let factor = if hit.stripped { STRIPPED_FACTOR } else { 1.0 };
                        let score = (counts.score() * factor).min(1.0);
                        cands.push(Candidate {
                            start: hit.start,
                            end: hit.end,
                            label: li,
                            source: "memory".to_string(),
                            // Learned strings outrank lists and rules at equal odds.
                            score,
                        });
                        if Some(li) == person && hit.last > hit.first {
                            let last = doc.tokens[hit.last].norm.to_string();
                            surnames.push((last, score * SURNAME_FACTOR));
                        }
                    }
                }
            }
        }
        if let Some(person) = person {
            self.surname_candidates(doc, person, &surnames, &mut cands);
        }
        cands.retain(|c| {
            !vetoes
                .get(&(c.start, c.end))
                .is_some_and(|ls| ls.contains(&c.label))
        });
        // Where the analyst's decisions say this kind of suggestion is wrong here.
        if let Some(mem) = memory
            && mem.reranker.decisions() >= rerank::MIN_DECISIONS
        {
            let here = names.doc.as_deref().and_then(|d| mem.doc_index(d));
            cands.retain(|c| {
                let label = self.label_name(c.label);
                let feats = rerank::features(doc, c.start, c.end, label, &c.source);
                // The tagger learns from the same decisions; it is never switched off.
                let off = c.source != MODEL_SOURCE && mem.reranker.source_off(&c.source, label);
                // A string the analyst only ever rejected, in other documents and
                // fewer than it takes to withdraw it everywhere: the context model,
                // which learnt its rejects too, must not withdraw it here either.
                let elsewhere = || {
                    mem.get(&dict::key_of_span(doc, c.start, c.end))
                        .and_then(|r| r.get(label))
                        .map(|k| k.without(&hidden))
                        .is_some_and(|k| {
                            k.rejects > 0 && k.accepts == 0 && !mem.vetoed_in(&k, here)
                        })
                };
                !off && (!mem.reranker.rejects(&feats) || elsewhere())
            });
        }

        drop_nested(&mut cands);
        // Score, then length, then memory over other sources, then text order.
        cands.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then((b.end - b.start).cmp(&(a.end - a.start)))
                .then((b.source == "memory").cmp(&(a.source == "memory")))
                .then(a.start.cmp(&b.start))
        });
        // Taken ranges by start; they never overlap, so only the neighbours of a
        // candidate can overlap it.
        let mut taken: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
        let mut out = Vec::new();
        for c in cands {
            let before = taken.range(..c.end).next_back();
            if before.is_some_and(|(&s, &e)| s < c.end && c.start < e) {
                continue;
            }
            taken.insert(c.start, c.end);
            out.push(Suggestion {
                start: c.start,
                end: c.end,
                label: self.label_name(c.label).to_string(),
                source: c.source,
                score: c.score,
            });
        }
        out.sort_by_key(|s| s.start);
        if self.use_rules {
            self.add_acronyms(doc, &mut out, &vetoes);
        }
        out
    }

    /// A person named in full in a document and accepted is then often named by the
    /// last word of the name alone (صامويل إيتو ... قال إيتو): each folded word of
    /// `surnames`, with its score, is a candidate from memory wherever it stands in
    /// `doc`. Not a short or common word, not a nisba agreeing with a definite noun
    /// (الجيش المصري); inside the full name it is dropped as nested.
    fn surname_candidates(
        &self,
        doc: &DocTokens,
        label: u16,
        surnames: &[(String, f32)],
        cands: &mut Vec<Candidate>,
    ) {
        let mut seen = HashSet::default();
        for (norm, score) in surnames {
            let (norm, score) = (norm.as_str(), *score);
            if norm.chars().count() < 3 || self.stopwords.contains(norm) || !seen.insert(norm) {
                continue;
            }
            for (i, t) in doc.tokens.iter().enumerate() {
                let start = if t.norm == norm {
                    t.start
                } else if let Some(s) = doc.stripped[i].iter().find(|s| s.norm == norm) {
                    t.start + s.skip_bytes
                } else {
                    continue;
                };
                if is_nisba(norm) && i > 0 && is_definite_word(doc, i - 1) {
                    continue;
                }
                cands.push(Candidate {
                    start,
                    end: t.end,
                    label,
                    source: "memory".to_string(),
                    score,
                });
            }
        }
    }

    /// An acronym in brackets right after a suggested name (الوكالة الدولية للطاقة
    /// الذرية (IAEA)) names the same entity: it is suggested with the name's label,
    /// where nothing else was and the analyst has not rejected it. `out` is in text
    /// order and stays so.
    fn add_acronyms(
        &self,
        doc: &DocTokens,
        out: &mut Vec<Suggestion>,
        vetoes: &HashMap<(usize, usize), Vec<u16>>,
    ) {
        let mut added = Vec::new();
        for (i, s) in out.iter().enumerate() {
            let words = doc.token_range(s.start, s.end).len();
            let Some((start, end)) = rules::bracketed_acronym(doc, &self.stopwords, s.end, words)
            else {
                continue;
            };
            if out.get(i + 1).is_some_and(|n| n.start < end) {
                continue;
            }
            let vetoed = self.labels.index(&s.label).is_some_and(|l| {
                vetoes
                    .get(&(start, end))
                    .is_some_and(|ls| ls.contains(&(l as u16)))
            });
            if vetoed {
                continue;
            }
            added.push(Suggestion {
                start,
                end,
                label: s.label.clone(),
                source: "rule:acronym".to_string(),
                score: s.score * ACRONYM_FACTOR,
            });
        }
        if !added.is_empty() {
            out.extend(added);
            out.sort_by_key(|s| s.start);
        }
    }
}

/// An acronym scores this much of the name it follows.
pub const ACRONYM_FACTOR: f32 = 0.9;

/// Words after which a name is a place: prepositions of place and place nouns.
const PLACE_CUES: &[&str] = &[
    "في",
    "من",
    "الي",
    "الى",
    "نحو",
    "قرب",
    "داخل",
    "خارج",
    "حول",
    "عبر",
    "مدينه",
    "بلده",
    "قريه",
    "منطقه",
    "محافظه",
    "ولايه",
    "اقليم",
    "مقاطعه",
    "عاصمه",
    "شرق",
    "غرب",
    "شمال",
    "جنوب",
    "شرقي",
    "غربي",
    "شمالي",
    "جنوبي",
    "ريف",
    "ضواحي",
    "مخيم",
    "حي",
];

/// A single word found only in GeoNames is taken as a place when a place cue stands
/// before it (في حلب، مدينة حلب), read with or without its proclitics (وفي حلب،
/// لمدينة حلب), or it carries the preposition بـ (بحلب).
fn place_cue(doc: &DocTokens, i: usize, stripped: bool) -> bool {
    if stripped {
        let t = &doc.tokens[i];
        // بـ, after a conjunction or not.
        let after_conj = t.norm.strip_prefix(normalize::CONJUNCTIONS);
        if after_conj.unwrap_or(&t.norm).starts_with('ب') {
            return true;
        }
    }
    i > 0
        && (PLACE_CUES.contains(&doc.tokens[i - 1].norm.as_str())
            || doc.stripped[i - 1]
                .iter()
                .any(|s| PLACE_CUES.contains(&s.norm.as_str())))
}

impl Engine {
    /// Takes in the analyst's decision on a suggestion: the memory counts it for the
    /// string, and the re-ranker learns from its context.
    /// The decision is taken in no known document: a reject counts for the project.
    pub fn learn_decision(
        &self,
        memory: &mut Memory,
        doc: &DocTokens,
        s: &Suggestion,
        accepted: bool,
    ) {
        self.learn_decision_at(memory, doc, s, accepted, memory::Taken::default());
    }

    /// As [`Engine::learn_decision`], taken where and when `taken` says.
    pub fn learn_decision_at(
        &self,
        memory: &mut Memory,
        doc: &DocTokens,
        s: &Suggestion,
        accepted: bool,
        taken: memory::Taken<'_>,
    ) {
        memory.decide(doc, s.start, s.end, &s.label, accepted, taken);
        let feats = rerank::features(doc, s.start, s.end, &s.label, &s.source);
        memory.reranker.learn(&feats, accepted);
        memory.reranker.count_source(&s.source, &s.label, accepted);
        self.teach_model(memory, doc, (s.start, s.end), &s.label, accepted, 1);
    }
}

/// ال + stem + ي / ية: the shape of a nisba adjective (السوري، العربية).
pub fn is_nisba(norm: &str) -> bool {
    norm.starts_with("ال")
        && norm.chars().count() >= 5
        && (norm.ends_with('ي') || norm.ends_with("يه"))
}

fn is_definite_word(doc: &DocTokens, i: usize) -> bool {
    let t = &doc.tokens[i];
    t.kind == normalize::TokenKind::Word && t.norm.starts_with("ال")
}

/// Longest match wins within a label: a candidate strictly inside another of the same
/// label goes (العميد سهيل الحسن: not الحسن alone), whatever its source, unless the
/// enclosing one is bound to lose: it scores lower than the inner one and a stronger
/// candidate of another label overlaps it. Then it must not take the inner name down
/// with it (the title rule's "حزب الله حسن نصر الله" loses to حزب الله, and the listed
/// حسن نصر الله stays).
fn drop_nested(cands: &mut Vec<Candidate>) {
    cands.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let longest = cands.iter().map(|c| c.end - c.start).max().unwrap_or(0);
    // Whether a stronger candidate of another label overlaps candidate `i`.
    let contested = |i: usize| {
        let c = &cands[i];
        let from = cands.partition_point(|o| o.start + longest <= c.start);
        let to = cands.partition_point(|o| o.start < c.end);
        cands[from..to]
            .iter()
            .any(|o| o.label != c.label && o.score > c.score && o.end > c.start)
    };
    // The candidates of each label seen so far that may enclose later ones.
    let mut open: HashMap<u16, Vec<usize>> = HashMap::default();
    let mut keep = vec![true; cands.len()];
    let mut i = 0;
    while i < cands.len() {
        // A group of candidates with the same range.
        let mut j = i;
        while j < cands.len() && (cands[j].start, cands[j].end) == (cands[i].start, cands[i].end) {
            j += 1;
        }
        for k in i..j {
            let c = &cands[k];
            let Some(outer) = open.get_mut(&c.label) else {
                continue;
            };
            outer.retain(|&o| cands[o].end > c.start);
            if outer.iter().any(|&o| {
                let e = &cands[o];
                e.end >= c.end && (e.score >= c.score || !contested(o))
            }) {
                keep[k] = false;
            }
        }
        for (k, c) in cands.iter().enumerate().take(j).skip(i) {
            open.entry(c.label).or_default().push(k);
        }
        i = j;
    }
    let mut k = 0;
    cands.retain(|_| {
        k += 1;
        keep[k - 1]
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str, s: &[Suggestion]) -> Vec<(String, String)> {
        s.iter()
            .map(|x| (text[x.start..x.end].to_string(), x.label.clone()))
            .collect()
    }

    /// Asserts that `e` suggests each (name, label) in `text`; a failure shows what
    /// it did suggest.
    fn assert_suggests(e: &Engine, text: &str, expected: &[(&str, &str)]) {
        let got = shown(text, &e.suggest(text, None));
        for (name, label) in expected {
            assert!(
                got.contains(&(name.to_string(), label.to_string())),
                "{got:?}"
            );
        }
    }

    #[test]
    fn suggests_from_lists_and_rules_with_sources() {
        let e = Engine::builtin();
        let text = "والتحالف الأميركي يمنع عبور قافلة داعش إلى شرق سوريا على بعد 3 كلم";
        let s = e.suggest(text, None);
        let got = shown(text, &s);
        assert!(
            got.contains(&("التحالف الأميركي".into(), "ORG".into())),
            "{got:?}"
        );
        assert!(got.contains(&("داعش".into(), "ORG".into())), "{got:?}");
        assert!(got.contains(&("سوريا".into(), "LOC".into())), "{got:?}");
        assert!(got.contains(&("3 كلم".into(), "QTY".into())), "{got:?}");
        assert!(s.iter().all(|x| x.score > 0.0 && x.score <= 1.0));
        assert!(s.iter().any(|x| x.source.starts_with("gazetteer:")));
        assert!(s.iter().any(|x| x.source == "rule:quantity"));
    }

    #[test]
    fn memory_suggests_accepted_strings_and_vetoes_rejected_ones() {
        let e = Engine::builtin();
        let text = "قال المرصد إن سهيل الحسن وصل، ثم غادر سهيل الحسن وداعش";
        let doc = DocTokens::new(text);
        let mut mem = Memory::new();
        let s = text.find("سهيل").unwrap();
        mem.accept(&doc, s, s + "سهيل الحسن".len(), "PER");
        let d = text.find("داعش").unwrap();
        mem.reject(&doc, d, d + "داعش".len(), "ORG");
        let out = e.suggest(text, Some(&mem));
        let got = shown(text, &out);
        let pers: Vec<_> = got
            .iter()
            .filter(|(t, l)| t == "سهيل الحسن" && l == "PER")
            .collect();
        assert_eq!(pers.len(), 2, "{got:?}");
        assert!(out.iter().any(|x| x.source == "memory"));
        assert!(!got.iter().any(|(t, _)| t == "داعش"), "{got:?}");
        // Without the memory, the gazetteer suggests it.
        assert!(
            shown(text, &e.suggest(text, None))
                .iter()
                .any(|(t, _)| t == "داعش")
        );
    }

    #[test]
    fn the_shipped_tagger_finds_person_names_no_list_holds() {
        let e = Engine::builtin();
        assert!(e.model().is_some(), "the model is embedded");
        let text = "وقال رئيس المجلس المحلي في البلدة عبد الكريم الحمادي إن الأهالي عادوا، وأكد مدير المستشفى الدكتور نزار الشامي أن الطواقم تعمل.";
        let got = e.suggest(text, None);
        for name in ["عبد الكريم الحمادي", "نزار الشامي"] {
            let s = got
                .iter()
                .find(|s| &text[s.start..s.end] == name)
                .unwrap_or_else(|| panic!("{name} not suggested: {got:?}"));
            assert_eq!((s.label.as_str(), s.source.as_str()), ("PER", MODEL_SOURCE));
            assert!(s.score >= MODEL_MIN_SCORE && s.score <= 1.0);
        }
        // No list holds the first, and no title is right before it: without the
        // tagger it is missed (the second one a title rule finds from its given name).
        let off = Engine::builtin().with_model_on(false).suggest(text, None);
        let first = text.find("عبد الكريم").unwrap();
        assert!(
            !off.iter()
                .any(|s| s.label == "PER" && s.start <= first && first < s.end),
            "{off:?}"
        );
    }

    #[test]
    fn decisions_teach_the_tagger_and_undo_takes_the_lesson_back() {
        let e = Engine::builtin();
        let text = "عاد الأهالي إلى بلدة حاس بعد أشهر من النزوح";
        let doc = DocTokens::new(text);
        let mut mem = Memory::new();
        let s = text.find("حاس").unwrap();
        let place = Suggestion {
            start: s,
            end: s + "حاس".len(),
            label: "LOC".into(),
            source: "analyst".into(),
            score: 1.0,
        };
        e.learn_decision(&mut mem, &doc, &place, true);
        assert!(!mem.learnt.is_empty(), "the accept taught the tagger");
        // Saved and read back with the memory.
        let back = Memory::from_json(&mem.to_json()).unwrap();
        assert_eq!(back.learnt, mem.learnt);
        e.forget_decision(&mut mem, &doc, (place.start, place.end), "LOC", true);
        assert!(mem.learnt.is_empty(), "undo leaves no trace");
        assert_eq!(mem.decisions(), 0);
    }

    #[test]
    fn a_long_text_is_suggested_in_pieces_exactly_as_whole() {
        let e = Engine::builtin();
        // Odd padding so piece boundaries fall inside two-byte letters.
        let line = "قال الجيش السوري إن داعش انسحب من دير الزور نحو سوريا";
        let text: String = (0..3000)
            .map(|i| format!("{}{line}\n", "x".repeat(i % 3)))
            .collect();
        assert!(text.len() > 2 * PIECE_BYTES);
        let whole = e.suggest_doc(&DocTokens::new(&text), None);
        assert_eq!(e.suggest(&text, None), whole);
        assert!(whole.len() >= 4 * 3000);
    }

    #[test]
    fn a_weak_span_round_a_known_name_does_not_swallow_it() {
        let e = Engine::builtin();
        // The title rule reads "حزب الله حسن نصر الله" as one name; the party wins
        // its words, and the listed person must survive inside the lost span.
        let text = "وقال زعيم حزب الله حسن نصر الله في كلمة متلفزة إن الرد قادم";
        assert_suggests(&e, text, &[("حزب الله", "ORG"), ("حسن نصر الله", "PER")]);
        // A surname alone stays inside the name the title rule found.
        let text = "وصل العميد سهيل الحسن إلى المدينة";
        assert_suggests(&e, text, &[("سهيل الحسن", "PER")]);
    }

    #[test]
    fn forces_of_a_known_body_are_the_body() {
        let e = Engine::builtin().with_model_on(false); // the lists and rules alone
        // "قوات X" wraps the name the guidelines annotate: X alone.
        for (text, name) in [
            ("انتشرت قوات اليونيفيل على طول الخط الأزرق", "اليونيفيل"),
            ("وتقدمت قوات البيشمركة نحو القرى المحيطة", "البيشمركة"),
            ("وأعلنت قوات الحشد الشعبي بدء عملية جديدة", "الحشد الشعبي"),
            ("وأكدت قوات التحالف الدولي مقتل قيادي", "التحالف الدولي"),
        ] {
            assert_suggests(&e, text, &[(name, "ORG")]);
        }
        // A name whose first word is قوات stays whole.
        let text = "سيطرت قوات سوريا الديمقراطية على البلدة";
        assert_suggests(&e, text, &[("قوات سوريا الديمقراطية", "ORG")]);
    }

    #[test]
    fn an_acronym_in_brackets_after_a_name_takes_its_label() {
        let e = Engine::builtin();
        let text = "زار مفتشو الوكالة الدولية للطاقة الذرية (IAEA) المنشأة، وأكد برنامج الأغذية العالمي ( WFP ) وصول المساعدات، بحسب حلف شمال الأطلسي (ناتو)";
        let s = e.suggest(text, None);
        let got = shown(text, &s);
        for acronym in ["IAEA", "WFP", "ناتو"] {
            assert!(got.contains(&(acronym.into(), "ORG".into())), "{got:?}");
        }
        assert!(s.iter().any(|x| x.source == "rule:acronym"));
        // A bracketed adjective or word that is no acronym is left alone.
        let text = "قصف الجيش السوري (النظامي) المنطقة، ووصل الرئيس رجب طيب أردوغان (يسار)";
        let got = shown(text, &e.suggest(text, None));
        assert!(
            !got.iter().any(|(t, _)| t == "النظامي" || t == "يسار"),
            "{got:?}"
        );
        // Without rules, no acronym.
        let e = Engine::builtin().with_sources(true, false);
        let text = "زار مفتشو الوكالة الدولية للطاقة الذرية (IAEA) المنشأة";
        let got = shown(text, &e.suggest(text, None));
        assert!(!got.iter().any(|(t, _)| t == "IAEA"), "{got:?}");
    }

    #[test]
    fn a_place_cue_with_a_proclitic_still_cues_a_listed_place() {
        let e = Engine::builtin().with_model_on(false); // the lists and rules alone
        let text =
            "تظاهر سكان وفي سراقب خرجوا، ووصل الوفد لمدينة تلكلخ ثم بمدينة صافيتا ومن جرابلس";
        let places = ["سراقب", "تلكلخ", "صافيتا", "جرابلس"].map(|p| (p, "LOC"));
        assert_suggests(&e, text, &places);
        // Without a cue, a word found only in GeoNames is still not suggested.
        let text = "قال إن صافيتا جميلة";
        let got = shown(text, &e.suggest(text, None));
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn a_head_takes_a_listed_name_whole_and_outranks_it() {
        // Without the tagger: these are the rules' and lists' answers.
        let e = Engine::builtin().with_model_on(false);
        let cases: &[(&str, &[(&str, &str)])] = &[
            // All the words of a listed name, and a nisba after it.
            (
                "وصلت الشحنة إلى مطار دير الزور العسكري",
                &[("مطار دير الزور العسكري", "FAC")],
            ),
            // A plain noun between the head and the listed name.
            (
                "توقفت محطة كهرباء حمص عن العمل",
                &[("محطة كهرباء حمص", "FAC")],
            ),
            // An adjective that is part of a facility's name.
            ("افتتح مطار بغداد الجديد", &[("مطار بغداد الجديد", "FAC")]),
            // A body: a place and a nisba after it.
            (
                "رفع مصرف لبنان المركزي الفائدة",
                &[("مصرف لبنان المركزي", "ORG")],
            ),
        ];
        for (text, expected) in cases {
            assert_suggests(&e, text, expected);
            // The city inside is not suggested apart.
            let got = shown(text, &e.suggest(text, None));
            assert_eq!(got.len(), expected.len(), "{got:?}");
        }
    }

    #[test]
    fn a_public_body_is_named_by_its_field_and_a_company_alone_is_no_name() {
        let e = Engine::builtin().with_model_on(false);
        assert_suggests(
            &e,
            "أعلنت الهيئة العامة للطيران المدني أمس",
            &[("الهيئة العامة للطيران المدني", "ORG")],
        );
        assert_suggests(
            &e,
            "وقالت المؤسسة العامة لمياه الشرب إن",
            &[("المؤسسة العامة لمياه الشرب", "ORG")],
        );
        let text = "قالت الشركة السورية إن الأسعار ارتفعت";
        assert_eq!(shown(text, &e.suggest(text, None)), vec![]);
    }

    #[test]
    fn after_a_title_a_known_given_name_starts_a_person() {
        let e = Engine::builtin().with_model_on(false);
        assert_suggests(
            &e,
            "وقال المهندس رامي القاسم إن العمل مستمر",
            &[("رامي القاسم", "PER")],
        );
        // A word that is no given name after a title is not taken.
        let text = "وقال المهندس المسؤول إن العمل مستمر";
        assert_eq!(shown(text, &e.suggest(text, None)), vec![]);
    }

    #[test]
    fn a_surname_alone_is_suggested_once_the_full_name_was_accepted_in_the_document() {
        let e = Engine::builtin().with_model_on(false);
        let text = "وأضاف الشامي أن الوضع صعب في الريف الشامي";
        assert_eq!(shown(text, &e.suggest(text, None)), vec![]);
        let mut names = DocNames::default();
        names.add("نزار الشامي", "PER");
        // A place or a one-word name gives no surname.
        names.add("دير الزور", "LOC");
        names.add("حماس", "PER");
        let got = e.suggest_in(text, None, &names);
        // The second الشامي agrees with الريف: an adjective, not the man.
        assert_eq!(
            shown(text, &got),
            vec![("الشامي".to_string(), "PER".to_string())]
        );
        assert_eq!(got[0].start, text.find("الشامي").unwrap());
        assert_eq!(got[0].source, "memory");
    }

    #[test]
    fn suggestions_never_overlap_and_empty_text_gives_none() {
        let e = Engine::builtin();
        assert!(e.suggest("", None).is_empty());
        let text = include_str!("../../samples/deir-ez-zor.txt");
        let s = e.suggest(text, None);
        for w in s.windows(2) {
            assert!(w[0].end <= w[1].start);
        }
    }
}
