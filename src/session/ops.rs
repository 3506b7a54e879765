//! The review steps: [`Session::apply`] turns an [`Op`] on the span in [`Focus`] into
//! an edit of the stored spans built by `annotation.rs`, hands it to the review (which
//! checks it, commits it to disk, then applies it), and says in an [`Outcome`] what
//! the analyst is told and where the cursor goes. Also moving between spans and the
//! folded search.
//!
//! A suggestion nobody has acted on is not stored; the first action on it stores it
//! with its new state (accepted, rejected, or resized and still pending).

use std::ops::Range;
use std::rc::Rc;

use crate::annotation::{Edit, End, Refusal, State, Step, resized_in};
use crate::logging::{MESSAGE, clip};
use crate::suggest::dict::DocTokens;
use crate::suggest::normalize::tokenize;

use super::Session;
use super::shown::ViewSpan;

/// Where the analyst is when a step is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Focus {
    /// The cursor's paragraph.
    pub para: usize,
    /// The document bytes under the cursor (its cluster, or the clusters of the cell
    /// it is on); `cell.start` is the cursor.
    pub cell: Range<usize>,
    /// The first paragraph shown (kept with each action, so the view comes back).
    pub top: usize,
}

impl Focus {
    /// The cursor as a document byte offset.
    pub fn at(&self) -> usize {
        self.cell.start
    }
}

/// A review step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// To the next (previous) span in reading order, going round the document;
    /// `pending`: only the ones still to review.
    Goto {
        forward: bool,
        pending: bool,
    },
    /// Accept (with `label`, an index in the label set, if given) or reject the span
    /// under the cursor, then go on to the next one to review.
    Settle {
        accept: bool,
        label: Option<usize>,
    },
    /// Accept or reject every pending span with the focused one's text and label,
    /// stored or suggested, in the whole document, as one step.
    SettleAllLike {
        accept: bool,
    },
    /// Moves the focused span's left (right) edge on screen out (`grow`) or in by a
    /// word or a character. `rtl`: the span runs right to left on screen, so its left
    /// edge is where it ends in reading order (the screen's layout knows).
    Resize {
        left: bool,
        grow: bool,
        step: Step,
        rtl: bool,
    },
    /// A new accepted span over `start..end` (document bytes) with label `label`.
    Create {
        start: usize,
        end: usize,
        label: usize,
    },
    /// Label `label` for the word under the cursor (see [`Session::word_at`]): the
    /// span already on it is accepted with that label, else the word becomes a new
    /// accepted span, without the proclitics the guidelines keep outside.
    LabelWord {
        label: usize,
    },
    /// Accepts, as one step, every suggestion from the one under the cursor (or the
    /// first after it) to the end of its paragraph, then goes on to the next.
    AcceptRest,
    /// Deletes the span under the cursor (a suggestion is rejected, so that it does
    /// not come back); the cursor stays where it is.
    Delete,
    Undo,
    Redo,
    /// Marks the document done, or no longer done.
    ToggleDone,
    /// Goes to the next (previous) match of `query`, remembered as the last search,
    /// or of the last search when `None`.
    Search {
        query: Option<String>,
        forward: bool,
    },
}

/// What a step left for the analyst.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// What the status line says.
    pub message: Option<String>,
    /// Where the cursor goes (a document byte offset), when the step moved it.
    pub cursor: Option<usize>,
}

impl Outcome {
    pub(super) fn say(m: impl Into<String>) -> Outcome {
        let m = m.into();
        tracing::debug!("status: {}", clip(&m, MESSAGE));
        Outcome {
            message: Some(m),
            cursor: None,
        }
    }

    /// Why a step was refused before it reached the review (which logs its own
    /// refusals), logged.
    pub(super) fn refuse(m: impl Into<String>) -> Outcome {
        let m = m.into();
        tracing::info!("{}", clip(&m, MESSAGE));
        Outcome {
            message: Some(m),
            cursor: None,
        }
    }

    fn at(mut self, cursor: usize) -> Outcome {
        self.cursor = Some(cursor);
        self
    }
}

