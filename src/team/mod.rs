//! The team commands (issue 15): `raqim assign` records who reads which document,
//! `raqim status` says how far each annotator is in their own layer ("started": an
//! action there; "done": their layer's done mark).
//! Reads and writes the store; no terminal here. Who gets what is decided by
//! [`crate::assign`].

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

use crate::store::Store;

pub mod agreement;

/// Failures of the team commands themselves (the store and the assignment have
/// their own).
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error(
        "{}: no such database (give the right one with --db or RAQIM_DB); nothing was created",
        path.display()
    )]
    NoDatabase { path: PathBuf },
    #[error(
        "{}: no documents to assign; add some first (`raqim import`, or open a set in the viewer)",
        path.display()
    )]
    NoDocuments { path: PathBuf },
}

/// How `raqim status` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFormat {
    #[default]
    Table,
    Json,
}

impl FromStr for StatusFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "table" => Ok(StatusFormat::Table),
            "json" => Ok(StatusFormat::Json),
            _ => Err(format!("'{s}' is not one of: table, json")),
        }
    }
}

impl fmt::Display for StatusFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StatusFormat::Table => "table",
            StatusFormat::Json => "json",
        })
    }
}

fn existing(db: &Path) -> Result<(), TeamError> {
    if crate::store::exists(db) {
        Ok(())
    } else {
        Err(TeamError::NoDatabase {
            path: db.to_path_buf(),
        })
    }
}

/// `raqim assign`: gives each of `docs` (named as export names them; none: every
/// document) not yet assigned to `per_doc` of `annotators`, records it in one
/// transaction, and writes what was done with every annotator's load and the
/// documents each pair shares.
pub fn assign(
    db: &Path,
    annotators: &[String],
    per_doc: usize,
    docs: &[String],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    crate::assign::check(annotators, per_doc)?;
    existing(db)?;
    let mut store = Store::open(db)?;
    let rows = crate::exchange::resolve(&store, docs)?;
    if rows.is_empty() {
        return Err(TeamError::NoDocuments {
            path: db.to_path_buf(),
        }
        .into());
    }
    let before: Vec<(String, String)> = store
        .assignments()?
        .into_iter()
        .map(|a| (a.doc, a.annotator))
        .collect();
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let new = crate::assign::assign(&before, &ids, annotators, per_doc)?;
    store.assign(&new)?;
    let mut new_docs: Vec<&str> = new.iter().map(|(d, _)| d.as_str()).collect();
    new_docs.dedup();
    let kept = ids.len() - new_docs.len();
    write!(
        out,
        "assigned {} to {per_doc} annotator(s) each",
        count(new_docs.len(), "document")
    )?;
    if kept > 0 {
        write!(
            out,
            "; {} already assigned, left as they were",
            count(kept, "document")
        )?;
    }
    writeln!(out)?;
    let mut all = before;
    all.extend(new);
    let width = all
        .iter()
        .map(|(_, a)| a.chars().count())
        .chain(annotators.iter().map(|a| a.chars().count()))
        .max()
        .unwrap_or(0)
        .max("annotator".len());
    writeln!(out, "\n{:<width$}  documents", "annotator")?;
    for (a, n) in crate::assign::loads(&all, annotators) {
        writeln!(out, "{a:<width$}  {n}")?;
    }
    let pairs = crate::assign::pair_counts(&all, annotators);
    if !pairs.is_empty() {
        let pw = (2 * width + 1).max("pair".len());
        writeln!(out, "\n{:<pw$}  documents shared", "pair")?;
        for ((a, b), n) in pairs {
            writeln!(out, "{:<pw$}  {n}", format!("{a} {b}"))?;
        }
    }
    Ok(())
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// One annotator's progress, as `raqim status` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnotatorStatus {
    pub name: String,
    /// Documents assigned to them.
    pub assigned: usize,
    /// Of those, the ones they have acted on.
    pub started: usize,
    /// Of those, the ones they marked done (in their layer).
    pub done: usize,
    /// Accepted spans in their layers of those documents.
    pub spans: usize,
}

