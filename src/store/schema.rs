//! The database schema as an ordered list of migrations, and the checks that run before
//! anything is written: the file header, the schema version, raqim's tables and the top
//! of every b-tree (none of which grows with the file), and, on demand only,
//! `PRAGMA quick_check`.
//! `PRAGMA user_version` is the number of migrations applied. A new version appends a
//! step to [`MIGRATIONS`]; a step is never edited once released.
//! This module must not write to a file it has not first found sound and not newer.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Version 1: documents, spans, the action log, where each source file was last seen,
/// and the suggestion memory.
const V1: &str = "
CREATE TABLE documents (
    id TEXT PRIMARY KEY,              -- SHA-256 of the text, hex
    name TEXT NOT NULL,
    source_path TEXT,
    text TEXT NOT NULL,
    added INTEGER NOT NULL,           -- unix ms
    done INTEGER NOT NULL DEFAULT 0,
    cursor INTEGER,                   -- code points
    top INTEGER                       -- first visible line
);
CREATE TABLE spans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL REFERENCES documents(id),
    start INTEGER NOT NULL,           -- code points
    end INTEGER NOT NULL,
    label TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    source TEXT NOT NULL,
    score REAL NOT NULL,
    annotator TEXT NOT NULL,
    created INTEGER NOT NULL,         -- unix ms
    updated INTEGER NOT NULL,
    CHECK (start <= end)
);
CREATE INDEX spans_by_doc ON spans(doc, start);
CREATE TABLE actions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL REFERENCES documents(id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,            -- JSON, opaque to the store
    annotator TEXT NOT NULL,
    at INTEGER NOT NULL,              -- unix ms
    undoes INTEGER REFERENCES actions(seq)
);
CREATE INDEX actions_by_doc ON actions(doc, seq);
CREATE TABLE paths (
    source_path TEXT PRIMARY KEY,
    doc TEXT NOT NULL REFERENCES documents(id),
    seen INTEGER NOT NULL             -- unix ms
);
CREATE TABLE memory (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    json TEXT NOT NULL,
    updated INTEGER NOT NULL
);
";

/// Version 2: the memory snapshot records the last action it includes, so decisions
/// made after it can be replayed from the log; an index for counting a document's
/// spans by state without reading them; each document's length in code points, so an
/// action checks its offsets without reading the text; a covering index so listing
/// documents does not read their texts.
const V2: &str = "
ALTER TABLE memory ADD COLUMN upto_seq INTEGER NOT NULL DEFAULT 0; -- highest action seq included
CREATE INDEX spans_by_doc_state ON spans(doc, state);
ALTER TABLE documents ADD COLUMN chars INTEGER;                     -- length(text)
UPDATE documents SET chars = length(text);
CREATE INDEX documents_listing ON documents(added, id, name, source_path, done);
";

/// Version 3: the id a document had in the file it was imported from (an export
/// writes it back, so a review can be scored against the gold file it came from;
/// NULL when the record had none of its own, or its id was the text's hash), in the
/// listing index so listing documents still does not read their texts; and the
/// analyst's flags ("unsure, to discuss"): on the document (start and end NULL) or on
/// a stretch of its text, in code points (a suggestion not yet decided has no span
/// id, and a flag outlives accepting or relabelling it), one per place.
const V3: &str = "
ALTER TABLE documents ADD COLUMN record_id TEXT;
DROP INDEX documents_listing;
CREATE INDEX documents_listing ON documents(added, id, name, source_path, done, record_id);
CREATE TABLE flags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL REFERENCES documents(id),
    start INTEGER,                    -- code points; NULL (with end): the document
    end INTEGER,
    note TEXT NOT NULL DEFAULT '',
    annotator TEXT NOT NULL,
    at INTEGER NOT NULL,              -- unix ms
    CHECK ((start IS NULL) = (end IS NULL) AND (start IS NULL OR start < end))
);
CREATE UNIQUE INDEX flags_by_place ON flags(doc, ifnull(start, -1), ifnull(end, -1));
";

/// Version 4: what a document's records held that raqim has no field for (a URL in
/// `meta`, a Label Studio task's other `data` fields, doccano's `meta.wikiPageID`...)
/// and how they were laid out (Label Studio's control names, its text field), so that
/// an export in the same format writes them back. A JSON object with one entry per
/// format, opaque to the store (`formats` and `exchange` give it meaning); NULL when
/// no record had any. Not in the listing index: only an export reads it.
const V4: &str = "
ALTER TABLE documents ADD COLUMN foreign_fields TEXT;               -- JSON {FORMAT: {...}}
";

