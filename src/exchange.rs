//! `raqim export` and `raqim import`: annotations out of the store into another tool's
//! format, and another tool's (or a model's) annotations into the store.
//!
//! Owns: turning stored documents into [`Record`]s and records into [`ImportDoc`]s
//! (ids, names, states, sources), finding the documents a command line names, and
//! the summaries on standard error. The formats themselves are `formats`; what an
//! import adds to a document that already has spans is decided by
//! [`Store::import_documents`] (duplicates and overlaps are skipped and counted).
//! Layers: an export writes one layer, or every layer with each record saying its
//! own ([`Record::layer`], in the formats that have a field for it, [`LAYER_FIELD`]);
//! an import puts each record in the layer `--annotator` names, else the one the
//! record says, else the importer's, and locks each document in each layer it writes.
//!
//! Must not: touch the terminal, or write a database it was asked only to read (an
//! export from a missing database is an error, not a new empty file).

use std::collections::HashSet;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::Context;
use serde_json::{Value, json};

use crate::annotation::State;
use crate::formats::{self, Format, ImportOptions, Offsets, Record, RecordSpan};
use crate::store::{
    DocumentRow, FullDocument, ImportDoc, ImportReport, ImportSpan, NewSpan, Store, StoreError,
};
use crate::suggest::labels::LabelSet;

/// Which spans an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportState {
    /// Accepted spans only: the reviewed annotation.
    #[default]
    Accepted,
    /// Accepted and pending spans, each with its state; rejected ones too in `jsonl`
    /// (the other formats have no place for them).
    All,
}

impl FromStr for ExportState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "accepted" => Ok(ExportState::Accepted),
            "all" => Ok(ExportState::All),
            _ => Err(format!("'{s}' is not one of: accepted, all")),
        }
    }
}

/// What an export writes as each record's `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ids {
    /// The document's name ([`export_id`]): what the gold file it came from calls it.
    #[default]
    Name,
    /// The document id, the SHA-256 of its text: unique whatever the names.
    Hash,
}

impl FromStr for Ids {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "name" => Ok(Ids::Name),
            "hash" | "sha256" => Ok(Ids::Hash),
            _ => Err(format!("'{s}' is not one of: name, hash")),
        }
    }
}

/// The state imported spans get when the file does not give one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportAs {
    /// Pending: reviewed in the viewer like raqim's own suggestions.
    #[default]
    Suggestions,
    /// Accepted: a reviewed annotation (gold data, another annotator's work).
    Accepted,
}

impl FromStr for ImportAs {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "suggestions" | "pending" => Ok(ImportAs::Suggestions),
            "accepted" => Ok(ImportAs::Accepted),
            _ => Err(format!("'{s}' is not one of: suggestions, accepted")),
        }
    }
}

/// Failures of the commands themselves (the formats and the store have their own).
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(
        "{}: no such database, so nothing to export (give the right one with --db or RAQIM_DB); nothing was created",
        path.display()
    )]
    NoDatabase { path: PathBuf },
    #[error(
        "{}: no document {doc:?} (give a document id, an id prefix of at least 8 hex digits, a name, or a source path as recorded); nothing was written",
        db.display()
    )]
    UnknownDocument { db: PathBuf, doc: String },
    #[error(
        "{}: {doc:?} names {} documents ({}); give an id or an id prefix; nothing was written",
        db.display(),
        candidates.len(),
        candidates.join(", ")
    )]
    Ambiguous {
        db: PathBuf,
        doc: String,
        candidates: Vec<String>,
    },
    #[error("brat writes a directory of .txt and .ann files: give it with --out DIR")]
    BratNeedsOut,
    #[error(
        "{format} has no field that says whose annotation a record is ({}), so --all-layers cannot put several layers in one export; export each layer on its own with --layer NAME, or use jsonl or prodigy, which say it in each record",
        no_layer_field_why(*format)
    )]
    NoLayerField { format: Format },
    #[error(
        "{}: no document has a layer {layer:?}; the layers are: {}; nothing was written",
        db.display(),
        if known.is_empty() { "none yet".to_string() } else { known.join(", ") }
    )]
    UnknownLayer {
        db: PathBuf,
        layer: String,
        known: Vec<String>,
    },
    #[error("--layer {layer:?}: {why}")]
    BadLayer { layer: String, why: String },
    #[error(
        "{file}, record {record:?}: its layer {layer:?} cannot be one: {why} (import it with --annotator NAME to put it in a layer you name); nothing was imported"
    )]
    BadRecordLayer {
        file: String,
        record: String,
        layer: String,
        why: String,
    },
    #[error(
        "{}: document {} ({name}) is open in another raqim; close it there and import again (or pass --skip-bad to leave it out); nothing was imported",
        db.display(),
        short_id(doc)
    )]
    InUse {
        db: PathBuf,
        doc: String,
        name: String,
    },
}

/// Why a format cannot say a record's layer, and what the tool itself does instead.
fn no_layer_field_why(format: Format) -> &'static str {
    match format {
        // backend/data_export/celery_tasks.py: a project without collaborative
        // annotation is exported as one USER.jsonl per member.
        Format::Doccano => {
            "doccano's own export writes one file per user, USER.jsonl: --layer NAME --out NAME.jsonl gives that"
        }
        // label_studio/tasks/serializers.py: an imported annotation keeps its result
        // and a completed_by that must be a user id of the server, nothing else.
        Format::LabelStudio => {
            "an annotation keeps only a completed_by that is a user id of the Label Studio server, not a name"
        }
        Format::Brat => {
            "a document is a .txt and an .ann file: --layer NAME --out DIR/NAME gives one directory per layer"
        }
        Format::Conll => {
            "one file of tokens and tags: --layer NAME --out NAME.conll gives one file per layer"
        }
        Format::Jsonl | Format::Prodigy => "",
    }
}

fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// What each format does not keep, for the export summary (see `formats`).
fn loses(format: Format, conll: formats::ConllForm) -> &'static str {
    match format {
        Format::Jsonl => "",
        Format::Prodigy => "rejected spans",
        Format::Doccano => "rejected spans; state, source, score, annotator; flags",
        Format::LabelStudio => {
            "rejected spans; annotator; the source of accepted spans; flags; annotation and region ids"
        }
        Format::Brat => "rejected spans; source path, done; state, source, score, annotator; flags",
        Format::Conll => match conll {
            formats::ConllForm::Conll2003 => {
                "rejected spans; the id; the text's spacing and line breaks (rebuilt from the tokens); \
                 name, source path, done; state, source, score, annotator; flags"
            }
            formats::ConllForm::Commented => {
                "rejected spans; name, source path, done; state, source, score, annotator; flags"
            }
        },
    }
}

/// The id the store gives a text (named here too for the callers of this module).
pub use crate::document::document_id;

/// The id an export gives a document by default: the id its record had in the file
/// it was imported from (or the JSON lines set it was opened from), else its name,
/// without `.txt` for an article read from a file (`deir-ez-zor.txt` is the gold
/// file's `deir-ez-zor`).
pub fn export_id(row: &DocumentRow) -> String {
    if let Some(id) = &row.record_id {
        return id.clone();
    }
    match row.name.strip_suffix(".txt") {
        Some(stem) if !stem.is_empty() => stem.to_string(),
        _ => row.name.clone(),
    }
}

/// `{"note": note}`, or nothing for an empty note.
fn note_meta(note: &str) -> Option<Value> {
    (!note.is_empty()).then(|| json!({ "note": note }))
}

/// A stored document as an interchange record: id as `ids` says, spans of the wanted
/// states with every review field, meta = `{"name", "source_path", "done"}`. A flag
/// is `"flagged": true` on the record or the span, with its note as `meta.note`; a
/// flag on a stretch with no span written (a suggestion not decided, a span not
/// exported) is listed in `meta.flags` as `{"start", "end", "note"?}`.
pub fn to_record(d: FullDocument, state: ExportState, ids: Ids) -> Record {
    let mut places: std::collections::HashMap<(usize, usize), &str> = d
        .flags
        .iter()
        .filter_map(|f| Some((f.place?, f.note.as_str())))
        .collect();
    let written: Vec<_> = d
        .spans
        .into_iter()
        .filter(|s| state == ExportState::All || s.span.state == State::Accepted)
        .collect();
    // A rejected span and a live one on the same stretch: the flag is the live one's.
    let live: std::collections::HashSet<(usize, usize)> = written
        .iter()
        .filter(|s| s.span.state != State::Rejected)
        .map(|s| (s.span.start, s.span.end))
        .collect();
    let spans = written
        .into_iter()
        .map(|stored| {
            let s = stored.span;
            let place = (s.start, s.end);
            let flag = if s.state == State::Rejected && live.contains(&place) {
                None
            } else {
                places.remove(&place)
            };
            RecordSpan {
                start: s.start,
                end: s.end,
                label: s.label,
                state: Some(s.state),
                source: Some(s.source),
                score: Some(s.score),
                annotator: Some(stored.annotator),
                flagged: flag.is_some(),
                meta: flag.and_then(note_meta),
            }
        })
        .collect();
    let mut meta = json!({
        "name": d.row.name,
        "source_path": d.row.source_path,
        "done": d.row.done,
    });
    let own = d.flags.iter().find(|f| f.place.is_none());
    if let Some(note) = own.map(|f| f.note.as_str()).filter(|n| !n.is_empty()) {
        meta["note"] = json!(note);
    }
    let mut left: Vec<((usize, usize), &str)> = places.into_iter().collect();
    left.sort();
    if !left.is_empty() {
        meta["flags"] = left
            .into_iter()
            .map(|((start, end), note)| {
                let mut f = json!({ "start": start, "end": end });
                if !note.is_empty() {
                    f["note"] = json!(note);
                }
                f
            })
            .collect();
    }
    Record {
        layer: None,
        id: match ids {
            Ids::Name => export_id(&d.row),
            Ids::Hash => d.row.id,
        },
        text: d.text,
        spans,
        flagged: own.is_some(),
        meta: Some(meta),
        foreign: None,
    }
}

/// The keys of a record's `meta` that are raqim's own ([`to_record`] writes them,
/// [`to_import_doc`] and [`record_flags`] read them); any other key is the record's,
/// kept with its foreign fields.
const RAQIM_META: [&str; 5] = ["name", "source_path", "done", "note", "flags"];

/// What a stored document's records held that raqim has no field for, as the writer
/// of `format` takes it: only what came in that format (see [`formats::Foreign`]).
pub fn foreign_for(
    stored: Option<&serde_json::Map<String, Value>>,
    format: Format,
) -> Option<formats::Foreign> {
    formats::Foreign::from_json(format, stored?.get(format.name())?)
}

