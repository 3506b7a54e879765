//! Entity spans as the analyst sees them: the review's stored spans merged with the
//! engine's suggestions, built lazily per paragraph and cached by paragraph.
//!
//! Owns: the shown-span model ([`ViewSpan`]), when the engine runs (on a paragraph's
//! own text, with the memory, the first time that paragraph is shown or asked for,
//! never over the whole document), the conversion of its paragraph-relative offsets to
//! document offsets, and which suggestions a stored span hides. Must not: decide how a
//! span looks, or change spans (`Session::apply` does, through the review).
//! Invariant: a paragraph's spans are sorted by start, none overlapping, each a
//! non-empty range on character boundaries inside that paragraph.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use crate::annotation::{NEW_ID, Span, State};
use crate::suggest::labels::LabelSet;
use crate::suggest::memory::Memory;
use crate::suggest::{DocNames, Engine, builtin_engine};

use super::Session;

/// One entity span in the document as shown: stored and not rejected, or suggested.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewSpan {
    /// Byte range in `Document::text`.
    pub start: usize,
    pub end: usize,
    /// Index in the session's [`LabelSet`].
    pub label: usize,
    /// Pending (suggested, or stored and still to review) or accepted.
    pub state: State,
    /// Where it came from: `gazetteer:NAME`, `rule:KIND`, `memory`, ...
    pub source: String,
    /// How sure the source is, in 0..1.
    pub score: f32,
    /// The stored span's id; `None` for a suggestion nobody has acted on yet.
    pub id: Option<u64>,
}

impl ViewSpan {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// A shown span as the status line says it, in parts: `ORG suggested`,
/// `gazetteer:curated 0.90`, `«داعش»` (the text as it is in the document: the screen
/// lays it out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub label_state: String,
    pub source_score: String,
    pub text: String,
}

/// The word the status line and the legend use for a shown span's state.
pub fn state_name(state: State) -> &'static str {
    match state {
        State::Pending => "suggested",
        State::Accepted => "accepted",
        State::Rejected => "rejected",
    }
}

/// The first span (index and span) of `spans` that shares a byte with `range`.
/// `spans` must be sorted and non-overlapping (as a paragraph's always are).
pub fn span_covering(spans: &[ViewSpan], range: Range<usize>) -> Option<(usize, &ViewSpan)> {
    let i = spans.partition_point(|s| s.end <= range.start);
    spans
        .get(i)
        .filter(|s| s.start < range.end && range.start < range.end)
        .map(|s| (i, s))
}

/// Paragraph text cached before the suggestions are dropped (they are recomputed on
/// demand, identically).
const CACHE_BYTES: usize = 4 << 20;

/// The engine's suggestions by paragraph (document byte offsets), and the spans shown
/// (stored spans merged with the suggestions no stored span covers). Both are caches:
/// the stored spans live in the review, suggestions are recomputed from the engine and
/// the memory.
#[derive(Default)]
pub(super) struct SpanCache {
    sugg: HashMap<usize, Rc<[ViewSpan]>>,
    views: HashMap<usize, Rc<[ViewSpan]>>,
    bytes: usize,
    /// The names accepted in the document, as the engine takes them.
    names: Option<Rc<DocNames>>,
    /// Changes whenever a paragraph's suggestions are computed or dropped: what a
    /// cache of anything derived from them keys on.
    pub(super) generation: u64,
}

impl SpanCache {
    /// After the stored spans changed: the merged views are rebuilt on demand.
    pub(super) fn spans_changed(&mut self) {
        self.views.clear();
        self.names = None;
        self.generation += 1;
    }

    /// Whether paragraph `p`'s suggestions are computed.
    pub(super) fn has_suggestions(&self, p: usize) -> bool {
        self.sugg.contains_key(&p)
    }

    /// After the memory learnt something (or the engine changed): suggestions too.
    pub(super) fn suggestions_changed(&mut self) {
        self.views.clear();
        self.sugg.clear();
        self.bytes = 0;
        self.names = None;
        self.generation += 1;
    }
}

/// Runs the engine over one paragraph's text, knowing the `names` accepted in the
/// document; `base` is where it starts in the document. Labels the set does not know
/// are skipped.
fn suggest_paragraph(
    engine: &Engine,
    memory: &Memory,
    names: &DocNames,
    labels: &LabelSet,
    text: &str,
    base: usize,
) -> Vec<ViewSpan> {
    engine
        .suggest_in(text, Some(memory), names)
        .into_iter()
        .filter_map(|s| {
            Some(ViewSpan {
                start: base + s.start,
                end: base + s.end,
                label: labels.index(&s.label)?,
                state: State::Pending,
                source: s.source,
                score: s.score,
                id: None,
            })
        })
        .collect()
}

impl Session {
    /// The names accepted in this document (built once per change of the spans).
    fn doc_names(&mut self) -> Rc<DocNames> {
        if let Some(n) = &self.spans.names {
            return Rc::clone(n);
        }
        let mut names = match self.review.doc() {
            Some(id) => DocNames::in_doc(id),
            None => DocNames::default(),
        };
        for s in self.review.ann.spans() {
            if s.state == State::Accepted
                && let Some(text) = self.doc.text.get(s.start..s.end)
            {
                names.add(text, &s.label);
            }
        }
        let names = Rc::new(names);
        self.spans.names = Some(Rc::clone(&names));
        names
    }

