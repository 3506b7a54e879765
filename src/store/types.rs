//! The values the store reads and writes, and where the database lives by default.
//! Plain data: no SQL and no terminal here.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::annotation::State;

/// A span as stored: its id and content, with who last touched it and when.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSpan {
    pub id: i64,
    pub span: NewSpan,
    /// Who made the last change to it.
    pub annotator: String,
    /// Unix milliseconds.
    pub created: i64,
    pub updated: i64,
}

/// What a span is, without its id: a span to insert, the new content of an existing
/// one, or what a stored one holds; the store assigns ids.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSpan {
    /// Code points from the start of the text.
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub state: State,
    pub source: String,
    pub score: f32,
}

/// One change to a document's spans, applied as part of an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new span; the store assigns its id (never one used before, even if deleted).
    Insert(NewSpan),
    Update {
        id: i64,
        span: NewSpan,
    },
    Delete {
        id: i64,
    },
    /// Brings back a span under the id it had, so ids stay stable across undo (of a
    /// delete) and redo (of a create): the action log and the caller's history keep
    /// naming the same span. Refused if a span with that id exists. Not counted in the
    /// ids [`crate::store::Store::commit`] returns: the caller already knows it.
    Restore {
        id: i64,
        span: NewSpan,
    },
}

/// One entry of the append-only action log.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRow {
    pub seq: i64,
    pub doc: String,
    pub kind: String,
    /// JSON, opaque to the store.
    pub payload: String,
    pub annotator: String,
    /// Unix milliseconds.
    pub at: i64,
    /// The action this one undoes, if it is an undo.
    pub undoes: Option<i64>,
    /// The layer it was taken in.
    pub layer: String,
}

/// A document as the document list shows it (without its text).
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRow {
    /// SHA-256 of the text, hex.
    pub id: String,
    pub name: String,
    /// The file it was last recorded from, if any.
    pub source_path: Option<String>,
    /// Marked reviewed in the layer of the store that read it.
    pub done: bool,
    /// Unix milliseconds.
    pub added: i64,
    /// The id its record had in the file it was imported from (or the set it was
    /// opened from), when that was its own and not the text's hash.
    pub record_id: Option<String>,
}

/// An analyst's flag ("unsure, to discuss"): on the document, or on a stretch of
/// its text (a span or a suggestion there).
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// Code points of the stretch flagged; `None`: the document.
    pub place: Option<(usize, usize)>,
    /// What the analyst wrote with it (may be empty).
    pub note: String,
    pub annotator: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// The default database path from explicit inputs (so it can be tested without touching
/// the process environment): `raqim_db` if set, else `xdg_data_home/raqim/raqim.db`
/// (an empty or relative `XDG_DATA_HOME` is ignored, as the XDG spec says), else
/// `home/.local/share/raqim/raqim.db`.
pub fn default_path_from(
    raqim_db: Option<OsString>,
    xdg_data_home: Option<OsString>,
    home: Option<OsString>,
) -> Option<PathBuf> {
    if let Some(p) = raqim_db.filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    Some(crate::config::xdg_dir(xdg_data_home, home, ".local/share")?.join("raqim.db"))
}

/// The name of the curated layer, which `raqim adjudicate` writes.
pub const GOLD: &str = "gold";

/// Refuses a name that cannot be a layer: empty, longer than 100 characters, with a
/// control character or white space at either end. `gold` is the curator's (only
/// `adjudicate` opens it for writing); the caller decides where that applies.
pub fn check_layer(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("an annotator's name is empty".to_string());
    }
    if name.chars().count() > 100 {
        return Err(format!(
            "an annotator's name is longer than 100 characters: {name:.40}…"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "an annotator's name has a control character: {name:?}"
        ));
    }
    if name.trim() != name {
        return Err(format!(
            "an annotator's name starts or ends with a space: {name:?}"
        ));
    }
    Ok(())
}

/// Refuses a name an annotator cannot have: one that cannot be a layer
/// ([`check_layer`]), or `gold`, the curated layer (a curator writes it through
/// `raqim adjudicate`, under their own name).
pub fn check_annotator(name: &str) -> Result<(), String> {
    check_layer(name)?;
    if name == GOLD {
        return Err(
            "\"gold\" is the curated layer, not an annotator; `raqim adjudicate` writes it"
                .to_string(),
        );
    }
    Ok(())
}

/// A document with its text and spans, read by [`Store::read_documents`].
#[derive(Debug, Clone, PartialEq)]
pub struct FullDocument {
    pub row: DocumentRow,
    pub text: String,
    pub spans: Vec<StoredSpan>,
    /// The analyst's flags, the document's first, then by place.
    pub flags: Vec<Flag>,
    /// What its records held that raqim has no field for, one entry per format
    /// (a JSON object, opaque to the store); `None` before schema version 4.
    pub foreign: Option<serde_json::Map<String, serde_json::Value>>,
}
