//! Entity spans as the viewer holds them: suggestions from the engine, with their
//! review state, fetched lazily per paragraph and kept by paragraph.
//!
//! Owns: the span model ([`ViewSpan`], [`SpanState`]), when the engine runs (on a
//! paragraph's own text, the first time that paragraph is drawn or asked for, never
//! over the whole document) and the conversion of its paragraph-relative offsets to
//! document offsets. Must not: draw, or decide how a span looks (`legend.rs` does).
//! Invariant: a paragraph's spans are sorted by start, none overlapping, each a
//! non-empty range on character boundaries inside that paragraph.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use crate::suggest::Engine;
use crate::suggest::labels::LabelSet;

use super::app::App;

/// Where a span stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpanState {
    /// Suggested and not yet reviewed.
    #[default]
    Pending,
    /// Confirmed by the analyst.
    Accepted,
}

impl SpanState {
    /// The word the status line and legend use.
    pub fn name(self) -> &'static str {
        match self {
            SpanState::Pending => "suggested",
            SpanState::Accepted => "accepted",
        }
    }
}

/// One entity span in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewSpan {
    /// Byte range in `Document::text`.
    pub start: usize,
    pub end: usize,
    /// Index in the viewer's [`LabelSet`] (`App::labels`).
    pub label: usize,
    pub state: SpanState,
    /// Where it came from: `gazetteer:NAME`, `rule:KIND`, `memory`, ...
    pub source: String,
    /// How sure the source is, in 0..1.
    pub score: f32,
}

impl ViewSpan {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// The embedded engine, built once per process and shared: it takes tens of
/// milliseconds to build, so a binary may call this on a thread while it reads the
/// article (`std::thread::spawn(raqim::tui::builtin_engine)`) and the viewer then
/// finds it ready.
pub fn builtin_engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    Arc::clone(ENGINE.get_or_init(|| Arc::new(Engine::builtin())))
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

/// Paragraph text cached before the suggestions of paragraphs nobody changed are
/// dropped (they are recomputed on demand, identically).
const CACHE_BYTES: usize = 4 << 20;

/// Spans by paragraph. Paragraphs whose spans were set or reviewed are `edited` and
/// never dropped: they hold the analyst's work.
#[derive(Default)]
pub(super) struct SpanStore {
    paras: HashMap<usize, Rc<[ViewSpan]>>,
    edited: HashSet<usize>,
    bytes: usize,
}

impl SpanStore {
    /// Forgets every suggestion nobody changed (e.g. the engine was switched).
    fn drop_unedited(&mut self) {
        let edited = &self.edited;
        self.paras.retain(|p, _| edited.contains(p));
        self.bytes = 0;
    }
}

/// Runs the engine over one paragraph's text; `base` is where it starts in the
/// document. Labels the set does not know are skipped.
fn suggest_paragraph(engine: &Engine, labels: &LabelSet, text: &str, base: usize) -> Vec<ViewSpan> {
    engine
        .suggest(text, None)
        .into_iter()
        .filter_map(|s| {
            Some(ViewSpan {
                start: base + s.start,
                end: base + s.end,
                label: labels.index(&s.label)?,
                state: SpanState::Pending,
                source: s.source,
                score: s.score,
            })
        })
        .collect()
}

impl App {
    /// The labels spans refer to, in legend order.
    pub fn labels(&self) -> &LabelSet {
        &self.labels
    }

    /// The spans of paragraph `p` (document offsets, sorted, none overlapping). The
    /// first call for a paragraph runs the engine on that paragraph only.
    pub fn spans_in(&mut self, p: usize) -> Rc<[ViewSpan]> {
        if let Some(s) = self.spans.paras.get(&p) {
            return Rc::clone(s);
        }
        let range = self.doc.paragraphs[p].range.clone();
        let found: Rc<[ViewSpan]> = if self.settings.suggest {
            let engine = self.engine.get_or_insert_with(builtin_engine);
            let text = &self.doc.text[range.clone()];
            suggest_paragraph(engine, &self.labels, text, range.start).into()
        } else {
            Rc::from(Vec::new())
        };
        if self.spans.bytes + range.len() > CACHE_BYTES {
            self.spans.drop_unedited();
        }
        self.spans.bytes += range.len();
        self.spans.paras.insert(p, Rc::clone(&found));
        found
    }

    /// The span under the cursor: its index in `spans_in(cursor paragraph)` and it.
    pub fn span_at_cursor(&mut self) -> Option<(usize, ViewSpan)> {
        if self.doc.is_blank() {
            return None;
        }
        let p = self.cursor.para;
        let (line, c) = self.cursor_cell();
        let cell = self.layout(p).lines[line].cells[c].logical();
        let base = self.doc.paragraphs[p].range.start;
        let spans = self.spans_in(p);
        span_covering(&spans, base + cell.start..base + cell.end).map(|(i, s)| (i, s.clone()))
    }

    /// Sets the review state of span `i` of paragraph `p`; false when there is no such
    /// span. The paragraph's spans are kept from then on.
    pub fn set_span_state(&mut self, p: usize, i: usize, state: SpanState) -> bool {
        if p >= self.doc.paragraphs.len() {
            return false;
        }
        let spans = self.spans_in(p);
        if i >= spans.len() {
            return false;
        }
        let mut v = spans.to_vec();
        v[i].state = state;
        self.spans.paras.insert(p, v.into());
        self.spans.edited.insert(p);
        true
    }

    /// Replaces the spans of paragraph `p` (document offsets). Spans that are empty,
    /// outside the paragraph, not on character boundaries, of an unknown label, or
    /// overlapping an earlier one are dropped; returns how many were kept. The
    /// paragraph's spans are kept from then on.
    pub fn set_spans(&mut self, p: usize, mut spans: Vec<ViewSpan>) -> usize {
        let Some(para) = self.doc.paragraphs.get(p) else {
            return 0;
        };
        let range = para.range.clone();
        let text = &self.doc.text;
        let n_labels = self.labels.labels().len();
        spans.sort_by_key(|s| (s.start, s.end));
        let mut kept: Vec<ViewSpan> = Vec::with_capacity(spans.len());
        for s in spans {
            let fits = range.start <= s.start
                && s.start < s.end
                && s.end <= range.end
                && text.is_char_boundary(s.start)
                && text.is_char_boundary(s.end)
                && s.label < n_labels;
            if fits && kept.last().is_none_or(|k| k.end <= s.start) {
                kept.push(s);
            }
        }
        let n = kept.len();
        self.spans.paras.insert(p, kept.into());
        self.spans.edited.insert(p);
        n
    }

    /// How many paragraphs have their spans in memory (for tests of laziness).
    pub fn cached_spans(&self) -> usize {
        self.spans.paras.len()
    }

    /// After a settings change: when suggestions were switched on or off, the
    /// suggestions nobody changed are fetched again on demand.
    pub(super) fn suggest_setting_changed(&mut self) {
        self.spans.drop_unedited();
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
            state: SpanState::Pending,
            source: "test".into(),
            score: 1.0,
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
