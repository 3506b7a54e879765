//! CoNLL with IOB tags: one token a line, `TOKEN<TAB>TAG`, a blank line between
//! sentences, each document opened by two comment lines that let an import rebuild the
//! exact text and offsets:
//!
//! ```text
//! # id = deir-ez-zor
//! # text = قال والجيش السوري\nإن ...
//! قال<TAB>O
//! و<TAB>O
//! الجيش<TAB>B-ORG
//! السوري<TAB>I-ORG
//! ```
//!
//! In `# id` and `# text` values a backslash is written `\\`, a line feed `\n`, a
//! carriage return `\r`, a tab `\t`, and any other control character, U+2028, U+2029,
//! or white space ending the line as `\u{HEX}`; everything else is written as it is.
//!
//! Export: tokens as in `tokens.rs` (white space and punctuation separate; a token is
//! also cut where an entity starts or ends inside it, so `والجيش` with the entity
//! `الجيش` gives `و` + `الجيش`); IOB2 tags (`B-` opens every entity); a blank line
//! after a token that ends a sentence (`.`, `!`, `?`, `؟`, `…` followed by white space)
//! or before a line break in the text, but never inside an entity. Rejected spans are
//! left out. Overlapping spans, and spans that start or end on white space or a
//! control character (no whole tokens), cannot be written. No offsets are written, so the `Offsets` unit does not
//! apply.
//!
//! Import: IOB2, and IOB1 (where `I-` may open an entity and `B-` only separates two
//! adjacent entities of one type): `I-X` continues an entity of type X on the previous
//! token of the same sentence, and opens one otherwise. The tag is the last column, so
//! `token TAG` with spaces and CoNLL-2003's `token POS CHUNK TAG` read too. Lines with a
//! tab are always tokens; lines without one starting with `#` are comments.
//! `-DOCSTART-` and `# id` start a document; a `# text` also starts one when the
//! current one already has a text (CoNLL-U's sentence-level comments). With `# text`,
//! tokens are found in the text in order; without it the text is rebuilt: tokens
//! joined by one space, sentences by a line feed. A file with none of these markers
//! is one document per sentence. Ids are the `# id`, else `FILE#N`.

use super::tokens::{Token, token_range, tokenize_for_spans};
use super::{
    Ctx, Format, FormatError, Location, Offsets, Record, RecordSpan, Units, base_name, lines,
};

/// An entity as tokens: first token, last token, label.
type Entity<'r> = (usize, usize, &'r str);

/// Token layout of a record: tokens, and its entities, sorted.
fn layout(r: &Record) -> Result<(Vec<Token>, Vec<Entity<'_>>), FormatError> {
    let units = Units::new(&r.text, Offsets::CodePoints);
    let mut spans: Vec<(usize, &RecordSpan)> = r
        .spans
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_rejected())
        .collect();
    spans.sort_by_key(|(_, s)| (s.start, s.end));
    for w in spans.windows(2) {
        let ((i, a), (j, b)) = (w[0], w[1]);
        if b.start < a.end {
            return Err(FormatError::export(
                Format::Conll,
                &r.id,
                format!("spans[{j}]"),
                format!("overlaps spans[{i}]; IOB tags give each token one entity"),
            ));
        }
    }
    let bytes: Vec<(usize, usize)> = spans
        .iter()
        .map(|(_, s)| (units.byte(s.start), units.byte(s.end)))
        .collect();
    let cuts: Vec<usize> = bytes.iter().flat_map(|&(a, b)| [a, b]).collect();
    let tokens = tokenize_for_spans(&r.text, &cuts);
    let mut ents = Vec::with_capacity(spans.len());
    for (&(i, s), &(a, b)) in spans.iter().zip(&bytes) {
        let Some((ti, tj)) = token_range(&tokens, a, b) else {
            return Err(FormatError::export(
                Format::Conll,
                &r.id,
                format!("spans[{i}]"),
                "starts or ends on white space or a control character, so it is not a run of whole tokens",
            ));
        };
        ents.push((ti, tj, s.label.as_str()));
    }
    Ok((tokens, ents))
}

/// What CoNLL cannot hold.
pub(super) fn check(r: &Record) -> Result<(), FormatError> {
    layout(r).map(|_| ())
}

pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let last = s.char_indices().last().map(|(i, _)| i);
    for (i, c) in s.char_indices() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{{{:X}}}", c as u32));
            }
            c if Some(i) == last && c.is_whitespace() => {
                out.push_str(&format!("\\u{{{:X}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

pub(super) fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let rest = it.as_str();
                let hex = rest
                    .strip_prefix('{')
                    .and_then(|r| r.split_once('}'))
                    .map(|(h, _)| h);
                let c = hex
                    .filter(|h| h.len() <= 6)
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                    .ok_or("\\u must be followed by {HEX} naming a character")?;
                out.push(c);
                let skip = hex.map_or(0, |h| h.len() + 2);
                it = rest[skip..].chars();
            }
            other => {
                return Err(format!(
                    "unknown escape \\{} (known: \\\\ \\n \\r \\t \\u{{HEX}})",
                    other.map(String::from).unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

fn ends_sentence(tok: &str) -> bool {
    matches!(tok, "." | "!" | "?" | "؟" | "…")
}

pub(super) fn write(records: &[Record]) -> Result<String, FormatError> {
    let mut out = String::new();
    for r in records {
        let (tokens, ents) = layout(r)?;
        let mut tags = vec![String::from("O"); tokens.len()];
        // inside[k]: tokens k and k + 1 belong to one entity.
        let mut inside = vec![false; tokens.len()];
        for &(i, j, label) in &ents {
            tags[i] = format!("B-{label}");
            for k in i + 1..=j {
                tags[k] = format!("I-{label}");
                inside[k - 1] = true;
            }
        }
        out.push_str(&format!("# id = {}\n", escape(&r.id)));
        out.push_str(&format!("# text = {}\n", escape(&r.text)));
        for (k, t) in tokens.iter().enumerate() {
            let tok = &r.text[t.start..t.end];
            out.push_str(tok);
            out.push('\t');
            out.push_str(&tags[k]);
            out.push('\n');
            if let Some(next) = tokens.get(k + 1) {
                let gap = &r.text[t.end..next.start];
                let breaks = gap.contains('\n') || (ends_sentence(tok) && !gap.is_empty());
                if breaks && !inside[k] {
                    out.push('\n');
                }
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// A tag read from a file.
enum Tag {
    Out,
    Begin(String),
    Inside(String),
}

fn tag(s: &str) -> Result<Tag, String> {
    if s == "O" {
        return Ok(Tag::Out);
    }
    match s.split_once('-') {
        Some(("B", l)) if !l.is_empty() => Ok(Tag::Begin(l.to_string())),
        Some(("I", l)) if !l.is_empty() => Ok(Tag::Inside(l.to_string())),
        _ => Err(format!("{s:?} is not O, B-LABEL or I-LABEL")),
    }
}

/// One token line.
struct Line {
    n: usize,
    token: String,
    tag: Tag,
}

/// A document being read.
#[derive(Default)]
struct Doc {
    id: Option<String>,
    text: Option<String>,
    sentences: Vec<Vec<Line>>,
    /// A problem was found (and, with `skip_bad`, recorded): drop the document.
    bad: bool,
}

impl Doc {
    fn is_empty(&self) -> bool {
        self.id.is_none() && self.text.is_none() && self.sentences.iter().all(Vec::is_empty)
    }
}

pub(super) fn read(name: &str, src: &str, ctx: &mut Ctx) -> Result<(), FormatError> {
    let is_marker = |l: &str| {
        (!l.contains('\t')
            && l.starts_with('#')
            && (comment_value(l, "id").is_some() || comment_value(l, "text").is_some()))
            || l.split_whitespace().next() == Some("-DOCSTART-")
    };
    let marked = lines(src).any(|(_, l)| is_marker(l));
    let mut doc = Doc::default();
    let mut sent: Vec<Line> = Vec::new();
    for (n, line) in lines(src) {
        if line.trim().is_empty() {
            if !sent.is_empty() {
                doc.sentences.push(std::mem::take(&mut sent));
            }
            if !marked {
                finish(name, std::mem::take(&mut doc), ctx)?;
            }
            continue;
        }
        let at = Location::line(name, n);
        if !line.contains('\t') && line.starts_with('#') {
            let (key, value) = if let Some(v) = comment_value(line, "id") {
                ("id", v)
            } else if let Some(v) = comment_value(line, "text") {
                ("text", v)
            } else {
                ctx.ignore("CoNLL comments other than # id and # text");
                continue;
            };
            if !sent.is_empty() {
                doc.sentences.push(std::mem::take(&mut sent));
            }
            if key == "id" || doc.text.is_some() || !doc.sentences.is_empty() {
                finish(name, std::mem::take(&mut doc), ctx)?;
            }
            match unescape(value) {
                Ok(v) if key == "id" => doc.id = Some(v),
                Ok(v) => doc.text = Some(v),
                Err(m) => {
                    ctx.bad(FormatError::field(&at, format!("# {key}"), m))?;
                    doc.bad = true;
                }
            }
            continue;
        }
        let fields: Vec<&str> = if line.contains('\t') {
            line.split('\t').map(str::trim).collect()
        } else {
            line.split_whitespace().collect()
        };
        if fields[0] == "-DOCSTART-" {
            if !sent.is_empty() {
                doc.sentences.push(std::mem::take(&mut sent));
            }
            finish(name, std::mem::take(&mut doc), ctx)?;
            continue;
        }
        let parsed = match fields[..] {
            [token, .., t] if !token.is_empty() => tag(t)
                .map(|t| Line {
                    n,
                    token: token.to_string(),
                    tag: t,
                })
                .map_err(|m| FormatError::field(&at, "tag", m)),
            _ => Err(FormatError::syntax(
                &at,
                "expected a token and a tag separated by a tab (TOKEN<TAB>TAG)",
            )),
        };
        match parsed {
            Ok(l) => sent.push(l),
            Err(e) => {
                ctx.bad(e)?;
                doc.bad = true;
            }
        }
    }
    if !sent.is_empty() {
        doc.sentences.push(sent);
    }
    finish(name, doc, ctx)
}

/// The value of a `# key = value` comment (also `# key =` with an empty value).
fn comment_value<'l>(line: &'l str, key: &str) -> Option<&'l str> {
    let rest = line.strip_prefix('#')?.trim_start().strip_prefix(key)?;
    let rest = rest.trim_start_matches(' ').strip_prefix('=')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

fn finish(name: &str, doc: Doc, ctx: &mut Ctx) -> Result<(), FormatError> {
    if doc.bad || doc.is_empty() {
        return Ok(());
    }
    let n = ctx.out.records.len() + 1;
    match build(name, n, doc, ctx) {
        Ok(r) => ctx.out.records.push(r),
        Err(e) => ctx.bad(e)?,
    }
    Ok(())
}

fn build(name: &str, n: usize, doc: Doc, ctx: &mut Ctx) -> Result<Record, FormatError> {
    let id = doc.id.unwrap_or_else(|| format!("{}#{n}", base_name(name)));
    // Byte range of every token, sentence by sentence.
    let mut ranges: Vec<Vec<(usize, usize)>> = Vec::with_capacity(doc.sentences.len());
    let text = match doc.text {
        Some(text) => {
            let mut pos = 0;
            for s in &doc.sentences {
                let mut r = Vec::with_capacity(s.len());
                for l in s {
                    let rest = &text[pos..];
                    let skip = rest.len() - rest.trim_start().len();
                    let found = if rest[skip..].starts_with(&l.token) {
                        Some(pos + skip)
                    } else {
                        rest.find(&l.token).map(|i| pos + i)
                    };
                    let Some(at) = found else {
                        let cp = crate::offsets::len_in(&text[..pos], Offsets::CodePoints);
                        return Err(FormatError::field(
                            &Location::line(name, l.n),
                            "token",
                            format!(
                                "{:?} is not in the document's # text after code point {cp}",
                                l.token
                            ),
                        ));
                    };
                    pos = at + l.token.len();
                    r.push((at, pos));
                }
                ranges.push(r);
            }
            text
        }
        None => {
            let mut text = String::new();
            for (k, s) in doc.sentences.iter().enumerate() {
                if k > 0 {
                    text.push('\n');
                }
                let mut r = Vec::with_capacity(s.len());
                for (i, l) in s.iter().enumerate() {
                    if i > 0 {
                        text.push(' ');
                    }
                    r.push((text.len(), text.len() + l.token.len()));
                    text.push_str(&l.token);
                }
                ranges.push(r);
            }
            text
        }
    };
    let units = Units::new(&text, Offsets::CodePoints);
    let cp = |b: usize| units.cp_of_byte(b);
    let mut spans = Vec::new();
    for (s, r) in doc.sentences.iter().zip(&ranges) {
        // The open entity: label, first line, byte start and end.
        let mut open: Option<(&str, usize, usize, usize)> = None;
        let mut close = |open: &mut Option<(&str, usize, usize, usize)>,
                         ctx: &mut Ctx|
         -> Result<(), FormatError> {
            if let Some((label, line, a, b)) = open.take() {
                match ctx.label(&Location::line(name, line), &|| "tag".to_string(), label) {
                    Ok(()) => spans.push(RecordSpan::new(cp(a), cp(b), label)),
                    Err(e) => ctx.bad(e)?,
                }
            }
            Ok(())
        };
        for (l, &(a, b)) in s.iter().zip(r) {
            match &l.tag {
                Tag::Out => close(&mut open, ctx)?,
                Tag::Inside(label) if open.is_some_and(|o| o.0 == label.as_str()) => {
                    if let Some(o) = open.as_mut() {
                        o.3 = b;
                    }
                }
                Tag::Begin(label) | Tag::Inside(label) => {
                    close(&mut open, ctx)?;
                    open = Some((label, l.n, a, b));
                }
            }
        }
        close(&mut open, ctx)?;
    }
    Ok(Record {
        id,
        text,
        spans,
        flagged: false,
        meta: None,
        foreign: None,
    })
}
