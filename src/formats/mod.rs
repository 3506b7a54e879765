//! Interchange formats: one module per format, each with an import and an export over
//! one neutral model ([`Record`], [`RecordSpan`]).
//!
//! Owns: reading a file of another tool into records, checking every offset, label and
//! quoted span text on the way (errors name the file, the line or record, and the
//! field), and writing records back in that tool's shape. Offsets in the model are
//! Unicode code points, `end` exclusive; the file side may be code points, UTF-16 code
//! units or UTF-8 bytes ([`Offsets`], converted with `offsets::OffsetMap`).
//!
//! Must not: touch the store or the terminal, or normalize text (a record's text is
//! written and read back byte for byte).
//!
//! What each format keeps is stated by [`expected_round_trip`]: what an import of an
//! export gives back, so that a caller can warn about what a format loses and tests
//! can check the promise. In short:
//!
//! | format | keeps | loses |
//! |---|---|---|
//! | `jsonl` (native) | everything (the layer as the record's `annotator`), and the line's other keys (foreign fields) | nothing |
//! | `prodigy` | id, text, meta, flags, the layer (`_annotator_id`, written in `_session_id` too), spans with state, source, score, annotator, flags (a span without state takes the task's answer); the line's other keys (foreign fields: `_input_hash`, `_task_hash`, `_view_id`...) | rejected spans; the file's tokens (raqim writes its own) |
//! | `doccano` | id, text, meta, spans, the line's other keys (foreign fields) | rejected spans; state, source, score, annotator; the layer; flags; relations |
//! | `label-studio` | id (the task id when it named the record), text and its field, object meta, the task's and `data`'s other fields, the regions' control names; accepted spans as annotations, pending ones as predictions (source = `model_version`, score) | rejected spans; annotator; the layer; the source of accepted spans; flags; annotation, prediction and region ids and their other fields |
//! | `brat` | text, spans, ids as safe file names (`-2`... against collisions) | rejected spans; meta; state, source, score, annotator, the layer, flags; refuses a span across a line break; on import events, relations, attributes, normalizations, notes and (unless asked for) event triggers are passed over and counted |
//! | `conll` (CoNLL-2003) | tokens and tags | rejected spans; the id; the text's spacing (rebuilt from the tokens); a record without tokens; meta; state, source, score, annotator, the layer, flags; refuses overlapping spans, spans starting or ending on white space |
//! | `conll` commented ([`ConllForm::Commented`]) | id, text, spans | as CoNLL-2003 but for the id and the text |
//!
//! The layer ([`Record::layer`]: whose annotation a record is) has a field in `jsonl`
//! and `prodigy` only, so only they can hold several layers of a document in one file
//! (`raqim export --all-layers`).
//!
//! Foreign fields ([`Foreign`]) are what a record held that the model has no field for;
//! they are written back only by the format that read them.
//!
//! Every format refuses a text with a NUL character, on import (as a `.txt` with one
//! is refused) and on export; a score must be from 0 to 1 on import, and export
//! leaves out one that is not (no import would take it back).
//!
//! Import with `skip_bad` drops the smallest bad unit, a span or a record, and returns
//! why in [`Imported::problems`]; without it the first problem is the error.

mod brat;
mod conll;
mod doccano;
mod error;
mod jsonl;
mod label_studio;
mod prodigy;
pub(crate) mod tokens;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::annotation::State;
use crate::corpus::DocRecord;
use crate::corpus::numbered_lines as lines;
use crate::offsets::OffsetMap;
pub use crate::offsets::Offsets;
use crate::suggest::labels::LabelSet;
pub use brat::{
    Renamed as BratRenamed, export_dir as brat_export_dir, read_pair as brat_read_pair,
    write_pair as brat_write_pair,
};
pub use conll::{ConllForm, DOCSTART as CONLL_DOCSTART};
pub use error::{FormatError, Location};
pub use tokens::{Token, tokenize_for_spans};

/// One document with its spans, as every format reads and writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub id: String,
    /// Whose annotation this is: the store's layer it was exported from (an
    /// annotator's name, or `gold`), written in the format's own field (raqim's
    /// record-level `annotator`, Prodigy's `_annotator_id`); `None` where the record
    /// does not say (every export but `--all-layers`, and formats without such a field).
    #[serde(rename = "annotator", skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    pub text: String,
    pub spans: Vec<RecordSpan>,
    /// The analyst flagged the document "unsure, to discuss" (Prodigy's task flag);
    /// the note, if any, is `meta.note`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub flagged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    /// What the record held that the model has no field for, to be written back in the
    /// format it came from (see [`Foreign`]). Not part of raqim's own JSON shape: the
    /// `jsonl` writer merges its own leftovers into the line, as every writer does.
    #[serde(skip)]
    pub foreign: Option<Foreign>,
}

/// A record's leftovers: what its reader took no meaning from, kept so that an export
/// in the same format gives it back (a URL in `meta`, a Label Studio task's other
/// `data` fields and its `id`, doccano's other keys, Prodigy's `_input_hash`).
///
/// Tagged with the format that read it: only that format's writer uses it, since a
/// field of one tool means nothing (or something else) to another. Each format module
/// decides what goes in:
/// - `fields`: keys of the record in the file's own shape, written back merged under
///   what the writer writes (its own keys win; an object such as `meta` or `data` is
///   merged one level down, see [`merge_foreign`]). A record's `meta` is not here:
///   the reader keeps it in [`Record::meta`], and the caller (`exchange`) splits off
///   raqim's own keys from the others.
/// - `layout`: how the record was laid out, for the writer to lay it out again the
///   same way (Label Studio's control names and text field); never written as keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Foreign {
    pub format: Format,
    pub fields: Map<String, Value>,
    pub layout: Map<String, Value>,
}

