//! The rules file (`assets/rules.toml`, or a user's): its shape, and how it becomes
//! the compiled [`Rules`] (words folded, labels looked up in the label set, the
//! words that can start a rule collected). How the rules read a document is the
//! parent module's.

use rustc_hash::FxHashSet as HashSet;

use serde::Deserialize;

use super::{OFF, Rules, Words};
use crate::suggest::dict::{Dict, key_of};
use crate::suggest::labels::LabelSet;
use crate::suggest::normalize::fold;

/// The default rules, embedded in the binary.
pub const DEFAULT_RULES: &str = include_str!("../../../assets/rules.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    title: TitleSpec,
    numbered: WordsSpec,
    head: Vec<WordsSpec>,
    quantity: QuantitySpec,
    date: DateSpec,
    #[serde(default)]
    nationality: NationalitySpec,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NationalitySpec {
    words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TitleSpec {
    label: String,
    score: f32,
    words: Vec<String>,
    particles: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsSpec {
    label: String,
    score: f32,
    words: Vec<String>,
    #[serde(default)]
    require_specific: bool,
    #[serde(default)]
    wrappers: Vec<String>,
    #[serde(default)]
    nationality_outside: bool,
    #[serde(default)]
    adjectives: Vec<String>,
    #[serde(default)]
    general: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuantitySpec {
    label: String,
    score: f32,
    units: Vec<String>,
    multipliers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DateSpec {
    label: String,
    score: f32,
    weekdays: Vec<String>,
    months_levant: Vec<String>,
    months_gregorian: Vec<String>,
    year_words: Vec<String>,
    #[serde(default)]
    year_after: Vec<String>,
}

/// A rules file that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct RulesError {
    pub file: String,
    pub message: String,
}

fn set(words: &[String]) -> HashSet<String> {
    words.iter().map(|w| fold(w.trim())).collect()
}

fn dict(words: &[String]) -> Dict<()> {
    let mut d = Dict::new();
    for w in words {
        *d.slot(&key_of(w)) = Some(());
    }
    d
}

impl Rules {
    /// The embedded rules; a rule whose label the label set lacks is left out.
    pub fn builtin(labels: &LabelSet) -> Rules {
        Rules::read("assets/rules.toml", DEFAULT_RULES, labels, true).expect("embedded rules load")
    }

    /// Reads a rules file; errors name the file and what is wrong.
    pub fn parse(file: &str, src: &str, labels: &LabelSet) -> Result<Rules, RulesError> {
        Rules::read(file, src, labels, false)
    }

    /// Reads a user's rules file.
    pub fn load(
        path: &std::path::Path,
        labels: &LabelSet,
    ) -> Result<Rules, crate::suggest::SourceError> {
        let src = crate::read_text(path)?;
        Ok(Rules::parse(&path.display().to_string(), &src, labels)?)
    }

    fn read(
        file: &str,
        src: &str,
        labels: &LabelSet,
        skip_unknown: bool,
    ) -> Result<Rules, RulesError> {
        let err = |message: String| RulesError {
            file: file.to_string(),
            message,
        };
        let f: File = toml::from_str(src).map_err(|e| err(e.to_string()))?;
        let label = |name: &str, rule: &str| {
            if skip_unknown && labels.index(name).is_none() {
                return Ok(OFF);
            }
            labels.index(name).map(|i| i as u16).ok_or_else(|| {
                err(format!(
                    "[{rule}]: unknown label {name:?}; expected one of {}",
                    labels
                        .labels()
                        .iter()
                        .map(|l| l.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
        };
        let words = |w: &WordsSpec, rule: &str| -> Result<Words, RulesError> {
            Ok(Words {
                label: label(&w.label, rule)?,
                score: w.score,
                set: set(&w.words),
                require_specific: w.require_specific,
                wrappers: set(&w.wrappers),
                nationality_outside: w.nationality_outside,
                adjectives: set(&w.adjectives),
                general: set(&w.general),
            })
        };
        let mut triggers: HashSet<String> = HashSet::default();
        let firsts = |words: &[String], t: &mut HashSet<String>| {
            for w in words {
                if let Some(first) = key_of(w).into_iter().next() {
                    t.insert(first);
                }
            }
        };
        firsts(&f.title.words, &mut triggers);
        firsts(&f.numbered.words, &mut triggers);
        for h in &f.head {
            firsts(&h.words, &mut triggers);
        }
        firsts(&f.date.weekdays, &mut triggers);
        firsts(&f.date.months_levant, &mut triggers);
        firsts(&f.date.months_gregorian, &mut triggers);
        firsts(&f.date.year_words, &mut triggers);
        Ok(Rules {
            place_label: labels.index("LOC").map_or(OFF, |i| i as u16),
            triggers,
            title: Words {
                label: label(&f.title.label, "title")?,
                score: f.title.score,
                set: set(&f.title.words),
                require_specific: false,
                wrappers: HashSet::default(),
                nationality_outside: false,
                adjectives: HashSet::default(),
                general: HashSet::default(),
            },
            particles: set(&f.title.particles),
            numbered: words(&f.numbered, "numbered")?,
            heads: f
                .head
                .iter()
                .map(|h| words(h, "head"))
                .collect::<Result<_, _>>()?,
            nationalities: f
                .nationality
                .words
                .iter()
                .flat_map(|w| {
                    let m = fold(w.trim());
                    let f = format!("{m}ه");
                    [m, f]
                })
                .collect(),
            qty: (label(&f.quantity.label, "quantity")?, f.quantity.score),
            units: dict(&f.quantity.units),
            multipliers: set(&f.quantity.multipliers),
            date: (label(&f.date.label, "date")?, f.date.score),
            weekdays: set(&f.date.weekdays),
            levant: dict(&f.date.months_levant),
            gregorian: dict(&f.date.months_gregorian),
            year_words: set(&f.date.year_words),
            year_after: set(&f.date.year_after),
        })
    }
}
