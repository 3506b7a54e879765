//! Adjudication of one document (issue 15, "Teams"): its annotators' layers merged by
//! [`crate::curate`], the [`GOLD`] layer opened for review like any layer, and the
//! curator's steps on it: taking a variant, rejecting every variant, going to the
//! next open disagreement. The adjudication view and `raqim adjudicate --auto` both
//! open a document through [`open`], so the auto-merge is the same in both.
//!
//! Every step is an action of the gold layer's log, through the review (checked,
//! committed, then applied), so `u` takes it back, also after a restart:
//! - `auto_merge`: the agreed spans gold lacks, as one step; its payload's edit names
//!   them. An agreed span an earlier `auto_merge` of this log offered is never
//!   offered again, so a span the curator undid or deleted stays out.
//! - `take_variant`: the gold spans over a disagreement replaced by one variant's.
//! - `reject_variants`: the gold spans over a disagreement removed and the
//!   disagreement settled with none; the payload's note holds its extent, which
//!   [`Settles`] rebuilds from the log (undos and redos included), since gold has no
//!   span to tell.
//!
//! Spans added to gold are accepted, with source `adjudicated:NAME,NAME` (the
//! annotators who marked it). Offsets here are bytes of the document's text, as the
//! session's; the layers' code points are converted once on opening.
//!
//! Owns: which layers are a document's annotators, the curation steps and their log
//! notes, what the view says about a disagreement. Must not: touch the terminal.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde_json::json;

use crate::agreement::Span as Reading;
use crate::annotation::{Annotations, Edit, NEW_ID, Span, State};
use crate::curate::{self, AutoReport, Merge, MergeRule};
use crate::document::Document;
use crate::offsets::CharIndex;
use crate::review::{Opened, Payload, Review, ReviewError};
use crate::store::{ActionRow, DocumentRow, GOLD, Store, StoreError};
use crate::suggest::Engine;

use super::open::{Keeper, OpenError};
use super::{Focus, Op, Outcome, Session};

/// The kind of the action that copies agreed spans into gold.
pub const AUTO_KIND: &str = "auto_merge";
/// The kind of the action that takes one annotator's variant into gold.
pub const TAKE_KIND: &str = "take_variant";
/// The kind of the action that settles a disagreement with no span in gold.
pub const SETTLE_KIND: &str = "reject_variants";

/// The letters variants are named by on screen, in their order (`x` rejects all).
pub const VARIANT_KEYS: &str = "abcdefghijklmnopqrstuvw";

/// The annotators of document `doc` and their readings (accepted spans, in bytes of
/// `text`): the layers other than gold marked done, when two or more are; else every
/// layer other than gold with a span or a done mark (an analyst who only opened the
/// document has not read it yet).
pub fn read_layers(
    store: &Store,
    doc: &str,
    text: &str,
) -> Result<BTreeMap<String, Vec<Reading>>, StoreError> {
    let spans = store.spans_of_all_layers(doc)?;
    let rows: Vec<_> = store
        .layers()?
        .into_iter()
        .filter(|l| l.doc == doc && l.layer != GOLD)
        .collect();
    let done: Vec<&str> = rows
        .iter()
        .filter(|l| l.done)
        .map(|l| l.layer.as_str())
        .collect();
    let names: Vec<&str> = if done.len() >= 2 {
        done
    } else {
        let mut all: Vec<&str> = spans
            .keys()
            .map(String::as_str)
            .filter(|l| *l != GOLD)
            .chain(done)
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    };
    let index = CharIndex::new(Arc::from(text));
    let mut out = BTreeMap::new();
    for name in names {
        let readings = spans
            .get(name)
            .into_iter()
            .flatten()
            .filter(|s| s.span.state == State::Accepted)
            .filter_map(|s| {
                let start = index.to_byte(s.span.start)?;
                let end = index.to_byte(s.span.end)?;
                Some(Reading::new(start, end, &s.span.label))
            })
            .collect();
        out.insert(name.to_string(), readings);
    }
    Ok(out)
}

/// The disagreements settled with no gold span, rebuilt from the log: each
/// `reject_variants` step by the tag its step carries now (its own seq, then that of
/// the undo or redo that moved it last), and whether it stands.
#[derive(Debug, Clone, Default)]
pub struct Settles {
    by_tag: HashMap<i64, ((usize, usize), bool)>,
    /// Changes with every change, for what is counted from them.
    generation: u64,
}