impl Foreign {
    /// Leftovers of `format`, or `None` when there are none.
    pub fn new(
        format: Format,
        fields: Map<String, Value>,
        layout: Map<String, Value>,
    ) -> Option<Foreign> {
        (!fields.is_empty() || !layout.is_empty()).then_some(Foreign {
            format,
            fields,
            layout,
        })
    }

    /// As the store keeps it, under the format's name: `{"fields": {..}, "layout":
    /// {..}}` (empty parts left out).
    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        if !self.fields.is_empty() {
            o.insert("fields".into(), Value::Object(self.fields.clone()));
        }
        if !self.layout.is_empty() {
            o.insert("layout".into(), Value::Object(self.layout.clone()));
        }
        Value::Object(o)
    }

    /// Read back from [`Foreign::to_json`]; parts that are not objects are passed over
    /// (the store's JSON is written only by raqim).
    pub fn from_json(format: Format, v: &Value) -> Option<Foreign> {
        let part = |k: &str| {
            v.get(k)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        Foreign::new(format, part("fields"), part("layout"))
    }
}

impl Record {
    /// The record's leftovers if they came from `format` (see [`Foreign`]).
    pub fn foreign_for(&self, format: Format) -> Option<&Foreign> {
        self.foreign.as_ref().filter(|f| f.format == format)
    }
}

/// The keys of a JSON record its reader did not take (`known`), as
/// [`Foreign::fields`].
pub(crate) fn leftovers(o: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    o.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Merges a record's foreign fields into what a writer made of it: a key the writer
/// wrote keeps the writer's value, except that two objects (`meta`, Label Studio's
/// `data`) are merged one level down the same way; a key it did not write is added.
pub fn merge_foreign(out: &mut Map<String, Value>, fields: &Map<String, Value>) {
    for (k, v) in fields {
        match (out.get_mut(k), v) {
            (None, _) => {
                out.insert(k.clone(), v.clone());
            }
            (Some(Value::Object(mine)), Value::Object(theirs)) => {
                for (ik, iv) in theirs {
                    if !mine.contains_key(ik) {
                        mine.insert(ik.clone(), iv.clone());
                    }
                }
            }
            (Some(_), _) => {}
        }
    }
}

/// A record's `meta` (null or absent: none) with the foreign fields' `meta` merged in
/// as [`merge_foreign`] does when a writer writes them.
pub(crate) fn meta_with_foreign(
    meta: Option<&Value>,
    fields: &Map<String, Value>,
) -> Option<Value> {
    let mut wrapped = Map::new();
    if let Some(m) = meta.filter(|m| !m.is_null()) {
        wrapped.insert("meta".to_string(), m.clone());
    }
    if let Some(theirs) = fields.get("meta") {
        merge_foreign(
            &mut wrapped,
            &Map::from_iter([("meta".to_string(), theirs.clone())]),
        );
    }
    wrapped.remove("meta")
}

/// One span. Offsets are code points into [`Record::text`], `end` exclusive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordSpan {
    pub start: usize,
    pub end: usize,
    pub label: String,
    /// `None` where the format does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotator: Option<String>,
    /// The analyst flagged the span "unsure, to discuss"; the note, if any, is
    /// `meta.note`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub flagged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

impl RecordSpan {
    /// A span with a label and nothing else known.
    pub fn new(start: usize, end: usize, label: &str) -> RecordSpan {
        RecordSpan {
            start,
            end,
            label: label.to_string(),
            state: None,
            source: None,
            score: None,
            annotator: None,
            flagged: false,
            meta: None,
        }
    }

    fn is_rejected(&self) -> bool {
        self.state == Some(State::Rejected)
    }
}

impl From<DocRecord> for Record {
    /// A gold or suggestion record of `corpus` (code points), with no state.
    fn from(d: DocRecord) -> Record {
        Record {
            layer: None,
            id: d.id,
            text: d.text,
            spans: d
                .spans
                .into_iter()
                .map(|s| RecordSpan {
                    source: s.source,
                    score: s.score,
                    ..RecordSpan::new(s.start, s.end, &s.label)
                })
                .collect(),
            flagged: false,
            meta: None,
            foreign: None,
        }
    }
}

/// The interchange formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// raqim's own JSON lines (Prodigy-compatible), every field kept.
    Jsonl,
    /// Prodigy tasks: `text`, `tokens`, `spans` with `token_start`/`token_end`.
    Prodigy,
    /// doccano sequence labeling JSON lines: `text`, `label: [[start, end, LABEL]]`.
    Doccano,
    /// Label Studio JSON: an array of tasks with `annotations` and `predictions`.
    LabelStudio,
    /// brat standoff: a directory of `.txt` + `.ann` pairs.
    Brat,
    /// CoNLL IOB2: CoNLL-2003 (`TOKEN TAG`, `-DOCSTART-` between documents), or
    /// raqim's form with `# id` / `# text` comments per document ([`ConllForm`]).
    Conll,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Jsonl,
        Format::Prodigy,
        Format::Doccano,
        Format::LabelStudio,
        Format::Brat,
        Format::Conll,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Prodigy => "prodigy",
            Format::Doccano => "doccano",
            Format::LabelStudio => "label-studio",
            Format::Brat => "brat",
            Format::Conll => "conll",
        }
    }

    /// The offset unit the tool itself stores, a sensible default for a command line:
    /// doccano counts UTF-16 units (browser selections), the others code points.
    pub fn native_offsets(self) -> Offsets {
        match self {
            Format::Doccano => Offsets::Utf16,
            _ => Offsets::CodePoints,
        }
    }

    /// True when import and export take a directory (brat), not one file.
    pub fn is_directory(self) -> bool {
        self == Format::Brat
    }

    /// True when the file holds offsets at all (CoNLL holds tokens only, so the
    /// `Offsets` unit does not apply to it).
    pub fn has_offsets(self) -> bool {
        self != Format::Conll
    }

    /// The usual file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jsonl | Format::Prodigy | Format::Doccano => "jsonl",
            Format::LabelStudio => "json",
            Format::Brat => "",
            Format::Conll => "conll",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "jsonl" | "raqim" => Ok(Format::Jsonl),
            "prodigy" => Ok(Format::Prodigy),
            "doccano" => Ok(Format::Doccano),
            "label-studio" | "labelstudio" | "ls" => Ok(Format::LabelStudio),
            "brat" => Ok(Format::Brat),
            "conll" | "iob" | "iob2" => Ok(Format::Conll),
            _ => Err(format!(
                "'{s}' is not one of: {}",
                Format::ALL.map(Format::name).join(", ")
            )),
        }
    }
}

