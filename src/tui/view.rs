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
    Cell, CellKind, Direction, LayoutOptions, ParagraphLayout, VisualLine, control_name,
    is_explicit_bidi, layout_paragraph,
};
use crate::session::ViewSpan;

use super::app::App;
use super::legend::{LEGEND_MIN_HEIGHT, legend_row, span_style, terminal_colour};
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
    /// The title bar's progress ("" for an empty document).
    progress: String,
    /// The status line.
    status: String,
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
    let progress = if blank {
        String::new()
    } else {
        app.session.progress_text()
    };
    if let Some(d) = app.docs.as_mut().filter(|d| d.open) {
        // The open document's progress is live, the others' as last seen.
        d.summaries[d.current] = progress.clone();
    }
    let mut paras = Vec::new();
    if !blank {
        let (mut p, skip) = app.top;
        let mut rows = 0;
        while p < app.session.document().paragraphs.len() && rows < app.height + skip {
            let lay = app.layout(p);
            rows += app.sep(p) + lay.lines.len();
            paras.push((lay, app.session.spans_in(p)));
            p += 1;
        }
    }
    let status = if app.prompt().is_none() && app.message().is_none() {
        status_text(app)
    } else {
        String::new()
    };
    if app.show_help {
        // Scrolled with the movement keys, never past its end.
        let lines = help_lines(app).len();
        let rows = (lines + 2).min(area.height as usize).saturating_sub(2);
        app.help_scroll = app.help_scroll.min(lines.saturating_sub(rows));
    }
    app.screen = Screen {
        paras,
        progress,
        status,
    };
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
        legend_row(row, buf, app.session.labels());
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
    let pw = progress.chars().count() as u16;
    // The progress goes on the right when there is room for it and some of the name.
    let (name_end, show_progress) = if pw + 20 <= area.width {
        (end - pw, true)
    } else {
        (end, false)
    };
    let (mut x, _) = buf.set_stringn(area.x, area.y, " raqim: ", area.width as usize, BAR);
    // The name may be Arabic: lay it out like article text, in an LTR bar.
    let name = app.session.document().name.clone();
    x = paint_text(buf, x, area.y, name_end.saturating_sub(x), &name, app, BAR).min(name_end);
    if let Some(d) = &app.docs {
        let pos = format!(" ({}/{})", d.current + 1, d.names.len());
        x = buf
            .set_stringn(x, area.y, &pos, (name_end - x) as usize, BAR)
            .0;
    }
    if app.session.document().lossy {
        buf.set_stringn(x, area.y, " [lossy]", (name_end - x) as usize, BAR);
    }
    if show_progress {
        buf.set_stringn(end - pw, area.y, &progress, pw as usize, BAR);
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
            let style_of = |cell: &Cell| {
                let range = base + cell.start as usize..base + cell.end as usize;
                // A bidi control's mark is dim: seen, but not read as text.
                let plain = if cell.kind == CellKind::BidiControl {
                    Style::new().add_modifier(Modifier::DIM)
                } else {
                    Style::new()
                };
                let style = if here.is_empty() {
                    plain
                } else {
                    span_covering(here, range.clone())
                        .map_or(plain, |(_, s)| span_style(colours[s.label], s.state))
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

/// The status line text: position, the character under the cursor when it is a
/// control, and the rendering settings; most important first, so a narrow screen
/// cuts the least useful part.
pub fn status_text(app: &mut App) -> String {
    let mut parts = Vec::new();
    let mut dir = app.settings.direction.to_string();
    if app.session.document().is_blank() {
        parts.push("empty".to_string());
    } else {
        let (cp, off) = (app.cursor.para, app.cursor.offset);
        let lay = app.layout(cp);
        let (line, idx) = lay.locate(off).unwrap_or((0, 0));
        let col = lay.lines[line].cells.get(idx).map_or(0, |c| c.col as usize);
        parts.push(format!(
            "¶{}/{} ln {}/{} col {} @{}",
            cp + 1,
            app.session.document().paragraphs.len(),
            line + 1,
            lay.lines.len(),
            col + 1,
            app.cursor_char()
        ));
        let text = app.session.document().paragraph_text(cp);
        if let Some(name) = text[off..].chars().next().and_then(control_name) {
            parts.push(name);
        }
        // Embeddings, overrides and isolates can make a line read as something else
        // than it is: say so whenever the cursor's paragraph holds any.
        let explicit = text.chars().filter(|&c| is_explicit_bidi(c)).count();
        if explicit > 0 {
            parts.push(format!("⚠ bidi overrides here ({explicit} ⁞)"));
        }
        // Flags first: the span's description after them is the part a narrow
        // screen may cut.
        parts.extend(app.flag_marks());
        if let Some((_, s)) = app.span_at_cursor() {
            parts.push(app.session.describe(&s));
        }
        if app.selection().is_some() {
            parts.push("selecting".to_string());
        }
        if app.settings.direction == Direction::Auto {
            dir = format!("auto:{}", if lay.rtl { "rtl" } else { "ltr" });
        }
    }
    // The marks shown only when asked for: said only then.
    let controls = if app.settings.show_controls {
        " controls:shown"
    } else {
        ""
    };
    parts.push(format!(
        "{dir} shaping:{}{controls} term:{}",
        app.settings.shaping, app.settings.profile
    ));
    parts.push(app.session.review().describe());
    parts.join("  ")
}

fn status_line(area: Rect, buf: &mut Buffer, app: &App) {
    buf.set_style(area, BAR);
    let text = match (app.prompt(), app.flag_prompt_line(), app.message()) {
        (Some(q), _, _) => format!("/{q}▏  (Enter: search, Esc: cancel)"),
        (None, Some(f), _) => f,
        (None, None, Some(m)) => m.to_string(),
        (None, None, None) => app.screen.status.clone(),
    };
    paint_text(
        buf,
        area.x + 1,
        area.y,
        area.width.saturating_sub(1),
        &text,
        app,
        BAR,
    );
}

/// The help box, built from the live keymap and the label set: keys, then what the
/// action does.
pub fn help_lines(app: &App) -> Vec<String> {
    let mut rows: Vec<(String, String)> = app
        .keymap
        .bindings()
        .into_iter()
        .map(|(a, keys)| (keys.join(", "), a.description().to_string()))
        .collect();
    for l in app.session.labels().labels() {
        rows.push((
            l.key.to_string(),
            format!(
                "Label {}: the span, the selection, or (twice) the word",
                l.name
            ),
        ));
    }
    let key_w = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    rows.into_iter()
        .map(|(k, d)| format!("{k:key_w$}  {d}"))
        .collect()
}

/// The set's documents, one a row: mark for the open one, position, name, progress;
/// the selected row reversed, scrolled to stay in view.
fn document_list(area: Rect, buf: &mut Buffer, app: &App) {
    let Some(d) = &app.docs else { return };
    let w = area.width.saturating_sub(4).max(1);
    let h = area.height.saturating_sub(2).max(1);
    let rect = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
    Clear.render(rect, buf);
    let block = Block::default().borders(Borders::ALL).title(format!(
        " documents: {} (↓↑ choose, Enter open, Esc close) ",
        d.names.len()
    ));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let rows = inner.height as usize;
    if rows == 0 {
        return;
    }
    let first = d.selected.saturating_sub(rows - 1).min(d.selected);
    let num_w = d.names.len().to_string().len();
    for (k, i) in (first..d.names.len()).take(rows).enumerate() {
        let y = inner.y + k as u16;
        let style = if i == d.selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        buf.set_style(Rect::new(inner.x, y, inner.width, 1), style);
        let mark = if i == d.current { "▶" } else { " " };
        let head = format!("{mark} {:>num_w$}  ", i + 1);
        let (x, _) = buf.set_stringn(inner.x, y, &head, inner.width as usize, style);
        let summary = d.summaries.get(i).map_or("", String::as_str);
        let sw = (summary.chars().count() as u16 + 2).min(inner.right().saturating_sub(x));
        let name_w = inner.right().saturating_sub(x).saturating_sub(sw);
        paint_text(buf, x, y, name_w, &d.names[i], app, style);
        if sw > 2 {
            buf.set_stringn(inner.right() - sw + 2, y, summary, (sw - 2) as usize, style);
        }
    }
}

fn help_overlay(area: Rect, buf: &mut Buffer, app: &App) {
    let lines = help_lines(app);
    let inner_w = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u16;
    let w = (inner_w + 4).min(area.width);
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
    let title = if max_scroll > 0 {
        format!(
            " keys {}-{} of {} (↓↑ PgDn PgUp scroll, esc closes) ",
            app.help_scroll + 1,
            (app.help_scroll + rows).min(lines.len()),
            lines.len()
        )
    } else {
        " keys (esc closes) ".to_string()
    };
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
