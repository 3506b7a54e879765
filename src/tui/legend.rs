//! How spans look and the legend row that says so: each label in its colour with its
//! key, and what pending and accepted spans look like.
//!
//! Owns: label colour -> terminal colour, span state -> cell style, the legend row.
//! Must not: decide which cells a span covers (`view.rs` intersects each cell's
//! logical range with the spans) or change any state.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

use crate::suggest::labels::{Colour, LabelSet};

use crate::annotation::State;

/// Below this many rows the legend row is dropped first, to leave room for text.
pub const LEGEND_MIN_HEIGHT: u16 = 6;

/// The text on an accepted (filled) span: dark, to read on any label colour.
const FILLED_FG: Color = Color::Black;

/// A label colour as a terminal colour.
pub fn terminal_colour(c: &Colour) -> Color {
    match c {
        Colour::Rgb(r, g, b) => Color::Rgb(*r, *g, *b),
        Colour::Named(name) => match name.as_str() {
            "black" => Color::Black,
            "red" => Color::Red,
            "green" => Color::Green,
            "yellow" => Color::Yellow,
            "blue" => Color::Blue,
            "magenta" => Color::Magenta,
            "cyan" => Color::Cyan,
            "gray" => Color::Gray,
            "darkgray" => Color::DarkGray,
            "lightred" => Color::LightRed,
            "lightgreen" => Color::LightGreen,
            "lightyellow" => Color::LightYellow,
            "lightblue" => Color::LightBlue,
            "lightmagenta" => Color::LightMagenta,
            "lightcyan" => Color::LightCyan,
            "white" => Color::White,
            // The label file accepts only the names above.
            _ => Color::Reset,
        },
    }
}

/// The style of a span's cells: pending is the label colour, underlined (a
/// suggestion, not yet a decision); accepted is filled with the label colour.
pub fn span_style(colour: Color, state: State) -> Style {
    match state {
        State::Pending | State::Rejected => {
            Style::new().fg(colour).add_modifier(Modifier::UNDERLINED)
        }
        State::Accepted => Style::new().bg(colour).fg(FILLED_FG),
    }
}

/// Behind the text of the current suggestion (the one under the cursor).
const CURRENT_BG: Color = Color::DarkGray;

/// The style of the span under the cursor, on all its cells, so that the analyst sees
/// which span the next key acts on: a suggestion keeps its colour and underline on a
/// grey ground (grey on a grey label's); an accepted span keeps its fill, underlined.
/// Neither is reversed (the cursor cell is: it stays the one reversed cell) nor bold
/// (kitty shapes a bold cell apart from its word, see `view::logical_words`).
pub fn current_span_style(colour: Color, state: State) -> Style {
    let style = span_style(colour, state);
    match state {
        State::Pending | State::Rejected => {
            let ground = if colour == CURRENT_BG {
                Color::Gray
            } else {
                CURRENT_BG
            };
            style.bg(ground)
        }
        State::Accepted => style.add_modifier(Modifier::UNDERLINED),
    }
}

/// `1 PER  2 ORG ...`: one (text, style) piece per label, key then name in its colour.
fn label_pieces(labels: &LabelSet) -> Vec<(String, Style)> {
    let mut out = Vec::new();
    for (i, l) in labels.labels().iter().enumerate() {
        let sep = if i == 0 { "" } else { "  " };
        out.push((format!("{sep}{} ", l.key), Style::new()));
        let colour = terminal_colour(&l.colour);
        out.push((l.name.clone(), Style::new().fg(colour)));
    }
    out
}

/// What the two states look like, longest form first; the widest that fits is shown.
/// In an adjudication view (`adjudicating`) an underline is an open disagreement
/// and a fill a gold span.
fn state_forms(adjudicating: bool) -> [Vec<(&'static str, Style)>; 2] {
    let sample = Color::Gray;
    let pending = span_style(sample, State::Pending).fg(Color::Reset);
    let accepted = span_style(sample, State::Accepted);
    let (under, fill) = if adjudicating {
        (("=disagreement ", "disagreement"), ("=gold", "gold"))
    } else {
        (("=suggested ", "suggested"), ("=accepted", "accepted"))
    };
    [
        vec![
            ("underline", pending),
            (under.0, Style::new()),
            ("fill", accepted),
            (fill.0, Style::new()),
        ],
        vec![(under.1, pending), (" ", Style::new()), (fill.1, accepted)],
    ]
}

fn width_of<S: AsRef<str>>(pieces: &[(S, Style)]) -> usize {
    pieces.iter().map(|(t, _)| t.as_ref().chars().count()).sum()
}

/// Draws pieces from `x`, cut at `end`; returns where the next one would go.
fn put<S: AsRef<str>>(
    buf: &mut Buffer,
    mut x: u16,
    y: u16,
    end: u16,
    pieces: &[(S, Style)],
) -> u16 {
    for (text, style) in pieces {
        if x >= end {
            break;
        }
        (x, _) = buf.set_stringn(x, y, text.as_ref(), (end - x) as usize, *style);
    }
    x
}

/// The legend row: labels from the left (cut at the right edge when too narrow), and
/// the state key at the right when it fits after them.
pub fn legend_row(area: Rect, buf: &mut Buffer, labels: &LabelSet, adjudicating: bool) {
    if area.is_empty() {
        return;
    }
    buf.set_style(area, Style::reset());
    let end = area.right();
    let start = area.x + u16::from(area.width > 1);
    let after = put(buf, start, area.y, end, &label_pieces(labels));
    let room = end.saturating_sub(after) as usize;
    for form in state_forms(adjudicating) {
        let w = width_of(&form);
        // Two columns apart from the labels, one from the right edge.
        if w + 3 <= room {
            let x = end - 1 - w as u16;
            put(buf, x, area.y, end, &form);
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_file_colour_has_a_terminal_colour() {
        for &name in crate::suggest::labels::COLOUR_NAMES {
            let c = terminal_colour(&Colour::Named(name.into()));
            assert_ne!(c, Color::Reset, "{name}");
            assert_eq!(Ok(c), name.parse::<Color>(), "{name}");
        }
        assert_eq!(terminal_colour(&Colour::Rgb(1, 2, 3)), Color::Rgb(1, 2, 3));
    }
}
