//! Pane tests of what tells the analyst where the review stands: the span under the
//! cursor (drawn whole as the current one, named first in the status line after
//! every step), the title's progress and the status line on narrow screens, quoted
//! Arabic and the search caret laid out right to left, the help and the document list
//! wrapped instead of cut.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use super::tests_pane::{draw_app, row, terminal_shaping};
use super::*;
use crate::document::Document;
use crate::layout::{Direction, LayoutOptions, Shaping, layout_paragraph};

/// The engine suggests الجيش السوري (ORG), داعش (ORG) and دير الزور (LOC) here.
const NEWS: &str = "قال الجيش السوري إن داعش انسحب من دير الزور";

fn app(text: &str, settings: ViewSettings) -> App {
    let doc = Document::from_text("news.txt", text.to_string(), false, false);
    App::new(doc, settings)
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

/// `text` as the article shows it, right to left, unshaped: its cells left to right.
fn visual(text: &str) -> String {
    let opts = LayoutOptions {
        width: 0,
        direction: Direction::Rtl,
        shaping: Shaping::Terminal,
        show_controls: false,
    };
    layout_paragraph(text, &opts).lines[0].painted()
}

/// Columns of row `y` drawn as the current span: on the current span's grey.
fn lit(buf: &Buffer, y: u16) -> Vec<u16> {
    (0..buf.area.width)
        .filter(|&x| buf[(x, y)].bg == Color::DarkGray)
        .collect()
}

fn reversed(buf: &Buffer, y: u16) -> Vec<u16> {
    (0..buf.area.width)
        .filter(|&x| buf[(x, y)].modifier.contains(Modifier::REVERSED))
        .collect()
}

/// The symbols of columns `cols` of row `y`, left to right.
fn cells(buf: &Buffer, y: u16, cols: &[u16]) -> String {
    cols.iter().map(|&x| buf[(x, y)].symbol()).collect()
}

#[test]
fn after_enter_and_x_the_status_names_the_new_current_span_and_it_is_lit_whole() {
    let (w, h) = (60, 10);
    let mut a = app(NEWS, terminal_shaping());
    let buf = draw_app(&mut a, w, h);
    assert!(lit(&buf, 1).is_empty(), "no span under the cursor yet");
    a.apply(Action::NextPending);
    let buf = draw_app(&mut a, w, h);
    // All of الجيش السوري is lit, the cursor one reversed cell inside it.
    let on = lit(&buf, 1);
    assert_eq!(cells(&buf, 1, &on), visual("الجيش السوري"));
    let cursor = reversed(&buf, 1);
    assert_eq!(cursor.len(), 1);
    assert!(on.contains(&cursor[0]));
    // Still a suggestion: its label's colour and underline stay on every lit cell.
    assert!(on.iter().all(|&x| {
        let c = &buf[(x, 1)];
        c.fg == Color::LightCyan && c.modifier.contains(Modifier::UNDERLINED)
    }));
    assert!(
        row(&buf, h - 1).starts_with(" ORG suggested "),
        "{}",
        row(&buf, h - 1)
    );

    a.apply(Action::Accept);
    let buf = draw_app(&mut a, w, h);
    let status = row(&buf, h - 1);
    // The span now current first, then what became of the last one.
    assert!(status.starts_with(" ORG suggested "), "{status}");
    let said = format!("accepted «{}» as ORG", visual("الجيش السوري"));
    assert!(status.contains(&said), "{status}");
    assert!(status.find("ORG suggested") < status.find("accepted"));
    assert_eq!(cells(&buf, 1, &lit(&buf, 1)), visual("داعش"));

    a.apply(Action::Reject);
    let buf = draw_app(&mut a, w, h);
    let status = row(&buf, h - 1);
    assert!(status.starts_with(" LOC suggested "), "{status}");
    assert!(
        status.contains(&format!("rejected «{}» as ORG", visual("داعش"))),
        "{status}"
    );
    assert_eq!(cells(&buf, 1, &lit(&buf, 1)), visual("دير الزور"));
}

#[test]
fn an_accepted_current_span_keeps_its_fill_and_is_underlined_whole() {
    let mut a = app(NEWS, terminal_shaping());
    a.put_cursor(0, NEWS.find("داعش").unwrap());
    a.apply(Action::Accept);
    a.apply(Action::PrevSpan);
    let buf = draw_app(&mut a, 60, 10);
    let fill: Vec<u16> = (0..60)
        .filter(|&x| buf[(x, 1)].bg == Color::LightCyan)
        .collect();
    assert_eq!(cells(&buf, 1, &fill), visual("داعش"));
    assert!(
        fill.iter()
            .all(|&x| buf[(x, 1)].modifier.contains(Modifier::UNDERLINED))
    );
    assert!(
        row(&buf, 9).starts_with(" ORG accepted "),
        "{}",
        row(&buf, 9)
    );
    // Off it, the fill is plain again.
    a.apply(Action::DocumentStart);
    let buf = draw_app(&mut a, 60, 10);
    let x = fill[0];
    assert_eq!(buf[(x, 1)].bg, Color::LightCyan);
    assert!(!buf[(x, 1)].modifier.contains(Modifier::UNDERLINED));
}

#[test]
fn quoted_arabic_with_a_number_reads_in_the_status_line_as_in_the_article() {
    // The engine takes "3 كلم" as a quantity.
    let text = "التلفزيون السوري يقول إن 3 كلم تفصل الجيش";
    let mut a = app(text, terminal_shaping());
    a.put_cursor(0, text.find('3').unwrap());
    let buf = draw_app(&mut a, 80, 8);
    let span = lit(&buf, 1);
    let shown = cells(&buf, 1, &span);
    assert_eq!(shown, "ملك 3", "as the article shows it");
    let status = row(&buf, 7);
    assert!(status.starts_with(" QTY suggested"), "{status}");
    assert!(status.contains("«ملك 3»"), "{status}");
    assert!(!status.contains("«3 ملك»"), "left to right: {status}");
    // The same through the message of a step.
    a.apply(Action::Accept);
    let status = row(&draw_app(&mut a, 80, 8), 7);
    assert!(status.contains("accepted «ملك 3» as QTY"), "{status}");
}

#[test]
fn the_search_caret_ends_arabic_input_on_its_left_and_latin_on_its_right() {
    let mut a = app(NEWS, terminal_shaping());
    a.apply(Action::Search);
    typed(&mut a, "دير");
    let status = row(&draw_app(&mut a, 60, 10), 9);
    assert!(status.starts_with(" /▏ريد  (Enter"), "{status}");
    a.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    a.apply(Action::Search);
    typed(&mut a, "NATO");
    let status = row(&draw_app(&mut a, 60, 10), 9);
    assert!(status.starts_with(" /NATO▏  (Enter"), "{status}");
}

#[test]
fn from_40_columns_up_the_title_keeps_the_count_to_review_and_the_status_the_label() {
    for w in 40..=120u16 {
        let mut a = app(NEWS, terminal_shaping());
        a.apply(Action::NextPending);
        let buf = draw_app(&mut a, w, 12);
        let title = row(&buf, 0);
        assert!(title.contains(" 3 to review"), "{w}: {title}");
        assert!(title.contains("news.txt") || w < 60, "{w}: {title}");
        let status = row(&buf, 11);
        assert!(status.starts_with(" ORG suggested"), "{w}: {status}");
    }
    let mut a = app(NEWS, terminal_shaping());
    let title = row(&draw_app(&mut a, 40, 12), 0);
    assert_eq!(title, " news.txt    3 to review · 0✓ · 0✗ · 0% ");
    let title = row(&draw_app(&mut a, 80, 12), 0);
    assert!(
        title.ends_with(" 3 to review · 0 accepted · 0 rejected · 0% reviewed "),
        "{title}"
    );
}

#[test]
fn the_document_list_wraps_so_every_name_and_its_progress_show_at_40_columns() {
    let mut a = app(NEWS, terminal_shaping());
    let names: Vec<String> = ["aden-power.txt", "basra-port.txt", "hama-water.txt"]
        .map(String::from)
        .to_vec();
    let summaries = vec![
        "3 accepted · 1 rejected · done".to_string(),
        String::new(),
        "12 accepted · 0 rejected".to_string(),
    ];
    a.set_documents(names.clone(), summaries, 1);
    a.apply(Action::DocumentList);
    let buf = draw_app(&mut a, 40, 12);
    let screen: String = (0..12).map(|y| row(&buf, y) + "\n").collect();
    for n in &names {
        assert!(screen.contains(n.as_str()), "{n}: {screen}");
    }
    for piece in [
        "3 accepted · 1 rejected",
        "done",
        "3 to review",
        "12 accepted",
    ] {
        assert!(screen.contains(piece), "{piece}: {screen}");
    }
    // The open document's rows (its name, its progress below) are reversed whole.
    let y = (0..12).find(|&y| row(&buf, y).contains("basra")).unwrap();
    assert!(buf[(5, y)].modifier.contains(Modifier::REVERSED));
    assert!(buf[(5, y + 1)].modifier.contains(Modifier::REVERSED));
    assert!(row(&buf, y + 1).contains("to review"), "{screen}");
}

#[test]
fn the_help_wraps_so_every_word_of_every_description_shows_at_40_columns() {
    let mut a = app(NEWS, terminal_shaping());
    a.apply(Action::ToggleHelp);
    let mut all = String::new();
    for _ in 0..60 {
        let buf = draw_app(&mut a, 40, 12);
        all.extend((1..11).map(|y| row(&buf, y) + "\n"));
        a.apply(Action::PageDown);
    }
    let words: String = all.replace(['│', '\n'], " ");
    let words: Vec<&str> = words.split_whitespace().collect();
    let descriptions = a
        .keymap()
        .bindings()
        .into_iter()
        .map(|(act, _)| act.description().to_string())
        .chain(a.labels().labels().iter().map(|l| l.description.clone()));
    for d in descriptions {
        for word in d.split_whitespace().filter(|w| w.is_ascii()) {
            assert!(words.contains(&word), "{word:?} of {d:?}:\n{all}");
        }
    }
}

#[test]
fn for_kitty_the_status_lines_arabic_goes_out_like_the_articles() {
    use crate::profile::Profile;
    let settings = ViewSettings {
        shaping: Shaping::Terminal,
        profile: Profile::Kitty,
        ..Default::default()
    };
    let mut a = app(NEWS, settings);
    a.put_cursor(0, NEWS.find("داعش").unwrap());
    let status = row(&draw_app(&mut a, 60, 10), 9);
    // Each Arabic word in logical order (kitty reverses it back), quotes unmirrored.
    assert!(status.contains("«داعش»"), "{status}");
}

#[test]
fn a_control_character_in_a_message_never_reaches_the_terminal() {
    let mut a = app(NEWS, terminal_shaping());
    a.say("refused: \u{1b}[31mred «\u{202e}داعش»");
    let status = row(&draw_app(&mut a, 80, 10), 9);
    assert!(
        !status.contains('\u{1b}') && !status.contains('\u{202e}'),
        "{status}"
    );
    assert!(status.contains("refused: "), "{status}");
}

#[test]
fn arabic_said_by_one_part_of_the_status_line_leaves_the_next_part_as_it_is() {
    let text = "قال 3 كلم\n\nانسحب من دير الزور";
    let mut a = app(text, terminal_shaping());
    a.apply(Action::Search);
    typed(&mut a, "دير");
    a.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(a.message(), Some("/دير"));
    let status = row(&draw_app(&mut a, 80, 8), 7);
    // The query's message, then the position whole: its numbers are not drawn
    // into the Arabic before them.
    assert!(status.contains("  /ريد  ¶2/2 ln 1/1 col "), "{status}");
}

#[test]
fn d_asks_its_question_first_even_with_the_cursor_on_a_span_at_40_columns() {
    let mut a = app(NEWS, terminal_shaping());
    a.put_cursor(0, NEWS.find("داعش").unwrap());
    a.apply(Action::ToggleDone);
    let status = row(&draw_app(&mut a, 40, 12), 11);
    assert!(status.starts_with(" mark done? "), "{status}");
    assert!(status.contains("(y/n)"), "{status}");
    // Answered, the span under the cursor is named first again.
    a.key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
    let status = row(&draw_app(&mut a, 40, 12), 11);
    assert!(status.starts_with(" ORG suggested "), "{status}");
    assert!(status.contains("  not marked done"), "{status}");
}
