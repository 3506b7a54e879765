//! The memory screen (`M`): what the suggestion memory learnt from the analyst's
//! decisions, one entry a string and label (accepts, rejects, how far its rejects
//! reach, the last decision), most recent first; `d` forgets the one selected, `u`
//! and `Ctrl-r` undo and redo as in the document (a forget is a step of its history).
//!
//! Owns: the screen's state, keys and drawing; each entry wraps to the width, so it
//! reads on 40 columns. Must not: change the memory except through the session.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use crate::session::{Focus, MemoryRow, Op};
use crate::suggest::memory::Scope;

use super::action::Action;
use super::app::App;
use super::view::paint_text;

/// The memory screen while it is open.
#[derive(Debug, Clone, Default)]
pub struct MemoryPane {
    /// The entries, as of when the screen was opened or last changed.
    pub rows: Vec<MemoryRow>,
    pub selected: usize,
    /// When the rows were read (unix ms), for "5 min ago".
    now: i64,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// "just now", "5 min ago", "3 h ago", "2 days ago"; empty when not known.
fn ago(at: i64, now: i64) -> String {
    if at <= 0 {
        return String::new();
    }
    let s = (now - at).max(0) / 1000;
    match s {
        0..60 => "just now".to_string(),
        60..3600 => format!("{} min ago", s / 60),
        3600..86400 => format!("{} h ago", s / 3600),
        _ => format!("{} days ago", s / 86400),
    }
}

/// The lines under an entry's string: counts, scope, last decision.
fn details(r: &MemoryRow, now: i64) -> String {
    let scope = match r.scope {
        Scope::None => "suggested everywhere".to_string(),
        Scope::Documents(1) => "withdrawn in 1 document".to_string(),
        Scope::Documents(n) => format!("withdrawn in {n} documents"),
        Scope::Asked => "withdrawn everywhere (X)".to_string(),
        Scope::Repeated(n) => format!("withdrawn everywhere (rejected in {n} documents)"),
    };
    let last = match r.last {
        Some(l) => {
            let what = if l.accepted { "accepted" } else { "rejected" };
            let when = ago(l.at, now);
            if when.is_empty() {
                format!(" · last {what}")
            } else {
                format!(" · last {what} {when}")
            }
        }
        None => String::new(),
    };
    format!(
        "{} accepted · {} rejected · {scope}{last}",
        r.accepts, r.rejects
    )
}

/// `text` cut into lines of at most `width` characters, at spaces where it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let n = line.chars().count();
        let w = word.chars().count();
        if n > 0 && n + 1 + w > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            line = line.chars().skip(width).collect();
            out.push(head);
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// What the pane's text is at `width` columns: per entry, its first line (string
/// and label) and its detail lines.
fn entry_lines(r: &MemoryRow, width: usize, now: i64) -> (String, Vec<String>) {
    let indent = 2;
    let details = wrap(&details(r, now), width.saturating_sub(indent))
        .into_iter()
        .map(|l| format!("{:indent$}{l}", ""))
        .collect();
    (r.label.clone(), details)
}

impl App {
    /// The memory screen, when open.
    pub fn memory_pane(&self) -> Option<&MemoryPane> {
        self.memory.as_ref()
    }

    fn refresh_memory(&mut self) {
        let rows = self.session.memory_rows();
        let selected = self.memory.as_ref().map_or(0, |m| m.selected);
        self.memory = Some(MemoryPane {
            selected: selected.min(rows.len().saturating_sub(1)),
            rows,
            now: now_ms(),
        });
    }

    /// Where the cursor is, for a step taken from the memory screen.
    fn memory_focus(&mut self) -> Focus {
        if self.session.document().is_blank() {
            return Focus {
                para: 0,
                cell: 0..0,
                top: 0,
            };
        }
        self.focus()
    }

