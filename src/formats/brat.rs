//! brat standoff: each document is a `.txt` file (the text, UTF-8, never changed) and
//! an `.ann` file beside it with the same base name. Entities are text-bound lines
//! `T1<TAB>LABEL START END<TAB>TEXT`: offsets 0-based, end exclusive, counted in
//! Unicode characters (brat is Python; code points), and TEXT the covered text.
//!
//! Import: a directory (every `.txt`, sorted by name, not descending into
//! subdirectories), or one `.txt` or `.ann`. The record id is the base name. A `.txt`
//! without an `.ann` is a document without spans; an `.ann` without its `.txt` is an
//! error. TEXT, when present, must be the text at the offsets (brat itself refuses a
//! mismatch; it may be followed by white space and a comment). A discontinuous
//! annotation (`START END;START END`) cannot be a raqim span: an error naming the file
//! and line, or a problem skipped with `skip_bad`. Lines of other kinds (relations R,
//! events E, attributes A/M, normalizations N, notes #, equivalences *) are passed
//! over and counted. The T line of an event's trigger (the `T` after `TYPE:` in an E
//! line) marks a word of the event, not an entity: it is passed over and counted too,
//! or read as a span with `brat_triggers`.
//!
//! Export: one pair per record, named after the record's id (the document's name, as
//! `exchange` makes it) made a safe file name: control, bidi formatting and path
//! characters (`/`, `\`, `:`...) become `_`, a leading `.` gets a `_` before it (no
//! hidden file, no `..`), and a record without a name is named by its document id.
//! Two records of one name (ignoring case) get `-2`, `-3`...; so does a name whose
//! `.txt` is already in the directory with another text (another document's files
//! are never overwritten; an export of the same documents again replaces its own).
//! Each such renaming is returned ([`Renamed`]) for the caller to report. Rejected
//! spans are left out. A span whose text holds a line break cannot be written (brat's
//! own editor splits such a selection into fragments), nor can meta or the review
//! fields be: they are lost. (A text with a NUL character no format writes.)

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{
    Ctx, Format, FormatError, ImportOptions, Imported, Location, Offsets, Record, RecordSpan,
    Units, check_record, decode, lines, write_file,
};

/// Characters at which Python's `str.splitlines` (which brat uses to read an `.ann`)
/// breaks a line: a span's text must not hold one.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{0B}'
            | '\u{0C}'
            | '\u{1C}'
            | '\u{1D}'
            | '\u{1E}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Reads one document from the bytes of its `.txt` and `.ann` (the names are for
/// errors; the id is the base name of `txt_name`).
pub fn read_pair(
    txt_name: &str,
    txt: &[u8],
    ann_name: &str,
    ann: &[u8],
    opts: &ImportOptions,
) -> Result<Imported, FormatError> {
    let mut ctx = Ctx::new(opts);
    let id = stem(Path::new(txt_name));
    match doc(&id, txt_name, txt, ann_name, ann, &mut ctx) {
        Ok(r) => ctx.out.records.push(r),
        Err(e) => ctx.bad(e)?,
    }
    Ok(ctx.out)
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

pub(super) fn import_path(path: &Path, opts: &ImportOptions) -> Result<Imported, FormatError> {
    let read = |p: &Path| {
        crate::read_input(p).map_err(|e| FormatError::Read {
            file: p.display().to_string(),
            source: e.source,
        })
    };
    let mut ctx = Ctx::new(opts);
    let mut docs: Vec<(String, PathBuf)> = Vec::new(); // (id, the .txt file)
    if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|source| FormatError::Read {
            file: path.display().to_string(),
            source,
        })?;
        let mut ann = Vec::new();
        for e in entries {
            let p = e
                .map_err(|source| FormatError::Read {
                    file: path.display().to_string(),
                    source,
                })?
                .path();
            match p.extension().and_then(|x| x.to_str()) {
                Some("txt") if p.is_file() => docs.push((stem(&p), p)),
                Some("ann") if p.is_file() => ann.push(p),
                _ => {}
            }
        }
        ann.sort();
        for a in ann {
            if !a.with_extension("txt").is_file() {
                ctx.bad(FormatError::syntax(
                    &Location::file(&a.display().to_string()),
                    "no .txt file with the same name beside it",
                ))?;
            }
        }
        docs.sort();
    } else {
        match path.extension().and_then(|x| x.to_str()) {
            Some("txt" | "ann") => docs.push((stem(path), path.with_extension("txt"))),
            _ => {
                return Err(FormatError::Usage {
                    format: Format::Brat,
                    message: format!(
                        "{}: expected a directory, a .txt or an .ann file",
                        path.display()
                    ),
                });
            }
        }
    }
    for (id, tp) in docs {
        let ap = tp.with_extension("ann");
        let txt = read(&tp)?;
        let ann = if ap.exists() { read(&ap)? } else { Vec::new() };
        let (tn, an) = (tp.display().to_string(), ap.display().to_string());
        match doc(&id, &tn, &txt, &an, &ann, &mut ctx) {
            Ok(r) => ctx.out.records.push(r),
            Err(e) => ctx.bad(e)?,
        }
    }
    Ok(ctx.out)
}

