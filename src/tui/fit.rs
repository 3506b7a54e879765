//! Fitting short texts into a row of the screen: the status line's parts by
//! priority, the title's progress in its longest form that fits, a text cut with `…`
//! or wrapped at spaces, and painting a row whose quoted article text reads right to
//! left inside a left-to-right bar.
//!
//! Owns: how much of a bar's text a width keeps. Widths and cells come from the layout
//! (`crate::layout`, the one bidi and width of the program): a text is measured as it
//! is painted, and painted through it, so shaping, mirroring and controls (shown as
//! pictures, never sent raw) are what the text pane does. Must not: decide what a bar
//! says (the view does) or change any state.

use ratatui::buffer::Buffer;
use ratatui::style::Style;
use unicode_segmentation::UnicodeSegmentation;

use crate::layout::{Direction, LayoutOptions, Shaping, layout_paragraph};

use super::view::paint_line;

/// Between two parts of the status line.
pub const SEP: &str = "  ";

fn opts(direction: Direction, shaping: Shaping) -> LayoutOptions {
    LayoutOptions {
        width: 0,
        direction,
        shaping,
        show_controls: false,
    }
}

/// Cells `text` takes on one row.
pub fn width(text: &str, shaping: Shaping) -> usize {
    segments(text)
        .iter()
        .map(|(t, d)| {
            layout_paragraph(t, &opts(*d, shaping))
                .lines
                .first()
                .map_or(0, |l| l.width)
        })
        .sum()
}

/// `text` cut in reading order (whole clusters) so that it takes at most `max`
/// cells, with `…` where it was cut: first its longest quote (down to a few letters,
/// so that `accepted «…» as ORG` keeps what was done), then its end.
pub fn cut(text: &str, max: usize, shaping: Shaping) -> String {
    const QUOTE_MIN: usize = 4;
    let have = width(text, shaping);
    if have <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let quote = quotes(text).into_iter().max_by_key(|r| r.len());
    if let Some(r) = quote {
        let inner = &text[r.clone()];
        let room = width(inner, shaping).saturating_sub(have - max + 1);
        let mut kept = String::new();
        for (n, g) in inner.graphemes(true).enumerate() {
            if n >= QUOTE_MIN && width(&format!("{kept}{g}"), shaping) > room {
                break;
            }
            kept.push_str(g);
        }
        let shorter = format!("{}{}…{}", &text[..r.start], kept.trim_end(), &text[r.end..]);
        if width(&shorter, shaping) < have {
            return cut(&shorter, max, shaping);
        }
    }
    tail_cut(text, max, shaping)
}

/// The byte ranges of the texts between `«` and `»` (the outer ones).
fn quotes(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '«' => {
                if depth == 0 {
                    start = i + c.len_utf8();
                }
                depth += 1;
            }
            '»' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(start..i);
                }
            }
            _ => {}
        }
    }
    out
}

/// `text` cut at its end to at most `max` cells, `…` where it was cut.
fn tail_cut(text: &str, max: usize, shaping: Shaping) -> String {
    let mut out = String::new();
    for g in text.graphemes(true) {
        let next = format!("{out}{g}…");
        if width(&next, shaping) > max {
            break;
        }
        out.push_str(g);
    }
    let mut out = out.trim_end().trim_end_matches('…').to_string();
    out.push('…');
    out
}

/// Splits a bar's text into runs to lay out each on its own: the text between `«`
/// and `»` (an article's words, in whatever script) right to left, as the article
/// shows it; the rest (the bar's own English) left to right, the quote marks with it.
pub fn segments(text: &str) -> Vec<(String, Direction)> {
    let mut out: Vec<(String, Direction)> = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    let push = |out: &mut Vec<(String, Direction)>, cur: &mut String, d| {
        if !cur.is_empty() {
            out.push((std::mem::take(cur), d));
        }
    };
    for c in text.chars() {
        match c {
            '«' if depth == 0 => {
                cur.push(c);
                push(&mut out, &mut cur, Direction::Ltr);
                depth = 1;
            }
            '«' => {
                depth += 1;
                cur.push(c);
            }
            '»' if depth == 1 => {
                push(&mut out, &mut cur, Direction::Rtl);
                cur.push(c);
                depth = 0;
            }
            '»' if depth > 1 => {
                depth -= 1;
                cur.push(c);
            }
            _ => cur.push(c),
        }
    }
    let d = if depth > 0 {
        Direction::Rtl
    } else {
        Direction::Ltr
    };
    push(&mut out, &mut cur, d);
    out
}

