//! Arabic joining for terminals that do not shape: each letter cluster gets the
//! presentation form (isolated, initial, medial, final) that its neighbours call for.
//!
//! One cluster in, one cluster out: no ligatures (lam-alef stays two cells), harakat
//! kept on their letter, so logical offsets stay exact. The letter forms come from
//! ar-reshaper's table; the crate's own `reshape` is not used because it merges
//! ligatures, drops ZWJ and keeps no offset map. Must not: change cluster count.

use std::sync::OnceLock;

use ar_reshaper::form::Forms;
use ar_reshaper::letters::letters_db::{LETTERS_ARABIC, ZWJ};

use super::cluster::{CellKind, Cluster};

const ZWNJ: char = '\u{200C}';

/// Letter forms of U+0600..U+06FF, indexed by `c - 0x600`.
fn table() -> &'static [Option<Forms>; 256] {
    static TABLE: OnceLock<[Option<Forms>; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [None; 256];
        for (c, f) in LETTERS_ARABIC.iter().filter(|(c, _)| *c != ZWJ) {
            if let Some(i) = (*c as usize).checked_sub(0x600).filter(|i| *i < 256) {
                t[i] = Some(*f);
            }
        }
        t
    })
}

fn present(c: char) -> bool {
    c != '\0'
}

#[derive(Clone, Copy)]
struct Joining {
    forms: Forms,
    /// Can join the letter before it (has a final or medial form).
    before: bool,
    /// Can join the letter after it (has an initial or medial form), and no ZWNJ
    /// in the cluster stops it.
    after: bool,
}

fn joining(text: &str, c: &Cluster) -> Option<Joining> {
    // U+0600..U+06FF all start with a lead byte 0xD8..=0xDB: reject the rest cheaply.
    let lead = *text.as_bytes().get(c.start as usize)?;
    if !(0xD8..=0xDB).contains(&lead) || c.kind != CellKind::Text {
        return None;
    }
    let bytes = text.as_bytes();
    // U+0600..U+06FF in UTF-8: 0xD8..=0xDB then a continuation byte.
    let second = *bytes.get(c.start as usize + 1)?;
    let base = (((lead as u32) & 0x1F) << 6) | ((second as u32) & 0x3F);
    let forms = table()[base as usize - 0x600]?;
    let (zwnj, zwj) = if c.end - c.start > 2 {
        let rest = &text[c.start as usize + 2..c.end as usize];
        (rest.contains(ZWNJ), rest.contains(ZWJ))
    } else {
        (false, false)
    };
    Some(Joining {
        forms,
        before: present(forms.end) || present(forms.medial),
        after: !zwnj && (zwj || present(forms.initial) || present(forms.medial)),
    })
}

/// For each cluster, the presentation form to paint in place of its first character,
/// or `None` to leave it as it is.
pub(crate) fn shape(text: &str, clusters: &[Cluster]) -> Vec<Option<char>> {
    let mut out = vec![None; clusters.len()];
    let mut prev_after = false;
    let mut cur = clusters.first().and_then(|c| joining(text, c));
    for (i, slot) in out.iter_mut().enumerate() {
        let next = clusters.get(i + 1).and_then(|c| joining(text, c));
        let Some(me) = cur else {
            prev_after = false;
            cur = next;
            continue;
        };
        let f = me.forms;
        // Non-joining letters (hamza) stay as they are, as FriBidi leaves them.
        if me.before || present(f.initial) {
            let join_prev = me.before && prev_after;
            let join_next = me.after && next.is_some_and(|n| n.before);
            let pick = match (join_prev, join_next) {
                (true, true) if present(f.medial) => f.medial,
                (true, _) if present(f.end) => f.end,
                (false, true) if present(f.initial) => f.initial,
                _ => f.isolated,
            };
            if present(pick) {
                *slot = Some(pick);
            }
        }
        prev_after = me.after;
        cur = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::cluster::segment;
    use super::*;

    fn shaped(text: &str) -> String {
        let cl = segment(text, false);
        let forms = shape(text, &cl);
        cl.iter()
            .zip(forms)
            .map(|(c, f)| {
                let s = &text[c.start as usize..c.end as usize];
                match f {
                    Some(ch) => format!("{ch}{}", &s[s.chars().next().unwrap().len_utf8()..]),
                    None => s.to_string(),
                }
            })
            .collect()
    }

    #[test]
    fn words_join_without_ligatures() {
        // Logical order, as FriBidi forms them: qaf initial, alef final, lam alone.
        assert_eq!(shaped("قال"), "\u{FED7}\u{FE8E}\u{FEDD}");
        assert_eq!(shaped("كلم"), "\u{FEDB}\u{FEE0}\u{FEE2}");
    }

    #[test]
    fn harakat_stay_and_count_stays() {
        let s = shaped("قالَ");
        assert_eq!(s.chars().count(), "قالَ".chars().count());
        assert!(s.ends_with("\u{FEDD}\u{064E}"));
    }

    #[test]
    fn zwnj_breaks_joining() {
        // "حزب‌الله": without the ZWNJ beh would take its initial form and join the
        // alef; with it, beh stands alone and alef starts afresh.
        let s = shaped("حزب\u{200C}الله");
        let chars: Vec<char> = s.chars().collect();
        assert_eq!(chars[2], '\u{FE8F}');
        assert_eq!(shaped("حزبالله").chars().nth(2), Some('\u{FE91}'));
        assert_eq!(chars[4], '\u{FE8D}');
    }
}
