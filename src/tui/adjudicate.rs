//! The adjudication view: the review's viewer on the gold layer, with a
//! [`Curation`] beside its session. `Tab` and `Shift-Tab` go to the next and
//! previous open disagreement, `t` then a variant's letter takes it (`t x` rejects
//! every variant), `D` asks while disagreements are left, `u` and `Ctrl-r` say what a
//! settle undone was; every other key is the review's, on gold's spans. The title
//! counts the disagreements left, the status line names the variants of the one
//! under the cursor, and the open ones are underlined in their first reading's
//! colour (on a grey ground under the cursor), as a suggestion is in review.
//!
//! Owns: the adapter from those keys to the curation's steps. Must not: decide what
//! a step does (`crate::session::curation` does).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::style::{Color, Style};

use crate::annotation::State;
use crate::session::Outcome;
use crate::session::curation::{Curation, VARIANT_KEYS, key_of};

use super::action::Action;
use super::app::App;
use super::legend::{current_span_style, span_style, terminal_colour};

/// The curation under the view, and the disagreement `t` asks a letter for.
pub struct CurationView {
    pub(super) core: Curation,
    pub(super) taking: Option<usize>,
}

/// A stretch of an open disagreement on screen: bytes, colour, under the cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenMark {
    pub start: usize,
    pub end: usize,
    pub colour: Color,
    pub current: bool,
}

impl ScreenMark {
    /// How its cells look: as a suggestion of its colour, the current one on grey.
    pub fn style(&self) -> Style {
        if self.current {
            current_span_style(self.colour, State::Pending)
        } else {
            span_style(self.colour, State::Pending)
        }
    }
}

/// The mark that shares a byte with `range`, if any (`marks` sorted, apart).
pub fn mark_at(marks: &[ScreenMark], range: std::ops::Range<usize>) -> Option<&ScreenMark> {
    let i = marks.partition_point(|m| m.end <= range.start);
    marks
        .get(i)
        .filter(|m| m.start < range.end && range.start < range.end)
}

impl App {
    /// Makes this viewer an adjudication view of `curation` (the session's review
    /// must be the gold layer it was opened with), the cursor on the first open
    /// disagreement.
    pub fn set_curation(&mut self, curation: Curation) {
        self.curation = Some(CurationView {
            core: curation,
            taking: None,
        });
        if !self.session.document().is_blank() {
            let at = self.cursor_byte();
            if self
                .curation
                .as_ref()
                .and_then(|c| c.core.under(at))
                .is_none()
            {
                let f = self.focus();
                if let Some(view) = self.curation.as_mut() {
                    let out = view.core.goto(&mut self.session, &f, true);
                    self.show_outcome(Outcome {
                        message: None,
                        cursor: out.cursor,
                    });
                }
            }
        }
        self.ensure_visible();
    }

    /// The curation, when this is an adjudication view.
    pub fn curation(&self) -> Option<&Curation> {
        self.curation.as_ref().map(|c| &c.core)
    }

    /// `t` is waiting for a variant's letter.
    pub fn taking(&self) -> bool {
        self.curation.as_ref().is_some_and(|c| c.taking.is_some())
    }

    fn show_outcome(&mut self, out: Outcome) {
        if out.message.is_some() {
            self.message = out.message;
        }
        if let Some(at) = out.cursor {
            self.put_cursor(self.session.para_of(at), at);
            self.snap_cursor();
        }
    }

