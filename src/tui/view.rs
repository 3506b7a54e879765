//! Drawing: title bar, text pane, legend row, status line, help overlay, into a
//! ratatui `Buffer`.
//!
//! Owns: where things go on screen and how they look. Article text is painted cell by
//! cell from the layout (`buf[(x, y)].set_symbol`), never through `Line`/`Span`, which
//! measure lam-alef as one cell and drop leading marks. A cell takes the style of the
//! span its logical range meets, so a span broken by a direction change or a wrap is
//! styled in every piece.
//!
//! A frame is made in two steps: [`prepare`] computes what the frame needs (the
//! viewport size, the layouts and shown spans of the paragraphs in view, the progress
//! and status texts) into the app's [`Screen`]; painting then only reads the app
//! (`&App`), as television draws from an immutable view. Must not: change anything
//! while painting; no I/O.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Borders, Clear, Widget};
use unicode_bidi::BidiDataSource;

use std::rc::Rc;

use crate::layout::{
    Cell, CellKind, Direction, LayoutOptions, ParagraphLayout, Shaping, VisualLine, control_name,
    is_explicit_bidi, layout_paragraph,
};
use crate::session::ViewSpan;

use super::app::App;
use super::fit::{self, Part};
use super::legend::{
    LEGEND_MIN_HEIGHT, current_span_style, legend_row, span_style, terminal_colour,
};
use crate::session::span_covering;

/// Narrower or lower than this and the viewer only says it is too small.
pub const MIN_WIDTH: u16 = 8;
pub const MIN_HEIGHT: u16 = 3;
/// Wider than this and the text keeps one empty column on each side.
pub const MARGIN_ABOVE: u16 = 20;

/// The selection being made: reversed, and bold so it differs from the cursor.
const SELECTED: Modifier = Modifier::REVERSED.union(Modifier::BOLD);
const BAR: Style = Style::new().add_modifier(Modifier::REVERSED);
const CURSOR: Style = Style::new().add_modifier(Modifier::REVERSED);
/// The cursor on a character that takes no cell (a hidden control): the cell where it
/// sits is marked, underlined so that it is not mistaken for that cell's letter.
const CURSOR_HIDDEN: Style = Style::new()
    .add_modifier(Modifier::REVERSED)
    .add_modifier(Modifier::UNDERLINED);

/// Draws the whole viewer into a frame.
pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    render(area, frame.buffer_mut(), app);
}

/// What a frame shows that has to be computed first: built by [`prepare`], read by
/// the painting.
#[derive(Default)]
pub struct Screen {
    /// The paragraphs in view, from the first one shown: layout and shown spans.
    paras: Vec<(Rc<ParagraphLayout>, Rc<[ViewSpan]>)>,
    /// In an adjudication view, the open disagreements of those paragraphs.
    marks: Vec<Vec<super::adjudicate::ScreenMark>>,
    /// The title bar's progress, in the form that fits ("" for an empty document or
    /// when none fits).
    progress: String,
    /// The title says " raqim: " before the name (when everything fits with it).
    brand: bool,
    /// The status line, fitted to the screen, part by part.
    status: Vec<String>,
    /// Where the span under the cursor starts (document byte), when there is one: all
    /// its cells are drawn as the current span.
    current: Option<usize>,
    /// The help's lines, wrapped to its box, and the box's text width, while it is
    /// shown.
    help: (Vec<String>, usize),
}

/// The text area and whether the legend row is shown, for a screen of `area`.
fn panes(area: Rect) -> (Rect, bool) {
    let margin = if area.width > MARGIN_ABOVE { 1 } else { 0 };
    let legend = u16::from(area.height >= LEGEND_MIN_HEIGHT);
    let text = Rect::new(
        area.x + margin,
        area.y + 1,
        area.width - 2 * margin,
        area.height - 2 - legend,
    );
    (text, legend == 1)
}

/// Draws the whole viewer into `area` of `buf` (usable without a terminal).
pub fn render(area: Rect, buf: &mut Buffer, app: &mut App) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        buf.set_stringn(
            area.x,
            area.y,
            "too small",
            area.width as usize,
            Style::new(),
        );
        return;
    }
    prepare(area, app);
    paint(area, buf, app);
}

