//! Key-script tests: drive `App` with real key events, no terminal, and check where
//! the cursor lands and what is in view.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::document::Document;
use crate::layout::{Direction, Shaping};

fn app_with(text: &str, settings: ViewSettings, width: usize, height: usize) -> App {
    let doc = Document::from_text("t.txt", text.to_string(), false, false);
    let mut app = App::new(doc, settings);
    app.set_viewport(width, height);
    app
}

fn app(text: &str) -> App {
    app_with(text, ViewSettings::default(), 38, 10)
}

/// Presses keys given as keymap strings ("ctrl-f", "left", "G").
fn press(app: &mut App, keys: &[&str]) {
    for k in keys {
        let key = Key::parse(k).unwrap();
        let mut mods = key.mods;
        if let KeyCode::Char(c) = key.code
            && c.is_uppercase()
        {
            mods |= KeyModifiers::SHIFT; // as terminals report it
        }
        let action = app.handle_key(KeyEvent::new(key.code, mods));
        app.apply(action.unwrap_or_else(|| panic!("{k} is not bound")));
    }
}

/// Byte offset of the `n`th occurrence (0-based) of `needle` in `text`.
fn at(text: &str, needle: &str) -> usize {
    text.find(needle).unwrap()
}

#[test]
fn left_in_rtl_line_moves_forward_in_reading_order() {
    let text = "قال 3 كلم";
    let mut a = app(text);
    assert_eq!(a.cursor().offset, 0);
    press(&mut a, &["left"]);
    assert_eq!(
        a.cursor().offset,
        "ق".len(),
        "Left goes to the letter after ق"
    );
    press(&mut a, &["left", "left"]);
    assert_eq!(a.cursor().offset, at(text, " 3"), "then ا, then the space");
    press(&mut a, &["right", "right", "right"]);
    assert_eq!(a.cursor().offset, 0, "Right walks back to the first letter");
    press(&mut a, &["right"]);
    assert_eq!(
        a.cursor().offset,
        0,
        "nothing right of the first line's start"
    );
}

#[test]
fn left_at_the_left_edge_of_an_rtl_line_goes_on_to_the_next_line() {
    // Narrow enough to wrap into several lines.
    let text = "الجيش السوري تقدم باتجاه دير الزور";
    let mut a = app_with(text, ViewSettings::default(), 12, 10);
    let lay = a.layout(0);
    assert!(lay.lines.len() >= 2);
    let first_line_len = lay.lines[0].cells.iter().filter(|c| c.width > 0).count();
    for _ in 0..first_line_len {
        press(&mut a, &["left"]);
    }
    // Now on the second line, at its right edge: where its reading starts.
    let (line, _) = lay.locate(a.cursor().offset).unwrap();
    assert_eq!(line, 1);
    assert_eq!(a.cursor().offset, lay.lines[1].logical.start);
    press(&mut a, &["right"]);
    let (line, _) = lay.locate(a.cursor().offset).unwrap();
    assert_eq!(line, 0, "Right at the right edge goes back up");
}

#[test]
fn ctrl_f_steps_by_cluster_and_keeps_harakat_with_their_letter() {
    let text = "قالَ";
    let mut a = app(text);
    let mut stops = vec![a.cursor().offset];
    for _ in 0..5 {
        press(&mut a, &["ctrl-f"]);
        if stops.last() != Some(&a.cursor().offset) {
            stops.push(a.cursor().offset);
        }
    }
    assert_eq!(
        stops,
        vec![0, 2, 4],
        "ق ا لَ: three stops, the fatha is not one"
    );
    press(&mut a, &["ctrl-b", "ctrl-b"]);
    assert_eq!(a.cursor().offset, 0);
}

#[test]
fn ctrl_f_crosses_into_the_next_paragraph() {
    let mut a = app("أ\n\nب");
    press(&mut a, &["ctrl-f"]);
    assert_eq!((a.cursor().para, a.cursor().offset), (1, 0));
    assert_eq!(a.cursor_byte(), "أ\n\n".len());
    assert_eq!(a.cursor_char(), 3, "code point offset in the document");
}

#[test]
fn w_and_b_jump_between_word_starts_skipping_spaces_and_punctuation() {
    let text = "قال: 3 كلم، عن NATO";
    let mut a = app(text);
    press(&mut a, &["w"]);
    assert_eq!(a.cursor().offset, at(text, "3"));
    press(&mut a, &["w"]);
    assert_eq!(a.cursor().offset, at(text, "كلم"));
    press(&mut a, &["w", "w"]);
    assert_eq!(a.cursor().offset, at(text, "NATO"));
    press(&mut a, &["b"]);
    assert_eq!(a.cursor().offset, at(text, "عن"));
    press(&mut a, &["alt-f"]);
    assert_eq!(a.cursor().offset, at(text, "NATO"));
}

#[test]
fn down_and_up_keep_the_screen_column() {
    let text = "abcdefghi\n\nb\n\nABCDEFGHI";
    let mut a = app_with(
        text,
        ViewSettings {
            direction: Direction::Ltr,
            ..Default::default()
        },
        20,
        10,
    );
    press(&mut a, &["end"]);
    assert_eq!(a.cursor().offset, 8, "End: the last letter of the line");
    press(&mut a, &["down"]);
    assert_eq!(
        (a.cursor().para, a.cursor().offset),
        (1, 0),
        "short line: nearest cell"
    );
    press(&mut a, &["down"]);
    assert_eq!(
        (a.cursor().para, a.cursor().offset),
        (2, 8),
        "column 9 again"
    );
    press(&mut a, &["up", "up"]);
    assert_eq!((a.cursor().para, a.cursor().offset), (0, 8));
    press(&mut a, &["home"]);
    assert_eq!(a.cursor().offset, 0);
}

