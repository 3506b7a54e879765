//! Invariants of the layout that a user would see break: a letter missing or drawn
//! twice, a cursor that lands somewhere else than where it was put, a line that
//! overflows the screen, a crash on odd text.

use proptest::prelude::*;
use raqim::layout::{Direction, LayoutOptions, Shaping, layout_paragraph};

/// Text built from the pieces that make RTL layout hard.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(vec![
            "قال", "الجيش", "السوري", "لا", "دير", "الزور", "قالَ", "مثلاً", "الـــقـــافـــلـــة",
            "حزب\u{200C}الله", "٢٠٢٤", "3", "12.5%", "NATO", "www.example.com", "(", ")", "[", "]",
            "«", "»", "\"", ".", "،", "-", "中文", "😀", "👩\u{200D}👩\u{200D}👧",
        ]).prop_map(str::to_string),
        4 => Just(" ".to_string()),
        1 => prop::sample::select(vec![
            "\u{200E}", "\u{200F}", "\u{061C}", "\u{202A}", "\u{202B}", "\u{202D}", "\u{202E}",
            "\u{202C}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{1b}", "\t", "\u{9b}",
            "\u{064E}", "\u{200B}", "\u{FEFF}", "\u{0640}", "  ",
        ]).prop_map(str::to_string),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::Auto),
        Just(Direction::Rtl),
        Just(Direction::Ltr)
    ]
}

fn options() -> impl Strategy<Value = LayoutOptions> {
    (0usize..50, direction(), any::<bool>(), any::<bool>()).prop_map(|(w, d, app, show)| {
        LayoutOptions {
            width: w,
            direction: d,
            shaping: if app { Shaping::App } else { Shaping::Terminal },
            show_controls: show,
        }
    })
}

fn check(text: &str, opts: &LayoutOptions) -> Result<(), TestCaseError> {
    let lay = layout_paragraph(text, opts);
    // Every logical cluster lands in exactly one cell: the cells, sorted by logical
    // start, tile the paragraph with no gap and no overlap.
    let mut ranges: Vec<(u32, u32)> = lay
        .lines
        .iter()
        .flat_map(|l| l.cells.iter().map(|c| (c.start, c.end)))
        .collect();
    ranges.sort();
    prop_assert_eq!(ranges.len(), lay.cluster_count());
    let mut at = 0u32;
    for (s, e) in &ranges {
        prop_assert_eq!(*s, at, "gap or overlap at byte {}", at);
        prop_assert!(e > s);
        at = *e;
    }
    prop_assert_eq!(at as usize, text.len());

    for (li, line) in lay.lines.iter().enumerate() {
        // Cells sit left to right without overlapping, widths add up.
        let mut x = line.cells.first().map_or(0, |c| c.col);
        for c in &line.cells {
            prop_assert_eq!(c.col, x);
            x += c.width as u32;
        }
        let total: usize = line.cells.iter().map(|c| c.width as usize).sum();
        prop_assert_eq!(total, line.width);
        if opts.width > 0 {
            // Nothing past the margin unless one cluster alone is wider than it.
            let widest = line
                .cells
                .iter()
                .map(|c| c.width as usize)
                .max()
                .unwrap_or(0);
            if widest <= opts.width {
                prop_assert!(
                    line.width <= opts.width,
                    "line {} is {} wide",
                    li,
                    line.width
                );
                if lay.rtl && line.width > 0 {
                    prop_assert_eq!(x as usize, opts.width, "RTL line {} not right-aligned", li);
                }
            }
        }
        // No raw control character is ever painted.
        for c in &line.cells {
            let g = line.glyph(c);
            prop_assert!(
                !g.chars()
                    .any(|ch| ch.is_control() || raqim::layout::is_bidi_control(ch))
            );
        }
    }

    // offset -> cell -> offset round-trips for every cluster.
    for &s in lay.cluster_starts() {
        let (l, ci) = lay.locate(s as usize).unwrap();
        let cell = lay.lines[l].cells[ci];
        prop_assert_eq!(cell.start, s);
        if cell.width > 0 {
            prop_assert_eq!(lay.position_of(s as usize), Some((l, cell.col as usize)));
            prop_assert_eq!(lay.offset_at(l, cell.col as usize), Some(s as usize));
            prop_assert_eq!(
                lay.offset_at(l, cell.col as usize + cell.width as usize - 1),
                Some(s as usize)
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn invariants_hold_on_tricky_text(text in tricky_text(), opts in options()) {
        check(&text, &opts)?;
    }

    #[test]
    fn invariants_hold_on_arbitrary_unicode(text in any::<String>(), opts in options()) {
        // Layout takes one paragraph; line breaks are the document's business.
        let text: String = text.chars().filter(|c| !matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')).collect();
        check(&text, &opts)?;
    }

    #[test]
    fn no_panic_even_with_line_breaks_inside(text in any::<String>(), w in 0usize..8) {
        let lay = layout_paragraph(&text, &LayoutOptions { width: w, ..LayoutOptions::default() });
        prop_assert!(!lay.lines.is_empty());
    }
}

#[test]
fn wrapped_rtl_lines_read_in_logical_order_top_to_bottom() {
    // Wrapping happens before reordering: the first screen line holds the first
    // words of the sentence, not the last.
    let text = "قال 3 كلم عن NATO اليوم";
    let lay = layout_paragraph(
        text,
        &LayoutOptions {
            width: 10,
            shaping: Shaping::Terminal,
            ..LayoutOptions::default()
        },
    );
    let rows: Vec<String> = lay.lines.iter().map(|l| l.painted()).collect();
    assert_eq!(rows, vec![" ملك 3 لاق", " NATO نع", "مويلا"]);
    // Right-aligned: the first letter of each line sits at the right margin.
    for l in &lay.lines {
        assert_eq!(l.cells.last().unwrap().col as usize + 1, 10);
    }
}

#[test]
fn paragraph_starting_with_latin_can_be_forced_rtl() {
    let text = "NATO قالت إن الاجتماع سيعقد";
    let auto = layout_paragraph(
        text,
        &LayoutOptions {
            width: 0,
            ..LayoutOptions::default()
        },
    );
    let rtl = layout_paragraph(
        text,
        &LayoutOptions {
            width: 0,
            direction: Direction::Rtl,
            ..LayoutOptions::default()
        },
    );
    assert!(!auto.rtl);
    assert!(rtl.rtl);
    // Forced RTL: NATO is read first, so it stands at the right end (still LTR).
    let painted = rtl.lines[0].painted();
    assert!(painted.ends_with(" NATO"), "{painted}");
    assert!(auto.lines[0].painted().starts_with("NATO "));
}

#[test]
fn a_word_longer_than_the_line_is_broken_by_clusters_at_width_one() {
    let text = "قالَ";
    let lay = layout_paragraph(
        text,
        &LayoutOptions {
            width: 1,
            ..LayoutOptions::default()
        },
    );
    assert_eq!(lay.lines.len(), 3);
    assert_eq!(&text[lay.lines[2].cells[0].logical()], "لَ");
}