/// Computes what a frame of `area` shows into `app.screen`: the only step of drawing
/// that changes the app (the viewport, the layout and span caches, the progress).
pub fn prepare(area: Rect, app: &mut App) {
    let (text, _) = panes(area);
    app.set_viewport(text.width as usize, text.height as usize);
    let blank = app.session.document().is_blank();
    let forms = if blank {
        None
    } else {
        Some(app.progress_forms())
    };
    if let (Some(d), Some(f)) = (app.docs.as_mut().filter(|d| d.open), &forms) {
        // The open document's progress is live, the others' as last seen.
        d.summaries[d.current] = f[0].clone();
    }
    let (progress, brand) = title_fit(area.width as usize, app, forms);
    let mut paras = Vec::new();
    let mut marks = Vec::new();
    if !blank {
        let (mut p, skip) = app.top;
        let mut rows = 0;
        while p < app.session.document().paragraphs.len() && rows < app.height + skip {
            let lay = app.layout(p);
            rows += app.sep(p) + lay.lines.len();
            paras.push((lay, app.session.spans_in(p)));
            marks.push(app.curation_marks(p));
            p += 1;
        }
    }
    let status = if app.prompt().is_none() {
        let parts = status_parts(app);
        fit::fit_pieces(
            &parts,
            area.width.saturating_sub(2) as usize,
            app.settings.shaping,
        )
    } else {
        Vec::new()
    };
    let current = app.span_at_cursor().map(|(_, s)| s.start);
    let mut help = (Vec::new(), 0);
    if app.show_help {
        let width = help_box_width(app, area);
        help = (help_wrapped(app, width), width);
        // Scrolled with the movement keys, never past its end.
        let lines = help.0.len();
        let rows = (lines + 2).min(area.height as usize).saturating_sub(2);
        app.help_scroll = app.help_scroll.min(lines.saturating_sub(rows));
    }
    app.screen = Screen {
        paras,
        marks,
        progress,
        brand,
        status,
        current,
        help,
    };
}

/// The title's progress in the longest form that fits beside the document's name
/// (see [`fit::progress_form`]), and whether " raqim: " fits before the name too.
fn title_fit(width: usize, app: &App, forms: Option<[String; 4]>) -> (String, bool) {
    let shaping = app.settings.shaping;
    let name = fit::width(&app.session.document().name, shaping);
    let head = 1 + name + title_marks(app).chars().count();
    let brand_w = " raqim: ".len() - 1;
    let Some(forms) = forms else {
        return (String::new(), head + brand_w <= width);
    };
    let widths: Vec<usize> = forms.iter().map(|f| fit::width(f, shaping)).collect();
    match fit::progress_form(width, head, name, &widths) {
        Some(i) => {
            let brand = head + brand_w + widths[i] + 2 <= width;
            (forms[i].clone(), brand)
        }
        None => (String::new(), head + brand_w <= width),
    }
}

/// What the title says after the name: the position in a set, the lossy mark.
fn title_marks(app: &App) -> String {
    let mut s = String::new();
    if let Some(d) = &app.docs {
        s.push_str(&format!(" ({}/{})", d.current + 1, d.names.len()));
    }
    if app.session.document().lossy {
        s.push_str(" [lossy]");
    }
    s
}