/// How to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions<'a> {
    /// The unit of the offsets in the file.
    pub offsets: Offsets,
    /// Labels must be in this set (unless `add_labels`); `None` accepts any label.
    pub labels: Option<&'a LabelSet>,
    /// Accept labels missing from `labels`, and list them in [`Imported::new_labels`].
    pub add_labels: bool,
    /// Drop bad spans and records (listed in [`Imported::problems`]) instead of failing.
    pub skip_bad: bool,
    /// brat: import the T lines of event triggers (named by E lines) as spans; by
    /// default they are left out and counted, since the events they anchor are not
    /// imported.
    pub brat_triggers: bool,
    /// Label Studio: the field of a task's `data` that holds the text (`$content` in
    /// a template is `content`); `None`: `text`, else the only string field.
    pub ls_field: Option<&'a str>,
    /// CoNLL: which tag column to read when a line has several (nested entities), from
    /// 0, the first after the token; the others are counted in [`Imported::notes`].
    pub conll_column: usize,
    /// doccano: the names a project gave its text and label columns in doccano's
    /// upload form (`column_data`, `column_label`); `None`: `text`, and `label`,
    /// `labels`, `entities`.
    pub doccano_columns: (Option<&'a str>, Option<&'a str>),
}

/// What an import read.
#[derive(Debug, Default)]
pub struct Imported {
    pub records: Vec<Record>,
    /// What was dropped, with `skip_bad`.
    pub problems: Vec<FormatError>,
    /// Labels not in the label set, in order of first use (with `add_labels`).
    pub new_labels: Vec<String>,
    /// Parts of the file that raqim has no place for and passed over, counted by kind
    /// (brat relations, Label Studio choices...).
    pub ignored: BTreeMap<String, usize>,
    /// Things read in a way the analyst should hear of, counted by kind (Prodigy's
    /// rejected manual tasks, CoNLL's nested tags left out...).
    pub notes: BTreeMap<String, usize>,
    /// Prodigy tasks without an answer whose spans have no state of their own: the
    /// import's `--as` decides them, which the analyst should hear under `--as
    /// accepted`.
    pub unanswered: usize,
}

/// Reads a file (brat: a directory of `.txt`/`.ann` pairs, or one `.txt` or `.ann`).
pub fn import(format: Format, path: &Path, opts: &ImportOptions) -> Result<Imported, FormatError> {
    if format == Format::Brat {
        return brat::import_path(path, opts);
    }
    let name = path.display().to_string();
    let bytes = crate::read_input(path).map_err(|e| FormatError::Read {
        file: name.clone(),
        source: e.source,
    })?;
    import_bytes(format, &name, &bytes, opts)
}

