//! Which suggestion sources to use and from which files: the choices a user makes on
//! the command line, as plain values, and the one way an engine is built from them.
//!
//! Owns: turning those choices into an [`Engine`]. Must not: know the command line
//! (the binary fills [`Options`] from its arguments) or touch the terminal.

use std::path::PathBuf;
use std::sync::Arc;

use super::tagger::Model;
use super::{Engine, SourceError};

/// The sources of suggestions and the files that replace or add to the embedded ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// A label set that replaces the embedded one.
    pub labels_file: Option<PathBuf>,
    /// Rules that replace the embedded ones.
    pub rules_file: Option<PathBuf>,
    /// Gazetteers added to the embedded ones.
    pub gazetteers: Vec<PathBuf>,
    /// A tagger written by `raqim train` instead of the shipped one.
    pub model: Option<PathBuf>,
    /// Suggest from the gazetteers.
    pub use_gazetteers: bool,
    /// Suggest from the rules.
    pub use_rules: bool,
    /// Suggest from the tagger.
    pub use_model: bool,
}

impl Default for Options {
    /// The embedded engine: every source on, no file of the user's.
    fn default() -> Options {
        Options {
            labels_file: None,
            rules_file: None,
            gazetteers: Vec::new(),
            model: None,
            use_gazetteers: true,
            use_rules: true,
            use_model: true,
        }
    }
}

impl Options {
    /// True when these options give the embedded engine as it is, so the shared
    /// [`super::builtin_engine`] can stand for it.
    pub fn is_builtin(&self) -> bool {
        *self == Options::default()
    }
}

impl Engine {
    /// The engine the options describe. Errors name the file (and line) at fault.
    pub fn from_options(options: &Options) -> Result<Engine, SourceError> {
        let engine = if options.labels_file.is_none()
            && options.rules_file.is_none()
            && options.gazetteers.is_empty()
        {
            Engine::builtin()
        } else {
            Engine::from_files(
                options.labels_file.as_deref(),
                options.rules_file.as_deref(),
                &options.gazetteers,
            )?
        };
        let engine = match &options.model {
            Some(p) => {
                let bad = |message: String| SourceError::Model {
                    file: p.display().to_string(),
                    message,
                };
                let model = Model::from_bytes(&crate::read_bytes(p)?)
                    .map_err(bad)?
                    .ok_or_else(|| bad("an empty file, not a model".to_string()))?;
                engine.with_model(Some(Arc::new(model)))
            }
            None => engine,
        };
        Ok(engine
            .with_sources(options.use_gazetteers, options.use_rules)
            .with_model_on(options.use_model))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_model_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tagger.bin");
        let options = Options {
            model: Some(p.clone()),
            ..Options::default()
        };
        assert!(!options.is_builtin());
        let Err(e) = Engine::from_options(&options) else {
            panic!("an engine without its model")
        };
        assert_eq!(format!("{e}"), format!("{}: cannot read", p.display()));
    }

    #[test]
    fn an_empty_model_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tagger.bin");
        std::fs::write(&p, b"").unwrap();
        let options = Options {
            model: Some(p.clone()),
            ..Options::default()
        };
        let Err(e) = Engine::from_options(&options) else {
            panic!("an engine without its model")
        };
        assert_eq!(
            format!("{e}"),
            format!("{}: an empty file, not a model", p.display())
        );
    }
}
