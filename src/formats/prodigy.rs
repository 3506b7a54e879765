//! Prodigy tasks as JSON lines (`db-out`, and the input of `ner.manual`/`ner.correct`):
//! `{"text", "tokens": [{"text","start","end","id","ws"}], "spans": [{"start","end",
//! "token_start","token_end","label"}], "answer", "meta"}`. `token_end` is inclusive.
//!
//! Export: tokens that cover the whole text as spaCy's `Doc(words, spaces)` needs them
//! ([`tokenize_covering`]: the words of `tokens.rs`, proclitics cut off at entity
//! boundaries, and every run of white space that is not one plain space, a paragraph
//! break, as a token of its own), so joining each token's text and its `ws` space gives
//! the text back and every span is whole tokens. Rejected spans are left out: Prodigy
//! reads every span of an accepted task as an entity. A task with no pending span gets
//! `"answer": "accept"`; one with pending spans, or one its caller marks unreviewed
//! ([`answer`]), gets no answer, as a stream of suggestions to review (`raqim export`
//! leaves such documents out unless `--state all`). Spans keep `source` and `score` (the fields of `ner.teach`), and raqim's
//! `state` and `annotator` (Prodigy keeps unknown keys). The record id is written as
//! `id`, and the task's other keys it came with (`_input_hash`, `_task_hash`,
//! `_view_id`, `_session_id`...) as they were (foreign fields, see [`KEEP`]).
//!
//! Import: spans need `start`/`end`, or `token_start`/`token_end` and `tokens`; when
//! both are there they must agree. A span's state is its own `state` if it has one,
//! else the task's answer: `accept` gives accepted, `ignore` pending, no answer none
//! (the import's `--as` decides; such tasks are counted in [`super::Imported::unanswered`]).
//! `reject` depends on the interface (`_view_id`): a binary question (`ner`, or no
//! `_view_id` and one span) rejects its span; a manual task (`ner_manual`...) rejected
//! is a bad example, not wrong entities, so its text comes in without spans (counted
//! in [`super::Imported::notes`]). The annotator is the span's own `annotator`, else
//! the task's `_annotator_id` (the Prodigy session), which is also the record's layer. The id is `id`, else
//! `_input_hash`, else `FILE:LINE`.

use serde::Serialize;
use serde_json::Value;

use super::tokens::{Token, token_range, tokenize_covering};
use super::{
    Ctx, Foreign, Format, FormatError, Keep, Location, Object, Offsets, Record, RecordSpan, Units,
    json, json_id, json_spans, jsonl, read_json_lines_keeping, to_json_line_with, valid_score,
};
use crate::annotation::State;

/// The keys import reads (raqim writes them anew); any other (`_input_hash`,
/// `_task_hash`, `_view_id`, `_session_id`, a recipe's own) is kept as the record's
/// foreign fields and written back.
///
/// `_annotator_id` is the record's layer ([`Record::layer`]). Prodigy fills it and
/// `_session_id` with one value, `<dataset>-<session name>` (`ner_news-alex` for
/// `?session=alex` on dataset `ner_news`; a timestamp for an unnamed session), as its
/// `db-out` and its own test data show. raqim has no dataset name, so a record with a
/// layer is written with the layer's name in both; one without (an export of one
/// layer) gets no `_annotator_id` and its `_session_id` as it came.
///
/// `answer` is kept too, though read: an import marks a new document whose task was
/// accepted as done (Prodigy's "no entities here" is a reviewed text), and the writer
/// writes the answer anew, never the one kept.
const KEEP: Keep = Keep {
    format: Format::Prodigy,
    known: &["id", "text", "tokens", "spans"],
    layer: Some("_annotator_id"),
};

/// The answer a task is written with: none while a span is pending, nor for a document
/// the caller says nobody reviewed (`"answer": null` in its foreign layout: a text with
/// no span, not marked done); else `accept`.
pub(super) fn answer(r: &Record) -> Option<&'static str> {
    let pending = r.spans.iter().any(|s| s.state == Some(State::Pending));
    let unreviewed = r
        .foreign_for(Format::Prodigy)
        .and_then(|f| f.layout.get("answer"))
        .is_some_and(Value::is_null);
    (!pending && !unreviewed).then_some("accept")
}

