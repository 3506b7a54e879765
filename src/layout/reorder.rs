//! Per-line reordering: levels resolved once for the paragraph, then for each line
//! rule L1 (unicode-bidi's, on that line alone), L2 over whole grapheme clusters (so
//! harakat stay on their base: L3), mirrored glyphs at odd levels (L4), right
//! alignment of RTL lines, and the cluster <-> cell maps.
//!
//! Must not: wrap or measure (that is done before), or touch the terminal.

use std::sync::OnceLock;

use unicode_bidi::data_source::BidiDataSource;
use unicode_bidi::{BidiClass, HardcodedBidiData, Level, ParagraphBidiInfo};
use unicode_bidi_mirroring::get_mirrored;

use super::cluster::{Cluster, push_glyph};
use super::wrap::LineBreak;
use super::{Cell, Direction, LayoutOptions, ParagraphLayout, VisualLine};

/// Resolves levels for the paragraph and builds its visual lines.
pub(crate) fn build(
    text: &str,
    clusters: &[Cluster],
    shaped: &[Option<char>],
    breaks: &[LineBreak],
    opts: &LayoutOptions,
) -> ParagraphLayout {
    let forced = match opts.direction {
        Direction::Auto => None,
        Direction::Rtl => Some(Level::rtl()),
        Direction::Ltr => Some(Level::ltr()),
    };
    // A paragraph of Arabic letters, marks, spaces and punctuation only resolves to
    // level 1 throughout; the full algorithm runs for everything else.
    let info = if all_rtl(text, opts.direction) {
        None
    } else {
        Some(ParagraphBidiInfo::new_with_data_source(
            &FastBidiData,
            text,
            forced,
        ))
    };
    let para_level = info.as_ref().map_or(Level::rtl(), |i| i.paragraph_level);
    let rtl = para_level.is_rtl();
    let mut lines = Vec::with_capacity(breaks.len());
    let mut cluster_cells = vec![(0u32, 0u32); clusters.len()];

    for (li, br) in breaks.iter().enumerate() {
        let r = br.clusters.clone();
        if r.is_empty() {
            lines.push(VisualLine {
                logical: 0..0,
                cells: Vec::new(),
                width: 0,
                glyphs: String::new(),
            });
            continue;
        }
        let bs = clusters[r.start].start as usize;
        let be = clusters[r.end - 1].end as usize;
        let line_clusters = &clusters[r.clone()];

        let uniform = info.as_ref().is_none_or(|info| {
            (info.is_pure_ltr && !rtl) || info.levels[bs..be].iter().all(|l| *l == para_level)
        });
        let levels: Vec<Level> = if uniform {
            // Every character at the paragraph level: L1 can change nothing.
            vec![para_level; line_clusters.len()]
        } else if let Some(info) = &info {
            // L1 on this line only. unicode-bidi's per-line call copies the levels of
            // the whole paragraph, so give it a paragraph that is just this line.
            let line_info = ParagraphBidiInfo {
                text: &text[bs..be],
                original_classes: info.original_classes[bs..be].to_vec(),
                levels: info.levels[bs..be].to_vec(),
                paragraph_level: para_level,
                is_pure_ltr: false,
            };
            let byte_levels = line_info.reordered_levels(0..be - bs);
            line_clusters
                .iter()
                .map(|c| byte_levels[c.start as usize - bs])
                .collect()
        } else {
            unreachable!("lines without bidi info are uniform")
        };
        let order: Vec<usize> = if uniform && para_level.is_ltr() {
            (0..levels.len()).collect()
        } else if uniform {
            (0..levels.len()).rev().collect()
        } else {
            ParagraphBidiInfo::reorder_visual(&levels)
        };

        let hang_from = r.end - br.hanging;
        let width_of = |ci: usize| {
            if ci >= hang_from {
                0
            } else {
                clusters[ci].width
            }
        };
        let total: usize = r.clone().map(|ci| width_of(ci) as usize).sum();
        let mut x = if rtl && opts.width > 0 {
            opts.width.saturating_sub(total)
        } else {
            0
        };
        let mut glyphs = String::with_capacity(be - bs + 8);
        let mut cells = Vec::with_capacity(line_clusters.len());
        for (vi, &k) in order.iter().enumerate() {
            let ci = r.start + k;
            let c = &clusters[ci];
            let level = levels[k];
            let s = &text[c.start as usize..c.end as usize];
            let mirrored = if level.is_rtl() {
                s.chars().next().and_then(mirror)
            } else {
                None
            };
            let replace = mirrored.or_else(|| shaped.get(ci).copied().flatten());
            let g0 = glyphs.len();
            push_glyph(&mut glyphs, s, c.kind, opts.show_controls, replace);
            let w = width_of(ci);
            cells.push(Cell {
                start: c.start,
                end: c.end,
                col: x as u32,
                width: w,
                level: level.number(),
                kind: c.kind,
                glyph: (g0 as u32, glyphs.len() as u32),
            });
            cluster_cells[ci] = (li as u32, vi as u32);
            x += w as usize;
        }
        lines.push(VisualLine {
            logical: bs..be,
            cells,
            width: total,
            glyphs,
        });
    }
    if lines.is_empty() {
        lines.push(VisualLine {
            logical: 0..0,
            cells: Vec::new(),
            width: 0,
            glyphs: String::new(),
        });
    }
    ParagraphLayout {
        lines,
        rtl,
        width: opts.width,
        cluster_starts: clusters.iter().map(|c| c.start).collect(),
        cluster_cells,
    }
}

