//! Grapheme clusters of a paragraph: where they are, what kind of thing each one is,
//! how many cells it takes and what glyph stands for it on screen.
//!
//! Owns the single width function of the program ([`cluster_width`]): widths are
//! measured one cluster at a time, never over a multi-cluster string (`"لا".width()`
//! is 1 but lam-alef takes 2 cells). Must not: reorder or wrap.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// What a cell holds, so the painter can style it and the analyst is never fooled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    /// Ordinary text.
    Text,
    /// A C0/C1 control (ESC, TAB, ...) shown as a visible picture, never sent raw.
    Control,
    /// A bidi formatting character (LRM, RLO, LRI, ...): applied by the algorithm.
    /// Embeddings, overrides and isolates are always shown as a mark, one cell; the
    /// implicit marks only with `show_controls`, otherwise zero cells wide.
    BidiControl,
    /// An invisible format character (ZWSP, word joiner, soft hyphen, BOM): zero cells.
    Invisible,
    /// A combining mark with no base letter before it, drawn on a dotted circle.
    LoneMark,
}

/// One grapheme cluster of a paragraph, as byte offsets into the paragraph.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cluster {
    pub start: u32,
    pub end: u32,
    pub width: u8,
    pub kind: CellKind,
    /// Whitespace: a line may end after it and it may hang past the margin.
    pub space: bool,
}

/// The glyph shown for explicit bidi formatting characters (always) and for the
/// implicit marks (with `show_controls`).
pub const BIDI_CONTROL_GLYPH: &str = "\u{205E}";
/// The base drawn under a combining mark that has none.
pub const DOTTED_CIRCLE: char = '\u{25CC}';

/// True for the bidi formatting characters of UAX #9 (explicit embeddings,
/// overrides, isolates and the implicit marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// "U+202E RIGHT-TO-LEFT OVERRIDE" for bidi and invisible format characters,
/// "U+001B control" for other controls, `None` for ordinary text.
pub fn control_name(c: char) -> Option<String> {
    let name = match c {
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{2060}' => "WORD JOINER",
        '\u{00AD}' => "SOFT HYPHEN",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        c if c.is_control() => "control",
        c if is_bidi_control(c) => "bidi control",
        _ => return None,
    };
    Some(format!("U+{:04X} {name}", c as u32))
}

/// The explicit bidi formatting characters (embeddings, overrides, isolates and
/// their ends): they can make text display as something else than it is ("Trojan
/// source"), so they are always shown as a mark. The implicit marks (LRM, RLM, ALM),
/// common in Arabic web text, are shown only with `show_controls`.
pub fn is_explicit_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether a bidi control cluster starting with `c` is drawn as a mark.
fn bidi_shown(c: char, show_controls: bool) -> bool {
    show_controls || is_explicit_bidi(c)
}

/// Format characters that draw nothing.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

/// The visible stand-in for a control character: the Control Pictures block for C0
/// and DEL, a substitute picture for C1.
pub fn control_picture(c: char) -> char {
    match c as u32 {
        0x00..=0x1F => char::from_u32(0x2400 + c as u32).unwrap_or('\u{2426}'),
        0x7F => '\u{2421}',
        _ => '\u{2426}',
    }
}

/// Cells taken by one grapheme cluster as text (0, 1 or 2). The one width function:
/// call it on a single cluster only.
pub fn cluster_width(cluster: &str) -> usize {
    cluster.width().min(2)
}

/// Classifies a single cluster and gives its width in cells.
pub(crate) fn classify(cluster: &str, show_controls: bool) -> (CellKind, usize) {
    let first = cluster.chars().next().unwrap_or(' ');
    if first.is_control() {
        (CellKind::Control, 1)
    } else if is_bidi_control(first) {
        (
            CellKind::BidiControl,
            usize::from(bidi_shown(first, show_controls)),
        )
    } else if is_invisible_format(first) {
        (CellKind::Invisible, 0)
    } else {
        match cluster_width(cluster) {
            0 => (CellKind::LoneMark, 1),
            w => (CellKind::Text, w),
        }
    }
}

/// Characters between which a grapheme boundary is certain (UAX #29 GB999): none is
/// a control, Prepend, Extend, SpacingMark, ZWJ, Hangul jamo, regional indicator or
/// pictographic. A boundary between two of them needs no segmentation tables.
fn is_simple(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{0621}'..='\u{064A}' | '\u{0660}'..='\u{066D}')
}

