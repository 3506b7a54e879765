//! The review keys, as the viewer passes them to the session: where the cursor is (a
//! [`Focus`]), which [`Op`] an action is, and what the outcome does to the screen
//! (the message, the cursor). What a step does to the spans is the session's
//! (`crate::session`); here are only what needs the screen: the selection, the label
//! key pressed twice on a plain word, the search prompt, and which way a span runs on
//! screen.
//!
//! Owns: key semantics of the review. Must not: change spans except through
//! `Session::apply`.

use crate::annotation::Step;
use crate::logging::{MESSAGE, clip};
use crate::session::{Focus, Op, Progress, ViewSpan, span_covering};

use super::action::Action;
use super::app::{App, Cursor};

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

    /// The selection's anchor (document byte offset), when one is being made.
    pub fn selection(&self) -> Option<usize> {
        self.selection
    }

    /// The selected byte range, as a label key would make it a span: anchor to
    /// cursor, both clusters included, snapped out to whole words (see
    /// [`App::snap_selection`]). Kept up to date after every action.
    pub(super) fn selected_range(&self) -> Option<(usize, usize)> {
        self.selected.filter(|_| self.selection.is_some())
    }

    /// Works out the selected range after a key: from the anchor's word to the
    /// cursor's, each word from where its name starts (و|الجيش: the proclitic stays
    /// outside, as the guidelines say) to its end, white space at the ends left out;
    /// exactly the clusters chosen when it was started with Alt (`select_clusters`).
    pub(super) fn snap_selection(&mut self) {
        use unicode_segmentation::UnicodeSegmentation;
        self.selected = None;
        let Some(anchor) = self.selection else {
            return;
        };
        let cur = self.cursor_byte();
        let (a, b) = (anchor.min(cur), anchor.max(cur));
        let text = &self.session.document().text;
        let end = text[b..].graphemes(true).next().map_or(b, |g| b + g.len());
        if self.by_clusters {
            self.selected = Some((a, end));
            return;
        }
        let (pa, pb) = (self.session.para_of(a), self.session.para_of(b));
        let mut start = self.session.name_at(pa, a).map_or(a, |(s, _)| s);
        let mut end = self.session.name_at(pb, b).map_or(end, |(_, e)| e.max(end));
        let text = &self.session.document().text;
        while let Some(c) = text[start..end]
            .chars()
            .next()
            .filter(|c| c.is_whitespace())
        {
            start += c.len_utf8();
        }
        while let Some(c) = text[start..end]
            .chars()
            .next_back()
            .filter(|c| c.is_whitespace())
        {
            end -= c.len_utf8();
        }
        self.selected = Some(if start < end {
            (start, end)
        } else {
            (a, b.max(a + 1))
        });
    }

    /// Pending, accepted and rejected counts and the share reviewed.
    pub fn progress(&mut self) -> Progress {
        self.session.progress()
    }

    /// Where the cursor is, for the session: its paragraph, the document bytes of
    /// the cell it is on, the first paragraph shown.
    pub(super) fn focus(&mut self) -> Focus {
        let p = self.cursor.para;
        let (line, c) = self.cursor_cell();
        let cell = self.layout(p).lines[line].cells[c].logical();
        let base = self.session.document().paragraphs[p].range.start;
        Focus {
            para: p,
            cell: base + cell.start..base + cell.end,
            top: self.top.0,
        }
    }

    /// The span under the cursor: its index in `spans_in(cursor paragraph)` and it.
    pub fn span_at_cursor(&mut self) -> Option<(usize, ViewSpan)> {
        if self.session.document().is_blank() {
            return None;
        }
        let f = self.focus();
        let spans = self.session.spans_in(f.para);
        span_covering(&spans, f.cell).map(|(i, s)| (i, s.clone()))
    }

    /// Whether a suggestion still to review starts right under the cursor.
    pub(super) fn pending_under_cursor(&mut self) -> bool {
        let at = self.cursor_byte();
        self.span_at_cursor()
            .is_some_and(|(_, s)| s.state == crate::annotation::State::Pending && s.start == at)
    }

    /// Runs a review step where the cursor is; the outcome's message goes to the
    /// status line, and the cursor where the step put it.
    pub(super) fn run(&mut self, op: Op) {
        let f = self.focus();
        self.run_at(&f, op);
    }

    fn run_at(&mut self, f: &crate::session::Focus, op: Op) {
        let out = self.session.apply(f, op);
        if out.message.is_some() {
            self.message = out.message;
        }
        if let Some(at) = out.cursor {
            self.put_cursor(self.session.para_of(at), at);
            self.snap_cursor();
        }
    }

    /// Puts the cursor on document byte `at` of paragraph `p`.
    pub(super) fn put_cursor(&mut self, p: usize, at: usize) {
        let base = self.session.document().paragraphs[p].range.start;
        self.cursor = Cursor {
            para: p,
            offset: at - base,
        };
        self.desired_col = None;
    }

    /// Runs a review action.
    pub(super) fn review_action(&mut self, action: Action) {
        let goto = |forward, pending| Op::Goto { forward, pending };
        let settle = |accept| Op::Settle {
            accept,
            label: None,
        };
        match action {
            Action::NextPending => self.run(goto(true, true)),
            Action::PrevPending => self.run(goto(false, true)),
            Action::NextSpan => self.run(goto(true, false)),
            Action::PrevSpan => self.run(goto(false, false)),
            Action::Accept => self.run(settle(true)),
            Action::Reject => self.run(settle(false)),
            Action::AcceptAllLike => self.run(Op::SettleAllLike { accept: true }),
            Action::AcceptRest => self.run(Op::AcceptRest),
            Action::RejectAllLike => self.run(Op::SettleAllLike { accept: false }),
            Action::WidenLeft => self.resize(true, true, Step::Word),
            Action::WidenRight => self.resize(false, true, Step::Word),
            Action::ShrinkLeft => self.resize(true, false, Step::Word),
            Action::ShrinkRight => self.resize(false, false, Step::Word),
            Action::WidenLeftChar => self.resize(true, true, Step::Chars(1)),
            Action::WidenRightChar => self.resize(false, true, Step::Chars(1)),
            Action::ShrinkLeftChar => self.resize(true, false, Step::Chars(1)),
            Action::ShrinkRightChar => self.resize(false, false, Step::Chars(1)),
            Action::Select => self.toggle_selection(false),
            Action::SelectClusters => self.toggle_selection(true),
            Action::Delete => self.run(Op::Delete),
            Action::Undo => self.run(Op::Undo),
            Action::Redo => self.run(Op::Redo),
            Action::ToggleDone => match self.session.done_question() {
                // Asked on the status line; the next key answers (see `confirm_key`).
                Some(q) => {
                    self.confirm_done = true;
                    self.say(q);
                }
                None => self.run(Op::ToggleDone),
            },
            Action::Search => self.prompt = Some(String::new()),
            Action::SearchNext => self.run(Op::Search {
                query: None,
                forward: true,
            }),
            Action::SearchPrev => self.run(Op::Search {
                query: None,
                forward: false,
            }),
            _ => {}
        }
    }

    fn toggle_selection(&mut self, by_clusters: bool) {
        if self.selection.take().is_some() {
            self.say("selection dropped");
        } else {
            self.selection = Some(self.cursor_byte());
            self.by_clusters = by_clusters;
            self.say(if by_clusters {
                "selecting characters: move, then press a label key (Esc drops it)"
            } else {
                "selecting words: move (e: to a word's end), then press a label key (Esc drops it)"
            });
        }
    }

    /// The answer to "mark the document done anyway? (y/n)": `y` marks it; any other
    /// key (Esc, n) leaves it as it is and is not acted on otherwise.
    pub(super) fn confirm_key(&mut self, key: crossterm::event::KeyEvent) {
        use crossterm::event::KeyCode;
        self.confirm_done = false;
        if matches!(key.code, KeyCode::Char('y' | 'Y')) {
            self.run(Op::ToggleDone);
        } else {
            self.say("not marked done");
        }
    }

    /// Moves the focused span's left or right edge on screen: which end of it that is
    /// depends on the direction the span itself runs in on screen (a Latin name
    /// inside Arabic text starts on its left).
    /// A span runs the way its lowest bidi level says (اللواء 137 and 3 كلم right to
    /// left, a Latin name inside Arabic left to right). A character step goes by
    /// cluster in visual order, and crosses a number or Latin word at the span's edge
    /// whole where one cluster would cut the highlight in two (see
    /// `ParagraphLayout::edge_step`).
    fn resize(&mut self, left: bool, grow: bool, step: Step) {
        let f = self.focus();
        let (step, rtl) = match self.session.focused(&f) {
            Some(v) => {
                let lay = self.layout(f.para);
                let base = self.session.document().paragraphs[f.para].range.start;
                let range = v.start - base..v.end - base;
                let rtl = lay.span_rtl(range.clone());
                match step {
                    Step::Chars(_) => match lay.edge_step(range, left, grow) {
                        // `rtl` says which end is on the left: here, the one that moves.
                        Some((moves_end, n)) => (Step::Chars(n), left == moves_end),
                        None => (step, rtl),
                    },
                    Step::Word => (step, rtl),
                }
            }
            None => (step, false),
        };
        self.run_at(
            &f,
            Op::Resize {
                left,
                grow,
                step,
                rtl,
            },
        );
    }

    /// A label key: on a selection, makes it a span; on a span, accepts it with this
    /// label; on a plain word, asks for the key again, then labels the word.
    pub fn label_key(&mut self, label: usize) {
        if self.session.document().is_blank() {
            return;
        }
        self.snap_selection();
        if let Some((start, end)) = self.selected_range() {
            self.selection = None;
            self.run(Op::Create { start, end, label });
            return;
        }
        if self.span_at_cursor().is_some() {
            self.run(Op::Settle {
                accept: true,
                label: Some(label),
            });
            return;
        }
        let here = self.cursor_byte();
        let Some((start, end)) = self.session.word_at(self.cursor.para, here) else {
            self.say("no word under the cursor");
            return;
        };
        if self.tap == Some((label, here)) {
            self.tap = None;
            self.run(Op::LabelWord { label });
        } else {
            self.tap = Some((label, here));
            let l = &self.session.labels().labels()[label];
            let m = format!(
                "press {} again to label «{}» as {}",
                l.key,
                &self.session.document().text[start..end],
                l.name
            );
            self.say(m);
        }
    }

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
                self.run(Op::Search {
                    query: Some(q),
                    forward: true,
                });
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
}
