//! Headless rendering for scripts and checks (`raqim render`): a document laid out
//! as it would be painted (`text`), or one JSON object per visual line (`json`).
//!
//! Must not: write raw control characters (C0, C1, bidi controls) to the output; the
//! `text` form shows their pictures, the `json` form escapes them (the string value
//! stays exact).

use std::io::{self, Write};
use std::ops::Range;
use std::str::FromStr;

use rayon::prelude::*;
use serde::Serialize;

use crate::document::Document;
use crate::layout::{Direction, LayoutOptions, VisualLine, layout_paragraph};
use crate::offsets::{OffsetMap, Offsets, len_in};

/// The widest `raqim render --width`: far beyond any screen, and small enough that
/// padding each line to it costs little (a line is padded to the width).
pub const MAX_WIDTH: usize = 10_000;

/// Output form of `raqim render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Visual lines as painted, RTL lines padded on the left to the width.
    #[default]
    Text,
    /// One JSON object per visual line.
    Json,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            _ => Err(format!("'{s}' is not one of: text, json")),
        }
    }
}

/// One visual line in the JSON form.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct JsonLine {
    /// 0-based index of the paragraph among the non-blank lines of the file.
    pub paragraph: usize,
    /// 1-based line number of the paragraph in the file.
    pub source_line: usize,
    /// 0-based visual line within the paragraph.
    pub line: usize,
    /// The line in visual order, unshaped, brackets mirrored.
    pub text: String,
    /// For each cell left to right: code point index, in the paragraph, of the first
    /// character of the cluster shown there.
    pub visual_to_logical: Vec<usize>,
    /// For each cell left to right: its bidi embedding level.
    pub levels: Vec<u8>,
}

/// Paragraph indices grouped by the file line they come from (a long line is cut
/// into several pieces; they are laid out together, in order).
fn line_groups(doc: &Document) -> Vec<Range<usize>> {
    let mut groups: Vec<Range<usize>> = Vec::new();
    for (i, p) in doc.paragraphs.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if p.continued => g.end = i + 1,
            _ => groups.push(i..i + 1),
        }
    }
    groups
}

/// Renders the pieces of one file line. Later pieces keep the first one's direction.
fn render_group(
    doc: &Document,
    opts: &LayoutOptions,
    format: Format,
    number: usize,
    group: Range<usize>,
) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut o = *opts;
    let mut cp_base = 0usize;
    for i in group {
        let text = doc.paragraph_text(i);
        let layout = layout_paragraph(text, &o);
        o.direction = if layout.rtl {
            Direction::Rtl
        } else {
            Direction::Ltr
        };
        match format {
            Format::Text => {
                for line in &layout.lines {
                    write_text_line(&mut out, line)?;
                }
            }
            Format::Json => {
                let cp = OffsetMap::new(text, Offsets::CodePoints);
                for (li, line) in layout.lines.iter().enumerate() {
                    let jl = json_line(text, &cp, cp_base, line);
                    let obj = JsonLine {
                        paragraph: number,
                        source_line: doc.paragraphs[i].source_line + 1,
                        line: li,
                        ..jl
                    };
                    let s = serde_json::to_string(&obj).map_err(io::Error::other)?;
                    writeln!(out, "{}", escape_controls(&s))?;
                }
            }
        }
        cp_base += len_in(text, Offsets::CodePoints);
    }
    Ok(out)
}

/// Writes the document in the chosen form. Paragraphs are laid out in parallel, in
/// batches, and written in order.
pub fn render(
    doc: &Document,
    opts: &LayoutOptions,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    let groups = line_groups(doc);
    let mut number = 0;
    for batch in groups.chunks(512) {
        let parts: Vec<io::Result<Vec<u8>>> = batch
            .par_iter()
            .enumerate()
            .map(|(k, g)| render_group(doc, opts, format, number + k, g.clone()))
            .collect();
        for part in parts {
            if format == Format::Text && number > 0 {
                writeln!(out)?;
            }
            out.write_all(&part?)?;
            number += 1;
        }
    }
    Ok(())
}

fn write_text_line(out: &mut Vec<u8>, line: &VisualLine) -> io::Result<()> {
    let pad = line
        .cells
        .iter()
        .find(|c| c.width > 0)
        .map_or(0, |c| c.col as usize);
    out.resize(out.len() + pad, b' ');
    for c in line.cells.iter().filter(|c| c.width > 0) {
        match line.glyph(c) {
            "" => out.push(b' '),
            g => out.extend_from_slice(g.as_bytes()),
        }
    }
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out.push(b'\n');
    Ok(())
}

fn json_line(text: &str, cp: &OffsetMap, cp_base: usize, line: &VisualLine) -> JsonLine {
    let mut s = String::new();
    let mut v2l = Vec::with_capacity(line.cells.len());
    let mut levels = Vec::with_capacity(line.cells.len());
    for c in &line.cells {
        let cluster = &text[c.logical()];
        let mut chars = cluster.chars();
        if let Some(first) = chars.next() {
            let m = if c.level % 2 == 1 {
                crate::layout::mirror(first).unwrap_or(first)
            } else {
                first
            };
            s.push(m);
            s.push_str(chars.as_str());
        }
        v2l.push(cp_base + cp.code_point_of_byte(c.start as usize));
        levels.push(c.level);
    }
    JsonLine {
        paragraph: 0,
        source_line: 0,
        line: 0,
        text: s,
        visual_to_logical: v2l,
        levels,
    }
}

/// Escapes, inside JSON text, the characters serde_json leaves raw but a terminal
/// would act on: C1 controls, bidi controls, line/paragraph separators.
fn escape_controls(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        let u = c as u32;
        if (0x7F..=0x9F).contains(&u)
            || crate::layout::is_bidi_control(c)
            || c == '\u{2028}'
            || c == '\u{2029}'
        {
            out.push_str(&format!("\\u{u:04x}"));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Shaping;

    fn run(text: &str, width: usize, format: Format) -> String {
        let doc = Document::from_text("t", text.to_string(), false, false);
        let opts = LayoutOptions {
            width,
            shaping: Shaping::Terminal,
            ..LayoutOptions::default()
        };
        let mut out = Vec::new();
        render(&doc, &opts, format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_pads_rtl_lines_on_the_left() {
        let out = run("قال 3 كلم عن NATO اليوم", 25, Format::Text);
        assert_eq!(out, "  مويلا NATO نع ملك 3 لاق\n");
    }

    #[test]
    fn paragraphs_are_separated_by_a_blank_line() {
        let out = run("أ\n\n\nب", 5, Format::Text);
        assert_eq!(out, "    أ\n\n    ب\n");
    }

    #[test]
    fn json_gives_code_point_maps_and_escapes_controls() {
        let out = run("سلام\nx\u{9b}y \u{200f}", 0, Format::Json);
        let lines: Vec<JsonLine> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0].visual_to_logical, vec![3, 2, 1, 0]);
        assert_eq!(lines[0].levels, vec![1, 1, 1, 1]);
        assert_eq!(lines[1].paragraph, 1);
        assert_eq!(lines[1].source_line, 2);
        assert!(lines[1].text.contains('\u{9b}'));
        assert!(!out.contains('\u{9b}') && !out.contains('\u{200f}'));
    }

    #[test]
    fn text_never_carries_raw_controls() {
        let out = run("a\u{1b}[31mb\u{9b}c", 0, Format::Text);
        assert!(!out.contains('\u{1b}') && !out.contains('\u{9b}'));
        assert!(out.contains('\u{241B}'));
    }
}
