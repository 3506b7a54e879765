//! Pane tests: render into a ratatui `Buffer` and check what a user would see.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use super::*;
use crate::document::Document;
use crate::layout::{Direction, Shaping};

fn screen(text: &str, settings: ViewSettings, w: u16, h: u16) -> (App, Buffer) {
    let doc = Document::from_text("deir.txt", text.to_string(), false, false);
    let mut app = App::new(doc, settings);
    let buf = draw_app(&mut app, w, h);
    (app, buf)
}

pub(super) fn draw_app(app: &mut App, w: u16, h: u16) -> Buffer {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    render(area, &mut buf, app);
    buf
}

pub(super) fn row(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
}

pub(super) fn terminal_shaping() -> ViewSettings {
    ViewSettings {
        shaping: Shaping::Terminal,
        ..Default::default()
    }
}

fn reversed(buf: &Buffer, x: u16, y: u16) -> bool {
    buf[(x, y)].modifier.contains(Modifier::REVERSED)
}

const GOLDEN: &str = "قال 3 كلم عن NATO اليوم";
/// The same line in visual order, left to right, as the notes give it (23 cells).
const GOLDEN_VISUAL: &str = "مويلا NATO نع ملك 3 لاق";

#[test]
fn first_line_is_painted_right_aligned_in_visual_order() {
    let (_, buf) = screen(GOLDEN, terminal_shaping(), 40, 12);
    // 40 columns: 1 margin, 38 text, 1 margin; 23 cells right-aligned in 38.
    let expected = format!(" {}{} ", " ".repeat(38 - 23), GOLDEN_VISUAL);
    assert_eq!(row(&buf, 1), expected);
}

#[test]
fn app_shaping_paints_presentation_forms() {
    let (_, buf) = screen(GOLDEN, ViewSettings::default(), 40, 12);
    let r = row(&buf, 1);
    assert!(r.ends_with("\u{FEDD}\u{FE8E}\u{FED7} "), "{r:?}");
    assert!(r.contains(" NATO "));
}

#[test]
fn cursor_cell_is_highlighted_and_follows_ctrl_f() {
    let (mut app, buf) = screen(GOLDEN, terminal_shaping(), 40, 12);
    // The first letter read, ق, is the rightmost text cell (x = 38).
    assert_eq!(buf[(38, 1)].symbol(), "ق");
    assert!(reversed(&buf, 38, 1));
    assert_eq!((1..39).filter(|&x| reversed(&buf, x, 1)).count(), 1);
    app.apply(Action::NextChar);
    let buf = draw_app(&mut app, 40, 12);
    assert!(reversed(&buf, 37, 1) && !reversed(&buf, 38, 1));
    assert_eq!(buf[(37, 1)].symbol(), "ا");
}

#[test]
fn status_line_shows_position_and_settings() {
    let (mut app, buf) = screen(GOLDEN, terminal_shaping(), 80, 12);
    let status = row(&buf, 11);
    assert!(status.contains("¶1/1 ln 1/1 col 78 @0"), "{status}");
    assert!(
        status.contains("auto:rtl shaping:terminal term:xterm"),
        "{status}"
    );
    assert!(!status.contains("controls"), "{status}");
    app.apply(Action::NextWord);
    let status = row(&draw_app(&mut app, 80, 12), 11);
    assert!(status.contains("@4"), "code point offset of '3': {status}");
}

#[test]
fn status_line_names_a_control_under_the_cursor() {
    let s = ViewSettings {
        show_controls: true,
        direction: Direction::Rtl,
        ..Default::default()
    };
    // Wide enough for the warning about the override too.
    let (mut app, _) = screen("ا\u{202E}ب", s, 140, 6);
    app.apply(Action::NextChar);
    let buf = draw_app(&mut app, 140, 6);
    let status = row(&buf, 5);
    assert!(status.contains("U+202E RIGHT-TO-LEFT OVERRIDE"), "{status}");
    assert!(
        status.contains("rtl shaping:app controls:shown"),
        "{status}"
    );
    // The control is a visible, highlighted picture, never the raw character.
    let text = row(&buf, 1);
    assert!(!text.contains('\u{202E}') && text.contains('\u{205E}'));
}

