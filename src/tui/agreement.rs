//! The agreement screen (issue 15, `raqim agreement --format chart`): the figures of
//! an [`agreement::Report`] as a person takes them in at a glance. A header line
//! (annotators, documents, Fleiss' kappa); a heatmap of pairwise F1 (annotator x
//! annotator, a `gold` column when there is a gold layer), each cell coloured by its
//! range and with its number, so it reads without colour; a bar per label of the
//! selected comparison's F1 (or the mean over all pairs); a table of the pairs and of
//! each annotator against gold. Tab and the arrows choose the comparison; `q`/Esc
//! close.
//!
//! Owns: the screen's state ([`AgreementView`]), its keys (through the keymap, as
//! every screen: key -> [`Action`] -> [`AgreementView::apply`]), its drawing and the
//! standalone loop ([`show`]). Must not: compute a figure (the report has them all;
//! only the mean per label over pairs is worked out here, for the bars), or draw
//! outside the area it is given.
//!
//! Small screens: the table of pairs is kept longest (it holds every figure); the bars
//! go first, then the heatmap. The heatmap scrolls to keep the selected pair's cell in
//! view, and names are cut (with `…`) to their column. Names may be Arabic: they are
//! laid out and measured by the layout (`crate::layout`, through [`super::fit`]), like
//! the article's text, never by a width of their own.

use crossterm::event::{self, Event, KeyEvent, KeyEventKind};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction as Axis, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, Borders, Cell, Clear, Row, StatefulWidget, Table, TableState,
    Widget,
};

use crate::agreement::{GOLD, Pair, Report};
use crate::layout::{Direction, LayoutOptions, Shaping, layout_paragraph};
use crate::profile::Profile;

use super::action::Action;
use super::app::ViewSettings;
use super::fit::{self, Part};
use super::keymap::Keymap;

/// Below this F1 a cell is red; from it up to [`GOOD`], yellow; from [`GOOD`], green.
pub const POOR: f64 = 0.5;
/// See [`POOR`].
pub const GOOD: f64 = 0.8;

/// Columns of one heatmap cell: `" 0.82 "`, or `"[0.82]"` for the selected pair.
const HEAT_CELL: u16 = 6;
/// The longest a name's column gets in the heatmap and the table, in cells.
const NAME_MAX: usize = 14;
/// The longest a label's column gets beside the bars.
const LABEL_MAX: usize = 12;
/// Below this width the heatmap and the bars are stacked instead of side by side.
const SIDE_BY_SIDE: u16 = 64;

const HEADER: Style = Style::new().add_modifier(Modifier::REVERSED);
const DIM: Style = Style::new().add_modifier(Modifier::DIM);
const BOLD: Style = Style::new().add_modifier(Modifier::BOLD);

/// The colour of an F1 on the ramp red < [`POOR`] <= yellow < [`GOOD`] <= green.
pub fn f1_colour(f1: f64) -> Color {
    if f1 < POOR {
        Color::Red
    } else if f1 < GOOD {
        Color::Yellow
    } else {
        Color::Green
    }
}

/// A heatmap cell's or a bar's style: filled with its range's colour, dark text on it
/// (as an accepted span is drawn); a figure that does not exist is dim, unfilled.
fn filled(f1: Option<f64>) -> Style {
    match f1 {
        Some(x) => Style::new().bg(f1_colour(x)).fg(Color::Black),
        None => DIM,
    }
}

/// A figure as the table shows it: three decimals, `-` when it does not exist (as
/// the report's text table).
fn shown(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{x:.3}"))
}

/// The agreement screen's state: which comparison is selected, how to draw names,
/// and whether it was closed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgreementView {
    /// The comparison the bars show and the heatmap and table mark: an index into
    /// `report.pairs`, then past them into `report.gold` (`pairs.len() + i`); `None`:
    /// all pairs, the bars the mean over them.
    pub selected: Option<usize>,
    /// Who joins Arabic letters in names (as the viewer's setting).
    pub shaping: Shaping,
    /// The terminal's profile (kitty wants each Arabic word in logical order).
    pub profile: Profile,
    closed: bool,
}

/// One comparison: a pair of annotators, or an annotator and gold.
fn comparison(report: &Report, i: usize) -> Option<&Pair> {
    report
        .pairs
        .get(i)
        .or_else(|| report.gold.get(i.checked_sub(report.pairs.len())?))
}

