//! Label Studio JSON: an array of tasks, for the NER template (`<Labels name="label"
//! toName="text">` over `<Text name="text" value="$text">`):
//! `{"id", "data": {"text"}, "annotations": [{"result": [REGION]}], "predictions":
//! [{"model_version", "score", "result": [REGION]}]}` where a REGION is
//! `{"id", "from_name", "to_name", "type": "labels", "value": {"start", "end", "text",
//! "labels": [..], "score"?}}` (the per-region score sits in `value`, as in Label
//! Studio's pre-annotation guide).
//!
//! Export: accepted spans (and spans of unknown state) go into one annotation, pending
//! ones into one prediction per source, with the source as `model_version` and, when
//! every region has one, the lowest region score as the prediction's `score` (Label
//! Studio sorts tasks by it, most uncertain first). Rejected spans are left out: Label
//! Studio has no rejected region. Every task has an `id` (label-studio-converter needs
//! one): the one Label Studio gave it when that id named the record, else its place
//! in the file; the record id then goes in `data.id`. An object `meta` goes in the
//! task's `meta`. The regions' `from_name`/`to_name` and the text's field of `data`
//! are the ones the document's Label Studio file had (its layout, see
//! [`super::Foreign`]), else `label`/`text` and `text`; the caller may set the names.
//! The task's other fields and `data`'s other fields come back as they were read.
//!
//! Import: annotations give accepted spans (their annotator is `completed_by`: a user
//! id, or the e-mail of an exported user object), predictions pending ones (source
//! `model_version`, score from the region or else the prediction). A prediction given
//! by id only (a server export lists them so), cancelled (skipped) annotations and
//! results of other types (choices, relations, text areas) are passed over and
//! counted. A region with several labels gives one span per label. The text is the
//! field of `data` that [`super::ImportOptions::ls_field`] names, else `data.text`,
//! else the only other string in `data` (several: an error asking for the field); the
//! id is `data.id`, else the task's `id`, else `FILE#N`. A single task object is read
//! like an array of one. Lost on the way: annotations' and predictions' own fields
//! (their ids, `lead_time`, `created_ago`...) and the regions' ids and `origin`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    Ctx, Foreign, Format, FormatError, Location, Offsets, Record, RecordSpan, Units, base_name,
    json, leftovers, meta_with_foreign, valid_score,
};
use crate::annotation::State;

pub(super) fn read(name: &str, src: &str, ctx: &mut Ctx) -> Result<(), FormatError> {
    let v = json::parse(&Location::file(name), src)?;
    let tasks: Vec<&Value> = match &v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => vec![&v],
        _ => {
            return Err(FormatError::syntax(
                &Location::file(name),
                format!("expected a list of tasks, found {}", json::describe(&v)),
            ));
        }
    };
    for (i, t) in tasks.into_iter().enumerate() {
        let at = Location::record(name, i + 1);
        match task(&at, t, ctx) {
            Ok(r) => ctx.out.records.push(r),
            Err(e) => ctx.bad(e)?,
        }
    }
    Ok(())
}

/// The keys of a task that import reads; any other (the task's `id`, `project`,
/// `created_at`, `drafts`...) is kept as the record's foreign fields.
const TASK_KEYS: [&str; 4] = ["data", "annotations", "predictions", "meta"];

/// The names of the regions' control and object tags when the file does not say:
/// those of Label Studio's NER template as raqim writes it.
pub const DEFAULT_FROM_NAME: &str = "label";
pub const DEFAULT_TO_NAME: &str = "text";

