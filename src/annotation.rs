//! Spans and their review state, and the edits the analyst makes to them. Every edit
//! is invertible: undo applies the inverse, redo applies the edit again, so one
//! mechanism serves both (helix's transactions are the model).
//!
//! Offsets are byte offsets into the document text, always on grapheme-cluster
//! boundaries. Spans that are not rejected never overlap (the default schema);
//! an edit that would make them overlap is refused with the span in the way.
//!
//! Must not: touch the terminal or the store (the store persists edits as they are
//! applied; the viewer turns keys into the operations here).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// Where a span stands in the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Suggested, not yet reviewed.
    Pending,
    Accepted,
    /// Rejected: hidden, remembered.
    Rejected,
}

/// One span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub id: u64,
    /// Byte range in the document text.
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub state: State,
    /// Where it came from (`gazetteer:NAME`, `rule:KIND`, `memory`, `analyst`).
    pub source: String,
    pub score: f32,
}

/// An invertible change to the spans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edit {
    Insert(Span),
    Remove(Span),
    /// The same span (same id) before and after.
    Replace {
        before: Span,
        after: Span,
    },
    /// Several edits as one step (accept all, and their undo).
    Batch(Vec<Edit>),
}

impl Edit {
    /// The edit that undoes this one.
    pub fn inverse(&self) -> Edit {
        match self {
            Edit::Insert(s) => Edit::Remove(s.clone()),
            Edit::Remove(s) => Edit::Insert(s.clone()),
            Edit::Replace { before, after } => Edit::Replace {
                before: after.clone(),
                after: before.clone(),
            },
            Edit::Batch(v) => Edit::Batch(v.iter().rev().map(Edit::inverse).collect()),
        }
    }

    /// True when the edit changes nothing.
    pub fn is_empty(&self) -> bool {
        match self {
            Edit::Batch(v) => v.iter().all(Edit::is_empty),
            Edit::Replace { before, after } => before == after,
            _ => false,
        }
    }
}

/// Why an operation was refused; shown to the analyst as it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("refused: it would overlap the {} span {:?}", .label, .text)]
    Overlap { label: String, text: String },
    #[error("refused: a span cannot be empty")]
    Empty,
    #[error("refused: the span would leave the text")]
    OutOfText,
    #[error("refused: no such span")]
    NoSuchSpan,
    #[error("refused: the span changed since this edit was made")]
    Stale,
    #[error("nothing to undo")]
    NothingToUndo,
    #[error("nothing to redo")]
    NothingToRedo,
}

/// Which end of a span moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Where reading of the span starts (its right edge in RTL text).
    Start,
    /// Where reading of the span ends (its left edge in RTL text).
    Stop,
}

/// By how much a span grows or shrinks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Word,
    /// One grapheme cluster.
    Char,
}

/// A document's spans with their undo and redo history.
#[derive(Debug, Clone, Default)]
pub struct Annotations {
    spans: BTreeMap<u64, Span>,
    next_id: u64,
    undo: Vec<Edit>,
    redo: Vec<Edit>,
}

impl Annotations {
    pub fn new() -> Annotations {
        Annotations::default()
    }

    /// Spans in text order.
    pub fn spans(&self) -> Vec<&Span> {
        let mut v: Vec<&Span> = self.spans.values().collect();
        v.sort_by_key(|s| (s.start, s.end, s.id));
        v
    }

    pub fn get(&self, id: u64) -> Option<&Span> {
        self.spans.get(&id)
    }

    /// A fresh id for a new span.
    pub fn next_id(&self) -> u64 {
        self.next_id
    }