impl Settles {
    /// Reads one row of the log: a settle (its extent), or an undo or redo of one.
    /// Returns the extent a settle, undo or redo of a settle concerns.
    pub fn row(
        &mut self,
        seq: i64,
        kind: &str,
        undoes: Option<i64>,
        extent: Option<(usize, usize)>,
    ) -> Option<(usize, usize)> {
        let (e, stands) = match (kind, undoes, extent) {
            (SETTLE_KIND, _, Some(e)) => (e, true),
            ("undo" | "redo", Some(u), _) => {
                let (e, _) = self.by_tag.remove(&u)?;
                (e, kind == "redo")
            }
            _ => return None,
        };
        self.by_tag.insert(seq, (e, stands));
        self.generation += 1;
        Some(e)
    }

    /// The extents settled, in order.
    pub fn extents(&self) -> Vec<(usize, usize)> {
        let mut v: Vec<(usize, usize)> = self
            .by_tag
            .values()
            .filter(|(_, s)| *s)
            .map(|(e, _)| *e)
            .collect();
        v.sort_unstable();
        v
    }
}

/// The extent a `reject_variants` payload settles.
fn settled_extent(payload: &str) -> Option<(usize, usize)> {
    let p: Payload = serde_json::from_str(payload).ok()?;
    let e = p.note?.get("settle")?.clone();
    serde_json::from_value(e).ok()
}

/// One document under adjudication: the merge of its layers, what the curator
/// settled, and the gold spans the auto-merge ever offered.
#[derive(Debug, Clone)]
pub struct Curation {
    rule: MergeRule,
    layers: BTreeMap<String, Vec<Reading>>,
    merge: Merge,
    settles: Settles,
    offered: HashSet<Reading>,
    /// The open disagreements, with what they were counted from (the spans'
    /// revision, the settles' generation).
    open: Option<((u64, u64), Vec<usize>)>,
}

/// A stretch of an open disagreement as the screen marks it (bytes): the label the
/// first variant with a span there gives it (`None`: no variant has one there), and
/// whether it is the disagreement under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub label: Option<String>,
    pub current: bool,
}

impl Curation {
    /// The merge of `layers` (bytes, as [`read_layers`] gives them) by `rule`, with
    /// what the gold layer's `log` settled and offered.
    pub fn new(
        layers: BTreeMap<String, Vec<Reading>>,
        rule: MergeRule,
        log: &[ActionRow],
    ) -> Curation {
        let merge = curate::merge(&layers, rule);
        let mut settles = Settles::default();
        let mut offered = HashSet::new();
        for r in log {
            let extent = (r.kind == SETTLE_KIND)
                .then(|| settled_extent(&r.payload))
                .flatten();
            settles.row(r.seq, &r.kind, r.undoes, extent);
            if r.kind == AUTO_KIND
                && let Ok(p) = serde_json::from_str::<Payload>(&r.payload)
            {
                collect_inserts(&p.edit, &mut offered);
            }
        }
        Curation {
            rule,
            layers,
            merge,
            settles,
            offered,
            open: None,
        }
    }

    pub fn rule(&self) -> MergeRule {
        self.rule
    }

    /// The annotators, in name order.
    pub fn annotators(&self) -> Vec<&str> {
        self.layers.keys().map(String::as_str).collect()
    }

    pub fn merge(&self) -> &Merge {
        &self.merge
    }

    /// The extents settled with no gold span.
    pub fn settled(&self) -> Vec<(usize, usize)> {
        self.settles.extents()
    }

    /// `adjudicated:NAME,NAME`: who marked exactly `s`.
    fn source_of(&self, s: &Reading) -> String {
        let names: Vec<&str> = self
            .layers
            .iter()
            .filter(|(_, v)| v.contains(s))
            .map(|(n, _)| n.as_str())
            .collect();
        format!("adjudicated:{}", names.join(","))
    }

    fn gold_span(&self, s: &Reading) -> Edit {
        Edit::Insert(Span {
            id: NEW_ID,
            start: s.start,
            end: s.end,
            label: s.label.clone(),
            state: State::Accepted,
            source: self.source_of(s),
            score: 1.0,
        })
    }

