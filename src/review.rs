//! A review session over one document: its spans ([`Annotations`]), the journal that
//! makes every action durable before it is shown ([`Journal`]: the SQLite store, or
//! memory in tests), and the suggestion memory fed by every decision.
//!
//! The order of an action is fixed here and nowhere else: build the edit, check it
//! against the spans, commit it to the journal (one transaction), and only then apply
//! it in memory and learn from it. A refused or failed commit changes nothing, so what
//! the screen shows is always what is on disk.
//!
//! Undo and redo are actions too: an undo commits the inverse of the last step with
//! `undoes` naming the action it takes back, a redo commits the step again naming the
//! undo. Replaying the log ([`rebuild_history`]) gives back both stacks after a
//! restart.
//!
//! The memory learns each decision with the document it was taken in (a reject
//! reaches that document; `reject_all_like` marks its rejects for the whole project),
//! and forgetting a memory entry is a step too, with an empty edit: what a step did to
//! the memory beyond its edit is its [`MemoryNote`], kept by seq so that undo and redo
//! (and the log's replay) take it back or do it again exactly.
//!
//! Owns: that order, the action payloads (JSON: the edit in byte offsets of the
//! document's text, plus the decisions taken and taken back, and the memory entries
//! forgotten or restored), what counts as a decision. Must not: touch the terminal, or know SQL (see `store_journal.rs`).

mod flags;
mod store_journal;

pub use flags::Flagged;
pub use store_journal::{Opened, StoreJournal, open_document};

use serde::{Deserialize, Serialize};

use std::collections::HashMap;
use std::time::Instant;

use crate::annotation::{Annotations, Edit, HistoryStep, NEW_ID, Refusal, Span, State};
use crate::logging::{MESSAGE, SURFACE, clip};
use crate::suggest::dict::DocTokens;
use crate::suggest::memory::{Forgotten, Memory, Taken};
use crate::suggest::{Engine, Suggestion};

/// Why an action did not happen. Nothing changed, on screen or on disk.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The document is open elsewhere, or the database cannot be written.
    #[error("read-only: {0}")]
    ReadOnly(String),
    /// The journal could not commit (disk full, database locked, I/O error).
    #[error("not saved: {0}")]
    Journal(#[from] JournalError),
}

/// Why the journal could not write. The store's own error says which (a busy
/// database is [`StoreError::Locked`], a damaged one [`StoreError::Corrupt`], a full
/// disk [`StoreError::Full`]), so the review can tell them apart.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A journal without a store (the in-memory one) failed.
    #[error("{0}")]
    Other(String),
}

/// One action as the journal commits it.
pub struct Entry<'a> {
    /// What it is: `accept`, `create`, `undo`...
    pub kind: &'a str,
    /// Its JSON payload, made from the ids the new spans got, so the log names every
    /// span.
    pub payload: &'a dyn Fn(&[u64]) -> String,
    /// The action it takes back (for undo and redo).
    pub undoes: Option<i64>,
    /// What it changes; its new spans ([`NEW_ID`]) get ids.
    pub edit: &'a Edit,
}

