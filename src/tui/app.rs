//! The viewer's state and everything it does in answer to an `Action`: the cursor (a
//! logical offset, always on a cluster start), the scroll position, the lazily built
//! layouts of the paragraphs in view, their entity spans (`spans.rs`), and the help
//! overlay flag.
//!
//! Owns: state and its transitions. Must not: draw, or touch the terminal. Cost: a
//! keystroke lays out at most the paragraphs between the old and the new view, never
//! the whole document (the scroll position is (paragraph, row), not a global row).

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crossterm::event::KeyEvent;

use crate::document::Document;
use crate::layout::{
    CellKind, Direction, LayoutOptions, ParagraphLayout, Shaping, layout_paragraph,
};
use crate::profile::Profile;
use crate::review::Review;
use crate::session::{Session, ViewSpan};
use crate::suggest::Engine;
use crate::suggest::labels::LabelSet;

use super::action::Action;
use super::doclist::DocList;
use super::keymap::Keymap;

/// Rendering settings chosen on the command line.
#[derive(Debug, Clone)]
pub struct ViewSettings {
    pub direction: Direction,
    pub shaping: Shaping,
    pub show_controls: bool,
    /// Annotation store label (not used by the viewer yet).
    pub db_label: Option<String>,
    /// Run the suggestion engine on the paragraphs shown (default true).
    pub suggest: bool,
    /// The terminal's profile: what it does with RTL text (see `crate::profile`).
    pub profile: Profile,
    /// Rejected in this many documents and never accepted, a string is withdrawn from
    /// every document (0: only by reject all alike); see `crate::suggest::memory`.
    pub reject_project_after: u32,
    /// The database the team's agreement is read from (`K`); `None`: nothing kept.
    pub team_db: Option<std::path::PathBuf>,
}

impl Default for ViewSettings {
    fn default() -> ViewSettings {
        ViewSettings {
            direction: Direction::default(),
            shaping: Shaping::default(),
            show_controls: false,
            db_label: None,
            suggest: true,
            profile: Profile::default(),
            reject_project_after: crate::suggest::memory::PROJECT_AFTER_DOCS,
            team_db: None,
        }
    }
}

/// Where the cursor is: paragraph index and byte offset inside that paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cursor {
    pub para: usize,
    pub offset: usize,
}

/// A screen row of the document: paragraph and row inside its block (row 0 is the
/// blank separator when the paragraph has one).
pub type Row = (usize, usize);

/// Above this much cached paragraph text the layout cache is dropped and rebuilt on
/// demand, so scrolling through a 20 MB file does not keep every layout alive.
const CACHE_BYTES: usize = 4 << 20;

/// The viewer: document, settings, keymap, cursor, scroll and layout cache.
pub struct App {
    pub(super) settings: ViewSettings,
    pub(super) keymap: Keymap,
    pub(super) cursor: Cursor,
    /// Screen column that up/down try to keep (set by the first vertical move).
    pub(super) desired_col: Option<usize>,
    /// First row shown.
    pub(super) top: Row,
    /// Text area size in cells.
    pub(super) width: usize,
    pub(super) height: usize,
    pub(super) show_help: bool,
    /// First help line shown.
    pub(super) help_scroll: usize,
    quit: bool,
    cache: HashMap<usize, Rc<ParagraphLayout>>,
    cache_bytes: usize,
    /// The document under review: its spans, suggestions, progress and every step.
    pub(super) session: Session,
    /// Where a selection started (document byte offset), while one is being made.
    pub(super) selection: Option<usize>,
    /// The selection keeps to the clusters chosen instead of whole words.
    pub(super) by_clusters: bool,
    /// The range the selection covers, as worked out after the last action.
    pub(super) selected: Option<(usize, usize)>,
    /// `D` asked whether to mark the document done with suggestions left; the next
    /// key answers.
    pub(super) confirm_done: bool,
    /// What the last action has to say (shown in the status line until the next key).
    pub(super) message: Option<String>,
    /// A label key pressed once on a plain word: (label, where).
    pub(super) tap: Option<(usize, usize)>,
    /// The search prompt's text while it is open.
    pub(super) prompt: Option<String>,
    /// The flag's note prompt while it is open (`flag.rs`).
    pub(super) flag_prompt: Option<super::flag::FlagPrompt>,
    /// No action yet since the document was opened: the first Tab goes to a suggestion
    /// that starts right under the cursor instead of past it.
    fresh: bool,
    /// The calibration lines are on screen (`T`), waiting for 1, 2 or 3.
    pub(super) calibrating: bool,
    /// A profile picked there, for the loop to switch the terminal to and keep.
    pick: Option<Profile>,
    /// What the next frame shows, computed before it is painted.
    pub(super) screen: super::view::Screen,
    /// The set of documents this one belongs to, when raqim opened several.
    pub(super) docs: Option<DocList>,
    /// The memory screen, while it is open.
    pub(super) memory: Option<super::memory::MemoryPane>,
    /// The team's agreement screen (`K`), while it is open, with its figures.
    pub(super) agreement: Option<(crate::agreement::Report, super::agreement::AgreementView)>,
    /// The curation, when this is an adjudication view (`adjudicate.rs`).
    pub(super) curation: Option<super::adjudicate::CurationView>,
}