/// The mirrored glyph of `c` (L4), skipping the lookup for letters and digits of the
/// Latin and Arabic blocks, none of which mirror.
pub fn mirror(c: char) -> Option<char> {
    if c.is_ascii() {
        match c {
            '(' | ')' | '<' | '>' | '[' | ']' | '{' | '}' => get_mirrored(c),
            _ => None,
        }
    } else if ('\u{0600}'..='\u{06FF}').contains(&c) {
        None
    } else {
        get_mirrored(c)
    }
}

/// True when every character of `text` resolves to level 1 under UAX #9: the
/// paragraph is RTL (forced, or its first strong character is R/AL) and it holds only
/// R/AL letters, marks (NSM), white space, boundary neutrals and the neutrals and
/// separators that, with no number in the paragraph, become ON (W4-W6) and then take
/// the direction of the R around them and of sos/eos (N1-N2). Anything else (L, EN,
/// AN, explicit formatting, B, S) sends the paragraph through the full algorithm.
fn all_rtl(text: &str, direction: Direction) -> bool {
    use BidiClass::*;
    if direction == Direction::Ltr {
        return false;
    }
    let mut strong = direction == Direction::Rtl;
    for c in text.chars() {
        match FastBidiData.bidi_class(c) {
            AL | R => strong = true,
            NSM | WS | ON | CS | ES | ET | BN => {}
            _ => return false,
        }
    }
    strong
}

/// unicode-bidi's own character data, with the classes of U+0000..U+08FF (Latin,
/// Arabic and the blocks around them) looked up in a table instead of a binary search.
struct FastBidiData;

const FAST_LIMIT: usize = 0x900;

impl BidiDataSource for FastBidiData {
    fn bidi_class(&self, c: char) -> BidiClass {
        static TABLE: OnceLock<Vec<BidiClass>> = OnceLock::new();
        let i = c as usize;
        if i < FAST_LIMIT {
            TABLE.get_or_init(|| {
                (0..FAST_LIMIT as u32)
                    .map(|u| HardcodedBidiData.bidi_class(char::from_u32(u).unwrap_or('\0')))
                    .collect()
            })[i]
        } else {
            HardcodedBidiData.bidi_class(c)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_all_rtl_shortcut_agrees_with_the_full_algorithm(
            text in prop::collection::vec(prop::sample::select(vec![
                'ق', 'ا', 'ل', 'ب', '\u{064E}', ' ', '.', '،', '(', ')', '«', '»', '-', '%', '/',
                ',', '+', '#', '\u{200C}', '\u{05D0}', '!', '1', 'a', '\u{200F}', '\u{0660}',
            ]), 0..25).prop_map(|v| v.into_iter().collect::<String>()),
            forced in any::<bool>(),
        ) {
            let dir = if forced { Direction::Rtl } else { Direction::Auto };
            if all_rtl(&text, dir) {
                let info = ParagraphBidiInfo::new_with_data_source(
                    &FastBidiData,
                    &text,
                    forced.then(Level::rtl),
                );
                prop_assert!(info.paragraph_level.is_rtl());
                let line = info.reordered_levels(0..text.len());
                prop_assert!(line.iter().all(|l| *l == Level::rtl()), "{:?}", line);
            }
        }
    }

    #[test]
    fn shortcut_declines_numbers_latin_and_controls() {
        assert!(all_rtl("قال الجيش (السوري).", Direction::Auto));
        assert!(!all_rtl("قال 3 كلم", Direction::Auto));
        assert!(!all_rtl("قال NATO", Direction::Auto));
        assert!(!all_rtl("قال \u{202D}x", Direction::Auto));
        assert!(!all_rtl("...", Direction::Auto));
        assert!(!all_rtl("قال", Direction::Ltr));
    }
}