/// A record's leftovers as the store keeps them, under its format's name: the
/// format's foreign fields with the keys of `meta` that are not raqim's added under
/// `meta`; `None` when there is nothing to keep.
fn foreign_to_store(r: &Record, format: Format) -> Option<(String, Value)> {
    let mut foreign = r.foreign_for(format).cloned().unwrap_or(formats::Foreign {
        format,
        fields: Default::default(),
        layout: Default::default(),
    });
    match &r.meta {
        Some(Value::Object(m)) => {
            let theirs: serde_json::Map<String, Value> = m
                .iter()
                .filter(|(k, _)| !RAQIM_META.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !theirs.is_empty() {
                formats::merge_foreign(
                    &mut foreign.fields,
                    &serde_json::Map::from_iter([("meta".to_string(), Value::Object(theirs))]),
                );
            }
        }
        // A meta that is not an object is the record's own whole.
        Some(v) if !v.is_null() => {
            foreign.fields.insert("meta".to_string(), v.clone());
        }
        _ => {}
    }
    let f = formats::Foreign::new(format, foreign.fields, foreign.layout)?;
    Some((format.name().to_string(), f.to_json()))
}

/// The documents named on the command line, in that order (each once), or every
/// document in the order it was added when none is named. A name is tried as a
/// document id, an id prefix of at least 8 hex digits, a document name, then a source
/// path as recorded (as given, and made absolute, as the viewer records it).
pub fn resolve(store: &Store, names: &[String]) -> anyhow::Result<Vec<DocumentRow>> {
    let all = store.documents_as_added()?;
    if names.is_empty() {
        return Ok(all);
    }
    let db = store.path().to_path_buf();
    let mut out: Vec<DocumentRow> = Vec::new();
    let mut taken = HashSet::new();
    for name in names {
        let found = find(store, &all, name)?;
        let row = match found.as_slice() {
            [] => {
                return Err(ExchangeError::UnknownDocument {
                    db,
                    doc: name.clone(),
                }
                .into());
            }
            [one] => (*one).clone(),
            many => {
                return Err(ExchangeError::Ambiguous {
                    db,
                    doc: name.clone(),
                    candidates: many
                        .iter()
                        .map(|r| format!("{} {}", short_id(&r.id), r.name))
                        .collect(),
                }
                .into());
            }
        };
        if taken.insert(row.id.clone()) {
            out.push(row);
        }
    }
    Ok(out)
}

fn find<'a>(
    store: &Store,
    all: &'a [DocumentRow],
    name: &str,
) -> Result<Vec<&'a DocumentRow>, StoreError> {
    let by = |f: &dyn Fn(&DocumentRow) -> bool| all.iter().filter(|r| f(r)).collect::<Vec<_>>();
    let exact = by(&|r| r.id == name);
    if !exact.is_empty() {
        return Ok(exact);
    }
    let lower = name.to_ascii_lowercase();
    if lower.len() >= 8 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
        let prefix = by(&|r| r.id.starts_with(&lower));
        if !prefix.is_empty() {
            return Ok(prefix);
        }
    }
    let named = by(&|r| r.name == name);
    if !named.is_empty() {
        return Ok(named);
    }
    let exported = by(&|r| export_id(r) == name);
    if !exported.is_empty() {
        return Ok(exported);
    }
    // A path: the document last recorded for it (the viewer records absolute paths).
    let mut paths = vec![PathBuf::from(name)];
    if let Ok(abs) = std::fs::canonicalize(name) {
        paths.push(abs);
    }
    for p in paths {
        if let Some((id, _)) = store.document_for_path(&p)? {
            return Ok(by(&|r| r.id == id));
        }
    }
    Ok(by(&|r| r.source_path.as_deref() == Some(name)))
}

/// Options of `raqim export`.
#[derive(Debug, Clone)]
pub struct ExportArgs<'a> {
    pub db: &'a Path,
    pub format: Format,
    pub state: ExportState,
    /// The offset unit of the file; `None`: the format's own ([`Format::native_offsets`]).
    pub offsets: Option<Offsets>,
    /// A file (a directory for brat); `None`: standard output.
    pub out: Option<&'a Path>,
    pub docs: &'a [String],
    /// What each record's `id` is.
    pub ids: Ids,
    /// Label Studio: the control and object names every region gets, over the ones
    /// each document's Label Studio file had (else `label`, `text`).
    pub ls_from_name: Option<&'a str>,
    pub ls_to_name: Option<&'a str>,
    /// CoNLL: 2003 (for spaCy, doccano, seqeval; `None` too) or raqim's commented
    /// form.
    pub conll_form: Option<formats::ConllForm>,
    /// The layer written: an annotator's, or `gold`; or, unless `layer_named`, the
    /// caller's name, from which [`default_layer`] chooses.
    pub layer: &'a str,
    /// `layer` was named on the command line (not the caller's own by default): a
    /// layer no document has is then an error.
    pub layer_named: bool,
    /// Every layer of every document, one record per (document, layer) that has spans
    /// or a done mark, each saying its layer ([`Record::layer`]); `layer` is not used.
    pub all_layers: bool,
}

/// The formats whose records say whose annotation they are ([`Record::layer`]), so
/// that `--all-layers` can write several layers in one file.
pub const LAYER_FIELD: [Format; 2] = [Format::Jsonl, Format::Prodigy];

