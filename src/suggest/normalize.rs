//! Arabic as it is written, folded for matching only: the text is never changed, each
//! token keeps the exact byte range it came from, and every match maps back to it.
//!
//! Folds: alef variants (أ إ آ ٱ) to ا, ى to ي, ة to ه, harakat and tatweel removed,
//! Persian ی/ک to ي/ك, Eastern Arabic and Persian digits to ASCII, presentation forms
//! through NFKC, ZWNJ/ZWJ and bidi marks removed, Latin lower-cased.
//!
//! Must not: allocate per character in the hot path, or change offsets.

use std::iter::Peekable;
use std::str::CharIndices;

use compact_str::CompactString;
use unicode_normalization::UnicodeNormalization;

/// Where folded text can be written.
pub trait Sink {
    fn put(&mut self, c: char);
}

impl Sink for String {
    fn put(&mut self, c: char) {
        self.push(c);
    }
}

impl Sink for CompactString {
    fn put(&mut self, c: char) {
        self.push(c);
    }
}

/// Appends the folded form of `c` to `out` (nothing for marks that don't count).
pub fn fold_into(c: char, out: &mut impl Sink) {
    // Letters that stay as they are: most of the text.
    if matches!(c, 'ء' | 'ؤ' | 'ئ' | 'ا' | 'ب' | 'ت'..='غ' | 'ف'..='و' | 'ي' | 'a'..='z' | '0'..='9')
    {
        out.put(c);
        return;
    }
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => out.put('ا'),
        'ى' | 'ی' | 'ې' => out.put('ي'),
        'ة' => out.put('ه'),
        'ک' => out.put('ك'),
        // Harakat, superscript alef, Quranic marks, tatweel.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}' => {}
        // Joiners, bidi marks and other invisible format characters.
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
        '\u{061C}' | '\u{FEFF}' | '\u{00AD}' => {}
        '\u{0660}'..='\u{0669}' => out.put(char::from(b'0' + (c as u32 - 0x660) as u8)),
        '\u{06F0}'..='\u{06F9}' => out.put(char::from(b'0' + (c as u32 - 0x6F0) as u8)),
        '٫' => out.put('.'),
        '٬' => out.put(','),
        '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}' => {
            for d in std::iter::once(c).nfkc() {
                if d == c {
                    out.put(d);
                } else {
                    fold_into(d, out);
                }
            }
        }
        c if c.is_ascii_uppercase() => out.put(c.to_ascii_lowercase()),
        c if c.is_uppercase() => c.to_lowercase().for_each(|l| out.put(l)),
        c => out.put(c),
    }
}

/// The folded form of a whole string (for dictionary entries and search).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_into(c, &mut out);
    }
    out
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters (Arabic or other), possibly with marks.
    Word,
    /// Digits, with `.`/`,` between digits (4.5, 15,000, ٢٠٢٤).
    Number,
    /// One punctuation or symbol character (%, /, «, .).
    Punct,
}

/// One token of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
    /// Folded form (inline, no allocation, for words up to 24 bytes).
    pub norm: CompactString,
}

fn is_word_char(c: char) -> bool {
    // Arabic letters and ASCII first: most of the text, no table lookup.
    if matches!(c, '\u{0621}'..='\u{064A}') || c.is_ascii_alphabetic() {
        return true;
    }
    if c.is_ascii() {
        return false;
    }
    c.is_alphabetic()
        || matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{200C}' | '\u{200D}')
        || unicode_width_zero_mark(c)
}

/// Combining marks other than the Arabic ones listed above (Latin accents...).
fn unicode_width_zero_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}')
}

/// Splits text into word, number and punctuation tokens (white space dropped).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 8);
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}') {
            continue;
        }
        let mut norm = CompactString::const_new("");
        fold_into(c, &mut norm);
        let mut end = i + c.len_utf8();
        let kind = if is_digit(c) {
            // A separator counts only between digits.
            let number = |j: usize, d: char| {
                is_digit(d)
                    || (matches!(d, '.' | ',' | '٫' | '٬')
                        && text[j + d.len_utf8()..].starts_with(is_digit))
            };
            fold_while(&mut it, &mut norm, &mut end, number);
            TokenKind::Number
        } else if is_word_char(c) {
            fold_while(&mut it, &mut norm, &mut end, |_, d| {
                is_word_char(d) && !is_digit(d)
            });
            TokenKind::Word
        } else {
            TokenKind::Punct
        };
        if norm.is_empty() && kind != TokenKind::Punct {
            continue;
        }
        out.push(Token {
            start: i,
            end,
            kind,
            norm,
        });
    }
    out
}

/// Takes the characters that may go on a token (`goes_on`, given where each stands)
/// into its folded form, and moves its `end` past them.
fn fold_while(
    it: &mut Peekable<CharIndices<'_>>,
    norm: &mut CompactString,
    end: &mut usize,
    goes_on: impl Fn(usize, char) -> bool,
) {
    while let Some(&(j, d)) = it.peek()
        && goes_on(j, d)
    {
        fold_into(d, norm);
        *end = j + d.len_utf8();
        it.next();
    }
}

/// A reading of a word with its proclitics taken off: the folded form to look up and
/// how many bytes of the original word the proclitic takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stripped {
    pub norm: CompactString,
    pub skip_bytes: usize,
}

/// The conjunctions that may stand first on a word (و ف).
pub const CONJUNCTIONS: [char; 2] = ['و', 'ف'];
/// The prepositions that may follow them, attached (ب ك ل).
pub const PREPOSITIONS: [char; 3] = ['ب', 'ك', 'ل'];

