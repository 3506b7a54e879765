//! The terminal viewer: a full-screen, read-only view of one article with a cursor.
//!
//! Shape (pure core, thin shell): [`App`] holds all state and changes only through
//! [`App::apply`] with an [`Action`]; [`Keymap`] turns keys into actions (data, from
//! `assets/keymap.toml`); [`draw`]/[`render`] paint the state into a ratatui frame or
//! buffer; [`run`] is the one loop (key -> keymap -> Action -> apply -> draw) inside a
//! [`terminal::TerminalGuard`]. Only this module (and the binary) uses ratatui or
//! crossterm.
//!
//! Without a terminal (tests, benchmarks):
//! ```
//! use raqim::document::Document;
//! use raqim::tui::{Action, App, ViewSettings, render};
//! use ratatui::{buffer::Buffer, layout::Rect};
//!
//! let doc = Document::from_text("a.txt", "قال 3 كلم\n\nعن NATO".into(), false, false);
//! let mut app = App::new(doc, ViewSettings::default());
//! let area = Rect::new(0, 0, 40, 12);
//! let mut buf = Buffer::empty(area);
//! app.apply(Action::NextChar);
//! render(area, &mut buf, &mut app);
//! ```
//! Screen: row 0 title bar, last row status line, the row above it the legend (labels
//! and their colours; dropped below [`LEGEND_MIN_HEIGHT`] rows), rows between: the
//! text, one empty column on each side when the screen is wider than 20 columns.
//! Suggested spans are underlined in their label's colour, accepted ones filled.
//! Cost: a keystroke plus a redraw lays out, and runs the suggestion engine on, only
//! paragraphs near the view (cached), whatever the size of the document.

mod action;
mod adjudicate;
pub mod agreement;
mod app;
pub mod calibrate;
mod doclist;
mod fit;
mod flag;
mod keymap;
mod legend;
mod memory;
mod motion;
mod review_ops;
pub mod terminal;
mod view;

#[cfg(test)]
mod tests_adjudicate;
#[cfg(test)]
mod tests_flags;
#[cfg(test)]
mod tests_keys;
#[cfg(test)]
mod tests_pane;
#[cfg(test)]
mod tests_review;
#[cfg(test)]
mod tests_screen;
#[cfg(test)]
mod tests_spans;

use crossterm::event::{self, Event, KeyEventKind};

use crate::document::Document;

pub use crate::session::open::DocumentSource;
pub use crate::session::{ViewSpan, span_covering};
pub use crate::suggest::builtin_engine;
pub use action::Action;
pub use app::{App, Cursor, Row, ViewSettings};
pub use calibrate::{picked_profile, terminal_check};
pub use doclist::DocList;
pub use keymap::{DEFAULT_KEYMAP, Key, Keymap, KeymapError};
pub use legend::{LEGEND_MIN_HEIGHT, current_span_style, span_style, terminal_colour};
pub use memory::MemoryPane;
pub use view::{
    CARET, MARGIN_ABOVE, MIN_HEIGHT, MIN_WIDTH, draw, help_lines, help_wrapped, progress_text,
    render, status_text,
};

/// Opens the viewer on `doc` and returns when the user quits. The terminal is restored
/// on every way out (return, error, panic).
pub fn run(doc: Document, settings: ViewSettings) -> anyhow::Result<()> {
    run_app(App::new(doc, settings), None)
}

/// As [`run`], with a given engine (or the built-in one), keymap, and the review
/// opened from the store (without one, nothing is kept after quitting).
pub fn run_with(
    doc: Document,
    settings: ViewSettings,
    engine: Option<std::sync::Arc<crate::suggest::Engine>>,
    keymap: Keymap,
    opened: Option<crate::review::Opened>,
) -> anyhow::Result<()> {
    let app = build_app(doc, opened, &settings, &engine, &keymap);
    run_app(app, None)
}

/// Opens the adjudication view: the viewer on the gold layer `opened` of `doc`, with
/// its `curation` (see `adjudicate.rs`); the status line first says what the
/// auto-merge did on opening.
pub fn run_curation(
    doc: Document,
    settings: ViewSettings,
    engine: std::sync::Arc<crate::suggest::Engine>,
    keymap: Keymap,
    opened: crate::review::Opened,
    curation: crate::session::curation::Curation,
    report: crate::curate::AutoReport,
) -> anyhow::Result<()> {
    let mut app = build_app(doc, Some(opened), &settings, &Some(engine), &keymap);
    let names = curation.annotators().join(", ");
    let rule = curation.rule();
    app.set_curation(curation);
    if app.message().is_none() {
        app.say(format!(
            "adjudicating {names} ({rule}): {} agreed spans copied into gold",
            report.agreed
        ));
    }
    run_app(app, None)
}

