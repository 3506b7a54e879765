//! Tokens for the token-based formats (Prodigy `tokens`, CoNLL lines), cut so that
//! every span is a whole number of tokens.
//!
//! The tokenization, in order:
//! 1. `suggest::normalize::tokenize`: words (letters with their harakat, tatweel,
//!    ZWNJ/ZWJ), numbers (`4.5`, `15,000`, `٢٠١٩`) and one token per punctuation or
//!    symbol character; white space and control characters separate and are never
//!    part of a token (a CoNLL line could not hold them).
//! 2. Any other run of characters that separates nothing (a bidi mark such as U+200F,
//!    a word of tatweel only) becomes a token too, so no visible character is lost.
//! 3. A token is cut wherever a span starts or ends inside it. Arabic attaches
//!    proclitics to the word: in `والجيش` with the entity `الجيش` the tokens are `و` and
//!    `الجيش`; in `للأمم` with the entity starting at the second lam they are `ل` and
//!    `لأمم`. The same word without an entity stays one token.
//!
//! A span can then fail to be whole tokens only when it starts or ends on white space
//! or a control character: CoNLL refuses such a record, Prodigy writes it without
//! tokens (its character-based form).

use crate::suggest::normalize::tokenize;

/// One token: a byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

/// A character that separates tokens and belongs to none.
fn separates(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Tokens covering every character of `text` that does not separate, cut at every
/// byte offset in `cuts` that falls inside one (offsets need not be sorted; those not
/// on a character boundary are ignored).
pub fn tokenize_for_spans(text: &str, cuts: &[usize]) -> Vec<Token> {
    let mut base = Vec::new();
    let mut pos = 0;
    for t in tokenize(text) {
        if text[t.start..t.end].chars().all(char::is_control) {
            continue;
        }
        uncovered(text, pos, t.start, &mut base);
        base.push(Token {
            start: t.start,
            end: t.end,
        });
        pos = t.end;
    }
    uncovered(text, pos, text.len(), &mut base);

    let mut cuts: Vec<usize> = cuts
        .iter()
        .copied()
        .filter(|&c| text.is_char_boundary(c))
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(base.len() + cuts.len());
    for t in base {
        let mut start = t.start;
        let first = cuts.partition_point(|&c| c <= t.start);
        for &c in cuts[first..].iter().take_while(|&&c| c < t.end) {
            out.push(Token { start, end: c });
            start = c;
        }
        out.push(Token { start, end: t.end });
    }
    out
}

/// Runs of characters that do not separate in `text[from..to]`, as tokens.
fn uncovered(text: &str, from: usize, to: usize, out: &mut Vec<Token>) {
    let Some(gap) = text.get(from..to) else {
        return;
    };
    let mut run: Option<usize> = None;
    for (i, c) in gap.char_indices() {
        match (separates(c), run) {
            (false, None) => run = Some(from + i),
            (true, Some(s)) => {
                out.push(Token {
                    start: s,
                    end: from + i,
                });
                run = None;
            }
            _ => {}
        }
    }
    if let Some(s) = run {
        out.push(Token { start: s, end: to });
    }
}

/// Tokens that cover the whole text, for Prodigy: spaCy builds a `Doc` from `words`
/// and `spaces` (one optional single space after each word), so joining every token's
/// text and its `ws` space must give the text back. The tokens of
/// [`tokenize_for_spans`] (cut at every span's ends, given as byte ranges), and
/// between them, as spaCy's tokenizer does: one plain space after a token is its `ws`;
/// any other run of white space or control characters (a paragraph break `\n\n`, two
/// spaces, a tab) is a token of its own. A space stays a token where a span starts on
/// it or ends just after it, so every span is a run of whole tokens.
pub fn tokenize_covering(text: &str, spans: &[(usize, usize)]) -> Vec<(Token, bool)> {
    let cuts: Vec<usize> = spans.iter().flat_map(|&(a, b)| [a, b]).collect();
    let words = tokenize_for_spans(text, &cuts);
    let starts: std::collections::HashSet<usize> = spans.iter().map(|s| s.0).collect();
    let ends: std::collections::HashSet<usize> = spans.iter().map(|s| s.1).collect();
    let mut cuts = cuts;
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<(Token, bool)> = Vec::with_capacity(words.len() * 2);
    let mut pos = 0;
    let gap = |from: usize, to: usize, out: &mut Vec<(Token, bool)>| {
        let mut from = from;
        if from == to {
            return;
        }
        if let Some(last) = out.last_mut()
            && last.0.end == from
            && text[from..].starts_with(' ')
            && !starts.contains(&from)
            && !ends.contains(&(from + 1))
        {
            last.1 = true;
            from += 1;
        }
        let first = cuts.partition_point(|&c| c <= from);
        for &c in cuts[first..].iter().take_while(|&&c| c < to) {
            out.push((
                Token {
                    start: from,
                    end: c,
                },
                false,
            ));
            from = c;
        }
        if from < to {
            out.push((
                Token {
                    start: from,
                    end: to,
                },
                false,
            ));
        }
    };
    for w in words {
        gap(pos, w.start, &mut out);
        out.push((w, false));
        pos = w.end;
    }
    gap(pos, text.len(), &mut out);
    out
}

/// Index of the first and last token of a byte range, when the range is exactly a
/// run of whole tokens.
pub(crate) fn token_range(tokens: &[Token], start: usize, end: usize) -> Option<(usize, usize)> {
    let i = tokens.binary_search_by_key(&start, |t| t.start).ok()?;
    let j = tokens.binary_search_by_key(&end, |t| t.end).ok()?;
    (i <= j).then_some((i, j))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown<'t>(text: &'t str, cuts: &[usize]) -> Vec<&'t str> {
        tokenize_for_spans(text, cuts)
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn proclitics_are_cut_off_only_at_an_entity() {
        let text = "قال والجيش السوري";
        assert_eq!(shown(text, &[]), vec!["قال", "والجيش", "السوري"]);
        let start = text.find("الجيش").unwrap();
        assert_eq!(
            shown(text, &[start, text.len()]),
            vec!["قال", "و", "الجيش", "السوري"]
        );
        let text = "للأمم المتحدة";
        let second_lam = "ل".len();
        assert_eq!(shown(text, &[second_lam]), vec!["ل", "لأمم", "المتحدة"]);
    }

    #[test]
    fn every_character_but_white_space_is_in_a_token() {
        let text = "\u{200F}ـــ قالَ «لا»\u{1} 😀 4.5%\n";
        let toks = tokenize_for_spans(text, &[]);
        let mut covered = vec![false; text.len()];
        for t in &toks {
            covered[t.start..t.end].iter_mut().for_each(|c| *c = true);
        }
        for (i, c) in text.char_indices() {
            assert_eq!(covered[i], !separates(c), "{c:?} at {i}");
        }
        assert_eq!(
            shown(text, &[]),
            vec!["\u{200F}ـــ", "قالَ", "«", "لا", "»", "😀", "4.5", "%"]
        );
    }

    /// The tokens' texts, each with " " after it when its `ws` is set.
    fn covering(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
        tokenize_covering(text, spans)
            .iter()
            .map(|(t, ws)| format!("{}{}", &text[t.start..t.end], if *ws { " " } else { "" }))
            .collect()
    }

    #[test]
    fn covering_tokens_give_back_the_text_with_paragraph_breaks_as_tokens() {
        let text = "قال الجيش  السوري\n\nإن «داعش» انسحب\t \u{1}من جبل البشري \n";
        let toks = covering(text, &[]);
        assert_eq!(toks.concat(), text);
        assert_eq!(
            toks,
            vec![
                "قال ",
                "الجيش ",
                " ",
                "السوري",
                "\n\n",
                "إن ",
                "«",
                "داعش",
                "» ",
                "انسحب",
                "\t \u{1}",
                "من ",
                "جبل ",
                "البشري ",
                "\n"
            ]
        );
    }

    #[test]
    fn a_span_that_starts_or_ends_on_a_space_is_still_whole_tokens() {
        let text = "قال الجيش السوري";
        let a = text.find(" الجيش").unwrap();
        let toks = tokenize_covering(text, &[(a, a + " الجيش".len())]);
        let shown: Vec<&str> = toks.iter().map(|(t, _)| &text[t.start..t.end]).collect();
        assert_eq!(shown, vec!["قال", " ", "الجيش", "السوري"]);
        let b = text.find("قال ").unwrap();
        let toks = tokenize_covering(text, &[(b, b + "قال ".len())]);
        let shown: Vec<&str> = toks.iter().map(|(t, _)| &text[t.start..t.end]).collect();
        assert_eq!(shown, vec!["قال", " ", "الجيش", "السوري"]);
    }

    #[test]
    fn whole_token_ranges() {
        let text = "زار ماكرون القاهرة";
        let toks = tokenize_for_spans(text, &[]);
        let m = text.find("ماكرون").unwrap();
        assert_eq!(token_range(&toks, m, text.len()), Some((1, 2)));
        assert_eq!(token_range(&toks, m - 1, text.len()), None); // starts on a space
    }
}