/// Where actions go to be durable.
pub trait Journal {
    /// Commits one action, all or nothing. Returns the action's seq and the ids its
    /// new spans got, in order.
    fn commit(&mut self, entry: &Entry<'_>) -> Result<(i64, Vec<u64>), JournalError>;
    /// Where the reader is (cursor byte offset, first row), saved with the next commit.
    fn view_hint(&mut self, _cursor: usize, _top: usize) {}
    /// Marks the document done or not.
    fn set_done(&mut self, done: bool) -> Result<(), JournalError>;
    /// Remembers the cursor (byte offset in the text) and the first row shown.
    fn set_view(&mut self, cursor: usize, top: usize) -> Result<(), JournalError>;
    /// Saves the suggestion memory, which includes every action up to `upto_seq`.
    fn save_memory(&mut self, json: &str, upto_seq: i64) -> Result<(), JournalError>;
    /// Where the work goes, for the status line ("db: PATH").
    fn describe(&self) -> String;
    /// Why nothing may be written any more, once that is known (a check of the
    /// database found damage after the document was opened).
    fn refusal(&self) -> Option<&str> {
        None
    }
    /// Flags the document (`None`) or a stretch of it (bytes) with a note, or with
    /// `note` `None` takes the flag off. Nothing to keep in memory only.
    fn set_flag(
        &mut self,
        _place: Option<(usize, usize)>,
        _note: Option<&str>,
    ) -> Result<(), JournalError> {
        Ok(())
    }
    /// Whether the document has moved on where it is kept since it was opened here
    /// (`seen`: the newest action then), or its holder has let go of it: a review
    /// opened read-only reopens it then, to follow the analyst who holds it and to
    /// take it over when they quit. `false` where nothing is kept elsewhere.
    fn moved_on(&self, _seen: i64) -> bool {
        false
    }
    /// Opens the document again from where it is kept, as a new review (read-only or
    /// not, as its lock then says); `None` where nothing is kept elsewhere.
    fn reopen(
        &self,
        _doc: &crate::document::Document,
        _engine: &crate::suggest::Engine,
    ) -> Option<Result<Opened, crate::store::StoreError>> {
        None
    }
}

/// A journal that keeps actions in memory only: for tests, and for `--no-db`.
#[derive(Debug, Default)]
pub struct MemJournal {
    pub actions: Vec<(i64, String, String, Option<i64>)>,
    pub next_id: u64,
    pub done: bool,
    pub view: Option<(usize, usize)>,
    pub memory: Option<(String, i64)>,
    /// When set, the next commit fails with this message (to test failures).
    pub fail_next: Option<String>,
}

impl Journal for MemJournal {
    fn commit(&mut self, entry: &Entry<'_>) -> Result<(i64, Vec<u64>), JournalError> {
        if let Some(e) = self.fail_next.take() {
            return Err(JournalError::Other(e));
        }
        let seq = self.actions.len() as i64 + 1;
        let mut ids = Vec::new();
        count_new(entry.edit, &mut |_| {
            self.next_id += 1;
            ids.push(self.next_id);
        });
        let payload = (entry.payload)(&ids);
        self.actions
            .push((seq, entry.kind.to_string(), payload, entry.undoes));
        Ok((seq, ids))
    }
    fn set_done(&mut self, done: bool) -> Result<(), JournalError> {
        self.done = done;
        Ok(())
    }
    fn set_view(&mut self, cursor: usize, top: usize) -> Result<(), JournalError> {
        self.view = Some((cursor, top));
        Ok(())
    }
    fn save_memory(&mut self, json: &str, upto_seq: i64) -> Result<(), JournalError> {
        self.memory = Some((json.to_string(), upto_seq));
        Ok(())
    }
    fn describe(&self) -> String {
        "not saved (no database)".to_string()
    }
}

/// Calls `f` for each new span of an edit, in order.
fn count_new(edit: &Edit, f: &mut dyn FnMut(&Span)) {
    match edit {
        Edit::Insert(s) if s.id == NEW_ID => f(s),
        Edit::Batch(v) => v.iter().for_each(|e| count_new(e, f)),
        _ => {}
    }
}

/// One decision the memory learns from: the analyst said `label` is (or is not) right
/// for `start..end` (bytes in the document text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub source: String,
    pub accepted: bool,
    /// A reject meant for the whole project (reject all alike), not only for the
    /// document it was taken in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub project: bool,
}

/// The kinds of action whose rejects withdraw a string from the whole project.
pub const PROJECT_KINDS: &[&str] = &["reject_all_like"];

/// The kind of action that takes entries out of the memory.
pub const FORGET_KIND: &str = "forget_memory";

/// What an action's log entry holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    /// The edit applied (byte offsets in the document's text).
    pub edit: Edit,
    /// Decisions taken by this action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub learn: Vec<Decision>,
    /// Decisions taken back by this action (an undo).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unlearn: Vec<Decision>,
    /// Memory entries taken out by this action (forgetting them on the memory
    /// screen, or redoing that).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forget: Vec<Forgotten>,
    /// Memory entries put back by this action (undoing a forget).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restore: Vec<Forgotten>,
    /// What a front end keeps beside the spans, opaque here (the adjudication view's
    /// disagreement settled with no span, `crate::session::curation`): undo and redo
    /// take the step back and again like any other, and the front end reads its note
    /// from the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<serde_json::Value>,
}

