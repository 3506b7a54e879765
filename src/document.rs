//! An article as logical text: loading it from bytes (with the checks that keep bad
//! input from costing data or reaching the terminal raw), its stable id, and its
//! paragraphs as byte ranges.
//!
//! Owns: decoding, BOM and line-ending handling, paragraph splitting. Must not: change
//! the text (offsets into it are the currency of every other module), or know about
//! the screen.

use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Paragraphs longer than this are laid out in pieces of about this size (cut at a
/// space where one is near), so that a 20 MB one-line file opens and scrolls without
/// resolving bidi over the whole line first. Each piece is its own bidi paragraph: an
/// embedding that spans a cut is resolved per piece (documented limitation).
pub const MAX_PIECE_BYTES: usize = 64 * 1024;

/// Why bytes could not be opened as an article.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    /// The bytes are not UTF-8.
    #[error(
        "{name}: not valid UTF-8: bad byte sequence at byte offset {offset} (line {line}, column {column}); expected UTF-8 text (use --lossy to open it anyway, with bad bytes shown as \u{FFFD})"
    )]
    InvalidUtf8 {
        name: String,
        offset: usize,
        line: usize,
        column: usize,
    },
    /// NUL bytes: almost surely not an article.
    #[error(
        "{name}: looks like a binary file (NUL byte at byte offset {offset}); expected a UTF-8 text article"
    )]
    Binary { name: String, offset: usize },
    /// UTF-16 with a byte-order mark: text, but in the wrong encoding.
    #[error("{name}: {why}")]
    Utf16 { name: String, why: &'static str },
}

/// Why a file could not be opened as an article: unreadable, or not an article.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Read(#[from] crate::ReadError),
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// One paragraph as shown on screen: a byte range of the document text with no line
/// break inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// Byte range in [`Document::text`].
    pub range: Range<usize>,
    /// 0-based line of the file this paragraph comes from.
    pub source_line: usize,
    /// True when this is a later piece of a long line cut by [`MAX_PIECE_BYTES`]: no
    /// blank row goes before it, and it keeps the first piece's direction.
    pub continued: bool,
}

/// A loaded article.
#[derive(Debug, Clone)]
pub struct Document {
    /// Display name (usually the file name).
    pub name: String,
    /// The logical text, exactly as decoded (BOM removed, nothing else changed).
    pub text: String,
    /// Non-blank paragraphs in order. Whitespace-only lines take no room.
    pub paragraphs: Vec<Paragraph>,
    /// True when invalid bytes were replaced (`--lossy`).
    pub lossy: bool,
    /// True when a UTF-8 byte order mark was removed from the front.
    pub had_bom: bool,
}

