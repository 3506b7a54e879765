//! A dictionary of names keyed on folded tokens (a token trie, like INCEpTION's string
//! matcher), and the matcher that finds its entries in a document: at every word, the
//! longest entry that ends on a word boundary, reading the first word as written and
//! with its proclitics taken off.
//!
//! Must not: know what the values mean (gazetteer entries, learned counts).

use rustc_hash::FxHashMap as HashMap;

use super::normalize::{Stripped, Token, TokenKind, is_proclitic, strip_proclitics, tokenize};

/// A token trie from folded token sequences to values.
#[derive(Debug, Clone)]
pub struct Dict<V> {
    ids: HashMap<String, u32>,
    edges: HashMap<(u32, u32), u32>,
    values: Vec<Option<V>>,
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Dict {
            ids: HashMap::default(),
            edges: HashMap::default(),
            values: vec![None],
        }
    }
}

impl<V> Dict<V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of distinct token sequences with a value.
    pub fn len(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value slot of a token sequence, created if missing.
    pub fn slot<S: AsRef<str>>(&mut self, tokens: &[S]) -> &mut Option<V> {
        let mut node = 0u32;
        for t in tokens {
            let next_id = self.ids.len() as u32;
            let id = *self.ids.entry(t.as_ref().to_string()).or_insert(next_id);
            let next_node = self.values.len() as u32;
            node = match self.edges.get(&(node, id)) {
                Some(&n) => n,
                None => {
                    self.edges.insert((node, id), next_node);
                    self.values.push(None);
                    next_node
                }
            };
        }
        &mut self.values[node as usize]
    }

    /// The value of a token sequence.
    pub fn get<S: AsRef<str>>(&self, tokens: &[S]) -> Option<&V> {
        let mut node = 0u32;
        for t in tokens {
            let id = *self.ids.get(t.as_ref())?;
            node = *self.edges.get(&(node, id))?;
        }
        self.values[node as usize].as_ref()
    }

    /// Calls `f` with every token sequence that has a value, and the value.
    pub fn for_each(&self, mut f: impl FnMut(&[&str], &V)) {
        let mut names = vec![""; self.ids.len()];
        for (s, &i) in &self.ids {
            names[i as usize] = s.as_str();
        }
        let mut children: Vec<Vec<(u32, u32)>> = vec![Vec::new(); self.values.len()];
        for (&(node, id), &child) in &self.edges {
            children[node as usize].push((id, child));
        }
        // Depth-first; each stack item is (node, depth, token that led to it).
        let mut stack: Vec<(u32, usize, u32)> = vec![(0, 0, 0)];
        let mut path: Vec<&str> = Vec::new();
        while let Some((node, depth, via)) = stack.pop() {
            path.truncate(depth.saturating_sub(1));
            if depth > 0 {
                path.push(names[via as usize]);
            }
            if let Some(v) = self.values[node as usize].as_ref() {
                f(&path, v);
            }
            for &(id, child) in &children[node as usize] {
                stack.push((child, depth + 1, id));
            }
        }
    }

    /// The node after `node` (0 is the root) by token `tok`.
    pub fn walk(&self, node: u32, tok: &str) -> Option<u32> {
        self.step(node, self.id(tok)?)
    }

    /// The value at a node.
    pub fn value(&self, node: u32) -> Option<&V> {
        self.values[node as usize].as_ref()
    }

    fn id(&self, tok: &str) -> Option<u32> {
        self.ids.get(tok).copied()
    }

    fn step(&self, node: u32, id: u32) -> Option<u32> {
        self.edges.get(&(node, id)).copied()
    }
}

/// A document's tokens with the proclitic readings of its words, computed once and
/// shared by every dictionary and rule.
#[derive(Debug)]
pub struct DocTokens<'a> {
    pub text: &'a str,
    pub tokens: Vec<Token>,
    /// Proclitic readings of each token (empty for most).
    pub stripped: Vec<Vec<Stripped>>,
}

impl<'a> DocTokens<'a> {
    pub fn new(text: &'a str) -> DocTokens<'a> {
        let tokens = tokenize(text);
        let stripped = tokens
            .iter()
            .map(|t| {
                let may =
                    t.kind == TokenKind::Word && t.norm.chars().next().is_some_and(is_proclitic);
                if may {
                    strip_proclitics(&text[t.start..t.end], &t.norm)
                } else {
                    Vec::new()
                }
            })
            .collect();
        DocTokens {
            text,
            tokens,
            stripped,
        }
    }
}

impl DocTokens<'_> {
    /// The tokens that share a byte with `start..end`, as an index range (empty when
    /// none does).
    pub fn token_range(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        let first = self.tokens.partition_point(|t| t.end <= start);
        let last = self.tokens.partition_point(|t| t.start < end);
        first..last.max(first)
    }
}

/// A dictionary entry found in a document.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'v, V> {
    /// Byte range of the name in the text (proclitic excluded).
    pub start: usize,
    pub end: usize,
    /// First and last token (inclusive).
    pub first: usize,
    pub last: usize,
    /// The first word was read without its proclitic.
    pub stripped: bool,
    pub value: &'v V,
}

