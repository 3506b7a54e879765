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

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// Where a span stands in the review. The one state type of the core, the store and
/// the interchange formats; written `pending`, `accepted`, `rejected` everywhere
/// (serde, the database, the files), by [`State::as_str`] and read back by `parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Suggested, not yet reviewed.
    Pending,
    Accepted,
    /// Rejected: hidden, remembered.
    Rejected,
}

impl State {
    pub const ALL: [State; 3] = [State::Pending, State::Accepted, State::Rejected];

    /// The written form, the same as serde's.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Accepted => "accepted",
            State::Rejected => "rejected",
        }
    }
}

/// A written state that is none of [`State::ALL`]; says what was found and what was
/// expected, for the caller to place (file and line, database row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not one of pending, accepted, rejected")]
pub struct UnknownState(pub String);

impl FromStr for State {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<State, UnknownState> {
        State::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_string()))
    }
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

    /// The edit that makes `before` (a stored span, or a suggestion not stored yet,
    /// whose id is [`NEW_ID`]) what `f` makes of it: a new state, label or range.
    pub fn change(before: Span, f: impl FnOnce(&mut Span)) -> Edit {
        let mut after = before.clone();
        f(&mut after);
        if before.id == NEW_ID {
            Edit::Insert(after)
        } else {
            Edit::Replace { before, after }
        }
    }

    /// The edit that accepts `span` (with another `label` if given) or rejects it.
    pub fn settle(span: Span, accept: bool, label: Option<&str>) -> Edit {
        Edit::change(span, |s| {
            s.state = if accept {
                State::Accepted
            } else {
                State::Rejected
            };
            if let Some(l) = label {
                s.label = l.to_string();
            }
        })
    }

    /// What the edit does, as the analyst would say it (for "undid: ..."): `accept
    /// «داعش» ORG`, `reject`, `add` (made by hand), `delete`, `relabel «داعش» ORG →
    /// LOC`, `resize «الجيش» → «الجيش السوري» ORG`, `accept 3 × «داعش» ORG`,
    /// `accept 5 spans`.
    pub fn what(&self, text: &str) -> String {
        let parts = self.parts(text);
        match parts.as_slice() {
            [] => "nothing".to_string(),
            [(verb, rest)] => format!("{verb} {rest}"),
            [(verb, rest), more @ ..] => {
                let n = parts.len();
                if more.iter().all(|(v, r)| v == verb && r == rest) {
                    format!("{verb} {n} × {rest}")
                } else if more.iter().all(|(v, _)| v == verb) {
                    format!("{verb} {n} spans")
                } else {
                    format!("{n} changes")
                }
            }
        }
    }

    /// (verb, what it was done to) of each single edit in it.
    fn parts(&self, text: &str) -> Vec<(&'static str, String)> {
        let surface = |s: &Span| format!("«{}»", text.get(s.start..s.end).unwrap_or(""));
        let named = |s: &Span| format!("{} {}", surface(s), s.label);
        match self {
            Edit::Insert(s) => vec![(
                match s.state {
                    State::Accepted if s.source == "analyst" => "add",
                    State::Accepted => "accept",
                    State::Rejected => "reject",
                    State::Pending => "suggest",
                },
                named(s),
            )],
            Edit::Remove(s) => vec![("delete", named(s))],
            Edit::Replace { before, after } => {
                let part = if (before.start, before.end) != (after.start, after.end) {
                    ("resize", format!("{} → {}", surface(before), named(after)))
                } else if before.state != after.state {
                    let verb = match after.state {
                        State::Accepted => "accept",
                        State::Rejected => "reject",
                        State::Pending => "reopen",
                    };
                    (verb, named(after))
                } else {
                    let to = format!("{} {} → {}", surface(after), before.label, after.label);
                    ("relabel", to)
                };
                vec![part]
            }
            Edit::Batch(v) => v.iter().flat_map(|e| e.parts(text)).collect(),
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
    #[error("refused: a span cannot cross a paragraph")]
    Paragraph,
    #[error(
        "refused: «{0}» is in the way (a word step does not cross punctuation; Alt steps by a character)"
    )]
    Punctuation(String),
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
    /// To the next word boundary: a word's start or end, or where a name starts
    /// after its proclitic (the caller says where, see [`resized_in`]).
    Word,
    /// This many grapheme clusters (one, unless the screen needs a run of numbers or
    /// Latin inside Arabic crossed whole to keep the span in one piece).
    Chars(usize),
}

/// The id an edit gives a span that does not exist yet; the real id is assigned when
/// the edit is committed (by the store, or by [`Annotations::apply`] without one).
pub const NEW_ID: u64 = 0;

