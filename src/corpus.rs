//! Documents with spans as JSON lines (`{"id","text","spans":[{"start","end","label"}]}`,
//! the shape of the gold files), and offsets in the units tools use: Unicode code
//! points (default, Python string indices), UTF-8 bytes, or UTF-16 code units
//! (INCEpTION, browsers).
//!
//! Reading checks every record; a bad line is an error naming the file and the line,
//! skipped only when the caller asks.

use serde::{Deserialize, Serialize};

use crate::offsets::OffsetMap;
/// The offset units, named here too since the command line and the readers of this
/// module take them (the conversions live in `crate::offsets`).
pub use crate::offsets::Offsets;

/// One span as written in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanRecord {
    pub start: usize,
    pub end: usize,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// The review state raqim's export gives (`accepted`, `pending`, `rejected`):
    /// read so that `eval` leaves rejected spans out, never written.
    #[serde(default, skip_serializing)]
    pub state: Option<String>,
}

/// One document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocRecord {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub spans: Vec<SpanRecord>,
    /// What raqim's export says of the document (`name`, ...); read so that `eval`
    /// finds a document by its name too, never written.
    #[serde(default, skip_serializing)]
    pub meta: Option<serde_json::Value>,
}

impl DocRecord {
    /// The name raqim's export gives in `meta.name`, and that name without `.txt`.
    pub fn names(&self) -> Vec<&str> {
        let name = self
            .meta
            .as_ref()
            .and_then(|m| m.get("name"))
            .and_then(serde_json::Value::as_str);
        let mut out: Vec<&str> = name.into_iter().collect();
        if let Some(stem) = name.and_then(|n| n.strip_suffix(".txt")) {
            out.push(stem);
        }
        out
    }
}

/// A bad record.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RecordError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Reads JSON lines of documents. Each record is checked (offsets inside the text,
/// start < end, on character boundaries, a label). With `skip_bad` bad records are
/// returned as errors beside the good ones; without it the first one is the error.
pub fn read_jsonl(
    file: &str,
    src: &str,
    unit: Offsets,
    skip_bad: bool,
) -> Result<(Vec<DocRecord>, Vec<RecordError>), RecordError> {
    let read = json_lines(src, |n, line| {
        let err = |message: String| RecordError {
            file: file.to_string(),
            line: n,
            message,
        };
        serde_json::from_str::<DocRecord>(line)
            .map_err(|e| match surrogate_error(line, &e) {
                Some(l) => err(l.message(false)),
                None => err(format!("expected {{\"id\", \"text\", \"spans\"}}: {e}")),
            })
            .and_then(|doc| check(&doc, unit).map(|()| doc).map_err(err))
    });
    let mut docs = Vec::new();
    let mut bad = Vec::new();
    for checked in read {
        match checked {
            Ok(doc) => docs.push(doc),
            Err(e) if skip_bad => bad.push(e),
            Err(e) => return Err(e),
        }
    }
    Ok((docs, bad))
}

/// A `\uD800`-`\uDFFF` escape in JSON source that is not half of a pair: serde_json
/// calls it "unexpected end of hex escape" or "lone leading surrogate", which does not
/// say what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoneSurrogate {
    /// 1-based line and column (in characters) of the escape in the source.
    pub line: usize,
    pub column: usize,
    /// The escape as written, e.g. `\ud800`.
    pub escape: String,
}

impl LoneSurrogate {
    /// What is wrong and what was expected; `with_line` for a source of many lines.
    pub fn message(&self, with_line: bool) -> String {
        let at = if with_line {
            format!("line {} column {}", self.line, self.column)
        } else {
            format!("column {}", self.column)
        };
        format!(
            "not valid JSON: an unpaired surrogate {} at {at}; expected a character beyond U+FFFF as a pair of escapes, \\uD800-\\uDBFF then \\uDC00-\\uDFFF (a lone half is no character)",
            self.escape
        )
    }
}

/// The unpaired surrogate that made serde_json fail on `src`, if that is why: a syntax
/// error at or after the first unpaired surrogate escape.
pub fn surrogate_error(src: &str, e: &serde_json::Error) -> Option<LoneSurrogate> {
    if !e.is_syntax() {
        return None;
    }
    lone_surrogate(src).filter(|l| (l.line, l.column) <= (e.line(), e.column()))
}