/// The field of `data` that holds the text: `--ls-field`, else `text`, else the only
/// string field.
fn text_field<'d>(
    at: &Location,
    data: &'d Map<String, Value>,
    ctx: &Ctx,
) -> Result<(&'d str, &'d Value), FormatError> {
    if let Some(f) = ctx.opts.ls_field {
        return match data.get_key_value(f) {
            Some((k, v)) => Ok((k.as_str(), v)),
            None => Err(FormatError::field(
                at,
                format!("data.{f}"),
                format!(
                    "missing (the text field given by --ls-field; data has {})",
                    keys(data)
                ),
            )),
        };
    }
    if let Some((k, v)) = data.get_key_value("text") {
        return Ok((k.as_str(), v));
    }
    let candidates = || data.iter().filter(|(k, v)| v.is_string() && *k != "id");
    let mut strings = candidates();
    match (strings.next(), strings.next()) {
        (Some((k, v)), None) => Ok((k.as_str(), v)),
        (None, _) => Err(FormatError::field(
            at,
            "data.text",
            format!(
                "missing, and no other string field to take the text from (data has {})",
                keys(data)
            ),
        )),
        (Some(_), Some(_)) => Err(FormatError::field(
            at,
            "data.text",
            format!(
                "missing, and data has several string fields ({}): name the text's with --ls-field",
                candidates()
                    .map(|(k, _)| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The keys of an object, for messages.
fn keys(o: &Map<String, Value>) -> String {
    if o.is_empty() {
        return "no fields".into();
    }
    o.keys()
        .map(|k| format!("{k:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn task(at: &Location, v: &Value, ctx: &mut Ctx) -> Result<Record, FormatError> {
    let o = json::object(at, "", v)?;
    let data = json::object(at, "data", json::req(at, "", o, "data")?)?;
    let (field, text) = text_field(at, data, ctx)?;
    let text = json::text(at, &format!("data.{field}"), text)?;
    let data_id = json::opt_name(at, "data", data, "id")?;
    let task_id = json::opt_name(at, "", o, "id")?;
    let id = match (&data_id, &task_id) {
        (Some(id), _) | (None, Some(id)) => id.clone(),
        (None, None) => format!("{}#{}", base_name(&at.file), at.record.unwrap_or(0)),
    };
    let units = Units::new(text, ctx.opts.offsets);
    let mut spans = Vec::new();
    let mut names = Names::default();
    for (ai, a) in json::opt_array(at, "", o, "annotations")?
        .iter()
        .enumerate()
    {
        let field = format!("annotations[{ai}]");
        let ao = json::object(at, &field, a)?;
        if ao.get("was_cancelled").and_then(Value::as_bool) == Some(true) {
            ctx.ignore("Label Studio cancelled (skipped) annotations");
            continue;
        }
        let annotator = match ao.get("completed_by") {
            Some(Value::Object(u)) => {
                json::opt_name(at, &field, u, "email")?.or(json::opt_name(at, &field, u, "id")?)
            }
            _ => json::opt_name(at, &field, ao, "completed_by")?,
        };
        let from = Origin {
            state: State::Accepted,
            source: None,
            score: None,
            annotator,
        };
        results(at, &field, ao, &from, &units, ctx, &mut spans, &mut names)?;
    }
    for (pi, p) in json::opt_array(at, "", o, "predictions")?
        .iter()
        .enumerate()
    {
        // A task exported from the server lists its predictions by id (their results
        // are not in the file); a file for import gives them whole.
        if p.is_number() || p.is_string() {
            ctx.ignore("Label Studio predictions listed by id only (no results in the file)");
            continue;
        }
        let field = format!("predictions[{pi}]");
        let po = json::object(at, &field, p)?;
        let from = Origin {
            state: State::Pending,
            source: json::opt_name(at, &field, po, "model_version")?,
            score: json::opt_score(at, &field, po, "score")?,
            annotator: None,
        };
        results(at, &field, po, &from, &units, ctx, &mut spans, &mut names)?;
    }
    let meta = o
        .get("meta")
        .filter(|m| m.as_object().is_some_and(|m| !m.is_empty()))
        .cloned();
    let mut fields = leftovers(o, &TASK_KEYS);
    if data_id.is_some() {
        // The task id did not name the record (raqim's own export, or a task imported
        // from one): it is the server's, given again on export.
        fields.remove("id");
    }
    let data_rest: Map<String, Value> = data
        .iter()
        .filter(|(k, _)| *k != field && *k != "id")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !data_rest.is_empty() {
        fields.insert("data".into(), Value::Object(data_rest));
    }
    let mut layout = Map::new();
    if field != "text" {
        layout.insert("field".into(), field.into());
    }
    if let Some(n) = names.from.filter(|n| n != DEFAULT_FROM_NAME) {
        layout.insert("from_name".into(), n.into());
    }
    if let Some(n) = names.to.filter(|n| n != DEFAULT_TO_NAME) {
        layout.insert("to_name".into(), n.into());
    }
    Ok(Record {
        layer: None,
        id,
        text: text.to_string(),
        spans,
        flagged: false,
        meta,
        foreign: Foreign::new(Format::LabelStudio, fields, layout),
    })
}

/// The control and object names of a task's first labels region.
#[derive(Default)]
struct Names {
    from: Option<String>,
    to: Option<String>,
}

/// Where regions come from: an annotation or a prediction.
struct Origin {
    state: State,
    source: Option<String>,
    score: Option<f32>,
    annotator: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn results(
    at: &Location,
    field: &str,
    o: &Map<String, Value>,
    from: &Origin,
    units: &Units,
    ctx: &mut Ctx,
    spans: &mut Vec<RecordSpan>,
    names: &mut Names,
) -> Result<(), FormatError> {
    for (ri, r) in json::opt_array(at, field, o, "result")?.iter().enumerate() {
        let rf = format!("{field}.result[{ri}]");
        match region(at, &rf, r, from, units, ctx, names) {
            Ok(v) => spans.extend(v),
            Err(e) => ctx.bad(e)?,
        }
    }
    Ok(())
}

fn region(
    at: &Location,
    field: &str,
    v: &Value,
    from: &Origin,
    units: &Units,
    ctx: &mut Ctx,
    names: &mut Names,
) -> Result<Vec<RecordSpan>, FormatError> {
    let o = json::object(at, field, v)?;
    let value = json::object(
        at,
        &format!("{field}.value"),
        json::req(at, field, o, "value")?,
    )?;
    match json::opt_str(at, field, o, "type")? {
        Some("labels") => {}
        None if value.contains_key("labels") => {}
        other => {
            ctx.ignore(&format!(
                "Label Studio results of type {}",
                other.unwrap_or("(none)")
            ));
            return Ok(Vec::new());
        }
    }
    if names.from.is_none() {
        names.from = json::opt_str(at, field, o, "from_name")?.map(str::to_string);
    }
    if names.to.is_none() {
        names.to = json::opt_str(at, field, o, "to_name")?.map(str::to_string);
    }
    let vf = format!("{field}.value");
    let start = json::req_usize(at, &vf, value, "start")?;
    let end = json::req_usize(at, &vf, value, "end")?;
    let (start, end) = units.span(at, &vf, start, end)?;
    if let Some(q) = json::opt_str(at, &vf, value, "text")? {
        units.check_quote(at, &format!("{vf}.text"), (start, end), q)?;
    }
    let score = match json::opt_score(at, &vf, value, "score")? {
        Some(s) => Some(s),
        None => json::opt_score(at, field, o, "score")?.or(from.score),
    };
    let labels = json::req(at, &vf, value, "labels")?;
    let labels = labels.as_array().ok_or_else(|| {
        FormatError::field(
            at,
            format!("{vf}.labels"),
            format!("expected a list, found {}", json::describe(labels)),
        )
    })?;
    if labels.is_empty() {
        return Err(FormatError::field(
            at,
            format!("{vf}.labels"),
            "empty: a region needs a label",
        ));
    }
    let mut out = Vec::with_capacity(labels.len());
    for (li, l) in labels.iter().enumerate() {
        let lf = format!("{vf}.labels[{li}]");
        let label = json::as_str(at, &lf, l)?;
        ctx.label(at, &|| lf.clone(), label)?;
        out.push(RecordSpan {
            state: Some(from.state),
            source: from.source.clone(),
            score,
            annotator: from.annotator.clone(),
            ..RecordSpan::new(start, end, label)
        });
    }
    Ok(out)
}

#[derive(Serialize)]
struct Task<'a> {
    /// The task id Label Studio gave it, else its place in the file (label-studio-
    /// converter needs one).
    id: Value,
    data: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<Annotation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    predictions: Vec<Prediction<'a>>,
    /// The task's other foreign fields, after raqim's own keys.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

#[derive(Serialize)]
struct Annotation<'a> {
    result: Vec<Region<'a>>,
}

#[derive(Serialize)]
struct Prediction<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    model_version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f32>,
    result: Vec<Region<'a>>,
}

#[derive(Serialize)]
struct Region<'a> {
    id: String,
    from_name: &'a str,
    to_name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    value: RegionValue<'a>,
}

#[derive(Serialize)]
struct RegionValue<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    labels: [&'a str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f32>,
}

/// Pending spans of one source.
type Group<'r> = (Option<&'r str>, Vec<&'r RecordSpan>);

/// The spans of a record as export groups them: accepted ones, then pending ones by
/// source in order of first appearance.
fn groups(r: &Record) -> (Vec<&RecordSpan>, Vec<Group<'_>>) {
    let mut accepted = Vec::new();
    let mut pending: Vec<Group> = Vec::new();
    for s in &r.spans {
        match s.state {
            Some(State::Rejected) => {}
            Some(State::Pending) => {
                let src = s.source.as_deref();
                match pending.iter_mut().find(|(k, _)| *k == src) {
                    Some((_, v)) => v.push(s),
                    None => pending.push((src, vec![s])),
                }
            }
            _ => accepted.push(s),
        }
    }
    (accepted, pending)
}

/// How a record is laid out in Label Studio: the field of `data` with the text, and
/// the names of the labels control and of the text object its regions carry. The
/// record's own layout (the file it came from), else the template's names.
struct Layout<'r> {
    field: &'r str,
    from_name: &'r str,
    to_name: &'r str,
}

impl<'r> Layout<'r> {
    fn of(r: &'r Record) -> Layout<'r> {
        let layout = r.foreign_for(Format::LabelStudio).map(|f| &f.layout);
        let get = |k: &str, default: &'static str| {
            layout
                .and_then(|l| l.get(k))
                .and_then(Value::as_str)
                .unwrap_or(default)
        };
        Layout {
            field: get("field", "text"),
            from_name: get("from_name", DEFAULT_FROM_NAME),
            to_name: get("to_name", DEFAULT_TO_NAME),
        }
    }
}

fn to_region<'a>(
    units: &Units<'a>,
    layout: &Layout<'a>,
    n: &mut usize,
    s: &'a RecordSpan,
    prefix: &str,
) -> Region<'a> {
    *n += 1;
    Region {
        id: format!("{prefix}{n}"),
        from_name: layout.from_name,
        to_name: layout.to_name,
        kind: "labels",
        value: RegionValue {
            start: units.to_file(s.start),
            end: units.to_file(s.end),
            text: units.slice(s.start, s.end),
            labels: [s.label.as_str()],
            score: s.score.filter(|x| x.is_finite()),
        },
    }
}

/// A task's `meta`: the record's (an object, not empty), with the foreign fields'
/// `meta` merged under it.
fn task_meta(r: &Record) -> Option<Value> {
    let own = r.meta.as_ref().filter(|m| m.is_object());
    let meta = match r.foreign_for(Format::LabelStudio) {
        Some(f) => meta_with_foreign(own, &f.fields),
        None => own.cloned(),
    };
    meta.filter(|m| m.as_object().is_some_and(|m| !m.is_empty()))
}

pub(super) fn write(records: &[Record], offsets: Offsets) -> Result<String, FormatError> {
    let mut tasks = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        let units = Units::new(&r.text, offsets);
        let layout = Layout::of(r);
        let mut n = 0;
        let (accepted, pending) = groups(r);
        let mut annotations = Vec::new();
        if !accepted.is_empty() {
            annotations.push(Annotation {
                result: accepted
                    .iter()
                    .map(|s| to_region(&units, &layout, &mut n, s, "a"))
                    .collect(),
            });
        }
        let predictions = pending
            .iter()
            .map(|(src, spans)| {
                let scores: Option<Vec<f32>> = spans
                    .iter()
                    .map(|s| s.score.filter(|x| x.is_finite()))
                    .collect();
                Prediction {
                    model_version: *src,
                    score: scores.and_then(|v| v.into_iter().reduce(f32::min)),
                    result: spans
                        .iter()
                        .map(|s| to_region(&units, &layout, &mut n, s, "p"))
                        .collect(),
                }
            })
            .collect();
        let mut rest = r
            .foreign_for(Format::LabelStudio)
            .map(|f| f.fields.clone())
            .unwrap_or_default();
        // The task id is the one Label Studio gave (it named the record), else its
        // place in this file; the record id goes in `data.id` unless it is that id.
        let given = rest.remove("id");
        let id_names_record = given.as_ref().is_some_and(|id| names(id, &r.id));
        let id = given.unwrap_or_else(|| Value::from(i + 1));
        let mut data = Map::new();
        data.insert(layout.field.to_string(), Value::from(r.text.as_str()));
        if !id_names_record {
            data.insert("id".into(), Value::from(r.id.as_str()));
        }
        if let Some(Value::Object(theirs)) = rest.remove("data") {
            for (k, v) in theirs {
                data.entry(k).or_insert(v);
            }
        }
        rest.remove("meta");
        for k in TASK_KEYS {
            rest.remove(k);
        }
        tasks.push(Task {
            id,
            data,
            meta: task_meta(r),
            annotations,
            predictions,
            rest,
        });
    }
    let mut out = serde_json::to_string_pretty(&tasks).unwrap_or_default();
    out.push('\n');
    Ok(out)
}

/// True when a task id is the record id `id` (as import reads a task id).
fn names(task_id: &Value, id: &str) -> bool {
    match task_id {
        Value::String(s) => s == id,
        Value::Number(x) => x.to_string() == id,
        _ => false,
    }
}

/// What reading back an export of `r` gives: accepted spans (no source), pending ones
/// by source, no annotator; the meta with the foreign `meta` merged in; the foreign
/// fields but `meta`, the text field's name, and the regions' names if a region was
/// written to carry them.
pub(super) fn expected(r: &Record) -> Record {
    let (accepted, pending) = groups(r);
    let mut spans: Vec<RecordSpan> = accepted
        .into_iter()
        .map(|s| RecordSpan {
            state: Some(State::Accepted),
            source: None,
            annotator: None,
            flagged: false,
            meta: None,
            ..valid_score(s)
        })
        .collect();
    for (_, group) in pending {
        spans.extend(group.into_iter().map(|s| RecordSpan {
            annotator: None,
            flagged: false,
            meta: None,
            ..valid_score(s)
        }));
    }
    let foreign = r.foreign_for(Format::LabelStudio).and_then(|f| {
        let mut fields = f.fields.clone();
        fields.remove("meta");
        if fields.get("id").is_some_and(|id| !names(id, &r.id)) {
            fields.remove("id");
        }
        for k in TASK_KEYS.iter().filter(|k| **k != "data") {
            fields.remove(*k);
        }
        if let Some(Value::Object(d)) = fields.get_mut("data") {
            d.remove("id");
            d.remove(Layout::of(r).field);
        }
        if fields
            .get("data")
            .is_some_and(|d| !d.is_object() || d.as_object().is_some_and(Map::is_empty))
        {
            fields.remove("data");
        }
        let mut layout = f.layout.clone();
        if spans.is_empty() {
            layout.remove("from_name");
            layout.remove("to_name");
        }
        Foreign::new(Format::LabelStudio, fields, layout)
    });
    Record {
        layer: None,
        id: r.id.clone(),
        text: r.text.clone(),
        spans,
        flagged: false,
        meta: task_meta(r),
        foreign,
    }
}