/// One step of history: the tag of the action that made it (the store's action seq)
/// and the edit.
pub type HistoryStep = (i64, Edit);

/// A document's spans with their undo and redo history.
#[derive(Debug, Clone)]
pub struct Annotations {
    spans: BTreeMap<u64, Span>,
    /// (start, id) of every span, for range queries.
    by_start: BTreeSet<(usize, u64)>,
    /// The longest span ever held, in bytes: how far before a range a span that
    /// overlaps it can start.
    longest: usize,
    next_id: u64,
    next_tag: i64,
    undo: Vec<HistoryStep>,
    redo: Vec<HistoryStep>,
    /// Changes with every change of the spans, and differs between any two
    /// [`Annotations`] (a process-wide count): what a cache of anything derived from
    /// the spans keys on.
    revision: u64,
}

/// The last revision handed out, process-wide.
static REVISIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn next_revision() -> u64 {
    REVISIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1
}

impl Default for Annotations {
    fn default() -> Annotations {
        Annotations {
            spans: BTreeMap::new(),
            by_start: BTreeSet::new(),
            longest: 0,
            next_id: 1,
            next_tag: 1,
            undo: Vec::new(),
            redo: Vec::new(),
            revision: next_revision(),
        }
    }
}

impl Annotations {
    pub fn new() -> Annotations {
        Annotations::default()
    }

    /// Spans as loaded (e.g. from the store), with no history.
    pub fn from_spans(spans: impl IntoIterator<Item = Span>) -> Annotations {
        let mut a = Annotations::new();
        for s in spans {
            a.next_id = a.next_id.max(s.id + 1);
            a.insert(s);
        }
        a
    }