impl Payload {
    /// Whether replaying it changes the memory.
    pub fn teaches(&self) -> bool {
        !(self.learn.is_empty()
            && self.unlearn.is_empty()
            && self.forget.is_empty()
            && self.restore.is_empty())
    }

    /// Replays what it did to the memory: the decisions of `doc` (whose text is
    /// `text`) it took and took back (its rejects meant for the whole project when
    /// `project`, as a log written before decisions said so needs), the entries it
    /// forgot and restored.
    pub fn replay(
        &self,
        engine: &Engine,
        memory: &mut Memory,
        (text, doc, at): (&str, &str, i64),
        project: bool,
    ) {
        let scoped = |ds: &[Decision]| -> Vec<Decision> {
            let mut ds = ds.to_vec();
            for d in ds.iter_mut().filter(|d| !d.accepted) {
                d.project |= project;
            }
            ds
        };
        learn(
            engine,
            memory,
            text,
            &scoped(&self.learn),
            false,
            Some(doc),
            at,
        );
        learn(
            engine,
            memory,
            text,
            &scoped(&self.unlearn),
            true,
            Some(doc),
            at,
        );
        for f in &self.forget {
            memory.forget_entry(&f.key, &f.label);
        }
        for f in &self.restore {
            memory.restore_entry(f);
        }
    }
}

/// The decisions an edit takes: a span that becomes accepted (new, or with another
/// label or extent) is accepted; one that becomes rejected is rejected; a label
/// replaced on a suggestion is a rejection of the old label.
pub fn decisions(edit: &Edit) -> Vec<Decision> {
    let mut out = Vec::new();
    collect_decisions(edit, &mut out);
    out
}

fn decision(s: &Span, accepted: bool) -> Decision {
    Decision {
        start: s.start,
        end: s.end,
        label: s.label.clone(),
        source: s.source.clone(),
        accepted,
        project: false,
    }
}

fn collect_decisions(edit: &Edit, out: &mut Vec<Decision>) {
    match edit {
        Edit::Insert(s) => match s.state {
            State::Accepted => out.push(decision(s, true)),
            State::Rejected => out.push(decision(s, false)),
            State::Pending => {}
        },
        Edit::Replace { before, after } => {
            let same = before.label == after.label
                && before.start == after.start
                && before.end == after.end;
            match after.state {
                State::Accepted if before.state != State::Accepted || !same => {
                    if before.label != after.label && before.state == State::Pending {
                        out.push(decision(before, false));
                    }
                    out.push(decision(after, true));
                }
                State::Rejected if before.state != State::Rejected => {
                    out.push(decision(before, false));
                }
                _ => {}
            }
        }
        Edit::Remove(_) => {}
        Edit::Batch(v) => v.iter().for_each(|e| collect_decisions(e, out)),
    }
}

/// The line of `text` around `start..end` and where it starts: decisions are learnt
/// in the context of their own line (names never cross one), so their cost does not
/// depend on the document's size.
fn line_around(text: &str, start: usize, end: usize) -> (usize, &str) {
    let a = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let b = text[end..].find('\n').map_or(text.len(), |i| end + i);
    (a, &text[a..b])
}

/// Feeds decisions taken in document `doc` (its id; `None`: not known) at `at` (unix
/// ms) to the memory, or takes them back.
pub fn learn(
    engine: &Engine,
    memory: &mut Memory,
    text: &str,
    ds: &[Decision],
    forget: bool,
    doc: Option<&str>,
    at: i64,
) {
    for d in ds {
        let taken = Taken {
            doc,
            at,
            project: d.project,
        };
        if d.end > text.len() || !text.is_char_boundary(d.start) || !text.is_char_boundary(d.end) {
            continue;
        }
        let (base, line) = line_around(text, d.start, d.end);
        let toks = DocTokens::new(line);
        let (s, e) = (d.start - base, d.end - base);
        if forget {
            engine.forget_decision_at(memory, &toks, (s, e), &d.label, d.accepted, taken);
        } else {
            let sugg = Suggestion {
                start: s,
                end: e,
                label: d.label.clone(),
                source: d.source.clone(),
                score: 1.0,
            };
            engine.learn_decision_at(memory, &toks, &sugg, d.accepted, taken);
        }
    }
}