/// The first unpaired surrogate escape in JSON source, if any (escaped backslashes
/// are passed over, so `\\ud800` is text, not an escape).
pub fn lone_surrogate(src: &str) -> Option<LoneSurrogate> {
    let hex = |i: usize| -> Option<u32> {
        let h = src.get(i..i + 4)?;
        if h.bytes().all(|b| b.is_ascii_hexdigit()) {
            u32::from_str_radix(h, 16).ok()
        } else {
            None
        }
    };
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        if b.get(i + 1) != Some(&b'u') {
            i += 2;
            continue;
        }
        let Some(u) = hex(i + 2) else {
            i += 2;
            continue;
        };
        let paired = (0xD800..0xDC00).contains(&u)
            && b.get(i + 6) == Some(&b'\\')
            && b.get(i + 7) == Some(&b'u')
            && hex(i + 8).is_some_and(|l| (0xDC00..0xE000).contains(&l));
        if paired {
            i += 12;
            continue;
        }
        if (0xD800..0xE000).contains(&u) {
            let before = &src[..i];
            let line_start = before.rfind('\n').map_or(0, |p| p + 1);
            return Some(LoneSurrogate {
                line: before.matches('\n').count() + 1,
                column: before[line_start..].chars().count() + 1,
                escape: src[i..i + 6].to_string(),
            });
        }
        i += 6;
    }
    None
}

/// Lines with their 1-based numbers, split at `\n` only, a trailing `\r` dropped.
pub fn numbered_lines(src: &str) -> impl Iterator<Item = (usize, &str)> {
    src.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
}

/// Reads every line of JSON lines `src` that is not blank with `read`, given the
/// line's number and its text (as [`numbered_lines`] gives them). Lines
/// are read in parallel; the results come back in line order. This is the one reader
/// of JSON lines: the gold files here and the interchange formats both go through it,
/// each with its own record check.
pub fn json_lines<T: Send>(src: &str, read: impl Fn(usize, &str) -> T + Sync) -> Vec<T> {
    use rayon::prelude::*;
    let todo: Vec<(usize, &str)> = numbered_lines(src)
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    todo.par_iter().map(|&(n, line)| read(n, line)).collect()
}

fn check(doc: &DocRecord, unit: Offsets) -> Result<(), String> {
    if let Some(m) = crate::document::nul_in_text(&doc.text) {
        return Err(format!("text: {m}"));
    }
    let map = OffsetMap::new(&doc.text, unit);
    for (i, s) in doc.spans.iter().enumerate() {
        if s.start >= s.end {
            return Err(format!(
                "span {i}: start {} is not before end {}",
                s.start, s.end
            ));
        }
        for (what, at) in [("start", s.start), ("end", s.end)] {
            if map.to_byte(at, &doc.text).is_none() {
                return Err(format!(
                    "span {i}: {what} {at} is outside the text or inside a character"
                ));
            }
        }
        if s.label.trim().is_empty() {
            return Err(format!("span {i}: empty label"));
        }
        if let Some(x) = s.score.filter(|x| !(0.0..=1.0).contains(x)) {
            return Err(format!(
                "span {i}: score: expected a number from 0 to 1, found {x}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_records_name_file_and_line() {
        let src = "{\"id\":\"a\",\"text\":\"abc\",\"spans\":[{\"start\":0,\"end\":2,\"label\":\"X\"}]}\n\
                   not json\n\
                   {\"id\":\"c\",\"text\":\"abc\",\"spans\":[{\"start\":2,\"end\":9,\"label\":\"X\"}]}\n";
        let e = read_jsonl("g.jsonl", src, Offsets::CodePoints, false).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("g.jsonl", 2));
        let (docs, bad) = read_jsonl("g.jsonl", src, Offsets::CodePoints, true).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(bad.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2, 3]);
        assert!(bad[1].to_string().contains("end 9 is outside the text"));
    }

    #[test]
    fn an_unpaired_surrogate_is_named_with_its_place() {
        let src = "{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"b\",\"text\":\"a\\ud800b\"}\n";
        let e = read_jsonl("g.jsonl", src, Offsets::CodePoints, false).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with(
                "g.jsonl:2: not valid JSON: an unpaired surrogate \\ud800 at column 20"
            ),
            "{msg}"
        );
        // A pair, an escaped backslash, a lone low half.
        assert_eq!(lone_surrogate(r#""\ud83d\ude00 \\ud800""#), None);
        let l = lone_surrogate("[\n \"x\\udc00\"]").unwrap();
        assert_eq!((l.line, l.column, l.escape.as_str()), (2, 4, "\\udc00"));
        let l = lone_surrogate(r#""\ud800\u0041""#).unwrap();
        assert_eq!((l.line, l.column), (1, 2));
    }
}
