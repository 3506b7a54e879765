//! A set of documents to review in one sitting: a directory of `.txt` articles or a
//! JSON lines file of `{"id","text","spans"?}` records (raqim's own format, which is
//! Prodigy's), opened one at a time. Records' spans arrive as suggestions to review
//! (their own state and source when they carry them) the first time a document is
//! opened.
//!
//! Owns: finding the documents, reading one on demand, and turning a record's spans
//! into the review's first action. Must not: touch the terminal or keep documents in
//! memory that are not open (a directory's files are read when opened).

use std::path::{Path, PathBuf};

use crate::annotation::{Edit, NEW_ID, Span, State};
use crate::document::{self, Document};
use crate::formats::{Format, FormatError, ImportOptions, RecordSpan};
use crate::review::{Review, ReviewError};
use crate::suggest::Engine;

/// Why a set, or one of its documents, could not be read; names the directory, the
/// file or the record.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    /// The directory could not be listed.
    #[error("{}: cannot list", path.display())]
    List {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A directory without an article.
    #[error("{}: no .txt articles in this directory", .0.display())]
    NoArticles(PathBuf),
    /// A JSON lines file that holds no record.
    #[error("{}: no records", .0.display())]
    NoRecords(PathBuf),
    /// A JSON lines file that cannot be read, or a bad record (its line named).
    #[error(transparent)]
    Records(#[from] FormatError),
    /// A directory's article that cannot be read or is not text.
    #[error(transparent)]
    Document(#[from] document::OpenError),
    /// An entry with neither a file nor a text (named by the entry).
    #[error("{0}: no text")]
    NoText(String),
}

/// One document of the set.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Shown in the document list and the title.
    pub name: String,
    /// The file to read (a directory's article), or
    pub path: Option<PathBuf>,
    /// the text and spans of a JSON lines record.
    pub text: Option<String>,
    pub spans: Vec<RecordSpan>,
}

impl Entry {
    /// Reads the document.
    pub fn open(&self, lossy: bool) -> Result<Document, SetError> {
        match (&self.path, &self.text) {
            (Some(p), _) => Ok(Document::open(p, lossy)?),
            (None, Some(t)) => Ok(Document::from_text(&self.name, t.clone(), false, false)),
            (None, None) => Err(SetError::NoText(self.name.clone())),
        }
    }
}

/// True when `path` names a set rather than one article: a directory or a `.jsonl`.
pub fn is_set(path: &Path) -> bool {
    path.is_dir() || path.extension().is_some_and(|e| e == "jsonl")
}

/// The documents of a directory (its `.txt` files, by name) or of a JSON lines file
/// (every record, in order; a bad record is an error naming its line).
pub fn load(path: &Path) -> Result<Vec<Entry>, SetError> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|source| SetError::List {
                path: path.to_path_buf(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(SetError::NoArticles(path.to_path_buf()));
        }
        return Ok(files
            .into_iter()
            .map(|p| Entry {
                name: p
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                path: Some(p),
                text: None,
                spans: Vec::new(),
            })
            .collect());
    }
    let opts = ImportOptions {
        add_labels: true,
        ..ImportOptions::default()
    };
    let imported = crate::formats::import(Format::Jsonl, path, &opts)?;
    if imported.records.is_empty() {
        return Err(SetError::NoRecords(path.to_path_buf()));
    }
    Ok(imported
        .records
        .into_iter()
        .map(|r| Entry {
            name: r.id,
            path: None,
            text: Some(r.text),
            spans: r.spans,
        })
        .collect())
}