fn doc(
    id: &str,
    txt_name: &str,
    txt: &[u8],
    ann_name: &str,
    ann: &[u8],
    ctx: &mut Ctx,
) -> Result<Record, FormatError> {
    // The .txt keeps a byte-order mark: brat counts it as a character.
    let text = decode(txt_name, txt, false)?;
    let src = decode(ann_name, ann, true)?;
    let units = Units::new(text, ctx.opts.offsets);
    let triggers = triggers(src);
    let mut spans = Vec::new();
    let mut seen = HashSet::new();
    for (n, line) in lines(src) {
        if line.trim().is_empty() {
            continue;
        }
        let at = Location::line(ann_name, n);
        match ann_line(&at, line, &units, ctx, &mut seen, &triggers) {
            Ok(Some(s)) => spans.push(s),
            Ok(None) => {}
            Err(e) => ctx.bad(e)?,
        }
    }
    Ok(Record {
        layer: None,
        id: id.to_string(),
        text: text.to_string(),
        spans,
        flagged: false,
        meta: None,
        foreign: None,
    })
}

/// What an import says of the event triggers it leaves out.
const TRIGGERS: &str = "brat event triggers (T lines an E line names as its trigger; --brat-triggers imports them as spans)";

/// The ids of the T lines that are event triggers: `E1<TAB>TYPE:T2 ROLE:T1...` names
/// T2 (brat reads the first word of the E line as `TYPE:TRIGGER`). A malformed E line
/// names none (E lines are passed over anyway).
fn triggers(src: &str) -> HashSet<&str> {
    src.lines()
        .filter_map(|l| {
            let (id, rest) = l.split_once('\t')?;
            if !id.starts_with('E') {
                return None;
            }
            let data = rest.split('\t').next()?;
            let first = data.split(' ').next()?;
            let (_, trigger) = first.split_once(':')?;
            Some(trigger.trim_end())
        })
        .collect()
}

