//! Label Studio JSON: an array of tasks, for the NER template (`<Labels name="label"
//! toName="text">` over `<Text name="text" value="$text">`):
//! `{"data": {"text"}, "annotations": [{"result": [REGION]}], "predictions":
//! [{"model_version", "score", "result": [REGION]}]}` where a REGION is
//! `{"id", "from_name", "to_name", "type": "labels", "value": {"start", "end", "text",
//! "labels": [..], "score"?}}` (the per-region score sits in `value`, as in Label
//! Studio's pre-annotation guide).
//!
//! Export: accepted spans (and spans of unknown state) go into one annotation, pending
//! ones into one prediction per source, with the source as `model_version` and, when
//! every region has one, the lowest region score as the prediction's `score` (Label
//! Studio sorts tasks by it, most uncertain first). Rejected spans are left out: Label
//! Studio has no rejected region. The record id goes in `data.id`, an object `meta` in
//! the task's `meta`. `from_name`/`to_name` are `label`/`text`, the template's names.
//!
//! Import: annotations give accepted spans (their annotator is `completed_by`: a user
//! id, or the e-mail of an exported user object), predictions pending ones (source
//! `model_version`, score from the region or else the prediction). Cancelled (skipped)
//! annotations and results of other types (choices, relations, text areas) are passed
//! over and counted. A region with several labels gives one span per label. The text
//! is `data.text`, or the only string in `data`; the id is `data.id`, else the task's
//! `id`, else `FILE#N`. A single task object is read like an array of one.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    Ctx, FormatError, Location, Offsets, Record, RecordSpan, Units, base_name, json, valid_score,
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

fn task(at: &Location, v: &Value, ctx: &mut Ctx) -> Result<Record, FormatError> {
    let o = json::object(at, "", v)?;
    let data = json::object(at, "data", json::req(at, "", o, "data")?)?;
    let text = match data.get("text") {
        Some(t) => json::text(at, "data.text", t)?,
        None => {
            let mut strings = data.values().filter(|v| v.is_string());
            match (strings.next(), strings.next()) {
                (Some(t), None) => json::text(at, "data.text", t)?,
                _ => return Err(FormatError::field(at, "data.text", "missing")),
            }
        }
    };
    let id = match json::opt_name(at, "data", data, "id")? {
        Some(id) => id,
        None => json::opt_name(at, "", o, "id")?
            .unwrap_or_else(|| format!("{}#{}", base_name(&at.file), at.record.unwrap_or(0))),
    };
    let units = Units::new(text, ctx.opts.offsets);
    let mut spans = Vec::new();
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
        results(at, &field, ao, &from, &units, ctx, &mut spans)?;
    }
    for (pi, p) in json::opt_array(at, "", o, "predictions")?
        .iter()
        .enumerate()
    {
        let field = format!("predictions[{pi}]");
        let po = json::object(at, &field, p)?;
        let from = Origin {
            state: State::Pending,
            source: json::opt_name(at, &field, po, "model_version")?,
            score: json::opt_score(at, &field, po, "score")?,
            annotator: None,
        };
        results(at, &field, po, &from, &units, ctx, &mut spans)?;
    }
    let meta = o
        .get("meta")
        .filter(|m| m.as_object().is_some_and(|m| !m.is_empty()))
        .cloned();
    Ok(Record {
        id,
        text: text.to_string(),
        spans,
        flagged: false,
        meta,
        foreign: None,
    })
}

/// Where regions come from: an annotation or a prediction.
struct Origin {
    state: State,
    source: Option<String>,
    score: Option<f32>,
    annotator: Option<String>,
}

fn results(
    at: &Location,
    field: &str,
    o: &Map<String, Value>,
    from: &Origin,
    units: &Units,
    ctx: &mut Ctx,
    spans: &mut Vec<RecordSpan>,
) -> Result<(), FormatError> {
    for (ri, r) in json::opt_array(at, field, o, "result")?.iter().enumerate() {
        let rf = format!("{field}.result[{ri}]");
        match region(at, &rf, r, from, units, ctx) {
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
    data: Data<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<&'a Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<Annotation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    predictions: Vec<Prediction<'a>>,
}

#[derive(Serialize)]
struct Data<'a> {
    text: &'a str,
    id: &'a str,
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
    from_name: &'static str,
    to_name: &'static str,
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

fn to_region<'a>(units: &Units<'a>, n: &mut usize, s: &'a RecordSpan, prefix: &str) -> Region<'a> {
    *n += 1;
    Region {
        id: format!("{prefix}{n}"),
        from_name: "label",
        to_name: "text",
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

pub(super) fn write(records: &[Record], offsets: Offsets) -> Result<String, FormatError> {
    let mut tasks = Vec::with_capacity(records.len());
    for r in records {
        let units = Units::new(&r.text, offsets);
        let mut n = 0;
        let (accepted, pending) = groups(r);
        let mut annotations = Vec::new();
        if !accepted.is_empty() {
            annotations.push(Annotation {
                result: accepted
                    .iter()
                    .map(|s| to_region(&units, &mut n, s, "a"))
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
                        .map(|s| to_region(&units, &mut n, s, "p"))
                        .collect(),
                }
            })
            .collect();
        tasks.push(Task {
            data: Data {
                text: &r.text,
                id: &r.id,
            },
            meta: r
                .meta
                .as_ref()
                .filter(|m| m.as_object().is_some_and(|m| !m.is_empty())),
            annotations,
            predictions,
        });
    }
    let mut out = serde_json::to_string_pretty(&tasks).unwrap_or_default();
    out.push('\n');
    Ok(out)
}

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
    Record {
        id: r.id.clone(),
        text: r.text.clone(),
        spans,
        flagged: false,
        meta: r
            .meta
            .clone()
            .filter(|m| m.as_object().is_some_and(|m| !m.is_empty())),
        foreign: None,
    }
}