/// One document and who it is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentStatus {
    pub id: String,
    pub name: String,
    /// Who it is assigned to.
    pub annotators: Vec<String>,
    /// The layers (annotators, or `gold`) marked done in it, assigned or not.
    pub done_by: Vec<String>,
}

/// What `raqim status` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub annotators: Vec<AnnotatorStatus>,
    pub documents: Vec<DocumentStatus>,
}

/// Per annotator (by name) and per document (in the order added), from the
/// database at `db`, opened only for reading.
pub fn status_of(db: &Path) -> anyhow::Result<Status> {
    existing(db)?;
    let store = Store::open_read_only(db)?;
    let docs = store.documents_as_added()?;
    let mut done_by: HashMap<String, Vec<String>> = HashMap::new();
    for l in store.layers()?.into_iter().filter(|l| l.done) {
        done_by.entry(l.doc).or_default().push(l.layer);
    }
    let mut per_doc: HashMap<String, Vec<String>> = HashMap::new();
    let mut per_annotator: HashMap<String, AnnotatorStatus> = HashMap::new();
    for a in store.assignments()? {
        let s = per_annotator
            .entry(a.annotator.clone())
            .or_insert_with(|| AnnotatorStatus {
                name: a.annotator.clone(),
                assigned: 0,
                started: 0,
                done: 0,
                spans: 0,
            });
        s.assigned += 1;
        s.started += usize::from(a.started);
        s.done += usize::from(a.done);
        s.spans += a.spans;
        per_doc.entry(a.doc).or_default().push(a.annotator);
    }
    let mut annotators: Vec<AnnotatorStatus> = per_annotator.into_values().collect();
    annotators.sort_by(|a, b| a.name.cmp(&b.name));
    let documents = docs
        .iter()
        .map(|d| {
            let mut who = per_doc.remove(&d.id).unwrap_or_default();
            who.sort();
            DocumentStatus {
                id: d.id.clone(),
                name: d.name.clone(),
                annotators: who,
                done_by: done_by.remove(&d.id).unwrap_or_default(),
            }
        })
        .collect();
    Ok(Status {
        annotators,
        documents,
    })
}

/// `raqim status`: [`status_of`] as a table or as JSON.
pub fn status(db: &Path, format: StatusFormat, out: &mut dyn Write) -> anyhow::Result<()> {
    let s = status_of(db)?;
    if format == StatusFormat::Json {
        serde_json::to_writer(&mut *out, &s)?;
        writeln!(out)?;
        return Ok(());
    }
    if s.annotators.is_empty() {
        writeln!(
            out,
            "no document is assigned yet; give them out with `raqim assign --annotators NAME,NAME --per-doc N`"
        )?;
    } else {
        let w = s
            .annotators
            .iter()
            .map(|a| a.name.chars().count())
            .max()
            .unwrap_or(0)
            .max("annotator".len());
        writeln!(out, "{:<w$}  assigned  started  done  spans", "annotator")?;
        for a in &s.annotators {
            writeln!(
                out,
                "{:<w$}  {:>8}  {:>7}  {:>4}  {:>5}",
                a.name, a.assigned, a.started, a.done, a.spans
            )?;
        }
    }
    let w = s
        .documents
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("document".len());
    let who_of = |d: &DocumentStatus| {
        if d.annotators.is_empty() {
            "-".to_string()
        } else {
            d.annotators.join(", ")
        }
    };
    let ww = s
        .documents
        .iter()
        .map(|d| who_of(d).chars().count())
        .max()
        .unwrap_or(0)
        .max("annotators".len());
    writeln!(
        out,
        "\n{:<w$}  id            {:<ww$}  done by",
        "document", "annotators"
    )?;
    for d in &s.documents {
        let who = who_of(d);
        let done = if d.done_by.is_empty() {
            "-".to_string()
        } else {
            d.done_by.join(", ")
        };
        writeln!(
            out,
            "{:<w$}  {:<12}  {who:<ww$}  {done}",
            d.name,
            d.id.get(..12).unwrap_or(&d.id),
        )?;
    }
    Ok(())
}