    /// Pending, accepted and rejected counts.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for s in self.spans.values() {
            match s.state {
                State::Pending => c.0 += 1,
                State::Accepted => c.1 += 1,
                State::Rejected => c.2 += 1,
            }
        }
        c
    }

    /// The visible (not rejected) span covering byte `at`, if any.
    pub fn at(&self, at: usize) -> Option<&Span> {
        self.spans
            .values()
            .find(|s| s.state != State::Rejected && s.start <= at && at < s.end)
    }

    fn overlap(&self, text: &str, s: &Span, ignore: &[u64]) -> Result<(), Refusal> {
        if s.state == State::Rejected {
            return Ok(());
        }
        match self.spans.values().find(|o| {
            o.state != State::Rejected
                && !ignore.contains(&o.id)
                && o.start < s.end
                && s.start < o.end
        }) {
            Some(o) => Err(Refusal::Overlap {
                label: o.label.clone(),
                text: text.get(o.start..o.end).unwrap_or("").to_string(),
            }),
            None => Ok(()),
        }
    }

    /// The edit was built on the spans as they are now.
    fn current(&self, edit: &Edit) -> Result<(), Refusal> {
        let ok = match edit {
            Edit::Insert(s) => !self.spans.contains_key(&s.id),
            Edit::Remove(s) => self.spans.get(&s.id) == Some(s),
            Edit::Replace { before, after } => {
                before.id == after.id && self.spans.get(&before.id) == Some(before)
            }
            Edit::Batch(v) => return v.iter().try_for_each(|e| self.current(e)),
        };
        if ok { Ok(()) } else { Err(Refusal::Stale) }
    }

    fn check(&self, text: &str, edit: &Edit) -> Result<(), Refusal> {
        self.current(edit)?;
        // Check the edit against the spans as they will be: simulate on a copy.
        let mut copy = self.spans.clone();
        apply_to(&mut copy, edit)?;
        let probe = Annotations {
            spans: copy,
            ..Annotations::default()
        };
        for s in probe.spans.values() {
            if s.start >= s.end {
                return Err(Refusal::Empty);
            }
            if s.end > text.len()
                || !text.is_char_boundary(s.start)
                || !text.is_char_boundary(s.end)
            {
                return Err(Refusal::OutOfText);
            }
        }
        for id in touched(edit) {
            if let Some(s) = probe.spans.get(&id) {
                probe.overlap(text, s, &[id])?;
            }
        }
        Ok(())
    }

    /// Applies an edit as a new step: checked against the text, recorded for undo,
    /// and the redo history dropped.
    pub fn apply(&mut self, text: &str, edit: Edit) -> Result<(), Refusal> {
        self.check(text, &edit)?;
        apply_to(&mut self.spans, &edit)?;
        self.bump_ids(&edit);
        self.undo.push(edit);
        self.redo.clear();
        Ok(())
    }

    /// Undoes the last step; returns the edit that was applied to do it.
    pub fn undo(&mut self) -> Result<Edit, Refusal> {
        let edit = self.undo.pop().ok_or(Refusal::NothingToUndo)?;
        let inverse = edit.inverse();
        apply_to(&mut self.spans, &inverse)?;
        self.redo.push(edit);
        Ok(inverse)
    }

    /// Redoes the last undone step; returns the edit applied.
    pub fn redo(&mut self) -> Result<Edit, Refusal> {
        let edit = self.redo.pop().ok_or(Refusal::NothingToRedo)?;
        apply_to(&mut self.spans, &edit)?;
        self.undo.push(edit.clone());
        Ok(edit)
    }

    /// Steps that can be undone.
    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    fn bump_ids(&mut self, edit: &Edit) {
        for id in touched(edit) {
            self.next_id = self.next_id.max(id + 1);
        }
    }

    fn span(&self, id: u64) -> Result<&Span, Refusal> {
        self.spans.get(&id).ok_or(Refusal::NoSuchSpan)
    }

    // Operations: each builds the edit; `apply` then checks and records it.

    /// Accept, with another label if given.
    pub fn accept(&self, id: u64, label: Option<&str>) -> Result<Edit, Refusal> {
        let before = self.span(id)?.clone();
        let mut after = before.clone();
        after.state = State::Accepted;
        if let Some(l) = label {
            after.label = l.to_string();
        }
        Ok(Edit::Replace { before, after })
    }

    pub fn reject(&self, id: u64) -> Result<Edit, Refusal> {
        let before = self.span(id)?.clone();
        let mut after = before.clone();
        after.state = State::Rejected;
        Ok(Edit::Replace { before, after })
    }

    pub fn delete(&self, id: u64) -> Result<Edit, Refusal> {
        Ok(Edit::Remove(self.span(id)?.clone()))
    }

    /// A new accepted span made by the analyst.
    pub fn create(&self, start: usize, end: usize, label: &str) -> Edit {
        Edit::Insert(Span {
            id: self.next_id,
            start,
            end,
            label: label.to_string(),
            state: State::Accepted,
            source: "analyst".to_string(),
            score: 1.0,
        })
    }

    /// Accept (or reject) every pending span with the same text and label as `id`.
    pub fn settle_all_like(&self, text: &str, id: u64, accept: bool) -> Result<Edit, Refusal> {
        let this = self.span(id)?;
        let same = |s: &Span| {
            s.state == State::Pending
                && s.label == this.label
                && text.get(s.start..s.end) == text.get(this.start..this.end)
        };
        let mut edits = Vec::new();
        for s in self.spans.values().filter(|s| same(s)) {
            edits.push(if accept {
                self.accept(s.id, None)?
            } else {
                self.reject(s.id)?
            });
        }
        Ok(Edit::Batch(edits))
    }

    /// Moves one end of a span by a word or a character, outwards (`grow`) or
    /// inwards, in reading (logical) order. Shrinking never empties the span.
    pub fn resize(
        &self,
        text: &str,
        id: u64,
        end: End,
        step: Step,
        grow: bool,
    ) -> Result<Edit, Refusal> {
        let before = self.span(id)?.clone();
        let mut after = before.clone();
        let words: Vec<(usize, usize)> = words(text).collect();
        let next_char = |at: usize| text[at..].graphemes(true).next().map(|g| at + g.len());
        let prev_char = |at: usize| text[..at].graphemes(true).next_back().map(|g| at - g.len());
        let (b, e) = (before.start, before.end);
        match (end, grow, step) {
            // Outwards: to the end of the next word, the start of the previous one.
            (End::Stop, true, Step::Word) => {
                after.end = words
                    .iter()
                    .map(|w| w.1)
                    .find(|&x| x > e)
                    .ok_or(Refusal::OutOfText)?
            }
            (End::Start, true, Step::Word) => {
                after.start = words
                    .iter()
                    .rev()
                    .map(|w| w.0)
                    .find(|&x| x < b)
                    .ok_or(Refusal::OutOfText)?
            }
            (End::Stop, true, Step::Char) => after.end = next_char(e).ok_or(Refusal::OutOfText)?,
            (End::Start, true, Step::Char) => {
                after.start = prev_char(b).ok_or(Refusal::OutOfText)?
            }
            // Inwards: drop the last (first) word; never empty the span.
            (End::Stop, false, Step::Word) => {
                after.end = words
                    .iter()
                    .rev()
                    .map(|w| w.1)
                    .find(|&x| x < e && x > b)
                    .ok_or(Refusal::Empty)?
            }
            (End::Start, false, Step::Word) => {
                after.start = words
                    .iter()
                    .map(|w| w.0)
                    .find(|&x| x > b && x < e)
                    .ok_or(Refusal::Empty)?
            }
            (End::Stop, false, Step::Char) => {
                after.end = prev_char(e).filter(|&x| x > b).ok_or(Refusal::Empty)?
            }
            (End::Start, false, Step::Char) => {
                after.start = next_char(b).filter(|&x| x < e).ok_or(Refusal::Empty)?
            }
        }
        Ok(Edit::Replace { before, after })
    }
}

fn touched(edit: &Edit) -> Vec<u64> {
    match edit {
        Edit::Insert(s) | Edit::Remove(s) => vec![s.id],
        Edit::Replace { after, .. } => vec![after.id],
        Edit::Batch(v) => v.iter().flat_map(touched).collect(),
    }
}

fn apply_to(spans: &mut BTreeMap<u64, Span>, edit: &Edit) -> Result<(), Refusal> {
    match edit {
        Edit::Insert(s) => {
            spans.insert(s.id, s.clone());
        }
        Edit::Remove(s) => {
            spans.remove(&s.id).ok_or(Refusal::NoSuchSpan)?;
        }
        Edit::Replace { after, .. } => {
            let slot = spans.get_mut(&after.id).ok_or(Refusal::NoSuchSpan)?;
            *slot = after.clone();
        }
        Edit::Batch(v) => {
            for e in v {
                apply_to(spans, e)?;
            }
        }
    }
    Ok(())
}

/// Word boundaries of the text: (start, end) of every word that has a letter or digit.
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    text.split_word_bound_indices()
        .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
        .map(|(i, w)| (i, i + w.len()))
}

#[cfg(test)]
mod tests;
