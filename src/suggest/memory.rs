//! Memory of the analyst's decisions, like INCEpTION's string-matching recommender:
//! every accepted span (folded, proclitic-free) with per-label counts, and every
//! rejection. Other occurrences are suggested at once, scored accepts / (accepts +
//! rejects); a string rejected more than accepted for a label is not suggested with
//! that label again, by any source.
//!
//! Save/load with serde; the dictionary is rebuilt on load.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::dict::{Dict, DocTokens, key_of_span};
use super::rerank::Reranker;
use super::tagger::Learnt;

/// Decisions about one string and one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub accepts: u32,
    pub rejects: u32,
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

    /// Rejected more often than accepted.
    pub fn vetoed(&self) -> bool {
        self.rejects > self.accepts
    }
}

/// What the memory knows of one string: counts per label name.
pub type Record = BTreeMap<String, Counts>;

/// The analyst's decisions.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    pub(crate) dict: Dict<Record>,
    decisions: u64,
    /// What the decisions say about context.
    pub reranker: Reranker,
    /// What the decisions taught the tagger.
    pub learnt: Learnt,
}

#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
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

    fn record(&mut self, key: &[String]) -> Option<&mut Record> {
        if key.is_empty() {
            return None;
        }
        Some(self.dict.slot(key).get_or_insert_with(Record::new))
    }

    /// The analyst accepted (or created) `start..end` of `doc` as `label`.
    pub fn accept(&mut self, doc: &DocTokens, start: usize, end: usize, label: &str) {
        let key = key_of_span(doc, start, end);
        if let Some(r) = self.record(&key) {
            r.entry(label.to_string()).or_default().accepts += 1;
            self.decisions += 1;
        }
    }

    /// The analyst rejected `start..end` of `doc` as `label`.
    pub fn reject(&mut self, doc: &DocTokens, start: usize, end: usize, label: &str) {
        let key = key_of_span(doc, start, end);
        if let Some(r) = self.record(&key) {
            r.entry(label.to_string()).or_default().rejects += 1;
            self.decisions += 1;
        }
    }

    /// Takes back one accept (or reject) of `start..end` as `label`, as when the
    /// analyst undoes it. The re-ranker keeps what it learnt: its weights cannot be
    /// unlearnt exactly, and one decision moves them little.
    pub fn forget(
        &mut self,
        doc: &DocTokens,
        start: usize,
        end: usize,
        label: &str,
        accepted: bool,
    ) {
        let key = key_of_span(doc, start, end);
        if let Some(r) = self.record(&key)
            && let Some(c) = r.get_mut(label)
        {
            let n = if accepted {
                &mut c.accepts
            } else {
                &mut c.rejects
            };
            if *n > 0 {
                *n -= 1;
                self.decisions = self.decisions.saturating_sub(1);
            }
        }
    }

    /// What is known of a folded key.
    pub fn get(&self, key: &[String]) -> Option<&Record> {
        self.dict.get(key)
    }

    /// Serializes to JSON.
    pub fn to_json(&self) -> String {
        let mut entries = Vec::new();
        collect(&self.dict, &mut entries);
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        serde_json::to_string(&Saved {
            version: 1,
            entries,
            reranker: self.reranker.clone(),
            tagger: self.learnt.to_saved(),
        })
        .expect("memory serializes")
    }

    /// Reads what [`Memory::to_json`] wrote.
    pub fn from_json(s: &str) -> Result<Memory, String> {
        let saved: Saved = serde_json::from_str(s).map_err(|e| e.to_string())?;
        if saved.version != 1 {
            return Err(format!(
                "memory version {} is newer than this raqim knows (1)",
                saved.version
            ));
        }
        let mut m = Memory::new();
        m.reranker = saved.reranker;
        m.learnt = Learnt::from_saved(saved.tagger);
        for (key, record) in saved.entries {
            let toks: Vec<&str> = key.split(' ').collect();
            let n: u64 = record
                .values()
                .map(|c| (c.accepts + c.rejects) as u64)
                .sum();
            m.decisions += n;
            *m.dict.slot(&toks) = Some(record);
        }
        Ok(m)
    }
}

fn collect(dict: &Dict<Record>, out: &mut Vec<(String, Record)>) {
    dict.for_each(|key, r| out.push((key.join(" "), r.clone())));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::dict::key_of;

    #[test]
    fn counts_and_round_trip() {
        let text = "قال والجيش السوري إن الجيش السوري";
        let doc = DocTokens::new(text);
        let mut m = Memory::new();
        let s = text.find("الجيش").unwrap();
        m.accept(&doc, s, s + "الجيش السوري".len(), "ORG");
        m.reject(&doc, s, s + "الجيش السوري".len(), "LOC");
        m.reject(&doc, s, s + "الجيش السوري".len(), "LOC");
        let r = m.get(&key_of("الجيش السوري")).unwrap();
        assert_eq!(r["ORG"].score(), 1.0);
        assert!(r["LOC"].vetoed());
        let back = Memory::from_json(&m.to_json()).unwrap();
        assert_eq!(back.get(&key_of("الجيش السوري")), Some(r));
        assert_eq!(back.decisions(), 3);
        assert!(Memory::from_json("{\"version\":9,\"entries\":[]}").is_err());
    }
}