fn ann_line<'l>(
    at: &Location,
    line: &'l str,
    units: &Units,
    ctx: &mut Ctx,
    seen: &mut HashSet<&'l str>,
    triggers: &HashSet<&str>,
) -> Result<Option<RecordSpan>, FormatError> {
    let Some((id, rest)) = line.split_once('\t') else {
        return Err(FormatError::syntax(
            at,
            "expected an id, a tab and the annotation (ID<TAB>TYPE START END<TAB>TEXT)",
        ));
    };
    let kind = match id.chars().next() {
        Some('T') => None,
        Some('R') => Some("brat relations (R lines)"),
        Some('E') => Some("brat events (E lines)"),
        Some('A' | 'M') => Some("brat attributes (A/M lines)"),
        Some('N') => Some("brat normalizations (N lines)"),
        Some('#') => Some("brat notes (# lines)"),
        Some('*') => Some("brat equivalences (* lines)"),
        _ => Some("brat lines of an unknown kind"),
    };
    if let Some(kind) = kind {
        ctx.ignore(kind);
        return Ok(None);
    }
    if !seen.insert(id) {
        return Err(FormatError::field(at, id, "the id is used twice"));
    }
    let (data, quoted) = match rest.split_once('\t') {
        Some((d, q)) => (d, Some(q)),
        None => (rest, None),
    };
    let Some((label, offsets)) = data.split_once(' ') else {
        return Err(FormatError::field(
            at,
            id,
            format!("expected TYPE START END, found {data:?}"),
        ));
    };
    let mut fragments = Vec::new();
    for f in offsets.split(';') {
        let nums: Vec<&str> = f.split_whitespace().collect();
        let parsed = match nums[..] {
            [a, b] => a.parse::<usize>().ok().zip(b.parse::<usize>().ok()),
            _ => None,
        };
        match parsed {
            Some(p) => fragments.push(p),
            None => {
                return Err(FormatError::field(
                    at,
                    format!("{id}.offsets"),
                    format!("expected START END (whole numbers ≥ 0), found {f:?}"),
                ));
            }
        }
    }
    // A trigger left out is still checked (a wrong offset unit shows in it too), but
    // not for what only a span must be: one range, a known label.
    let left_out = triggers.contains(id) && !ctx.opts.brat_triggers;
    if left_out && fragments.len() > 1 {
        ctx.ignore(TRIGGERS);
        return Ok(None);
    }
    if fragments.len() > 1 {
        return Err(FormatError::Discontinuous {
            at: at.clone(),
            id: id.to_string(),
            fragments: offsets.to_string(),
        });
    }
    let (start, end) = units.span(at, id, fragments[0].0, fragments[0].1)?;
    if let Some(q) = quoted.filter(|q| !q.is_empty()) {
        let actual = units.slice(start, end);
        let rest = q.strip_prefix(actual);
        if !rest.is_some_and(|r| r.is_empty() || r.starts_with(char::is_whitespace)) {
            units.check_quote(at, &format!("{id}.text"), (start, end), q)?;
        }
    }
    if left_out {
        ctx.ignore(TRIGGERS);
        return Ok(None);
    }
    ctx.label(at, &|| format!("{id}.type"), label)?;
    Ok(Some(RecordSpan::new(start, end, label)))
}

/// What brat cannot hold: a span whose text breaks the `.ann` line (a NUL in the text
/// no format holds: see `check_record`).
pub(super) fn check(r: &Record) -> Result<(), FormatError> {
    let units = Units::new(&r.text, Offsets::CodePoints);
    for (i, s) in r.spans.iter().enumerate() {
        if !s.is_rejected() && units.slice(s.start, s.end).contains(is_line_break) {
            return Err(FormatError::export(
                Format::Brat,
                &r.id,
                format!("spans[{i}]"),
                "the span's text has a line break, which an .ann line cannot hold (brat splits such a span into fragments)",
            ));
        }
    }
    Ok(())
}

/// The `.txt` and `.ann` content of one record.
pub fn write_pair(r: &Record, offsets: Offsets) -> Result<(String, String), FormatError> {
    check_record(Format::Brat, r)?;
    let units = Units::new(&r.text, offsets);
    let mut ann = String::new();
    for (n, s) in r.spans.iter().filter(|s| !s.is_rejected()).enumerate() {
        ann.push_str(&format!(
            "T{}\t{} {} {}\t{}\n",
            n + 1,
            s.label,
            units.to_file(s.start),
            units.to_file(s.end),
            units.slice(s.start, s.end)
        ));
    }
    Ok((r.text.clone(), ann))
}

/// A record whose files are not named as its id, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    /// The record's id (the document's name).
    pub id: String,
    /// The base name of its `.txt` and `.ann`.
    pub file: String,
    pub why: String,
}

/// A character no file name gets: controls, bidi formatting characters (a name that
/// reads as another in a listing), path separators and what Windows refuses.
fn unsafe_in_file_name(c: char) -> bool {
    c.is_control()
        || crate::layout::is_bidi_control(c)
        || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
}

/// `id` as a file base name, or `None` for an id with nothing to name a file by.
/// Letters, harakat, digits, spaces and punctuation stay as they are, so an Arabic
/// file stem comes back unchanged.
fn safe_name(id: &str) -> Option<String> {
    if id.trim().is_empty() {
        return None;
    }
    let mut base: String = id
        .chars()
        .map(|c| if unsafe_in_file_name(c) { '_' } else { c })
        .collect();
    if base.starts_with('.') {
        base.insert(0, '_');
    }
    // File names hold 255 bytes; room for a suffix and `.ann`.
    while base.len() > 200 {
        base.pop();
    }
    Some(base)
}

