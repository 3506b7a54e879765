//! The review of one document, without a terminal: what a review step does to the
//! spans ([`Session::apply`] with an [`Op`]), what is shown (stored spans merged with
//! suggestions, `shown.rs`), progress, what the memory learnt and forgetting it
//! (`memory.rs`), and how documents (one file, or a set) are found and opened
//! (`open.rs`: a file, the database, a changed file; `set.rs`: a
//! directory or a JSON lines file of documents, and the spans a record brings).
//!
//! Owns: review semantics and opening policy. Must not: use ratatui, crossterm or
//! `crate::tui` (`tests/architecture.rs` checks); the terminal shell turns keys into
//! [`Op`]s, says where its cursor is with a [`Focus`], and draws what a session holds.
//! Cost: a step looks at the paragraphs it touches; only progress on a short document
//! (and accept-all-like, search) walks them all.

pub mod curation;
mod flags;
mod memory;
pub mod open;
mod ops;
pub mod queue;
pub mod set;
mod shown;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::annotation::State;
use crate::document::Document;
use crate::offsets::{Offsets, convert_sorted, len_in};
use crate::review::Review;
use crate::suggest::Engine;
use crate::suggest::labels::LabelSet;

pub use flags::FlagTarget;
pub use memory::MemoryRow;
pub use ops::{Focus, Op, Outcome, find_folded};
pub use shown::{Described, ViewSpan, span_covering, state_name};

/// Documents up to this size (a long news article is under 20 KB) have their
/// suggestions counted everywhere for the progress line; beyond it only the paragraphs
/// seen so far are, so a big file is never run through the engine whole.
const COUNT_ALL_BYTES: usize = 32 << 10;

/// What the progress is counted from: the spans' revision, the suggestions'
/// generation, the furthest paragraph reached, the done mark, suggestions on.
type ProgressKey = (u64, u64, usize, bool, bool);

/// Review counts for the progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub pending: usize,
    pub accepted: usize,
    pub rejected: usize,
    /// Share of the text reviewed, in percent.
    pub reviewed: u8,
    /// False when `pending` only counts the paragraphs seen so far (a long document).
    pub exact: bool,
}

/// One open document under review: its text, the review (stored spans, history,
/// journal, memory), the engine and labels that suggest, and what is shown.
pub struct Session {
    doc: Document,
    review: Review,
    /// The suggestion engine; the built-in one is fetched on first use.
    engine: Option<Arc<Engine>>,
    /// The labels spans refer to (the engine's).
    labels: LabelSet,
    /// Run the suggestion engine on the paragraphs shown.
    suggest: bool,
    spans: shown::SpanCache,
    /// Code points before each paragraph, and in all.
    char_starts: Vec<usize>,
    char_total: usize,
    /// Last (paragraph, byte offset, code points before it in the paragraph), so a
    /// position's code point offset is counted from there, not from the start of a
    /// 64 KiB piece.
    char_memo: (usize, usize, usize),
    /// The furthest paragraph the analyst has been in (for the progress).
    reach: usize,
    /// The last progress counted, with what it was counted from.
    progress_cache: Option<(ProgressKey, Progress)>,
    /// The last search made.
    last_search: Option<String>,
}

impl Session {
    /// A session on `doc` with an in-memory review; `engine` `None` is the built-in
    /// one (fetched on first use), whose labels are the built-in ones.
    pub fn new(doc: Document, engine: Option<Arc<Engine>>, suggest: bool) -> Session {
        let labels = engine
            .as_ref()
            .map_or_else(LabelSet::builtin, |e| e.labels.clone());
        // Code points before each paragraph and in all, in one walk over the text.
        let starts: Vec<usize> = (doc.paragraphs.iter().map(|p| p.range.start))
            .chain([doc.text.len()])
            .collect();
        let mut char_starts = convert_sorted(&doc.text, Offsets::CodePoints, &starts);
        let char_total = char_starts.pop().unwrap_or(0);
        let mut review = Review::in_memory();
        review.set_doc(doc.id());
        Session {
            doc,
            review,
            engine,
            labels,
            suggest,
            spans: shown::SpanCache::default(),
            char_starts,
            char_total,
            char_memo: (0, 0, 0),
            reach: 0,
            progress_cache: None,
            last_search: None,
        }
    }

    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The review of this document (its stored spans and history).
    pub fn review(&self) -> &Review {
        &self.review
    }

