//! Offsets into one text in the three units raqim meets: UTF-8 bytes (what the core
//! slices with), Unicode code points (the store, the gold files, Python string indices)
//! and UTF-16 code units (browsers, doccano, INCEpTION).
//!
//! Owns every conversion between them: a table built in one walk over the text
//! ([`OffsetMap`]), a batch conversion of sorted byte offsets that needs no table
//! ([`convert_sorted`]), and a sparse byte <-> code point index for long texts that
//! are converted a few offsets at a time ([`CharIndex`]). When you need a conversion,
//! use one of these; do not count `chars()` by hand.
//!
//! Must not: know files, spans or the terminal.

use std::str::FromStr;
use std::sync::Arc;

/// Offset units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Offsets {
    #[default]
    CodePoints,
    Bytes,
    Utf16,
}

impl FromStr for Offsets {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "codepoints" | "chars" | "cp" => Ok(Offsets::CodePoints),
            "bytes" => Ok(Offsets::Bytes),
            "utf16" => Ok(Offsets::Utf16),
            _ => Err(format!("'{s}' is not one of: codepoints, bytes, utf16")),
        }
    }
}

/// How many `unit`s long `text` is.
pub fn len_in(text: &str, unit: Offsets) -> usize {
    match unit {
        Offsets::Bytes => text.len(),
        Offsets::CodePoints => text.chars().count(),
        Offsets::Utf16 => text.encode_utf16().count(),
    }
}

/// The byte offset of every code point boundary of `text`, the end included: entry
/// `k` is where code point `k` starts.
pub fn char_starts(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .collect()
}

/// The byte offset of code point `cp` in `text` (its length for the end), walking the
/// text: for a short text, or the tail of a long one after a checkpoint.
pub fn byte_of_code_point(text: &str, cp: usize) -> Option<usize> {
    text.char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .nth(cp)
}

/// Converts between byte offsets, code points and one file unit for one text, from
/// tables built in one walk over it.
#[derive(Debug, Clone)]
pub struct OffsetMap {
    /// Byte offset of each code point boundary (index = code point offset), the end
    /// included.
    bytes_at: Vec<usize>,
    /// For UTF-16 maps, the UTF-16 offset of each code point boundary (strictly
    /// increasing, so a binary search finds a unit offset or proves it falls between
    /// the two halves of a surrogate pair); empty otherwise.
    utf16_at: Vec<usize>,
    unit: Offsets,
    len: usize,
}

impl OffsetMap {
    pub fn new(text: &str, unit: Offsets) -> OffsetMap {
        let mut bytes_at = Vec::with_capacity(text.len() / 2 + 1);
        let mut utf16_at = Vec::new();
        if unit == Offsets::Utf16 {
            utf16_at.reserve(text.len() / 2 + 1);
            let mut u = 0;
            for (b, c) in text.char_indices() {
                bytes_at.push(b);
                utf16_at.push(u);
                u += c.len_utf16();
            }
            utf16_at.push(u);
        } else {
            bytes_at.extend(text.char_indices().map(|(b, _)| b));
        }
        bytes_at.push(text.len());
        OffsetMap {
            bytes_at,
            utf16_at,
            unit,
            len: text.len(),
        }
    }

    /// The map's unit.
    pub fn unit(&self) -> Offsets {
        self.unit
    }

    /// Length of the text in the map's unit.
    pub fn len_units(&self) -> usize {
        match self.unit {
            Offsets::Bytes => self.len,
            Offsets::CodePoints => self.bytes_at.len() - 1,
            Offsets::Utf16 => self.utf16_at.last().copied().unwrap_or(0),
        }
    }

    /// Byte offset of a unit offset, if it is on a character boundary in the text.
    pub fn to_byte(&self, units: usize, text: &str) -> Option<usize> {
        match self.unit {
            Offsets::Bytes => (units <= self.len && text.is_char_boundary(units)).then_some(units),
            _ => self.to_code_point(units).map(|cp| self.bytes_at[cp]),
        }
    }

    /// Unit offset of a byte offset on a character boundary.
    pub fn from_byte(&self, byte: usize) -> usize {
        match self.unit {
            Offsets::Bytes => byte,
            Offsets::CodePoints => self.code_point_of_byte(byte),
            Offsets::Utf16 => self
                .utf16_at
                .get(self.code_point_of_byte(byte))
                .copied()
                .unwrap_or_else(|| self.len_units()),
        }
    }

    /// Code point offset of a unit offset, if it is on a character boundary.
    pub fn to_code_point(&self, units: usize) -> Option<usize> {
        match self.unit {
            Offsets::CodePoints => (units < self.bytes_at.len()).then_some(units),
            Offsets::Bytes => self.bytes_at.binary_search(&units).ok(),
            Offsets::Utf16 => self.utf16_at.binary_search(&units).ok(),
        }
    }