/// Why `dir/name.txt` or `dir/name.ann` may not be written for `text`: a `.txt`
/// already there with another text (another document's), or an `.ann` alone.
fn taken_in(dir: &Path, name: &str, text: &str) -> Option<String> {
    let txt = dir.join(format!("{name}.txt"));
    match std::fs::read(&txt) {
        Ok(bytes) if bytes == text.as_bytes() => None,
        Ok(_) => Some(format!(
            "{name}.txt is already in the directory with another text"
        )),
        Err(_) if txt.exists() => {
            Some(format!("{name}.txt is in the directory and cannot be read"))
        }
        Err(_) if dir.join(format!("{name}.ann")).exists() => Some(format!(
            "{name}.ann is already in the directory, without a .txt"
        )),
        Err(_) => None,
    }
}

/// File base names for records ([`safe_name`] of the id, the document id without
/// one), unique ignoring case and, with `dir`, not taken by another document's files
/// there; and the records named otherwise than their id.
fn file_names(records: &[Record], dir: Option<&Path>) -> (Vec<String>, Vec<Renamed>) {
    // Lowercase name -> the name written.
    let mut used: std::collections::HashMap<String, String> = Default::default();
    let mut renamed = Vec::new();
    let names = records
        .iter()
        .map(|r| {
            let (base, mut why) = match safe_name(&r.id) {
                Some(b) if b == r.id => (b, None),
                Some(b) if r.id.starts_with(b.as_str()) => {
                    (b, Some(format!("{:?} is too long for a file name", r.id)))
                }
                Some(b) => (b, Some(format!("{:?} is not a safe file name", r.id))),
                None => (
                    crate::document::document_id(&r.text),
                    Some("the document has no name; named by its id".to_string()),
                ),
            };
            let mut name = base.clone();
            let mut k = 2;
            loop {
                let clash = match used.get(&name.to_lowercase()) {
                    Some(other) if *other == name => {
                        Some(format!("another document of this export is named {name:?}"))
                    }
                    Some(other) => Some(format!(
                        "another document of this export is named {other:?}, the same ignoring case"
                    )),
                    None => dir.and_then(|d| taken_in(d, &name, &r.text)),
                };
                let Some(clash) = clash else { break };
                why.get_or_insert(clash);
                name = format!("{base}-{k}");
                k += 1;
            }
            used.insert(name.to_lowercase(), name.clone());
            if let Some(why) = why {
                renamed.push(Renamed {
                    id: r.id.clone(),
                    file: name.clone(),
                    why,
                });
            }
            name
        })
        .collect();
    (names, renamed)
}

/// Writes a `.txt` and an `.ann` per record into `dir` (created if missing), all
/// checked before any is written; returns the records named otherwise than their id.
pub fn export_dir(
    records: &[Record],
    offsets: Offsets,
    dir: &Path,
) -> Result<Vec<Renamed>, FormatError> {
    let pairs = records
        .iter()
        .map(|r| write_pair(r, offsets))
        .collect::<Result<Vec<_>, _>>()?;
    let (names, renamed) = file_names(records, Some(dir));
    std::fs::create_dir_all(dir).map_err(|e| FormatError::Write {
        file: dir.display().to_string(),
        message: format!("{}: cannot create the directory: {e}", dir.display()),
    })?;
    for (name, (txt, ann)) in names.into_iter().zip(pairs) {
        write_file(&dir.join(format!("{name}.txt")), txt.as_bytes())?;
        write_file(&dir.join(format!("{name}.ann")), ann.as_bytes())?;
    }
    Ok(renamed)
}

pub(super) fn expected(records: &[Record]) -> Vec<Record> {
    let mut out: Vec<Record> = file_names(records, None)
        .0
        .into_iter()
        .zip(records)
        .map(|(id, r)| Record {
            layer: None,
            id,
            text: r.text.clone(),
            spans: r
                .spans
                .iter()
                .filter(|s| !s.is_rejected())
                .map(|s| RecordSpan::new(s.start, s.end, &s.label))
                .collect(),
            flagged: false,
            meta: None,
            foreign: None,
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}
