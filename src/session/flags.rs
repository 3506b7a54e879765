//! Flagging in a session: the span under the cursor (stored or only suggested) or the
//! document, marked "unsure, to discuss" with a note, and taken off by the same key.
//! The review keeps the flags (`review::flags`); this names what was flagged for the
//! status line. Must not: know the terminal.

use super::{Outcome, Session, ViewSpan};
use crate::review::Flagged;

/// What a flag key points at: a span (or suggestion) shown, or the whole document.
#[derive(Debug, Clone, PartialEq)]
pub enum FlagTarget {
    Document,
    Span(ViewSpan),
}

impl FlagTarget {
    fn place(&self) -> Option<(usize, usize)> {
        match self {
            FlagTarget::Document => None,
            FlagTarget::Span(s) => Some((s.start, s.end)),
        }
    }
}

impl Session {
    /// The flag on `target`, if it has one.
    pub fn flag_of(&self, target: &FlagTarget) -> Option<&Flagged> {
        self.review.flag_on(target.place())
    }

    /// How many flags the document has (its own and its spans').
    pub fn flag_count(&self) -> usize {
        self.review.flags().len()
    }

    /// What `target` is, for the status line: `the document`, `ORG «الجيش السوري»`.
    pub fn flag_target_name(&self, target: &FlagTarget) -> String {
        match target {
            FlagTarget::Document => "the document".to_string(),
            FlagTarget::Span(s) => {
                let text = &self.doc.text[s.start..s.end];
                let mut shown: String = text.chars().take(40).collect();
                if shown.len() < text.len() {
                    shown.push('…');
                }
                format!("{} «{shown}»", self.label_name(s.label))
            }
        }
    }

    /// Flags `target` with `note` (empty: a flag without a note), or with `None` takes
    /// its flag off (the status line then repeats the note it had, since no undo
    /// brings it back).
    pub fn set_flag(&mut self, target: &FlagTarget, note: Option<&str>) -> Outcome {
        let name = self.flag_target_name(target);
        let before = self.flag_of(target).map(|f| f.note.clone());
        let message = match self.review.flag(target.place(), note) {
            Err(e) => e.to_string(),
            Ok(()) => match (note, before) {
                (Some(""), _) => format!("flagged {name}"),
                (Some(n), _) => format!("flagged {name}: {n}"),
                (None, Some(old)) if !old.is_empty() => {
                    format!("flag taken off {name} (its note was: {old})")
                }
                (None, _) => format!("flag taken off {name}"),
            },
        };
        Outcome {
            message: Some(message),
            cursor: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::session::open::Keeper;

    const TEXT: &str = "قال الجيش السوري إن داعش انسحب\n";

    /// A session on `file` kept in `dir`'s database by `who`.
    fn open(dir: &Path, file: &Path, who: &str) -> Session {
        let keeper = Keeper::new(Some(dir.join("raqim.db")), who.into(), None);
        crate::session::tests::kept(&keeper, file)
    }

    fn first_suggestion(s: &mut Session) -> ViewSpan {
        s.spans_in(0)[0].clone()
    }

    #[test]
    fn flags_outlive_the_session_and_a_read_only_review_refuses_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("news.txt");
        std::fs::write(&file, TEXT).unwrap();
        {
            let mut s = open(dir.path(), &file, "ana");
            let span = first_suggestion(&mut s);
            assert_eq!(&TEXT[span.start..span.end], "الجيش السوري");
            s.set_flag(&FlagTarget::Span(span), Some("which army?"));
            s.set_flag(&FlagTarget::Document, Some(""));
            assert_eq!(s.flag_count(), 2);
        }
        let mut s = open(dir.path(), &file, "ana");
        let span = first_suggestion(&mut s);
        assert_eq!(
            s.flag_of(&FlagTarget::Span(span.clone()))
                .map(|f| f.note.as_str()),
            Some("which army?")
        );
        assert!(s.flag_of(&FlagTarget::Document).is_some());
        // A second raqim on the same document and layer reads the flags, and may not
        // change them.
        let mut other = open(dir.path(), &file, "ana");
        assert_eq!(other.flag_count(), 2);
        let out = other.set_flag(&FlagTarget::Span(span), None);
        assert!(
            out.message.as_deref().unwrap().contains("read-only"),
            "{out:?}"
        );
        assert_eq!(other.flag_count(), 2);
        drop(other);
        drop(s);
        let s = open(dir.path(), &file, "ana");
        assert_eq!(s.flag_count(), 2, "the refused change was not kept");
    }
}
