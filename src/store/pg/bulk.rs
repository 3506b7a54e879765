//! Many documents at once on PostgreSQL: an import as one transaction (all or
//! nothing), reading documents with their spans from one snapshot for an export, and
//! registering a set's documents. The same meaning as the SQLite store's methods; what
//! an import keeps is decided by `import_rules`, shared with it.
//!
//! Round trips are what costs on a server, so each of these works a table at a time:
//! one query for what the database has of all the documents, the documents, paths,
//! done marks and flags each in one statement over arrays (`unnest`, in the order
//! given, which the identity columns record), and the actions and spans in one binary
//! `COPY` each. Imports and registrations take an advisory lock for their transaction,
//! so two never interleave (SQLite's one writer at a time).

use std::collections::{HashMap, HashSet};

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;

use super::{PgStore, server_error};
use crate::annotation::State;
use crate::store::import_rules::{
    Have, check_flag, check_ids, count_documents, keep_spans, span_order, with_foreign,
};
use crate::store::{
    DocumentRow, Flag, FullDocument, ImportDoc, ImportReport, ImportSpan, NewSpan, Registration,
    StoreError, StoredSpan, now_ms, stored_state,
};

/// The key of the advisory lock an import or a registration holds until it commits
/// ("raqim", then 2: the migration's is 1).
const BULK_LOCK: i64 = 0x7261_7169_6d00_0002;

/// Documents read per round of [`PgStore::read_documents`]: their spans are held in
/// memory until handed over.
const READ_CHUNK: usize = 1000;

/// What an import knows of one document id while it goes through the records.
struct Known<'d> {
    /// Added by this import (else stored before it).
    new: bool,
    /// The stored text, to compare (a document stored before the import).
    text: Option<String>,
    foreign: Option<String>,
    foreign_changed: bool,
    record_id: Option<&'d str>,
    has_record_id: bool,
    record_id_changed: bool,
}

impl PgStore {
    /// See [`crate::store::Store::read_documents`]: all read in one `REPEATABLE READ`
    /// transaction (one snapshot), a thousand documents a round (three queries).
    /// `each` runs between rounds, with the connection free: a read it makes of this
    /// store sees the same snapshot.
    pub fn read_documents<E: From<StoreError>>(
        &self,
        rows: &[DocumentRow],
        mut each: impl FnMut(FullDocument) -> Result<(), E>,
    ) -> Result<(), E> {
        let snapshot = Snapshot::begin(self)?;
        for chunk in rows.chunks(READ_CHUNK) {
            for d in self.read_chunk(chunk)? {
                each(d)?;
            }
        }
        snapshot.end().map_err(E::from)
    }

    fn read_chunk(&self, rows: &[DocumentRow]) -> Result<Vec<FullDocument>, StoreError> {
        let sq = |e| self.sq(e);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let mut client = self.client();
        let mut docs: HashMap<String, (String, Option<String>, bool)> = HashMap::new();
        for r in client
            .query(
                "SELECT d.id, d.text, d.foreign_fields, coalesce((SELECT done FROM layers l \
                 WHERE l.doc = d.id AND l.layer = $2), false) FROM documents d \
                 WHERE d.id = ANY($1)",
                &[&ids, &self.layer],
            )
            .map_err(sq)?
        {
            docs.insert(r.get(0), (r.get(1), r.get(2), r.get(3)));
        }
        let mut spans: HashMap<String, Vec<StoredSpan>> = HashMap::new();
        for r in client
            .query(
                "SELECT doc, id, start, \"end\", label, state, source, score, annotator, \
                 created, updated FROM spans WHERE doc = ANY($1) AND layer = $2 \
                 ORDER BY doc, start, \"end\", id",
                &[&ids, &self.layer],
            )
            .map_err(sq)?
        {
            let id: i64 = r.get(1);
            let state: &str = r.get(5);
            let span = StoredSpan {
                id,
                span: NewSpan {
                    start: r.get::<_, i64>(2) as usize,
                    end: r.get::<_, i64>(3) as usize,
                    label: r.get(4),
                    state: stored_state(&self.path, state, format_args!("span {id}"))?,
                    source: r.get(6),
                    score: r.get::<_, f64>(7) as f32,
                },
                annotator: r.get(8),
                created: r.get(9),
                updated: r.get(10),
            };
            spans.entry(r.get(0)).or_default().push(span);
        }
        let mut flags: HashMap<String, Vec<Flag>> = HashMap::new();
        for r in client
            .query(
                "SELECT doc, start, \"end\", note, annotator, at FROM flags \
                 WHERE doc = ANY($1) AND layer = $2 \
                 ORDER BY doc, start IS NOT NULL, start, \"end\"",
                &[&ids, &self.layer],
            )
            .map_err(sq)?
        {
            let start: Option<i64> = r.get(1);
            let end: Option<i64> = r.get(2);
            flags.entry(r.get(0)).or_default().push(Flag {
                place: start.zip(end).map(|(a, b)| (a as usize, b as usize)),
                note: r.get(3),
                annotator: r.get(4),
                at: r.get(5),
            });
        }
        drop(client);
        // A document named twice in `rows` is handed over twice.
        let mut left: HashMap<&str, usize> = HashMap::new();
        for id in &ids {
            *left.entry(id).or_default() += 1;
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let n = left.get_mut(row.id.as_str()).expect("counted above");
            *n -= 1;
            let last = *n == 0;
            let Some((text, foreign, done)) = take(&mut docs, &row.id, last) else {
                return Err(StoreError::UnknownDocument {
                    path: self.path.clone(),
                    doc: row.id.clone(),
                });
            };
            out.push(FullDocument {
                row: DocumentRow {
                    done,
                    ..row.clone()
                },
                text,
                spans: take(&mut spans, &row.id, last).unwrap_or_default(),
                flags: take(&mut flags, &row.id, last).unwrap_or_default(),
                foreign: foreign_object(&self.path, &row.id, foreign)?,
            });
        }
        Ok(out)
    }

