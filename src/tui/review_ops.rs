//! What the review keys do to the viewer: find the span in focus (under the cursor),
//! turn the key into an edit of the stored spans, hand it to the review (which checks
//! it, commits it to disk, then applies it), move between spans, search, and keep the
//! message the status line shows.
//!
//! A suggestion nobody has acted on is not stored; the first action on it stores it
//! with its new state (accepted, rejected, or resized and still pending).
//!
//! Owns: key semantics of the review. Must not: draw, or commit anything except
//! through `Review`.

use std::rc::Rc;

use crate::annotation::{Edit, End, NEW_ID, Span, State, Step, resized};
use crate::logging::{MESSAGE, clip};
use crate::review::ReviewError;
use crate::suggest::dict::DocTokens;
use crate::suggest::normalize::tokenize;

use super::action::Action;
use super::app::{App, Cursor};
use super::spans::{SpanState, ViewSpan};

/// Documents up to this size (a long news article is under 20 KB) have their
/// suggestions counted everywhere for the progress line; beyond it only the paragraphs
/// seen so far are, so a big file is never run through the engine whole.
const COUNT_ALL_BYTES: usize = 32 << 10;

/// What the progress is counted from: the spans' revision, the suggestions'
/// generation, the furthest paragraph reached, the done mark, suggestions on.
pub(super) type ProgressKey = (u64, u64, usize, bool, bool);

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

