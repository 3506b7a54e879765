//! `raqim db copy`: a whole project moved from one database to another, SQLite or
//! PostgreSQL either way: every table row for row with its ids (span ids and action
//! seqs are what undo history names), and the high-water mark of each id so a new
//! span never takes the id of one deleted before the copy. The target must be empty;
//! it is written in one transaction, whose row counts are checked against the
//! source's before it commits.
//!
//! Owns: which tables and columns make a project, in an order that satisfies their
//! references. Each backend dumps and loads rows ([`SqliteStore`] here, `pg::copy`
//! for the server). Must not: know the terminal.

use std::fmt;
use std::path::{Path, PathBuf};

use rusqlite::params_from_iter;

use super::pg::PgUrl;
use super::{SqliteStore, Store, StoreError};

/// A column's type, as both backends store it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    /// PostgreSQL's `INTEGER` (`memory.id`); SQLite's integers are all one type.
    Int4,
    Real,
    Text,
    Bool,
}

/// One value of a row, of either backend.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
}

/// A table of a project: its columns, the order its rows are read in (SQLite's and
/// the server's words for it), and its id column, whose high-water mark is kept.
pub(crate) struct Table {
    pub name: &'static str,
    pub cols: &'static [(&'static str, Kind)],
    pub sqlite_order: &'static str,
    pub pg_order: &'static str,
    pub id: Option<&'static str>,
}

use Kind::{Bool, Int, Int4, Real, Text};

/// Every table of a project, each after the tables it refers to. `documents` are in
/// the order they were added (SQLite's rowid, the server's `ord`), which the server
/// numbers again as they arrive.
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "documents",
        cols: &[
            ("id", Text),
            ("name", Text),
            ("source_path", Text),
            ("text", Text),
            ("added", Int),
            ("done", Bool),
            ("cursor", Int),
            ("top", Int),
            ("chars", Int),
            ("record_id", Text),
            ("foreign_fields", Text),
        ],
        sqlite_order: "rowid",
        pg_order: "ord",
        id: None,
    },
    Table {
        name: "spans",
        cols: &[
            ("id", Int),
            ("doc", Text),
            ("layer", Text),
            ("start", Int),
            ("end", Int),
            ("label", Text),
            ("state", Text),
            ("source", Text),
            ("score", Real),
            ("annotator", Text),
            ("created", Int),
            ("updated", Int),
        ],
        sqlite_order: "id",
        pg_order: "id",
        id: Some("id"),
    },
    Table {
        name: "actions",
        cols: &[
            ("seq", Int),
            ("doc", Text),
            ("layer", Text),
            ("kind", Text),
            ("payload", Text),
            ("annotator", Text),
            ("at", Int),
            ("undoes", Int),
        ],
        sqlite_order: "seq",
        pg_order: "seq",
        id: Some("seq"),
    },
    Table {
        name: "paths",
        cols: &[("source_path", Text), ("doc", Text), ("seen", Int)],
        sqlite_order: "source_path",
        pg_order: "source_path",
        id: None,
    },
    Table {
        name: "memory",
        cols: &[
            ("id", Int4),
            ("json", Text),
            ("updated", Int),
            ("upto_seq", Int),
        ],
        sqlite_order: "id",
        pg_order: "id",
        id: None,
    },
    Table {
        name: "annotator_memory",
        cols: &[
            ("annotator", Text),
            ("json", Text),
            ("updated", Int),
            ("upto_seq", Int),
        ],
        sqlite_order: "annotator",
        pg_order: "annotator",
        id: None,
    },
    Table {
        name: "flags",
        cols: &[
            ("id", Int),
            ("doc", Text),
            ("layer", Text),
            ("start", Int),
            ("end", Int),
            ("note", Text),
            ("annotator", Text),
            ("at", Int),
        ],
        sqlite_order: "id",
        pg_order: "id",
        id: Some("id"),
    },
    Table {
        name: "assignments",
        cols: &[
            ("id", Int),
            ("doc", Text),
            ("annotator", Text),
            ("assigned", Int),
        ],
        sqlite_order: "id",
        pg_order: "id",
        id: Some("id"),
    },
    Table {
        name: "layers",
        cols: &[
            ("id", Int),
            ("doc", Text),
            ("layer", Text),
            ("done", Bool),
            ("cursor", Int),
            ("top", Int),
        ],
        sqlite_order: "id",
        pg_order: "id",
        id: Some("id"),
    },
];

