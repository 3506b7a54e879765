//! The set of documents as the viewer shows it: the title's position, the document
//! list (`L`) and its keys, and `]` / `[`. Which document then opens, and how, is the
//! session's (`session::open::open_in_set`); the loop asks for it.
//!
//! Owns: the list's state. Must not: open documents or touch the terminal.

use super::action::Action;
use super::app::App;

/// The documents of a set, as the title and the document list show them.
#[derive(Debug, Clone, Default)]
pub struct DocList {
    pub names: Vec<String>,
    /// Progress of each, as of when it was last left (or from the store).
    pub summaries: Vec<String>,
    /// The one open.
    pub current: usize,
    /// The list is on screen, with this one selected.
    pub open: bool,
    pub selected: usize,
    /// Asked for: the loop opens it; with the direction when `]` or `[` asked (an
    /// unreadable document is then skipped).
    pub(super) switch: Option<(usize, Option<bool>)>,
}

impl App {
    /// Makes this document `current` of a set of documents.
    pub fn set_documents(&mut self, names: Vec<String>, summaries: Vec<String>, current: usize) {
        self.docs = Some(DocList {
            names,
            summaries,
            current,
            open: false,
            selected: current,
            switch: None,
        });
    }

    /// The set of documents, when there is one.
    pub fn documents(&self) -> Option<&DocList> {
        self.docs.as_ref()
    }

    /// The document the user asked to go to, if any (taken once), and the direction
    /// when it was asked by `]` (true) or `[` (false).
    pub fn take_switch(&mut self) -> Option<(usize, Option<bool>)> {
        self.docs.as_mut().and_then(|d| d.switch.take())
    }

    /// The document list's keys, while it is open; true when the action was its.
    pub(super) fn list_action(&mut self, action: Action) -> bool {
        let page = self.height.max(2) - 1;
        let Some(d) = self.docs.as_mut().filter(|d| d.open) else {
            return false;
        };
        let last = d.names.len().saturating_sub(1);
        match action {
            Action::MoveDown | Action::NextChar => d.selected = (d.selected + 1).min(last),
            Action::MoveUp | Action::PrevChar => d.selected = d.selected.saturating_sub(1),
            Action::PageDown => d.selected = (d.selected + page).min(last),
            Action::PageUp => d.selected = d.selected.saturating_sub(page),
            Action::DocumentStart => d.selected = 0,
            Action::DocumentEnd => d.selected = last,
            Action::Accept => {
                d.open = false;
                if d.selected != d.current {
                    d.switch = Some((d.selected, None));
                }
            }
            Action::Cancel | Action::DocumentList | Action::CloseHelp => d.open = false,
            Action::Quit => return false,
            _ => {}
        }
        true
    }

    /// Next or previous document of the set.
    pub(super) fn step_document(&mut self, forward: bool) {
        let Some(d) = self.docs.as_mut() else {
            self.say("one document open: give raqim a directory or a .jsonl to review several");
            return;
        };
        let next = if forward {
            (d.current + 1 < d.names.len()).then_some(d.current + 1)
        } else {
            d.current.checked_sub(1)
        };
        match next {
            Some(i) => d.switch = Some((i, Some(forward))),
            None => {
                let which = if forward { "last" } else { "first" };
                self.say(format!("this is the {which} document of the set"));
            }
        }
    }
}
