//! The label set: names, keys and colours, from `assets/labels.toml` (embedded) or a
//! user file that replaces it. Unknown fields, duplicate names or keys and bad colours
//! are errors at load that name the file and the label.

use serde::Deserialize;

/// The default label set, embedded in the binary.
pub const DEFAULT_LABELS: &str = include_str!("../../assets/labels.toml");

/// A colour as written in the label file: a terminal colour name or `#rrggbb`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Colour {
    Named(String),
    Rgb(u8, u8, u8),
}

/// The colour names a label file may use.
pub const COLOUR_NAMES: &[&str] = &[
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "darkgray",
    "lightred",
    "lightgreen",
    "lightyellow",
    "lightblue",
    "lightmagenta",
    "lightcyan",
    "white",
];

impl Colour {
    fn parse(s: &str) -> Option<Colour> {
        if let Some(hex) = s.strip_prefix('#') {
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            return Some(Colour::Rgb(byte(0)?, byte(2)?, byte(4)?));
        }
        let lower = s.to_ascii_lowercase();
        COLOUR_NAMES
            .contains(&lower.as_str())
            .then_some(Colour::Named(lower))
    }
}

/// One label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub name: String,
    pub key: char,
    pub colour: Colour,
    pub description: String,
}

/// The labels in use, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSet {
    labels: Vec<Label>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    label: Vec<RawLabel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabel {
    name: String,
    key: String,
    colour: String,
    #[serde(default)]
    description: String,
}

/// Why a label file was refused.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct LabelError {
    pub file: String,
    pub message: String,
}

impl LabelSet {
    /// The embedded default set.
    pub fn builtin() -> LabelSet {
        LabelSet::parse("assets/labels.toml", DEFAULT_LABELS).expect("the embedded labels load")
    }

    /// Parses a label file; `file` names it in errors.
    pub fn parse(file: &str, src: &str) -> Result<LabelSet, LabelError> {
        let err = |message: String| LabelError {
            file: file.to_string(),
            message,
        };
        let raw: File = toml::from_str(src).map_err(|e| err(e.to_string()))?;
        if raw.label.is_empty() {
            return Err(err("no [[label]] entries; expected at least one".into()));
        }
        let mut labels: Vec<Label> = Vec::new();
        for (i, r) in raw.label.into_iter().enumerate() {
            let n = i + 1;
            let name = r.name.trim().to_string();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(err(format!(
                    "label {n}: name {:?} must be letters, digits or _",
                    r.name
                )));
            }
            if labels.iter().any(|l| l.name == name) {
                return Err(err(format!("label {n}: duplicate name {name}")));
            }
            let mut key_chars = r.key.chars();
            let key = match (key_chars.next(), key_chars.next()) {
                (Some(k), None) if !k.is_whitespace() => k,
                _ => {
                    return Err(err(format!(
                        "label {name}: key {:?} must be exactly one character",
                        r.key
                    )));
                }
            };
            if let Some(other) = labels.iter().find(|l| l.key == key) {
                return Err(err(format!(
                    "label {name}: key {key:?} is already used by {}",
                    other.name
                )));
            }
            let colour = Colour::parse(r.colour.trim()).ok_or_else(|| {
                err(format!(
                    "label {name}: colour {:?} is not one of {} or #rrggbb",
                    r.colour,
                    COLOUR_NAMES.join(", ")
                ))
            })?;
            labels.push(Label {
                name,
                key,
                colour,
                description: r.description,
            });
        }
        Ok(LabelSet { labels })
    }

    /// Reads a user label file.
    pub fn load(path: &std::path::Path) -> Result<LabelSet, super::SourceError> {
        let src = crate::read_text(path)?;
        Ok(LabelSet::parse(&path.display().to_string(), &src)?)
    }

    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// Index of a label by name.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.labels.iter().position(|l| l.name == name)
    }

    pub fn get(&self, name: &str) -> Option<&Label> {
        self.labels.iter().find(|l| l.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_the_guideline_labels() {
        let set = LabelSet::builtin();
        let names: Vec<&str> = set.labels().iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, vec!["PER", "ORG", "LOC", "FAC", "DATE", "QTY"]);
        assert_eq!(set.get("LOC").unwrap().key, '3');
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let dup = "[[label]]\nname='A'\nkey='1'\ncolour='red'\n[[label]]\nname='A'\nkey='2'\ncolour='red'\n";
        let e = LabelSet::parse("my.toml", dup).unwrap_err().to_string();
        assert!(
            e.contains("my.toml") && e.contains("duplicate name A"),
            "{e}"
        );
        let key = "[[label]]\nname='A'\nkey='1'\ncolour='red'\n[[label]]\nname='B'\nkey='1'\ncolour='red'\n";
        assert!(
            LabelSet::parse("f", key)
                .unwrap_err()
                .to_string()
                .contains("already used by A")
        );
        let colour = "[[label]]\nname='A'\nkey='1'\ncolour='mauve'\n";
        assert!(
            LabelSet::parse("f", colour)
                .unwrap_err()
                .to_string()
                .contains("mauve")
        );
        let unknown = "[[label]]\nname='A'\nkey='1'\ncolour='red'\nshape='x'\n";
        assert!(
            LabelSet::parse("f", unknown)
                .unwrap_err()
                .to_string()
                .contains("shape")
        );
        assert!(LabelSet::parse("f", "").is_err());
    }
}