/// Paints the frame [`prepare`] made.
fn paint(area: Rect, buf: &mut Buffer, app: &App) {
    let (text, legend) = panes(area);
    title_bar(Rect::new(area.x, area.y, area.width, 1), buf, app);
    if app.session.document().is_blank() {
        let msg = "empty document";
        let x = text.x + text.width.saturating_sub(msg.len() as u16) / 2;
        buf.set_stringn(
            x,
            text.y + text.height / 2,
            msg,
            text.width as usize,
            Style::new(),
        );
    } else {
        text_pane(text, buf, app);
    }
    if legend {
        let row = Rect::new(area.x, area.bottom() - 2, area.width, 1);
        legend_row(row, buf, app.session.labels(), app.curation.is_some());
    }
    status_line(
        Rect::new(area.x, area.bottom() - 1, area.width, 1),
        buf,
        app,
    );
    if app.docs.as_ref().is_some_and(|d| d.open) {
        document_list(area, buf, app);
    }
    super::memory::memory_pane(area, buf, app);
    if let Some((report, view)) = &app.agreement {
        let h = area.height.saturating_sub(2).max(1);
        let rect = Rect::new(area.x, area.y + 1, area.width, h);
        Clear.render(rect, buf);
        super::agreement::render(rect, buf, report, view);
    }
    if app.show_help {
        help_overlay(area, buf, app);
    }
    if app.calibrating {
        let rect = Rect::new(
            area.x,
            area.y + 1,
            area.width,
            area.height.saturating_sub(1).min(11),
        );
        Clear.render(rect, buf);
        super::calibrate::render_calibration(rect, buf, app.settings.profile, "");
    }
    if app.settings.profile.logical_words() {
        logical_words(buf, area);
    }
}

/// For a terminal that shapes each word holding Arabic right to left itself (kitty),
/// so that a word painted in visual order would come out reversed: the cells of each
/// such word (a run between blank cells, its punctuation included, as the terminal
/// groups them) go out in logical order, brackets unmirrored, while every cell keeps
/// its style (highlight, cursor, selection): the terminal's reversal puts each letter
/// back on the cell it was painted on.
pub(super) fn logical_words(buf: &mut Buffer, area: Rect) {
    let rtl = |sym: &str| {
        sym.chars().next().is_some_and(|c| {
            matches!(
                unicode_bidi::HardcodedBidiData.bidi_class(c),
                unicode_bidi::BidiClass::AL | unicode_bidi::BidiClass::R
            )
        })
    };
    let blank = |sym: &str| sym.trim().is_empty();
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            if blank(buf[(x, y)].symbol()) {
                x += 1;
                continue;
            }
            let start = x;
            while x < area.right() && !blank(buf[(x, y)].symbol()) {
                x += 1;
            }
            if !(start..x).any(|i| rtl(buf[(i, y)].symbol())) {
                continue;
            }
            // kitty would make a joining lam and the alef after it one lam-alef glyph
            // in one cell, leaving the other cell empty. An alef drawn bold is shaped
            // apart (another font face), so each keeps its cell, already joined; the
            // word is then reversed in pieces, as kitty shapes it in pieces.
            let lam_alef = |i: u16| {
                i + 1 < x
                    && buf[(i, y)]
                        .symbol()
                        .starts_with(['\u{FE82}', '\u{FE84}', '\u{FE88}', '\u{FE8E}'])
                    && buf[(i + 1, y)]
                        .symbol()
                        .starts_with(['\u{FEDF}', '\u{FEE0}'])
            };
            let cuts: Vec<u16> = (start..x).filter(|&i| lam_alef(i)).collect();
            let mut from = start;
            for i in cuts.into_iter().chain([x]) {
                reverse_cells(buf, y, from, i);
                if i < x {
                    buf[(i, y)].modifier.insert(Modifier::BOLD);
                    from = i + 1;
                }
            }
        }
    }
}

/// Puts cells `from..to` of row `y` in reverse order, brackets unmirrored, each cell
/// keeping its style.
fn reverse_cells(buf: &mut Buffer, y: u16, from: u16, to: u16) {
    let cells: Vec<String> = (from..to)
        .map(|i| {
            let sym = buf[(i, y)].symbol();
            let mut chars = sym.chars();
            match chars.next().and_then(crate::layout::mirror) {
                Some(m) => std::iter::once(m).chain(chars).collect(),
                None => sym.to_string(),
            }
        })
        .collect();
    for (k, c) in cells.iter().rev().enumerate() {
        buf[(from + k as u16, y)].set_symbol(c);
    }
}

