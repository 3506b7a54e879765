//! The store on a PostgreSQL server, for a team on several machines (issue 16): the
//! same tables and meaning as the SQLite store, reached by a `postgresql://` (or
//! `postgres://`) URL wherever a database path is taken.
//!
//! Owns: reading the URL (never with a password: that comes from `PGPASSWORD` or the
//! password file), connecting, and the schema's migrations. Each group of methods has
//! its own file: `review` (one document in a layer), `bulk` (imports and exports).
//! Must not: know the terminal.

mod bulk;
mod review;
pub mod roles;
pub mod schema;
pub mod testing;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use super::StoreError;

/// A database URL as given (without a password), and what it says.
#[derive(Debug, Clone)]
pub struct PgUrl {
    /// The URL as the user wrote it; shown in messages and the status line.
    pub text: String,
    pub config: postgres::Config,
}

impl PgUrl {
    /// The URL `path` holds, if it is one (`postgresql://` or `postgres://`); an
    /// error when it cannot be used (a password in it, a bad form).
    pub fn of(path: &Path) -> Option<Result<PgUrl, StoreError>> {
        let text = path.to_str()?;
        if !(text.starts_with("postgresql://") || text.starts_with("postgres://")) {
            return None;
        }
        Some(PgUrl::parse(text))
    }

    fn parse(text: &str) -> Result<PgUrl, StoreError> {
        let bad = |why: String| StoreError::BadUrl {
            path: PathBuf::from(text),
            why,
        };
        let config: postgres::Config = text
            .parse()
            .map_err(|e| bad(format!("not a PostgreSQL URL ({e}); expected postgresql://user@host:port/dbname?sslmode=...")))?;
        if config.get_password().is_some() {
            // The text itself is not repeated: it holds the password.
            return Err(StoreError::BadUrl {
                path: PathBuf::from("the database URL"),
                why: "it holds a password; give it in PGPASSWORD or the password file (~/.pgpass, PGPASSFILE), never on the command line".to_string(),
            });
        }
        Ok(PgUrl {
            text: text.to_string(),
            config,
        })
    }
}

/// An open connection to a raqim database on a PostgreSQL server.
pub struct PgStore {
    /// One connection, used by one thread at a time.
    client: Mutex<postgres::Client>,
    url: PgUrl,
    /// The URL, as a path for messages (the type every store error carries).
    path: PathBuf,
    /// See [`crate::store::SqliteStore::set_layer`].
    layer: String,
    memory_owner: Option<String>,
    /// Opened only for reading: every write is refused.
    read_only: bool,
    /// Who the connection is, for the layers it may write ([`roles::Member`]).
    member: std::sync::OnceLock<roles::Member>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("url", &self.url.text)
            .field("layer", &self.layer)
            .field("read_only", &self.read_only)
            .finish()
    }
}

impl PgStore {
    /// Connects to the server `url` names and makes or migrates raqim's schema there.
    pub fn open(url: PgUrl, busy_timeout: Duration) -> Result<PgStore, StoreError> {
        let mut store = PgStore::connect(url, false)?;
        let ms = busy_timeout.as_millis();
        store
            .client()
            .batch_execute(&format!("SET lock_timeout = {ms}"))
            .map_err(|e| store.sq(e))?;
        store.migrate()?;
        Ok(store)
    }

    /// Connects for reading only (an export): nothing is migrated or written.
    pub fn open_read_only(url: PgUrl) -> Result<PgStore, StoreError> {
        let store = PgStore::connect(url, true)?;
        store
            .client()
            .batch_execute("SET default_transaction_read_only = on")
            .map_err(|e| store.sq(e))?;
        Ok(store)
    }

    fn connect(url: PgUrl, read_only: bool) -> Result<PgStore, StoreError> {
        let path = PathBuf::from(&url.text);
        let client = url
            .config
            .connect(postgres::NoTls)
            .map_err(|e| server_error(&path, e))?;
        Ok(PgStore {
            client: Mutex::new(client),
            url,
            path,
            layer: String::new(),
            memory_owner: None,
            read_only,
            member: std::sync::OnceLock::new(),
        })
    }