/// Reads the content of one file; `name` names it in errors. Not for brat, which
/// needs two files ([`brat_read_pair`]).
pub fn import_bytes(
    format: Format,
    name: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Imported, FormatError> {
    let src = decode(name, bytes, true)?;
    let mut ctx = Ctx::new(opts);
    match format {
        Format::Jsonl => jsonl::read(name, src, &mut ctx)?,
        Format::Prodigy => prodigy::read(name, src, &mut ctx)?,
        Format::Doccano => doccano::read(name, src, &mut ctx)?,
        Format::LabelStudio => label_studio::read(name, src, &mut ctx)?,
        Format::Conll => conll::read(name, src, &mut ctx)?,
        Format::Brat => {
            return Err(FormatError::Usage {
                format,
                message: "a document is a .txt and an .ann file; read them with import() or brat_read_pair()".into(),
            });
        }
    }
    Ok(ctx.out)
}

/// Writes records: one file, or for brat a directory (created if missing) with one
/// `.txt`/`.ann` pair per record. Every file is written whole or not at all (a
/// temporary file renamed into place); nothing is written if a record cannot be
/// represented. ([`brat_export_dir`] also returns the records brat named otherwise
/// than their id.)
pub fn export(
    format: Format,
    records: &[Record],
    offsets: Offsets,
    out: &Path,
) -> Result<(), FormatError> {
    if format == Format::Brat {
        return brat::export_dir(records, offsets, out).map(|_| ());
    }
    let s = export_to_string(format, records, offsets)?;
    write_file(out, s.as_bytes())
}

/// The content of the exported file (not for brat, which writes two files a record:
/// see [`brat_write_pair`]).
pub fn export_to_string(
    format: Format,
    records: &[Record],
    offsets: Offsets,
) -> Result<String, FormatError> {
    for r in records {
        check_record(format, r)?;
    }
    let records = &with_valid_scores(records);
    match format {
        Format::Jsonl => jsonl::write(records, offsets),
        Format::Prodigy => prodigy::write(records, offsets),
        Format::Doccano => doccano::write(records, offsets),
        Format::LabelStudio => label_studio::write(records, offsets),
        Format::Conll => conll::write(records, ConllForm::default()),
        Format::Brat => Err(FormatError::Usage {
            format,
            message: "brat writes a .txt and an .ann file per record; use export() with a directory or brat_write_pair()".into(),
        }),
    }
}

/// CoNLL in the form asked for (see [`ConllForm`]); [`export_to_string`] writes the
/// default, CoNLL-2003.
pub fn conll_to_string(records: &[Record], form: ConllForm) -> Result<String, FormatError> {
    for r in records {
        check_record(Format::Conll, r)?;
    }
    conll::write(records, form)
}

/// CoNLL in the form asked for, to a file written whole or not at all.
pub fn export_conll(records: &[Record], form: ConllForm, out: &Path) -> Result<(), FormatError> {
    let s = conll_to_string(records, form)?;
    write_file(out, s.as_bytes())
}

/// What importing an export of `records` in `format` gives back (spans in the order
/// the import returns them), or the error the export gives. This is each format's
/// promise, checked by the tests; a caller can compare it with `records` to tell the
/// analyst what the format will lose.
pub fn expected_round_trip(format: Format, records: &[Record]) -> Result<Vec<Record>, FormatError> {
    for r in records {
        check_record(format, r)?;
    }
    let keep = |r: &Record, f: &dyn Fn(&Record, &RecordSpan) -> RecordSpan| Record {
        layer: None,
        id: r.id.clone(),
        text: r.text.clone(),
        spans: r
            .spans
            .iter()
            .filter(|s| !s.is_rejected())
            .map(|s| f(r, s))
            .collect(),
        flagged: false,
        meta: None,
        foreign: None,
    };
    let bare = |_: &Record, s: &RecordSpan| RecordSpan::new(s.start, s.end, &s.label);
    let mut out: Vec<Record> = match format {
        Format::Jsonl => records
            .iter()
            .map(|r| Record {
                spans: r.spans.iter().map(valid_score).collect(),
                meta: r.meta.clone().filter(|m| !m.is_null()),
                ..r.clone()
            })
            .collect(),
        Format::Prodigy => records
            .iter()
            .map(|r| Record {
                flagged: r.flagged,
                meta: r.meta.clone().filter(|m| !m.is_null()),
                layer: r.layer.clone(),
                ..keep(r, &prodigy::expected_span)
            })
            .collect(),
        Format::Doccano => records
            .iter()
            .map(|r| Record {
                meta: r.meta.clone().filter(|m| !m.is_null()),
                ..keep(r, &bare)
            })
            .collect(),
        Format::LabelStudio => records.iter().map(label_studio::expected).collect(),
        Format::Brat => brat::expected(records),
        Format::Conll => conll::expected_2003(records)?,
    };
    // Leftovers come back in the format they came from (Label Studio's own
    // `expected` says what of them it keeps), and in no other.
    if KEEPS_FOREIGN.contains(&format) {
        for (o, r) in out.iter_mut().zip(records) {
            // The foreign `meta` is written inside the record's, and read back as it.
            o.foreign = r.foreign_for(format).and_then(|f| {
                o.meta = meta_with_foreign(o.meta.as_ref(), &f.fields);
                let mut fields = f.fields.clone();
                fields.remove("meta");
                Foreign::new(format, fields, f.layout.clone())
            });
        }
    }
    if format == Format::Prodigy {
        for (o, r) in out.iter_mut().zip(records) {
            o.foreign = prodigy::expected_foreign(r);
        }
    }
    Ok(out)
}

/// The formats whose writers give back a record's foreign fields as they are
/// ([`Foreign`]); Label Studio keeps them too, with its own rules (`label_studio.rs`).
const KEEPS_FOREIGN: [Format; 3] = [Format::Jsonl, Format::Doccano, Format::Prodigy];

/// What importing a CoNLL export of `records` in `form` gives back (for CoNLL-2003,
/// [`expected_round_trip`]'s).
pub fn expected_conll_round_trip(
    records: &[Record],
    form: ConllForm,
) -> Result<Vec<Record>, FormatError> {
    if form == ConllForm::Conll2003 {
        return expected_round_trip(Format::Conll, records);
    }
    for r in records {
        check_record(Format::Conll, r)?;
    }
    Ok(records
        .iter()
        .map(|r| {
            let mut spans: Vec<RecordSpan> = r
                .spans
                .iter()
                .filter(|s| !s.is_rejected())
                .map(|s| RecordSpan::new(s.start, s.end, &s.label))
                .collect();
            spans.sort_by_key(|s| (s.start, s.end));
            Record {
                layer: None,
                id: r.id.clone(),
                text: r.text.clone(),
                spans,
                flagged: false,
                meta: None,
                foreign: None,
            }
        })
        .collect())
}

/// A span as export writes it: a score outside 0..1 (NaN, or out of range in a database
/// filled before import checked scores) is left out, since no import would take it.
fn valid_score(s: &RecordSpan) -> RecordSpan {
    RecordSpan {
        score: s.score.filter(|x| (0.0..=1.0).contains(x)),
        ..s.clone()
    }
}

/// The records as export writes them: [`valid_score`] on every span (copied only when
/// one needs it).
fn with_valid_scores(records: &[Record]) -> std::borrow::Cow<'_, [Record]> {
    let bad = |s: &RecordSpan| s.score.is_some_and(|x| !(0.0..=1.0).contains(&x));
    if !records.iter().any(|r| r.spans.iter().any(bad)) {
        return std::borrow::Cow::Borrowed(records);
    }
    records
        .iter()
        .map(|r| Record {
            spans: r.spans.iter().map(valid_score).collect(),
            ..r.clone()
        })
        .collect()
}