/// Paints the cells of a visual line at `x0 + cell.col`, clipped to `width`, each in
/// the style `style_of` gives it.
pub(super) fn paint_line(
    buf: &mut Buffer,
    x0: u16,
    y: u16,
    width: u16,
    line: &VisualLine,
    style_of: impl Fn(&Cell) -> Style,
) {
    for cell in &line.cells {
        let style = style_of(cell);
        let glyph = line.glyph(cell);
        let (col, w) = (cell.col as usize, cell.width as usize);
        if glyph.is_empty() || w == 0 || col + w > width as usize {
            continue;
        }
        let x = x0 + col as u16;
        buf[(x, y)].set_symbol(glyph).set_style(style);
        if w == 2 {
            // As ratatui does: the cell under the second half stays blank.
            buf[(x + 1, y)].reset();
        }
    }
}

/// Paints `text` (which may hold Arabic, controls, anything) from `x` on row `y`, at
/// most `width` cells, laid out as an LTR paragraph like any article text, so Arabic
/// in it reads right and no control character reaches the terminal. Returns the
/// column after it.
pub(super) fn paint_text(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    width: u16,
    text: &str,
    app: &App,
    style: Style,
) -> u16 {
    let opts = LayoutOptions {
        width: 0,
        direction: Direction::Ltr,
        shaping: app.settings.shaping,
        show_controls: false,
    };
    let lay = layout_paragraph(text, &opts);
    match lay.lines.first() {
        Some(line) => {
            paint_line(buf, x, y, width, line, |_| style);
            x + line.width.min(width as usize) as u16
        }
        None => x,
    }
}

/// The progress line: counts by state, the share reviewed, done and read-only marks.
pub fn progress_text(app: &mut App) -> String {
    app.session.progress_text()
}

fn title_bar(area: Rect, buf: &mut Buffer, app: &App) {
    buf.set_style(area, BAR);
    let end = area.right();
    let progress = if app.screen.progress.is_empty() {
        String::new()
    } else {
        format!(" {} ", app.screen.progress)
    };
    let shaping = app.settings.shaping;
    let pw = fit::width(&progress, shaping) as u16;
    let name_end = end.saturating_sub(pw).max(area.x);
    let brand = if app.screen.brand { " raqim: " } else { " " };
    let (x, _) = buf.set_stringn(area.x, area.y, brand, area.width as usize, BAR);
    let marks = title_marks(app);
    let marks_w = marks.chars().count() as u16;
    // The name may be Arabic: cut in reading order, laid out like article text.
    let room = name_end.saturating_sub(x).saturating_sub(marks_w);
    let name = fit::cut(&app.session.document().name, room as usize, shaping);
    let x = paint_text(buf, x, area.y, room, &name, app, BAR).min(name_end);
    buf.set_stringn(x, area.y, &marks, name_end.saturating_sub(x) as usize, BAR);
    if pw > 0 {
        buf.set_stringn(name_end, area.y, &progress, pw as usize, BAR);
    }
}

fn text_pane(area: Rect, buf: &mut Buffer, app: &App) {
    let cursor = app.cursor;
    let selected = app.selected_range();
    let (mut p, mut r) = app.top;
    let n = app.session.document().paragraphs.len();
    let colours: Vec<Color> = app
        .session
        .labels()
        .labels()
        .iter()
        .map(|l| terminal_colour(&l.colour))
        .collect();
    for y in area.y..area.bottom() {
        let Some((lay, spans)) = app.screen.paras.get(p - app.top.0).filter(|_| p < n) else {
            break;
        };
        let sep = app.sep(p);
        if r >= sep {
            let li = r - sep;
            let line = &lay.lines[li];
            let base = app.session.document().paragraphs[p].range.start;
            // Only the spans that meet this line are tried against its cells.
            let (from, to) = (base + line.logical.start, base + line.logical.end);
            let lo = spans.partition_point(|s| s.end <= from);
            let hi = spans.partition_point(|s| s.start < to).max(lo);
            let here = &spans[lo..hi];
            let marks = app
                .screen
                .marks
                .get(p - app.top.0)
                .map_or(&[][..], Vec::as_slice);
            let style_of = |cell: &Cell| {
                let range = base + cell.start as usize..base + cell.end as usize;
                // A bidi control's mark is dim: seen, but not read as text.
                let plain = if cell.kind == CellKind::BidiControl {
                    Style::new().add_modifier(Modifier::DIM)
                } else {
                    Style::new()
                };
                // An open disagreement where gold has no span.
                let plain =
                    super::adjudicate::mark_at(marks, range.clone()).map_or(plain, |m| m.style());
                let style = if here.is_empty() {
                    plain
                } else {
                    span_covering(here, range.clone()).map_or(plain, |(_, s)| {
                        if app.screen.current == Some(s.start) {
                            current_span_style(colours[s.label], s.state)
                        } else {
                            span_style(colours[s.label], s.state)
                        }
                    })
                };
                match selected {
                    Some((a, b))
                        if range.start >= a && range.end <= b && range.start < range.end =>
                    {
                        style.add_modifier(SELECTED)
                    }
                    _ => style,
                }
            };
            paint_line(buf, area.x, y, area.width, line, style_of);
            if p == cursor.para {
                let underline = app.settings.profile.cursor_underline();
                mark_cursor(buf, area, y, (line, cursor.offset), underline);
            }
        }
        r += 1;
        if r >= sep + lay.lines.len() {
            p += 1;
            r = 0;
        }
    }
}