    /// Copies into gold, as one `auto_merge` step, the agreed spans it lacks and no
    /// earlier auto-merge offered (see [`curate::auto`]); a read-only review gets
    /// nothing. Returns the counts.
    pub fn auto_merge(
        &mut self,
        review: &mut Review,
        engine: &Engine,
        text: &str,
    ) -> Result<AutoReport, ReviewError> {
        let gold = gold_readings(&review.ann, false);
        let a = curate::auto(&self.layers, &gold, &self.settles.extents(), self.rule);
        let add: Vec<Reading> = a
            .add
            .into_iter()
            .filter(|s| !self.offered.contains(s))
            .collect();
        let mut report = a.report;
        report.agreed = add.len();
        if add.is_empty() || review.read_only().is_some() {
            report.agreed = 0;
            return Ok(report);
        }
        let edit = Edit::Batch(add.iter().map(|s| self.gold_span(s)).collect());
        let note = json!({ "rule": self.rule, "annotators": self.annotators() });
        review.act_noted(engine, text, AUTO_KIND, edit, note)?;
        self.offered.extend(add);
        Ok(report)
    }

    /// The open disagreements (indices into [`Merge::disagreements`]), as the gold
    /// spans of `ann` and the settles leave them.
    pub fn open_in(&mut self, ann: &Annotations) -> Vec<usize> {
        let key = (ann.revision(), self.settles.generation);
        if let Some((k, v)) = &self.open
            && *k == key
        {
            return v.clone();
        }
        let gold = gold_readings(ann, true);
        let v = curate::open_disagreements(&self.merge, &gold, &self.settles.extents());
        self.open = Some((key, v.clone()));
        v
    }

    /// The disagreement whose extent holds byte `at`.
    pub fn under(&self, at: usize) -> Option<usize> {
        let ds = &self.merge.disagreements;
        let i = ds.partition_point(|d| d.end <= at);
        ds.get(i).filter(|d| d.start <= at).map(|_| i)
    }

    /// The title's progress, longest form first (as [`Session::progress_forms`]):
    /// `3 disagreements left of 5 · 12 in gold · done`, `3 disagreements left`,
    /// `3 left`.
    pub fn progress_forms(&mut self, session: &Session) -> [String; 4] {
        let review = session.review();
        let n = self.open_in(&review.ann).len();
        let total = self.merge.disagreements.len();
        let left = match n {
            0 => "no disagreement left".to_string(),
            1 => "1 disagreement left".to_string(),
            n => format!("{n} disagreements left"),
        };
        let done = if review.done() { " · done" } else { "" };
        let ro = if review.read_only().is_some() {
            " · read-only"
        } else {
            ""
        };
        let gold = review.ann.counts().1;
        [
            format!("{left} of {total} · {gold} in gold{done}{ro}"),
            format!("{left}{done}{ro}"),
            format!("{n} left{done}{ro}"),
            format!("{n} left{ro}"),
        ]
    }

    /// What the status line says of disagreement `d`: its place, then each variant
    /// by its key, annotators and spans: `2/5 · a: amal, carim «دير الزور» LOC · b:
    /// basel «دير» LOC · c: nobody` (`settled` after the place once it is).
    pub fn describe(&mut self, session: &Session, d: usize) -> String {
        let open = self.open_in(&session.review().ann).contains(&d);
        let text = &session.document().text;
        let dis = &self.merge.disagreements[d];
        let mut out = format!("{}/{}", d + 1, self.merge.disagreements.len());
        if !open {
            out.push_str(" settled");
        }
        for (v, key) in dis.variants.iter().zip(VARIANT_KEYS.chars()) {
            let spans: Vec<String> = v
                .spans
                .iter()
                .map(|s| format!("«{}» {}", &text[s.start..s.end], s.label))
                .collect();
            let spans = if spans.is_empty() {
                "nothing".to_string()
            } else {
                spans.join(" + ")
            };
            out.push_str(&format!(" · {key}: {} {spans}", v.annotators.join(", ")));
        }
        out
    }

    /// The marks of the open disagreements that meet bytes `from..to`, in order;
    /// `current`: the disagreement under the cursor.
    pub fn marks(
        &mut self,
        ann: &Annotations,
        (from, to): (usize, usize),
        current: Option<usize>,
    ) -> Vec<Mark> {
        let mut out = Vec::new();
        for i in self.open_in(ann) {
            let d = &self.merge.disagreements[i];
            if d.end <= from || d.start >= to {
                continue;
            }
            let mut cuts: Vec<usize> = d
                .variants
                .iter()
                .flat_map(|v| v.spans.iter().flat_map(|s| [s.start, s.end]))
                .chain([d.start, d.end])
                .collect();
            cuts.sort_unstable();
            cuts.dedup();
            for w in cuts.windows(2) {
                let label = d
                    .variants
                    .iter()
                    .flat_map(|v| &v.spans)
                    .find(|s| s.start <= w[0] && w[1] <= s.end)
                    .map(|s| s.label.clone());
                match out.last_mut() {
                    Some(Mark { end, label: l, .. }) if *end == w[0] && *l == label => {
                        *end = w[1];
                    }
                    _ => out.push(Mark {
                        start: w[0],
                        end: w[1],
                        label,
                        current: current == Some(i),
                    }),
                }
            }
        }
        out
    }

