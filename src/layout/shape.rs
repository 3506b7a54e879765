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

fn joining(cluster: &str, kind: CellKind) -> Option<Joining> {
    if kind != CellKind::Text {
        return None;
    }
    let base = cluster.chars().next()?;
    if !('\u{0600}'..='\u{06FF}').contains(&base) {
        return None;
    }
    let forms = table()[base as usize - 0x600]?;
    let rest = &cluster[base.len_utf8()..];
    let zwnj = !rest.is_empty() && rest.contains(ZWNJ);
    let zwj = !rest.is_empty() && rest.contains(ZWJ);
    Some(Joining {
        forms,
        before: present(forms.end) || present(forms.medial),
        after: !zwnj && (zwj || present(forms.initial) || present(forms.medial)),
    })
}

/// For each cluster, the presentation form to paint in place of its first character,
/// or `None` to leave it as it is.
pub(crate) fn shape(text: &str, clusters: &[Cluster]) -> Vec<Option<char>> {
    let info: Vec<Option<Joining>> = clusters
        .iter()
        .map(|c| joining(&text[c.start as usize..c.end as usize], c.kind))
        .collect();
    let mut out = vec![None; clusters.len()];
    for i in 0..clusters.len() {
        let Some(me) = info[i] else { continue };
        if !me.before && !present(me.forms.initial) {
            // Non-joining letters (hamza) stay as they are, as FriBidi leaves them.
            continue;
        }
        let join_prev = me.before && i > 0 && info[i - 1].is_some_and(|p| p.after);
        let join_next = me.after && info.get(i + 1).copied().flatten().is_some_and(|n| n.before);
        let f = me.forms;
        let pick = match (join_prev, join_next) {
            (true, true) if present(f.medial) => f.medial,
            (true, _) if present(f.end) => f.end,
            (false, true) if present(f.initial) => f.initial,
            _ => f.isolated,
        };
        if present(pick) {
            out[i] = Some(pick);
        }
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