    /// The memory screen's keys, and `M` that opens it; true when the action was
    /// theirs.
    pub(super) fn memory_action(&mut self, action: Action) -> bool {
        if self.memory.is_none() {
            if action == Action::Memory {
                self.refresh_memory();
                if self.memory.as_ref().is_some_and(|m| m.rows.is_empty()) {
                    self.say("the memory is empty: accept or reject a suggestion to teach it");
                }
                return true;
            }
            return false;
        }
        if self.show_help {
            return false;
        }
        let page = self.height.max(2) / 2;
        let m = self.memory.as_mut().expect("open");
        let last = m.rows.len().saturating_sub(1);
        match action {
            Action::MoveDown | Action::NextChar | Action::NextPending => {
                m.selected = (m.selected + 1).min(last)
            }
            Action::MoveUp | Action::PrevChar | Action::PrevPending => {
                m.selected = m.selected.saturating_sub(1)
            }
            Action::PageDown => m.selected = (m.selected + page).min(last),
            Action::PageUp => m.selected = m.selected.saturating_sub(page),
            Action::DocumentStart => m.selected = 0,
            Action::DocumentEnd => m.selected = last,
            Action::Delete => {
                if let Some(r) = m.rows.get(m.selected).cloned() {
                    let f = self.memory_focus();
                    let out = self.session.forget_memory(&f, &r.key, &r.label);
                    self.message = out.message;
                    self.refresh_memory();
                }
            }
            Action::Undo | Action::Redo => {
                let op = if action == Action::Undo {
                    Op::Undo
                } else {
                    Op::Redo
                };
                self.run(op);
                self.refresh_memory();
            }
            Action::Cancel | Action::Memory | Action::CloseHelp | Action::Accept => {
                self.memory = None
            }
            // Quit, the help: as anywhere.
            Action::Quit | Action::ToggleHelp => return false,
            _ => {}
        }
        true
    }
}

/// Draws the memory screen over the text: rows between the title bar and the status
/// line (which keeps saying what the last key did).
pub(super) fn memory_pane(area: Rect, buf: &mut Buffer, app: &App) {
    let Some(m) = &app.memory else { return };
    let h = area.height.saturating_sub(2).max(1);
    let rect = Rect::new(area.x, area.y + 1, area.width, h);
    Clear.render(rect, buf);
    let n = m.rows.len();
    let title = if n == 0 {
        " memory: empty ".to_string()
    } else {
        format!(" memory {}/{n} ", m.selected + 1)
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(rect);
    block.render(rect, buf);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    // The last row says the keys.
    let hint = "d forget · u undo · Esc close";
    let keys_y = inner.bottom() - 1;
    buf.set_stringn(
        inner.x,
        keys_y,
        hint,
        inner.width as usize,
        Style::new().add_modifier(Modifier::DIM),
    );
    let rows = inner.height.saturating_sub(1) as usize;
    if rows == 0 {
        return;
    }
    let width = inner.width as usize;
    // Only the entries around the selected one are laid out: a memory of thousands
    // of entries costs a screenful per frame.
    let lines = |i: usize| entry_lines(&m.rows[i], width, m.now);
    let height = |i: usize| 1 + lines(i).1.len();
    // The first entry shown: the selected one and as many before it as fit.
    let mut first = m.selected.min(n.saturating_sub(1));
    let mut used = if n > 0 { height(first) } else { 0 };
    while first > 0 && used + height(first - 1) <= rows {
        first -= 1;
        used += height(first);
    }
    let mut y = inner.y;
    for i in first..n {
        if (y - inner.y) as usize >= rows {
            break;
        }
        let (label, details) = lines(i);
        let style = if i == m.selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        buf.set_style(Rect::new(inner.x, y, inner.width, 1), style);
        let head = format!("{label}  ");
        let (x, _) = buf.set_stringn(inner.x, y, &head, width, style);
        paint_text(
            buf,
            x,
            y,
            inner.right().saturating_sub(x),
            &m.rows[i].surface,
            app,
            style,
        );
        y += 1;
        for d in &details {
            if (y - inner.y) as usize >= rows {
                break;
            }
            buf.set_stringn(inner.x, y, d, width, Style::new());
            y += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::tui::{ViewSettings, help_lines, render};

    /// سوريا three times, داعش and دير الزور once: the engine suggests each.
    const TEXT: &str =
        "قال مسؤول في سوريا إن داعش انسحب من دير الزور وإن سوريا تحتاج المساعدة وإن سوريا آمنة";

    /// The screen at `w`x`h`, one string a row.
    fn screen(app: &mut App, w: u16, h: u16) -> Vec<String> {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        render(area, &mut buf, app);
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect())
            .collect()
    }

    fn has(rows: &[String], what: &str) -> bool {
        rows.iter().any(|r| r.contains(what))
    }

    #[test]
    fn the_memory_screen_lists_forgets_and_undoes_on_forty_by_twelve() {
        let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
        let mut app = App::new(doc, ViewSettings::default());
        screen(&mut app, 40, 12);
        // Reject سوريا, accept داعش.
        app.apply(Action::NextPending);
        app.apply(Action::Reject);
        app.apply(Action::Accept);
        app.apply(Action::Memory);
        let rows = screen(&mut app, 40, 12);
        let all = rows.join("\n");
        assert!(has(&rows, "memory 1/2"), "{all}");
        // Each entry's counts and reach wrap inside the 38 columns.
        assert!(has(&rows, "1 accepted · 0 rejected ·"), "{all}");
        assert!(has(&rows, "0 accepted · 1 rejected ·"), "{all}");
        assert!(has(&rows, "in 1 document"), "{all}");
        assert!(has(&rows, "d forget · u undo · Esc close"), "{all}");
        // The newest first: داعش, accepted after سوريا was rejected.
        let first = rows.iter().position(|r| r.contains("ORG")).unwrap();
        let second = rows.iter().position(|r| r.contains("LOC")).unwrap();
        assert!(first < second, "{all}");
        // Forget the reject: the other two سوريا come back under the screen.
        app.apply(Action::MoveDown);
        app.apply(Action::Delete);
        assert!(
            app.message().unwrap().starts_with("forgot «سوريا» as LOC"),
            "{:?}",
            app.message()
        );
        let rows = screen(&mut app, 40, 12);
        assert!(has(&rows, "memory 1/1"), "{}", rows.join("\n"));
        assert!(!has(&rows, "in 1 document"));
        assert_eq!(app.session.markup().matches("{LOC:سوريا}").count(), 2);
        // u, on the screen, brings it back.
        app.apply(Action::Undo);
        let rows = screen(&mut app, 40, 12);
        assert!(has(&rows, "in 1 document"), "{}", rows.join("\n"));
        assert_eq!(app.session.markup().matches("{LOC:سوريا}").count(), 0);
        // Esc closes it; the label keys never reach the text under it.
        app.apply(Action::Label1);
        app.apply(Action::Cancel);
        assert!(app.memory_pane().is_none());
        assert!(!has(&screen(&mut app, 40, 12), "d forget"));
    }

    #[test]
    fn the_selected_entry_stays_in_view_on_a_small_screen() {
        let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
        let mut app = App::new(doc, ViewSettings::default());
        screen(&mut app, 40, 12);
        for _ in 0..3 {
            app.apply(Action::NextPending);
            app.apply(Action::Reject);
        }
        app.apply(Action::Memory);
        let n = app.memory_pane().unwrap().rows.len();
        assert!(n >= 3, "{n}");
        app.apply(Action::DocumentEnd);
        let rows = screen(&mut app, 40, 12);
        assert!(
            has(&rows, &format!("memory {n}/{n}")),
            "{}",
            rows.join("\n")
        );
        let last = &app.memory_pane().unwrap().rows[n - 1];
        assert!(
            has(&rows, &format!("{}  ", last.label)),
            "{}",
            rows.join("\n")
        );
    }

    #[test]
    fn the_memory_screen_on_tiny_screens_does_not_panic() {
        let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
        let mut app = App::new(doc, ViewSettings::default());
        screen(&mut app, 40, 12);
        app.apply(Action::NextPending);
        app.apply(Action::Reject);
        app.apply(Action::Memory);
        for (w, h) in [(1, 1), (8, 3), (9, 4), (12, 5), (20, 6), (3, 40), (200, 3)] {
            screen(&mut app, w, h);
        }
        assert!(app.memory_pane().is_some());
    }

    #[test]
    fn the_help_lists_the_memory_screen_key() {
        let doc = Document::from_text("news.txt", TEXT.to_string(), false, false);
        let app = App::new(doc, ViewSettings::default());
        let help = help_lines(&app);
        assert!(
            help.iter()
                .any(|l| l.starts_with("M ") && l.contains("What the memory learnt")),
            "{help:#?}"
        );
    }

    #[test]
    fn wrapping_keeps_words_and_cuts_only_what_is_longer_than_a_line() {
        assert_eq!(
            wrap("0 accepted · 1 rejected", 12),
            ["0 accepted ·", "1 rejected"]
        );
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn ago_reads_in_the_largest_whole_unit() {
        let now = 10_000_000_000;
        assert_eq!(ago(now - 5_000, now), "just now");
        assert_eq!(ago(now - 5 * 60_000, now), "5 min ago");
        assert_eq!(ago(now - 3 * 3_600_000, now), "3 h ago");
        assert_eq!(ago(now - 2 * 86_400_000, now), "2 days ago");
        assert_eq!(ago(0, now), "");
    }
}