/// What an edit does, for the log: one change as `accepted ORG «surface» 120..134`
/// (byte offsets; the surface clipped, never the text around it), a batch as its
/// number of changes and its first one.
pub fn describe(edit: &Edit, text: &str) -> String {
    let span = |s: &Span| {
        let surface = text.get(s.start..s.end).unwrap_or("");
        format!(
            "{} {} «{}» {}..{}",
            s.state.as_str(),
            s.label,
            clip(surface, SURFACE),
            s.start,
            s.end
        )
    };
    match edit {
        Edit::Insert(s) => format!("new {}", span(s)),
        Edit::Replace { before, after } => {
            if (before.start, before.end) == (after.start, after.end) {
                format!("{} -> {}", before.state.as_str(), span(after))
            } else {
                format!("{}..{} -> {}", before.start, before.end, span(after))
            }
        }
        Edit::Remove(s) => format!("removed {}", span(s)),
        Edit::Batch(v) => match v.first() {
            Some(first) if v.len() > 1 => {
                format!("{} changes, the first: {}", v.len(), describe(first, text))
            }
            Some(first) => describe(first, text),
            None => "nothing".to_string(),
        },
    }
}

/// One row of the action log, as [`rebuild_history`] reads it.
pub struct LogRow<'a> {
    pub seq: i64,
    pub kind: &'a str,
    pub payload: &'a str,
    pub undoes: Option<i64>,
}

/// The undo and redo stacks the log leads to: an ordinary action is pushed for undo
/// (and forgets what could be redone), an undo moves the step it names to the redo
/// stack, a redo moves it back; an action that is not a review edit (an import) is a
/// wall undo does not cross. `None` when the log does not hang together (e.g. an undo
/// of a step that is not on top): the spans are still right, only the history is lost.
pub fn rebuild_history(rows: &[LogRow<'_>]) -> Option<(Vec<HistoryStep>, Vec<HistoryStep>)> {
    let mut undo: Vec<HistoryStep> = Vec::new();
    let mut redo: Vec<HistoryStep> = Vec::new();
    for r in rows {
        match r.kind {
            "undo" => {
                let (tag, edit) = undo.pop()?;
                if Some(tag) != r.undoes {
                    return None;
                }
                redo.push((r.seq, edit));
            }
            "redo" => {
                let (tag, edit) = redo.pop()?;
                if Some(tag) != r.undoes {
                    return None;
                }
                undo.push((r.seq, edit));
            }
            _ => match serde_json::from_str::<Payload>(r.payload) {
                Ok(p) => {
                    undo.push((r.seq, p.edit));
                    redo.clear();
                }
                // Not a review action (an import, another tool's write): undo does not
                // reach back past it.
                Err(_) => {
                    undo.clear();
                    redo.clear();
                }
            },
        }
    }
    Some((undo, redo))
}

/// What a step did to the memory that its edit does not say: its rejects were meant
/// for the whole project, or it took entries out of the memory. Undo and redo need it
/// to take the step back, or do it again, exactly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemoryNote {
    pub project: bool,
    pub forgot: Vec<Forgotten>,
}

/// The notes of a document's steps, by action seq, from its log: an undo or a redo
/// has the note of the step it names.
pub fn rebuild_notes(rows: &[LogRow<'_>]) -> HashMap<i64, MemoryNote> {
    let mut notes: HashMap<i64, MemoryNote> = HashMap::new();
    for r in rows {
        // Only a forget's payload is read: an import's may be megabytes.
        let note = match r.kind {
            "undo" | "redo" => r.undoes.and_then(|u| notes.get(&u).cloned()),
            k if PROJECT_KINDS.contains(&k) => Some(MemoryNote {
                project: true,
                forgot: Vec::new(),
            }),
            FORGET_KIND => serde_json::from_str::<Payload>(r.payload)
                .ok()
                .map(|p| MemoryNote {
                    project: false,
                    forgot: p.forget,
                }),
            _ => None,
        };
        if let Some(n) = note.filter(|n| n.project || !n.forgot.is_empty()) {
            notes.insert(r.seq, n);
        }
    }
    notes
}

/// Now, in unix milliseconds (when a decision was taken).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A document under review.
pub struct Review {
    pub ann: Annotations,
    journal: Box<dyn Journal>,
    /// Why actions are refused, when they are (the document is open elsewhere).
    read_only: Option<String>,
    done: bool,
    memory: Memory,
    /// Decisions learnt since the memory was last saved.
    unsaved: usize,
    last_seq: i64,
    /// Every action up to this seq was in the memory when the session began; the
    /// session's own actions after it are `own`.
    base_seq: i64,
    own: Vec<i64>,
    /// The saved snapshot lacks log rows this session replayed: save it on quit.
    stale: bool,
    /// The analyst's flags (`flags.rs`).
    flags: Vec<Flagged>,
    /// The document's id, which the memory keeps with each decision.
    doc: Option<String>,
    /// What the steps of the history did to the memory beyond their edits.
    notes: HashMap<i64, MemoryNote>,
    /// The newest action of the document when it was opened (to follow its holder
    /// when opened read-only).
    seen: i64,
}

/// The memory snapshot as saved: the memory, and the seqs of actions after the
/// snapshot's `upto_seq` that it already includes (the saving session's own), so a
/// replay skips them. Sessions on other documents may save in between: whichever
/// saves last, the replay of what its snapshot lacks makes the memory whole.
#[derive(Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub memory: serde_json::Value,
    #[serde(default)]
    pub also: Vec<i64>,
}