/// True for a letter that can be a proclitic (و ف ب ك ل). Every reader of
/// proclitics (suggestions, scores, training lists, the viewer's word under the cursor
/// through [`strip_proclitics`]) asks here.
pub fn is_proclitic(c: char) -> bool {
    CONJUNCTIONS.contains(&c) || PREPOSITIONS.contains(&c)
}

/// Conjunction (و ف), then preposition (ب ك ل), in that order, each optional; ل + ال
/// written لل counts as ل then ال, and the span starts at the second lam.
pub fn strip_proclitics(word: &str, norm: &str) -> Vec<Stripped> {
    let mut out = Vec::new();
    let nchars: Vec<char> = norm.chars().collect();
    let mut prefixes: Vec<usize> = Vec::new(); // number of folded chars taken off
    let conj = nchars.first().is_some_and(|c| CONJUNCTIONS.contains(c));
    for c in [0usize, 1] {
        if c == 1 && !conj {
            continue;
        }
        prefixes.push(c);
        if nchars.get(c).is_some_and(|c| PREPOSITIONS.contains(c)) {
            prefixes.push(c + 1);
        }
    }
    for &p in &prefixes {
        if p == 0 {
            continue;
        }
        let rest: String = nchars[p..].iter().collect();
        if rest.chars().count() < 2 {
            continue;
        }
        let skip = byte_len_of_folded_prefix(word, p);
        // ل + ال written لل: after taking ل, a rest starting with ل (not ال) was ال.
        if nchars[p - 1] == 'ل' && rest.starts_with('ل') && !rest.starts_with("ال") {
            let mut norm = CompactString::const_new("ا");
            norm.push_str(&rest);
            out.push(Stripped {
                norm,
                skip_bytes: skip,
            });
            continue;
        }
        out.push(Stripped {
            norm: rest.into(),
            skip_bytes: skip,
        });
    }
    out
}

/// Bytes of `word` that fold to its first `n` folded characters (marks after a
/// proclitic letter belong to it).
fn byte_len_of_folded_prefix(word: &str, n: usize) -> usize {
    let mut count = 0;
    let mut buf = String::new();
    for (i, c) in word.char_indices() {
        buf.clear();
        fold_into(c, &mut buf);
        let k = buf.chars().count();
        if count >= n && k > 0 {
            return i;
        }
        count += k;
    }
    word.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_spelling_variants_together() {
        assert_eq!(fold("الأميركي"), fold("الاميركي"));
        assert_eq!(fold("إلى"), "الي");
        assert_eq!(fold("وزارةُ"), "وزاره");
        assert_eq!(fold("الـــقـــافـــلـــة"), "القافله");
        assert_eq!(fold("٢٠١٩"), "2019");
        assert_eq!(fold("دیر"), "دير");
        assert_eq!(fold("\u{FEF7}"), "لا"); // lam-alef ligature form
        assert_eq!(fold("NATO"), "nato");
        assert_eq!(fold("حزب\u{200C}الله"), "حزبالله");
    }

    #[test]
    fn every_arabic_letter_folds_as_the_full_table_says() {
        // The fast path for letters that stay must not swallow one that changes.
        for c in '\u{0600}'..='\u{06FF}' {
            let mut fast = String::new();
            fold_into(c, &mut fast);
            let changes = matches!(c, 'أ' | 'إ' | 'آ' | 'ٱ' | 'ى' | 'ی' | 'ې' | 'ة' | 'ک')
                || matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}' | '\u{061C}')
                || matches!(c, '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}' | '٫' | '٬');
            assert_eq!(
                fast == c.to_string(),
                !changes,
                "{c} U+{:04X} -> {fast}",
                c as u32
            );
        }
    }

    #[test]
    fn tokens_keep_their_original_offsets() {
        let text = "قال «الجيش» 4.5% في آذار/مارس ٢٠١٩.";
        let toks = tokenize(text);
        let shown: Vec<(&str, TokenKind)> = toks
            .iter()
            .map(|t| (&text[t.start..t.end], t.kind))
            .collect();
        use TokenKind::*;
        assert_eq!(
            shown,
            vec![
                ("قال", Word),
                ("«", Punct),
                ("الجيش", Word),
                ("»", Punct),
                ("4.5", Number),
                ("%", Punct),
                ("في", Word),
                ("آذار", Word),
                ("/", Punct),
                ("مارس", Word),
                ("٢٠١٩", Number),
                (".", Punct),
            ]
        );
        assert_eq!(toks[7].norm, "اذار");
    }

    #[test]
    fn proclitics_come_off_with_exact_offsets() {
        let w = "والتحالف";
        let s = strip_proclitics(w, &fold(w));
        assert!(s.contains(&Stripped {
            norm: "التحالف".into(),
            skip_bytes: "و".len()
        }));
        // ل + ال fused: the span starts at the second lam, the lookup form has ال.
        let w = "للأمم";
        let s = strip_proclitics(w, &fold(w));
        assert!(s.contains(&Stripped {
            norm: "الامم".into(),
            skip_bytes: "ل".len()
        }));
        // وبـ: conjunction then preposition.
        let w = "وبدمشق";
        let s = strip_proclitics(w, &fold(w));
        assert!(
            s.iter()
                .any(|x| x.norm == "دمشق" && x.skip_bytes == "وب".len())
        );
        // Harakat on the proclitic stay with it.
        let w = "وَالجيش";
        let s = strip_proclitics(w, &fold(w));
        assert!(
            s.iter()
                .any(|x| x.norm == "الجيش" && &w[x.skip_bytes..] == "الجيش")
        );
        // Too short a rest is no reading.
        assert!(strip_proclitics("وب", "وب").is_empty());
    }
}