    /// Which state of the spans this is: it changes with every change (see the field).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    fn insert(&mut self, s: Span) {
        self.revision = next_revision();
        if let Some(old) = self.spans.get(&s.id) {
            self.by_start.remove(&(old.start, old.id));
        }
        self.longest = self.longest.max(s.end.saturating_sub(s.start));
        self.by_start.insert((s.start, s.id));
        self.spans.insert(s.id, s);
    }

    fn remove(&mut self, id: u64) -> Option<Span> {
        let s = self.spans.remove(&id)?;
        self.revision = next_revision();
        self.by_start.remove(&(s.start, s.id));
        Some(s)
    }

    /// Spans in text order.
    pub fn spans(&self) -> Vec<&Span> {
        self.by_start
            .iter()
            .map(|(_, id)| &self.spans[id])
            .collect()
    }

    /// Spans of any state that share a byte with `start..end`, in text order.
    pub fn overlapping(&self, start: usize, end: usize) -> impl Iterator<Item = &Span> + '_ {
        let from = start.saturating_sub(self.longest);
        self.by_start
            .range((from, 0)..(end, 0))
            .map(|(_, id)| &self.spans[id])
            .filter(move |s| s.end > start && s.start < end)
    }

    pub fn get(&self, id: u64) -> Option<&Span> {
        self.spans.get(&id)
    }

    /// A fresh id for a span made without a store.
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
        self.overlapping(at, at + 1)
            .find(|s| s.state != State::Rejected)
    }

    /// The edit was built on the spans as they are now.
    fn current(&self, edit: &Edit) -> Result<(), Refusal> {
        let ok = match edit {
            Edit::Insert(s) => s.id == NEW_ID || !self.spans.contains_key(&s.id),
            Edit::Remove(s) => self.spans.get(&s.id) == Some(s),
            Edit::Replace { before, after } => {
                before.id == after.id && self.spans.get(&before.id) == Some(before)
            }
            Edit::Batch(v) => return v.iter().try_for_each(|e| self.current(e)),
        };
        if ok { Ok(()) } else { Err(Refusal::Stale) }
    }

    /// Checks that `edit` can be applied to the spans as they are: it was built on
    /// them, and the spans it leaves are non-empty, inside the text, on character
    /// boundaries, and (unless rejected) overlap nothing. Costs the size of the edit,
    /// not of the document.
    pub fn check(&self, text: &str, edit: &Edit) -> Result<(), Refusal> {
        self.current(edit)?;
        // What each touched span becomes (None: removed); new spans by position.
        let mut after: BTreeMap<u64, Option<&Span>> = BTreeMap::new();
        let mut fresh: Vec<&Span> = Vec::new();
        outcome(edit, &mut after, &mut fresh);
        let result: Vec<&Span> = after.values().flatten().copied().chain(fresh).collect();
        for s in &result {
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
        let live: Vec<&Span> = result
            .into_iter()
            .filter(|s| s.state != State::Rejected)
            .collect();
        let refuse = |o: &Span| Refusal::Overlap {
            label: o.label.clone(),
            text: text.get(o.start..o.end).unwrap_or("").to_string(),
        };
        for s in &live {
            if let Some(o) = self
                .overlapping(s.start, s.end)
                .find(|o| o.state != State::Rejected && !after.contains_key(&o.id))
            {
                return Err(refuse(o));
            }
        }
        // Among themselves: in the order of their starts, a span overlaps one before
        // it exactly when it starts before the furthest end so far (sorting instead
        // of comparing every pair: an accept-all of 80,000 suggestions was quadratic).
        let mut by_start: Vec<(usize, &Span)> = live.iter().copied().enumerate().collect();
        by_start.sort_by_key(|(i, s)| (s.start, s.end, *i));
        let mut furthest: Option<(usize, &Span)> = None;
        for &(i, s) in &by_start {
            if let Some((j, o)) = furthest
                && s.start < o.end
            {
                // The one that comes first in the edit is the one in the way.
                return Err(refuse(if j < i { o } else { s }));
            }
            if furthest.is_none_or(|(_, o)| s.end > o.end) {
                furthest = Some((i, s));
            }
        }
        Ok(())
    }

    /// Gives the new spans of `edit` ids from `ids`, in order.
    pub fn assign_ids(edit: &mut Edit, ids: &mut dyn Iterator<Item = u64>) {
        match edit {
            Edit::Insert(s) if s.id == NEW_ID => {
                if let Some(id) = ids.next() {
                    s.id = id;
                }
            }
            Edit::Batch(v) => v.iter_mut().for_each(|e| Annotations::assign_ids(e, ids)),
            _ => {}
        }
    }

    /// Applies an edit as a new step without a store: checked against the text, new
    /// spans numbered here, recorded for undo, and the redo history dropped.
    pub fn apply(&mut self, text: &str, mut edit: Edit) -> Result<(), Refusal> {
        self.check(text, &edit)?;
        let mut ids = self.next_id..;
        Annotations::assign_ids(&mut edit, &mut ids);
        let tag = self.next_tag;
        self.commit_step(edit, tag)
    }

    /// Records a checked edit whose new spans have their ids (the store committed it
    /// as action `tag`): applies it, pushes it for undo, drops the redo history.
    pub fn commit_step(&mut self, edit: Edit, tag: i64) -> Result<(), Refusal> {
        self.apply_edit(&edit)?;
        self.bump(&edit, tag);
        self.undo.push((tag, edit));
        self.redo.clear();
        Ok(())
    }

    /// The step undo would take back: its tag and the edit that undoes it.
    pub fn peek_undo(&self) -> Option<(i64, Edit)> {
        self.undo.last().map(|(t, e)| (*t, e.inverse()))
    }

    /// The step redo would apply again: the tag of the undo that took it back, and it.
    pub fn peek_redo(&self) -> Option<(i64, Edit)> {
        self.redo.last().cloned()
    }

    /// Takes back the last step (committed as action `tag`); returns the edit applied.
    pub fn commit_undo(&mut self, tag: i64) -> Result<Edit, Refusal> {
        let (_, edit) = self.undo.pop().ok_or(Refusal::NothingToUndo)?;
        let inverse = edit.inverse();
        if let Err(e) = self.apply_edit(&inverse) {
            self.undo.push((tag, edit));
            return Err(e);
        }
        self.bump(&edit, tag);
        self.redo.push((tag, edit));
        Ok(inverse)
    }

    /// Applies the last undone step again (committed as action `tag`).
    pub fn commit_redo(&mut self, tag: i64) -> Result<Edit, Refusal> {
        let (old, edit) = self.redo.pop().ok_or(Refusal::NothingToRedo)?;
        if let Err(e) = self.apply_edit(&edit) {
            self.redo.push((old, edit));
            return Err(e);
        }
        self.bump(&edit, tag);
        self.undo.push((tag, edit.clone()));
        Ok(edit)
    }

    /// Undoes the last step without a store; returns the edit applied to do it.
    pub fn undo(&mut self) -> Result<Edit, Refusal> {
        let tag = self.next_tag;
        self.commit_undo(tag)
    }

    /// Redoes the last undone step without a store; returns the edit applied.
    pub fn redo(&mut self) -> Result<Edit, Refusal> {
        let tag = self.next_tag;
        self.commit_redo(tag)
    }

    /// Steps that can be undone.
    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    /// Steps that can be redone.
    pub fn redo_depth(&self) -> usize {
        self.redo.len()
    }

    /// Puts back a history rebuilt from the store's action log.
    pub fn set_history(&mut self, undo: Vec<HistoryStep>, redo: Vec<HistoryStep>) {
        let top = undo.iter().chain(&redo).map(|s| s.0).max().unwrap_or(0);
        self.next_tag = self.next_tag.max(top + 1);
        self.undo = undo;
        self.redo = redo;
    }

    fn bump(&mut self, edit: &Edit, tag: i64) {
        for id in touched(edit) {
            self.next_id = self.next_id.max(id + 1);
        }
        self.next_tag = self.next_tag.max(tag + 1);
    }

    fn apply_edit(&mut self, edit: &Edit) -> Result<(), Refusal> {
        match edit {
            Edit::Insert(s) => {
                if s.id == NEW_ID {
                    return Err(Refusal::NoSuchSpan);
                }
                self.insert(s.clone());
            }
            Edit::Remove(s) => {
                self.remove(s.id).ok_or(Refusal::NoSuchSpan)?;
            }
            Edit::Replace { after, .. } => {
                if !self.spans.contains_key(&after.id) {
                    return Err(Refusal::NoSuchSpan);
                }
                self.insert(after.clone());
            }
            Edit::Batch(v) => {
                for e in v {
                    self.apply_edit(e)?;
                }
            }
        }
        Ok(())
    }

    fn span(&self, id: u64) -> Result<&Span, Refusal> {
        self.spans.get(&id).ok_or(Refusal::NoSuchSpan)
    }

    // Operations: each builds the edit; `apply` then checks and records it.

    pub fn delete(&self, id: u64) -> Result<Edit, Refusal> {
        Ok(Edit::Remove(self.span(id)?.clone()))
    }

    /// A new accepted span made by the analyst.
    pub fn create(&self, start: usize, end: usize, label: &str) -> Edit {
        Edit::Insert(Span {
            id: NEW_ID,
            start,
            end,
            label: label.to_string(),
            state: State::Accepted,
            source: "analyst".to_string(),
            score: 1.0,
        })
    }
}

