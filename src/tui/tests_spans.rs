//! Pane tests of entity highlights: what a user sees of suggested and accepted spans,
//! the legend row and the status line, rendered into a ratatui `Buffer`.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use super::tests_pane::{draw_app, row, terminal_shaping as plain};
use super::*;
use crate::document::Document;

/// The engine suggests الجيش السوري (ORG), داعش (ORG) and دير الزور (LOC) here.
const NEWS: &str = "قال الجيش السوري إن داعش انسحب من دير الزور";

fn app(text: &str, settings: ViewSettings) -> App {
    let doc = Document::from_text("news.txt", text.to_string(), false, false);
    App::new(doc, settings)
}

fn underlined(buf: &Buffer, x: u16, y: u16) -> bool {
    buf[(x, y)].modifier.contains(Modifier::UNDERLINED)
}

/// Runs of adjacent cells of row `y` drawn in the same way (`key` gives `Some`), read
/// right to left as an RTL reader does, with that key.
fn runs<K: PartialEq + Copy>(
    buf: &Buffer,
    y: u16,
    key: impl Fn(u16) -> Option<K>,
) -> Vec<(String, K)> {
    let mut out: Vec<(String, K)> = Vec::new();
    let mut prev: Option<K> = None;
    for x in (0..buf.area.width).rev() {
        let k = key(x);
        if let Some(k) = k {
            let glyph = buf[(x, y)].symbol();
            match out.last_mut() {
                Some((text, last)) if prev == Some(*last) => text.push_str(glyph),
                _ => out.push((glyph.to_string(), k)),
            }
        }
        prev = k;
    }
    out
}

/// Underlined runs of row `y`, right to left, with their foreground colour.
pub(super) fn underlined_runs(buf: &Buffer, y: u16) -> Vec<(String, Color)> {
    runs(buf, y, |x| underlined(buf, x, y).then(|| buf[(x, y)].fg))
}

/// Runs of row `y` filled with a background colour, right to left.
pub(super) fn filled_runs(buf: &Buffer, y: u16) -> Vec<(String, Color)> {
    runs(buf, y, |x| {
        let bg = buf[(x, y)].bg;
        (bg != Color::Reset).then_some(bg)
    })
}

fn owned(runs: &[(&str, Color)]) -> Vec<(String, Color)> {
    runs.iter().map(|(t, c)| (t.to_string(), *c)).collect()
}

#[test]
fn suggestions_are_underlined_in_their_label_colour_and_nothing_else_is() {
    let mut app = app(NEWS, plain());
    let buf = draw_app(&mut app, 60, 10);
    let org = Color::LightCyan;
    let loc = Color::LightGreen;
    assert_eq!(
        underlined_runs(&buf, 1),
        owned(&[("الجيش السوري", org), ("داعش", org), ("دير الزور", loc)])
    );
    // The words around them keep the default colour.
    let qaf = (0..60).find(|&x| buf[(x, 1)].symbol() == "ق").unwrap();
    assert_eq!(buf[(qaf, 1)].fg, Color::Reset);
    let coloured = (0..60).filter(|&x| buf[(x, 1)].fg != Color::Reset).count();
    assert_eq!(coloured, "الجيش السوريداعشدير الزور".chars().count());
    assert!(filled_runs(&buf, 1).is_empty());
}

#[test]
fn an_accepted_span_is_filled_and_the_others_stay_underlined() {
    let mut app = app(NEWS, plain());
    app.put_cursor(0, NEWS.find("داعش").unwrap());
    app.apply(Action::Accept);
    assert_eq!(app.message(), Some("accepted «داعش» as ORG"));
    let buf = draw_app(&mut app, 60, 10);
    // The next suggestion, now under the cursor, lies on the current span's grey.
    assert_eq!(
        filled_runs(&buf, 1),
        owned(&[("داعش", Color::LightCyan), ("دير الزور", Color::DarkGray)])
    );
    let x = (0..60).find(|&x| buf[(x, 1)].symbol() == "ع").unwrap();
    assert_eq!(buf[(x, 1)].fg, Color::Black, "dark text on the fill");
    assert!(!underlined(&buf, x, 1));
    let names: Vec<String> = underlined_runs(&buf, 1).into_iter().map(|r| r.0).collect();
    assert_eq!(names, ["الجيش السوري", "دير الزور"]);
}