impl Session {
    /// Does one review step on what `focus` points at.
    pub fn apply(&mut self, focus: &Focus, op: Op) -> Outcome {
        if self.doc.is_blank() {
            return Outcome::default();
        }
        match op {
            Op::Goto { forward, pending } => {
                let what = if pending {
                    "suggestion to review"
                } else {
                    "span"
                };
                self.goto_span(focus, forward, what, |s| {
                    !pending || s.state == State::Pending
                })
            }
            Op::Settle { accept, label } => self.settle(focus, accept, label),
            Op::SettleAllLike { accept } => self.settle_all_like(focus, accept),
            Op::Resize {
                left,
                grow,
                step,
                rtl,
            } => self.resize(focus, left, grow, step, rtl),
            Op::Create { start, end, label } => self.create(focus, start, end, label),
            Op::LabelWord { label } => self.label_word(focus, label),
            Op::AcceptRest => self.accept_rest(focus),
            Op::Delete => self.delete(focus),
            Op::Undo => self.undo_redo(focus, true),
            Op::Redo => self.undo_redo(focus, false),
            Op::ToggleDone => {
                let done = !self.review.done();
                match self.review.set_done(done) {
                    Ok(()) => Outcome::say(if done {
                        "document marked done"
                    } else {
                        "document no longer marked done"
                    }),
                    Err(e) => Outcome::say(e.to_string()),
                }
            }
            Op::Search { query, forward } => {
                if let Some(q) = query.filter(|q| !q.trim().is_empty()) {
                    self.last_search = Some(q);
                }
                self.search(focus, forward)
            }
        }
    }

    /// What to ask before marking the document done while suggestions are left to
    /// review (`None`: nothing to ask, or it is already done and `D` takes that back).
    pub fn done_question(&mut self) -> Option<String> {
        if self.review.done() {
            return None;
        }
        let p = self.progress();
        // Short enough for a 40-column status line.
        let more = if p.exact { "" } else { "+" };
        match p.pending {
            0 => None,
            1 => Some(format!("mark done? 1{more} suggestion left (y/n)")),
            n => Some(format!("mark done? {n}{more} suggestions left (y/n)")),
        }
    }

    /// The span shown under the cursor.
    pub fn focused(&mut self, focus: &Focus) -> Option<ViewSpan> {
        self.span_covering(focus.para, focus.cell.clone())
    }

    /// The focused span, or the message that there is none.
    fn focused_or_say(&mut self, focus: &Focus) -> Result<ViewSpan, Outcome> {
        self.focused(focus).ok_or_else(|| {
            Outcome::say("no span under the cursor (Tab goes to the next suggestion)")
        })
    }

    // ---- moving between spans ----

    /// The cursor to the start of the first (or last) shown span after (before) it in
    /// reading order that `want` picks, going round the document.
    fn goto_span(
        &mut self,
        focus: &Focus,
        forward: bool,
        what: &str,
        want: impl Fn(&ViewSpan) -> bool,
    ) -> Outcome {
        match self.find_span(focus, forward, want) {
            Some((at, wrapped)) => {
                let out = if wrapped {
                    Outcome::say(format!(
                        "{what}: went round to the other end of the document"
                    ))
                } else {
                    Outcome::default()
                };
                out.at(at)
            }
            None => Outcome::say(format!("no {what} in this document")),
        }
    }

    /// The start of the first (or last) shown span after (before) the cursor in
    /// reading order that `want` picks, going round the document: (start, went round).
    fn find_span(
        &mut self,
        focus: &Focus,
        forward: bool,
        want: impl Fn(&ViewSpan) -> bool,
    ) -> Option<(usize, bool)> {
        self.find_round(focus, forward, |s, p| {
            let spans = s.spans_in(p);
            spans.iter().filter(|s| want(s)).map(|s| s.start).collect()
        })
    }