/// Version 5: which annotators each document is given to (`raqim assign`, issue 15),
/// one row per document and annotator, with when it was assigned; `id` is the order
/// of assignment (an explicit INTEGER PRIMARY KEY, which VACUUM keeps). An index to
/// list one annotator's documents (their queue) without reading everyone's. Spans
/// are not per annotator here: that is version 6.
const V5: &str = "
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,           -- order of assignment
    doc TEXT NOT NULL REFERENCES documents(id),
    annotator TEXT NOT NULL,
    assigned INTEGER NOT NULL,        -- unix ms
    UNIQUE (doc, annotator)
);
CREATE INDEX assignments_by_annotator ON assignments(annotator, id);
";

/// The layer each document's work goes to when a database before version 6 is
/// migrated (or read without migrating): the annotator with the most actions on the
/// document, the earliest first among equals. Before layers a document had one set of
/// spans, which everyone who opened it shared; its spans and history must stay
/// together in one layer, or undo would name spans its layer does not have. A
/// temporary table, gone with the connection.
macro_rules! layer_of_old_documents {
    () => {
        "
CREATE TEMP TABLE layer_of_old_doc AS
    SELECT doc, annotator FROM (
        SELECT doc, annotator,
               row_number() OVER (PARTITION BY doc ORDER BY count(*) DESC, min(seq)) AS rank
        FROM main.actions GROUP BY doc, annotator)
    WHERE rank = 1;
CREATE UNIQUE INDEX temp.layer_of_old_doc_by_doc ON layer_of_old_doc(doc);
"
    };
}
pub const LAYER_OF_OLD_DOCUMENTS: &str = layer_of_old_documents!();

/// Version 6: layers (issue 15). Every span, action and flag belongs to a document
/// and a layer: an annotator's name, or `gold`; undo history is per document and
/// layer. Each layer of a document has its own done mark and view (`layers`, one row
/// once the layer has any), so the columns `documents.done`, `cursor` and `top` are
/// no longer read. The indexes lead with (doc, layer), the key of every query that
/// opens a document. Existing work goes to the layer [`LAYER_OF_OLD_DOCUMENTS`] says;
/// a span without any action on its document to its own annotator's. A per-annotator
/// memory (`learning = "annotator"`) has its snapshot in `annotator_memory`.
const V6: &str = concat!(
    layer_of_old_documents!(),
    "
ALTER TABLE spans ADD COLUMN layer TEXT NOT NULL DEFAULT '';
UPDATE spans SET layer = coalesce(
    (SELECT annotator FROM layer_of_old_doc l WHERE l.doc = spans.doc), annotator);
ALTER TABLE actions ADD COLUMN layer TEXT NOT NULL DEFAULT '';
UPDATE actions SET layer = (SELECT annotator FROM layer_of_old_doc l WHERE l.doc = actions.doc);
ALTER TABLE flags ADD COLUMN layer TEXT NOT NULL DEFAULT '';
UPDATE flags SET layer = coalesce(
    (SELECT annotator FROM layer_of_old_doc l WHERE l.doc = flags.doc), annotator);
DROP INDEX spans_by_doc;
CREATE INDEX spans_by_doc ON spans(doc, layer, start);
DROP INDEX spans_by_doc_state;
CREATE INDEX spans_by_doc_state ON spans(doc, layer, state);
DROP INDEX actions_by_doc;
CREATE INDEX actions_by_doc ON actions(doc, layer, seq);
DROP INDEX flags_by_place;
CREATE UNIQUE INDEX flags_by_place ON flags(doc, layer, ifnull(start, -1), ifnull(end, -1));
CREATE TABLE layers (
    id INTEGER PRIMARY KEY,
    doc TEXT NOT NULL REFERENCES documents(id),
    layer TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    cursor INTEGER,                   -- code points
    top INTEGER,                      -- first visible line
    UNIQUE (doc, layer)
);
INSERT INTO layers (doc, layer, done, cursor, top)
    SELECT d.id, w.layer, d.done, d.cursor, d.top FROM documents d
    JOIN (SELECT doc, annotator AS layer FROM layer_of_old_doc
          UNION SELECT doc, min(layer) FROM spans
                WHERE doc NOT IN (SELECT doc FROM layer_of_old_doc) GROUP BY doc) w
      ON w.doc = d.id;
CREATE TABLE annotator_memory (
    annotator TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    updated INTEGER NOT NULL,
    upto_seq INTEGER NOT NULL DEFAULT 0
);
DROP TABLE temp.layer_of_old_doc;
"
);