impl AgreementView {
    /// The screen as the viewer would draw it with `settings` (shaping, profile).
    pub fn new(settings: &ViewSettings) -> AgreementView {
        AgreementView {
            shaping: settings.shaping,
            profile: settings.profile,
            ..AgreementView::default()
        }
    }

    /// True once `q` or Esc was pressed.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// The screen's share of the vocabulary; true when the action was its own. Next
    /// comparison: Tab, down, right; previous: shift-Tab, up, left; both go through
    /// "all pairs" between the last and the first. `g`/Home: all pairs; `G`/End:
    /// the last. Esc, `q`: close.
    pub fn apply(&mut self, action: Action, report: &Report) -> bool {
        let n = report.pairs.len() + report.gold.len();
        let last = n.checked_sub(1);
        match action {
            Action::NextPending | Action::MoveDown | Action::MoveRight | Action::NextChar => {
                self.selected = match self.selected {
                    None => last.map(|_| 0),
                    Some(i) if i + 1 < n => Some(i + 1),
                    Some(_) => None,
                }
            }
            Action::PrevPending | Action::MoveUp | Action::MoveLeft | Action::PrevChar => {
                self.selected = match self.selected {
                    None => last,
                    Some(0) => None,
                    Some(i) => Some((i - 1).min(n.saturating_sub(1))),
                }
            }
            Action::DocumentStart | Action::LineStart => self.selected = None,
            Action::DocumentEnd | Action::LineEnd => self.selected = last,
            Action::Cancel | Action::Quit | Action::CloseHelp => self.closed = true,
            _ => return false,
        }
        true
    }

    /// A terminal key, through `keymap`; true when it was the screen's.
    pub fn key(&mut self, key: &KeyEvent, keymap: &Keymap, report: &Report) -> bool {
        keymap.lookup(key).is_some_and(|a| self.apply(a, report))
    }

    /// The comparison selected, if any and if it is still in `report`.
    fn current<'r>(&self, report: &'r Report) -> Option<&'r Pair> {
        comparison(report, self.selected?)
    }

    /// `text` in at most `max` cells: whole, or its start and its end with `…`
    /// between (whole clusters, in reading order). Not [`fit::cut`]'s tail cut:
    /// annotators' names often share their start (`analyst-3`, `analyst-12`), and
    /// what tells them apart is at the end.
    fn short(&self, text: &str, max: usize) -> String {
        use unicode_segmentation::UnicodeSegmentation;
        if self.width(text) <= max {
            return text.to_string();
        }
        if max < 4 {
            return fit::cut(text, max, self.shaping);
        }
        let room = max - 1;
        let clusters: Vec<&str> = text.graphemes(true).collect();
        let mut head = String::new();
        let mut used = 0;
        for g in &clusters {
            let w = self.width(g);
            if used + w > room.div_ceil(2) {
                break;
            }
            head.push_str(g);
            used += w;
        }
        let mut tail: Vec<&str> = Vec::new();
        for g in clusters.iter().rev() {
            let w = self.width(g);
            if used + w > room {
                break;
            }
            tail.push(g);
            used += w;
        }
        tail.reverse();
        format!("{}…{}", head.trim_end(), tail.concat().trim_start())
    }

    /// `text` shortened to `max` cells ([`Self::short`]) and laid out as a
    /// left-to-right line, its cells left to right: what a ratatui span paints as it
    /// is.
    fn visual(&self, text: &str, max: usize) -> String {
        let cut = self.short(text, max);
        let opts = LayoutOptions {
            width: 0,
            direction: Direction::Ltr,
            shaping: self.shaping,
            show_controls: false,
        };
        layout_paragraph(&cut, &opts)
            .lines
            .first()
            .map_or_else(String::new, |l| l.painted())
    }

    /// Cells `text` takes, as the layout paints it.
    fn width(&self, text: &str) -> usize {
        fit::width(text, self.shaping)
    }
}

/// Draws the agreement screen for `report` into `area` of `frame`.
pub fn draw(frame: &mut Frame, area: Rect, report: &Report, state: &AgreementView) {
    render(area, frame.buffer_mut(), report, state);
}