    /// The engine (the built-in one is fetched on first use).
    pub fn engine(&mut self) -> Arc<Engine> {
        Arc::clone(self.engine.get_or_insert_with(builtin_engine))
    }

    /// The engine's suggestions for paragraph `p` (document offsets), computed on
    /// first use from the paragraph's text and the memory.
    fn suggestions_in(&mut self, p: usize) -> Rc<[ViewSpan]> {
        if let Some(s) = self.spans.sugg.get(&p) {
            return Rc::clone(s);
        }
        let range = self.doc.paragraphs[p].range.clone();
        let found: Rc<[ViewSpan]> = if self.suggest {
            let engine = self.engine();
            let names = self.doc_names();
            let text = &self.doc.text[range.clone()];
            suggest_paragraph(
                &engine,
                self.review.memory(),
                &names,
                &self.labels,
                text,
                range.start,
            )
            .into()
        } else {
            Rc::from(Vec::new())
        };
        if self.spans.bytes + range.len() > CACHE_BYTES {
            self.spans.suggestions_changed();
        }
        self.spans.bytes += range.len();
        self.spans.generation += 1;
        self.spans.sugg.insert(p, Rc::clone(&found));
        found
    }

    /// The spans shown in paragraph `p` (document offsets, sorted, none overlapping):
    /// the stored ones that are not rejected, and the suggestions that no stored span
    /// (of any state: a rejected one is remembered) touches. The first call for a
    /// paragraph runs the engine on that paragraph only.
    pub fn spans_in(&mut self, p: usize) -> Rc<[ViewSpan]> {
        if let Some(s) = self.spans.views.get(&p) {
            return Rc::clone(s);
        }
        let sugg = self.suggestions_in(p);
        let range = self.doc.paragraphs[p].range.clone();
        let mut out: Vec<ViewSpan> = Vec::new();
        let stored: Vec<&Span> = self
            .review
            .ann
            .overlapping(range.start, range.end)
            .collect();
        for s in &stored {
            if s.state == State::Rejected {
                continue;
            }
            // A label the set does not know (another label file) is shown as the first.
            let label = self.labels.index(&s.label).unwrap_or(0);
            out.push(ViewSpan {
                start: s.start,
                end: s.end,
                label,
                state: s.state,
                source: s.source.clone(),
                score: s.score,
                id: Some(s.id),
            });
        }
        for g in sugg.iter() {
            if !stored.iter().any(|s| s.start < g.end && g.start < s.end) {
                out.push(g.clone());
            }
        }
        out.sort_by_key(|s| (s.start, s.end));
        let out: Rc<[ViewSpan]> = out.into();
        self.spans.views.insert(p, Rc::clone(&out));
        out
    }

    /// The span shown in paragraph `p` that shares a byte with `range`.
    pub fn span_covering(&mut self, p: usize, range: Range<usize>) -> Option<ViewSpan> {
        let spans = self.spans_in(p);
        span_covering(&spans, range).map(|(_, s)| s.clone())
    }

    /// How many paragraphs have their suggestions in memory (for tests of laziness).
    pub fn cached_spans(&self) -> usize {
        self.spans.sugg.len()
    }

    /// The stored form of a shown span (a suggestion gets [`NEW_ID`]).
    pub(super) fn as_span(&self, v: &ViewSpan) -> Span {
        match v.id.and_then(|id| self.review.ann.get(id)) {
            Some(s) => s.clone(),
            None => Span {
                id: NEW_ID,
                start: v.start,
                end: v.end,
                label: self.label_name(v.label),
                state: State::Pending,
                source: v.source.clone(),
                score: v.score,
            },
        }
    }

    /// A shown span as the status line names it: label, state, source, score and
    /// text (cut at 40 characters), `ORG suggested gazetteer:curated 0.90 «داعش»`.
    pub fn describe(&self, s: &ViewSpan) -> String {
        let d = self.described(s);
        format!("{} {} {}", d.label_state, d.source_score, d.text)
    }

    /// [`Session::describe`] in its parts, so that a narrow screen can keep the
    /// label and leave the rest out.
    pub fn described(&self, s: &ViewSpan) -> Described {
        let label = &self.labels.labels()[s.label].name;
        let state = state_name(s.state);
        let mut shown: String = self.doc.text[s.start..s.end].chars().take(40).collect();
        if shown.len() < s.end - s.start {
            shown.push('…');
        }
        Described {
            label_state: format!("{label} {state}"),
            source_score: format!("{} {:.2}", s.source, s.score),
            text: format!("«{shown}»"),
        }
    }

    /// The name of label `i` of the session's label set.
    pub(super) fn label_name(&self, i: usize) -> String {
        self.labels.labels()[i].name.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize) -> ViewSpan {
        ViewSpan {
            start,
            end,
            label: 0,
            state: State::Pending,
            source: "test".into(),
            score: 1.0,
            id: None,
        }
    }

    #[test]
    fn covering_finds_the_span_sharing_a_byte() {
        let spans = [span(2, 5), span(7, 9)];
        assert_eq!(span_covering(&spans, 0..2), None);
        assert_eq!(span_covering(&spans, 1..3).map(|(i, _)| i), Some(0));
        assert_eq!(span_covering(&spans, 4..8).map(|(i, _)| i), Some(0));
        assert_eq!(span_covering(&spans, 5..7), None);
        assert_eq!(span_covering(&spans, 8..8), None);
        assert_eq!(span_covering(&spans, 8..20).map(|(i, _)| i), Some(1));
        assert_eq!(span_covering(&[], 0..20), None);
    }
}