#[test]
fn a_span_wrapped_over_two_lines_is_styled_on_both() {
    // 14 columns (no margins below 21): "قال الجيش" then "السوري إن داعش". The
    // space at the break belongs to the span: its underline runs to the line's end.
    let mut app = app(NEWS, plain());
    let buf = draw_app(&mut app, 14, 10);
    assert_eq!(
        underlined_runs(&buf, 1),
        owned(&[("الجيش ", Color::LightCyan)])
    );
    let second = underlined_runs(&buf, 2);
    assert_eq!(second[0], ("السوري".to_string(), Color::LightCyan));
}

#[test]
fn a_span_split_by_a_direction_change_is_styled_in_each_piece_only() {
    // Visually "ABC DEF لاق": the span قال ABC is at both ends, DEF between is not.
    let text = "قال ABC DEF";
    let mut app = app(text, plain());
    let end = text.find(" DEF").unwrap();
    select(&mut app, 0, end);
    app.label_key(app.labels().index("PER").unwrap());
    let buf = draw_app(&mut app, 30, 8);
    let r = row(&buf, 1);
    let at = |s: &str| r.find(s).map(|b| r[..b].chars().count() as u16).unwrap();
    let (abc, def) = (at("ABC"), at("DEF"));
    let pieces: Vec<(String, Color)> = filled_runs(&buf, 1);
    let magenta = Color::LightMagenta;
    assert_eq!(pieces, owned(&[("قال ", magenta), ("CBA", magenta)]));
    let filled = |x: u16| buf[(x, 1)].bg == magenta;
    assert!((abc..abc + 3).all(filled));
    assert!((def..def + 3).all(|x| !filled(x)));
}

#[test]
fn the_cursor_stays_visible_on_a_span() {
    let mut app = app(NEWS, plain());
    app.apply(Action::NextWord); // onto الجيش
    let buf = draw_app(&mut app, 60, 10);
    let cursor: Vec<u16> = (0..60)
        .filter(|&x| buf[(x, 1)].modifier.contains(Modifier::REVERSED))
        .collect();
    assert_eq!(cursor.len(), 1);
    let cell = &buf[(cursor[0], 1)];
    assert_eq!(cell.symbol(), "ا");
    assert_eq!(cell.fg, Color::LightCyan);
}

#[test]
fn the_status_line_describes_the_span_under_the_cursor() {
    let expected = builtin_engine()
        .suggest(NEWS, None)
        .into_iter()
        .find(|s| &NEWS[s.start..s.end] == "داعش")
        .map(|s| format!("ORG suggested {} {:.2}", s.source, s.score))
        .unwrap();
    let mut app = app(NEWS, plain());
    let buf = draw_app(&mut app, 100, 10);
    assert!(!row(&buf, 9).contains("suggested"), "{}", row(&buf, 9));
    for _ in 0..4 {
        app.apply(Action::NextWord); // الجيش السوري إن داعش
    }
    let status = row(&draw_app(&mut app, 100, 10), 9);
    assert!(status.contains(&expected), "{status}");
    assert!(
        status.contains("«شعاد»"),
        "its text, as the article shows it: {status}"
    );
    // The span first, so a narrow screen keeps its label and leaves the position out.
    assert!(status.find("ORG").unwrap() < status.find('@').unwrap());
    let status = row(&draw_app(&mut app, 40, 10), 9);
    assert!(status.starts_with(" ORG suggested «شعاد»"), "{status}");
    assert!(!status.contains('@'), "{status}");
}

#[test]
fn the_legend_lists_every_label_in_its_colour_with_its_key() {
    let mut app = app(NEWS, plain());
    let buf = draw_app(&mut app, 80, 10);
    let legend = row(&buf, 8);
    assert!(
        legend.contains("1 PER  2 ORG  3 LOC  4 FAC  5 DATE  6 QTY"),
        "{legend}"
    );
    assert!(
        legend.contains("underline=suggested fill=accepted"),
        "{legend}"
    );
    for l in app.labels().labels() {
        let x = legend.find(&format!("{} {}", l.key, l.name)).unwrap() as u16 + 2;
        assert_eq!(buf[(x, 8)].fg, terminal_colour(&l.colour), "{}", l.name);
    }
    let x = legend.find("underline=").unwrap() as u16;
    assert!(underlined(&buf, x, 8));
    let x = legend.find("fill=").unwrap() as u16;
    assert_ne!(buf[(x, 8)].bg, Color::Reset);
}