/// The layer an export writes when `--layer` is not given: the caller's own
/// (`annotator`) when they have work in the database (`names`: the layers there are);
/// else the only annotator's layer there is (a database one person filled under
/// another name, e.g. by `import --annotator`); else an error naming the layers there
/// are. A database without any layer gives the caller's (an export of documents
/// without spans).
fn default_layer(db: &Path, names: &[String], annotator: &str) -> anyhow::Result<String> {
    let theirs: Vec<&String> = names.iter().filter(|l| *l != crate::store::GOLD).collect();
    match theirs.as_slice() {
        [] => Ok(annotator.to_string()),
        _ if theirs.iter().any(|l| *l == annotator) => Ok(annotator.to_string()),
        [only] => Ok(only.to_string()),
        _ => anyhow::bail!(
            "{}: {annotator} has no layer here; its layers are {} (and gold once adjudicated): choose one with --layer",
            db.display(),
            theirs
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `raqim export`: writes the records to `args.out` (whole or not at all) or `stdout`,
/// and a line saying what was written to `stderr`.
pub fn export(
    args: &ExportArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> anyhow::Result<()> {
    // A server's database (a URL) is there as far as a path can tell; connecting says.
    if !crate::store::exists(args.db) {
        return Err(ExchangeError::NoDatabase {
            path: args.db.to_path_buf(),
        }
        .into());
    }
    if args.format.is_directory() && args.out.is_none() {
        return Err(ExchangeError::BratNeedsOut.into());
    }
    if args.offsets.is_some() && !args.format.has_offsets() {
        writeln!(
            stderr,
            "raqim: note: {} holds tokens, not offsets; --offsets does not apply",
            args.format
        )?;
    }
    if args.format != Format::LabelStudio
        && (args.ls_from_name.is_some() || args.ls_to_name.is_some())
    {
        writeln!(
            stderr,
            "raqim: note: --ls-from-name and --ls-to-name name Label Studio's tags; they do not apply to {}",
            args.format
        )?;
    }
    if args.format != Format::Conll && args.conll_form.is_some() {
        writeln!(
            stderr,
            "raqim: note: --conll-form chooses how CoNLL is written; it does not apply to {}",
            args.format
        )?;
    }
    if args.all_layers && !LAYER_FIELD.contains(&args.format) {
        return Err(ExchangeError::NoLayerField {
            format: args.format,
        }
        .into());
    }
    if !args.all_layers
        && let Err(why) = crate::store::check_layer(args.layer)
    {
        return Err(ExchangeError::BadLayer {
            layer: args.layer.to_string(),
            why,
        }
        .into());
    }
    let conll_form = args.conll_form.unwrap_or_default();
    let offsets = args.offsets.unwrap_or(args.format.native_offsets());
    // Export only reads: a file without write permission exports too.
    let mut store = Store::open_read_only(args.db)?;
    let rows = resolve(&store, args.docs)?;
    // The layers written, each with the documents (of `rows`) it is written for.
    let worked = store.layers()?;
    let mut names: Vec<String> = worked.iter().map(|l| l.layer.clone()).collect();
    names.sort();
    names.dedup();
    if args.layer_named && !args.all_layers && !names.iter().any(|n| n == args.layer) {
        return Err(ExchangeError::UnknownLayer {
            db: args.db.to_path_buf(),
            layer: args.layer.to_string(),
            known: names,
        }
        .into());
    }
    let chosen;
    let layer = if args.layer_named || args.all_layers {
        args.layer
    } else {
        chosen = default_layer(args.db, &names, args.layer)?;
        chosen.as_str()
    };
    // The documents of `rows` that have work in layer `name`.
    let worked_in = |name: &str| -> Vec<DocumentRow> {
        let has: HashSet<&str> = worked
            .iter()
            .filter(|l| l.layer == name)
            .map(|l| l.doc.as_str())
            .collect();
        rows.iter()
            .filter(|r| has.contains(r.id.as_str()))
            .cloned()
            .collect()
    };
    let passes: Vec<(String, Vec<DocumentRow>)> = if args.all_layers {
        names
            .iter()
            .map(|name| (name.clone(), worked_in(name)))
            .collect()
    } else if layer == crate::store::GOLD {
        // Gold is written for the documents adjudicated (with a span or a done mark
        // there): one not yet adjudicated would read as a text without entities.
        let docs = worked_in(layer);
        let left = rows.len() - docs.len();
        if left > 0 {
            writeln!(
                stderr,
                "raqim: note: {left} of {} documents have no gold yet (not adjudicated): left out",
                rows.len()
            )?;
        }
        vec![(layer.to_string(), docs)]
    } else {
        vec![(layer.to_string(), rows.clone())]
    };
    // (place of the document in `rows`, layer) of each record, to order them.
    let place: std::collections::HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut records: Vec<(usize, Record)> = Vec::with_capacity(rows.len());
    let mut unreviewed: Vec<String> = Vec::new();
    for (layer, rows) in &passes {
        store.set_layer(layer);
        store.read_documents::<StoreError>(rows, |d| {
            let untouched = d.spans.is_empty() && !d.row.done;
            // A layer only looked at (a view kept, nothing done) is not written.
            if args.all_layers && untouched {
                return Ok(());
            }
            let at = place.get(d.row.id.as_str()).copied().unwrap_or(usize::MAX);
            let name = if args.all_layers {
                format!("{} ({layer})", d.row.name)
            } else {
                d.row.name.clone()
            };
            let mut r = match export_record(d, args, &mut unreviewed, name) {
                Some(r) => r,
                None => return Ok(()),
            };
            if args.all_layers {
                r.layer = Some(layer.clone());
            }
            records.push((at, r));
            Ok(())
        })?;
    }
    drop(store);
    // In document order, each document's layers by name (the passes were by layer).
    records.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.layer.cmp(&b.1.layer)));
    let records: Vec<Record> = records.into_iter().map(|(_, r)| r).collect();
    write_export(
        args, records, unreviewed, offsets, conll_form, stdout, stderr,
    )
}

/// A document read for an export as its record, or `None` for one Prodigy would
/// misread (listed in `unreviewed` under `name`).
fn export_record(
    d: FullDocument,
    args: &ExportArgs,
    unreviewed: &mut Vec<String>,
    name: String,
) -> Option<Record> {
    // Prodigy reads an accepted task's spans as all its entities: a document with
    // suggestions still to review, or a text nobody has reviewed (no span, not marked
    // done), would teach that there are none.
    let prodigy = args.format == Format::Prodigy;
    let pending = d.spans.iter().any(|s| s.span.state == State::Pending);
    let untouched = d.spans.is_empty() && !d.row.done;
    if prodigy && args.state == ExportState::Accepted && (pending || untouched) {
        unreviewed.push(name);
        return None;
    }
    let mut foreign = foreign_for(d.foreign.as_ref(), args.format);
    if prodigy && untouched {
        // Written without an answer (pending spans say so by themselves).
        let f = foreign.get_or_insert_with(|| formats::Foreign {
            format: Format::Prodigy,
            fields: Default::default(),
            layout: Default::default(),
        });
        f.layout.insert("answer".to_string(), Value::Null);
    }
    if args.format == Format::LabelStudio {
        let names = [
            ("from_name", args.ls_from_name),
            ("to_name", args.ls_to_name),
        ];
        for (key, name) in names {
            if let Some(name) = name {
                let f = foreign.get_or_insert_with(|| formats::Foreign {
                    format: Format::LabelStudio,
                    fields: Default::default(),
                    layout: Default::default(),
                });
                f.layout.insert(key.to_string(), Value::from(name));
            }
        }
    }
    let mut r = to_record(d, args.state, args.ids);
    r.foreign = foreign;
    Some(r)
}

/// Writes an export's records where `args` says, and what was written to `stderr`.
fn write_export(
    args: &ExportArgs,
    records: Vec<Record>,
    unreviewed: Vec<String>,
    offsets: Offsets,
    conll_form: formats::ConllForm,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> anyhow::Result<()> {
    // Two documents of one name (two folders' a.txt, a text edited after it was
    // annotated) get one id: said, since a tool that reads the file by id would
    // merge them (brat gives them files of their own).
    // (With every layer, a document's records share its id by design: one a layer.)
    let mut seen: std::collections::HashMap<&str, usize> = Default::default();
    for r in &records {
        *seen.entry(r.id.as_str()).or_default() += 1;
    }
    if args.all_layers {
        let mut one_a_layer: std::collections::HashMap<(&str, Option<&str>), usize> =
            Default::default();
        for r in &records {
            *one_a_layer
                .entry((r.id.as_str(), r.layer.as_deref()))
                .or_default() += 1;
        }
        seen = Default::default();
        for ((id, _), n) in one_a_layer {
            let e = seen.entry(id).or_default();
            *e = (*e).max(n);
        }
    }
    let mut shared: Vec<(&str, usize)> = seen.into_iter().filter(|(_, n)| *n > 1).collect();
    shared.sort();
    // brat names each such document's files apart, and says so below.
    if args.format == Format::Brat {
        shared.clear();
    }
    for (id, n) in shared {
        writeln!(
            stderr,
            "raqim: note: {n} documents have the id {id:?}; --ids hash tells them apart"
        )?;
    }
    let written = |r: &Record| {
        r.spans
            .iter()
            .filter(|s| args.format == Format::Jsonl || s.state != Some(State::Rejected))
            .count()
    };
    let spans: usize = records.iter().map(written).sum();
    let target = match args.out {
        Some(out) => {
            // A single-file format given a directory writes a file in it.
            let file = if !args.format.is_directory() && out.is_dir() {
                out.join(format!("raqim-export.{}", args.format.extension()))
            } else {
                out.to_path_buf()
            };
            if args.format == Format::Brat {
                let renamed = formats::brat_export_dir(&records, offsets, &file)?;
                for r in renamed {
                    writeln!(
                        stderr,
                        "raqim: note: {:?} written as {}.txt and {}.ann: {}",
                        r.id, r.file, r.file, r.why
                    )?;
                }
            } else if args.format == Format::Conll {
                formats::export_conll(&records, conll_form, &file)?;
            } else {
                formats::export(args.format, &records, offsets, &file)?;
            }
            file.display().to_string()
        }
        None => {
            let s = if args.format == Format::Conll {
                formats::conll_to_string(&records, conll_form)?
            } else {
                formats::export_to_string(args.format, &records, offsets)?
            };
            stdout.write_all(s.as_bytes())?;
            stdout.flush()?;
            "standard output".to_string()
        }
    };
    tracing::info!(
        format = %args.format,
        documents = records.len(),
        spans,
        to = %crate::logging::clip(&target, usize::MAX),
        "export"
    );
    let unit = if args.format.has_offsets() {
        format!(", offsets in {}", unit_name(offsets))
    } else {
        String::new()
    };
    let what = if args.all_layers {
        let texts: HashSet<&str> = records.iter().map(|r| r.text.as_str()).collect();
        let layers: HashSet<Option<&str>> = records.iter().map(|r| r.layer.as_deref()).collect();
        format!(
            "{} ({} in {})",
            count(records.len(), "record"),
            count(texts.len(), "document"),
            count(layers.len(), "layer")
        )
    } else {
        count(records.len(), "document")
    };
    write!(
        stderr,
        "raqim: exported {what}, {} to {target} ({}{unit})",
        count(
            spans,
            match args.state {
                ExportState::Accepted => "accepted span",
                ExportState::All => "span",
            }
        ),
        args.format,
    )?;
    match loses(args.format, conll_form) {
        "" => writeln!(stderr)?,
        lost => writeln!(stderr, "; {} does not keep: {lost}", args.format)?,
    }
    if !unreviewed.is_empty() {
        let mut names = unreviewed
            .iter()
            .take(LISTED)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if unreviewed.len() > LISTED {
            names.push_str(&format!(" and {} more", unreviewed.len() - LISTED));
        }
        writeln!(
            stderr,
            "raqim: left out {} still to review (with pending spans, or no span and not marked \
             done), which Prodigy would read as having no other entities: {names}; --state all \
             writes them without an answer",
            count(unreviewed.len(), "document"),
        )?;
    }
    Ok(())
}

/// "1 document", "2 documents".
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn unit_name(u: Offsets) -> &'static str {
    match u {
        Offsets::CodePoints => "code points",
        Offsets::Utf16 => "UTF-16 code units",
        Offsets::Bytes => "bytes",
    }
}

/// Options of `raqim import`.
#[derive(Debug, Clone)]
pub struct ImportArgs<'a> {
    pub db: &'a Path,
    pub format: Format,
    /// Files, or directories of them (brat: of `.txt`/`.ann` pairs).
    pub paths: &'a [PathBuf],
    pub state: ImportAs,
    /// The source of every imported span; `None`: the span's own, else `import:FORMAT`.
    pub source: Option<&'a str>,
    /// The offset unit of the files; `None`: the format's own.
    pub offsets: Option<Offsets>,
    pub labels: &'a LabelSet,
    pub add_labels: bool,
    pub skip_bad: bool,
    /// brat: import event triggers as spans (by default they are left out and counted).
    pub brat_triggers: bool,
    /// Label Studio: the field of a task's `data` with the text (`None`: `text`, else
    /// the only string field).
    pub ls_field: Option<&'a str>,
    /// doccano's column names (`--column-data`, `--column-label`).
    pub doccano_columns: (Option<&'a str>, Option<&'a str>),
    /// CoNLL: the tag column read (0, or `None`: the first after the token).
    pub conll_column: Option<usize>,
    /// Who imports (the action rows; spans without an annotator of their own).
    pub annotator: &'a str,
    /// `annotator` was named on the command line: every record goes to that layer.
    /// Otherwise a record that names its layer ([`Record::layer`]) goes to it, and
    /// any other to `annotator`'s.
    pub annotator_named: bool,
}

/// What `raqim import` did, as its last line on standard error says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    pub files: usize,
    pub records: usize,
    pub report: ImportReport,
    /// Records, spans and documents left out with `--skip-bad`.
    pub problems: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.report;
        write!(
            f,
            "{} from {}: {} added, {} updated, {} unchanged; {} added, {} skipped, {} skipped, {}",
            count(self.records, "record"),
            count(self.files, "file"),
            count(r.docs_added, "document"),
            r.docs_updated,
            r.docs_unchanged,
            count(r.spans_added, "span"),
            count(r.duplicates, "duplicate"),
            count(r.conflicts.len(), "conflict"),
            count(self.problems, "problem")
        )
    }
}

