//! Key-script tests of the review: a document, the keys an analyst presses (as the
//! keymap writes them), and the spans that result, written as markup: `{ORG:داعش}` is
//! a suggestion still to review, `[ORG:داعش]` an accepted span; rejected spans are
//! not shown. The real engine makes the suggestions; no terminal is involved.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::annotation::Annotations;
use crate::document::Document;
use crate::review::{MemJournal, Review};
use crate::suggest::memory::Memory;

/// The engine suggests الجيش السوري (ORG), داعش (ORG) and دير الزور (LOC) here.
const NEWS: &str = "قال الجيش السوري إن داعش انسحب من دير الزور";

fn app(text: &str) -> App {
    let doc = Document::from_text("news.txt", text.to_string(), false, false);
    let mut app = App::new(doc, ViewSettings::default());
    app.set_viewport(60, 20);
    app
}

/// Presses keys given as keymap strings separated by spaces ("tab enter 1 alt-,");
/// `text:...` types the rest as characters (for the search prompt).
fn press(app: &mut App, keys: &str) {
    for k in keys.split(' ').filter(|k| !k.is_empty()) {
        if let Some(t) = k.strip_prefix("text:") {
            for c in t.chars() {
                app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            }
            continue;
        }
        let key = Key::parse(k).unwrap_or_else(|e| panic!("{k}: {e}"));
        let mut mods = key.mods;
        let code = match key.code {
            KeyCode::Char(c) if c.is_uppercase() || "<>{}?".contains(c) => {
                mods |= KeyModifiers::SHIFT; // as terminals report it
                KeyCode::Char(c)
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            c => c,
        };
        app.key(KeyEvent::new(code, mods));
    }
}

/// The shown spans of every paragraph as markup.
fn shown(app: &mut App) -> String {
    app.session.markup()
}

/// Runs `keys` on `text` from the start and returns the markup.
fn after(text: &str, keys: &str) -> String {
    let mut a = app(text);
    press(&mut a, keys);
    shown(&mut a)
}

#[test]
fn the_suggestions_to_start_with() {
    assert_eq!(
        after(NEWS, ""),
        "قال {ORG:الجيش السوري} إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
}

#[test]
fn tab_accepts_rejects_and_relabels_in_reading_order() {
    assert_eq!(
        after(NEWS, "tab enter"),
        "قال [ORG:الجيش السوري] إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
    assert_eq!(
        after(NEWS, "tab tab x"),
        "قال {ORG:الجيش السوري} إن داعش انسحب من {LOC:دير الزور}"
    );
    // A decision moves on to the next suggestion: one key per suggestion.
    let mut a = app(NEWS);
    press(&mut a, "tab enter x enter");
    assert_eq!(
        shown(&mut a),
        "قال [ORG:الجيش السوري] إن داعش انسحب من [LOC:دير الزور]"
    );
    assert_eq!(
        a.message(),
        Some("accepted «دير الزور» as LOC · nothing left to review")
    );
    // A label key on a span accepts it with that label.
    assert_eq!(
        after(NEWS, "tab tab tab 3"),
        "قال {ORG:الجيش السوري} إن {ORG:داعش} انسحب من [LOC:دير الزور]"
    );
    assert_eq!(
        after(NEWS, "tab tab tab 2"),
        "قال {ORG:الجيش السوري} إن {ORG:داعش} انسحب من [ORG:دير الزور]"
    );
    // Shift-Tab goes back; past the last suggestion Tab goes round to the first.
    assert_eq!(
        after(NEWS, "tab tab shift-tab enter"),
        "قال [ORG:الجيش السوري] إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
    let mut a = app(NEWS);
    press(&mut a, "tab tab tab tab");
    assert!(
        a.message().unwrap().contains("went round"),
        "{:?}",
        a.message()
    );
    press(&mut a, "enter");
    assert!(shown(&mut a).starts_with("قال [ORG:الجيش السوري]"));
}

#[test]
fn the_status_line_shows_the_focused_spans_text_label_source_and_score() {
    let mut a = app(NEWS);
    press(&mut a, "tab tab");
    let status = status_text(&mut a);
    assert!(status.starts_with("ORG suggested gazetteer:"), "{status}");
    assert!(status.contains(" «داعش»  "), "{status}");
    assert!(status.contains("gazetteer:"), "{status}");
    press(&mut a, "enter");
    assert_eq!(a.message(), Some("accepted «داعش» as ORG"));
}

#[test]
fn widen_and_shrink_at_both_ends_read_naturally_in_rtl() {
    // In Arabic the span's right edge on screen is where it starts, the left edge
    // where it ends: `.` shrinks from the right (the start), `<` widens to the left.
    assert_eq!(
        after(NEWS, "tab ."),
        "قال الجيش {ORG:السوري} إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
    assert_eq!(
        after(NEWS, "tab . >"),
        "قال {ORG:الجيش السوري} إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
    assert_eq!(
        after(NEWS, "tab ,"),
        "قال {ORG:الجيش} السوري إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
    assert_eq!(
        after(NEWS, "tab >"),
        "{ORG:قال الجيش السوري} إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
    // By a character with alt: the last letter, then the first.
    assert_eq!(
        after(NEWS, "tab alt-, alt-."),
        "قال ا{ORG:لجيش السور}ي إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
    // Widening into the next span is refused, and says what is in the way.
    let mut a = app(NEWS);
    press(&mut a, "tab tab <");
    assert_eq!(
        shown(&mut a),
        "قال {ORG:الجيش السوري} إن {ORG:داعش انسحب} من {LOC:دير الزور}"
    );
    press(&mut a, "< <");
    assert!(shown(&mut a).contains("{ORG:داعش انسحب من} {LOC:دير الزور}"));
    assert_eq!(
        a.message(),
        Some("refused: it would overlap the LOC span \"دير الزور\"")
    );
    // A resized suggestion is stored, still to review, and can then be accepted.
    press(&mut a, "enter");
    assert!(shown(&mut a).contains("[ORG:داعش انسحب من]"));
}

#[test]
fn in_left_to_right_text_the_left_edge_is_the_start() {
    let text = "Reuters said the Syrian army entered Deir ez-Zor";
    let mut a = app(text);
    a.put_cursor(0, text.find("Syrian").unwrap());
    press(&mut a, "v right right right right right 2");
    assert!(shown(&mut a).contains("[ORG:Syrian]"), "{}", shown(&mut a));
    press(&mut a, ">");
    assert!(
        shown(&mut a).contains("[ORG:Syrian army]"),
        "{}",
        shown(&mut a)
    );
    assert_eq!(
        a.message(),
        Some("end (right edge) widened by «army»: «Syrian army»")
    );
    press(&mut a, "<");
    assert_eq!(
        shown(&mut a),
        "Reuters said [ORG:the Syrian army] entered Deir ez-Zor"
    );
}

#[test]
fn a_selection_and_a_label_key_make_a_span() {
    // In RTL text → (left) goes forward: select قال and label it.
    assert_eq!(
        after(NEWS, "v left left 1"),
        "[PER:قال] {ORG:الجيش السوري} إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
    // Esc drops the selection; the label key then asks again for the word.
    let mut a = app(NEWS);
    press(&mut a, "v left esc 1");
    assert_eq!(a.message(), Some("press 1 again to label «قال» as PER"));
    press(&mut a, "1");
    assert!(shown(&mut a).starts_with("[PER:قال] "));
}

#[test]
fn a_double_tap_labels_the_word_without_its_proclitic() {
    let text = "قال ووزير الخارجية زار والسنديانة أمس";
    let mut a = app(text);
    a.put_cursor(0, text.find("والسنديانة").unwrap());
    press(&mut a, "3");
    assert_eq!(shown(&mut a), text, "one tap only asks");
    press(&mut a, "3");
    assert!(
        shown(&mut a).contains("و[LOC:السنديانة]"),
        "{}",
        shown(&mut a)
    );
    // Another key between the taps starts over.
    let mut a = app(text);
    a.put_cursor(0, text.find("أمس").unwrap());
    press(&mut a, "5 left 5");
    assert!(!shown(&mut a).contains("[DATE:"), "{}", shown(&mut a));
}

#[test]
fn delete_undo_and_redo_walk_every_step() {
    let mut a = app(NEWS);
    let mut seen = vec![shown(&mut a)];
    // Enter and x move on to the next suggestion by themselves.
    for keys in ["tab enter", "x", ",", "g v left left 1", "tab d"] {
        press(&mut a, keys);
        seen.push(shown(&mut a));
    }
    // Deleting the resized place lets the engine suggest the whole of it again.
    assert_eq!(
        seen[5],
        "[PER:قال] [ORG:الجيش السوري] إن داعش انسحب من {LOC:دير الزور}"
    );
    // Back through every state, then forward again.
    for expected in seen.iter().rev().skip(1) {
        press(&mut a, "u");
        assert_eq!(&shown(&mut a), expected);
    }
    press(&mut a, "u");
    assert_eq!(a.message(), Some("nothing to undo"));
    for expected in seen.iter().skip(1) {
        press(&mut a, "ctrl-r");
        assert_eq!(&shown(&mut a), expected);
    }
    press(&mut a, "ctrl-r");
    assert_eq!(a.message(), Some("nothing to redo"));
}

#[test]
fn accept_all_like_settles_every_occurrence_in_one_step() {
    let text = "قال داعش إن داعش هاجم.\nوأعلن داعش مسؤوليته عن هجوم دير الزور";
    let mut a = app(text);
    press(&mut a, "tab A");
    assert_eq!(a.message(), Some("accepted 3 × «داعش» as ORG"));
    assert_eq!(
        shown(&mut a),
        "قال [ORG:داعش] إن [ORG:داعش] هاجم.\nوأعلن [ORG:داعش] مسؤوليته عن هجوم {LOC:دير الزور}"
    );
    press(&mut a, "u");
    assert!(shown(&mut a).starts_with("قال {ORG:داعش} إن {ORG:داعش}"));
    press(&mut a, "tab X");
    assert_eq!(a.review().ann.counts(), (0, 0, 3));
    assert_eq!(
        shown(&mut a),
        "قال داعش إن داعش هاجم.\nوأعلن داعش مسؤوليته عن هجوم {LOC:دير الزور}"
    );
}

#[test]
fn an_accepted_name_is_suggested_at_its_other_occurrences_at_once() {
    // Not in any gazetteer: the analyst labels it once, the memory does the rest.
    let text = "زار وفد قرية خربة الزيتونة أمس.\nوعاد الوفد من خربة الزيتونة مساء";
    let mut a = app(text);
    assert!(!shown(&mut a).contains("الزيتونة}"));
    a.put_cursor(0, text.find("خربة").unwrap());
    press(
        &mut a,
        "v left left left left left left left left left left left left 3",
    );
    let s = shown(&mut a);
    assert!(s.contains("[LOC:خربة الزيتونة] أمس"), "{s}");
    assert!(s.contains("من {LOC:خربة الزيتونة} مساء"), "{s}");
    press(&mut a, "tab");
    let status = status_text(&mut a);
    assert!(status.contains("memory"), "{status}");
}

#[test]
fn search_is_folded_like_the_matcher() {
    let text = "قال والجيش السوري إن الجيش انسحب";
    let mut a = app(text);
    press(&mut a, "/ text:الجيش enter");
    assert_eq!(
        a.cursor_byte(),
        text.find("الجيش").unwrap(),
        "inside والجيش"
    );
    press(&mut a, "n");
    assert_eq!(a.cursor_byte(), text.rfind("الجيش").unwrap());
    press(&mut a, "n");
    assert!(a.message().unwrap().contains("went round"));
    press(&mut a, "N");
    assert_eq!(a.cursor_byte(), text.rfind("الجيش").unwrap());
    // Hamza and taa marbuta folded: اسرائيل finds إسرائيل.
    let mut a = app("قالت إسرائيل إن");
    press(&mut a, "/ text:اسرائيل enter");
    assert_eq!(a.cursor_byte(), "قالت ".len());
    press(&mut a, "/ text:بغداد enter");
    assert_eq!(a.message(), Some("/بغداد: not found"));
}

#[test]
fn done_mark_and_progress() {
    let mut a = app(NEWS);
    let p = a.progress();
    assert_eq!(
        (p.pending, p.accepted, p.rejected, p.reviewed),
        (3, 0, 0, 0)
    );
    press(&mut a, "tab enter tab x");
    let p = a.progress();
    assert_eq!((p.pending, p.accepted, p.rejected), (1, 1, 1));
    press(&mut a, "tab enter");
    assert_eq!(
        a.progress().reviewed,
        100,
        "nothing left to review in the one paragraph"
    );
    let mut a = app(NEWS);
    press(&mut a, "D y");
    assert!(a.review().done());
    assert_eq!(a.progress().reviewed, 100);
    press(&mut a, "D");
    assert!(!a.review().done());
}

#[test]
fn a_failed_commit_changes_nothing_and_says_why() {
    let mut a = app(NEWS);
    let journal = MemJournal {
        fail_next: Some("database or disk is full".into()),
        ..MemJournal::default()
    };
    a.set_review(
        Review::new(Annotations::new(), Box::new(journal), Memory::new()),
        None,
    );
    let before = shown(&mut a);
    press(&mut a, "tab enter");
    assert_eq!(a.message(), Some("not saved: database or disk is full"));
    assert_eq!(shown(&mut a), before);
    press(&mut a, "enter");
    assert!(shown(&mut a).contains("[ORG:الجيش السوري]"));
}

#[test]
fn a_read_only_document_refuses_changes() {
    let mut a = app(NEWS);
    let mut r = Review::in_memory();
    r.set_read_only("open in another raqim".into());
    a.set_review(r, None);
    let before = shown(&mut a);
    press(&mut a, "tab enter tab x v left 1 D");
    assert_eq!(shown(&mut a), before);
    assert!(!a.review().done());
    press(&mut a, "tab enter");
    assert_eq!(a.message(), Some("read-only: open in another raqim"));
}

#[test]
fn document_keys_ask_the_loop_for_another_document_of_the_set() {
    let mut a = app(NEWS);
    press(&mut a, "]");
    assert!(a.message().unwrap().contains("one document open"));
    assert_eq!(a.take_switch(), None);
    let names = vec!["a.txt".to_string(), "b.txt".into(), "c.txt".into()];
    a.set_documents(names, vec![String::new(); 3], 1);
    press(&mut a, "]");
    assert_eq!(a.take_switch(), Some((2, Some(true))));
    assert_eq!(a.take_switch(), None, "taken once");
    press(&mut a, "[");
    assert_eq!(a.take_switch(), Some((0, Some(false))));
    // The list: it opens on the current one, arrows choose, Enter opens.
    press(&mut a, "L down down");
    assert_eq!(a.documents().unwrap().selected, 2);
    press(&mut a, "down up up up");
    assert_eq!(a.documents().unwrap().selected, 0);
    press(&mut a, "enter");
    assert_eq!(a.take_switch(), Some((0, None)), "chosen, not stepped to");
    assert!(!a.documents().unwrap().open);
    // Esc closes it without moving; the review keys act on the text again.
    press(&mut a, "L esc");
    assert_eq!(a.take_switch(), None);
    press(&mut a, "tab enter");
    assert!(shown(&mut a).contains("[ORG:الجيش السوري]"));
    // At the ends of the set.
    a.set_documents(vec!["a".into(), "b".into()], vec![String::new(); 2], 1);
    press(&mut a, "]");
    assert_eq!(a.take_switch(), None);
    assert_eq!(a.message(), Some("this is the last document of the set"));
}

#[test]
fn esc_and_a_key_in_one_packet_still_count_as_two_keys() {
    // Over SSH, Esc then 1 may arrive together and read as Alt-1.
    let mut a = app(NEWS);
    press(&mut a, "v left left");
    a.key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::ALT));
    assert_eq!(a.selection(), None, "the Esc dropped the selection");
    assert_eq!(a.message(), Some("press 1 again to label «قال» as PER"));
    // A bound Alt key is itself.
    press(&mut a, "tab alt-,");
    assert!(
        a.message().unwrap().contains("shrunk by «ي»"),
        "{:?}",
        a.message()
    );
}

#[test]
fn overlays_on_tiny_screens_do_not_panic() {
    use ratatui::{buffer::Buffer, layout::Rect};
    let mut a = app(NEWS);
    a.set_documents(vec!["أ.txt".into(), "b".into()], vec!["x".into(); 2], 0);
    press(&mut a, "v left L");
    for help in [false, true] {
        if help {
            press(&mut a, "?");
        }
        for (w, h) in [(1, 1), (8, 3), (9, 4), (12, 5), (20, 6), (3, 40), (200, 3)] {
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            render(area, &mut buf, &mut a);
        }
    }
}

#[test]
fn a_latin_name_inside_arabic_text_widens_by_its_own_direction() {
    // "NATO" runs left to right inside the Arabic line: its right edge is its end.
    let text = "قال حلف NATO Alliance أمس";
    let mut a = app(text);
    a.put_cursor(0, text.find("NATO").unwrap());
    press(&mut a, "v right right right 2");
    assert!(shown(&mut a).contains("[ORG:NATO]"), "{}", shown(&mut a));
    press(&mut a, ">");
    assert!(
        shown(&mut a).contains("[ORG:NATO Alliance]"),
        "{}",
        shown(&mut a)
    );
    assert!(a.message().unwrap().starts_with("end (right edge)"));
}

#[test]
fn the_progress_line_follows_every_kind_of_step() {
    // Counted once and kept between frames, it must never lag behind a change.
    let mut a = app(&format!("{NEWS}\n\nثم عاد الجيش السوري إلى دير الزور\n"));
    let mut seen = Vec::new();
    for keys in [
        "",
        "tab",
        "enter",
        "x",
        "u",
        "ctrl-r",
        "A",
        "tab 2",
        "down down",
        "D",
        "D",
    ] {
        press(&mut a, keys);
        let shown = a.progress();
        assert_eq!(shown, a.session.count_progress(), "after {keys:?}");
        seen.push(shown);
    }
    // And it did move: accepting and marking done change what it says.
    seen.dedup();
    assert!(seen.len() >= 4, "{seen:?}");
}

#[test]
fn labelling_is_an_action_a_keymap_can_bind_to_any_key() {
    let mut a = app(NEWS);
    let mut km = a.keymap().clone();
    km.merge_toml("[keys]\np = \"label2\"\n\"3\" = \"next_pending\"\n")
        .unwrap();
    a.set_keymap(km);
    // p relabels the focused suggestion as the second label (ORG) and accepts it; the
    // label set's own key for LOC, 3, now moves on instead.
    press(&mut a, "tab tab tab p");
    assert_eq!(
        shown(&mut a),
        "قال {ORG:الجيش السوري} إن {ORG:داعش} انسحب من [ORG:دير الزور]"
    );
    // 3 is bound to a move now: it labels nothing.
    let before = shown(&mut a);
    press(&mut a, "3");
    assert_eq!(shown(&mut a), before);
    // A label the set does not have says so and changes nothing.
    let mut km = a.keymap().clone();
    km.merge_toml("[keys]\nq = \"label9\"\n").unwrap();
    a.set_keymap(km);
    press(&mut a, "tab q");
    assert_eq!(a.message(), Some("no label 9 in this label set"));
}

/// A set of documents in `dir` with a database there, opened on its first document
/// as the viewer opens it.
fn open_set(
    dir: &std::path::Path,
    set_path: &std::path::Path,
) -> (App, crate::session::open::SetSource) {
    use crate::session::open::{DocumentSource, Keeper, SetSource};
    let entries = crate::session::set::load(set_path).unwrap();
    let keeper = Keeper::new(Some(dir.join("raqim.db")), "tester".into(), None);
    let mut source = SetSource::new(entries, keeper, false, None);
    let names: Vec<String> = (0..source.len()).map(|i| source.name(i)).collect();
    let summaries = vec![String::new(); names.len()];
    let (doc, opened) = source.open(0).unwrap();
    let mut app = build_app(
        doc,
        opened,
        &ViewSettings::default(),
        &None,
        &Keymap::default_keymap(),
    );
    app.set_documents(names, summaries, 0);
    app.set_viewport(60, 20);
    (app, source)
}

/// Presses `keys`, then does the switch the loop would do.
fn press_in_set(app: &mut App, source: &mut crate::session::open::SetSource, keys: &str) {
    press(app, keys);
    let mut set = Set {
        source,
        settings: ViewSettings::default(),
        engine: None,
        keymap: Keymap::default_keymap(),
    };
    if let Some((i, step)) = app.take_switch() {
        switch(app, &mut set, i, step);
    }
}

#[test]
fn stepping_through_a_set_skips_a_document_that_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    std::fs::write(articles.join("a.txt"), NEWS).unwrap();
    std::fs::write(articles.join("b.txt"), b"latin1 caf\xe9\n").unwrap();
    std::fs::write(articles.join("c.txt"), "ثم عاد الجيش السوري").unwrap();
    let (mut app, mut source) = open_set(dir.path(), &articles);
    press_in_set(&mut app, &mut source, "]");
    assert_eq!(app.document().name, "c.txt", "b.txt was skipped");
    assert_eq!(app.documents().unwrap().current, 2);
    let m = app.message().unwrap();
    assert!(
        m.starts_with("skipped b.txt: ") && m.contains("UTF-8"),
        "{m}"
    );
    // It stays in the list, marked.
    assert_eq!(app.documents().unwrap().summaries[1], "cannot be read");
    press_in_set(&mut app, &mut source, "[");
    assert_eq!(app.document().name, "a.txt", "skipped going back too");
    // Chosen in the list, it is not skipped: the open document stays, saying why.
    press_in_set(&mut app, &mut source, "L down enter");
    assert_eq!(app.document().name, "a.txt");
    assert!(app.message().unwrap().starts_with("b.txt: "));
}

#[test]
fn two_records_with_the_same_text_are_one_document_never_locked_against_itself() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set.jsonl");
    let rec = |id: &str| serde_json::json!({ "id": id, "text": NEWS }).to_string();
    std::fs::write(&set, format!("{}\n{}\n", rec("r1"), rec("r2"))).unwrap();
    let (mut app, mut source) = open_set(dir.path(), &set);
    press(&mut app, "tab enter");
    press_in_set(&mut app, &mut source, "]");
    assert_eq!(app.documents().unwrap().current, 1);
    assert_eq!(
        app.message(),
        Some("r2 has the same text as r1: the same document, kept open")
    );
    assert_eq!(app.review().read_only(), None);
    // Still writable: the next decision is kept.
    press(&mut app, "enter");
    assert!(
        app.message().unwrap().starts_with("accepted"),
        "{:?}",
        app.message()
    );
    assert_eq!(app.review().ann.counts().1, 2);
}

#[test]
fn the_first_tab_takes_a_suggestion_that_starts_the_article() {
    // The cursor opens on داعش, itself a suggestion: the first Tab keeps it.
    let mut a = app("داعش انسحب من دير الزور");
    press(&mut a, "tab enter");
    assert_eq!(shown(&mut a), "[ORG:داعش] انسحب من {LOC:دير الزور}");
    // Later Tabs move on as before.
    let mut a = app("داعش انسحب من دير الزور");
    press(&mut a, "tab tab enter");
    assert_eq!(shown(&mut a), "{ORG:داعش} انسحب من [LOC:دير الزور]");
}

#[test]
fn d_rejects_a_suggestion_and_stays_so_a_selection_starts_there() {
    let mut a = app(NEWS);
    press(&mut a, "tab tab d");
    assert_eq!(a.message(), Some("suggestion «داعش» rejected"));
    assert_eq!(a.cursor_byte(), NEWS.find("داعش").unwrap(), "d stays");
    // x goes on, d does not: v e here selects the word the suggestion was on.
    press(&mut a, "v e 1");
    assert_eq!(
        shown(&mut a),
        "قال {ORG:الجيش السوري} إن [PER:داعش] انسحب من {LOC:دير الزور}"
    );
}

#[test]
fn d_asks_before_marking_done_while_suggestions_are_left() {
    let mut a = app(NEWS);
    press(&mut a, "D");
    assert_eq!(a.message(), Some("mark done? 3 suggestions left (y/n)"));
    assert!(!a.review().done(), "asked, not done yet");
    // Esc is no, and does nothing else.
    press(&mut a, "esc");
    assert_eq!(a.message(), Some("not marked done"));
    assert!(!a.review().done());
    // Any key but y is no, and is not acted on.
    press(&mut a, "D tab");
    assert!(!a.review().done());
    assert!(a.span_at_cursor().is_none(), "the Tab only answered");
    press(&mut a, "D y");
    assert!(a.review().done());
    assert_eq!(a.message(), Some("document marked done"));
    // Taking the mark back asks nothing.
    press(&mut a, "D");
    assert!(!a.review().done());
    // With nothing left, D marks at once.
    let mut a = app(NEWS);
    press(&mut a, "tab enter enter enter D");
    assert!(a.review().done());
}

#[test]
fn selections_take_whole_words_unless_started_with_alt() {
    // Nothing is suggested here.
    let text = "ثم عاد الرجل إلى بيته";
    assert_eq!(after(text, ""), text);
    // w lands on the next word's first letter; the selection still ends a word.
    assert_eq!(after(text, "v w 4"), "[FAC:ثم عاد] الرجل إلى بيته");
    // e goes to the end of the word: one word.
    assert_eq!(after(text, "v e 4"), "[FAC:ثم] عاد الرجل إلى بيته");
    assert_eq!(after(text, "w e e 4 4"), "ثم عاد [FAC:الرجل] إلى بيته");
    // From the middle of a word, both ends go out to whole words.
    assert_eq!(after(text, "w ctrl-f v w 4"), "ثم [FAC:عاد الرجل] إلى بيته");
    // With Alt, exactly the letters chosen.
    assert_eq!(after(text, "alt-v w 4"), "[FAC:ثم ع]اد الرجل إلى بيته");
    // A proclitic before a name stays outside the selection.
    assert_eq!(
        after("ثم وصل وفد الجيش", "w w v w 2"),
        "ثم وصل [ORG:وفد الجيش]",
    );
    assert_eq!(after("ثم عاد والجيش", "w w v e 2"), "ثم عاد و[ORG:الجيش]");
}

#[test]
fn a_double_tap_on_a_proclitic_settles_the_suggestion_after_it() {
    let text = "قال إن القصف طال وحمص أمس";
    let mut a = app(text);
    assert_eq!(shown(&mut a), "قال إن القصف طال و{LOC:حمص} أمس");
    a.put_cursor(0, text.find("وحمص").unwrap());
    press(&mut a, "2");
    assert_eq!(a.message(), Some("press 2 again to label «حمص» as ORG"));
    press(&mut a, "2");
    assert_eq!(shown(&mut a), "قال إن القصف طال و[ORG:حمص] أمس");
    assert!(a.message().unwrap().starts_with("accepted «حمص» as ORG"));
}

#[test]
fn label_keys_without_a_label_say_so_and_undo_names_what_it_undid() {
    let mut a = app(NEWS);
    press(&mut a, "tab 7");
    assert_eq!(
        a.message(),
        Some("no label on 7: the labels are 1 PER, 2 ORG, 3 LOC, 4 FAC, 5 DATE, 6 QTY")
    );
    assert!(shown(&mut a).starts_with("قال {ORG:الجيش السوري}"));
    press(&mut a, "enter u");
    assert_eq!(
        a.message(),
        Some("undid: accept «الجيش السوري» ORG (0 more to undo)")
    );
    press(&mut a, "ctrl-r");
    assert_eq!(a.message(), Some("redid: accept «الجيش السوري» ORG"));
}

#[test]
fn p_accepts_the_rest_of_the_paragraph_and_u_takes_it_all_back() {
    let text = format!("{NEWS}\n\nوأعلن داعش مسؤوليته");
    let mut a = app(&text);
    press(&mut a, "tab tab P");
    assert_eq!(
        shown(&mut a),
        format!(
            "قال {{ORG:الجيش السوري}} إن [ORG:داعش] انسحب من [LOC:دير الزور]\n\n\
             وأعلن {{ORG:داعش}} مسؤوليته"
        )
    );
    assert_eq!(a.cursor().para, 1, "on to the next paragraph's suggestion");
    press(&mut a, "u");
    assert_eq!(shown(&mut a), after(&text, ""));
}

#[test]
fn a_span_with_a_number_resizes_by_its_sides_on_screen_and_stays_whole() {
    // On screen: "137 اللواء", the number reading left to right at the span's left.
    let text = "وصل الجيش إلى محيط اللواء 137 المحاصر";
    let mut a = app(text);
    a.put_cursor(0, text.find("اللواء").unwrap());
    assert!(
        shown(&mut a).contains("{FAC:اللواء 137}"),
        "{}",
        shown(&mut a)
    );
    // One character off the left edge would leave 13 apart from the rest with 7
    // bare between: the number goes whole, and the message says so.
    // The space it bares goes too: a span never ends on one.
    press(&mut a, "alt-,");
    assert!(
        shown(&mut a).contains("{FAC:اللواء} 137"),
        "{}",
        shown(&mut a)
    );
    assert_eq!(
        a.message(),
        Some("end (left edge) shrunk by «137»: «اللواء»")
    );
    // Back out: the space, then the number whole.
    press(&mut a, "alt-<");
    assert_eq!(
        a.message(),
        Some("end (left edge) widened by a space: «اللواء »")
    );
    press(&mut a, "alt-<");
    assert!(
        shown(&mut a).contains("{FAC:اللواء 137}"),
        "{}",
        shown(&mut a)
    );
    // The right edge is the span's start: one letter at a time.
    press(&mut a, "alt-.");
    assert!(
        shown(&mut a).contains("ا{FAC:للواء 137}"),
        "{}",
        shown(&mut a)
    );
    // A span that is only the number steps letter by letter, in screen order.
    let text = "وصل الجيش إلى محيط اللواء 137 المحاصر";
    let mut a = app(text);
    let n = text.find("137").unwrap();
    a.put_cursor(0, n);
    press(&mut a, "d alt-v right right 6");
    assert!(shown(&mut a).contains("[QTY:137]"), "{}", shown(&mut a));
    press(&mut a, "alt-,");
    assert!(shown(&mut a).contains("1[QTY:37]"), "{}", shown(&mut a));
    press(&mut a, "alt-.");
    assert!(shown(&mut a).contains("1[QTY:3]7"), "{}", shown(&mut a));
}

#[test]
fn a_span_starting_with_a_number_in_arabic_widens_on_the_side_pressed() {
    // "3 كلم" runs right to left as a whole: its left edge is where it ends.
    let text = "باتوا على بعد 3 كلم من فك الحصار";
    let mut a = app(text);
    a.put_cursor(0, text.find('3').unwrap());
    assert!(shown(&mut a).contains("{QTY:3 كلم}"), "{}", shown(&mut a));
    press(&mut a, "<");
    assert!(
        shown(&mut a).contains("{QTY:3 كلم من}"),
        "{}",
        shown(&mut a)
    );
    assert_eq!(
        a.message(),
        Some("end (left edge) widened by «من»: «3 كلم من»")
    );
}

#[test]
fn keys_under_the_help_close_it_and_change_nothing_out_of_sight() {
    let mut a = app(NEWS);
    let before = shown(&mut a);
    // Enter, x, a label key, f: none of them acts on the text the help covers.
    for key in ["enter", "x", "2", "f", "D"] {
        press(&mut a, &format!("tab ? {key}"));
        assert!(!a.help_visible(), "{key} closed the help");
        assert_eq!(a.message(), Some("help closed: nothing done"), "{key}");
        assert_eq!(
            shown(&mut a),
            before,
            "{key} changed the spans under the help"
        );
        assert!(!a.review().done());
    }
    // The help's own keys still scroll and close it.
    press(&mut a, "? down esc");
    assert!(!a.help_visible());
    assert_eq!(a.message(), None);
}

#[test]
fn esc_and_a_key_in_one_packet_close_the_search_prompt_and_the_key_acts() {
    // Over SSH, Esc then x can arrive together, read as alt-x.
    let mut a = app(NEWS);
    press(&mut a, "tab / text:انسحب alt-x");
    assert_eq!(a.prompt(), None, "the prompt closed");
    // The x acted as x, not as a letter of the query: the search never ran, and the
    // suggestion under the cursor (الجيش السوري) is rejected.
    assert_eq!(
        shown(&mut a),
        "قال الجيش السوري إن {ORG:داعش} انسحب من {LOC:دير الزور}"
    );
}
