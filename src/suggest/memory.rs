//! Memory of the analyst's decisions, like INCEpTION's string-matching recommender:
//! every accepted span (folded, proclitic-free) with per-label counts, and every
//! rejection. Other occurrences are suggested at once, scored accepts / (accepts +
//! rejects).
//!
//! A rejection has a scope. It withdraws the string (with that label) from the
//! document it was taken in, where it was rejected more often than accepted; it
//! withdraws it from every document (the project) only when the analyst asked so
//! (`X`, reject all alike: more such rejects than accepts), or once it has been
//! rejected in [`Memory::project_after`] documents and never accepted. A rejection
//! taken where no document is known (a memory saved before version 2, `eval
//! --replay`) counts for the whole project, as every rejection did before.
//!
//! Save/load with serde; the dictionary is rebuilt on load. Owns: the counts, the
//! scope rule, forgetting and restoring an entry. Must not: know the store or the
//! terminal.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::dict::{Dict, DocTokens, key_of_span};
use super::rerank::Reranker;
use super::tagger::Learnt;

/// The memory's JSON version: 2 keeps rejects by document; 3 by document and layer
/// ([`doc_key`]), so that one analyst's decisions on a document are not suggested to
/// another annotating it blind.
const VERSION: u32 = 3;

/// The memory's name for a document in a layer: `DOC/LAYER` (a document id is hex, so
/// the first `/` ends it); the document id alone for work in no layer.
pub fn doc_key(doc: &str, layer: &str) -> String {
    if layer.is_empty() {
        doc.to_string()
    } else {
        format!("{doc}/{layer}")
    }
}

/// Documents a string must be rejected in (and never accepted) before it is
/// withdrawn from the whole project, unless the settings file says otherwise.
pub const PROJECT_AFTER_DOCS: u32 = 2;

/// Decisions about one string and one label in one document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub accepts: u32,
    pub rejects: u32,
}

/// The last decision on a string and label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Last {
    /// Unix milliseconds (0: not known).
    pub at: i64,
    pub accepted: bool,
    /// Meant for the whole project (`X`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub project: bool,
}

/// Decisions about one string and one label.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub accepts: u32,
    pub rejects: u32,
    /// Of the rejects, those meant for the whole project: `X`, or taken where no
    /// document was known.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub project: u32,
    /// Decisions by document (an index in the memory's table of documents).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub docs: BTreeMap<u32, Tally>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Last>,
    /// The string as the analyst last saw it (the key is folded).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub surface: String,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// How far the rejects of a string and label reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Nothing is withdrawn (no rejects, or accepted as often).
    None,
    /// Withdrawn in these documents only (rejected there more often than accepted).
    Documents(usize),
    /// Withdrawn everywhere because the analyst asked (`X`).
    Asked,
    /// Withdrawn everywhere: rejected in this many documents, never accepted.
    Repeated(usize),
}

impl Scope {
    /// Everywhere.
    pub fn project(self) -> bool {
        matches!(self, Scope::Asked | Scope::Repeated(_))
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::None => write!(f, "-"),
            Scope::Documents(1) => write!(f, "1 document"),
            Scope::Documents(n) => write!(f, "{n} documents"),
            Scope::Asked => write!(f, "project (X)"),
            Scope::Repeated(n) => write!(f, "project ({n} documents)"),
        }
    }
}

impl Counts {
    /// accepts / (accepts + rejects).
    pub fn score(&self) -> f32 {
        let n = self.accepts + self.rejects;
        if n == 0 {
            0.0
        } else {
            self.accepts as f32 / n as f32
        }
    }

    /// Documents this string was rejected in.
    pub fn rejected_in(&self) -> usize {
        self.docs.values().filter(|t| t.rejects > 0).count()
    }

    /// Withdrawn from every document, with `project_after` (0: never by count). Cheap
    /// for a string accepted in many documents: their count is not needed.
    fn everywhere(&self, project_after: u32) -> bool {
        self.project > self.accepts
            || (self.accepts == 0
                && project_after > 0
                && self.rejected_in() >= project_after as usize)
    }

