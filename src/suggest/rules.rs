//! Rules for names that no list can hold: a title before a person's name, a head word
//! before an organization, place or facility, a unit with its number, a quantity with
//! its unit, days and dates. The words live in `assets/rules.toml` (data); this file
//! only says how each kind of rule reads the tokens around its trigger.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::dict::{Dict, DocTokens};
use super::normalize::TokenKind;

mod file;

pub use file::{DEFAULT_RULES, RulesError};

/// Words of years after a number: it counts years (2000 عام), it is no year.
const YEARS: &[&str] = &["عام", "عاما", "اعوام", "سنه", "سنوات", "سنين"];

/// The score of a head rule's name that holds a listed name (ميناء أم قصر): above
/// the lists' own 0.9, since the head says what kind of thing the name is.
const HEAD_WITH_NAME: f32 = 0.92;

fn head_score(score: f32, with_name: bool) -> f32 {
    if with_name {
        score.max(HEAD_WITH_NAME)
    } else {
        score
    }
}

/// The label of a rule left out because the label set lacks its label.
const OFF: u16 = u16::MAX;

/// A span a rule proposes.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleHit {
    pub start: usize,
    pub end: usize,
    pub label: u16,
    pub score: f32,
    /// Which rule: `title`, `head`, `numbered`, `quantity`, `date`.
    pub rule: &'static str,
}

struct Words {
    label: u16,
    score: f32,
    set: HashSet<String>,
    /// Head rules: the name needs a nisba or a known name after the head.
    require_specific: bool,
    /// Head words that only wrap a name (قوات): before a listed name they propose
    /// nothing, the name alone is the entity.
    wrappers: HashSet<String>,
    /// Head rules: a nationality adjective after the name is not part of it
    /// (ميناء طرطوس السوري).
    nationality_outside: bool,
    /// Head rules: adjectives, not nisbas, that belong to the name after it
    /// (ميناء الفاو الكبير).
    adjectives: HashSet<String>,
    /// Head rules: words without which a definite head names nothing, and with
    /// which it is a public body whose field follows with ل (الشركة العامة لموانئ
    /// العراق، الهيئة الوطنية للإعلام).
    general: HashSet<String>,
}

/// The compiled rules.
pub struct Rules {
    /// The label of places (LOC), or OFF.
    place_label: u16,
    title: Words,
    particles: HashSet<String>,
    numbered: Words,
    heads: Vec<Words>,
    /// Nationality adjectives, masculine and feminine (السوري، السورية).
    nationalities: HashSet<String>,
    qty: (u16, f32),
    units: Dict<()>,
    multipliers: HashSet<String>,
    date: (u16, f32),
    weekdays: HashSet<String>,
    levant: Dict<()>,
    gregorian: Dict<()>,
    year_words: HashSet<String>,
    /// Words after which a bare year is a date (منذ).
    year_after: HashSet<String>,
    /// Every word that can start a rule.
    triggers: HashSet<String>,
}

/// A listed name found in a document, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    /// The token it ends on.
    pub last: usize,
    /// Whether the list says it is a place (the label LOC).
    pub place: bool,
    /// Whether it was found without a proclitic of its first word (بمصر).
    pub clitic: bool,
}

/// What the rules need to know of the other sources.
pub struct Context<'a> {
    pub stopwords: &'a HashSet<String>,
    /// Folded tokens that occur in known names (gazetteer entries).
    pub name_tokens: &'a HashSet<String>,
    /// Folded tokens of known person names.
    pub person_tokens: &'a HashSet<String>,
    /// Names that are a whole gazetteer entry in one word (حماس، دمشق).
    pub entries: &'a HashSet<String>,
    /// Tokens of this document where a listed name starts, with the longest one
    /// starting there.
    pub names_at: &'a HashMap<usize, Listed>,
    /// Folded person-name tokens (Wikidata) with a frequency class: after a title,
    /// evidence that the word is a given name, never a name on its own.
    pub person_names: &'a HashMap<String, u8>,
}