    /// The first (last) of the positions `starts` gives for each paragraph (document
    /// bytes, in order) after (before) the cursor in reading order, going round the
    /// document once: (position, went round).
    fn find_round(
        &mut self,
        focus: &Focus,
        forward: bool,
        mut starts: impl FnMut(&mut Session, usize) -> Vec<usize>,
    ) -> Option<(usize, bool)> {
        let here = focus.at();
        let n = self.doc.paragraphs.len();
        let start = focus.para;
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
                return Some((x, wrapped));
            }
        }
        None
    }

    /// After a decision: on to the next suggestion to review, saying so when it went
    /// round the document or when none is left. One key per decision.
    fn advance(&mut self, focus: &Focus, done: String) -> Outcome {
        match self.find_span(focus, true, |s| s.state == State::Pending) {
            Some((at, wrapped)) => Outcome::say(if wrapped {
                format!("{done} · next: back at the start of the document")
            } else {
                done
            })
            .at(at),
            None => Outcome::say(format!("{done} · nothing left to review")),
        }
    }

    // ---- acting on spans ----

    /// Commits an edit through the review; on success the shown spans are rebuilt
    /// (and, when the memory learnt something, the suggestions too).
    fn commit(&mut self, focus: &Focus, kind: &str, edit: Edit) -> Result<(), Outcome> {
        let engine = self.engine();
        self.review.view_hint(focus.at(), focus.top);
        let before = self.review.memory().decisions();
        let r = self.review.act(&engine, &self.doc.text, kind, edit);
        self.after_change(before, focus.para);
        r.map_err(|e| Outcome::say(e.to_string()))
    }

    fn after_change(&mut self, decisions_before: u64, para: usize) {
        if self.review.memory().decisions() != decisions_before {
            self.spans.suggestions_changed();
        } else {
            self.spans.spans_changed();
        }
        self.reached(para);
    }

    /// Refuses (saying why) a span over `range` that would overlap a suggestion other
    /// than `except`: suggestions are spans to the analyst, and spans do not overlap.
    /// (Stored spans are checked by the review itself.)
    fn refuse_overlap(
        &mut self,
        range: (usize, usize),
        except: Option<&ViewSpan>,
    ) -> Result<(), Outcome> {
        let p = self.para_of(range.0);
        let spans = self.spans_in(p);
        let hit = spans.iter().find(|s| {
            s.id.is_none()
                && s.start < range.1
                && range.0 < s.end
                && except.is_none_or(|e| e.start != s.start || e.end != s.end)
        });
        match hit {
            Some(s) => Err(Outcome::refuse(
                Refusal::Overlap {
                    label: self.label_name(s.label),
                    text: self.doc.text[s.start..s.end].to_string(),
                }
                .to_string(),
            )),
            None => Ok(()),
        }
    }

    fn settle(&mut self, focus: &Focus, accept: bool, label: Option<usize>) -> Outcome {
        match self.focused_or_say(focus) {
            Ok(v) => self.settle_span(focus, &v, accept, label),
            Err(out) => out,
        }
    }

    /// Accepts (with `label`, if given) or rejects the shown span `v`, then goes on.
    fn settle_span(
        &mut self,
        focus: &Focus,
        v: &ViewSpan,
        accept: bool,
        label: Option<usize>,
    ) -> Outcome {
        let name = label.map(|l| self.label_name(l));
        let edit = Edit::settle(self.as_span(v), accept, name.as_deref());
        let text = self.doc.text[v.start..v.end].to_string();
        let shown = name.unwrap_or_else(|| self.label_name(v.label));
        let others = (!accept).then(|| self.others_like(v));
        if let Err(out) = self.commit(focus, if accept { "accept" } else { "reject" }, edit) {
            return out;
        }
        let verb = if accept { "accepted" } else { "rejected" };
        let more = others.map_or(String::new(), |n| self.withdrawn_note(v, n));
        self.advance(focus, format!("{verb} «{text}» as {shown}{more}"))
    }

    fn settle_all_like(&mut self, focus: &Focus, accept: bool) -> Outcome {
        let v = match self.focused_or_say(focus) {
            Ok(v) => v,
            Err(out) => return out,
        };
        let text = self.doc.text[v.start..v.end].to_string();
        let mut edits = Vec::new();
        for p in 0..self.doc.paragraphs.len() {
            let range = self.doc.paragraphs[p].range.clone();
            if !self.doc.text[range].contains(&text) {
                continue;
            }
            let spans: Rc<[ViewSpan]> = self.spans_in(p);
            for s in spans.iter().filter(|s| {
                s.state == State::Pending
                    && s.label == v.label
                    && self.doc.text[s.start..s.end] == text
            }) {
                edits.push(Edit::settle(self.as_span(s), accept, None));
            }
        }
        let n = edits.len();
        if n == 0 {
            return Outcome::say(format!("no suggestion left like «{text}»"));
        }
        let kind = if accept {
            "accept_all_like"
        } else {
            "reject_all_like"
        };
        if let Err(out) = self.commit(focus, kind, Edit::Batch(edits)) {
            return out;
        }
        let verb = if accept { "accepted" } else { "rejected" };
        let label = self.label_name(v.label);
        let more = if accept {
            String::new()
        } else {
            self.withdrawn_note(&v, 0)
        };
        self.advance(focus, format!("{verb} {n} × «{text}» as {label}{more}"))
    }

    fn accept_rest(&mut self, focus: &Focus) -> Outcome {
        let from = self.focused(focus).map_or(focus.at(), |v| v.start);
        let spans = self.spans_in(focus.para);
        let edits: Vec<Edit> = spans
            .iter()
            .filter(|s| s.state == State::Pending && s.start >= from)
            .map(|s| Edit::settle(self.as_span(s), true, None))
            .collect();
        let done = match edits.as_slice() {
            [] => return Outcome::say("no suggestion left in the rest of this paragraph"),
            [Edit::Insert(s) | Edit::Replace { after: s, .. }] => {
                format!(
                    "accepted «{}» as {}",
                    &self.doc.text[s.start..s.end],
                    s.label
                )
            }
            _ => format!(
                "accepted {} suggestions to the end of the paragraph",
                edits.len()
            ),
        };
        if let Err(out) = self.commit(focus, "accept_rest", Edit::Batch(edits)) {
            return out;
        }
        self.advance(focus, done)
    }

    /// Where the start of a span may stop inside a word near document byte `at` of
    /// paragraph `para`: after a proclitic, where a name starts as labelling the word
    /// would take it (و|داعش).
    fn name_splits(&mut self, para: usize, at: usize) -> Vec<usize> {
        const NEAR: usize = 256;
        let range = self.doc.paragraphs[para].range.clone();
        let text = &self.doc.text;
        let mut lo = text.floor_char_boundary(at.saturating_sub(NEAR).max(range.start));
        let mut hi = text.ceil_char_boundary(at.saturating_add(NEAR).min(range.end));
        // Whole words only.
        if lo > range.start {
            lo = text[lo..at]
                .find(char::is_whitespace)
                .map_or(at, |i| lo + i);
        }
        if hi < range.end {
            hi = text[at..hi]
                .rfind(char::is_whitespace)
                .map_or(at, |i| at + i);
        }
        let engine = self.engine();
        let toks = DocTokens::new(&self.doc.text[lo..hi]);
        let memory = Some(self.review.memory());
        (0..toks.tokens.len())
            .filter(|&i| !toks.stripped[i].is_empty())
            .map(|i| {
                (
                    toks.tokens[i].start,
                    engine.name_start_in_word(&toks, i, memory),
                )
            })
            .filter(|(word, name)| name > word)
            .map(|(_, name)| lo + name)
            .collect()
    }

    fn resize(&mut self, focus: &Focus, left: bool, grow: bool, step: Step, rtl: bool) -> Outcome {
        let v = match self.focused_or_say(focus) {
            Ok(v) => v,
            Err(out) => return out,
        };
        let end = if left == rtl { End::Stop } else { End::Start };
        let para = self.doc.paragraphs[focus.para].range.clone();
        let splits = if end == End::Start && step == Step::Word {
            self.name_splits(focus.para, v.start)
        } else {
            Vec::new()
        };
        let range = match resized_in(
            &self.doc.text,
            (v.start, v.end),
            end,
            step,
            grow,
            para,
            &splits,
        ) {
            Ok(r) => r,
            Err(e) => return Outcome::refuse(e.to_string()),
        };
        if let Err(out) = self.refuse_overlap(range, Some(&v)) {
            return out;
        }
        let edit = Edit::change(self.as_span(&v), |s| (s.start, s.end) = range);
        if let Err(out) = self.commit(focus, "resize", edit) {
            return out;
        }
        let side = if left { "left" } else { "right" };
        let which = if end == End::Stop { "end" } else { "start" };
        let how = if grow { "widened" } else { "shrunk" };
        // Exactly what came in or went out.
        let (a, b) = match (end, grow) {
            (End::Stop, true) => (v.end, range.1),
            (End::Stop, false) => (range.1, v.end),
            (End::Start, true) => (range.0, v.start),
            (End::Start, false) => (v.start, range.0),
        };
        let by = match self.doc.text[a..b].trim() {
            "" => "a space".to_string(),
            t => format!("«{t}»"),
        };
        let text = &self.doc.text[range.0..range.1];
        let out = Outcome::say(format!("{which} ({side} edge) {how} by {by}: «{text}»"));
        // Keep the cursor on the span.
        if (range.0..range.1).contains(&focus.at()) {
            out
        } else {
            out.at(range.0)
        }
    }

    fn create(&mut self, focus: &Focus, a: usize, b: usize, label: usize) -> Outcome {
        let para = self.doc.paragraphs[focus.para].range.clone();
        if a < para.start || b > para.end {
            return Outcome::refuse("refused: a span cannot cross a paragraph");
        }
        if let Err(out) = self.refuse_overlap((a, b), None) {
            return out;
        }
        let name = self.label_name(label);
        let edit = self.review.ann.create(a, b, &name);
        let text = self.doc.text[a..b].to_string();
        match self.commit(focus, "create", edit) {
            Ok(()) => Outcome::say(format!("added «{text}» as {name}")),
            Err(out) => out,
        }
    }

    /// What a label key pressed twice at document byte `at` of paragraph `para` labels:
    /// the word there without the proclitics the guidelines keep outside a span when
    /// the rest is a name (و ف ب ك ل: و|الجيش، و|حمص, but وليد whole; see
    /// `Engine::name_start_in_word`), or the span already on it after its proclitic
    /// (a suggestion of حمص in وحمص, or دير الزور in ودير الزور).
    pub fn word_at(&mut self, para: usize, at: usize) -> Option<(usize, usize)> {
        let (word, start) = self.word_and_name(para, at)?;
        let spans = self.spans_in(para);
        let on = spans
            .iter()
            .find(|s| s.start < word.1 && start < s.end && s.start >= word.0);
        Some(on.map_or((start, word.1), |s| (s.start, s.end)))
    }

    /// The name in the word at document byte `at` of paragraph `para`: from where it
    /// starts after the proclitics the guidelines keep outside (as [`Session::word_at`]
    /// reads them) to the word's end; what a selection snaps to.
    pub fn name_at(&mut self, para: usize, at: usize) -> Option<(usize, usize)> {
        self.word_and_name(para, at).map(|(w, start)| (start, w.1))
    }

    /// The word (a token with a letter or digit) at `at`, and where its name starts.
    fn word_and_name(&mut self, para: usize, at: usize) -> Option<((usize, usize), usize)> {
        let p = self.doc.paragraphs[para].range.clone();
        let base = p.start;
        let engine = self.engine();
        let text = &self.doc.text[p];
        let toks = DocTokens::new(text);
        let i = toks
            .tokens
            .iter()
            .position(|t| base + t.start <= at && at < base + t.end)?;
        let t = &toks.tokens[i];
        if !text[t.start..t.end].chars().any(char::is_alphanumeric) {
            return None;
        }
        let memory = Some(self.review.memory());
        let start = engine.name_start_in_word(&toks, i, memory);
        Some(((base + t.start, base + t.end), base + start))
    }

    fn label_word(&mut self, focus: &Focus, label: usize) -> Outcome {
        let Some((start, end)) = self.word_at(focus.para, focus.at()) else {
            return Outcome::say("no word under the cursor");
        };
        let spans = self.spans_in(focus.para);
        match spans.iter().find(|s| (s.start, s.end) == (start, end)) {
            Some(v) => {
                let v = v.clone();
                self.settle_span(focus, &v, true, Some(label))
            }
            None => self.create(focus, start, end, label),
        }
    }

    fn delete(&mut self, focus: &Focus) -> Outcome {
        let v = match self.focused_or_say(focus) {
            Ok(v) => v,
            Err(out) => return out,
        };
        let text = self.doc.text[v.start..v.end].to_string();
        match v.id {
            // A suggestion is not stored: deleting it is rejecting it, so that it
            // does not come back.
            None => {
                let edit = Edit::settle(self.as_span(&v), false, None);
                let others = self.others_like(&v);
                match self.commit(focus, "reject", edit) {
                    Ok(()) => {
                        let more = self.withdrawn_note(&v, others);
                        Outcome::say(format!("suggestion «{text}» rejected{more}"))
                    }
                    Err(out) => out,
                }
            }
            Some(id) => match self.review.ann.delete(id) {
                Ok(edit) => match self.commit(focus, "delete", edit) {
                    Ok(()) => Outcome::say(format!("deleted «{text}»")),
                    Err(out) => out,
                },
                Err(e) => Outcome::say(e.to_string()),
            },
        }
    }

    fn undo_redo(&mut self, focus: &Focus, undo: bool) -> Outcome {
        let engine = self.engine();
        self.review.view_hint(focus.at(), focus.top);
        let before = self.review.memory().decisions();
        let memory_note = self.memory_step_note(undo);
        let r = if undo {
            self.review.undo(&engine, &self.doc.text)
        } else {
            self.review.redo(&engine, &self.doc.text)
        };
        self.after_change(before, focus.para);
        match r {
            Ok(edit) => {
                let n = self.review.ann.undo_depth();
                // Undo returns the inverse of the step it took back; a forget's edit
                // is empty, and its note says what it did to the memory.
                let what = match memory_note {
                    Some(m) => m,
                    None if undo => edit.inverse().what(&self.doc.text),
                    None => edit.what(&self.doc.text),
                };
                let out = Outcome::say(if undo {
                    format!("undid: {what} ({n} more to undo)")
                } else {
                    format!("redid: {what}")
                });
                // Show where it happened.
                match first_start(&edit) {
                    Some(at) => out.at(at),
                    None => out,
                }
            }
            Err(e) => Outcome::say(e.to_string()),
        }
    }

    // ---- search ----

    /// Goes to the next (previous) match of the last search, folded like the matcher
    /// (hamza forms, taa marbuta, harakat, tatweel) and with attached proclitics
    /// allowed on the first word, going round the document.
    fn search(&mut self, focus: &Focus, forward: bool) -> Outcome {
        let Some(q) = self.last_search.clone() else {
            return Outcome::say("no search yet: press / to search");
        };
        let query: Vec<String> = tokenize(&q)
            .into_iter()
            .map(|t| t.norm.to_string())
            .collect();
        if query.is_empty() {
            return Outcome::default();
        }
        let found = self.find_round(focus, forward, |s, p| {
            let range = s.doc.paragraphs[p].range.clone();
            find_folded(&s.doc.text[range.clone()], &query)
                .into_iter()
                .map(|h| range.start + h.0)
                .collect()
        });
        match found {
            Some((at, wrapped)) => Outcome::say(if wrapped {
                format!("/{q}: went round to the other end of the document")
            } else {
                format!("/{q}")
            })
            .at(at),
            None => Outcome::say(format!("/{q}: not found")),
        }
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