    /// See [`crate::store::Store::import_documents`]: the same rules and report, in
    /// one transaction.
    pub fn import_documents(
        &mut self,
        docs: &[ImportDoc],
        kind: &str,
        annotator: &str,
        payload: &dyn Fn(usize, usize) -> String,
    ) -> Result<ImportReport, StoreError> {
        self.writable()?;
        check_ids(docs, &self.path)?;
        let path = self.path.clone();
        let sq = |e| server_error(&path, e);
        let now = now_ms();
        let layer_of =
            |d: &'_ ImportDoc| -> String { d.layer.clone().unwrap_or_else(|| self.layer.clone()) };
        let layers: Vec<String> = docs.iter().map(layer_of).collect();
        let mut client = self.client();
        let mut tx = client.transaction().map_err(sq)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&BULK_LOCK])
            .map_err(sq)?;

        // Pass 1, in the order given (the order an export lists them in): the
        // documents. A second record with the same text is an update of the first.
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        let id_set: HashSet<&str> = ids.iter().copied().collect();
        let mut known: HashMap<&str, Known> = HashMap::new();
        for r in tx
            .query(
                "SELECT id, text, foreign_fields, record_id IS NOT NULL FROM documents \
                 WHERE id = ANY($1)",
                &[&ids],
            )
            .map_err(sq)?
        {
            let id: &str = r.get(0);
            let Some(&id) = id_set.get(id) else {
                continue;
            };
            known.insert(
                id,
                Known {
                    new: false,
                    text: Some(r.get(1)),
                    foreign: r.get(2),
                    foreign_changed: false,
                    record_id: None,
                    has_record_id: r.get(3),
                    record_id_changed: false,
                },
            );
        }
        let mut added: HashSet<&str> = HashSet::new();
        let mut new_docs: Vec<usize> = Vec::new();
        let mut paths: Vec<(&str, &str)> = Vec::new();
        let mut seen_paths: HashSet<&str> = HashSet::new();
        let mut done: (Vec<&str>, Vec<&str>) = Default::default();
        #[allow(clippy::type_complexity)]
        let mut flags: (
            Vec<&str>,
            Vec<Option<i64>>,
            Vec<Option<i64>>,
            Vec<&str>,
            Vec<&str>,
        ) = Default::default();
        for (i, d) in docs.iter().enumerate() {
            let k = known.entry(d.id.as_str()).or_insert_with(|| {
                added.insert(&d.id);
                new_docs.push(i);
                Known {
                    new: true,
                    text: None,
                    foreign: None,
                    foreign_changed: false,
                    record_id: d.record_id.as_deref(),
                    has_record_id: d.record_id.is_some(),
                    record_id_changed: false,
                }
            });
            if k.text.as_ref().is_some_and(|t| *t != d.text) {
                return Err(StoreError::HashMismatch {
                    path: path.clone(),
                    doc: d.id.clone(),
                    found: "a different stored text".to_string(),
                });
            }
            if !k.has_record_id
                && let Some(r) = &d.record_id
            {
                k.record_id = Some(r);
                k.has_record_id = true;
                k.record_id_changed = true;
            }
            if let Some((format, fields)) = &d.foreign
                && let Some(json) = with_foreign(k.foreign.as_deref(), format, fields)
            {
                k.foreign = Some(json);
                k.foreign_changed = true;
            }
            if let Some(p) = &d.source_path
                && seen_paths.insert(p)
            {
                paths.push((p, &d.id));
            }
            if d.done {
                done.0.push(&d.id);
                done.1.push(&layers[i]);
            }
            let len = d.text.chars().count();
            for (place, note) in &d.flags {
                check_flag(d, *place, len, &path)?;
                flags.0.push(&d.id);
                flags.1.push(place.map(|p| p.0 as i64));
                flags.2.push(place.map(|p| p.1 as i64));
                flags.3.push(note.as_str());
                flags.4.push(&layers[i]);
            }
        }
        {
            let n: Vec<&ImportDoc> = new_docs.iter().map(|&i| &docs[i]).collect();
            let id: Vec<&str> = n.iter().map(|d| d.id.as_str()).collect();
            let name: Vec<&str> = n.iter().map(|d| d.name.as_str()).collect();
            let source: Vec<Option<&str>> = n.iter().map(|d| d.source_path.as_deref()).collect();
            let text: Vec<&str> = n.iter().map(|d| d.text.as_str()).collect();
            let chars: Vec<i64> = n.iter().map(|d| d.text.chars().count() as i64).collect();
            let record: Vec<Option<&str>> = id.iter().map(|i| known[i].record_id).collect();
            let foreign: Vec<Option<&str>> =
                id.iter().map(|i| known[i].foreign.as_deref()).collect();
            tx.execute(
                "INSERT INTO documents (id, name, source_path, text, added, done, chars, \
                 record_id, foreign_fields) \
                 SELECT id, name, source, text, $8, false, chars, record, foreign_fields \
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], \
                 $6::text[], $7::text[]) WITH ORDINALITY \
                 AS u(id, name, source, text, chars, record, foreign_fields, n) ORDER BY n",
                &[&id, &name, &source, &text, &chars, &record, &foreign, &now],
            )
            .map_err(sq)?;
        }
        {
            let changed: Vec<(&&str, &Known)> = known
                .iter()
                .filter(|(_, k)| !k.new && (k.foreign_changed || k.record_id_changed))
                .collect();
            if !changed.is_empty() {
                let id: Vec<&str> = changed.iter().map(|(i, _)| **i).collect();
                let fc: Vec<bool> = changed.iter().map(|(_, k)| k.foreign_changed).collect();
                let f: Vec<Option<&str>> =
                    changed.iter().map(|(_, k)| k.foreign.as_deref()).collect();
                let rc: Vec<bool> = changed.iter().map(|(_, k)| k.record_id_changed).collect();
                let r: Vec<Option<&str>> = changed.iter().map(|(_, k)| k.record_id).collect();
                tx.execute(
                    "UPDATE documents d SET \
                     foreign_fields = CASE WHEN u.fc THEN u.f ELSE d.foreign_fields END, \
                     record_id = CASE WHEN u.rc THEN u.r ELSE d.record_id END \
                     FROM unnest($1::text[], $2::bool[], $3::text[], $4::bool[], $5::text[]) \
                     AS u(id, fc, f, rc, r) WHERE d.id = u.id",
                    &[&id, &fc, &f, &rc, &r],
                )
                .map_err(sq)?;
            }
        }
        if !paths.is_empty() {
            let (p, d): (Vec<&str>, Vec<&str>) = paths.into_iter().unzip();
            tx.execute(
                "INSERT INTO paths (source_path, doc, seen) \
                 SELECT p, d, $3 FROM unnest($1::text[], $2::text[]) AS u(p, d) \
                 ON CONFLICT (source_path) DO NOTHING",
                &[&p, &d, &now],
            )
            .map_err(sq)?;
        }
        if !done.0.is_empty() {
            tx.execute(
                "INSERT INTO layers (doc, layer, done) \
                 SELECT d, l, true FROM unnest($1::text[], $2::text[]) WITH ORDINALITY \
                 AS u(d, l, n) ORDER BY n ON CONFLICT (doc, layer) DO NOTHING",
                &[&done.0, &done.1],
            )
            .map_err(sq)?;
        }
        if !flags.0.is_empty() {
            tx.execute(
                "INSERT INTO flags (doc, start, \"end\", note, annotator, at, layer) \
                 SELECT d, a, b, note, $6, $7, l FROM unnest($1::text[], $2::int8[], \
                 $3::int8[], $4::text[], $5::text[]) WITH ORDINALITY \
                 AS u(d, a, b, note, l, n) ORDER BY n ON CONFLICT DO NOTHING",
                &[
                    &flags.0, &flags.1, &flags.2, &flags.3, &flags.4, &annotator, &now,
                ],
            )
            .map_err(sq)?;
        }

        // What the documents stored before have in the layers imported into, in the
        // order SQLite's index gives them (which decides the span named in a conflict).
        let mut pairs: HashSet<(&str, &str)> = HashSet::new();
        for (i, d) in docs.iter().enumerate() {
            if !known[d.id.as_str()].new {
                pairs.insert((&d.id, &layers[i]));
            }
        }
        type Old = (usize, usize, String, State);
        let mut old: HashMap<(String, String), Vec<Old>> = HashMap::new();
        if !pairs.is_empty() {
            let (pd, pl): (Vec<&str>, Vec<&str>) = pairs.into_iter().unzip();
            for r in tx
                .query(
                    "SELECT s.doc, s.layer, s.start, s.\"end\", s.label, s.state FROM spans s \
                     JOIN unnest($1::text[], $2::text[]) AS u(d, l) \
                     ON s.doc = u.d AND s.layer = u.l ORDER BY s.doc, s.layer, s.start, s.id",
                    &[&pd, &pl],
                )
                .map_err(sq)?
            {
                let doc: String = r.get(0);
                let state =
                    stored_state(&path, r.get(5), format_args!("a span of document {doc}"))?;
                old.entry((doc, r.get(1))).or_default().push((
                    r.get::<_, i64>(2) as usize,
                    r.get::<_, i64>(3) as usize,
                    r.get(4),
                    state,
                ));
            }
        }

        // Pass 2, by document id, each document's spans by start (the same order as
        // SQLite's, so the same ids); the records of one document in the file's order.
        let mut report = ImportReport::default();
        let mut updated: HashSet<&str> = HashSet::new();
        let mut actions: Vec<(usize, String)> = Vec::new();
        let mut spans: Vec<(usize, Vec<&ImportSpan>)> = Vec::new();
        // The spans of the document being imported, per layer, each with its place in
        // the order of ids (those stored before, then those added, in order).
        let mut current: Option<&str> = None;
        let mut has: HashMap<&str, Vec<(usize, Old)>> = HashMap::new();
        let mut next = 1usize << 40;
        for i in span_order(docs) {
            let d = &docs[i];
            let layer = layers[i].as_str();
            if current != Some(d.id.as_str()) {
                has.clear();
                current = Some(d.id.as_str());
            }
            let list = has.entry(layer).or_insert_with(|| {
                let stored = old.remove(&(d.id.clone(), layer.to_string()));
                stored.unwrap_or_default().into_iter().enumerate().collect()
            });
            // As SQLite reads them again for a second record of the same document (its
            // index: by start, then id): that order decides the span named in a
            // conflict.
            list.sort_by_key(|(o, s)| (s.0, *o));
            let mut have = Have::default();
            for (_, s) in list.iter() {
                have.add(s.clone());
            }
            let keep = keep_spans(&mut have, i, d, &path, &mut report)?;
            if keep.is_empty() {
                continue;
            }
            for s in &keep {
                let n = &s.span;
                list.push((next, (n.start, n.end, n.label.clone(), n.state)));
                next += 1;
            }
            actions.push((i, payload(i, keep.len())));
            report.actions += 1;
            report.spans_added += keep.len();
            if !added.contains(d.id.as_str()) {
                updated.insert(&d.id);
            }
            spans.push((i, keep));
        }
        if !actions.is_empty() {
            let sink = tx
                .copy_in(
                    "COPY actions (doc, layer, kind, payload, annotator, at) \
                     FROM STDIN (FORMAT binary)",
                )
                .map_err(sq)?;
            let mut w = BinaryCopyInWriter::new(
                sink,
                &[
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::INT8,
                ],
            );
            for (i, p) in &actions {
                w.write(&[&docs[*i].id, &layers[*i], &kind, p, &annotator, &now])
                    .map_err(sq)?;
            }
            w.finish().map_err(sq)?;
            let sink = tx
                .copy_in(
                    "COPY spans (doc, layer, start, \"end\", label, state, source, score, \
                     annotator, created, updated) FROM STDIN (FORMAT binary)",
                )
                .map_err(sq)?;
            let mut w = BinaryCopyInWriter::new(
                sink,
                &[
                    Type::TEXT,
                    Type::TEXT,
                    Type::INT8,
                    Type::INT8,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::FLOAT8,
                    Type::TEXT,
                    Type::INT8,
                    Type::INT8,
                ],
            );
            for (i, keep) in &spans {
                let (doc, layer) = (&docs[*i].id, &layers[*i]);
                for s in keep {
                    let n = &s.span;
                    w.write(&[
                        doc,
                        layer,
                        &(n.start as i64),
                        &(n.end as i64),
                        &n.label,
                        &n.state.as_str(),
                        &n.source,
                        &f64::from(n.score),
                        &s.annotator,
                        &now,
                        &now,
                    ])
                    .map_err(sq)?;
                }
            }
            w.finish().map_err(sq)?;
        }
        count_documents(&mut report, docs, &added, &updated);
        tx.commit().map_err(sq)?;
        Ok(report)
    }

    /// Every document in the order it was added (the records of one import in the
    /// order of its files), without the texts.
    pub fn documents_as_added(&self) -> Result<Vec<DocumentRow>, StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT id, name, source_path, coalesce((SELECT done FROM layers l \
                 WHERE l.doc = d.id AND l.layer = $1), false), added, record_id \
                 FROM documents d ORDER BY added, ord",
                &[&self.layer],
            )
            .map_err(|e| self.sq(e))?;
        Ok(rows
            .into_iter()
            .map(|r| DocumentRow {
                id: r.get(0),
                name: r.get(1),
                source_path: r.get(2),
                done: r.get(3),
                added: r.get(4),
                record_id: r.get(5),
            })
            .collect())
    }

    /// See [`crate::store::Store::foreign_fields`].
    pub fn foreign_fields(
        &self,
        doc: &str,
    ) -> Result<Option<serde_json::Map<String, serde_json::Value>>, StoreError> {
        let json: Option<String> = self
            .client()
            .query_opt(
                "SELECT foreign_fields FROM documents WHERE id = $1",
                &[&doc],
            )
            .map_err(|e| self.sq(e))?
            .and_then(|r| r.get(0));
        foreign_object(&self.path, doc, json)
    }

    /// See [`crate::store::Store::register_documents`]: the same, in one transaction
    /// of a few statements whatever the number of documents.
    pub fn register_documents(
        &mut self,
        docs: &[Registration],
        new_text: bool,
    ) -> Result<Vec<String>, StoreError> {
        self.writable()?;
        for d in docs {
            let found = crate::document::document_id(&d.text);
            if found != d.id {
                return Err(StoreError::HashMismatch {
                    path: self.path.clone(),
                    doc: d.id.clone(),
                    found,
                });
            }
        }
        let path = self.path.clone();
        let sq = |e| server_error(&path, e);
        let now = now_ms();
        let mut client = self.client();
        let mut tx = client.transaction().map_err(sq)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&BULK_LOCK])
            .map_err(sq)?;
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        let sources: Vec<Option<String>> = docs
            .iter()
            .map(|d| {
                d.source_path
                    .as_ref()
                    .map(|p| p.to_string_lossy().into_owned())
            })
            .collect();
        let mut known: HashSet<String> = tx
            .query("SELECT id FROM documents WHERE id = ANY($1)", &[&ids])
            .map_err(sq)?
            .into_iter()
            .map(|r| r.get(0))
            .collect();
        let wanted: Vec<&str> = sources.iter().flatten().map(String::as_str).collect();
        let mut path_of: HashMap<String, String> = tx
            .query(
                "SELECT source_path, doc FROM paths WHERE source_path = ANY($1)",
                &[&wanted],
            )
            .map_err(sq)?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let mut worked: HashMap<String, bool> = HashMap::new();
        let mut added: Vec<&Registration> = Vec::new();
        let mut set_paths: HashMap<&str, &str> = HashMap::new();
        for (d, source) in docs.iter().zip(&sources) {
            let had = source.as_ref().and_then(|s| path_of.get(s)).cloned();
            if let Some(other) = had.as_ref().filter(|o| **o != d.id) {
                let w = match worked.get(other) {
                    Some(w) => *w,
                    None => {
                        let w: bool = tx
                            .query_one(
                                "SELECT EXISTS (SELECT 1 FROM spans WHERE doc = $1) \
                                 OR EXISTS (SELECT 1 FROM actions WHERE doc = $1)",
                                &[other],
                            )
                            .map_err(sq)?
                            .get(0);
                        worked.insert(other.clone(), w);
                        w
                    }
                };
                if w && !new_text {
                    // The file changed since it was annotated: the viewer asks.
                    continue;
                }
            }
            if known.insert(d.id.clone()) {
                added.push(d);
            }
            if let Some(s) = source
                && had.as_deref() != Some(d.id.as_str())
            {
                path_of.insert(s.clone(), d.id.clone());
                set_paths.insert(s, &d.id);
            }
        }
        if !added.is_empty() {
            let id: Vec<&str> = added.iter().map(|d| d.id.as_str()).collect();
            let name: Vec<&str> = added.iter().map(|d| d.name.as_str()).collect();
            let source: Vec<Option<String>> = added
                .iter()
                .map(|d| {
                    d.source_path
                        .as_ref()
                        .map(|p| p.to_string_lossy().into_owned())
                })
                .collect();
            let text: Vec<&str> = added.iter().map(|d| d.text.as_str()).collect();
            let chars: Vec<i64> = added
                .iter()
                .map(|d| d.text.chars().count() as i64)
                .collect();
            let record: Vec<Option<&str>> = added.iter().map(|d| d.record_id.as_deref()).collect();
            tx.execute(
                "INSERT INTO documents (id, name, source_path, text, added, chars, record_id) \
                 SELECT id, name, source, text, $7, chars, record \
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], \
                 $6::text[]) WITH ORDINALITY AS u(id, name, source, text, chars, record, n) \
                 ORDER BY n",
                &[&id, &name, &source, &text, &chars, &record, &now],
            )
            .map_err(sq)?;
        }
        if !set_paths.is_empty() {
            let (p, d): (Vec<&str>, Vec<&str>) = set_paths.into_iter().unzip();
            tx.execute(
                "INSERT INTO paths (source_path, doc, seen) \
                 SELECT p, d, $3 FROM unnest($1::text[], $2::text[]) AS u(p, d) \
                 ON CONFLICT (source_path) DO UPDATE SET doc = excluded.doc, \
                 seen = excluded.seen",
                &[&p, &d, &now],
            )
            .map_err(sq)?;
        }
        tx.commit().map_err(sq)?;
        Ok(added.into_iter().map(|d| d.id.clone()).collect())
    }
}