/// How many decisions may be learnt before the memory is saved again. The action log
/// holds every decision, so the ones after the last save are replayed on the next
/// start: a crash loses nothing, and an action does not pay for a whole save.
const MEMORY_SAVE_EVERY: usize = 25;

impl Review {
    /// A session with nothing stored: spans start empty, actions stay in memory.
    pub fn in_memory() -> Review {
        Review::new(
            Annotations::new(),
            Box::<MemJournal>::default(),
            Memory::new(),
        )
    }

    pub fn new(ann: Annotations, journal: Box<dyn Journal>, memory: Memory) -> Review {
        Review {
            ann,
            journal,
            read_only: None,
            done: false,
            memory,
            unsaved: 0,
            last_seq: 0,
            base_seq: 0,
            seen: 0,
            own: Vec::new(),
            stale: false,
            flags: Vec::new(),
            doc: None,
            notes: HashMap::new(),
        }
    }

    /// The document under review, by id: the memory keeps it with each decision, so
    /// a reject withdraws a string from this document only.
    pub fn set_doc(&mut self, id: String) {
        self.doc = Some(id);
    }

    pub fn doc(&self) -> Option<&str> {
        self.doc.as_deref()
    }

    /// What the steps of the history did to the memory beyond their edits (from the
    /// log, see [`rebuild_notes`]).
    pub fn set_notes(&mut self, notes: HashMap<i64, MemoryNote>) {
        self.notes = notes;
    }

    /// In how many documents a string rejected and never accepted is withdrawn
    /// everywhere (0: never by count).
    pub fn set_project_after(&mut self, n: u32) {
        self.memory.set_project_after(n);
    }

    /// Refuse every action from now on, saying why.
    pub fn set_read_only(&mut self, why: String) {
        self.read_only = Some(why);
    }

