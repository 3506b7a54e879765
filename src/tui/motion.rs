//! Cursor motions: logical (reading order: characters, words), visual (left/right on
//! screen, up/down by screen line with a sticky column) and by page or line edge.
//!
//! Owns: where each motion lands. Must not: scroll or draw (`App::apply` scrolls
//! afterwards). Every landing place is a cluster start that `App::is_stop` accepts.

use unicode_segmentation::UnicodeSegmentation;

use super::app::{App, Cursor};

/// A screen line of the document: (paragraph, line in its layout).
type VLine = (usize, usize);

impl App {
    pub(super) fn next_char(&mut self) {
        let Cursor { para, offset } = self.cursor;
        let lay = self.layout(para);
        let k = lay.cluster_index(offset).unwrap_or(0);
        if let Some(o) = (k + 1..lay.cluster_count()).find_map(|k| self.stop_at(&lay, k)) {
            self.cursor.offset = o;
            return;
        }
        for p in para + 1..self.session.document().paragraphs.len() {
            if let Some(o) = self.first_stop(p) {
                self.cursor = Cursor { para: p, offset: o };
                return;
            }
        }
    }

    pub(super) fn prev_char(&mut self) {
        let Cursor { para, offset } = self.cursor;
        let lay = self.layout(para);
        let k = lay.cluster_index(offset).unwrap_or(0);
        if let Some(o) = (0..k).rev().find_map(|k| self.stop_at(&lay, k)) {
            self.cursor.offset = o;
            return;
        }
        for p in (0..para).rev() {
            if let Some(o) = self.last_stop(p) {
                self.cursor = Cursor { para: p, offset: o };
                return;
            }
        }
    }

    pub(super) fn next_word(&mut self) {
        let Cursor { para, offset } = self.cursor;
        for p in para..self.session.document().paragraphs.len() {
            let from = if p == para { offset } else { 0 };
            let text = self.session.document().paragraph_text(p);
            let found = if p == para {
                next_word_start(text, from)
            } else {
                first_word_start(text)
            };
            if let Some(s) = found {
                self.land(p, s);
                return;
            }
        }
    }

    pub(super) fn prev_word(&mut self) {
        let Cursor { para, offset } = self.cursor;
        for p in (0..=para).rev() {
            let text = self.session.document().paragraph_text(p);
            let before = if p == para { offset } else { text.len() };
            if let Some(s) = prev_word_start(text, before) {
                self.land(p, s);
                return;
            }
        }
    }

    /// To the last letter of the word in reading order: of this word when the cursor
    /// is before it, else of the next one (vim's `e`), so that `v e` selects a word.
    pub(super) fn word_end(&mut self) {
        let Cursor { para, offset } = self.cursor;
        for p in para..self.session.document().paragraphs.len() {
            let text = self.session.document().paragraph_text(p);
            let found = if p == para {
                next_word_last(text, offset)
            } else {
                first_word_last(text)
            };
            if let Some(s) = found {
                self.land(p, s);
                return;
            }
        }
    }

    /// Puts the cursor on the cluster holding byte `offset` of paragraph `p`.
    fn land(&mut self, p: usize, offset: usize) {
        let lay = self.layout(p);
        let k = lay.cluster_index(offset).unwrap_or(0);
        self.cursor = Cursor {
            para: p,
            offset: lay.cluster_starts().get(k).map_or(0, |&s| s as usize),
        };
    }

    /// Left or right on screen. At a line's edge it goes on to the next line in
    /// reading order when that is the way the text flows (Left in RTL, Right in
    /// LTR), else to the previous one, landing on the edge that meets this one.
    pub(super) fn move_visual(&mut self, right: bool) {
        let para = self.cursor.para;
        let lay = self.layout(para);
        let (line, idx) = lay.locate(self.cursor.offset).unwrap_or((0, 0));
        let cells = &lay.lines[line].cells;
        let next = if right {
            cells.iter().skip(idx + 1).find(|c| c.width > 0)
        } else {
            cells[..idx.min(cells.len())]
                .iter()
                .rev()
                .find(|c| c.width > 0)
        };
        if let Some(c) = next {
            self.cursor.offset = c.start as usize;
            return;
        }
        let forward = right != lay.rtl;
        let target = if forward {
            self.next_vline((para, line))
        } else {
            self.prev_vline((para, line))
        };
        if let Some((p, l)) = target {
            let lay = self.layout(p);
            let cells = lay.lines[l].cells.iter().filter(|c| c.width > 0);
            // Moving right lands on the new line's left edge, left on its right edge.
            let c = if right {
                cells.min_by_key(|c| c.col)
            } else {
                cells.max_by_key(|c| c.col)
            };
            if let Some(c) = c {
                self.cursor = Cursor {
                    para: p,
                    offset: c.start as usize,
                };
            }
        }
    }

    /// Up (`n < 0`) or down by `|n|` screen lines, keeping the desired column.
    pub(super) fn move_lines(&mut self, n: isize) {
        let para = self.cursor.para;
        let lay = self.layout(para);
        let (line, idx) = lay.locate(self.cursor.offset).unwrap_or((0, 0));
        let col = match self.desired_col {
            Some(c) => c,
            None => {
                let c = lay.lines[line].cells.get(idx).map_or(0, |c| c.col as usize);
                self.desired_col = Some(c);
                c
            }
        };
        let mut at = (para, line);
        for _ in 0..n.unsigned_abs() {
            let step = if n > 0 {
                self.next_vline(at)
            } else {
                self.prev_vline(at)
            };
            match step {
                Some(v) => at = v,
                None => break,
            }
        }
        if at == (para, line) {
            return;
        }
        let lay = self.layout(at.0);
        if let Some(o) = lay.offset_at(at.1, col) {
            self.cursor = Cursor {
                para: at.0,
                offset: o,
            };
        }
    }