#[test]
fn title_bar_names_the_document_and_marks_lossy() {
    let mut doc = Document::from_text("خبر.txt", "نص".into(), false, false);
    doc.lossy = true;
    let mut app = App::new(doc, terminal_shaping());
    let buf = draw_app(&mut app, 80, 6);
    let title = row(&buf, 0);
    assert!(
        title.contains("raqim: ") && title.contains("[lossy]"),
        "{title}"
    );
    assert!(title.contains("txt.") || title.contains(".txt"), "{title}");
    // Narrow, the progress keeps its place and "raqim:" gives way.
    let title = row(&draw_app(&mut app, 40, 6), 0);
    assert!(
        title.contains("[lossy]") && title.contains("0 to review · 100%"),
        "{title}"
    );
}

#[test]
fn paragraphs_are_separated_by_one_blank_row() {
    let (_, buf) = screen("أ\nب\n\n\nج", terminal_shaping(), 40, 12);
    let rows: Vec<String> = (1..6).map(|y| row(&buf, y).trim().to_string()).collect();
    assert_eq!(rows, ["أ", "", "ب", "", "ج"]);
}

#[test]
fn pieces_of_a_cut_line_follow_each_other_without_a_blank_row() {
    let line = "كلمة ".repeat(30_000);
    let doc = Document::from_text("x", line, false, false);
    assert!(doc.paragraphs.len() > 1 && doc.paragraphs[1].continued);
    let mut app = App::new(doc, terminal_shaping());
    app.set_viewport(38, 10);
    app.layout(0);
    // Put the view so that the end of piece 0 is on screen.
    let rows0 = app.layout(0).lines.len();
    let buf = {
        for _ in 0..rows0 - 1 {
            app.apply(Action::MoveDown);
        }
        draw_app(&mut app, 40, 12)
    };
    let texts: Vec<String> = (1..11).map(|y| row(&buf, y).trim().to_string()).collect();
    assert!(texts.iter().all(|t| !t.is_empty()), "{texts:?}");
}

#[test]
fn wide_characters_take_two_cells() {
    let s = ViewSettings {
        direction: Direction::Ltr,
        ..Default::default()
    };
    let (_, buf) = screen("中文ab", s, 40, 6);
    // The cell under a wide character's second half is blank, as ratatui expects.
    assert_eq!(row(&buf, 1).trim_end(), " 中 文 ab");
    assert_eq!(buf[(1, 1)].symbol(), "中");
    assert_eq!(buf[(3, 1)].symbol(), "文");
    assert_eq!(buf[(5, 1)].symbol(), "a");
}