impl Rules {
    /// What a folded word is to the rules, as evidence for the tagger: a title
    /// before a person's name, and the label of the head words it starts.
    pub fn word_cue(&self, norm: &str) -> (bool, Option<u16>) {
        let title = self.title.label != OFF && self.title.set.contains(norm);
        let head = self
            .heads
            .iter()
            .find(|h| h.label != OFF && h.set.contains(norm))
            .map(|h| h.label);
        (title, head)
    }

    /// Every span the rules propose in `doc` (they may overlap).
    pub fn apply(&self, doc: &DocTokens, ctx: &Context) -> Vec<RuleHit> {
        let mut out = Vec::new();
        let r = Reader { doc, ctx };
        for i in 0..doc.tokens.len() {
            // Most words trigger nothing: one look-up rules them out.
            let t = &doc.tokens[i];
            let trigger = t.kind == TokenKind::Number
                || self.triggers.contains(t.norm.as_str())
                || doc.stripped[i]
                    .iter()
                    .any(|s| self.triggers.contains(s.norm.as_str()));
            if !trigger {
                continue;
            }
            self.title_at(&r, i, &mut out);
            self.numbered_at(&r, i, &mut out);
            self.head_at(&r, i, &mut out);
            self.quantity_at(&r, i, &mut out);
            self.date_at(&r, i, &mut out);
        }
        out.retain(|h| h.label != OFF);
        out
    }

    fn title_at(&self, r: &Reader, i: usize, out: &mut Vec<RuleHit>) {
        if r.reading(i, &self.title.set).is_none() {
            return;
        }
        // Skip what completes the title (الوزراء، الخارجية، السوري) unless it is a
        // known person's name (الرئيس الأسد).
        let mut j = i + 1;
        let mut skipped = 0;
        while r.word(j) && r.definite(j) && skipped < 3 && !r.stop(j) {
            if r.person_token(j) && !r.nisba(j) {
                break;
            }
            j += 1;
            skipped += 1;
        }
        let name_word = |k: usize| {
            r.word(k) && !r.stop(k) && !r.nisba(k) && !self.title.set.contains(r.norm(k))
        };
        if !name_word(j) || (r.definite(j) && !r.person_token(j)) {
            return;
        }
        // The name runs on over known name words, and over particles and the word
        // after each (محمد بن راشد آل مكتوم); an unknown second word is taken only
        // after a known first name (سهيل الحسن).
        let mut last = j;
        // After a title, a word known as a person-name token (Wikidata) is a first
        // name even when no list holds the person (المهندس غياث الدباغ).
        // Its next word joins it only when it is a given name too (غياث الدباغ
        // needs الدباغ known: a title before a single name is common, and the word
        // after it is then often none).
        let listed_first = r.person_token(j);
        // Not after a title in construct (رئيس أركان): there the next word is a noun.
        let title_definite = j > i + 1
            || r.definite(i)
            || r.doc.stripped[i]
                .iter()
                .any(|s| s.norm.starts_with("ال") && self.title.set.contains(s.norm.as_str()));
        let given_first = title_definite && !listed_first && !r.definite(j) && r.given_name(j);
        let mut known = listed_first || given_first;
        // A nisba-shaped surname after a known first name (أحمد الحلبي) belongs to the
        // name; after a name that is whole alone (بوتين الروسي) it is an adjective.
        let surname = |k: usize| {
            k == j + 1
                && r.person_token(j)
                && !r.entry(j)
                && r.word(k)
                && r.nisba(k)
                && !r.stop(k)
                && !self.title.set.contains(r.norm(k))
        };
        while last - j < 4 {
            let k = last + 1;
            let after_particle = self.particles.contains(r.norm(last));
            if !name_word(k) && !surname(k) {
                break;
            }
            if after_particle
                || self.particles.contains(r.norm(k))
                || r.person_token(k)
                || (last == j && listed_first)
                || (last == j && given_first && r.given_name(k))
            {
                known |= r.person_token(k);
                last = k;
            } else {
                break;
            }
        }
        if self.particles.contains(r.norm(last)) {
            if last == j {
                return;
            }
            last -= 1;
        }
        if !known {
            return;
        }
        out.push(RuleHit {
            start: r.doc.tokens[j].start,
            end: r.doc.tokens[last].end,
            label: self.title.label,
            score: self.title.score,
            rule: "title",
        });
    }