/// The value of `id` in `m`: taken out at its `last` use, else copied.
fn take<V: Clone>(m: &mut HashMap<String, V>, id: &str, last: bool) -> Option<V> {
    if last {
        m.remove(id)
    } else {
        m.get(id).cloned()
    }
}

/// The foreign fields of document `doc` as stored (`json`): a JSON object, else an
/// error naming the database.
fn foreign_object(
    path: &std::path::Path,
    doc: &str,
    json: Option<String>,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, StoreError> {
    let Some(json) = json else {
        return Ok(None);
    };
    match serde_json::from_str(&json) {
        Ok(serde_json::Value::Object(m)) => Ok(Some(m)),
        _ => Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("the foreign fields of document {doc} are not a JSON object"),
        }),
    }
}

/// A read-only `REPEATABLE READ` transaction begun on the store's connection and left
/// open between calls (so the connection is free for the caller's own reads);
/// rolled back if dropped before [`Snapshot::end`].
struct Snapshot<'s> {
    store: &'s PgStore,
    open: bool,
}

impl<'s> Snapshot<'s> {
    fn begin(store: &'s PgStore) -> Result<Snapshot<'s>, StoreError> {
        store
            .client()
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(|e| store.sq(e))?;
        Ok(Snapshot { store, open: true })
    }

    fn end(mut self) -> Result<(), StoreError> {
        self.open = false;
        self.store
            .client()
            .batch_execute("COMMIT")
            .map_err(|e| self.store.sq(e))
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.store.client().batch_execute("ROLLBACK");
        }
    }
}

#[cfg(test)]
#[path = "bulk_tests.rs"]
mod tests;
