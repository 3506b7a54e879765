//! doccano sequence labeling as JSON lines: `{"text", "label": [[start, end, "LABEL"],
//! ...]}`, the form of doccano's import and export examples. doccano counts offsets in
//! UTF-16 units by default (browser selections): import and export with
//! `Offsets::Utf16` unless the project was set to count grapheme clusters, which no
//! unit here matches.
//!
//! Import also reads the other documented forms: the same list under `labels` (older
//! exports) and the relation-extraction form `"entities": [{"id", "start_offset",
//! "end_offset", "label"}]`; a list item may be `[start, end, label]` or an object with
//! `start_offset`/`end_offset`/`label`. Spans of every key present are read. `id` (a
//! string or a number) names the record; doccano has no review state, so spans come
//! in with none. A span object that quotes its `text` is checked against the offsets,
//! and when another unit would match (a file written in code points, read as UTF-16)
//! the error says which, instead of importing spans shifted after an astral character.
//! Other keys of a line (`Comments`, a project's own columns) are the record's foreign
//! fields, written back by export; `relations` are passed over (counted).
//!
//! Export writes `id`, `text`, `label` (the list form) and `meta` if any; rejected
//! spans are left out, since doccano would take every span as an annotation.

use serde::Serialize;
use serde_json::Value;

use super::{
    Columns, Ctx, Format, FormatError, Keep, Location, Offsets, Record, RecordSpan, Units, json,
    json_id, json_spans, read_json_lines_named, to_json_line_with,
};

/// The keys import reads; any other (doccano's `Comments`, a project's own columns) is
/// kept as the record's foreign fields and written back. `relations` name entities by
/// ids that raqim does not keep, so they are not written back (counted as passed
/// over).
const KEEP: Keep = Keep {
    format: Format::Doccano,
    known: &["id", "text", "label", "labels", "entities", "relations"],
    layer: None,
};

pub(super) fn read(name: &str, src: &str, ctx: &mut Ctx) -> Result<(), FormatError> {
    // The columns as doccano's upload form names them (`column_data`, `column_label`).
    let (data, label) = ctx.opts.doccano_columns;
    let text_key = data.unwrap_or("text");
    let label_keys: Vec<&str> = match label {
        Some(l) => vec![l],
        None => vec!["label", "labels", "entities"],
    };
    let names = Columns {
        text: text_key,
        also: &label_keys,
        // doccano's own import example uses other names than `text`.
        missing_text: data.is_none().then_some(
            "a doccano file whose columns have other names (column_data, column_label) is read with --column-data KEY and --column-label KEY",
        ),
    };
    read_json_lines_named(
        name,
        src,
        ctx,
        Some(KEEP),
        names,
        json_id,
        |at, o, units, ctx| {
            let relations = json::opt_array(at, "", o, "relations")?.len();
            if relations > 0 {
                *ctx.out
                    .ignored
                    .entry("doccano relations".to_string())
                    .or_default() += relations;
            }
            json_spans(at, o, &label_keys, ctx, |field, item, ctx| {
                span(at, field, item, units, ctx)
            })
        },
    )
}

fn span(
    at: &Location,
    field: &str,
    v: &Value,
    units: &Units,
    ctx: &mut Ctx,
) -> Result<RecordSpan, FormatError> {
    let (start, end, label) = match v {
        Value::Array(a) if a.len() == 3 => (
            json::as_usize(at, &format!("{field}[0]"), &a[0])?,
            json::as_usize(at, &format!("{field}[1]"), &a[1])?,
            json::as_str(at, &format!("{field}[2]"), &a[2])?,
        ),
        Value::Object(o) => (
            json::req_usize(at, field, o, "start_offset")?,
            json::req_usize(at, field, o, "end_offset")?,
            json::req_str(at, field, o, "label")?,
        ),
        _ => {
            return Err(FormatError::field(
                at,
                field,
                format!(
                    "expected [start, end, \"LABEL\"] or {{\"start_offset\", \"end_offset\", \"label\"}}, found {}",
                    json::describe(v)
                ),
            ));
        }
    };
    let (start, end) = units.span(at, field, start, end)?;
    // A span that quotes its text is checked: a file written in another unit than
    // the one it is read in (code points read as UTF-16) shifts every span after an
    // astral character, and the message says which unit matches.
    if let Value::Object(o) = v
        && let Some(q) = json::opt_str(at, field, o, "text")?
    {
        units.check_quote(at, &format!("{field}.text"), (start, end), q)?;
    }
    ctx.label(at, &|| format!("{field}.label"), label)?;
    Ok(RecordSpan::new(start, end, label))
}

#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    text: &'a str,
    label: Vec<(usize, usize, &'a str)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<&'a Value>,
}

pub(super) fn write(records: &[Record], offsets: Offsets) -> Result<String, FormatError> {
    let mut out = String::new();
    for r in records {
        let units = Units::new(&r.text, offsets);
        let label = r
            .spans
            .iter()
            .filter(|s| !s.is_rejected())
            .map(|s| {
                (
                    units.to_file(s.start),
                    units.to_file(s.end),
                    s.label.as_str(),
                )
            })
            .collect();
        to_json_line_with(
            &mut out,
            &Line {
                id: &r.id,
                text: &r.text,
                label,
                meta: r.meta.as_ref().filter(|m| !m.is_null()),
            },
            r.foreign_for(Format::Doccano),
        );
    }
    Ok(out)
}
