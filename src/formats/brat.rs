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
//! over and counted; the T lines of event triggers are read like entities.
//!
//! Export: one pair per record, named after the id with every character other than
//! letters, digits, `-`, `_` and `.` replaced by `_` (and `-2`, `-3`... against
//! collisions, case-insensitively); files already in the directory are left alone.
//! Rejected spans are left out. A span whose text holds a line break cannot be written
//! (brat's own editor splits such a selection into fragments), nor can meta or the
//! review fields be: they are lost. (A text with a NUL character no format writes.)

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
    let mut spans = Vec::new();
    let mut seen = HashSet::new();
    for (n, line) in lines(src) {
        if line.trim().is_empty() {
            continue;
        }
        let at = Location::line(ann_name, n);
        match ann_line(&at, line, &units, ctx, &mut seen) {
            Ok(Some(s)) => spans.push(s),
            Ok(None) => {}
            Err(e) => ctx.bad(e)?,
        }
    }
    Ok(Record {
        id: id.to_string(),
        text: text.to_string(),
        spans,
        flagged: false,
        meta: None,
    })
}

fn ann_line<'l>(
    at: &Location,
    line: &'l str,
    units: &Units,
    ctx: &mut Ctx,
    seen: &mut HashSet<&'l str>,
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

/// File base names for records: the id made safe, unique ignoring case.
fn file_names(records: &[Record]) -> Vec<String> {
    let mut used = HashSet::new();
    records
        .iter()
        .map(|r| {
            let mut base: String =
                r.id.chars()
                    .map(|c| {
                        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
            if base.starts_with('.') {
                base.insert(0, '_');
            }
            if base.is_empty() {
                base.push_str("doc");
            }
            while base.len() > 200 {
                base.pop();
            }
            let mut name = base.clone();
            let mut k = 2;
            while !used.insert(name.to_lowercase()) {
                name = format!("{base}-{k}");
                k += 1;
            }
            name
        })
        .collect()
}

pub(super) fn export_dir(
    records: &[Record],
    offsets: Offsets,
    dir: &Path,
) -> Result<(), FormatError> {
    let pairs = records
        .iter()
        .map(|r| write_pair(r, offsets))
        .collect::<Result<Vec<_>, _>>()?;
    std::fs::create_dir_all(dir).map_err(|e| FormatError::Write {
        file: dir.display().to_string(),
        message: format!("{}: cannot create the directory: {e}", dir.display()),
    })?;
    for (name, (txt, ann)) in file_names(records).into_iter().zip(pairs) {
        write_file(&dir.join(format!("{name}.txt")), txt.as_bytes())?;
        write_file(&dir.join(format!("{name}.ann")), ann.as_bytes())?;
    }
    Ok(())
}

pub(super) fn expected(records: &[Record]) -> Vec<Record> {
    let mut out: Vec<Record> = file_names(records)
        .into_iter()
        .zip(records)
        .map(|(id, r)| Record {
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
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}