/// Gives a database before version 6, opened only for reading (not migrated), the
/// columns and table of layers as temporary views over its tables, which they shadow
/// (SQLite looks up a name in `temp` first): the work of each document in the layer
/// migrating would give it. Nothing is written to the file.
pub fn layered_view_of_old(conn: &Connection, version: i64) -> rusqlite::Result<()> {
    if !(1..6).contains(&version) {
        return Ok(());
    }
    let mut sql = String::from(LAYER_OF_OLD_DOCUMENTS);
    sql.push_str(
        "
CREATE TEMP VIEW spans AS SELECT s.*, coalesce(l.annotator, s.annotator) AS layer
    FROM main.spans s LEFT JOIN layer_of_old_doc l ON l.doc = s.doc;
CREATE TEMP VIEW actions AS SELECT a.*, l.annotator AS layer
    FROM main.actions a LEFT JOIN layer_of_old_doc l ON l.doc = a.doc;
CREATE TEMP VIEW layers AS SELECT d.rowid AS id, d.id AS doc, w.layer, d.done, d.cursor, d.top
    FROM main.documents d
    JOIN (SELECT doc, annotator AS layer FROM layer_of_old_doc
          UNION SELECT doc, min(annotator) FROM main.spans
                WHERE doc NOT IN (SELECT doc FROM layer_of_old_doc) GROUP BY doc) w
      ON w.doc = d.id;
",
    );
    if version >= 3 {
        sql.push_str(
            "CREATE TEMP VIEW flags AS SELECT f.*, coalesce(l.annotator, f.annotator) AS layer
    FROM main.flags f LEFT JOIN layer_of_old_doc l ON l.doc = f.doc;
",
        );
    }
    conn.execute_batch(&sql)
}

/// The 16 bytes every SQLite 3 database starts with.
const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Reads the first 100 bytes of an existing file (never writing) and refuses one that
/// is not an SQLite database or is shorter than its header says. An empty file passes
/// here; opening refuses it (`open::check_file`).
pub fn check_header(path: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len == 0 {
        return Ok(());
    }
    let mut header = Vec::with_capacity(100);
    file.by_ref()
        .take(100)
        .read_to_end(&mut header)
        .map_err(io)?;
    if header.len() < 100 || &header[..16] != MAGIC {
        return Err(corrupt(
            "it does not start with the SQLite 3 header".to_string(),
        ));
    }
    let be16 = |i: usize| u16::from_be_bytes([header[i], header[i + 1]]);
    let be32 =
        |i: usize| u32::from_be_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let page_size: u64 = match be16(16) {
        1 => 65536,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        n => return Err(corrupt(format!("invalid page size {n}"))),
    };
    // The page count at offset 28 is valid only when the change counter (24) equals
    // the "version valid for" number (92); older writers left it stale.
    let pages = u64::from(be32(28));
    if be32(24) == be32(92) && pages > 0 && len < pages * page_size {
        return Err(corrupt(format!(
            "the file is truncated: {len} bytes, its header says {pages} pages of {page_size}"
        )));
    }
    Ok(())
}

/// Runs `PRAGMA quick_check` (reads only) and refuses a damaged database. It reads the
/// whole file: seconds for a million spans, so it is not run at open.
pub fn quick_check(conn: &Connection, path: &Path, waited_ms: u64) -> Result<(), StoreError> {
    let sq = |e| StoreError::from_sqlite(path, waited_ms, e);
    let mut stmt = conn.prepare("PRAGMA quick_check").map_err(sq)?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .map_err(sq)?
        .collect::<Result<_, _>>()
        .map_err(sq)?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        let mut detail = rows.into_iter().take(3).collect::<Vec<_>>().join("; ");
        detail.insert_str(0, "quick_check: ");
        Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            detail,
        })
    }
}