    /// To the next (previous) open disagreement after (before) the cursor, going
    /// round the document.
    pub fn goto(&mut self, session: &mut Session, focus: &Focus, forward: bool) -> Outcome {
        let open = self.open_in(&session.review().ann);
        let starts: Vec<usize> = open
            .iter()
            .map(|&i| self.merge.disagreements[i].start)
            .collect();
        let at = focus.at();
        let found = if forward {
            starts.iter().find(|&&s| s > at).map(|&s| (s, false))
        } else {
            starts.iter().rev().find(|&&s| s < at).map(|&s| (s, false))
        };
        let found = found.or_else(|| {
            let s = if forward {
                starts.first()
            } else {
                starts.last()
            };
            s.map(|&s| (s, true))
        });
        match found {
            Some((s, wrapped)) => {
                let mut out = if wrapped && starts.len() > 1 {
                    Outcome::say("disagreements: went round to the other end of the document")
                } else {
                    Outcome::default()
                };
                out.cursor = Some(s);
                out
            }
            None => Outcome::say("no disagreement left: D marks the document done"),
        }
    }

    /// Takes variant `v` of disagreement `d`: the gold spans over it replaced by the
    /// variant's, as one step; a variant of no span rejects them all (see
    /// [`Curation::reject_all`]). Then on to the next open disagreement.
    pub fn take(&mut self, session: &mut Session, focus: &Focus, d: usize, v: usize) -> Outcome {
        let Some(variant) = self.merge.disagreements[d].variants.get(v).cloned() else {
            return Outcome::say(format!("no variant {}", key_of(v)));
        };
        if variant.spans.is_empty() {
            return self.reject_all(session, focus, d);
        }
        let mut edits = removals(&session.review.ann, &self.merge.disagreements[d]);
        edits.extend(variant.spans.iter().map(|s| self.gold_span(s)));
        let note = json!({ "annotators": variant.annotators });
        if let Err(m) = commit(session, focus, TAKE_KIND, Edit::Batch(edits), note) {
            return Outcome::say(m);
        }
        let what = format!("took {}: {}", key_of(v), variant.annotators.join(", "));
        self.after(session, focus, what)
    }

    /// Settles disagreement `d` with no span in gold: the gold spans over it are
    /// removed and its extent noted, as one step.
    pub fn reject_all(&mut self, session: &mut Session, focus: &Focus, d: usize) -> Outcome {
        let dis = &self.merge.disagreements[d];
        let extent = (dis.start, dis.end);
        let edits = removals(&session.review.ann, dis);
        let note = json!({ "settle": [extent.0, extent.1] });
        match commit(session, focus, SETTLE_KIND, Edit::Batch(edits), note) {
            Ok(seq) => {
                self.settles.row(seq, SETTLE_KIND, None, Some(extent));
            }
            Err(m) => return Outcome::say(m),
        }
        let text = &session.document().text[extent.0..extent.1];
        let what = format!("rejected every variant of «{text}»");
        self.after(session, focus, what)
    }

    /// After a step: what it did and how many are left, and on to the next one.
    fn after(&mut self, session: &mut Session, focus: &Focus, what: String) -> Outcome {
        let left = self.open_in(&session.review().ann).len();
        let said = match left {
            0 => format!("{what} · no disagreement left: D marks the document done"),
            1 => format!("{what} · 1 disagreement left"),
            n => format!("{what} · {n} disagreements left"),
        };
        let next = self.goto(session, focus, true);
        Outcome {
            message: Some(said),
            cursor: next.cursor,
        }
    }

