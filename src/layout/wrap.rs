//! Line breaking in logical order, before any reordering (UAX #9 §3.4): greedy fill
//! at UAX #14 break opportunities, a word wider than the line broken between
//! clusters, and spaces at a line end allowed to hang (they shrink to no width
//! rather than push the line past the margin).
//!
//! Must not: look at bidi levels or split a grapheme cluster.

use std::ops::Range;

use unicode_linebreak::linebreaks;

use super::cluster::Cluster;

/// One line: a range of cluster indices, and how many of its trailing spaces hang
/// (drawn with no width) because they do not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineBreak {
    pub clusters: Range<usize>,
    pub hanging: usize,
}

/// Breaks a paragraph into lines of at most `width` cells (`0` = no wrapping).
pub(crate) fn break_lines(text: &str, clusters: &[Cluster], width: usize) -> Vec<LineBreak> {
    let n = clusters.len();
    if width == 0 || n == 0 {
        return vec![LineBreak {
            clusters: 0..n,
            hanging: 0,
        }];
    }
    // allowed[i]: a line may start at cluster i.
    let mut allowed = vec![false; n + 1];
    let mut ci = 0;
    for (byte, _) in linebreaks(text) {
        while ci < n && (clusters[ci].start as usize) < byte {
            ci += 1;
        }
        if ci < n && clusters[ci].start as usize == byte {
            allowed[ci] = true;
        }
    }

    let mut lines = Vec::new();
    let mut line_start = 0;
    let mut i = 0;
    let mut content = 0; // width up to the last non-space cluster
    let mut pending = 0; // width of spaces after it
    let mut last_break: Option<usize> = None;
    while i < n {
        if allowed[i] && i > line_start {
            last_break = Some(i);
        }
        let c = &clusters[i];
        let w = c.width as usize;
        if c.space {
            pending += w;
            i += 1;
            continue;
        }
        if content + pending + w > width && i > line_start {
            let end = match last_break {
                Some(b) if b > line_start => b,
                _ => i,
            };
            lines.push(finish(clusters, line_start..end, width));
            line_start = end;
            i = end;
            content = 0;
            pending = 0;
            last_break = None;
            continue;
        }
        content += pending + w;
        pending = 0;
        i += 1;
    }
    lines.push(finish(clusters, line_start..n, width));
    lines
}

/// Counts the trailing spaces of a line that do not fit in `width`.
fn finish(clusters: &[Cluster], range: Range<usize>, width: usize) -> LineBreak {
    let mut total: usize = clusters[range.clone()]
        .iter()
        .map(|c| c.width as usize)
        .sum();
    let mut hanging = 0;
    let mut j = range.end;
    while total > width && j > range.start && clusters[j - 1].space {
        total -= clusters[j - 1].width as usize;
        hanging += 1;
        j -= 1;
    }
    LineBreak {
        clusters: range,
        hanging,
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster::segment;
    use super::*;

    fn wrap(text: &str, width: usize) -> Vec<String> {
        let cl = segment(text, false);
        break_lines(text, &cl, width)
            .into_iter()
            .map(|l| {
                let r = l.clusters;
                if r.is_empty() {
                    return String::new();
                }
                text[cl[r.start].start as usize..cl[r.end - 1].end as usize].to_string()
            })
            .collect()
    }

    #[test]
    fn breaks_after_spaces_in_logical_order() {
        assert_eq!(
            wrap("قال 3 كلم عن NATO اليوم", 10),
            vec!["قال 3 كلم ", "عن NATO ", "اليوم"]
        );
    }

    #[test]
    fn long_word_is_broken_by_clusters() {
        assert_eq!(wrap("ابتثجحخ", 3), vec!["ابت", "ثجح", "خ"]);
        // Harakat stay with their letter across the break.
        assert_eq!(wrap("بَتَثَ", 2), vec!["بَتَ", "ثَ"]);
    }

    #[test]
    fn spaces_that_do_not_fit_hang() {
        let cl = segment("ab   cd", false);
        let lines = break_lines("ab   cd", &cl, 3);
        assert_eq!(lines[0].clusters, 0..5);
        assert_eq!(lines[0].hanging, 2);
    }

    #[test]
    fn no_wrap_at_zero() {
        assert_eq!(wrap("a b c", 0), vec!["a b c"]);
    }
}