/// Checks a record before export: spans inside the text, start before end, a label
/// each format can write; then what the format itself cannot hold.
fn check_record(format: Format, r: &Record) -> Result<(), FormatError> {
    let len = r.text.chars().count();
    for (i, s) in r.spans.iter().enumerate() {
        let field = format!("spans[{i}]");
        let bad = |m: String| Err(FormatError::export(format, &r.id, field.clone(), m));
        if s.start >= s.end {
            return bad(format!("start {} is not before end {}", s.start, s.end));
        }
        if s.end > len {
            return bad(format!(
                "end {} is past the end of the text ({len} code points)",
                s.end
            ));
        }
        if let Err(m) = label_shape(&s.label) {
            return bad(m);
        }
    }
    // No import reads a text with NUL back, nor would a `.txt` with one open.
    if let Some(m) = crate::document::nul_in_text(&r.text) {
        return Err(FormatError::export(format, &r.id, "text", m));
    }
    match format {
        Format::Brat => brat::check(r),
        Format::Conll => conll::check(r),
        _ => Ok(()),
    }
}

/// A label every format can write: not empty, no white space or control characters
/// (brat and CoNLL separate fields with them).
fn label_shape(label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err("the label is empty".into());
    }
    if label.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "label {label:?} has white space or a control character"
        ));
    }
    Ok(())
}

/// Writes a file whole or not at all.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), FormatError> {
    crate::atomic_write(path, bytes).map_err(|e| FormatError::Write {
        file: path.display().to_string(),
        message: format!("{e:#}"),
    })
}

/// The text of a file: UTF-8 without NUL bytes; a leading byte-order mark is dropped
/// when `strip_bom` (JSON and CoNLL files; a brat `.txt` keeps it, since brat counts
/// it as a character).
fn decode<'b>(name: &str, bytes: &'b [u8], strip_bom: bool) -> Result<&'b str, FormatError> {
    if let Some(why) = crate::document::utf16_bom(bytes) {
        return Err(FormatError::NotText {
            file: name.to_string(),
            offset: 0,
            why,
        });
    }
    let s = std::str::from_utf8(bytes).map_err(|e| FormatError::NotText {
        file: name.to_string(),
        offset: e.valid_up_to(),
        why: "not valid UTF-8 (is the file in another encoding?)",
    })?;
    if let Some(offset) = crate::document::find_nul(bytes) {
        return Err(FormatError::NotText {
            file: name.to_string(),
            offset,
            why: "a NUL byte: this looks like a binary file, not text",
        });
    }
    Ok(if strip_bom {
        s.strip_prefix('\u{FEFF}').unwrap_or(s)
    } else {
        s
    })
}

/// The file name without its directory, for default record ids.
fn base_name(name: &str) -> String {
    Path::new(name)
        .file_name()
        .map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned())
}

/// Import state: options, what was read, what was dropped.
struct Ctx<'o, 'l> {
    opts: &'o ImportOptions<'l>,
    out: Imported,
    new: HashSet<String>,
}

impl<'o, 'l> Ctx<'o, 'l> {
    fn new(opts: &'o ImportOptions<'l>) -> Self {
        Ctx {
            opts,
            out: Imported::default(),
            new: HashSet::new(),
        }
    }

    /// A bad span or record: kept as a problem with `skip_bad`, else the error.
    fn bad(&mut self, e: FormatError) -> Result<(), FormatError> {
        if self.opts.skip_bad {
            self.out.problems.push(e);
            Ok(())
        } else {
            Err(e)
        }
    }

    /// Takes in what another context (of one line) gathered, after what this one has.
    fn merge(&mut self, other: Ctx) {
        self.out.problems.extend(other.out.problems);
        for l in other.out.new_labels {
            if self.new.insert(l.clone()) {
                self.out.new_labels.push(l);
            }
        }
        for (what, n) in other.out.ignored {
            *self.out.ignored.entry(what).or_default() += n;
        }
        for (what, n) in other.out.notes {
            *self.out.notes.entry(what).or_default() += n;
        }
        self.out.unanswered += other.out.unanswered;
        self.out.records.extend(other.out.records);
    }

    fn ignore(&mut self, what: &str) {
        *self.out.ignored.entry(what.to_string()).or_default() += 1;
    }

    fn note(&mut self, what: &str, n: usize) {
        *self.out.notes.entry(what.to_string()).or_default() += n;
    }