/// The files an import reads: each path, with a directory standing for its files of
/// the format's extension, sorted (brat reads its directories itself, but one without
/// a `.txt` is refused here like the other formats' empty directories, before the
/// database is created).
fn input_files(format: Format, paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if !p.is_dir() {
            out.push(p.clone());
            continue;
        }
        let ext = if format.is_directory() {
            "txt"
        } else {
            format.extension()
        };
        let mut found: Vec<PathBuf> = std::fs::read_dir(p)
            .with_context(|| format!("{}: cannot read the directory", p.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == ext))
            .collect();
        if found.is_empty() {
            anyhow::bail!(
                "{}: a directory without .{ext} files to import as {format}",
                p.display(),
            );
        }
        if format.is_directory() {
            out.push(p.clone());
            continue;
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// The flags a record carries, as [`to_record`] writes them: the record's own
/// (`"flagged": true`, note in `meta.note`), its spans' (the same on a span), and
/// `meta.flags` (stretches without a span in the file, in code points whatever the
/// file's `--offsets`).
fn record_flags(r: &Record) -> Vec<(Option<(usize, usize)>, String)> {
    let note = |meta: Option<&Value>| {
        meta.and_then(|m| m.get("note"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let len = r.text.chars().count();
    let mut out = Vec::new();
    if r.flagged {
        out.push((None, note(r.meta.as_ref())));
    }
    for s in r.spans.iter().filter(|s| s.flagged) {
        out.push((Some((s.start, s.end)), note(s.meta.as_ref())));
    }
    let listed = r
        .meta
        .as_ref()
        .and_then(|m| m.get("flags"))
        .and_then(Value::as_array);
    for f in listed.into_iter().flatten() {
        let at = |k: &str| f.get(k).and_then(Value::as_u64).map(|n| n as usize);
        // In code points, as export writes them; one off the text is passed over.
        if let (Some(a), Some(b)) = (at("start"), at("end"))
            && a < b
            && b <= len
        {
            out.push((Some((a, b)), note(Some(f))));
        }
    }
    out
}

/// A record as a document to import: its id is the hash of its text; its name the
/// `name` of its meta (raqim's own exports), else the record id, which is kept (an
/// export writes it back) unless it is the text's hash (raqim's exports before
/// names); state, source, score and annotator the span's own where the file gives
/// them; its flags ([`record_flags`]).
pub fn to_import_doc(r: Record, format: Format, args: &ImportArgs) -> ImportDoc {
    let flags = record_flags(&r);
    let foreign = foreign_to_store(&r, format);
    let meta = r.meta.as_ref().and_then(Value::as_object);
    let meta_str = |k: &str| meta.and_then(|m| m.get(k)).and_then(Value::as_str);
    let name = meta_str("name").unwrap_or(&r.id).to_string();
    let source_path = meta_str("source_path").map(str::to_string);
    // A task accepted in Prodigy is a reviewed text, with or without spans.
    let accepted_task = format == Format::Prodigy
        && r.foreign_for(Format::Prodigy)
            .and_then(|f| f.fields.get("answer"))
            .is_some_and(|a| a == "accept");
    let done = meta
        .and_then(|m| m.get("done"))
        .and_then(Value::as_bool)
        .unwrap_or(accepted_task);
    let default_state = match args.state {
        ImportAs::Suggestions => State::Pending,
        ImportAs::Accepted => State::Accepted,
    };
    let default_source = format!("import:{format}");
    let spans = r
        .spans
        .into_iter()
        .map(|s| ImportSpan {
            span: NewSpan {
                start: s.start,
                end: s.end,
                state: s.state.unwrap_or(default_state),
                source: match args.source {
                    Some(src) => src.to_string(),
                    None => s.source.unwrap_or_else(|| default_source.clone()),
                },
                // A span without a score counts as sure, like one the analyst makes.
                score: s.score.filter(|x| x.is_finite()).unwrap_or(1.0),
                label: s.label,
            },
            annotator: s.annotator.unwrap_or_else(|| args.annotator.to_string()),
        })
        .collect();
    let id = document_id(&r.text);
    let layer = if args.annotator_named {
        args.annotator.to_string()
    } else {
        r.layer.unwrap_or_else(|| args.annotator.to_string())
    };
    ImportDoc {
        record_id: (r.id != id).then_some(r.id),
        id,
        name,
        source_path,
        text: r.text,
        done,
        spans,
        flags,
        foreign,
        layer: Some(layer),
    }
}

/// The import into an existing database: it is read whole first (a damaged file is
/// not written into), the documents it has are locked (one open in a viewer is refused,
/// or left out with `--skip-bad`), then everything is added in one transaction.
/// Returns the documents imported and their origins.
#[allow(clippy::type_complexity)]
fn import_existing(
    args: &ImportArgs,
    docs: Vec<ImportDoc>,
    origin: Vec<(String, String)>,
    summary: &mut ImportSummary,
    stderr: &mut dyn Write,
    payload: &dyn Fn(&[(String, String)], usize, usize) -> String,
) -> anyhow::Result<(Vec<ImportDoc>, Vec<(String, String)>)> {
    // Every page is read (1 to 2.5 s for a million spans), before anything is written
    // (a migration included): SQLite would notice damage only where the import's
    // queries reach, and could write beside it.
    Store::open_read_only(args.db)?.verify()?;
    let mut store = Store::open(args.db)?;
    store.set_layer(args.annotator);
    // A document open in a viewer would not see the new spans and could undo over them.
    let known: HashSet<String> = store.documents()?.into_iter().map(|d| d.id).collect();
    let mut locks = Vec::new();
    let mut refused: HashSet<(&str, &str)> = HashSet::new();
    let mut tried: HashSet<(&str, &str)> = HashSet::new();
    for (i, d) in docs.iter().enumerate() {
        let layer = d.layer.as_deref().unwrap_or(args.annotator);
        if !known.contains(&d.id) || !tried.insert((&d.id, layer)) {
            continue;
        }
        // The lock is the layer's: another analyst's viewer on the document is no
        // obstacle, the one of the layer written into is.
        store.set_layer(layer);
        match store.lock_document(&d.id, args.annotator) {
            Ok(l) => locks.push(l),
            Err(StoreError::DocumentInUse { holder, .. }) => {
                if !args.skip_bad {
                    return Err(ExchangeError::InUse {
                        db: args.db.to_path_buf(),
                        doc: d.id.clone(),
                        name: d.name.clone(),
                    }
                    .into());
                }
                // Said as an import, not in the viewer's words ("opening it read-only").
                writeln!(
                    stderr,
                    "raqim: skipped {} ({}, record {:?}): the document is open in {holder}; \
                     nothing was imported into it",
                    d.name, origin[i].0, origin[i].1
                )?;
                refused.insert((&d.id, layer));
            }
            Err(e) => return Err(e.into()),
        }
    }
    store.set_layer(args.annotator);
    let keep: Vec<bool> = docs
        .iter()
        .map(|d| {
            let layer = d.layer.as_deref().unwrap_or(args.annotator);
            !refused.contains(&(d.id.as_str(), layer))
        })
        .collect();
    summary.problems += keep.iter().filter(|k| !**k).count();
    let (docs, origin): (Vec<ImportDoc>, Vec<(String, String)>) = docs
        .into_iter()
        .zip(origin)
        .zip(keep)
        .filter_map(|(x, k)| k.then_some(x))
        .unzip();
    summary.report = store.import_documents(&docs, "import", args.annotator, &|i, n| {
        payload(&origin, i, n)
    })?;
    drop(locks);
    Ok((docs, origin))
}

/// At most this many conflicts are listed one by one.
const LISTED: usize = 20;

/// `raqim import`: reads every file, then adds what they hold in one transaction;
/// without `skip_bad` a bad record anywhere (or a document open in another raqim)
/// means nothing is imported. Messages and the summary go to `stderr`.
pub fn import(args: &ImportArgs, stderr: &mut dyn Write) -> anyhow::Result<ImportSummary> {
    // `gold` included: `--annotator gold` imports an adjudicated file into gold.
    if let Err(why) = crate::store::check_layer(args.annotator) {
        anyhow::bail!(
            "--annotator {:?}: {why}; nothing was imported",
            args.annotator
        );
    }
    let files = input_files(args.format, args.paths)?;
    if args.brat_triggers && args.format != Format::Brat {
        writeln!(
            stderr,
            "raqim: note: --brat-triggers applies to brat files only; {} has no event triggers",
            args.format
        )?;
    }
    if args.format != Format::LabelStudio && args.ls_field.is_some() {
        writeln!(
            stderr,
            "raqim: note: --ls-field names a field of Label Studio's tasks; it does not apply to {}",
            args.format
        )?;
    }
    let (data, label) = args.doccano_columns;
    if args.format != Format::Doccano && (data.is_some() || label.is_some()) {
        writeln!(
            stderr,
            "raqim: note: --column-data and --column-label name doccano's columns; they do not apply to {}",
            args.format
        )?;
    }
    if args.format != Format::Conll && args.conll_column.is_some() {
        writeln!(
            stderr,
            "raqim: note: --conll-column chooses a CoNLL tag column; it does not apply to {}",
            args.format
        )?;
    }
    let opts = ImportOptions {
        offsets: args.offsets.unwrap_or(args.format.native_offsets()),
        labels: Some(args.labels),
        add_labels: args.add_labels,
        skip_bad: args.skip_bad,
        brat_triggers: args.brat_triggers,
        ls_field: args.ls_field,
        conll_column: args.conll_column.unwrap_or(0),
        doccano_columns: args.doccano_columns,
    };
    let mut summary = ImportSummary {
        files: files.len(),
        ..Default::default()
    };
    let mut docs = Vec::new();
    // For messages: the file and record id of each document to import.
    let mut origin: Vec<(String, String)> = Vec::new();
    let mut new_labels: Vec<String> = Vec::new();
    for file in &files {
        let imported = formats::import(args.format, file, &opts).map_err(|e| {
            anyhow::anyhow!(
                "{e} (nothing was imported; --skip-bad imports the good records and reports the bad)"
            )
        })?;
        for e in &imported.problems {
            writeln!(stderr, "raqim: skipped {e}")?;
        }
        summary.problems += imported.problems.len();
        for l in imported.new_labels {
            if !new_labels.contains(&l) {
                new_labels.push(l);
            }
        }
        for (what, n) in &imported.ignored {
            // A kind that names the flag that would take it has a place after all.
            let why = if what.contains("--") {
                ""
            } else {
                " (raqim has no place for them)"
            };
            writeln!(
                stderr,
                "raqim: {}: passed over {n} × {what}{why}",
                file.display()
            )?;
        }
        for (what, n) in &imported.notes {
            writeln!(stderr, "raqim: {}: {n} × {what}", file.display())?;
        }
        if imported.unanswered > 0 && args.state == ImportAs::Accepted {
            writeln!(
                stderr,
                "raqim: {}: {} without an answer (not annotated in Prodigy): their spans were imported as accepted, as --as accepted says",
                file.display(),
                count(imported.unanswered, "task")
            )?;
        }
        for r in imported.records {
            if !args.annotator_named
                && let Some(layer) = &r.layer
                && let Err(why) = crate::store::check_layer(layer)
            {
                return Err(ExchangeError::BadRecordLayer {
                    file: file.display().to_string(),
                    record: r.id.clone(),
                    layer: layer.clone(),
                    why,
                }
                .into());
            }
            origin.push((file.display().to_string(), r.id.clone()));
            docs.push(to_import_doc(r, args.format, args));
        }
    }
    summary.records = docs.len();
    let format = args.format.name();
    let payload = |origin: &[(String, String)], i: usize, spans: usize| {
        json!({
            "format": format,
            "file": origin[i].0,
            "record": origin[i].1,
            "spans": spans,
        })
        .to_string()
    };
    // A new database is filled beside its place and moved there whole: a failure
    // (a full disk) leaves nothing behind. If another raqim made one there meanwhile,
    // the import goes into that one.
    let mut published = false;
    // A server's database is never made here: it goes the way of an existing one
    // (its documents locked first).
    if !crate::store::exists(args.db) && !args.db.try_exists().unwrap_or(true) {
        let mut store = Store::create(args.db)?;
        store.set_layer(args.annotator);
        let report = store.import_documents(&docs, "import", args.annotator, &|i, n| {
            payload(&origin, i, n)
        })?;
        if store.publish()? {
            summary.report = report;
            published = true;
        }
    }
    let (docs, origin) = if published {
        (docs, origin)
    } else {
        import_existing(args, docs, origin, &mut summary, stderr, &payload)?
    };
    let conflicts = &summary.report.conflicts;
    for c in conflicts.iter().take(LISTED) {
        let d = &docs[c.doc];
        let s = &d.spans[c.span].span;
        let (ws, we, wl, wstate) = &c.with;
        writeln!(
            stderr,
            "raqim: conflict: {} ({}, record {:?}): {}..{} {} overlaps the {} span {ws}..{we} {wl} already there; skipped",
            d.name,
            origin[c.doc].0,
            origin[c.doc].1,
            s.start,
            s.end,
            s.label,
            wstate.as_str()
        )?;
    }
    if conflicts.len() > LISTED {
        writeln!(
            stderr,
            "raqim: ... and {} more conflicts",
            conflicts.len() - LISTED
        )?;
    }
    if !new_labels.is_empty() {
        writeln!(
            stderr,
            "raqim: labels not in the label set, imported as they are: {}",
            new_labels.join(", ")
        )?;
    }
    writeln!(
        stderr,
        "raqim: imported into {} ({format}): {summary}",
        args.db.display()
    )?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Flag, StoredSpan};

    fn row(name: &str, record_id: Option<&str>) -> DocumentRow {
        DocumentRow {
            id: document_id("قال محمد"),
            name: name.to_string(),
            source_path: None,
            done: false,
            added: 0,
            record_id: record_id.map(str::to_string),
        }
    }

    #[test]
    fn an_article_is_exported_under_its_file_name_without_txt_and_a_record_under_its_id() {
        assert_eq!(export_id(&row("deir-ez-zor.txt", None)), "deir-ez-zor");
        assert_eq!(export_id(&row("notes.md", None)), "notes.md");
        assert_eq!(export_id(&row(".txt", None)), ".txt");
        assert_eq!(export_id(&row("Damascus story", Some("a-7"))), "a-7");
    }

    #[test]
    fn a_flag_goes_to_the_live_span_on_its_stretch_not_a_rejected_one() {
        let span = |id: i64, label: &str, state: State| StoredSpan {
            id,
            span: NewSpan {
                start: 4,
                end: 8,
                label: label.to_string(),
                state,
                source: "gazetteer".to_string(),
                score: 0.5,
            },
            annotator: "ana".to_string(),
            created: 0,
            updated: 0,
        };
        let doc = FullDocument {
            row: row("a.txt", None),
            text: "قال محمد".to_string(),
            // Stored by start, end, id: the rejected one first.
            spans: vec![
                span(1, "ORG", State::Rejected),
                span(2, "PER", State::Accepted),
            ],
            flags: vec![Flag {
                place: Some((4, 8)),
                note: "which Mohammed?".to_string(),
                annotator: "ana".to_string(),
                at: 0,
            }],
            foreign: None,
        };
        let r = to_record(doc, ExportState::All, Ids::Name);
        let flagged: Vec<(&str, bool)> = r
            .spans
            .iter()
            .map(|s| (s.label.as_str(), s.flagged))
            .collect();
        assert_eq!(flagged, [("ORG", false), ("PER", true)]);
        assert_eq!(r.spans[1].meta, Some(json!({"note": "which Mohammed?"})));
        assert!(r.meta.unwrap().get("flags").is_none());
    }
}
