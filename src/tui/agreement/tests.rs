//! Buffer tests of the agreement screen: what a user would notice. Reports come from
//! `agreement::compute` on small documents, never from hand-written figures.

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;

use super::*;
use crate::agreement::{DocLayers, Options, Span as Mark, compute};
use crate::tui::tests_pane::row;

/// "قال ماكرون في باريس إن فرنسا": ماكرون 4..10, باريس 14..19, فرنسا 23..28.
const TEXT: &str = "قال ماكرون في باريس إن فرنسا";

type Spans<'s> = &'s [(usize, usize, &'s str)];

/// PER, LOC, LOC.
const AMAL: Spans = &[(4, 10, "PER"), (14, 19, "LOC"), (23, 28, "LOC")];
/// As amal, but فرنسا an ORG: F1 with amal 2/3 (yellow).
const BASEL: Spans = &[(4, 10, "PER"), (14, 19, "LOC"), (23, 28, "ORG")];
/// ماكرون an ORG only: F1 0 with everyone (red).
const CYRUS: Spans = &[(4, 10, "ORG")];

fn doc(id: &str, layers: &[(&str, Spans)]) -> DocLayers {
    DocLayers {
        id: id.to_string(),
        text: TEXT.to_string(),
        layers: layers
            .iter()
            .map(|(name, spans)| {
                let spans = spans.iter().map(|&(s, e, l)| Mark::new(s, e, l)).collect();
                (name.to_string(), spans)
            })
            .collect(),
    }
}

fn report(docs: &[DocLayers]) -> Report {
    compute(docs, &Options::default()).unwrap()
}

/// amal, basel, cyrus and dana (= amal: F1 1, green) on one document.
fn four() -> Report {
    report(&[doc(
        "d1",
        &[
            ("amal", AMAL),
            ("basel", BASEL),
            ("cyrus", CYRUS),
            ("dana", AMAL),
        ],
    )])
}

fn view() -> AgreementView {
    AgreementView {
        shaping: Shaping::Terminal,
        ..AgreementView::default()
    }
}

/// The screen at `w`x`h`.
fn screen(report: &Report, view: &AgreementView, w: u16, h: u16) -> Buffer {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    render(area, &mut buf, report, view);
    buf
}

fn rows(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height).map(|y| row(buf, y)).collect()
}

/// The screen's words, rows run together, as one reads a wrapped message.
fn words(buf: &Buffer) -> String {
    rows(buf)
        .iter()
        .flat_map(|r| r.split_whitespace())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first column at or after `from` where `text` starts on row `y`, cell by cell.
fn find_from(buf: &Buffer, y: u16, from: u16, text: &str) -> Option<u16> {
    let want: Vec<String> = text.chars().map(String::from).collect();
    let w = buf.area.width as usize;
    (from as usize..w.saturating_sub(want.len() - 1))
        .find(|&x| {
            want.iter()
                .enumerate()
                .all(|(i, c)| buf[(x as u16 + i as u16, y)].symbol() == c)
        })
        .map(|x| x as u16)
}

fn find(buf: &Buffer, y: u16, text: &str) -> Option<u16> {
    find_from(buf, y, 0, text)
}

/// The first row at or below `from` holding every one of `parts`.
fn row_with(buf: &Buffer, from: u16, parts: &[&str]) -> Option<u16> {
    (from..buf.area.height).find(|&y| {
        let r = row(buf, y);
        parts.iter().all(|p| r.contains(p))
    })
}

fn press(view: &mut AgreementView, report: &Report, code: KeyCode) -> bool {
    let km = Keymap::default_keymap();
    view.key(&KeyEvent::new(code, KeyModifiers::NONE), &km, report)
}

#[test]
fn the_ramp_is_red_yellow_green_at_a_half_and_four_fifths() {
    assert_eq!(f1_colour(0.0), Color::Red);
    assert_eq!(f1_colour(0.499), Color::Red);
    assert_eq!(f1_colour(0.5), Color::Yellow);
    assert_eq!(f1_colour(0.799), Color::Yellow);
    assert_eq!(f1_colour(0.8), Color::Green);
    assert_eq!(f1_colour(1.0), Color::Green);
}

#[test]
fn the_header_says_annotators_documents_and_fleiss_kappa() {
    let r = four();
    let buf = screen(&r, &view(), 100, 30);
    let top = row(&buf, 0);
    assert!(top.contains("4 annotators"), "{top}");
    assert!(top.contains("1 document with 2+ of them"), "{top}");
    let kappa = format!("Fleiss' kappa {}", shown(r.fleiss_kappa));
    assert!(top.contains(&kappa), "{top}");
}

#[test]
fn each_heatmap_cell_shows_its_f1_in_the_colour_of_its_range() {
    let r = four();
    let buf = screen(&r, &view(), 100, 30);
    let all = rows(&buf).join("\n");
    // The heatmap's row of amal: — against itself, then basel, cyrus, dana.
    let y = row_with(&buf, 1, &["amal", "—", "0.67"]).expect(&all);
    let cells = [
        ("0.67", Color::Yellow),
        ("0.00", Color::Red),
        ("1.00", Color::Green),
    ];
    let mut from = 0;
    for (figure, colour) in cells {
        let x = find_from(&buf, y, from, figure)
            .unwrap_or_else(|| panic!("{figure} after column {from}:\n{all}"));
        assert_eq!(buf[(x, y)].bg, colour, "{figure} at {x}:\n{all}");
        from = x + 1;
    }
    // The diagonal reads — and is not filled.
    let dash = find(&buf, y, "—").unwrap();
    assert_eq!(buf[(dash, y)].bg, Color::Reset);
    // The names across the top too.
    assert!(row_with(&buf, 1, &["amal", "basel", "cyrus", "dana"]).is_some_and(|h| h < y));
}

#[test]
fn a_label_bar_shows_the_selected_pairs_f1_with_its_figure() {
    let r = four();
    let mut v = view();
    // Tab: the first pair, amal and basel.
    assert!(press(&mut v, &r, KeyCode::Tab));
    assert_eq!(v.selected, Some(0));
    let buf = screen(&r, &v, 100, 30);
    let all = rows(&buf).join("\n");
    assert!(all.contains("F1 per label: amal × basel"), "{all}");
    // Its cell in the heatmap is bracketed.
    assert!(all.contains("[0.67]"), "{all}");
    // PER: both agree, 1.00 on a green bar; ORG: basel only, 0.00.
    let y = row_with(&buf, 1, &["PER", "1.00"]).expect(&all);
    let x = find(&buf, y, "1.00").unwrap();
    assert_eq!(buf[(x, y)].bg, Color::Green, "{all}");
    assert!(row(&buf, y).contains("█"), "{all}");
    let y = row_with(&buf, 1, &["LOC", "0.67"]).expect(&all);
    assert!(row(&buf, y).contains("█"), "{all}");
    assert!(row_with(&buf, 1, &["ORG", "0.00"]).is_some(), "{all}");
    // Shift-tab goes back through "all pairs": the mean per label.
    press(&mut v, &r, KeyCode::BackTab);
    assert_eq!(v.selected, None);
    let buf = screen(&r, &v, 100, 30);
    assert!(rows(&buf).join("\n").contains("mean of the pairs"));
}

#[test]
fn the_table_lists_every_pair_and_each_annotator_against_gold() {
    let r = report(&[doc(
        "d1",
        &[("amal", AMAL), ("basel", BASEL), ("gold", AMAL)],
    )]);
    let buf = screen(&r, &view(), 100, 30);
    let all = rows(&buf).join("\n");
    assert!(
        row_with(&buf, 1, &["amal", "basel", "1", "0.667"]).is_some(),
        "{all}"
    );
    let heading = row_with(&buf, 1, &["against gold"]).expect(&all);
    assert!(
        row_with(&buf, heading, &["amal", "gold", "1.000"]).is_some(),
        "{all}"
    );
    assert!(
        row_with(&buf, heading, &["basel", "gold", "0.667"]).is_some(),
        "{all}"
    );
    // The heatmap has a gold column: amal against gold is green.
    let y = row_with(&buf, 1, &["amal", "—", "0.67", "1.00"]).expect(&all);
    let x = find(&buf, y, "1.00").unwrap();
    assert_eq!(buf[(x, y)].bg, Color::Green);
}

#[test]
fn forty_by_twelve_keeps_the_table_and_draws_nothing_outside_its_area() {
    let r = four();
    let mut v = view();
    for _ in 0..3 {
        press(&mut v, &r, KeyCode::Tab);
    }
    // The area in the middle of a larger buffer: every cell outside stays as it was.
    let outer = Rect::new(0, 0, 60, 20);
    let area = Rect::new(7, 4, 40, 12);
    let mut buf = Buffer::filled(outer, ratatui::buffer::Cell::new("x"));
    render(area, &mut buf, &r, &v);
    for y in 0..outer.height {
        for x in 0..outer.width {
            if !area.contains((x, y).into()) {
                assert_eq!(buf[(x, y)].symbol(), "x", "{x},{y}");
            }
        }
    }
    let all = rows(&buf).join("\n");
    assert!(all.contains("4 annotators"), "{all}");
    // The selected pair, amal and dana, in the table with its figures.
    assert!(
        row_with(&buf, 0, &["amal", "dana", "1.000"]).is_some(),
        "{all}"
    );
    assert!(all.contains("q close"), "{all}");
    // The bars were dropped first; with a few more rows and columns they come back.
    assert!(!all.contains("F1 per label"), "{all}");
    let all = rows(&screen(&r, &v, 64, 20)).join("\n");
    assert!(all.contains("F1 per label: amal × dana"), "{all}");
    assert!(all.contains("F1 by pair"), "{all}");
    // Everything smaller does not panic either.
    for (w, h) in [
        (40, 12),
        (1, 1),
        (2, 3),
        (10, 4),
        (39, 11),
        (20, 40),
        (200, 3),
        (64, 12),
    ] {
        screen(&r, &v, w, h);
    }
}

#[test]
fn with_no_pair_the_screen_says_there_is_nothing_to_compare() {
    // One annotator.
    let r = report(&[doc("d1", &[("amal", AMAL)])]);
    let all = words(&screen(&r, &view(), 60, 12));
    assert!(all.contains("nothing to compare yet"), "{all}");
    assert!(all.contains("only one annotator (amal)"), "{all}");
    // Two, never on the same document.
    let r = report(&[doc("d1", &[("amal", AMAL)]), doc("d2", &[("basel", BASEL)])]);
    assert_eq!(r.pairs.len(), 1);
    let all = words(&screen(&r, &view(), 40, 12));
    assert!(
        all.contains("no two layers have marked the same document done"),
        "{all}"
    );
    // None at all; the keys still close it.
    let r = report(&[]);
    let mut v = view();
    let all = words(&screen(&r, &v, 40, 12));
    assert!(all.contains("nothing to compare yet"), "{all}");
    assert!(!press(&mut v, &r, KeyCode::Char('z')));
    press(&mut v, &r, KeyCode::Tab);
    assert_eq!(v.selected, None);
    assert!(press(&mut v, &r, KeyCode::Esc));
    assert!(v.closed());
}

#[test]
fn many_annotators_with_long_and_arabic_names_scroll_the_heatmap_to_the_selection() {
    let mut names: Vec<String> = (0..9).map(|i| format!("annotator-number-{i}")).collect();
    names.push("سارة".to_string());
    let layers: Vec<(&str, Spans)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), if i % 2 == 0 { AMAL } else { BASEL }))
        .collect();
    let r = report(&[doc("d1", &layers)]);
    assert_eq!(r.pairs.len(), 45);
    let mut v = view();
    // End: the last pair, annotator-number-9 and سارة (names sort Latin first).
    press(&mut v, &r, KeyCode::Char('G'));
    assert_eq!(v.selected, Some(44));
    let buf = screen(&r, &v, 100, 30);
    let all = rows(&buf).join("\n");
    // سارة as laid out right to left, cells left to right.
    let sara = v.visual("سارة", 20);
    assert_eq!(sara, "ةراس");
    assert!(all.contains(&sara), "{all}");
    // The selected cell, in brackets, is in view: the heatmap scrolled.
    assert!(all.contains("[0.67]") || all.contains("[1.00]"), "{all}");
    assert!(all.contains("F1 by pair ·"), "{all}");
    // Long names keep their start and end, which tell them apart; the heatmap's
    // columns are numbered, its rows say whose number is whose.
    assert!(all.contains("annotat…mber-8"), "{all}");
    assert!(row_with(&buf, 1, &[" 9    10 "]).is_some(), "{all}");
    assert!(row_with(&buf, 1, &["10 ", &sara, "—"]).is_some(), "{all}");
    for (w, h) in [(40, 12), (64, 20), (120, 50), (41, 13)] {
        screen(&r, &v, w, h);
    }
}