/// Reverses the cursor cell. `underline`: false when the terminal drops a span's
/// underline around a cell that is reversed and underlined (Konsole), so the cursor
/// cell goes without it.
fn mark_cursor(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    (line, offset): (&VisualLine, usize),
    underline: bool,
) {
    let Some(cell) = line.cells.iter().find(|c| c.start as usize == offset) else {
        return;
    };
    let col = (cell.col as usize).min(area.width as usize - 1) as u16;
    let x = area.x + col;
    if cell.width > 0 {
        if cell.col as usize + cell.width as usize <= area.width as usize {
            buf[(x, y)].set_style(CURSOR);
            if !underline {
                buf[(x, y)].modifier.remove(Modifier::UNDERLINED);
            }
        }
    } else {
        if buf[(x, y)].symbol().is_empty() {
            buf[(x, y)].set_symbol(" ");
        }
        buf[(x, y)].set_style(CURSOR_HIDDEN);
    }
}

/// The status line, whole: every part of [`status_parts`], however wide.
pub fn status_text(app: &mut App) -> String {
    fit::fit_parts(&status_parts(app), usize::MAX, app.settings.shaping)
}

/// The status line's parts in the order they are said, each ranked for a narrow
/// screen (0 is kept longest): the span under the cursor (label and state 0, its text
/// 3, source and score 4), what the last action said (1), selecting (1), the control
/// character under the cursor and a warning of bidi overrides (2), the position (5),
/// the rendering settings (6), where the work is kept (7). So after Enter or `x` the
/// line names the span now under the cursor, then what became of the last one, and a
/// 40-column screen still shows the label. A question (`D` asking y/n) comes first.
pub fn status_parts(app: &mut App) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut dir = app.settings.direction.to_string();
    let mut after = Vec::new();
    // A question waiting for its answer (`D`'s y/n) goes before anything else.
    let question = app.confirm_done || app.taking();
    if question && let Some(m) = app.message() {
        parts.push(Part::new(m.to_string(), 0));
    }
    if app.session.document().is_blank() {
        after.push(Part::new("empty".to_string(), 5));
    } else {
        let (cp, off) = (app.cursor.para, app.cursor.offset);
        let lay = app.layout(cp);
        let (line, idx) = lay.locate(off).unwrap_or((0, 0));
        let col = lay.lines[line].cells.get(idx).map_or(0, |c| c.col as usize);
        // Flags first: the span's description after them is what a narrow screen
        // cuts before them.
        // The sign stays down to the narrowest screen; what it flags and the note go
        // first when room is short.
        if let Some(words) = app.curation_status() {
            parts.push(Part::new(words, 1));
        }
        for words in app.flag_marks() {
            parts.push(Part::new("⚑".to_string(), 0));
            parts.push(Part::new(words, 2).glued());
        }
        if let Some((_, s)) = app.span_at_cursor() {
            let d = app.session.described(&s);
            parts.push(Part::new(d.label_state, 0));
            parts.push(Part::new(d.source_score, 4).glued());
            parts.push(Part::new(d.text, 3).glued());
        }
        let text = app.session.document().paragraph_text(cp);
        if let Some(name) = text[off..].chars().next().and_then(control_name) {
            after.push(Part::new(name, 2));
        }
        // Embeddings, overrides and isolates can make a line read as something else
        // than it is: say so whenever the cursor's paragraph holds any.
        let explicit = text.chars().filter(|&c| is_explicit_bidi(c)).count();
        if explicit > 0 {
            after.push(Part::new(
                format!("⚠ bidi overrides here ({explicit} ⁞)"),
                2,
            ));
        }
        let position = format!(
            "¶{}/{} ln {}/{} col {} @{}",
            cp + 1,
            app.session.document().paragraphs.len(),
            line + 1,
            lay.lines.len(),
            col + 1,
            app.cursor_char()
        );
        after.push(Part::new(position, 5));
        if app.settings.direction == Direction::Auto {
            dir = format!("auto:{}", if lay.rtl { "rtl" } else { "ltr" });
        }
    }
    if let Some(m) = app.message().filter(|_| !question) {
        parts.push(Part::new(m.to_string(), 1));
    }
    if app.selection().is_some() {
        parts.push(Part::new("selecting".to_string(), 1));
    }
    parts.extend(after);
    // The marks shown only when asked for: said only then.
    let controls = if app.settings.show_controls {
        " controls:shown"
    } else {
        ""
    };
    parts.push(Part::new(
        format!(
            "{dir} shaping:{}{controls} term:{}",
            app.settings.shaping, app.settings.profile
        ),
        6,
    ));
    parts.push(Part::new(app.session.review().describe(), 7));
    parts
}