/// Opens the viewer on a set of documents, starting with document `start`;
/// `]` / `[` go to the next / previous one, `L` lists them with their progress.
pub fn run_set(
    settings: ViewSettings,
    engine: Option<std::sync::Arc<crate::suggest::Engine>>,
    keymap: Keymap,
    source: &mut dyn DocumentSource,
    start: usize,
) -> anyhow::Result<()> {
    let names: Vec<String> = (0..source.len()).map(|i| source.name(i)).collect();
    let summaries: Vec<String> = (0..source.len()).map(|i| source.summary(i)).collect();
    let (doc, opened) = source.open(start)?;
    let mut app = build_app(doc, opened, &settings, &engine, &keymap);
    app.set_documents(names, summaries, start);
    let mut set = Set {
        source,
        settings,
        engine,
        keymap,
    };
    run_app(app, Some(&mut set))
}

/// What the loop needs to open another document of the set.
struct Set<'a> {
    source: &'a mut dyn DocumentSource,
    settings: ViewSettings,
    engine: Option<std::sync::Arc<crate::suggest::Engine>>,
    keymap: Keymap,
}

fn build_app(
    doc: Document,
    opened: Option<crate::review::Opened>,
    settings: &ViewSettings,
    engine: &Option<std::sync::Arc<crate::suggest::Engine>>,
    keymap: &Keymap,
) -> App {
    let mut app = match engine {
        Some(e) => App::with_engine(doc, settings.clone(), std::sync::Arc::clone(e)),
        None => App::new(doc, settings.clone()),
    };
    app.set_keymap(keymap.clone());
    match opened {
        Some(o) => {
            let note = o
                .review
                .read_only()
                .map(str::to_string)
                .or_else(|| o.warnings.first().cloned());
            app.set_review(o.review, o.view);
            if let Some(n) = note {
                app.say(n);
            }
        }
        None => app.say("no database (--no-db): nothing will be kept after quitting"),
    }
    app
}

/// Leaves the open document (its view and the memory saved) for document `i` of the
/// set, as `session::open::open_in_set` decides (skipping unreadable ones when
/// stepped to, keeping the same document open); on a failure the open one stays,
/// and the status line says why.
fn switch(app: &mut App, set: &mut Set<'_>, i: usize, step: Option<bool>) {
    use crate::session::open::{Switched, open_in_set};
    if let Err(e) = app.save_session() {
        let m = format!("could not save the view: {e}");
        tracing::error!(
            "viewer: {}",
            crate::logging::clip(&m, crate::logging::MESSAGE)
        );
        app.say(m);
        return;
    }
    let mut docs = app.documents().cloned().unwrap_or_default();
    docs.summaries[docs.current] = view::progress_text(app);
    let open_id = app.document().id();
    let (switched, said, unreadable) = open_in_set(set.source, docs.current, &open_id, i, step);
    for u in unreadable {
        docs.summaries[u] = "cannot be read".to_string();
    }
    let said = said.join(" · ");
    match switched {
        Switched::Opened { index, opened } => {
            let (doc, opened) = *opened;
            let mut next = build_app(doc, opened, &set.settings, &set.engine, &set.keymap);
            next.set_documents(docs.names, docs.summaries, index);
            if !said.is_empty() {
                next.say(said);
            }
            *app = next;
        }
        Switched::Same { index } => {
            docs.summaries[index] = docs.summaries[docs.current].clone();
            app.set_documents(docs.names, docs.summaries, index);
            app.say(said);
        }
        Switched::Stayed => {
            let current = docs.current;
            app.set_documents(docs.names, docs.summaries, current);
            app.say(said);
        }
    }
}

/// The default keymap with a user's file merged over it; errors name the file.
pub fn load_keymap(path: &std::path::Path) -> anyhow::Result<Keymap> {
    let src = crate::read_text(path)?;
    let mut keymap = Keymap::default_keymap();
    keymap
        .merge_toml(&src)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(keymap)
}