#[test]
fn help_overlay_lists_keys_from_the_keymap() {
    let (mut app, _) = screen(GOLDEN, ViewSettings::default(), 80, 30);
    app.apply(Action::ToggleHelp);
    // Page through the whole list, as a user would.
    let mut all = String::new();
    for _ in 0..10 {
        let buf = draw_app(&mut app, 80, 30);
        all.extend((0..30).map(|y| row(&buf, y) + "\n"));
        app.apply(Action::PageDown);
    }
    // Each label key with the label's description from the label file.
    for l in app.labels().labels() {
        let line = help_lines(&app)
            .into_iter()
            .find(|h| h.contains(&format!("{} – ", l.name)))
            .unwrap_or_else(|| panic!("no line for {}", l.name));
        assert!(line.trim_start().starts_with(l.key), "{line}");
        assert!(!l.description.is_empty(), "{}", l.name);
    }
    assert!(
        all.contains("LOC – a place: countries, cities, regions"),
        "label keys are listed with their descriptions: {all}"
    );
    // Every line fits an 80-column terminal inside the box: wrapped, not cut.
    for l in help_wrapped(&app, 77) {
        assert!(l.chars().count() <= 77, "too long for 80 columns: {l}");
    }
    assert!(
        all.contains("deserts"),
        "the end of a long description: {all}"
    );
    for (action, keys) in app.keymap().bindings() {
        let line = help_lines(&app)
            .into_iter()
            .find(|l| l.contains(action.description()))
            .unwrap();
        assert!(line.starts_with(&keys[0]), "{line}");
        // Arabic in a description is shaped and reordered on screen: compare the rest.
        let latin: String = action
            .description()
            .split(|c: char| !c.is_ascii())
            .next()
            .unwrap()
            .to_string();
        assert!(all.contains(&latin), "{latin}: {all}");
    }
    assert!(all.contains("ctrl-f") && all.contains("Next character in reading order"));
    // A rebinding shows up in the help.
    let mut km = Keymap::default_keymap();
    km.merge_toml("[keys]\nx = \"next_char\"\n").unwrap();
    app.set_keymap(km);
    assert!(help_lines(&app).iter().any(|l| l.starts_with("x, ")));
    app.apply(Action::CloseHelp);
    let buf = draw_app(&mut app, 80, 30);
    assert!(!row(&buf, 15).contains("keys"));
}

#[test]
fn tiny_screens_do_not_panic_and_say_too_small() {
    for (w, h) in [
        (0, 0),
        (1, 1),
        (1, 30),
        (7, 12),
        (40, 2),
        (8, 3),
        (9, 4),
        (21, 3),
    ] {
        for text in [GOLDEN, "", "中中中中中中中中中中"] {
            let (mut app, buf) = screen(text, ViewSettings::default(), w, h);
            app.apply(Action::ToggleHelp);
            let _ = draw_app(&mut app, w, h);
            if (w < MIN_WIDTH || h < MIN_HEIGHT) && w > 0 && h > 0 {
                let expect: String = "too small".chars().take(w as usize).collect();
                assert!(row(&buf, 0).starts_with(&expect));
            }
        }
    }
}

#[test]
fn blank_document_shows_a_notice() {
    let (_, buf) = screen("  \n\u{a0}\n", ViewSettings::default(), 40, 12);
    let all: String = (0..12).map(|y| row(&buf, y)).collect();
    assert!(all.contains("empty document"));
}

#[test]
fn resize_lays_out_again() {
    let (mut app, _) = screen(GOLDEN, terminal_shaping(), 40, 12);
    let buf = draw_app(&mut app, 30, 12);
    let expected = format!(" {}{} ", " ".repeat(28 - 23), GOLDEN_VISUAL);
    assert_eq!(row(&buf, 1), expected);
}

#[test]
fn bidi_overrides_are_dim_marks_and_the_status_line_warns_of_them() {
    let (mut app, _) = screen(
        "access = \"user\u{202E} \u{2066}// admin\u{2069} \u{2066}\"\n\nسطر آخر",
        ViewSettings::default(),
        80,
        8,
    );
    let buf = draw_app(&mut app, 80, 8);
    let marks: Vec<u16> = (0..80)
        .filter(|&x| buf[(x, 1)].symbol() == "\u{205E}")
        .collect();
    assert_eq!(marks.len(), 4, "{}", row(&buf, 1));
    assert!(
        marks
            .iter()
            .all(|&x| buf[(x, 1)].modifier.contains(Modifier::DIM))
    );
    let status = row(&buf, 7);
    assert!(status.contains("⚠ bidi overrides here (4 ⁞)"), "{status}");
    // A paragraph without any says nothing of them.
    app.apply(Action::DocumentEnd);
    let status = row(&draw_app(&mut app, 80, 8), 7);
    assert!(!status.contains("bidi override"), "{status}");
}