/// [`draw`] into a buffer (tests, benchmarks); nothing outside `area` is touched.
pub fn render(area: Rect, buf: &mut Buffer, report: &Report, state: &AgreementView) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    Clear.render(area, buf);
    header(Rect { height: 1, ..area }, buf, report, state);
    let mut body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    if body.height >= 3 {
        body.height -= 1;
        footer(
            Rect {
                y: body.bottom(),
                height: 1,
                ..area
            },
            buf,
            report,
            state,
        );
    }
    if body.is_empty() {
        return;
    }
    let compared = report.pairs.iter().any(|p| p.documents > 0);
    if !compared {
        nothing_to_compare(body, buf, report, state);
    } else {
        panes(body, buf, report, state);
    }
    if state.profile.logical_words() {
        super::view::logical_words(buf, area);
    }
}

/// The top row: what the report is over, and Fleiss' kappa, parts left out from the
/// least useful when narrow.
fn header(area: Rect, buf: &mut Buffer, report: &Report, state: &AgreementView) {
    buf.set_style(area, HEADER);
    let n = report.annotators.len();
    let counted = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let parts = [
        Part::new("agreement".to_string(), 3),
        Part::new(counted(n, "annotator", "annotators"), 1),
        Part::new(
            counted(
                report.fleiss_documents,
                "document with 2+ of them",
                "documents with 2+ of them",
            ),
            2,
        ),
        Part::new(format!("Fleiss' kappa {}", shown(report.fleiss_kappa)), 0),
    ];
    let room = area.width.saturating_sub(1) as usize;
    let text = fit::fit_parts(&parts, room, state.shaping);
    buf.set_stringn(area.x + 1, area.y, text, room, HEADER);
}

/// The bottom row: the keys.
fn footer(area: Rect, buf: &mut Buffer, report: &Report, state: &AgreementView) {
    let mut parts = vec![Part::new("q close".to_string(), 0)];
    if !report.pairs.is_empty() || !report.gold.is_empty() {
        parts.insert(0, Part::new("Tab/↓ next pair".to_string(), 1));
        parts.insert(1, Part::new("↑ previous".to_string(), 2));
        parts.insert(2, Part::new("g all pairs".to_string(), 3));
    }
    let room = area.width.saturating_sub(1) as usize;
    let text = fit::fit_parts(&parts, room, state.shaping);
    buf.set_stringn(area.x + 1, area.y, text, room, DIM);
}

/// Fewer than two annotators, or no document that two of them did: says so, and
/// shows the comparisons with gold when there are any.
fn nothing_to_compare(area: Rect, buf: &mut Buffer, report: &Report, state: &AgreementView) {
    let says = match report.annotators.as_slice() {
        [] => "no annotator's layer yet: nothing to compare yet".to_string(),
        [one] => format!(
            "only one annotator ({}): no two layers, nothing to compare yet",
            state.visual(one, NAME_MAX)
        ),
        _ => "no two layers have marked the same document done: nothing to compare yet".to_string(),
    };
    let width = area.width.saturating_sub(2) as usize;
    let mut y = area.y;
    for line in fit::wrap(&says, width, state.shaping) {
        if y >= area.bottom() {
            return;
        }
        buf.set_stringn(area.x + 1, y, line, width, Style::new());
        y += 1;
    }
    if report.gold.iter().any(|p| p.documents > 0) && y + 1 < area.bottom() {
        let rest = Rect {
            y: y + 1,
            height: area.bottom() - y - 1,
            ..area
        };
        table(rest, buf, report, state);
    }
}

/// What the heatmap needs: the width of its names' column and its full size with
/// borders (its columns: the annotators, then gold).
struct Heat {
    /// Columns are headed by numbers, and rows start with theirs, when a name does
    /// not fit a column.
    numbered: bool,
    name_w: u16,
    full_w: u16,
    full_h: u16,
}

fn heat_size(report: &Report, state: &AgreementView) -> Heat {
    let n = report.annotators.len();
    let cols = n + usize::from(!report.gold.is_empty());
    let longest = report
        .annotators
        .iter()
        .map(|a| state.width(a))
        .max()
        .unwrap_or(0);
    let numbered = longest > HEAT_CELL as usize - 1;
    let number_w = if numbered { n.to_string().len() + 1 } else { 0 };
    let name_w = (number_w + longest.min(NAME_MAX)).max(4) as u16;
    Heat {
        numbered,
        name_w,
        full_w: 2 + name_w + 1 + HEAT_CELL * cols as u16,
        full_h: 3 + n as u16,
    }
}