/// Where a user's keymap is looked for when none is given:
/// `$XDG_CONFIG_HOME/raqim/keymap.toml`, else `~/.config/raqim/keymap.toml` (the rule
/// of [`crate::config::xdg_dir`]: a relative `XDG_CONFIG_HOME` is ignored too).
pub fn user_keymap_path() -> Option<std::path::PathBuf> {
    let dir = crate::config::xdg_dir(
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::var_os("HOME"),
        ".config",
    )?;
    Some(dir.join("keymap.toml"))
}

/// Ends the process when its terminal is gone without a SIGHUP reaching it (a killed
/// tmux server, a closed SSH channel): crossterm then reads end-of-file forever and
/// never returns from `poll`, spinning a CPU. Every action is already committed, so
/// nothing is lost; only the cursor since the last action.
fn watch_terminal() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(std::time::Duration::from_millis(500));
                if std::fs::File::open("/dev/tty").is_err() {
                    std::process::exit(129);
                }
            }
        });
    });
}

fn run_app(mut app: App, mut set: Option<&mut Set<'_>>) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    // SIGTERM, SIGHUP (a dropped SSH connection) and SIGINT end the session the way
    // `q` does, so the terminal is restored; they do not kill the process mid-frame.
    // Which one came is kept, for the exit status.
    let stop = Arc::new(AtomicUsize::new(0));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register_usize(sig, Arc::clone(&stop), sig as usize)
            .context("cannot install the signal handlers")?;
    }
    watch_terminal();
    let profile = app.settings().profile;
    let mut guard = terminal::enter(profile).context("cannot set up the terminal")?;
    tracing::info!("viewer: the screen is taken");
    let mut dirty = true;
    // Idle ticks since a read-only review last looked for the holder's changes.
    let mut idle = 0u32;
    while !app.should_quit() && stop.load(Ordering::Relaxed) == 0 {
        if dirty {
            guard.terminal.draw(|f| draw(f, &mut app))?;
            dirty = false;
            // Fault injection for the end-to-end test of the panic hook (debug builds).
            #[cfg(debug_assertions)]
            if std::env::var_os("RAQIM_TEST_PANIC").is_some() {
                panic!("deliberate panic (RAQIM_TEST_PANIC) after the first frame");
            }
        }
        // Wake up now and then to notice a signal, and (once a second) what the
        // raqim holding a document open read-only here has done.
        if !event::poll(Duration::from_millis(200))? {
            idle += 1;
            if idle >= 5 {
                idle = 0;
                dirty |= app.follow();
            }
            continue;
        }
        match event::read()? {
            Event::Key(k) if k.kind != KeyEventKind::Release => {
                let before = app.settings().profile;
                app.key(k);
                if let Some(p) = app.take_pick() {
                    terminal::switch_profile(&mut guard, before, p)?;
                    if let Err(e) = calibrate::keep_pick(p) {
                        app.say(format!("terminal profile {p}, but not kept: {e}"));
                    }
                }
                if let (Some((i, step)), Some(set)) = (app.take_switch(), set.as_deref_mut()) {
                    switch(&mut app, set, i, step);
                }
            }
            Event::Key(_) => continue,
            // A resize (or anything else): the next draw lays out again.
            _ => {}
        }
        dirty = true;
    }
    drop(guard);
    tracing::info!("viewer: the terminal is restored");
    // Every action is already committed; this keeps the cursor and the memory.
    app.save_session()
        .map_err(|e| anyhow::anyhow!("could not save the view on quitting: {e}"))?;
    let sig = stop.load(Ordering::Relaxed);
    if sig != 0 {
        tracing::info!(signal = sig, "viewer: ended by a signal");
        ENDED_BY.store(sig, Ordering::Relaxed);
    }
    Ok(())
}

/// The signal that ended the viewer (0: none).
static ENDED_BY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The exit status a process whose viewer a signal ended should give, by the shell's
/// convention 128 + the signal's number (129 for HUP, 130 for INT, 143 for TERM), once
/// the terminal is restored and everything saved; `None` when the user quit.
pub fn signal_exit_status() -> Option<u8> {
    match ENDED_BY.load(std::sync::atomic::Ordering::Relaxed) {
        0 => None,
        sig => Some(128u8.saturating_add(sig as u8)),
    }
}
