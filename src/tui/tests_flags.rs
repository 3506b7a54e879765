//! Key-script tests of the flag keys: `f` on a span or suggestion, `F` on the
//! document, the note prompt, the status line's marks, and the same key taking a
//! flag off.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::view::{progress_text, status_text};
use super::*;
use crate::document::Document;

/// The engine suggests الجيش السوري (ORG), داعش (ORG) and دير الزور (LOC) here.
const NEWS: &str = "قال الجيش السوري إن داعش انسحب من دير الزور";

fn app() -> App {
    let doc = Document::from_text("news.txt", NEWS.to_string(), false, false);
    let mut app = App::new(doc, ViewSettings::default());
    app.set_viewport(60, 20);
    app
}

/// Presses keys (keymap names, space-separated); `text:...` types characters.
fn press(app: &mut App, keys: &str) {
    for k in keys.split(' ').filter(|k| !k.is_empty()) {
        if let Some(t) = k.strip_prefix("text:") {
            for c in t.chars() {
                let c = if c == '_' { ' ' } else { c };
                app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            }
            continue;
        }
        let key = Key::parse(k).unwrap_or_else(|e| panic!("{k}: {e}"));
        let mut mods = key.mods;
        if let KeyCode::Char(c) = key.code
            && c.is_uppercase()
        {
            mods |= KeyModifiers::SHIFT;
        }
        app.key(KeyEvent::new(key.code, mods));
    }
}

#[test]
fn f_flags_the_suggestion_under_the_cursor_with_a_note_and_takes_it_off_again() {
    let mut a = app();
    press(&mut a, "tab f");
    assert_eq!(
        a.flag_prompt_line().as_deref(),
        Some("flag ORG «الجيش السوري», note: ▏  (Enter: flag, Esc: cancel)")
    );
    // Keys are the note's text while the prompt is open: x does not reject, q does
    // not quit.
    press(&mut a, "text:which_army?_x_q enter");
    assert!(!a.should_quit());
    assert_eq!(
        a.message(),
        Some("flagged ORG «الجيش السوري»: which army? x q")
    );
    assert!(
        status_text(&mut a).contains("⚑ span flagged: which army? x q"),
        "{}",
        status_text(&mut a)
    );
    assert!(progress_text(&mut a).ends_with(" · 1 flagged"));
    assert_eq!(
        a.session.markup(),
        "قال {ORG:الجيش السوري} إن {ORG:داعش} انسحب من {LOC:دير الزور}",
        "a flag changes no span"
    );
    // The next suggestion is not flagged.
    press(&mut a, "tab");
    assert!(!status_text(&mut a).contains('⚑'));
    press(&mut a, "shift-tab f");
    assert_eq!(
        a.message(),
        Some("flag taken off ORG «الجيش السوري» (its note was: which army? x q)")
    );
    assert!(!status_text(&mut a).contains('⚑'));
    assert!(!progress_text(&mut a).contains("flagged"));
}

#[test]
fn shift_f_flags_the_document_without_a_note_and_esc_flags_nothing() {
    let mut a = app();
    press(&mut a, "tab F esc");
    assert_eq!(a.message(), Some("nothing flagged"));
    assert!(a.session.review().flags().is_empty());
    press(&mut a, "F enter");
    assert_eq!(a.message(), Some("flagged the document"));
    // On a span too, the document's mark shows.
    assert!(
        status_text(&mut a).contains("⚑ document flagged"),
        "{}",
        status_text(&mut a)
    );
    // f away from any span is the document's key as well: it takes the flag off.
    press(&mut a, "g f");
    assert_eq!(a.message(), Some("flag taken off the document"));
    assert!(a.session.review().flags().is_empty());
}

#[test]
fn the_flag_sign_stays_on_a_narrow_status_line() {
    use super::tests_pane::{draw_app, row};
    let mut a = app();
    press(
        &mut a,
        "tab f text:ask_the_team_about_this_one enter right left",
    );
    let wide = draw_app(&mut a, 100, 12);
    let last = row(&wide, 11);
    assert!(
        last.contains("⚑ span flagged: ask the team about this one  ORG suggested"),
        "{last}"
    );
    // At 40 columns the note gives way, the sign and the label stay.
    let narrow = draw_app(&mut a, 40, 12);
    let last = row(&narrow, 11);
    assert!(last.trim_start().starts_with("⚑"), "{last}");
    assert!(last.contains("ORG suggested"), "{last}");
}