    /// Checks a label's shape and that the label set has it; with `add_labels` a new
    /// one is noted instead. Call it last for a span, once nothing else can fail.
    /// `field` names the label's field in an error (made only then).
    fn label(
        &mut self,
        at: &Location,
        field: &dyn Fn() -> String,
        label: &str,
    ) -> Result<(), FormatError> {
        label_shape(label).map_err(|m| FormatError::field(at, field(), m))?;
        let Some(set) = self.opts.labels else {
            return Ok(());
        };
        if set.get(label).is_some() {
            return Ok(());
        }
        if self.opts.add_labels {
            if self.new.insert(label.to_string()) {
                self.out.new_labels.push(label.to_string());
            }
            return Ok(());
        }
        Err(FormatError::UnknownLabel {
            at: at.clone(),
            field: field(),
            label: label.to_string(),
            known: set
                .labels()
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

/// Offsets of one text in the file's unit and in code points, over one
/// [`OffsetMap`] (built in one walk over the text).
struct Units<'t> {
    text: &'t str,
    map: OffsetMap,
}

impl<'t> Units<'t> {
    fn new(text: &'t str, unit: Offsets) -> Units<'t> {
        Units {
            text,
            map: OffsetMap::new(text, unit),
        }
    }

    /// A file offset as a code point offset, or why it is not one.
    fn to_cp(&self, off: usize) -> Result<usize, String> {
        let len = self.map.len_units();
        if off > len {
            return Err(format!(
                "{off} is past the end of the text ({len} {})",
                unit_name(self.map.unit())
            ));
        }
        match self.map.to_code_point(off) {
            Some(cp) => Ok(cp),
            None => Err(format!(
                "{off} is inside a character ({})",
                match self.map.unit() {
                    Offsets::Utf16 => "between the two halves of a UTF-16 surrogate pair",
                    _ => "in the middle of its UTF-8 bytes",
                }
            )),
        }
    }

    /// Byte offset of a code point offset (checked before: a bad one gives the end).
    fn byte(&self, cp: usize) -> usize {
        self.map.byte_of_code_point(cp).unwrap_or(self.text.len())
    }

    /// Code point offset of a byte offset on a character boundary.
    fn cp_of_byte(&self, byte: usize) -> usize {
        self.map.code_point_of_byte(byte)
    }

    /// A code point offset in the file's unit.
    fn to_file(&self, cp: usize) -> usize {
        self.map
            .from_code_point(cp)
            .unwrap_or_else(|| self.map.len_units())
    }

    fn slice(&self, start: usize, end: usize) -> &'t str {
        let (a, b) = (self.byte(start), self.byte(end));
        self.text.get(a..b.max(a)).unwrap_or("")
    }

    /// Both ends of a span read from the file, checked and in code points.
    fn span(
        &self,
        at: &Location,
        field: &str,
        start: usize,
        end: usize,
    ) -> Result<(usize, usize), FormatError> {
        let s = self
            .to_cp(start)
            .map_err(|m| FormatError::field(at, format!("{field}.start"), m))?;
        let e = self
            .to_cp(end)
            .map_err(|m| FormatError::field(at, format!("{field}.end"), m))?;
        if s >= e {
            return Err(FormatError::field(
                at,
                field,
                format!("start {start} is not before end {end}"),
            ));
        }
        Ok((s, e))
    }

    /// The quoted text of a span must be the text at its offsets.
    fn check_quote(
        &self,
        at: &Location,
        field: &str,
        (start, end): (usize, usize),
        quoted: &str,
    ) -> Result<(), FormatError> {
        let actual = self.slice(start, end);
        if actual == quoted {
            return Ok(());
        }
        let hint = match self.unit_that_matches((start, end), quoted) {
            Some(u) => format!(
                "; read as {} they match, so the file counts in that unit: import it with --offsets {}",
                unit_name(u),
                unit_flag(u)
            ),
            None => " (wrong offset unit?)".to_string(),
        };
        Err(FormatError::field(
            at,
            field,
            format!(
                "{} differs from the text at the span's offsets ({}), {}{hint}",
                short(quoted),
                unit_name(self.map.unit()),
                short(actual)
            ),
        ))
    }

    /// The other offset unit in which the span's offsets as the file wrote them give
    /// `quoted` (a file written with code points read as UTF-16 shifts every span
    /// after an emoji by one per emoji), if one does. Run only for a quote that does
    /// not match: it walks the text once per unit.
    fn unit_that_matches(&self, (start, end): (usize, usize), quoted: &str) -> Option<Offsets> {
        let raw = (self.to_file(start), self.to_file(end));
        [Offsets::CodePoints, Offsets::Utf16, Offsets::Bytes]
            .into_iter()
            .filter(|u| *u != self.map.unit())
            .find(|&u| {
                let map = OffsetMap::new(self.text, u);
                let byte = |off| map.to_code_point(off).and_then(|cp| map.byte_of_code_point(cp));
                matches!((byte(raw.0), byte(raw.1)), (Some(a), Some(b)) if self.text.get(a..b) == Some(quoted))
            })
    }
}

/// How `--offsets` names a unit.
fn unit_flag(unit: Offsets) -> &'static str {
    match unit {
        Offsets::CodePoints => "codepoints",
        Offsets::Utf16 => "utf16",
        Offsets::Bytes => "bytes",
    }
}

fn unit_name(unit: Offsets) -> &'static str {
    match unit {
        Offsets::CodePoints => "code points",
        Offsets::Utf16 => "UTF-16 code units",
        Offsets::Bytes => "bytes",
    }
}

/// A string quoted and cut for a message.
fn short(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    format!("{out:?}")
}

/// Reading JSON values with errors that name the field.
mod json {
    use super::{FormatError, Location, short};
    use serde_json::{Map, Value};

    /// What a value is, for messages.
    pub fn describe(v: &Value) -> String {
        match v {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => format!("the string {}", short(s)),
            Value::Array(_) => "a list".into(),
            Value::Object(_) => "an object".into(),
        }
    }

    pub fn parse(at: &Location, src: &str) -> Result<Value, FormatError> {
        serde_json::from_str(src).map_err(|e| {
            let message = match crate::corpus::surrogate_error(src, &e) {
                Some(l) => l.message(at.line.is_none()),
                None => format!("not valid JSON: {e}"),
            };
            FormatError::syntax(at, message)
        })
    }

