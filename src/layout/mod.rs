//! The layout engine: the single bridge from logical text to screen cells.
//!
//! A paragraph of logical text and a width go in; visual lines of cells come out,
//! each cell one grapheme cluster with its logical byte range, column, width and bidi
//! level, plus the maps offset -> (line, column) and (line, column) -> offset.
//! Pipeline (UAX #9 §3.4): resolve levels once per paragraph (unicode-bidi), shape in
//! logical order, wrap in logical order, then reorder each line on its own (L1-L2)
//! with whole clusters as the unit (L3) and mirror brackets at odd levels (L4).
//!
//! Must not: depend on the terminal (no ratatui/crossterm here), or change the text.

mod cluster;
mod reorder;
mod shape;
mod wrap;

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

pub use reorder::mirror;

pub use cluster::{
    BIDI_CONTROL_GLYPH, CellKind, DOTTED_CIRCLE, cluster_width, control_name, control_picture,
    is_bidi_control, is_explicit_bidi,
};

/// Paragraph direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// From the first strong character (UAX #9 P2-P3); LTR when there is none.
    #[default]
    Auto,
    Rtl,
    Ltr,
}

/// Who joins Arabic letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shaping {
    /// raqim paints presentation forms (for terminals that do not shape).
    #[default]
    App,
    /// Letters go out as they are; the terminal shapes.
    Terminal,
}

macro_rules! word_enum {
    ($t:ty, $($name:literal => $v:expr),+) => {
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($name => Ok($v),)+
                    _ => Err(format!(
                        "'{s}' is not one of: {}",
                        [$($name),+].join(", ")
                    )),
                }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                $(if *self == $v { return f.write_str($name); })+
                Ok(())
            }
        }
    };
}
word_enum!(Direction, "auto" => Direction::Auto, "rtl" => Direction::Rtl, "ltr" => Direction::Ltr);
word_enum!(Shaping, "app" => Shaping::App, "terminal" => Shaping::Terminal);

/// How to lay out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayoutOptions {
    /// Line width in cells; `0` means no wrapping (and no alignment).
    pub width: usize,
    pub direction: Direction,
    pub shaping: Shaping,
    /// Give bidi formatting characters a visible cell.
    pub show_controls: bool,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            width: 80,
            direction: Direction::Auto,
            shaping: Shaping::App,
            show_controls: false,
        }
    }
}

/// One screen cell: one grapheme cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// Logical byte range of the cluster in the paragraph.
    pub start: u32,
    pub end: u32,
    /// Column of the cell's left edge (RTL lines already right-aligned).
    pub col: u32,
    /// Cells taken: 0 (hidden control, hanging space), 1 or 2.
    pub width: u8,
    /// Bidi embedding level after L1; odd is right-to-left.
    pub level: u8,
    pub kind: CellKind,
    glyph: (u32, u32),
}

