//! The server's side of `raqim db copy` (`crate::store::copy`): every table dumped
//! from one `REPEATABLE READ` snapshot, or loaded by binary `COPY` in one transaction
//! with the identity sequences set past the highest id given. `COPY` writes the ids
//! it is given even into `GENERATED ALWAYS` columns; `documents.ord` is left to the
//! server, which numbers the documents in the order they arrive (the order added).

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};

use super::PgStore;
use crate::store::StoreError;
use crate::store::copy::{CopyError, Dump, Kind, Loaded, TABLES, Value, Verify};

fn pg_type(kind: Kind) -> Type {
    match kind {
        Kind::Int => Type::INT8,
        Kind::Int4 => Type::INT4,
        Kind::Real => Type::FLOAT8,
        Kind::Text => Type::TEXT,
        Kind::Bool => Type::BOOL,
    }
}

impl PgStore {
    /// See [`crate::store::copy`]: every row, and each identity's last value.
    pub(crate) fn dump_tables(&self) -> Result<Dump, StoreError> {
        let sq = |e| self.sq(e);
        let mut client = self.client();
        let mut tx = client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(sq)?;
        let mut dump = Dump::default();
        for (t, table) in TABLES.iter().enumerate() {
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                table.columns(),
                table.name,
                table.pg_order
            );
            let mut rows = Vec::new();
            let mut found = tx
                .query_raw(&sql, std::iter::empty::<&dyn ToSql>())
                .map_err(sq)?;
            while let Some(r) = found.next().map_err(sq)? {
                let mut row = Vec::with_capacity(table.cols.len());
                for (i, (_, kind)) in table.cols.iter().enumerate() {
                    let v = match kind {
                        Kind::Int => r.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
                        Kind::Int4 => r
                            .try_get::<_, Option<i32>>(i)
                            .map(|v| v.map(|n| Value::Int(n.into()))),
                        Kind::Real => r.try_get::<_, Option<f64>>(i).map(|v| v.map(Value::Real)),
                        Kind::Text => r
                            .try_get::<_, Option<String>>(i)
                            .map(|v| v.map(Value::Text)),
                        Kind::Bool => r.try_get::<_, Option<bool>>(i).map(|v| v.map(Value::Bool)),
                    }
                    .map_err(sq)?;
                    row.push(v.unwrap_or(Value::Null));
                }
                rows.push(row);
            }
            drop(found);
            dump.rows.push(rows);
            let recorded: Option<i64> = match table.id {
                Some(id) => tx
                    .query_one(
                        "SELECT pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass)",
                        &[&table.name, &id],
                    )
                    .map_err(sq)?
                    .get(0),
                None => None,
            };
            dump.note_high(t, recorded);
        }
        tx.commit().map_err(sq)?;
        Ok(dump)
    }

    /// See [`crate::store::copy`]: `dump` written in one transaction if every table is
    /// empty, each identity set to go on after the dump's highest id.
    pub(crate) fn load_tables(
        &mut self,
        dump: &Dump,
        verify: &Verify,
    ) -> Result<Loaded, CopyError> {
        self.writable()?;
        let sq = |e| self.sq(e);
        let mut client = self.client();
        let mut tx = client.transaction().map_err(sq)?;
        // No other writer meanwhile: an empty target stays empty until the commit.
        let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        tx.batch_execute(&format!(
            "LOCK TABLE {} IN EXCLUSIVE MODE",
            names.join(", ")
        ))
        .map_err(sq)?;
        let count = |tx: &mut postgres::Transaction| -> Result<Vec<i64>, StoreError> {
            TABLES
                .iter()
                .map(|t| {
                    tx.query_one(&format!("SELECT count(*) FROM {}", t.name), &[])
                        .map(|r| r.get(0))
                        .map_err(sq)
                })
                .collect()
        };
        let before = count(&mut tx)?;
        if before.iter().any(|n| *n > 0) {
            return Ok(Loaded::NotEmpty(before));
        }
        for ((table, rows), high) in TABLES.iter().zip(&dump.rows).zip(&dump.high) {
            let types: Vec<Type> = table.cols.iter().map(|(_, k)| pg_type(*k)).collect();
            let sink = tx
                .copy_in(&format!(
                    "COPY {} ({}) FROM STDIN (FORMAT binary)",
                    table.name,
                    table.columns()
                ))
                .map_err(sq)?;
            let mut w = BinaryCopyInWriter::new(sink, &types);
            for row in rows {
                let values: Vec<Box<dyn ToSql + Sync + '_>> = row
                    .iter()
                    .zip(table.cols)
                    .map(|(v, (_, kind))| -> Box<dyn ToSql + Sync + '_> {
                        match (v, kind) {
                            (Value::Null, Kind::Int) => Box::new(None::<i64>),
                            (Value::Null, Kind::Int4) => Box::new(None::<i32>),
                            (Value::Null, Kind::Real) => Box::new(None::<f64>),
                            (Value::Null, Kind::Text) => Box::new(None::<String>),
                            (Value::Null, Kind::Bool) => Box::new(None::<bool>),
                            (Value::Int(n), Kind::Int4) => Box::new(*n as i32),
                            (Value::Int(n), Kind::Bool) => Box::new(*n != 0),
                            (Value::Int(n), _) => Box::new(*n),
                            (Value::Real(x), _) => Box::new(*x),
                            (Value::Text(s), _) => Box::new(s.as_str()),
                            (Value::Bool(b), _) => Box::new(*b),
                        }
                    })
                    .collect();
                let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|b| &**b).collect();
                w.write(&refs).map_err(sq)?;
            }
            w.finish().map_err(sq)?;
            if let (Some(id), Some(high)) = (table.id, high.filter(|h| *h > 0)) {
                tx.execute(
                    "SELECT setval(pg_get_serial_sequence($1, $2), $3)",
                    &[&table.name, &id, &high],
                )
                .map_err(sq)?;
            }
        }
        let after = count(&mut tx)?;
        verify(&after)?;
        tx.commit().map_err(sq)?;
        Ok(Loaded::Done(after))
    }
}