/// Runs `PRAGMA integrity_check` (reads only) and returns up to `max` problems (none:
/// the file is sound), each "Tree N" (a b-tree by its root page) followed by the
/// table or index it is, so that the message says which part of the work is hit.
pub fn integrity_check(
    conn: &Connection,
    path: &Path,
    waited_ms: u64,
    max: usize,
) -> Result<Vec<String>, StoreError> {
    let sq = |e| StoreError::from_sqlite(path, waited_ms, e);
    let names: Vec<(i64, String, String)> = conn
        .prepare("SELECT rootpage, type, name FROM sqlite_master WHERE rootpage > 0")
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .unwrap_or_default();
    let run = |arg: &str| -> rusqlite::Result<Vec<String>> {
        conn.prepare(&format!("PRAGMA integrity_check({arg})"))?
            .query_map([], |r| r.get(0))?
            .collect()
    };
    let rows = match run(&max.max(1).to_string()) {
        Ok(rows) => rows,
        // Some damage stops the check itself (SQLITE_CORRUPT): then each table (with
        // its indexes) is checked on its own, to say which are hit.
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            let mut rows = Vec::new();
            let tables = names.iter().filter(|(_, kind, _)| kind == "table");
            for (_, _, table) in tables {
                let quoted = format!("'{}'", table.replace('\'', "''"));
                match run(&quoted) {
                    Ok(r) if r.len() == 1 && r[0] == "ok" => {}
                    Ok(r) => rows.extend(r.into_iter().map(|l| format!("table {table}: {l}"))),
                    Err(e) => rows.push(format!("table {table}: {e}")),
                }
            }
            if rows.is_empty() {
                rows.push(e.to_string());
            }
            return Ok(rows);
        }
        Err(e) => return Err(sq(e)),
    };
    if rows.len() == 1 && rows[0] == "ok" {
        return Ok(Vec::new());
    }
    Ok(rows
        .into_iter()
        .map(|line| {
            let tree = line
                .strip_prefix("Tree ")
                .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse::<i64>().ok());
            match tree.and_then(|t| names.iter().find(|(root, ..)| *root == t)) {
                Some((root, kind, name)) => {
                    let head = format!("Tree {root}");
                    format!("{head} ({kind} {name}){}", &line[head.len()..])
                }
                None => line,
            }
        })
        .collect())
}

/// The tables every raqim schema (version 1 on) has.
const RAQIM_TABLES: &[&str] = &["actions", "documents", "memory", "paths", "spans"];

/// Checks at a cost that does not grow with the file (a few pages per table and index;
/// `PRAGMA quick_check` reads every page): a file of schema `version` >= 1 has raqim's
/// tables, and every table's and index's root page and the pages down to one of its
/// leaves read as b-tree pages. Damage elsewhere comes out when a query reaches it, as
/// SQLite's SQLITE_CORRUPT, i.e. [`StoreError::Corrupt`] naming the file.
pub fn check_structure(
    conn: &Connection,
    path: &Path,
    waited_ms: u64,
    version: i64,
) -> Result<(), StoreError> {
    let sq = |e| StoreError::from_sqlite(path, waited_ms, e);
    let mut stmt = conn
        .prepare(
            "SELECT type, name, tbl_name FROM sqlite_master \
             WHERE type IN ('table', 'index') AND rootpage > 0 ORDER BY rootpage",
        )
        .map_err(sq)?;
    let trees: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(sq)?
        .collect::<Result<_, _>>()
        .map_err(sq)?;
    if version >= 1 {
        let missing: Vec<&str> = RAQIM_TABLES
            .iter()
            .copied()
            .filter(|t| {
                !trees
                    .iter()
                    .any(|(kind, name, _)| kind == "table" && name == t)
            })
            .collect();
        if !missing.is_empty() {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: format!(
                    "schema version {version} but the table(s) {} are missing",
                    missing.join(", ")
                ),
            });
        }
    }
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    for (kind, name, table) in &trees {
        // raqim's tables all have rowids: max(rowid) walks root -> rightmost leaf. An
        // index scan limited to one row walks root -> leftmost leaf.
        let probe = if kind == "table" {
            format!("SELECT max(rowid) FROM {}", quote(name))
        } else {
            format!(
                "SELECT 1 FROM {} INDEXED BY {} LIMIT 1",
                quote(table),
                quote(name)
            )
        };
        let mut stmt = conn.prepare(&probe).map_err(sq)?;
        let mut rows = stmt.query([]).map_err(sq)?;
        rows.next().map_err(sq)?;
    }
    Ok(())
}