    fn numbered_at(&self, r: &Reader, i: usize, out: &mut Vec<RuleHit>) {
        let Some(start) = r.reading(i, &self.numbered.set) else {
            return;
        };
        if r.kind(i + 1) == Some(TokenKind::Number) {
            out.push(RuleHit {
                start,
                end: r.doc.tokens[i + 1].end,
                label: self.numbered.label,
                score: self.numbered.score,
                rule: "numbered",
            });
        }
    }

    fn head_at(&self, r: &Reader, i: usize, out: &mut Vec<RuleHit>) {
        // A listed name as it stands, with no proclitic.
        let listed = |k: usize| r.ctx.names_at.get(&k).filter(|n| !n.clitic);
        let place_at = |k: usize| listed(k).filter(|n| n.place).map(|n| n.last);
        for h in &self.heads {
            let Some(start) = r.reading(i, &h.set) else {
                continue;
            };
            let head_definite = r.doc.tokens[i].norm.starts_with("ال")
                || r.doc.stripped[i]
                    .iter()
                    .any(|s| s.norm.starts_with("ال") && h.set.contains(s.norm.as_str()));
            let j = i + 1;
            if !r.word(j) {
                continue;
            }
            // الشركة العامة لموانئ العراق: a public body named by its field.
            if head_definite && !h.general.is_empty() {
                let Some((last, with_name)) = Some(j + 1)
                    .filter(|_| h.general.contains(r.norm(j)))
                    .and_then(|k| self.field_after(r, k))
                else {
                    continue;
                };
                out.push(RuleHit {
                    start,
                    end: r.doc.tokens[last].end,
                    label: h.label,
                    score: head_score(h.score, with_name),
                    rule: "head",
                });
                return;
            }
            // What completes the head: a nisba (الجيش السوري); after a head without
            // ال, a listed name with all its words (ميناء أم قصر), a definite or
            // known word (وزارة الدفاع), or a plain noun before a listed name
            // (محطة ضخ تل سلحب، مؤسسة مياه حماة).
            // `with_place`: the name holds a listed place, right after the head or
            // after a noun (in_idafa).
            let (mut last, specific, with_place, in_idafa) = if r.nisba(j) {
                (j, true, false, false)
            } else if head_definite || r.stop(j) {
                continue;
            } else if let Some(n) = listed(j) {
                // A listed body or person after the head is the name itself
                // (صحيفة يديعوت أحرونوت، مستشفى أبو يوسف النجار), and so is a listed
                // place after a place word (جزيرة هونغ كونغ).
                if !n.place || h.label == self.place_label {
                    continue;
                }
                (n.last, true, true, false)
            } else if let Some(end) =
                place_at(j + 1).filter(|_| !r.definite(j) && !r.definite(j + 1) && !r.name_token(j))
            {
                (end, true, true, true)
            } else if r.definite(j) || r.name_token(j) {
                (j, r.entry(j), false, false)
            } else {
                continue;
            };
            // قوات اليونيفيل: the forces of a listed body are that body.
            if r.ctx.names_at.contains_key(&j) && r.reading(i, &h.wrappers).is_some() {
                continue;
            }
            let mut extra = 0;
            let nationality =
                |k: usize| h.nationality_outside && self.nationalities.contains(r.norm(k));
            while extra < 2 && r.word(last + 1) && r.nisba(last + 1) && !nationality(last + 1) {
                last += 1;
                extra += 1;
            }
            if r.word(last + 1) && h.adjectives.contains(r.norm(last + 1)) {
                last += 1;
            }
            // Bodies named by what they do (لجنة الدفاع، مجلس الإدارة) are names only
            // with whose they are (الروسية) or a known name in them (حركة حماس).
            if h.require_specific && extra == 0 && !specific {
                continue;
            }
            // The head and a listed place together say more than the list alone
            // (مستشفى حماة الوطني is a hospital, not the city), for a body only when
            // more than the place names it (مصرف قطر المركزي، حركة تحرير السودان; in
            // حكومة السودان the place is the name).
            let outranks = with_place && (!h.require_specific || extra > 0 || in_idafa);
            out.push(RuleHit {
                start,
                end: r.doc.tokens[last].end,
                label: h.label,
                score: head_score(h.score, outranks),
                rule: "head",
            });
            return;
        }
    }