    /// Why actions are refused: the document is open elsewhere, or the journal can
    /// no longer write (damage found in the database, maybe after opening).
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref().or_else(|| self.journal.refusal())
    }

    pub fn set_done_flag(&mut self, done: bool) {
        self.done = done;
    }

    pub fn done(&self) -> bool {
        self.done
    }

    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    pub fn describe(&self) -> String {
        self.journal.describe()
    }

    fn writable(&self) -> Result<(), ReviewError> {
        match self.read_only() {
            Some(why) => Err(ReviewError::ReadOnly(why.to_string())),
            None => Ok(()),
        }
    }

    /// Checks, commits, applies and learns from an edit as one action of `kind`.
    pub fn act(
        &mut self,
        engine: &Engine,
        text: &str,
        kind: &str,
        edit: Edit,
    ) -> Result<(), ReviewError> {
        if edit.is_empty() && self.read_only().is_none() {
            return Ok(());
        }
        let started = Instant::now();
        let what = tracing::enabled!(tracing::Level::INFO).then(|| describe(&edit, text));
        let r = self.act_unlogged(engine, text, kind, edit, None);
        self.logged(kind, what.as_deref(), started, &r);
        r
    }

    /// As [`Review::act`], with a front end's `note` kept in the payload (see
    /// [`Payload::note`]); committed even when the edit is empty, as a step of the
    /// history that undo takes back. Returns the action's seq.
    pub fn act_noted(
        &mut self,
        engine: &Engine,
        text: &str,
        kind: &str,
        edit: Edit,
        note: serde_json::Value,
    ) -> Result<i64, ReviewError> {
        let started = Instant::now();
        let what = tracing::enabled!(tracing::Level::INFO).then(|| describe(&edit, text));
        let r = self.act_unlogged(engine, text, kind, edit, Some(note));
        self.logged(kind, what.as_deref(), started, &r);
        r.map(|()| self.last_seq)
    }

    fn act_unlogged(
        &mut self,
        engine: &Engine,
        text: &str,
        kind: &str,
        mut edit: Edit,
        note: Option<serde_json::Value>,
    ) -> Result<(), ReviewError> {
        self.writable()?;
        self.ann.check(text, &edit)?;
        let mut learnt = decisions(&edit);
        let project = PROJECT_KINDS.contains(&kind);
        if project {
            for d in learnt.iter_mut().filter(|d| !d.accepted) {
                d.project = true;
            }
        }
        let payload = |ids: &[u64]| {
            let mut e = edit.clone();
            Annotations::assign_ids(&mut e, &mut ids.iter().copied());
            let p = Payload {
                edit: e,
                learn: learnt.clone(),
                unlearn: Vec::new(),
                forget: Vec::new(),
                restore: Vec::new(),
                note: note.clone(),
            };
            serde_json::to_string(&p).expect("payload serializes")
        };
        let entry = Entry {
            kind,
            payload: &payload,
            undoes: None,
            edit: &edit,
        };
        let (seq, ids) = self.journal.commit(&entry).map_err(ReviewError::Journal)?;
        Annotations::assign_ids(&mut edit, &mut ids.into_iter());
        self.ann.commit_step(edit, seq)?;
        self.committed(seq);
        if project {
            let note = MemoryNote {
                project,
                forgot: Vec::new(),
            };
            self.notes.insert(seq, note);
        }
        self.learn(engine, text, &learnt, false);
        Ok(())
    }

    /// Takes strings (folded key, label) out of the memory as one action of the
    /// document's history (so `u` puts them back): logged with what each was, so the
    /// log can replay it. Returns what was taken out; nothing when none is known.
    pub fn forget_memory(
        &mut self,
        entries: &[(String, String)],
    ) -> Result<Vec<Forgotten>, ReviewError> {
        let started = Instant::now();
        let r = self.forget_unlogged(entries);
        let what = match &r {
            Ok(v) => v
                .iter()
                .map(|f| format!("forgot {} «{}»", f.label, clip(&f.surface, SURFACE)))
                .collect::<Vec<_>>()
                .join(", "),
            Err(_) => String::new(),
        };
        self.logged(FORGET_KIND, Some(&what), started, &r);
        r
    }

    fn forget_unlogged(
        &mut self,
        entries: &[(String, String)],
    ) -> Result<Vec<Forgotten>, ReviewError> {
        self.writable()?;
        // What each is, without changing the memory before the log has it.
        let forgot: Vec<Forgotten> = entries
            .iter()
            .filter_map(|(key, label)| self.memory.peek_entry(key, label))
            .collect();
        if forgot.is_empty() {
            return Ok(forgot);
        }
        let edit = Edit::Batch(Vec::new());
        let p = Payload {
            edit: edit.clone(),
            learn: Vec::new(),
            unlearn: Vec::new(),
            forget: forgot.clone(),
            restore: Vec::new(),
            note: None,
        };
        let json = serde_json::to_string(&p).expect("payload serializes");
        let entry = Entry {
            kind: FORGET_KIND,
            payload: &|_| json.clone(),
            undoes: None,
            edit: &edit,
        };
        let (seq, _) = self.journal.commit(&entry).map_err(ReviewError::Journal)?;
        self.ann.commit_step(edit, seq)?;
        self.committed(seq);
        self.remember(&forgot, true);
        self.notes.insert(
            seq,
            MemoryNote {
                project: false,
                forgot: forgot.clone(),
            },
        );
        Ok(forgot)
    }

    /// Takes entries out of the memory (`out`) or puts them back.
    fn remember(&mut self, entries: &[Forgotten], out: bool) {
        for f in entries {
            if out {
                self.memory.forget_entry(&f.key, &f.label);
            } else {
                self.memory.restore_entry(f);
            }
        }
        self.unsaved += entries.len();
    }

    /// What the last step (the one undo takes back) did to the memory beyond its edit.
    pub fn note_of_undo(&self) -> Option<&MemoryNote> {
        self.notes.get(&self.ann.peek_undo()?.0)
    }

    /// What the step redo does again did to the memory beyond its edit.
    pub fn note_of_redo(&self) -> Option<&MemoryNote> {
        self.notes.get(&self.ann.peek_redo()?.0)
    }

    /// Takes back the last step; returns the edit applied to do so.
    pub fn undo(&mut self, engine: &Engine, text: &str) -> Result<Edit, ReviewError> {
        self.step_logged(engine, text, false)
    }

    /// Applies the last undone step again; returns it.
    pub fn redo(&mut self, engine: &Engine, text: &str) -> Result<Edit, ReviewError> {
        self.step_logged(engine, text, true)
    }

    /// [`Review::step_history`], logged with what it changed and how long it took.
    fn step_logged(
        &mut self,
        engine: &Engine,
        text: &str,
        forward: bool,
    ) -> Result<Edit, ReviewError> {
        let started = Instant::now();
        let r = self.step_history(engine, text, forward);
        let what = match (&r, tracing::enabled!(tracing::Level::INFO)) {
            (Ok(e), true) => Some(describe(e, text)),
            _ => None,
        };
        self.logged(
            if forward { "redo" } else { "undo" },
            what.as_deref(),
            started,
            &r,
        );
        r
    }

    /// Undo (`forward` false) or redo: the step's edit is journalled as an action of
    /// that kind that names the step it takes back or again, then applied, and the
    /// memory unlearns (undo) or learns again (redo) the decisions in it.
    fn step_history(
        &mut self,
        engine: &Engine,
        text: &str,
        forward: bool,
    ) -> Result<Edit, ReviewError> {
        self.writable()?;
        let (tag, edit) = if forward {
            self.ann.peek_redo().ok_or(Refusal::NothingToRedo)?
        } else {
            self.ann.peek_undo().ok_or(Refusal::NothingToUndo)?
        };
        self.ann.check(text, &edit)?;
        // An undo's edit is the inverse of the step: its decisions are the step's.
        let mut changed = if forward {
            decisions(&edit)
        } else {
            decisions(&edit.inverse())
        };
        let note = self.notes.get(&tag).cloned().unwrap_or_default();
        if note.project {
            for d in changed.iter_mut().filter(|d| !d.accepted) {
                d.project = true;
            }
        }
        let (learn, unlearn) = if forward {
            (changed.clone(), Vec::new())
        } else {
            (Vec::new(), changed.clone())
        };
        let (forget, restore) = if forward {
            (note.forgot.clone(), Vec::new())
        } else {
            (Vec::new(), note.forgot.clone())
        };
        let payload = Payload {
            edit: edit.clone(),
            learn,
            unlearn,
            forget,
            restore,
            note: None,
        };
        let json = serde_json::to_string(&payload).expect("payload serializes");
        let kind = if forward { "redo" } else { "undo" };
        let entry = Entry {
            kind,
            payload: &|_| json.clone(),
            undoes: Some(tag),
            edit: &edit,
        };
        let (seq, _) = self.journal.commit(&entry).map_err(ReviewError::Journal)?;
        let applied = if forward {
            self.ann.commit_redo(seq)?
        } else {
            self.ann.commit_undo(seq)?
        };
        self.committed(seq);
        self.learn(engine, text, &changed, !forward);
        if !note.forgot.is_empty() {
            self.remember(&note.forgot, forward);
        }
        if note != MemoryNote::default() {
            self.notes.insert(seq, note);
        }
        Ok(applied)
    }

    /// Logs an action's outcome and how long it took (checks, commit, learning).
    fn logged<T>(
        &self,
        kind: &str,
        what: Option<&str>,
        started: Instant,
        r: &Result<T, ReviewError>,
    ) {
        let took = started.elapsed();
        let what = what.unwrap_or("");
        match r {
            // Marking done is not in the action log: no seq.
            Ok(_) if kind == "done" => tracing::info!(kind = %kind, ?took, "action: {what}"),
            Ok(_) => tracing::info!(kind = %kind, seq = self.last_seq, ?took, "action: {what}"),
            Err(e @ ReviewError::Refused(_)) => {
                tracing::info!(kind = %kind, ?took, "{}", clip(&e.to_string(), MESSAGE))
            }
            Err(e @ ReviewError::ReadOnly(_)) => {
                tracing::warn!(kind = %kind, ?took, "{}", clip(&e.to_string(), MESSAGE))
            }
            Err(e @ ReviewError::Journal(_)) => {
                tracing::error!(kind = %kind, ?took, "{}", clip(&e.to_string(), MESSAGE))
            }
        }
    }

    fn committed(&mut self, seq: i64) {
        self.last_seq = seq;
        self.own.push(seq);
    }

    /// The memory was brought up to date from the log at open: worth saving.
    pub fn snapshot_is_stale(&mut self) {
        self.stale = true;
    }

    /// Every action up to `seq` is already in the memory this session started with.
    pub fn set_base_seq(&mut self, seq: i64) {
        self.base_seq = seq;
    }

    fn learn(&mut self, engine: &Engine, text: &str, ds: &[Decision], forget: bool) {
        if ds.is_empty() {
            return;
        }
        learn(
            engine,
            &mut self.memory,
            text,
            ds,
            forget,
            self.doc.as_deref(),
            now_ms(),
        );
        self.unsaved += ds.len();
        if self.unsaved >= MEMORY_SAVE_EVERY {
            // A failed save is not lost work: the log replays it on the next start.
            if let Err(e) = self.save_memory() {
                tracing::warn!("memory: {}", clip(&e.to_string(), MESSAGE));
            }
        }
    }

    /// Saves the memory now (on quit, and every few decisions).
    pub fn save_memory(&mut self) -> Result<(), ReviewError> {
        if (self.unsaved == 0 && !self.stale) || self.read_only().is_some() {
            return Ok(());
        }
        // The shape of `Snapshot`, written around the memory's JSON without parsing it
        // back into a value first.
        let also: Vec<i64> = self
            .own
            .iter()
            .copied()
            .filter(|&s| s > self.base_seq)
            .collect();
        let json = format!(
            "{{\"memory\":{},\"also\":{}}}",
            self.memory.to_json(),
            serde_json::to_string(&also).expect("seqs serialize")
        );
        let started = Instant::now();
        self.journal
            .save_memory(&json, self.base_seq)
            .map_err(ReviewError::Journal)?;
        tracing::debug!(decisions = self.unsaved, took = ?started.elapsed(), "memory saved");
        self.unsaved = 0;
        self.stale = false;
        Ok(())
    }

    /// Marks the document done (or not).
    pub fn set_done(&mut self, done: bool) -> Result<(), ReviewError> {
        let started = Instant::now();
        let r = self.writable().and_then(|()| {
            self.journal.set_done(done).map_err(ReviewError::Journal)?;
            self.done = done;
            Ok(())
        });
        let what = if done {
            "marked done"
        } else {
            "no longer done"
        };
        self.logged("done", Some(what), started, &r);
        r
    }

    /// Where the reader is now: saved with the next action, in its transaction.
    pub fn view_hint(&mut self, cursor: usize, top: usize) {
        self.journal.view_hint(cursor, top);
    }

    /// Remembers the view, for the next time the document is opened.
    pub fn save_view(&mut self, cursor: usize, top: usize) -> Result<(), ReviewError> {
        if self.read_only().is_some() {
            return Ok(());
        }
        self.journal
            .set_view(cursor, top)
            .map_err(ReviewError::Journal)
    }

    /// The seq of the last action this session committed (0: none yet).
    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }

    /// The newest action of the document when it was opened here.
    pub fn set_seen(&mut self, seq: i64) {
        self.seen = seq;
    }

    /// A review opened read-only because another raqim holds the document, whose
    /// holder has acted since (or let go): it should be opened again to follow them.
    pub fn behind(&self) -> bool {
        self.read_only.is_some() && self.journal.moved_on(self.seen)
    }

    /// The document opened again from where it is kept (see [`Journal::reopen`]).
    pub fn reopen(
        &self,
        doc: &crate::document::Document,
        engine: &Engine,
    ) -> Option<Result<Opened, crate::store::StoreError>> {
        self.journal.reopen(doc, engine)
    }
}

#[cfg(test)]
mod tests;