#[test]
fn tab_cycles_through_the_pairs_then_gold_then_all_pairs() {
    let r = report(&[doc(
        "d1",
        &[("amal", AMAL), ("basel", BASEL), ("gold", AMAL)],
    )]);
    let mut v = view();
    let mut seen = Vec::new();
    for _ in 0..4 {
        press(&mut v, &r, KeyCode::Tab);
        seen.push(v.selected);
    }
    assert_eq!(seen, [Some(0), Some(1), Some(2), None]);
    press(&mut v, &r, KeyCode::Up);
    assert_eq!(v.selected, Some(2));
    let buf = screen(&r, &v, 100, 30);
    let all = rows(&buf).join("\n");
    assert!(all.contains("F1 per label: basel vs gold"), "{all}");
    press(&mut v, &r, KeyCode::Char('g'));
    assert_eq!(v.selected, None);
    assert!(!v.closed());
    press(&mut v, &r, KeyCode::Char('q'));
    assert!(v.closed());
}

#[test]
fn an_arabic_name_reads_right_to_left_and_goes_out_by_word_for_kitty() {
    let r = report(&[doc("d1", &[("amal", AMAL), ("سارة", BASEL)])]);
    let all = rows(&screen(&r, &view(), 80, 20)).join("\n");
    // Cells left to right: the letters right to left, as the article's text.
    assert!(all.contains("ةراس"), "{all}");
    // kitty shapes each Arabic word right to left itself: it gets the word's
    // letters in logical order and puts each back on its cell.
    let kitty = AgreementView {
        profile: Profile::Kitty,
        ..view()
    };
    let all = rows(&screen(&r, &kitty, 80, 20)).join("\n");
    assert!(all.contains("سارة") && !all.contains("ةراس"), "{all}");
}

