//! Terminal profiles: what each terminal emulator does with right-to-left text, and
//! so what raqim must send it. raqim orders and (by default) shapes every line itself;
//! terminals differ in what they do to the cells they receive:
//!
//! | profile | the terminal | raqim sends |
//! |---|---|---|
//! | `xterm` | no bidi, no shaping | cells in visual order; `CSI 8 l` (explicit mode) is harmless |
//! | `vte` | bidi and shaping, both switched off by `CSI 8 l` | cells in visual order |
//! | `kitty` | shapes each run of Arabic cells right to left (HarfBuzz), so a word that arrives in visual order comes out reversed; lays words out left to right | words in visual order, each Arabic word's letters in logical order: kitty reverses them back; an alef after a joining lam in bold, so kitty does not make the pair one lam-alef glyph and leave a cell empty |
//! | `mlterm` | bidi and shaping ("ctl"), ignores `CSI 8 l` | cells in visual order, ctl off through mlterm's own `OSC 5379 ; use_ctl=false` (back on at exit) |
//! | `konsole` | bidi per line when its profile's "bidirectional text rendering" is on (the default), which `CSI 8 l` does not turn off; underlines of a run drop where a cell is reverse plus underline | cells in visual order; its bidi rendering off through Konsole's profile-property escape (`OSC 50 ; BidiRenderingEnabled=false`), back on at exit; the cursor cell without underline |
//!
//! Chosen from `--terminal`, else `terminal = "..."` in the settings file, else the
//! environment ([`Profile::detect`]). Must not: touch the terminal (the TUI sends
//! what the profile says).

use std::fmt;

/// How raqim talks to one kind of terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// xterm and terminals that draw cells as received (the default).
    #[default]
    Xterm,
    /// VTE terminals (GNOME Terminal, xfce4-terminal, Tilix...).
    Vte,
    Kitty,
    Mlterm,
    Konsole,
}

/// BDSM reset: the terminal shows cells in the order received.
pub const EXPLICIT_BIDI: &str = "\x1b[8l";
/// SCP: left-to-right presentation.
pub const LTR_PRESENTATION: &str = "\x1b[1 k";
/// BDSM set: back to the terminal's own (implicit) bidi.
pub const IMPLICIT_BIDI: &str = "\x1b[8h";
/// SCP: default presentation.
pub const DEFAULT_PRESENTATION: &str = "\x1b[0 k";
/// mlterm's configuration protocol: complex text layout (its bidi and shaping) off.
pub const MLTERM_CTL_OFF: &str = "\x1b]5379;use_ctl=false\x07";
/// mlterm's configuration protocol: complex text layout on (mlterm's default).
pub const MLTERM_CTL_ON: &str = "\x1b]5379;use_ctl=true\x07";
/// Konsole's profile-property escape (`OSC 50`): its own bidi rendering off.
pub const KONSOLE_BIDI_OFF: &str = "\x1b]50;BidiRenderingEnabled=false\x07";
/// Konsole's profile-property escape: bidi rendering on (Konsole's default).
pub const KONSOLE_BIDI_ON: &str = "\x1b]50;BidiRenderingEnabled=true\x07";

impl Profile {
    pub fn name(self) -> &'static str {
        match self {
            Profile::Xterm => "xterm",
            Profile::Vte => "vte",
            Profile::Kitty => "kitty",
            Profile::Mlterm => "mlterm",
            Profile::Konsole => "konsole",
        }
    }

    /// The profile for a terminal known by its environment (`var` reads a variable):
    /// kitty (`KITTY_WINDOW_ID`, `TERM=xterm-kitty`), mlterm (`MLTERM`), Konsole
    /// (`KONSOLE_VERSION`), VTE (`VTE_VERSION`), else xterm.
    pub fn detect(var: impl Fn(&str) -> Option<String>) -> Profile {
        let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
        if set("KITTY_WINDOW_ID") || var("TERM").as_deref() == Some("xterm-kitty") {
            Profile::Kitty
        } else if set("MLTERM") {
            Profile::Mlterm
        } else if set("KONSOLE_VERSION") {
            Profile::Konsole
        } else if set("VTE_VERSION") {
            Profile::Vte
        } else {
            Profile::Xterm
        }
    }

    /// The profile in use: the flag, else the settings file's, else the one the
    /// analyst picked for this terminal (`raqim terminal-check`), else detected.
    pub fn choose(
        flag: Option<Profile>,
        config: Option<Profile>,
        picked: Option<Profile>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Profile {
        flag.or(config)
            .or(picked)
            .unwrap_or_else(|| Profile::detect(var))
    }

    /// Sent after entering the alternate screen: the terminal must not reorder or
    /// shape again what raqim already did.
    pub fn enter_sequence(self) -> String {
        let mut s = format!("{EXPLICIT_BIDI}{LTR_PRESENTATION}");
        match self {
            Profile::Mlterm => s.push_str(MLTERM_CTL_OFF),
            Profile::Konsole => s.push_str(KONSOLE_BIDI_OFF),
            _ => {}
        }
        s
    }

    /// Sent on every way out (also after a panic): the terminal as it was.
    pub fn leave_sequence(self) -> String {
        let mut s = format!("{IMPLICIT_BIDI}{DEFAULT_PRESENTATION}");
        match self {
            Profile::Mlterm => s.push_str(MLTERM_CTL_ON),
            Profile::Konsole => s.push_str(KONSOLE_BIDI_ON),
            _ => {}
        }
        s
    }

    /// Whether each right-to-left word goes out with its letters in logical order
    /// (words still in visual order), for a terminal that shapes runs of Arabic
    /// cells right to left itself.
    pub fn logical_words(self) -> bool {
        self == Profile::Kitty
    }

    /// Whether the cursor cell may keep an underline (Konsole then drops the
    /// underline of the rest of the span).
    pub fn cursor_underline(self) -> bool {
        self != Profile::Konsole
    }
}

