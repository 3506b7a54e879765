//! Pane tests of the adjudication view: the open disagreements marked on the text,
//! the variants in the status line, the count in the title, and `t` with a letter.

use ratatui::style::Color;

use super::tests_pane::{draw_app, row, terminal_shaping};
use super::tests_spans::{filled_runs, underlined_runs};
use super::*;
use crate::curate::MergeRule;
use crate::document::Document;
use crate::session::curation::{self, tests::TEXT};

/// The viewer on the gold layer of three analysts' readings of [`TEXT`] (see
/// `session::curation`'s tests), as `raqim adjudicate` opens it.
fn view(dir: &std::path::Path) -> App {
    let db = curation::tests::database(dir);
    let doc = Document::from_text("news", TEXT.to_string(), false, false);
    let engine = builtin_engine();
    let (opened, c, _) = curation::open(&db, &doc, "dina", MergeRule::Unanimous, &engine).unwrap();
    let settings = ViewSettings {
        suggest: false,
        ..terminal_shaping()
    };
    let mut app = App::with_engine(doc, settings, engine);
    app.set_review(opened.review, None);
    app.set_curation(c);
    app
}

#[test]
fn open_disagreements_are_underlined_the_one_under_the_cursor_on_grey_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = view(dir.path());
    let buf = draw_app(&mut app, 100, 8);
    assert!(row(&buf, 0).contains("2 disagreements left of 2 · 1 in gold"));
    // What all agreed on is in gold (filled); the cursor went to the first open
    // disagreement, داعش, on the current span's grey.
    assert_eq!(
        filled_runs(&buf, 1),
        [
            ("الجيش السوري".to_string(), Color::LightCyan),
            ("داعش".to_string(), Color::DarkGray)
        ]
    );
    // Each open disagreement is underlined in its first reading's label colour.
    assert_eq!(
        underlined_runs(&buf, 1),
        [
            ("داعش".to_string(), Color::LightCyan),
            ("دير الزور".to_string(), Color::LightGreen)
        ]
    );
    // The quoted text as the article shows it: right to left, so in visual order.
    assert!(row(&buf, 6).ends_with("underline=disagreement fill=gold "));
    let status = row(&buf, 7);
    assert!(
        status.contains("1/2 · a: amal, basel «شعاد» ORG · b: carim nothing"),
        "{status}"
    );
}

#[test]
fn t_and_a_letter_takes_the_variant_and_tab_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = view(dir.path());
    app.apply(Action::NextPending);
    assert_eq!(app.cursor_byte(), TEXT.find("دير").unwrap());
    app.apply(Action::TakeVariant);
    assert_eq!(
        app.message(),
        Some("take which? a/b/c · x rejects every one · Esc nothing")
    );
    let key = |c| {
        crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::NONE,
        )
    };
    app.key(key('b'));
    assert_eq!(app.message(), Some("took b: amal · 1 disagreement left"));
    let buf = draw_app(&mut app, 100, 8);
    assert!(row(&buf, 0).contains("1 disagreement left of 2 · 2 in gold"));
    // Only داعش is left underlined; دير الزور is gold's now.
    let names: Vec<String> = underlined_runs(&buf, 1).into_iter().map(|r| r.0).collect();
    assert_eq!(names, ["داعش"]);
    // u takes it back.
    app.apply(Action::Undo);
    let buf = draw_app(&mut app, 100, 8);
    assert!(row(&buf, 0).contains("2 disagreements left"));
    // D asks while disagreements are left.
    app.apply(Action::ToggleDone);
    assert_eq!(app.message(), Some("mark done? 2 disagreements left (y/n)"));
}
