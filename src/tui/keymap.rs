//! Key bindings as data: key strings ("ctrl-f", "pageup", "?") mapped to action names,
//! loaded from TOML (the embedded `assets/keymap.toml`), checked at load.
//!
//! Owns: parsing and printing key strings, normalising crossterm key events so that
//! they match, and the lookup. Must not: act on anything (it only names an Action).

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// The default bindings, compiled in.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

const NAMED_KEYS: &[(&str, KeyCode)] = &[
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("tab", KeyCode::Tab),
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("space", KeyCode::Char(' ')),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
];

/// Why a keymap was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeymapError {
    #[error("keymap: not valid TOML: {0}")]
    Toml(String),
    #[error("keymap: expected a [keys] table of key = \"action\" lines")]
    NoKeysTable,
    #[error("keymap: key \"{key}\": {reason}")]
    BadKey { key: String, reason: String },
    #[error("keymap: key \"{key}\": unknown action \"{action}\"; expected one of: {expected}")]
    UnknownAction {
        key: String,
        action: String,
        expected: String,
    },
    #[error("keymap: key \"{key}\": expected an action name in quotes")]
    NotAString { key: String },
}

/// One key with its modifiers, normalised so that a parsed key string and the
/// matching terminal event compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// Normalises a terminal key event: shift is part of a typed character ("G"),
    /// and back-tab is shift-tab.
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match ev.code {
            KeyCode::BackTab => {
                mods |= KeyModifiers::SHIFT;
                KeyCode::Tab
            }
            KeyCode::Char(c) => {
                mods -= KeyModifiers::SHIFT;
                KeyCode::Char(c)
            }
            c => c,
        };
        Key { code, mods }
    }

    /// Parses "ctrl-f", "shift-tab", "pageup", "?", "G", "f5".
    pub fn parse(s: &str) -> Result<Key, String> {
        let expected = "expected optional ctrl-, alt-, shift- followed by one character or one of \
             left, right, up, down, home, end, pageup, pagedown, tab, enter, esc, space, \
             backspace, delete, insert, f1..f12";
        let (prefix, last) = match s.strip_suffix('-') {
            // A trailing '-' is the minus key itself: "-" or "ctrl--".
            Some(rest) if rest.is_empty() || rest.ends_with('-') => (rest, "-"),
            _ => match s.rfind('-') {
                Some(i) => (&s[..=i], &s[i + 1..]),
                None => ("", s),
            },
        };
        let mut mods = KeyModifiers::NONE;
        for m in prefix.split('-').filter(|m| !m.is_empty()) {
            mods |= match m.to_ascii_lowercase().as_str() {
                "ctrl" | "c" => KeyModifiers::CONTROL,
                "alt" | "a" | "m" => KeyModifiers::ALT,
                "shift" | "s" => KeyModifiers::SHIFT,
                _ => return Err(format!("unknown modifier \"{m}\"; {expected}")),
            };
        }
        let lower = last.to_ascii_lowercase();
        let mut chars = last.chars();
        let code = if let Some(&(_, code)) = NAMED_KEYS.iter().find(|(n, _)| *n == lower) {
            code
        } else if let (Some(c), None) = (chars.next(), chars.next()) {
            KeyCode::Char(c)
        } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            if !(1..=12).contains(&n) {
                return Err(format!("no function key f{n}; {expected}"));
            }
            KeyCode::F(n)
        } else {
            return Err(format!("unknown key \"{last}\"; {expected}"));
        };
        if let KeyCode::Char(c) = code
            && mods.contains(KeyModifiers::SHIFT)
        {
            // "shift-g" is typed as 'G'.
            mods -= KeyModifiers::SHIFT;
            return Ok(Key {
                code: KeyCode::Char(c.to_uppercase().next().unwrap_or(c)),
                mods,
            });
        }
        Ok(Key { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        if let Some((name, _)) = NAMED_KEYS.iter().find(|(_, c)| *c == self.code) {
            return f.write_str(name);
        }
        match self.code {
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Keys to actions.
#[derive(Debug, Clone)]
pub struct Keymap {
    map: HashMap<Key, Action>,
}

impl Keymap {
    /// The compiled-in defaults. They are tested, so this cannot fail at run time.
    pub fn default_keymap() -> Keymap {
        Keymap::from_toml(DEFAULT_KEYMAP).expect("assets/keymap.toml is valid")
    }

    /// Parses a keymap; errors name the key and what was expected.
    pub fn from_toml(src: &str) -> Result<Keymap, KeymapError> {
        let mut km = Keymap {
            map: HashMap::new(),
        };
        km.merge_toml(src)?;
        Ok(km)
    }

    /// Adds (or overrides) bindings from another keymap text, e.g. a user file.
    pub fn merge_toml(&mut self, src: &str) -> Result<(), KeymapError> {
        let table: toml::Table = src
            .parse()
            .map_err(|e: toml::de::Error| KeymapError::Toml(e.to_string()))?;
        let keys = table
            .get("keys")
            .and_then(|v| v.as_table())
            .ok_or(KeymapError::NoKeysTable)?;
        for (k, v) in keys {
            let key = Key::parse(k).map_err(|reason| KeymapError::BadKey {
                key: k.clone(),
                reason,
            })?;
            let name = v
                .as_str()
                .ok_or_else(|| KeymapError::NotAString { key: k.clone() })?;
            let action = Action::from_name(name).ok_or_else(|| KeymapError::UnknownAction {
                key: k.clone(),
                action: name.to_string(),
                expected: Action::ALL
                    .iter()
                    .map(|a| a.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            self.map.insert(key, action);
        }
        Ok(())
    }

    /// The action bound to a terminal key event, if any.
    pub fn lookup(&self, ev: &KeyEvent) -> Option<Action> {
        self.map.get(&Key::from_event(ev)).copied()
    }

    /// For the help overlay: every bound action (in `Action::ALL` order) with its keys.
    pub fn bindings(&self) -> Vec<(Action, Vec<String>)> {
        Action::ALL
            .iter()
            .filter_map(|&a| {
                let mut keys: Vec<String> = self
                    .map
                    .iter()
                    .filter(|(_, b)| **b == a)
                    .map(|(k, _)| k.to_string())
                    .collect();
                if keys.is_empty() {
                    return None;
                }
                // Plain keys first, then by name, for a stable listing.
                keys.sort_by_key(|k| (k.contains('-') && k.len() > 1, k.len(), k.clone()));
                Some((a, keys))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_load_and_bind_the_proposed_keys() {
        let km = Keymap::default_keymap();
        let none = KeyModifiers::NONE;
        assert_eq!(km.lookup(&ev(KeyCode::Left, none)), Some(Action::MoveLeft));
        assert_eq!(
            km.lookup(&ev(KeyCode::Char('f'), KeyModifiers::CONTROL)),
            Some(Action::NextChar)
        );
        // Terminals report 'G' with shift held; it still matches "G".
        assert_eq!(
            km.lookup(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::DocumentEnd)
        );
        assert_eq!(
            km.lookup(&ev(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::ToggleHelp)
        );
        assert_eq!(
            km.lookup(&ev(KeyCode::Char(' '), none)),
            Some(Action::PageDown)
        );
        assert_eq!(
            km.lookup(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(km.lookup(&ev(KeyCode::Char('z'), none)), None);
    }

    #[test]
    fn unknown_action_is_refused_naming_key_and_choices() {
        let err = Keymap::from_toml("[keys]\nctrl-q = \"quitt\"\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("ctrl-q") && msg.contains("quitt"), "{msg}");
        assert!(
            msg.contains("expected one of") && msg.contains("next_word"),
            "{msg}"
        );
    }

    #[test]
    fn unparsable_key_is_refused_naming_key_and_what_was_expected() {
        let err = Keymap::from_toml("[keys]\nctlr-f = \"quit\"\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("ctlr-f") && msg.contains("modifier"), "{msg}");
        assert!(msg.contains("expected"), "{msg}");
        let err = Keymap::from_toml("[keys]\npgdn = \"quit\"\n").unwrap_err();
        assert!(err.to_string().contains("pgdn"));
        let err = Keymap::from_toml("[keys]\nq = 3\n").unwrap_err();
        assert_eq!(err, KeymapError::NotAString { key: "q".into() });
        assert_eq!(
            Keymap::from_toml("x = 1").unwrap_err(),
            KeymapError::NoKeysTable
        );
    }

    #[test]
    fn key_strings_round_trip() {
        for s in [
            "ctrl-f",
            "alt-b",
            "shift-tab",
            "pageup",
            "?",
            "G",
            "f5",
            "-",
            "ctrl--",
            "space",
        ] {
            assert_eq!(Key::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(Key::parse("shift-g").unwrap(), Key::parse("G").unwrap());
        let back_tab = ev(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&back_tab), Key::parse("shift-tab").unwrap());
    }

    #[test]
    fn user_bindings_override_defaults() {
        let mut km = Keymap::default_keymap();
        km.merge_toml("[keys]\nq = \"toggle_help\"\n").unwrap();
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(km.lookup(&q), Some(Action::ToggleHelp));
    }
}