impl Table {
    /// The columns, quoted (`end` and `at` are words of SQL), comma-separated.
    pub(crate) fn columns(&self) -> String {
        self.cols
            .iter()
            .map(|(c, _)| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The place of the id column in a row.
    fn id_index(&self) -> Option<usize> {
        let id = self.id?;
        self.cols.iter().position(|(c, _)| *c == id)
    }
}

/// A whole project as read from one snapshot: the rows of each table of [`TABLES`]
/// (same order), and for each the highest id ever given (`None`: no id column).
#[derive(Debug, Default)]
pub(crate) struct Dump {
    pub rows: Vec<Vec<Vec<Value>>>,
    pub high: Vec<Option<i64>>,
}

impl Dump {
    /// The high-water mark of table `t`: the backend's own (ids given, maybe deleted
    /// since), or the largest id there, whichever is higher.
    pub(crate) fn note_high(&mut self, t: usize, recorded: Option<i64>) {
        let Some(i) = TABLES[t].id_index() else {
            self.high.push(None);
            return;
        };
        let max = self.rows[t]
            .iter()
            .filter_map(|r| match r[i] {
                Value::Int(n) => Some(n),
                _ => None,
            })
            .max();
        self.high.push(max.max(recorded));
    }
}

/// The load of a [`Dump`] into a target: its row counts after it, before the commit;
/// or the rows already there, and nothing written.
#[derive(Debug)]
pub(crate) enum Loaded {
    Done(Vec<i64>),
    NotEmpty(Vec<i64>),
}

/// Why a copy was not made.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}: the target is not empty ({}); `raqim db copy` copies only into an empty database, nothing was written", .path.display(), .tables)]
    NotEmpty { path: PathBuf, tables: String },
    #[error("--from and --to name the same database: {}", .0.display())]
    Same(PathBuf),
    #[error("{}: no such database to copy from; nothing was written", .0.display())]
    NoSource(PathBuf),
    #[error("{}: another raqim made a database there during the copy; it was left as it was and the copy dropped", .0.display())]
    Raced(PathBuf),
    #[error("{}: after the copy, table {table} has {target} rows where {} has {found}; nothing was written", .to.display(), .from.display())]
    Count {
        from: PathBuf,
        to: PathBuf,
        table: &'static str,
        /// The rows in the source.
        found: i64,
        target: i64,
    },
}

/// What `raqim db copy` did: the rows of each table, the same on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyReport {
    pub from: PathBuf,
    pub to: PathBuf,
    pub counts: Vec<(&'static str, i64)>,
}

impl fmt::Display for CopyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "copied {} to {} (rows per table, the same on both sides):",
            self.from.display(),
            self.to.display()
        )?;
        for (table, n) in &self.counts {
            writeln!(f, "  {table:<17} {n}")?;
        }
        Ok(())
    }
}

/// Copies the whole project at `from` (a file or a server's URL) into the empty
/// database at `to`: made if it is a file not there yet (put in place only once
/// whole), else opened and refused when it holds any row.
pub fn copy(from: &Path, to: &Path) -> Result<CopyReport, CopyError> {
    if from == to {
        return Err(CopyError::Same(from.to_path_buf()));
    }
    // Opening a file that is not there would make an empty one.
    if !super::exists(from) {
        return Err(CopyError::NoSource(from.to_path_buf()));
    }
    let source = Store::open(from)?;
    let dump = match &source {
        Store::Sqlite(s) => s.dump_tables()?,
        Store::Pg(s) => s.dump_tables()?,
    };
    drop(source);
    let fresh = PgUrl::of(to).is_none() && !to.try_exists().unwrap_or(true);
    let mut target = if fresh {
        Store::create(to)?
    } else {
        Store::open(to)?
    };
    let loaded = match &mut target {
        Store::Sqlite(s) => s.load_tables(&dump, &|counts| check(from, to, &dump, counts))?,
        Store::Pg(s) => s.load_tables(&dump, &|counts| check(from, to, &dump, counts))?,
    };
    let counts = match loaded {
        Loaded::Done(c) => c,
        Loaded::NotEmpty(c) => {
            let tables = TABLES
                .iter()
                .zip(&c)
                .filter(|(_, n)| **n > 0)
                .map(|(t, n)| format!("{} {n}", t.name))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(CopyError::NotEmpty {
                path: to.to_path_buf(),
                tables,
            });
        }
    };
    if fresh && !target.publish()? {
        return Err(CopyError::Raced(to.to_path_buf()));
    }
    Ok(CopyReport {
        from: from.to_path_buf(),
        to: to.to_path_buf(),
        counts: TABLES.iter().map(|t| t.name).zip(counts).collect(),
    })
}