    /// Undo (or redo) as in review; a settle taken back (or again) is noted, and
    /// said.
    pub fn undo_redo(&mut self, session: &mut Session, focus: &Focus, undo: bool) -> Outcome {
        let tag = if undo {
            session.review.ann.peek_undo().map(|t| t.0)
        } else {
            session.review.ann.peek_redo().map(|t| t.0)
        };
        let before = session.review.last_seq();
        let mut out = session.apply(focus, if undo { Op::Undo } else { Op::Redo });
        let seq = session.review.last_seq();
        if seq != before
            && let Some(t) = tag
            && let Some((a, b)) =
                self.settles
                    .row(seq, if undo { "undo" } else { "redo" }, Some(t), None)
        {
            let text = &session.document().text[a..b];
            let verb = if undo { "undid" } else { "redid" };
            out.message = Some(format!("{verb}: rejected every variant of «{text}»"));
            out.cursor = Some(a);
        }
        out
    }

    /// What `D` asks first while disagreements are open (`None`: nothing to ask).
    pub fn done_question(&mut self, session: &Session) -> Option<String> {
        if session.review().done() {
            return None;
        }
        match self.open_in(&session.review().ann).len() {
            0 => None,
            1 => Some("mark done? 1 disagreement left (y/n)".to_string()),
            n => Some(format!("mark done? {n} disagreements left (y/n)")),
        }
    }
}

/// The key variant `v` is taken with.
pub fn key_of(v: usize) -> char {
    VARIANT_KEYS.chars().nth(v).unwrap_or('?')
}

/// Gold's spans as readings: the accepted ones (what settles a disagreement), or with
/// `accepted_only` false the pending ones too (what an agreed span may not overlap).
fn gold_readings(ann: &Annotations, accepted_only: bool) -> Vec<Reading> {
    ann.spans()
        .into_iter()
        .filter(|s| match s.state {
            State::Accepted => true,
            State::Pending => !accepted_only,
            State::Rejected => false,
        })
        .map(|s| Reading::new(s.start, s.end, &s.label))
        .collect()
}

/// The edits that take gold's spans (not rejected) over a disagreement away.
fn removals(ann: &Annotations, d: &curate::Disagreement) -> Vec<Edit> {
    ann.overlapping(d.start, d.end)
        .filter(|s| s.state != State::Rejected)
        .map(|s| Edit::Remove(s.clone()))
        .collect()
}

fn collect_inserts(edit: &Edit, out: &mut HashSet<Reading>) {
    match edit {
        Edit::Insert(s) => {
            out.insert(Reading::new(s.start, s.end, &s.label));
        }
        Edit::Batch(v) => v.iter().for_each(|e| collect_inserts(e, out)),
        _ => {}
    }
}

/// Commits a curation step through the session's review, with its note; returns its
/// seq, or what to say.
fn commit(
    session: &mut Session,
    focus: &Focus,
    kind: &str,
    edit: Edit,
    note: serde_json::Value,
) -> Result<i64, String> {
    let engine = session.engine();
    session.review.view_hint(focus.at(), focus.top);
    let before = session.review.memory().decisions();
    let r = session
        .review
        .act_noted(&engine, &session.doc.text, kind, edit, note);
    if session.review.memory().decisions() != before {
        session.spans.suggestions_changed();
    } else {
        session.spans.spans_changed();
    }
    session.reached(focus.para);
    r.map_err(|e| e.to_string())
}

/// Opens `doc` in the gold layer of the database `db` for adjudication by `curator`
/// (logged as theirs): the review as any layer opens (the lock of (document, gold):
/// read-only when another raqim holds it), its annotators' layers merged by `rule`,
/// and the auto-merge applied when gold lacks agreed spans. Returns the review, the
/// curation and what the auto-merge did.
pub fn open(
    db: &Path,
    doc: &Document,
    curator: &str,
    rule: MergeRule,
    engine: &Engine,
) -> Result<(Opened, Curation, AutoReport), OpenError> {
    let keeper = Keeper::new(Some(db.to_path_buf()), curator.to_string(), None).in_layer(GOLD);
    let mut opened = keeper
        .open_text(doc, engine)?
        .expect("a keeper with a database opens one");
    let mut read = Store::open_read_only(db)?;
    read.set_layer(GOLD);
    let id = doc.id();
    let layers = read_layers(&read, &id, &doc.text)?;
    let log = read.actions(&id)?;
    drop(read);
    let mut curation = Curation::new(layers, rule, &log);
    let report = curation
        .auto_merge(&mut opened.review, engine, &doc.text)
        .map_err(OpenError::Seed)?;
    Ok((opened, curation, report))
}