    /// One screen down or up: the view moves by a screen of rows (the last screen
    /// stays full) and the cursor by as many screen lines.
    pub(super) fn page(&mut self, down: bool) {
        let h = self.height.max(1);
        if down {
            let last_para = self.session.document().paragraphs.len() - 1;
            let last = (last_para, self.rows(last_para) - 1);
            let (max_top, _) = self.rows_backward(last, h - 1);
            let (top, _) = self.rows_forward(self.top, h);
            self.top = top.min(max_top).max(self.top);
        } else {
            self.top = self.rows_backward(self.top, h).0;
        }
        let n = h as isize;
        self.move_lines(if down { n } else { -n });
    }

    /// Start (or end) in reading order of the screen line the cursor is on.
    pub(super) fn line_edge(&mut self, end: bool) {
        let lay = self.layout(self.cursor.para);
        let (line, _) = lay.locate(self.cursor.offset).unwrap_or((0, 0));
        let cells = lay.lines[line]
            .cells
            .iter()
            .filter(|c| Self::is_stop(c.kind, c.width));
        let c = if end {
            cells.max_by_key(|c| c.start)
        } else {
            cells.min_by_key(|c| c.start)
        };
        if let Some(c) = c {
            self.cursor.offset = c.start as usize;
        }
    }

    pub(super) fn next_vline(&mut self, (p, l): VLine) -> Option<VLine> {
        if l + 1 < self.layout(p).lines.len() {
            Some((p, l + 1))
        } else if p + 1 < self.session.document().paragraphs.len() {
            Some((p + 1, 0))
        } else {
            None
        }
    }

    pub(super) fn prev_vline(&mut self, (p, l): VLine) -> Option<VLine> {
        if l > 0 {
            Some((p, l - 1))
        } else if p > 0 {
            Some((p - 1, self.layout(p - 1).lines.len() - 1))
        } else {
            None
        }
    }
}

/// A word segment: one holding a letter or a digit (not spaces or punctuation).
fn is_word(segment: &str) -> bool {
    segment.chars().any(char::is_alphanumeric)
}

fn first_word_start(text: &str) -> Option<usize> {
    text.split_word_bound_indices()
        .find(|(_, w)| is_word(w))
        .map(|(i, _)| i)
}

/// A place at or before `offset` where word segmentation can start and agree with a
/// scan from the paragraph start: the last whitespace (words never hold one).
fn resync(text: &str, offset: usize) -> usize {
    text[..offset].rfind(char::is_whitespace).unwrap_or(0)
}

/// The first word start after `offset`. Segmenting from near the cursor (not from the
/// paragraph start) keeps the cost proportional to the distance moved.
fn next_word_start(text: &str, offset: usize) -> Option<usize> {
    let from = resync(text, offset);
    text[from..]
        .split_word_bound_indices()
        .map(|(i, w)| (from + i, w))
        .find(|&(i, w)| i > offset && is_word(w))
        .map(|(i, _)| i)
}

/// The start of the last cluster of the first word whose last cluster is past
/// `offset`.
fn next_word_last(text: &str, offset: usize) -> Option<usize> {
    let from = resync(text, offset);
    word_lasts(&text[from..])
        .map(|last| from + last)
        .find(|&last| last > offset)
}

/// The start of the last cluster of the first word.
fn first_word_last(text: &str) -> Option<usize> {
    word_lasts(text).next()
}

/// The start of each word's last cluster.
fn word_lasts(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.split_word_bound_indices()
        .filter(|&(_, w)| is_word(w))
        .map(|(i, w)| i + w.len() - w.graphemes(true).next_back().map_or(0, str::len))
}

/// The last word start before `offset`, looking back through a window that grows
/// until it holds one (or reaches the paragraph start).
fn prev_word_start(text: &str, offset: usize) -> Option<usize> {
    let mut back = 256;
    loop {
        let mut start = offset.saturating_sub(back);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let start = resync(text, start);
        let found = text[start..offset]
            .split_word_bound_indices()
            .rev()
            .find(|(_, w)| is_word(w))
            .map(|(i, _)| start + i);
        match found {
            Some(s) => return Some(s),
            None if start == 0 => return None,
            None => back *= 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_starts_found_from_the_middle_match_a_whole_scan() {
        let text = "قال: 3 كلم، عن NATO's 12.5% (مثلاً) غداً";
        let all: Vec<usize> = text
            .split_word_bound_indices()
            .filter(|(_, w)| is_word(w))
            .map(|(i, _)| i)
            .collect();
        for (off, _) in text.char_indices() {
            let next = all.iter().copied().find(|&s| s > off);
            let prev = all.iter().copied().rev().find(|&s| s < off);
            assert_eq!(next_word_start(text, off), next, "next from {off}");
            assert_eq!(prev_word_start(text, off), prev, "prev from {off}");
        }
    }

    #[test]
    fn word_end_is_the_last_letter_of_this_word_or_the_next() {
        let text = "قالَ: 137 كلم";
        let at = |s: &str| text.find(s).unwrap();
        // From the first letter: the last letter of the word, its haraka with it.
        assert_eq!(next_word_last(text, 0), Some(at("لَ")));
        // From the last letter: the next word's last, over punctuation.
        assert_eq!(next_word_last(text, at("لَ")), Some(at("7")));
        assert_eq!(next_word_last(text, at("7")), Some(at("م")));
        assert_eq!(next_word_last(text, at("م")), None);
        // A word of one letter starting a paragraph is its own end.
        assert_eq!(first_word_last("و قال"), Some(0));
    }
}