    /// How far its rejects reach, with `project_after` (0: never by count).
    pub fn scope(&self, project_after: u32) -> Scope {
        if self.project > self.accepts {
            Scope::Asked
        } else if self.everywhere(project_after) {
            Scope::Repeated(self.rejected_in())
        } else {
            match self.docs.values().filter(|t| t.rejects > t.accepts).count() {
                0 => Scope::None,
                n => Scope::Documents(n),
            }
        }
    }

    /// Whether it is withdrawn in document `doc` (an index; `None`: a text of no
    /// known document, where only a project-wide withdrawal holds).
    pub fn vetoed_in(&self, doc: Option<u32>, project_after: u32) -> bool {
        if self.everywhere(project_after) {
            return true;
        }
        doc.and_then(|d| self.docs.get(&d))
            .is_some_and(|t| t.rejects > t.accepts)
    }

    fn is_blank(&self) -> bool {
        self.accepts == 0 && self.rejects == 0
    }

    /// These counts without the decisions taken in the documents `hidden` (indexes):
    /// the other layers of the document being annotated, whose decisions must not
    /// reach it (blind double annotation). Borrowed when none of them has any.
    pub fn without(&self, hidden: &[u32]) -> std::borrow::Cow<'_, Counts> {
        if !hidden.iter().any(|h| self.docs.contains_key(h)) {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut c = self.clone();
        for h in hidden {
            if let Some(t) = c.docs.remove(h) {
                c.accepts = c.accepts.saturating_sub(t.accepts);
                c.rejects = c.rejects.saturating_sub(t.rejects);
            }
        }
        std::borrow::Cow::Owned(c)
    }
}

/// What the memory knows of one string: counts per label name.
pub type Record = BTreeMap<String, Counts>;

/// Where and when a decision was taken.
#[derive(Debug, Clone, Copy, Default)]
pub struct Taken<'a> {
    /// The document's id; `None`: not known (a reject then counts for the project).
    pub doc: Option<&'a str>,
    /// Unix milliseconds (0: not known).
    pub at: i64,
    /// The analyst asked for the whole project (`X`).
    pub project: bool,
}

/// A string and label as the memory screen lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The folded key (tokens joined by a space): what [`Memory::forget_entry`] takes.
    pub key: String,
    /// The string as last seen (the key when not known).
    pub surface: String,
    pub label: String,
    pub accepts: u32,
    pub rejects: u32,
    pub scope: Scope,
    pub last: Option<Last>,
}

/// An entry taken out of the memory, with everything needed to put it back: the
/// documents by id (the memory's table of documents is its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forgotten {
    pub key: String,
    pub label: String,
    pub accepts: u32,
    pub rejects: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub project: u32,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub docs: BTreeMap<String, Tally>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Last>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub surface: String,
}

/// The analyst's decisions.
#[derive(Debug, Clone)]
pub struct Memory {
    pub(crate) dict: Dict<Record>,
    decisions: u64,
    /// Document ids, by the index the counts use.
    docs: Vec<String>,
    doc_index: HashMap<String, u32>,
    /// Rejected in this many documents and never accepted: withdrawn everywhere (0:
    /// never by count). A setting, not saved with the memory.
    project_after: u32,
    /// What the decisions say about context.
    pub reranker: Reranker,
    /// What the decisions taught the tagger.
    pub learnt: Learnt,
}

