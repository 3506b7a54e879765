//! The calibration screen (`raqim terminal-check`): one short Arabic line drawn the
//! ways terminals need it, numbered; the analyst presses the number of the one that
//! reads right, and the choice is kept for this terminal (`crate::profile`).
//!
//! Owns: that screen and its keys. Must not: decide profiles (the profile module does).

use crossterm::event::{self, Event, KeyCode, KeyEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use crate::layout::{Direction, LayoutOptions, Shaping, layout_paragraph};
use crate::profile::Profile;

use super::view::{logical_words, paint_line};

/// The line drawn: Arabic with a number and a Latin name inside, and brackets.
pub const SAMPLE_LINE: &str = "قال الجيش السوري (SAA) إن 3 قرى حُرِّرت";

/// What each numbered line stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// A profile that draws this way.
    Profile(Profile),
    /// The terminal reorders text itself and could not be told not to.
    ReordersItself,
}

/// The ways shown, in order: cells in visual order (the profile detected, or xterm
/// when that is kitty), each word in logical order (kitty), the whole line in logical
/// order (what a terminal that does its own bidi shows right).
pub fn choices(detected: Profile) -> [Choice; 3] {
    let visual = if detected == Profile::Kitty {
        Profile::Xterm
    } else {
        detected
    };
    [
        Choice::Profile(visual),
        Choice::Profile(Profile::Kitty),
        Choice::ReordersItself,
    ]
}

/// Paints the calibration screen for a terminal detected as `detected`, named `key`
/// in the title unless empty.
pub fn render_calibration(area: Rect, buf: &mut Buffer, detected: Profile, key: &str) {
    let title = if key.is_empty() {
        " raqim: which numbered line reads right in this terminal?".to_string()
    } else {
        format!(" raqim: which numbered line reads right in this terminal ({key})?")
    };
    buf.set_stringn(area.x, area.y, &title, area.width as usize, Style::new());
    let width = area.width.saturating_sub(6) as usize;
    let opts = |shaping| LayoutOptions {
        width,
        direction: Direction::Rtl,
        shaping,
        show_controls: false,
    };
    for (i, choice) in choices(detected).iter().enumerate() {
        let y = area.y + 2 + 2 * i as u16;
        if y >= area.bottom() {
            break;
        }
        buf.set_stringn(
            area.x + 1,
            y,
            format!("{}", i + 1),
            2,
            Style::new().add_modifier(Modifier::BOLD),
        );
        let row = Rect::new(area.x + 4, y, area.width.saturating_sub(6), 1);
        match choice {
            Choice::Profile(p) => {
                let lay = layout_paragraph(SAMPLE_LINE, &opts(Shaping::App));
                if let Some(line) = lay.lines.first() {
                    paint_line(buf, row.x, y, row.width, line, |_| Style::new());
                }
                if p.logical_words() {
                    logical_words(buf, row);
                }
            }
            Choice::ReordersItself => {
                // The text as it is stored, right-aligned: only a terminal that runs
                // the bidi algorithm itself shows it right.
                let n = unicode_width::UnicodeWidthStr::width(SAMPLE_LINE) as u16;
                let x = row.right().saturating_sub(n);
                buf.set_stringn(x, y, SAMPLE_LINE, row.width as usize, Style::new());
            }
        }
    }
    let help = "1, 2 or 3: keep that way for this terminal · q: leave without choosing";
    let y = area.y + 9;
    if y < area.bottom() {
        buf.set_stringn(area.x + 1, y, help, area.width as usize, Style::new());
    }
}

/// Shows the calibration screen until the analyst picks a line (its choice) or
/// leaves (`None`).
pub fn run_calibration(detected: Profile, key: &str) -> anyhow::Result<Option<Choice>> {
    use anyhow::Context;
    let mut guard = super::terminal::enter(detected).context("cannot set up the terminal")?;
    loop {
        guard
            .terminal
            .draw(|f| render_calibration(f.area(), f.buffer_mut(), detected, key))?;
        if let Event::Key(k) = event::read()?
            && k.kind != KeyEventKind::Release
        {
            match k.code {
                KeyCode::Char(c @ '1'..='3') => {
                    return Ok(Some(choices(detected)[c as usize - '1' as usize]));
                }
                KeyCode::Char('q') | KeyCode::Esc => return Ok(None),
                _ => {}
            }
        }
    }
}

/// `raqim terminal-check`: the screen, then the pick kept for this terminal; says
/// what was done.
pub fn terminal_check() -> anyhow::Result<String> {
    let var = |k: &str| std::env::var(k).ok();
    let key = crate::profile::terminal_key(var);
    let detected = Profile::detect(var);
    Ok(match run_calibration(detected, &key)? {
        Some(Choice::Profile(p)) => {
            let path = keep_pick(p).map_err(anyhow::Error::msg)?;
            format!("{key}: profile {p} kept in {}", path.display())
        }
        Some(Choice::ReordersItself) => format!(
            "{key} reorders text itself and raqim could not switch that off: turn its \
             bidirectional rendering off in its settings; nothing kept"
        ),
        None => "nothing chosen; nothing kept".to_string(),
    })
}

/// Keeps `profile` as this terminal's pick; where it was kept.
pub fn keep_pick(profile: Profile) -> Result<std::path::PathBuf, String> {
    let path = picks_path().ok_or("no place for the settings: set XDG_CONFIG_HOME or HOME")?;
    let key = crate::profile::terminal_key(|k| std::env::var(k).ok());
    crate::profile::save_pick(&path, &key, profile)?;
    Ok(path)
}

/// The profile the analyst picked for this terminal, if any (`terminals.toml` beside
/// the settings file).
pub fn picked_profile() -> Result<Option<Profile>, String> {
    let Some(path) = picks_path() else {
        return Ok(None);
    };
    let key = crate::profile::terminal_key(|k| std::env::var(k).ok());
    Ok(crate::profile::read_picked(&path)?.get(&key).copied())
}

/// Where the picks are kept: `terminals.toml` in raqim's settings folder.
pub fn picks_path() -> Option<std::path::PathBuf> {
    let dir = crate::config::xdg_dir(
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::var_os("HOME"),
        ".config",
    )?;
    Some(dir.join("terminals.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
    }

    #[test]
    fn the_three_ways_differ_as_each_terminal_needs() {
        let area = Rect::new(0, 0, 100, 12);
        let mut buf = Buffer::empty(area);
        render_calibration(area, &mut buf, Profile::Xterm, "xterm/xterm-256color");
        let (visual, kitty, logical) = (row(&buf, 2), row(&buf, 4), row(&buf, 6));
        // Visual order: the first word is at the right, the Latin name reads LTR.
        assert!(visual.trim_end().ends_with("ﻝﺎﻗ"), "{visual}");
        assert!(visual.contains("SAA"));
        // Each word in logical order (kitty reverses it back), words still in visual
        // order: the first word still at the right.
        assert!(kitty.trim_end().ends_with("ﻗﺎﻝ"), "{kitty}");
        // The stored text, for a terminal that does its own bidi.
        assert!(logical.contains(SAMPLE_LINE), "{logical}");
        assert!(row(&buf, 0).contains("xterm/xterm-256color"));
        assert_eq!(choices(Profile::Kitty)[0], Choice::Profile(Profile::Xterm));
        assert_eq!(
            choices(Profile::Mlterm)[0],
            Choice::Profile(Profile::Mlterm)
        );
    }
}
