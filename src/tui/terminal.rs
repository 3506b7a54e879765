//! Terminal setup and restore: raw mode, alternate screen, explicit bidi mode.
//!
//! The viewer does its own bidi, so the terminal must not reorder again: on entry what
//! the terminal's profile says (`CSI 8 l`, BDSM reset: explicit mode, and `CSI 1 SP k`,
//! SCP: LTR; for mlterm its own switch too, see `crate::profile`), then a clear so
//! every row takes the new mode; on every exit, including a panic, the profile's way
//! back (`CSI 8 h`, `CSI 0 SP k`: the default implicit mode).
//! Must not: print anything to stdout besides terminal control and frames.

use std::io::{self, Stdout, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::{Hide, Show};
use crossterm::style::Print;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{execute, queue};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::profile::Profile;

/// True while the terminal is in the viewer's state, so restore runs once.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();
/// What restoring sends: the profile's way back, kept for the panic hook.
static LEAVE: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// The terminal in the viewer's state; dropping it restores the terminal.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

/// Sets the terminal up for `profile`. On failure part way, what was done is undone.
pub fn enter(profile: Profile) -> io::Result<TerminalGuard> {
    install_panic_hook();
    if let Ok(mut leave) = LEAVE.lock() {
        *leave = profile.leave_sequence();
    }
    ACTIVE.store(true, Ordering::SeqCst);
    let setup = || -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
        enable_raw_mode()?;
        let mut out = io::stdout();
        queue!(
            out,
            EnterAlternateScreen,
            Print(profile.enter_sequence()),
            Clear(ClearType::All),
            Hide
        )?;
        out.flush()?;
        // Not `Terminal::clear`: it asks the terminal where the cursor is, and some
        // (and test screens) never answer. The screen was just cleared above.
        Terminal::new(CrosstermBackend::new(io::stdout()))
    };
    match setup() {
        Ok(terminal) => Ok(TerminalGuard { terminal }),
        Err(e) => {
            restore();
            Err(e)
        }
    }
}

/// Switches a terminal in the viewer's state from profile `from` to `to` (the
/// analyst picked another on the calibration lines): `from`'s way back, then `to`'s
/// setup, and `to`'s way back kept for every exit.
pub fn switch_profile(guard: &mut TerminalGuard, from: Profile, to: Profile) -> io::Result<()> {
    if let Ok(mut leave) = LEAVE.lock() {
        *leave = to.leave_sequence();
    }
    let out = guard.terminal.backend_mut();
    queue!(
        out,
        Print(from.leave_sequence()),
        Print(to.enter_sequence())
    )?;
    out.flush()?;
    guard.terminal.clear()
}

/// Puts the terminal back (idempotent; errors are ignored: nothing better to do).
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let leave = LEAVE
        .lock()
        .map(|l| l.clone())
        .unwrap_or_else(|_| Profile::Xterm.leave_sequence());
    let _ = execute!(out, Print(leave), LeaveAlternateScreen, Show);
    let _ = disable_raw_mode();
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Restores the terminal before the panic message is printed, so it is readable.
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            tracing::error!(
                "panic: {}",
                crate::logging::clip(&info.to_string(), crate::logging::MESSAGE)
            );
            previous(info);
        }));
    });
}
