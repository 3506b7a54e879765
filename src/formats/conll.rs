//! CoNLL with IOB tags, one token a line, in two forms ([`ConllForm`]).
//!
//! **CoNLL-2003** (the default), as spaCy's `spacy convert -c ner`, doccano and seqeval
//! read it: a [`DOCSTART`] line and a blank line before each document, `TOKEN TAG`
//! (one space) per token, a blank line between sentences. It holds no id and no
//! offsets: an import rebuilds the text from the tokens (joined by a space, sentences
//! by a line feed), so `والجيش` with the entity `الجيش` comes back as `و الجيش`, and
//! a document without a token is not written.
//!
//! **Commented** (raqim's own round trips): each document opened by two comment lines
//! that let an import rebuild the exact text and offsets, tokens as `TOKEN<TAB>TAG`:
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
//! after a token that ends a sentence (`.`, `!`, `?`, `؟`, `…`) or before a line break
//! in the text, but never inside an entity. Rejected spans are left out. Overlapping
//! spans, and spans that start or end on white space or a control character (no whole
//! tokens), cannot be written. No offsets are written, so the `Offsets` unit does not
//! apply.
//!
//! Import: IOB2, and IOB1 (where `I-` may open an entity and `B-` only separates two
//! adjacent entities of one type): `I-X` continues an entity of type X on the previous
//! token of the same sentence, and opens one otherwise. Columns are separated by a tab
//! or spaces. A line whose second column is no tag (CoNLL-2003's `token POS CHUNK NE`,
//! Label Studio's `token -X- _ NE`) has one tag column, the last; otherwise every
//! column after the token is a tag column (nested entities, outermost first, as Wojood
//! writes them): the first is read, or the one [`super::ImportOptions::conll_column`]
//! names, and the entities of the others are counted in [`super::Imported::notes`].
//! Lines with a tab are always tokens; lines without one starting with `#` are
//! comments, unless they end in a tag (`# O` is the token `#`). `-DOCSTART-` and `# id`
//! start a document; a `# text` also starts one when the current one already has a
//! text (CoNLL-U's sentence-level comments). With `# text`, tokens are found in the
//! text in order; without it the text is rebuilt. A file with none of these markers is
//! one document per sentence. Ids are the `# id`, else `FILE#N`.

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

/// Which CoNLL a file is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConllForm {
    /// CoNLL-2003 as spaCy (`spacy convert -c ner`), doccano and seqeval read it:
    /// [`DOCSTART`] and a blank line before each document, `TOKEN TAG` lines, a blank
    /// line between sentences. No ids, and the text is rebuilt from the tokens.
    #[default]
    Conll2003,
    /// raqim's own: `# id =` and `# text =` before each document's `TOKEN<TAB>TAG`
    /// lines, so that an import gets the exact text and offsets back.
    Commented,
}

impl std::str::FromStr for ConllForm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "2003" | "conll2003" => Ok(ConllForm::Conll2003),
            "commented" | "raqim" => Ok(ConllForm::Commented),
            _ => Err(format!("'{s}' is not one of: 2003, commented")),
        }
    }
}

/// The line between documents. spaCy's converter splits documents at exactly this
/// line (the original CoNLL-2003 files write `-DOCSTART- -X- -X- O`, which spaCy
/// would read as a token); every reader that looks at the first column takes both.
pub const DOCSTART: &str = "-DOCSTART- -X- O O";

/// A record as CoNLL sentences: each token's text and tag.
fn sentences(r: &Record) -> Result<Vec<Vec<(&str, String)>>, FormatError> {
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
    let mut out = vec![Vec::new()];
    for (k, (t, tag)) in tokens.iter().zip(tags).enumerate() {
        let tok = &r.text[t.start..t.end];
        if let Some(s) = out.last_mut() {
            s.push((tok, tag));
        }
        if let Some(next) = tokens.get(k + 1) {
            let gap = &r.text[t.end..next.start];
            let breaks = gap.contains('\n') || ends_sentence(tok);
            if breaks && !inside[k] {
                out.push(Vec::new());
            }
        }
    }
    out.retain(|s| !s.is_empty());
    Ok(out)
}