    pub fn object<'v>(
        at: &Location,
        field: &str,
        v: &'v Value,
    ) -> Result<&'v Map<String, Value>, FormatError> {
        v.as_object().ok_or_else(|| {
            let what = if field.is_empty() {
                "the record"
            } else {
                field
            };
            FormatError::field(
                at,
                what,
                format!("expected an object, found {}", describe(v)),
            )
        })
    }

    fn join(field: &str, key: &str) -> String {
        if field.is_empty() {
            key.to_string()
        } else {
            format!("{field}.{key}")
        }
    }

    pub fn req<'v>(
        at: &Location,
        field: &str,
        o: &'v Map<String, Value>,
        key: &str,
    ) -> Result<&'v Value, FormatError> {
        match o.get(key) {
            Some(v) if !v.is_null() => Ok(v),
            _ => Err(FormatError::field(at, join(field, key), "missing")),
        }
    }

    pub fn as_usize(at: &Location, field: &str, v: &Value) -> Result<usize, FormatError> {
        v.as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| {
                FormatError::field(
                    at,
                    field,
                    format!("expected a whole number ≥ 0, found {}", describe(v)),
                )
            })
    }

    /// `field.key` as a number; the name is only put together for an error (this runs
    /// for every field of every span).
    fn usize_at(at: &Location, field: &str, key: &str, v: &Value) -> Result<usize, FormatError> {
        match v.as_u64().and_then(|n| usize::try_from(n).ok()) {
            Some(n) => Ok(n),
            None => as_usize(at, &join(field, key), v),
        }
    }

    /// `field.key` as a string, the name put together only for an error.
    fn str_at<'v>(
        at: &Location,
        field: &str,
        key: &str,
        v: &'v Value,
    ) -> Result<&'v str, FormatError> {
        match v.as_str() {
            Some(s) => Ok(s),
            None => as_str(at, &join(field, key), v),
        }
    }

    pub fn req_usize(
        at: &Location,
        field: &str,
        o: &Map<String, Value>,
        key: &str,
    ) -> Result<usize, FormatError> {
        usize_at(at, field, key, req(at, field, o, key)?)
    }

    pub fn opt_usize(
        at: &Location,
        field: &str,
        o: &Map<String, Value>,
        key: &str,
    ) -> Result<Option<usize>, FormatError> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => usize_at(at, field, key, v).map(Some),
        }
    }

    /// A record's text: a string without NUL characters (see
    /// [`crate::document::nul_in_text`]).
    pub fn text<'v>(at: &Location, field: &str, v: &'v Value) -> Result<&'v str, FormatError> {
        let text = as_str(at, field, v)?;
        match crate::document::nul_in_text(text) {
            Some(m) => Err(FormatError::field(at, field, m)),
            None => Ok(text),
        }
    }

    pub fn as_str<'v>(at: &Location, field: &str, v: &'v Value) -> Result<&'v str, FormatError> {
        v.as_str().ok_or_else(|| {
            FormatError::field(
                at,
                field,
                format!("expected a string, found {}", describe(v)),
            )
        })
    }

    pub fn req_str<'v>(
        at: &Location,
        field: &str,
        o: &'v Map<String, Value>,
        key: &str,
    ) -> Result<&'v str, FormatError> {
        str_at(at, field, key, req(at, field, o, key)?)
    }

    pub fn opt_str<'v>(
        at: &Location,
        field: &str,
        o: &'v Map<String, Value>,
        key: &str,
    ) -> Result<Option<&'v str>, FormatError> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => str_at(at, field, key, v).map(Some),
        }
    }

    /// A boolean (`flagged`), absent or null as `None`.
    pub fn opt_bool(
        at: &Location,
        field: &str,
        o: &Map<String, Value>,
        key: &str,
    ) -> Result<Option<bool>, FormatError> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(FormatError::field(
                at,
                join(field, key),
                format!("expected true or false, found {}", describe(v)),
            )),
        }
    }

    /// A string, or a number written as its decimal form (ids, user ids).
    pub fn opt_name(
        at: &Location,
        field: &str,
        o: &Map<String, Value>,
        key: &str,
    ) -> Result<Option<String>, FormatError> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(v) => Err(FormatError::field(
                at,
                join(field, key),
                format!("expected a string or a number, found {}", describe(v)),
            )),
        }
    }

    /// A score: a number from 0 to 1 (a score of 1e39 or -5 says nothing a review can
    /// use, and the store would keep it as something else).
    pub fn opt_score(
        at: &Location,
        field: &str,
        o: &Map<String, Value>,
        key: &str,
    ) -> Result<Option<f32>, FormatError> {
        let n = match o.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) if n.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x)) => n,
            Some(v) => {
                return Err(FormatError::field(
                    at,
                    join(field, key),
                    format!("expected a number from 0 to 1, found {}", describe(v)),
                ));
            }
        };
        // Through the decimal form: the shortest form of an f32 read as an f64 and
        // then rounded again could land on a neighbour.
        // (Formatted on the stack: this runs for every span.)
        Ok(compact_str::format_compact!("{n}")
            .parse::<f32>()
            .ok()
            .or(n.as_f64().map(|x| x as f32)))
    }

    pub fn opt_array<'v>(
        at: &Location,
        field: &str,
        o: &'v Map<String, Value>,
        key: &str,
    ) -> Result<&'v [Value], FormatError> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(v) => Err(FormatError::field(
                at,
                join(field, key),
                format!("expected a list, found {}", describe(v)),
            )),
        }
    }

    /// A record's meta: any value but null.
    pub fn meta(o: &Map<String, Value>) -> Option<Value> {
        o.get("meta").filter(|m| !m.is_null()).cloned()
    }
}

/// The JSON object of a record of a JSON-lines format (native, Prodigy, doccano).
type Object = serde_json::Map<String, Value>;

/// Which keys of a JSON record its format reads (`meta` and `flagged` are read for
/// every JSON-lines format): the others are its leftovers ([`Foreign::fields`]).
#[derive(Clone, Copy)]
struct Keep {
    format: Format,
    known: &'static [&'static str],
    /// The key that names the record's layer ([`Record::layer`]), if the format has one.
    layer: Option<&'static str>,
}