    /// Replaces the review (e.g. one opened from the store); suggestions are made
    /// again with its memory.
    pub fn set_review(&mut self, mut review: Review) {
        if review.doc().is_none() {
            review.set_doc(self.doc.id());
        }
        review.set_project_after(self.review.memory().project_after());
        self.review = review;
        self.spans.suggestions_changed();
    }

    /// A review opened read-only because another raqim holds the document follows
    /// it: when the holder has acted, or let go, the document is opened again (its
    /// spans as they now are, and writable once nobody holds it). What changed, to
    /// say; `None` when nothing did (or the reopening failed, also said).
    pub fn follow(&mut self) -> Option<String> {
        if !self.review.behind() {
            return None;
        }
        let engine = self.engine();
        let before = self.review.ann.counts();
        match self.review.reopen(&self.doc, &engine)? {
            Ok(opened) => {
                let writable = opened.review.read_only().is_none();
                self.set_review(opened.review);
                let after = self.review.ann.counts();
                Some(if writable {
                    "the other raqim let go of this document: it is yours to edit now".to_string()
                } else if before != after {
                    "updated from the other raqim, which holds this document (read-only here)"
                        .to_string()
                } else {
                    "the other raqim acted on this document (read-only here)".to_string()
                })
            }
            Err(e) => Some(format!("could not follow the other raqim: {e}")),
        }
    }

    /// Saves what is only in memory: the view (`cursor` byte, `top` paragraph) and
    /// the suggestion memory.
    pub fn save(&mut self, cursor: usize, top: usize) -> Result<(), crate::review::ReviewError> {
        self.review.save_view(cursor, top)?;
        self.review.save_memory()
    }

    /// The labels spans refer to, in legend order.
    pub fn labels(&self) -> &LabelSet {
        &self.labels
    }

    pub fn suggesting(&self) -> bool {
        self.suggest
    }

    /// Switches suggestions on or off; they are fetched again on demand.
    pub fn set_suggest(&mut self, on: bool) {
        if on != self.suggest {
            self.suggest = on;
            self.spans.suggestions_changed();
        }
    }

    /// The analyst has been in paragraph `p` (the progress counts reviewed text up
    /// to the furthest one).
    pub fn reached(&mut self, p: usize) {
        self.reach = self.reach.max(p);
    }

    /// The paragraph holding document byte `at`.
    pub fn para_of(&self, at: usize) -> usize {
        self.doc
            .paragraphs
            .partition_point(|p| p.range.end <= at)
            .min(self.doc.paragraphs.len().saturating_sub(1))
    }

    /// Code points before paragraph `p`.
    pub fn char_start(&self, p: usize) -> usize {
        self.char_starts[p]
    }

    /// The code point offset in the document of byte `offset` of paragraph `para`.
    pub fn char_offset(&mut self, para: usize, offset: usize) -> usize {
        let Some(p) = self.doc.paragraphs.get(para) else {
            return 0;
        };
        let text = &self.doc.text[p.range.clone()];
        let (mp, mo, mc) = self.char_memo;
        let count = |s: &str| len_in(s, Offsets::CodePoints);
        let chars = if mp != para {
            count(&text[..offset])
        } else if mo <= offset {
            mc + count(&text[mo..offset])
        } else {
            mc - count(&text[offset..mo])
        };
        self.char_memo = (para, offset, chars);
        self.char_starts[para] + chars
    }

    /// Code points in the document.
    pub fn char_total(&self) -> usize {
        self.char_total
    }