/// What names a terminal for the choice saved by `raqim terminal-check`: the
/// program (`TERM_PROGRAM`, else the detected profile) and `TERM`, e.g. `kitty/xterm-kitty`.
pub fn terminal_key(var: impl Fn(&str) -> Option<String>) -> String {
    let program = var("TERM_PROGRAM")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| Profile::detect(&var).name().to_string());
    let term = var("TERM").unwrap_or_default();
    format!("{program}/{term}")
}

/// The profiles picked per terminal, as `raqim terminal-check` keeps them
/// (`"kitty/xterm-kitty" = "kitty"`, one line each, in `terminals.toml` beside the
/// settings file).
pub type Picked = std::collections::BTreeMap<String, Profile>;

/// The picks in `path`; none when it does not exist. Errors name the file.
pub fn read_picked(path: &std::path::Path) -> Result<Picked, String> {
    match std::fs::read_to_string(path) {
        Ok(src) => toml::from_str(&src).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Picked::new()),
        Err(e) => Err(format!("{}: cannot read: {e}", path.display())),
    }
}

/// Keeps `profile` as the pick for terminal `key` in `path` (the others kept).
pub fn save_pick(path: &std::path::Path, key: &str, profile: Profile) -> Result<(), String> {
    let mut picked = read_picked(path)?;
    picked.insert(key.to_string(), profile);
    let text: String = picked
        .iter()
        .map(|(k, p)| format!("{} = \"{p}\"\n", toml::Value::String(k.clone())))
        .collect();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    crate::atomic_write(path, text.as_bytes()).map_err(|e| format!("{e:#}"))
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn each_terminal_is_known_by_its_environment() {
        assert_eq!(
            Profile::detect(env(&[("KITTY_WINDOW_ID", "1")])),
            Profile::Kitty
        );
        assert_eq!(
            Profile::detect(env(&[("TERM", "xterm-kitty")])),
            Profile::Kitty
        );
        assert_eq!(
            Profile::detect(env(&[("MLTERM", "3.9.3")])),
            Profile::Mlterm
        );
        assert_eq!(
            Profile::detect(env(&[
                ("KONSOLE_VERSION", "221203"),
                ("TERM", "xterm-256color")
            ])),
            Profile::Konsole
        );
        assert_eq!(
            Profile::detect(env(&[("VTE_VERSION", "7006")])),
            Profile::Vte
        );
        assert_eq!(
            Profile::detect(env(&[("TERM", "xterm-256color")])),
            Profile::Xterm
        );
        assert_eq!(Profile::detect(env(&[("VTE_VERSION", "")])), Profile::Xterm);
    }

    #[test]
    fn the_flag_wins_over_the_settings_file_over_the_environment() {
        let kitty = env(&[("KITTY_WINDOW_ID", "1")]);
        assert_eq!(Profile::choose(None, None, None, &kitty), Profile::Kitty);
        assert_eq!(
            Profile::choose(None, None, Some(Profile::Konsole), &kitty),
            Profile::Konsole,
            "the analyst's pick wins over detection"
        );
        assert_eq!(
            Profile::choose(None, Some(Profile::Vte), Some(Profile::Konsole), &kitty),
            Profile::Vte
        );
        assert_eq!(
            Profile::choose(Some(Profile::Xterm), Some(Profile::Vte), None, &kitty),
            Profile::Xterm
        );
    }

    #[test]
    fn a_pick_is_kept_per_terminal_beside_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("raqim").join("terminals.toml");
        assert_eq!(read_picked(&path).unwrap(), Picked::new());
        let key = terminal_key(env(&[
            ("TERM_PROGRAM", "WezTerm"),
            ("TERM", "xterm-256color"),
        ]));
        assert_eq!(key, "WezTerm/xterm-256color");
        save_pick(&path, &key, Profile::Kitty).unwrap();
        save_pick(&path, "kitty/xterm-kitty", Profile::Xterm).unwrap();
        let picked = read_picked(&path).unwrap();
        assert_eq!(picked.get(&key), Some(&Profile::Kitty));
        assert_eq!(picked.get("kitty/xterm-kitty"), Some(&Profile::Xterm));
        std::fs::write(&path, "x = \"nonsense\"").unwrap();
        assert!(read_picked(&path).unwrap_err().contains("terminals.toml"));
    }

    #[test]
    fn mlterm_and_konsole_get_their_own_bidi_off_and_back_on_and_every_terminal_its_bidi_mode() {
        for p in [
            Profile::Xterm,
            Profile::Vte,
            Profile::Kitty,
            Profile::Mlterm,
            Profile::Konsole,
        ] {
            assert!(p.enter_sequence().starts_with(EXPLICIT_BIDI), "{p}");
            assert!(p.leave_sequence().starts_with(IMPLICIT_BIDI), "{p}");
            assert_eq!(p.enter_sequence().contains("5379"), p == Profile::Mlterm);
            assert_eq!(p.enter_sequence().contains("]50;"), p == Profile::Konsole);
        }
        assert!(Profile::Mlterm.leave_sequence().ends_with(MLTERM_CTL_ON));
        assert!(
            Profile::Konsole
                .enter_sequence()
                .ends_with(KONSOLE_BIDI_OFF)
        );
        assert!(Profile::Konsole.leave_sequence().ends_with(KONSOLE_BIDI_ON));
    }
}