impl App {
    /// A viewer on `doc` with the default keymap, cursor at the start, and the
    /// built-in suggestion engine (when `settings.suggest`).
    pub fn new(doc: Document, settings: ViewSettings) -> App {
        App::build(doc, settings, None)
    }

    /// As [`App::new`], with this engine (e.g. user labels or gazetteers) for the
    /// suggestions; spans use its labels.
    pub fn with_engine(doc: Document, settings: ViewSettings, engine: Arc<Engine>) -> App {
        App::build(doc, settings, Some(engine))
    }

    fn build(doc: Document, settings: ViewSettings, engine: Option<Arc<Engine>>) -> App {
        let mut session = Session::new(doc, engine, settings.suggest);
        session.set_project_after(settings.reject_project_after);
        let mut app = App {
            settings,
            keymap: Keymap::default_keymap(),
            cursor: Cursor::default(),
            desired_col: None,
            top: (0, 0),
            width: 80,
            height: 24,
            show_help: false,
            help_scroll: 0,
            quit: false,
            cache: HashMap::new(),
            cache_bytes: 0,
            session,
            selection: None,
            by_clusters: false,
            selected: None,
            confirm_done: false,
            message: None,
            tap: None,
            prompt: None,
            flag_prompt: None,
            fresh: true,
            calibrating: false,
            pick: None,
            screen: Default::default(),
            docs: None,
            memory: None,
            agreement: None,
            curation: None,
        };
        if !app.session.document().is_blank() {
            app.cursor.offset = app.first_stop(0).unwrap_or(0);
        }
        app
    }

    /// Replaces the keymap (e.g. defaults merged with a user file).
    pub fn set_keymap(&mut self, keymap: Keymap) {
        self.keymap = keymap;
    }

    pub fn keymap(&self) -> &Keymap {
        &self.keymap
    }

    pub fn document(&self) -> &Document {
        self.session.document()
    }

    /// The review session under the screen.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The labels spans refer to, in legend order.
    pub fn labels(&self) -> &LabelSet {
        self.session.labels()
    }

    /// The spans shown in paragraph `p` (see [`Session::spans_in`]).
    pub fn spans_in(&mut self, p: usize) -> Rc<[ViewSpan]> {
        self.session.spans_in(p)
    }

    /// How many paragraphs have their suggestions in memory (for tests of laziness).
    pub fn cached_spans(&self) -> usize {
        self.session.cached_spans()
    }

    pub fn settings(&self) -> &ViewSettings {
        &self.settings
    }

    /// Changes rendering settings; layouts are rebuilt on demand.
    pub fn set_settings(&mut self, settings: ViewSettings) {
        self.session.set_suggest(settings.suggest);
        self.settings = settings;
        self.clear_cache();
        self.top.1 = 0;
        self.ensure_visible();
    }

