//! What the memory learnt, as the analyst sees it from a session: the memory
//! screen's rows, forgetting an entry (an action of this document's history, so undo
//! puts it back), the scope setting, and what a reject did beyond its own span ("and
//! 2 other suggestions of «سوريا» withdrawn here").
//!
//! Owns: those words and the counting behind them. Must not: know the terminal, or
//! decide what the memory counts (`suggest::memory`) or how a step is logged
//! (`review`).

use crate::annotation::State;
use crate::suggest::dict::key_of;
use crate::suggest::memory::{Entry, Scope};

use super::Session;
use super::ops::{Focus, Outcome};
use super::shown::ViewSpan;

/// One string and label the memory learnt, as the memory screen lists it.
pub type MemoryRow = Entry;

impl Session {
    /// Everything the memory learnt, most recently decided first.
    pub fn memory_rows(&self) -> Vec<MemoryRow> {
        self.review.memory().entries()
    }

    /// In how many documents a string rejected and never accepted is withdrawn from
    /// every document (the settings file's `reject_project_after`; 0: only `X` does).
    pub fn set_project_after(&mut self, n: u32) {
        self.review.set_project_after(n);
        self.spans.suggestions_changed();
    }

    /// Takes `label` of the string `key` (folded, as [`MemoryRow::key`]) out of the
    /// memory: logged as an action of this document, which `u` takes back.
    pub fn forget_memory(&mut self, focus: &Focus, key: &str, label: &str) -> Outcome {
        self.review.view_hint(focus.at(), focus.top);
        let r = self
            .review
            .forget_memory(&[(key.to_string(), label.to_string())]);
        match r {
            Ok(v) if v.is_empty() => Outcome::refuse(format!("nothing remembered of «{key}»")),
            Ok(v) => {
                self.spans.suggestions_changed();
                let f = &v[0];
                Outcome::say(format!(
                    "forgot «{}» as {} ({} accepted, {} rejected) · u brings it back",
                    f.surface, f.label, f.accepts, f.rejects
                ))
            }
            Err(e) => Outcome::say(e.to_string()),
        }
    }

    /// The step undo (`undo` true) or redo would take back or do again, in words,
    /// when it is a forget (its edit is empty): `forget «سوريا» LOC`.
    pub(super) fn memory_step_note(&self, undo: bool) -> Option<String> {
        let note = if undo {
            self.review.note_of_undo()
        } else {
            self.review.note_of_redo()
        }?;
        let f = note.forgot.first()?;
        Some(format!("forget «{}» {}", f.surface, f.label))
    }

    /// The suggestions still to review in the document with the text and label of
    /// `v` (folded as the memory folds), other than `v`: looked for in the paragraphs
    /// holding its text, as `X` looks; in a long document only in those whose
    /// suggestions are already made (as the progress counts them), so a reject never
    /// runs the engine over the whole of it.
    pub(super) fn others_like(&mut self, v: &ViewSpan) -> usize {
        let text = self.doc.text[v.start..v.end].to_string();
        let key = key_of(&text);
        let all = self.doc.text.len() <= super::COUNT_ALL_BYTES;
        let mut n = 0;
        for p in 0..self.doc.paragraphs.len() {
            let range = self.doc.paragraphs[p].range.clone();
            if !self.doc.text[range].contains(&text) || !(all || self.spans.has_suggestions(p)) {
                continue;
            }
            let spans = self.spans_in(p);
            n += spans
                .iter()
                .filter(|s| {
                    s.id.is_none()
                        && s.state == State::Pending
                        && s.label == v.label
                        && (s.start, s.end) != (v.start, v.end)
                        && key_of(&self.doc.text[s.start..s.end]) == key
                })
                .count();
        }
        n
    }

    /// What a reject of `v` changed beyond it, for the status line: the `before`
    /// other suggestions like it ([`Session::others_like`]) are withdrawn here when
    /// the memory now withdraws the string here (it withdraws all of them or none),
    /// and whether it is withdrawn from every document. Empty when nothing else
    /// changed.
    pub(super) fn withdrawn_note(&mut self, v: &ViewSpan, before: usize) -> String {
        let text = self.doc.text[v.start..v.end].to_string();
        let label = self.label_name(v.label);
        let memory = self.review.memory();
        let counts = memory.get(&key_of(&text)).and_then(|r| r.get(&label));
        let here = self.review.doc().and_then(|d| memory.doc_index(d));
        let withdrawn = counts.is_some_and(|c| memory.vetoed_in(c, here));
        let scope = counts.map(|c| c.scope(memory.project_after()));
        let gone = if withdrawn { before } else { 0 };
        let mut out = String::new();
        if gone > 0 {
            let s = if gone == 1 { "" } else { "s" };
            out.push_str(&format!(
                ", and {gone} other suggestion{s} of «{text}» withdrawn here"
            ));
        }
        match scope {
            Some(Scope::Asked) => out.push_str(" · withdrawn from every document"),
            Some(Scope::Repeated(n)) => out.push_str(&format!(
                " · rejected in {n} documents: withdrawn from every document"
            )),
            _ => {}
        }
        out
    }
}
