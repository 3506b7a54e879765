//! Gazetteers: `surface<TAB>LABEL` files, the embedded ones from `assets/gazetteers/`
//! and any a user adds. Each file is a source with a base score; a bad line is an
//! error that names the file and the line.

use super::dict::{Dict, key_of};
use super::labels::LabelSet;

/// The embedded gazetteer files: (name, base score, contents). More specific and
/// hand-checked lists score higher than the large GeoNames list.
pub const BUILTIN: &[(&str, f32, &str)] = &[
    (
        "curated",
        0.9,
        include_str!("../../assets/gazetteers/curated.tsv"),
    ),
    (
        "countries",
        0.9,
        include_str!("../../assets/gazetteers/countries.tsv"),
    ),
    (
        "newsfane-org",
        0.85,
        include_str!("../../assets/gazetteers/newsfane-org.tsv"),
    ),
    (
        "newsfane-per",
        0.85,
        include_str!("../../assets/gazetteers/newsfane-per.tsv"),
    ),
    (
        "newsfane-loc",
        0.85,
        include_str!("../../assets/gazetteers/newsfane-loc.tsv"),
    ),
    (
        "newsfane-fac",
        0.8,
        include_str!("../../assets/gazetteers/newsfane-fac.tsv"),
    ),
    (
        "geonames",
        0.7,
        include_str!("../../assets/gazetteers/geonames.tsv"),
    ),
];

/// Function words and very common nouns never suggested alone.
pub const STOPWORDS: &str = include_str!("../../assets/gazetteers/stopwords.txt");

/// One reading of a surface: its label and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub label: u16,
    pub source: u16,
    pub score: f32,
}

/// All gazetteers, merged into one dictionary.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    pub dict: Dict<Vec<Entry>>,
    /// Source names, indexed by [`Entry::source`].
    pub sources: Vec<String>,
}

/// A gazetteer line that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct GazetteerError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl Gazetteer {
    /// Adds one file. `file` names it in errors and in suggestions' source. A label
    /// not in `labels` is an error, unless `skip_unknown` (the embedded lists under a
    /// user's label set, which may leave some labels out).
    pub fn add(
        &mut self,
        file: &str,
        score: f32,
        src: &str,
        labels: &LabelSet,
        skip_unknown: bool,
    ) -> Result<(), GazetteerError> {
        let source = self.sources.len() as u16;
        self.sources.push(file.to_string());
        for (n, line) in src.lines().enumerate() {
            let err = |message: String| GazetteerError {
                file: file.to_string(),
                line: n + 1,
                message,
            };
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split('\t');
            let (Some(surface), Some(label), None) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(err(
                    "expected `surface<TAB>LABEL` (exactly one tab)".to_string()
                ));
            };
            let surface = surface.trim();
            let label = label.trim();
            let Some(li) = labels.index(label) else {
                if skip_unknown {
                    continue;
                }
                let known: Vec<&str> = labels.labels().iter().map(|l| l.name.as_str()).collect();
                return Err(err(format!(
                    "unknown label {label:?}; expected one of {}",
                    known.join(", ")
                )));
            };
            let key = key_of(surface);
            if key.is_empty() {
                return Err(err(format!("surface {surface:?} has no letters or digits")));
            }
            let slot = self.dict.slot(&key).get_or_insert_with(Vec::new);
            if !slot
                .iter()
                .any(|e| e.label == li as u16 && e.source == source)
            {
                slot.push(Entry {
                    label: li as u16,
                    source,
                    score,
                });
            }
        }
        Ok(())
    }

    /// The embedded gazetteers.
    pub fn builtin(labels: &LabelSet) -> Result<Gazetteer, GazetteerError> {
        let mut g = Gazetteer::default();
        for (name, score, src) in BUILTIN {
            g.add(name, *score, src, labels, true)?;
        }
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_name_file_and_line() {
        let labels = LabelSet::builtin();
        let mut g = Gazetteer::default();
        let e = g
            .add("mine.tsv", 0.9, "# c\nدمشق\tLOC\nحلب LOC\n", &labels, false)
            .unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("mine.tsv", 3));
        assert!(e.to_string().contains("mine.tsv:3"));
        let e = g
            .add("x.tsv", 0.9, "دمشق\tCITY\n", &labels, false)
            .unwrap_err();
        assert!(e.to_string().contains("unknown label \"CITY\""));
    }

    #[test]
    fn builtin_loads_every_file() {
        let labels = LabelSet::builtin();
        let g = Gazetteer::builtin(&labels).unwrap();
        assert_eq!(g.sources.len(), BUILTIN.len());
        assert!(g.dict.len() > 10_000);
        assert!(g.dict.get(&key_of("دمشق")).is_some());
    }
}
