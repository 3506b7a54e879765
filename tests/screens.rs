//! Snapshot tests of whole screens: the viewer rendered into a ratatui `Buffer` (no
//! terminal) at 80x24 and 40x12, compared with the files in `tests/snapshots/`
//! (`insta`; a missing or different snapshot fails: review a change with
//! `cargo insta review`, or `INSTA_UPDATE=always cargo test --test screens` and
//! `git diff`).
//!
//! Each snapshot holds the screen twice: its cells' symbols, then one mark per cell for
//! its style, so a highlight that loses its colour or its underline shows as a diff:
//!
//! | mark | style |
//! |---|---|
//! | `.` | none (the terminal's default) |
//! | `@` | reversed (the cursor, the selected row) |
//! | `+` | a background colour and underlined (the span under the cursor) |
//! | `#` | a background colour (a filled, accepted span; a bar) |
//! | `R` `G` `Y` `B` `M` `C` `W` `X` | underlined, in that colour (a suggestion): red, green, yellow, blue, magenta, cyan, white or grey, another |
//! | `r` `g` `y` `b` `m` `c` `w` `x` | only a foreground colour |
//! | `*` | bold or dim, no colour |

use std::path::Path;

use raqim::document::Document;
use raqim::tui::{Action, App, ViewSettings, render};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

const SAMPLE: &str = "samples/deir-ez-zor.txt";
const SIZES: [(u16, u16); 2] = [(80, 24), (40, 12)];

fn draw(app: &mut App, w: u16, h: u16) -> Buffer {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    render(area, &mut buf, app);
    buf
}

fn colour_class(c: Color) -> Option<char> {
    Some(match c {
        Color::Reset => return None,
        Color::Red | Color::LightRed => 'r',
        Color::Green | Color::LightGreen => 'g',
        Color::Yellow | Color::LightYellow => 'y',
        Color::Blue | Color::LightBlue => 'b',
        Color::Magenta | Color::LightMagenta => 'm',
        Color::Cyan | Color::LightCyan => 'c',
        Color::White | Color::Gray | Color::DarkGray | Color::Black => 'w',
        _ => 'x',
    })
}

fn mark(cell: &ratatui::buffer::Cell) -> char {
    let m = cell.modifier;
    if m.contains(Modifier::REVERSED) {
        return '@';
    }
    if colour_class(cell.bg).is_some() {
        return if m.contains(Modifier::UNDERLINED) {
            '+'
        } else {
            '#'
        };
    }
    if m.contains(Modifier::UNDERLINED) {
        let c = colour_class(cell.underline_color)
            .or(colour_class(cell.fg))
            .unwrap_or('w');
        return c.to_ascii_uppercase();
    }
    if let Some(c) = colour_class(cell.fg) {
        return c;
    }
    if m.intersects(Modifier::BOLD | Modifier::DIM) {
        return '*';
    }
    '.'
}

/// The screen as text: the symbols row by row between bars, then the marks.
fn screen(buf: &Buffer) -> String {
    let (w, h) = (buf.area.width, buf.area.height);
    let mut out = String::new();
    for y in 0..h {
        out.push('|');
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push_str("|\n");
    }
    out.push_str("style:\n");
    for y in 0..h {
        out.push('|');
        out.extend((0..w).map(|x| mark(&buf[(x, y)])));
        out.push_str("|\n");
    }
    out
}

fn sample() -> App {
    let doc = Document::open(Path::new(SAMPLE), false).unwrap();
    App::new(doc, ViewSettings::default())
}

#[test]
fn the_sample_with_its_highlights() {
    for (w, h) in SIZES {
        let mut app = sample();
        let buf = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("sample_{w}x{h}"), screen(&buf));
    }
}

#[test]
fn the_sample_after_an_accept_and_a_reject() {
    for (w, h) in SIZES {
        let mut app = sample();
        draw(&mut app, w, h);
        for a in [Action::NextPending, Action::Accept, Action::Reject] {
            app.apply(a);
            draw(&mut app, w, h);
        }
        let buf = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("sample_reviewed_{w}x{h}"), screen(&buf));
    }
}

#[test]
fn the_help_screen() {
    for (w, h) in SIZES {
        let mut app = sample();
        draw(&mut app, w, h);
        app.apply(Action::ToggleHelp);
        let buf = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("help_{w}x{h}"), screen(&buf));
    }
}

#[test]
fn the_end_of_the_help_with_the_labels_and_their_descriptions() {
    for (w, h) in SIZES {
        let mut app = sample();
        draw(&mut app, w, h);
        app.apply(Action::ToggleHelp);
        for _ in 0..40 {
            app.apply(Action::PageDown);
            draw(&mut app, w, h);
        }
        let buf = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("help_end_{w}x{h}"), screen(&buf));
    }
}

#[test]
fn the_search_prompt_with_arabic_typed() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    for (w, h) in SIZES {
        let mut app = sample();
        draw(&mut app, w, h);
        app.apply(Action::Search);
        for c in "دير".chars() {
            app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        let buf = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("search_prompt_{w}x{h}"), screen(&buf));
    }
}

#[test]
fn the_document_list_of_a_set() {
    // The set `raqim samples/unseen` opens: its articles, by name.
    let entries = raqim::session::set::load(Path::new("samples/unseen")).unwrap();
    let names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
    assert_eq!(names.len(), 4);
    let summaries = vec![
        "3 accepted · 1 rejected · done".to_string(),
        "not started".to_string(),
        "12 accepted · 0 rejected".to_string(),
        "not started".to_string(),
    ];
    for (w, h) in SIZES {
        let doc = entries[1].open(false).unwrap();
        let mut app = App::new(doc, ViewSettings::default());
        app.set_documents(names.clone(), summaries.clone(), 1);
        draw(&mut app, w, h);
        // It opens on the current document, whose progress is the live one.
        app.apply(Action::DocumentList);
        let buf = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("documents_{w}x{h}"), screen(&buf));
    }
}

/// The viewer's text takes the terminal's width less one blank column on each side:
/// at 120 columns it wraps every paragraph exactly as `raqim render --width 118`,
/// line for line.
#[test]
fn the_viewer_wraps_like_render_at_its_text_width() {
    use raqim::layout::LayoutOptions;
    use raqim::render::Format;
    let (w, h) = (120u16, 60u16);
    let doc = Document::open(Path::new(SAMPLE), false).unwrap();
    let mut out = Vec::new();
    let opts = LayoutOptions {
        width: (w - 2) as usize,
        ..LayoutOptions::default()
    };
    raqim::render::render(&doc, &opts, Format::Text, &mut out).unwrap();
    let rendered: Vec<String> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let mut app = App::new(doc, ViewSettings::default());
    let buf = draw(&mut app, w, h);
    let shown: Vec<String> = (1..h - 2)
        .map(|y| {
            (1..w - 1)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim()
                .to_string()
        })
        .filter(|l| !l.is_empty())
        .collect();
    assert!(shown.len() > 20, "the sample fills the screen");
    assert_eq!(shown, rendered[..shown.len()]);
}