    /// The field of a public body after its head, from the word with ل at `k`
    /// (للاستثمار، لموانئ العراق، لتجارة الحبوب، للطاقة الذرية): its last token, and
    /// whether a listed name is in it.
    fn field_after(&self, r: &Reader, k: usize) -> Option<(usize, bool)> {
        let t = r.doc.tokens.get(k)?;
        if t.kind != TokenKind::Word || !t.norm.starts_with('ل') {
            return None;
        }
        r.doc.stripped[k]
            .iter()
            .find(|s| s.skip_bytes > 0 && !r.ctx.stopwords.contains(s.norm.as_str()))?;
        let mut last = k;
        let with_name = r
            .ctx
            .names_at
            .get(&(k + 1))
            .filter(|n| !n.clitic)
            .map(|n| n.last);
        if let Some(end) = with_name {
            last = end;
        } else if r.word(k + 1) && r.definite(k + 1) && !r.stop(k + 1) && !r.nisba(k + 1) {
            last = k + 1;
        }
        let mut extra = 0;
        while extra < 2 && r.word(last + 1) && r.nisba(last + 1) {
            last += 1;
            extra += 1;
        }
        Some((last, with_name.is_some()))
    }

    fn quantity_at(&self, r: &Reader, i: usize, out: &mut Vec<RuleHit>) {
        if r.kind(i) != Some(TokenKind::Number) {
            return;
        }
        let mut j = i + 1;
        while r.word(j) && self.multipliers.contains(r.norm(j)) {
            j += 1;
        }
        if let Some(last) = r.longest(&self.units, j) {
            out.push(RuleHit {
                start: r.doc.tokens[i].start,
                end: r.doc.tokens[last].end,
                label: self.qty.0,
                score: self.qty.1,
                rule: "quantity",
            });
        }
    }

    fn date_at(&self, r: &Reader, i: usize, out: &mut Vec<RuleHit>) {
        let (label, score) = self.date;
        let mut push = |start: usize, end: usize| {
            out.push(RuleHit {
                start,
                end,
                label,
                score,
                rule: "date",
            })
        };
        if let Some(start) = r.reading(i, &self.weekdays) {
            push(start, r.doc.tokens[i].end);
            return;
        }
        if let Some(start) = r.reading(i, &self.year_words)
            && r.kind(i + 1) == Some(TokenKind::Number)
            && r.norm(i + 1).len() == 4
        {
            push(start, r.doc.tokens[i + 1].end);
            return;
        }
        // منذ 2014: the year alone, not a span of years (منذ 2000 عام).
        if r.kind(i) == Some(TokenKind::Number)
            && i > 0
            && r.reading(i - 1, &self.year_after).is_some()
            && r.norm(i)
                .parse::<u32>()
                .is_ok_and(|y| (1800..=2100).contains(&y))
            && !YEARS.contains(&r.norm(i + 1))
        {
            push(r.doc.tokens[i].start, r.doc.tokens[i].end);
            return;
        }
        // A month, with a day before it, the other system's name after a slash, and a
        // year after it, each optional.
        let (last, levant) = match (r.longest(&self.levant, i), r.longest(&self.gregorian, i)) {
            (Some(l), _) => (l, true),
            (None, Some(l)) => (l, false),
            (None, None) => return,
        };
        if i > 0 && r.doc.tokens[i - 1].end == r.doc.tokens[i].start {
            return; // inside a longer run of letters
        }
        let day = i > 0 && r.kind(i - 1) == Some(TokenKind::Number) && r.norm(i - 1).len() <= 2;
        let mut end_tok = last;
        let mut paired = false;
        if r.norm(last + 1) == "/"
            && let Some(l2) = r
                .longest(&self.gregorian, last + 2)
                .or_else(|| r.longest(&self.levant, last + 2))
        {
            end_tok = l2;
            paired = true;
        }
        let year = r.kind(end_tok + 1) == Some(TokenKind::Number) && r.norm(end_tok + 1).len() == 4;
        if year {
            end_tok += 1;
        }
        if !(levant || day || paired || year) {
            return;
        }
        let start = if day {
            r.doc.tokens[i - 1].start
        } else {
            r.doc.tokens[i].start
        };
        push(start, r.doc.tokens[end_tok].end);
    }
}

