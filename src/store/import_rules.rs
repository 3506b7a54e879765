//! What an import means, whichever backend stores it: the documents and spans it is
//! given, what it reports, and the rules that decide which spans go in (a span the
//! document already has is a duplicate; one overlapping a span not rejected is a
//! conflict; a range outside the text refuses the whole import). Each backend reads
//! what a document has and writes what these rules keep.
//!
//! Must not: hold SQL, know any interchange format or the terminal.

use std::collections::BTreeSet;
use std::path::Path;

use crate::annotation::State;
use crate::document::document_id;

use super::{NewSpan, StoreError};

/// One document to import, with its spans.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportDoc {
    /// SHA-256 (hex) of `text`; checked.
    pub id: String,
    /// Used when the document is new; a known document keeps its name.
    pub name: String,
    /// The file the text came from, when the record says so. A new document stores it;
    /// the path is recorded for it unless the path already leads to another document.
    pub source_path: Option<String>,
    pub text: String,
    /// The done mark of its layer when that layer has none yet (one set is kept).
    pub done: bool,
    pub spans: Vec<ImportSpan>,
    /// The id the record has in its file when it is its own (not the text's hash):
    /// kept for a new document, and for a known one that has none yet.
    pub record_id: Option<String>,
    /// Flags the record carries: the document's (`None`) or a stretch's (code
    /// points), with their notes; one already at that place is kept as it is.
    pub flags: Vec<(Option<(usize, usize)>, String)>,
    /// What the record held that raqim has no field for, under the name of the format
    /// it came from (opaque JSON to the store): kept for a new document, and for a
    /// known one that has nothing yet under that format's name.
    pub foreign: Option<(String, serde_json::Value)>,
    /// The layer its spans, flags and done mark go to; `None`: the store's
    /// ([`Store::set_layer`]).
    pub layer: Option<String>,
}

/// A span to import and who made it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSpan {
    pub span: NewSpan,
    pub annotator: String,
}

/// Why an imported span was not added: the document already had a span there.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportConflict {
    /// Index of the document in the slice given to [`Store::import_documents`].
    pub doc: usize,
    /// Index of the span in that document's `spans`.
    pub span: usize,
    /// The span in the way (start, end in code points, label, state).
    pub with: (usize, usize, String, State),
}

/// What [`Store::import_documents`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// Documents the database did not have.
    pub docs_added: usize,
    /// Documents it had (or that came earlier in the same import) that got spans.
    pub docs_updated: usize,
    /// Documents it had that got nothing new.
    pub docs_unchanged: usize,
    pub spans_added: usize,
    /// Spans skipped because the document has one with the same start, end and label.
    pub duplicates: usize,
    /// Spans skipped because they overlap a span the document has.
    pub conflicts: Vec<ImportConflict>,
    /// Action rows written (one per document that got spans).
    pub actions: usize,
}

/// The foreign fields of a document (`old`, as stored) with `fields` added under
/// `format` if it has nothing there yet; `None` when nothing changes. A stored value
/// that is not a JSON object (written by hand) is replaced rather than losing the
/// import.
pub(super) fn with_foreign(
    old: Option<&str>,
    format: &str,
    fields: &serde_json::Value,
) -> Option<String> {
    let mut all = match old.map(serde_json::from_str::<serde_json::Value>) {
        Some(Ok(serde_json::Value::Object(m))) => m,
        _ => serde_json::Map::new(),
    };
    if all.contains_key(format) {
        return None;
    }
    all.insert(format.to_string(), fields.clone());
    Some(serde_json::Value::Object(all).to_string())
}
/// The spans a document has during an import (stored, then added), indexed so that
/// each check costs a logarithm of their number, not their number: an import of one
/// document of 80,000 spans was quadratic.
#[derive(Default)]
pub(super) struct Have {
    spans: Vec<(usize, usize, String, State)>,
    /// (start, end, label) of every span: the duplicates.
    keys: rustc_hash::FxHashSet<(usize, usize, String)>,
    /// (start, index in `spans`) of the spans not rejected that overlap no other:
    /// in the order of their starts, their ends grow too.
    live: BTreeSet<(usize, usize)>,
    /// Indexes of stored spans not rejected that overlap one in `live` (a database
    /// written before the rule, or by hand); none in a sound database.
    tangled: Vec<usize>,
}

impl Have {
    pub(super) fn add(&mut self, span: (usize, usize, String, State)) {
        let (start, end) = (span.0, span.1);
        self.keys.insert((start, end, span.2.clone()));
        if span.3 != State::Rejected {
            let i = self.spans.len();
            if self.in_the_way(start, end).is_some() {
                self.tangled.push(i);
            } else {
                self.live.insert((start, i));
            }
        }
        self.spans.push(span);
    }