/// Every label a comparison used, in order: the bars keep their rows whichever is
/// selected.
fn all_labels(report: &Report) -> Vec<&str> {
    let set: std::collections::BTreeSet<&str> = report
        .pairs
        .iter()
        .chain(&report.gold)
        .flat_map(|p| p.labels.keys().map(String::as_str))
        .collect();
    set.into_iter().collect()
}

/// The rows of the table: its pairs, then (when there is gold) a heading and each
/// annotator against gold.
fn table_rows(report: &Report) -> usize {
    report.pairs.len()
        + if report.gold.is_empty() {
            0
        } else {
            1 + report.gold.len()
        }
}

/// Splits the body between heatmap, bars and table, dropping the bars first, then
/// the heatmap, so the table (every figure) stays.
fn panes(area: Rect, buf: &mut Buffer, report: &Report, state: &AgreementView) {
    let heat = heat_size(report, state);
    let labels = all_labels(report);
    let n = report.annotators.len() as u16;
    let table_full = 3 + table_rows(report) as u16;
    let table_min = table_full.min(5);
    let heat_min = 3 + n.min(2);
    let bars_full = 2 + labels.len() as u16;
    let bars_min = 2 + (labels.len() as u16).min(2);
    let mut spare = area.height.saturating_sub(table_min);
    // The heatmap needs its names and one cell across.
    let heat_fits = area.width >= 2 + heat.name_w + 1 + HEAT_CELL;
    let side = area.width >= SIDE_BY_SIDE && heat_fits && !labels.is_empty();
    let mut y = area.y;
    if side {
        let band = heat.full_h.max(bars_full).min(spare);
        if band >= heat_min {
            let heat_w = heat.full_w.min(area.width * 3 / 5);
            heatmap(
                Rect::new(area.x, y, heat_w, band),
                buf,
                report,
                state,
                &heat,
            );
            let bars_rect = Rect::new(area.x + heat_w, y, area.width - heat_w, band);
            if band >= bars_min {
                bars(bars_rect, buf, report, state, &labels);
            }
            y += band;
        }
    } else {
        if heat_fits && spare >= heat_min {
            let h = heat.full_h.min(spare);
            heatmap(
                Rect::new(area.x, y, area.width, h),
                buf,
                report,
                state,
                &heat,
            );
            y += h;
            spare -= h;
        }
        if !labels.is_empty() && spare >= bars_min && y > area.y {
            let h = bars_full.min(spare);
            bars(
                Rect::new(area.x, y, area.width, h),
                buf,
                report,
                state,
                &labels,
            );
            y += h;
        }
    }
    let rest = Rect {
        y,
        height: area.bottom() - y,
        ..area
    };
    table(rest, buf, report, state);
}

/// The first of `total` items to show in `visible` slots so that item `want` is in
/// view (the window moves no further than it must).
fn window(want: Option<usize>, visible: usize, total: usize) -> usize {
    let want = want.unwrap_or(0);
    if visible == 0 || total <= visible {
        return 0;
    }
    (want + 1).saturating_sub(visible).min(total - visible)
}

