//! The user's settings file (`$XDG_CONFIG_HOME/raqim/config.toml`, else
//! `~/.config/raqim/config.toml`) and the values taken from it or the environment.
//! It holds five settings:
//!
//! ```toml
//! annotator = "layla"
//! terminal = "kitty"   # the terminal's profile, see crate::profile
//! reject_project_after = 2   # see crate::suggest::memory; 0: only X
//! learning = "team"    # or "annotator": suggestions learn from my decisions only
//! merge = "majority"   # adjudicate's rule, see crate::curate
//! ```
//!
//! Owns: where the file is and how a value is chosen, and the one rule for the XDG base
//! directories ([`xdg_dir`]) that the database, the settings, the keymap and the log
//! follow. Must not: touch the terminal.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// raqim's folder under an XDG base directory, from explicit inputs (testable without
/// the environment): `xdg/raqim` when the variable's value `xdg` is an absolute path,
/// else `home/fallback/raqim` (an empty or relative value is ignored, as the XDG spec
/// says); `None` without a home either.
pub fn xdg_dir(xdg: Option<OsString>, home: Option<OsString>, fallback: &str) -> Option<PathBuf> {
    let base = xdg
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| Some(PathBuf::from(home.filter(|h| !h.is_empty())?).join(fallback)))?;
    Some(base.join("raqim"))
}

/// The settings file's path from explicit inputs (testable without the environment).
pub fn config_path_from(
    xdg_config_home: Option<OsString>,
    home: Option<OsString>,
) -> Option<PathBuf> {
    Some(xdg_dir(xdg_config_home, home, ".config")?.join("config.toml"))
}

/// The settings file for this process's environment.
pub fn config_path() -> Option<PathBuf> {
    config_path_from(
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::var_os("HOME"),
    )
}

/// The settings file's contents (`$XDG_CONFIG_HOME/raqim/config.toml`), read once:
/// each setting is `None` when the file does not give it (or does not exist).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    annotator: Option<String>,
    terminal: Option<crate::profile::Profile>,
    reject_project_after: Option<u32>,
    learning: Option<Learning>,
    merge: Option<crate::curate::MergeRule>,
}

/// Whose decisions an analyst's suggestions learn from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Learning {
    /// Everyone's (one memory for the team), never another analyst's decisions on
    /// the document being annotated.
    #[default]
    Team,
    /// Their own only.
    Annotator,
}

impl Settings {
    /// Reads the settings file at `path`; a missing file (or no path) gives the
    /// defaults, an unreadable or malformed one an error naming it.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Settings> {
        let Some(path) = path else {
            return Ok(Settings::default());
        };
        let src = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read", path.display())),
        };
        toml::from_str(&src).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// The terminal profile the file names (`terminal = "kitty"`), if any.
    pub fn terminal(&self) -> Option<crate::profile::Profile> {
        self.terminal
    }

    /// In how many documents a string must be rejected, and never accepted, to be
    /// withdrawn from every document (`reject_project_after = N`; 0: only by `X`,
    /// reject all alike); the memory's default without the setting.
    pub fn reject_project_after(&self) -> u32 {
        self.reject_project_after
            .unwrap_or(crate::suggest::memory::PROJECT_AFTER_DOCS)
    }

    /// Whose decisions suggestions learn from (`learning = "team"`, the default, or
    /// `"annotator"`).
    pub fn learning(&self) -> Learning {
        self.learning.unwrap_or_default()
    }

    /// How many annotators must agree on a span for `adjudicate` to copy it into
    /// gold (`merge = "majority"`); unanimous without the setting.
    pub fn merge(&self) -> crate::curate::MergeRule {
        self.merge.unwrap_or_default()
    }

    /// Who is annotating: the flag, else the file's `annotator`, else the login name
    /// (`$USER`, `$LOGNAME`), else "unknown". A blank name counts as none.
    pub fn annotator(&self, flag: Option<&str>, login: Option<OsString>) -> String {
        let clean = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        flag.and_then(clean)
            .or_else(|| self.annotator.as_deref().and_then(clean))
            .or_else(|| login.and_then(|l| clean(&l.to_string_lossy())))
            .unwrap_or_else(|| "unknown".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_then_the_file_then_the_login() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        let login = || Some(OsString::from("sami"));
        let annotator = |flag| {
            Settings::load(Some(&file))
                .unwrap()
                .annotator(flag, login())
        };
        assert_eq!(annotator(None), "sami");
        std::fs::write(&file, "annotator = \"layla\"\n").unwrap();
        assert_eq!(annotator(None), "layla");
        assert_eq!(annotator(Some("nour")), "nour");
        assert_eq!(Settings::default().annotator(Some("  "), None), "unknown");
        std::fs::write(&file, "annotater = \"x\"\n").unwrap();
        let e = Settings::load(Some(&file)).unwrap_err().to_string();
        assert!(e.contains("config.toml") && e.contains("annotater"), "{e}");
    }

    #[test]
    fn reject_project_after_is_read_from_the_file_else_two() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        let after = || Settings::load(Some(&file)).map(|s| s.reject_project_after());
        assert_eq!(after().unwrap(), 2);
        assert_eq!(Settings::load(None).unwrap().reject_project_after(), 2);
        std::fs::write(&file, "reject_project_after = 0\n").unwrap();
        assert_eq!(after().unwrap(), 0);
        std::fs::write(&file, "reject_project_after = -1\n").unwrap();
        let e = after().unwrap_err().to_string();
        assert!(e.contains("config.toml"), "{e}");
    }

    #[test]
    fn learning_is_the_teams_unless_the_file_says_annotator() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        let learning = || Settings::load(Some(&file)).map(|s| s.learning());
        assert_eq!(learning().unwrap(), Learning::Team);
        std::fs::write(&file, "learning = \"annotator\"\n").unwrap();
        assert_eq!(learning().unwrap(), Learning::Annotator);
        std::fs::write(&file, "learning = \"alone\"\n").unwrap();
        let e = learning().unwrap_err().to_string();
        assert!(e.contains("config.toml") && e.contains("annotator"), "{e}");
    }

    #[test]
    fn the_merge_rule_is_read_from_the_file_else_unanimous() {
        use crate::curate::MergeRule;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        let rule = || Settings::load(Some(&file)).map(|s| s.merge());
        assert_eq!(rule().unwrap(), MergeRule::Unanimous);
        std::fs::write(&file, "merge = \"majority\"\n").unwrap();
        assert_eq!(rule().unwrap(), MergeRule::Majority);
        std::fs::write(&file, "merge = \"most\"\n").unwrap();
        let e = rule().unwrap_err().to_string();
        assert!(e.contains("config.toml") && e.contains("most"), "{e}");
    }

    #[test]
    fn config_path_follows_xdg() {
        let p = config_path_from(Some("/cfg".into()), Some("/home/u".into())).unwrap();
        assert_eq!(p, PathBuf::from("/cfg/raqim/config.toml"));
        let p = config_path_from(Some("rel".into()), Some("/home/u".into())).unwrap();
        assert_eq!(p, PathBuf::from("/home/u/.config/raqim/config.toml"));
        assert_eq!(config_path_from(None, None), None);
    }
}