/// Splits a paragraph into extended grapheme clusters (unicode-segmentation), with a
/// fast path for a simple character followed by another.
pub(crate) fn segment(text: &str, show_controls: bool) -> Vec<Cluster> {
    use unicode_segmentation::GraphemeCursor;
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut i = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, first)) = chars.next() {
        if at < i {
            continue;
        }
        let next = chars.peek().map(|&(_, c)| c);
        let end = if is_simple(first) && next.is_none_or(is_simple) {
            at + first.len_utf8()
        } else {
            let mut cur = GraphemeCursor::new(at, text.len(), true);
            match cur.next_boundary(text, 0) {
                Ok(Some(e)) => e,
                _ => text.len(),
            }
        };
        let g = &text[at..end];
        let (kind, width, space) = if end == at + first.len_utf8() {
            // Single-character cluster (the common case): measure the char itself.
            let (kind, width) = match first {
                // Printable ASCII, Arabic letters and digits: one cell, no lookup.
                ' '..='~' | '\u{0621}'..='\u{064A}' | '\u{0660}'..='\u{066D}' => {
                    (CellKind::Text, 1)
                }
                c if c.is_control() => (CellKind::Control, 1),
                c if is_invisible_format(c) || is_bidi_control(c) => classify(g, show_controls),
                c => match c.width() {
                    Some(w @ 1..) => (CellKind::Text, w.min(2)),
                    _ => classify(g, show_controls),
                },
            };
            (kind, width, matches!(first, ' ' | '\u{3000}' | '\u{a0}'))
        } else {
            let (kind, width) = classify(g, show_controls);
            (kind, width, false)
        };
        out.push(Cluster {
            start: at as u32,
            end: end as u32,
            width: width as u8,
            kind,
            space,
        });
        i = end;
    }
    out
}

/// Appends the glyph painted for a cluster to `out`. `replace_first` substitutes the
/// first character (a mirrored bracket or a shaped letter form).
pub(crate) fn push_glyph(
    out: &mut String,
    cluster: &str,
    kind: CellKind,
    show_controls: bool,
    replace_first: Option<char>,
) {
    match kind {
        CellKind::Control => {
            // A CR LF pair is one cluster; show each control.
            for c in cluster.chars() {
                out.push(control_picture(c));
            }
        }
        CellKind::BidiControl => {
            if cluster
                .chars()
                .next()
                .is_some_and(|c| bidi_shown(c, show_controls))
            {
                out.push_str(BIDI_CONTROL_GLYPH);
            }
        }
        CellKind::Invisible => {}
        CellKind::LoneMark => {
            out.push(DOTTED_CIRCLE);
            push_text(out, cluster);
        }
        CellKind::Text => match replace_first {
            Some(c) => {
                out.push(c);
                let first_len = cluster.chars().next().map_or(0, char::len_utf8);
                push_text(out, &cluster[first_len..]);
            }
            None => push_text(out, cluster),
        },
    }
}

/// Copies cluster text, dropping anything that must not reach the terminal raw
/// (a control or bidi control attached to a cluster, e.g. after a ZWJ).
fn push_text(out: &mut String, s: &str) {
    // Printable ASCII and two-byte letters (Arabic, Latin-1 letters...) carry no
    // control: copy them whole. Two-byte sequences starting 0xC2 hold the C1 controls.
    if s.bytes().all(|b| {
        (0x20..0x7F).contains(&b) || (0x80..0xC0).contains(&b) || (0xC3..0xE0).contains(&b)
    }) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        if !(c.is_control() || is_bidi_control(c)) {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    proptest! {
        #[test]
        fn fast_path_agrees_with_unicode_segmentation(
            text in prop::collection::vec(prop_oneof![
                any::<char>(),
                prop::sample::select(vec!['ب', 'ل', 'ا', ' ', 'a', '1', '\u{064E}', '\u{200D}',
                    '\u{200C}', '\r', '\n', '\u{1F1E6}', '\u{1F600}', '\u{0600}', '\u{0301}']),
            ], 0..30).prop_map(|v| v.into_iter().collect::<String>())
        ) {
            let ours: Vec<(u32, u32)> = segment(&text, false).iter().map(|c| (c.start, c.end)).collect();
            let theirs: Vec<(u32, u32)> = text
                .grapheme_indices(true)
                .map(|(i, g)| (i as u32, (i + g.len()) as u32))
                .collect();
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn lam_alef_is_two_cells_when_measured_per_cluster() {
        // The trap: the string measures 1, the terminal uses 2 cells.
        assert_eq!("لا".width(), 1);
        let cl = segment("لا", false);
        let total: usize = cl.iter().map(|c| c.width as usize).sum();
        assert_eq!(total, 2);
    }

    #[test]
    fn harakat_stay_in_their_letter_cluster() {
        let cl = segment("قالَ", false);
        assert_eq!(cl.len(), 3);
        assert_eq!(cl[2].end - cl[2].start, 4); // lam + fatha
        assert_eq!(cl[2].width, 1);
    }

    #[test]
    fn controls_become_pictures_and_wide_chars_take_two() {
        assert_eq!(classify("\u{1b}", false), (CellKind::Control, 1));
        assert_eq!(control_picture('\u{1b}'), '\u{241B}');
        assert_eq!(control_picture('\u{9b}'), '\u{2426}');
        assert_eq!(classify("中", false), (CellKind::Text, 2));
        assert_eq!(classify("\u{200F}", false), (CellKind::BidiControl, 0));
        assert_eq!(classify("\u{200F}", true), (CellKind::BidiControl, 1));
        assert_eq!(classify("\u{064E}", false), (CellKind::LoneMark, 1));
        let mut s = String::new();
        push_glyph(&mut s, "\u{1b}[2J", CellKind::Control, false, None);
        assert!(!s.contains('\u{1b}'));
    }
}