/// Paints runs one after the other from `x` on row `y`, each laid out on its own in
/// its direction, at most `max` cells; returns the column after the last cell.
pub fn paint_runs(
    buf: &mut Buffer,
    (x, y): (u16, u16),
    max: u16,
    runs: &[(String, Direction)],
    shaping: Shaping,
    style: Style,
) -> u16 {
    let end = x.saturating_add(max);
    let mut x = x;
    for (text, d) in runs {
        let lay = layout_paragraph(text, &opts(*d, shaping));
        let Some(line) = lay.lines.first() else {
            continue;
        };
        if x >= end {
            break;
        }
        paint_line(buf, x, y, end - x, line, |_| style);
        x = x.saturating_add(line.width as u16).min(end);
    }
    x
}

/// Paints a bar's texts (see [`segments`]) one after the other, each laid out on its
/// own, from `x` on row `y`, at most `max` cells.
pub fn paint_bar_text(
    buf: &mut Buffer,
    (x, y): (u16, u16),
    max: u16,
    texts: &[String],
    shaping: Shaping,
    style: Style,
) -> u16 {
    let runs: Vec<(String, Direction)> = texts.iter().flat_map(|t| segments(t)).collect();
    paint_runs(buf, (x, y), max, &runs, shaping, style)
}

/// One part of the status line: its text and rank (0 is kept longest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    pub rank: u8,
    /// Joined to the part before it by one space, as words of one phrase, instead of
    /// [`SEP`].
    pub glued: bool,
}

impl Part {
    pub fn new(text: String, rank: u8) -> Part {
        Part {
            text,
            rank,
            glued: false,
        }
    }

    pub fn glued(mut self) -> Part {
        self.glued = true;
        self
    }
}

/// The parts kept (their index and text) in their order, each after what joins it
/// to the one before.
fn pieces(parts: &[Part], kept: &[(usize, String)]) -> Vec<String> {
    let mut kept = kept.to_vec();
    kept.sort_by_key(|(i, _)| *i);
    let mut out = Vec::new();
    for (n, (i, t)) in kept.iter().enumerate() {
        let glue = match n {
            0 => "",
            _ if parts[*i].glued => " ",
            _ => SEP,
        };
        out.push(format!("{glue}{t}"));
    }
    out
}

fn join(parts: &[Part], kept: &[(usize, String)]) -> String {
    pieces(parts, kept).concat()
}

/// Parts of this rank or lower are cut to fit rather than left out.
const CUT_RANK: u8 = 2;

/// The status line from its parts, in the order they are said: when they do not all
/// fit in `max` cells, the parts of the lowest rank go in first; one that does not fit
/// whole is left out, or, when it is ranked up to [`CUT_RANK`] and would end the line,
/// cut (and then nothing more goes in).
pub fn fit_parts(parts: &[Part], max: usize, shaping: Shaping) -> String {
    fit_pieces(parts, max, shaping).concat()
}

/// [`fit_parts`] part by part (each after what joins it to the one before), to be
/// laid out each on its own: Arabic at the end of one part must not pull the next
/// part's numbers into its run.
pub fn fit_pieces(parts: &[Part], max: usize, shaping: Shaping) -> Vec<String> {
    let mut order: Vec<usize> = (0..parts.len())
        .filter(|&i| !parts[i].text.is_empty())
        .collect();
    order.sort_by_key(|&i| (parts[i].rank, i));
    let mut kept: Vec<(usize, String)> = Vec::new();
    for i in order {
        kept.push((i, parts[i].text.clone()));
        if width(&join(parts, &kept), shaping) <= max {
            continue;
        }
        kept.pop();
        let last = kept.iter().all(|(k, _)| *k < i);
        if parts[i].rank > CUT_RANK || !last {
            continue;
        }
        // A piece of it, when there is room for a few cells.
        let without = width(&join(parts, &kept), shaping);
        let gap = if kept.is_empty() { 0 } else { SEP.len() };
        let room = max.saturating_sub(without + gap);
        if room >= 6 || kept.is_empty() {
            kept.push((i, cut(&parts[i].text, room, shaping)));
            if width(&join(parts, &kept), shaping) > max {
                kept.pop();
            }
        }
        break;
    }
    pieces(parts, &kept)
}

/// Which of the progress's forms (longest first, `widths` in cells, the first two
/// saying the same in words and in signs) the title shows in `width` cells, when the
/// rest of the title takes `head` cells, the document's name `name` of them: the
/// first when the name then shows whole, else the longest of the others that leaves
/// the name a few cells; `None` when none does.
pub fn progress_form(width: usize, head: usize, name: usize, widths: &[usize]) -> Option<usize> {
    const NAME_MIN: usize = 10;
    let fits = |w: usize, name_cells: usize| head - name + name_cells + w + 2 <= width;
    if widths.first().is_some_and(|&w| fits(w, name)) {
        return Some(0);
    }
    let keep = name.min(NAME_MIN);
    (1..widths.len()).find(|&i| fits(widths[i], keep))
}