/// Reads a JSON-lines format (native, Prodigy, doccano), one record a line: blank lines
/// skipped; each line an object with `text`, its id (`id`), its spans (`spans`, given
/// the text's offsets) and `meta`; a bad line dropped whole with `skip_bad`. Each
/// record's leftovers are kept when `keep` says which keys the format reads.
///
/// Lines are read in parallel, each with a context of its own, and merged in line
/// order: records, problems, new labels and the error returned are the same as line by
/// line (a bad line stops nothing early, but the first bad one is the error).
fn read_json_lines_keeping(
    name: &str,
    src: &str,
    ctx: &mut Ctx,
    keep: Option<Keep>,
    id: impl Fn(&Location, &Object) -> Result<String, FormatError> + Sync,
    spans: impl Fn(&Location, &Object, &Units, &mut Ctx) -> Result<Vec<RecordSpan>, FormatError> + Sync,
) -> Result<(), FormatError> {
    let names = Columns {
        text: "text",
        also: &[],
        missing_text: None,
    };
    read_json_lines_named(name, src, ctx, keep, names, id, spans)
}

/// Where a JSON-lines record's text is, when a format lets a file name it otherwise
/// (doccano's upload form names its columns).
#[derive(Clone, Copy)]
struct Columns<'a> {
    /// The key of the text.
    text: &'a str,
    /// Other keys the format reads (not kept as leftovers).
    also: &'a [&'a str],
    /// Said after "missing" when a line has no text under `text`.
    missing_text: Option<&'a str>,
}

/// [`read_json_lines_keeping`] with the text where `names` says.
fn read_json_lines_named(
    name: &str,
    src: &str,
    ctx: &mut Ctx,
    keep: Option<Keep>,
    names: Columns<'_>,
    id: impl Fn(&Location, &Object) -> Result<String, FormatError> + Sync,
    spans: impl Fn(&Location, &Object, &Units, &mut Ctx) -> Result<Vec<RecordSpan>, FormatError> + Sync,
) -> Result<(), FormatError> {
    let (text_key, also_read) = (names.text, names.also);
    let record = |at: &Location, v: &Value, ctx: &mut Ctx| -> Result<Record, FormatError> {
        let o = json::object(at, "", v)?;
        let text = match (json::req(at, "", o, text_key), names.missing_text) {
            (Ok(v), _) => json::text(at, text_key, v)?,
            (Err(_), Some(hint)) => {
                return Err(FormatError::field(at, text_key, format!("missing; {hint}")));
            }
            (Err(e), None) => return Err(e),
        };
        let id = id(at, o)?;
        let layer_key = keep.and_then(|k| k.layer);
        let layer = match layer_key {
            Some(key) => json::opt_name(at, "", o, key)?,
            None => None,
        };
        let units = Units::new(text, ctx.opts.offsets);
        let spans = spans(at, o, &units, ctx)?;
        Ok(Record {
            id,
            layer,
            text: text.to_string(),
            spans,
            flagged: json::opt_bool(at, "", o, "flagged")?.unwrap_or(false),
            meta: json::meta(o),
            foreign: keep.and_then(|k| {
                let mut fields = leftovers(o, k.known);
                fields.remove("meta");
                if let Some(key) = layer_key {
                    fields.remove(key);
                }
                fields.remove("flagged");
                fields.remove(text_key);
                for key in also_read {
                    fields.remove(*key);
                }
                Foreign::new(k.format, fields, Map::new())
            }),
        })
    };
    let opts = ctx.opts;
    let read = crate::corpus::json_lines(src, |n, line| {
        let mut own = Ctx::new(opts);
        let at = Location::line(name, n);
        let r = json::parse(&at, line).and_then(|v| record(&at, &v, &mut own));
        (r, own)
    });
    for (r, own) in read {
        ctx.merge(own);
        match r {
            Ok(r) => ctx.out.records.push(r),
            Err(e) => ctx.bad(e)?,
        }
    }
    Ok(())
}

/// The spans listed under `keys` of a JSON record, in that order, each read by `read`
/// with its field name (`key[i]`); a bad one is the error, or with `skip_bad` dropped
/// and noted.
fn json_spans(
    at: &Location,
    o: &Object,
    keys: &[&str],
    ctx: &mut Ctx,
    mut read: impl FnMut(&str, &Value, &mut Ctx) -> Result<RecordSpan, FormatError>,
) -> Result<Vec<RecordSpan>, FormatError> {
    let mut spans = Vec::new();
    for key in keys {
        for (i, item) in json::opt_array(at, "", o, key)?.iter().enumerate() {
            // (On the stack: this runs for every span.)
            match read(&compact_str::format_compact!("{key}[{i}]"), item, ctx) {
                Ok(s) => spans.push(s),
                Err(e) => ctx.bad(e)?,
            }
        }
    }
    Ok(spans)
}

/// The id of a JSON record: its `id` (a string or a number), else `FILE:LINE`.
fn json_id(at: &Location, o: &Object) -> Result<String, FormatError> {
    Ok(json::opt_name(at, "", o, "id")?.unwrap_or_else(|| {
        format!(
            "{}:{}",
            base_name(&at.file),
            at.line.or(at.record).unwrap_or(0)
        )
    }))
}

/// Serializes one record as a JSON line, with its foreign fields of `format` merged in
/// ([`merge_foreign`]); without any, as [`to_json_line`] does.
fn to_json_line_with(out: &mut String, v: &impl Serialize, foreign: Option<&Foreign>) {
    let Some(f) = foreign.filter(|f| !f.fields.is_empty()) else {
        return to_json_line(out, v);
    };
    match serde_json::to_value(v) {
        Ok(Value::Object(mut o)) => {
            merge_foreign(&mut o, &f.fields);
            to_json_line(out, &o);
        }
        _ => to_json_line(out, v),
    }
}

/// Serializes one value as a JSON line.
fn to_json_line(out: &mut String, v: &impl Serialize) {
    // Serializing plain structs of strings, numbers and `Value`s cannot fail.
    if let Ok(s) = serde_json::to_string(v) {
        out.push_str(&s);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests;