    /// Brings the schema to this build's version in one transaction, under an
    /// advisory lock: a second raqim starting at once waits, then finds it done.
    fn migrate(&mut self) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let sq = |e| server_error(&path, e);
        let mut client = self.client();
        let mut tx = client.transaction().map_err(sq)?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1)",
            &[&schema::MIGRATION_LOCK],
        )
        .map_err(sq)?;
        // Read before anything is written: an annotator's role (`raqim db roles`)
        // may read the schema's version but not create or change a table.
        let made: bool = tx
            .query_one("SELECT to_regclass('raqim_schema') IS NOT NULL", &[])
            .map_err(sq)?
            .get(0);
        let found: Option<i64> = if made {
            tx.query_opt("SELECT version FROM raqim_schema", &[])
                .map_err(sq)?
                .map(|r| r.get(0))
        } else {
            None
        };
        let target = schema::MIGRATIONS.len() as i64;
        let found = found.unwrap_or(0);
        if found > target {
            return Err(StoreError::NewerVersion {
                path: path.clone(),
                found,
                supported: target,
            });
        }
        if found == target {
            tx.commit().map_err(sq)?;
            return Ok(target);
        }
        tx.batch_execute("CREATE TABLE IF NOT EXISTS raqim_schema (version BIGINT NOT NULL)")
            .map_err(sq)?;
        for step in &schema::MIGRATIONS[found as usize..] {
            tx.batch_execute(step).map_err(sq)?;
        }
        tx.execute("DELETE FROM raqim_schema", &[]).map_err(sq)?;
        tx.execute("INSERT INTO raqim_schema (version) VALUES ($1)", &[&target])
            .map_err(sq)?;
        tx.commit().map_err(sq)?;
        Ok(target)
    }

    /// The connection, for one call at a time.
    fn client(&self) -> std::sync::MutexGuard<'_, postgres::Client> {
        self.client.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A server error as the store's, naming the URL.
    fn sq(&self, e: postgres::Error) -> StoreError {
        server_error(&self.path, e)
    }

    /// Refuses a write on a store opened only for reading.
    fn writable(&self) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
                detail: "opened only for reading".to_string(),
            });
        }
        Ok(())
    }

    /// The server's URL.
    pub fn url(&self) -> &str {
        &self.url.text
    }

    /// A server does its own checking: nothing to read here.
    pub fn verify(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// See [`PgStore::verify`].
    pub fn verify_in_background(&self) -> std::thread::JoinHandle<Result<(), StoreError>> {
        std::thread::spawn(|| Ok(()))
    }

    /// A server's store never refuses on its own account.
    pub fn refusal(&self) -> Option<&str> {
        None
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn set_layer(&mut self, layer: &str) {
        self.layer = layer.to_string();
    }

    pub fn layer(&self) -> &str {
        &self.layer
    }

    pub fn set_memory_owner(&mut self, who: Option<&str>) {
        self.memory_owner = who.map(str::to_string);
    }

    pub fn memory_owner(&self) -> Option<&str> {
        self.memory_owner.as_deref()
    }

    /// The schema version recorded on the server (0: none yet).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let row = self
            .client()
            .query_opt(
                "SELECT version FROM raqim_schema WHERE to_regclass('raqim_schema') IS NOT NULL",
                &[],
            )
            .map_err(|e| self.sq(e))?;
        Ok(row.map_or(0, |r| r.get(0)))
    }
}

/// A server's error for the database at `path` (its URL): a lock not had in time is
/// [`StoreError::Locked`], anything else [`StoreError::Server`] with the server's
/// words.
pub(crate) fn server_error(path: &Path, e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error()
        && db.code() == &postgres::error::SqlState::LOCK_NOT_AVAILABLE
    {
        return StoreError::Locked {
            path: path.to_path_buf(),
            waited_ms: 0,
        };
    }
    StoreError::Server {
        path: path.to_path_buf(),
        detail: match e.as_db_error() {
            Some(db) => format!("{}: {}", db.severity(), db.message()),
            None => e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_database_gets_the_schema_once_and_a_url_with_a_password_is_refused() {
        let Some(server) = testing::server() else {
            return;
        };
        let url = server.fresh_database();
        let path = PathBuf::from(&url);
        let open = {
            let path = path.clone();
            move || PgStore::open(PgUrl::of(&path).unwrap().unwrap(), Duration::from_secs(5))
        };
        let store = open().unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            schema::MIGRATIONS.len() as i64
        );
        drop(store);
        // Twice at once: the second waits for the first's migration, then finds it done.
        let a = std::thread::spawn(open.clone());
        let b = open().unwrap();
        a.join().unwrap().unwrap();
        assert_eq!(b.schema_version().unwrap(), 1);
        let with_password = PathBuf::from("postgresql://amal:secret@localhost/team");
        let e = PgUrl::of(&with_password).unwrap().unwrap_err().to_string();
        assert!(e.contains("PGPASSWORD") && !e.contains("secret"), "{e}");
    }
}