    /// The cursor as (paragraph, byte offset in the paragraph).
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }

    /// The cursor as a byte offset into `Document::text`.
    pub fn cursor_byte(&self) -> usize {
        self.session
            .document()
            .paragraphs
            .get(self.cursor.para)
            .map_or(0, |p| p.range.start + self.cursor.offset)
    }

    /// The cursor as a code point offset into the document.
    pub fn cursor_char(&mut self) -> usize {
        self.session
            .char_offset(self.cursor.para, self.cursor.offset)
    }

    /// First row shown: (paragraph, row in its block).
    pub fn top(&self) -> Row {
        self.top
    }

    pub fn help_visible(&self) -> bool {
        self.show_help
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Text area size in cells (width, height).
    pub fn viewport(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// Sets the text area size; a new width drops every layout. Cheap when unchanged.
    pub fn set_viewport(&mut self, width: usize, height: usize) {
        let width = width.max(1);
        let height = height.max(1);
        if width == self.width && height == self.height {
            return;
        }
        if width != self.width {
            self.clear_cache();
            self.top.1 = 0;
        }
        self.width = width;
        self.height = height;
        self.ensure_visible();
    }

    /// The action bound to a key, if any (the caller applies it).
    pub fn handle_key(&self, key: KeyEvent) -> Option<Action> {
        self.keymap.lookup(&key)
    }

    /// Does what a key says: text for the search prompt while it is open, else the
    /// keymap's action, else a label's key. The one entry point of the loop.
    pub fn key(&mut self, key: KeyEvent) {
        use crossterm::event::{KeyCode, KeyModifiers};
        if self.calibrating {
            let line = match key.code {
                KeyCode::Char(c @ '1'..='3') => Some(c as usize - '1' as usize),
                _ => None,
            };
            self.calibration_pick(line);
            return;
        }
        // Esc and the key typed right after it, sent in one packet (over SSH), arrive
        // as Alt and that key: an open prompt closes, as Esc closes it, and the key acts.
        if let KeyCode::Char(c) = key.code
            && key.modifiers.contains(KeyModifiers::ALT)
            && (self.prompt.is_some() || self.flag_prompt.is_some())
        {
            self.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            self.key(KeyEvent::new(
                KeyCode::Char(c),
                key.modifiers - KeyModifiers::ALT,
            ));
            return;
        }
        if self.prompt.is_some() {
            self.message = None;
            self.prompt_key(key);
            self.ensure_visible();
            return;
        }
        if self.confirm_done {
            self.confirm_key(key);
            return;
        }
        if self.taking() {
            self.take_key(key);
            return;
        }
        if self.flag_prompt.is_some() {
            self.message = None;
            self.flag_prompt_key(key);
            return;
        }
        if let Some(action) = self.keymap.lookup(&key) {
            self.apply(action);
            return;
        }
        // Esc and a key typed right after it (or sent in one packet over SSH) arrive
        // as Alt and that key; when that is not bound, it was meant as the two keys.
        if key.modifiers.contains(KeyModifiers::ALT) {
            let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
            if let Some(action) = self.keymap.lookup(&esc) {
                self.apply(action);
            }
            let mut plain_key = key;
            plain_key.modifiers -= KeyModifiers::ALT;
            self.key(plain_key);
            return;
        }
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        // A key the keymap leaves free that the label set gives a label: that
        // label's action (a keymap may bind the action to any other key).
        if let KeyCode::Char(c) = key.code
            && plain
            && let Some(action) = self
                .session
                .labels()
                .labels()
                .iter()
                .position(|l| l.key == c)
                .and_then(Action::label)
        {
            self.apply(action);
        } else if let KeyCode::Char(c @ '1'..='9') = key.code
            && plain
        {
            let labels: Vec<String> = (self.session.labels().labels().iter())
                .map(|l| format!("{} {}", l.key, l.name))
                .collect();
            self.say(format!(
                "no label on {c}: the labels are {}",
                labels.join(", ")
            ));
        }
    }

    /// A key while the calibration lines are up: a line's number (from 0) picks its
    /// way of drawing; anything else (`None`) closes them.
    fn calibration_pick(&mut self, line: Option<usize>) {
        use super::calibrate::{Choice, choices};
        self.calibrating = false;
        let Some(choice) = line.and_then(|i| choices(self.settings.profile).get(i).copied()) else {
            return;
        };
        match choice {
            Choice::Profile(p) => {
                self.settings.profile = p;
                self.pick = Some(p);
                self.say(format!("terminal profile {p}: kept for this terminal"));
            }
            Choice::ReordersItself => self.say(
                "this terminal reorders text itself: turn its bidirectional rendering off in its settings",
            ),
        }
    }

    /// The profile just picked on the calibration lines, if any (taken once).
    pub fn take_pick(&mut self) -> Option<Profile> {
        self.pick.take()
    }

    /// The review of this document (its stored spans and history).
    pub fn review(&self) -> &Review {
        self.session.review()
    }

    /// Replaces the review (e.g. one opened from the store) and goes to `view`:
    /// the cursor's document byte offset, if remembered.
    pub fn set_review(&mut self, review: Review, view: Option<(usize, usize)>) {
        self.session.set_review(review);
        if let Some((at, top)) = view.filter(|&(c, _)| {
            c <= self.session.document().text.len() && !self.session.document().is_blank()
        }) {
            let p = self.session.para_of(at);
            self.put_cursor(p, at.max(self.session.document().paragraphs[p].range.start));
            self.snap_cursor();
            self.session.reached(p);
            // The first paragraph shown as it was, when the cursor is still in view.
            if top <= p {
                self.top = (top, 0);
            }
        }
        self.ensure_visible();
    }

    /// Follows the raqim that holds this document when it is open read-only here (see
    /// `Session::follow`), keeping the cursor; true when the screen changed.
    pub fn follow(&mut self) -> bool {
        match self.session.follow() {
            Some(m) => {
                self.snap_cursor();
                self.say(m);
                true
            }
            None => false,
        }
    }

    /// Saves what is only in memory (the view, the suggestion memory); called on quit.
    pub fn save_session(&mut self) -> Result<(), crate::review::ReviewError> {
        let cursor = self.cursor_byte();
        self.session.save(cursor, self.top.0)
    }

    /// Moves the cursor to the nearest stop at or before it (after a jump to an offset
    /// that is not one, e.g. inside a cluster).
    pub(super) fn snap_cursor(&mut self) {
        let p = self.cursor.para;
        let lay = self.layout(p);
        let Some(k) = lay.cluster_index(self.cursor.offset) else {
            return;
        };
        let stop = (0..=k)
            .rev()
            .find_map(|i| self.stop_at(&lay, i))
            .or_else(|| (k..lay.cluster_count()).find_map(|i| self.stop_at(&lay, i)));
        if let Some(o) = stop {
            self.cursor.offset = o;
        }
    }

    /// Does what the action says.
    pub fn apply(&mut self, action: Action) {
        self.act(action);
        self.snap_selection();
    }

    fn act(&mut self, action: Action) {
        self.message = None;
        let fresh = std::mem::replace(&mut self.fresh, false);
        if fresh && action == Action::NextPending && self.pending_under_cursor() {
            // An article that starts with a name: that name is the first to review.
            return;
        }
        if self.calibrating {
            // The keys 1, 2, 3 are label keys too.
            self.calibration_pick(action.label_index());
            return;
        }
        // The help covers the text: a key that would act on it (a review step, a flag)
        // closes the help instead, so nothing changes out of sight.
        if self.show_help
            && !matches!(
                action,
                Action::Cancel
                    | Action::Quit
                    | Action::ToggleHelp
                    | Action::CloseHelp
                    | Action::MoveDown
                    | Action::MoveUp
                    | Action::NextChar
                    | Action::PrevChar
                    | Action::PageDown
                    | Action::PageUp
            )
        {
            self.show_help = false;
            self.say("help closed: nothing done");
            return;
        }
        if self.agreement_action(action) {
            return;
        }
        if action.label_index().is_some() && self.memory.is_some() {
            // Not on the text under the memory screen.
            return;
        }
        if let Some(i) = action.label_index() {
            // The tap of a first press stays for the second (see `label_key`).
            if i < self.session.labels().labels().len() {
                self.label_key(i);
                self.ensure_visible();
            } else {
                self.tap = None;
                self.say(format!("no label {} in this label set", i + 1));
            }
            return;
        }
        self.tap = None;
        if self.list_action(action) || self.memory_action(action) || self.curation_action(action) {
            return;
        }
        match action {
            Action::NextDocument => return self.step_document(true),
            Action::PrevDocument => return self.step_document(false),
            Action::TerminalCheck => {
                self.calibrating = true;
                return;
            }
            Action::Flag | Action::FlagDocument => {
                return self.flag_key(action == Action::FlagDocument);
            }
            Action::DocumentList => {
                match self.docs.as_mut() {
                    Some(d) => {
                        d.open = true;
                        d.selected = d.current;
                    }
                    None => self.say(
                        "one document open: give raqim a directory or a .jsonl to review several",
                    ),
                }
                return;
            }
            Action::Cancel => {
                if self.show_help {
                    self.show_help = false;
                } else if self.selection.take().is_some() {
                    self.say("selection dropped");
                }
                return;
            }
            Action::Quit => {
                self.quit = true;
                return;
            }
            Action::ToggleHelp => {
                self.show_help = !self.show_help;
                self.help_scroll = 0;
                return;
            }
            // While the help is up, the movement keys scroll it.
            Action::MoveDown | Action::NextChar if self.show_help => {
                self.help_scroll += 1;
                return;
            }
            Action::MoveUp | Action::PrevChar if self.show_help => {
                self.help_scroll = self.help_scroll.saturating_sub(1);
                return;
            }
            Action::PageDown if self.show_help => {
                self.help_scroll += self.height.max(2) - 1;
                return;
            }
            Action::PageUp if self.show_help => {
                self.help_scroll = self.help_scroll.saturating_sub(self.height.max(2) - 1);
                return;
            }
            Action::CloseHelp => {
                self.show_help = false;
                return;
            }
            _ => {}
        }
        if self.session.document().is_blank() {
            return;
        }
        if !matches!(
            action,
            Action::MoveUp | Action::MoveDown | Action::PageUp | Action::PageDown
        ) {
            self.desired_col = None;
        }
        match action {
            Action::MoveLeft => self.move_visual(false),
            Action::MoveRight => self.move_visual(true),
            Action::MoveUp => self.move_lines(-1),
            Action::MoveDown => self.move_lines(1),
            Action::NextChar => self.next_char(),
            Action::PrevChar => self.prev_char(),
            Action::NextWord => self.next_word(),
            Action::PrevWord => self.prev_word(),
            Action::WordEnd => self.word_end(),
            Action::PageDown => self.page(true),
            Action::PageUp => self.page(false),
            Action::LineStart => self.line_edge(false),
            Action::LineEnd => self.line_edge(true),
            Action::DocumentStart => {
                self.cursor = Cursor {
                    para: 0,
                    offset: self.first_stop(0).unwrap_or(0),
                };
            }
            Action::DocumentEnd => {
                let para = self.session.document().paragraphs.len() - 1;
                let offset = self.last_stop(para).unwrap_or(0);
                self.cursor = Cursor { para, offset };
            }
            Action::Quit
            | Action::ToggleHelp
            | Action::CloseHelp
            | Action::Cancel
            | Action::NextDocument
            | Action::PrevDocument
            | Action::TerminalCheck
            | Action::DocumentList => {}
            review => self.review_action(review),
        }
        self.session.reached(self.cursor.para);
        self.ensure_visible();
    }

    // ---- layout cache ----

    /// Layout options for paragraph `p` at the current width. A later piece of a cut
    /// line keeps the direction its first piece resolved to.
    fn options(&mut self, p: usize) -> LayoutOptions {
        let mut direction = self.settings.direction;
        if direction == Direction::Auto && self.session.document().paragraphs[p].continued {
            let mut head = p;
            while head > 0 && self.session.document().paragraphs[head].continued {
                head -= 1;
            }
            direction = if self.layout(head).rtl {
                Direction::Rtl
            } else {
                Direction::Ltr
            };
        }
        LayoutOptions {
            width: self.width,
            direction,
            shaping: self.settings.shaping,
            show_controls: self.settings.show_controls,
        }
    }

    /// The layout of paragraph `p`, built on first use.
    pub fn layout(&mut self, p: usize) -> Rc<ParagraphLayout> {
        if let Some(l) = self.cache.get(&p) {
            return Rc::clone(l);
        }
        let opts = self.options(p);
        let len = self.session.document().paragraphs[p].range.len();
        if self.cache_bytes + len > CACHE_BYTES {
            self.clear_cache();
        }
        let l = Rc::new(layout_paragraph(
            self.session.document().paragraph_text(p),
            &opts,
        ));
        self.cache.insert(p, Rc::clone(&l));
        self.cache_bytes += len;
        l
    }

    /// How many paragraphs are laid out right now (for tests of laziness).
    pub fn cached_layouts(&self) -> usize {
        self.cache.len()
    }

    fn clear_cache(&mut self) {
        self.cache.clear();
        self.cache_bytes = 0;
    }

    // ---- rows and scrolling ----

    /// 1 when a blank row goes before paragraph `p`.
    pub(super) fn sep(&self, p: usize) -> usize {
        usize::from(p > 0 && !self.session.document().paragraphs[p].continued)
    }

    /// Rows taken by paragraph `p` (its separator included).
    pub(super) fn rows(&mut self, p: usize) -> usize {
        self.sep(p) + self.layout(p).lines.len()
    }

    /// The row of the document the cursor is on.
    pub(super) fn cursor_row(&mut self) -> Row {
        let (line, _) = self.cursor_cell();
        (self.cursor.para, self.sep(self.cursor.para) + line)
    }

    /// (line, cell index) of the cursor in its paragraph's layout.
    pub(super) fn cursor_cell(&mut self) -> (usize, usize) {
        let lay = self.layout(self.cursor.para);
        lay.locate(self.cursor.offset).unwrap_or((0, 0))
    }

    /// `n` rows after `row`, stopping at the last row; also returns how many were moved.
    pub(super) fn rows_forward(&mut self, row: Row, n: usize) -> (Row, usize) {
        let (mut p, mut r) = row;
        let mut moved = 0;
        while moved < n {
            if r + 1 < self.rows(p) {
                r += 1;
            } else if p + 1 < self.session.document().paragraphs.len() {
                p += 1;
                r = 0;
            } else {
                break;
            }
            moved += 1;
        }
        ((p, r), moved)
    }

    /// `n` rows before `row`, stopping at the first row.
    pub(super) fn rows_backward(&mut self, row: Row, n: usize) -> (Row, usize) {
        let (mut p, mut r) = row;
        let mut moved = 0;
        while moved < n {
            if r > 0 {
                r -= 1;
            } else if p > 0 {
                p -= 1;
                r = self.rows(p) - 1;
            } else {
                break;
            }
            moved += 1;
        }
        ((p, r), moved)
    }

    /// Scrolls as little as possible so that the cursor row is on screen. Walks at most
    /// one screen of rows.
    pub(super) fn ensure_visible(&mut self) {
        if self.session.document().is_blank() {
            return;
        }
        let rows = self.rows(self.top.0);
        if self.top.1 >= rows {
            self.top.1 = rows - 1;
        }
        let cur = self.cursor_row();
        if cur < self.top {
            self.top = cur;
            return;
        }
        let (_, dist) = self.rows_forward_until(self.top, cur, self.height);
        if dist >= self.height {
            self.top = self.rows_backward(cur, self.height - 1).0;
        }
    }

    /// Rows from `from` to `to` (which is not before it), counting at most `limit`.
    fn rows_forward_until(&mut self, from: Row, to: Row, limit: usize) -> (Row, usize) {
        let mut row = from;
        let mut n = 0;
        while row < to && n < limit {
            let (next, moved) = self.rows_forward(row, 1);
            if moved == 0 {
                break;
            }
            row = next;
            n += 1;
        }
        (row, n)
    }

    // ---- stops ----

    /// A cell the cursor may rest on: it takes room, or it is a control or invisible
    /// character (zero cells, but the status line names it). Hanging spaces are not.
    pub(super) fn is_stop(kind: CellKind, width: u8) -> bool {
        width > 0 || kind != CellKind::Text
    }

    /// First cursor stop of paragraph `p` in reading order.
    pub(super) fn first_stop(&mut self, p: usize) -> Option<usize> {
        let lay = self.layout(p);
        (0..lay.cluster_count()).find_map(|k| self.stop_at(&lay, k))
    }

    /// Last cursor stop of paragraph `p` in reading order.
    pub(super) fn last_stop(&mut self, p: usize) -> Option<usize> {
        let lay = self.layout(p);
        (0..lay.cluster_count())
            .rev()
            .find_map(|k| self.stop_at(&lay, k))
    }

    /// The start of cluster `k` if the cursor may rest there.
    pub(super) fn stop_at(&self, lay: &ParagraphLayout, k: usize) -> Option<usize> {
        let (l, c) = lay.cell_of_cluster(k);
        let cell = &lay.lines[l].cells[c];
        Self::is_stop(cell.kind, cell.width).then_some(cell.start as usize)
    }
}