/// Every table some version of the schema has, in the order versions added them (a
/// mismatch names the oldest difference first); one a version lacks has no columns,
/// so that versions adding only a table (3's flags, 5's assignments) are told apart.
const VERSIONED_TABLES: &[&str] = &[
    "actions",
    "documents",
    "memory",
    "paths",
    "spans",
    "flags",
    "assignments",
    "layers",
    "annotator_memory",
];

/// Each of raqim's tables with its columns, as `conn` has them (none if missing).
fn columns(conn: &Connection) -> rusqlite::Result<Vec<(&'static str, Vec<String>)>> {
    VERSIONED_TABLES
        .iter()
        .map(|&t| {
            let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
            let cols = stmt
                .query_map([t], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok((t, cols))
        })
        .collect()
}

/// The columns of raqim's tables at schema `version`, from the migrations run on an
/// empty database in memory (a few milliseconds' work, none of it on the file).
fn columns_of_version(version: i64) -> rusqlite::Result<Vec<(&'static str, Vec<String>)>> {
    let conn = Connection::open_in_memory()?;
    for step in &MIGRATIONS[..version as usize] {
        conn.execute_batch(step)?;
    }
    columns(&conn)
}

/// Refuses a file whose tables do not have the columns its schema version says
/// ([`StoreError::SchemaMismatch`]), e.g. version 1 with version 2's columns: migrating
/// it would fail half-way ("duplicate column name") or read the wrong columns.
/// Reads only the schema.
pub fn check_columns(
    conn: &Connection,
    path: &Path,
    waited_ms: u64,
    version: i64,
) -> Result<(), StoreError> {
    if !(1..=SCHEMA_VERSION).contains(&version) {
        return Ok(());
    }
    let sq = |e| StoreError::from_sqlite(path, waited_ms, e);
    let found = columns(conn).map_err(sq)?;
    let expected = columns_of_version(version).map_err(sq)?;
    let Some(((table, has), (_, wants))) =
        found.iter().zip(&expected).find(|((_, a), (_, b))| a != b)
    else {
        return Ok(());
    };
    let mut detail = format!(
        "table {table} has the columns ({}), version {version} has ({})",
        has.join(", "),
        wants.join(", ")
    );
    let matching = (1..=SCHEMA_VERSION)
        .find(|&v| v != version && columns_of_version(v).is_ok_and(|c| c == found));
    if let Some(v) = matching {
        detail.push_str(&format!("; the tables are those of version {v}"));
    }
    Err(StoreError::SchemaMismatch {
        path: path.to_path_buf(),
        version,
        detail,
    })
}

/// The schema version recorded in the file.
pub fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Refuses, before any write, a database from a newer raqim or one that is not raqim's;
/// returns the version found.
pub fn check_version(
    conn: &Connection,
    path: &Path,
    waited_ms: u64,
    supported: i64,
) -> Result<i64, StoreError> {
    let sq = |e| StoreError::from_sqlite(path, waited_ms, e);
    let found = user_version(conn).map_err(sq)?;
    if found > supported {
        return Err(StoreError::NewerVersion {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    if found == 0 {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
            .map_err(sq)?;
        let names: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(sq)?
            .collect::<Result<_, _>>()
            .map_err(sq)?;
        if !names.is_empty() {
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
                tables: names.join(", "),
            });
        }
    }
    Ok(found)
}

/// Applies the missing steps of `steps` in one transaction: all of them or none. The
/// version is read again inside the transaction, so two processes opening an old
/// database at once migrate it once.
pub fn migrate(
    conn: &mut Connection,
    path: &Path,
    waited_ms: u64,
    steps: &[&str],
) -> Result<i64, StoreError> {
    let sq = |e| StoreError::from_sqlite(path, waited_ms, e);
    let target = steps.len() as i64;
    if user_version(conn).map_err(sq)? == target {
        return Ok(target);
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sq)?;
    let found = user_version(&tx).map_err(sq)?;
    if found > target {
        return Err(StoreError::NewerVersion {
            path: path.to_path_buf(),
            found,
            supported: target,
        });
    }
    for step in &steps[found as usize..] {
        tx.execute_batch(step).map_err(sq)?;
    }
    tx.pragma_update(None, "user_version", target).map_err(sq)?;
    tx.commit().map_err(sq)?;
    Ok(target)
}