/// Gives a document opened for the first time the spans its record carried, as one
/// `import` action (so it can be undone): pending suggestions with their source, or
/// in the state the record gives. Spans that do not fit (overlap, off the text) are
/// left out and counted. Does nothing once the document has a span or a history.
pub fn seed_spans(
    review: &mut Review,
    engine: &Engine,
    text: &str,
    spans: &[RecordSpan],
) -> Result<usize, ReviewError> {
    let touched = !review.ann.spans().is_empty()
        || review.ann.undo_depth() > 0
        || review.ann.redo_depth() > 0;
    if spans.is_empty() || touched || review.read_only().is_some() {
        return Ok(0);
    }
    let bytes = crate::offsets::char_starts(text);
    let mut sorted: Vec<&RecordSpan> = spans.iter().collect();
    sorted.sort_by_key(|s| (s.start, s.end));
    let mut inserts = Vec::new();
    let mut last_end = 0;
    let mut left_out = 0;
    for s in sorted {
        let (Some(&a), Some(&b)) = (bytes.get(s.start), bytes.get(s.end)) else {
            left_out += 1;
            continue;
        };
        let visible = s.state != Some(State::Rejected);
        if a >= b || (visible && a < last_end) {
            left_out += 1;
            continue;
        }
        if visible {
            last_end = b;
        }
        inserts.push(Edit::Insert(Span {
            id: NEW_ID,
            start: a,
            end: b,
            label: s.label.clone(),
            state: s.state.unwrap_or(State::Pending),
            source: s
                .source
                .clone()
                .unwrap_or_else(|| "import:jsonl".to_string()),
            score: s.score.unwrap_or(1.0),
        }));
    }
    review.act(engine, text, "import", Edit::Batch(inserts))?;
    Ok(left_out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::builtin_engine;

    #[test]
    fn a_directory_gives_its_articles_by_name_and_a_jsonl_its_records() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.txt"), "ب").unwrap();
        std::fs::write(dir.path().join("a.txt"), "أ").unwrap();
        std::fs::write(dir.path().join("x.ann"), "").unwrap();
        let names: Vec<String> = load(dir.path())
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["a.txt", "b.txt"]);
        let jsonl = dir.path().join("set.jsonl");
        std::fs::write(
            &jsonl,
            "{\"id\":\"d1\",\"text\":\"قال داعش\",\"spans\":[{\"start\":4,\"end\":8,\"label\":\"ORG\"}]}\n\
             {\"id\":\"d2\",\"text\":\"x\",\"spans\":[{\"start\":0,\"end\":9,\"label\":\"ORG\"}]}\n",
        )
        .unwrap();
        let e = load(&jsonl).unwrap_err().to_string();
        assert!(e.contains("set.jsonl:2") && e.contains("end"), "{e}");
        std::fs::write(
            &jsonl,
            "{\"id\":\"d1\",\"text\":\"قال داعش\",\"spans\":[{\"start\":4,\"end\":8,\"label\":\"ORG\"}]}\n",
        )
        .unwrap();
        let set = load(&jsonl).unwrap();
        assert_eq!((set[0].name.as_str(), set[0].spans.len()), ("d1", 1));
        assert!(load(&dir.path().join("empty")).is_err());
    }

    #[test]
    fn a_records_spans_become_one_undoable_import_once() {
        let text = "قال الجيش السوري إن داعش انسحب";
        let cp = |s: &str| text[..text.find(s).unwrap()].chars().count();
        let span = |s: &str, label: &str, state: Option<State>| RecordSpan {
            start: cp(s),
            end: cp(s) + s.chars().count(),
            label: label.into(),
            state,
            source: Some("model:camel".into()),
            score: Some(0.7),
            annotator: None,
            flagged: false,
            meta: None,
        };
        let spans = vec![
            span("الجيش السوري", "ORG", None),
            span("السوري", "ORG", None), // overlaps the one before: left out
            span("داعش", "ORG", Some(State::Accepted)),
        ];
        let engine = builtin_engine();
        let mut r = Review::in_memory();
        assert_eq!(seed_spans(&mut r, &engine, text, &spans).unwrap(), 1);
        assert_eq!(r.ann.counts(), (1, 1, 0));
        assert!(r.ann.spans().iter().all(|s| s.source == "model:camel"));
        assert_eq!(seed_spans(&mut r, &engine, text, &spans).unwrap(), 0);
        assert_eq!(r.ann.counts(), (1, 1, 0), "not seeded twice");
        r.undo(&engine, text).unwrap();
        assert_eq!(r.ann.counts(), (0, 0, 0));
        assert_eq!(
            seed_spans(&mut r, &engine, text, &spans).unwrap(),
            0,
            "nor after an undo"
        );
    }
}