/// The foreign fields a Prodigy round trip gives back: those kept, with the answer as
/// written (see [`answer`]); no layout.
pub(super) fn expected_foreign(r: &Record) -> Option<Foreign> {
    let mut fields = r
        .foreign_for(Format::Prodigy)
        .map(|f| f.fields.clone())
        .unwrap_or_default();
    fields.remove("meta");
    fields.remove("answer");
    if let Some(a) = answer(r) {
        fields.insert("answer".into(), Value::from(a));
    }
    Foreign::new(Format::Prodigy, fields, Default::default())
}

pub(super) fn read(name: &str, src: &str, ctx: &mut Ctx) -> Result<(), FormatError> {
    read_json_lines_keeping(name, src, ctx, Some(KEEP), task_id, spans)
}

/// `id`, else `_input_hash`, else the default of every JSON format.
fn task_id(at: &Location, o: &Object) -> Result<String, FormatError> {
    match json::opt_name(at, "", o, "id")? {
        Some(id) => Ok(id),
        None => match json::opt_name(at, "", o, "_input_hash")? {
            Some(h) => Ok(h),
            None => json_id(at, o),
        },
    }
}

/// A task's spans, with the task's answer as the state of a span that has none. A
/// rejected task means "this span is wrong" for a binary question (`_view_id` `ner`,
/// or no `_view_id` and one span), but "this example is bad" for a manual one
/// (`ner_manual`...): its text is imported without spans, and the import says so.
fn spans(
    at: &Location,
    o: &Object,
    units: &Units,
    ctx: &mut Ctx,
) -> Result<Vec<RecordSpan>, FormatError> {
    let answer = json::opt_str(at, "", o, "answer")?;
    let default_state = match answer {
        Some("accept") => Some(State::Accepted),
        Some("reject") => {
            let view = json::opt_str(at, "", o, "_view_id")?;
            let binary = match view {
                Some(v) => v == "ner",
                None => json::opt_array(at, "", o, "spans")?.len() == 1,
            };
            if !binary {
                ctx.note(REJECTED_EXAMPLE, 1);
                return Ok(Vec::new());
            }
            Some(State::Rejected)
        }
        Some("ignore") => Some(State::Pending),
        None => None,
        Some(a) => {
            return Err(FormatError::field(
                at,
                "answer",
                format!("{a:?} is not one of accept, reject, ignore"),
            ));
        }
    };
    let annotator = json::opt_name(at, "", o, "_annotator_id")?;
    let tokens = json::opt_array(at, "", o, "tokens")?;
    let spans = json_spans(at, o, &["spans"], ctx, |field, s, ctx| {
        let mut s = span(at, field, s, tokens, units, ctx)?;
        if s.state.is_none() {
            s.state = default_state;
        }
        if s.annotator.is_none() {
            s.annotator.clone_from(&annotator);
        }
        Ok(s)
    })?;
    if spans.iter().any(|s| s.state.is_none()) {
        ctx.out.unanswered += 1;
    }
    Ok(spans)
}

/// What the import says of a rejected manual task.
pub const REJECTED_EXAMPLE: &str =
    "rejected manual tasks (the example was rejected, not its spans): texts imported without spans";

fn span(
    at: &Location,
    field: &str,
    v: &Value,
    tokens: &[Value],
    units: &Units,
    ctx: &mut Ctx,
) -> Result<RecordSpan, FormatError> {
    let o = json::object(at, field, v)?;
    let start = json::opt_usize(at, field, o, "start")?;
    let end = json::opt_usize(at, field, o, "end")?;
    let ts = json::opt_usize(at, field, o, "token_start")?;
    let te = json::opt_usize(at, field, o, "token_end")?;
    let from_tokens = match (ts, te, tokens.is_empty()) {
        (Some(ts), Some(te), false) => {
            let (a, _) = token(at, field, "token_start", ts, tokens, units)?;
            let (_, b) = token(at, field, "token_end", te, tokens, units)?;
            Some((a, b))
        }
        _ => None,
    };
    let (start, end) = match (start, end, from_tokens) {
        (Some(s), Some(e), _) => {
            let (s, e) = units.span(at, field, s, e)?;
            if let Some((a, b)) = from_tokens
                && (a, b) != (s, e)
            {
                return Err(FormatError::field(
                    at,
                    field,
                    format!(
                        "token_start/token_end cover code points {a}..{b}, but start/end are {s}..{e}"
                    ),
                ));
            }
            (s, e)
        }
        (_, _, Some((a, b))) => {
            if a >= b {
                return Err(FormatError::field(
                    at,
                    field,
                    "token_end is before token_start",
                ));
            }
            (a, b)
        }
        _ => {
            let missing = if start.is_none() { "start" } else { "end" };
            return Err(FormatError::field(
                at,
                format!("{field}.{missing}"),
                "missing (and no token_start/token_end with tokens to find it)",
            ));
        }
    };
    jsonl::finish_span(at, field, o, (start, end), units, ctx)
}