    /// The keys that act otherwise in an adjudication view; false when `action` is
    /// not one of them (or this is no adjudication view), for the review to do it.
    pub(super) fn curation_action(&mut self, action: Action) -> bool {
        if self.curation.is_none() {
            if action == Action::TakeVariant {
                self.say("t takes an annotator's variant in raqim adjudicate");
                return true;
            }
            return false;
        }
        if self.session.document().is_blank()
            || !matches!(
                action,
                Action::NextPending
                    | Action::PrevPending
                    | Action::Undo
                    | Action::Redo
                    | Action::ToggleDone
                    | Action::TakeVariant
            )
        {
            return false;
        }
        let f = self.focus();
        let Some(view) = self.curation.as_mut() else {
            return false;
        };
        let out = match action {
            Action::NextPending | Action::PrevPending => {
                view.core
                    .goto(&mut self.session, &f, action == Action::NextPending)
            }
            Action::Undo | Action::Redo => {
                view.core
                    .undo_redo(&mut self.session, &f, action == Action::Undo)
            }
            Action::ToggleDone => match view.core.done_question(&self.session) {
                Some(q) => {
                    self.confirm_done = true;
                    self.say(q);
                    return true;
                }
                None => self.session.apply(&f, crate::session::Op::ToggleDone),
            },
            _ => match view.core.under(f.at()) {
                Some(d) => {
                    view.taking = Some(d);
                    let n = view.core.merge().disagreements[d].variants.len();
                    let keys: Vec<String> = (0..n).map(|v| key_of(v).to_string()).collect();
                    Outcome {
                        message: Some(format!(
                            "take which? {} · x rejects every one · Esc nothing",
                            keys.join("/")
                        )),
                        cursor: None,
                    }
                }
                None => Outcome {
                    message: Some(
                        "no disagreement under the cursor (Tab goes to the next)".to_string(),
                    ),
                    cursor: None,
                },
            },
        };
        self.show_outcome(out);
        self.session.reached(self.cursor.para);
        self.ensure_visible();
        true
    }

    /// The key after `t`: a variant's letter takes it, `x` rejects every variant,
    /// any other key takes nothing.
    pub(super) fn take_key(&mut self, key: KeyEvent) {
        let f = self.focus();
        let Some(view) = self.curation.as_mut() else {
            return;
        };
        let Some(d) = view.taking.take() else {
            return;
        };
        let variants = view.core.merge().disagreements[d].variants.len();
        let out = match key.code {
            KeyCode::Char('x') => view.core.reject_all(&mut self.session, &f, d),
            KeyCode::Char(c) if VARIANT_KEYS.find(c).is_some_and(|v| v < variants) => {
                let v = VARIANT_KEYS.find(c).unwrap_or(0);
                view.core.take(&mut self.session, &f, d, v)
            }
            _ => Outcome {
                message: Some("nothing taken".to_string()),
                cursor: None,
            },
        };
        self.message = None;
        self.show_outcome(out);
        self.session.reached(self.cursor.para);
        self.ensure_visible();
    }

    /// The title's progress forms: the disagreements left in an adjudication view,
    /// else the review's.
    pub(super) fn progress_forms(&mut self) -> [String; 4] {
        match self.curation.as_mut() {
            Some(view) => view.core.progress_forms(&self.session),
            None => self.session.progress_forms(),
        }
    }

    /// The status line's words on the disagreement under the cursor.
    pub(super) fn curation_status(&mut self) -> Option<String> {
        let at = self.cursor_byte();
        let view = self.curation.as_mut()?;
        let d = view.core.under(at)?;
        Some(view.core.describe(&self.session, d))
    }

    /// The marks of the open disagreements in paragraph `p`.
    pub(super) fn curation_marks(&mut self, p: usize) -> Vec<ScreenMark> {
        let at = self.cursor_byte();
        let range = self.session.document().paragraphs[p].range.clone();
        let Some(view) = self.curation.as_mut() else {
            return Vec::new();
        };
        let current = view.core.under(at);
        let labels = self.session.labels().labels();
        view.core
            .marks(
                &self.session.review().ann,
                (range.start, range.end),
                current,
            )
            .into_iter()
            .map(|m| ScreenMark {
                start: m.start,
                end: m.end,
                colour: m
                    .label
                    .and_then(|l| labels.iter().find(|x| x.name == l))
                    .map_or(Color::Reset, |l| terminal_colour(&l.colour)),
                current: m.current,
            })
            .collect()
    }
}