/// Every longest entry of `dict` starting at each word of `doc` (hits may overlap:
/// the caller arbitrates).
pub fn find_all<'v, V>(dict: &'v Dict<V>, doc: &DocTokens) -> Vec<Hit<'v, V>> {
    let ids: Vec<Option<u32>> = doc.tokens.iter().map(|t| dict.id(&t.norm)).collect();
    let mut hits = Vec::new();
    for i in 0..doc.tokens.len() {
        if doc.tokens[i].kind == TokenKind::Punct {
            continue;
        }
        let readings = std::iter::once((ids[i], 0usize, false)).chain(
            doc.stripped[i]
                .iter()
                .map(|s| (dict.id(&s.norm), s.skip_bytes, true)),
        );
        for (id, skip, stripped) in readings {
            let Some(id) = id else { continue };
            let Some(mut node) = dict.step(0, id) else {
                continue;
            };
            let mut best = dict.values[node as usize].as_ref().map(|v| (i, v));
            let mut j = i + 1;
            while j < doc.tokens.len() {
                let Some(next) = ids[j].and_then(|id| dict.step(node, id)) else {
                    break;
                };
                node = next;
                if let Some(v) = dict.values[node as usize].as_ref() {
                    best = Some((j, v));
                }
                j += 1;
            }
            if let Some((last, value)) = best {
                hits.push(Hit {
                    start: doc.tokens[i].start + skip,
                    end: doc.tokens[last].end,
                    first: i,
                    last,
                    stripped,
                    value,
                });
            }
        }
    }
    hits
}

/// The folded tokens of a name as written (for dictionary keys).
pub fn key_of(surface: &str) -> Vec<String> {
    tokenize(surface)
        .into_iter()
        .map(|t| t.norm.to_string())
        .collect()
}

/// The folded key of the span `start..end` of `doc`: its tokens, the first one read
/// as the matcher reads it when the span starts after a proclitic (لل included).
pub fn key_of_span(doc: &DocTokens, start: usize, end: usize) -> Vec<String> {
    let mut key = Vec::new();
    for (i, t) in doc.tokens.iter().enumerate() {
        if t.end <= start || t.start >= end {
            continue;
        }
        if t.start < start {
            match doc.stripped[i]
                .iter()
                .find(|s| t.start + s.skip_bytes == start)
            {
                Some(s) => key.push(s.norm.to_string()),
                None => key.extend(key_of(&doc.text[start..t.end.min(end)])),
            }
        } else if t.end > end {
            key.extend(key_of(&doc.text[t.start..end]));
        } else {
            key.push(t.norm.to_string());
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(entries: &[(&str, &'static str)]) -> Dict<&'static str> {
        let mut d = Dict::new();
        for (s, v) in entries {
            *d.slot(&key_of(s)) = Some(*v);
        }
        d
    }

    fn found(d: &Dict<&'static str>, text: &str) -> Vec<(String, &'static str)> {
        let doc = DocTokens::new(text);
        find_all(d, &doc)
            .into_iter()
            .map(|h| (text[h.start..h.end].to_string(), *h.value))
            .collect()
    }

    #[test]
    fn longest_entry_on_word_boundaries() {
        let d = dict(&[("دير الزور", "LOC"), ("دير", "X"), ("الجيش السوري", "ORG")]);
        assert_eq!(
            found(&d, "ريف دير الزور الغربي"),
            vec![("دير الزور".to_string(), "LOC")]
        );
        // Not inside a longer word.
        assert!(found(&d, "الديرة").is_empty());
    }

    #[test]
    fn proclitics_stay_outside_and_spellings_fold() {
        let d = dict(&[("التحالف الأميركي", "ORG"), ("الأمم المتحدة", "ORG")]);
        assert_eq!(
            found(&d, "والتحالف الاميركى يمنع"),
            vec![("التحالف الاميركى".to_string(), "ORG")]
        );
        assert_eq!(
            found(&d, "نقل للأمم المتحدة"),
            vec![("لأمم المتحدة".to_string(), "ORG")]
        );
    }

    #[test]
    fn for_each_gives_every_key() {
        let d = dict(&[("دير الزور", "LOC"), ("دير", "X"), ("الجيش السوري", "ORG")]);
        let mut keys = Vec::new();
        d.for_each(|k, v| keys.push((k.join(" "), *v)));
        keys.sort();
        assert_eq!(
            keys,
            vec![
                ("الجيش السوري".to_string(), "ORG"),
                ("دير".to_string(), "X"),
                ("دير الزور".to_string(), "LOC")
            ]
        );
    }

    #[test]
    fn a_span_key_reads_like_the_matcher() {
        let text = "نقل للأمم المتحدة";
        let doc = DocTokens::new(text);
        let start = text.find("لأمم").unwrap();
        assert_eq!(key_of_span(&doc, start, text.len()), key_of("الأمم المتحدة"));
        let text = "والجيش السوري";
        let doc = DocTokens::new(text);
        assert_eq!(
            key_of_span(&doc, "و".len(), text.len()),
            key_of("الجيش السوري")
        );
    }
}