/// The id of a document: the SHA-256 of its text, in lower-case hex. The viewer, the
/// store and the exchange formats all name a document by it, so it is computed here
/// only.
pub fn document_id(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Document {
    /// Reads a file; errors name the file and, for bad content, the byte offset.
    pub fn open(path: &Path, lossy: bool) -> Result<Document, OpenError> {
        let bytes = crate::read_input(path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let named = path.display().to_string();
        let mut doc = Document::from_bytes(&named, bytes, lossy)?;
        doc.name = name;
        Ok(doc)
    }

    /// Decodes bytes. `name` is used in error messages and as the display name.
    pub fn from_bytes(name: &str, bytes: Vec<u8>, lossy: bool) -> Result<Document, LoadError> {
        let (text, was_lossy, had_bom) = decode(name, bytes, lossy)?;
        Ok(Document::from_text(name, text, was_lossy, had_bom))
    }

    /// Builds a document from text already decoded.
    pub fn from_text(name: &str, text: String, lossy: bool, had_bom: bool) -> Document {
        let paragraphs = split_paragraphs(&text);
        Document {
            name: name.to_string(),
            text,
            paragraphs,
            lossy,
            had_bom,
        }
    }

    /// Stable id: [`document_id`] of the text.
    pub fn id(&self) -> String {
        document_id(&self.text)
    }

    /// The text of paragraph `i`.
    pub fn paragraph_text(&self, i: usize) -> &str {
        &self.text[self.paragraphs[i].range.clone()]
    }

    /// True when the document has nothing to show.
    pub fn is_blank(&self) -> bool {
        self.paragraphs.is_empty()
    }
}

/// Decodes an article's bytes: refuses NUL bytes (binary) and invalid UTF-8 (naming
/// the byte offset, line and column) unless `lossy`, and removes a UTF-8 BOM.
/// Returns the text, whether bad bytes were replaced, and whether a BOM was removed.
pub fn decode(
    name: &str,
    mut bytes: Vec<u8>,
    lossy: bool,
) -> Result<(String, bool, bool), LoadError> {
    if let Some(why) = utf16_bom(&bytes) {
        return Err(LoadError::Utf16 {
            name: name.to_string(),
            why,
        });
    }
    if let Some(offset) = find_nul(&bytes) {
        return Err(LoadError::Binary {
            name: name.to_string(),
            offset,
        });
    }
    let had_bom = bytes.starts_with(b"\xEF\xBB\xBF");
    if had_bom {
        bytes.drain(..3);
    }
    let (text, was_lossy) = match String::from_utf8(bytes) {
        Ok(t) => (t, false),
        Err(e) => {
            if lossy {
                (String::from_utf8_lossy(e.as_bytes()).into_owned(), true)
            } else {
                let bytes = e.as_bytes();
                let bad = e.utf8_error().valid_up_to();
                let before = &bytes[..bad];
                let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
                let line_start = before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                // Column in characters; the prefix up to `bad` is valid UTF-8.
                let column = String::from_utf8_lossy(&before[line_start..])
                    .chars()
                    .count()
                    + 1;
                return Err(LoadError::InvalidUtf8 {
                    name: name.to_string(),
                    offset: bad + usize::from(had_bom) * 3,
                    line,
                    column,
                });
            }
        }
    };
    Ok((text, was_lossy, had_bom))
}

/// The first NUL byte. Every reader of text refuses one: in a file it means binary,
/// and in a JSON string (`\u0000`) see [`nul_in_text`].
pub fn find_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// Why a text from a JSON string cannot be a document's text when it holds a NUL
/// character (`\u0000`): the same text in a `.txt` is refused as binary, and brat
/// cannot write it. The one check for every JSON reader (import, suggest, sets).
pub fn nul_in_text(text: &str) -> Option<String> {
    let at = find_nul(text.as_bytes())?;
    let cp = text[..at].chars().count();
    Some(format!(
        "a NUL character (\\u0000) at code point {cp}; expected text without NUL characters (a file holding one is refused as binary)"
    ))
}

/// When `bytes` start with a UTF-16 byte-order mark, what to tell the user: which
/// UTF-16 it is and how to convert it (its NUL bytes would otherwise call it binary).
pub fn utf16_bom(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xFF\xFE") {
        Some(
            "UTF-16 LE text (it starts with a UTF-16 byte-order mark); expected UTF-8: convert it, e.g. with `iconv -f UTF-16 -t UTF-8 FILE > NEW-FILE`",
        )
    } else if bytes.starts_with(b"\xFE\xFF") {
        Some(
            "UTF-16 BE text (it starts with a UTF-16 byte-order mark); expected UTF-8: convert it, e.g. with `iconv -f UTF-16 -t UTF-8 FILE > NEW-FILE`",
        )
    } else {
        None
    }
}

/// True for characters that end a line: LF, CR (CRLF counts once), NEL, LS, PS.
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Splits text into non-blank paragraphs (one per line), cutting very long lines
/// into pieces of at most about [`MAX_PIECE_BYTES`].
pub fn split_paragraphs(text: &str) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut line_no = 0;
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    let push = |range: Range<usize>, line_no: usize, out: &mut Vec<Paragraph>| {
        let s = &text[range.clone()];
        if s.chars().all(char::is_whitespace) {
            return;
        }
        let mut piece_start = range.start;
        let mut continued = false;
        while range.end - piece_start > MAX_PIECE_BYTES {
            let cut = piece_cut(text, piece_start, range.end);
            out.push(Paragraph {
                range: piece_start..cut,
                source_line: line_no,
                continued,
            });
            piece_start = cut;
            continued = true;
        }
        out.push(Paragraph {
            range: piece_start..range.end,
            source_line: line_no,
            continued,
        });
    };
    while let Some((i, c)) = chars.next() {
        if is_line_break(c) {
            push(start..i, line_no, &mut out);
            let mut next = i + c.len_utf8();
            if c == '\r'
                && let Some(&(j, '\n')) = chars.peek()
            {
                chars.next();
                next = j + 1;
            }
            start = next;
            line_no += 1;
        }
    }
    push(start..text.len(), line_no, &mut out);
    out
}