/// `start..end` with one end moved by a word or a character, outwards (`grow`) or
/// inwards, in reading (logical) order; shrinking never empties it. Looks only at the
/// text near the span, so it costs the same in a 10 MB document.
pub fn resized(
    text: &str,
    start: usize,
    end: usize,
    which: End,
    step: Step,
    grow: bool,
) -> Result<(usize, usize), Refusal> {
    resized_in(text, (start, end), which, step, grow, 0..text.len(), &[])
}

/// [`resized`] inside `within` (the span's paragraph: a step out of it is refused),
/// where the start may also stop at `splits` (sorted byte offsets inside words: where
/// a name starts after its proclitic, و|داعش), so that a word step on the start takes
/// or gives back the proclitic alone. A word step outwards never crosses punctuation
/// between words (a comma, a bracket: «،» in آذار/مارس، وهو), only white space or a
/// joiner inside a compound (آذار/مارس، ez-Zor).
pub fn resized_in(
    text: &str,
    (start, end): (usize, usize),
    which: End,
    step: Step,
    grow: bool,
    within: std::ops::Range<usize>,
    splits: &[usize],
) -> Result<(usize, usize), Refusal> {
    const NEAR: usize = 1024;
    let lo = text.floor_char_boundary(start.saturating_sub(NEAR).max(within.start));
    let hi = text.ceil_char_boundary(end.saturating_add(NEAR).min(within.end));
    let words: Vec<(usize, usize)> = words(&text[lo..hi])
        .map(|(a, b)| (lo + a, lo + b))
        .collect();
    // Where a start may stop: word starts and the splits, in order.
    let mut starts: Vec<usize> = words
        .iter()
        .map(|w| w.0)
        .chain(splits.iter().copied().filter(|&x| lo < x && x < hi))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    // Past the paragraph's words: another paragraph, or the text's edge.
    let beyond = match which {
        End::Stop if within.end < text.len() => Refusal::Paragraph,
        End::Start if within.start > 0 => Refusal::Paragraph,
        _ => Refusal::OutOfText,
    };
    let next_char = |at: usize| {
        text[at..within.end.max(at)]
            .graphemes(true)
            .next()
            .map(|g| at + g.len())
    };
    let prev_char = |at: usize| {
        text[within.start.min(at)..at]
            .graphemes(true)
            .next_back()
            .map(|g| at - g.len())
    };
    let chars = |n: usize, at: usize, f: &dyn Fn(usize) -> Option<usize>| {
        (0..n.max(1)).try_fold(at, |x, _| f(x))
    };
    let (b, e) = (start, end);
    let (mut s, mut t) = (start, end);
    match (which, grow, step) {
        // Outwards: to the end of the next word, the start of the previous one, over
        // nothing but white space or a joiner.
        (End::Stop, true, Step::Word) => {
            let w = words
                .iter()
                .find(|w| w.1 > e)
                .ok_or_else(|| beyond.clone())?;
            no_punctuation(&text[e..w.0.max(e)])?;
            t = w.1;
        }
        (End::Start, true, Step::Word) => {
            s = starts
                .iter()
                .rev()
                .copied()
                .find(|&x| x < b)
                .ok_or_else(|| beyond.clone())?;
            // The gap: from the end of the word s is in (if it ends before b) to b.
            let gap_from = words
                .iter()
                .find(|w| w.0 <= s && s < w.1)
                .map_or(s, |w| w.1.min(b));
            no_punctuation(&text[gap_from..b])?;
        }
        (End::Stop, true, Step::Chars(n)) => t = chars(n, e, &next_char).ok_or(beyond)?,
        (End::Start, true, Step::Chars(n)) => s = chars(n, b, &prev_char).ok_or(beyond)?,
        // Inwards: drop the last (first) word; never empty the span.
        (End::Stop, false, Step::Word) => {
            t = words
                .iter()
                .rev()
                .map(|w| w.1)
                .find(|&x| x < e && x > b)
                .ok_or(Refusal::Empty)?
        }
        (End::Start, false, Step::Word) => {
            s = starts
                .iter()
                .copied()
                .find(|&x| x > b && x < e)
                .ok_or(Refusal::Empty)?
        }
        // Inwards by characters, then past any white space the step bared: a span
        // never ends on a space (اللواء 137 less its number is «اللواء»).
        (End::Stop, false, Step::Chars(n)) => {
            t = chars(n, e, &prev_char)
                .filter(|&x| x > b)
                .ok_or(Refusal::Empty)?;
            t = b + text[b..t].trim_end().len();
            if t == b {
                return Err(Refusal::Empty);
            }
        }
        (End::Start, false, Step::Chars(n)) => {
            s = chars(n, b, &next_char)
                .filter(|&x| x < e)
                .ok_or(Refusal::Empty)?;
            s = e - text[s..e].trim_start().len();
            if s == e {
                return Err(Refusal::Empty);
            }
        }
    }
    Ok((s, t))
}