#[test]
fn home_and_end_follow_reading_order_in_rtl() {
    let text = "قال 3 كلم";
    let mut a = app(text);
    press(&mut a, &["end"]);
    assert_eq!(
        a.cursor().offset,
        at(text, "م"),
        "End: the last letter read"
    );
    press(&mut a, &["home"]);
    assert_eq!(a.cursor().offset, 0);
}

fn many_paragraphs(n: usize) -> String {
    (0..n).map(|i| format!("فقرة رقم {i}\n")).collect()
}

#[test]
fn page_down_scrolls_a_screen_and_keeps_the_cursor_in_view() {
    let text = many_paragraphs(50);
    let mut a = app(&text);
    press(&mut a, &["pagedown"]);
    let top = a.top();
    assert!(
        top.0 >= 4,
        "about a screen (10 rows, 2 per paragraph) down: {top:?}"
    );
    assert!(a.cursor().para >= top.0 && a.cursor().para <= top.0 + 5);
    press(&mut a, &["space"]);
    assert!(a.top().0 > top.0);
    press(&mut a, &["pageup", "pageup"]);
    assert_eq!(a.top(), (0, 0));
    assert_eq!(a.cursor().para, 0);
}

#[test]
fn g_and_shift_g_go_to_the_ends_of_the_document() {
    let text = many_paragraphs(300);
    let mut a = app(&text);
    press(&mut a, &["G"]);
    let last = a.document().paragraphs.len() - 1;
    assert_eq!(a.cursor().para, last);
    assert_eq!(
        a.cursor().offset,
        a.document().paragraph_text(last).len() - 1,
        "on the last digit"
    );
    assert!(a.top().0 > 290, "scrolled to the end: {:?}", a.top());
    assert!(
        a.cached_layouts() < 20,
        "only the paragraphs in view were laid out"
    );
    press(&mut a, &["g"]);
    assert_eq!(
        (a.cursor().para, a.cursor().offset, a.top()),
        (0, 0, (0, 0))
    );
}

#[test]
fn cursor_stops_on_a_hidden_bidi_control_and_the_status_names_it() {
    let text = "ab\u{202E}cd";
    for show in [false, true] {
        let s = ViewSettings {
            show_controls: show,
            ..Default::default()
        };
        let mut a = app_with(text, s, 38, 10);
        press(&mut a, &["ctrl-f", "ctrl-f"]);
        assert_eq!(a.cursor().offset, 2);
        let status = status_text(&mut a);
        assert!(status.contains("U+202E RIGHT-TO-LEFT OVERRIDE"), "{status}");
    }
    let mut a = app("a\u{1b}b");
    press(&mut a, &["ctrl-f"]);
    assert!(status_text(&mut a).contains("U+001B control"));
}

#[test]
fn keys_on_a_blank_document_do_nothing_and_q_quits() {
    let mut a = app(" \n\n");
    press(&mut a, &["ctrl-f", "G", "w", "down", "pagedown", "left"]);
    assert!(!a.should_quit());
    press(&mut a, &["?"]);
    assert!(a.help_visible());
    press(&mut a, &["esc"]);
    assert!(!a.help_visible());
    press(&mut a, &["q"]);
    assert!(a.should_quit());
}

#[test]
fn huge_documents_open_and_jump_without_laying_out_everything() {
    // Many paragraphs.
    let text = many_paragraphs(40_000);
    let mut a = app(&text);
    press(&mut a, &["G", "pageup", "up", "ctrl-b", "g", "pagedown"]);
    assert!(a.cached_layouts() < 40, "{}", a.cached_layouts());
    // One very long line, cut into `continued` pieces.
    let line = "كلمة ".repeat(400_000); // 4 MB
    let mut a = app_with(
        &line,
        ViewSettings {
            shaping: Shaping::Terminal,
            ..Default::default()
        },
        38,
        10,
    );
    assert!(a.document().paragraphs.len() > 30);
    press(&mut a, &["G"]);
    let last = a.document().paragraphs.len() - 1;
    assert_eq!(a.cursor().para, last);
    assert!(
        a.layout(last).rtl,
        "a later piece keeps the first piece's direction"
    );
    press(&mut a, &["pageup", "left", "w", "down"]);
    assert!(a.cached_layouts() <= 4, "{}", a.cached_layouts());
}

#[test]
fn t_shows_the_calibration_lines_and_a_number_switches_the_profile() {
    use crate::profile::Profile;
    let mut a = app("قال الجيش السوري إن داعش انسحب");
    press(&mut a, &["T"]);
    let buf = super::tests_pane::draw_app(&mut a, 100, 20);
    let top = super::tests_pane::row(&buf, 1);
    assert!(top.contains("which numbered line reads right"), "{top}");
    // Any other key closes them, changing nothing.
    press(&mut a, &["x"]);
    assert_eq!(a.settings().profile, Profile::Xterm);
    assert_eq!(a.take_pick(), None);
    let buf = super::tests_pane::draw_app(&mut a, 100, 20);
    assert!(!super::tests_pane::row(&buf, 1).contains("which numbered line"));
    // 2 is the line drawn for kitty: the viewer switches to it, the loop keeps it.
    press(&mut a, &["T"]);
    a.key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE));
    assert_eq!(a.settings().profile, Profile::Kitty);
    assert_eq!(a.take_pick(), Some(Profile::Kitty));
    assert_eq!(a.take_pick(), None, "taken once");
    assert_eq!(
        a.message(),
        Some("terminal profile kitty: kept for this terminal")
    );
    assert!(
        help_lines(&a)
            .iter()
            .any(|l| l.starts_with("T ") && l.contains("terminal")),
        "the key is in help"
    );
}
