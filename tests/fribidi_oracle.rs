//! The layout must agree with GNU FriBidi (the reference UBA used by GNOME and mlterm)
//! on every line of the oracle: levels, visual order, mirrored text and joined forms.
//!
//! Compared cluster by cluster, since a terminal cell holds a whole grapheme cluster:
//! FriBidi's per-character visual order is folded onto our clusters. One documented
//! difference: a ZWNJ belongs to the cluster before it (UAX #29), where FriBidi, which
//! knows no clusters, places it on its own; it is invisible either way.

use raqim::layout::{Direction, LayoutOptions, Shaping, layout_paragraph};
use serde::Deserialize;

#[derive(Deserialize)]
struct Oracle {
    text: String,
    base: String,
    resolved_base: String,
    levels: Vec<u8>,
    visual_to_logical: Vec<usize>,
    visual_unshaped: String,
    fribidi_visual: String,
}

fn cases() -> Vec<Oracle> {
    let data = include_str!("fixtures/fribidi/fribidi-oracle.jsonl");
    data.lines()
        .map(|l| serde_json::from_str(l).expect("oracle line"))
        .collect()
}

fn opts(base: &str, shaping: Shaping) -> LayoutOptions {
    LayoutOptions {
        width: 0,
        direction: match base {
            "rtl" => Direction::Rtl,
            "auto" => Direction::Auto,
            other => panic!("unknown base {other}"),
        },
        shaping,
        show_controls: false,
    }
}

/// Code point index of every byte offset that starts a character.
fn cp_of_byte(text: &str) -> std::collections::HashMap<usize, usize> {
    text.char_indices()
        .enumerate()
        .map(|(cp, (b, _))| (b, cp))
        .collect()
}

fn without_joiners(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{200C}' | '\u{200D}'))
        .collect()
}

#[test]
fn every_oracle_case_is_checked() {
    let cases = cases();
    assert_eq!(cases.len(), 40);
    let lines = include_str!("fixtures/fribidi/lines.txt").lines().count();
    assert_eq!(cases.len(), 2 * lines);
}

#[test]
fn levels_agree_with_fribidi() {
    for case in cases() {
        let lay = layout_paragraph(&case.text, &opts(&case.base, Shaping::Terminal));
        assert_eq!(lay.lines.len(), 1);
        let cps = cp_of_byte(&case.text);
        for cell in &lay.lines[0].cells {
            let cluster = &case.text[cell.logical()];
            let first = cps[&(cell.start as usize)];
            for i in 0..cluster.chars().count() {
                assert_eq!(
                    cell.level,
                    case.levels[first + i],
                    "{} ({}): level of character {}",
                    case.text,
                    case.base,
                    first + i
                );
            }
        }
        let base_rtl = case.resolved_base.ends_with('R');
        assert_eq!(
            lay.rtl, base_rtl,
            "{} ({}): direction",
            case.text, case.base
        );
    }
}

#[test]
fn visual_order_agrees_with_fribidi() {
    for case in cases() {
        let lay = layout_paragraph(&case.text, &opts(&case.base, Shaping::Terminal));
        let cps = cp_of_byte(&case.text);
        // Cluster ordinal of every code point.
        let starts: Vec<usize> = lay
            .cluster_starts()
            .iter()
            .map(|&b| cps[&(b as usize)])
            .collect();
        let cluster_of = |cp: usize| starts.partition_point(|&s| s <= cp) - 1;
        let mut expected: Vec<usize> = Vec::new();
        for &cp in &case.visual_to_logical {
            let k = cluster_of(cp);
            if !expected.contains(&k) {
                expected.push(k);
            }
        }
        let got: Vec<usize> = lay.lines[0]
            .cells
            .iter()
            .map(|c| cluster_of(cps[&(c.start as usize)]))
            .collect();
        assert_eq!(got, expected, "{} ({})", case.text, case.base);
    }
}

#[test]
fn mirrored_visual_text_agrees_with_fribidi() {
    for case in cases() {
        let doc = raqim::document::Document::from_text("t", case.text.clone(), false, false);
        let mut out = Vec::new();
        raqim::render::render(
            &doc,
            &opts(&case.base, Shaping::Terminal),
            raqim::render::Format::Json,
            &mut out,
        )
        .unwrap();
        let line: raqim::render::JsonLine =
            serde_json::from_str(std::str::from_utf8(&out).unwrap().trim()).unwrap();
        assert_eq!(
            without_joiners(&line.text),
            without_joiners(&case.visual_unshaped),
            "{} ({})",
            case.text,
            case.base
        );
    }
}

#[test]
fn joined_forms_agree_with_fribidi_where_it_makes_no_ligature() {
    let mut compared = 0;
    for case in cases() {
        // FriBidi fuses lam-alef into one ligature; raqim keeps one cell per letter.
        if case
            .fribidi_visual
            .chars()
            .any(|c| ('\u{FEF5}'..='\u{FEFC}').contains(&c))
        {
            continue;
        }
        let lay = layout_paragraph(&case.text, &opts(&case.base, Shaping::App));
        let painted = without_joiners(&lay.lines[0].painted());
        let expected: String = without_joiners(&case.fribidi_visual)
            .chars()
            .filter(|&c| !raqim::layout::is_bidi_control(c))
            .collect();
        assert_eq!(painted, expected, "{} ({})", case.text, case.base);
        compared += 1;
    }
    assert!(compared >= 20, "only {compared} lines compared");
}