impl App {
    /// The message the last action left for the status line.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    pub(super) fn say(&mut self, m: impl Into<String>) {
        let m = m.into();
        tracing::debug!("status: {}", clip(&m, MESSAGE));
        self.message = Some(m);
    }

    /// Says why an action was refused before it reached the review (which logs its own
    /// refusals), and logs it.
    fn refuse(&mut self, m: impl Into<String>) {
        let m = m.into();
        tracing::info!("{}", clip(&m, MESSAGE));
        self.message = Some(m);
    }

    /// The selection's anchor (document byte offset), when one is being made.
    pub fn selection(&self) -> Option<usize> {
        self.selection
    }

    /// The selected byte range (anchor to cursor, both clusters included).
    pub(super) fn selected_range(&mut self) -> Option<(usize, usize)> {
        let anchor = self.selection?;
        let cur = self.cursor_byte();
        let (a, b) = (anchor.min(cur), anchor.max(cur));
        Some((a, self.cluster_end(b)))
    }

    /// The end of the grapheme cluster starting at document byte `at`.
    fn cluster_end(&mut self, at: usize) -> usize {
        use unicode_segmentation::UnicodeSegmentation;
        self.doc.text[at..]
            .graphemes(true)
            .next()
            .map_or(at, |g| at + g.len())
    }

    /// Pending, accepted and rejected counts and the share reviewed. Reviewed text:
    /// the paragraphs up to the furthest one the analyst has reached that hold no
    /// suggestion left to review (all of it once the document is marked done).
    pub fn progress(&mut self) -> Progress {
        // It walks every paragraph: done again only when something it reads changed.
        let key = (
            self.review.ann.revision(),
            self.spans.generation,
            self.reach,
            self.review.done(),
            self.settings.suggest,
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

    pub(super) fn count_progress(&mut self) -> Progress {
        let (stored_pending, accepted, rejected) = self.review.ann.counts();
        let n = self.doc.paragraphs.len();
        let exact = self.doc.text.len() <= COUNT_ALL_BYTES || !self.settings.suggest;
        let mut pending_suggestions = 0;
        let mut reviewed_chars = 0usize;
        for p in 0..n {
            let known = exact || self.spans.has_suggestions(p);
            if !known {
                continue;
            }
            let spans = self.spans_in(p);
            let open = spans
                .iter()
                .filter(|s| s.state == SpanState::Pending)
                .count();
            pending_suggestions += spans
                .iter()
                .filter(|s| s.state == SpanState::Pending && s.id.is_none())
                .count();
            if open == 0 && p <= self.reach {
                reviewed_chars += self.para_chars(p);
            }
        }
        let total = self.char_total().max(1);
        let reviewed = if self.review.done() {
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

    // ---- moving between spans ----

    /// Moves the cursor to the start of the first (or last) shown span after (before)
    /// the cursor in reading order that `want` picks, wrapping around the document.
    fn goto_span(&mut self, forward: bool, want: impl Fn(&ViewSpan) -> bool, what: &str) {
        match self.find_span(forward, want) {
            Some((p, at, wrapped)) => {
                self.put_cursor(p, at);
                if wrapped {
                    self.say(format!(
                        "{what}: went round to the other end of the document"
                    ));
                }
            }
            None => self.say(format!("no {what} in this document")),
        }
    }

    /// The first (or last) shown span after (before) the cursor in reading order that
    /// `want` picks, going round the document: (paragraph, start, went round).
    fn find_span(
        &mut self,
        forward: bool,
        want: impl Fn(&ViewSpan) -> bool,
    ) -> Option<(usize, usize, bool)> {
        self.find_round(forward, |app, p| {
            let spans = app.spans_in(p);
            spans.iter().filter(|s| want(s)).map(|s| s.start).collect()
        })
    }

    /// The first (last) of the positions `starts` gives for each paragraph (document
    /// bytes, in order) after (before) the cursor in reading order, going round the
    /// document once: (paragraph, position, went round).
    fn find_round(
        &mut self,
        forward: bool,
        mut starts: impl FnMut(&mut App, usize) -> Vec<usize>,
    ) -> Option<(usize, usize, bool)> {
        let here = self.cursor_byte();
        let n = self.doc.paragraphs.len();
        let start = self.cursor.para;
        for step in 0..=n {
            let p = if forward {
                (start + step) % n
            } else {
                (start + n - step % n) % n
            };
            let wrapped = step == n || (forward && p < start) || (!forward && p > start);
            let at = starts(self, p);
            // In the cursor's own paragraph, on the first pass, only beyond the cursor.
            let found = if forward {
                at.into_iter().find(|&x| step > 0 || x > here)
            } else {
                at.into_iter().rev().find(|&x| step > 0 || x < here)
            };
            if let Some(x) = found {
                return Some((p, x, wrapped));
            }
        }
        None
    }

    /// After a decision: on to the next suggestion to review, saying so when it went
    /// round the document or when none is left. One key per decision.
    fn advance(&mut self) {
        let done = self.message.take().unwrap_or_default();
        match self.find_span(true, |s| s.state == SpanState::Pending) {
            Some((p, at, wrapped)) => {
                self.put_cursor(p, at);
                self.say(if wrapped {
                    format!("{done} · next: back at the start of the document")
                } else {
                    done
                });
            }
            None => self.say(format!("{done} · nothing left to review")),
        }
    }

    /// Puts the cursor on document byte `at` of paragraph `p`.
    pub(super) fn put_cursor(&mut self, p: usize, at: usize) {
        let base = self.doc.paragraphs[p].range.start;
        self.cursor = Cursor {
            para: p,
            offset: at - base,
        };
        self.desired_col = None;
    }

    // ---- acting on spans ----

    /// Runs a review action.
    pub(super) fn review_action(&mut self, action: Action) {
        match action {
            Action::NextPending => self.goto_span(
                true,
                |s| s.state == SpanState::Pending,
                "suggestion to review",
            ),
            Action::PrevPending => self.goto_span(
                false,
                |s| s.state == SpanState::Pending,
                "suggestion to review",
            ),
            Action::NextSpan => self.goto_span(true, |_| true, "span"),
            Action::PrevSpan => self.goto_span(false, |_| true, "span"),
            Action::Accept => self.settle(None, true),
            Action::Reject => self.settle(None, false),
            Action::AcceptAllLike => self.settle_all_like(true),
            Action::RejectAllLike => self.settle_all_like(false),
            Action::WidenLeft => self.resize(true, true, Step::Word),
            Action::WidenRight => self.resize(false, true, Step::Word),
            Action::ShrinkLeft => self.resize(true, false, Step::Word),
            Action::ShrinkRight => self.resize(false, false, Step::Word),
            Action::WidenLeftChar => self.resize(true, true, Step::Char),
            Action::WidenRightChar => self.resize(false, true, Step::Char),
            Action::ShrinkLeftChar => self.resize(true, false, Step::Char),
            Action::ShrinkRightChar => self.resize(false, false, Step::Char),
            Action::Select => self.toggle_selection(),
            Action::Delete => self.delete(),
            Action::Undo => self.undo_redo(true),
            Action::Redo => self.undo_redo(false),
            Action::ToggleDone => {
                let done = !self.review.done();
                match self.review.set_done(done) {
                    Ok(()) => self.say(if done {
                        "document marked done"
                    } else {
                        "document no longer marked done"
                    }),
                    Err(e) => self.say(e.to_string()),
                }
            }
            Action::Search => {
                self.prompt = Some(String::new());
            }
            Action::SearchNext => self.search(true),
            Action::SearchPrev => self.search(false),
            _ => {}
        }
    }

    fn toggle_selection(&mut self) {
        if self.selection.take().is_some() {
            self.say("selection dropped");
        } else {
            self.selection = Some(self.cursor_byte());
            self.say("selecting: move, then press a label key (Esc drops it)");
        }
    }

    /// Commits an edit through the review; on success the shown spans are rebuilt
    /// (and, when the memory learnt something, the suggestions too).
    fn commit(&mut self, kind: &str, edit: Edit) -> bool {
        let engine = self.engine();
        self.review.view_hint(self.cursor_byte(), self.top.0);
        let before = self.review.memory().decisions();
        let r = self.review.act(&engine, &self.doc.text, kind, edit);
        self.after_change(before);
        match r {
            Ok(()) => true,
            Err(e) => {
                self.say(e.to_string());
                false
            }
        }
    }

    fn after_change(&mut self, decisions_before: u64) {
        if self.review.memory().decisions() != decisions_before {
            self.spans.suggestions_changed();
        } else {
            self.spans.spans_changed();
        }
        self.reach = self.reach.max(self.cursor.para);
    }

    /// Refuses (saying why) a span over `range` that would overlap a suggestion other
    /// than `except`: suggestions are spans to the analyst, and spans do not overlap.
    /// (Stored spans are checked by the review itself.)
    fn refuse_overlap(&mut self, range: (usize, usize), except: Option<&ViewSpan>) -> bool {
        let p = self.para_of(range.0);
        let spans = self.spans_in(p);
        let hit = spans.iter().find(|s| {
            s.id.is_none()
                && s.start < range.1
                && range.0 < s.end
                && except.is_none_or(|e| e.start != s.start || e.end != s.end)
        });
        match hit {
            Some(s) => {
                let r = crate::annotation::Refusal::Overlap {
                    label: self.label_name(s.label),
                    text: self.doc.text[s.start..s.end].to_string(),
                };
                self.refuse(r.to_string());
                true
            }
            None => false,
        }
    }

    /// The span in focus: the one under the cursor.
    fn focused(&mut self) -> Option<ViewSpan> {
        let s = self.span_at_cursor().map(|(_, s)| s);
        if s.is_none() {
            self.say("no span under the cursor (Tab goes to the next suggestion)");
        }
        s
    }

    fn label_name(&self, i: usize) -> String {
        self.labels.labels()[i].name.clone()
    }

    /// The stored form of a shown span (a suggestion gets [`NEW_ID`]).
    fn as_span(&self, v: &ViewSpan) -> Span {
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

    /// The edit that gives a shown span a new state (and label, and range).
    fn change(&self, v: &ViewSpan, f: impl FnOnce(&mut Span)) -> Edit {
        let before = self.as_span(v);
        let mut after = before.clone();
        f(&mut after);
        if before.id == NEW_ID {
            Edit::Insert(after)
        } else {
            Edit::Replace { before, after }
        }
    }

    /// Accepts (with `label` if given) or rejects the span under the cursor.
    fn settle(&mut self, label: Option<usize>, accept: bool) {
        let Some(v) = self.focused() else { return };
        let name = label.map(|l| self.label_name(l));
        let edit = self.change(&v, |s| {
            s.state = if accept {
                State::Accepted
            } else {
                State::Rejected
            };
            if let Some(n) = &name {
                s.label = n.clone();
            }
        });
        let text = self.doc.text[v.start..v.end].to_string();
        let shown = name.unwrap_or_else(|| self.label_name(v.label));
        if self.commit(if accept { "accept" } else { "reject" }, edit) {
            self.say(if accept {
                format!("accepted «{text}» as {shown}")
            } else {
                format!("rejected «{text}» as {shown}")
            });
            self.advance();
        }
    }

    /// Accepts or rejects every pending span with the focused one's text and label,
    /// stored or suggested, in the whole document, as one step.
    fn settle_all_like(&mut self, accept: bool) {
        let Some(v) = self.focused() else { return };
        let text = self.doc.text[v.start..v.end].to_string();
        let mut edits = Vec::new();
        for p in 0..self.doc.paragraphs.len() {
            let range = self.doc.paragraphs[p].range.clone();
            if !self.doc.text[range].contains(&text) {
                continue;
            }
            let spans: Rc<[ViewSpan]> = self.spans_in(p);
            for s in spans.iter().filter(|s| {
                s.state == SpanState::Pending
                    && s.label == v.label
                    && self.doc.text[s.start..s.end] == text
            }) {
                edits.push(self.change(s, |x| {
                    x.state = if accept {
                        State::Accepted
                    } else {
                        State::Rejected
                    }
                }));
            }
        }
        let n = edits.len();
        let kind = if accept {
            "accept_all_like"
        } else {
            "reject_all_like"
        };
        if n == 0 {
            self.say(format!("no suggestion left like «{text}»"));
        } else if self.commit(kind, Edit::Batch(edits)) {
            let verb = if accept { "accepted" } else { "rejected" };
            let label = self.label_name(v.label);
            self.say(format!("{verb} {n} × «{text}» as {label}"));
            self.advance();
        }
    }

    /// Moves the focused span's left or right edge on screen. In right-to-left text
    /// the left edge is where the span ends in reading order.
    fn resize(&mut self, left: bool, grow: bool, step: Step) {
        let Some(v) = self.focused() else { return };
        // The direction the span itself runs in on screen: a Latin name inside Arabic
        // text starts on its left.
        let p = self.cursor.para;
        let lay = self.layout(p);
        let base = self.doc.paragraphs[p].range.start;
        let rtl = lay
            .locate(v.start - base)
            .map_or(lay.rtl, |(l, c)| lay.lines[l].cells[c].level % 2 == 1);
        let end = if left == rtl { End::Stop } else { End::Start };
        let range = match resized(&self.doc.text, v.start, v.end, end, step, grow) {
            Ok(r) => r,
            Err(e) => {
                self.refuse(e.to_string());
                return;
            }
        };
        let para = self.doc.paragraphs[self.cursor.para].range.clone();
        if range.0 < para.start || range.1 > para.end {
            self.refuse("refused: a span cannot cross a paragraph");
            return;
        }
        if self.refuse_overlap(range, Some(&v)) {
            return;
        }
        let edit = self.change(&v, |s| (s.start, s.end) = range);
        if self.commit("resize", edit) {
            // Keep the cursor on the span.
            if !(range.0..range.1).contains(&self.cursor_byte()) {
                self.put_cursor(p, range.0);
            }
            let side = if left { "left" } else { "right" };
            let which = if end == End::Stop { "end" } else { "start" };
            let how = if grow { "widened" } else { "shrunk" };
            let by = if step == Step::Word {
                "a word"
            } else {
                "a character"
            };
            let text = &self.doc.text[range.0..range.1];
            self.say(format!("{which} ({side} edge) {how} by {by}: «{text}»"));
        }
    }

    /// A label key: on a selection, makes it a span; on a span, accepts it with this
    /// label; on a plain word, asks for the key again, then labels the word.
    pub fn label_key(&mut self, label: usize) {
        if self.doc.is_blank() {
            return;
        }
        let name = self.label_name(label);
        if let Some((a, b)) = self.selected_range() {
            self.selection = None;
            let para = self.doc.paragraphs[self.cursor.para].range.clone();
            if a < para.start || b > para.end {
                self.refuse("refused: a span cannot cross a paragraph");
                return;
            }
            self.create(a, b, &name);
            return;
        }
        if self.span_at_cursor().is_some() {
            self.settle(Some(label), true);
            return;
        }
        let here = self.cursor_byte();
        let Some((a, b)) = self.word_at(here) else {
            self.say("no word under the cursor");
            return;
        };
        if self.tap == Some((label, here)) {
            self.tap = None;
            self.create(a, b, &name);
        } else {
            self.tap = Some((label, here));
            let key = self.labels.labels()[label].key;
            let word = self.doc.text[a..b].to_string();
            self.say(format!("press {key} again to label «{word}» as {name}"));
        }
    }

    fn create(&mut self, a: usize, b: usize, label: &str) {
        if self.refuse_overlap((a, b), None) {
            return;
        }
        let edit = self.review.ann.create(a, b, label);
        let text = self.doc.text[a..b].to_string();
        if self.commit("create", edit) {
            self.say(format!("added «{text}» as {label}"));
        }
    }

    /// The word under document byte `at`, without attached proclitics (و ف ب ك ل stay
    /// outside a span, as the guidelines say).
    fn word_at(&self, at: usize) -> Option<(usize, usize)> {
        let p = &self.doc.paragraphs[self.cursor.para];
        let base = p.range.start;
        let text = &self.doc.text[p.range.clone()];
        let toks = DocTokens::new(text);
        let i = toks
            .tokens
            .iter()
            .position(|t| base + t.start <= at && at < base + t.end)?;
        let t = &toks.tokens[i];
        if !text[t.start..t.end].chars().any(char::is_alphanumeric) {
            return None;
        }
        // The longest proclitic reading that leaves a word with the article or a
        // known shape is a guess; take the reading with ال when there is one.
        let skip = toks.stripped[i]
            .iter()
            .filter(|s| s.norm.starts_with("ال"))
            .map(|s| s.skip_bytes)
            .max()
            .unwrap_or(0);
        Some((base + t.start + skip, base + t.end))
    }

    fn delete(&mut self) {
        let Some(v) = self.focused() else { return };
        let text = self.doc.text[v.start..v.end].to_string();
        match v.id {
            // A suggestion is not stored: deleting it is rejecting it, so that it
            // does not come back.
            None => {
                let edit = self.change(&v, |s| s.state = State::Rejected);
                if self.commit("reject", edit) {
                    self.say(format!("suggestion «{text}» rejected"));
                    self.advance();
                }
            }
            Some(id) => match self.review.ann.delete(id) {
                Ok(edit) => {
                    if self.commit("delete", edit) {
                        self.say(format!("deleted «{text}»"));
                    }
                }
                Err(e) => self.say(e.to_string()),
            },
        }
    }

    fn undo_redo(&mut self, undo: bool) {
        let engine = self.engine();
        self.review.view_hint(self.cursor_byte(), self.top.0);
        let before = self.review.memory().decisions();
        let r = if undo {
            self.review.undo(&engine, &self.doc.text)
        } else {
            self.review.redo(&engine, &self.doc.text)
        };
        self.after_change(before);
        match r {
            Ok(edit) => {
                // Show where it happened.
                if let Some(at) = first_start(&edit) {
                    let p = self.para_of(at);
                    self.put_cursor(p, at);
                    self.snap_cursor();
                }
                let n = self.review.ann.undo_depth();
                self.say(if undo {
                    format!("undone ({n} more to undo)")
                } else {
                    "redone".to_string()
                });
            }
            Err(ReviewError::Refused(e)) => self.say(e.to_string()),
            Err(e) => self.say(e.to_string()),
        }
    }

    /// The paragraph holding document byte `at`.
    pub(super) fn para_of(&self, at: usize) -> usize {
        self.doc
            .paragraphs
            .partition_point(|p| p.range.end <= at)
            .min(self.doc.paragraphs.len() - 1)
    }

    // ---- search ----

    /// Typing into the search prompt: a character, Backspace, Enter (search) or Esc.
    pub(super) fn prompt_key(&mut self, key: crossterm::event::KeyEvent) {
        use crossterm::event::{KeyCode, KeyModifiers};
        let Some(q) = self.prompt.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => self.prompt = None,
            KeyCode::Enter => {
                let q = self.prompt.take().unwrap_or_default();
                if !q.trim().is_empty() {
                    self.last_search = Some(q);
                }
                self.search(true);
            }
            KeyCode::Backspace => {
                q.pop();
            }
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.prompt = None
            }
            KeyCode::Char(c) if !c.is_control() => q.push(c),
            _ => {}
        }
    }

    /// The search prompt's text, while it is open.
    pub fn prompt(&self) -> Option<&str> {
        self.prompt.as_deref()
    }

    /// Goes to the next (previous) match of the last search, folded like the matcher
    /// (hamza forms, taa marbuta, harakat, tatweel) and with attached proclitics
    /// allowed on the first word, wrapping around the document.
    fn search(&mut self, forward: bool) {
        let Some(q) = self.last_search.clone() else {
            self.say("no search yet: press / to search");
            return;
        };
        let query: Vec<String> = tokenize(&q)
            .into_iter()
            .map(|t| t.norm.to_string())
            .collect();
        if query.is_empty() {
            return;
        }
        let found = self.find_round(forward, |app, p| {
            let range = app.doc.paragraphs[p].range.clone();
            find_folded(&app.doc.text[range.clone()], &query)
                .into_iter()
                .map(|h| range.start + h.0)
                .collect()
        });
        if let Some((p, at, wrapped)) = found {
            self.put_cursor(p, at);
            self.snap_cursor();
            self.say(if wrapped {
                format!("/{q}: went round to the other end of the document")
            } else {
                format!("/{q}")
            });
            return;
        }
        self.say(format!("/{q}: not found"));
    }
}

/// Byte ranges in `text` where the folded tokens `query` occur, the first one
/// possibly behind proclitics (so الجيش finds والجيش).
pub fn find_folded(text: &str, query: &[String]) -> Vec<(usize, usize)> {
    let toks = DocTokens::new(text);
    let t = &toks.tokens;
    let mut out = Vec::new();
    for i in 0..t.len() {
        if i + query.len() > t.len() {
            break;
        }
        let first = if t[i].norm == query[0] {
            Some(t[i].start)
        } else {
            toks.stripped[i]
                .iter()
                .find(|s| s.norm == query[0])
                .map(|s| t[i].start + s.skip_bytes)
        };
        let Some(start) = first else { continue };
        if query[1..]
            .iter()
            .zip(&t[i + 1..])
            .all(|(q, tok)| tok.norm == *q)
        {
            out.push((start, t[i + query.len() - 1].end));
        }
    }
    out
}

fn first_start(edit: &Edit) -> Option<usize> {
    match edit {
        Edit::Insert(s) | Edit::Remove(s) => Some(s.start),
        Edit::Replace { after, .. } => Some(after.start),
        Edit::Batch(v) => v.iter().filter_map(first_start).min(),
    }
}