fn status_line(area: Rect, buf: &mut Buffer, app: &App) {
    buf.set_style(area, BAR);
    let shaping = app.settings.shaping;
    let at = (area.x + 1, area.y);
    let max = area.width.saturating_sub(1);
    match app.prompt() {
        Some(q) => {
            // The query in its own direction (from its first letter), the caret at
            // its end in reading order: left of Arabic, right of Latin.
            let runs = [
                ("/".to_string(), Direction::Ltr),
                (format!("{q}{CARET}"), Direction::Auto),
                ("  (Enter: search, Esc: cancel)".to_string(), Direction::Ltr),
            ];
            fit::paint_runs(buf, at, max, &runs, shaping, BAR);
        }
        None => {
            // The flag's note prompt, else the status.
            match app.flag_prompt_line() {
                Some(f) => fit::paint_bar_text(buf, at, max, &[f], shaping, BAR),
                None => fit::paint_bar_text(buf, at, max, &app.screen.status, shaping, BAR),
            };
        }
    }
}

/// The search prompt's caret.
pub const CARET: char = '▏';

/// The help's rows, built from the live keymap and the label set: keys, then what
/// the action does; then the label keys, each label with its description from the
/// label file.
fn help_rows(app: &App) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = app
        .keymap
        .bindings()
        .into_iter()
        .map(|(a, keys)| (keys.join(", "), a.description().to_string()))
        .collect();
    let labels = app.session.labels().labels();
    if !labels.is_empty() {
        let keys: Vec<String> = labels.iter().map(|l| l.key.to_string()).collect();
        rows.push((
            keys.join(" "),
            "Label the span under the cursor, the selection, or (pressed twice) the word:"
                .to_string(),
        ));
    }
    for l in labels {
        let text = if l.description.trim().is_empty() {
            l.name.clone()
        } else {
            format!("{} – {}", l.name, l.description.trim())
        };
        rows.push((format!("  {}", l.key), text));
    }
    rows
}

/// The help, one row a line: keys, then what the action does.
pub fn help_lines(app: &App) -> Vec<String> {
    let rows = help_rows(app);
    let key_w = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    rows.into_iter()
        .map(|(k, d)| format!("{k:key_w$}  {d}"))
        .collect()
}