/// Compares the target's counts with the dump's: the first table that differs.
fn check(from: &Path, to: &Path, dump: &Dump, counts: &[i64]) -> Result<(), CopyError> {
    for (t, (rows, n)) in TABLES.iter().zip(dump.rows.iter().zip(counts)) {
        if rows.len() as i64 != *n {
            return Err(CopyError::Count {
                from: from.to_path_buf(),
                to: to.to_path_buf(),
                table: t.name,
                found: rows.len() as i64,
                target: *n,
            });
        }
    }
    Ok(())
}

/// How a load checks its counts before it commits (an error rolls it back).
pub(crate) type Verify<'a> = dyn Fn(&[i64]) -> Result<(), CopyError> + 'a;

impl SqliteStore {
    /// Every row of every table of [`TABLES`], from one read transaction, and the
    /// high-water marks of AUTOINCREMENT's `sqlite_sequence`.
    pub(crate) fn dump_tables(&self) -> Result<Dump, StoreError> {
        let sq = |e| self.sq(e);
        let tx = self.conn.unchecked_transaction().map_err(sq)?;
        let mut dump = Dump::default();
        for (t, table) in TABLES.iter().enumerate() {
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                table.columns(),
                table.name,
                table.sqlite_order
            );
            let mut stmt = tx.prepare(&sql).map_err(sq)?;
            let mut found = stmt.query([]).map_err(sq)?;
            let mut rows = Vec::new();
            while let Some(r) = found.next().map_err(sq)? {
                let mut row = Vec::with_capacity(table.cols.len());
                for (i, (_, kind)) in table.cols.iter().enumerate() {
                    let v = match kind {
                        Int | Int4 => r.get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
                        Real => r.get::<_, Option<f64>>(i).map(|v| v.map(Value::Real)),
                        Text => r.get::<_, Option<String>>(i).map(|v| v.map(Value::Text)),
                        Bool => r.get::<_, Option<bool>>(i).map(|v| v.map(Value::Bool)),
                    }
                    .map_err(sq)?;
                    row.push(v.unwrap_or(Value::Null));
                }
                rows.push(row);
            }
            dump.rows.push(rows);
            let recorded: Option<i64> = tx
                .query_row(
                    "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                    [table.name],
                    |r| r.get(0),
                )
                .ok();
            dump.note_high(t, recorded);
        }
        tx.rollback().map_err(sq)?;
        Ok(dump)
    }

    /// Writes `dump` into this database in one transaction if it is empty, ids and
    /// all, with `sqlite_sequence` at the dump's high-water marks; `verify` sees the
    /// counts before the commit.
    pub(crate) fn load_tables(
        &mut self,
        dump: &Dump,
        verify: &Verify,
    ) -> Result<Loaded, CopyError> {
        self.writable()?;
        let path = self.path.clone();
        let (tx, sq) = super::immediate(&mut self.conn, &path, self.waited_ms)?;
        let count = |tx: &rusqlite::Transaction| -> Result<Vec<i64>, StoreError> {
            TABLES
                .iter()
                .map(|t| {
                    tx.query_row(&format!("SELECT count(*) FROM {}", t.name), [], |r| {
                        r.get(0)
                    })
                    .map_err(sq)
                })
                .collect()
        };
        let before = count(&tx)?;
        if before.iter().any(|n| *n > 0) {
            return Ok(Loaded::NotEmpty(before));
        }
        for ((table, rows), high) in TABLES.iter().zip(&dump.rows).zip(&dump.high) {
            let marks = vec!["?"; table.cols.len()].join(", ");
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({marks})",
                table.name,
                table.columns()
            );
            let mut stmt = tx.prepare(&sql).map_err(sq)?;
            for row in rows {
                let values = row.iter().map(|v| match v {
                    Value::Null => rusqlite::types::Value::Null,
                    Value::Int(n) => rusqlite::types::Value::Integer(*n),
                    Value::Real(x) => rusqlite::types::Value::Real(*x),
                    Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
                    Value::Bool(b) => rusqlite::types::Value::Integer(i64::from(*b)),
                });
                stmt.execute(params_from_iter(values)).map_err(sq)?;
            }
            let autoincrement: bool = tx
                .query_row(
                    "SELECT sql LIKE '%AUTOINCREMENT%' FROM sqlite_master \
                     WHERE type = 'table' AND name = ?1",
                    [table.name],
                    |r| r.get(0),
                )
                .map_err(sq)?;
            if let Some(high) = high.filter(|h| *h > 0)
                && autoincrement
            {
                tx.execute("DELETE FROM sqlite_sequence WHERE name = ?1", [table.name])
                    .map_err(sq)?;
                tx.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)",
                    rusqlite::params![table.name, high],
                )
                .map_err(sq)?;
            }
        }
        let after = count(&tx)?;
        verify(&after)?;
        tx.commit().map_err(sq)?;
        Ok(Loaded::Done(after))
    }
}
