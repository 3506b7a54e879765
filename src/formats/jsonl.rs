//! raqim's own JSON lines, one document a line:
//! `{"id", "annotator"?, "text", "spans": [{"start", "end", "label", "state"?, "source"?,
//! "score"?, "annotator"?, "flagged"?, "meta"?}], "flagged"?, "meta"?}`; the shape of the gold
//! files, with the review fields added, and readable by Prodigy (which keeps unknown
//! keys; `flagged` is its own task flag).
//!
//! Import takes `id` as a string or a number (missing: `FILE:LINE`), `spans` may be
//! missing, and a span may quote its `text` (checked against the offsets). Other keys
//! of a line (and of its `meta`, which the caller splits) are the record's foreign
//! fields, written back by export. The record's own `annotator` is its layer
//! ([`Record::layer`]: whose annotation it is, `export --all-layers` writes it); a
//! span's `annotator` is who made that span.

use serde_json::Value;

use crate::annotation::State;

use super::{
    Ctx, Format, FormatError, Keep, Location, Offsets, Record, RecordSpan, Units, json, json_id,
    json_spans, read_json_lines_keeping, to_json_line_with,
};

/// The keys raqim's line has; any other is kept as the record's foreign fields and
/// written back.
const KEEP: Keep = Keep {
    format: Format::Jsonl,
    known: &["id", "text", "spans"],
    layer: Some("annotator"),
};

pub(super) fn read(name: &str, src: &str, ctx: &mut Ctx) -> Result<(), FormatError> {
    read_json_lines_keeping(name, src, ctx, Some(KEEP), json_id, |at, o, units, ctx| {
        json_spans(at, o, &["spans"], ctx, |field, s, ctx| {
            span(at, field, s, units, ctx)
        })
    })
}

/// A span in the native shape (also Prodigy's, which adds token indices).
pub(super) fn span(
    at: &Location,
    field: &str,
    v: &Value,
    units: &Units,
    ctx: &mut Ctx,
) -> Result<RecordSpan, FormatError> {
    let o = json::object(at, field, v)?;
    let start = json::req_usize(at, field, o, "start")?;
    let end = json::req_usize(at, field, o, "end")?;
    let (start, end) = units.span(at, field, start, end)?;
    finish_span(at, field, o, (start, end), units, ctx)
}

/// The fields of a native span after its offsets: quoted text, label, review fields.
pub(super) fn finish_span(
    at: &Location,
    field: &str,
    o: &serde_json::Map<String, Value>,
    (start, end): (usize, usize),
    units: &Units,
    ctx: &mut Ctx,
) -> Result<RecordSpan, FormatError> {
    if let Some(q) = json::opt_str(at, field, o, "text")? {
        units.check_quote(at, &format!("{field}.text"), (start, end), q)?;
    }
    let state = json::opt_str(at, field, o, "state")?
        .map(str::parse::<State>)
        .transpose()
        .map_err(|e| FormatError::field(at, format!("{field}.state"), e.to_string()))?;
    let span = RecordSpan {
        start,
        end,
        label: json::req_str(at, field, o, "label")?.to_string(),
        state,
        source: json::opt_str(at, field, o, "source")?.map(str::to_string),
        score: json::opt_score(at, field, o, "score")?,
        annotator: json::opt_str(at, field, o, "annotator")?.map(str::to_string),
        flagged: json::opt_bool(at, field, o, "flagged")?.unwrap_or(false),
        meta: json::meta(o),
    };
    ctx.label(at, &|| format!("{field}.label"), &span.label)?;
    Ok(span)
}

pub(super) fn write(records: &[Record], offsets: Offsets) -> Result<String, FormatError> {
    let mut out = String::new();
    for r in records {
        let foreign = r.foreign_for(Format::Jsonl);
        if offsets == Offsets::CodePoints {
            to_json_line_with(&mut out, r, foreign);
            continue;
        }
        let units = Units::new(&r.text, offsets);
        let spans: Vec<RecordSpan> = r
            .spans
            .iter()
            .map(|s| RecordSpan {
                start: units.to_file(s.start),
                end: units.to_file(s.end),
                ..s.clone()
            })
            .collect();
        to_json_line_with(&mut out, &Record { spans, ..r.clone() }, foreign);
    }
    Ok(out)
}
