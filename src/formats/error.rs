//! Why an import or an export failed: each error names the file, the line (or the
//! record, in formats without lines) and the field, so the analyst can open the file
//! at the place and see what was expected.

use std::fmt;

use super::Format;

/// Where in an input a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the caller named it.
    pub file: String,
    /// 1-based line, in line-oriented files (JSONL, brat `.ann`, CoNLL).
    pub line: Option<u32>,
    /// 1-based record number, in formats without lines (a Label Studio array).
    pub record: Option<u32>,
}

impl Location {
    pub fn file(file: &str) -> Location {
        Location {
            file: file.to_string(),
            line: None,
            record: None,
        }
    }

    pub fn line(file: &str, line: usize) -> Location {
        Location {
            line: Some(u32::try_from(line).unwrap_or(u32::MAX)),
            ..Location::file(file)
        }
    }

    pub fn record(file: &str, record: usize) -> Location {
        Location {
            record: Some(u32::try_from(record).unwrap_or(u32::MAX)),
            ..Location::file(file)
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        } else if let Some(r) = self.record {
            write!(f, ": record {r}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong reading or writing an interchange file.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The file could not be read (or a directory listed).
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The output could not be written.
    #[error("{message}")]
    Write { file: String, message: String },
    /// Not text: invalid UTF-8, or a NUL byte (a binary file).
    #[error("{file}: byte {offset}: {why}")]
    NotText {
        file: String,
        offset: usize,
        why: &'static str,
    },
    /// The file's structure is wrong (not JSON, a line without the expected columns).
    #[error("{at}: {message}")]
    Syntax { at: Location, message: String },
    /// One field holds a bad value (an offset past the end, a wrong type...).
    #[error("{at}: {field}: {message}")]
    Field {
        at: Location,
        field: String,
        message: String,
    },
    /// A label that the label set does not have.
    #[error(
        "{at}: {field}: label {label:?} is not in the label set ({known}); add it to the label file or import with new labels allowed"
    )]
    UnknownLabel {
        at: Location,
        field: String,
        label: String,
        known: String,
    },
    /// A brat annotation in several fragments: raqim spans are one range each.
    #[error(
        "{at}: {id}: discontinuous span \"{fragments}\" cannot be represented (a raqim span is one range)"
    )]
    Discontinuous {
        at: Location,
        id: String,
        fragments: String,
    },
    /// A record that the chosen format cannot hold as it is.
    #[error("{format} export: record {id:?}: {field}: {message}")]
    NotRepresentable {
        format: Format,
        id: String,
        field: String,
        message: String,
    },
    /// The call itself does not fit the format (brat into a single string...).
    #[error("{format}: {message}")]
    Usage { format: Format, message: String },
}

impl FormatError {
    pub(crate) fn field(
        at: &Location,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FormatError::Field {
            at: at.clone(),
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn syntax(at: &Location, message: impl Into<String>) -> Self {
        FormatError::Syntax {
            at: at.clone(),
            message: message.into(),
        }
    }

    pub(crate) fn export(
        format: Format,
        id: &str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FormatError::NotRepresentable {
            format,
            id: id.to_string(),
            field: field.into(),
            message: message.into(),
        }
    }

    /// Where the problem is, for errors about an input.
    pub fn location(&self) -> Option<&Location> {
        match self {
            FormatError::Syntax { at, .. }
            | FormatError::Field { at, .. }
            | FormatError::UnknownLabel { at, .. }
            | FormatError::Discontinuous { at, .. } => Some(at),
            _ => None,
        }
    }
}