    pub(super) fn has(&self, start: usize, end: usize, label: &str) -> bool {
        // The key is built only for the look-up; a label is a few bytes.
        self.keys.contains(&(start, end, label.to_string()))
    }

    /// The first span (in the order they were added) not rejected that shares a code
    /// point with `start..end`: the spans of `live` that do are the ones just before
    /// `end`, back to the first that ends by `start`.
    pub(super) fn in_the_way(
        &self,
        start: usize,
        end: usize,
    ) -> Option<&(usize, usize, String, State)> {
        let overlaps = |i: &usize| {
            let h = &self.spans[*i];
            h.0 < end && start < h.1
        };
        let mut first: Option<usize> = None;
        for &(_, i) in self.live.range(..(end, 0)).rev() {
            let h = &self.spans[i];
            if h.1 <= start && h.0 < h.1 {
                break;
            }
            if overlaps(&i) {
                first = Some(first.map_or(i, |f| f.min(i)));
            }
        }
        let tangled = self.tangled.iter().copied().filter(overlaps).min();
        first
            .into_iter()
            .chain(tangled)
            .min()
            .map(|i| &self.spans[i])
    }
}

/// Refuses an import where a document's id is not the hash of its text (before
/// anything is written).
pub(super) fn check_ids(docs: &[ImportDoc], path: &Path) -> Result<(), StoreError> {
    for d in docs {
        let found = document_id(&d.text);
        if found != d.id {
            return Err(StoreError::HashMismatch {
                path: path.to_path_buf(),
                doc: d.id.clone(),
                found,
            });
        }
    }
    Ok(())
}

/// Refuses a flag on a stretch that is empty or runs past the text (`len` code points).
pub(super) fn check_flag(
    d: &ImportDoc,
    place: Option<(usize, usize)>,
    len: usize,
    path: &Path,
) -> Result<(), StoreError> {
    match place {
        Some((a, b)) if a >= b || b > len => Err(StoreError::BadRange {
            path: path.to_path_buf(),
            doc: d.id.clone(),
            start: a,
            end: b,
            len,
        }),
        _ => Ok(()),
    }
}

/// The spans of document `i` (`d`) to add, given what the document has in that layer
/// (`have`, which takes them in): a range outside the text refuses the import; a
/// duplicate is counted, a conflict listed, in `report`. The spans kept come back
/// ordered by start and end, the order they are inserted in; the order of the file
/// decides which of two overlapping ones is kept.
pub(super) fn keep_spans<'d>(
    have: &mut Have,
    i: usize,
    d: &'d ImportDoc,
    path: &Path,
    report: &mut ImportReport,
) -> Result<Vec<&'d ImportSpan>, StoreError> {
    let len = d.text.chars().count();
    let mut keep: Vec<&ImportSpan> = Vec::with_capacity(d.spans.len());
    for (si, s) in d.spans.iter().enumerate() {
        let n = &s.span;
        if n.start > n.end || n.end > len {
            return Err(StoreError::BadRange {
                path: path.to_path_buf(),
                doc: d.id.clone(),
                start: n.start,
                end: n.end,
                len,
            });
        }
        if have.has(n.start, n.end, &n.label) {
            report.duplicates += 1;
            continue;
        }
        if n.state != State::Rejected
            && let Some(h) = have.in_the_way(n.start, n.end)
        {
            report.conflicts.push(ImportConflict {
                doc: i,
                span: si,
                with: h.clone(),
            });
            continue;
        }
        have.add((n.start, n.end, n.label.clone(), n.state));
        keep.push(s);
    }
    keep.sort_by_key(|s| (s.span.start, s.span.end));
    Ok(keep)
}

/// The order an import goes through its documents' spans: by document id (the span
/// indexes, which begin with it, then grow at their end), the records of one
/// document in the order of the file.
pub(super) fn span_order(docs: &[ImportDoc]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by(|&a, &b| docs[a].id.cmp(&docs[b].id));
    order
}

/// Fills in the counts of documents of `report`: `added` are the ids the import
/// added, `updated` the others that got spans.
pub(super) fn count_documents(
    report: &mut ImportReport,
    docs: &[ImportDoc],
    added: &std::collections::HashSet<&str>,
    updated: &std::collections::HashSet<&str>,
) {
    let known: std::collections::HashSet<&str> = docs
        .iter()
        .map(|d| d.id.as_str())
        .filter(|id| !added.contains(id))
        .collect();
    report.docs_added = added.len();
    report.docs_updated = updated.len();
    report.docs_unchanged = known.len() - updated.len();
}