/// The help wrapped to `width` cells: keys in a column with what they do beside them,
/// wrapped under it; on a screen too narrow for that, each key on a line of its own
/// with what it does below, indented.
pub fn help_wrapped(app: &App, width: usize) -> Vec<String> {
    let shaping = app.settings.shaping;
    let rows = help_rows(app);
    let key_w = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    if width >= key_w + 2 + 24 {
        let dw = width - key_w - 2;
        for (k, d) in rows {
            for (i, piece) in fit::wrap(&d, dw, shaping).into_iter().enumerate() {
                let k = if i == 0 { k.as_str() } else { "" };
                out.push(format!("{k:key_w$}  {piece}"));
            }
        }
    } else {
        // What a key does from the fourth column; a key of one or two characters
        // before it, a longer one on the line above.
        let dw = width.saturating_sub(4);
        for (k, d) in rows {
            let k = k.trim();
            let inline = k.chars().count() <= 2;
            if !inline {
                out.push(fit::cut(k, width, shaping));
            }
            for (i, piece) in fit::wrap(&d, dw, shaping).into_iter().enumerate() {
                let k = if inline && i == 0 { k } else { "" };
                out.push(format!("{k:2}  {piece}"));
            }
        }
    }
    out
}

/// The help box's width on a screen of `area`: its longest row, at most the screen.
fn help_box_width(app: &App, area: Rect) -> usize {
    let widest = help_lines(app)
        .iter()
        .map(|l| fit::width(l, app.settings.shaping))
        .max()
        .unwrap_or(0);
    // Inside the box: a border and a blank column on each side, less the one the
    // text may end in.
    (widest + 4).min(area.width as usize).saturating_sub(3)
}

/// The first of `titles` (longest first) that fits `width` cells, else the last cut.
fn title_for(titles: &[String], width: usize) -> String {
    titles
        .iter()
        .find(|t| t.chars().count() <= width)
        .cloned()
        .unwrap_or_else(|| {
            titles
                .last()
                .map_or(String::new(), |t| t.chars().take(width).collect())
        })
}

/// Breaks `text` at `sep` (kept at the end of a line) into lines of at most `max`
/// cells, a piece wider than that wrapped at spaces.
fn wrap_at(text: &str, sep: &str, max: usize, shaping: Shaping) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in text.split(sep) {
        let candidate = if line.is_empty() {
            piece.to_string()
        } else {
            format!("{line}{sep}{piece}")
        };
        if fit::width(&candidate, shaping) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(format!("{}{}", line, sep.trim_end()));
        }
        let mut pieces = fit::wrap(piece, max, shaping);
        line = pieces.pop().unwrap_or_default();
        lines.extend(pieces);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// One row of the document list: which document, and what the row shows of it.
struct ListRow {
    doc: usize,
    /// The mark and number (the first row of a document), else blank of that width.
    head: String,
    /// The name (first row), else "".
    name: String,
    /// The progress, or a piece of it.
    summary: String,
}

/// The document list's rows for a list `width` cells wide: a document on one row
/// when its name and progress fit, else its name on the first and its progress
/// wrapped on the rows below, under the name.
fn list_rows(app: &App, width: usize) -> Vec<ListRow> {
    let Some(d) = &app.docs else {
        return Vec::new();
    };
    let shaping = app.settings.shaping;
    let num_w = d.names.len().to_string().len();
    let mut rows = Vec::new();
    for (i, name) in d.names.iter().enumerate() {
        let mark = if i == d.current { "▶" } else { " " };
        let head = format!("{mark} {:>num_w$}  ", i + 1);
        let hw = head.chars().count();
        let summary = d.summaries.get(i).map_or("", String::as_str);
        let nw = fit::width(name, shaping);
        let sw = fit::width(summary, shaping);
        if hw + nw + 2 + sw <= width || summary.is_empty() {
            rows.push(ListRow {
                doc: i,
                head,
                name: fit::cut(name, width.saturating_sub(hw), shaping),
                summary: summary.to_string(),
            });
            continue;
        }
        let room = width.saturating_sub(hw).max(1);
        rows.push(ListRow {
            doc: i,
            head: head.clone(),
            name: fit::cut(name, room, shaping),
            summary: String::new(),
        });
        for piece in wrap_at(summary, " · ", room, shaping) {
            rows.push(ListRow {
                doc: i,
                head: " ".repeat(hw),
                name: String::new(),
                summary: piece,
            });
        }
    }
    rows
}