/// The documents to adjudicate when none is named: those that two or more layers
/// other than gold marked done, in the order added.
pub fn ready_documents(store: &Store) -> Result<Vec<DocumentRow>, StoreError> {
    let mut done: HashMap<String, usize> = HashMap::new();
    for l in store.layers()? {
        if l.done && l.layer != GOLD {
            *done.entry(l.doc).or_default() += 1;
        }
    }
    Ok(store
        .documents_as_added()?
        .into_iter()
        .filter(|d| done.get(&d.id).is_some_and(|&n| n >= 2))
        .collect())
}

/// The documents `names` says, in that order: each an article or a set (a directory,
/// a JSON lines file) as the viewer opens it, when a file of that name exists, else
/// a document of the database as `export` names one; none named: the documents ready
/// ([`ready_documents`]). A file whose text the database does not have is an error
/// naming it.
pub fn resolve(store: &Store, names: &[String], lossy: bool) -> anyhow::Result<Vec<DocumentRow>> {
    if names.is_empty() {
        return Ok(ready_documents(store)?);
    }
    let all = store.documents_as_added()?;
    let mut out: Vec<DocumentRow> = Vec::new();
    for name in names {
        let path = Path::new(name);
        let ids: Vec<(String, String)> = if path.is_dir() || path.is_file() {
            let docs = if super::set::is_set(path) {
                let entries = super::set::load(path)?;
                entries
                    .iter()
                    .filter_map(|e| e.open(lossy).ok())
                    .collect::<Vec<_>>()
            } else {
                vec![super::open::load(path, lossy)?]
            };
            docs.into_iter().map(|d| (d.id(), d.name)).collect()
        } else {
            crate::exchange::resolve(store, std::slice::from_ref(name))?
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect()
        };
        for (id, doc_name) in ids {
            let Some(row) = all.iter().find(|r| r.id == id) else {
                anyhow::bail!(
                    "{name}: {doc_name} is not in {}: nobody has annotated it",
                    store.path().display()
                );
            };
            if !out.iter().any(|r| r.id == id) {
                out.push(row.clone());
            }
        }
    }
    Ok(out)
}

/// A document opened for adjudication: its text, its gold review, the curation and
/// what the auto-merge did on opening.
pub type Adjudication = (Document, Opened, Curation, AutoReport);

/// Opens for the view the first of `docs` with a disagreement left (the only one,
/// when one is named); `None` when none has.
pub fn first_to_adjudicate(
    db: &Path,
    docs: &[DocumentRow],
    curator: &str,
    rule: MergeRule,
    engine: &Engine,
) -> anyhow::Result<Option<Adjudication>> {
    for row in docs {
        let text = Store::open_read_only(db)?
            .document_text(&row.id)?
            .ok_or(OpenError::StoredVersionMissing)?;
        let doc = Document::from_text(&row.name, text, false, false);
        let (opened, mut curation, report) = open(db, &doc, curator, rule, engine)?;
        if docs.len() == 1 || !curation.open_in(&opened.review.ann).is_empty() {
            return Ok(Some((doc, opened, curation, report)));
        }
    }
    Ok(None)
}

/// `raqim adjudicate --auto`: for each document, the agreed spans gold lacks, as one
/// `auto_merge` step of its gold layer; a document whose gold layer is open in a
/// viewer is left as it is and named. One line per document on `out`, then the total.
pub fn run_auto(
    db: &Path,
    docs: &[DocumentRow],
    curator: &str,
    rule: MergeRule,
    engine: &Engine,
    out: &mut dyn Write,
) -> anyhow::Result<AutoReport> {
    let mut total = AutoReport::default();
    let mut last: Option<Review> = None;
    for row in docs {
        let text = Store::open_read_only(db)?
            .document_text(&row.id)?
            .ok_or(OpenError::StoredVersionMissing)?;
        let doc = Document::from_text(&row.name, text, false, false);
        let (opened, _, report) = open(db, &doc, curator, rule, engine)?;
        if let Some(why) = opened.review.read_only() {
            writeln!(out, "{}: skipped: {why}", row.name)?;
            continue;
        }
        writeln!(
            out,
            "{}: {} added to gold, {} already in gold, {} left to adjudicate",
            row.name, report.agreed, report.already_in_gold, report.disagreements
        )?;
        total += report;
        last = Some(opened.review);
    }
    // The memory learnt every document's steps (each review replays the ones before
    // it from the log): the last one saves it.
    if let Some(mut r) = last {
        r.save_memory()?;
    }
    writeln!(out, "{total}")?;
    Ok(total)
}

#[cfg(test)]
#[path = "tests/curation.rs"]
pub(crate) mod tests;
