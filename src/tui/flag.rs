//! The flag keys: `f` flags the span under the cursor (elsewhere the document), `F`
//! the document, as "unsure, to discuss"; a one-line prompt asks for a note (Enter
//! with none flags without one, Esc flags nothing). On something already flagged the
//! key takes the flag off, and the status line repeats the note it had.
//!
//! Owns: the note prompt's state and keys, and the flag marks of the status line.
//! What a flag is and where it is kept is the session's. Must not: decide anything
//! the session can (it only says which span or the document).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::App;
use crate::session::FlagTarget;

/// The note prompt, while it is open.
#[derive(Debug, Clone)]
pub struct FlagPrompt {
    target: FlagTarget,
    /// What is being flagged, as the prompt names it.
    name: String,
    note: String,
}

impl App {
    /// `f` (`document`: false) or `F`: opens the note prompt, or takes a flag off.
    pub(super) fn flag_key(&mut self, document: bool) {
        let target = match (document, self.span_at_cursor()) {
            (false, Some((_, s))) => FlagTarget::Span(s),
            _ => FlagTarget::Document,
        };
        if let Some(why) = self.session.review().read_only() {
            let m = format!("nothing can be flagged: {why}");
            self.say(m);
            return;
        }
        if self.session.flag_of(&target).is_some() {
            let out = self.session.set_flag(&target, None);
            if let Some(m) = out.message {
                self.say(m);
            }
            return;
        }
        let name = self.session.flag_target_name(&target);
        self.flag_prompt = Some(FlagPrompt {
            target,
            name,
            note: String::new(),
        });
    }

    /// A key while the note prompt is open: text, Backspace, Enter (flag), Esc or
    /// Ctrl-c (flag nothing).
    pub(super) fn flag_prompt_key(&mut self, key: KeyEvent) {
        let Some(p) = self.flag_prompt.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                self.flag_prompt = None;
                self.say("nothing flagged");
            }
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.flag_prompt = None;
                self.say("nothing flagged");
            }
            KeyCode::Enter => {
                let Some(p) = self.flag_prompt.take() else {
                    return;
                };
                let note = p.note.trim();
                let out = self.session.set_flag(&p.target, Some(note));
                if let Some(m) = out.message {
                    self.say(m);
                }
            }
            KeyCode::Backspace => {
                p.note.pop();
            }
            KeyCode::Char(c) if !c.is_control() => p.note.push(c),
            _ => {}
        }
    }

    /// The note prompt as the status line shows it, while it is open.
    pub fn flag_prompt_line(&self) -> Option<String> {
        self.flag_prompt.as_ref().map(|p| {
            format!(
                "flag {}, note: {}▏  (Enter: flag, Esc: cancel)",
                p.name, p.note
            )
        })
    }

    /// What the status line says after its ⚑ sign for each flag here: the span under
    /// the cursor's, then the document's, each with its note (`span flagged: NOTE`).
    pub(super) fn flag_marks(&mut self) -> Vec<String> {
        let mark = |what: &str, note: &str| {
            if note.is_empty() {
                format!("{what} flagged")
            } else {
                format!("{what} flagged: {note}")
            }
        };
        let mut out = Vec::new();
        if let Some((_, s)) = self.span_at_cursor()
            && let Some(f) = self.session.flag_of(&FlagTarget::Span(s))
        {
            out.push(mark("span", &f.note));
        }
        if let Some(f) = self.session.flag_of(&FlagTarget::Document) {
            out.push(mark("document", &f.note));
        }
        out
    }
}
