//! The analyst's flags on a document under review: the document, or a stretch of its
//! text (a span or a suggestion there), marked "unsure, to discuss", with a note.
//!
//! A flag is a mark like the done mark, not an edit of the spans: it is kept at once
//! (one transaction of its own), but it is not in the action log and undo does not
//! walk it; the key that set it takes it off. Spans' edits are invertible `Edit`s
//! that the memory learns from, and a flag teaches nothing. Must not: know the
//! terminal.

use std::time::Instant;

use super::{Review, ReviewError};
use crate::logging::{MESSAGE, clip};

/// A flag as the review holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Flagged {
    /// Byte range in the document's text; `None`: the document.
    pub place: Option<(usize, usize)>,
    /// What the analyst wrote with it (may be empty).
    pub note: String,
}

impl Review {
    /// The flags, the document's first, then by place.
    pub fn flags(&self) -> &[Flagged] {
        &self.flags
    }

    /// The flag on `place` (the document's: `None`), if any.
    pub fn flag_on(&self, place: Option<(usize, usize)>) -> Option<&Flagged> {
        self.flags.iter().find(|f| f.place == place)
    }

    /// The flags found in the store when the document was opened.
    pub fn set_flags(&mut self, mut flags: Vec<Flagged>) {
        flags.sort_by_key(|f| f.place.map(|(a, b)| (1, a, b)).unwrap_or((0, 0, 0)));
        self.flags = flags;
    }

    /// Flags `place` (the document: `None`) with `note`, replacing a flag there; `note`
    /// `None` takes the flag off. Refused on a read-only review.
    pub fn flag(
        &mut self,
        place: Option<(usize, usize)>,
        note: Option<&str>,
    ) -> Result<(), ReviewError> {
        let started = Instant::now();
        let r = self.writable().and_then(|()| {
            self.journal
                .set_flag(place, note)
                .map_err(ReviewError::Journal)?;
            self.flags.retain(|f| f.place != place);
            if let Some(note) = note {
                self.flags.push(Flagged {
                    place,
                    note: note.to_string(),
                });
                let flags = std::mem::take(&mut self.flags);
                self.set_flags(flags);
            }
            Ok(())
        });
        let what = match (place, note) {
            (None, Some(_)) => "document flagged",
            (None, None) => "document no longer flagged",
            (Some(_), Some(_)) => "span flagged",
            (Some(_), None) => "span no longer flagged",
        };
        let took = started.elapsed();
        match &r {
            Ok(()) => tracing::info!(kind = "flag", ?place, ?took, "action: {what}"),
            Err(e) => tracing::warn!(kind = "flag", ?took, "{}", clip(&e.to_string(), MESSAGE)),
        }
        r
    }
}