impl Default for Memory {
    fn default() -> Memory {
        Memory {
            dict: Dict::default(),
            decisions: 0,
            docs: Vec::new(),
            doc_index: HashMap::default(),
            project_after: PROJECT_AFTER_DOCS,
            reranker: Reranker::default(),
            learnt: Learnt::default(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    /// Document ids, indexed by the counts' `docs` (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    docs: Vec<String>,
    /// (folded tokens joined by a space, counts per label)
    entries: Vec<(String, Record)>,
    #[serde(default)]
    reranker: Reranker,
    /// The tagger's counts: (feature, count per tag).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tagger: Vec<(u64, Vec<i32>)>,
}

impl Memory {
    pub fn new() -> Memory {
        Memory::default()
    }

    /// Number of decisions taken in.
    pub fn decisions(&self) -> u64 {
        self.decisions
    }

    /// Number of distinct strings remembered.
    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    /// In how many documents a string must be rejected, never accepted, to be
    /// withdrawn everywhere (0: never by count).
    pub fn project_after(&self) -> u32 {
        self.project_after
    }

    pub fn set_project_after(&mut self, n: u32) {
        self.project_after = n;
    }

    /// The index of a document the memory has decisions from.
    pub fn doc_index(&self, id: &str) -> Option<u32> {
        self.doc_index.get(id).copied()
    }

    /// The other layers of the document `key` ([`doc_key`]) the memory has decisions
    /// from: what a suggestion for `key` must leave out, so that two analysts given
    /// one document annotate it blind. Empty for a key of no layer.
    pub fn other_layers_of(&self, key: &str) -> Vec<u32> {
        let Some(cut) = key.find('/') else {
            return Vec::new();
        };
        let prefix = &key[..=cut];
        self.docs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.starts_with(prefix) && d.as_str() != key)
            .map(|(i, _)| i as u32)
            .collect()
    }

    fn intern(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.doc_index.get(id) {
            return i;
        }
        let i = self.docs.len() as u32;
        self.docs.push(id.to_string());
        self.doc_index.insert(id.to_string(), i);
        i
    }

    /// Whether `counts` (of this memory) are withdrawn in document `doc`.
    pub fn vetoed_in(&self, counts: &Counts, doc: Option<u32>) -> bool {
        counts.vetoed_in(doc, self.project_after)
    }

    fn record(&mut self, key: &[String]) -> Option<&mut Record> {
        if key.is_empty() {
            return None;
        }
        Some(self.dict.slot(key).get_or_insert_with(Record::new))
    }

    /// The analyst accepted (or created) `start..end` of `doc` as `label`, in no
    /// known document.
    pub fn accept(&mut self, doc: &DocTokens, start: usize, end: usize, label: &str) {
        self.decide(doc, start, end, label, true, Taken::default());
    }

    /// The analyst rejected `start..end` of `doc` as `label`, in no known document
    /// (so for the whole project).
    pub fn reject(&mut self, doc: &DocTokens, start: usize, end: usize, label: &str) {
        self.decide(doc, start, end, label, false, Taken::default());
    }

    /// The analyst accepted (or rejected) `start..end` of `doc` as `label`, where and
    /// when `taken` says.
    pub fn decide(
        &mut self,
        doc: &DocTokens,
        start: usize,
        end: usize,
        label: &str,
        accepted: bool,
        taken: Taken<'_>,
    ) {
        let key = key_of_span(doc, start, end);
        if key.is_empty() {
            return;
        }
        let d = taken.doc.map(|id| self.intern(id));
        let surface = doc.text.get(start..end).unwrap_or("").to_string();
        let Some(r) = self.record(&key) else { return };
        let c = r.entry(label.to_string()).or_default();
        let project = !accepted && (taken.project || d.is_none());
        if accepted {
            c.accepts += 1;
        } else {
            c.rejects += 1;
            c.project += project as u32;
        }
        if let Some(d) = d {
            let t = c.docs.entry(d).or_default();
            if accepted {
                t.accepts += 1;
            } else {
                t.rejects += 1;
            }
        }
        c.last = Some(Last {
            at: taken.at,
            accepted,
            project,
        });
        c.surface = surface;
        self.decisions += 1;
    }

    /// Takes back one accept (or reject) of `start..end` as `label`, as when the
    /// analyst undoes it, in no known document. The re-ranker keeps what it learnt:
    /// its weights cannot be unlearnt exactly, and one decision moves them little.
    pub fn forget(
        &mut self,
        doc: &DocTokens,
        start: usize,
        end: usize,
        label: &str,
        accepted: bool,
    ) {
        self.take_back(doc, start, end, label, accepted, Taken::default());
    }

    /// Takes back one decision taken where `taken` says (its inverse).
    pub fn take_back(
        &mut self,
        doc: &DocTokens,
        start: usize,
        end: usize,
        label: &str,
        accepted: bool,
        taken: Taken<'_>,
    ) {
        let key = key_of_span(doc, start, end);
        let d = taken.doc.and_then(|id| self.doc_index(id));
        let Some(Some(r)) = (!key.is_empty()).then(|| self.dict.slot(&key).as_mut()) else {
            return;
        };
        let Some(c) = r.get_mut(label) else { return };
        let n = if accepted {
            &mut c.accepts
        } else {
            &mut c.rejects
        };
        if *n == 0 {
            return;
        }
        *n -= 1;
        if !accepted && (taken.project || taken.doc.is_none()) {
            c.project = c.project.saturating_sub(1);
        }
        if let Some(d) = d
            && let Some(t) = c.docs.get_mut(&d)
        {
            let n = if accepted {
                &mut t.accepts
            } else {
                &mut t.rejects
            };
            *n = n.saturating_sub(1);
            if *t == Tally::default() {
                c.docs.remove(&d);
            }
        }
        if c.is_blank() {
            r.remove(label);
        }
        self.decisions = self.decisions.saturating_sub(1);
    }

    /// What is known of a folded key.
    pub fn get(&self, key: &[String]) -> Option<&Record> {
        self.dict.get(key)
    }

    /// Every string and label remembered, most recently decided first (then by key).
    pub fn entries(&self) -> Vec<Entry> {
        let mut out = Vec::new();
        self.dict.for_each(|key, r| {
            for (label, c) in r {
                if c.is_blank() {
                    continue;
                }
                let key = key.join(" ");
                out.push(Entry {
                    surface: if c.surface.is_empty() {
                        key.clone()
                    } else {
                        c.surface.clone()
                    },
                    key,
                    label: label.clone(),
                    accepts: c.accepts,
                    rejects: c.rejects,
                    scope: c.scope(self.project_after),
                    last: c.last,
                });
            }
        });
        out.sort_by(|a, b| {
            let at = |e: &Entry| e.last.map_or(0, |l| l.at);
            at(b)
                .cmp(&at(a))
                .then_with(|| a.key.cmp(&b.key))
                .then_with(|| a.label.cmp(&b.label))
        });
        out
    }

    /// Takes a string and label out of the memory (its counts: what the tagger and
    /// the re-ranker learnt from the same decisions stays); returns what it was, to
    /// put back with [`Memory::restore_entry`].
    pub fn forget_entry(&mut self, key: &str, label: &str) -> Option<Forgotten> {
        let f = self.peek_entry(key, label)?;
        let toks: Vec<&str> = key.split(' ').collect();
        let r = self.dict.slot(&toks).as_mut()?;
        r.remove(label);
        if r.is_empty() {
            *self.dict.slot(&toks) = None;
        }
        self.decisions = self
            .decisions
            .saturating_sub((f.accepts + f.rejects) as u64);
        Some(f)
    }

    /// What [`Memory::forget_entry`] would take out, leaving the memory as it is.
    pub fn peek_entry(&self, key: &str, label: &str) -> Option<Forgotten> {
        let toks: Vec<&str> = key.split(' ').collect();
        let c = self.dict.get(&toks)?.get(label)?;
        Some(Forgotten {
            key: key.to_string(),
            label: label.to_string(),
            accepts: c.accepts,
            rejects: c.rejects,
            project: c.project,
            docs: c
                .docs
                .iter()
                .map(|(&d, &t)| (self.docs[d as usize].clone(), t))
                .collect(),
            last: c.last,
            surface: c.surface.clone(),
        })
    }

    /// Puts back what [`Memory::forget_entry`] took out (replacing what the memory
    /// learnt of that string and label since).
    pub fn restore_entry(&mut self, f: &Forgotten) {
        let docs = f.docs.iter().map(|(id, &t)| (self.intern(id), t)).collect();
        let c = Counts {
            accepts: f.accepts,
            rejects: f.rejects,
            project: f.project,
            docs,
            last: f.last,
            surface: f.surface.clone(),
        };
        let toks: Vec<&str> = f.key.split(' ').collect();
        if toks.iter().all(|t| t.is_empty()) {
            return;
        }
        let r = self.dict.slot(&toks).get_or_insert_with(Record::new);
        let old = r.insert(f.label.clone(), c);
        let was = old.map_or(0, |o| (o.accepts + o.rejects) as u64);
        self.decisions = self.decisions.saturating_sub(was) + (f.accepts + f.rejects) as u64;
    }

    /// Serializes to JSON.
    pub fn to_json(&self) -> String {
        let mut entries = Vec::new();
        collect(&self.dict, &mut entries);
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        serde_json::to_string(&Saved {
            version: VERSION,
            docs: self.docs.clone(),
            entries,
            reranker: self.reranker.clone(),
            tagger: self.learnt.to_saved(),
        })
        .expect("memory serializes")
    }

    /// Reads what [`Memory::to_json`] wrote. A version 1 memory kept no documents:
    /// its rejects count for the whole project, as they did then.
    pub fn from_json(s: &str) -> Result<Memory, String> {
        let saved: Saved = serde_json::from_str(s).map_err(|e| e.to_string())?;
        if saved.version > VERSION || saved.version == 0 {
            return Err(format!(
                "memory version {} is newer than this raqim knows ({VERSION})",
                saved.version
            ));
        }
        let mut m = Memory::new();
        m.reranker = saved.reranker;
        m.learnt = Learnt::from_saved(saved.tagger);
        m.docs = saved.docs;
        m.doc_index = m
            .docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.clone(), i as u32))
            .collect();
        let n_docs = m.docs.len() as u32;
        for (key, mut record) in saved.entries {
            let toks: Vec<&str> = key.split(' ').collect();
            for c in record.values_mut() {
                if saved.version == 1 {
                    c.project = c.rejects;
                }
                c.docs.retain(|&d, _| d < n_docs);
            }
            let n: u64 = record
                .values()
                .map(|c| (c.accepts + c.rejects) as u64)
                .sum();
            m.decisions += n;
            *m.dict.slot(&toks) = Some(record);
        }
        Ok(m)
    }