/// The code point range of token `i`, checked.
fn token(
    at: &Location,
    field: &str,
    key: &str,
    i: usize,
    tokens: &[Value],
    units: &Units,
) -> Result<(usize, usize), FormatError> {
    let v = tokens.get(i).ok_or_else(|| {
        FormatError::field(
            at,
            format!("{field}.{key}"),
            format!("{i} is past the last token ({} tokens)", tokens.len()),
        )
    })?;
    let tf = format!("tokens[{i}]");
    let o = json::object(at, &tf, v)?;
    let s = json::req_usize(at, &tf, o, "start")?;
    let e = json::req_usize(at, &tf, o, "end")?;
    let (s, e) = units.span(at, &tf, s, e)?;
    if let Some(q) = json::opt_str(at, &tf, o, "text")? {
        units.check_quote(at, &format!("{tf}.text"), (s, e), q)?;
    }
    Ok((s, e))
}

#[derive(Serialize)]
struct Task<'a> {
    id: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tokens: Option<Vec<Tok<'a>>>,
    spans: Vec<Span<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    flagged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<&'a Value>,
    /// The record's layer, in both fields as Prodigy fills them (see [`KEEP`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    _annotator_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    _session_id: Option<&'a str>,
}

#[derive(Serialize)]
struct Tok<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    id: usize,
    ws: bool,
}

#[derive(Serialize)]
struct Span<'a> {
    start: usize,
    end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_start: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_end: Option<usize>,
    label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<State>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotator: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    flagged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<&'a Value>,
}

pub(super) fn write(records: &[Record], offsets: Offsets) -> Result<String, FormatError> {
    let mut out = String::new();
    for r in records {
        let units = Units::new(&r.text, offsets);
        let kept: Vec<&RecordSpan> = r.spans.iter().filter(|s| !s.is_rejected()).collect();
        let bytes: Vec<(usize, usize)> = kept
            .iter()
            .map(|s| (units.byte(s.start), units.byte(s.end)))
            .collect();
        let covering = tokenize_covering(&r.text, &bytes);
        let toks: Vec<Token> = covering.iter().map(|t| t.0).collect();
        let ranges: Option<Vec<(usize, usize)>> = bytes
            .iter()
            .map(|&(a, b)| token_range(&toks, a, b))
            .collect();
        let file_off = |b: usize| units.to_file(units.cp_of_byte(b));
        let tokens = ranges.is_some().then(|| {
            covering
                .iter()
                .enumerate()
                .map(|(i, &(t, ws))| Tok {
                    text: &r.text[t.start..t.end],
                    start: file_off(t.start),
                    end: file_off(t.end),
                    id: i,
                    ws,
                })
                .collect()
        });
        let spans = kept
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let tr = ranges.as_ref().map(|v| v[i]);
                Span {
                    start: units.to_file(s.start),
                    end: units.to_file(s.end),
                    token_start: tr.map(|t| t.0),
                    token_end: tr.map(|t| t.1),
                    label: &s.label,
                    state: s.state,
                    source: s.source.as_deref(),
                    score: s.score,
                    annotator: s.annotator.as_deref(),
                    flagged: s.flagged,
                    meta: s.meta.as_ref().filter(|m| !m.is_null()),
                }
            })
            .collect();
        // The answer is written anew, never the one the task came with.
        let foreign = r.foreign_for(Format::Prodigy).map(|f| {
            let mut fields = f.fields.clone();
            fields.remove("answer");
            Foreign {
                fields,
                ..f.clone()
            }
        });
        to_json_line_with(
            &mut out,
            &Task {
                id: &r.id,
                text: &r.text,
                tokens,
                spans,
                answer: answer(r),
                flagged: r.flagged,
                meta: r.meta.as_ref().filter(|m| !m.is_null()),
                _annotator_id: r.layer.as_deref(),
                _session_id: r.layer.as_deref(),
            },
            foreign.as_ref(),
        );
    }
    Ok(out)
}

/// A span after a Prodigy round trip: a task with no pending span is answered
/// `accept`, which gives a span without a state of its own the state accepted; in a
/// task without an answer it stays without one.
pub(super) fn expected_span(r: &Record, s: &RecordSpan) -> RecordSpan {
    let mut out = valid_score(s);
    if answer(r).is_some() {
        out.state.get_or_insert(State::Accepted);
    }
    out
}