/// The set's documents: mark for the open one, position, name, progress (wrapped
/// under the name when the row is too narrow for both); the selected one reversed,
/// scrolled to stay in view.
fn document_list(area: Rect, buf: &mut Buffer, app: &App) {
    let Some(d) = &app.docs else { return };
    let w = area.width.saturating_sub(4).max(1);
    let h = area.height.saturating_sub(2).max(1);
    let rect = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
    Clear.render(rect, buf);
    let n = d.names.len();
    let titles = [
        format!(" documents: {n} (↓↑ choose, Enter open, Esc close) "),
        format!(" documents: {n} (↓↑ Enter Esc) "),
        format!(" documents: {n} "),
    ];
    let title = title_for(&titles, w.saturating_sub(2) as usize);
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(rect);
    block.render(rect, buf);
    let rows = inner.height as usize;
    if rows == 0 {
        return;
    }
    let all = list_rows(app, inner.width as usize);
    // The selected document's rows in view, as low as they need to be.
    let sel_start = all.iter().position(|r| r.doc == d.selected).unwrap_or(0);
    let sel_end = all
        .iter()
        .rposition(|r| r.doc == d.selected)
        .map_or(0, |e| e + 1);
    let first = sel_end.saturating_sub(rows).min(sel_start);
    for (k, r) in all.iter().skip(first).take(rows).enumerate() {
        let y = inner.y + k as u16;
        let style = if r.doc == d.selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        buf.set_style(Rect::new(inner.x, y, inner.width, 1), style);
        let (x, _) = buf.set_stringn(inner.x, y, &r.head, inner.width as usize, style);
        let x = paint_text(
            buf,
            x,
            y,
            inner.right().saturating_sub(x),
            &r.name,
            app,
            style,
        );
        if r.summary.is_empty() {
            continue;
        }
        let sw = fit::width(&r.summary, app.settings.shaping) as u16;
        // On the name's row, at the right; below it, under the name.
        let sx = if r.name.is_empty() {
            x
        } else {
            inner.right().saturating_sub(sw).max(x + 2)
        };
        if sx < inner.right() {
            buf.set_stringn(sx, y, &r.summary, (inner.right() - sx) as usize, style);
        }
    }
}

fn help_overlay(area: Rect, buf: &mut Buffer, app: &App) {
    let (lines, text_w) = (&app.screen.help.0, app.screen.help.1);
    let w = (text_w as u16 + 3).min(area.width);
    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(rect, buf);
    let rows = h.saturating_sub(2) as usize;
    // Scrolled with the movement keys when it does not fit.
    let max_scroll = lines.len().saturating_sub(rows);
    let titles = if max_scroll > 0 {
        let (from, to, n) = (
            app.help_scroll + 1,
            (app.help_scroll + rows).min(lines.len()),
            lines.len(),
        );
        vec![
            format!(" keys {from}-{to} of {n} (↓↑ PgDn PgUp scroll, esc closes) "),
            format!(" keys {from}-{to}/{n} (↓↑ PgDn, Esc) "),
            format!(" keys {from}-{to}/{n} "),
        ]
    } else {
        vec![" keys (esc closes) ".to_string(), " keys ".to_string()]
    };
    let title = title_for(&titles, w.saturating_sub(2) as usize);
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(rect);
    block.render(rect, buf);
    for (i, line) in lines
        .iter()
        .skip(app.help_scroll)
        .enumerate()
        .take(inner.height as usize)
    {
        let y = inner.y + i as u16;
        // Through the layout: a description may hold Arabic.
        paint_text(
            buf,
            inner.x + 1,
            y,
            inner.width.saturating_sub(1),
            line,
            app,
            Style::new(),
        );
    }
}