    /// Unit offset of a code point offset, if the text is that long.
    pub fn from_code_point(&self, cp: usize) -> Option<usize> {
        match self.unit {
            Offsets::CodePoints => (cp < self.bytes_at.len()).then_some(cp),
            Offsets::Bytes => self.bytes_at.get(cp).copied(),
            Offsets::Utf16 => self.utf16_at.get(cp).copied(),
        }
    }

    /// Byte offset of a code point offset, if the text is that long.
    pub fn byte_of_code_point(&self, cp: usize) -> Option<usize> {
        self.bytes_at.get(cp).copied()
    }

    /// Code point offset of a byte offset on a character boundary (inside a
    /// character: the next boundary).
    pub fn code_point_of_byte(&self, byte: usize) -> usize {
        self.bytes_at.partition_point(|&b| b < byte)
    }
}

/// Converts byte offsets, in increasing order, to `unit` in one walk over the text
/// (no table of every character, for output of long documents). Gives the same as
/// [`OffsetMap::from_byte`] offset by offset.
pub fn convert_sorted(text: &str, unit: Offsets, bytes: &[usize]) -> Vec<usize> {
    if unit == Offsets::Bytes {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut chars = text.char_indices().peekable();
    let mut count = 0usize;
    for &b in bytes {
        while let Some(&(i, c)) = chars.peek() {
            if i >= b {
                break;
            }
            count += if unit == Offsets::Utf16 {
                c.len_utf16()
            } else {
                1
            };
            chars.next();
        }
        out.push(count);
    }
    out
}

/// Byte <-> code point offsets of one long text, with a checkpoint every [`STRIDE`]
/// bytes: a conversion reads at most a few KiB of text whatever the text's size, and
/// the index costs a few bytes per KiB.
#[derive(Debug, Clone)]
pub struct CharIndex {
    text: Arc<str>,
    /// Code points before byte `k * STRIDE` (rounded down to a char boundary).
    marks: Vec<(usize, usize)>,
}

const STRIDE: usize = 4096;

impl CharIndex {
    pub fn new(text: Arc<str>) -> CharIndex {
        let mut marks = vec![(0, 0)];
        let (mut b, mut c) = (0, 0);
        while b + STRIDE < text.len() {
            let next = text.floor_char_boundary(b + STRIDE);
            if next <= b {
                break;
            }
            c += text[b..next].chars().count();
            b = next;
            marks.push((b, c));
        }
        CharIndex { text, marks }
    }

    /// Code points before byte `byte` (a char boundary).
    pub fn to_chars(&self, byte: usize) -> usize {
        let i = self.marks.partition_point(|m| m.0 <= byte) - 1;
        let (b, c) = self.marks[i];
        c + self.text[b..byte].chars().count()
    }

    /// The byte offset of code point `chars`, if the text is that long.
    pub fn to_byte(&self, chars: usize) -> Option<usize> {
        let i = self.marks.partition_point(|m| m.1 <= chars) - 1;
        let (b, c) = self.marks[i];
        byte_of_code_point(&self.text[b..], chars - c).map(|k| b + k)
    }

    /// As [`CharIndex::to_byte`], walking from `from` (a byte offset on a char
    /// boundary and the code points before it) when that lies between the checkpoint
    /// and `chars`: offsets converted in increasing order (a document's spans) then
    /// cost the distance between them, not up to a checkpoint's stride each.
    pub fn to_byte_from(&self, from: (usize, usize), chars: usize) -> Option<usize> {
        let i = self.marks.partition_point(|m| m.1 <= chars) - 1;
        let (mut b, mut c) = self.marks[i];
        if from.1 <= chars && from.0 > b && from.0 <= self.text.len() {
            (b, c) = from;
        }
        byte_of_code_point(&self.text[b..], chars - c).map(|k| b + k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const UNITS: [Offsets; 3] = [Offsets::CodePoints, Offsets::Bytes, Offsets::Utf16];

    #[test]
    fn offsets_convert_in_every_unit() {
        let text = "قالَ 😀 لا";
        for unit in UNITS {
            let m = OffsetMap::new(text, unit);
            for (b, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let u = m.from_byte(b);
                assert_eq!(m.to_byte(u, text), Some(b), "{unit:?} byte {b}");
            }
        }
        // The one-walk conversion agrees with the table.
        let offsets = char_starts(text);
        for unit in UNITS {
            let m = OffsetMap::new(text, unit);
            let table: Vec<usize> = offsets.iter().map(|&b| m.from_byte(b)).collect();
            assert_eq!(convert_sorted(text, unit, &offsets), table, "{unit:?}");
        }
        let m = OffsetMap::new(text, Offsets::Utf16);
        let emoji = text.find('😀').unwrap();
        assert_eq!(m.from_byte(emoji), 5);
        assert_eq!(m.to_byte(6, text), None); // between the surrogates
        assert_eq!(m.from_byte(text.len()), 10);
        assert_eq!(m.len_units(), 10);
        // Offsets before an astral character are not pushed past it.
        let m = OffsetMap::new("ab😀cd", Offsets::Utf16);
        let got: Vec<usize> = [0, 1, 2, 6, 7, 8].iter().map(|&b| m.from_byte(b)).collect();
        assert_eq!(got, [0, 1, 2, 4, 5, 6]);
    }

    #[test]
    fn char_index_round_trips_across_checkpoints() {
        let text: String = "قال الجيش 😀 ".repeat(2000);
        let idx = CharIndex::new(Arc::from(text.as_str()));
        for (c, (b, _)) in text.char_indices().enumerate().step_by(37) {
            assert_eq!(idx.to_chars(b), c);
            assert_eq!(idx.to_byte(c), Some(b));
        }
        let n = text.chars().count();
        assert_eq!(idx.to_byte(n), Some(text.len()));
        assert_eq!(idx.to_chars(text.len()), n);
        assert_eq!(idx.to_byte(n + 1), None);
        // Walking on from an earlier offset gives the same bytes, and a `from` past
        // the target is not used.
        let mut at = (0, 0);
        for (c, (b, _)) in text.char_indices().enumerate().step_by(53) {
            assert_eq!(idx.to_byte_from(at, c), Some(b));
            assert_eq!(idx.to_byte_from((text.len(), n), c), Some(b));
            at = (b, c);
        }
        assert_eq!(idx.to_byte_from(at, n), Some(text.len()));
        assert_eq!(idx.to_byte_from(at, n + 1), None);
    }

    /// Text that stresses the units: ASCII, Arabic with harakat and tatweel, astral
    /// emoji, ZWJ sequences, skin tones, flags, combining marks.
    fn hard_text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a",
            " ",
            "\n",
            "قال",
            "الجيشُ",
            "مُحَمَّدٌ",
            "ـ",
            "لا",
            "😀",
            "👨\u{200D}👩\u{200D}👧",
            "👍🏽",
            "🇸🇾",
            "e\u{301}",
            "\u{200F}",
            "١٢٣",
            "𝔸",
        ]);
        prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn byte_to_unit_to_byte_round_trips(text in hard_text()) {
            let starts = char_starts(&text);
            for unit in UNITS {
                let m = OffsetMap::new(&text, unit);
                prop_assert_eq!(m.len_units(), len_in(&text, unit));
                for &b in &starts {
                    let u = m.from_byte(b);
                    prop_assert_eq!(m.to_byte(u, &text), Some(b), "{:?} byte {}", unit, b);
                    let cp = m.code_point_of_byte(b);
                    prop_assert_eq!(m.from_code_point(cp), Some(u));
                    prop_assert_eq!(m.to_code_point(u), Some(cp));
                    prop_assert_eq!(m.byte_of_code_point(cp), Some(b));
                    prop_assert_eq!(byte_of_code_point(&text, cp), Some(b));
                }
                // A UTF-16 offset between surrogates, or a byte inside a character,
                // is no offset.
                for u in 0..=m.len_units() + 1 {
                    if let Some(b) = m.to_byte(u, &text) {
                        prop_assert!(text.is_char_boundary(b));
                        prop_assert_eq!(m.from_byte(b), u);
                    }
                }
            }
        }

        #[test]
        fn batch_conversion_equals_one_at_a_time(text in hard_text(), picks in prop::collection::vec(any::<prop::sample::Index>(), 0..20)) {
            let starts = char_starts(&text);
            let mut bytes: Vec<usize> = picks.iter().map(|i| starts[i.index(starts.len())]).collect();
            bytes.sort_unstable();
            let idx = CharIndex::new(Arc::from(text.as_str()));
            for unit in UNITS {
                let m = OffsetMap::new(&text, unit);
                let one: Vec<usize> = bytes.iter().map(|&b| m.from_byte(b)).collect();
                prop_assert_eq!(convert_sorted(&text, unit, &bytes), one, "{:?}", unit);
            }
            let cps = convert_sorted(&text, Offsets::CodePoints, &bytes);
            for (&b, &c) in bytes.iter().zip(&cps) {
                prop_assert_eq!(idx.to_chars(b), c);
                prop_assert_eq!(idx.to_byte(c), Some(b));
            }
        }
    }
}
