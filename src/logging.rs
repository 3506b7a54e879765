//! The log file: `$XDG_STATE_HOME/raqim/raqim.log`, else
//! `~/.local/state/raqim/raqim.log`; where it is, opening it, and making text safe to
//! write in it.
//!
//! Events are `tracing` macros in the modules that act (`review` for every review
//! action and its time, `exchange` and the binary for imports, exports and errors);
//! `tracing-subscriber`'s formatter writes them, one line each, straight to the file
//! (one `write` per line, in append mode: a kill or a crash loses no line already
//! logged, and two raqim processes do not cut each other's lines). Without [`init`]
//! nothing is installed and the macros cost a branch.
//!
//! Owns: the file's place, its opening, [`clip`]. Must not: write to the terminal (the
//! viewer owns it: a failed write is dropped, not reported on stderr), or put an
//! article's text in the log beyond a span's surface, clipped by [`clip`].

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Context;
pub use tracing_subscriber::filter::LevelFilter;

/// The log's path from explicit inputs (testable without the environment).
pub fn path_from(xdg_state_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    Some(crate::config::xdg_dir(xdg_state_home, home, ".local/state")?.join("raqim.log"))
}

/// The log's path for this process's environment; `None` without a home.
pub fn default_path() -> Option<PathBuf> {
    path_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
}

/// A log over this size when raqim starts is renamed `raqim.log.old` (replacing the
/// previous one), so the log does not grow without end.
pub const MAX_BYTES: u64 = 8 << 20;

/// Sends this process's events at `level` and above to the file at `path` (created
/// with its folder; appended to). `LevelFilter::OFF` opens nothing. An error names
/// the file; the caller goes on without a log.
pub fn init(path: &Path, level: LevelFilter) -> anyhow::Result<()> {
    if level == LevelFilter::OFF {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the log's folder", dir.display()))?;
    }
    if std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_BYTES) {
        let _ = std::fs::rename(path, path.with_extension("log.old"));
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("{}: cannot open the log", path.display()))?;
    tracing_subscriber::fmt()
        .with_writer(file)
        .with_ansi(false)
        .with_max_level(level)
        // A failed write (a full disk) would be reported on stderr, over the screen.
        .log_internal_errors(false)
        .try_init()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Enough of a span's surface to recognise it.
pub const SURFACE: usize = 40;
/// Enough of a message (a refusal, an error) to understand it.
pub const MESSAGE: usize = 300;

/// `s` made safe for one line of the log: control characters, line and paragraph
/// separators and bidi formatting characters written as escapes (`\n`, `\u{202e}`), so
/// no text can start a line of its own, reorder one or reach a terminal that shows the
/// log; cut after `max` characters, with `…`.
pub fn clip(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max.saturating_mul(4)));
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || is_bidi_or_separator(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// A path for the log, as [`clip`] makes text safe (never cut: a path is needed whole).
pub fn path(p: &Path) -> String {
    clip(&p.display().to_string(), usize::MAX)
}

/// Bidi formatting characters (ALM, LRM, RLM, embeddings, overrides, isolates) and the
/// line and paragraph separators.
fn is_bidi_or_separator(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            | '\u{2028}' | '\u{2029}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_follows_xdg_state_home() {
        let p = path_from(Some("/state".into()), Some("/home/u".into())).unwrap();
        assert_eq!(p, PathBuf::from("/state/raqim/raqim.log"));
        // An empty or relative XDG_STATE_HOME is ignored, as the XDG spec says.
        for ignored in ["", "rel/state"] {
            let p = path_from(Some(ignored.into()), Some("/home/u".into())).unwrap();
            assert_eq!(p, PathBuf::from("/home/u/.local/state/raqim/raqim.log"));
        }
        assert_eq!(path_from(None, None), None);
        assert_eq!(path_from(Some("".into()), Some("".into())), None);
    }

    #[test]
    fn clipped_text_keeps_arabic_and_escapes_what_could_break_a_line() {
        assert_eq!(clip("الجيشُ السوري", SURFACE), "الجيشُ السوري");
        assert_eq!(
            clip("a\nb\x1b[2Jc\u{202e}d\\", 100),
            "a\\nb\\u{1b}[2Jc\\u{202e}d\\\\"
        );
        assert_eq!(clip("\u{85}\u{2028}", 100), "\\u{85}\\u{2028}");
        assert_eq!(clip("دير الزور", 3), "دير…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