#[test]
fn the_legend_is_cut_on_narrow_screens_and_dropped_on_low_ones() {
    let mut app = app(NEWS, plain());
    let buf = draw_app(&mut app, 22, 10);
    let legend = row(&buf, 8);
    assert!(legend.starts_with(" 1 PER  2 ORG  3 LOC"), "{legend}");
    assert!(!legend.contains("underline"));
    // Too low for a legend: the rows go to the text.
    let buf = draw_app(&mut app, 60, LEGEND_MIN_HEIGHT - 1);
    let all: String = (0..LEGEND_MIN_HEIGHT - 1).map(|y| row(&buf, y)).collect();
    assert!(!all.contains("1 PER"), "{all}");
    assert!(row(&buf, 1).contains("ق"));
    for (w, h) in [(1, 1), (8, 6), (9, 6), (10, 7), (21, 6), (3, 40)] {
        draw_app(&mut app, w, h);
    }
}

#[test]
fn suggestions_are_fetched_only_for_paragraphs_drawn() {
    let text = [NEWS; 500].join("\n\n");
    let mut app = app(&text, plain());
    assert_eq!(app.cached_spans(), 0, "nothing before the first frame");
    let buf = draw_app(&mut app, 60, 12);
    assert!(app.cached_spans() <= 10, "{}", app.cached_spans());
    assert!(!underlined_runs(&buf, 1).is_empty());
    app.apply(Action::DocumentEnd);
    let buf = draw_app(&mut app, 60, 12);
    assert!(app.cached_spans() <= 20, "{}", app.cached_spans());
    // Document offsets: the last paragraph's spans lie in the last paragraph.
    let last = app.document().paragraphs.len() - 1;
    let range = app.document().paragraphs[last].range.clone();
    let spans = app.spans_in(last);
    assert!(
        spans
            .iter()
            .all(|s| range.contains(&s.start) && s.end <= range.end)
    );
    assert_eq!(&text[spans[0].range()], "الجيش السوري");
    assert!(!underlined_runs(&buf, 9).is_empty(), "{}", row(&buf, 9));
}

#[test]
fn without_suggestions_nothing_is_highlighted_but_made_spans_show() {
    let settings = ViewSettings {
        suggest: false,
        ..plain()
    };
    let mut app = app(NEWS, settings);
    let buf = draw_app(&mut app, 60, 10);
    assert!(underlined_runs(&buf, 1).is_empty());
    assert!(row(&buf, 8).contains("1 PER"), "the legend stays");
    let d = NEWS.find("دير").unwrap();
    select(&mut app, d, NEWS.len());
    app.label_key(2);
    let buf = draw_app(&mut app, 60, 10);
    assert_eq!(
        filled_runs(&buf, 1),
        owned(&[("دير الزور", Color::LightGreen)])
    );
    // A span over it is refused, and says what is in the way.
    select(&mut app, d + "دير ".len(), NEWS.len());
    app.label_key(1);
    assert_eq!(
        app.message(),
        Some("refused: it would overlap the LOC span \"دير الزور\"")
    );
    assert_eq!(app.review().ann.counts(), (0, 1, 0));
}

/// Selects document bytes `a..b` of paragraph 0 as a user would: v at `a`, then the
/// cursor on the last character.
fn select(app: &mut App, a: usize, b: usize) {
    app.put_cursor(0, a);
    app.apply(Action::Select);
    let last = last_char_start(&app.document().text, b);
    app.put_cursor(0, last);
}

fn last_char_start(text: &str, b: usize) -> usize {
    text[..b].char_indices().next_back().map_or(0, |(i, _)| i)
}

#[test]
fn a_character_step_at_a_number_keeps_the_highlight_in_one_piece() {
    // On screen "137 اللواء": the number reads left to right at the span's left edge.
    let text = "وصل الجيش إلى محيط اللواء 137 المحاصر";
    let mut app = app(text, plain());
    let runs_after = |app: &mut App, action: Action| {
        app.put_cursor(0, text.find("اللواء").unwrap());
        app.apply(action);
        app.put_cursor(0, 0);
        let buf = draw_app(app, 50, 8);
        underlined_runs(&buf, 1)
            .into_iter()
            .filter(|(_, c)| *c != Color::LightCyan) // الجيش, ORG
            .collect::<Vec<_>>()
    };
    // Not "13", then a bare 7, then the rest: the number leaves whole.
    let runs = runs_after(&mut app, Action::ShrinkLeftChar);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(!runs[0].0.contains('1'), "{runs:?}");
    // Shrinking took the bared space too; widening gives it back, then the number.
    let runs = runs_after(&mut app, Action::WidenLeftChar);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].0, "اللواء ", "{runs:?}");
    let runs = runs_after(&mut app, Action::WidenLeftChar);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].0, "اللواء 731", "{runs:?}");
}