/// Where to cut a long line that starts at `start`: after the last space in the
/// second half of the piece, else at a character boundary near the size limit.
fn piece_cut(text: &str, start: usize, end: usize) -> usize {
    let mut limit = (start + MAX_PIECE_BYTES).min(end);
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let mut half = start + MAX_PIECE_BYTES / 2;
    while !text.is_char_boundary(half) {
        half += 1;
    }
    match text[half..limit].rfind(' ') {
        Some(p) => half + p + 1,
        None => {
            // No space: cut between grapheme clusters so no cluster is split.
            use unicode_segmentation::GraphemeCursor;
            let mut cur = GraphemeCursor::new(limit, text.len(), true);
            match cur.is_boundary(text, 0) {
                Ok(true) => limit,
                _ => cur
                    .prev_boundary(text, 0)
                    .ok()
                    .flatten()
                    .filter(|&b| b > start)
                    .unwrap_or(limit),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(text: &str) -> Vec<&str> {
        split_paragraphs(text)
            .into_iter()
            .map(|p| &text[p.range])
            .collect()
    }

    #[test]
    fn blank_and_nbsp_lines_take_no_room() {
        let text = "أ\n\n \u{a0}\n\r\nب\r\nج";
        assert_eq!(paras(text), vec!["أ", "ب", "ج"]);
    }

    #[test]
    fn crlf_counts_as_one_break_and_lone_cr_breaks() {
        let text = "a\r\nb\rc\u{2029}d";
        assert_eq!(paras(text), vec!["a", "b", "c", "d"]);
        let lines: Vec<usize> = split_paragraphs(text)
            .iter()
            .map(|p| p.source_line)
            .collect();
        assert_eq!(lines, vec![0, 1, 2, 3]);
    }

    #[test]
    fn invalid_utf8_names_file_and_offset() {
        let mut bytes = "سلام\nعليكم ".as_bytes().to_vec();
        let bad_at = bytes.len();
        bytes.push(0xFF);
        bytes.extend_from_slice(b"x");
        let err = Document::from_bytes("a.txt", bytes.clone(), false).unwrap_err();
        assert_eq!(
            err,
            LoadError::InvalidUtf8 {
                name: "a.txt".into(),
                offset: bad_at,
                line: 2,
                column: 7
            }
        );
        let msg = err.to_string();
        assert!(msg.contains("a.txt") && msg.contains(&bad_at.to_string()));
        let doc = Document::from_bytes("a.txt", bytes, true).unwrap();
        assert!(doc.lossy);
        assert!(doc.text.contains('\u{FFFD}'));
    }

    #[test]
    fn binary_is_refused() {
        let err = Document::from_bytes("x.bin", b"ab\0cd".to_vec(), false).unwrap_err();
        assert!(matches!(err, LoadError::Binary { offset: 2, .. }));
        assert!(err.to_string().contains("binary"));
    }

    #[test]
    fn utf16_with_a_bom_is_named_with_how_to_convert_it() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("نص".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let err = Document::from_bytes("a.txt", le, false).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("a.txt: UTF-16 LE text"), "{msg}");
        assert!(msg.contains("iconv -f UTF-16 -t UTF-8"), "{msg}");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("نص".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let msg = Document::from_bytes("b.txt", be, true)
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("b.txt: UTF-16 BE text"), "{msg}");
    }

    #[test]
    fn bom_is_removed_and_id_is_stable() {
        let a = Document::from_bytes("a", "\u{FEFF}نص".as_bytes().to_vec(), false).unwrap();
        let b = Document::from_bytes("b", "نص".as_bytes().to_vec(), false).unwrap();
        assert!(a.had_bom);
        assert_eq!(a.text, "نص");
        assert_eq!(a.id(), b.id());
        assert_eq!(a.id().len(), 64);
    }

    #[test]
    fn huge_line_is_cut_into_pieces_at_spaces() {
        let word = "كلمة ";
        let text = word.repeat(3 * MAX_PIECE_BYTES / word.len());
        let ps = split_paragraphs(&text);
        assert!(ps.len() >= 3);
        assert!(!ps[0].continued && ps[1..].iter().all(|p| p.continued));
        // Pieces tile the line exactly and each ends after a space.
        assert_eq!(ps[0].range.start, 0);
        for w in ps.windows(2) {
            assert_eq!(w[0].range.end, w[1].range.start);
            assert!(text[w[0].range.clone()].ends_with(' '));
        }
        assert_eq!(ps.last().unwrap().range.end, text.len());
    }

    #[test]
    fn huge_line_of_mixed_scripts_is_cut_on_character_boundaries() {
        // One- and two-byte characters, so the half-way point can fall inside one.
        for pad in 0..4 {
            let text = format!(
                "{}{}",
                "x".repeat(pad),
                "كلمة عربية (NATO) ١٢٣ ".repeat(8000)
            );
            let ps = split_paragraphs(&text);
            assert!(ps.len() > 2);
            let joined: String = ps.iter().map(|p| &text[p.range.clone()]).collect();
            assert_eq!(joined, text);
        }
    }

    #[test]
    fn huge_line_without_spaces_is_cut_between_clusters() {
        let text = "بَ".repeat(MAX_PIECE_BYTES);
        let ps = split_paragraphs(&text);
        assert!(ps.len() > 1);
        for p in &ps {
            assert!(text[p.range.clone()].starts_with('ب'));
        }
    }
}