/// The pairwise F1 heatmap: annotators down and across (gold the last column), each
/// cell coloured by its range with its figure; the diagonal `—`, the selected pair's
/// cells in brackets. It scrolls to keep the selected cell in view.
fn heatmap(area: Rect, buf: &mut Buffer, report: &Report, state: &AgreementView, heat: &Heat) {
    let names = &report.annotators;
    let mut cols: Vec<&str> = names.iter().map(String::as_str).collect();
    if !report.gold.is_empty() {
        cols.push(GOLD);
    }
    let inner_w = area.width.saturating_sub(2);
    let inner_h = area.height.saturating_sub(2);
    let visible_cols = (inner_w.saturating_sub(heat.name_w + 1) / HEAT_CELL) as usize;
    let visible_rows = inner_h.saturating_sub(1) as usize;
    // The selected cell: (row, column).
    let index = |name: &str| cols.iter().position(|c| *c == name);
    let cell = state
        .current(report)
        .and_then(|p| Some((index(&p.a)?, index(&p.b)?)));
    let first_col = window(cell.map(|c| c.1), visible_cols, cols.len());
    let first_row = window(cell.map(|c| c.0), visible_rows, names.len());
    let shown_cols = first_col..(first_col + visible_cols).min(cols.len());
    let shown_rows = first_row..(first_row + visible_rows).min(names.len());
    // Says what is out of view, when something is.
    let title = if shown_rows.len() < names.len() {
        format!(
            " F1 by pair · rows {}-{} of {} ",
            first_row + 1,
            shown_rows.end,
            names.len()
        )
    } else if shown_cols.len() < cols.len() {
        format!(
            " F1 by pair · columns {}-{} of {} ",
            first_col + 1,
            shown_cols.end,
            cols.len()
        )
    } else {
        " F1 by pair ".to_string()
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let x0 = inner.x + heat.name_w + 1;
    let mut header = vec![Span::raw(" ".repeat(heat.name_w as usize + 1))];
    for (i, &c) in cols.iter().enumerate().skip(shown_cols.start) {
        if i >= shown_cols.end {
            break;
        }
        let name = if heat.numbered && c != GOLD {
            (i + 1).to_string()
        } else {
            state.visual(c, HEAT_CELL as usize - 1)
        };
        let pad = HEAT_CELL as usize - state.width(&name).min(HEAT_CELL as usize - 1);
        let style = if cell.is_some_and(|(a, b)| cols[a] == c || cols[b] == c) {
            BOLD
        } else {
            Style::new()
        };
        header.push(Span::raw(" ".repeat(pad - 1)));
        header.push(Span::styled(name, style));
        header.push(Span::raw(" "));
    }
    Line::from(header).render(Rect { height: 1, ..inner }, buf);
    let f1_of = |r: usize, c: usize| -> Option<Option<f64>> {
        let (a, b) = (names[r].as_str(), cols[c]);
        if b == GOLD {
            return report.gold.iter().find(|p| p.a == a).map(|p| p.f1);
        }
        report
            .pairs
            .iter()
            .find(|p| (p.a == a && p.b == b) || (p.a == b && p.b == a))
            .map(|p| p.f1)
    };
    for (dy, r) in shown_rows.enumerate() {
        let y = inner.y + 1 + dy as u16;
        if y >= inner.bottom() {
            break;
        }
        let on_row = cell.is_some_and(|(a, b)| a == r || b == r);
        let name = if heat.numbered {
            let number = format!("{:>w$} ", r + 1, w = names.len().to_string().len());
            let room = (heat.name_w as usize).saturating_sub(number.len());
            format!("{number}{}", state.visual(&names[r], room))
        } else {
            state.visual(&names[r], heat.name_w as usize)
        };
        buf.set_stringn(
            inner.x,
            y,
            name,
            heat.name_w as usize,
            if on_row { BOLD } else { Style::new() },
        );
        for (dx, c) in shown_cols.clone().enumerate() {
            let x = x0 + dx as u16 * HEAT_CELL;
            if x + HEAT_CELL > inner.right() {
                break;
            }
            let selected = cell.is_some_and(|(a, b)| (a, b) == (r, c) || (b, a) == (r, c));
            let (text, style) = if c == r {
                ("  —   ".to_string(), DIM)
            } else {
                match f1_of(r, c) {
                    Some(f1) => {
                        let n = f1.map_or_else(|| "  - ".to_string(), |x| format!("{x:.2}"));
                        let text = if selected {
                            format!("[{n}]")
                        } else {
                            format!(" {n} ")
                        };
                        (text, filled(f1))
                    }
                    None => (String::new(), Style::new()),
                }
            };
            let style = if selected {
                style.add_modifier(Modifier::BOLD)
            } else {
                style
            };
            buf.set_stringn(x, y, text, HEAT_CELL as usize, style);
        }
    }
}

/// The F1 per label of the selected comparison, or the mean over the pairs that
/// have it; `None` where it does not exist.
fn label_figures(report: &Report, state: &AgreementView, labels: &[&str]) -> Vec<Option<f64>> {
    match state.current(report) {
        Some(p) => labels
            .iter()
            .map(|l| p.labels.get(*l).and_then(|x| x.f1))
            .collect(),
        None => labels
            .iter()
            .map(|l| {
                let xs: Vec<f64> = report
                    .pairs
                    .iter()
                    .filter_map(|p| p.labels.get(*l)?.f1)
                    .collect();
                (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
            })
            .collect(),
    }
}

/// A horizontal bar per label, its length and colour its F1, the figure on it.
fn bars(area: Rect, buf: &mut Buffer, report: &Report, state: &AgreementView, labels: &[&str]) {
    let title = match state.current(report) {
        Some(p) if p.b == GOLD => {
            format!(" F1 per label: {} vs gold ", state.visual(&p.a, NAME_MAX))
        }
        Some(p) => format!(
            " F1 per label: {} × {} ",
            state.visual(&p.a, NAME_MAX),
            state.visual(&p.b, NAME_MAX)
        ),
        None => " F1 per label: mean of the pairs ".to_string(),
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let label_w = labels
        .iter()
        .map(|l| state.width(l))
        .max()
        .unwrap_or(0)
        .min(LABEL_MAX) as u16;
    let figures = label_figures(report, state, labels);
    for (i, l) in labels.iter().enumerate() {
        let y = inner.y + i as u16;
        if y >= inner.bottom() {
            break;
        }
        buf.set_stringn(
            inner.x,
            y,
            state.visual(l, label_w as usize),
            label_w as usize,
            Style::new(),
        );
    }
    let bar_area = Rect {
        x: inner.x + label_w + 1,
        width: inner.width.saturating_sub(label_w + 1),
        ..inner
    };
    if bar_area.is_empty() {
        return;
    }
    let data: Vec<Bar> = figures
        .iter()
        .map(|f| {
            let value = f.map_or(0, |x| (x * 1000.0).round() as u64);
            let colour = f.map_or(Color::DarkGray, f1_colour);
            Bar::default()
                .value(value)
                .text_value(f.map_or_else(|| "-".to_string(), |x| format!("{x:.2}")))
                .style(Style::new().fg(colour))
                .value_style(filled(*f))
        })
        .collect();
    BarChart::default()
        .direction(Axis::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .group_gap(0)
        .max(1000)
        .data(BarGroup::default().bars(&data))
        .render(bar_area, buf);
}

/// The table of pairs (a, b, documents, F1, kappa), then each annotator against
/// gold; the selected row highlighted and kept in view.
fn table(area: Rect, buf: &mut Buffer, report: &Report, state: &AgreementView) {
    if area.is_empty() {
        return;
    }
    let inner_w = area.width.saturating_sub(2) as usize;
    let docs_w = report
        .pairs
        .iter()
        .chain(&report.gold)
        .map(|p| p.documents.to_string().len())
        .max()
        .unwrap_or(0)
        .max(4);
    // docs, F1 (5), kappa (6), four gaps: what is left goes to the names.
    let fixed = docs_w + 5 + 6 + 4;
    let longest = report
        .pairs
        .iter()
        .chain(&report.gold)
        .flat_map(|p| [state.width(&p.a), state.width(&p.b)])
        .max()
        .unwrap_or(1);
    let name_w = longest
        .min(NAME_MAX)
        .min(inner_w.saturating_sub(fixed) / 2)
        .max(1);
    let row = |p: &Pair| {
        Row::new(vec![
            Cell::from(state.visual(&p.a, name_w)),
            Cell::from(state.visual(&p.b, name_w)),
            Cell::from(Line::from(p.documents.to_string()).right_aligned()),
            Cell::from(
                Line::from(shown(p.f1))
                    .right_aligned()
                    .style(p.f1.map_or(DIM, |x| Style::new().fg(f1_colour(x)))),
            ),
            Cell::from(Line::from(shown(p.kappa)).right_aligned()),
        ])
    };
    let mut rows: Vec<Row> = report.pairs.iter().map(row).collect();
    // The heading of the gold rows is written across the row once it is placed.
    let heading = (!report.gold.is_empty()).then_some(rows.len());
    if heading.is_some() {
        rows.push(Row::new(Vec::<Cell>::new()));
        rows.extend(report.gold.iter().map(row));
    }
    let selected_row = state.selected.and_then(|i| {
        (i < report.pairs.len() + report.gold.len())
            .then(|| if i < report.pairs.len() { i } else { i + 1 })
    });
    let title = match state.selected {
        Some(i) if i < report.pairs.len() => {
            format!(" pairs {}/{} ", i + 1, report.pairs.len())
        }
        _ => " pairs ".to_string(),
    };
    let widths = [
        Constraint::Length(name_w as u16),
        Constraint::Length(name_w as u16),
        Constraint::Length(docs_w as u16),
        Constraint::Length(5),
        Constraint::Length(6),
    ];
    let header = Row::new(["a", "b", "docs", "   F1", " kappa"]).style(BOLD);
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .block(Block::default().borders(Borders::ALL).title(title));
    let mut table_state = TableState::default().with_selected(selected_row);
    let area = Rect {
        height: area.height.min(3 + table_rows(report) as u16),
        ..area
    };
    StatefulWidget::render(table, area, buf, &mut table_state);
    // Rows are one line each: the heading's row is its index past the scroll.
    if let Some(h) = heading.and_then(|h| h.checked_sub(table_state.offset())) {
        let y = area.y + 2 + h as u16;
        if y + 1 < area.bottom() {
            let w = area.width.saturating_sub(2) as usize;
            buf.set_stringn(area.x + 1, y, "against gold", w, DIM);
        }
    }
}

/// Shows the agreement screen until `q` or Esc, with the terminal profile the viewer
/// would pick without a flag or a settings file (the analyst's pick, else detected),
/// shaping by raqim and the default keymap. A command with the viewer's settings and keymap at hand uses
/// [`show_with`].
pub fn show(report: &Report) -> anyhow::Result<()> {
    let picked = super::picked_profile().map_err(anyhow::Error::msg)?;
    let profile = Profile::choose(None, None, picked, |k| std::env::var(k).ok());
    let settings = ViewSettings {
        profile,
        ..ViewSettings::default()
    };
    show_with(report, &settings, &Keymap::default_keymap())
}

/// Shows the agreement screen until `q` or Esc (or SIGTERM, SIGHUP, SIGINT), drawn
/// with `settings`' shaping and profile, keys through `keymap`. The terminal is
/// restored on every way out (return, error, panic: [`super::terminal`]'s guard and
/// hook).
pub fn show_with(report: &Report, settings: &ViewSettings, keymap: &Keymap) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    let stop = Arc::new(AtomicUsize::new(0));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register_usize(sig, Arc::clone(&stop), sig as usize)
            .context("cannot install the signal handlers")?;
    }
    super::watch_terminal();
    let mut view = AgreementView::new(settings);
    let mut guard =
        super::terminal::enter(settings.profile).context("cannot set up the terminal")?;
    tracing::info!("agreement: the screen is taken");
    let mut dirty = true;
    while !view.closed() && stop.load(Ordering::Relaxed) == 0 {
        if dirty {
            guard.terminal.draw(|f| draw(f, f.area(), report, &view))?;
            dirty = false;
        }
        // Wake up now and then to notice a signal.
        if !event::poll(Duration::from_millis(200))? {
            continue;
        }
        match event::read()? {
            Event::Key(k) if k.kind != KeyEventKind::Release => {
                view.key(&k, keymap, report);
            }
            Event::Key(_) => continue,
            // A resize (or anything else): the next draw lays out again.
            _ => {}
        }
        dirty = true;
    }
    drop(guard);
    tracing::info!("agreement: the terminal is restored");
    Ok(())
}

#[cfg(test)]
mod tests;

impl super::App {
    /// The agreement screen's share of the viewer's keys: `K` opens it (the figures
    /// read from the database then), its own keys move in it, Esc or `q` closes it.
    /// True when the action was taken here.
    pub(super) fn agreement_action(&mut self, action: Action) -> bool {
        if let Some((report, view)) = self.agreement.as_mut() {
            if self.show_help {
                return false;
            }
            view.apply(action, report);
            if view.closed() {
                self.agreement = None;
            }
            // Nothing reaches the text under the screen.
            return true;
        }
        if action != Action::Agreement {
            return false;
        }
        let Some(db) = self.settings.team_db.clone() else {
            self.say("nothing is kept (--no-db): no team to compare");
            return true;
        };
        let opts = crate::agreement::Options::default();
        match crate::team::agreement::report(&db, &Default::default(), &opts) {
            Ok(report) => {
                if report.pairs.is_empty() {
                    self.say("no two annotators have marked the same document done yet");
                }
                self.agreement = Some((report, AgreementView::new(&self.settings)));
            }
            Err(e) => self.say(format!("agreement: {e:#}")),
        }
        true
    }
}