pub(super) fn write(records: &[Record], form: ConllForm) -> Result<String, FormatError> {
    let mut out = String::new();
    for r in records {
        let sents = sentences(r)?;
        let sep = match form {
            ConllForm::Conll2003 => {
                // A document without a token has no line to write.
                if sents.is_empty() {
                    continue;
                }
                out.push_str(DOCSTART);
                out.push_str("\n\n");
                ' '
            }
            ConllForm::Commented => {
                out.push_str(&format!("# id = {}\n", escape(&r.id)));
                out.push_str(&format!("# text = {}\n", escape(&r.text)));
                '\t'
            }
        };
        for (k, s) in sents.iter().enumerate() {
            if k > 0 {
                out.push('\n');
            }
            for (tok, tag) in s {
                out.push_str(tok);
                out.push(sep);
                out.push_str(tag);
                out.push('\n');
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// What an import of the CoNLL-2003 form gives back: per document with a token, the
/// text rebuilt (tokens joined by a space, sentences by a line feed) with its spans
/// on it, and the id `#N` (the import puts the file's name before it).
pub(super) fn expected_2003(records: &[Record]) -> Result<Vec<Record>, FormatError> {
    let mut out = Vec::new();
    for r in records {
        let sents = sentences(r)?;
        if sents.is_empty() {
            continue;
        }
        let mut text = String::new();
        let mut spans: Vec<RecordSpan> = Vec::new();
        let mut cp = 0;
        for (k, s) in sents.iter().enumerate() {
            if k > 0 {
                text.push('\n');
                cp += 1;
            }
            for (i, (tok, tag)) in s.iter().enumerate() {
                if i > 0 {
                    text.push(' ');
                    cp += 1;
                }
                let len = tok.chars().count();
                if let Some(label) = tag.strip_prefix("B-") {
                    spans.push(RecordSpan::new(cp, cp + len, label));
                } else if tag.starts_with("I-")
                    && let Some(last) = spans.last_mut()
                {
                    last.end = cp + len;
                }
                text.push_str(tok);
                cp += len;
            }
        }
        out.push(Record {
            layer: None,
            id: format!("#{}", out.len() + 1),
            text,
            spans,
            flagged: false,
            meta: None,
            foreign: None,
        });
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
    let column = ctx.opts.conll_column;
    let mut has_column = column == 0;
    let mut nested = Nested::default();
    let mut doc = Doc::default();
    let mut sent: Vec<Line> = Vec::new();
    for (n, line) in lines(src) {
        if line.trim().is_empty() {
            nested.prev.clear();
            if !sent.is_empty() {
                doc.sentences.push(std::mem::take(&mut sent));
            }
            if !marked {
                finish(name, std::mem::take(&mut doc), ctx)?;
            }
            continue;
        }
        let at = Location::line(name, n);
        if is_comment(line) {
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
            [token, _, ..] if !token.is_empty() => {
                let cols = tag_columns(&fields[1..]);
                if cols.len() > column {
                    has_column = true;
                }
                nested.see(&cols, column);
                tag(cols.get(column).copied().unwrap_or("O"))
                    .map(|t| Line {
                        n,
                        token: token.to_string(),
                        tag: t,
                    })
                    .map_err(|m| FormatError::field(&at, "tag", m))
            }
            _ => Err(FormatError::syntax(
                &at,
                "expected a token and a tag separated by a tab or spaces (TOKEN TAG)",
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
    if !has_column {
        return Err(FormatError::field(
            &Location::file(name),
            "--conll-column",
            format!(
                "no line has a tag column {} (columns count from 1, after the token)",
                column + 1
            ),
        ));
    }
    if nested.left_out > 0 {
        ctx.note(
            &format!(
                "entities in other tag columns than column {} (nested entities; --conll-column N reads another), left out",
                column + 1
            ),
            nested.left_out,
        );
    }
    finish(name, doc, ctx)
}

/// A line of comment: `# id =`, `# text =`, or a line without a tab that starts with
/// `#` and does not end in a tag (`# O` or `#news O` in a space-separated file is a
/// token).
fn is_comment(line: &str) -> bool {
    if line.contains('\t') || !line.starts_with('#') {
        return false;
    }
    if comment_value(line, "id").is_some() || comment_value(line, "text").is_some() {
        return true;
    }
    let fields: Vec<&str> = line.split_whitespace().collect();
    !(fields.len() >= 2 && tag(fields[fields.len() - 1]).is_ok())
}

/// The tag columns of a token line's columns after the token. CoNLL-2003's `token
/// POS CHUNK NE` and Label Studio's `token -X- _ NE` put something that is no tag
/// second (a POS, `-X-`): their one tag column is the last (a chunk tag, `B-NP`, is
/// not an entity). Otherwise every column is a tag column, outermost entity first as
/// nested corpora (Wojood) write them.
fn tag_columns<'l>(cols: &[&'l str]) -> Vec<&'l str> {
    match cols {
        [first, .., last] if tag(first).is_err() => vec![*last],
        _ => cols.to_vec(),
    }
}

/// Entities in the tag columns not read, counted as they start.
#[derive(Default)]
struct Nested {
    /// The label of each column on the previous token line of the sentence.
    prev: Vec<Option<String>>,
    left_out: usize,
}

impl Nested {
    fn see(&mut self, cols: &[&str], read: usize) {
        self.prev.resize(self.prev.len().max(cols.len()), None);
        for (i, c) in cols.iter().enumerate() {
            let now = match tag(c) {
                Ok(Tag::Begin(l)) => {
                    if i != read {
                        self.left_out += 1;
                    }
                    Some(l)
                }
                Ok(Tag::Inside(l)) => {
                    if i != read && self.prev[i].as_deref() != Some(l.as_str()) {
                        self.left_out += 1;
                    }
                    Some(l)
                }
                _ => None,
            };
            self.prev[i] = now;
        }
        for p in self.prev.iter_mut().skip(cols.len()) {
            *p = None;
        }
    }
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
        layer: None,
        id,
        text,
        spans,
        flagged: false,
        meta: None,
        foreign: None,
    })
}