/// A database where amal and basel have each marked their layer of one document done.
fn team_db(dir: &std::path::Path) -> std::path::PathBuf {
    use crate::store::{Change, NewSpan, Store};
    let db = dir.join("team.db");
    let id = crate::document::document_id(TEXT);
    for (who, spans) in [("amal", AMAL), ("basel", BASEL)] {
        let mut store = Store::open(&db).unwrap();
        store.set_layer(who);
        store.add_document(&id, "news.txt", None, TEXT).unwrap();
        let changes: Vec<Change> = spans
            .iter()
            .map(|&(start, end, label)| {
                Change::Insert(NewSpan {
                    start,
                    end,
                    label: label.into(),
                    state: crate::annotation::State::Accepted,
                    source: "analyst".into(),
                    score: 1.0,
                })
            })
            .collect();
        store
            .commit(&id, "create", "{}", who, None, &changes)
            .unwrap();
        store.set_done(&id, true).unwrap();
    }
    db
}

#[test]
fn k_in_the_viewer_shows_the_teams_agreement_over_the_text_and_esc_closes_it() {
    let dir = tempfile::tempdir().unwrap();
    let settings = ViewSettings {
        team_db: Some(team_db(dir.path())),
        suggest: false,
        ..Default::default()
    };
    let doc = crate::document::Document::from_text("news.txt", TEXT.into(), false, false);
    let mut app = super::super::App::new(doc, settings);
    app.apply(Action::Agreement);
    let buf = crate::tui::tests_pane::draw_app(&mut app, 100, 30);
    let all: String = (0..30).map(|y| row(&buf, y)).collect();
    assert!(all.contains("amal") && all.contains("basel"), "{all}");
    assert!(
        all.contains("0.67"),
        "amal and basel agree on 2 of 3: {all}"
    );
    // A label key does nothing to the text under the screen.
    app.apply(Action::Label1);
    assert_eq!(app.session.review().ann.counts(), (0, 0, 0));
    app.apply(Action::Cancel);
    let buf = crate::tui::tests_pane::draw_app(&mut app, 100, 30);
    let all: String = (0..30).map(|y| row(&buf, y)).collect();
    assert!(!all.contains("basel"), "closed: {all}");
}

#[test]
fn k_without_a_database_says_there_is_no_team_to_compare() {
    let doc = crate::document::Document::from_text("news.txt", TEXT.into(), false, false);
    let mut app = super::super::App::new(doc, ViewSettings::default());
    app.apply(Action::Agreement);
    assert!(app.agreement.is_none());
    assert!(app.message.as_deref().unwrap().contains("no team"));
}