/// `text` broken at spaces into lines of at most `max` cells (a word longer than a
/// line is cut into pieces).
pub fn wrap(text: &str, max: usize, shaping: Shaping) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate, shaping) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word wider than the line: in pieces.
        let mut rest = word.to_string();
        while width(&rest, shaping) > max {
            let mut piece = String::new();
            for g in rest.graphemes(true) {
                if !piece.is_empty() && width(&format!("{piece}{g}"), shaping) > max {
                    break;
                }
                piece.push_str(g);
            }
            rest = rest[piece.len()..].to_string();
            lines.push(piece);
        }
        line = rest;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Shaping = Shaping::Terminal;

    #[test]
    fn quoted_text_is_a_run_of_its_own_right_to_left() {
        assert_eq!(
            segments("accepted «3 كلم» as QTY"),
            vec![
                ("accepted «".to_string(), Direction::Ltr),
                ("3 كلم".to_string(), Direction::Rtl),
                ("» as QTY".to_string(), Direction::Ltr),
            ]
        );
        // Quote marks inside the quoted text stay in it; a quote cut short still
        // reads right to left.
        assert_eq!(
            segments("«قال «لا» أمس»"),
            vec![
                ("«".to_string(), Direction::Ltr),
                ("قال «لا» أمس".to_string(), Direction::Rtl),
                ("»".to_string(), Direction::Ltr),
            ]
        );
        assert_eq!(segments("a «ب…")[1], ("ب…".to_string(), Direction::Rtl));
    }

    #[test]
    fn parts_are_left_out_lowest_rank_first_and_the_first_that_does_not_fit_is_cut() {
        let parts = [
            Part::new("ORG suggested".to_string(), 0),
            Part::new("gazetteer:curated 0.90".to_string(), 4).glued(),
            Part::new("«داعش»".to_string(), 3).glued(),
            Part::new("accepted «دير الزور» as LOC".to_string(), 1),
            Part::new("¶1/8 ln 1/3 col 38 @0".to_string(), 5),
        ];
        let all = fit_parts(&parts, 200, S);
        assert_eq!(
            all,
            "ORG suggested gazetteer:curated 0.90 «داعش»  accepted «دير الزور» as LOC  ¶1/8 ln 1/3 col 38 @0"
        );
        assert_eq!(
            fit_parts(&parts, 50, S),
            "ORG suggested «داعش»  accepted «دير الزور» as LOC"
        );
        // The message before the span's text, cut at the end of the line; the
        // position left out, not cut.
        assert_eq!(
            fit_parts(&parts, 44, S),
            "ORG suggested  accepted «دير الزور» as LOC"
        );
        // A quote is cut first, so that what was done stays whole.
        assert_eq!(
            fit_parts(&parts, 40, S),
            "ORG suggested  accepted «دير ال…» as LOC"
        );
        assert_eq!(fit_parts(&parts, 30, S), "ORG suggested  accepted «دير…");
        assert_eq!(fit_parts(&parts, 8, S), "ORG sug…");
        for w in 1..120 {
            assert!(width(&fit_parts(&parts, w, S), S) <= w, "{w}");
        }
    }

    #[test]
    fn the_longest_progress_that_leaves_some_of_the_name() {
        let widths = [52, 27, 17, 12];
        // " deir-ez-zor.txt" is 16 cells, the name 15 of them.
        assert_eq!(progress_form(80, 16, 15, &widths), Some(0));
        assert_eq!(progress_form(70, 16, 15, &widths), Some(0));
        // In signs rather than cut the name.
        assert_eq!(progress_form(69, 16, 15, &widths), Some(1));
        assert_eq!(progress_form(40, 16, 15, &widths), Some(1));
        assert_eq!(progress_form(39, 16, 15, &widths), Some(2));
        assert_eq!(progress_form(25, 16, 15, &widths), Some(3));
        assert_eq!(progress_form(24, 16, 15, &widths), None);
        // A short name is never cut for it.
        assert_eq!(progress_form(40, 5, 4, &widths), Some(1));
        assert_eq!(progress_form(36, 5, 4, &widths), Some(1));
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_cuts_a_word_longer_than_a_line() {
        assert_eq!(
            wrap("Move one character left on screen", 12, S),
            ["Move one", "character", "left on", "screen"]
        );
        assert_eq!(wrap("abcdefghij", 4, S), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4, S), [""]);
        assert_eq!(cut("deir-ez-zor.txt", 10, S), "deir-ez-z…");
        assert_eq!(cut("deir", 10, S), "deir");
    }
}