#[test]
fn for_kitty_each_arabic_word_goes_out_in_logical_order_with_styles_on_their_cells() {
    use crate::profile::Profile;
    // The engine suggests داعش here; "(مثلاً)" has brackets the layout mirrors.
    let text = "قال داعش (مثلاً) 3 كلم";
    let settings = |profile| ViewSettings {
        shaping: Shaping::Terminal,
        direction: Direction::Rtl,
        profile,
        ..Default::default()
    };
    let (_, plain) = screen(text, settings(Profile::Xterm), 40, 6);
    let (_, kitty) = screen(text, settings(Profile::Kitty), 40, 6);
    let line = |b: &Buffer| row(b, 1).trim().to_string();
    // Words stay in visual order, each word's letters in logical order (kitty
    // shapes a word right to left, so reverses them back), digits untouched; the
    // brackets go out unmirrored, as the terminal mirrors them itself.
    assert_eq!(line(&plain), "ملك 3 (اًلثم) شعاد لاق");
    assert_eq!(line(&kitty), "كلم 3 (مثلاً) داعش قال");
    // Every cell keeps the style it was painted with: the suggestion's underline
    // stays on the same four cells.
    for x in 0..40 {
        assert_eq!(plain[(x, 1)].style(), kitty[(x, 1)].style(), "cell {x}");
    }
    let underlined = (0..40)
        .filter(|&x| kitty[(x, 1)].modifier.contains(Modifier::UNDERLINED))
        .count();
    assert!(underlined >= 4, "داعش is underlined");
}

#[test]
fn for_konsole_the_cursor_cell_drops_its_underline_and_the_status_names_the_profile() {
    use crate::profile::Profile;
    let settings = |profile| ViewSettings {
        profile,
        ..Default::default()
    };
    for (profile, underline) in [(Profile::Xterm, true), (Profile::Konsole, false)] {
        // The cursor starts on داعش, a suggestion: underlined.
        let (_, buf) = screen("داعش قال", settings(profile), 120, 6);
        let cursor: Vec<u16> = (0..120)
            .filter(|&x| buf[(x, 1)].modifier.contains(Modifier::REVERSED))
            .collect();
        assert_eq!(cursor.len(), 1, "{profile}");
        let cell = &buf[(cursor[0], 1)];
        assert_eq!(
            cell.modifier.contains(Modifier::UNDERLINED),
            underline,
            "{profile}"
        );
        assert!(
            row(&buf, 5).contains(&format!("term:{profile}")),
            "{}",
            row(&buf, 5)
        );
    }
}

#[test]
fn for_kitty_an_alef_after_a_joining_lam_is_shaped_apart_so_no_cell_is_left_empty() {
    use crate::profile::Profile;
    let settings = |profile| ViewSettings {
        direction: Direction::Rtl,
        profile,
        ..Default::default()
    };
    // الاعلام: twice a lam joins the alef after it (ﻟ then ﺎ, ﻠ then ﺎ).
    let (_, plain) = screen("الاعلام", settings(Profile::Xterm), 30, 6);
    let (_, kitty) = screen("الاعلام", settings(Profile::Kitty), 30, 6);
    let bold: Vec<u16> = (0..30)
        .filter(|&x| kitty[(x, 1)].modifier.contains(Modifier::BOLD))
        .collect();
    assert_eq!(bold.len(), 2, "{}", row(&kitty, 1));
    // Each bold cell is an alef's, where it was painted, with its lam on its right.
    for &x in &bold {
        assert_eq!(kitty[(x, 1)].symbol(), "\u{FE8E}");
        assert_eq!(plain[(x, 1)].symbol(), "\u{FE8E}");
        assert!(
            plain[(x + 1, 1)]
                .symbol()
                .starts_with(['\u{FEDF}', '\u{FEE0}'])
        );
    }
    // Painted ﻡ ﺎ ﻠ ﻋ ﺎ ﻟ ﺍ (left to right); the pieces between the alefs go out in
    // logical order each, as kitty shapes each piece apart.
    assert_eq!(row(&plain, 1).trim(), "ﻡﺎﻠﻋﺎﻟﺍ");
    assert_eq!(row(&kitty, 1).trim(), "ﻡﺎﻋﻠﺎﺍﻟ");
}