/// Refuses a gap between two words that holds punctuation (a comma, a bracket, a
/// quote) beside white space; a gap of white space alone, or of joiners alone
/// (آذار/مارس، ez-Zor, al-Assad), is crossed.
fn no_punctuation(gap: &str) -> Result<(), Refusal> {
    let joiner = |c: char| "/-'’‐‑–_.&+".contains(c) || c.is_whitespace() || is_format(c);
    let spaced = gap.chars().any(char::is_whitespace);
    let bad = gap
        .chars()
        .any(|c| !(c.is_whitespace() || is_format(c)) && (spaced || !joiner(c)));
    if bad {
        let shown: String = gap
            .chars()
            .filter(|c| !c.is_whitespace() && !is_format(*c))
            .collect();
        return Err(Refusal::Punctuation(shown));
    }
    Ok(())
}

/// Invisible formatting characters (bidi marks, joiners, tatweel) that do not part
/// words.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{0640}'
    )
}

fn touched(edit: &Edit) -> Vec<u64> {
    match edit {
        Edit::Insert(s) | Edit::Remove(s) => vec![s.id],
        Edit::Replace { after, .. } => vec![after.id],
        Edit::Batch(v) => v.iter().flat_map(touched).collect(),
    }
}

/// What an edit leaves of each span it touches (in `after`, by id; `None` when removed)
/// and the new spans it makes (in `fresh`).
fn outcome<'e>(
    edit: &'e Edit,
    after: &mut BTreeMap<u64, Option<&'e Span>>,
    fresh: &mut Vec<&'e Span>,
) {
    match edit {
        Edit::Insert(s) if s.id == NEW_ID => fresh.push(s),
        Edit::Insert(s) => {
            after.insert(s.id, Some(s));
        }
        Edit::Remove(s) => {
            after.insert(s.id, None);
        }
        Edit::Replace { after: a, .. } => {
            after.insert(a.id, Some(a));
        }
        Edit::Batch(v) => v.iter().for_each(|e| outcome(e, after, fresh)),
    }
}

/// Word boundaries of the text: (start, end) of every word that has a letter or digit.
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    text.split_word_bound_indices()
        .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
        .map(|(i, w)| (i, i + w.len()))
}

#[cfg(test)]
pub(crate) mod tests;