/// Words that news puts in brackets after a name in a photo caption: no acronyms.
const CAPTION_WORDS: &[&str] = &["يمين", "يسار", "وسط", "اعلي", "اسفل", "ارشيف", "صوره"];

/// An acronym in brackets right after byte `end`, the end of a name of `words` words:
/// `(IAEA)`, `(داعش)`, `( WFP )`. The range of the acronym, or `None`. An acronym is
/// one word: Latin capitals, or Arabic letters after a name of several words (what
/// an acronym shortens), without the article (الجيش السوري (النظامي) is an
/// adjective) and neither a common word nor a caption's (سولانا (يمين)).
pub fn bracketed_acronym(
    doc: &DocTokens,
    stopwords: &HashSet<String>,
    end: usize,
    words: usize,
) -> Option<(usize, usize)> {
    let k = doc.tokens.partition_point(|t| t.start < end);
    let [open, word, close] = doc.tokens.get(k..k + 3)? else {
        return None;
    };
    if open.norm != "(" || close.norm != ")" || word.kind != TokenKind::Word {
        return None;
    }
    // Only white space between the name and the bracket.
    if !doc.text[end..open.start].trim().is_empty() {
        return None;
    }
    let w = &doc.text[word.start..word.end];
    let latin = w.chars().all(|c| c.is_ascii_uppercase()) && (2..=10).contains(&w.len());
    let arabic = w.chars().all(|c| matches!(c, '\u{0621}'..='\u{064A}'))
        && words >= 2
        && (3..=8).contains(&word.norm.chars().count())
        && !CAPTION_WORDS.contains(&word.norm.as_str())
        && !word.norm.starts_with("ال")
        && !stopwords.contains(word.norm.as_str());
    (latin || arabic).then_some((word.start, word.end))
}

/// Token tests shared by the rules.
struct Reader<'a, 'd> {
    doc: &'a DocTokens<'d>,
    ctx: &'a Context<'a>,
}