    /// The version a saved memory was written in (before 3, its documents are not
    /// in layers: the caller rebuilds it from the log).
    pub fn version_of(s: &str) -> Option<u32> {
        #[derive(Deserialize)]
        struct V {
            version: u32,
        }
        serde_json::from_str::<V>(s).ok().map(|v| v.version)
    }
}

fn collect(dict: &Dict<Record>, out: &mut Vec<(String, Record)>) {
    dict.for_each(|key, r| out.push((key.join(" "), r.clone())));
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::dict::key_of;

    const TEXT: &str = "قال والجيش السوري إن الجيش السوري";

    fn span() -> (usize, usize) {
        let s = TEXT.find("الجيش").unwrap();
        (s, s + "الجيش السوري".len())
    }

    fn taken(doc: &str) -> Taken<'_> {
        Taken {
            doc: Some(doc),
            at: 1,
            project: false,
        }
    }

    fn counts<'m>(m: &'m Memory, label: &str) -> &'m Counts {
        &m.get(&key_of("الجيش السوري")).unwrap()[label]
    }

    #[test]
    fn counts_and_round_trip() {
        let doc = DocTokens::new(TEXT);
        let mut m = Memory::new();
        let (s, e) = span();
        m.decide(&doc, s, e, "ORG", true, taken("a"));
        m.decide(&doc, s, e, "LOC", false, taken("a"));
        m.decide(&doc, s, e, "LOC", false, taken("b"));
        assert_eq!(counts(&m, "ORG").score(), 1.0);
        assert_eq!(counts(&m, "LOC").rejected_in(), 2);
        let back = Memory::from_json(&m.to_json()).unwrap();
        assert_eq!(
            back.get(&key_of("الجيش السوري")),
            m.get(&key_of("الجيش السوري"))
        );
        assert_eq!(back.doc_index("b"), m.doc_index("b"));
        assert_eq!(back.decisions(), 3);
        assert_eq!(counts(&back, "LOC").surface, "الجيش السوري");
        assert!(Memory::from_json("{\"version\":9,\"entries\":[]}").is_err());
    }

    #[test]
    fn a_reject_reaches_its_document_until_asked_or_repeated() {
        let doc = DocTokens::new(TEXT);
        let (s, e) = span();
        let mut m = Memory::new();
        m.decide(&doc, s, e, "LOC", false, taken("a"));
        let (a, b) = (m.doc_index("a"), Some(99));
        let c = counts(&m, "LOC").clone();
        assert_eq!(c.scope(2), Scope::Documents(1));
        assert!(m.vetoed_in(&c, a));
        assert!(!m.vetoed_in(&c, b) && !m.vetoed_in(&c, None));
        // Accepted as often there: no longer withdrawn there.
        m.decide(&doc, s, e, "LOC", true, taken("a"));
        assert_eq!(counts(&m, "LOC").scope(2), Scope::None);
        m.take_back(&doc, s, e, "LOC", true, taken("a"));
        // A second document, never accepted: everywhere; not with the setting at 0
        // or 3.
        m.decide(&doc, s, e, "LOC", false, taken("b"));
        let c = counts(&m, "LOC").clone();
        assert_eq!(c.scope(2), Scope::Repeated(2));
        assert!(m.vetoed_in(&c, None));
        assert_eq!(c.scope(0), Scope::Documents(2));
        assert_eq!(c.scope(3), Scope::Documents(2));
        // Undone, it is back to one document.
        m.take_back(&doc, s, e, "LOC", false, taken("b"));
        assert_eq!(counts(&m, "LOC").scope(2), Scope::Documents(1));
        // Asked for the whole project.
        let x = Taken {
            project: true,
            ..taken("c")
        };
        m.decide(&doc, s, e, "LOC", false, x);
        assert_eq!(counts(&m, "LOC").scope(2), Scope::Asked);
        m.take_back(&doc, s, e, "LOC", false, x);
        assert_eq!(counts(&m, "LOC").scope(2), Scope::Documents(1));
        assert_eq!(m.decisions(), 1);
    }

    #[test]
    fn a_version_1_memory_reads_its_rejects_as_meant_for_the_project() {
        let v1 = r#"{"version":1,"entries":[["الجيش السوري",{"LOC":{"accepts":1,"rejects":2},"ORG":{"accepts":2,"rejects":1}}]]}"#;
        let m = Memory::from_json(v1).unwrap();
        assert_eq!(Memory::version_of(v1), Some(1));
        assert_eq!(counts(&m, "LOC").scope(2), Scope::Asked);
        assert!(m.vetoed_in(counts(&m, "LOC"), None));
        assert!(!m.vetoed_in(counts(&m, "ORG"), None));
        assert_eq!(m.decisions(), 6);
        // Written again, it is the current version and keeps that reading.
        let json = m.to_json();
        assert_eq!(Memory::version_of(&json), Some(VERSION));
        let back = Memory::from_json(&json).unwrap();
        assert_eq!(counts(&back, "LOC").scope(2), Scope::Asked);
    }

    #[test]
    fn an_entry_forgotten_and_restored_is_as_it_was() {
        let doc = DocTokens::new(TEXT);
        let (s, e) = span();
        let mut m = Memory::new();
        m.decide(&doc, s, e, "LOC", false, taken("a"));
        m.decide(&doc, s, e, "ORG", true, taken("b"));
        let before = m.to_json();
        let key = m
            .entries()
            .iter()
            .find(|r| r.label == "LOC")
            .unwrap()
            .key
            .clone();
        let f = m.forget_entry(&key, "LOC").unwrap();
        assert_eq!((f.rejects, f.docs.len()), (1, 1));
        assert!(m.entries().iter().all(|r| r.label != "LOC"));
        assert_eq!(m.decisions(), 1);
        assert_eq!(m.forget_entry(&key, "LOC"), None);
        // Through JSON, as the log keeps it, into a memory that numbers documents
        // otherwise.
        let f: Forgotten = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        m.restore_entry(&f);
        assert_eq!(m.to_json(), before);
        assert_eq!(m.decisions(), 2);
        let mut fresh = Memory::new();
        fresh.restore_entry(&f);
        assert!(fresh.vetoed_in(counts(&fresh, "LOC"), fresh.doc_index("a")));
    }
}