    /// Code points in paragraph `p` (its line break not counted).
    fn para_chars(&self, p: usize) -> usize {
        let next = self
            .char_starts
            .get(p + 1)
            .copied()
            .unwrap_or(self.char_total);
        let gap_end = self
            .doc
            .paragraphs
            .get(p + 1)
            .map_or(self.doc.text.len(), |q| q.range.start);
        next - self.char_starts[p]
            - self.doc.text[self.doc.paragraphs[p].range.end..gap_end]
                .chars()
                .count()
    }

    /// Pending, accepted and rejected counts and the share reviewed. Reviewed text:
    /// the paragraphs up to the furthest one the analyst has reached that hold no
    /// suggestion left to review; all of it once the document is marked done, or when
    /// nothing is left to review anywhere in it.
    pub fn progress(&mut self) -> Progress {
        // It walks every paragraph: done again only when something it reads changed.
        let key = (
            self.review.ann.revision(),
            self.spans.generation,
            self.reach,
            self.review.done(),
            self.suggest,
        );
        if let Some((k, p)) = self.progress_cache
            && k == key
        {
            return p;
        }
        let p = self.count_progress();
        // Counting may compute suggestions (a short document): key on what it left.
        let key = (key.0, self.spans.generation, key.2, key.3, key.4);
        self.progress_cache = Some((key, p));
        p
    }

    /// The progress counted afresh (what [`Session::progress`] keeps between calls).
    pub(crate) fn count_progress(&mut self) -> Progress {
        let (stored_pending, accepted, rejected) = self.review.ann.counts();
        let exact = self.doc.text.len() <= COUNT_ALL_BYTES || !self.suggest;
        let mut pending_suggestions = 0;
        let mut reviewed_chars = 0usize;
        for p in 0..self.doc.paragraphs.len() {
            if !exact && !self.spans.has_suggestions(p) {
                continue;
            }
            let spans = self.spans_in(p);
            let open = spans.iter().filter(|s| s.state == State::Pending).count();
            pending_suggestions += spans
                .iter()
                .filter(|s| s.state == State::Pending && s.id.is_none())
                .count();
            if open == 0 && p <= self.reach {
                reviewed_chars += self.para_chars(p);
            }
        }
        let total = self.char_total.max(1);
        let nothing_left = exact && stored_pending + pending_suggestions == 0;
        let reviewed = if self.review.done() || nothing_left {
            100
        } else {
            (reviewed_chars * 100 / total).min(100) as u8
        };
        Progress {
            pending: stored_pending + pending_suggestions,
            accepted,
            rejected,
            reviewed,
            exact,
        }
    }

    /// The progress as the title bar and the document list say it: counts by state,
    /// the share reviewed, done and read-only marks.
    pub fn progress_text(&mut self) -> String {
        let [full, ..] = self.progress_forms();
        full
    }

    /// The progress said ever shorter, for narrower screens, each keeping `N to
    /// review` and the read-only mark: `12 to review · 5 accepted · 2 rejected · 40%
    /// reviewed`, `12 to review · 5✓ · 2✗ · 40%`, `12 to review · 40%`, `12 to review`
    /// (the done mark on all but the last).
    pub fn progress_forms(&mut self) -> [String; 4] {
        let p = self.progress();
        let more = if p.exact { "" } else { "+" };
        let head = format!("{}{more} to review", p.pending);
        let done = if self.review.done() { " · done" } else { "" };
        let ro = if self.review.read_only().is_some() {
            " · read-only"
        } else {
            ""
        };
        let flags = self.review.flags().len();
        let fl = if flags > 0 {
            format!(" · {flags} flagged")
        } else {
            String::new()
        };
        let (a, r, pc) = (p.accepted, p.rejected, p.reviewed);
        [
            format!("{head} · {a} accepted · {r} rejected · {pc}% reviewed{done}{ro}{fl}"),
            format!("{head} · {a}✓ · {r}✗ · {pc}%{done}{ro}{fl}"),
            format!("{head} · {pc}%{done}{ro}"),
            format!("{head}{ro}"),
        ]
    }
}