impl Reader<'_, '_> {
    fn kind(&self, i: usize) -> Option<TokenKind> {
        self.doc.tokens.get(i).map(|t| t.kind)
    }
    fn norm(&self, i: usize) -> &str {
        self.doc.tokens.get(i).map_or("", |t| t.norm.as_str())
    }
    fn word(&self, i: usize) -> bool {
        self.kind(i) == Some(TokenKind::Word)
    }
    fn stop(&self, i: usize) -> bool {
        self.ctx.stopwords.contains(self.norm(i))
    }
    fn definite(&self, i: usize) -> bool {
        self.norm(i).starts_with("ال")
    }
    fn name_token(&self, i: usize) -> bool {
        self.ctx.name_tokens.contains(self.norm(i))
    }
    fn entry(&self, i: usize) -> bool {
        self.ctx.entries.contains(self.norm(i))
    }
    /// A person-name token seen at least 3 times in Wikidata's names (class 1 up),
    /// longer than two letters.
    fn given_name(&self, i: usize) -> bool {
        let w = self.norm(i);
        w.chars().count() > 2
            && !self.stop(i)
            && self.ctx.person_names.get(w).is_some_and(|c| *c >= 1)
    }
    fn person_token(&self, i: usize) -> bool {
        self.ctx.person_tokens.contains(self.norm(i))
    }
    /// A nisba adjective: ال + stem + ي / ية (السوري، الروسية، النفطي).
    fn nisba(&self, i: usize) -> bool {
        super::is_nisba(self.norm(i))
    }
    /// Where the word `i` starts if it (or its reading without proclitics) is in `set`.
    fn reading(&self, i: usize, set: &HashSet<String>) -> Option<usize> {
        let t = self.doc.tokens.get(i)?;
        if t.kind != TokenKind::Word {
            return None;
        }
        if set.contains(t.norm.as_str()) {
            return Some(t.start);
        }
        self.doc.stripped[i]
            .iter()
            .find(|s| set.contains(s.norm.as_str()))
            .map(|s| t.start + s.skip_bytes)
    }
    /// Last token of the longest entry of `dict` starting at token `i`.
    fn longest(&self, dict: &Dict<()>, i: usize) -> Option<usize> {
        let mut best = None;
        let mut node = 0;
        for j in i..self.doc.tokens.len() {
            match dict.walk(node, self.norm(j)) {
                Some(n) => node = n,
                None => break,
            }
            if dict.value(node).is_some() {
                best = Some(j);
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::labels::LabelSet;
    use crate::suggest::normalize::fold;

    fn run(text: &str) -> Vec<(String, &'static str)> {
        let labels = LabelSet::builtin();
        let rules = Rules::builtin(&labels);
        let stop: HashSet<String> = ["في", "من", "إن", "على", "قال"]
            .iter()
            .map(|w| fold(w))
            .collect();
        let names: HashSet<String> = ["الاسد", "سهيل", "سيرغي", "حماس"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        // Whole names in one word; سهيل and سيرغي are only parts of names.
        let entries: HashSet<String> = ["الاسد", "حماس"].iter().map(|w| w.to_string()).collect();
        let ctx = Context {
            stopwords: &stop,
            name_tokens: &names,
            person_tokens: &names,
            entries: &entries,
            names_at: &HashMap::default(),
            person_names: &HashMap::default(),
        };
        let doc = DocTokens::new(text);
        rules
            .apply(&doc, &ctx)
            .into_iter()
            .map(|h| {
                (
                    text[h.start..h.end].to_string(),
                    match labels.labels()[h.label as usize].name.as_str() {
                        "PER" => "PER",
                        "ORG" => "ORG",
                        "LOC" => "LOC",
                        "FAC" => "FAC",
                        "DATE" => "DATE",
                        _ => "QTY",
                    },
                )
            })
            .collect()
    }

    fn has(hits: &[(String, &str)], text: &str, label: &str) -> bool {
        hits.iter().any(|(t, l)| t == text && *l == label)
    }

    #[test]
    fn titles_mark_the_name_not_the_title() {
        let h = run("بقيادة العميد سهيل الحسن تقدّمت");
        assert!(has(&h, "سهيل الحسن", "PER"), "{h:?}");
        let h = run("قال وزير الخارجية الروسي سيرغي لافروف إن");
        assert!(has(&h, "سيرغي لافروف", "PER"), "{h:?}");
        let h = run("قال الرئيس الأسد إن");
        assert!(has(&h, "الأسد", "PER"), "{h:?}");
        let h = run("قال الرئيس إن");
        assert!(h.iter().all(|(_, l)| *l != "PER"), "{h:?}");
    }

    #[test]
    fn a_nisba_shaped_surname_after_a_known_first_name_is_taken() {
        let h = run("وقال العقيد سهيل الحلبي إن الطريق مفتوح");
        assert!(has(&h, "سهيل الحلبي", "PER"), "{h:?}");
        // The title's own adjectives are still skipped, not taken as a name.
        let h = run("قال وزير الخارجية الروسي سيرغي لافروف إن");
        assert!(has(&h, "سيرغي لافروف", "PER"), "{h:?}");
    }

    #[test]
    fn head_words_extend_over_name_and_nisba() {
        let h = run("وقالت وزارة الدفاع الروسية إن");
        assert!(has(&h, "وزارة الدفاع الروسية", "ORG"), "{h:?}");
        let h = run("استعاد الجيش السوري حقل الخراطة النفطي");
        assert!(has(&h, "الجيش السوري", "ORG"), "{h:?}");
        assert!(has(&h, "حقل الخراطة النفطي", "FAC"), "{h:?}");
        let h = run("السيطرة على جبل البشري المفصل");
        assert!(has(&h, "جبل البشري", "LOC"), "{h:?}");
        // A definite head takes only an adjective: no "الجيش تقدم".
        assert!(run("الجيش تقدم").is_empty());
    }

    #[test]
    fn a_nationality_after_a_place_or_facility_stays_outside() {
        let h = run("رست السفينة في ميناء اللاذقية السوري بعد غارة على سهل الغاب السوري");
        assert!(has(&h, "ميناء اللاذقية", "FAC"), "{h:?}");
        assert!(has(&h, "سهل الغاب", "LOC"), "{h:?}");
        // A nisba that is part of the name stays, before a nationality too.
        let h = run("قصفت الطائرات حقل الشاعر النفطي السوري ومطار المزة العسكري");
        assert!(has(&h, "حقل الشاعر النفطي", "FAC"), "{h:?}");
        assert!(has(&h, "مطار المزة العسكري", "FAC"), "{h:?}");
        // An organization keeps its nationality: it is part of the name.
        let h = run("وأعلنت وزارة الخارجية التركية أن الجيش اللبناني انتشر");
        assert!(has(&h, "وزارة الخارجية التركية", "ORG"), "{h:?}");
        assert!(has(&h, "الجيش اللبناني", "ORG"), "{h:?}");
    }

    #[test]
    fn units_quantities_and_dates() {
        let h = run("محيط اللواء 137 على بعد 3 كلم و7 مليارات دولار و4.5%");
        assert!(has(&h, "اللواء 137", "FAC"), "{h:?}");
        assert!(has(&h, "3 كلم", "QTY"), "{h:?}");
        assert!(has(&h, "7 مليارات دولار", "QTY"), "{h:?}");
        assert!(has(&h, "4.5%", "QTY"), "{h:?}");
        let h = run("قال الأحد إن اجتماع آذار/مارس في عام 2019 و5 يناير 2020");
        assert!(has(&h, "الأحد", "DATE"), "{h:?}");
        assert!(has(&h, "آذار/مارس", "DATE"), "{h:?}");
        assert!(has(&h, "عام 2019", "DATE"), "{h:?}");
        assert!(has(&h, "5 يناير 2020", "DATE"), "{h:?}");
        // A Gregorian month name alone is too often a word: مارس "practised".
        assert!(run("مارس الضغط").is_empty());
    }

    #[test]
    fn two_word_units_and_years_since() {
        let h = run("تمتد الأراضي على 120 كيلومترا مربعا وتخزن 3 ملايين متر مكعب وفي 40 كلم مربع");
        assert!(has(&h, "120 كيلومترا مربعا", "QTY"), "{h:?}");
        assert!(has(&h, "3 ملايين متر مكعب", "QTY"), "{h:?}");
        assert!(has(&h, "40 كلم مربع", "QTY"), "{h:?}");
        let h = run("وتنتج 400 ألف برميل يوميا");
        assert!(has(&h, "400 ألف برميل", "QTY"), "{h:?}");
        // منذ stays outside, like any preposition before a date.
        let h = run("يعيش في المخيم منذ 2014 ويعمل هناك منذ عام 2019");
        assert!(has(&h, "2014", "DATE"), "{h:?}");
        assert!(has(&h, "عام 2019", "DATE"), "{h:?}");
        assert!(!h.iter().any(|(t, _)| t.starts_with("منذ")), "{h:?}");
        // A span of years is no date.
        let h = run("بني المعبد منذ 2000 عام");
        assert!(!h.iter().any(|(_, l)| *l == "DATE"), "{h:?}");
    }

    #[test]
    fn a_bad_rules_file_names_itself() {
        let labels = LabelSet::builtin();
        let e = Rules::parse("my-rules.toml", "[title]\nlabel='PER'\n", &labels)
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("my-rules.toml:"), "{e}");
        let bad_label = DEFAULT_RULES.replace("label = \"QTY\"", "label = \"AMOUNT\"");
        let e = Rules::parse("r.toml", &bad_label, &labels).err().unwrap();
        assert!(e.to_string().contains("AMOUNT"), "{e}");
    }
}
