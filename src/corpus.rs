//! Documents with spans as JSON lines (`{"id","text","spans":[{"start","end","label"}]}`,
//! the shape of the gold files), and offsets in the units tools use: Unicode code
//! points (default, Python string indices), UTF-8 bytes, or UTF-16 code units
//! (INCEpTION, browsers).
//!
//! Reading checks every record; a bad line is an error naming the file and the line,
//! skipped only when the caller asks.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
}

/// One document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocRecord {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub spans: Vec<SpanRecord>,
}

/// Offset units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Offsets {
    #[default]
    CodePoints,
    Bytes,
    Utf16,
}

impl FromStr for Offsets {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "codepoints" | "chars" | "cp" => Ok(Offsets::CodePoints),
            "bytes" => Ok(Offsets::Bytes),
            "utf16" => Ok(Offsets::Utf16),
            _ => Err(format!("'{s}' is not one of: codepoints, bytes, utf16")),
        }
    }
}

/// Converts between byte offsets and another unit for one text.
pub struct OffsetMap {
    /// Byte offset of each unit boundary (index = offset in units), for non-byte units.
    bytes_at: Vec<usize>,
    unit: Offsets,
    len: usize,
}

impl OffsetMap {
    pub fn new(text: &str, unit: Offsets) -> OffsetMap {
        let mut bytes_at = Vec::new();
        match unit {
            Offsets::Bytes => {}
            Offsets::CodePoints => {
                bytes_at.extend(text.char_indices().map(|(b, _)| b));
                bytes_at.push(text.len());
            }
            Offsets::Utf16 => {
                for (b, c) in text.char_indices() {
                    bytes_at.push(b);
                    if c.len_utf16() == 2 {
                        // Inside a surrogate pair: a byte inside the character, so the
                        // table stays sorted and `to_byte` refuses it.
                        bytes_at.push(b + 1);
                    }
                }
                bytes_at.push(text.len());
            }
        }
        OffsetMap {
            bytes_at,
            unit,
            len: text.len(),
        }
    }

    /// Byte offset of a unit offset, if it is on a character boundary in the text.
    pub fn to_byte(&self, units: usize, text: &str) -> Option<usize> {
        match self.unit {
            Offsets::Bytes => (units <= self.len && text.is_char_boundary(units)).then_some(units),
            _ => self
                .bytes_at
                .get(units)
                .copied()
                .filter(|&b| text.is_char_boundary(b)),
        }
    }

    /// Unit offset of a byte offset on a character boundary.
    pub fn from_byte(&self, byte: usize) -> usize {
        match self.unit {
            Offsets::Bytes => byte,
            _ => self.bytes_at.partition_point(|&b| b < byte),
        }
    }
}

/// Converts byte offsets, in increasing order, to `unit` in one walk over the text
/// (no table of every character, for output of long documents).
pub fn convert_sorted(text: &str, unit: Offsets, bytes: &[usize]) -> Vec<usize> {
    if unit == Offsets::Bytes {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut chars = text.char_indices().peekable();
    let mut count = 0usize;
    for &b in bytes {
        while let Some(&(i, c)) = chars.peek() {
            if i >= b {
                break;
            }
            count += if unit == Offsets::Utf16 {
                c.len_utf16()
            } else {
                1
            };
            chars.next();
        }
        out.push(count);
    }
    out
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
    let mut docs = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in src.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let err = |message: String| RecordError {
            file: file.to_string(),
            line: n + 1,
            message,
        };
        let checked = serde_json::from_str::<DocRecord>(line)
            .map_err(|e| err(format!("expected {{\"id\", \"text\", \"spans\"}}: {e}")))
            .and_then(|doc| check(&doc, unit).map(|()| doc).map_err(err));
        match checked {
            Ok(doc) => docs.push(doc),
            Err(e) if skip_bad => bad.push(e),
            Err(e) => return Err(e),
        }
    }
    Ok((docs, bad))
}

fn check(doc: &DocRecord, unit: Offsets) -> Result<(), String> {
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
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_convert_in_every_unit() {
        let text = "قالَ 😀 لا";
        for unit in [Offsets::CodePoints, Offsets::Bytes, Offsets::Utf16] {
            let m = OffsetMap::new(text, unit);
            for (b, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let u = m.from_byte(b);
                assert_eq!(m.to_byte(u, text), Some(b), "{unit:?} byte {b}");
            }
        }
        // The one-walk conversion agrees with the table.
        let offsets: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        for unit in [Offsets::CodePoints, Offsets::Bytes, Offsets::Utf16] {
            let m = OffsetMap::new(text, unit);
            let table: Vec<usize> = offsets.iter().map(|&b| m.from_byte(b)).collect();
            assert_eq!(convert_sorted(text, unit, &offsets), table, "{unit:?}");
        }
        let m = OffsetMap::new(text, Offsets::Utf16);
        let emoji = text.find('😀').unwrap();
        assert_eq!(m.from_byte(emoji), 5);
        assert_eq!(m.to_byte(6, text), None); // between the surrogates
        assert_eq!(m.from_byte(text.len()), 10);
        // Offsets before an astral character are not pushed past it.
        let m = OffsetMap::new("ab😀cd", Offsets::Utf16);
        let got: Vec<usize> = [0, 1, 2, 6, 7, 8].iter().map(|&b| m.from_byte(b)).collect();
        assert_eq!(got, [0, 1, 2, 4, 5, 6]);
    }

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
}