impl Cell {
    /// Logical byte range in the paragraph.
    pub fn logical(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One line on screen, cells left to right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisualLine {
    /// Logical byte range of the line in the paragraph.
    pub logical: Range<usize>,
    /// Cells in visual order, left to right.
    pub cells: Vec<Cell>,
    /// Total width in cells.
    pub width: usize,
    glyphs: String,
}

impl VisualLine {
    /// What is painted in a cell (shaped, mirrored, controls made visible).
    pub fn glyph(&self, cell: &Cell) -> &str {
        &self.glyphs[cell.glyph.0 as usize..cell.glyph.1 as usize]
    }

    /// The line as painted, from its first cell (no alignment padding).
    pub fn painted(&self) -> String {
        let mut s = String::with_capacity(self.glyphs.len());
        for c in &self.cells {
            let g = self.glyph(c);
            match c.width {
                0 => {}
                _ if g.is_empty() => s.push(' '),
                _ => s.push_str(g),
            }
        }
        s
    }

    /// Index of the cell covering column `col`, if any (zero-width cells never).
    pub fn cell_at(&self, col: usize) -> Option<usize> {
        self.cells.iter().position(|c| {
            let c0 = c.col as usize;
            c.width > 0 && c0 <= col && col < c0 + c.width as usize
        })
    }

    /// Leftmost column used.
    pub fn left(&self) -> usize {
        self.cells.first().map_or(0, |c| c.col as usize)
    }
}

/// A laid-out paragraph.
#[derive(Debug, Clone)]
pub struct ParagraphLayout {
    pub lines: Vec<VisualLine>,
    /// The paragraph's base direction is right-to-left.
    pub rtl: bool,
    /// The width it was laid out for.
    pub width: usize,
    /// Start byte of every cluster, in logical order.
    cluster_starts: Vec<u32>,
    /// For every cluster: (line, index in `lines[line].cells`).
    cluster_cells: Vec<(u32, u32)>,
}

impl ParagraphLayout {
    /// Number of grapheme clusters.
    pub fn cluster_count(&self) -> usize {
        self.cluster_starts.len()
    }

    /// Logical start byte of every cluster, in order.
    pub fn cluster_starts(&self) -> &[u32] {
        &self.cluster_starts
    }

    /// Ordinal of the cluster holding byte `offset` (the last one past the end).
    pub fn cluster_index(&self, offset: usize) -> Option<usize> {
        if self.cluster_starts.is_empty() {
            return None;
        }
        let p = self
            .cluster_starts
            .partition_point(|&s| s as usize <= offset);
        Some(p.saturating_sub(1))
    }

    /// The (line, cell index) of the cluster holding byte `offset`.
    pub fn locate(&self, offset: usize) -> Option<(usize, usize)> {
        let k = self.cluster_index(offset)?;
        let (l, c) = self.cluster_cells[k];
        Some((l as usize, c as usize))
    }

    /// The cell of cluster ordinal `k`.
    pub fn cell_of_cluster(&self, k: usize) -> (usize, usize) {
        let (l, c) = self.cluster_cells[k];
        (l as usize, c as usize)
    }

    /// Logical offset -> (line, column).
    pub fn position_of(&self, offset: usize) -> Option<(usize, usize)> {
        let (l, c) = self.locate(offset)?;
        Some((l, self.lines[l].cells[c].col as usize))
    }

    /// Whether a span over `range` (paragraph bytes) runs right to left on screen as a
    /// whole: its lowest bidi level is odd (اللواء 137 and 3 كلم in Arabic text do;
    /// a number or a Latin name inside Arabic text alone does not).
    pub fn span_rtl(&self, range: Range<usize>) -> bool {
        let (Some(i), Some(j)) = (
            self.cluster_index(range.start),
            self.cluster_index(range.end.saturating_sub(1).max(range.start)),
        ) else {
            return self.rtl;
        };
        (i..=j)
            .map(|k| {
                let (l, c) = self.cell_of_cluster(k);
                self.lines[l].cells[c].level
            })
            .min()
            .map_or(self.rtl, |l| l % 2 == 1)
    }

    /// A character step of the `left` (else right) edge on screen of a span over
    /// `range` (paragraph bytes), out (`grow`) or in, in visual order: which logical
    /// end moves (`true`: where it ends) and by how many clusters. One cluster, at
    /// the end whose cells make that edge; where one would leave the span in two
    /// pieces on screen (an edge inside a number or a Latin word in Arabic text, whose
    /// clusters run the other way: اللواء 13|7), the fewest that keep it in one
    /// piece on each line. `None` when no step of up to 64 clusters does.
    pub fn edge_step(&self, range: Range<usize>, left: bool, grow: bool) -> Option<(bool, usize)> {
        let n = self.cluster_count();
        let i = self.cluster_index(range.start)?;
        let j = self.cluster_index(range.end.saturating_sub(1).max(range.start))? + 1;
        // The end that makes this edge when the span runs one way.
        let natural_end = left == self.span_rtl(range);
        for k in 1..=64 {
            for moves_end in [natural_end, !natural_end] {
                let new = match (grow, moves_end) {
                    (true, true) => (j + k <= n).then_some((i, j + k)),
                    (true, false) => (i >= k).then(|| (i - k, j)),
                    (false, true) => (j > i + k).then(|| (i, j - k)),
                    (false, false) => (i + k < j).then_some((i + k, j)),
                };
                let Some(new) = new else { continue };
                if self.steps_edge((i, j), new, left, moves_end == natural_end) {
                    return Some((moves_end, k));
                }
            }
        }
        None
    }

    /// Whether clusters `new` (a span's cluster range after a step from `old`) lie in
    /// one piece on each screen line, and moved the `left` (else right) edge only: on
    /// each line where clusters came or went, the other edge stays (a span already
    /// in two pieces is made whole from that side). A line the span
    /// only enters or leaves takes the `natural` step only.
    fn steps_edge(
        &self,
        old: (usize, usize),
        new: (usize, usize),
        left: bool,
        natural: bool,
    ) -> bool {
        // (line, leftmost column, rightmost column end, columns covered) per line.
        let extent = |(a, b): (usize, usize)| {
            let mut lines: std::collections::BTreeMap<usize, (usize, usize, usize)> =
                Default::default();
            for k in a..b {
                let (l, c) = self.cell_of_cluster(k);
                let cell = &self.lines[l].cells[c];
                if cell.width == 0 {
                    continue;
                }
                let (x0, x1) = (cell.col as usize, cell.col as usize + cell.width as usize);
                let e = lines.entry(l).or_insert((x0, x1, 0));
                e.0 = e.0.min(x0);
                e.1 = e.1.max(x1);
                e.2 += cell.width as usize;
            }
            lines
        };
        let (before, after) = (extent(old), extent(new));
        if after.values().any(|&(x0, x1, w)| x1 - x0 != w) {
            return false;
        }
        let moved = (old.0.min(new.0)..old.0.max(new.0)).chain(old.1.min(new.1)..old.1.max(new.1));
        let lines: std::collections::BTreeSet<usize> =
            moved.map(|k| self.cell_of_cluster(k).0).collect();
        lines.iter().all(|l| match (before.get(l), after.get(l)) {
            (Some(&(b0, b1, _)), Some(&(a0, a1, _))) => {
                if left {
                    a1 == b1
                } else {
                    a0 == b0
                }
            }
            _ => natural,
        })
    }

    /// (line, column) -> logical start byte of the cluster drawn there; a column off
    /// the text maps to the nearest cell of that line.
    pub fn offset_at(&self, line: usize, col: usize) -> Option<usize> {
        let l = self.lines.get(line)?;
        if let Some(i) = l.cell_at(col) {
            return Some(l.cells[i].start as usize);
        }
        l.cells
            .iter()
            .filter(|c| c.width > 0)
            .min_by_key(|c| {
                let c0 = c.col as usize;
                let c1 = c0 + c.width as usize - 1;
                if col < c0 { c0 - col } else { col - c1 }
            })
            .or_else(|| l.cells.first())
            .map(|c| c.start as usize)
    }
}

/// Lays out one paragraph (no line breaks inside `text`).
pub fn layout_paragraph(text: &str, opts: &LayoutOptions) -> ParagraphLayout {
    let clusters = cluster::segment(text, opts.show_controls);
    let shaped = match opts.shaping {
        Shaping::App => shape::shape(text, &clusters),
        Shaping::Terminal => Vec::new(),
    };
    let breaks = wrap::break_lines(text, &clusters, opts.width);
    reorder::build(text, &clusters, &shaped, &breaks, opts)
}
